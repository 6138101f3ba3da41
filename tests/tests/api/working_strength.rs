//! PRF-3: an organisation's working strength — who validates it, and who
//! reads it.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{spawn, TestApp, IN_MHA};

const URL: &str = "/v1/organisations/MHA/working-strength";

/// A GET, with `If-None-Match` when given.
async fn read(app: &TestApp, token: &str, if_none_match: Option<&str>) -> crate::common::Reply {
    let mut req = TestRequest::get()
        .uri(URL)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(tag) = if_none_match {
        req = req.insert_header(("If-None-Match", tag.to_owned()));
    }
    app.call(req).await
}

fn etag(r: &crate::common::Reply) -> String {
    r.header("etag").expect("an ETag").to_owned()
}

#[actix_web::test]
async fn only_the_nodal_officer_validates_working_strength() {
    let app = spawn().await;
    let dopt = app.dopt();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let entries = json!([{"cadre": "CSS", "grade": "SO", "sanctioned": 4}]);

    // PRF-3: DoPT may enter the figures, not record them as validated.
    let validated = json!({"entries": entries, "validated": true});
    app.put_json(URL, &dopt, Some("\"0\""), &validated)
        .await
        .assert_problem(403, "forbidden");
    let r = read(&app, &dopt, None).await;
    assert_eq!(r.json["version"], 0, "nothing was entered: {}", r.json);
    let r = app
        .put_json(URL, &dopt, Some("\"0\""), &json!({"entries": entries}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_by"], Value::Null);
    assert_eq!(r.json["updated_by"], "dopt:x");

    // The ministry's nodal officer validates them, for the ministry and for
    // a body under it.
    let tag = etag(&r);
    let r = app.put_json(URL, &nodal, Some(&tag), &validated).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_by"], "nodal_officer:MHA");
    let body_url = "/v1/organisations/MHA-NDMA/working-strength";
    let r = app
        .put_json(body_url, &nodal, Some("\"0\""), &validated)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_by"], "nodal_officer:MHA");
    // A later change by DoPT awaits validation again.
    let tag = etag(&read(&app, &dopt, None).await);
    let r = app
        .put_json(URL, &dopt, Some(&tag), &json!({"entries": entries}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_at"], Value::Null);
}

#[actix_web::test]
async fn working_strength_is_hidden_exactly_where_its_organisation_is() {
    let app = spawn().await;
    let body = json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}]});
    // (caller, organisation): its own organisation answers 200 and its
    // strength is refused — the organisation is not said to be absent.
    let refused = [
        (app.token(Role::Employee, Some(IN_MHA)), "MHA"),
        (app.token(Role::Employee, Some(IN_MHA)), "MOF"),
        (
            app.token(Role::SubNodalOfficer, Some("MHA-NDMA")),
            "MHA-NDMA",
        ),
        (app.token(Role::SubNodalOfficer, Some("MHA-NDMA")), "MHA"),
        (
            app.token(Role::Integration, Some(scopes::ORGANISATIONS_READ)),
            "MOF",
        ),
    ];
    for (token, org) in &refused {
        let path = format!("/v1/organisations/{org}");
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
        let ws = format!("{path}/working-strength");
        app.get(&ws, token).await.assert_problem(403, "forbidden");
        app.put_json(&ws, token, Some("\"0\""), &body)
            .await
            .assert_problem(403, "forbidden");
    }
    // Where the organisation is hidden, so is its strength.
    let hidden = [
        (app.token(Role::SubNodalOfficer, Some("MHA-NDMA")), "MOF"),
        (app.token(Role::NodalOfficer, Some("MOF")), "MHA"),
        (
            app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
            "MHA",
        ),
    ];
    for (token, org) in &hidden {
        let path = format!("/v1/organisations/{org}");
        app.get(&path, token).await.assert_problem(404, "not_found");
        let ws = format!("{path}/working-strength");
        app.get(&ws, token).await.assert_problem(404, "not_found");
        app.put_json(&ws, token, Some("\"0\""), &body)
            .await
            .assert_problem(404, "not_found");
    }
    // Those whose business it is read it.
    for token in [
        app.token(Role::NodalOfficer, Some("MHA")),
        app.token(Role::Avd, None),
        app.dopt(),
    ] {
        assert_eq!(app.get(URL, &token).await.status, 200);
    }
}
