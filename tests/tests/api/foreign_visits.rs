//! FV-1: private foreign visit clearance through the one workflow mechanism.

use cscms_domain::foreign_visit::{FvState, FOREIGN_VISIT};
use cscms_domain::principal::{scopes, Role};
use cscms_domain::workflow::Label;
use serde_json::{json, Value};

use crate::common::submitted;
use crate::common::{spawn, TestApp, IN_MHA, IN_MOF, IN_NDMA};
use crate::workflow_support::{
    check, days_from_today, expect, one_audit_row_per_step, today, Caller, Expect, REASON,
};

/// A visit of ten days. Each one a test asks for is on days of its own
/// (up to 30 of them, then round again), as an employee's requests awaiting
/// a decision or granted must not share a day abroad (FV-1).
pub fn visit() -> Value {
    thread_local! {
        static ASKED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let k = ASKED.with(|n| {
        let k = n.get();
        n.set(k + 1);
        k % 30
    });
    let (from, to) = (days_from_today(30 + 11 * k), days_from_today(39 + 11 * k));
    json!({
        "countries": ["Nepal", "Bhutan"],
        "from_date": from,
        "to_date": to,
        "purpose": "Family holiday",
        "funded_by": "own_funds",
        "leave": {"kind": "earned_leave", "from": from, "to": to},
        "contact_abroad": {"name": "Hotel Yak & Yeti", "address": "Durbar Marg, Kathmandu", "phone": "+977 1 4248999"}
    })
}

pub(crate) async fn apply(app: &TestApp, token: &str) -> Value {
    let r = app.post_json("/v1/foreign-visits", token, &visit()).await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

/// A request of `IN_MHA` brought to `state` along the table's own path.
async fn in_state(app: &TestApp, me: &str, state: FvState) -> i64 {
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let id = apply(app, me).await["id"].as_i64().unwrap();
    let path = FOREIGN_VISIT.path_to(state).unwrap();
    for (action, role) in path.into_iter().skip(1) {
        let token = match role {
            Role::Employee => me,
            Role::NodalOfficer => &nodal,
            other => panic!("no token for {other}"),
        };
        let r = app
            .post_json(
                &format!("/v1/foreign-visits/{id}/{}", action.label()),
                token,
                &json!({"reason": REASON}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
    }
    id
}

#[actix_web::test]
async fn every_transition_by_every_role() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    // Cleared, so the grant is decided by the table alone (VIG-2 is
    // tested in clearance_condition.rs).
    crate::clearance_condition::clear_for_services(&app, IN_MHA).await;
    // (caller, whether it sees a request of IN_MHA)
    let callers = [
        (
            Caller::new(&app, "owner", Role::Employee, Some(IN_MHA)),
            true,
        ),
        (
            Caller::new(&app, "other employee", Role::Employee, Some(IN_MOF)),
            false,
        ),
        (
            Caller::new(&app, "nodal MHA", Role::NodalOfficer, Some("MHA")),
            true,
        ),
        (
            Caller::new(&app, "nodal MOF", Role::NodalOfficer, Some("MOF")),
            false,
        ),
        (
            Caller::new(&app, "sub-nodal", Role::SubNodalOfficer, Some("MHA-NDMA")),
            false,
        ),
        (Caller::new(&app, "avd", Role::Avd, None), true),
        (Caller::new(&app, "dopt", Role::Dopt, None), true),
        (
            Caller::new(
                &app,
                "integration",
                Role::Integration,
                Some(scopes::EMPLOYEES_READ),
            ),
            // The service record's scope does not reach foreign visits.
            false,
        ),
    ];
    let mut touched = Vec::new();
    for &state in FOREIGN_VISIT.states {
        let standing = in_state(&app, &me, state).await;
        touched.push(standing);
        for &action in FOREIGN_VISIT
            .actions
            .iter()
            .filter(|a| a.label() != "apply")
        {
            for (caller, sees) in &callers {
                let case = format!(
                    "{} {} while {}",
                    caller.label,
                    action.label(),
                    state.label()
                );
                let e = expect(&FOREIGN_VISIT, state, action, caller.role);
                // A move needs a record of its own; refusals leave `standing` as it is.
                let id = match e {
                    Expect::Moves(_) if *sees => in_state(&app, &me, state).await,
                    _ => standing,
                };
                touched.push(id);
                let r = app
                    .post_json(
                        &format!("/v1/foreign-visits/{id}/{}", action.label()),
                        &caller.token,
                        &json!({"reason": REASON}),
                    )
                    .await;
                if *sees {
                    check(&r, &e, state, &case);
                } else {
                    r.assert_problem(404, "not_found");
                }
            }
        }
        let r = app
            .get(&format!("/v1/foreign-visits/{standing}"), &me)
            .await;
        assert_eq!(r.json["state"], state.label(), "refusals changed nothing");
    }
    // Applying: employees only.
    for (caller, _) in &callers {
        let r = app
            .post_json("/v1/foreign-visits", &caller.token, &visit())
            .await;
        match caller.role {
            Role::Employee if caller.label == "owner" => assert_eq!(r.status, 201, "{}", r.json),
            // The other employee passes the role but not the profile gate.
            Role::Employee => r.assert_problem(409, "profile_not_submitted"),
            _ => r.assert_problem(403, "forbidden"),
        }
    }
    // One audit row per transition, for every request touched.
    touched.sort_unstable();
    touched.dedup();
    for id in touched {
        let view = app.get(&format!("/v1/foreign-visits/{id}"), &me).await.json;
        one_audit_row_per_step(&app, "foreign_visit", &view).await;
    }
}

#[actix_web::test]
async fn apply_grant_with_clearance_recorded_and_withdraw_after_decision_refused() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let v = apply(&app, &me).await;
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["state"], "submitted");
    assert_eq!(v["allowed_actions"], json!(["withdraw"]));
    // The clearance is fetched automatically and recorded with the step (VIG-1).
    assert_eq!(v["clearance"]["purpose"], "foreign_visit");
    // The same answer the shared clearance gives (here: no status on record
    // and no property return for last year, so denied under VIG-2).
    let shared = app
        .get(
            &format!("/v1/employees/{IN_MHA}/vigilance-clearance?purpose=foreign_visit"),
            &nodal,
        )
        .await;
    assert_eq!(v["clearance"]["clearance"], shared.json["clearance"]);
    assert_eq!(v["clearance"]["clearance"], "denied");
    assert_eq!(v["steps"][0]["action"], "apply");
    assert_eq!(v["steps"][0]["clearance"]["clearance"], "denied");

    let seen = app.get(&format!("/v1/foreign-visits/{id}"), &nodal).await;
    assert_eq!(seen.json["allowed_actions"], json!(["grant", "refuse"]));
    assert_eq!(seen.json["clearance"]["clearance"], "denied");

    // Denied, the grant is withheld unless the officer overrides (VIG-2).
    let grant = format!("/v1/foreign-visits/{id}/grant");
    app.post_json(&grant, &nodal, &json!({}))
        .await
        .assert_problem(409, "clearance_withheld");
    let r = app
        .post_json(
            &grant,
            &nodal,
            &json!({"clearance_override": crate::clearance_condition::OVERRIDE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "granted");
    let step = &r.json["steps"][1];
    assert_eq!(step["action"], "grant");
    assert_eq!(step["actor_role"], "nodal_officer");
    assert_eq!(step["from_state"], "submitted");
    assert_eq!(step["clearance"]["purpose"], "foreign_visit");
    assert!(step["at"].is_string());

    let r = app
        .post_json(
            &format!("/v1/foreign-visits/{id}/withdraw"),
            &me,
            &json!({}),
        )
        .await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "granted");
    assert_eq!(r.json["allowed_actions"], json!([]));
}

#[actix_web::test]
async fn refusal_needs_a_reason() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let id = apply(&app, &me).await["id"].as_i64().unwrap();
    let url = format!("/v1/foreign-visits/{id}/refuse");
    let r = app.post_json(&url, &nodal, &json!({})).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.reason");
    let r = app
        .post_json(
            &url,
            &nodal,
            &json!({"reason": "Dates clash with Parliament session"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        r.json["steps"][1]["reason"],
        "Dates clash with Parliament session"
    );
    app.post_json(&url, &nodal, &json!({"reason": "again", "extra": 1}))
        .await
        .assert_problem(400, "unknown_field");
}

#[actix_web::test]
async fn steps_taken_at_once_move_the_record_once_and_the_rest_are_told_its_state() {
    // Eight refusals of one request at once: one moves it; the others
    // find it refused (409 with its state), never a 412 for a version
    // they did not send.
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    for round in 0..3 {
        let id = apply(&app, &me).await["id"].as_i64().unwrap();
        let url = format!("/v1/foreign-visits/{id}/refuse");
        let body = json!({"reason": "Dates clash with Parliament session"});
        let replies =
            futures_util::future::join_all((0..8).map(|_| app.post_json(&url, &nodal, &body)))
                .await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {statuses:?}"
        );
        for r in replies.iter().filter(|r| r.status != 200) {
            r.assert_problem(409, "invalid_transition");
            assert_eq!(r.json["current_state"], "refused", "{}", r.json);
        }
    }
}

#[actix_web::test]
async fn the_profile_gate_comes_first() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let r = app.post_json("/v1/foreign-visits", &me, &visit()).await;
    r.assert_problem(409, "profile_not_submitted");
    assert!(r.json["detail"].as_str().unwrap().contains("PRF-1"));
    // The refusal names its rule and the order it rests on.
    assert_eq!(r.json["rule"], "PRF-1");
    assert!(r.json["citation"]
        .as_str()
        .is_some_and(|c| c.contains("21/04/2022-CSCMS")));
}

/// FV-1: one clearance for one absence: a request sharing a day abroad with
/// another of the employee's, awaiting a decision or granted, is refused,
/// however many are sent at once; once that one is withdrawn, it is filed.
#[actix_web::test]
async fn requests_for_the_same_days_are_one_request() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let body = visit();
    let sent = futures_util::future::join_all(
        (0..6).map(|_| app.post_json("/v1/foreign-visits", &me, &body)),
    )
    .await;
    let filed: Vec<&crate::common::Reply> = sent.iter().filter(|r| r.status == 201).collect();
    assert_eq!(
        filed.len(),
        1,
        "{:?}",
        sent.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in sent.iter().filter(|r| r.status != 201) {
        r.assert_problem(409, "visit_overlaps");
    }
    // Another request a day into the same trip overlaps too.
    let mut later = body.clone();
    later["from_date"] = body["to_date"].clone();
    later["leave"]["from"] = body["to_date"].clone();
    app.post_json("/v1/foreign-visits", &me, &later)
        .await
        .assert_problem(409, "visit_overlaps");
    let id = filed[0].json["id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/v1/foreign-visits/{id}/withdraw"),
            &me,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app.post_json("/v1/foreign-visits", &me, &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
}

#[actix_web::test]
async fn every_bad_field_is_listed() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let body = json!({
        "countries": [],
        "from_date": today(),
        "to_date": days_from_today(0).pred_opt(),
        "purpose": " ",
        "funded_by": "host",
        "leave": {"kind": "earned_leave", "from": days_from_today(5), "to": days_from_today(1)},
        "contact_abroad": {"name": "X", "address": "Kathmandu", "email": "not-an-email"}
    });
    let r = app.post_json("/v1/foreign-visits", &me, &body).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    for f in [
        "body.contact_abroad.email",
        "body.contact_abroad.name",
        "body.countries",
        "body.from_date",
        "body.funding_details",
        "body.leave.to",
        "body.purpose",
        "body.to_date",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // A visit within India, one starting more than a year ahead, one of a
    // year or more abroad: each named.
    let mut home = visit();
    home["countries"] = json!(["Nepal", "India"]);
    // A place that is no country, and one country by two of its names.
    let mut nowhere = visit();
    nowhere["countries"] = json!(["Narnia"]);
    let mut twice = visit();
    twice["countries"] = json!(["UK", "United Kingdom"]);
    let mut far = visit();
    far["from_date"] = json!(days_from_today(366));
    far["to_date"] = json!(days_from_today(370));
    far["leave"] =
        json!({"kind": "earned_leave", "from": days_from_today(366), "to": days_from_today(370)});
    let mut long = visit();
    long["from_date"] = json!(days_from_today(30));
    long["leave"]["from"] = json!(days_from_today(30));
    long["to_date"] = json!(days_from_today(30 + 365));
    for (body, field) in [
        (home, "body.countries[1]"),
        (nowhere, "body.countries[0]"),
        (twice, "body.countries[1]"),
        (far, "body.from_date"),
        (long, "body.to_date"),
    ] {
        let r = app.post_json("/v1/foreign-visits", &me, &body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), [field], "{}", r.json);
    }
    // Leave wholly apart from the visit does not cover it.
    let mut apart = visit();
    apart["leave"]["from"] = json!(days_from_today(1));
    apart["leave"]["to"] = json!(days_from_today(3));
    let r = app.post_json("/v1/foreign-visits", &me, &apart).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.leave", "{}", r.json);
    let mut bad = visit();
    bad["funded_by"] = json!("lottery");
    app.post_json("/v1/foreign-visits", &me, &bad)
        .await
        .assert_problem(400, "invalid_body");
}

#[actix_web::test]
async fn lists_and_scope() {
    let app = spawn().await;
    let mha = submitted(&app, IN_MHA).await;
    let ndma = submitted(&app, IN_NDMA).await;
    let mof = submitted(&app, IN_MOF).await;
    let first = apply(&app, &mha).await["id"].as_i64().unwrap();
    let second = apply(&app, &ndma).await["id"].as_i64().unwrap();
    let third = apply(&app, &mha).await["id"].as_i64().unwrap();
    let other = apply(&app, &mof).await["id"].as_i64().unwrap();

    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let nodal_mha = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app.get("/v1/foreign-visits/pending", &nodal_mha).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        ids(&r.json),
        [first, second, third],
        "oldest first, MHA tree only"
    );
    let nodal_mof = app.token(Role::NodalOfficer, Some("MOF"));
    assert_eq!(
        ids(&app.get("/v1/foreign-visits/pending", &nodal_mof).await.json),
        [other]
    );
    assert_eq!(
        ids(&app.get("/v1/foreign-visits/mine", &mha).await.json),
        [third, first],
        "newest first, own only"
    );
    app.assert_paged("/v1/foreign-visits/pending", &nodal_mha)
        .await;
    app.assert_paged("/v1/foreign-visits/mine", &mha).await;
    // Submitted at the same instant (to the nanosecond where the store
    // keeps it): by id either way, each once, a page at a time.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE foreign_visits SET submitted_at = '2026-01-01 00:00:00.123456789'",
        )
    })
    .await;
    let queue = app
        .assert_paged("/v1/foreign-visits/pending", &nodal_mha)
        .await;
    assert_eq!(ids(&json!({ "items": queue })), [first, second, third]);
    let own = app.assert_paged("/v1/foreign-visits/mine", &mha).await;
    assert_eq!(ids(&json!({ "items": own })), [third, first]);
    // A nodal officer never sees another ministry's request.
    app.get(&format!("/v1/foreign-visits/{other}"), &nodal_mha)
        .await
        .assert_problem(404, "not_found");
    app.post_json(
        &format!("/v1/foreign-visits/{other}/grant"),
        &nodal_mha,
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    // Decided requests leave the queue.
    crate::clearance_condition::clear_for_services(&app, IN_MHA).await;
    let r = app
        .post_json(
            &format!("/v1/foreign-visits/{first}/grant"),
            &nodal_mha,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        ids(&app.get("/v1/foreign-visits/pending", &nodal_mha).await.json),
        [second, third]
    );
    app.get("/v1/foreign-visits/pending", &mha)
        .await
        .assert_problem(403, "forbidden");
    app.get("/v1/foreign-visits/mine", &nodal_mha)
        .await
        .assert_problem(403, "forbidden");
    app.get("/v1/foreign-visits/999999", &app.dopt())
        .await
        .assert_problem(404, "not_found");
}
