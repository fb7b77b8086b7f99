//! The chat journey at the middle depth, over real HTTP: Ersal (the router that ships, served
//! with `ersal::server::serve`) and the Divar sandbox, each on a port of its own. The buyer opens
//! Ersal from the chat's add-ons menu (the sandbox POSTs the init call), fills the flow with
//! plain form posts as a browser without JavaScript would, grants permission on the sandbox's
//! consent screen, and the outbox worker posts the message, which names the item and cities only.

use std::time::Duration;

use ersal_server::AppState;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;

use crate::support::{scalar, serve_on, TestEnv, QUOTE_SUBMIT};

const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";

struct Journey {
    ersal: String,
    sandbox: String,
    client: Client,
    state: AppState,
    _env: TestEnv,
}

impl Journey {
    /// Ersal with PKCE on (the Playwright journeys run it off, the default).
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ersal = format!("http://{}", listener.local_addr().unwrap());
        let (env, sandbox) = TestEnv::with_sandbox([
            ("ERSAL_PUBLIC_URL", ersal.clone()),
            ("KENAR_OAUTH_PKCE", "on".to_owned()),
        ])
        .await;
        let state = env.state().await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        ersal_server::chat::spawn_worker(state.clone(), stopping);
        // The worker runs until the test ends.
        std::mem::forget(stop);
        serve_on(listener, &state);
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            ersal,
            sandbox: sandbox.config.origin.clone(),
            client,
            state,
            _env: env,
        }
    }

    async fn get(&self, url: &str) -> Response {
        self.client.get(url).send().await.unwrap()
    }

    async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Response {
        // A browser's form submission (no JavaScript): it accepts HTML.
        self.client
            .post(url)
            .header("accept", "text/html")
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Posts a step's form to Ersal and returns where it redirects.
    async fn step(&self, endpoint: &str, fields: &[(&str, &str)]) -> String {
        let reply = self
            .post(&format!("{}/api/flow/{endpoint}", self.ersal), fields)
            .await;
        assert!(
            reply.status().is_redirection(),
            "{endpoint}: {}",
            reply.status()
        );
        location(&reply)
    }
}

fn location(reply: &Response) -> String {
    reply
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("a redirect from {}, not {}", reply.url(), reply.status()))
        .to_owned()
}

/// The buyer opens Ersal from the sandbox's chat menu and fills every step; returns the URL
/// of Divar's consent screen that submitting leads to.
async fn to_consent(j: &Journey) -> String {
    // In the sandbox's chat as the buyer, the add-ons menu: the sandbox calls Ersal's init.
    let chat = j
        .get(&format!("{}/chat/{CONVERSATION}?as=buyer", j.sandbox))
        .await;
    assert_eq!(chat.status(), StatusCode::OK);
    let menu = j
        .post(
            &format!("{}/chat/{CONVERSATION}/addons", j.sandbox),
            &[("as", "buyer"), ("version", "v2")],
        )
        .await;
    let landing = location(&menu);
    assert!(landing.starts_with(&format!("{}/l/", j.ersal)), "{landing}");

    // The webview opens the landing URL: a session cookie, then the clean URL.
    let entered = j.get(&landing).await;
    assert_eq!(location(&entered), "/request");
    let page = j
        .get(&format!("{}/request", j.ersal))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("گوشی سامسونگ A54 در حد نو"),
        "the item is prefilled from Divar's post"
    );

    for (endpoint, fields, next) in [
        (
            "item",
            &[
                ("form[description]", "گوشی سامسونگ A54"),
                ("form[size_class]", "small"),
                ("form[weight_kg]", "۰٫۸"),
                ("form[declared_value]", "۱۸٬۵۰۰٬۰۰۰"),
            ][..],
            "/request?step=party",
        ),
        (
            "party",
            &[
                ("form[name]", "علی محمدی"),
                ("form[mobile]", "۰۹۳۵ ۱۲۳ ۴۵۶۷"),
                ("form[city]", "isfahan"),
                ("form[address]", "خیابان چهارباغ، کوچهٔ گلستان"),
                ("form[handover]", "door"),
            ],
            "/request?step=quote",
        ),
    ] {
        assert_eq!(j.step(endpoint, fields).await, next);
    }
    let consent = j.step("quote", &QUOTE_SUBMIT).await;
    assert!(
        consent.starts_with(&format!("{}/oauth2/auth?", j.sandbox))
            && consent.contains("code_challenge_method=S256"),
        "{consent}"
    );
    consent
}

#[tokio::test]
async fn from_the_chat_menu_to_a_message_in_the_chat() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;

    // Divar's consent screen: approve.
    let screen = j.get(&consent).await.text().await.unwrap();
    let challenge = screen
        .split(r#"name="challenge" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a consent form")
        .to_owned();
    let approved = j
        .post(
            &format!("{}/oauth2/auth", j.sandbox),
            &[("challenge", challenge.as_str()), ("decision", "approve")],
        )
        .await;
    let callback = location(&approved);
    assert!(callback.starts_with(&format!("{}/oauth/callback?", j.ersal)));
    let back = j.get(&callback).await;
    assert_eq!(
        location(&back),
        format!("{}/completion", j.sandbox),
        "back to Divar"
    );
    let code: String = scalar(&j.state.db, "select id from shipments").await;
    let reopened = j.get(&format!("{}/request", j.ersal)).await;
    assert_eq!(
        location(&reopened),
        format!("/t/{code}"),
        "the session shows its shipment"
    );

    // The worker posts the message: the item, the cities and the code, nothing personal.
    let mut messages = Vec::new();
    for _ in 0..80 {
        let answer: Value = j
            .get(&format!("{}/control/messages", j.sandbox))
            .await
            .json()
            .await
            .unwrap();
        messages = answer["messages"].as_array().cloned().unwrap_or_default();
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(messages.len(), 1, "one message reaches the chat");
    let text = messages[0]["text"].as_str().unwrap();
    assert!(text.contains("گوشی سامسونگ A54") && text.contains("(از تهران به اصفهان)"));
    for personal in ["علی محمدی", "چهارباغ", "09351234567", "۰۹۳۵"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    assert!(text.contains(&code));
    let delivered: String = scalar(&j.state.db, "select state from outbox").await;
    assert_eq!(delivered, "sent");
}

/// Pages that cannot go on answer 4xx, the same code for the same cause as the plain handlers
/// (`/l/{id}`): a callback that matches no waiting request 400 (whether the browser has no
/// session or the state is wrong or replayed), a session that ended 410.
#[tokio::test]
async fn error_pages_answer_4xx_consistently() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    let state = consent
        .split("state=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("a state in the consent URL")
        .to_owned();
    let wrong = j
        .get(&format!("{}/oauth/callback?state=x{state}&code=c", j.ersal))
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST, "a wrong state");
    assert!(wrong.text().await.unwrap().contains("این پاسخ معتبر نیست"));

    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let elsewhere = stranger
        .get(format!("{}/oauth/callback?state={state}&code=c", j.ersal))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST, "no session");
    let ended = stranger
        .get(format!("{}/request", j.ersal))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::GONE);
    assert!(ended
        .text()
        .await
        .unwrap()
        .contains("نشست شما پایان یافته است"));
}
