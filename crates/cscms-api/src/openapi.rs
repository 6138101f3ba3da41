//! The contract, generated from the handlers' annotations. Error responses
//! every operation can give are added here once, so no handler forgets them.

use utoipa::openapi::path::{HttpMethod, Operation};
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
        (name = "profiles", description = "Profile lifecycle: update, submit, validation rounds, print (PRF-1..PRF-5)"),
        (name = "foreign visits", description = "Clearance of private foreign visits (FV-1), with the vigilance clearance (VIG-1)"),
        (name = "deputation", description = "Advertisements, applications, cadre clearance and DoPT approval (DEP-1, DEP-2)"),
        (name = "audit", description = "The append-only audit trail (PRF-4)"),
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
                    .description(Some(
                        "A JWT from e-Parichay (production) or `cscms token` (local).",
                    ))
                    .build(),
            ),
        );
    }
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

/// Adds the error responses that follow from an operation's shape.
pub fn add_error_responses(api: &mut OpenApiDoc) {
    for (path, item) in api.paths.paths.iter_mut() {
        let has_path_params = path.contains('{');
        let ops = [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ];
        for (_, op) in ops {
            let Some(op) = op else { continue };
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
