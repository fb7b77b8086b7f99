//! Handover codes at rest ([`domain::handover`]): each sealed under its shipment and step,
//! issued on first need, compared in constant time, used once, and issued anew when the step
//! is tried again; each wrong code typed is counted for the limits. How each handover was
//! recorded stays after the codes are gone.

use domain::code::TrackingCode;
use domain::handover::{Proof, Step, OPERATOR_TRIES, SHIPMENT_TRIES, WINDOW_SECS};
use rand::Rng;
use subtle::ConstantTimeEq;

use crate::crypto::Keys;
use crate::db::{Db, Tx};
use crate::{on_db, on_tx, StoreError};

/// The columns of a step's code and proof (this module's constants, never input).
fn columns(step: Step) -> (&'static str, &'static str) {
    match step {
        Step::Pickup => ("pickup_sealed", "pickup_proof"),
        Step::Delivery => ("delivery_sealed", "delivery_proof"),
    }
}

fn context(id: &TrackingCode, step: Step) -> String {
    format!("handover/{}/{}", id.as_str(), step.key())
}

async fn sealed(db: &Db, id: &TrackingCode, step: Step) -> Result<Option<Vec<u8>>, StoreError> {
    let (code, _) = columns(step);
    let sql = format!("select {code} from handover_codes where shipment_id = $1");
    let row: Option<(Option<Vec<u8>>,)> = on_db!(db, pool => {
        sqlx::query_as(&sql).bind(id.as_str()).fetch_optional(pool).await?
    });
    Ok(row.and_then(|(sealed,)| sealed))
}

/// The step's code, issued now if it has none (of two issuing at once, one wins and both read
/// it). Only for a shipment whose step is pending.
pub async fn code(
    db: &Db,
    keys: &Keys,
    id: &TrackingCode,
    step: Step,
    now: i64,
) -> Result<String, StoreError> {
    let context = context(id, step);
    if let Some(sealed) = sealed(db, id, step).await? {
        if let Ok(plain) = keys.open(&sealed, context.as_bytes()) {
            return Ok(String::from_utf8_lossy(&plain).into_owned());
        }
    }
    let fresh = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
    let sealed = keys.seal(fresh.as_bytes(), context.as_bytes());
    let (column, _) = columns(step);
    let sql = format!(
        "insert into handover_codes (shipment_id, {column}, created_at) values ($1, $2, $3)
         on conflict (shipment_id) do update set {column} = coalesce(handover_codes.{column}, excluded.{column})"
    );
    on_db!(db, pool => {
        sqlx::query(&sql)
            .bind(id.as_str())
            .bind(&sealed)
            .bind(now)
            .execute(pool)
            .await?;
    });
    let stored = sealed_or_missing(db, id, step).await?;
    let plain = keys.open(&stored, context.as_bytes())?;
    Ok(String::from_utf8_lossy(&plain).into_owned())
}

async fn sealed_or_missing(db: &Db, id: &TrackingCode, step: Step) -> Result<Vec<u8>, StoreError> {
    sealed(db, id, step)
        .await?
        .ok_or(StoreError::Broken("a handover code"))
}

/// What a typed code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Right,
    /// Wrong; this many tries are left for the shipment.
    Wrong {
        left: i64,
    },
    /// Too many wrong codes: for this shipment, or by this operator, until `until`.
    Locked {
        until: i64,
        shipment: bool,
    },
    /// No code was issued (its holder never saw one): nothing to compare.
    NotIssued,
}

/// When the oldest of the wrong codes counted against `column = value` leaves the window, if
/// there are `tries` of them in it.
async fn locked_until(
    db: &Db,
    column: &'static str,
    value: &str,
    tries: i64,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let sql =
        format!("select count(*), min(at) from handover_attempts where {column} = $1 and at > $2");
    let (count, oldest): (i64, Option<i64>) = on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        query = if column == "operator_id" {
            query.bind(value.parse::<i64>().unwrap_or_default())
        } else {
            query.bind(value)
        };
        query.bind(now - WINDOW_SECS).fetch_one(pool).await?
    });
    Ok((count >= tries).then(|| oldest.unwrap_or(now) + WINDOW_SECS))
}

