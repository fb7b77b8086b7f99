//! A typed client for Divar's open-platform API (`https://open-api.divar.ir` or the sandbox):
//! every call carries `x-api-key`; errors never include the key or response bodies.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::ids::PostToken;

#[derive(Clone)]
pub struct KenarClient {
    http: reqwest::Client,
    base: Url,
    api_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("Divar could not be reached")]
    Transport(#[from] reqwest::Error),
    #[error("Divar answered {0}")]
    Status(u16),
}

/// How a send-message call ended, as far as retrying goes (docs/kenar.md, “Chat messages”).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Connect errors, timeouts, 5xx and 429: worth another try, after `retry_after` seconds
    /// when Divar said so.
    Retry {
        status: Option<u16>,
        retry_after: Option<u64>,
    },
    /// 412 with `code` 9: the recipient restricts delivery; permanent for this chat.
    Undeliverable,
    /// Any other 4xx (a bad body, a missing scope, an expired token): not retried.
    Rejected {
        status: u16,
    },
}

#[derive(Deserialize)]
struct RpcStatus {
    #[serde(default)]
    code: i32,
}

/// The public parts of a post that Ersal uses (`finderGetPostResponse`, docs/kenar.md, “Other Divar APIs Ersal uses”). A missing
/// field means its zero value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
pub struct Post {
    #[serde(default)]
    pub token: String,
    /// Divar's city slug, e.g. `tehran`.
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub data: PostData,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
pub struct PostData {
    #[serde(default)]
    pub title: String,
    /// The asking price, where the category has one (`{"mode": "FIXED", "value": rials}`; the
    /// value may come as a number or, as protobuf writes 64-bit integers, a string).
    #[serde(default)]
    pub price: Option<PostPrice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
pub struct PostPrice {
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

impl PostPrice {
    /// The price in rials when it is a fixed, positive amount.
    pub fn fixed_rials(&self) -> Option<u64> {
        let value = match &self.value {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        };
        value.filter(|v| *v > 0 && matches!(self.mode.as_str(), "" | "FIXED"))
    }
}

impl KenarClient {
    pub fn new(base: Url, api_key: String, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with a timeout and no redirects");
        Self {
            http,
            base,
            api_key,
        }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// `POST /v2/open-platform/conversations/{conversation_id}/messages` with the API key and
    /// the user's access token.
    pub async fn send_message(
        &self,
        conversation: &crate::ConversationId,
        access_token: &str,
        body: &impl serde::Serialize,
    ) -> SendOutcome {
        let url = self.url(&[
            "v2",
            "open-platform",
            "conversations",
            conversation.as_str(),
            "messages",
        ]);
        self.post_message(url, Some(access_token), body).await
    }

    /// `POST /v1/open-platform/chat/bot/conversations/{conversation_id}/messages` (the support
    /// bot's answer) with the API key only: Divar's docs ask for no user token here.
    pub async fn send_bot_message(
        &self,
        conversation: &crate::ConversationId,
        body: &impl serde::Serialize,
    ) -> SendOutcome {
        let url = self.url(&[
            "v1",
            "open-platform",
            "chat",
            "bot",
            "conversations",
            conversation.as_str(),
            "messages",
        ]);
        self.post_message(url, None, body).await
    }

    /// `POST /v2/open-platform/addons/post/{token}` with the API key and the seller's access
    /// token: creates or replaces Ersal's widgets on the post (an upsert, so a retry is safe).
    /// The body is a [`crate::addon::PostAddon`] (as queued).
    pub async fn create_post_addon(
        &self,
        post: &crate::PostToken,
        access_token: &str,
        body: &impl serde::Serialize,
    ) -> SendOutcome {
        let url = self.url(&["v2", "open-platform", "addons", "post", post.as_str()]);
        self.post_message(url, Some(access_token), body).await
    }

    /// `POST /v1/open-platform/events/subscriptions` with the API key and the seller's access
    /// token: Divar sends `NEW_MESSAGE` events for every chat of `post` while that token lives
    /// (`NEW_MESSAGE_ON_POST`, docs/assistant.md).
    pub async fn subscribe_post_messages(
        &self,
        post: &crate::PostToken,
        access_token: &str,
    ) -> SendOutcome {
        let url = self.url(&["v1", "open-platform", "events", "subscriptions"]);
        let body = serde_json::json!({
            "event_type": "NEW_MESSAGE_ON_POST",
            "event_resource_id": post.as_str(),
            "metadata": {},
        });
        self.post_message(url, Some(access_token), &body).await
    }

    /// `DELETE /v1/open-platform/addons/post/{token}` with the API key only: removes every
    /// widget Ersal put on the post.
    pub async fn delete_post_addon(&self, post: &crate::PostToken) -> SendOutcome {
        let url = self.url(&["v1", "open-platform", "addons", "post", post.as_str()]);
        let request = self.http.delete(url).header("x-api-key", &self.api_key);
        Self::outcome(request.send().await).await
    }

    /// Posts a message and reads Divar's answer as an outcome (the same rules for every API).
    async fn post_message(
        &self,
        url: Url,
        access_token: Option<&str>,
        body: &impl serde::Serialize,
    ) -> SendOutcome {
        let mut request = self.http.post(url).header("x-api-key", &self.api_key);
        if let Some(token) = access_token {
            request = request.bearer_auth(token);
        }
        Self::outcome(request.json(body).send().await).await
    }

    /// Divar's answer as an outcome: 2xx sent; connection errors, 429 and 5xx retried (with
    /// `Retry-After`); 412 with code 9 undeliverable; other statuses rejected.
    async fn outcome(sent: Result<reqwest::Response, reqwest::Error>) -> SendOutcome {
        let response = match sent {
            Ok(response) => response,
            Err(_) => {
                return SendOutcome::Retry {
                    status: None,
                    retry_after: None,
                }
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        match status {
            200..=299 => SendOutcome::Sent,
            412 => match response.json::<RpcStatus>().await {
                Ok(RpcStatus { code: 9 }) => SendOutcome::Undeliverable,
                _ => SendOutcome::Rejected { status },
            },
            429 | 500..=599 => SendOutcome::Retry {
                status: Some(status),
                retry_after,
            },
            _ => SendOutcome::Rejected { status },
        }
    }

    /// `GET /v1/open-platform/users` with the API key and a user's access token: the per-app
    /// user id, when the grant includes `USER_ID` (`None` when Divar's answer has none).
    pub async fn get_user_id(
        &self,
        access_token: &str,
    ) -> Result<Option<crate::DivarUserId>, ClientError> {
        #[derive(serde::Deserialize)]
        struct User {
            user_id: Option<String>,
        }
        let url = self.url(&["v1", "open-platform", "users"]);
        let response = self
            .http
            .get(url)
            .header("x-api-key", &self.api_key)
            .bearer_auth(access_token)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(ClientError::Status(response.status().as_u16()));
        }
        let user: User = response.json().await?;
        Ok(user
            .user_id
            .and_then(|id| crate::DivarUserId::parse(&id).ok()))
    }

    /// `GET /v1/open-platform/finder/post/{token}` (API key only).
    pub async fn get_post(&self, token: &PostToken) -> Result<Post, ClientError> {
        let url = self.url(&["v1", "open-platform", "finder", "post", token.as_str()]);
        let response = self
            .http
            .get(url)
            .header("x-api-key", &self.api_key)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(ClientError::Status(response.status().as_u16()));
        }
        Ok(response.json().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posts_price_is_read_when_fixed_as_a_number_or_a_string() {
        let read = |price: serde_json::Value| {
            serde_json::from_value::<Post>(serde_json::json!({"data": {"price": price}}))
                .unwrap()
                .data
                .price
                .and_then(|p| p.fixed_rials())
        };
        assert_eq!(
            read(serde_json::json!({"mode": "FIXED", "value": 185_000_000})),
            Some(185_000_000)
        );
        assert_eq!(
            read(serde_json::json!({"mode": "FIXED", "value": "185000000"})),
            Some(185_000_000)
        );
        assert_eq!(
            read(serde_json::json!({"mode": "NEGOTIABLE", "value": 0})),
            None
        );
        assert_eq!(
            read(serde_json::json!({"mode": "FIXED", "value": "x"})),
            None
        );
        let without: Post = serde_json::from_value(serde_json::json!({"data": {}})).unwrap();
        assert_eq!(without.data.price, None);
    }

    #[test]
    fn paths_are_built_from_segments() {
        let client = KenarClient::new(
            Url::parse("http://127.0.0.1:3100/").unwrap(),
            "k".into(),
            Duration::from_secs(1),
        );
        let token = PostToken::parse("QpR7x2Lm").unwrap();
        assert_eq!(
            client
                .url(&["v1", "open-platform", "finder", "post", token.as_str()])
                .as_str(),
            "http://127.0.0.1:3100/v1/open-platform/finder/post/QpR7x2Lm"
        );
        let prefixed = KenarClient::new(
            Url::parse("https://open-api.divar.ir/base").unwrap(),
            "k".into(),
            Duration::from_secs(1),
        );
        assert_eq!(
            prefixed.url(&["v1"]).as_str(),
            "https://open-api.divar.ir/base/v1"
        );
    }
}
