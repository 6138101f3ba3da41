//! RTI-1 through the API: every fee mode, the IPO refusal refused, the
//! reply deadline and the overdue list of the cadre division's register.

use chrono::{Days, NaiveDate};
use cscms_domain::principal::{scopes, Role};
use cscms_domain::rti::FeeMode;
use serde_json::{json, Value};

use crate::common::{spawn, TestApp, IN_MHA};
use crate::workflow_support::{audit_rows, today};

pub fn request(received_on: NaiveDate, mode: &str) -> Value {
    json!({
        "received_on": received_on,
        "applicant_name": "Suresh Nair",
        "applicant_address": "12 MG Road, Kochi 682011",
        "subject": "Copies of the CSS seniority list of 2025",
        "fee": {"amount": 10, "mode": mode, "reference": "39F 123456"}
    })
}

pub async fn register(app: &TestApp, received_on: NaiveDate, mode: &str) -> Value {
    let r = app
        .post_json("/v1/rti/requests", &app.dopt(), &request(received_on, mode))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap()
}

#[actix_web::test]
async fn every_fee_mode_is_valid() {
    let app = spawn().await;
    let mut checked = 0;
    for mode in FeeMode::ALL {
        let v = register(&app, days_ago(3), mode.as_str()).await;
        assert_eq!(v["fee"]["mode"], mode.as_str());
        assert_eq!(v["fee"]["accepted"], true);
        assert_eq!(v["fee_decision"]["valid"], true);
        let reasons = v["fee_decision"]["reasons"].as_array().unwrap();
        assert_eq!(reasons[0]["rule"], "RTI-1");
        assert!(reasons[0]["text"].as_str().unwrap().contains(mode.label()));
        checked += 1;
    }
    assert_eq!(checked, 4);
    // Cash needs no instrument number; the others do.
    let mut cash = request(days_ago(1), "cash");
    cash["fee"].as_object_mut().unwrap().remove("reference");
    let r = app.post_json("/v1/rti/requests", &app.dopt(), &cash).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let mut dd = request(days_ago(1), "demand_draft");
    dd["fee"].as_object_mut().unwrap().remove("reference");
    let r = app.post_json("/v1/rti/requests", &app.dopt(), &dd).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.fee.reference");
}

#[actix_web::test]
async fn the_fee_is_at_least_rs_10_or_none_below_the_poverty_line() {
    let app = spawn().await;
    let dopt = app.dopt();
    for wrong in [0, 1, 9] {
        let mut r = request(days_ago(2), "cash");
        r["fee"]["amount"] = json!(wrong);
        let r = app.post_json("/v1/rti/requests", &dopt, &r).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.error_fields(), ["body.fee.amount"], "{}", r.json);
        let message = r.json["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("Rs 10") && message.contains("RTI-1"),
            "{message}"
        );
    }
    // Below the poverty line: no fee, and none charged.
    let mut bpl = request(days_ago(2), "cash");
    bpl["fee"]["amount"] = json!(10);
    bpl["fee"]["below_poverty_line"] = json!(true);
    let r = app.post_json("/v1/rti/requests", &dopt, &bpl).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.fee.amount"], "{}", r.json);
    assert_eq!(
        app.get("/v1/rti/requests", &dopt).await.json["items"],
        json!([]),
        "nothing recorded"
    );
    bpl["fee"]["amount"] = json!(0);
    let r = app.post_json("/v1/rti/requests", &dopt, &bpl).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["fee"]["amount"], 0);
    assert_eq!(r.json["fee"]["below_poverty_line"], true);
    let v = register(&app, days_ago(2), "cash").await;
    assert_eq!(v["fee"]["below_poverty_line"], false);
    // An IPO for more than the fee pays it: refusing it would refuse the
    // application (OM of 26.04.2011 para 2). Recorded as tendered.
    let mut more = request(days_ago(2), "indian_postal_order");
    more["fee"]["amount"] = json!(20);
    let r = app.post_json("/v1/rti/requests", &dopt, &more).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["fee"]["amount"], 20);
}

