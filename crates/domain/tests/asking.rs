//! The shipping-question reader against a table of buyer messages as typed in Divar chat
//! (`tests/data/shipping_questions.tsv`): precision and recall of "ship", and the city read
//! on true positives. Run with `--nocapture` to see the figures and every miss.

use domain::asking::{read, Reading};
use domain::places::Catalogue;

const CITIES: &str = include_str!("../../../config/iran-cities.toml");
const TABLE: &str = include_str!("data/shipping_questions.tsv");

fn catalogue() -> Catalogue {
    let catalogue: Catalogue = toml::from_str(CITIES).expect("the city list parses");
    catalogue.validate().expect("the city list is valid");
    catalogue
}

struct Line<'a> {
    number: usize,
    message: &'a str,
    ship: bool,
    city: Option<&'a str>,
}

fn table() -> Vec<Line<'static>> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [message, decision, city] = fields[..] else {
                panic!("line {}: three tab-separated fields", i + 1);
            };
            Line {
                number: i + 1,
                message,
                ship: match decision {
                    "ship" => true,
                    "no" => false,
                    other => panic!("line {}: `{other}` is neither ship nor no", i + 1),
                },
                city: (city != "-").then_some(city),
            }
        })
        .collect()
}

#[test]
fn the_table_is_read_precisely() {
    let catalogue = catalogue();
    let lines = table();
    let positives = lines.iter().filter(|l| l.ship).count();
    let negatives = lines.len() - positives;
    assert!(
        positives >= 90 && negatives >= 90,
        "{positives}/{negatives}"
    );
    for line in &lines {
        if let Some(city) = line.city {
            assert!(
                catalogue.find(city).is_some(),
                "line {}: no city `{city}`",
                line.number
            );
        }
    }

    let (mut true_pos, mut false_pos, mut false_neg, mut right_city) = (0, 0, 0, 0);
    for line in &lines {
        let reading = read(line.message, &catalogue);
        let to = match reading {
            Reading::Shipping { to } => Some(to.map(|place| place.city.id.as_str())),
            Reading::NotShipping => None,
        };
        match (line.ship, to) {
            (true, Some(city)) => {
                true_pos += 1;
                if city == line.city {
                    right_city += 1;
                } else {
                    eprintln!(
                        "line {} wrong city {city:?} (want {:?}): {}",
                        line.number, line.city, line.message
                    );
                }
            }
            (false, Some(city)) => {
                false_pos += 1;
                eprintln!(
                    "line {} FALSE SHIPPING (to {city:?}): {}",
                    line.number, line.message
                );
            }
            (true, None) => {
                false_neg += 1;
                eprintln!("line {} missed: {}", line.number, line.message);
            }
            (false, None) => {}
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(true_pos, true_pos + false_pos);
    let recall = ratio(true_pos, true_pos + false_neg);
    let city_accuracy = ratio(right_city, true_pos);
    eprintln!(
        "{} lines ({positives} ship, {negatives} no): precision {precision:.3}, \
         recall {recall:.3}, city accuracy on true positives {city_accuracy:.3}",
        lines.len()
    );
    assert!(precision >= 0.97, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");
    assert!(city_accuracy >= 0.95, "city accuracy {city_accuracy:.3}");
}

#[test]
fn an_empty_or_clashing_spelling_is_refused() {
    let with_aka = |id: &str, aka: &str| {
        let mut catalogue = catalogue();
        let city = catalogue
            .provinces
            .iter_mut()
            .flat_map(|p| &mut p.cities)
            .find(|c| c.id == id)
            .expect("a shipped city");
        city.aka.push(aka.to_owned());
        catalogue.validate().map_err(|e| e.message)
    };
    assert_eq!(with_aka("karaj", "کرج نو"), Ok(()));
    assert!(with_aka("karaj", " ").is_err());
    assert!(
        with_aka("karaj", "tehran").is_err(),
        "another city's spelling"
    );
    assert!(with_aka("karaj", "مشهد").is_err(), "another city's name");
    assert!(
        with_aka("bandar-abbas", "بندر عباس").is_err(),
        "reads as its own name"
    );
}

#[test]
fn every_city_is_found_by_each_of_its_names() {
    let catalogue = catalogue();
    for province in &catalogue.provinces {
        for city in &province.cities {
            for name in std::iter::once(&city.name).chain(&city.aka) {
                let message = format!("ارسال به {name} دارید؟");
                match read(&message, &catalogue) {
                    Reading::Shipping { to: Some(place) } => {
                        assert_eq!(place.city.id, city.id, "{message}");
                    }
                    other => panic!("{message}: {other:?}"),
                }
            }
        }
    }
}

fn city_of(message: &str) -> Option<String> {
    match read(message, &catalogue()) {
        Reading::Shipping { to } => to.map(|place| place.city.id.clone()),
        Reading::NotShipping => panic!("{message}: not read as shipping"),
    }
}

#[test]
fn city_names_are_whole_words_and_the_longest_wins() {
    assert_eq!(city_of("ارسال به قمیش دارید؟"), None);
    assert_eq!(city_of("ارسال به ارا دارید؟"), None);
    assert_eq!(city_of("ارسال به اراک دارید؟").as_deref(), Some("arak"));
    assert_eq!(
        city_of("ارسال به کرمانشاه دارید؟").as_deref(),
        Some("kermanshah")
    );
    assert_eq!(city_of("ارسال به کرمان دارید؟").as_deref(), Some("kerman"));
    assert_eq!(
        city_of("ارسال به بندر عباس؟").as_deref(),
        Some("bandar-abbas")
    );
    assert_eq!(
        city_of("ارسال به بندرعباس؟").as_deref(),
        Some("bandar-abbas")
    );
    assert_eq!(
        city_of("bandarabbas mifrestid?").as_deref(),
        Some("bandar-abbas")
    );
    assert_eq!(city_of("ارسال به پارس آباد؟").as_deref(), Some("parsabad"));
    assert_eq!(city_of("ارسال به پارسآباد؟").as_deref(), Some("parsabad"));
}

#[test]
fn the_origin_is_not_the_destination_and_two_cities_are_none() {
    assert_eq!(
        city_of("از تهران میفرستید به شیراز؟").as_deref(),
        Some("shiraz")
    );
    assert_eq!(city_of("ارسال به خارج از تهران دارید؟"), None);
    assert_eq!(city_of("تهران یا کرج ارسال دارید؟"), None);
    assert_eq!(
        city_of("من تهرانم، میفرستید به کرج؟").as_deref(),
        Some("karaj")
    );
}

#[test]
fn only_the_first_thousand_characters_are_read() {
    let catalogue = catalogue();
    let padding = "سلام ".repeat(400);
    let late = format!("{padding} ارسال به مشهد دارید؟");
    assert_eq!(read(&late, &catalogue), Reading::NotShipping);
    let huge = "ارسال ".repeat(200_000);
    assert!(matches!(read(&huge, &catalogue), Reading::NotShipping));
}
