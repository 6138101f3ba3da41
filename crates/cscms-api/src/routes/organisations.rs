//! Ministries, departments and the bodies under them.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::organisation::{is_ministry, OrgId, OrgKind};
use cscms_domain::principal::Principal;
use cscms_domain::scope::{sees_organisation, Family, Op, OrgPlace};
use cscms_store::organisations::{NewOrg, OrgRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::scope::{authorize, authorize_for};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    #[schema(example = "MHA")]
    pub id: String,
    #[schema(example = "Ministry of Home Affairs")]
    pub name: String,
    pub kind: OrgKind,
    /// The ministry or department a sub-organisation belongs to.
    pub parent_id: Option<String>,
    pub state: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrgRow> for Organisation {
    fn from(r: OrgRow) -> Self {
        Self {
            kind: r.kind,
            id: r.id.into(),
            name: r.name,
            parent_id: r.parent_id.map(String::from),
            state: r.state,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    pub items: Vec<Organisation>,
}

#[derive(Serialize, ToSchema)]
pub struct NodalOfficer {
    pub name: String,
    pub designation: String,
    pub email: String,
    #[schema(example = "nodal_officer")]
    pub role: String,
}

impl From<cscms_store::organisations::NodalOfficerRow> for NodalOfficer {
    fn from(o: cscms_store::organisations::NodalOfficerRow) -> Self {
        Self {
            name: o.name,
            designation: o.designation,
            email: o.email,
            role: o.role.as_str().to_owned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationDetail {
    #[serde(flatten)]
    pub organisation: Organisation,
    /// Active nodal (or sub-nodal) officers: the officers answerable for its data (PRF-2).
    pub officers: Vec<NodalOfficer>,
    /// Sub-organisations under a ministry or department.
    pub children: Vec<Organisation>,
}

/// List organisations
///
/// Organisations the caller may see: central roles and employees see all;
/// officers see their own organisation, its parent and its children.
#[utoipa::path(tag = "organisations", security(("bearer" = [])),
    responses((status = 200, description = "The organisations the caller may see", body = OrganisationList)))]
#[get("/organisations")]
pub async fn list(Auth(who): Auth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = state.db(cscms_store::organisations::list).await?;
    let mut items = Vec::new();
    for r in &rows {
        if visible(&who, r, &rows) {
            items.push(Organisation::from(r.clone()));
        }
    }
    Ok(HttpResponse::Ok().json(OrganisationList { items }))
}

/// Whether the caller sees the organisation `r` of `all` (the scope rule
/// needs its children: officers of a body also see the ministry above it).
fn visible(who: &Principal, r: &OrgRow, all: &[OrgRow]) -> bool {
    let children: Vec<OrgId> = all
        .iter()
        .filter(|c| c.parent_id.as_ref() == Some(&r.id))
        .map(|c| c.id.clone())
        .collect();
    let place = OrgPlace {
        id: &r.id,
        parent: r.parent_id.as_ref(),
        children: &children,
    };
    sees_organisation(who, Family::Organisation, place)
}

/// Read an organisation
///
/// One organisation with its officers and sub-organisations.
#[utoipa::path(tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id, e.g. MHA")),
    responses((status = 200, description = "The organisation with its officers and sub-organisations", body = OrganisationDetail)))]
#[get("/organisations/{id}")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let key = id.clone();
    let found = state
        .db(move |c| {
            let all = cscms_store::organisations::list(c)?;
            let Some(org) = all.iter().find(|o| o.id.as_str() == key).cloned() else {
                return Ok(None);
            };
            let officers = cscms_store::organisations::officers(c, &org.id)?;
            Ok(Some((org, officers, all)))
        })
        .await?;
    let (org, officers, all) =
        found.ok_or_else(|| ApiError::not_found(format!("Organisation {id}")))?;
    if !visible(&who, &org, &all) {
        return Err(ApiError::not_found(format!("Organisation {id}")));
    }
    let mut children = Vec::new();
    for c in all.iter().filter(|c| c.parent_id.as_ref() == Some(&org.id)) {
        if visible(&who, c, &all) {
            children.push(Organisation::from(c.clone()));
        }
    }
    Ok(HttpResponse::Ok().json(OrganisationDetail {
        organisation: org.into(),
        officers: officers.into_iter().map(NodalOfficer::from).collect(),
        children,
    }))
}

/// A new ministry, department or sub-organisation (DoPT only).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// 2-32 of A-Z, 0-9 and '-'; sub-organisations conventionally `PARENT-CODE`.
    #[schema(example = "MOCA", pattern = "^[A-Z0-9][A-Z0-9-]{1,31}$")]
    #[validate(custom(function = "valid_org_id"))]
    pub id: String,
    #[schema(
        example = "Ministry of Civil Aviation",
        min_length = 3,
        max_length = 200
    )]
    #[validate(length(min = 3, max = 200))]
    pub name: String,
    pub kind: OrgKind,
    /// Required for PSUs, autonomous bodies and attached offices; absent otherwise.
    pub parent_id: Option<String>,
    /// The State or Union Territory it is in, by its name or an official
    /// spelling of it (`NCT of Delhi`); kept by its name.
    #[schema(example = "Delhi", min_length = 2, max_length = 60)]
    #[validate(length(min = 2, max = 60))]
    pub state: Option<String>,
}

