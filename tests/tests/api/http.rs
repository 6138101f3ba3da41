//! HTTP as RFC 9110/9111 and the Fetch standard say: HEAD, conditional
//! GET, cache directives, CORS, and how Swagger UI's assets are sent.

use actix_web::http::Method;
use actix_web::test::TestRequest;

use crate::common::{spawn, spawn_with, IN_MHA};

const SPA: &str = "https://portal.cscms.example.gov.in";

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

/// Every GET of the contract whose parameters the fixtures can fill.
fn get_paths() -> Vec<String> {
    let api = serde_json::to_value(cscms_api::openapi()).unwrap();
    let mut paths = Vec::new();
    for (path, item) in api["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let filled = path
            .replace("{code}", IN_MHA)
            .replace("/organisations/{id}", "/organisations/MHA");
        if !filled.contains('{') {
            paths.push(filled);
        }
    }
    paths
}

#[actix_web::test]
async fn head_answers_wherever_get_does_with_the_same_headers() {
    let app = spawn().await;
    let dopt = app.dopt();
    let paths = get_paths();
    let mut checked = 0;
    for path in &paths {
        let get = app
            .call(TestRequest::get().uri(path).insert_header(bearer(&dopt)))
            .await;
        let head = app
            .call(
                TestRequest::default()
                    .method(Method::HEAD)
                    .uri(path)
                    .insert_header(bearer(&dopt)),
            )
            .await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        if get.status == 404 {
            // A fixture value that names nothing here (e.g. a print code).
            continue;
        }
        for name in ["content-type", "cache-control", "etag", "link"] {
            assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
        }
        checked += 1;
    }
    // The employee, profile, organisation and list routes at least.
    assert!(checked >= 15, "only {checked} GET routes checked");
}

