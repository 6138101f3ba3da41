//! TRN-1 (DELPGE) through the API: each category's units, the unit engine
//! on claims (10 units allowed, 11 refused; Masters once), one programme at
//! a time (and not past a programme's time limit), PSU and autonomous-body
//! employees refused, the PRF-1 gate, nodal approval, the
//! ledger, and the 50-seat race of 200 employees.

use std::rc::Rc;

use actix_web::test::{self, TestRequest};
use chrono::{Days, NaiveDate};
use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{
    employee, event, reply, spawn, spawn_with, submitted, TestApp, IN_MHA, IN_MOF, IN_NDMA,
};
use crate::workflow_support::{audit_rows, today};

fn in_days(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).unwrap()
}

pub async fn notify(app: &TestApp, category: &str, levels: &[&str]) -> i64 {
    let r = app
        .post_json(
            "/v1/delpge/programmes",
            &app.dopt(),
            &json!({"name": format!("Programme of category {category}"), "category": category,
                    "session": "July 2026", "eligible_levels": levels,
                    "complete_by": in_days(400), "minimum_grade": "D"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

/// An application to enrol, with the employment certificate it encloses
/// (DELPGE para 7(vi)).
pub fn application() -> Value {
    json!({"employment_certificate": {"reference": "A-12034/7/2026-Admn",
           "issued_by": "Under Secretary (Admn), Ministry of Home Affairs",
           "issued_on": today()}})
}

pub async fn enrol(app: &TestApp, me: &str, programme: i64) -> i64 {
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{programme}/enrol"),
            me,
            &application(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

fn claim_body(enrolment: i64, grade: &str) -> Value {
    json!({"enrolment_id": enrolment, "fee_paid": 12000,
           "receipt_reference": format!("IGNOU/RC-DEL/2026/{enrolment:06}"),
           "completed_on": today(), "grade": grade})
}

pub async fn claim(app: &TestApp, me: &str, enrolment: i64, grade: &str) -> Value {
    let r = app
        .post_json("/v1/delpge/claims", me, &claim_body(enrolment, grade))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

/// Enrols and claims in a new programme of `category`.
async fn complete(app: &TestApp, me: &str, category: &str) -> Value {
    let p = notify(app, category, &[]).await;
    let e = enrol(app, me, p).await;
    claim(app, me, e, "B").await
}

#[actix_web::test]
async fn each_category_counts_its_units() {
    let app = spawn().await;
    let (mut checked, mut last) = (0, 0);
    for (category, units) in [("A", 2), ("B", 8), ("C", 4), ("D", 1)] {
        let id = notify(&app, category, &[]).await;
        last = id;
        let r = app
            .get(&format!("/v1/delpge/programmes/{id}"), &app.dopt())
            .await;
        assert_eq!(r.json["units"], units, "{}", r.json);
        assert_eq!(r.json["seats"], 50);
        checked += 1;
    }
    assert_eq!(checked, 4);
    let r = app
        .get(
            "/v1/delpge/programmes",
            &app.token(Role::Employee, Some(IN_MHA)),
        )
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 4);
    let paged = app
        .assert_paged(
            "/v1/delpge/programmes",
            &app.token(Role::Employee, Some(IN_MHA)),
        )
        .await;
    assert_eq!(paged[0]["id"], last, "newest first");
    // Only DoPT notifies.
    let r = app
        .post_json(
            "/v1/delpge/programmes",
            &app.token(Role::NodalOfficer, Some("MHA")),
            &json!({"name": "X programme", "category": "A", "session": "July 2026",
                    "complete_by": in_days(30), "minimum_grade": "D"}),
        )
        .await;
    r.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn enrolment_one_at_a_time_behind_the_profile_gate() {
    let app = spawn().await;
    let p1 = notify(&app, "C", &[]).await;
    let p2 = notify(&app, "A", &[]).await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{p1}/enrol"),
            &me,
            &application(),
        )
        .await;
    r.assert_problem(409, "profile_not_submitted");
    submitted(&app, IN_MHA).await;
    // The application encloses the employment certificate (DELPGE para
    // 7(vi)): without it, or dated after today, nothing is taken.
    let path = format!("/v1/delpge/programmes/{p1}/enrol");
    let r = app.post_json(&path, &me, &json!({})).await;
    r.assert_problem(400, "invalid_body");
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("employment_certificate"));
    // Blanks are trimmed away before the length is checked.
    let mut blank = application();
    blank["employment_certificate"]["reference"] = json!("   ");
    let r = app.post_json(&path, &me, &blank).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.employment_certificate.reference"]);
    let mut later = application();
    later["employment_certificate"]["issued_on"] = json!(today().succ_opt().unwrap());
    let r = app.post_json(&path, &me, &later).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.employment_certificate.issued_on"]);
    let r = app.post_json(&path, &me, &application()).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        r.json["employment_certificate"],
        application()["employment_certificate"]
    );
    assert!(r.json["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["rule"] == "TRN-1"
            && x["text"].as_str().unwrap().contains("A-12034/7/2026-Admn")
            && x["text"].as_str().unwrap().contains("para 7(vi)")));
    let e1 = r.json["id"].as_i64().unwrap();
    let kept = app
        .db(move |c| cscms_store::delpge::enrolment(c, e1))
        .await
        .unwrap();
    assert_eq!(
        kept.certificate().map(|c| c.reference),
        Some("A-12034/7/2026-Admn".to_owned())
    );
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{p2}/enrol"),
            &me,
            &application(),
        )
        .await;
    r.assert_problem(409, "programme_open");
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .contains("one programme at a time"));
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{p1}/enrol"),
            &me,
            &application(),
        )
        .await;
    r.assert_problem(409, "already_enrolled");
    // Not notified for the level: refused.
    let narrow = notify(&app, "D", &["12"]).await;
    let other = submitted(&app, IN_MOF).await;
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{narrow}/enrol"),
            &other,
            &application(),
        )
        .await;
    r.assert_problem(409, "not_eligible");
    // Claiming closes the enrolment; the next programme opens.
    let c = claim(&app, &me, e1, "C").await;
    assert_eq!(c["state"], "submitted");
    assert_eq!(c["units"], 4);
    assert_eq!(c["amount"], 12000);
    assert!(c["decision"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["rule"] == "TRN-1"));
    let r = app
        .post_json("/v1/delpge/claims", &me, &claim_body(e1, "C"))
        .await;
    r.assert_problem(409, "already_claimed");
    // Once claimed, the same programme is not taken again.
    app.post_json(
        &format!("/v1/delpge/programmes/{p1}/enrol"),
        &me,
        &application(),
    )
    .await
    .assert_problem(409, "already_enrolled");
    enrol(&app, &me, p2).await;
    // Someone else's enrolment is unknown to the claimant.
    let r = app
        .post_json("/v1/delpge/claims", &other, &claim_body(e1, "C"))
        .await;
    r.assert_problem(422, "validation_failed");
}

