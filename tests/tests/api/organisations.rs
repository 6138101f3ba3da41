//! Creating organisations: DoPT only, parent rules, conflicts, audit.

use cscms_domain::principal::Role;
use serde_json::json;

use crate::common::spawn;

#[actix_web::test]
async fn dopt_creates_and_the_change_is_audited() {
    let app = spawn().await;
    let body = json!({"id": "MHA-BPRD", "name": "Bureau of Police Research and Development",
                      "kind": "attached_office", "parent_id": "MHA", "state": "Delhi"});
    let r = app.post_json("/v1/organisations", &app.dopt(), &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("location"), Some("/v1/organisations/MHA-BPRD"));
    let request_id = r.header("x-request-id").unwrap().to_owned();
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "organisation", "MHA-BPRD"))
        .await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "create");
    assert_eq!(trail[0].actor_role.as_str(), "dopt");
    assert_eq!(trail[0].request_id, request_id);
    assert!(trail[0].before_json.is_none());
    assert!(trail[0]
        .after_json
        .as_deref()
        .unwrap()
        .contains("Bureau of Police"));
    let r = app.get("/v1/organisations/MHA", &app.dopt()).await;
    let children: Vec<&str> = r.json["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["MHA-BPRD", "MHA-NDMA"]);
}

#[actix_web::test]
async fn only_dopt_creates() {
    let app = spawn().await;
    let body = json!({"id": "MOCA", "name": "Ministry of Civil Aviation", "kind": "ministry"});
    for (role, anchor) in [
        (Role::NodalOfficer, Some("MHA")),
        (Role::Avd, None),
        (Role::Employee, Some("CSS-000001")),
    ] {
        let r = app
            .post_json("/v1/organisations", &app.token(role, anchor), &body)
            .await;
        r.assert_problem(403, "forbidden");
    }
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "organisation", "MOCA"))
        .await;
    assert!(trail.is_empty());
}

#[actix_web::test]
async fn parent_rules_and_conflicts() {
    let app = spawn().await;
    let t = app.dopt();
    let r = app
        .post_json(
            "/v1/organisations",
            &t,
            &json!({"id": "MOF-X", "name": "Some PSU", "kind": "psu"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.parent_id");
    let r = app
        .post_json("/v1/organisations", &t, &json!({"id": "MOCA", "name": "Ministry of Civil Aviation", "kind": "ministry", "parent_id": "MHA"}))
        .await;
    r.assert_problem(422, "validation_failed");
    // A sub-organisation cannot be the parent.
    let r = app
        .post_json(
            "/v1/organisations",
            &t,
            &json!({"id": "NDMA-X", "name": "Nested body", "kind": "psu", "parent_id": "MHA-NDMA"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["code"], "unknown_parent");
    let r = app
        .post_json(
            "/v1/organisations",
            &t,
            &json!({"id": "MHA", "name": "Again", "kind": "ministry"}),
        )
        .await;
    r.assert_problem(409, "already_exists");
    // Nor a second ministry of one name, whatever its case; and a State is
    // one of India's, kept by its name.
    let r = app
        .post_json(
            "/v1/organisations",
            &t,
            &json!({"id": "MHA2", "name": "ministry of home affairs", "kind": "ministry"}),
        )
        .await;
    r.assert_problem(409, "already_exists");
    let r = app
        .post_json(
            "/v1/organisations",
            &t,
            &json!({"id": "MOX", "name": "Ministry X", "kind": "ministry", "state": "Narnia"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.state"]);
    let r = app
        .post_json(
            "/v1/organisations",
            &t,
            &json!({"id": "MOX", "name": "Ministry X", "kind": "ministry", "state": "NCT of Delhi"}),
        )
        .await;
    assert_eq!(r.json["state"], "Delhi", "{}", r.json);
}
