//! Stored data its domain type does not read has one answer everywhere: a
//! 500 whose body names nothing of it (the row goes to the log), never
//! "not found", a skipped row or a silent default.

use chrono::{Days, Utc};

use crate::common::{spawn, submitted, Reply, TestApp, IN_MHA};
use crate::deputation::{onboard, publish, terms};

pub(crate) fn assert_fault(r: &Reply, stored: &str) {
    r.assert_problem(500, "internal_error");
    let text = String::from_utf8_lossy(&r.bytes);
    assert!(!text.contains(stored), "leaks '{stored}': {text}");
}

pub(crate) async fn execute(app: &TestApp, sql: &'static str) {
    app.db(move |c| cscms_store::testing::execute(c, sql)).await;
}

#[actix_web::test]
async fn an_unreadable_employee_code_fails_the_list_rather_than_showing_it() {
    let app = spawn().await;
    let r = app.get("/v1/employees?limit=200", &app.dopt()).await;
    assert_eq!(r.status, 200, "{}", r.json);
    execute(
        &app,
        "INSERT INTO employees (code, name, cadre, grade, service_group, pay_level, pay_cell,
             date_of_birth, joined_government_on, joined_entry_grade_on, joined_present_grade_on,
             org_id, station, station_state, gender, category, version, created_at, updated_at)
         VALUES ('not a code', 'Stray Row', 'CSS', 'SO', 'B', '8', 1, '1985-01-01', '2010-01-01',
             '2010-01-01', '2018-01-01', 'MHA', 'New Delhi', 'Delhi', 'male', 'UR', 1,
             '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .await;
    let r = app.get("/v1/employees?limit=200", &app.dopt()).await;
    assert_fault(&r, "not a code");
}

#[actix_web::test]
async fn an_unreadable_step_role_fails_the_request_it_belongs_to() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let id = crate::foreign_visits::apply(&app, &me).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/foreign-visits/{id}");
    assert_eq!(app.get(&path, &me).await.status, 200);
    execute(&app, "UPDATE workflow_steps SET actor_role = 'wizard'").await;
    assert_fault(&app.get(&path, &me).await, "wizard");
}

#[actix_web::test]
async fn unreadable_return_reasons_fail_the_profile_rather_than_reading_as_none() {
    let app = spawn().await;
    let path = format!("/v1/employees/{IN_MHA}/profile");
    assert_eq!(app.get(&path, &app.dopt()).await.status, 200);
    execute(
        &app,
        "UPDATE profiles SET returned_reasons = 'garbled reasons' WHERE employee_code = 'CSS-000001'",
    )
    .await;
    assert_fault(&app.get(&path, &app.dopt()).await, "garbled");
}

#[actix_web::test]
async fn an_unreadable_advertisement_is_a_fault_not_a_missing_one() {
    let app = spawn().await;
    let sub = onboard(&app, "MHA", "MHA-BODY").await;
    let last = Utc::now().date_naive() + Days::new(30);
    let id = publish(&app, &sub, &terms(last, "7")).await;
    let path = format!("/v1/deputation/advertisements/{id}");
    assert_eq!(app.get(&path, &sub).await.status, 200);
    // The stored document is its own shape; one that does not read as it is a fault.
    execute(
        &app,
        "UPDATE deputation_adverts SET content = '{\"post\": \"garbled\"}'",
    )
    .await;
    assert_fault(&app.get(&path, &sub).await, "garbled");
    let r = app.get("/v1/deputation/advertisements", &sub).await;
    assert_fault(&r, "garbled");
}
