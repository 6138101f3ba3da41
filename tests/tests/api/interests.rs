//! AOI-1 through the API: the catalogue and its iGOT deep links, the
//! employee's ranked choice behind the profile gate, and the demand.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{spawn, spawn_with, submitted, Reply, TestApp, IN_MHA, IN_MOF, IN_NDMA};

async fn put(app: &TestApp, path: &str, token: &str, tag: &str, body: &Value) -> Reply {
    app.call(
        TestRequest::put()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("If-Match", tag.to_owned()))
            .set_json(body),
    )
    .await
}

/// Enters one node of the catalogue as DoPT.
pub async fn node(app: &TestApp, id: &str, parent: Option<&str>, level: &str, courses: &[&str]) {
    let body = json!({
        "parent_id": parent, "level": level, "kind": "behavioural",
        "name": format!("Node {id}"), "course_ids": courses
    });
    let r = put(
        app,
        &format!("/v1/interests/catalogue/{id}"),
        &app.dopt(),
        "\"0\"",
        &body,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

/// A small catalogue: one area, two themes, a sub-theme.
pub async fn catalogue(app: &TestApp) {
    node(app, "behavioural", None, "area", &["do_100"]).await;
    node(
        app,
        "behavioural.communication",
        Some("behavioural"),
        "theme",
        &["do_200"],
    )
    .await;
    node(
        app,
        "behavioural.communication.writing",
        Some("behavioural.communication"),
        "sub_theme",
        &["do_300", "do_200"],
    )
    .await;
    node(
        app,
        "behavioural.teamwork",
        Some("behavioural"),
        "theme",
        &["do_400"],
    )
    .await;
}

fn choice(ids: &[&str]) -> Value {
    json!({"items": ids.iter().map(|id| json!({"area_id": id, "note": "For my present desk"})).collect::<Vec<_>>()})
}

#[actix_web::test]
async fn the_catalogue_links_courses_under_the_configured_base() {
    let app = spawn_with(&[("CSCMS_IGOT_BASE_URL", "https://igot.example.gov.in/")]).await;
    catalogue(&app).await;
    let r = app
        .get(
            "/v1/interests/catalogue",
            &app.token(Role::Employee, Some(IN_MHA)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["id"], "behavioural");
    assert_eq!(
        items[0]["courses"][0]["url"],
        "https://igot.example.gov.in/app/toc/do_100/overview"
    );

    let dopt = app.dopt();
    let path = "/v1/interests/catalogue/behavioural.teamwork";
    // A theme must sit under an area of the same kind.
    let bad = json!({"parent_id": "behavioural.communication", "level": "theme", "kind": "domain",
                     "name": "Teamwork", "course_ids": ["do 1"]});
    let r = put(&app, path, &dopt, "\"1\"", &bad).await;
    r.assert_problem(422, "validation_failed");
    let fields = r.error_fields();
    assert_eq!(
        fields,
        ["body.course_ids[0]", "body.kind", "body.parent_id"]
    );
    // Changing needs the version read; creating over an existing node is stale.
    let good = json!({"parent_id": "behavioural", "level": "theme", "kind": "behavioural",
                      "name": "Working in teams", "course_ids": ["do_400", "do_401"]});
    put(&app, path, &dopt, "\"0\"", &good)
        .await
        .assert_problem(412, "stale_version");
    let r = put(&app, path, &dopt, "\"1\"", &good).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"2\""));
    // Only DoPT maintains it.
    for role in [
        (Role::Employee, Some(IN_MHA)),
        (Role::NodalOfficer, Some("MHA")),
    ] {
        put(&app, path, &app.token(role.0, role.1), "\"2\"", &good)
            .await
            .assert_problem(403, "forbidden");
    }
    let r = app
        .get(
            "/v1/audit?entity=competency_area&entity_id=behavioural.teamwork",
            &dopt,
        )
        .await;
    let actions: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "create"]);

    // An edit must leave the nodes below in place: the area made a
    // sub-theme under its own theme (a loop), or of another kind than its
    // branch, is refused; the catalogue still reads.
    let area = "/v1/interests/catalogue/behavioural";
    let looped = json!({"parent_id": "behavioural.communication", "level": "sub_theme",
                        "kind": "behavioural", "name": "Looped", "course_ids": []});
    let r = put(&app, area, &dopt, "\"1\"", &looped).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.level", "{}", r.json);
    let other_kind = json!({"level": "area", "kind": "functional", "name": "Behavioural",
                            "course_ids": []});
    let r = put(&app, area, &dopt, "\"1\"", &other_kind).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.kind", "{}", r.json);
    let r = app.get("/v1/interests/catalogue", &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);

    // iGOT, told of catalogue changes by the feed, reads the node named.
    let igot = app.token(Role::Integration, Some(scopes::INTERESTS_READ));
    let r = app.get(area, &igot).await;
    assert_eq!(
        (r.status.as_u16(), r.json["id"].as_str()),
        (200, Some("behavioural"))
    );
    app.get(
        area,
        &app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn a_branch_keeps_one_kind_when_its_area_and_a_new_theme_are_written_at_once() {
    let app = spawn().await;
    let dopt = app.dopt();
    let mut outcomes = Vec::new();
    for round in 0..10 {
        let area = format!("area{round}");
        node(&app, &area, None, "area", &[]).await;
        // The area turns functional while a behavioural theme is added
        // under it: whichever is written first, the other must be refused.
        let recast = json!({"level": "area", "kind": "functional", "name": "Recast",
                            "course_ids": []});
        let theme = json!({"parent_id": area, "level": "theme", "kind": "behavioural",
                           "name": "Theme", "course_ids": []});
        let area_path = format!("/v1/interests/catalogue/{area}");
        let theme_path = format!("/v1/interests/catalogue/{area}.theme");
        let (a, t) = futures_util::future::join(
            put(&app, &area_path, &dopt, "\"1\"", &recast),
            put(&app, &theme_path, &dopt, "\"0\"", &theme),
        )
        .await;
        let mut statuses = [a.status.as_u16(), t.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 422],
            "round {round}: {} / {}",
            a.json,
            t.json
        );
        outcomes.push(a.status.as_u16());
        // What stands is one kind from the area down.
        let tree = app.get("/v1/interests/catalogue", &dopt).await;
        assert_eq!(tree.status, 200, "{}", tree.json);
        let kind_of = |id: &str| {
            app.db({
                let id = id.to_owned();
                move |c| cscms_store::interests::area(c, &id)
            })
        };
        let (area_row, theme_row) = (
            kind_of(&area).await,
            kind_of(&format!("{area}.theme")).await,
        );
        if let (Some(a), Some(t)) = (area_row, theme_row) {
            assert_eq!(a.kind, t.kind, "round {round}");
        }
    }
    assert_eq!(outcomes.len(), 10);
}

