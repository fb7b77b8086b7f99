//! The public privacy page: what is stored, why, and for how long.

use leptos::prelude::*;

/// Days personal data is kept after a shipment ends (the configured retention).
#[server(endpoint = "privacy/retention")]
pub async fn retention_days() -> Result<u32, ServerFnError> {
    Ok(crate::server::state().config.retention_days)
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::public_page();
    let days = Resource::new(|| (), |()| retention_days());
    view! {
        <section class="card" aria-labelledby="privacy-title">
            <h1 id="privacy-title">"حریم خصوصی"</h1>
            <p>"«ارسال» فقط چیزی را نگه می‌دارد که برای فرستادن مرسوله لازم است:"</p>
            <ul>
                <li>"نام، شمارهٔ همراه و نشانی فرستنده و گیرنده — برای جمع‌آوری و تحویل."</li>
                <li>"شرح، اندازه و ارزش کالا — برای هزینه و بیمه."</li>
                <li>"شناسهٔ گفتگو و آگهی در دیوار — برای فرستادن نتیجه در همان گفتگو."</li>
            </ul>
            <p>
                "نام‌ها، شماره‌ها و نشانی‌ها رمزنگاری‌شده ذخیره می‌شوند و در پیام‌های گفتگو فقط نام شهرها می‌آید. "
                <Suspense fallback=|| "">
                    {move || Suspend::new(async move {
                        let days = days.await.map_or_else(|_| "۳۰".to_owned(), |d| domain::text::persian_digits(&d.to_string()));
                        view! {
                            <span data-testid="retention">
                                {format!("این اطلاعات {days} روز پس از پایان ارسال (تحویل، برگشت، لغو، انقضا یا مفقودی) پاک می‌شود و فقط سابقهٔ بی‌نام مرسوله می‌ماند.")}
                            </span>
                        }
                    })}
                </Suspense>
            </p>
            <p>"اطلاعات شما به کسی جز شرکت حملی که مرسوله را جابه‌جا می‌کند داده نمی‌شود."</p>
        </section>
    }
}
