//! Concurrent writers (PRF-4): 64 clients at once on every family of write,
//! several on the same record and others on different records, through one
//! instance or two instances on one database. No answer is a 5xx; every 2xx
//! left exactly one audit row (found by its request id) and can be read
//! back; every refusal is one its operation documents and left no row; the
//! races on one record end the same way whichever instance answered.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::{Datelike, NaiveDate};
use cscms_api::state::AppState;
use cscms_domain::principal::Role;
use cscms_store::audit::AuditFilter;
use serde_json::{json, Value};

use crate::common::{
    call_on, complete, employee, etag, event, instance, reply, spawn_with, submitted, Reply,
    TestApp, IN_MHA, IN_MOF, IN_NDMA,
};

/// Connections per instance: enough that writers queue on the database's
/// own lock rather than on the pool.
const POOL: &str = "16";

/// Employees added for the load: the first four with a submitted profile
/// (PRF-1), the last five with a draft profile to patch.
const SUBMITTED: [&str; 4] = ["CSS-000101", "CSS-000102", "CSS-000103", "CSS-000104"];
const DRAFTS: [&str; 5] = [
    "CSS-000105",
    "CSS-000106",
    "CSS-000107",
    "CSS-000108",
    "CSS-000109",
];

/// One write of the burst.
struct Op {
    family: &'static str,
    /// Ops of one group race for one record; `expect_wins` of them succeed.
    group: String,
    method: Method,
    path: String,
    token: String,
    if_match: Option<String>,
    content_type: &'static str,
    body: Value,
    /// The refusals the operation documents for a lost race.
    refusals: &'static [(u16, &'static str)],
}

