//! Webhook delivery (INT-2, Standard Webhooks 1.0): a worker inside every
//! instance claims due deliveries from the durable queue, signs and sends
//! them, and records each attempt: 2xx delivered; 410 disables the
//! subscription; 429/503 wait at least `Retry-After`; anything else tries
//! again on the schedule, and after its last attempt the subscription is
//! disabled. Each delivery is claimed by one worker at a time (see
//! `cscms_store::webhooks::claim`); per-entity order is kept there too.

pub mod send;
pub mod sign;

use std::time::Duration;

use actix_web::web;
use chrono::{DateTime, Utc};
use cscms_domain::webhook::{next_delay, Answer};
use cscms_store::audit::Actor;
use cscms_store::webhooks::{self as queue, Attempt, Claimed, Outcome};
use futures_util::future::join_all;
use rand::Rng;
use serde::Serialize;

use crate::error::ApiError;
use crate::routes::changes::ChangeEvent;
use crate::state::AppState;

/// How often an idle round looks for due deliveries.
const POLL_EVERY: Duration = Duration::from_millis(100);
/// Deliveries one round claims and sends at once. A batch costs two write
/// transactions (the claim, the attempts' record), and on SQLite each waits
/// its turn behind the API's writers: under a heavy write load the batch
/// must be large for deliveries to keep up (bench/speed.md).
const BATCH: i64 = 256;
/// Batches one worker keeps out at once. With one at a time the queue was
/// not read while a batch was out (as long as its slowest receiver) and
/// while its attempts were recorded, and on PostgreSQL the writes outran
/// delivery (bench/speed.md, "Webhook fan-out"). Now the worker claims the
/// next batch while earlier ones are sent; batches never share a delivery
/// (each is claimed under its own lease, as by the workers of several
/// instances: `cscms_store::webhooks::claim`), and a later delivery of an
/// entity waits while an earlier one is out (per-entity order).
const IN_FLIGHT: usize = 4;
/// How soon a worker claims again after a batch that was not full: soon
/// enough for commit-to-delivery, not so soon that it claims a handful at
/// a time (each claim is a write transaction).
const BUSY_POLL: Duration = Duration::from_millis(20);

/// The body of every message: `{type, timestamp, data}`.
#[derive(Serialize)]
struct Message<T: Serialize> {
    #[serde(rename = "type")]
    type_: String,
    timestamp: DateTime<Utc>,
    data: T,
}

#[derive(Serialize)]
struct Ping<'a> {
    subscription_id: i64,
    client_id: &'a str,
}

