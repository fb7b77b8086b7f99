//! The sessions repository: landing sessions (created by Divar's init call) and the browser
//! sessions they are exchanged for.
//!
//! Lifecycle: `create_landing` → (user opens `/l/{id}`) `redeem` → cookie → `current` on each
//! page. Identifiers are stored as digests; Divar user ids and custom data are sealed.
//!
//! A landing id is self-contained ([`sealed`]) unless its context is too large for a URL; then
//! it is a random token and the landing session is stored at init.

pub mod link_keys;
pub mod sealed;

use kenar::{ConversationId, InitRequest, Location, PostToken, Source, UserSide};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto::{self, Keys};
use crate::db::{Db, Tx};
use crate::StoreError;
use crate::{on_db, on_tx};
use link_keys::LinkKeys;

/// A landing session as read back for the pages: its stored id and what it knows.
#[derive(Debug, Clone, PartialEq)]
pub struct LandingSession {
    /// The stored id (the digest of the landing id), which drafts and shipments refer to.
    pub id: String,
    pub landing: Landing,
}

/// The parts of an init request that identify people, sealed at rest. What is absent is not
/// written (it lengthens self-contained ids), and reads back as absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrivateContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_id: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub extra_data: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<(f64, f64)>,
}

/// What a landing session knows: where the user came from and where they go back to.
#[derive(Debug, Clone, PartialEq)]
pub struct Landing {
    pub api_version: Option<u8>,
    pub source: Source,
    pub post_token: Option<PostToken>,
    pub conversation_id: Option<ConversationId>,
    pub user_side: Option<UserSide>,
    pub private: PrivateContext,
    pub return_target: String,
}

impl Landing {
    /// The permission to post in the conversation this session came from, if it came from
    /// one (its id was checked at init).
    pub fn conversation_grant(&self) -> Option<kenar::Grant> {
        let id = self.conversation_id.clone()?;
        Some(kenar::Grant::Conversation(id))
    }

    /// Everything a validated init request carried, with its resolved return target.
    pub fn from_init(req: &InitRequest, return_target: String) -> Self {
        let id = |v: &Option<kenar::DivarUserId>| v.as_ref().map(|id| id.as_str().to_owned());
        Self {
            api_version: Some(req.version.number()),
            source: req.source.clone(),
            post_token: req.post_token.clone(),
            conversation_id: req.conversation_id.clone(),
            user_side: req.user_side,
            private: PrivateContext {
                user_id: id(&req.user_id),
                peer_id: id(&req.peer_id),
                supplier_id: id(&req.supplier_id),
                demand_id: id(&req.demand_id),
                extra_data: req.extra_data.clone(),
                location: req.location.map(
                    |Location {
                         latitude,
                         longitude,
                     }| (latitude, longitude),
                ),
            },
            return_target,
        }
    }

    /// A session opened from the Fallback URL: only a post token hint, no Divar context.
    pub fn fallback(post_token: Option<PostToken>, return_target: String) -> Self {
        Self {
            api_version: None,
            source: Source::Fallback,
            post_token,
            conversation_id: None,
            user_side: None,
            private: PrivateContext::default(),
            return_target,
        }
    }
}

/// The outcome of opening a landing id.
#[derive(Debug)]
pub enum Redeemed {
    /// A fresh browser session; the token goes into the cookie.
    Session {
        cookie_token: String,
    },
    /// The id exists but was already used or has expired.
    Spent {
        return_target: String,
    },
    Unknown,
}

/// The one-time landing id to hand out for `landing`: self-contained when it fits in a URL
/// (nothing is written), else a random token whose landing session is stored now.
pub async fn create_landing(
    db: &Db,
    link_keys: &LinkKeys,
    keys: &Keys,
    landing: &Landing,
    now: i64,
    ttl_secs: i64,
) -> Result<String, StoreError> {
    let (period, key) = link_keys.current(keys, now).await?;
    if let Some(id) = sealed::seal((period, &key), landing, now, now + ttl_secs) {
        return Ok(id);
    }
    let token = crypto::random_token();
    let row = LandingRow::new(
        keys,
        landing,
        crypto::token_digest(&token),
        now,
        now + ttl_secs,
    );
    let mut tx = db.begin().await?;
    store(&mut tx, &row, None).await?;
    tx.commit().await?;
    Ok(token)
}

