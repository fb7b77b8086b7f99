//! The console's day at a glance: shipments booked, waiting, late, moving, delivered and
//! returned, support waiting, chat messages that failed, and shipments per day.

use domain::stage::Stage;
use domain::status::Status;

use crate::db::Db;
use crate::{on_db, StoreError};

/// The figures, counted at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    /// Shipments created since the start of today, and of the last seven days.
    pub booked: (i64, i64),
    /// Booked and waiting for a pickup to be scheduled or made.
    pub waiting_pickup: i64,
    /// Scheduled for a pickup on a day that has passed.
    pub late: i64,
    /// Picked up, on the way or out for delivery.
    pub in_transit: i64,
    /// Delivered, and returned to the sender, since the start of today and of the week.
    pub delivered: (i64, i64),
    pub returned: (i64, i64),
    /// Support conversations waiting for staff, and since when the oldest waits.
    pub support_waiting: (i64, Option<i64>),
    /// Chat messages that failed, or may have been sent (an instance died mid-call).
    pub chat_failed: i64,
    pub chat_unknown: i64,
}

/// When "today" and "the week" start, as Unix times, and today's day number (Tehran).
#[derive(Debug, Clone, Copy)]
pub struct Since {
    pub today: i64,
    pub week: i64,
    pub day: i64,
}

fn list(statuses: &[Status]) -> String {
    let keys: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.key())).collect();
    keys.join(", ")
}

/// Counts the figures at once.
pub async fn figures(db: &Db, since: Since) -> Result<Figures, StoreError> {
    let waiting = list(Stage::WaitingPickup.statuses());
    let moving = list(Stage::Moving.statuses());
    // The status keys are the domain's constants, never input.
    let sql = format!(
        "select
           (select count(*) from shipments where created_at >= $1),
           (select count(*) from shipments where created_at >= $2),
           (select count(*) from shipments where status in ({waiting})),
           -- late: domain::stage::is_late
           (select count(*) from shipments where status = '{scheduled}' and pickup_day < $3),
           (select count(*) from shipments where status in ({moving})),
           (select count(*) from shipment_events where status = '{delivered}' and at >= $1),
           (select count(*) from shipment_events where status = '{delivered}' and at >= $2),
           (select count(*) from shipment_events where status = '{returned}' and at >= $1),
           (select count(*) from shipment_events where status = '{returned}' and at >= $2),
           (select count(*) from support_conversations where state = 'waiting'),
           (select min(updated_at) from support_conversations where state = 'waiting'),
           (select count(*) from outbox where state = 'failed'),
           (select count(*) from outbox where state = 'unknown')",
        scheduled = Status::PickupScheduled.key(),
        delivered = Status::Delivered.key(),
        returned = Status::ReturnedToSender.key(),
    );
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        Option<i64>,
        i64,
        i64,
    );
    let r: Row = on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(since.today)
            .bind(since.week)
            .bind(since.day)
            .fetch_one(pool)
            .await?
    });
    Ok(Figures {
        booked: (r.0, r.1),
        waiting_pickup: r.2,
        late: r.3,
        in_transit: r.4,
        delivered: (r.5, r.6),
        returned: (r.7, r.8),
        support_waiting: (r.9, r.10),
        chat_failed: r.11,
        chat_unknown: r.12,
    })
}

/// Shipments created per day (Tehran) from `first_day` on: (day number, count), days without
/// any left out.
pub async fn per_day(db: &Db, first_day: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let offset = domain::jalali::TEHRAN_OFFSET_SECS;
    let rows: Vec<(i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "select (created_at + $1) / 86400 as day, count(*) from shipments
             where created_at + $1 >= $2 * 86400 group by day order by day",
        )
        .bind(offset)
        .bind(first_day)
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}
