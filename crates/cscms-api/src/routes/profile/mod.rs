//! The profile: read (JSON or PDF) here; the change without lost updates
//! ([`edit`]), the status moves and the validation queue ([`validation`]),
//! and the validation rounds as their own resource ([`rounds`]) (PRF-1..5).

mod edit;
mod rounds;
mod validation;

pub use edit::*;
pub use rounds::*;
pub use validation::*;

use actix_web::http::header::{
    ContentDisposition, DispositionParam, DispositionType, HeaderName, HeaderValue,
};
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::{ministry_of, OrgId};
use cscms_domain::principal::Principal;
use cscms_domain::profile::{deemed_final, ProfileDoc, ProfileStatus, TransitionRefused};
use cscms_domain::scope::{Family, RecordPlace};
use cscms_store::profiles::{ProfileRecord, RoundRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{organisations::NodalOfficer, utc};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::print::{self, verification::issue};
use crate::scope::ensure_visible;
use crate::state::AppState;
use crate::versioning::version_tag;

/// Why a profile, or an organisation's working strength, counts as final
/// without validation (PRF-2, PRF-3).
#[derive(Serialize, ToSchema)]
pub struct DeemedFinalView {
    pub round_id: i64,
    /// The round's deadline, when the data became final.
    pub at: DateTime<Utc>,
    /// The nodal officers answerable for the data.
    pub answerable: Vec<NodalOfficer>,
    pub reasons: Vec<ReasonView>,
}

impl DeemedFinalView {
    /// The mark an `ETag` carries while the data stands final,
    /// `final-{digest}`: the deadline moved the view with no write, so a
    /// copy read before must not be answered 304.
    pub(crate) fn mark(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{}{}",
            cscms_domain::profile::FINAL_MARK,
            crate::http_cache::digest_of(&bytes)
        )
    }

    /// The view of a decision that data stands final, naming `officers`.
    pub(crate) fn new(
        d: cscms_domain::decision::Decision<cscms_domain::profile::DeemedFinal>,
        officers: &[cscms_store::organisations::NodalOfficerRow],
    ) -> Self {
        Self {
            round_id: d.outcome.round_id,
            at: utc(d.outcome.at),
            answerable: officers.iter().cloned().map(NodalOfficer::from).collect(),
            reasons: ReasonView::all(d.reasons),
        }
    }
}

impl ReasonView {
    /// A decision's reasons as the API shows them.
    pub(crate) fn all(reasons: Vec<cscms_domain::decision::Reason>) -> Vec<Self> {
        reasons
            .into_iter()
            .map(|x| ReasonView {
                rule: x.rule.into(),
                citation: x.citation.into(),
                text: x.text,
            })
            .collect()
    }
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
    /// Sent as the `ETag` (with a mark of `deemed_final` when set); send the
    /// `ETag` back in `If-Match` to change the profile.
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
    let key = parsed.clone();
    let loaded = state
        .db(move |c| {
            let Some(record) = cscms_store::profiles::load(c, &key)? else {
                return Ok(None);
            };
            let ministry = ministry_of(&record.employee.org_id, record.org_parent.as_ref()).clone();
            // The profile names the ministry's nodal officers as its validators.
            let officers = cscms_store::organisations::nodal_officers(c, &ministry)?;
            let rounds = cscms_store::profiles::rounds(c)?;
            Ok(Some(Loaded {
                record,
                rounds,
                officers,
            }))
        })
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Profile of {code}")))?;
    let place = RecordPlace {
        org: &loaded.record.employee.org_id,
        org_parent: loaded.record.org_parent.as_ref(),
        employee: &parsed,
        shared_with: None,
    };
    ensure_visible(who, Family::Profile, place, || format!("Profile of {code}"))?;
    Ok(loaded)
}

fn view(l: Loaded, as_of: NaiveDateTime) -> Result<ProfileView, ApiError> {
    let r = &l.record;
    let status = r.status();
    let rounds: Vec<_> = l.rounds.iter().map(RoundRow::rule).collect();
    let deemed = deemed_final(
        status,
        r.profile.submitted_at,
        r.employee.org_id.as_str(),
        r.org_parent.as_ref().map(OrgId::as_str),
        &rounds,
        as_of,
    )
    .map(|d| DeemedFinalView::new(d, &l.officers));
    Ok(ProfileView {
        employee_code: r.employee.code.to_string(),
        name: r.employee.name.clone(),
        status,
        version: r.profile.version,
        document: r.document()?,
        submitted_at: r.profile.submitted_at.map(utc),
        first_submitted_at: r.profile.first_submitted_at.map(utc),
        validated_at: r.profile.validated_at.map(utc),
        validated_by: r.profile.validated_by.clone(),
        // The reasons of the last return stay on record (the audit trail
        // keeps each), but are shown only while the profile stands returned.
        returned_reasons: if status == ProfileStatus::Returned {
            r.returned_reasons()
        } else {
            Vec::new()
        },
        deemed_final: deemed,
        updated_at: utc(r.profile.updated_at),
        updated_by: r.profile.updated_by.clone(),
    })
}

/// The employee and organisation of a loaded profile, as stored.
fn stored_ids(l: &Loaded) -> (EmployeeCode, OrgId) {
    (
        l.record.employee.code.clone(),
        l.record.employee.org_id.clone(),
    )
}

/// The profile's `ETag`: its version, which every change moves on, and once
/// a round's deadline has taken it as final (PRF-2) a fingerprint of that
/// too, `"{version}-final-{digest}"`: the view changed with no write, so a
/// copy read before must not be answered 304. A change names it in
/// `If-Match`; its version is what guards the change.
fn tag(v: &ProfileView) -> (HeaderName, HeaderValue) {
    version_tag(
        v.version,
        v.deemed_final.as_ref().map(DeemedFinalView::mark),
    )
}

fn respond(v: &ProfileView) -> HttpResponse {
    HttpResponse::Ok().insert_header(tag(v)).json(v)
}

/// The profile as a print (PRF-5), with the organisation's names and the
/// service history the print shows beside the profile.
async fn print(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    v: &ProfileView,
    (code, org_id): (EmployeeCode, OrgId),
) -> Result<HttpResponse, ApiError> {
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
    let issued = issue(state, who, req, ("profile", &v.employee_code, v.version)).await?;
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
        .insert_header(tag(v))
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
    responses((status = 200, description = "The profile (JSON) or its print (`Accept: application/pdf`); `ETag` is its version, and once a round's deadline has taken it as final (PRF-2) `\"{version}-final-{digest}\"`", headers(("ETag" = String)),
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
    let stored = stored_ids(&loaded);
    let as_of = q.as_of.unwrap_or_else(Utc::now).naive_utc();
    let v = view(loaded, as_of)?;
    if super::wants_pdf(&req) {
        return super::negotiated(print(&state, &who, &req, &v, stored).await);
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
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let loaded = load_visible(&state, &who, &code).await?;
    let stored = stored_ids(&loaded);
    let v = view(loaded, Utc::now().naive_utc())?;
    print(&state, &who, &req, &v, stored).await
}

/// A move the status does not allow: 409 with what the role could do instead.
fn refused(e: TransitionRefused) -> ApiError {
    if e.never_by_role {
        return ApiError::forbidden(format!(
            "This role does not {} a profile.",
            e.action.replace('_', " ")
        ));
    }
    ApiError::InvalidTransition {
        action: e.action.into(),
        current: e.current.into(),
        allowed: e.allowed.into_iter().map(str::to_owned).collect(),
    }
}
