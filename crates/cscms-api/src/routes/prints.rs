//! Is this print genuine and current? (PRF-5, IPR-1.) Public: an office
//! that receives a paper copy has no account here. It learns only what the
//! paper already shows: which document, which version, when it was printed.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::print::verification::normalise;
use crate::state::AppState;

/// A print on record.
#[derive(Serialize, ToSchema)]
pub struct PrintCheck {
    #[schema(example = "7GQ4-M2KD-9XRA")]
    pub code: String,
    /// `profile`, `ipr` or `surplus_requisition`.
    #[schema(example = "profile")]
    pub document: String,
    /// The document printed: an employee code, code/year for a return, or a requisition's number.
    #[schema(example = "CSS-000001")]
    pub reference: String,
    /// The version printed (the profile's version, the return's revision).
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
/// current one. No authentication; limited to 30 look-ups a minute from one
/// address (per instance). Unknown or altered codes are 404.
#[utoipa::path(tag = "prints", security(()),
    params(("code" = String, Path, description = "The verification code printed on the document, e.g. 7GQ4-M2KD-9XRA (case, spaces and hyphens do not matter)")),
    responses(
        (status = 200, description = "The print is on record", body = PrintCheck),
        (status = 404, description = "No print was issued with this code", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many look-ups from this address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
#[get("/prints/{code}")]
pub async fn check(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if let Some(addr) = req.peer_addr() {
        state
            .prints
            .admit(addr.ip())
            .map_err(|wait| ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            })?;
    }
    let not_found = || ApiError::not_found("A print with this code");
    let code = normalise(&code).ok_or_else(not_found)?;
    let found = state
        .db(move |c| {
            let Some(row) = cscms_store::prints::find(c, &code)? else {
                return Ok(None);
            };
            let current = match row.document.as_str() {
                "profile" => {
                    cscms_store::profiles::load(c, &row.reference)?.map(|r| r.profile.version)
                }
                "ipr" => match row.reference.rsplit_once('/') {
                    Some((employee, year)) => match year.parse::<i32>() {
                        Ok(year) => cscms_store::ipr::versions_of_year(c, employee, year)?
                            .first()
                            .map(|r| i64::from(r.revision)),
                        Err(_) => None,
                    },
                    None => None,
                },
                "surplus_requisition" => match row.reference.parse::<i64>() {
                    Ok(id) => cscms_store::surplus::get(c, id)?.map(|r| r.row.version),
                    Err(_) => None,
                },
                _ => None,
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
