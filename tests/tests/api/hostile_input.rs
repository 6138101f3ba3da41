//! Hostile text and dates are refused at the door, the same on SQLite and
//! PostgreSQL: NUL and other control characters, overlong values, signed
//! or five-digit years, and keys named twice — each a 400/422 naming the
//! field, and nothing stored.

use actix_web::test::TestRequest;
use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{complete, etag, spawn, submitted, Reply, TestApp, IN_MHA};

/// Asserts a refusal with this status naming `field` with `code`.
fn refused(r: &Reply, status: u16, field: &str, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{field}: {}", r.json);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.json
    );
    let errors = r.json["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field && e["code"] == code),
        "expected {field} {code}: {}",
        r.json
    );
}

async fn raw(app: &TestApp, method: &str, path: &str, token: &str, body: &str) -> Reply {
    let req = match method {
        "PATCH" => TestRequest::patch(),
        _ => TestRequest::post(),
    };
    app.call(
        req.uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .set_payload(body.to_owned()),
    )
    .await
}

fn future(days: u64) -> String {
    cscms_api::clearance::today()
        .checked_add_days(chrono::Days::new(days))
        .unwrap()
        .to_string()
}

#[actix_web::test]
async fn control_characters_are_refused_in_every_body_and_the_search() {
    let app = spawn().await;
    let dopt = app.dopt();
    let mut checked = 0;

    // Organisation name (and nothing stored).
    let r = app
        .post_json(
            "/v1/organisations",
            &dopt,
            &json!({"id": "MOCA", "name": "Civil\u{0}Aviation", "kind": "ministry", "state": "Delhi"}),
        )
        .await;
    refused(&r, 422, "body.name", "control_character");
    app.get("/v1/organisations/MOCA", &dopt)
        .await
        .assert_problem(404, "not_found");
    checked += 1;

    // Vigilance order reference.
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/vigilance-status"),
            &app.token(Role::Avd, None),
            &json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD\u{0}1"}),
        )
        .await;
    refused(&r, 422, "body.order_ref", "control_character");
    checked += 1;

    // A line break in a single-line field; one in a multi-line field is kept.
    let me = app.token(Role::Employee, Some(IN_MHA));
    let tag = etag(&app, IN_MHA, &me).await;
    let mut doc = complete();
    doc["address"]["present"]["line"] = json!("C-12\u{0}R K Puram");
    let r = app
        .patch_json(
            &format!("/v1/employees/{IN_MHA}/profile"),
            &me,
            Some(&tag),
            &doc,
        )
        .await;
    refused(&r, 422, "body.address.present.line", "control_character");
    doc["address"]["present"]["line"] = json!("C-12\nR K Puram");
    let r = app
        .patch_json(
            &format!("/v1/employees/{IN_MHA}/profile"),
            &me,
            Some(&tag),
            &doc,
        )
        .await;
    refused(&r, 422, "body.address.present.line", "control_character");
    checked += 2;

    // Foreign-visit purpose (multi-line, but never NUL).
    let me = submitted(&app, IN_MHA).await;
    let mut visit = crate::foreign_visits::visit();
    visit["purpose"] = json!("Family\u{0}holiday");
    let r = app.post_json("/v1/foreign-visits", &me, &visit).await;
    refused(&r, 422, "body.purpose", "control_character");
    checked += 1;

    // The search term: NUL, and over the limit.
    let r = app.get("/v1/employees?q=%00", &dopt).await;
    refused(&r, 400, "query.q", "control_character");
    assert_eq!(r.json["code"], "invalid_query");
    let r = app
        .get(&format!("/v1/employees?q={}", "a".repeat(101)), &dopt)
        .await;
    refused(&r, 400, "query.q", "too_long");
    // A NUL in a path segment.
    let r = app.get("/v1/employees/CSS-000001%00", &dopt).await;
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(r.json["code"], "invalid_path");
    checked += 3;

    // Values inside a bulk body's rows are named by their row, whichever
    // came before them (refused whole, nothing imported).
    let sparrow = app.token(
        Role::Integration,
        Some(cscms_domain::principal::scopes::APAR_WRITE),
    );
    let row = |code: &str, note: &str| {
        json!({"employee_code": code, "from": "2019-04-01", "to": "2020-03-31",
               "grading": "good", "expert_panel": {"grading": "good", "note": note}})
    };
    let body = json!({"rows": [
        row(IN_MHA, "Fine"),
        row("CSS-0\u{1}1", "Fine"),
        row(IN_MHA, "  Trimmed  "),
        row(IN_MHA, "Bad\u{7f}note"),
    ]});
    let r = app
        .call(
            TestRequest::post()
                .uri("/v1/apars/import")
                .insert_header(("Authorization", format!("Bearer {sparrow}")))
                .insert_header(("Idempotency-Key", "hostile-rows"))
                .set_json(&body),
        )
        .await;
    refused(&r, 422, "body.rows[1].employee_code", "control_character");
    refused(
        &r,
        422,
        "body.rows[3].expert_panel.note",
        "control_character",
    );
    assert_eq!(
        r.json["errors"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.json
    );
    let held = app
        .get(&format!("/v1/employees/{IN_MHA}/apars"), &dopt)
        .await;
    assert_eq!(held.json["items"], json!([]), "{}", held.json);
    checked += 2;
    assert_eq!(checked, 10);
}

