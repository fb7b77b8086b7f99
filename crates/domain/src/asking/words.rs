//! The words the rules look for. Each list is one string of words separated by spaces, written
//! in their folded form (see [`super::normal`]: no «آ», no zero-width non-joiner, no letter
//! twice in a row; a test checks).

/// What a word says about sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sign {
    /// "Do you send …?", a question by itself: «میفرستید»، «ارسال میکنید»، «پست میکنین».
    Asks,
    /// "Send …" or "(could you) send": «بفرستید»، «ارسال کنید»، «تیپاکسش کنید».
    Requests,
    /// Sending or a carrier named as a thing: «ارسال»، «هزینه پست»، «پیک»، «تیپاکس».
    Names,
    /// "It arrives" («میرسه»): shipping only with a city in the same clause.
    Reaches,
    /// The buyer sends or fetches: «میفرستم»، «پیک خودم»، «اسنپ میگیرم».
    Mine,
    /// Already done, or declined: «فرستادم»، «ارسال کردید»، «پیک اومد»، «ارسال نکنید».
    Done,
}

/// `word` is one of `list`'s words.
pub(super) fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// `word` is one of `list`'s stems with a noun ending.
fn inflects_any(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|stem| inflects(word, stem))
}

/// Endings a noun takes in chat (besides none): plural, possessive and object clitics, «رو»
/// worn down to «و».
const NOUN_ENDINGS: &str = "ش شو شون شونو ها هاش هاشو هارو هاتون ا اش اشو ارو ای های ی یش \
    یتون تون تونو تو و رو م مو مون ت";

/// `word` is `stem` with a noun ending, or none. Folding may have merged the stem's last letter
/// with the ending's first («پست» + «تون» → «پستون»).
pub(super) fn inflects(word: &str, stem: &str) -> bool {
    let Some(rest) = word.strip_prefix(stem) else {
        return false;
    };
    let last = stem.chars().next_back();
    rest.is_empty()
        || NOUN_ENDINGS.split_whitespace().any(|ending| {
            ending == rest || last.is_some_and(|l| ending.strip_prefix(l) == Some(rest))
        })
}

/// Verbs of sending, present stem and past stem: فرستادن، رسوندن (to deliver).
const SENDING: &[(&str, &str)] = &[("فرست", "فرستاد"), ("رسون", "رسوند")];

/// Words after a participle that make it passive and present: «فرستاده میشه».
const PASSIVE: &str = "میشه بشه میشن میشود";

/// A form of a verb of sending, by person and tense; `next` tells a passive participle
/// («فرستاده میشه») from a past one («فرستاده شده»).
pub(super) fn sending(word: &str, next: Option<&str>) -> Option<Sign> {
    let (prefix, rest, present, past) = ["نمی", "می", "ب", "ن", ""].into_iter().find_map(|p| {
        let rest = word.strip_prefix(p)?;
        let (present, past) = SENDING.iter().find(|(s, _)| rest.starts_with(s))?;
        Some((p, rest, *present, *past))
    })?;
    if let Some(ending) = rest.strip_prefix(past) {
        return Some(match (prefix, ending) {
            ("", "ن" | "نش" | "نشون") => Sign::Names,
            ("", "ه") if next.is_some_and(|n| listed(PASSIVE, n)) => Sign::Names,
            _ => Sign::Done,
        });
    }
    let ending = rest.strip_prefix(present)?;
    let ending = ["شون", "ش"]
        .into_iter()
        .find_map(|clitic| ending.strip_suffix(clitic))
        .unwrap_or(ending);
    match (prefix, ending) {
        ("می" | "نمی", "ید" | "ین" | "ی") => Some(Sign::Asks),
        ("ب" | "", "ید" | "ین" | "ی") | ("ب", "") => Some(Sign::Requests),
        (_, "م" | "یم") => Some(Sign::Mine),
        ("می" | "ب" | "", "ه" | "ن" | "ند") => Some(Sign::Names),
        ("ن", "ید" | "ین" | "ی") => Some(Sign::Done),
        _ => None,
    }
}

