//! Vigilance status (VIG-1) and the clearance every service asks for (VIG-2).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Reason;
use cscms_domain::scope::{Family, Op};
use cscms_domain::vigilance::{
    status_in_force, Clearance, ClearanceGround, ClearancePurpose, IprYearCheck, NotClearKind,
    StatusKind, VigilanceState, VigilanceStatus, VigilanceStatusInput,
};
use cscms_store::vigilance::VigilanceStatusRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationErrors};

use super::{actor, utc, visible_employee};
use crate::auth::Auth;
use crate::clearance;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::scope::authorize;
use crate::state::AppState;

/// One recorded vigilance status.
#[derive(Clone, Serialize, ToSchema)]
pub struct VigilanceRecord {
    pub id: i64,
    pub status: StatusKind,
    /// For `not_clear` only.
    pub reason: Option<NotClearKind>,
    /// For reason `other` only.
    pub reason_text: Option<String>,
    pub effective_from: NaiveDate,
    /// The order or letter recording it (absent only for `awaited`).
    #[schema(example = "AVD-I/123/2024 dated 01.04.2024")]
    pub order_ref: Option<String>,
    /// Who recorded it (token subject) and in which role.
    pub recorded_by: String,
    #[schema(example = "avd")]
    pub recorded_role: String,
    pub recorded_at: DateTime<Utc>,
}

impl VigilanceRecord {
    fn new(row: VigilanceStatusRow, status: &VigilanceStatus) -> Self {
        let (reason, reason_text) = match status.state() {
            VigilanceState::NotClear(r) => (Some(r.kind()), r.text().map(str::to_owned)),
            _ => (None, None),
        };
        Self {
            id: row.id,
            status: status.state().kind(),
            reason,
            reason_text,
            effective_from: status.effective_from(),
            order_ref: status.order_ref().map(str::to_owned),
            recorded_by: row.recorded_by,
            recorded_role: row.recorded_role.as_str().to_owned(),
            recorded_at: utc(row.recorded_at),
        }
    }
}

/// An employee's vigilance status: the record in force and the whole history.
#[derive(Serialize, ToSchema)]
pub struct VigilanceStatusView {
    #[schema(example = "CSS-000042")]
    pub employee: String,
    /// The date `current` is judged on: today (IST).
    pub as_of: NaiveDate,
    /// The record in force on `as_of` (VIG-1): the latest effective on or
    /// before it; of records with the same date, the one recorded last.
    /// Null when none is in force yet.
    pub current: Option<VigilanceRecord>,
    /// Every record, the most recently recorded first; none is ever removed.
    pub history: Vec<VigilanceRecord>,
}

/// The body of a new status record: the domain's input shape, checked by
/// its parser (every bad field at once) rather than by `validator`.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct StatusBody(VigilanceStatusInput);

impl Validate for StatusBody {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// Record a vigilance status
///
/// Records a vigilance status (VIG-1): the nodal officer of the employee's
/// organisation (or of the ministry above it) and AVD. The history is
/// append-only; the latest record in force wins. Audited.
#[utoipa::path(tag = "vigilance", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042")),
    request_body = VigilanceStatusInput,
    responses(
        (status = 201, description = "The new record; `Location` names the status", body = VigilanceRecord, headers(("Location" = String))),
        (status = 403, description = "The caller sees the employee but may not record a status (employee, DoPT CS division, integration client)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/employees/{code}/vigilance-status")]
pub async fn record(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    ValidJson(StatusBody(body)): ValidJson<StatusBody>,
) -> Result<HttpResponse, ApiError> {
    let (code, employee) = visible_employee(&state, &who, Family::Vigilance, &code).await?;
    authorize(&who, Op::RecordVigilanceStatus)?;
    let status =
        VigilanceStatus::parse_new(&body, clearance::today(), employee.joined_government_on)
            .map_err(|e| ApiError::fields("body", e))?;
    let actor = actor(&who, &req);
    let key = code.as_str().to_owned();
    let org = employee.org_id.to_string();
    let stored = status.clone();
    let row = state
        .db(move |c| cscms_store::vigilance::record(c, &actor, &key, &org, &stored))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/employees/{code}/vigilance-status")))
        .json(VigilanceRecord::new(row, &status)))
}

/// Read vigilance status and history
///
/// The employee's vigilance status in force today and its full history.
/// Employees see their own; nodal officers their organisation's; AVD and
/// DoPT everyone's.
#[utoipa::path(tag = "vigilance", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042")),
    responses((status = 200, description = "The status in force today and the full history", body = VigilanceStatusView)))]
