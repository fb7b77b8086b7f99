//! Shipping offered on a post (`ersal_server::addons`): the seller's page, `/offer`, shows the
//! widgets exactly as Divar will draw them, the price range, where they stand, and adds or
//! removes them with plain forms; the buyer's page, `/price`, after a tap on the widgets, gives
//! the price from the post's city to the city they choose (a plain GET form).

use domain::routes::Route;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use domain::forms::Errors;

use crate::ui::{BackToDivar, CitySelect, DeadEnd, DeadEndKind, Failure, ProvinceOption};

/// A widget row as the seller's preview draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Row {
    Title(String),
    Info(Vec<(String, String)>),
    Button(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub post_title: String,
    pub origin: String,
    /// Size classes: key, label, chosen.
    pub sizes: Vec<(String, String, bool)>,
    pub range: Option<String>,
    pub state: String,
    pub can_add: bool,
    pub can_remove: bool,
    pub preview: Vec<Row>,
    pub assistant: crate::assistant::AssistantView,
    pub back_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Offer {
    Ready(Box<OfferView>),
    /// Why not, in Persian, and the way back.
    Unavailable {
        title: String,
        body: String,
        back_to: String,
    },
    NoSession {
        back_to: String,
    },
}

#[server(endpoint = "offer/load")]
pub async fn load_offer(size: Option<String>) -> Result<Offer, ServerFnError> {
    use domain::size::SizeClass;
    use ersal_server::addons::offer::{view, Seen};
    use kenar::addon::Widget;

    let state = crate::server::state();
    let Some(session) = crate::server::session(&state).await? else {
        return Ok(Offer::NoSession {
            back_to: state.config.completion_url.to_string(),
        });
    };
    let back_to = session.landing.return_target.clone();
    let size = size.as_deref().and_then(SizeClass::parse);
    let unavailable = |title: &str, body: &str| Offer::Unavailable {
        title: title.to_owned(),
        body: body.to_owned(),
        back_to: back_to.clone(),
    };
    Ok(match view(&state, &session, size).await? {
        Seen::NoPost => unavailable(
            "آگهی‌ای در میان نیست",
            "این صفحه برای فروشنده‌ای است که «ارسال» را از صفحهٔ مدیریت آگهی خود باز کرده است.",
        ),
        Seen::NotFound => unavailable(
            "آگهی پیدا نشد",
            "دیوار این آگهی را نمی‌شناسد یا الان پاسخ نداد. کمی بعد از صفحهٔ مدیریت آگهی دوباره امتحان کنید.",
        ),
        Seen::NotServed => unavailable(
            "از شهر این آگهی ارسال نداریم",
            "«ارسال» هنوز در شهر این آگهی کار نمی‌کند.",
        ),
        Seen::Ready(offer) => {
            let standing = ersal_server::assistant::standing(&state, &offer.post).await?;
            let owner = ersal_server::assistant::shown_to_owner(
                &state,
                &crate::server::headers().await?,
                &offer.post,
            );
            let assistant = crate::assistant::AssistantView::of(&state, standing, owner);
            let preview = offer
                .widgets
                .widgets
                .iter()
                .map(|widget| match widget {
                    Widget::TitleRow { text, .. } => Row::Title(text.clone()),
                    Widget::GroupInfoRow { items, .. } => Row::Info(
                        items.iter().map(|i| (i.title.clone(), i.value.clone())).collect(),
                    ),
                    Widget::ButtonBar { title, .. } => Row::Button(title.clone()),
                })
                .collect();
            Offer::Ready(Box::new(OfferView {
                post_title: offer.title,
                origin: offer.origin,
                sizes: SizeClass::ALL
                    .iter()
                    .map(|s| (s.key().to_owned(), s.label().to_owned(), *s == offer.size))
                    .collect(),
                range: offer.range.map(|(low, high)| {
                    format!("از {} تا {}", low.display_tomans(), high.display_tomans())
                }),
                state: offer.state.label().to_owned(),
                can_add: offer.state.can_add(),
                can_remove: offer.state.can_remove(),
                preview,
                assistant,
                back_to,
            }))
        }
    })
}

#[component]
pub fn OfferPage() -> impl IntoView {
    let query = use_query_map();
    let offer = Resource::new(move || query.with(|q| q.get("size")), load_offer);
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match offer.await {
                    Ok(Offer::Ready(view)) => view! { <OfferCard view=*view /> }.into_any(),
                    Ok(Offer::Unavailable { title, body, back_to }) => view! {
                        <section class="card" role="alert">
                            <h1>{title}</h1>
                            <p>{body}</p>
                            <BackToDivar href=back_to primary=true />
                        </section>
                    }
                    .into_any(),
                    Ok(Offer::NoSession { back_to }) => {
                        view! { <DeadEnd kind=DeadEndKind::SessionEnded back_to /> }.into_any()
                    }
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The widgets as Divar draws them on the post.
#[component]
fn Preview(rows: Vec<Row>) -> impl IntoView {
    view! {
        <div class="widget-preview" data-testid="widget-preview">
            {rows
                .into_iter()
                .map(|row| match row {
                    Row::Title(text) => view! { <p class="widget-title">{text}</p> }.into_any(),
                    Row::Info(items) => view! {
                        <dl class="facts">
                            {items
                                .into_iter()
                                .map(|(title, value)| view! { <dt>{title}</dt><dd>{value}</dd> })
                                .collect_view()}
                        </dl>
                    }
                    .into_any(),
                    Row::Button(title) => view! { <p class="widget-button">{title}</p> }.into_any(),
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn OfferCard(view: OfferView) -> impl IntoView {
    let OfferView {
        post_title,
        origin,
        sizes,
        range,
        state,
        can_add,
        can_remove,
        preview,
        assistant,
        back_to,
    } = view;
    let chosen = sizes
        .iter()
        .find(|(_, _, chosen)| *chosen)
        .map(|(key, _, _)| key.clone())
        .unwrap_or_default();
    let assistant_size = chosen.clone();
    view! {
        <section class="card" aria-labelledby="offer-title">
            <h1 id="offer-title">"ارسال روی آگهی"</h1>
            <p>"به خریداران این آگهی نشان دهید که کالا را می‌فرستید و هزینهٔ ارسال به شهرشان را ببینند."</p>
            <dl class="facts">
                <dt>"آگهی"</dt>
                <dd data-testid="offer-post">{post_title}</dd>
                <dt>"ارسال از"</dt>
                <dd>{origin}</dd>
                <dt>"هزینهٔ ارسال"</dt>
                <dd data-testid="offer-range">{range.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"وضعیت"</dt>
                <dd data-testid="offer-state">{state}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"روی آگهی این‌طور دیده می‌شود"</h2>
            <Preview rows=preview />
            <form method="get" action=Route::Offer.path()>
                <label for="offer-size">"اندازهٔ کالا (برای قیمت)"</label>
                <select id="offer-size" name="size">
                    {sizes
                        .into_iter()
                        .map(|(key, label, chosen)| view! { <option value=key selected=chosen>{label}</option> })
                        .collect_view()}
                </select>
                <button class="button secondary" type="submit">"دیدن قیمت"</button>
            </form>
        </section>
        <section class="card">
            {can_add.then(|| view! {
                <p>"دیوار از شما اجازه می‌خواهد که «ارسال» این بخش را به آگهی‌تان اضافه کند."</p>
                <form method="post" action=Route::OfferAdd.path()>
                    <input type="hidden" name="size" value=chosen />
                    <button class="button" type="submit">"افزودن به آگهی"</button>
                </form>
            })}
            {can_remove.then(|| view! {
                <p>"هر وقت بخواهید می‌توانید آن را از آگهی بردارید؛ دیوار پیش از آن تأیید می‌کند که آگهی از شماست."</p>
                <form method="post" action=Route::OfferRemove.path()>
                    <button class="button secondary" type="submit">"برداشتن از آگهی"</button>
                </form>
            })}
        </section>
        <crate::assistant::AssistantCard view=assistant size=assistant_size />
        <section class="card">
            <p><a class="tap" href=Route::Request.path()>"ثبت درخواست ارسال برای یک خریدار"</a></p>
            <BackToDivar href=back_to />
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceView {
    pub origin: String,
    /// Size classes: key, label, chosen.
    pub sizes: Vec<(String, String, bool)>,
    pub city: String,
    pub provinces: Vec<ProvinceOption>,
    /// The chosen city's name and each service's price.
    pub prices: Option<(String, Vec<(String, String)>)>,
    /// Whether the buyer came from a chat (a shipment can start there).
    pub in_chat: bool,
    pub back_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Price {
    Ready(Box<PriceView>),
    /// The widget's data was altered, or belongs to another post.
    Refused {
        back_to: String,
    },
    NoSession {
        back_to: String,
    },
}

#[server(endpoint = "price/load")]
pub async fn load_price(
    city: Option<String>,
    size: Option<String>,
) -> Result<Price, ServerFnError> {
    use domain::size::SizeClass;
    use ersal_server::addons::price::{quotes, tapped};

    let state = crate::server::state();
    let Some(session) = crate::server::session(&state).await? else {
        return Ok(Price::NoSession {
            back_to: state.config.completion_url.to_string(),
        });
    };
    let back_to = session.landing.return_target.clone();
    let Some(tap) = tapped(&state, &session) else {
        return Ok(Price::Refused { back_to });
    };
    let city = city.unwrap_or_default();
    // The widget's size class, unless the buyer chose another.
    let size = size
        .as_deref()
        .and_then(SizeClass::parse)
        .unwrap_or(tap.size);
    let found = quotes(&state, &tap.origin, &city, size);
    let prices = (!found.is_empty()).then(|| {
        (
            state.city_name(Some(&city)),
            found
                .iter()
                .map(|q| (q.service.label().to_owned(), q.total.display_tomans()))
                .collect(),
        )
    });
    Ok(Price::Ready(Box::new(PriceView {
        origin: state.city_name(Some(&tap.origin)),
        sizes: SizeClass::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned(), *s == size))
            .collect(),
        city,
        provinces: crate::server::provinces(&state),
        prices,
        in_chat: session.landing.conversation_id.is_some(),
        back_to,
    })))
}

#[component]
pub fn PricePage() -> impl IntoView {
    let query = use_query_map();
    let price = Resource::new(
        move || query.with(|q| (q.get("form[city]"), q.get("size"))),
        |(city, size)| load_price(city, size),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match price.await {
                    Ok(Price::Ready(view)) => view! { <PriceCard view=*view /> }.into_any(),
                    Ok(Price::Refused { back_to }) => {
                        view! { <DeadEnd kind=DeadEndKind::ForeignButton back_to /> }.into_any()
                    }
                    Ok(Price::NoSession { back_to }) => {
                        view! { <DeadEnd kind=DeadEndKind::SessionEnded back_to /> }.into_any()
                    }
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PriceCard(view: PriceView) -> impl IntoView {
    let PriceView {
        origin,
        sizes,
        city,
        provinces,
        prices,
        in_chat,
        back_to,
    } = view;
    view! {
        <section class="card" aria-labelledby="price-title">
            <h1 id="price-title">"هزینهٔ ارسال به شهر شما"</h1>
            <dl class="facts">
                <dt>"ارسال از"</dt>
                <dd>{origin}</dd>
            </dl>
            <form method="get" action=Route::Price.path()>
                <CitySelect field="city" label="شهر شما" selected=city provinces errors=Errors::new() />
                <div class="field">
                    <label for="price-size">"اندازهٔ کالا"</label>
                    <select id="price-size" name="size">
                        {sizes
                            .into_iter()
                            .map(|(key, label, chosen)| view! { <option value=key selected=chosen>{label}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button class="button" type="submit">"دیدن هزینه"</button>
            </form>
        </section>
        {prices.map(|(city, prices)| view! {
            <section class="card" data-testid="prices">
                <h2>"تا "{city}</h2>
                <dl class="facts">
                    {prices
                        .into_iter()
                        .map(|(service, total)| view! { <dt>{service}</dt><dd>{total}</dd> })
                        .collect_view()}
                </dl>
                <p class="note">"هزینه برای تحویل درِ خانه و تحویل در شعبه یکسان است."</p>
            </section>
        })}
        <section class="card">
            {if in_chat {
                view! { <p><a class="button" href=Route::Request.path()>"ثبت درخواست ارسال"</a></p> }.into_any()
            } else {
                view! {
                    <p data-testid="open-chat">
                        "برای فرستادن این کالا، در دیوار گفتگو با فروشنده را باز کنید و از منوی افزونه‌های گفتگو «ارسال» را انتخاب کنید."
                    </p>
                }
                .into_any()
            }}
            <BackToDivar href=back_to primary=!in_chat />
        </section>
    }
}
