//! Surplus Cell NOC/NAC requisitions (SUR-1): the office drafts the
//! proforma, submits it, the cadre controlling authority forwards it, DoPT
//! takes it up and issues a NOC or NAC, nominates surplus employees or
//! returns it; the office records appointments, and DoPT and the ministry
//! watch the three-month clock. On the one workflow mechanism; no profile
//! gate and no vigilance clearance (the requester is an office).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cursor;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{org_visibility, Family, Op, OrgPlace};
use cscms_domain::surplus::{
    self, is_overdue, OverdueCursor, Requisition, RequisitionInput, StoredRequisition, SurAction,
    SurState, SURPLUS_REQUISITION,
};
use cscms_store::json::Json;
use cscms_store::surplus::{NewNomination, NewRequisition, Proforma, RequisitionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationErrors};

use super::paging;
use super::workflow::{allowed, refused, today, StepView};
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::ValidJson;
use crate::print;
use crate::scope::{authorize, ensure_visible_org};
use crate::state::AppState;
use crate::versioning::{etag_header, if_match, version_tag};

/// A requisition being drafted or amended: the proforma's wire shape,
/// checked by the domain's rules of the OM (every bad field at once).
#[derive(Deserialize)]
#[serde(transparent)]
pub struct ProformaBody(RequisitionInput);

impl Validate for ProformaBody {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// A requisition as listed.
#[derive(Serialize, ToSchema)]
pub struct RequisitionSummary {
    pub id: i64,
    /// The office whose post it is.
    pub organisation_id: String,
    pub organisation_name: String,
    pub state: SurState,
    /// Changes with every amendment and step; the `ETag`.
    pub version: i64,
    pub designation: String,
    pub total_vacancies: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now.
    pub allowed_actions: Vec<SurAction>,
}

/// A surplus employee nominated against the vacancies (certificate 11).
#[derive(Serialize, ToSchema)]
pub struct NominationView {
    pub seq: i64,
    pub name: String,
    pub particulars: String,
    pub nominated_on: NaiveDate,
    /// The last day of the three months for the appointment.
    pub appointment_due_on: NaiveDate,
    pub appointed_on: Option<NaiveDate>,
    pub appointment_order: Option<String>,
    /// Not appointed and past `appointment_due_on` (IST today).
    pub overdue: bool,
    /// Appointed after `appointment_due_on`.
    pub appointed_late: bool,
    /// The clock's decision: the last day, the rule (SUR-1) and the order.
    #[schema(value_type = cscms_domain::decision::Decision<cscms_domain::surplus::AppointmentDue>)]
    pub clock: serde_json::Value,
}

/// A requisition with its proforma, nominations and steps.
#[derive(Serialize, ToSchema)]
pub struct RequisitionView {
    #[serde(flatten)]
    pub requisition: RequisitionSummary,
    /// The proforma as filed, in the shape it was sent.
    #[schema(value_type = RequisitionInput)]
    pub proforma: serde_json::Value,
    pub nominations: Vec<NominationView>,
    /// Every step with who took it, when and why.
    pub steps: Vec<StepView>,
}

#[derive(Serialize, ToSchema)]
pub struct RequisitionList {
    pub items: Vec<RequisitionSummary>,
    /// The next page, or null on the last one (also in `Link`).
    #[schema(example = "/v1/surplus/requisitions?cursor=41&limit=50")]
    pub next: Option<String>,
}

/// One surplus employee to nominate.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NomineeInput {
    #[schema(example = "Suresh Kumar")]
    pub name: String,
    /// The post last held and the office declared surplus from.
    #[schema(
        example = "UDC, Directorate General of Supplies and Disposals (surplus from 01.10.2025)"
    )]
    pub particulars: String,
    /// The date of nomination: not before the requisition was signed
    /// (`signed.date`), not in the future. A nomination made on paper before
    /// DoPT recorded its take-up here is entered with its own date.
    pub nominated_on: NaiveDate,
}

/// DoPT's nomination of surplus employees against the vacancies.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominateRequest {
    #[validate(length(max = 200))]
    #[schema(min_items = 1, max_items = 200)]
    pub nominees: Vec<NomineeInput>,
    #[validate(length(min = 3, max = 1000))]
    #[schema(min_length = 3, max_length = 1000)]
    pub reason: Option<String>,
}

