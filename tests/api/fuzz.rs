//! Property tests: no body makes the init handler panic or answer 5xx, and nothing is stored
//! unless the answer is 200.

use http::StatusCode;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::support::{TestApp, NEW_KEY};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,80}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Mostly the contract's own field names, so the generator reaches the validation paths.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "source",
            "post_token",
            "conversation_id",
            "user_side",
            "user_id",
            "extra_data",
            "provider_data",
            "return_url",
            "completion_url",
            "callback_url",
            "peer_id",
            "supplier",
            "Supplier",
            "demand",
            "id",
            "location",
            "latitude",
            "longitude",
        ])
        .prop_map(str::to_owned),
        ".{0,12}",
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_json_body_causes_a_5xx(body in any_json(), header in prop::option::of(prop_oneof!["1", "2", ".{0,4}"])) {
        let rt = runtime();
        rt.block_on(async {
            let app = TestApp::new().await;
            let mut headers = vec![("authorization", NEW_KEY)];
            if let Some(value) = header.as_deref().filter(|v| http::HeaderValue::from_str(v).is_ok()) {
                headers.push(("API_VERSION", value));
            }
            let reply = app.init_with(body.to_string(), &headers).await;
            prop_assert!(!reply.status.is_server_error(), "{} for {body}", reply.status);
            // What init answers opens (it is the whole context); nothing else is kept.
            if reply.status == StatusCode::OK {
                app.session_for(&reply).await;
            }
            prop_assert_eq!(app.landing_count().await, i64::from(reply.status == StatusCode::OK));
            Ok(())
        })?;
    }

    #[test]
    fn no_byte_string_causes_a_5xx(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let rt = runtime();
        rt.block_on(async {
            let app = TestApp::new().await;
            let reply = app.init_with(bytes, &[("authorization", NEW_KEY)]).await;
            prop_assert!(!reply.status.is_server_error());
            Ok(())
        })?;
    }
}
