//! ROT-1: who of a round's cadre and grades has given a list, as the nodal
//! officer of a ministry (its own officers) and DoPT (all) see them.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::decision::Reason;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::rotation::round::RoundDates;
use cscms_domain::rotation::RotationStatus;
use cscms_domain::scope::{visibility, Family, Op};
use cscms_store::rotation::preferences::{each_submission, Submission};
use serde::Serialize;
use utoipa::ToSchema;

use super::officers::eligibility;
use super::rounds::load_round;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::routes::{paging, utc};
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
    /// Why (ROT-2), each reason with its rule and the order it rests on;
    /// empty when the record cannot be decided on.
    pub rotation_reasons: Vec<Reason>,
    pub submitted: bool,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct RotationSubmissions {
    pub round_id: i64,
    pub dates: RoundDates,
    /// Of all the officers the caller sees in the round (every page),
    /// those who have given a list.
    pub submitted: usize,
    /// Of all the officers the caller sees in the round (every page),
    /// those who must rotate and have not given a list.
    pub must_rotate_not_submitted: usize,
    /// A page of the officers, by code.
    pub items: Vec<RotationSubmission>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

/// Officers read at a time when counting over the whole round.
const COUNTED_AT_A_TIME: i64 = 1000;

/// Who has given preferences in a round
///
/// The officers of the round's cadre and grades the caller sees (a nodal
/// officer: the ministry and the bodies under it; DoPT: all), each with
/// their ROT-2 status and whether they have given a list (ROT-1), a page
/// at a time; the counts are over all of them.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id"), paging::PageQuery),
    responses((status = 200, description = "A page of the officers by code, with their status and whether they have given a list; `Link` names the next page", body = RotationSubmissions,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "For the nodal officer of the ministry and DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/submissions")]
pub async fn submissions(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::ReadRotationSubmissions)?;
    let (limit, after) = paging::page_of(q.limit, q.cursor.as_deref(), |c| {
        EmployeeCode::parse(c).ok()
    })?;
    let visible = visibility(&who, Family::RotationPreference);
    let (cadre, grades) = (round.cadre(), round.grades().to_vec());
    let open = round.dates.preferences_open;
    let decide =
        move |s: &Submission| eligibility(&s.employee, &s.history, &s.promotion_outlooks, open);
    // Counting reads every officer the caller sees: the blocking pool's
    // work, not a short read.
    let (rows, counts) = state
        .db(move |c| {
            use cscms_store::rotation::preferences::submissions as read;
            let page = read(
                c,
                id,
                &visible,
                cadre,
                &grades,
                after.as_ref(),
                paging::fetch(limit),
            )?;
            // The counts are over every officer the caller sees, read a
            // part at a time, not over the page.
            let mut counts = Counts::default();
            let each = |s: &Submission| {
                let status = decide(s).map(|d| d.outcome.status);
                counts.add(s.submitted_at.is_some(), status);
            };
            let round = (id, cadre, grades.as_slice());
            each_submission(c, round, &visible, COUNTED_AT_A_TIME, each)?;
            Ok((page, counts))
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        &format!("/v1/rotation/rounds/{id}/submissions"),
        |last| Some(last.employee.code.to_string()),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items: Vec<RotationSubmission> = rows
        .into_iter()
        .map(|s| {
            let decision = decide(&s);
            let status = decision.as_ref().map(|d| d.outcome.status);
            RotationSubmission {
                employee_code: s.employee.code.into(),
                employee_name: s.employee.name,
                grade: s.employee.grade,
                organisation_id: s.employee.org_id.into(),
                rotation_status: status,
                rotation_reasons: decision.map(|d| d.reasons).unwrap_or_default(),
                submitted: s.submitted_at.is_some(),
                submitted_at: s.submitted_at.map(utc),
            }
        })
        .collect();
    let body = RotationSubmissions {
        round_id: id,
        dates: round.dates,
        submitted: counts.submitted,
        must_rotate_not_submitted: counts.must_rotate_not_submitted,
        items,
        next: next.clone(),
    };
    Ok(paging::respond(next, &body))
}

/// The counts of a round's submissions.
#[derive(Default)]
struct Counts {
    submitted: usize,
    must_rotate_not_submitted: usize,
}

impl Counts {
    fn add(&mut self, submitted: bool, status: Option<RotationStatus>) {
        if submitted {
            self.submitted += 1;
        } else if status == Some(RotationStatus::MustRotate) {
            self.must_rotate_not_submitted += 1;
        }
    }
}
