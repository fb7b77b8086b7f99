//! The sandbox's in-memory world: demo posts, users and conversations, the messages apps
//! posted, OAuth grants, injected faults, a controllable clock, the journal and the webhook
//! receivers' inboxes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::SandboxConfig;
use crate::inbox::Inbox;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub token: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub category: &'static str,
    pub city: &'static str,
    pub city_name: &'static str,
    pub district: &'static str,
    /// Tomans.
    pub price: u64,
    pub seller: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    pub id: &'static str,
    pub post: &'static str,
    pub buyer: &'static str,
}

pub const USERS: [User; 9] = [
    User {
        id: "sUq0b3Kx9mVtYr2fPz4aLd8eNw6cHj1gQo5iTs7uBk=",
        name: "مریم رضایی",
        phone: "09121234567",
    },
    User {
        id: "bA7kQ2wE9rT4yU1iO8pL3sD6fG0hJ5kZ2xC7vB4nM=",
        name: "علی محمدی",
        phone: "09351234567",
    },
    User {
        id: "sR4eT7yU0iO3pA6sD9fG2hJ5kL8zX1cV4bN7mQ0w=",
        name: "رضا کریمی",
        phone: "09131234567",
    },
    User {
        id: "bZ1xC4vB7nM0qW3eR6tY9uI2oP5aS8dF1gH4jK7l=",
        name: "سارا احمدی",
        phone: "09171234567",
    },
    User {
        id: "sP9oI6uY3tR0eW7qA4sD1fG8hJ5kL2zX9cV6bN3m=",
        name: "حسین نوری",
        phone: "09151234567",
    },
    User {
        id: "bM2nB5vC8xZ1lK4jH7gF0dS3aQ6wE9rT2yU5iO8p=",
        name: "نگار صادقی",
        phone: "09191234567",
    },
    User {
        id: "bK8jH5gF2dS9aQ6wE3rT0yU7iO4pL1zX8cV5bN2mW=",
        name: "مهدی کاظمی",
        phone: "09361234567",
    },
    User {
        id: "bE4rT1yU8iO5pA2sD9fG6hJ3kL0zX7cV4bN1mQ8wZ=",
        name: "زهرا موسوی",
        phone: "09381234567",
    },
    User {
        id: "bY6uI3oP0aS7dF4gH1jK8lZ5xC2vB9nM6qW3eR0tA=",
        name: "امیر حسینی",
        phone: "09391234567",
    },
];

pub const POSTS: [Post; 3] = [
    Post {
        token: "QpR7x2Lm",
        title: "گوشی سامسونگ A54 در حد نو",
        description: "با جعبه و شارژر، بدون خط و خش.",
        category: "mobile-phones",
        city: "tehran",
        city_name: "تهران",
        district: "ونک",
        price: 18_500_000,
        seller: USERS[0].id,
    },
    Post {
        token: "Xk29LmPq",
        title: "مبل راحتی سه‌نفره",
        description: "پارچه‌ای، رنگ طوسی، کم‌کار.",
        category: "furniture-and-home-decore",
        city: "isfahan",
        city_name: "اصفهان",
        district: "جلفا",
        price: 9_000_000,
        seller: USERS[2].id,
    },
    Post {
        token: "Tb83NcVw",
        title: "دوچرخهٔ کوهستان سایز ۲۶",
        description: "دنده‌ای، ترمز دیسکی.",
        category: "bicycle",
        city: "shiraz",
        city_name: "شیراز",
        district: "معالی‌آباد",
        price: 6_200_000,
        seller: USERS[4].id,
    },
];

