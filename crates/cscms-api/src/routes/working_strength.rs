//! PRF-3: working strength per organisation × cadre × grade.

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use cscms_domain::cadre::{self, Cadre};
use cscms_domain::organisation::{ministry_of, OrgId};
use cscms_domain::principal::Principal;
use cscms_domain::profile::{strength_deemed_final, Round};
use cscms_domain::scope::{Family, Op, OrgPlace};
use cscms_domain::working_strength::{in_position_by_post, Precondition};
use cscms_store::working_strength::{Entry, SetRow, WorkingStrength};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::profile::{AsOfQuery, DeemedFinalView};
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::scope::{authorize, ensure_org_record};
use crate::state::AppState;
use crate::versioning::{if_match_tag, tag_header};

#[derive(Serialize, ToSchema)]
pub struct StrengthRow {
    pub cadre: Cadre,
    pub grade: String,
    pub grade_name: String,
    /// Posts sanctioned, as entered by the nodal officer (null: not entered).
    pub sanctioned: Option<i32>,
    /// Employees of the organisation in this cadre and grade, with those in
    /// its non-functional scale, who hold its posts (`SO_NFS` under `SO`).
    pub in_position: i64,
    /// Sanctioned less in position; negative means in excess.
    pub vacancies: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkingStrengthView {
    pub organisation_id: String,
    /// The version of the sanctioned entries; 0 until first entered. The
    /// `ETag` is this version and a fingerprint of the counts in position.
    pub version: i64,
    pub rows: Vec<StrengthRow>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
    pub validated_at: Option<DateTime<Utc>>,
    pub validated_by: Option<String>,
    /// Set when a validation round covering the organisation closed with
    /// its figures not validated (PRF-2, PRF-3): they are taken as final
    /// and its nodal officers are answerable, until the nodal officer
    /// validates them; a change without validating does not end it. A body
    /// under a ministry answers only for figures entered for it.
    pub deemed_final: Option<DeemedFinalView>,
}

/// An organisation's working strength with what decides whether it stands
/// taken as final: the validation rounds and the nodal officers of its
/// ministry, who answer for it (PRF-2).
struct Loaded {
    org: OrgId,
    parent: Option<OrgId>,
    ws: WorkingStrength,
    rounds: Vec<Round>,
    officers: Vec<cscms_store::organisations::NodalOfficerRow>,
}

impl Loaded {
    /// Reads beside `ws` what its view needs.
    fn read(
        c: &mut cscms_store::DbConn,
        org: OrgId,
        parent: Option<OrgId>,
        ws: WorkingStrength,
    ) -> Result<Self, cscms_store::StoreError> {
        let rounds = cscms_store::profiles::rounds(c)?
            .iter()
            .map(cscms_store::profiles::RoundRow::rule)
            .collect();
        let officers =
            cscms_store::organisations::nodal_officers(c, ministry_of(&org, parent.as_ref()))?;
        Ok(Self {
            org,
            parent,
            ws,
            rounds,
            officers,
        })
    }
}

fn view(l: Loaded, as_of: NaiveDateTime) -> WorkingStrengthView {
    let deemed = strength_deemed_final(
        l.ws.set.is_some(),
        l.ws.set
            .as_ref()
            .map(SetRow::validation)
            .unwrap_or_default(),
        l.org.as_str(),
        l.parent.as_ref().map(OrgId::as_str),
        &l.rounds,
        as_of,
    )
    .map(|d| DeemedFinalView::new(d, &l.officers));
    let (org, ws) = (&l.org, l.ws);
    let mut rows = Vec::new();
    let held = in_position_by_post(&ws.in_position);
    // A non-functional scale has no posts of its own: its officers are
    // counted in position in the functional grade's row.
    for g in cadre::grades()
        .iter()
        .filter(|g| cadre::functional_grade(&g.code) == g.code)
    {
        let sanctioned = ws
            .sanctioned
            .iter()
            .find(|e| e.cadre == g.cadre && e.grade == g.code)
            .map(|e| e.sanctioned);
        let in_position = held
            .get(&(g.cadre.as_str(), g.code.clone()))
            .copied()
            .unwrap_or(0);
        if sanctioned.is_none() && in_position == 0 {
            continue;
        }
        rows.push(StrengthRow {
            cadre: g.cadre,
            grade: g.code.clone(),
            grade_name: g.name.clone(),
            sanctioned,
            in_position,
            vacancies: sanctioned.map(|s| i64::from(s) - in_position),
        });
    }
    let set = ws.set;
    WorkingStrengthView {
        organisation_id: org.to_string(),
        version: set.as_ref().map_or(0, |s| s.version),
        rows,
        updated_at: set.as_ref().map(|s| utc(s.updated_at)),
        updated_by: set.as_ref().map(|s| s.updated_by.clone()),
        validated_at: set.as_ref().and_then(|s| s.validated_at.map(utc)),
        validated_by: set.and_then(|s| s.validated_by),
        deemed_final: deemed,
    }
}

/// The organisation whose strength the caller may `op`: 404 where
/// `GET /organisations/{id}` is 404 too; 403 where the organisation is
/// seen but its strength is not the caller's business (PRF-3: its nodal
/// officer, or the ministry's for a body under it, AVD and DoPT).
async fn visible_org(
    state: &AppState,
    who: &Principal,
    id: &str,
    op: Op,
) -> Result<(OrgId, Option<OrgId>), ApiError> {
    let not_found = || ApiError::not_found(format!("Organisation {id}"));
    let key = OrgId::parse(id).map_err(|_| not_found())?;
    let (row, children) = state
        .db(move |c| {
            let Some(row) = cscms_store::organisations::get(c, &key)? else {
                return Ok(None);
            };
            let children = cscms_store::organisations::children(c, &row.id)?;
            Ok(Some((row, children)))
        })
        .await?
        .ok_or_else(not_found)?;
    let place = OrgPlace {
        id: &row.id,
        parent: row.parent_id.as_ref(),
        children: &children,
    };
    ensure_org_record(who, Family::WorkingStrength, op, place, || {
        format!("Organisation {id}")
    })?;
    Ok((row.id, row.parent_id))
}

/// Read working strength
///
/// Sanctioned, in-position and vacancies per cadre and grade (PRF-3). The
/// `ETag` names both the version of the sanctioned entries and who is in
/// position, so it changes when an employee joins, leaves or changes grade
/// as well as when the entries are changed: a `GET` with `If-None-Match` is
/// answered 304 only while the figures shown are still those. A validation
/// round covering the organisation sets the stipulated time for the nodal
/// officer to validate them: once its deadline passes with the figures as
/// they then stood not validated, they are taken as final and the view
/// names the nodal officers answerable (`deemed_final`, PRF-2), and the
/// `ETag` carries a mark of it (`-final-{digest}`) until they are validated.
#[utoipa::path(tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id"), AsOfQuery),
    responses((status = 200, description = "Sanctioned, in position and vacant per cadre and grade; `ETag` names the version of the sanctioned entries and the counts in position, and whether they stand taken as final", body = WorkingStrengthView, headers(("ETag" = String))),
        (status = 403, description = "The organisation is seen but its working strength is read only by its nodal officer (or its ministry's), AVD and DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/organisations/{id}/working-strength")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org, parent) = visible_org(&state, &who, &id, Op::ReadWorkingStrength).await?;
    let loaded = state
        .db(move |c| {
            let ws = cscms_store::working_strength::get(c, &org)?;
            Loaded::read(c, org, parent, ws)
        })
        .await?;
    let as_of = q.as_of.unwrap_or_else(Utc::now).naive_utc();
    respond(loaded, as_of)
}