/// کردن، شدن and a few other verbs after «ارسال»، «پست» or a carrier. A negative imperative
/// («ارسال نکنید») and «کجاست» (where is it: the courier is on the way) count as done.
const LIGHT: &[(Sign, &str)] = &[
    (Sign::Asks, "میکنید میکنین میکنی نمیکنید نمیکنین نمیکنی"),
    (Sign::Requests, "کنید کنین کنی بکنید بکنین بکنی"),
    (Sign::Mine, "میکنم کنم بکنم میکنیم کنیم"),
    (
        Sign::Done,
        "کردید کردین کردی کردم کردیم کرد کردن کرده کردند نکنید نکنین نکنی نکردید نکردین نکردی \
         شد شده شدن شدید اومد اومده اومدن امد امده رسید رسیده گذاشتید گذاشتین گذاشتی زدم زدی \
         زدید زدین زد نزدید نزدین گرفتید گرفتین گرفتی گرفتم دادم دادی دادید دادین داد کجاست \
         کجان",
    ),
];

/// The sign of a light verb.
fn light(word: &str) -> Option<Sign> {
    LIGHT
        .iter()
        .find(|(_, words)| listed(words, word))
        .map(|(sign, _)| *sign)
}

/// Carriers and ways of sending, as nouns (stems).
const CARRIERS: &str = "پیک باربری تیپاکس چاپار اسنپباکس الوپیک پسکرایه پیشتاز";

/// Words before «پست» that make it the post office, not an ad: «با پست»، «هزینه پست».
const BEFORE_POST: &str = "با هزینه خرج کرایه ارسال بسته";
/// Words after «پست» that do the same: «پست پیشتاز».
const AFTER_POST: &str = "پیشتاز سفارشی معمولی پیشتازی";

/// The buyer's own doing, next to a carrier: «پیک خودم»، «اسنپ میگیرم».
const MINE: &str = "خودم خودمون میگیرم بگیرم میگیریم میارم بیارم میاریم میام بیام میایم";

/// «میرسه»: it arrives.
const REACHES: &str = "میرسه برسه";

/// Each word's [`Sign`], if it has one.
pub(super) fn signs(words: &[String]) -> Vec<Option<Sign>> {
    let word = |i: usize| words.get(i).map(String::as_str);
    (0..words.len())
        .map(|i| {
            let this = words[i].as_str();
            let previous = i.checked_sub(1).and_then(word);
            let before = match previous {
                Some("ی") => i.checked_sub(2).and_then(word),
                other => other,
            };
            let next = word(i + 1);
            let after = match next {
                Some("هم" | "رو" | "و") => word(i + 2),
                other => other,
            };
            if let Some(sign) = sending(this, next) {
                return Some(sign);
            }
            if listed(REACHES, this) {
                return Some(Sign::Reaches);
            }
            if inflects(this, "ارسال") {
                return Some(after.and_then(light).unwrap_or(Sign::Names));
            }
            if matches!(this, "پست" | "پستش" | "پستشون" | "پستشو") {
                let by_post = before.is_some_and(|b| listed(BEFORE_POST, b))
                    || after.is_some_and(|a| listed(AFTER_POST, a));
                return after.and_then(light).or(by_post.then_some(Sign::Names));
            }
            if this == "پستی" {
                return before
                    .is_some_and(|b| listed(BEFORE_POST, b))
                    .then_some(Sign::Names);
            }
            let carrier =
                inflects_any(CARRIERS, this) || (this == "اسنپ" && previous == Some("با"));
            if !carrier {
                return None;
            }
            let mine = |w: Option<&str>| {
                w.is_some_and(|w| listed(MINE, w) || sending(w, None) == Some(Sign::Mine))
            };
            Some(match after.and_then(light) {
                Some(sign) => sign,
                None if mine(previous) || mine(next) => Sign::Mine,
                None => Sign::Names,
            })
        })
        .collect()
}

