//! The operator console: the shipping company's staff log in (`/console/login`), list and
//! filter shipments (`/console`), open one (`/console/s/{id}`) and move it through the status
//! machine. The console is server-rendered forms only (compiled for the server, never into the
//! WASM, and sent without hydration scripts); every form carries the session's CSRF token
//! (the login form is checked by its `Origin`); the console cookie is separate from the Divar
//! users' one and expires after 15 idle minutes. Opening a shipment's personal data and every
//! status change are audited; milestones are announced in the chat through the outbox.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use serde::{Deserialize, Serialize};

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

/// An operator's action on a shipment.
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
    /// A reason or note (required to cancel).
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLine {
    pub id: String,
    pub status: String,
    pub item: String,
    pub route: String,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListData {
    pub operator: String,
    pub csrf: String,
    pub counts: Vec<(String, String, i64)>,
    pub lines: Vec<ListLine>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub cities: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    pub role: String,
    pub name: String,
    pub mobile: String,
    pub city: String,
    pub address: String,
    pub handover: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentData {
    pub operator: String,
    pub csrf: String,
    pub id: String,
    pub status: String,
    pub item: String,
    pub route: String,
    pub total: String,
    pub service: String,
    pub payer: String,
    pub parties: Vec<PartyView>,
    pub purged: bool,
    pub timeline: Vec<(String, String, String, String)>,
    pub outbox: Vec<(String, String, i64)>,
    pub audit: Vec<(String, String, String)>,
    /// (status key, label) of every change allowed now.
    pub actions: Vec<(String, String)>,
    pub pickup_days: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
mod backend {
    use ersal_server::operators::{self, Operator};
    use ersal_server::AppState;
    use leptos::prelude::ServerFnError;

    use crate::server::fail;

    pub fn cookie_name(state: &AppState) -> &'static str {
        if state.config.is_dev() {
            "ersal_operator"
        } else {
            "__Host-ersal_operator"
        }
    }

    fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
        ersal_server::state::token_cookie(headers, name)
    }

    /// The logged-in operator, from the console cookie (a Divar user's cookie does not count).
    pub async fn operator(state: &AppState) -> Result<Option<Operator>, ServerFnError> {
        let headers: http::HeaderMap = leptos_axum::extract().await?;
        let Some(value) = cookie(&headers, cookie_name(state)) else {
            return Ok(None);
        };
        operators::current(&state.db, &value, state.now())
            .await
            .map_err(fail)
    }

    /// The operator, if logged in and the form's CSRF token is theirs; else `None`.
    pub async fn authorized(
        state: &AppState,
        csrf: &str,
    ) -> Result<Option<Operator>, ServerFnError> {
        Ok(operator(state).await?.filter(|o| {
            ersal_server::crypto::matches_any(csrf.as_bytes(), std::iter::once(o.csrf.as_bytes()))
        }))
    }

    pub async fn cookie_value(state: &AppState) -> Result<Option<String>, ServerFnError> {
        let headers: http::HeaderMap = leptos_axum::extract().await?;
        Ok(cookie(&headers, cookie_name(state)))
    }

    /// Sets (or, with `None`, clears) the console cookie on this response.
    pub fn set_cookie(state: &AppState, value: Option<&str>) {
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
        if let (Some(response), Ok(header)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&built.to_string()),
        ) {
            response.append_header(http::header::SET_COOKIE, header);
        }
    }

    /// Whether a login form came from our own pages (`Origin`, or `Sec-Fetch-Site`).
    pub async fn same_origin(state: &AppState) -> Result<bool, ServerFnError> {
        let headers: http::HeaderMap = leptos_axum::extract().await?;
        let ours = state.config.public_url("");
        let origin_ok = headers
            .get(http::header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(|o| o == ours.trim_end_matches('/'));
        let fetch_site_ok = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .map(|s| s == "same-origin");
        Ok(origin_ok.or(fetch_site_ok).unwrap_or(false))
    }

    pub async fn address() -> String {
        use axum::extract::ConnectInfo;
        use std::net::SocketAddr;
        leptos_axum::extract::<ConnectInfo<SocketAddr>>()
            .await
            .map_or_else(|_| "unknown".to_owned(), |c| c.0.ip().to_string())
    }
}

#[server]
pub async fn operator_login(form: LoginForm) -> Result<(), ServerFnError> {
    use crate::server::{fail, state};
    use ersal_server::operators::{self, LoginRefused};

    let state = state();
    if !backend::same_origin(&state).await? || form.username.len() > 64 || form.password.len() > 256
    {
        leptos_axum::redirect("/console/login?e=form");
        return Ok(());
    }
    let address = backend::address().await;
    match operators::login(
        &state.db,
        &form.username,
        &form.password,
        &address,
        state.now(),
    )
    .await
    .map_err(fail)?
    {
        Ok(session) => {
            backend::set_cookie(&state, Some(&session.cookie));
            tracing::info!("operator logged in");
            leptos_axum::redirect("/console");
        }
        Err(refusal) => {
            tracing::info!(?refusal, "operator login refused");
            let code = match refusal {
                LoginRefused::WrongCredentials => "wrong",
                LoginRefused::AccountLocked => "locked",
                LoginRefused::TooManyFromAddress => "address",
            };
            leptos_axum::redirect(&format!("/console/login?e={code}"));
        }
    }
    Ok(())
}

#[server]
pub async fn operator_logout(form: CsrfForm) -> Result<(), ServerFnError> {
    use crate::server::{fail, state};

    let state = state();
    if backend::authorized(&state, &form.csrf).await?.is_some() {
        if let Some(value) = backend::cookie_value(&state).await? {
            ersal_server::operators::logout(&state.db, &value)
                .await
                .map_err(fail)?;
        }
        backend::set_cookie(&state, None);
    }
    leptos_axum::redirect("/console/login");
    Ok(())
}

#[server]
pub async fn console_list(
    status: Option<String>,
    from: Option<String>,
    until: Option<String>,
    origin: Option<String>,
    destination: Option<String>,
    code: Option<String>,
    page: Option<String>,
) -> Result<Option<ListData>, ServerFnError> {
    use crate::server::{city_name, fail, state};
    use domain::jalali::JalaliDateTime;
    use domain::status::Status;
    use ersal_server::shipments::{self, Filter, PAGE_SIZE};

    let state = state();
    let Some(operator) = backend::operator(&state).await? else {
        leptos_axum::redirect("/console/login");
        return Ok(None);
    };
    let nonempty = |v: Option<String>| {
        v.map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v.len() <= 64)
    };
    // Dates as days ago: "from N days ago" .. "until N days ago".
    let days = |v: Option<String>| {
        nonempty(v)
            .and_then(|v| domain::text::normalize_digits(&v).parse::<i64>().ok())
            .filter(|d| (0..=3650).contains(d))
            .map(|d| state.now() - d * 86_400)
    };
    let city = |v: Option<String>| nonempty(v).filter(|c| state.catalog.places.find(c).is_some());
    let filter = Filter {
        status: nonempty(status).and_then(|s| Status::parse(&s)),
        from: days(from),
        until: days(until),
        origin_city: city(origin),
        destination_city: city(destination),
        code: nonempty(code)
            .map(|c| c.to_ascii_uppercase())
            .filter(|c| c.bytes().all(|b| b.is_ascii_alphanumeric())),
    };
    let page = nonempty(page)
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, 10_000);
    let (lines, total) = shipments::list(&state.db, &filter, page)
        .await
        .map_err(fail)?;
    let counts = shipments::counts(&state.db).await.map_err(fail)?;
    let name = |c: &Option<String>| {
        c.as_deref()
            .map_or_else(|| "—".to_owned(), |c| city_name(&state, c))
    };
    Ok(Some(ListData {
        operator: operator.username,
        csrf: operator.csrf,
        counts: counts
            .into_iter()
            .map(|(s, n)| (s.key().to_owned(), s.label().to_owned(), n))
            .collect(),
        lines: lines
            .into_iter()
            .map(|l| ListLine {
                route: format!("{} ← {}", name(&l.destination_city), name(&l.origin_city)),
                status: l.status.label().to_owned(),
                item: l.item,
                created: JalaliDateTime::from_unix(l.created_at).display(),
                id: l.id,
            })
            .collect(),
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        cities: state
            .catalog
            .places
            .provinces
            .iter()
            .flat_map(|p| p.cities.iter().map(|c| (c.id.clone(), c.name.clone())))
            .collect(),
    }))
}

