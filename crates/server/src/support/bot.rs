//! What the support bot answers, in Persian. It never names a person, a phone or an address:
//! a tracking code gets the shipment's status, route cities, next step and last change only.

use domain::code::TrackingCode;
use domain::jalali::JalaliDateTime;
use domain::text::persian_digits;
use kenar::message::{Action, BotMessage, Button, ButtonGrid, ButtonRow};
use serde_json::{Map, Value};

use super::events::Stored;
use crate::chat::outbox;
use crate::chat::texts::route;
use crate::error::AppError;
use crate::state::AppState;
use store::db::Tx;
use store::shipments;
use store::support as threads;

/// Which answer a message got (for the log: never the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Greeting,
    Status,
    UnknownCode,
    /// The question went to staff, and the bot said when they answer.
    ToStaff,
    /// The question went to staff, who already owe an answer: the bot stays quiet.
    ToStaffQuietly,
    NotText,
    /// Too many messages this minute: the bot asked to wait.
    SlowDown,
    /// Still too many: no answer until the minute passes.
    Silent,
}

impl Answer {
    pub fn name(self) -> &'static str {
        match self {
            Self::Greeting => "greeting",
            Self::Status => "status",
            Self::UnknownCode => "unknown_code",
            Self::ToStaff => "to_staff",
            Self::ToStaffQuietly => "to_staff_quietly",
            Self::NotText => "not_text",
            Self::SlowDown => "slow_down",
            Self::Silent => "silent",
        }
    }
}

fn greeting() -> String {
    format!(
        "سلام! این پشتیبانی «ارسال» است، افزونهٔ دیوار برای فرستادن کالای خرید و فروش‌شده.\n\
        • برای دیدن وضعیت یک ارسال، {} آن را بفرستید.\n\
        • برای گفتگو با پشتیبانی، سؤالتان را بنویسید.",
        TrackingCode::described()
    )
}
const UNKNOWN_CODE: &str =
    "ارسالی با این کد پیگیری پیدا نشد. کد را از پیام «ارسال» در گفتگو یا صفحهٔ پیگیری دوباره بفرستید.";
const NOT_TEXT: &str = "فقط پیام نوشتاری را می‌خوانیم؛ لطفاً سؤالتان را بنویسید.";
const SLOW_DOWN: &str =
    "پیام‌های زیادی پشت سر هم فرستاده‌اید؛ یک دقیقه صبر کنید و بعد دوباره بپرسید. پیام‌هایتان برای پشتیبانی نگه داشته می‌شود.";

/// The bot's answers per conversation and minute; the next one is [`SLOW_DOWN`], then nothing
/// until the minute passes (each answer spends Divar's quota).
pub const ANSWERS_PER_MINUTE: i64 = 5;

/// Answers one message from a user, inside the transaction that marks it processed: the reply
/// (if any) is queued in the outbox, a question is stored for staff.
pub(super) async fn answer(
    state: &AppState,
    tx: &mut Tx,
    message: &Stored,
    now: i64,
) -> Result<Answer, AppError> {
    let (answer, reply) = match message.text.as_deref() {
        None => (Answer::NotText, Some(NOT_TEXT.to_owned())),
        Some(text) if text.starts_with("/start") => (Answer::Greeting, Some(greeting())),
        Some(text) => match TrackingCode::parse(text) {
            Some(code) => match status(state, &code).await? {
                Some(status) => (Answer::Status, Some(status)),
                None => (Answer::UnknownCode, Some(UNKNOWN_CODE.to_owned())),
            },
            None => {
                let keys = &state.keys;
                if threads::user_wrote(tx, keys, &message.conversation, text, now).await? {
                    (Answer::ToStaff, Some(to_staff(state)))
                } else {
                    (Answer::ToStaffQuietly, None)
                }
            }
        },
    };
    let (answer, reply) = match reply {
        Some(text) => match threads::bot_replies(tx, &message.conversation, now).await? {
            n if n <= ANSWERS_PER_MINUTE => (answer, Some(text)),
            n if n == ANSWERS_PER_MINUTE + 1 => (Answer::SlowDown, Some(SLOW_DOWN.to_owned())),
            _ => (Answer::Silent, None),
        },
        None => (answer, None),
    };
    if let Some(text) = reply {
        let buttons = (answer == Answer::Greeting).then(|| guide(state));
        let message = BotMessage {
            conversation_id: message.conversation.as_str().to_owned(),
            text_message: text,
            buttons,
        };
        outbox::enqueue_bot(tx, &state.keys, &message, now).await?;
    }
    Ok(answer)
}

