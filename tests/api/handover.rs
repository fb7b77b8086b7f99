//! Handover codes: each side's code is its own, stable until used and sealed at rest; a wrong
//! code changes nothing and is limited per shipment and per operator; a right one moves the
//! shipment once, says so in the timeline and the chat (never the code itself); staff's moves
//! without a code say that; a failed pickup scheduled again gets a new code; the codes go with
//! the shipment's personal data.

use domain::handover::{Proof, Step, SHIPMENT_TRIES, WINDOW_SECS};
use domain::shipment::Role;
use domain::status::Status;
use ersal_server::handover::{code_for, confirm, Confirmed};
use store::operators::{self, Login, Operator};
use store::shipments;

use crate::chat::shipment_in;
use crate::console::{with_ali, PASSWORD};
use crate::support::{column, exec, scalar, TestApp};

async fn operator(app: &TestApp, name: &str) -> Operator {
    let state = &app.state;
    if name != "ali" {
        operators::add(&state.db, name, PASSWORD, state.now())
            .await
            .unwrap();
    }
    let login = operators::login(
        &state.db,
        &state.passwords,
        name,
        PASSWORD,
        None,
        state.now(),
    );
    let Login::Accepted(session) = login.await.unwrap() else {
        panic!("refused");
    };
    operators::current(&state.db, &session.cookie, state.now())
        .await
        .unwrap()
        .unwrap()
}

/// A shipment put in `status` (setting up: the status machine is tested elsewhere).
async fn shipment_at(
    app: &TestApp,
    conversation: &str,
    status: Status,
) -> domain::code::TrackingCode {
    let code = shipment_in(app, conversation).await;
    exec(
        &app.state.db,
        &format!(
            "update shipments set status = '{}' where id = '{}'",
            status.key(),
            code.as_str()
        ),
    )
    .await;
    code
}

async fn shipment(app: &TestApp, code: &domain::code::TrackingCode) -> ersal_server::Shipment {
    shipments::get(&app.state.db, &app.state.keys, code)
        .await
        .unwrap()
        .unwrap()
}

async fn code_of(app: &TestApp, code: &domain::code::TrackingCode, role: Role) -> Option<String> {
    code_for(&app.state, &shipment(app, code).await, role)
        .await
        .unwrap()
        .map(|(_, code)| code)
}

