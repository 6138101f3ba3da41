//! Annual immovable property returns (IPR-1): filing, revisions, lateness,
//! scope for every operation and role, audit, the list of who has not
//! filed, and the print.

use actix_web::test::TestRequest;
use chrono::{Datelike, NaiveDate};
use cscms_domain::principal::Role;
use cscms_domain::vigilance::{file_return, IprReturnInput, VigilanceParams};
use cscms_store::audit::Actor;
use serde_json::{json, Value};

use crate::common::{employee, pdf_text, spawn, TestApp, IN_MHA, IN_MOF, IN_NDMA};

pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Files a nil return (or a revision of one) as if on `filed_on`, through
/// the domain's filing rules and the store: the API files only on today.
pub async fn file_on(
    app: &TestApp,
    code: &str,
    year: i32,
    filed_on: NaiveDate,
    revises: Option<u32>,
) {
    let code = code.to_owned();
    app.db(move |c| {
        let on_record = cscms_store::ipr::summaries(c, &code)?;
        let input = IprReturnInput {
            year,
            nil: true,
            properties: Vec::new(),
            revises,
        };
        let filing = file_return(&input, filed_on, &on_record, &VigilanceParams::standard())
            .expect("a valid filing");
        let org = cscms_store::employees::get(c, &code.parse().unwrap())?
            .unwrap()
            .record
            .org_id
            .to_string();
        let actor = Actor {
            sub: format!("employee:{code}"),
            role: "employee".into(),
            request_id: "fixture".into(),
        };
        cscms_store::ipr::file(c, &actor, &code, &org, &filing)
    })
    .await;
}

fn flat() -> Value {
    json!({
        "kind": "flat",
        "description": "2BHK flat, 85 sq m, DDA SFS",
        "location": {"address": "C-12, Sector 5, Dwarka", "district": "South West Delhi",
                     "state": "Delhi", "pin_code": "110075"},
        "acquisition": {"how": "purchase", "acquired_on": "2015-04-01",
                        "from_whom": "DDA, Vikas Sadan", "cost": 3500000},
        "present_value": 9000000,
        "own_share_pct": 50,
        "co_owners": [{"name": "S. Verma", "relationship": "spouse", "share_pct": 50}],
        "annual_income": 0
    })
}

fn last_year() -> i32 {
    cscms_api::clearance::today().year() - 1
}

