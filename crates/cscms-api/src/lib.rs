//! The CSCMS HTTP API: actix-web handlers over the domain rules and the
//! store, with the OpenAPI contract generated from the same code.

pub mod app;
pub mod auth;
pub mod career;
pub mod clearance;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod gate;
pub mod http_cache;
pub mod idempotency;
pub mod input;
pub mod keys;
pub mod oauth;
pub mod openapi;
pub mod page_cache;
pub mod print;
pub mod provider_keys;
pub mod ratelimit;
pub mod request_id;
pub mod retention;
pub mod routes;
pub mod scope;
pub mod state;
pub mod telemetry;
pub mod versioning;
pub mod webhooks;

pub use app::{app, openapi};