#[cfg(feature = "ssr")]
fn handover_label(handover: domain::shipment::Handover) -> String {
    use domain::jalali::JalaliDateTime;
    use domain::shipment::Handover;
    match handover {
        Handover::CourierPickup { day, window } => {
            format!(
                "جمع‌آوری با پیک، {}، ساعت {}",
                JalaliDateTime::from_unix(day * 86_400).display_date(),
                window.label()
            )
        }
        Handover::BranchDropOff => "تحویل در شعبه".to_owned(),
        Handover::DoorDelivery => "تحویل درِ خانه".to_owned(),
        Handover::HoldAtBranch => "نگه‌داری در شعبه".to_owned(),
    }
}

#[server]
pub async fn console_shipment(id: String) -> Result<Option<ShipmentData>, ServerFnError> {
    use crate::server::{city_name, fail, state};
    use domain::jalali::JalaliDateTime;
    use domain::status::Actor;
    use ersal_server::{operators, shipments};

    let state = state();
    let Some(operator) = backend::operator(&state).await? else {
        leptos_axum::redirect("/console/login");
        return Ok(None);
    };
    if id.len() > 32 {
        return Ok(None);
    }
    let Some(shipment) = shipments::get(&state.db, &state.keys, &id)
        .await
        .map_err(fail)?
    else {
        return Ok(None);
    };
    let purged = shipments::is_purged(&state.db, &id).await.map_err(fail)?;
    if !purged {
        operators::audit(
            &state.db,
            &id,
            operator.id,
            "مشاهدهٔ اطلاعات شخصی",
            state.now(),
        )
        .await
        .map_err(fail)?;
    }
    let name = |c: &Option<String>| {
        c.as_deref()
            .map_or_else(|| "—".to_owned(), |c| city_name(&state, c))
    };
    let party = |role: &str, p: &Option<domain::shipment::Party>| {
        p.as_ref().map(|p| PartyView {
            role: role.to_owned(),
            name: p.name.as_str().to_owned(),
            mobile: p.mobile.as_str().to_owned(),
            city: city_name(&state, &p.city),
            address: [
                Some(p.address.as_str()),
                p.plaque.as_ref().map(|v| v.as_str()),
                p.unit.as_ref().map(|v| v.as_str()),
                p.floor.as_ref().map(|v| v.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("، "),
            handover: handover_label(p.handover),
        })
    };
    Ok(Some(ShipmentData {
        operator: operator.username,
        csrf: operator.csrf,
        status: shipment.status.label().to_owned(),
        item: shipment.item.description.as_str().to_owned(),
        route: format!(
            "{} ← {}",
            name(&shipment.destination_city),
            name(&shipment.origin_city)
        ),
        total: shipment.quote_total.display_tomans(),
        service: shipment.service.label().to_owned(),
        payer: shipment.payer.label().to_owned(),
        parties: [
            party("فرستنده", &shipment.parties.sender),
            party("گیرنده", &shipment.parties.receiver),
        ]
        .into_iter()
        .flatten()
        .collect(),
        purged,
        timeline: shipment
            .events
            .iter()
            .map(|e| {
                (
                    e.status.label().to_owned(),
                    JalaliDateTime::from_unix(e.at).display(),
                    e.actor.clone(),
                    e.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        outbox: ersal_server::chat::outbox_of(&state.db, &id)
            .await
            .map_err(fail)?,
        audit: operators::audit_trail(&state.db, &id)
            .await
            .map_err(fail)?
            .into_iter()
            .map(|(who, at, what)| (who, JalaliDateTime::from_unix(at).display(), what))
            .collect(),
        actions: shipment
            .status
            .next()
            .iter()
            .filter(|s| shipment.status.can_become(**s, Actor::Operator))
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        pickup_days: crate::server::pickup_days(state.now())
            .into_iter()
            .map(|d| (d, JalaliDateTime::from_unix(d * 86_400).display_date()))
            .collect(),
        id: shipment.id,
    }))
}

/// Moves a shipment as an operator. Anything the status machine does not allow is refused with
/// a message, and nothing changes or is sent.
#[server]
pub async fn operator_act(form: ActForm) -> Result<(), ServerFnError> {
    use crate::server::{fail, state};
    use domain::shipment::PickupWindow;
    use domain::status::{Actor, Status};
    use ersal_server::shipments::{self, Change, TransitionError};
    use ersal_server::{chat, operators};

    let state = state();
    let Some(operator) = backend::authorized(&state, &form.csrf).await? else {
        leptos_axum::redirect("/console/login");
        return Ok(());
    };
    let back = |message: &str| format!("/console/s/{}?m={message}", form.id);
    let Some(to) = Status::parse(&form.to) else {
        leptos_axum::redirect(&back("forbidden"));
        return Ok(());
    };
    let note = form.note.trim().chars().take(200).collect::<String>();
    if to == Status::Cancelled && note.is_empty() {
        leptos_axum::redirect(&back("reason"));
        return Ok(());
    }
    let pickup = if to == Status::PickupScheduled {
        let day = form
            .day
            .parse::<i64>()
            .ok()
            .filter(|d| crate::server::pickup_days(state.now()).contains(d));
        match day.zip(PickupWindow::parse(&form.window)) {
            Some(pickup) => Some(pickup),
            None => {
                leptos_axum::redirect(&back("pickup"));
                return Ok(());
            }
        }
    } else {
        None
    };
    let Some(shipment) = shipments::get(&state.db, &state.keys, &form.id)
        .await
        .map_err(fail)?
    else {
        leptos_axum::redirect("/console");
        return Ok(());
    };
    let mut text = format!("«{}»: {}.", shipment.item.description.as_str(), to.label());
    if let Some((day, window)) = pickup {
        text.push_str(&format!(
            " جمع‌آوری {}، ساعت {}.",
            domain::jalali::JalaliDateTime::from_unix(day * 86_400).display_date(),
            window.label()
        ));
    }
    text.push_str(&format!(" کد پیگیری: {}", shipment.id));
    let message = shipment.conversation_id.clone().map(|c| {
        (
            c.clone(),
            chat::milestone_message(&state.keys, &shipment.id, &c, text),
        )
    });
    let change = Change {
        to,
        actor: Actor::Operator,
        note: (!note.is_empty()).then_some(note.clone()),
        pickup,
        message,
    };
    match shipments::transition(&state.db, &shipment.id, change, state.now()).await {
        Ok(from) => {
            let what = format!(
                "{} ← {}{}",
                to.label(),
                from.label(),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(" ({note})")
                }
            );
            operators::audit(&state.db, &shipment.id, operator.id, &what, state.now())
                .await
                .map_err(fail)?;
            leptos_axum::redirect(&back("done"));
        }
        Err(TransitionError::Forbidden { .. } | TransitionError::NotFound) => {
            leptos_axum::redirect(&back("forbidden"))
        }
        Err(TransitionError::Db(cause)) => return Err(fail(cause)),
    }
    Ok(())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let login = ServerAction::<OperatorLogin>::new();
    let error = move || {
        query.with(|q| q.get("e")).map(|e| match e.as_str() {
            "locked" => "این حساب به‌خاطر تلاش‌های نادرست پیاپی ۱۵ دقیقه قفل است.",
            "address" => "از این نشانی تلاش نادرست زیادی شده است؛ کمی بعد دوباره تلاش کنید.",
            "form" => "فرم را از همین صفحه بفرستید.",
            _ => "نام کاربری یا گذرواژه درست نیست.",
        })
    };
    view! {
        <section class="card" aria-labelledby="login-title">
            <h1 id="login-title">"ورود کارکنان"</h1>
            {move || error().map(|m| view! { <p class="error-summary" role="alert">{m}</p> })}
            <ActionForm action=login>
                <div class="field">
                    <label for="username">"نام کاربری"</label>
                    <input id="username" type="text" name="form[username]" autocomplete="username" required />
                </div>
                <div class="field">
                    <label for="password">"گذرواژه"</label>
                    <input id="password" type="password" name="form[password]" autocomplete="current-password" required />
                </div>
                <button class="button" type="submit">"ورود"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Logout(csrf: String, operator: String) -> impl IntoView {
    let logout = ServerAction::<OperatorLogout>::new();
    view! {
        <nav class="card footer-links" aria-label="حساب">
            <span>"کاربر: " {operator}</span>
            <a href="/console">"فهرست مرسوله‌ها"</a>
            <ActionForm action=logout>
                <input type="hidden" name="form[csrf]" value=csrf />
                <button class="button secondary" type="submit">"خروج"</button>
            </ActionForm>
        </nav>
    }
}

#[component]
pub fn ConsolePage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || query.get(),
        |q| {
            console_list(
                q.get("status"),
                q.get("from"),
                q.get("until"),
                q.get("origin"),
                q.get("destination"),
                q.get("code"),
                q.get("page"),
            )
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(Some(list)) => view! { <ListView list /> }.into_any(),
                    _ => view! { <p class="card"><a href="/console/login">"ورود کارکنان"</a></p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListView(list: ListData) -> impl IntoView {
    let ListData {
        operator,
        csrf,
        counts,
        lines,
        total,
        page,
        pages,
        cities,
    } = list;
    let city_options = move |label: &'static str,
                             name: &'static str,
                             cities: Vec<(String, String)>| {
        view! {
            <div class="field">
                <label for=format!("q-{name}")>{label}</label>
                <select id=format!("q-{name}") name=name>
                    <option value="">"همه"</option>
                    {cities.into_iter().map(|(id, city)| view! { <option value=id>{city}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <Logout csrf operator />
        <section class="card">
            <h1>"مرسوله‌ها"</h1>
            <ul class="counts" data-testid="counts">
                {counts.into_iter().map(|(key, label, n)| view! {
                    <li><a href=format!("/console?status={key}")>{label}": "{domain::text::persian_digits(&n.to_string())}</a></li>
                }).collect_view()}
            </ul>
            <form method="get" action="/console" class="filters">
                <div class="field">
                    <label for="q-status">"وضعیت"</label>
                    <select id="q-status" name="status">
                        <option value="">"همه"</option>
                        {domain::status::Status::ALL.into_iter().map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="q-code">"کد پیگیری"</label>
                    <input id="q-code" type="text" name="code" />
                </div>
                <div class="field">
                    <label for="q-from">"از چند روز پیش"</label>
                    <input id="q-from" type="text" name="from" inputmode="numeric" />
                </div>
                <div class="field">
                    <label for="q-until">"تا چند روز پیش"</label>
                    <input id="q-until" type="text" name="until" inputmode="numeric" />
                </div>
                {city_options("مبدأ", "origin", cities.clone())}
                {city_options("مقصد", "destination", cities)}
                <button class="button" type="submit">"جست‌وجو"</button>
            </form>
            <p>{format!("{} مرسوله", domain::text::persian_digits(&total.to_string()))}</p>
            <table class="list">
                <thead>
                    <tr><th scope="col">"کد"</th><th scope="col">"وضعیت"</th><th scope="col">"کالا"</th><th scope="col">"مسیر"</th><th scope="col">"ثبت"</th></tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr>
                            <td dir="ltr"><a href=format!("/console/s/{}", l.id)>{l.id.clone()}</a></td>
                            <td>{l.status}</td>
                            <td>{l.item}</td>
                            <td>{l.route}</td>
                            <td>{l.created}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="pages" aria-label="صفحه‌ها">
                {(page > 0).then(|| view! { <a href=format!("/console?page={}", page - 1)>"صفحهٔ قبل"</a> })}
                {(page + 1 < pages).then(|| view! { <a href=format!("/console?page={}", page + 1)>"صفحهٔ بعد"</a> })}
            </nav>
        </section>
    }
}

/// Picks the console page for the path: `/console`, `/console/login`, `/console/s/{id}`.
#[component]
pub fn ConsoleRoutes() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    match path.trim_end_matches('/') {
        "/console" => view! { <ConsolePage /> }.into_any(),
        "/console/login" => view! { <LoginPage /> }.into_any(),
        other => match other.strip_prefix("/console/s/") {
            Some(id) if !id.contains('/') => {
                view! { <ConsoleShipmentPage id=id.to_owned() /> }.into_any()
            }
            _ => view! { <p class="card">"صفحه پیدا نشد. " <a href="/console">"فهرست"</a></p> }
                .into_any(),
        },
    }
}

#[component]
pub fn ConsoleShipmentPage(id: String) -> impl IntoView {
    let query = use_query_map();
    let act = ServerAction::<OperatorAct>::new();
    let shipment = Resource::new(
        move || (id.clone(), act.version().get()),
        |(id, _)| console_shipment(id),
    );
    let message = move || {
        query.with(|q| q.get("m")).map(|m| match m.as_str() {
            "done" => "انجام شد.",
            "reason" => "برای لغو، دلیل را بنویسید.",
            "pickup" => "روز و بازهٔ جمع‌آوری را انتخاب کنید.",
            _ => "این تغییر در وضعیت کنونی مجاز نیست؛ چیزی تغییر نکرد.",
        })
    };
    view! {
        {move || message().map(|m| view! { <p class="card note" role="status" data-testid="console-message">{m}</p> })}
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match shipment.await {
                    Ok(Some(view)) => view! { <ShipmentView view act /> }.into_any(),
                    _ => view! { <p class="card">"مرسوله پیدا نشد. " <a href="/console">"فهرست"</a></p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ShipmentView(view: ShipmentData, act: ServerAction<OperatorAct>) -> impl IntoView {
    let ShipmentData {
        operator,
        csrf,
        id,
        status,
        item,
        route,
        total,
        service,
        payer,
        parties,
        purged,
        timeline,
        outbox,
        audit,
        actions,
        pickup_days,
    } = view;
    let action_forms = actions
        .into_iter()
        .map(|(key, label)| {
            let (csrf, id) = (csrf.clone(), id.clone());
            let schedule = key == "pickup_scheduled";
            let days = pickup_days.clone();
            view! {
                <ActionForm action=act>
                    <input type="hidden" name="form[csrf]" value=csrf />
                    <input type="hidden" name="form[id]" value=id />
                    <input type="hidden" name="form[to]" value=key.clone() />
                    {schedule.then(|| view! {
                        <label for="act-day">"روز"</label>
                        <select id="act-day" name="form[day]">
                            {days.into_iter().map(|(d, l)| view! { <option value=d.to_string()>{l}</option> }).collect_view()}
                        </select>
                        <label for="act-window">"بازه"</label>
                        <select id="act-window" name="form[window]">
                            {domain::shipment::PickupWindow::ALL.into_iter().map(|w| view! { <option value=w.key()>{w.label()}</option> }).collect_view()}
                        </select>
                    })}
                    <label for=format!("note-{key}")>"یادداشت / دلیل"</label>
                    <input id=format!("note-{key}") type="text" name="form[note]" />
                    <button class="button" type="submit">{label}</button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <Logout csrf=csrf.clone() operator />
        <section class="card">
            <h1 dir="ltr">{id.clone()}</h1>
            <dl class="facts">
                <dt>"وضعیت"</dt><dd data-testid="console-status">{status}</dd>
                <dt>"کالا"</dt><dd>{item}</dd>
                <dt>"مسیر"</dt><dd>{route}</dd>
                <dt>"سرویس"</dt><dd>{service}</dd>
                <dt>"پرداخت"</dt><dd>{payer}</dd>
                <dt>"هزینه"</dt><dd>{total}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"دو طرف"</h2>
            {if purged {
                view! { <p>"اطلاعات شخصی این مرسوله طبق دورهٔ نگهداری پاک شده است."</p> }.into_any()
            } else {
                parties.into_iter().map(|p| view! {
                    <dl class="facts">
                        <dt>{p.role}</dt><dd>{p.name}</dd>
                        <dt>"همراه"</dt><dd dir="ltr">{p.mobile}</dd>
                        <dt>"نشانی"</dt><dd>{p.city}"، "{p.address}</dd>
                        <dt>"تحویل"</dt><dd>{p.handover}</dd>
                    </dl>
                }).collect_view().into_any()
            }}
        </section>
        <section class="card">
            <h2>"تغییر وضعیت"</h2>
            <div class="actions">{action_forms}</div>
        </section>
        <section class="card">
            <h2>"سابقه"</h2>
            <ol class="timeline">
                {timeline.into_iter().map(|(label, when, who, note)| view! {
                    <li><strong>{label}</strong><span class="muted">{when}" · "{who}" "{note}</span></li>
                }).collect_view()}
            </ol>
        </section>
        <section class="card">
            <h2>"پیام‌های گفتگو"</h2>
            <ul data-testid="outbox">
                {outbox.into_iter().map(|(state, at, attempts)| view! {
                    <li>{state}" · "{at}" · تلاش‌ها: "{domain::text::persian_digits(&attempts.to_string())}</li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>"رویدادنگار"</h2>
            <ul data-testid="audit">
                {audit.into_iter().map(|(who, at, what)| view! { <li>{who}" · "{at}" · "{what}</li> }).collect_view()}
            </ul>
        </section>
    }
}
