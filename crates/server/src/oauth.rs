//! OAuth 2.0 with Divar (docs/kenar.md, “OAuth”), through the `oauth2` crate: the authorization URL with a
//! random `state`, the code exchange and the refresh grant, both form-encoded with the client
//! secret in the body (`client_secret_post`). States are stored as digests, single use, bound to
//! the landing session, and expire after 10 minutes.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::crypto;
use crate::db::Db;
use crate::error::AppError;
use crate::state::AppState;

/// How long a `state` stays valid.
pub const STATE_LIFETIME_SECS: i64 = 600;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

#[derive(Clone)]
pub struct DivarOAuth {
    client: Client,
    http: oauth2::reqwest::Client,
}

/// Tokens as Divar issued them.
pub struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

impl Tokens {
    /// Whether Divar granted what Ersal asked for: posting in `conversation`. An answer that
    /// does not name the scope is not taken on trust.
    pub fn grants(&self, conversation: &str) -> bool {
        self.scopes.contains(&send_scope(conversation))
    }
}

/// The scope to post in one conversation.
fn send_scope(conversation: &str) -> String {
    format!("CONVERSATION_SEND_MESSAGE.{conversation}")
}

#[derive(Debug, thiserror::Error)]
#[error("the token endpoint refused or failed")]
pub struct TokenError;

impl DivarOAuth {
    pub fn new(config: &Config) -> Result<Self, url::ParseError> {
        let base = config.oauth_base_url.as_str().trim_end_matches('/');
        let client = BasicClient::new(ClientId::new(config.kenar_app_slug.clone()))
            .set_client_secret(ClientSecret::new(
                config.oauth_client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(AuthUrl::new(format!("{base}/oauth2/auth"))?)
            .set_token_uri(TokenUrl::new(format!("{base}/oauth2/token"))?)
            .set_redirect_uri(RedirectUrl::new(config.public_url(CALLBACK_PATH))?)
            .set_auth_type(AuthType::RequestBody);
        let http = oauth2::reqwest::ClientBuilder::new()
            .redirect(oauth2::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("an HTTP client without redirects");
        Ok(Self { client, http })
    }

    /// The consent URL for posting in `conversation_id` (plus `offline_access`, for later
    /// milestones) and its `state`.
    pub fn authorize_url(&self, conversation_id: &str) -> (url::Url, String) {
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new(send_scope(conversation_id)))
            .add_scope(Scope::new("offline_access".to_owned()))
            .url();
        (url, state.secret().clone())
    }

    pub async fn exchange(&self, code: &str) -> Result<Tokens, TokenError> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|_| TokenError)?;
        Ok(tokens(&response))
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, TokenError> {
        let response = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|_| TokenError)?;
        Ok(tokens(&response))
    }
}

fn tokens(response: &oauth2::basic::BasicTokenResponse) -> Tokens {
    Tokens {
        access: response.access_token().secret().clone(),
        refresh: response.refresh_token().map(|t| t.secret().clone()),
        expires_in: response
            .expires_in()
            .map_or(3600, |d| i64::try_from(d.as_secs()).unwrap_or(3600)),
        scopes: response
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
    }
}

/// The registered redirect URI's path.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// Starts a consent for `landing` to post in `conversation`: a fresh `state` is remembered and
/// the URL of Divar's consent screen returned.
pub async fn begin(
    state: &AppState,
    landing: &str,
    conversation: &str,
) -> Result<url::Url, AppError> {
    let (url, secret) = state.oauth.authorize_url(conversation);
    remember_state(&state.db, &secret, landing, state.now()).await?;
    Ok(url)
}

/// Remembers a `state` for `landing`.
async fn remember_state(db: &Db, state: &str, landing: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("insert into oauth_states (state_digest, landing_digest, created_at, expires_at) values (?, ?, ?, ?)")
        .bind(crypto::token_digest(state))
        .bind(landing)
        .bind(now)
        .bind(now + STATE_LIFETIME_SECS)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses up a `state`: the landing session it was issued to, if it is known, unused, unexpired.
pub async fn consume_state(db: &Db, state: &str, now: i64) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "update oauth_states set used_at = ?
         where state_digest = ? and used_at is null and expires_at > ?
         returning landing_digest",
    )
    .bind(now)
    .bind(crypto::token_digest(state))
    .bind(now)
    .fetch_optional(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_answer_naming_the_scope_grants_it() {
        let answer = |scopes: &[&str]| Tokens {
            access: "at".into(),
            refresh: None,
            expires_in: 3600,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        assert!(answer(&["offline_access", "CONVERSATION_SEND_MESSAGE.c-1"]).grants("c-1"));
        assert!(
            !answer(&[]).grants("c-1"),
            "an empty scope is not taken on trust"
        );
        assert!(!answer(&["CONVERSATION_SEND_MESSAGE.c-2"]).grants("c-1"));
        assert!(!answer(&["offline_access"]).grants("c-1"));
    }
}
