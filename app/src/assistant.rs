//! The shipping assistant's part of the seller's page (`/offer`, `ersal_server::assistant`):
//! what it does, what it asks of Divar and why, whether it is on (and until when), its last
//! answers (the city, the price and the time; never what the buyer wrote), and the plain forms
//! that turn it on and off.

use domain::routes::Route;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One answer the assistant gave, as the seller reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRow {
    pub city: String,
    pub price: String,
    pub state: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistantView {
    /// Until when it is on (a Jalali date), or `None` when off.
    pub until: Option<String>,
    /// Its last answers, when this browser showed Divar it owns the post (`None`: not shown).
    pub answers: Option<Vec<AnswerRow>>,
}

#[cfg(feature = "ssr")]
impl AssistantView {
    /// The view of a post's assistant; its answers only for the post's owner.
    pub fn of(
        state: &ersal_server::state::AppState,
        standing: ersal_server::assistant::Standing,
        owner: bool,
    ) -> Self {
        use domain::jalali::JalaliDateTime;
        use domain::values::Rials;

        let places = &state.catalog.places;
        let answers = standing
            .recent
            .into_iter()
            .map(|answer| AnswerRow {
                city: answer
                    .destination
                    .as_deref()
                    .and_then(|id| places.find(id))
                    .map_or_else(|| "شهر را نگفت".to_owned(), |p| p.city.name.clone()),
                price: answer
                    .price
                    .and_then(|p| u64::try_from(p).ok())
                    .map_or_else(|| "—".to_owned(), |p| Rials(p).display_tomans()),
                state: answer.state.label().to_owned(),
                at: JalaliDateTime::from_unix(answer.asked_at).display(),
            })
            .collect();
        Self {
            until: standing
                .on
                .map(|on| JalaliDateTime::from_unix(on.ends_at).display_day()),
            answers: owner.then_some(answers),
        }
    }
}

/// The assistant's card; `size` is the size class its prices are for.
#[component]
pub fn AssistantCard(view: AssistantView, size: String) -> impl IntoView {
    let AssistantView { until, answers } = view;
    let on = until.is_some();
    view! {
        <section class="card" aria-labelledby="assistant-title" data-testid="assistant">
            <h2 id="assistant-title">"پاسخ خودکار به «به شهر من می‌فرستید؟»"</h2>
            <p>
                "وقتی خریداری در گفتگوهای این آگهی بپرسد کالا را به شهرش می‌فرستید یا هزینهٔ ارسال چقدر است، «ارسال» یک بار در همان گفتگو هزینه را می‌گوید و دکمهٔ ثبت درخواست را می‌گذارد. اگر خودتان زودتر پاسخ دهید، چیزی نمی‌فرستد."
            </p>
            <p>
                "برای این کار دیوار از شما دو اجازه می‌خواهد: خواندن پیام‌های گفتگوهای همین آگهی، و فرستادن پاسخ در آن‌ها از طرف شما با نام «ارسال». متن پیام‌ها فقط برای تشخیص پرسش خوانده می‌شود و نگه داشته نمی‌شود."
            </p>
            {match until {
                Some(until) => view! {
                    <p data-testid="assistant-state">
                        "روشن است تا " <span>{until}</span> "."
                    </p>
                    <form method="post" action=Route::AssistantOff.path()>
                        <button class="button secondary" type="submit">"خاموش کردن پاسخ خودکار"</button>
                    </form>
                }
                .into_any(),
                None => view! {
                    <p data-testid="assistant-state">"خاموش است."</p>
                    <form method="post" action=Route::AssistantOn.path()>
                        <input type="hidden" name="size" value=size />
                        <button class="button" type="submit">"روشن کردن پاسخ خودکار"</button>
                    </form>
                }
                .into_any(),
            }}
            {on.then(|| view! {
                <h3>"آخرین پاسخ‌ها"</h3>
                {match answers {
                    None => view! {
                        <p>"پاسخ‌ها فقط در مرورگری دیده می‌شوند که دیوار در آن تأیید کرده آگهی از شماست (با روشن کردن پاسخ خودکار)."</p>
                    }
                    .into_any(),
                    Some(answers) if answers.is_empty() => {
                        view! { <p>"هنوز پرسشی دربارهٔ ارسال نیامده است."</p> }.into_any()
                    }
                    Some(answers) => {
                    view! {
                        <ul class="answers" data-testid="assistant-answers">
                            {answers
                                .into_iter()
                                .map(|a| view! {
                                    <li>{a.city} "؛ " {a.price} "؛ " {a.state} "؛ " <span>{a.at}</span></li>
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                    }
                }}
            })}
        </section>
    }
}
