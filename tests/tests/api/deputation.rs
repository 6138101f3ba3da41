//! DEP-1 and DEP-2: onboarding, advertisements, applications and the
//! clearance chain, through the one workflow mechanism.

use chrono::{NaiveDate, Utc};
use cscms_domain::deputation::{AdvertAction, AdvertState, DepState, ADVERTISEMENT, DEPUTATION};
use cscms_domain::principal::{scopes, Principal, Role};
use cscms_domain::workflow::Label;
use cscms_store::audit::Actor;
use cscms_store::deputation::AdvertContent;
use serde_json::{json, Value};

use crate::common::submitted;
use crate::common::{spawn, TestApp, IN_MHA, IN_MOF};
use crate::workflow_support::{
    audit_rows, check, days_from_today, expect, one_audit_row_per_step, today, Caller, Expect,
    REASON,
};

const NISA: &str = "MHA-NISA";
const CBIC: &str = "MOF-CBIC";

pub(crate) fn terms(last_date: NaiveDate, min_level: &str) -> Value {
    json!({
        "post": "Deputy Director (Administration)",
        "level": "10",
        "vacancies": 2,
        "place": "Hyderabad",
        "place_state": "Telangana",
        "tenure_years": 3,
        "eligibility": {"cadres": ["CSS", "CSSS"], "grades": [], "min_level": min_level, "min_years_in_grade": 2},
        "last_date": last_date,
        "documents_required": ["APARs of the last five years"]
    })
}

fn application() -> Value {
    json!({
        "documents": [{"name": "APARs of the last five years", "reference": "APAR/CSS/2021-2025"}],
        "remarks": "Willing to serve at Hyderabad"
    })
}

