//! ROT-1: rotation rounds and preferences. DoPT announces a round for a
//! cadre and grades with its dates ("timelines intimated through the
//! portal", seed 000 §3.7), amends it only before the window opens and
//! cancels it only before the allocation; an eligible officer gives a ranked
//! list of ministries of the other group within the window; the nodal
//! officer sees who in the ministry has and has not given one.

use std::collections::BTreeMap;

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::cadre::{self, Cadre};
use cscms_domain::decision::Decision;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::rotation::round::{
    check_preferences, check_terms, Phase, RoundDates, RoundState, RoundTerms,
};
use cscms_domain::rotation::{evaluate_rotation, Group, RotationOutcome, RotationStatus};
use cscms_domain::scope::{visibility, Family, Op};
use cscms_store::employees::{EmployeeRow, ServiceEventRow};
use cscms_store::json::Json;
use cscms_store::rotation_rounds::{PreferenceRow, RoundRow, RoundTermsRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::workflow::{corrupt, to_json, today};
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{body_errors, BodyRules, CheckedJson, ValidJson};
use crate::gate::require_profile_submitted;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{etag_header, if_match};

/// A round's terms, as DoPT announces or amends them.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationRoundTerms {
    pub cadre: Cadre,
    /// Grades of the cadre the round is for (ROT-2 must cover each).
    #[validate(length(max = 20))]
    #[schema(min_items = 1, max_items = 20, example = json!(["SO", "US"]))]
    pub grades: Vec<String>,
    /// Preferences open after the day the round is announced; close on or
    /// after they open; allocation after the close; orders on or after it.
    pub dates: RoundDates,
    /// The fewest ministries a list may name (1-30).
    #[schema(minimum = 1, maximum = 30, example = 3)]
    pub min_preferences: u32,
    /// The most ministries a list may name (1-30, not below the minimum).
    #[schema(minimum = 1, maximum = 30, example = 10)]
    pub max_preferences: u32,
}

impl RotationRoundTerms {
    fn terms(&self) -> RoundTerms<'_> {
        RoundTerms {
            cadre: self.cadre,
            grades: &self.grades,
            dates: self.dates,
            min_preferences: self.min_preferences,
            max_preferences: self.max_preferences,
        }
    }

    /// As stored: grade codes as the cadre structure spells them.
    fn row(&self) -> Result<RoundTermsRow, ApiError> {
        let grades: Vec<String> = self
            .grades
            .iter()
            .map(|g| cadre::grade(self.cadre, g).map(|g| g.code.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| ApiError::invalid("body.grades", "invalid", e.to_string()))?;
        Ok(RoundTermsRow {
            cadre: self.cadre.as_str().to_owned(),
            grades: to_json(&grades)?,
            preferences_open: self.dates.preferences_open,
            preferences_close: self.dates.preferences_close,
            allocation_on: self.dates.allocation_on,
            orders_on: self.dates.orders_on,
            min_preferences: i32::try_from(self.min_preferences).unwrap_or(i32::MAX),
            max_preferences: i32::try_from(self.max_preferences).unwrap_or(i32::MAX),
        })
    }
}

impl BodyRules for RotationRoundTerms {
    fn rule_errors(&self) -> Vec<FieldError> {
        body_errors(check_terms(&self.terms(), today()))
    }
}

/// A round as announced.
#[derive(Serialize, ToSchema)]
pub struct RotationRound {
    pub id: i64,
    pub cadre: Cadre,
    pub grades: Vec<String>,
    pub dates: RoundDates,
    pub min_preferences: u32,
    pub max_preferences: u32,
    pub state: RoundState,
    /// Where the round stands today (IST) by its dates; null once cancelled.
    pub phase: Option<Phase>,
    pub cancel_reason: Option<String>,
    /// Also the `ETag`.
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct RotationRoundList {
    pub items: Vec<RotationRound>,
}

/// A stored round, checked.
pub(crate) struct Round {
    pub(crate) row: RoundRow,
    pub(crate) cadre: Cadre,
    pub(crate) grades: Vec<String>,
    pub(crate) dates: RoundDates,
    state: RoundState,
}

impl Round {
    fn parse(row: RoundRow) -> Result<Self, ApiError> {
        Ok(Round {
            cadre: row.cadre,
            grades: row.grades.get().clone(),
            dates: RoundDates {
                preferences_open: row.preferences_open,
                preferences_close: row.preferences_close,
                allocation_on: row.allocation_on,
                orders_on: row.orders_on,
            },
            state: row.state,
            row,
        })
    }

    fn phase(&self, on: NaiveDate) -> Option<Phase> {
        (self.state == RoundState::Announced).then(|| self.dates.phase(on))
    }

