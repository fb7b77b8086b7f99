//! The `post_addons` rows: where Ersal's widgets on a post stand.

use domain::size::SizeClass;
use kenar::PostToken;

use crate::db::{Db, Tx};
use crate::StoreError;
use crate::{on_db, on_tx};

domain::keyed! {
    /// Where the widgets on a post stand (the label is the seller's).
    pub enum AddonState {
        /// The seller consented; the widgets are being posted.
        Adding = ("adding", "در حال افزودن به آگهی (چند لحظه)"),
        On = ("on", "روی آگهی است"),
        /// The seller asked to remove them; the removal is being sent.
        Removing = ("removing", "در حال برداشتن از آگهی (چند لحظه)"),
        /// Not on the post: never stored (a post without widgets has no row).
        Off = ("off", "روی آگهی نیست"),
        /// Divar refused, or Ersal could not reach it in time.
        Failed = ("failed", "افزوده نشد؛ دوباره امتحان کنید"),
    }
}

impl AddonState {
    /// Whether the seller may add the widgets now (not while a change is on its way).
    pub fn can_add(self) -> bool {
        matches!(self, Self::Off | Self::Failed)
    }

    /// Whether the seller may remove them: whenever they may be on the post.
    pub fn can_remove(self) -> bool {
        matches!(self, Self::Adding | Self::On | Self::Failed)
    }
}

/// A post's widgets: where they stand and the size class their price is for.
pub async fn get(db: &Db, post: &PostToken) -> Result<Option<(AddonState, SizeClass)>, StoreError> {
    let row: Option<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("select state, size from post_addons where post_token = $1")
            .bind(post.as_str())
            .fetch_optional(pool)
            .await?
    });
    Ok(row.and_then(|(state, size)| Some((AddonState::parse(&state)?, SizeClass::parse(&size)?))))
}

/// The seller consented: the widgets for `size`, priced by the tariff `tariff`, are being
/// posted.
pub async fn consented(
    tx: &mut Tx,
    post: &PostToken,
    size: SizeClass,
    tariff: &str,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into post_addons (post_token, state, size, tariff, consented_at, updated_at)
             values ($1, $2, $3, $4, $5, $5)
             on conflict (post_token) do update set state = excluded.state,
               size = excluded.size, tariff = excluded.tariff,
               consented_at = excluded.consented_at, updated_at = excluded.updated_at",
        )
        .bind(post.as_str())
        .bind(AddonState::Adding.key())
        .bind(size.key())
        .bind(tariff)
        .bind(now)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Sets a post's state; `true` if it was in one of `from`.
pub async fn set(
    tx: &mut Tx,
    post: &PostToken,
    from: &[AddonState],
    to: AddonState,
    now: i64,
) -> Result<bool, StoreError> {
    let from: Vec<&str> = from.iter().map(|s| s.key()).collect();
    let moved = on_tx!(tx, conn => {
        let mut query = sqlx::QueryBuilder::new("update post_addons set state = ");
        query
            .push_bind(to.key())
            .push(", updated_at = ")
            .push_bind(now)
            .push(" where post_token = ")
            .push_bind(post.as_str())
            .push(" and state in (");
        let mut list = query.separated(", ");
        for key in &from {
            list.push_bind(*key);
        }
        query.push(")");
        query.build().execute(conn).await?.rows_affected()
    });
    Ok(moved == 1)
}

/// The posts whose widgets are on with a price from another tariff, and their size classes.
pub async fn priced_by_another_tariff(
    db: &Db,
    tariff: &str,
) -> Result<Vec<(PostToken, SizeClass)>, StoreError> {
    let rows: Vec<(String, String)> = on_db!(db, pool => {
        sqlx::query_as("select post_token, size from post_addons where state = $1 and tariff <> $2")
            .bind(AddonState::On.key())
            .bind(tariff)
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(post, size)| Some((PostToken::parse(&post).ok()?, SizeClass::parse(&size)?)))
        .collect())
}

/// Records that a post's widgets, still on, are being re-posted with `tariff`'s price; `false`
/// when they are no longer on (the seller removed them meanwhile).
pub async fn repriced(
    tx: &mut Tx,
    post: &PostToken,
    tariff: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let moved = on_tx!(tx, conn => {
        sqlx::query(
            "update post_addons set tariff = $1, state = $2, updated_at = $3
             where post_token = $4 and state = $5",
        )
        .bind(tariff)
        .bind(AddonState::Adding.key())
        .bind(now)
        .bind(post.as_str())
        .bind(AddonState::On.key())
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(moved == 1)
}

/// Forgets a post whose widgets were taken off, if it is still being removed: nothing of it
/// is kept. `false` when the seller consented again meanwhile.
pub async fn forget_removed(db: &Db, post: &PostToken) -> Result<bool, StoreError> {
    let forgotten = on_db!(db, pool => {
        sqlx::query("delete from post_addons where post_token = $1 and state = $2")
            .bind(post.as_str())
            .bind(AddonState::Removing.key())
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(forgotten == 1)
}
