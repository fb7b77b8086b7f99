//! Every message Ersal writes in a chat, in one place. A message is built from [`Facts`] only —
//! the tracking code, the item's description and the two cities — so no text can name a
//! person, a phone number or an address. No advertising either: a message says what happened
//! and what comes next.

use domain::code::TrackingCode;
use domain::handover::{Proof, Step};
use domain::jalali::JalaliDateTime;
use domain::shipment::PickupWindow;
use domain::status::Status;
use domain::values::Rials;
use kenar::message::{ButtonGrid, SendMessage};
use kenar::ConversationId;

use super::buttons::{button, Op, PressedBy};
use store::crypto::Keys;
use store::outbox::Announcement;

/// The message `compose` writes for `conversation`, when the shipment has one.
pub fn announce(
    keys: &Keys,
    conversation: Option<&ConversationId>,
    compose: impl FnOnce(&Composer<'_>) -> SendMessage,
) -> Option<Announcement> {
    conversation.map(|conversation| Announcement {
        conversation: conversation.clone(),
        body: compose(&Composer { keys, conversation }),
    })
}

/// What a message may say about a shipment.
pub struct Facts<'a> {
    pub code: &'a TrackingCode,
    pub item: &'a str,
    /// The origin and destination cities' names, when both are known.
    pub route: Option<(&'a str, &'a str)>,
}

/// A route as every page and message writes it: in words, so that it reads from origin to
/// destination in right-to-left text (an arrow between two names reads backwards there).
pub fn route(origin: &str, destination: &str) -> String {
    format!("از {origin} به {destination}")
}

/// Direction and other invisible format characters a user could type to reorder or hide text
/// in a message that carries Ersal's badge. The zero-width non-joiner (U+200C), which Persian
/// spelling needs, and the joiner (U+200D) stay.
fn is_hidden_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    ) || c.is_control()
}

impl Facts<'_> {
    /// The item as the user typed it, without hidden controls.
    fn item(&self) -> String {
        self.item
            .chars()
            .filter(|&c| !is_hidden_control(c))
            .collect()
    }

    fn route_note(&self) -> String {
        self.route
            .map(|(origin, destination)| format!(" ({})", route(origin, destination)))
            .unwrap_or_default()
    }
}

/// A message to post in `conversation`, with its buttons.
pub struct Composer<'a> {
    pub keys: &'a Keys,
    pub conversation: &'a ConversationId,
}

