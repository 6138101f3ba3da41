//! Areas of interest (AOI-1): DoPT's competency catalogue linked to iGOT
//! courses, each employee's ranked choice with deep links to the courses,
//! and the training demand the choices make for DoPT, nodal officers and
//! iGOT (`interests:read`).

use std::collections::BTreeMap;

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::interests::{self, Kind, Known, Level, NodeShape};
use cscms_domain::scope::{visibility, Family, Op};
use cscms_store::interests::{AreaRow, InterestRow, InterestSet};
use cscms_store::json::Json;
use cscms_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{actor, utc, visible_employee};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{body_errors, ValidJson};
use crate::gate::require_profile_submitted;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{etag_header, if_match, version_tag};

/// An iGOT course and where it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Course {
    #[schema(example = "do_3135912371232112641")]
    pub id: String,
    /// The deep link: `{CSCMS_IGOT_BASE_URL}/app/toc/{id}/overview`.
    #[schema(
        example = "https://portal.igotkarmayogi.gov.in/app/toc/do_3135912371232112641/overview"
    )]
    pub url: String,
}

/// One node of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct AreaView {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: Level,
    pub kind: Kind,
    pub name: String,
    pub description: Option<String>,
    /// The iGOT courses linked to this node.
    pub courses: Vec<Course>,
    /// Withdrawn nodes stay for the choices already made but cannot be chosen anew.
    pub active: bool,
    /// Also the version `If-Match` names when changing the node.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct Catalogue {
    pub items: Vec<AreaView>,
}

fn courses(base: &str, ids: &[String]) -> Vec<Course> {
    ids.iter()
        .map(|id| Course {
            id: id.clone(),
            url: interests::course_link(base, id),
        })
        .collect()
}

fn course_ids(row: &AreaRow) -> Result<Vec<String>, ApiError> {
    Ok(row.course_ids.get().clone())
}

fn area_view(base: &str, row: AreaRow) -> Result<AreaView, ApiError> {
    Ok(AreaView {
        courses: courses(base, &course_ids(&row)?),
        level: row.level,
        kind: row.kind,
        id: row.id,
        parent_id: row.parent_id,
        name: row.name,
        description: row.description,
        active: row.active,
        version: row.version,
        updated_at: utc(row.updated_at),
    })
}

/// Read the competency catalogue
///
/// Areas, themes and sub-themes with their iGOT courses as deep links
/// (AOI-1). Reference data: any authenticated caller.
#[utoipa::path(tag = "interests", security(("bearer" = [])),
    responses((status = 200, description = "The catalogue, by id", body = Catalogue)))]
#[get("/interests/catalogue")]
pub async fn get_catalogue(
    _who: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rows = state.db(cscms_store::interests::catalogue).await?;
    let base = state.services.igot_base_url.clone();
    let items = rows
        .into_iter()
        .map(|r| area_view(&base, r))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Catalogue { items }))
}

