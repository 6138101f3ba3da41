//! Surplus Cell NOC/NAC requisitions (SUR-1; seed 004, DoPT OM No.
//! 1/1/2017-R&R and DC of 03.04.2019 and its proforma).
//!
//! Under Rule 3 of the CCS (Redeployment of Surplus Staff) Rules 1990 an
//! office filling a post by direct recruitment first asks DoPT's Surplus
//! Cell (now the R&R division) for a No Objection or Non-Availability
//! Certificate. The OM exists because requests arrived incomplete, so:
//!
//! - [`proforma`]: the requisition as the revised proforma, typed: an
//!   incomplete one cannot be made (every check names its field);
//! - [`route`]: draft → submitted → forwarded through the cadre controlling
//!   authority → with DoPT → NOC, NAC, nominated or returned;
//! - [`clock`]: certificate 11, appointment of a nominated surplus employee
//!   within three months of nomination.

pub mod clock;
pub mod proforma;
pub mod route;

pub use clock::{
    appointment_due, is_overdue, nominate, AppointmentDue, Nominee, OverdueCursor,
    APPOINTMENT_PERIOD,
};
pub use proforma::{parse, Requisition, RequisitionInput, StoredRequisition};
pub use route::{SurAction, SurState, SURPLUS_REQUISITION};
