//! The cities a message names, and which one is the destination.
//!
//! A city is found by its catalogue name or one of its other spellings (`aka`), folded like the
//! message and compared without spaces, so «بندر عباس», «بندرعباس» and «bandar abbas», or
//! «خرم آباد», «خرم‌آباد» and «خرماباد», are one name. Up to [`MAX_WORDS`] words are joined
//! and the longest name wins («کرمانشاه» over «کرمان», «مشهد مقدس» over «مشهد»). A name matches
//! whole words only («قم» is not found in «قمیش»), but its last word may carry one of a few
//! endings ([`ENDINGS`]: «مشهدم», «تبریزم», «قزوینم»).
//!
//! A name is not taken for a place to send to:
//! * after «از» (the origin), or after «بیام»، «میام»، «برم» (where the buyer would go is the
//!   seller's city);
//! * after a product, a street or a province word («سوهان قم»، «میدان قدس»، «استان اصفهان»);
//! * when it is neither where to (after «به»، «برای»، «تا»، «واسه»، «ساکن» or a word of
//!   sending, or before «هستم»), nor in a clause with a word of sending, nor the buyer's home
//!   («من قزوینم»، «من تو مشهدم», a clause that is only the city): many city names are words
//!   too («میانه», «سقز», «قدس»).

use std::collections::HashMap;

use super::normal::{self, Clause};
use super::words::{listed, Sign, AT, FROM, HOME, NOT_PLACES, TOWARDS};
use crate::places::{Catalogue, Place};

/// The most words a city name is looked for in.
const MAX_WORDS: usize = 4;

/// Endings on a city name in chat: «مشهدم» (I'm in Mashhad, or Mashhad too), «کرجی»,
/// «قزوینید», «mashhadam».
const ENDINGS: &[&str] = &["م", "ه", "ی", "ید", "ین", "یم", "هم", "am", "e", "i"];

/// A city named in a message.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mention<'a> {
    pub place: Place<'a>,
    /// The clause it is in.
    pub clause: usize,
    /// Named as where to: after «به»، «برای»، «تا»، «واسه»، «ساکن» or a word of sending
    /// («میفرستید شیراز»), or before «هستم» («مشهد هستم»).
    pub towards: bool,
}

/// Every city's names, folded and without spaces.
pub(super) struct Index<'a>(HashMap<String, Place<'a>>);

impl<'a> Index<'a> {
    pub fn new(catalogue: &'a Catalogue) -> Self {
        let mut names = HashMap::new();
        for province in &catalogue.provinces {
            for city in &province.cities {
                for name in std::iter::once(&city.name).chain(&city.aka) {
                    names.entry(key(name)).or_insert(Place { province, city });
                }
            }
        }
        Self(names)
    }

    /// The city `words` name, and the ending its last word carries.
    fn lookup(&self, words: &[String]) -> Option<(Place<'a>, &'static str)> {
        let joined = words.concat();
        if let Some(place) = self.0.get(&joined) {
            return Some((*place, ""));
        }
        ENDINGS.iter().find_map(|ending| {
            let stem = joined.strip_suffix(ending)?;
            self.0.get(stem).map(|place| (*place, *ending))
        })
    }
}

/// A name as the index keeps it (and the catalogue checks it for clashes): folded, its words
/// joined without spaces.
pub(crate) fn key(name: &str) -> String {
    normal::folded(name)
        .into_iter()
        .flat_map(|clause| clause.words)
        .collect()
}

/// The cities `clauses` name as places to send to (see the module documentation).
pub(super) fn mentions<'a>(
    clauses: &[Clause],
    signs: &[Vec<Option<Sign>>],
    index: &Index<'a>,
) -> Vec<Mention<'a>> {
    let mut found = Vec::new();
    for (c, (clause, signs)) in clauses.iter().zip(signs).enumerate() {
        let words = &clause.words;
        let sending =
            |sign: &Option<Sign>| sign.is_some_and(|sign| !matches!(sign, Sign::Done | Sign::Mine));
        let shipping_clause = signs.iter().any(sending);
        let mut i = 0;
        while i < words.len() {
            let longest = MAX_WORDS.min(words.len() - i);
            let Some((n, (place, ending))) = (1..=longest)
                .rev()
                .find_map(|n| index.lookup(&words[i..i + n]).map(|hit| (n, hit)))
            else {
                i += 1;
                continue;
            };
            let previous = i.checked_sub(1).map(|j| words[j].as_str());
            let before = |list: &str| previous.is_some_and(|p| listed(list, p));
            let towards = before(TOWARDS)
                || words.get(i + n).is_some_and(|next| listed(HOME, next))
                || i.checked_sub(1).is_some_and(|j| sending(&signs[j]));
            let home = ending == "م" || before(AT) || n == words.len();
            if !before(FROM) && !before(NOT_PLACES) && (towards || home || shipping_clause) {
                found.push(Mention {
                    place,
                    clause: c,
                    towards,
                });
            }
            i += n;
        }
    }
    found
}

/// The one city the buyer wants it sent to: among the cities named as where to (or, if none
/// is, among all), the city if they are all the same one. Two different cities are no answer.
pub(super) fn destination<'a>(mentions: &[Mention<'a>]) -> Option<Place<'a>> {
    let towards = mentions.iter().any(|m| m.towards);
    let mut pool = mentions.iter().filter(|m| m.towards || !towards);
    let first = pool.next()?.place;
    pool.all(|m| m.place.city.id == first.city.id)
        .then_some(first)
}