    fn view(&self) -> RotationRound {
        let r = &self.row;
        RotationRound {
            id: r.id,
            cadre: self.cadre,
            grades: self.grades.clone(),
            dates: self.dates,
            min_preferences: u32::try_from(r.min_preferences).unwrap_or(0),
            max_preferences: u32::try_from(r.max_preferences).unwrap_or(0),
            state: self.state,
            phase: self.phase(today()),
            cancel_reason: r.cancel_reason.clone(),
            version: r.version,
            created_by: r.created_by.clone(),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }

    /// 409 naming the window's dates unless preferences are taken today (ROT-1).
    pub(crate) fn window_open(&self) -> Result<(), ApiError> {
        let on = today();
        if self.dates.phase(on) != Phase::Open {
            return Err(ApiError::Conflict {
                code: ProblemCode::PreferenceWindowClosed,
                detail: format!(
                    "Preferences in rotation round {} are taken from {} (ROT-1); today is {}.",
                    self.row.id,
                    self.dates.window(),
                    on.format("%d.%m.%Y")
                ),
            });
        }
        Ok(())
    }

    /// Whether the officer is of the round's cadre and grades and ROT-2,
    /// as of the day preferences open, makes them take part.
    pub(crate) fn takes_in(
        &self,
        e: &EmployeeRow,
        history: &[ServiceEventRow],
        promotion: &[NaiveDate],
    ) -> bool {
        e.cadre == self.cadre
            && self.grades.contains(&e.grade)
            && eligibility(e, history, promotion, self.dates.preferences_open)
                .is_some_and(|d| takes_part(&d))
    }

    pub(crate) fn not_cancelled(&self) -> Result<(), ApiError> {
        if self.state == RoundState::Cancelled {
            return Err(ApiError::Conflict {
                code: ProblemCode::RoundCancelled,
                detail: format!(
                    "Rotation round {} was cancelled: {}",
                    self.row.id,
                    self.row
                        .cancel_reason
                        .as_deref()
                        .unwrap_or("no reason recorded")
                ),
            });
        }
        Ok(())
    }
}

fn respond(status: actix_web::http::StatusCode, round: &Round) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag_header(round.row.version))
        .json(round.view())
}

/// A round for a caller who may read rounds; 404 when there is none.
async fn load_round(state: &AppState, who: &Principal, id: i64) -> Result<Round, ApiError> {
    authorize(who, Op::ReadRotationRounds)?;
    let row = state
        .read(move |c| cscms_store::rotation_rounds::get(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Rotation round {id}")))?;
    Round::parse(row)
}

/// Announce a rotation round
///
/// DoPT announces a round for a cadre and grades with its dates (ROT-1):
/// the window for preferences, the allocation and the orders, and the
/// length of the lists it takes. Audited; the round is at version 1.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = RotationRoundTerms,
    responses(
        (status = 201, description = "The round; `Location` names it", body = RotationRound, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only DoPT announces rounds", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dates out of order, a grade ROT-2 does not cover, list lengths out of range", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/rotation/rounds")]
pub async fn announce(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<RotationRoundTerms>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageRotationRounds)?;
    let terms = body.row()?;
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| {
            cscms_store::rotation_rounds::create(c, &actor, &terms, Utc::now().naive_utc())
        })
        .await?;
    let round = load_round(&state, &who, id).await?;
    let mut res = respond(actix_web::http::StatusCode::CREATED, &round);
    if let Ok(v) = format!("/v1/rotation/rounds/{id}").parse() {
        res.headers_mut()
            .insert(actix_web::http::header::LOCATION, v);
    }
    Ok(res)
}

/// List rotation rounds
///
/// Every round announced, newest first, with where each stands today.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    responses((status = 200, description = "Rounds, newest first", body = RotationRoundList),
        (status = 403, description = "Rounds are for people of the cadres and offices", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds")]
pub async fn list_rounds(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadRotationRounds)?;
    let rows = state
        .read(|c| cscms_store::rotation_rounds::list(c, None, None, 500))
        .await?;
    let items = rows
        .into_iter()
        .map(|r| Round::parse(r).map(|r| r.view()))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(RotationRoundList { items }))
}

/// Read a rotation round
///
/// One round with its dates and where it stands today.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The round; `ETag` is its version", body = RotationRound, headers(("ETag" = String))),
        (status = 403, description = "Rounds are for people of the cadres and offices", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}")]
pub async fn get_round(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let round = load_round(&state, &who, id.into_inner()).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &round))
}

/// Amend a rotation round
///
/// New terms for a round whose window has not opened (ROT-1: never
/// changed silently once officers may act on it). Needs `If-Match`. Audited
/// with the terms before and after.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = RotationRoundTerms,
    params(("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The amended round; `ETag` is its new version", body = RotationRound, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT amends rounds", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window has opened (`round_opened`) or the round was cancelled (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/rotation/rounds/{id}")]
pub async fn amend(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    CheckedJson(body): CheckedJson<RotationRoundTerms>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::ManageRotationRounds)?;
    let expected = if_match(&req)?;
    round.not_cancelled()?;
    if round.dates.phase(today()) != Phase::Announced {
        return Err(ApiError::Conflict {
            code: ProblemCode::RoundOpened,
            detail: format!(
                "Rotation round {id} opened for preferences on {}: it can no longer be amended.",
                round.dates.preferences_open.format("%d.%m.%Y")
            ),
        });
    }
    let terms = body.row()?;
    let actor = actor(&who, &req);
    state
        .db(move |c| {
            cscms_store::rotation_rounds::amend(
                c,
                &actor,
                id,
                expected,
                &terms,
                Utc::now().naive_utc(),
            )
        })
        .await?;
    let round = load_round(&state, &who, id).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &round))
}

/// Why a round is cancelled.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRound {
    #[validate(length(min = 3, max = 1000))]
    #[schema(
        min_length = 3,
        max_length = 1000,
        example = "Groups of ministries to be revised first"
    )]
    pub reason: String,
}

/// Cancel a rotation round
///
/// Cancels a round before its allocation date (ROT-1), with a reason.
/// Needs `If-Match`. Audited; preferences given stay on record.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = CancelRound,
    params(("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The cancelled round", body = RotationRound, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT cancels rounds", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The allocation date has come (`round_allocated`) or the round is cancelled already (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rotation/rounds/{id}/cancel")]
