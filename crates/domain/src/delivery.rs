//! Where a message Ersal queued for Divar stands (a chat message, a bot answer, a change to a
//! post's widgets): stored with each outbox row, shown to operators and on the tracking page.

crate::keyed! {
    /// Where a queued message stands.
    pub enum Delivery {
        Pending = ("pending", "در صف ارسال"),
        Sent = ("sent", "فرستاده شد"),
        /// Divar answered 412 with code 9: one side has restricted the chat.
        Undeliverable = ("undeliverable", "نرسید (گفتگو محدود شده)"),
        Failed = ("failed", "ناموفق"),
        /// An attempt started and its instance died before the answer was recorded: Divar may
        /// have posted it. Never sent again.
        Unknown = ("unknown", "شاید فرستاده شده (پاسخ دیوار نرسید)"),
        /// No permission to post: it was never given, the user revoked it in Divar, or Divar
        /// refused to refresh it. The chat was not notified.
        NotPermitted = ("not_permitted", "فرستاده نشد (اجازهٔ پیام نبود)"),
    }
}

impl Delivery {
    /// For the two sides, on the tracking page.
    pub fn tracking_note(self) -> &'static str {
        match self {
            Self::Sent => "در گفتگو اعلام شد.",
            Self::Pending => "پیام در حال ارسال به گفتگو است.",
            Self::Undeliverable => {
                "پیام به گفتگو نرسید: یکی از دو طرف پیام‌ها را محدود کرده است. درخواست ثبت شده است."
            }
            Self::Failed => "گفتگو از آخرین تغییر باخبر نشد.",
            Self::Unknown => {
                "شاید پیام در گفتگو نشسته باشد؛ اگر آن را نمی‌بینید، وضعیت همین صفحه معتبر است."
            }
            Self::NotPermitted => {
                "گفتگو از آخرین تغییر باخبر نشد: اجازهٔ پیام در این گفتگو داده نشده یا در دیوار پس گرفته شده است. وضعیت همین صفحه معتبر است."
            }
        }
    }

    /// Whether the message's fate is known and final.
    pub fn is_settled(self) -> bool {
        self != Self::Pending
    }
}
