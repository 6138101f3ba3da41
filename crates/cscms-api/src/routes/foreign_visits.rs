//! Private foreign visit clearance (FV-1): apply, grant or refuse, withdraw,
//! with the vigilance clearance fetched at every step (VIG-1).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cursor::AtId;
use cscms_domain::foreign_visit::{
    check, FundedBy, FvAction, FvState, LeaveKind, Trip, FOREIGN_VISIT,
};
use cscms_domain::principal::Principal;
use cscms_domain::scope::{visibility, Family, Op};
use cscms_domain::vigilance::ClearancePurpose;
use cscms_store::foreign_visits::{ContactDoc, FvRecord, NewFv};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::Validate;

use super::paging;
use super::workflow::{allowed, clearance_json, refused, to_json, today, StepView};
use super::{actor, utc};
use crate::auth::Auth;
use crate::clearance;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{body_errors, BodyRules, CheckedJson};
use crate::gate::require_profile_submitted;
use crate::scope::authorize;
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Leave {
    pub kind: LeaveKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Whom the employee can be reached through abroad.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactAbroad {
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Hotel Yak & Yeti")]
    pub name: String,
    #[validate(length(min = 5, max = 500))]
    #[schema(min_length = 5, max_length = 500, example = "Durbar Marg, Kathmandu")]
    pub address: String,
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30, example = "+977 1 4248999")]
    pub phone: Option<String>,
    #[validate(email)]
    #[schema(format = "email")]
    pub email: Option<String>,
}

/// An application for clearance of a private foreign visit.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewForeignVisit {
    /// Countries to be visited: at least one, none twice, none India. Each
    /// an ISO 3166-1 country by its name, a common name ("UK", "Russia")
    /// or its three-letter code ("GBR"); kept as written.
    #[validate(length(max = 20), custom(function = "country_names"))]
    #[schema(min_items = 1, max_items = 20, example = json!(["Nepal"]))]
    pub countries: Vec<String>,
    /// First day abroad; after today, and within 365 days of it.
    pub from_date: NaiveDate,
    /// Last day abroad; on or after `from_date`, and less than 365 days after it.
    pub to_date: NaiveDate,
    #[validate(length(min = 3, max = 1000))]
    #[schema(min_length = 3, max_length = 1000, example = "Family holiday")]
    pub purpose: String,
    pub funded_by: FundedBy,
    /// Who pays, when not the employee's own funds.
    #[validate(length(min = 3, max = 500))]
    #[schema(min_length = 3, max_length = 500)]
    pub funding_details: Option<String>,
    /// The leave applied for to cover the visit: ordered, and sharing at
    /// least a day with it (holidays may be prefixed or suffixed).
    #[validate(nested)]
    pub leave: Leave,
    #[validate(nested)]
    pub contact_abroad: ContactAbroad,
}

fn country_names(countries: &[String]) -> Result<(), validator::ValidationError> {
    if countries
        .iter()
        .all(|c| (2..=60).contains(&c.trim().chars().count()))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid")
            .with_message("each country 2-60 characters".into()))
    }
}

impl BodyRules for NewForeignVisit {
    fn rule_errors(&self) -> Vec<FieldError> {
        let trip = Trip {
            countries: &self.countries,
            from: self.from_date,
            to: self.to_date,
            funded_by: self.funded_by,
            funding_details: self.funding_details.as_deref(),
            leave_from: self.leave.from,
            leave_to: self.leave.to,
        };
        body_errors(check(&trip, today()))
    }
}

/// A request as listed.
#[derive(Serialize, ToSchema)]
pub struct ForeignVisitSummary {
    pub id: i64,
    pub employee_code: String,
    pub employee_name: String,
    /// The employee's organisation when applying.
    pub organisation_id: String,
    pub state: FvState,
    pub countries: Vec<String>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub purpose: String,
    pub funded_by: FundedBy,
    pub funding_details: Option<String>,
    pub leave: Leave,
    pub contact_abroad: ContactAbroad,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now.
    pub allowed_actions: Vec<FvAction>,
}

/// A request with its vigilance clearance and its steps.
#[derive(Serialize, ToSchema)]
pub struct ForeignVisitView {
    #[serde(flatten)]
    pub request: ForeignVisitSummary,
    /// The vigilance clearance for a foreign visit as of today (VIG-1),
    /// fetched automatically: `clearance`, `grounds`, `reasons`.
    #[schema(value_type = cscms_domain::decision::Decision<cscms_domain::vigilance::ClearanceOutcome>)]
    pub clearance: Value,
    /// Every step with who took it, when, why and the clearance then.
    pub steps: Vec<StepView>,
}

