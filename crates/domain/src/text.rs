//! Digits and money as Persian users type and read them.

/// Persian (۰–۹) and Arabic-Indic (٠–٩) digits become ASCII; the Persian decimal separator
/// (٫) becomes `.`; thousands separators (٬ and `,`) and Arabic/Persian commas are dropped.
pub fn normalize_digits(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10),
            '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10),
            '٫' => Some('.'),
            '٬' | ',' | '،' => None,
            other => Some(other),
        })
        .collect()
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
    fn persian_output() {
        assert_eq!(persian_digits("2026-11-21"), "۲۰۲۶-۱۱-۲۱");
        assert_eq!(group_thousands(0), "۰");
        assert_eq!(group_thousands(999), "۹۹۹");
        assert_eq!(group_thousands(1000), "۱٬۰۰۰");
        assert_eq!(group_thousands(18_500_000), "۱۸٬۵۰۰٬۰۰۰");
    }
}
