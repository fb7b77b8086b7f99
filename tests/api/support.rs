//! A test app: a fresh database (SQLite in a temporary folder, or a PostgreSQL database of its
//! own when `ERSAL_TEST_POSTGRES` names a server), the router that ships
//! (`ersal::server::router`: plain routes, pages, server functions and layers), and helpers to
//! call it with `oneshot` the way Divar and browsers do, from a client address of our choice;
//! and [`TestEnv`], the configuration under it, which can put a Divar sandbox in front of Ersal.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use divar_sandbox::Sandbox;
use ersal_server::{AppState, Config};
use http::{HeaderMap, Request, StatusCode};
use leptos::prelude::LeptosOptions;
use serde_json::Value;
use tokio::net::TcpListener;
use tower::ServiceExt;

pub const OLD_KEY: &str = "old-identification-key-0001";
pub const NEW_KEY: &str = "new-identification-key-0002";
pub const COMPLETION: &str = "https://open-platform-redirect.divar.ir/completion";
/// The client address of requests that do not name one.
pub const CLIENT: &str = "127.0.0.1:40000";

pub struct TestApp {
    pub state: AppState,
    router: Router,
    env: TestEnv,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The quote step as a buyer in Isfahan submits it: from Tehran, economy, paid on delivery.
pub const QUOTE_SUBMIT: [(&str, &str); 5] = [
    ("form[other_city]", "tehran"),
    ("form[service]", "economy"),
    ("form[payer]", "receiver"),
    ("form[consent]", "1"),
    ("form[intent]", "submit"),
];

impl TestApp {
    pub async fn new() -> Self {
        Self::on(TestEnv::new(Self::vars())).await
    }

