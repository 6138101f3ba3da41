//! Annual immovable property returns (IPR-1): filing and revising, viewing,
//! printing, and the nodal officers' list of who has (not) filed.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::fields::FieldErrors;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{visibility, Family, Op};
use cscms_domain::vigilance::filing::{
    AcquisitionInput, CoOwnerInput, LocationInput, PropertyInput,
};
use cscms_domain::vigilance::{
    check_year, file_return, for_a_year_in_service, record_received, IprFiling, IprObligation,
    IprReceivedInput, IprReturnInput, IprYearState,
};
use cscms_store::ipr::{IprListFilter, IprReturnRow, PropertyDoc, ReturnOnRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationErrors};

use super::{actor, utc, visible_employee, visible_employee_with_history};
use crate::auth::Auth;
use crate::clearance;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::ValidJson;
use crate::print;
use crate::scope::authorize;
use crate::state::AppState;

/// One filed version of an annual return.
#[derive(Serialize, ToSchema)]
pub struct IprVersion {
    /// The calendar year (holdings as on its 31 December).
    #[schema(example = 2024)]
    pub year: i32,
    /// 0 for the original, n+1 for the revision of n.
    pub revision: i32,
    pub revises: Option<i32>,
    pub filed_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The return was first filed after its due date; its revisions keep this.
    pub late: bool,
    pub nil: bool,
    pub properties: Vec<PropertyInput>,
    /// Who filed it (token subject): the employee, or for a return received
    /// outside CSCMS the nodal officer or AVD who recorded it.
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    /// Set when the return was received outside CSCMS (on paper, before the
    /// system went live): the diary or receipt number or covering letter it
    /// came under. `filed_on` is then the day it was received; it was
    /// recorded by `filed_by`. Null for returns filed in CSCMS.
    pub receipt_ref: Option<String>,
}

/// A stored property entry in the shape it was filed in.
fn property_view(p: &PropertyDoc) -> PropertyInput {
    let (l, a) = (&p.location, &p.acquisition);
    PropertyInput {
        kind: p.kind.as_str().to_owned(),
        description: p.description.clone(),
        location: LocationInput {
            address: l.address.clone(),
            sub_division: l.sub_division.clone(),
            district: l.district.clone(),
            state: l.state.clone(),
            pin_code: l.pin_code.clone(),
            country: Some(l.country.clone()),
        },
        acquisition: AcquisitionInput {
            how: a.how.as_str().to_owned(),
            acquired_on: a.acquired_on.format("%Y-%m-%d").to_string(),
            from_whom: a.from_whom.clone(),
            cost: a.cost,
            details: a.details.clone(),
        },
        present_value: p.present_value,
        own_share_pct: p.own_share_pct,
        co_owners: p
            .co_owners
            .iter()
            .map(|o| CoOwnerInput {
                name: o.name.clone(),
                relationship: o.relationship.clone(),
                share_pct: o.share_pct,
            })
            .collect(),
        annual_income: p.annual_income,
        remarks: p.remarks.clone(),
    }
}

impl From<IprReturnRow> for IprVersion {
    fn from(r: IprReturnRow) -> Self {
        let properties = r.properties.iter().map(property_view).collect();
        Self {
            year: r.year,
            revision: r.revision,
            revises: r.revises,
            filed_on: r.filed_on,
            due_on: r.due_on,
            late: r.late,
            nil: r.nil,
            properties,
            filed_by: r.filed_by,
            filed_at: utc(r.filed_at),
            receipt_ref: r.receipt_ref,
        }
    }
}

/// One year's return with every version.
#[derive(Serialize, ToSchema)]
pub struct IprYear {
    pub year: i32,
    pub due_on: NaiveDate,
    pub late: bool,
    /// Every version, the latest revision first.
    pub versions: Vec<IprVersion>,
}

/// Every return an employee has filed.
#[derive(Serialize, ToSchema)]
pub struct IprReturns {
    #[schema(example = "CSS-000042")]
    pub employee: String,
    /// Latest year first.
    pub years: Vec<IprYear>,
}

