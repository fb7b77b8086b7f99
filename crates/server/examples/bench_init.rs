//! Benchmark (not a test): drives `POST /divar/init` — the real router, layers and a fresh
//! database (SQLite, or the PostgreSQL database `BENCH_DATABASE_URL` names) — and, in the same
//! run, a bare axum JSON handler, over loopback HTTP at a fixed concurrency. Prints
//! requests/s, p50 and p99 for both and their ratio, with the log the packaged release writes
//! (`RUST_LOG` as set, else the default filter); with `BENCH_WRK_SECS`, wrk's figures too.
//!
//!     cargo run --release -p ersal-server --example bench_init [requests] [concurrency]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::{Json, Router};
use ersal_server::{AppState, Config};
use serde_json::{json, Value};

/// The allocator the `ersal` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KEY: &str = "bench-identification-key-0001";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);

    let dir = tempfile::tempdir().expect("temp dir");
    let vars = HashMap::from([
        ("ERSAL_MODE", "dev".to_owned()),
        (
            "DATABASE_URL",
            std::env::var("BENCH_DATABASE_URL")
                .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display())),
        ),
        ("DIVAR_IDENTIFICATION_KEYS", KEY.to_owned()),
        // As a deployment that serves metrics records them (nothing listens there).
        ("ERSAL_METRICS_ADDR", "127.0.0.1:9464".to_owned()),
        (
            "ERSAL_TARIFF_FILE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/tariff.toml").to_owned(),
        ),
    ]);
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let state = AppState::connect(config).await.expect("database");
    ersal_server::telemetry::install().expect("metrics recorder");
    // The packaged release's log: RUST_LOG unset, the default filter, the non-blocking writer.
    let _log = ersal_server::telemetry::logs::install();
    let ersal = ersal_server::http::layered(ersal_server::http::routes(state.clone()), &state);
    let bare = Router::new().route(
        "/json",
        post(|Json(body): Json<Value>| async move {
            Json(json!({"url": format!("http://127.0.0.1/l/{}", body["source"].as_str().unwrap_or("x"))}))
        }),
    );
    let ersal_addr = serve(ersal).await;
    let unlayered_addr = serve(ersal_server::http::machines(state.clone())).await;
    let bare_addr = serve(bare).await;

    let body = json!({
        "source": "CHAT",
        "post_token": "QpR7x2Lm",
        "conversation_id": "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10",
        "user_side": "DEMAND",
        "user_id": "k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=",
        "return_url": "https://divar.ir/chat/0d5f3c1e",
        "extra_data": {}
    })
    .to_string();

    println!(
        "requests={requests} concurrency={concurrency} (each after {} warm-up requests)",
        requests / 20
    );
    let bare_run = drive(
        &format!("http://{bare_addr}/json"),
        &body,
        requests,
        concurrency,
    )
    .await;
    let ersal_run = drive(
        &format!("http://{ersal_addr}/divar/init"),
        &body,
        requests,
        concurrency,
    )
    .await;
    // The handler alone, without the layers of Divar's calls (ids, tracing, latency metric,
    // fixed headers): what those layers cost.
    let unlayered_run = drive(
        &format!("http://{unlayered_addr}/divar/init"),
        &body,
        requests,
        concurrency,
    )
    .await;
    if let Some(seconds) = std::env::var("BENCH_WRK_SECS")
        .ok()
        .filter(|s| !s.is_empty())
    {
        let rounds: usize = std::env::var("BENCH_WRK_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(3);
        println!(
            "wrk, 1 thread, {concurrency} connections, {seconds} s each (a process of its own), \
             {rounds} rounds of bare, init, init without the layers:"
        );
        let urls = [
            format!("http://{bare_addr}/json"),
            format!("http://{ersal_addr}/divar/init"),
            format!("http://{unlayered_addr}/divar/init"),
        ];
        let mut ratios = Vec::new();
        let mut unlayered_ratios = Vec::new();
        for round in 1..=rounds {
            let [bare, init, unlayered] = urls
                .clone()
                .map(|url| wrk(&url, &body, concurrency, &seconds));
            println!(
                "  round {round}: bare {bare:>7.0} req/s, init {init:>7.0} (ratio {:.2}), \
                 without the layers {unlayered:>7.0} (ratio {:.2})",
                init / bare,
                unlayered / bare
            );
            ratios.push(init / bare);
            unlayered_ratios.push(unlayered / bare);
        }
        println!(
            "  wrk ratio init/bare, median of {rounds} rounds: {:.2} (without the layers {:.2})",
            median(&mut ratios),
            median(&mut unlayered_ratios)
        );
    }
    bare_run.print("bare axum JSON handler");
    ersal_run.print("POST /divar/init (ersal)");
    unlayered_run.print("the same without the layers");
    println!(
        "ratio ersal/bare: throughput {:.2}, p99 {:.2}",
        ersal_run.rps / bare_run.rps,
        ersal_run.p99.as_secs_f64() / bare_run.p99.as_secs_f64()
    );
}

/// The middle value (the upper one of an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Requests/s that `wrk` (Debian's) reaches POSTing `body` to `url`.
fn wrk(url: &str, body: &str, connections: usize, seconds: &str) -> f64 {
    let script = std::env::temp_dir().join("ersal-bench-init.lua");
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.body = {body:?}\nwrk.headers[\"content-type\"] = \"application/json\"\nwrk.headers[\"authorization\"] = \"{KEY}\"\nwrk.headers[\"api_version\"] = \"2\"\n"
    );
    std::fs::write(&script, lua).expect("wrk script");
    let out = std::process::Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "-s",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Non-2xx"), "wrk saw errors: {text}");
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("wrk's requests/s")
}

async fn serve(router: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

struct Run {
    rps: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Run {
    fn print(&self, name: &str) {
        println!(
            "{name:<28} {:>9.0} req/s   p50 {:>6.3} ms   p99 {:>6.3} ms   max {:>7.3} ms",
            self.rps,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3,
        );
    }
}

/// `requests` POSTs from `concurrency` workers sharing one keep-alive client; every answer
/// must be 200.
async fn drive(url: &str, body: &str, requests: usize, concurrency: usize) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let send = |client: reqwest::Client, url: String, body: String| async move {
        let started = Instant::now();
        let response = client
            .post(&url)
            .header("authorization", KEY)
            .header("content-type", "application/json")
            .header("api_version", "2")
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "benchmark request refused");
        response.bytes().await.expect("body");
        started.elapsed()
    };
    for _ in 0..requests / 20 {
        send(client.clone(), url.to_owned(), body.to_owned()).await;
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, body, next) = (
                client.clone(),
                url.to_owned(),
                body.to_owned(),
                next.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    latencies.push(send(client.clone(), url.clone(), body.clone()).await);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run {
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        max: *latencies.last().expect("at least one request"),
    }
}
