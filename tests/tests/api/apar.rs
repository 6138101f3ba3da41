//! APAR records: SPARROW's idempotent bulk import, DoPT's entry and
//! correction, confidentiality (employee own, DoPT all, nodal none).

use chrono::Datelike;
use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{spawn, TestApp, IN_MHA, IN_NDMA};

fn fy(code: &str, year: i32, grade: Value) -> Value {
    let mut row = json!({
        "employee_code": code,
        "from": format!("{year}-04-01"),
        "to": format!("{}-03-31", year + 1),
    });
    match grade {
        Value::Number(n) => row["score"] = Value::Number(n),
        g => row["grading"] = g,
    }
    row
}

fn sparrow(app: &TestApp) -> String {
    app.token(Role::Integration, Some(scopes::APAR_WRITE))
}

/// An import as SPARROW sends it: with a fresh `Idempotency-Key` (required
/// of integration clients on bulk imports).
pub async fn import(app: &TestApp, token: &str, rows: &Value) -> crate::common::Reply {
    let key = format!("import-{}", rand::random::<u64>());
    app.call(
        actix_web::test::TestRequest::post()
            .uri("/v1/apars/import")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Idempotency-Key", key))
            .set_json(rows),
    )
    .await
}

fn statuses(r: &Value) -> Vec<&str> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn import_is_idempotent_and_reports_a_bad_row_by_index() {
    let app = spawn().await;
    let t = sparrow(&app);
    let rows = json!({"rows": [
        fy(IN_MHA, 2020, json!("very_good")),
        fy(IN_MHA, 2021, json!("very_good")),
        fy(IN_MHA, 2022, json!(8.5)),
        // Ends before it starts, and both a grading and a score: both reported.
        {"employee_code": IN_MHA, "from": "2019-04-01", "to": "2019-03-31", "grading": "good", "score": 5},
        fy("CSS-999999", 2022, json!("good")),
        fy(IN_NDMA, 2022, json!("outstanding")),
        // Not even a date: reported for this row only.
        {"employee_code": IN_NDMA, "from": "1 April", "to": "2022-03-31", "grading": "good"},
    ]});
    let r = import(&app, &t, &rows).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        statuses(&r.json),
        ["created", "created", "created", "rejected", "rejected", "created", "rejected"]
    );
    assert_eq!(
        (r.json["created"].as_u64(), r.json["rejected"].as_u64()),
        (Some(4), Some(3))
    );
    let bad = &r.json["results"][3];
    assert_eq!(bad["index"], 3);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["body.rows[3].grading", "body.rows[3].to"]);
    assert_eq!(
        bad["employee_code"], IN_MHA,
        "a row refused still names its employee"
    );
    assert_eq!(
        r.json["results"][4]["errors"][0]["code"],
        "unknown_employee"
    );
    assert_eq!(
        r.json["results"][6]["errors"][0]["field"],
        "body.rows[6].from"
    );
    let id = r.json["results"][0]["id"].as_i64().unwrap();
    // Each created row's id is the one its APAR was stored under, and the
    // one its audit row names (the ids of a multi-row insert, given back
    // in the order of the rows).
    let me = app.token(Role::Employee, Some(IN_MHA));
    let listed = app.get(&format!("/v1/employees/{IN_MHA}/apars"), &me).await;
    let stored: Vec<(i64, &str)> = listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_i64().unwrap(), a["from"].as_str().unwrap()))
        .collect();
    let answered: Vec<(i64, &str)> = r.json["results"].as_array().unwrap()[..3]
        .iter()
        .zip(["2020-04-01", "2021-04-01", "2022-04-01"])
        .map(|(a, from)| (a["id"].as_i64().unwrap(), from))
        .collect();
    assert_eq!(stored, answered);
    for (created, from) in answered {
        let trail = app
            .db(move |c| cscms_store::audit::for_entity(c, "apar", &created.to_string()))
            .await;
        assert_eq!(trail.len(), 1);
        let after: Value = serde_json::from_str(trail[0].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["id"].as_i64(), Some(created), "{after}");
        assert_eq!(after["period_from"].as_str(), Some(from), "{after}");
    }

    // The same rows again: nothing changes, nothing is audited twice.
    let again = import(&app, &t, &rows).await;
    assert_eq!(
        statuses(&again.json),
        [
            "unchanged",
            "unchanged",
            "unchanged",
            "rejected",
            "rejected",
            "unchanged",
            "rejected"
        ]
    );
    assert_eq!(again.json["results"][0]["id"], id);
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "apar", &id.to_string()))
        .await;
    assert_eq!(trail.len(), 1);

    // A changed grading updates the record, audited with before and after.
    let changed = json!({"rows": [fy(IN_MHA, 2020, json!("outstanding"))]});
    let r = import(&app, &t, &changed).await;
    assert_eq!(statuses(&r.json), ["updated"]);
    assert_eq!(r.json["results"][0]["id"], id);
    assert_eq!(r.json["results"][0]["version"], 2);
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "apar", &id.to_string()))
        .await;
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[1].action, "update");
    assert_eq!(trail[1].actor_role.as_str(), "integration");
    let before: Value = serde_json::from_str(trail[1].before_json.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(trail[1].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(
        (before["grading"].as_str(), after["grading"].as_str()),
        (Some("very_good"), Some("outstanding"))
    );

    // A period overlapping one on record is rejected.
    let overlap = json!({"rows": [{"employee_code": IN_MHA, "from": "2020-10-01", "to": "2021-09-30", "grading": "good"}]});
    let r = import(&app, &t, &overlap).await;
    assert_eq!(r.json["results"][0]["errors"][0]["code"], "overlaps");
    // So is one sharing a single day with one on record, at either end:
    // the import reads only the APARs whose periods meet its rows' span.
    for (from, to) in [("2019-04-02", "2020-04-01"), ("2023-03-31", "2023-09-30")] {
        let row = json!({"employee_code": IN_MHA, "from": from, "to": to, "grading": "good"});
        let r = import(&app, &t, &json!({"rows": [row]})).await;
        let refused = &r.json["results"][0]["errors"][0];
        assert_eq!(refused["code"], "overlaps", "{from}..{to}: {}", r.json);
    }

    // What the employee sees: CSS-2 counts the score 8.5 as Outstanding.
    let me = app.token(Role::Employee, Some(IN_MHA));
    let r = app.get(&format!("/v1/employees/{IN_MHA}/apars"), &me).await;
    assert_eq!(r.status, 200);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[2]["score"], 8.5);
    assert_eq!(items[2]["reporting_year"], "2022-23");
    assert_eq!(items[2]["counted_as"]["grading"], "outstanding");
    assert_eq!(items[2]["counted_as"]["source"], "numeric_grade");
    assert_eq!(items[2]["source"], "sparrow");
}

