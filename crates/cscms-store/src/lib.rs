//! CSCMS storage: diesel over SQLite (embedded default) and PostgreSQL
//! (production), through one code path.
//!
//! Every function here is synchronous; the API runs them on the blocking pool
//! (short reads on embedded SQLite inline, see `AppState::read`).

pub mod apars;
pub mod audit;
pub mod career;
pub mod changes;
pub mod clients;
pub mod dates;
pub mod db;
pub mod delpge;
pub mod deputation;
pub mod empanelment;
pub mod employees;
mod error;
pub mod exgratia;
mod fixed;
pub mod foreign_visits;
pub mod idempotency;
pub mod interests;
pub mod ipr;
pub mod json;
mod keyset;
pub mod list_versions;
pub mod macp_due;
pub mod migrate;
pub mod organisations;
pub mod prints;
pub mod profiles;
pub mod promotion_outlooks;
pub mod rate_limits;
pub mod rotation;
pub mod rti;
pub mod schema;
mod scope;
pub mod seed;
pub mod spouse_postings;
pub mod steps;
pub mod surplus;
pub mod testing;
pub mod vigilance;
pub mod webhooks;
pub mod working_strength;

pub use db::{connect_pool, ping, DbConn, DbPool, DbUrl};
pub use error::{refusals, StoreError};
