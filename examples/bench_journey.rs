//! Load (not a test): N concurrent journeys as a browser without JavaScript makes them, against
//! the whole app (the real router and layers, loopback HTTP) with the Divar sandbox for get-post:
//! Divar's init (no conversation, so no chat consent), the landing link, the item step, the
//! party and quote forms, the submit and the tracking page it leads to. Prints p50 and p99 per
//! step and the number of failed steps, on a fresh SQLite database or on the PostgreSQL
//! database `BENCH_DATABASE_URL` names.
//!
//!     cargo run --release --features sandbox --example bench_journey [journeys] [concurrency]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ersal_server::{AppState, Config};
use reqwest::{Client, Response};

const KEY: &str = "journey-identification-key-01";

/// The journey's steps, in order.
const STEPS: [&str; 7] = [
    "init", "open", "request", "item", "party", "submit", "tracking",
];

/// The allocator the `ersal` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let journeys: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(400);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let dir = tempfile::tempdir().expect("temp dir");
    let ersal = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", ersal.local_addr().expect("addr"));
    let sandbox_addr = free_loopback_port().await;
    let database = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/journey.db", dir.path().display()));
    let vars = HashMap::from([
        ("ERSAL_MODE", "dev".to_owned()),
        ("ERSAL_PUBLIC_URL", origin.clone()),
        ("DIVAR_IDENTIFICATION_KEYS", KEY.to_owned()),
        ("DIVAR_SANDBOX_ADDR", sandbox_addr.to_string()),
        ("DATABASE_URL", database.clone()),
        // Every journey comes from one loopback address.
        (
            "ERSAL_RATE_LIMITS",
            "landing=1000000,functions=1000000,pages=1000000".to_owned(),
        ),
        (
            "ERSAL_TARIFF_FILE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/tariff.toml").to_owned(),
        ),
    ]);
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let sandbox = ersal::server::sandbox_config(&config, &format!("http://{sandbox_addr}"));
    tokio::spawn(divar_sandbox::serve(sandbox, sandbox_addr));
    let state = AppState::connect(config).await.expect("database");
    let mut options = leptos::prelude::get_configuration(Some(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/Leptos.toml"
    )))
    .expect("Leptos.toml")
    .leptos_options;
    // The pages name their assets without the build's hash file (no asset is fetched here).
    options.hash_files = false;
    tokio::spawn(ersal::server::serve(
        ersal,
        state,
        options,
        std::future::pending(),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let backend = database.split(':').next().unwrap_or("?");
    println!("{journeys} journeys, {concurrency} at a time, on {backend}");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (next, origin) = (next.clone(), origin.clone());
            tokio::spawn(async move {
                let mut timings = Timings::default();
                while next.fetch_add(1, Ordering::Relaxed) < journeys {
                    let failed_before = timings.failed();
                    if journey(&origin, &mut timings).await.is_none()
                        && timings.failed() == failed_before
                    {
                        // An answer that could not be read (its body, its URL, its redirect).
                        *timings
                            .errors
                            .entry(("an unreadable answer", 0))
                            .or_default() += 1;
                    }
                }
                timings
            })
        })
        .collect();
    let mut all = Timings::default();
    for worker in workers {
        all.merge(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    for step in STEPS {
        let times = all.by_step.entry(step).or_default();
        times.sort_unstable();
        let at = |q: f64| {
            times
                .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        println!(
            "  {step:<9} p50 {:>7.2} ms   p99 {:>7.2} ms   ({} answered)",
            at(0.50),
            at(0.99),
            times.len()
        );
    }
    println!(
        "  {} journeys/s, {} failed steps",
        (journeys as f64 / elapsed.as_secs_f64()).round(),
        all.failed()
    );
    for ((step, status), count) in &all.errors {
        println!("    {step}: {count} answered {status} (0: no answer)");
    }
}

#[derive(Default)]
struct Timings {
    by_step: HashMap<&'static str, Vec<Duration>>,
    /// Failed steps by step and status (0: no answer).
    errors: HashMap<(&'static str, u16), usize>,
}

impl Timings {
    fn failed(&self) -> usize {
        self.errors.values().sum()
    }

    fn merge(&mut self, other: Timings) {
        for (step, times) in other.by_step {
            self.by_step.entry(step).or_default().extend(times);
        }
        for (failure, count) in other.errors {
            *self.errors.entry(failure).or_default() += count;
        }
    }

    /// Times `call` as `step`; an answer that is not `expected` counts as an error and ends
    /// the journey (`None`).
    async fn time(
        &mut self,
        step: &'static str,
        expected: u16,
        call: impl std::future::Future<Output = reqwest::Result<Response>>,
    ) -> Option<Response> {
        let started = Instant::now();
        let answer = call.await.ok();
        let status = answer.as_ref().map_or(0, |r| r.status().as_u16());
        if status != expected {
            *self.errors.entry((step, status)).or_default() += 1;
            return None;
        }
        self.by_step
            .entry(step)
            .or_default()
            .push(started.elapsed());
        answer
    }
}

/// One journey, with a browser's cookie jar of its own.
async fn journey(origin: &str, timings: &mut Timings) -> Option<()> {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let init = serde_json::json!({
        "source": "CHAT",
        "post_token": "QpR7x2Lm",
        "user_side": "DEMAND",
        "user_id": "k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=",
        "extra_data": {}
    });
    let answer = timings
        .time(
            "init",
            200,
            client
                .post(format!("{origin}/divar/init"))
                .header("authorization", KEY)
                .json(&init)
                .send(),
        )
        .await?;
    let landing: serde_json::Value = answer.json().await.ok()?;
    let landing = landing["url"].as_str()?.to_owned();
    timings
        .time("open", 303, client.get(&landing).send())
        .await?;
    let page = timings
        .time(
            "request",
            200,
            client.get(format!("{origin}/request")).send(),
        )
        .await?;
    page.bytes().await.ok()?;
    let form = |step: &str, fields: &[(&str, &str)]| {
        client
            .post(format!("{origin}/api/flow/{step}"))
            .header("accept", "text/html")
            .form(fields)
            .send()
    };
    let item = [
        ("form[description]", "گوشی سامسونگ A54"),
        ("form[size_class]", "small"),
        ("form[weight_kg]", "۰٫۸"),
        ("form[declared_value]", "۱۸٬۵۰۰٬۰۰۰"),
    ];
    timings.time("item", 302, form("item", &item)).await?;
    let party = [
        ("form[name]", "علی محمدی"),
        ("form[mobile]", "۰۹۳۵ ۱۲۳ ۴۵۶۷"),
        ("form[city]", "isfahan"),
        ("form[address]", "خیابان چهارباغ، کوچهٔ گلستان"),
        ("form[handover]", "door"),
    ];
    timings.time("party", 302, form("party", &party)).await?;
    let quote = [
        ("form[other_city]", "tehran"),
        ("form[service]", "economy"),
        ("form[payer]", "receiver"),
        ("form[consent]", "1"),
        ("form[intent]", "submit"),
    ];
    let saved = timings.time("submit", 302, form("quote", &quote)).await?;
    let tracking = saved.headers().get("location")?.to_str().ok()?.to_owned();
    if !tracking.contains("/t/") {
        // Saved shipments lead to their tracking page; anything else is a step sent back.
        *timings
            .errors
            .entry(("submit, not saved", 302))
            .or_default() += 1;
        return None;
    }
    let tracking = if tracking.starts_with('/') {
        format!("{origin}{tracking}")
    } else {
        tracking
    };
    let page = timings
        .time("tracking", 200, client.get(&tracking).send())
        .await?;
    page.bytes().await.ok()?;
    Some(())
}

/// A loopback address whose port was free a moment ago.
async fn free_loopback_port() -> std::net::SocketAddr {
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    probe.local_addr().expect("addr")
}
