//! Webhooks (INT-1, INT-2) through the API: subscriptions and their scope,
//! signed delivery to a local receiver checked by an independent verifier,
//! retries with the same `webhook-id`, 410 and the last retry disabling,
//! per-entity order, the durable queue, one delivery per message with two
//! instances, leases, rotation, ping and redelivery, the SSRF guard, and
//! delivery over HTTPS to a receiver whose CA is configured.

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Utc;
use cscms_domain::principal::{scopes, Role};
use cscms_store::audit::Actor;
use cscms_store::webhooks::SealedSecret;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::{instance, spawn_with, TestApp, IN_MHA, IN_MOF, IN_NDMA};

/// Development settings: http to loopback, and a schedule in milliseconds.
const DEV: &[(&str, &str)] = &[
    ("CSCMS_WEBHOOK_ALLOW_PRIVATE", "true"),
    ("CSCMS_WEBHOOK_SCHEDULE", "0s,50ms,50ms,50ms,50ms"),
];

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Received {
    fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A receiver on a loopback port: answers each request with the next
/// status of its script (204 once the script is spent).
struct Receiver {
    url: String,
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

impl Receiver {
    fn start(script: &[u16], delay: Duration) -> Self {
        Self::start_with(script, delay, false)
    }

    /// Like [`Self::start`], the delay only before the first answer.
    fn start_with(script: &[u16], delay: Duration, only_first: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(Mutex::new(
            script.iter().copied().collect::<VecDeque<u16>>(),
        ));
        let (g, n) = (got.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                n.fetch_add(1, Ordering::SeqCst);
                let (g, script) = (g.clone(), script.clone());
                let first = n.load(Ordering::SeqCst) == 1;
                std::thread::spawn(move || {
                    let Some(req) = read_request(&mut stream) else {
                        return;
                    };
                    // Noted on arrival; answered after the delay.
                    g.lock().unwrap().push(req);
                    if first || !only_first {
                        std::thread::sleep(delay);
                    }
                    let status = script.lock().unwrap().pop_front().unwrap_or(204);
                    let extra = if matches!(status, 429 | 503) {
                        "Retry-After: 0\r\n"
                    } else {
                        ""
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                });
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            port,
            got,
            connections,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.got().len() >= n {
                return self.got();
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} of {n} messages", self.got().len());
    }
}

fn read_request(stream: &mut impl Read) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers.get("content-length")?.parse().ok()?;
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        headers,
        body: buf[head_end..head_end + len].to_vec(),
    })
}

/// The receiver's side of Standard Webhooks, written from the
/// specification (not the service's code): HMAC-SHA256 keyed with the
/// secret's base64-decoded bytes over `id.timestamp.body`, compared with
/// each space-separated `v1,` entry; the timestamp within five minutes.
fn verifies(secret: &str, r: &Received) -> bool {
    let (id, ts) = (&r.headers["webhook-id"], &r.headers["webhook-timestamp"]);
    let Ok(when) = ts.parse::<i64>() else {
        return false;
    };
    if (Utc::now().timestamp() - when).abs() > 300 {
        return false;
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&r.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    r.headers["webhook-signature"]
        .split(' ')
        .any(|entry| entry.split_once(',') == Some(("v1", expected.as_str())))
}

/// The reference example of the specification, through the verifier above.
#[test]
fn the_verifier_accepts_the_specifications_example() {
    let r = Received {
        headers: HashMap::from([
            ("webhook-id".into(), "msg_p5jXN8AQM9LWM0D4loKWxJek".into()),
            (
                "webhook-timestamp".into(),
                Utc::now().timestamp().to_string(),
            ),
            ("webhook-signature".into(), String::new()),
        ]),
        body: br#"{"test": 2432232314}"#.to_vec(),
    };
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let ts: i64 = r.headers["webhook-timestamp"].parse().unwrap();
    let sig = cscms_api::webhooks::sign::sign(secret, r.id(), ts, &r.body).unwrap();
    let mut signed = r.clone();
    signed
        .headers
        .insert("webhook-signature".into(), format!("v1,bm90IGl0 {sig}"));
    assert!(verifies(secret, &signed));
    assert!(!verifies(
        "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
        &signed
    ));
    signed.body.push(b' ');
    assert!(!verifies(secret, &signed));
}

async fn client_with(app: &TestApp, scope: &str) -> String {
    crate::clients::keyed_client(app, &[scope]).await.0
}

/// Subscribes as DoPT; returns the subscription's id and secret.
async fn subscribe(app: &TestApp, client: &str, url: &str, types: &[&str]) -> (i64, String) {
    let r = app
        .post_json(
            &format!("/v1/clients/{client}/webhooks"),
            &app.dopt(),
            &json!({"url": url, "types": types}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    (
        r.json["id"].as_i64().unwrap(),
        r.json["secret"].as_str().unwrap().to_owned(),
    )
}

/// Records a vigilance status (an audited write the client reads).
async fn record(app: &TestApp, code: &str, day: u64) {
    let from = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Days::new(day);
    let r = app
        .post_json(
            &format!("/v1/employees/{code}/vigilance-status"),
            &app.token(Role::Avd, None),
            &json!({"status": "clear", "effective_from": from.to_string(), "order_ref": format!("AVD-I/{day}/2015")}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

/// Seals what is not sealed under the current key, as a start does.
async fn reseal(app: &TestApp) -> cscms_api::webhooks::seal::Resealed {
    let sealer = app.state.sealer.clone();
    app.db(move |c| cscms_api::webhooks::seal::reseal(c, &sealer))
        .await
}

/// The subscription's row as the database keeps it.
async fn stored(app: &TestApp, client: &str, id: i64) -> cscms_store::webhooks::SubscriptionRow {
    let client = client.to_owned();
    app.db(move |c| cscms_store::webhooks::get(c, &client, id))
        .await
        .expect("the subscription")
}

async fn webhook(app: &TestApp, client: &str, id: i64) -> Value {
    let r = app
        .get(&format!("/v1/clients/{client}/webhooks/{id}"), &app.dopt())
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json
}

pub(crate) async fn deliveries(app: &TestApp, client: &str, id: i64) -> Vec<Value> {
    let r = app
        .get(
            &format!("/v1/clients/{client}/webhooks/{id}/deliveries"),
            &app.dopt(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["items"].as_array().unwrap().clone()
}

async fn until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[actix_web::test]
async fn every_change_is_delivered_signed_with_the_feeds_event() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    cscms_api::webhooks::spawn(app.state.clone());
    let codes = [IN_MHA, IN_NDMA, IN_MOF];
    for (i, code) in codes.iter().enumerate() {
        record(&app, code, i as u64).await;
    }
    let got = rx.wait_for(3).await;
    assert_eq!(got.len(), 3);
    let mut seen = Vec::new();
    for r in &got {
        assert!(verifies(&secret, r), "signature of {:?}", r.headers);
        assert!(r.id().starts_with("msg_"));
        let body = r.json();
        assert_eq!(body["type"], "vigilance_status.record");
        assert!(body["timestamp"].is_string());
        let data = &body["data"];
        assert_eq!(data["type"], "vigilance_status.record");
        assert_eq!(data["actor_role"], "avd");
        let code = data["entity_id"].as_str().unwrap().to_owned();
        assert_eq!(
            data["href"],
            format!("/v1/employees/{code}/vigilance-status")
        );
        seen.push(code);
    }
    seen.sort();
    let mut want: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    want.sort();
    assert_eq!(seen, want);
    // The receiver has answered; the worker records the answers next.
    until("the log to show three deliveries", || async {
        let log = deliveries(&app, &client, id).await;
        log.len() == 3 && log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    let log = deliveries(&app, &client, id).await;
    assert_eq!(log.len(), 3);
    assert!(log
        .iter()
        .all(|d| d["status"] == "delivered" && d["attempts"] == 1 && d["response_code"] == 204));
    assert!(log.iter().all(|d| d["next_attempt_at"].is_null()));
}

/// An APAR's webhook carries the APAR's address under its employee, whether
/// DoPT entered it or SPARROW imported it in bulk.
#[actix_web::test]
async fn an_apar_webhook_links_to_the_apar_under_its_employee() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::APAR_READ).await;
    subscribe(&app, &client, &rx.url, &["apar"]).await;
    cscms_api::webhooks::spawn(app.state.clone());
    let entered = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/apars"),
            &app.dopt(),
            &json!({"from": "2020-04-01", "to": "2021-03-31", "grading": "good"}),
        )
        .await;
    assert_eq!(entered.status, 201, "{}", entered.json);
    let sparrow = app.token(Role::Integration, Some(scopes::APAR_WRITE));
    let rows = json!({"rows": [
        {"employee_code": IN_MOF, "from": "2021-04-01", "to": "2022-03-31", "grading": "good"},
    ]});
    let imported = crate::apar::import(&app, &sparrow, &rows).await;
    assert_eq!(imported.status, 200, "{}", imported.json);
    let mut want = vec![
        format!("/v1/employees/{IN_MHA}/apars/{}", entered.json["id"]),
        format!(
            "/v1/employees/{IN_MOF}/apars/{}",
            imported.json["results"][0]["id"]
        ),
    ];
    let mut got: Vec<String> = rx
        .wait_for(2)
        .await
        .iter()
        .map(|r| {
            r.json()["data"]["href"]
                .as_str()
                .unwrap_or("null")
                .to_owned()
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[actix_web::test]
async fn a_receiver_failing_three_times_gets_the_same_webhook_id() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[500, 503, 429, 204], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &rx.url, &["vigilance_status.record"]).await;
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    let got = rx.wait_for(4).await;
    let ids: Vec<&str> = got.iter().map(Received::id).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert!(got.iter().all(|r| verifies(&secret, r)));
    until("the log to show the delivery", || async {
        deliveries(&app, &client, id).await[0]["status"] == "delivered"
    })
    .await;
    let d = &deliveries(&app, &client, id).await[0];
    assert_eq!(
        (d["attempts"].as_i64(), d["response_code"].as_i64()),
        (Some(4), Some(204))
    );
    assert_eq!(d["webhook_id"], ids[0]);
    assert_eq!(webhook(&app, &client, id).await["status"], "enabled");
}

#[actix_web::test]
async fn gone_disables_and_so_does_the_last_retry() {
    let app = spawn_with(DEV).await;
    let gone = Receiver::start(&[410], Duration::ZERO);
    let failing = Receiver::start(&[500; 50], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (a, _) = subscribe(&app, &client, &gone.url, &["vigilance_status"]).await;
    let (b, _) = subscribe(&app, &client, &failing.url, &["vigilance_status"]).await;
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    for id in [a, b] {
        until("the subscription to be disabled", || async {
            webhook(&app, &client, id).await["status"] == "disabled"
        })
        .await;
    }
    let w = webhook(&app, &client, a).await;
    assert!(
        w["disabled_reason"].as_str().unwrap().contains("410"),
        "{w}"
    );
    assert_eq!(gone.got().len(), 1);
    let d = &deliveries(&app, &client, a).await[0];
    assert_eq!(
        (d["status"].as_str(), d["response_code"].as_i64()),
        (Some("failed"), Some(410))
    );

    // Five attempts on the schedule, then no more.
    let w = webhook(&app, &client, b).await;
    assert!(
        w["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("after 5 attempts"),
        "{w}"
    );
    assert_eq!(failing.got().len(), 5);
    let d = &deliveries(&app, &client, b).await[0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("failed"), Some(5))
    );

    // Disabled: later changes are not queued for them.
    record(&app, IN_MHA, 2).await;
    assert_eq!(deliveries(&app, &client, a).await.len(), 1);
    assert_eq!(deliveries(&app, &client, b).await.len(), 1);
}

#[actix_web::test]
async fn a_later_change_of_an_entity_waits_for_the_earlier() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[500, 500], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    for day in 1..=3 {
        record(&app, IN_MHA, day).await;
    }
    cscms_api::webhooks::spawn(app.state.clone());
    let got = rx.wait_for(5).await;
    let versions: Vec<i64> = got
        .iter()
        .map(|r| r.json()["data"]["version"].as_i64().unwrap())
        .collect();
    // The first fails twice; the others are sent only after it succeeds.
    assert_eq!(versions[0], versions[1]);
    assert_eq!(versions[1], versions[2]);
    assert!(
        versions[2] < versions[3] && versions[3] < versions[4],
        "{versions:?}"
    );
}

/// INT-2: a receiver that never answers in time holds only its own
/// subscription's connections; another subscription's deliveries go out
/// and are recorded at once, not after the slow one's attempts time out.
#[actix_web::test]
async fn a_slow_receiver_delays_only_its_own_deliveries() {
    let settings = [
        DEV,
        &[
            ("CSCMS_WEBHOOK_CONNECTIONS", "2"),
            ("CSCMS_WEBHOOK_TIMEOUT_SECS", "4"),
        ],
    ]
    .concat();
    let app = spawn_with(&settings).await;
    let slow = Receiver::start(&[], Duration::from_secs(6));
    let fast = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    // The slow subscription's deliveries come first in the queue.
    subscribe(&app, &client, &slow.url, &["vigilance_status"]).await;
    let (id, _) = subscribe(&app, &client, &fast.url, &["vigilance_status"]).await;
    for (day, code) in [IN_MHA, IN_NDMA, IN_MOF].into_iter().enumerate() {
        record(&app, code, day as u64).await;
    }
    cscms_api::webhooks::spawn(app.state.clone());
    let started = std::time::Instant::now();
    while (fast.got().len() < 3 || slow.connections.load(Ordering::SeqCst) < 2)
        && started.elapsed() < Duration::from_secs(3)
    {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        fast.got().len(),
        3,
        "the fast receiver is served while the slow one holds its connections"
    );
    assert_eq!(
        slow.connections.load(Ordering::SeqCst),
        2,
        "the slow receiver has two connections at once, no more"
    );
    // Their attempts are recorded as they answer, not when the slow
    // receiver's time out (4 s): its next deliveries are free to go.
    loop {
        let log = deliveries(&app, &client, id).await;
        if log.len() == 3
            && log
                .iter()
                .all(|d| d["status"] == "delivered" && d["attempts"] == 1)
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "recorded before the slow attempts end: {log:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_change_committed_with_no_worker_running_is_delivered_when_one_starts() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    record(&app, IN_MOF, 1).await;
    record(&app, IN_NDMA, 1).await;
    let owed = app
        .db(move |c| cscms_store::webhooks::pending(c, Some(id)))
        .await;
    assert_eq!(owed, 2, "queued in the change's transaction");
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rx.got().len(), 0);
    // A new instance on the same database (the old one is gone).
    let restarted = instance(&app.url, DEV);
    cscms_api::webhooks::spawn(restarted);
    let got = rx.wait_for(2).await;
    assert!(got.iter().all(|r| verifies(&secret, r)));
    until("nothing owed", || async {
        app.db(move |c| cscms_store::webhooks::pending(c, Some(id)))
            .await
            == 0
    })
    .await;
}

#[actix_web::test]
async fn two_instances_never_both_send_one_delivery() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::from_millis(5));
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    subscribe(&app, &client, &rx.url, &["vigilance_status.record"]).await;
    let twin = instance(&app.url, DEV);
    cscms_api::webhooks::spawn(app.state.clone());
    cscms_api::webhooks::spawn(twin.clone());
    cscms_api::webhooks::spawn(twin);
    const EACH: u64 = 10;
    for day in 0..EACH {
        for code in [IN_MHA, IN_NDMA, IN_MOF] {
            record(&app, code, day).await;
        }
    }
    let want = 2 * 3 * EACH as usize;
    rx.wait_for(want).await;
    // Time for a second send of anything, were one to happen.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let got_after = rx.got();
    assert_eq!(got_after.len(), want, "no message twice");
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for r in &got_after {
        *per_id.entry(r.id().to_owned()).or_default() += 1;
    }
    assert_eq!(per_id.len(), want);
    assert!(per_id.values().all(|n| *n == 1), "{per_id:?}");
}

#[actix_web::test]
async fn a_claim_whose_lease_ran_out_goes_to_the_next_worker() {
    use cscms_store::webhooks::{claim, finish, Attempt, Outcome};
    let app = spawn_with(DEV).await;
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, _) = subscribe(
        &app,
        &client,
        "http://127.0.0.1:9/hook",
        &["vigilance_status"],
    )
    .await;
    record(&app, IN_MHA, 1).await;
    let (first, second) = app
        .db(move |c| {
            let now = Utc::now().naive_utc();
            let lease = now + chrono::Duration::seconds(1);
            let first = claim(c, "crashed", now, lease, 10)?;
            // Within the lease nobody else gets it.
            let during = claim(c, "other", now, lease, 10)?;
            assert!(during.is_empty());
            let later = lease + chrono::Duration::milliseconds(1);
            let second = claim(c, "next", later, later + chrono::Duration::seconds(60), 10)?;
            let attempt = |claimed: &cscms_store::webhooks::Claimed| Attempt {
                delivery_id: claimed.delivery.id,
                subscription_id: claimed.subscription.id,
                response_code: Some(204),
                latency_ms: 1,
                error: None,
                outcome: Outcome::Delivered,
            };
            let actor = Actor {
                sub: "t".into(),
                role: "system".into(),
                request_id: "t".into(),
            };
            // The crashed worker's late answer changes nothing; the holder's does.
            finish(
                c,
                &actor,
                "crashed",
                &[Attempt {
                    outcome: Outcome::Failed {
                        disable: Some("x".into()),
                    },
                    ..attempt(&first[0])
                }],
            )?;
            finish(c, &actor, "next", &[attempt(&second[0])])?;
            Ok((first, second))
        })
        .await;
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_eq!(first[0].delivery.id, second[0].delivery.id);
    assert_eq!(second[0].delivery.attempts, 2);
    let d = &deliveries(&app, &client, id).await[0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );
    assert_eq!(webhook(&app, &client, id).await["status"], "enabled");
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_old_one_during_the_overlap() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, old) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    let path = format!("/v1/clients/{client}/webhooks/{id}/secret");
    let r = app.post_json(&path, &app.dopt(), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let new = r.json["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(r.json["previous_secret_until"].is_string());
    // Both secrets are kept sealed: the columns name neither.
    let row = stored(&app, &client, id).await;
    let previous = row.previous_secret.expect("the previous secret kept");
    for (column, secret) in [(&row.secret, &new), (&previous, &old)] {
        assert!(column.as_str().starts_with("sealed:v1:"), "{column:?}");
        assert!(!column
            .as_str()
            .contains(secret.strip_prefix("whsec_").unwrap()));
        assert_eq!(&app.state.sealer.open_secret(column).unwrap(), secret);
    }
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].headers["webhook-signature"].split(' ').count(), 2);
    assert!(verifies(&old, &got[0]) && verifies(&new, &got[0]));

    // The overlap ends with the clock, not a write: the tag says it runs,
    // and a copy read during it is not answered 304 once it has ended.
    let read = format!("/v1/clients/{client}/webhooks/{id}");
    let during = app.get(&read, &app.dopt()).await;
    let version = during.json["version"].as_i64().unwrap();
    let tag = format!("\"{version}-overlap\"");
    assert_eq!(during.header("etag"), Some(tag.as_str()));
    app.db(move |c| {
        cscms_store::testing::execute(
            c,
            &format!(
                "UPDATE webhook_subscriptions SET previous_until = '2000-01-01 00:00:00' WHERE id = {id}"
            ),
        )
    })
    .await;
    let after = app
        .call(
            actix_web::test::TestRequest::get()
                .uri(&read)
                .insert_header(("Authorization", format!("Bearer {}", app.dopt())))
                .insert_header(("If-None-Match", tag)),
        )
        .await;
    assert_eq!(after.status, 200);
    assert!(after.json["previous_secret_until"].is_null());
    assert_eq!(
        after.header("etag"),
        Some(format!("\"{version}\"").as_str())
    );

    // No overlap: the newest secret alone.
    let r = app
        .post_json(&path, &app.dopt(), &json!({"overlap_secs": 0}))
        .await;
    let newest = r.json["secret"].as_str().unwrap().to_owned();
    record(&app, IN_MHA, 2).await;
    let got = rx.wait_for(2).await;
    assert_eq!(got[1].headers["webhook-signature"].split(' ').count(), 1);
    assert!(verifies(&newest, &got[1]) && !verifies(&new, &got[1]) && !verifies(&old, &got[1]));
}

#[actix_web::test]
async fn secrets_kept_in_the_clear_are_sealed_at_start_and_still_sign() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, _) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    let sealed_before = stored(&app, &client, id).await;
    // Another subscription as a database written before secrets were
    // sealed holds it: both secrets in the clear, an overlap running.
    let (secret, old) = (
        cscms_api::webhooks::sign::new_secret(),
        cscms_api::webhooks::sign::new_secret(),
    );
    let (key, url) = (client.clone(), rx.url.clone());
    let (s, o) = (secret.clone(), old.clone());
    let clear = app
        .db(move |c| {
            let now = Utc::now().naive_utc();
            let sub = cscms_store::webhooks::create(
                c,
                &Actor {
                    sub: "t".into(),
                    role: "dopt".into(),
                    request_id: "t".into(),
                },
                cscms_store::webhooks::NewSubscription {
                    client_id: key.clone(),
                    url,
                    types: "vigilance_status".into(),
                    secret: SealedSecret::new(o.clone()),
                    status: cscms_domain::webhook::SubscriptionStatus::Enabled,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            let actor = Actor {
                sub: "t".into(),
                role: "dopt".into(),
                request_id: "t".into(),
            };
            cscms_store::webhooks::update(c, &actor, &key, sub.id, "rotate_secret", |before| {
                Ok::<_, ()>(cscms_store::webhooks::SubscriptionRow {
                    secret: SealedSecret::new(s),
                    previous_secret: Some(before.secret.clone()),
                    previous_until: Some(now + chrono::Duration::hours(1)),
                    ..before.clone()
                })
            })?;
            Ok(sub.id)
        })
        .await;
    let before = stored(&app, &client, clear).await;
    assert_eq!(before.secret.as_str(), secret);

    assert_eq!(
        reseal(&app).await.sealed,
        1,
        "only the subscription kept in the clear"
    );
    assert_eq!(reseal(&app).await, Default::default());
    let after = stored(&app, &client, clear).await;
    let previous = after.previous_secret.clone().expect("kept");
    for (column, secret) in [(&after.secret, &secret), (&previous, &old)] {
        assert!(column.as_str().starts_with("sealed:v1:"), "{column:?}");
        assert_eq!(&app.state.sealer.open_secret(column).unwrap(), secret);
    }
    // What it means is unchanged: same version; the sealed one untouched.
    assert_eq!(after.version, before.version);
    assert_eq!(stored(&app, &client, id).await.secret, sealed_before.secret);

    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    let got = rx.wait_for(2).await;
    let to_clear = got
        .iter()
        .find(|r| r.headers["webhook-signature"].split(' ').count() == 2)
        .expect("the delivery signed with both secrets");
    assert!(verifies(&secret, to_clear) && verifies(&old, to_clear));
}

/// `cscms keys rotate-seal` while an instance runs: every secret is sealed
/// again under the new key, and the running instance, which read the old
/// key at start, keeps signing (it reads the files when it meets the new
/// key). A second rotation first moves what the retired key sealed.
#[actix_web::test]
async fn rotating_the_sealing_key_reseals_every_secret_and_stops_no_delivery() {
    let keys = tempfile::tempdir().unwrap();
    let dir = keys.path().to_str().unwrap();
    let app = spawn_with(&[DEV, &[("CSCMS_SIGNING_KEY_DIR", dir)]].concat()).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, old) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    let r = app
        .post_json(
            &format!("/v1/clients/{client}/webhooks/{id}/secret"),
            &app.dopt(),
            &json!({}),
        )
        .await;
    let new = r.json["secret"].as_str().unwrap().to_owned();
    let first_kid = app.state.sealer.kid();
    let kids = |row: &cscms_store::webhooks::SubscriptionRow| {
        [Some(&row.secret), row.previous_secret.as_ref()]
            .into_iter()
            .flatten()
            .map(|c| {
                cscms_api::webhooks::seal::kid_of(c.as_str())
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kids(&stored(&app, &client, id).await),
        [first_kid.clone(), first_kid.clone()]
    );

    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("cscms");
    let url = match &app.url {
        cscms_store::DbUrl::Postgres(u) => u.clone(),
        cscms_store::DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
    };
    let rotate = || {
        let out = std::process::Command::new(&bin)
            .args(["keys", "rotate-seal"])
            .env("CSCMS_DATABASE_URL", &url)
            .env("CSCMS_JWT_SECRET", crate::common::SECRET)
            .env("CSCMS_SIGNING_KEY_DIR", dir)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let said = rotate();
    assert!(
        said.contains("1 webhook subscriptions sealed again"),
        "{said}"
    );
    let row = stored(&app, &client, id).await;
    let second_kid = kids(&row)[0].clone();
    assert_ne!(second_kid, first_kid);
    assert_eq!(kids(&row), [second_kid.clone(), second_kid.clone()]);

    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    let got = rx.wait_for(1).await;
    assert!(verifies(&new, &got[0]) && verifies(&old, &got[0]));
    assert_eq!(
        app.state.sealer.kid(),
        second_kid,
        "the instance read the new key"
    );

    // A secret sealed under the now retired key (an instance that had
    // not yet met the new one) is moved before that key is dropped.
    let late = cscms_api::webhooks::seal::Sealer::open(keys.path()).unwrap();
    std::fs::copy(
        keys.path().join("seal-retired.key"),
        keys.path().join("seal.key.first"),
    )
    .unwrap();
    let sealed_first = {
        let first = tempfile::tempdir().unwrap();
        std::fs::copy(
            keys.path().join("seal.key.first"),
            first.path().join("seal.key"),
        )
        .unwrap();
        cscms_api::webhooks::seal::Sealer::open(first.path())
            .unwrap()
            .seal(&new)
            .unwrap()
    };
    assert_eq!(
        cscms_api::webhooks::seal::kid_of(sealed_first.as_str()),
        Some(first_kid.as_str())
    );
    assert_eq!(late.open_secret(&sealed_first).unwrap(), new);
    let key = client.clone();
    app.db(move |c| {
        cscms_store::webhooks::update(
            c,
            &Actor {
                sub: "t".into(),
                role: "dopt".into(),
                request_id: "t".into(),
            },
            &key,
            id,
            "rotate_secret",
            |before| {
                Ok::<_, ()>(cscms_store::webhooks::SubscriptionRow {
                    secret: sealed_first,
                    ..before.clone()
                })
            },
        )
    })
    .await;
    rotate();
    let row = stored(&app, &client, id).await;
    let third_kid = kids(&row)[0].clone();
    assert!(![first_kid, second_kid].contains(&third_kid));
    assert_eq!(kids(&row), [third_kid.clone(), third_kid]);
    assert_eq!(app.state.sealer.open_secret(&row.secret).unwrap(), new);
}

#[actix_web::test]
async fn a_subscription_changes_url_and_types_under_if_match() {
    let app = spawn_with(DEV).await;
    let (old_rx, new_rx) = (
        Receiver::start(&[], Duration::ZERO),
        Receiver::start(&[], Duration::ZERO),
    );
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &old_rx.url, &["vigilance_status"]).await;
    let base = format!("/v1/clients/{client}/webhooks/{id}");
    let dopt = app.dopt();
    let read = app.get(&base, &dopt).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    let change = json!({"url": new_rx.url});
    app.patch_json(&base, &dopt, None, &change)
        .await
        .assert_problem(428, "if_match_required");
    app.patch_json(&base, &dopt, Some("\"7\""), &change)
        .await
        .assert_problem(412, "stale_version");
    app.patch_json(&base, &dopt, Some("\"1\""), &json!({}))
        .await
        .assert_problem(422, "validation_failed");
    // A type the client's scopes do not read on the feed.
    let r = app
        .patch_json(
            &base,
            &dopt,
            Some("\"1\""),
            &json!({"types": ["interests"]}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["code"], "out_of_scope", "{}", r.json);
    app.patch_json(&base, &app.token(Role::Avd, None), Some("\"1\""), &change)
        .await
        .assert_problem(403, "forbidden");
    let r = app.patch_json(&base, &dopt, Some("\"1\""), &change).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(
        (r.json["url"].as_str(), r.json["version"].as_i64()),
        (Some(new_rx.url.as_str()), Some(2))
    );
    assert_eq!(r.json["types"], json!(["vigilance_status"]), "types kept");
    assert!(r.json.get("secret").is_none());
    // The old version's tag no longer matches.
    app.patch_json(&base, &dopt, Some("\"1\""), &change)
        .await
        .assert_problem(412, "stale_version");
    // The next change goes to the new URL, signed with the same secret.
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    let got = new_rx.wait_for(1).await;
    assert!(verifies(&secret, &got[0]));
    assert!(old_rx.got().is_empty(), "nothing went to the old URL");
    let trail = app
        .get(
            &format!("/v1/audit?entity=webhook_subscription&entity_id={client}/{id}"),
            &dopt,
        )
        .await;
    let edits = trail.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "edit")
        .count();
    assert_eq!(edits, 1, "one edit audited: {}", trail.json);
}

/// A vigilance subscription of a fresh client to a fresh receiver, the
/// delivery worker running, pinged once by DoPT (202): where the lifecycle
/// tests start.
struct Pinged {
    app: TestApp,
    rx: Receiver,
    client: String,
    id: i64,
    secret: String,
    /// `/v1/clients/{client}/webhooks/{id}`.
    base: String,
    dopt: String,
    /// The answer to the ping.
    ping: crate::common::Reply,
}

async fn pinged() -> Pinged {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    let base = format!("/v1/clients/{client}/webhooks/{id}");
    let dopt = app.dopt();
    cscms_api::webhooks::spawn(app.state.clone());
    let ping = app
        .post_json(&format!("{base}/ping"), &dopt, &json!({}))
        .await;
    assert_eq!(ping.status, 202, "{}", ping.json);
    Pinged {
        app,
        rx,
        client,
        id,
        secret,
        base,
        dopt,
        ping,
    }
}

#[actix_web::test]
async fn ping_redelivery_and_the_subscription_lifecycle() {
    let Pinged {
        app,
        rx,
        client,
        id,
        secret,
        base,
        dopt,
        ping: r,
    } = pinged().await;
    assert_eq!(r.json["type"], "webhook.ping");
    let got = rx.wait_for(1).await;
    assert!(verifies(&secret, &got[0]));
    assert_eq!(got[0].json()["data"]["subscription_id"], id);
    let delivery = r.json["id"].as_i64().unwrap();
    until("the ping to be delivered", || async {
        deliveries(&app, &client, id).await[0]["status"] == "delivered"
    })
    .await;
    let r = app
        .post_json(
            &format!("{base}/deliveries/{delivery}/redeliver"),
            &dopt,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.json);
    let got = rx.wait_for(2).await;
    assert_eq!(
        got[1].id(),
        got[0].id(),
        "a redelivery keeps its webhook-id"
    );
    // Not while a worker's lease holds it (a second worker could send it
    // while the first still does); once the lease has run out, yes.
    until("the redelivery to be delivered", || async {
        deliveries(&app, &client, id).await[0]["status"] == "delivered"
    })
    .await;
    let leased = |seconds: i64| {
        app.db(move |c| {
            use cscms_store::schema::webhook_deliveries::dsl as d;
            use diesel::prelude::*;
            let until = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(seconds);
            Ok(diesel::update(d::webhook_deliveries.find(delivery))
                .set((
                    d::claim.eq(Some("a worker")),
                    d::lease_until.eq(Some(until)),
                ))
                .execute(c)?)
        })
    };
    let (redeliver, empty) = (format!("{base}/deliveries/{delivery}/redeliver"), json!({}));
    let again = || app.post_json(&redeliver, &dopt, &empty);
    assert_eq!(leased(60).await, 1);
    again().await.assert_problem(409, "delivery_in_flight");
    assert_eq!(leased(-1).await, 1);
    assert_eq!(again().await.status, 202);
    let got = rx.wait_for(3).await;
    assert_eq!(got[2].id(), got[0].id());
    let r = app
        .post_json(
            &format!("{base}/deliveries/999999/redeliver"),
            &dopt,
            &json!({}),
        )
        .await;
    r.assert_problem(404, "not_found");

    let list = app
        .get(&format!("/v1/clients/{client}/webhooks"), &dopt)
        .await;
    assert_eq!(list.json["items"].as_array().unwrap().len(), 1);
    assert!(list.json["items"][0].get("secret").is_none());
    app.call(
        actix_web::test::TestRequest::delete()
            .uri(&base)
            .insert_header(("Authorization", format!("Bearer {dopt}"))),
    )
    .await
    .assert_problem(409, "invalid_transition");
    let r = app
        .post_json(&format!("{base}/disable"), &dopt, &json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["status"].as_str()),
        (200, Some("disabled"))
    );
    app.post_json(&format!("{base}/disable"), &dopt, &json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    app.post_json(&format!("{base}/ping"), &dopt, &json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    let r = app
        .post_json(&format!("{base}/enable"), &dopt, &json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["status"].as_str()),
        (200, Some("enabled"))
    );
    app.post_json(&format!("{base}/disable"), &dopt, &json!({}))
        .await;
    let r = app
        .call(
            actix_web::test::TestRequest::delete()
                .uri(&base)
                .insert_header(("Authorization", format!("Bearer {dopt}"))),
        )
        .await;
    assert_eq!(r.status, 204);
    app.get(&base, &dopt).await.assert_problem(404, "not_found");
    // Every change to the subscription is in the audit trail.
    let trail = app
        .get(
            &format!("/v1/audit?entity=webhook_subscription&entity_id={client}/{id}"),
            &dopt,
        )
        .await;
    let actions: Vec<&str> = trail.json["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["action"].as_str()).collect())
        .unwrap_or_default();
    for a in ["create", "ping", "redeliver", "disable", "enable", "delete"] {
        assert!(actions.contains(&a), "{a} not audited: {}", trail.json);
    }
}

#[actix_web::test]
async fn a_suspended_clients_receiver_is_sent_no_ping_and_no_redelivery() {
    let Pinged {
        app,
        rx,
        client,
        id,
        base,
        dopt,
        ping: r,
        ..
    } = pinged().await;
    let delivery = r.json["id"].as_i64().unwrap();
    rx.wait_for(1).await;
    until("the ping to be delivered", || async {
        deliveries(&app, &client, id).await[0]["status"] == "delivered"
    })
    .await;

    let r = app
        .post_json(&format!("/v1/clients/{client}/suspend"), &dopt, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Neither a ping nor a redelivery is queued for a suspended client.
    let r = app
        .post_json(&format!("{base}/ping"), &dopt, &json!({}))
        .await;
    r.assert_problem(409, "invalid_transition");
    assert!(
        r.json["detail"].as_str().unwrap().contains("suspended"),
        "{}",
        r.json
    );
    app.post_json(
        &format!("{base}/deliveries/{delivery}/redeliver"),
        &dopt,
        &json!({}),
    )
    .await
    .assert_problem(409, "invalid_transition");
    assert_eq!(deliveries(&app, &client, id).await.len(), 1);
    // A ping queued all the same (the client suspended after it was
    // queued) is not sent by the worker.
    let queued = app
        .db(move |c| cscms_store::webhooks::enqueue_ping(c, id))
        .await;
    until("the queued ping to be given up", || async {
        let all = deliveries(&app, &client, id).await;
        all.iter()
            .any(|d| d["id"] == queued && d["status"] == "failed")
    })
    .await;
    let all = deliveries(&app, &client, id).await;
    let given_up = all.iter().find(|d| d["id"] == queued).unwrap();
    assert_eq!(given_up["error"], "not sent: the client is not active");
    assert_eq!(rx.got().len(), 1, "the receiver got only the first ping");

    // Resumed, it is pinged again.
    let r = app
        .post_json(&format!("/v1/clients/{client}/resume"), &dopt, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .post_json(&format!("{base}/ping"), &dopt, &json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", r.json);
    rx.wait_for(2).await;
}

#[actix_web::test]
async fn only_dopt_subscribes_and_only_to_types_the_client_reads() {
    let app = spawn_with(DEV).await;
    let igot = client_with(&app, scopes::INTERESTS_READ).await;
    let path = format!("/v1/clients/{igot}/webhooks");
    let body = json!({"url": "http://127.0.0.1:9/h", "types": ["interests"]});
    for who in [
        app.token(Role::NodalOfficer, Some("MHA")),
        app.token(Role::Avd, None),
        app.token(Role::Integration, Some(scopes::INTERESTS_READ)),
    ] {
        app.post_json(&path, &who, &body)
            .await
            .assert_problem(403, "forbidden");
        app.get(&path, &who).await.assert_problem(403, "forbidden");
    }
    for (types, code) in [
        (json!(["vigilance_status"]), "out_of_scope"),
        (json!(["interests", "apar.import"]), "out_of_scope"),
        (json!(["nonsense"]), "unknown_type"),
    ] {
        let r = app
            .post_json(
                &path,
                &app.dopt(),
                &json!({"url": "http://127.0.0.1:9/h", "types": types}),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.json["errors"][0]["code"], code, "{}", r.json);
    }
    let r = app
        .post_json(
            &path,
            &app.dopt(),
            &json!({"url": "http://127.0.0.1:9/h", "types": []}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    app.post_json(
        "/v1/clients/nobody-0000000000000000/webhooks",
        &app.dopt(),
        &body,
    )
    .await
    .assert_problem(404, "not_found");
    let r = app.post_json(&path, &app.dopt(), &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["types"], json!(["interests"]));
}

/// A receiver speaking TLS with the certificate in tests/fixtures/webhook-tls
/// (localhost and 127.0.0.1, issued by the test CA); answers 204.
fn tls_receiver() -> (u16, Arc<Mutex<Vec<Received>>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/webhook-tls");
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(format!("{dir}/server.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/server.key")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            let (g, config) = (g.clone(), config.clone());
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let Some(req) = read_request(&mut tls) else {
                    return;
                };
                g.lock().unwrap().push(req);
                let _ = write!(
                    tls,
                    "HTTP/1.1 204 X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (port, got)
}

#[actix_web::test]
async fn delivery_over_https_trusts_the_configured_ca_and_nothing_else() {
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/webhook-tls/ca.pem");
    let (port, got) = tls_receiver();
    let url = format!("https://localhost:{port}/hook");
    let mut settings = DEV.to_vec();
    settings.push(("CSCMS_WEBHOOK_CA_FILE", ca));
    let app = spawn_with(&settings).await;
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &url, &["vigilance_status"]).await;
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    until("the message over HTTPS", || async {
        !got.lock().unwrap().is_empty()
    })
    .await;
    let r = got.lock().unwrap()[0].clone();
    assert!(verifies(&secret, &r));
    assert_eq!(r.json()["data"]["entity_id"], IN_MHA);
    until("the log to show it delivered", || async {
        deliveries(&app, &client, id).await[0]["status"] == "delivered"
    })
    .await;

    // Without the CA the same receiver is not trusted: the attempt fails
    // and nothing reaches it.
    let (port, untrusted) = tls_receiver();
    let app = spawn_with(DEV).await;
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let url = format!("https://localhost:{port}/hook");
    let (id, _) = subscribe(&app, &client, &url, &["vigilance_status"]).await;
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 2).await;
    until("the attempt to fail", || async {
        deliveries(&app, &client, id)
            .await
            .first()
            .is_some_and(|d| {
                d["attempts"].as_i64() >= Some(1)
                    && d["response_code"].is_null()
                    && d["error"].is_string()
            })
    })
    .await;
    assert!(
        untrusted.lock().unwrap().is_empty(),
        "nothing sent to an untrusted receiver"
    );
}

#[actix_web::test]
async fn ssrf_targets_are_refused_at_subscription_and_at_delivery() {
    let app = spawn_with(&[("CSCMS_WEBHOOK_SCHEDULE", "0s,50ms")]).await;
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let path = format!("/v1/clients/{client}/webhooks");
    let targets = [
        "http://hooks.example.gov.in/plain-http",
        "https://127.0.0.1/h",
        "https://10.0.0.5/h",
        "https://172.16.3.4/h",
        "https://192.168.0.10/h",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.1.1/h",
        "https://0.0.0.0/h",
        "https://[::1]/h",
        "https://[fd00:ec2::254]/h",
        "https://[fe80::1]/h",
        "https://[::ffff:10.0.0.1]/h",
        "https://localhost/h",
        "https://user:pass@hooks.example.gov.in/h",
    ];
    for url in targets {
        let r = app
            .post_json(
                &path,
                &app.dopt(),
                &json!({"url": url, "types": ["vigilance_status"]}),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.json["errors"][0]["code"], "refused", "{url}: {}", r.json);
    }
    // A subscription whose name resolves to loopback by the time of
    // delivery (made here behind the API's back): nothing is sent there.
    let rx = Receiver::start(&[], Duration::ZERO);
    let url = format!("https://localhost:{}/hook", rx.port);
    let (client_id, now) = (client.clone(), Utc::now().naive_utc());
    let secret = app
        .state
        .sealer
        .seal(&cscms_api::webhooks::sign::new_secret())
        .expect("sealed");
    let sub = app
        .db(move |c| {
            cscms_store::webhooks::create(
                c,
                &Actor {
                    sub: "t".into(),
                    role: "dopt".into(),
                    request_id: "t".into(),
                },
                cscms_store::webhooks::NewSubscription {
                    client_id,
                    url,
                    types: "vigilance_status".into(),
                    secret,
                    status: cscms_domain::webhook::SubscriptionStatus::Enabled,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )
        })
        .await;
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    until("the attempt to be recorded", || async {
        deliveries(&app, &client, sub.id).await[0]["attempts"] == 1
            && !deliveries(&app, &client, sub.id).await[0]["error"].is_null()
    })
    .await;
    let d = &deliveries(&app, &client, sub.id).await[0];
    assert!(d["error"].as_str().unwrap().contains("loopback"), "{d}");
    assert!(d["response_code"].is_null());
    assert_eq!(
        rx.connections.load(Ordering::SeqCst),
        0,
        "no connection was made"
    );
}

/// The server process is killed (SIGKILL) while a delivery is in flight;
/// a new process on the same database sends it again once the dead one's
/// lease has run out, with the same `webhook-id`.
#[actix_web::test]
async fn a_kill_9_during_delivery_loses_nothing() {
    // The processes read the key directory this instance does: the
    // subscription's secret is sealed under its key.
    let keys = tempfile::tempdir().unwrap();
    let dir = keys.path().to_str().unwrap();
    let app = spawn_with(&[DEV, &[("CSCMS_SIGNING_KEY_DIR", dir)]].concat()).await;
    // The first answer takes 1.5 s (within the 2 s timeout): the process
    // is killed while it waits for it, its claim still held.
    let rx = Receiver::start_with(&[204], Duration::from_millis(1500), true);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (id, secret) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    record(&app, IN_MHA, 1).await;
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("cscms");
    assert!(
        bin.exists(),
        "{} is built by cargo test --workspace",
        bin.display()
    );
    let url = match &app.url {
        cscms_store::DbUrl::Postgres(u) => u.clone(),
        cscms_store::DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
    };
    let start = || {
        std::process::Command::new(&bin)
            .arg("serve")
            .env("CSCMS_DATABASE_URL", &url)
            .env("CSCMS_BIND", "127.0.0.1:0")
            .env("CSCMS_JWT_SECRET", crate::common::SECRET)
            .env("CSCMS_SIGNING_KEY_DIR", keys.path())
            .env("CSCMS_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("CSCMS_WEBHOOK_TIMEOUT_SECS", "2")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = start();
    rx.wait_for(1).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let d = &deliveries(&app, &client, id).await[0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("pending"), Some(1))
    );
    // The lease (2 × 2 s + 5 s) runs out; the next process sends it again.
    let mut second = start();
    for _ in 0..400 {
        if rx.got().len() >= 2 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let got = rx.got();
    assert_eq!(got.len(), 2, "sent again after the restart");
    assert_eq!(got[0].id(), got[1].id());
    assert!(verifies(&secret, &got[1]));
    until("the delivery to be recorded", || async {
        deliveries(&app, &client, id).await[0]["status"] == "delivered"
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(deliveries(&app, &client, id).await[0]["attempts"], 2);
}

#[actix_web::test]
async fn finished_deliveries_are_pruned_with_the_feed_and_pending_ones_kept() {
    let app = spawn_with(DEV).await;
    let rx = Receiver::start(&[], Duration::ZERO);
    let client = client_with(&app, scopes::VIGILANCE_READ).await;
    let (done, _) = subscribe(&app, &client, &rx.url, &["vigilance_status"]).await;
    let (waiting, _) = subscribe(&app, &client, &rx.url, &["vigilance_status.none"]).await;
    let dopt = app.dopt();
    app.post_json(
        &format!("/v1/clients/{client}/webhooks/{waiting}/disable"),
        &dopt,
        &json!({}),
    )
    .await;
    app.db(move |c| cscms_store::webhooks::enqueue_ping(c, waiting))
        .await;
    cscms_api::webhooks::spawn(app.state.clone());
    record(&app, IN_MHA, 1).await;
    rx.wait_for(1).await;
    until("the delivery to be recorded", || async {
        deliveries(&app, &client, done).await[0]["status"] == "delivered"
    })
    .await;
    app.db(|c| {
        use cscms_store::schema::webhook_deliveries as d;
        use diesel::prelude::*;
        let old = Utc::now().naive_utc() - chrono::Duration::days(40);
        diesel::update(d::table)
            .set(d::created_at.eq(old))
            .execute(c)?;
        Ok(())
    })
    .await;
    cscms_api::retention::prune_changes(&app.state, 30)
        .await
        .unwrap();
    assert_eq!(deliveries(&app, &client, done).await.len(), 0);
    let kept = deliveries(&app, &client, waiting).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["status"], "pending");
}
