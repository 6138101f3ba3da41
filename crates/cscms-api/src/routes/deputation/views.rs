//! Deputation records as shown and loaded: an advertisement with its
//! versions, an application with its eligibility, clearance, steps and pay
//! options (MACP-9); each loaded only if the caller sees it (404 otherwise).

use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::deputation::{
    eligibility, shared_with_borrower, AdvertAction, AdvertState, Applicant, DepAction, DepState,
    EligibilityOutcome, ADVERTISEMENT, DEPUTATION,
};
use cscms_domain::pay::{deputation_pay, DeputationPay};
use cscms_domain::principal::Principal;
use cscms_domain::scope::{sees_organisation, Family, OrgPlace};
use cscms_domain::vigilance::ClearancePurpose;
use cscms_store::deputation::{AdvertDoc, AdvertRecord, ApplicationRecord};
use cscms_store::employees::EmployeeRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::Validate;

use crate::career::{deputation_facts, PostPlace};
use crate::clearance;
use crate::error::ApiError;
use crate::routes::utc;
use crate::routes::workflow::{allowed, clearance_json, today, StepView};
use crate::state::AppState;

use super::advertisements::AdvertisementTerms;

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
    /// The `ETag`'s version (once closed or lapsed the tag also names the
    /// state: `"{version}-closed"`; an employee's, a fingerprint of their
    /// eligibility); send the `ETag` in `If-Match` to amend.
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
    /// The page's advertisements the caller may see; an employee's, those
    /// they are eligible for unless `include_ineligible`. A page may hold
    /// fewer than `limit`: follow `next` until it is null.
    pub items: Vec<AdvertisementView>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

/// The terms of an advertisement as stored, as the API shows them.
pub(super) fn terms_of(doc: &AdvertDoc) -> AdvertisementTerms {
    AdvertisementTerms::from(doc.clone())
}

pub(super) fn advert_state(a: &AdvertRecord) -> AdvertState {
    a.row.state.on(a.row.last_date, today())
}

pub(super) fn advert_view(
    a: AdvertRecord,
    who: &Principal,
    check: Option<&Decision<EligibilityOutcome>>,
) -> Result<AdvertisementView, ApiError> {
    let state = advert_state(&a);
    let row = a.row;
    Ok(AdvertisementView {
        id: row.id,
        organisation_id: row.org_id.into(),
        organisation_name: a.org_name,
        ministry_id: a.org_parent.map(String::from),
        state,
        version: row.version,
        terms: terms_of(&row.content),
        published_by: row.published_by,
        published_at: utc(row.published_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&ADVERTISEMENT, state, who.role),
        eligibility_check: check.map(to_value).transpose()?,
        history: Vec::new(),
    })
}

pub(super) fn to_value<T: Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(format!("json: {e}")))
}

/// Whether the caller sees an advertisement: its organisation's scope.
pub(super) fn sees_advert(who: &Principal, a: &AdvertRecord) -> bool {
    let place = OrgPlace {
        id: &a.row.org_id,
        parent: a.org_parent.as_ref(),
        children: &[],
    };
    sees_organisation(who, Family::Advertisement, place)
}

pub(super) async fn load_advert(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<AdvertRecord, ApiError> {
    let not_found = || ApiError::not_found(format!("Advertisement {id}"));
    let a = state
        .db(move |c| cscms_store::deputation::advert(c, id))
        .await?
        .ok_or_else(not_found)?;
    if sees_advert(who, &a) {
        Ok(a)
    } else {
        Err(not_found())
    }
}

pub(super) async fn own_employee(
    state: &AppState,
    who: &Principal,
) -> Result<EmployeeRow, ApiError> {
    let code = who
        .employee
        .clone()
        .ok_or_else(|| ApiError::forbidden("Only employees apply."))?;
    let key = code.clone();
    state
        .db(move |c| cscms_store::employees::get(c, &key))
        .await?
        .map(|p| p.record)
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))
}

