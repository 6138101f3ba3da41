//! Distance & E-Learning reimbursement (TRN-1, DELPGE): DoPT notifies
//! programmes; employees enrol first come first served and claim on
//! completion; the engine decides each claim; the nodal officer approves
//! it for payment; the ledger of units is readable.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cursor;
use cscms_domain::decision::Decision;
use cscms_domain::organisation::{ministry_of, OrgId};
use cscms_domain::principal::Principal;
use cscms_domain::scope::{visibility, Family, Op};
use cscms_domain::trn::{
    self, Category, Claim, ClaimAction, ClaimOutcome, ClaimState, EnrolRefusal, Grade, CLAIM,
};
use cscms_store::delpge::{
    ClaimFiling, ClaimRecord, ClaimRow, Decided, Enrolment, NewProgramme, ProgrammeRow,
};
use cscms_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::workflow::{allowed, to_json, today, StepView};
use super::{actor, paging, utc, visible_employee};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{BodyRules, CheckedJson};
use crate::gate::require_profile_submitted;
use crate::scope::authorize;
use crate::state::AppState;

/// A programme as DoPT notifies it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgrammeBody {
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "Post Graduate Diploma in Human Resource Management"
    )]
    pub name: String,
    /// A (certificates, 2 units), B (Masters, 8), C (diplomas, 4), D (modules, 1).
    pub category: Category,
    #[validate(length(min = 3, max = 40))]
    #[schema(min_length = 3, max_length = 40, example = "July 2026")]
    pub session: String,
    /// 7th CPC pay levels notified (`1`-`18`, `13A`; kept as records spell them); empty: all.
    #[validate(length(max = 20))]
    #[serde(default)]
    pub eligible_levels: Vec<String>,
    /// Ministries or departments notified, by the id on record (never a body under one); empty: all.
    #[validate(length(max = 100))]
    #[serde(default)]
    pub eligible_ministries: Vec<String>,
    /// IGNOU's time limit: completion on or before this date.
    pub complete_by: NaiveDate,
    /// IGNOU's minimum qualifying grade.
    pub minimum_grade: Grade,
}

impl BodyRules for NewProgrammeBody {
    fn rule_errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.complete_by <= today() {
            errors.push(FieldError::new(
                "body.complete_by",
                "invalid",
                "after today",
            ));
        }
        // TRN-1 para 2(ii): notified by 7th CPC pay level; a level that is
        // none would silently open the programme to no one.
        for (i, l) in self.eligible_levels.iter().enumerate() {
            if cscms_domain::pay::Level::parse(l).is_err() {
                errors.push(FieldError::new(
                    format!("body.eligible_levels[{i}]"),
                    "invalid",
                    "a 7th CPC pay level: 1-18 or 13A",
                ));
            }
        }
        errors
    }
}

