//! `/console/webhooks`: the endpoints the company's systems receive webhooks at
//! (docs/webhooks.md). Register one with its events (its signing secret is shown once, as an
//! API token is); `/console/webhooks/{id}` shows one endpoint's log of attempts and turns it
//! off or on, replays its failed messages, rotates its secret or deletes it.

use domain::routes::Route;
use domain::webhook::Event;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use super::Logout;
use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointLine {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub personal: bool,
    /// How it stands, for people: on, failing since…, off and why.
    pub state: String,
    pub on: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptLine {
    pub at: String,
    pub event: String,
    pub subject: String,
    pub attempt: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksData {
    pub operator: String,
    pub csrf: String,
    pub endpoints: Vec<EndpointLine>,
    /// The secret just made, shown this once.
    pub secret: Option<String>,
    /// One endpoint's page: its log, and how many messages wait and failed.
    pub attempts: Vec<AttemptLine>,
    pub waiting: (String, String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointForm {
    pub csrf: String,
    #[serde(default)]
    pub url: String,
    /// Checkboxes, one per event in [`Event::ALL`]'s order: present when ticked.
    pub e0: Option<String>,
    pub e1: Option<String>,
    pub e2: Option<String>,
    pub e3: Option<String>,
    pub e4: Option<String>,
    pub personal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointAction {
    pub csrf: String,
    pub id: i64,
    /// `rotate`, `disable`, `enable`, `replay` or `delete`.
    pub action: String,
}

/// The endpoints, with endpoint `one`'s log when it is given.
#[server(endpoint = "console/webhooks")]
pub async fn console_webhooks(one: Option<i64>) -> Result<Option<WebhooksData>, ServerFnError> {
    use domain::text::persian_digits;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let once = &ersal_server::shown_once::WEBHOOK_SECRET;
    let secret = once.take(&state, &crate::server::headers().await?);
    if secret.is_some() {
        crate::server::set_header(http::header::SET_COOKIE, &once.clear(&state));
    }
    let when = |at: i64| domain::jalali::JalaliDateTime::from_unix(at).display();
    let all = ersal_server::webhooks::endpoints(&state).await?;
    let endpoints = all
        .into_iter()
        .filter(|e| one.is_none_or(|id| id == e.id))
        .map(|e| EndpointLine {
            state: match (&e.disabled_reason, e.failing_since) {
                (Some(reason), _) => format!("خاموش: {reason}"),
                (None, Some(since)) => format!("روشن؛ ناموفق از {}", when(since)),
                (None, None) => "روشن".to_owned(),
            },
            on: e.disabled_at.is_none(),
            events: e
                .events
                .iter()
                .map(|e| e.label())
                .collect::<Vec<_>>()
                .join("، "),
            personal: e.personal,
            url: e.url,
            id: e.id,
        })
        .collect();
    let (attempts, waiting) = match one {
        Some(id) => {
            let (logged, (pending, failed)) = ersal_server::webhooks::log(&state, id).await?;
            let lines = logged
                .into_iter()
                .map(|a| {
                    let outcome = domain::webhook::Outcome::parse(&a.outcome);
                    let label = outcome.map_or("—", |o| o.label());
                    AttemptLine {
                        at: when(a.at_ms / 1000),
                        event: a.event,
                        subject: a.subject,
                        attempt: persian_digits(&a.attempt.to_string()),
                        outcome: match a.status {
                            Some(status) => {
                                format!("{label} ({})", persian_digits(&status.to_string()))
                            }
                            None => label.to_owned(),
                        },
                    }
                })
                .collect();
            let count = |n: i64| persian_digits(&n.to_string());
            (lines, (count(pending), count(failed)))
        }
        None => (Vec::new(), (String::new(), String::new())),
    };
    Ok(Some(WebhooksData {
        operator: operator.username,
        csrf: operator.csrf,
        endpoints,
        secret,
        attempts,
        waiting,
    }))
}

#[server(endpoint = "console/webhooks/add")]
pub async fn webhook_add(form: EndpointForm) -> Result<(), ServerFnError> {
    use ersal_server::webhooks::{add, AddError};

    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let ticked = [&form.e0, &form.e1, &form.e2, &form.e3, &form.e4];
    let events: Vec<Event> = Event::ALL
        .iter()
        .zip(ticked)
        .filter_map(|(event, on)| on.is_some().then_some(*event))
        .collect();
    let added = add(
        &state,
        &form.url,
        &events,
        form.personal.is_some(),
        &operator.username,
    )
    .await;
    let said = match added {
        Ok(added) => {
            let cookie = ersal_server::shown_once::WEBHOOK_SECRET.carry(&state, &added.secret);
            crate::server::set_header(http::header::SET_COOKIE, &cookie);
            "added".to_owned()
        }
        Err(AddError::App(cause)) => return Err(cause.into()),
        Err(refused) => format!("refused&why={}", refusal_key(&refused)),
    };
    leptos_axum::redirect(&format!("{}?m={said}", Route::ConsoleWebhooks.path()));
    Ok(())
}

#[cfg(feature = "ssr")]
fn refusal_key(refused: &ersal_server::webhooks::AddError) -> &'static str {
    use ersal_server::{egress::Refusal, webhooks::AddError};
    match refused {
        AddError::Url(Refusal::NotUrl) => "url",
        AddError::Url(Refusal::NotHttps) => "https",
        AddError::Url(Refusal::Credentials) => "credentials",
        AddError::Url(Refusal::NotPublic) => "public",
        AddError::Url(Refusal::NoSuchName) => "name",
        AddError::NoEvents => "events",
        AddError::TooMany | AddError::App(_) => "many",
    }
}

#[server(endpoint = "console/webhooks/act")]
pub async fn webhook_act(form: EndpointAction) -> Result<(), ServerFnError> {
    use ersal_server::webhooks::{act, rotate, Action};

    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let by = operator.username.as_str();
    let page = Route::ConsoleWebhook.with(&form.id.to_string());
    let action = match form.action.as_str() {
        "rotate" => {
            if let Some(rotated) = rotate(&state, form.id, by).await? {
                let cookie =
                    ersal_server::shown_once::WEBHOOK_SECRET.carry(&state, &rotated.secret);
                crate::server::set_header(http::header::SET_COOKIE, &cookie);
            }
            leptos_axum::redirect(&format!("{page}?m=rotated"));
            return Ok(());
        }
        "disable" => Action::Disable,
        "enable" => Action::Enable,
        "replay" => Action::Replay,
        "delete" => Action::Delete,
        _ => return Err(ServerFnError::new("unknown action")),
    };
    let done = act(&state, form.id, action, by).await?;
    let target = match (action, done) {
        (Action::Delete, _) => format!("{}?m=deleted", Route::ConsoleWebhooks.path()),
        (_, true) => format!("{page}?m={}", form.action),
        (_, false) => format!("{page}?m=nothing"),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// What the outcome key in the address says, and whether it is good news.
fn outcome(key: &str, why: Option<&str>) -> Option<(&'static str, bool)> {
    Some(match key {
        "added" => ("نشانی ثبت شد. رمز امضا را همین حالا در سامانهٔ خود بگذارید: دیگر نشان داده نمی‌شود.", true),
        "rotated" => ("رمز تازه ساخته شد. تا یک روز پیام‌ها با هر دو رمز امضا می‌شوند؛ رمز تازه را در سامانهٔ خود بگذارید.", true),
        "disable" => ("خاموش شد؛ پیام‌هایش تا روشن شدن فرستاده نمی‌شوند.", true),
        "enable" => ("روشن شد. برای فرستادن پیام‌های ناموفق «فرستادن دوبارهٔ ناموفق‌ها» را بزنید.", true),
        "replay" => ("پیام‌های ناموفق دوباره در صف ارسال‌اند.", true),
        "deleted" => ("نشانی و پیام‌های در صفش حذف شدند.", true),
        "nothing" => ("کاری برای انجام نبود.", false),
        "refused" => (
            match why {
                Some("https") => "نشانی باید https باشد.",
                Some("credentials") => "نشانی نباید نام کاربری یا رمز داشته باشد.",
                Some("public") => "این نشانی به این دستگاه یا شبکه‌ای خصوصی می‌رسد؛ فقط نشانی‌های عمومی اینترنت پذیرفته می‌شوند.",
                Some("name") => "نام این نشانی پیدا نشد.",
                Some("events") => "دست‌کم یک رویداد را انتخاب کنید.",
                Some("many") => "بیش از ۲۰ نشانی نمی‌شود ثبت کرد؛ یکی را حذف کنید.",
                _ => "نشانی وب‌هوک باید یک URL کامل باشد.",
            },
            false,
        ),
        _ => return None,
    })
}

/// What the address says happened, and whether it is good news.
fn said() -> Option<(&'static str, bool)> {
    let (key, why) = use_query_map().with_untracked(|q| (q.get("m"), q.get("why")));
    outcome(&key?, why.as_deref())
}

fn page(one: Option<i64>) -> impl IntoView {
    let data = Resource::new(move || one, console_webhooks);
    let said = said();
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(data)) if one.is_some() && data.endpoints.is_empty() => view! { <p class="card">"این نشانی پیدا نشد. " <a href=Route::ConsoleWebhooks.path()>"همهٔ نشانی‌ها"</a></p> }.into_any(),
                    Ok(Some(data)) => view! { <super::webhook_views::WebhooksView data said one /> }.into_any(),
                    Ok(None) => view! { <p class="card"><a href=Route::ConsoleLogin.path()>"ورود کارکنان"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    page(None)
}

#[component]
pub fn WebhookPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()));
    page(Some(id.unwrap_or(0)))
}

/// Logout, shared by the views.
pub(super) fn header(csrf: &str, operator: String) -> impl IntoView {
    view! { <Logout csrf=csrf.to_owned() operator current=Route::ConsoleTokens /> }
}
