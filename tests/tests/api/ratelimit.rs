//! Rate limits (INT-2): the headers count down, the quota is refused with
//! 429 and `Retry-After`, and on PostgreSQL two instances share one quota.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};

use crate::common::{call_on, instance, spawn_with, Reply};

const LIMITS: &[(&str, &str)] = &[
    ("CSCMS_RATE_LIMIT_USER", "5/60"),
    ("CSCMS_RATE_LIMIT_CLIENT", "3/60"),
    ("CSCMS_RATE_LIMIT_BULK", "8/60"),
    ("CSCMS_RATE_LIMIT_PUBLIC", "4/60"),
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

/// A 304 is an answer the limiter counted like any other: it says where the
/// caller stands too (the conditional layer sits inside the limiter).
#[actix_web::test]
async fn a_304_carries_the_rate_limit_headers() {
    let app = spawn_with(LIMITS).await;
    let dopt = app.dopt();
    let first = app.call(me(&dopt)).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_owned();
    let again = app
        .call(me(&dopt).insert_header(("If-None-Match", etag)))
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("ratelimit-policy"), Some("\"user\";q=5;w=60"));
    assert_eq!(remaining(&first), 4);
    assert_eq!(remaining(&again), 3);
}

/// The public documents (the contract, a print's verification) are read
/// without a token: one sent is not charged, and they are limited per
/// client address instead, with the headers of the policy `address` (a
/// 304 included), past it 429; another address has its own.
#[actix_web::test]
async fn public_documents_are_limited_per_address_and_never_charged_to_a_caller() {
    let app = spawn_with(LIMITS).await;
    let dopt = app.dopt();
    let public = |uri: &str, ip: &str| {
        TestRequest::get()
            .uri(uri)
            .insert_header(("Authorization", format!("Bearer {dopt}")))
            .peer_addr(format!("{ip}:40000").parse().unwrap())
    };
    let contract = app.call(public("/v1/openapi.json", "192.0.2.10")).await;
    assert_eq!(contract.status, 200);
    assert_eq!(
        contract.header("ratelimit-policy"),
        Some("\"address\";q=4;w=60")
    );
    let etag = contract.header("etag").expect("an ETag").to_owned();
    let unchanged = app
        .call(public("/v1/openapi.json", "192.0.2.10").insert_header(("If-None-Match", etag)))
        .await;
    assert_eq!(unchanged.status, 304);
    let lookup = app
        .call(public("/v1/prints/AAAA-BBBB-CCCC", "192.0.2.10"))
        .await;
    lookup.assert_problem(404, "not_found");
    let left: Vec<u32> = [&contract, &unchanged, &lookup]
        .iter()
        .map(|r| remaining(r))
        .collect();
    assert_eq!(left, [3, 2, 1]);
    assert_eq!(
        remaining(&app.call(public("/v1/openapi.json", "192.0.2.10")).await),
        0
    );
    let refused = app.call(public("/v1/openapi.json", "192.0.2.10")).await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some());
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    let elsewhere = app
        .call(public("/v1/prints/AAAA-BBBB-CCCC", "192.0.2.11"))
        .await;
    assert_eq!(remaining(&elsewhere), 3);
    // The caller's own quota was not touched by any of it.
    let mine = app.call(me(&dopt)).await;
    assert_eq!(mine.header("ratelimit-policy"), Some("\"user\";q=5;w=60"));
    assert_eq!(remaining(&mine), 4);
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
    // Probes are not limited.
    for _ in 0..10 {
        assert_eq!(
            app.call(TestRequest::get().uri("/healthz")).await.status,
            200
        );
    }
}

/// `CSCMS_RATE_LIMITS=off` (a gateway limits instead): past the quota the
/// caller is still served, and no response claims a limit; the public
/// documents keep their limit per address.
#[actix_web::test]
async fn rate_limits_off_leave_limiting_to_a_gateway() {
    let off: Vec<(&str, &str)> = LIMITS
        .iter()
        .copied()
        .chain([("CSCMS_RATE_LIMITS", "off")])
        .collect();
    let app = spawn_with(&off).await;
    let dopt = app.dopt();
    for _ in 0..8 {
        let r = app.call(me(&dopt)).await;
        assert_eq!(r.status, 200, "past the quota of 5");
        assert_eq!(r.header("ratelimit"), None);
        assert_eq!(r.header("ratelimit-policy"), None);
    }
    let contract = app
        .call(
            TestRequest::get()
                .uri("/v1/openapi.json")
                .peer_addr("192.0.2.10:40000".parse().unwrap()),
        )
        .await;
    assert_eq!(
        contract.header("ratelimit-policy"),
        Some("\"address\";q=4;w=60")
    );
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

/// A busy caller is reserved in leases (one UPDATE for many requests on
/// PostgreSQL): however the requests fall on two instances, concurrently,
/// no more are admitted than the quota, and what a lease leaves unspent
/// goes back (so at most a lease per instance is outstanding at the end).
#[actix_web::test]
async fn a_busy_caller_on_two_instances_never_passes_the_quota() {
    use actix_web::test::{call_service, init_service};
    // 160 / 32 = a lease of at most 5 on each instance; a day's window,
    // so nothing refills while the test runs.
    const BUSY: &[(&str, &str)] = &[("CSCMS_RATE_LIMIT_USER", "160/86400")];
    let app = spawn_with(BUSY).await;
    let one = init_service(cscms_api::app(app.state.clone())).await;
    let two = init_service(cscms_api::app(instance(&app.url, BUSY))).await;
    let dopt = app.dopt();
    let (mut admitted, mut refused) = (0, 0);
    for _ in 0..40 {
        let round = (0..6).map(|i| {
            let svc = if i % 3 == 0 { &two } else { &one };
            call_service(svc, me(&dopt).to_request())
        });
        for r in futures_util::future::join_all(round).await {
            match r.status().as_u16() {
                200 => admitted += 1,
                429 => refused += 1,
                s => panic!("unexpected {s}"),
            }
        }
    }
    assert_eq!(admitted + refused, 240);
    match app.url {
        cscms_store::DbUrl::Postgres(_) => {
            assert!((152..=160).contains(&admitted), "admitted {admitted}")
        }
        cscms_store::DbUrl::Sqlite(_) => assert_eq!(admitted, 240, "each instance its own"),
    }
}
