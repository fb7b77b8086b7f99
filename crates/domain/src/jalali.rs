//! Jalali (Solar Hijri) dates in Tehran time (UTC+03:30; Iran has kept no daylight saving
//! since 2022), for every date shown to users.

use crate::text::{normalize_digits, persian_digits};

/// Tehran's offset from UTC (Iran has kept no daylight saving time since 2022).
pub const TEHRAN_OFFSET_SECS: i64 = 3 * 3600 + 30 * 60;

const MONTHS: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JalaliDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Gregorian → Jalali (the widely used arithmetic algorithm, exact for 1900–2100).
fn gregorian_to_jalali(gy: i64, gm: i64, gd: i64) -> (i64, i64, i64) {
    const G_DAYS: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let gy2 = if gm > 2 { gy + 1 } else { gy };
    let mut days = 355_666 + 365 * gy + (gy2 + 3) / 4 - (gy2 + 99) / 100
        + (gy2 + 399) / 400
        + gd
        + G_DAYS[(gm - 1) as usize];
    let mut jy = -1595 + 33 * (days / 12_053);
    days %= 12_053;
    jy += 4 * (days / 1461);
    days %= 1461;
    if days > 365 {
        jy += (days - 1) / 365;
        days = (days - 1) % 365;
    }
    let (jm, jd) = if days < 186 {
        (1 + days / 31, 1 + days % 31)
    } else {
        (7 + (days - 186) / 30, 1 + (days - 186) % 30)
    };
    (jy, jm, jd)
}

/// (year, month, day), proleptic Gregorian → days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Jalali → Gregorian, the inverse of [`gregorian_to_jalali`] (same range).
fn jalali_to_gregorian(jy: i64, jm: i64, jd: i64) -> (i64, i64, i64) {
    let jy = jy + 1595;
    let mut days = -355_668
        + 365 * jy
        + (jy / 33) * 8
        + ((jy % 33) + 3) / 4
        + jd
        + if jm < 7 {
            (jm - 1) * 31
        } else {
            (jm - 7) * 30 + 186
        };
    let mut gy = 400 * (days / 146_097);
    days %= 146_097;
    if days > 36_524 {
        days -= 1;
        gy += 100 * (days / 36_524);
        days %= 36_524;
        if days >= 365 {
            days += 1;
        }
    }
    gy += 4 * (days / 1461);
    days %= 1461;
    if days > 365 {
        gy += (days - 1) / 365;
        days = (days - 1) % 365;
    }
    let leap = (gy % 4 == 0 && gy % 100 != 0) || gy % 400 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut gm = 0;
    let mut gd = days + 1;
    while gm < 12 && gd > months[gm] {
        gd -= months[gm];
        gm += 1;
    }
    (gy, gm as i64 + 1, gd)
}

/// A Jalali date as staff type it (`۱۴۰۵/۰۹/۱۶`, `1405-9-16`, any digits) → its day number
/// ([`tehran_day`]); `None` for anything else, a day that does not exist included.
pub fn parse_date(text: &str) -> Option<i64> {
    let text = normalize_digits(text.trim());
    let parts: Vec<i64> = text
        .split(['/', '-', '.'])
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [year, month, day] = parts[..] else {
        return None;
    };
    if !(1300..=1500).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (gy, gm, gd) = jalali_to_gregorian(year, month, day);
    let number = days_from_civil(gy, gm, gd);
    let back = JalaliDateTime::from_day(number);
    (back.year == year && i64::from(back.month) == month && i64::from(back.day) == day)
        .then_some(number)
}

/// The Unix time at which day `day` ([`tehran_day`]) starts in Tehran.
pub fn day_start(day: i64) -> i64 {
    day * 86_400 - TEHRAN_OFFSET_SECS
}

/// Days since the epoch in Tehran for a Unix time (seconds).
pub fn tehran_day(secs: i64) -> i64 {
    (secs + TEHRAN_OFFSET_SECS).div_euclid(86_400)
}

