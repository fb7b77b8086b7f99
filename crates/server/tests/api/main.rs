//! Integration tests: the real contract router on a fresh SQLite database per test.

mod chat;
mod console;
mod fuzz;
mod init;
mod landing;
mod support;
