//! Rotation's stored data that its type does not read has the one answer
//! for unreadable stored data: a 500 whose body names nothing of it (the
//! row goes to the log), never a run that merely "does not replay", an
//! officer without a list, a round not found, or a refusal that blames the
//! request (ROT-1).

use serde_json::json;

use crate::common::{spawn, submitted, Reply, TestApp, IN_MHA, IN_NDMA};
use crate::rotation_rounds::{announce, groups, set_window, terms, with_if_match};

fn assert_fault(r: &Reply, stored: &str) {
    r.assert_problem(500, "internal_error");
    let text = String::from_utf8_lossy(&r.bytes);
    assert!(!text.contains(stored), "leaks '{stored}': {text}");
}

async fn execute(app: &TestApp, sql: String) {
    app.db(move |c| cscms_store::testing::execute(c, &sql))
        .await;
}

/// A round of CSS SOs whose window is open, in which the SO of MHA has
/// given a list; the round's id.
async fn round_with_list(app: &TestApp) -> i64 {
    groups(app).await;
    let id = announce(app, &terms("CSS", &["SO"], 5)).await;
    set_window(app, id, 0, 10).await;
    let me = submitted(app, IN_MHA).await;
    let r = with_if_match(
        app,
        "put",
        &format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/preferences"),
        &me,
        Some("\"0\""),
        &json!({"ministries": ["MOF"]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    id
}

/// [`round_with_list`] past its window, run once; the round's and the run's ids.
async fn round_with_run(app: &TestApp) -> (i64, i64) {
    let id = round_with_list(app).await;
    set_window(app, id, -11, 10).await;
    let r = app
        .post_json(
            &format!("/v1/rotation/rounds/{id}/runs"),
            &app.dopt(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    (id, r.json["id"].as_i64().unwrap())
}

#[actix_web::test]
async fn unreadable_run_inputs_fail_the_read_and_the_approval_rather_than_not_replaying() {
    let app = spawn().await;
    let dopt = app.dopt();
    let (id, run) = round_with_run(&app).await;
    let path = format!("/v1/rotation/rounds/{id}/runs/{run}");
    let r = app.get(&path, &dopt).await;
    assert_eq!(
        (r.status.as_u16(), r.json["replays"].clone()),
        (200, json!(true)),
        "{}",
        r.json
    );
    execute(
        &app,
        format!(
            "UPDATE rotation_runs SET inputs = '{{\"ministries\": \"garbled\"}}' WHERE id = {run}"
        ),
    )
    .await;
    assert_fault(&app.get(&path, &dopt).await, "garbled");
    // Not 409 `run_not_replayable`: the run is unreadable, not refused.
    let order = json!({"order_ref": "DoPT Order No. 7/1/2026-CS.I(P)"});
    let r = app
        .post_json(&format!("{path}/approve"), &dopt, &order)
        .await;
    assert_fault(&r, "garbled");
}

#[actix_web::test]
async fn a_run_marked_approved_without_its_approver_is_a_fault_not_a_result() {
    let app = spawn().await;
    let (id, run) = round_with_run(&app).await;
    let me = app.token(cscms_domain::principal::Role::Employee, Some(IN_MHA));
    let result = format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/result");
    app.get(&result, &me).await.assert_problem(404, "not_found");
    execute(
        &app,
        format!(
            "UPDATE rotation_runs SET approved_at = '2026-01-01 00:00:00', \
             order_ref = 'Order garbled' WHERE id = {run}"
        ),
    )
    .await;
    assert_fault(&app.get(&result, &me).await, "garbled");
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/representation"),
            &me,
            &json!({"reason": "My list was not followed"}),
        )
        .await;
    assert_fault(&r, "garbled");
}

#[actix_web::test]
async fn unreadable_round_terms_fail_every_read_of_the_round() {
    let app = spawn().await;
    let dopt = app.dopt();
    let id = round_with_list(&app).await;
    let path = format!("/v1/rotation/rounds/{id}");
    assert_eq!(app.get(&path, &dopt).await.status, 200);
    execute(
        &app,
        format!("UPDATE rotation_rounds SET grades = '\"garbled\"' WHERE id = {id}"),
    )
    .await;
    assert_fault(&app.get(&path, &dopt).await, "garbled");
    assert_fault(&app.get("/v1/rotation/rounds", &dopt).await, "garbled");
    let me = app.token(cscms_domain::principal::Role::Employee, Some(IN_MHA));
    assert_fault(&app.get("/v1/me/rotation-rounds", &me).await, "garbled");
}

#[actix_web::test]
async fn an_unreadable_list_fails_its_reads_and_the_run_rather_than_counting_as_none() {
    let app = spawn().await;
    let dopt = app.dopt();
    let id = round_with_list(&app).await;
    let me = app.token(cscms_domain::principal::Role::Employee, Some(IN_MHA));
    let path = format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/preferences");
    let r = app.get(&path, &me).await;
    assert_eq!(r.json["ministries"], json!(["MOF"]), "{}", r.json);
    execute(
        &app,
        format!("UPDATE rotation_preferences SET ministries = '{{\"garbled\": 1}}' WHERE round_id = {id}"),
    )
    .await;
    assert_fault(&app.get(&path, &me).await, "garbled");
    set_window(&app, id, -11, 10).await;
    let r = app
        .post_json(&format!("/v1/rotation/rounds/{id}/runs"), &dopt, &json!({}))
        .await;
    assert_fault(&r, "garbled");
}

#[actix_web::test]
async fn an_unreadable_couple_fails_its_read_and_the_run() {
    let app = spawn().await;
    let dopt = app.dopt();
    let id = round_with_list(&app).await;
    execute(
        &app,
        format!(
            "INSERT INTO rotation_couples (round_id, first_code, second_code, first_org, \
             second_org, joint, version, proposed_at, confirmed_at, updated_at) \
             SELECT {id}, a.code, b.code, a.org_id, b.org_id, '[{{\"garbled\": 1}}]', 1, \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00' \
             FROM employees a, employees b WHERE a.code = '{IN_MHA}' AND b.code = '{IN_NDMA}'"
        ),
    )
    .await;
    let me = app.token(cscms_domain::principal::Role::Employee, Some(IN_MHA));
    let path = format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/couple");
    assert_fault(&app.get(&path, &me).await, "garbled");
    set_window(&app, id, -11, 10).await;
    let r = app
        .post_json(&format!("/v1/rotation/rounds/{id}/runs"), &dopt, &json!({}))
        .await;
    assert_fault(&r, "garbled");
}
