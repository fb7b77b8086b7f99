//! The router that ships, as a browser and a stranger meet it: response headers per kind of
//! page (cache, the Content-Security-Policy and its per-response nonce on every script, HSTS in
//! production only, request ids that are ours), tracking links, forms from other sites, and the
//! route table. The console's own forms are in `console_forms`.

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::json;

use crate::chat::shipment_in;
use crate::console_forms::{location, operator_session};
use crate::support::{leptos_options, Reply, TestApp, TestEnv};

const STRANGER: &str = "10.0.0.1:5000";

fn assert_common_headers(reply: &Reply, what: &str) {
    assert!(reply.header("x-request-id").is_some(), "{what}: request id");
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        reply.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{what}");
    let csp = reply.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        reply.header("strict-transport-security").is_none(),
        "{what}: no HSTS in dev"
    );
}

/// The nonce of a page's `script-src` (`'nonce-…'`), checked to be on every `<script` of the
/// page; with the number of scripts.
fn page_nonce(reply: &Reply, what: &str) -> (String, usize) {
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{what}: an HTML page"
    );
    let csp = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: a CSP"));
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("{what}: no {name} in {csp}"))
            .to_owned()
    };
    let script_src = directive("script-src");
    assert!(!script_src.contains("unsafe-inline") && !script_src.contains("'unsafe-eval'"));
    assert!(script_src.contains("'wasm-unsafe-eval'"), "{script_src}");
    for (name, value) in [
        ("default-src", "default-src 'self'"),
        ("object-src", "object-src 'none'"),
        ("base-uri", "base-uri 'none'"),
        ("frame-ancestors", "frame-ancestors 'none'"),
        ("font-src", "font-src 'self'"),
        ("connect-src", "connect-src 'self'"),
    ] {
        assert!(directive(name).starts_with(value), "{what}: {csp}");
    }
    assert!(directive("form-action").starts_with("form-action 'self' "));
    let nonce = script_src
        .split('\'')
        .find_map(|source| source.strip_prefix("nonce-"))
        .unwrap_or_else(|| panic!("{what}: no nonce in {script_src}"))
        .to_owned();
    assert!(nonce.len() >= 22, "{what}: at least 128 bits: {nonce}");
    let html = reply.text();
    let scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect();
    for attributes in &scripts {
        assert!(
            attributes.contains(&format!(r#"nonce="{nonce}""#)),
            "{what}: a script without the response's nonce: <script{attributes}>"
        );
    }
    (nonce, scripts.len())
}

#[tokio::test]
async fn every_page_has_a_csp_whose_fresh_nonce_is_on_each_of_its_scripts() {
    let app = TestApp::new().await;
    let code = shipment_in(&app, "conv-A").await;
    let (operator, _) = operator_session(&app).await;
    let flow = app.open(
        app.init(&json!({"source": "CHAT", "conversation_id": "c-1", "user_side": "DEMAND", "return_url": "https://divar.ir/chat/c-1"}))
            .await
            .json()["url"]
            .as_str()
            .unwrap(),
    )
    .await;
    let tracking = format!("/t/{code}");
    let shipment = format!("/console/s/{code}");
    // (path, cookie, status, hydrated: only pages with islands, such as the item step, load
    // the WASM by a script)
    let pages: [(&str, Option<&str>, StatusCode, bool); 9] = [
        ("/", None, StatusCode::OK, false),
        ("/privacy", None, StatusCode::OK, false),
        ("/request", Some(&flow), StatusCode::OK, true),
        // Someone else's shipment: the dead end, answered 403.
        (&tracking, None, StatusCode::FORBIDDEN, false),
        ("/no-such-page", None, StatusCode::NOT_FOUND, false),
        ("/console/login", None, StatusCode::OK, false),
        ("/console", Some(&operator), StatusCode::OK, false),
        (&shipment, Some(&operator), StatusCode::OK, false),
        // A plain handler's dead end (no script; its inline style is allowed by its hash).
        ("/l/unknown", None, StatusCode::GONE, false),
    ];
    for (path, cookie, status, hydrated) in pages {
        let first = app.get(path, cookie).await;
        assert_eq!(first.status, status, "{path}");
        assert_common_headers(&first, path);
        let (nonce, scripts) = page_nonce(&first, path);
        if hydrated {
            assert!(
                first.text().contains("hydrate(") && scripts >= 1,
                "{path}: the hydration script"
            );
        } else {
            // Only Leptos' resource data (the pages without islands, the console), or none
            // (the plain handlers' dead ends).
            assert!(!first.text().contains("hydrate("), "{path}");
        }
        let (again, _) = page_nonce(&app.get(path, cookie).await, path);
        assert_ne!(nonce, again, "{path}: a fresh nonce per response");
    }

    // The dead-end page's style is allowed by its hash, not by 'unsafe-inline'.
    let dead_end = app.get("/l/unknown", None).await;
    let csp = dead_end.header("content-security-policy").unwrap();
    assert!(csp.contains("style-src 'self' 'nonce-") && csp.contains("'sha256-"));
    assert!(!csp.contains("unsafe-inline"));
    assert!(dead_end.text().contains("<style>") && !dead_end.text().contains("<script"));

    // Forms go to Ersal and to Divar only: its OAuth and completion pages and its sites.
    let home = app.get("/", None).await;
    let csp = home.header("content-security-policy").unwrap();
    assert!(
        csp.contains(
            "form-action 'self' http://127.0.0.1:3100 https://open-platform-redirect.divar.ir https://divar.ir https://*.divar.ir;"
        ),
        "{csp}"
    );
}

#[tokio::test]
async fn answers_that_are_not_pages_get_a_policy_that_allows_nothing() {
    let app = TestApp::new().await;
    let strict = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    let health = app.get("/healthz", None).await;
    assert_eq!(health.header("content-security-policy"), Some(strict));
    assert_common_headers(&health, "/healthz");
    let init = app
        .init(&json!({"source": "CHAT", "conversation_id": "c-1", "return_url": "https://divar.ir/chat/c-1"}))
        .await;
    assert_eq!(init.status, StatusCode::OK);
    assert_eq!(init.header("content-security-policy"), Some(strict));
    assert_common_headers(&init, "/divar/init");
    let reply = app
        .post_form(STRANGER, "/api/console/login", None, &[])
        .await;
    assert!(reply.status.is_redirection() || reply.status.is_client_error());
    assert_eq!(reply.header("content-security-policy"), Some(strict));
    assert_common_headers(&reply, "a server function");
}

#[tokio::test]
async fn production_adds_hsts_and_sends_forms_only_to_divar() {
    let env = TestEnv::new([
        ("ERSAL_MODE", "prod".to_owned()),
        ("ERSAL_PUBLIC_URL", "https://ersal.example.ir".to_owned()),
        (
            "DIVAR_IDENTIFICATION_KEYS",
            "a-production-identification-key".to_owned(),
        ),
        ("KENAR_APP_SLUG", "ersal".to_owned()),
        ("KENAR_API_KEY", "a-production-api-key-0001".to_owned()),
        (
            "KENAR_OAUTH_CLIENT_SECRET",
            "a-production-client-secret".to_owned(),
        ),
        (
            "ERSAL_SECRET_KEY",
            "0123456789abcdef0123456789abcdef-production".to_owned(),
        ),
        ("ERSAL_SUPPORT_PHONE", "021-91000000".to_owned()),
        (
            "ERSAL_PROCESSORS",
            "شرکت حمل=جابه‌جایی;میزبان=میزبانی".to_owned(),
        ),
    ]);
    assert!(!env.config().is_dev());
    let state = env.state().await;
    let router = ersal::server::router(state, leptos_options());
    for path in ["/", "/healthz", "/console/login"] {
        let mut request = Request::get(path).body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
                "127.0.0.1:40000".parse().unwrap(),
            ));
        let response = tower::ServiceExt::oneshot(router.clone(), request)
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(
            headers
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=63072000; includeSubDomains"),
            "{path}"
        );
        assert_eq!(
            headers.get("referrer-policy").unwrap(),
            "no-referrer",
            "{path}"
        );
        if path != "/healthz" {
            let csp = headers
                .get("content-security-policy")
                .unwrap()
                .to_str()
                .unwrap();
            assert!(
                csp.contains(
                    "form-action 'self' https://oauth.divar.ir https://open-platform-redirect.divar.ir https://divar.ir https://*.divar.ir;"
                ),
                "{csp}"
            );
            assert!(csp.contains("connect-src 'self';"), "{csp}");
        }
    }
}