/// Words that ask: a clause with one of them asks for the sending it names.
/// («مکنه» is «ممکنه» folded.)
const ASKING: &str = "دارید دارین داری دارن ندارید ندارین داره میشه نمیشه بشه هست هستش هستید \
    هستین نیست مکنه امکان امکانش میتونید میتونین میتونی نمیتونید چقدر چقدره چند چنده چطور \
    چطوره چطوریه چجوری چجوریه چیه کیه درمیاد میفته میوفته رایگان رایگانه اگه اگر میکشه انجام \
    میدید میدین میدی";

/// Words that say where to (besides a city and «شهرستان»): to me, to other towns, anywhere
/// in the country.
const WHERE: &str = "برام واسم برامون واسمون شهرای شهرهای ایران نقاط کشور";

/// The clause asks.
pub(super) fn asking(word: &str) -> bool {
    listed(ASKING, word)
}

/// The clause says where to.
pub(super) fn where_to(word: &str) -> bool {
    listed(WHERE, word) || inflects(word, "شهرستان")
}

/// «رو» after a word other than these marks an object that may not be the item
/// («مدلش رو میفرستید؟»), while «این رو میفرستید؟» is about the item.
const ITEM: &str = "این اون اینا اونا همین همون";

/// The clause's verb has an object that may not be the item.
pub(super) fn other_object(words: &[String]) -> bool {
    words
        .windows(2)
        .any(|pair| matches!(pair[1].as_str(), "رو" | "را") && !listed(ITEM, &pair[0]))
}

/// «کی» (when): a clause asking when a sending happens is about one already agreed.
pub(super) const WHEN: &str = "کی";

/// Things that are sent in chat, not by post (stems): a clause naming one is not a shipping
/// question («عکس بیشتر بفرستید»، «آدرس رو بفرستید»، «پیام ها ارسال نمیشه»).
const NOT_PARCELS: &str = "عکس تصویر فیلم ویدیو کلیپ ویس پیام پیامک پیغام مسیج اسمس ادرس \
    نشانی لوکیشن لوکیشین موقعیت شماره شمارت شمارتون لینک ایمیل شبا فاکتور مشخصات رسید اسکرین \
    اسکرینشات واتساپ تلگرام ایتا روبیکا اینستا اینستاگرام دایرکت کد";

/// The clause is about sending something other than the item.
pub(super) fn not_a_parcel(word: &str) -> bool {
    inflects_any(NOT_PARCELS, word)
}

/// Things a buyer may ask to be sent that are not the item (stems): «قیمت نهایی رو بفرستید».
/// They void a verb of sending, not a noun («قیمت با ارسال چند میشه؟» still asks).
const NOT_SENT: &str = "قیمت جواب اطلاعات مدارک سند نمونه توضیحات کاتالوگ اگهی";

/// The clause's verb of sending is about something other than the item.
pub(super) fn not_sent(word: &str) -> bool {
    inflects_any(NOT_SENT, word)
}

/// Tracking (stems): the parcel is already on its way.
const TRACKING: &str = "رهگیری پیگیری";

/// A parcel already on its way: the message is about tracking, not about shipping.
pub(super) fn tracking(word: &str) -> bool {
    inflects_any(TRACKING, word)
}

/// Words before a city that make it the destination.
pub(super) const TOWARDS: &str = "به برای برا واسه تا ساکن";
/// Words after a city that make it the buyer's, so the destination: «مشهد هستم».
pub(super) const HOME: &str = "هستم هستیم زندگی";
/// Words before a city that make it the origin: «از تهران», or a place the buyer would travel
/// to, so the seller's: «نمیتونم بیام تهران».
pub(super) const FROM: &str = "از بیام میام بیایم میایم اومدم برم میرم";
/// Words before a city that make it no place to send to: a product from there («سوهان قم»،
/// «فرش تبریز»), a street or district named after it («میدان قدس»، «شهرک فردوس»، «جاده مخصوص
/// کرج», all in Tehran), or a province («استان اصفهان»).
pub(super) const NOT_PLACES: &str = "پسته زعفران گز سوهان کلوچه فرش قالی قالیچه گلیم گبه خرما \
    خرمای چای عسل نان شیرینی باقلوا کشمش برنج ادامس پنیر سوغات سوغاتی ساخت تولید ترمه قلمکار \
    خیابان خ میدان شهرک بلوار کوچه محله منطقه پل چهاراه سهراه اتوبان بزرگراه جاده مخصوص قدیم \
    ایستگاه مترو پارک بازار پاساژ استان";
