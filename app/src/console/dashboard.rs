//! The console's first card: today's and this week's figures, each a link to the list it
//! counts, and shipments per day over the last 30 days as a bar chart drawn on the server (an
//! SVG, no JavaScript), with the same numbers in a table for screen readers.

use domain::routes::Route;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One figure: its label, its value(s) in Persian digits, and the list it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
    pub testid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    pub figures: Vec<Figure>,
    /// (Jalali date, count), oldest first.
    pub bars: Vec<(String, i64)>,
}

#[server(endpoint = "console/day")]
pub async fn console_day() -> Result<Option<DayView>, ServerFnError> {
    use domain::jalali::JalaliDateTime;
    use domain::stage::Stage;
    use domain::status::Status;
    use domain::text::{age, persian_digits};
    use ersal_server::console::ListQuery;

    let Some((state, _)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let day = ersal_server::dashboard::day(&state).await?;
    let f = day.figures;
    let n = |v: i64| persian_digits(&v.to_string());
    let pair = |(today, week): (i64, i64)| format!("امروز {}، هفته {}", n(today), n(week));
    let list = |query: ListQuery| Some(query.href(0));
    let stage = |stage: Stage| {
        list(ListQuery {
            stage: Some(stage.key().to_owned()),
            ..ListQuery::default()
        })
    };
    let status = |status: Status| {
        list(ListQuery {
            status: Some(status.key().to_owned()),
            ..ListQuery::default()
        })
    };
    let week = JalaliDateTime::from_day(day.week_first).display_date();
    let figure = |label: &str, value: String, href: Option<String>, testid: &str| Figure {
        label: label.to_owned(),
        value,
        href,
        testid: testid.to_owned(),
    };
    let support = match day.oldest_wait_secs {
        Some(secs) => format!("{} (قدیمی‌ترین: {})", n(f.support_waiting.0), age(secs)),
        None => n(f.support_waiting.0),
    };
    Ok(Some(DayView {
        figures: vec![
            figure(
                "ثبت‌شده",
                pair(f.booked),
                list(ListQuery {
                    from: Some(week),
                    ..ListQuery::default()
                }),
                "day-booked",
            ),
            figure(
                Stage::WaitingPickup.label(),
                n(f.waiting_pickup),
                stage(Stage::WaitingPickup),
                "day-waiting",
            ),
            figure(
                Stage::Late.label(),
                n(f.late),
                stage(Stage::Late),
                "day-late",
            ),
            figure(
                Stage::Moving.label(),
                n(f.in_transit),
                stage(Stage::Moving),
                "day-moving",
            ),
            figure(
                "تحویل‌شده",
                pair(f.delivered),
                status(Status::Delivered),
                "day-delivered",
            ),
            figure(
                "برگشتی",
                pair(f.returned),
                status(Status::ReturnedToSender),
                "day-returned",
            ),
            figure(
                "پشتیبانی در انتظار",
                support,
                Some(format!("{}?state=waiting", Route::ConsoleSupport.path())),
                "day-support",
            ),
            figure(
                "پیام‌های ناموفق در گفتگو",
                format!(
                    "ناموفق {}، شاید فرستاده‌شده {}",
                    n(f.chat_failed),
                    n(f.chat_unknown)
                ),
                None,
                "day-chat",
            ),
        ],
        bars: day
            .per_day
            .into_iter()
            .map(|(d, count)| (JalaliDateTime::from_day(d).display_day(), count))
            .collect(),
    }))
}

#[component]
pub fn DayCard() -> impl IntoView {
    let day = Resource::new(|| (), |()| console_day());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match day.await {
                    Ok(Some(view)) => view! { <DayView view /> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

/// The chart's size in SVG units; bars share the width.
const WIDTH: i64 = 300;
const HEIGHT: i64 = 60;

#[component]
fn DayView(view: DayView) -> impl IntoView {
    let DayView { figures, bars } = view;
    let highest = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let width = WIDTH / i64::try_from(bars.len().max(1)).unwrap_or(1);
    let total: i64 = bars.iter().map(|(_, n)| n).sum();
    let summary = format!(
        "ثبت‌شده در ۳۰ روز گذشته: {}",
        domain::text::persian_digits(&total.to_string())
    );
    view! {
        <section class="card" aria-labelledby="day-title" data-testid="dashboard">
            <h1 id="day-title">"امروز در یک نگاه"</h1>
            <dl class="figures">
                {figures.into_iter().map(|f| view! {
                    <div class="figure">
                        <dt>{f.label}</dt>
                        <dd data-testid=f.testid>{match f.href {
                            Some(href) => view! { <a href=href>{f.value}</a> }.into_any(),
                            None => view! { <span>{f.value}</span> }.into_any(),
                        }}</dd>
                    </div>
                }).collect_view()}
            </dl>
            <h2>"مرسوله‌ها در هر روز"</h2>
            // Oldest on the right, as the page reads.
            <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary.clone() data-testid="chart">
                {bars.iter().enumerate().map(|(i, (date, n))| {
                    let i = i64::try_from(i).unwrap_or(0);
                    let h = (n * (HEIGHT - 2) / highest).max(i64::from(*n > 0));
                    view! {
                        <rect x=(WIDTH - (i + 1) * width).to_string() y=(HEIGHT - h).to_string()
                            width=(width - 1).max(1).to_string() height=h.to_string()>
                            <title>{format!("{date}: {}", domain::text::persian_digits(&n.to_string()))}</title>
                        </rect>
                    }
                }).collect_view()}
            </svg>
            <p class="muted">{summary}</p>
        </section>
    }
}
