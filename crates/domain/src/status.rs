//! The shipment status machine (Draft → … → Delivered, with its exceptions). Every change goes through
//! [`Status::can_become`], which also checks who may make it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Draft,
    AwaitingCounterparty,
    AwaitingConfirmation,
    Booked,
    PickupScheduled,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    PickupFailed,
    DeliveryAttemptFailed,
    ReturnedToSender,
    LostOrDamaged,
    Cancelled,
    Expired,
}

/// Who moves a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// The user who opened Ersal and started the shipment.
    Opener,
    /// The other side of the chat.
    Counterparty,
    /// Staff of the shipping company.
    Operator,
    /// Ersal itself (timeouts).
    System,
}

impl Actor {
    pub const ALL: [Self; 4] = [
        Self::Opener,
        Self::Counterparty,
        Self::Operator,
        Self::System,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Opener => "opener",
            Self::Counterparty => "counterparty",
            Self::Operator => "operator",
            Self::System => "system",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Who did it, as users and operators read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Opener => "درخواست‌دهنده",
            Self::Counterparty => "طرف مقابل",
            Self::Operator => "شرکت حمل",
            Self::System => "سامانه",
        }
    }
}

impl Status {
    pub const ALL: [Self; 15] = [
        Self::Draft,
        Self::AwaitingCounterparty,
        Self::AwaitingConfirmation,
        Self::Booked,
        Self::PickupScheduled,
        Self::PickedUp,
        Self::InTransit,
        Self::OutForDelivery,
        Self::Delivered,
        Self::PickupFailed,
        Self::DeliveryAttemptFailed,
        Self::ReturnedToSender,
        Self::LostOrDamaged,
        Self::Cancelled,
        Self::Expired,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::AwaitingCounterparty => "awaiting_counterparty",
            Self::AwaitingConfirmation => "awaiting_confirmation",
            Self::Booked => "booked",
            Self::PickupScheduled => "pickup_scheduled",
            Self::PickedUp => "picked_up",
            Self::InTransit => "in_transit",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::PickupFailed => "pickup_failed",
            Self::DeliveryAttemptFailed => "delivery_attempt_failed",
            Self::ReturnedToSender => "returned_to_sender",
            Self::LostOrDamaged => "lost_or_damaged",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "پیش‌نویس",
            Self::AwaitingCounterparty => "در انتظار تکمیل اطلاعات طرف مقابل",
            Self::AwaitingConfirmation => "در انتظار تأیید",
            Self::Booked => "ثبت شد",
            Self::PickupScheduled => "در انتظار جمع‌آوری",
            Self::PickedUp => "تحویل پیک شد",
            Self::InTransit => "در مسیر",
            Self::OutForDelivery => "در حال توزیع",
            Self::Delivered => "تحویل شد",
            Self::PickupFailed => "جمع‌آوری ناموفق",
            Self::DeliveryAttemptFailed => "تحویل ناموفق",
            Self::ReturnedToSender => "برگشت به فرستنده",
            Self::LostOrDamaged => "مفقودی / خسارت",
            Self::Cancelled => "لغو شد",
            Self::Expired => "منقضی",
        }
    }

    pub fn is_terminal(self) -> bool {
        self.next().is_empty()
    }

    /// Cancelling is possible only before the parcel is picked up.
    pub fn is_cancellable(self) -> bool {
        self.next().contains(&Self::Cancelled)
    }

    /// Every status this one may become.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[AwaitingCounterparty, Cancelled],
            AwaitingCounterparty => &[AwaitingConfirmation, Cancelled, Expired],
            AwaitingConfirmation => &[Booked, Cancelled, Expired],
            Booked => &[PickupScheduled, Cancelled],
            PickupScheduled => &[PickedUp, PickupFailed, Cancelled],
            PickupFailed => &[PickupScheduled, Cancelled],
            PickedUp => &[InTransit, LostOrDamaged],
            InTransit => &[OutForDelivery, ReturnedToSender, LostOrDamaged],
            OutForDelivery => &[Delivered, DeliveryAttemptFailed, LostOrDamaged],
            DeliveryAttemptFailed => &[OutForDelivery, ReturnedToSender, LostOrDamaged],
            Delivered | ReturnedToSender | LostOrDamaged | Cancelled | Expired => &[],
        }
    }

    /// Whether `actor` may move a shipment from `self` to `to`.
    pub fn can_become(self, to: Status, actor: Actor) -> bool {
        use Status::*;
        if !self.next().contains(&to) {
            return false;
        }
        matches!(
            (to, actor),
            (
                Cancelled,
                Actor::Opener | Actor::Counterparty | Actor::Operator
            ) | (AwaitingCounterparty, Actor::Opener)
                | (AwaitingConfirmation | Booked, Actor::Counterparty)
                | (Expired, Actor::System)
                | (
                    PickupScheduled
                        | PickedUp
                        | InTransit
                        | OutForDelivery
                        | Delivered
                        | PickupFailed
                        | DeliveryAttemptFailed
                        | ReturnedToSender
                        | LostOrDamaged,
                    Actor::Operator
                )
        )
    }

    /// What the users should expect next, in Persian.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::Draft => "فرم را کامل و ارسال کنید.",
            Self::AwaitingCounterparty => {
                "طرف مقابل باید از دکمهٔ پیام در گفتگو اطلاعات خود را وارد کند."
            }
            Self::AwaitingConfirmation => "طرف مقابل باید هزینه را ببیند و تأیید کند.",
            Self::Booked => "شرکت حمل زمان جمع‌آوری را تعیین می‌کند.",
            Self::PickupScheduled => "پیک در بازهٔ تعیین‌شده برای جمع‌آوری می‌آید.",
            Self::PickupFailed => "شرکت حمل زمان تازه‌ای برای جمع‌آوری تعیین می‌کند.",
            Self::PickedUp | Self::InTransit => "مرسوله در راه مقصد است.",
            Self::OutForDelivery => "پیک امروز مرسوله را تحویل می‌دهد.",
            Self::DeliveryAttemptFailed => "شرکت حمل دوباره برای تحویل تلاش می‌کند.",
            Self::Delivered
            | Self::ReturnedToSender
            | Self::LostOrDamaged
            | Self::Cancelled
            | Self::Expired => "این مرسوله بسته شده است.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    /// Every allowed transition, as (from, to).
    const ALLOWED: [(Status, Status); 27] = [
        (Draft, AwaitingCounterparty),
        (Draft, Cancelled),
        (AwaitingCounterparty, AwaitingConfirmation),
        (AwaitingCounterparty, Cancelled),
        (AwaitingCounterparty, Expired),
        (AwaitingConfirmation, Booked),
        (AwaitingConfirmation, Cancelled),
        (AwaitingConfirmation, Expired),
        (Booked, PickupScheduled),
        (Booked, Cancelled),
        (PickupScheduled, PickedUp),
        (PickupScheduled, PickupFailed),
        (PickupScheduled, Cancelled),
        (PickupFailed, PickupScheduled),
        (PickupFailed, Cancelled),
        (PickedUp, InTransit),
        (PickedUp, LostOrDamaged),
        (InTransit, OutForDelivery),
        (InTransit, ReturnedToSender),
        (InTransit, LostOrDamaged),
        (OutForDelivery, Delivered),
        (OutForDelivery, DeliveryAttemptFailed),
        (OutForDelivery, LostOrDamaged),
        (DeliveryAttemptFailed, OutForDelivery),
        (DeliveryAttemptFailed, ReturnedToSender),
        (DeliveryAttemptFailed, LostOrDamaged),
        (Draft, Draft),
    ];

    #[test]
    fn every_pair_is_allowed_exactly_when_listed() {
        let allowed = &ALLOWED[..26];
        for from in Status::ALL {
            for to in Status::ALL {
                let listed = allowed.contains(&(from, to));
                let someone = [
                    Actor::Opener,
                    Actor::Counterparty,
                    Actor::Operator,
                    Actor::System,
                ]
                .into_iter()
                .any(|actor| from.can_become(to, actor));
                assert_eq!(someone, listed, "{from:?} → {to:?}");
            }
        }
        assert_eq!(ALLOWED[26], (Draft, Draft), "a status never becomes itself");
        assert!(!Draft.can_become(Draft, Actor::Operator));
    }

    #[test]
    fn cancel_only_before_pickup() {
        for s in Status::ALL {
            let before_pickup = matches!(
                s,
                Draft
                    | AwaitingCounterparty
                    | AwaitingConfirmation
                    | Booked
                    | PickupScheduled
                    | PickupFailed
            );
            assert_eq!(s.is_cancellable(), before_pickup, "{s:?}");
        }
    }

    #[test]
    fn who_may_do_what() {
        assert!(Draft.can_become(AwaitingCounterparty, Actor::Opener));
        assert!(!Draft.can_become(AwaitingCounterparty, Actor::Counterparty));
        assert!(AwaitingConfirmation.can_become(Booked, Actor::Counterparty));
        assert!(!AwaitingConfirmation.can_become(Booked, Actor::Opener));
        assert!(!Booked.can_become(PickupScheduled, Actor::Opener));
        assert!(Booked.can_become(PickupScheduled, Actor::Operator));
        assert!(AwaitingCounterparty.can_become(Expired, Actor::System));
        assert!(!AwaitingCounterparty.can_become(Expired, Actor::Operator));
        assert!(PickupScheduled.can_become(Cancelled, Actor::Counterparty));
    }

    #[test]
    fn terminal_states_and_labels() {
        for s in [
            Delivered,
            ReturnedToSender,
            LostOrDamaged,
            Cancelled,
            Expired,
        ] {
            assert!(s.is_terminal());
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(s));
            assert!(!s.label().is_empty());
        }
        assert_eq!(Booked.label(), "ثبت شد");
    }
}
