//! The PRF-1 profile gate as every employee service calls it.

use cscms_domain::employee::EmployeeCode;

use crate::error::{ApiError, ProblemCode};
use crate::state::AppState;

/// Refuses an employee service until the employee's profile has been
/// submitted (PRF-1), naming the missing step.
pub async fn require_profile_submitted(
    state: &AppState,
    code: &EmployeeCode,
) -> Result<(), ApiError> {
    let key = code.clone();
    let record = state
        .db(move |c| cscms_store::profiles::load(c, &key))
        .await?;
    let submitted_once = record.is_some_and(|r| r.profile.first_submitted_at.is_some());
    cscms_domain::profile::profile_gate(submitted_once, crate::clearance::today())
        .map(drop)
        .map_err(|refusal| ApiError::Conflict {
            code: ProblemCode::ProfileNotSubmitted,
            detail: format!(
                "The profile must be submitted before any other service (PRF-1): {}.",
                refusal.outcome.missing_step
            ),
        })
}
