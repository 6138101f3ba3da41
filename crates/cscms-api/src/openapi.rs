//! The contract, generated from the handlers' annotations. Error responses
//! every operation can give are added here once, so no handler forgets them.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Value};
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldError, Problem, PROBLEM_JSON};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CSCMS API",
        version = "1.0.0",
        description = "Central Secretariat Cadre Management Services of DoPT: the services of CSS, CSSS and CSCS employees, nodal officers, DoPT divisions and integrated portals. Errors are RFC 9457 problem details with a stable `code`. Every response carries `X-Request-Id`; every answer to an authenticated call under /v1, a 304 included, carries `RateLimit` and `RateLimit-Policy` (declared on the successes); the public documents (this contract, print verification) are never charged to a caller, and are limited per client address instead (policy `address`). Authenticate with a bearer JWT (e-Parichay in production).",
        contact(name = "CSCMS, Department of Personnel and Training", url = "https://dopt.gov.in"),
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "A local server (`make run`)")),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "identity", description = "The caller"),
        (name = "organisations", description = "Ministries, departments and the bodies under them"),
        (name = "employees", description = "Employee records and service history"),
        (name = "ipr", description = "Annual immovable property returns: filing, revisions, print, who has not filed (IPR-1)"),
        (name = "vigilance", description = "Vigilance status and the clearance every service asks for (VIG-1, VIG-2)"),
        (name = "profiles", description = "Profile lifecycle: update, submit, validation rounds, print (PRF-1..PRF-5)"),
        (name = "rules", description = "Rules engines (pay, MACP/ACP, NFS, empanelment, rotation, spouse posting): decisions with rule ids, orders and as-of dates; the stateless ones are open to any authenticated caller and store nothing"),
        (name = "foreign visits", description = "Clearance of private foreign visits (FV-1), with the vigilance clearance (VIG-1)"),
        (name = "spouse posting", description = "Posting of husband and wife at the same station (SPO-1, DoPT OM 28034/9/2009-Estt.(A)): the employee's request classified by the case of para 4, the decision with specific reasons (para 5), and the representation to the authority one level above (para 6)"),
        (name = "deputation", description = "Advertisements, applications, cadre clearance and DoPT approval (DEP-1, DEP-2)"),
        (name = "surplus", description = "Surplus Cell NOC/NAC requisitions (SUR-1): the revised proforma of DoPT OM 1/1/2017-R&R and DC of 03.04.2019, its route through the cadre controlling authority to DoPT, nominations and the 3-month appointment clock"),
        (name = "audit", description = "The append-only audit trail (PRF-4)"),
        (name = "changes", description = "The change feed (INT-1, INT-2): every change the caller may read, once each, in one order for every reader (by writing transaction, then id: on PostgreSQL a transaction's place is where it began writing, so changes of two transactions to one record can come in the other order from their commits; the version tells), with no gaps across instances (a change appears once every transaction begun before it has ended: a long transaction delays the feed, never loses a change); thin events with a link to the record; kept for the retention window (CSCMS_CHANGE_RETENTION_DAYS, default 30), after which an old cursor is 410"),
        (name = "apars", description = "APAR records (CSS-2): SPARROW's import, DoPT's entries and corrections; an employee sees their own"),
        (name = "empanelment", description = "Central Staffing Scheme JS-level empanelment (CSS-1..CSS-10): batches, proposals, runs, reviews due. DoPT; integration clients with empanelment:read / empanelment:write"),
        (name = "interests", description = "Areas of interest (AOI-1): the competency catalogue linked to iGOT courses, employees' ranked choices, training demand; iGOT reads with interests:read"),
        (name = "delpge", description = "Distance & E-Learning reimbursement (TRN-1, DELPGE): programmes, enrolment (50 seats, first come first served), claims decided by the unit engine, nodal approval, the ledger of units"),
        (name = "ex-gratia", description = "Ex-gratia lump sum cases of deaths in service (EXG-1): DoPT's register, each with the decision on the ceiling"),
        (name = "rti", description = "The cadre division's register of RTI requests (RTI-1): fee modes, reply deadlines, overdue requests"),
        (name = "clients", description = "The register of integration clients (INT-1, INT-2): DoPT registers, suspends, resumes, re-keys and deletes them"),
        (name = "webhooks", description = "Webhook subscriptions of integration clients (INT-1, INT-2; Standard Webhooks 1.0): signed pushes of the feed's change events, from a queue written in the change's own transaction (nothing committed is lost if an instance dies); at least once, in order per entity, each delivery attempted by one instance at a time; retries on the Standard Webhooks schedule with jitter, 410 disables, 429/503 honour Retry-After, no redirects followed, 15 s timeout; after the last retry the subscription is disabled; URLs resolving to loopback, private, link-local or metadata addresses are refused, at subscription and at every delivery. DoPT manages them"),
        (name = "oauth", description = "OAuth 2.0 for integration clients: the client credentials grant (RFC 6749 §4.4) with private_key_jwt (RFC 7523) or client_secret_basic, RFC 9068 access tokens, metadata (RFC 8414) and the service's public keys"),
        (name = "prints", description = "Verification of printed documents by the code they carry (PRF-5)"),
        (name = "rotation", description = "Rotation transfer (ROT-1, ROT-2): the ministry groups DoPT keeps, rounds DoPT announces with their dates, and the officers' ranked preferences"),
        (name = "operations", description = "Health, readiness and Prometheus metrics"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, api: &mut OpenApiDoc) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(bearer_description()))
                    .build(),
            ),
        );
    }
}