#[actix_web::test]
async fn apars_are_seen_by_the_employee_and_dopt_only() {
    let app = spawn().await;
    let rows = json!({"rows": [fy(IN_MHA, 2021, json!("good")), fy(IN_NDMA, 2021, json!("good"))]});
    let r = import(&app, &sparrow(&app), &rows).await;
    assert_eq!(r.json["created"], 2, "{}", r.json);

    let own = format!("/v1/employees/{IN_MHA}/apars");
    let other = format!("/v1/employees/{IN_NDMA}/apars");
    let me = app.token(Role::Employee, Some(IN_MHA));
    assert_eq!(app.get(&own, &me).await.status, 200);
    app.get(&other, &me).await.assert_problem(404, "not_found");
    // Nodal officers see their employees' records, but not their APARs.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    app.get(&own, &nodal).await.assert_problem(404, "not_found");
    app.get(&own, &app.token(Role::Avd, None))
        .await
        .assert_problem(404, "not_found");
    app.get(&own, &sparrow(&app))
        .await
        .assert_problem(404, "not_found");
    let r = app.get(&other, &app.dopt()).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    app.get("/v1/employees/CSS-999999/apars", &app.dopt())
        .await
        .assert_problem(404, "not_found");

    // Import needs an integration client with apar:write.
    for token in [
        app.token(Role::Integration, None),
        app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
        app.dopt(),
        me.clone(),
        nodal.clone(),
    ] {
        import(&app, &token, &rows)
            .await
            .assert_problem(403, "forbidden");
    }
}

