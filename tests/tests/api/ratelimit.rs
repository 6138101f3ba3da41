//! Rate limits (INT-2): the headers count down, the quota is refused with
//! 429 and `Retry-After`, and on PostgreSQL two instances share one quota.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};

use crate::common::{call_on, instance, spawn_with, Reply};

const LIMITS: &[(&str, &str)] = &[
    ("CSCMS_RATE_LIMIT_USER", "5/60"),
    ("CSCMS_RATE_LIMIT_CLIENT", "3/60"),
    ("CSCMS_RATE_LIMIT_BULK", "8/60"),
];

fn me(token: &str) -> TestRequest {
    TestRequest::get()
        .uri("/v1/me")
        .insert_header(("Authorization", format!("Bearer {token}")))
}

/// `r` of the `RateLimit` header.
fn remaining(r: &Reply) -> u32 {
    let v = r.header("ratelimit").expect("RateLimit header");
    v.split(';')
        .find_map(|p| p.strip_prefix("r="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("RateLimit: {v}"))
}

#[actix_web::test]
async fn the_quota_counts_down_then_429_with_retry_after() {
    let app = spawn_with(LIMITS).await;
    let dopt = app.dopt();
    let mut left = Vec::new();
    for _ in 0..5 {
        let r = app.call(me(&dopt)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("ratelimit-policy"), Some("\"user\";q=5;w=60"));
        left.push(remaining(&r));
    }
    assert_eq!(left, [4, 3, 2, 1, 0]);
    let refused = app.call(me(&dopt)).await;
    refused.assert_problem(429, "rate_limited");
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=12).contains(&wait), "one interval of 60/5 s: {wait}");
    assert_eq!(remaining(&refused), 0);
    // Another caller has its own quota; clients have theirs, bulk importers more.
    assert_eq!(app.call(me(&app.token(Role::Avd, None))).await.status, 200);
    let client = app.token(Role::Integration, Some(scopes::EMPLOYEES_READ));
    let r = app.call(me(&client)).await;
    assert_eq!(r.header("ratelimit-policy"), Some("\"client\";q=3;w=60"));
    let bulk = app.token(Role::Integration, Some(scopes::APAR_WRITE));
    let r = app.call(me(&bulk)).await;
    assert_eq!(r.header("ratelimit-policy"), Some("\"bulk\";q=8;w=60"));
    assert_eq!(remaining(&r), 7);
    // Probes and the contract are not limited.
    for _ in 0..10 {
        assert_eq!(
            app.call(TestRequest::get().uri("/healthz")).await.status,
            200
        );
    }
}

#[actix_web::test]
async fn two_instances_share_the_quota_on_postgresql() {
    let app = spawn_with(LIMITS).await;
    let other = instance(&app.url, LIMITS);
    let dopt = app.dopt();
    for _ in 0..3 {
        assert_eq!(app.call(me(&dopt)).await.status, 200);
    }
    let r = call_on(&other, me(&dopt)).await;
    assert_eq!(r.status, 200);
    match app.url {
        // One quota: the other instance saw the first three.
        cscms_store::DbUrl::Postgres(_) => {
            assert_eq!(remaining(&r), 1);
            assert_eq!(call_on(&other, me(&dopt)).await.status, 200);
            call_on(&other, me(&dopt))
                .await
                .assert_problem(429, "rate_limited");
            app.call(me(&dopt))
                .await
                .assert_problem(429, "rate_limited");
        }
        // Embedded SQLite is one instance by design: each keeps its own.
        cscms_store::DbUrl::Sqlite(_) => assert_eq!(remaining(&r), 4),
    }
}
