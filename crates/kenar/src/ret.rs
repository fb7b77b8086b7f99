//! Where a user may be sent back to (docs/kenar.md, “Returning to Divar”).
//!
//! A supplied return address (`return_url`, `completion_url`, `callback_url`) is honoured only
//! when it is `https` on `divar.ir` or one of its subdomains, with no credentials and no port;
//! anything else falls back to the completion URL. The completion URL's own origin is also
//! trusted, so a local stand-in for Divar can take the user back to its own pages.

use url::{Host, Url};

/// Divar's fixed "return to Divar" address (K:flow/completion.md).
pub const DIVAR_COMPLETION_URL: &str = "https://open-platform-redirect.divar.ir/completion";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPolicy {
    completion: Url,
}

impl ReturnPolicy {
    pub fn new(completion: Url) -> Self {
        Self { completion }
    }

    pub fn completion(&self) -> &Url {
        &self.completion
    }

    /// The target for a supplied return address: the address itself when it is safe, else the
    /// completion URL.
    pub fn resolve(&self, supplied: Option<&str>) -> Url {
        supplied
            .and_then(|raw| Url::parse(raw).ok())
            .filter(|url| self.allows(url))
            .unwrap_or_else(|| self.completion.clone())
    }

    fn allows(&self, url: &Url) -> bool {
        if !url.username().is_empty() || url.password().is_some() {
            return false;
        }
        let on_divar = url.scheme() == "https"
            && url.port().is_none()
            && matches!(url.host(), Some(Host::Domain(host))
                if host == "divar.ir" || host.strip_suffix(".divar.ir").is_some_and(is_dns_labels));
        on_divar || url.origin() == self.completion.origin()
    }
}

fn is_dns_labels(prefix: &str) -> bool {
    prefix.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ReturnPolicy {
        ReturnPolicy::new(Url::parse(DIVAR_COMPLETION_URL).unwrap())
    }

    #[test]
    fn divar_addresses_are_kept() {
        for ok in [
            "https://divar.ir/",
            "https://divar.ir/chat/abc?x=1",
            "https://chat.divar.ir/x",
            "https://a.b.divar.ir/",
            "https://DIVAR.IR/path",
        ] {
            assert_ne!(
                policy().resolve(Some(ok)).as_str(),
                DIVAR_COMPLETION_URL,
                "{ok}"
            );
        }
    }

    #[test]
    fn everything_else_falls_back() {
        for bad in [
            "http://divar.ir/",
            "https://divar.ir.evil.com/",
            "https://evildivar.ir/",
            "https://divar.ir:8443/",
            "https://user:pw@divar.ir/",
            "javascript:alert(1)",
            "//divar.ir/",
            "https://divar.ir@evil.com/",
            "not a url",
            "",
        ] {
            assert_eq!(
                policy().resolve(Some(bad)).as_str(),
                DIVAR_COMPLETION_URL,
                "{bad}"
            );
        }
        assert_eq!(policy().resolve(None).as_str(), DIVAR_COMPLETION_URL);
    }

    #[test]
    fn the_completion_origin_is_trusted() {
        let local = ReturnPolicy::new(Url::parse("http://127.0.0.1:3100/completion").unwrap());
        assert_eq!(
            local
                .resolve(Some("http://127.0.0.1:3100/chat/c1"))
                .as_str(),
            "http://127.0.0.1:3100/chat/c1"
        );
        assert_eq!(
            local.resolve(Some("http://127.0.0.1:3200/x")).as_str(),
            "http://127.0.0.1:3100/completion"
        );
    }
}
