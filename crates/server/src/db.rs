//! The database: an embedded SQLite file in WAL mode, migrated at start-up.
//!
//! SQL lives only in the repository modules ([`crate::sessions`], …); everything else calls
//! those, so a second backend (PostgreSQL) can be added behind the same functions.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub type Db = SqlitePool;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a usable SQLite URL")]
    BadUrl,
    #[error("cannot create the database folder: {0}")]
    Folder(std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens (creating if needed) the database at `url` and runs pending migrations.
pub async fn connect(url: &str) -> Result<Db, DbError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|_| DbError::BadUrl)?
        .create_if_missing(true)
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
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    sqlx::migrate!("../../migrations").run(&pool).await?;
    Ok(pool)
}

/// Whether the database answers (for `/healthz`).
pub async fn ping(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("select 1").execute(db).await.map(|_| ())
}
