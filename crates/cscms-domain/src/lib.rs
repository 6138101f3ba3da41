//! Pure rules of CSCMS: types, engines and decisions.
//!
//! Nothing here does IO. Every engine takes the records it needs and an as-of
//! date, and returns a [`decision::Decision`] whose reasons cite the rule ids of
//! `SPEC.md` and the orders they rest on (see [`rules`]).

pub mod cadre;
pub mod client;
pub mod country;
pub mod cursor;
pub mod decision;
pub mod deputation;
pub mod empanelment;
pub mod employee;
pub mod exgratia;
pub mod feed;
pub mod fields;
pub mod foreign_visit;
pub mod interests;
pub mod organisation;
pub mod params;
pub mod pay;
pub mod place;
pub mod principal;
pub mod profile;
pub mod rotation;
pub mod rti;
pub mod rules;
pub mod scope;
pub mod service_years;
pub mod spouse_posting;
pub mod spouse_request;
mod sql;
pub mod surplus;
pub mod text;
pub mod trn;
pub mod vigilance;
pub mod webhook;
pub mod workflow;
pub mod working_strength;
