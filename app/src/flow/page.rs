//! The landing page: loads the browser's flow and shows the opener's steps or the other side's.

use domain::draft::Step;
use domain::routes::Route;
use domain::shipment::Role;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::steps::{ItemStep, PartyStep, QuoteStep, RoleStep, Steps};
use super::{
    load_flow, ChooseRole, ConfirmCounterparty, CounterpartyView, Flow, FlowView, SaveItem,
    SaveParty, SubmitQuote,
};
use crate::ui::{DeadEnd, DeadEndKind, Failure, FooterLinks};

#[component]
pub fn FlowPage() -> impl IntoView {
    let query = use_query_map();
    let choose_role = ServerAction::<ChooseRole>::new();
    let save_item = ServerAction::<SaveItem>::new();
    let save_party = ServerAction::<SaveParty>::new();
    let submit = ServerAction::<SubmitQuote>::new();
    let confirm = ServerAction::<ConfirmCounterparty>::new();
    // Rendered on the server only: each form posts to its server function, which redirects
    // back here (post/redirect/get).
    let flow = Resource::new(move || query.with(|q| q.get("step")), load_flow);
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
                        <DeadEnd kind=DeadEndKind::NoLongerWaiting back_to link=(tracking, "پیگیری ارسال") />
                    }
                    .into_any(),
                    Ok(Flow::Refused { back_to }) => {
                        view! { <DeadEnd kind=DeadEndKind::ForeignButton back_to /> }.into_any()
                    }
                    Ok(Flow::Shipment { tracking }) => {
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect(&tracking);
                        view! { <p class="card"><a href=tracking>"پیگیری ارسال"</a></p> }.into_any()
                    }
                    Ok(Flow::NoSession { back_to }) => {
                        view! { <DeadEnd kind=DeadEndKind::SessionEnded back_to /> }.into_any()
                    }
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
        post,
        step,
        draft,
        choices,
        quotes,
    } = view;
    let back_to = context.back_to.clone();
    let role = context.role.unwrap_or(Role::Sender);
    let no_chat = !context.in_chat;
    let body = match step {
        Step::Role => view! { <RoleStep action=choose_role errors=draft.errors.clone() /> }.into_any(),
        Step::Item => view! { <ItemStep action=save_item form=draft.item.clone() errors=draft.errors.clone() /> }.into_any(),
        Step::Party => view! {
            <PartyStep
                action=save_party
                role
                form=draft.party.clone()
                errors=draft.errors.clone()
                choices=choices.clone()
            />
        }
        .into_any(),
        Step::Quote | Step::Confirm => view! {
            <QuoteStep
                action=submit
                role
                form=draft.quote.clone()
                errors=draft.errors.clone()
                provinces=choices.provinces
                quotes
            />
        }
        .into_any(),
    };
    view! {
        <SessionCard title="درخواست ارسال کالا" role=context.role note=no_chat>
            {post.title.map(|title| view! { <dt>"آگهی"</dt><dd data-testid="post-title">{title}</dd> })}
            {post.city.map(|city| view! { <dt>"شهر آگهی"</dt><dd data-testid="post-city">{city}</dd> })}
            {post.price.map(|price| view! { <dt>"قیمت آگهی"</dt><dd data-testid="post-price">{price}</dd> })}
            {post.shipping.map(|range| view! { <dt>"هزینهٔ ارسال از این شهر"</dt><dd data-testid="shipping-range">{range}</dd> })}
        </SessionCard>
        <Steps current=step />
        {body}
        {(context.can_offer && matches!(step, Step::Role | Step::Item)).then(|| view! {
            <p class="card">
                <a class="tap" href=Route::Offer.path()>"فروشندهٔ این آگهی هستید؟ ارسال را روی آگهی به خریداران نشان دهید"</a>
            </p>
        })}
        <FooterLinks back_to />
    }
}

/// The card that opens a landing page: its title, the user's side, what else is known, and,
/// when the page was not opened from a chat, that nothing will be posted to one.
#[component]
fn SessionCard(
    title: &'static str,
    role: Option<Role>,
    #[prop(optional)] note: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card context" aria-labelledby="landing-title">
            <h1 id="landing-title">{title}</h1>
            <dl class="facts">
                <dt>"نقش شما"</dt>
                <dd data-testid="side">{role.map_or("مشخص نشده", Role::deal_label)}</dd>
                {children()}
            </dl>
            {note.then(|| view! {
                <p class="note">"این صفحه از یک گفتگو باز نشده است؛ نتیجه در گفتگو فرستاده نمی‌شود."</p>
            })}
        </section>
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
        choices,
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
                <p><a class="tap" href=Step::Party.path()>"ویرایش مشخصات"</a></p>
            </section>
        }
        .into_any(),
        _ => view! { <PartyStep action=save_party role form errors choices /> }.into_any(),
    };
    view! {
        <SessionCard title="تکمیل درخواست ارسال" role=context.role>
            <dt>"کالا"</dt>
            <dd>{item}</dd>
            <dt>"شهر طرف مقابل"</dt>
            <dd>{opener_city}</dd>
            <dt>"سرویس"</dt>
            <dd>{service}</dd>
            <dt>"پرداخت"</dt>
            <dd>{payer}</dd>
        </SessionCard>
        {body}
        <FooterLinks back_to />
    }
}
