//! The operator API's tables: tokens (a digest, never the token), the log of every call, the
//! audit of the moves tokens made, and the answers kept for `Idempotency-Key` retries.

use domain::api::{scopes_key, Scope};
use domain::code::TrackingCode;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx, StoreError};

/// A live token, as a call presents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Token {
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// A token as the console and the command line list it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    pub name: String,
    pub scopes: String,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("a token named {0:?} exists already")]
    NameTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a new token by its digest (`crypto::token_digest`).
pub async fn add(
    db: &Db,
    name: &str,
    scopes: &[Scope],
    digest: &str,
    created_by: &str,
    now: i64,
) -> Result<(), AddError> {
    let added = on_db!(db, pool => {
        sqlx::query(
            "insert into api_tokens (name, scopes, token_digest, created_by, created_at)
             values ($1, $2, $3, $4, $5) on conflict (name) do nothing",
        )
        .bind(name)
        .bind(scopes_key(scopes))
        .bind(digest)
        .bind(created_by)
        .bind(now)
        .execute(pool)
        .await
        .map_err(StoreError::from)?
        .rows_affected()
    });
    if added == 0 {
        return Err(AddError::NameTaken(name.to_owned()));
    }
    Ok(())
}

/// Revokes the token named `name`: its next call is refused. `false` when there is no live
/// token of that name.
pub async fn revoke(db: &Db, name: &str, now: i64) -> Result<bool, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query("update api_tokens set revoked_at = $1 where name = $2 and revoked_at is null")
            .bind(now)
            .bind(name)
            .execute(pool)
            .await?
            .rows_affected()
    }) == 1)
}

/// Every token, live ones first, then by name.
pub async fn list(db: &Db) -> Result<Vec<Listed>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as(
            "select name, scopes, created_by, created_at, last_used_at, revoked_at
             from api_tokens order by revoked_at is not null, name",
        )
        .fetch_all(pool)
        .await?
    }))
}

/// The live token whose digest is `digest`, marking it used now (at most once a minute, so a
/// busy token does not write on every call).
pub async fn authenticate(db: &Db, digest: &str, now: i64) -> Result<Option<Token>, StoreError> {
    let row: Option<(i64, String, String, Option<i64>)> = on_db!(db, pool => {
        sqlx::query_as(
            "select id, name, scopes, last_used_at from api_tokens
             where token_digest = $1 and revoked_at is null",
        )
        .bind(digest)
        .fetch_optional(pool)
        .await?
    });
    let Some((id, name, scopes, last_used)) = row else {
        return Ok(None);
    };
    if last_used.is_none_or(|at| now - at >= 60) {
        on_db!(db, pool => {
            sqlx::query("update api_tokens set last_used_at = $1 where id = $2")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
        });
    }
    let scopes =
        domain::api::parse_scopes(&scopes).ok_or(StoreError::Unknown("api token scope"))?;
    Ok(Some(Token { id, name, scopes }))
}

