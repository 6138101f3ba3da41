//! The one vigilance clearance every service asks for (VIG-1, VIG-2).

use chrono::NaiveDate;
use cscms_domain::decision::Decision;
use cscms_domain::vigilance::{
    clearance, ClearanceOutcome, ClearancePurpose, IprRecord, VigilanceParams,
};

use crate::error::ApiError;
use crate::state::AppState;

/// The clearance of a stored employee for a purpose, as of a date.
pub async fn for_employee(
    _state: &AppState,
    _code: &str,
    purpose: ClearancePurpose,
    as_of: NaiveDate,
) -> Result<Decision<ClearanceOutcome>, ApiError> {
    // Loads stored history once the vigilance store lands (issue 5): until
    // then no status is on record, which the engine answers with `deferred`.
    Ok(clearance(
        &[],
        &IprRecord::default(),
        purpose,
        as_of,
        &VigilanceParams::standard(),
    ))
}