pub async fn cancel(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<CancelRound>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::ManageRotationRounds)?;
    let expected = if_match(&req)?;
    round.not_cancelled()?;
    if round.dates.phase(today()) == Phase::Allocation {
        return Err(ApiError::Conflict {
            code: ProblemCode::RoundAllocated,
            detail: format!(
                "Rotation round {id} reached its allocation on {}: it can no longer be cancelled.",
                round.dates.allocation_on.format("%d.%m.%Y")
            ),
        });
    }
    let reason = body.reason.trim().to_owned();
    let actor = actor(&who, &req);
    state
        .db(move |c| {
            cscms_store::rotation_rounds::cancel(
                c,
                &actor,
                id,
                expected,
                &reason,
                Utc::now().naive_utc(),
            )
        })
        .await?;
    let round = load_round(&state, &who, id).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &round))
}

/// ROT-2 for a stored officer as of the day a round's preferences open:
/// `None` when the record cannot be decided on (tenure starting after it).
fn eligibility(
    e: &cscms_store::employees::EmployeeRow,
    history: &[ServiceEventRow],
    promotion: &[NaiveDate],
    on: NaiveDate,
) -> Option<Decision<RotationOutcome>> {
    let input = crate::career::rotation_input(e, history, promotion, on)?;
    evaluate_rotation(on, &input).ok()
}

fn takes_part(d: &Decision<RotationOutcome>) -> bool {
    matches!(
        d.outcome.status,
        RotationStatus::MustRotate | RotationStatus::MayOpt
    )
}

