//! Spouses in a stored rotation round (ROT-1, SPO-1): a couple registered
//! by one officer and confirmed by the other, their joint list, and a run
//! through the stored path that posts them together where a post is
//! available for each at one station, and otherwise says why (para 5).

use cscms_domain::principal::Role;
use serde_json::{json, Value};

use crate::common::{submitted, TestApp, IN_MHA, IN_MOF, IN_NDMA};
use crate::rotation_rounds::{announce, set_window, terms, with_if_match};

/// DOS, a department in Karnataka; groups A: MHA, B: MOF and DOS.
async fn ministries(app: &TestApp) {
    let dopt = app.dopt();
    let r = app
        .post_json(
            "/v1/organisations",
            &dopt,
            &json!({"id": "DOS", "name": "Department of Space", "kind": "department", "state": "Karnataka"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app
        .post_json(
            "/v1/rotation/ministry-groups",
            &dopt,
            &json!({"effective_from": "2020-01-01",
                    "order_ref": "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022",
                    "a": ["MHA"], "b": ["MOF", "DOS"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

/// CSS posts sanctioned in an organisation, none held (PRF-3).
async fn sanction(app: &TestApp, org: &str, tag: &str, posts: &[(&str, u32)]) {
    let entries: Vec<Value> = posts
        .iter()
        .map(|(g, n)| json!({"cadre": "CSS", "grade": g, "sanctioned": n}))
        .collect();
    let r = app
        .put_json(
            &format!("/v1/organisations/{org}/working-strength"),
            &app.dopt(),
            Some(tag),
            &json!({ "entries": entries }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

fn line(result: &Value, code: &str) -> Value {
    result["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("{code} not in {result}"))
}

fn placed(result: &Value, code: &str) -> (String, String) {
    let o = line(result, code);
    (
        o["to"].as_str().unwrap_or("-").to_owned(),
        o["placement"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn spo_1_a_couple_in_a_stored_round_posted_together_where_posts_allow() {
    let app = crate::common::spawn().await;
    ministries(&app).await;
    let dopt = app.dopt();
    // MOF: one SO post; DOS (another station): one ASO post.
    sanction(&app, "MOF", "\"0\"", &[("SO", 1)]).await;
    sanction(&app, "DOS", "\"0\"", &[("ASO", 1)]).await;
    let mut body = terms("CSS", &["SO", "ASO"], 5);
    body["max_preferences"] = json!(2);
    let id = announce(&app, &body).await;
    set_window(&app, id, 0, 10).await;
    let so = submitted(&app, IN_MHA).await;
    let aso = submitted(&app, IN_NDMA).await;
    let prefs = |code: &str| format!("/v1/employees/{code}/rotation/rounds/{id}/preferences");
    for (code, token, list) in [
        (IN_MHA, &so, json!(["MOF"])),
        (IN_NDMA, &aso, json!(["DOS"])),
    ] {
        let r = with_if_match(
            &app,
            "put",
            &prefs(code),
            token,
            Some("\"0\""),
            &json!({"ministries": list}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
    }

    // The SO registers the ASO as spouse with a joint list: the SO's ministry first.
    let couple = |code: &str| format!("/v1/employees/{code}/rotation/rounds/{id}/couple");
    let joint = json!([{"first": "MOF", "second": "DOS"}, {"first": "MOF", "second": "MOF"}]);
    let bad = json!({"spouse": IN_NDMA, "joint": [{"first": "MHA", "second": "MOF"}]});
    let r = with_if_match(&app, "put", &couple(IN_MHA), &so, Some("\"0\""), &bad).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.json["errors"][0]["field"], "body.joint[0].first",
        "{}",
        r.json
    );
    let self_named = json!({"spouse": IN_MHA, "joint": []});
    with_if_match(
        &app,
        "put",
        &couple(IN_MHA),
        &so,
        Some("\"0\""),
        &self_named,
    )
    .await
    .assert_problem(422, "validation_failed");
    // A spouse outside the round has no joint list.
    let outside = json!({"spouse": IN_MOF, "joint": joint});
    let r = with_if_match(&app, "put", &couple(IN_MHA), &so, Some("\"0\""), &outside).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.joint", "{}", r.json);
    let reg = json!({"spouse": IN_NDMA, "joint": joint});
    with_if_match(&app, "put", &couple(IN_MHA), &so, None, &reg)
        .await
        .assert_problem(428, "if_match_required");
    let r = with_if_match(&app, "put", &couple(IN_MHA), &so, Some("\"0\""), &reg).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        (
            r.json["first"].clone(),
            r.json["second"].clone(),
            r.json["confirmed"].clone()
        ),
        (json!(IN_MHA), json!(IN_NDMA), json!(false))
    );
    assert_eq!(r.header("etag"), Some("\"1\""));
    // The first spouse cannot confirm their own registration.
    with_if_match(
        &app,
        "post",
        &format!("{}/confirm", couple(IN_MHA)),
        &so,
        Some("\"1\""),
        &json!({}),
    )
    .await
    .assert_problem(409, "no_couple");
    // The spouse reads it on their own path and confirms the version read.
    let r = app.get(&couple(IN_NDMA), &aso).await;
    assert_eq!(
        (r.status.as_u16(), r.json["first"].clone()),
        (200, json!(IN_MHA)),
        "{}",
        r.json
    );
    let confirm = format!("{}/confirm", couple(IN_NDMA));
    with_if_match(&app, "post", &confirm, &aso, Some("\"0\""), &json!({}))
        .await
        .assert_problem(412, "stale_version");
    let r = with_if_match(&app, "post", &confirm, &aso, Some("\"1\""), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        (r.json["confirmed"].clone(), r.json["version"].clone()),
        (json!(true), json!(2))
    );
    // Scope: the couple is the officers', their ministry's nodal officer's and DoPT's.
    let other = app.token(Role::Employee, Some(IN_MOF));
    app.get(&couple(IN_MHA), &other)
        .await
        .assert_problem(404, "not_found");
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    app.get(&couple(IN_MHA), &mof)
        .await
        .assert_problem(404, "not_found");
    let mha = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(
        app.get(&couple(IN_NDMA), &mha).await.json["confirmed"],
        true
    );
    let r = app
        .get(
            &format!("/v1/audit?entity=rotation_couple&entity_id={id}/{IN_MHA}&limit=10"),
            &dopt,
        )
        .await;
    let actions: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    // One row per spouse's organisation: MHA and MHA-NDMA.
    assert_eq!(
        actions,
        vec!["confirm", "confirm", "propose", "propose"],
        "{}",
        r.json
    );

    // Run 1: MOF has no ASO post and DOS is at another station: apart, with the reasons.
    set_window(&app, id, -11, 10).await;
    let runs = format!("/v1/rotation/rounds/{id}/runs");
    let r = app.post_json(&runs, &dopt, &json!({})).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        r.json["inputs"]["couples"],
        json!([{"first": IN_MHA, "second": IN_NDMA, "second_station": null, "joint": joint, "mandatory": true}])
    );
    let result = &r.json["result"];
    let c = &result["couples"][0];
    assert_eq!(
        (c["together"].clone(), c["mandatory"].clone()),
        (json!(false), json!(true)),
        "{c}"
    );
    assert_eq!(
        c["reason"],
        "no pair on the couple's list had a post for each at one station \
         (MOF (Delhi) and DOS (Karnataka) are at different stations; \
         MOF and MOF at Delhi: no ASO post left in MOF); \
         each spouse was then placed by their own list"
    );
    assert_eq!(placed(result, IN_MHA), ("MOF".into(), "preference".into()));
    assert_eq!(placed(result, IN_NDMA), ("DOS".into(), "preference".into()));
    for code in [IN_MHA, IN_NDMA] {
        let why = line(result, code)["reasons"].to_string();
        assert!(
            why.contains("not posted with the spouse, though the OM makes it mandatory where posts are available (para 2)")
                && why.contains("no ASO post left in MOF"),
            "{code}: {why}"
        );
    }
    assert!(result["reasons"].to_string().contains("SPO-1"), "{result}");

    // A second ASO post in MOF: run 2 posts them together there.
    sanction(&app, "MOF", "\"1\"", &[("SO", 1), ("ASO", 1)]).await;
    let r = app.post_json(&runs, &dopt, &json!({})).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["replays"], true);
    let run = r.json["id"].as_i64().unwrap();
    let result = &r.json["result"];
    let c = &result["couples"][0];
    assert_eq!(
        (
            c["together"].clone(),
            c["station"].clone(),
            c["reason"].clone()
        ),
        (json!(true), json!("Delhi"), Value::Null),
        "{c}"
    );
    assert_eq!(placed(result, IN_MHA), ("MOF".into(), "with_spouse".into()));
    assert_eq!(
        placed(result, IN_NDMA),
        ("MOF".into(), "with_spouse".into())
    );

    // Approved: each spouse reads their result and why.
    let r = app
        .post_json(
            &format!("{runs}/{run}/approve"),
            &dopt,
            &json!({"order_ref": "DoPT Order No. 7/2/2026-CS.I(P)"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let mine = app
        .get(
            &format!("/v1/employees/{IN_NDMA}/rotation/rounds/{id}/result"),
            &aso,
        )
        .await;
    assert_eq!(
        mine.json["result"]["placement"], "with_spouse",
        "{}",
        mine.json
    );
    let why = mine.json["result"]["reasons"].to_string();
    assert!(
        why.contains("choice DOS: not taken, so as to be posted with the spouse")
            && why.contains("posted with the spouse at Delhi"),
        "{why}"
    );

    // The couple can no longer be changed once the window has closed.
    with_if_match(
        &app,
        "post",
        &format!("{}/withdraw", couple(IN_MHA)),
        &so,
        Some("\"2\""),
        &json!({}),
    )
    .await
    .assert_problem(409, "preference_window_closed");
}

#[actix_web::test]
async fn spo_1_a_couple_is_withdrawn_by_either_spouse_within_the_window() {
    let app = crate::common::spawn().await;
    ministries(&app).await;
    let id = announce(&app, &terms("CSS", &["SO", "ASO"], 5)).await;
    set_window(&app, id, 0, 10).await;
    let so = submitted(&app, IN_MHA).await;
    let aso = submitted(&app, IN_NDMA).await;
    let couple = |code: &str| format!("/v1/employees/{code}/rotation/rounds/{id}/couple");
    let withdraw = format!("{}/withdraw", couple(IN_NDMA));
    with_if_match(&app, "post", &withdraw, &aso, Some("\"1\""), &json!({}))
        .await
        .assert_problem(409, "no_couple");
    let reg = json!({"spouse": IN_NDMA, "joint": []});
    let r = with_if_match(&app, "put", &couple(IN_MHA), &so, Some("\"0\""), &reg).await;
    assert_eq!(r.status, 200, "{}", r.json);
    // The ASO cannot register the SO elsewhere meanwhile: already named.
    let r = with_if_match(
        &app,
        "put",
        &couple(IN_NDMA),
        &aso,
        Some("\"0\""),
        &json!({"spouse": IN_MHA, "joint": []}),
    )
    .await;
    r.assert_problem(412, "stale_version");
    let r = with_if_match(&app, "post", &withdraw, &aso, Some("\"1\""), &json!({})).await;
    assert_eq!(r.status, 204);
    app.get(&couple(IN_MHA), &so)
        .await
        .assert_problem(404, "not_found");
    // Registered again: a new couple, never the old one's version, so the
    // old ETag neither revalidates it nor withdraws it.
    let r = with_if_match(&app, "put", &couple(IN_MHA), &so, Some("\"0\""), &reg).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let tag = r.header("etag").unwrap().to_owned();
    assert_ne!(tag, "\"1\"");
    let r = with_if_match(&app, "post", &withdraw, &aso, Some("\"1\""), &json!({})).await;
    r.assert_problem(412, "stale_version");
    let r = with_if_match(&app, "post", &withdraw, &aso, Some(&tag), &json!({})).await;
    assert_eq!(r.status, 204);
}