#[derive(Serialize, ToSchema)]
pub struct Programme {
    pub id: i64,
    pub name: String,
    pub category: Category,
    /// Units of the category (TRN-1).
    pub units: i64,
    pub session: String,
    pub seats: i64,
    pub seats_taken: i64,
    pub eligible_levels: Vec<String>,
    pub eligible_ministries: Vec<String>,
    pub complete_by: NaiveDate,
    pub minimum_grade: Grade,
    pub notified_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<Programme>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

fn programme((p, taken): (ProgrammeRow, i64)) -> Result<Programme, ApiError> {
    Ok(Programme {
        id: p.id,
        name: p.name,
        category: p.category,
        units: p.units,
        session: p.session,
        seats: p.seats,
        seats_taken: taken,
        eligible_levels: p.eligible_levels.into_inner(),
        eligible_ministries: p.eligible_ministries.into_inner(),
        complete_by: p.complete_by,
        minimum_grade: p.minimum_grade,
        notified_at: utc(p.notified_at),
    })
}

async fn load_programme(state: &AppState, id: i64) -> Result<Programme, ApiError> {
    let p = state
        .read(move |c| cscms_store::delpge::programme(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Programme {id}")))?;
    programme(p)
}

/// Notify a DELPGE programme
///
/// DoPT notifies a programme with its category, eligibility, session and
/// IGNOU's time limit; 50 seats (TRN-1). Audited.
#[utoipa::path(tag = "delpge", security(("bearer" = [])), request_body = NewProgrammeBody,
    responses((status = 201, description = "The programme; `Location` names it", body = Programme, headers(("Location" = String))),
        (status = 403, description = "Only DoPT notifies programmes", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/delpge/programmes")]
pub async fn notify(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<NewProgrammeBody>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::NotifyProgramme)?;
    // Ministries and departments on record, by id: an employee's ministry
    // is matched against them (TRN-1 para 2).
    let named: Vec<String> = body.eligible_ministries.clone();
    let found = state
        .db(move |c| {
            let mut out = Vec::with_capacity(named.len());
            for id in &named {
                let org = match OrgId::parse(id) {
                    Ok(id) => cscms_store::organisations::get(c, &id)?,
                    Err(_) => None,
                };
                out.push(org.is_some_and(|o| o.parent_id.is_none()));
            }
            Ok(out)
        })
        .await?;
    let unknown: Vec<FieldError> = found
        .iter()
        .enumerate()
        .filter(|(_, ok)| !**ok)
        .map(|(i, _)| {
            FieldError::new(
                format!("body.eligible_ministries[{i}]"),
                "unknown_ministry",
                "not a ministry or department on record",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::validation(unknown));
    }
    // One spelling of each level, the one employees' records carry.
    let levels: Vec<String> = body
        .eligible_levels
        .iter()
        .filter_map(|l| cscms_domain::pay::Level::parse(l).ok())
        .map(|l| l.name().to_owned())
        .collect();
    let new = NewProgramme {
        name: body.name.trim().to_owned(),
        category: body.category.as_str().to_owned(),
        units: body.category.units(),
        session: body.session.trim().to_owned(),
        seats: trn::SEATS,
        eligible_levels: to_json(&levels)?,
        eligible_ministries: to_json(&body.eligible_ministries)?,
        complete_by: body.complete_by,
        minimum_grade: body.minimum_grade.as_str().to_owned(),
        notified_by: who.sub.clone(),
        notified_at: Utc::now().naive_utc(),
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| cscms_store::delpge::notify(c, &actor, &new))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/delpge/programmes/{id}")))
        .json(load_programme(&state, id).await?))
}

/// List DELPGE programmes
///
/// Programmes notified, newest first, with the seats taken, a page at a
/// time (any role; no integration client).
#[utoipa::path(tag = "delpge", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the programmes, newest first; `Link` names the next page", body = ProgrammeList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Integration clients do not read programmes", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/delpge/programmes")]
pub async fn programmes(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadProgrammes)?;
    let (limit, before) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    let rows = state
        .db(move |c| cscms_store::delpge::programmes(c, before, paging::fetch(limit)))
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/delpge/programmes",
        |(last, _)| Some(last.id.to_string()),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items = rows.into_iter().map(programme).collect::<Result<_, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &ProgrammeList { items, next },
    ))
}

/// Read a DELPGE programme
///
/// One programme with its category, units, eligibility and the seats taken
/// (TRN-1).
#[utoipa::path(tag = "delpge", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, description = "The programme with the seats taken", body = Programme),
        (status = 403, description = "Integration clients do not read programmes", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/delpge/programmes/{id}")]
pub async fn get_programme(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadProgrammes)?;
    Ok(HttpResponse::Ok().json(load_programme(&state, id.into_inner()).await?))
}

/// An application to enrol (DELPGE para 7(vi)).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    #[validate(nested)]
    pub employment_certificate: CertificateInput,
}

