//! The webhooks' rules that do not need a server: the events a shipping company's system can
//! subscribe to, which shipment change raises which event, the retry schedule, when an endpoint
//! that keeps failing is turned off, and which network addresses a webhook may never reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::status::{Actor, Status};

crate::keyed! {
    /// What a webhook announces (its payload's `type`).
    pub enum Event {
        /// The opener submitted a shipment; the other side has not filled in theirs yet.
        ShipmentCreated = ("shipment.created", "ثبت درخواست"),
        /// Both sides' details are in: the shipment is booked with the company.
        ShipmentBooked = ("shipment.booked", "ثبت قطعی مرسوله"),
        /// Any other move of a booked shipment (pickup, transit, delivery, failures, return).
        ShipmentStatusChanged = ("shipment.status_changed", "تغییر وضعیت مرسوله"),
        /// The shipment was cancelled or expired before pickup.
        ShipmentCancelled = ("shipment.cancelled", "لغو مرسوله"),
        /// A user's message to the support bot started a wait for staff (later messages of the
        /// same wait are in the console, not announced again).
        SupportMessageReceived = ("support.message_received", "پیام تازهٔ پشتیبانی"),
    }
}

crate::keyed! {
    /// What came of one attempt to deliver a message, as the console's log shows it.
    pub enum Outcome {
        /// The endpoint answered 2xx.
        Ok = ("ok", "رسید"),
        /// The endpoint answered another status.
        Http = ("http", "پاسخ ناموفق"),
        Timeout = ("timeout", "در مهلت پاسخی نیامد"),
        Connect = ("connect", "وصل نشد"),
        /// The URL or its name's addresses are not public: nothing was sent.
        RefusedAddress = ("refused_address", "نشانی غیرعمومی؛ فرستاده نشد"),
        NoSuchName = ("no_such_name", "نام نشانی پیدا نشد"),
        Error = ("error", "خطای شبکه"),
        /// The endpoint was turned off: nothing was sent.
        Disabled = ("disabled", "گیرنده خاموش است؛ فرستاده نشد"),
    }
}

impl Event {
    /// The event a shipment's new status raises; `None` for the steps inside one user action
    /// (the draft, the confirmation the booking passes through).
    pub fn of_status(status: Status) -> Option<Self> {
        match status {
            Status::Draft | Status::AwaitingConfirmation => None,
            Status::AwaitingCounterparty => Some(Self::ShipmentCreated),
            Status::Booked => Some(Self::ShipmentBooked),
            Status::Cancelled | Status::Expired => Some(Self::ShipmentCancelled),
            _ => Some(Self::ShipmentStatusChanged),
        }
    }
}

/// A shipment event's `data`: ids and states. The two sides' details join it at send time
/// as [`PARTIES`], for endpoints that may receive them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentData<'a> {
    pub tracking_code: &'a str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub actor: &'static str,
}

impl<'a> ShipmentData<'a> {
    pub fn new(tracking_code: &'a str, status: Status, actor: Actor) -> Self {
        Self {
            tracking_code,
            status: status.key(),
            status_label: status.label(),
            actor: actor.key(),
        }
    }
}

/// The field of a shipment event's `data` that carries the two sides' details.
pub const PARTIES: &str = "parties";

/// `support.message_received`'s `data`: the conversation whose user's message started a wait
/// for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportData<'a> {
    pub conversation_id: &'a str,
}

/// The stored form of a set of events: their keys, comma-separated, in declaration order.
pub fn events_key(events: &[Event]) -> String {
    Event::ALL
        .iter()
        .filter(|e| events.contains(e))
        .map(|e| e.key())
        .collect::<Vec<_>>()
        .join(",")
}

/// Events from their stored form; unknown keys (from a newer build) are left out.
pub fn parse_events(raw: &str) -> Vec<Event> {
    raw.split(',').filter_map(Event::parse).collect()
}

/// The prefix of a signing secret, as the Standard Webhooks specification names it.
pub const SECRET_PREFIX: &str = "whsec_";

/// Random bytes in a signing secret.
pub const SECRET_BYTES: usize = 32;

