//! The pay rules engines through the API: seed illustrations as tests,
//! stored employees, the MACP-due report.

use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{spawn, IN_MHA, IN_MOF, IN_NDMA};
use crate::workflow_support::today;

fn cites(reasons: &Value, rule: &str) -> bool {
    reasons
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == rule && r["citation"].as_str().is_some_and(|c| !c.is_empty()))
}

#[actix_web::test]
async fn macp_3_illustrations_through_the_api() {
    let app = spawn().await;
    let t = app.token(Role::Employee, Some(IN_MHA));
    for (entry, first, second, third_gp) in [
        ("4000-6000", "4500-7000", "5000-8000", 4600),
        ("5500-9000", "6500-10500", "10000-15200", 7600),
    ] {
        let body = json!({
            "as_of": "2013-01-01",
            "joined_entry_grade_on": "1982-10-01",
            "entry": {"scale": entry},
            "events": [
                {"kind": "acp", "on": "1999-08-09", "to": {"scale": first}},
                {"kind": "acp", "on": "2006-10-01", "to": {"scale": second}}
            ]
        });
        let r = app.post_json("/v1/rules/macp/evaluate", &t, &body).await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["as_of"], "2013-01-01");
        let third = &r.json["upgrades"][2];
        assert_eq!(third["number"], 3);
        assert_eq!(third["scheme"], "MACP");
        assert_eq!(third["due_on"], "2012-10-01");
        assert_eq!(third["to"]["grade_pay"], third_gp);
        assert!(cites(&r.json["reasons"], "MACP-3"), "{}", r.json["reasons"]);
    }
}

