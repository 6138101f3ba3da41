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

pub use view::{RunInputs, RunProposal};

use crate::error::ApiError;

pub(crate) fn batch_not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("Batch {id}"))
}

/// A stored value that cannot be read: a fault, logged, never shown.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("{what}: {e}"))
}
