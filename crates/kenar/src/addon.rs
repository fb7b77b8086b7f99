//! The body of `POST /v2/open-platform/addons/post/{token}` (docs/kenar.md, “Post add-ons”, OAS
//! `AddonsCreatePostAddonV2Body`): the widgets Divar shows on a post, each element exactly one
//! key of `addonsWidget`, with the text limits of Divar's widget docs.

use serde::Serialize;

use crate::message::Action;

/// The longest `title_row.text` and `button_bar.title`.
pub const MAX_TITLE_CHARS: usize = 49;
/// The longest `group_info_row` item title and value.
pub const MAX_INFO_TITLE_CHARS: usize = 50;
pub const MAX_INFO_VALUE_CHARS: usize = 100;
/// A `group_info_row` holds 2 or 3 items.
pub const INFO_ITEMS: std::ops::RangeInclusive<usize> = 2..=3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostAddon {
    pub widgets: Vec<Widget>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    TitleRow {
        text: String,
        has_divider: bool,
    },
    GroupInfoRow {
        items: Vec<InfoItem>,
        has_divider: bool,
    },
    ButtonBar {
        title: String,
        action: Action,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfoItem {
    pub title: String,
    pub value: String,
}

/// A widget text over Divar's limit, or a row of the wrong size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is over Divar's limit")]
pub struct OverLimit(pub &'static str);

impl PostAddon {
    /// Whether every widget is within Divar's limits.
    pub fn check(&self) -> Result<(), OverLimit> {
        let fits = |text: &str, max: usize| text.chars().count() <= max;
        for widget in &self.widgets {
            match widget {
                Widget::TitleRow { text, .. } if !fits(text, MAX_TITLE_CHARS) => {
                    return Err(OverLimit("title_row.text"))
                }
                Widget::ButtonBar { title, .. } if !fits(title, MAX_TITLE_CHARS) => {
                    return Err(OverLimit("button_bar.title"))
                }
                Widget::GroupInfoRow { items, .. } => {
                    if !INFO_ITEMS.contains(&items.len()) {
                        return Err(OverLimit("group_info_row.items"));
                    }
                    for item in items {
                        if !fits(&item.title, MAX_INFO_TITLE_CHARS) {
                            return Err(OverLimit("group_info_row.items.title"));
                        }
                        if !fits(&item.value, MAX_INFO_VALUE_CHARS) {
                            return Err(OverLimit("group_info_row.items.value"));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    #[test]
    fn each_widget_is_one_key_of_addons_widget() {
        let addon = PostAddon {
            widgets: vec![
                Widget::TitleRow {
                    text: "ارسال".into(),
                    has_divider: false,
                },
                Widget::ButtonBar {
                    title: "هزینه".into(),
                    action: Action::OpenServerLink { data: Map::new() },
                },
            ],
        };
        assert_eq!(
            serde_json::to_value(&addon).unwrap(),
            json!({"widgets": [
                {"title_row": {"text": "ارسال", "has_divider": false}},
                {"button_bar": {"title": "هزینه", "action": {"open_server_link": {"data": {}}}}},
            ]})
        );
        assert!(addon.check().is_ok());
    }

    #[test]
    fn texts_and_rows_over_the_limits_are_caught() {
        let title = |n: usize| PostAddon {
            widgets: vec![Widget::TitleRow {
                text: "ب".repeat(n),
                has_divider: false,
            }],
        };
        assert!(title(MAX_TITLE_CHARS).check().is_ok());
        assert_eq!(
            title(MAX_TITLE_CHARS + 1).check(),
            Err(OverLimit("title_row.text"))
        );
        let item = InfoItem {
            title: "از".into(),
            value: "تهران".into(),
        };
        let row = |items: Vec<InfoItem>| PostAddon {
            widgets: vec![Widget::GroupInfoRow {
                items,
                has_divider: true,
            }],
        };
        assert!(row(vec![item.clone()]).check().is_err());
        assert!(row(vec![item.clone(), item.clone()]).check().is_ok());
        let long = InfoItem {
            title: "از".into(),
            value: "ت".repeat(MAX_INFO_VALUE_CHARS + 1),
        };
        assert!(row(vec![item, long]).check().is_err());
    }
}
