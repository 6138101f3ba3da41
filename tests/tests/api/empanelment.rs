//! Central Staffing Scheme empanelment through the API: the stateless
//! rules on the worked numbers, the hand-worked batch run and stored, a
//! re-run after an APAR correction listing what moved, reviews due, scope.
//!
//! The worked batch is `crates/cscms-domain/src/empanelment/fixtures.rs`
//! (see the table there): IAS 2006, panel 8, 14 officers, cut-off year 2022-23.

use chrono::NaiveDate;
use cscms_api::routes::empanelment::RunInputs;
use cscms_domain::empanelment::{run_panel, Proposal};
use cscms_domain::principal::{scopes, Role};
use cscms_domain::vigilance::{VigilanceState, VigilanceStatus};
use serde_json::{json, Value};

use crate::common::{employee, spawn, TestApp};

pub(crate) const AS_OF: &str = "2024-06-01";

fn fy(year: i32, grading: &str) -> Value {
    json!({"from": format!("{year}-04-01"), "to": format!("{}-03-31", year + 1), "grading": grading})
}

/// `o` Outstanding, `v` Very Good, `g` Good, from 2013-14 on.
fn grades(o: usize, v: usize, g: usize) -> Vec<&'static str> {
    [
        vec!["outstanding"; o],
        vec!["very_good"; v],
        vec!["good"; g],
    ]
    .concat()
}

fn window(g: &[&str]) -> Vec<Value> {
    (2013..).zip(g).map(|(y, g)| fy(y, g)).collect()
}

fn proposed_by() -> Value {
    json!({"authority": "DoPT (AIS division), cadre controlling authority of the IAS",
           "reference": "No. 12345/1/2024-AIS.I", "dated": "2024-02-01"})
}

/// A12 of the worked batch: study leave 2013-14..2015-16, made up from 2012-13.
fn a12_apars() -> Vec<Value> {
    let mut a = vec![fy(2011, "outstanding"), fy(2012, "good")];
    a.extend((2016..=2022).map(|y| fy(y, "outstanding")));
    a
}

fn study_leave() -> Value {
    json!([{"from": "2013-04-01", "to": "2016-03-31", "reason": "study_leave", "note": "doctorate"}])
}

/// The 14 officers: (id, seniority, APARs, changes to the default officer).
pub(crate) fn worked_officers() -> Vec<(&'static str, u32, Vec<Value>, Value)> {
    vec![
        ("A01", 1, window(&grades(10, 0, 0)), json!({})),
        (
            "A02",
            2,
            window(&grades(8, 2, 0)),
            json!({"gender": "female"}),
        ),
        ("A03", 3, window(&grades(7, 3, 0)), json!({})),
        ("A04", 4, window(&grades(6, 4, 0)), json!({})),
        (
            "A05",
            5,
            window(&grades(5, 5, 0)),
            json!({"gender": "female"}),
        ),
        ("A06", 6, window(&grades(5, 5, 0)), json!({})),
        ("A07", 7, window(&grades(4, 6, 0)), json!({})),
        ("A08", 8, window(&grades(3, 7, 0)), json!({})),
        (
            "A09",
            9,
            window(&grades(2, 8, 0)),
            json!({"category": "SC"}),
        ),
        (
            "A10",
            10,
            window(&grades(0, 10, 0)),
            json!({"category": "ST"}),
        ),
        ("A11", 11, window(&grades(0, 9, 1)), json!({})),
        ("A12", 12, a12_apars(), json!({"gaps": study_leave()})),
        (
            "A13",
            13,
            window(&grades(10, 0, 0)),
            json!({"date_of_birth": "1967-12-01"}),
        ),
        (
            "A14",
            14,
            window(&grades(10, 0, 0)),
            json!({"vigilance": "deferred"}),
        ),
    ]
}