/// A landing session's row: its context, the Divar user ids sealed, bound to its digest.
struct LandingRow {
    digest: String,
    api_version: Option<i64>,
    source: String,
    post_token: Option<String>,
    conversation_id: Option<String>,
    user_side: Option<&'static str>,
    private_sealed: Vec<u8>,
    return_target: String,
    created_at: i64,
    expires_at: i64,
}

impl LandingRow {
    fn new(
        keys: &Keys,
        landing: &Landing,
        digest: String,
        created_at: i64,
        expires_at: i64,
    ) -> Self {
        let private =
            serde_json::to_vec(&landing.private).expect("PrivateContext always serialises");
        Self {
            private_sealed: keys.seal(&private, digest.as_bytes()),
            digest,
            api_version: landing.api_version.map(i64::from),
            source: landing.source.as_str().to_owned(),
            post_token: landing.post_token.as_ref().map(|p| p.as_str().to_owned()),
            conversation_id: landing
                .conversation_id
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            user_side: landing.user_side.map(UserSide::as_str),
            return_target: landing.return_target.clone(),
            created_at,
            expires_at,
        }
    }
}

/// Stores a landing session, already used at `used_at` when it is stored as it is opened;
/// `false` when it was stored already.
async fn store(tx: &mut Tx, row: &LandingRow, used_at: Option<i64>) -> Result<bool, StoreError> {
    let stored = on_tx!(tx, conn => {
        sqlx::query(
            "insert into landing_sessions
               (id_digest, api_version, source, post_token, conversation_id, user_side,
                private_sealed, return_target, created_at, expires_at, used_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             on conflict (id_digest) do nothing",
        )
        .bind(&row.digest)
        .bind(row.api_version)
        .bind(&row.source)
        .bind(&row.post_token)
        .bind(&row.conversation_id)
        .bind(row.user_side)
        .bind(&row.private_sealed)
        .bind(&row.return_target)
        .bind(row.created_at)
        .bind(row.expires_at)
        .bind(used_at)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(stored == 1)
}

/// Exchanges a landing id for a new browser session, once, before it expires. The check and
/// the write are one statement, so two concurrent openings cannot both succeed.
pub async fn redeem(
    db: &Db,
    link_keys: &LinkKeys,
    keys: &Keys,
    landing_token: &str,
    now: i64,
) -> Result<Redeemed, StoreError> {
    let digest = crypto::token_digest(landing_token);
    if sealed::is_shaped(landing_token) {
        return match sealed::parse(landing_token) {
            Some(id) => redeem_sealed(db, (link_keys, keys), id, digest, now).await,
            None => Ok(Redeemed::Unknown),
        };
    }
    let mut tx = db.begin().await?;
    let claimed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "update landing_sessions set used_at = $1
             where id_digest = $2 and used_at is null and expires_at > $1",
        )
        .bind(now)
        .bind(&digest)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1
    });
    if !claimed {
        let target: Option<String> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar("select return_target from landing_sessions where id_digest = $1")
                .bind(&digest)
                .fetch_optional(conn)
                .await?
        });
        tx.rollback().await?;
        return Ok(match target {
            Some(return_target) => Redeemed::Spent { return_target },
            None => Redeemed::Unknown,
        });
    }
    start_browser_session(tx, &digest, now).await
}

/// Opens a self-contained id: its landing session is stored now, already used, so that a
/// second opening finds it (the row stays at least until the id expires, see
/// [`crate::housekeeping`]).
async fn redeem_sealed(
    db: &Db,
    (link_keys, keys): (&LinkKeys, &Keys),
    id: sealed::SealedId,
    digest: String,
    now: i64,
) -> Result<Redeemed, StoreError> {
    // A key that is gone sealed only ids that have expired.
    let Some(key) = link_keys.of(keys, id.period, now).await? else {
        return Ok(Redeemed::Unknown);
    };
    let Some(opened) = id.open(&key) else {
        return Ok(Redeemed::Unknown);
    };
    let return_target = opened.landing.return_target.clone();
    if opened.expires_at <= now {
        return Ok(Redeemed::Spent { return_target });
    }
    let row = LandingRow::new(
        keys,
        &opened.landing,
        digest,
        opened.created_at,
        opened.expires_at,
    );
    let mut tx = db.begin().await?;
    let stored = store(&mut tx, &row, Some(now)).await?;
    if !stored {
        tx.rollback().await?;
        return Ok(Redeemed::Spent { return_target });
    }
    start_browser_session(tx, &row.digest, now).await
}

