//! Where a webhook may go (the requests Ersal sends to addresses others chose). With [`Addresses::Public`] (prod's only choice) an endpoint is an
//! `https` URL whose host is a public address, or a name that resolves to public addresses
//! only: checked when it is registered, and again on every send by the HTTP client's own
//! resolver, so a name that later points inside the network (DNS rebinding) reaches nothing.
//! Redirects are never followed and no proxy is used.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use domain::text::persian_digits;
use domain::webhook::{is_public, URL_MAX};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::config::{Addresses, WebhookLimits};

/// Why a URL cannot be an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("نشانی وب‌هوک باید یک URL کامل باشد (حداکثر {} نویسه).", persian_digits(&URL_MAX.to_string()))]
    NotUrl,
    #[error("نشانی وب‌هوک باید https باشد.")]
    NotHttps,
    #[error("نشانی وب‌هوک نباید نام کاربری یا رمز داشته باشد.")]
    Credentials,
    #[error("نشانی وب‌هوک به این دستگاه یا شبکه‌ای خصوصی می‌رسد؛ فقط نشانی‌های عمومی اینترنت پذیرفته می‌شوند.")]
    NotPublic,
    #[error("نام نشانی وب‌هوک پیدا نشد.")]
    NoSuchName,
}

impl Refusal {
    pub const ALL: [Refusal; 5] = [
        Self::NotUrl,
        Self::NotHttps,
        Self::Credentials,
        Self::NotPublic,
        Self::NoSuchName,
    ];

    /// A short name, for an address that reports it.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotUrl => "url",
            Self::NotHttps => "https",
            Self::Credentials => "credentials",
            Self::NotPublic => "public",
            Self::NoSuchName => "name",
        }
    }
}

/// A URL's shape, and its host when it is an address: what needs no name resolution.
pub fn check_shape(raw: &str, addresses: Addresses) -> Result<Url, Refusal> {
    if raw.len() > URL_MAX {
        return Err(Refusal::NotUrl);
    }
    let url = Url::parse(raw.trim()).map_err(|_| Refusal::NotUrl)?;
    let scheme_ok = match addresses {
        Addresses::Public => url.scheme() == "https",
        Addresses::Any => matches!(url.scheme(), "https" | "http"),
    };
    if !scheme_ok {
        return Err(Refusal::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let literal = match url.host() {
        None => return Err(Refusal::NotUrl),
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(_)) => None,
    };
    if addresses == Addresses::Public && literal.is_some_and(|ip| !is_public(ip)) {
        return Err(Refusal::NotPublic);
    }
    Ok(url)
}

/// A URL's shape and, with [`Addresses::Public`], what its name resolves to now.
pub async fn check(raw: &str, addresses: Addresses) -> Result<Url, Refusal> {
    let url = check_shape(raw, addresses)?;
    if let (Addresses::Public, Some(Host::Domain(name))) = (addresses, url.host()) {
        public_addresses(name)
            .await
            .map_err(|blocked| match blocked {
                Blocked::NotPublic => Refusal::NotPublic,
                Blocked::NoSuchName => Refusal::NoSuchName,
            })?;
    }
    Ok(url)
}

/// Why the resolver refused a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    #[error("the name resolves to an address that is not public")]
    NotPublic,
    #[error("the name does not resolve")]
    NoSuchName,
}

/// `name`'s addresses, if every one of them is public.
async fn public_addresses(name: &str) -> Result<Vec<SocketAddr>, Blocked> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((name, 0))
        .await
        .map_err(|_| Blocked::NoSuchName)?
        .collect();
    if found.is_empty() {
        return Err(Blocked::NoSuchName);
    }
    if found.iter().any(|addr| !is_public(addr.ip())) {
        return Err(Blocked::NotPublic);
    }
    Ok(found)
}

/// The HTTP client's resolver with [`Addresses::Public`].
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = public_addresses(name.as_str()).await?;
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The client every webhook is sent with.
pub fn client(limits: &WebhookLimits) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(limits.timeout)
        .connect_timeout(limits.timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent("Ersal-Webhooks/1");
    let builder = match limits.addresses {
        Addresses::Public => builder.dns_resolver(Arc::new(PublicOnly)),
        Addresses::Any => builder,
    };
    builder
        .build()
        .expect("the webhook client's settings are valid")
}

/// Whether the resolver refused `error`'s name, and why.
pub fn blocked(error: &reqwest::Error) -> Option<Blocked> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(blocked) = current.downcast_ref::<Blocked>() {
            return Some(*blocked);
        }
        source = current.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn prod_refuses_plain_http_credentials_and_inner_addresses() {
        let public = Addresses::Public;
        assert_eq!(
            check("http://example.com/h", public).await,
            Err(Refusal::NotHttps)
        );
        assert_eq!(
            check("https://u:p@example.com/h", public).await,
            Err(Refusal::Credentials)
        );
        for inner in [
            "https://127.0.0.1/h",
            "https://[::1]/h",
            "https://10.0.0.8/h",
            "https://169.254.169.254/latest",
            "https://[::ffff:192.168.0.1]/h",
            "https://localhost:8443/h",
        ] {
            assert_eq!(
                check(inner, public).await,
                Err(Refusal::NotPublic),
                "{inner}"
            );
        }
        assert_eq!(check("not a url", public).await, Err(Refusal::NotUrl));
        assert!(check("https://93.184.215.14/h", public).await.is_ok());
        assert!(check("http://127.0.0.1:9/h", Addresses::Any).await.is_ok());
        assert_eq!(
            check("ftp://127.0.0.1/h", Addresses::Any).await,
            Err(Refusal::NotHttps)
        );
    }

    #[tokio::test]
    async fn the_client_refuses_a_name_that_resolves_inside() {
        let limits = WebhookLimits {
            timeout: Duration::from_secs(2),
            addresses: Addresses::Public,
        };
        let error = client(&limits)
            .post("https://localhost:9/h")
            .send()
            .await
            .unwrap_err();
        assert_eq!(blocked(&error), Some(Blocked::NotPublic));
    }
}