fn merge(mut base: Value, extra: &Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

pub(crate) fn ias_officer(id: &str, seniority: u32, apars: Vec<Value>, extra: &Value) -> Value {
    merge(
        json!({
            "officer_id": id, "name": format!("Officer {id}"), "seniority": seniority,
            "date_of_birth": "1978-05-10", "gender": "male", "category": "UR",
            "state_cadre": "Rajasthan", "standing": {"kind": "all_india"},
            "proposed_by": proposed_by(), "vigilance": "cleared", "apars": apars,
        }),
        extra,
    )
}

fn representation_inputs() -> (Value, Value) {
    let count = |kind: &str, n: u32| json!({"category": {"kind": kind}, "count": n});
    let shares = json!([
        {"category": {"kind": "sc_st"}, "share_bp": 2250},
        {"category": {"kind": "women"}, "share_bp": 1500},
        {"category": {"kind": "north_east"}, "share_bp": 500},
    ]);
    let preceding: Vec<Value> = [(2003, 2, 1, 1), (2004, 2, 1, 1), (2005, 1, 1, 0)]
        .into_iter()
        .map(|(y, scst, women, ne)| {
            json!({"batch_year": y, "empanelled": 10,
                   "counts": [count("sc_st", scst), count("women", women), count("north_east", ne)]})
        })
        .collect();
    (shares, Value::Array(preceding))
}

pub(crate) fn batch_body(service: &str) -> Value {
    let (shares, preceding) = representation_inputs();
    json!({"service": service, "batch_year": 2006, "empanelment_year": 2024,
           "cut_off_year": "2022-23", "panel_size": 8, "ais_first_sag_on": "2022-01-01",
           "shares": shares, "preceding": preceding})
}

pub(crate) async fn create_batch(app: &TestApp, body: &Value) -> i64 {
    let r = app
        .post_json("/v1/empanelment/batches", &app.dopt(), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

/// Proposes the 14 officers of the worked batch to batch `id`.
async fn propose_worked_officers(app: &TestApp, id: i64) {
    for (officer, seniority, apars, extra) in worked_officers() {
        let body = ias_officer(officer, seniority, apars, &extra);
        let r = app
            .post_json(
                &format!("/v1/empanelment/batches/{id}/proposals"),
                &app.dopt(),
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{officer}: {}", r.json);
    }
}

fn officer_with<'a>(run: &'a Value, id: &str) -> &'a Value {
    run["result"]["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["officer_id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the run"))
}

fn with_outcome(run: &Value, kind: &str) -> Vec<String> {
    run["result"]["officers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["outcome"]["kind"] == kind)
        .map(|o| o["officer_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks a run against the hand-worked panel, with `id` mapping A01.. to the ids used.
fn assert_worked_panel(run: &Value, id: impl Fn(&str) -> String) {
    let ids = |xs: &[&str]| xs.iter().map(|x| id(x)).collect::<Vec<_>>();
    assert_eq!(
        with_outcome(run, "empanelled_initial"),
        ids(&["A01", "A02", "A12", "A03", "A04", "A05", "A06", "A07"])
    );
    assert_eq!(run["cut_off"], "7.80");
    assert_eq!(run["cut_off_officer"], id("A07"));
    assert_eq!(run["result"]["cut_off"]["value"], 7.8);
    // CSS-4: SC/ST 5 of 38 is below 2/3 of 22.5%; the cap of 15% of 8 is 1; A09 (SC, rank 10)
    // comes in ahead of A08 (rank 9).
    assert_eq!(with_outcome(run, "pulled_up"), ids(&["A09"]));
    assert_eq!(
        officer_with(run, &id("A09"))["outcome"]["category"]["kind"],
        "sc_st"
    );
    assert_eq!(
        (
            run["empanelled_initial"].as_i64(),
            run["pulled_up"].as_i64()
        ),
        (Some(8), Some(1))
    );
    let a08 = officer_with(run, &id("A08"));
    assert_eq!(
        (a08["rank"].as_i64(), a08["outcome"]["kind"].as_str()),
        (Some(9), Some("not_empanelled"))
    );
    assert_eq!(
        officer_with(run, &id("A12"))["score"]["score"]["value"],
        8.5
    );
    let a13 = officer_with(run, &id("A13"));
    assert_eq!(a13["eligibility"]["unmet"], json!(["CSS-5"]));
    assert_eq!(a13["eligibility"]["retires_on"], "2027-11-30");
    assert_eq!(officer_with(run, &id("A14"))["outcome"]["kind"], "deferred");
    let rules: Vec<&str> = run["result"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"CSS-3") && rules.contains(&"CSS-4"),
        "{rules:?}"
    );
}

#[actix_web::test]
async fn stateless_score_on_the_worked_numbers() {
    let app = spawn().await;
    // Any authenticated caller: an employee checking a score.
    let t = app.token(Role::Employee, Some("CSS-000001"));
    // A07: 4 Outstanding, 6 Very Good = (36 + 42) / 10 = 7.8.
    let body =
        json!({"cut_off_year": "2022-23", "apars": window(&grades(4, 6, 0)), "as_of": AS_OF});
    let r = app
        .post_json("/v1/rules/empanelment/score", &t, &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["score"], 7.8);
    assert_eq!(r.json["score_text"], "7.80");
    assert_eq!(r.json["months_used"], 120.0);
    assert_eq!(r.json["as_of"], AS_OF);
    assert_eq!(r.json["window_from"], "2013-14");
    assert_eq!(r.json["years_used"].as_array().unwrap().len(), 10);
    let reason = r.json["reasons"].as_array().unwrap().last().unwrap();
    assert_eq!(reason["rule"], "CSS-2");
    assert!(reason["citation"]
        .as_str()
        .unwrap()
        .contains("Central Staffing Scheme: procedure for empanelment"));
    assert!(reason["text"].as_str().unwrap().contains("= 7.80"));

    // A12: 84 months in the window, 36 on study leave; 12 months of 2012-13 make up
    // 8 full years: (7×12×9 + 12×5) / 96 = 8.5.
    let body = json!({"cut_off_year": "2022-23", "apars": a12_apars(), "as_of": AS_OF,
                      "gap_beyond_control": [{"from": "2013-04-01", "to": "2016-03-31", "reason": "study_leave"}]});
    let r = app
        .post_json("/v1/rules/empanelment/score", &t, &body)
        .await;
    assert_eq!(r.json["score"], 8.5, "{}", r.json);
    assert_eq!(r.json["months_used"], 96.0);
    let years = r.json["years_used"].as_array().unwrap();
    assert_eq!(years.len(), 11);
    assert_eq!(
        (years[0]["year"].as_str(), years[0]["role"].as_str()),
        (Some("2012-13"), Some("extension"))
    );
    assert_eq!(years[1]["gap"], "study_leave");
    // The same when the caller says only that the gap was beyond the officer's control.
    let body = json!({"cut_off_year": "2022-23", "apars": a12_apars(), "gap_beyond_control": true});
    let r = app
        .post_json("/v1/rules/empanelment/score", &t, &body)
        .await;
    assert_eq!(r.json["score"], 8.5);
    assert!(
        r.json["as_of"].is_string(),
        "every decision carries its date"
    );
    // Without it, only the 84 months in the window count.
    let body = json!({"cut_off_year": "2022-23", "apars": a12_apars()});
    let r = app
        .post_json("/v1/rules/empanelment/score", &t, &body)
        .await;
    assert_eq!(r.json["months_used"], 84.0);
    assert_eq!(r.json["score"], 9.0);

    // Rule-breaking values are listed; an unreadable body is a 400; no token is a 401.
    let bad = json!({"cut_off_year": "2022-23", "apars": [
        {"from": "2020-04-01", "to": "2021-03-31"},
        {"from": "2021-04-01", "to": "2022-03-31", "score": 0.5}],
        "gap_beyond_control": [{"from": "2014-04-01", "to": "2015-03-31", "reason": "officer_default"}]});
    let r = app.post_json("/v1/rules/empanelment/score", &t, &bad).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        [
            "body.apars[0].grading",
            "body.apars[1].score",
            "body.gap_beyond_control[0].reason"
        ]
    );
    let overlapping =
        json!({"cut_off_year": "2022-23", "apars": [fy(2020, "good"), fy(2020, "good")]});
    app.post_json("/v1/rules/empanelment/score", &t, &overlapping)
        .await
        .assert_problem(422, "validation_failed");
    app.post_json(
        "/v1/rules/empanelment/score",
        &t,
        &json!({"cut_off_year": "2022-23"}),
    )
    .await
    .assert_problem(400, "invalid_body");
    let r = app
        .call(
            actix_web::test::TestRequest::post()
                .uri("/v1/rules/empanelment/score")
                .set_json(&body),
        )
        .await;
    r.assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn stateless_eligibility_at_the_residual_service_edge() {
    let app = spawn().await;
    let t = app.token(Role::Integration, None);
    let terms = json!({"service": "IAS", "batch_year": 2006, "empanelment_year": 2024,
                       "cut_off_year": "2022-23", "ais_first_sag_on": "2022-01-01"});
    let ask = |dob: &str| {
        json!({"batch": terms, "as_of": AS_OF,
               "officer": ias_officer("X1", 1, window(&grades(0, 10, 0)), &json!({"date_of_birth": dob}))})
    };
    // Born 2.12.1967: retires 31.12.2027, exactly 4 years from 1.1.2024.
    let r = app
        .post_json("/v1/rules/empanelment/eligibility", &t, &ask("1967-12-02"))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "eligible");
    assert_eq!(r.json["consideration"], "original");
    assert_eq!(r.json["as_of"], AS_OF);
    // Born on the 1st: attains 60 on 30.11.2027 and retires then, a month short (CSS-5).
    let r = app
        .post_json("/v1/rules/empanelment/eligibility", &t, &ask("1967-12-01"))
        .await;
    assert_eq!(r.json["status"], "not_eligible");
    assert_eq!(r.json["unmet"], json!(["CSS-5"]));
    assert_eq!(r.json["retires_on"], "2027-11-30");
    let css5 = r.json["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "CSS-5")
        .unwrap();
    assert!(css5["text"].as_str().unwrap().contains("less than 4 years"));

    // The stateless rule reads no record.
    let mut with_code = ask("1967-12-02");
    with_code["officer"]["employee_code"] = json!("CSS-000001");
    let r = app
        .post_json("/v1/rules/empanelment/eligibility", &t, &with_code)
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.officer.employee_code");
}

#[actix_web::test]
async fn a_batch_run_reproduces_the_hand_worked_panel() {
    let app = spawn().await;
    let t = app.dopt();
    let id = create_batch(&app, &batch_body("IAS")).await;
    propose_worked_officers(&app, id).await;
    let runs = format!("/v1/empanelment/batches/{id}/runs");
    let r = app.post_json(&runs, &t, &json!({"as_of": AS_OF})).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("location"), Some(format!("{runs}/1").as_str()));
    assert_eq!(
        (r.json["seq"].as_i64(), r.json["officers"].as_i64()),
        (Some(1), Some(14))
    );
    assert!(r.json["changes"].is_null());
    assert_eq!(r.json["result"]["as_of"], AS_OF);
    assert_worked_panel(&r.json, str::to_owned);

    // Stored: read back as it was, and repeatable from the inputs it stored.
    let stored = app.get(&format!("{runs}/1"), &t).await;
    assert_eq!(stored.json["result"], r.json["result"]);
    let inputs = app.get(&format!("{runs}/1/inputs"), &t).await;
    assert_eq!(inputs.status, 200);
    let inputs: RunInputs = serde_json::from_value(inputs.json).unwrap();
    assert_eq!(inputs.as_of, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
    let proposals: Vec<Proposal> = inputs.proposals.into_iter().map(|p| p.proposal).collect();
    let again = run_panel(&inputs.batch, &proposals, inputs.as_of).unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), r.json["result"]);

    // Run again on the same inputs: nothing moves.
    let r2 = app.post_json(&runs, &t, &json!({"as_of": AS_OF})).await;
    assert_eq!(r2.json["seq"], 2);
    assert_eq!(r2.json["changes"]["moved"], json!([]));
    let list = app.get(&runs, &t).await;
    assert_eq!(list.json["items"].as_array().unwrap().len(), 2);
    let b = app.get(&format!("/v1/empanelment/batches/{id}"), &t).await;
    assert_eq!(
        (b.json["proposals"].as_i64(), b.json["latest_run"].as_i64()),
        (Some(14), Some(2))
    );
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "empanelment_run", &format!("{id}/1")))
        .await;
    assert_eq!(trail.len(), 1);
}

#[actix_web::test]
async fn a_later_batch_reads_the_considerations_on_record() {
    // Seed 001: "An officer once empanelled ... need not be empanelled
    // again"; those not included are reviewed together after two years.
    // The worked batch is run for 2024; A01 (empanelled), A09 (pulled up)
    // and A08 (not empanelled) are proposed again for 2025 with no history.
    let app = spawn().await;
    let t = app.dopt();
    let first = create_batch(&app, &batch_body("IAS")).await;
    propose_worked_officers(&app, first).await;
    let r = app
        .post_json(
            &format!("/v1/empanelment/batches/{first}/runs"),
            &t,
            &json!({"as_of": AS_OF}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_worked_panel(&r.json, str::to_owned);

    let mut later = batch_body("IAS");
    later["empanelment_year"] = json!(2025);
    later["cut_off_year"] = json!("2023-24");
    let second = create_batch(&app, &later).await;
    let again = ["A01", "A09", "A08", "A02"];
    for (officer, seniority, mut apars, extra) in worked_officers() {
        if !again.contains(&officer) {
            continue;
        }
        apars.push(fy(2023, "outstanding"));
        let body = ias_officer(officer, seniority, apars, &extra);
        assert!(body.get("history").is_none());
        let r = app
            .post_json(
                &format!("/v1/empanelment/batches/{second}/proposals"),
                &t,
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{officer}: {}", r.json);
    }
    let runs = format!("/v1/empanelment/batches/{second}/runs");
    let r = app
        .post_json(&runs, &t, &json!({"as_of": "2025-06-01"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    for id in ["A01", "A09", "A02"] {
        let o = officer_with(&r.json, id);
        assert_eq!(o["eligibility"]["unmet"], json!(["CSS-8"]), "{id}: {o}");
        assert!(
            o.to_string().contains("already empanelled in 2024"),
            "{id}: {o}"
        );
    }
    let a08 = officer_with(&r.json, "A08");
    assert_eq!(a08["eligibility"]["unmet"], json!(["CSS-8"]), "{a08}");
    assert_eq!(r.json["empanelled_initial"].as_i64(), Some(0));

    // The run's stored inputs hold the history it read, so it repeats.
    let inputs = app.get(&format!("{runs}/1/inputs"), &t).await;
    let inputs: RunInputs = serde_json::from_value(inputs.json).unwrap();
    let a01 = inputs
        .proposals
        .iter()
        .find(|p| p.proposal.officer_id == "A01")
        .unwrap();
    assert_eq!(a01.proposal.history.len(), 1);
    assert_eq!(a01.proposal.history[0].empanelment_year, 2024);
    let proposals: Vec<Proposal> = inputs.proposals.into_iter().map(|p| p.proposal).collect();
    let repeated = run_panel(&inputs.batch, &proposals, inputs.as_of).unwrap();
    assert_eq!(serde_json::to_value(&repeated).unwrap(), r.json["result"]);

    // The first batch run again reads no history from the second.
    let r = app
        .post_json(
            &format!("/v1/empanelment/batches/{first}/runs"),
            &t,
            &json!({"as_of": AS_OF}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["changes"]["moved"], json!([]));
    // What a run reads of the others: the latest run of each batch only.
    let latest = app
        .db(|c| cscms_store::empanelment::latest_runs(c, None))
        .await;
    let seqs: Vec<(i64, i32)> = latest.iter().map(|r| (r.batch_id, r.seq)).collect();
    assert_eq!(seqs, [(first, 2), (second, 1)]);
}

/// Puts the worked batch's officers on record as CSS employees CSS-1000xx.
async fn css_officers_on_record(app: &TestApp) {
    app.db(|c| {
        for (i, (officer, _, _, extra)) in worked_officers().into_iter().enumerate() {
            let code = format!("CSS-1000{:02}", i + 1);
            let mut row = employee(
                &code,
                &format!("Officer {officer}"),
                "CSS",
                "DS",
                "12",
                "MHA",
            );
            row.gender = extra["gender"].as_str().unwrap_or("male").parse().unwrap();
            row.category = extra["category"].as_str().unwrap_or("UR").parse().unwrap();
            row.date_of_birth = extra["date_of_birth"]
                .as_str()
                .unwrap_or("1978-05-10")
                .parse()
                .unwrap();
            cscms_store::employees::insert(c, &row, &[])?;
            // Their vigilance position comes from the store (CSS-7, VIG-2):
            // clear, or awaited where the worked batch defers the officer.
            let state = if extra.get("vigilance").and_then(Value::as_str) == Some("deferred") {
                VigilanceState::Awaited
            } else {
                VigilanceState::Clear
            };
            let status = VigilanceStatus::new(
                state,
                "2020-01-01".parse().unwrap(),
                Some("AVD O.M. No. 2/2020"),
            )
            .unwrap();
            let avd = cscms_store::audit::Actor {
                sub: "avd:x".into(),
                role: "avd".into(),
                request_id: "fixture".into(),
            };
            cscms_store::vigilance::record(c, &avd, &code, "MHA", &status)?;
        }
        Ok(())
    })
    .await;
    // The 2023 property returns, filed in time.
    for i in 1..=worked_officers().len() {
        let code = format!("CSS-1000{i:02}");
        crate::ipr::file_on(app, &code, 2023, crate::ipr::ymd(2024, 1, 15), None).await;
    }
}

fn code_of(officer: &str) -> String {
    format!("CSS-1000{}", &officer[1..])
}

#[actix_web::test]
async fn a_rerun_after_an_apar_correction_lists_what_moved() {
    let app = spawn().await;
    let t = app.dopt();
    css_officers_on_record(&app).await;
    // SPARROW sends every APAR of the 14 officers in one import.
    let mut rows = Vec::new();
    for (officer, _, apars, _) in worked_officers() {
        for mut a in apars {
            a["employee_code"] = json!(code_of(officer));
            rows.push(a);
        }
    }
    let n = rows.len() as u64;
    let sparrow = app.token(Role::Integration, Some(scopes::APAR_WRITE));
    let r = crate::apar::import(&app, &sparrow, &json!({"rows": rows})).await;
    assert_eq!(r.json["created"], n, "{}", r.json);

    // A CSS batch; proposals name the employee and leave the APARs to the store.
    let mut body = batch_body("CSS");
    body.as_object_mut().unwrap().remove("ais_first_sag_on");
    let id = create_batch(&app, &body).await;
    for (officer, seniority, _, extra) in worked_officers() {
        let mut p = json!({
            "employee_code": code_of(officer), "seniority": seniority,
            "standing": {"kind": "central_secretariat", "selection_grade_from": "2014-01-01",
                         "director_suitable_from": "2019-01-01"},
            "proposed_by": {"authority": "DoPT (CS division)", "reference": "No. 5/1/2024-CS.I", "dated": "2024-02-01"},
            // The proposal says cleared for everyone: A14's deferral must come
            // from the stored vigilance record (CSS-7, VIG-2).
            "vigilance": "cleared",
        });
        if let Some(g) = extra.get("gaps") {
            p["gaps"] = g.clone();
        }
        let r = app
            .post_json(&format!("/v1/empanelment/batches/{id}/proposals"), &t, &p)
            .await;
        assert_eq!(r.status, 201, "{officer}: {}", r.json);
        assert_eq!(r.json["apars_from_store"], true);
        assert_eq!(r.json["proposal"]["name"], format!("Officer {officer}"));
    }
    let runs = format!("/v1/empanelment/batches/{id}/runs");
    let first = app.post_json(&runs, &t, &json!({"as_of": AS_OF})).await;
    assert_eq!(first.status, 201, "{}", first.json);
    assert_worked_panel(&first.json, code_of);
    let inputs = app.get(&format!("{runs}/1/inputs"), &t).await;
    assert_eq!(inputs.json["proposals"][0]["apars_from"], "store");

    // DoPT corrects A08's 2016-17 and 2017-18 from Very Good to Outstanding on
    // representation: 3 O + 7 VG = 7.6 becomes 5 O + 5 VG = 8.0.
    let a08 = code_of("A08");
    let list = app.get(&format!("/v1/employees/{a08}/apars"), &t).await;
    for item in list.json["items"].as_array().unwrap() {
        if ["2016-04-01", "2017-04-01"].contains(&item["from"].as_str().unwrap()) {
            let body = json!({"from": item["from"], "to": item["to"], "grading": "outstanding",
                              "representation": {"decided_on": "2024-07-15"}});
            let path = format!("/v1/employees/{a08}/apars/{}", item["id"]);
            let tag = format!("\"{}\"", item["version"]);
            let r = app.put_json(&path, &t, Some(&tag), &body).await;
            assert_eq!(r.status, 200, "{}", r.json);
        }
    }
    let second = app
        .post_json(&runs, &t, &json!({"as_of": "2024-08-01"}))
        .await;
    assert_eq!(second.status, 201, "{}", second.json);
    let changes = &second.json["changes"];
    assert_eq!(changes["cut_off_before"]["value"], 7.8);
    assert_eq!(changes["cut_off_after"]["value"], 8.0);
    let moved: Vec<(String, Value)> = changes["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["officer_id"].as_str().unwrap().to_owned(),
                m["changes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        moved,
        [
            (a08.clone(), json!(["score", "rank", "outcome"])),
            (code_of("A07"), json!(["rank", "outcome"])),
        ]
    );
    assert_eq!(second.json["cut_off_officer"], a08);
    assert_eq!(with_outcome(&second.json, "pulled_up"), [code_of("A09")]);
    // The first run is unchanged in the store.
    let stored = app.get(&format!("{runs}/1"), &t).await;
    assert_eq!(stored.json["result"], first.json["result"]);

    // Reviews due (CSS-8): those considered and not empanelled in the latest run,
    // 2 years (two APARs) on.
    let r = app.get("/v1/empanelment/reviews?year=2025", &t).await;
    assert_eq!(r.json["items"], json!([]), "{}", r.json);
    let r = app.get("/v1/empanelment/reviews?year=2026", &t).await;
    let due: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["officer_id"].as_str().unwrap())
        .collect();
    assert_eq!(due, [code_of("A07"), code_of("A10"), code_of("A11")]);
    // As of a day between the two runs the first was in force: A08, not
    // A07, was left out then.
    let then = app
        .get("/v1/empanelment/reviews?year=2026&as_of=2024-07-01", &t)
        .await;
    let due_then: Vec<&str> = then.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["officer_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        due_then,
        [code_of("A08"), code_of("A10"), code_of("A11")],
        "{}",
        then.json
    );
    assert_eq!(r.json["items"][0]["kind"], "first_review");
    assert_eq!(r.json["items"][0]["cut_off_from"], "2024-25");
    assert_eq!(r.json["items"][0]["reasons"][0]["rule"], "CSS-8");
    // A11's 2022-23 APAR rises from Good to Very Good on representation after
    // the run: a special review is due at once.
    let a11 = code_of("A11");
    let list = app.get(&format!("/v1/employees/{a11}/apars"), &t).await;
    let last = list.json["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let path = format!("/v1/employees/{a11}/apars/{}", last["id"]);
    let body = json!({"from": last["from"], "to": last["to"], "grading": "very_good",
                      "representation": {"decided_on": "2024-09-01"}});
    let tag = format!("\"{}\"", last["version"]);
    assert_eq!(app.put_json(&path, &t, Some(&tag), &body).await.status, 200);
    let r = app.get("/v1/empanelment/reviews?year=2025", &t).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1, "{}", r.json);
    assert_eq!(r.json["items"][0]["officer_id"], a11);
    assert_eq!(r.json["items"][0]["kind"], "special_review");
    // As of the day before that representation was decided, no special
    // review was due; the list says which day it was judged for.
    let r = app
        .get("/v1/empanelment/reviews?year=2025&as_of=2024-08-31", &t)
        .await;
    assert_eq!(r.json["as_of"], "2024-08-31");
    assert_eq!(r.json["items"], json!([]), "{}", r.json);

    // A02 is charge-sheeted in July 2024, the 2023 returns all filed: denied
    // on the status alone, the run cites VIG-1 beside CSS-7, not VIG-2.
    let r = app
        .post_json(
            &format!("/v1/employees/{}/vigilance-status", code_of("A02")),
            &app.token(Role::Avd, None),
            &json!({"status": "not_clear", "reason": "charge_sheet_issued",
                    "effective_from": "2024-07-01", "order_ref": "AVD-II/9/2024"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let on_status = app
        .post_json(&runs, &t, &json!({"as_of": "2024-08-01"}))
        .await;
    assert_eq!(on_status.status, 201, "{}", on_status.json);
    let a02 = officer_with(&on_status.json, &code_of("A02"));
    assert_eq!(
        a02["eligibility"]["unmet"],
        json!(["CSS-7", "VIG-1"]),
        "{a02}"
    );
    // Run as of March 2025, when no one has filed the 2024 property return
    // (due 31.01.2025): the shared clearance denies it on VIG-2, and the
    // run cites that ground beside CSS-7 rather than CSS-7 alone.
    let third = app
        .post_json(&runs, &t, &json!({"as_of": "2025-03-01"}))
        .await;
    assert_eq!(third.status, 201, "{}", third.json);
    let a01 = officer_with(&third.json, &code_of("A01"));
    let unmet = a01["eligibility"]["unmet"].as_array().unwrap();
    assert!(
        unmet.contains(&json!("CSS-7")) && unmet.contains(&json!("VIG-2")),
        "{a01}"
    );
    let inputs = app.get(&format!("{runs}/4/inputs"), &t).await;
    assert_eq!(
        inputs.json["proposals"][0]["proposal"]["vigilance_ground"],
        "property_returns"
    );
}

#[actix_web::test]
async fn batches_are_dopt_business_and_inputs_are_checked() {
    let app = spawn().await;
    let body = batch_body("IAS");
    for (role, anchor) in [
        (Role::Employee, Some("CSS-000001")),
        (Role::NodalOfficer, Some("MHA")),
        (Role::Avd, None),
        (Role::Integration, None),
        (Role::Integration, Some(scopes::EMPANELMENT_READ)),
    ] {
        app.post_json("/v1/empanelment/batches", &app.token(role, anchor), &body)
            .await
            .assert_problem(403, "forbidden");
    }
    let id = create_batch(&app, &body).await;
    app.post_json("/v1/empanelment/batches", &app.dopt(), &body)
        .await
        .assert_problem(409, "batch_exists");
    let reader = app.token(Role::Integration, Some(scopes::EMPANELMENT_READ));
    let r = app.get("/v1/empanelment/batches", &reader).await;
    assert_eq!(
        r.json["items"][0]["service_name"],
        "Indian Administrative Service"
    );
    app.get(
        "/v1/empanelment/batches",
        &app.token(Role::Employee, Some("CSS-000001")),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get(
        "/v1/empanelment/reviews",
        &app.token(Role::NodalOfficer, Some("MHA")),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get("/v1/empanelment/batches/9999", &app.dopt())
        .await
        .assert_problem(404, "not_found");
    let writer = app.token(Role::Integration, Some(scopes::EMPANELMENT_WRITE));
    app.post_json(
        &format!("/v1/empanelment/batches/{id}/runs"),
        &writer,
        &json!({}),
    )
    .await
    .assert_problem(409, "no_proposals");

    // Every rule-breaking value of a batch is listed.
    let bad = json!({"service": "IFS", "batch_year": 2006, "empanelment_year": 2024,
                     "cut_off_year": "2024-25", "panel_size": 8,
                     "shares": [{"category": {"kind": "women"}, "share_bp": 12000}]});
    let r = app
        .post_json("/v1/empanelment/batches", &app.dopt(), &bad)
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(fields, ["body.cut_off_year", "body.service", "body.shares"]);

    // Proposals: officers do not apply (CSS-10); unknown employees and missing particulars are listed.
    let proposals = format!("/v1/empanelment/batches/{id}/proposals");
    let p = ias_officer("A01", 1, window(&grades(10, 0, 0)), &json!({}));
    app.post_json(
        &proposals,
        &app.token(Role::Employee, Some("CSS-000001")),
        &p,
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(app.post_json(&proposals, &writer, &p).await.status, 201);
    app.post_json(&proposals, &app.dopt(), &p)
        .await
        .assert_problem(409, "already_proposed");
    let r = app
        .post_json(
            &proposals,
            &app.dopt(),
            &json!({"employee_code": "CSS-999999", "standing": {"kind": "all_india"},
                    "proposed_by": proposed_by(), "vigilance": "cleared"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        [
            "body.category",
            "body.date_of_birth",
            "body.employee_code",
            "body.gender",
            "body.name"
        ]
    );

    // A proposal is replaced when vigilance clearance comes (CSS-7); audited.
    let mut cleared = ias_officer(
        "A14",
        14,
        window(&grades(10, 0, 0)),
        &json!({"vigilance": "deferred"}),
    );
    let made = app.post_json(&proposals, &app.dopt(), &cleared).await;
    assert_eq!(made.status, 201);
    let one = format!("{proposals}/A14");
    assert_eq!(made.header("Location"), Some(one.as_str()));
    assert_eq!(made.header("ETag"), Some("\"1\""));
    // The Location reads back what was made, with the same tag.
    let read = app.get(&one, &app.dopt()).await;
    assert_eq!(
        (read.status.as_u16(), read.header("ETag")),
        (200, Some("\"1\""))
    );
    assert_eq!(read.json, made.json);
    app.get(
        &one,
        &app.token(Role::Integration, Some(scopes::EMPANELMENT_READ)),
    )
    .await
    .assert_problem(403, "forbidden");
    // A writer without apar:read reads what it may replace, tag and all.
    let mine = app
        .get(
            &one,
            &app.token(Role::Integration, Some(scopes::EMPANELMENT_WRITE)),
        )
        .await;
    assert_eq!(
        (mine.status.as_u16(), mine.header("ETag")),
        (200, Some("\"1\""))
    );
    app.get(&format!("{proposals}/A99"), &app.dopt())
        .await
        .assert_problem(404, "not_found");
    cleared["vigilance"] = json!("cleared");
    // A replacement names the version it read (PRF-4): none is 428.
    app.put(&one, &app.dopt(), &cleared)
        .await
        .assert_problem(428, "if_match_required");
    let r = app
        .put_json(&one, &app.dopt(), Some("\"1\""), &cleared)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("ETag"), Some("\"2\""));
    assert_eq!(
        (
            r.json["version"].as_i64(),
            r.json["proposal"]["vigilance"].as_str()
        ),
        (Some(2), Some("cleared"))
    );
    // A second officer working from the first read loses nothing unseen.
    let mut deferred = cleared.clone();
    deferred["vigilance"] = json!("deferred");
    app.put_json(&one, &app.dopt(), Some("\"1\""), &deferred)
        .await
        .assert_problem(412, "stale_version");
    assert_eq!(
        app.get(&one, &app.dopt()).await.json["proposal"]["vigilance"],
        "cleared"
    );
    app.put_json(
        &format!("{proposals}/A99"),
        &app.dopt(),
        Some("\"1\""),
        &cleared,
    )
    .await
    .assert_problem(422, "validation_failed");
    let trail = app
        .db(move |c| {
            cscms_store::audit::for_entity(c, "empanelment_proposal", &format!("{id}/A14"))
        })
        .await;
    assert_eq!(
        trail.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["create", "update"]
    );
}

/// The gradings behind every scored year of a run's result: (years, gradings).
fn gradings_shown(run: &Value) -> (usize, usize) {
    let years: Vec<&Value> = run["result"]["officers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["score"]["years"].as_array())
        .flatten()
        .collect();
    let gradings = years
        .iter()
        .map(|y| y["gradings"].as_array().unwrap().len())
        .sum();
    (years.len(), gradings)
}

#[actix_web::test]
async fn apars_in_empanelment_are_shown_only_to_those_who_may_read_apars() {
    // docs/assumptions.md, "Who sees APARs": a client with empanelment:read
    // alone sees the panel but neither the proposals nor the gradings.
    let app = spawn().await;
    let id = create_batch(&app, &batch_body("IAS")).await;
    propose_worked_officers(&app, id).await;
    let runs = format!("/v1/empanelment/batches/{id}/runs");
    let reader = app.token(Role::Integration, Some(scopes::EMPANELMENT_READ));
    let writer = app.token(Role::Integration, Some(scopes::EMPANELMENT_WRITE));
    let mut both = cscms_api::auth::MintRequest::new(Role::Integration, "integration:both");
    both.scopes = vec![scopes::EMPANELMENT_READ.into(), scopes::APAR_READ.into()];
    let both = app.mint(both);

    let made = app
        .post_json(&runs, &writer, &json!({"as_of": AS_OF}))
        .await;
    assert_eq!(made.status, 201, "{}", made.json);
    let (years, shown) = gradings_shown(&made.json);
    assert!(years >= 100, "{years} scored years");
    assert_eq!(shown, 0, "the writer has no apar:read");
    let run = format!("{runs}/1");
    let full = app.get(&run, &app.dopt()).await;
    let (_, all) = gradings_shown(&full.json);
    assert!(all >= 100, "{all} gradings for {years} years");
    assert_eq!(app.get(&run, &both).await.json, full.json);
    let partial = app.get(&run, &reader).await;
    assert_eq!(partial.status, 200);
    assert_eq!(gradings_shown(&partial.json), (years, 0));
    assert_eq!(
        partial.json["result"]["officers"][0]["outcome"],
        full.json["result"]["officers"][0]["outcome"]
    );

    let proposals = format!("/v1/empanelment/batches/{id}/proposals");
    app.get(&proposals, &reader)
        .await
        .assert_problem(403, "forbidden");
    let listed = app.get(&proposals, &both).await;
    assert_eq!(listed.json["items"].as_array().unwrap().len(), 14);
}

#[actix_web::test]
async fn an_employee_on_record_is_proposed_by_code_and_past_years_are_real_years() {
    let app = spawn().await;
    let id = create_batch(&app, &batch_body("IAS")).await;
    let proposals = format!("/v1/empanelment/batches/{id}/proposals");
    // By officer id alone an employee on record would escape the record's
    // APARs and the shared vigilance clearance (VIG-1, VIG-2).
    let body = ias_officer("CSS-000001", 1, window(&grades(10, 0, 0)), &json!({}));
    let r = app.post_json(&proposals, &app.dopt(), &body).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.officer_id");
    assert_eq!(r.json["errors"][0]["code"], "employee_on_record");
    // An id no employee has is an officer of another service.
    let body = ias_officer("CSS-999999", 1, window(&grades(10, 0, 0)), &json!({}));
    let r = app.post_json(&proposals, &app.dopt(), &body).await;
    assert_eq!(r.status, 201, "{}", r.json);

    // CSS-8 history: a year beyond the calendar is refused, not overflowed.
    let past = |year: i64, cut_off: &str| {
        json!({"history": [{"empanelment_year": year, "cut_off_year": cut_off,
                            "decided_on": "2022-03-01", "kind": "original",
                            "outcome": "not_empanelled"}]})
    };
    for (year, cut_off, field) in [
        (2_147_483_647, "2020-21", "empanelment_year"),
        (1990, "1988-89", "empanelment_year"),
        (2022, "2022-23", "cut_off_year"),
    ] {
        let body = ias_officer("B1", 2, window(&grades(10, 0, 0)), &past(year, cut_off));
        let r = app.post_json(&proposals, &app.dopt(), &body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.json["errors"][0]["field"],
            format!("body.history[0].{field}"),
            "{year}"
        );
        let ask = json!({"batch": {"service": "IAS", "batch_year": 2006, "empanelment_year": 2024,
                                   "cut_off_year": "2022-23", "ais_first_sag_on": "2022-01-01"},
                         "as_of": AS_OF, "officer": body});
        let r = app
            .post_json(
                "/v1/rules/empanelment/eligibility",
                &app.token(Role::Employee, Some("CSS-000001")),
                &ask,
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.json["errors"][0]["field"],
            format!("body.officer.history[0].{field}")
        );
    }
}
