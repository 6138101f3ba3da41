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

/// An employee row whose code (`not a code`) no employee could have.
pub(crate) const STRAY_EMPLOYEE: &str =
    "INSERT INTO employees (code, name, cadre, grade, service_group, pay_level, pay_cell,
             date_of_birth, joined_government_on, joined_entry_grade_on, joined_present_grade_on,
             org_id, station, station_state, gender, category, version, created_at, updated_at)
         VALUES ('not a code', 'Stray Row', 'CSS', 'SO', 'B', '8', 1, '1985-01-01', '2010-01-01',
             '2010-01-01', '2018-01-01', 'MHA', 'New Delhi', 'Delhi', 'male', 'UR', 1,
             '2026-01-01 00:00:00', '2026-01-01 00:00:00')";

pub(crate) async fn execute(app: &TestApp, sql: &'static str) {
    app.db(move |c| cscms_store::testing::execute(c, sql)).await;
}

#[actix_web::test]
async fn an_unreadable_employee_code_fails_the_list_rather_than_showing_it() {
    let app = spawn().await;
    let r = app.get("/v1/employees?limit=200", &app.dopt()).await;
    assert_eq!(r.status, 200, "{}", r.json);
    execute(&app, STRAY_EMPLOYEE).await;
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

/// Plants a value the CHECK constraint of `table.column` refuses, as a
/// constraint lost to a hand-made migration or restore would let in: set
/// aside for this statement (SQLite), or dropped from this test's own
/// database (PostgreSQL, where a column's CHECK is `table_column_check`).
async fn execute_unchecked(
    app: &TestApp,
    table: &'static str,
    column: &'static str,
    sql: &'static str,
) {
    app.db(move |c| {
        let sql = match c {
            cscms_store::DbConn::Sqlite(_) => format!(
                "PRAGMA ignore_check_constraints = ON; {sql}; PRAGMA ignore_check_constraints = OFF;"
            ),
            cscms_store::DbConn::Pg(_) => {
                format!("ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_check; {sql};")
            }
        };
        cscms_store::testing::execute(c, &sql)
    })
    .await;
}

#[actix_web::test]
async fn an_unreadable_client_portal_status_or_key_set_fails_the_register() {
    let app = spawn().await;
    let (id, _) = crate::clients::keyed_client(&app, &["apar:write"]).await;
    let path = format!("/v1/clients/{id}");
    assert_eq!(app.get(&path, &app.dopt()).await.status, 200);
    execute(&app, "UPDATE oauth_clients SET portal = 'telegraph'").await;
    assert_fault(&app.get(&path, &app.dopt()).await, "telegraph");
    assert_fault(&app.get("/v1/clients", &app.dopt()).await, "telegraph");
    execute(
        &app,
        "UPDATE oauth_clients SET portal = 'sparrow', jwks = '{\"keys\": [unquoted]}'",
    )
    .await;
    assert_fault(&app.get(&path, &app.dopt()).await, "unquoted");
    execute(&app, "UPDATE oauth_clients SET jwks = NULL").await;
    assert_eq!(app.get(&path, &app.dopt()).await.status, 200);
    execute_unchecked(
        &app,
        "oauth_clients",
        "status",
        "UPDATE oauth_clients SET status = 'dormant'",
    )
    .await;
    assert_fault(&app.get(&path, &app.dopt()).await, "dormant");
}

/// A client's subscription with a ping queued, made behind the API.
async fn subscription(app: &TestApp) -> (String, i64) {
    let (client, _) = crate::clients::keyed_client(app, &["organisations:read"]).await;
    let key = client.clone();
    let now = Utc::now().naive_utc();
    let secret = app
        .state
        .sealer
        .seal(&cscms_api::webhooks::sign::new_secret())
        .expect("sealed");
    let sub = app
        .db(move |c| {
            let sub = cscms_store::webhooks::create(
                c,
                &cscms_store::audit::Actor {
                    sub: "fixture".into(),
                    role: "dopt".into(),
                    request_id: "fixture".into(),
                },
                cscms_store::webhooks::NewSubscription {
                    client_id: key,
                    url: "https://hooks.example.gov.in/cscms".into(),
                    types: "organisation".into(),
                    secret,
                    status: cscms_domain::webhook::SubscriptionStatus::Enabled,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            cscms_store::webhooks::enqueue_ping(c, sub.id)?;
            Ok(sub.id)
        })
        .await;
    (client, sub)
}

#[actix_web::test]
async fn an_unreadable_webhook_or_delivery_status_is_a_fault() {
    let app = spawn().await;
    let (client, sub) = subscription(&app).await;
    let one = format!("/v1/clients/{client}/webhooks/{sub}");
    let queue = format!("{one}/deliveries");
    assert_eq!(app.get(&one, &app.dopt()).await.status, 200);
    let r = app.get(&queue, &app.dopt()).await;
    assert_eq!(r.json["items"][0]["status"], "pending", "{}", r.json);
    execute_unchecked(
        &app,
        "webhook_deliveries",
        "status",
        "UPDATE webhook_deliveries SET status = 'mislaid'",
    )
    .await;
    assert_fault(&app.get(&queue, &app.dopt()).await, "mislaid");
    execute_unchecked(
        &app,
        "webhook_subscriptions",
        "status",
        "UPDATE webhook_subscriptions SET status = 'paused'",
    )
    .await;
    assert_fault(&app.get(&one, &app.dopt()).await, "paused");
    let list = format!("/v1/clients/{client}/webhooks");
    assert_fault(&app.get(&list, &app.dopt()).await, "paused");
}

#[actix_web::test]
async fn an_unreadable_actor_role_or_audit_document_fails_the_trail_and_the_feed() {
    let app = spawn().await;
    crate::rti::register(&app, Utc::now().date_naive(), "cash").await;
    assert_eq!(app.get("/v1/audit", &app.dopt()).await.status, 200);
    // On PostgreSQL the feed may hold the change back a moment while
    // another test's older transaction runs (`changes::settle`).
    crate::changes::settle(&app).await;
    let r = app.get("/v1/changes?limit=1000", &app.dopt()).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(!r.json["changes"].as_array().unwrap().is_empty());
    // The trail is append-only: the unreadable rows are appended.
    execute(
        &app,
        "INSERT INTO audit_log (at, actor_sub, actor_role, action, entity, entity_id,
             before_json, after_json, request_id)
         VALUES ('2026-01-01 00:00:00', 'planted', 'wizard', 'register', 'rti_request', 'w1',
             NULL, '{}', 'planted');
         INSERT INTO change_events (at, entity, entity_id, action, audit_id)
         SELECT '2026-01-01 00:00:00', 'rti_request', 'w1', 'register', MAX(id) FROM audit_log;
         INSERT INTO audit_log (at, actor_sub, actor_role, action, entity, entity_id,
             before_json, after_json, request_id)
         VALUES ('2026-01-01 00:00:00', 'planted', 'dopt', 'register', 'rti_request', 's1',
             NULL, '{\"subject\": smudged', 'planted')",
    )
    .await;
    assert_fault(&app.get("/v1/audit", &app.dopt()).await, "wizard");
    // On PostgreSQL the feed holds a change back while an older transaction
    // on the server (another test's) is still running: wait for it to pass.
    let started = std::time::Instant::now();
    let r = loop {
        let r = app.get("/v1/changes?limit=1000", &app.dopt()).await;
        if r.status != 200 || started.elapsed() > std::time::Duration::from_secs(30) {
            break r;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_fault(&r, "wizard");
    // A document that is not JSON is a fault too, not a change of nothing.
    let r = app
        .get("/v1/audit?entity=rti_request&entity_id=s1", &app.dopt())
        .await;
    assert_fault(&r, "smudged");
}

#[actix_web::test]
async fn an_unreadable_apar_source_or_grading_fails_the_employees_apars() {
    let app = spawn().await;
    let rows = serde_json::json!({"rows": [{"employee_code": IN_MHA, "from": "2022-04-01",
        "to": "2023-03-31", "grading": "very_good"}]});
    let token = app.token(
        cscms_domain::principal::Role::Integration,
        Some(cscms_domain::principal::scopes::APAR_WRITE),
    );
    let r = crate::apar::import(&app, &token, &rows).await;
    assert_eq!(r.json["created"], 1, "{}", r.json);
    let path = format!("/v1/employees/{IN_MHA}/apars");
    let r = app.get(&path, &app.dopt()).await;
    assert_eq!(r.json["items"][0]["source"], "sparrow", "{}", r.json);
    execute_unchecked(
        &app,
        "apars",
        "source",
        "UPDATE apars SET source = 'carrier_pigeon'",
    )
    .await;
    assert_fault(&app.get(&path, &app.dopt()).await, "carrier_pigeon");
    // A reimport reads the stored row before reconciling: a fault too.
    assert_fault(
        &crate::apar::import(&app, &token, &rows).await,
        "carrier_pigeon",
    );
}

#[actix_web::test]
async fn a_stored_request_without_a_reply_period_is_a_fault() {
    let app = spawn().await;
    let id = crate::rti::register(&app, Utc::now().date_naive(), "cash").await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/rti/requests/{id}");
    assert_eq!(app.get(&path, &app.dopt()).await.status, 200);
    // Before the RTI Act's reply period existed: no deadline can be read.
    execute(&app, "UPDATE rti_requests SET received_on = '1901-01-01'").await;
    assert_fault(&app.get(&path, &app.dopt()).await, "1901");
    assert_fault(&app.get("/v1/rti/requests", &app.dopt()).await, "1901");
}

#[actix_web::test]
async fn a_catalogue_tree_that_loops_fails_the_choice_it_holds() {
    let app = spawn().await;
    crate::interests::catalogue(&app).await;
    let me = submitted(&app, IN_MHA).await;
    let path = format!("/v1/employees/{IN_MHA}/interests");
    let r = app
        .call(
            actix_web::test::TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {me}")))
                .insert_header(("If-Match", "\"0\""))
                .set_json(serde_json::json!({"items": [
                    {"area_id": "behavioural.communication.writing", "note": "For my desk"}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["items"][0]["path"].as_array().unwrap().len(), 3);
    // The area made a child of its own grandchild: the path never ends.
    execute(
        &app,
        "UPDATE competency_areas SET parent_id = 'behavioural.communication.writing'
         WHERE id = 'behavioural'",
    )
    .await;
    assert_fault(&app.get(&path, &me).await, "Node behavioural");
}

#[actix_web::test]
async fn an_unreadable_earlier_claim_fails_the_next_claim_rather_than_dropping_it() {
    use crate::delpge::{claim, enrol, notify};
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let first = enrol(&app, &me, notify(&app, "A", &[]).await).await;
    claim(&app, &me, first, "B").await;
    let second = enrol(&app, &me, notify(&app, "D", &[]).await).await;
    // A reimbursement counted against later claims that no longer reads as
    // a category: the block's units cannot be counted, so nothing is decided.
    execute_unchecked(
        &app,
        "delpge_claims",
        "category",
        "UPDATE delpge_claims SET category = 'Q'",
    )
    .await;
    let r = app
        .post_json(
            "/v1/delpge/claims",
            &me,
            &serde_json::json!({"enrolment_id": second, "fee_paid": 12000,
                "receipt_reference": "IGNOU/RC-DEL/2026/004513",
                "completed_on": Utc::now().date_naive(), "grade": "B"}),
        )
        .await;
    assert_fault(&r, "\"Q\"");
}

#[actix_web::test]
async fn an_unknown_change_type_fails_that_subscription_and_no_write() {
    let app = spawn().await;
    let (client, sub) = subscription(&app).await;
    let (other_client, other) = subscription(&app).await;
    let one = format!("/v1/clients/{client}/webhooks/{sub}");
    let r = app.get(&one, &app.dopt()).await;
    assert_eq!(
        r.json["types"],
        serde_json::json!(["organisation"]),
        "{}",
        r.json
    );
    let sql = format!(
        "UPDATE webhook_subscriptions SET types = 'organisation horoscope' WHERE id = {sub}"
    );
    app.db(move |c| cscms_store::testing::execute(c, &sql))
        .await;
    assert_fault(&app.get(&one, &app.dopt()).await, "horoscope");
    // The fan-out leaves the unreadable subscription out: the write
    // commits, and the readable one is still sent what it asked for.
    let r = app
        .post_json(
            "/v1/organisations",
            &app.dopt(),
            &serde_json::json!({"id": "MOCA", "name": "Ministry of Civil Aviation", "kind": "ministry"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let queued = crate::webhooks::deliveries(&app, &other_client, other).await;
    assert!(
        queued.iter().any(|d| d["type"] == "organisation.create"),
        "{queued:?}"
    );
    // The unreadable one owes nothing new: its queue holds the ping alone.
    let count = app
        .db(move |c| {
            use cscms_store::schema::webhook_deliveries as d;
            use diesel::prelude::*;
            Ok(d::table
                .filter(d::subscription_id.eq(sub))
                .count()
                .get_result::<i64>(c)?)
        })
        .await;
    assert_eq!(count, 1);
}