/// The office's record of a nominee's appointment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRequest {
    /// Not before the nomination, not in the future.
    pub appointed_on: NaiveDate,
    /// The appointment order's number and date.
    #[validate(length(min = 3, max = 300))]
    #[schema(
        min_length = 3,
        max_length = 300,
        example = "A-12011/4/2026-Admn dated 10.03.2026"
    )]
    pub order: String,
}

/// A nomination past its three months, with no appointment recorded.
#[derive(Serialize, ToSchema)]
pub struct OverdueNomination {
    pub requisition_id: i64,
    pub seq: i64,
    pub organisation_id: String,
    pub designation: String,
    pub name: String,
    pub nominated_on: NaiveDate,
    pub appointment_due_on: NaiveDate,
    /// Days since the last day of the period.
    pub days_overdue: i64,
    /// The clock's decision: the last day, the rule (SUR-1) and the order.
    #[schema(value_type = cscms_domain::decision::Decision<cscms_domain::surplus::AppointmentDue>)]
    pub clock: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct OverdueList {
    /// The date (IST) the list was drawn for.
    pub as_of: NaiveDate,
    pub items: Vec<OverdueNomination>,
    /// The next page, when there is one (also in `Link`).
    pub next: Option<String>,
}

fn current(r: &RequisitionRecord) -> SurState {
    r.row.state
}

fn stored(r: &RequisitionRecord) -> &StoredRequisition {
    r.row.document.get()
}

fn summary(r: &RequisitionRecord, who: &Principal) -> Result<RequisitionSummary, ApiError> {
    let state = current(r);
    let row = &r.row;
    Ok(RequisitionSummary {
        id: row.id,
        organisation_id: row.org_id.to_string(),
        organisation_name: r.org_name.clone(),
        state,
        version: row.version,
        designation: row.designation.clone(),
        total_vacancies: row.total_vacancies,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&SURPLUS_REQUISITION, state, who.role),
    })
}

