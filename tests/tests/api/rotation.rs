//! Rotation transfer (ROT-1, ROT-2) and spouse posting (SPO-1) through the
//! API: the stateless engines and ROT-2 from the stored service history.

use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{spawn, IN_MHA, IN_MOF, IN_NDMA};

fn rules_cited(v: &Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["citation"].as_str().is_some_and(|c| !c.is_empty()));
            r["rule"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[actix_web::test]
async fn rot_2_eligibility_at_the_superannuation_boundary() {
    let app = spawn().await;
    let t = app.token(Role::Employee, Some(IN_MHA));
    let ask = |born: &str| {
        json!({"as_of": "2025-01-01", "cadre": "CSS", "grade": "US",
               "in_ministry_since": "2010-01-01", "date_of_birth": born})
    };
    // Born on the 1st: superannuates at the end of the month before turning 60.
    let r = app
        .post_json("/v1/rules/rotation/eligibility", &t, &ask("1967-01-01"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "exempt");
    assert_eq!(r.json["retires_on"], "2026-12-31");
    assert_eq!(r.json["as_of"], "2025-01-01");
    assert!(rules_cited(&r.json).contains(&"ROT-2".to_owned()));
    let r = app
        .post_json("/v1/rules/rotation/eligibility", &t, &ask("1967-01-02"))
        .await;
    assert_eq!(r.json["status"], "must_rotate", "{}", r.json);
    assert_eq!(r.json["retires_on"], "2027-01-31");
    assert_eq!(r.json["tenure_years"], 6);
    assert_eq!(r.json["tenure_completed_on"], "2015-12-31");
    // Tenure a day short.
    let mut short = ask("1975-05-05");
    short["in_ministry_since"] = json!("2019-01-03");
    let r = app
        .post_json("/v1/rules/rotation/eligibility", &t, &short)
        .await;
    assert_eq!(r.json["status"], "not_eligible", "{}", r.json);
    assert_eq!(r.json["tenure_completed_on"], "2025-01-02");
    // Completed on the day itself, with promotion recorded as likely: exempt (ROT-2).
    short["in_ministry_since"] = json!("2019-01-02");
    short["promotion_likely"] = json!(true);
    let r = app
        .post_json("/v1/rules/rotation/eligibility", &t, &short)
        .await;
    assert_eq!(r.json["status"], "exempt", "{}", r.json);
    // Refusals: an unknown grade, an unknown field, no date, no token.
    let mut bad = ask("1967-01-02");
    bad["grade"] = json!("JSA");
    app.post_json("/v1/rules/rotation/eligibility", &t, &bad)
        .await
        .assert_problem(422, "validation_failed");
    let mut bad = ask("1967-01-02");
    bad["tenure"] = json!(3);
    app.post_json("/v1/rules/rotation/eligibility", &t, &bad)
        .await
        .assert_problem(400, "unknown_field");
    let mut bad = ask("1967-01-02");
    bad.as_object_mut().unwrap().remove("as_of");
    app.post_json("/v1/rules/rotation/eligibility", &t, &bad)
        .await
        .assert_problem(422, "validation_failed");
    let r = app
        .post_json("/v1/rules/rotation/eligibility", "", &ask("1967-01-02"))
        .await;
    assert_eq!(r.status, 401);
}

#[actix_web::test]
async fn rot_2_an_officer_on_deputation_outside_the_cadre_is_not_in_rotation() {
    const AWAY: &str = "CSS-000889";
    let app = spawn().await;
    app.db(|c| {
        let on = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let row = crate::common::employee(AWAY, "Away Officer", "CSS", "SO", "8", "MHA");
        let ev = [
            crate::common::event(AWAY, "appointment", on(2010, 7, 1), "SO", "8"),
            crate::common::event(AWAY, "deputation", on(2023, 6, 1), "SO", "8"),
        ];
        cscms_store::employees::insert(c, &row, &ev)
    })
    .await;
    let dopt = app.dopt();
    let at = |d: &str| format!("/v1/employees/{AWAY}/rotation?as_of={d}");
    let r = app.get(&at("2023-05-31"), &dopt).await;
    assert_eq!(r.json["status"], "must_rotate", "{}", r.json);
    let r = app.get(&at("2026-12-01"), &dopt).await;
    assert_eq!(r.json["status"], "not_eligible", "{}", r.json);
    assert!(
        r.json["reasons"][0]["text"]
            .as_str()
            .unwrap()
            .contains("on deputation outside the cadre since 2023-06-01"),
        "{}",
        r.json
    );
}

#[actix_web::test]
async fn rot_2_from_the_stored_history_and_only_in_scope() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    // CSS SO since the 2010 appointment: 7 years ended 30.06.2017; the CSS
    // table is in force from 02.11.2022.
    let r = app
        .get(
            &format!("/v1/employees/{IN_MHA}/rotation?as_of=2023-01-02"),
            &me,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "must_rotate");
    assert_eq!(r.json["tenure_completed_on"], "2017-06-30");
    let r = app
        .get(
            &format!("/v1/employees/{IN_MHA}/rotation?as_of=2022-11-01"),
            &me,
        )
        .await;
    assert_eq!(r.json["status"], "not_eligible", "{}", r.json);
    // CSSS PA: 7 years under the 2009 order.
    let dopt = app.dopt();
    let r = app
        .get(
            &format!("/v1/employees/{IN_MOF}/rotation?as_of=2017-06-29"),
            &dopt,
        )
        .await;
    assert_eq!(r.json["status"], "not_eligible", "{}", r.json);
    let r = app
        .get(
            &format!("/v1/employees/{IN_MOF}/rotation?as_of=2017-06-30"),
            &dopt,
        )
        .await;
    assert_eq!(r.json["status"], "must_rotate", "{}", r.json);
    assert_eq!(r.json["as_of"], "2017-06-30");
    // A CSSS officer's tenure rests on the CSSS policy, not the CSS OM.
    let cited: Vec<(&str, &str)> = r.json["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["rule"].as_str().unwrap(), x["citation"].as_str().unwrap()))
        .collect();
    assert_eq!(cited[0].0, "ROT-2");
    assert!(
        cited[0]
            .1
            .starts_with("DoPT OM dated 21.07.2009 (rotational transfer policy for CSSS)"),
        "{cited:?}"
    );
    assert_eq!(cited[1].0, "ROT-2");
    assert!(cited[1].1.contains("(exemptions)"), "{cited:?}");
    assert_eq!(cited[2], ("ROT-1", cscms_domain::rules::ROT_1.citation));
    // Another employee's record is simply not there; the nodal officer sees their ministry's.
    app.get(&format!("/v1/employees/{IN_NDMA}/rotation"), &me)
        .await
        .assert_problem(404, "not_found");
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(
        app.get(&format!("/v1/employees/{IN_NDMA}/rotation"), &nodal)
            .await
            .status,
        200
    );
    app.get(&format!("/v1/employees/{IN_MOF}/rotation"), &nodal)
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn spo_1_cases_through_the_api() {
    let app = spawn().await;
    let t = app.token(Role::Employee, Some(IN_MOF));
    let spouse = |kind: &str, service: &str, station: &str| json!({"kind": kind, "service": service, "station": station});
    let mut checked = 0;
    for (a, b, case, mandatory) in [
        (
            spouse("all_india_service", "IAS", "Lucknow"),
            spouse("all_india_service", "IPS", "Patna"),
            "i",
            false,
        ),
        (
            spouse("central_service", "CSS", "New Delhi"),
            spouse("all_india_service", "IAS", "Jaipur"),
            "ii",
            false,
        ),
        (
            spouse("central_service", "CSS", "New Delhi"),
            spouse("central_service", "CSS", "Chennai"),
            "iii",
            true,
        ),
        (
            spouse("central_service", "CSS", "New Delhi"),
            spouse("central_service", "IRAS", "Mumbai"),
            "iv",
            false,
        ),
        (
            spouse("psu", "ONGC", "Dehradun"),
            spouse("all_india_service", "IFoS", "Shimla"),
            "v",
            false,
        ),
        (
            spouse("central_service", "CSSS", "New Delhi"),
            spouse("psu", "BHEL", "Bhopal"),
            "vi",
            false,
        ),
        (
            spouse("state_government", "Kerala", "Kochi"),
            spouse("central_service", "CSS", "New Delhi"),
            "vii",
            false,
        ),
    ] {
        let body = json!({"as_of": "2025-01-01", "first": a, "second": b});
        let r = app
            .post_json("/v1/rules/spouse-posting/evaluate", &t, &body)
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["case"], case, "{}", r.json);
        assert_eq!(r.json["mandatory"], mandatory, "{case}");
        assert!(r.json["representation"]
            .as_str()
            .unwrap()
            .contains("one level above"));
        assert!(rules_cited(&r.json).iter().all(|id| id == "SPO-1"));
        checked += 1;
    }
    // (viii): the same department, not on a Central Staffing Scheme posting.
    let mut a = spouse("central_service", "CSS", "New Delhi");
    let mut b = spouse("central_service", "CSSS", "Chennai");
    a["department"] = json!("Department of Revenue");
    b["department"] = json!("Department of Revenue");
    let body = json!({"as_of": "2025-01-01", "first": a, "second": b, "youngest_child_age": 7});
    let r = app
        .post_json("/v1/rules/spouse-posting/evaluate", &t, &body)
        .await;
    assert_eq!(
        (r.json["case"].clone(), r.json["mandatory"].clone()),
        (json!("viii"), json!(true)),
        "{}",
        r.json
    );
    assert_eq!(r.json["also"], json!(["iv"]));
    let mut css = body.clone();
    css["central_staffing_scheme"] = json!(true);
    let r = app
        .post_json("/v1/rules/spouse-posting/evaluate", &t, &css)
        .await;
    assert_eq!(r.json["mandatory"], false);
    checked += 1;
    assert_eq!(checked, 8, "every case of para 4");
    let mut bad = body.clone();
    bad["first"]["kind"] = json!("private");
    app.post_json("/v1/rules/spouse-posting/evaluate", &t, &bad)
        .await
        .assert_problem(400, "invalid_body");
}

#[actix_web::test]
async fn rot_1_allocation_what_if_names_no_other_officer() {
    let app = spawn().await;
    let t = app.dopt();
    let officer = |code: &str, from: &str, since: &str, prefs: &[&str]| {
        json!({"code": code, "grade": "SO", "ministry": from, "in_ministry_since": since,
               "seniority": 1, "must_rotate": true, "preferences": prefs})
    };
    let body = json!({
        "as_of": "2025-04-01",
        "ministries": [
            {"id": "MHA", "group": "A", "station": "New Delhi"},
            {"id": "MEA", "group": "B", "station": "New Delhi"},
            {"id": "DOS", "group": "B", "station": "Bengaluru", "vacancies": {"SO": 1}},
        ],
        "officers": [
            officer("CSS-000101", "MHA", "2016-01-01", &["MEA", "DOS"]),
            officer("CSS-000102", "MHA", "2015-01-01", &["MEA"]),
            officer("CSS-000103", "MEA", "2017-01-01", &["MHA"]),
        ],
    });
    let r = app
        .post_json("/v1/rules/rotation/allocate", &t, &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let results = r.json["officers"].as_array().unwrap();
    let to: Vec<&str> = results
        .iter()
        .map(|o| o["to"].as_str().unwrap_or("-"))
        .collect();
    // 102 has the longest tenure and takes MEA's one post (freed by 103);
    // 101 gets its second choice; 103 takes one of the two MHA posts.
    assert_eq!(to, ["DOS", "MEA", "MHA"]);
    assert_eq!(results[0]["rank"], 2);
    let why: Vec<&str> = results[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(
        why.iter()
            .any(|t| t.contains("choice MEA") && t.contains("higher priority")),
        "{why:?}"
    );
    assert!(why.iter().all(|t| !t.contains("CSS-000102")));
    assert!(r.json["priority_rule"]
        .as_str()
        .unwrap()
        .contains("Longest tenure"));
    // A list naming the officer's own group is refused.
    let mut bad = body.clone();
    bad["officers"][0]["preferences"] = json!(["MHA"]);
    app.post_json("/v1/rules/rotation/allocate", &t, &bad)
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn rot_2_ministry_groups_are_dated_complete_and_kept_by_dopt() {
    let app = spawn().await;
    let dopt = app.dopt();
    let me = app.token(Role::Employee, Some(IN_MHA));
    let set = |from: &str, a: &[&str], b: &[&str]| json!({"effective_from": from, "order_ref": "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022", "a": a, "b": b});
    let path = "/v1/rotation/ministry-groups";
    app.get(path, &me).await.assert_problem(404, "not_found");
    // Only DoPT records a set.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    app.post_json(path, &nodal, &set("2022-11-02", &["MHA"], &["MOF"]))
        .await
        .assert_problem(403, "forbidden");
    // Every ministry in exactly one group; bodies under a ministry are not ministries.
    for bad in [
        set("2022-11-02", &["MHA"], &[]),
        set("2022-11-02", &["MHA", "MOF"], &["MOF"]),
        set("2022-11-02", &["MHA", "MHA-NDMA"], &["MOF"]),
        set("2022-11-02", &["MHA", "XYZ"], &["MOF"]),
    ] {
        app.post_json(path, &dopt, &bad)
            .await
            .assert_problem(422, "validation_failed");
    }
    let r = app
        .post_json(path, &dopt, &set("2022-11-02", &["MHA"], &["MOF"]))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        (r.json["a"].clone(), r.json["b"].clone()),
        (json!(["MHA"]), json!(["MOF"]))
    );
    // Never changed: a second set for the same date is a conflict; a later one takes over from its date.
    let r = app
        .post_json(path, &dopt, &set("2022-11-02", &["MOF"], &["MHA"]))
        .await;
    assert_eq!(r.status, 409, "{}", r.json);
    let r = app
        .post_json(path, &dopt, &set("2025-04-01", &["MOF"], &["MHA"]))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app.get(&format!("{path}?as_of=2025-03-31"), &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["a"], json!(["MHA"]));
    let r = app.get(&format!("{path}?as_of=2025-04-01"), &me).await;
    assert_eq!(r.json["a"], json!(["MOF"]));
    app.get(&format!("{path}?as_of=2022-11-01"), &me)
        .await
        .assert_problem(404, "not_found");
    // Audited, with the change in the feed.
    let trail = app
        .db(|c| cscms_store::audit::for_entity(c, "ministry_groups", "2025-04-01"))
        .await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "create");
}

#[actix_web::test]
async fn rot_2_a_promotion_outlook_is_not_dated_before_the_officer_joined() {
    let app = spawn().await;
    let dopt = app.dopt();
    // The officer joined Government and the entry grade on 01.07.2010.
    let path = format!("/v1/employees/{IN_MHA}/rotation/promotion-outlooks");
    for early in ["1901-01-01", "2010-06-30"] {
        let r = app
            .post_json(
                &path,
                &dopt,
                &json!({"dated": early, "order_ref": "DoPT File No. 5/3/2025-CS.I(DPC)"}),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), ["body.dated"], "{}", r.json);
        let message = r.json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("01.07.2010"), "{message}");
    }
    assert_eq!(
        app.get(&path, &dopt).await.json["items"],
        json!([]),
        "nothing recorded"
    );
    let r = app
        .post_json(
            &path,
            &dopt,
            &json!({"dated": "2010-07-01", "order_ref": "DoPT File No. 5/3/2010-CS.I(DPC)"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

#[actix_web::test]
async fn rot_2_dopt_records_promotion_likely_and_it_exempts_for_a_year() {
    let app = spawn().await;
    let dopt = app.dopt();
    let path = format!("/v1/employees/{IN_MHA}/rotation/promotion-outlooks");
    let body = json!({"dated": "2025-01-01", "order_ref": "DoPT File No. 5/3/2025-CS.I(DPC)"});
    // Only DoPT records it; another ministry's nodal officer is told nothing exists.
    let me = app.token(Role::Employee, Some(IN_MHA));
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    for who in [&me, &nodal, &app.token(Role::Avd, None)] {
        app.post_json(&path, who, &body)
            .await
            .assert_problem(403, "forbidden");
    }
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    app.post_json(&path, &mof, &body)
        .await
        .assert_problem(404, "not_found");
    let mut future = body.clone();
    future["dated"] = json!(crate::workflow_support::days_from_today(1));
    app.post_json(&path, &dopt, &future)
        .await
        .assert_problem(422, "validation_failed");
    let r = app.post_json(&path, &dopt, &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["exempts_until"], "2025-12-31");
    // ROT-2 from the stored record: a day before it, on it, its last day, expired.
    for (as_of, status) in [
        ("2024-12-31", "must_rotate"),
        ("2025-01-01", "exempt"),
        ("2025-12-31", "exempt"),
        ("2026-01-01", "must_rotate"),
    ] {
        let r = app
            .get(
                &format!("/v1/employees/{IN_MHA}/rotation?as_of={as_of}"),
                &me,
            )
            .await;
        assert_eq!(r.json["status"], status, "{as_of}: {}", r.json);
    }
    // Read as the officer's record, audited under their ministry.
    assert_eq!(
        app.get(&path, &me).await.json["items"][0]["order_ref"],
        body["order_ref"]
    );
    app.get(&path, &mof).await.assert_problem(404, "not_found");
    let r = app
        .get(
            &format!("/v1/audit?entity=promotion_outlook&entity_id={IN_MHA}&limit=5"),
            &nodal,
        )
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1, "{}", r.json);

    // In a round: recorded today, it exempts from a round opening in 5 days.
    let id =
        crate::rotation_rounds::announce(&app, &crate::rotation_rounds::terms("CSS", &["SO"], 5))
            .await;
    let open = |r: &crate::common::Reply| r.json["items"].as_array().unwrap().len();
    assert_eq!(open(&app.get("/v1/me/rotation-rounds", &me).await), 1);
    let today = json!({"dated": crate::workflow_support::today(), "order_ref": "DoPT File No. 5/3/2026-CS.I(DPC)"});
    assert_eq!(app.post_json(&path, &dopt, &today).await.status, 201);
    assert_eq!(open(&app.get("/v1/me/rotation-rounds", &me).await), 0);
    let r = app
        .get(&format!("/v1/rotation/rounds/{id}/submissions"), &dopt)
        .await;
    let mine = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["employee_code"] == IN_MHA)
        .cloned()
        .unwrap();
    assert_eq!(mine["rotation_status"], "exempt", "{}", r.json);
}

#[actix_web::test]
async fn rot_2_and_spo_1_refuse_impossible_officers_at_the_field() {
    let app = spawn().await;
    let t = app.token(Role::Employee, Some(IN_MHA));
    let ask = |born: &str, since: &str| {
        json!({"as_of": "2025-01-01", "cadre": "CSS", "grade": "SO",
               "in_ministry_since": since, "date_of_birth": born})
    };
    // Under 18 on joining, or born after it: the date of birth is at fault.
    for (born, since) in [("2015-05-05", "2020-01-01"), ("1990-01-01", "1985-01-01")] {
        let r = app
            .post_json("/v1/rules/rotation/eligibility", &t, &ask(born, since))
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.json["errors"][0]["field"], "body.date_of_birth", "{born}");
    }
    // Retired before the as-of date: not in service, not "exempt".
    let r = app
        .post_json(
            "/v1/rules/rotation/eligibility",
            &t,
            &ask("1950-05-05", "2010-01-01"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "not_eligible");
    assert_eq!(r.json["retires_on"], "2010-05-31");

    // SPO-1 para 4(i): the IRS is not an All India Service.
    let spouse = |service: &str, station: &str| json!({"kind": "all_india_service", "service": service, "station": station});
    let r = app
        .post_json(
            "/v1/rules/spouse-posting/evaluate",
            &t,
            &json!({"as_of": "2025-01-01", "first": spouse("IAS", "New Delhi"),
                    "second": spouse("IRS", "Chennai")}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.second.service");
    // Before the OM of 30.09.2009 nothing under it was mandatory.
    let css =
        |station: &str| json!({"kind": "central_service", "service": "CSS", "station": station});
    for (as_of, mandatory) in [("2009-09-29", false), ("2009-09-30", true)] {
        let r = app
            .post_json(
                "/v1/rules/spouse-posting/evaluate",
                &t,
                &json!({"as_of": as_of, "first": css("New Delhi"), "second": css("Chennai")}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["mandatory"], mandatory, "{as_of}: {}", r.json);
    }
}
