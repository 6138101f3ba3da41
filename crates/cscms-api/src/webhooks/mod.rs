//! Webhook delivery (INT-2, Standard Webhooks 1.0): a worker inside every
//! instance claims due deliveries from the durable queue, signs and sends
//! them, and records each attempt: 2xx delivered; 410 disables the
//! subscription; 429/503 wait at least `Retry-After`; anything else tries
//! again on the schedule, and after its last attempt the subscription is
//! disabled. Each delivery is claimed by one worker at a time (see
//! `cscms_store::webhooks::claim`); per-entity order is kept there too.

pub mod seal;
pub mod send;
pub mod sign;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::web;
use chrono::{DateTime, Utc};
use cscms_domain::webhook::{next_delay, Answer};
use cscms_store::audit::Actor;
use cscms_store::webhooks::{self as queue, Attempt, Claimed, Outcome};
use futures_util::stream::{FuturesUnordered, StreamExt};
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
/// Deliveries one worker keeps out at once (sent, their attempts not yet
/// recorded): four batches. With one batch at a time the queue was not read
/// while a batch was out and while its attempts were recorded, and on
/// PostgreSQL the writes outran delivery (bench/speed.md, "Webhook
/// fan-out"). Now the worker claims the next batch while earlier ones are
/// sent; batches never share a delivery (each is claimed under its own
/// lease, as by the workers of several instances:
/// `cscms_store::webhooks::claim`), and a later delivery of an entity
/// waits while an earlier one is out (per-entity order).
const OUT: usize = 4 * BATCH as usize;
/// How long answers are gathered into one record once one has come: a
/// batch's answers usually come together (one write transaction), while a
/// slow receiver's come later and are recorded then, holding up neither
/// the others' record (nor so their next deliveries) nor the worker's room.
const GATHER: Duration = Duration::from_millis(100);
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
        let out = Rc::new(Cell::new(0usize));
        loop {
            let room = OUT.saturating_sub(out.get());
            if room == 0 {
                actix_web::rt::time::sleep(BUSY_POLL).await;
                continue;
            }
            let limit = BATCH.min(i64::try_from(room).unwrap_or(BATCH));
            match claim_due(&state, limit).await {
                Ok(None) => actix_web::rt::time::sleep(POLL_EVERY).await,
                Ok(Some(batch)) => {
                    let full = i64::try_from(batch.claimed.len()).unwrap_or(i64::MAX) >= limit;
                    let clients = pools.of(batch.claimed.iter().map(|c| c.subscription.id));
                    let out = Out::take(&out, batch.claimed.len());
                    let state = state.clone();
                    actix_web::rt::spawn(async move {
                        send_and_record(&state, clients, batch, out).await;
                    });
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

/// A batch's share of the worker's room, given back as its attempts are
/// recorded, and all of it if the batch's task ends early (a panic): its
/// deliveries' lease runs out and they are claimed again.
struct Out {
    count: Rc<Cell<usize>>,
    held: usize,
}

impl Out {
    fn take(count: &Rc<Cell<usize>>, n: usize) -> Self {
        count.set(count.get() + n);
        Self {
            count: count.clone(),
            held: n,
        }
    }

    fn give_back(&mut self, n: usize) {
        let n = n.min(self.held);
        self.held -= n;
        self.count.set(self.count.get().saturating_sub(n));
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        self.give_back(self.held);
    }
}

/// Deliveries claimed together under one lease.
struct Batch {
    claim: String,
    claimed: Vec<Claimed>,
}

/// Claims the deliveries due now (at most `limit`); `None` if none are.
async fn claim_due(state: &AppState, limit: i64) -> Result<Option<Batch>, ApiError> {
    let claim = uuid::Uuid::new_v4().to_string();
    let now = Utc::now().naive_utc();
    let lease_until = now
        + chrono::Duration::from_std(state.webhooks.lease())
            .map_err(|e| ApiError::Internal(format!("lease: {e}")))?;
    let token = claim.clone();
    let claimed = state
        .db(move |c| queue::claim(c, &token, now, lease_until, limit))
        .await?;
    Ok((!claimed.is_empty()).then_some(Batch { claim, claimed }))
}

/// Sends a batch's deliveries at once, each with its subscription's client
/// (`clients`, in the batch's order), and records the attempts as their
/// answers come, those within [`GATHER`] of each other together.
async fn send_and_record(state: &AppState, clients: Vec<awc::Client>, batch: Batch, mut out: Out) {
    let Batch { claim, claimed } = batch;
    let mut answers: FuturesUnordered<_> = claimed
        .into_iter()
        .zip(clients)
        .map(|(c, client)| async move { attempt(state, &client, c).await })
        .collect();
    while let Some(first) = answers.next().await {
        let mut attempts = vec![first];
        let until = Instant::now() + GATHER;
        while let Ok(Some(a)) = actix_web::rt::time::timeout(
            until.saturating_duration_since(Instant::now()),
            answers.next(),
        )
        .await
        {
            attempts.push(a);
        }
        let n = attempts.len();
        let actor = Actor {
            sub: "cscms:webhooks".into(),
            role: "system".into(),
            request_id: claim.clone(),
        };
        let token = claim.clone();
        let started = Instant::now();
        match state
            .db(move |c| queue::finish(c, &actor, &token, &attempts))
            .await
        {
            Ok(()) => log::debug!("webhooks: {n} attempts recorded in {:?}", started.elapsed()),
            // Unrecorded, they are claimed again when the lease runs out.
            Err(e) => log::warn!("webhooks: recording {n} attempts failed: {e}"),
        }
        out.give_back(n);
    }
}

/// The body of a claimed delivery, or why it is not sent.
fn body(c: &Claimed, now: DateTime<Utc>) -> Result<Vec<u8>, String> {
    let d = &c.delivery;
    // A client that is not active is sent nothing, not even a ping (its
    // status may have changed since the delivery was queued).
    if !cscms_domain::webhook::sends_to(c.client_status) {
        return Err("not sent: the client is not active".into());
    }
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
        // on the feed now (its scopes may have changed).
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
    let in_overlap = s
        .previous_until
        .is_some_and(|until| until > now.naive_utc());
    let secrets = std::iter::once(Some(&s.secret))
        .chain([s.previous_secret.as_ref().filter(|_| in_overlap)])
        .flatten()
        .map(|sealed| state.sealer.open_secret(sealed))
        .collect::<Result<Vec<_>, _>>();
    let secrets = match secrets {
        Ok(secrets) => secrets,
        Err(why) => {
            log::error!("webhook subscription {}: {why}", s.id);
            return record(
                None,
                0,
                Some(format!("not sent: {why}")),
                Outcome::Failed { disable: None },
            );
        }
    };
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
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
