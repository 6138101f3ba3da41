//! Batches taken up for empanelment (CSS-3, CSS-4, CSS-9).

use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::batch_not_found;
use super::input::BatchInput;
use super::view::{batch_view, BatchList, BatchView};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::ValidJson;
use crate::routes::actor;
use crate::scope::authorize;
use crate::state::AppState;
use cscms_domain::scope::Op;

/// Create an empanelment batch
///
/// Creates a batch (DoPT). Audited.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = BatchInput,
    responses(
        (status = 201, description = "The new batch; `Location` names it", body = BatchView, headers(("Location" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A batch of this service, batch year and empanelment year exists (`batch_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/empanelment/batches")]
pub async fn create_batch(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<BatchInput>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageEmpanelment)?;
    let batch = body.parse()?;
    let actor = actor(&who, &req);
    let row = state
        .db(move |c| cscms_store::empanelment::create_batch(c, &actor, &batch))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { detail, .. } => ApiError::Conflict {
                code: ProblemCode::BatchExists,
                detail,
            },
            other => other,
        })?;
    let view = batch_view(&row, (0, 0, None))?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/empanelment/batches/{}", row.id)))
        .json(view))
}

/// List empanelment batches
///
/// Every batch, the latest empanelment year first.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every batch, the latest year first", body = BatchList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches")]
pub async fn list_batches(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadEmpanelment)?;
    let rows = state
        .db(|c| {
            cscms_store::empanelment::list_batches(c)?
                .into_iter()
                .map(|b| {
                    let counts = cscms_store::empanelment::batch_counts(c, b.id)?;
                    Ok((b, counts))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let items = rows
        .iter()
        .map(|(b, n)| batch_view(b, *n))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(BatchList { items }))
}

/// Read an empanelment batch
///
/// One batch.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 200, description = "The batch", body = BatchView),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}")]
pub async fn get_batch(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadEmpanelment)?;
    let id = id.into_inner();
    let (row, counts) = state
        .db(move |c| {
            let Some(b) = cscms_store::empanelment::get_batch(c, id)? else {
                return Ok(None);
            };
            let counts = cscms_store::empanelment::batch_counts(c, id)?;
            Ok(Some((b, counts)))
        })
        .await?
        .ok_or_else(|| batch_not_found(id))?;
    Ok(HttpResponse::Ok().json(batch_view(&row, counts)?))
}
