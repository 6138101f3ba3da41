//! ROT-1: runs of a round's allocation with their stored inputs and
//! result, replayed on every read; DoPT's approval of one run, which issues
//! the transfer orders; and each officer's result in the approved run.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::rotation::{allocate, Allocation};
use cscms_domain::scope::Op;
use cscms_store::json::Json;
use cscms_store::rotation::runs::{NewRun, RunRow, TransferOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::allocation::allocation_input;
use super::officers::officer_in_round;
use super::rounds::load_round;
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::ValidJson;
use crate::routes::{actor, utc};
use crate::scope::authorize;
use crate::state::AppState;

/// A run of a round's allocation.
#[derive(Serialize, ToSchema)]
pub struct RotationRun {
    pub id: i64,
    pub round_id: i64,
    /// The day ROT-2 and tenure were counted to: the day preferences opened.
    pub as_of: NaiveDate,
    /// The engine's input as stored: ministries with vacancies, officers with lists.
    #[schema(value_type = cscms_domain::rotation::AllocationInput)]
    pub inputs: serde_json::Value,
    /// The engine's decision as stored.
    #[schema(value_type = Decision<cscms_domain::rotation::Allocation>)]
    pub result: serde_json::Value,
    /// Re-running the engine on the stored inputs gives the stored result.
    pub replays: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Set once DoPT approves the run and its transfer orders are issued.
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub order_ref: Option<String>,
}

/// The engine re-run on a run's stored inputs, when it gives the stored
/// result; `None` when it does not, inputs the engine now refuses included.
/// (Stored inputs that do not read failed the row already: a 500.)
fn replay(row: &RunRow) -> Result<Option<Decision<Allocation>>, ApiError> {
    let Ok(again) = allocate(row.as_of, row.inputs.get()) else {
        return Ok(None);
    };
    let shown = serde_json::to_value(&again)
        .map_err(|e| ApiError::Internal(format!("allocation result: {e}")))?;
    Ok((&shown == row.result.get()).then_some(again))
}

fn run_view(row: RunRow) -> Result<RotationRun, ApiError> {
    let replays = replay(&row)?.is_some();
    let inputs = serde_json::to_value(row.inputs.get())
        .map_err(|e| ApiError::Internal(format!("allocation inputs: {e}")))?;
    Ok(RotationRun {
        id: row.id,
        round_id: row.round_id,
        as_of: row.as_of,
        inputs,
        result: row.result.into_inner(),
        replays,
        created_by: row.created_by,
        created_at: utc(row.created_at),
        approved_by: row.approved_by,
        approved_at: row.approved_at.map(utc),
        order_ref: row.order_ref,
    })
}

/// The round's run `run_id` is approved under `order_ref`: nothing more is run or approved.
fn round_approved(id: i64, run_id: i64, order_ref: &str) -> ApiError {
    ApiError::Conflict {
        code: ProblemCode::RoundApproved,
        detail: format!(
            "Run {run_id} of rotation round {id} is approved already, under {order_ref}."
        ),
    }
}

/// Run `run_id` of round `id`; 404 when there is none.
async fn load_run(state: &AppState, id: i64, run_id: i64) -> Result<RunRow, ApiError> {
    state
        .read(move |c| cscms_store::rotation::runs::get_run(c, id, run_id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Run {run_id} of rotation round {id}")))
}

/// Run a round's allocation
///
/// On or after the round's allocation date, DoPT runs the allocation
/// (ROT-1, ROT-2): every officer who must rotate and every officer who may
/// opt and gave a list, over the vacancies and the posts the round frees,
/// by officer-proposing deferred acceptance with the published priority.
/// The inputs and the result are stored (audited), so the run can be
/// replayed. Confirmed couples of the round (SPO-1) are posted together
/// first where a post is available for each at one station, and each
/// spouse's result says why where they could not be.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 201, description = "The run; `Location` names it", body = RotationRun, headers(("Location" = String))),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Before the allocation date or no officer takes part (`allocation_not_due`), cancelled (`round_cancelled`), no ministry groups (`no_ministry_groups`), a run approved already (`round_approved`), or inputs the allocation cannot take, e.g. a list naming the officer's own group after a move (`run_refused`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rotation/rounds/{id}/runs")]
pub async fn run_allocation(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    round.not_cancelled()?;
    round.allocation_due()?;
    // An approved run has issued its transfer orders: the round is closed.
    let approved = state
        .read(move |c| cscms_store::rotation::runs::approved_run(c, id))
        .await?;
    if let Some(a) = approved {
        return Err(round_approved(id, a.run.id, &a.order_ref));
    }
    let input = allocation_input(&state, &round).await?;
    if input.officers.is_empty() {
        return Err(ApiError::Conflict {
            code: ProblemCode::AllocationNotDue,
            detail: format!("No officer takes part in rotation round {id}."),
        });
    }
    let as_of = round.dates.preferences_open;
    // The lists were given against the officers' ministries then; one who
    // has moved since may have listed what is now no choice for them.
    let decision = allocate(as_of, &input).map_err(|e| ApiError::Conflict {
        code: ProblemCode::RunRefused,
        detail: format!("The allocation cannot be run on the round's present inputs: {e}."),
    })?;
    let new = NewRun {
        round_id: id,
        as_of,
        inputs: Json::new(input)?,
        result: Json::new(decision)?,
        created_by: who.sub.clone(),
        created_at: Utc::now().naive_utc(),
    };
    let actor = actor(&who, &req);
    let run_id = state
        .db(move |c| cscms_store::rotation::runs::record_run(c, &actor, &new))
        .await?;
    let row = load_run(&state, id, run_id).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/rotation/rounds/{id}/runs/{run_id}"),
        ))
        .json(run_view(row)?))
}

