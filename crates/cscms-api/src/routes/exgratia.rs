//! Ex-gratia lump sum compensation (EXG-1): the stateless rule, open to any
//! authenticated caller, and DoPT's register of cases with the decision
//! taken when each was recorded.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cursor;
use cscms_domain::decision::Decision;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::exgratia::{self, ExGratiaInput, ExGratiaOutcome, SourceAmount};
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{sees_register, Family, Op};
use cscms_store::exgratia::{ExGratiaRow, NewExGratia};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::Validate;

use super::workflow::{to_json, today};
use super::{actor, paging, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::{body_errors, BodyRules, CheckedJson};
use crate::scope::authorize;
use crate::state::AppState;

/// A question to the EXG-1 rule.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExGratiaQuestion {
    pub date_of_death: NaiveDate,
    /// Every amount from every Government source (PM's and CMs' relief funds included).
    #[schema(min_items = 1, max_items = 20)]
    pub amounts: Vec<SourceAmount>,
    /// Decide as of this date; today (IST) when absent.
    pub as_of: Option<NaiveDate>,
}

impl ExGratiaQuestion {
    fn as_of(&self) -> NaiveDate {
        self.as_of.unwrap_or_else(today)
    }

    fn input(&self) -> ExGratiaInput {
        ExGratiaInput {
            date_of_death: self.date_of_death,
            amounts: trimmed(&self.amounts),
        }
    }
}

fn trimmed(amounts: &[SourceAmount]) -> Vec<SourceAmount> {
    amounts
        .iter()
        .map(|a| SourceAmount {
            description: a
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            ..a.clone()
        })
        .collect()
}

impl BodyRules for ExGratiaQuestion {
    fn rule_errors(&self) -> Vec<FieldError> {
        body_errors(exgratia::check(&self.input(), self.as_of()))
    }
}

/// Evaluate the ex-gratia ceiling
///
/// The orders issued by `as_of` that cover the date of death, applied to
/// the amounts from every source (EXG-1): the Rs 20 lakh aggregate ceiling
/// of 16.03.2009 until its withdrawal of 12.07.2010. Nothing is stored.
#[utoipa::path(tag = "rules", security(("bearer" = [])), request_body = ExGratiaQuestion,
    responses((status = 200, description = "The decision with its reasons, rule ids and as-of date", body = Decision<ExGratiaOutcome>)))]
#[post("/rules/ex-gratia/evaluate")]
pub async fn evaluate(
    _who: Auth,
    CheckedJson(body): CheckedJson<ExGratiaQuestion>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(exgratia::assess(&body.input(), body.as_of())))
}

/// A death in service, as DoPT records it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExGratiaCase {
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Late Shri Ramesh Kumar")]
    pub deceased_name: String,
    /// The Government servant's employee code, when one of the cadres.
    #[schema(example = "CSS-000001")]
    pub employee_code: Option<String>,
    /// The ministry or department the Government servant served in.
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40, example = "MHA")]
    pub organisation_id: String,
    pub date_of_death: NaiveDate,
    #[schema(min_items = 1, max_items = 20)]
    pub amounts: Vec<SourceAmount>,
    #[validate(length(min = 3, max = 2000))]
    #[schema(min_length = 3, max_length = 2000)]
    pub remarks: Option<String>,
}

impl BodyRules for NewExGratiaCase {
    fn rule_errors(&self) -> Vec<FieldError> {
        let input = ExGratiaInput {
            date_of_death: self.date_of_death,
            amounts: self.amounts.clone(),
        };
        body_errors(exgratia::check(&input, today()))
    }
}