/// Logs one call a token made, with the route it matched and the status it was answered.
pub async fn log_call(
    db: &Db,
    token: i64,
    method: &str,
    route: &str,
    status: u16,
    now: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into api_calls (token_id, at, method, route, status) values ($1, $2, $3, $4, $5)",
        )
        .bind(token)
        .bind(now)
        .bind(method)
        .bind(route)
        .bind(i32::from(status))
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records a token's move in the shipment's audit trail (inside the move's transaction).
pub async fn audit(
    tx: &mut Tx,
    shipment: &TrackingCode,
    token: i64,
    what: &str,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query("insert into api_audit (shipment_id, token_id, at, what) values ($1, $2, $3, $4)")
            .bind(shipment.as_str())
            .bind(token)
            .bind(now)
            .bind(what)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Records that a token read a shipment's personal data, unless it was recorded doing so
/// within the last `window_secs`: one line per token, shipment and hour.
pub async fn audit_viewed(
    db: &Db,
    shipment: &TrackingCode,
    token: i64,
    what: &str,
    now: i64,
    window_secs: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into api_audit (shipment_id, token_id, at, what)
             select $1, $2, $3, $4
             where not exists (select 1 from api_audit where shipment_id = $1 and token_id = $2
                               and what = $4 and at > $5)",
        )
        .bind(shipment.as_str())
        .bind(token)
        .bind(now)
        .bind(what)
        .bind(now - window_secs)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// A claim on a key older than this whose call never settled was cut off (the process went,
/// or the call was cancelled): the next call with the key takes it over.
pub const CLAIM_STALE_SECS: i64 = 120;

/// Where an `Idempotency-Key` stands for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First seen now: the caller goes on, then [`settle`]s or [`release`]s it.
    New,
    /// Another call with this key has not finished.
    InFlight,
    /// Answered before: the request's digest, the status and the body.
    Answered {
        request: String,
        status: u16,
        body: String,
    },
}

/// Claims `key` for a call whose request hashes to `request`.
pub async fn claim(
    db: &Db,
    token: i64,
    key: &str,
    request: &str,
    now: i64,
) -> Result<Claim, StoreError> {
    let inserted = on_db!(db, pool => {
        sqlx::query(
            "insert into api_idempotency (token_id, key, request_digest, status, body, created_at)
             values ($1, $2, $3, 0, '', $4) on conflict (token_id, key) do nothing",
        )
        .bind(token)
        .bind(key)
        .bind(request)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
    });
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let taken_over = on_db!(db, pool => {
        sqlx::query(
            "update api_idempotency set request_digest = $1, created_at = $2
             where token_id = $3 and key = $4 and status = 0 and created_at <= $5",
        )
        .bind(request)
        .bind(now)
        .bind(token)
        .bind(key)
        .bind(now - CLAIM_STALE_SECS)
        .execute(pool)
        .await?
        .rows_affected()
    });
    if taken_over == 1 {
        return Ok(Claim::New);
    }
    let row: Option<(String, i32, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "select request_digest, status, body from api_idempotency
             where token_id = $1 and key = $2",
        )
        .bind(token)
        .bind(key)
        .fetch_optional(pool)
        .await?
    });
    Ok(match row {
        // Released between the two statements: as good as in flight; the caller retries.
        None => Claim::InFlight,
        Some((_, 0, _)) => Claim::InFlight,
        Some((request, status, body)) => Claim::Answered {
            request,
            status: u16::try_from(status).map_err(|_| {
                StoreError::Broken("a kept API answer's status no longer reads back")
            })?,
            body,
        },
    })
}

/// Keeps the answer to a claimed key.
pub async fn settle(
    db: &Db,
    token: i64,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update api_idempotency set status = $1, body = $2 where token_id = $3 and key = $4",
        )
        .bind(i32::from(status))
        .bind(body)
        .bind(token)
        .bind(key)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Lets go of a claimed key whose call failed on Ersal's side: a retry may try again.
pub async fn release(db: &Db, token: i64, key: &str) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query("delete from api_idempotency where token_id = $1 and key = $2 and status = 0")
            .bind(token)
            .bind(key)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// A kept answer serves retries for a day.
pub const ANSWER_KEPT_SECS: i64 = 86_400;

/// The call log is kept for 90 days.
pub const CALLS_KEPT_SECS: i64 = 90 * 86_400;

/// Forgets kept answers and logged calls past their time (housekeeping); neither holds
/// anyone's personal data.
pub async fn forget_past(db: &Db, now: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query("delete from api_idempotency where created_at <= $1")
            .bind(now - ANSWER_KEPT_SECS)
            .execute(pool)
            .await?;
        sqlx::query("delete from api_calls where at <= $1")
            .bind(now - CALLS_KEPT_SECS)
            .execute(pool)
            .await?;
    });
    Ok(())
}
