//! Deputation (DEP-1, DEP-2): advertisements by sub-nodal officers,
//! applications by employees, cadre clearance by the employee's ministry and
//! approval by DoPT, with the vigilance clearance fetched at every step.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::deputation::{
    check_advert, eligibility, shared_with_borrower, AdvertAction, AdvertState, AdvertTerms,
    Applicant, DepAction, DepState, Eligibility, EligibilityOutcome, ADVERTISEMENT, DEPUTATION,
};
use cscms_domain::pay::{deputation_pay, DeputationPay};
use cscms_domain::principal::Principal;
use cscms_domain::scope::{
    sees_organisation, visibility, Family, Op, OrgPlace, RecordPlace, Visibility,
};
use cscms_domain::vigilance::ClearancePurpose;
use cscms_store::deputation::{
    AdvertContent, AdvertFilter, AdvertRecord, ApplicationFilter, ApplicationRecord,
    NewApplication as NewApplicationRow,
};
use cscms_store::employees::EmployeeRow;
use cscms_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::workflow::{
    allowed, clearance_json, corrupt, refused, to_json, today, ActionRequest, StepView,
};
use super::{actor, utc};
use crate::auth::Auth;
use crate::career::{deputation_facts, PostPlace};
use crate::clearance;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{body_errors, BodyRules, CheckedJson, ValidJson};
use crate::gate::require_profile_submitted;
use crate::scope::{authorize, ensure_visible};
use crate::state::AppState;
use crate::versioning::{etag_header, if_match};

/// The terms of an advertisement, as published or amended.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvertisementTerms {
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "Deputy Director (Administration)"
    )]
    pub post: String,
    /// 7th CPC pay level of the post: `1`-`18` or `13A`.
    #[schema(example = "10")]
    pub level: String,
    #[validate(range(min = 1, max = 500))]
    #[schema(minimum = 1, maximum = 500)]
    pub vacancies: u32,
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Bengaluru")]
    pub place: String,
    /// The state of the place of posting (never "All India").
    #[validate(length(min = 2, max = 60))]
    #[schema(min_length = 2, max_length = 60, example = "Karnataka")]
    pub place_state: String,
    /// Period of deputation, in years.
    #[validate(range(min = 1, max = 7))]
    #[schema(minimum = 1, maximum = 7, example = 3)]
    pub tenure_years: u32,
    pub eligibility: Eligibility,
    /// Applications are accepted up to and including this date (IST).
    pub last_date: NaiveDate,
    /// Documents each application must carry.
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "document_names"))]
    #[schema(max_items = 20, example = json!(["APARs of the last five years", "Vigilance clearance"]))]
    pub documents_required: Vec<String>,
}

fn document_names(docs: &[String]) -> Result<(), validator::ValidationError> {
    if docs
        .iter()
        .all(|d| (2..=200).contains(&d.trim().chars().count()))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid")
            .with_message("each document 2-200 characters".into()))
    }
}

impl BodyRules for AdvertisementTerms {
    fn rule_errors(&self) -> Vec<FieldError> {
        let terms = AdvertTerms {
            level: &self.level,
            place_state: &self.place_state,
            eligibility: &self.eligibility,
            last_date: self.last_date,
            documents_required: &self.documents_required,
        };
        body_errors(check_advert(&terms, today()))
    }
}

/// One version of an advertisement.
#[derive(Serialize, ToSchema)]
pub struct AdvertisementVersion {
    pub version: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub terms: AdvertisementTerms,
}

#[derive(Serialize, ToSchema)]
pub struct AdvertisementView {
    pub id: i64,
    /// The borrowing organisation.
    pub organisation_id: String,
    pub organisation_name: String,
    /// The ministry or department it is under.
    pub ministry_id: Option<String>,
    /// `lapsed`: open, but its last date has passed.
    pub state: AdvertState,
    /// Also sent as the `ETag`; send it in `If-Match` to amend.
    pub version: i64,
    #[serde(flatten)]
    pub terms: AdvertisementTerms,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub allowed_actions: Vec<AdvertAction>,
    /// For an employee: whether they may apply, judged on the substantive
    /// post (DEP-2), with every reason.
    #[schema(value_type = Option<cscms_domain::decision::Decision<cscms_domain::deputation::EligibilityOutcome>>)]
    pub eligibility_check: Option<Value>,
    /// Every version, the first as published (in the single view only).
    pub history: Vec<AdvertisementVersion>,
}

