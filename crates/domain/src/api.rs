//! The operator API's rules that do not need a server: what a token may do (its scopes), how
//! a token and an idempotency key look, and the limits on what a caller may ask for.

crate::keyed! {
    /// What an API token may do; a token holds one or more.
    pub enum Scope {
        /// List and read shipments (ids, states, route cities, timeline), and the status
        /// catalogue.
        ShipmentsRead = ("shipments:read", "خواندن مرسوله‌ها"),
        /// Move shipments, with the same rules and chat messages as the console.
        ShipmentsMove = ("shipments:move", "تغییر وضعیت مرسوله‌ها"),
        /// See the two sides' names, phones and addresses where a shipment is read.
        PersonalRead = ("personal:read", "دیدن اطلاعات شخصی"),
        /// Register and change webhook endpoints.
        WebhooksManage = ("webhooks:manage", "مدیریت وب‌هوک‌ها"),
    }
}

/// The prefix of every token Ersal issues: it tells a leaked secret apart in a scanner's
/// report, and a token from a webhook secret (`whsec_`).
pub const TOKEN_PREFIX: &str = "ersal_";

/// Characters of a token after its prefix: 32 random bytes in URL-safe base64.
pub const TOKEN_BODY_LEN: usize = 43;

/// A token's name: what the audit says and the console lists.
pub const NAME_MAX: usize = 40;

/// An `Idempotency-Key` header: 1 to this many visible ASCII characters.
pub const IDEMPOTENCY_KEY_MAX: usize = 100;

/// Shipments per page of the list: the default, and the most a caller may ask for.
pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;

/// A list of scopes as `shipments:read,shipments:move`; `None` when empty, repeated or unknown.
pub fn parse_scopes(raw: &str) -> Option<Vec<Scope>> {
    let mut scopes = Vec::new();
    for key in raw.split(',').map(str::trim) {
        let scope = Scope::parse(key)?;
        if scopes.contains(&scope) {
            return None;
        }
        scopes.push(scope);
    }
    (!scopes.is_empty()).then_some(scopes)
}

/// The stored form of scopes: their keys, comma-separated, in declaration order.
pub fn scopes_key(scopes: &[Scope]) -> String {
    Scope::ALL
        .iter()
        .filter(|s| scopes.contains(s))
        .map(|s| s.key())
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `name` may name a token: 1 to [`NAME_MAX`] letters, digits, `-`, `_` or `.`.
pub fn valid_name(name: &str) -> bool {
    (1..=NAME_MAX).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether `raw` looks like a token Ersal issued (before any lookup).
pub fn looks_like_token(raw: &str) -> bool {
    raw.strip_prefix(TOKEN_PREFIX).is_some_and(|body| {
        body.len() == TOKEN_BODY_LEN
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Whether `key` may be an `Idempotency-Key`.
pub fn valid_idempotency_key(key: &str) -> bool {
    (1..=IDEMPOTENCY_KEY_MAX).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// A day number (days since 1970-01-01, Tehran) as an ISO 8601 date, `2026-12-08`.
pub fn iso_date(day: i64) -> String {
    // Howard Hinnant's civil-from-days, for the proleptic Gregorian calendar.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Unix seconds as an ISO 8601 UTC time, `2026-12-08T09:30:00Z`.
pub fn iso_time(secs: i64) -> String {
    let (day, second) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date(day),
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// The day number of an ISO 8601 date (`2026-12-08`); `None` for anything else.
pub fn parse_iso_date(raw: &str) -> Option<i64> {
    let mut parts = raw.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let day = era * 146_097 + doe - 719_468;
    // A day past the month's end would roll into the next month: refuse it.
    (iso_date(day) == raw).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip_and_impossible_ones_are_refused() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(parse_iso_date("1970-01-01"), Some(0));
        assert_eq!(parse_iso_date("2026-12-08"), Some(20_795));
        assert_eq!(iso_date(20_795), "2026-12-08");
        assert_eq!(
            parse_iso_date("2028-02-29").map(iso_date).as_deref(),
            Some("2028-02-29")
        );
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("2026-13-01"), None);
        assert_eq!(parse_iso_date("2026-1-01"), None);
        assert_eq!(parse_iso_date("20795"), None);
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(20_795 * 86_400 + 34_261), "2026-12-08T09:31:01Z");
    }

    #[test]
    fn scopes_parse_strictly_and_store_in_one_order() {
        assert_eq!(
            parse_scopes("shipments:move, shipments:read"),
            Some(vec![Scope::ShipmentsMove, Scope::ShipmentsRead])
        );
        assert_eq!(
            scopes_key(&[Scope::ShipmentsMove, Scope::ShipmentsRead]),
            "shipments:read,shipments:move"
        );
        assert_eq!(parse_scopes(""), None);
        assert_eq!(parse_scopes("shipments:read,shipments:read"), None);
        assert_eq!(parse_scopes("shipments:read,admin"), None);
    }

    #[test]
    fn names_tokens_and_keys_are_bounded() {
        assert!(valid_name("warehouse-1"));
        assert!(!valid_name(""));
        assert!(!valid_name("انبار"));
        assert!(!valid_name(&"a".repeat(NAME_MAX + 1)));
        assert!(looks_like_token(&format!("ersal_{}", "A".repeat(43))));
        assert!(!looks_like_token(&format!("ersal_{}", "A".repeat(42))));
        assert!(!looks_like_token(&format!("whsec_{}", "A".repeat(43))));
        assert!(!looks_like_token(&format!("ersal_{}+", "A".repeat(42))));
        assert!(valid_idempotency_key("move-42"));
        assert!(!valid_idempotency_key(""));
        assert!(!valid_idempotency_key("with space"));
        assert!(!valid_idempotency_key(&"k".repeat(IDEMPOTENCY_KEY_MAX + 1)));
    }
}