/// The bearer scheme's text: where tokens come from, and every integration
/// scope with what it grants (one list, `scopes::ALL`).
fn bearer_description() -> String {
    let mut text = String::from(
        "A JWT from e-Parichay (production) or `cscms token` (local); \
         integration clients obtain theirs at `POST /oauth2/token` (client credentials). \
         Integration clients carry scopes, each reading or writing one family of records:",
    );
    for (scope, meaning) in cscms_domain::principal::scopes::ALL {
        text.push_str(&format!("\n- `{scope}`: {meaning}"));
    }
    text
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn add(op: &mut Operation, status: &str, description: &str) {
    let responses = &mut op.responses.responses;
    if !responses.contains_key(status) {
        responses.insert(status.to_owned(), problem(description).into());
    }
}

/// As [`add`], but a status the operation already answers with for other
/// reasons says this one too, so neither reason is lost.
fn add_or_extend(op: &mut Operation, status: &str, description: &str) {
    use utoipa::openapi::RefOr;
    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            if !response.description.contains(description) {
                response.description = format!(
                    "{}; or: {description}",
                    response.description.trim_end_matches('.')
                );
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => add(op, status, description),
    }
}

fn operation_id(verb: &str, path: &str) -> String {
    let slug: String = path
        .trim_start_matches("/v1")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if slug.is_empty() {
        verb.to_owned()
    } else {
        format!("{verb}_{slug}")
    }
}

/// Probes answer without a token: load balancers hold none.
const OPEN_PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// Adds the error responses that follow from an operation's shape.
pub fn add_error_responses(api: &mut OpenApiDoc) {
    for (path, item) in api.paths.paths.iter_mut() {
        let has_path_params = path.contains('{');
        let ops = [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("put", item.put.as_mut()),
            ("patch", item.patch.as_mut()),
            ("delete", item.delete.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            // Handler names repeat across modules (`list`, `get`): derive a
            // unique, stable operation id from the method and the path.
            op.operation_id = Some(operation_id(method, path));
            if OPEN_PATHS.contains(&path.as_str()) {
                op.security = Some(Vec::new());
            }
            // `security: [{}]` (anyone, token or not) is not secured: such an
            // operation never answers 401 nor counts against a caller's quota.
            let secured = op.security.as_ref().is_some_and(|s| {
                s.iter().any(|r| {
                    serde_json::to_value(r)
                        .is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                })
            });
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if secured {
                add(
                    op,
                    "401",
                    "Missing, expired or invalid bearer token (`WWW-Authenticate` says why)",
                );
            }
            if has_path_params {
                add(op, "404", "No such record, or outside the caller's scope");
            }
            if secured && path.starts_with("/v1/") {
                rate_limited(op);
            }
            if has_params || op.request_body.is_some() {
                add(
                    op,
                    "400",
                    "The request could not be read: bad parameter, malformed JSON or unknown field",
                );
            }
            // The token endpoint reads a form and answers RFC 6749 errors.
            let oauth = path.starts_with("/oauth2/");
            if op.request_body.is_some() && oauth {
                add(op, "413", "The body exceeds the configured limit");
            } else if op.request_body.is_some() {
                add(op, "413", "The body exceeds the configured limit");
                add(op, "415", "The body is not JSON");
                add(
                    op,
                    "422",
                    "Values break the rules (`validation_failed`); `errors` lists every bad field",
                );
                name_validation_failed(op);
            }
            if path != "/healthz" {
                add(op, "503", "The database does not answer");
            }
            add(
                op,
                "500",
                "A fault on the server; the body says nothing of its cause",
            );
            // Last, so that its 409 and 422 join the operation's own.
            if matches!(method, "post" | "put" | "patch") && path.starts_with("/v1/") {
                idempotency_key(op, path);
            }
        }
    }
}

/// A body's values are checked on every operation that takes one, so an
/// operation's own account of its 422 names the code of that refusal too.
fn name_validation_failed(op: &mut Operation) {
    use utoipa::openapi::RefOr;
    if let Some(RefOr::T(response)) = op.responses.responses.get_mut("422") {
        if !response.description.contains("`validation_failed`") {
            let own = response.description.trim();
            let mut chars = own.chars();
            let own = match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
                None => String::new(),
            };
            response.description = format!("Values break the rules (`validation_failed`): {own}");
        }
    }
}

/// The 429 of the rate limiter (`crate::ratelimit`), with its headers.
fn rate_limited(op: &mut Operation) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let responses = &mut op.responses.responses;
    if responses.contains_key("429") {
        return;
    }
    let text = |d: &str| {
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(d))
            .build()
    };
    let response = ResponseBuilder::new()
        .description(
            "The caller's quota is spent (`rate_limited`). Every response under /v1 carries \
             `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-11); \
             quotas per person, integration client and bulk importer are configuration \
             (`CSCMS_RATE_LIMIT_*`).",
        )
        .content(
            PROBLEM_JSON,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait"))
                .build(),
        )
        .header(
            "RateLimit",
            text("`\"<policy>\";r=<remaining>;t=<seconds to reset>`"),
        )
        .header(
            "RateLimit-Policy",
            text("`\"<policy>\";q=<quota>;w=<window seconds>`"),
        )
        .build();
    responses.insert("429".to_owned(), response.into());
}

