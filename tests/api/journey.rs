//! The chat journey at the middle depth, over real HTTP: Ersal (the router that ships, served
//! with `ersal::server::serve`) and the Divar sandbox, each on a port of its own. The buyer opens
//! Ersal from the chat's add-ons menu (the sandbox POSTs the init call), fills the flow with
//! plain form posts as a browser without JavaScript would, grants permission on the sandbox's
//! consent screen, and the outbox worker posts the message, which names the item and cities only.
//! Then the buyer revokes that access in Divar, and Ersal hears of it.

use std::time::Duration;

use domain::delivery::Delivery;
use domain::status::{Actor, Status};
use ersal_server::chat::texts::{announce, Facts};
use ersal_server::AppState;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use store::shipments::{self, Change};
use tokio::net::TcpListener;

use crate::support::{chat_grant, conv, only_shipment, scalar, serve_on, TestEnv, QUOTE_SUBMIT};

pub const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";
/// The sandbox's buyer in [`CONVERSATION`] (its per-app user id).
pub const BUYER: &str = "bA7kQ2wE9rT4yU1iO8pL3sD6fG0hJ5kZ2xC7vB4nM=";

pub struct Journey {
    pub ersal: String,
    pub sandbox: String,
    pub client: Client,
    pub state: AppState,
    /// The identification key Divar's calls carry.
    pub key: String,
    /// The sandbox itself, to look into its world.
    pub sandbox_world: divar_sandbox::Sandbox,
    _env: TestEnv,
}

