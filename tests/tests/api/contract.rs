//! The committed contract matches the code, and is served.

use actix_web::test::TestRequest;

use crate::common::spawn_with;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn committed_openapi_matches_the_code() {
    let generated = cscms_api::openapi().to_pretty_json().unwrap();
    assert!(
        generated.trim_end() == COMMITTED.trim_end(),
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    );
}

/// The contract cites orders a reader can find, never this repository's
/// copies of them ("seed 001", "not in the seeds").
#[test]
fn the_contract_names_orders_not_reference_files() {
    let lower = COMMITTED.to_lowercase();
    for said in ["seed 00", "the seeds", "seed)"] {
        assert!(!lower.contains(said), "the contract says {said:?}");
    }
}

#[test]
fn every_operation_documents_its_errors() {
    let api: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut open = 0;
    assert!(api["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(api["components"]["securitySchemes"]["bearer"].is_object());
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}");
            let secured = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            });
            if path == "/oauth2/token" {
                // OAuth clients read RFC 6749 §5.2 errors, not problem details.
                for status in ["400", "401"] {
                    let r = &responses[status]["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(r, "#/components/schemas/OAuthError", "{status} {path}");
                }
            } else if secured {
                let r401 =
                    &responses["401"]["content"]["application/problem+json"]["schema"]["$ref"];
                assert_eq!(r401, "#/components/schemas/Problem", "{method} {path}");
            } else {
                // Open to anyone: no token is checked, so no 401.
                assert!(
                    !responses.contains_key("401"),
                    "{method} {path} declares 401"
                );
                open += 1;
            }
        }
    }
    // Probes, the OAuth metadata and keys, print verification.
    assert!(open >= 5, "open operations checked: {open}");
}

#[test]
fn operation_ids_are_unique() {
    let api: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut seen = std::collections::HashSet::new();
    for item in api["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            assert!(seen.insert(id.to_owned()), "operationId {id} twice");
        }
    }
}

#[actix_web::test]
async fn contract_and_docs_are_served() {
    let app = spawn_with(&[("CSCMS_PUBLIC_URL", "https://cscms.dopt.example.in")]).await;
    let r = app.call(TestRequest::get().uri("/v1/openapi.json")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["info"]["title"], "CSCMS API");
    // The served document names the server serving it (CSCMS_PUBLIC_URL),
    // where the committed one names the local `make run` server.
    let url = "https://cscms.dopt.example.in";
    assert_eq!(
        r.json["servers"],
        serde_json::json!([{"url": url, "description": "This server"}])
    );
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(committed["servers"][0]["url"], "http://127.0.0.1:8080");
    let r = app.call(TestRequest::get().uri("/docs/")).await;
    assert_eq!(r.status, 200);
    assert!(String::from_utf8_lossy(&r.bytes).contains("swagger"));
}

/// Decisions embedded in views are typed, so a generated client sees their
/// fields (not `{}`).
#[test]
fn embedded_decisions_have_schemas() {
    let api: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = &api["components"]["schemas"];
    let mut checked = 0;
    for (schema, field) in [
        ("ApplicationView", "clearance"),
        ("ApplicationView", "eligibility"),
        ("AdvertisementView", "eligibility_check"),
        ("ForeignVisitView", "clearance"),
        ("StepView", "clearance"),
    ] {
        // A view that flattens another is an `allOf`: look in every part.
        let parts = std::iter::once(&schemas[schema])
            .chain(schemas[schema]["allOf"].as_array().into_iter().flatten());
        let text = parts
            .map(|p| &p["properties"][field])
            .find(|p| !p.is_null())
            .map(|p| p.to_string())
            .unwrap_or_default();
        assert!(
            text.contains("#/components/schemas/"),
            "{schema}.{field} is untyped: {text}"
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
    for name in [
        "ClearanceDecision",
        "DeputationEligibilityDecision",
        "MacpDecision",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
    assert!(schemas.get("Decision_MacpOutcome").is_none());
}

/// Every date a caller can send carries the accepted years as a pattern
/// (issue 13: four-digit years 1900–2100), in parameters and request bodies.
#[test]
fn input_dates_declare_their_range() {
    let api: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    // The pattern spells these bounds out; they move together.
    assert_eq!(
        (cscms_domain::text::MIN_YEAR, cscms_domain::text::MAX_YEAR),
        (1900, 2100)
    );
    let years = "^(19[0-9]{2}|20[0-9]{2}|2100)-";
    let (mut with, mut without) = (0, Vec::new());
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let format = p["schema"]["format"].as_str().unwrap_or("");
                if format == "date" || format == "date-time" {
                    match p["schema"]["pattern"].as_str() {
                        Some(pattern) if pattern.starts_with(years) => with += 1,
                        _ => without.push(format!("{method} {path} {}", p["name"])),
                    }
                }
            }
        }
    }
    // A body's dates: the MACP request is one of many.
    let macp = &api["components"]["schemas"]["MacpRequest"]["properties"];
    for field in ["as_of", "joined_entry_grade_on"] {
        assert!(
            macp[field]["pattern"].as_str().unwrap().starts_with(years),
            "{field}"
        );
    }
    assert!(without.is_empty(), "dates without the range: {without:?}");
    assert!(with >= 10, "only {with} date parameters found");
}

