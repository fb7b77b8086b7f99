//! Divar's app policies: the companies that receive users' data are named, support's phone is
//! shown where promised, and `ersal purge --all` (the end-of-contract step) leaves no user's
//! data in any table; a table added later must be classified here, or this fails.

use std::io::Write;
use std::process::{Command, Stdio};

use store::db::Db;
use store::inspect::{column, scalar};

use crate::journey::{approve, chat_messages, open_from_chat, to_consent, Journey};
use crate::support::conv;
use crate::support::{only_shipment, TestApp};

/// Tables that never hold a user's data: staff accounts and sessions, the operator API's
/// tokens and call log, the webhook endpoints, the landing ids' keys, the API budget's
/// counters, the migrations' record.
const NO_USERS_DATA: [&str; 8] = [
    "operators",
    "operator_sessions",
    "api_tokens",
    "api_calls",
    "webhook_endpoints",
    "landing_keys",
    "divar_budget",
    "_sqlx_migrations",
];

async fn tables(db: &Db) -> Vec<String> {
    let sql = match db {
        Db::Sqlite(_) => {
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        }
        Db::Postgres(_) => {
            "select tablename::text from pg_tables where schemaname = current_schema()"
        }
    };
    column(db, sql).await
}

#[tokio::test]
async fn purging_everything_leaves_no_users_data_in_any_table() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    approve(&j, &consent).await;
    assert_eq!(chat_messages(&j).await.len(), 1);
    let (db, keys, now) = (&j.state.db, &j.state.keys, j.state.now());
    let mut tx = db.begin().await.unwrap();
    store::support::user_wrote(&mut tx, keys, &conv("conv-support"), "سلام", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let all = tables(db).await;
    for table in &all {
        assert!(
            NO_USERS_DATA.contains(&table.as_str())
                || store::purge::USERS_DATA.contains(&table.as_str()),
            "{table} is in neither list: does it hold a user's data?"
        );
    }
    let with_rows = |table: &str| format!("select count(*) from {table}");
    assert!(scalar::<i64>(db, &with_rows("shipments")).await > 0);
    assert!(scalar::<i64>(db, &with_rows("support_messages")).await > 0);

    let deleted = store::purge::everything(db).await.unwrap();
    assert!(deleted.iter().any(|(t, n)| *t == "shipments" && *n == 1));
    for table in all.iter().filter(|t| !NO_USERS_DATA.contains(&t.as_str())) {
        assert_eq!(scalar::<i64>(db, &with_rows(table)).await, 0, "{table}");
    }
}

/// Runs `ersal purge --all` on a fresh SQLite database with `answer` on standard input.
fn purge_all(dir: &std::path::Path, answer: &str) -> (bool, String) {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ersal"))
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("ERSAL_MODE", "dev")
            .env("DATABASE_URL", "sqlite://ersal.db")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    assert!(run(&["migrate"]).wait().unwrap().success());
    let mut purge = run(&["purge", "--all"]);
    purge
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = purge.wait_with_output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

#[test]
fn the_purge_command_asks_before_it_deletes_and_says_what_went() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, said) = purge_all(dir.path(), "no\n");
    assert!(!ok, "refused without the word: {said}");
    assert!(said.contains("nothing was deleted"), "{said}");
    let (ok, said) = purge_all(dir.path(), "DELETE\n");
    assert!(ok, "{said}");
    assert!(said.contains("shipments: 0"), "{said}");
}

#[tokio::test]
async fn the_privacy_page_names_the_processors_and_support_s_phone() {
    let app = TestApp::new().await;
    let page = app.get("/privacy", None).await.text();
    for shown in [
        "شرکت حمل آزمایشی",
        "جمع‌آوری، جابه‌جایی و تحویل مرسوله",
        "میزبان آزمایشی",
        "۰۲۱-۹۱۰۰۰۰۰۰",
        "tel:02191000000",
        "هر روز از ساعت ۹ تا ۲۱",
    ] {
        assert!(page.contains(shown), "{shown} on the privacy page");
    }
}

#[tokio::test]
async fn the_tracking_page_shows_support_s_phone() {
    let j = Journey::start().await;
    let consent = to_consent(&j).await;
    approve(&j, &consent).await;
    let code = only_shipment(&j.state).await;
    let page = j.page(&format!("{}/t/{code}", j.ersal)).await;
    assert!(
        page.contains("support-line") && page.contains("۰۲۱-۹۱۰۰۰۰۰۰"),
        "{page:.300}"
    );
}

/// The price is visible at the earliest step: the range of shipping from the post's city
/// shows on the first page, before the parcel is described.
#[tokio::test]
async fn the_first_step_shows_what_shipping_from_the_posts_city_costs() {
    let j = Journey::start().await;
    let page = open_from_chat(&j).await;
    let range = page
        .split(r#"data-testid="shipping-range">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a shipping range on the first page");
    assert!(
        range.starts_with("از ") && range.contains(" تا ") && range.ends_with("تومان"),
        "{range}"
    );
}