pub const CONVERSATIONS: [Conversation; 8] = [
    Conversation {
        id: "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10",
        post: "QpR7x2Lm",
        buyer: USERS[1].id,
    },
    Conversation {
        id: "7a1c9e52-3b6d-4f80-a2c4-5e9b1d7f3a60",
        post: "Xk29LmPq",
        buyer: USERS[3].id,
    },
    Conversation {
        id: "c4e8a2f6-9d1b-4c73-b5e0-2f6a8d4c1e97",
        post: "Tb83NcVw",
        buyer: USERS[5].id,
    },
    // Five more buyers of the first post: a seller hears from several chats at once.
    Conversation {
        id: "5b2e9d41-7c3a-4f18-9e6d-0a8c3f5b7d22",
        post: "QpR7x2Lm",
        buyer: USERS[3].id,
    },
    Conversation {
        id: "e91f4c7a-2d58-4b3e-a6f0-7c1d9e2b5a84",
        post: "QpR7x2Lm",
        buyer: USERS[5].id,
    },
    Conversation {
        id: "3f7a1c9e-5b2d-4e86-8a40-d6c2e9f1b735",
        post: "QpR7x2Lm",
        buyer: USERS[6].id,
    },
    Conversation {
        id: "a84d2f6b-1e9c-4b57-93f0-2c7e5a1d8b46",
        post: "QpR7x2Lm",
        buyer: USERS[7].id,
    },
    Conversation {
        id: "6c1b8e3d-9f4a-4d20-b7e5-8a3f0c6d2e19",
        post: "QpR7x2Lm",
        buyer: USERS[8].id,
    },
];

pub fn user(id: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.id == id)
}

pub fn post(token: &str) -> Option<&'static Post> {
    POSTS.iter().find(|p| p.token == token)
}

pub fn conversation(id: &str) -> Option<&'static Conversation> {
    CONVERSATIONS.iter().find(|c| c.id == id)
}

/// Which side of a conversation someone looks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buyer,
    Seller,
}

impl Side {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "buyer" => Some(Self::Buyer),
            "seller" => Some(Self::Seller),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
        }
    }

    /// The user on this side of `conversation`.
    pub fn user_in(self, conversation: &Conversation) -> &'static str {
        match self {
            Self::Buyer => conversation.buyer,
            Self::Seller => post(conversation.post).map_or("", |p| p.seller),
        }
    }
}

/// A message in a chat: an app's, posted through the open-platform API, or a person's.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: u64,
    pub conversation: String,
    pub sender: String,
    pub text: String,
    pub sender_buttons: Value,
    pub receiver_buttons: Value,
    pub at: i64,
    /// Sent by an app through the API (else written by the person in the chat).
    pub from_app: bool,
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub struct Code {
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// The PKCE challenge the authorization request carried, if any.
    pub code_challenge: Option<String>,
    pub user: String,
    pub expires_at: i64,
    pub used: bool,
    /// Access tokens issued for this code (revoked if the code is replayed).
    pub issued: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub scopes: Vec<String>,
    pub user: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub scopes: Vec<String>,
    pub user: String,
    /// Set when rotated: the old token keeps working until then (2-minute grace).
    pub valid_until: Option<i64>,
    pub access: String,
}

/// A consent screen waiting for the user's decision.
#[derive(Debug, Clone)]
pub struct Consent {
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: String,
    pub code_challenge: Option<String>,
}

/// A subscription the app made to a post's chat messages: the post it covers, and the access
/// token it lasts as long as.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub post: String,
    pub access_token: String,
}

/// A message in a conversation with the app's bot: the user's, or the bot's (sent through the
/// chatbot API, with its buttons).
#[derive(Debug, Clone, Serialize)]
pub struct BotLine {
    pub id: u64,
    pub conversation: String,
    pub from_user: bool,
    pub text: String,
    pub buttons: Value,
    pub at: i64,
}

/// One request the sandbox received or sent, with secrets masked.
#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub id: u64,
    pub at: i64,
    /// `in` (received) or `out` (sent by the sandbox).
    pub direction: &'static str,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub response: Value,
}

pub const JOURNAL_CAPACITY: usize = 2000;

