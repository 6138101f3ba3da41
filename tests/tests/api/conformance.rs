//! Every answer the suite receives through `TestApp::call` is checked
//! against the contract (INT-1): its status is one the operation
//! documents, its content type one documented for that status, and a JSON
//! body validates against the documented schema. So the contract cannot
//! drift from what the handlers send while the suite exercises them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::http::Method;
use serde_json::Value;

use crate::common::Reply;

struct Contract {
    doc: Value,
    /// Path templates, split into segments (`None` for a parameter).
    routes: Vec<(String, Vec<Option<String>>)>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let doc = serde_json::to_value(cscms_api::openapi()).unwrap();
        let routes = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(|t| {
                let segments = t
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                    .collect();
                (t.clone(), segments)
            })
            .collect();
        Contract {
            doc,
            routes,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

impl Contract {
    /// The template of `path`: of those that match, the one with the most
    /// literal segments (`/foreign-visits/mine` before `/foreign-visits/{id}`).
    fn template(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .filter(|(_, t)| {
                t.len() == segments.len()
                    && t.iter()
                        .zip(&segments)
                        .all(|(t, s)| t.as_deref().is_none_or(|t| t == *s))
            })
            .max_by_key(|(_, t)| t.iter().filter(|s| s.is_some()).count())
            .map(|(name, _)| name.as_str())
    }

    /// A validator for the schema at `pointer`, its references resolved
    /// against the whole contract.
    fn validator(&self, pointer: &str) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap();
        if let Some(v) = cache.get(pointer) {
            return v.clone();
        }
        let mut schema = self.doc.pointer(pointer).unwrap().clone();
        let root = schema.as_object_mut().unwrap();
        root.insert("components".into(), self.doc["components"].clone());
        root.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        let v = Arc::new(
            jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("contract schema at {pointer}: {e}")),
        );
        cache.insert(pointer.to_owned(), v.clone());
        v
    }
}

/// One segment of a JSON pointer (RFC 6901).
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Routes outside the contract by design: Swagger UI, its files and the
/// contract itself.
fn outside(path: &str) -> bool {
    path.starts_with("/docs") || path == "/v1/openapi.json"
}

/// A media type without its parameters (`text/plain; version=0.0.4` → `text/plain`).
fn essence(media: &str) -> &str {
    media.split(';').next().unwrap_or(media).trim()
}

/// Panics where `reply` to `method path` is not what the contract says.
pub fn check(method: &Method, path: &str, reply: &Reply) {
    let c = contract();
    let Some(template) = c.template(path) else {
        // Unknown routes answer 404 route_not_found, checked by their own tests.
        assert!(
            outside(path) || reply.status.as_u16() == 404 || reply.status.as_u16() == 405,
            "{method} {path}: answered {} but is not in the contract",
            reply.status
        );
        return;
    };
    let m = method.as_str().to_ascii_lowercase();
    let op = &c.doc["paths"][template][&m];
    if op.is_null() {
        assert!(
            matches!(reply.status.as_u16(), 404 | 405) || m == "head" || m == "options",
            "{method} {template}: answered {} but the contract has no such operation",
            reply.status
        );
        return;
    }
    let status = reply.status.as_str();
    let documented = &op["responses"][status];
    assert!(
        !documented.is_null(),
        "{method} {template}: status {status} is not documented (body {})",
        reply.json
    );
    let Some(content_type) = reply.header("content-type").map(essence) else {
        return;
    };
    if content_type == "application/problem+json" {
        check_code(method, template, status, documented, reply);
    }
    // A printable record's print is described, not declared, so that
    // generated clients read one type (`openapi::binary_pdf`).
    let described = documented["description"]
        .as_str()
        .is_some_and(|d| d.contains(content_type));
    if content_type == "application/pdf" && described {
        return;
    }
    let declared = documented["content"].as_object().and_then(|c| {
        c.iter()
            .find(|(media, _)| essence(media) == content_type)
            .map(|(media, schema)| (media.clone(), schema))
    });
    let Some((declared, media)) = declared else {
        panic!(
            "{method} {template}: {status} as {content_type} is not documented (documented: {})",
            documented["content"]
        );
    };
    if media.get("schema").is_none() || !content_type.ends_with("json") {
        return;
    }
    let pointer = format!(
        "/paths/{}/{m}/responses/{status}/content/{}/schema",
        escape(template),
        escape(&declared)
    );
    let validator = c.validator(&pointer);
    let errors: Vec<String> = validator
        .iter_errors(&reply.json)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template}: {status} body does not match the contract: {errors:#?}\nbody: {}",
        reply.json
    );
}

/// The problem codes a description names (`like_this`).
fn named_codes(description: &str) -> Vec<&'static str> {
    cscms_api::error::ProblemCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| description.contains(&format!("`{code}`")))
        .collect()
}

/// Where the description of a status names the problem codes it answers
/// with, the code answered is one of them.
fn check_code(method: &Method, template: &str, status: &str, documented: &Value, reply: &Reply) {
    let named = named_codes(documented["description"].as_str().unwrap_or(""));
    let Some(code) = reply.json["code"].as_str() else {
        return;
    };
    assert!(
        named.is_empty() || named.contains(&code),
        "{method} {template}: {status} answered `{code}`, but the contract names only {named:?} for it"
    );
}