/// A round announced to the caller.
#[derive(Serialize, ToSchema)]
pub struct MyRotationRound {
    #[serde(flatten)]
    pub round: RotationRound,
    /// ROT-2 for the caller as of the day preferences open.
    pub eligibility: Decision<RotationOutcome>,
    /// When the caller gave a list in this round; null until they do.
    pub preferences_given_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct MyRotationRounds {
    /// The day (IST) the list was drawn up for.
    pub as_of: NaiveDate,
    pub items: Vec<MyRotationRound>,
}

/// Rotation rounds open to me
///
/// The rounds of the caller's cadre and grade whose window has not closed
/// and in which ROT-2 makes the caller eligible (must rotate, or may opt),
/// with their dates: the timelines announced through the portal (ROT-1).
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    responses((status = 200, description = "Open rounds the caller is eligible for, newest first", body = MyRotationRounds),
        (status = 403, description = "Only employees take part in rounds", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/me/rotation-rounds")]
pub async fn my_rounds(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::SubmitRotationPreferences)?;
    let code = who
        .own_employee()
        .cloned()
        .ok_or_else(|| ApiError::forbidden(Op::SubmitRotationPreferences.grant().refusal))?;
    let as_of = today();
    let found = state
        .read(move |c| {
            let Some(e) = cscms_store::employees::get(c, &code)? else {
                return Ok(None);
            };
            let history = cscms_store::employees::history(c, &code)?;
            let promotion = cscms_store::promotion_outlooks::dates(c, code.as_str())?;
            let rounds = cscms_store::rotation_rounds::list(
                c,
                Some(e.record.cadre.as_str()),
                Some(as_of),
                500,
            )?;
            let mut out = Vec::new();
            for r in rounds {
                let given = cscms_store::rotation_rounds::preference(c, r.id, code.as_str())?;
                out.push((r, given.map(|g| g.submitted_at)));
            }
            Ok(Some((e.record, history, promotion, out)))
        })
        .await?;
    let Some((e, history, promotion, rounds)) = found else {
        return Err(ApiError::not_found(format!("Employee {}", who.sub)));
    };
    let mut items = Vec::new();
    for (row, given) in rounds {
        let round = Round::parse(row)?;
        if !round.grades.contains(&e.grade) {
            continue;
        }
        let Some(decision) = eligibility(&e, &history, &promotion, round.dates.preferences_open)
        else {
            continue;
        };
        if takes_part(&decision) {
            items.push(MyRotationRound {
                round: round.view(),
                eligibility: decision,
                preferences_given_at: given.map(utc),
            });
        }
    }
    Ok(HttpResponse::Ok().json(MyRotationRounds { as_of, items }))
}

/// An officer's list in a round.
#[derive(Serialize, ToSchema)]
pub struct RotationPreferences {
    pub round_id: i64,
    pub employee_code: String,
    /// The round's dates: the list may be given and changed within the window.
    pub dates: RoundDates,
    /// Where the round stands today; null once cancelled.
    pub phase: Option<Phase>,
    pub min_preferences: u32,
    pub max_preferences: u32,
    /// Ministries of the other group, most wanted first; empty until given.
    pub ministries: Vec<String>,
    /// 0 until the list is given; also the `ETag`.
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn preferences_view(
    round: &Round,
    code: &str,
    row: Option<PreferenceRow>,
) -> Result<RotationPreferences, ApiError> {
    let view = round.view();
    Ok(RotationPreferences {
        round_id: round.row.id,
        employee_code: code.to_owned(),
        dates: round.dates,
        phase: view.phase,
        min_preferences: view.min_preferences,
        max_preferences: view.max_preferences,
        ministries: match &row {
            Some(r) => r.ministries.get().clone(),
            None => Vec::new(),
        },
        version: row.as_ref().map_or(0, |r| r.version),
        submitted_at: row.as_ref().map(|r| utc(r.submitted_at)),
        updated_at: row.as_ref().map(|r| utc(r.updated_at)),
    })
}

/// A round for a preference path: any signed-in caller who sees the
/// officer learns whether the round exists (rounds are announced to all).
pub(crate) async fn round_for_preferences(state: &AppState, id: i64) -> Result<Round, ApiError> {
    let row = state
        .read(move |c| cscms_store::rotation_rounds::get(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Rotation round {id}")))?;
    Round::parse(row)
}

/// Read an officer's preferences in a round
///
/// The officer's ranked list in the round (empty, version 0, until given),
/// with the round's window. The officer, the nodal officer of their
/// ministry and DoPT read it.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The list; `ETag` is its version (\"0\" before the first)", body = RotationPreferences, headers(("ETag" = String)))))]
#[get("/employees/{code}/rotation/rounds/{id}/preferences")]
pub async fn preferences(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let (code, _) =
        super::visible_employee(&state, &who, Family::RotationPreference, &code).await?;
    let round = round_for_preferences(&state, id).await?;
    let key = code.as_str().to_owned();
    let row = state
        .read(move |c| cscms_store::rotation_rounds::preference(c, id, &key))
        .await?;
    let v = preferences_view(&round, code.as_str(), row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// An officer's ranked list.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceList {
    /// Ministries of the group other than the present ministry's, most
    /// wanted first, none twice; as many as the round asks for.
    #[validate(length(max = 30))]
    #[schema(max_items = 30, example = json!(["MOF", "MOD", "MEA"]))]
    pub ministries: Vec<String>,
}

/// Give or change preferences in a round
///
/// The officer gives a ranked list of ministries of the other group
/// (ROT-1, ROT-2) within the round's window, and may change it until the
/// window closes. Needs a submitted profile (PRF-1) and `If-Match` (`"0"`
/// for the first list). Outside the window: 409 naming its dates. Audited.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = PreferenceList,
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the version read (\"0\" before the first list)")),
    responses((status = 200, description = "The list as given; `ETag` is its new version", body = RotationPreferences, headers(("ETag" = String))),
        (status = 403, description = "Only the officer gives their list", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Outside the window (`preference_window_closed`, naming its dates), profile not submitted (`profile_not_submitted`), not in the round (`not_in_round`), cancelled (`round_cancelled`), no ministry groups in force (`no_ministry_groups`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too few or too many, a ministry twice or of the officer's own group", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/employees/{code}/rotation/rounds/{id}/preferences")]
pub async fn give_preferences(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    ValidJson(body): ValidJson<PreferenceList>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let (code, _) =
        super::visible_employee(&state, &who, Family::RotationPreference, &code).await?;
    authorize(&who, Op::SubmitRotationPreferences)?;
    let round = round_for_preferences(&state, id).await?;
    round.not_cancelled()?;
    let expected = if_match(&req)?;
    require_profile_submitted(&state, &code).await?;
    round.window_open()?;
    let key = code.clone();
    let code = code.as_str().to_owned();
    let open = round.dates.preferences_open;
    let (placed, history, promotion, groups) = state
        .read(move |c| {
            let placed = cscms_store::employees::get(c, &key)?;
            let history = cscms_store::employees::history(c, &key)?;
            let promotion = cscms_store::promotion_outlooks::dates(c, key.as_str())?;
            let groups = cscms_store::rotation::in_force(c, open)?;
            Ok((placed, history, promotion, groups))
        })
        .await?;
    let placed = placed.ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?;
    let e = placed.record;
    if !round.takes_in(&e, &history, &promotion) {
        return Err(ApiError::Conflict {
            code: ProblemCode::NotInRound,
            detail: format!(
                "Rotation round {id} is for {} {}, officers whom ROT-2 makes eligible on {}; {code} ({} {}) is not among them (see /v1/employees/{code}/rotation?as_of={open}).",
                round.cadre,
                round.grades.join(", "),
                open.format("%d.%m.%Y"),
                e.cadre,
                e.grade
            ),
        });
    }
    let groups = groups.ok_or_else(|| ApiError::Conflict {
        code: ProblemCode::NoMinistryGroups,
        detail: format!(
            "No set of ministry groups is in force on {} (ROT-2); DoPT records one first.",
            open.format("%d.%m.%Y")
        ),
    })?;
    let by_ministry = group_map(&groups);
    // The present ministry: the organisation, or the ministry above a body.
    let present = placed
        .org_parent
        .clone()
        .unwrap_or_else(|| e.org_id.clone())
        .to_string();
    let list: Vec<String> = body
        .ministries
        .iter()
        .map(|m| m.trim().to_owned())
        .collect();
    let problems = check_preferences(
        &list,
        &present,
        &by_ministry,
        u32::try_from(round.row.min_preferences).unwrap_or(0),
        u32::try_from(round.row.max_preferences).unwrap_or(0),
    );
    if !problems.is_empty() {
        return Err(ApiError::Validation(body_errors(problems)));
    }
    let now = Utc::now().naive_utc();
    let row = PreferenceRow {
        round_id: id,
        employee_code: code.clone(),
        org_id: e.org_id.to_string(),
        ministries: Json::new(list.clone())?,
        version: expected,
        submitted_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::rotation_rounds::put_preference(c, &actor, &row, expected))
        .await?;
    let key = code.clone();
    let row = state
        .read(move |c| cscms_store::rotation_rounds::preference(c, id, &key))
        .await?;
    let v = preferences_view(&round, &code, row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// Each ministry of a set of groups with its group.
pub(crate) fn group_map(groups: &cscms_store::rotation::GroupSet) -> BTreeMap<String, Group> {
    groups
        .members
        .iter()
        .map(|m| {
            let g = if m.grp == "A" { Group::A } else { Group::B };
            (m.org_id.clone(), g)
        })
        .collect()
}

/// The set of groups in force on the day a round's preferences open;
/// 409 when there is none (ROT-2).
pub(crate) fn groups_in_force(
    groups: Option<cscms_store::rotation::GroupSet>,
    open: NaiveDate,
) -> Result<cscms_store::rotation::GroupSet, ApiError> {
    groups.ok_or_else(|| ApiError::Conflict {
        code: ProblemCode::NoMinistryGroups,
        detail: format!(
            "No set of ministry groups is in force on {} (ROT-2); DoPT records one first.",
            open.format("%d.%m.%Y")
        ),
    })
}

/// One officer of the round's cadre and grades, where the caller sees them.
#[derive(Serialize, ToSchema)]
pub struct RotationSubmission {
    pub employee_code: String,
    pub employee_name: String,
    pub grade: String,
    pub organisation_id: String,
    /// ROT-2 as of the day preferences open; null when the record cannot be decided on.
    pub rotation_status: Option<RotationStatus>,
    pub submitted: bool,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct RotationSubmissions {
    pub round_id: i64,
    pub dates: RoundDates,
    /// Officers listed who have given a list.
    pub submitted: usize,
    /// Officers listed who must rotate and have not given a list.
    pub must_rotate_not_submitted: usize,
    pub items: Vec<RotationSubmission>,
}

/// Who has given preferences in a round
///
/// The officers of the round's cadre and grades the caller sees (a nodal
/// officer: the ministry and the bodies under it; DoPT: all), each with
/// their ROT-2 status and whether they have given a list (ROT-1).
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "Officers by code, with their status and whether they have given a list", body = RotationSubmissions),
        (status = 403, description = "For the nodal officer of the ministry and DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/submissions")]
pub async fn submissions(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::ReadRotationSubmissions)?;
    let visible = visibility(&who, Family::RotationPreference);
    let cadre = round.cadre.as_str().to_owned();
    let grades = round.grades.clone();
    let rows = state
        .read(move |c| {
            cscms_store::rotation_rounds::submissions(c, id, &visible, &cadre, &grades, 5000)
        })
        .await?;
    let open = round.dates.preferences_open;
    let items: Vec<RotationSubmission> = rows
        .into_iter()
        .map(|s| {
            let status = eligibility(&s.employee, &s.history, &s.promotion_outlooks, open)
                .map(|d| d.outcome.status);
            RotationSubmission {
                employee_code: s.employee.code.into(),
                employee_name: s.employee.name,
                grade: s.employee.grade,
                organisation_id: s.employee.org_id.into(),
                rotation_status: status,
                submitted: s.submitted_at.is_some(),
                submitted_at: s.submitted_at.map(utc),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(RotationSubmissions {
        round_id: id,
        dates: round.dates,
        submitted: items.iter().filter(|i| i.submitted).count(),
        must_rotate_not_submitted: items
            .iter()
            .filter(|i| !i.submitted && i.rotation_status == Some(RotationStatus::MustRotate))
            .count(),
        items,
    }))
}

/// Vacancies of one ministry and grade before the round.
#[derive(Serialize, ToSchema)]
pub struct RoundVacancy {
    pub ministry: String,
    pub grade: String,
    /// Sanctioned minus in position (PRF-3), over the ministry and its bodies.
    pub vacant: u32,
}

#[derive(Serialize, ToSchema)]
pub struct RoundVacancies {
    pub round_id: i64,
    /// Posts freed by the round itself (every officer who must rotate) are
    /// added by the allocation.
    pub items: Vec<RoundVacancy>,
}

/// The inputs of a round's allocation from the store: the ministries of
/// the groups in force on the day preferences open, with their vacancies,
/// and the officers who take part (ROT-1, ROT-2).
async fn allocation_input(
    state: &AppState,
    round: &Round,
) -> Result<cscms_domain::rotation::AllocationInput, ApiError> {
    use cscms_domain::rotation::round::{participants, vacancies, Candidate, Strength};
    let (id, open) = (round.row.id, round.dates.preferences_open);
    let cadre = round.cadre.as_str().to_owned();
    let grades = round.grades.clone();
    let (data, groups, orgs, couples, outside) = state
        .read(move |c| {
            let data = cscms_store::rotation_rounds::round_data(c, id, &cadre, &grades)?;
            let groups = cscms_store::rotation::in_force(c, open)?;
            let orgs = cscms_store::organisations::list(c)?;
            let couples = cscms_store::rotation_couples::confirmed(c, id)?;
            // Spouses who are not officers of the round's cadre and grades.
            let mut outside = BTreeMap::new();
            for code in couples.iter().flat_map(|k| [&k.first_code, &k.second_code]) {
                if !data.officers.iter().any(|o| o.0.code.as_str() == code) {
                    let key = EmployeeCode::parse(code).map_err(|e| {
                        cscms_store::StoreError::Corrupt(format!("rotation_couples of {id}: {e}"))
                    })?;
                    if let Some(p) = cscms_store::employees::get(c, &key)? {
                        outside.insert(code.clone(), p);
                    }
                }
            }
            Ok((data, groups, orgs, couples, outside))
        })
        .await?;
    let groups = groups_in_force(groups, open)?;
    let strength: Vec<Strength> = data
        .strength
        .into_iter()
        .map(|(org, parent, grade, sanctioned, in_position)| Strength {
            org,
            parent,
            grade,
            sanctioned,
            in_position,
        })
        .collect();
    let mut free = vacancies(&strength);
    let station: BTreeMap<String, String> = orgs
        .into_iter()
        .map(|o| (o.id.into(), o.state.unwrap_or_default()))
        .collect();
    let ministries = groups
        .members
        .iter()
        .map(|m| cscms_domain::rotation::Ministry {
            id: m.org_id.clone(),
            group: if m.grp == "A" { Group::A } else { Group::B },
            station: station.get(&m.org_id).cloned().unwrap_or_default(),
            vacancies: free.remove(&m.org_id).unwrap_or_default(),
        })
        .collect();
    // Each officer's cadre and present ministry (the ministry above a body), for SPO-1.
    let mut placed: BTreeMap<String, (Cadre, String)> = outside
        .into_iter()
        .map(|(code, p)| {
            let ministry = p.org_parent.unwrap_or(p.record.org_id);
            (code, (p.record.cadre, ministry.into()))
        })
        .collect();
    let mut candidates = Vec::new();
    for (e, parent, history, list, promotion) in data.officers {
        placed.insert(
            e.code.to_string(),
            (
                e.cadre,
                parent.clone().unwrap_or_else(|| e.org_id.to_string()),
            ),
        );
        let Some(decision) = eligibility(&e, &history, &promotion, open) else {
            continue;
        };
        let ranked: Vec<String> = list.unwrap_or_default();
        candidates.push(Candidate {
            ministry: parent.unwrap_or_else(|| e.org_id.to_string()),
            in_ministry_since: crate::career::rotation_input(&e, &history, &promotion, open)
                .map_or(e.joined_government_on, |i| i.in_ministry_since),
            in_grade_since: e.joined_present_grade_on,
            status: decision.outcome.status,
            code: e.code.into(),
            grade: e.grade,
            preferences: ranked,
        });
    }
    let officers = participants(&candidates);
    let couples = round_couples(open, &couples, &officers, &placed, &station)?;
    Ok(cscms_domain::rotation::AllocationInput {
        ministries,
        officers,
        couples,
    })
}

/// The confirmed couples of a round as the engine takes them (SPO-1): with
/// both spouses taking part, their joint list; with one, the other is a
/// spouse who stays at the station of their present ministry; with
/// neither, nothing to allocate. Whether posting together is mandatory is
/// the OM's answer for the two officers (`rotation::couples`).
fn round_couples(
    open: NaiveDate,
    couples: &[cscms_store::rotation_couples::CoupleRow],
    officers: &[cscms_domain::rotation::Officer],
    placed: &BTreeMap<String, (Cadre, String)>,
    station: &BTreeMap<String, String>,
) -> Result<Vec<cscms_domain::rotation::Couple>, ApiError> {
    use cscms_domain::rotation::couples::spouses_in_round;
    let takes = |code: &str| officers.iter().any(|o| o.code == code);
    let mut out = Vec::new();
    for k in couples {
        let (first, second, joint) = match (takes(&k.first_code), takes(&k.second_code)) {
            (true, true) => (&k.first_code, &k.second_code, k.joint.get().clone()),
            (true, false) => (&k.first_code, &k.second_code, Vec::new()),
            (false, true) => (&k.second_code, &k.first_code, Vec::new()),
            (false, false) => continue,
        };
        let (a, b) = (
            round_spouse(first, placed, station)?,
            round_spouse(second, placed, station)?,
        );
        let terms = spouses_in_round(open, &a, &b);
        if terms.outcome.case.is_none() {
            continue;
        }
        out.push(cscms_domain::rotation::Couple {
            first: first.clone(),
            second: second.clone(),
            second_station: (!takes(second)).then(|| b.station.to_owned()),
            joint,
            mandatory: terms.outcome.mandatory,
        });
    }
    Ok(out)
}

/// A spouse as SPO-1 in a round takes them: cadre, present ministry and its station.
fn round_spouse<'a>(
    code: &str,
    placed: &'a BTreeMap<String, (Cadre, String)>,
    station: &'a BTreeMap<String, String>,
) -> Result<cscms_domain::rotation::couples::RoundSpouse<'a>, ApiError> {
    let (cadre, ministry) = placed.get(code).ok_or_else(|| corrupt("couple spouse"))?;
    Ok(cscms_domain::rotation::couples::RoundSpouse {
        cadre: *cadre,
        ministry: ministry.as_str(),
        station: station.get(ministry).map_or("", String::as_str),
    })
}

/// Vacancies of a round
///
/// Per ministry and grade of the round: sanctioned minus in position
/// (PRF-3's working strength) over the ministry and the bodies under it,
/// before the round; the posts the round frees are added when it is run.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "Vacancies by ministry and grade", body = RoundVacancies),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No ministry groups in force (`no_ministry_groups`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/vacancies")]
pub async fn round_vacancies(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let round = load_round(&state, &who, id.into_inner()).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    let input = allocation_input(&state, &round).await?;
    let items = input
        .ministries
        .iter()
        .flat_map(|m| {
            round.grades.iter().map(|g| RoundVacancy {
                ministry: m.id.clone(),
                grade: g.clone(),
                vacant: m.vacancies.get(g).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(RoundVacancies {
        round_id: round.row.id,
        items,
    }))
}

/// A run of a round's allocation.
#[derive(Serialize, ToSchema)]
pub struct RotationRun {
    pub id: i64,
    pub round_id: i64,
    /// The day ROT-2 and tenure were counted to: the day preferences opened.
    pub as_of: NaiveDate,
    /// The engine's input as stored: ministries with vacancies, officers with lists.
    #[schema(value_type = cscms_domain::rotation::AllocationInput)]
    pub inputs: serde_json::Value,
    /// The engine's decision as stored.
    #[schema(value_type = Decision<cscms_domain::rotation::Allocation>)]
    pub result: serde_json::Value,
    /// Re-running the engine on the stored inputs gives the stored result.
    pub replays: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Set once DoPT approves the run and its transfer orders are issued.
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub order_ref: Option<String>,
}

fn run_view(row: cscms_store::rotation_rounds::RunRow) -> Result<RotationRun, ApiError> {
    let inputs: serde_json::Value = row.inputs.get().clone();
    let result: serde_json::Value = row.result.get().clone();
    let replays = serde_json::from_value::<cscms_domain::rotation::AllocationInput>(inputs.clone())
        .ok()
        .and_then(|i| cscms_domain::rotation::allocate(row.as_of, &i).ok())
        .and_then(|d| serde_json::to_value(d).ok())
        .is_some_and(|again| again == result);
    Ok(RotationRun {
        id: row.id,
        round_id: row.round_id,
        as_of: row.as_of,
        inputs,
        result,
        replays,
        created_by: row.created_by,
        created_at: utc(row.created_at),
        approved_by: row.approved_by,
        approved_at: row.approved_at.map(utc),
        order_ref: row.order_ref,
    })
}

/// Run a round's allocation
///
/// On or after the round's allocation date, DoPT runs the allocation
/// (ROT-1, ROT-2): every officer who must rotate and every officer who may
/// opt and gave a list, over the vacancies and the posts the round frees,
/// by officer-proposing deferred acceptance with the published priority.
/// The inputs and the result are stored (audited), so the run can be
/// replayed. Confirmed couples of the round (SPO-1) are posted together
/// first where a post is available for each at one station, and each
/// spouse's result says why where they could not be.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 201, description = "The run; `Location` names it", body = RotationRun, headers(("Location" = String))),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Before the allocation date or no officer takes part (`allocation_not_due`), cancelled (`round_cancelled`), no ministry groups (`no_ministry_groups`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rotation/rounds/{id}/runs")]
pub async fn run_allocation(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    round.not_cancelled()?;
    if round.dates.phase(today()) != Phase::Allocation {
        return Err(ApiError::Conflict {
            code: ProblemCode::AllocationNotDue,
            detail: format!(
                "Rotation round {id} is allocated on or after {}.",
                round.dates.allocation_on.format("%d.%m.%Y")
            ),
        });
    }
    let input = allocation_input(&state, &round).await?;
    if input.officers.is_empty() {
        return Err(ApiError::Conflict {
            code: ProblemCode::AllocationNotDue,
            detail: format!("No officer takes part in rotation round {id}."),
        });
    }
    let as_of = round.dates.preferences_open;
    let decision = cscms_domain::rotation::allocate(as_of, &input)
        .map_err(|e| ApiError::Internal(format!("allocation inputs: {e}")))?;
    let new = cscms_store::rotation_rounds::NewRun {
        round_id: id,
        as_of,
        inputs: to_json(&input)?,
        result: to_json(&decision)?,
        created_by: who.sub.clone(),
        created_at: Utc::now().naive_utc(),
    };
    let actor = actor(&who, &req);
    let run_id = state
        .db(move |c| cscms_store::rotation_rounds::record_run(c, &actor, &new))
        .await?;
    let row = state
        .read(move |c| cscms_store::rotation_rounds::get_run(c, id, run_id))
        .await?
        .ok_or_else(|| ApiError::Internal("run just stored not found".into()))?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/rotation/rounds/{id}/runs/{run_id}"),
        ))
        .json(run_view(row)?))
}

/// Read a run of a round's allocation
///
/// The stored inputs and result, and whether re-running the engine on the
/// inputs gives the same result (DoPT).
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id"), ("run" = i64, Path, description = "Run id")),
    responses((status = 200, description = "The run, replayed", body = RotationRun),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/runs/{run}")]
pub async fn get_run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, run_id) = path.into_inner();
    load_round(&state, &who, id).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    let row = state
        .read(move |c| cscms_store::rotation_rounds::get_run(c, id, run_id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Run {run_id} of rotation round {id}")))?;
    Ok(HttpResponse::Ok().json(run_view(row)?))
}

/// The order under which a run's transfers issue.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRun {
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "DoPT Order No. 7/1/2026-CS.I(P) dated 20.12.2026"
    )]
    pub order_ref: String,
}

/// Approve a run and issue the transfer orders
///
/// DoPT approves a run it has reviewed (ROT-1): a transfer order for every
/// officer placed, entered in their service history as a `transfer`
/// effective on the round's orders date with the order reference, all in
/// one audited transaction; each order is in the change feed. A run that
/// does not replay to its stored result is not approved; a round has one
/// approved run.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = ApproveRun,
    params(("id" = i64, Path, description = "Round id"), ("run" = i64, Path, description = "Run id")),
    responses((status = 200, description = "The approved run", body = RotationRun),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A run is approved already (`round_approved`), the run does not replay (`run_not_replayable`), cancelled (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rotation/rounds/{id}/runs/{run}/approve")]
pub async fn approve_run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    ValidJson(body): ValidJson<ApproveRun>,
) -> Result<HttpResponse, ApiError> {
    let (id, run_id) = path.into_inner();
    let round = load_round(&state, &who, id).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    round.not_cancelled()?;
    let (row, approved, employees) = state
        .read(move |c| {
            let row = cscms_store::rotation_rounds::get_run(c, id, run_id)?;
            let approved = cscms_store::rotation_rounds::approved_run(c, id)?;
            let orgs: BTreeMap<String, (EmployeeCode, OrgId)> = match &row {
                Some(r) => {
                    let input: Option<cscms_domain::rotation::AllocationInput> =
                        serde_json::from_value(r.inputs.get().clone()).ok();
                    let mut m = BTreeMap::new();
                    for o in input.map(|i| i.officers).unwrap_or_default() {
                        let key = EmployeeCode::parse(&o.code).map_err(|e| {
                            cscms_store::StoreError::Corrupt(format!("rotation_runs {run_id}: {e}"))
                        })?;
                        if let Some(e) = cscms_store::employees::get(c, &key)? {
                            m.insert(o.code, (e.record.code, e.record.org_id));
                        }
                    }
                    m
                }
                None => BTreeMap::new(),
            };
            Ok((row, approved, orgs))
        })
        .await?;
    let row =
        row.ok_or_else(|| ApiError::not_found(format!("Run {run_id} of rotation round {id}")))?;
    if let Some(a) = approved {
        return Err(ApiError::Conflict {
            code: ProblemCode::RoundApproved,
            detail: format!(
                "Run {} of rotation round {id} is approved already, under {}.",
                a.id,
                a.order_ref.unwrap_or_default()
            ),
        });
    }
    let view = run_view(row)?;
    if !view.replays {
        return Err(ApiError::Conflict {
            code: ProblemCode::RunNotReplayable,
            detail: format!(
                "Run {run_id} does not replay to its stored result; run the allocation again."
            ),
        });
    }
    let result: cscms_domain::rotation::AllocationInput =
        serde_json::from_value(view.inputs.clone()).map_err(|_| corrupt("run inputs"))?;
    let decision = cscms_domain::rotation::allocate(view.as_of, &result)
        .map_err(|e| ApiError::Internal(format!("allocation inputs: {e}")))?;
    let orders: Vec<cscms_store::rotation_rounds::TransferOrder> = decision
        .outcome
        .officers
        .iter()
        .filter_map(|o| {
            let (code, org) = employees.get(&o.code)?;
            Some(cscms_store::rotation_rounds::TransferOrder {
                employee_code: code.clone(),
                org_id: org.clone(),
                grade: o.grade.clone(),
                from: o.from.clone(),
                to: o.to.clone()?,
            })
        })
        .collect();
    let order_ref = body.order_ref.trim().to_owned();
    let orders_on = round.dates.orders_on;
    let actor = actor(&who, &req);
    state
        .db(move |c| {
            cscms_store::rotation_rounds::approve_run(
                c,
                &actor,
                id,
                run_id,
                &order_ref,
                orders_on,
                &orders,
                Utc::now().naive_utc(),
            )
        })
        .await?;
    let row = state
        .read(move |c| cscms_store::rotation_rounds::get_run(c, id, run_id))
        .await?
        .ok_or_else(|| ApiError::Internal("approved run not found".into()))?;
    Ok(HttpResponse::Ok().json(run_view(row)?))
}

/// An officer's result in a round, and why.
#[derive(Serialize, ToSchema)]
pub struct RotationRoundResult {
    pub round_id: i64,
    pub run_id: i64,
    pub order_ref: Option<String>,
    /// The day the transfer takes effect.
    pub orders_on: NaiveDate,
    /// The one priority every ministry applied.
    pub priority_rule: String,
    /// The officer's result: where, how, and for each choice above it why it
    /// went to others (never named); null when the officer took no part.
    #[schema(value_type = Option<cscms_domain::rotation::OfficerResult>)]
    pub result: Option<serde_json::Value>,
    /// Where a representation against the result goes: the authority one
    /// level above the one that approved the allocation.
    pub representation_to: String,
}

/// An officer's result in a round
///
/// The result of the round's approved run for one officer (ROT-1): where
/// they go, which of their choices went to officers of higher priority
/// (without naming them), and the priority rule. The officer, the nodal
/// officer of their ministry and DoPT read it; 404 until a run is approved.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The officer's result", body = RotationRoundResult)))]
#[get("/employees/{code}/rotation/rounds/{id}/result")]
pub async fn officer_result(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let (code, _) =
        super::visible_employee(&state, &who, Family::RotationPreference, &code).await?;
    let round = round_for_preferences(&state, id).await?;
    let run = state
        .read(move |c| cscms_store::rotation_rounds::approved_run(c, id))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("An approved allocation of rotation round {id}"))
        })?;
    let result: serde_json::Value = run.result.get().clone();
    let mine = result["officers"]
        .as_array()
        .and_then(|all| all.iter().find(|o| o["code"] == code.as_str()))
        .cloned();
    Ok(HttpResponse::Ok().json(RotationRoundResult {
        round_id: id,
        run_id: run.id,
        order_ref: run.order_ref,
        orders_on: round.dates.orders_on,
        priority_rule: cscms_domain::rotation::PRIORITY_RULE.to_owned(),
        result: mine,
        representation_to: format!(
            "{}: POST /v1/employees/{code}/rotation/rounds/{id}/representation",
            cscms_domain::rotation::representation::REPRESENTATION_TO
        ),
    }))
}