/// Read a run of a round's allocation
///
/// The stored inputs and result, and whether re-running the engine on the
/// inputs gives the same result (DoPT).
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id"), ("run" = i64, Path, description = "Run id")),
    responses((status = 200, description = "The run, replayed", body = RotationRun),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/runs/{run}")]
pub async fn get_run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, run_id) = path.into_inner();
    load_round(&state, &who, id).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    let row = load_run(&state, id, run_id).await?;
    Ok(HttpResponse::Ok().json(run_view(row)?))
}

/// The order under which a run's transfers issue.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRun {
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "DoPT Order No. 7/1/2026-CS.I(P) dated 20.12.2026"
    )]
    pub order_ref: String,
}

/// Approve a run and issue the transfer orders
///
/// DoPT approves a run it has reviewed (ROT-1): a transfer order for every
/// officer placed, entered in their service history as a `transfer`
/// effective on the round's orders date with the order reference, all in
/// one audited transaction; each order is in the change feed. A run that
/// does not replay to its stored result is not approved; a round has one
/// approved run.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = ApproveRun,
    params(("id" = i64, Path, description = "Round id"), ("run" = i64, Path, description = "Run id")),
    responses((status = 200, description = "The approved run", body = RotationRun),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A run is approved already (`round_approved`), the run does not replay (`run_not_replayable`), cancelled (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rotation/rounds/{id}/runs/{run}/approve")]
pub async fn approve_run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    ValidJson(body): ValidJson<ApproveRun>,
) -> Result<HttpResponse, ApiError> {
    let (id, run_id) = path.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    round.not_cancelled()?;
    let (row, approved, employees) = state
        .read(move |c| {
            let row = cscms_store::rotation::runs::get_run(c, id, run_id)?;
            let approved = cscms_store::rotation::runs::approved_run(c, id)?;
            let employees = match &row {
                Some(r) => cscms_store::rotation::runs::officers_of(c, r)?,
                None => Default::default(),
            };
            Ok((row, approved, employees))
        })
        .await?;
    let row =
        row.ok_or_else(|| ApiError::not_found(format!("Run {run_id} of rotation round {id}")))?;
    if let Some(a) = approved {
        return Err(round_approved(id, a.run.id, &a.order_ref));
    }
    let decision = replay(&row)?.ok_or_else(|| ApiError::Conflict {
        code: ProblemCode::RunNotReplayable,
        detail: format!(
            "Run {run_id} does not replay to its stored result; run the allocation again."
        ),
    })?;
    let orders: Vec<TransferOrder> = decision
        .outcome
        .officers
        .iter()
        .filter_map(|o| {
            let (code, org) = employees.get(&o.code)?;
            Some(TransferOrder {
                employee_code: code.clone(),
                org_id: org.clone(),
                grade: o.grade.clone(),
                from: o.from.clone(),
                to: o.to.clone()?,
            })
        })
        .collect();
    let order_ref = body.order_ref.trim().to_owned();
    let orders_on = round.dates.orders_on;
    let actor = actor(&who, &req);
    let raced = state
        .db(move |c| {
            match cscms_store::rotation::runs::approve_run(
                c,
                &actor,
                id,
                run_id,
                &order_ref,
                orders_on,
                &orders,
                Utc::now().naive_utc(),
            ) {
                Ok(()) => Ok(None),
                // Another run of the round was approved since the check
                // above (ROT-1): the same answer as if it had been before.
                Err(cscms_store::StoreError::Stale) => {
                    match cscms_store::rotation::runs::approved_run(c, id)? {
                        Some(a) => Ok(Some(a)),
                        None => Err(cscms_store::StoreError::Stale),
                    }
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    if let Some(a) = raced {
        return Err(round_approved(id, a.run.id, &a.order_ref));
    }
    let row = load_run(&state, id, run_id).await?;
    Ok(HttpResponse::Ok().json(run_view(row)?))
}

/// An officer's result in a round, and why.
#[derive(Serialize, ToSchema)]
pub struct RotationRoundResult {
    pub round_id: i64,
    pub run_id: i64,
    pub order_ref: Option<String>,
    /// The day the allocation was decided as of (ROT-2's eligibility and
    /// tenure): the day the round's process started.
    pub as_of: NaiveDate,
    /// The day the transfer takes effect.
    pub orders_on: NaiveDate,
    /// The one priority every ministry applied.
    pub priority_rule: String,
    /// The officer's result: where, how, and for each choice above it why it
    /// went to others (never named); null when the officer took no part.
    #[schema(value_type = Option<cscms_domain::rotation::OfficerResult>)]
    pub result: Option<serde_json::Value>,
    /// Where a representation against the result goes: the authority one
    /// level above the one that approved the allocation.
    pub representation_to: String,
}

/// An officer's result in a round
///
/// The result of the round's approved run for one officer (ROT-1): where
/// they go, which of their choices went to officers of higher priority
/// (without naming them), and the priority rule. The officer, the nodal
/// officer of their ministry and DoPT read it; 404 until a run is approved.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The officer's result", body = RotationRoundResult)))]
#[get("/employees/{code}/rotation/rounds/{id}/result")]
pub async fn officer_result(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, _, round) = officer_in_round(&state, &who, path.into_inner()).await?;
    let id = round.id();
    let approved = state
        .read(move |c| cscms_store::rotation::runs::approved_run(c, id))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("An approved allocation of rotation round {id}"))
        })?;
    let mine = approved.run.result.get()["officers"]
        .as_array()
        .and_then(|all| all.iter().find(|o| o["code"] == code.as_str()))
        .cloned();
    Ok(HttpResponse::Ok().json(RotationRoundResult {
        round_id: id,
        run_id: approved.run.id,
        order_ref: Some(approved.order_ref),
        as_of: approved.run.as_of,
        orders_on: round.dates.orders_on,
        priority_rule: cscms_domain::rotation::PRIORITY_RULE.to_owned(),
        result: mine,
        representation_to: format!(
            "{}: POST /v1/employees/{code}/rotation/rounds/{id}/representation",
            cscms_domain::rotation::representation::REPRESENTATION_TO
        ),
    }))
}
