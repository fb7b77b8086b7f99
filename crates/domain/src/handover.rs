//! Handover codes: the pickup code the sender shows the courier, and the delivery code only the
//! receiver holds, each six digits and used once. A right code moves the shipment (picked up,
//! delivered) and says so in its timeline and the chat; staff may still move it without one,
//! and that is said too.

use crate::shipment::Role;
use crate::status::Status;
use crate::text::normalize_digits;

/// Digits in a code.
pub const DIGITS: usize = 6;
/// Wrong codes for one shipment within [`WINDOW_SECS`] before it is locked for the rest of it.
pub const SHIPMENT_TRIES: i64 = 5;
/// Wrong codes by one operator within [`WINDOW_SECS`], across shipments.
pub const OPERATOR_TRIES: i64 = 20;
/// The window the tries are counted in.
pub const WINDOW_SECS: i64 = 15 * 60;

crate::keyed! {
    /// A handover a code proves.
    pub enum Step {
        Pickup = ("pickup", "جمع‌آوری از فرستنده"),
        Delivery = ("delivery", "تحویل به گیرنده"),
    }
}

crate::keyed! {
    /// How a handover was recorded.
    pub enum Proof {
        Code = ("code", "با کد"),
        Operator = ("operator", "بدون کد"),
    }
}

impl Step {
    /// The status a proved handover moves the shipment to.
    pub fn status(self) -> Status {
        match self {
            Self::Pickup => Status::PickedUp,
            Self::Delivery => Status::Delivered,
        }
    }

    /// The handover a move to `status` is, if any.
    pub fn of(status: Status) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|step| step.status() == status)
    }

    /// Who holds the code.
    pub fn holder(self) -> Role {
        match self {
            Self::Pickup => Role::Sender,
            Self::Delivery => Role::Receiver,
        }
    }

    /// Whether the code is still to be used while the shipment is in `status`: from booking
    /// until the handover.
    pub fn pending(self, status: Status) -> bool {
        use Status::*;
        match self {
            Self::Pickup => matches!(status, Booked | PickupScheduled | PickupFailed),
            Self::Delivery => matches!(
                status,
                Booked
                    | PickupScheduled
                    | PickupFailed
                    | PickedUp
                    | InTransit
                    | OutForDelivery
                    | DeliveryAttemptFailed
            ),
        }
    }

    /// The code a move from `from` to `to` issues anew: the pickup's when a failed pickup is
    /// scheduled again, the delivery's when a failed delivery is tried again.
    pub fn rotated_by(from: Status, to: Status) -> Option<Self> {
        match (from, to) {
            (Status::PickupFailed, Status::PickupScheduled) => Some(Self::Pickup),
            (Status::DeliveryAttemptFailed, Status::OutForDelivery) => Some(Self::Delivery),
            _ => None,
        }
    }

    /// What the timeline and the chat say about how the handover was recorded.
    pub fn proof_note(self, proof: Proof) -> &'static str {
        match (self, proof) {
            (Self::Pickup, Proof::Code) => "با کد فرستنده تأیید شد",
            (Self::Pickup, Proof::Operator) => "بدون کد فرستنده ثبت شد",
            (Self::Delivery, Proof::Code) => "با کد گیرنده تأیید شد",
            (Self::Delivery, Proof::Operator) => "بدون کد گیرنده ثبت شد",
        }
    }
}

/// A code as typed (any digits, spaces and dashes ignored): six ASCII digits, or `None`.
pub fn parse_code(typed: &str) -> Option<String> {
    let digits: String = normalize_digits(typed)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed() {
        assert_eq!(parse_code("۱۲۳ ۴۵۶"), Some("123456".to_owned()));
        assert_eq!(parse_code("12-34-56"), Some("123456".to_owned()));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("12345a"), None);
    }

    #[test]
    fn each_step_has_its_status_holder_and_rotation() {
        assert_eq!(Step::of(Status::Delivered), Some(Step::Delivery));
        assert_eq!(Step::of(Status::InTransit), None);
        assert_eq!(Step::Pickup.holder(), Role::Sender);
        assert!(Step::Pickup.pending(Status::PickupScheduled));
        assert!(!Step::Pickup.pending(Status::PickedUp));
        assert!(Step::Delivery.pending(Status::OutForDelivery));
        assert!(!Step::Delivery.pending(Status::Delivered));
        assert_eq!(
            Step::rotated_by(Status::PickupFailed, Status::PickupScheduled),
            Some(Step::Pickup)
        );
        assert_eq!(
            Step::rotated_by(Status::Booked, Status::PickupScheduled),
            None
        );
    }
}