#[actix_web::test]
async fn the_profile_gates_the_choice() {
    let app = spawn().await;
    catalogue(&app).await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let path = format!("/v1/employees/{IN_MHA}/interests");
    let r = put(
        &app,
        &path,
        &me,
        "\"0\"",
        &choice(&["behavioural.teamwork"]),
    )
    .await;
    r.assert_problem(409, "profile_not_submitted");
    assert!(r.json["detail"].as_str().unwrap().contains("PRF-1"));
    submitted(&app, IN_MHA).await;
    let r = put(
        &app,
        &path,
        &me,
        "\"0\"",
        &choice(&["behavioural.teamwork"]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

#[actix_web::test]
async fn an_employee_ranks_areas_and_is_sent_to_their_courses() {
    let app = spawn_with(&[("CSCMS_MAX_INTEREST_AREAS", "2")]).await;
    catalogue(&app).await;
    let me = submitted(&app, IN_MHA).await;
    let path = format!("/v1/employees/{IN_MHA}/interests");
    let r = app.get(&path, &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"0\""));
    assert_eq!(r.json["max_areas"], 2);

    // More than the configured maximum, unknown or repeated areas: 422.
    let r = put(
        &app,
        &path,
        &me,
        "\"0\"",
        &choice(&[
            "behavioural",
            "behavioural.teamwork",
            "behavioural.communication",
        ]),
    )
    .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.items");
    let r = put(
        &app,
        &path,
        &me,
        "\"0\"",
        &choice(&["behavioural.teamwork", "behavioural.teamwork"]),
    )
    .await;
    assert_eq!(
        r.json["errors"][0]["field"], "body.items[1].area_id",
        "{}",
        r.json
    );
    let r = put(&app, &path, &me, "\"0\"", &choice(&["nowhere"])).await;
    assert_eq!(
        r.json["errors"][0]["field"], "body.items[0].area_id",
        "{}",
        r.json
    );
    app.call(
        TestRequest::put()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {me}")))
            .set_json(choice(&["behavioural"])),
    )
    .await
    .assert_problem(428, "if_match_required");

    let r = put(
        &app,
        &path,
        &me,
        "\"0\"",
        &choice(&["behavioural.communication", "behavioural.teamwork"]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let tag = r.header("etag").unwrap().to_owned();
    assert!(tag.starts_with("\"1-c"), "{tag}");
    // DoPT renames an area the list names: the list's view and tag change
    // with it, its version does not.
    let renamed = json!({"parent_id": "behavioural", "level": "theme", "kind": "behavioural",
                         "name": "Written communication", "course_ids": ["do_200"]});
    let c = put(
        &app,
        "/v1/interests/catalogue/behavioural.communication",
        &app.dopt(),
        "\"1\"",
        &renamed,
    )
    .await;
    assert_eq!(c.status, 200, "{}", c.json);
    let again = app.get(&path, &me).await;
    assert_eq!(again.json["items"][0]["name"], "Written communication");
    assert_eq!(again.json["version"], 1);
    assert!(again.header("etag").unwrap().starts_with("\"1-c"));
    assert_ne!(again.header("etag"), Some(tag.as_str()));
    put(
        &app,
        "/v1/interests/catalogue/behavioural.communication",
        &app.dopt(),
        "\"2\"",
        &json!({"parent_id": "behavioural", "level": "theme", "kind": "behavioural",
                "name": "Node behavioural.communication", "course_ids": ["do_200"]}),
    )
    .await;
    let first = &r.json["items"][0];
    assert_eq!(first["rank"], 1);
    assert_eq!(
        first["path"],
        json!(["Node behavioural", "Node behavioural.communication"])
    );
    // The theme's courses and its sub-theme's, once each.
    let ids: Vec<&str> = first["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["do_200", "do_300"]);
    assert_eq!(
        first["courses"][1]["url"],
        "https://portal.igotkarmayogi.gov.in/app/toc/do_300/overview"
    );
    assert_eq!(r.json["items"][1]["area_id"], "behavioural.teamwork");

    // A stale version loses nothing; the audit has both sides.
    put(&app, &path, &me, "\"0\"", &choice(&["behavioural"]))
        .await
        .assert_problem(412, "stale_version");
    let r = put(
        &app,
        &path,
        &me,
        "\"1\"",
        &choice(&["behavioural.teamwork"]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .get(
            &format!("/v1/audit?entity=interests&entity_id={IN_MHA}"),
            &app.dopt(),
        )
        .await;
    let rows = r.json["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rows[0]["before"]["items"][0]["area_id"],
        "behavioural.communication"
    );
    assert_eq!(
        rows[0]["after"]["items"][0]["area_id"],
        "behavioural.teamwork"
    );

    // The nodal officer reads but does not choose; another employee sees nothing.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(app.get(&path, &nodal).await.status, 200);
    put(&app, &path, &nodal, "\"2\"", &choice(&["behavioural"]))
        .await
        .assert_problem(403, "forbidden");
    let other = app.token(Role::Employee, Some(IN_NDMA));
    app.get(&path, &other)
        .await
        .assert_problem(404, "not_found");
    // iGOT reads with interests:read; AVD does not.
    let igot = app.token(Role::Integration, Some(scopes::INTERESTS_READ));
    assert_eq!(app.get(&path, &igot).await.status, 200);
    app.get(&path, &app.token(Role::Avd, None))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn demand_by_area_grade_and_ministry() {
    let app = spawn().await;
    catalogue(&app).await;
    for (code, areas) in [
        (IN_MHA, vec!["behavioural.teamwork", "behavioural"]),
        (IN_NDMA, vec!["behavioural.teamwork"]),
        (IN_MOF, vec!["behavioural.teamwork"]),
    ] {
        let me = submitted(&app, code).await;
        let r = put(
            &app,
            &format!("/v1/employees/{code}/interests"),
            &me,
            "\"0\"",
            &choice(&areas),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
    }
    let r = app.get("/v1/interests/demand", &app.dopt()).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        r.json["by_area"][0],
        json!({"area_id": "behavioural.teamwork", "area_name": "Node behavioural.teamwork", "employees": 3})
    );
    assert_eq!(r.json["by_area"][1]["employees"], 1);
    let rows = r.json["rows"].as_array().unwrap();
    let cell = |grade: &str, ministry: &str| {
        rows.iter()
            .find(|x| {
                x["area_id"] == "behavioural.teamwork"
                    && x["grade"] == grade
                    && x["ministry_id"] == ministry
            })
            .map(|x| x["employees"].as_i64().unwrap())
    };
    // The NDMA officer counts with MHA, the ministry above it.
    assert_eq!(cell("SO", "MHA"), Some(1));
    assert_eq!(cell("ASO", "MHA"), Some(1));
    assert_eq!(cell("PA", "MOF"), Some(1));

    // The nodal officer of MHA sees MHA's demand only; iGOT all of it.
    let r = app
        .get(
            "/v1/interests/demand",
            &app.token(Role::NodalOfficer, Some("MHA")),
        )
        .await;
    assert_eq!(r.json["by_area"][0]["employees"], 2, "{}", r.json);
    assert!(r.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["ministry_id"] == "MHA"));
    let r = app
        .get(
            "/v1/interests/demand",
            &app.token(Role::Integration, Some(scopes::INTERESTS_READ)),
        )
        .await;
    assert_eq!(r.json["by_area"][0]["employees"], 3);
    for token in [
        app.token(Role::Employee, Some(IN_MHA)),
        app.token(Role::Avd, None),
        app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
    ] {
        app.get("/v1/interests/demand", &token)
            .await
            .assert_problem(403, "forbidden");
    }
}
