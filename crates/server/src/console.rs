//! The operator console's use cases, without a UI: the console session (its own cookie, a CSRF
//! token per session, 15 idle minutes), the filtered list, opening a shipment (audited), and
//! status changes — each with its event, chat message and audit entry in one transaction.

use domain::code::TrackingCode;
use domain::handover::Proof;
use domain::jalali;
use domain::routes::Route;
use domain::shipment::{parse_pickup_day, PickupWindow};
use domain::stage::Stage;
use domain::status::{Actor, Status};
use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::origin::Sender;
use crate::state::{token_cookie, AppState};
use store::crypto;
use store::operators::{self, AuditEntry, Login, Operator};
use store::outbox::{self, Queued};
use store::shipments::list::{self, Condition, Filter, Line, PAGE_SIZE};
use store::shipments::{self, By, Changed, Shipment};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// An operator's status change on a shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub id: String,
    /// The target status's key.
    #[serde(default)]
    pub to: String,
    /// Pickup day (days since the epoch, Tehran) and window, for scheduling a pickup.
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub window: String,
    /// A reason or note (required for an exception, `Status::is_exception`).
    #[serde(default)]
    pub note: String,
}

/// The console's list filters as the query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// A status's key; none or empty for any.
    pub status: Option<String>,
    /// A stage's key ([`domain::stage::Stage`]).
    pub stage: Option<String>,
    /// Created on or after this Jalali date, as typed (`۱۴۰۵/۰۹/۱۶`).
    pub from: Option<String>,
    /// Created on or before this Jalali date.
    pub until: Option<String>,
    /// City ids of the route's two ends.
    pub origin: Option<String>,
    pub destination: Option<String>,
    /// The beginning of a tracking code, as typed.
    pub code: Option<String>,
    /// `operator`: only shipments picked up or delivered without the holder's code.
    pub proof: Option<String>,
    /// The page, from 0.
    pub page: Option<String>,
}

impl ListQuery {
    /// The list's address with the same filters, at `page`.
    pub fn href(&self, page: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("status", &self.status),
            ("stage", &self.stage),
            ("from", &self.from),
            ("until", &self.until),
            ("origin", &self.origin),
            ("destination", &self.destination),
            ("code", &self.code),
            ("proof", &self.proof),
        ] {
            if let Some(value) = nonempty(value) {
                query.append_pair(name, value);
            }
        }
        if page > 0 {
            query.append_pair("page", &page.to_string());
        }
        format!("{}?{}", Route::Console.path(), query.finish())
    }
}

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_dev() {
        "ersal_operator"
    } else {
        "__Host-ersal_operator"
    }
}

/// The `Set-Cookie` value that starts (or, with `None`, ends) a console session.
pub fn set_cookie(state: &AppState, value: Option<&str>) -> String {
    let mut built =
        cookie::Cookie::build((cookie_name(state), value.unwrap_or_default().to_owned()))
            .path("/")
            .http_only(true)
            .same_site(cookie::SameSite::Strict)
            .secure(!state.config.is_dev())
            .build();
    if value.is_none() {
        built.make_removal();
    }
    built.to_string()
}

/// The cookie that keeps the user name typed into a refused login, for the form shown again
/// (on that page only, for five minutes): a wrong password does not make staff type it again.
const TYPED_NAME: &str = "ersal_login_name";

/// The `Set-Cookie` remembering `username` (when it is shaped like one) for the login form.
pub fn typed_name_cookie(state: &AppState, username: &str) -> Option<String> {
    operators::valid_username(username).then(|| {
        cookie::Cookie::build((TYPED_NAME, username.to_owned()))
            .path(Route::ConsoleLogin.path())
            .max_age(cookie::time::Duration::minutes(5))
            .http_only(true)
            .same_site(cookie::SameSite::Strict)
            .secure(!state.config.is_dev())
            .build()
            .to_string()
    })
}

/// The user name a refused login typed, if the browser still holds it.
pub fn typed_name(headers: &HeaderMap) -> Option<String> {
    crate::state::cookie_value(headers, TYPED_NAME, operators::valid_username)
}

/// The logged-in operator, from the console cookie (a Divar user's cookie does not count).
pub async fn operator(state: &AppState, headers: &HeaderMap) -> Result<Option<Operator>, AppError> {
    match token_cookie(headers, cookie_name(state)) {
        Some(value) => Ok(operators::current(&state.db, &value, state.now()).await?),
        None => Ok(None),
    }
}

