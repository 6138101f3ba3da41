//! Proposals of the cadre controlling authorities (CSS-10: officers do not apply).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cscms_store::empanelment::NewProposal;

use super::batch_not_found;
use super::input::{Defaults, ProposalInput};
use super::view::{ProposalList, ProposalView};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::ValidJson;
use crate::routes::actor;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{etag_header, if_match};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::scope::Op;

fn no_proposal(batch_id: i64, officer: &str) -> ApiError {
    ApiError::not_found(format!("The proposal of {officer} in batch {batch_id}"))
}

/// A proposal's answer: its view, with its version as the `ETag` (PRF-4).
fn proposal_reply(
    mut reply: actix_web::HttpResponseBuilder,
    row: &cscms_store::empanelment::ProposalRow,
) -> HttpResponse {
    reply
        .insert_header(etag_header(row.version))
        .json(ProposalView::from(row))
}

/// Parses a proposal against its batch and the employee on record.
async fn proposal_for(
    state: &AppState,
    batch_id: i64,
    body: &ProposalInput,
    path_officer: Option<&str>,
) -> Result<NewProposal, ApiError> {
    // Without an employee code, the officer id is looked up too: an
    // employee on record proposed by id alone would escape their record's
    // APARs and the shared vigilance clearance (VIG-1, VIG-2).
    let by_id = body.employee_code.is_none();
    let code = body
        .employee_code
        .clone()
        .or_else(|| body.officer_id.clone());
    let (batch, record) = state
        .db(move |c| {
            let Some(b) = cscms_store::empanelment::get_batch(c, batch_id)? else {
                return Ok(None);
            };
            let record = match code {
                // A code no employee could have names none on record.
                Some(code) => match EmployeeCode::parse(&code) {
                    Ok(code) => cscms_store::employees::get(c, &code)?.map(|p| p.record),
                    Err(_) => None,
                },
                None => None,
            };
            Ok(Some((b, record)))
        })
        .await?
        .ok_or_else(|| batch_not_found(batch_id))?;
    let mut errors = Vec::new();
    let (record, on_record_by_id) = if by_id {
        (None, record.is_some())
    } else {
        (record, false)
    };
    if on_record_by_id {
        errors.push(FieldError::new(
            "body.officer_id",
            "employee_on_record",
            "this officer is an employee on record: propose them by employee_code, so that the run reads their APARs and vigilance clearance (VIG-1, VIG-2)",
        ));
    }
    let defaults = Defaults {
        service: &batch.service,
        batch_year: batch.batch_year,
        record: record.as_ref(),
    };
    let parsed = body.parse("body", &defaults, &mut errors);
    if let (Some(p), Some(path)) = (&parsed, path_officer) {
        if p.proposal.officer_id != path {
            errors.push(FieldError::new(
                "body.officer_id",
                "mismatch",
                format!("the path names officer {path}"),
            ));
        }
    }
    match parsed {
        Some(p) if errors.is_empty() => Ok(NewProposal {
            officer_id: p.proposal.officer_id.clone(),
            employee_code: p.employee_code,
            apars_from_store: p.apars_from_store,
            proposal: p.proposal,
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Add a proposal to a batch
///
/// Adds a proposal of the cadre controlling authority to a batch (CSS-10:
/// officers do not apply). For an employee on record, particulars not given
/// are taken from the record and, without `apars`, the APARs on record are
/// read when the batch is run. Audited.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = ProposalInput,
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 201, description = "The new proposal; `Location` names it, `ETag` is its version", body = ProposalView, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write; officers do not apply (CSS-10)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The officer is already proposed in the batch (`already_proposed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/empanelment/batches/{id}/proposals")]
pub async fn add_proposal(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<ProposalInput>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageEmpanelment)?;
    let batch_id = id.into_inner();
    let new = proposal_for(&state, batch_id, &body, None).await?;
    let actor = actor(&who, &req);
    let row = state
        .db(move |c| cscms_store::empanelment::add_proposal(c, &actor, batch_id, &new))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { detail, .. } => ApiError::Conflict {
                code: ProblemCode::AlreadyProposed,
                detail,
            },
            other => other,
        })?;
    let mut created = HttpResponse::Created();
    created.insert_header((
        "Location",
        format!(
            "/v1/empanelment/batches/{batch_id}/proposals/{}",
            row.officer_id
        ),
    ));
    Ok(proposal_reply(created, &row))
}

/// Read an officer's proposal
///
/// One proposal as it stands; its `ETag` is its version, which a
/// replacement must name in `If-Match`.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("officer" = String, Path, description = "The officer's id in the batch"),
    ),
    responses(
        (status = 200, description = "The proposal; `ETag` is its version", body = ProposalView, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT, a client with empanelment:write (who may replace it), or one with an empanelment scope and apar:read (proposals carry APARs)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/proposals/{officer}")]
pub async fn get_proposal(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    // Those who may read the APARs, and those who may replace it (the
    // scope table's ReadProposal).
    authorize(&who, Op::ReadProposal)?;
    let (batch_id, officer) = path.into_inner();
    let key = officer.clone();
    let row = state
        .read(move |c| cscms_store::empanelment::get_proposal(c, batch_id, &key))
        .await?
        .ok_or_else(|| no_proposal(batch_id, &officer))?;
    Ok(proposal_reply(HttpResponse::Ok(), &row))
}

/// Replace an officer's proposal
///
/// Replaces an officer's proposal, e.g. when the vigilance clearance comes
/// through (CSS-7). Needs `If-Match` with the proposal's `ETag` (its
/// version), so that two officers' replacements do not overwrite each other
/// unseen. Audited with before and after.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = ProposalInput,
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("officer" = String, Path, description = "The officer's id in the batch"),
        ("If-Match" = String, Header, description = "The ETag of the version the replacement is based on"),
    ),
    responses(
        (status = 200, description = "The proposal as replaced; `ETag` is its new version", body = ProposalView, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The proposal changed since it was read (`stale_version`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[put("/empanelment/batches/{id}/proposals/{officer}")]
pub async fn replace_proposal(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    ValidJson(body): ValidJson<ProposalInput>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageEmpanelment)?;
    let (batch_id, officer) = path.into_inner();
    let expected = if_match(&req)?;
    let new = proposal_for(&state, batch_id, &body, Some(&officer)).await?;
    let actor = actor(&who, &req);
    let row = state
        .db(move |c| {
            cscms_store::empanelment::replace_proposal(c, &actor, batch_id, expected, &new)
        })
        .await?
        .ok_or_else(|| no_proposal(batch_id, &officer))?;
    Ok(proposal_reply(HttpResponse::Ok(), &row))
}

/// List a batch's proposals
///
/// A batch's proposals, by officer id.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 200, description = "The batch's proposals, by officer id", body = ProposalList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope and apar:read (proposals carry APARs)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/proposals")]
pub async fn list_proposals(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    // Proposals carry the officers' APARs (docs/assumptions.md, "Who sees APARs").
    authorize(&who, Op::ReadEmpanelmentApars)?;
    let id = id.into_inner();
    let rows = state
        .db(move |c| {
            if cscms_store::empanelment::get_batch(c, id)?.is_none() {
                return Ok(None);
            }
            cscms_store::empanelment::list_proposals(c, id).map(Some)
        })
        .await?
        .ok_or_else(|| batch_not_found(id))?;
    let items = rows.iter().map(ProposalView::from).collect();
    Ok(HttpResponse::Ok().json(ProposalList { items }))
}