/// Loads a requisition the caller may see; anything else is 404.
async fn load_visible(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<RequisitionRecord, ApiError> {
    let what = || format!("Requisition {id}");
    let r = state
        .db(move |c| cscms_store::surplus::get(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(what()))?;
    let place = OrgPlace {
        id: &r.row.org_id,
        parent: r.org_parent.as_ref(),
        children: &[],
    };
    ensure_visible_org(who, Family::SurplusRequisition, place, what)?;
    Ok(r)
}

/// SUR-1's three-month clock for a nomination, as the views show it.
fn clock(nominated_on: NaiveDate) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(surplus::appointment_due(nominated_on))
        .map_err(|e| ApiError::Internal(format!("clock: {e}")))
}

fn nomination_view(
    n: cscms_store::surplus::NominationRow,
    today: NaiveDate,
) -> Result<NominationView, ApiError> {
    Ok(NominationView {
        clock: clock(n.nominated_on)?,
        overdue: is_overdue(n.due_on, n.appointed_on, today),
        appointed_late: n.appointed_on.is_some_and(|a| a > n.due_on),
        seq: n.seq,
        name: n.name,
        particulars: n.particulars,
        nominated_on: n.nominated_on,
        appointment_due_on: n.due_on,
        appointed_on: n.appointed_on,
        appointment_order: n.appointment_order,
    })
}

async fn view(
    state: &AppState,
    who: &Principal,
    r: RequisitionRecord,
) -> Result<RequisitionView, ApiError> {
    let id = r.row.id;
    let (steps, nominations) = state
        .db(move |c| {
            Ok((
                cscms_store::steps::for_record(c, SURPLUS_REQUISITION.name, id)?,
                cscms_store::surplus::nominations(c, id)?,
            ))
        })
        .await?;
    let doc = stored(&r);
    let proforma = serde_json::to_value(doc.requisition())
        .map_err(|e| ApiError::Internal(format!("requisition: {e}")))?;
    let today = today();
    Ok(RequisitionView {
        requisition: summary(&r, who)?,
        proforma,
        nominations: nominations
            .into_iter()
            .map(|n| nomination_view(n, today))
            .collect::<Result<_, _>>()?,
        steps: StepView::list(steps)?,
    })
}

/// The proforma checked by the OM's rules (SUR-1), as stored.
fn proforma(body: &RequisitionInput) -> Result<(Requisition, Proforma), ApiError> {
    let r = surplus::parse(body, today()).map_err(|e| ApiError::fields("body", e))?;
    let doc = Proforma {
        designation: r.post.designation.to_string(),
        total_vacancies: i64::from(r.total_vacancies),
        document: Json::new(StoredRequisition::V1(r.clone()))?,
    };
    Ok((r, doc))
}

/// The requisition's `ETag`: its version, and while nominees are overdue
/// for appointment (SUR-1; the date decides it, not a write) how many,
/// `"{version}-overdue{n}"`, so a copy read before is not answered 304.
fn answer(v: RequisitionView) -> HttpResponse {
    let late = v.nominations.iter().filter(|n| n.overdue).count();
    let mark = (late > 0).then(|| format!("overdue{late}"));
    HttpResponse::Ok()
        .insert_header(version_tag(v.requisition.version, mark))
        .json(v)
}

/// Draft a requisition for NOC/NAC
///
/// The office (a ministry's nodal officer for its own posts, a body's
/// sub-nodal officer for the body's) drafts a requisition for one post as
/// the revised proforma of DoPT OM 1/1/2017-R&R and DC of 03.04.2019
/// (SUR-1). Every item is checked at the door and every bad one named by
/// its path: nothing blank or written as dashes or dots, a named station
/// with its State for each place (never "All India"), the category-wise
/// break-up adding up to each place's total and the places to the total,
/// categories SC/ST/OBC/EWS/UR only, the pay level that of the grade pay
/// (PAY-1), no date in the future, certificates 9-11 given and the
/// recruitment rules attached. Audited.
#[utoipa::path(tag = "surplus", security(("bearer" = [])), request_body = RequisitionInput,
    responses(
        (status = 201, description = "The draft; `Location` names it, `ETag` is its version", body = RequisitionView, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only an office drafts a requisition", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Items of the proforma are missing or wrong (`errors`, each with its path), among them a vacancy arising after the requisition was signed (`vacancies[i].arose_on[k]`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/surplus/requisitions")]
pub async fn draft(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(ProformaBody(body)): ValidJson<ProformaBody>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::DraftSurplusRequisition)?;
    let org = who
        .officer_org()
        .cloned()
        .ok_or_else(|| ApiError::forbidden(Op::DraftSurplusRequisition.grant().refusal))?;
    let now = Utc::now().naive_utc();
    let (_, step) = SURPLUS_REQUISITION
        .step(None, SurAction::Draft, &who, None, None, now)
        .map_err(refused)?;
    let (_, doc) = proforma(&body)?;
    let key = org.clone();
    let known = state
        .db(move |c| cscms_store::organisations::get(c, &key))
        .await?;
    if known.is_none() {
        return Err(ApiError::forbidden(
            "The caller's organisation is not on the portal.",
        ));
    }
    let new = NewRequisition {
        org_id: org.clone(),
        state: SurState::Draft,
        version: 1,
        designation: doc.designation,
        total_vacancies: doc.total_vacancies,
        document: doc.document,
        created_by: who.sub.clone(),
        created_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| cscms_store::surplus::draft(c, &actor, &new, &step))
        .await?;
    let r = load_visible(&state, &who, id).await?;
    let v = view(&state, &who, r).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/surplus/requisitions/{id}")))
        .insert_header(etag_header(v.requisition.version))
        .json(v))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the requisitions in this state: `submitted` is a ministry's
    /// queue, `forwarded` and `with_dopt` DoPT's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<SurState>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// List requisitions
///
/// The requisitions the caller sees, oldest first, a page at a time: an
/// office its own, a ministry's nodal officer its own and those of the
/// bodies under it, DoPT all (SUR-1). `allowed_actions` says which await
/// the caller.
#[utoipa::path(tag = "surplus", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of the requisitions, oldest first; `Link` names the next page", body = RequisitionList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an office, a ministry or DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/surplus/requisitions")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListSurplusRequisitions)?;
    let visibility = org_visibility(&who, Family::SurplusRequisition);
    let q = q.into_inner();
    let (limit, after) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    let in_state = q.state;
    let rows = state
        .db(move |c| {
            cscms_store::surplus::list(
                c,
                &visibility,
                in_state.map(SurState::as_str),
                after,
                paging::fetch(limit),
            )
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/surplus/requisitions",
        |last| Some(last.row.id.to_string()),
        |cursor| ListQuery {
            state: in_state,
            cursor: Some(cursor),
            limit: Some(limit),
        },
    )?;
    let items = rows
        .iter()
        .map(|r| summary(r, &who))
        .collect::<Result<_, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &RequisitionList { items, next },
    ))
}

