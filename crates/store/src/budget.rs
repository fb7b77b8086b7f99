//! Calls to Divar's API, counted in the database so that every instance spends one budget: a
//! row per minute and per day, and when Divar asked everyone to wait (`Retry-After`). The
//! rules (who may spend how much) are the server's `budget` module; this only counts.

use crate::db::Db;
use crate::{on_db, on_tx, StoreError};

const MINUTE: &str = "minute";
const DAY: &str = "day";
const PAUSE: &str = "pause";

/// Whether a call was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Counted,
    /// A limit would be passed: nothing counted.
    Full,
    /// Divar asked to wait until then (milliseconds): nothing counted.
    Paused(i64),
}

/// Counts one call in the minute and the day that `now_ms` falls in, unless Divar asked to
/// wait or either window would then pass its limit. Each window's count only grows by a
/// conditional upsert, so two instances spending at once never both pass a limit; a window
/// that fails rolls the other back.
pub async fn spend(
    db: &Db,
    now_ms: i64,
    minute_limit: i64,
    day_limit: i64,
) -> Result<Spent, StoreError> {
    let paused = paused_until(db).await?;
    if paused > now_ms {
        return Ok(Spent::Paused(paused));
    }
    let now = now_ms.div_euclid(1000);
    let windows = [
        (MINUTE, now - now.rem_euclid(60), minute_limit),
        (DAY, now - now.rem_euclid(86_400), day_limit),
    ];
    let mut tx = db.begin().await?;
    for (kind, start, limit) in windows {
        let counted = on_tx!(&mut tx, conn => {
            sqlx::query(
                "insert into divar_budget (window_kind, start, used) values ($1, $2, 1)
                 on conflict (window_kind, start) do update set used = divar_budget.used + 1
                 where divar_budget.used < $3",
            )
            .bind(kind)
            .bind(start)
            .bind(limit)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if counted == 0 {
            tx.rollback().await?;
            return Ok(Spent::Full);
        }
    }
    tx.commit().await?;
    Ok(Spent::Counted)
}

/// The calls counted in the minute and the day `now` falls in.
pub async fn used(db: &Db, now: i64) -> Result<(i64, i64), StoreError> {
    let count = |kind: &'static str, start: i64| async move {
        let used: Option<i64> = on_db!(db, pool => {
            sqlx::query_scalar(
                "select used from divar_budget where window_kind = $1 and start = $2",
            )
            .bind(kind)
            .bind(start)
            .fetch_optional(pool)
            .await?
        });
        Ok::<_, StoreError>(used.unwrap_or(0))
    };
    let minute = count(MINUTE, now - now.rem_euclid(60)).await?;
    let day = count(DAY, now - now.rem_euclid(86_400)).await?;
    Ok((minute, day))
}

/// Divar asked to wait: no call goes before `until_ms` (a later pause is never shortened).
pub async fn pause(db: &Db, until_ms: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into divar_budget (window_kind, start, used) values ($1, 0, $2)
             on conflict (window_kind, start) do update
               set used = case when divar_budget.used > excluded.used
                 then divar_budget.used else excluded.used end",
        )
        .bind(PAUSE)
        .bind(until_ms)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Until when Divar asked to wait (milliseconds; 0 when it never did).
pub async fn paused_until(db: &Db) -> Result<i64, StoreError> {
    let until: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar("select used from divar_budget where window_kind = $1")
            .bind(PAUSE)
            .fetch_optional(pool)
            .await?
    });
    Ok(until.unwrap_or(0))
}

/// Forgets the windows that have passed (the current minute and day stay).
pub async fn forget_past(db: &Db, now: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query(
            "delete from divar_budget
             where (window_kind = $1 and start < $2) or (window_kind = $3 and start < $4)",
        )
        .bind(MINUTE)
        .bind(now - now.rem_euclid(60))
        .bind(DAY)
        .bind(now - now.rem_euclid(86_400))
        .execute(pool)
        .await?
        .rows_affected()
    }))
}
