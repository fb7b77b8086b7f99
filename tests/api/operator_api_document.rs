//! The operator API's description: the OpenAPI document names every API route, and every
//! documented operation answers as the document says; the command line that issues tokens.

use std::collections::BTreeSet;

use domain::api::{iso_date, Scope};
use domain::status::Status;
use http::StatusCode;
use serde_json::{json, Value};

use crate::operator_api::{at_status, call, token};
use crate::support::TestApp;

/// A validator for `schema` (a response's, from the document), its `$ref`s resolved in the
/// document's components.
fn validator(document: &Value, schema: &Value) -> jsonschema::Validator {
    let root = json!({"allOf": [schema], "components": document["components"]});
    jsonschema::draft202012::new(&root).expect("the schema compiles")
}

#[tokio::test]
async fn every_documented_operation_answers_as_the_document_says() {
    let app = TestApp::new().await;
    let code = at_status(&app, "conv-api4", Status::Booked).await;
    let all = token(
        &app,
        "all",
        &[
            Scope::ShipmentsRead,
            Scope::ShipmentsMove,
            Scope::PersonalRead,
            Scope::WebhooksManage,
        ],
    )
    .await;
    let document = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(document.status, StatusCode::OK);
    let document = document.json();
    assert_eq!(document["openapi"], "3.1.0");

    // The document's paths are the route table's API routes (but the document itself).
    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let routed: BTreeSet<String> = domain::routes::Route::ALL
        .iter()
        .filter(|r| {
            r.kind() == domain::routes::Kind::Api && **r != domain::routes::Route::ApiDocument
        })
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(documented, routed);

    let tomorrow = iso_date(domain::jalali::tehran_day(app.state.now()) + 1);
    let one = "/api/v1/shipments/{id}";
    let moves = "/api/v1/shipments/{id}/moves";
    let (hooks, hook) = ("/api/v1/webhooks", "/api/v1/webhooks/{id}");
    let secret = "/api/v1/webhooks/{id}/secret";
    let calls = [
        (
            "get",
            "/api/v1/shipments",
            "/api/v1/shipments".to_owned(),
            None,
        ),
        ("get", one, format!("/api/v1/shipments/{code}"), None),
        ("get", one, "/api/v1/shipments/NOSUCHCODE".to_owned(), None),
        (
            "post",
            moves,
            format!("/api/v1/shipments/{code}/moves"),
            Some(
                json!({"to": "pickup_scheduled", "pickup_date": tomorrow, "pickup_window": "morning"}),
            ),
        ),
        (
            "post",
            moves,
            format!("/api/v1/shipments/{code}/moves"),
            Some(json!({"to": "delivered"})),
        ),
        (
            "get",
            "/api/v1/statuses",
            "/api/v1/statuses".to_owned(),
            None,
        ),
        (
            "post",
            hooks,
            hooks.to_owned(),
            Some(json!({"url": "http://127.0.0.1:9/h", "events": ["shipment.booked"]})),
        ),
        (
            "post",
            hooks,
            hooks.to_owned(),
            Some(json!({"url": "ftp://127.0.0.1/h", "events": ["shipment.booked"]})),
        ),
        ("get", hooks, hooks.to_owned(), None),
        ("post", secret, "/api/v1/webhooks/1/secret".to_owned(), None),
        ("delete", hook, "/api/v1/webhooks/1".to_owned(), None),
        ("delete", hook, "/api/v1/webhooks/1".to_owned(), None),
    ];
    let mut operations = BTreeSet::new();
    for (method, path, uri, body) in calls {
        let reply = call(&app, &method.to_uppercase(), &uri, &all, body).await;
        operations.insert((method, path.to_owned()));
        let status = reply.status.as_u16().to_string();
        let response = &document["paths"][path][method]["responses"][&status];
        assert!(response.is_object(), "{method} {path} documents {status}");
        if reply.status == StatusCode::NO_CONTENT {
            assert!(
                response.get("content").is_none(),
                "{method} {path}: no body"
            );
            assert!(reply.text().is_empty());
            continue;
        }
        let media = reply.header("content-type").unwrap().to_owned();
        let schema = &response["content"][&media]["schema"];
        assert!(
            schema.is_object(),
            "{method} {path} {status} documents {media}"
        );
        let body = reply.json();
        let validator = validator(&document, schema);
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{method} {path} {status}: {errors:?}");
        assert!(
            !validator.is_valid(&json!({"status": "x"})),
            "{method} {path} {status}: the schema holds the answer to its shape"
        );
    }
    let every: BTreeSet<(&str, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.as_str(), path.clone()))
        })
        .collect();
    assert_eq!(operations, every, "every documented operation was called");
}

/// Runs `ersal api-token …` on the SQLite database in `dir`: success, standard output, and
/// both streams together.
fn api_token(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ersal"))
        .arg("api-token")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("ERSAL_MODE", "dev")
        .env("DATABASE_URL", "sqlite://ersal.db?mode=rwc")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let said = stdout.clone() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), stdout, said)
}

#[test]
fn the_command_line_issues_a_token_once_lists_and_revokes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, token, said) = api_token(
        dir.path(),
        &["add", "wms", "--scopes", "shipments:read,shipments:move"],
    );
    assert!(ok, "{said}");
    assert!(domain::api::looks_like_token(token.trim()), "{token}");
    assert!(said.contains("shown only now"), "{said}");
    let (ok, _, said) = api_token(dir.path(), &["add", "wms", "--scopes", "shipments:read"]);
    assert!(!ok && said.contains("exists already"), "{said}");
    let (ok, _, said) = api_token(dir.path(), &["add", "other", "--scopes", "admin"]);
    assert!(!ok && said.contains("--scopes"), "{said}");
    let (ok, listed, _) = api_token(dir.path(), &["list"]);
    assert!(
        ok && listed.contains("wms\tlive\tshipments:read,shipments:move"),
        "{listed}"
    );
    assert!(!listed.contains(token.trim()), "never shown again");
    assert!(api_token(dir.path(), &["revoke", "wms"]).0);
    let (_, listed, _) = api_token(dir.path(), &["list"]);
    assert!(listed.contains("wms\trevoked"), "{listed}");
    let (ok, _, said) = api_token(dir.path(), &["revoke", "wms"]);
    assert!(!ok && said.contains("no live token"), "{said}");
}

/// `docs/api/openapi.json`: the served document, kept in the repository for readers and for
/// the independent validator (`scripts/check-openapi.sh`); `ERSAL_WRITE_OPENAPI=1` rewrites it.
#[tokio::test]
async fn the_document_in_docs_is_the_served_one() {
    let app = TestApp::new().await;
    let served = app.get("/api/v1/openapi.json", None).await.json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api/openapi.json");
    if std::env::var_os("ERSAL_WRITE_OPENAPI").is_some() {
        let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        kept == served,
        "docs/api/openapi.json is stale: run ERSAL_WRITE_OPENAPI=1 cargo test --test api the_document_in_docs"
    );
}
