//! MACP and NFS of stored employees, and the MACP-due report.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use cscms_domain::decision::{Decision, Reason};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::pay::{self, MacpOutcome, NfsInput, NfsOutcome, Upgrade};
use cscms_domain::principal::Principal;
use cscms_domain::rotation::{self, RotationOutcome};
use cscms_domain::scope::{visibility, Family, Visibility};
use cscms_domain::vigilance::{Clearance, ClearancePurpose};
use cscms_store::career::macp_input;
use cscms_store::employees::{EmployeeRow, ServiceEventRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::pay_error;
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Decide as of this date (YYYY-MM-DD); default today in India (IST).
    pub as_of: Option<NaiveDate>,
}

/// Loads an employee and history the caller may see; otherwise 404.
async fn load(
    state: &AppState,
    who: &Principal,
    code: &str,
) -> Result<(EmployeeCode, EmployeeRow, Vec<ServiceEventRow>), ApiError> {
    super::visible_employee_with_history(state, who, Family::ServiceRecord, code).await
}

/// MACP/ACP position of an employee
///
/// The MACP/ACP position of an employee from the stored service history.
/// The vigilance status on record is fetched (VIG-1): while the clearance
/// for MACP is not `cleared`, a reason says that an upgradation fallen due
/// goes to the sealed-cover procedure.
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), AsOf),
    responses((status = 200, description = "The MACP/ACP decision from the stored service history", body = Decision<MacpOutcome>),
        (status = 422, description = "The history has no entry grade the engine knows", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/employees/{code}/macp")]
pub async fn employee_macp(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let (code, e, history) = load(&state, &who, &code).await?;
    let input = macp_input(&e, &history).ok_or_else(|| {
        ApiError::invalid(
            "path.code",
            "no_entry_grade",
            "the service history has no entry grade the pay engine knows",
        )
    })?;
    let as_of = q.as_of.unwrap_or_else(crate::clearance::today);
    let mut decision = pay::evaluate_macp(as_of, &input).map_err(pay_error)?;
    // VIG-1: the status on record is fetched for MACP as for every service.
    let vigilance =
        crate::clearance::for_employee(&state, &code, ClearancePurpose::Macp, as_of).await?;
    pay::note_vigilance(&mut decision, vigilance.outcome.clearance);
    Ok(HttpResponse::Ok().json(decision))
}

/// The vigilance clearance as the NFS decision used it.
#[derive(Serialize, ToSchema)]
pub struct ClearanceUsed {
    /// cleared, denied or deferred
    #[schema(example = "cleared")]
    pub clearance: String,
    pub reasons: Vec<Reason>,
}

#[derive(Serialize, ToSchema)]
pub struct EmployeeNfs {
    pub nfs: Decision<NfsOutcome>,
    pub vigilance: ClearanceUsed,
}

/// Non-functional scale of an employee
///
/// The non-functional scale of a stored SO (CSS) or PS (CSSS), with the
/// vigilance clearance fetched for it (NFS-1, VIG-1).
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), AsOf),
    responses((status = 200, description = "The NFS decision with the vigilance clearance it used", body = EmployeeNfs),
        (status = 422, description = "The employee's grade has no non-functional scale", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/employees/{code}/nfs")]
pub async fn employee_nfs(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let (code, e, _) = load(&state, &who, &code).await?;
    let as_of = q.as_of.unwrap_or_else(crate::clearance::today);
    let cadre = e.cadre;
    let vigilance =
        crate::clearance::for_employee(&state, &code, ClearancePurpose::Nfs, as_of).await?;
    let input = NfsInput {
        cadre,
        grade: e.grade.clone(),
        in_grade_since: e.joined_present_grade_on,
        assumed_duty_on: None,
        vigilance_clear: vigilance.outcome.clearance == Clearance::Cleared,
        present_pay: None,
        retired_on: None,
    };
    let nfs = pay::evaluate_nfs(as_of, &input).map_err(pay_error)?;
    Ok(HttpResponse::Ok().json(EmployeeNfs {
        nfs,
        vigilance: ClearanceUsed {
            clearance: vigilance.outcome.clearance.to_string(),
            reasons: vigilance.reasons,
        },
    }))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// First day of the window (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last day of the window (YYYY-MM-DD), at most 5 years after `from`.
    pub to: NaiveDate,
    /// Only this organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// 1-500, default 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct DueItem {
    pub code: String,
    pub name: String,
    pub organisation_id: String,
    pub grade: String,
    /// The upgrades falling due in the window.
    pub upgrades: Vec<Upgrade>,
    /// The vigilance clearance for MACP on the day the report is read
    /// (VIG-1): while not `cleared`, an upgrade that falls due goes to the
    /// sealed-cover procedure, not to a grant. Absent for a caller who does
    /// not read vigilance records (an integration client without
    /// `vigilance:read`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vigilance: Option<ClearanceUsed>,
}

#[derive(Serialize, ToSchema)]
pub struct DuePage {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the upgrades were placed as of: `to` (MACP-1).
    pub as_of: NaiveDate,
    /// The day the vigilance clearances were taken for (VIG-1): the day
    /// the report is read. Absent where the clearances are not shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clearance_as_of: Option<NaiveDate>,
    /// What the report rests on: MACP-1, and VIG-1 where clearances are shown.
    pub reasons: Vec<Reason>,
    pub items: Vec<DueItem>,
    pub next: Option<String>,
}

/// MACP upgrades falling due
///
/// Employees in the caller's scope with a financial upgrade not yet granted
/// falling due in the window (MACP-1), as the engine places them on the
/// stored histories as of `to`. Read from the due dates kept for each
/// employee, replaced with every change of the record and service history.
/// Each carries the vigilance status on record, as the clearance for MACP
/// on the day the report is read (VIG-1), for a caller who reads vigilance
/// records: an upgrade of an employee not cleared goes to the sealed cover.
#[utoipa::path(tag = "rules", security(("bearer" = [])), params(DueQuery),
    responses((status = 200, description = "Employees with an upgrade due in the window", body = DuePage)))]
