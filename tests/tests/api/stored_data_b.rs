//! Unreadable stored data of empanelment, surplus, vigilance, IPR,
//! promotion outlooks and working strength: a 500 whose body names nothing
//! of it, never "not found", a skipped row or a silent default.

use actix_web::test::TestRequest;
use cscms_domain::principal::Role;
use serde_json::json;

use crate::common::{spawn, TestApp, IN_MHA};
use crate::empanelment::{batch_body, create_batch, ias_officer, worked_officers, AS_OF};
use crate::stored_data::{assert_fault, execute, STRAY_EMPLOYEE};

/// A batch with the worked officers proposed and run once; its id.
async fn run_batch(app: &TestApp) -> i64 {
    let t = app.dopt();
    let id = create_batch(app, &batch_body("IAS")).await;
    for (officer, seniority, apars, extra) in worked_officers() {
        let body = ias_officer(officer, seniority, apars, &extra);
        let path = format!("/v1/empanelment/batches/{id}/proposals");
        let r = app.post_json(&path, &t, &body).await;
        assert_eq!(r.status, 201, "{officer}: {}", r.json);
    }
    let runs = format!("/v1/empanelment/batches/{id}/runs");
    let r = app.post_json(&runs, &t, &json!({"as_of": AS_OF})).await;
    assert_eq!(r.status, 201, "{}", r.json);
    id
}

#[actix_web::test]
async fn an_unreadable_run_result_is_a_fault_not_a_missing_run() {
    let app = spawn().await;
    let t = app.dopt();
    let id = run_batch(&app).await;
    let run = format!("/v1/empanelment/batches/{id}/runs/1");
    assert_eq!(app.get(&run, &t).await.status, 200);
    assert_eq!(app.get("/v1/empanelment/reviews", &t).await.status, 200);
    execute(
        &app,
        "UPDATE empanelment_runs SET result_json = '{\"garbled\": true}'",
    )
    .await;
    assert_fault(&app.get(&run, &t).await, "garbled");
    assert_fault(&app.get("/v1/empanelment/reviews", &t).await, "garbled");
    // A new run compares with the previous one, which cannot be read.
    let runs = format!("/v1/empanelment/batches/{id}/runs");
    let r = app.post_json(&runs, &t, &json!({"as_of": AS_OF})).await;
    assert_fault(&r, "garbled");
}

#[actix_web::test]
async fn unreadable_run_inputs_are_a_fault_not_served_as_stored() {
    let app = spawn().await;
    let t = app.dopt();
    let id = run_batch(&app).await;
    let inputs = format!("/v1/empanelment/batches/{id}/runs/1/inputs");
    assert_eq!(app.get(&inputs, &t).await.status, 200);
    execute(
        &app,
        "UPDATE empanelment_runs SET inputs_json = '{\"as_of\": \"garbled\"}'",
    )
    .await;
    assert_fault(&app.get(&inputs, &t).await, "garbled");
    assert_fault(&app.get("/v1/empanelment/reviews", &t).await, "garbled");
}

#[actix_web::test]
async fn an_unreadable_proposal_fails_the_list_rather_than_showing_it() {
    let app = spawn().await;
    let t = app.dopt();
    let id = run_batch(&app).await;
    let list = format!("/v1/empanelment/batches/{id}/proposals");
    assert_eq!(app.get(&list, &t).await.status, 200);
    // An employee row whose code no employee could have, proposed.
    execute(&app, STRAY_EMPLOYEE).await;
    execute(
        &app,
        "UPDATE empanelment_proposals SET employee_code = 'not a code' WHERE officer_id = 'A01'",
    )
    .await;
    assert_fault(&app.get(&list, &t).await, "not a code");
    execute(
        &app,
        "UPDATE empanelment_proposals SET employee_code = NULL WHERE officer_id = 'A01'",
    )
    .await;
    assert_eq!(app.get(&list, &t).await.status, 200);
    execute(
        &app,
        "UPDATE empanelment_proposals SET proposal_json = '{\"garbled\": 1}'
         WHERE officer_id = 'A02'",
    )
    .await;
    assert_fault(&app.get(&list, &t).await, "garbled");
    let runs = format!("/v1/empanelment/batches/{id}/runs");
    let r = app.post_json(&runs, &t, &json!({"as_of": AS_OF})).await;
    assert_fault(&r, "garbled");
}

#[actix_web::test]
async fn an_unreadable_batch_is_a_fault_not_a_missing_one() {
    let app = spawn().await;
    let t = app.dopt();
    let id = create_batch(&app, &batch_body("IAS")).await;
    let batch = format!("/v1/empanelment/batches/{id}");
    assert_eq!(app.get(&batch, &t).await.status, 200);
    execute(
        &app,
        "UPDATE empanelment_batches SET shares_json = '\"garbled\"'",
    )
    .await;
    assert_fault(&app.get(&batch, &t).await, "garbled");
    assert_fault(&app.get("/v1/empanelment/batches", &t).await, "garbled");
}

