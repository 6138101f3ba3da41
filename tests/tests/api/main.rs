//! End-to-end tests of the CSCMS API through the whole actix app, each on
//! its own fresh database (run in parallel).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod conformance;

mod apar;
mod apar_bulk;
mod auth;
mod changes;
mod clearance_condition;
mod clients;
mod contract;
mod delpge;
mod deputation;
mod empanelment;
mod employees;
mod errors;
mod exgratia;
mod foreign_visits;
mod hostile_input;
mod http;
mod idempotency;
mod interests;
mod ipr;
mod migrations;
mod operations;
mod organisations;
mod prints;
mod profile;
mod ratelimit;
mod rotation;
mod rotation_couples;
mod rotation_rounds;
mod rti;
mod rules;
mod scope;
mod scope_matrix;
mod spouse_postings;
mod stored_data;
mod stored_data_b;
mod stored_data_rot;
mod surplus;
mod vigilance;
mod webhooks;
mod workflow_support;
mod working_strength;
mod write_load;
