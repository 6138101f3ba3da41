//! Webhooks of integration clients (INT-1, INT-2; Standard Webhooks 1.0):
//! where a subscription may point, which changes it may carry, and what a
//! delivery's answer means for the next attempt. Pure rules; signing, DNS
//! and HTTP live in the API.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use crate::client::ClientStatus;
use crate::employee::string_enum;
use crate::feed::{FeedScope, TypeFilter};

string_enum!(
    /// Whether a subscription is sent changes.
    SubscriptionStatus, "subscription status" {
        Enabled = "enabled",
        Disabled = "disabled",
    }
);

string_enum!(
    /// Where a delivery stands: owed, received (a 2xx), or given up.
    DeliveryStatus, "delivery status" {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
);

/// The longest URL a subscription may name.
pub const MAX_URL_LEN: usize = 2048;

/// The Standard Webhooks retry schedule: the delay before each attempt,
/// the first immediately (1.0 "Retry schedule").
pub const STANDARD_SCHEDULE: &[Duration] = &[
    Duration::from_secs(0),
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(14 * 3600),
    Duration::from_secs(20 * 3600),
    Duration::from_secs(24 * 3600),
];

/// The longest `Retry-After` honoured: a day, the schedule's longest wait.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// A subscription's target, parsed: scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// A name, or an IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
}

impl Target {
    /// The host as an IP address, when the URL names one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// Why a URL cannot be a webhook target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("not an absolute http(s) URL with a host")]
    Malformed,
    #[error("webhooks are sent over https only")]
    NotHttps,
    #[error("credentials in the URL are not accepted")]
    Credentials,
    #[error("the address {0} is {1}: webhooks are not sent there")]
    Address(IpAddr, &'static str),
}

/// Parses a subscription URL. `allow_private` (development only) also
/// admits `http` and private addresses; otherwise https only (INT-2).
pub fn parse_url(url: &str, allow_private: bool) -> Result<Target, UrlRefusal> {
    if url.len() > MAX_URL_LEN || url.chars().any(|c| c.is_control() || c == ' ') {
        return Err(UrlRefusal::Malformed);
    }
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(UrlRefusal::Malformed);
    };
    if url.contains('#') {
        return Err(UrlRefusal::Malformed);
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') {
        return Err(UrlRefusal::Credentials);
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or(UrlRefusal::Malformed)?;
        h.parse::<Ipv6Addr>().map_err(|_| UrlRefusal::Malformed)?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(UrlRefusal::Malformed),
        };
        (h.to_owned(), port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    let name_ok = !host.is_empty()
        && host.len() <= 253
        && (host.contains(':')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    if !name_ok || host.starts_with('.') || host.starts_with('-') {
        return Err(UrlRefusal::Malformed);
    }
    let port = match port {
        None => {
            if https {
                443
            } else {
                80
            }
        }
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && !p.starts_with('+') => n,
            _ => return Err(UrlRefusal::Malformed),
        },
    };
    let target = Target { https, host, port };
    // Plain http only to this machine, and only in development.
    let loopback = target.host == "localhost" || target.ip().is_some_and(|ip| ip.is_loopback());
    let plain_allowed = allow_private && loopback;
    if !https && !plain_allowed {
        return Err(UrlRefusal::NotHttps);
    }
    // A name is checked where it is resolved, at subscription and at
    // every delivery (DNS may change): see the API's resolver.
    if let Some(ip) = target.ip() {
        check_address(ip, allow_private)?;
    }
    Ok(target)
}

/// Whether a webhook may be sent to `ip` (INT-2, no SSRF): refused unless
/// `allow_private` (development).
pub fn check_address(ip: IpAddr, allow_private: bool) -> Result<(), UrlRefusal> {
    match (refusal(ip), allow_private) {
        (Some(why), false) => Err(UrlRefusal::Address(ip, why)),
        _ => Ok(()),
    }
}

/// What kind of address a webhook must not reach, or `None` for a public one.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) reach
            // the IPv4 address they carry.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refusal_v4(v4);
            }
            let s = v6.segments();
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let o = v6.octets();
                return refusal_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            }
            // 6to4 (2002::/16) reaches the IPv4 address in its next 32 bits.
            if s[0] == 0x2002 {
                let [a, b] = s[1].to_be_bytes();
                let [c, d] = s[2].to_be_bytes();
                if let Some(why) = refusal_v4(Ipv4Addr::new(a, b, c, d)) {
                    return Some(why);
                }
            }
            if v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
                Some("a cloud metadata address")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if s[0] == 0x2001 && s[1] == 0 {
                // Teredo hides the IPv4 address it reaches.
                Some("reserved")
            } else if s[0..6] == [0, 0, 0, 0, 0, 0] {
                // IPv4-compatible (deprecated) addresses.
                Some("reserved")
            } else {
                None
            }
        }
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) {
        Some("a cloud metadata address")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if (o[0] == 192 && o[1] == 0 && o[2] == 0) || (o[0] == 198 && (o[1] & 0xfe) == 18) {
        // IETF protocol assignments (192.0.0.0/24), benchmarking (198.18.0.0/15).
        Some("reserved")
    } else if ip.is_broadcast() || o[0] >= 240 {
        Some("reserved")
    } else {
        None
    }
}