#[actix_web::test]
async fn a_repeated_get_with_if_none_match_is_304() {
    let app = spawn().await;
    let dopt = app.dopt();
    let mut checked = 0;
    for path in [
        format!("/v1/employees/{IN_MHA}"),
        format!("/v1/employees/{IN_MHA}/profile"),
        "/v1/organisations/MHA".to_owned(),
        "/v1/employees".to_owned(),
    ] {
        let first = app
            .call(TestRequest::get().uri(&path).insert_header(bearer(&dopt)))
            .await;
        assert_eq!(first.status, 200, "{path}: {}", first.json);
        let etag = first.header("etag").expect("an ETag").to_owned();
        let again = app
            .call(
                TestRequest::get()
                    .uri(&path)
                    .insert_header(bearer(&dopt))
                    .insert_header(("If-None-Match", etag.clone())),
            )
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.bytes.is_empty(), "{path}: a 304 has no body");
        assert_eq!(again.header("etag"), Some(etag.as_str()), "{path}");
        assert_eq!(
            again.header("cache-control"),
            first.header("cache-control"),
            "{path}"
        );
        let other = app
            .call(
                TestRequest::get()
                    .uri(&path)
                    .insert_header(bearer(&dopt))
                    .insert_header(("If-None-Match", "\"not-this-one\"")),
            )
            .await;
        assert_eq!(other.status, 200, "{path}");
        assert_eq!(other.bytes, first.bytes, "{path}");
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[actix_web::test]
async fn a_304_still_needs_a_caller_who_may_read() {
    let app = spawn().await;
    let dopt = app.dopt();
    let path = format!("/v1/employees/{IN_MHA}");
    let first = app
        .call(TestRequest::get().uri(&path).insert_header(bearer(&dopt)))
        .await;
    let etag = first.header("etag").unwrap().to_owned();
    let anonymous = app
        .call(
            TestRequest::get()
                .uri(&path)
                .insert_header(("If-None-Match", etag)),
        )
        .await;
    anonymous.assert_problem(401, "missing_token");
}

#[actix_web::test]
async fn personal_data_is_not_stored_and_shared_records_are_revalidated() {
    let app = spawn().await;
    let dopt = app.dopt();
    let personal = app
        .call(
            TestRequest::get()
                .uri(&format!("/v1/employees/{IN_MHA}"))
                .insert_header(bearer(&dopt)),
        )
        .await;
    assert_eq!(personal.header("cache-control"), Some("no-store"));
    let shared = app
        .call(
            TestRequest::get()
                .uri("/v1/organisations/MHA")
                .insert_header(bearer(&dopt)),
        )
        .await;
    assert_eq!(shared.header("cache-control"), Some("private, no-cache"));
    let problem = app
        .call(
            TestRequest::get()
                .uri("/v1/employees/CSS-999999")
                .insert_header(bearer(&dopt)),
        )
        .await;
    problem.assert_problem(404, "not_found");
    assert_eq!(problem.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn a_browser_on_a_configured_origin_passes_the_preflight() {
    let app = spawn_with(&[("CSCMS_CORS_ORIGINS", SPA)]).await;
    let preflight = app
        .call(
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/v1/employees")
                .insert_header(("Origin", SPA))
                .insert_header(("Access-Control-Request-Method", "PATCH"))
                .insert_header((
                    "Access-Control-Request-Headers",
                    "authorization, if-match, content-type",
                )),
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(SPA));
    assert_eq!(preflight.header("access-control-allow-credentials"), None);
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap()
        .to_ascii_uppercase();
    assert!(methods.contains("PATCH"), "{methods}");
    let headers = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in ["authorization", "if-match", "content-type"] {
        assert!(headers.contains(h), "{h} in {headers}");
    }

    let dopt = app.dopt();
    let actual = app
        .call(
            TestRequest::get()
                .uri(&format!("/v1/employees/{IN_MHA}"))
                .insert_header(("Origin", SPA))
                .insert_header(bearer(&dopt)),
        )
        .await;
    assert_eq!(actual.status, 200);
    assert_eq!(actual.header("access-control-allow-origin"), Some(SPA));
    let exposed = actual
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in ["etag", "location", "link", "x-request-id"] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }
    // A problem must be readable by the front end too.
    let problem = app
        .call(
            TestRequest::get()
                .uri("/v1/employees/CSS-999999")
                .insert_header(("Origin", SPA))
                .insert_header(bearer(&dopt)),
        )
        .await;
    problem.assert_problem(404, "not_found");
    assert_eq!(problem.header("access-control-allow-origin"), Some(SPA));
}

#[actix_web::test]
async fn other_origins_get_no_cors_grant() {
    for configured in [None, Some(SPA)] {
        let extra: Vec<(&str, &str)> = configured
            .map(|o| ("CSCMS_CORS_ORIGINS", o))
            .into_iter()
            .collect();
        let app = spawn_with(&extra).await;
        let preflight = app
            .call(
                TestRequest::default()
                    .method(Method::OPTIONS)
                    .uri("/v1/employees")
                    .insert_header(("Origin", "https://elsewhere.example.com"))
                    .insert_header(("Access-Control-Request-Method", "GET")),
            )
            .await;
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            None,
            "configured: {configured:?}"
        );
        let dopt = app.dopt();
        let actual = app
            .call(
                TestRequest::get()
                    .uri("/v1/me")
                    .insert_header(("Origin", "https://elsewhere.example.com"))
                    .insert_header(bearer(&dopt)),
            )
            .await;
        assert_eq!(actual.header("access-control-allow-origin"), None);
    }
}

#[test]
fn a_wildcard_origin_is_refused_at_start() {
    let mut vars = std::collections::HashMap::new();
    vars.insert("CSCMS_CORS_ORIGINS", "*");
    let errors = cscms_api::config::Settings::from_lookup(&|k| vars.get(k).map(|v| v.to_string()))
        .unwrap_err();
    assert!(
        errors.iter().any(|e| e.starts_with("CSCMS_CORS_ORIGINS")),
        "{errors:?}"
    );
}

#[actix_web::test]
async fn swagger_ui_assets_are_compressed_and_immutable_and_the_api_is_not_compressed() {
    let app = spawn().await;
    let asset = app
        .call(
            TestRequest::get()
                .uri("/docs/swagger-ui-bundle.js")
                .insert_header(("Accept-Encoding", "gzip")),
        )
        .await;
    assert_eq!(asset.status, 200);
    assert_eq!(asset.header("content-encoding"), Some("gzip"));
    assert!(asset.bytes.len() < 600_000, "{} bytes", asset.bytes.len());
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let dopt = app.dopt();
    let api = app
        .call(
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(("Accept-Encoding", "gzip"))
                .insert_header(bearer(&dopt)),
        )
        .await;
    assert_eq!(api.status, 200);
    assert_eq!(api.header("content-encoding"), None);
}

#[actix_web::test]
async fn a_traceparent_names_the_request_when_no_request_id_is_sent() {
    let app = spawn().await;
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let r = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))),
        )
        .await;
    assert_eq!(r.header("x-request-id"), Some(trace));
    // An explicit request id still wins.
    let r = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("X-Request-Id", "mine-1"))
                .insert_header(("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))),
        )
        .await;
    assert_eq!(r.header("x-request-id"), Some("mine-1"));
}