#[get("/employees/{code}/vigilance-status")]
pub async fn current_status(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (code, _) = visible_employee(&state, &who, Family::Vigilance, &code).await?;
    let key = code.as_str().to_owned();
    let rows = state
        .db(move |c| cscms_store::vigilance::history(c, &key))
        .await?;
    let records = rows
        .iter()
        .map(VigilanceStatusRow::to_domain)
        .collect::<Result<Vec<_>, _>>()?;
    let as_of = clearance::today();
    let current = status_in_force(&records, as_of)
        .and_then(|s| records.iter().position(|r| std::ptr::eq(r, s)));
    let mut history: Vec<VigilanceRecord> = rows
        .into_iter()
        .zip(&records)
        .map(|(row, s)| VigilanceRecord::new(row, s))
        .collect();
    let current = current.and_then(|i| history.get(i).cloned());
    history.reverse();
    Ok(HttpResponse::Ok().json(VigilanceStatusView {
        employee: code.to_string(),
        as_of,
        current,
        history,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClearanceQuery {
    /// `YYYY-MM-DD`; default today (IST).
    pub as_of: Option<String>,
    /// nfs, macp, deputation, foreign_visit, empanelment or general (default).
    pub purpose: Option<String>,
}

/// A clearance decision with its reasons (rule ids and the orders cited).
#[derive(Serialize, ToSchema)]
pub struct ClearanceView {
    #[schema(example = "CSS-000042")]
    pub employee: String,
    pub as_of: NaiveDate,
    pub purpose: ClearancePurpose,
    /// `deferred`: not decidable yet (status awaited or none recorded).
    pub clearance: Clearance,
    /// Every ground found against clearing, denials and deferrals alike.
    pub grounds: Vec<ClearanceGround>,
    /// The status record in force on `as_of`.
    #[schema(value_type = Option<VigilanceStatusInput>)]
    pub status_in_force: Option<VigilanceStatus>,
    /// The annual returns VIG-2 examined, latest first.
    pub ipr_years: Vec<IprYearCheck>,
    pub reasons: Vec<Reason>,
}

/// Vigilance clearance for a purpose and date
///
/// The vigilance clearance of an employee for a purpose on a date (VIG-1,
/// VIG-2): `cleared`, `denied` or `deferred`, with every reason. The same
/// decision every service (NFS, deputation, foreign visit, empanelment)
/// takes.
#[utoipa::path(tag = "vigilance", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042"), ClearanceQuery),
    responses((status = 200, description = "The clearance with its reasons", body = ClearanceView)))]
#[get("/employees/{code}/vigilance-clearance")]
pub async fn clearance_of(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<ClearanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let (as_of, purpose) = parse_clearance_query(&query)?;
    let (code, _) = visible_employee(&state, &who, Family::Vigilance, &code).await?;
    let d = clearance::for_employee(&state, &code, purpose, as_of).await?;
    Ok(HttpResponse::Ok().json(ClearanceView {
        employee: code.to_string(),
        as_of: d.as_of,
        purpose: d.outcome.purpose,
        clearance: d.outcome.clearance,
        grounds: d.outcome.grounds,
        status_in_force: d.outcome.status_in_force,
        ipr_years: d.outcome.ipr_years,
        reasons: d.reasons,
    }))
}

fn parse_clearance_query(q: &ClearanceQuery) -> Result<(NaiveDate, ClearancePurpose), ApiError> {
    let mut errors = Vec::new();
    let as_of = match q.as_of.as_deref() {
        None => Some(clearance::today()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| {
                errors.push(FieldError::new(
                    "query.as_of",
                    "invalid",
                    format!("'{s}' is not a date (YYYY-MM-DD)"),
                ))
            })
            .ok(),
    };
    let purpose = match q.purpose.as_deref() {
        None => Some(ClearancePurpose::General),
        Some(s) => s
            .parse::<ClearancePurpose>()
            .map_err(|e| {
                let all: Vec<&str> = ClearancePurpose::ALL.iter().map(|p| p.as_str()).collect();
                errors.push(FieldError::new(
                    "query.purpose",
                    "invalid",
                    format!("{e}; one of: {}", all.join(", ")),
                ))
            })
            .ok(),
    };
    match (as_of, purpose) {
        (Some(a), Some(p)) if errors.is_empty() => Ok((a, p)),
        _ => Err(ApiError::bad_query(errors)),
    }
}
