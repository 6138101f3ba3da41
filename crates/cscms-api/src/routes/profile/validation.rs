//! A profile's status moves — submit (PRF-1), validate or return (PRF-2) —
//! and the queue of profiles awaiting validation.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::profile::{
    deemed_final, may_return, status::transition, PendingCursor, ProfileAction, ProfileStatus,
};
use cscms_domain::scope::{visibility, Family, Op};
use cscms_store::profiles::{ProfileWrite, RoundRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{load_visible, refused, respond, view, Loaded, ProfileView, ReasonView};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::ValidJson;
use crate::routes::{actor, utc};
use crate::scope::authorize;
use crate::state::AppState;

/// Applies a status move with no change to the document.
async fn move_status(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    code: &str,
    action: ProfileAction,
    reasons: Option<Vec<String>>,
) -> Result<HttpResponse, ApiError> {
    let loaded = load_visible(state, who, code).await?;
    authorize(who, Op::ChangeProfile)?;
    let record = &loaded.record;
    let status = transition(record.status(), action, who.role).map_err(refused)?;
    let now = Utc::now().naive_utc();
    if action == ProfileAction::Return {
        let rounds: Vec<_> = loaded.rounds.iter().map(RoundRow::rule).collect();
        may_return(
            record.status(),
            record.profile.submitted_at,
            record.employee.org_id.as_str(),
            record.org_parent.as_ref().map(OrgId::as_str),
            &rounds,
            now,
        )
        .map_err(|d| ApiError::Conflict {
            code: ProblemCode::DeemedFinal,
            detail: format!(
                "The profile was taken as final at the deadline of validation round {} (PRF-2): correct its data or validate it; it is not returned.",
                d.outcome.round_id
            ),
        })?;
    }
    let doc = record.document()?;
    // PRF-1, PRF-2: a profile is submitted, and validated, only complete; a
    // correction since submission may have emptied a required field.
    if matches!(action, ProfileAction::Submit | ProfileAction::Validate) {
        let missing: Vec<FieldError> = doc
            .missing_for_submission()
            .into_iter()
            .map(|f| FieldError::new(f, "required", "needed before submission"))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::Incomplete {
                detail: format!(
                    "{} required field(s) are empty; {}.",
                    missing.len(),
                    if action == ProfileAction::Submit {
                        "fill them and submit again"
                    } else {
                        "return the profile to the employee to fill them"
                    }
                ),
                errors: missing,
            });
        }
    }
    let from = record.status();
    let mut before = serde_json::json!({"status": from.as_str()});
    let mut after = serde_json::json!({"status": status.as_str(), "reasons": reasons});
    // Seed 000 §2, PRF-2: validating takes the employee's declared service
    // details into the record, if they still make one that holds together.
    let doc = match (action, &doc.service_declared) {
        (ProfileAction::Validate, Some(declared)) => {
            let bad = declared.check(&doc.service, crate::clearance::today());
            if !bad.is_empty() {
                return Err(ApiError::Validation(
                    bad.into_iter()
                        .map(|(f, m)| FieldError::new(f, "invalid", m))
                        .collect(),
                ));
            }
            let taken = doc.clone().with_declaration_taken();
            before["service"] = serde_json::to_value(&doc.service)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            after["service"] = serde_json::to_value(&taken.service)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            taken
        }
        _ => doc,
    };
    let write = ProfileWrite {
        action: action.as_str(),
        status,
        before,
        after,
        doc,
        submitted_at: (action == ProfileAction::Submit).then_some(Some(now)),
        validated: (action == ProfileAction::Validate).then(|| (now, who.sub.clone())),
        returned_reasons: reasons,
    };
    let (code, version) = (record.employee.code.clone(), record.profile.version);
    let actor = actor(who, req);
    let saved = state
        .db(move |c| cscms_store::profiles::write(c, &actor, &code, version, write, now))
        .await?;
    let loaded = Loaded {
        record: saved,
        ..loaded
    };
    Ok(respond(&view(loaded, now)?))
}

