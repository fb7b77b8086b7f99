//! The public privacy page: what is stored, why, and for how long. Every duration on it comes
//! from the server (`privacy/retention`), which reads the constants and the configuration that
//! housekeeping, the retention purge and the expiry apply (`domain::lifetimes::Lifetimes`):
//! no number is written here.

use leptos::prelude::*;

/// Every duration the page states, in seconds.
pub use domain::lifetimes::Lifetimes as Terms;

/// How long each kind of data is kept, as the server applies it.
#[server(endpoint = "privacy/retention")]
pub async fn retention() -> Result<Terms, ServerFnError> {
    let state = crate::server::state();
    Ok(ersal_server::housekeeping::lifetimes(&state.config))
}

/// Who handles users' data, and how to reach support.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WhoHandles {
    /// (company, what it does with the data).
    pub processors: Vec<(String, String)>,
    pub support: crate::support_line::SupportLine,
}

#[server(endpoint = "privacy/handlers")]
pub async fn handlers() -> Result<WhoHandles, ServerFnError> {
    let state = crate::server::state();
    let processors = state.config.contact.processors.iter();
    Ok(WhoHandles {
        processors: processors
            .map(|p| (p.name.clone(), p.role.clone()))
            .collect(),
        support: crate::support_line::SupportLine::of(&state),
    })
}

