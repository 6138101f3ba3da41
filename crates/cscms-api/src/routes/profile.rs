//! The profile: view (JSON or PDF), update without lost updates, submit,
//! validate or return, validation rounds and the pending list (PRF-1..5).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::{is_ministry, ministry_of};
use cscms_domain::principal::Principal;
use cscms_domain::profile::{
    changed_fields, deemed_final, may_change, status::transition, ProfileAction, ProfileDoc,
    ProfileStatus,
};
use cscms_domain::scope::{visibility, Family, Op, RecordPlace, Visibility};
use cscms_store::profiles::{ProfileRecord, ProfileWrite, RoundRow};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{actor, organisations::NodalOfficer, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::{field_errors, JsonObject, ValidJson};
use crate::print::{self, verification::issue};
use crate::scope::{authorize, ensure_visible};
use crate::state::AppState;
use crate::versioning::{etag_header, if_match};

/// Why a profile counts as final without validation (PRF-2).
#[derive(Serialize, ToSchema)]
pub struct DeemedFinalView {
    pub round_id: i64,
    /// The round's deadline, when the data became final.
    pub at: DateTime<Utc>,
    /// The nodal officers answerable for the data.
    pub answerable: Vec<NodalOfficer>,
    pub reasons: Vec<ReasonView>,
}

#[derive(Serialize, ToSchema)]
pub struct ReasonView {
    #[schema(example = "PRF-2")]
    pub rule: String,
    pub citation: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    pub employee_code: String,
    pub name: String,
    pub status: ProfileStatus,
    /// Also sent as the `ETag`; send it back in `If-Match` to change the profile.
    pub version: i64,
    pub document: ProfileDoc,
    pub submitted_at: Option<DateTime<Utc>>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub validated_at: Option<DateTime<Utc>>,
    pub validated_by: Option<String>,
    /// Why the nodal officer returned it, while returned.
    pub returned_reasons: Vec<String>,
    /// Set when a validation round's deadline passed without validation.
    pub deemed_final: Option<DeemedFinalView>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Evaluate deadlines as of this instant (RFC 3339); default now.
    pub as_of: Option<DateTime<Utc>>,
}

/// Everything a profile view needs, loaded in one go.
struct Loaded {
    record: ProfileRecord,
    rounds: Vec<RoundRow>,
    officers: Vec<cscms_store::organisations::NodalOfficerRow>,
}

fn parse_code(code: &str) -> Result<EmployeeCode, ApiError> {
    EmployeeCode::parse(code).map_err(|_| ApiError::not_found(format!("Profile of {code}")))
}

/// Loads a profile the caller may see; anything else is 404.
async fn load_visible(state: &AppState, who: &Principal, code: &str) -> Result<Loaded, ApiError> {
    let parsed = parse_code(code)?;
    let key = parsed.as_str().to_owned();
    let loaded = state
        .db(move |c| {
            let Some(record) = cscms_store::profiles::load(c, &key)? else {
                return Ok(None);
            };
            let ministry =
                ministry_of(&record.employee.org_id, record.org_parent.as_deref()).to_owned();
            let officers = cscms_store::organisations::officers(c, &ministry)?
                .into_iter()
                .filter(|o| o.role == "nodal_officer")
                .collect();
            let rounds = cscms_store::profiles::rounds(c)?;
            Ok(Some(Loaded {
                record,
                rounds,
                officers,
            }))
        })
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Profile of {code}")))?;
    let (org, parent) = super::stored_place(
        &loaded.record.employee.org_id,
        loaded.record.org_parent.as_deref(),
    )?;
    let place = RecordPlace {
        org: &org,
        org_parent: parent.as_ref(),
        employee: &parsed,
        shared_with: None,
    };
    ensure_visible(who, Family::Profile, place, || format!("Profile of {code}"))?;
    Ok(loaded)
}

fn view(l: Loaded, as_of: NaiveDateTime) -> Result<ProfileView, ApiError> {
    let r = &l.record;
    let status = r.status()?;
    let rounds: Vec<_> = l.rounds.iter().map(RoundRow::rule).collect();
    let deemed = deemed_final(
        status,
        r.profile.submitted_at,
        &r.employee.org_id,
        r.org_parent.as_deref(),
        &rounds,
        as_of,
    )
    .map(|d| DeemedFinalView {
        round_id: d.outcome.round_id,
        at: utc(d.outcome.at),
        answerable: l.officers.iter().cloned().map(NodalOfficer::from).collect(),
        reasons: d
            .reasons
            .into_iter()
            .map(|x| ReasonView {
                rule: x.rule.into(),
                citation: x.citation.into(),
                text: x.text,
            })
            .collect(),
    });
    Ok(ProfileView {
        employee_code: r.employee.code.clone(),
        name: r.employee.name.clone(),
        status,
        version: r.profile.version,
        document: r.document()?,
        submitted_at: r.profile.submitted_at.map(utc),
        first_submitted_at: r.profile.first_submitted_at.map(utc),
        validated_at: r.profile.validated_at.map(utc),
        validated_by: r.profile.validated_by.clone(),
        returned_reasons: r.returned_reasons(),
        deemed_final: deemed,
        updated_at: utc(r.profile.updated_at),
        updated_by: r.profile.updated_by.clone(),
    })
}

fn respond(v: &ProfileView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v)
}