#[tokio::test]
async fn a_right_code_moves_once_a_wrong_one_changes_nothing_and_tries_are_limited() {
    let app = with_ali().await;
    let ali = operator(&app, "ali").await;
    let id = shipment_at(&app, "conv-h1", Status::PickupScheduled).await;

    // Each side sees its own code, the same on every visit; it is sealed at rest.
    let pickup = code_of(&app, &id, Role::Sender).await.unwrap();
    let delivery = code_of(&app, &id, Role::Receiver).await.unwrap();
    assert_eq!(pickup.len(), 6);
    assert_ne!(pickup, delivery);
    assert_eq!(code_of(&app, &id, Role::Sender).await.unwrap(), pickup);
    let stored: Vec<u8> = scalar(
        &app.state.db,
        &format!(
            "select pickup_sealed from handover_codes where shipment_id = '{}'",
            id.as_str()
        ),
    )
    .await;
    assert!(!stored.windows(6).any(|w| w == pickup.as_bytes()), "sealed");

    // The delivery code does not pick up; a wrong one changes nothing and counts down.
    let outbox = app.count("select count(*) from outbox").await;
    let wrong = confirm(&app.state, &ali, &id, Step::Pickup, &delivery)
        .await
        .unwrap();
    assert_eq!(
        wrong,
        Confirmed::Wrong {
            left: SHIPMENT_TRIES - 1
        }
    );
    assert_eq!(shipment(&app, &id).await.status, Status::PickupScheduled);
    assert_eq!(app.count("select count(*) from outbox").await, outbox);
    // Not six digits: nothing counted.
    let odd = confirm(&app.state, &ali, &id, Step::Pickup, "12")
        .await
        .unwrap();
    assert_eq!(odd, Confirmed::Unreadable);

    // The right code, typed in Persian digits with a space, moves it once.
    let typed = domain::text::persian_digits(&format!("{} {}", &pickup[..3], &pickup[3..]));
    let right = confirm(&app.state, &ali, &id, Step::Pickup, &typed)
        .await
        .unwrap();
    assert_eq!(right, Confirmed::Done(Step::Pickup));
    let moved = shipment(&app, &id).await;
    assert_eq!(moved.status, Status::PickedUp);
    let event = moved.events.last().unwrap();
    assert_eq!(event.note.as_deref(), Some("با کد فرستنده تأیید شد"));
    // Used once: the code is gone, and typing it again changes nothing.
    assert_eq!(code_of(&app, &id, Role::Sender).await, None);
    let again = confirm(&app.state, &ali, &id, Step::Pickup, &pickup)
        .await
        .unwrap();
    assert_eq!(again, Confirmed::NotNow);
    // The chat is told once, without either code.
    let bodies: Vec<String> = column(&app.state.db, "select body from outbox order by id").await;
    let told: Vec<&String> = bodies
        .iter()
        .filter(|b| b.contains("با کد فرستنده تأیید شد"))
        .collect();
    assert_eq!(told.len(), 1);
    for body in &bodies {
        assert!(
            !body.contains(&pickup) && !body.contains(&delivery),
            "{body}"
        );
    }

    // Wrong codes (with the wrong pickup code above) lock the shipment for the window.
    exec(
        &app.state.db,
        &format!(
            "update shipments set status = 'out_for_delivery' where id = '{}'",
            id.as_str()
        ),
    )
    .await;
    let bad = if delivery == "000000" {
        "111111"
    } else {
        "000000"
    };
    let mut last = Confirmed::NotNow;
    for _ in 1..SHIPMENT_TRIES {
        last = confirm(&app.state, &ali, &id, Step::Delivery, bad)
            .await
            .unwrap();
    }
    assert_eq!(last, Confirmed::Wrong { left: 0 });
    let locked = confirm(&app.state, &ali, &id, Step::Delivery, &delivery)
        .await
        .unwrap();
    assert!(
        matches!(locked, Confirmed::Locked { shipment: true, until } if until > app.state.now() && until <= app.state.now() + WINDOW_SECS)
    );
    assert_eq!(shipment(&app, &id).await.status, Status::OutForDelivery);
    // After the window, the receiver's code delivers it.
    exec(
        &app.state.db,
        &format!("update handover_attempts set at = at - {}", WINDOW_SECS + 1),
    )
    .await;
    let done = confirm(&app.state, &ali, &id, Step::Delivery, &delivery)
        .await
        .unwrap();
    assert_eq!(done, Confirmed::Done(Step::Delivery));
    assert_eq!(shipment(&app, &id).await.status, Status::Delivered);
}

#[tokio::test]
async fn one_operator_guessing_across_shipments_is_stopped() {
    let app = with_ali().await;
    let ali = operator(&app, "ali").await;
    let other = operator(&app, "sara").await;
    let mut locked = None;
    for n in 0..domain::handover::OPERATOR_TRIES {
        // Four tries per shipment: no shipment locks, the operator does.
        let id = shipment_at(&app, &format!("conv-g{}", n / 4), Status::PickupScheduled).await;
        let _ = code_of(&app, &id, Role::Sender).await;
        let outcome = confirm(&app.state, &ali, &id, Step::Pickup, "000000")
            .await
            .unwrap();
        locked = Some((id, outcome));
    }
    let (id, _) = locked.unwrap();
    let pickup = code_of(&app, &id, Role::Sender).await.unwrap();
    let refused = confirm(&app.state, &ali, &id, Step::Pickup, &pickup)
        .await
        .unwrap();
    assert!(
        matches!(
            refused,
            Confirmed::Locked {
                shipment: false,
                ..
            }
        ),
        "{refused:?}"
    );
    // Another operator is not held back by ali's guesses.
    let right = confirm(&app.state, &other, &id, Step::Pickup, &pickup)
        .await
        .unwrap();
    assert_eq!(right, Confirmed::Done(Step::Pickup));
}

