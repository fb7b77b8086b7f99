//! The sandbox against Divar's contract:
//!
//! * [`schema`]: send-message validation agrees with the official schema (read from
//!   `docs/kenar/openapi-v3.json`), and the icon and scope lists are the OpenAPI file's;
//! * [`oauth`]: OAuth answers as docs/kenar.md, “OAuth”, says;
//! * [`api`]: the open-platform endpoints (messages, posts, users, post add-ons), their checks
//!   and the injected faults;
//! * [`faults`]: one fault mechanism answers for every Divar endpoint;
//! * [`control`]: the control API refuses changes from other origins;
//! * [`receiver`]: the webhook receivers verify, record and answer as asked.

mod api;
mod control;
mod faults;
mod oauth;
mod receiver;
mod schema;
mod support;

const SLUG: &str = "ersal-test";
const SECRET: &str = "test-client-secret-0001";
const API_KEY: &str = "test-api-key-0001";
const REDIRECT: &str = "http://127.0.0.1:3000/oauth/callback";
const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";
/// The buyer of CONVERSATION.
const BUYER: &str = "bA7kQ2wE9rT4yU1iO8pL3sD6fG0hJ5kZ2xC7vB4nM=";