/// Every POST, PUT and PATCH takes `Idempotency-Key` (one middleware,
/// `crate::idempotency`); a bulk import requires it of integration clients.
fn idempotency_key(op: &mut Operation, path: &str) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::Required;
    let required = crate::idempotency::REQUIRED_FOR_CLIENTS
        .iter()
        .any(|(p, _)| *p == path);
    let description = format!(
        "draft-ietf-httpapi-idempotency-key-header-07: a key of the caller's choosing \
         (e.g. a UUID, as an sf-string). A retry with the same key and the same request \
         replays the first response byte for byte (`Idempotent-Replayed: true`); while the \
         first is running it is 409 `idempotency_key_in_use`; with a different request 422 \
         `idempotency_key_reused`. Successful responses are kept, and so is a 5xx once the \
         request's write has acted; a refusal (4xx) or an earlier fault gives the key up. \
         Keys expire after `CSCMS_IDEMPOTENCY_TTL_SECS` (24 hours by default), except one \
         whose first request acted and was interrupted before its answer was kept: that key \
         stays held, and once no request could still be running it (10 minutes after it \
         began) a retry is 409 `idempotency_outcome_unknown`.{}",
        if required {
            " Required of integration clients here (400 `idempotency_key_required`)."
        } else {
            ""
        }
    );
    let param = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(257))
                .examples(["\"8e03978e-40d5-43e8-bc93-6894a57f9324\""]),
        ))
        .build();
    op.parameters
        .get_or_insert_with(Vec::new)
        .push(param.into());
    add_or_extend(
        op,
        "409",
        "A request with the same Idempotency-Key is still being processed \
         (`idempotency_key_in_use`), or was interrupted after it acted, before its answer was \
         kept (`idempotency_outcome_unknown`)",
    );
    add_or_extend(
        op,
        "422",
        "The Idempotency-Key was used with a different request (`idempotency_key_reused`)",
    );
}

