//! `/console/tokens`: the operator API's tokens (docs/api.md). Issue one with a name and its
//! scopes: the token is shown once, on this page, carried there by a sealed cookie (never in an
//! address); list them with their last use; revoke one, effective from its next call.

use domain::api::Scope;
use domain::routes::Route;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::Logout;
use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLine {
    pub name: String,
    pub scopes: Vec<String>,
    pub created: String,
    pub last_used: String,
    pub live: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensData {
    pub operator: String,
    pub csrf: String,
    pub tokens: Vec<TokenLine>,
    /// The token just issued, shown this once.
    pub issued: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenForm {
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    /// Checkboxes: present when ticked.
    pub read: Option<String>,
    pub moves: Option<String>,
    pub personal: Option<String>,
}

#[server(endpoint = "console/tokens")]
pub async fn console_tokens() -> Result<Option<TokensData>, ServerFnError> {
    use ersal_server::api::tokens;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let once = &ersal_server::shown_once::API_TOKEN;
    let issued = once.take(&state, &crate::server::headers().await?);
    if issued.is_some() {
        crate::server::set_header(http::header::SET_COOKIE, &once.clear(&state));
    }
    let when = |at: i64| domain::jalali::JalaliDateTime::from_unix(at).display();
    let lines = tokens::list(&state.db)
        .await
        .map_err(ersal_server::AppError::from)?;
    let tokens = lines
        .into_iter()
        .map(|t| TokenLine {
            scopes: domain::api::parse_scopes(&t.scopes)
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.label().to_owned())
                .collect(),
            created: format!("{}؛ {}", when(t.created_at), t.created_by),
            last_used: t.last_used_at.map_or_else(|| "هنوز نه".to_owned(), when),
            live: t.revoked_at.is_none(),
            name: t.name,
        })
        .collect();
    Ok(Some(TokensData {
        operator: operator.username,
        csrf: operator.csrf,
        tokens,
        issued,
    }))
}

#[server(endpoint = "console/tokens/add")]
pub async fn token_add(form: TokenForm) -> Result<(), ServerFnError> {
    use ersal_server::api::tokens::{issue_in_console, IssueError};

    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let scopes: Vec<Scope> = [
        (form.read.is_some(), Scope::ShipmentsRead),
        (form.moves.is_some(), Scope::ShipmentsMove),
        (form.personal.is_some(), Scope::PersonalRead),
    ]
    .into_iter()
    .filter_map(|(on, scope)| on.then_some(scope))
    .collect();
    let said = match issue_in_console(&state, &operator, form.name.trim(), &scopes).await {
        Ok(cookie) => {
            crate::server::set_header(http::header::SET_COOKIE, &cookie);
            "issued"
        }
        Err(IssueError::BadName) => "bad-name",
        Err(IssueError::NoScope) => "no-scope",
        Err(IssueError::NameTaken(_)) => "taken",
        Err(IssueError::Store(cause)) => return Err(ersal_server::AppError::from(cause).into()),
    };
    leptos_axum::redirect(&format!("{}?m={said}", Route::ConsoleTokens.path()));
    Ok(())
}

#[server(endpoint = "console/tokens/revoke")]
pub async fn token_revoke(form: TokenForm) -> Result<(), ServerFnError> {
    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let revoked =
        ersal_server::api::tokens::revoke_in_console(&state, &operator, form.name.trim()).await;
    let said = if revoked.map_err(ersal_server::AppError::from)? {
        "revoked"
    } else {
        "not-live"
    };
    leptos_axum::redirect(&format!("{}?m={said}", Route::ConsoleTokens.path()));
    Ok(())
}

/// What the outcome key in the address says, and whether it is good news.
fn outcome(key: &str) -> Option<(&'static str, bool)> {
    Some(match key {
        "issued" => (
            "توکن ساخته شد. همین حالا آن را در سامانهٔ خود بگذارید: دیگر نشان داده نمی‌شود.",
            true,
        ),
        "revoked" => ("توکن باطل شد؛ از درخواست بعدی‌اش پذیرفته نمی‌شود.", true),
        "bad-name" => ("نام توکن: ۱ تا ۴۰ حرف و رقم لاتین، «-»، «_» یا «.».", false),
        "no-scope" => ("دست‌کم یک دسترسی را انتخاب کنید.", false),
        "taken" => ("توکنی با این نام هست؛ نام دیگری بنویسید.", false),
        "not-live" => ("توکنی زنده با این نام نیست.", false),
        _ => return None,
    })
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let said = use_query_map()
        .with_untracked(|q| q.get("m"))
        .and_then(|m| outcome(&m));
    let data = Resource::new(|| (), |()| console_tokens());
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(data)) => view! { <TokensView data said /> }.into_any(),
                    Ok(None) => view! { <p class="card"><a href=Route::ConsoleLogin.path()>"ورود کارکنان"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokensView(data: TokensData, said: Option<(&'static str, bool)>) -> impl IntoView {
    let add = ServerAction::<TokenAdd>::new();
    let revoke = ServerAction::<TokenRevoke>::new();
    let TokensData {
        operator,
        csrf,
        tokens,
        issued,
    } = data;
    let said = said.map(|(text, good)| {
        let class = if good { "note" } else { "field-error" };
        let role = if good { "status" } else { "alert" };
        view! { <p class=class role=role data-testid="tokens-message">{text}</p> }
    });
    let issued = issued.map(|token| view! {
        <section class="card" aria-labelledby="issued-title" data-testid="issued-token">
            <h2 id="issued-title">"توکن تازه"</h2>
            <p><code dir="ltr" class="secret">{token}</code></p>
            <p class="note">"این توکن فقط همین یک بار نشان داده می‌شود و جایی نگه داشته نمی‌شود. اگر گم شد، توکن تازه بسازید و این را باطل کنید."</p>
        </section>
    });
    let none = tokens.is_empty();
    let rows = tokens.into_iter().map(|t| {
        let state = if t.live { "فعال" } else { "باطل‌شده" };
        let (csrf, name) = (csrf.clone(), t.name.clone());
        let form = t.live.then(move || view! {
            <ActionForm action=revoke>
                <input type="hidden" name="form[csrf]" value=csrf />
                <input type="hidden" name="form[name]" value=name.clone() />
                <button class="button danger" type="submit">"باطل کردن "<bdi dir="ltr">{name}</bdi></button>
            </ActionForm>
        });
        view! {
            <tr data-testid="token-row">
                <td><bdi dir="ltr">{t.name}</bdi></td>
                <td>{t.scopes.join("، ")}</td>
                <td>{t.created}</td>
                <td>{t.last_used}</td>
                <td>{state}</td>
                <td>{form}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <Logout csrf=csrf.clone() operator current=Route::ConsoleTokens />
        {said}
        {issued}
        <section class="card" aria-labelledby="tokens-title">
            <h1 id="tokens-title">"اتصال سامانه‌های شرکت (API)"</h1>
            <p>"سامانه‌های خود شرکت با این توکن‌ها مرسوله‌ها را می‌خوانند و جابه‌جا می‌کنند. راهنمای برنامه‌نویسان: "<bdi dir="ltr">"docs/api.md"</bdi>"؛ سند OpenAPI: "<a href=Route::ApiDocument.path()><bdi dir="ltr">"/api/v1/openapi.json"</bdi></a>"؛ خبر رویدادها به سامانهٔ شرکت: "<a href=Route::ConsoleWebhooks.path()>"وب‌هوک‌ها"</a></p>
            {none.then(|| view! { <p class="note" data-testid="no-tokens">"هنوز توکنی ساخته نشده است."</p> })}
            {(!none).then(|| view! {
                <div class="table-wrap">
                    <table class="list">
                        <thead><tr><th scope="col">"نام"</th><th scope="col">"دسترسی‌ها"</th><th scope="col">"ساخته‌شده"</th><th scope="col">"آخرین استفاده"</th><th scope="col">"وضعیت"</th><th scope="col">"کار"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
        </section>
        <section class="card" aria-labelledby="new-token-title">
            <h2 id="new-token-title">"توکن تازه"</h2>
            <ActionForm action=add>
                <input type="hidden" name="form[csrf]" value=csrf />
                <label for="token-name">"نام (لاتین، مثلاً warehouse)"</label>
                <input id="token-name" type="text" name="form[name]" dir="ltr" maxlength="40" pattern="[A-Za-z0-9._\\-]+" autocomplete="off" required />
                <fieldset>
                    <legend>"دسترسی‌ها"</legend>
                    <label class="choice"><input type="checkbox" name="form[read]" value="on" checked /><span class="choice-text">{Scope::ShipmentsRead.label()}</span></label>
                    <label class="choice"><input type="checkbox" name="form[moves]" value="on" /><span class="choice-text">{Scope::ShipmentsMove.label()}</span></label>
                    <label class="choice"><input type="checkbox" name="form[personal]" value="on" /><span class="choice-text">{Scope::PersonalRead.label()}</span></label>
                </fieldset>
                <button class="button" type="submit">"ساختن توکن"</button>
            </ActionForm>
        </section>
    }
}