/// Enrolment in `programme` is refused as `not_eligible`, saying `why`.
async fn refused_as_not_eligible(app: &TestApp, me: &str, programme: i64, why: &str) {
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{programme}/enrol"),
            me,
            &application(),
        )
        .await;
    r.assert_problem(409, "not_eligible");
    assert!(
        r.json["detail"].as_str().unwrap().contains(why),
        "{}",
        r.json
    );
}

#[actix_web::test]
async fn psu_employees_are_not_eligible() {
    let app = spawn().await;
    app.db(|c| {
        let actor = cscms_store::audit::Actor {
            sub: "fixture".into(),
            role: "dopt".into(),
            request_id: "f".into(),
        };
        cscms_store::organisations::create(
            c,
            &actor,
            cscms_store::organisations::NewOrg {
                id: "MOF-PSU".parse().unwrap(),
                name: "A Public Sector Undertaking".into(),
                kind: "psu".parse().unwrap(),
                parent_id: Some("MOF".parse().unwrap()),
                state: Some("Delhi".into()),
            },
        )?;
        let row = employee("CSS-000777", "Psu Officer", "CSS", "SO", "8", "MOF-PSU");
        let ev = [event(
            "CSS-000777",
            "appointment",
            NaiveDate::from_ymd_opt(2010, 7, 1).unwrap(),
            "SO",
            "8",
        )];
        cscms_store::employees::insert(c, &row, &ev)
    })
    .await;
    let p = notify(&app, "A", &[]).await;
    let me = submitted(&app, "CSS-000777").await;
    refused_as_not_eligible(&app, &me, p, "Public Sector Undertakings").await;
}