/// The operator, if logged in and the form's CSRF token is theirs.
pub async fn authorized(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Option<Operator>, AppError> {
    Ok(operator(state, headers)
        .await?
        .filter(|o| crypto::matches_any(csrf.as_bytes(), std::iter::once(o.csrf.as_bytes()))))
}

/// Whether a login form came from our own pages: a browser must say so.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    crate::origin::sender(headers, &state.config.public_origin()) == Sender::Ours
}

domain::keyed! {
    /// Why the login page is shown again.
    pub enum LoginProblem {
        Form = ("form", "فرم را از همین صفحه بفرستید."),
        /// A wrong name or password, or a locked account: one answer, so that names cannot be
        /// told apart.
        Refused = ("refused", "نام کاربری یا گذرواژه درست نیست، یا حساب پس از چند تلاش نادرست ۱۵ دقیقه قفل شده است."),
        Address = ("address", "از این نشانی تلاش نادرست زیادی شده است؛ کمی بعد دوباره تلاش کنید."),
        /// Too many logins at once: nothing was counted.
        Busy = ("busy", "ورودهای هم‌زمان زیاد است؛ چند ثانیهٔ دیگر دوباره تلاش کنید."),
    }
}

/// How a login form ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The new session's cookie value.
    Session(String),
    Problem(LoginProblem),
}

/// Checks a login from client `address`.
pub async fn login(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<&str>,
    form: &LoginForm,
) -> Result<LoginOutcome, AppError> {
    use operators::LoginRefused;
    if !same_origin(state, headers) || form.username.len() > 64 || form.password.len() > 256 {
        return Ok(LoginOutcome::Problem(LoginProblem::Form));
    }
    let login = operators::login(
        &state.db,
        &state.passwords,
        &form.username,
        &form.password,
        address,
        state.now(),
    )
    .await?;
    Ok(match login {
        Login::Accepted(session) => {
            tracing::info!("operator logged in");
            LoginOutcome::Session(session.cookie)
        }
        Login::Refused(refusal) => {
            tracing::info!(?refusal, "operator login refused");
            crate::telemetry::login_failed(refusal.key());
            LoginOutcome::Problem(match refusal {
                LoginRefused::WrongCredentials | LoginRefused::AccountLocked => {
                    LoginProblem::Refused
                }
                LoginRefused::TooManyFromAddress => LoginProblem::Address,
                LoginRefused::Busy => LoginProblem::Busy,
            })
        }
    })
}

/// Ends the console session of `headers`, if the CSRF token is the session's.
pub async fn logout(state: &AppState, headers: &HeaderMap, csrf: &str) -> Result<bool, AppError> {
    if authorized(state, headers, csrf).await?.is_none() {
        return Ok(false);
    }
    if let Some(value) = token_cookie(headers, cookie_name(state)) {
        operators::logout(&state.db, &value).await?;
    }
    Ok(true)
}

/// A page of the console's list.
pub struct ListPage {
    pub lines: Vec<Line>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub counts: Vec<(Status, i64)>,
    /// Divar's API budget holds the lower priorities back now ([`crate::budget`]).
    pub budget_low: bool,
}

/// A filter field, trimmed, when it is given and not absurdly long.
fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

fn filter(state: &AppState, query: &ListQuery) -> Filter {
    let day = |v: &Option<String>| nonempty(v).and_then(jalali::parse_date);
    let today = jalali::tehran_day(state.now());
    let city = |v: &Option<String>| {
        nonempty(v)
            .filter(|c| state.catalog.places.find(c).is_some())
            .map(str::to_owned)
    };
    let conditions = [
        nonempty(&query.status)
            .and_then(Status::parse)
            .map(Condition::Status),
        nonempty(&query.stage)
            .and_then(Stage::parse)
            .map(|stage| Condition::Stage(stage, today)),
        day(&query.from).map(|d| Condition::CreatedSince(jalali::day_start(d))),
        day(&query.until).map(|d| Condition::CreatedBefore(jalali::day_start(d + 1))),
        city(&query.origin).map(Condition::Origin),
        city(&query.destination).map(Condition::Destination),
        nonempty(&query.code)
            .and_then(TrackingCode::prefix)
            .map(Condition::CodePrefix),
        (nonempty(&query.proof) == Some(Proof::Operator.key())).then_some(Condition::WithoutCode),
    ];
    Filter(conditions.into_iter().flatten().collect())
}

pub async fn list(state: &AppState, query: &ListQuery) -> Result<ListPage, AppError> {
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, 10_000);
    let (lines, total) = list::list(&state.db, &filter(state, query), page).await?;
    Ok(ListPage {
        lines,
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        counts: list::counts(&state.db).await?,
        budget_low: crate::budget::standing(state).await?.holding_back,
    })
}