/// A PDF file (A4), in the contract.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfDocument(pub Vec<u8>);

/// One year's return: the version in force and the ones it superseded.
#[derive(Serialize, ToSchema)]
pub struct IprYearDetail {
    #[schema(example = "CSS-000042")]
    pub employee: String,
    pub year: i32,
    pub due_on: NaiveDate,
    pub late: bool,
    pub latest: IprVersion,
    /// Earlier versions, the most recent first.
    pub history: Vec<IprVersion>,
}

/// A return being filed: the domain's input shape, checked by its filing
/// rules (every bad field at once) rather than by `validator`.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct ReturnBody(IprReturnInput);

impl Validate for ReturnBody {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// A return received outside CSCMS, checked like [`ReturnBody`].
#[derive(Deserialize)]
#[serde(transparent)]
pub struct ReceivedBody(IprReceivedInput);

impl Validate for ReceivedBody {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// A valid body that does not fit the returns on record (a stale or
/// missing `revises`, a second original) conflicts with the record, like a
/// failed `If-Match`: 409, so the client reloads and revises the latest.
fn filing_error(errors: FieldErrors) -> ApiError {
    if errors
        .iter()
        .all(|e| e.path == "revises" || e.path == "filed_on")
    {
        let detail: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        ApiError::Conflict {
            code: ProblemCode::RevisionConflict,
            detail: format!("{}.", detail.join("; ")),
        }
    } else {
        ApiError::fields("body", errors)
    }
}

/// File or revise a property return
///
/// Files the employee's own annual return for a year (IPR-1), or a revision
/// of it naming the latest version in `revises`. Filed today (IST); after
/// the due date the return is kept and marked late, unless it is for a year
/// the officer does not owe (a Group C officer's, or a year before a
/// promotion into Group B: Rule 18(1)(ii), VIG-2). Never edited in place.
/// Audited.
#[utoipa::path(tag = "ipr", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042")),
    request_body = IprReturnInput,
    responses(
        (status = 201, description = "The new version of the return; `Location` names it", body = IprVersion, headers(("Location" = String))),
        (status = 403, description = "Only the employee files their own return", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The profile has not been submitted (`profile_not_submitted`, PRF-1), or `revises` does not name the latest version on record (`revision_conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/employees/{code}/ipr")]
pub async fn file(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    ValidJson(ReturnBody(body)): ValidJson<ReturnBody>,
) -> Result<HttpResponse, ApiError> {
    let (code, employee, history) =
        visible_employee_with_history(&state, &who, Family::PropertyReturn, &code).await?;
    // IPR-1: nobody files it for them (an employee sees only their own
    // record, so this is theirs).
    authorize(&who, Op::FilePropertyReturn)?;
    crate::gate::require_profile_submitted(&state, &code).await?;
    let key = code.as_str().to_owned();
    let on_record = state
        .db(move |c| cscms_store::ipr::summaries(c, &key))
        .await?;
    let filing = for_a_year_in_service(
        file_return(&body, clearance::today(), &on_record, &clearance::params()),
        body.year,
        employee.joined_government_on,
        clearance::obligation(&employee, &history),
    )
    .map_err(filing_error)?;
    store_version(&state, &who, &req, &code, &employee.org_id, filing).await
}

/// Stores a version the domain accepted (audited, PRF-4) and answers 201
/// with it; a version number taken meanwhile is a `revision_conflict`.
async fn store_version(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    code: &EmployeeCode,
    org: &OrgId,
    filing: IprFiling,
) -> Result<HttpResponse, ApiError> {
    let actor = actor(who, req);
    let key = code.as_str().to_owned();
    let org = org.to_string();
    let row = state
        .db(move |c| cscms_store::ipr::file(c, &actor, &key, &org, &filing))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { detail, .. } => ApiError::Conflict {
                code: ProblemCode::RevisionConflict,
                detail,
            },
            e => e,
        })?;
    let year = row.year;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/employees/{code}/ipr/{year}")))
        .json(IprVersion::from(row)))
}

/// Record a property return received outside CSCMS
///
/// Records an annual return (or a revision of one) that the employee
/// handed in outside CSCMS — on paper, before the system went live, or
/// while the profile gate kept them out — with the date it was received
/// and its diary/receipt number or covering letter (IPR-1). The nodal
/// officer of the employee's organisation (or of the ministry above it) or
/// AVD records it; `filed_by` names them. The return is dated
/// `received_on`, so VIG-2 judges its timeliness on that date; every filing
/// rule holds as on that date, and it cannot be dated before a version
/// already on record. Never edited in place. Audited.
#[utoipa::path(tag = "ipr", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042")),
    request_body = IprReceivedInput,
    responses(
        (status = 201, description = "The new version of the return; `Location` names it", body = IprVersion, headers(("Location" = String))),
        (status = 403, description = "Only the nodal officer of the employee's organisation or AVD records a return received outside CSCMS", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such employee in the caller's scope", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`revises` does not name the latest version on record, or `received_on` is before a version on record (`revision_conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields, all at once: `received_on` after today or before the year was over, `receipt_ref`, the return's own fields", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/employees/{code}/ipr/received")]
pub async fn record_received_return(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    ValidJson(ReceivedBody(body)): ValidJson<ReceivedBody>,
) -> Result<HttpResponse, ApiError> {
    let (code, employee, history) =
        visible_employee_with_history(&state, &who, Family::PropertyReturn, &code).await?;
    // IPR-1: the office that received the return records it; no profile
    // gate, as this is not the employee asking for a service.
    authorize(&who, Op::RecordReceivedPropertyReturn)?;
    let key = code.as_str().to_owned();
    let on_record = state
        .db(move |c| cscms_store::ipr::summaries(c, &key))
        .await?;
    let filing = for_a_year_in_service(
        record_received(&body, clearance::today(), &on_record, &clearance::params()),
        body.year,
        employee.joined_government_on,
        clearance::obligation(&employee, &history),
    )
    .map_err(filing_error)?;
    store_version(&state, &who, &req, &code, &employee.org_id, filing).await
}

/// List an employee's property returns
///
/// Every return the employee has filed, all versions: latest year first,
/// latest revision first. Employees see their own; nodal officers their
/// organisation's; DoPT and AVD everyone's. No integration scope reads
/// property returns: a client gets 404, as for any record out of its scope.
#[utoipa::path(tag = "ipr", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000042")),
    responses(
        (status = 200, description = "Every return filed, all versions", body = IprReturns),
        (status = 403, description = "This role may not read property returns", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/employees/{code}/ipr")]
pub async fn list_own(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (code, _) = visible_employee(&state, &who, Family::PropertyReturn, &code).await?;
    let key = code.as_str().to_owned();
    let rows = state
        .db(move |c| cscms_store::ipr::versions(c, &key))
        .await?;
    let mut years: Vec<IprYear> = Vec::new();
    for row in rows {
        let version = IprVersion::from(row);
        match years.last_mut() {
            Some(y) if y.year == version.year => y.versions.push(version),
            _ => years.push(IprYear {
                year: version.year,
                due_on: version.due_on,
                late: version.late,
                versions: vec![version],
            }),
        }
    }
    Ok(HttpResponse::Ok().json(IprReturns {
        employee: code.to_string(),
        years,
    }))
}

/// Read one year's property return
///
/// One year's return: the latest version and the earlier ones. As a PDF
/// (A4, the latest version) with `Accept: application/pdf` or by asking
/// for `{year}.pdf`. An integration client gets 404: no integration scope
/// reads property returns.
#[utoipa::path(tag = "ipr", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Employee code, e.g. CSS-000042"),
        ("year" = String, Path, description = "Calendar year, e.g. 2024; `2024.pdf` for the print"),
    ),
    responses((status = 200, description = "The return; `application/pdf` for the print",
        content((IprYearDetail = "application/json"), (PdfDocument = "application/pdf"))),
        (status = 403, description = "This role may not read property returns", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/employees/{code}/ipr/{year}")]
pub async fn year_return(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, year) = path.into_inner();
    let (code, employee) = visible_employee(&state, &who, Family::PropertyReturn, &code).await?;
    let (year_text, pdf) = match year.strip_suffix(".pdf") {
        Some(y) => (y, true),
        None => (year.as_str(), super::wants_pdf(&req)),
    };
    let not_found = || ApiError::not_found(format!("The return for {year_text} of {code}"));
    let year: i32 = year_text.parse().map_err(|_| not_found())?;
    let key = code.as_str().to_owned();
    let rows = state
        .db(move |c| cscms_store::ipr::versions_of_year(c, &key, year))
        .await?;
    let mut versions = rows.into_iter().map(IprVersion::from);
    let latest = versions.next().ok_or_else(not_found)?;
    if pdf {
        let older: Vec<IprVersion> = versions.collect();
        return super::negotiated(
            print_return(&state, &who, &req, &code, &employee.name, &latest, &older).await,
        );
    }
    super::negotiated(Ok(HttpResponse::Ok().json(IprYearDetail {
        employee: code.to_string(),
        year,
        due_on: latest.due_on,
        late: latest.late,
        latest,
        history: versions.collect(),
    })))
}

/// PRF-5: the print renders the same data the JSON gives, through the one
/// renderer.
async fn print_return(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    code: &EmployeeCode,
    name: &str,
    latest: &IprVersion,
    older: &[IprVersion],
) -> Result<HttpResponse, ApiError> {
    let versions: Vec<&IprVersion> = std::iter::once(latest).chain(older).collect();
    let reference = format!("{code}/{}", latest.year);
    let issued = print::verification::issue(
        state,
        who,
        req,
        ("ipr", &reference, i64::from(latest.revision)),
    )
    .await?;
    let doc = print::ipr::document(
        latest,
        &print::ipr::Context {
            code: code.as_str(),
            name,
            versions: &versions,
            printed_at: issued.at,
            verification: Some(issued.code),
        },
    );
    let pdf = print::render(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"IPR-{code}-{}.pdf\"", latest.year),
        ))
        .body(pdf))
}

/// Where one employee's return for the year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    /// Filed by the due date.
    Filed,
    /// First filed after the due date.
    Late,
    /// Nothing filed (yet: see `due_passed`).
    Missing,
}

#[derive(Serialize, ToSchema)]
pub struct IprListItem {
    #[schema(example = "CSS-000042")]
    pub employee: String,
    pub name: String,
    pub organisation_id: String,
    pub status: ReturnStatus,
    pub first_filed_on: Option<NaiveDate>,
    pub latest_revision: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct IprListPage {
    pub year: i32,
    pub due_on: NaiveDate,
    /// Today (IST) is after the due date: a missing return is now overdue.
    pub due_passed: bool,
    pub items: Vec<IprListItem>,
    /// The next page, or null on the last one.
    #[schema(example = "/v1/ipr?year=2024&status=missing&cursor=CSS-000050&limit=50")]
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IprListQuery {
    /// The calendar year of the return; default last year. Must be over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// filed (by the due date), late, or missing; default all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only this organisation (exact id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

struct ListParams {
    filter: IprListFilter,
    due_on: NaiveDate,
    cursor: Option<String>,
    limit: u32,
}

fn parse_list_query(q: &IprListQuery, today: NaiveDate) -> Result<ListParams, ApiError> {
    let mut errors = Vec::new();
    let year = q.year.unwrap_or(today.year() - 1);
    let due_on = if year >= today.year() {
        errors.push(FieldError::new(
            "query.year",
            "invalid",
            format!("the return for {year} can be filed only once the year is over"),
        ));
        None
    } else {
        let due = clearance::params().ipr_due_on(year).map(|(d, _)| d);
        if due.is_none() {
            errors.push(FieldError::new(
                "query.year",
                "invalid",
                format!("no due-date rule covers the return for {year}"),
            ));
        }
        due
    };
    let on_record = match q.status.as_deref() {
        None => None,
        Some("filed") => Some(ReturnOnRecord::Filed),
        Some("late") => Some(ReturnOnRecord::Late),
        Some("missing") => Some(ReturnOnRecord::Missing),
        Some(other) => {
            errors.push(FieldError::new(
                "query.status",
                "invalid",
                format!("unknown status '{other}'; one of: filed, late, missing"),
            ));
            None
        }
    };
    if let Some(Err(e)) = q.org.as_deref().map(OrgId::parse) {
        errors.push(FieldError::new("query.org", "invalid", e.to_string()));
    }
    if let Some(Err(e)) = q.cursor.as_deref().map(EmployeeCode::parse) {
        errors.push(FieldError::new("query.cursor", "invalid", e.to_string()));
    }
    let limit = super::paging::limit(q.limit).unwrap_or_else(|e| {
        errors.push(e);
        super::paging::DEFAULT_LIMIT
    });
    let criteria = IprObligation::rule_18_criteria(year);
    match (due_on, criteria) {
        (Some(due_on), Some(c)) if errors.is_empty() => Ok(ListParams {
            filter: IprListFilter {
                year,
                on_record,
                org: q.org.clone(),
                groups: c.groups.iter().map(|g| (*g).to_owned()).collect(),
                joined_by: c.joined_by,
                entered_after: c.entered_after,
                filing_grades: c.filing_grades.iter().map(|g| (*g).to_owned()).collect(),
                other_grades: c.other_grades.iter().map(|g| (*g).to_owned()).collect(),
            },
            due_on,
            cursor: q.cursor.clone(),
            limit,
        }),
        _ => Err(ApiError::bad_query(errors)),
    }
}

/// Property returns due in a year
///
/// One year's returns of the employees in the caller's scope who owe one
/// (Rule 18(1)(ii): Group A and B), a page at a time by code: the nodal
/// officer's list of who has filed, filed late, or not filed (IPR-1).
/// Nodal officers see their organisation and the bodies under it; DoPT and
/// AVD everyone; an employee only themselves.
#[utoipa::path(tag = "ipr", security(("bearer" = [])), params(IprListQuery),
    responses(
        (status = 200, description = "A page of employees who owe a return; `Link` names the next page", body = IprListPage, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 403, description = "Integration clients may not read property returns", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/ipr")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    query: web::Query<IprListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListPropertyReturns)?;
    let query = query.into_inner();
    let today = clearance::today();
    let p = parse_list_query(&query, today)?;
    let visibility = visibility(&who, Family::PropertyReturn);
    let fetch = super::paging::fetch(p.limit);
    let filter = p.filter.clone();
    let cursor = p.cursor.clone();
    let rows = state
        .db(move |c| cscms_store::ipr::list(c, &visibility, &filter, cursor.as_deref(), fetch))
        .await?;
    let (rows, more) = super::paging::split(rows, p.limit);
    let params = clearance::params();
    let year = p.filter.year;
    let items: Vec<IprListItem> = rows
        .into_iter()
        .map(|r| {
            let check = check_year(&r.filings, year, today, &params);
            let status = match check.map(|c| c.state) {
                Some(IprYearState::Timely) => ReturnStatus::Filed,
                Some(IprYearState::Late) => ReturnStatus::Late,
                _ => ReturnStatus::Missing,
            };
            IprListItem {
                employee: r.employee.code.into(),
                name: r.employee.name,
                organisation_id: r.employee.org_id.into(),
                status,
                first_filed_on: check.and_then(|c| c.first_filed_on),
                latest_revision: check.and_then(|c| c.latest_revision),
            }
        })
        .collect();
    let next = match (more, items.last()) {
        (true, Some(last)) => {
            let next_query = IprListQuery {
                year: Some(year),
                cursor: Some(last.employee.clone()),
                limit: Some(p.limit),
                ..query
            };
            super::paging::next_link("/v1/ipr", &next_query)
        }
        _ => None,
    };
    Ok(super::paging::respond(
        next.clone(),
        &IprListPage {
            year,
            due_on: p.due_on,
            due_passed: today > p.due_on,
            items,
            next,
        },
    ))
}