#[tokio::test]
async fn every_kind_of_page_gets_its_cache_policy_and_the_common_headers() {
    let app = TestApp::new().await;
    let code = shipment_in(&app, "conv-A").await;
    let cases = [
        ("/", "no-cache"),
        ("/privacy", "no-cache"),
        ("/request", "no-store"),
        (&format!("/t/{code}") as &str, "no-store"),
        ("/console/login", "no-store"),
        (&format!("/console/s/{code}"), "no-store"),
        ("/healthz", "no-store"),
        ("/l/unknown", "no-store"),
    ];
    for (path, cache) in cases {
        let reply = app.get(path, None).await;
        assert!(
            reply.status.is_success()
                || reply.status.is_redirection()
                || [StatusCode::GONE, StatusCode::FORBIDDEN].contains(&reply.status),
            "{path}: {}",
            reply.status
        );
        assert_eq!(reply.header("cache-control"), Some(cache), "{path}");
        assert_common_headers(&reply, path);
    }
    let console = app.get("/console/login", None).await.text();
    assert!(console.contains("ورود کارکنان"));
    // The hydration scripts load the WASM through `hydrate()`: only landing pages with islands
    // have them (checked in `every_page_has_a_csp_whose_fresh_nonce_is_on_each_of_its_scripts`);
    // a page without islands and the console never do.
    let landing = app.get("/privacy", None).await.text();
    assert!(landing.contains("حریم خصوصی") && !landing.contains("hydrate("));
    assert!(
        !console.contains("hydrate(") && !console.contains("/pkg/ersal.js"),
        "the console is sent without hydration scripts"
    );
}

