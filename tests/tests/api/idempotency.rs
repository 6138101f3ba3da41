//! `Idempotency-Key` on writes (INT-2): a retry replays, a concurrent retry
//! waits, a reused key on another request is refused, and integration
//! clients must send one with bulk imports.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{call_on, instance, reply, spawn, submitted, Reply, IN_MHA};

fn post(path: &str, token: &str, key: Option<&str>, body: &Value) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .set_json(body);
    if let Some(k) = key {
        req = req.insert_header(("Idempotency-Key", format!("\"{k}\"")));
    }
    req
}

fn org(id: &str) -> Value {
    json!({"id": id, "name": format!("Ministry of Civil Aviation ({id})"), "kind": "ministry"})
}

#[actix_web::test]
async fn a_retry_replays_the_first_response_byte_for_byte_on_any_instance() {
    let app = spawn().await;
    let dopt = app.dopt();
    let first = app
        .call(post("/v1/organisations", &dopt, Some("k-1"), &org("MOCA")))
        .await;
    assert_eq!(first.status, 201, "{}", first.json);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = app
        .call(post("/v1/organisations", &dopt, Some("k-1"), &org("MOCA")))
        .await;
    assert_eq!(
        again.status, 201,
        "a replay, not a 409 for the id taken: {}",
        again.json
    );
    assert_eq!(again.bytes, first.bytes);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // Another instance on the same database replays it too.
    let other = instance(&app.url, &[]);
    let there = call_on(
        &other,
        post("/v1/organisations", &dopt, Some("k-1"), &org("MOCA")),
    )
    .await;
    assert_eq!((there.status.as_u16(), &there.bytes), (201, &first.bytes));
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "organisation", "MOCA"))
        .await;
    assert_eq!(trail.len(), 1, "it acted once");

    // The same key on a different request: 422. Another caller's key is its own.
    app.call(post("/v1/organisations", &dopt, Some("k-1"), &org("MOCB")))
        .await
        .assert_problem(422, "idempotency_key_reused");
    let other_dopt = app.mint(cscms_api::auth::MintRequest::new(Role::Dopt, "dopt:other"));
    let r = app
        .call(post(
            "/v1/organisations",
            &other_dopt,
            Some("k-1"),
            &org("MOCB"),
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    // A malformed key.
    app.call(post("/v1/organisations", &dopt, Some("a b"), &org("MOCC")))
        .await
        .assert_problem(400, "invalid_idempotency_key");
}

#[actix_web::test]
async fn a_refused_request_gives_its_key_up() {
    let app = spawn().await;
    let dopt = app.dopt();
    let bad = app
        .call(post(
            "/v1/organisations",
            &dopt,
            Some("k-2"),
            &json!({"id": "moca"}),
        ))
        .await;
    assert_eq!(bad.status.as_u16() / 100, 4, "{}", bad.json);
    let good = app
        .call(post("/v1/organisations", &dopt, Some("k-2"), &org("MOCA")))
        .await;
    assert_eq!(good.status, 201, "{}", good.json);
    assert_eq!(good.header("idempotent-replayed"), None);
}

/// A fault after the request's write committed (the read that builds its
/// answer failing, say) is kept as the answer: the write has acted, so a
/// retry is answered from the record and does not act again. A fault
/// before any write gives the key up, so its retry runs.
#[actix_web::test]
async fn a_fault_after_the_write_is_kept_and_its_retry_does_not_act() {
    use actix_web::{middleware::from_fn, test, web, App, HttpResponse};
    use cscms_api::error::ApiError;
    use cscms_api::state::AppState;
    use cscms_store::audit::{Actor, Change};

    async fn write_then_fail(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
        let actor = Actor {
            sub: "probe".into(),
            role: "dopt".into(),
            request_id: String::new(),
        };
        state
            .db(move |c| {
                cscms_store::audit::audited(c, &actor, |_| {
                    let change = Change {
                        action: "create",
                        entity: "probe",
                        entity_id: "p1".into(),
                        org_id: None,
                        before: None,
                        after: None,
                    };
                    Ok(((), change))
                })
            })
            .await?;
        Err(ApiError::Internal("the answer could not be built".into()))
    }
    async fn fail_first() -> Result<HttpResponse, ApiError> {
        Err(ApiError::Internal("nothing written".into()))
    }

    let app = spawn().await;
    let dopt = app.dopt();
    let svc = test::init_service(
        App::new()
            .app_data(app.state.clone())
            .wrap(from_fn(cscms_api::idempotency::layer))
            .route("/v1/probe/late", web::post().to(write_then_fail))
            .route("/v1/probe/early", web::post().to(fail_first)),
    )
    .await;
    let send = |path: &str, key: &str| post(path, &dopt, Some(key), &json!({})).to_request();

    let first = reply(test::call_service(&svc, send("/v1/probe/late", "late-1")).await).await;
    assert_eq!(first.status, 500, "{}", first.json);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = reply(test::call_service(&svc, send("/v1/probe/late", "late-1")).await).await;
    assert_eq!((again.status, &again.bytes), (first.status, &first.bytes));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "probe", "p1"))
        .await;
    assert_eq!(trail.len(), 1, "the retry did not act again");

    let early = reply(test::call_service(&svc, send("/v1/probe/early", "early-1")).await).await;
    assert_eq!(early.status, 500);
    let rerun = reply(test::call_service(&svc, send("/v1/probe/early", "early-1")).await).await;
    assert_eq!(rerun.status, 500);
    assert_eq!(
        rerun.header("idempotent-replayed"),
        None,
        "nothing had acted: the retry ran"
    );
}