/// The employment certificate as per the prescribed proforma, enclosed
/// with the application (DELPGE para 7(vi)).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// Where it can be had: file number, DigiLocker URI...
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "A-12034/7/2026-Admn")]
    pub reference: String,
    /// The office (and officer) that issued it.
    #[validate(length(min = 2, max = 200))]
    #[schema(
        min_length = 2,
        max_length = 200,
        example = "Under Secretary (Admn), Ministry of Home Affairs"
    )]
    pub issued_by: String,
    /// Not after today.
    pub issued_on: NaiveDate,
}

/// A date that must not be after today: the error at `field`, if it is.
fn not_after_today(field: &str, date: NaiveDate) -> Vec<FieldError> {
    if date > today() {
        vec![FieldError::new(field, "invalid", "not after today")]
    } else {
        Vec::new()
    }
}

impl BodyRules for EnrolRequest {
    fn rule_errors(&self) -> Vec<FieldError> {
        not_after_today(
            "body.employment_certificate.issued_on",
            self.employment_certificate.issued_on,
        )
    }
}

/// An enrolment taken.
#[derive(Serialize, ToSchema)]
pub struct EnrolmentView {
    pub id: i64,
    pub programme_id: i64,
    pub employee_code: String,
    pub enrolled_on: NaiveDate,
    /// As enclosed (DELPGE para 7(vi)).
    pub employment_certificate: trn::EmploymentCertificate,
    /// Why the employee could enrol (TRN-1).
    pub reasons: Vec<cscms_domain::decision::Reason>,
}