#[derive(Serialize, ToSchema)]
pub struct AdvertisementList {
    pub items: Vec<AdvertisementView>,
}

fn terms_of(content: &str) -> Result<AdvertisementTerms, ApiError> {
    serde_json::from_str(content).map_err(|_| corrupt("advertisement"))
}

fn advert_state(a: &AdvertRecord) -> Result<AdvertState, ApiError> {
    let stored = ADVERTISEMENT
        .state(&a.row.state)
        .ok_or_else(|| corrupt("advertisement state"))?;
    Ok(stored.on(a.row.last_date, today()))
}

fn advert_view(
    a: AdvertRecord,
    who: &Principal,
    check: Option<&Decision<EligibilityOutcome>>,
) -> Result<AdvertisementView, ApiError> {
    let state = advert_state(&a)?;
    let row = a.row;
    Ok(AdvertisementView {
        id: row.id,
        organisation_id: row.org_id,
        organisation_name: a.org_name,
        ministry_id: a.org_parent,
        state,
        version: row.version,
        terms: terms_of(&row.content)?,
        published_by: row.published_by,
        published_at: utc(row.published_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&ADVERTISEMENT, state, who.role),
        eligibility_check: check.map(to_value).transpose()?,
        history: Vec::new(),
    })
}

fn to_value<T: Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(format!("json: {e}")))
}

/// Whether the caller sees an advertisement: its organisation's scope.
fn sees_advert(who: &Principal, a: &AdvertRecord) -> Result<bool, ApiError> {
    let (org, parent) = super::stored_place(&a.row.org_id, a.org_parent.as_deref())?;
    let place = OrgPlace {
        id: &org,
        parent: parent.as_ref(),
        children: &[],
    };
    Ok(sees_organisation(who, Family::Advertisement, place))
}

async fn load_advert(state: &AppState, who: &Principal, id: i64) -> Result<AdvertRecord, ApiError> {
    let not_found = || ApiError::not_found(format!("Advertisement {id}"));
    let a = state
        .db(move |c| cscms_store::deputation::advert(c, id))
        .await?
        .ok_or_else(not_found)?;
    if sees_advert(who, &a)? {
        Ok(a)
    } else {
        Err(not_found())
    }
}

async fn own_employee(state: &AppState, who: &Principal) -> Result<EmployeeRow, ApiError> {
    let code = who
        .employee
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .ok_or_else(|| ApiError::forbidden("Only employees apply."))?;
    let key = code.clone();
    state
        .db(move |c| cscms_store::employees::get(c, &key))
        .await?
        .map(|p| p.record)
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))
}

/// DEP-2: eligibility on the substantive post, as on the last date.
fn judge(e: &EmployeeRow, terms: &AdvertisementTerms) -> Decision<EligibilityOutcome> {
    let applicant = Applicant {
        cadre: &e.cadre,
        grade: &e.grade,
        pay_level: &e.pay_level,
        joined_present_grade_on: e.joined_present_grade_on,
    };
    eligibility(&applicant, &terms.eligibility, terms.last_date)
}

/// Publish an advertisement
///
/// The sub-nodal officer publishes an advertisement of a post on deputation (DEP-1).
#[utoipa::path(tag = "deputation", security(("bearer" = [])), request_body = AdvertisementTerms,
    responses(
        (status = 201, description = "The new advertisement; `Location` names it and `ETag` is its version", body = AdvertisementView, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only sub-nodal officers of onboarded organisations publish", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/deputation/advertisements")]
