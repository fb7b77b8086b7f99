//! What the operator API answers and accepts, as JSON: plain data, described for the OpenAPI
//! document by `utoipa` from these very types, so that the document cannot drift from them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A shipment in a list: ids, states and the route, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShipmentLine {
    /// The tracking code.
    #[schema(example = "TKTSUEL7YP")]
    pub id: String,
    /// The status's key (`GET /api/v1/statuses` lists them).
    #[schema(example = "pickup_scheduled")]
    pub status: String,
    /// The status in Persian.
    pub status_label: String,
    /// City ids of the route's two ends, when known.
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    /// When it was created, Unix seconds.
    pub created_at: i64,
    /// The scheduled pickup's day (ISO 8601, Tehran), if one is scheduled.
    pub pickup_date: Option<String>,
}

/// A page of shipments, oldest first (shipments younger than a few seconds wait for the next
/// call); `next_cursor` asks for the next page, and is absent on the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShipmentPage {
    pub shipments: Vec<ShipmentLine>,
    pub next_cursor: Option<String>,
}

/// One step of a shipment's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEvent {
    pub status: String,
    pub status_label: String,
    /// Who made it: `opener`, `counterparty`, `operator` (the company) or `system`.
    pub actor: String,
    /// Unix seconds.
    pub at: i64,
    /// The note or reason given, for a token with `personal:read` only.
    pub note: Option<String>,
}

/// One side's details, for a token with the `personal:read` scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartyDetails {
    pub name: String,
    /// `09xxxxxxxxx`.
    pub mobile: String,
    pub city: String,
    pub address: String,
    pub postal_code: Option<String>,
}

/// Both sides, as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Parties {
    pub sender: Option<PartyDetails>,
    pub receiver: Option<PartyDetails>,
}

/// The scheduled pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pickup {
    /// ISO 8601, Tehran.
    pub date: String,
    /// The window's key: `morning`, `afternoon`…
    pub window: String,
    pub window_label: String,
}

/// One shipment with its timeline; `parties` only for a token that may read personal data,
/// and never once the personal data has been deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShipmentDetails {
    #[serde(flatten)]
    pub line: ShipmentLine,
    pub item: String,
    /// The size class's key.
    pub size: String,
    pub fragile: bool,
    pub service: String,
    /// Who pays: `sender` or `receiver`.
    pub payer: String,
    /// The price quoted to the users, in Rials.
    pub total_rials: u64,
    pub pickup: Option<Pickup>,
    /// Whether the two sides' personal data has been deleted (retention).
    pub purged: bool,
    pub timeline: Vec<TimelineEvent>,
    pub parties: Option<Parties>,
}

/// A move to another status, with the console's rules: a reason for an exception or a
/// cancellation, a pickup date and window for scheduling a pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The target status's key.
    #[schema(example = "picked_up")]
    pub to: String,
    /// A note for the timeline (at most 200 characters); required where the status needs a
    /// reason.
    pub note: Option<String>,
    /// For `pickup_scheduled`: a bookable day (ISO 8601, Tehran) and a window's key.
    pub pickup_date: Option<String>,
    pub pickup_window: Option<String>,
}

/// The move done: the shipment's status now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Moved {
    pub id: String,
    pub from: String,
    pub status: String,
    pub status_label: String,
}

/// A status, its Persian label and the statuses the company may move it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusInfo {
    pub key: String,
    pub label: String,
    pub terminal: bool,
    /// Where the company (an operator or a token) may move a shipment in this status.
    pub company_moves: Vec<String>,
    /// Whether a move to this status needs a note (a reason).
    pub needs_reason: bool,
}

/// An error, as RFC 9457 problem details (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemDetails {
    /// `urn:ersal:problem:…`, one per kind of problem (docs/api.md).
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

/// A webhook endpoint (docs/webhooks.md); never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    #[schema(example = "https://erp.example.ir/hooks/ersal")]
    pub url: String,
    /// The events it receives.
    #[schema(example = json!(["shipment.booked", "shipment.status_changed"]))]
    pub events: Vec<String>,
    /// Whether its payloads carry the two sides' details.
    pub personal: bool,
    /// Whether it is on: an endpoint failing for a day is turned off.
    pub enabled: bool,
    /// Since when every try failed (Unix seconds), while none has succeeded since.
    pub failing_since: Option<i64>,
    /// Why it was turned off.
    pub disabled_reason: Option<String>,
    pub created_at: i64,
}

/// Every endpoint, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpoints {
    pub endpoints: Vec<WebhookEndpoint>,
}

/// An endpoint to register: an `https` URL on a public address, and its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    pub url: String,
    /// One or more of `shipment.created`, `shipment.booked`, `shipment.status_changed`,
    /// `shipment.cancelled`, `support.message_received`.
    pub events: Vec<String>,
    /// Send the two sides' details too (the token needs `personal:read`).
    #[serde(default)]
    pub personal: bool,
}

/// A signing secret (`whsec_…`), shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookSecret {
    pub endpoint: WebhookEndpoint,
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}