/// Whether the shipment, or else the operator, is locked by wrong codes: until when, and
/// whether it is the shipment (`true`) or the operator.
pub async fn locked(
    db: &Db,
    id: &TrackingCode,
    operator: i64,
    now: i64,
) -> Result<Option<(i64, bool)>, StoreError> {
    if let Some(until) = locked_until(db, "shipment_id", id.as_str(), SHIPMENT_TRIES, now).await? {
        return Ok(Some((until, true)));
    }
    let me = operator.to_string();
    Ok(locked_until(db, "operator_id", &me, OPERATOR_TRIES, now)
        .await?
        .map(|until| (until, false)))
}

/// Checks `typed` against the step's code for `operator`, counting it if wrong. The limits
/// are checked first, so a locked shipment or operator learns nothing from a guess.
pub async fn check(
    db: &Db,
    keys: &Keys,
    id: &TrackingCode,
    step: Step,
    typed: &str,
    operator: i64,
    now: i64,
) -> Result<Checked, StoreError> {
    if let Some((until, shipment)) = locked(db, id, operator, now).await? {
        return Ok(Checked::Locked { until, shipment });
    }
    let Some(sealed) = sealed(db, id, step).await? else {
        return Ok(Checked::NotIssued);
    };
    let code = keys.open(&sealed, context(id, step).as_bytes())?;
    if bool::from(code.as_slice().ct_eq(typed.as_bytes())) {
        return Ok(Checked::Right);
    }
    on_db!(db, pool => {
        sqlx::query("insert into handover_attempts (shipment_id, operator_id, at) values ($1, $2, $3)")
            .bind(id.as_str())
            .bind(operator)
            .bind(now)
            .execute(pool)
            .await?;
    });
    let (count,): (i64,) = on_db!(db, pool => {
        sqlx::query_as("select count(*) from handover_attempts where shipment_id = $1 and at > $2")
            .bind(id.as_str())
            .bind(now - WINDOW_SECS)
            .fetch_one(pool)
            .await?
    });
    Ok(Checked::Wrong {
        left: (SHIPMENT_TRIES - count).max(0),
    })
}

/// Records, in the change's transaction, how the step was done: the code is used up (a right
/// code is used once) and the proof kept.
pub async fn record(
    tx: &mut Tx,
    id: &TrackingCode,
    step: Step,
    proof: Proof,
    now: i64,
) -> Result<(), StoreError> {
    let (code, proof_column) = columns(step);
    let sql = format!(
        "insert into handover_codes (shipment_id, {proof_column}, created_at) values ($1, $2, $3)
         on conflict (shipment_id) do update set {code} = null, {proof_column} = excluded.{proof_column}"
    );
    on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(id.as_str())
            .bind(proof.key())
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Takes the step's code away, in the change's transaction: a new one is issued on next need.
pub async fn rotate(tx: &mut Tx, id: &TrackingCode, step: Step) -> Result<(), StoreError> {
    let (code, _) = columns(step);
    let sql = format!("update handover_codes set {code} = null where shipment_id = $1");
    on_tx!(tx, conn => {
        sqlx::query(&sql).bind(id.as_str()).execute(&mut *conn).await?;
    });
    Ok(())
}

/// How each step of the shipment was recorded, if it was.
pub async fn proofs(
    db: &Db,
    id: &TrackingCode,
) -> Result<(Option<Proof>, Option<Proof>), StoreError> {
    let row: Option<(Option<String>, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as("select pickup_proof, delivery_proof from handover_codes where shipment_id = $1")
            .bind(id.as_str())
            .fetch_optional(pool)
            .await?
    });
    let parse = |p: Option<String>| p.as_deref().and_then(Proof::parse);
    Ok(row.map_or((None, None), |(p, d)| (parse(p), parse(d))))
}
