//! Chat text folded to one spelling, as words in clauses.
//!
//! * Only the first [`MAX_CHARS`] characters are read.
//! * Arabic letters become Persian (ي ى ئ → ی, ك → ک, ة ۀ → ه, أ إ آ ٱ → ا, ؤ → و); hamza
//!   (ء), tatweel (ـ), harakat and other marks are dropped.
//! * The zero-width non-joiner (and other invisible format marks) is dropped, so «می‌فرستید»
//!   reads as «میفرستید»; a lone «می» or «نمی» is joined to the next word, so «می فرستید»
//!   reads the same too.
//! * Persian and Arabic-Indic digits become ASCII; Latin letters become lower case; a word
//!   breaks where letters change script or turn into digits («2تا» → «2» «تا»).
//! * A letter typed twice or more in a row counts once («چقدرررر» → «چقدر», «mashhad» →
//!   «mashad»). The word lists and the city names go through the same folding, so they match.
//! * `.` `!` `،` `,` `؛` `;` `:` and new lines end a clause; `?` and `؟` end a clause that
//!   asks. Every other character (emoji, quotes, brackets) separates words.
//! * A few common misspellings and Finglish (Persian in Latin letters) words are rewritten to
//!   their Persian spelling ([`canonical`]): «ارصال» → «ارسال», «befrestid» → «بفرستید».
//!   Latin city names are left as they are: the catalogue lists them as other spellings.
//! * Two-word names of carriers are joined: «اسنپ باکس» → «اسنپباکس», «پس کرایه» → «پسکرایه».

use super::words::listed;
use crate::text::ascii_digit;

/// How much of a message is read, in characters.
pub const MAX_CHARS: usize = 1_000;

/// The words between two stops.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Clause {
    pub words: Vec<String>,
    /// The clause ends with a question mark.
    pub asks: bool,
}

