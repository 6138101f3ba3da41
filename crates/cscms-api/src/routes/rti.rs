//! The cadre division's register of RTI requests (RTI-1): every fee mode the
//! Rules allow, no refusal of an Indian Postal Order, the reply deadline of
//! section 7(1) and the list of requests past it. DoPT's register alone.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cursor;
use cscms_domain::decision::Decision;
use cscms_domain::principal::Principal;
use cscms_domain::rti::{self, DeadlineOutcome, FeeMode, FeeModeOutcome, OverdueCursor};
use cscms_domain::scope::{sees_register, Family, Op};
use cscms_store::rti::{NewRti, RtiFilter, RtiRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::workflow::today;
use super::{actor, paging, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{BodyRules, CheckedJson};
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{if_match, version_tag};

/// The fee as received.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Rupees tendered: at least the application fee of Rs 10 (RTI-1; an
    /// IPO for more pays it), or 0 for an applicant below the poverty line.
    /// A fee returned is the amount tendered (more than 0).
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000, example = 10)]
    pub amount: i64,
    /// The applicant is below the poverty line and pays no fee (RTI Act,
    /// section 7(5)); false when absent. Read back true for a fee of 0.
    #[serde(default)]
    pub below_poverty_line: bool,
    pub mode: FeeMode,
    /// The instrument's number (demand draft, banker's cheque, IPO); a
    /// receipt number for cash.
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60, example = "39F 123456")]
    pub reference: Option<String>,
    /// Whether the fee was accepted; true when absent. A fee by Indian
    /// Postal Order may not be recorded as refused (RTI-1).
    #[serde(default = "accepted_by_default")]
    pub accepted: bool,
    /// Why the fee was returned; required when `accepted` is false.
    #[validate(length(min = 3, max = 500))]
    #[schema(min_length = 3, max_length = 500)]
    pub refusal_reason: Option<String>,
}

fn accepted_by_default() -> bool {
    true
}

/// A request as received by the cadre division.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRtiRequest {
    /// The date the request reached the public authority; not after today.
    pub received_on: NaiveDate,
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Suresh Nair")]
    pub applicant_name: String,
    #[validate(length(min = 5, max = 500))]
    #[schema(min_length = 5, max_length = 500, example = "12 MG Road, Kochi 682011")]
    pub applicant_address: String,
    #[validate(length(min = 3, max = 2000))]
    #[schema(
        min_length = 3,
        max_length = 2000,
        example = "Copies of the CSS seniority list of 2025"
    )]
    pub subject: String,
    #[validate(nested)]
    pub fee: Fee,
}

impl BodyRules for NewRtiRequest {
    fn rule_errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.received_on > today() {
            errors.push(FieldError::new(
                "body.received_on",
                "invalid",
                "not after today",
            ));
        }
        if rti::reply_due(self.received_on).is_none() {
            errors.push(FieldError::new(
                "body.received_on",
                "invalid",
                "before the RTI Act's reply period came into force (12.10.2005)",
            ));
        }
        if let Err(e) = rti::check_fee_amount(
            self.fee.amount,
            self.fee.below_poverty_line,
            self.fee.accepted,
            self.received_on,
        ) {
            let field = match e {
                rti::FeeAmountRefusal::NothingToReturn => "body.fee.accepted",
                _ => "body.fee.amount",
            };
            errors.push(FieldError::new(field, "invalid", e.detail()));
        }
        let refused = !self.fee.accepted;
        if refused && self.fee.refusal_reason.is_none() {
            errors.push(FieldError::new(
                "body.fee.refusal_reason",
                "required",
                "say why the fee was returned",
            ));
        }
        if !refused && self.fee.refusal_reason.is_some() {
            errors.push(FieldError::new(
                "body.fee.refusal_reason",
                "invalid",
                "only for a fee that was not accepted",
            ));
        }
        if self.fee.mode != FeeMode::Cash && self.fee.reference.is_none() {
            errors.push(FieldError::new(
                "body.fee.reference",
                "required",
                format!("the number of the {}", self.fee.mode.label()),
            ));
        }
        errors
    }
}

