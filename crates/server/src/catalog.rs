//! The data Ersal prices and places with, loaded once at start-up:
//!
//! * the tariff, `config/tariff.toml` (operator-editable, path in `ERSAL_TARIFF_FILE`);
//! * Iran's provinces and cities, `config/iran-cities.toml`, built into the binary.
//!
//! Both are validated; a bad file stops start-up with the line at fault.

use std::path::Path;
use std::sync::Arc;

use domain::places::Catalogue;
use domain::tariff::Tariff;
use sha2::{Digest, Sha256};

const CITIES: &str = include_str!("../../../config/iran-cities.toml");

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{file}: cannot be read: {cause}")]
    Read { file: String, cause: std::io::Error },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

/// The tariff and the city list, shared read-only.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub tariff: Arc<Tariff>,
    /// A short fingerprint of the tariff, made once: the widgets on posts are re-posted when it
    /// changes (`crate::addons::publish::refresh_prices`).
    pub tariff_fingerprint: Arc<str>,
    pub places: Arc<Catalogue>,
}

impl Catalog {
    pub fn load(tariff_file: &Path) -> Result<Self, CatalogError> {
        let file = tariff_file.display().to_string();
        let text = std::fs::read_to_string(tariff_file).map_err(|cause| CatalogError::Read {
            file: file.clone(),
            cause,
        })?;
        let tariff = parse_tariff(&file, &text)?;
        Ok(Self {
            tariff_fingerprint: fingerprint(&tariff).into(),
            tariff: Arc::new(tariff),
            places: Arc::new(cities()?),
        })
    }
}

/// A short fingerprint of `tariff`: any change to a number changes it.
fn fingerprint(tariff: &Tariff) -> String {
    let text = serde_json::to_string(tariff).expect("a tariff serialises");
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// Parses and validates a tariff; errors carry the 1-based line at fault.
pub fn parse_tariff(file: &str, text: &str) -> Result<Tariff, CatalogError> {
    parse(file, text, |tariff: &Tariff| {
        tariff
            .validate()
            .map_err(|e| (e.path, e.message.to_owned()))
    })
}

/// The built-in list of Iran's provinces and cities.
pub fn cities() -> Result<Catalogue, CatalogError> {
    parse("config/iran-cities.toml", CITIES, |places: &Catalogue| {
        places.validate().map_err(|e| (e.path, e.message))
    })
}

/// Reads a TOML file into `T`, then checks it; a check's fault is its dotted path and message.
fn parse<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    check: impl FnOnce(&T) -> Result<(), (String, String)>,
) -> Result<T, CatalogError> {
    let invalid = |line, message| CatalogError::Invalid {
        file: file.to_owned(),
        line,
        message,
    };
    let value: T = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| line_of(text, span.start));
        invalid(line, e.message().to_owned())
    })?;
    check(&value).map_err(|(path, message)| {
        invalid(
            locate(text, &path).unwrap_or(1),
            format!("{path}: {message}"),
        )
    })?;
    Ok(value)
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// The line of a dotted path (`brackets.2.max_grams`, `insurance.rate_basis_points`) in a
/// TOML file written with `[table]` / `[[array]]` headers and `key = value` lines.
fn locate(text: &str, path: &str) -> Option<usize> {
    let mut parts = path.split('.').peekable();
    let mut start = 0usize;
    let lines: Vec<&str> = text.lines().collect();
    let mut found = None;
    while let Some(part) = parts.next() {
        if let Some(index) = parts.peek().and_then(|p| p.parse::<usize>().ok()) {
            parts.next();
            let header = format!("[[{part}]]");
            let hit = lines
                .iter()
                .enumerate()
                .skip(start)
                .filter(|(_, l)| l.trim() == header)
                .nth(index)?;
            start = hit.0;
        } else if let Some(i) = lines
            .iter()
            .enumerate()
            .skip(start)
            .position(|(_, l)| l.trim() == format!("[{part}]"))
        {
            start += i;
        } else {
            let key = format!("{part} ");
            let key_eq = format!("{part}=");
            let i = lines.iter().skip(start).position(|l| {
                l.trim_start().starts_with(&key) || l.trim_start().starts_with(&key_eq)
            })?;
            start += i;
        }
        found = Some(start + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../config/tariff.toml");

    #[test]
    fn the_shipped_files_are_valid() {
        let tariff = parse_tariff("config/tariff.toml", SHIPPED).unwrap();
        assert_eq!(tariff.vat_percent, 10);
        let places = cities().unwrap();
        assert_eq!(places.provinces.len(), 31);
        assert!(places.find("tehran").is_some() && places.find("bandar-abbas").is_some());
    }

    #[test]
    fn any_change_to_the_tariff_changes_its_fingerprint() {
        let tariff = parse_tariff("config/tariff.toml", SHIPPED).unwrap();
        let mut changed = tariff.clone();
        changed.vat_percent += 1;
        assert_eq!(fingerprint(&tariff), fingerprint(&tariff.clone()));
        assert_ne!(fingerprint(&tariff), fingerprint(&changed));
    }

    fn error_line(text: &str) -> (usize, String) {
        match parse_tariff("t.toml", text).unwrap_err() {
            CatalogError::Invalid { line, message, .. } => (line, message),
            other => panic!("{other}"),
        }
    }

    /// The 1-based line of the shipped tariff that starts with `start`.
    fn line_starting(start: &str) -> usize {
        SHIPPED.lines().position(|l| l.starts_with(start)).unwrap() + 1
    }

    #[test]
    fn a_bad_tariff_names_its_line() {
        let syntax = SHIPPED.replacen("vat_percent = 10", "vat_percent = ten", 1);
        let vat = line_starting("vat_percent");
        assert_eq!(error_line(&syntax).0, vat);

        let range = SHIPPED.replacen("vat_percent = 10", "vat_percent = 150", 1);
        let message = "vat_percent: must be between 0 and 100".to_owned();
        assert_eq!(error_line(&range), (vat, message));

        // The third bracket's max_grams no larger than the second's.
        let order = SHIPPED.replacen("max_grams = 5000\n", "max_grams = 1500\n", 1);
        assert_eq!(error_line(&order).0, line_starting("max_grams = 5000"));

        let nested = SHIPPED.replacen("rate_basis_points = 50", "rate_basis_points = 20000", 1);
        assert_eq!(error_line(&nested).0, line_starting("rate_basis_points"));

        let unknown = format!("{SHIPPED}\nsurprise = 1\n");
        assert!(error_line(&unknown).1.contains("surprise"));
    }
}