/// What the next call to the target does instead of its normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 412 with `code` 9 (the recipient restricts delivery); the token endpoint's 500.
    Restricted,
    /// 429 rate limit, with `Retry-After: 1` from the open-platform API.
    RateLimited,
    /// 500.
    ServerError,
    /// Answers normally after `delay_ms`.
    Slow,
    /// Does the call's work at once (posts the message, issues the token), then answers only
    /// after `delay_ms`: Divar did its work and the answer is late (or never reaches a caller
    /// that died meanwhile).
    SlowAnswer,
    /// Closes the connection without an answer.
    Drop,
}

/// A Divar endpoint the sandbox plays, as faults aim at it ([`crate::faults`] routes each one
/// behind the faults aimed at it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    SendMessage,
    BotMessage,
    Token,
    GetPost,
    GetUser,
    AddonCreate,
    AddonDelete,
}

impl FaultTarget {
    pub const ALL: [Self; 7] = [
        Self::SendMessage,
        Self::BotMessage,
        Self::Token,
        Self::GetPost,
        Self::GetUser,
        Self::AddonCreate,
        Self::AddonDelete,
    ];

    /// Its name on the journal page's fault form.
    pub fn label(self) -> &'static str {
        match self {
            Self::SendMessage => "ارسال پیام",
            Self::BotMessage => "پیام بات",
            Self::Token => "توکن OAuth",
            Self::GetPost => "دریافت آگهی",
            Self::GetUser => "دریافت کاربر",
            Self::AddonCreate => "ساخت افزونهٔ آگهی",
            Self::AddonDelete => "حذف افزونهٔ آگهی",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub target: FaultTarget,
    pub kind: FaultKind,
    pub remaining: u32,
    pub delay_ms: u64,
}

#[derive(Default)]
pub struct World {
    pub messages: Vec<Message>,
    pub consents: HashMap<String, Consent>,
    pub codes: HashMap<String, Code>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    pub faults: Vec<Fault>,
    pub duplicate_inits: u32,
    pub bot: Vec<BotLine>,
    /// How many of the next bot messages are delivered to the events URL twice.
    pub duplicate_events: u32,
    /// What the app answered to a dynamic-action button, shown once on the bot page.
    pub bot_notices: HashMap<String, String>,
    /// The app's widgets on each post (the create body's `widgets`), by post token.
    pub addons: HashMap<String, Value>,
    /// The app's subscriptions to a post's chat messages.
    pub subscriptions: Vec<Subscription>,
    /// Posts sold since the sandbox started: get-post no longer finds them.
    pub sold: std::collections::HashSet<String>,
    /// The webhook receivers ([`crate::receiver`]), by name.
    pub inboxes: HashMap<String, Inbox>,
    pub clock_offset: i64,
    pub journal: VecDeque<JournalEntry>,
    pub next_id: u64,
}

impl World {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn record(&mut self, mut entry: JournalEntry) {
        entry.id = self.next_id();
        if self.journal.len() == JOURNAL_CAPACITY {
            self.journal.pop_front();
        }
        self.journal.push_back(entry);
    }

    /// Takes one use of the first fault aimed at `target`, if any.
    pub fn take_fault(&mut self, target: FaultTarget) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| f.target == target && f.remaining > 0)?;
        let fault = self.faults[index].clone();
        self.faults[index].remaining -= 1;
        if self.faults[index].remaining == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub struct Sandbox {
    pub config: Arc<SandboxConfig>,
    world: Arc<Mutex<World>>,
    pub http: reqwest::Client,
    /// When this sandbox started (Unix seconds): part of the ids it gives messages, so that a
    /// restarted sandbox never repeats one to an app that kept its events.
    pub started: u64,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Self {
        Self {
            config: Arc::new(config),
            world: Arc::new(Mutex::new(World::default())),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client"),
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs()),
        }
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Seconds since the epoch, moved by the control API's clock offset.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        i64::try_from(real).unwrap_or(i64::MAX) + self.world().clock_offset
    }

    /// Milliseconds since the epoch, moved by the control API's clock offset.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let offset = self.world().clock_offset.saturating_mul(1000);
        i64::try_from(real)
            .unwrap_or(i64::MAX)
            .saturating_add(offset)
    }
}
