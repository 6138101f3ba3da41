//! Every role against an in-scope and an out-of-scope record: out of scope
//! is indistinguishable from absent (404), and lists never leak.

use cscms_domain::principal::Role;

use crate::common::{spawn, IN_MHA, IN_MOF, IN_NDMA};

/// (role, anchor, employee codes the caller may see)
const MATRIX: &[(Role, Option<&str>, &[&str])] = &[
    (Role::Employee, Some(IN_MHA), &[IN_MHA]),
    (Role::Employee, Some(IN_MOF), &[IN_MOF]),
    (Role::NodalOfficer, Some("MHA"), &[IN_MHA, IN_NDMA]),
    (Role::NodalOfficer, Some("MOF"), &[IN_MOF]),
    (Role::SubNodalOfficer, Some("MHA-NDMA"), &[]),
    (Role::Avd, None, &[IN_MHA, IN_NDMA, IN_MOF]),
    (Role::Dopt, None, &[IN_MHA, IN_NDMA, IN_MOF]),
    (Role::Integration, None, &[]),
    (
        Role::Integration,
        Some("employees:read"),
        &[IN_MHA, IN_NDMA, IN_MOF],
    ),
];

#[actix_web::test]
async fn employee_records_by_role() {
    let app = spawn().await;
    for (role, anchor, visible) in MATRIX {
        let token = app.token(*role, *anchor);
        for code in [IN_MHA, IN_NDMA, IN_MOF] {
            let r = app.get(&format!("/v1/employees/{code}"), &token).await;
            if visible.contains(&code) {
                assert_eq!(r.status, 200, "{role:?} {anchor:?} should see {code}");
                assert_eq!(r.json["code"], code);
            } else {
                r.assert_problem(404, "not_found");
                assert!(!r.json["detail"].as_str().unwrap_or("").contains("scope"));
            }
        }
        let r = app.get("/v1/employees?limit=200", &token).await;
        assert_eq!(r.status, 200);
        let mut listed: Vec<&str> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        listed.sort_unstable();
        let mut expected = visible.to_vec();
        expected.sort_unstable();
        assert_eq!(listed, expected, "list for {role:?} {anchor:?}");
    }
}

#[actix_web::test]
async fn absent_and_out_of_scope_look_the_same() {
    let app = spawn().await;
    let t = app.token(Role::NodalOfficer, Some("MOF"));
    let hidden = app.get(&format!("/v1/employees/{IN_MHA}"), &t).await;
    let absent = app.get("/v1/employees/CSS-999999", &t).await;
    assert_eq!(hidden.status, absent.status);
    assert_eq!(hidden.json["code"], absent.json["code"]);
    assert_eq!(hidden.json["title"], absent.json["title"]);
}

#[actix_web::test]
async fn organisations_by_role() {
    let app = spawn().await;
    // (role, anchor, organisations visible)
    let cases: &[(Role, Option<&str>, &[&str])] = &[
        (Role::NodalOfficer, Some("MHA"), &["MHA", "MHA-NDMA"]),
        (
            Role::SubNodalOfficer,
            Some("MHA-NDMA"),
            &["MHA", "MHA-NDMA"],
        ),
        (Role::NodalOfficer, Some("MOF"), &["MOF"]),
        (Role::Employee, Some(IN_MOF), &["MHA", "MHA-NDMA", "MOF"]),
        (Role::Dopt, None, &["MHA", "MHA-NDMA", "MOF"]),
        (Role::Integration, None, &[]),
        (
            Role::Integration,
            Some("organisations:read"),
            &["MHA", "MHA-NDMA", "MOF"],
        ),
    ];
    for (role, anchor, visible) in cases {
        let token = app.token(*role, *anchor);
        let r = app.get("/v1/organisations", &token).await;
        let mut listed: Vec<&str> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        listed.sort_unstable();
        assert_eq!(listed, visible.to_vec(), "{role:?} {anchor:?}");
        for id in ["MHA", "MHA-NDMA", "MOF"] {
            let r = app.get(&format!("/v1/organisations/{id}"), &token).await;
            let expected = if visible.contains(&id) { 200 } else { 404 };
            assert_eq!(r.status.as_u16(), expected, "{role:?} {anchor:?} on {id}");
        }
    }
}
