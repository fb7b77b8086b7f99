//! The operators repository: accounts (Argon2id), logins with per-account lockout and
//! per-address rate limiting, console sessions with their CSRF token, idle expiry and absolute
//! lifetime, and the audit trail.

use crate::crypto;
use crate::db::{Db, Tx};
use crate::passwords::{self, Passwords};
use crate::StoreError;
use crate::{on_db, on_tx};
use domain::code::TrackingCode;

/// Failed logins before an account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// Failed logins from one address within the window before it is refused.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const ADDRESS_WINDOW_SECS: i64 = 15 * 60;
/// Console sessions end after this long without activity (docs/kenar.md, “Divar's standards Ersal follows”).
pub const IDLE_SECS: i64 = 15 * 60;
/// And this long after the login, active or not.
pub const MAX_SESSION_SECS: i64 = 12 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("the username must be 3–32 letters, digits, '.', '_' or '-'")]
    Username,
    #[error("the password must be at least 12 characters")]
    WeakPassword,
    #[error("no such operator")]
    Unknown,
    #[error("password hashing failed")]
    Hash,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user name: 3 to 32 ASCII letters, digits, `.`, `_` or `-`.
pub fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Creates an operator (or resets the password and re-enables an existing one).
pub async fn add(db: &Db, username: &str, password: &str, now: i64) -> Result<(), OperatorError> {
    if !valid_username(username) {
        return Err(OperatorError::Username);
    }
    if password.chars().count() < 12 {
        return Err(OperatorError::WeakPassword);
    }
    let hash = passwords::hash(password).ok_or(OperatorError::Hash)?;
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "insert into operators (username, password_hash, created_at) values ($1, $2, $3)
             on conflict (username) do update set password_hash = excluded.password_hash,
               disabled = false, failed_logins = 0, locked_until = null
             returning id",
        )
        .bind(username)
        .bind(&hash)
        .bind(now)
        .fetch_one(conn)
        .await?
    });
    // A new password ends every session the old one opened.
    end_sessions(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

async fn end_sessions(tx: &mut Tx, operator: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("delete from operator_sessions where operator_id = $1")
            .bind(operator)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Disables an operator and ends their sessions.
pub async fn disable(db: &Db, username: &str) -> Result<(), OperatorError> {
    let mut tx = db.begin().await?;
    let id: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("update operators set disabled = true where username = $1 returning id")
            .bind(username)
            .fetch_optional(conn)
            .await?
    });
    end_sessions(&mut tx, id.ok_or(OperatorError::Unknown)?).await?;
    tx.commit().await?;
    Ok(())
}

/// Why a login did not succeed (the page says the same thing for a wrong name and a wrong
/// password).
/// An account as a login attempt reads it (after counting the attempt).
#[derive(sqlx::FromRow)]
struct Account {
    id: i64,
    password_hash: String,
    disabled: bool,
    failed_logins: i64,
    locked_until: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    WrongCredentials,
    AccountLocked,
    TooManyFromAddress,
    /// Too many logins wait for a password check: nothing was counted or changed.
    Busy,
}

impl LoginRefused {
    /// The reason's name in the metrics.
    pub fn key(self) -> &'static str {
        match self {
            Self::WrongCredentials => "wrong_credentials",
            Self::AccountLocked => "account_locked",
            Self::TooManyFromAddress => "too_many_from_address",
            Self::Busy => "busy",
        }
    }
}

/// A new console session: the cookie value and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
}

/// How a login ended.
#[derive(Debug, Clone)]
pub enum Login {
    Accepted(NewSession),
    Refused(LoginRefused),
}