/// Para 2(i): "Central Employees (working in Ministries/Departments/Attached
/// offices)": an officer working in an autonomous body is not eligible.
#[actix_web::test]
async fn employees_of_an_autonomous_body_are_not_eligible() {
    let app = spawn().await;
    let p = notify(&app, "A", &[]).await;
    let me = submitted(&app, IN_NDMA).await;
    refused_as_not_eligible(&app, &me, p, "autonomous body").await;
    let r = app
        .get(&format!("/v1/delpge/programmes/{p}"), &app.dopt())
        .await;
    assert_eq!(r.json["seats_taken"], 0);
}

/// Para 7(ii) and 7(iv): once IGNOU's time limit of a programme has passed
/// unclaimed, nothing under it can be reimbursed: it no longer holds its
/// employee from another programme, and no one enrols in it.
#[actix_web::test]
async fn a_programme_past_its_time_limit_holds_no_one_and_takes_no_one() {
    let app = spawn().await;
    let p1 = notify(&app, "C", &[]).await;
    let p2 = notify(&app, "A", &[]).await;
    let me = submitted(&app, IN_MHA).await;
    let e1 = enrol(&app, &me, p1).await;
    let ledger = format!("/v1/employees/{IN_MHA}/delpge");
    assert_eq!(app.get(&ledger, &me).await.json["open_programme"], p1);
    // The day before the enrolment nothing held the employee.
    let before = format!("{ledger}?as_of={}", today().pred_opt().unwrap());
    assert_eq!(
        app.get(&before, &me).await.json["open_programme"],
        Value::Null
    );
    app.post_json(
        &format!("/v1/delpge/programmes/{p2}/enrol"),
        &me,
        &application(),
    )
    .await
    .assert_problem(409, "programme_open");

    let yesterday = today().pred_opt().unwrap();
    let sql = format!(
        "UPDATE delpge_programmes SET complete_by = '{}' WHERE id = {p1}",
        yesterday.format("%Y-%m-%d")
    );
    app.db(move |c| cscms_store::testing::execute(c, &sql))
        .await;

    assert_eq!(
        app.get(&ledger, &me).await.json["open_programme"],
        Value::Null
    );
    let other = submitted(&app, IN_MOF).await;
    let r = app
        .post_json(
            &format!("/v1/delpge/programmes/{p1}/enrol"),
            &other,
            &application(),
        )
        .await;
    r.assert_problem(409, "programme_closed");
    assert!(r.json["detail"].as_str().unwrap().contains("time limit"));
    enrol(&app, &me, p2).await;
    assert_eq!(app.get(&ledger, &me).await.json["open_programme"], p2);
    // A claim for the lapsed enrolment can still be filed; completed after
    // the time limit, it is not reimbursed.
    let late = claim(&app, &me, e1, "A").await;
    assert_eq!(late["state"], "not_admissible", "{late}");
    assert_eq!(late["amount"], 0);
}

