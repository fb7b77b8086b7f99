//! Secrets the console shows once (an API token, a webhook's signing secret): the server
//! function that makes one hands it to the page that shows it in a cookie, sealed, for that
//! page only, for two minutes; never in an address. The page reads it and removes it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::routes::Route;
use http::HeaderMap;

use crate::state::AppState;

/// One kind of secret shown once: its cookie, the sealing context, the page and its shape.
pub struct ShownOnce {
    cookie: &'static str,
    context: &'static [u8],
    page: Route,
    shaped: fn(&str) -> bool,
}

/// An API token, shown on `/console/tokens`.
pub const API_TOKEN: ShownOnce = ShownOnce {
    cookie: "ersal_new_api_token",
    context: b"console new api token",
    page: Route::ConsoleTokens,
    shaped: domain::api::looks_like_token,
};

/// A webhook endpoint's signing secret, shown on `/console/webhooks` and its endpoints' pages.
pub const WEBHOOK_SECRET: ShownOnce = ShownOnce {
    cookie: "ersal_new_webhook_secret",
    context: b"console new webhook secret",
    page: Route::ConsoleWebhooks,
    shaped: domain::webhook::looks_like_secret,
};

impl ShownOnce {
    /// The `Set-Cookie` that carries `secret` to the page.
    pub fn carry(&self, state: &AppState, secret: &str) -> String {
        let sealed = URL_SAFE_NO_PAD.encode(state.keys.seal(secret.as_bytes(), self.context));
        self.cookie(state, Some(&sealed))
    }

    /// The secret the browser carries, if any; the page also sends [`Self::clear`].
    pub fn take(&self, state: &AppState, headers: &HeaderMap) -> Option<String> {
        let sealed = crate::state::cookie_value(headers, self.cookie, store::crypto::is_url_safe)?;
        let sealed = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let secret = String::from_utf8(state.keys.open(&sealed, self.context).ok()?).ok()?;
        (self.shaped)(&secret).then_some(secret)
    }

    /// The `Set-Cookie` that removes it.
    pub fn clear(&self, state: &AppState) -> String {
        self.cookie(state, None)
    }

    fn cookie(&self, state: &AppState, sealed: Option<&str>) -> String {
        let mut built = cookie::Cookie::build((self.cookie, sealed.unwrap_or_default().to_owned()))
            .path(self.page.path())
            .max_age(cookie::time::Duration::minutes(2))
            .http_only(true)
            .same_site(cookie::SameSite::Strict)
            .secure(!state.config.is_dev())
            .build();
        if sealed.is_none() {
            built.make_removal();
        }
        built.to_string()
    }
}
