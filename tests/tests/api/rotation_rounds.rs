//! Rotation rounds and preferences (ROT-1, ROT-2) through the API: the
//! round's dates and what each allows, the window gate, lists of the other
//! group, and who sees whose list.

use std::rc::Rc;

use actix_web::test::{self, TestRequest};
use chrono::NaiveDate;
use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{
    employee, event, reply, spawn, spawn_with, submitted, Reply, TestApp, IN_MHA, IN_MOF, IN_NDMA,
};
use crate::workflow_support::{days_from_today, today};

/// Terms opening in `open` days, a window of 10 days.
pub fn terms(cadre: &str, grades: &[&str], open: u64) -> Value {
    json!({
        "cadre": cadre,
        "grades": grades,
        "dates": {
            "preferences_open": days_from_today(open),
            "preferences_close": days_from_today(open + 10),
            "allocation_on": days_from_today(open + 15),
            "orders_on": days_from_today(open + 30),
        },
        "min_preferences": 1,
        "max_preferences": 1,
    })
}

/// Announces a round as DoPT; its id.
pub async fn announce(app: &TestApp, body: &Value) -> i64 {
    let r = app
        .post_json("/v1/rotation/rounds", &app.dopt(), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

/// The ministry groups of the fixtures: MHA in A, MOF in B, from 01.01.2020.
pub async fn groups(app: &TestApp) {
    let r = app
        .post_json(
            "/v1/rotation/ministry-groups",
            &app.dopt(),
            &json!({"effective_from": "2020-01-01",
                    "order_ref": "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022",
                    "a": ["MHA"], "b": ["MOF"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

/// Moves a round's dates (as the calendar would): the window from
/// `open` days from today (negative: past) for `len` days, then allocation
/// and orders after it.
pub async fn set_window(app: &TestApp, id: i64, open: i64, len: i64) {
    let t = today();
    let d = |n: i64| t + chrono::Duration::days(n);
    let sql = format!(
        "UPDATE rotation_rounds SET preferences_open = '{}', preferences_close = '{}', \
         allocation_on = '{}', orders_on = '{}' WHERE id = {id}",
        d(open),
        d(open + len),
        d(open + len + 1),
        d(open + len + 2)
    );
    app.db(move |c| cscms_store::testing::execute(c, &sql))
        .await;
}

pub async fn with_if_match(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    tag: Option<&str>,
    body: &Value,
) -> Reply {
    let req = if method == "put" {
        TestRequest::put()
    } else {
        TestRequest::post()
    };
    let mut req = req
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .set_json(body);
    if let Some(tag) = tag {
        req = req.insert_header(("If-Match", tag.to_owned()));
    }
    app.call(req).await
}

/// DoPT enters MOF's sanctioned strength the first time (PRF-3).
async fn sanction_in_mof(app: &TestApp, entries: Value) {
    let r = app
        .put_json(
            "/v1/organisations/MOF/working-strength",
            &app.dopt(),
            Some("\"0\""),
            &json!({ "entries": entries }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// ROT-2: a Section Officer in the non-functional scale holds an SO post:
/// a round for SO takes them, counts them in position against MOF's SO
/// posts, and a round is not announced for the scale itself.
#[actix_web::test]
async fn rot_2_a_section_officer_in_the_non_functional_scale_rotates_with_the_sos() {
    const NFS: &str = "CSS-000888";
    let app = spawn().await;
    groups(&app).await;
    app.db(|c| {
        let row = employee(NFS, "Nfs Officer", "CSS", "SO_NFS", "10", "MOF");
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let ev = [
            event(NFS, "appointment", on(2010, 7, 1), "SO", "8"),
            event(NFS, "nfs", on(2014, 7, 1), "SO_NFS", "10"),
        ];
        cscms_store::employees::insert(c, &row, &ev)
    })
    .await;
    let dopt = app.dopt();
    let r = app
        .post_json("/v1/rotation/rounds", &dopt, &terms("CSS", &["SO_NFS"], 5))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.grades[0]", "{}", r.json);

    sanction_in_mof(
        &app,
        json!([{"cadre": "CSS", "grade": "SO", "sanctioned": 2}]),
    )
    .await;
    let id = announce(&app, &terms("CSS", &["SO"], 5)).await;

    let me = app.token(Role::Employee, Some(NFS));
    let r = app.get("/v1/me/rotation-rounds", &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["items"][0]["id"], id, "{}", r.json);
    assert_eq!(r.json["items"][0]["eligibility"]["status"], "must_rotate");

    let r = app
        .get(&format!("/v1/rotation/rounds/{id}/submissions"), &dopt)
        .await;
    let seen: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["employee_code"].as_str().unwrap())
        .collect();
    assert!(seen.contains(&NFS), "{}", r.json);

    let r = app
        .get(&format!("/v1/rotation/rounds/{id}/vacancies"), &dopt)
        .await;
    let mof_so = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["ministry"] == "MOF" && v["grade"] == "SO")
        .cloned();
    assert_eq!(
        mof_so.map(|v| v["vacant"].clone()),
        Some(json!(1)),
        "{}",
        r.json
    );
}

#[actix_web::test]
async fn rot_1_a_round_is_announced_amended_before_it_opens_and_cancelled_before_allocation() {
    let app = spawn().await;
    let dopt = app.dopt();
    // Dates out of order, a grade ROT-2 does not cover, lists of 0: every field named.
    let mut bad = terms("CSS", &["SO", "JSA"], 5);
    bad["dates"]["preferences_close"] = json!(days_from_today(4));
    bad["dates"]["allocation_on"] = json!(days_from_today(3));
    bad["min_preferences"] = json!(0);
    let r = app.post_json("/v1/rotation/rounds", &dopt, &bad).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        vec![
            "body.dates.allocation_on",
            "body.dates.preferences_close",
            "body.grades[1]",
            "body.min_preferences"
        ],
        "{}",
        r.json
    );
    // Opening today: too late to announce.
    let r = app
        .post_json("/v1/rotation/rounds", &dopt, &terms("CSS", &["SO"], 0))
        .await;
    r.assert_problem(422, "validation_failed");
    // Only DoPT announces.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    app.post_json("/v1/rotation/rounds", &nodal, &terms("CSS", &["SO"], 5))
        .await
        .assert_problem(403, "forbidden");

    let r = app
        .post_json(
            "/v1/rotation/rounds",
            &dopt,
            &terms("CSS", &["so", "US"], 5),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"1\""));
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/rotation/rounds/{id}").as_str())
    );
    assert_eq!(r.json["grades"], json!(["SO", "US"]));
    assert_eq!(r.json["phase"], "announced");
    assert_eq!(r.json["state"], "announced");
    let path = format!("/v1/rotation/rounds/{id}");
    // Everyone of the cadres and offices reads it; integration clients do not.
    let emp = app.token(Role::Employee, Some(IN_MOF));
    assert_eq!(app.get(&path, &emp).await.status, 200);
    let client = app.token(Role::Integration, Some("employees:read"));
    app.get(&path, &client)
        .await
        .assert_problem(403, "forbidden");

    // Amended before it opens, naming the version read.
    let amended = terms("CSS", &["SO"], 6);
    with_if_match(&app, "put", &path, &dopt, None, &amended)
        .await
        .assert_problem(428, "if_match_required");
    let r = with_if_match(&app, "put", &path, &dopt, Some("\"1\""), &amended).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["version"], 2);
    assert_eq!(
        r.json["dates"]["preferences_open"],
        json!(days_from_today(6))
    );
    with_if_match(&app, "put", &path, &dopt, Some("\"1\""), &amended)
        .await
        .assert_problem(412, "stale_version");
    with_if_match(&app, "put", &path, &nodal, Some("\"2\""), &amended)
        .await
        .assert_problem(403, "forbidden");

    // Once the window has opened: never changed, but still cancellable.
    set_window(&app, id, 0, 3).await;
    let r = with_if_match(&app, "put", &path, &dopt, Some("\"2\""), &amended).await;
    r.assert_problem(409, "round_opened");
    assert!(
        r.json["detail"].as_str().unwrap().contains(&dmy(today())),
        "{}",
        r.json
    );
    // On the allocation date: no longer cancellable.
    set_window(&app, id, -5, 3).await;
    let cancel = json!({"reason": "Groups of ministries to be revised first"});
    let r = with_if_match(
        &app,
        "post",
        &format!("{path}/cancel"),
        &dopt,
        Some("\"2\""),
        &cancel,
    )
    .await;
    r.assert_problem(409, "round_allocated");
    // The day before it: cancelled, with the reason.
    set_window(&app, id, -3, 3).await;
    let r = with_if_match(
        &app,
        "post",
        &format!("{path}/cancel"),
        &dopt,
        Some("\"2\""),
        &cancel,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "cancelled");
    assert_eq!(r.json["phase"], Value::Null);
    assert_eq!(r.json["cancel_reason"], cancel["reason"]);
    let r = with_if_match(
        &app,
        "post",
        &format!("{path}/cancel"),
        &dopt,
        Some("\"3\""),
        &cancel,
    )
    .await;
    r.assert_problem(409, "round_cancelled");

    // Each change audited: announce, amend, cancel.
    let r = app
        .get(
            &format!("/v1/audit?entity=rotation_round&entity_id={id}&limit=10"),
            &dopt,
        )
        .await;
    let actions: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["cancel", "amend", "announce"], "{}", r.json);
}

#[actix_web::test]
async fn rot_1_preferences_within_the_window_of_the_other_group() {
    let app = spawn().await;
    groups(&app).await;
    let id = announce(&app, &terms("CSS", &["SO", "ASO"], 5)).await;
    let csss = announce(&app, &terms("CSSS", &["PA"], 5)).await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let path = format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/preferences");

    // Announced to the eligible: a CSS SO in MHA since 2010 must rotate;
    // the CSSS PA sees only the CSSS round.
    let r = app.get("/v1/me/rotation-rounds", &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", r.json);
    assert_eq!(items[0]["id"], id);
    assert_eq!(items[0]["eligibility"]["status"], "must_rotate");
    assert_eq!(
        items[0]["dates"]["preferences_open"],
        json!(days_from_today(5))
    );
    assert_eq!(items[0]["preferences_given_at"], Value::Null);
    let pa = app.token(Role::Employee, Some(IN_MOF));
    let r = app.get("/v1/me/rotation-rounds", &pa).await;
    let ids: Vec<i64> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![csss], "{}", r.json);
    app.get("/v1/me/rotation-rounds", &app.dopt())
        .await
        .assert_problem(403, "forbidden");

    // Before the window: 409 naming its dates.
    let list = json!({"ministries": ["MOF"]});
    let window = format!(
        "{} to {}",
        dmy(days_from_today(5)),
        dmy(days_from_today(15))
    );
    let r = with_if_match(&app, "put", &path, &me, Some("\"0\""), &list).await;
    // The profile gate comes first (PRF-1).
    r.assert_problem(409, "profile_not_submitted");
    let me = submitted(&app, IN_MHA).await;
    let r = with_if_match(&app, "put", &path, &me, Some("\"0\""), &list).await;
    r.assert_problem(409, "preference_window_closed");
    assert!(
        r.json["detail"].as_str().unwrap().contains(&window),
        "{}",
        r.json
    );

    // Within it: the round's tag says its phase moved on with the date.
    set_window(&app, id, 0, 10).await;
    let round = app.get(&format!("/v1/rotation/rounds/{id}"), &me).await;
    assert_eq!(round.json["phase"], "open", "{}", round.json);
    assert_eq!(
        round.header("etag"),
        Some(format!("\"{}-open\"", round.json["version"]).as_str())
    );
    let r = app.get(&path, &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        (r.json["version"].clone(), r.json["ministries"].clone()),
        (json!(0), json!([]))
    );
    // The list's version, the round's and where the round stands.
    assert_eq!(r.header("etag"), Some("\"0-r1-open\""));
    for (body, field) in [
        (json!({"ministries": ["MHA"]}), "body.ministries[0]"),
        (json!({"ministries": ["MOF", "MOF"]}), "body.ministries"),
        (json!({"ministries": ["NITI"]}), "body.ministries[0]"),
        (json!({"ministries": []}), "body.ministries"),
    ] {
        let r = with_if_match(&app, "put", &path, &me, Some("\"0\""), &body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.json["errors"][0]["field"], field, "{body}: {}", r.json);
    }
    with_if_match(&app, "put", &path, &me, None, &list)
        .await
        .assert_problem(428, "if_match_required");
    let r = with_if_match(&app, "put", &path, &me, Some("\"0\""), &list).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["ministries"], json!(["MOF"]));
    assert_eq!(r.header("etag"), Some("\"1-r1-open\""));
    // A second first list is a lost update: 412.
    with_if_match(&app, "put", &path, &me, Some("\"0\""), &list)
        .await
        .assert_problem(412, "stale_version");
    let r = with_if_match(&app, "put", &path, &me, Some("\"1\""), &list).await;
    assert_eq!(r.json["version"], 2, "{}", r.json);
    let r = app.get("/v1/me/rotation-rounds", &me).await;
    assert!(
        r.json["items"][0]["preferences_given_at"].is_string(),
        "{}",
        r.json
    );

    // Not in the round: the CSSS PA in the CSS round (own list, visible to them).
    let me_pa = submitted(&app, IN_MOF).await;
    let pa_path = format!("/v1/employees/{IN_MOF}/rotation/rounds/{id}/preferences");
    with_if_match(
        &app,
        "put",
        &pa_path,
        &me_pa,
        Some("\"0\""),
        &json!({"ministries": ["MHA"]}),
    )
    .await
    .assert_problem(409, "not_in_round");

    // Scope: another employee and another ministry's nodal officer are told
    // nothing exists; the officer's own nodal officer reads but does not write.
    let other = app.token(Role::Employee, Some(IN_NDMA));
    app.get(&path, &other)
        .await
        .assert_problem(404, "not_found");
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    app.get(&path, &mof).await.assert_problem(404, "not_found");
    let avd = app.token(Role::Avd, None);
    app.get(&path, &avd).await.assert_problem(404, "not_found");
    let mha = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(
        app.get(&path, &mha).await.json["ministries"],
        json!(["MOF"])
    );
    with_if_match(&app, "put", &path, &mha, Some("\"2\""), &list)
        .await
        .assert_problem(403, "forbidden");

    // Who has given a list: MHA's nodal officer sees MHA and its body;
    // MOF's sees neither; DoPT all.
    let subs = format!("/v1/rotation/rounds/{id}/submissions");
    let r = app.get(&subs, &mha).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let seen: Vec<(String, bool, String)> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["employee_code"].as_str().unwrap().to_owned(),
                i["submitted"].as_bool().unwrap(),
                i["rotation_status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (IN_MHA.to_owned(), true, "must_rotate".to_owned()),
            (IN_NDMA.to_owned(), false, "must_rotate".to_owned())
        ]
    );
    assert_eq!(
        (
            r.json["submitted"].clone(),
            r.json["must_rotate_not_submitted"].clone()
        ),
        (json!(1), json!(1))
    );
    // A page at a time, by code; the counts on every page are over all
    // the officers the caller sees, not over the page.
    let paged = app.assert_paged(&subs, &mha).await;
    assert_eq!(paged[1]["employee_code"], IN_NDMA);
    // Each status with its reasons, each citing its order (ROT-2).
    for officer in &paged {
        let reasons = officer["rotation_reasons"].as_array().unwrap();
        assert!(reasons.iter().any(|r| r["rule"] == "ROT-2"), "{officer}");
        assert!(
            reasons.iter().all(|r| r["citation"].is_string()),
            "{officer}"
        );
    }
    let mut pages = 0;
    let mut next = Some(format!("{subs}?limit=1"));
    while let Some(p) = next {
        let r = app.get(&p, &mha).await;
        assert_eq!(
            (&r.json["submitted"], &r.json["must_rotate_not_submitted"]),
            (&json!(1), &json!(1)),
            "{p}"
        );
        next = r.json["next"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 2);
    let r = app.get(&subs, &mof).await;
    assert_eq!(r.json["items"], json!([]), "{}", r.json);
    assert_eq!(
        app.get(&subs, &app.dopt()).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.get(&subs, &me).await.assert_problem(403, "forbidden");

    // After the close: 409 naming the window.
    set_window(&app, id, -11, 10).await;
    let r = with_if_match(&app, "put", &path, &me, Some("\"2\""), &list).await;
    r.assert_problem(409, "preference_window_closed");
    let t = today();
    let closed = format!(
        "{} to {}",
        dmy(t - chrono::Duration::days(11)),
        dmy(t - chrono::Duration::days(1))
    );
    assert!(
        r.json["detail"].as_str().unwrap().contains(&closed),
        "{}",
        r.json
    );
    // Closed rounds are no longer announced to the officer.
    let r = app.get("/v1/me/rotation-rounds", &me).await;
    assert_eq!(r.json["items"], json!([]), "{}", r.json);

    // The list's changes are audited under the officer's organisation and
    // carried in the feed to the nodal officer.
    let r = app
        .get(
            &format!("/v1/audit?entity=rotation_preferences&entity_id={id}/{IN_MHA}&limit=10"),
            &app.dopt(),
        )
        .await;
    let actions: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["amend", "submit"], "{}", r.json);
}

/// The ministry groups, MOF with two SO posts and one ASO post sanctioned
/// and none held (PRF-3), and a CSS round of SOs and ASOs announced.
async fn round_with_vacancies_in_mof() -> (TestApp, i64) {
    let app = spawn().await;
    groups(&app).await;
    sanction_in_mof(
        &app,
        json!([{"cadre": "CSS", "grade": "SO", "sanctioned": 2},
               {"cadre": "CSS", "grade": "ASO", "sanctioned": 1}]),
    )
    .await;
    let id = announce(&app, &terms("CSS", &["SO", "ASO"], 5)).await;
    (app, id)
}

#[actix_web::test]
async fn rot_1_dopt_runs_the_allocation_on_stored_inputs_and_it_replays() {
    let (app, id) = round_with_vacancies_in_mof().await;
    let dopt = app.dopt();
    let base = format!("/v1/rotation/rounds/{id}");

    let r = app.get(&format!("{base}/vacancies"), &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let vacant: Vec<(String, String, u64)> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["ministry"].as_str().unwrap().to_owned(),
                v["grade"].as_str().unwrap().to_owned(),
                v["vacant"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        vacant,
        vec![
            ("MHA".to_owned(), "SO".to_owned(), 0),
            ("MHA".to_owned(), "ASO".to_owned(), 0),
            ("MOF".to_owned(), "SO".to_owned(), 2),
            ("MOF".to_owned(), "ASO".to_owned(), 1),
        ]
    );
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    app.get(&format!("{base}/vacancies"), &nodal)
        .await
        .assert_problem(403, "forbidden");

    // The SO gives a list; the ASO (in a body under MHA) gives none but must rotate.
    set_window(&app, id, 0, 10).await;
    let me = submitted(&app, IN_MHA).await;
    let r = with_if_match(
        &app,
        "put",
        &format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/preferences"),
        &me,
        Some("\"0\""),
        &json!({"ministries": ["MOF"]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Not before the allocation date.
    let r = app
        .post_json(&format!("{base}/runs"), &dopt, &json!({}))
        .await;
    r.assert_problem(409, "allocation_not_due");
    set_window(&app, id, -11, 10).await;
    app.post_json(&format!("{base}/runs"), &nodal, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    let r = app
        .post_json(&format!("{base}/runs"), &dopt, &json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let run = r.json["id"].as_i64().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("{base}/runs/{run}").as_str())
    );
    let t = today();
    assert_eq!(r.json["as_of"], json!(t - chrono::Duration::days(11)));
    // Inputs: both officers, the ASO at MHA (the ministry above the body).
    let officers = r.json["inputs"]["officers"].as_array().unwrap();
    let inputs: Vec<(&str, &str, bool, Value)> = officers
        .iter()
        .map(|o| {
            (
                o["code"].as_str().unwrap(),
                o["ministry"].as_str().unwrap(),
                o["must_rotate"].as_bool().unwrap(),
                o["preferences"].clone(),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        vec![
            (IN_NDMA, "MHA", true, json!([])),
            (IN_MHA, "MHA", true, json!(["MOF"])),
        ]
    );
    // Results: the SO by their list, the ASO afterwards in the other group.
    let results = r.json["result"]["officers"].as_array().unwrap();
    let placed: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|o| {
            (
                o["code"].as_str().unwrap(),
                o["to"].as_str().unwrap_or("-"),
                o["placement"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        placed,
        vec![
            (IN_NDMA, "MOF", "afterwards"),
            (IN_MHA, "MOF", "preference")
        ]
    );
    assert!(r.json["result"]["priority_rule"]
        .as_str()
        .unwrap()
        .contains("Longest tenure"));
    assert_eq!(r.json["replays"], true);

    // Stored: read again it replays to the same result; a tampered result does not.
    let r = app.get(&format!("{base}/runs/{run}"), &dopt).await;
    assert_eq!(
        (r.status.as_u16(), r.json["replays"].clone()),
        (200, json!(true)),
        "{}",
        r.json
    );
    let sql = format!(
        "UPDATE rotation_runs SET result = REPLACE(result, '\"afterwards\"', '\"preference\"') WHERE id = {run}"
    );
    app.db(move |c| cscms_store::testing::execute(c, &sql))
        .await;
    let r = app.get(&format!("{base}/runs/{run}"), &dopt).await;
    assert_eq!(r.json["replays"], false, "{}", r.json);
    app.get(&format!("{base}/runs/{run}"), &me)
        .await
        .assert_problem(403, "forbidden");
    app.get(&format!("{base}/runs/999"), &dopt)
        .await
        .assert_problem(404, "not_found");

    // Approval: a run that does not replay is refused; a fresh run is approved.
    let order = json!({"order_ref": "DoPT Order No. 7/1/2026-CS.I(P)"});
    let r = app
        .post_json(&format!("{base}/runs/{run}/approve"), &dopt, &order)
        .await;
    r.assert_problem(409, "run_not_replayable");
    let result_path = format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/result");
    app.get(&result_path, &me)
        .await
        .assert_problem(404, "not_found");
    let r = app
        .post_json(&format!("{base}/runs"), &dopt, &json!({}))
        .await;
    let again = r.json["id"].as_i64().unwrap();
    app.post_json(&format!("{base}/runs/{again}/approve"), &nodal, &order)
        .await
        .assert_problem(403, "forbidden");
    // The officer's profile as read before the orders (PRF-4, below).
    let profile = format!("/v1/employees/{IN_MHA}/profile");
    let before = app.get(&profile, &dopt).await;
    assert_eq!(before.json["document"]["service"]["org_id"], "MHA");
    let tag_before = before.header("etag").unwrap().to_owned();
    let r = app
        .post_json(&format!("{base}/runs/{again}/approve"), &dopt, &order)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["order_ref"], order["order_ref"]);
    // PRF-4: the transfer changed the profile's service record, so its
    // version moved on: the old ETag is not 304, and a change based on it
    // is refused rather than writing MHA back over the transfer.
    let after = app
        .call(
            TestRequest::get()
                .uri(&profile)
                .insert_header(("Authorization", format!("Bearer {dopt}")))
                .insert_header(("If-None-Match", tag_before.as_str())),
        )
        .await;
    assert_eq!(after.status, 200, "{}", after.json);
    assert_eq!(after.json["document"]["service"]["org_id"], "MOF");
    assert_ne!(after.header("etag"), Some(tag_before.as_str()));
    app.patch_json(
        &profile,
        &dopt,
        Some(&tag_before),
        &json!({"service": {"org_id": "MHA"}}),
    )
    .await
    .assert_problem(412, "stale_version");
    let now = app.get(&profile, &dopt).await;
    assert_eq!(now.json["document"]["service"]["org_id"], "MOF");
    // ... and the profile's audit trail (and so the change feed) says so.
    let trail = app
        .get(
            &format!("/v1/audit?entity=profile&entity_id={IN_MHA}&limit=1"),
            &dopt,
        )
        .await;
    let row = &trail.json["items"][0];
    assert_eq!(
        (row["action"].as_str(), row["organisation_id"].as_str()),
        (Some("transfer"), Some("MOF")),
        "{}",
        trail.json
    );
    assert_eq!(row["before"]["service.org_id"], "MHA");
    assert!(r.json["approved_at"].is_string());
    app.post_json(&format!("{base}/runs/{run}/approve"), &dopt, &order)
        .await
        .assert_problem(409, "round_approved");
    // The orders are issued: the round is not run again (the officers have
    // moved, so their lists no longer fit them).
    app.post_json(&format!("{base}/runs"), &dopt, &json!({}))
        .await
        .assert_problem(409, "round_approved");
    // A transfer order in each officer's service history, on the orders date.
    let orders_on = t + chrono::Duration::days(1);
    for code in [IN_MHA, IN_NDMA] {
        let r = app.get(&format!("/v1/employees/{code}"), &dopt).await;
        let history = r.json["service_history"].as_array().unwrap();
        let transfers: Vec<&Value> = history.iter().filter(|h| h["kind"] == "transfer").collect();
        assert_eq!(transfers.len(), 1, "{code}: {}", r.json);
        assert_eq!(transfers[0]["effective_on"], json!(orders_on));
        assert_eq!(transfers[0]["order_ref"], order["order_ref"]);
        assert!(transfers[0]["remarks"].as_str().unwrap().contains("to MOF"));
        // The officer is now of MOF: its nodal officer sees them, MHA's no longer does.
        assert_eq!(r.json["organisation_id"], "MOF", "{}", r.json);
        let mof = app.token(Role::NodalOfficer, Some("MOF"));
        assert_eq!(
            app.get(&format!("/v1/employees/{code}"), &mof).await.status,
            200
        );
        app.get(&format!("/v1/employees/{code}"), &nodal)
            .await
            .assert_problem(404, "not_found");
        // ... audited, and in the change feed under the ministry left and the one joined.
        let r = app
            .get(
                &format!("/v1/audit?entity=transfer_order&entity_id={code}&limit=5"),
                &dopt,
            )
            .await;
        let orgs: Vec<(&str, &str)> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["action"].as_str().unwrap(),
                    i["organisation_id"].as_str().unwrap_or("-"),
                )
            })
            .collect();
        let left = if code == IN_MHA { "MHA" } else { "MHA-NDMA" };
        assert_eq!(orgs, vec![("join", "MOF"), ("issue", left)], "{}", r.json);
    }
    // Each officer sees their result and why; the priority rule is stated.
    let r = app.get(&result_path, &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["run_id"], again);
    assert_eq!(r.json["as_of"], json!(t - chrono::Duration::days(11)));
    assert_eq!(r.json["result"]["to"], "MOF");
    assert_eq!(r.json["result"]["rank"], 1);
    assert!(r.json["priority_rule"]
        .as_str()
        .unwrap()
        .contains("seniority"));
    let aso = app.token(Role::Employee, Some(IN_NDMA));
    let r = app
        .get(
            &format!("/v1/employees/{IN_NDMA}/rotation/rounds/{id}/result"),
            &aso,
        )
        .await;
    assert_eq!(r.json["result"]["placement"], "afterwards", "{}", r.json);
    let why = r.json["result"]["reasons"].to_string();
    assert!(
        why.contains("must rotate") && !why.contains(IN_MHA),
        "{why}"
    );
    // Only their own: another employee is told nothing exists; the nodal
    // officer of the ministry joined reads it, that of the one left no longer.
    app.get(&result_path, &aso)
        .await
        .assert_problem(404, "not_found");
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    assert_eq!(app.get(&result_path, &mof).await.status, 200);
    app.get(&result_path, &nodal)
        .await
        .assert_problem(404, "not_found");
    representation_heard_above_the_approver(&app, id, &me, &mof).await;
}

/// ROT-1: two rounds of a cadre never take officers of one grade over days
/// in common (a round's days run from its window's opening to its orders),
/// or an officer would be allocated by both: announcing or amending into
/// another round's is 409 `round_overlaps`; a cancelled round overlaps nothing.
#[actix_web::test]
async fn rot_1_rounds_of_a_grade_do_not_overlap() {
    let app = spawn().await;
    let dopt = app.dopt();
    // Days 5 to 35 from today.
    let first = announce(&app, &terms("CSS", &["SO"], 5)).await;
    let overlapping = |r: &Reply, other: i64| {
        r.assert_problem(409, "round_overlaps");
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("round {other}")),
            "{}",
            r.json
        );
    };
    for body in [
        terms("CSS", &["SO"], 20),
        terms("CSS", &["ASO", "SO"], 35),
        terms("CSS", &["so"], 6),
    ] {
        let r = app.post_json("/v1/rotation/rounds", &dopt, &body).await;
        overlapping(&r, first);
    }
    // Another grade, another cadre, or after the first's orders: announced.
    announce(&app, &terms("CSS", &["ASO"], 5)).await;
    announce(&app, &terms("CSSS", &["PA"], 5)).await;
    let later = announce(&app, &terms("CSS", &["SO"], 36)).await;
    let r = app.get("/v1/rotation/rounds", &dopt).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 4, "{}", r.json);
    let rounds = app.assert_paged("/v1/rotation/rounds", &dopt).await;
    assert_eq!(rounds[0]["id"], later, "newest first");

    // Amended into the first's days: refused, the round as it was.
    let path = format!("/v1/rotation/rounds/{later}");
    let r = with_if_match(
        &app,
        "put",
        &path,
        &dopt,
        Some("\"1\""),
        &terms("CSS", &["SO"], 30),
    )
    .await;
    overlapping(&r, first);
    let r = app.get(&path, &dopt).await;
    assert_eq!(r.json["version"], 1, "{}", r.json);
    assert_eq!(
        r.json["dates"]["preferences_open"],
        json!(days_from_today(36))
    );
    // Its own days are no overlap.
    let r = with_if_match(
        &app,
        "put",
        &path,
        &dopt,
        Some("\"1\""),
        &terms("CSS", &["SO"], 40),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);

    // Cancelled: the first's days are free again.
    let r = with_if_match(
        &app,
        "post",
        &format!("/v1/rotation/rounds/{first}/cancel"),
        &dopt,
        Some("\"1\""),
        &json!({"reason": "Groups of ministries to be revised first"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Days 5 to 35 again; the later round now runs from day 40.
    announce(&app, &terms("CSS", &["SO"], 5)).await;
}

/// Overlapping rounds announced at once: exactly one is announced, every
/// other is 409 `round_overlaps`, none fails.
#[actix_web::test]
async fn rot_1_overlapping_rounds_announced_at_once_one_stands() {
    let app = spawn_with(&[("CSCMS_DB_POOL_SIZE", "8")]).await;
    let dopt = app.dopt();
    let svc = Rc::new(test::init_service(cscms_api::app(app.state.clone())).await);
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let svc = Rc::clone(&svc);
            let dopt = dopt.clone();
            actix_web::rt::spawn(async move {
                let req = TestRequest::post()
                    .uri("/v1/rotation/rounds")
                    .insert_header(("Authorization", format!("Bearer {dopt}")))
                    .set_json(terms("CSS", &["SO"], 5 + i));
                reply(test::call_service(&*svc, req.to_request()).await).await
            })
        })
        .collect();
    let (mut announced, mut refused) = (0, 0);
    for h in handles {
        let r = h.await.unwrap();
        match (r.status.as_u16(), r.json["code"].as_str()) {
            (201, _) => announced += 1,
            (409, Some("round_overlaps")) => refused += 1,
            other => panic!("unexpected answer {other:?}: {}", r.json),
        }
    }
    assert_eq!((announced, refused), (1, 5));
    let r = app.get("/v1/rotation/rounds", &dopt).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1, "{}", r.json);
}

/// A representation against the result (ROT-1, para 6 of the spouse-posting
/// OM applied to rotation): the officer files it with reasons, once; the
/// DoPT officer who approved the run does not hear it, another does.
async fn representation_heard_above_the_approver(app: &TestApp, id: i64, me: &str, nodal: &str) {
    let approver = app.dopt();
    let above = app.mint(cscms_api::auth::MintRequest::new(Role::Dopt, "dopt:js-cs"));
    let path = format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/representation");
    let result = app
        .get(
            &format!("/v1/employees/{IN_MHA}/rotation/rounds/{id}/result"),
            me,
        )
        .await;
    assert!(result.json["representation_to"]
        .as_str()
        .unwrap()
        .contains(&path));
    app.get(&path, me).await.assert_problem(404, "not_found");
    // Nothing filed yet: a hearing is refused by the table, not as absent.
    let r = app
        .post_json(&format!("{path}/allow"), &above, &json!({}))
        .await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "new");
    app.post_json(&path, me, &json!({}))
        .await
        .assert_problem(422, "validation_failed");
    app.post_json(&path, nodal, &json!({"reason": "On the officer's behalf"}))
        .await
        .assert_problem(403, "forbidden");
    let reason = json!({"reason": "My tenure in MHA was counted from the wrong order"});
    let r = app.post_json(&path, me, &reason).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["state"], "submitted");
    assert_eq!(r.json["steps"][0]["reason"], reason["reason"]);
    app.post_json(&path, me, &reason)
        .await
        .assert_problem(409, "already_exists");
    // Another employee is told nothing exists.
    let other = app.token(Role::Employee, Some(IN_NDMA));
    app.get(&path, &other)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(app.get(&path, nodal).await.status, 200);
    let queue = app
        .get("/v1/rotation/representations/pending", &above)
        .await;
    assert_eq!(
        queue.json["items"][0]["employee_code"], IN_MHA,
        "{}",
        queue.json
    );
    // Two filed at the same instant: by id, each once, a page at a time.
    let copy = format!(
        "INSERT INTO rotation_representations (round_id, run_id, employee_code, org_id, state, approved_by, submitted_at, updated_at) \
         SELECT round_id, run_id, '{IN_NDMA}', 'MHA-NDMA', state, approved_by, submitted_at, updated_at FROM rotation_representations"
    );
    app.db(move |c| cscms_store::testing::execute(c, &copy))
        .await;
    let queued: Vec<Value> = app
        .assert_paged("/v1/rotation/representations/pending", &above)
        .await
        .iter()
        .map(|r| r["employee_code"].clone())
        .collect();
    assert_eq!(queued, [IN_MHA, IN_NDMA]);
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            &format!("DELETE FROM rotation_representations WHERE employee_code = '{IN_NDMA}'"),
        )
    })
    .await;
    app.get("/v1/rotation/representations/pending", nodal)
        .await
        .assert_problem(403, "forbidden");
    // The approver sees it but has nothing to do with it.
    let seen = app.get(&path, &approver).await;
    assert_eq!(seen.json["allowed_actions"], json!([]));
    app.post_json(&format!("{path}/allow"), &approver, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    app.post_json(&format!("{path}/dismiss"), &above, &json!({}))
        .await
        .assert_problem(422, "validation_failed");
    // A dismissal is a reasoned decision: a word, or a stock phrase, is none.
    for vague in [
        "Rejected",
        "nope",
        "Administrative reasons",
        "Not feasible as per rules",
    ] {
        let r = app
            .post_json(
                &format!("{path}/dismiss"),
                &above,
                &json!({ "reason": vague }),
            )
            .await;
        r.assert_problem(422, "specific_reasons_required");
        assert!(
            r.json["detail"].as_str().unwrap().contains(vague),
            "{}",
            r.json
        );
    }
    let still = app.get(&path, me).await;
    assert_eq!(still.json["state"], "submitted", "{}", still.json);
    let r = app
        .post_json(
            &format!("{path}/dismiss"),
            &above,
            &json!({"reason": "Tenure counted from the order of 01.01.2016, which is on record"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["state"], "dismissed");
    assert_eq!(r.json["steps"][1]["actor_sub"], "dopt:js-cs");
    crate::workflow_support::one_audit_row_per_step(app, "rotation_representation", &r.json).await;
    let r = app
        .post_json(&format!("{path}/allow"), &above, &json!({}))
        .await;
    r.assert_problem(409, "invalid_transition");
}

/// ROT-1: a round's orders are issued once. Two runs approved at the same
/// moment: one is approved, the other is 409 `round_approved`, and the
/// officers are posted by the one approved.
#[actix_web::test]
async fn rot_1_two_runs_approved_at_once_issue_one_set_of_orders() {
    let (app, id) = round_with_vacancies_in_mof().await;
    let dopt = app.dopt();
    let base = format!("/v1/rotation/rounds/{id}");
    set_window(&app, id, -11, 10).await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let r = app
            .post_json(&format!("{base}/runs"), &dopt, &json!({}))
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
        runs.push(r.json["id"].as_i64().unwrap());
    }
    let order = json!({"order_ref": "DoPT Order No. 7/2/2026-CS.I(P)"});
    let approve = |run: i64| {
        let (app, dopt, order, base) = (&app, &dopt, &order, &base);
        async move {
            app.post_json(&format!("{base}/runs/{run}/approve"), dopt, order)
                .await
        }
    };
    let (a, b) = futures_util::join!(approve(runs[0]), approve(runs[1]));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.json, b.json);
    let refused = if a.status == 409 { &a } else { &b };
    refused.assert_problem(409, "round_approved");
    // One transfer order in each officer's history, not two.
    for code in [IN_MHA, IN_NDMA] {
        let r = app.get(&format!("/v1/employees/{code}"), &dopt).await;
        let transfers = r.json["service_history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["kind"] == "transfer")
            .count();
        assert_eq!(transfers, 1, "{code}: {}", r.json);
    }
}
