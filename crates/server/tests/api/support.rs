//! A test app: a fresh database in a temporary folder, the real router, and helpers to call
//! it with `oneshot` the way Divar and browsers do.

use std::collections::HashMap;

use axum::body::Body;
use axum::Router;
use ersal_server::{AppState, Config};
use http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

pub const OLD_KEY: &str = "old-identification-key-0001";
pub const NEW_KEY: &str = "new-identification-key-0002";
pub const COMPLETION: &str = "https://open-platform-redirect.divar.ir/completion";

pub struct TestApp {
    pub state: AppState,
    router: Router,
    _dir: tempfile::TempDir,
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

impl TestApp {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_url = format!("sqlite://{}/ersal.db", dir.path().display());
        let vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", db_url),
            ("DIVAR_IDENTIFICATION_KEYS", format!("{OLD_KEY},{NEW_KEY}")),
            ("ERSAL_PUBLIC_URL", "http://ersal.test".to_owned()),
            ("DIVAR_COMPLETION_URL", COMPLETION.to_owned()),
            (
                "ERSAL_TARIFF_FILE",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/tariff.toml").to_owned(),
            ),
        ]);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
        let state = AppState::connect(config).await.expect("database");
        let router = ersal_server::http::routes(state.clone());
        Self {
            state,
            router,
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
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

    pub async fn landing_count(&self) -> i64 {
        sqlx::query_scalar("select count(*) from landing_sessions")
            .fetch_one(&self.state.db)
            .await
            .unwrap()
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
    pub async fn session_for(&self, reply: &Reply) -> ersal_server::sessions::LandingSession {
        use ersal_server::sessions::{self, Redeemed};
        let url = reply.json()["url"]
            .as_str()
            .expect("an init answer")
            .to_owned();
        let token = url.rsplit('/').next().unwrap();
        let now = self.state.now();
        let Redeemed::Session { cookie_token } =
            sessions::redeem(&self.state.db, token, now).await.unwrap()
        else {
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