#[tokio::test]
async fn staff_moves_without_a_code_say_so_and_a_new_pickup_gets_a_new_code() {
    let app = with_ali().await;
    let ali = operator(&app, "ali").await;
    let id = shipment_at(&app, "conv-h2", Status::PickupFailed).await;
    let first = code_of(&app, &id, Role::Sender).await.unwrap();

    // Scheduled again after a failed pickup: the old code no longer works.
    let failed = shipment(&app, &id).await;
    let moved = ersal_server::handover::company_move(
        &app.state,
        shipments::By::Operator(ali.id),
        &failed,
        Status::PickupScheduled,
        None,
        Some((
            domain::jalali::tehran_day(app.state.now()) + 1,
            domain::shipment::PickupWindow::Morning,
        )),
        Proof::Operator,
    );
    assert!(matches!(moved.await.unwrap(), shipments::Changed::Done));
    let second = code_of(&app, &id, Role::Sender).await.unwrap();
    assert_ne!(first, second, "rotated");

    // Picked up by staff without the code: the timeline, the chat and the list say so.
    let scheduled = shipment(&app, &id).await;
    let moved = ersal_server::handover::company_move(
        &app.state,
        shipments::By::Operator(ali.id),
        &scheduled,
        Status::PickedUp,
        Some("فرستنده کد را پیدا نکرد".into()),
        None,
        Proof::Operator,
    );
    assert!(matches!(moved.await.unwrap(), shipments::Changed::Done));
    let note = shipment(&app, &id)
        .await
        .events
        .last()
        .unwrap()
        .note
        .clone();
    assert_eq!(
        note.as_deref(),
        Some("بدون کد فرستنده ثبت شد؛ فرستنده کد را پیدا نکرد")
    );
    let told = app
        .count("select count(*) from outbox where body like '%بدون کد فرستنده ثبت شد%'")
        .await;
    assert_eq!(told, 1);
    let query = ersal_server::console::ListQuery {
        proof: Some("operator".into()),
        ..Default::default()
    };
    let listed = ersal_server::console::list(&app.state, &query)
        .await
        .unwrap();
    assert_eq!(listed.total, 1);

    // With the personal data, the codes go; how the pickup was recorded stays.
    let due = store::shipments::retention::Due {
        id: id.to_string(),
        conversation: None,
        landing: None,
    };
    store::shipments::retention::purge(&app.state.db, &app.state.keys, &due, &[], app.state.now())
        .await
        .unwrap();
    let left = app
        .count(&format!(
            "select count(*) from handover_codes where shipment_id = '{}'
             and pickup_sealed is null and delivery_sealed is null and pickup_proof = 'operator'",
            id.as_str()
        ))
        .await;
    assert_eq!(left, 1);
    assert_eq!(
        code_of(&app, &id, Role::Receiver).await,
        None,
        "never issued again"
    );
}

/// The waybill's QR code, drawn from its SVG (the `M x y h w v h …` rectangles qrcode writes)
/// onto a grey image and read back by an independent decoder.
#[test]
fn the_waybill_qr_code_decodes_to_the_tracking_code() {
    let svg = ersal_server::handover::qr_svg("LSE6NJ4H58");
    assert!(svg.starts_with("<svg ") && !svg.contains("<?xml"));
    let size = |name: &str| -> usize {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (width, height) = (size("width"), size("height"));
    let mut dark = vec![false; width * height];
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for rect in path.split('M').filter(|r| !r.is_empty()) {
        let numbers: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let [left, top, w, h, ..] = numbers[..] else {
            panic!("{rect}");
        };
        for y in top..top + h {
            for x in left..left + w {
                dark[y * width + x] = true;
            }
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        if dark[y * width + x] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, text) = grids[0].decode().unwrap();
    assert_eq!(text, "LSE6NJ4H58");
}