pub async fn publish(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<AdvertisementTerms>,
) -> Result<HttpResponse, ApiError> {
    let (_, step) = ADVERTISEMENT
        .step(
            None,
            AdvertAction::Publish,
            &who,
            None,
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    let org = who
        .org
        .as_ref()
        .map(|o| o.as_str().to_owned())
        .ok_or_else(|| ApiError::forbidden("No organisation in the token."))?;
    let terms = AdvertContent {
        last_date: body.last_date,
        content: to_json(&body)?,
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| {
            let onboarded =
                cscms_store::organisations::get(c, &org)?.is_some_and(|o| o.parent_id.is_some());
            if !onboarded {
                return Ok(None);
            }
            cscms_store::deputation::publish(c, &actor, &org, &terms, &step).map(Some)
        })
        .await?
        .ok_or_else(|| {
            ApiError::forbidden("The organisation has not been onboarded under a ministry.")
        })?;
    let a = load_advert(&state, &who, id).await?;
    let v = advert_view(a, &who, None)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/deputation/advertisements/{id}")))
        .insert_header(etag_header(v.version))
        .json(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BrowseQuery {
    /// Employees: also list open advertisements they are not eligible for,
    /// with the reasons (default false).
    pub include_ineligible: Option<bool>,
}

/// List advertisements
///
/// Advertisements. Employees: those open today that they are eligible for
/// (DEP-2), each with the eligibility decision. Sub-nodal officers: their
/// own; nodal officers: those of the bodies under them; DoPT and AVD: all.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(BrowseQuery),
    responses((status = 200, description = "The advertisements the caller may see", body = AdvertisementList)))]
#[get("/deputation/advertisements")]
pub async fn browse(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<BrowseQuery>,
) -> Result<HttpResponse, ApiError> {
    let employee = match who.own_employee() {
        Some(_) => Some(own_employee(&state, &who).await?),
        None => None,
    };
    let filter = AdvertFilter {
        org_tree: who.officer_org().map(|o| o.as_str().to_owned()),
        open_on: employee.as_ref().map(|_| today()),
    };
    let rows = state
        .db(move |c| cscms_store::deputation::adverts(c, &filter, 500))
        .await?;
    let mut items = Vec::new();
    for a in rows {
        if !sees_advert(&who, &a)? {
            continue;
        }
        let check = match &employee {
            Some(e) => Some(judge(e, &terms_of(&a.row.content)?)),
            None => None,
        };
        let eligible = check.as_ref().is_none_or(|d| d.outcome.eligible);
        if eligible || q.include_ineligible == Some(true) {
            items.push(advert_view(a, &who, check.as_ref())?);
        }
    }
    Ok(HttpResponse::Ok().json(AdvertisementList { items }))
}

/// Read an advertisement
///
/// One advertisement with every version; for an employee, with their
/// eligibility (DEP-2).
#[utoipa::path(tag = "deputation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Advertisement id")),
    responses((status = 200, description = "The advertisement with every version; `ETag` is its current version", body = AdvertisementView, headers(("ETag" = String)))))]