/// An APAR reports on service rendered: not a period to come, not one
/// before the employee joined Government, and no representation decided in
/// the future; on entry as on import.
#[actix_web::test]
async fn an_apar_reports_on_a_period_served() {
    let app = spawn().await;
    let dopt = app.dopt();
    let path = format!("/v1/employees/{IN_MHA}/apars");
    let joined = app
        .get(&format!("/v1/employees/{IN_MHA}"), &dopt)
        .await
        .json["joined_government_on"]
        .as_str()
        .unwrap()
        .parse::<chrono::NaiveDate>()
        .unwrap();
    let next_year = crate::workflow_support::today().year() + 1;
    let before = joined.year() - 2;
    for (body, field) in [
        (
            json!({"from": format!("{next_year}-04-01"), "to": format!("{}-03-31", next_year + 1), "grading": "good"}),
            "body.to",
        ),
        (
            json!({"from": format!("{before}-04-01"), "to": format!("{}-03-31", before + 1), "grading": "outstanding"}),
            "body.from",
        ),
        (
            json!({"from": "2016-04-01", "to": "2017-03-31", "grading": "outstanding",
                   "representation": {"decided_on": format!("{next_year}-06-01"), "grading_before": "good"}}),
            "body.representation.decided_on",
        ),
    ] {
        let r = app.post_json(&path, &dopt, &body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), [field], "{body}");
    }
    // The import rejects such a row by itself, and writes the rest.
    let sparrow = app.token(Role::Integration, Some(scopes::APAR_WRITE));
    let rows = json!({"rows": [
        {"employee_code": IN_MHA, "from": format!("{before}-04-01"), "to": format!("{}-03-31", before + 1), "grading": "good"},
        {"employee_code": IN_MHA, "from": "2018-04-01", "to": "2019-03-31", "grading": "good"}
    ]});
    let r = app
        .call(
            actix_web::test::TestRequest::post()
                .uri("/v1/apars/import")
                .insert_header(("Authorization", format!("Bearer {sparrow}")))
                .insert_header(("Idempotency-Key", "\"served-1\""))
                .set_json(&rows),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        (r.json["created"].as_u64(), r.json["rejected"].as_u64()),
        (Some(1), Some(1)),
        "{}",
        r.json
    );
    assert_eq!(
        r.json["results"][0]["errors"][0]["field"], "body.rows[0].from",
        "{}",
        r.json
    );
}