/// `text` folded and split into words, joined by single spaces (stops dropped).
pub fn normalize(text: &str) -> String {
    clauses(text)
        .into_iter()
        .flat_map(|clause| clause.words)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text`'s clauses, each with at least one word.
pub(super) fn clauses(text: &str) -> Vec<Clause> {
    folded(text).into_iter().map(finish).collect()
}

/// `text`'s clauses, folded letter by letter only: no prefix, carrier or spelling rewritten.
/// City names need no more (they are names, not misspellings), and are many.
pub(super) fn folded(text: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut clause = Clause::default();
    let mut word = String::new();
    let mut last: Option<(Script, char)> = None;
    for c in text.chars().take(MAX_CHARS) {
        let folded = fold(c);
        match folded {
            Fold::Skip => continue,
            Fold::Char(script, c) => {
                match last {
                    Some((s, _)) if s != script => clause.words.push(std::mem::take(&mut word)),
                    Some((_, l)) if l == c && script != Script::Digit => continue,
                    _ => {}
                }
                word.push(c);
                last = Some((script, c));
                continue;
            }
            Fold::Space | Fold::Stop | Fold::Ask => {}
        }
        if !word.is_empty() {
            clause.words.push(std::mem::take(&mut word));
        }
        last = None;
        if folded != Fold::Space && !clause.words.is_empty() {
            clause.asks = folded == Fold::Ask;
            out.push(std::mem::take(&mut clause));
        }
    }
    if !word.is_empty() {
        clause.words.push(word);
    }
    if !clause.words.is_empty() {
        out.push(clause);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Latin,
    Digit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Skip,
    Char(Script, char),
    Space,
    Stop,
    Ask,
}

fn fold(c: char) -> Fold {
    let arabic = |c| Fold::Char(Script::Arabic, c);
    match c {
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}'
        | '\u{0640}'
        | '\u{064b}'..='\u{065f}'
        | '\u{0670}'
        | '\u{06d6}'..='\u{06ed}'
        | 'ء' => Fold::Skip,
        'ي' | 'ى' | 'ئ' | 'ۍ' | 'ې' | 'ێ' | 'ی' => arabic('ی'),
        'ك' | 'ڪ' | 'ک' => arabic('ک'),
        'ة' | 'ۀ' | 'ە' => arabic('ه'),
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => arabic('ا'),
        'ؤ' => arabic('و'),
        '?' | '؟' => Fold::Ask,
        '.' | '!' | '،' | ',' | '؛' | ';' | ':' | '\n' | '\r' | '…' | '۔' => Fold::Stop,
        '\u{0600}'..='\u{06ff}' if c.is_alphabetic() => arabic(c),
        c if c.is_alphabetic() => Fold::Char(Script::Latin, c.to_lowercase().next().unwrap_or(c)),
        c => ascii_digit(c).map_or(Fold::Space, |d| Fold::Char(Script::Digit, d)),
    }
}

/// Joins split prefixes and carrier names, and rewrites misspellings and Finglish.
fn finish(mut clause: Clause) -> Clause {
    let mut words: Vec<String> = Vec::with_capacity(clause.words.len());
    let mut raw = clause.words.into_iter().peekable();
    while let Some(mut word) = raw.next() {
        if matches!(word.as_str(), "می" | "نمی" | "mi" | "nemi") {
            if let Some(next) = raw.next_if(|next| next.chars().all(char::is_alphabetic)) {
                word.push_str(&next);
            }
        }
        if let Some(spelling) = canonical(&word) {
            word = spelling.to_owned();
        }
        let joined = words.last().and_then(|previous| compound(previous, &word));
        match joined {
            Some(joined) => *words.last_mut().expect("a previous word") = joined.to_owned(),
            None => words.push(word),
        }
    }
    clause.words = words;
    clause
}

/// Two words that name one thing.
fn compound(first: &str, second: &str) -> Option<&'static str> {
    Some(match (first, second) {
        ("اسنپ", "باکس") => "اسنپباکس",
        ("پس", "کرایه") => "پسکرایه",
        ("الو", "پیک") => "الوپیک",
        ("در", "میاد") => "درمیاد",
        _ => return None,
    })
}

/// Misspellings and Finglish words (as folded, separated by spaces), after their usual
/// spelling (folded too).
pub(super) const SPELLINGS: &[(&str, &str)] = &[
    ("ارسال", "ارصال ارسل ارصل ersal ersale"),
    ("ارسالش", "ersalesh"),
    ("ارسالتون", "ersaleton ersaletun"),
    ("ارسالی", "ersali"),
    ("هزینه", "حزینه هضینه حضینه هزینع hazine hazineh hazineye"),
    (
        "چقدر",
        "چقد cheghadr cheqadr chegadr cheghad cheqad chqdr chghdr",
    ),
    ("چقدره", "چقده cheghadre cheqadre chqdre"),
    ("چند", "chand"),
    ("چنده", "chande chandeh"),
    ("بفرست", "بفرس befrest befres"),
    ("بفرستید", "بفرسید befrestid befresid"),
    ("بفرستین", "بفرسین befrestin befresin"),
    ("بفرستی", "بفرسی befresti"),
    ("بفرستیدش", "befrestidesh"),
    ("بفرستینش", "befrestinesh"),
    ("میفرستید", "میفرسید mifrestid mifresid"),
    ("میفرستین", "میفرسین mifrestin mifresin"),
    ("میفرستی", "میفرسی mifresti"),
    ("نمیفرستید", "nemifrestid"),
    ("نمیفرستین", "nemifrestin"),
    ("میفرستم", "mifrestam"),
    ("میفرستیم", "mifrestim"),
    ("فرستادم", "ferestadam frestadam"),
    ("فرستادید", "ferestadid frestadid"),
    ("فرستادین", "ferestadin frestadin"),
    ("پست", "post"),
    ("پستی", "posti"),
    ("پستش", "postesh"),
    ("پیشتاز", "pishtaz"),
    ("تیپاکس", "تیپکس تیباکس تیپاکص tipax tipaks"),
    ("پیک", "peyk peik paik pyk"),
    ("چاپار", "chapar"),
    ("باربری", "barbari"),
    ("اسنپ", "snap"),
    ("باکس", "box baks"),
    ("اسنپباکس", "اسنپبکس snapbox"),
    ("پسکرایه", "paskeraye paskerayeh"),
    ("میشه", "mishe mishod"),
    ("نمیشه", "nemishe"),
    ("هست", "hast"),
    ("هستش", "hastesh"),
    ("هستید", "hastid"),
    ("دارید", "darid"),
    ("ندارید", "nadarid"),
    ("ندارین", "nadarin"),
    ("با", "ba"),
    ("دارین", "darin"),
    ("داری", "dari"),
    ("میکنید", "mikonid"),
    ("میکنین", "mikonin"),
    ("میکنی", "mikoni"),
    ("کنید", "konid"),
    ("کنین", "konin"),
    ("کردید", "kardid"),
    ("کردین", "kardin"),
    ("کردم", "kardam"),
    ("امکان", "emkan"),
    ("امکانش", "emkanesh"),
    ("مکنه", "momkene"),
    ("میتونید", "mitonid mitunid"),
    ("میتونین", "mitonin mitunin"),
    ("لطفا", "lotfan"),
    ("برام", "baram"),
    ("واسم", "vasam"),
    ("اگه", "age agar"),
    ("به", "be"),
    ("تا", "ta"),
    ("از", "az"),
    ("برای", "baraye barye bara"),
    ("واسه", "vase vaseye"),
    ("شهرستان", "shahrestan"),
    ("عکس", "aks akse aksa akso ax"),
    ("فیلم", "film"),
    ("ویدیو", "video vidio"),
    ("ویس", "voice vois voys"),
    ("پیام", "payam pm mesage"),
    ("ادرس", "adres"),
    ("لوکیشن", "location lokeyshen lokeshen loc"),
    ("شماره", "shomare shomarato shomareto shomaram"),
    ("رو", "ro ra"),
    ("من", "man"),
    ("هم", "ham"),
    ("دیدم", "didam"),
    ("کجا", "koja"),
];

/// The usual spelling of a misspelt or Finglish word (already folded), if it has one.
pub(super) fn canonical(word: &str) -> Option<&'static str> {
    SPELLINGS
        .iter()
        .find(|(_, typed)| listed(typed, word))
        .map(|(usual, _)| *usual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zwnj_a_space_or_nothing_read_the_same() {
        for typed in [
            "می‌فرستید",
            "می فرستید",
            "میفرستید",
            "مي فرستيد",
            "میفرستیییید",
        ] {
            assert_eq!(normalize(typed), "میفرستید", "{typed}");
        }
        assert_eq!(normalize("نمی فرستید"), "نمیفرستید");
    }

    #[test]
    fn arabic_letters_marks_and_tatweel_fold_to_persian() {
        assert_eq!(normalize("هزينة ارسـال به كرج"), "هزینه ارسال به کرج");
        assert_eq!(normalize("اِرسال به قُم"), "ارسال به قم");
        assert_eq!(normalize("هزینهٔ"), "هزینه");
        assert_eq!(normalize("آدرس"), "ادرس");
        assert_eq!(normalize("مسئول"), "مسیول");
    }

    #[test]
    fn digits_punctuation_and_emoji() {
        assert_eq!(normalize("۲تا 3 ٤"), "2 تا 3 4");
        assert_eq!(normalize("ارسال،به؛شیراز؟!🙏"), "ارسال به شیراز");
        let clauses = clauses("سلام. ارسال دارید؟؟ ممنون 🌹");
        let asks: Vec<bool> = clauses.iter().map(|c| c.asks).collect();
        assert_eq!(asks, [false, true, false]);
        assert_eq!(clauses[1].words, ["ارسال", "دارید"]);
    }

    #[test]
    fn repeated_letters_count_once() {
        assert_eq!(normalize("چقدرررر"), "چقدر");
        assert_eq!(normalize("ارسااااال"), "ارسال");
        assert_eq!(normalize("Mashhad"), "mashad");
        assert_eq!(normalize("1100"), "1100");
    }

    #[test]
    fn misspellings_finglish_and_carriers() {
        assert_eq!(normalize("ارصال"), "ارسال");
        assert_eq!(normalize("hazine ersal chande"), "هزینه ارسال چنده");
        assert_eq!(normalize("Mishe BEFRESTID"), "میشه بفرستید");
        assert_eq!(normalize("اسنپ باکس و پس کرایه"), "اسنپباکس و پسکرایه");
        assert_eq!(normalize("snapp box"), "اسنپباکس");
        assert_eq!(normalize("چقد"), "چقدر");
    }

    #[test]
    fn only_the_first_thousand_characters_are_read() {
        let long = format!("{} ارسال", "ا ".repeat(MAX_CHARS));
        assert!(!normalize(&long).contains("ارسال"));
    }
}
