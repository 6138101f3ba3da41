//! Central Staffing Scheme JS-level empanelment (CSS-1..CSS-10).
//!
//! Pure engines, no IO: the store loads the proposals of a batch and hands
//! them over with an as-of date.
//!
//! - [`apar`]: APAR periods, gradings, expert-panel gradings, reporting years.
//! - [`score`]: the CSS-2 weighted average score.
//! - [`eligibility`]: the proposal of an officer and CSS-1, 5, 6, 7, 8, 10.
//! - [`batch`]: the batch under consideration and its representation inputs.
//! - [`panel`]: the panel run: ranking, cut-off (CSS-3), pull-ups (CSS-4).
//! - [`compare`]: what moved between two runs of a batch.
//! - [`reconcile`]: an APAR written over the one on record (sources, what is kept).
//! - [`reviews`]: considerations made by runs, and reviews falling due (CSS-8).
//! - [`services`]: the participating services (CSS-9, data).
//! - [`parameters`]: dated parameters with their sources.
//!
//! `docs/rules/empanelment.md` states every parameter and assumption.

pub mod apar;
pub mod batch;
pub mod compare;
pub mod eligibility;
pub mod panel;
pub mod parameters;
pub mod reconcile;
pub mod reviews;
pub mod score;
pub mod services;

#[cfg(test)]
mod fixtures;

use chrono::NaiveDate;

pub use apar::{
    Apar, AparError, AparGrade, ExpertPanelGrading, Grading, GradingSource, NumericGrade, Period,
    ReportingYear, Representation, RepresentationMisfit,
};
pub use batch::{Batch, CategoryCount, CategoryShare, PrecedingBatch, RepCategory};
pub use compare::{compare_runs, Change, OfficerMove, Placement, RunComparison};
pub use eligibility::{
    assess, retirement_date, review_standing, special_review_ground, ConsiderationKind,
    Eligibility, EligibilityStatus, ForeignAssignment, PastConsideration, PastOutcome, Proposal,
    ProposalSource, ReviewStanding, SagStatus, SpecialReviewGround, Standing, Vigilance,
    VigilanceGround,
};
pub use panel::{run_panel, OfficerResult, PanelOutcome, PanelRun, RepresentationCheck};
pub use reconcile::{reconcile, AparSource, Reconciled};
pub use reviews::{
    gather, join_recorded_history, reviews_due, OfficerHistory, ReviewDue, RunRecord,
};
pub use score::{
    check_overlaps, score, Gap, GapReason, GradingUse, Score, ScoreOutcome, YearRole, YearUse,
};
pub use services::{participating_services, service, Service, ServiceKind};

/// Why a batch could not be run at all. Problems of one officer's standing
/// are not errors: they are reasons in that officer's result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmpanelmentError {
    #[error("unknown service '{0}': not a participating service (CSS-9) nor CSS")]
    UnknownService(String),
    #[error("officer {0} is proposed twice in the batch")]
    DuplicateOfficer(String),
    #[error("panel size must be at least 1")]
    EmptyPanel,
    #[error("at most 3 preceding batches count for representation (CSS-4), got {0}")]
    TooManyPrecedingBatches(usize),
    #[error("invalid representation input: {0}")]
    InvalidRepresentation(String),
    #[error("APAR record of officer {officer}: {source}")]
    Apar { officer: String, source: AparError },
    #[error("no {what} in force on {on}")]
    NoParameter { what: &'static str, on: NaiveDate },
}