#[actix_web::test]
async fn refusing_an_ipo_is_refused_with_the_om_cited() {
    let app = spawn().await;
    let dopt = app.dopt();
    let mut ipo = request(days_ago(2), "indian_postal_order");
    ipo["fee"]["accepted"] = json!(false);
    ipo["fee"]["refusal_reason"] = json!("IPO not accepted at this counter");
    let r = app.post_json("/v1/rti/requests", &dopt, &ipo).await;
    r.assert_problem(409, "ipo_refusal_not_allowed");
    let detail = r.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("F.10/9/2008-IR") && detail.contains("section 20"),
        "{detail}"
    );
    let r = app.get("/v1/rti/requests", &dopt).await;
    assert_eq!(
        r.json["items"].as_array().unwrap().len(),
        0,
        "nothing recorded"
    );

    // A demand draft may be returned for a fault, with the reason.
    let mut dd = request(days_ago(2), "demand_draft");
    dd["fee"]["accepted"] = json!(false);
    let r = app.post_json("/v1/rti/requests", &dopt, &dd).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.fee.refusal_reason");
    dd["fee"]["refusal_reason"] = json!("Drawn in favour of another public authority");
    let r = app.post_json("/v1/rti/requests", &dopt, &dd).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["fee"]["accepted"], false);
}

#[actix_web::test]
async fn the_reply_deadline_and_the_overdue_list() {
    let app = spawn().await;
    let dopt = app.dopt();
    let late = register(&app, days_ago(40), "cash").await;
    let due = days_ago(10);
    assert_eq!(late["reply_due"]["due_on"], json!(due));
    assert_eq!(late["reply_due"]["days"], 30);
    // Decided as of receipt, so the view moves with the date only by `overdue`.
    assert_eq!(late["reply_due"]["as_of"], json!(days_ago(40)));
    assert_eq!(late["fee_decision"]["as_of"], json!(days_ago(40)));
    let reasons = late["reply_due"]["reasons"].as_array().unwrap();
    assert!(reasons[0]["text"].as_str().unwrap().contains("7(1)"));
    assert_eq!(
        reasons[0]["citation"],
        "Right to Information Act, 2005, section 7(1)"
    );
    assert_eq!(late["overdue"], true);
    assert_eq!(late["days_overdue"], 10);
    // The tag counts the days overdue: the date moves it, not a write.
    let read = app
        .get(&format!("/v1/rti/requests/{}", late["id"]), &dopt)
        .await;
    assert_eq!(
        read.header("etag"),
        Some(format!("\"{}-overdue10\"", late["version"]).as_str())
    );
    let on_time = register(&app, days_ago(5), "bankers_cheque").await;
    assert_eq!(on_time["overdue"], false);

    let r = app.get("/v1/rti/requests/overdue", &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let ids: Vec<&Value> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&late["id"]]);
    // As of the last day itself it is not yet overdue.
    let r = app
        .get(&format!("/v1/rti/requests/overdue?as_of={due}"), &dopt)
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 0, "{}", r.json);

    // The reply closes it, once, against the version read.
    let id = late["id"].as_i64().unwrap();
    let path = format!("/v1/rti/requests/{id}/reply");
    let body = json!({"replied_on": today(), "summary": "Copies supplied on payment of Rs 20"});
    let r = app.post_json(&path, &dopt, &body).await;
    r.assert_problem(428, "if_match_required");
    let reply = |tag: &'static str| {
        actix_web::test::TestRequest::post()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {dopt}")))
            .insert_header(("If-Match", tag))
            .set_json(&body)
    };
    app.call(reply("\"7\""))
        .await
        .assert_problem(412, "stale_version");
    let r = app.call(reply("\"1\"")).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(r.json["overdue"], false);
    app.call(reply("\"2\""))
        .await
        .assert_problem(409, "already_replied");
    let r = app.get("/v1/rti/requests/overdue", &dopt).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 0);
    let rows = audit_rows(&app, "rti_request", id).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["reply", "register"]);

    // Received in the future: refused.
    let r = app
        .post_json(
            "/v1/rti/requests",
            &dopt,
            &request(today().succ_opt().unwrap(), "cash"),
        )
        .await;
    r.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn the_register_is_the_cadre_divisions_alone() {
    let app = spawn().await;
    let id = register(&app, days_ago(1), "cash").await["id"]
        .as_i64()
        .unwrap();
    for token in [
        app.token(Role::Employee, Some(IN_MHA)),
        app.token(Role::NodalOfficer, Some("MHA")),
        app.token(Role::Avd, None),
        app.token(Role::Integration, Some(scopes::INTERESTS_READ)),
    ] {
        app.get(&format!("/v1/rti/requests/{id}"), &token)
            .await
            .assert_problem(404, "not_found");
        for path in ["/v1/rti/requests", "/v1/rti/requests/overdue"] {
            app.get(path, &token).await.assert_problem(403, "forbidden");
        }
        app.post_json("/v1/rti/requests", &token, &request(days_ago(1), "cash"))
            .await
            .assert_problem(403, "forbidden");
    }
}

