//! PRF-3: an organisation's working strength — its validator, who validates
//! it, and who reads it.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{spawn, TestApp, IN_MHA};

const URL: &str = "/v1/organisations/MHA/working-strength";

/// A GET, with `If-None-Match` when given.
async fn read(app: &TestApp, token: &str, if_none_match: Option<&str>) -> crate::common::Reply {
    let mut req = TestRequest::get()
        .uri(URL)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(tag) = if_none_match {
        req = req.insert_header(("If-None-Match", tag.to_owned()));
    }
    app.call(req).await
}

/// (sanctioned, in position, vacancies) of CSS SO.
fn so(body: &Value) -> (Option<i64>, Option<i64>, Option<i64>) {
    let row = body["rows"]
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|r| r["cadre"] == "CSS" && r["grade"] == "SO")
        })
        .unwrap_or_else(|| panic!("no CSS SO row in {body}"));
    (
        row["sanctioned"].as_i64(),
        row["in_position"].as_i64(),
        row["vacancies"].as_i64(),
    )
}

fn etag(r: &crate::common::Reply) -> String {
    r.header("etag").expect("an ETag").to_owned()
}

/// An SO joins MHA (employees come from the service records imported).
async fn join_mha(app: &TestApp, code: &'static str) {
    app.db(move |c| {
        let row = crate::common::employee(code, "New Joinee", "CSS", "SO", "8", "MHA");
        let on = chrono::NaiveDate::from_ymd_opt(2012, 7, 1).unwrap();
        let ev = [crate::common::event(code, "appointment", on, "SO", "8")];
        cscms_store::employees::insert(c, &row, &ev)
    })
    .await;
}

#[actix_web::test]
async fn the_etag_changes_when_who_is_in_position_changes() {
    let app = spawn().await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let body =
        json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}], "validated": true});
    let r = app.put_json(URL, &nodal, Some("\"0\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let entered = etag(&r);

    let first = read(&app, &nodal, None).await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(
        etag(&first),
        entered,
        "the PUT answered the tag a GET gives"
    );
    assert_eq!(so(&first.json), (Some(4), Some(1), Some(3)));
    let unchanged = read(&app, &nodal, Some(&entered)).await;
    assert_eq!(unchanged.status, 304);

    // An SO joins: the sanctioned entries are as they were, the figures not.
    join_mha(&app, "CSS-000888").await;
    let r = read(&app, &nodal, Some(&entered)).await;
    assert_eq!(r.status, 200, "a stale copy must not be revalidated");
    assert_eq!(so(&r.json), (Some(4), Some(2), Some(2)));
    assert_eq!(r.json["version"], 1, "the entries' version is unchanged");
    let joined = etag(&r);
    assert_ne!(joined, entered);
    assert_eq!(read(&app, &nodal, Some(&joined)).await.status, 304);

    // One moves to another ministry (as a rotation run moves officers).
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            &format!("UPDATE employees SET org_id = 'MOF' WHERE code = '{IN_MHA}'"),
        )
    })
    .await;
    let r = read(&app, &nodal, Some(&joined)).await;
    assert_eq!(r.status, 200);
    assert_eq!(so(&r.json), (Some(4), Some(1), Some(3)));
    let moved = etag(&r);
    assert_ne!(moved, joined);

    // The nodal officer validates what they read: a read since overtaken by
    // a move is refused, to be read again; the current one succeeds.
    let update =
        json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 5}], "validated": true});
    app.put_json(URL, &nodal, Some(&joined), &update)
        .await
        .assert_problem(412, "stale_version");
    let r = app.put_json(URL, &nodal, Some(&moved), &update).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(so(&r.json), (Some(5), Some(1), Some(4)));
    let mine = etag(&r);
    assert_eq!(etag(&read(&app, &nodal, None).await), mine);

    // Another's change of the entries in between: the read is stale.
    let dopt = app.dopt();
    let entered = json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 6}]});
    let r = app.put_json(URL, &dopt, Some(&mine), &entered).await;
    assert_eq!(r.status, 200, "{}", r.json);
    app.put_json(URL, &nodal, Some(&mine), &update)
        .await
        .assert_problem(412, "stale_version");
    // The entries' version alone guards the entries alone.
    app.put_json(URL, &nodal, Some("\"2\""), &update)
        .await
        .assert_problem(412, "stale_version");
    let r = app.put_json(URL, &nodal, Some("\"3\""), &update).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["version"], 4);
    // `*` matches whatever is current.
    let r = app
        .call(
            TestRequest::put()
                .uri(URL)
                .insert_header(("Authorization", format!("Bearer {nodal}")))
                .insert_header(("If-Match", "*"))
                .set_json(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["version"], 5);
    // A tag of no form this representation gives cannot guard a write.
    app.put_json(URL, &nodal, Some("\"b0123456789abcdef\""), &body)
        .await
        .assert_problem(412, "stale_version");
}

