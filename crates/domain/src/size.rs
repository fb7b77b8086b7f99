//! Parcel size classes. Each has a weight limit and largest dimensions; exact weight and
//! dimensions are optional, and when given they must fit the class.

use serde::{Deserialize, Serialize};

use crate::values::{Dimensions, Grams};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    Envelope,
    Small,
    Medium,
    Large,
    Bulky,
}

impl SizeClass {
    pub const ALL: [Self; 5] = [
        Self::Envelope,
        Self::Small,
        Self::Medium,
        Self::Large,
        Self::Bulky,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == raw)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Envelope => "envelope",
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
            Self::Bulky => "bulky",
        }
    }

    /// The heaviest parcel of this class.
    pub fn max_weight(self) -> Grams {
        Grams(match self {
            Self::Envelope => 500,
            Self::Small => 2_000,
            Self::Medium => 5_000,
            Self::Large => 15_000,
            Self::Bulky => 30_000,
        })
    }

    /// The largest length + width + height of this class, in cm.
    pub fn max_dimensions(self) -> Dimensions {
        let (l, w, h) = match self {
            Self::Envelope => (35, 25, 3),
            Self::Small => (35, 25, 15),
            Self::Medium => (45, 35, 30),
            Self::Large => (70, 50, 50),
            Self::Bulky => (120, 80, 80),
        };
        Dimensions {
            length_cm: l,
            width_cm: w,
            height_cm: h,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Envelope => "پاکت (تا ۰٫۵ کیلوگرم)",
            Self::Small => "کوچک (تا ۲ کیلوگرم)",
            Self::Medium => "متوسط (تا ۵ کیلوگرم)",
            Self::Large => "بزرگ (تا ۱۵ کیلوگرم)",
            Self::Bulky => "حجیم (تا ۳۰ کیلوگرم)",
        }
    }

    pub fn example(self) -> &'static str {
        match self {
            Self::Envelope => "مدارک، کارت، لباس نازک",
            Self::Small => "گوشی، کتاب، کفش",
            Self::Medium => "لپ‌تاپ، اسباب‌بازی، لوازم آشپزخانه",
            Self::Large => "مانیتور، چرخ خیاطی، کارتن لباس",
            Self::Bulky => "دوچرخهٔ تاشو، صندلی، کارتن بزرگ",
        }
    }

    /// Whether a given weight and (optional) dimensions fit this class. Dimensions fit when,
    /// sorted, each side is within the class's sorted sides (the parcel may be turned).
    pub fn fits(self, weight: Option<Grams>, dims: Option<Dimensions>) -> bool {
        let weight_ok = weight.is_none_or(|w| w <= self.max_weight());
        let dims_ok = dims.is_none_or(|d| {
            let sorted = |d: Dimensions| {
                let mut s = [d.length_cm, d.width_cm, d.height_cm];
                s.sort_unstable();
                s
            };
            sorted(d)
                .iter()
                .zip(sorted(self.max_dimensions()))
                .all(|(a, b)| *a <= b)
        });
        weight_ok && dims_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(l: u16, w: u16, h: u16) -> Option<Dimensions> {
        Some(Dimensions {
            length_cm: l,
            width_cm: w,
            height_cm: h,
        })
    }

    #[test]
    fn limits_at_the_edges() {
        assert!(SizeClass::Small.fits(Some(Grams(2_000)), None));
        assert!(!SizeClass::Small.fits(Some(Grams(2_001)), None));
        assert!(
            SizeClass::Envelope.fits(Some(Grams(500)), dims(3, 35, 25)),
            "turned is fine"
        );
        assert!(!SizeClass::Envelope.fits(None, dims(35, 25, 4)));
        assert!(SizeClass::Bulky.fits(Some(Grams(30_000)), dims(120, 80, 80)));
        assert!(SizeClass::Medium.fits(None, None));
        for class in SizeClass::ALL {
            assert_eq!(SizeClass::parse(class.key()), Some(class));
        }
        assert_eq!(SizeClass::parse("huge"), None);
    }
}
