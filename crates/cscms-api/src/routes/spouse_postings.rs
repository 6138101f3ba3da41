//! Posting with one's spouse (SPO-1): the employee asks, the ministry's
//! nodal officer grants or refuses with specific reasons (para 5), and a
//! refused employee represents to the authority one level above (para 6).

use std::collections::HashMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::cursor::AtId;
use cscms_domain::decision::Decision;
use cscms_domain::employee::Gender;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::{Principal, Role};
use cscms_domain::scope::{visibility, Family, Op, RecordPlace};
use cscms_domain::spouse_posting::{ServiceKind, Spouse, SpouseCase, SpouseOutcome};
use cscms_domain::spouse_request::{
    classify, one_level_above, queue_of, reasons_suffice, Applicant, Classified, Filing, SpoAction,
    SpoState, SPOUSE_POSTING,
};
use cscms_domain::workflow::Label;
use cscms_store::spouse_postings::{Filed, NewSpo, SpoRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::Validate;

use super::paging;
use super::workflow::{allowed, refused, to_json, today, ActionRequest, StepView};
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::{body_errors, ValidJson};
use crate::gate::require_profile_submitted;
use crate::scope::{authorize, ensure_visible};
use crate::state::AppState;

/// The spouse, as the employee describes them.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpouseDetails {
    pub kind: ServiceKind,
    /// The service, PSU or State by name (`CSS`, `IAS`, `ONGC`, `Kerala`).
    #[validate(length(min = 2, max = 100))]
    #[schema(min_length = 2, max_length = 100, example = "CSS")]
    pub service: String,
    /// The department the spouse works in, if a Central Government one;
    /// compared with the name of the employee's ministry or department
    /// (para 4(viii)).
    #[validate(length(min = 2, max = 100))]
    #[schema(min_length = 2, max_length = 100, example = "Ministry of Finance")]
    pub department: Option<String>,
    /// Where the spouse is posted.
    #[validate(length(min = 2, max = 100))]
    #[schema(min_length = 2, max_length = 100, example = "Chennai")]
    pub station: String,
    /// The spouse's years at that station (para 4(iv): the longer applies first).
    #[validate(range(max = 45))]
    #[schema(maximum = 45)]
    pub years_at_station: Option<u32>,
    pub gender: Option<Gender>,
}

/// A request to be posted at the station of one's spouse.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpousePosting {
    #[validate(nested)]
    pub spouse: SpouseDetails,
    /// The employee's own years at their present station (para 4(iv)).
    #[validate(range(max = 45))]
    #[schema(maximum = 45)]
    pub years_at_station: Option<u32>,
    /// Age of the youngest child, if any (paras 3 and 4(viii)).
    #[validate(range(max = 40))]
    #[schema(maximum = 40)]
    pub youngest_child_age: Option<u32>,
    /// Where the spouse applies first (para 4(iv): the spouse with the
    /// longer service at the station; para 4(vi): the PSU spouse), the order
    /// by which the spouse's authority did not accede for want of a post;
    /// required then, and recorded in the decision's reasons.
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "ONGC/HR/44/2026 dated 01.10.2026"
    )]
    pub spouse_refused: Option<String>,
}

/// A request as listed.
#[derive(Serialize, ToSchema)]
pub struct SpousePostingSummary {
    pub id: i64,
    pub employee_code: String,
    pub employee_name: String,
    /// The employee's organisation when asking.
    pub organisation_id: String,
    pub state: SpoState,
    #[schema(value_type = Spouse)]
    pub spouse: Value,
    /// The governing case of para 4, as classified at filing.
    pub case: SpouseCase,
    /// Posting together is mandatory where a post is available (para 2).
    pub mandatory: bool,
    /// Who hears a representation against the refusal: one level above
    /// the authority that refused (para 6); null until a refusal.
    pub representation_to: Option<Role>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now.
    pub allowed_actions: Vec<SpoAction>,
}

/// A request with the SPO-1 decision taken at filing and every step.
#[derive(Serialize, ToSchema)]
pub struct SpousePostingView {
    #[serde(flatten)]
    pub request: SpousePostingSummary,
    /// The SPO-1 decision as of the filing date: the case, who acts, what it
    /// may do, whether it is mandatory, the reasons with citations.
    #[schema(value_type = Decision<SpouseOutcome>)]
    pub decision: Value,
    /// Every step with who took it, when and why.
    pub steps: Vec<StepView>,
}