/// `If-Match: *` (RFC 9110 §13.1.1) on a write, with the caller's token.
fn write_any(method: Method, path: &str, token: &str, body: &serde_json::Value) -> TestRequest {
    let content_type = if method == Method::PATCH {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    TestRequest::default()
        .method(method)
        .uri(path)
        .insert_header(bearer(token))
        .insert_header(("If-Match", "*"))
        .insert_header(("Content-Type", content_type))
        .set_payload(body.to_string())
}

#[actix_web::test]
async fn if_match_star_matches_any_current_version() {
    let app = spawn().await;
    let dopt = app.dopt();
    let me = app.token(cscms_domain::principal::Role::Employee, Some(IN_MHA));
    let profile = format!("/v1/employees/{IN_MHA}/profile");
    let before = app
        .get(&profile, &me)
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    // An existing profile: the change is made against whatever version is current.
    let patch = serde_json::json!({"contact": {"mobile": "9876543210"}});
    let r = app
        .call(write_any(Method::PATCH, &profile, &me, &patch))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let after = r.header("etag").unwrap().to_owned();
    assert_ne!(after, before, "the change made a new version");
    assert_eq!(r.json["document"]["contact"]["mobile"], "9876543210");
    // Again: `*` is not a version, so the moved ETag does not stop it.
    let patch = serde_json::json!({"contact": {"mobile": "9876543211"}});
    let r = app
        .call(write_any(Method::PATCH, &profile, &me, &patch))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_ne!(r.header("etag"), Some(after.as_str()));
    // A named stale version still fails: `*` changed nothing else.
    let r = app.patch_json(&profile, &me, Some(&before), &patch).await;
    r.assert_problem(412, "stale_version");

    // No such employee: a change to an existing record answers as a read would.
    let r = app
        .call(write_any(
            Method::PATCH,
            "/v1/employees/CSS-999999/profile",
            &dopt,
            &patch,
        ))
        .await;
    r.assert_problem(404, "not_found");
    // Not signed in: refused as any request is, not treated as a precondition.
    let r = app
        .call(
            TestRequest::patch()
                .uri(&profile)
                .insert_header(("If-Match", "*"))
                .insert_header(("Content-Type", "application/merge-patch+json"))
                .set_payload(patch.to_string()),
        )
        .await;
    r.assert_problem(401, "missing_token");

    // A PUT that would create the record: `*` needs a current one, so 412,
    // and nothing is created.
    let node = "/v1/interests/catalogue/written-comms";
    let body = serde_json::json!({"parent_id": null, "level": "area", "kind": "behavioural",
        "name": "Written communication", "course_ids": ["do_100"]});
    let r = app.call(write_any(Method::PUT, node, &dopt, &body)).await;
    r.assert_problem(412, "stale_version");
    assert_eq!(
        app.get(node, &dopt).await.status,
        404,
        "nothing was created"
    );
    let r = app.put_json(node, &dopt, Some("\"0\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"1\""));
    // Once it exists, `*` replaces whatever version is current.
    let renamed = serde_json::json!({"parent_id": null, "level": "area", "kind": "behavioural",
        "name": "Written and spoken communication", "course_ids": ["do_100"]});
    let r = app
        .call(write_any(Method::PUT, node, &dopt, &renamed))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"2\""));
    let read = app.get(node, &dopt).await;
    assert_eq!(read.json["name"], "Written and spoken communication");
    assert_eq!(read.header("etag"), Some("\"2\""));
}

#[actix_web::test]
async fn if_match_star_on_a_step_names_the_record_it_acts_on() {
    let app = spawn().await;
    let dopt = app.dopt();
    let registered = crate::rti::register(&app, crate::workflow_support::today(), "cash").await;
    let id = registered["id"].as_i64().unwrap();
    let body = serde_json::json!({"replied_on": crate::workflow_support::today(),
        "summary": "Copies supplied on payment of Rs 20"});
    let r = app
        .call(write_any(
            Method::POST,
            &format!("/v1/rti/requests/{id}/reply"),
            &dopt,
            &body,
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("etag"), Some("\"2\""));
    let r = app
        .call(write_any(
            Method::POST,
            "/v1/rti/requests/999999/reply",
            &dopt,
            &body,
        ))
        .await;
    r.assert_problem(404, "not_found");
}

/// Every route that takes `If-Match` has a representation to match `*`
/// against: a GET at its own path (PUT, PATCH) or at the record a step acts
/// on (POST `/{record}/{step}`), answering with an `ETag`.
#[test]
fn every_if_match_route_has_a_read_with_an_etag() {
    let api = serde_json::to_value(cscms_api::openapi()).unwrap();
    let paths = api["paths"].as_object().unwrap();
    let mut checked = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let takes_if_match = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "header" && p["name"] == "If-Match");
            if !takes_if_match {
                continue;
            }
            let read = if method == "post" {
                path.rsplit_once('/').unwrap().0
            } else {
                path.as_str()
            };
            let get = &paths[read]["get"];
            assert!(
                get.is_object(),
                "{method} {path}: no GET {read} to resolve If-Match: *"
            );
            assert!(
                get["responses"]["200"]["headers"]["ETag"].is_object(),
                "{method} {path}: GET {read} declares no ETag"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} If-Match routes found");
}
