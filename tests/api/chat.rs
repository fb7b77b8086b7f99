//! Chat messages and their buttons: the bodies Ersal sends validate against Divar's official
//! schema, and a button that was altered or replayed in another conversation changes nothing.

use std::path::PathBuf;

use domain::code::TrackingCode;
use domain::shipment::{Handover, Item, Party, Payer, Role};
use domain::size::SizeClass;
use domain::tariff::Service;
use domain::values::{AddressLine, ItemDescription, Mobile, PersonName, Rials};
use ersal_server::chat::buttons::button_data;
use ersal_server::chat::texts::{Composer, Facts};
use ersal_server::chat::Op;
use http::StatusCode;
use kenar::UserSide;
use serde_json::{json, Value};
use store::shipments::{self, Order, Parties};

use crate::support::{conv, TestApp, COMPLETION};

/// A validator for one of the schemas of Divar's OpenAPI file.
pub fn schema(name: &str) -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/kenar/openapi-v3.json");
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("docs/kenar/openapi-v3.json"))
            .unwrap();
    let root =
        json!({"$ref": format!("#/components/schemas/{name}"), "components": spec["components"]});
    jsonschema::draft202012::new(&root).expect("schema compiles")
}

#[tokio::test]
async fn outgoing_bodies_validate_against_divars_schema() {
    let app = TestApp::new().await;
    let validator = schema("ChatAPIConversationSendMessageBody");
    let code = TrackingCode::parse("SHPX234567").unwrap();
    let composer = Composer {
        keys: &app.state.keys,
        conversation: &conv("conv-1"),
    };
    let facts = Facts {
        code: &code,
        item: "گوشی سامسونگ",
        route: Some(("تهران", "اصفهان")),
    };
    let bodies = [
        composer.submitted(&facts, Some(kenar::UserSide::Demand)),
        composer.booked(&facts, Rials(2_117_500)),
        composer.milestone(
            &facts,
            domain::status::Status::PickupScheduled,
            Some((20_000, domain::shipment::PickupWindow::ALL[0])),
        ),
        composer.expired(&facts),
    ];
    for body in bodies {
        let value = serde_json::to_value(&body).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?} in {value}");
        for side in ["sender_buttons", "receiver_buttons"] {
            let rows = value[side]["rows"].as_array().unwrap();
            assert!(rows.len() <= 3);
            for row in rows {
                let buttons = row["buttons"].as_array().unwrap();
                assert!(!buttons.is_empty() && buttons.len() <= 3);
                for b in buttons {
                    assert_eq!(
                        b["action"].as_object().unwrap().len(),
                        1,
                        "exactly one action"
                    );
                    assert!(
                        serde_json::to_string(&b["action"]["open_server_link"]["data"])
                            .unwrap()
                            .len()
                            <= 256
                    );
                }
            }
        }
    }
}

/// A submitted order from a fresh landing session, in `conversation`.
pub async fn order_in(app: &TestApp, conversation: &str) -> Order {
    let party = Party {
        name: PersonName::parse("علی محمدی").unwrap(),
        mobile: Mobile::parse("09351234567").unwrap(),
        city: "isfahan".into(),
        address: AddressLine::parse("خیابان چهارباغ، کوچهٔ گلستان").unwrap(),
        plaque: None,
        unit: None,
        floor: None,
        postal_code: None,
        handover: Handover::DoorDelivery,
    };
    let landing = store::sessions::Landing::fallback(None, COMPLETION.into());
    let token = store::sessions::create_landing(
        &app.state.db,
        &app.state.link_keys,
        &app.state.keys,
        &landing,
        app.state.now(),
        600,
    )
    .await
    .unwrap();
    // Opened, as the shipment's opener did: its landing session is stored.
    store::sessions::redeem(
        &app.state.db,
        &app.state.link_keys,
        &app.state.keys,
        &token,
        app.state.now(),
    )
    .await
    .unwrap();
    let digest = store::crypto::token_digest(&token);
    Order {
        landing: digest,
        conversation_id: Some(conv(conversation)),
        post_token: None,
        opener_role: Role::Receiver,
        opener_side: Some(kenar::UserSide::Demand),
        item: Item {
            description: ItemDescription::parse("گوشی").unwrap(),
            size: SizeClass::Small,
            weight: None,
            dimensions: None,
            declared_value: Rials(0),
            fragile: false,
        },
        origin_city: Some("tehran".into()),
        destination_city: Some("isfahan".into()),
        service: Service::Economy,
        payer: Payer::Receiver,
        quote_total: Rials(1_100_000),
        parties: Parties::one(Role::Receiver, party),
        direct_link: false,
    }
}

pub async fn shipment_in(app: &TestApp, conversation: &str) -> TrackingCode {
    let new = order_in(app, conversation).await;
    shipments::create(
        &app.state.db,
        &app.state.keys,
        &new,
        |_| None,
        app.state.now(),
    )
    .await
    .unwrap()
    .expect("a new shipment")
}

/// Opens the landing URL of a button click (`CHAT_MESSAGE_ACTION` with `data`) in `conversation`.
async fn press(app: &TestApp, conversation: &str, data: Value) -> crate::support::Reply {
    press_as(app, "Supply", conversation, data).await
}