/// A request in the register.
#[derive(Serialize, ToSchema)]
pub struct RtiRequest {
    pub id: i64,
    pub received_on: NaiveDate,
    pub applicant_name: String,
    pub applicant_address: String,
    pub subject: String,
    pub fee: Fee,
    /// Why the mode is a valid one (RTI-1), as of receipt.
    pub fee_decision: Decision<FeeModeOutcome>,
    /// The last day for the reply (section 7(1)), with its source, as of receipt.
    pub reply_due: Decision<DeadlineOutcome>,
    pub replied_on: Option<NaiveDate>,
    pub reply_summary: Option<String>,
    /// No reply and the last day has passed (as of today, IST).
    pub overdue: bool,
    /// Days past the last day (0 when not overdue).
    pub days_overdue: i64,
    /// The `ETag`'s version (while the reply is overdue, the tag also
    /// counts the days: `"{version}-overdue{n}"`).
    pub version: i64,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A request's `ETag`: its version, and while its reply is overdue (the
/// date decides it, not a write) by how many days, `"{version}-overdue{n}"`,
/// so a copy read before is not answered 304.
fn request_tag(
    v: &RtiRequest,
) -> (
    actix_web::http::header::HeaderName,
    actix_web::http::header::HeaderValue,
) {
    let mark = v.overdue.then(|| format!("overdue{}", v.days_overdue));
    version_tag(v.version, mark)
}

#[derive(Serialize, ToSchema)]
pub struct RtiRequestList {
    /// The date the list was drawn up for.
    pub as_of: NaiveDate,
    pub items: Vec<RtiRequest>,
    /// The next page, or null on the last one.
    #[schema(example = "/v1/rti/requests?cursor=41&limit=50")]
    pub next: Option<String>,
}

fn view(row: RtiRow, as_of: NaiveDate) -> Result<RtiRequest, ApiError> {
    let mode: FeeMode = row.fee_mode;
    let deadline = row.deadline()?;
    let late = rti::overdue(row.reply_due_on, row.replied_on, as_of);
    Ok(RtiRequest {
        id: row.id,
        received_on: row.received_on,
        applicant_name: row.applicant_name,
        applicant_address: row.applicant_address,
        subject: row.subject,
        fee: Fee {
            amount: row.fee_amount,
            below_poverty_line: row.fee_amount == 0,
            mode,
            reference: row.fee_reference,
            accepted: row.fee_accepted,
            refusal_reason: row.fee_refusal_reason,
        },
        // Both are decided as of receipt, under the rules then in force:
        // the view then changes with the date only where `overdue` says so,
        // and its tag with it.
        fee_decision: rti::fee_mode(mode, row.received_on),
        reply_due: rti::deadline_decision(&deadline, row.received_on),
        replied_on: row.replied_on,
        reply_summary: row.reply_summary,
        overdue: late,
        days_overdue: if late {
            (as_of - row.reply_due_on).num_days()
        } else {
            0
        },
        version: row.version,
        recorded_by: row.recorded_by,
        recorded_at: utc(row.recorded_at),
        updated_at: utc(row.updated_at),
    })
}

/// Register an RTI request
///
/// The cadre division enters a request with its fee; the reply deadline is
/// set from the date received (RTI-1). An accepted fee is at least the
/// application fee of Rs 10 (recorded as tendered), or none from an
/// applicant below the poverty line. A fee by
/// Indian Postal Order cannot be recorded as refused. Audited.
#[utoipa::path(tag = "rti", security(("bearer" = [])), request_body = NewRtiRequest,
    responses(
        (status = 201, description = "The request in the register; `Location` names it", body = RtiRequest, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only DoPT keeps the register", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A fee by IPO recorded as refused (`ipo_refusal_not_allowed`, RTI-1)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Values break the rules (`errors` lists every bad field): among them a fee `amount` below the application fee of Rs 10, or other than 0 from an applicant below the poverty line (RTI-1)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/rti/requests")]
pub async fn register(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<NewRtiRequest>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageRtiRegister)?;
    let as_of = today();
    if !body.fee.accepted {
        rti::may_refuse(body.fee.mode, as_of).map_err(|e| ApiError::Conflict {
            code: ProblemCode::IpoRefusalNotAllowed,
            detail: e.detail,
        })?;
    }
    let deadline = rti::reply_due(body.received_on).ok_or_else(|| {
        ApiError::invalid(
            "body.received_on",
            "invalid",
            "before the RTI Act's reply period",
        )
    })?;
    let now = Utc::now().naive_utc();
    let new = NewRti {
        received_on: body.received_on,
        applicant_name: body.applicant_name.trim().to_owned(),
        applicant_address: body.applicant_address.trim().to_owned(),
        subject: body.subject.trim().to_owned(),
        fee_amount: body.fee.amount,
        fee_mode: body.fee.mode,
        fee_reference: body.fee.reference.map(|r| r.trim().to_owned()),
        fee_accepted: body.fee.accepted,
        fee_refusal_reason: body.fee.refusal_reason.map(|r| r.trim().to_owned()),
        reply_due_on: deadline.due_on,
        version: 1,
        recorded_by: who.sub.clone(),
        recorded_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| cscms_store::rti::register(c, &actor, &new))
        .await?;
    let row = load(&state, &who, id).await?;
    let v = view(row, as_of)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/rti/requests/{id}")))
        .insert_header(request_tag(&v))
        .json(v))
}

async fn load(state: &AppState, who: &Principal, id: i64) -> Result<RtiRow, ApiError> {
    let not_found = || ApiError::not_found(format!("RTI request {id}"));
    // Outside DoPT the register does not exist, whatever the id.
    if !sees_register(who, Family::RtiRequest) {
        return Err(not_found());
    }
    state
        .read(move |c| cscms_store::rti::get(c, id))
        .await?
        .ok_or_else(not_found)
}

