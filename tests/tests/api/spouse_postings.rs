//! SPO-1: an employee's request to be posted with their spouse, through the
//! one workflow mechanism: specific reasons for a refusal (para 5), and the
//! representation heard one level above (para 6).

use cscms_domain::principal::{scopes, Role};
use cscms_domain::spouse_request::{SpoState, SPOUSE_POSTING};
use cscms_domain::workflow::Label;
use serde_json::{json, Value};

use crate::common::{spawn, submitted, TestApp, IN_MHA, IN_MOF, IN_NDMA};
use crate::workflow_support::{check, expect, one_audit_row_per_step, Caller, Expect};

/// A reason of substance (para 5), accepted for any step.
const SPECIFIC: &str =
    "No Section Officer post is vacant at Chennai: both sanctioned posts are filled till 2027";

/// A spouse in the same Central Service at another station: case (iii).
pub fn request() -> Value {
    json!({
        "spouse": {"kind": "central_service", "service": "CSS", "station": "Chennai", "years_at_station": 3},
        "years_at_station": 5,
        "youngest_child_age": 6
    })
}

pub(crate) async fn apply(app: &TestApp, token: &str) -> Value {
    let r = app
        .post_json("/v1/spouse-postings", token, &request())
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

fn url(id: i64, action: &str) -> String {
    format!("/v1/spouse-postings/{id}/{action}")
}

/// A request of `IN_MHA` brought to `state` along the table's own path.
async fn in_state(app: &TestApp, me: &str, state: SpoState) -> i64 {
    let id = apply(app, me).await["id"].as_i64().unwrap();
    let path = SPOUSE_POSTING.path_to(state).unwrap();
    for (action, role) in path.into_iter().skip(1) {
        let token = match role {
            Role::Employee => me.to_owned(),
            Role::NodalOfficer => app.token(Role::NodalOfficer, Some("MHA")),
            Role::Dopt => app.dopt(),
            other => panic!("no token for {other}"),
        };
        let r = app
            .post_json(
                &url(id, action.label()),
                &token,
                &json!({"reason": SPECIFIC}),
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
        // Not vigilance's business.
        (Caller::new(&app, "avd", Role::Avd, None), false),
        (Caller::new(&app, "dopt", Role::Dopt, None), true),
        (
            Caller::new(
                &app,
                "integration",
                Role::Integration,
                Some(scopes::EMPLOYEES_READ),
            ),
            false,
        ),
    ];
    let mut touched = Vec::new();
    let mut tried = 0;
    for &state in SPOUSE_POSTING.states {
        let standing = in_state(&app, &me, state).await;
        touched.push(standing);
        for &action in SPOUSE_POSTING
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
                let e = expect(&SPOUSE_POSTING, state, action, caller.role);
                let id = match e {
                    Expect::Moves(_) if *sees => in_state(&app, &me, state).await,
                    _ => standing,
                };
                touched.push(id);
                let r = app
                    .post_json(
                        &url(id, action.label()),
                        &caller.token,
                        &json!({"reason": SPECIFIC}),
                    )
                    .await;
                if *sees {
                    check(&r, &e, state, &case);
                } else {
                    r.assert_problem(404, "not_found");
                }
                tried += 1;
            }
        }
        let r = app
            .get(&format!("/v1/spouse-postings/{standing}"), &me)
            .await;
        assert_eq!(r.json["state"], state.label(), "refusals changed nothing");
    }
    assert_eq!(tried, 7 * 6 * callers.len());
    for (caller, _) in &callers {
        let r = app
            .post_json("/v1/spouse-postings", &caller.token, &request())
            .await;
        match caller.label {
            "owner" => assert_eq!(r.status, 201, "{}", r.json),
            // The other employee passes the role but not the profile gate (PRF-1).
            "other employee" => r.assert_problem(409, "profile_not_submitted"),
            _ => r.assert_problem(403, "forbidden"),
        }
    }
    touched.sort_unstable();
    touched.dedup();
    for id in touched {
        let view = app
            .get(&format!("/v1/spouse-postings/{id}"), &me)
            .await
            .json;
        one_audit_row_per_step(&app, "spouse_posting", &view).await;
    }
}

