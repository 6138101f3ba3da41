//! Handlers, one module per resource. Each is thin: extract, parse into
//! domain types, call the store, answer.

pub mod apars;
pub mod audit;
pub mod career;
pub mod changes;
pub mod clients;
pub mod delpge;
pub mod deputation;
pub mod empanelment;
pub mod employees;
pub mod exgratia;
pub mod foreign_visits;
pub mod health;
pub mod interests;
pub mod ipr;
pub mod me;
pub mod oauth;
pub mod organisations;
pub mod paging;
pub mod prints;
pub mod profile;
pub mod promotion_outlooks;
pub mod rotation;
pub mod rti;
pub mod rules;
pub mod spouse_postings;
pub mod surplus;
pub mod telemetry;
pub mod vigilance;
pub mod webhooks;
pub mod workflow;
pub mod working_strength;

use actix_web::{HttpMessage, HttpRequest};
use chrono::{DateTime, NaiveDateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{Family, RecordPlace};
use cscms_store::audit::Actor;
use cscms_store::employees::{EmployeeRow, Placed, ServiceEventRow};

use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;

/// Stored timestamps are UTC; the contract gives them with an offset.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Writes a time in JSON as chrono does, by the store's formatter (a list
/// page holds one a row; bench/speed.md).
pub fn utc_json<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&cscms_store::dates::utc_text(t.naive_utc()))
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

/// The employee a path names, if the caller may see their records of
/// `family` by the one scope rule (`scope::sees`). Absent, malformed and out
/// of scope are the same 404, so nothing is learnt about records outside the
/// caller's scope.
pub async fn visible_employee(
    state: &AppState,
    who: &Principal,
    family: Family,
    code: &str,
) -> Result<(EmployeeCode, EmployeeRow), ApiError> {
    let (code, row, ()) = visible_employee_with(state, who, family, code, |_, _| Ok(())).await?;
    Ok((code, row))
}

/// [`visible_employee`], loading more about the employee in the same trip to
/// the database (`more` runs only for an existing employee; its result is
/// returned only if the caller may see them).
pub async fn visible_employee_with<T, F>(
    state: &AppState,
    who: &Principal,
    family: Family,
    code: &str,
    more: F,
) -> Result<(EmployeeCode, EmployeeRow, T), ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut cscms_store::DbConn, &EmployeeRow) -> Result<T, cscms_store::StoreError>
        + Send
        + 'static,
{
    visible_employee_by(state, who, family, code, move |c, key| {
        let Some(placed) = cscms_store::employees::get(c, key)? else {
            return Ok(None);
        };
        let extra = more(c, &placed.record)?;
        Ok(Some((placed, extra)))
    })
    .await
}

/// [`visible_employee`] with the service history, read in one statement.
pub async fn visible_employee_with_history(
    state: &AppState,
    who: &Principal,
    family: Family,
    code: &str,
) -> Result<(EmployeeCode, EmployeeRow, Vec<ServiceEventRow>), ApiError> {
    visible_employee_by(state, who, family, code, |c, key| {
        cscms_store::employees::get_with_history(c, key)
    })
    .await
}

/// The employee `load` finds by the path's code, and what it loaded with
/// them, if the caller may see their records of `family`; otherwise 404.
async fn visible_employee_by<T, F>(
    state: &AppState,
    who: &Principal,
    family: Family,
    code: &str,
    load: F,
) -> Result<(EmployeeCode, EmployeeRow, T), ApiError>
where
    T: Send + 'static,
    F: FnOnce(
            &mut cscms_store::DbConn,
            &EmployeeCode,
        ) -> Result<Option<(Placed<EmployeeRow>, T)>, cscms_store::StoreError>
        + Send
        + 'static,
{
    let not_found = || ApiError::not_found(format!("Employee {code}"));
    let parsed = EmployeeCode::parse(code).map_err(|_| not_found())?;
    let key = parsed.clone();
    let (placed, extra) = state
        .read(move |c| load(c, &key))
        .await?
        .ok_or_else(not_found)?;
    let place = RecordPlace {
        org: &placed.record.org_id,
        org_parent: placed.org_parent.as_ref(),
        employee: &parsed,
        shared_with: None,
    };
    crate::scope::ensure_visible(who, family, place, || format!("Employee {code}"))?;
    Ok((parsed, placed.record, extra))
}

/// Where a stored record of an employee is held, as its columns give it:
/// the organisation, its parent, the employee, and the organisation it is
/// shared with where its family shares (DEP-1: the borrower, once approved).
/// The store reads them as domain ids (unreadable is a 500 there).
pub(crate) struct StoredPlace<'a> {
    pub org: &'a OrgId,
    pub parent: Option<&'a OrgId>,
    pub employee: &'a EmployeeCode,
    pub shared_with: Option<&'a OrgId>,
}

/// The one check of a stored employee record against the caller's scope
/// for its family (`scope::sees`): 404 naming `what` when outside it.
pub(crate) fn ensure_sees_stored(
    who: &Principal,
    family: Family,
    at: StoredPlace<'_>,
    what: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    let place = RecordPlace {
        org: at.org,
        org_parent: at.parent,
        employee: at.employee,
        shared_with: at.shared_with,
    };
    crate::scope::ensure_visible(who, family, place, what)
}

/// Whether a content-negotiated GET is asked for its print (PRF-5, IPR-1,
/// FV-1, DEP-1, the Surplus Cell): `Accept` names `application/pdf`.
pub(crate) fn wants_pdf(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|m| {
                m.split(';')
                    .next()
                    .is_some_and(|m| m.trim() == "application/pdf")
            })
        })
}

/// Marks the answer of a content-negotiated GET (the JSON or its print)
/// `Vary: Accept`, so that a cache keeps the two apart (RFC 9110 §12.5.5).
pub(crate) fn negotiated(
    res: Result<actix_web::HttpResponse, ApiError>,
) -> Result<actix_web::HttpResponse, ApiError> {
    res.map(|mut r| {
        r.headers_mut().append(
            actix_web::http::header::VARY,
            actix_web::http::header::HeaderValue::from_static("Accept"),
        );
        r
    })
}