/// Read one catalogue node
///
/// One node of the competency catalogue (AOI-1), with its `ETag`: the
/// version a change (`PUT`) names in `If-Match`. People of the service,
/// and integration clients with `interests:read` (iGOT, told of changes by
/// the feed).
#[utoipa::path(tag = "interests", security(("bearer" = [])),
    params(("id" = String, Path, description = "Node id")),
    responses((status = 200, description = "The node; `ETag` is its version", body = AreaView, headers(("ETag" = String))),
        (status = 403, description = "An integration client without interests:read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such node", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/interests/catalogue/{id}")]
pub async fn get_area(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadCatalogueNode)?;
    let id = id.into_inner();
    let row = state
        .read(move |c| cscms_store::interests::area(c, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("catalogue node"))?;
    let v = area_view(&state.services.igot_base_url, row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// A node of the catalogue as DoPT enters it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    /// The node above: none for an area, an area for a theme, a theme for a sub-theme.
    pub parent_id: Option<String>,
    pub level: Level,
    pub kind: Kind,
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Written communication")]
    pub name: String,
    #[validate(length(min = 3, max = 2000))]
    #[schema(min_length = 3, max_length = 2000)]
    pub description: Option<String>,
    /// iGOT course ids, each 3-64 letters, digits or '_'.
    #[schema(max_items = 100, example = json!(["do_3135912371232112641"]))]
    pub course_ids: Vec<String>,
    /// False withdraws the node from new choices; true when absent.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// Enter or change a catalogue node
///
/// DoPT creates (`If-Match: "0"`) or changes (`If-Match` the version read) a
/// node of the competency catalogue (AOI-1). Audited.
#[utoipa::path(tag = "interests", security(("bearer" = [])), request_body = AreaInput,
    params(("id" = String, Path, description = "Node id: 2-60 of a-z, 0-9, '.', '_', '-'"),
        ("If-Match" = String, Header, description = "`\"0\"` to create; otherwise the ETag of the version read")),
    responses((status = 200, description = "The node as stored; `ETag` is its version", body = AreaView, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT maintains the catalogue", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read (or exists, for `\"0\"`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/interests/catalogue/{id}")]
pub async fn put_area(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<AreaInput>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::EditCompetencyCatalogue)?;
    let id = id.into_inner();
    if !interests::valid_node_id(&id) {
        return Err(ApiError::invalid(
            "path.id",
            "invalid",
            "2-60 of a-z, 0-9, '.', '_', '-'",
        ));
    }
    let expected = if_match(&req)?;
    if body.parent_id.as_deref() == Some(id.as_str()) {
        return Err(ApiError::invalid(
            "body.parent_id",
            "invalid",
            "a node is not its own parent",
        ));
    }
    let now = Utc::now().naive_utc();
    let course_list: Vec<String> = body
        .course_ids
        .iter()
        .map(|c| c.trim().to_owned())
        .collect();
    let row = AreaRow {
        id,
        parent_id: body.parent_id.clone(),
        level: body.level,
        kind: body.kind,
        name: body.name.trim().to_owned(),
        description: body.description.map(|d| d.trim().to_owned()),
        course_ids: Json::new(course_list.clone())?,
        active: body.active,
        version: 0,
        updated_by: who.sub.clone(),
        updated_at: now,
    };
    let (level, kind, named) = (body.level, body.kind, body.parent_id.is_some());
    let actor = actor(&who, &req);
    // The parent is read in the write's own transaction: a node cannot be
    // hung under one changed meanwhile.
    let outcome = state
        .db(move |c| {
            let mut refused = None;
            let shape = |p: &cscms_store::interests::AreaRow| NodeShape {
                level: p.level,
                kind: p.kind,
            };
            let stored =
                cscms_store::interests::put_area(c, &actor, row, expected, |parent, children| {
                    let mut errors =
                        interests::check_node(level, kind, named, parent.map(shape), &course_list);
                    let below: Vec<NodeShape> = children.iter().map(shape).collect();
                    errors.append(interests::check_children(level, kind, &below));
                    if errors.is_empty() {
                        Ok(())
                    } else {
                        refused = Some(errors);
                        Err(StoreError::Conflict("catalogue node refused".into()))
                    }
                });
            match (stored, refused) {
                (_, Some(errors)) => Ok(Err(errors)),
                (Ok(row), None) => Ok(Ok(row)),
                (Err(e), None) => Err(e),
            }
        })
        .await?;
    let stored = outcome.map_err(|errors| ApiError::validation(body_errors(errors)))?;
    let v = area_view(&state.services.igot_base_url, stored)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(v.version))
        .json(v))
}

/// One ranked area with the courses that serve it.
#[derive(Serialize, ToSchema)]
pub struct ChosenArea {
    /// 1 is the first choice.
    pub rank: i32,
    pub area_id: String,
    pub name: String,
    pub level: Level,
    pub kind: Kind,
    /// Names from the area down to this node.
    pub path: Vec<String>,
    pub note: Option<String>,
    /// iGOT courses of this node and of the nodes under it.
    pub courses: Vec<Course>,
}

/// An employee's areas of interest.
#[derive(Serialize, ToSchema)]
pub struct InterestsView {
    pub employee_code: String,
    /// The `ETag`'s version, 0 until first recorded (with areas chosen, the
    /// tag adds a fingerprint of them as the catalogue names them:
    /// `"{version}-c{digest}"`).
    pub version: i64,
    /// How many areas may be ranked (`CSCMS_MAX_INTEREST_AREAS`).
    pub max_areas: usize,
    pub items: Vec<ChosenArea>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn interests_view(
    base: &str,
    max_areas: usize,
    code: &str,
    set: InterestSet,
    catalogue: &[AreaRow],
) -> Result<InterestsView, ApiError> {
    let mut items = Vec::new();
    for item in set.items {
        let (node, path) = cscms_store::interests::place(catalogue, &item.area_id)?;
        // The node and everything under it (at most two levels down).
        let mut ids = course_ids(node)?;
        for child in catalogue
            .iter()
            .filter(|a| a.parent_id.as_deref() == Some(&node.id))
        {
            ids.extend(course_ids(child)?);
            for grandchild in catalogue
                .iter()
                .filter(|a| a.parent_id.as_deref() == Some(&child.id))
            {
                ids.extend(course_ids(grandchild)?);
            }
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        items.push(ChosenArea {
            rank: item.rank,
            level: node.level,
            kind: node.kind,
            name: node.name.clone(),
            area_id: item.area_id,
            path,
            note: item.note,
            courses: courses(base, &ids),
        });
    }
    Ok(InterestsView {
        employee_code: code.to_owned(),
        version: set.version,
        max_areas,
        items,
        updated_at: set.updated_at.map(utc),
    })
}

async fn respond(state: &AppState, code: String) -> Result<HttpResponse, ApiError> {
    let key = code.clone();
    let (set, catalogue) = state
        .db(move |c| {
            let set = cscms_store::interests::interests(c, &key)?;
            Ok((set, cscms_store::interests::catalogue(c)?))
        })
        .await?;
    let v = interests_view(
        &state.services.igot_base_url,
        state.services.max_interest_areas,
        &code,
        set,
        &catalogue,
    )?;
    // The areas' names, places and courses come from the catalogue, which
    // DoPT changes without a write to the list: a fingerprint of them
    // follows the list's version, so a copy read before is not 304.
    let mark = (!v.items.is_empty()).then(|| {
        let bytes = serde_json::to_vec(&v.items).unwrap_or_default();
        format!("c{}", crate::http_cache::digest_of(&bytes))
    });
    Ok(HttpResponse::Ok()
        .insert_header(version_tag(v.version, mark))
        .json(v))
}

/// Read an employee's areas of interest
///
/// The ranked areas with the iGOT courses for each (AOI-1): the employee,
/// their nodal officer, DoPT, and iGOT with `interests:read`.
#[utoipa::path(tag = "interests", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The ranked areas; `ETag` is the version", body = InterestsView, headers(("ETag" = String)))))]
#[get("/employees/{code}/interests")]
pub async fn get_interests(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (code, _) = visible_employee(&state, &who, Family::Interest, &code).await?;
    respond(&state, code.as_str().to_owned()).await
}

/// One choice, in rank order.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestInput {
    #[schema(example = "behavioural.communication")]
    pub area_id: String,
    #[validate(length(min = 1, max = 500))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Drafting notes and cabinet papers"
    )]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestsUpdate {
    /// The whole choice, first choice first; replaces what was recorded.
    #[validate(nested, length(max = 20))]
    #[schema(max_items = 20)]
    pub items: Vec<InterestInput>,
}

/// Record one's areas of interest
///
/// The employee ranks up to `max_areas` areas from the catalogue, each with
/// a note (AOI-1). Needs a submitted profile (PRF-1) and `If-Match` (`"0"`
/// the first time). Audited.
#[utoipa::path(tag = "interests", security(("bearer" = [])), request_body = InterestsUpdate,
    params(("code" = String, Path, description = "Employee code"),
        ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The ranked areas as recorded; `ETag` is the new version", body = InterestsView, headers(("ETag" = String))),
        (status = 403, description = "Only the employee records their interests", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The profile has not been submitted (`profile_not_submitted`, PRF-1)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/employees/{code}/interests")]
pub async fn put_interests(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    ValidJson(body): ValidJson<InterestsUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (code, employee) = visible_employee(&state, &who, Family::Interest, &code).await?;
    authorize(&who, Op::EditOwnInterests)?;
    require_profile_submitted(&state, &code).await?;
    let code = code.as_str().to_owned();
    let expected = if_match(&req)?;
    let catalogue = state.db(cscms_store::interests::catalogue).await?;
    let ids: Vec<String> = body
        .items
        .iter()
        .map(|i| i.area_id.trim().to_owned())
        .collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let notes: Vec<Option<&str>> = body.items.iter().map(|i| i.note.as_deref()).collect();
    let errors =
        interests::check_choice(&id_refs, &notes, state.services.max_interest_areas, |id| {
            match catalogue.iter().find(|a| a.id == id) {
                Some(a) if a.active => Known::Active,
                Some(_) => Known::Withdrawn,
                None => Known::Unknown,
            }
        });
    if !errors.is_empty() {
        return Err(ApiError::validation(body_errors(errors)));
    }
    let rows: Vec<InterestRow> = body
        .items
        .iter()
        .zip(&ids)
        .enumerate()
        .map(|(i, (item, id))| InterestRow {
            employee_code: code.clone(),
            area_id: id.clone(),
            rank: i32::try_from(i + 1).unwrap_or(i32::MAX),
            note: item
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        })
        .collect();
    let actor = actor(&who, &req);
    let key = code.clone();
    let org = employee.org_id.to_string();
    state
        .db(move |c| {
            cscms_store::interests::replace_interests(
                c,
                &actor,
                &key,
                &org,
                expected,
                rows,
                Utc::now().naive_utc(),
            )
        })
        .await?;
    respond(&state, code).await
}

/// Employees who chose an area, by grade and ministry.
#[derive(Serialize, ToSchema)]
pub struct DemandRow {
    pub area_id: String,
    pub area_name: String,
    pub grade: String,
    /// The ministry or department (a body under one counts with it).
    pub ministry_id: String,
    pub employees: i64,
}

/// Employees who chose an area, in all.
#[derive(Serialize, ToSchema)]
pub struct AreaDemand {
    pub area_id: String,
    pub area_name: String,
    pub employees: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Demand {
    /// By area, most wanted first.
    pub by_area: Vec<AreaDemand>,
    /// By area, grade and ministry.
    pub rows: Vec<DemandRow>,
}

/// Training demand by area, grade and ministry
///
/// How many employees chose each area, by grade and ministry (AOI-1):
/// DoPT sees all, a nodal officer their ministry and the bodies under it,
/// iGOT (`interests:read`) all.
#[utoipa::path(tag = "interests", security(("bearer" = [])),
    responses((status = 200, description = "The demand", body = Demand),
        (status = 403, description = "Only DoPT, nodal officers and iGOT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/interests/demand")]
pub async fn demand(Auth(who): Auth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadInterestDemand)?;
    let visible = visibility(&who, Family::Interest);
    let (rows, catalogue) = state
        .db(move |c| {
            Ok((
                cscms_store::interests::demand_rows(c, &visible)?,
                cscms_store::interests::catalogue(c)?,
            ))
        })
        .await?;
    let name = |id: &str| {
        catalogue
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let mut cells: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    let mut areas: BTreeMap<String, i64> = BTreeMap::new();
    for (area, grade, org, parent) in rows {
        *areas.entry(area.clone()).or_default() += 1;
        *cells
            .entry((area, grade, parent.unwrap_or(org)))
            .or_default() += 1;
    }
    let mut by_area: Vec<AreaDemand> = areas
        .into_iter()
        .map(|(area_id, employees)| AreaDemand {
            area_name: name(&area_id),
            area_id,
            employees,
        })
        .collect();
    by_area.sort_by(|a, b| {
        b.employees
            .cmp(&a.employees)
            .then(a.area_id.cmp(&b.area_id))
    });
    let rows = cells
        .into_iter()
        .map(|((area_id, grade, ministry_id), employees)| DemandRow {
            area_name: name(&area_id),
            area_id,
            grade,
            ministry_id,
            employees,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Demand { by_area, rows }))
}