/// The State or UT an organisation is in, by its one name
/// (`cscms_domain::place`); a name that is none of India's is refused.
fn known_state(given: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let found = cscms_domain::place::state_or_ut(given);
    if found.is_none() {
        errors.push(FieldError::new(
            "body.state",
            "unknown_state",
            "a State or Union Territory of India, e.g. Delhi or Karnataka",
        ));
    }
    found.map(str::to_owned)
}

fn valid_org_id(id: &str) -> Result<(), validator::ValidationError> {
    OrgId::parse(id)
        .map(drop)
        .map_err(|e| validator::ValidationError::new("invalid").with_message(e.to_string().into()))
}

/// Create an organisation
///
/// Creates an organisation. Audited.
#[utoipa::path(tag = "organisations", security(("bearer" = [])), request_body = NewOrganisation,
    responses(
        (status = 201, description = "The new organisation; `Location` names it", body = Organisation, headers(("Location" = String))),
        (status = 403, description = "Only DoPT creates organisations", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken, or another ministry or department has the name (`already_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/organisations")]
pub async fn create(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<NewOrganisation>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::CreateOrganisation)?;
    let mut errors = Vec::new();
    match (body.kind.needs_parent(), &body.parent_id) {
        (true, None) => errors.push(FieldError::new(
            "body.parent_id",
            "required",
            format!("a {} belongs to a ministry or department", body.kind),
        )),
        (false, Some(_)) => errors.push(FieldError::new(
            "body.parent_id",
            "not_allowed",
            format!("a {} has no parent", body.kind),
        )),
        _ => {}
    }
    let place = body.state.as_deref().map(|s| known_state(s, &mut errors));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let actor = actor(&who, &req);
    let unknown_parent = || {
        ApiError::invalid(
            "body.parent_id",
            "unknown_parent",
            "no ministry or department has this id",
        )
    };
    let new = NewOrg {
        id: checked_org_id(&body.id)?,
        name: body.name.trim().to_owned(),
        kind: body.kind,
        // An id no organisation could have names no parent.
        parent_id: body
            .parent_id
            .as_deref()
            .map(OrgId::parse)
            .transpose()
            .map_err(|_| unknown_parent())?,
        state: place.flatten(),
    };
    let created = state
        .db(move |c| {
            if let Some(parent) = &new.parent_id {
                let ok = cscms_store::organisations::get(c, parent)?
                    .is_some_and(|p| is_ministry(p.parent_id.as_ref()));
                if !ok {
                    return Ok(Err(()));
                }
            }
            cscms_store::organisations::create(c, &actor, new).map(Ok)
        })
        .await?
        .map_err(|()| unknown_parent())?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/organisations/{}", created.id)))
        .json(Organisation::from(created)))
}

/// A body's organisation id as the domain type (`valid_org_id` has
/// checked it; the parse is the same rule).
fn checked_org_id(id: &str) -> Result<OrgId, ApiError> {
    OrgId::parse(id).map_err(|e| ApiError::invalid("body.id", "invalid", e.to_string()))
}

/// The sub-nodal officer of an onboarded organisation.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubNodalOfficer {
    /// The officer's e-Parichay subject: the `sub` of their tokens.
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "sub-nodal-officer.mha-nisa"
    )]
    pub sub: String,
    #[validate(length(min = 3, max = 200))]
    #[schema(min_length = 3, max_length = 200, example = "Anil Kumar")]
    pub name: String,
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Deputy Director (Admin)")]
    pub designation: String,
    #[validate(email)]
    #[schema(format = "email", example = "dd.admin@nisa.gov.in")]
    pub email: String,
}

/// A PSU, autonomous body or attached office to onboard under a ministry (DEP-1).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubOrganisation {
    /// 2-32 of A-Z, 0-9 and '-'; conventionally `PARENT-CODE`.
    #[schema(example = "MHA-NISA", pattern = "^[A-Z0-9][A-Z0-9-]{1,31}$")]
    #[validate(custom(function = "valid_org_id"))]
    pub id: String,
    #[schema(
        example = "National Industrial Security Academy",
        min_length = 3,
        max_length = 200
    )]
    #[validate(length(min = 3, max = 200))]
    pub name: String,
    /// `psu`, `autonomous_body` or `attached_office`.
    pub kind: OrgKind,
    /// The State or Union Territory it is in, by its name or an official
    /// spelling of it; kept by its name.
    #[schema(example = "Telangana", min_length = 2, max_length = 60)]
    #[validate(length(min = 2, max = 60))]
    pub state: String,
    #[validate(nested)]
    pub officer: NewSubNodalOfficer,
}

/// Onboard a sub-organisation
///
/// The nodal officer of a ministry or department onboards a PSU, autonomous
/// body or attached office under it, with its sub-nodal officer (DEP-1). Audited.
#[utoipa::path(tag = "organisations", security(("bearer" = [])), request_body = NewSubOrganisation,
    params(("id" = String, Path, description = "The ministry or department, e.g. MHA")),
    responses(
        (status = 201, description = "The new organisation; `Location` names it", body = OrganisationDetail, headers(("Location" = String))),
        (status = 403, description = "Only the nodal officer of this ministry onboards under it", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id or the officer's subject is taken, or another body under the ministry has the name (`already_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/organisations/{id}/sub-organisations")]
pub async fn onboard(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<NewSubOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let parent_id = id.into_inner();
    let key = parent_id.clone();
    let all = state.db(cscms_store::organisations::list).await?;
    let not_found = || ApiError::not_found(format!("Organisation {parent_id}"));
    let parent = all
        .iter()
        .find(|o| o.id.as_str() == key)
        .cloned()
        .ok_or_else(not_found)?;
    if !visible(&who, &parent, &all) {
        return Err(not_found());
    }
    authorize_for(&who, Op::OnboardSubOrganisation, &parent.id)?;
    let mut errors = Vec::new();
    if !is_ministry(parent.parent_id.as_ref()) {
        errors.push(FieldError::new(
            "path.id",
            "not_a_ministry",
            "organisations are onboarded under a ministry or department",
        ));
    }
    if !body.kind.needs_parent() {
        errors.push(FieldError::new(
            "body.kind",
            "invalid",
            "a psu, autonomous_body or attached_office",
        ));
    }
    let place = known_state(&body.state, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let actor = actor(&who, &req);
    let now = Utc::now().naive_utc();
    let new = NewOrg {
        id: checked_org_id(&body.id)?,
        name: body.name.trim().to_owned(),
        kind: body.kind,
        parent_id: Some(parent.id),
        state: place,
    };
    let officer = cscms_store::organisations::NewNodalOfficer {
        org_id: new.id.clone(),
        sub: body.officer.sub.trim().to_owned(),
        name: body.officer.name.trim().to_owned(),
        designation: body.officer.designation.trim().to_owned(),
        email: body.officer.email.trim().to_owned(),
        role: cscms_domain::scope::officer_role(true),
        active: true,
        created_at: now,
    };
    let (org, officer) = state
        .db(move |c| cscms_store::organisations::onboard(c, &actor, new, officer))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/organisations/{}", org.id)))
        .json(OrganisationDetail {
            organisation: org.into(),
            officers: vec![officer.into()],
            children: Vec::new(),
        }))
}