/// The nodal officer of `ministry` onboards `id` with its sub-nodal officer.
pub(crate) async fn onboard(app: &TestApp, ministry: &str, id: &str) -> String {
    let nodal = app.token(Role::NodalOfficer, Some(ministry));
    let r = app
        .post_json(
            &format!("/v1/organisations/{ministry}/sub-organisations"),
            &nodal,
            &json!({
                "id": id,
                "name": format!("Body {id}"),
                "kind": "autonomous_body",
                "state": "Telangana",
                "officer": {"sub": format!("sub-nodal.{id}"), "name": "Anil Kumar",
                            "designation": "Deputy Director (Admin)", "email": "dd@body.gov.in"}
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    app.token(Role::SubNodalOfficer, Some(id))
}

pub(crate) async fn publish(app: &TestApp, sub: &str, body: &Value) -> i64 {
    let r = app
        .post_json("/v1/deputation/advertisements", sub, body)
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

pub(crate) async fn apply(app: &TestApp, me: &str, advert: i64) -> Value {
    let r = app
        .post_json(
            &format!("/v1/deputation/advertisements/{advert}/applications"),
            me,
            &application(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

/// An advertisement stored directly, with a last date already past.
async fn lapsed_advert(app: &TestApp, org: &'static str) -> i64 {
    let who = Principal {
        sub: format!("sub-nodal.{org}"),
        role: Role::SubNodalOfficer,
        org: None,
        employee: None,
        scopes: vec![],
    };
    let past = today().pred_opt().unwrap();
    let (_, step) = ADVERTISEMENT
        .step(
            None,
            AdvertAction::Publish,
            &who,
            None,
            None,
            Utc::now().naive_utc(),
        )
        .unwrap();
    let content = AdvertContent {
        last_date: past,
        content: serde_json::from_value(terms(past, "7")).unwrap(),
    };
    app.db(move |c| {
        let actor = Actor {
            sub: who.sub.clone(),
            role: "sub_nodal_officer".into(),
            request_id: "test".into(),
        };
        cscms_store::deputation::publish(c, &actor, &org.parse().unwrap(), &content, &step)
    })
    .await
}

/// A fresh application of `me` brought to `state` along the table's path.
/// Every approved deputation's tenure as run: the approvals dated years
/// back, so that an officer approved before may be approved again (DEP-1).
async fn tenures_run(app: &TestApp) {
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE deputation_applications SET updated_at = '2000-01-01 00:00:00' WHERE state = 'approved'",
        )
    })
    .await;
}

async fn in_state(app: &TestApp, sub: &str, me: &str, state: DepState) -> (i64, i64) {
    let advert = publish(app, sub, &terms(days_from_today(20), "7")).await;
    let id = apply(app, me, advert).await["id"].as_i64().unwrap();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let dopt = app.dopt();
    for (action, role) in DEPUTATION.path_to(state).unwrap().into_iter().skip(1) {
        let token = match role {
            Role::Employee => me,
            Role::NodalOfficer => &nodal,
            Role::Dopt => &dopt,
            other => panic!("no token for {other}"),
        };
        tenures_run(app).await;
        let r = app
            .post_json(
                &format!("/v1/deputation/applications/{id}/{}", action.label()),
                token,
                &json!({"reason": REASON}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
    }
    (advert, id)
}

#[actix_web::test]
async fn every_application_transition_by_every_role() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    // Cleared, so forward and approve are decided by the table alone (VIG-2
    // is tested in clearance_condition.rs).
    crate::clearance_condition::clear_for_services(&app, IN_MHA).await;
    let sub = onboard(&app, "MHA", NISA).await;
    onboard(&app, "MOF", CBIC).await;
    let callers = [
        Caller::new(&app, "owner", Role::Employee, Some(IN_MHA)),
        Caller::new(&app, "other employee", Role::Employee, Some(IN_MOF)),
        Caller::new(&app, "nodal MHA", Role::NodalOfficer, Some("MHA")),
        Caller::new(&app, "nodal MOF", Role::NodalOfficer, Some("MOF")),
        Caller::new(&app, "borrower", Role::SubNodalOfficer, Some(NISA)),
        Caller::new(&app, "other sub-nodal", Role::SubNodalOfficer, Some(CBIC)),
        Caller::new(&app, "avd", Role::Avd, None),
        Caller::new(&app, "dopt", Role::Dopt, None),
        Caller::new(
            &app,
            "integration",
            Role::Integration,
            Some(scopes::EMPLOYEES_READ),
        ),
    ];
    // Whether a caller sees an application of IN_MHA to a NISA advertisement in `state`.
    let sees = |c: &Caller, state: DepState| match c.label {
        // The service record's scope (the integration client's) does not
        // reach deputation applications.
        "owner" | "nodal MHA" | "avd" | "dopt" => true,
        "borrower" => state == DepState::Approved,
        _ => false,
    };
    let mut touched = Vec::new();
    for &state in DEPUTATION.states {
        let (_, standing) = in_state(&app, &sub, &me, state).await;
        touched.push(standing);
        for &action in DEPUTATION.actions.iter().filter(|a| a.label() != "apply") {
            for caller in &callers {
                let case = format!(
                    "{} {} while {}",
                    caller.label,
                    action.label(),
                    state.label()
                );
                let e = expect(&DEPUTATION, state, action, caller.role);
                let id = match e {
                    Expect::Moves(_) if sees(caller, state) => {
                        in_state(&app, &sub, &me, state).await.1
                    }
                    _ => standing,
                };
                touched.push(id);
                let r = app
                    .post_json(
                        &format!("/v1/deputation/applications/{id}/{}", action.label()),
                        &caller.token,
                        &json!({"reason": REASON}),
                    )
                    .await;
                if sees(caller, state) {
                    check(&r, &e, state, &case);
                } else {
                    r.assert_problem(404, "not_found");
                }
            }
        }
        let r = app
            .get(&format!("/v1/deputation/applications/{standing}"), &me)
            .await;
        assert_eq!(r.json["state"], state.label(), "refusals changed nothing");
    }
    // Applying: employees only.
    let advert = publish(&app, &sub, &terms(days_from_today(20), "7")).await;
    for caller in callers.iter().filter(|c| c.role != Role::Employee) {
        let r = app
            .post_json(
                &format!("/v1/deputation/advertisements/{advert}/applications"),
                &caller.token,
                &application(),
            )
            .await;
        // Advertisements are scoped by their organisation (out of scope: 404).
        match caller.label {
            "nodal MOF" | "other sub-nodal" | "integration" => r.assert_problem(404, "not_found"),
            _ => r.assert_problem(403, "forbidden"),
        }
    }
    touched.sort_unstable();
    touched.dedup();
    for id in touched {
        let view = app
            .get(&format!("/v1/deputation/applications/{id}"), &me)
            .await
            .json;
        one_audit_row_per_step(&app, "deputation_application", &view).await;
    }
}

#[actix_web::test]
async fn every_advertisement_transition_by_every_role() {
    let app = spawn().await;
    let sub = onboard(&app, "MHA", NISA).await;
    onboard(&app, "MOF", CBIC).await;
    let callers = [
        (
            Caller::new(&app, "publisher", Role::SubNodalOfficer, Some(NISA)),
            true,
        ),
        (
            Caller::new(&app, "other sub-nodal", Role::SubNodalOfficer, Some(CBIC)),
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
            Caller::new(&app, "employee", Role::Employee, Some(IN_MHA)),
            true,
        ),
        (Caller::new(&app, "avd", Role::Avd, None), true),
        (Caller::new(&app, "dopt", Role::Dopt, None), true),
    ];
    let make = |state: AdvertState| {
        let (app, sub) = (&app, &sub);
        async move {
            match state {
                AdvertState::Lapsed => lapsed_advert(app, NISA).await,
                AdvertState::Open => publish(app, sub, &terms(days_from_today(20), "7")).await,
                AdvertState::Closed => {
                    let id = publish(app, sub, &terms(days_from_today(20), "7")).await;
                    let r = app
                        .post_json(
                            &format!("/v1/deputation/advertisements/{id}/close"),
                            sub,
                            &json!({}),
                        )
                        .await;
                    assert_eq!(r.status, 200, "{}", r.json);
                    id
                }
            }
        }
    };
    for &state in ADVERTISEMENT.states {
        let standing = make(state).await;
        for &action in ADVERTISEMENT
            .actions
            .iter()
            .filter(|a| a.label() != "publish")
        {
            for (caller, sees) in &callers {
                let case = format!(
                    "{} {} while {}",
                    caller.label,
                    action.label(),
                    state.label()
                );
                let e = expect(&ADVERTISEMENT, state, action, caller.role);
                let id = match e {
                    Expect::Moves(_) if *sees => make(state).await,
                    _ => standing,
                };
                let url = format!("/v1/deputation/advertisements/{id}");
                let r = match action {
                    AdvertAction::Amend => {
                        let mut body = terms(days_from_today(25), "7");
                        body["vacancies"] = json!(3);
                        app.put_json(&url, &caller.token, Some("\"1\""), &body)
                            .await
                    }
                    _ => {
                        app.post_json(&format!("{url}/close"), &caller.token, &json!({}))
                            .await
                    }
                };
                if *sees {
                    check(&r, &e, state, &case);
                } else {
                    r.assert_problem(404, "not_found");
                }
            }
        }
    }
    // Publishing: sub-nodal officers of onboarded organisations only.
    for (caller, _) in callers
        .iter()
        .filter(|(c, _)| c.role != Role::SubNodalOfficer)
    {
        app.post_json(
            "/v1/deputation/advertisements",
            &caller.token,
            &terms(today(), "7"),
        )
        .await
        .assert_problem(403, "forbidden");
    }
}

#[actix_web::test]
async fn onboarding_a_sub_organisation() {
    let app = spawn().await;
    onboard(&app, "MHA", NISA).await;
    let detail = app
        .get(&format!("/v1/organisations/{NISA}"), &app.dopt())
        .await;
    assert_eq!(detail.json["parent_id"], "MHA");
    assert_eq!(detail.json["officers"][0]["role"], "sub_nodal_officer");
    // Audited: the organisation and its officer.
    let r = app
        .get(
            "/v1/audit?entity=organisation&entity_id=MHA-NISA",
            &app.dopt(),
        )
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    let r = app.get("/v1/audit?entity=nodal_officer", &app.dopt()).await;
    assert_eq!(r.json["items"][0]["action"], "onboard");

    let body = |id: &str, kind: &str| {
        json!({"id": id, "name": "Some body", "kind": kind, "state": "Delhi",
               "officer": {"sub": format!("s.{id}"), "name": "Officer", "designation": "DD", "email": "dd@gov.in"}})
    };
    let url = "/v1/organisations/MHA/sub-organisations";
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    app.post_json(url, &nodal, &body(NISA, "psu"))
        .await
        .assert_problem(409, "already_exists");
    let r = app.post_json(url, &nodal, &body("MHA-X", "ministry")).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.kind");
    for token in [app.dopt(), app.token(Role::Employee, Some(IN_MHA))] {
        app.post_json(url, &token, &body("MHA-Y", "psu"))
            .await
            .assert_problem(403, "forbidden");
    }
    // Another ministry's nodal officer does not see MHA's record.
    app.post_json(
        url,
        &app.token(Role::NodalOfficer, Some("MOF")),
        &body("MHA-Z", "psu"),
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn advertisements_are_amended_with_history_and_closed() {
    let app = spawn().await;
    let sub = onboard(&app, "MHA", NISA).await;
    let r = app
        .post_json(
            "/v1/deputation/advertisements",
            &sub,
            &terms(days_from_today(20), "7"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(r.json["state"], "open");
    assert_eq!(r.json["ministry_id"], "MHA");
    let id = r.json["id"].as_i64().unwrap();
    let url = format!("/v1/deputation/advertisements/{id}");

    let mut amended = terms(days_from_today(30), "7");
    amended["vacancies"] = json!(4);
    app.put_json(&url, &sub, None, &amended)
        .await
        .assert_problem(428, "if_match_required");
    let r = app.put_json(&url, &sub, Some("\"1\""), &amended).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["version"], 2);
    assert_eq!(r.header("etag"), Some("\"2\""));
    app.put_json(&url, &sub, Some("\"1\""), &amended)
        .await
        .assert_problem(412, "stale_version");
    let r = app.get(&url, &sub).await;
    let history = r.json["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["terms"]["vacancies"], 2);
    assert_eq!(history[1]["terms"]["vacancies"], 4);
    assert_eq!(r.json["vacancies"], 4);

    let r = app
        .post_json(
            &format!("{url}/close"),
            &sub,
            &json!({"reason": "Filled by promotion"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "closed");
    // Closed with its terms unchanged: the ETag says so, and a copy read
    // while it was open is not answered 304.
    assert_eq!(r.header("etag"), Some("\"2-closed\""));
    let fresh = app
        .call(
            actix_web::test::TestRequest::get()
                .uri(&url)
                .insert_header(("Authorization", format!("Bearer {sub}")))
                .insert_header(("If-None-Match", "\"2\"")),
        )
        .await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.json["state"], "closed");
    let r = app.put_json(&url, &sub, Some("\"2\""), &amended).await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "closed");
    // Three steps, three audit rows.
    assert_eq!(
        audit_rows(&app, "deputation_advertisement", id).await.len(),
        3
    );

    // Every bad field of an advertisement in one answer.
    let mut bad = terms(today().pred_opt().unwrap(), "12");
    bad["place_state"] = json!("All India");
    bad["level"] = json!("10");
    bad["eligibility"]["grades"] = json!(["SO", "XX"]);
    bad["vacancies"] = json!(0);
    let r = app
        .post_json("/v1/deputation/advertisements", &sub, &bad)
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        [
            "body.eligibility.grades[1]",
            "body.eligibility.min_level",
            "body.last_date",
            "body.place_state",
            "body.vacancies"
        ]
    );
    // A State is one of India's States and UTs (MACP-9's same station is
    // judged by it): a city or a foreign state is not one.
    for not_a_state in ["New Delhi", "Texas", "Anywhere"] {
        let mut bad = terms(days_from_today(9), "7");
        bad["place_state"] = json!(not_a_state);
        let r = app
            .post_json("/v1/deputation/advertisements", &sub, &bad)
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), ["body.place_state"], "{not_a_state}");
    }
}

#[actix_web::test]
async fn applying_by_the_last_date_once_with_the_documents() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let sub = onboard(&app, "MHA", NISA).await;
    // The last date is today: still open.
    let open = publish(&app, &sub, &terms(today(), "7")).await;
    let v = apply(&app, &me, open).await;
    assert_eq!(v["state"], "submitted");
    assert_eq!(v["eligibility"]["eligible"], true);
    assert_eq!(v["clearance"]["purpose"], "deputation");
    // Fetched from the shared clearance: no status and no return on record.
    assert_eq!(v["steps"][0]["clearance"]["clearance"], "denied");
    // Once per advertisement.
    let url = |id: i64| format!("/v1/deputation/advertisements/{id}/applications");
    app.post_json(&url(open), &me, &application())
        .await
        .assert_problem(409, "already_applied");
    // After the last date.
    let past = lapsed_advert(&app, NISA).await;
    let r = app.post_json(&url(past), &me, &application()).await;
    r.assert_problem(409, "advertisement_not_open");
    assert!(r.json["detail"].as_str().unwrap().contains("lapsed"));
    // Closed.
    let closed = publish(&app, &sub, &terms(days_from_today(9), "7")).await;
    app.post_json(
        &format!("/v1/deputation/advertisements/{closed}/close"),
        &sub,
        &json!({}),
    )
    .await;
    app.post_json(&url(closed), &me, &application())
        .await
        .assert_problem(409, "advertisement_not_open");
    // A required document missing.
    let another = publish(&app, &sub, &terms(days_from_today(9), "7")).await;
    let r = app
        .post_json(&url(another), &me, &json!({"documents": []}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.documents");
    // The profile gate (PRF-1).
    let unsubmitted = app.token(Role::Employee, Some(IN_MOF));
    app.post_json(&url(another), &unsubmitted, &application())
        .await
        .assert_problem(409, "profile_not_submitted");
    app.post_json(&url(999_999), &me, &application())
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn dep_2_judges_the_substantive_post_not_the_macp_level() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    crate::clearance_condition::clear_for_services(&app, IN_MHA).await;
    // An SO (substantive level 8) drawing level 9 through MACP.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET pay_level = '9' WHERE code = 'CSS-000001'",
        )
    })
    .await;
    let sub = onboard(&app, "MHA", NISA).await;
    let needs_9 = publish(&app, &sub, &terms(days_from_today(9), "9")).await;
    let needs_8 = publish(&app, &sub, &terms(days_from_today(9), "8")).await;

    let r = app
        .post_json(
            &format!("/v1/deputation/advertisements/{needs_9}/applications"),
            &me,
            &application(),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let errors = r.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["field"], "eligibility.level");
    assert_eq!(errors[0]["code"], "not_eligible");
    assert!(errors[0]["message"].as_str().unwrap().starts_with("DEP-2"));

    // Browsing shows only what the employee is eligible for, unless asked.
    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let r = app.get("/v1/deputation/advertisements", &me).await;
    assert_eq!(ids(&r.json), [needs_8]);
    assert_eq!(r.json["items"][0]["eligibility_check"]["eligible"], true);
    let r = app
        .get("/v1/deputation/advertisements?include_ineligible=true", &me)
        .await;
    assert_eq!(ids(&r.json), [needs_8, needs_9]);
    // A page at a time, the choice kept from page to page; without it a
    // page may show fewer than it looked at, and the pages still end.
    app.assert_paged("/v1/deputation/advertisements?include_ineligible=true", &me)
        .await;
    let pages = app
        .follow("/v1/deputation/advertisements?limit=1", &me)
        .await;
    let shown: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(shown, [1, 0]);
    assert_eq!(pages[0][0]["id"], needs_8);
    let check = &r.json["items"][1]["eligibility_check"];
    assert_eq!(check["eligible"], false);
    assert_eq!(check["substantive_level"], "8");
    assert_eq!(check["pay_level"], "9");
    assert!(check["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["rule"] == "DEP-2" && x["text"].as_str().unwrap().contains("MACP")));

    // The employee's view carries their eligibility, which moves with their
    // record and not with the advertisement: its tag moves with it.
    let url = format!("/v1/deputation/advertisements/{needs_9}");
    let before = app.get(&url, &me).await;
    let tag = before.header("etag").unwrap().to_owned();
    assert!(tag.starts_with("\"1-e"), "{tag}");
    assert_eq!(before.json["eligibility_check"]["eligible"], false);
    let again = |tag: String| {
        app.call(
            actix_web::test::TestRequest::get()
                .uri(&url)
                .insert_header(("Authorization", format!("Bearer {me}")))
                .insert_header(("If-None-Match", tag)),
        )
    };
    assert_eq!(again(tag.clone()).await.status, 304);
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET grade = 'US', pay_level = '11' WHERE code = 'CSS-000001'",
        )
    })
    .await;
    let after = again(tag.clone()).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.json["eligibility_check"]["eligible"], true);
    assert_ne!(after.header("etag"), Some(tag.as_str()));
    // Others' views carry no eligibility and keep the plain version.
    assert_eq!(app.get(&url, &sub).await.header("etag"), Some("\"1\""));
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET grade = 'SO', pay_level = '9' WHERE code = 'CSS-000001'",
        )
    })
    .await;

    let v = apply(&app, &me, needs_8).await;
    assert_eq!(v["eligibility"]["substantive_level"], "8");
}

