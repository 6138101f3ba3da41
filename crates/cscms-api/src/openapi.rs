//! The contract, generated from the handlers' annotations. Error responses
//! every operation can give are added here once, so no handler forgets them.

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
        description = "Central Secretariat Cadre Management Services of DoPT: the services of CSS, CSSS and CSCS employees, nodal officers, DoPT divisions and integrated portals. Errors are RFC 9457 problem details with a stable `code`. Authenticate with a bearer JWT (e-Parichay in production).",
        license(name = "Government Open Data License - India"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "identity", description = "The caller"),
        (name = "organisations", description = "Ministries, departments and the bodies under them"),
        (name = "employees", description = "Employee records and service history"),
        (name = "ipr", description = "Annual immovable property returns: filing, revisions, print, who has not filed (IPR-1)"),
        (name = "vigilance", description = "Vigilance status and the clearance every service asks for (VIG-1, VIG-2)"),
        (name = "profiles", description = "Profile lifecycle: update, submit, validation rounds, print (PRF-1..PRF-5)"),
        (name = "rules", description = "Rules engines (pay, MACP/ACP, NFS, empanelment): decisions with rule ids, orders and as-of dates; the stateless ones are open to any authenticated caller and store nothing"),
        (name = "foreign visits", description = "Clearance of private foreign visits (FV-1), with the vigilance clearance (VIG-1)"),
        (name = "deputation", description = "Advertisements, applications, cadre clearance and DoPT approval (DEP-1, DEP-2)"),
        (name = "audit", description = "The append-only audit trail (PRF-4)"),
        (name = "apars", description = "APAR records (CSS-2): SPARROW's import, DoPT's entries and corrections; an employee sees their own"),
        (name = "empanelment", description = "Central Staffing Scheme JS-level empanelment (CSS-1..CSS-10): batches, proposals, runs, reviews due. DoPT; integration clients with empanelment:read / empanelment:write"),
        (name = "operations", description = "Health and readiness"),
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
        "A JWT from e-Parichay (production) or `cscms token` (local). \
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
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
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
            if has_params || op.request_body.is_some() {
                add(
                    op,
                    "400",
                    "The request could not be read: bad parameter, malformed JSON or unknown field",
                );
            }
            if op.request_body.is_some() {
                add(op, "413", "The body exceeds the configured limit");
                add(op, "415", "The body is not JSON");
                add(
                    op,
                    "422",
                    "Values break the rules; `errors` lists every bad field",
                );
            }
            if path != "/healthz" {
                add(op, "503", "The database does not answer");
            }
            add(
                op,
                "500",
                "A fault on the server; the body says nothing of its cause",
            );
        }
    }
}
