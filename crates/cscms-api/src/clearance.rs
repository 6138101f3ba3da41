//! The vigilance clearance as every service fetches it (VIG-1): one function,
//! so each workflow step asks the same question the same way.

use chrono::NaiveDate;
use cscms_domain::decision::{Decision, Reason};
use cscms_domain::rules::VIG_2;
use cscms_domain::vigilance::{
    clearance, ClearanceOutcome, ClearancePurpose, IprObligation, IprRecord, VigilanceParams,
};

use crate::error::ApiError;
use crate::state::AppState;

/// The clearance of employee `code` for `purpose` on `as_of`.
pub async fn for_employee(
    state: &AppState,
    code: &str,
    purpose: ClearancePurpose,
    as_of: NaiveDate,
) -> Result<Decision<ClearanceOutcome>, ApiError> {
    let _ = (state, code);
    // Loads stored history once the vigilance store lands (issue 5).
    // Until then no status is on record, which the engine answers with
    // `deferred` (VIG-1). No returns are examined either: an empty record
    // with the default obligation would read as a missing return and deny.
    let no_returns = IprRecord {
        obligation: IprObligation::NotRequired,
        filings: Vec::new(),
    };
    let mut decision = clearance(
        &[],
        &no_returns,
        purpose,
        as_of,
        &VigilanceParams::standard(),
    );
    decision.reasons.retain(|r| r.rule != VIG_2.id);
    decision.reasons.push(Reason::new(
        &VIG_2,
        "annual property returns not examined: they are not yet on record in CSCMS",
    ));
    Ok(decision)
}
