//! Raw statements for the tests that check the schema itself or what lies at rest: that a
//! value is sealed, that a purge really deleted rows, that a stored value Ersal no longer
//! knows is refused. Built only with the `inspect` feature, which only the tests enable: the
//! product reads and writes through the store's functions alone.

use sqlx::{Connection, PgConnection, Postgres, Sqlite};

use crate::db::Db;
use crate::on_db;

/// A value both backends decode.
pub trait Stored:
    Send
    + Unpin
    + for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
{
}

impl<T> Stored for T where
    T: Send
        + Unpin
        + for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
{
}

/// The single value `sql` (a statement without parameters, on either backend) answers.
pub async fn scalar<T: Stored>(db: &Db, sql: &str) -> T {
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap())
}

/// The first column of every row `sql` answers.
pub async fn column<T: Stored>(db: &Db, sql: &str) -> Vec<T> {
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap())
}

/// Runs `sql`, a statement without parameters, to set up or change what a test needs.
pub async fn exec(db: &Db, sql: &str) {
    on_db!(db, pool => {
        sqlx::query(sql).execute(pool).await.unwrap();
    });
}

/// Drops the PostgreSQL database `name` on the server at `server`, connections and all.
pub async fn drop_database(server: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut admin = PgConnection::connect(server).await?;
    let drop = format!("drop database if exists {name} with (force)");
    sqlx::query(&drop).execute(&mut admin).await.map(|_| ())
}

/// Creates the PostgreSQL database `name` on the server at `server` (a URL) unless it exists.
pub async fn create_database(server: &str, name: &str) {
    let mut admin = PgConnection::connect(server).await.expect("PostgreSQL");
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    if !exists {
        sqlx::query(&format!("create database {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}