/// Settles what the derive cannot express: readable names for generic
/// instances (`Decision_MacpOutcome` reads `MacpDecision`), PDF bodies as
/// bytes rather than an array of integers, and no schema left unreferenced.
pub fn tidy(api: OpenApiDoc) -> Result<OpenApiDoc, serde_json::Error> {
    let mut doc = serde_json::to_value(&api)?;
    rename_generic_schemas(&mut doc);
    binary_pdf(&mut doc);
    declare_headers(&mut doc);
    merge_patch_bodies(&mut doc);
    free_form_objects(&mut doc);
    open_flattened_members(&mut doc);
    drop_unused_schemas(&mut doc);
    input_date_range(&mut doc);
    serde_json::from_value(doc)
}

const SCHEMA_REF: &str = "#/components/schemas/";

/// Names that the rule below would give to another schema already.
const RENAMED: [(&str, &str); 1] = [(
    "Decision_EligibilityOutcome",
    "DeputationEligibilityDecision",
)];

/// `Decision_MacpOutcome` → `MacpDecision`, `Decision_Fixation` → `FixationDecision`.
fn readable_name(name: &str) -> Option<String> {
    if let Some((_, new)) = RENAMED.iter().find(|(old, _)| *old == name) {
        return Some((*new).to_owned());
    }
    let inner = name.strip_prefix("Decision_")?;
    Some(format!(
        "{}Decision",
        inner.strip_suffix("Outcome").unwrap_or(inner)
    ))
}

fn rename_generic_schemas(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    // A name already taken keeps the generic name rather than replace a schema.
    let renames: Vec<(String, String)> = schemas
        .keys()
        .filter_map(|k| readable_name(k).map(|n| (k.clone(), n)))
        .filter(|(_, new)| !schemas.contains_key(new))
        .collect();
    for (old, new) in &renames {
        if let Some(schema) = schemas.remove(old) {
            schemas.insert(new.clone(), schema);
        }
    }
    let refs: Vec<(String, String)> = renames
        .into_iter()
        .map(|(old, new)| (format!("{SCHEMA_REF}{old}"), format!("{SCHEMA_REF}{new}")))
        .collect();
    visit_refs(doc, &mut |r| {
        if let Some((_, new)) = refs.iter().find(|(old, _)| old == r) {
            *r = new.clone();
        }
    });
}

const PRINT_BY_ACCEPT: &str = ". With `Accept: application/pdf` the same URL answers the record's print (`application/pdf`, bytes), with `Vary: Accept`";

fn binary_pdf(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for op in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in op.values_mut() {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for response in responses.values_mut() {
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                // A record that is also printable answers JSON unless asked
                // for `application/pdf`: its contract declares the JSON and
                // describes the print, so a generated client reads one type,
                // not a union of JSON and bytes.
                if content.contains_key("application/json")
                    && content.remove("application/pdf").is_some()
                {
                    if let Some(Value::String(d)) = response.get_mut("description") {
                        if !d.contains("application/pdf") {
                            d.push_str(PRINT_BY_ACCEPT);
                        }
                    }
                } else if let Some(pdf) = content.get_mut("application/pdf") {
                    pdf["schema"] = json!({"type": "string", "format": "binary"});
                }
            }
        }
    }
}

