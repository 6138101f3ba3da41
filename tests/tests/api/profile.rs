//! The profile lifecycle (PRF-1..PRF-5): scope, no lost updates, field
//! rights, transitions, validation rounds, audit, print.

use actix_web::test::TestRequest;
use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{etag, pdf_text, spawn, submitted, TestApp, IN_MHA, IN_MOF, IN_NDMA};
use crate::workflow_support::today;

fn path(code: &str) -> String {
    format!("/v1/employees/{code}/profile")
}

#[actix_web::test]
async fn scope_for_every_profile_operation() {
    let app = spawn().await;
    let other_employee = app.token(Role::Employee, Some(IN_MOF));
    let other_nodal = app.token(Role::NodalOfficer, Some("MOF"));
    let sub_nodal = app.token(Role::SubNodalOfficer, Some("MHA-NDMA"));
    for token in [&other_employee, &other_nodal, &sub_nodal] {
        app.get(&path(IN_MHA), token)
            .await
            .assert_problem(404, "not_found");
        app.get(&format!("{}.pdf", path(IN_MHA)), token)
            .await
            .assert_problem(404, "not_found");
        app.patch_json(&path(IN_MHA), token, Some("\"1\""), &json!({}))
            .await
            .assert_problem(404, "not_found");
        for action in ["submit", "validate"] {
            app.post_json(&format!("{}/{action}", path(IN_MHA)), token, &json!({}))
                .await
                .assert_problem(404, "not_found");
        }
        app.post_json(
            &format!("{}/return", path(IN_MHA)),
            token,
            &json!({"reasons": ["fix it"]}),
        )
        .await
        .assert_problem(404, "not_found");
    }
    // The nodal officer of MHA sees MHA and the body under it.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(app.get(&path(IN_NDMA), &nodal).await.status, 200);
    // AVD sees but does not edit.
    let avd = app.token(Role::Avd, None);
    let tag = etag(&app, IN_MHA, &avd).await;
    app.patch_json(
        &path(IN_MHA),
        &avd,
        Some(&tag),
        &json!({"contact": {"mobile": "9876543210"}}),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn updates_need_if_match_and_never_lose_a_change() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            None,
            &json!({"contact": {"mobile": "9876543210"}}),
        )
        .await;
    r.assert_problem(428, "if_match_required");
    let tag = etag(&app, IN_MHA, &me).await;
    // Employee and nodal officer both edit from the same version.
    let first = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"contact": {"mobile": "9876543210"}}),
        )
        .await;
    let second = app
        .patch_json(
            &path(IN_MHA),
            &nodal,
            Some(&tag),
            &json!({"service": {"pay_cell": 5}}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.json);
    second.assert_problem(412, "stale_version");
    assert_ne!(first.header("etag"), Some(tag.as_str()));
    // The refused change was not merged in silently.
    let now = app.get(&path(IN_MHA), &me).await;
    assert_eq!(now.json["document"]["contact"]["mobile"], "9876543210");
    assert_eq!(now.json["document"]["service"]["pay_cell"], 3);
    // Re-read and reapply: it goes through.
    let tag = now.header("etag").unwrap().to_owned();
    let again = app
        .patch_json(
            &path(IN_MHA),
            &nodal,
            Some(&tag),
            &json!({"service": {"pay_cell": 5}}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.json);
    assert_eq!(again.json["document"]["service"]["pay_cell"], 5);
    assert_eq!(again.json["document"]["contact"]["mobile"], "9876543210");
    // A nonsense tag is a failed precondition too.
    app.patch_json(&path(IN_MHA), &me, Some("W/\"9\""), &json!({}))
        .await
        .assert_problem(412, "stale_version");
}

#[actix_web::test]
async fn field_rights_by_role() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let tag = etag(&app, IN_MHA, &me).await;
    let r = app
        .patch_json(&path(IN_MHA), &me, Some(&tag), &json!({"service": {"date_of_birth": "1984-01-01", "grade": "US"}, "contact": {"mobile": "9876543210"}}))
        .await;
    r.assert_problem(403, "field_not_editable");
    let fields = r.error_fields();
    assert_eq!(fields, ["body.service.date_of_birth", "body.service.grade"]);
    // Nothing of the refused patch was applied.
    assert_eq!(
        app.get(&path(IN_MHA), &me).await.header("etag"),
        Some(tag.as_str())
    );

    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .patch_json(
            &path(IN_MHA),
            &nodal,
            Some(&tag),
            &json!({"service": {"org_id": "MOF"}}),
        )
        .await;
    r.assert_problem(403, "field_not_editable");
    let r = app
        .patch_json(
            &path(IN_MHA),
            &nodal,
            Some(&tag),
            &json!({"service": {"date_of_birth": "1985-04-21"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let tag = r.header("etag").unwrap().to_owned();
    // The correction reached the employee record too.
    let emp = app.get(&format!("/v1/employees/{IN_MHA}"), &nodal).await;
    assert_eq!(emp.json["date_of_birth"], "1985-04-21");
    // DoPT moves the employee to another ministry.
    let r = app
        .patch_json(
            &path(IN_MHA),
            &app.dopt(),
            Some(&tag),
            &json!({"service": {"org_id": "MOF"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // ...after which the MHA nodal officer no longer sees them.
    app.get(&path(IN_MHA), &nodal)
        .await
        .assert_problem(404, "not_found");
    // Bad service values are named.
    let tag = r.header("etag").unwrap().to_owned();
    let r = app
        .patch_json(
            &path(IN_MHA),
            &app.dopt(),
            Some(&tag),
            &json!({"service": {"grade": "JSA", "org_id": "NOWHERE"}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.service.grade");
    // A level that is not the matrix's, a cell its level lacks, a joining
    // before the age of entry, a promotion after today: each named.
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    for (patch, field) in [
        (json!({"pay_level": "ZZ"}), "body.service.pay_level"),
        (json!({"pay_level": "7"}), "body.service.pay_level"),
        (
            json!({"pay_level": "17", "pay_cell": 2}),
            "body.service.pay_cell",
        ),
        (
            json!({"date_of_birth": "2000-01-01", "joined_government_on": "2010-07-01"}),
            "body.service.joined_government_on",
        ),
        (
            json!({"joined_present_grade_on": tomorrow}),
            "body.service.joined_present_grade_on",
        ),
        // Born 1940: joined at 67, after superannuation (FR 56(a)).
        (
            json!({"date_of_birth": "1940-01-01"}),
            "body.service.joined_government_on",
        ),
    ] {
        let r = app
            .patch_json(
                &path(IN_MHA),
                &app.dopt(),
                Some(&tag),
                &json!({ "service": patch }),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), [field], "{patch}");
    }
    // The employee's own child is not born after today.
    let me = app.token(Role::Employee, Some(IN_MHA));
    let child =
        |born: &str| json!({"family": {"children": [{"name": "Asha", "date_of_birth": born}]}});
    for born in [tomorrow.as_str(), "1950-01-01"] {
        let r = app
            .patch_json(&path(IN_MHA), &me, Some(&tag), &child(born))
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), ["body.family.children[0].date_of_birth"]);
    }
    // Nor is a degree passed in a year to come.
    let r = app
        .patch_json(&path(IN_MHA), &me, Some(&tag), &json!({"education": [{"degree": "BA", "institution": "University of Delhi", "year": 2090}]}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.education[0].year"]);
    let r = app
        .patch_json(&path(IN_MHA), &me, Some(&tag), &child(&today().to_string()))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

/// PRF-2 validates complete data: a correction since submission that
/// empties a required field keeps the profile from being validated. And a
/// return's reasons are shown while it stands returned, not after.
#[actix_web::test]
async fn only_a_complete_profile_is_validated_and_old_reasons_go() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let validate = format!("{}/validate", path(IN_MHA));
    let tag = etag(&app, IN_MHA, &nodal).await;
    let r = app
        .patch_json(&path(IN_MHA), &nodal, Some(&tag), &json!({"contact": null}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app.post_json(&validate, &nodal, &json!({})).await;
    r.assert_problem(422, "incomplete");
    assert_eq!(
        r.error_fields(),
        ["contact.mobile", "contact.official_email"]
    );
    assert_eq!(
        app.get(&path(IN_MHA), &me).await.json["status"],
        "submitted"
    );
    // Returned with a reason, completed and submitted again: the reason of
    // the return no longer shows.
    let r = app
        .post_json(
            &format!("{}/return", path(IN_MHA)),
            &nodal,
            &json!({"reasons": ["Contact details are missing"]}),
        )
        .await;
    assert_eq!(
        r.json["returned_reasons"],
        json!(["Contact details are missing"])
    );
    let tag = etag(&app, IN_MHA, &me).await;
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"contact": {"mobile": "9876543210", "official_email": "so.mha@gov.in"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .post_json(&format!("{}/submit", path(IN_MHA)), &me, &json!({}))
        .await;
    assert_eq!(r.json["status"], "submitted", "{}", r.json);
    assert_eq!(r.json["returned_reasons"], json!([]));
    let r = app.post_json(&validate, &nodal, &json!({})).await;
    assert_eq!(r.json["status"], "validated", "{}", r.json);
}

#[actix_web::test]
async fn validation_lists_every_bad_field_and_unknown_fields_are_refused() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let tag = etag(&app, IN_MHA, &me).await;
    let r = app
        .patch_json(&path(IN_MHA), &me, Some(&tag), &json!({"contact": {"mobile": "12345", "official_email": "nope"}, "address": {"present": {"pin": "0110"}}}))
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        [
            "body.address.present.pin",
            "body.contact.mobile",
            "body.contact.official_email"
        ]
    );
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"contact": {"fax": "1"}}),
        )
        .await;
    r.assert_problem(400, "unknown_field");
    assert_eq!(r.json["errors"][0]["field"], "body.contact.fax");
}

/// The profiles awaiting validation come a page at a time, oldest first,
/// each once; a cursor from elsewhere is refused.
#[actix_web::test]
async fn pending_profiles_page_oldest_first() {
    let app = spawn().await;
    for code in [IN_NDMA, IN_MOF, IN_MHA] {
        submitted(&app, code).await;
    }
    let dopt = app.dopt();
    let mut next = Some("/v1/profiles/pending?limit=2".to_owned());
    let mut pages = Vec::new();
    while let Some(url) = next {
        let r = app.get(&url, &dopt).await;
        assert_eq!(r.status, 200, "{}", r.json);
        let codes: Vec<String> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["employee_code"].as_str().unwrap().to_owned())
            .collect();
        pages.push(codes);
        next = r.json["next"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, [vec![IN_NDMA, IN_MOF], vec![IN_MHA]]);
    // Submitted at the same instant (to the nanosecond where the store
    // keeps it): by code, each once, a page of one at a time.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE profiles SET submitted_at = '2026-01-01 00:00:00.123456789' WHERE status = 'submitted'",
        )
    })
    .await;
    let mut next = Some("/v1/profiles/pending?limit=1".to_owned());
    let mut seen = Vec::new();
    while let Some(url) = next {
        let r = app.get(&url, &dopt).await;
        assert_eq!(r.status, 200, "{}", r.json);
        for i in r.json["items"].as_array().unwrap() {
            seen.push(i["employee_code"].as_str().unwrap().to_owned());
        }
        next = r.json["next"].as_str().map(str::to_owned);
    }
    let mut by_code = vec![IN_MHA, IN_MOF, IN_NDMA];
    by_code.sort_unstable();
    assert_eq!(seen, by_code);
    app.get("/v1/profiles/pending?cursor=CSS-000001", &dopt)
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn transitions_allowed_and_refused() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let submit = format!("{}/submit", path(IN_MHA));
    let validate = format!("{}/validate", path(IN_MHA));
    let ret = format!("{}/return", path(IN_MHA));

    // Incomplete: every missing field listed.
    let r = app.post_json(&submit, &me, &json!({})).await;
    r.assert_problem(422, "incomplete");
    assert_eq!(r.json["errors"].as_array().unwrap().len(), 10);
    // Validating a draft is refused, naming the state and what is allowed.
    let r = app.post_json(&validate, &nodal, &json!({})).await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "draft");
    assert_eq!(r.json["allowed_actions"], json!(["correct"]));

    submitted(&app, IN_MHA).await;
    // Locked for the employee while under validation.
    let tag = etag(&app, IN_MHA, &me).await;
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"contact": {"mobile": "9123456780"}}),
        )
        .await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "submitted");
    // The employee never validates or returns a profile, their own or not,
    // and DoPT never submits one: not the role's (403), whatever the status.
    for (url, token) in [(&validate, &me), (&ret, &me), (&submit, &app.dopt())] {
        app.post_json(url, token, &json!({"reasons": ["The pay cell is wrong"]}))
            .await
            .assert_problem(403, "forbidden");
    }
    // Returned with reasons...
    app.post_json(&ret, &nodal, &json!({"reasons": []}))
        .await
        .assert_problem(422, "validation_failed");
    let r = app
        .post_json(
            &ret,
            &nodal,
            &json!({"reasons": ["Permanent address PIN is missing"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "returned");
    assert_eq!(
        r.json["returned_reasons"],
        json!(["Permanent address PIN is missing"])
    );
    // ...corrected and resubmitted, then validated.
    let tag = r.header("etag").unwrap().to_owned();
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"contact": {"personal_email": "asha@example.in"}}),
        )
        .await;
    assert_eq!(r.json["status"], "returned");
    assert_eq!(
        app.post_json(&submit, &me, &json!({})).await.json["status"],
        "submitted"
    );
    let r = app.post_json(&validate, &nodal, &json!({})).await;
    assert_eq!(r.json["status"], "validated");
    assert_eq!(r.json["validated_by"], "nodal_officer:MHA");
    app.post_json(&validate, &nodal, &json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    // A later edit by the employee reopens it as a draft.
    let tag = r.header("etag").unwrap().to_owned();
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"contact": {"mobile": "9123456780"}}),
        )
        .await;
    assert_eq!(r.json["status"], "draft");
    assert!(r.json["first_submitted_at"].is_string());
}