#[actix_web::test]
async fn the_chain_and_who_sees_what() {
    let app = spawn().await;
    let mha = submitted(&app, IN_MHA).await;
    let mof = submitted(&app, IN_MOF).await;
    for code in [IN_MHA, IN_MOF] {
        crate::clearance_condition::clear_for_services(&app, code).await;
    }
    let nisa = onboard(&app, "MHA", NISA).await;
    let cbic = onboard(&app, "MOF", CBIC).await;
    let to_nisa = publish(&app, &nisa, &terms(days_from_today(9), "7")).await;
    let to_cbic = publish(&app, &cbic, &terms(days_from_today(9), "7")).await;
    let a1 = apply(&app, &mha, to_nisa).await["id"].as_i64().unwrap();
    let a2 = apply(&app, &mha, to_cbic).await["id"].as_i64().unwrap();
    let a3 = apply(&app, &mof, to_nisa).await["id"].as_i64().unwrap();

    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let nodal_mha = app.token(Role::NodalOfficer, Some("MHA"));
    let nodal_mof = app.token(Role::NodalOfficer, Some("MOF"));
    let dopt = app.dopt();
    assert_eq!(
        ids(&app.get("/v1/deputation/applications/mine", &mha).await.json),
        [a2, a1]
    );
    app.assert_paged("/v1/deputation/applications/mine", &mha)
        .await;
    app.assert_paged("/v1/deputation/applications/pending-ministry", &nodal_mha)
        .await;
    assert_eq!(
        ids(&app
            .get("/v1/deputation/applications/pending-ministry", &nodal_mha)
            .await
            .json),
        [a1, a2]
    );
    assert_eq!(
        ids(&app
            .get("/v1/deputation/applications/pending-ministry", &nodal_mof)
            .await
            .json),
        [a3]
    );
    // A nodal officer never sees another ministry's applications.
    app.get(&format!("/v1/deputation/applications/{a3}"), &nodal_mha)
        .await
        .assert_problem(404, "not_found");
    app.post_json(
        &format!("/v1/deputation/applications/{a3}/forward"),
        &nodal_mha,
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    // Not yet visible to the borrowing organisation.
    app.get(&format!("/v1/deputation/applications/{a1}"), &nisa)
        .await
        .assert_problem(404, "not_found");

    for (id, nodal) in [(a1, &nodal_mha), (a2, &nodal_mha), (a3, &nodal_mof)] {
        let r = app
            .post_json(
                &format!("/v1/deputation/applications/{id}/forward"),
                nodal,
                &json!({}),
            )
            .await;
        assert_eq!(r.json["state"], "forwarded", "{}", r.json);
    }
    assert_eq!(
        ids(&app
            .get("/v1/deputation/applications/pending-dopt", &dopt)
            .await
            .json),
        [a1, a2, a3]
    );
    app.assert_paged("/v1/deputation/applications/pending-dopt", &dopt)
        .await;
    // Submitted at the same instant (to the nanosecond where the store
    // keeps it): by id, each once, a page at a time.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE deputation_applications SET submitted_at = '2026-01-01 00:00:00.123456789'",
        )
    })
    .await;
    let paged = app
        .assert_paged("/v1/deputation/applications/pending-dopt", &dopt)
        .await;
    assert_eq!(ids(&json!({ "items": paged })), [a1, a2, a3]);
    let newest = app
        .assert_paged("/v1/deputation/applications/mine", &mha)
        .await;
    assert_eq!(ids(&json!({ "items": newest })), [a2, a1]);
    app.assert_paged("/v1/deputation/advertisements", &dopt)
        .await;
    for id in [a1, a2, a3] {
        tenures_run(&app).await;
        let r = app
            .post_json(
                &format!("/v1/deputation/applications/{id}/approve"),
                &dopt,
                &json!({}),
            )
            .await;
        assert_eq!(r.json["state"], "approved", "{}", r.json);
    }
    // Each sub-nodal officer sees only applications to its own advertisements.
    let received = |t: String| {
        let app = &app;
        async move {
            ids(&app
                .get("/v1/deputation/applications/received", &t)
                .await
                .json)
        }
    };
    assert_eq!(received(nisa.clone()).await, [a1, a3]);
    app.assert_paged("/v1/deputation/applications/received", &nisa)
        .await;
    let to_own = app
        .assert_paged(
            &format!("/v1/deputation/applications/received?advertisement={to_nisa}"),
            &nisa,
        )
        .await;
    assert_eq!(ids(&json!({ "items": to_own })), [a1, a3]);
    assert_eq!(received(cbic.clone()).await, [a2]);
    let r = app
        .get(&format!("/v1/deputation/applications/{a1}"), &nisa)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["allowed_actions"], json!([]));
    app.get(&format!("/v1/deputation/applications/{a2}"), &nisa)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        ids(&app
            .get(
                &format!("/v1/deputation/applications/received?advertisement={to_cbic}"),
                &nisa
            )
            .await
            .json),
        Vec::<i64>::new()
    );
    // The chain's steps, each with its clearance, and one audit row each.
    let v = app
        .get(&format!("/v1/deputation/applications/{a1}"), &mha)
        .await
        .json;
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["apply", "forward", "approve"]);
    for s in v["steps"].as_array().unwrap() {
        assert_eq!(s["clearance"]["purpose"], "deputation");
    }
    one_audit_row_per_step(&app, "deputation_application", &v).await;
    // Withdrawing after the final decision is refused.
    let r = app
        .post_json(
            &format!("/v1/deputation/applications/{a1}/withdraw"),
            &mha,
            &json!({}),
        )
        .await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "approved");

    // The lists are each role's own.
    for (url, wrong) in [
        ("/v1/deputation/applications/mine", &nodal_mha),
        ("/v1/deputation/applications/pending-ministry", &dopt),
        ("/v1/deputation/applications/pending-dopt", &nodal_mha),
        ("/v1/deputation/applications/received", &mha),
    ] {
        app.get(url, wrong).await.assert_problem(403, "forbidden");
    }
    // Rejection needs a reason.
    let to_nisa2 = publish(&app, &nisa, &terms(days_from_today(9), "7")).await;
    let a4 = apply(&app, &mha, to_nisa2).await["id"].as_i64().unwrap();
    app.post_json(
        &format!("/v1/deputation/applications/{a4}/forward"),
        &nodal_mha,
        &json!({}),
    )
    .await;
    app.post_json(
        &format!("/v1/deputation/applications/{a4}/reject"),
        &dopt,
        &json!({}),
    )
    .await
    .assert_problem(422, "validation_failed");
}