#[tokio::test]
async fn a_tracking_link_shows_the_shipment_until_it_expires_and_never_cancels() {
    use ersal_server::tracking::{link_key, LINK_SECS};
    let app = TestApp::new().await;
    let code = shipment_in(&app, "conv-A").await;
    let now = app.state.now();
    let page = |key: String| {
        let app = &app;
        let code = &code;
        async move { app.get(&format!("/t/{code}?k={key}"), None).await.text() }
    };
    let hidden = "این مرسوله را نمی‌توان نشان داد";
    assert!(page("guessed".to_owned()).await.contains(hidden));
    let expired = link_key(&app.state, &code, now - LINK_SECS - 1);
    assert!(page(expired).await.contains(hidden));
    let key = link_key(&app.state, &code, now);
    let shown = page(key.clone()).await;
    assert!(shown.contains(code.as_str()) && !shown.contains(hidden));
    assert!(!shown.contains("لغو درخواست"), "a link offers no cancel");

    // Posting the cancel form anyway, with the key: nothing happens, and no key comes back.
    let reply = app
        .post_form(
            STRANGER,
            "/api/tracking/cancel",
            None,
            &[("form[id]", code.as_str()), ("form[key]", &key)],
        )
        .await;
    assert_eq!(location(&reply), format!("/t/{code}"));
    let shipment = app.shipment(&code).await;
    assert_eq!(
        shipment.status,
        domain::status::Status::AwaitingCounterparty
    );
}

#[tokio::test]
async fn a_form_another_site_sends_changes_nothing() {
    let app = TestApp::new().await;
    let cookie = app
        .open(&format!(
            "http://ersal.test{}",
            app.landing_path(&serde_json::json!({"source": "CHAT", "conversation_id": "c-1"}))
                .await
        ))
        .await;
    let item = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("form[description]", "گوشی"),
            ("form[size_class]", "small"),
            ("form[declared_value]", "0"),
        ])
        .finish();
    let post = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/api/flow/item")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("cookie", &cookie);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        app.send(request.body(Body::from(item.clone())).unwrap())
    };
    let drafts = || app.count("select count(*) from drafts");
    for foreign in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null"), ("sec-fetch-site", "cross-site")][..],
    ] {
        assert_eq!(
            post(foreign).await.status,
            StatusCode::FORBIDDEN,
            "{foreign:?}"
        );
        assert_eq!(drafts().await, 0, "nothing stored");
    }
    // An old browser that says nothing is let through (its cookie is `SameSite=Lax`).
    let unsaid = post(&[]).await;
    assert_eq!(location(&unsaid), "/request?step=party");
    assert_eq!(drafts().await, 1);
}

#[tokio::test]
async fn the_route_table_names_every_route_the_apps_serve_and_each_is_served() {
    use domain::routes::{Kind, Route};
    use std::collections::BTreeSet;
    let listed = |kind: Kind| -> BTreeSet<String> {
        Route::ALL
            .iter()
            .filter(|route| route.kind() == kind)
            .map(|route| route.path().to_owned())
            .collect()
    };
    let served = |routes: Vec<leptos_axum::AxumRouteListing>| -> BTreeSet<String> {
        routes.iter().map(|r| r.path().to_owned()).collect()
    };
    let landing = served(leptos_axum::generate_route_list(app::App));
    let console = served(leptos_axum::generate_route_list(app::console::ConsoleApp));
    assert_eq!(landing, listed(Kind::Page), "the landing app's pages");
    assert_eq!(console, listed(Kind::ConsolePage), "the console's pages");

    // Every plain route and server function in the table answers (405 for the other method).
    let app = TestApp::new().await;
    for route in Route::ALL {
        let uri = route.with("x");
        let get = app.get(&uri, None).await.status;
        let post = app.post_form(STRANGER, &uri, None, &[]).await.status;
        assert!(
            get != StatusCode::NOT_FOUND || post != StatusCode::NOT_FOUND,
            "{uri} is in the table but nothing answers it"
        );
    }
    let nowhere = app.get("/nowhere", None).await.status;
    assert_eq!(nowhere, StatusCode::NOT_FOUND, "the check can tell");
}
