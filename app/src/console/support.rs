//! `/console/support`: the support bot's conversations, newest first, with their state and
//! unread counts; `/console/support/{id}`: one conversation's messages (shipments named by
//! their code linked) and the answer form, with a few canned answers. Each answer goes out
//! through the bot's API and records who sent it.

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
    pub unread: String,
    pub updated: String,
    /// Not closed yet: the row offers "close".
    pub open: bool,
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
    Ok(Some(Inbox {
        operator: operator.username,
        csrf: operator.csrf,
        threads: threads
            .into_iter()
            .map(|t| ThreadRow {
                state: t.state.label().to_owned(),
                unread: persian_digits(&t.unread.to_string()),
                updated: JalaliDateTime::from_unix(t.updated_at).display(),
                open: t.state != Thread::Closed,
                id: t.conversation.into(),
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
    use domain::code::TrackingCode;
    use domain::jalali::JalaliDateTime;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let read = ersal_server::support::read(&state, &id).await?;
    let Some(conversation) = read else {
        return Ok(None);
    };
    let (thread, said) = (conversation.state, conversation.said);
    let codes = |text: &str| {
        text.split(|c: char| !c.is_alphanumeric())
            .filter_map(TrackingCode::parse)
            .map(|c| c.to_string())
            .collect()
    };
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
                let found = codes(&s.text);
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
    let inbox = Resource::new(
        move || close.version().get(),
        move |_| console_inbox(only.clone()),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(Some(Inbox { operator, csrf, threads, filters })) => view! {
                        <Logout csrf=csrf.clone() operator />
                        <section class="card">
                            <h1>"پشتیبانی"</h1>
                            <ul class="counts" data-testid="support-filters">
                                <li><a href=Route::ConsoleSupport.path()>"همه"</a></li>
                                {filters.into_iter().map(|(key, label)| view! {
                                    <li><a href=format!("{}?state={key}", Route::ConsoleSupport.path())>{label}</a></li>
                                }).collect_view()}
                            </ul>
                            {if threads.is_empty() {
                                view! { <p>"گفتگویی نیست."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll">
                                        <table data-testid="support-threads">
                                            <thead><tr><th>"گفتگو"</th><th>"وضعیت"</th><th>"خوانده‌نشده"</th><th>"آخرین پیام"</th><th></th></tr></thead>
                                            <tbody>
                                                {threads.into_iter().map(|t| {
                                                    let csrf = csrf.clone();
                                                    let id = t.id.clone();
                                                    view! {
                                                        <tr>
                                                            <td dir="ltr"><a href=Route::ConsoleThread.with(&t.id)>{t.id.chars().take(13).collect::<String>()}</a></td>
                                                            <td>{t.state}</td>
                                                            <td>{t.unread}</td>
                                                            <td>{t.updated}</td>
                                                            <td>{t.open.then(|| view! {
                                                                <ActionForm action=close>
                                                                    <input type="hidden" name="form[csrf]" value=csrf />
                                                                    <input type="hidden" name="form[conversation]" value=id />
                                                                    <button class="button secondary" type="submit">"بستن"</button>
                                                                </ActionForm>
                                                            })}</td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
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
    view! {
        {move || message().map(|m| view! { <p class="card note" role="status" data-testid="console-message">{m}</p> })}
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(Some(data)) => view! { <ThreadView data answer /> }.into_any(),
                    Ok(None) => view! { <p class="card">"گفتگو پیدا نشد. " <a href=Route::ConsoleSupport.path()>"پشتیبانی"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ThreadView(data: ThreadData, answer: ServerAction<OperatorAnswer>) -> impl IntoView {
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
    let canned = canned()
        .into_iter()
        .map(|text| {
            let (csrf, id) = (csrf.clone(), id.clone());
            view! {
                <ActionForm action=answer>
                    <input type="hidden" name="form[csrf]" value=csrf />
                    <input type="hidden" name="form[conversation]" value=id />
                    <input type="hidden" name="form[text]" value=text.clone() />
                    <button class="button secondary" type="submit">{text}</button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <Logout csrf=csrf.clone() operator />
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
        <section class="card">
            <h2>"پاسخ"</h2>
            <ActionForm action=answer>
                <input type="hidden" name="form[csrf]" value=csrf />
                <input type="hidden" name="form[conversation]" value=id />
                <label for="answer-text">{answer_label}</label>
                <textarea id="answer-text" name="form[text]" rows="4" maxlength=MAX_ANSWER_CHARS></textarea>
                <button class="button" type="submit">"فرستادن"</button>
            </ActionForm>
            <h3>"پاسخ‌های آماده"</h3>
            <div class="actions">{canned}</div>
        </section>
        <section class="card">
            <ActionForm action=close>
                <input type="hidden" name="form[csrf]" value=csrf_close />
                <input type="hidden" name="form[conversation]" value=id_close />
                <button class="button secondary" type="submit">"بستن گفتگو"</button>
            </ActionForm>
        </section>
    }
}
