//! The shipments: creating a shipment from a finished draft, reading it with its
//! timeline, and moving it through the status machine. Names, phones and addresses are sealed,
//! bound to the shipment's code.
//!
//! * this module: one shipment's rows, created and changed in single transactions together with
//!   their events, chat messages and audit entries;
//! * [`list`]: the console's filtered list and counts;
//! * [`retention`]: the rows the time-driven jobs read and purge.

pub mod list;
pub mod retention;
mod rows;

use domain::code::TrackingCode;
use domain::handover::{Proof, Step};
use domain::shipment::{Item, Party, Payer, PickupWindow, Role};
use domain::status::{Actor, Status};
use domain::tariff::Service;
use domain::values::Rials;
use domain::webhook;
use kenar::{ConversationId, PostToken, UserSide};
use serde::{Deserialize, Serialize};

use crate::crypto::Keys;
use crate::db::{Db, Tx};
use crate::drafts;
use crate::operators;
use crate::outbox::{self, Announcement};
use crate::StoreError;
use crate::{on_db, on_tx};

/// Both sides' personal details; the other side's is `None` until they fill it in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Parties {
    pub sender: Option<Party>,
    pub receiver: Option<Party>,
}

impl Parties {
    /// Only `role`'s side.
    pub fn one(role: Role, party: Party) -> Self {
        let mut parties = Self::default();
        parties.set(role, party);
        parties
    }

    pub fn set(&mut self, role: Role, party: Party) {
        match role {
            Role::Sender => self.sender = Some(party),
            Role::Receiver => self.receiver = Some(party),
        }
    }
}

/// What a shipment is about: who opened it from which chat, the item, the route, the service,
/// the price and both sides' details. A new shipment is one; a stored one carries its current
/// one beside its code, status and history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub landing: String,
    pub conversation_id: Option<ConversationId>,
    pub post_token: Option<PostToken>,
    pub opener_role: Role,
    /// The opener's side of the chat, as Divar said it (buyer or seller): who of the chat's
    /// two sides holds which handover code.
    pub opener_side: Option<UserSide>,
    pub item: Item,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub service: Service,
    pub payer: Payer,
    pub quote_total: Rials,
    pub parties: Parties,
    /// Started from Divar's direct link, not from a session Divar opened: nobody vouched for
    /// the user (the console marks it).
    pub direct_link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub status: Status,
    pub actor: Actor,
    pub at: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub id: TrackingCode,
    pub status: Status,
    pub order: Order,
    pub purged: bool,
    /// The courier pickup the company scheduled (day, Tehran days since the epoch; window).
    pub pickup: Option<(i64, PickupWindow)>,
    pub events: Vec<Event>,
}

/// Why a status change did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    /// The status machine does not allow it (now), for this actor.
    Forbidden {
        from: Status,
        to: Status,
    },
}

/// The outcome of a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Done,
    Refused(Refusal),
}

/// A new tracking code from the operating system's randomness.
fn new_code() -> TrackingCode {
    TrackingCode::from_random(rand::random())
}

/// Records a status event, and queues the webhook it raises for the endpoints that want it.
async fn record_event(
    tx: &mut Tx,
    id: &TrackingCode,
    status: Status,
    actor: Actor,
    note: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into shipment_events (shipment_id, status, actor, at, note)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_str())
        .bind(status.key())
        .bind(actor.key())
        .bind(now)
        .bind(note)
        .execute(conn)
        .await?;
    });
    if let Some(event) = webhook::Event::of_status(status) {
        let data = serde_json::to_value(webhook::ShipmentData::new(id.as_str(), status, actor))?;
        crate::webhooks::enqueue(tx, event, id.as_str(), &data, now).await?;
    }
    Ok(())
}

