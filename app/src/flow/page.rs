//! The landing page: loads the browser's flow and shows the opener's steps or the other side's.

use domain::draft::Step;
use domain::shipment::Role;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::steps::{ItemStep, PartyStep, QuoteStep, RoleStep, Steps};
use super::{
    load_flow, ChooseRole, ConfirmCounterparty, CounterpartyView, Flow, FlowView, SaveItem,
    SaveParty, SubmitQuote,
};
use crate::ui::{BackToDivar, DeadEnd, Failure, NoSession};

fn role_label(role: Option<Role>) -> &'static str {
    role.map_or("مشخص نشده", Role::deal_label)
}

#[component]
pub fn FlowPage() -> impl IntoView {
    let query = use_query_map();
    let choose_role = ServerAction::<ChooseRole>::new();
    let save_item = ServerAction::<SaveItem>::new();
    let save_party = ServerAction::<SaveParty>::new();
    let submit = ServerAction::<SubmitQuote>::new();
    let confirm = ServerAction::<ConfirmCounterparty>::new();
    let flow = Resource::new(
        move || {
            (
                query.with(|q| q.get("step")),
                choose_role.version().get()
                    + save_item.version().get()
                    + save_party.version().get()
                    + submit.version().get()
                    + confirm.version().get(),
            )
        },
        |(step, _)| load_flow(step),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match flow.await {
                    Ok(Flow::Active(view)) => {
                        view! { <FlowSteps view=*view choose_role save_item save_party submit /> }.into_any()
                    }
                    Ok(Flow::Counterparty(view)) => {
                        view! { <CounterpartySteps view=*view save_party confirm /> }.into_any()
                    }
                    Ok(Flow::Closed { back_to, tracking }) => view! {
                        <DeadEnd
                            title="این درخواست دیگر منتظر شما نیست"
                            body="مشخصات طرف دوم قبلاً ثبت شده یا درخواست لغو شده است."
                            back_to
                            link=(tracking, "پیگیری ارسال")
                        />
                    }
                    .into_any(),
                    Ok(Flow::Refused { back_to }) => view! {
                        <DeadEnd
                            title="این دکمه معتبر نیست"
                            body="این دکمه به این گفتگو تعلق ندارد یا تغییر کرده است. هیچ تغییری انجام نشد."
                            back_to
                        />
                    }
                    .into_any(),
                    Ok(Flow::NoSession { back_to }) => view! { <NoSession back_to /> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FlowSteps(
    view: FlowView,
    choose_role: ServerAction<ChooseRole>,
    save_item: ServerAction<SaveItem>,
    save_party: ServerAction<SaveParty>,
    submit: ServerAction<SubmitQuote>,
) -> impl IntoView {
    let FlowView {
        context,
        step,
        draft,
        provinces,
        pickup_days,
        quotes,
    } = view;
    let back_to = context.back_to.clone();
    let role = context.role.unwrap_or(Role::Sender);
    let no_chat = context.conversation_id.is_none();
    let body = match step {
        Step::Role => view! { <RoleStep action=choose_role errors=draft.errors.clone() /> }.into_any(),
        Step::Item => view! { <ItemStep action=save_item form=draft.item.clone() errors=draft.errors.clone() /> }.into_any(),
        Step::Party => view! {
            <PartyStep
                action=save_party
                role
                form=draft.party.clone()
                errors=draft.errors.clone()
                provinces=provinces.clone()
                pickup_days
            />
        }
        .into_any(),
        Step::Quote | Step::Confirm => view! {
            <QuoteStep
                action=submit
                role
                form=draft.quote.clone()
                errors=draft.errors.clone()
                provinces
                quotes
            />
        }
        .into_any(),
    };
    view! {
        <section class="card context" aria-labelledby="landing-title">
            <h1 id="landing-title">"درخواست ارسال کالا"</h1>
            <dl class="facts">
                <dt>"نقش شما"</dt>
                <dd data-testid="side">{role_label(context.role)}</dd>
                <dt>"ورود از"</dt>
                <dd data-testid="source">{context.source}</dd>
                <dt>"آگهی"</dt>
                <dd data-testid="post" dir="ltr">{context.post_token.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"گفتگو"</dt>
                <dd data-testid="conversation" dir="ltr">{context.conversation_id.unwrap_or_else(|| "—".to_owned())}</dd>
            </dl>
            {no_chat.then(|| view! {
                <p class="note">"این صفحه از یک گفتگو باز نشده است؛ نتیجه در گفتگو فرستاده نمی‌شود."</p>
            })}
        </section>
        <Steps current=step />
        {body}
        <nav class="card footer-links" aria-label="پیوندها">
            <BackToDivar href=back_to />
            <a href="/privacy">"حریم خصوصی"</a>
        </nav>
    }
}

#[component]
fn CounterpartySteps(
    view: CounterpartyView,
    save_party: ServerAction<SaveParty>,
    confirm: ServerAction<ConfirmCounterparty>,
) -> impl IntoView {
    let CounterpartyView {
        context,
        step,
        item,
        opener_city,
        service,
        payer,
        form,
        errors,
        provinces,
        pickup_days,
        total,
    } = view;
    let role = context.role.unwrap_or(Role::Sender);
    let back_to = context.back_to.clone();
    let body = match total {
        Some(total) if step == Step::Confirm => view! {
            <section class="card">
                <h2>"تأیید و ثبت"</h2>
                <p>"هزینهٔ نهایی با شهر شما: " <strong data-testid="final-total">{total}</strong></p>
                <ActionForm action=confirm>
                    <input type="hidden" name="form[confirm]" value="yes" />
                    <button class="button" type="submit">"تأیید و ثبت ارسال"</button>
                </ActionForm>
                <p><a href=Step::Party.path()>"ویرایش مشخصات"</a></p>
            </section>
        }
        .into_any(),
        _ => view! { <PartyStep action=save_party role form errors provinces pickup_days /> }
            .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="landing-title">
            <h1 id="landing-title">"تکمیل درخواست ارسال"</h1>
            <dl class="facts">
                <dt>"نقش شما"</dt>
                <dd data-testid="side">{role_label(context.role)}</dd>
                <dt>"کالا"</dt>
                <dd>{item}</dd>
                <dt>"شهر طرف مقابل"</dt>
                <dd>{opener_city}</dd>
                <dt>"سرویس"</dt>
                <dd>{service}</dd>
                <dt>"پرداخت"</dt>
                <dd>{payer}</dd>
            </dl>
        </section>
        {body}
        <nav class="card footer-links" aria-label="پیوندها">
            <BackToDivar href=back_to />
            <a href="/privacy">"حریم خصوصی"</a>
        </nav>
    }
}
