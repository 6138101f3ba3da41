//! SPO-1: an employee's request to be posted with their spouse, through the
//! one workflow mechanism: specific reasons for a refusal (para 5), and the
//! representation heard one level above (para 6).

use cscms_domain::principal::{scopes, Role};
use cscms_domain::spouse_request::{SpoState, SPOUSE_POSTING};
use cscms_domain::workflow::Label;
use serde_json::{json, Value};

use std::rc::Rc;

use actix_web::test::{self, TestRequest};

use crate::common::{
    employee, event, reply, spawn, spawn_with, submitted, TestApp, IN_MHA, IN_MOF, IN_NDMA,
};
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

/// Withdraws request `id` as its employee `me`: an employee has one open
/// request at a time, so the next is filed once this one is closed.
async fn withdraw(app: &TestApp, me: &str, id: &Value) {
    let id = id.as_i64().unwrap();
    let r = app.post_json(&url(id, "withdraw"), me, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
}

/// The token of employee `n` of further ones of the Ministry of Home
/// Affairs, on record with a submitted profile (PRF-1).
async fn colleague(app: &TestApp, n: u32) -> String {
    let code = format!("CSS-{:06}", 800 + n);
    let key = code.clone();
    app.db(move |c| {
        let row = employee(&key, "Colleague Officer", "CSS", "SO", "8", "MHA");
        let on = chrono::NaiveDate::from_ymd_opt(2010, 7, 1).unwrap();
        cscms_store::employees::insert(c, &row, &[event(&key, "appointment", on, "SO", "8")])
    })
    .await;
    submitted(app, &code).await
}

/// A request of a new employee `n` of MHA brought to `state` along the
/// table's own path; its id and the employee's token. Each its own
/// employee's: one employee has one open request at a time.
async fn in_state(app: &TestApp, n: u32, state: SpoState) -> (i64, String) {
    let me = colleague(app, n).await;
    let me = me.as_str();
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
    (id, me.to_owned())
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
    // Each request is its own employee's, of MHA: "owner" is whoever filed it.
    let mut staff = 0;
    for &state in SPOUSE_POSTING.states {
        staff += 1;
        let (standing, standing_owner) = in_state(&app, staff, state).await;
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
                let (id, owner) = match e {
                    Expect::Moves(_) if *sees => {
                        staff += 1;
                        in_state(&app, staff, state).await
                    }
                    _ => (standing, standing_owner.clone()),
                };
                touched.push(id);
                let token = if caller.label == "owner" {
                    &owner
                } else {
                    &caller.token
                };
                let r = app
                    .post_json(
                        &url(id, action.label()),
                        token,
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
            .get(&format!("/v1/spouse-postings/{standing}"), &standing_owner)
            .await;
        assert_eq!(r.json["state"], state.label(), "refusals changed nothing");
    }
    assert_eq!(tried, 7 * 6 * callers.len());
    // Every move of the table was taken, each on a request of its own.
    assert_eq!(staff, 7 + 6);
    for (caller, _) in &callers {
        let r = app
            .post_json("/v1/spouse-postings", &caller.token, &request())
            .await;
        match caller.label {
            "owner" => {
                assert_eq!(r.status, 201, "{}", r.json);
                // One open request at a time (SPO-1).
                app.post_json("/v1/spouse-postings", &me, &request())
                    .await
                    .assert_problem(409, "spouse_posting_open");
            }
            // The other employee passes the role but not the profile gate (PRF-1).
            "other employee" => r.assert_problem(409, "profile_not_submitted"),
            _ => r.assert_problem(403, "forbidden"),
        }
    }
    touched.sort_unstable();
    touched.dedup();
    let dopt = app.dopt();
    for id in touched {
        let view = app
            .get(&format!("/v1/spouse-postings/{id}"), &dopt)
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
    // One open request at a time: each next one is filed once this is withdrawn.
    withdraw(&app, &me, &v["id"]).await;

    // The same department as the employee's ministry: para 4(viii) governs.
    let mut same = request();
    same["spouse"] = json!({"kind": "central_service", "service": "CSSS", "department": "ministry of home affairs", "station": "Kolkata"});
    let r = app.post_json("/v1/spouse-postings", &me, &same).await;
    assert_eq!(r.status, 201, "{}", r.json);
    withdraw(&app, &me, &r.json["id"]).await;
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
    withdraw(&app, &me, &r.json["id"]).await;

    // A PSU spouse applies first (para 4(vi)): the employee files once the
    // PSU has not acceded for want of a post, naming its order.
    let mut psu = request();
    psu["spouse"] = json!({"kind": "psu", "service": "ONGC", "station": "Dehradun"});
    let r = app.post_json("/v1/spouse-postings", &me, &psu).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.spouse_refused"]);
    psu["spouse_refused"] = json!("ONGC/HR/44/2026 dated 01.10.2026");
    let r = app.post_json("/v1/spouse-postings", &me, &psu).await;
    assert_eq!(r.json["case"], "vi", "{}", r.json);
    assert!(r.json["decision"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["text"].as_str().unwrap().contains("ONGC/HR/44/2026")));
    withdraw(&app, &me, &r.json["id"]).await;

    // No case of para 4 for a husband outside Government; already together.
    let mut none = request();
    none["spouse"] = json!({"kind": "not_in_government", "service": "private", "station": "Pune"});
    // IN_MHA is recorded female: only the wife in Government service is case (viii).
    let r = app.post_json("/v1/spouse-postings", &me, &none).await;
    assert_eq!(r.json["case"], "viii", "{}", r.json);
    withdraw(&app, &me, &r.json["id"]).await;
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
    // Para 2: the same Central Service (case (iii)) must be posted together
    // where a post is available: specific reasons that name no want of a
    // post do not excuse it.
    let r = app
        .post_json(
            &url(id, "refuse"),
            &nodal,
            &json!({"reason": "Officer is handling pending cadre review work of the division"}),
        )
        .await;
    r.assert_problem(422, "specific_reasons_required");
    assert!(r.json["detail"].as_str().unwrap().contains("para 2"));
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
    app.assert_paged("/v1/spouse-postings/pending", &nodal_mha)
        .await;
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

/// SPO-1: one open request per employee. A second filing while one awaits
/// a decision is 409 `spouse_posting_open`; a refused request is decided
/// (another may be filed), but is not represented against while another is
/// open; a withdrawn, granted or dismissed one closes the matter.
#[actix_web::test]
async fn one_open_request_at_a_time() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let dopt = app.dopt();
    let body = request();
    let file = || app.post_json("/v1/spouse-postings", &me, &body);
    let id = |v: &Value| v["id"].as_i64().unwrap();
    let step = |id: i64, action: &'static str, token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.post_json(&url(id, action), &token, &json!({"reason": SPECIFIC}))
                .await
        }
    };
    let refused_again = |r: crate::common::Reply, open: i64| {
        r.assert_problem(409, "spouse_posting_open");
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap()
                .contains(&open.to_string()),
            "{}",
            r.json
        );
    };

    let first = id(&apply(&app, &me).await);
    refused_again(file().await, first);
    let mine = app.get("/v1/spouse-postings/mine", &me).await;
    assert_eq!(
        mine.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        mine.json
    );
    // Withdrawn: closed; another may be filed.
    assert_eq!(step(first, "withdraw", &me).await.status, 200);
    let second = id(&apply(&app, &me).await);
    // Refused: decided, not open; a fresh request may be filed ...
    assert_eq!(
        step(second, "refuse", &nodal).await.json["state"],
        "refused"
    );
    let third = id(&apply(&app, &me).await);
    refused_again(file().await, third);
    // ... but the refusal is not represented against while it is open.
    refused_again(step(second, "represent", &me).await, third);
    let r = app.get(&format!("/v1/spouse-postings/{second}"), &me).await;
    assert_eq!(r.json["state"], "refused", "{}", r.json);
    // Granted: closed; now the representation opens the refused one again.
    assert_eq!(step(third, "grant", &nodal).await.json["state"], "granted");
    assert_eq!(
        step(second, "represent", &me).await.json["state"],
        "represented"
    );
    refused_again(file().await, second);
    // Dismissed: closed.
    let r = step(second, "dismiss", &dopt).await;
    assert_eq!(r.json["state"], "representation_dismissed", "{}", r.json);
    apply(&app, &me).await;
    // Another employee's requests are their own.
    let other = submitted(&app, IN_NDMA).await;
    apply(&app, &other).await;
}