/// Read an RTI request
///
/// One request with its fee, deadline and reply (DoPT).
#[utoipa::path(tag = "rti", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, description = "The request; `ETag` is its version, and while the reply is overdue `\"{version}-overdue{days}\"`", body = RtiRequest, headers(("ETag" = String)))))]
#[get("/rti/requests/{id}")]
pub async fn get_request(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, &who, id.into_inner()).await?;
    let v = view(row, today())?;
    Ok(HttpResponse::Ok().insert_header(request_tag(&v)).json(v))
}

/// The reply sent.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RtiReply {
    /// The date the reply was sent; not after today.
    pub replied_on: NaiveDate,
    #[validate(length(min = 3, max = 2000))]
    #[schema(
        min_length = 3,
        max_length = 2000,
        example = "Copies supplied on payment of Rs 20"
    )]
    pub summary: String,
}

impl BodyRules for RtiReply {
    fn rule_errors(&self) -> Vec<FieldError> {
        if self.replied_on > today() {
            vec![FieldError::new(
                "body.replied_on",
                "invalid",
                "not after today",
            )]
        } else {
            Vec::new()
        }
    }
}

/// Record the reply to an RTI request
///
/// Closes the request (RTI-1). Needs `If-Match` with the version read. Audited.
#[utoipa::path(tag = "rti", security(("bearer" = [])), request_body = RtiReply,
    params(("id" = i64, Path, description = "Request id"),
        ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The request with its reply; `ETag` names its new version", body = RtiRequest, headers(("ETag" = String))),
        (status = 409, description = "The reply is already recorded (`already_replied`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rti/requests/{id}/reply")]
pub async fn reply(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    CheckedJson(body): CheckedJson<RtiReply>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = load(&state, &who, id).await?;
    authorize(&who, Op::ManageRtiRegister)?;
    let expected = if_match(&req)?;
    if row.replied_on.is_some() {
        return Err(ApiError::Conflict {
            code: ProblemCode::AlreadyReplied,
            detail: format!("The reply to RTI request {id} is already recorded."),
        });
    }
    if body.replied_on < row.received_on {
        return Err(ApiError::invalid(
            "body.replied_on",
            "invalid",
            "not before the request was received",
        ));
    }
    let actor = actor(&who, &req);
    let summary = body.summary.trim().to_owned();
    state
        .db(move |c| {
            cscms_store::rti::reply(
                c,
                &actor,
                id,
                expected,
                body.replied_on,
                &summary,
                Utc::now().naive_utc(),
            )
        })
        .await?;
    let v = view(load(&state, &who, id).await?, today())?;
    Ok(HttpResponse::Ok().insert_header(request_tag(&v)).json(v))
}

/// List overdue RTI requests
///
/// Requests with no reply whose last day has passed, the longest overdue
/// first (RTI-1), a page at a time.
#[utoipa::path(tag = "rti", security(("bearer" = [])), params(paging::DatedPageQuery),
    responses((status = 200, description = "A page of overdue requests, longest overdue first; `Link` names the next page", body = RtiRequestList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only DoPT keeps the register", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rti/requests/overdue")]
pub async fn overdue(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::DatedPageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageRtiRegister)?;
    let q = q.into_inner();
    let as_of = q.as_of.unwrap_or_else(today);
    let (limit, after) = paging::page_of(q.limit, q.cursor.as_deref(), OverdueCursor::parse)?;
    let filter = RtiFilter::OverdueOn {
        on: as_of,
        after: after.map(|c| (c.due_on, c.id)),
    };
    list_as(&state, filter, as_of, limit, |last| {
        let next = paging::DatedPageQuery {
            as_of: Some(as_of),
            cursor: Some(
                OverdueCursor {
                    due_on: last.reply_due_on,
                    id: last.id,
                }
                .to_string(),
            ),
            limit: Some(limit),
        };
        paging::next_link("/v1/rti/requests/overdue", &next)
    })
    .await
}

/// List the register of RTI requests
///
/// Every request, newest first (DoPT), a page at a time.
#[utoipa::path(tag = "rti", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of requests, newest first; `Link` names the next page", body = RtiRequestList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only DoPT keeps the register", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rti/requests")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageRtiRegister)?;
    let (limit, before) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    list_as(&state, RtiFilter::All { before }, today(), limit, |last| {
        paging::next_link(
            "/v1/rti/requests",
            &paging::PageQuery::at(last.id.to_string(), limit),
        )
    })
    .await
}

/// A page of the list; `next` makes the link from the last row shown when
/// another page follows.
async fn list_as(
    state: &AppState,
    filter: RtiFilter,
    as_of: NaiveDate,
    limit: u32,
    next: impl FnOnce(&RtiRow) -> Option<String>,
) -> Result<HttpResponse, ApiError> {
    let rows = state
        .db(move |c| cscms_store::rti::list(c, filter, paging::fetch(limit)))
        .await?;
    let (rows, more) = paging::split(rows, limit);
    let next = match (more, rows.last()) {
        (true, Some(last)) => next(last),
        _ => None,
    };
    let items = rows
        .into_iter()
        .map(|r| view(r, as_of))
        .collect::<Result<_, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &RtiRequestList { as_of, items, next },
    ))
}
