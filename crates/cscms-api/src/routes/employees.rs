//! Employee records, in the caller's scope.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cadre::{self, Cadre};
use cscms_domain::employee::{EmployeeCode, ServiceEventKind};
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::{visibility, Family, RecordPlace};
use cscms_store::employees::{EmployeeFilter, EmployeeListed, EmployeeRow, ServiceEventRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::utc;
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::page_cache::{EmployeePageKey, Found, KeptRecord, Page};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct EmployeePay {
    /// 7th CPC pay matrix level.
    #[schema(example = "8")]
    pub level: String,
    /// Cell of the level.
    #[schema(example = 4)]
    pub cell: i32,
}

#[derive(Serialize, ToSchema)]
pub struct Station {
    #[schema(example = "New Delhi")]
    pub name: String,
    #[schema(example = "Delhi")]
    pub state: String,
}

/// An employee as listed.
#[derive(Serialize, ToSchema)]
pub struct EmployeeSummary {
    #[schema(example = "CSS-000042")]
    pub code: String,
    pub name: String,
    pub cadre: Cadre,
    /// Grade code (see `data/reference/cadre_grades.csv`).
    #[schema(example = "SO")]
    pub grade: String,
    pub grade_name: String,
    #[schema(example = "B")]
    pub group: String,
    pub pay: EmployeePay,
    pub organisation_id: String,
    pub station: Station,
    #[serde(serialize_with = "super::utc_json")]
    pub updated_at: DateTime<Utc>,
}

impl From<EmployeeRow> for EmployeeSummary {
    fn from(r: EmployeeRow) -> Self {
        EmployeeListed::from(r).into()
    }
}

impl From<EmployeeListed> for EmployeeSummary {
    fn from(r: EmployeeListed) -> Self {
        let cadre = r.cadre;
        let grade_name = cadre::grade(cadre, &r.grade)
            .map(|g| g.name.clone())
            .unwrap_or_else(|_| r.grade.clone());
        Self {
            code: r.code.into(),
            name: r.name,
            cadre,
            grade: r.grade,
            grade_name,
            group: r.service_group,
            pay: EmployeePay {
                level: r.pay_level,
                cell: r.pay_cell,
            },
            organisation_id: r.org_id.into(),
            station: Station {
                name: r.station,
                state: r.station_state,
            },
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ServiceEvent {
    pub kind: ServiceEventKind,
    pub effective_on: NaiveDate,
    pub from_grade: Option<String>,
    pub to_grade: Option<String>,
    pub from_level: Option<String>,
    pub to_level: Option<String>,
    pub from_grade_pay: Option<i32>,
    pub to_grade_pay: Option<i32>,
    /// The order that made the change.
    pub order_ref: String,
    pub remarks: Option<String>,
}

impl From<ServiceEventRow> for ServiceEvent {
    fn from(r: ServiceEventRow) -> Self {
        Self {
            kind: r.kind,
            effective_on: r.effective_on,
            from_grade: r.from_grade,
            to_grade: r.to_grade,
            from_level: r.from_level,
            to_level: r.to_level,
            from_grade_pay: r.from_grade_pay,
            to_grade_pay: r.to_grade_pay,
            order_ref: r.order_ref,
            remarks: r.remarks,
        }
    }
}

/// One employee in full, with the service history.
#[derive(Serialize, ToSchema)]
pub struct EmployeeDetail {
    #[serde(flatten)]
    pub summary: EmployeeSummary,
    pub date_of_birth: NaiveDate,
    pub joined_government_on: NaiveDate,
    pub joined_entry_grade_on: NaiveDate,
    pub joined_present_grade_on: NaiveDate,
    #[schema(example = "female")]
    pub gender: String,
    #[schema(example = "UR")]
    pub category: String,
    pub service_history: Vec<ServiceEvent>,
}

#[derive(Serialize, ToSchema)]
pub struct EmployeePage {
    pub items: Vec<EmployeeSummary>,
    /// The next page, or null on the last one.
    #[schema(example = "/v1/employees?cursor=CSS-000050&limit=50")]
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this organisation (exact id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// CSS, CSSS or CSCS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cadre: Option<String>,
    /// Grade code, e.g. SO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Part of the name or the code, any case.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Parses the query into a store filter, listing every bad parameter.
fn parse_query(q: &ListQuery) -> Result<(EmployeeFilter, Option<String>, u32), ApiError> {
    let mut errors = Vec::new();
    let cadre = match q.cadre.as_deref().map(str::parse::<Cadre>) {
        Some(Err(e)) => {
            errors.push(FieldError::new("query.cadre", "invalid", e.to_string()));
            None
        }
        Some(Ok(c)) => Some(c),
        None => None,
    };
    if let Some(g) = &q.grade {
        let known = match cadre {
            Some(c) => cadre::grade(c, g).is_ok(),
            None => Cadre::ALL.iter().any(|c| cadre::grade(*c, g).is_ok()),
        };
        if !known {
            errors.push(FieldError::new(
                "query.grade",
                "invalid",
                format!("unknown grade '{g}'"),
            ));
        }
    }
    if let Some(Err(e)) = q.org.as_deref().map(OrgId::parse) {
        errors.push(FieldError::new("query.org", "invalid", e.to_string()));
    }
    if q.q.as_ref().is_some_and(|s| s.chars().count() > 100) {
        errors.push(FieldError::new(
            "query.q",
            "too_long",
            "at most 100 characters",
        ));
    }
    if let Some(Err(e)) = q.cursor.as_deref().map(EmployeeCode::parse) {
        errors.push(FieldError::new("query.cursor", "invalid", e.to_string()));
    }
    let limit = super::paging::limit(q.limit).unwrap_or_else(|e| {
        errors.push(e);
        super::paging::DEFAULT_LIMIT
    });
    if !errors.is_empty() {
        return Err(ApiError::bad_query(errors));
    }
    let filter = EmployeeFilter {
        org: q.org.clone(),
        cadre: cadre.map(|c| c.as_str().to_owned()),
        grade: q.grade.as_ref().map(|g| g.to_ascii_uppercase()),
        q: q.q.clone(),
    };
    Ok((filter, q.cursor.clone(), limit))
}

/// List employees
///
/// Employees in the caller's scope, by code, a page at a time. Employees
/// see themselves; nodal officers their organisation and the bodies under
/// it; AVD and DoPT everyone.
#[utoipa::path(tag = "employees", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of employees; `Link` names the next page", body = EmployeePage, headers(("Link" = String, description = "rel=\"next\" when there is a next page")))))]
#[get("/employees")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (filter, cursor, limit) = parse_query(&query)?;
    let visibility = visibility(&who, Family::ServiceRecord);
    let fetch = super::paging::fetch(limit);
    // A page by index is a short read (inline on the embedded database);
    // a name search scans, so it goes to the blocking pool.
    let searching = filter.q.as_deref().is_some_and(|q| !q.is_empty());
    let key = EmployeePageKey {
        visibility,
        filter,
        cursor,
        limit,
    };
    // The version first, then the page: a page read after the version is
    // at least as new, so keeping it under that version never serves a
    // page older than the version says (see `page_cache`).
    let found = AppState::kept_or_read(
        &state,
        &state.employee_pages,
        key,
        searching,
        move |c, key| {
            cscms_store::employees::listing(
                c,
                &key.visibility,
                &key.filter,
                key.cursor.as_deref(),
                fetch,
            )
        },
    )
    .await?;
    let (version, key, rows) = match found {
        Found::Kept { kept, .. } => return Ok(kept.respond()),
        Found::Read { version, key, read } => (version, key, read),
    };
    let (rows, more) = super::paging::split(rows, limit);
    let next = match (more, rows.last()) {
        (true, Some(last)) => {
            let next_query = ListQuery {
                cursor: Some(last.code.to_string()),
                limit: Some(limit),
                ..query
            };
            super::paging::next_link("/v1/employees", &next_query)
        }
        _ => None,
    };
    let page = std::sync::Arc::new(Page::new(
        next.as_deref(),
        &EmployeePage {
            items: rows.into_iter().map(EmployeeSummary::from).collect(),
            next: next.clone(),
        },
    )?);
    state.employee_pages.put(version, key, page.clone());
    Ok(page.respond())
}

/// Read an employee
///
/// One employee with service history, if in the caller's scope.
#[utoipa::path(tag = "employees", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042")),
    responses((status = 200, description = "The employee with service history", body = EmployeeDetail)))]
#[get("/employees/{code}")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::not_found(format!("Employee {code}"));
    let key = EmployeeCode::parse(&code).map_err(|_| not_found())?;
    // Kept under the version read before it, as list pages are; the
    // caller's scope is checked against the kept place each time.
    let found = AppState::kept_or_read(&state, &state.employee_records, key, false, |c, key| {
        cscms_store::employees::get_with_history(c, key)
    })
    .await?;
    let (key, record) = match found {
        Found::Kept { key, kept } => (key, kept),
        Found::Read { read: None, .. } => return Err(not_found()),
        Found::Read {
            version,
            key,
            read: Some((placed, history)),
        } => {
            let record = std::sync::Arc::new(KeptRecord {
                org: placed.record.org_id.clone(),
                org_parent: placed.org_parent,
                page: Page::new(None, &EmployeeDetail::of(placed.record, history))?,
            });
            state
                .employee_records
                .put(version, key.clone(), record.clone());
            (key, record)
        }
    };
    let place = RecordPlace {
        org: &record.org,
        org_parent: record.org_parent.as_ref(),
        employee: &key,
        shared_with: None,
    };
    crate::scope::ensure_visible(&who, Family::ServiceRecord, place, || {
        format!("Employee {code}")
    })?;
    Ok(record.page.respond())
}

impl EmployeeDetail {
    fn of(r: EmployeeRow, history: Vec<ServiceEventRow>) -> Self {
        Self {
            date_of_birth: r.date_of_birth,
            joined_government_on: r.joined_government_on,
            joined_entry_grade_on: r.joined_entry_grade_on,
            joined_present_grade_on: r.joined_present_grade_on,
            gender: r.gender.as_str().to_owned(),
            category: r.category.as_str().to_owned(),
            summary: EmployeeSummary::from(r),
            service_history: history.into_iter().map(ServiceEvent::from).collect(),
        }
    }
}