/// Follows a list's `next` links from `first` as DoPT: every page's ids
/// in order, and the number of pages.
async fn follow(app: &TestApp, first: &str) -> (Vec<i64>, usize) {
    let pages = app.follow(first, &app.dopt()).await;
    let ids = pages
        .iter()
        .flatten()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    (ids, pages.len())
}

/// The register and the overdue list come a page at a time (keyset on the
/// list's own order, the id breaking ties): every request once, in order.
#[actix_web::test]
async fn the_register_and_the_overdue_list_are_paged() {
    let app = spawn().await;
    // Seven requests; five overdue, three of them received the same day
    // (so due the same day: the id orders them).
    let mut registered = Vec::new();
    for ago in [50, 45, 45, 45, 35, 3, 1] {
        registered.push(
            register(&app, days_ago(ago), "cash").await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mut newest_first = registered.clone();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    let (ids, pages) = follow(&app, "/v1/rti/requests?limit=3").await;
    assert_eq!((ids, pages), (newest_first.clone(), 3));
    let (ids, pages) = follow(&app, "/v1/rti/requests").await;
    assert_eq!((ids, pages), (newest_first, 1));
    // Overdue: the longest overdue first; the same-day ones by id.
    let overdue = registered[..5].to_vec();
    let (ids, pages) = follow(&app, "/v1/rti/requests/overdue?limit=2").await;
    assert_eq!((ids, pages), (overdue.clone(), 3));
    // A page boundary inside the same-day run neither skips nor repeats.
    let (ids, pages) = follow(&app, "/v1/rti/requests/overdue?limit=1").await;
    assert_eq!((ids, pages), (overdue, 5));
    // The next link keeps the date the first page was drawn for.
    let r = app
        .get("/v1/rti/requests/overdue?limit=1", &app.dopt())
        .await;
    let next = r.json["next"].as_str().unwrap();
    assert!(next.contains(&format!("as_of={}", today())), "{next}");
    // Bad cursors and sizes are named.
    for (path, field) in [
        ("/v1/rti/requests?cursor=abc", "query.cursor"),
        ("/v1/rti/requests/overdue?cursor=7", "query.cursor"),
        ("/v1/rti/requests?limit=0", "query.limit"),
        ("/v1/rti/requests/overdue?limit=201", "query.limit"),
    ] {
        let r = app.get(path, &app.dopt()).await;
        r.assert_problem(400, "invalid_query");
        assert_eq!(r.json["errors"][0]["field"], field, "{path}");
    }
}