struct Outcome {
    family: &'static str,
    group: String,
    token: String,
    path: String,
    reply: Reply,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn post(family: &'static str, group: String, path: String, token: &str, body: Value) -> Op {
    Op {
        family,
        group,
        method: Method::POST,
        path,
        token: token.to_owned(),
        if_match: None,
        content_type: "application/json",
        body,
        refusals: &[],
    }
}

/// Everything the burst needs on record first: employees, submitted
/// profiles, an advertisement, two batches with proposals.
async fn prepare(app: &TestApp) -> (i64, [i64; 2]) {
    app.db(|c| {
        for code in SUBMITTED.iter().chain(DRAFTS.iter()) {
            let row = employee(code, "Load Officer", "CSS", "SO", "8", "MHA");
            let ev = [event(code, "appointment", ymd(2010, 7, 1), "SO", "8")];
            cscms_store::employees::insert(c, &row, &ev)?;
        }
        Ok(())
    })
    .await;
    for code in SUBMITTED.iter().chain([IN_MHA].iter()) {
        submitted(app, code).await;
    }
    // IN_MHA's return of last year is on record, to be revised in the burst.
    let year = cscms_api::clearance::today().year() - 1;
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/ipr"),
            &app.token(Role::Employee, Some(IN_MHA)),
            &json!({"year": year, "nil": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    // A body under MHA with its sub-nodal officer, and one open advertisement.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .post_json(
            "/v1/organisations/MHA/sub-organisations",
            &nodal,
            &json!({"id": "MHA-LOAD", "name": "Load Test Body", "kind": "autonomous_body",
                    "state": "Delhi",
                    "officer": {"sub": "sub-nodal.load", "name": "Anil Kumar",
                                "designation": "Deputy Director (Admin)", "email": "dd@load.gov.in"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let sub = app.token(Role::SubNodalOfficer, Some("MHA-LOAD"));
    let last_date = cscms_api::clearance::today()
        .checked_add_days(chrono::Days::new(60))
        .unwrap();
    let r = app
        .post_json(
            "/v1/deputation/advertisements",
            &sub,
            &json!({"post": "Deputy Director (Administration)", "level": "10", "vacancies": 2,
                    "place": "New Delhi", "place_state": "Delhi", "tenure_years": 3,
                    "eligibility": {"cadres": ["CSS"], "grades": [], "min_level": "7", "min_years_in_grade": 2},
                    "last_date": last_date,
                    "documents_required": ["APARs of the last five years"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let advert = r.json["id"].as_i64().unwrap();
    let mut batches = [0; 2];
    for (i, service) in ["IAS", "IPS"].into_iter().enumerate() {
        let r = app
            .post_json(
                "/v1/empanelment/batches",
                &app.dopt(),
                &json!({"service": service, "batch_year": 2006, "empanelment_year": 2024,
                        "cut_off_year": "2022-23", "panel_size": 2, "ais_first_sag_on": "2022-01-01"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        for (n, officer) in ["L01", "L02", "L03"].into_iter().enumerate() {
            let apars: Vec<Value> = (2013..2023)
                .map(|y| json!({"from": format!("{y}-04-01"), "to": format!("{}-03-31", y + 1), "grading": "outstanding"}))
                .collect();
            let r = app
                .post_json(
                    &format!("/v1/empanelment/batches/{id}/proposals"),
                    &app.dopt(),
                    &json!({"officer_id": officer, "name": format!("Officer {officer}"),
                            "seniority": n + 1, "date_of_birth": "1978-05-10", "gender": "male",
                            "category": "UR", "state_cadre": "Rajasthan",
                            "standing": {"kind": "all_india"},
                            "proposed_by": {"authority": "DoPT (AIS division)",
                                            "reference": "No. 12345/1/2024-AIS.I", "dated": "2024-02-01"},
                            "vigilance": "cleared", "apars": apars}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.json);
        }
        batches[i] = id;
    }
    (advert, batches)
}

/// The 64 writes: eight families of eight, half racing for one record.
async fn burst(app: &TestApp, advert: i64, batches: [i64; 2]) -> Vec<Op> {
    let mut ops = Vec::new();
    let avd = app.token(Role::Avd, None);
    let dopt = app.dopt();
    let year = cscms_api::clearance::today().year() - 1;
    let emp = |code: &str| app.token(Role::Employee, Some(code));

    // Vigilance status: appended, so every one is recorded.
    for code in [
        IN_NDMA,
        IN_NDMA,
        IN_NDMA,
        IN_NDMA,
        IN_MOF,
        SUBMITTED[0],
        SUBMITTED[1],
        SUBMITTED[2],
    ] {
        ops.push(post(
            "vigilance_status",
            format!("vig:{code}"),
            format!("/v1/employees/{code}/vigilance-status"),
            &avd,
            json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD-I/1/2015"}),
        ));
    }
    // IPR: four revisions of one return (one wins), four first filings.
    for code in [
        IN_MHA,
        IN_MHA,
        IN_MHA,
        IN_MHA,
        SUBMITTED[0],
        SUBMITTED[1],
        SUBMITTED[2],
        SUBMITTED[3],
    ] {
        let body = if code == IN_MHA {
            json!({"year": year, "nil": true, "revises": 0})
        } else {
            json!({"year": year, "nil": true})
        };
        let mut op = post(
            "ipr",
            format!("ipr:{code}"),
            format!("/v1/employees/{code}/ipr"),
            &emp(code),
            body,
        );
        op.refusals = &[(409, "revision_conflict")];
        ops.push(op);
    }
    // APAR entry: four for one period (one wins), four for distinct periods.
    for (code, y) in [(IN_MHA, 2021); 4]
        .into_iter()
        .chain((2015..2019).map(|y| (IN_NDMA, y)))
    {
        let mut op = post(
            "apar",
            format!("apar:{code}:{y}"),
            format!("/v1/employees/{code}/apars"),
            &dopt,
            json!({"from": format!("{y}-04-01"), "to": format!("{}-03-31", y + 1), "grading": "good"}),
        );
        op.refusals = &[(409, "apar_exists")];
        ops.push(op);
    }
    // Empanelment runs: four of each batch; runs are numbered in turn.
    for id in batches.into_iter().flat_map(|id| [id; 4]) {
        let mut op = post(
            "empanelment_run",
            format!("run:{id}"),
            format!("/v1/empanelment/batches/{id}/runs"),
            &dopt,
            json!({"as_of": "2024-06-01"}),
        );
        op.refusals = &[(409, "run_in_progress")];
        ops.push(op);
    }
    // Working strength: four updates of each of two organisations, all
    // naming the version they read.
    for org in ["MHA", "MOF"].into_iter().flat_map(|o| [o; 4]) {
        ops.push(Op {
            family: "working_strength",
            group: format!("ws:{org}"),
            method: Method::PUT,
            path: format!("/v1/organisations/{org}/working-strength"),
            token: app.token(Role::NodalOfficer, Some(org)),
            if_match: Some("\"0\"".into()),
            content_type: "application/json",
            body: json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}], "validated": false}),
            refusals: &[(412, "stale_version")],
        });
    }
    // Profile merge patches: four on one draft, one on each of four others.
    for code in [DRAFTS[0]; 4]
        .into_iter()
        .chain(DRAFTS[1..].iter().copied())
    {
        let me = emp(code);
        let tag = etag(app, code, &me).await;
        ops.push(Op {
            family: "profile",
            group: format!("profile:{code}"),
            method: Method::PATCH,
            path: format!("/v1/employees/{code}/profile"),
            token: me,
            if_match: Some(tag),
            content_type: "application/merge-patch+json",
            body: complete(),
            refusals: &[(412, "stale_version")],
        });
    }
    // Foreign visits: requests are independent, so every one is filed.
    for code in [
        IN_MHA,
        IN_MHA,
        IN_MHA,
        IN_MHA,
        SUBMITTED[0],
        SUBMITTED[1],
        SUBMITTED[2],
        SUBMITTED[3],
    ] {
        ops.push(post(
            "foreign_visit",
            format!("fv:{code}"),
            "/v1/foreign-visits".into(),
            &emp(code),
            crate::foreign_visits::visit(),
        ));
    }
    // Deputation: one application per employee and advertisement.
    for code in [
        IN_MHA,
        IN_MHA,
        IN_MHA,
        IN_MHA,
        SUBMITTED[0],
        SUBMITTED[1],
        SUBMITTED[2],
        SUBMITTED[3],
    ] {
        let mut op = post(
            "deputation_application",
            format!("dep:{code}"),
            format!("/v1/deputation/advertisements/{advert}/applications"),
            &emp(code),
            json!({"documents": [{"name": "APARs of the last five years", "reference": "APAR/CSS/2021-2025"}],
                   "remarks": "Willing to serve"}),
        );
        op.refusals = &[(409, "already_applied")];
        ops.push(op);
    }
    ops
}

/// How many of a group's writes must succeed: every one of an append, one
/// of a race for one record, at least one of the runs of a batch.
fn expected_wins(family: &str, group_size: usize) -> std::ops::RangeInclusive<usize> {
    match family {
        "vigilance_status" | "foreign_visit" => group_size..=group_size,
        "empanelment_run" => 1..=group_size,
        _ => 1..=1,
    }
}

/// Sends every op at once, spread over `instances` in turn. Each instance's
/// app is built once, so the clients wait on the database, not on the
/// harness.
async fn send_all(instances: &[web::Data<AppState>], ops: Vec<Op>) -> Vec<Outcome> {
    let mut services = Vec::new();
    for state in instances {
        services.push(Rc::new(
            test::init_service(cscms_api::app(state.clone())).await,
        ));
    }
    let started = Instant::now();
    let handles: Vec<_> = ops
        .into_iter()
        .enumerate()
        .map(|(i, op)| {
            let svc = Rc::clone(&services[i % services.len()]);
            actix_web::rt::spawn(async move {
                let mut req = TestRequest::default()
                    .method(op.method.clone())
                    .uri(&op.path)
                    .insert_header(("Authorization", format!("Bearer {}", op.token)))
                    .insert_header(("Content-Type", op.content_type))
                    .set_payload(op.body.to_string());
                if let Some(tag) = &op.if_match {
                    req = req.insert_header(("If-Match", tag.clone()));
                }
                let reply = reply(test::call_service(&*svc, req.to_request()).await).await;
                (op, reply)
            })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        let (op, reply) = h.await.unwrap();
        if !reply.status.is_success() {
            let code = reply.json["code"].as_str().unwrap_or("");
            assert!(
                op.refusals
                    .iter()
                    .any(|(s, c)| *s == reply.status.as_u16() && *c == code),
                "{} {} answered {} {}: not a refusal it documents for a race",
                op.method,
                op.path,
                reply.status,
                reply.json
            );
        }
        out.push(Outcome {
            family: op.family,
            group: op.group,
            token: op.token,
            path: op.path,
            reply,
        });
    }
    let took = started.elapsed();
    eprintln!(
        "write load: 64 writes through {} instance(s) in {took:?}",
        instances.len()
    );
    assert!(took < Duration::from_secs(30), "the burst took {took:?}");
    out
}

/// Runs the burst through `instances` and checks everything it left.
async fn load(app: &TestApp, instances: &[web::Data<AppState>]) {
    let (advert, batches) = prepare(app).await;
    let ops = burst(app, advert, batches).await;
    assert_eq!(ops.len(), 64);
    let outcomes = send_all(instances, ops).await;

    // No fault, and every race settled the way its contract says.
    let faults: Vec<_> = outcomes
        .iter()
        .filter(|o| o.reply.status.is_server_error())
        .map(|o| format!("{} {} {}", o.path, o.reply.status, o.reply.json))
        .collect();
    assert!(faults.is_empty(), "5xx answers: {faults:#?}");
    let mut groups: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for o in &outcomes {
        let g = groups.entry((o.family, o.group.as_str())).or_default();
        g.0 += 1;
        g.1 += usize::from(o.reply.status.is_success());
    }
    let families: std::collections::BTreeSet<&str> = groups.keys().map(|k| k.0).collect();
    assert_eq!(families.len(), 8, "{families:?}");
    for ((family, group), (sent, won)) in &groups {
        assert!(
            expected_wins(family, *sent).contains(won),
            "{group}: {won} of {sent} succeeded"
        );
    }

    // Every success is on record with exactly one audit row; no refusal left one.
    let trail = app
        .db(|c| cscms_store::audit::list(c, &AuditFilter::default(), 100_000))
        .await;
    let mut rows_by_request: HashMap<&str, usize> = HashMap::new();
    for row in &trail {
        *rows_by_request.entry(row.request_id.as_str()).or_default() += 1;
    }
    let reader = test::init_service(cscms_api::app(app.state.clone())).await;
    let get = |path: String, token: String| {
        let req = TestRequest::get()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let call = test::call_service(&reader, req);
        async move { reply(call.await).await }
    };
    let mut read_back = 0;
    for o in &outcomes {
        let id = o.reply.header("x-request-id").expect("request id");
        let rows = rows_by_request.get(id).copied().unwrap_or(0);
        let want = usize::from(o.reply.status.is_success());
        assert_eq!(
            rows, want,
            "{} {}: {rows} audit rows",
            o.path, o.reply.status
        );
        if o.reply.status.is_success() {
            // Read back what was written, on the first instance.
            // The record at its Location, or else in the collection written to.
            let mut at = o
                .reply
                .header("location")
                .unwrap_or(o.path.as_str())
                .to_owned();
            let mut r = get(at.clone(), o.token.clone()).await;
            if r.status == 405 {
                at.clone_from(&o.path);
                r = get(at.clone(), o.token.clone()).await;
                let id = &o.reply.json["id"];
                assert!(
                    r.json.to_string().contains(&format!("\"id\":{id}")),
                    "{at} lists {id}"
                );
            }
            assert_eq!(r.status, 200, "{at}: {}", r.json);
            match o.reply.header("etag") {
                Some(tag) if o.reply.status == 200 => {
                    assert_eq!(r.header("etag"), Some(tag), "{at}")
                }
                _ => {}
            }
            read_back += 1;
        }
    }
    let wins: usize = groups.values().map(|g| g.1).sum();
    assert_eq!(read_back, wins);
    assert!(wins >= 40, "{wins} successes");
    // The appended families hold exactly what succeeded.
    let ndma = app
        .db(|c| cscms_store::vigilance::history(c, IN_NDMA))
        .await;
    assert_eq!(ndma.len(), 4);
}

#[actix_web::test]
async fn sixty_four_concurrent_writers_never_see_a_server_error() {
    let app = spawn_with(&[("CSCMS_DB_POOL_SIZE", POOL)]).await;
    let one = [app.state.clone()];
    load(&app, &one).await;
}

/// The deployment on more than one machine: two instances, each with its
/// own pool and verified-token cache, on one database.
#[actix_web::test]
async fn two_instances_on_one_database_answer_alike() {
    let app = spawn_with(&[("CSCMS_DB_POOL_SIZE", POOL)]).await;
    let twin = instance(&app.url, &[("CSCMS_DB_POOL_SIZE", POOL)]);
    // A token verified (and remembered) by one instance means the same to
    // the other, and a tampered one is refused by both, cached or not.
    let me = app.token(Role::Employee, Some(IN_MHA));
    let mut seen = Vec::new();
    for state in [&app.state, &twin, &app.state, &twin] {
        let r = call_on(
            state,
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(("Authorization", format!("Bearer {me}"))),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
        seen.push(r.json);
        let r = call_on(
            state,
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(("Authorization", format!("Bearer {me}x"))),
        )
        .await;
        assert_eq!(r.status, 401);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    load(&app, &[app.state.clone(), twin]).await;
}