/// Two profiles submitted in MHA (`IN_MHA`, `IN_NDMA` in its body), a
/// validation round for MHA closing in an hour, and MHA's nodal officer.
async fn mha_round_an_hour_away() -> (TestApp, chrono::DateTime<chrono::Utc>, String) {
    let app = spawn().await;
    submitted(&app, IN_MHA).await;
    submitted(&app, IN_NDMA).await;
    let deadline = chrono::Utc::now() + chrono::Duration::hours(1);
    let r = app
        .post_json(
            "/v1/validation-rounds",
            &app.dopt(),
            &json!({"deadline": deadline.to_rfc3339(), "organisations": ["MHA"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    (app, deadline, nodal)
}

/// PRF-2: once a round's deadline has passed with the profile awaiting
/// validation, its data is taken as final: the nodal officer may correct
/// or validate it, but no longer return it to the employee.
#[actix_web::test]
async fn a_profile_taken_as_final_is_not_returned() {
    let (app, _, nodal) = mha_round_an_hour_away().await;
    let reasons = json!({"reasons": ["Date of joining the grade does not match the order"]});
    // Before the deadline: returned.
    let r = app
        .post_json(&format!("{}/return", path(IN_NDMA)), &nodal, &reasons)
        .await;
    assert_eq!(r.json["status"], "returned", "{}", r.json);
    // The deadline passed while IN_MHA's profile awaited validation.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE profiles SET submitted_at = '2026-01-01 00:00:00' WHERE employee_code = 'CSS-000001'; \
             UPDATE validation_rounds SET deadline = '2026-02-01 00:00:00'",
        )
    })
    .await;
    let r = app
        .post_json(&format!("{}/return", path(IN_MHA)), &nodal, &reasons)
        .await;
    r.assert_problem(409, "deemed_final");
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .contains("validation round 1"));
    let r = app
        .post_json(&format!("{}/validate", path(IN_MHA)), &nodal, &json!({}))
        .await;
    assert_eq!(r.json["status"], "validated", "{}", r.json);
}

