//! The scope matrix, generated from the route table (the OpenAPI document
//! the code produces): every operation on a record path × every role ×
//! (own record, same-ministry record, other-ministry record). The expected
//! visibility is the one table below. Zero leaks means: a hidden record
//! answers exactly as a record that does not exist, whatever the method,
//! and a visible one reads as it does for DoPT (or is refused outright).

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use chrono::Datelike;
use cscms_domain::principal::Role;

use crate::common::{spawn, IN_MHA, IN_MOF, IN_NDMA};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sees {
    Yes,
    No,
}
use Sees::{No, Yes};

/// Who sees what: (resource family, role, anchor) → [own, same ministry, other ministry].
/// Employee records: own = CSS-000001 (MHA), same = CSS-000002 (MHA-NDMA), other = CSSS-000003 (MOF).
/// Organisations: own = MHA, same = MHA-NDMA, other = MOF.
const TABLE: &[(&str, Role, Option<&str>, [Sees; 3])] = &[
    ("employee", Role::Employee, Some(IN_MHA), [Yes, No, No]),
    ("employee", Role::NodalOfficer, Some("MHA"), [Yes, Yes, No]),
    (
        "employee",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("employee", Role::Avd, None, [Yes, Yes, Yes]),
    ("employee", Role::Dopt, None, [Yes, Yes, Yes]),
    ("employee", Role::Integration, None, [No, No, No]),
    (
        "employee",
        Role::Integration,
        Some("employees:read"),
        [Yes, Yes, Yes],
    ),
    (
        "organisation",
        Role::Employee,
        Some(IN_MHA),
        [Yes, Yes, Yes],
    ),
    (
        "organisation",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "organisation",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [Yes, Yes, No],
    ),
    ("organisation", Role::Avd, None, [Yes, Yes, Yes]),
    ("organisation", Role::Dopt, None, [Yes, Yes, Yes]),
    ("organisation", Role::Integration, None, [No, No, No]),
    (
        "organisation",
        Role::Integration,
        Some("organisations:read"),
        [Yes, Yes, Yes],
    ),
    (
        "working_strength",
        Role::Employee,
        Some(IN_MHA),
        [No, No, No],
    ),
    (
        "working_strength",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "working_strength",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("working_strength", Role::Avd, None, [Yes, Yes, Yes]),
    ("working_strength", Role::Dopt, None, [Yes, Yes, Yes]),
    (
        "working_strength",
        Role::Integration,
        Some("organisations:read"),
        [No, No, No],
    ),
];

fn family(path: &str) -> &'static str {
    if path.starts_with("/v1/employees/{code}/apars") {
        "apar"
    } else if path.starts_with("/v1/employees/") {
        "employee"
    } else if path.ends_with("/working-strength") {
        "working_strength"
    } else if path.starts_with("/v1/organisations/") {
        "organisation"
    } else if path.starts_with("/v1/empanelment/") {
        "empanelment"
    } else if path.starts_with("/v1/foreign-visits/") {
        "foreign_visit"
    } else {
        panic!("scope matrix: which family of records does {path} belong to?")
    }
}

/// Fills the path's parameters: the record under test, and values for the
/// others. A new parameter must be given a value here.
fn fill(path: &str, record: &str, year: i32) -> String {
    let filled = if [
        "/v1/organisations/",
        "/v1/empanelment/",
        "/v1/foreign-visits/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
    {
        path.replace("{id}", record)
    } else {
        path.replace("{code}", record).replace("{id}", "1")
    };
    let filled = filled
        .replace("{year}", &year.to_string())
        .replace("{officer}", "A01")
        .replace("{seq}", "1");
    assert!(
        !filled.contains('{'),
        "scope matrix: give a value for the parameters of {path}"
    );
    filled
}

/// One request through an app built once (the matrix makes over a thousand).
async fn send<S, B>(svc: &S, method: &str, uri: &str, token: &str) -> (u16, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req = match method {
        "get" => TestRequest::get(),
        "post" => TestRequest::post(),
        "put" => TestRequest::put(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("method {other}"),
    };
    let mut req = req
        .uri(uri)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if method != "get" {
        req = req
            .insert_header(("If-Match", "\"1\""))
            .set_json(serde_json::json!({}));
    }
    let res = test::call_service(svc, req.to_request()).await;
    let status = res.status().as_u16();
    let json: serde_json::Value =
        serde_json::from_slice(&test::read_body(res).await).unwrap_or_default();
    (status, json["code"].as_str().unwrap_or("").to_owned())
}

#[actix_web::test]
async fn no_operation_leaks_a_record_outside_the_callers_scope() {
    let app = spawn().await;
    let year = cscms_api::clearance::today().year() - 1;
    for code in [IN_MHA, IN_NDMA, IN_MOF] {
        crate::ipr::file_on(&app, code, year, crate::ipr::ymd(year + 1, 1, 10), None).await;
    }
    // Foreign visit requests 1, 2, 3 of the three employees.
    for code in [IN_MHA, IN_NDMA, IN_MOF] {
        let me = crate::common::submitted(&app, code).await;
        crate::foreign_visits::apply(&app, &me).await;
    }
    let api = serde_json::to_value(cscms_api::openapi()).unwrap();
    let svc = test::init_service(cscms_api::app(app.state.clone())).await;
    let dopt = app.dopt();
    let mut checked = 0;
    for (path, item) in api["paths"].as_object().unwrap() {
        if !(path.contains("{code}") || path.contains("{id}")) {
            continue;
        }
        // Deputation records are checked role by role, from their workflow
        // tables, in tests/tests/api/deputation.rs (advertisements are public
        // notices; applications are shared with the borrowing organisation).
        if path.starts_with("/v1/deputation/") {
            continue;
        }
        let fam = family(path);
        let records: [&str; 3] = if fam == "employee" {
            [IN_MHA, IN_NDMA, IN_MOF]
        } else {
            ["MHA", "MHA-NDMA", "MOF"]
        };
        let absent = if fam == "employee" {
            "CSS-999999"
        } else {
            "ZZZ"
        };
        for method in item.as_object().unwrap().keys() {
            for (f, role, anchor, sees) in TABLE.iter().filter(|row| row.0 == fam) {
                let _ = f;
                let token = app.token(*role, *anchor);
                let nothing = send(&svc, method, &fill(path, absent, year), &token).await;
                for (record, expect) in records.iter().zip(sees) {
                    let uri = fill(path, record, year);
                    let got = send(&svc, method, &uri, &token).await;
                    match expect {
                        No => {
                            assert_eq!(got, nothing, "LEAK: {method} {uri} as {role:?} {anchor:?} differs from an absent record");
                            assert!(
                                got.0 >= 400,
                                "{method} {uri} as {role:?} {anchor:?} acted on a hidden record"
                            );
                        }
                        Yes if method == "get" => {
                            let reference = send(&svc, method, &uri, &dopt).await;
                            assert!(
                                got.0 == reference.0 || got.0 == 403,
                                "{method} {uri} as {role:?} {anchor:?}: {got:?}, DoPT gets {reference:?}"
                            );
                        }
                        Yes => assert_ne!(
                            got.1, "not_found",
                            "{method} {uri} as {role:?} {anchor:?} should see it"
                        ),
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "the matrix covered {checked} cases");
}