/// Several filings by one employee at once: exactly one is filed, every
/// other is 409 `spouse_posting_open`, none fails.
#[actix_web::test]
async fn filings_at_once_file_one_request() {
    let app = spawn_with(&[("CSCMS_DB_POOL_SIZE", "8")]).await;
    let me = submitted(&app, IN_MHA).await;
    let svc = Rc::new(test::init_service(cscms_api::app(app.state.clone())).await);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let svc = Rc::clone(&svc);
            let me = me.clone();
            actix_web::rt::spawn(async move {
                let req = TestRequest::post()
                    .uri("/v1/spouse-postings")
                    .insert_header(("Authorization", format!("Bearer {me}")))
                    .set_json(request());
                reply(test::call_service(&*svc, req.to_request()).await).await
            })
        })
        .collect();
    let (mut filed, mut open) = (0, 0);
    for h in handles {
        let r = h.await.unwrap();
        match (r.status.as_u16(), r.json["code"].as_str()) {
            (201, _) => filed += 1,
            (409, Some("spouse_posting_open")) => open += 1,
            other => panic!("unexpected answer {other:?}: {}", r.json),
        }
    }
    assert_eq!((filed, open), (1, 7));
    let mine = app.get("/v1/spouse-postings/mine", &me).await;
    assert_eq!(
        mine.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        mine.json
    );
}
