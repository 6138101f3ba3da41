//! SPO-1 in a rotation round (ROT-1): an officer of the round registers
//! their spouse, with a joint list of ministries when both are officers of
//! the round; the spouse confirms. Within the window and behind the profile
//! gate, like a list of preferences. The run posts a confirmed couple
//! together where a post is available for each at one station (paras 2, 4
//! and 5 of OM 28034/9/2009-Estt.(A)) and says why where it could not.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::rotation::round::check_joint;
use cscms_domain::rotation::JointChoice;
use cscms_domain::scope::{Family, Op};
use cscms_store::json::Json;
use cscms_store::rotation_couples::CoupleRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::rotation_rounds::{group_map, groups_in_force, round_for_preferences, Round};
use super::workflow::corrupt;
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::{body_errors, ValidJson};
use crate::gate::require_profile_submitted;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{etag_header, if_match};

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

fn respond(row: CoupleRow) -> Result<HttpResponse, ApiError> {
    let view = RotationCouple {
        round_id: row.round_id,
        joint: row.joint.into_inner(),
        confirmed: row.confirmed_at.is_some(),
        version: row.version,
        proposed_at: utc(row.proposed_at),
        confirmed_at: row.confirmed_at.map(utc),
        first: row.first_code,
        second: row.second_code,
    };
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(view.version))
        .json(view))
}

fn no_couple(id: i64, code: &str, what: &str) -> ApiError {
    ApiError::Conflict {
        code: ProblemCode::NoCouple,
        detail: format!("No couple of rotation round {id} names {code} {what} (SPO-1)."),
    }
}

/// The checks every write on a couple makes, in the order of a list of
/// preferences: the officer is visible, acts for themselves, the round
/// stands, `If-Match`, the profile gate (PRF-1), the window (ROT-1).
async fn writable(
    state: &AppState,
    who: &cscms_domain::principal::Principal,
    req: &HttpRequest,
    code: &str,
    id: i64,
) -> Result<(String, Round, i64), ApiError> {
    let (code, _) = super::visible_employee(state, who, Family::RotationPreference, code).await?;
    authorize(who, Op::SubmitRotationPreferences)?;
    let round = round_for_preferences(state, id).await?;
    round.not_cancelled()?;
    let expected = if_match(req)?;
    require_profile_submitted(state, &code).await?;
    let code = code.as_str().to_owned();
    round.window_open()?;
    Ok((code, round, expected))
}

async fn reload(state: &AppState, id: i64, code: String) -> Result<HttpResponse, ApiError> {
    let shown = code.clone();
    let row = state
        .read(move |c| cscms_store::rotation_couples::of_officer(c, id, &code))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("A couple of {shown} in rotation round {id}"))
        })?;
    respond(row)
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
    let (code, id) = path.into_inner();
    let (code, _) =
        super::visible_employee(&state, &who, Family::RotationPreference, &code).await?;
    round_for_preferences(&state, id).await?;
    reload(&state, id, code.as_str().to_owned()).await
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
    let (code, id) = path.into_inner();
    let (code, round, expected) = writable(&state, &who, &req, &code, id).await?;
    let spouse = body.spouse.trim().to_owned();
    if spouse.eq_ignore_ascii_case(&code) {
        return Err(ApiError::invalid(
            "body.spouse",
            "invalid",
            "name the spouse, not oneself",
        ));
    }
    let open = round.dates.preferences_open;
    let (mine, theirs, groups) = {
        let (a, b) = (code.clone(), spouse.clone());
        state
            .read(move |c| {
                let mut facts = Vec::new();
                for code in [a, b] {
                    // A code no employee could have names none on record.
                    let Ok(code) = EmployeeCode::parse(&code) else {
                        facts.push((None, Vec::new(), Vec::new()));
                        continue;
                    };
                    facts.push((
                        cscms_store::employees::get(c, &code)?,
                        cscms_store::employees::history(c, &code)?,
                        cscms_store::promotion_outlooks::dates(c, code.as_str())?,
                    ));
                }
                let theirs = facts.pop();
                let mine = facts.pop();
                Ok((mine, theirs, cscms_store::rotation::in_force(c, open)?))
            })
            .await?
    };
    let (me, my_history, my_promotion) = mine.ok_or_else(|| corrupt("officers read"))?;
    let (them, their_history, their_promotion) = theirs.ok_or_else(|| corrupt("officers read"))?;
    let me = me.ok_or_else(|| ApiError::not_found(format!("Employee {code}")))?;
    let them = them.ok_or_else(|| {
        ApiError::invalid(
            "body.spouse",
            "unknown",
            "no employee of the portal has this code",
        )
    })?;
    if !round.takes_in(&me.record, &my_history, &my_promotion) {
        return Err(ApiError::Conflict {
            code: ProblemCode::NotInRound,
            detail: format!(
                "Rotation round {id} is for {} {}, officers whom ROT-2 makes eligible on {}; {code} is not among them.",
                round.cadre,
                round.grades.join(", "),
                open.format("%d.%m.%Y")
            ),
        });
    }
    let both = round.takes_in(&them.record, &their_history, &their_promotion);
    if !both && !body.joint.is_empty() {
        return Err(ApiError::invalid(
            "body.joint",
            "invalid",
            "a joint list needs both spouses in the round; the spouse stays where they serve",
        ));
    }
    let groups = group_map(&groups_in_force(groups, open)?);
    let present = |p: &cscms_store::employees::Placed<cscms_store::employees::EmployeeRow>| {
        p.org_parent
            .clone()
            .unwrap_or_else(|| p.record.org_id.clone())
    };
    let (my_ministry, their_ministry) = (present(&me), present(&them));
    let problems = check_joint(
        &body.joint,
        [my_ministry.as_str(), their_ministry.as_str()],
        &groups,
        u32::try_from(round.row.max_preferences).unwrap_or(0),
    );
    if !problems.is_empty() {
        return Err(ApiError::Validation(body_errors(problems)));
    }
    let now = Utc::now().naive_utc();
    let row = CoupleRow {
        round_id: id,
        first_code: code.clone(),
        second_code: them.record.code.to_string(),
        first_org: me.record.org_id.to_string(),
        second_org: them.record.org_id.to_string(),
        joint: Json::new(body.joint.clone())?,
        version: expected,
        proposed_at: now,
        confirmed_at: None,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::rotation_couples::propose(c, &actor, &row, expected))
        .await?;
    reload(&state, id, code).await
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
    let (code, id) = path.into_inner();
    let (code, _, expected) = writable(&state, &who, &req, &code, id).await?;
    let actor = actor(&who, &req);
    let (key, now) = (code.clone(), Utc::now().naive_utc());
    let done = state
        .db(move |c| cscms_store::rotation_couples::confirm(c, &actor, id, &key, expected, now))
        .await?;
    if !done {
        return Err(no_couple(id, &code, "as the spouse to confirm it"));
    }
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
    let (code, id) = path.into_inner();
    let (code, _, expected) = writable(&state, &who, &req, &code, id).await?;
    let actor = actor(&who, &req);
    let key = code.clone();
    let done = state
        .db(move |c| cscms_store::rotation_couples::withdraw(c, &actor, id, &key, expected))
        .await?;
    if !done {
        return Err(no_couple(id, &code, "as a spouse"));
    }
    Ok(HttpResponse::NoContent().finish())
}