/// An object without declared members (an audit entry's changed values, a
/// JWK Set) says it is free-form: typed clients then read a map of any
/// values, where a bare `"type": "object"` reads as an empty record.
fn free_form_objects(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let object = match map.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                _ => false,
            };
            let open = [
                "properties",
                "additionalProperties",
                "$ref",
                "allOf",
                "oneOf",
                "anyOf",
            ]
            .iter()
            .all(|k| !map.contains_key(*k));
            if object && open {
                map.insert("additionalProperties".into(), Value::Bool(true));
            }
            map.values_mut().for_each(free_form_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(free_form_objects),
        _ => {}
    }
}

/// A closed schema (`additionalProperties: false`, from a request type
/// that denies unknown fields) flattened into a response view is one member
/// of its `allOf`, and would refuse the view's own members there: in an
/// `allOf` it stands open, as a copy, so the view validates.
fn open_flattened_members(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let closed: HashMap<String, Value> = schemas
        .iter()
        .filter(|(_, s)| s.get("additionalProperties") == Some(&Value::Bool(false)))
        .map(|(name, s)| {
            let mut open = s.clone();
            if let Some(o) = open.as_object_mut() {
                o.remove("additionalProperties");
            }
            (format!("{SCHEMA_REF}{name}"), open)
        })
        .collect();
    fn visit(v: &mut Value, closed: &HashMap<String, Value>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(members)) = map.get_mut("allOf") {
                    for m in members.iter_mut() {
                        let open = m
                            .get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| closed.get(r));
                        if let Some(open) = open {
                            *m = open.clone();
                        }
                    }
                }
                map.values_mut().for_each(|x| visit(x, closed));
            }
            Value::Array(items) => items.iter_mut().for_each(|x| visit(x, closed)),
            _ => {}
        }
    }
    visit(doc, &closed);
}

/// A `application/merge-patch+json` body declared as a document schema `X`
/// is a patch of it (RFC 7396), not the document: it becomes `XPatch`, made
/// here from `X` so the two cannot drift. Every member is optional; a member
/// the document may lack is nullable (null removes it); objects are patched
/// member by member (`YPatch`), arrays and scalars replaced whole.
fn merge_patch_bodies(doc: &mut Value) {
    let mut wanted = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut() {
                let Some(schema) =
                    op.pointer_mut("/requestBody/content/application~1merge-patch+json/schema")
                else {
                    continue;
                };
                let Some(name) = schema["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix(SCHEMA_REF))
                else {
                    continue;
                };
                wanted.push(name.to_owned());
                *schema = json!({"$ref": format!("{SCHEMA_REF}{name}Patch")});
            }
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut made = BTreeSet::new();
    while let Some(name) = wanted.pop() {
        if !made.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            let patch = patch_of(&name, schema, schemas, &mut wanted);
            schemas.insert(format!("{name}Patch"), patch);
        }
    }
}

