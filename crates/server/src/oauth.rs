//! OAuth 2.0 with Divar (docs/kenar.md, “OAuth”), through the `oauth2` crate: the authorization URL with a
//! random `state`, the code exchange and the refresh grant, both form-encoded with the client
//! secret in the body (`client_secret_post`). States are stored as digests, single use, bound to
//! the landing session, and expire after 10 minutes. With `KENAR_OAUTH_PKCE=on` each consent
//! also carries a PKCE challenge (S256), whose verifier is sealed beside its state.

use domain::routes::Route;
use kenar::Grant;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope,
    TokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;

use crate::config::Config;

/// How long a `state` stays valid.
pub const STATE_LIFETIME_SECS: i64 = 600;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

#[derive(Clone)]
pub struct DivarOAuth {
    client: Client,
    http: oauth2::reqwest::Client,
    pkce: bool,
}

/// A consent's URL, with the secrets Ersal keeps until Divar's answer comes back.
pub struct Consent {
    pub url: url::Url,
    pub state: String,
    /// The PKCE verifier, when PKCE is on.
    pub verifier: Option<String>,
}

/// Tokens as Divar issued them.
pub struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

impl Tokens {
    /// Whether Divar granted `grant` (an answer that does not name its scope is not taken on
    /// trust).
    pub fn grants(&self, grant: &Grant) -> bool {
        grant.is_granted_by(&self.scopes)
    }
}

/// Why the token endpoint gave no tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Divar refused the code or refresh token (`invalid_grant`): asking again will not help.
    #[error("the token endpoint refused the grant")]
    Refused,
    /// The endpoint failed, was unreachable, limited the rate, answered what does not parse, or
    /// refused Ersal's own client (logged as an error): worth another try later.
    #[error("the token endpoint is unavailable")]
    Unavailable,
}

type RequestError = oauth2::RequestTokenError<
    oauth2::HttpClientError<oauth2::reqwest::Error>,
    oauth2::basic::BasicErrorResponse,
>;

impl From<RequestError> for TokenError {
    fn from(error: RequestError) -> Self {
        use oauth2::basic::BasicErrorResponseType::{Extension, InvalidGrant};
        match error {
            oauth2::RequestTokenError::ServerResponse(answer)
                if matches!(answer.error(), InvalidGrant) =>
            {
                Self::Refused
            }
            // Anything else that names an error points at Ersal's own client (a wrong secret,
            // a malformed request): nothing the user did, and worth an operator's eye.
            oauth2::RequestTokenError::ServerResponse(answer)
                if !matches!(answer.error(), Extension(_)) =>
            {
                tracing::error!(error = %answer.error(), "the token endpoint refused Ersal's client");
                Self::Unavailable
            }
            _ => Self::Unavailable,
        }
    }
}

impl DivarOAuth {
    pub fn new(config: &Config) -> Result<Self, url::ParseError> {
        let base = config.oauth_base_url.as_str().trim_end_matches('/');
        let client = BasicClient::new(ClientId::new(config.kenar_app_slug.clone()))
            .set_client_secret(ClientSecret::new(
                config.oauth_client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(AuthUrl::new(format!("{base}/oauth2/auth"))?)
            .set_token_uri(TokenUrl::new(format!("{base}/oauth2/token"))?)
            .set_redirect_uri(RedirectUrl::new(
                config.public_url(Route::OAuthCallback.path()),
            )?)
            .set_auth_type(AuthType::RequestBody);
        let http = oauth2::reqwest::ClientBuilder::new()
            .redirect(oauth2::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("an HTTP client without redirects");
        Ok(Self {
            client,
            http,
            pkce: config.oauth_pkce,
        })
    }

    /// The consent URL for `grant` (posting in a conversation, or widgets on a post), its
    /// `state` and (PKCE on) its verifier. With the resource scope come
    /// `offline_access` (a refresh token, for the later milestones or a new price) and the two
    /// scopes that let Ersal hear when the user revokes that access, `USER_ID` and
    /// `NOTIFICATION_ACCESS_REVOCATION` (docs/journeys.md, “Scopes”).
    pub fn authorize_url(&self, grant: &Grant) -> Consent {
        let mut scopes = grant.scopes();
        scopes.extend(
            [
                "offline_access",
                "USER_ID",
                "NOTIFICATION_ACCESS_REVOCATION",
            ]
            .map(str::to_owned),
        );
        let mut request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.into_iter().map(Scope::new));
        let mut verifier = None;
        if self.pkce {
            let (challenge, secret) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            verifier = Some(secret.secret().clone());
        }
        let (url, state) = request.url();
        Consent {
            url,
            state: state.secret().clone(),
            verifier,
        }
    }

    pub async fn exchange(
        &self,
        code: &str,
        verifier: Option<String>,
    ) -> Result<Tokens, TokenError> {
        let mut request = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()));
        if let Some(verifier) = verifier {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(verifier));
        }
        let response = request.request_async(&self.http).await?;
        Ok(tokens(&response))
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, TokenError> {
        let response = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(&self.http)
            .await?;
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