/// The shipment's status, route, next step and last change, when `code` names one.
async fn status(state: &AppState, code: &TrackingCode) -> Result<Option<String>, AppError> {
    let Some(shipment) = shipments::get(&state.db, &state.keys, code).await? else {
        return Ok(None);
    };
    let order = &shipment.order;
    let changed = shipment
        .events
        .iter()
        .map(|e| e.at)
        .max()
        .unwrap_or_default();
    Ok(Some(format!(
        "وضعیت: {}\nکد پیگیری: {code}\nمسیر: {}\nگام بعد: {}\nآخرین تغییر: {}",
        shipment.status.label(),
        route(
            &state.city_name(order.origin_city.as_deref()),
            &state.city_name(order.destination_city.as_deref()),
        ),
        shipment.status.next_step(),
        JalaliDateTime::from_unix(changed).display(),
    )))
}

fn to_staff(state: &AppState) -> String {
    let contact = &state.config.contact;
    let hours = contact.hours;
    persian_digits(&format!(
        "پیامتان به پشتیبانی رسید. همکاران ما هر روز از ساعت {} تا {} پاسخ می‌دهند و جوابشان همین‌جا می‌آید؛ در همین ساعت‌ها می‌توانید با {} هم تماس بگیرید.",
        hours.from, hours.to, contact.phone_for_people()
    ))
}

/// The greeting's buttons: two quick replies (Divar asks `/divar/action` and shows the hint it
/// answers, [`quick_reply`]) and how Ersal works, on its public home page.
fn guide(state: &AppState) -> ButtonGrid {
    let quick = |reply: QuickReply, icon, caption: &str| Button {
        action: Action::GetDynamicAction {
            data: [(QUICK_REPLY.to_owned(), Value::from(reply.key()))]
                .into_iter()
                .collect(),
        },
        icon,
        caption: caption.to_owned(),
    };
    ButtonGrid {
        rows: vec![
            ButtonRow {
                buttons: vec![
                    quick(QuickReply::Track, "LOCAL_SHIPPING", "پیگیری ارسال"),
                    quick(QuickReply::Support, "SUPPORT_AGENT", "گفتگو با پشتیبانی"),
                ],
            },
            ButtonRow {
                buttons: vec![Button {
                    action: Action::OpenDirectLink(state.config.public_url("/")),
                    icon: "INFO",
                    caption: "ارسال چطور کار می‌کند".to_owned(),
                }],
            },
        ],
    }
}

/// The key of a quick reply's button data.
const QUICK_REPLY: &str = "q";

/// The greeting's quick replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuickReply {
    Track,
    Support,
}

impl QuickReply {
    const ALL: [Self; 2] = [Self::Track, Self::Support];

    fn key(self) -> &'static str {
        match self {
            Self::Track => "track",
            Self::Support => "support",
        }
    }
}

/// What Divar shows a user who tapped a quick reply with `data`. Data Ersal did not write
/// (an old or altered button) gets a plain way on, never an error.
pub fn quick_reply(state: &AppState, data: &Map<String, Value>) -> String {
    let reply = data
        .get(QUICK_REPLY)
        .and_then(Value::as_str)
        .and_then(|key| QuickReply::ALL.into_iter().find(|r| r.key() == key));
    match reply {
        Some(QuickReply::Track) => format!(
            "{} ارسال را همین‌جا بفرستید؛ آن را در پیام «ارسال» در گفتگو یا صفحهٔ پیگیری می‌بینید.",
            TrackingCode::described()
        ),
        Some(QuickReply::Support) => support_hint(state),
        None => STALE_BUTTON.to_owned(),
    }
}

const STALE_BUTTON: &str = "این دکمه دیگر کار نمی‌کند؛ پیامتان را همین‌جا بنویسید.";

fn support_hint(state: &AppState) -> String {
    let contact = &state.config.contact;
    let hours = contact.hours;
    persian_digits(&format!(
        "سؤالتان را همین‌جا بنویسید، یا با {} تماس بگیرید. همکاران ما هر روز از ساعت {} تا {} پاسخ می‌دهند.",
        contact.phone_for_people(), hours.from, hours.to
    ))
}