/// DEP-2: eligibility on the substantive post, as on the last date.
pub(super) fn judge(e: &EmployeeRow, terms: &AdvertisementTerms) -> Decision<EligibilityOutcome> {
    let applicant = Applicant {
        cadre: e.cadre.as_str(),
        grade: &e.grade,
        pay_level: &e.pay_level,
        joined_present_grade_on: e.joined_present_grade_on,
    };
    eligibility(&applicant, &terms.eligibility, terms.last_date)
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
    /// Once approved: the ways the applicant may draw pay on the post
    /// (MACP-9), decided on the day DoPT approved, on the pay held then —
    /// substantive pay with deputation allowance, and, for a holder of an
    /// ACP/MACP upgrade, the upgraded pay without it. Null before approval,
    /// or where the pay held is not a cell of the matrix. For an application
    /// approved before the decision was kept, as of today on the pay held now.
    #[schema(value_type = Option<cscms_domain::decision::Decision<DeputationPay>>)]
    pub pay_options: Option<Value>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationSummary>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

pub(super) fn app_state(r: &ApplicationRecord) -> DepState {
    r.row.state
}

pub(super) fn app_summary(
    r: ApplicationRecord,
    who: &Principal,
) -> Result<ApplicationSummary, ApiError> {
    let state = app_state(&r);
    let terms = terms_of(&r.advert.row.content);
    let row = r.row;
    Ok(ApplicationSummary {
        id: row.id,
        advertisement_id: row.advert_id,
        post: terms.post,
        level: terms.level,
        advertising_organisation_id: r.advert.row.org_id.into(),
        advertising_organisation_name: r.advert.org_name,
        advertisement_version: row.advert_version,
        employee_code: row.employee_code.into(),
        employee_name: r.employee_name,
        organisation_id: row.org_id.into(),
        state,
        documents: row
            .documents
            .into_inner()
            .into_iter()
            .map(|d| DocumentRef {
                name: d.name,
                reference: d.reference,
            })
            .collect(),
        remarks: row.remarks,
        submitted_at: utc(row.submitted_at),
        updated_at: utc(row.updated_at),
        allowed_actions: allowed(&DEPUTATION, state, who.role),
    })
}

/// Loads an application the caller may see: the applicant's scope, or the
/// borrowing organisation's once approved (DEP-1); anything else is 404.
pub(super) async fn load_application(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<ApplicationRecord, ApiError> {
    let not_found = || ApiError::not_found(format!("Deputation application {id}"));
    let r = state
        .db(move |c| cscms_store::deputation::application(c, id))
        .await?
        .ok_or_else(not_found)?;
    let at = crate::routes::StoredPlace {
        org: &r.row.org_id,
        parent: r.org_parent.as_ref(),
        employee: &r.row.employee_code,
        shared_with: shared_with_borrower(app_state(&r)).then_some(&r.advert.row.org_id),
    };
    crate::routes::ensure_sees_stored(who, Family::DeputationApplication, at, || {
        format!("Deputation application {id}")
    })?;
    Ok(r)
}

pub(super) async fn app_view(
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
    // Kept with the approval; one approved before it was kept is decided
    // on the pay held now.
    let approved = app_state(&r) == DepState::Approved && r.row.pay_options.is_none();
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
    let eligibility = r.row.eligibility.get().clone();
    let pay_options = match (&r.row.pay_options, applicant) {
        (Some(kept), _) => Some(kept.get().clone()).filter(|v| !v.is_null()),
        (None, Some(e)) => {
            let decided = pay_options(&e, r.advert.row.content.get(), today());
            decided
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| ApiError::Internal(format!("pay options: {e}")))?
        }
        (None, None) => None,
    };
    Ok(ApplicationView {
        application: app_summary(r, who)?,
        eligibility,
        clearance: clearance_json(&cl)?,
        steps: StepView::list(steps)?,
        pay_options,
    })
}

/// MACP-9 on `on` for an employee's pay as given and the post's place as
/// advertised; none, logged, where the pay held is not a cell of the matrix.
pub(super) fn pay_options(
    employee: &EmployeeRow,
    advert: &AdvertDoc,
    on: NaiveDate,
) -> Option<Decision<DeputationPay>> {
    let post = PostPlace {
        place: &advert.place,
        state: &advert.place_state,
    };
    let decided = deputation_facts(employee, &post).and_then(|facts| deputation_pay(on, &facts));
    decided
        .inspect_err(|e| log::warn!("MACP-9 not decided for {}: {e}", employee.code))
        .ok()
}

/// The store's step for an application: an approval keeps MACP-9's
/// decision, taken on the day and the pay of the approval.
pub(super) fn advance(
    c: &mut cscms_store::DbConn,
    actor: &cscms_store::audit::Actor,
    id: i64,
    step: &cscms_domain::workflow::Step,
) -> Result<(), cscms_store::StoreError> {
    cscms_store::deputation::advance(c, actor, id, step, &|e, advert, on| {
        pay_options(e, advert, on).and_then(|d| serde_json::to_value(d).ok())
    })
}