/// A shipment as the console shows it.
pub struct Opened {
    pub shipment: Shipment,
    pub outbox: Vec<Queued>,
    pub audit: Vec<AuditEntry>,
    /// The changes the operator may make now.
    pub actions: Vec<Status>,
}

/// An operator's views of one shipment within this long are one audit line.
pub const VIEW_AUDIT_SECS: i64 = 3_600;

/// The audit trail's line for a look at a shipment's personal data (an operator's or a
/// token's).
pub const VIEWED_PERSONAL: &str = "مشاهدهٔ اطلاعات شخصی";

/// Opens a shipment for `operator`, recording that they saw its personal data (once an hour).
pub async fn open(
    state: &AppState,
    operator: &Operator,
    code: &str,
) -> Result<Option<Opened>, AppError> {
    let Some(shipment) = shipments::find(&state.db, &state.keys, code).await? else {
        return Ok(None);
    };
    let code = shipment.id.clone();
    if !shipment.purged {
        let mut tx = state.db.begin().await?;
        let (what, now) = (VIEWED_PERSONAL, state.now());
        operators::audit_viewed(&mut tx, &code, operator.id, what, now, VIEW_AUDIT_SECS).await?;
        tx.commit().await?;
    }
    Ok(Some(Opened {
        outbox: outbox::history(&state.db, &code).await?,
        audit: operators::audit_trail(&state.db, &code).await?,
        actions: shipment
            .status
            .next()
            .iter()
            .copied()
            .filter(|s| shipment.status.can_become(*s, Actor::Operator))
            .collect(),
        shipment,
    }))
}

/// How an operator's status change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acted {
    Done,
    /// Cancelling needs a reason.
    NeedsReason,
    /// Scheduling a pickup needs a bookable day and a window.
    NeedsPickup,
    /// The status machine does not allow it now; nothing changed or was sent.
    Refused,
    NotFound,
}

impl Acted {
    const ALL: [Self; 5] = [
        Self::Done,
        Self::NeedsReason,
        Self::NeedsPickup,
        Self::Refused,
        Self::NotFound,
    ];

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::NeedsReason => "reason",
            Self::NeedsPickup => "pickup",
            Self::Refused => "forbidden",
            Self::NotFound => "missing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "انجام شد.",
            Self::NeedsReason => "برای این تغییر، دلیل را بنویسید.",
            Self::NeedsPickup => "روز و بازهٔ جمع‌آوری را انتخاب کنید.",
            Self::NotFound => "مرسوله پیدا نشد.",
            Self::Refused => "این تغییر در وضعیت کنونی مجاز نیست؛ چیزی تغییر نکرد.",
        }
    }
}

/// Moves a shipment as an operator: the change, its event, the chat message announcing it and
/// the audit entry are one transaction; anything the status machine does not allow is refused
/// and nothing changes or is sent.
pub async fn act(state: &AppState, operator: &Operator, form: &ActForm) -> Result<Acted, AppError> {
    let day = parse_pickup_day(&form.day, state.now());
    let pickup = day.zip(PickupWindow::parse(&form.window));
    let by = By::Operator(operator.id);
    company_act(state, by, &form.id, &form.to, &form.note, pickup).await
}

/// Moves the shipment `id` to the status keyed `to` as the shipping company (the console's
/// operators and the API's tokens, one set of rules): a reason where the status needs one
/// (`Status::is_exception`, at most 200 characters kept), a bookable pickup day and window
/// for scheduling a pickup.
pub async fn company_act(
    state: &AppState,
    by: By,
    id: &str,
    to: &str,
    note: &str,
    pickup: Option<(i64, PickupWindow)>,
) -> Result<Acted, AppError> {
    let Some(to) = Status::parse(to) else {
        return Ok(Acted::Refused);
    };
    let note: String = note.trim().chars().take(200).collect();
    if to.is_exception() && note.is_empty() {
        return Ok(Acted::NeedsReason);
    }
    let pickup = if to == Status::PickupScheduled {
        match pickup {
            Some(pickup) => Some(pickup),
            None => return Ok(Acted::NeedsPickup),
        }
    } else {
        None
    };
    let Some(code) = TrackingCode::parse(id) else {
        return Ok(Acted::NotFound);
    };
    let Some(shipment) = shipments::get(&state.db, &state.keys, &code).await? else {
        return Ok(Acted::NotFound);
    };
    let note = (!note.is_empty()).then_some(note);
    let moved =
        crate::handover::company_move(state, by, &shipment, to, note, pickup, Proof::Operator);
    Ok(match moved.await? {
        Changed::Done => Acted::Done,
        Changed::Refused(_) => Acted::Refused,
    })
}
