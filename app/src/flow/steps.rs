//! One component per step of the landing flow. Each is a plain form to its server function.

use domain::draft::Step;
use domain::forms::{Errors, Intent, ItemForm, PartyForm, QuoteForm};
use domain::routes::Route;
use domain::shipment::{HandoverChoice, Payer, PickupWindow, Role};
use domain::tariff::Service;
use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{Choices, ChooseRole, QuoteView, SaveItem, SaveParty, SubmitQuote};
use crate::islands::{FieldChecks, RequoteOnPick};
use crate::loader::IslandScripts;
use crate::ui::{CitySelect, ErrorSummary, Field, OptionalRow, ProvinceOption, Radios};

#[component]
pub(super) fn Steps(current: Step) -> impl IntoView {
    let steps = [Step::Item, Step::Party, Step::Quote];
    let index = |s: Step| steps.iter().position(|x| *x == s).unwrap_or(0);
    let now = index(current);
    view! {
        <ol class="steps" aria-label="مراحل">
            {steps
                .into_iter()
                .enumerate()
                .map(|(i, step)| {
                    let is_current = step == current;
                    let reachable = i < now;
                    view! {
                        <li class:current=is_current aria-current=is_current.then_some("step")>
                            {if reachable {
                                view! { <a href=step.path()>{step.label()}</a> }.into_any()
                            } else {
                                view! { <span>{step.label()}</span> }.into_any()
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[component]
pub(super) fn RoleStep(action: ServerAction<ChooseRole>, errors: Errors) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"نقش شما در این معامله"</h2>
            <ErrorSummary errors=errors.clone() />
            <ActionForm action>
                <fieldset>
                    <legend>"شما فروشنده‌اید یا خریدار؟"</legend>
                    <label class="choice">
                        <input type="radio" name="form[role]" value=Role::Sender.key() required />
                        "فروشنده‌ام و کالا را می‌فرستم"
                    </label>
                    <label class="choice">
                        <input type="radio" name="form[role]" value=Role::Receiver.key() />
                        "خریدارم و کالا را می‌گیرم"
                    </label>
                </fieldset>
                <button class="button" type="submit">"ادامه"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub(super) fn ItemStep(
    action: ServerAction<SaveItem>,
    form: ItemForm,
    errors: Errors,
) -> impl IntoView {
    let size_error_shown = errors.contains_key("size_class");
    let size_error = errors.get("size_class").cloned();
    let selected = form.size_class.clone();
    let (dimension_errors, (length, width, height)) = (
        errors.clone(),
        (
            form.length_cm.clone(),
            form.width_cm.clone(),
            form.height_cm.clone(),
        ),
    );
    view! {
        <section class="card">
            <h2>"کالا"</h2>
            <ErrorSummary errors=errors.clone() />
            <FieldChecks>
                <ActionForm action>
                    <Field field="description" label="شرح کالا" value=form.description errors=errors.clone() hint="حداکثر ۱۰۰ نویسه، مثل «گوشی موبایل با جعبه»" />
                    <fieldset class:invalid=size_error_shown aria-describedby=size_error_shown.then_some("f-size_class-error")>
                        <legend>"اندازه"</legend>
                        {domain::size::SizeClass::ALL
                            .into_iter()
                            .map(|class| {
                                let checked = selected == class.key();
                                view! {
                                    <label class="choice">
                                        <input type="radio" name="form[size_class]" value=class.key() checked=checked />
                                        <span class="choice-text">
                                            {class.label()}
                                            <span class="muted">{class.example()}</span>
                                        </span>
                                    </label>
                                }
                            })
                            .collect_view()}
                        {size_error.map(|m| view! { <p class="field-error" id="f-size_class-error">{m}</p> })}
                    </fieldset>
                    <Field field="weight_kg" label="وزن دقیق (کیلوگرم)" value=form.weight_kg errors=errors.clone() input_mode="decimal" optional=true />
                    <OptionalRow legend="ابعاد (سانتی‌متر)">
                        <Field field="length_cm" label="طول" value=length errors=dimension_errors.clone() input_mode="numeric" />
                        <Field field="width_cm" label="عرض" value=width errors=dimension_errors.clone() input_mode="numeric" />
                        <Field field="height_cm" label="ارتفاع" value=height errors=dimension_errors input_mode="numeric" />
                    </OptionalRow>
                    <Field field="declared_value" label="ارزش کالا (تومان)" value=form.declared_value errors=errors.clone() input_mode="numeric" hint="برای بیمه؛ صفر هم می‌شود" />
                    <label class="choice">
                        <input type="checkbox" name="form[fragile]" value="1" checked=form.fragile.is_some() />
                        "شکستنی است"
                    </label>
                    <button class="button" type="submit">"ادامه"</button>
                </ActionForm>
            </FieldChecks>
            <IslandScripts />
        </section>
    }
}

#[component]
pub(super) fn PartyStep(
    action: ServerAction<SaveParty>,
    role: Role,
    form: PartyForm,
    errors: Errors,
    choices: Choices,
) -> impl IntoView {
    let Choices {
        provinces,
        pickup_days,
    } = choices;
    let sender = role == Role::Sender;
    let title = if sender {
        "مشخصات فرستنده (شما)"
    } else {
        "مشخصات گیرنده (شما)"
    };
    let handover_error_shown = errors.contains_key("handover");
    let handover_error = errors.get("handover").cloned();
    let day_error = errors.get("pickup_day").cloned();
    let window_error = errors.get("pickup_window").cloned();
    let timing_invalid = errors.contains_key("pickup_day") || errors.contains_key("pickup_window");
    let handover = form.handover.clone();
    let chosen_day = form.pickup_day.clone();
    let chosen_window = form.pickup_window.clone();
    let (detail_errors, (plaque, unit, floor)) = (
        errors.clone(),
        (form.plaque.clone(), form.unit.clone(), form.floor.clone()),
    );
    view! {
        <section class="card">
            <h2>{title}</h2>
            <p class="muted">"فقط مشخصات خودتان را بنویسید؛ طرف مقابل مشخصات خودش را جدا وارد می‌کند."</p>
            <ErrorSummary errors=errors.clone() />
            <FieldChecks>
                <ActionForm action>
                    <Field field="name" label="نام و نام خانوادگی" value=form.name errors=errors.clone() autocomplete="name" />
                    <Field field="mobile" label="شمارهٔ همراه" value=form.mobile errors=errors.clone() input_mode="tel" autocomplete="tel" hint="مثل ۰۹۱۲۳۴۵۶۷۸۹" />
                    <CitySelect field="city" label="شهر" selected=form.city provinces errors=errors.clone() />
                    <Field field="address" label="نشانی" value=form.address errors=errors.clone() autocomplete="street-address" />
                    <OptionalRow legend="جزئیات نشانی">
                        <Field field="plaque" label="پلاک" value=plaque errors=detail_errors.clone() />
                        <Field field="unit" label="واحد" value=unit errors=detail_errors.clone() />
                        <Field field="floor" label="طبقه" value=floor errors=detail_errors />
                    </OptionalRow>
                    <Field field="postal_code" label="کد پستی" value=form.postal_code errors=errors.clone() input_mode="numeric" optional=true />
                    <fieldset class:invalid=handover_error_shown>
                        <legend>{if sender { "تحویل به شرکت حمل" } else { "تحویل به شما" }}</legend>
                        <Radios
                            field="handover"
                            options=HandoverChoice::for_role(role).map(|c| (c.key(), c.label())).to_vec()
                            chosen=handover
                        />
                        {handover_error.map(|m| view! { <p class="field-error">{m}</p> })}
                    </fieldset>
                    {sender.then(|| view! {
                        <fieldset class:invalid=timing_invalid>
                            <legend>"زمان جمع‌آوری (اگر پیک می‌آید)"</legend>
                            <label for="f-pickup_day">"روز"</label>
                            <select id="f-pickup_day" name="form[pickup_day]">
                                {pickup_days
                                    .into_iter()
                                    .map(|(day, label)| {
                                        let selected = chosen_day == day.to_string();
                                        view! { <option value=day.to_string() selected=selected>{label}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            {day_error.map(|m| view! { <p class="field-error">{m}</p> })}
                            <p class="label-like">"بازهٔ ساعت"</p>
                            <Radios
                                field="pickup_window"
                                options=PickupWindow::ALL.map(|w| (w.key(), w.label())).to_vec()
                                chosen=chosen_window
                            />
                            {window_error.map(|m| view! { <p class="field-error">{m}</p> })}
                        </fieldset>
                    })}
                    <button class="button" type="submit">"ادامه"</button>
                </ActionForm>
            </FieldChecks>
            <IslandScripts />
        </section>
    }
}

#[component]
pub(super) fn QuoteStep(
    action: ServerAction<SubmitQuote>,
    role: Role,
    form: QuoteForm,
    errors: Errors,
    provinces: Vec<ProvinceOption>,
    quotes: Vec<QuoteView>,
) -> impl IntoView {
    let other_label = if role == Role::Sender {
        "شهر گیرنده (برای برآورد هزینه)"
    } else {
        "شهر فرستنده (برای برآورد هزینه)"
    };
    let service = if form.service.is_empty() {
        Service::Economy.key().to_owned()
    } else {
        form.service.clone()
    };
    let payer = form.payer.clone();
    let service_error_shown = errors.contains_key("service");
    let service_error = errors.get("service").cloned();
    let payer_error_shown = errors.contains_key("payer");
    let payer_error = errors.get("payer").cloned();
    let consent_error_shown = errors.contains_key("consent");
    let consent_error = errors.get("consent").cloned();
    view! {
        <section class="card">
            <h2>"هزینه و ثبت"</h2>
            <ErrorSummary errors=errors.clone() />
            <ActionForm action>
                <RequoteOnPick>
                    <CitySelect field="other_city" label=other_label selected=form.other_city provinces errors=errors.clone() />
                    <button class="button secondary" type="submit" name="form[intent]" value=Intent::Quote.key()>"محاسبهٔ هزینه"</button>
                </RequoteOnPick>
                <fieldset class:invalid=service_error_shown aria-live="polite">
                    <legend>"سرویس"</legend>
                    {if quotes.is_empty() {
                        view! { <p class="muted">"برای دیدن هزینه، شهر طرف مقابل را انتخاب کنید."</p> }.into_any()
                    } else {
                        quotes.into_iter().map(|q| view! { <QuoteChoice checked=q.service == service quote=q /> }).collect_view().into_any()
                    }}
                    {service_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <fieldset class:invalid=payer_error_shown>
                    <legend>"پرداخت هزینهٔ ارسال"</legend>
                    <Radios
                        field="payer"
                        options=[Payer::Sender, Payer::Receiver].map(|p| (p.key(), p.label())).to_vec()
                        chosen=payer
                    />
                    {payer_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <div class="field" class:invalid=consent_error_shown>
                    <label class="choice">
                        <input type="checkbox" name="form[consent]" value="1" checked=form.consent.is_some() />
                        <span>
                            "می‌پذیرم که نام، شماره و نشانی‌ام برای این ارسال نگه داشته و پس از پایان آن پاک شود ("
                            <a href=Route::Privacy.path()>"حریم خصوصی"</a>
                            ")."
                        </span>
                    </label>
                    {consent_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <button class="button" type="submit" name="form[intent]" value=Intent::Submit.key()>"ثبت درخواست"</button>
            </ActionForm>
            <IslandScripts />
        </section>
    }
}

/// One service and its price, to choose.
#[component]
fn QuoteChoice(quote: QuoteView, checked: bool) -> impl IntoView {
    let QuoteView {
        service,
        label,
        total,
        shipping,
        insurance,
        vat,
        zone,
        chargeable,
    } = quote;
    let breakdown = format!(
        "{zone}؛ وزن محاسبه‌شده {chargeable} کیلوگرم؛ کرایه {shipping}؛ بیمه {insurance}؛ مالیات بر ارزش افزوده {vat}"
    );
    view! {
        <label class="choice quote">
            <input type="radio" name="form[service]" value=service.clone() checked=checked />
            <span>
                <strong>{label}</strong>
                " — "
                <strong data-testid=format!("total-{service}")>{total}</strong>
                <span class="muted breakdown">{breakdown}</span>
            </span>
        </label>
    }
}
