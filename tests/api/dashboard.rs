//! The console's day at a glance: with shipments in every state, each figure is what the
//! database holds, and the page shows them with links to the lists they count.

use domain::jalali::{day_start, tehran_day, JalaliDateTime};
use domain::stage::Stage;
use ersal_server::console::ListQuery;
use store::dashboard::{Figures, Since};

use crate::chat::shipment_in;
use crate::support::{exec, TestApp};

/// Sets a shipment's status and records the event, at `at` (setting up, not moving: the
/// status machine's rules are tested elsewhere).
async fn put(app: &TestApp, code: &str, status: &str, at: i64) {
    let db = &app.state.db;
    exec(
        db,
        &format!("update shipments set status = '{status}' where id = '{code}'"),
    )
    .await;
    exec(
        db,
        &format!(
            "insert into shipment_events (shipment_id, status, actor, at)
             values ('{code}', '{status}', 'operator', {at})"
        ),
    )
    .await;
}

#[tokio::test]
async fn the_figures_are_what_the_database_holds() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let now = app.state.now();
    let today = tehran_day(now);
    let mut codes = Vec::new();
    for n in 0..8 {
        codes.push(shipment_in(&app, &format!("conv-{n}")).await.to_string());
    }
    // Awaiting the other side (0), booked (1), scheduled yesterday and tomorrow (2, 3), on the
    // way (4), delivered today (5), returned three days ago (6), cancelled long ago (7).
    put(&app, &codes[1], "booked", now).await;
    put(&app, &codes[2], "pickup_scheduled", now).await;
    put(&app, &codes[3], "pickup_scheduled", now).await;
    exec(
        db,
        &format!(
            "update shipments set pickup_day = {} where id = '{}'",
            today - 1,
            codes[2]
        ),
    )
    .await;
    exec(
        db,
        &format!(
            "update shipments set pickup_day = {} where id = '{}'",
            today + 1,
            codes[3]
        ),
    )
    .await;
    put(&app, &codes[4], "in_transit", now).await;
    put(&app, &codes[5], "delivered", now).await;
    put(
        &app,
        &codes[6],
        "returned_to_sender",
        day_start(today - 3) + 60,
    )
    .await;
    put(&app, &codes[7], "cancelled", now - 40 * 86_400).await;
    exec(
        db,
        &format!(
            "update shipments set created_at = {} where id = '{}'",
            now - 40 * 86_400,
            codes[7]
        ),
    )
    .await;
    exec(
        db,
        "update outbox set state = 'failed' where id = (select min(id) from outbox)",
    )
    .await;

    let since = Since {
        today: day_start(today),
        week: day_start(today - 6),
        day: today,
    };
    let figures = store::dashboard::figures(db, since).await.unwrap();
    let failed = app
        .count("select count(*) from outbox where state = 'failed'")
        .await;
    assert_eq!(
        figures,
        Figures {
            booked: (7, 7),
            waiting_pickup: 3,
            late: 1,
            in_transit: 1,
            delivered: (1, 1),
            returned: (0, 1),
            support_waiting: (0, None),
            chat_failed: failed,
            chat_unknown: 0,
        }
    );
    let day = ersal_server::dashboard::day(&app.state).await.unwrap();
    assert_eq!(day.per_day.len(), 30);
    assert_eq!(day.per_day.last(), Some(&(today, 7)), "today's bar");
    assert_eq!(
        day.per_day.iter().map(|(_, n)| n).sum::<i64>(),
        7,
        "the old one is out"
    );

    // The console's first page shows them, each linked to the list it counts.
    let (cookie, _) = crate::console_forms::operator_session(&app).await;
    let page = app.get("/console", Some(&cookie)).await.text();
    assert!(
        page.contains(r#"data-testid="day-late"><a href="/console?stage=late">۱</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"data-testid="chart""#));
    // The late one is marked in the list (the scheduled-tomorrow one is not), and needs action.
    assert_eq!(page.matches(r#"data-testid="late""#).count(), 1, "{page}");

    // Each stage's list holds as many shipments as its figure says.
    let state = &app.state;
    let total = |query: ListQuery| async move {
        ersal_server::console::list(state, &query)
            .await
            .unwrap()
            .total
    };
    let stage = |stage: Stage| ListQuery {
        stage: Some(stage.key().to_owned()),
        ..ListQuery::default()
    };
    assert_eq!(total(stage(Stage::Late)).await, figures.late);
    assert_eq!(
        total(stage(Stage::WaitingPickup)).await,
        figures.waiting_pickup
    );
    assert_eq!(total(stage(Stage::Moving)).await, figures.in_transit);
    // Booked (1) and late (2): what the company must act on.
    assert_eq!(total(stage(Stage::NeedsAction)).await, 2);
    // Dates as staff type them, both ends included: the week's list is the week's figure, and
    // only the old one was created before yesterday.
    let date = |day: i64| JalaliDateTime::from_day(day).display_date();
    let created = |from: Option<String>, until: Option<String>| ListQuery {
        from,
        until,
        ..ListQuery::default()
    };
    assert_eq!(
        total(created(Some(date(today - 6)), None)).await,
        figures.booked.1
    );
    assert_eq!(total(created(None, Some(date(today - 1)))).await, 1);
    assert_eq!(
        total(created(Some(date(today)), Some(date(today)))).await,
        7
    );
    // A date that does not exist filters nothing rather than everything.
    assert_eq!(total(created(Some("1405/12/31".into()), None)).await, 8);
    let page = app
        .get("/console?from=1405%2F12%2F31", Some(&cookie))
        .await
        .text();
    assert!(page.contains(r#"data-testid="date-problem""#), "{page}");
}
