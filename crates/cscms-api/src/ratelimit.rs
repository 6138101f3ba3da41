//! Rate limits per caller (INT-2), as one middleware over `/v1`.
//!
//! A policy is a quota `q` per window `w` seconds, by kind of caller: a
//! person, an integration client, a bulk importer (a client with a bulk
//! write scope). The limiter is GCRA: one theoretical arrival time per
//! caller, so a full quota may be spent at once and refills evenly. Every
//! response says where the caller stands (draft-ietf-httpapi-ratelimit-headers-11:
//! `RateLimit-Policy`, `RateLimit`); past the quota it is 429 `rate_limited`
//! with `Retry-After`.
//!
//! On PostgreSQL the state is in the database, so the quota holds however
//! many instances share the load. An instance reserves a caller's requests
//! from it in leases ([`Leases`]): one at a time for a caller who comes
//! now and then, more (doubling, capped at 1/32 of the quota) for one who
//! spends each lease within 100 ms — so a busy caller costs one atomic
//! UPDATE per lease instead of one per request, every request admitted was
//! reserved in the database first, and what a lease leaves unspent is
//! given back with the next reservation. The embedded SQLite
//! default is one instance: the state is in memory, and costs no write.
//!
//! Public documents read without a token (the contract, a print's
//! verification: [`PUBLIC`]) are never charged to a caller, token or not:
//! they are limited per client address instead, in memory on each
//! instance (an anonymous caller costs no database write), and answer with
//! the same headers under the policy `address`. That limit stays when
//! `CSCMS_RATE_LIMITS=off` hands callers' quotas to a gateway: it is the
//! service's own guard on what anyone may ask for.
//!
//! The limiter wraps the conditional-request layer (`http_cache`), so a 304
//! made there carries the headers too.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use cscms_domain::principal::{scopes, Principal, Role};

use crate::error::ApiError;
use crate::state::AppState;

/// A quota of `quota` requests per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub quota: u32,
    pub window_secs: u32,
}

impl Policy {
    /// `QUOTA/WINDOW_SECS`, e.g. `600/60`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (q, w) = raw.trim().split_once('/')?;
        let quota = q
            .trim()
            .parse()
            .ok()
            .filter(|q| (1..=1_000_000).contains(q))?;
        let window_secs = w.trim().parse().ok().filter(|w| (1..=86_400).contains(w))?;
        Some(Self { quota, window_secs })
    }

    fn window_us(self) -> i64 {
        i64::from(self.window_secs) * 1_000_000
    }

    /// The GCRA emission interval: the window over the quota.
    fn interval_us(self) -> i64 {
        (self.window_us() / i64::from(self.quota)).max(1)
    }
}

/// The policies in force (`CSCMS_RATE_LIMIT_*`).
#[derive(Debug, Clone, Copy)]
pub struct Policies {
    /// `CSCMS_RATE_LIMITS=off` for a deployment whose gateway limits
    /// callers itself: no check, no headers.
    pub enabled: bool,
    pub user: Policy,
    pub client: Policy,
    pub bulk: Policy,
    /// Per client address, for the public documents ([`PUBLIC`]).
    pub public: Policy,
}

/// Documents anyone may read without a token: limited per address, never
/// charged to a caller (RFC 9110 §9.2.1 safe reads of public data).
pub const PUBLIC: [&str; 2] = ["/v1/openapi.json", "/v1/prints/"];

/// The policy of the public documents' readers, by address.
const ADDRESS: &str = "address";

/// Whether `path` is a public document's.
pub fn is_public(path: &str) -> bool {
    PUBLIC.iter().any(|p| path.starts_with(p))
}

impl Default for Policies {
    fn default() -> Self {
        Self {
            enabled: true,
            user: Policy {
                quota: 600,
                window_secs: 60,
            },
            client: Policy {
                quota: 1200,
                window_secs: 60,
            },
            bulk: Policy {
                quota: 6000,
                window_secs: 60,
            },
            public: Policy {
                quota: 30,
                window_secs: 60,
            },
        }
    }
}

/// Scopes that make a client a bulk importer.
const BULK_SCOPES: &[&str] = &[scopes::APAR_WRITE];

impl Policies {
    /// The policy of a caller, and its name in the headers.
    pub fn of(&self, who: &Principal) -> (&'static str, Policy) {
        match who.role {
            Role::Integration if BULK_SCOPES.iter().any(|s| who.has_scope(s)) => {
                ("bulk", self.bulk)
            }
            Role::Integration => ("client", self.client),
            _ => ("user", self.user),
        }
    }
}

/// The outcome of one request against its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub admitted: bool,
    /// Requests left now.
    pub remaining: u32,
    /// Seconds until the quota is whole again.
    pub reset_secs: u64,
    /// Seconds until a refused request may be admitted.
    pub retry_after_secs: u64,
}

