//! ROT-2: the two groups of ministries officers rotate between, as dated
//! sets DoPT keeps. Anyone signed in reads the set in force; only DoPT
//! records a new one (audited), and a set once made is never changed.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::rotation::{check_groups, Group};
use cscms_domain::scope::Op;
use cscms_store::rotation::groups::{GroupRow, GroupSet, GroupSetRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::routes::{actor, utc};
use crate::scope::authorize;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct MinistryGroups {
    /// In force from this date until a later set takes effect.
    pub effective_from: NaiveDate,
    /// The order that made the groups.
    pub order_ref: String,
    /// Ministries and departments of group A.
    pub a: Vec<String>,
    /// Ministries and departments of group B.
    pub b: Vec<String>,
    pub set_at: DateTime<Utc>,
    pub set_by: String,
}

impl From<GroupSet> for MinistryGroups {
    fn from(g: GroupSet) -> Self {
        let of = |grp: Group| {
            g.members
                .iter()
                .filter(|m| m.grp == grp)
                .map(|m| m.org_id.clone())
                .collect()
        };
        MinistryGroups {
            a: of(Group::A),
            b: of(Group::B),
            effective_from: g.set.effective_from,
            order_ref: g.set.order_ref,
            set_at: utc(g.set.set_at),
            set_by: g.set.set_by,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupsAsOf {
    /// The set in force on this date (YYYY-MM-DD); default today in India (IST).
    pub as_of: Option<NaiveDate>,
}

/// Ministry groups in force
///
/// The two groups of ministries officers rotate between (ROT-2), as in
/// force on `as_of`.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), params(GroupsAsOf),
    responses(
        (status = 200, description = "The set in force", body = MinistryGroups),
        (status = 404, description = "No set is in force on that date", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/rotation/ministry-groups")]
pub async fn groups(
    _who: Auth,
    state: web::Data<AppState>,
    q: web::Query<GroupsAsOf>,
) -> Result<HttpResponse, ApiError> {
    let on = q.as_of.unwrap_or_else(crate::clearance::today);
    let set = state
        .read(move |c| cscms_store::rotation::groups::in_force(c, on))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("A set of ministry groups in force on {on}")))?;
    Ok(HttpResponse::Ok().json(MinistryGroups::from(set)))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMinistryGroups {
    pub effective_from: NaiveDate,
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022"
    )]
    pub order_ref: String,
    /// Ministries and departments of group A.
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub a: Vec<String>,
    /// Ministries and departments of group B.
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub b: Vec<String>,
}

/// Record ministry groups
///
/// A new set of the two groups (ROT-2), in force from `effective_from`:
/// every ministry and department in exactly one group. Audited; a set for a
/// date that has one already is refused (sets are never changed).
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = NewMinistryGroups,
    responses(
        (status = 201, description = "The new set", body = MinistryGroups),
        (status = 403, description = "Only DoPT keeps the groups", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A set takes effect on that date already (`already_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/rotation/ministry-groups")]
pub async fn create_groups(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<NewMinistryGroups>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageMinistryGroups)?;
    let actor = actor(&who, &req);
    let created = state
        .db(move |c| {
            let ministries = cscms_store::rotation::groups::top_level_organisations(c)?;
            let problems = check_groups(&ministries, &body.a, &body.b);
            if !problems.is_empty() {
                return Ok(Err(problems));
            }
            let from = body.effective_from;
            let members = [(Group::A, &body.a), (Group::B, &body.b)]
                .into_iter()
                .flat_map(|(g, ids)| {
                    ids.iter().map(move |id| GroupRow {
                        effective_from: from,
                        org_id: id.clone(),
                        grp: g,
                    })
                })
                .collect();
            let set = GroupSetRow {
                effective_from: from,
                order_ref: body.order_ref.trim().to_owned(),
                set_at: Utc::now().naive_utc(),
                set_by: actor.sub.clone(),
            };
            cscms_store::rotation::groups::create_set(c, &actor, set, members).map(Ok)
        })
        .await?
        .map_err(|problems| {
            ApiError::Validation(
                problems
                    .into_iter()
                    .map(|p| FieldError::new("body", "invalid_groups", p))
                    .collect(),
            )
        })?;
    Ok(HttpResponse::Created().json(MinistryGroups::from(created)))
}
