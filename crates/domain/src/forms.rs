//! The landing flow's forms as typed (strings, exactly what the user entered), and their
//! validation into domain values. The server validates whole forms with these functions; the
//! browser runs the same per-field parsers for inline errors.

use std::collections::BTreeMap;

use crate::shipment::{
    parse_pickup_day, Handover, HandoverChoice, Item, Party, Payer, PickupWindow, Role,
};
use crate::size::SizeClass;
use crate::tariff::Service;
use crate::values::{
    AddressLine, Dimensions, FieldError, Grams, ItemDescription, Mobile, PersonName, PostalCode,
    Rials, ShortText,
};
use serde::{Deserialize, Serialize};

/// Field name → Persian message.
pub type Errors = BTreeMap<String, String>;

/// The most characters a form field keeps. Longer input is cut as it is read, before it is
/// stored or checked (every field's own limit is shorter, so it still fails with its message).
pub const FIELD_MAX_CHARS: usize = 500;

fn cut(mut value: String) -> String {
    if let Some((end, _)) = value.char_indices().nth(FIELD_MAX_CHARS) {
        value.truncate(end);
    }
    value
}

fn capped<'de, D: serde::Deserializer<'de>>(input: D) -> Result<String, D::Error> {
    String::deserialize(input).map(cut)
}

