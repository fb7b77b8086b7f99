//! The database: embedded SQLite (the default, a file in WAL mode, one Ersal instance) or
//! PostgreSQL (a `postgres://` URL, any number of instances), chosen at start-up by the URL's
//! scheme and migrated there. Each backend has its own migrations (`migrations/sqlite`,
//! `migrations/postgres`).
//!
//! SQL lives only in this crate, one module per table family. A statement both
//! backends understand alike is written once, with `$1`-style parameters, and run through
//! [`on_db!`](crate::on_db) or [`on_tx!`](crate::on_tx), which expand the same code once per
//! backend with that backend's sqlx types. Where the idiomatic SQL differs (row identities,
//! `for update skip locked`, advisory locks), the repository matches on [`Db`] itself.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, SqlitePool, Transaction};

use crate::StoreError;

/// A pool of connections to one of the two backends.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either backend.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the backend's pool (`&SqlitePool` or `&PgPool`): the
/// same code, compiled once for each backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut SqliteConnection`
/// or `&mut PgConnection`); use `&mut *$conn` to run more than one statement.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// How many connections a pool keeps, and how long a request waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a usable sqlite:// or postgres:// URL")]
    BadUrl,
    #[error("cannot create the database folder: {0}")]
    Folder(std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Whether `url` names a PostgreSQL database (anything else is SQLite).
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Connects to the database at `url` without migrating; an SQLite file is created if missing
/// only when `create` says so.
pub async fn open(url: &str, limits: PoolLimits, create: bool) -> Result<Db, DbError> {
    if is_postgres(url) {
        let options = PgConnectOptions::from_str(url).map_err(|_| DbError::BadUrl)?;
        let pool = PgPoolOptions::new()
            .max_connections(limits.max_connections)
            .acquire_timeout(limits.acquire_timeout)
            .connect_with(options)
            .await?;
        return Ok(Db::Postgres(pool));
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|_| DbError::BadUrl)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(folder) = options
        .get_filename()
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder).map_err(DbError::Folder)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(limits.max_connections)
        .acquire_timeout(limits.acquire_timeout)
        .connect_with(options)
        .await?;
    Ok(Db::Sqlite(pool))
}

/// Connects to the database at `url` (creating an SQLite file if missing) and, when `migrate`
/// says so, runs its pending migrations.
pub async fn connect(url: &str, limits: PoolLimits, migrate: bool) -> Result<Db, DbError> {
    let db = open(url, limits, true).await?;
    if migrate {
        db.migrate().await?;
    }
    Ok(db)
}

/// Each backend's migrations, embedded in the binary.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

impl Db {
    fn migrations(&self) -> &'static Migrator {
        match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies the backend's pending migrations (several instances starting at once take
    /// turns: sqlx holds a lock while it migrates).
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrations = self.migrations();
        on_db!(self, pool => migrations.run(pool).await?);
        Ok(())
    }

    /// Whether every migration this build knows has been applied (for `/readyz`).
    pub async fn is_migrated(&self) -> Result<bool, StoreError> {
        let migrations = self.migrations().iter();
        let newest = migrations.map(|m| m.version).max().unwrap_or_default();
        let applied: Option<i64> = on_db!(self, pool => {
            sqlx::query_scalar(
                "select max(version) from _sqlx_migrations where success",
            )
            .fetch_one(pool)
            .await?
        });
        Ok(applied.is_some_and(|applied| applied >= newest))
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Closes every connection (waiting for those in use to come back).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already: a backup never overwrites a file")]
    Exists(std::path::PathBuf),
    #[error("PostgreSQL is backed up with its own tools: pg_dump --format=custom \"$DATABASE_URL\" > ersal.dump (see the README)")]
    Postgres,
    #[error("cannot make the backup private: {0}")]
    Permissions(std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl Db {
    /// Writes a consistent copy of the SQLite database to `target` while Ersal keeps serving
    /// (`vacuum into`: one read transaction, so the copy is a single moment of the database).
    pub async fn backup(&self, target: &std::path::Path) -> Result<(), BackupError> {
        let Db::Sqlite(pool) = self else {
            return Err(BackupError::Postgres);
        };
        if target.exists() {
            return Err(BackupError::Exists(target.to_owned()));
        }
        sqlx::query("vacuum into $1")
            .bind(target.to_string_lossy())
            .execute(pool)
            .await?;
        // The copy holds what the database holds: readable by its owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o600))
                .map_err(BackupError::Permissions)?;
        }
        Ok(())
    }
}

/// The right to run the periodic jobs, held by one instance at a time.
#[derive(Debug)]
pub enum JobLock {
    /// SQLite serves one instance, which runs the jobs in one task.
    Sqlite,
    /// A session-level advisory lock, held by this connection, which is closed (not returned to
    /// the pool) when the lock is dropped: PostgreSQL then releases the lock, also when the
    /// jobs panic or the instance dies.
    Postgres(PoolConnection<Postgres>),
}

/// The advisory lock's key ("ErsalJob").
const JOBS_LOCK_KEY: i64 = 0x4572_7361_6c4a_6f62;

impl Db {
    /// Takes the job lock if no other instance holds it.
    pub async fn try_lock_jobs(&self) -> Result<Option<JobLock>, StoreError> {
        let pool = match self {
            Db::Sqlite(_) => return Ok(Some(JobLock::Sqlite)),
            Db::Postgres(pool) => pool,
        };
        let mut conn = pool.acquire().await?;
        conn.close_on_drop();
        let taken: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)")
            .bind(JOBS_LOCK_KEY)
            .fetch_one(&mut *conn)
            .await?;
        Ok(taken.then_some(JobLock::Postgres(conn)))
    }
}

impl JobLock {
    /// Lets another instance run the jobs at once (dropping the lock releases it too, once
    /// PostgreSQL sees the connection close).
    pub async fn release(self) {
        if let JobLock::Postgres(mut conn) = self {
            let _ = sqlx::query("select pg_advisory_unlock($1)")
                .bind(JOBS_LOCK_KEY)
                .execute(&mut *conn)
                .await;
        }
    }
}

/// Whether the database answers (for `/healthz` and `/readyz`).
pub async fn ping(db: &Db) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query("select 1").execute(pool).await?;
    });
    Ok(())
}
