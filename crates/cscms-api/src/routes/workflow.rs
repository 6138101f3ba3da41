//! What every approval workflow's handlers share: the action body, the step
//! record as shown, refusals as problems, and the clearance as JSON.

use chrono::{DateTime, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::principal::Role;
use cscms_domain::vigilance::ClearanceOutcome;
use cscms_domain::workflow::{Label, RefusalKind, Refused, Workflow};
use cscms_store::steps::StepRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::Validate;

use super::utc;
use crate::error::ApiError;

/// The body of a workflow action.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Why: required to refuse or reject, optional otherwise.
    #[validate(length(min = 3, max = 1000))]
    #[schema(
        min_length = 3,
        max_length = 1000,
        example = "Visit dates clash with the budget session"
    )]
    pub reason: Option<String>,
}

/// The decision record of one step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub action: String,
    /// Null for the step that opened the record.
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_sub: String,
    pub actor_role: Role,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The vigilance clearance fetched for this step (VIG-1): a decision
    /// with `clearance` (`cleared`, `denied`, `deferred`), `grounds` and `reasons`.
    #[schema(value_type = Option<cscms_domain::decision::Decision<cscms_domain::vigilance::ClearanceOutcome>>)]
    pub clearance: Option<Value>,
}

impl StepView {
    pub fn list(rows: Vec<StepRow>) -> Vec<StepView> {
        rows.into_iter()
            .map(|r| StepView {
                actor_role: r.actor_role.parse().unwrap_or(Role::Integration),
                action: r.action,
                from_state: r.from_state,
                to_state: r.to_state,
                actor_sub: r.actor_sub,
                at: utc(r.at),
                reason: r.reason,
                clearance: r.clearance.and_then(|c| serde_json::from_str(&c).ok()),
            })
            .collect()
    }
}

/// A refused move as a problem: 403 for a role that never takes the
/// action, 409 (with the state and what is allowed) for one not allowed
/// now, 422 for a missing reason.
pub fn refused(e: Refused) -> ApiError {
    match e.kind {
        RefusalKind::Role => ApiError::forbidden(format!("This role may not {}.", e.action)),
        RefusalKind::State => ApiError::InvalidTransition {
            action: e.action.into(),
            current: e.current.into(),
            allowed: e.allowed.into_iter().map(str::to_owned).collect(),
        },
        RefusalKind::ReasonRequired => ApiError::invalid(
            "body.reason",
            "required",
            format!("a reason is required to {}", e.action),
        ),
    }
}

/// The actions `role` may take on a record in `state`.
pub fn allowed<S: Label, A: Label>(w: &Workflow<S, A>, state: S, role: Role) -> Vec<A> {
    w.allowed(Some(state), role)
}

/// A clearance decision as the JSON recorded with a step and shown.
pub fn clearance_json(d: &Decision<ClearanceOutcome>) -> Result<Value, ApiError> {
    serde_json::to_value(d).map_err(|e| ApiError::Internal(format!("clearance: {e}")))
}

pub use crate::clearance::today;

/// A stored value that does not parse is a fault, not the client's.
pub fn corrupt(what: &str) -> ApiError {
    ApiError::Internal(format!("stored {what} out of shape"))
}

/// A value stored as JSON text.
pub fn to_json<T: Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(|e| ApiError::Internal(format!("json: {e}")))
}

/// A step of a request's workflow as every workflow takes it: the move is
/// checked first (so a refused move fetches nothing), then the vigilance
/// clearance for the request's purpose is fetched and recorded with the
/// step (VIG-1). The caller stores the step.
pub async fn checked_step<S: Label, A: Label>(
    state: &crate::state::AppState,
    who: &cscms_domain::principal::Principal,
    workflow: &Workflow<S, A>,
    (current, action): (S, A),
    reason: Option<&str>,
    employee_code: &str,
    purpose: cscms_domain::vigilance::ClearancePurpose,
) -> Result<cscms_domain::workflow::Step, ApiError> {
    workflow
        .apply(Some(current), action, who.role, reason)
        .map_err(refused)?;
    let cl = crate::clearance::for_employee(state, employee_code, purpose, today()).await?;
    let (_, step) = workflow
        .step(
            Some(current),
            action,
            who,
            reason,
            Some(clearance_json(&cl)?),
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    Ok(step)
}
