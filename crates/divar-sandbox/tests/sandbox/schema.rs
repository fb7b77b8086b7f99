//! The data files and the send-message validation against Divar's OpenAPI file.

use std::path::PathBuf;
use std::sync::OnceLock;

use divar_sandbox::message;
use proptest::prelude::*;
use serde_json::{json, Value};

fn openapi() -> &'static Value {
    static OPENAPI: OnceLock<Value> = OnceLock::new();
    OPENAPI.get_or_init(|| {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/kenar/openapi-v3.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).expect("the OpenAPI file is JSON")
    })
}

fn schema_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let root = json!({
            "$ref": "#/components/schemas/ChatAPIConversationSendMessageBody",
            "components": openapi()["components"],
        });
        jsonschema::draft202012::new(&root).expect("the schema compiles")
    })
}

// ---- the data files agree with the OAS ---------------------------------------------------

#[test]
fn icons_and_scopes_are_the_oas_lists() {
    let icons: Vec<&str> = openapi()["components"]["schemas"]["DivarIconsIconName"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(message::ICONS.lines().collect::<Vec<_>>(), icons);
    let mut scopes: Vec<&str> = openapi()["components"]["securitySchemes"]["OAuth"]["flows"]
        ["authorizationCode"]["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    scopes.sort_unstable();
    assert_eq!(
        divar_sandbox::oauth::SCOPES.lines().collect::<Vec<_>>(),
        scopes
    );
}

// ---- send-message validation against the schema -------------------------------------------

fn icon() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["LOCAL_SHIPPING", "CANCEL", "INFO_OUTLINE", "MOPED", "CHECK_CIRCLE"]).prop_map(str::to_owned),
        1 => prop::sample::select(vec!["REAL_STATE", "ERROR", "SEARCH", "", "local_shipping"]).prop_map(str::to_owned),
    ]
}

fn data() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::btree_map("[a-z]{1,4}", "[a-zA-Z0-9]{0,8}", 0..3).prop_map(|m| json!(m)),
        Just(json!("not an object")),
        Just(json!([1])),
    ]
}

fn action() -> impl Strategy<Value = Value> {
    prop_oneof![
        data().prop_map(|d| json!({"open_server_link": {"data": d}})),
        Just(json!({"open_server_link": {}})),
        Just(json!({"open_direct_link": "https://ersal.example.ir/t/1"})),
        Just(json!({"open_direct_link": {"url": "https://x.ir"}})),
        Just(json!({"open_post_page": {"post_token": "QpR7x2Lm"}})),
        Just(json!({"open_post_page": {}})),
        data().prop_map(|d| json!({"get_dynamic_action": {"data": d}})),
        Just(json!({"open_server_link": {"data": {}}, "open_direct_link": "https://a.ir"})),
        Just(json!({})),
        Just(json!("open_server_link")),
    ]
}

fn button() -> impl Strategy<Value = Value> {
    (
        action(),
        prop::option::of(icon()),
        prop_oneof![Just(json!("پیگیری")), Just(json!(5)), Just(Value::Null)],
    )
        .prop_map(|(action, icon, caption)| {
            let mut b = json!({"action": action});
            if let Some(icon) = icon {
                b["icon"] = json!(icon);
            }
            if !caption.is_null() {
                b["caption"] = caption;
            }
            b
        })
}

fn grid() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => prop::collection::vec(prop::collection::vec(button(), 0..5).prop_map(|b| json!({"buttons": b})), 0..5)
            .prop_map(|rows| json!({"rows": rows})),
        1 => Just(json!({"rows": "x"})),
        1 => Just(json!([])),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    (
        prop_oneof![8 => Just(json!("درخواست ارسال ثبت شد")), 1 => Just(json!(7)), 1 => Just(Value::Null)],
        prop::option::of(grid()),
        prop::option::of(grid()),
        any::<bool>(),
    )
        .prop_map(|(message, sender, receiver, typed)| {
            let mut b = json!({});
            if !message.is_null() {
                b["message"] = message;
            }
            if let Some(g) = sender {
                b["sender_buttons"] = g;
            }
            if let Some(g) = receiver {
                b["receiver_buttons"] = g;
            }
            if typed {
                b["type"] = json!("TEXT");
            }
            b
        })
}

fn breaks_3x3(body: &Value) -> bool {
    ["sender_buttons", "receiver_buttons"].iter().any(|side| {
        body[side]["rows"].as_array().is_some_and(|rows| {
            rows.len() > 3
                || rows
                    .iter()
                    .any(|r| r["buttons"].as_array().is_some_and(|b| b.len() > 3))
        })
    })
}

#[test]
fn the_spec_example_is_valid_both_ways() {
    let example = json!({
        "message": "درخواست ارسال کالا ثبت شد. مبدأ: تهران، مقصد: اصفهان.",
        "sender_buttons": {"rows": [{"buttons": [
            {"action": {"open_server_link": {"data": {"sid": "shp_7Q2K9", "op": "track", "sig": "x"}}}, "icon": "LOCAL_SHIPPING", "caption": "پیگیری ارسال"},
            {"action": {"open_server_link": {"data": {"sid": "shp_7Q2K9", "op": "cancel", "sig": "x"}}}, "icon": "CANCEL", "caption": "لغو درخواست"}
        ]}]},
        "receiver_buttons": {"rows": [{"buttons": [
            {"action": {"open_server_link": {"data": {"sid": "shp_7Q2K9", "op": "view", "sig": "x"}}}, "icon": "INFO_OUTLINE", "caption": "جزئیات ارسال"}
        ]}]}
    });
    assert!(schema_validator().is_valid(&example));
    assert_eq!(message::validate(&example), Ok(()));
    let mut typo = example.clone();
    typo["sender_buttons"]["rows"][0]["buttons"][0]["icon"] = json!("REAL_STATE");
    assert!(!schema_validator().is_valid(&typo) && message::validate(&typo).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Every body the sandbox accepts is valid under Divar's schema; every body the schema
    /// refuses, or that breaks the 3×3 limit, the sandbox refuses too.
    #[test]
    fn validation_agrees_with_the_official_schema(body in body()) {
        let accepted = message::validate(&body).is_ok();
        let schema_ok = schema_validator().is_valid(&body);
        if accepted {
            prop_assert!(schema_ok, "accepted but invalid per OAS: {body}");
        }
        if !schema_ok || breaks_3x3(&body) {
            prop_assert!(!accepted, "should have been refused: {body}");
        }
    }
}
