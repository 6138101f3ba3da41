//! Sending one webhook (INT-2): an HTTP client that follows no redirects,
//! gives up after the configured timeout, and connects only to addresses
//! it has resolved and checked itself (no SSRF, even if DNS changes after
//! the subscription was made), with a connection pool per subscription.

use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use actix_tls::connect::{Resolve, Resolver};
use actix_web::web;
use cscms_domain::webhook::{check_address, parse_url, UrlRefusal};
use futures_util::future::LocalBoxFuture;

use crate::config::WebhookSettings;

/// Resolves a host and refuses it if any of its addresses is one a
/// webhook must not reach: a name with one private address among public
/// ones is refused whole.
#[derive(Clone, Copy)]
struct Guard {
    allow_private: bool,
}

impl Resolve for Guard {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>> {
        Box::pin(async move {
            resolve(host, port, self.allow_private)
                .await
                .map_err(|e| -> Box<dyn std::error::Error> { e.into() })
        })
    }
}

/// The addresses of `host`, every one of them checked.
pub async fn resolve(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, String> {
    let name = host.to_owned();
    let addrs = web::block(move || (name.as_str(), port).to_socket_addrs().map(Vec::from_iter))
        .await
        .map_err(|e| format!("resolver: {e}"))?
        .map_err(|_| format!("{host} does not resolve"))?;
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    for a in &addrs {
        check_address(a.ip(), allow_private).map_err(|e| e.to_string())?;
    }
    Ok(addrs)
}

/// Checks a subscription URL now: its form, and every address its host
/// resolves to (INT-2).
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
    let target = parse_url(url, allow_private).map_err(|e: UrlRefusal| e.to_string())?;
    if target.ip().is_none() {
        resolve(&target.host, target.port, allow_private).await?;
    }
    Ok(())
}

/// How long a subscription's client is kept with nothing to send.
const IDLE: Duration = Duration::from_secs(600);

/// A client, and so a connection pool, per subscription: one pool shared
/// by all let a slow receiver hold every connection while other
/// receivers' attempts waited for one and ran out of time.
pub struct Pools {
    settings: WebhookSettings,
    clients: HashMap<i64, (awc::Client, Instant)>,
}

impl Pools {
    pub fn new(settings: &WebhookSettings) -> Self {
        Self {
            settings: settings.clone(),
            clients: HashMap::new(),
        }
    }

    /// The client of each of `subscriptions`, made on first use; clients
    /// idle for [`IDLE`] are dropped first (their subscription may be gone).
    pub fn of(&mut self, subscriptions: impl Iterator<Item = i64>) -> Vec<awc::Client> {
        let now = Instant::now();
        self.clients
            .retain(|_, (_, used)| now.duration_since(*used) < IDLE);
        let settings = &self.settings;
        subscriptions
            .map(|id| {
                let (c, used) = self
                    .clients
                    .entry(id)
                    .or_insert_with(|| (client(settings), now));
                *used = now;
                c.clone()
            })
            .collect()
    }
}

/// The client a delivery worker sends one subscription's deliveries with:
/// at most `settings.connections` connections at once.
fn client(settings: &WebhookSettings) -> awc::Client {
    let guard = Guard {
        allow_private: settings.allow_private,
    };
    let tcp = actix_tls::connect::Connector::new(Resolver::custom(guard)).service();
    let mut connector = awc::Connector::new()
        .connector(tcp)
        .limit(settings.connections)
        .timeout(settings.timeout);
    if !settings.extra_roots.is_empty() {
        // The public web roots, as awc's default, and the configured CAs.
        let mut roots = actix_tls::connect::rustls_0_23::webpki_roots_cert_store();
        let (added, _) = roots.add_parsable_certificates(settings.extra_roots.iter().cloned());
        log::info!("webhooks: trusting {added} configured certificate authorities");
        let mut tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        connector = connector.rustls_0_23(std::sync::Arc::new(tls));
    }
    awc::Client::builder()
        .connector(connector)
        .timeout(settings.timeout)
        .disable_redirects()
        .add_default_header(("user-agent", "CSCMS-Webhooks/1"))
        .finish()
}

/// `Retry-After` (RFC 9110 §10.2.3) as seconds from `now`: delay-seconds,
/// or an HTTP-date (one already past is no wait).
pub fn retry_after_secs(value: &str, now: std::time::SystemTime) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse() {
        return Some(secs);
    }
    let at: std::time::SystemTime = value
        .parse::<actix_web::http::header::HttpDate>()
        .ok()?
        .into();
    Some(at.duration_since(now).map_or(0, |d| d.as_secs()))
}

/// What an attempt got: a status and `Retry-After` (seconds), or why not.
pub struct Response {
    pub status: Option<u16>,
    pub retry_after: Option<u64>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

/// Posts one signed message.
pub async fn post(
    client: &awc::Client,
    settings: &WebhookSettings,
    url: &str,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> Response {
    let started = Instant::now();
    let elapsed = || i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    // An address in the URL itself is not resolved: check it here.
    if let Err(e) = parse_url(url, settings.allow_private) {
        return Response {
            status: None,
            retry_after: None,
            error: Some(format!("not sent: {e}")),
            latency_ms: 0,
        };
    }
    let mut req = client
        .post(url)
        .insert_header(("content-type", "application/json"));
    for (name, value) in headers {
        req = req.insert_header((*name, value.as_str()));
    }
    match req.send_body(body).await {
        Ok(res) => Response {
            status: Some(res.status().as_u16()),
            retry_after: res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after_secs(v, std::time::SystemTime::now())),
            error: None,
            latency_ms: elapsed(),
        },
        Err(e) => Response {
            status: None,
            retry_after: None,
            error: Some(match e {
                awc::error::SendRequestError::Timeout => "no answer within the timeout".to_owned(),
                awc::error::SendRequestError::Connect(c) => format!("could not connect: {c}"),
                other => format!("sending failed: {other}"),
            }),
            latency_ms: elapsed(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::retry_after_secs;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 s after the epoch.
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after_secs(" 120 ", now), Some(120));
        assert_eq!(
            retry_after_secs("Sun, 06 Nov 1994 08:51:37 GMT", now),
            Some(120)
        );
        assert_eq!(
            retry_after_secs("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(0),
            "past: no wait"
        );
        assert_eq!(retry_after_secs("soon", now), None);
        assert_eq!(retry_after_secs("-5", now), None);
    }
}
