//! The top level of an init body as it is read: each field Ersal knows, kept as a JSON value
//! when present (`null` included), and every other field skipped without being stored. Reading
//! the whole object into a map cost a third of init's parsing: a string and a tree node for
//! every key, on Divar's hot path.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A JSON object's fields by name.
pub(super) trait Object {
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Object for Map<String, Value> {
    fn field(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

/// A field that is present, even as `null` (which `Option` alone would read as absent: the
/// version is told by which fields are present).
fn present<'de, D: Deserializer<'de>>(value: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(value).map(Some)
}

/// Declares the top level's fields and their names once.
macro_rules! top_level {
    ($($field:ident = $key:literal),+ $(,)?) => {
        /// The fields of v1 and v2 bodies.
        #[derive(Deserialize)]
        pub(super) struct TopLevel {
            $(
                #[serde(rename = $key, default, deserialize_with = "present")]
                $field: Option<Value>,
            )+
        }

        impl Object for TopLevel {
            fn field(&self, key: &str) -> Option<&Value> {
                match key {
                    $($key => self.$field.as_ref(),)+
                    _ => None,
                }
            }
        }
    };
}

top_level! {
    source = "source",
    post_token = "post_token",
    conversation_id = "conversation_id",
    user_side = "user_side",
    user_id = "user_id",
    peer_id = "peer_id",
    supplier = "supplier",
    supplier_capitalised = "Supplier",
    demand = "demand",
    extra_data = "extra_data",
    provider_data = "provider_data",
    return_url = "return_url",
    completion_url = "completion_url",
    callback_url = "callback_url",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_its_field_and_null_counts_as_present() {
        let body = r#"{"Supplier": {"id": "x"}, "callback_url": null, "unknown": [1, {"a": 2}]}"#;
        let top: TopLevel = serde_json::from_str(body).unwrap();
        assert_eq!(top.field("Supplier"), Some(&serde_json::json!({"id": "x"})));
        assert_eq!(top.field("callback_url"), Some(&Value::Null));
        assert_eq!(top.field("supplier"), None);
        assert_eq!(top.field("unknown"), None);
    }
}