/// A request that writes nothing (a rules evaluation) claims no key, yet
/// its response is kept like any other: a retry replays it, and the key on
/// a different request is 422 whether that request writes or not, and a
/// write refused so does not act.
#[actix_web::test]
async fn a_request_that_writes_nothing_keeps_its_key_too() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let evaluate = |as_of: &str| {
        json!({
            "as_of": as_of,
            "joined_entry_grade_on": "1982-10-01",
            "entry": {"scale": "4000-6000"},
            "events": [{"kind": "acp", "on": "1999-08-09", "to": {"scale": "4500-7000"}}]
        })
    };
    let path = "/v1/rules/macp/evaluate";
    let first = app
        .call(post(path, &me, Some("eval-1"), &evaluate("2013-01-01")))
        .await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = app
        .call(post(path, &me, Some("eval-1"), &evaluate("2013-01-01")))
        .await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!((again.status, &again.bytes), (first.status, &first.bytes));
    app.call(post(path, &me, Some("eval-1"), &evaluate("2014-01-01")))
        .await
        .assert_problem(422, "idempotency_key_reused");
    let body = crate::foreign_visits::visit();
    app.call(post("/v1/foreign-visits", &me, Some("eval-1"), &body))
        .await
        .assert_problem(422, "idempotency_key_reused");
    let mine = app.get("/v1/foreign-visits/mine", &me).await;
    assert_eq!(
        mine.json["items"],
        json!([]),
        "the refused write did not act"
    );
    // A request refused before it writes, with a key another request used: 422 too.
    app.call(post(
        path,
        &me,
        Some("eval-1"),
        &json!({"as_of": "2013-01-01"}),
    ))
    .await
    .assert_problem(422, "idempotency_key_reused");
}

/// Responses finishing together are stored together (one write for what
/// queued while the writer waited its turn): each must still be stored over
/// its own key, and each request answered only once that is done.
#[actix_web::test]
async fn forty_keyed_writes_at_once_each_keep_their_own_response() {
    let app = spawn().await;
    let dopt = app.dopt();
    let ids: Vec<String> = (0..40).map(|i| format!("ORG{i:02}")).collect();
    let first = futures_util::future::join_all(
        ids.iter()
            .map(|id| app.call(post("/v1/organisations", &dopt, Some(id), &org(id)))),
    )
    .await;
    for (id, r) in ids.iter().zip(&first) {
        assert_eq!(r.status, 201, "{id}: {}", r.json);
        assert_eq!(r.json["id"], id.as_str());
    }
    let again = futures_util::future::join_all(
        ids.iter()
            .map(|id| app.call(post("/v1/organisations", &dopt, Some(id), &org(id)))),
    )
    .await;
    for ((id, a), b) in ids.iter().zip(&first).zip(&again) {
        assert_eq!(b.header("idempotent-replayed"), Some("true"), "{id}");
        assert_eq!(b.bytes, a.bytes, "{id}: its own response, replayed");
    }
}

/// Of the replies to concurrent retries of one keyed request, the one
/// that ran (201, not replayed; there must be exactly one), and how many
/// were told to wait (409); every other one must replay its bytes.
fn one_ran(replies: &[Reply]) -> (&Reply, usize) {
    let fresh: Vec<_> = replies
        .iter()
        .filter(|r| r.status == 201 && r.header("idempotent-replayed").is_none())
        .collect();
    assert_eq!(fresh.len(), 1, "exactly one ran");
    let mut waited = 0;
    for r in replies {
        match r.status.as_u16() {
            201 => assert_eq!(r.bytes, fresh[0].bytes, "a replay is the first response"),
            409 => {
                r.assert_problem(409, "idempotency_key_in_use");
                waited += 1;
            }
            other => panic!("unexpected {other}: {}", r.json),
        }
    }
    (fresh[0], waited)
}

