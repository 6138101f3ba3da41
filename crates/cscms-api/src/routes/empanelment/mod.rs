//! Central Staffing Scheme empanelment at JS level: batches, the cadre
//! controlling authorities' proposals (CSS-10), stored runs (CSS-3, CSS-4)
//! with what moved since the previous run, and reviews due (CSS-8).
//! DoPT's business: integration clients only with an empanelment scope.

pub mod batches;
pub mod input;
pub mod proposals;
pub mod reviews;
pub mod rules;
pub mod runs;
pub mod view;

use cscms_domain::principal::Principal;

pub use view::{RunInputs, RunProposal};

use crate::error::ApiError;

/// Reading batches, proposals, runs and reviews: DoPT, or a client with an empanelment scope.
pub(crate) fn may_read(who: &Principal) -> Result<(), ApiError> {
    if who.may_read_empanelment() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Empanelment is for DoPT; integration clients need the scope empanelment:read.",
        ))
    }
}

/// Creating batches, sending proposals, running: DoPT, or a client with empanelment:write.
pub(crate) fn may_manage(who: &Principal) -> Result<(), ApiError> {
    if who.may_manage_empanelment() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Batches, proposals and runs are made by DoPT; integration clients need the scope empanelment:write.",
        ))
    }
}

pub(crate) fn batch_not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("Batch {id}"))
}

/// A stored value that cannot be read: a fault, logged, never shown.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("{what}: {e}"))
}
