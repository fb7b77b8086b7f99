//! Integration tests on the router that ships (`ersal::server::router`), each on a fresh SQLite
//! database; the chat journeys run against the Divar sandbox over real HTTP.
#![cfg(feature = "sandbox")]

mod chat;
mod console;
mod fuzz;
mod housekeeping;
mod init;
mod journey;
mod landing;
mod limits;
mod outbox;
mod pages;
mod rotation;
mod startup;
mod support;
