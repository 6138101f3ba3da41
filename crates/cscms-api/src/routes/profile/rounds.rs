//! Validation rounds (PRF-2): DoPT opens one with a deadline, after which
//! a profile not validated is deemed final; nodal officers read those
//! covering their organisation.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::organisation::{is_ministry, OrgId};
use cscms_domain::scope::{visibility, Family, Op, Visibility};
use cscms_store::profiles::RoundRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::routes::{actor, utc};
use crate::scope::authorize;
use crate::state::AppState;

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
/// DoPT opens a validation round with a deadline (PRF-2): the time the
/// nodal officers of the organisations it covers have to validate the
/// profiles submitted to them and their working strength (PRF-3). What is
/// not validated by then is taken as final, its nodal officers answerable.
/// Audited.
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
                    // An id no organisation could have names no ministry.
                    let ok = match OrgId::parse(id) {
                        Ok(id) => cscms_store::organisations::get(c, &id)?
                            .is_some_and(|o| is_ministry(o.parent_id.as_ref())),
                        Err(_) => false,
                    };
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
