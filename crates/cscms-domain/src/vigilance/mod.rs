//! Vigilance status, immovable property returns and the clearance engine (VIG-1, VIG-2, IPR-1).
//!
//! - [`status`]: vigilance status records and the one in force on a date (VIG-1);
//! - [`ipr`]: annual returns as the engines see them, due dates, compliance by year (IPR-1);
//! - [`filing`]: filing a return: property entries, validation, lateness, revisions (IPR-1);
//! - [`clearance`]: the clearance engine (VIG-1, VIG-2);
//! - [`condition`]: the clearance as a condition of a step, and its override (VIG-2);
//! - [`params`]: the dated parameters and their orders.
//!
//! The rules, parameters and assumptions are written down in `docs/rules/vigilance.md`.

pub mod clearance;
pub mod condition;
pub mod filing;
pub mod ipr;
pub mod params;
pub mod status;

pub use clearance::{clearance, Clearance, ClearanceGround, ClearanceOutcome, ClearancePurpose};
pub use condition::{condition, ClearanceOverride, ConditionMet, Withheld};
pub use filing::{
    file_return, for_a_year_in_service, record_received, IprFiling, IprReceivedInput,
    IprReturnInput,
};
pub use ipr::{
    check_year, fallen_due_years, ipr_compliance, ipr_defaults, GradeStep, IprFilingSummary,
    IprObligation, IprRecord, IprYearCheck, IprYearState, Rule18Criteria, RULE_18_GROUPS,
};
pub use params::{IprDueRule, Vig2Rule, VigilanceParams};
pub use status::{
    status_in_force, NotClearKind, NotClearReason, StatusKind, VigilanceState, VigilanceStatus,
    VigilanceStatusInput,
};