#[get("/reports/macp-due")]
pub async fn macp_due(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<DueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let mut errors = Vec::new();
    if q.to < q.from || (q.to - q.from).num_days() > 5 * 366 {
        errors.push(FieldError::new(
            "query.to",
            "out_of_range",
            "on or after `from`, at most 5 years later",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        errors.push(FieldError::new(
            "query.limit",
            "out_of_range",
            "from 1 to 500",
        ));
    }
    if let Some(Err(e)) = q.org.as_deref().map(OrgId::parse) {
        errors.push(FieldError::new("query.org", "invalid", e.to_string()));
    }
    if let Some(Err(e)) = q.cursor.as_deref().map(EmployeeCode::parse) {
        errors.push(FieldError::new("query.cursor", "invalid", e.to_string()));
    }
    if !errors.is_empty() {
        return Err(ApiError::bad_query(errors));
    }
    let visibility = visibility(&who, Family::ServiceRecord);
    // The clearances are shown where the caller reads the vigilance records
    // of every employee the report may list (the scope table decides).
    let vigilance_seen = {
        let v = cscms_domain::scope::visibility(&who, Family::Vigilance);
        v == Visibility::All || v == visibility
    };
    let (org, from, to, cursor) = (q.org.clone(), q.from, q.to, q.cursor.clone());
    let today = crate::clearance::today();
    // An index range over the due dates kept for each employee (issue 17),
    // and the page's vigilance statuses in one statement.
    let (page, mut clearances) = state
        .db(move |c| {
            let page = cscms_store::macp_due::due(
                c,
                &visibility,
                org.as_deref(),
                (from, to),
                cursor.as_deref(),
                i64::from(limit),
            )?;
            let codes: Vec<EmployeeCode> = if vigilance_seen {
                page.iter().map(|(e, _)| e.code.clone()).collect()
            } else {
                Vec::new()
            };
            let clearances =
                crate::clearance::decide_all(c, &codes, ClearancePurpose::Macp, today)?;
            Ok((
                page,
                clearances
                    .into_iter()
                    .collect::<std::collections::HashMap<_, _>>(),
            ))
        })
        .await?;
    // A full page may have more after it.
    let next_cursor = page
        .last()
        .filter(|_| page.len() == limit as usize)
        .map(|(e, _)| e.code.to_string());
    let items = page
        .into_iter()
        .map(|(e, upgrades)| DueItem {
            vigilance: clearances.remove(&e.code).map(|d| ClearanceUsed {
                clearance: d.outcome.clearance.to_string(),
                reasons: d.reasons,
            }),
            code: e.code.into(),
            name: e.name,
            organisation_id: e.org_id.into(),
            grade: e.grade,
            upgrades,
        })
        .collect::<Vec<_>>();
    let next = next_cursor.and_then(|cursor| {
        let nq = DueQuery {
            cursor: Some(cursor),
            limit: Some(limit),
            ..q
        };
        serde_urlencoded::to_string(&nq)
            .ok()
            .map(|s| format!("/v1/reports/macp-due?{s}"))
    });
    let clearance_as_of = vigilance_seen.then_some(today);
    Ok(HttpResponse::Ok().json(DuePage {
        from,
        to,
        as_of: to,
        clearance_as_of,
        reasons: pay::macp::due_report_reasons((from, to), clearance_as_of),
        items,
        next,
    }))
}

/// Rotation eligibility of an employee
///
/// ROT-2 for a stored employee as of `as_of` (the date a round's process
/// starts; default today): tenure in the present ministry counted from the
/// latest appointment, absorption, repatriation or transfer in the service
/// history (else the date of joining Government); exempt where DoPT has
/// recorded that promotion is likely within a year of that date.
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), AsOf),
    responses((status = 200, description = "The ROT-2 decision from the stored service history", body = Decision<RotationOutcome>),
        (status = 422, description = "The stored record cannot be decided on", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/employees/{code}/rotation")]
pub async fn employee_rotation(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let (_, e, history) = load(&state, &who, &code).await?;
    let key = e.code.clone();
    let promotion = state
        .read(move |c| cscms_store::promotion_outlooks::dates(c, key.as_str()))
        .await?;
    let as_of = q.as_of.unwrap_or_else(crate::clearance::today);
    let input = crate::career::rotation_input(&e, &history, &promotion, as_of)
        .ok_or_else(|| ApiError::Internal(format!("stored cadre {} out of shape", e.cadre)))?;
    // A refusal that lies in the record (its date of birth) is the record's,
    // not the query's.
    let decision = rotation::evaluate_rotation(as_of, &input).map_err(|err| {
        let field = match crate::routes::rules::rotation_field(&err) {
            Some("date_of_birth") => "record.date_of_birth",
            _ => "query.as_of",
        };
        ApiError::invalid(field, "invalid", err.to_string())
    })?;
    Ok(HttpResponse::Ok().json(decision))
}