/// Checks a login from client `address` (`None`: unknown, and the per-address rule is skipped).
///
/// The attempt is counted before the password is checked, in one transaction, against the
/// address (refused after [`MAX_FAILURES_PER_ADDRESS`] in the window) and the account (locked
/// for [`LOCKOUT_SECS`] after [`MAX_FAILED_LOGINS`]): a burst of concurrent attempts gets no
/// more real guesses than one after another. A success takes its attempt back.
pub async fn login(
    db: &Db,
    passwords: &Passwords,
    username: &str,
    password: &str,
    address: Option<&str>,
    now: i64,
) -> Result<Login, StoreError> {
    let Some(turn) = passwords.turn() else {
        return Ok(Login::Refused(LoginRefused::Busy));
    };
    let mut tx = db.begin().await?;
    let mut attempt = None;
    let mut from_address = 0;
    if let Some(address) = address {
        // PostgreSQL's concurrent transactions would not see each other's failures: the
        // attempts of one address take turns (SQLite has one writer anyway).
        if let Tx::Postgres(tx) = &mut tx {
            sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(address)
                .execute(&mut **tx)
                .await?;
        }
        let (id, count) = on_tx!(&mut tx, conn => {
            let id: i64 = sqlx::query_scalar(
                "insert into login_failures (address, at) values ($1, $2) returning id",
            )
            .bind(address)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            let count: i64 = sqlx::query_scalar(
                "select count(*) from login_failures where address = $1 and at > $2",
            )
            .bind(address)
            .bind(now - ADDRESS_WINDOW_SECS)
            .fetch_one(&mut *conn)
            .await?;
            (id, count)
        });
        attempt = Some(id);
        from_address = count;
    }
    // A refused address counts against no account: it cannot lock anyone out.
    if from_address > MAX_FAILURES_PER_ADDRESS {
        tx.commit().await?;
        return Ok(Login::Refused(LoginRefused::TooManyFromAddress));
    }
    // A lock that has run out starts a new count.
    let account: Option<Account> = on_tx!(&mut tx, conn => {
        sqlx::query_as(
            "update operators set
               failed_logins = case when locked_until <= $1 then 1 else failed_logins + 1 end,
               locked_until = case when locked_until <= $1 then null else locked_until end
             where username = $2
             returning id, password_hash, disabled, failed_logins, locked_until",
        )
        .bind(now)
        .bind(username)
        .fetch_optional(conn)
        .await?
    });
    tx.commit().await?;
    // Unknown, locked or wrong: each pays for one check, so timing tells no name apart.
    let Some(account) = account else {
        passwords.verify(turn, password, None).await?;
        return Ok(Login::Refused(LoginRefused::WrongCredentials));
    };
    let Account {
        id,
        password_hash,
        disabled,
        failed_logins: count,
        locked_until,
    } = account;
    if count > MAX_FAILED_LOGINS || locked_until.is_some() {
        passwords.verify(turn, password, None).await?;
        lock(db, id, now).await?;
        return Ok(Login::Refused(LoginRefused::AccountLocked));
    }
    if !passwords
        .verify(turn, password, Some(password_hash))
        .await?
        || disabled
    {
        if count == MAX_FAILED_LOGINS {
            lock(db, id, now).await?;
        }
        return Ok(Login::Refused(LoginRefused::WrongCredentials));
    }
    let session = NewSession {
        cookie: crypto::random_token(),
        csrf: crypto::random_token(),
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("update operators set failed_logins = 0 where id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("delete from login_failures where id = $1")
            .bind(attempt)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "insert into operator_sessions (id_digest, operator_id, csrf, created_at, last_seen_at)
             values ($1, $2, $3, $4, $4)",
        )
        .bind(crypto::token_digest(&session.cookie))
        .bind(id)
        .bind(&session.csrf)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    tx.commit().await?;
    Ok(Login::Accepted(session))
}

/// Locks an account for [`LOCKOUT_SECS`] from `now`, unless it already is.
async fn lock(db: &Db, id: i64, now: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query("update operators set locked_until = coalesce(locked_until, $1) where id = $2")
            .bind(now + LOCKOUT_SECS)
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// A logged-in operator, with the CSRF token of their session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Operator {
    pub id: i64,
    pub username: String,
    pub csrf: String,
}

/// The operator behind a console cookie, if the session is alive (activity within
/// [`IDLE_SECS`]) and the account enabled; each call counts as activity.
pub async fn current(db: &Db, cookie: &str, now: i64) -> Result<Option<Operator>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as(
            "update operator_sessions set last_seen_at = $1
             where id_digest = $2 and last_seen_at > $3 and created_at > $4
               and operator_id in (select id from operators where not disabled)
             returning operator_id as id, csrf,
                       (select username from operators where id = operator_id) as username",
        )
        .bind(now)
        .bind(crypto::token_digest(cookie))
        .bind(now - IDLE_SECS)
        .bind(now - MAX_SESSION_SECS)
        .fetch_optional(pool)
        .await?
    }))
}

pub async fn logout(db: &Db, cookie: &str) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query("delete from operator_sessions where id_digest = $1")
            .bind(crypto::token_digest(cookie))
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Records what an operator did (or looked at) on a shipment, on the pool or inside the
/// transaction that made the change.
pub async fn audit(
    tx: &mut Tx,
    shipment: &TrackingCode,
    operator: i64,
    what: &str,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query("insert into audit (shipment_id, operator_id, at, what) values ($1, $2, $3, $4)")
            .bind(shipment.as_str())
            .bind(operator)
            .bind(now)
            .bind(what)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Records what an operator looked at on a shipment, unless they were recorded looking at it
/// within the last `window_secs`: one line per operator, shipment and hour, not one per page view.
pub async fn audit_viewed(
    tx: &mut Tx,
    shipment: &TrackingCode,
    operator: i64,
    what: &str,
    now: i64,
    window_secs: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into audit (shipment_id, operator_id, at, what)
             select $1, $2, $3, $4
             where not exists (select 1 from audit where shipment_id = $1 and operator_id = $2
                               and what = $4 and at > $5)",
        )
        .bind(shipment.as_str())
        .bind(operator)
        .bind(now)
        .bind(what)
        .bind(now - window_secs)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// One line of a shipment's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub operator: String,
    pub at: i64,
    pub what: String,
}

/// A shipment's audit trail, newest first: operators by their user name, API tokens as
/// `api:` and their name.
pub async fn audit_trail(db: &Db, shipment: &TrackingCode) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as(
            "select operator, at, what from (
               select o.username as operator, a.at, a.what, a.id, 0 as source
               from audit a join operators o on o.id = a.operator_id where a.shipment_id = $1
               union all
               select 'api:' || t.name, a.at, a.what, a.id, 1
               from api_audit a join api_tokens t on t.id = a.token_id where a.shipment_id = $1
             ) trail order by at desc, source, id desc limit 200",
        )
        .bind(shipment.as_str())
        .fetch_all(pool)
        .await?
    }))
}
