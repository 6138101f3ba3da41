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
use cscms_domain::principal::{scopes, Role};

use crate::common::{spawn, IN_MHA, IN_MOF, IN_NDMA};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sees {
    Yes,
    No,
}
use Sees::{No, Yes};

/// Every family of records a path can name. Each must have rows below and
/// at least one path in the route table, or the matrix fails.
const FAMILIES: &[&str] = &[
    "service_record",
    "profile",
    "vigilance",
    "property_return",
    "apar",
    "foreign_visit",
    "deputation_application",
    "advertisement",
    "organisation",
    "working_strength",
    "empanelment",
    "surplus_requisition",
    "interest",
    "competency_area",
    "exgratia_case",
    "rti_request",
    "delpge_programme",
    "delpge_claim",
    "delpge_ledger",
    "client",
    "rotation_round",
    "rotation_preference",
    "spouse_posting",
];

/// Who sees what among people: (family, role, anchor) → [own, same ministry, other ministry].
/// Employee records: own = CSS-000001 (MHA), same = CSS-000002 (MHA-NDMA), other = CSSS-000003 (MOF);
/// foreign visits and deputation applications are those of these three.
/// Organisations: own = MHA, same = MHA-NDMA, other = MOF.
/// Advertisements: of MHA-NDMA, of MHA-NISA (under MHA), of MOF-CBIC.
/// Empanelment batches: three batches, DoPT's business alone.
/// Surplus requisitions (SUR-1): of MHA, of MHA-NDMA (under MHA), of MOF.
/// Integration clients are not listed: their rows come from [`SCOPE_GRANTS`].
const PEOPLE: &[(&str, Role, Option<&str>, [Sees; 3])] = &[
    (
        "employee_record",
        Role::Employee,
        Some(IN_MHA),
        [Yes, No, No],
    ),
    (
        "employee_record",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "employee_record",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("employee_record", Role::Avd, None, [Yes, Yes, Yes]),
    ("employee_record", Role::Dopt, None, [Yes, Yes, Yes]),
    // CSS-2: APARs are confidential; not nodal officers, not AVD.
    ("apar", Role::Employee, Some(IN_MHA), [Yes, No, No]),
    ("apar", Role::NodalOfficer, Some("MHA"), [No, No, No]),
    (
        "apar",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("apar", Role::Avd, None, [No, No, No]),
    ("apar", Role::Dopt, None, [Yes, Yes, Yes]),
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
    (
        "advertisement",
        Role::Employee,
        Some(IN_MHA),
        [Yes, Yes, Yes],
    ),
    (
        "advertisement",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "advertisement",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [Yes, No, No],
    ),
    ("advertisement", Role::Avd, None, [Yes, Yes, Yes]),
    ("advertisement", Role::Dopt, None, [Yes, Yes, Yes]),
    ("empanelment", Role::Employee, Some(IN_MHA), [No, No, No]),
    ("empanelment", Role::NodalOfficer, Some("MHA"), [No, No, No]),
    (
        "empanelment",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("empanelment", Role::Avd, None, [No, No, No]),
    ("empanelment", Role::Dopt, None, [Yes, Yes, Yes]),
    // SUR-1: the office, its ministry and DoPT; not AVD, not employees.
    (
        "surplus_requisition",
        Role::Employee,
        Some(IN_MHA),
        [No, No, No],
    ),
    (
        "surplus_requisition",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "surplus_requisition",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, Yes, No],
    ),
    ("surplus_requisition", Role::Avd, None, [No, No, No]),
    ("surplus_requisition", Role::Dopt, None, [Yes, Yes, Yes]),
    // AOI-1: training interests are not vigilance's business.
    ("interest", Role::Employee, Some(IN_MHA), [Yes, No, No]),
    ("interest", Role::NodalOfficer, Some("MHA"), [Yes, Yes, No]),
    (
        "interest",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("interest", Role::Avd, None, [No, No, No]),
    ("interest", Role::Dopt, None, [Yes, Yes, Yes]),
    // The catalogue is reference data everyone reads (only DoPT changes it).
    (
        "competency_area",
        Role::Employee,
        Some(IN_MHA),
        [Yes, Yes, Yes],
    ),
    (
        "competency_area",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, Yes],
    ),
    (
        "competency_area",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [Yes, Yes, Yes],
    ),
    ("competency_area", Role::Avd, None, [Yes, Yes, Yes]),
    ("competency_area", Role::Dopt, None, [Yes, Yes, Yes]),
    // EXG-1, RTI-1: DoPT's registers.
    ("exgratia_case", Role::Employee, Some(IN_MHA), [No, No, No]),
    (
        "exgratia_case",
        Role::NodalOfficer,
        Some("MHA"),
        [No, No, No],
    ),
    (
        "exgratia_case",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("exgratia_case", Role::Avd, None, [No, No, No]),
    ("exgratia_case", Role::Dopt, None, [Yes, Yes, Yes]),
    ("rti_request", Role::Employee, Some(IN_MHA), [No, No, No]),
    ("rti_request", Role::NodalOfficer, Some("MHA"), [No, No, No]),
    (
        "rti_request",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("rti_request", Role::Avd, None, [No, No, No]),
    ("rti_request", Role::Dopt, None, [Yes, Yes, Yes]),
    // TRN-1: programmes are notified to all; claims and the ledger are the
    // employee's, the nodal officer's and DoPT's, not AVD's.
    (
        "delpge_programme",
        Role::Employee,
        Some(IN_MHA),
        [Yes, Yes, Yes],
    ),
    (
        "delpge_programme",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, Yes],
    ),
    (
        "delpge_programme",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [Yes, Yes, Yes],
    ),
    ("delpge_programme", Role::Avd, None, [Yes, Yes, Yes]),
    ("delpge_programme", Role::Dopt, None, [Yes, Yes, Yes]),
    ("delpge_claim", Role::Employee, Some(IN_MHA), [Yes, No, No]),
    (
        "delpge_claim",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "delpge_claim",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("delpge_claim", Role::Avd, None, [No, No, No]),
    ("delpge_claim", Role::Dopt, None, [Yes, Yes, Yes]),
    // INT-1: the register of integration clients is DoPT's alone.
    ("client", Role::Employee, Some(IN_MHA), [No, No, No]),
    ("client", Role::NodalOfficer, Some("MHA"), [No, No, No]),
    (
        "client",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("client", Role::Avd, None, [No, No, No]),
    ("client", Role::Dopt, None, [Yes, Yes, Yes]),
    // ROT-1: rounds are announced to everyone of the cadres and offices.
    (
        "rotation_round",
        Role::Employee,
        Some(IN_MHA),
        [Yes, Yes, Yes],
    ),
    (
        "rotation_round",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, Yes],
    ),
    (
        "rotation_round",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [Yes, Yes, Yes],
    ),
    ("rotation_round", Role::Avd, None, [Yes, Yes, Yes]),
    ("rotation_round", Role::Dopt, None, [Yes, Yes, Yes]),
    // An officer's list: the officer, their ministry's nodal officer, DoPT;
    // not AVD.
    (
        "rotation_preference",
        Role::Employee,
        Some(IN_MHA),
        [Yes, No, No],
    ),
    (
        "rotation_preference",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "rotation_preference",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("rotation_preference", Role::Avd, None, [No, No, No]),
    ("rotation_preference", Role::Dopt, None, [Yes, Yes, Yes]),
    // SPO-1: the employee, the nodal officer who decides, DoPT which hears
    // representations; not AVD, not a body's sub-nodal officer.
    (
        "spouse_posting",
        Role::Employee,
        Some(IN_MHA),
        [Yes, No, No],
    ),
    (
        "spouse_posting",
        Role::NodalOfficer,
        Some("MHA"),
        [Yes, Yes, No],
    ),
    (
        "spouse_posting",
        Role::SubNodalOfficer,
        Some("MHA-NDMA"),
        [No, No, No],
    ),
    ("spouse_posting", Role::Avd, None, [No, No, No]),
    ("spouse_posting", Role::Dopt, None, [Yes, Yes, Yes]),
];

/// Families whose people rows are those of another family. An
/// organisation's working strength (PRF-3) is hidden exactly where the
/// organisation is: a caller who sees the organisation but may not read its
/// strength (an employee, a body's sub-nodal officer, a client with
/// `organisations:read`) is refused, never told it is absent.
const SAME_PEOPLE: &[(&str, &str)] = &[
    ("delpge_ledger", "delpge_claim"),
    ("working_strength", "organisation"),
];

const EMPLOYEE_RECORDS: &[&str] = &[
    "service_record",
    "profile",
    "vigilance",
    "property_return",
    "foreign_visit",
    "deputation_application",
];

/// Which integration scope lets a client see which families (all three
/// records, or none). A scope not listed for a family sees none of it.
const SCOPE_GRANTS: &[(&str, &[&str])] = &[
    (scopes::EMPLOYEES_READ, &["service_record"]),
    (scopes::PROFILES_READ, &["profile"]),
    (scopes::VIGILANCE_READ, &["vigilance"]),
    (
        scopes::ORGANISATIONS_READ,
        &["organisation", "advertisement", "working_strength"],
    ),
    (scopes::APAR_READ, &["apar"]),
    (scopes::APAR_WRITE, &[]),
    (scopes::EMPANELMENT_READ, &["empanelment"]),
    (scopes::EMPANELMENT_WRITE, &["empanelment"]),
    (scopes::INTERESTS_READ, &["interest", "competency_area"]),
    (scopes::METRICS_READ, &[]),
];

/// One row of the matrix: a caller and what it sees of a family's three records.
#[derive(Clone, Copy, Debug)]
struct Row {
    role: Role,
    anchor: Option<&'static str>,
    sees: [Sees; 3],
}

/// The rows of a family: its people rows, a client with no scope, and one
/// client per scope of the contract.
fn rows(family: &str) -> Vec<Row> {
    let people = if EMPLOYEE_RECORDS.contains(&family) {
        "employee_record"
    } else {
        SAME_PEOPLE
            .iter()
            .find(|(f, _)| *f == family)
            .map_or(family, |(_, p)| p)
    };
    let mut rows: Vec<Row> = PEOPLE
        .iter()
        .filter(|r| r.0 == people)
        .map(|r| Row {
            role: r.1,
            anchor: r.2,
            sees: r.3,
        })
        .collect();
    if rows.is_empty() {
        return rows;
    }
    rows.push(Row {
        role: Role::Integration,
        anchor: None,
        sees: [No; 3],
    });
    for (scope, families) in SCOPE_GRANTS {
        let s = if families.contains(&family) { Yes } else { No };
        rows.push(Row {
            role: Role::Integration,
            anchor: Some(scope),
            sees: [s; 3],
        });
    }
    rows
}

/// Routes open to anyone by design: they answer for a print's verification
/// code, not for anyone's record (PRF-5), or are the OAuth endpoints a
/// client calls before it has a token (the token endpoint authenticates
/// the client itself). The contract must say so.
const PUBLIC: &[&str] = &[
    "/v1/prints/{code}",
    "/oauth2/token",
    "/.well-known/oauth-authorization-server",
    "/.well-known/jwks.json",
];

/// Whether a route of the contract is a record route the matrix covers.
fn scoped(path: &str) -> bool {
    (path.contains("{code}") || path.contains("{id}")) && !PUBLIC.contains(&path)
}

fn family(path: &str) -> &'static str {
    let tail = path.strip_prefix("/v1/employees/{code}").unwrap_or("");
    if path.starts_with("/v1/employees/{code}") {
        if tail.starts_with("/apars") {
            "apar"
        } else if tail.starts_with("/profile") {
            "profile"
        } else if tail.starts_with("/vigilance") {
            "vigilance"
        } else if tail.starts_with("/ipr") {
            "property_return"
        } else if tail.starts_with("/interests") {
            "interest"
        } else if tail.starts_with("/delpge") {
            "delpge_ledger"
        } else if tail.starts_with("/rotation/rounds/") {
            "rotation_preference"
        } else if [
            "",
            "/macp",
            "/nfs",
            "/rotation",
            "/rotation/promotion-outlooks",
        ]
        .contains(&tail)
        {
            "service_record"
        } else {
            panic!("scope matrix: which family of records does {path} belong to?")
        }
    } else if path.ends_with("/working-strength") {
        "working_strength"
    } else if path.starts_with("/v1/organisations/") {
        "organisation"
    } else if path.starts_with("/v1/empanelment/") {
        "empanelment"
    } else if path.starts_with("/v1/foreign-visits/") {
        "foreign_visit"
    } else if path.starts_with("/v1/spouse-postings/") {
        "spouse_posting"
    } else if path.starts_with("/v1/deputation/advertisements/") {
        "advertisement"
    } else if path.starts_with("/v1/deputation/applications/") {
        "deputation_application"
    } else if path.starts_with("/v1/surplus/requisitions/") {
        "surplus_requisition"
    } else if path.starts_with("/v1/interests/catalogue/") {
        "competency_area"
    } else if path.starts_with("/v1/ex-gratia/cases/") {
        "exgratia_case"
    } else if path.starts_with("/v1/rti/requests/") {
        "rti_request"
    } else if path.starts_with("/v1/delpge/programmes/") {
        "delpge_programme"
    } else if path.starts_with("/v1/delpge/claims/") {
        "delpge_claim"
    } else if path.starts_with("/v1/clients/") {
        "client"
    } else if path.starts_with("/v1/rotation/rounds/") {
        "rotation_round"
    } else {
        panic!("scope matrix: which family of records does {path} belong to?")
    }
}

/// Fills the path's parameters: the record under test, and values for the
/// others. A new parameter must be given a value here.
fn fill(path: &str, record: &str, year: i32, hooks: &Hooks) -> String {
    // A client's webhook and a delivery of it (the absent client gets ids
    // no client has).
    let (hook, delivery) = hooks.get(record).cloned().unwrap_or((999_999, 999_999));
    let path = path
        .replace("{webhook_id}", &hook.to_string())
        .replace("{delivery_id}", &delivery.to_string());
    let path = path.as_str();
    let filled = if path.contains("{code}") {
        path.replace("{code}", record).replace("{id}", "1")
    } else {
        path.replace("{id}", record)
    };
    let filled = filled
        .replace("{year}", &year.to_string())
        .replace("{officer}", "A01")
        .replace("{seq}", "1")
        .replace("{run}", "1");
    assert!(
        !filled.contains('{'),
        "scope matrix: give a value for the parameters of {path}"
    );
    filled
}

/// Whether the route's GET also answers with a print (`application/pdf`).
fn prints(item: &serde_json::Value) -> bool {
    item["get"]["responses"]["200"]["content"]
        .get("application/pdf")
        .is_some()
}

/// The methods of a route, and `get_pdf` where its GET also prints: a print
/// must keep to the same scope as the record's JSON.
fn methods(item: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = item.as_object().unwrap().keys().cloned().collect();
    if prints(item) {
        out.push("get_pdf".to_owned());
    }
    out
}

/// Each matrix client's webhook subscription and a delivery of it.
type Hooks = std::collections::HashMap<String, (i64, i64)>;

/// One request through an app built once (the matrix makes over a thousand).
async fn send<S, B>(svc: &S, method: &str, uri: &str, token: &str) -> (u16, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req = match method {
        "get" => TestRequest::get(),
        // The print of a record, asked for on its own route (PRF-5).
        "get_pdf" => TestRequest::get().insert_header(("Accept", "application/pdf")),
        "post" => TestRequest::post(),
        "put" => TestRequest::put(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("method {other}"),
    };
    let mut req = req
        .uri(uri)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if !method.starts_with("get") {
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

/// One case: a request of a caller on a record, and what it should see.
struct Case {
    method: String,
    path: String,
    row: Row,
    record: String,
    absent: &'static str,
    sees: Sees,
}

/// The matrix runs in this many parts, one test each, so that the suite's
/// test threads share it rather than wait on one long test at the end.
const PARTS: usize = 2;

#[actix_web::test]
async fn no_operation_leaks_a_record_outside_the_callers_scope_part_1() {
    matrix(0).await;
}

#[actix_web::test]
async fn no_operation_leaks_a_record_outside_the_callers_scope_part_2() {
    matrix(1).await;
}

/// Builds every case, then runs those whose index falls to `part`.
async fn matrix(part: usize) {
    let app = spawn().await;
    let year = cscms_api::clearance::today().year() - 1;
    for code in [IN_MHA, IN_NDMA, IN_MOF] {
        crate::ipr::file_on(&app, code, year, crate::ipr::ymd(year + 1, 1, 10), None).await;
    }
    // Foreign visit requests, advertisements, deputation applications and
    // empanelment batches, one per relation.
    let mut visits = Vec::new();
    let mut spouse_postings = Vec::new();
    let nisa = crate::deputation::onboard(&app, "MHA", "MHA-NISA").await;
    let cbic = crate::deputation::onboard(&app, "MOF", "MOF-CBIC").await;
    let ndma = app.token(Role::SubNodalOfficer, Some("MHA-NDMA"));
    let open = crate::deputation::terms(crate::workflow_support::days_from_today(20), "1");
    let mut adverts = Vec::new();
    for sub in [&ndma, &nisa, &cbic] {
        adverts.push(
            crate::deputation::publish(&app, sub, &open)
                .await
                .to_string(),
        );
    }
    let mut applications = Vec::new();
    for code in [IN_MHA, IN_NDMA, IN_MOF] {
        let me = crate::common::submitted(&app, code).await;
        visits.push(crate::foreign_visits::apply(&app, &me).await["id"].to_string());
        spouse_postings.push(crate::spouse_postings::apply(&app, &me).await["id"].to_string());
        let advert = adverts[1].parse().unwrap();
        applications.push(crate::deputation::apply(&app, &me, advert).await["id"].to_string());
    }
    let mut batches = Vec::new();
    for service in ["IAS", "IPS", "IFOS"] {
        let body = crate::empanelment::batch_body(service);
        batches.push(
            crate::empanelment::create_batch(&app, &body)
                .await
                .to_string(),
        );
    }
    // Surplus requisitions, nominated (so the appointment path has a
    // nomination 1): one of a ministry, one of a body under it, one elsewhere.
    let mut requisitions = Vec::new();
    for org in ["MHA", "MHA-NDMA", "MOF"] {
        let id =
            crate::surplus::in_state(&app, org, cscms_domain::surplus::SurState::Nominated).await;
        requisitions.push(id.to_string());
    }
    // Catalogue nodes, ex-gratia cases and RTI requests, three of each.
    let nodes = ["area-one", "area-two", "area-three"];
    for id in nodes {
        crate::interests::node(&app, id, None, "area", &["do_1"]).await;
    }
    let mut cases = Vec::new();
    let mut requests = Vec::new();
    for name in ["Late Shri A", "Late Shri B", "Late Shri C"] {
        cases.push(crate::exgratia::record(&app, name).await.to_string());
        let received = crate::workflow_support::today();
        requests.push(crate::rti::register(&app, received, "cash").await["id"].to_string());
    }
    // DELPGE: three programmes; each employee claims on one of them.
    let mut programmes = Vec::new();
    for category in ["A", "C", "D"] {
        programmes.push(crate::delpge::notify(&app, category, &[]).await.to_string());
    }
    let mut claims = Vec::new();
    for code in [IN_MHA, IN_NDMA, IN_MOF] {
        let me = app.token(Role::Employee, Some(code));
        let programme: i64 = programmes[0].parse().unwrap();
        let e = if code == IN_NDMA {
            // DELPGE para 2(i) refuses enrolment from an autonomous body,
            // but the matrix needs a claim held in one (as enrolments taken
            // before that rule was applied are): planted in the store.
            let key: cscms_domain::employee::EmployeeCode = code.parse().unwrap();
            app.db(move |c| {
                let actor = cscms_store::audit::Actor {
                    sub: "fixture".into(),
                    role: "dopt".into(),
                    request_id: "fixture".into(),
                };
                let on = crate::workflow_support::today();
                let at = chrono::Utc::now().naive_utc();
                let org = "MHA-NDMA".parse().unwrap();
                let certificate = cscms_domain::trn::EmploymentCertificate {
                    reference: "A-12034/7/2026-Admn".into(),
                    issued_by: "Under Secretary (Admn), MHA".into(),
                    issued_on: on,
                };
                match cscms_store::delpge::enrol(
                    c,
                    &actor,
                    programme,
                    50,
                    &key,
                    &org,
                    &certificate,
                    on,
                    at,
                )? {
                    cscms_store::delpge::Enrolment::Enrolled(id) => Ok(id),
                    other => panic!("enrolment planted: {other:?}"),
                }
            })
            .await
        } else {
            crate::delpge::enrol(&app, &me, programme).await
        };
        claims.push(crate::delpge::claim(&app, &me, e, "B").await["id"].to_string());
    }
    // Three clients; the matrix's DELETE cannot remove them (a client is
    // suspended before it is deleted), so every path finds all three.
    let mut clients = Vec::new();
    for scope in [
        scopes::APAR_WRITE,
        scopes::EMPLOYEES_READ,
        scopes::ORGANISATIONS_READ,
    ] {
        clients.push(crate::clients::keyed_client(&app, &[scope]).await.0);
    }
    // INT-2: one webhook subscription per client, with one delivery (a
    // ping; no worker runs here, so nothing is sent).
    let mut hooks = Hooks::new();
    for client in &clients {
        let client_id = client.clone();
        let now = chrono::Utc::now().naive_utc();
        let secret = app
            .state
            .sealer
            .seal(&cscms_api::webhooks::sign::new_secret())
            .expect("sealed");
        let ids = app
            .db(move |c| {
                let sub = cscms_store::webhooks::create(
                    c,
                    &cscms_store::audit::Actor {
                        sub: "fixture".into(),
                        role: "dopt".into(),
                        request_id: "fixture".into(),
                    },
                    cscms_store::webhooks::NewSubscription {
                        client_id,
                        url: "https://hooks.example.gov.in/cscms".into(),
                        types: "organisation".into(),
                        secret,
                        status: cscms_domain::webhook::SubscriptionStatus::Enabled,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                let delivery = cscms_store::webhooks::enqueue_ping(c, sub.id)?;
                Ok((sub.id, delivery))
            })
            .await;
        hooks.insert(client.clone(), ids);
    }
    // Three rotation rounds, one after another (ROT-1: rounds of a grade
    // never overlap); the preference paths name round 1.
    let mut rounds = Vec::new();
    for open in [5, 40, 75] {
        let body = crate::rotation_rounds::terms("CSS", &["SO"], open);
        rounds.push(
            crate::rotation_rounds::announce(&app, &body)
                .await
                .to_string(),
        );
    }
    assert_eq!(rounds[0], "1", "the preference paths name round 1");
    let records = |fam: &str| -> (Vec<String>, &'static str) {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match fam {
            "organisation" | "working_strength" => (own(&["MHA", "MHA-NDMA", "MOF"]), "ZZZ"),
            "foreign_visit" => (visits.clone(), "999999"),
            "spouse_posting" => (spouse_postings.clone(), "999999"),
            "deputation_application" => (applications.clone(), "999999"),
            "advertisement" => (adverts.clone(), "999999"),
            "empanelment" => (batches.clone(), "999999"),
            "surplus_requisition" => (requisitions.clone(), "999999"),
            "competency_area" => (own(&nodes), "area-absent"),
            "exgratia_case" => (cases.clone(), "999999"),
            "rti_request" => (requests.clone(), "999999"),
            "delpge_programme" => (programmes.clone(), "999999"),
            "delpge_claim" => (claims.clone(), "999999"),
            "client" => (clients.clone(), "sparrow-0000000000000000"),
            "rotation_round" => (rounds.clone(), "999999"),
            _ => (own(&[IN_MHA, IN_NDMA, IN_MOF]), "CSS-999999"),
        }
    };

    // The cases, generated from the route table before any is run.
    let api = serde_json::to_value(cscms_api::openapi()).unwrap();
    let mut cases = Vec::new();
    let mut paths_per_family: std::collections::BTreeMap<&str, usize> = Default::default();
    for path in PUBLIC {
        let item = api["paths"][path].as_object();
        assert!(
            item.is_some_and(|i| !i.is_empty()),
            "{path} is not in the contract"
        );
        for op in item.into_iter().flat_map(|i| i.values()) {
            assert_eq!(
                op["security"],
                serde_json::json!([{}]),
                "{path} is public by design and must say so in the contract"
            );
        }
    }
    for (path, item) in api["paths"].as_object().unwrap() {
        if !scoped(path) {
            continue;
        }
        let fam = family(path);
        *paths_per_family.entry(fam).or_default() += 1;
        let (recs, absent) = records(fam);
        for method in methods(item) {
            for row in rows(fam) {
                for (record, sees) in recs.iter().zip(row.sees) {
                    cases.push(Case {
                        method: method.clone(),
                        path: path.clone(),
                        row,
                        record: record.clone(),
                        absent,
                        sees,
                    });
                }
            }
        }
    }
    for fam in FAMILIES {
        assert!(
            !rows(fam).is_empty(),
            "scope matrix: family {fam} has no rows"
        );
        assert!(
            paths_per_family.contains_key(fam),
            "scope matrix: no path of the route table names a {fam} record"
        );
    }
    for fam in paths_per_family.keys() {
        assert!(
            FAMILIES.contains(fam),
            "scope matrix: {fam} is not in FAMILIES"
        );
    }

    let svc = test::init_service(cscms_api::app(app.state.clone())).await;
    let dopt = app.dopt();
    let mut checked = 0;
    for case in cases.iter().skip(part).step_by(PARTS) {
        let Case {
            method,
            path,
            row,
            record,
            absent,
            sees,
        } = case;
        let (role, anchor) = (row.role, row.anchor);
        let token = app.token(role, anchor);
        let nothing = send(&svc, method, &fill(path, absent, year, &hooks), &token).await;
        let uri = fill(path, record, year, &hooks);
        let got = send(&svc, method, &uri, &token).await;
        match sees {
            No => {
                assert_eq!(
                    got, nothing,
                    "LEAK: {method} {uri} as {role:?} {anchor:?} differs from an absent record"
                );
                assert!(
                    got.0 >= 400,
                    "{method} {uri} as {role:?} {anchor:?} acted on a hidden record"
                );
            }
            Yes if method.starts_with("get") => {
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
    // Every case was generated, (route × method) × row × relation, and
    // this part ran its share of them.
    let expected: usize = api["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, _)| scoped(p))
        .map(|(p, item)| {
            let printable = usize::from(prints(item));
            (item.as_object().unwrap().len() + printable) * rows(family(p)).len() * 3
        })
        .sum();
    assert_eq!(
        cases.len(),
        expected,
        "the matrix generated {} of {expected} cases",
        cases.len()
    );
    let share = (expected + PARTS - 1 - part) / PARTS;
    assert!(share > 0, "part {} of the matrix has no cases", part + 1);
    assert_eq!(
        checked,
        share,
        "part {} of the matrix ran {checked} of {share} cases",
        part + 1
    );
    eprintln!(
        "scope matrix, part {} of {PARTS}: {checked} of {expected} cases over {} families",
        part + 1,
        FAMILIES.len()
    );
}