#[actix_web::test]
async fn dopt_enters_and_corrects_one_apar() {
    let app = spawn().await;
    let path = format!("/v1/employees/{IN_MHA}/apars");
    let body = json!({"from": "2021-04-01", "to": "2022-03-31", "grading": "good"});
    let r = app.post_json(&path, &app.dopt(), &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(r.header("location"), Some(format!("{path}/{id}").as_str()));
    assert_eq!(r.json["source"], "dopt");

    app.post_json(&path, &app.dopt(), &body)
        .await
        .assert_problem(409, "apar_exists");
    let overlapping = json!({"from": "2021-10-01", "to": "2022-09-30", "grading": "good"});
    app.post_json(&path, &app.dopt(), &overlapping)
        .await
        .assert_problem(409, "apar_overlap");
    // The employee sees their APARs but may not write them; others do not see them.
    let me = app.token(Role::Employee, Some(IN_MHA));
    app.post_json(&path, &me, &body)
        .await
        .assert_problem(403, "forbidden");
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    app.post_json(&path, &nodal, &body)
        .await
        .assert_problem(404, "not_found");
    // Every rule-breaking value is listed.
    let bad = json!({"from": "2023-04-01", "to": "2022-03-31", "score": 11,
                     "representation": {"decided_on": "2020-01-01"}});
    let r = app.post_json(&path, &app.dopt(), &bad).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        ["body.representation.decided_on", "body.score", "body.to"]
    );
    app.post_json(&path, &app.dopt(), &json!({"from": "2021-04-01"}))
        .await
        .assert_problem(400, "invalid_body");

    // A correction on representation: the grade on record becomes the earlier grade (CSS-8).
    let corrected = json!({"from": "2021-04-01", "to": "2022-03-31", "grading": "very_good",
                           "representation": {"decided_on": "2024-09-01"}});
    // A correction names the version it corrects (If-Match): none is 428,
    // another is 412, and nothing is written.
    let one = format!("{path}/{id}");
    app.put(&one, &app.dopt(), &corrected)
        .await
        .assert_problem(428, "if_match_required");
    app.put_json(&one, &app.dopt(), Some("\"7\""), &corrected)
        .await
        .assert_problem(412, "stale_version");
    let read = app.get(&one, &app.dopt()).await;
    assert_eq!(read.status, 200, "{}", read.json);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.json["grading"], "good");
    let r = app
        .put_json(&one, &app.dopt(), read.header("etag"), &corrected)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(r.json["version"], 2);
    let again = app.get(&one, &me).await;
    assert_eq!(
        (again.header("etag"), &again.json),
        (Some("\"2\""), &r.json)
    );
    app.get(&format!("{path}/999999"), &app.dopt())
        .await
        .assert_problem(404, "not_found");
    assert_eq!(r.json["grading"], "very_good");
    assert_eq!(r.json["representation"]["grade_before"], "good");
    assert_eq!(r.json["representation"]["decided_on"], "2024-09-01");
    app.put(&format!("{path}/{id}"), &me, &corrected)
        .await
        .assert_problem(403, "forbidden");
    app.put_json(
        &format!("{path}/999999"),
        &app.dopt(),
        Some("\"1\""),
        &corrected,
    )
    .await
    .assert_problem(404, "not_found");
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "apar", &id.to_string()))
        .await;
    assert_eq!(
        trail.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["create", "update"]
    );

    // A correction that moves the period under a representation must leave
    // it fitting (CSS-8): decided after the new period, its earlier grade
    // readable then. Refused with the field, and nothing written.
    let rep = json!({"from": "2010-07-01", "to": "2011-03-31", "grading": "good",
                     "representation": {"decided_on": "2011-06-01", "grading_before": "average"}});
    let r = app.post_json(&path, &app.dopt(), &rep).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let rep_id = r.json["id"].as_i64().unwrap();
    let later_year = json!({"from": "2011-04-01", "to": "2012-03-31", "grading": "good"});
    let r = app
        .put_json(
            &format!("{path}/{rep_id}"),
            &app.dopt(),
            Some("\"1\""),
            &later_year,
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.json["errors"][0]["field"],
        "body.representation.decided_on"
    );
    assert_eq!(r.json["errors"][0]["code"], "too_early");
    let scored = json!({"from": "2015-04-01", "to": "2016-03-31", "score": 7.5});
    let r = app.post_json(&path, &app.dopt(), &scored).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let scored_id = r.json["id"].as_i64().unwrap();
    // Numeric grades map to gradings only from 01.04.2007.
    let before_bands = json!({"from": "2006-04-01", "to": "2007-03-31", "grading": "good",
                              "representation": {"decided_on": "2008-01-01"}});
    let r = app
        .put_json(
            &format!("{path}/{scored_id}"),
            &app.dopt(),
            Some("\"1\""),
            &before_bands,
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.json["errors"][0]["field"],
        "body.representation.grading_before"
    );
    assert_eq!(r.json["errors"][0]["code"], "no_mapping");
    for id in [rep_id, scored_id] {
        let trail = app
            .db(move |c| cscms_store::audit::for_entity(c, "apar", &id.to_string()))
            .await;
        assert_eq!(trail.len(), 1, "only the entry was written");
    }
    let fitting = json!({"from": "2011-04-01", "to": "2012-03-31", "grading": "good",
                         "representation": {"decided_on": "2012-06-01", "grading_before": "average"}});
    let r = app
        .put_json(
            &format!("{path}/{rep_id}"),
            &app.dopt(),
            Some("\"1\""),
            &fitting,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);

    // SPARROW does not overwrite DoPT's correction; the same values are unchanged.
    let t = sparrow(&app);
    let stale = json!({"rows": [fy(IN_MHA, 2021, json!("good"))]});
    let r = import(&app, &t, &stale).await;
    assert_eq!(
        r.json["results"][0]["errors"][0]["code"],
        "corrected_by_dopt"
    );
    let same = json!({"rows": [fy(IN_MHA, 2021, json!("very_good"))]});
    let r = import(&app, &t, &same).await;
    assert_eq!(statuses(&r.json), ["unchanged"]);
}
