//! Runs of a batch (CSS-1..CSS-10): stored with what they read, so they can
//! be repeated, and compared with the previous run.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::empanelment::{self as emp, compare_runs, PanelRun, Proposal, RunComparison};
use cscms_domain::empanelment::{Vigilance, VigilanceGround};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::principal::Principal;
use cscms_domain::vigilance::ClearancePurpose;
use cscms_store::empanelment::{
    AparsSource, NewRun, RunInputsDoc, RunProposalDoc, RunResultDoc, RunRow, RunSource,
};
use cscms_store::json::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::batch_not_found;
use super::view::{result_for, run_view, RunInputs, RunList, RunSummary, RunView};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::ValidJson;
use crate::routes::actor;
use crate::scope::authorize;
use crate::state::AppState;
use cscms_domain::scope::Op;

#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The date the run is taken for (CSS-1 and CSS-6 durations run to it);
    /// today in India (IST) when absent.
    pub as_of: Option<NaiveDate>,
}

/// What a run reads: the batch, and each proposal with its APARs, those of
/// employees on record as they stand in the store now, and its history
/// joined with what the other batches' runs on record decided (CSS-8).
fn run_inputs_of(
    source: &RunSource,
    as_of: NaiveDate,
    clearances: &std::collections::HashMap<EmployeeCode, (Vigilance, Option<VigilanceGround>)>,
) -> Result<RunInputsDoc, ApiError> {
    let batch = source.batch.batch()?;
    let mut certified: Vec<Proposal> = source
        .proposals
        .iter()
        .map(|row| row.proposal.get().clone())
        .collect();
    super::reviews::with_records(&source.recorded, |runs| {
        emp::join_recorded_history(&mut certified, runs, &batch, as_of)
    });
    let mut proposals = Vec::with_capacity(source.proposals.len());
    for (row, mut proposal) in source.proposals.iter().zip(certified) {
        let apars_from = match (&row.employee_code, row.apars_from_store) {
            (Some(code), true) => {
                proposal.apars = source.apars.get(code.as_str()).cloned().unwrap_or_default();
                AparsSource::Store
            }
            _ => AparsSource::Proposal,
        };
        // CSS-7, VIG-2: for an employee on record the vigilance position is
        // the shared clearance (purpose: empanelment) as of the run, not what
        // the proposal says.
        if let Some((v, ground)) = row.employee_code.as_ref().and_then(|c| clearances.get(c)) {
            proposal.vigilance = *v;
            proposal.vigilance_ground = *ground;
        }
        proposals.push(RunProposalDoc {
            employee_code: row.employee_code.clone(),
            apars_from,
            proposal,
        });
    }
    Ok(RunInputsDoc {
        as_of,
        batch,
        proposals,
    })
}

/// The run as stored: its summary, what it read, what it decided, what moved.
fn new_run(
    batch_id: i64,
    seq: i32,
    who: &Principal,
    inputs: RunInputsDoc,
    decision: Decision<PanelRun>,
    changes: Option<RunComparison>,
) -> Result<NewRun, ApiError> {
    let panel = &decision.outcome;
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    Ok(NewRun {
        batch_id,
        seq,
        as_of: inputs.as_of,
        officers: count(panel.officers.len()),
        empanelled_initial: count(panel.empanelled_initial as usize),
        pulled_up: count(panel.pulled_up as usize),
        cut_off: panel.cut_off.map(|s| s.to_string()),
        cut_off_officer: panel.cut_off_officer.clone(),
        inputs_json: Json::new(inputs)?,
        result_json: Json::new(RunResultDoc::from(decision))?,
        changes_json: changes.map(Json::new).transpose()?,
        run_by: who.sub.clone(),
        created_at: Utc::now().naive_utc(),
    })
}