#[actix_web::test]
async fn ten_units_in_the_block_and_not_eleven_and_masters_once() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    // Masters (8) and a certificate (2): exactly 10 units, both admissible.
    let masters = complete(&app, &me, "B").await;
    assert_eq!(masters["state"], "submitted", "{}", masters);
    let certificate = complete(&app, &me, "A").await;
    assert_eq!(certificate["state"], "submitted", "{}", certificate);
    assert_eq!(certificate["decision"]["units_in_block"], 8);
    // A module (1) would make 11: not admissible, nothing paid.
    let module = complete(&app, &me, "D").await;
    assert_eq!(module["state"], "not_admissible", "{}", module);
    assert_eq!(module["amount"], 0);
    let texts: Vec<&str> = module["decision"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("exceed 10 units")),
        "{texts:?}"
    );

    // A second Masters is refused (once in a career), whatever the block.
    let other = submitted(&app, IN_MOF).await;
    let first = complete(&app, &other, "B").await;
    assert_eq!(first["state"], "submitted");
    let second = complete(&app, &other, "B").await;
    assert_eq!(second["state"], "not_admissible");
    let texts: Vec<&str> = second["decision"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("once in a career")),
        "{texts:?}"
    );

    // Below the qualifying grade: not admissible.
    let p = notify(&app, "D", &[]).await;
    let e = enrol(&app, &other, p).await;
    let low = claim(&app, &other, e, "E").await;
    assert_eq!(low["state"], "not_admissible");

    // The ledger: 10 units counted, Masters used, nothing open.
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/delpge"), &me)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["units_in_block"], 10);
    assert_eq!(r.json["max_units"], 10);
    assert_eq!(r.json["masters_used"], true);
    assert_eq!(r.json["open_programme"], Value::Null);
    assert_eq!(r.json["lines"].as_array().unwrap().len(), 3);
    assert_eq!(r.json["as_of"], json!(today()));
    assert_eq!(r.json["reasons"][0]["rule"], "TRN-1");
    assert_eq!(
        r.json["reasons"][0]["citation"],
        cscms_domain::rules::TRN_1.citation
    );
    // As of yesterday nothing was completed yet; five years on, the block
    // has moved past them, and the Masters stays used.
    let as_of = |d: NaiveDate| format!("/v1/employees/{IN_MHA}/delpge?as_of={d}");
    let before = app.get(&as_of(today().pred_opt().unwrap()), &me).await;
    assert_eq!(before.json["units_in_block"], 0, "{}", before.json);
    assert_eq!(before.json["masters_used"], false);
    let on = |months| {
        today()
            .checked_add_months(chrono::Months::new(months))
            .unwrap()
    };
    assert_eq!(
        app.get(&as_of(on(59)), &me).await.json["units_in_block"],
        10
    );
    let after = app.get(&as_of(on(61)), &me).await;
    assert_eq!(after.json["units_in_block"], 0, "{}", after.json);
    assert_eq!(after.json["masters_used"], true);
}

