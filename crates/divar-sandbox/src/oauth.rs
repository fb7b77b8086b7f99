//! OAuth 2.0 as Divar runs it (docs/kenar.md, “OAuth”): a consent screen at `/oauth2/auth` and a token
//! endpoint at `/oauth2/token` taking form-encoded `authorization_code` and `refresh_token`
//! grants with the secret in the body. Tokens look like Divar's (Ory Hydra): `ory_at_…`,
//! `ory_rt_…` (only with `offline_access`), `expires_in` 3600; refresh rotates both, and the
//! old pair keeps working for 2 minutes. [`crate::faults::router`] routes the token endpoint,
//! behind the faults.

use std::collections::HashSet;
use std::fmt::Write;
use std::sync::OnceLock;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::{HeaderMap, StatusCode};
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;

use crate::errors::token_error;
use crate::html::{escape, page};
use crate::state::{self, AccessToken, Code, Consent, RefreshToken, Sandbox};

pub const CODE_LIFETIME_SECS: i64 = 600;
pub const ACCESS_LIFETIME_SECS: i64 = 3600;
pub const ROTATION_GRACE_SECS: i64 = 120;
/// The OAS scope names (`.resource_id` marks resource-bound ones), kept as data; a test checks
/// them against `docs/kenar/openapi-v3.json`.
pub const SCOPES: &str = include_str!("scopes.txt");

pub fn router() -> Router<Sandbox> {
    Router::new().route("/oauth2/auth", get(authorize).post(decide))
}

fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether one requested scope is well formed: a known global scope, or a known resource scope
/// with a non-empty identifier (`NAME.<id>`).
pub fn scope_is_valid(scope: &str) -> bool {
    static KNOWN: OnceLock<(HashSet<&'static str>, HashSet<&'static str>)> = OnceLock::new();
    let (global, resource) = KNOWN.get_or_init(|| {
        let mut global = HashSet::new();
        let mut resource = HashSet::new();
        for line in SCOPES.lines().filter(|l| !l.is_empty()) {
            match line.strip_suffix(".resource_id") {
                Some(name) => resource.insert(name),
                None => global.insert(line),
            };
        }
        (global, resource)
    });
    match scope.split_once('.') {
        None => global.contains(scope),
        Some((name, id)) => {
            resource.contains(name)
                && !id.is_empty()
                && id.len() <= 128
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_=+/".contains(c))
        }
    }
}

