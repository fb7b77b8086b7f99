//! Who the client is: its IP address, as the connection shows it or, behind reverse proxies
//! that Ersal is told to trust, as the last of them reports it. Every per-address rule (rate
//! limits, the console's login limit) reads [`ClientAddress`]; where the address cannot be
//! known, those rules are skipped for that request, never applied to everyone at once.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, HeaderName};
use ipnet::IpNet;

/// The client's address for this request as per-address rules count it ([`rule_key`]; `None`:
/// unknown), set by [`mark_client`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// The reverse proxies in front of Ersal (`ERSAL_TRUSTED_PROXIES`) and the header they put the
/// client's address in (`ERSAL_CLIENT_ADDRESS_HEADER`).
#[derive(Debug, Clone)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    header: HeaderName,
}

/// The header trusted proxies report the client in unless configured otherwise.
pub const DEFAULT_HEADER: &str = "x-forwarded-for";

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks (`10.0.0.0/8`, `::1`) and the
    /// header's name. An empty list trusts nobody: the connection's peer is the client.
    pub fn parse(list: &str, header: &str) -> Result<Self, String> {
        let networks = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{item}` is not an address or network"))
            })
            .collect::<Result<_, _>>()?;
        let header = HeaderName::try_from(header.trim().to_ascii_lowercase())
            .map_err(|_| "is not a header name".to_owned())?;
        Ok(Self { networks, header })
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.networks.iter().any(|net| net.contains(&address))
    }

    /// Whether a peer Ersal does not trust sent the forwarding header: either a client
    /// pretending (harmless: it is ignored), or a reverse proxy missing from
    /// `ERSAL_TRUSTED_PROXIES`, behind which every client shares the proxy's address, so that
    /// per-address limits count them all as one.
    pub fn forwarded_by_stranger(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        headers.contains_key(&self.header) && !self.trusts(peer.to_canonical())
    }

    /// The client of a request that came from `peer` with `headers`. A peer we do not trust is
    /// the client. A trusted peer's header is read from its end (each proxy appends the address
    /// it saw): the first address that is not a trusted proxy is the client. A trusted peer
    /// that sends no header, or an entry that is not an address, leaves the client unknown.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        // Bytes, not text: a client's own non-ASCII entry must not hide the entries the proxies
        // appended after it.
        let mut hops = headers
            .get_all(&self.header)
            .iter()
            .rev()
            .flat_map(|value| value.as_bytes().rsplit(|b| *b == b','))
            .map(hop_address)
            .peekable();
        hops.peek()?;
        for hop in hops {
            match hop {
                Some(address) if self.trusts(address) => continue,
                other => return other,
            }
        }
        None
    }
}

/// One entry of a forwarding header: an address, or an address with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:5678`).
fn hop_address(entry: &[u8]) -> Option<IpAddr> {
    let entry = std::str::from_utf8(entry).ok()?.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|address| address.to_canonical())
}

/// The key per-address rules count under: the address itself for IPv4, its /64 network for
/// IPv6 (one subscriber usually holds a whole /64, and would otherwise have endless budgets).
pub fn rule_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(network.into())
        }
        v4 => v4,
    }
}

/// Counts requests whose forwarding header came from an untrusted peer, and says once per
/// process what that means for a deployment behind a proxy (no address: it may be a client's).
fn warn_of_untrusted_proxy() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    metrics::counter!("ersal_untrusted_forwarded_total").increment(1);
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "a request carried a forwarding header from a peer not in ERSAL_TRUSTED_PROXIES: \
             if Ersal runs behind a reverse proxy, list it there, or every per-address limit \
             counts all clients as one (ersal_untrusted_forwarded_total counts these requests)"
        );
    }
}

/// Records the request's [`ClientAddress`] for the layers and handlers inside.
pub async fn mark_client(
    State(proxies): State<std::sync::Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    if peer.is_some_and(|peer| proxies.forwarded_by_stranger(peer, request.headers())) {
        warn_of_untrusted_proxy();
    }
    let client = peer
        .and_then(|peer| proxies.client(peer, request.headers()))
        .map(rule_key);
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(DEFAULT_HEADER, value.parse().unwrap());
        }
        headers
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let proxies = TrustedProxies::parse("", DEFAULT_HEADER).unwrap();
        let forged = headers(&["203.0.113.9"]);
        assert_eq!(
            proxies.client(ip("198.51.100.7"), &forged),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn a_forwarding_header_from_an_untrusted_peer_is_noticed() {
        let proxies = TrustedProxies::parse("10.0.0.0/8", DEFAULT_HEADER).unwrap();
        let forwarded = headers(&["203.0.113.9"]);
        assert!(proxies.forwarded_by_stranger(ip("192.0.2.1"), &forwarded));
        assert!(!proxies.forwarded_by_stranger(ip("10.1.2.3"), &forwarded));
        assert!(!proxies.forwarded_by_stranger(ip("192.0.2.1"), &HeaderMap::new()));
    }

    #[test]
    fn behind_trusted_proxies_the_last_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8", DEFAULT_HEADER).unwrap();
        let peer = ip("127.0.0.1");
        assert_eq!(
            proxies.client(peer, &headers(&["1.2.3.4, 198.51.100.7, 10.0.0.5"])),
            Some(ip("198.51.100.7")),
            "a forged first entry is ignored"
        );
        assert_eq!(
            proxies.client(peer, &headers(&["1.2.3.4", "198.51.100.7"])),
            Some(ip("198.51.100.7")),
            "repeated headers read as one list"
        );
        assert_eq!(
            proxies.client(peer, &headers(&[])),
            None,
            "no header: unknown"
        );
        assert_eq!(
            proxies.client(peer, &headers(&["198.51.100.7, garbage"])),
            None,
            "an entry that is not an address: unknown"
        );
        assert_eq!(
            proxies.client(ip("198.51.100.8"), &headers(&["1.2.3.4"])),
            Some(ip("198.51.100.8")),
            "only trusted peers are believed"
        );
    }

    #[test]
    fn odd_entries_neither_hide_the_client_nor_split_one_subscriber() {
        let proxies = TrustedProxies::parse("127.0.0.1", DEFAULT_HEADER).unwrap();
        let mut map = HeaderMap::new();
        map.insert(
            DEFAULT_HEADER,
            http::HeaderValue::from_bytes(b"\xc3\xa9, 198.51.100.7:4000").unwrap(),
        );
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &map),
            Some(ip("198.51.100.7")),
            "a mapped proxy address is trusted; a port is dropped; bytes before are ignored"
        );
        assert_eq!(rule_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(rule_key(ip("::ffff:198.51.100.7")), ip("198.51.100.7"));
    }

    #[test]
    fn a_custom_header_and_bad_lists_are_read_or_named() {
        let proxies = TrustedProxies::parse("::1", "X-Real-IP").unwrap();
        let mut map = HeaderMap::new();
        map.insert("x-real-ip", "2001:db8::7".parse().unwrap());
        assert_eq!(proxies.client(ip("::1"), &map), Some(ip("2001:db8::7")));
        assert!(TrustedProxies::parse("10.0.0.0/99", DEFAULT_HEADER).is_err());
        assert!(TrustedProxies::parse("proxy.local", DEFAULT_HEADER).is_err());
        assert!(TrustedProxies::parse("", "bad header").is_err());
    }
}
