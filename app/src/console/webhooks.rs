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
    /// Who registered it and when.
    pub created: String,
    pub last_ok: String,
    /// Until when the previous secret still signs, after a rotation.
    pub previous_until: Option<String>,
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
    /// Why the endpoint just submitted was refused (the `why` of the address, said).
    pub refused: Option<String>,
}

// One checkbox field per event below: a new event needs its field.
const _: () = assert!(Event::ALL.len() == 5);

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
pub async fn console_webhooks(
    one: Option<i64>,
    why: Option<String>,
) -> Result<Option<WebhooksData>, ServerFnError> {
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
            created: format!("{}؛ {}", when(e.created_at), e.created_by),
            last_ok: e.last_ok_at.map_or_else(|| "هنوز نه".to_owned(), when),
            previous_until: e.previous_until.filter(|u| *u > state.now()).map(when),
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
                        event: Event::parse(&a.event)
                            .map_or(a.event.clone(), |e| e.label().to_owned()),
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
    let refused = why
        .as_deref()
        .and_then(ersal_server::webhooks::Refused::from_key)
        .map(|refused| refused.to_string());
    Ok(Some(WebhooksData {
        operator: operator.username,
        csrf: operator.csrf,
        endpoints,
        secret,
        attempts,
        waiting,
        refused,
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
        Err(AddError::Refused(refused)) => format!("refused&why={}", refused.key()),
    };
    leptos_axum::redirect(&format!("{}?m={said}", Route::ConsoleWebhooks.path()));
    Ok(())
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
            let said = match rotate(&state, form.id, by).await? {
                Some(rotated) => {
                    let once = &ersal_server::shown_once::WEBHOOK_SECRET;
                    let cookie = once.carry(&state, &rotated.secret);
                    crate::server::set_header(http::header::SET_COOKIE, &cookie);
                    "rotated"
                }
                None => "nothing",
            };
            leptos_axum::redirect(&format!("{page}?m={said}"));
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
        (Action::Delete, true) => format!("{}?m=deleted", Route::ConsoleWebhooks.path()),
        (_, true) => format!("{page}?m={}", form.action),
        (_, false) => format!("{page}?m=nothing"),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// What the outcome key in the address says, and whether it is good news (a refusal's reason
/// comes with the page's data).
fn outcome(key: &str) -> Option<(&'static str, bool)> {
    Some(match key {
        "added" => ("نشانی ثبت شد. رمز امضا را همین حالا در سامانهٔ خود بگذارید: دیگر نشان داده نمی‌شود.", true),
        "rotated" => ("رمز تازه ساخته شد. تا یک روز پیام‌ها با هر دو رمز امضا می‌شوند؛ رمز تازه را در سامانهٔ خود بگذارید.", true),
        "disable" => ("خاموش شد؛ پیام‌هایش تا روشن شدن فرستاده نمی‌شوند.", true),
        "enable" => ("روشن شد. برای فرستادن پیام‌های ناموفق «فرستادن دوبارهٔ ناموفق‌ها» را بزنید.", true),
        "replay" => ("پیام‌های ناموفق دوباره در صف ارسال‌اند.", true),
        "deleted" => ("نشانی و پیام‌های در صفش حذف شدند.", true),
        "nothing" => ("کاری برای انجام نبود: نشانی پیدا نشد یا پیام ناموفقی نداشت.", false),
        _ => return None,
    })
}

/// What the address says happened, and whether it is good news.
fn said() -> Option<(&'static str, bool)> {
    outcome(&use_query_map().with_untracked(|q| q.get("m"))?)
}

fn page(one: Option<i64>) -> impl IntoView {
    let why = use_query_map().with_untracked(|q| q.get("why"));
    let data = Resource::new(
        move || (one, why.clone()),
        |(one, why)| console_webhooks(one, why),
    );
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

/// The console's header; the webhooks live in its «اتصال‌ها» section, with the tokens.
pub(super) fn header(csrf: &str, operator: String) -> impl IntoView {
    view! { <Logout csrf=csrf.to_owned() operator current=Route::ConsoleTokens /> }
}
