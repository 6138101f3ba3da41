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
//! On PostgreSQL the state is in the database, one atomic UPDATE per
//! request, so the quota holds however many instances share the load. The
//! embedded SQLite default is one instance: the state is in memory, and
//! costs no write.

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

    fn window_ms(self) -> i64 {
        i64::from(self.window_secs) * 1000
    }

    /// The GCRA emission interval: the window over the quota.
    fn interval_ms(self) -> i64 {
        (self.window_ms() / i64::from(self.quota)).max(1)
    }
}

/// The policies in force (`CSCMS_RATE_LIMIT_*`).
#[derive(Debug, Clone, Copy)]
pub struct Policies {
    pub user: Policy,
    pub client: Policy,
    pub bulk: Policy,
}

impl Default for Policies {
    fn default() -> Self {
        Self {
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
pub fn standing(policy: Policy, admitted: bool, tat_ms: i64, now_ms: i64) -> Standing {
    let ahead = (tat_ms - now_ms).max(0);
    let room = (policy.window_ms() - ahead).max(0);
    let ceil_secs = |ms: i64| u64::try_from((ms + 999) / 1000).unwrap_or(0);
    Standing {
        admitted,
        remaining: u32::try_from(room / policy.interval_ms())
            .unwrap_or(0)
            .min(policy.quota),
        reset_secs: ceil_secs(ahead),
        retry_after_secs: if admitted {
            0
        } else {
            ceil_secs(ahead + policy.interval_ms() - policy.window_ms()).max(1)
        },
    }
}

/// The in-memory limiter of an embedded instance.
#[derive(Default)]
pub struct Local {
    tats: Mutex<HashMap<String, i64>>,
}

impl Local {
    pub fn admit(&self, key: &str, policy: Policy, now_ms: i64) -> (bool, i64) {
        let Ok(mut tats) = self.tats.lock() else {
            return (true, now_ms);
        };
        if tats.len() > 100_000 {
            // Stale entries only hold times already past; start afresh.
            tats.retain(|_, tat| *tat > now_ms);
        }
        let tat = tats.get(key).copied().unwrap_or(0).max(now_ms);
        let next = tat + policy.interval_ms();
        if next - now_ms <= policy.window_ms() {
            tats.insert(key.to_owned(), next);
            (true, next)
        } else {
            (false, tat)
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
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

/// The middleware: `app.wrap(middleware::from_fn(ratelimit::layer))`.
pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let who = state
        .as_ref()
        .filter(|_| req.path().starts_with("/v1/"))
        .and_then(|_| crate::auth::caller(req.request()));
    let (Some(state), Some(who)) = (state, who) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let (name, policy) = state.rate_limits.of(&who);
    let key = format!("{name}:{}:{}", who.role.as_str(), who.sub);
    let now = now_ms();
    let (admitted, tat) = if state.shared_rate_limits {
        let k = key.clone();
        let (interval, window) = (policy.interval_ms(), policy.window_ms());
        match state
            .db(move |c| cscms_store::rate_limits::admit(c, &k, now, interval, window))
            .await
        {
            Ok(answer) => answer,
            // The limiter never takes the service down with it.
            Err(e) => {
                log::error!("rate limit: {e}");
                (true, now)
            }
        }
    } else {
        state.local_limits.admit(&key, policy, now)
    };
    let s = standing(policy, admitted, tat, now);
    if !admitted {
        let mut res = req.error_response(ApiError::TooManyRequests {
            retry_after_secs: s.retry_after_secs,
        });
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
        assert!(local.admit("k", p, t0 + 2000).0);
        assert!(!local.admit("k", p, t0 + 2000).0);
        assert!(local.admit("other", p, t0).0, "keys are separate");
        assert_eq!(Policy::parse("0/10"), None);
        assert_eq!(Policy::parse("10"), None);
    }
}