/// A case with the decision taken when it was recorded.
#[derive(Serialize, ToSchema)]
pub struct ExGratiaCase {
    pub id: i64,
    pub deceased_name: String,
    pub employee_code: Option<String>,
    pub organisation_id: String,
    pub date_of_death: NaiveDate,
    pub amounts: Vec<SourceAmount>,
    pub total: i64,
    /// Null when the governing order's terms are not held by this system (deaths before 01.01.2006).
    pub admissible: Option<i64>,
    #[schema(value_type = Decision<ExGratiaOutcome>)]
    pub decision: Value,
    pub remarks: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ExGratiaCaseList {
    pub items: Vec<ExGratiaCase>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

fn case(row: ExGratiaRow) -> Result<ExGratiaCase, ApiError> {
    Ok(ExGratiaCase {
        id: row.id,
        deceased_name: row.deceased_name,
        employee_code: row.employee_code,
        organisation_id: row.org_id,
        date_of_death: row.date_of_death,
        amounts: row.amounts.into_inner(),
        total: row.total,
        admissible: row.admissible,
        decision: row.decision.into_inner(),
        remarks: row.remarks,
        recorded_by: row.recorded_by,
        recorded_at: utc(row.recorded_at),
    })
}

/// Record an ex-gratia case
///
/// DoPT records a death in service with the amounts from every source; the
/// EXG-1 decision is taken and kept with the case. For an employee on
/// record the death falls after joining Government, the organisation is
/// theirs (or its ministry's), and one case is kept for them. Audited.
#[utoipa::path(tag = "ex-gratia", security(("bearer" = [])), request_body = NewExGratiaCase,
    responses(
        (status = 201, description = "The case with its decision; `Location` names it", body = ExGratiaCase, headers(("Location" = String))),
        (status = 403, description = "Only DoPT records cases", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A case of this employee is on record (`already_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/ex-gratia/cases")]
pub async fn record(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<NewExGratiaCase>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageExGratiaCases)?;
    let org = body.organisation_id.trim().to_owned();
    let code = body
        .employee_code
        .as_deref()
        .map(str::trim)
        .map(str::to_owned);
    let (org_key, code_key) = (org.clone(), code.clone());
    // The deceased's record when the case names an employee; `Err` when
    // the code names no one on record.
    let (org_found, deceased) = state
        .db(move |c| {
            // An id or code nothing could have names nothing on record.
            let org = match OrgId::parse(&org_key) {
                Ok(id) => cscms_store::organisations::get(c, &id)?.is_some(),
                Err(_) => false,
            };
            let employee = match code_key.as_deref().map(EmployeeCode::parse) {
                None => Ok(None),
                Some(Ok(k)) => cscms_store::employees::get(c, &k)?.map(Some).ok_or(()),
                Some(Err(_)) => Err(()),
            };
            Ok((org, employee))
        })
        .await?;
    let mut errors = Vec::new();
    if !org_found {
        errors.push(FieldError::new(
            "body.organisation_id",
            "unknown",
            "no such organisation",
        ));
    }
    if deceased.is_err() {
        errors.push(FieldError::new(
            "body.employee_code",
            "unknown",
            "no such employee",
        ));
    }
    // Against the deceased's record, once the organisation named is one.
    if let (true, Ok(Some(p))) = (org_found, &deceased) {
        let on_record = exgratia::OnRecord {
            joined_government_on: p.record.joined_government_on,
            organisation: p.record.org_id.as_str(),
            ministry: p.org_parent.as_ref().map(OrgId::as_str),
        };
        errors.extend(body_errors(exgratia::check_deceased(
            body.date_of_death,
            &org,
            &on_record,
        )));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let input = ExGratiaInput {
        date_of_death: body.date_of_death,
        amounts: trimmed(&body.amounts),
    };
    let decision = exgratia::assess(&input, today());
    let new = NewExGratia {
        deceased_name: body.deceased_name.trim().to_owned(),
        employee_code: code,
        org_id: org,
        date_of_death: body.date_of_death,
        amounts: to_json(&input.amounts)?,
        total: decision.outcome.total,
        admissible: decision.outcome.admissible,
        regime: to_json(&decision.outcome.regime)?
            .trim_matches('"')
            .to_owned(),
        decision: to_json(&decision)?,
        remarks: body.remarks.map(|r| r.trim().to_owned()),
        recorded_by: who.sub.clone(),
        recorded_at: Utc::now().naive_utc(),
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| cscms_store::exgratia::record(c, &actor, &new))
        .await?;
    let row = load(&state, &who, id).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/ex-gratia/cases/{id}")))
        .json(case(row)?))
}

async fn load(state: &AppState, who: &Principal, id: i64) -> Result<ExGratiaRow, ApiError> {
    let not_found = || ApiError::not_found(format!("Ex-gratia case {id}"));
    // Outside DoPT the register does not exist, whatever the id.
    if !sees_register(who, Family::ExGratiaCase) {
        return Err(not_found());
    }
    state
        .read(move |c| cscms_store::exgratia::get(c, id))
        .await?
        .ok_or_else(not_found)
}

/// Read an ex-gratia case
///
/// One case with the decision taken when it was recorded (DoPT).
#[utoipa::path(tag = "ex-gratia", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The case", body = ExGratiaCase)))]
#[get("/ex-gratia/cases/{id}")]
pub async fn get_case(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(case(row)?))
}

/// List ex-gratia cases
///
/// The register, newest first (DoPT), a page at a time.
#[utoipa::path(tag = "ex-gratia", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the cases, newest first; `Link` names the next page", body = ExGratiaCaseList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only DoPT keeps the register", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/ex-gratia/cases")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageExGratiaCases)?;
    let (limit, before) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    let rows = state
        .read(move |c| cscms_store::exgratia::list(c, before, paging::fetch(limit)))
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/ex-gratia/cases",
        |last| Some(last.id.to_string()),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items = rows.into_iter().map(case).collect::<Result<_, _>>()?;
    Ok(paging::respond(
        next.clone(),
        &ExGratiaCaseList { items, next },
    ))
}
