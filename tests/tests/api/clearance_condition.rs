//! VIG-1: the vigilance clearance is a condition of the steps that rest on
//! it (FV-1 grant, DEP-1 forward and approve). While it is denied or
//! deferred they are refused with 409 `clearance_withheld`, unless the
//! deciding officer records an override with reasons, which the step record
//! and the audit trail keep.

use cscms_domain::principal::Role;
use cscms_domain::vigilance::{fallen_due_years, VigilanceParams};
use serde_json::{json, Value};

use crate::common::{spawn, submitted, TestApp, IN_MHA};
use crate::ipr::{file_on, ymd};
use crate::workflow_support::{audit_rows, today};

pub const OVERRIDE: &str =
    "Charge memo withdrawn by order of 01.11.2026; fresh status awaited from AVD";

/// The latest annual return fallen due, filed on time (VIG-2).
pub async fn file_latest_return_on_time(app: &TestApp, code: &str) {
    let years = fallen_due_years(today(), 1, &VigilanceParams::standard());
    let year = years[0];
    file_on(app, code, year, ymd(year + 1, 1, 15), None).await;
}

/// Brings `code` to a `cleared` clearance for every service: a clear
/// status from AVD and the latest annual return filed on time.
pub async fn clear_for_services(app: &TestApp, code: &str) {
    let r = app
        .post_json(
            &format!("/v1/employees/{code}/vigilance-status"),
            &app.token(Role::Avd, None),
            &json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD-I/1/2015"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    file_latest_return_on_time(app, code).await;
}

async fn fv(app: &TestApp, me: &str) -> i64 {
    crate::foreign_visits::apply(app, me).await["id"]
        .as_i64()
        .unwrap()
}

/// Asserts a refusal names the outcome and its rule, in fields and text.
fn withheld(r: &crate::common::Reply, clearance: &str, rule: &str) {
    r.assert_problem(409, "clearance_withheld");
    assert_eq!(r.json["clearance"], clearance, "{}", r.json);
    assert_eq!(r.json["rule"], rule, "{}", r.json);
    let detail = r.json["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("is {clearance}")), "{detail}");
    assert!(
        detail.contains(rule) && detail.contains("VIG-1"),
        "{detail}"
    );
    let other = if clearance == "denied" {
        "deferred"
    } else {
        "denied"
    };
    assert!(!detail.contains(other), "{detail}");
}

#[actix_web::test]
async fn a_grant_is_refused_while_denied_and_taken_on_an_override() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    // No status and no return for last year: denied (VIG-2).
    let id = fv(&app, &me).await;
    let url = format!("/v1/foreign-visits/{id}/grant");
    let r = app.post_json(&url, &nodal, &json!({})).await;
    withheld(&r, "denied", "VIG-2");
    let v = app.get(&format!("/v1/foreign-visits/{id}"), &nodal).await;
    assert_eq!(v.json["state"], "submitted", "nothing moved");
    assert_eq!(v.json["steps"].as_array().unwrap().len(), 1);
    assert_eq!(audit_rows(&app, "foreign_visit", id).await.len(), 1);

    // A blank or token override is no reason.
    for bad in ["          ", "ok"] {
        let r = app
            .post_json(&url, &nodal, &json!({"clearance_override": bad}))
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.json["errors"][0]["field"], "body.clearance_override");
    }
    // Refusing does not rest on the clearance: nothing to override.
    let r = app
        .post_json(
            &format!("/v1/foreign-visits/{id}/refuse"),
            &nodal,
            &json!({"reason": "Dates clash", "clearance_override": OVERRIDE}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["code"], "not_applicable");

    let r = app
        .post_json(
            &url,
            &nodal,
            &json!({"reason": "Visit approved", "clearance_override": OVERRIDE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "granted");
    let step = &r.json["steps"][1];
    assert_eq!(step["action"], "grant");
    assert_eq!(step["clearance"]["clearance"], "denied");
    assert_eq!(step["clearance_override"], OVERRIDE);
    assert_eq!(r.json["steps"][0]["clearance_override"], Value::Null);
    let rows = audit_rows(&app, "foreign_visit", id).await;
    assert_eq!(rows[0]["action"], "grant");
    assert_eq!(rows[0]["after"]["clearance"], "denied");
    assert_eq!(rows[0]["after"]["clearance_override"], OVERRIDE);
}

#[actix_web::test]
async fn a_denial_on_the_status_alone_cites_the_status_not_the_returns() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    // The return is in on time; a charge sheet makes the officer not clear.
    file_latest_return_on_time(&app, IN_MHA).await;
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/vigilance-status"),
            &app.token(Role::Avd, None),
            &json!({"status": "not_clear", "reason": "charge_sheet_issued",
                    "effective_from": "2020-01-01", "order_ref": "AVD-II/7/2020"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = fv(&app, &me).await;
    let r = app
        .post_json(
            &format!("/v1/foreign-visits/{id}/grant"),
            &nodal,
            &json!({}),
        )
        .await;
    withheld(&r, "denied", "VIG-1");
    let detail = r.json["detail"].as_str().unwrap();
    assert!(!detail.contains("VIG-2"), "{detail}");
}

#[actix_web::test]
async fn a_grant_is_refused_while_deferred_and_allowed_when_cleared() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    // The return is in, but no status is recorded: deferred (VIG-1).
    file_latest_return_on_time(&app, IN_MHA).await;
    let id = fv(&app, &me).await;
    let url = format!("/v1/foreign-visits/{id}/grant");
    let r = app.post_json(&url, &nodal, &json!({})).await;
    withheld(&r, "deferred", "VIG-1");
    // The clearance's own reasons agree with the outcome.
    let v = app.get(&format!("/v1/foreign-visits/{id}"), &nodal).await;
    let reasons = v.json["clearance"]["reasons"].as_array().unwrap();
    let last = reasons.last().unwrap()["text"].as_str().unwrap();
    assert!(
        last.starts_with("clearance deferred: 0 ground(s) deny it, 1 defer it"),
        "{last}"
    );
    assert!(reasons
        .iter()
        .all(|x| !x["text"].as_str().unwrap().contains("clearance denied")));

    // Once AVD records the officer clear, the grant needs no override.
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/vigilance-status"),
            &app.token(Role::Avd, None),
            &json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD-I/1/2015"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app.post_json(&url, &nodal, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["steps"][1]["clearance"]["clearance"], "cleared");
    assert_eq!(r.json["steps"][1]["clearance_override"], Value::Null);
    let last = r.json["steps"][1]["clearance"]["reasons"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        last.starts_with("clearance cleared: 0 ground(s) deny it, 0 defer it"),
        "{last}"
    );
    // An override given while cleared is not needed and not recorded.
    let second = fv(&app, &me).await;
    let r = app
        .post_json(
            &format!("/v1/foreign-visits/{second}/grant"),
            &nodal,
            &json!({"clearance_override": OVERRIDE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["steps"][1]["clearance_override"], Value::Null);
    let rows = audit_rows(&app, "foreign_visit", second).await;
    assert_eq!(rows[0]["after"]["clearance_override"], Value::Null);
}

#[actix_web::test]
async fn deputation_forward_and_approve_rest_on_the_clearance() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let dopt = app.dopt();
    let sub = crate::deputation::onboard(&app, "MHA", "MHA-BPRD").await;
    let advert = crate::deputation::publish(
        &app,
        &sub,
        &crate::deputation::terms(crate::workflow_support::days_from_today(20), "7"),
    )
    .await;
    let a = crate::deputation::apply(&app, &me, advert).await;
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["clearance"]["clearance"], "denied");
    let url = |action: &str| format!("/v1/deputation/applications/{id}/{action}");

    // The cadre clearance rests on the vigilance clearance (DEP-1, VIG-2).
    let r = app.post_json(&url("forward"), &nodal, &json!({})).await;
    withheld(&r, "denied", "VIG-2");
    // The nodal officer goes ahead on recorded reasons.
    let r = app
        .post_json(
            &url("forward"),
            &nodal,
            &json!({"clearance_override": OVERRIDE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "forwarded", "{}", r.json);
    assert_eq!(r.json["steps"][1]["clearance_override"], OVERRIDE);

    // DoPT's approval rests on it too, and needs its own override.
    let r = app.post_json(&url("approve"), &dopt, &json!({})).await;
    withheld(&r, "denied", "VIG-2");
    let theirs = "Approved on the Secretary's orders of 20.11.2026 pending AVD's report";
    let r = app
        .post_json(
            &url("approve"),
            &dopt,
            &json!({"clearance_override": theirs}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "approved", "{}", r.json);
    let steps = r.json["steps"].as_array().unwrap();
    let overrides: Vec<&Value> = steps.iter().map(|s| &s["clearance_override"]).collect();
    assert_eq!(overrides, [&Value::Null, &json!(OVERRIDE), &json!(theirs)]);
    let rows = audit_rows(&app, "deputation_application", id).await;
    let audited: Vec<(&str, &Value)> = rows
        .iter()
        .rev()
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                &r["after"]["clearance_override"],
            )
        })
        .collect();
    assert_eq!(
        audited,
        [
            ("apply", &Value::Null),
            ("forward", &json!(OVERRIDE)),
            ("approve", &json!(theirs))
        ]
    );
}

#[actix_web::test]
async fn deputation_goes_through_without_override_once_cleared() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    clear_for_services(&app, IN_MHA).await;
    let sub = crate::deputation::onboard(&app, "MHA", "MHA-BPRD").await;
    let advert = crate::deputation::publish(
        &app,
        &sub,
        &crate::deputation::terms(crate::workflow_support::days_from_today(20), "7"),
    )
    .await;
    let id = crate::deputation::apply(&app, &me, advert).await["id"]
        .as_i64()
        .unwrap();
    let url = |action: &str| format!("/v1/deputation/applications/{id}/{action}");
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app.post_json(&url("forward"), &nodal, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .post_json(&url("approve"), &app.dopt(), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    for s in r.json["steps"].as_array().unwrap() {
        assert_eq!(s["clearance"]["clearance"], "cleared", "{s}");
        assert_eq!(s["clearance_override"], Value::Null, "{s}");
    }
}
