//! The request log: what an operator needs is written with its request id (a refusal, a slow
//! answer), and a quick success is not.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use http::{Request, StatusCode};

use crate::support::TestApp;

/// Every log line the test binary writes. The subscriber is the process's global one: a
/// subscriber set for one thread alone can miss events whose interest another test's thread
/// has already cached as "never".
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    fn global() -> Self {
        static LOG: std::sync::OnceLock<Log> = std::sync::OnceLock::new();
        LOG.get_or_init(|| {
            let log = Log::default();
            let subscriber = tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer({
                    let log = log.clone();
                    move || log.clone()
                })
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            log
        })
        .clone()
    }
}

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_refusal_is_logged_with_both_request_ids_and_a_quick_success_is_not() {
    let app = TestApp::new().await;
    let log = Log::global();

    // A quick success writes no line; a refusal (here, init without the key) does.
    let quick = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    let quiet = quick
        .header("x-request-id")
        .expect("our request id")
        .to_owned();
    let theirs = "caller-chosen-id-0001";
    let request = Request::post("/divar/init")
        .header("x-request-id", theirs)
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let ours = reply.header("x-request-id").expect("our request id");
    assert_ne!(ours, theirs);
    assert!(
        ours.len() == 32 && ours.bytes().all(|b| b.is_ascii_hexdigit()),
        "{ours}"
    );

    // An odd or long id is made printable and cut; it never becomes ours either.
    let mut odd = b"bad\tid\xff".to_vec();
    odd.extend([b'x'; 100]);
    let request = Request::post("/divar/init")
        .header("x-request-id", http::HeaderValue::from_bytes(&odd).unwrap())
        .body(Body::empty())
        .unwrap();
    let second = app.send(request).await;
    assert!(second
        .header("x-request-id")
        .is_some_and(|id| id.len() == 32));

    let written = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        written.contains(&format!("request_id={ours}"))
            && written.contains(&format!("caller_request_id={theirs}")),
        "{written}"
    );
    assert!(
        written.contains("refused") && !written.contains(&quiet),
        "a refusal is logged, a quick success is not: {written}"
    );
    // 64 characters: "bad?id?" and 57 of the x's.
    let cut = format!("caller_request_id=bad?id?{}\n", "x".repeat(57));
    assert!(written.contains(&cut), "{written}");
}

/// An init whose body trickles in for longer than the slow mark: answered, and logged.
#[tokio::test]
async fn a_slow_success_is_logged_with_its_request_id() {
    let app = TestApp::new().await;
    let log = Log::global();
    let body = crate::init::chat_body().to_string();
    let slow = futures_util::stream::once(async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        Ok::<_, std::convert::Infallible>(body)
    });
    let reply = app
        .init_with(
            Body::from_stream(slow),
            &[
                ("authorization", crate::support::NEW_KEY),
                ("API_VERSION", "2"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let ours = reply.header("x-request-id").expect("our request id");
    let written = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let line = written
        .lines()
        .find(|line| line.contains(&format!("request_id={ours}")))
        .unwrap_or_else(|| panic!("no line for {ours}: {written}"));
    assert!(
        line.contains("slow answer") && line.contains("route=/divar/init"),
        "{line}"
    );
    let latency: u64 = line
        .split("latency_ms=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a latency: {line}"));
    assert!(latency >= 500, "{line}");
}
