//! `/console/support`: the support bot's conversations as a triage list: those waiting for an
//! answer first (the longest wait first), each with a line of its newest message, the shipment
//! it names, its unread count and age; `/console/support/{id}`: one conversation's messages
//! (shipments named by their code linked) and the answer box, which a canned answer fills for
//! editing (a link, `?reply=N`, so it works without JavaScript). Each answer goes out through
//! the bot's API and records who sent it.

use domain::routes::Route;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use ersal_server::support::{AnswerForm, Answered, CloseForm, MAX_ANSWER_CHARS};

use super::Logout;
use crate::ui::Failure;

/// Answers staff send often.
fn canned() -> [String; 3] {
    [
        "سلام، پیامتان را دیدیم و پیگیری می‌کنیم؛ نتیجه را همین‌جا می‌نویسیم.".to_owned(),
        format!(
            "برای دیدن وضعیت ارسال، {} آن را همین‌جا بفرستید.",
            domain::code::TrackingCode::described()
        ),
        "ارسال ثبت شده است و شرکت حمل به‌زودی زمان جمع‌آوری را اعلام می‌کند.".to_owned(),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadRow {
    pub id: String,
    pub state: String,
    /// The state's key (its badge's colour).
    pub state_key: String,
    /// The newest message's first line, who wrote it first ("کاربر: …").
    pub preview: String,
    /// The first tracking code the newest message names.
    pub code: Option<String>,
    /// Unread messages, in Persian digits; `None` when there are none.
    pub unread: Option<String>,
    /// "۳ ساعت پیش", and the full date for the title.
    pub age: String,
    pub updated: String,
    /// Not closed yet: the row offers "close".
    pub open: bool,
}

/// The longest preview shown, in characters.
const PREVIEW_CHARS: usize = 90;

/// Tracking codes a message names, in order.
#[cfg(feature = "ssr")]
fn codes_in(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter_map(domain::code::TrackingCode::parse)
        .map(|c| c.to_string())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub operator: String,
    pub csrf: String,
    pub threads: Vec<ThreadRow>,
    /// (state key, label) of each filter.
    pub filters: Vec<(String, String)>,
}

/// (who, when, text, tracking codes it names).
type Line = (String, String, String, Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadData {
    pub operator: String,
    pub csrf: String,
    pub id: String,
    pub state: String,
    pub lines: Vec<Line>,
    /// How many older messages were dropped to keep the conversation under its cap.
    pub dropped: i64,
}

#[server(endpoint = "console/support")]
pub async fn console_inbox(only: Option<String>) -> Result<Option<Inbox>, ServerFnError> {
    use domain::jalali::JalaliDateTime;
    use domain::text::persian_digits;
    use ersal_server::support::Thread;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let threads = ersal_server::support::inbox(&state, only.as_deref()).await?;
    let now = state.now();
    Ok(Some(Inbox {
        operator: operator.username,
        csrf: operator.csrf,
        threads: threads
            .into_iter()
            .map(|t| {
                let (preview, code) = match &t.last {
                    Some((text, from_user)) => {
                        let line: String = text
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .chars()
                            .take(PREVIEW_CHARS)
                            .collect();
                        let who = if *from_user {
                            "کاربر"
                        } else {
                            "پشتیبانی"
                        };
                        (format!("{who}: {line}"), codes_in(text).into_iter().next())
                    }
                    None => ("بدون پیام".to_owned(), None),
                };
                ThreadRow {
                    state: t.state.label().to_owned(),
                    state_key: t.state.key().to_owned(),
                    preview,
                    code,
                    unread: (t.unread > 0).then(|| persian_digits(&t.unread.to_string())),
                    age: domain::text::age(now - t.updated_at),
                    updated: JalaliDateTime::from_unix(t.updated_at).display(),
                    open: t.state != Thread::Closed,
                    id: t.conversation.into(),
                }
            })
            .collect(),
        filters: Thread::ALL
            .iter()
            .map(|t| (t.key().to_owned(), t.label().to_owned()))
            .collect(),
    }))
}

#[server(endpoint = "console/support/thread")]
pub async fn console_thread(id: String) -> Result<Option<ThreadData>, ServerFnError> {
    use domain::jalali::JalaliDateTime;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let read = ersal_server::support::read(&state, &id).await?;
    let Some(conversation) = read else {
        return Ok(None);
    };
    let (thread, said) = (conversation.state, conversation.said);
    Ok(Some(ThreadData {
        operator: operator.username,
        csrf: operator.csrf,
        state: thread.label().to_owned(),
        dropped: conversation.dropped,
        lines: said
            .into_iter()
            .map(|s| {
                let who = match (s.from_user, s.operator) {
                    (true, _) => "کاربر".to_owned(),
                    (false, Some(name)) => format!("پشتیبانی ({name})"),
                    (false, None) => "پشتیبانی".to_owned(),
                };
                let found = codes_in(&s.text);
                (
                    who,
                    JalaliDateTime::from_unix(s.at).display(),
                    s.text,
                    found,
                )
            })
            .collect(),
        id,
    }))
}

/// Sends an answer, then shows the conversation again with what happened.
#[server(endpoint = "console/support/answer")]
pub async fn operator_answer(form: AnswerForm) -> Result<(), ServerFnError> {
    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let answered = ersal_server::support::answer(&state, &operator, &form).await?;
    let id = &form.conversation;
    if answered == Answered::NotFound || !ersal_server::is_url_safe(id) {
        leptos_axum::redirect(Route::ConsoleSupport.path());
    } else {
        leptos_axum::redirect(&format!(
            "{}?m={}",
            Route::ConsoleThread.with(id),
            answered.key()
        ));
    }
    Ok(())
}

/// Closes a conversation, then shows the inbox.
#[server(endpoint = "console/support/close")]
pub async fn operator_close(form: CloseForm) -> Result<(), ServerFnError> {
    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    ersal_server::support::close(&state, &operator, &form.conversation).await?;
    leptos_axum::redirect(Route::ConsoleSupport.path());
    Ok(())
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let only = use_query_map().with_untracked(|q| q.get("state"));
    let close = ServerAction::<OperatorClose>::new();
    // The filter shown now is marked among the filters.
    let current = only.clone().filter(|o| !o.is_empty());
    let inbox = Resource::new(
        move || close.version().get(),
        move |_| console_inbox(only.clone()),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || {
            let current = current.clone();
            Suspend::new(async move {
                let shown = move |key: Option<&str>| (current.as_deref() == key).then_some("page");
                match inbox.await {
                    Ok(Some(Inbox { operator, csrf, threads, filters })) => view! {
                        <Logout csrf=csrf.clone() operator current=Route::ConsoleSupport />
                        <section class="card">
                            <h1>"پشتیبانی"</h1>
                            <ul class="counts" data-testid="support-filters">
                                <li><a href=Route::ConsoleSupport.path() aria-current=shown(None)>"همه"</a></li>
                                {filters.into_iter().map(|(key, label)| view! {
                                    <li><a href=format!("{}?state={key}", Route::ConsoleSupport.path()) aria-current=shown(Some(&key))>{label}</a></li>
                                }).collect_view()}
                            </ul>
                            {if threads.is_empty() {
                                view! {
                                    <p>"گفتگویی نیست. " <a href=Route::ConsoleSupport.path()>"همهٔ گفتگوها"</a></p>
                                }.into_any()
                            } else {
                                view! {
                                    <ul class="threads" data-testid="support-threads">
                                        {threads.into_iter().map(|t| {
                                            let csrf = csrf.clone();
                                            let id = t.id.clone();
                                            view! {
                                                <li class="thread-row">
                                                    <a class="preview" href=Route::ConsoleThread.with(&t.id)>{t.preview}</a>
                                                    <span class=format!("badge badge-{}", t.state_key)>{t.state}</span>
                                                    {t.unread.map(|n| view! { <span class="unread">{n}" خوانده‌نشده"</span> })}
                                                    <span class="muted" title=t.updated>{t.age}</span>
                                                    {t.code.map(|code| view! {
                                                        <a class="tap" href=Route::ConsoleShipment.with(&code)>"مرسولهٔ "<bdi dir="ltr">{code.clone()}</bdi></a>
                                                    })}
                                                    {t.open.then(|| view! {
                                                        <ActionForm action=close>
                                                            <input type="hidden" name="form[csrf]" value=csrf />
                                                            <input type="hidden" name="form[conversation]" value=id />
                                                            <button class="button secondary" type="submit">"بستن"</button>
                                                        </ActionForm>
                                                    })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })
            }}
        </Suspense>
    }
}

#[component]
pub fn ThreadPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let query = use_query_map();
    let answer = ServerAction::<OperatorAnswer>::new();
    let thread = Resource::new(
        move || (id.clone(), answer.version().get()),
        |(id, _)| console_thread(id),
    );
    let message = move || {
        query
            .with(|q| q.get("m"))
            .and_then(|m| Answered::parse(&m))
            .map(Answered::label)
    };
    // A canned answer chosen (`?reply=N`) fills the box, to be edited before it is sent.
    let draft = query
        .with_untracked(|q| q.get("reply"))
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| canned().get(n).cloned())
        .unwrap_or_default();
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new({
                let draft = draft.clone();
                async move {
                match thread.await {
                    Ok(Some(data)) => view! { <ThreadView data answer draft message=message() /> }.into_any(),
                    Ok(None) => view! { <p class="card">"گفتگو پیدا نشد. " <a href=Route::ConsoleSupport.path()>"پشتیبانی"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ThreadView(
    data: ThreadData,
    answer: ServerAction<OperatorAnswer>,
    /// The answer box's text to start with (a canned answer to edit).
    draft: String,
    /// What became of the last answer, shown beside the box.
    message: Option<&'static str>,
) -> impl IntoView {
    let ThreadData {
        operator,
        csrf,
        id,
        state,
        lines,
        dropped,
    } = data;
    let (csrf_close, id_close) = (csrf.clone(), id.clone());
    let close = ServerAction::<OperatorClose>::new();
    let answer_label = format!(
        "متن پاسخ (حداکثر {} نویسه)",
        domain::text::group_thousands(MAX_ANSWER_CHARS as u64)
    );
    let here = Route::ConsoleThread.with(&id);
    let canned = canned()
        .into_iter()
        .enumerate()
        .map(|(n, text)| {
            view! { <li><a class="chip" href=format!("{here}?reply={n}#answer-text")>{text}</a></li> }
        })
        .collect_view();
    view! {
        <Logout csrf=csrf.clone() operator current=Route::ConsoleSupport />
        <section class="card">
            <h1>"گفتگوی پشتیبانی"</h1>
            <p>"وضعیت: " <span data-testid="thread-state">{state}</span></p>
            {(dropped > 0).then(|| view! {
                <p class="note" data-testid="dropped">
                    {domain::text::persian_digits(&format!("{dropped} پیام قدیمی‌تر این گفتگو برای جا نگه داشتن حذف شده است."))}
                </p>
            })}
            <ol class="timeline" data-testid="thread">
                {lines.into_iter().map(|(who, when, text, codes)| view! {
                    <li>
                        <strong>{who}</strong>
                        <span class="muted">{when}</span>
                        <p class="said">{text}</p>
                        {codes.into_iter().map(|code| view! {
                            <a class="tap" href=Route::ConsoleShipment.with(&code)>"مرسولهٔ "<bdi dir="ltr">{code.clone()}</bdi></a>
                        }).collect_view()}
                    </li>
                }).collect_view()}
            </ol>
        </section>
        <section class="card reply">
            <h2>"پاسخ"</h2>
            <ActionForm action=answer>
                <input type="hidden" name="form[csrf]" value=csrf />
                <input type="hidden" name="form[conversation]" value=id />
                <label for="answer-text">{answer_label}</label>
                <textarea id="answer-text" name="form[text]" rows="6" maxlength=MAX_ANSWER_CHARS>{draft}</textarea>
                {message.map(|m| view! { <p class="note" role="status" data-testid="console-message">{m}</p> })}
                <button class="button" type="submit">"فرستادن پاسخ"</button>
            </ActionForm>
            <h3>"پاسخ‌های آماده"</h3>
            <p class="muted">"با انتخاب هر کدام، متن در جعبهٔ پاسخ می‌نشیند تا پیش از فرستادن ویرایشش کنید."</p>
            <ul class="canned">{canned}</ul>
        </section>
        <section class="card">
            <h2>"بستن گفتگو"</h2>
            <p class="muted">"گفتگوی بسته از فهرست انتظار بیرون می‌رود؛ اگر کاربر دوباره بنویسد، باز می‌شود."</p>
            <ActionForm action=close>
                <input type="hidden" name="form[csrf]" value=csrf_close />
                <input type="hidden" name="form[conversation]" value=id_close />
                <button class="button secondary" type="submit">"بستن گفتگو"</button>
            </ActionForm>
        </section>
    }
}