#[derive(Serialize, ToSchema)]
pub struct SpousePostingList {
    pub items: Vec<SpousePostingSummary>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

fn summary(
    r: SpoRecord,
    who: &Principal,
    refused_by: Option<Role>,
) -> Result<SpousePostingSummary, ApiError> {
    let row = r.row;
    let state = row.state;
    Ok(SpousePostingSummary {
        id: row.id,
        employee_code: row.employee_code.into(),
        employee_name: r.employee_name,
        organisation_id: row.org_id.into(),
        state,
        spouse: row.spouse.into_inner(),
        case: row.spouse_case,
        mandatory: row.mandatory,
        representation_to: refused_by.and_then(one_level_above),
        submitted_at: utc(row.submitted_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&SPOUSE_POSTING, state, who.role),
    })
}

/// Loads a request the caller may see; anything else is 404.
async fn load_visible(state: &AppState, who: &Principal, id: i64) -> Result<SpoRecord, ApiError> {
    let not_found = || ApiError::not_found(format!("Spouse-posting request {id}"));
    let r = state
        .db(move |c| cscms_store::spouse_postings::get(c, id))
        .await?
        .ok_or_else(not_found)?;
    let place = RecordPlace {
        org: &r.row.org_id,
        org_parent: r.org_parent.as_ref(),
        employee: &r.row.employee_code,
        shared_with: None,
    };
    ensure_visible(who, Family::SpousePosting, place, || {
        format!("Spouse-posting request {id}")
    })?;
    Ok(r)
}

async fn view(
    state: &AppState,
    who: &Principal,
    r: SpoRecord,
) -> Result<SpousePostingView, ApiError> {
    let id = r.row.id;
    let rows = state
        .db(move |c| cscms_store::steps::for_record(c, SPOUSE_POSTING.name, id))
        .await?;
    let steps = StepView::list(rows)?;
    let refused_by = steps
        .iter()
        .rev()
        .find(|s| s.action == SpoAction::Refuse.label())
        .map(|s| s.actor_role);
    let decision = r.row.decision.get().clone();
    Ok(SpousePostingView {
        request: summary(r, who, refused_by)?,
        decision,
        steps,
    })
}

/// The name of the ministry or department an organisation is, or is under.
async fn department_of(state: &AppState, org_id: &OrgId) -> Result<String, ApiError> {
    let id = org_id.clone();
    let ministry = state
        .db(move |c| cscms_store::organisations::ministry_of(c, &id))
        .await?;
    Ok(ministry.name)
}

/// Ask to be posted with one's spouse
///
/// The employee asks to be posted at the station of their spouse (SPO-1,
/// OM 28034/9/2009-Estt.(A)). Needs a submitted profile (PRF-1). The case
/// of para 4 is classified from the employee's service record and the
/// spouse's details, and the whole decision is stored with the request;
/// a couple the OM provides no case for, or already at one station, is 422.
/// An employee has one open request at a time: while one awaits a decision
/// (or a representation against its refusal is heard), another is 409
/// `spouse_posting_open`.
#[utoipa::path(tag = "spouse posting", security(("bearer" = [])), request_body = NewSpousePosting,
    responses(
        (status = 201, description = "The new request; `Location` names it", body = SpousePostingView, headers(("Location" = String))),
        (status = 403, description = "Only employees ask", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The profile has not been submitted (`profile_not_submitted`, PRF-1), or another request of the employee's is open (`spouse_posting_open`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No case of para 4 applies, or both are at one station already", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/spouse-postings")]
pub async fn apply(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<NewSpousePosting>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::RequestSpousePosting)?;
    SPOUSE_POSTING
        .apply(None, SpoAction::Apply, who.role, None)
        .map_err(refused)?;
    let code = who
        .own_employee()
        .cloned()
        .ok_or_else(|| ApiError::forbidden(Op::RequestSpousePosting.grant().refusal))?;
    require_profile_submitted(&state, &code).await?;
    let key = code.clone();
    let employee = state
        .db(move |c| cscms_store::employees::get(c, &key))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?
        .record;
    let department = department_of(&state, &employee.org_id).await?;
    let s = body.spouse;
    let spouse = Spouse {
        kind: s.kind,
        service: s.service.trim().to_owned(),
        department: s.department.map(|d| d.trim().to_owned()),
        station: s.station.trim().to_owned(),
        years_at_station: s.years_at_station,
        gender: s.gender,
    };
    let applicant = Applicant {
        service: employee.cadre.as_str(),
        department: &department,
        station: &employee.station,
        gender: Some(employee.gender),
        years_at_station: body.years_at_station,
    };
    let filing = Filing {
        spouse,
        youngest_child_age: body.youngest_child_age,
        spouse_refused: body.spouse_refused,
    };
    let Classified { case, decision } =
        classify(today(), &applicant, &filing).map_err(|e| ApiError::validation(body_errors(e)))?;
    let now = Utc::now().naive_utc();
    let (to, step) = SPOUSE_POSTING
        .step(None, SpoAction::Apply, &who, None, None, now)
        .map_err(refused)?;
    let new = NewSpo {
        employee_code: code,
        org_id: employee.org_id,
        state: to,
        spouse: to_json(&filing.spouse)?,
        spouse_case: case,
        mandatory: decision.outcome.mandatory,
        decision: to_json(&decision)?,
        submitted_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let id = match state
        .db(move |c| cscms_store::spouse_postings::apply(c, &actor, &new, &step))
        .await?
    {
        Filed::New(id) => id,
        Filed::Open(open) => return Err(one_at_a_time(open)),
    };
    let r = load_visible(&state, &who, id).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/spouse-postings/{id}")))
        .json(view(&state, &who, r).await?))
}

/// SPO-1: an employee's request `open` is still open, so no other is
/// filed or represented against.
fn one_at_a_time(open: i64) -> ApiError {
    ApiError::Conflict {
        code: ProblemCode::SpousePostingOpen,
        detail: format!(
            "Spouse-posting request {open} is still open (awaiting a decision, or a representation against its refusal): one request at a time. Withdraw it, or await its decision."
        ),
    }
}

/// List the caller's own spouse-posting requests
///
/// The caller's own requests, newest first (employees), a page at a time.
#[utoipa::path(tag = "spouse posting", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the caller's requests, newest first; `Link` names the next page", body = SpousePostingList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only employees have requests of their own", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/spouse-postings/mine")]
pub async fn mine(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::RequestSpousePosting)?;
    list(&state, &who, None, &q, "/v1/spouse-postings/mine").await
}

/// List spouse-posting requests awaiting the caller's decision
///
/// For a nodal officer, the requests of their ministry and the bodies under
/// it awaiting a decision; for DoPT, the representations against refusals
/// (para 6). Oldest first, a page at a time.
#[utoipa::path(tag = "spouse posting", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the requests awaiting the caller, oldest first; `Link` names the next page", body = SpousePostingList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only nodal officers and DoPT decide", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/spouse-postings/pending")]
pub async fn pending(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListPendingSpousePostings)?;
    let queue = queue_of(who.role);
    list(&state, &who, Some(queue), &q, "/v1/spouse-postings/pending").await
}

