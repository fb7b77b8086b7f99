//! Jalali (Solar Hijri) dates in Tehran time (UTC+03:30; Iran has kept no daylight saving
//! since 2022), for every date shown to users.

use crate::text::persian_digits;

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

    /// `۳۰ آبان ۱۴۰۵، ساعت ۱۴:۰۵`.
    pub fn display(self) -> String {
        persian_digits(&format!(
            "{} {} {}، ساعت {:02}:{:02}",
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year,
            self.hour,
            self.minute
        ))
    }

    /// `۱۴۰۵/۰۸/۳۰`.
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
    }
}