/// Enrol in a DELPGE programme
///
/// The employee takes a seat, first come first served (50 seats), if
/// working in a ministry, department or attached office (not a PSU or an
/// autonomous body), eligible as notified, before IGNOU's time limit, and
/// held by no other programme: one enrolled in, not claimed, whose time
/// limit has not passed (TRN-1). The application encloses the employment
/// certificate as per the prescribed proforma (DELPGE para 7(vi)). Needs a
/// submitted profile (PRF-1). Audited.
#[utoipa::path(tag = "delpge", security(("bearer" = [])), request_body = EnrolRequest,
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 201, description = "The enrolment", body = EnrolmentView),
        (status = 403, description = "Only employees enrol", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`seats_full`, `programme_open`, `already_enrolled`, `not_eligible`, `programme_closed` (IGNOU's time limit has passed), or `profile_not_submitted` (PRF-1)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/delpge/programmes/{id}/enrol")]
pub async fn enrol(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    CheckedJson(body): CheckedJson<EnrolRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    authorize(&who, Op::EnrolInProgramme)?;
    let certificate = trn::EmploymentCertificate {
        reference: body.employment_certificate.reference,
        issued_by: body.employment_certificate.issued_by,
        issued_on: body.employment_certificate.issued_on,
    };
    let p = load_programme(&state, id).await?;
    let code = who
        .own_employee()
        .cloned()
        .ok_or_else(|| ApiError::forbidden("Only employees enrol."))?;
    require_profile_submitted(&state, &code).await?;
    let key = code.clone();
    let (employee, org) = state
        .db(move |c| {
            let e = cscms_store::employees::get(c, &key)?;
            let org = match &e {
                Some(e) => Some(cscms_store::organisations::referenced(c, &e.record.org_id)?),
                None => None,
            };
            Ok((e, org))
        })
        .await?;
    let (employee, org) = employee
        .zip(org)
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?;
    let ministry = ministry_of(&employee.record.org_id, employee.org_parent.as_ref()).clone();
    let as_of = today();
    let case = trn::EnrolmentCase {
        works_in: org.kind,
        pay_level: &employee.record.pay_level,
        ministry: ministry.as_str(),
        eligible_levels: &p.eligible_levels,
        eligible_ministries: &p.eligible_ministries,
        complete_by: p.complete_by,
        // The store looks it up under the programme's lock.
        open_programme: None,
        certificate: &certificate,
    };
    let decision = trn::may_enrol(&case, as_of).map_err(|(why, d)| refusal(why, &d))?;
    let actor = actor(&who, &req);
    let org_id = employee.record.org_id.clone();
    let key = code.clone();
    let seats = p.seats;
    let kept = certificate.clone();
    let outcome = state
        .db(move |c| {
            cscms_store::delpge::enrol(
                c,
                &actor,
                id,
                seats,
                &key,
                &org_id,
                &kept,
                as_of,
                Utc::now().naive_utc(),
            )
        })
        .await?;
    match outcome {
        Enrolment::Enrolled(eid) => Ok(HttpResponse::Created().json(EnrolmentView {
            id: eid,
            programme_id: id,
            employee_code: code.into(),
            enrolled_on: as_of,
            employment_certificate: certificate,
            reasons: decision.reasons,
        })),
        Enrolment::Full => Err(ApiError::Conflict {
            code: ProblemCode::SeatsFull,
            detail: format!("Every one of the {seats} seats of programme {id} is taken (TRN-1: first come, first served)."),
        }),
        Enrolment::Open(other) => Err(ApiError::Conflict {
            code: ProblemCode::ProgrammeOpen,
            detail: format!("Programme {other} is open: one programme at a time (TRN-1, DELPGE para 7(iv))."),
        }),
        Enrolment::Already(_) => Err(ApiError::Conflict {
            code: ProblemCode::AlreadyEnrolled,
            detail: format!("Already enrolled in programme {id}."),
        }),
    }
}

fn refusal(why: EnrolRefusal, d: &Decision<()>) -> ApiError {
    let text = d
        .reasons
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let code = match why {
        EnrolRefusal::Workplace | EnrolRefusal::NotNotified => ProblemCode::NotEligible,
        EnrolRefusal::TimeLimitPassed => ProblemCode::ProgrammeClosed,
        EnrolRefusal::OneAtATime => ProblemCode::ProgrammeOpen,
    };
    ApiError::Conflict {
        code,
        detail: format!("Not eligible (TRN-1): {text}."),
    }
}

/// A claim for reimbursement on completion.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClaim {
    pub enrolment_id: i64,
    /// Rupees paid to IGNOU.
    #[validate(range(min = 1, max = 1000000))]
    #[schema(minimum = 1, maximum = 1000000, example = 12000)]
    pub fee_paid: i64,
    /// IGNOU's fee receipt.
    #[validate(length(min = 3, max = 60))]
    #[schema(min_length = 3, max_length = 60, example = "IGNOU/RC-DEL/2026/004512")]
    pub receipt_reference: String,
    /// Not after today.
    pub completed_on: NaiveDate,
    /// The grade IGNOU awarded.
    pub grade: Grade,
}

impl BodyRules for NewClaim {
    fn rule_errors(&self) -> Vec<FieldError> {
        not_after_today("body.completed_on", self.completed_on)
    }
}

/// A claim with the engine's decision, as listed.
#[derive(Serialize, ToSchema)]
pub struct ClaimSummary {
    pub id: i64,
    pub enrolment_id: i64,
    pub employee_code: String,
    pub employee_name: String,
    pub organisation_id: String,
    pub category: Category,
    pub units: i64,
    pub fee_paid: i64,
    pub receipt_reference: String,
    pub completed_on: NaiveDate,
    pub grade: Grade,
    /// `submitted` (admissible, awaiting the nodal officer), `not_admissible`, `approved`, `rejected`.
    pub state: ClaimState,
    pub admissible: bool,
    /// Rupees reimbursed if approved.
    pub amount: i64,
    #[schema(value_type = Decision<ClaimOutcome>)]
    pub decision: Value,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub filed_at: DateTime<Utc>,
    /// What the caller may do now.
    pub allowed_actions: Vec<ClaimAction>,
}

/// A claim with its decision and the nodal officer's steps.
#[derive(Serialize, ToSchema)]
pub struct ClaimView {
    #[serde(flatten)]
    pub claim: ClaimSummary,
    /// The approval or rejection, with who took it, when and why.
    pub steps: Vec<StepView>,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimList {
    pub items: Vec<ClaimSummary>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

fn claim_state(row: &ClaimRow) -> ClaimState {
    row.state
}

fn claim_summary(r: ClaimRecord, who: &Principal) -> Result<ClaimSummary, ApiError> {
    let state = claim_state(&r.row);
    let row = r.row;
    Ok(ClaimSummary {
        id: row.id,
        enrolment_id: row.enrolment_id,
        employee_code: row.employee_code.into(),
        employee_name: r.employee_name,
        organisation_id: row.org_id.into(),
        category: row.category,
        units: row.units,
        fee_paid: row.fee_paid,
        receipt_reference: row.receipt_ref,
        completed_on: row.completed_on,
        grade: row.grade,
        state,
        admissible: row.admissible,
        amount: row.amount,
        decision: row.decision.into_inner(),
        decided_by: row.decided_by,
        decided_at: row.decided_at.map(utc),
        reason: row.reason,
        filed_at: utc(row.filed_at),
        allowed_actions: allowed(&CLAIM, state, who.role),
    })
}

async fn claim_view(
    state: &AppState,
    who: &Principal,
    r: ClaimRecord,
) -> Result<ClaimView, ApiError> {
    let id = r.row.id;
    let steps = state
        .read(move |c| cscms_store::steps::for_record(c, CLAIM.name, id))
        .await?;
    Ok(ClaimView {
        claim: claim_summary(r, who)?,
        steps: StepView::list(steps)?,
    })
}

/// File a reimbursement claim
///
/// The employee claims on completing a programme (TRN-1): the engine
/// decides on units in the 5-year block, Masters once, completion in time
/// and the qualifying grade, with every reason. Closes the enrolment.
/// Audited.
#[utoipa::path(tag = "delpge", security(("bearer" = [])), request_body = NewClaim,
    responses((status = 201, description = "The claim with its decision; `Location` names it", body = ClaimView, headers(("Location" = String))),
        (status = 403, description = "Only the employee claims", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A claim was filed for this enrolment (`already_claimed`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/delpge/claims")]
pub async fn file_claim(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<NewClaim>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::EnrolInProgramme)?;
    let code = who
        .own_employee()
        .cloned()
        .ok_or_else(|| ApiError::forbidden("Only employees claim."))?;
    let eid = body.enrolment_id;
    let found = state
        .db(move |c| {
            let Some(e) = cscms_store::delpge::enrolment(c, eid)? else {
                return Ok(None);
            };
            let p = cscms_store::delpge::programme(c, e.programme_id)?;
            Ok(p.map(|p| (e, p.0)))
        })
        .await?;
    // Someone else's enrolment is as absent as a missing one.
    let (enrolment, p) = found
        .filter(|(e, _)| e.employee_code == code)
        .ok_or_else(|| {
            ApiError::invalid("body.enrolment_id", "unknown", "no such enrolment of yours")
        })?;
    if enrolment.claimed {
        return Err(already_claimed(eid));
    }
    let category: Category = p.category;
    let claim = Claim {
        category,
        enrolled_on: enrolment.enrolled_on,
        completed_on: body.completed_on,
        complete_by: p.complete_by,
        grade: body.grade,
        minimum_grade: p.minimum_grade,
        fee_paid: body.fee_paid,
    };
    let receipt = body.receipt_reference.trim().to_owned();
    let filing = ClaimFiling {
        enrolment_id: eid,
        employee_code: code,
        org_id: enrolment.org_id,
        category,
        fee_paid: body.fee_paid,
        receipt_ref: receipt.clone(),
        completed_on: body.completed_on,
        grade: body.grade,
        filed_at: Utc::now().naive_utc(),
    };
    let actor = actor(&who, &req);
    let as_of = today();
    let filed = state
        .db(move |c| {
            cscms_store::delpge::file_claim(c, &actor, &filing, |earned| {
                let d = trn::assess(&claim, earned, as_of);
                Ok(Decided {
                    units: d.outcome.units,
                    admissible: d.outcome.admissible,
                    amount: d.outcome.amount,
                    decision: serde_json::to_string(&d)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
        })
        .await;
    let id = match filed {
        Err(ApiError::Conflict { .. }) => return Err(already_claimed(eid)),
        Ok(cscms_store::delpge::Filed::ReceiptClaimed(other)) => {
            return Err(ApiError::Conflict {
                code: ProblemCode::AlreadyClaimed,
                detail: format!(
                    "Fee receipt {receipt} is claimed already (claim {other}): a payment is reimbursed once (TRN-1)."
                ),
            })
        }
        Ok(cscms_store::delpge::Filed::Claim(id)) => id,
        Err(e) => return Err(e),
    };
    let view = claim_view(&state, &who, load_claim(&state, &who, id).await?).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/delpge/claims/{id}")))
        .json(view))
}

fn already_claimed(id: i64) -> ApiError {
    ApiError::Conflict {
        code: ProblemCode::AlreadyClaimed,
        detail: format!("A claim has been filed for enrolment {id}."),
    }
}

async fn load_claim(state: &AppState, who: &Principal, id: i64) -> Result<ClaimRecord, ApiError> {
    let what = || format!("Claim {id}");
    let r = state
        .read(move |c| cscms_store::delpge::claim_record(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(what()))?;
    let at = super::StoredPlace {
        org: &r.row.org_id,
        parent: r.org_parent.as_ref(),
        employee: &r.row.employee_code,
        shared_with: None,
    };
    super::ensure_sees_stored(who, Family::TrainingClaim, at, what)?;
    Ok(r)
}

/// Read a reimbursement claim
///
/// One claim with the engine's decision and its state (TRN-1): the
/// employee, their nodal officer and DoPT.
#[utoipa::path(tag = "delpge", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Claim id")),
    responses((status = 200, description = "The claim with its decision", body = ClaimView)))]
#[get("/delpge/claims/{id}")]
pub async fn get_claim(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    super::workflow::show::<ClaimRecord>(&state, &who, id.into_inner()).await
}

/// List claims awaiting approval
///
/// Admissible claims of the nodal officer's ministry and the bodies under
/// it, oldest first, a page at a time (TRN-1).
#[utoipa::path(tag = "delpge", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the claims awaiting approval, oldest first; `Link` names the next page", body = ClaimList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only nodal officers approve claims", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/delpge/claims/pending")]
pub async fn pending(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::DecideTrainingClaim)?;
    let (limit, after) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    let v = visibility(&who, Family::TrainingClaim);
    let rows = state
        .db(move |c| {
            let submitted = Some(ClaimState::Submitted.as_str());
            cscms_store::delpge::claims(c, &v, submitted, after, paging::fetch(limit))
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/delpge/claims/pending",
        |last| Some(last.row.id.to_string()),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items = rows
        .into_iter()
        .map(|r| claim_summary(r, &who))
        .collect::<Result<_, _>>()?;
    Ok(paging::respond(next.clone(), &ClaimList { items, next }))
}

// No vigilance clearance is a condition of a reimbursement (TRN-1).
super::workflow::step_record!(ClaimRecord {
    workflow: CLAIM => (ClaimState, ClaimAction),
    view: ClaimView = claim_view,
    load: load_claim,
    stored_state: |r| r.row.state,
    advance: cscms_store::delpge::advance,
});

super::workflow::step_handlers! {
    record: ClaimRecord, view: ClaimView, tag: "delpge", id: "Claim id";
    approve: ClaimAction::Approve, "/delpge/claims/{id}/approve",
        "Approve a claim for payment",
        "The nodal officer approves an admissible claim (TRN-1). The step is recorded with the claim and audited.",
        "The approved claim",
        403 "Only the nodal officer approves",
        409 "Not awaiting approval (`invalid_transition`, with `current_state` and `allowed_actions`)";
    reject: ClaimAction::Reject, "/delpge/claims/{id}/reject",
        "Reject a claim",
        "The nodal officer rejects a claim, with a reason (TRN-1). The step is recorded with the claim and audited. The employee's claims refused at filing are decided again in the same transaction, on the claims that count without this one: each now admissible awaits the nodal officer, its decision naming the rejected claim (audited as `decide_again`).",
        "The rejected claim",
        403 "Only the nodal officer rejects",
        409 "Not awaiting approval (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "No reason given";
}

/// One line of the ledger.
#[derive(Serialize, ToSchema)]
pub struct LedgerLine {
    pub claim_id: i64,
    pub category: Category,
    pub units: i64,
    pub completed_on: NaiveDate,
    pub state: ClaimState,
    /// Whether the units count (admissible and not rejected).
    pub counts: bool,
    pub amount: i64,
}

/// An employee's units under DELPGE.
#[derive(Serialize, ToSchema)]
pub struct Ledger {
    pub employee_code: String,
    pub lines: Vec<LedgerLine>,
    /// The standing on `as_of` (TRN-1): the units counted in the block of
    /// years ending that day (the block assumption), the most it may hold,
    /// and whether a Masters has been reimbursed, with the reasons.
    #[serde(flatten)]
    pub standing: Decision<trn::Standing>,
    /// The programme that held the employee on `as_of`, if any: enrolled
    /// in by then, not claimed by then, and IGNOU's time limit not passed
    /// (one at a time, TRN-1).
    pub open_programme: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// The standing as of this date (YYYY-MM-DD): reimbursements completed
    /// by then, in the block ending then; today (IST) when absent. Claims
    /// are counted as they stand now (a rejection since counts).
    pub as_of: Option<NaiveDate>,
}

/// Read an employee's DELPGE ledger
///
/// Units claimed and counted, the block and whether Masters is used (TRN-1).
#[utoipa::path(tag = "delpge", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), LedgerQuery),
    responses((status = 200, description = "The ledger of units", body = Ledger)))]
#[get("/employees/{code}/delpge")]
pub async fn ledger(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    let (code, _) = visible_employee(&state, &who, Family::TrainingClaim, &code).await?;
    let key = code.clone();
    let (claims, enrolments) = state
        .db(move |c| cscms_store::delpge::ledger(c, &key))
        .await?;
    let as_of = query.as_of.unwrap_or_else(today);
    // The day each enrolment was claimed under (IST), for what held on `as_of`.
    let claimed_on: std::collections::HashMap<i64, NaiveDate> = claims
        .iter()
        .map(|c| {
            let on = cscms_domain::workflow::india_date(c.filed_at.and_utc());
            (c.enrolment_id, on)
        })
        .collect();
    let lines = claims
        .into_iter()
        .map(|c: ClaimRow| {
            Ok(LedgerLine {
                claim_id: c.id,
                category: c.category,
                units: c.units,
                completed_on: c.completed_on,
                counts: claim_state(&c).counts(c.admissible),
                state: claim_state(&c),
                amount: c.amount,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let earned: Vec<trn::Earned> = lines
        .iter()
        .filter(|l| l.counts)
        .map(|l| trn::Earned {
            category: l.category,
            completed_on: l.completed_on,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Ledger {
        employee_code: code.as_str().to_owned(),
        standing: trn::standing(&earned, as_of),
        open_programme: enrolments
            .iter()
            .find(|(e, by)| {
                // Claimed with no claim on record: taken as claimed throughout.
                let claimed = claimed_on
                    .get(&e.id)
                    .copied()
                    .or(e.claimed.then_some(e.enrolled_on));
                trn::held_on(e.enrolled_on, claimed, *by, as_of)
            })
            .map(|(e, _)| e.programme_id),
        lines,
    }))
}
