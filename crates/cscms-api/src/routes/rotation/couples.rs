//! SPO-1 in a rotation round (ROT-1): an officer of the round registers
//! their spouse, with a joint list of ministries when both are officers of
//! the round; the spouse confirms. Within the window and behind the profile
//! gate, like a list of preferences. The run posts a confirmed couple
//! together where a post is available for each at one station (paras 2, 4
//! and 5 of OM 28034/9/2009-Estt.(A)) and says why where it could not.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::principal::Principal;
use cscms_domain::rotation::round::check_joint;
use cscms_domain::rotation::JointChoice;
use cscms_store::audit::Actor;
use cscms_store::json::Json;
use cscms_store::rotation::couples::CoupleRow;
use cscms_store::{DbConn, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::allocation::ministry_groups;
use super::officers::{facts, officer_in_round, present_ministry, writable};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::{body_errors, ValidJson};
use crate::routes::{actor, utc};
use crate::state::AppState;
use crate::versioning::etag_header;

/// The spouse an officer of a round registers, and their joint list.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoupleRegistration {
    /// The spouse's employee code.
    #[validate(length(min = 3, max = 32))]
    #[schema(min_length = 3, max_length = 32, example = "CSS-000002")]
    pub spouse: String,
    /// Pairs of ministries, most wanted first: `first` for the caller,
    /// `second` for the spouse, each of the group other than that spouse's
    /// present ministry. Only when the spouse is an officer of the round
    /// too; empty, pairs at one station are taken from the two lists.
    #[validate(length(max = 30))]
    #[schema(max_items = 30)]
    pub joint: Vec<JointChoice>,
}

/// A couple of a rotation round.
#[derive(Serialize, ToSchema)]
pub struct RotationCouple {
    pub round_id: i64,
    /// The officer who registered the couple and gave the joint list.
    pub first: String,
    /// The spouse, who confirms it.
    pub second: String,
    pub joint: Vec<JointChoice>,
    /// Only a confirmed couple is allocated together.
    pub confirmed: bool,
    /// Also the `ETag`.
    pub version: i64,
    pub proposed_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

fn respond(row: CoupleRow) -> HttpResponse {
    let view = RotationCouple {
        round_id: row.round_id,
        joint: row.joint.into_inner(),
        confirmed: row.confirmed_at.is_some(),
        version: row.version,
        proposed_at: utc(row.proposed_at),
        confirmed_at: row.confirmed_at.map(utc),
        first: row.first_code.into(),
        second: row.second_code.into(),
    };
    HttpResponse::Ok()
        .insert_header(etag_header(view.version))
        .json(view)
}

/// The couple the officer is in, as it now stands; 404 when in none.
async fn reload(state: &AppState, id: i64, code: EmployeeCode) -> Result<HttpResponse, ApiError> {
    let key = code.clone();
    state
        .read(move |c| cscms_store::rotation::couples::of_officer(c, id, &key))
        .await?
        .map(respond)
        .ok_or_else(|| ApiError::not_found(format!("A couple of {code} in rotation round {id}")))
}

/// A spouse's step on the couple they are in (confirm, withdraw): the
/// checks of every write in a round, then `step` at the version read. No
/// couple for the step (`Ok(false)` from the store) is 409 `no_couple`,
/// `what` saying as what the officer was looked for.
async fn couple_step<S>(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    path: (String, i64),
    step: S,
    what: &str,
) -> Result<(EmployeeCode, i64), ApiError>
where
    S: FnOnce(&mut DbConn, &Actor, i64, &EmployeeCode, i64) -> Result<bool, StoreError>
        + Send
        + 'static,
{
    let (code, round, expected) = writable(state, who, req, path).await?;
    let (id, key, actor) = (round.id(), code.clone(), actor(who, req));
    if !state
        .db(move |c| step(c, &actor, id, &key, expected))
        .await?
    {
        return Err(ApiError::Conflict {
            code: ProblemCode::NoCouple,
            detail: format!("No couple of rotation round {id} names {code} {what} (SPO-1)."),
        });
    }
    Ok((code, id))
}

/// Read an officer's couple in a round
///
/// The couple the officer is in (as either spouse), its joint list and
/// whether it is confirmed. The officer, the nodal officer of their
/// ministry and DoPT read it; 404 when the officer is in none.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The couple; `ETag` is its version", body = RotationCouple, headers(("ETag" = String)))))]
#[get("/employees/{code}/rotation/rounds/{id}/couple")]
pub async fn get_couple(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, _, round) = officer_in_round(&state, &who, path.into_inner()).await?;
    reload(&state, round.id(), code).await
}