#[actix_web::test]
async fn only_the_nodal_officer_validates_working_strength() {
    let app = spawn().await;
    let dopt = app.dopt();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let entries = json!([{"cadre": "CSS", "grade": "SO", "sanctioned": 4}]);

    // PRF-3: DoPT may enter the figures, not record them as validated.
    let validated = json!({"entries": entries, "validated": true});
    app.put_json(URL, &dopt, Some("\"0\""), &validated)
        .await
        .assert_problem(403, "forbidden");
    let r = read(&app, &dopt, None).await;
    assert_eq!(r.json["version"], 0, "nothing was entered: {}", r.json);
    let r = app
        .put_json(URL, &dopt, Some("\"0\""), &json!({"entries": entries}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_by"], Value::Null);
    assert_eq!(r.json["updated_by"], "dopt:x");

    // The ministry's nodal officer validates them, for the ministry and for
    // a body under it.
    let tag = etag(&r);
    let r = app.put_json(URL, &nodal, Some(&tag), &validated).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_by"], "nodal_officer:MHA");
    let body_url = "/v1/organisations/MHA-NDMA/working-strength";
    let r = app
        .put_json(body_url, &nodal, Some("\"0\""), &validated)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_by"], "nodal_officer:MHA");
    // A later change by DoPT awaits validation again.
    let tag = etag(&read(&app, &dopt, None).await);
    let r = app
        .put_json(URL, &dopt, Some(&tag), &json!({"entries": entries}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["validated_at"], Value::Null);
}

#[actix_web::test]
async fn working_strength_is_hidden_exactly_where_its_organisation_is() {
    let app = spawn().await;
    let body = json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}]});
    // (caller, organisation): its own organisation answers 200 and its
    // strength is refused — the organisation is not said to be absent.
    let refused = [
        (app.token(Role::Employee, Some(IN_MHA)), "MHA"),
        (app.token(Role::Employee, Some(IN_MHA)), "MOF"),
        (
            app.token(Role::SubNodalOfficer, Some("MHA-NDMA")),
            "MHA-NDMA",
        ),
        (app.token(Role::SubNodalOfficer, Some("MHA-NDMA")), "MHA"),
        (
            app.token(Role::Integration, Some(scopes::ORGANISATIONS_READ)),
            "MOF",
        ),
    ];
    for (token, org) in &refused {
        let path = format!("/v1/organisations/{org}");
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
        let ws = format!("{path}/working-strength");
        app.get(&ws, token).await.assert_problem(403, "forbidden");
        app.put_json(&ws, token, Some("\"0\""), &body)
            .await
            .assert_problem(403, "forbidden");
    }
    // Where the organisation is hidden, so is its strength.
    let hidden = [
        (app.token(Role::SubNodalOfficer, Some("MHA-NDMA")), "MOF"),
        (app.token(Role::NodalOfficer, Some("MOF")), "MHA"),
        (
            app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
            "MHA",
        ),
    ];
    for (token, org) in &hidden {
        let path = format!("/v1/organisations/{org}");
        app.get(&path, token).await.assert_problem(404, "not_found");
        let ws = format!("{path}/working-strength");
        app.get(&ws, token).await.assert_problem(404, "not_found");
        app.put_json(&ws, token, Some("\"0\""), &body)
            .await
            .assert_problem(404, "not_found");
    }
    // Those whose business it is read it.
    for token in [
        app.token(Role::NodalOfficer, Some("MHA")),
        app.token(Role::Avd, None),
        app.dopt(),
    ] {
        assert_eq!(app.get(URL, &token).await.status, 200);
    }
}

