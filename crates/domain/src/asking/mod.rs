//! Is a buyer's chat message a shipping question, and to which city?
//!
//! Ersal answers shipping questions in sellers' Divar chats with a price and a booking button,
//! so a wrong answer in someone's chat is worse than none: every rule below leans towards
//! "not shipping" when in doubt. No model and no service: a handful of word lists
//! (module `words`), applied to the message after folding it to one spelling (module `normal`).
//!
//! # Reading a message
//!
//! 1. The first [`MAX_CHARS`] characters are folded (Arabic letters to Persian, no marks, no
//!    zero-width non-joiner, one letter where it was typed several times, Persian digits to
//!    ASCII, common misspellings and Finglish words to Persian) and cut into clauses at
//!    `.` `!` `،` `?` `؟` and new lines; a clause ending in `?` or `؟` *asks*.
//! 2. Each word gets a sign, if it has one:
//!    * **asks**: "do you send?", a question by itself: «میفرستید»، «میفرستین»، «نمیفرستید»،
//!      «ارسال میکنید»، «پست میکنین»، «تیپاکس میکنید»، «میرسونید»;
//!    * **requests**: «بفرستید»، «بفرست»، «بفرستیدش»، «ارسال کنید»، «پستش کنید»؛
//!    * **names**: sending or a carrier as a noun: «ارسال» (and «ارسالش»، «ارسالتون»،
//!      «ارسالی»)، «فرستادن»، «فرستاده میشه»، «پیک»، «باربری»، «تیپاکس»، «چاپار»،
//!      «اسنپ باکس»، «پس کرایه»، «پیشتاز»، «با اسنپ»؛ «پست» only as the post office («با
//!      پست»، «هزینه پست»، «پست پیشتاز»، «ارسال پستی»), never as an ad («این پست»، «پست
//!      قبلی»، «کد پستی»);
//!    * **reaches**: «میرسه» (it arrives);
//!    * **mine**: the buyer sends or fetches: «میفرستم»، «بفرستم»، «پیک خودم»، «خودم پیک
//!      میگیرم»، «با اسنپ میام»;
//!    * **done**: already sent or arrived, or declined: «فرستادم»، «فرستادید»، «ارسال کردید»،
//!      «ارسال شد»، «پستش کردید»، «تیپاکس زدید»، «پیک اومد»، «پیکتون کجاست»، «ارسال نکنید».
//! 3. A clause is a shipping question when none of the following holds:
//!    * it names something sent in chat rather than by post: a photo, video, voice message,
//!      message, address, location, phone or card number, link, invoice, specifications, a
//!      messenger app, a code («عکس بیشتر بفرستید»، «آدرس رو بفرستید»، «پیام ها ارسال نمیشه»);
//!    * it has a *done* sign («فرستادم»، «ارسال کردید؟»، «ارسال نکنید»);
//!    * it asks when («کی میفرستید؟»، «کی میرسه؟»): that sending is already agreed;
//!
//!    and one of these does:
//!    * it has an *asks* sign, and names nothing else to be sent (the price, an answer,
//!      documents, samples, the ad: «میشه قیمت آخرشو بفرستید؟» is not shipping), nor an object
//!      other than the item («مدلش رو میفرستید؟») unless it also says where to (below) or
//!      names a carrier;
//!    * it has a *requests* sign, the same holds, and it is cued (below) or names a carrier
//!      («با پیک بفرستید»); a bare «بفرستید» is not enough;
//!    * it has a *names* sign and no *mine* sign, and is cued: «ارسال دارید؟»، «پیک دارید»،
//!      «ارسال به مشهد»، «هزینه ارسالش چقدره»;
//!    * it has a *reaches* sign and names a city itself («چند روزه میرسه به مشهد؟»).
//!
//!    A clause *says where to* when the message names a city as a place to send to (rule 5)
//!    or the clause has «برام»، «واسم»، «شهرستان»، «کشور»…; it is *cued* when it says where
//!    to, asks (ends in `?`), or has a word that asks: «دارید»، «میشه»، «هست»، «امکان»،
//!    «ممکنه»، «میتونید»، «چقدر»، «چند»، «چطوره»، «رایگان»، «اگه»… So «چند» alone is
//!    haggling, a city alone («منم مشهدم») is small talk, and «بفرستید لطفا» is too little.
//! 4. The message is a shipping question when one of its clauses is, unless it talks of a
//!    tracking number («کد رهگیری»، «پیگیری»): then the parcel is already on its way.
//! 5. The destination is read from the whole message (module `cities`): the cities it names as
//!    places to send to (not the origin, not a product's or a street's name, not a city name
//!    used as a word); those named as where to («به»، «برای»، «تا»، «واسه»، «ساکن», a word
//!    of sending, «… هستم») come first; if what is left is more than one city, there is no
//!    destination. Province names are not cities.

mod cities;
mod normal;
mod words;

pub(crate) use cities::key as name_key;
pub use normal::{normalize, MAX_CHARS};

use crate::places::{Catalogue, Place};
use normal::Clause;
use words::Sign;

/// What a buyer's message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading<'a> {
    NotShipping,
    /// A shipping question, to the city it names if it names exactly one.
    Shipping {
        to: Option<Place<'a>>,
    },
}

/// Reads a buyer's chat message by the rules in the [module documentation](self).
pub fn read<'a>(message: &str, catalogue: &'a Catalogue) -> Reading<'a> {
    let clauses = normal::clauses(message);
    if clauses
        .iter()
        .flat_map(|clause| &clause.words)
        .any(|word| words::tracking(word))
    {
        return Reading::NotShipping;
    }
    let signs: Vec<Vec<Option<Sign>>> = clauses.iter().map(|c| words::signs(&c.words)).collect();
    let mentions = cities::mentions(&clauses, &signs, &cities::Index::new(catalogue));
    let shipping = clauses
        .iter()
        .zip(&signs)
        .enumerate()
        .any(|(c, (clause, signs))| {
            let city_here = mentions.iter().any(|m| m.clause == c);
            asks_shipping(clause, signs, !mentions.is_empty(), city_here)
        });
    if shipping {
        Reading::Shipping {
            to: cities::destination(&mentions),
        }
    } else {
        Reading::NotShipping
    }
}

/// Rule 3 of the module documentation, for one clause.
fn asks_shipping(clause: &Clause, signs: &[Option<Sign>], city: bool, city_here: bool) -> bool {
    let has = |sign: Sign| signs.contains(&Some(sign));
    let any = |test: fn(&str) -> bool| clause.words.iter().any(|w| test(w));
    if any(words::not_a_parcel) || has(Sign::Done) || any(|w| w == words::WHEN) {
        return false;
    }
    let towards = city || any(words::where_to);
    let cued = towards || clause.asks || any(words::asking);
    let item = !words::other_object(&clause.words) || towards || has(Sign::Names);
    let verb = item && !any(words::not_sent);
    (verb && has(Sign::Asks))
        || (verb && has(Sign::Requests) && (cued || has(Sign::Names)))
        || (has(Sign::Names) && !has(Sign::Mine) && cued)
        || (has(Sign::Reaches) && city_here)
}