impl Composer<'_> {
    fn grid(&self, code: &TrackingCode, op: Op, side: PressedBy) -> Option<ButtonGrid> {
        let button = button(self.keys, code, op, self.conversation, side);
        Some(ButtonGrid::row(vec![button]))
    }

    /// A message both sides see, each with the tracking button.
    fn to_both(&self, code: &TrackingCode, message: String) -> SendMessage {
        SendMessage {
            message,
            sender_buttons: self.grid(code, Op::Track, None),
            receiver_buttons: self.grid(code, Op::Track, None),
        }
    }

    /// After the opener submits: they can track; the other side is asked to fill in theirs,
    /// with a button only `other_side` may press (when Divar named the opener's side).
    pub fn submitted(&self, facts: &Facts<'_>, other_side: PressedBy) -> SendMessage {
        SendMessage {
            message: format!(
                "درخواست ارسال «{}» ثبت شد{}. برای تکمیل، طرف مقابل مشخصات خود را از دکمهٔ زیر وارد کند. کد پیگیری: {}",
                facts.item(),
                facts.route_note(),
                facts.code
            ),
            sender_buttons: self.grid(facts.code, Op::Track, None),
            receiver_buttons: self.grid(facts.code, Op::Fill, other_side),
        }
    }

    /// The other side confirmed: the shipment is booked at its final price.
    pub fn booked(&self, facts: &Facts<'_>, total: Rials) -> SendMessage {
        let text = format!(
            "ارسال «{}» ثبت شد{}. هزینه: {}. فرستنده کد جمع‌آوری و گیرنده کد تحویل را در صفحهٔ پیگیری خود می‌بیند؛ هر کد را فقط هنگام دادن یا گرفتن بسته به پیک بگویید. کد پیگیری: {}",
            facts.item(),
            facts.route_note(),
            total.display_tomans(),
            facts.code
        );
        self.to_both(facts.code, text)
    }

    /// A status change by the shipping company, with the pickup appointment when one was set.
    pub fn milestone(
        &self,
        facts: &Facts<'_>,
        status: Status,
        pickup: Option<(i64, PickupWindow)>,
    ) -> SendMessage {
        let mut text = format!("«{}»: {}.", facts.item(), status.label());
        if let Some((day, window)) = pickup {
            text.push_str(&format!(
                " جمع‌آوری {}، ساعت {}.",
                JalaliDateTime::from_day(day).display_day(),
                window.label()
            ));
        }
        text.push_str(&format!(" کد پیگیری: {}", facts.code));
        self.to_both(facts.code, text)
    }

    /// A handover (picked up, delivered), with how it was recorded: with its holder's code or
    /// without it. The code itself is never in a message.
    pub fn handed_over(&self, facts: &Facts<'_>, step: Step, proof: Proof) -> SendMessage {
        let text = format!(
            "«{}»: {}؛ {}. کد پیگیری: {}",
            facts.item(),
            step.status().label(),
            step.proof_note(proof),
            facts.code
        );
        self.to_both(facts.code, text)
    }

    /// The other side never completed their details.
    pub fn expired(&self, facts: &Facts<'_>) -> SendMessage {
        let text = format!(
            "«{}»: {}؛ طرف مقابل مشخصات خود را ثبت نکرد. کد پیگیری: {}",
            facts.item(),
            Status::Expired.label(),
            facts.code
        );
        self.to_both(facts.code, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_keys as keys;

    #[test]
    fn buttons_go_to_the_right_side() {
        let keys = keys();
        let code = TrackingCode::parse("SHPX234567").unwrap();
        let conversation = ConversationId::parse("conv-1").unwrap();
        let composer = Composer {
            keys: &keys,
            conversation: &conversation,
        };
        let facts = Facts {
            code: &code,
            item: "گوشی",
            route: Some(("تهران", "اصفهان")),
        };
        let body = composer.submitted(&facts, Some(kenar::UserSide::Demand));
        assert!(
            body.message.contains("(از تهران به اصفهان)") && body.message.contains("SHPX234567")
        );
        let op = |grid: &Option<ButtonGrid>| {
            serde_json::to_value(grid).unwrap()["rows"][0]["buttons"][0]["action"]
                ["open_server_link"]["data"]["op"]
                .clone()
        };
        assert_eq!(op(&body.sender_buttons), "track", "the opener tracks");
        assert_eq!(
            op(&body.receiver_buttons),
            "fill",
            "the other side fills in"
        );
        let booked = composer.booked(&facts, Rials(2_117_500));
        assert!(booked.message.contains("۲۱۱٬۷۵۰ تومان"));
    }

    #[test]
    fn typed_direction_controls_never_reach_a_message() {
        let (keys, code) = (keys(), TrackingCode::parse("SHPX234567").unwrap());
        let conversation = ConversationId::parse("conv-1").unwrap();
        let composer = Composer {
            keys: &keys,
            conversation: &conversation,
        };
        let item = "گوشی\u{202E}لغو شد\u{202C}\u{2067}\u{200F}\u{0007} نیم‌دار";
        let facts = Facts {
            code: &code,
            item,
            route: None,
        };
        let message = composer.milestone(&facts, Status::Delivered, None).message;
        assert!(
            message.starts_with("«گوشیلغو شد نیم\u{200C}دار»"),
            "{message}"
        );
        assert!(!message.chars().any(is_hidden_control));
    }
}