/// Why a subscription's types are refused: the index of the item and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRefusal {
    /// Not `entity` or `entity.action` of an entity the feed knows.
    Unknown(usize),
    /// The client's scopes do not read this entity on the feed.
    OutOfScope(usize, &'static str),
}

/// Parses a subscription's event types: each must be a type of the feed
/// that the client reads on the feed with its scopes, so a subscription
/// never carries a change the client could not read (INT-2).
pub fn parse_types(items: &[String], scope: &FeedScope) -> Result<Vec<TypeFilter>, TypeRefusal> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let t = TypeFilter::parse(item.trim()).ok_or(TypeRefusal::Unknown(i))?;
        if !scope.admits(t.entity, None, None) {
            return Err(TypeRefusal::OutOfScope(i, t.entity));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Whether a change of `entity` with `action` matches one of `types`.
pub fn matches(types: &[TypeFilter], entity: &str, action: &str) -> bool {
    types
        .iter()
        .any(|t| t.entity == entity && t.action.as_deref().is_none_or(|a| a == action))
}

/// Whether a client's subscriptions are sent anything now: a change, a
/// test ping or a redelivery. A suspended client can read nothing on the
/// feed, so its receiver is sent nothing either (INT-2), and nothing is
/// queued for it.
pub fn sends_to(client: ClientStatus) -> bool {
    client == ClientStatus::Active
}

/// What a receiver's answer means (Standard Webhooks 1.0, INT-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 2xx: delivered.
    Delivered,
    /// 410 Gone: the receiver wants no more; the subscription is disabled.
    Gone,
    /// 429 or 503 with `Retry-After`: try again no sooner than that.
    RetryAfter(Duration),
    /// Anything else, a timeout or no connection: retry on the schedule.
    Failed,
}

