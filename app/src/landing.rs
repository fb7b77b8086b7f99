//! The landing page at the clean URL a landing id leads to ([`LANDING_PATH`] on the server).
//!
//! For now it shows the session's context — the opener's side, where they came from, the post
//! and the conversation — and the way back to Divar. The server function reads the session
//! from the `HttpOnly` cookie; nothing about the session is in the URL.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The opener's side, as shown to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    Seller,
    Buyer,
}

/// What the landing page may show of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingContext {
    pub side: Option<Side>,
    pub source: String,
    pub post_token: Option<String>,
    pub conversation_id: Option<String>,
    pub back_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Landing {
    Active(LandingContext),
    /// No live session in this browser (cookie missing or expired).
    NoSession {
        back_to: String,
    },
}

/// The current browser's landing session.
#[server]
pub async fn load_landing() -> Result<Landing, ServerFnError> {
    use ersal_server::AppState;
    use kenar::UserSide;

    let state = expect_context::<AppState>();
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    let session = state.current_session(&headers).await.map_err(|cause| {
        tracing::error!(error = %cause, "loading the landing session failed");
        ServerFnError::new("session lookup failed")
    })?;
    Ok(match session {
        Some(s) => Landing::Active(LandingContext {
            side: s.user_side.map(|side| match side {
                UserSide::Supply => Side::Seller,
                UserSide::Demand => Side::Buyer,
            }),
            source: s.source,
            post_token: s.post_token,
            conversation_id: s.conversation_id,
            back_to: s.return_target,
        }),
        None => Landing::NoSession {
            back_to: state.config.completion_url.to_string(),
        },
    })
}

#[component]
pub fn LandingPage() -> impl IntoView {
    let landing = Resource::new_blocking(|| (), |()| load_landing());
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match landing.await {
                    Ok(Landing::Active(context)) => view! { <ContextCard context /> }.into_any(),
                    Ok(Landing::NoSession { back_to }) => view! { <NoSession back_to /> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn side_label(side: Option<Side>) -> &'static str {
    match side {
        Some(Side::Seller) => "فروشنده (فرستندهٔ کالا)",
        Some(Side::Buyer) => "خریدار (گیرندهٔ کالا)",
        None => "مشخص نشده",
    }
}

fn source_label(source: &str) -> String {
    match source {
        "CHAT" => "منوی افزونه‌های گفتگو".to_owned(),
        "CHAT_MESSAGE_ACTION" => "دکمهٔ یک پیام در گفتگو".to_owned(),
        "POST_ADDON" => "افزونهٔ صفحهٔ آگهی".to_owned(),
        "FALLBACK" => "پیوند مستقیم آگهی".to_owned(),
        other => other.to_owned(),
    }
}

#[component]
fn ContextCard(context: LandingContext) -> impl IntoView {
    let LandingContext {
        side,
        source,
        post_token,
        conversation_id,
        back_to,
    } = context;
    let no_chat = conversation_id.is_none();
    view! {
        <section class="card" aria-labelledby="landing-title">
            <h1 id="landing-title">"درخواست ارسال کالا"</h1>
            <dl class="facts">
                <dt>"نقش شما"</dt>
                <dd data-testid="side">{side_label(side)}</dd>
                <dt>"ورود از"</dt>
                <dd data-testid="source">{source_label(&source)}</dd>
                <dt>"آگهی"</dt>
                <dd data-testid="post" dir="ltr">{post_token.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"گفتگو"</dt>
                <dd data-testid="conversation" dir="ltr">
                    {conversation_id.unwrap_or_else(|| "—".to_owned())}
                </dd>
            </dl>
            <Show when=move || no_chat>
                <p class="note">
                    "این صفحه از یک گفتگو باز نشده است؛ نتیجه در گفتگو فرستاده نمی‌شود."
                </p>
            </Show>
            <a class="button" href=back_to>"بازگشت به دیوار"</a>
        </section>
    }
}

#[component]
fn NoSession(back_to: String) -> impl IntoView {
    view! {
        <section class="card" role="alert">
            <h1>"نشست شما پایان یافته است"</h1>
            <p>"برای ادامه به گفتگو در دیوار برگردید و «ارسال» را دوباره باز کنید."</p>
            <a class="button" href=back_to>"بازگشت به دیوار"</a>
        </section>
    }
}

#[component]
fn Failure() -> impl IntoView {
    view! {
        <section class="card" role="alert">
            <h1>"خطای موقت"</h1>
            <p>"بارگذاری اطلاعات ممکن نشد. صفحه را دوباره باز کنید."</p>
        </section>
    }
}
