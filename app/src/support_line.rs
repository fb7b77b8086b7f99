//! Support's phone line and hours, as the tracking and privacy pages show them (Divar's
//! policies ask for a phone staffed at least 12 hours a day beside the bot).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Support's phone (as people read it, and as a `tel:` link) and its hours, in Persian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportLine {
    pub phone: String,
    pub tel: String,
    pub hours: String,
}

#[cfg(feature = "ssr")]
impl SupportLine {
    pub fn of(state: &ersal_server::AppState) -> Self {
        let contact = &state.config.contact;
        Self {
            phone: contact.phone_for_people(),
            tel: contact.phone_link(),
            hours: domain::text::persian_digits(&format!(
                "هر روز از ساعت {} تا {}",
                contact.hours.from, contact.hours.to
            )),
        }
    }
}

/// "Support: phone, every day from … to …", the number dialable with one tap.
#[component]
pub fn SupportCard(line: SupportLine) -> impl IntoView {
    view! {
        <p class="card" data-testid="support-line">
            "پشتیبانی «ارسال»: "
            <a href=line.tel dir="ltr">{line.phone}</a>
            " — "{line.hours}"؛ یا به بات پشتیبانی در دیوار بنویسید."
        </p>
    }
}