/// PRF-2 and PRF-3: a validation round sets the stipulated time for the
/// working strength as for the profiles; once its deadline passes with the
/// figures not validated they are taken as final, the ministry's nodal
/// officer answerable, until the nodal officer validates them.
#[actix_web::test]
async fn prf_3_working_strength_not_validated_by_a_rounds_deadline_is_taken_as_final() {
    let app = spawn().await;
    let dopt = app.dopt();
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let body = json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}]});
    let r = app.put_json(URL, &dopt, Some("\"0\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(r.json["deemed_final"].is_null(), "no round yet: {}", r.json);
    let deadline = chrono::Utc::now() + chrono::Duration::hours(1);
    let r = app
        .post_json(
            "/v1/validation-rounds",
            &dopt,
            &json!({"deadline": deadline.to_rfc3339(), "organisations": ["MHA"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let at = |url: &str, when: chrono::DateTime<chrono::Utc>| {
        format!("{url}?as_of={}", when.to_rfc3339().replace('+', "%2B"))
    };
    let before = deadline - chrono::Duration::minutes(5);
    let after = deadline + chrono::Duration::minutes(5);
    let r = app.get(&at(URL, before), &nodal).await;
    assert!(r.json["deemed_final"].is_null(), "{}", r.json);
    let open = etag(&r);

    // After the deadline: final, its round, PRF-3 and PRF-2, who answers.
    let r = app.get(&at(URL, after), &nodal).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let df = &r.json["deemed_final"];
    assert_eq!(df["round_id"], 1, "{}", r.json);
    assert_eq!(df["answerable"][0]["name"], "Ravi Shankar");
    let rules: Vec<_> = df["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].clone())
        .collect();
    assert_eq!(rules, [json!("PRF-3"), json!("PRF-2")]);
    // The view moved with no write: the tag carries the mark, and names
    // the figures still for a write.
    let final_tag = etag(&r);
    assert!(
        final_tag.starts_with(&open[..open.len() - 1]) && final_tag.contains("-final-"),
        "{final_tag} after {open}"
    );
    // A body under the ministry answers to its ministry's round, for
    // figures entered for it only.
    let ndma = "/v1/organisations/MHA-NDMA/working-strength";
    let r = app.get(&at(ndma, after), &nodal).await;
    assert!(
        r.json["deemed_final"].is_null(),
        "never entered: {}",
        r.json
    );
    let r = app.put_json(ndma, &nodal, Some("\"0\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app.get(&at(ndma, after), &nodal).await;
    assert_eq!(r.json["deemed_final"]["round_id"], 1, "{}", r.json);
    // Another ministry is outside the round.
    let r = app
        .get(&at("/v1/organisations/MOF/working-strength", after), &dopt)
        .await;
    assert!(r.json["deemed_final"].is_null(), "{}", r.json);

    // The deadline passed in fact; the nodal officer validates, naming the
    // tag read with its mark: no longer final.
    app.db(|c| {
        cscms_store::testing::execute(
            c,
            "UPDATE validation_rounds SET deadline = '2026-02-01 00:00:00'",
        )
    })
    .await;
    let r = read(&app, &nodal, None).await;
    assert_eq!(r.json["deemed_final"]["round_id"], 1, "{}", r.json);
    // A change since, without validating, does not undo it.
    let r = app.put_json(URL, &nodal, Some(&etag(&r)), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["deemed_final"]["round_id"], 1, "{}", r.json);
    let tag = etag(&r);
    // The mark guards nothing, the figures do: a marked tag read before an
    // SO joined is stale.
    join_mha(&app, "CSS-000889").await;
    let validated =
        json!({"entries": [{"cadre": "CSS", "grade": "SO", "sanctioned": 4}], "validated": true});
    app.put_json(URL, &nodal, Some(&tag), &validated)
        .await
        .assert_problem(412, "stale_version");
    let tag = etag(&read(&app, &nodal, None).await);
    assert!(tag.contains("-final-"), "{tag}");
    let r = app.put_json(URL, &nodal, Some(&tag), &validated).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(r.json["deemed_final"].is_null(), "{}", r.json);
    assert!(!etag(&r).contains("-final-"));
}