/// GCRA's answer from the TAT after (or, refused, before) the request.
pub fn standing(policy: Policy, admitted: bool, tat_us: i64, now_us: i64) -> Standing {
    let ahead = (tat_us - now_us).max(0);
    let room = (policy.window_us() - ahead).max(0);
    let ceil_secs = |us: i64| u64::try_from((us + 999_999) / 1_000_000).unwrap_or(0);
    Standing {
        admitted,
        remaining: u32::try_from(room / policy.interval_us())
            .unwrap_or(0)
            .min(policy.quota),
        reset_secs: ceil_secs(ahead),
        retry_after_secs: if admitted {
            0
        } else {
            ceil_secs(ahead + policy.interval_us() - policy.window_us()).max(1)
        },
    }
}

/// The in-memory limiter of an embedded instance.
#[derive(Default)]
pub struct Local {
    tats: Mutex<HashMap<String, i64>>,
}

impl Local {
    pub fn admit(&self, key: &str, policy: Policy, now_us: i64) -> (bool, i64) {
        let Ok(mut tats) = self.tats.lock() else {
            return (true, now_us);
        };
        if tats.len() > 100_000 {
            // Stale entries only hold times already past; start afresh.
            tats.retain(|_, tat| *tat > now_us);
        }
        let tat = tats.get(key).copied().unwrap_or(0).max(now_us);
        let next = tat + policy.interval_us();
        if next - now_us <= policy.window_us() {
            tats.insert(key.to_owned(), next);
            (true, next)
        } else {
            (false, tat)
        }
    }
}

/// How long a lease may be spent. What is left after it is given back to
/// the shared state with the caller's next reservation on this instance.
const LEASE_US: i64 = 1_000_000;
/// A lease spent within this time says the caller is busy: the next one is
/// twice the size. Slower callers are reserved one request at a time, so
/// their count is exact.
const BUSY_US: i64 = 100_000;
/// The largest lease, whatever the quota.
const MAX_LEASE: i64 = 64;

#[derive(Debug, Clone, Copy)]
struct Lease {
    /// Reserved and not yet spent.
    left: i64,
    /// The database's TAT after the reservation.
    tat_us: i64,
    /// The size asked for last.
    size: i64,
    reserved_us: i64,
}

/// Requests an instance has reserved from the shared state and spends
/// locally, by caller key.
#[derive(Default)]
pub struct Leases {
    leases: Mutex<HashMap<String, Lease>>,
}

/// What to do for one request: spend the lease in hand, or reserve `want`
/// (giving back what an expired lease left unspent).
enum Take {
    Spent { tat_us: i64, left: i64 },
    Reserve { want: i64, give_back: i64 },
}

impl Leases {
    fn take(&self, key: &str, policy: Policy, now_us: i64) -> Take {
        let Ok(mut leases) = self.leases.lock() else {
            return Take::Reserve {
                want: 1,
                give_back: 0,
            };
        };
        if leases.len() > 100_000 {
            // Only spent leases go: an unspent one is still owed back.
            leases.retain(|_, l| l.left > 0 || l.reserved_us + LEASE_US > now_us);
        }
        let Some(l) = leases.get_mut(key) else {
            return Take::Reserve {
                want: 1,
                give_back: 0,
            };
        };
        let age = now_us - l.reserved_us;
        if age < LEASE_US && l.left > 0 {
            l.left -= 1;
            return Take::Spent {
                tat_us: l.tat_us,
                left: l.left,
            };
        }
        // Taken now, under the lock, so that no concurrent request gives
        // the same requests back twice.
        let give_back = std::mem::take(&mut l.left);
        let want = if age <= BUSY_US {
            (l.size * 2).min(max_lease(policy))
        } else {
            1
        };
        Take::Reserve { want, give_back }
    }

    /// Adds a reservation to the lease of `key`. Concurrent requests may
    /// each have reserved: their leftovers add up, none is dropped.
    fn keep(&self, key: &str, granted: i64, want: i64, tat_us: i64, now_us: i64) {
        if let Ok(mut leases) = self.leases.lock() {
            let l = leases.entry(key.to_owned()).or_insert(Lease {
                left: 0,
                tat_us,
                size: want,
                reserved_us: now_us,
            });
            l.left += (granted - 1).max(0);
            l.tat_us = l.tat_us.max(tat_us);
            l.size = want;
            l.reserved_us = now_us;
        }
    }