/// The page's sentences on how long each thing is kept, each with its name (the item's
/// `data-testid`); the tests check each one against what the code does.
pub fn sentences(t: &Terms) -> Vec<(&'static str, String)> {
    let d = domain::text::duration;
    vec![
        (
            "retention",
            format!(
                "{} پس از پایان ارسال (تحویل، برگشت، لغو، انقضا یا مفقودی)، نام‌ها، شماره‌ها و نشانی‌های هر دو طرف، شناسهٔ گفتگو و آگهی، متن پیام‌های گفتگو، یادداشت‌های کارکنان و شرح کارهایشان روی مرسوله، و هر نشست و پیش‌نویسی که به آن مرسوله مربوط است پاک می‌شود. فقط سابقهٔ بی‌نام مرسوله می‌ماند: کالا، شهرها، هزینه، وضعیت‌ها و زمانشان، و اینکه کدام کارمند کی کاری روی آن کرد.",
                d(t.retention)
            ),
        ),
        (
            "counterparty",
            format!(
                "درخواستی که طرف دیگر تا {} تکمیلش نکند منقضی می‌شود.",
                d(t.counterparty)
            ),
        ),
        (
            "chat",
            "اجازهٔ فرستادن پیام در گفتگو همین که همهٔ ارسال‌های آن گفتگو پایان یابد و پیامی در صف نماند پاک می‌شود؛ اگر دسترسی «ارسال» را در تنظیمات دیوار لغو کنید، همان لحظه پاک می‌شود."
                .to_owned(),
        ),
        (
            "link",
            format!(
                "پیوندی که دیوار با آن «ارسال» را باز می‌کند یک بار و تا {} کار می‌کند. آنچه دیوار همراهش می‌فرستد (شناسه‌های کاربری، موقعیت و مانند آن) تا پیوند باز نشده معمولاً فقط رمزگذاری‌شده درون خود پیوند است و نزد ما نمی‌ماند؛ اگر باز شود، یا برای پیوند بیش از اندازه بزرگ باشد، نزد ما نگه داشته و با پایان نشست، و نه پیش از گذشتن همین مدت، پاک می‌شود.",
                d(t.landing_link)
            ),
        ),
        (
            "session",
            format!(
                "نشست شما پس از {} بی‌کاری، و هر چه هم فعال باشد {} پس از آغاز، پایان می‌یابد و پاک می‌شود.",
                d(t.session_idle),
                d(t.session_max)
            ),
        ),
        (
            "draft",
            format!(
                "آنچه در فرم‌ها می‌نویسید (پیش‌نویس) با ثبت یا تأیید درخواست، با پایان نشست، یا پس از {} بی‌تغییر پاک می‌شود؛ آنچه ثبت شود با مرسوله می‌ماند و با آن پاک می‌شود.",
                d(t.draft_idle)
            ),
        ),
        (
            "oauth",
            format!(
                "کد یک‌بارمصرفی که برای گرفتن اجازهٔ پیام به دیوار فرستاده می‌شود پس از استفاده، یا حداکثر پس از {}، پاک می‌شود.",
                d(t.oauth_state)
            ),
        ),
        (
            "console",
            format!(
                "برای کارکنان شرکت حمل: نشست کنسول پس از {} بی‌کاری، یا {} پس از ورود، پایان می‌یابد و پاک می‌شود؛ نشانی اینترنتی هر ورود ناموفق {} نگه داشته می‌شود.",
                d(t.console_idle),
                d(t.console_max),
                d(t.login_failure)
            ),
        ),
        (
            "support",
            format!(
                "پیام‌هایی که به بات پشتیبانی «ارسال» می‌نویسید و پاسخ کارکنان رمزنگاری‌شده نگه داشته می‌شوند. هر گفتگو پس از {} بی‌پیام بسته می‌شود (کارکنان هم می‌توانند زودتر ببندندش)، و {} پس از بسته شدن، همهٔ پیام‌های آن و پاسخ‌های بات پاک می‌شود؛ در گفتگویی که بسته نشود هم، هر پیام {} پس از نوشته شدن پاک می‌شود. هر پیامی که دیوار به «ارسال» می‌رساند پس از رسیدگی {} نگه داشته می‌شود تا اگر دوباره برسد دوباره پاسخ نگیرد.",
                d(t.support_idle_close),
                d(t.support),
                d(t.support_idle_close + t.support),
                d(t.event)
            ),
        ),
        (
            "sweep",
            format!(
                "پاک‌سازی هر {} یک بار انجام می‌شود؛ پس هر پاک‌شدنی که در بالا آمده حداکثر همین‌قدر دیرتر رخ می‌دهد.",
                d(t.sweep_every)
            ),
        ),
    ]
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let terms = Resource::new(|| (), |()| retention());
    let handlers = Resource::new(|| (), |()| handlers());
    view! {
        <section class="card" aria-labelledby="privacy-title">
            <h1 id="privacy-title">"حریم خصوصی"</h1>
            <p>"«ارسال» فقط چیزی را نگه می‌دارد که برای فرستادن مرسوله لازم است:"</p>
            <ul>
                <li>"نام، شمارهٔ همراه و نشانی فرستنده و گیرنده — برای جمع‌آوری و تحویل."</li>
                <li>"شرح، اندازه و ارزش کالا — برای هزینه و بیمه."</li>
                <li>"کد جمع‌آوری (نزد فرستنده) و کد تحویل (فقط نزد گیرنده) — هر کدام شش رقم، رمزنگاری‌شده، فقط یک بار به کار می‌روند تا ثابت شود بسته به پیک داده شد و به دست گیرندهٔ درست رسید. هیچ‌کدام در پیام گفتگو یا گزارش‌های سامانه نمی‌آید، و با اطلاعات شخصی مرسوله پاک می‌شوند."</li>
                <li>"شناسهٔ گفتگو و آگهی در دیوار و اجازهٔ فرستادن پیام در آن گفتگو — برای خبر دادن از ثبت و مراحل ارسال در همان گفتگو. از شناسهٔ کاربری شما در دیوار فقط اثری یک‌طرفه (هش) کنار این اجازه می‌ماند تا اگر دسترسی را لغو کردید، اجازه را پیدا و پاک کنیم."</li>
                <li>"پیام‌هایی که به بات پشتیبانی می‌نویسید — برای پاسخ دادن به شما."</li>
                <li>"اگر ارسال را روی آگهی‌تان نشان دهید: شناسهٔ آگهی، وضعیت آن بخش و زمان اجازه، و خود اجازه (رمزنگاری‌شده) — تا وقتی آن را از آگهی بردارید؛ با برداشتن، همه پاک می‌شود."</li>
                <li>"اگر پاسخ خودکار ارسال را برای آگهی‌تان روشن کنید: پیام‌های گفتگوهای آن آگهی فقط خوانده می‌شوند تا پرسش ارسال («به مشهد می‌فرستید؟») تشخیص داده شود، و متن هیچ پیامی نگه داشته نمی‌شود. برای هر گفتگو فقط شهری که پرسیده شد، هزینه‌ای که گفتیم و زمانش می‌ماند، تا وقتی پاسخ خودکار را خاموش کنید یا مدتش تمام شود؛ آن‌وقت همه، با اجازه‌اش، پاک می‌شود."</li>
            </ul>
            <p>
                "نام‌ها، شماره‌ها، نشانی‌ها و اجازهٔ پیام رمزنگاری‌شده ذخیره می‌شوند و در پیام‌های گفتگو فقط شرح کالا و نام شهرها می‌آید."
            </p>
            <h2>"تا کی نگه داشته می‌شود"</h2>
            <Suspense fallback=|| "">
                {move || Suspend::new(async move {
                    match terms.await {
                        Ok(terms) => view! {
                            <ul>
                                {sentences(&terms)
                                    .into_iter()
                                    .map(|(name, text)| view! { <li data-testid=name>{text}</li> })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(_) => view! { <p>"مدت‌های نگه‌داری اکنون در دسترس نیست؛ کمی بعد دوباره سر بزنید."</p> }
                            .into_any(),
                    }
                })}
            </Suspense>
            <h2>"چه کسانی به اطلاعات شما دسترسی دارند"</h2>
            <Suspense fallback=|| "">
                {move || Suspend::new(async move {
                    match handlers.await {
                        Ok(WhoHandles { processors, support }) => view! {
                            <p>"اطلاعات شما فقط به این شرکت‌ها، و فقط برای همین کارها، داده می‌شود:"</p>
                            <ul data-testid="processors">
                                {processors
                                    .into_iter()
                                    .map(|(name, role)| view! { <li><strong>{name}</strong>": "{role}</li> })
                                    .collect_view()}
                            </ul>
                            <crate::support_line::SupportCard line=support />
                        }
                        .into_any(),
                        Err(_) => view! { <p>"این بخش اکنون در دسترس نیست؛ کمی بعد دوباره سر بزنید."</p> }
                            .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
