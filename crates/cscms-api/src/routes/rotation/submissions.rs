//! ROT-1: who of a round's cadre and grades has given a list, as the nodal
//! officer of a ministry (its own officers) and DoPT (all) see them.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::rotation::round::RoundDates;
use cscms_domain::rotation::RotationStatus;
use cscms_domain::scope::{visibility, Family, Op};
use serde::Serialize;
use utoipa::ToSchema;

use super::officers::eligibility;
use super::rounds::load_round;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::routes::utc;
use crate::scope::authorize;
use crate::state::AppState;

/// One officer of the round's cadre and grades, where the caller sees them.
#[derive(Serialize, ToSchema)]
pub struct RotationSubmission {
    pub employee_code: String,
    pub employee_name: String,
    pub grade: String,
    pub organisation_id: String,
    /// ROT-2 as of the day preferences open; null when the record cannot be decided on.
    pub rotation_status: Option<RotationStatus>,
    pub submitted: bool,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct RotationSubmissions {
    pub round_id: i64,
    pub dates: RoundDates,
    /// Officers listed who have given a list.
    pub submitted: usize,
    /// Officers listed who must rotate and have not given a list.
    pub must_rotate_not_submitted: usize,
    pub items: Vec<RotationSubmission>,
}

/// Who has given preferences in a round
///
/// The officers of the round's cadre and grades the caller sees (a nodal
/// officer: the ministry and the bodies under it; DoPT: all), each with
/// their ROT-2 status and whether they have given a list (ROT-1).
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "Officers by code, with their status and whether they have given a list", body = RotationSubmissions),
        (status = 403, description = "For the nodal officer of the ministry and DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/submissions")]
pub async fn submissions(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::ReadRotationSubmissions)?;
    let visible = visibility(&who, Family::RotationPreference);
    let (cadre, grades) = (round.cadre(), round.grades().to_vec());
    let rows = state
        .read(move |c| {
            cscms_store::rotation::preferences::submissions(c, id, &visible, cadre, &grades, 5000)
        })
        .await?;
    let open = round.dates.preferences_open;
    let items: Vec<RotationSubmission> = rows
        .into_iter()
        .map(|s| {
            let status = eligibility(&s.employee, &s.history, &s.promotion_outlooks, open)
                .map(|d| d.outcome.status);
            RotationSubmission {
                employee_code: s.employee.code.into(),
                employee_name: s.employee.name,
                grade: s.employee.grade,
                organisation_id: s.employee.org_id.into(),
                rotation_status: status,
                submitted: s.submitted_at.is_some(),
                submitted_at: s.submitted_at.map(utc),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(RotationSubmissions {
        round_id: id,
        dates: round.dates,
        submitted: items.iter().filter(|i| i.submitted).count(),
        must_rotate_not_submitted: items
            .iter()
            .filter(|i| !i.submitted && i.rotation_status == Some(RotationStatus::MustRotate))
            .count(),
        items,
    }))
}