#[actix_web::test]
async fn filing_is_classified_and_the_decision_stored() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    // PRF-1 first.
    let r = app.post_json("/v1/spouse-postings", &me, &request()).await;
    r.assert_problem(409, "profile_not_submitted");
    assert!(r.json["detail"].as_str().unwrap().contains("PRF-1"));
    let me = submitted(&app, IN_MHA).await;

    let v = apply(&app, &me).await;
    assert_eq!(v["state"], "submitted");
    assert_eq!(v["case"], "iii", "both in CSS: para 4(iii)");
    assert_eq!(v["mandatory"], true, "para 2: same Central Service");
    assert_eq!(v["representation_to"], Value::Null);
    assert_eq!(v["allowed_actions"], json!(["withdraw"]));
    assert_eq!(v["spouse"]["station"], "Chennai");
    let d = &v["decision"];
    assert_eq!(d["case"], "iii");
    assert_eq!(d["as_of"], crate::workflow_support::today().to_string());
    assert_eq!(
        d["steps"][0]["authority"],
        "the cadre controlling authority of CSS"
    );
    let reasons = d["reasons"].as_array().unwrap();
    assert!(reasons.iter().all(|r| r["rule"] == "SPO-1"));
    assert!(reasons
        .iter()
        .any(|r| r["text"].as_str().unwrap().contains("youngest child is 6")));
    assert_eq!(v["steps"][0]["action"], "apply");

    // The same department as the employee's ministry: para 4(viii) governs.
    let mut same = request();
    same["spouse"] = json!({"kind": "central_service", "service": "CSSS", "department": "ministry of home affairs", "station": "Kolkata"});
    let r = app.post_json("/v1/spouse-postings", &me, &same).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        (r.json["case"].as_str(), r.json["mandatory"].as_bool()),
        (Some("viii"), Some(true))
    );
    assert_eq!(r.json["decision"]["also"], json!(["iv"]));
    // A State Government spouse: para 4(vii), not mandatory.
    let mut state = request();
    state["spouse"] =
        json!({"kind": "state_government", "service": "Kerala", "station": "Thiruvananthapuram"});
    let r = app.post_json("/v1/spouse-postings", &me, &state).await;
    assert_eq!(
        (r.json["case"].as_str(), r.json["mandatory"].as_bool()),
        (Some("vii"), Some(false))
    );

    // No case of para 4 for a husband outside Government; already together.
    let mut none = request();
    none["spouse"] = json!({"kind": "not_in_government", "service": "private", "station": "Pune"});
    // IN_MHA is recorded female: only the wife in Government service is case (viii).
    let r = app.post_json("/v1/spouse-postings", &me, &none).await;
    assert_eq!(r.json["case"], "viii", "{}", r.json);
    let mut together = request();
    together["spouse"]["station"] = json!("new delhi");
    let r = app.post_json("/v1/spouse-postings", &me, &together).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.spouse.station");
    let mut bad = request();
    bad["spouse"]["kind"] = json!("private_sector");
    app.post_json("/v1/spouse-postings", &me, &bad)
        .await
        .assert_problem(400, "invalid_body");
    bad = request();
    bad["spouse"]["station"] = json!("X");
    bad["youngest_child_age"] = json!(99);
    let r = app.post_json("/v1/spouse-postings", &me, &bad).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(fields, ["body.spouse.station", "body.youngest_child_age"]);
}

#[actix_web::test]
async fn a_husband_outside_government_has_no_case() {
    let app = spawn().await;
    // IN_MOF recorded male: para 4 has no case for him and a private-sector wife.
    app.db(|c| {
        use cscms_store::schema::employees;
        use diesel::prelude::*;
        diesel::update(employees::table.find(IN_MOF))
            .set(employees::gender.eq("male"))
            .execute(c)?;
        Ok(())
    })
    .await;
    let me = submitted(&app, IN_MOF).await;
    let mut none = request();
    none["spouse"] = json!({"kind": "not_in_government", "service": "private", "station": "Pune"});
    let r = app.post_json("/v1/spouse-postings", &me, &none).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.spouse.kind");
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("SPO-1"));
}

