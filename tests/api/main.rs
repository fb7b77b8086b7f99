//! Integration tests on the router that ships (`ersal::server::router`), each on a fresh
//! database (SQLite, or PostgreSQL when `ERSAL_TEST_POSTGRES` is set: `make test` runs the
//! suite on both); the chat journeys run against the Divar sandbox over real HTTP.
#![cfg(feature = "sandbox")]

mod addons;
mod assistant;
mod budget;
mod chat;
mod console;
mod console_forms;
mod dashboard;
mod events;
mod fuzz;
mod handover;
mod housekeeping;
mod init;
mod instances;
mod journey;
mod landing;
mod limits;
mod logs;
mod metrics;
mod operator_api;
mod operator_api_document;
mod operator_api_edges;
mod outbox;
mod pages;
mod policy;
mod revocation;
mod rotation;
mod startup;
mod support;
mod webhooks;
mod webhooks_admin;
