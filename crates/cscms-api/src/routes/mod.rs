//! Handlers, one module per resource. Each is thin: extract, parse into
//! domain types, call the store, answer.

pub mod audit;
pub mod deputation;
pub mod employees;
pub mod foreign_visits;
pub mod health;
pub mod me;
pub mod organisations;
pub mod profile;
pub mod workflow;
pub mod working_strength;

use actix_web::{HttpMessage, HttpRequest};
use chrono::{DateTime, NaiveDateTime, Utc};
use cscms_domain::principal::Principal;
use cscms_store::audit::Actor;

use crate::request_id::RequestId;

/// Stored timestamps are UTC; the contract gives them with an offset.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The audit actor (PRF-4) for a request.
pub fn actor(who: &Principal, req: &HttpRequest) -> Actor {
    Actor {
        sub: who.sub.clone(),
        role: who.role.as_str().to_owned(),
        request_id: req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
    }
}