    /// Admits one request of `key` against the shared state, reserving
    /// from the database when no lease is in hand. Returns whether it is
    /// admitted, the TAT to report, and the requests still leased.
    pub async fn admit(
        &self,
        state: &AppState,
        key: &str,
        policy: Policy,
        now_us: i64,
    ) -> Result<(bool, i64, i64), ApiError> {
        let (want, give_back) = match self.take(key, policy, now_us) {
            Take::Spent { tat_us, left } => return Ok((true, tat_us, left)),
            Take::Reserve { want, give_back } => (want, give_back),
        };
        let k = key.to_owned();
        let (interval, window) = (policy.interval_us(), policy.window_us());
        let (granted, tat) = state
            .db(move |c| {
                cscms_store::rate_limits::reserve(
                    c,
                    &cscms_store::rate_limits::Reservation {
                        key: &k,
                        now_us,
                        interval_us: interval,
                        window_us: window,
                        want,
                        give_back,
                    },
                )
            })
            .await?;
        if granted < 1 {
            return Ok((false, tat, 0));
        }
        self.keep(key, granted, want, tat, now_us);
        Ok((true, tat, granted - 1))
    }
}

/// The largest lease of a policy: 1/32 of the quota, at least 1.
fn max_lease(policy: Policy) -> i64 {
    (i64::from(policy.quota) / 32).clamp(1, MAX_LEASE)
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn set_headers(headers: &mut HeaderMap, name: &str, policy: Policy, s: Standing) {
    let pairs = [
        (
            "ratelimit-policy",
            format!("\"{name}\";q={};w={}", policy.quota, policy.window_secs),
        ),
        (
            "ratelimit",
            format!("\"{name}\";r={};t={}", s.remaining, s.reset_secs),
        ),
    ];
    for (h, v) in pairs {
        if let Ok(v) = HeaderValue::from_str(&v) {
            headers.insert(HeaderName::from_static(h), v);
        }
    }
}

/// Whom a request is counted against: a public document's reader by
/// address, a caller by who they are; `None` when it is not counted.
fn counted(req: &ServiceRequest, state: &AppState) -> Option<(&'static str, Policy, String)> {
    let path = req.path();
    if is_public(path) {
        let addr = req.peer_addr()?;
        return Some((ADDRESS, state.rate_limits.public, addr.ip().to_string()));
    }
    if !state.rate_limits.enabled || !path.starts_with("/v1/") {
        return None;
    }
    let who = crate::auth::caller(req.request())?;
    let (name, policy) = state.rate_limits.of(&who);
    Some((name, policy, format!("{}:{}", who.role.as_str(), who.sub)))
}

/// The middleware: `app.wrap(middleware::from_fn(ratelimit::layer))`.
pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some((state, (name, policy, who))) = state.and_then(|s| counted(&req, &s).map(|c| (s, c)))
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = format!("{name}:{who}");
    let now = now_us();
    // An anonymous reader is kept in memory: no database write per request.
    let (admitted, tat, leased) = if name == ADDRESS {
        let (admitted, tat) = state.local_limits.admit(&key, policy, now);
        (admitted, tat, 0)
    } else if state.shared_rate_limits {
        match state.leases.admit(&state, &key, policy, now).await {
            Ok(answer) => answer,
            // The limiter never takes the service down with it.
            Err(e) => {
                log::error!("rate limit: {e}");
                (true, now, 0)
            }
        }
    } else {
        let (admitted, tat) = state.local_limits.admit(&key, policy, now);
        (admitted, tat, 0)
    };
    let mut s = standing(policy, admitted, tat, now);
    // Requests this instance holds leased are still the caller's to spend.
    s.remaining = s
        .remaining
        .saturating_add(u32::try_from(leased).unwrap_or(0))
        .min(policy.quota);
    if !admitted {
        let mut res = req.error_response(ApiError::TooManyRequests {
            retry_after_secs: s.retry_after_secs,
        });
        // RFC 6585 §4: a 429 is never stored by a cache.
        res.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        set_headers(res.headers_mut(), name, policy, s);
        return Ok(res);
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    set_headers(res.headers_mut(), name, policy, s);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_spends_the_quota_then_refills_evenly() {
        let p = Policy::parse("5/10").unwrap();
        let local = Local::default();
        let t0 = 1_000_000;
        let mut left = Vec::new();
        for _ in 0..5 {
            let (ok, tat) = local.admit("k", p, t0);
            assert!(ok);
            left.push(standing(p, ok, tat, t0).remaining);
        }
        assert_eq!(left, [4, 3, 2, 1, 0], "the remaining count goes down");
        let (ok, tat) = local.admit("k", p, t0);
        let refused = standing(p, ok, tat, t0);
        assert!(!ok);
        assert_eq!(refused.retry_after_secs, 2, "one interval (10 s / 5)");
        // One interval later, one more.
        assert!(local.admit("k", p, t0 + 2_000_000).0);
        assert!(!local.admit("k", p, t0 + 2_000_000).0);
        assert!(local.admit("other", p, t0).0, "keys are separate");
        // Microseconds: a million a second is a million, not a thousand.
        let fast = Policy::parse("1000000/1").unwrap();
        assert!((0..5000).all(|_| local.admit("fast", fast, t0).0));
        assert_eq!(Policy::parse("0/10"), None);
        assert_eq!(Policy::parse("10"), None);
    }
}