#[actix_web::test]
async fn text_is_trimmed_and_bounded() {
    let app = spawn().await;
    let dopt = app.dopt();
    let r = app
        .post_json(
            "/v1/organisations",
            &dopt,
            &json!({"id": "MOCA", "name": "x".repeat(501), "kind": "ministry", "state": "Delhi"}),
        )
        .await;
    refused(&r, 422, "body.name", "too_long");
    let r = app
        .post_json(
            "/v1/organisations",
            &dopt,
            &json!({"id": "MOCA", "name": "  Ministry of Civil Aviation \t", "kind": "ministry", "state": "Delhi"}),
        )
        .await;
    // A tab is a control character in a single-line field, even at the end.
    refused(&r, 422, "body.name", "control_character");
    let r = app
        .post_json(
            "/v1/organisations",
            &dopt,
            &json!({"id": "MOCA", "name": "  Ministry of Civil Aviation  ", "kind": "ministry", "state": "Delhi"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app.get("/v1/organisations/MOCA", &dopt).await;
    assert_eq!(r.json["name"], "Ministry of Civil Aviation");
    // The contract states the limits.
    let spec = app.get("/v1/openapi.json", &dopt).await.json;
    let limits: Vec<u64> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|s| s["properties"].as_object())
        .flat_map(|p| p.values())
        .filter_map(|p| p["maxLength"].as_u64())
        .collect();
    assert!(
        limits.contains(&500) && limits.contains(&4000),
        "{limits:?}"
    );
}

#[actix_web::test]
async fn dates_outside_the_plain_form_and_range_are_refused_everywhere() {
    let app = spawn().await;
    let dopt = app.dopt();
    let me = submitted(&app, IN_MHA).await;
    let mut cases = 0;
    let dates = ["+99999-01-01", "99999-01-01", "1850-01-01", "2024-02-30"];
    for bad in dates {
        // A body date: the foreign visit's.
        let mut visit = crate::foreign_visits::visit();
        visit["from_date"] = json!(bad);
        let r = app.post_json("/v1/foreign-visits", &me, &visit).await;
        assert!(
            r.status == 422 || r.status == 400,
            "{bad}: {} {}",
            r.status,
            r.json
        );
        assert!(
            r.json["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "body.from_date"),
            "{bad}: {}",
            r.json
        );
        // Vigilance effective_from.
        let r = app
            .post_json(
                &format!("/v1/employees/{IN_MHA}/vigilance-status"),
                &app.token(Role::Avd, None),
                &json!({"status": "clear", "effective_from": bad, "order_ref": "AVD-I/1/2015"}),
            )
            .await;
        assert!(r.status == 422 || r.status == 400, "{bad}: {}", r.json);
        assert!(
            r.json.to_string().contains("body.effective_from"),
            "{bad}: {}",
            r.json
        );
        // Query parameters of the clearance and MACP endpoints.
        for path in [
            format!("/v1/employees/{IN_MHA}/vigilance-clearance?purpose=empanelment&as_of={bad}"),
            format!("/v1/employees/{IN_MHA}/macp?as_of={bad}"),
        ] {
            let r = app.get(&path.replace('+', "%2B"), &dopt).await;
            assert_eq!(r.status, 400, "{path}: {}", r.json);
            assert!(
                r.json.to_string().contains("query.as_of"),
                "{path}: {}",
                r.json
            );
        }
        cases += 4;
    }
    // A validation round's deadline (a timestamp).
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .post_json(
            "/v1/validation-rounds",
            &nodal,
            &json!({"deadline": "+99999-01-01T00:00:00Z", "organisations": ["MHA"]}),
        )
        .await;
    refused(&r, 422, "body.deadline", "invalid_date");
    // An advertisement's last date.
    let r = app
        .post_json(
            "/v1/organisations/MHA/sub-organisations",
            &nodal,
            &json!({"id": "MHA-X", "name": "Body X", "kind": "autonomous_body", "state": "Delhi",
                    "officer": {"sub": "sub-nodal.x", "name": "Anil Kumar",
                                "designation": "Deputy Director", "email": "dd@x.gov.in"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let sub = app.token(Role::SubNodalOfficer, Some("MHA-X"));
    let mut advert = json!({"post": "Deputy Director", "level": "10", "vacancies": 1,
        "place": "Delhi", "place_state": "Delhi", "tenure_years": 3,
        "eligibility": {"cadres": ["CSS"], "grades": [], "min_level": "7", "min_years_in_grade": 2},
        "last_date": "+99999-01-01", "documents_required": ["APARs of the last five years"]});
    let r = app
        .post_json("/v1/deputation/advertisements", &sub, &advert)
        .await;
    refused(&r, 422, "body.last_date", "invalid_date");
    advert["last_date"] = json!(future(30));
    let r = app
        .post_json("/v1/deputation/advertisements", &sub, &advert)
        .await;
    assert_eq!(
        r.status, 201,
        "the same advert with a plain date: {}",
        r.json
    );
    cases += 2;
    assert_eq!(cases, 18);
}

#[actix_web::test]
async fn a_key_named_twice_is_refused_in_typed_bodies_and_merge_patches() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let tag = etag(&app, IN_MHA, &me).await;
    let path = format!("/v1/employees/{IN_MHA}/profile");
    let patch = r#"{"contact": {"mobile": "9876543210", "mobile": "9999999999"}}"#;
    let r = app
        .call(
            TestRequest::patch()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {me}")))
                .insert_header(("If-Match", tag.clone()))
                .insert_header(("Content-Type", "application/merge-patch+json"))
                .set_payload(patch),
        )
        .await;
    r.assert_problem(400, "duplicate_key");
    refused(&r, 400, "body.contact.mobile", "duplicate_key");
    // Nothing was applied: the version read is still current.
    assert_eq!(etag(&app, IN_MHA, &me).await, tag);
    let body = r#"{"id": "MOCA", "id": "MOCB", "name": "Civil Aviation", "kind": "ministry", "state": "Delhi"}"#;
    let r = raw(&app, "POST", "/v1/organisations", &app.dopt(), body).await;
    r.assert_problem(400, "duplicate_key");
    refused(&r, 400, "body.id", "duplicate_key");
    let v: Value = serde_json::from_str(patch).unwrap();
    assert_eq!(
        v["contact"]["mobile"], "9999999999",
        "serde_json alone keeps the last"
    );
}
