//! A shipment's move through the API: the console's rules and chat messages
//! ([`crate::console::company_act`]), audited with the token's name, and safe to retry with an
//! `Idempotency-Key`: a retry with the same key and request answers the first answer again and
//! changes nothing; the same key with another request is refused.

use domain::api::{parse_iso_date, valid_idempotency_key, Scope};
use domain::shipment::{pickup_days, PickupWindow};
use domain::status::Status;
use sha2::{Digest, Sha256};
use store::api::{Claim, Token};
use store::shipments::By;

use super::views::{MoveRequest, Moved};
use super::{require, shipments::find};
use crate::console::{company_act, Acted};
use crate::error::AppError;
use crate::problem::{Kind, Problem};
use crate::state::AppState;

/// An answer as it is kept for a retry: its status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// Answered before, to the same key and request.
    pub replayed: bool,
}

impl Answer {
    fn of(result: &Result<Moved, Problem>) -> Self {
        let (status, body) = match result {
            Ok(moved) => (200, serde_json::to_string(moved)),
            Err(problem) => (problem.status, serde_json::to_string(problem)),
        };
        Self {
            status,
            body: body.unwrap_or_default(),
            replayed: false,
        }
    }
}

/// Moves the shipment `code` as `request` asks, once per `key`.
pub async fn move_shipment(
    state: &AppState,
    token: &Token,
    code: &str,
    request: &MoveRequest,
    key: Option<&str>,
) -> Result<Answer, Problem> {
    require(token, Scope::ShipmentsMove)?;
    let Some(key) = key else {
        return Ok(Answer::of(&run(state, token, code, request).await));
    };
    if !valid_idempotency_key(key) {
        return Err(Problem::new(
            Kind::Invalid,
            "Idempotency-Key: ۱ تا ۱۰۰ نویسهٔ دیداری ASCII.",
        ));
    }
    let digest = request_digest(code, request);
    let claim = store::api::claim(&state.db, token.id, key, &digest, state.now()).await?;
    match claim {
        Claim::Answered {
            request,
            status,
            body,
        } if request == digest => Ok(Answer {
            status,
            body,
            replayed: true,
        }),
        Claim::Answered { .. } => Err(Problem::new(
            Kind::Idempotency,
            "این Idempotency-Key پیش‌تر با درخواست دیگری آمده است؛ برای درخواست تازه کلید تازه بسازید.",
        )),
        Claim::InFlight => Err(Problem::new(
            Kind::Idempotency,
            "درخواستی با همین Idempotency-Key هنوز در جریان است؛ کمی بعد دوباره بفرستید.",
        )),
        Claim::New => {
            // Run to the end even when the caller goes (a timeout, a closed connection): a
            // move cut off between its change and its kept answer would leave the key claimed.
            let state = state.clone();
            let (token, code) = (token.clone(), code.to_owned());
            let (request, key) = (request.clone(), key.to_owned());
            let kept = tokio::spawn(async move {
                run_and_keep(&state, &token, &code, &request, &key).await
            });
            kept.await.map_err(|cause| Problem::from(AppError::new(cause)))?
        }
    }
}

/// Runs a claimed move and keeps its answer for the key; a failure of Ersal's own lets go of
/// the key instead, so that a retry may run.
async fn run_and_keep(
    state: &AppState,
    token: &Token,
    code: &str,
    request: &MoveRequest,
    key: &str,
) -> Result<Answer, Problem> {
    let result = run(state, token, code, request).await;
    if let Err(problem) = &result {
        if problem.status >= 500 {
            store::api::release(&state.db, token.id, key).await?;
            return Err(problem.clone());
        }
    }
    let answer = Answer::of(&result);
    store::api::settle(&state.db, token.id, key, answer.status, &answer.body).await?;
    Ok(answer)
}

/// What identifies a request for its key: the shipment and the body, as sent.
fn request_digest(code: &str, request: &MoveRequest) -> String {
    let body = serde_json::to_string(request).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{code}\n{body}").as_bytes()))
}

async fn run(
    state: &AppState,
    token: &Token,
    code: &str,
    request: &MoveRequest,
) -> Result<Moved, Problem> {
    if Status::parse(&request.to).is_none() {
        return Err(invalid("to: کلید یکی از وضعیت‌ها (GET /api/v1/statuses)."));
    }
    let before = find(state, code).await?;
    let pickup = match (&request.pickup_date, &request.pickup_window) {
        (None, None) => None,
        (Some(date), Some(window)) => {
            let day = parse_iso_date(date)
                .filter(|day| pickup_days(state.now()).contains(day))
                .ok_or_else(|| invalid("pickup_date: روزی که جمع‌آوری در آن ممکن است (از امروز تا چند روز بعد)، به شکل YYYY-MM-DD."))?;
            let window = PickupWindow::parse(window)
                .ok_or_else(|| invalid("pickup_window: کلید یکی از بازه‌های جمع‌آوری."))?;
            Some((day, window))
        }
        _ => return Err(invalid("pickup_date و pickup_window با هم می‌آیند.")),
    };
    let note = request.note.as_deref().unwrap_or_default();
    if note.chars().count() > 200 {
        return Err(invalid("note: دست‌بالا ۲۰۰ نویسه."));
    }
    let acted = company_act(state, By::Token(token.id), code, &request.to, note, pickup);
    match acted.await? {
        Acted::Done => {
            let after = find(state, code).await?;
            Ok(Moved {
                id: after.id.to_string(),
                from: before.status.key().to_owned(),
                status: after.status.key().to_owned(),
                status_label: after.status.label().to_owned(),
            })
        }
        Acted::NeedsReason => Err(invalid("note: این وضعیت دلیل می‌خواهد.")),
        Acted::NeedsPickup => Err(invalid(
            "pickup_date و pickup_window: زمان‌بندی جمع‌آوری روز و بازه می‌خواهد.",
        )),
        Acted::NotFound => Err(Problem::new(
            Kind::NotFound,
            "مرسوله‌ای با این کد پیگیری نیست.",
        )),
        Acted::Refused => Err(Problem::new(
            Kind::Conflict,
            format!(
                "از «{}» به «{}» اکنون مجاز نیست؛ چیزی تغییر نکرد.",
                before.status.key(),
                request.to.chars().take(40).collect::<String>()
            ),
        )),
    }
}

fn invalid(detail: &str) -> Problem {
    Problem::new(Kind::Invalid, detail)
}