#[get("/deputation/advertisements/{id}")]
pub async fn get_advert(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let a = load_advert(&state, &who, id).await?;
    let check = match who.own_employee() {
        Some(_) => {
            let e = own_employee(&state, &who).await?;
            Some(judge(&e, &terms_of(&a.row.content)?))
        }
        None => None,
    };
    let versions = state
        .db(move |c| cscms_store::deputation::versions(c, id))
        .await?;
    let mut v = advert_view(a, &who, check.as_ref())?;
    v.history = versions
        .into_iter()
        .map(|r| {
            Ok(AdvertisementVersion {
                version: r.version,
                at: utc(r.at),
                by: r.by_sub,
                terms: terms_of(&r.content)?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// Amend an advertisement
///
/// The sub-nodal officer amends an open advertisement before its last
/// date (DEP-1). Needs `If-Match`; the earlier versions stay in the history.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), request_body = AdvertisementTerms,
    params(("id" = i64, Path, description = "Advertisement id"),
        ("If-Match" = String, Header, description = "The ETag of the version amended")),
    responses(
        (status = 200, description = "The amended advertisement; `ETag` is its new version", body = AdvertisementView, headers(("ETag" = String))),
        (status = 403, description = "Not the publishing sub-nodal officer's role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed or lapsed (`current_state`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Amended since it was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[put("/deputation/advertisements/{id}")]
pub async fn amend(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    CheckedJson(body): CheckedJson<AdvertisementTerms>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let a = load_advert(&state, &who, id).await?;
    let current = advert_state(&a)?;
    let (_, step) = ADVERTISEMENT
        .step(
            Some(current),
            AdvertAction::Amend,
            &who,
            None,
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    let expected = if_match(&req)?;
    if expected != a.row.version {
        return Err(ApiError::PreconditionFailed);
    }
    let terms = AdvertContent {
        last_date: body.last_date,
        content: to_json(&body)?,
    };
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::deputation::amend(c, &actor, id, expected, &terms, &step))
        .await?;
    let a = load_advert(&state, &who, id).await?;
    let v = advert_view(a, &who, None)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// Close an advertisement
///
/// The sub-nodal officer closes an open advertisement before its last date (DEP-1).
#[utoipa::path(tag = "deputation", security(("bearer" = [])), request_body = ActionRequest,
    params(("id" = i64, Path, description = "Advertisement id")),
    responses((status = 200, description = "The closed advertisement", body = AdvertisementView),
        (status = 403, description = "Not a sub-nodal officer", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already closed or lapsed (`current_state`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/deputation/advertisements/{id}/close")]
pub async fn close(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<ActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let a = load_advert(&state, &who, id).await?;
    let current = advert_state(&a)?;
    let (_, step) = ADVERTISEMENT
        .step(
            Some(current),
            AdvertAction::Close,
            &who,
            body.reason.as_deref(),
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::deputation::advance_advert(c, &actor, id, &step))
        .await?;
    let a = load_advert(&state, &who, id).await?;
    let v = advert_view(a, &who, None)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// A document an application carries: its name as the advertisement
/// requires it, and where it can be had (file number, DigiLocker URI...).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Vigilance clearance")]
    pub name: String,
    #[validate(length(min = 2, max = 500))]
    #[schema(min_length = 2, max_length = 500, example = "A-12011/4/2026-Vig")]
    pub reference: String,
}

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

/// An application as listed.
#[derive(Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: i64,
    pub advertisement_id: i64,
    pub post: String,
    pub level: String,
    /// The borrowing organisation.
    pub advertising_organisation_id: String,
    pub advertising_organisation_name: String,
    /// The version of the advertisement applied to.
    pub advertisement_version: i64,
    pub employee_code: String,
    pub employee_name: String,
    /// The applicant's organisation when applying: its ministry gives cadre clearance.
    pub organisation_id: String,
    pub state: DepState,
    pub documents: Vec<DocumentRef>,
    pub remarks: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now.
    pub allowed_actions: Vec<DepAction>,
}

/// An application with its eligibility, vigilance clearance and steps.
#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub application: ApplicationSummary,
    /// The DEP-2 eligibility decision taken when applying.
    #[schema(value_type = cscms_domain::decision::Decision<cscms_domain::deputation::EligibilityOutcome>)]
    pub eligibility: Value,
    /// The vigilance clearance for deputation as of today (VIG-1).
    #[schema(value_type = cscms_domain::decision::Decision<cscms_domain::vigilance::ClearanceOutcome>)]
    pub clearance: Value,
    /// Every step with who took it, when, why and the clearance then.
    pub steps: Vec<StepView>,
    /// Once approved: the ways the applicant may draw pay on the post, as of
    /// today (MACP-9) — substantive pay with deputation allowance, and,
    /// for a holder of an ACP/MACP upgrade, the upgraded pay without it.
    /// Null before approval, or where the pay held is not a cell of the matrix.
    pub pay_options: Option<Decision<DeputationPay>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationSummary>,
}

fn app_state(r: &ApplicationRecord) -> Result<DepState, ApiError> {
    DEPUTATION
        .state(&r.row.state)
        .ok_or_else(|| corrupt("application state"))
}

fn app_summary(r: ApplicationRecord, who: &Principal) -> Result<ApplicationSummary, ApiError> {
    let state = app_state(&r)?;
    let terms = terms_of(&r.advert.row.content)?;
    let row = r.row;
    Ok(ApplicationSummary {
        id: row.id,
        advertisement_id: row.advert_id,
        post: terms.post,
        level: terms.level,
        advertising_organisation_id: r.advert.row.org_id,
        advertising_organisation_name: r.advert.org_name,
        advertisement_version: row.advert_version,
        employee_code: row.employee_code,
        employee_name: r.employee_name,
        organisation_id: row.org_id,
        state,
        documents: serde_json::from_str(&row.documents).map_err(|_| corrupt("documents"))?,
        remarks: row.remarks,
        submitted_at: utc(row.submitted_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&DEPUTATION, state, who.role),
    })
}

/// Loads an application the caller may see: the applicant's scope, or the
/// borrowing organisation's once approved (DEP-1); anything else is 404.
async fn load_application(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<ApplicationRecord, ApiError> {
    let not_found = || ApiError::not_found(format!("Deputation application {id}"));
    let r = state
        .db(move |c| cscms_store::deputation::application(c, id))
        .await?
        .ok_or_else(not_found)?;
    let (org, parent) = super::stored_place(&r.row.org_id, r.org_parent.as_deref())?;
    let code = super::stored_code(&r.row.employee_code)?;
    let (borrower, _) = super::stored_place(&r.advert.row.org_id, None)?;
    let place = RecordPlace {
        org: &org,
        org_parent: parent.as_ref(),
        employee: &code,
        shared_with: shared_with_borrower(app_state(&r)?).then_some(&borrower),
    };
    ensure_visible(who, Family::DeputationApplication, place, || {
        format!("Deputation application {id}")
    })?;
    Ok(r)
}

async fn app_view(
    state: &AppState,
    who: &Principal,
    r: ApplicationRecord,
) -> Result<ApplicationView, ApiError> {
    let cl = clearance::for_employee(
        state,
        &r.row.employee_code,
        ClearancePurpose::Deputation,
        today(),
    )
    .await?;
    let approved = app_state(&r)? == DepState::Approved;
    let (id, code) = (r.row.id, r.row.employee_code.clone());
    let (steps, applicant) = state
        .db(move |c| {
            let steps = cscms_store::steps::for_record(c, DEPUTATION.name, id)?;
            // MACP-9 needs the applicant's pay once the deputation is approved.
            let applicant = if approved {
                cscms_store::employees::get(c, &code)?.map(|p| p.record)
            } else {
                None
            };
            Ok((steps, applicant))
        })
        .await?;
    let eligibility =
        serde_json::from_str(&r.row.eligibility).map_err(|_| corrupt("eligibility"))?;
    let pay_options = match applicant {
        Some(e) => pay_options(&e, &r)?,
        None => None,
    };
    Ok(ApplicationView {
        application: app_summary(r, who)?,
        eligibility,
        clearance: clearance_json(&cl)?,
        steps: StepView::list(steps)?,
        pay_options,
    })
}

/// MACP-9 for an approved application, on the employee's pay as stored now
/// and the post's place as advertised.
fn pay_options(
    employee: &EmployeeRow,
    r: &ApplicationRecord,
) -> Result<Option<Decision<DeputationPay>>, ApiError> {
    let terms = terms_of(&r.advert.row.content)?;
    let post = PostPlace {
        place: &terms.place,
        state: &terms.place_state,
    };
    let decided =
        deputation_facts(employee, &post).and_then(|facts| deputation_pay(today(), &facts));
    match decided {
        Ok(d) => Ok(Some(d)),
        Err(e) => {
            log::warn!("MACP-9 not computed for application {}: {e}", r.row.id);
            Ok(None)
        }
    }
}

/// Documents required by the advertisement and not carried, by name.
fn missing_documents(required: &[String], given: &[DocumentRef]) -> Vec<FieldError> {
    required
        .iter()
        .filter(|r| {
            !given
                .iter()
                .any(|g| g.name.trim().eq_ignore_ascii_case(r.trim()))
        })
        .map(|r| {
            FieldError::new(
                "body.documents",
                "missing",
                format!("the advertisement requires '{}'", r.trim()),
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
    let advert_state = advert_state(&a)?;
    if advert_state != AdvertState::Open {
        return Err(ApiError::Conflict {
            code: ProblemCode::AdvertisementNotOpen,
            detail: format!(
                "Advertisement {advert_id} is {advert_state} (last date {}): it takes no applications (DEP-1).",
                a.row.last_date.format("%d.%m.%Y")
            ),
        });
    }
    let terms = terms_of(&a.row.content)?;
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
        state: to.as_str().to_owned(),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReceivedQuery {
    /// Only applications to this advertisement.
    pub advertisement: Option<i64>,
}

async fn list(
    state: &AppState,
    who: &Principal,
    filter: ApplicationFilter,
) -> Result<HttpResponse, ApiError> {
    let rows = state
        .db(move |c| cscms_store::deputation::applications(c, &filter, 500))
        .await?;
    let items = rows
        .into_iter()
        .map(|r| app_summary(r, who))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ApplicationList { items }))
}

/// List the caller's own applications
///
/// The caller's own applications, newest first (employees).
#[utoipa::path(tag = "deputation", security(("bearer" = [])),
    responses((status = 200, description = "The caller's applications, newest first", body = ApplicationList),
        (status = 403, description = "Only employees apply", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/mine")]
pub async fn mine(Auth(who): Auth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListOwnApplications)?;
    let filter = ApplicationFilter {
        applicants: visibility(&who, Family::DeputationApplication),
        state: None,
        advert_org: None,
        advert_id: None,
        oldest_first: false,
    };
    list(&state, &who, filter).await
}

/// List applications awaiting cadre clearance
///
/// Applications awaiting cadre clearance in the caller's ministry or
/// department and the bodies under it, oldest first (nodal officers).
#[utoipa::path(tag = "deputation", security(("bearer" = [])),
    responses((status = 200, description = "Applications awaiting cadre clearance, oldest first", body = ApplicationList),
        (status = 403, description = "Only nodal officers give cadre clearance", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/pending-ministry")]
pub async fn pending_ministry(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListApplicationsPendingMinistry)?;
    let filter = ApplicationFilter {
        applicants: visibility(&who, Family::DeputationApplication),
        state: Some(DepState::Submitted.as_str().into()),
        advert_org: None,
        advert_id: None,
        oldest_first: true,
    };
    list(&state, &who, filter).await
}

/// List applications awaiting DoPT
///
/// Applications forwarded with cadre clearance, awaiting DoPT's decision, oldest first.
#[utoipa::path(tag = "deputation", security(("bearer" = [])),
    responses((status = 200, description = "Forwarded applications, oldest first", body = ApplicationList),
        (status = 403, description = "Only DoPT approves", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/applications/pending-dopt")]
pub async fn pending_dopt(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListApplicationsPendingDopt)?;
    let filter = ApplicationFilter {
        applicants: visibility(&who, Family::DeputationApplication),
        state: Some(DepState::Forwarded.as_str().into()),
        advert_org: None,
        advert_id: None,
        oldest_first: true,
    };
    list(&state, &who, filter).await
}

/// List applications received for the caller's posts
///
/// Applications to the caller's advertisements, once approved by DoPT
/// (sub-nodal officers), oldest first.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(ReceivedQuery),
    responses((status = 200, description = "Approved applications to the caller's advertisements, oldest first", body = ApplicationList),
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
    };
    list(&state, &who, filter).await
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
    let id = id.into_inner();
    if super::wants_pdf(&req) {
        let r = load_application(&state, &who, id).await?;
        let v = app_view(&state, &who, r).await?;
        return super::negotiated(print_application(&state, &who, &v).await);
    }
    super::negotiated(super::workflow::show::<ApplicationRecord>(&state, &who, id).await)
}

/// The application as printed, registered for verification; its version
/// is the number of steps taken.
async fn print_application(
    state: &AppState,
    who: &Principal,
    v: &ApplicationView,
) -> Result<HttpResponse, ApiError> {
    let a = &v.application;
    let (org, ministry) = super::prints::org_and_ministry(state, &a.organisation_id).await?;
    let version = i64::try_from(v.steps.len()).map_err(|e| ApiError::Internal(e.to_string()))?;
    let issued =
        crate::print::verification::issue(state, who, DEPUTATION.name, &a.id.to_string(), version)
            .await?;
    let doc = crate::print::deputation::document(
        v,
        &crate::print::deputation::Context {
            org: org.as_ref(),
            ministry: ministry.as_ref(),
            version,
            printed_at: issued.at,
            verification: Some(issued.code),
        },
    );
    let pdf = crate::print::render(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(super::prints::pdf_response(
        &format!("deputation-application-{}.pdf", a.id),
        pdf,
    ))
}

impl super::workflow::StepRecord for ApplicationRecord {
    type State = DepState;
    type Action = DepAction;
    type View = ApplicationView;

    fn workflow() -> &'static cscms_domain::workflow::Workflow<DepState, DepAction> {
        &DEPUTATION
    }

    async fn load(state: &AppState, who: &Principal, id: i64) -> Result<Self, ApiError> {
        load_application(state, who, id).await
    }

    fn current(&self) -> Result<DepState, ApiError> {
        app_state(self)
    }

    fn clearance_subject(&self) -> Option<(&str, ClearancePurpose)> {
        Some((&self.row.employee_code, ClearancePurpose::Deputation))
    }

    fn advance(
        c: &mut cscms_store::DbConn,
        actor: &cscms_store::audit::Actor,
        id: i64,
        step: &cscms_domain::workflow::Step,
    ) -> Result<(), cscms_store::StoreError> {
        cscms_store::deputation::advance(c, actor, id, step)
    }

    async fn view(self, state: &AppState, who: &Principal) -> Result<ApplicationView, ApiError> {
        app_view(state, who, self).await
    }
}

macro_rules! action_handler {
    ($name:ident, $action:expr, $path:literal, $summary:literal, $doc:literal, $done:literal, $forbidden:literal, $conflict:literal) => {
        #[doc = $doc]
        #[utoipa::path(summary = $summary, description = $doc, tag = "deputation", security(("bearer" = [])), request_body = ActionRequest,
            params(("id" = i64, Path, description = "Application id")),
            responses((status = 200, description = $done, body = ApplicationView),
                (status = 403, description = $forbidden, body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 409, description = $conflict, body = crate::error::Problem, content_type = "application/problem+json")))]
        #[post($path)]
        pub async fn $name(
            Auth(who): Auth,
            state: web::Data<AppState>,
            req: HttpRequest,
            id: web::Path<i64>,
            ValidJson(body): ValidJson<ActionRequest>,
        ) -> Result<HttpResponse, ApiError> {
            super::workflow::take_step::<ApplicationRecord>(&state, &who, &req, id.into_inner(), $action, body).await
        }
    };
}

action_handler!(
    forward,
    DepAction::Forward,
    "/deputation/applications/{id}/forward",
    "Forward an application with cadre clearance",
    "The employee's ministry gives cadre clearance and forwards the application to DoPT (DEP-1).",
    "The forwarded application",
    "Only the nodal officer of the applicant's ministry forwards",
    "Not awaiting cadre clearance (`current_state`, `allowed_actions`)"
);
action_handler!(
    refuse,
    DepAction::Refuse,
    "/deputation/applications/{id}/refuse",
    "Refuse cadre clearance",
    "The employee's ministry refuses cadre clearance, with a reason (DEP-1).",
    "The refused application",
    "Only the nodal officer of the applicant's ministry refuses",
    "Not awaiting cadre clearance (`current_state`, `allowed_actions`)"
);
action_handler!(
    approve,
    DepAction::Approve,
    "/deputation/applications/{id}/approve",
    "Approve an application (DoPT)",
    "DoPT approves a forwarded application; the borrowing organisation then sees it (DEP-1).",
    "The approved application",
    "Only DoPT approves",
    "Not forwarded (`current_state`, `allowed_actions`)"
);
action_handler!(
    reject,
    DepAction::Reject,
    "/deputation/applications/{id}/reject",
    "Reject an application (DoPT)",
    "DoPT rejects a forwarded application, with a reason (DEP-1).",
    "The rejected application",
    "Only DoPT rejects",
    "Not forwarded (`current_state`, `allowed_actions`)"
);
action_handler!(
    withdraw,
    DepAction::Withdraw,
    "/deputation/applications/{id}/withdraw",
    "Withdraw an application",
    "The employee withdraws the application before the final decision (DEP-1).",
    "The withdrawn application",
    "Only the applicant withdraws",
    "Already decided (`current_state`, `allowed_actions`)"
);
