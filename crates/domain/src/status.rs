//! The shipment status machine (Draft → … → Delivered, with its exceptions). Every change goes through
//! [`Status::can_become`], which also checks who may make it.

use serde::{Deserialize, Serialize};

crate::keyed! {
    /// Where a shipment is; `label` is how users and operators read it.
    #[derive(Serialize, Deserialize)]
    pub enum Status {
        Draft = ("draft", "پیش‌نویس"),
        AwaitingCounterparty = ("awaiting_counterparty", "در انتظار تکمیل اطلاعات طرف مقابل"),
        AwaitingConfirmation = ("awaiting_confirmation", "در انتظار تأیید"),
        Booked = ("booked", "ثبت شد"),
        PickupScheduled = ("pickup_scheduled", "در انتظار جمع‌آوری"),
        PickedUp = ("picked_up", "تحویل پیک شد"),
        InTransit = ("in_transit", "در مسیر"),
        OutForDelivery = ("out_for_delivery", "در حال توزیع"),
        Delivered = ("delivered", "تحویل شد"),
        PickupFailed = ("pickup_failed", "جمع‌آوری ناموفق"),
        DeliveryAttemptFailed = ("delivery_attempt_failed", "تحویل ناموفق"),
        ReturnedToSender = ("returned_to_sender", "برگشت به فرستنده"),
        LostOrDamaged = ("lost_or_damaged", "مفقودی / خسارت"),
        Cancelled = ("cancelled", "لغو شد"),
        Expired = ("expired", "منقضی"),
    }
}

crate::keyed! {
    /// Who moves a shipment; `label` is who did it, as users and operators read it.
    #[derive(Serialize, Deserialize)]
    pub enum Actor {
        /// The user who opened Ersal and started the shipment.
        Opener = ("opener", "درخواست‌دهنده"),
        /// The other side of the chat.
        Counterparty = ("counterparty", "طرف مقابل"),
        /// Staff of the shipping company.
        Operator = ("operator", "شرکت حمل"),
        /// Ersal itself (timeouts).
        System = ("system", "سامانه"),
    }
}

impl Status {
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

    /// The operator's action that moves a shipment here, as a verb ("زمان‌بندی جمع‌آوری").
    pub fn action(self) -> &'static str {
        match self {
            Self::Draft => "بازگرداندن به پیش‌نویس",
            Self::AwaitingCounterparty => "فرستادن برای طرف مقابل",
            Self::AwaitingConfirmation => "ثبت تکمیل اطلاعات",
            Self::Booked => "ثبت قطعی",
            Self::PickupScheduled => "زمان‌بندی جمع‌آوری",
            Self::PickedUp => "ثبت جمع‌آوری از فرستنده",
            Self::InTransit => "ثبت حرکت به مقصد",
            Self::OutForDelivery => "سپردن به پیک توزیع",
            Self::Delivered => "ثبت تحویل به گیرنده",
            Self::PickupFailed => "ثبت جمع‌آوری ناموفق",
            Self::DeliveryAttemptFailed => "ثبت تحویل ناموفق",
            Self::ReturnedToSender => "ثبت برگشت به فرستنده",
            Self::LostOrDamaged => "ثبت مفقودی یا خسارت",
            Self::Cancelled => "لغو مرسوله",
            Self::Expired => "ثبت انقضا",
        }
    }

    /// A way off the normal path (a failure, a return, a loss, a cancellation): the console
    /// sets it apart, asks for a reason and for confirmation.
    pub fn is_exception(self) -> bool {
        matches!(
            self,
            Self::PickupFailed
                | Self::DeliveryAttemptFailed
                | Self::ReturnedToSender
                | Self::LostOrDamaged
                | Self::Cancelled
                | Self::Expired
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

    #[test]
    fn exceptions_are_apart_and_actions_are_verbs() {
        assert!(Status::Cancelled.is_exception() && Status::LostOrDamaged.is_exception());
        assert!(!Status::PickupScheduled.is_exception() && !Status::Delivered.is_exception());
        assert_eq!(Status::PickupScheduled.action(), "زمان‌بندی جمع‌آوری");
    }
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
        for &from in Status::ALL {
            for &to in Status::ALL {
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
        for &s in Status::ALL {
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
        for &s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(s));
            assert!(!s.label().is_empty());
        }
        assert_eq!(Booked.label(), "ثبت شد");
    }
}
