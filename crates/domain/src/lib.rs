//! Ersal's shipment rules, shared by the browser (WASM) and the server, so both validate and
//! quote with the same code.
//!
//! * [`text`]: Persian/Arabic digits in, Persian digits and Toman amounts out;
//! * [`values`]: parse-don't-validate newtypes (mobile, postal code, names, address lines,
//!   weight, dimensions, money) with Persian error messages;
//! * [`size`]: parcel size classes and their limits;
//! * [`shipment`]: roles, each side's details, handover and payer;
//! * [`status`]: the shipment status machine and who may move it;
//! * [`stage`]: groups of shipments by what happens next (waiting, late, moving, needs action);
//! * [`code`]: tracking codes;
//! * [`handover`]: the pickup and delivery codes that prove a handover;
//! * [`delivery`]: where a message queued for Divar stands;
//! * [`keyed`]: the one pattern for stored cases with a key and a Persian label;
//! * [`forms`]: the landing flow's forms as typed, and their validation into the values above;
//! * [`draft`]: what a user has typed so far, and which step to show;
//! * [`tariff`]: the tariff and the price quote;
//! * [`places`]: provinces and cities with their class;
//! * [`asking`]: whether a buyer's chat message asks about shipping, and to which city;
//! * [`routes`]: every path Ersal answers, with its budget and cache policy;
//! * [`jalali`]: Jalali dates in Tehran time;
//! * [`api`]: the operator API's scopes, tokens and limits.

pub mod api;
pub mod asking;
pub mod code;
pub mod delivery;
pub mod draft;
pub mod forms;
pub mod handover;
pub mod jalali;
pub mod keyed;
pub mod lifetimes;
pub mod places;
pub mod routes;
pub mod shipment;
pub mod size;
pub mod stage;
pub mod status;
pub mod tariff;
pub mod text;
pub mod values;
pub mod webhook;
