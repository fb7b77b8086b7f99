//! `/console`: the day at a glance ([`super::dashboard`]), then shipments with counts per
//! status, filters and paging.

use domain::routes::Route;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use ersal_server::console::ListQuery;

use super::{Logout, DIRECT_LINK};
use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLine {
    pub id: String,
    pub status: String,
    /// The status's key (its badge's colour).
    pub status_key: String,
    /// The company must act next.
    pub needs_action: bool,
    pub item: String,
    pub route: String,
    pub created: String,
    pub direct_link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListData {
    pub operator: String,
    pub csrf: String,
    /// (status key, label, how many).
    pub counts: Vec<(String, String, i64)>,
    pub lines: Vec<ListLine>,
    pub total: i64,
    /// The previous and next pages, with the same filters.
    pub previous: Option<String>,
    pub next: Option<String>,
    /// (city id, name), for the origin and destination filters.
    pub cities: Vec<(String, String)>,
    /// Divar's API budget is running low: the support bot and post reads wait.
    pub budget_low: bool,
    /// Some filter is set (the filters start open, with a way to clear them).
    pub filtered: bool,
}

#[server(endpoint = "console/list")]
pub async fn console_list(query: ListQuery) -> Result<Option<ListData>, ServerFnError> {
    use domain::jalali::JalaliDateTime;
    use ersal_server::chat::texts::route;
    use ersal_server::console;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let page = console::list(&state, &query).await?;
    let name = |c: &Option<String>| state.city_name(c.as_deref());
    Ok(Some(ListData {
        operator: operator.username,
        csrf: operator.csrf,
        counts: page
            .counts
            .into_iter()
            .map(|(s, n)| (s.key().to_owned(), s.label().to_owned(), n))
            .collect(),
        lines: page
            .lines
            .into_iter()
            .map(|l| ListLine {
                route: route(&name(&l.origin_city), &name(&l.destination_city)),
                status: l.status.label().to_owned(),
                status_key: l.status.key().to_owned(),
                needs_action: l.status.waits_on_company(),
                item: l.item,
                created: JalaliDateTime::from_unix(l.created_at).display(),
                id: l.id,
                direct_link: l.direct_link,
            })
            .collect(),
        total: page.total,
        previous: (page.page > 0).then(|| query.href(page.page - 1)),
        next: (page.page + 1 < page.pages).then(|| query.href(page.page + 1)),
        cities: state
            .catalog
            .places
            .provinces
            .iter()
            .flat_map(|p| p.cities.iter().map(|c| (c.id.clone(), c.name.clone())))
            .collect(),
        budget_low: page.budget_low,
        filtered: [
            &query.status,
            &query.from,
            &query.until,
            &query.origin,
            &query.destination,
            &query.code,
        ]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty())),
    }))
}

#[component]
pub fn ListPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || query.get(),
        |q| {
            console_list(ListQuery {
                status: q.get("status"),
                from: q.get("from"),
                until: q.get("until"),
                origin: q.get("origin"),
                destination: q.get("destination"),
                code: q.get("code"),
                page: q.get("page"),
            })
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(Some(list)) => view! { <ListView list /> }.into_any(),
                    Ok(None) => view! { <p class="card"><a href=Route::ConsoleLogin.path()>"ورود کارکنان"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
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
        previous,
        next,
        cities,
        budget_low,
        filtered,
    } = list;
    let clear = move || {
        filtered.then(|| view! {
            <a class="tap" href=Route::Console.path() data-testid="clear-filters">"پاک کردن فیلترها"</a>
        })
    };
    let empty = lines.is_empty();
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
        {budget_low.then(|| view! {
            <p class="card note" role="status" data-testid="budget-low">
                "سهمیهٔ تماس با دیوار رو به پایان است: پاسخ‌های بات پشتیبانی و خواندن آگهی‌ها فعلاً منتظر می‌مانند تا پیام‌های ارسال در گفتگو فرستاده شوند."
            </p>
        })}
        <super::dashboard::DayCard />
        <section class="card">
            <h2>"مرسوله‌ها"</h2>
            <ul class="counts" data-testid="counts">
                {counts.into_iter().map(|(key, label, n)| view! {
                    <li><a href=format!("{}?status={key}", Route::Console.path())>{label}": "{domain::text::persian_digits(&n.to_string())}</a></li>
                }).collect_view()}
            </ul>
            <details class="filter-box" open=filtered>
            <summary>"جست‌وجو و فیلتر"</summary>
            <form method="get" action=Route::Console.path() class="filters">
                <div class="field">
                    <label for="q-status">"وضعیت"</label>
                    <select id="q-status" name="status">
                        <option value="">"همه"</option>
                        {domain::status::Status::ALL.iter().map(|&s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
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
            </details>
            <p>{format!("{} مرسوله", domain::text::persian_digits(&total.to_string()))} " " {clear()}</p>
            {empty.then(|| view! { <p>"مرسوله‌ای با این فیلترها نیست."</p> })}
            <table class="list">
                <thead>
                    <tr><th scope="col">"کد"</th><th scope="col">"وضعیت"</th><th scope="col">"کالا"</th><th scope="col">"مسیر"</th><th scope="col">"ثبت"</th></tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr>
                            <td dir="ltr"><a href=Route::ConsoleShipment.with(&l.id)>{l.id.clone()}</a></td>
                            <td>
                                <span class=format!("badge badge-{}", l.status_key)>{l.status}</span>
                                {l.needs_action.then(|| view! { <span class="tag" data-testid="needs-action">"نیاز به اقدام"</span> })}
                                {l.direct_link.then(|| view! { <span class="tag">{DIRECT_LINK}</span> })}
                            </td>
                            <td>{l.item}</td>
                            <td>{l.route}</td>
                            <td>{l.created}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="pages" aria-label="صفحه‌ها">
                {previous.map(|href| view! { <a href=href>"صفحهٔ قبل"</a> })}
                {next.map(|href| view! { <a href=href>"صفحهٔ بعد"</a> })}
            </nav>
        </section>
    }
}