/// Register one's spouse in a round
///
/// An officer of the round names their spouse (SPO-1) and, when the spouse
/// is an officer of the round too, a joint list of pairs of ministries.
/// Replaces the couple the officer is in; the spouse must confirm it
/// again. Within the window, after submitting the profile, `If-Match`
/// (`"0"` when in no couple). Audited under both spouses' organisations.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = CoupleRegistration,
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the couple read (\"0\" when in none)")),
    responses((status = 200, description = "The couple, to be confirmed by the spouse; `ETag` is its version", body = RotationCouple, headers(("ETag" = String))),
        (status = 403, description = "Only the officer registers their spouse", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Outside the window (`preference_window_closed`), profile not submitted (`profile_not_submitted`), not in the round (`not_in_round`), the spouse in another couple (`already_exists`), cancelled (`round_cancelled`), no ministry groups (`no_ministry_groups`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The spouse unknown or oneself; a pair of the own group, twice, too many, or a joint list with a spouse outside the round", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/employees/{code}/rotation/rounds/{id}/couple")]
pub async fn register(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    ValidJson(body): ValidJson<CoupleRegistration>,
) -> Result<HttpResponse, ApiError> {
    let (code, round, expected) = writable(&state, &who, &req, path.into_inner()).await?;
    let spouse = body.spouse.trim().to_owned();
    if spouse.eq_ignore_ascii_case(code.as_str()) {
        return Err(ApiError::invalid(
            "body.spouse",
            "invalid",
            "name the spouse, not oneself",
        ));
    }
    let me = facts(&state, &code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?;
    // A code no employee could have names none on record.
    let unknown = || {
        ApiError::invalid(
            "body.spouse",
            "unknown",
            "no employee of the portal has this code",
        )
    };
    let spouse = EmployeeCode::parse(&spouse).map_err(|_| unknown())?;
    let them = facts(&state, &spouse).await?.ok_or_else(unknown)?;
    round.require_in(&me, code.as_str(), "")?;
    let both = round.takes_in(&them);
    if !both && !body.joint.is_empty() {
        return Err(ApiError::invalid(
            "body.joint",
            "invalid",
            "a joint list needs both spouses in the round; the spouse stays where they serve",
        ));
    }
    let open = round.dates.preferences_open;
    let groups = ministry_groups(&state, open).await?;
    let problems = check_joint(
        &body.joint,
        [
            present_ministry(&me.placed).as_str(),
            present_ministry(&them.placed).as_str(),
        ],
        &groups,
        round.max_preferences(),
    );
    if !problems.is_empty() {
        return Err(ApiError::Validation(body_errors(problems)));
    }
    let now = Utc::now().naive_utc();
    let row = CoupleRow {
        round_id: round.id(),
        first_code: code.clone(),
        second_code: them.placed.record.code,
        first_org: me.placed.record.org_id,
        second_org: them.placed.record.org_id,
        joint: Json::new(body.joint)?,
        version: expected,
        proposed_at: now,
        confirmed_at: None,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::rotation::couples::propose(c, &actor, &row, expected))
        .await?;
    reload(&state, round.id(), code).await
}

/// Confirm a couple in a round
///
/// The spouse named by an officer of the round confirms the couple and its
/// joint list at the version read (SPO-1); only a confirmed couple is
/// allocated together. Within the window, after submitting the profile.
/// Audited under both spouses' organisations.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code of the spouse named"), ("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the couple read")),
    responses((status = 200, description = "The confirmed couple", body = RotationCouple, headers(("ETag" = String))),
        (status = 403, description = "Only the spouse named confirms", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No couple names the officer as spouse (`no_couple`), outside the window (`preference_window_closed`), profile not submitted (`profile_not_submitted`), cancelled (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/rotation/rounds/{id}/couple/confirm")]
pub async fn confirm(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now().naive_utc();
    let step = move |c: &mut DbConn, a: &Actor, id, code: &EmployeeCode, v| {
        cscms_store::rotation::couples::confirm(c, a, id, code, v, now)
    };
    let path = path.into_inner();
    let (code, id) = couple_step(
        &state,
        &who,
        &req,
        path,
        step,
        "as the spouse to confirm it",
    )
    .await?;
    reload(&state, id, code).await
}

/// Withdraw a couple in a round
///
/// Either spouse withdraws the couple at the version read; each is then
/// allocated as a single officer. Within the window, after submitting the
/// profile. Audited under both spouses' organisations.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code of either spouse"), ("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the couple read")),
    responses((status = 204, description = "Withdrawn"),
        (status = 403, description = "Only a spouse withdraws", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The officer is in no couple (`no_couple`), outside the window (`preference_window_closed`), profile not submitted (`profile_not_submitted`), cancelled (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/rotation/rounds/{id}/couple/withdraw")]
pub async fn withdraw(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let step = cscms_store::rotation::couples::withdraw;
    couple_step(&state, &who, &req, path, step, "as a spouse").await?;
    Ok(HttpResponse::NoContent().finish())
}
