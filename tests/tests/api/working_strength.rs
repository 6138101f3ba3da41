//! PRF-3: an organisation's working strength — who reads it.

use cscms_domain::principal::{scopes, Role};
use serde_json::json;

use crate::common::{spawn, IN_MHA};

const URL: &str = "/v1/organisations/MHA/working-strength";

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