/// The patch schema of one object schema; names the object schemas its
/// members refer to in `wanted`, for their own patch schemas.
fn patch_of(
    name: &str,
    schema: &Value,
    schemas: &serde_json::Map<String, Value>,
    wanted: &mut Vec<String>,
) -> Value {
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let is_object = |r: &str| {
        r.strip_prefix(SCHEMA_REF)
            .and_then(|n| schemas.get(n))
            .is_some_and(|s| s.get("properties").is_some())
    };
    let mut patch = schema.clone();
    if let Some(p) = patch.as_object_mut() {
        p.remove("required");
        p.insert(
            "description".into(),
            json!(format!(
                "A JSON merge patch (RFC 7396) of `{name}`: send only the members to change. \
                 Objects are patched member by member; arrays and values are replaced whole; \
                 `null` removes a member the document may lack."
            )),
        );
    }
    let Some(properties) = patch.get_mut("properties").and_then(Value::as_object_mut) else {
        return patch;
    };
    for (member, prop) in properties.iter_mut() {
        let refs: Vec<&mut Value> = match prop.get_mut("oneOf").and_then(Value::as_array_mut) {
            Some(alternatives) => alternatives.iter_mut().collect(),
            None => vec![prop],
        };
        let mut nullable = false;
        for r in refs {
            if r.get("type") == Some(&json!("null")) {
                nullable = true;
            }
            let target = r["$ref"].as_str().map(str::to_owned);
            if let Some(target) = target.filter(|t| is_object(t)) {
                let inner = target.trim_start_matches(SCHEMA_REF).to_owned();
                r["$ref"] = json!(format!("{target}Patch"));
                wanted.push(inner);
            }
        }
        if required.contains(member.as_str()) || nullable {
            continue;
        }
        match prop.get_mut("type") {
            Some(Value::String(t)) => {
                let t = t.clone();
                prop["type"] = json!([t, "null"]);
            }
            Some(Value::Array(types)) => {
                if !types.contains(&json!("null")) {
                    types.push(json!("null"));
                }
            }
            _ => {
                let mut one = prop.clone();
                let description = one.as_object_mut().and_then(|o| o.remove("description"));
                let mut nullable = json!({"oneOf": [one, {"type": "null"}]});
                if let Some(d) = description {
                    nullable["description"] = d;
                }
                *prop = nullable;
            }
        }
    }
    patch
}

const HEADER_REF: &str = "#/components/headers/";

/// The headers middleware sends on every response of a kind, declared once
/// in `components.headers` and referenced where they are sent: `X-Request-Id`
/// everywhere (`crate::request_id`); `ETag` on every JSON `GET` under `/v1`
/// (`crate::http_cache`); the rate-limit headers on every answer to an
/// authenticated call under `/v1`, and to a public document's read
/// (`crate::ratelimit`), its 304 included; `WWW-Authenticate`
/// on every 401. The contract's description says the same of every response.
fn declare_headers(doc: &mut Value) {
    let string =
        |description: &str| json!({"description": description, "schema": {"type": "string"}});
    let headers = json!({
        "X-Request-Id": string("The request's id: the caller's `X-Request-Id` when well formed, else the trace id of a valid W3C `traceparent`, else a fresh UUID. Also in problem bodies and the server log."),
        "ETag": string("The representation's version: a record's version number where it has one (send it back in `If-Match`), otherwise a strong tag of the body (send it in `If-None-Match` for a 304)."),
        "RateLimit": string("`\"<policy>\";r=<remaining>;t=<seconds to reset>` (draft-ietf-httpapi-ratelimit-headers-11)"),
        "RateLimit-Policy": string("`\"<policy>\";q=<quota>;w=<window seconds>` (draft-ietf-httpapi-ratelimit-headers-11)"),
        "WWW-Authenticate": string("`Bearer` with `error` and `error_description` (RFC 6750 §3) saying why the token was refused"),
    });
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.insert("headers".into(), headers);
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let reference = |name: &str| json!({"$ref": format!("{HEADER_REF}{name}")});
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let secured = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
            });
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            // `http_cache`: a GET whose `If-None-Match` names the JSON
            // representation's `ETag` is answered 304 (RFC 9110 §15.4.5).
            let tagged = method == "get"
                && path.starts_with("/v1/")
                && responses
                    .get("200")
                    .and_then(|r| r.pointer("/content/application~1json"))
                    .is_some();
            // Counted by the limiter: an authenticated call, or a public
            // document (per address).
            let limited =
                path.starts_with("/v1/") && (secured || crate::ratelimit::is_public(path));
            if tagged {
                responses.entry("304").or_insert_with(|| {
                    let mut headers = json!({"ETag": reference("ETag"), "X-Request-Id": reference("X-Request-Id")});
                    if limited {
                        headers["RateLimit"] = reference("RateLimit");
                        headers["RateLimit-Policy"] = reference("RateLimit-Policy");
                    }
                    json!({
                        "description": "Not modified: `If-None-Match` named the current `ETag`; no body",
                        "headers": headers,
                    })
                });
            }
            for (status, response) in responses.iter_mut() {
                let json_body = response.pointer("/content/application~1json").is_some();
                let Some(response) = response.as_object_mut() else {
                    continue;
                };
                let declared = response.entry("headers").or_insert_with(|| json!({}));
                let Some(declared) = declared.as_object_mut() else {
                    continue;
                };
                let mut add = |name: &str| {
                    declared.entry(name).or_insert_with(|| reference(name));
                };
                // Problems carry the id in their body too, and the 429 its
                // own rate-limit headers: declared on successes only, to keep
                // the contract readable.
                let success = status.starts_with('2');
                if success {
                    add("X-Request-Id");
                }
                if method == "get" && status == "200" && json_body && path.starts_with("/v1/") {
                    add("ETag");
                }
                if success && limited {
                    add("RateLimit");
                    add("RateLimit-Policy");
                }
                if status == "401" {
                    add("WWW-Authenticate");
                }
            }
        }
    }
}

