//! Applications to advertisements (DEP-1): the employee applies, the
//! ministry gives cadre clearance and forwards or refuses, DoPT approves or
//! rejects, the applicant may withdraw; lists per role; the read and print.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use cscms_domain::cursor::AtId;
use cscms_domain::deputation::{AdvertState, DepAction, DepState, DEPUTATION};
use cscms_domain::principal::Principal;
use cscms_domain::scope::{visibility, Family, Op, Visibility};
use cscms_domain::vigilance::ClearancePurpose;
use cscms_store::deputation::{
    ApplicationFilter, ApplicationRecord, NewApplication as NewApplicationRow,
};
use cscms_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::clearance;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::ValidJson;
use crate::gate::require_profile_submitted;
use crate::routes::workflow::{clearance_json, refused, to_json, today};
use crate::routes::{actor, paging};
use crate::scope::authorize;
use crate::state::AppState;

use super::views::*;

/// An employee's application to an advertisement.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// Every document the advertisement requires, by its name.
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub documents: Vec<DocumentRef>,
    #[validate(length(min = 3, max = 2000))]
    #[schema(min_length = 3, max_length = 2000)]
    pub remarks: Option<String>,
}

/// The required documents not carried (DEP-1), each as a field error.
fn missing_documents(required: &[String], given: &[DocumentRef]) -> Vec<FieldError> {
    let given: Vec<&str> = given.iter().map(|d| d.name.as_str()).collect();
    cscms_domain::deputation::missing_documents(required, &given)
        .into_iter()
        .map(|r| {
            FieldError::new(
                "body.documents",
                "missing",
                format!("the advertisement requires '{r}'"),
            )
        })
        .collect()
}