#[actix_web::test]
async fn deadline_passing_with_and_without_validation() {
    let (app, deadline, nodal) = mha_round_an_hour_away().await;
    app.post_json(&format!("{}/validate", path(IN_NDMA)), &nodal, &json!({}))
        .await;

    let before = (deadline - chrono::Duration::minutes(5)).to_rfc3339();
    let after = (deadline + chrono::Duration::minutes(5)).to_rfc3339();
    let at = |when: &str, code: &str| format!("{}?as_of={}", path(code), when.replace('+', "%2B"));
    let r = app.get(&at(&before, IN_MHA), &nodal).await;
    assert!(r.json["deemed_final"].is_null());
    let not_final = r.header("etag").unwrap().to_owned();
    assert_eq!(not_final, format!("\"{}\"", r.json["version"]));
    let r = app.get(&at(&after, IN_MHA), &nodal).await;
    let df = &r.json["deemed_final"];
    assert_eq!(df["round_id"], 1, "{}", r.json);
    assert_eq!(df["answerable"][0]["name"], "Ravi Shankar");
    assert_eq!(df["reasons"][0]["rule"], "PRF-2");
    // The view changed with no write: a copy read before is not 304, the
    // final one is; a change may name the final one's tag (its version).
    let final_tag = r.header("etag").unwrap().to_owned();
    assert!(
        final_tag.starts_with(&format!("\"{}-final-", r.json["version"])),
        "{final_tag}"
    );
    let conditional = |tag: &str| {
        TestRequest::get()
            .uri(&at(&after, IN_MHA))
            .insert_header(("Authorization", format!("Bearer {nodal}")))
            .insert_header(("If-None-Match", tag.to_owned()))
    };
    assert_eq!(app.call(conditional(&not_final)).await.status, 200);
    assert_eq!(app.call(conditional(&final_tag)).await.status, 304);
    let r = app
        .patch_json(
            &path(IN_MHA),
            &nodal,
            Some(&final_tag),
            &json!({"contact": {"mobile": "9812345670"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // The validated one is not deemed final.
    assert!(app.get(&at(&after, IN_NDMA), &nodal).await.json["deemed_final"].is_null());
    // Pending list: oldest first, shows the deadline having passed.
    let r = app
        .get(
            &format!("/v1/profiles/pending?as_of={}", after.replace('+', "%2B")),
            &nodal,
        )
        .await;
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["employee_code"], IN_MHA);
    assert!(items[0]["deemed_final_at"].is_string());
    // With the reasons the profile's own view gives, citing PRF-2.
    let own = app.get(&at(&after, IN_MHA), &nodal).await.json;
    assert_eq!(items[0]["deemed_final_at"], own["deemed_final"]["at"]);
    assert_eq!(
        items[0]["deemed_final_reasons"],
        own["deemed_final"]["reasons"]
    );
    assert!(items[0]["deemed_final_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "PRF-2"));
    // Another ministry's nodal officer sees none of it; employees may not list.
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    assert!(app.get("/v1/profiles/pending", &mof).await.json["items"]
        .as_array()
        .unwrap()
        .is_empty());
    app.get(
        "/v1/profiles/pending",
        &app.token(Role::Employee, Some(IN_MHA)),
    )
    .await
    .assert_problem(403, "forbidden");
    // Rounds: DoPT only opens; deadlines in the past are refused.
    app.post_json("/v1/validation-rounds", &nodal, &json!({"deadline": after}))
        .await
        .assert_problem(403, "forbidden");
    app.post_json(
        "/v1/validation-rounds",
        &app.dopt(),
        &json!({"deadline": "2020-01-01T00:00:00Z"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(
        app.get("/v1/validation-rounds", &mof).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get("/v1/validation-rounds", &nodal).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Nor does the change feed tell MOF of MHA's round; DoPT's does.
    crate::changes::settle(&app).await;
    let rounds_in_feed = |token: String| {
        let app = &app;
        async move {
            let r = app.get("/v1/changes?limit=1000", &token).await;
            assert_eq!(r.status, 200, "{}", r.json);
            r.json["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["type"] == "validation_round.open")
                .count()
        }
    };
    assert_eq!(rounds_in_feed(mof).await, 0);
    assert_eq!(rounds_in_feed(app.dopt()).await, 1);
}

#[actix_web::test]
async fn one_audit_row_per_mutation_with_before_and_after() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "profile", IN_MHA))
        .await;
    assert_eq!(
        trail.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["update", "submit"]
    );
    let before: Value = serde_json::from_str(trail[0].before_json.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(trail[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(before["contact"]["mobile"], Value::Null);
    assert_eq!(after["contact"]["mobile"], "9876543210");
    assert_eq!(
        after.as_object().unwrap().len(),
        4,
        "only the changed sections: {after}"
    );
    assert_eq!(trail[1].actor_role.as_str(), "employee");
    // A refused change writes nothing.
    let tag = etag(&app, IN_MHA, &me).await;
    app.patch_json(
        &path(IN_MHA),
        &me,
        Some(&tag),
        &json!({"contact": {"mobile": "9000000001"}}),
    )
    .await;
    assert_eq!(
        app.db(|c| cscms_store::audit::for_entity(c, "profile", IN_MHA))
            .await
            .len(),
        2
    );
    // The trail through the API: DoPT all, nodal officer own organisation only.
    let r = app.get("/v1/audit?entity=profile", &app.dopt()).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 2);
    assert_eq!(r.json["items"][0]["action"], "submit");
    let mha = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(
        app.get("/v1/audit?entity=profile", &mha).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    assert_eq!(
        app.get("/v1/audit?entity=profile", &mof).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    app.get("/v1/audit", &me)
        .await
        .assert_problem(403, "forbidden");
    // Pages walk newest first.
    let r = app.get("/v1/audit?limit=1", &app.dopt()).await;
    let next = r.json["next"].as_str().unwrap().to_owned();
    let r2 = app.get(&next, &app.dopt()).await;
    assert!(r2.json["items"][0]["id"].as_i64() < r.json["items"][0]["id"].as_i64());
}

#[actix_web::test]
async fn profile_prints_as_pdf() {
    let app = spawn().await;
    submitted(&app, IN_MHA).await;
    let token = app.token(Role::NodalOfficer, Some("MHA"));
    for req in [
        TestRequest::get()
            .uri(&path(IN_MHA))
            .insert_header(("Accept", "application/pdf")),
        TestRequest::get().uri(&format!("{}.pdf", path(IN_MHA))),
    ] {
        let r = app
            .call(req.insert_header(("Authorization", format!("Bearer {token}"))))
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/pdf"));
        let doc = lopdf::Document::load_mem(&r.bytes).expect("a PDF");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = doc.extract_text(&pages).unwrap();
        assert!(text.contains("Asha Verma"), "{text}");
        assert!(text.contains("University of Rajasthan"), "{text}");
    }
}

#[actix_web::test]
async fn working_strength_entered_validated_and_counted() {
    let app = spawn().await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let url = "/v1/organisations/MHA/working-strength";
    let r = app.get(url, &nodal).await;
    // PRF-3: the version of the entries (none yet) and who is in position.
    assert!(r.header("etag").is_some_and(|t| t.starts_with("\"0-")));
    assert_eq!(r.json["rows"][0]["in_position"], 1);
    let body = json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}, {"cadre": "CSS", "grade": "US", "sanctioned": 2}], "validated": true});
    app.put_json(url, &nodal, None, &body)
        .await
        .assert_problem(428, "if_match_required");
    let r = app.put_json(url, &nodal, Some("\"0\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let so = r.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["grade"] == "SO")
        .unwrap()
        .clone();
    assert_eq!(
        (
            so["sanctioned"].as_i64(),
            so["in_position"].as_i64(),
            so["vacancies"].as_i64()
        ),
        (Some(4), Some(1), Some(3))
    );
    assert_eq!(r.json["validated_by"], "nodal_officer:MHA");
    app.put_json(url, &nodal, Some("\"0\""), &body)
        .await
        .assert_problem(412, "stale_version");
    let bad = json!({"entries": [{"cadre": "CSS", "grade": "JSA", "sanctioned": 1}, {"cadre": "CSS", "grade": "SO", "sanctioned": -1}]});
    let r = app.put_json(url, &nodal, Some("\"1\""), &bad).await;
    r.assert_problem(422, "validation_failed");
    // Scope: another ministry's nodal officer does not see it; an employee
    // sees the organisation but may not read its strength.
    app.get(url, &app.token(Role::NodalOfficer, Some("MOF")))
        .await
        .assert_problem(404, "not_found");
    app.get(url, &app.token(Role::Employee, Some(IN_MHA)))
        .await
        .assert_problem(403, "forbidden");
    let avd = app.token(Role::Avd, None);
    assert_eq!(app.get(url, &avd).await.status, 200);
    app.put_json(url, &avd, Some("\"1\""), &body)
        .await
        .assert_problem(403, "forbidden");
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "working_strength", "MHA"))
        .await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "replace_and_validate");
    // Read through the API, the entry's values are by field, as for every entity.
    let r = app
        .get("/v1/audit?entity=working_strength&entity_id=MHA", &nodal)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let after = &r.json["items"][0]["after"]["sanctioned"];
    assert_eq!(after.as_array().map(Vec::len), Some(2), "{}", r.json);

    // A Section Officer in the non-functional scale holds an SO post: counted
    // under SO, and the scale has no strength of its own.
    app.db(|c| {
        let code = "CSS-000887";
        let row = crate::common::employee(code, "Nfs Officer", "CSS", "SO_NFS", "10", "MHA");
        let on = chrono::NaiveDate::from_ymd_opt(2010, 7, 1).unwrap();
        let ev = [crate::common::event(code, "appointment", on, "SO", "8")];
        cscms_store::employees::insert(c, &row, &ev)
    })
    .await;
    let r = app.get(url, &nodal).await;
    let grades: Vec<(&str, i64, Option<i64>)> = r.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["grade"].as_str().unwrap(),
                x["in_position"].as_i64().unwrap(),
                x["vacancies"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        grades,
        [("SO", 2, Some(2)), ("US", 0, Some(2))],
        "{}",
        r.json
    );
    let nfs = json!({"entries": [{"cadre": "CSS", "grade": "SO_NFS", "sanctioned": 1}]});
    let r = app.put_json(url, &nodal, Some("\"1\""), &nfs).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.entries[0].grade");
}

/// Seed 000 §2: the employee updates their service details, as a
/// declaration checked as a correction is, which the record takes only when
/// the nodal officer validates the profile (PRF-2); meanwhile every engine
/// reads the record as it stands.
#[actix_web::test]
async fn an_employee_declares_service_details_taken_in_at_validation() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let record = app.get(&path(IN_MHA), &me).await;
    let service = record.json["document"]["service"].clone();
    assert_eq!(
        (service["grade"].as_str(), service["pay_level"].as_str()),
        (Some("SO"), Some("8"))
    );
    let tag = record.header("etag").unwrap().to_owned();
    // A pay below the grade's level is named at its declared field.
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"service_declared": {"pay_level": "1"}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.service_declared.pay_level"]);
    // The service record itself stays the officers' to correct.
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({"service": {"pay_cell": 9}}),
        )
        .await;
    r.assert_problem(403, "field_not_editable");
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("service_declared"));
    // Declared: shown beside the record, which stands until validation.
    let cell = service["pay_cell"].as_i64().unwrap() + 1;
    let declared = json!({"pay_cell": cell});
    let r = app
        .patch_json(
            &path(IN_MHA),
            &me,
            Some(&tag),
            &json!({ "service_declared": declared }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["document"]["service_declared"], declared);
    assert_eq!(r.json["document"]["service"], service);
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let employee = app.get(&format!("/v1/employees/{IN_MHA}"), &nodal).await;
    assert_eq!(employee.json["pay"]["cell"], service["pay_cell"]);
    // The print gives what the JSON gives (PRF-5).
    let pdf = app.get(&format!("{}.pdf", path(IN_MHA)), &me).await;
    assert_eq!(pdf.status, 200);
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("declared, awaiting validation"), "{text}");
    // Submitted, then validated: the declaration takes the record's place.
    submitted(&app, IN_MHA).await;
    let r = app
        .post_json(&format!("{}/validate", path(IN_MHA)), &nodal, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["document"]["service"]["pay_cell"], cell);
    assert!(
        r.json["document"].get("service_declared").is_none(),
        "{}",
        r.json
    );
    let employee = app.get(&format!("/v1/employees/{IN_MHA}"), &nodal).await;
    assert_eq!(employee.json["pay"]["cell"], cell);
    // ... audited with the record before and after.
    let r = app
        .get(
            &format!("/v1/audit?entity=profile&entity_id={IN_MHA}&limit=1"),
            &app.dopt(),
        )
        .await;
    let row = &r.json["items"][0];
    assert_eq!(row["action"], "validate", "{}", r.json);
    assert_eq!(row["before"]["service"]["pay_cell"], service["pay_cell"]);
    assert_eq!(row["after"]["service"]["pay_cell"], cell);
}