/// Whether `raw` has the shape of a secret Ersal makes: the prefix and the standard base64 of
/// [`SECRET_BYTES`] bytes.
pub fn looks_like_secret(raw: &str) -> bool {
    raw.strip_prefix(SECRET_PREFIX).is_some_and(|body| {
        body.len() == SECRET_BYTES.div_ceil(3) * 4
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    })
}

/// The longest endpoint URL accepted.
pub const URL_MAX: usize = 2000;

/// Endpoints a company may register.
pub const ENDPOINTS_MAX: i64 = 20;

/// How long the previous secret still signs after a rotation (a day), so a receiver can roll
/// its configuration without dropping deliveries.
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;

/// An endpoint failing without a single success for this long (a day) is turned off.
pub const DISABLE_AFTER_SECS: i64 = 24 * 3600;

/// How long settled messages and the log of attempts are kept (30 days).
pub const LOG_SECS: i64 = 30 * 24 * 3600;

/// Waits before each retry, after the first attempt (Standard Webhooks' suggested schedule:
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). The last try is made about 27.5 hours after the
/// first, past [`DISABLE_AFTER_SECS`].
pub const RETRY_WAITS_SECS: [i64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/// The wait before the next try after `attempts` failed ones, or `None` when none is left.
pub fn retry_wait_secs(attempts: i64) -> Option<i64> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    RETRY_WAITS_SECS.get(index).copied()
}

/// Whether a webhook may be sent to `ip`: only to the public internet, never to this machine,
/// a private or link-local network (a cloud's metadata service), or a reserved range. An IPv6
/// address that carries an IPv4 one is judged by it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b); // carrier-grade NAT, 100.64/10
    let protocol = a == 192 && b == 0 && c == 0; // 192.0.0/24
    let benchmarking = a == 198 && (b == 18 || b == 19); // 198.18/15
    let relay = a == 192 && b == 88 && c == 99; // 192.88.99/24, 6to4 relays
    let reserved = a >= 240; // 240/4 and broadcast
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || shared
        || protocol
        || benchmarking
        || relay
        || reserved)
}

/// Only global unicast (2000::/3) is public, less documentation (2001:db8::/32), Teredo
/// (2001::/32, whose client may be anywhere) and 6to4 (2002::/16) unless the IPv4 address it
/// carries is public itself.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, third, ..] = ip.segments();
    let global = first & 0xe000 == 0x2000;
    let documentation = first == 0x2001 && second == 0x0db8;
    let teredo = first == 0x2001 && second == 0;
    let six_to_four = first == 0x2002;
    if six_to_four {
        let [a, b] = second.to_be_bytes();
        let [c, d] = third.to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    global && !documentation && !teredo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_raise_their_events() {
        assert_eq!(Event::of_status(Status::Draft), None);
        assert_eq!(Event::of_status(Status::AwaitingConfirmation), None);
        assert_eq!(
            Event::of_status(Status::Booked),
            Some(Event::ShipmentBooked)
        );
        assert_eq!(
            Event::of_status(Status::Expired),
            Some(Event::ShipmentCancelled)
        );
        assert_eq!(
            Event::of_status(Status::Delivered),
            Some(Event::ShipmentStatusChanged)
        );
    }

    #[test]
    fn events_round_trip_and_skip_unknown_keys() {
        let events = [Event::ShipmentCancelled, Event::ShipmentBooked];
        let key = events_key(&events);
        assert_eq!(key, "shipment.booked,shipment.cancelled");
        assert_eq!(
            parse_events(&format!("{key},shipment.teleported")),
            vec![Event::ShipmentBooked, Event::ShipmentCancelled]
        );
    }

    #[test]
    fn the_schedule_ends_after_a_day() {
        assert_eq!(retry_wait_secs(0), None);
        assert_eq!(retry_wait_secs(1), Some(5));
        assert_eq!(retry_wait_secs(7), Some(36_000));
        assert_eq!(retry_wait_secs(8), None);
        assert!(RETRY_WAITS_SECS.iter().sum::<i64>() > DISABLE_AFTER_SECS);
    }

    #[test]
    fn only_public_addresses_are_reachable() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "2002:a9fe:a9fe::",
            "2001:0:4136:e378::1",
            "fec0::1",
            "::ffff:0:a00:1",
            "100::1",
            "192.88.99.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "185.143.233.1",
            "2a01:4f8::1",
            "::ffff:8.8.8.8",
            "2002:808:808::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