/// The profile as a print (PRF-5), with the organisation's names and the
/// service history the print shows beside the profile.
async fn print(
    state: &AppState,
    who: &Principal,
    v: &ProfileView,
) -> Result<HttpResponse, ApiError> {
    let code = v.employee_code.clone();
    let org_id = v.document.service.org_id.clone();
    let (history, org, ministry) = state
        .db(move |c| {
            let history = cscms_store::employees::history(c, &code)?;
            let org = cscms_store::organisations::get(c, &org_id)?;
            let ministry = match org.as_ref().and_then(|o| o.parent_id.clone()) {
                Some(parent) => cscms_store::organisations::get(c, &parent)?,
                None => None,
            };
            Ok((history, org, ministry))
        })
        .await?;
    let issued = issue(state, who, "profile", &v.employee_code, v.version).await?;
    let doc = print::profile::document(
        v,
        &print::profile::Context {
            org: org.as_ref(),
            ministry: ministry.as_ref(),
            history: &history,
            printed_at: issued.at,
            verification: Some(issued.code),
        },
    );
    let pdf = print::render(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .content_type("application/pdf")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Inline,
            parameters: vec![DispositionParam::Filename(format!(
                "profile-{}.pdf",
                v.employee_code
            ))],
        })
        .body(pdf))
}

/// Read a profile
///
/// An employee's profile (employee: own; nodal officer: own organisation;
/// AVD and DoPT: all). `Accept: application/pdf` gives the print (PRF-5).
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), AsOfQuery),
    responses((status = 200, description = "The profile (JSON) or its print (`Accept: application/pdf`); `ETag` is its version", headers(("ETag" = String)),
        content((ProfileView = "application/json"), (Vec<u8> = "application/pdf")))))]
#[get("/employees/{code}/profile")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<AsOfQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let loaded = load_visible(&state, &who, &code).await?;
    let as_of = q.as_of.unwrap_or_else(Utc::now).naive_utc();
    let v = view(loaded, as_of)?;
    if super::wants_pdf(&req) {
        return super::negotiated(print(&state, &who, &v).await);
    }
    super::negotiated(Ok(respond(&v)))
}

/// Print a profile (PDF)
///
/// The profile as an A4 PDF (PRF-5).
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The profile as an A4 PDF", content_type = "application/pdf", body = Vec<u8>)))]
#[get("/employees/{code}/profile.pdf")]
pub async fn get_pdf(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let loaded = load_visible(&state, &who, &code).await?;
    print(&state, &who, &view(loaded, Utc::now().naive_utc())?).await
}

fn refused(e: cscms_domain::profile::TransitionRefused) -> ApiError {
    ApiError::InvalidTransition {
        action: e.action.into(),
        current: e.current.into(),
        allowed: e.allowed.into_iter().map(str::to_owned).collect(),
    }
}

