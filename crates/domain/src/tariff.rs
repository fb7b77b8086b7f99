//! The tariff and the price quote (the tariff file `config/tariff.toml` documents every number). Money is whole Rials; every
//! percentage is applied with half-up rounding to a whole Rial.
//!
//! quote = shipping(zone, chargeable weight) × class surcharge × service multiplier
//!       + insurance (a share of the declared value above a threshold)
//!       + VAT on both.

use serde::{Deserialize, Serialize};

use crate::places::{CityClass, Place};
use crate::size::SizeClass;
use crate::values::{Dimensions, Grams, Rials};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// VAT, percent (10 by default in Iran).
    pub vat_percent: u32,
    /// cm³ per kilogram for volumetric weight (L×W×H / divisor).
    pub volumetric_divisor: u32,
    /// Express price as a percentage of economy (150 = 1.5×).
    pub express_percent: u32,
    pub insurance: Insurance,
    /// Surcharge, percent, by the class of the less-served end (origin or destination).
    pub class_surcharge: ClassSurcharge,
    /// Weight brackets, ascending; the last must cover 30 kg.
    pub brackets: Vec<Bracket>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    /// Declared values up to this (Rials) are not insured.
    pub threshold_rials: u64,
    /// Premium on the whole declared value, in basis points (50 = 0.5 %).
    pub rate_basis_points: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSurcharge {
    pub metropolis: u32,
    pub province_capital: u32,
    pub other: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    /// Heaviest chargeable weight of this bracket, grams.
    pub max_grams: u32,
    /// Economy prices in Rials, by zone.
    pub same_city: u64,
    pub same_province: u64,
    pub inter_province: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    SameCity,
    SameProvince,
    InterProvince,
}

impl Zone {
    pub fn between(origin: Place<'_>, destination: Place<'_>) -> Self {
        if origin.city.id == destination.city.id {
            Self::SameCity
        } else if origin.province.id == destination.province.id {
            Self::SameProvince
        } else {
            Self::InterProvince
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SameCity => "درون‌شهری",
            Self::SameProvince => "درون‌استانی",
            Self::InterProvince => "بین‌استانی",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Economy,
    Express,
}

impl Service {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "economy" => Some(Self::Economy),
            "express" => Some(Self::Express),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Economy => "economy",
            Self::Express => "express",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Economy => "اقتصادی",
            Self::Express => "سریع",
        }
    }
}

/// What a quote is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parcel {
    pub size: SizeClass,
    pub weight: Option<Grams>,
    pub dimensions: Option<Dimensions>,
    pub declared_value: Rials,
}