/// Apply to an advertisement
///
/// The employee applies to an open advertisement, once, by its last date
/// (DEP-1). Needs a submitted profile (PRF-1); eligibility is judged on the
/// substantive post (DEP-2) and an ineligible application is refused with
/// every reason.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), request_body = NewApplication,
    params(("id" = i64, Path, description = "Advertisement id")),
    responses(
        (status = 201, description = "The new application; `Location` names it", body = ApplicationView, headers(("Location" = String))),
        (status = 403, description = "Only employees apply", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Profile not submitted (`profile_not_submitted`), advertisement closed or past its last date (`advertisement_not_open`), or applied already (`already_applied`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not eligible (each unmet criterion under `eligibility.*`, DEP-2), or a required document missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/deputation/advertisements/{id}/applications")]
pub async fn apply(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<NewApplication>,
) -> Result<HttpResponse, ApiError> {
    let advert_id = id.into_inner();
    let a = load_advert(&state, &who, advert_id).await?;
    DEPUTATION
        .apply(None, DepAction::Apply, who.role, None)
        .map_err(refused)?;
    let employee = own_employee(&state, &who).await?;
    require_profile_submitted(&state, &employee.code).await?;
    let advert_state = advert_state(&a);
    if advert_state != AdvertState::Open {
        return Err(ApiError::Conflict {
            code: ProblemCode::AdvertisementNotOpen,
            detail: format!(
                "Advertisement {advert_id} is {advert_state} (last date {}): it takes no applications (DEP-1).",
                a.row.last_date.format("%d.%m.%Y")
            ),
        });
    }
    let terms = terms_of(&a.row.content);
    let decision = judge(&employee, &terms);
    let mut errors: Vec<FieldError> = decision
        .outcome
        .unmet
        .iter()
        .map(|u| {
            FieldError::new(
                format!("eligibility.{}", u.criterion),
                "not_eligible",
                format!("{}: {}", u.rule, u.text),
            )
        })
        .collect();
    errors.extend(missing_documents(
        &terms.documents_required,
        &body.documents,
    ));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let cl = clearance::for_employee(
        &state,
        &employee.code,
        ClearancePurpose::Deputation,
        today(),
    )
    .await?;
    let now = Utc::now().naive_utc();
    let (to, step) = DEPUTATION
        .step(
            None,
            DepAction::Apply,
            &who,
            None,
            Some(clearance_json(&cl)?),
            now,
        )
        .map_err(refused)?;
    let new = NewApplicationRow {
        advert_id,
        employee_code: employee.code.clone(),
        org_id: employee.org_id.clone(),
        state: to,
        advert_version: a.row.version,
        documents: to_json(&body.documents)?,
        remarks: body.remarks.map(|r| r.trim().to_owned()),
        eligibility: to_json(&decision)?,
        submitted_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let id = state
        .db(
            move |c| match cscms_store::deputation::apply(c, &actor, &new, &step) {
                Ok(id) => Ok(Ok(id)),
                Err(StoreError::Conflict(detail)) => Ok(Err(detail)),
                Err(e) => Err(e),
            },
        )
        .await?
        .map_err(|detail| ApiError::Conflict {
            code: ProblemCode::AlreadyApplied,
            detail: format!("One application per advertisement (DEP-1): {detail}."),
        })?;
    let r = load_application(&state, &who, id).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/deputation/applications/{id}")))
        .json(app_view(&state, &who, r).await?))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReceivedQuery {
    /// Only applications to this advertisement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advertisement: Option<i64>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A page of the applications `filter` selects, on the list at `path`;
/// `next` is the query of the page after a cursor.
async fn list<Q: Serialize>(
    state: &AppState,
    who: &Principal,
    mut filter: ApplicationFilter,
    page: (Option<u32>, Option<&str>),
    path: &str,
    next: impl FnOnce(String, u32) -> Q,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = paging::page_of(page.0, page.1, AtId::parse)?;
    filter.after = after;
    let rows = state
        .db(move |c| cscms_store::deputation::applications(c, &filter, paging::fetch(limit)))
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        path,
        |last| AtId::after(last.row.submitted_at, last.row.id),
        |cursor| next(cursor, limit),
    )?;
    let items = rows
        .into_iter()
        .map(|r| app_summary(r, who))
        .collect::<Result<_, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &ApplicationList { items, next },
    ))
}

/// List the caller's own applications
///
/// The caller's own applications, newest first (employees), a page at a time.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the caller's applications, newest first; `Link` names the next page", body = ApplicationList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only employees apply", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/mine")]
pub async fn mine(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListOwnApplications)?;
    let filter = ApplicationFilter {
        applicants: visibility(&who, Family::DeputationApplication),
        state: None,
        advert_org: None,
        advert_id: None,
        oldest_first: false,
        after: None,
    };
    let page = (q.limit, q.cursor.as_deref());
    list(
        &state,
        &who,
        filter,
        page,
        "/v1/deputation/applications/mine",
        paging::PageQuery::at,
    )
    .await
}

/// List applications awaiting cadre clearance
///
/// Applications awaiting cadre clearance in the caller's ministry or
/// department and the bodies under it, oldest first (nodal officers), a
/// page at a time.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the applications awaiting cadre clearance, oldest first; `Link` names the next page", body = ApplicationList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only nodal officers give cadre clearance", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/pending-ministry")]
pub async fn pending_ministry(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListApplicationsPendingMinistry)?;
    let filter = ApplicationFilter {
        applicants: visibility(&who, Family::DeputationApplication),
        state: Some(DepState::Submitted.as_str().into()),
        advert_org: None,
        advert_id: None,
        oldest_first: true,
        after: None,
    };
    let page = (q.limit, q.cursor.as_deref());
    let path = "/v1/deputation/applications/pending-ministry";
    list(&state, &who, filter, page, path, paging::PageQuery::at).await
}

/// List applications awaiting DoPT
///
/// Applications forwarded with cadre clearance, awaiting DoPT's decision,
/// oldest first, a page at a time.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the forwarded applications, oldest first; `Link` names the next page", body = ApplicationList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only DoPT approves", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/pending-dopt")]
pub async fn pending_dopt(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListApplicationsPendingDopt)?;
    let filter = ApplicationFilter {
        applicants: visibility(&who, Family::DeputationApplication),
        state: Some(DepState::Forwarded.as_str().into()),
        advert_org: None,
        advert_id: None,
        oldest_first: true,
        after: None,
    };
    let page = (q.limit, q.cursor.as_deref());
    let path = "/v1/deputation/applications/pending-dopt";
    list(&state, &who, filter, page, path, paging::PageQuery::at).await
}

/// List applications received for the caller's posts
///
/// Applications to the caller's advertisements, once approved by DoPT
/// (sub-nodal officers), oldest first, a page at a time.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(ReceivedQuery),
    responses((status = 200, description = "A page of the approved applications to the caller's advertisements, oldest first; `Link` names the next page", body = ApplicationList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only sub-nodal officers receive applications", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/received")]
pub async fn received(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<ReceivedQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListApplicationsReceived)?;
    let Some(org) = who.org.as_ref() else {
        return Err(ApiError::forbidden("No organisation in the token."));
    };
    let filter = ApplicationFilter {
        applicants: Visibility::All,
        state: Some(DepState::Approved.as_str().into()),
        advert_org: Some(org.as_str().to_owned()),
        advert_id: q.advertisement,
        oldest_first: true,
        after: None,
    };
    let advertisement = q.advertisement;
    let page = (q.limit, q.cursor.as_deref());
    let path = "/v1/deputation/applications/received";
    list(&state, &who, filter, page, path, |cursor, limit| {
        ReceivedQuery {
            advertisement,
            cursor: Some(cursor),
            limit: Some(limit),
        }
    })
    .await
}

