//! EXG-1 through the API: the stateless rule for the three dates the orders
//! turn on, and DoPT's register of cases.

use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{spawn, TestApp, IN_MHA};
use crate::workflow_support::audit_rows;

fn question(death: &str, amounts: Value) -> Value {
    json!({"date_of_death": death, "amounts": amounts, "as_of": "2026-01-01"})
}

/// The reasons' texts of a decision, each checked to be EXG-1's and to
/// cite the order the decision names as in force for the case.
fn exg_1(decision: &Value) -> Vec<String> {
    let reasons = decision["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    reasons
        .iter()
        .map(|r| {
            assert_eq!(r["rule"], "EXG-1", "{r}");
            assert_eq!(r["citation"], decision["order"], "{r}");
            r["text"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[actix_web::test]
async fn the_ceiling_turns_on_the_first_of_january_2006() {
    let app = spawn().await;
    let t = app.token(Role::Employee, Some(IN_MHA));
    let one = json!([{"source": "central_government", "amount": 1000000}]);

    // 31.12.2005: the 1998 order governs, and it is not in the seeds.
    let r = app
        .post_json(
            "/v1/rules/ex-gratia/evaluate",
            &t,
            &question("2005-12-31", one.clone()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["as_of"], "2026-01-01");
    assert_eq!(r.json["regime"], "order_1998");
    assert_eq!(r.json["determined"], false);
    assert_eq!(r.json["admissible"], Value::Null);
    assert!(r.json["order"].as_str().unwrap().contains("11.09.1998"));
    assert!(exg_1(&r.json)[0].contains("this system does not hold"));

    // 01.01.2006: no ceiling.
    let r = app
        .post_json(
            "/v1/rules/ex-gratia/evaluate",
            &t,
            &question("2006-01-01", one),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["regime"], "no_ceiling");
    assert_eq!(r.json["admissible"], 1000000);
    assert!(r.json["order"].as_str().unwrap().contains("12.07.2010"));

    // 2009, Rs 25 lakh from three sources: the Rs 20 lakh ceiling of
    // 16.03.2009 was withdrawn with effect from 01.01.2006.
    let three = json!([
        {"source": "central_government", "amount": 1500000},
        {"source": "pm_relief_fund", "amount": 700000},
        {"source": "cm_relief_fund", "description": "Chief Minister's Relief Fund, Kerala", "amount": 300000}
    ]);
    let r = app
        .post_json(
            "/v1/rules/ex-gratia/evaluate",
            &t,
            &question("2009-08-20", three),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["total"], 2500000);
    assert_eq!(r.json["admissible"], 2500000);
    assert_eq!(r.json["ceiling"], Value::Null);
    let texts = exg_1(&r.json);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Rs 20,00,000") && t.contains("withdrawn")),
        "{texts:?}"
    );
}

#[actix_web::test]
async fn bad_questions_are_422_with_every_field() {
    let app = spawn().await;
    let t = app.dopt();
    let r = app
        .post_json(
            "/v1/rules/ex-gratia/evaluate",
            &t,
            &json!({"date_of_death": "2026-03-01", "as_of": "2026-01-01",
                    "amounts": [{"source": "pm_relief_fund", "amount": -5}]}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(fields, ["body.amounts[0].amount", "body.date_of_death"]);
    let r = app
        .post_json(
            "/v1/rules/ex-gratia/evaluate",
            &t,
            &question("2010-01-01", json!([])),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .post_json(
            "/v1/rules/ex-gratia/evaluate",
            &t,
            &question("2010-01-01", json!([{"source": "lottery", "amount": 5}])),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
}

pub fn case_body(name: &str, death: &str) -> Value {
    json!({
        "deceased_name": name,
        "organisation_id": "MHA",
        "date_of_death": death,
        "amounts": [
            {"source": "central_government", "amount": 1500000},
            {"source": "pm_relief_fund", "amount": 700000}
        ],
        "remarks": "Died on duty during flood relief"
    })
}

pub async fn record(app: &TestApp, name: &str) -> i64 {
    let r = app
        .post_json(
            "/v1/ex-gratia/cases",
            &app.dopt(),
            &case_body(name, "2009-08-20"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn dopt_keeps_the_register_of_cases() {
    let app = spawn().await;
    let dopt = app.dopt();
    let r = app
        .post_json(
            "/v1/ex-gratia/cases",
            &dopt,
            &case_body("Late Shri Ramesh Kumar", "2009-08-20"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/ex-gratia/cases/{id}").as_str())
    );
    assert_eq!(r.json["total"], 2200000);
    assert_eq!(r.json["admissible"], 2200000);
    assert_eq!(r.json["decision"]["regime"], "no_ceiling");
    exg_1(&r.json["decision"]);

    // A pre-2006 death is recorded with the amount left open.
    let r = app
        .post_json(
            "/v1/ex-gratia/cases",
            &dopt,
            &case_body("Late Smt Kamala Devi", "2005-12-31"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["admissible"], Value::Null);
    assert_eq!(r.json["decision"]["determined"], false);

    let r = app.get(&format!("/v1/ex-gratia/cases/{id}"), &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["deceased_name"], "Late Shri Ramesh Kumar");
    let r = app.get("/v1/ex-gratia/cases", &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["items"].as_array().unwrap().len(), 2);
    assert_eq!(r.json["items"][0]["deceased_name"], "Late Smt Kamala Devi");
    let paged = app.assert_paged("/v1/ex-gratia/cases", &dopt).await;
    assert_eq!(paged[1]["id"], id, "newest first");

    let rows = audit_rows(&app, "exgratia_case", id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["action"], "record");
    assert_eq!(rows[0]["after"]["total"], 2200000);

    // Unknown organisation or employee: 422, nothing recorded.
    let mut bad = case_body("Late Shri X", "2010-01-01");
    bad["organisation_id"] = json!("NOWHERE");
    bad["employee_code"] = json!("CSS-999999");
    let r = app.post_json("/v1/ex-gratia/cases", &dopt, &bad).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"].as_array().unwrap().len(), 2);

    // Nobody else sees or keeps the register.
    for token in [
        app.token(Role::Employee, Some(IN_MHA)),
        app.token(Role::NodalOfficer, Some("MHA")),
        app.token(Role::Avd, None),
        app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
    ] {
        app.get(&format!("/v1/ex-gratia/cases/{id}"), &token)
            .await
            .assert_problem(404, "not_found");
        app.get("/v1/ex-gratia/cases", &token)
            .await
            .assert_problem(403, "forbidden");
        app.post_json(
            "/v1/ex-gratia/cases",
            &token,
            &case_body("Late Shri Y", "2010-01-01"),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    let r = app.get("/v1/ex-gratia/cases", &dopt).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 2);
}

/// EXG-1 compensates a death in service: for an employee on record, after
/// joining Government, in their organisation (or its ministry), once.
#[actix_web::test]
async fn a_case_of_an_employee_on_record_is_of_their_service_and_once() {
    let app = spawn().await;
    let dopt = app.dopt();
    let on_record = |death: &str, org: &str| {
        let mut b = case_body("Late Shri Vijay Rao", death);
        b["employee_code"] = json!(crate::common::IN_NDMA);
        b["organisation_id"] = json!(org);
        b
    };
    // Joined 01.07.2010, serves in MHA-NDMA under MHA.
    let r = app
        .post_json(
            "/v1/ex-gratia/cases",
            &dopt,
            &on_record("2009-08-20", "MOF"),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.error_fields(),
        ["body.date_of_death", "body.organisation_id"]
    );
    for org in ["MHA-NDMA", "MHA"] {
        let r = app
            .post_json("/v1/ex-gratia/cases", &dopt, &on_record("2024-03-10", org))
            .await;
        if org == "MHA-NDMA" {
            assert_eq!(r.status, 201, "{}", r.json);
        } else {
            // One death, one case.
            r.assert_problem(409, "already_exists");
        }
    }
    let r = app.get("/v1/ex-gratia/cases", &dopt).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_twenty_lakh_ceiling_held_until_its_withdrawal_was_issued() {
    // EXG-1: a death of 20.08.2009 decided on 01.12.2009 falls under the OM
    // of 16.03.2009 (Rs 20 lakh in all); the withdrawal came on 12.07.2010.
    let app = spawn().await;
    let t = app.token(Role::Employee, Some(IN_MHA));
    let amounts = json!([{"source": "central_government", "amount": 1500000},
                         {"source": "pm_relief_fund", "amount": 700000}]);
    for (as_of, admissible) in [("2009-12-01", 2_000_000), ("2010-07-12", 2_200_000)] {
        let r = app
            .post_json(
                "/v1/rules/ex-gratia/evaluate",
                &t,
                &json!({"date_of_death": "2009-08-20", "as_of": as_of, "amounts": amounts}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["admissible"], admissible, "{as_of}: {}", r.json);
    }
}
