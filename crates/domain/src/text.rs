//! Digits and money as Persian users type and read them.

/// Persian (۰–۹) and Arabic-Indic (٠–٩) digits become ASCII; the Persian decimal separator
/// (٫) becomes `.`; thousands separators (٬ and `,`) and Arabic/Persian commas are dropped.
pub fn normalize_digits(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '٫' => Some('.'),
            '٬' | ',' | '،' => None,
            other => Some(ascii_digit(other).unwrap_or(other)),
        })
        .collect()
}

/// An ASCII, Persian (۰–۹) or Arabic-Indic (٠–٩) digit as its ASCII digit; anything else is
/// `None`.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10),
        '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10),
        _ => None,
    }
}

/// ASCII digits become Persian digits (for text shown to users).
pub fn persian_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32('۰' as u32 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// `1234567` → `۱٬۲۳۴٬۵۶۷`.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('٬');
        }
        out.push(c);
    }
    persian_digits(&out)
}

/// A duration for people, in its largest whole unit (days, hours, minutes, seconds), with
/// Persian digits: `1800` → «۳۰ دقیقه».
pub fn duration(secs: i64) -> String {
    let (count, unit) = [(86_400, "روز"), (3_600, "ساعت"), (60, "دقیقه")]
        .into_iter()
        .find(|(unit, _)| secs >= *unit && secs % unit == 0)
        .map_or((secs, "ثانیه"), |(size, unit)| (secs / size, unit));
    format!("{} {unit}", persian_digits(&count.to_string()))
}

/// How long ago, as staff glance at it: "همین حالا" under a minute, else whole minutes,
/// hours or days, rounded down ("۳ ساعت پیش").
pub fn age(secs: i64) -> String {
    let (count, unit) = match secs {
        ..60 => return "همین حالا".to_owned(),
        60..3_600 => (secs / 60, "دقیقه"),
        3_600..86_400 => (secs / 3_600, "ساعت"),
        _ => (secs / 86_400, "روز"),
    };
    format!("{} {unit} پیش", persian_digits(&count.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_in_any_script() {
        assert_eq!(normalize_digits("۰۹۱۲۳۴۵۶۷۸۹"), "09123456789");
        assert_eq!(normalize_digits("٠٩١٢٣٤٥٦٧٨٩"), "09123456789");
        assert_eq!(normalize_digits("۱٫۵"), "1.5");
        assert_eq!(normalize_digits("1٬250٬000"), "1250000");
        assert_eq!(normalize_digits("۱۲,۳۴۵"), "12345");
        assert_eq!(normalize_digits("abc"), "abc");
    }

    #[test]
    fn durations_in_their_largest_whole_unit() {
        assert_eq!(duration(30 * 60), "۳۰ دقیقه");
        assert_eq!(duration(12 * 3600), "۱۲ ساعت");
        assert_eq!(duration(30 * 86_400), "۳۰ روز");
        assert_eq!(duration(90), "۹۰ ثانیه");
    }

    #[test]
    fn ages_round_down_to_their_largest_unit() {
        assert_eq!(age(-5), "همین حالا");
        assert_eq!(age(59), "همین حالا");
        assert_eq!(age(60), "۱ دقیقه پیش");
        assert_eq!(age(3_599), "۵۹ دقیقه پیش");
        assert_eq!(age(3 * 3_600 + 59), "۳ ساعت پیش");
        assert_eq!(age(2 * 86_400 + 7), "۲ روز پیش");
    }

    #[test]
    fn persian_output() {
        assert_eq!(persian_digits("2026-11-21"), "۲۰۲۶-۱۱-۲۱");
        assert_eq!(group_thousands(0), "۰");
        assert_eq!(group_thousands(999), "۹۹۹");
        assert_eq!(group_thousands(1000), "۱٬۰۰۰");
        assert_eq!(group_thousands(18_500_000), "۱۸٬۵۰۰٬۰۰۰");
    }
}