fn capped_option<'de, D: serde::Deserializer<'de>>(input: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(input).map(|value| value.map(cut))
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleForm {
    #[serde(deserialize_with = "capped")]
    pub role: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemForm {
    #[serde(default, deserialize_with = "capped")]
    pub description: String,
    #[serde(default, deserialize_with = "capped")]
    pub size_class: String,
    #[serde(default, deserialize_with = "capped")]
    pub weight_kg: String,
    #[serde(default, deserialize_with = "capped")]
    pub length_cm: String,
    #[serde(default, deserialize_with = "capped")]
    pub width_cm: String,
    #[serde(default, deserialize_with = "capped")]
    pub height_cm: String,
    #[serde(default, deserialize_with = "capped")]
    pub declared_value: String,
    /// Present (any value) when the box is ticked.
    #[serde(default, deserialize_with = "capped_option")]
    pub fragile: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyForm {
    #[serde(default, deserialize_with = "capped")]
    pub name: String,
    #[serde(default, deserialize_with = "capped")]
    pub mobile: String,
    #[serde(default, deserialize_with = "capped")]
    pub city: String,
    #[serde(default, deserialize_with = "capped")]
    pub address: String,
    #[serde(default, deserialize_with = "capped")]
    pub plaque: String,
    #[serde(default, deserialize_with = "capped")]
    pub unit: String,
    #[serde(default, deserialize_with = "capped")]
    pub floor: String,
    #[serde(default, deserialize_with = "capped")]
    pub postal_code: String,
    /// `pickup` / `dropoff` for a sender, `door` / `branch` for a receiver.
    #[serde(default, deserialize_with = "capped")]
    pub handover: String,
    /// Days since the epoch (Tehran), for a courier pickup.
    #[serde(default, deserialize_with = "capped")]
    pub pickup_day: String,
    #[serde(default, deserialize_with = "capped")]
    pub pickup_window: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteForm {
    /// The other side's city, for the estimate (never their address).
    #[serde(default, deserialize_with = "capped")]
    pub other_city: String,
    #[serde(default, deserialize_with = "capped")]
    pub service: String,
    #[serde(default, deserialize_with = "capped")]
    pub payer: String,
    #[serde(default, deserialize_with = "capped_option")]
    pub consent: Option<String>,
    /// [`Intent`]'s key: which of the step's two buttons was pressed.
    #[serde(default, deserialize_with = "capped")]
    pub intent: String,
}

/// The quote step's two buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Recalculate with the chosen city.
    Quote,
    /// Send the request.
    Submit,
}

impl Intent {
    pub fn key(self) -> &'static str {
        match self {
            Self::Quote => "quote",
            Self::Submit => "submit",
        }
    }

    /// The button pressed; anything else only recalculates.
    pub fn of(form: &QuoteForm) -> Self {
        if form.intent == Self::Submit.key() {
            Self::Submit
        } else {
            Self::Quote
        }
    }
}

/// The role step: the opener's side in the deal.
pub fn validate_role(form: &RoleForm) -> Result<Role, Errors> {
    Role::parse(&form.role).ok_or_else(|| {
        Errors::from([(
            "role".to_owned(),
            "یکی از گزینه‌ها را انتخاب کنید.".to_owned(),
        )])
    })
}

fn record<T>(errors: &mut Errors, field: &str, result: Result<T, FieldError>) -> Option<T> {
    result
        .map_err(|e| errors.insert(field.to_owned(), e.to_string()))
        .ok()
}

/// One of a fixed set of options: anything else is [`FieldError::Choice`].
fn chosen<T>(errors: &mut Errors, field: &str, option: Option<T>) -> Option<T> {
    record(errors, field, option.ok_or(FieldError::Choice))
}

fn optional<T>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

/// The validated value, if every field parsed and nothing else was wrong; else the errors.
fn complete<T>(value: Option<T>, errors: Errors) -> Result<T, Errors> {
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(errors),
    }
}

/// A city chosen from the list (`city_known` says whether an id is in the catalogue).
fn known_city(id: &str, city_known: &impl Fn(&str) -> bool) -> Result<String, FieldError> {
    if city_known(id) {
        Ok(id.to_owned())
    } else {
        Err(FieldError::Choice)
    }
}

/// The item step, all fields at once.
pub fn validate_item(form: &ItemForm) -> Result<Item, Errors> {
    let mut errors = Errors::new();
    let description = record(
        &mut errors,
        "description",
        ItemDescription::parse(&form.description),
    );
    let size = chosen(
        &mut errors,
        "size_class",
        SizeClass::parse(&form.size_class),
    );
    let weight = record(
        &mut errors,
        "weight_kg",
        optional(&form.weight_kg, Grams::parse_kg),
    );
    let sides = [
        ("length_cm", &form.length_cm),
        ("width_cm", &form.width_cm),
        ("height_cm", &form.height_cm),
    ];
    let given = sides.iter().filter(|(_, v)| !v.trim().is_empty()).count();
    let mut parsed = [0u16; 3];
    for (i, (name, raw)) in sides.iter().enumerate() {
        if given > 0 {
            parsed[i] = record(&mut errors, name, Dimensions::parse_side(raw)).unwrap_or(0);
        }
    }
    let dimensions = (given == 3 && parsed.iter().all(|v| *v > 0)).then(|| Dimensions {
        length_cm: parsed[0],
        width_cm: parsed[1],
        height_cm: parsed[2],
    });
    let declared_value = record(
        &mut errors,
        "declared_value",
        Rials::parse_tomans(&form.declared_value),
    );
    if let (Some(size), Some(weight)) = (size, weight) {
        if !size.fits(weight, dimensions) {
            errors.insert(
                "size_class".into(),
                "وزن یا ابعاد با این اندازه جور نیست؛ اندازهٔ بزرگ‌تری انتخاب کنید.".into(),
            );
        }
    }
    let item = (|| {
        Some(Item {
            description: description?,
            size: size?,
            weight: weight?,
            dimensions,
            declared_value: declared_value?,
            fragile: form.fragile.is_some(),
        })
    })();
    complete(item, errors)
}

/// A side's details. `city_known` says whether a city id is in the catalogue; a courier
/// pickup must be on a day bookable at Unix time `now`.
pub fn validate_party(
    form: &PartyForm,
    role: Role,
    city_known: impl Fn(&str) -> bool,
    now: i64,
) -> Result<Party, Errors> {
    let mut errors = Errors::new();
    let name = record(&mut errors, "name", PersonName::parse(&form.name));
    let mobile = record(&mut errors, "mobile", Mobile::parse(&form.mobile));
    let city = record(&mut errors, "city", known_city(&form.city, &city_known));
    let address = record(&mut errors, "address", AddressLine::parse(&form.address));
    let plaque = record(
        &mut errors,
        "plaque",
        ShortText::parse_optional(&form.plaque),
    );
    let unit = record(&mut errors, "unit", ShortText::parse_optional(&form.unit));
    let floor = record(&mut errors, "floor", ShortText::parse_optional(&form.floor));
    let postal_code = record(
        &mut errors,
        "postal_code",
        optional(&form.postal_code, PostalCode::parse),
    );
    let handover = match HandoverChoice::parse(role, &form.handover) {
        Some(HandoverChoice::Pickup) => {
            let day = chosen(
                &mut errors,
                "pickup_day",
                parse_pickup_day(&form.pickup_day, now),
            );
            let window = chosen(
                &mut errors,
                "pickup_window",
                PickupWindow::parse(&form.pickup_window),
            );
            day.zip(window)
                .map(|(day, window)| Handover::CourierPickup { day, window })
        }
        Some(HandoverChoice::Dropoff) => Some(Handover::BranchDropOff),
        Some(HandoverChoice::Door) => Some(Handover::DoorDelivery),
        Some(HandoverChoice::Branch) => Some(Handover::HoldAtBranch),
        None => record(&mut errors, "handover", Err(FieldError::Choice)),
    };
    let party = (|| {
        Some(Party {
            name: name?,
            mobile: mobile?,
            city: city?,
            address: address?,
            plaque: plaque?,
            unit: unit?,
            floor: floor?,
            postal_code: postal_code?,
            handover: handover?,
        })
    })();
    complete(party, errors)
}

/// The quote step's choices.
pub struct QuoteChoice {
    pub other_city: String,
    pub service: Service,
    pub payer: Payer,
}

pub fn validate_quote(
    form: &QuoteForm,
    city_known: impl Fn(&str) -> bool,
) -> Result<QuoteChoice, Errors> {
    let mut errors = Errors::new();
    let other_city = record(
        &mut errors,
        "other_city",
        known_city(&form.other_city, &city_known),
    );
    let service = chosen(&mut errors, "service", Service::parse(&form.service));
    let payer = chosen(&mut errors, "payer", Payer::parse(&form.payer));
    if form.consent.is_none() {
        errors.insert(
            "consent".into(),
            "برای ثبت درخواست، متن نگهداری اطلاعات را بپذیرید.".into(),
        );
    }
    let choice = (|| {
        Some(QuoteChoice {
            other_city: other_city?,
            service: service?,
            payer: payer?,
        })
    })();
    complete(choice, errors)
}

/// Inline checks the browser runs as the user leaves a field (the same parsers as above);
/// `None` means fine or not checked here.
pub fn check_field(field: &str, value: &str) -> Option<String> {
    let message = |r: Result<(), FieldError>| r.err().map(|e| e.to_string());
    match field {
        "description" => message(ItemDescription::parse(value).map(drop)),
        "weight_kg" => message(optional(value, Grams::parse_kg).map(drop)),
        "length_cm" | "width_cm" | "height_cm" => {
            message(optional(value, Dimensions::parse_side).map(drop))
        }
        "declared_value" => message(Rials::parse_tomans(value).map(drop)),
        "name" => message(PersonName::parse(value).map(drop)),
        "mobile" => message(Mobile::parse(value).map(drop)),
        "address" => message(AddressLine::parse(value).map(drop)),
        "plaque" | "unit" | "floor" => message(ShortText::parse_optional(value).map(drop)),
        "postal_code" => message(optional(value, PostalCode::parse).map(drop)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_is_cut_as_it_is_read_and_still_fails_its_own_limit() {
        let typed = "ب".repeat(100_000);
        let form: ItemForm =
            serde_json::from_value(serde_json::json!({ "description": typed, "fragile": typed }))
                .unwrap();
        assert_eq!(form.description.chars().count(), FIELD_MAX_CHARS);
        assert_eq!(form.fragile.unwrap().chars().count(), FIELD_MAX_CHARS);
        let form = ItemForm {
            description: "ب".repeat(FIELD_MAX_CHARS),
            ..item()
        };
        assert!(validate_item(&form)
            .unwrap_err()
            .contains_key("description"));
    }

    fn item() -> ItemForm {
        ItemForm {
            description: "گوشی سامسونگ".into(),
            size_class: "small".into(),
            weight_kg: "۰٫۸".into(),
            declared_value: "۱۸٬۵۰۰٬۰۰۰".into(),
            ..ItemForm::default()
        }
    }

    #[test]
    fn a_good_item_passes_and_bad_fields_are_named() {
        let ok = validate_item(&item()).unwrap();
        assert_eq!(ok.weight, Some(Grams(800)));
        let bad = ItemForm {
            description: "".into(),
            weight_kg: "سه".into(),
            length_cm: "10".into(),
            ..item()
        };
        let errors = validate_item(&bad).unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["description", "height_cm", "weight_kg", "width_cm"]
        );
        let too_heavy = ItemForm {
            weight_kg: "3".into(),
            ..item()
        };
        assert!(validate_item(&too_heavy)
            .unwrap_err()
            .contains_key("size_class"));
    }

    #[test]
    fn the_party_depends_on_the_role() {
        let form = PartyForm {
            name: "مریم رضایی".into(),
            mobile: "۰۹۱۲۱۲۳۴۵۶۷".into(),
            city: "tehran".into(),
            address: "خیابان ولیعصر، کوچهٔ ۱۲".into(),
            handover: "pickup".into(),
            pickup_day: "20000".into(),
            pickup_window: "morning".into(),
            ..PartyForm::default()
        };
        let known = |c: &str| c == "tehran";
        let day = 20_000 * 86_400;
        assert!(validate_party(&form, Role::Sender, known, day).is_ok());
        assert!(validate_party(&form, Role::Sender, known, day + 86_400)
            .unwrap_err()
            .contains_key("pickup_day"));
        assert!(validate_party(&form, Role::Receiver, known, day)
            .unwrap_err()
            .contains_key("handover"));
        let door = PartyForm {
            handover: "door".into(),
            ..form
        };
        assert!(validate_party(&door, Role::Receiver, known, day).is_ok());
        assert_eq!(
            check_field("mobile", "0912"),
            Some(FieldError::Mobile.to_string())
        );
        assert_eq!(check_field("mobile", "۰۹۱۲۱۲۳۴۵۶۷"), None);
    }
}
