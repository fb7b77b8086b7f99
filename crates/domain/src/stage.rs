//! Stages: the groups of shipments the console's day counts and its list filters by, so that a
//! figure and the list it links to always agree.

use crate::status::Status;

crate::keyed! {
    /// A group of shipments by what happens to them next.
    pub enum Stage {
        /// Booked, and not yet picked up: the pickup is to be scheduled, made or tried again.
        WaitingPickup = ("waiting_pickup", "در انتظار جمع‌آوری"),
        /// Scheduled for a pickup on a day that has passed.
        Late = ("late", "دیرکرد جمع‌آوری"),
        /// Picked up, on the way, or out for delivery.
        Moving = ("moving", "در راه"),
        /// The company must act next: a step that waits on it, or a late pickup.
        NeedsAction = ("needs_action", "نیاز به اقدام"),
    }
}

impl Stage {
    /// The statuses whose shipments are all in the stage.
    pub fn statuses(self) -> &'static [Status] {
        match self {
            Self::WaitingPickup => &[
                Status::Booked,
                Status::PickupScheduled,
                Status::PickupFailed,
            ],
            Self::Late => &[],
            Self::Moving => &[Status::PickedUp, Status::InTransit, Status::OutForDelivery],
            Self::NeedsAction => &[
                Status::Booked,
                Status::PickupFailed,
                Status::DeliveryAttemptFailed,
            ],
        }
    }

    /// Whether late pickups ([`is_late`]) are in the stage too.
    pub fn includes_late(self) -> bool {
        matches!(self, Self::Late | Self::NeedsAction)
    }

    /// Whether a shipment in `status`, with its pickup scheduled for `pickup_day`, is in the
    /// stage on day `today` (Tehran day numbers).
    pub fn holds(self, status: Status, pickup_day: Option<i64>, today: i64) -> bool {
        self.statuses().contains(&status)
            || (self.includes_late() && is_late(status, pickup_day, today))
    }
}

/// A pickup scheduled for a day before `today` that has not happened.
pub fn is_late(status: Status, pickup_day: Option<i64>, today: i64) -> bool {
    status == Status::PickupScheduled && pickup_day.is_some_and(|day| day < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheduled_pickup_is_late_only_after_its_day() {
        let scheduled = Status::PickupScheduled;
        assert!(!is_late(scheduled, Some(10), 10));
        assert!(is_late(scheduled, Some(9), 10));
        assert!(!is_late(scheduled, None, 10));
        assert!(!is_late(Status::PickedUp, Some(9), 10));
        assert!(Stage::NeedsAction.holds(scheduled, Some(9), 10));
        assert!(!Stage::NeedsAction.holds(scheduled, Some(10), 10));
        assert!(Stage::WaitingPickup.holds(scheduled, Some(10), 10));
        assert!(!Stage::Late.holds(Status::Booked, None, 10));
    }

    #[test]
    fn the_company_is_told_what_waits_on_it() {
        let needs = |s| Stage::NeedsAction.holds(s, None, 0);
        assert!(needs(Status::Booked) && needs(Status::PickupFailed));
        assert!(needs(Status::DeliveryAttemptFailed));
        assert!(!needs(Status::InTransit) && !needs(Status::PickupScheduled));
    }
}