#[actix_web::test]
async fn an_unreadable_requisition_is_a_fault_not_a_missing_one() {
    let app = spawn().await;
    let ndma = crate::surplus::office(&app, "MHA-NDMA");
    let id = crate::surplus::draft(&app, &ndma).await;
    let path = format!("/v1/surplus/requisitions/{id}");
    assert_eq!(app.get(&path, &ndma).await.status, 200);
    // The stored proforma is versioned; one of no version this code reads is a fault.
    execute(
        &app,
        "UPDATE surplus_requisitions SET document = '{\"schema\": \"garbled/9\"}'",
    )
    .await;
    assert_fault(&app.get(&path, &ndma).await, "garbled");
    assert_fault(&app.get("/v1/surplus/requisitions", &ndma).await, "garbled");
}

#[actix_web::test]
async fn an_unreadable_vigilance_status_fails_the_history_and_the_clearance() {
    let app = spawn().await;
    let avd = app.token(Role::Avd, None);
    let status = format!("/v1/employees/{IN_MHA}/vigilance-status");
    let body =
        json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD-I/1/2015"});
    let r = app.post_json(&status, &avd, &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let clearance = format!("/v1/employees/{IN_MHA}/vigilance-clearance");
    assert_eq!(app.get(&status, &app.dopt()).await.status, 200);
    assert_eq!(app.get(&clearance, &app.dopt()).await.status, 200);
    // The history is append-only: a later record, by a role no token has.
    execute(
        &app,
        "INSERT INTO vigilance_statuses (employee_code, status, effective_from, order_ref,
             recorded_by, recorded_role, recorded_at)
         VALUES ('CSS-000001', 'clear', '2016-01-01', 'AVD-I/2/2016', 'avd:x', 'wizard',
             '2026-01-01 00:00:00')",
    )
    .await;
    assert_fault(&app.get(&status, &app.dopt()).await, "wizard");
    assert_fault(&app.get(&clearance, &app.dopt()).await, "wizard");
}

#[actix_web::test]
async fn an_unreadable_property_return_is_a_fault_not_a_missing_one() {
    let app = spawn().await;
    crate::ipr::file_on(&app, IN_MHA, 2023, crate::ipr::ymd(2024, 1, 15), None).await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let all = format!("/v1/employees/{IN_MHA}/ipr");
    let year = format!("{all}/2023");
    assert_eq!(app.get(&all, &me).await.status, 200);
    assert_eq!(app.get(&year, &me).await.status, 200);
    // Returns are append-only: another year's, whose entry is of a kind no
    // return has. The stored entries are their own shape; this is a fault.
    execute(
        &app,
        "INSERT INTO ipr_returns (employee_code, year, revision, filed_on, due_on, late, nil,
             properties_json, filed_by, filed_at)
         VALUES ('CSS-000001', 2022, 0, '2023-01-15', '2023-01-31', false, false,
             '[{\"kind\": \"castle\"}]', 'employee:CSS-000001', '2026-01-01 00:00:00')",
    )
    .await;
    assert_fault(&app.get(&all, &me).await, "castle");
    assert_fault(&app.get(&format!("{all}/2022"), &me).await, "castle");
    assert_eq!(app.get(&year, &me).await.status, 200);
}

#[actix_web::test]
async fn an_unreadable_promotion_outlook_fails_the_list() {
    let app = spawn().await;
    let dopt = app.dopt();
    let path = format!("/v1/employees/{IN_MHA}/rotation/promotion-outlooks");
    let body = json!({"dated": "2025-01-01", "order_ref": "DoPT File No. 5/3/2025-CS.I(DPC)"});
    let r = app.post_json(&path, &dopt, &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(app.get(&path, &dopt).await.status, 200);
    // An organisation row whose id no organisation could have.
    execute(
        &app,
        "INSERT INTO organisations (id, name, kind, created_at, updated_at)
         VALUES ('no such place', 'Stray Row', 'ministry',
             '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .await;
    execute(
        &app,
        "UPDATE promotion_outlooks SET org_id = 'no such place'",
    )
    .await;
    assert_fault(&app.get(&path, &dopt).await, "no such place");
}

#[actix_web::test]
async fn an_unreadable_working_strength_entry_is_a_fault_not_left_out() {
    let app = spawn().await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let url = "/v1/organisations/MHA/working-strength";
    let body = json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}]});
    let r = app.put_json(url, &nodal, Some("\"0\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(app.get(url, &nodal).await.status, 200);
    execute(&app, "UPDATE working_strength SET cadre = 'IPS'").await;
    assert_fault(&app.get(url, &nodal).await, "IPS");
}

#[actix_web::test]
async fn a_print_naming_no_document_is_a_fault_not_a_stale_print() {
    let app = spawn().await;
    let path = "/v1/prints/AAAA-BBBB-CCCC";
    let verify = || app.call(TestRequest::get().uri(path));
    assert_eq!(verify().await.status, 404);
    execute(
        &app,
        "INSERT INTO prints (code, document, reference, version, printed_at, printed_by)
         VALUES ('AAAA-BBBB-CCCC', 'surplus_requisition', '999', 1,
             '2026-01-01 00:00:00', 'dopt:x')",
    )
    .await;
    // A print of a document since gone is on record, and not current.
    let r = verify().await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["current"], false);
    execute(&app, "UPDATE prints SET reference = 'garbled'").await;
    assert_fault(&verify().await, "garbled");
    execute(
        &app,
        "UPDATE prints SET document = 'scroll', reference = '999'",
    )
    .await;
    assert_fault(&verify().await, "scroll");
}