    /// The app with `more` variables set.
    pub async fn with<const N: usize>(more: [(&'static str, String); N]) -> Self {
        let mut env = TestEnv::new(Self::vars());
        env.vars.extend(more);
        Self::on(env).await
    }

    /// The same database with `more` variables changed, as after a restart.
    pub async fn restarted<const N: usize>(self, more: [(&'static str, String); N]) -> Self {
        let mut env = self.env;
        env.vars.extend(more);
        Self::on(env).await
    }

    /// A second Ersal process on the same database and configuration.
    pub async fn another_process(&self) -> AppState {
        self.env.state().await
    }

    /// The app talking to a Divar sandbox of its own over HTTP.
    pub async fn with_sandbox() -> (Self, Sandbox) {
        let (env, sandbox) = TestEnv::with_sandbox(Self::vars()).await;
        (Self::on(env).await, sandbox)
    }

    /// The variables every test app has: two identification keys (old and new) and its origin.
    fn vars() -> [(&'static str, String); 3] {
        [
            ("DIVAR_IDENTIFICATION_KEYS", format!("{OLD_KEY},{NEW_KEY}")),
            ("ERSAL_PUBLIC_URL", "http://ersal.test".to_owned()),
            ("DIVAR_COMPLETION_URL", COMPLETION.to_owned()),
        ]
    }

    async fn on(env: TestEnv) -> Self {
        let state = env.state().await;
        let router = ersal::server::router(state.clone(), leptos_options());
        Self { state, router, env }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        self.send_from(CLIENT, request).await
    }

    /// Sends `request` as if it came from `client` (`ip:port`).
    pub async fn send_from(&self, client: &str, mut request: Request<Body>) -> Reply {
        let client: SocketAddr = client.parse().expect("a socket address");
        request.extensions_mut().insert(ConnectInfo(client));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body")
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POSTs an init body with a valid key, JSON content type and the v2 header.
    pub async fn init(&self, body: &Value) -> Reply {
        self.init_with(
            body.to_string(),
            &[("authorization", NEW_KEY), ("API_VERSION", "2")],
        )
        .await
    }

    /// POSTs an init body with a valid key and a JSON content type but no version header, as
    /// legacy (v1) calls come.
    pub async fn init_without_version(&self, body: &Value) -> Reply {
        self.init_with(body.to_string(), &[("authorization", NEW_KEY)])
            .await
    }

    /// POSTs raw bytes with exactly the given headers (plus a JSON content type unless one is
    /// given).
    pub async fn init_with(&self, body: impl Into<Body>, headers: &[(&str, &str)]) -> Reply {
        let mut request = Request::post("/divar/init");
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(body.into()).unwrap()).await
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// POSTs a form (`application/x-www-form-urlencoded`) as a browser on our own pages does.
    pub async fn post_form(
        &self,
        client: &str,
        uri: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", body.len())
            .header("accept", "text/html")
            .header("origin", "http://ersal.test");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        self.send_from(client, request.body(Body::from(body)).unwrap())
            .await
    }

    /// Another Ersal process on the same database, as a second instance behind a load
    /// balancer would be.
    pub async fn instance(&self) -> AppState {
        self.env.state().await
    }

    /// A stored shipment, which must exist.
    pub async fn shipment(&self, code: &domain::code::TrackingCode) -> store::shipments::Shipment {
        store::shipments::get(&self.state.db, &self.state.keys, code)
            .await
            .unwrap()
            .expect("the shipment exists")
    }

    /// The single number a query such as `select count(*) from …` answers.
    pub async fn count(&self, sql: &str) -> i64 {
        scalar(&self.state.db, sql).await
    }

    pub async fn landing_count(&self) -> i64 {
        self.count("select count(*) from landing_sessions").await
    }

    /// The path of the landing URL an init call with `body` answers.
    pub async fn landing_path(&self, body: &Value) -> String {
        let reply = self.init(body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()["url"]
            .as_str()
            .unwrap()
            .strip_prefix("http://ersal.test")
            .unwrap()
            .to_owned()
    }

    /// Follows an init answer's URL like a webview: returns the `name=value` session cookie.
    pub async fn open(&self, landing_url: &str) -> String {
        let path = landing_url
            .strip_prefix("http://ersal.test")
            .expect("landing on our origin");
        let reply = self.get(path, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let set_cookie = reply.header("set-cookie").expect("a session cookie");
        set_cookie.split(';').next().unwrap().to_owned()
    }

    /// The stored session behind an init answer (redeemed through the repository, so that
    /// button sessions whose data is not signed can be inspected too).
    pub async fn session_for(&self, reply: &Reply) -> store::sessions::LandingSession {
        use store::sessions::{self, Redeemed};
        let url = reply.json()["url"]
            .as_str()
            .expect("an init answer")
            .to_owned();
        let token = url.rsplit('/').next().unwrap();
        let now = self.state.now();
        let Redeemed::Session { cookie_token } = sessions::redeem(
            &self.state.db,
            &self.state.link_keys,
            &self.state.keys,
            token,
            now,
        )
        .await
        .unwrap() else {
            panic!("the landing id did not redeem");
        };
        sessions::current(
            &self.state.db,
            &self.state.keys,
            &cookie_token,
            now,
            self.state.idle_secs(),
        )
        .await
        .unwrap()
        .expect("a live session")
    }
}

pub use store::inspect::{column, exec, scalar};

/// Serves the whole app of `state` on `listener` over real HTTP, as the binary does, until the
/// test ends.
pub fn serve_on(listener: TcpListener, state: &AppState) {
    tokio::spawn(ersal::server::serve(
        listener,
        state.clone(),
        leptos_options(),
        std::future::pending(),
    ));
}

/// Leptos options as `Leptos.toml` sets them (the tests render pages; no assets are served).
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("ersal")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build()
}

/// The PostgreSQL server the suite runs on instead of SQLite, when `ERSAL_TEST_POSTGRES` holds
/// a URL of one of its databases (`make test` starts a throwaway cluster and runs the suite a
/// second time with it).
fn postgres_server() -> Option<String> {
    std::env::var("ERSAL_TEST_POSTGRES").ok()
}

/// A fresh database's URL: a new PostgreSQL database (created on first use, see
/// [`TestEnv::state`]) or an SQLite file in `dir`.
fn fresh_database(dir: &std::path::Path) -> String {
    match postgres_server() {
        Some(server) => {
            let (server, _) = server.rsplit_once('/').expect("a database URL");
            format!("{server}/ersal_test_{:016x}", rand::random::<u64>())
        }
        None => format!("sqlite://{}/ersal.db", dir.display()),
    }
}

/// A development configuration's variables, on a fresh database.
pub struct TestEnv {
    vars: HashMap<&'static str, String>,
    _dir: tempfile::TempDir,
}

/// A PostgreSQL test database is dropped with its environment: a suite run creates hundreds
/// (every fuzz case has its own), which would otherwise fill the disk run after run.
impl Drop for TestEnv {
    fn drop(&mut self) {
        let url = &self.vars["DATABASE_URL"];
        let (Some(server), Some((_, name))) = (postgres_server(), url.rsplit_once('/')) else {
            return;
        };
        let name = name.to_owned();
        // Drop may run inside a runtime, which cannot block on another: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(store::inspect::drop_database(&server, &name))
        })
        .join()
        .expect("the drop thread");
        // A failing test is unwinding already: its own message is the one to read.
        if let Err(cause) = dropped {
            assert!(std::thread::panicking(), "dropping {url}: {cause}");
        }
    }
}

impl TestEnv {
    /// The development variables with `more`.
    pub fn new<const N: usize>(more: [(&'static str, String); N]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut vars = HashMap::from([
            ("ERSAL_MODE", "dev".to_owned()),
            ("DATABASE_URL", fresh_database(dir.path())),
            // The sandbox answers get-post at once, but a loaded test machine may not.
            ("ERSAL_PREFILL_MS", "5000".to_owned()),
            (
                "ERSAL_TARIFF_FILE",
                concat!(env!("CARGO_MANIFEST_DIR"), "/config/tariff.toml").to_owned(),
            ),
        ]);
        vars.extend(more);
        Self { vars, _dir: dir }
    }

    /// A Divar sandbox serving on a port of its own, and the development variables with `more`
    /// that send Kenar's API, OAuth and the completion page to it.
    pub async fn with_sandbox<const N: usize>(
        more: [(&'static str, String); N],
    ) -> (Self, Sandbox) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let mut env = Self::new(more);
        env.vars.extend([
            ("KENAR_API_BASE_URL", origin.clone()),
            ("KENAR_OAUTH_BASE_URL", origin.clone()),
            ("DIVAR_COMPLETION_URL", format!("{origin}/completion")),
        ]);
        let sandbox = Sandbox::new(ersal::server::sandbox_config(&env.config(), &origin));
        let router = divar_sandbox::router(sandbox.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (env, sandbox)
    }

    /// An Ersal process's state on this environment's database, creating the PostgreSQL
    /// database first if needed.
    pub async fn state(&self) -> AppState {
        let url = &self.vars["DATABASE_URL"];
        if let (Some(server), Some((_, name))) = (postgres_server(), url.rsplit_once('/')) {
            store::inspect::create_database(&server, name).await;
        }
        AppState::connect(self.config()).await.expect("database")
    }

    /// The configuration the variables make: each call a fresh one, as each Ersal process reads
    /// its own.
    pub fn config(&self) -> Config {
        Config::from_lookup(|name| self.vars.get(name).cloned()).expect("test config")
    }
}

/// The one shipment a test made, read through the console's list.
pub async fn only_shipment(state: &AppState) -> domain::code::TrackingCode {
    let all = store::shipments::list::Filter(Vec::new());
    let (lines, total) = store::shipments::list::list(&state.db, &all, 0)
        .await
        .unwrap();
    assert_eq!(total, 1, "one shipment");
    domain::code::TrackingCode::parse(&lines[0].id).unwrap()
}

/// The user the tests' grants come from.
pub fn test_user() -> kenar::DivarUserId {
    kenar::DivarUserId::parse("test-user").unwrap()
}

/// A conversation id the tests name.
pub fn conv(id: &str) -> kenar::ConversationId {
    kenar::ConversationId::parse(id).unwrap()
}

/// The permission to post in `conversation`.
pub fn chat_grant(conversation: &str) -> kenar::Grant {
    kenar::Grant::Conversation(conv(conversation))
}

/// Keeps an access and refresh token for `conversation`, valid for an hour from `now`.
pub async fn keep_grant(
    state: &AppState,
    conversation: &str,
    access: &str,
    refresh: &str,
    now: i64,
) {
    let issued = store::grants::Issued {
        access,
        refresh: Some(refresh),
        access_expires_at: now + 3600,
    };
    store::grants::store(
        &state.db,
        &state.keys,
        &chat_grant(conversation),
        &issued,
        &test_user(),
        now,
    )
    .await
    .unwrap();
}
