//! The support bot on Ersal's Divar profile (docs/kenar.md, “Events” and “The support bot”).
//!
//! Divar POSTs each message a user writes to the bot to `/divar/events`
//! ([`crate::http::events`]). [`events::receive`] stores it, sealed, keyed on Divar's message
//! id, before the 200: a redelivery is a duplicate and is not stored again. A worker in every
//! instance ([`events::spawn_worker`]) then takes each stored event in a transaction that marks
//! it processed and writes everything it causes (the support message, the bot's answer in the
//! outbox), so an event is processed once however many instances run: on PostgreSQL the second
//! instance's mark waits for the first transaction and then finds it processed.
//!
//! [`bot`] decides the answer: a greeting for `/start`, a shipment's status for its tracking
//! code, and anything else goes to staff ([`store`]) with the hours they answer.

pub mod bot;
pub mod events;
pub mod store;
