//! actix's own failures and ours, all as problem+json with stable codes.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::{spawn, spawn_with};

#[actix_web::test]
async fn unknown_route_is_404_problem() {
    let app = spawn().await;
    let r = app.get("/v1/nothing-here", &app.dopt()).await;
    r.assert_problem(404, "route_not_found");
    let r = app.call(TestRequest::get().uri("/")).await;
    r.assert_problem(404, "route_not_found");
}

#[actix_web::test]
async fn undeclared_method_is_405_with_allow() {
    let app = spawn().await;
    let r = app
        .call(TestRequest::delete().uri("/v1/employees/CSS-000001"))
        .await;
    r.assert_problem(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    let r = app.call(TestRequest::put().uri("/v1/organisations")).await;
    r.assert_problem(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET, POST, HEAD"));
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = spawn().await;
    let r = app
        .call(
            TestRequest::post()
                .uri("/v1/organisations")
                .insert_header(("Authorization", format!("Bearer {}", app.dopt())))
                .insert_header(("Content-Type", "application/json"))
                .set_payload("{\"id\": \"MOCA\", "),
        )
        .await;
    r.assert_problem(400, "malformed_json");
}

#[actix_web::test]
async fn unknown_field_is_rejected_with_its_path() {
    let app = spawn().await;
    let body = json!({"id": "MOCA", "name": "Ministry of Civil Aviation", "kind": "ministry", "budget": 5});
    let r = app.post_json("/v1/organisations", &app.dopt(), &body).await;
    r.assert_problem(400, "unknown_field");
    assert_eq!(r.json["errors"][0]["field"], "body.budget");
}

#[actix_web::test]
async fn wrong_type_names_the_field() {
    let app = spawn().await;
    let body = json!({"id": "MOCA", "name": "Ministry of Civil Aviation", "kind": "planet"});
    let r = app.post_json("/v1/organisations", &app.dopt(), &body).await;
    r.assert_problem(400, "invalid_body");
    assert_eq!(r.json["errors"][0]["field"], "body.kind");
}

#[actix_web::test]
async fn validation_lists_every_bad_field() {
    let app = spawn().await;
    let body = json!({"id": "moca!", "name": "X", "kind": "ministry", "state": ""});
    let r = app.post_json("/v1/organisations", &app.dopt(), &body).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(fields, ["body.id", "body.name", "body.state"]);
}

#[actix_web::test]
async fn body_over_the_limit_is_413() {
    let app = spawn_with(&[("CSCMS_MAX_BODY_BYTES", "2048")]).await;
    let body = json!({"id": "MOCA", "name": "x".repeat(4000), "kind": "ministry"});
    let r = app.post_json("/v1/organisations", &app.dopt(), &body).await;
    r.assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn non_json_body_is_415() {
    let app = spawn().await;
    let r = app
        .call(
            TestRequest::post()
                .uri("/v1/organisations")
                .insert_header(("Authorization", format!("Bearer {}", app.dopt())))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("id=MOCA"),
        )
        .await;
    r.assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn bad_query_values_are_400_with_each_parameter() {
    let app = spawn().await;
    let r = app.get("/v1/employees?limit=abc", &app.dopt()).await;
    r.assert_problem(400, "invalid_query");
    let r = app
        .get("/v1/employees?cadre=IAS&limit=500&grade=XYZ", &app.dopt())
        .await;
    r.assert_problem(400, "invalid_query");
    let fields = r.error_fields();
    assert_eq!(fields, ["query.cadre", "query.grade", "query.limit"]);
    let r = app.get("/v1/employees?colour=blue", &app.dopt()).await;
    r.assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn malformed_path_value_is_404_like_an_absent_record() {
    let app = spawn().await;
    let r = app.get("/v1/employees/not%20a%20code", &app.dopt()).await;
    r.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn request_id_is_echoed_or_made() {
    let app = spawn().await;
    let r = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("X-Request-Id", "abc-123")),
        )
        .await;
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let r = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("X-Request-Id", "bad id with spaces")),
        )
        .await;
    let id = r.header("x-request-id").unwrap();
    assert_ne!(id, "bad id with spaces");
    assert_eq!(id.len(), 36);
}

#[actix_web::test]
async fn server_faults_say_nothing_internal() {
    let app = spawn().await;
    // Break the database under the app: the employee list now fails inside.
    app.db(|c| {
        use diesel_free::drop_table;
        drop_table(c)
    })
    .await;
    let r = app.get("/v1/employees", &app.dopt()).await;
    r.assert_problem(500, "internal_error");
    let text = String::from_utf8_lossy(&r.bytes).to_lowercase();
    for leak in ["employees", "table", "sql", "diesel", "no such"] {
        assert!(!text.contains(leak), "leaks '{leak}': {text}");
    }
}

/// Test-only breakage through the store's public surface.
mod diesel_free {
    pub fn drop_table(c: &mut cscms_store::DbConn) -> Result<(), cscms_store::StoreError> {
        cscms_store::testing::execute(c, "ALTER TABLE employees RENAME TO employees_gone")
    }
}

#[actix_web::test]
async fn health_and_readiness() {
    let app = spawn().await;
    let r = app.call(TestRequest::get().uri("/healthz")).await;
    assert_eq!(r.status, 200);
    let r = app.call(TestRequest::get().uri("/readyz")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["status"], "ok");
}