/// Read an application
///
/// One application with its eligibility, the vigilance clearance as of
/// today and every step. With `Accept: application/pdf`, the application
/// as printed (DEP-1) with its clearance chain: every step with who took
/// it, when, the vigilance clearance then and any override (VIG-2), and a
/// verification code that `GET /v1/prints/{code}` answers for.
#[utoipa::path(tag = "deputation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, description = "The application with its eligibility, clearance and steps; `application/pdf` for the print",
        content((ApplicationView = "application/json"), (crate::routes::ipr::PdfDocument = "application/pdf")))))]
#[get("/deputation/applications/{id}")]
pub async fn get_application(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    crate::routes::workflow::read::<ApplicationRecord>(&state, &who, &req, id.into_inner()).await
}

impl crate::routes::workflow::Printed for ApplicationRecord {
    /// The application as printed (DEP-1) with its clearance chain; its
    /// version is the number of steps taken.
    async fn print(
        self,
        state: &AppState,
        who: &Principal,
        req: &HttpRequest,
    ) -> Result<HttpResponse, ApiError> {
        let org = self.row.org_id.clone();
        let v = app_view(state, who, self).await?;
        let a = &v.application;
        crate::routes::prints::print_steps(
            state,
            who,
            req,
            (DEPUTATION.name, a.id, &org),
            v.steps.len(),
            &format!("deputation-application-{}.pdf", a.id),
            |ctx| crate::print::deputation::document(&v, ctx),
        )
        .await
    }
}

crate::routes::workflow::step_record!(ApplicationRecord {
    workflow: DEPUTATION => (DepState, DepAction),
    view: ApplicationView = app_view,
    load: load_application,
    state: |r| Ok(r.row.state),
    clearance: |r| Some((&r.row.employee_code, ClearancePurpose::Deputation)),
    advance: super::views::advance,
});

crate::routes::workflow::step_handlers! {
    record: ApplicationRecord, view: ApplicationView, tag: "deputation", id: "Application id";
    forward: DepAction::Forward, "/deputation/applications/{id}/forward",
        "Forward an application with cadre clearance",
        "The employee's ministry gives cadre clearance and forwards the application to DoPT (DEP-1).",
        "The forwarded application",
        403 "Only the nodal officer of the applicant's ministry forwards",
        409 "Not awaiting cadre clearance (`invalid_transition`, with `current_state` and `allowed_actions`), or vigilance clearance withheld without a recorded override (`clearance_withheld`)";
    refuse: DepAction::Refuse, "/deputation/applications/{id}/refuse",
        "Refuse cadre clearance",
        "The employee's ministry refuses cadre clearance, with a reason (DEP-1).",
        "The refused application",
        403 "Only the nodal officer of the applicant's ministry refuses",
        409 "Not awaiting cadre clearance (`invalid_transition`, with `current_state` and `allowed_actions`)";
    approve: DepAction::Approve, "/deputation/applications/{id}/approve",
        "Approve an application (DoPT)",
        "DoPT approves a forwarded application; the borrowing organisation then sees it (DEP-1).\nNo more are approved than the advertisement's vacancies, and no applicant\nwhose earlier approved deputation's tenure has not run.",
        "The approved application",
        403 "Only DoPT approves",
        409 "Not forwarded (`invalid_transition`, with `current_state` and `allowed_actions`), vigilance clearance withheld without a recorded override (`clearance_withheld`), approved applications already fill the advertisement's vacancies (`vacancies_filled`), or the applicant holds another approved deputation whose tenure has not run (`on_deputation`)";
    reject: DepAction::Reject, "/deputation/applications/{id}/reject",
        "Reject an application (DoPT)",
        "DoPT rejects a forwarded application, with a reason (DEP-1).",
        "The rejected application",
        403 "Only DoPT rejects",
        409 "Not forwarded (`invalid_transition`, with `current_state` and `allowed_actions`)";
    withdraw: DepAction::Withdraw, "/deputation/applications/{id}/withdraw",
        "Withdraw an application",
        "The employee withdraws the application before the final decision (DEP-1).",
        "The withdrawn application",
        403 "Only the applicant withdraws",
        409 "Already decided (`invalid_transition`, with `current_state` and `allowed_actions`)";
}
