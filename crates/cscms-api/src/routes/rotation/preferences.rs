//! ROT-1: an eligible officer's ranked list of ministries of the other
//! group, given and changed within a round's window, and the rounds open
//! to the officer.

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::rotation::round::{check_preferences, takes_grade, Phase, RoundDates};
use cscms_domain::rotation::RotationOutcome;
use cscms_domain::scope::Op;
use cscms_store::json::Json;
use cscms_store::rotation::preferences::PreferenceRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::allocation::ministry_groups;
use super::officers::{
    eligibility, facts, officer_in_round, present_ministry, takes_part, writable,
};
use super::rounds::{RotationRound, Round};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{body_errors, ValidJson};
use crate::routes::workflow::today;
use crate::routes::{actor, utc};
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::version_tag;

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
            let Some(o) = cscms_store::rotation::preferences::officer(c, &code)? else {
                return Ok(None);
            };
            let cadre = o.placed.record.cadre;
            // Every round of the cadre not yet closed: the officer's grade
            // is judged below, and none may be left out.
            let rounds =
                cscms_store::rotation::rounds::list(c, Some(cadre), Some(as_of), None, i64::MAX)?;
            let mut out = Vec::new();
            for r in rounds {
                let given = cscms_store::rotation::preferences::preference(c, r.id, &code)?;
                out.push((r, given.map(|g| g.submitted_at)));
            }
            Ok(Some((o, out)))
        })
        .await?;
    let Some((o, rounds)) = found else {
        return Err(ApiError::not_found(format!("Employee {}", who.sub)));
    };
    let e = &o.placed.record;
    let mut items = Vec::new();
    for (row, given) in rounds {
        let round = Round::from(row);
        if !takes_grade(round.grades(), &e.grade) {
            continue;
        }
        let open = round.dates.preferences_open;
        let Some(decision) = eligibility(e, &o.history, &o.promotion, open) else {
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
    /// 0 until the list is given; the `ETag` is
    /// `"{version}-r{round version}-{phase}"`, send it in `If-Match`.
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The officer's list as it stands (read again from the store), with the
/// round's window; its `ETag` names its version, the round's and the phase.
async fn respond(
    state: &AppState,
    round: &Round,
    code: cscms_domain::employee::EmployeeCode,
) -> Result<HttpResponse, ApiError> {
    let (id, key) = (round.id(), code.clone());
    let row: Option<PreferenceRow> = state
        .read(move |c| cscms_store::rotation::preferences::preference(c, id, &key))
        .await?;
    let v = RotationPreferences {
        round_id: id,
        employee_code: code.into(),
        dates: round.dates,
        phase: round.phase(today()),
        min_preferences: round.min_preferences(),
        max_preferences: round.max_preferences(),
        version: row.as_ref().map_or(0, |r| r.version),
        submitted_at: row.as_ref().map(|r| utc(r.submitted_at)),
        updated_at: row.as_ref().map(|r| utc(r.updated_at)),
        ministries: row.map(|r| r.ministries.into_inner()).unwrap_or_default(),
    };
    // The list's version, then the round's and its phase: the view shows
    // the round's terms and where it stands, which a round amended or
    // cancelled, or the date, change without a write to the list.
    let phase = match v.phase {
        Some(Phase::Announced) => "announced",
        Some(Phase::Open) => "open",
        Some(Phase::Closed) => "closed",
        Some(Phase::Allocation) => "allocation",
        None => "ended",
    };
    let mark = format!("r{}-{phase}", round.row.version);
    Ok(HttpResponse::Ok()
        .insert_header(version_tag(v.version, Some(mark)))
        .json(v))
}

/// Read an officer's preferences in a round
///
/// The officer's ranked list in the round (empty, version 0, until given),
/// with the round's window. The officer, the nodal officer of their
/// ministry and DoPT read it.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The list; `ETag` is `\"{version}-r{round version}-{phase}\"` (version 0 before the first list)", body = RotationPreferences, headers(("ETag" = String)))))]
#[get("/employees/{code}/rotation/rounds/{id}/preferences")]
pub async fn preferences(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, _, round) = officer_in_round(&state, &who, path.into_inner()).await?;
    respond(&state, &round, code).await
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
    responses((status = 200, description = "The list as given; `ETag` names its new version, the round's and the phase", body = RotationPreferences, headers(("ETag" = String))),
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
    let (code, round, expected) = writable(&state, &who, &req, path.into_inner()).await?;
    let open = round.dates.preferences_open;
    let o = facts(&state, &code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?;
    let e = &o.placed.record;
    let hint = format!(" (see /v1/employees/{code}/rotation?as_of={open})");
    round.require_in(&o, &format!("{code} ({} {})", e.cadre, e.grade), &hint)?;
    let by_ministry = ministry_groups(&state, open).await?;
    let present = present_ministry(&o.placed).to_string();
    let list: Vec<String> = body
        .ministries
        .iter()
        .map(|m| m.trim().to_owned())
        .collect();
    let problems = check_preferences(
        &list,
        &present,
        &by_ministry,
        round.min_preferences(),
        round.max_preferences(),
    );
    if !problems.is_empty() {
        return Err(ApiError::Validation(body_errors(problems)));
    }
    let now = Utc::now().naive_utc();
    let row = PreferenceRow {
        round_id: round.id(),
        employee_code: code.clone(),
        org_id: e.org_id.clone(),
        ministries: Json::new(list)?,
        version: expected,
        submitted_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::rotation::preferences::put_preference(c, &actor, &row, expected))
        .await?;
    respond(&state, &round, code).await
}