#[actix_web::test]
async fn the_nodal_officer_approves_for_payment() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let c = complete(&app, &me, "C").await;
    let id = c["id"].as_i64().unwrap();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app.get("/v1/delpge/claims/pending", &nodal).await;
    assert_eq!(r.json["items"][0]["id"], id, "{}", r.json);
    // Not the employee, not another ministry's nodal officer, not DoPT.
    let path = format!("/v1/delpge/claims/{id}/approve");
    app.post_json(&path, &me, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    app.post_json(
        &path,
        &app.token(Role::NodalOfficer, Some("MOF")),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post_json(&path, &app.dopt(), &json!({}))
        .await
        .assert_problem(403, "forbidden");
    let r = app
        .post_json(
            &format!("/v1/delpge/claims/{id}/reject"),
            &nodal,
            &json!({}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app.get("/v1/delpge/claims/pending", &nodal).await;
    assert_eq!(
        r.json["items"][0]["allowed_actions"],
        json!(["approve", "reject"])
    );
    let r = app.post_json(&path, &nodal, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "approved");
    // The decision is a workflow step on the claim: who, in which role, from where.
    let steps = r.json["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{}", r.json);
    assert_eq!(steps[0]["action"], "approve");
    assert_eq!(steps[0]["from_state"], "submitted");
    assert_eq!(steps[0]["to_state"], "approved");
    assert_eq!(steps[0]["actor_role"], "nodal_officer");
    assert_eq!(steps[0]["clearance"], Value::Null);
    assert_eq!(r.json["decided_by"], steps[0]["actor_sub"]);
    assert_eq!(r.json["allowed_actions"], json!([]));
    app.post_json(&path, &nodal, &json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    // A rejection keeps its reason with the step.
    let c = complete(&app, &me, "A").await;
    let reject = format!("/v1/delpge/claims/{}/reject", c["id"]);
    let r = app
        .post_json(&reject, &nodal, &json!({"reason": "Receipt not attested"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "rejected");
    assert_eq!(r.json["reason"], "Receipt not attested");
    assert_eq!(r.json["steps"][0]["reason"], "Receipt not attested");
    assert_eq!(r.json["steps"][0]["action"], "reject");
    let rows = audit_rows(&app, "delpge_claim", id).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["approve", "claim"]);
    // AVD does not see training claims.
    app.get(
        &format!("/v1/delpge/claims/{id}"),
        &app.token(Role::Avd, None),
    )
    .await
    .assert_problem(404, "not_found");
    // The queue a page at a time, oldest first.
    let mut filed = Vec::new();
    for category in ["D", "A"] {
        let c = complete(&app, &me, category).await;
        assert_eq!(c["state"], "submitted", "{c}");
        filed.push(c["id"].clone());
    }
    let queue: Vec<Value> = app
        .assert_paged("/v1/delpge/claims/pending", &nodal)
        .await
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(queue, filed);
}

/// A claim refused because another claim's units counted is decided again
/// when that claim is rejected, in the same transaction; a claim refused on
/// its own grounds stays refused (TRN-1, para 7(v)).
#[actix_web::test]
async fn a_rejection_frees_the_units_of_the_claims_it_refused() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let diploma = complete(&app, &me, "C").await;
    assert_eq!(diploma["state"], "submitted", "{diploma}");
    // A Masters on top of the PG Diploma's 4 units would make 12.
    let masters = complete(&app, &me, "B").await;
    assert_eq!(masters["state"], "not_admissible", "{masters}");
    assert_eq!(masters["amount"], 0);
    // Below the qualifying grade: refused whatever else counts.
    let p = notify(&app, "D", &[]).await;
    let e = enrol(&app, &me, p).await;
    let low = claim(&app, &me, e, "E").await;
    assert_eq!(low["state"], "not_admissible", "{low}");

    let r = app
        .post_json(
            &format!("/v1/delpge/claims/{}/reject", diploma["id"]),
            &nodal,
            &json!({"reason": "Completion certificate not from IGNOU"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "rejected");

    let masters_id = masters["id"].as_i64().unwrap();
    let r = app
        .get(&format!("/v1/delpge/claims/{masters_id}"), &nodal)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "submitted", "{}", r.json);
    assert_eq!(r.json["amount"], 12000);
    assert_eq!(r.json["allowed_actions"], json!(["approve", "reject"]));
    let first = &r.json["decision"]["reasons"][0];
    assert_eq!(first["rule"], "TRN-1");
    let text = first["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("claim {} has been rejected", diploma["id"])),
        "{text}"
    );
    assert_eq!(r.json["decision"]["as_of"], json!(today()));
    let rows = audit_rows(&app, "delpge_claim", masters_id).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["decide_again", "claim"]);
    let r = app
        .get(&format!("/v1/delpge/claims/{}", low["id"]), &nodal)
        .await;
    assert_eq!(r.json["state"], "not_admissible", "{}", r.json);
    let r = app.get("/v1/delpge/claims/pending", &nodal).await;
    let pending: Vec<i64> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(pending, [masters_id], "{}", r.json);
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/delpge"), &me)
        .await;
    assert_eq!(r.json["units_in_block"], 8, "{}", r.json);
    assert_eq!(r.json["masters_used"], true);

    // Approving a claim decides nothing again.
    let other = submitted(&app, IN_MOF).await;
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    let first = complete(&app, &other, "B").await;
    let second = complete(&app, &other, "B").await;
    assert_eq!(second["state"], "not_admissible");
    let r = app
        .post_json(
            &format!("/v1/delpge/claims/{}/approve", first["id"]),
            &mof,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .get(&format!("/v1/delpge/claims/{}", second["id"]), &mof)
        .await;
    assert_eq!(r.json["state"], "not_admissible", "{}", r.json);
}

/// 200 employees try for the 50 seats at once: exactly 50 get one, the
/// rest are told the seats are full, nothing fails.
/// TRN-1 reimburses the fee paid: one IGNOU receipt once, whoever claims
/// it, until the claim holding it is rejected.
#[actix_web::test]
async fn one_fee_receipt_is_reimbursed_once() {
    let app = spawn().await;
    let mha = submitted(&app, IN_MHA).await;
    let mof = submitted(&app, crate::common::IN_MOF).await;
    let receipt = "IGNOU/RC-DEL/2026/777777";
    let body = |enrolment: i64| {
        let mut b = claim_body(enrolment, "B");
        b["receipt_reference"] = json!(receipt);
        b
    };
    let p = notify(&app, "C", &[]).await;
    let (e1, e2) = (enrol(&app, &mha, p).await, enrol(&app, &mof, p).await);
    let first = app.post_json("/v1/delpge/claims", &mha, &body(e1)).await;
    assert_eq!(first.status, 201, "{}", first.json);
    // The same receipt from another employee, with padding: refused.
    let mut padded = body(e2);
    padded["receipt_reference"] = json!(format!("  {receipt} "));
    let r = app.post_json("/v1/delpge/claims", &mof, &padded).await;
    r.assert_problem(409, "already_claimed");
    assert!(
        r.json["detail"].as_str().unwrap().contains(receipt),
        "{}",
        r.json
    );
    // Nothing of the refused claim stands: the enrolment is still open.
    let id = first.json["id"].as_i64().unwrap();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .post_json(
            &format!("/v1/delpge/claims/{id}/reject"),
            &nodal,
            &json!({"reason": "The receipt is of another candidate's fee"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Rejected, the receipt is free for the one who paid it.
    let r = app.post_json("/v1/delpge/claims", &mof, &body(e2)).await;
    assert_eq!(r.status, 201, "{}", r.json);
}

#[actix_web::test]
async fn fifty_seats_for_two_hundred_at_once() {
    let app = spawn_with(&[("CSCMS_DB_POOL_SIZE", "16")]).await;
    let codes: Vec<String> = (0..200).map(|i| format!("CSS-{:06}", 500 + i)).collect();
    let inserted = codes.clone();
    app.db(move |c| {
        for code in &inserted {
            let row = employee(code, "Race Officer", "CSS", "ASO", "7", "MHA");
            let ev = [event(
                code,
                "appointment",
                NaiveDate::from_ymd_opt(2015, 7, 1).unwrap(),
                "ASO",
                "7",
            )];
            cscms_store::employees::insert(c, &row, &ev)?;
        }
        Ok(())
    })
    .await;
    let mut tokens = Vec::new();
    for code in &codes {
        tokens.push(submitted(&app, code).await);
    }
    let p = notify(&app, "A", &[]).await;
    let svc = Rc::new(test::init_service(cscms_api::app(app.state.clone())).await);
    let handles: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let svc = Rc::clone(&svc);
            actix_web::rt::spawn(async move {
                let req = TestRequest::post()
                    .uri(&format!("/v1/delpge/programmes/{p}/enrol"))
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .set_json(application());
                reply(test::call_service(&*svc, req.to_request()).await).await
            })
        })
        .collect();
    let (mut won, mut full) = (0, 0);
    for h in handles {
        let r = h.await.unwrap();
        match (r.status.as_u16(), r.json["code"].as_str()) {
            (201, _) => won += 1,
            (409, Some("seats_full")) => full += 1,
            other => panic!("unexpected answer {other:?}: {}", r.json),
        }
    }
    assert_eq!((won, full), (50, 150));
    let r = app
        .get(&format!("/v1/delpge/programmes/{p}"), &app.dopt())
        .await;
    assert_eq!(r.json["seats_taken"], 50);
}

#[actix_web::test]
async fn a_programme_is_notified_for_real_levels_and_ministries() {
    // TRN-1 para 2: a level or ministry that is none would open the
    // programme to no one without a word.
    let app = spawn().await;
    let body = |levels: Value, ministries: Value| {
        json!({"name": "Post Graduate Diploma", "category": "C", "session": "July 2026",
               "eligible_levels": levels, "eligible_ministries": ministries,
               "complete_by": in_days(400), "minimum_grade": "D"})
    };
    let r = app
        .post_json(
            "/v1/delpge/programmes",
            &app.dopt(),
            &body(json!(["99", "foo"]), json!([])),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        ["body.eligible_levels[0]", "body.eligible_levels[1]"]
    );
    // MHA-NDMA is a body under a ministry; NOPE is nothing on record.
    let r = app
        .post_json(
            "/v1/delpge/programmes",
            &app.dopt(),
            &body(json!(["7"]), json!(["MHA", "NOPE", "MHA-NDMA"])),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        ["body.eligible_ministries[1]", "body.eligible_ministries[2]"]
    );
    // "Level 13a" is kept as employees' records spell it.
    let r = app
        .post_json(
            "/v1/delpge/programmes",
            &app.dopt(),
            &body(json!(["Level 13a", "7"]), json!(["MHA"])),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["eligible_levels"], json!(["13A", "7"]));
}
