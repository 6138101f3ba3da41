//! Crash durability: concurrent clients write through the real server, the
//! server is killed with SIGKILL mid-load and restarted on the same
//! database; every write that was acknowledged with a 2xx must be there,
//! intact, with exactly one audit row — and nothing half-written (no record
//! without its audit row, no audit row without its record). Runs on SQLite,
//! and on PostgreSQL when `CSCMS_TEST_DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cscms_api::auth::{MintRequest, Verifier};
use cscms_api::config::Settings;
use cscms_domain::principal::Role;
use cscms_store::DbUrl;

const SECRET: &str = "durability-secret-durability-secret-01";
const WRITERS: usize = 6;
/// Kill the server once this many writes have been acknowledged.
const KILL_AFTER: usize = 60;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn url_string(url: &DbUrl) -> String {
    match url {
        DbUrl::Postgres(u) => u.clone(),
        DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
    }
}

fn start(db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cscms"))
        .arg("serve")
        .env("CSCMS_DATABASE_URL", db)
        .env("CSCMS_BIND", format!("127.0.0.1:{port}"))
        .env("CSCMS_JWT_SECRET", SECRET)
        // Signing keys in the test's own place, never in the source tree.
        .env(
            "CSCMS_SIGNING_KEY_DIR",
            std::env::temp_dir().join(format!("cscms-keys-{port}")),
        )
        .env("CSCMS_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cscms")
}

async fn wait_ready(client: &awc::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < deadline, "server did not become ready");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn acknowledged_writes_survive_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let admin = std::env::var("CSCMS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let url = cscms_store::testing::fresh_database(admin.as_deref(), dir.path()).unwrap();
    let db = url_string(&url);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let settings =
        Settings::from_lookup(&|k| (k == "CSCMS_JWT_SECRET").then(|| SECRET.to_owned())).unwrap();
    let token = Verifier::new(&settings.jwt)
        .unwrap()
        .mint(&MintRequest::new(Role::Dopt, "dopt:durability"))
        .unwrap();

    let server = Arc::new(Mutex::new(start(&db, port)));
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    wait_ready(&client, &base).await;

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (acked, count, killed, server) =
            (acked.clone(), count.clone(), killed.clone(), server.clone());
        let (base, token) = (base.clone(), token.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder().timeout(Duration::from_secs(10)).finish();
            for i in 0..10_000 {
                let id = format!("DUR{w}-{i:05}");
                let body = serde_json::json!({"id": id, "name": format!("Durability office {w} {i}"), "kind": "ministry"});
                let sent = client
                    .post(format!("{base}/v1/organisations"))
                    .bearer_auth(&token)
                    .send_json(&body)
                    .await;
                match sent {
                    Ok(res) if res.status().as_u16() == 201 => {
                        acked.lock().unwrap().push(id);
                        if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                            // SIGKILL: no shutdown hooks, no flushing.
                            server.lock().unwrap().kill().unwrap();
                            killed.store(true, Ordering::SeqCst);
                        }
                    }
                    Ok(res) => panic!("unexpected status {}", res.status()),
                    Err(_) if killed.load(Ordering::SeqCst) => return,
                    Err(e) => panic!("request failed before the kill: {e}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(
        killed.load(Ordering::SeqCst),
        "the server was killed mid-load"
    );
    server.lock().unwrap().wait().unwrap();

    // Restart on the same database and check through the store.
    let mut restarted = start(&db, port);
    wait_ready(&client, &base).await;
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= KILL_AFTER);
    let mut conn = url.establish().unwrap();
    for id in &acked {
        let org = cscms_store::organisations::get(&mut conn, &id.parse().unwrap()).unwrap();
        let org = org.unwrap_or_else(|| panic!("acknowledged {id} is missing after the crash"));
        assert!(org.name.starts_with("Durability office"), "{id} intact");
        let trail = cscms_store::audit::for_entity(&mut conn, "organisation", id).unwrap();
        assert_eq!(trail.len(), 1, "{id}: one audit row per acknowledged write");
    }
    // Writes in flight at the kill either landed whole or not at all.
    let all = cscms_store::organisations::list(&mut conn).unwrap();
    for org in all.iter().filter(|o| o.id.as_str().starts_with("DUR")) {
        let trail =
            cscms_store::audit::for_entity(&mut conn, "organisation", org.id.as_str()).unwrap();
        assert_eq!(trail.len(), 1, "{}: record and audit row together", org.id);
    }
    let audited = cscms_store::audit::list(
        &mut conn,
        &cscms_store::audit::AuditFilter {
            entity: Some("organisation".into()),
            ..Default::default()
        },
        1_000_000,
    )
    .unwrap();
    for row in &audited {
        assert!(
            all.iter().any(|o| o.id.as_str() == row.entity_id),
            "audit row {} without its record",
            row.entity_id
        );
    }
    // And the restarted server serves them.
    let res = client
        .get(format!("{base}/v1/organisations/{}", acked[0]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}
