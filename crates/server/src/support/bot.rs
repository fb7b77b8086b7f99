//! What the support bot answers, in Persian. It never names a person, a phone or an address:
//! a tracking code gets the shipment's status, route cities, next step and last change only.

use domain::code::TrackingCode;
use domain::jalali::JalaliDateTime;
use domain::text::persian_digits;
use kenar::message::{Action, BotMessage, Button, ButtonGrid};

use super::events::Stored;
use super::store;
use crate::chat::outbox;
use crate::chat::texts::route;
use crate::db::Tx;
use crate::error::AppError;
use crate::shipments;
use crate::state::AppState;

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
        }
    }
}

const GREETING: &str =
    "سلام! این پشتیبانی «ارسال» است، افزونهٔ دیوار برای فرستادن کالای خرید و فروش‌شده.\n\
    • برای دیدن وضعیت یک ارسال، کد پیگیری ۱۰ نویسه‌ای آن را بفرستید.\n\
    • برای گفتگو با پشتیبانی، سؤالتان را بنویسید.";
const UNKNOWN_CODE: &str =
    "ارسالی با این کد پیگیری پیدا نشد. کد را از پیام «ارسال» در گفتگو یا صفحهٔ پیگیری دوباره بفرستید.";
const NOT_TEXT: &str = "فقط پیام نوشتاری را می‌خوانیم؛ لطفاً سؤالتان را بنویسید.";

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
        Some(text) if text.starts_with("/start") => (Answer::Greeting, Some(GREETING.to_owned())),
        Some(text) => match TrackingCode::parse(text) {
            Some(code) => match status(state, &code).await? {
                Some(status) => (Answer::Status, Some(status)),
                None => (Answer::UnknownCode, Some(UNKNOWN_CODE.to_owned())),
            },
            None => {
                let keys = &state.keys;
                if store::user_wrote(tx, keys, &message.conversation, text, now).await? {
                    (Answer::ToStaff, Some(to_staff(state)))
                } else {
                    (Answer::ToStaffQuietly, None)
                }
            }
        },
    };
    if let Some(text) = reply {
        let buttons = (answer == Answer::Greeting).then(|| guide(state));
        let message = BotMessage {
            conversation_id: message.conversation.clone(),
            text_message: text,
            buttons,
        };
        outbox::enqueue_bot(tx, &message, now).await?;
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
    let hours = state.config.support_hours;
    persian_digits(&format!(
        "پیامتان به پشتیبانی رسید. همکاران ما هر روز از ساعت {} تا {} پاسخ می‌دهند و جوابشان همین‌جا می‌آید.",
        hours.from, hours.to
    ))
}

/// The greeting's button: how Ersal works, on its public home page.
fn guide(state: &AppState) -> ButtonGrid {
    ButtonGrid::row(vec![Button {
        action: Action::OpenDirectLink(state.config.public_url("/")),
        icon: "INFO",
        caption: "ارسال چطور کار می‌کند".to_owned(),
    }])
}