#[actix_web::test]
async fn the_employee_files_and_revises_and_every_version_is_kept() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let year = last_year();
    let url = format!("/v1/employees/{IN_MHA}/ipr");
    let r = app
        .post_json(&url, &me, &json!({"year": year, "properties": [flat()]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/employees/{IN_MHA}/ipr/{year}").as_str())
    );
    let today = cscms_api::clearance::today();
    let due = ymd(year + 1, 1, 31);
    assert_eq!(r.json["revision"], 0);
    assert_eq!(r.json["filed_on"], today.to_string());
    assert_eq!(r.json["due_on"], due.to_string());
    // Kept and marked late after the due date (IPR-1).
    assert_eq!(r.json["late"], today > due);
    assert_eq!(r.json["properties"][0]["location"]["state"], "Delhi");
    assert_eq!(r.json["filed_by"], format!("employee:{IN_MHA}"));

    // A revision names the version it revises and becomes the next.
    let r = app
        .post_json(&url, &me, &json!({"year": year, "nil": true, "revises": 0}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        (r.json["revision"].as_i64(), r.json["revises"].as_i64()),
        (Some(1), Some(0))
    );

    // A stale revision, or a second original, conflicts with the record.
    let stale = app
        .post_json(&url, &me, &json!({"year": year, "nil": true, "revises": 0}))
        .await;
    stale.assert_problem(409, "revision_conflict");
    assert!(stale.json["detail"]
        .as_str()
        .unwrap()
        .contains("revise revision 1"));
    app.post_json(&url, &me, &json!({"year": year, "nil": true}))
        .await
        .assert_problem(409, "revision_conflict");
    app.post_json(
        &url,
        &me,
        &json!({"year": year - 1, "nil": true, "revises": 0}),
    )
    .await
    .assert_problem(409, "revision_conflict");

    let r = app.get(&format!("{url}/{year}"), &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["latest"]["revision"], 1);
    assert_eq!(r.json["latest"]["nil"], true);
    let history = r.json["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["revision"], 0);
    assert_eq!(history[0]["properties"][0]["kind"], "flat");

    let r = app.get(&url, &me).await;
    assert_eq!(r.status, 200);
    let years = r.json["years"].as_array().unwrap();
    assert_eq!(years.len(), 1);
    let revisions: Vec<i64> = years[0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revisions, [1, 0], "newest first");
    app.get(&format!("{url}/{}", year - 1), &me)
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_bad_return_lists_every_bad_field() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let url = format!("/v1/employees/{IN_MHA}/ipr");
    let mut bad = flat();
    bad["kind"] = json!("castle");
    bad["location"]["state"] = json!(" ");
    bad["present_value"] = json!(-5);
    bad["co_owners"][0]["share_pct"] = json!(40);
    let r = app
        .post_json(
            &url,
            &me,
            &json!({"year": last_year(), "properties": [bad]}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        [
            "body.properties[0].kind",
            "body.properties[0].location.state",
            "body.properties[0].present_value",
            "body.properties[0].co_owners"
        ]
    );
    // The current year is not over: its return cannot be filed yet.
    let this_year = last_year() + 1;
    let r = app
        .post_json(&url, &me, &json!({"year": this_year, "nil": true}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.year");
    // A year before the officer joined Government owes no return, filed or
    // received; the year of joining does.
    let joined = app
        .get(&format!("/v1/employees/{IN_MHA}"), &app.dopt())
        .await
        .json["joined_government_on"]
        .as_str()
        .unwrap()[..4]
        .parse::<i32>()
        .unwrap();
    let avd = app.token(Role::Avd, None);
    for (token, url, body) in [
        (&me, url.clone(), json!({"year": joined - 1, "nil": true})),
        (
            &avd,
            format!("{url}/received"),
            json!({"year": joined - 1, "nil": true, "received_on": "2024-03-01", "receipt_ref": "R/1"}),
        ),
    ] {
        let r = app.post_json(&url, token, &body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), ["body.year"], "{}", r.json);
    }
    // Unreadable: an unknown field anywhere in the body.
    let mut extra = flat();
    extra["location"]["planet"] = json!("Earth");
    let r = app
        .post_json(
            &url,
            &me,
            &json!({"year": last_year(), "properties": [extra]}),
        )
        .await;
    r.assert_problem(400, "unknown_field");
    assert_eq!(
        r.json["errors"][0]["field"],
        "body.properties[0].location.planet"
    );
    let trail = app.db(|c| cscms_store::ipr::versions(c, IN_MHA)).await;
    assert!(trail.is_empty());
}

#[actix_web::test]
async fn only_the_employee_files_their_own_return() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let body = json!({"year": last_year(), "nil": true});
    // (role, anchor, status for IN_MHA's return)
    let cases: &[(Role, Option<&str>, u16)] = &[
        (Role::Employee, Some(IN_NDMA), 404),
        (Role::NodalOfficer, Some("MOF"), 404),
        (Role::SubNodalOfficer, Some("MHA-NDMA"), 404),
        (Role::Integration, None, 404),
        (Role::NodalOfficer, Some("MHA"), 403),
        (Role::Dopt, None, 403),
        (Role::Avd, None, 403),
        // Property returns are no integration scope's family (Rule 18).
        (Role::Integration, Some("employees:read"), 404),
    ];
    for (role, anchor, status) in cases {
        let r = app
            .post_json(
                &format!("/v1/employees/{IN_MHA}/ipr"),
                &app.token(*role, *anchor),
                &body,
            )
            .await;
        let code = if *status == 404 {
            "not_found"
        } else {
            "forbidden"
        };
        r.assert_problem(*status, code);
    }
    let trail = app
        .db(move |c| {
            cscms_store::audit::for_entity(c, "ipr_return", &format!("{IN_MHA}/{}", last_year()))
        })
        .await;
    assert!(trail.is_empty(), "a refused filing leaves no trace");
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/ipr"),
            &app.token(Role::Employee, Some(IN_MHA)),
            &body,
        )
        .await;
    assert_eq!(r.status, 201);
}

#[actix_web::test]
async fn returns_are_read_in_scope() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    for code in [IN_MHA, IN_NDMA, IN_MOF] {
        file_on(&app, code, 2023, ymd(2024, 1, 15), None).await;
    }
    // (role, anchor, employees whose returns the caller may read)
    let matrix: &[(Role, Option<&str>, &[&str])] = &[
        (Role::Employee, Some(IN_MHA), &[IN_MHA]),
        (Role::NodalOfficer, Some("MHA"), &[IN_MHA, IN_NDMA]),
        (Role::NodalOfficer, Some("MOF"), &[IN_MOF]),
        (Role::SubNodalOfficer, Some("MHA-NDMA"), &[]),
        (Role::Avd, None, &[IN_MHA, IN_NDMA, IN_MOF]),
        (Role::Dopt, None, &[IN_MHA, IN_NDMA, IN_MOF]),
        (Role::Integration, None, &[]),
    ];
    for (role, anchor, visible) in matrix {
        let t = app.token(*role, *anchor);
        for code in [IN_MHA, IN_NDMA, IN_MOF] {
            for path in [
                format!("/v1/employees/{code}/ipr"),
                format!("/v1/employees/{code}/ipr/2023"),
                format!("/v1/employees/{code}/ipr/2023.pdf"),
            ] {
                let r = app.get(&path, &t).await;
                if visible.contains(&code) {
                    assert_eq!(r.status, 200, "{role:?} {anchor:?} {path}");
                } else {
                    r.assert_problem(404, "not_found");
                }
            }
        }
    }
}

#[actix_web::test]
async fn integration_clients_may_not_read_returns() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    file_on(&app, IN_MOF, 2023, ymd(2024, 1, 15), None).await;
    let reader = app.token(Role::Integration, Some("employees:read"));
    // The returns are outside every integration scope: as absent as a
    // record that does not exist, and the year's list is refused.
    for path in [
        format!("/v1/employees/{IN_MOF}/ipr"),
        format!("/v1/employees/{IN_MOF}/ipr/2023"),
        format!("/v1/employees/{IN_MOF}/ipr/2023.pdf"),
    ] {
        app.get(&path, &reader)
            .await
            .assert_problem(404, "not_found");
    }
    app.get("/v1/ipr?year=2023", &reader)
        .await
        .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn each_filing_is_one_audit_row_with_before_and_after() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let me = app.token(Role::Employee, Some(IN_NDMA));
    let year = last_year();
    let url = format!("/v1/employees/{IN_NDMA}/ipr");
    let first = app
        .post_json(&url, &me, &json!({"year": year, "properties": [flat()]}))
        .await;
    assert_eq!(first.status, 201);
    let second = app
        .post_json(&url, &me, &json!({"year": year, "nil": true, "revises": 0}))
        .await;
    assert_eq!(second.status, 201);
    let id = format!("{IN_NDMA}/{year}");
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "ipr_return", &id))
        .await;
    assert_eq!(trail.len(), 2);
    assert_eq!(
        (trail[0].action.as_str(), trail[1].action.as_str()),
        ("file", "revise")
    );
    assert_eq!(trail[0].actor_role.as_str(), "employee");
    assert_eq!(trail[0].org_id.as_deref(), Some("MHA-NDMA"));
    assert_eq!(
        Some(trail[0].request_id.as_str()),
        first.header("x-request-id")
    );
    assert!(trail[0].before_json.is_none());
    let after0: Value = serde_json::from_str(trail[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after0["properties"][0]["kind"], "flat");
    let before1: Value = serde_json::from_str(trail[1].before_json.as_deref().unwrap()).unwrap();
    let after1: Value = serde_json::from_str(trail[1].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(
        before1, after0,
        "the revision's before is the version it revises"
    );
    assert_eq!(
        (after1["revision"].as_i64(), after1["nil"].as_bool()),
        (Some(1), Some(true))
    );
}

#[actix_web::test]
async fn filed_returns_are_never_edited_in_place() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    file_on(&app, IN_MHA, 2023, ymd(2024, 1, 15), None).await;
    for sql in [
        "UPDATE ipr_returns SET late = TRUE",
        "DELETE FROM ipr_returns",
    ] {
        let err = app
            .state
            .db(move |c| cscms_store::testing::execute(c, sql))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

fn listed(r: &crate::common::Reply) -> Vec<(String, String)> {
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["employee"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[actix_web::test]
async fn the_nodal_officer_sees_who_has_not_filed() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    file_on(&app, IN_MHA, 2024, ymd(2025, 1, 20), None).await;
    file_on(&app, IN_MHA, 2024, ymd(2025, 6, 1), Some(0)).await;
    file_on(&app, IN_NDMA, 2024, ymd(2025, 3, 1), None).await;
    // Owes no return: Group C (Rule 18(1)(ii)), or joined after 2024.
    app.db(|c| {
        let mut clerk = employee("CSCS-000004", "Ravi Kumar", "CSCS", "SSA", "4", "MHA");
        clerk.service_group = "C".into();
        cscms_store::employees::insert(c, &clerk, &[])?;
        let mut recruit = employee("CSS-000005", "Nisha Jain", "CSS", "ASO", "7", "MHA");
        recruit.joined_government_on = ymd(2025, 3, 1);
        cscms_store::employees::insert(c, &recruit, &[])?;
        Ok(())
    })
    .await;

    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app.get("/v1/ipr?year=2024", &nodal).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["due_on"], "2025-01-31");
    assert_eq!(r.json["due_passed"], true);
    assert_eq!(
        listed(&r),
        pairs(&[(IN_MHA, "filed"), (IN_NDMA, "late")]),
        "own tree only; those who owe no return are not listed"
    );
    assert_eq!(r.json["items"][0]["latest_revision"], 1);
    assert_eq!(r.json["items"][0]["first_filed_on"], "2025-01-20");

    let dopt = app.dopt();
    let status = |s: &str| format!("/v1/ipr?year=2024&status={s}");
    assert_eq!(
        listed(&app.get(&status("missing"), &dopt).await),
        pairs(&[(IN_MOF, "missing")])
    );
    assert_eq!(
        listed(&app.get(&status("late"), &dopt).await),
        pairs(&[(IN_NDMA, "late")])
    );
    assert_eq!(
        listed(&app.get(&status("filed"), &dopt).await),
        pairs(&[(IN_MHA, "filed")])
    );
    assert!(listed(&app.get(&status("missing"), &nodal).await).is_empty());
    assert_eq!(
        listed(&app.get("/v1/ipr?year=2024&org=MHA-NDMA", &nodal).await),
        pairs(&[(IN_NDMA, "late")])
    );
    // AVD sees all; an employee only themselves; a sub-nodal officer no one.
    assert_eq!(
        listed(
            &app.get(&status("missing"), &app.token(Role::Avd, None))
                .await
        )
        .len(),
        1
    );
    assert_eq!(
        listed(
            &app.get(
                "/v1/ipr?year=2024",
                &app.token(Role::Employee, Some(IN_MOF))
            )
            .await
        ),
        pairs(&[(IN_MOF, "missing")])
    );
    assert!(listed(
        &app.get(
            "/v1/ipr?year=2024",
            &app.token(Role::SubNodalOfficer, Some("MHA-NDMA"))
        )
        .await
    )
    .is_empty());

    // Pages, by code, with a next link that keeps the filters.
    let mut seen = Vec::new();
    let mut next = Some("/v1/ipr?year=2024&limit=2".to_owned());
    while let Some(url) = next {
        let r = app.get(&url, &dopt).await;
        assert_eq!(r.status, 200, "{url}: {}", r.json);
        seen.extend(listed(&r));
        next = r.json["next"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert!(n.contains("year=2024") && n.contains("limit=2"), "{n}");
            assert!(r.header("link").unwrap().contains("rel=\"next\""));
        }
    }
    assert_eq!(
        seen,
        pairs(&[(IN_MHA, "filed"), (IN_NDMA, "late"), (IN_MOF, "missing")])
    );
}

#[actix_web::test]
async fn the_list_query_is_checked() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let this_year = last_year() + 1;
    let r = app
        .get(
            &format!("/v1/ipr?year={this_year}&status=overdue&limit=0"),
            &app.dopt(),
        )
        .await;
    r.assert_problem(400, "invalid_query");
    let fields = r.error_fields();
    assert_eq!(fields, ["query.year", "query.status", "query.limit"]);
    app.get("/v1/ipr?colour=red", &app.dopt())
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn the_print_is_an_a4_pdf_of_the_latest_version() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let year = last_year();
    let url = format!("/v1/employees/{IN_MHA}/ipr");
    let r = app
        .post_json(&url, &me, &json!({"year": year, "properties": [flat()]}))
        .await;
    assert_eq!(r.status, 201);

    let by_suffix = app.get(&format!("{url}/{year}.pdf"), &me).await;
    assert_eq!(by_suffix.status, 200);
    assert_eq!(by_suffix.header("content-type"), Some("application/pdf"));
    let by_accept = app
        .call(
            TestRequest::get()
                .uri(&format!("{url}/{year}"))
                .insert_header(("Authorization", format!("Bearer {me}")))
                .insert_header(("Accept", "application/pdf")),
        )
        .await;
    assert_eq!(by_accept.header("content-type"), Some("application/pdf"));

    let doc = lopdf::Document::load_mem(&by_suffix.bytes).unwrap();
    let (_, page) = doc.get_pages().into_iter().next().unwrap();
    let media_box = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_float().unwrap().round() as i64)
        .collect::<Vec<_>>();
    assert_eq!(media_box, [0, 0, 595, 842], "A4");
    let text = pdf_text(&by_suffix.bytes);
    assert!(text.contains(&year.to_string()), "{text}");
    assert!(text.contains("Asha Verma"), "{text}");
    assert!(text.contains("Dwarka") && text.contains("Delhi"), "{text}");

    // A revision: the print follows the latest version.
    let r = app
        .post_json(&url, &me, &json!({"year": year, "nil": true, "revises": 0}))
        .await;
    assert_eq!(r.status, 201);
    let text = pdf_text(&app.get(&format!("{url}/{year}.pdf"), &me).await.bytes);
    assert!(
        text.contains("revision 1") && !text.contains("Dwarka"),
        "{text}"
    );
    assert!(text.contains("No immovable property"), "{text}");
}