/// Stores a submitted shipment (Draft → AwaitingCounterparty, both recorded), queues the chat
/// message `message` composes for its code, and removes the landing session's draft — in one
/// transaction. Returns the tracking code, or `None` when the landing session has a shipment
/// already: another request (a second tap, another instance) saved it first, and
/// [`of_landing`] finds that one. `shipments.landing_digest` is unique: a concurrent second
/// insert waits for the first to commit, then inserts nothing.
pub async fn create(
    db: &Db,
    keys: &Keys,
    new: &Order,
    message: impl FnOnce(&TrackingCode) -> Option<Announcement>,
    now: i64,
) -> Result<Option<TrackingCode>, StoreError> {
    let id = new_code();
    let parties = serde_json::to_vec(&new.parties)?;
    let mut tx = db.begin().await?;
    let sealed = keys.seal(&parties, id.as_str().as_bytes());
    if !rows::insert(&mut tx, &id, new, sealed, now).await? {
        return Ok(None);
    }
    for status in [Status::Draft, Status::AwaitingCounterparty] {
        record_event(&mut tx, &id, status, Actor::Opener, None, now).await?;
    }
    if let Some(message) = message(&id) {
        outbox::enqueue_announcement(&mut tx, &id, &message, now).await?;
    }
    drafts::delete(&mut tx, &new.landing).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// What the other side adds: their details, and the route and price made final by their city.
pub struct Completion {
    pub parties: Parties,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub total: Rials,
}

/// The other side's details arrived (from the draft of landing session `landing`) and they
/// confirmed: the shipment goes AwaitingCounterparty →
/// AwaitingConfirmation → Booked (both recorded, by the counterparty) with the final route and
/// price, and the "booked" message is queued — in one transaction, and only if the shipment is
/// still waiting for them.
pub async fn complete_counterparty(
    db: &Db,
    keys: &Keys,
    shipment: &Shipment,
    completion: &Completion,
    landing: &str,
    message: Option<Announcement>,
    now: i64,
) -> Result<Changed, StoreError> {
    let refused = Changed::Refused(Refusal::Forbidden {
        from: shipment.status,
        to: Status::Booked,
    });
    let actor = Actor::Counterparty;
    if !(shipment
        .status
        .can_become(Status::AwaitingConfirmation, actor)
        && Status::AwaitingConfirmation.can_become(Status::Booked, actor))
    {
        return Ok(refused);
    }
    let parties = serde_json::to_vec(&completion.parties)?;
    let mut tx = db.begin().await?;
    let sealed = keys.seal(&parties, shipment.id.as_str().as_bytes());
    if !rows::complete(&mut tx, shipment, completion, sealed, now).await? {
        return Ok(refused);
    }
    for status in [Status::AwaitingConfirmation, Status::Booked] {
        record_event(&mut tx, &shipment.id, status, actor, None, now).await?;
    }
    if let Some(message) = message {
        outbox::enqueue_announcement(&mut tx, &shipment.id, &message, now).await?;
    }
    // Their details are in the shipment now: the draft has served.
    drafts::delete(&mut tx, landing).await?;
    tx.commit().await?;
    Ok(Changed::Done)
}

/// The shipment a code typed or sent by a browser names, if it is a code and the shipment exists.
pub async fn find(db: &Db, keys: &Keys, code: &str) -> Result<Option<Shipment>, StoreError> {
    match TrackingCode::parse(code) {
        Some(code) => get(db, keys, &code).await,
        None => Ok(None),
    }
}

/// A shipment with its timeline, oldest event first.
pub async fn get(db: &Db, keys: &Keys, id: &TrackingCode) -> Result<Option<Shipment>, StoreError> {
    rows::read(db, keys, id).await
}

/// The conversation a shipment belongs to (`None` when unknown, or started outside a chat).
pub async fn conversation_of(
    db: &Db,
    id: &TrackingCode,
) -> Result<Option<ConversationId>, StoreError> {
    let found: Option<Option<String>> = on_db!(db, pool => {
        sqlx::query_scalar("select conversation_id from shipments where id = $1")
            .bind(id.as_str())
            .fetch_optional(pool)
            .await?
    });
    crate::error::conversation(found.flatten())
}

/// The shipment landing session `landing` (its id digest) submitted, if it did.
pub async fn of_landing(db: &Db, landing: &str) -> Result<Option<TrackingCode>, StoreError> {
    let found: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar("select id from shipments where landing_digest = $1")
            .bind(landing)
            .fetch_optional(pool)
            .await?
    });
    Ok(found.as_deref().and_then(TrackingCode::parse))
}

/// A status change: who makes it, an optional note (a cancellation reason, a failure), a pickup
/// appointment when one is set, the chat message announcing it, and the operator to audit.
pub struct Change {
    pub to: Status,
    pub actor: Actor,
    pub note: Option<String>,
    pub pickup: Option<(i64, PickupWindow)>,
    pub message: Option<Announcement>,
    /// Who of the company made it (an operator, an API token), for the audit trail.
    pub by: Option<By>,
    /// How a handover (picked up, delivered) was proved; `None` there means without its code.
    pub proof: Option<Proof>,
}

/// Who of the shipping company's side made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// An operator in the console (their id).
    Operator(i64),
    /// The company's own system, by an API token (its id).
    Token(i64),
}

impl Change {
    pub fn to(to: Status, actor: Actor) -> Self {
        Self {
            to,
            actor,
            note: None,
            pickup: None,
            message: None,
            by: None,
            proof: None,
        }
    }
}

/// Moves a shipment as `change` says, if the status machine allows its actor to, recording the
/// event, queueing the chat message, auditing the operator and using up or renewing a handover
/// code in the same transaction. The
/// status check and the update are one statement, so concurrent changes cannot both win.
/// Features move shipments through `chat::tokens::transition` (the server's), which then drops
/// an ended shipment's chat permission.
pub async fn transition(
    db: &Db,
    id: &TrackingCode,
    change: Change,
    now: i64,
) -> Result<Changed, StoreError> {
    let Change {
        to,
        actor,
        note,
        pickup,
        message,
        by,
        proof,
    } = change;
    let mut tx = db.begin().await?;
    let Some(from) = rows::status(&mut tx, id).await? else {
        return Ok(Changed::Refused(Refusal::NotFound));
    };
    if !from.can_become(to, actor) || !rows::set_status(&mut tx, id, from, to, pickup, now).await? {
        return Ok(Changed::Refused(Refusal::Forbidden { from, to }));
    }
    record_event(&mut tx, id, to, actor, note.as_deref(), now).await?;
    if let Some(step) = Step::of(to) {
        let proof = proof.unwrap_or(Proof::Operator);
        crate::handover::record(&mut tx, id, step, proof, now).await?;
    }
    if let Some(step) = Step::rotated_by(from, to) {
        crate::handover::rotate(&mut tx, id, step).await?;
    }
    if let Some(message) = message {
        outbox::enqueue_announcement(&mut tx, id, &message, now).await?;
    }
    if let Some(by) = by {
        let what = match &note {
            Some(note) => format!("از «{}» به «{}» ({note})", from.label(), to.label()),
            None => format!("از «{}» به «{}»", from.label(), to.label()),
        };
        match by {
            By::Operator(operator) => operators::audit(&mut tx, id, operator, &what, now).await?,
            By::Token(token) => crate::api::audit(&mut tx, id, token, &what, now).await?,
        }
    }
    tx.commit().await?;
    Ok(Changed::Done)
}
