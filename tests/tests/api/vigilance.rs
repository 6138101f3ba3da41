//! Vigilance status (VIG-1) and clearance (VIG-2) over HTTP: the latest
//! status wins, `awaited` defers, a late return denies for the right
//! purposes and dates, scope for every operation and role, audit.

use chrono::Datelike;
use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{employee, event, spawn, TestApp, IN_MHA, IN_MOF, IN_NDMA};
use crate::ipr::{file_on, ymd};

pub(crate) fn clear(from: &str) -> Value {
    json!({"status": "clear", "effective_from": from, "order_ref": "AVD-I/1/2015"})
}

pub(crate) async fn record(app: &TestApp, code: &str, body: &Value) {
    let r = app
        .post_json(
            &format!("/v1/employees/{code}/vigilance-status"),
            &app.token(Role::Avd, None),
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

pub(crate) async fn clearance(app: &TestApp, code: &str, purpose: &str, as_of: &str) -> Value {
    let r = app
        .get(
            &format!("/v1/employees/{code}/vigilance-clearance?purpose={purpose}&as_of={as_of}"),
            &app.dopt(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json
}

#[actix_web::test]
async fn the_latest_status_wins_and_the_history_is_kept() {
    let app = spawn().await;
    let url = format!("/v1/employees/{IN_MHA}/vigilance-status");
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    record(&app, IN_MHA, &clear("2015-01-01")).await;
    let r = app
        .post_json(
            &url,
            &nodal,
            &json!({"status": "not_clear", "reason": "charge_sheet_issued",
                    "effective_from": "2024-05-01", "order_ref": "MHA/Vig/12/2024"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("location"), Some(url.as_str()));
    assert_eq!(r.json["reason"], "charge_sheet_issued");
    assert_eq!(r.json["recorded_role"], "nodal_officer");

    let me = app.token(Role::Employee, Some(IN_MHA));
    let r = app.get(&url, &me).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["current"]["status"], "not_clear");
    assert_eq!(r.json["history"].as_array().unwrap().len(), 2);

    // A same-day correction supersedes; a future record waits for its date.
    record(
        &app,
        IN_MHA,
        &json!({"status": "clear", "effective_from": "2024-05-01", "order_ref": "AVD-I/9/2024 (correction)"}),
    )
    .await;
    let next_year = cscms_api::clearance::today().year() + 1;
    record(
        &app,
        IN_MHA,
        &json!({"status": "awaited", "effective_from": format!("{next_year}-01-01")}),
    )
    .await;
    let r = app.get(&url, &me).await;
    assert_eq!(r.json["current"]["status"], "clear");
    assert_eq!(r.json["current"]["order_ref"], "AVD-I/9/2024 (correction)");
    let history: Vec<&str> = r.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        ["awaited", "clear", "not_clear", "clear"],
        "newest first, none lost"
    );

    // The clearance engine reads the same history.
    let on = |d: &str| {
        let app = &app;
        let d = d.to_owned();
        async move { clearance(app, IN_MHA, "macp", &d).await["clearance"].clone() }
    };
    assert_eq!(on("2024-04-30").await, "cleared");
    assert_eq!(
        on("2024-05-01").await,
        "cleared",
        "the correction wins on its day"
    );
    assert_eq!(on(&format!("{next_year}-01-01")).await, "deferred");
}

#[actix_web::test]
async fn awaited_or_no_status_defers_and_not_clear_denies() {
    let app = spawn().await;
    file_on(&app, IN_MHA, 2024, ymd(2025, 1, 10), None).await;
    let d = clearance(&app, IN_MHA, "nfs", "2025-06-01").await;
    assert_eq!(d["clearance"], "deferred");
    assert_eq!(d["grounds"], json!([{"ground": "no_status"}]));

    record(
        &app,
        IN_MHA,
        &json!({"status": "awaited", "effective_from": "2025-03-01"}),
    )
    .await;
    let d = clearance(&app, IN_MHA, "empanelment", "2025-06-01").await;
    assert_eq!(d["clearance"], "deferred");
    assert_eq!(d["grounds"][0]["ground"], "status_awaited");
    assert_eq!(d["status_in_force"]["status"], "awaited");
    assert!(d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "VIG-1" && r["citation"].as_str().unwrap().contains("para 3.5")));

    record(
        &app,
        IN_MHA,
        &json!({"status": "not_clear", "reason": "other", "reason_text": "complaint under examination",
                "effective_from": "2025-04-01", "order_ref": "AVD-II/4/2025"}),
    )
    .await;
    let d = clearance(&app, IN_MHA, "deputation", "2025-06-01").await;
    assert_eq!(d["clearance"], "denied");
    assert_eq!(
        d["grounds"][0]["reason_text"],
        "complaint under examination"
    );
}

#[actix_web::test]
async fn a_late_return_denies_for_the_right_purposes_and_dates() {
    let app = spawn().await;
    record(&app, IN_MHA, &clear("2015-01-01")).await;
    file_on(&app, IN_MHA, 2022, ymd(2023, 1, 10), None).await;
    file_on(&app, IN_MHA, 2023, ymd(2024, 3, 15), None).await; // late
    file_on(&app, IN_MHA, 2024, ymd(2025, 1, 30), None).await;
    file_on(&app, IN_MHA, 2024, ymd(2025, 8, 1), Some(0)).await; // a late revision of a timely return

    for purpose in [
        "nfs",
        "deputation",
        "foreign_visit",
        "empanelment",
        "general",
    ] {
        // The late 2023 return is examined from 01.02.2024 to 31.01.2025.
        for as_of in ["2024-02-01", "2024-06-01", "2025-01-31"] {
            let d = clearance(&app, IN_MHA, purpose, as_of).await;
            assert_eq!(d["clearance"], "denied", "{purpose} on {as_of}");
            assert_eq!(d["purpose"], purpose);
            assert_eq!(d["as_of"], as_of);
            assert_eq!(d["ipr_years"][0]["year"], 2023);
            let reasons = d["reasons"].as_array().unwrap();
            assert!(reasons.iter().any(|r| r["rule"] == "VIG-2"
                && r["citation"] == "DoPT OM No. 11012/11/2007-Estt.A dated 27.09.2011"));
            assert!(reasons.iter().any(|r| r["rule"] == "IPR-1"));
        }
        let d = clearance(&app, IN_MHA, purpose, "2024-06-01").await;
        assert_eq!(d["grounds"][0]["ground"], "ipr_late");
        assert_eq!(d["grounds"][0]["filed_on"], "2024-03-15");
        // Timely returns: 2022 (examined until 31.01.2024) and 2024 (from 01.02.2025).
        for as_of in ["2023-06-01", "2024-01-31", "2025-02-01", "2025-09-01"] {
            let d = clearance(&app, IN_MHA, purpose, as_of).await;
            assert_eq!(d["clearance"], "cleared", "{purpose} on {as_of}: {d}");
        }
    }
    // MACP follows the norms of promotion: VIG-2 does not apply to it.
    let d = clearance(&app, IN_MHA, "macp", "2024-06-01").await;
    assert_eq!(d["clearance"], "cleared");
    assert_eq!(d["ipr_years"], json!([]));
    // A return never filed denies too.
    record(&app, IN_MOF, &clear("2015-01-01")).await;
    let d = clearance(&app, IN_MOF, "general", "2025-06-01").await;
    assert_eq!(
        (d["clearance"].as_str(), d["grounds"][0]["ground"].as_str()),
        (Some("denied"), Some("ipr_missing"))
    );
}

#[actix_web::test]
async fn a_promotee_from_group_c_owes_no_return_for_the_years_before() {
    // Rule 18(1)(ii): the return of a year is owed by one in a Group A/B
    // post on its 31 December. An SSA (Group C, joined 2010) promoted ASO
    // (Group B) on 01.06.2025 owes the 2025 return, not the 2024 one.
    let app = spawn().await;
    let code = "CSS-000077";
    app.db(move |c| {
        let mut e = employee(code, "Meena Rao", "CSS", "ASO", "7", "MHA");
        e.joined_government_on = ymd(2010, 7, 1);
        let mut promoted = event(code, "promotion", ymd(2025, 6, 1), "ASO", "7");
        promoted.from_grade = Some("SSA".into());
        let steps = [
            event(code, "appointment", ymd(2010, 7, 1), "JSA", "2"),
            event(code, "promotion", ymd(2016, 4, 1), "SSA", "4"),
            promoted,
        ];
        cscms_store::employees::insert(c, &e, &steps)?;
        // The same history without the grade left recorded proves nothing.
        let mut other = employee("CSS-000078", "Arun Das", "CSS", "ASO", "7", "MHA");
        other.joined_government_on = ymd(2010, 7, 1);
        let step = event("CSS-000078", "promotion", ymd(2025, 6, 1), "ASO", "7");
        cscms_store::employees::insert(c, &other, &[step])?;
        Ok(())
    })
    .await;
    record(&app, code, &clear("2015-01-01")).await;
    record(&app, "CSS-000078", &clear("2015-01-01")).await;
    let d = clearance(&app, code, "deputation", "2025-07-01").await;
    assert_eq!(d["clearance"], "cleared", "{d}");
    assert_eq!(d["grounds"], json!([]), "{d}");
    let d = clearance(&app, "CSS-000078", "deputation", "2025-07-01").await;
    assert_eq!(
        (d["clearance"].as_str(), d["grounds"][0]["ground"].as_str()),
        (Some("denied"), Some("ipr_missing")),
        "{d}"
    );
    // The 2025 return is owed, and missing once it falls due.
    let d = clearance(&app, code, "deputation", "2026-02-01").await;
    assert_eq!(d["grounds"][0]["ground"], "ipr_missing", "{d}");
    assert_eq!(d["ipr_years"][0]["year"], 2025);

    // The nodal officer's list says the same.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let codes = |r: &crate::common::Reply| -> Vec<String> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["employee"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app.get("/v1/ipr?year=2024", &nodal).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(!codes(&r).contains(&code.to_owned()), "{}", r.json);
    assert!(codes(&r).contains(&"CSS-000078".to_owned()), "{}", r.json);
    let r = app.get("/v1/ipr?year=2025", &nodal).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(codes(&r).contains(&code.to_owned()), "{}", r.json);
}

#[actix_web::test]
async fn the_clearance_query_is_checked() {
    let app = spawn().await;
    let r = app
        .get(
            &format!(
                "/v1/employees/{IN_MHA}/vigilance-clearance?purpose=promotion&as_of=31.01.2025"
            ),
            &app.dopt(),
        )
        .await;
    r.assert_problem(400, "invalid_query");
    let fields = r.error_fields();
    assert_eq!(fields, ["query.as_of", "query.purpose"]);
    // Defaults: general, today.
    let r = app
        .get(
            &format!("/v1/employees/{IN_MHA}/vigilance-clearance"),
            &app.dopt(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["purpose"], "general");
    assert_eq!(r.json["as_of"], cscms_api::clearance::today().to_string());
}

#[actix_web::test]
async fn a_bad_status_lists_every_bad_field() {
    let app = spawn().await;
    let url = format!("/v1/employees/{IN_MHA}/vigilance-status");
    let avd = app.token(Role::Avd, None);
    let r = app
        .post_json(
            &url,
            &avd,
            &json!({"status": "not_clear", "effective_from": "2024-02-30"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        ["body.effective_from", "body.reason", "body.order_ref"]
    );
    app.post_json(
        &url,
        &avd,
        &json!({"status": "clear", "effective_from": "2024-01-01", "order_ref": "x", "by": "me"}),
    )
    .await
    .assert_problem(400, "unknown_field");
    // A date years ahead is no order's: at most a year after today.
    let r = app
        .post_json(
            &url,
            &avd,
            &json!({"status": "clear", "effective_from": "2099-01-01", "order_ref": "AVD-I/1/2099"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.effective_from"]);
    // Nor one before the officer joined Government (01.07.2010).
    let r = app
        .post_json(
            &url,
            &avd,
            &json!({"status": "clear", "effective_from": "2010-06-30", "order_ref": "AVD-I/1/2010"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.effective_from"]);
    let rows = app.db(|c| cscms_store::vigilance::history(c, IN_MHA)).await;
    assert!(rows.is_empty());
}

#[actix_web::test]
async fn recording_by_role_and_scope() {
    let app = spawn().await;
    let body = clear("2020-01-01");
    // (role, anchor, employee, expected status)
    let cases: &[(Role, Option<&str>, &str, u16)] = &[
        (Role::Employee, Some(IN_MHA), IN_MHA, 403),
        (Role::Employee, Some(IN_MHA), IN_NDMA, 404),
        (Role::NodalOfficer, Some("MOF"), IN_MHA, 404),
        (Role::SubNodalOfficer, Some("MHA-NDMA"), IN_NDMA, 404),
        (Role::Dopt, None, IN_MOF, 403),
        (Role::Integration, None, IN_MOF, 404),
        (Role::Integration, Some("employees:read"), IN_MOF, 404),
        (Role::Integration, Some("vigilance:read"), IN_MOF, 403),
        (Role::NodalOfficer, Some("MHA"), IN_MHA, 201),
        (Role::NodalOfficer, Some("MHA"), IN_NDMA, 201),
        (Role::NodalOfficer, Some("MOF"), IN_MOF, 201),
        (Role::Avd, None, IN_MOF, 201),
    ];
    for (role, anchor, code, status) in cases {
        let r = app
            .post_json(
                &format!("/v1/employees/{code}/vigilance-status"),
                &app.token(*role, *anchor),
                &body,
            )
            .await;
        match status {
            201 => assert_eq!(r.status, 201, "{role:?} {anchor:?} {code}: {}", r.json),
            404 => r.assert_problem(404, "not_found"),
            _ => r.assert_problem(403, "forbidden"),
        }
    }
    let counts = app
        .db(|c| {
            [IN_MHA, IN_NDMA, IN_MOF]
                .iter()
                .map(|code| cscms_store::vigilance::history(c, code).map(|h| h.len()))
                .collect::<Result<Vec<_>, _>>()
        })
        .await;
    assert_eq!(counts, [1, 1, 2], "only permitted records were stored");
}

#[actix_web::test]
async fn status_and_clearance_are_read_in_scope() {
    let app = spawn().await;
    // (role, anchor, employees the caller may read)
    let matrix: &[(Role, Option<&str>, &[&str])] = &[
        (Role::Employee, Some(IN_MHA), &[IN_MHA]),
        (Role::Employee, Some(IN_MOF), &[IN_MOF]),
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
                format!("/v1/employees/{code}/vigilance-status"),
                format!("/v1/employees/{code}/vigilance-clearance?purpose=nfs"),
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
    app.get("/v1/employees/CSS-999999/vigilance-clearance", &app.dopt())
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn each_status_is_one_audit_row_with_before_and_after() {
    let app = spawn().await;
    record(&app, IN_NDMA, &clear("2015-01-01")).await;
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_NDMA}/vigilance-status"),
            &app.token(Role::NodalOfficer, Some("MHA")),
            &json!({"status": "not_clear", "reason": "under_suspension",
                    "effective_from": "2025-02-01", "order_ref": "MHA/Vig/3/2025"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "vigilance_status", IN_NDMA))
        .await;
    assert_eq!(trail.len(), 2);
    assert!(trail
        .iter()
        .all(|t| t.action == "record" && t.org_id.as_deref() == Some("MHA-NDMA")));
    assert_eq!(
        (trail[0].actor_role.as_str(), trail[1].actor_role.as_str()),
        ("avd", "nodal_officer")
    );
    assert_eq!(Some(trail[1].request_id.as_str()), r.header("x-request-id"));
    assert!(trail[0].before_json.is_none());
    let after0: Value = serde_json::from_str(trail[0].after_json.as_deref().unwrap()).unwrap();
    let before1: Value = serde_json::from_str(trail[1].before_json.as_deref().unwrap()).unwrap();
    let after1: Value = serde_json::from_str(trail[1].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(before1, after0);
    assert_eq!(after0["status"], "clear");
    assert_eq!(
        (after1["status"].as_str(), after1["reason"].as_str()),
        (Some("not_clear"), Some("under_suspension"))
    );
    // The history itself is append-only.
    let err = app
        .state
        .db(|c| cscms_store::testing::execute(c, "UPDATE vigilance_statuses SET status = 'clear'"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("append-only"), "{err}");
}