/// Presses a button as the user on `side` of the chat.
async fn press_as(
    app: &TestApp,
    side: &str,
    conversation: &str,
    data: Value,
) -> crate::support::Reply {
    let reply = app
        .init(&json!({"source": "CHAT_MESSAGE_ACTION", "conversation_id": conversation, "user_side": side, "extra_data": data}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let url = reply.json()["url"].as_str().unwrap().to_owned();
    app.get(url.strip_prefix("http://ersal.test").unwrap(), None)
        .await
}

#[tokio::test]
async fn a_genuine_button_leads_to_its_page() {
    let app = TestApp::new().await;
    let id = shipment_in(&app, "conv-A").await;
    let fill = press(
        &app,
        "conv-A",
        Value::Object(button_data(
            &app.state.keys,
            &id,
            Op::Fill,
            &conv("conv-A"),
            None,
        )),
    )
    .await;
    assert_eq!(
        (fill.status, fill.header("location")),
        (StatusCode::SEE_OTHER, Some("/request"))
    );
    let track = press(
        &app,
        "conv-A",
        Value::Object(button_data(
            &app.state.keys,
            &id,
            Op::Track,
            &conv("conv-A"),
            None,
        )),
    )
    .await;
    assert_eq!(track.header("location"), Some(format!("/t/{id}").as_str()));
}

#[tokio::test]
async fn altered_or_replayed_buttons_change_nothing() {
    let app = TestApp::new().await;
    let id = shipment_in(&app, "conv-A").await;
    let before = app.shipment(&id).await;

    let genuine = button_data(&app.state.keys, &id, Op::Fill, &conv("conv-A"), None);
    let mut altered = genuine.clone();
    altered.insert("op".into(), json!("track"));
    let mut other_shipment = genuine.clone();
    other_shipment.insert("sid".into(), json!("ZZZZZZZZZZ"));
    for (conversation, data) in [
        ("conv-A", Value::Object(altered)),
        ("conv-A", Value::Object(other_shipment)),
        ("conv-B", Value::Object(genuine.clone())),
        ("conv-A", json!({"sid": id.as_str(), "op": "fill"})),
    ] {
        let reply = press(&app, conversation, data).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
        assert!(reply.text().contains("این دکمه معتبر نیست"));
        assert!(
            reply.header("set-cookie").is_none(),
            "no session for a refused button"
        );
    }
    // A genuine button, signed for conv-B, pointing at conv-A's shipment: refused too.
    let signed_elsewhere = button_data(&app.state.keys, &id, Op::Fill, &conv("conv-B"), None);
    assert_eq!(
        press(&app, "conv-B", Value::Object(signed_elsewhere))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let after = app.shipment(&id).await;
    assert_eq!(before, after, "nothing changed");
}

/// A "fill in yours" button bound to the buyer: the seller pressing it is told whose it is,
/// gets no session, and nothing changes; the buyer gets the flow.
#[tokio::test]
async fn a_button_for_the_other_side_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let id = shipment_in(&app, "conv-A").await;
    let before = app.shipment(&id).await;
    let keys = &app.state.keys;
    let for_buyer = button_data(keys, &id, Op::Fill, &conv("conv-A"), Some(UserSide::Demand));
    let for_buyer = Value::Object(for_buyer);
    let seller = press_as(&app, "Supply", "conv-A", for_buyer.clone()).await;
    assert_eq!(seller.status, StatusCode::FORBIDDEN, "{}", seller.text());
    assert!(seller.text().contains("این دکمه برای طرف مقابل است"));
    assert!(seller.header("set-cookie").is_none(), "no session");
    let buyer = press_as(&app, "Demand", "conv-A", for_buyer).await;
    assert_eq!(buyer.header("location"), Some("/request"));
    assert_eq!(app.shipment(&id).await, before, "nothing changed");
}

/// A grant as Divar would answer it, for `conversation`.
#[tokio::test]
async fn an_old_refresh_does_not_overwrite_a_newer_grant() {
    use store::grants::{self, Issued};
    let app = TestApp::new().await;
    let (state, now) = (&app.state, app.state.now());
    let (db, keys, chat) = (&state.db, &state.keys, crate::support::chat_grant("conv-A"));
    let kept = || async { grants::read(db, keys, &chat).await.unwrap().unwrap() };
    let issued = |access, refresh| Issued {
        access,
        refresh: Some(refresh),
        access_expires_at: now + 3600,
    };
    crate::support::keep_grant(state, "conv-A", "at-1", "rt-1", now).await;
    let first = kept().await.refresh_sealed.unwrap();
    // The user consents again while a refresh of the first grant is under way.
    crate::support::keep_grant(state, "conv-A", "at-2", "rt-2", now).await;
    let late = issued("at-1b", "rt-1b");
    let stored = grants::store_refreshed(db, keys, &chat, &late, &first, now).await;
    assert!(
        !stored.unwrap(),
        "the refresh of the older grant is not stored"
    );
    let newer = kept().await;
    assert_eq!(newer.refresh.as_deref(), Some("rt-2"));

    // A refresh of the current grant is stored.
    let fresh = issued("at-2b", "rt-2b");
    let from = newer.refresh_sealed.unwrap();
    assert!(grants::store_refreshed(db, keys, &chat, &fresh, &from, now)
        .await
        .unwrap());
    assert_eq!(kept().await.refresh.as_deref(), Some("rt-2b"));
}