/// Input dates and timestamps: four-digit years from `MIN_YEAR` to
/// `MAX_YEAR` (issue 13, domain `text`), so strict clients refuse what the
/// server would refuse. Months and days are in range too, so generators that
/// draw from the pattern rarely miss the `date` format.
const INPUT_DATE: &str = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";

/// Every date a caller sends — query and path parameters, and the request
/// bodies' schemas (with the schemas they reach) — carries [`INPUT_DATE`].
fn input_date_range(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut pending = Vec::new();
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            if let Some(parameters) = op.get_mut("parameters") {
                date_patterns(parameters);
            }
            if let Some(body) = op.get_mut("requestBody") {
                visit_refs(body, &mut |r| pending.push(r.clone()));
                date_patterns(body);
            }
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut done = BTreeSet::new();
    while let Some(r) = pending.pop() {
        let Some(name) = r.strip_prefix(SCHEMA_REF) else {
            continue;
        };
        if !done.insert(name.to_owned()) {
            continue;
        }
        if let Some(schema) = schemas.get_mut(name) {
            visit_refs(schema, &mut |r| pending.push(r.clone()));
            date_patterns(schema);
        }
    }
}

fn date_patterns(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let pattern = match map.get("format").and_then(Value::as_str) {
                Some("date") => Some(format!("{INPUT_DATE}$")),
                Some("date-time") => Some(format!("{INPUT_DATE}T")),
                _ => None,
            };
            if let Some(pattern) = pattern {
                map.insert("pattern".into(), Value::String(pattern));
            }
            map.values_mut().for_each(date_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(date_patterns),
        _ => {}
    }
}

/// Schemas reachable from the paths (and from each other) stay; the rest go.
fn drop_unused_schemas(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let mut outside = doc.clone();
    if let Some(components) = outside.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("schemas");
    }
    let mut pending = Vec::new();
    visit_refs(&mut outside, &mut |r| pending.push(r.clone()));
    let mut used = BTreeSet::new();
    while let Some(r) = pending.pop() {
        let Some(name) = r.strip_prefix(SCHEMA_REF) else {
            continue;
        };
        if !used.insert(name.to_owned()) {
            continue;
        }
        if let Some(schema) = schemas.get(name) {
            let mut schema = schema.clone();
            visit_refs(&mut schema, &mut |r| pending.push(r.clone()));
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| used.contains(name));
    }
}

fn visit_refs(v: &mut Value, f: &mut impl FnMut(&mut String)) {
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if k == "$ref" => f(s),
                    _ => visit_refs(v, f),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| visit_refs(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    /// The README's table of scopes lists the scopes the contract does, in
    /// the same order.
    #[test]
    fn the_readme_lists_every_scope() {
        let readme = include_str!("../../../README.md");
        let table: Vec<&str> = readme
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once("` | "))
            .map(|(name, _)| name)
            .filter(|name| name.contains(':'))
            .collect();
        let scopes: Vec<&str> = cscms_domain::principal::scopes::ALL
            .iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(table, scopes);
    }
}
