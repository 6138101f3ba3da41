//! Is this print genuine and current? (PRF-5, IPR-1.) Public: an office
//! that receives a paper copy has no account here. It learns only what the
//! paper already shows: which document, which version, when it was printed.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::organisation::OrgId;
use cscms_store::prints::Printed;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::print::verification::normalise;
use crate::state::AppState;

/// The organisation and, for a body under a ministry, the ministry: the
/// names a print shows beside the codes.
pub(crate) async fn org_and_ministry(
    state: &AppState,
    org_id: &OrgId,
) -> Result<
    (
        Option<cscms_store::organisations::OrgRow>,
        Option<cscms_store::organisations::OrgRow>,
    ),
    ApiError,
> {
    let org_id = org_id.clone();
    state
        .db(move |c| {
            let org = cscms_store::organisations::get(c, &org_id)?;
            let ministry = match org.as_ref().and_then(|o| o.parent_id.clone()) {
                Some(parent) => cscms_store::organisations::get(c, &parent)?,
                None => None,
            };
            Ok((org, ministry))
        })
        .await
}

/// The print of a record that moves through a workflow (FV-1, DEP-1):
/// its organisation and ministry named, its version the number of steps
/// taken, registered for verification under the workflow's name.
pub(crate) async fn print_steps(
    state: &AppState,
    who: &cscms_domain::principal::Principal,
    req: &HttpRequest,
    (workflow, id, org_id): (&'static str, i64, &OrgId),
    steps: usize,
    filename: &str,
    document: impl FnOnce(&crate::print::clearance::Context<'_>) -> crate::print::Document,
) -> Result<HttpResponse, ApiError> {
    let (org, ministry) = org_and_ministry(state, org_id).await?;
    let version = i64::try_from(steps).map_err(|e| ApiError::Internal(e.to_string()))?;
    let issued =
        crate::print::verification::issue(state, who, req, (workflow, &id.to_string(), version))
            .await?;
    let doc = document(&crate::print::clearance::Context {
        org: org.as_ref(),
        ministry: ministry.as_ref(),
        version,
        printed_at: issued.at,
        verification: Some(issued.code),
    });
    let pdf = crate::print::render(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(pdf_response(filename, pdf))
}

/// A PDF answer, named for the download.
pub(crate) fn pdf_response(filename: &str, pdf: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"{filename}\""),
        ))
        .body(pdf)
}

/// A print on record.
#[derive(Serialize, ToSchema)]
pub struct PrintCheck {
    #[schema(example = "7GQ4-M2KD-9XRA")]
    pub code: String,
    /// `profile`, `ipr`, `surplus_requisition`, `foreign_visit` or `deputation_application`.
    #[schema(example = "profile")]
    pub document: String,
    /// The document printed: an employee code, code/year for a return, or a requisition's, request's or application's number.
    #[schema(example = "CSS-000001")]
    pub reference: String,
    /// The version printed (the profile's version, the return's revision, the requisition's version, the number of steps a request or application has taken).
    pub version: i64,
    pub printed_at: DateTime<Utc>,
    /// The document's version now; `null` if it no longer exists.
    pub current_version: Option<i64>,
    /// Whether the print shows the current version.
    pub current: bool,
}

/// Verify a print by its code
///
/// Answers whether a print with this verification code was issued, for
/// which document and version, when, and whether that version is still the
/// current one. No authentication, and a token sent is not charged: public
/// documents (this and the contract) are limited per client address, 30
/// requests a minute by default (`CSCMS_RATE_LIMIT_PUBLIC`, per instance),
/// with `RateLimit` headers of the policy `address`. Unknown or altered
/// codes are 404.
#[utoipa::path(tag = "prints", security(()),
    params(("code" = String, Path, description = "The verification code printed on the document, e.g. 7GQ4-M2KD-9XRA (case, spaces and hyphens do not matter)")),
    responses(
        (status = 200, description = "The print is on record", body = PrintCheck),
        (status = 404, description = "No print was issued with this code", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many look-ups from this address (`rate_limited`); see Retry-After", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"),
                ("RateLimit" = String, description = "`\"address\";r=<remaining>;t=<seconds to reset>`"),
                ("RateLimit-Policy" = String, description = "`\"address\";q=<quota>;w=<window seconds>`"))),
    ))]
#[get("/prints/{code}")]
pub async fn check(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::not_found("A print with this code");
    let code = normalise(&code).ok_or_else(not_found)?;
    let found = state
        .db(move |c| {
            let Some(row) = cscms_store::prints::find(c, &code)? else {
                return Ok(None);
            };
            let current = match row.printed()? {
                Printed::Profile(code) => {
                    cscms_store::profiles::load(c, &code)?.map(|r| r.profile.version)
                }
                Printed::Ipr(employee, year) => {
                    cscms_store::ipr::versions_of_year(c, employee.as_str(), year)?
                        .first()
                        .map(|r| i64::from(r.revision))
                }
                Printed::SurplusRequisition(id) => {
                    cscms_store::surplus::get(c, id)?.map(|r| r.row.version)
                }
                // A request moves only by steps: its version is their number.
                Printed::Request(workflow, id) => {
                    let n = cscms_store::steps::for_record(c, workflow, id)?.len();
                    i64::try_from(n).ok().filter(|n| *n > 0)
                }
            };
            Ok(Some((row, current)))
        })
        .await?;
    let (row, current_version) = found.ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PrintCheck {
            code: row.code,
            document: row.document,
            reference: row.reference,
            version: row.version,
            printed_at: row.printed_at.and_utc(),
            current: current_version == Some(row.version),
            current_version,
        }))
}