/// Starts this instance's delivery worker on the current actix runtime.
pub fn spawn(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut pools = send::Pools::new(&state.webhooks);
        let mut out: std::collections::VecDeque<actix_web::rt::task::JoinHandle<()>> =
            std::collections::VecDeque::new();
        loop {
            out.retain(|batch| !batch.is_finished());
            if out.len() >= IN_FLIGHT {
                if let Some(oldest) = out.pop_front() {
                    // A batch that panicked has recorded nothing: its
                    // lease runs out and the deliveries are claimed again.
                    let _ = oldest.await;
                }
                continue;
            }
            match claim_due(&state).await {
                Ok(None) => actix_web::rt::time::sleep(POLL_EVERY).await,
                Ok(Some(batch)) => {
                    let full = batch.claimed.len() >= usize::try_from(BATCH).unwrap_or(0);
                    let clients: Vec<awc::Client> = batch
                        .claimed
                        .iter()
                        .map(|c| pools.of(c.subscription.id))
                        .collect();
                    let state = state.clone();
                    out.push_back(actix_web::rt::spawn(async move {
                        if let Err(e) = send_and_record(&state, clients, batch).await {
                            log::warn!("webhooks: recording a batch failed: {e}");
                        }
                    }));
                    if !full {
                        actix_web::rt::time::sleep(BUSY_POLL).await;
                    }
                }
                Err(e) => {
                    log::warn!("webhooks: claiming deliveries failed: {e}");
                    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
}

/// Deliveries claimed together under one lease.
struct Batch {
    claim: String,
    claimed: Vec<Claimed>,
    started: std::time::Instant,
}

/// Claims the deliveries due now (at most [`BATCH`]); `None` if none are.
async fn claim_due(state: &AppState) -> Result<Option<Batch>, ApiError> {
    let claim = uuid::Uuid::new_v4().to_string();
    let now = Utc::now().naive_utc();
    let lease_until = now
        + chrono::Duration::from_std(state.webhooks.lease())
            .map_err(|e| ApiError::Internal(format!("lease: {e}")))?;
    let token = claim.clone();
    let started = std::time::Instant::now();
    let claimed = state
        .db(move |c| queue::claim(c, &token, now, lease_until, BATCH))
        .await?;
    Ok((!claimed.is_empty()).then_some(Batch {
        claim,
        claimed,
        started,
    }))
}

/// Sends a batch's deliveries together, each with its subscription's
/// client (`clients`, in the order of the batch), and records every attempt.
async fn send_and_record(
    state: &AppState,
    clients: Vec<awc::Client>,
    batch: Batch,
) -> Result<(), ApiError> {
    let Batch {
        claim,
        claimed,
        started,
    } = batch;
    let n = claimed.len();
    let claimed_in = started.elapsed();
    let attempts = join_all(
        claimed
            .into_iter()
            .zip(clients)
            .map(|(c, client)| async move { attempt(state, &client, c).await }),
    )
    .await;
    let sent_in = started.elapsed().saturating_sub(claimed_in);
    let actor = Actor {
        sub: "cscms:webhooks".into(),
        role: "system".into(),
        request_id: claim.clone(),
    };
    state
        .db(move |c| queue::finish(c, &actor, &claim, &attempts))
        .await?;
    log::debug!(
        "webhooks: {n} deliveries: claimed in {claimed_in:?}, sent in {sent_in:?}, recorded in {:?}",
        started.elapsed().saturating_sub(claimed_in + sent_in)
    );
    Ok(())
}

/// The body of a claimed delivery, or why it is not sent.
fn body(c: &Claimed, now: DateTime<Utc>) -> Result<Vec<u8>, String> {
    let d = &c.delivery;
    let json = if d.event_type == queue::PING {
        serde_json::to_vec(&Message {
            type_: d.event_type.clone(),
            timestamp: now,
            data: Ping {
                subscription_id: c.subscription.id,
                client_id: &c.subscription.client_id,
            },
        })
    } else {
        let Some(change) = c.change.clone() else {
            return Err("not sent: the change is older than the feed keeps".into());
        };
        // A subscription never carries a change the client could not read
        // on the feed now (its scopes or status may have changed).
        if c.client_status != cscms_domain::client::ClientStatus::Active {
            return Err("not sent: the client is not active".into());
        }
        if !queue::client_reads(&c.subscription.client_id, &c.client_scopes, &change.entity) {
            return Err("not sent: the client's scopes no longer read this change".into());
        }
        serde_json::to_vec(&Message {
            type_: d.event_type.clone(),
            timestamp: change.at.and_utc(),
            data: ChangeEvent::from(change),
        })
    };
    json.map_err(|e| format!("not sent: {e}"))
}

/// One attempt of one delivery, and what follows from it.
async fn attempt(state: &AppState, client: &awc::Client, c: Claimed) -> Attempt {
    let settings = &state.webhooks;
    let now = Utc::now();
    let d = &c.delivery;
    let s = &c.subscription;
    let record =
        |code: Option<u16>, latency_ms: i64, error: Option<String>, outcome: Outcome| Attempt {
            delivery_id: d.id,
            subscription_id: s.id,
            response_code: code.map(i32::from),
            latency_ms,
            error,
            outcome,
        };
    let payload = match body(&c, now) {
        Ok(b) => b,
        Err(why) => return record(None, 0, Some(why), Outcome::Failed { disable: None }),
    };
    let mut secrets = vec![s.secret.as_str()];
    if let (Some(old), Some(until)) = (s.previous_secret.as_deref(), s.previous_until) {
        if until > now.naive_utc() {
            secrets.push(old);
        }
    }
    let ts = now.timestamp();
    let Some(signature) = sign::header(&secrets, &d.msg_id, ts, &payload) else {
        return record(
            None,
            0,
            Some("not sent: the stored secret is not a whsec_ secret".into()),
            Outcome::Failed { disable: None },
        );
    };
    let headers = [
        ("webhook-id", d.msg_id.clone()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature),
    ];
    let res = send::post(client, settings, &s.url, &headers, payload).await;
    let answer = res
        .status
        .map_or(Answer::Failed, |code| Answer::of(code, res.retry_after));
    let error = res.error.or_else(|| match answer {
        Answer::Delivered => None,
        _ => res.status.map(|code| format!("answered {code}")),
    });
    let outcome = match answer {
        Answer::Delivered => Outcome::Delivered,
        Answer::Gone => Outcome::Failed {
            disable: Some("the receiver answered 410 Gone".into()),
        },
        // A ping is a check of the receiver: one attempt.
        _ if d.event_type == queue::PING => Outcome::Failed { disable: None },
        Answer::RetryAfter(_) | Answer::Failed => {
            let wait = match answer {
                Answer::RetryAfter(w) => Some(w),
                _ => None,
            };
            let jitter = rand::rng().random_range(-1.0..=1.0);
            let made = usize::try_from(d.attempts).unwrap_or(usize::MAX);
            match next_delay(&settings.schedule, made, wait, jitter)
                .and_then(|delay| chrono::Duration::from_std(delay).ok())
            {
                Some(delay) => Outcome::Retry(now.naive_utc() + delay),
                None => Outcome::Failed {
                    disable: Some(format!("no 2xx answer after {made} attempts")),
                },
            }
        }
    };
    record(res.status, res.latency_ms, error, outcome)
}