/// Creates the browser session of landing session `digest` in `tx` and commits.
async fn start_browser_session(mut tx: Tx, digest: &str, now: i64) -> Result<Redeemed, StoreError> {
    let cookie_token = crypto::random_token();
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "insert into browser_sessions (id_digest, landing_digest, created_at, last_seen_at)
             values ($1, $2, $3, $3)",
        )
        .bind(crypto::token_digest(&cookie_token))
        .bind(digest)
        .bind(now)
        .execute(conn)
        .await?;
    });
    tx.commit().await?;
    Ok(Redeemed::Session { cookie_token })
}

/// Whether the browser session `cookie_token` was created from the landing id `landing_token`
/// (a reload of `/l/{id}` in the same webview) and is still alive.
pub async fn belongs_to(
    db: &Db,
    cookie_token: &str,
    landing_token: &str,
    now: i64,
    idle_secs: i64,
) -> Result<bool, StoreError> {
    let found: Option<bool> = on_db!(db, pool => {
        sqlx::query_scalar(
            "select true from browser_sessions
             where id_digest = $1 and landing_digest = $2 and last_seen_at > $3",
        )
        .bind(crypto::token_digest(cookie_token))
        .bind(crypto::token_digest(landing_token))
        .bind(now - idle_secs)
        .fetch_optional(pool)
        .await?
    });
    Ok(found.is_some())
}

/// A browser session ends this long after it began, however active.
pub const MAX_SECS: i64 = 12 * 3600;

/// A landing session's row as the pages read it.
#[derive(sqlx::FromRow)]
struct StoredLanding {
    api_version: Option<i64>,
    source: String,
    post_token: Option<String>,
    conversation_id: Option<String>,
    user_side: Option<String>,
    private_sealed: Vec<u8>,
    return_target: String,
}

/// The landing session behind a browser cookie, if the session has been active within
/// `idle_secs` and began less than [`MAX_SECS`] ago; each call counts as activity.
pub async fn current(
    db: &Db,
    keys: &Keys,
    cookie_token: &str,
    now: i64,
    idle_secs: i64,
) -> Result<Option<LandingSession>, StoreError> {
    let landing: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar(
            "update browser_sessions set last_seen_at = $1
             where id_digest = $2 and last_seen_at > $3 and created_at > $4
             returning landing_digest",
        )
        .bind(now)
        .bind(crypto::token_digest(cookie_token))
        .bind(now - idle_secs)
        .bind(now - MAX_SECS)
        .fetch_optional(pool)
        .await?
    });
    let Some(landing) = landing else {
        return Ok(None);
    };
    let row: StoredLanding = on_db!(db, pool => {
        sqlx::query_as(
            "select api_version, source, post_token, conversation_id, user_side, private_sealed,
                    return_target
             from landing_sessions where id_digest = $1",
        )
        .bind(&landing)
        .fetch_one(pool)
        .await?
    });
    // A decoding error could quote personal data: it is replaced by a fixed sentence.
    let private = serde_json::from_slice(&keys.open(&row.private_sealed, landing.as_bytes())?)
        .map_err(|_| StoreError::Broken("a landing session's sealed context does not decode"))?;
    Ok(Some(LandingSession {
        id: landing,
        landing: Landing {
            api_version: row.api_version.and_then(|v| u8::try_from(v).ok()),
            source: Source::from_key(&row.source),
            post_token: crate::error::post(row.post_token)?,
            conversation_id: crate::error::conversation(row.conversation_id)?,
            user_side: row.user_side.as_deref().and_then(UserSide::from_divar),
            private,
            return_target: row.return_target,
        },
    }))
}

/// The landing sessions opened in `conversation` by a button of one of our chat messages
/// (`CHAT_MESSAGE_ACTION`): each one's id and the button data Divar echoed (for the retention
/// purge, which deletes those of a purged shipment). Rows that no longer open are skipped.
pub async fn opened_by_buttons(
    db: &Db,
    keys: &Keys,
    conversation: &ConversationId,
) -> Result<Vec<(String, Map<String, Value>)>, StoreError> {
    let rows: Vec<(String, Vec<u8>)> = on_db!(db, pool => {
        sqlx::query_as(
            "select id_digest, private_sealed from landing_sessions
             where conversation_id = $1 and source = $2",
        )
        .bind(conversation.as_str())
        .bind(Source::ChatMessageAction.as_str())
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(id, sealed)| {
            let plain = keys.open(&sealed, id.as_bytes()).ok()?;
            let private: PrivateContext = serde_json::from_slice(&plain).ok()?;
            Some((id, private.extra_data))
        })
        .collect())
}