/// Run a batch
///
/// Runs the batch (CSS-1..CSS-10) on its proposals as they stand, with the
/// APARs on record for proposals that leave them to the store and each
/// officer's considerations in the other batches' latest runs (an officer
/// once empanelled is not empanelled again; one not empanelled is reviewed
/// only when due, CSS-8), and stores
/// the run with everything it read, so it can be repeated. The answer
/// lists what moved since the previous run. Audited.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = RunRequest,
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 201, description = "The new run with its results; `Location` names it", body = RunView, headers(("Location" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No proposals yet (`no_proposals`); the stored inputs cannot be run (`run_refused`); or another run was stored meanwhile (`run_in_progress`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/empanelment/batches/{id}/runs")]
pub async fn run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<RunRequest>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageEmpanelment)?;
    let batch_id = id.into_inner();
    let as_of = body.as_of.unwrap_or_else(crate::clearance::today);
    let source = state
        .db(move |c| cscms_store::empanelment::run_source(c, batch_id))
        .await?
        .ok_or_else(|| batch_not_found(batch_id))?;
    if source.proposals.is_empty() {
        return Err(ApiError::Conflict {
            code: ProblemCode::NoProposals,
            detail: "The batch has no proposals to run.".into(),
        });
    }
    let codes: Vec<EmployeeCode> = source
        .proposals
        .iter()
        .filter_map(|p| p.employee_code.clone())
        .collect();
    let clearances = state
        .db(move |c| {
            let mut out = std::collections::HashMap::new();
            for code in codes {
                if let Some(d) =
                    crate::clearance::decide(c, &code, ClearancePurpose::Empanelment, as_of)?
                {
                    out.insert(code, Vigilance::of(&d.outcome));
                }
            }
            Ok(out)
        })
        .await?;
    let inputs = run_inputs_of(&source, as_of, &clearances)?;
    let (decision, inputs) = web::block(move || {
        let engine: Vec<Proposal> = inputs
            .proposals
            .iter()
            .map(|p| p.proposal.clone())
            .collect();
        (emp::run_panel(&inputs.batch, &engine, as_of), inputs)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?;
    let decision = decision.map_err(|e| ApiError::Conflict {
        code: ProblemCode::RunRefused,
        detail: format!("The batch cannot be run: {e}."),
    })?;
    let changes = source
        .previous
        .as_ref()
        .map(|p| compare_runs(&p.result.get().panel, &decision.outcome));
    let seq = source.previous.as_ref().map_or(1, |p| p.seq + 1);
    let new = new_run(batch_id, seq, &who, inputs, decision, changes.clone())?;
    let result = new.result_raw()?;
    let actor = actor(&who, &req);
    let stored = state
        .db(move |c| cscms_store::empanelment::store_run(c, &actor, new))
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: ProblemCode::RunInProgress,
            detail: "Another run of the batch was stored meanwhile; run again.".into(),
        })?;
    let view = RunView {
        summary: RunSummary::from(&stored),
        result: result_for(&who, result)?,
        changes,
    };
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/empanelment/batches/{batch_id}/runs/{}", stored.seq),
        ))
        .json(view))
}

/// List a batch's runs
///
/// A batch's runs, oldest first.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 200, description = "The batch's runs, oldest first", body = RunList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/runs")]
pub async fn list_runs(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadEmpanelment)?;
    let id = id.into_inner();
    let rows = state
        .db(move |c| {
            if cscms_store::empanelment::get_batch(c, id)?.is_none() {
                return Ok(None);
            }
            cscms_store::empanelment::list_runs(c, id).map(Some)
        })
        .await?
        .ok_or_else(|| batch_not_found(id))?;
    Ok(HttpResponse::Ok().json(RunList {
        items: rows.iter().map(RunSummary::from).collect(),
    }))
}

async fn stored_run(state: &AppState, batch_id: i64, seq: i32) -> Result<RunRow, ApiError> {
    state
        .db(move |c| cscms_store::empanelment::get_run(c, batch_id, seq))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Run {seq} of batch {batch_id}")))
}

/// Read a run
///
/// One run: the result as stored, with every officer's eligibility, score,
/// rank, outcome and reasons, and what moved since the previous run. A
/// client without `apar:read` gets each year's `gradings` empty: they are
/// the officers' APARs.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("seq" = i32, Path, description = "The run's number within the batch"),
    ),
    responses(
        (status = 200, description = "The run with its results", body = RunView),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/runs/{seq}")]
pub async fn get_run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadEmpanelment)?;
    let (batch_id, seq) = path.into_inner();
    let row = stored_run(&state, batch_id, seq).await?;
    Ok(HttpResponse::Ok().json(run_view(&who, &row)?))
}

/// Read what a run read
///
/// What a run read: the batch and every proposal with the APARs used.
/// Running the engine on them as of `as_of` gives the stored result again.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("seq" = i32, Path, description = "The run's number within the batch"),
    ),
    responses(
        (status = 200, description = "The inputs the run was decided on", body = RunInputs),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/runs/{seq}/inputs")]
pub async fn run_inputs(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    // The inputs carry the officers' APARs: integration clients need apar:read too.
    authorize(&who, Op::ReadEmpanelmentApars)?;
    let (batch_id, seq) = path.into_inner();
    let row = stored_run(&state, batch_id, seq).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(row.inputs.text().to_owned()))
}
