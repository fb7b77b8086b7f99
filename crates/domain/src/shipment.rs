//! What a shipment holds beyond its values: the item, the roles, each side's details, how the
//! parcel is handed over, and who pays.

use serde::{Deserialize, Serialize};

use crate::size::SizeClass;
use crate::values::{
    AddressLine, Dimensions, Grams, ItemDescription, Mobile, PersonName, PostalCode, Rials,
    ShortText,
};

/// What is shipped, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub description: ItemDescription,
    pub size: SizeClass,
    /// Unknown weight or size is priced at the size class's limit.
    pub weight: Option<Grams>,
    pub dimensions: Option<Dimensions>,
    /// What it is insured for.
    pub declared_value: Rials,
    pub fragile: bool,
}

impl Item {
    /// What the tariff prices.
    pub fn parcel(&self) -> crate::tariff::Parcel {
        crate::tariff::Parcel {
            size: self.size,
            weight: self.weight,
            dimensions: self.dimensions,
            declared_value: self.declared_value,
        }
    }
}

/// The opener's role in the shipment: the seller sends, the buyer receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Sender,
    Receiver,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "sender" => Some(Self::Sender),
            "receiver" => Some(Self::Receiver),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Sender => "sender",
            Self::Receiver => "receiver",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Sender => "فرستنده",
            Self::Receiver => "گیرنده",
        }
    }

    /// The (origin, destination) of a route between `own` (this side's) and `other`.
    pub fn orient<T>(self, own: T, other: T) -> (T, T) {
        match self {
            Self::Sender => (own, other),
            Self::Receiver => (other, own),
        }
    }

    /// The opener's side in the deal, as the landing page names it.
    pub fn deal_label(self) -> &'static str {
        match self {
            Self::Sender => "فروشنده (فرستندهٔ کالا)",
            Self::Receiver => "خریدار (گیرندهٔ کالا)",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Sender => Self::Receiver,
            Self::Receiver => Self::Sender,
        }
    }
}

/// The days a courier pickup may be booked at Unix time `now`: today and the next three (Tehran).
pub fn pickup_days(now: i64) -> Vec<i64> {
    let today = crate::jalali::tehran_day(now);
    (today..=today + 3).collect()
}

/// The bookable pickup days at `now`, each with its label, as the forms offer them.
pub fn pickup_options(now: i64) -> Vec<(i64, String)> {
    pickup_days(now)
        .into_iter()
        .map(|day| (day, pickup_day_label(day, now)))
        .collect()
}

/// A pickup day as the forms show it: `امروز، ۳۰ آبان ۱۴۰۵`.
pub fn pickup_day_label(day: i64, now: i64) -> String {
    let date = crate::jalali::JalaliDateTime::from_day(day).display_day();
    match day - crate::jalali::tehran_day(now) {
        0 => format!("امروز، {date}"),
        1 => format!("فردا، {date}"),
        _ => date,
    }
}

/// Courier pickup windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickupWindow {
    Morning,
    Midday,
    Afternoon,
}

impl PickupWindow {
    pub const ALL: [Self; 3] = [Self::Morning, Self::Midday, Self::Afternoon];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.key() == raw)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Midday => "midday",
            Self::Afternoon => "afternoon",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Morning => "۹ تا ۱۲",
            Self::Midday => "۱۲ تا ۱۵",
            Self::Afternoon => "۱۵ تا ۱۸",
        }
    }
}

/// How the parcel leaves the sender or reaches the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Handover {
    /// A courier collects from the sender's address on `day` (days since the Unix epoch,
    /// Tehran) in `window`.
    CourierPickup { day: i64, window: PickupWindow },
    /// The sender drops the parcel at a branch.
    BranchDropOff,
    /// Delivered to the receiver's door.
    DoorDelivery,
    /// Held at a branch for the receiver.
    HoldAtBranch,
}

impl Handover {
    /// As the console shows it: `جمع‌آوری با پیک، ۱۴۰۵/۰۸/۳۰، ساعت ۹ تا ۱۲`.
    pub fn label(self) -> String {
        match self {
            Self::CourierPickup { day, window } => format!(
                "جمع‌آوری با پیک، {}، ساعت {}",
                crate::jalali::JalaliDateTime::from_day(day).display_day(),
                window.label()
            ),
            Self::BranchDropOff => "تحویل در شعبه".to_owned(),
            Self::DoorDelivery => "تحویل درِ خانه".to_owned(),
            Self::HoldAtBranch => "نگه‌داری در شعبه".to_owned(),
        }
    }

    /// Whether this handover belongs to `role`'s side.
    pub fn fits(self, role: Role) -> bool {
        match self {
            Self::CourierPickup { .. } | Self::BranchDropOff => role == Role::Sender,
            Self::DoorDelivery | Self::HoldAtBranch => role == Role::Receiver,
        }
    }
}