/// Read a requisition
///
/// One requisition with its proforma, nominations and steps; `ETag` is its
/// version, and while nominees are overdue for appointment
/// `"{version}-overdue{n}"`. With `Accept: application/pdf`, the proforma as
/// printed.
#[utoipa::path(tag = "surplus", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Requisition id")),
    responses((status = 200, description = "The requisition; `application/pdf` for the print",
        content((RequisitionView = "application/json"), (crate::routes::ipr::PdfDocument = "application/pdf")))))]
#[get("/surplus/requisitions/{id}")]
pub async fn read(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    super::workflow::read::<RequisitionRecord>(&state, &who, &req, id.into_inner()).await
}

/// The proforma as printed (SUR-1), registered for verification at the
/// requisition's version.
async fn print_requisition(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    r: RequisitionRecord,
) -> Result<HttpResponse, ApiError> {
    let doc = stored(&r);
    let id = r.row.id;
    let issued = print::verification::issue(
        state,
        who,
        req,
        ("surplus_requisition", &id.to_string(), r.row.version),
    )
    .await?;
    let summary = summary(&r, who)?;
    let document = print::surplus::document(
        doc.requisition(),
        &print::surplus::Context {
            id,
            office: &r.org_name,
            state: summary.state,
            printed_at: issued.at,
            verification: Some(issued.code),
            version: r.row.version,
        },
    );
    let pdf = print::render(&document).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(super::prints::pdf_response(
        &format!("surplus-requisition-{id}.pdf"),
        pdf,
    ))
}