#[actix_web::test]
async fn filing_waits_for_the_profile_to_be_submitted() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let body = json!({"year": last_year(), "nil": true});
    let r = app
        .post_json(&format!("/v1/employees/{IN_MHA}/ipr"), &me, &body)
        .await;
    r.assert_problem(409, "profile_not_submitted");
    assert!(r.json["detail"].as_str().unwrap().contains("PRF-1"));
    crate::common::submitted(&app, IN_MHA).await;
    let r = app
        .post_json(&format!("/v1/employees/{IN_MHA}/ipr"), &me, &body)
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

/// A nil return for 2024 received outside CSCMS on `received_on`.
fn received_2024(received_on: &str, receipt_ref: &str) -> Value {
    json!({"year": 2024, "nil": true, "received_on": received_on, "receipt_ref": receipt_ref})
}

#[actix_web::test]
async fn a_return_received_on_time_outside_cscms_counts_as_timely() {
    let app = spawn().await;
    // No profile submitted: this is the office's entry, not an employee service.
    crate::vigilance::record(&app, IN_MHA, &crate::vigilance::clear("2015-01-01")).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let url = format!("/v1/employees/{IN_MHA}/ipr/received");
    let r = app
        .post_json(
            &url,
            &nodal,
            &received_2024("2025-01-20", "  MHA/Vig/Diary 1432/2025 "),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/employees/{IN_MHA}/ipr/2024").as_str())
    );
    assert_eq!(r.json["filed_on"], "2025-01-20");
    assert_eq!(r.json["late"], false);
    assert_eq!(r.json["receipt_ref"], "MHA/Vig/Diary 1432/2025");
    assert_eq!(r.json["filed_by"], "nodal_officer:MHA");

    // VIG-2 judges it on the day it was received.
    let d = crate::vigilance::clearance(&app, IN_MHA, "deputation", "2025-06-01").await;
    assert_eq!(d["clearance"], "cleared", "{d}");
    assert_eq!(d["ipr_years"][0]["year"], 2024);
    assert_eq!(d["ipr_years"][0]["state"], "timely");

    // The employee reads it as any other version, and so does the print.
    let me = app.token(Role::Employee, Some(IN_MHA));
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/ipr/2024"), &me)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["latest"]["receipt_ref"], "MHA/Vig/Diary 1432/2025");
    assert_eq!(r.json["latest"]["filed_by"], "nodal_officer:MHA");
    let pdf = app
        .get(&format!("/v1/employees/{IN_MHA}/ipr/2024.pdf"), &me)
        .await;
    assert_eq!(pdf.status, 200);
    let text = pdf_text(&pdf.bytes);
    assert!(
        text.contains("MHA/Vig/Diary 1432/2025") && text.contains("Received on"),
        "{text}"
    );
    assert!(text.contains("20.01.2025"), "{text}");

    // A return filed in CSCMS has no receipt.
    file_on(&app, IN_MOF, 2024, ymd(2025, 1, 10), None).await;
    let r = app
        .get(&format!("/v1/employees/{IN_MOF}/ipr/2024"), &app.dopt())
        .await;
    assert_eq!(r.json["latest"]["receipt_ref"], Value::Null);

    // Audited like a filing, by the officer who recorded it.
    let r = app
        .get(
            &format!("/v1/audit?entity=ipr_return&entity_id={IN_MHA}/2024"),
            &app.dopt(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", r.json);
    assert_eq!(items[0]["action"], "file");
    assert_eq!(items[0]["actor_sub"], "nodal_officer:MHA");
    assert_eq!(items[0]["actor_role"], "nodal_officer");
    assert_eq!(items[0]["organisation_id"], "MHA");
    assert_eq!(items[0]["after"]["receipt_ref"], "MHA/Vig/Diary 1432/2025");
    assert_eq!(items[0]["after"]["filed_on"], "2025-01-20");
}

#[actix_web::test]
async fn a_return_not_owed_is_recorded_but_never_late() {
    let app = spawn().await;
    // Group C owes no annual return (Rule 18(1)(ii)); one handed in is kept.
    app.db(|c| {
        let mut clerk = employee("CSCS-000004", "Ravi Kumar", "CSCS", "SSA", "4", "MHA");
        clerk.service_group = "C".into();
        cscms_store::employees::insert(c, &clerk, &[])
    })
    .await;
    crate::vigilance::record(&app, "CSCS-000004", &crate::vigilance::clear("2015-01-01")).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .post_json(
            "/v1/employees/CSCS-000004/ipr/received",
            &nodal,
            &received_2024("2025-02-10", "MHA/Admn/78/2025"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["late"], false, "{}", r.json);
    // The clearance engine agrees: not owed, so no ground against clearing.
    let d = crate::vigilance::clearance(&app, "CSCS-000004", "deputation", "2025-06-01").await;
    assert_eq!(d["clearance"], "cleared", "{d}");
}

#[actix_web::test]
async fn a_return_received_after_its_due_date_is_late_and_denies() {
    let app = spawn().await;
    crate::vigilance::record(&app, IN_NDMA, &crate::vigilance::clear("2015-01-01")).await;
    // MHA-NDMA is under MHA: the ministry's nodal officer records it; so may AVD.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let url = format!("/v1/employees/{IN_NDMA}/ipr/received");
    let r = app
        .post_json(
            &url,
            &nodal,
            &received_2024("2025-02-10", "NDMA/Admn/77/2025"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["late"], true);
    let d = crate::vigilance::clearance(&app, IN_NDMA, "deputation", "2025-06-01").await;
    assert_eq!(d["clearance"], "denied", "{d}");
    assert_eq!(d["grounds"][0]["ground"], "ipr_late");
    assert_eq!(d["grounds"][0]["filed_on"], "2025-02-10");

    // A revision received later is recorded by AVD and stays late; one
    // dated before the version on record conflicts with it.
    let avd = app.token(Role::Avd, None);
    let mut revision = received_2024("2025-03-01", "AVD/IPR/5/2025");
    revision["revises"] = json!(0);
    let r = app.post_json(&url, &avd, &revision).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        (r.json["revision"].as_i64(), r.json["late"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(r.json["filed_by"], "avd:x");
    let mut stale = received_2024("2025-02-20", "AVD/IPR/6/2025");
    stale["revises"] = json!(1);
    let r = app.post_json(&url, &avd, &stale).await;
    r.assert_problem(409, "revision_conflict");
    assert!(
        r.json["detail"].as_str().unwrap().contains("01.03.2025"),
        "{}",
        r.json
    );
}

#[actix_web::test]
async fn only_the_nodal_officer_or_avd_records_a_received_return() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let url = format!("/v1/employees/{IN_MHA}/ipr/received");
    let body = received_2024("2025-01-20", "MHA/Vig/Diary 1432/2025");
    // The employee files their own return in CSCMS; DoPT sees it but does not enter it.
    for token in [app.token(Role::Employee, Some(IN_MHA)), app.dopt()] {
        let r = app.post_json(&url, &token, &body).await;
        r.assert_problem(403, "forbidden");
        assert!(
            r.json["detail"].as_str().unwrap().contains("IPR-1"),
            "{}",
            r.json
        );
    }
    // Outside the caller's scope: as absent as an employee who does not exist.
    for token in [
        app.token(Role::NodalOfficer, Some("MOF")),
        app.token(Role::SubNodalOfficer, Some("MHA-NDMA")),
        app.token(Role::Integration, Some("employees:read")),
    ] {
        app.post_json(&url, &token, &body)
            .await
            .assert_problem(404, "not_found");
    }
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/ipr"), &app.dopt())
        .await;
    assert_eq!(r.json["years"], json!([]), "nothing was recorded");
}

#[actix_web::test]
async fn a_received_return_is_checked_field_by_field() {
    let app = spawn().await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let url = format!("/v1/employees/{IN_MHA}/ipr/received");
    let tomorrow = cscms_api::clearance::today() + chrono::Days::new(1);
    let r = app
        .post_json(
            &url,
            &nodal,
            &received_2024(&tomorrow.to_string(), "MHA/1/2025"),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = |r: &crate::common::Reply| -> Vec<String> {
        r.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(fields(&r), ["body.received_on"]);
    // Every bad field at once: the receipt and the return's own fields.
    let mut bad = received_2024("not a date", " x ");
    bad["nil"] = json!(false);
    let mut property = flat();
    property["kind"] = json!("castle");
    bad["properties"] = json!([property]);
    let r = app.post_json(&url, &nodal, &bad).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        fields(&r),
        [
            "body.received_on",
            "body.receipt_ref",
            "body.properties[0].kind"
        ]
    );
    // Both fields are required, and the filing date is not the client's to give.
    app.post_json(&url, &nodal, &json!({"year": 2024, "nil": true}))
        .await
        .assert_problem(400, "invalid_body");
    let mut extra = received_2024("2025-01-20", "MHA/1/2025");
    extra["filed_on"] = json!("2025-01-20");
    let r = app.post_json(&url, &nodal, &extra).await;
    r.assert_problem(400, "unknown_field");
    assert_eq!(r.json["errors"][0]["field"], "body.filed_on");
    let trail = app.db(|c| cscms_store::ipr::versions(c, IN_MHA)).await;
    assert!(trail.is_empty());
}