/// The handover a side picks in the form (a courier pickup still needs its day and window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverChoice {
    Pickup,
    Dropoff,
    Door,
    Branch,
}

impl HandoverChoice {
    /// The choices of `role`'s side, in the order the form shows them.
    pub fn for_role(role: Role) -> [Self; 2] {
        match role {
            Role::Sender => [Self::Pickup, Self::Dropoff],
            Role::Receiver => [Self::Door, Self::Branch],
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Pickup => "pickup",
            Self::Dropoff => "dropoff",
            Self::Door => "door",
            Self::Branch => "branch",
        }
    }

    /// `role`'s choice with this key.
    pub fn parse(role: Role, key: &str) -> Option<Self> {
        Self::for_role(role).into_iter().find(|c| c.key() == key)
    }

    /// As the form offers it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pickup => "پیک از نشانی من بگیرد",
            Self::Dropoff => "خودم به شعبه می‌برم",
            Self::Door => "تحویل درِ خانه",
            Self::Branch => "در شعبه نگه دارند، خودم می‌گیرم",
        }
    }
}

/// A pickup day as typed or sent by a form (any digits), if it is bookable at `now`.
pub fn parse_pickup_day(raw: &str, now: i64) -> Option<i64> {
    crate::text::normalize_digits(raw.trim())
        .parse::<i64>()
        .ok()
        .filter(|day| pickup_days(now).contains(day))
}

/// One side's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: PersonName,
    pub mobile: Mobile,
    /// A city id from the catalogue.
    pub city: String,
    /// The street address; the optional parts below complete it.
    pub address: AddressLine,
    pub plaque: Option<ShortText>,
    pub unit: Option<ShortText>,
    pub floor: Option<ShortText>,
    pub postal_code: Option<PostalCode>,
    pub handover: Handover,
}

impl Party {
    /// The whole address as staff and labels show it, with Persian digits:
    /// `خیابان ولیعصر، کوچهٔ ۹، پلاک ۱۲، واحد ۳، طبقهٔ ۲`.
    pub fn address_for_people(&self) -> String {
        let parts = [
            (None, Some(self.address.as_str())),
            (Some("پلاک"), self.plaque.as_ref().map(ShortText::as_str)),
            (Some("واحد"), self.unit.as_ref().map(ShortText::as_str)),
            (Some("طبقهٔ"), self.floor.as_ref().map(ShortText::as_str)),
        ];
        let line: Vec<String> = parts
            .into_iter()
            .filter_map(|(label, value)| {
                value.map(|value| match label {
                    Some(label) => format!("{label} {value}"),
                    None => value.to_owned(),
                })
            })
            .collect();
        crate::text::persian_digits(&line.join("، "))
    }
}

/// Who pays for shipping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// The sender, in advance.
    Sender,
    /// The receiver, on delivery.
    Receiver,
}

impl Payer {
    /// The side that pays; its key is the payer's key.
    pub fn side(self) -> Role {
        match self {
            Self::Sender => Role::Sender,
            Self::Receiver => Role::Receiver,
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Role::parse(raw).map(|side| match side {
            Role::Sender => Self::Sender,
            Role::Receiver => Self::Receiver,
        })
    }

    pub fn key(self) -> &'static str {
        self.side().key()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Sender => "فرستنده (پیش‌پرداخت)",
            Self::Receiver => "گیرنده (پس‌کرایه)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handovers_belong_to_one_side() {
        let pickup = Handover::CourierPickup {
            day: 20_000,
            window: PickupWindow::Morning,
        };
        assert!(pickup.fits(Role::Sender) && !pickup.fits(Role::Receiver));
        assert!(
            Handover::HoldAtBranch.fits(Role::Receiver)
                && !Handover::HoldAtBranch.fits(Role::Sender)
        );
        assert_eq!(Role::Sender.other(), Role::Receiver);
        for w in PickupWindow::ALL {
            assert_eq!(PickupWindow::parse(w.key()), Some(w));
        }
    }

    #[test]
    fn an_address_reads_with_its_house_numbers_in_persian() {
        let party = Party {
            name: PersonName::parse("مریم رضایی").unwrap(),
            mobile: Mobile::parse("09121234567").unwrap(),
            city: "tehran".into(),
            address: AddressLine::parse("خیابان ولیعصر، کوچهٔ 9").unwrap(),
            plaque: ShortText::parse_optional("12").unwrap(),
            unit: None,
            floor: ShortText::parse_optional("۲").unwrap(),
            postal_code: None,
            handover: Handover::HoldAtBranch,
        };
        assert_eq!(
            party.address_for_people(),
            "خیابان ولیعصر، کوچهٔ ۹، پلاک ۱۲، طبقهٔ ۲"
        );
        assert_eq!(party.mobile.display(), "۰۹۱۲ ۱۲۳ ۴۵۶۷");
    }
}
