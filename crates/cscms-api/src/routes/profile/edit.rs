//! Changing a profile with a JSON merge patch (PRF-1, PRF-2, PRF-4): the
//! decision is the domain's (`profile::edit`); here the patch is read, the
//! version checked and the change stored.

use actix_web::{patch, web, HttpRequest, HttpResponse};
use chrono::Utc;
use cscms_domain::organisation::OrgId;
use cscms_domain::profile::{self, EditRefused, ProfileAction, ProfileDoc};
use cscms_domain::scope::Op;
use cscms_store::profiles::ProfileWrite;

use super::{load_visible, refused, respond, view, Loaded, ProfileView};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::{body_errors, JsonObject};
use crate::routes::actor;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::if_match;

/// Change a profile (JSON merge patch)
///
/// Changes the profile with a JSON merge patch (RFC 7396). Needs `If-Match`
/// with the current `ETag`. Employees change their personal sections and
/// declare changes to their service details (`service_declared`, taken into
/// the record when the profile is validated); the nodal officer and DoPT
/// correct the service record (see docs/profile.md).
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"),
        ("If-Match" = String, Header, description = "The ETag of the profile the change is based on (its version guards the change)")),
    request_body(content = ProfileDoc, content_type = "application/merge-patch+json",
        description = "A JSON merge patch (RFC 7396) over the profile document (`ProfileDocPatch`): only the members to change"),
    responses(
        (status = 200, description = "The changed profile; `ETag` is its new version", body = ProfileView, headers(("ETag" = String))),
        (status = 403, description = "A changed field is not this role's to change", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The profile's status does not allow the change (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The profile changed since it was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/employees/{code}/profile")]
pub async fn update(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    req: HttpRequest,
    JsonObject(patch): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let loaded = load_visible(&state, &who, &code).await?;
    authorize(&who, Op::ChangeProfile)?;
    let expected = if_match(&req)?;
    let record = &loaded.record;
    if expected != record.profile.version {
        return Err(ApiError::PreconditionFailed);
    }
    let current = record.document()?;
    let merged = profile::edit::merge(&current, &patch)
        .map_err(|e| ApiError::Internal(format!("profile document: {e}")))?;
    let doc = crate::extract::parse_json::<ProfileDoc>(merged.to_string().as_bytes())?.tidied();
    let today = crate::clearance::today();
    let bad = doc.check(today);
    if !bad.is_empty() {
        let mut errors = body_errors(bad);
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(ApiError::Validation(errors));
    }
    let change = match profile::edit(who.role, record.status(), &current, &doc, today) {
        Ok(Some(change)) => change,
        Ok(None) => return Ok(respond(&view(loaded, Utc::now().naive_utc())?)),
        Err(e) => return Err(edit_refused(e)),
    };
    let write = ProfileWrite {
        action: if change.action == ProfileAction::Correct {
            "correct"
        } else {
            "update"
        },
        status: change.status,
        before: change.before,
        after: change.after,
        doc,
        submitted_at: None,
        validated: None,
        returned_reasons: None,
    };
    let code = record.employee.code.clone();
    // An id no organisation could have names none.
    let new_org = OrgId::parse(&write.doc.service.org_id).ok();
    let actor = actor(&who, &req);
    let saved = state
        .db(move |c| {
            let Some(new_org) = new_org else {
                return Ok(None);
            };
            if cscms_store::organisations::get(c, &new_org)?.is_none() {
                return Ok(None);
            }
            cscms_store::profiles::write(c, &actor, &code, expected, write, Utc::now().naive_utc())
                .map(Some)
        })
        .await?
        .ok_or_else(|| {
            ApiError::invalid("body.service.org_id", "unknown", "no such organisation")
        })?;
    let loaded = Loaded {
        record: saved,
        ..loaded
    };
    Ok(respond(&view(loaded, Utc::now().naive_utc())?))
}

/// A refused change as a problem: 403 naming each field not the caller's,
/// 422 for a service record out of shape, 409 for the status.
fn edit_refused(e: EditRefused) -> ApiError {
    match e {
        EditRefused::Fields(fields) => ApiError::FieldsForbidden(
            fields
                .into_iter()
                .map(|r| FieldError::new(format!("body.{}", r.field), "not_editable", r.reason))
                .collect(),
        ),
        EditRefused::Service(bad) => ApiError::Validation(
            bad.into_iter()
                .map(|(f, m)| FieldError::new(format!("body.{f}"), "invalid", m))
                .collect(),
        ),
        EditRefused::Status(r) => refused(r),
        EditRefused::Document(e) => ApiError::Internal(format!("profile document: {e}")),
    }
}
