//! The webhook receivers' inboxes ([`crate::receiver`] serves them): each receiver's settings
//! and the deliveries it got, oldest first.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The most deliveries a receiver keeps; the oldest go first.
pub const INBOX_CAPACITY: usize = 500;

/// Tells deliveries apart across receivers, deletions and resets, so a slow answer finishing
/// late marks only the delivery it belongs to.
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// How a receiver answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// 200, or 401 when a secret is set and the signature does not verify.
    #[default]
    Ok,
    /// The configured status.
    Fail,
    /// As `ok`, after the configured delay.
    Slow,
    /// Never: the request is held open until the caller goes away.
    Silent,
}

/// A receiver's configuration. Its secrets are never shown.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Standard Webhooks secrets (`whsec_…`); a delivery verifies under any one of them.
    pub secrets: Vec<String>,
    pub mode: Mode,
    /// What `fail` answers (400–599).
    pub status: u16,
    /// How long `slow` waits.
    pub delay_ms: u64,
    /// How many of the next deliveries `mode` holds for before it turns back to `ok`; `None`
    /// for all of them.
    pub count: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            mode: Mode::Ok,
            status: 500,
            delay_ms: 5000,
            count: None,
        }
    }
}

/// One request a receiver got.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    #[serde(skip)]
    key: u64,
    /// Per receiver, from 1.
    pub seq: u64,
    /// The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers as sent.
    pub id: Option<String>,
    pub timestamp: Option<String>,
    pub signature: Option<String>,
    /// The raw body (not UTF-8 is replaced).
    pub body: String,
    /// Whether the signature verified; `None` when the receiver has no secret.
    pub verified: Option<bool>,
    /// Sandbox time, in milliseconds since the epoch.
    pub at_ms: i64,
    /// The status the receiver answered, `None` until (unless) it answers.
    pub answered: Option<u16>,
}

impl Delivery {
    pub fn new(
        headers: [Option<String>; 3],
        body: String,
        verified: Option<bool>,
        at_ms: i64,
    ) -> Self {
        let [id, timestamp, signature] = headers;
        Self {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            seq: 0,
            id,
            timestamp,
            signature,
            body,
            verified,
            at_ms,
            answered: None,
        }
    }
}

/// A receiver: its settings and its deliveries.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    pub settings: Settings,
    pub deliveries: VecDeque<Delivery>,
    last_seq: u64,
}

impl Inbox {
    /// Keeps `delivery` (numbered next, dropping the oldest when full) and returns its key for
    /// [`Inbox::answered`].
    pub fn record(&mut self, mut delivery: Delivery) -> u64 {
        self.last_seq += 1;
        delivery.seq = self.last_seq;
        if self.deliveries.len() == INBOX_CAPACITY {
            self.deliveries.pop_front();
        }
        let key = delivery.key;
        self.deliveries.push_back(delivery);
        key
    }

    /// Notes the status the delivery under `key` was answered with, if it is still kept.
    pub fn answered(&mut self, key: u64, status: u16) {
        if let Some(delivery) = self.deliveries.iter_mut().find(|d| d.key == key) {
            delivery.answered = Some(status);
        }
    }

    /// The mode the next delivery is answered in, taking one of its `count`.
    pub fn take_mode(&mut self) -> Mode {
        let mode = self.settings.mode;
        if let Some(left) = self.settings.count.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.settings.mode = Mode::Ok;
                self.settings.count = None;
            }
        }
        mode
    }
}