/// The view with its `ETag`, which names everything the view shows: the
/// figures, and once they stand taken as final a fingerprint of that too
/// (the deadline moves the view with no write, so a copy read before must
/// not be answered 304).
fn respond(l: Loaded, as_of: NaiveDateTime) -> Result<HttpResponse, ApiError> {
    let tag = l.ws.tag();
    let v = view(l, as_of);
    let tag = match &v.deemed_final {
        None => tag.to_string(),
        Some(d) => format!("{tag}-{}", d.mark()),
    };
    Ok(HttpResponse::Ok().insert_header(tag_header(tag)).json(v))
}

#[derive(Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrengthEntry {
    pub cadre: Cadre,
    #[schema(example = "SO")]
    pub grade: String,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub sanctioned: i32,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrengthUpdate {
    /// The whole sanctioned strength; replaces what was entered before.
    #[validate(nested, length(max = 64))]
    pub entries: Vec<StrengthEntry>,
    /// The nodal officer validates the figures with this change (PRF-3);
    /// DoPT, which may enter them, may not validate them (403).
    #[serde(default)]
    pub validated: bool,
}

/// Enter sanctioned strength
///
/// The nodal officer (or DoPT) enters the sanctioned strength; only the
/// nodal officer validates it (PRF-3). Needs `If-Match`: either the `ETag`
/// read, which holds only while neither the sanctioned entries nor the
/// counts in position have changed (the nodal officer validates the two
/// together: after an employee joins, leaves or changes grade, read again
/// and retry), or the `version` of the sanctioned entries alone (`"0"` the
/// first time), which holds while nobody else has entered them. Audited.
#[utoipa::path(tag = "organisations", security(("bearer" = [])), request_body = StrengthUpdate,
    params(("id" = String, Path, description = "Organisation id"),
        ("If-Match" = String, Header, description = "The `ETag` read, or the `version` of the sanctioned entries (`\"0\"` the first time)")),
    responses((status = 200, description = "The working strength as entered; `ETag` names its new version", body = WorkingStrengthView, headers(("ETag" = String))),
        (status = 403, description = "Only the organisation's nodal officer (or its ministry's) or DoPT enters working strength, and only the nodal officer validates it (`validated`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read: the sanctioned entries, or (for the `ETag` read) the counts in position; read again", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/organisations/{id}/working-strength")]
pub async fn replace(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
    ValidJson(body): ValidJson<StrengthUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (org, parent) = visible_org(&state, &who, &id, Op::EditWorkingStrength).await?;
    if body.validated {
        authorize(&who, Op::ValidateWorkingStrength)?;
    }
    let expected = Precondition::parse(&if_match_tag(&req)?).ok_or(ApiError::PreconditionFailed)?;
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, e) in body.entries.iter().enumerate() {
        if cadre::grade(e.cadre, &e.grade).is_err() {
            errors.push(FieldError::new(
                format!("body.entries[{i}].grade"),
                "invalid",
                format!("not a grade of {}", e.cadre),
            ));
        } else if cadre::functional_grade(&e.grade.to_ascii_uppercase())
            != e.grade.to_ascii_uppercase()
        {
            errors.push(FieldError::new(
                format!("body.entries[{i}].grade"),
                "invalid",
                format!(
                    "a non-functional scale has no posts of its own: its officers hold posts of {}",
                    cadre::functional_grade(&e.grade.to_ascii_uppercase())
                ),
            ));
        } else if !seen.insert((e.cadre, e.grade.to_ascii_uppercase())) {
            errors.push(FieldError::new(
                format!("body.entries[{i}]"),
                "duplicate",
                "cadre and grade given twice",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let entries: Vec<Entry> = body
        .entries
        .into_iter()
        .map(|e| Entry {
            org_id: org.clone(),
            cadre: e.cadre,
            grade: e.grade.to_ascii_uppercase(),
            sanctioned: e.sanctioned,
        })
        .collect();
    let actor = actor(&who, &req);
    let validated = body.validated;
    let now = Utc::now().naive_utc();
    let loaded = state
        .db(move |c| {
            let ws = cscms_store::working_strength::replace(
                c, &actor, &org, expected, entries, validated, now,
            )?;
            Loaded::read(c, org, parent, ws)
        })
        .await?;
    respond(loaded, now)
}