#[derive(Serialize, ToSchema)]
pub struct ForeignVisitList {
    pub items: Vec<ForeignVisitSummary>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

fn summary(r: FvRecord, who: &Principal) -> Result<ForeignVisitSummary, ApiError> {
    let row = r.row;
    let state = row.state;
    let contact = row.contact_abroad.into_inner();
    Ok(ForeignVisitSummary {
        id: row.id,
        employee_code: row.employee_code.into(),
        employee_name: r.employee_name,
        organisation_id: row.org_id.into(),
        state,
        countries: row.countries.into_inner(),
        from_date: row.from_date,
        to_date: row.to_date,
        purpose: row.purpose,
        funded_by: row.funded_by,
        funding_details: row.funding_details,
        leave: Leave {
            kind: row.leave_kind,
            from: row.leave_from,
            to: row.leave_to,
        },
        contact_abroad: ContactAbroad {
            name: contact.name,
            address: contact.address,
            phone: contact.phone,
            email: contact.email,
        },
        submitted_at: utc(row.submitted_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&FOREIGN_VISIT, state, who.role),
    })
}

/// Loads a request the caller may see; anything else is 404.
async fn load_visible(state: &AppState, who: &Principal, id: i64) -> Result<FvRecord, ApiError> {
    let not_found = || ApiError::not_found(format!("Foreign visit request {id}"));
    let r = state
        .db(move |c| cscms_store::foreign_visits::get(c, id))
        .await?
        .ok_or_else(not_found)?;
    let at = super::StoredPlace {
        org: &r.row.org_id,
        parent: r.org_parent.as_ref(),
        employee: &r.row.employee_code,
        shared_with: None,
    };
    super::ensure_sees_stored(who, Family::ForeignVisit, at, || {
        format!("Foreign visit request {id}")
    })?;
    Ok(r)
}

async fn view(
    state: &AppState,
    who: &Principal,
    r: FvRecord,
) -> Result<ForeignVisitView, ApiError> {
    let cl = clearance::for_employee(
        state,
        &r.row.employee_code,
        ClearancePurpose::ForeignVisit,
        today(),
    )
    .await?;
    let id = r.row.id;
    let steps = state
        .db(move |c| cscms_store::steps::for_record(c, FOREIGN_VISIT.name, id))
        .await?;
    Ok(ForeignVisitView {
        request: summary(r, who)?,
        clearance: clearance_json(&cl)?,
        steps: StepView::list(steps)?,
    })
}

/// Apply for foreign visit clearance
///
/// The employee applies for clearance of a private foreign visit (FV-1).
/// Needs a submitted profile (PRF-1); the vigilance clearance is fetched
/// and recorded with the application.
#[utoipa::path(tag = "foreign visits", security(("bearer" = [])), request_body = NewForeignVisit,
    responses(
        (status = 201, description = "The new request; `Location` names it", body = ForeignVisitView, headers(("Location" = String))),
        (status = 403, description = "Only employees apply", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The profile has not been submitted (`profile_not_submitted`, PRF-1), or another request of the employee's, awaiting a decision or granted, has days abroad in common with this one (`visit_overlaps`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/foreign-visits")]
pub async fn apply(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<NewForeignVisit>,
) -> Result<HttpResponse, ApiError> {
    FOREIGN_VISIT
        .apply(None, FvAction::Apply, who.role, None)
        .map_err(refused)?;
    let code = who
        .employee
        .clone()
        .ok_or_else(|| ApiError::forbidden("Only employees apply."))?;
    require_profile_submitted(&state, &code).await?;
    let key = code.clone();
    let employee = state
        .db(move |c| cscms_store::employees::get(c, &key))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?;
    let cl =
        clearance::for_employee(&state, &code, ClearancePurpose::ForeignVisit, today()).await?;
    let now = Utc::now().naive_utc();
    let (to, step) = FOREIGN_VISIT
        .step(
            None,
            FvAction::Apply,
            &who,
            None,
            Some(clearance_json(&cl)?),
            now,
        )
        .map_err(refused)?;
    let new = NewFv {
        employee_code: code,
        org_id: employee.record.org_id,
        state: to,
        countries: to_json(
            &body
                .countries
                .iter()
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>(),
        )?,
        from_date: body.from_date,
        to_date: body.to_date,
        purpose: body.purpose.trim().to_owned(),
        funded_by: body.funded_by,
        funding_details: body.funding_details,
        leave_kind: body.leave.kind,
        leave_from: body.leave.from,
        leave_to: body.leave.to,
        contact_abroad: to_json(&ContactDoc {
            name: body.contact_abroad.name,
            address: body.contact_abroad.address,
            phone: body.contact_abroad.phone,
            email: body.contact_abroad.email,
        })?,
        submitted_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let id = match state
        .db(move |c| cscms_store::foreign_visits::apply(c, &actor, &new, &step))
        .await?
    {
        cscms_store::foreign_visits::Filed::New(id) => id,
        cscms_store::foreign_visits::Filed::Overlaps(other) => {
            return Err(ApiError::Conflict {
                code: ProblemCode::VisitOverlaps,
                detail: format!(
                    "Your request {other}, awaiting a decision or granted, has days abroad in common with this one: withdraw it first, or apply for other dates."
                ),
            })
        }
    };
    let r = load_visible(&state, &who, id).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/foreign-visits/{id}")))
        .json(view(&state, &who, r).await?))
}

/// List the caller's own foreign visit requests
///
/// The caller's own requests, newest first (employees), a page at a time.
#[utoipa::path(tag = "foreign visits", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the caller's requests, newest first; `Link` names the next page", body = ForeignVisitList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only employees have requests of their own", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/foreign-visits/mine")]
pub async fn mine(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListOwnForeignVisits)?;
    list(&state, &who, None, &q, "/v1/foreign-visits/mine").await
}

/// List foreign visit requests awaiting a decision
///
/// Requests awaiting a decision in the caller's ministry or department and
/// the bodies under it, oldest first (nodal officers), a page at a time.
#[utoipa::path(tag = "foreign visits", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the pending requests, oldest first; `Link` names the next page", body = ForeignVisitList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only nodal officers decide foreign visits", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/foreign-visits/pending")]
pub async fn pending(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListPendingForeignVisits)?;
    let path = "/v1/foreign-visits/pending";
    list(&state, &who, Some(FvState::Submitted), &q, path).await
}

/// A page of the requests the caller sees: those in `in_state`, a queue
/// (oldest first), or all, newest first.
async fn list(
    state: &AppState,
    who: &Principal,
    in_state: Option<FvState>,
    page: &paging::PageQuery,
    path: &str,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = paging::page_of(page.limit, page.cursor.as_deref(), AtId::parse)?;
    let oldest_first = in_state.is_some();
    let visibility = visibility(who, Family::ForeignVisit);
    let rows = state
        .db(move |c| {
            let states = in_state.map(|s| [s.as_str()]);
            cscms_store::foreign_visits::list(
                c,
                &visibility,
                states.as_ref().map(|s| s.as_slice()),
                oldest_first,
                after,
                paging::fetch(limit),
            )
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        path,
        |last| AtId::after(last.row.submitted_at, last.row.id),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items = rows
        .into_iter()
        .map(|r| summary(r, who))
        .collect::<Result<_, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &ForeignVisitList { items, next },
    ))
}

/// Read a foreign visit request
///
/// One request with the vigilance clearance as of today and every step.
/// With `Accept: application/pdf`, the request as printed (FV-1): the
/// visit, the decision with the clearance it was taken on, every step,
/// and a verification code that `GET /v1/prints/{code}` answers for.
#[utoipa::path(tag = "foreign visits", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, description = "The request with its clearance and steps; `application/pdf` for the print",
        content((ForeignVisitView = "application/json"), (crate::routes::ipr::PdfDocument = "application/pdf")))))]