/// A printable record's JSON read declares one body (the print is asked for
/// with `Accept` and described), so generated clients read one type; a
/// print-only operation declares bytes.
#[test]
fn printable_reads_declare_one_body() {
    let api: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let (mut negotiated, mut prints) = (0, 0);
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let content = &op["responses"]["200"]["content"];
            let Some(content) = content.as_object() else {
                continue;
            };
            let description = op["responses"]["200"]["description"].as_str().unwrap_or("");
            if content.contains_key("application/json") {
                assert!(
                    !content.contains_key("application/pdf"),
                    "{method} {path}: a union of JSON and bytes"
                );
                negotiated += usize::from(description.contains("application/pdf"));
            } else if let Some(pdf) = content.get("application/pdf") {
                assert_eq!(
                    pdf["schema"],
                    serde_json::json!({"type": "string", "format": "binary"}),
                    "{method} {path}"
                );
                prints += 1;
            }
        }
    }
    assert!(
        negotiated >= 5,
        "printable records describing their print: {negotiated}"
    );
    assert!(prints >= 1, "print-only operations: {prints}");
}

/// A merge-patch body (RFC 7396) has a real schema a typed client can build:
/// the document's members, all optional, objects patched member by member,
/// and `null` accepted wherever the document may lack the member.
#[test]
fn merge_patch_bodies_are_typed_patches_of_their_documents() {
    use serde_json::Value;
    let api = serde_json::to_value(cscms_api::openapi()).unwrap();
    let schemas = &api["components"]["schemas"];
    let resolve = |r: &str| &schemas[r.trim_start_matches("#/components/schemas/")];
    let mut bodies = 0;
    let mut members = 0;
    for item in api["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(body) =
                op.pointer("/requestBody/content/application~1merge-patch+json/schema")
            else {
                continue;
            };
            bodies += 1;
            let patch_ref = body["$ref"].as_str().expect("a named patch schema");
            let doc_ref = patch_ref
                .strip_suffix("Patch")
                .expect("named after its document");
            let mut pending = vec![(doc_ref.to_owned(), patch_ref.to_owned())];
            while let Some((doc_ref, patch_ref)) = pending.pop() {
                let (doc, patch) = (resolve(&doc_ref), resolve(&patch_ref));
                assert!(
                    patch["required"].is_null(),
                    "{patch_ref}: members are optional"
                );
                let required: Vec<&Value> = doc["required"]
                    .as_array()
                    .map(|r| r.iter().collect())
                    .unwrap_or_default();
                let doc_props = doc["properties"].as_object().unwrap();
                let patch_props = patch["properties"].as_object().unwrap();
                assert_eq!(
                    doc_props.keys().collect::<Vec<_>>(),
                    patch_props.keys().collect::<Vec<_>>(),
                    "{patch_ref} has the members of {doc_ref}"
                );
                for (name, p) in patch_props {
                    members += 1;
                    let text = p.to_string();
                    let nullable = text.contains("\"null\"");
                    let may_lack = !required.contains(&&Value::String(name.clone()));
                    assert_eq!(nullable, may_lack, "{patch_ref}.{name}: {p}");
                    // Objects are patched in turn.
                    for r in text.split("\"$ref\":\"").skip(1) {
                        let r = r.split('"').next().unwrap();
                        if let Some(inner) = r.strip_suffix("Patch") {
                            pending.push((inner.to_owned(), r.to_owned()));
                        }
                    }
                }
            }
        }
    }
    assert!(bodies >= 1, "no merge-patch body in the contract");
    assert!(members >= 20, "only {members} members checked");
}