#[actix_web::test]
async fn a_refusal_needs_specific_reasons_and_the_representation_goes_one_level_up() {
    let app = spawn().await;
    let me = submitted(&app, IN_NDMA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let dopt = app.dopt();
    let id = apply(&app, &me).await["id"].as_i64().unwrap();

    // Para 5: no reason, or stock phrases, are refused with a stable code.
    for body in [
        json!({}),
        json!({"reason": "Administrative reasons"}),
        json!({"reason": "Not feasible due to administrative exigencies"}),
    ] {
        let r = app.post_json(&url(id, "refuse"), &nodal, &body).await;
        r.assert_problem(422, "specific_reasons_required");
        assert!(
            r.json["detail"].as_str().unwrap().contains("para 5"),
            "{}",
            r.json
        );
    }
    // A body's sub-nodal officer is no deciding authority, and sees nothing.
    app.post_json(
        &url(id, "refuse"),
        &app.token(Role::SubNodalOfficer, Some("MHA-NDMA")),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    // DoPT may not decide the request itself: it hears the representation.
    app.post_json(&url(id, "refuse"), &dopt, &json!({"reason": SPECIFIC}))
        .await
        .assert_problem(403, "forbidden");
    let r = app
        .post_json(&url(id, "refuse"), &nodal, &json!({"reason": SPECIFIC}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "refused");
    assert_eq!(r.json["steps"][1]["reason"], SPECIFIC);
    assert_eq!(
        r.json["representation_to"], "dopt",
        "one level above the nodal officer"
    );
    assert_eq!(
        r.json["allowed_actions"],
        json!([]),
        "the nodal officer is done"
    );
    let mine = app.get(&format!("/v1/spouse-postings/{id}"), &me).await;
    assert_eq!(mine.json["allowed_actions"], json!(["represent"]));

    // Para 6: the employee represents, with what was not adhered to.
    app.post_json(&url(id, "represent"), &me, &json!({}))
        .await
        .assert_problem(422, "validation_failed");
    let r = app
        .post_json(
            &url(id, "represent"),
            &me,
            &json!({"reason": "Two SO posts fall vacant at Chennai in March"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "represented");
    // The refusing authority does not hear the complaint against itself.
    app.post_json(&url(id, "allow"), &nodal, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&app.get("/v1/spouse-postings/pending", &dopt).await.json),
        [id]
    );
    assert!(ids(&app.get("/v1/spouse-postings/pending", &nodal).await.json).is_empty());
    let queue = app.get("/v1/spouse-postings/pending", &dopt).await.json;
    assert_eq!(queue["items"][0]["representation_to"], "dopt");
    assert_eq!(queue["items"][0]["state"], "represented");
    // Dismissal too needs specific reasons.
    app.post_json(
        &url(id, "dismiss"),
        &dopt,
        &json!({"reason": "Administrative reasons"}),
    )
    .await
    .assert_problem(422, "specific_reasons_required");
    let r = app.post_json(&url(id, "allow"), &dopt, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "representation_allowed");
    assert_eq!(r.json["steps"][3]["actor_role"], "dopt");
    one_audit_row_per_step(&app, "spouse_posting", &r.json).await;

    // Every step is a change in the feed, which the ministry's nodal officer reads.
    // (On PostgreSQL the feed serves a change once older transactions end.)
    crate::changes::settle(&app).await;
    let feed = app
        .get("/v1/changes?types=spouse_posting&limit=100", &nodal)
        .await;
    assert_eq!(feed.status, 200, "{}", feed.json);
    let actions: Vec<&str> = feed.json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "spouse_posting.apply",
            "spouse_posting.refuse",
            "spouse_posting.represent",
            "spouse_posting.allow"
        ]
    );
    let other = app
        .get(
            "/v1/changes?types=spouse_posting&limit=100",
            &app.token(Role::NodalOfficer, Some("MOF")),
        )
        .await;
    assert_eq!(other.json["changes"], json!([]));
}

#[actix_web::test]
async fn lists_and_scope() {
    let app = spawn().await;
    let mha = submitted(&app, IN_MHA).await;
    let ndma = submitted(&app, IN_NDMA).await;
    let mof = submitted(&app, IN_MOF).await;
    let first = apply(&app, &mha).await["id"].as_i64().unwrap();
    let second = apply(&app, &ndma).await["id"].as_i64().unwrap();
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
    assert_eq!(
        ids(&app
            .get("/v1/spouse-postings/pending", &nodal_mha)
            .await
            .json),
        [first, second]
    );
    let nodal_mof = app.token(Role::NodalOfficer, Some("MOF"));
    assert_eq!(
        ids(&app
            .get("/v1/spouse-postings/pending", &nodal_mof)
            .await
            .json),
        [other]
    );
    assert_eq!(
        ids(&app.get("/v1/spouse-postings/mine", &mha).await.json),
        [first]
    );
    for (token, id) in [(&mha, second), (&nodal_mha, other)] {
        app.get(&format!("/v1/spouse-postings/{id}"), token)
            .await
            .assert_problem(404, "not_found");
    }
    app.get(
        &format!("/v1/spouse-postings/{first}"),
        &app.token(Role::Avd, None),
    )
    .await
    .assert_problem(404, "not_found");
    app.get("/v1/spouse-postings/pending", &mha)
        .await
        .assert_problem(403, "forbidden");
    app.get("/v1/spouse-postings/mine", &nodal_mha)
        .await
        .assert_problem(403, "forbidden");
    let r = app
        .post_json(&url(first, "grant"), &nodal_mha, &json!({}))
        .await;
    assert_eq!(r.json["state"], "granted", "{}", r.json);
    assert_eq!(
        ids(&app
            .get("/v1/spouse-postings/pending", &nodal_mha)
            .await
            .json),
        [second]
    );
}