/// Submit a profile
///
/// The employee submits the profile (PRF-1): refused with every missing
/// field until it is complete.
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The submitted profile", body = ProfileView),
        (status = 403, description = "Not the employee's own profile", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in a status that can be submitted (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required fields missing (code `incomplete`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/profile/submit")]
pub async fn submit(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    move_status(&state, &who, &req, &code, ProfileAction::Submit, None).await
}

/// Validate a profile
///
/// The nodal officer (or DoPT) validates a submitted profile (PRF-2), only
/// complete (as submitting needs it, PRF-1). Service details the employee
/// declared (`service_declared`) take the record's place (the CSCMS OM of 15.11.2022, para 2).
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The validated profile", body = ProfileView),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required fields are empty (`incomplete`): a correction since submission emptied them, return the profile instead; or the declared service details no longer make a record that holds together (`validation_failed`, naming each `service_declared` field): correct or clear them", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/profile/validate")]
pub async fn validate(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    move_status(&state, &who, &req, &code, ProfileAction::Validate, None).await
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What the employee must correct; at least one reason.
    #[validate(length(min = 1, max = 20), custom(function = "non_blank"))]
    #[schema(min_items = 1, max_items = 20)]
    pub reasons: Vec<String>,
}

fn non_blank(reasons: &[String]) -> Result<(), validator::ValidationError> {
    if reasons
        .iter()
        .all(|r| (3..=500).contains(&r.trim().chars().count()))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid")
            .with_message("each reason 3-500 characters".into()))
    }
}

/// Return a profile for correction
///
/// The nodal officer (or DoPT) returns a submitted profile for correction,
/// with reasons; not once it is taken as final at a validation round's
/// deadline (PRF-2: `409 deemed_final`; correct or validate it instead).
#[utoipa::path(tag = "profiles", security(("bearer" = [])), request_body = ReturnRequest,
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The returned profile", body = ProfileView),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted (`invalid_transition`), or taken as final at a round's deadline (`deemed_final`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/profile/return")]
pub async fn return_for_correction(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    req: HttpRequest,
    ValidJson(body): ValidJson<ReturnRequest>,
) -> Result<HttpResponse, ApiError> {
    let reasons = body
        .reasons
        .into_iter()
        .map(|r| r.trim().to_owned())
        .collect();
    move_status(
        &state,
        &who,
        &req,
        &code,
        ProfileAction::Return,
        Some(reasons),
    )
    .await
}

#[derive(Serialize, ToSchema)]
pub struct PendingItem {
    pub employee_code: String,
    pub name: String,
    pub organisation_id: String,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Set once a round's deadline has passed: the data stands as final.
    pub deemed_final_at: Option<DateTime<Utc>>,
    /// Why it stands final (PRF-2), each reason with its rule and order;
    /// empty while it does not.
    pub deemed_final_reasons: Vec<ReasonView>,
}

#[derive(Serialize, ToSchema)]
pub struct PendingList {
    pub items: Vec<PendingItem>,
    /// The next page, when there is one (also in `Link`).
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    /// Evaluate deadlines as of this instant (RFC 3339); default now. The
    /// `next` link keeps the instant of the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// List profiles awaiting validation
///
/// Submitted profiles awaiting validation in the caller's organisation,
/// oldest first, a page at a time (nodal officers; DoPT sees all).
#[utoipa::path(tag = "profiles", security(("bearer" = [])), params(PendingQuery),
    responses((status = 200, description = "Submitted profiles, oldest first; `Link` names the next page", body = PendingList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/profiles/pending")]
pub async fn pending(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<PendingQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListPendingProfiles)?;
    let q = q.into_inner();
    let visibility = visibility(&who, Family::Profile);
    let (limit, after) =
        crate::routes::paging::page_of(q.limit, q.cursor.as_deref(), PendingCursor::parse)?;
    let (records, rounds) = state
        .db(move |c| {
            Ok((
                cscms_store::profiles::pending(
                    c,
                    &visibility,
                    after.as_ref(),
                    crate::routes::paging::fetch(limit),
                )?,
                cscms_store::profiles::rounds(c)?,
            ))
        })
        .await?;
    let (records, more) = crate::routes::paging::split(records, limit);
    let given = q.as_of.unwrap_or_else(Utc::now);
    let next = match (more, records.last()) {
        (true, Some(last)) => {
            // A submitted profile has its time; without one the page
            // could not be continued, and stopping would hide the rest.
            let cursor = last
                .profile
                .submitted_at
                .and_then(|submitted_at| {
                    PendingCursor {
                        submitted_at,
                        code: last.employee.code.clone(),
                    }
                    .text()
                })
                .ok_or_else(|| {
                    ApiError::Internal(format!(
                        "profile of {} submitted with no time to page from",
                        last.employee.code
                    ))
                })?;
            let next = PendingQuery {
                as_of: Some(given),
                cursor: Some(cursor),
                limit: Some(limit),
            };
            crate::routes::paging::next_link("/v1/profiles/pending", &next)
        }
        _ => None,
    };
    let as_of = given.naive_utc();
    let rules: Vec<_> = rounds.iter().map(RoundRow::rule).collect();
    let items = records
        .into_iter()
        .map(|r| {
            let deemed = deemed_final(
                ProfileStatus::Submitted,
                r.profile.submitted_at,
                r.employee.org_id.as_str(),
                r.org_parent.as_ref().map(OrgId::as_str),
                &rules,
                as_of,
            );
            let (deemed_final_at, deemed_final_reasons) = match deemed {
                Some(d) => (Some(utc(d.outcome.at)), ReasonView::all(d.reasons)),
                None => (None, Vec::new()),
            };
            PendingItem {
                employee_code: r.employee.code.into(),
                name: r.employee.name,
                organisation_id: r.employee.org_id.into(),
                submitted_at: r.profile.submitted_at.map(utc),
                deemed_final_at,
                deemed_final_reasons,
            }
        })
        .collect();
    Ok(crate::routes::paging::respond(
        next.clone(),
        &PendingList { items, next },
    ))
}