/// A write whose transaction begins with its record's lock claims its key
/// in the lock's statement on PostgreSQL (`db::locked_write_transaction`):
/// the same claim, so twenty concurrent retries still act once, and the
/// key reused for another status is refused.
#[actix_web::test]
async fn twenty_concurrent_retries_of_a_locked_write_act_once() {
    let app = spawn().await;
    let avd = app.token(Role::Avd, None);
    let url = format!("/v1/employees/{IN_MHA}/vigilance-status");
    let body =
        json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD-I/1/2015"});
    let replies = futures_util::future::join_all(
        (0..20).map(|_| app.call(post(&url, &avd, Some("status-1"), &body))),
    )
    .await;
    let (ran, _) = one_ran(&replies);
    let rows = app.db(|c| cscms_store::vigilance::history(c, IN_MHA)).await;
    assert_eq!(rows.len(), 1, "recorded once");
    let other =
        json!({"status": "clear", "effective_from": "2016-01-01", "order_ref": "AVD-I/2/2016"});
    app.call(post(&url, &avd, Some("status-1"), &other))
        .await
        .assert_problem(422, "idempotency_key_reused");
    let late = app.call(post(&url, &avd, Some("status-1"), &body)).await;
    assert_eq!(late.header("idempotent-replayed"), Some("true"));
    assert_eq!(late.bytes, ran.bytes);
}

#[actix_web::test]
async fn twenty_concurrent_retries_act_once() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let body = crate::foreign_visits::visit();
    let replies = futures_util::future::join_all(
        (0..20).map(|_| app.call(post("/v1/foreign-visits", &me, Some("visit-1"), &body))),
    )
    .await;
    let (fresh, waited) = one_ran(&replies);
    eprintln!(
        "20 concurrent retries: 1 ran, {waited} told to wait, {} replayed",
        19 - waited
    );
    let mine = app.get("/v1/foreign-visits/mine", &me).await;
    assert_eq!(
        mine.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        mine.json
    );
    // Once it has finished, a retry replays it.
    let late = app
        .call(post("/v1/foreign-visits", &me, Some("visit-1"), &body))
        .await;
    assert_eq!((late.status.as_u16(), &late.bytes), (201, &fresh.bytes));
}

#[actix_web::test]
async fn integration_clients_send_a_key_with_bulk_imports() {
    let app = spawn().await;
    let sparrow = app.token(Role::Integration, Some(scopes::APAR_WRITE));
    let rows = json!({"rows": [{"employee_code": IN_MHA, "from": "2021-04-01", "to": "2022-03-31", "grading": "good"}]});
    app.call(post("/v1/apars/import", &sparrow, None, &rows))
        .await
        .assert_problem(400, "idempotency_key_required");
    let r = app
        .call(post("/v1/apars/import", &sparrow, Some("batch-7"), &rows))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["created"], 1);
    let again = app
        .call(post("/v1/apars/import", &sparrow, Some("batch-7"), &rows))
        .await;
    assert_eq!(again.bytes, r.bytes, "replayed, still saying created");
    // Everyone else may send one, and need not.
    let dopt = app.dopt();
    let r = app
        .call(post("/v1/organisations", &dopt, None, &org("MOCA")))
        .await;
    assert_eq!(r.status, 201);
}

/// A key whose request acted and whose answer was never kept (its instance
/// stopped between the two) stays held, expired or not, and the write never
/// runs again: a retry while the first could still be running is told to
/// wait (`idempotency_key_in_use`); once none could, that the outcome is
/// unknown (`idempotency_outcome_unknown`).
#[actix_web::test]
async fn a_key_left_running_is_never_run_again_and_says_so() {
    use cscms_store::schema::idempotency_keys::dsl as k;
    use diesel::prelude::*;
    let app = spawn().await;
    let dopt = app.dopt();
    let first = app
        .call(post(
            "/v1/organisations",
            &dopt,
            Some("k-left"),
            &org("MOCL"),
        ))
        .await;
    assert_eq!(first.status, 201, "{}", first.json);
    // As the record stands when the instance stopped after the write's
    // commit: claimed `minutes_ago`, expiring at `expires`, no answer.
    let left = |minutes_ago: i64, expires: chrono::TimeDelta| {
        app.db(move |c| {
            let now = chrono::Utc::now().naive_utc();
            let n = diesel::update(k::idempotency_keys.filter(k::idempotency_key.eq("k-left")))
                .set((
                    k::state.eq("running"),
                    k::status.eq(None::<i32>),
                    k::headers.eq(None::<String>),
                    k::body.eq(None::<Vec<u8>>),
                    k::created_at.eq(now - chrono::TimeDelta::minutes(minutes_ago)),
                    k::expires_at.eq(now + expires),
                ))
                .execute(c)?;
            Ok(n)
        })
    };
    let retry = || {
        app.call(post(
            "/v1/organisations",
            &dopt,
            Some("k-left"),
            &org("MOCL"),
        ))
    };
    let hour = chrono::TimeDelta::hours(1);
    assert_eq!(left(9, hour).await, 1);
    retry().await.assert_problem(409, "idempotency_key_in_use");
    assert_eq!(left(11, hour).await, 1);
    retry()
        .await
        .assert_problem(409, "idempotency_outcome_unknown");
    assert_eq!(left(11, -hour).await, 1);
    retry()
        .await
        .assert_problem(409, "idempotency_outcome_unknown");
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "organisation", "MOCL"))
        .await;
    assert_eq!(trail.len(), 1, "it acted once");
}