/// Words before a city that make it the buyer's home: «من قزوینم»، «من تو مشهدم».
pub(super) const AT: &str = "من تو ما";

#[cfg(test)]
mod tests {
    use super::super::normal::{normalize, SPELLINGS};
    use super::*;

    #[test]
    fn every_listed_word_is_in_its_folded_form() {
        let lists = [
            NOUN_ENDINGS,
            PASSIVE,
            CARRIERS,
            BEFORE_POST,
            AFTER_POST,
            MINE,
            REACHES,
            ASKING,
            WHERE,
            ITEM,
            WHEN,
            NOT_PARCELS,
            NOT_SENT,
            TRACKING,
            TOWARDS,
            HOME,
            FROM,
            NOT_PLACES,
            AT,
        ];
        let light = LIGHT.iter().map(|(_, words)| *words);
        let stems = SENDING.iter().flat_map(|(present, past)| [*present, *past]);
        let spellings = SPELLINGS.iter().map(|(usual, _)| *usual);
        let unfolded: Vec<&str> = lists
            .into_iter()
            .chain(light)
            .flat_map(str::split_whitespace)
            .chain(stems)
            .chain(spellings)
            .filter(|word| normalize(word) != *word)
            .collect();
        assert!(unfolded.is_empty(), "{unfolded:?}");
    }

    #[test]
    fn verbs_of_sending_by_person_and_tense() {
        let sign = |w: &str| sending(w, None);
        let cases = [
            (
                Sign::Asks,
                "میفرستید میفرستین میفرستی نمیفرستید میفرستیدش میرسونید",
            ),
            (
                Sign::Requests,
                "بفرستید بفرستین بفرست بفرستش بفرستیدش برسونید فرستید",
            ),
            (Sign::Mine, "میفرستم بفرستم میفرستیم"),
            (
                Sign::Done,
                "فرستادم فرستادید فرستادین فرستادمش نفرستادید نفرستید",
            ),
            (Sign::Names, "فرستادن فرستادنش میفرسته"),
        ];
        for (want, words) in cases {
            for word in words.split_whitespace() {
                assert_eq!(sign(word), Some(want), "{word}");
            }
        }
        assert_eq!(sending("فرستاده", Some("میشه")), Some(Sign::Names));
        assert_eq!(sending("فرستاده", Some("شده")), Some(Sign::Done));
        for other in ["فرستنده", "میفروشید", "فرسوده", "رسید"] {
            assert_eq!(sign(other), None, "{other}");
        }
    }

    #[test]
    fn nouns_take_chat_endings() {
        assert!(inflects("ارسالش", "ارسال") && inflects("ارسالتون", "ارسال"));
        assert!(inflects("پستون", "پست"));
        assert!(inflects("عکسارو", "عکس") && inflects("شمارهتون", "شماره"));
        assert!(!inflects("کدوم", "کد") && !inflects("پیکان", "پیک"));
    }

    #[test]
    fn signs_in_context() {
        let signs_of = |text: &str| {
            let words: Vec<String> = normalize(text).split(' ').map(String::from).collect();
            signs(&words)
        };
        use Sign::*;
        assert_eq!(signs_of("ارسال دارید"), [Some(Names), None]);
        assert_eq!(signs_of("ارسال کردید"), [Some(Done), None]);
        assert_eq!(signs_of("پست میکنید"), [Some(Asks), None]);
        assert_eq!(signs_of("این پست"), [None, None]);
        assert_eq!(signs_of("با پست"), [None, Some(Names)]);
        assert_eq!(signs_of("کد پستی"), [None, None]);
        assert_eq!(signs_of("پیک خودم"), [Some(Mine), None]);
        assert_eq!(signs_of("تیپاکسش کنید"), [Some(Requests), None]);
        assert_eq!(signs_of("با اسنپ"), [None, Some(Names)]);
        assert_eq!(signs_of("اسنپ"), [None]);
    }
}
