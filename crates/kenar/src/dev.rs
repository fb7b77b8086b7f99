//! The credentials of the local development app: what Ersal's dev configuration and the Divar
//! sandbox (which plays Divar in development and tests) both use when nothing else is set, so
//! the two agree without any set-up. Production refuses every one of them.

/// The Divar identification key Divar sends in `Authorization`.
pub const IDENTIFICATION_KEY: &str = "ersal-dev-identification-key";
/// The app slug (OAuth `client_id`).
pub const APP_SLUG: &str = "ersal-dev";
/// The API key (`x-api-key`).
pub const API_KEY: &str = "ersal-dev-api-key";
/// The OAuth client secret.
pub const CLIENT_SECRET: &str = "ersal-dev-oauth-client-secret";
/// Where the sandbox listens.
pub const SANDBOX_ADDR: &str = "127.0.0.1:3100";
/// Where the app listens (`Leptos.toml`'s `site-addr`).
pub const APP_URL: &str = "http://127.0.0.1:3000";
