//! Iran's provinces and cities, each city with the class the tariff prices by. The list itself
//! is a data file loaded by the server; this module holds its shape and checks.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CityClass {
    Metropolis,
    ProvinceCapital,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    /// A stable slug (`[a-z0-9-]`, as Divar's city slugs).
    pub id: String,
    pub name: String,
    pub class: CityClass,
    /// Other spellings people type for the city («تهرون», «mashhad», «انزلی»), read by
    /// [`crate::asking`]. Each is non-empty and reads as no other name or spelling.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aka: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Province {
    pub id: String,
    pub name: String,
    pub cities: Vec<City>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "province")]
    pub provinces: Vec<Province>,
}

/// Where a city is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub province: &'a Province,
    pub city: &'a City,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CatalogueError {
    pub path: String,
    pub message: String,
}

impl Catalogue {
    /// Iran has 31 provinces.
    pub const PROVINCES: usize = 31;

    pub fn find(&self, city_id: &str) -> Option<Place<'_>> {
        self.provinces.iter().find_map(|province| {
            province
                .cities
                .iter()
                .find(|c| c.id == city_id)
                .map(|city| Place { province, city })
        })
    }

    /// All 31 provinces, unique slugs, every province with cities and exactly one capital
    /// (a metropolis or a province capital); no two city names, and no name and other
    /// spelling (`aka`), that read the same once folded as chat is ([`crate::asking`]).
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let err = |path: String, message: &str| {
            Err(CatalogueError {
                path,
                message: message.to_owned(),
            })
        };
        if self.provinces.len() != Self::PROVINCES {
            return err("province".into(), "must list all 31 provinces");
        }
        let slug = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        let mut seen = HashSet::new();
        for (p, province) in self.provinces.iter().enumerate() {
            if !slug(&province.id) || province.name.trim().is_empty() {
                return err(format!("province.{p}"), "needs a slug id and a name");
            }
            if province.cities.is_empty() {
                return err(format!("province.{p}.cities"), "must not be empty");
            }
            let capitals = province
                .cities
                .iter()
                .filter(|c| c.class != CityClass::Other)
                .count();
            if capitals != 1 {
                return err(
                    format!("province.{p}.cities"),
                    "must have exactly one capital (metropolis or province_capital)",
                );
            }
            for (c, city) in province.cities.iter().enumerate() {
                if !slug(&city.id) || city.name.trim().is_empty() {
                    return err(
                        format!("province.{p}.cities.{c}"),
                        "needs a slug id and a name",
                    );
                }
                if !seen.insert(city.id.as_str()) {
                    return err(format!("province.{p}.cities.{c}.id"), "is used twice");
                }
            }
        }
        // Names and other spellings as the chat reader compares them: folded, without spaces.
        let folded = crate::asking::name_key;
        let mut spellings = HashSet::new();
        for (p, province) in self.provinces.iter().enumerate() {
            for (c, city) in province.cities.iter().enumerate() {
                let path = format!("province.{p}.cities.{c}");
                if !spellings.insert(folded(&city.name)) {
                    return err(format!("{path}.name"), "reads as another city's name");
                }
                for aka in &city.aka {
                    if folded(aka).is_empty() {
                        return err(format!("{path}.aka"), "must not be empty");
                    }
                    if !spellings.insert(folded(aka)) {
                        return err(
                            format!("{path}.aka"),
                            "reads as a name or spelling already listed",
                        );
                    }
                }
            }
        }
        Ok(())
    }
}
