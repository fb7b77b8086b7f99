//! Init's instructions through the router, in process, for `valgrind --tool=callgrind`: one
//! `POST /divar/init` sent N times (argument 1, default 2,000) through the layered router
//! (argument 2 `layered`, the default) or the machine routes alone (`bare`), with the metrics
//! recorder and the packaged release's log installed as in `bench_init`. Run it twice, with N
//! and with 0, and divide the difference of the totals by N: instructions per init, repeatable
//! where timings are not (docs/benchmarks.md).

use std::collections::HashMap;

use axum::body::Body;
use ersal_server::{AppState, Config};
use http::Request;
use tower::ServiceExt;

/// As the binary allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KEY: &str = "bench-identification-key-0001";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let layered = args.next().as_deref() != Some("bare");
    let dir = tempfile::tempdir().expect("temp dir");
    let vars = HashMap::from([
        ("ERSAL_MODE", "dev".to_owned()),
        (
            "DATABASE_URL",
            format!("sqlite://{}/bench.db", dir.path().display()),
        ),
        ("DIVAR_IDENTIFICATION_KEYS", KEY.to_owned()),
        ("ERSAL_METRICS_ADDR", "127.0.0.1:9464".to_owned()),
        (
            "ERSAL_TARIFF_FILE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/tariff.toml").to_owned(),
        ),
    ]);
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let state = AppState::connect(config).await.expect("database");
    ersal_server::telemetry::install().expect("metrics recorder");
    let _log = ersal_server::telemetry::logs::install();
    let router = if layered {
        ersal_server::http::layered(ersal_server::http::routes(state.clone()), &state)
    } else {
        ersal_server::http::machines(state.clone())
    };
    let body = serde_json::json!({
        "source": "CHAT",
        "post_token": "QpR7x2Lm",
        "conversation_id": "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10",
        "user_side": "DEMAND",
        "user_id": "k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=",
        "return_url": "https://divar.ir/chat/0d5f3c1e",
        "extra_data": {}
    })
    .to_string();
    let mut ok = 0;
    for _ in 0..requests {
        let request = Request::post("/divar/init")
            .header("authorization", KEY)
            .header("content-type", "application/json")
            .header("api_version", "2")
            .body(Body::from(body.clone()))
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        ok += usize::from(response.status().is_success());
        let _ = axum::body::to_bytes(response.into_body(), 1 << 16).await;
    }
    println!(
        "{ok} of {requests} answered 2xx ({})",
        if layered { "layered" } else { "bare" }
    );
}