impl Journey {
    /// Ersal with PKCE on (the Playwright journeys run it off, the default).
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// As [`Journey::start`], with one more variable set.
    pub async fn start_with(more: Option<(&'static str, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ersal = format!("http://{}", listener.local_addr().unwrap());
        let (name, value) = more.unwrap_or(("KENAR_OAUTH_PKCE", "on".to_owned()));
        let (env, sandbox) = TestEnv::with_sandbox([
            ("ERSAL_PUBLIC_URL", ersal.clone()),
            ("KENAR_OAUTH_PKCE", "on".to_owned()),
            (name, value),
        ])
        .await;
        let state = env.state().await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        ersal_server::delivery::spawn_worker(state.clone(), stopping);
        // The worker runs until the test ends.
        std::mem::forget(stop);
        serve_on(listener, &state);
        let client = Self::client();
        Self {
            ersal,
            sandbox: sandbox.config.origin.clone(),
            client,
            key: sandbox.config.identification_key.clone(),
            sandbox_world: sandbox.clone(),
            state,
            _env: env,
        }
    }

    /// Another process's state on the same database and configuration.
    pub async fn another_state(&self) -> AppState {
        self._env.state().await
    }

    /// A second Ersal process on the same database and configuration, as behind a load
    /// balancer: its origin.
    pub async fn serve_another(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        serve_on(listener, &self._env.state().await);
        origin
    }

    /// The buyer revokes Ersal's access in Divar: the sandbox tells Ersal's events URL.
    pub async fn revoke_buyer(&self) {
        let revoked: Value = self
            .client
            .post(format!("{}/control/revoke", self.sandbox))
            .json(&serde_json::json!({"user": BUYER}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(revoked["notified"], true, "{revoked}");
    }

    /// Everything the sandbox received and sent so far, oldest first.
    pub async fn journal(&self) -> Vec<Value> {
        self.control_list("journal", "entries").await
    }

    /// The list `field` of the sandbox's control answer `GET /control/{what}`.
    async fn control_list(&self, what: &str, field: &str) -> Vec<Value> {
        let answer: Value = self
            .get(&format!("{}/control/{what}", self.sandbox))
            .await
            .json()
            .await
            .unwrap();
        answer[field].as_array().cloned().unwrap_or_default()
    }

    /// Follows a link that starts a landing session (Ersal's Fallback URL) in `client`, through
    /// `/l/{id}`, so that `client` holds the session.
    pub async fn enter(&self, client: &Client, url: &str) {
        let started = client.get(url).send().await.unwrap();
        let landing = format!("{}{}", self.ersal, location(&started));
        client.get(landing).send().await.unwrap();
    }

    /// A browser of its own: cookies kept, redirects not followed.
    pub fn client() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn get(&self, url: &str) -> Response {
        self.client.get(url).send().await.unwrap()
    }

    /// The text of the page at `url`.
    pub async fn page(&self, url: &str) -> String {
        self.get(url).await.text().await.unwrap()
    }

    pub async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Response {
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

pub fn location(reply: &Response) -> String {
    reply
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("a redirect from {}, not {}", reply.url(), reply.status()))
        .to_owned()
}

/// The buyer opens Ersal from the sandbox's chat menu; the first page of the flow.
pub async fn open_from_chat(j: &Journey) -> String {
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
    let page = j.page(&format!("{}/request", j.ersal)).await;
    assert!(
        page.contains("گوشی سامسونگ A54 در حد نو"),
        "the item is prefilled from Divar's post"
    );
    page
}

/// The buyer opens Ersal from the sandbox's chat menu and fills every step; returns the URL
/// of Divar's consent screen that submitting leads to.
pub async fn to_consent(j: &Journey) -> String {
    open_from_chat(j).await;

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

/// Approves Divar's consent screen at `consent` as the sandbox's current user; Ersal's answer
/// to the callback.
pub async fn consent_and_return(j: &Journey, consent: &str) -> Response {
    let screen = j.page(consent).await;
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
    j.get(&callback).await
}

/// Approves Divar's consent screen at `consent` and follows the callback back to Divar.
pub async fn approve(j: &Journey, consent: &str) {
    let back = consent_and_return(j, consent).await;
    assert_eq!(
        location(&back),
        format!("{}/completion", j.sandbox),
        "back to Divar"
    );
}

/// The messages in the sandbox's chat, once the outbox worker has posted at least one.
pub async fn chat_messages(j: &Journey) -> Vec<Value> {
    for _ in 0..80 {
        let messages = j.control_list("messages", "messages").await;
        if !messages.is_empty() {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn from_the_chat_menu_to_a_message_in_the_chat() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    assert!(
        consent.contains("USER_ID") && consent.contains("NOTIFICATION_ACCESS_REVOCATION"),
        "the consent lets Ersal hear of a revocation: {consent}"
    );
    approve(&j, &consent).await;
    let code = only_shipment(&j.state).await;
    let reopened = j.get(&format!("{}/request", j.ersal)).await;
    assert_eq!(
        location(&reopened),
        format!("/t/{code}"),
        "the session shows its shipment"
    );

    // The worker posts the message: the item, the cities and the code, nothing personal.
    let messages = chat_messages(&j).await;
    assert_eq!(messages.len(), 1, "one message reaches the chat");
    let text = messages[0]["text"].as_str().unwrap();
    assert!(text.contains("گوشی سامسونگ A54") && text.contains("(از تهران به اصفهان)"));
    for personal in ["علی محمدی", "چهارباغ", "09351234567", "۰۹۳۵"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    assert!(text.contains(code.as_str()));
    let delivered = store::outbox::last_delivery(&j.state.db, &code).await;
    assert_eq!(delivered.unwrap(), Some(Delivery::Sent));
}

/// The buyer revokes Ersal's access in Divar: the sandbox tells Ersal's events URL, Ersal
/// deletes the tokens that user granted, the next message is marked "not notified" without a
/// call to Divar, and the tracking page says the chat was not told.
#[tokio::test]
async fn a_revocation_deletes_the_users_grant_and_the_chat_is_not_told_again() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    approve(&j, &consent).await;
    assert_eq!(chat_messages(&j).await.len(), 1);
    let granted: i64 = scalar(
        &j.state.db,
        "select count(*) from chat_tokens where user_digest is not null",
    )
    .await;
    assert_eq!(granted, 1, "the grant is stored with its user's digest");
    let stored: String = scalar(&j.state.db, "select user_digest from chat_tokens").await;
    assert!(!stored.contains(BUYER), "the user id itself is not kept");

    j.revoke_buyer().await;
    let journal = j.journal().await;
    let delivered = journal
        .iter()
        .find(|e| e["body"]["type"] == "USER_ACCESS_REVOCATION")
        .expect("the revocation was delivered");
    assert_eq!(delivered["status"], 200, "{delivered}");
    let kept = store::grants::read(&j.state.db, &j.state.keys, &chat_grant(CONVERSATION)).await;
    assert!(kept.unwrap().is_none(), "the user's tokens are deleted");

    // An operator cancels: the message finds no permission and is not sent.
    let id = only_shipment(&j.state).await;
    let code = id.as_str();
    let mut cancel = Change::to(Status::Cancelled, Actor::Operator);
    cancel.note = Some("درخواست فرستنده".into());
    cancel.message = announce(&j.state.keys, Some(&conv(CONVERSATION)), |composer| {
        let facts = Facts {
            code: &id,
            item: "گوشی",
            route: None,
        };
        composer.milestone(&facts, Status::Cancelled, None)
    });
    let now = j.state.now();
    shipments::transition(&j.state.db, &id, cancel, now)
        .await
        .unwrap();
    let mut last = None;
    for _ in 0..80 {
        last = store::outbox::last_delivery(&j.state.db, &id)
            .await
            .unwrap();
        if last != Some(Delivery::Pending) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(last, Some(Delivery::NotPermitted));
    assert_eq!(
        chat_messages(&j).await.len(),
        1,
        "nothing more reached the chat"
    );
    let tracking = j.get(&format!("{}/t/{code}", j.ersal)).await;
    let page = tracking.text().await.unwrap();
    assert!(
        page.contains("اجازهٔ پیام در این گفتگو داده نشده یا در دیوار پس گرفته شده است."),
        "the tracking page says the chat was not notified"
    );

    // Divar delivers the revocation again: nothing is left to delete, and it is acknowledged.
    let again = j
        .client
        .post(format!("{}/divar/events", j.ersal))
        .header("authorization", &j.key)
        .json(&serde_json::json!({
            "type": "USER_ACCESS_REVOCATION",
            "user_access_revocation": {"user_id": BUYER},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
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