/// Keeps only the named fields of a document, for the audit's before/after.
fn pick(doc: &Value, fields: &[String]) -> Value {
    let mut out = Map::new();
    for f in fields {
        let v = match f.split_once('.') {
            Some((a, b)) => doc.get(a).and_then(|x| x.get(b)),
            None => doc.get(f.as_str()),
        };
        out.insert(f.clone(), v.cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// Change a profile (JSON merge patch)
///
/// Changes the profile with a JSON merge patch (RFC 7396). Needs `If-Match`
/// with the current `ETag`. Employees change their personal sections; the
/// nodal officer and DoPT correct the service record (see docs/profile.md).
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "A merge patch over the profile document"),
    responses(
        (status = 200, description = "The changed profile; `ETag` is its new version", body = ProfileView, headers(("ETag" = String))),
        (status = 403, description = "A changed field is not this role's to change", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The profile's status does not allow the change", body = crate::error::Problem, content_type = "application/problem+json"),
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
    let before = serde_json::to_value(&current).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut merged = before.clone();
    json_patch::merge(&mut merged, &Value::Object(patch));
    let doc: ProfileDoc = crate::extract::parse_json(merged.to_string().as_bytes())?;
    doc.validate()
        .map_err(|e| ApiError::Validation(field_errors(&e, "body")))?;
    let after = serde_json::to_value(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    let changed = changed_fields(&before, &after);
    if changed.is_empty() {
        return Ok(respond(&view(loaded, Utc::now().naive_utc())?));
    }
    let forbidden: Vec<FieldError> = changed
        .iter()
        .filter_map(|f| may_change(who.role, f).err())
        .map(|r| FieldError::new(format!("body.{}", r.field), "not_editable", r.reason))
        .collect();
    if !forbidden.is_empty() {
        return Err(ApiError::FieldsForbidden(forbidden));
    }
    if changed.iter().any(|f| f.starts_with("service.")) {
        let bad: Vec<FieldError> = doc
            .service
            .check()
            .into_iter()
            .map(|(f, m)| FieldError::new(format!("body.{f}"), "invalid", m))
            .collect();
        if !bad.is_empty() {
            return Err(ApiError::Validation(bad));
        }
    }
    let action = ProfileAction::edit_by(who.role);
    let status = transition(record.status()?, action, who.role).map_err(refused)?;
    let write = ProfileWrite {
        action: if action == ProfileAction::Correct {
            "correct"
        } else {
            "update"
        },
        status,
        before: pick(&before, &changed),
        after: pick(&after, &changed),
        doc,
        submitted_at: None,
        validated: None,
        returned_reasons: None,
    };
    let code = record.employee.code.clone();
    let new_org = write.doc.service.org_id.clone();
    let actor = actor(&who, &req);
    let saved = state
        .db(move |c| {
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
    let status = transition(record.status()?, action, who.role).map_err(refused)?;
    let doc = record.document()?;
    if action == ProfileAction::Submit {
        let missing: Vec<FieldError> = doc
            .missing_for_submission()
            .into_iter()
            .map(|f| FieldError::new(f, "required", "needed before submission"))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::Incomplete {
                detail: format!(
                    "{} required field(s) are empty; fill them and submit again.",
                    missing.len()
                ),
                errors: missing,
            });
        }
    }
    let now = Utc::now().naive_utc();
    let from = record.status()?;
    let write = ProfileWrite {
        action: action.as_str(),
        status,
        before: serde_json::json!({"status": from.as_str()}),
        after: serde_json::json!({"status": status.as_str(), "reasons": reasons}),
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
        (status = 409, description = "Not in a status that can be submitted", body = crate::error::Problem, content_type = "application/problem+json"),
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
/// The nodal officer (or DoPT) validates a submitted profile (PRF-2).
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The validated profile", body = ProfileView),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted", body = crate::error::Problem, content_type = "application/problem+json")))]
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
/// The nodal officer (or DoPT) returns a submitted profile for correction, with reasons.
#[utoipa::path(tag = "profiles", security(("bearer" = [])), request_body = ReturnRequest,
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The returned profile", body = ProfileView),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted", body = crate::error::Problem, content_type = "application/problem+json")))]
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
}

#[derive(Serialize, ToSchema)]
pub struct PendingList {
    pub items: Vec<PendingItem>,
}

