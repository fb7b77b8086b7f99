//! Measurement (not a test): 300 concurrent wrong console logins against the whole app (the
//! real router, a fresh SQLite database, loopback HTTP), while `POST /divar/init` is timed one
//! request after another. Prints init's p50/p99/max before and during the burst, and how many
//! passwords were really checked (Argon2 runs).
//!
//!     cargo run --release --features ssr --example login_burst [logins]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ersal_server::{AppState, Config};
use store::operators;

const KEY: &str = "burst-identification-key-0001";

#[tokio::main]
async fn main() {
    let logins: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let vars = HashMap::from([
        ("ERSAL_MODE", "dev".to_owned()),
        ("ERSAL_PUBLIC_URL", origin.clone()),
        ("DIVAR_IDENTIFICATION_KEYS", KEY.to_owned()),
        (
            "DATABASE_URL",
            format!("sqlite://{}/burst.db", dir.path().display()),
        ),
        (
            "ERSAL_TARIFF_FILE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/tariff.toml").to_owned(),
        ),
    ]);
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let state = AppState::connect(config).await.expect("database");
    operators::add(&state.db, "ali", "a long and real password", state.now())
        .await
        .expect("an operator");
    let options = leptos::prelude::get_configuration(Some(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/Leptos.toml"
    )))
    .expect("Leptos.toml")
    .leptos_options;
    tokio::spawn(ersal::server::serve(
        listener,
        state.clone(),
        options,
        std::future::pending(),
    ));

    let client = reqwest::Client::new();
    let stop_after = |span| {
        let end = Instant::now() + span;
        move || Instant::now() >= end
    };
    let before = time_inits(&client, &origin, stop_after(Duration::from_secs(2))).await;
    print("init alone", &before);

    let checks_before = state.passwords.checks();
    let burst: Vec<_> = (0..logins)
        .map(|i| {
            let client = client.clone();
            let origin = origin.clone();
            tokio::spawn(async move {
                let form = [
                    ("form[username]", "ali".to_owned()),
                    ("form[password]", format!("wrong {i}")),
                ];
                client
                    .post(format!("{origin}/api/console/login"))
                    .header("origin", &origin)
                    .header("accept", "text/html")
                    .form(&form)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let started = Instant::now();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let during = {
        let (client, origin, done) = (client.clone(), origin.clone(), done.clone());
        tokio::spawn(async move {
            let over = move || done.load(std::sync::atomic::Ordering::Relaxed);
            time_inits(&client, &origin, over).await
        })
    };
    let mut answered = 0;
    for login in burst {
        if login.await.expect("joined").is_ok() {
            answered += 1;
        }
    }
    let burst_secs = started.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = during.await.expect("joined");
    print("init during the burst", &during);
    println!(
        "logins: {logins} sent, {answered} answered in {burst_secs:.2} s; passwords really checked: {}",
        state.passwords.checks() - checks_before
    );
}

/// Init calls one after another until `over`; their latencies, sorted.
async fn time_inits(
    client: &reqwest::Client,
    origin: &str,
    over: impl Fn() -> bool,
) -> Vec<Duration> {
    let body =
        r#"{"source":"CHAT","post_token":"QpR7x2Lm","conversation_id":"c-1","user_side":"DEMAND"}"#;
    let mut times = Vec::new();
    while times.is_empty() || !over() {
        let at = Instant::now();
        let reply = client
            .post(format!("{origin}/divar/init"))
            .header("authorization", KEY)
            .header("content-type", "application/json")
            .header("api-version", "v2")
            .body(body)
            .send()
            .await
            .expect("init answers");
        assert!(reply.status().is_success(), "init: {}", reply.status());
        times.push(at.elapsed());
    }
    times.sort();
    times
}

fn print(name: &str, times: &[Duration]) {
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    println!(
        "{name:<24} {:>5} calls   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