impl JalaliDateTime {
    /// The date of a day number as [`tehran_day`] gives it.
    pub fn from_day(day: i64) -> Self {
        Self::from_unix(day * 86_400)
    }

    /// The Tehran wall-clock Jalali date and time of a Unix timestamp (seconds).
    pub fn from_unix(secs: i64) -> Self {
        let local = secs + TEHRAN_OFFSET_SECS;
        let days = local.div_euclid(86_400);
        let of_day = local.rem_euclid(86_400);
        let (gy, gm, gd) = civil_from_days(days);
        let (year, month, day) = gregorian_to_jalali(gy, gm, gd);
        Self {
            year,
            month: month as u32,
            day: day as u32,
            hour: (of_day / 3600) as u32,
            minute: ((of_day % 3600) / 60) as u32,
        }
    }

    /// `۳۰ آبان ۱۴۰۵، ساعت ۱۴:۰۵`: [`Self::display_day`] and the time.
    pub fn display(self) -> String {
        persian_digits(&format!(
            "{}، ساعت {:02}:{:02}",
            self.display_day(),
            self.hour,
            self.minute
        ))
    }

    /// `۳۰ آبان ۱۴۰۵`.
    pub fn display_day(self) -> String {
        persian_digits(&format!(
            "{} {} {}",
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year
        ))
    }

    /// `۱۴۰۵/۰۸/۳۰`: the form staff type a date in ([`parse_date`]); pages and messages show
    /// [`Self::display_day`].
    pub fn display_date(self) -> String {
        persian_digits(&format!("{}/{:02}/{:02}", self.year, self.month, self.day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        // 2024-03-20 03:06:24 UTC was Nowruz 1403 (06:36 in Tehran).
        let nowruz = JalaliDateTime::from_unix(1_710_903_984);
        assert_eq!(
            (
                nowruz.year,
                nowruz.month,
                nowruz.day,
                nowruz.hour,
                nowruz.minute
            ),
            (1403, 1, 1, 6, 36)
        );
        // 2026-11-21 12:00 UTC = 30 Aban 1405, 15:30 Tehran.
        let d = JalaliDateTime::from_unix(1_795_262_400);
        assert_eq!(d.display(), "۳۰ آبان ۱۴۰۵، ساعت ۱۵:۳۰");
        assert_eq!(d.display_date(), "۱۴۰۵/۰۸/۳۰");
        // Late evening UTC is already the next day in Tehran: 2026-11-21 21:00 UTC → 1 Azar.
        assert_eq!(
            JalaliDateTime::from_unix(1_795_294_800).display_date(),
            "۱۴۰۵/۰۹/۰۱"
        );
        // 1970-01-01 00:00 UTC = 11 Dey 1348.
        assert_eq!(JalaliDateTime::from_unix(0).display_date(), "۱۳۴۸/۱۰/۱۱");
        assert_eq!(d.display_day(), "۳۰ آبان ۱۴۰۵");
    }

    #[test]
    fn typed_dates_are_read_back_to_their_day() {
        // Every day from 1360 to 1480 reads back from its own display.
        let (first, last) = (tehran_day(347_000_000), tehran_day(4_100_000_000));
        for day in first..=last {
            let shown = JalaliDateTime::from_day(day).display_date();
            assert_eq!(parse_date(&shown), Some(day), "{shown}");
        }
        assert_eq!(parse_date("1405-8-30"), Some(tehran_day(1_795_262_400)));
        assert_eq!(parse_date(" ۱۴۰۵.۰۸.۳۰ "), Some(tehran_day(1_795_262_400)));
        // 1405 is not a leap year: Esfand has 29 days. Mehr has 30.
        for bad in [
            "1405/12/30",
            "1405/07/31",
            "1405/13/01",
            "1405/00/10",
            "1405/08",
            "x",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(parse_date("1403/12/30").is_some());
    }
}