/// List profiles awaiting validation
///
/// Submitted profiles awaiting validation in the caller's organisation,
/// oldest first (nodal officers; DoPT sees all).
#[utoipa::path(tag = "profiles", security(("bearer" = [])), params(AsOfQuery),
    responses((status = 200, description = "Submitted profiles, oldest first", body = PendingList),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/profiles/pending")]
pub async fn pending(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListPendingProfiles)?;
    let visibility = visibility(&who, Family::Profile);
    let (records, rounds) = state
        .db(move |c| {
            Ok((
                cscms_store::profiles::pending(c, &visibility, 1000)?,
                cscms_store::profiles::rounds(c)?,
            ))
        })
        .await?;
    let as_of = q.as_of.unwrap_or_else(Utc::now).naive_utc();
    let rules: Vec<_> = rounds.iter().map(RoundRow::rule).collect();
    let items = records
        .into_iter()
        .map(|r| {
            let deemed = deemed_final(
                ProfileStatus::Submitted,
                r.profile.submitted_at,
                &r.employee.org_id,
                r.org_parent.as_deref(),
                &rules,
                as_of,
            );
            PendingItem {
                employee_code: r.employee.code,
                name: r.employee.name,
                organisation_id: r.employee.org_id,
                submitted_at: r.profile.submitted_at.map(utc),
                deemed_final_at: deemed.map(|d| utc(d.outcome.at)),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(PendingList { items }))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    /// Nodal officers must act by this instant (RFC 3339).
    pub deadline: DateTime<Utc>,
    /// Ministries/departments the round covers; all when absent.
    #[validate(length(min = 1, max = 200))]
    pub organisations: Option<Vec<String>>,
    #[validate(length(max = 500))]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundView {
    pub id: i64,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    /// Null: all organisations.
    pub organisations: Option<Vec<String>>,
    pub note: Option<String>,
}

impl From<RoundRow> for RoundView {
    fn from(r: RoundRow) -> Self {
        Self {
            organisations: r.orgs(),
            id: r.id,
            opened_by: r.opened_by,
            opened_at: utc(r.opened_at),
            deadline: utc(r.deadline),
            note: r.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoundList {
    pub items: Vec<RoundView>,
}

/// Open a validation round
///
/// DoPT opens a validation round with a deadline (PRF-2). Audited.
#[utoipa::path(tag = "profiles", security(("bearer" = [])), request_body = NewRound,
    responses((status = 201, description = "The new round", body = RoundView),
        (status = 403, description = "Only DoPT opens rounds", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/validation-rounds")]
pub async fn open_round(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<NewRound>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::OpenValidationRound)?;
    let now = Utc::now();
    if body.deadline <= now {
        return Err(ApiError::invalid(
            "body.deadline",
            "in_past",
            "the deadline must be in the future",
        ));
    }
    let actor = actor(&who, &req);
    let orgs = body.organisations;
    let row = state
        .db(move |c| {
            if let Some(list) = &orgs {
                for (i, id) in list.iter().enumerate() {
                    let ok = cscms_store::organisations::get(c, id)?
                        .is_some_and(|o| is_ministry(o.parent_id.as_deref()));
                    if !ok {
                        return Ok(Err(i));
                    }
                }
            }
            cscms_store::profiles::open_round(
                c,
                &actor,
                body.deadline.naive_utc(),
                orgs,
                body.note,
                now.naive_utc(),
            )
            .map(Ok)
        })
        .await?
        .map_err(|i| {
            ApiError::invalid(
                &format!("body.organisations[{i}]"),
                "unknown",
                "not a ministry or department",
            )
        })?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/validation-rounds/{}", row.id)))
        .json(RoundView::from(row)))
}

/// List validation rounds
///
/// Validation rounds: DoPT sees all; a nodal officer those covering their organisation.
#[utoipa::path(tag = "profiles", security(("bearer" = [])),
    responses((status = 200, description = "The rounds the caller may see", body = RoundList),
        (status = 403, description = "Not a validating role", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/validation-rounds")]
pub async fn list_rounds(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ListValidationRounds)?;
    let rows = state.db(cscms_store::profiles::rounds).await?;
    // A nodal officer sees the rounds covering their organisation.
    let own = match visibility(&who, Family::Profile) {
        Visibility::OrgTree(org) => Some(org),
        _ => None,
    };
    let items = rows
        .into_iter()
        .filter(|r| {
            own.as_ref()
                .is_none_or(|org| r.rule().covers(org.as_str(), None))
        })
        .map(RoundView::from)
        .collect();
    Ok(HttpResponse::Ok().json(RoundList { items }))
}