#[derive(Deserialize)]
struct AuthQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn error_page(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, page("خطای مجوز", &format!(r#"<section class="box error" role="alert"><h1>درخواست مجوز نامعتبر است</h1><p>{}</p></section>"#, escape(message)))).into_response()
}

/// An OAuth error sent back to a *registered* redirect URI.
fn redirect_error(redirect_uri: &str, error: &str, description: &str, state: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", error)
        .append_pair("error_description", description)
        .append_pair("state", state)
        .finish();
    Redirect::to(&format!("{redirect_uri}?{query}")).into_response()
}

fn scope_label(scope: &str) -> String {
    match scope.split_once('.') {
        Some(("CONVERSATION_SEND_MESSAGE", id)) => {
            format!("فرستادن پیام از طرف شما در گفتگوی {id}")
        }
        Some(("POST_ADDON_CREATE", id)) => format!("افزودن بخشی به آگهی {id}"),
        Some(("CHAT_POST_CONVERSATIONS_READ", id)) => {
            format!("خواندن پیام‌های گفتگوهای آگهی {id}")
        }
        Some(("CHAT_POST_CONVERSATIONS_MESSAGE_SEND", id)) => {
            format!("فرستادن پیام از طرف شما در گفتگوهای آگهی {id}")
        }
        Some((name, id)) => format!("{name} برای {id}"),
        None => match scope {
            "offline_access" => "دسترسی ماندگار (تا ۳۰ روز)".to_owned(),
            "USER_PHONE" => "دیدن شمارهٔ تلفن شما".to_owned(),
            "USER_ID" => "شناسهٔ کاربری شما".to_owned(),
            "NOTIFICATION_ACCESS_REVOCATION" => "باخبر شدن از لغو دسترسی".to_owned(),
            other => other.to_owned(),
        },
    }
}

fn current_user(headers: &HeaderMap) -> Option<&'static state::User> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "sandbox_user")
        .and_then(|(_, v)| state::user(v))
}

async fn authorize(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Query(query): Query<AuthQuery>,
) -> Response {
    // Client and redirect URI first: an unverified redirect URI must never be redirected to.
    if query.client_id.as_deref() != Some(sandbox.config.app_slug.as_str()) {
        return error_page("شناسهٔ برنامه (client_id) ناشناخته است.");
    }
    let Some(redirect_uri) = query
        .redirect_uri
        .filter(|uri| sandbox.config.redirect_uris.contains(uri))
    else {
        return error_page("نشانی بازگشت (redirect_uri) در فهرست ثبت‌شدهٔ برنامه نیست.");
    };
    let state = query.state.unwrap_or_default();
    if state.len() < 8 {
        return redirect_error(
            &redirect_uri,
            "invalid_state",
            "The state is missing or does not have enough characters",
            &state,
        );
    }
    if query.response_type.as_deref() != Some("code") {
        return redirect_error(
            &redirect_uri,
            "unsupported_response_type",
            "Only response_type=code is supported",
            &state,
        );
    }
    let scopes: Vec<String> = query
        .scope
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() || !scopes.iter().all(|s| scope_is_valid(s)) {
        return redirect_error(
            &redirect_uri,
            "invalid_scope",
            "The requested scope is invalid or malformed",
            &state,
        );
    }
    // PKCE (RFC 7636) when the client asks for it: S256 only, as Ory's servers allow.
    let code_challenge = query.code_challenge.filter(|c| !c.is_empty());
    if code_challenge.is_some()
        && (query.code_challenge_method.as_deref() != Some("S256")
            || !code_challenge.as_ref().is_some_and(|c| is_pkce_text(c)))
    {
        return redirect_error(
            &redirect_uri,
            "invalid_request",
            "The code_challenge must be S256 and 43 base64url characters",
            &state,
        );
    }
    let Some(user) = current_user(&headers) else {
        return error_page("ابتدا از یک گفتگو در سندباکس وارد شوید.");
    };
    let challenge = random("consent_");
    let mut items = String::new();
    for scope in &scopes {
        let _ = write!(items, "<li>{}</li>", escape(&scope_label(scope)));
    }
    sandbox.world().consents.insert(
        challenge.clone(),
        Consent {
            redirect_uri,
            scopes,
            state,
            code_challenge,
        },
    );
    let body = format!(
        r#"<section class="box"><h1>اجازهٔ دسترسی</h1>
<p>برنامهٔ <strong>{app}</strong> از شما، <strong>{user}</strong>، این دسترسی‌ها را می‌خواهد:</p>
<ul data-testid="scopes">{items}</ul>
<p><small>این یک برنامهٔ آزمایشی است.</small></p>
<form method="post" action="/oauth2/auth">
<input type="hidden" name="challenge" value="{challenge}">
<button class="primary" type="submit" name="decision" value="approve">تأیید</button>
<button type="submit" name="decision" value="deny">رد</button>
</form></section>"#,
        app = escape(&sandbox.config.app_slug),
        user = escape(user.name),
    );
    page("اجازهٔ دسترسی", &body).into_response()
}

#[derive(Deserialize)]
struct Decision {
    challenge: String,
    decision: String,
}

async fn decide(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Form(form): Form<Decision>,
) -> Response {
    let now = sandbox.now();
    let Some(consent) = sandbox.world().consents.remove(&form.challenge) else {
        return error_page("این صفحهٔ اجازه منقضی شده است.");
    };
    if form.decision != "approve" {
        return redirect_error(
            &consent.redirect_uri,
            "access_denied",
            "The resource owner denied the request",
            &consent.state,
        );
    }
    let Some(user) = current_user(&headers) else {
        return error_page("ابتدا از یک گفتگو در سندباکس وارد شوید.");
    };
    // Only a post's owner can let an app put widgets on it, or read and answer its chats: such
    // a scope is not granted to anyone else (the app sees it missing from the answer).
    let owners_only = [
        "POST_ADDON_CREATE.",
        "CHAT_POST_CONVERSATIONS_READ.",
        "CHAT_POST_CONVERSATIONS_MESSAGE_SEND.",
    ];
    let scopes: Vec<String> = consent
        .scopes
        .into_iter()
        .filter(|scope| {
            match owners_only
                .iter()
                .find_map(|prefix| scope.strip_prefix(prefix))
            {
                Some(post) => state::post(post).is_some_and(|p| p.seller == user.id),
                None => true,
            }
        })
        .collect();
    let code = random("ory_ac_");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", &consent.state)
        .finish();
    let target = format!("{}?{query}", consent.redirect_uri);
    sandbox.world().codes.insert(
        code,
        Code {
            redirect_uri: consent.redirect_uri,
            scopes,
            code_challenge: consent.code_challenge,
            user: user.id.to_owned(),
            expires_at: now + CODE_LIFETIME_SECS,
            used: false,
            issued: Vec::new(),
        },
    );
    Redirect::to(&target).into_response()
}

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

/// A PKCE challenge (43 characters) or verifier (43 to 128): unreserved characters only.
fn is_pkce_text(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` answers `challenge` (S256: base64url of its SHA-256, no padding).
fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    use base64::Engine;
    use sha2::Digest;
    (43..=128).contains(&verifier.len())
        && is_pkce_text(verifier)
        && base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
            == challenge
}

/// A refused grant: the code or refresh token is unknown, spent or mismatched.
fn invalid_grant(description: &str) -> Response {
    token_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

pub(crate) async fn token(State(sandbox): State<Sandbox>, Form(form): Form<TokenForm>) -> Response {
    if form.client_id.as_deref() != Some(sandbox.config.app_slug.as_str())
        || form.client_secret.as_deref() != Some(sandbox.config.client_secret.as_str())
    {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let now = sandbox.now();
    match form.grant_type.as_deref() {
        Some("authorization_code") => exchange_code(&sandbox, &form, now),
        Some("refresh_token") => refresh(&sandbox, &form, now),
        _ => token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant type is not supported",
        ),
    }
}

fn exchange_code(sandbox: &Sandbox, form: &TokenForm, now: i64) -> Response {
    let mut world = sandbox.world();
    let key = form.code.as_deref().unwrap_or_default();
    let Some(code) = world.codes.get(key).cloned() else {
        return invalid_grant("The authorization code is invalid");
    };
    if code.used {
        // A replayed code revokes everything issued from it (RFC 6749 §4.1.2).
        for access in &code.issued {
            world.access.remove(access);
        }
        world
            .refresh
            .retain(|_, r| !code.issued.contains(&r.access));
        return invalid_grant("The authorization code has already been used");
    }
    if code.expires_at <= now {
        return invalid_grant("The authorization code has expired");
    }
    if form.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        return invalid_grant("The redirect_uri does not match the authorization request");
    }
    match (&code.code_challenge, &form.code_verifier) {
        (Some(challenge), Some(verifier)) if pkce_matches(challenge, verifier) => {}
        (None, None) => {}
        (Some(_), _) => return invalid_grant("The PKCE code_verifier does not match"),
        (None, Some(_)) => {
            return invalid_grant("A code_verifier was sent but no code_challenge was")
        }
    }
    let answer = issue(&mut world, &code.scopes, &code.user, now);
    if let Some(stored) = world.codes.get_mut(key) {
        stored.used = true;
        if let Some(access) = answer.get("access_token").and_then(|v| v.as_str()) {
            stored.issued.push(access.to_owned());
        }
    }
    Json(answer).into_response()
}

fn refresh(sandbox: &Sandbox, form: &TokenForm, now: i64) -> Response {
    let mut world = sandbox.world();
    let key = form.refresh_token.as_deref().unwrap_or_default();
    let Some(old) = world.refresh.get(key).cloned() else {
        return invalid_grant("The refresh token is invalid");
    };
    if old.valid_until.is_some_and(|until| until <= now) {
        return invalid_grant("The refresh token has been rotated");
    }
    // Rotation: the old pair keeps working for the grace period.
    if let Some(stored) = world.refresh.get_mut(key) {
        stored.valid_until.get_or_insert(now + ROTATION_GRACE_SECS);
    }
    if let Some(access) = world.access.get_mut(&old.access) {
        access.expires_at = access.expires_at.min(now + ROTATION_GRACE_SECS);
    }
    Json(issue(&mut world, &old.scopes, &old.user, now)).into_response()
}

fn issue(world: &mut state::World, scopes: &[String], user: &str, now: i64) -> serde_json::Value {
    let access = random("ory_at_");
    world.access.insert(
        access.clone(),
        AccessToken {
            scopes: scopes.to_vec(),
            user: user.to_owned(),
            expires_at: now + ACCESS_LIFETIME_SECS,
        },
    );
    let mut answer = json!({
        "access_token": access,
        "expires_in": ACCESS_LIFETIME_SECS,
        "scope": scopes.join(" "),
        "token_type": "bearer",
    });
    if scopes.iter().any(|s| s == "offline_access") {
        let refresh = random("ory_rt_");
        world.refresh.insert(
            refresh.clone(),
            RefreshToken {
                scopes: scopes.to_vec(),
                user: user.to_owned(),
                valid_until: None,
                access: access.clone(),
            },
        );
        answer["refresh_token"] = json!(refresh);
    }
    answer
}