impl Parcel {
    /// A parcel known only by its size class, nothing declared: what a price shown before the
    /// item is described is for.
    pub fn of_size(size: SizeClass) -> Self {
        Self {
            size,
            weight: None,
            dimensions: None,
            declared_value: Rials(0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub zone: Zone,
    pub service: Service,
    pub chargeable: Grams,
    pub shipping: Rials,
    pub insurance: Rials,
    pub vat: Rials,
    pub total: Rials,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct TariffError {
    /// Where in the file, as dotted keys (`brackets.2.max_grams`).
    pub path: String,
    pub message: &'static str,
}

/// `value × percent / 100`, rounded half up.
fn percent(value: u64, percent: u32) -> u64 {
    (value * u64::from(percent) + 50) / 100
}

impl Tariff {
    pub fn validate(&self) -> Result<(), TariffError> {
        let err = |path: String, message| Err(TariffError { path, message });
        if self.vat_percent > 100 {
            return err("vat_percent".into(), "must be between 0 and 100");
        }
        if self.volumetric_divisor == 0 {
            return err("volumetric_divisor".into(), "must be positive");
        }
        if self.express_percent < 100 {
            return err("express_percent".into(), "must be at least 100");
        }
        if self.insurance.rate_basis_points > 10_000 {
            return err(
                "insurance.rate_basis_points".into(),
                "must be at most 10000",
            );
        }
        if self.brackets.is_empty() {
            return err("brackets".into(), "needs at least one bracket");
        }
        let mut previous = 0;
        for (i, b) in self.brackets.iter().enumerate() {
            if b.max_grams <= previous {
                return err(
                    format!("brackets.{i}.max_grams"),
                    "must be larger than the previous bracket's",
                );
            }
            if b.same_city == 0
                || b.same_city > b.same_province
                || b.same_province > b.inter_province
            {
                return err(
                    format!("brackets.{i}"),
                    "prices must be positive and same_city ≤ same_province ≤ inter_province",
                );
            }
            previous = b.max_grams;
        }
        if previous < Grams::MAX {
            return err(
                format!("brackets.{}.max_grams", self.brackets.len() - 1),
                "the last bracket must cover 30000 grams",
            );
        }
        Ok(())
    }

    /// The weight charged: the actual weight (or the class's limit when unknown) or the
    /// volumetric weight, whichever is larger.
    pub fn chargeable(&self, parcel: &Parcel) -> Grams {
        let actual = parcel.weight.unwrap_or_else(|| parcel.size.max_weight());
        let volumetric = parcel.dimensions.map_or(0, |d| {
            let grams = (d.volume_cm3() * 1000).div_ceil(u64::from(self.volumetric_divisor));
            u32::try_from(grams).unwrap_or(u32::MAX)
        });
        Grams(actual.0.max(volumetric))
    }

    pub fn quote(
        &self,
        parcel: &Parcel,
        origin: Place<'_>,
        destination: Place<'_>,
        service: Service,
    ) -> Option<Quote> {
        let zone = Zone::between(origin, destination);
        let chargeable = self.chargeable(parcel);
        let bracket = self.brackets.iter().find(|b| chargeable.0 <= b.max_grams)?;
        let base = match zone {
            Zone::SameCity => bracket.same_city,
            Zone::SameProvince => bracket.same_province,
            Zone::InterProvince => bracket.inter_province,
        };
        let surcharge = [origin.city.class, destination.city.class]
            .into_iter()
            .map(|class| match class {
                CityClass::Metropolis => self.class_surcharge.metropolis,
                CityClass::ProvinceCapital => self.class_surcharge.province_capital,
                CityClass::Other => self.class_surcharge.other,
            })
            .max()
            .unwrap_or(0);
        let mut shipping = percent(base, 100 + surcharge);
        if service == Service::Express {
            shipping = percent(shipping, self.express_percent);
        }
        let declared = parcel.declared_value.0;
        let insurance = if declared > self.insurance.threshold_rials {
            (declared * u64::from(self.insurance.rate_basis_points) + 5_000) / 10_000
        } else {
            0
        };
        let vat = percent(shipping + insurance, self.vat_percent);
        Some(Quote {
            zone,
            service,
            chargeable,
            shipping: Rials(shipping),
            insurance: Rials(insurance),
            vat: Rials(vat),
            total: Rials(shipping + insurance + vat),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::places::{City, Province};

    fn tariff() -> Tariff {
        Tariff {
            vat_percent: 10,
            volumetric_divisor: 5000,
            express_percent: 150,
            insurance: Insurance {
                threshold_rials: 50_000_000,
                rate_basis_points: 50,
            },
            class_surcharge: ClassSurcharge {
                metropolis: 0,
                province_capital: 5,
                other: 20,
            },
            brackets: vec![
                Bracket {
                    max_grams: 500,
                    same_city: 400_000,
                    same_province: 550_000,
                    inter_province: 700_000,
                },
                Bracket {
                    max_grams: 2_000,
                    same_city: 600_000,
                    same_province: 800_000,
                    inter_province: 1_000_000,
                },
                Bracket {
                    max_grams: 5_000,
                    same_city: 900_000,
                    same_province: 1_200_000,
                    inter_province: 1_500_000,
                },
                Bracket {
                    max_grams: 15_000,
                    same_city: 1_500_000,
                    same_province: 2_000_000,
                    inter_province: 2_600_000,
                },
                Bracket {
                    max_grams: 30_000,
                    same_city: 2_500_000,
                    same_province: 3_300_000,
                    inter_province: 4_200_000,
                },
            ],
        }
    }

    fn province(id: &str, cities: &[(&str, CityClass)]) -> Province {
        Province {
            id: id.into(),
            name: id.into(),
            cities: cities
                .iter()
                .map(|(c, class)| City {
                    id: (*c).into(),
                    name: (*c).into(),
                    class: *class,
                    aka: Vec::new(),
                })
                .collect(),
        }
    }

    fn parcel(
        size: SizeClass,
        grams: Option<u32>,
        dims: Option<(u16, u16, u16)>,
        tomans: u64,
    ) -> Parcel {
        Parcel {
            size,
            weight: grams.map(Grams),
            dimensions: dims.map(|(l, w, h)| Dimensions {
                length_cm: l,
                width_cm: w,
                height_cm: h,
            }),
            declared_value: Rials::from_tomans(tomans),
        }
    }

    #[test]
    fn the_sample_tariff_is_valid() {
        assert_eq!(tariff().validate(), Ok(()));
    }

    #[test]
    fn bad_tariffs_name_the_field() {
        let mut t = tariff();
        t.brackets[2].max_grams = 2_000;
        assert_eq!(t.validate().unwrap_err().path, "brackets.2.max_grams");
        let mut t = tariff();
        t.brackets.pop();
        assert_eq!(t.validate().unwrap_err().path, "brackets.3.max_grams");
        let mut t = tariff();
        t.brackets[1].same_province = 100;
        assert_eq!(t.validate().unwrap_err().path, "brackets.1");
        let mut t = tariff();
        t.vat_percent = 101;
        assert_eq!(t.validate().unwrap_err().path, "vat_percent");
        let mut t = tariff();
        t.express_percent = 90;
        assert_eq!(t.validate().unwrap_err().path, "express_percent");
    }

    /// Hand-computed cases, each worked out in the comment above it. The places: Tehran
    /// (metropolis) and Shahriar (other) in one province, Isfahan (metropolis) in another,
    /// Qazvin (province capital) in a third.
    #[test]
    fn quotes_match_hand_computed_cases() {
        use CityClass::{Metropolis, Other, ProvinceCapital};
        use Service::{Economy, Express};
        use SizeClass::{Bulky, Envelope, Large, Medium, Small};
        use Zone::{InterProvince, SameCity, SameProvince};

        let leak = |p: Province| -> &'static Province { Box::leak(Box::new(p)) };
        let tehran = leak(province(
            "tehran",
            &[("tehran", Metropolis), ("shahriar", Other)],
        ));
        let isfahan = leak(province("isfahan", &[("isfahan", Metropolis)]));
        let qazvin = leak(province("qazvin", &[("qazvin", ProvinceCapital)]));
        let at = |p: &'static Province, c: usize| Place {
            province: p,
            city: &p.cities[c],
        };
        let (tehran, shahriar, isfahan, qazvin) =
            (at(tehran, 0), at(tehran, 1), at(isfahan, 0), at(qazvin, 0));
        let standard = tariff();
        let insure_all = Tariff {
            insurance: Insurance {
                threshold_rials: 0,
                rate_basis_points: 50,
            },
            ..tariff()
        };
        let envelope_of = |rials| Parcel {
            declared_value: Rials(rials),
            ..parcel(Envelope, Some(100), None, 0)
        };
        #[rustfmt::skip]
        let cases = [
            // 500 g exactly, same city, metropolis: bracket 1 → 400,000; VAT 40,000 → 440,000.
            (&standard, parcel(Small, Some(500), None, 0), (tehran, tehran), Economy),
            // 501 g: the next bracket → 600,000 + 60,000 = 660,000.
            (&standard, parcel(Small, Some(501), None, 0), (tehran, tehran), Economy),
            // Unknown weight takes the class limit: medium = 5,000 g → bracket 3, same province,
            // destination "other" (+20 %): 1,200,000 × 1.2 = 1,440,000; VAT 144,000 → 1,584,000.
            (&standard, parcel(Medium, None, None, 0), (tehran, shahriar), Economy),
            // Volumetric beats actual: 40×30×30 = 36,000 cm³ / 5000 = 7,200 g > 1,000 g →
            // bracket 4, inter-province, metropolis both ends: 2,600,000; VAT 260,000.
            (&standard, parcel(Large, Some(1_000), Some((40, 30, 30)), 0), (tehran, isfahan), Economy),
            // Actual beats volumetric: 10×10×10 = 1,000 cm³ → 200 g < 1,800 g → bracket 2.
            (&standard, parcel(Small, Some(1_800), Some((10, 10, 10)), 0), (tehran, isfahan), Economy),
            // Exactly the insurance threshold (5,000,000 Tomans) is not insured…
            (&standard, parcel(Small, Some(300), None, 5_000_000), (tehran, tehran), Economy),
            // …one Toman more is: 50,000,010 × 0.5 % = 250,000.05 → 250,000; shipping 400,000;
            // VAT on 650,000 = 65,000 → 715,000.
            (&standard, parcel(Small, Some(300), None, 5_000_001), (tehran, tehran), Economy),
            // Express and a province capital (+5 %): 30 kg inter-province
            // 4,200,000 × 1.05 = 4,410,000; × 1.5 = 6,615,000; VAT 661,500 → 7,276,500.
            (&standard, parcel(Bulky, Some(30_000), None, 0), (qazvin, isfahan), Express),
            // A province capital's 400,000 × 1.05 = 420,000; 1,234,567 Rials under the threshold.
            (&standard, envelope_of(1_234_567), (qazvin, qazvin), Economy),
            // Rounding half up to whole Rials: insurance 1,234,567 × 0.5 % = 6,172.835 → 6,173;
            // VAT on 426,173 = 42,617.3 → 42,617 → total 468,790.
            (&insure_all, envelope_of(1_234_567), (qazvin, qazvin), Economy),
        ];
        // (zone, chargeable grams, shipping, insurance, VAT, total) of each case, in order.
        let expected = [
            (SameCity, 500, 400_000, 0, 40_000, 440_000),
            (SameCity, 501, 600_000, 0, 60_000, 660_000),
            (SameProvince, 5_000, 1_440_000, 0, 144_000, 1_584_000),
            (InterProvince, 7_200, 2_600_000, 0, 260_000, 2_860_000),
            (InterProvince, 1_800, 1_000_000, 0, 100_000, 1_100_000),
            (SameCity, 300, 400_000, 0, 40_000, 440_000),
            (SameCity, 300, 400_000, 250_000, 65_000, 715_000),
            (InterProvince, 30_000, 6_615_000, 0, 661_500, 7_276_500),
            (SameCity, 100, 420_000, 0, 42_000, 462_000),
            (SameCity, 100, 420_000, 6_173, 42_617, 468_790),
        ];
        for (n, ((tariff, parcel, (from, to), service), want)) in
            cases.into_iter().zip(expected).enumerate()
        {
            let q = tariff.quote(&parcel, from, to, service).unwrap();
            let got = (
                q.zone,
                q.chargeable.0,
                q.shipping.0,
                q.insurance.0,
                q.vat.0,
                q.total.0,
            );
            assert_eq!((got, q.service), (want, service), "case {n}");
        }
    }
}
