//! Rotation transfer (ROT-1, ROT-2) with spouses posted together (SPO-1).
//!
//! - [`eligibility`]: who must rotate, by minimum tenure in the present
//!   ministry and the exemptions (ROT-2).
//! - [`allocation`]: the allocation of a round, officer-proposing deferred
//!   acceptance per grade with one published priority (ROT-1, ROT-2, SPO-1).
//! - [`couples`]: what the spouse-posting OM says of two officers of a round (SPO-1).
//! - [`params`]: the dated tenure table and exemption spans, with their source.
//! - [`round`]: a round's dates and window, and the rules on an officer's list (ROT-1).

pub mod allocation;
pub mod couples;
pub mod eligibility;
pub mod groups;
pub mod params;
pub mod representation;
pub mod round;

#[cfg(test)]
mod properties;

pub use allocation::{
    allocate, Allocation, AllocationError, AllocationInput, Couple, CoupleOutcome, Group,
    JointChoice, Ministry, Officer, OfficerResult, Placement, Remaining, PRIORITY_RULE,
};
pub use eligibility::{
    check_outlook_date, evaluate_rotation, in_ministry_since, on_deputation_since,
    promotion_likely_on, OutlookDateRefusal, RotationError, RotationInput, RotationOutcome,
    RotationStatus,
};
pub use groups::check_groups;