impl Answer {
    /// Classifies a response status (and its `Retry-After`, in seconds).
    /// Redirects are failures: they are not followed.
    pub fn of(status: u16, retry_after: Option<u64>) -> Self {
        match (status, retry_after) {
            (200..=299, _) => Answer::Delivered,
            (410, _) => Answer::Gone,
            (429 | 503, Some(secs)) => {
                Answer::RetryAfter(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
            }
            _ => Answer::Failed,
        }
    }
}

/// When to try again after `attempts` attempts have failed, by the
/// schedule (`schedule[attempts]`), never sooner than a `Retry-After`;
/// `None` when the schedule is spent. `jitter` in [-1, 1] moves the delay
/// by up to a tenth, so receivers coming back are not hit all at once.
pub fn next_delay(
    schedule: &[Duration],
    attempts: usize,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Option<Duration> {
    let base = *schedule.get(attempts)?;
    let spread = base.mul_f64(0.1 * jitter.clamp(-1.0, 1.0).abs());
    let jittered = if jitter < 0.0 {
        base.saturating_sub(spread)
    } else {
        base + spread
    };
    Some(retry_after.map_or(jittered, |r| jittered.max(r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::scope;
    use crate::principal::{scopes, Principal, Role};

    #[test]
    fn a_suspended_client_is_sent_nothing() {
        assert!(sends_to(ClientStatus::Active));
        assert!(!sends_to(ClientStatus::Suspended));
    }

    #[test]
    fn urls_are_https_with_a_public_host() {
        let t = parse_url("https://hooks.example.gov.in/cscms?x=1", false).unwrap();
        assert_eq!(
            (t.https, t.host.as_str(), t.port),
            (true, "hooks.example.gov.in", 443)
        );
        let t = parse_url("https://[2001:db8::1]:8443/h", false).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("2001:db8::1", 8443));
        for (bad, why) in [
            ("http://hooks.example.gov.in/", UrlRefusal::NotHttps),
            ("ftp://x.example/", UrlRefusal::Malformed),
            ("https://", UrlRefusal::Malformed),
            ("https://a b/", UrlRefusal::Malformed),
            ("https://x.example:0/", UrlRefusal::Malformed),
            ("https://x.example:99999/", UrlRefusal::Malformed),
            ("https://x.example/#f", UrlRefusal::Malformed),
            ("https://user:pw@x.example/", UrlRefusal::Credentials),
        ] {
            assert_eq!(parse_url(bad, false), Err(why), "{bad}");
        }
        // Development: http to loopback, and to nothing else.
        let t = parse_url("http://127.0.0.1:9000/h", true).unwrap();
        assert_eq!((t.https, t.port), (false, 9000));
        assert!(parse_url("http://localhost:9000/h", true).is_ok());
        assert!(parse_url("http://[::1]:9000/h", true).is_ok());
        assert_eq!(
            parse_url("http://hooks.example.gov.in/", true),
            Err(UrlRefusal::NotHttps)
        );
        assert_eq!(
            parse_url("http://10.0.0.1/", true),
            Err(UrlRefusal::NotHttps)
        );
        assert!(matches!(
            parse_url("http://127.0.0.1:9000/h", false),
            Err(UrlRefusal::NotHttps)
        ));
    }

    /// INT-2: every kind of address a webhook must not reach, and some it may.
    #[test]
    fn private_and_special_addresses_are_refused() {
        let refused = [
            ("127.0.0.1", "loopback"),
            ("127.8.9.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("169.254.10.1", "link-local"),
            ("169.254.169.254", "a cloud metadata address"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("100.127.255.254", "shared (carrier-grade NAT)"),
            ("0.0.0.0", "unspecified"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fc00::1", "private (unique local)"),
            ("fd12:3456::1", "private (unique local)"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("fd00:ec2::254", "a cloud metadata address"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "a cloud metadata address"),
            ("64:ff9b::a00:1", "private"),
            ("192.0.0.8", "reserved"),
            ("198.18.0.1", "reserved"),
            ("198.19.255.254", "reserved"),
            ("2002:a9fe:a9fe::1", "a cloud metadata address"),
            ("2002:7f00:1::", "loopback"),
            ("2002:c0a8:101::1", "private"),
            ("2001:0:4136:e378::1", "reserved"),
        ];
        for (ip, why) in refused {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(refusal(ip), Some(why), "{ip}");
            assert!(check_address(ip, false).is_err());
            assert!(check_address(ip, true).is_ok(), "development allows {ip}");
            let url = match ip {
                IpAddr::V4(_) => format!("https://{ip}/h"),
                IpAddr::V6(_) => format!("https://[{ip}]/h"),
            };
            assert_eq!(
                parse_url(&url, false),
                Err(UrlRefusal::Address(ip, why)),
                "{url}"
            );
        }
        for ok in [
            "8.8.8.8",
            "164.100.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "198.20.0.1",
            "192.0.1.1",
            "2002:808:808::1",
            "2001:4860::8888",
            // Documentation addresses stand in for public receivers in
            // examples (README); nothing routes them anywhere.
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.99",
            "2001:db8::1",
        ] {
            assert_eq!(refusal(ok.parse().unwrap()), None, "{ok}");
        }
        assert_eq!(refused.len(), 30);
    }

    #[test]
    fn types_must_be_read_by_the_clients_scopes() {
        let who = |s: &[&str]| Principal {
            sub: "igot".into(),
            role: Role::Integration,
            org: None,
            employee: None,
            scopes: s.iter().map(|x| x.to_string()).collect(),
        };
        let igot = scope(&who(&[scopes::INTERESTS_READ]));
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = parse_types(
            &items(&["interests", "competency_area.put", "interests"]),
            &igot,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert!(matches(&ok, "competency_area", "put"));
        assert!(!matches(&ok, "competency_area", "delete"));
        assert!(matches(&ok, "interests", "anything"));
        assert_eq!(
            parse_types(&items(&["interests", "vigilance_status"]), &igot),
            Err(TypeRefusal::OutOfScope(1, "vigilance_status"))
        );
        assert_eq!(
            parse_types(&items(&["nonsense"]), &igot),
            Err(TypeRefusal::Unknown(0))
        );
    }

    #[test]
    fn answers_and_the_retry_schedule() {
        assert_eq!(Answer::of(204, None), Answer::Delivered);
        assert_eq!(Answer::of(410, Some(5)), Answer::Gone);
        assert_eq!(
            Answer::of(429, Some(120)),
            Answer::RetryAfter(Duration::from_secs(120))
        );
        assert_eq!(
            Answer::of(503, Some(10_000_000)),
            Answer::RetryAfter(MAX_RETRY_AFTER)
        );
        assert_eq!(Answer::of(503, None), Answer::Failed);
        assert_eq!(Answer::of(301, None), Answer::Failed);
        assert_eq!(Answer::of(500, None), Answer::Failed);

        let s = STANDARD_SCHEDULE;
        assert_eq!(s.len(), 10);
        assert_eq!(next_delay(s, 0, None, 0.0), Some(Duration::ZERO));
        assert_eq!(next_delay(s, 1, None, 0.0), Some(Duration::from_secs(5)));
        assert_eq!(next_delay(s, 2, None, 1.0), Some(Duration::from_secs(330)));
        assert_eq!(next_delay(s, 2, None, -1.0), Some(Duration::from_secs(270)));
        assert_eq!(
            next_delay(s, 1, Some(Duration::from_secs(60)), 0.0),
            Some(Duration::from_secs(60))
        );
        assert_eq!(next_delay(s, 10, None, 0.0), None);
    }
}