#[actix_web::test]
async fn rule_13_fixation_and_nfs_through_the_api() {
    let app = spawn().await;
    let t = app.dopt();
    let r = app
        .post_json(
            "/v1/rules/pay/fixation",
            &t,
            &json!({"as_of": "2020-01-01", "from": {"regime": "seventh_cpc", "level": "4", "basic": 28700}, "to": {"level": "5"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["basic"], 30100);
    let amounts: Vec<i64> = r.json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["amount"].as_i64())
        .collect();
    assert_eq!(amounts, [28700, 29600, 30100]);
    assert!(cites(&r.json["reasons"], "PAY-1"));
    // Rule 13 of 2016 was not in force in 2010.
    let r = app
        .post_json(
            "/v1/rules/pay/fixation",
            &t,
            &json!({"as_of": "2010-01-01", "from": {"regime": "seventh_cpc", "level": "4", "basic": 28700}, "to": {"level": "5"}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("7th CPC"));

    // MACP-8 (clarification 11): PB-1 7000 + GP 1800 to GP 2400 on
    // 01.09.2008. As one move, Rule 13 once: 9670, the successive figure
    // stated; as three MACPs due together, fixed stage by stage: 10240.
    let group_d = |together: Value| {
        let mut body = json!({"as_of": "2008-09-01",
            "from": {"regime": "sixth_cpc", "pay_band": "PB-1", "pay_in_band": 7000, "grade_pay": 1800},
            "to": {"pay_band": "PB-1", "grade_pay": 2400}});
        if !together.is_null() {
            body["macp_upgrades_together"] = together;
        }
        body
    };
    for (together, basic) in [
        (Value::Null, 9670),
        (json!(false), 9670),
        (json!(true), 10240),
    ] {
        let r = app
            .post_json("/v1/rules/pay/fixation", &t, &group_d(together.clone()))
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["basic"], basic, "{together}: {}", r.json);
        assert!(cites(&r.json["reasons"], "MACP-8"), "{}", r.json["reasons"]);
    }
    // Clarification 11 does not cover a move of one grade pay.
    let mut one_up = group_d(json!(true));
    one_up["to"]["grade_pay"] = json!(1900);
    app.post_json("/v1/rules/pay/fixation", &t, &one_up)
        .await
        .assert_problem(422, "validation_failed");

    let nfs = |clear: bool| json!({"as_of": "2020-01-01", "cadre": "CSS", "grade": "SO", "in_grade_since": "2015-03-10", "vigilance_clear": clear});
    let r = app
        .post_json("/v1/rules/nfs/evaluate", &t, &nfs(true))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["eligible"], true);
    assert_eq!(r.json["completes_on"], "2019-03-10");
    assert_eq!(r.json["notional_from"], "2019-07-01");
    assert!(cites(&r.json["reasons"], "NFS-1"));
    let r = app
        .post_json("/v1/rules/nfs/evaluate", &t, &nfs(false))
        .await;
    assert_eq!(r.json["eligible"], false);

    // NFS-3 (seed 003 para 3): retired 31.03.2000, pension on the scale
    // notionally from 01.01.1996, paid from 03.10.2003.
    let retired = |on: &str| json!({"as_of": "2004-01-01", "cadre": "CSS", "grade": "SO", "in_grade_since": "1990-07-01", "vigilance_clear": true, "retired_on": on});
    let r = app
        .post_json("/v1/rules/nfs/evaluate", &t, &retired("2000-03-31"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        r.json["pension"],
        json!({"fixed_notionally_from": "1996-01-01", "paid_from": "2003-10-03"})
    );
    assert!(cites(&r.json["reasons"], "NFS-3"));
    let r = app
        .post_json("/v1/rules/nfs/evaluate", &t, &retired("2004-06-30"))
        .await;
    r.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn rule_inputs_are_checked() {
    let app = spawn().await;
    let t = app.dopt();
    let r = app
        .post_json(
            "/v1/rules/macp/evaluate",
            &t,
            &json!({"joined_entry_grade_on": "2001-01-01", "entry": {"level": "7"}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.as_of");
    let r = app
        .post_json("/v1/rules/macp/evaluate", &t, &json!({"as_of": "2020-01-01", "joined_entry_grade_on": "2001-01-01", "entry": {"level": "7"}, "bonus": 1}))
        .await;
    r.assert_problem(400, "unknown_field");
    let r = app
        .post_json("/v1/rules/macp/evaluate", &t, &json!({"as_of": "2020-01-01", "joined_entry_grade_on": "2001-01-01", "entry": {"level": "99"}}))
        .await;
    r.assert_problem(400, "invalid_body");
    assert_eq!(r.json["errors"][0]["field"], "body.entry.level");
    // Read, but the engine refuses it: an empty pay position.
    let r = app
        .post_json(
            "/v1/rules/macp/evaluate",
            &t,
            &json!({"as_of": "2020-01-01", "joined_entry_grade_on": "2001-01-01", "entry": {}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .call(
            actix_web::test::TestRequest::post()
                .uri("/v1/rules/nfs/evaluate")
                .set_json(json!({})),
        )
        .await;
    r.assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn stored_employees_macp_and_nfs_in_scope() {
    let app = spawn().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let r = app
        .get(
            &format!("/v1/employees/{IN_MHA}/macp?as_of=2026-01-01"),
            &me,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Joined the entry grade on 01.07.2010: the 1st upgrade on 01.07.2020 (MACP-1, MACP-2).
    assert_eq!(r.json["upgrades"][0]["due_on"], "2020-07-01");
    assert!(cites(&r.json["reasons"], "MACP-2"));
    // VIG-1: no status on record, so no clearance for MACP: the upgrade
    // fallen due goes to the sealed cover, and the reasons say so.
    let sealed =
        |r: &crate::common::Reply| {
            r.json["reasons"].as_array().unwrap().iter().any(|x| {
                x["rule"] == "VIG-1" && x["text"].as_str().unwrap().contains("sealed-cover")
            })
        };
    assert!(sealed(&r), "{}", r.json);
    crate::clearance_condition::clear_for_services(&app, IN_MHA).await;
    let r = app
        .get(
            &format!("/v1/employees/{IN_MHA}/macp?as_of=2026-01-01"),
            &me,
        )
        .await;
    assert!(!sealed(&r), "{}", r.json);
    app.get(&format!("/v1/employees/{IN_MOF}/macp"), &me)
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!("/v1/employees/{IN_MHA}/nfs"),
        &app.token(Role::NodalOfficer, Some("MOF")),
    )
    .await
    .assert_problem(404, "not_found");

    // NFS takes the vigilance clearance fetched for the employee (VIG-1).
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/nfs?as_of=2026-01-01"), &me)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["nfs"]["completes_on"], "2022-03-15");
    assert_eq!(r.json["nfs"]["as_of"], "2026-01-01");
    let nfs = cscms_domain::rules::NFS_1;
    assert!(
        r.json["nfs"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["rule"] == nfs.id && x["citation"] == nfs.citation),
        "{}",
        r.json
    );
    let vig = r.json["vigilance"]["clearance"].as_str().unwrap();
    assert_eq!(r.json["nfs"]["eligible"], vig == "cleared", "{}", r.json);
    // Once AVD records the employee clear, the same question gets a yes.
    let avd = app.token(Role::Avd, None);
    let r = app
        .post_json(
            &format!("/v1/employees/{IN_MHA}/vigilance-status"),
            &avd,
            &json!({"status": "clear", "effective_from": "2021-01-01", "order_ref": "AVD O.M. No. 1/2021"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    // ...still denied: the 2024 property return was never filed (VIG-2).
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/nfs?as_of=2026-01-01"), &me)
        .await;
    assert_eq!(r.json["vigilance"]["clearance"], "denied", "{}", r.json);
    assert_eq!(r.json["nfs"]["eligible"], false);
    // Filed in time, it clears.
    crate::ipr::file_on(&app, IN_MHA, 2024, crate::ipr::ymd(2025, 1, 15), None).await;
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/nfs?as_of=2026-01-01"), &me)
        .await;
    assert_eq!(r.json["vigilance"]["clearance"], "cleared", "{}", r.json);
    assert_eq!(r.json["nfs"]["eligible"], true);
    assert_eq!(r.json["nfs"]["notional_from"], "2022-07-01");
    // An ASO has no non-functional scale.
    let r = app
        .get(&format!("/v1/employees/{IN_NDMA}/nfs"), &app.dopt())
        .await;
    r.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn macp_due_report_pages_through_the_scope() {
    let app = spawn().await;
    let url = "/v1/reports/macp-due?from=2020-01-01&to=2020-12-31&limit=1";
    let mut seen = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(u) = next {
        let r = app.get(&u, &app.dopt()).await;
        assert_eq!(r.status, 200, "{}", r.json);
        for item in r.json["items"].as_array().unwrap() {
            assert_eq!(item["upgrades"][0]["due_on"], "2020-07-01");
            seen.push(item["code"].as_str().unwrap().to_owned());
        }
        next = r.json["next"].as_str().map(str::to_owned);
    }
    // By code, each once.
    assert_eq!(seen, [IN_MHA, IN_NDMA, IN_MOF]);
    // VIG-1: each carries the clearance for MACP from the status on record;
    // a charge-sheeted officer's upgrade goes to the sealed cover.
    let statuses = [
        (
            IN_MHA,
            "MHA",
            json!({"status": "clear", "effective_from": "2015-01-01", "order_ref": "AVD-I/1/2015"}),
        ),
        (
            IN_MOF,
            "MOF",
            json!({"status": "not_clear", "reason": "charge_sheet_issued", "effective_from": "2024-05-01", "order_ref": "MOF/Vig/3/2024"}),
        ),
    ];
    for (code, org, body) in statuses {
        let r = app
            .post_json(
                &format!("/v1/employees/{code}/vigilance-status"),
                &app.token(Role::NodalOfficer, Some(org)),
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    let r = app
        .get(
            "/v1/reports/macp-due?from=2020-01-01&to=2020-12-31",
            &app.dopt(),
        )
        .await;
    // The report says what it rests on and the days it was taken for.
    assert_eq!(r.json["as_of"], "2020-12-31");
    assert_eq!(r.json["clearance_as_of"], json!(today()));
    let basis: Vec<(&str, &str)> = r.json["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule"].as_str().unwrap(), r["citation"].as_str().unwrap()))
        .collect();
    assert_eq!(
        basis,
        [
            ("MACP-1", cscms_domain::rules::MACP_1.citation),
            ("VIG-1", cscms_domain::rules::VIG_1.citation)
        ]
    );
    let clearance: Vec<(&str, &str)> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["vigilance"]["reasons"][0]["rule"], "VIG-1", "{i}");
            (
                i["code"].as_str().unwrap(),
                i["vigilance"]["clearance"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        clearance,
        [
            (IN_MHA, "cleared"),
            (IN_NDMA, "deferred"),
            (IN_MOF, "denied")
        ],
        "{}",
        r.json
    );
    // A client that reads employees but not vigilance records sees the
    // upgrades without the clearances; one granted vigilance:read, with.
    let url = "/v1/reports/macp-due?from=2020-01-01&to=2020-12-31";
    let client = |scopes: &[&str]| {
        let mut req = cscms_api::auth::MintRequest::new(Role::Integration, "client:sparrow");
        req.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        app.mint(req)
    };
    let r = app.get(url, &client(&[scopes::EMPLOYEES_READ])).await;
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{}", r.json);
    assert!(r.json.get("clearance_as_of").is_none(), "{}", r.json);
    assert_eq!(r.json["reasons"].as_array().unwrap().len(), 1);
    assert!(
        items.iter().all(|i| i.get("vigilance").is_none()),
        "{}",
        r.json
    );
    let r = app
        .get(
            url,
            &client(&[scopes::EMPLOYEES_READ, scopes::VIGILANCE_READ]),
        )
        .await;
    assert_eq!(
        r.json["items"][2]["vigilance"]["clearance"], "denied",
        "{}",
        r.json
    );
    // A nodal officer's report holds only their organisation's employees.
    let r = app
        .get(
            "/v1/reports/macp-due?from=2020-01-01&to=2020-12-31",
            &app.token(Role::NodalOfficer, Some("MOF")),
        )
        .await;
    let codes: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [IN_MOF]);
    // Outside the window: nothing.
    let r = app
        .get(
            "/v1/reports/macp-due?from=2021-01-01&to=2021-12-31",
            &app.dopt(),
        )
        .await;
    assert!(r.json["items"].as_array().unwrap().is_empty());
    app.get(
        "/v1/reports/macp-due?from=2021-01-01&to=2020-12-31",
        &app.dopt(),
    )
    .await
    .assert_problem(400, "invalid_query");
}