/// DEP-1: no more approvals than the advertisement's vacancies, and none
/// for an officer on another deputation whose tenure has not run.
#[actix_web::test]
async fn approvals_fill_the_vacancies_once_and_one_deputation_at_a_time() {
    let app = spawn().await;
    let mut tokens = Vec::new();
    for code in [IN_MHA, crate::common::IN_NDMA] {
        tokens.push(submitted(&app, code).await);
        crate::clearance_condition::clear_for_services(&app, code).await;
    }
    let sub = onboard(&app, "MHA", NISA).await;
    let (dopt, nodal) = (app.dopt(), app.token(Role::NodalOfficer, Some("MHA")));
    let mut one_post = terms(days_from_today(9), "7");
    one_post["vacancies"] = json!(1);
    let forwarded = |advert: i64, me: String| {
        let (app, nodal) = (&app, &nodal);
        async move {
            let id = apply(app, &me, advert).await["id"].as_i64().unwrap();
            let r = app
                .post_json(
                    &format!("/v1/deputation/applications/{id}/forward"),
                    nodal,
                    &json!({}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.json);
            format!("/v1/deputation/applications/{id}/approve")
        }
    };
    let first = publish(&app, &sub, &one_post).await;
    let mha_first = forwarded(first, tokens[0].clone()).await;
    let ndma_first = forwarded(first, tokens[1].clone()).await;
    let r = app.post_json(&mha_first, &dopt, &json!({})).await;
    assert_eq!(r.json["state"], "approved", "{}", r.json);
    let approved = r.json.clone();
    let r = app.post_json(&ndma_first, &dopt, &json!({})).await;
    r.assert_problem(409, "vacancies_filled");
    // An amendment after the approval changes neither the post approved
    // nor the pay compared on its place: the application stands on the
    // version it was made against.
    let mut amended = one_post.clone();
    amended["level"] = json!("11");
    amended["place"] = json!("Mumbai");
    amended["place_state"] = json!("Maharashtra");
    let r = app
        .put_json(
            &format!("/v1/deputation/advertisements/{first}"),
            &sub,
            Some("\"1\""),
            &amended,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let now = app.get(&mha_first.replace("/approve", ""), &dopt).await;
    assert_eq!(
        (&now.json["level"], &now.json["advertisement_version"]),
        (&json!("10"), &json!(1)),
        "{}",
        now.json
    );
    assert_eq!(now.json["pay_options"], approved["pay_options"]);
    let second = publish(&app, &sub, &one_post).await;
    let mha_second = forwarded(second, tokens[0].clone()).await;
    let ndma_second = forwarded(second, tokens[1].clone()).await;
    let r = app.post_json(&mha_second, &dopt, &json!({})).await;
    r.assert_problem(409, "on_deputation");
    let r = app.post_json(&ndma_second, &dopt, &json!({})).await;
    assert_eq!(r.json["state"], "approved", "{}", r.json);
    // Refused approvals left their applications forwarded.
    let r = app.get(&mha_second.replace("/approve", ""), &dopt).await;
    assert_eq!(r.json["state"], "forwarded", "{}", r.json);
}

#[actix_web::test]
async fn macp_9_an_approved_deputation_shows_both_ways_of_drawing_pay() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    crate::clearance_condition::clear_for_services(&app, IN_MHA).await;
    // An SO (substantive level 8) drawing level 9, cell 3 (56300) through
    // MACP: the Level 8 pay it corresponds to is 53600 (Rule 13 from 53600
    // gives 56300).
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET pay_level = '9', pay_cell = 3 WHERE code = 'CSS-000001'",
        )
    })
    .await;
    let sub = onboard(&app, "MHA", NISA).await;
    let dopt = app.dopt();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let mut in_delhi = terms(days_from_today(9), "7");
    in_delhi["place"] = json!("New Delhi");
    // The State by its formal name: the same station as the officer's
    // "New Delhi, Delhi", and kept by its one spelling.
    in_delhi["place_state"] = json!("NCT of  Delhi");
    let mut pay = Vec::new();
    for body in [terms(days_from_today(9), "7"), in_delhi] {
        let advert = publish(&app, &sub, &body).await;
        let shown = app
            .get(&format!("/v1/deputation/advertisements/{advert}"), &sub)
            .await;
        assert!(
            ["Telangana", "Delhi"].contains(&shown.json["place_state"].as_str().unwrap()),
            "{}",
            shown.json
        );
        let id = apply(&app, &me, advert).await["id"].as_i64().unwrap();
        let url = |a: &str| format!("/v1/deputation/applications/{id}/{a}");
        let r = app.post_json(&url("forward"), &nodal, &json!({})).await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["pay_options"], Value::Null, "before approval");
        tenures_run(&app).await;
        let r = app.post_json(&url("approve"), &dopt, &json!({})).await;
        assert_eq!(r.status, 200, "{}", r.json);
        // Every caller who sees the approved application sees the same options.
        let seen = app
            .get(&format!("/v1/deputation/applications/{id}"), &sub)
            .await;
        assert_eq!(seen.json["pay_options"], r.json["pay_options"]);
        pay.push((id, r.json["pay_options"].clone()));
    }
    // The options were decided on approval: a later change of the pay held
    // leaves them as they were.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET pay_level = '10', pay_cell = 1 WHERE code = 'CSS-000001'",
        )
    })
    .await;
    for (id, decided) in &pay {
        let seen = app
            .get(&format!("/v1/deputation/applications/{id}"), &sub)
            .await;
        assert_eq!(&seen.json["pay_options"], decided, "{}", seen.json);
    }
    let pay: Vec<Value> = pay.into_iter().map(|(_, p)| p).collect();
    // Approved on a pay that cannot be decided on (a level below the
    // substantive grade's), none is decided; a pay corrected later does
    // not decide it as of a later day.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET pay_level = '7', pay_cell = 3 WHERE code = 'CSS-000001'",
        )
    })
    .await;
    let advert = publish(&app, &sub, &terms(days_from_today(9), "7")).await;
    let id = apply(&app, &me, advert).await["id"].as_i64().unwrap();
    let url = |a: &str| format!("/v1/deputation/applications/{id}/{a}");
    let r = app.post_json(&url("forward"), &nodal, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    tenures_run(&app).await;
    let r = app.post_json(&url("approve"), &dopt, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["pay_options"], Value::Null, "{}", r.json);
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE employees SET pay_level = '9', pay_cell = 3 WHERE code = 'CSS-000001'",
        )
    })
    .await;
    let seen = app
        .get(&format!("/v1/deputation/applications/{id}"), &sub)
        .await;
    assert_eq!(seen.json["pay_options"], Value::Null, "{}", seen.json);
    let [away, same] = &pay[..] else {
        unreachable!()
    };
    for p in [away, same] {
        assert_eq!(p["macp_upgrade_held"], true);
        assert_eq!(
            p["substantive"],
            json!({"level": "8", "cell": 5, "pay": 53600})
        );
        assert_eq!(p["macp"], json!({"level": "9", "cell": 3, "pay": 56300}));
        assert_eq!(p["under_macp"], 56300);
        assert_eq!(p["as_of"], today().to_string());
        let rules: Vec<&str> = p["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rule"].as_str().unwrap())
            .collect();
        assert!(
            rules.contains(&"MACP-9") && rules.contains(&"DEP-2"),
            "{rules:?}"
        );
        // The allowance cites the order of its rates, not the MACPS OM.
        let allowance = p["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["text"].as_str().unwrap().contains("allowance"))
            .unwrap();
        assert!(
            allowance["citation"]
                .as_str()
                .unwrap()
                .starts_with("DoPT OM No. 2/11/2017-Estt.(Pay-II) dated 24.11.2017"),
            "{allowance}"
        );
    }
    // Hyderabad from New Delhi: 10% of 53600 = 5360; 58960 beats 56300.
    assert_eq!(away["allowance"]["same_station"], false);
    assert_eq!(away["allowance"]["amount"], 5360);
    assert_eq!(away["with_allowance"], 58960);
    assert_eq!(away["better"], "substantive_pay_with_allowance");
    // New Delhi: 5% = 2680; 56280 is less than the MACP pay 56300.
    assert_eq!(same["allowance"]["same_station"], true);
    assert_eq!(same["allowance"]["amount"], 2680);
    assert_eq!(same["with_allowance"], 56280);
    assert_eq!(same["better"], "macp_pay");
}