/// A page of the requests the caller sees: those in `states`, a queue
/// (oldest first), or all, newest first.
async fn list(
    state: &AppState,
    who: &Principal,
    states: Option<Vec<SpoState>>,
    page: &paging::PageQuery,
    path: &str,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = paging::page_of(page.limit, page.cursor.as_deref(), AtId::parse)?;
    let oldest_first = states.is_some();
    let visibility = visibility(who, Family::SpousePosting);
    let rows = state
        .db(move |c| {
            let names = states.map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>());
            cscms_store::spouse_postings::list(
                c,
                &visibility,
                names.as_deref(),
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
    // Only a refused request has someone to represent to; its refusal step
    // says who refused. The steps of all of them are read in one query.
    let mut refused = Vec::new();
    for r in &rows {
        let current = r.row.state;
        if matches!(
            current,
            SpoState::Refused | SpoState::Represented | SpoState::Allowed | SpoState::Dismissed
        ) {
            refused.push(r.row.id);
        }
    }
    let steps = if refused.is_empty() {
        Vec::new()
    } else {
        state
            .db(move |c| cscms_store::steps::for_records(c, SPOUSE_POSTING.name, &refused))
            .await?
    };
    // Oldest first: the last refusal of a record is the one that stands.
    let mut refused_by = HashMap::new();
    for s in steps {
        if s.action == SpoAction::Refuse.label() {
            refused_by.insert(s.record_id, s.actor_role);
        }
    }
    let items = rows
        .into_iter()
        .map(|r| {
            let by = refused_by.get(&r.row.id).copied();
            summary(r, who, by)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &SpousePostingList { items, next },
    ))
}

/// Read a spouse-posting request
///
/// One request with the SPO-1 decision taken at filing and every step.
#[utoipa::path(tag = "spouse posting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, description = "The request with its decision and steps", body = SpousePostingView)))]
#[get("/spouse-postings/{id}")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    super::workflow::show::<SpoRecord>(&state, &who, id.into_inner()).await
}

super::workflow::step_record!(SpoRecord {
    workflow: SPOUSE_POSTING => (SpoState, SpoAction),
    view: SpousePostingView = view,
    load: load_visible,
    stored_state: |r| r.row.state,
    advance: cscms_store::spouse_postings::advance,
    more {
        /// Para 5: a refusal, and the dismissal of a representation against
        /// one, communicate specific reasons (the domain's rule); a missing
        /// reason is para 5's to answer too.
        fn check_body(&self, action: SpoAction, body: &ActionRequest) -> Result<(), ApiError> {
            reasons_suffice(action, body.reason.as_deref(), self.row.mandatory).map_err(|e| ApiError::Unprocessable {
                code: ProblemCode::SpecificReasonsRequired,
                detail: e.message,
            })
        }
    }
});

super::workflow::step_handlers! {
    record: SpoRecord, view: SpousePostingView, tag: "spouse posting", id: "Request id";
    grant: SpoAction::Grant, "/spouse-postings/{id}/grant",
        "Grant a spouse-posting request",
        "The nodal officer of the employee's ministry posts the employee at the\nspouse's station (or as the case of para 4 allows).",
        "The granted request",
        403 "Only the nodal officer decides",
        409 "Not awaiting a decision (`invalid_transition`, with `current_state` and `allowed_actions`)";
    refuse: SpoAction::Refuse, "/spouse-postings/{id}/refuse",
        "Refuse a spouse-posting request, with specific reasons",
        "The nodal officer refuses, communicating the specific reasons (para 5):\na blank reason, or one that says no more than \"administrative reasons\",\nis 422 `specific_reasons_required`. Where posting together is mandatory\n(`mandatory`: same Central Service or same department, para 2), only the\nwant of a post excuses it: reasons that name no post or vacancy lacking\nare 422 `specific_reasons_required` too.",
        "The refused request; `representation_to` names who hears a representation",
        403 "Only the nodal officer decides",
        409 "Not awaiting a decision (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "No specific reasons (`specific_reasons_required`, para 5)";
    withdraw: SpoAction::Withdraw, "/spouse-postings/{id}/withdraw",
        "Withdraw a spouse-posting request",
        "The employee withdraws the request before a decision.",
        "The withdrawn request",
        403 "Only the employee withdraws",
        409 "Already decided (`invalid_transition`, with `current_state` and `allowed_actions`)";
    represent: SpoAction::Represent, "/spouse-postings/{id}/represent",
        "Represent against a refusal",
        "The employee complains of the refusal, saying why (para 6); the\nrepresentation goes to the authority one level above the one that\nrefused (DoPT over a ministry's nodal officer). It opens the request\nagain: while another request of the employee's is open, 409\n`spouse_posting_open`.",
        "The request under representation",
        403 "Only the employee represents",
        409 "Not refused (`invalid_transition`, with `current_state` and `allowed_actions`), or another request of the employee's is open (`spouse_posting_open`)",
        422 "No reason given";
    allow: SpoAction::Allow, "/spouse-postings/{id}/allow",
        "Allow a representation",
        "The authority one level above (DoPT) allows the representation: the\nemployee is to be posted with the spouse (para 6).",
        "The representation allowed",
        403 "Only the authority one level above decides",
        409 "No representation pending (`invalid_transition`, with `current_state` and `allowed_actions`)";
    dismiss: SpoAction::Dismiss, "/spouse-postings/{id}/dismiss",
        "Dismiss a representation, with specific reasons",
        "The authority one level above dismisses the representation, giving\nspecific reasons as a refusal must (paras 5 and 6).",
        "The representation dismissed",
        403 "Only the authority one level above decides",
        409 "No representation pending (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "No specific reasons (`specific_reasons_required`, para 5)";
}