#[get("/foreign-visits/{id}")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    super::workflow::read::<FvRecord>(&state, &who, &req, id.into_inner()).await
}

impl super::workflow::Printed for FvRecord {
    /// The request as printed (FV-1); its version is the number of steps taken.
    async fn print(
        self,
        state: &AppState,
        who: &Principal,
        req: &HttpRequest,
    ) -> Result<HttpResponse, ApiError> {
        let org = self.row.org_id.clone();
        let v = view(state, who, self).await?;
        let r = &v.request;
        super::prints::print_steps(
            state,
            who,
            req,
            (FOREIGN_VISIT.name, r.id, &org),
            v.steps.len(),
            &format!("foreign-visit-{}.pdf", r.id),
            |ctx| crate::print::foreign_visit::document(&v, ctx),
        )
        .await
    }
}

super::workflow::step_record!(FvRecord {
    workflow: FOREIGN_VISIT => (FvState, FvAction),
    view: ForeignVisitView = view,
    load: load_visible,
    stored_state: |r| r.row.state,
    clearance: |r| Some((&r.row.employee_code, ClearancePurpose::ForeignVisit)),
    advance: cscms_store::foreign_visits::advance,
});

super::workflow::step_handlers! {
    record: FvRecord, view: ForeignVisitView, tag: "foreign visits", id: "Request id";
    grant: FvAction::Grant, "/foreign-visits/{id}/grant",
        "Grant foreign visit clearance",
        "The nodal officer grants clearance (FV-1), seeing the vigilance clearance.",
        "The granted request",
        403 "Only the nodal officer decides",
        409 "Not awaiting a decision (`invalid_transition`, with `current_state` and `allowed_actions`), or vigilance clearance withheld without a recorded override (`clearance_withheld`)";
    refuse: FvAction::Refuse, "/foreign-visits/{id}/refuse",
        "Refuse foreign visit clearance",
        "The nodal officer refuses clearance, with a reason (FV-1).",
        "The refused request",
        403 "Only the nodal officer decides",
        409 "Not awaiting a decision (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "No reason given";
    withdraw: FvAction::Withdraw, "/foreign-visits/{id}/withdraw",
        "Withdraw a foreign visit request",
        "The employee withdraws the request before a decision (FV-1).",
        "The withdrawn request",
        403 "Only the employee withdraws",
        409 "Already decided (`invalid_transition`, with `current_state` and `allowed_actions`)";
}
