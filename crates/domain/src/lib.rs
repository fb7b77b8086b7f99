//! Ersal's shipment rules, shared by the browser (WASM) and the server, so both validate and
//! quote with the same code.
//!
//! * [`text`]: Persian/Arabic digits in, Persian digits and Toman amounts out;
//! * [`values`]: parse-don't-validate newtypes (mobile, postal code, names, address lines,
//!   weight, dimensions, money) with Persian error messages;
//! * [`size`]: parcel size classes and their limits;
//! * [`shipment`]: roles, each side's details, handover and payer;
//! * [`status`]: the shipment status machine;
//! * [`tariff`]: the tariff and the price quote;
//! * [`places`]: provinces and cities with their class;
//! * [`jalali`]: Jalali dates in Tehran time.

pub mod jalali;
pub mod places;
pub mod shipment;
pub mod size;
pub mod status;
pub mod tariff;
pub mod text;
pub mod values;