/// Amend a draft requisition
///
/// The office replaces the proforma of its draft, checked as when drafted
/// (SUR-1). Needs `If-Match` with the version read.
#[utoipa::path(tag = "surplus", security(("bearer" = [])), request_body = RequisitionInput,
    params(("id" = i64, Path, description = "Requisition id"),
        ("If-Match" = String, Header, description = "The ETag of the version amended")),
    responses(
        (status = 200, description = "The amended draft; `ETag` is its new version", body = RequisitionView, headers(("ETag" = String))),
        (status = 403, description = "Only the office amends its draft", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer a draft (`invalid_transition`, with `current_state` and `allowed_actions`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since it was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Items of the proforma are missing or wrong, among them a vacancy arising after the requisition was signed (`vacancies[i].arose_on[k]`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[put("/surplus/requisitions/{id}")]
pub async fn amend(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(ProformaBody(body)): ValidJson<ProformaBody>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let r = load_visible(&state, &who, id).await?;
    let (_, step) = SURPLUS_REQUISITION
        .step(
            Some(current(&r)),
            SurAction::Amend,
            &who,
            None,
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    // Only the office itself amends: a ministry sees its bodies' drafts but
    // does not write them.
    if who.officer_org().map(OrgId::as_str) != Some(r.row.org_id.as_str()) {
        return Err(ApiError::forbidden(
            "Only the office that drafted the requisition amends it.",
        ));
    }
    let expected = if_match(&req)?;
    if expected != r.row.version {
        return Err(ApiError::PreconditionFailed);
    }
    let (_, doc) = proforma(&body)?;
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::surplus::amend(c, &actor, id, expected, &doc, &step))
        .await?;
    let r = load_visible(&state, &who, id).await?;
    Ok(answer(view(&state, &who, r).await?))
}

// The requester is an office: no vigilance clearance (SUR-1).
super::workflow::step_record!(RequisitionRecord {
    workflow: SURPLUS_REQUISITION => (SurState, SurAction),
    view: RequisitionView = view,
    load: load_visible,
    stored_state: |r| r.row.state,
    advance: cscms_store::surplus::advance,
    more {
        /// The office submits only its own requisition: a ministry's nodal
        /// officer sees its bodies' drafts, but the body submits them.
        fn may_take(&self, who: &Principal, action: SurAction) -> Result<(), ApiError> {
            if action == SurAction::Submit
                && matches!(current(self), SurState::Draft)
                && who.officer_org().map(OrgId::as_str) != Some(self.row.org_id.as_str())
            {
                return Err(ApiError::forbidden(
                    "Only the office that drafted the requisition submits it.",
                ));
            }
            Ok(())
        }

        fn respond(v: RequisitionView) -> HttpResponse {
            answer(v)
        }
    }
});

impl super::workflow::Printed for RequisitionRecord {
    async fn print(
        self,
        state: &AppState,
        who: &Principal,
        req: &HttpRequest,
    ) -> Result<HttpResponse, ApiError> {
        print_requisition(state, who, req, self).await
    }
}

super::workflow::step_handlers! {
    record: RequisitionRecord, view: RequisitionView, tag: "surplus", id: "Requisition id";
    submit: SurAction::Submit, "/surplus/requisitions/{id}/submit",
        "Submit a requisition",
        "The office submits its draft to its cadre controlling authority (SUR-1).",
        "The submitted requisition",
        403 "Only the office submits",
        409 "Not a draft (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "The body breaks the rules (`validation_failed`)";
    forward: SurAction::Forward, "/surplus/requisitions/{id}/forward",
        "Forward a requisition to DoPT",
        "The cadre controlling authority forwards the requisition to DoPT's Surplus Cell: for a body under a ministry, the ministry's nodal officer (note (iv) of the proforma; SUR-1).",
        "The forwarded requisition",
        403 "Only the ministry's nodal officer forwards",
        409 "Not submitted (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "The body breaks the rules (`validation_failed`)";
    take_up: SurAction::TakeUp, "/surplus/requisitions/{id}/take-up",
        "Take up a requisition",
        "DoPT's R&R division takes up a forwarded requisition (SUR-1).",
        "The requisition with DoPT",
        403 "Only DoPT takes up requisitions",
        409 "Not forwarded (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "The body breaks the rules (`validation_failed`)";
    issue_noc: SurAction::IssueNoc, "/surplus/requisitions/{id}/issue-noc",
        "Issue a No Objection Certificate",
        "DoPT issues a NOC: the post may be filled by direct recruitment (SUR-1).",
        "The requisition with its NOC",
        403 "Only DoPT issues certificates",
        409 "Not with DoPT (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "The body breaks the rules (`validation_failed`)";
    issue_nac: SurAction::IssueNac, "/surplus/requisitions/{id}/issue-nac",
        "Issue a Non-Availability Certificate",
        "DoPT certifies that no surplus employee is available for the post (SUR-1).",
        "The requisition with its NAC",
        403 "Only DoPT issues certificates",
        409 "Not with DoPT (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "The body breaks the rules (`validation_failed`)";
    return_requisition: SurAction::Return, "/surplus/requisitions/{id}/return",
        "Return a requisition with reasons",
        "The ministry (before forwarding) or DoPT returns the requisition to the office, with reasons (SUR-1).",
        "The returned requisition",
        403 "This role does not return requisitions",
        409 "Not awaiting the caller (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "A reason is required to return";
}

/// Nominate surplus employees
///
/// DoPT nominates surplus employees against the vacancies of a requisition
/// it has taken up (SUR-1): one to the number of vacancies, each with the
/// date of nomination, from which the office has three months to appoint
/// them (certificate 11). Audited with the step.
#[utoipa::path(tag = "surplus", security(("bearer" = [])), request_body = NominateRequest,
    params(("id" = i64, Path, description = "Requisition id")),
    responses((status = 200, description = "The requisition with its nominations", body = RequisitionView),
        (status = 403, description = "Only DoPT nominates", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not with DoPT (`invalid_transition`, with `current_state` and `allowed_actions`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No nominee, more than the vacancies, or a date of nomination in the future or before the requisition was signed (`body.nominees[i].nominated_on`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/surplus/requisitions/{id}/nominate")]
pub async fn nominate(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<NominateRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let r = load_visible(&state, &who, id).await?;
    let (_, step) = SURPLUS_REQUISITION
        .step(
            Some(current(&r)),
            SurAction::Nominate,
            &who,
            body.reason.as_deref(),
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    let vacancies = r.row.vacancies()?;
    let given: Vec<(&str, &str, NaiveDate)> = body
        .nominees
        .iter()
        .map(|n| (n.name.as_str(), n.particulars.as_str(), n.nominated_on))
        .collect();
    // The date the office signed the requisition (it may have been made on
    // paper before it was recorded here).
    let requisitioned_on = stored(&r).requisition().signed.date;
    let nominees = surplus::nominate(&given, vacancies, requisitioned_on, today())
        .map_err(|e| ApiError::fields("body", e))?
        .into_iter()
        .map(|n| NewNomination {
            name: n.name.to_string(),
            particulars: n.particulars.to_string(),
            nominated_on: n.nominated_on,
            due_on: n.due_on,
        })
        .collect::<Vec<_>>();
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::surplus::nominate(c, &actor, id, &step, &nominees))
        .await?;
    let r = load_visible(&state, &who, id).await?;
    Ok(answer(view(&state, &who, r).await?))
}

/// Record an appointment
///
/// The office records the appointment of a nominated surplus employee
/// (certificate 11; SUR-1). An appointment after the three months is kept
/// and shown as late. Audited.
#[utoipa::path(tag = "surplus", security(("bearer" = [])), request_body = AppointmentRequest,
    params(("id" = i64, Path, description = "Requisition id"),
        ("seq" = i64, Path, description = "The nomination's number in the requisition")),
    responses((status = 200, description = "The nomination with its appointment", body = NominationView),
        (status = 403, description = "Only the office records appointments", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The appointment is already recorded (`already_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Before the nomination or in the future", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/surplus/requisitions/{id}/nominations/{seq}/appointment")]
pub async fn appoint(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    ValidJson(body): ValidJson<AppointmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, seq) = path.into_inner();
    let r = load_visible(&state, &who, id).await?;
    authorize(&who, Op::RecordSurplusAppointment)?;
    if who.officer_org().map(OrgId::as_str) != Some(r.row.org_id.as_str()) {
        return Err(ApiError::forbidden(
            "Only the office that made the requisition records its appointments.",
        ));
    }
    let not_found = || ApiError::not_found(format!("Nomination {seq} of requisition {id}"));
    let n = state
        .db(move |c| cscms_store::surplus::nominations(c, id))
        .await?
        .into_iter()
        .find(|n| n.seq == seq)
        .ok_or_else(not_found)?;
    if n.appointed_on.is_some() {
        return Err(ApiError::Conflict {
            code: ProblemCode::AlreadyExists,
            detail: "The appointment of this nominee is already recorded.".into(),
        });
    }
    let today = today();
    if body.appointed_on < n.nominated_on || body.appointed_on > today {
        return Err(ApiError::invalid(
            "body.appointed_on",
            "invalid",
            "must lie between the date of nomination and today",
        ));
    }
    let order = body.order.trim().to_owned();
    let actor = actor(&who, &req);
    let on = body.appointed_on;
    state
        .db(move |c| cscms_store::surplus::appoint(c, &actor, id, seq, on, &order))
        .await?;
    let n = state
        .db(move |c| cscms_store::surplus::nominations(c, id))
        .await?
        .into_iter()
        .find(|n| n.seq == seq)
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(nomination_view(n, today)?))
}

/// List overdue nominations
///
/// Nominated surplus employees not appointed within three months of
/// nomination (certificate 11; SUR-1), the longest overdue first: all for
/// DoPT, a ministry's own and its bodies' for its nodal officer, a page at
/// a time. The day the three months end is still in time.
#[utoipa::path(tag = "surplus", security(("bearer" = [])), params(paging::DatedPageQuery),
    responses((status = 200, description = "A page of overdue nominations, longest overdue first; `Link` names the next page", body = OverdueList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only DoPT and ministries' nodal officers", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/surplus/nominations/overdue")]
pub async fn overdue(
    Auth(who): Auth,
    state: web::Data<AppState>,
    query: web::Query<paging::DatedPageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListOverdueNominations)?;
    let visibility = org_visibility(&who, Family::SurplusRequisition);
    let q = query.into_inner();
    let as_of = q.as_of.unwrap_or_else(today);
    let (limit, after) = paging::page_of(q.limit, q.cursor.as_deref(), OverdueCursor::parse)?;
    let rows = state
        .db(move |c| {
            cscms_store::surplus::overdue(c, &visibility, as_of, after, paging::fetch(limit))
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/surplus/nominations/overdue",
        |last| {
            let cursor = OverdueCursor {
                due_on: last.row.due_on,
                requisition_id: last.row.requisition_id,
                seq: last.row.seq,
            };
            Some(cursor.to_string())
        },
        |cursor| paging::DatedPageQuery {
            as_of: Some(as_of),
            cursor: Some(cursor),
            limit: Some(limit),
        },
    )?;
    let items = rows
        .into_iter()
        .map(|n| {
            Ok(OverdueNomination {
                clock: clock(n.row.nominated_on)?,
                requisition_id: n.row.requisition_id,
                seq: n.row.seq,
                organisation_id: n.org_id.into(),
                designation: n.designation,
                name: n.row.name,
                nominated_on: n.row.nominated_on,
                appointment_due_on: n.row.due_on,
                days_overdue: (as_of - n.row.due_on).num_days(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(paging::respond(
        next.clone(),
        &OverdueList { as_of, items, next },
    ))
}
