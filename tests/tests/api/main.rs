//! End-to-end tests of the CSCMS API through the whole actix app, each on
//! its own fresh database (run in parallel).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod auth;
mod contract;
mod deputation;
mod employees;
mod errors;
mod foreign_visits;
mod migrations;
mod organisations;
mod profile;
mod scope;
mod workflow_support;
