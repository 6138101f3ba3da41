//! PRF-4: the audit trail, read-only. No API path changes it.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::principal::ActorRole;
use cscms_domain::scope::{visibility, Family, Op, Visibility};
use cscms_store::audit::{AuditFilter, AuditRow};
use cscms_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::utc;
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::scope::authorize;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_sub: String,
    pub actor_role: ActorRole,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub organisation_id: Option<String>,
    /// The changed values before the change: each changed field (by its
    /// name or path in the record, e.g. `contact.mobile`) with its value,
    /// any JSON; null where there is none.
    #[schema(value_type = Option<Object>)]
    pub before: serde_json::Value,
    /// The same fields after the change; null where there are none.
    #[schema(value_type = Option<Object>)]
    pub after: serde_json::Value,
    pub request_id: String,
}

/// An entry's values by field. Working strength kept its list of sanctioned
/// strengths bare before its entries were by field: such a list reads as
/// the field it is.
fn by_field(doc: Option<serde_json::Value>) -> serde_json::Value {
    match doc {
        Some(bare @ serde_json::Value::Array(_)) => serde_json::json!({ "sanctioned": bare }),
        other => other.unwrap_or_default(),
    }
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        let (before, after) = r.documents()?;
        Ok(Self {
            id: r.id,
            at: utc(r.at),
            actor_sub: r.actor_sub,
            actor_role: r.actor_role,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            organisation_id: r.org_id,
            before: by_field(before),
            after: by_field(after),
            request_id: r.request_id,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// e.g. `profile`, `organisation`, `working_strength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// The actor's token subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// From the `next` link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<i64>,
    /// 1-500, default 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Read the audit trail
///
/// The audit trail, newest first: DoPT sees all; a nodal officer their
/// organisation and the bodies under it.
#[utoipa::path(tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "A page of audit entries, newest first", body = AuditPage),
        (status = 403, description = "Only DoPT and nodal officers read the trail", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/audit")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadAudit)?;
    // The trail of the records the caller sees as a service record.
    let org_tree = match visibility(&who, Family::ServiceRecord) {
        Visibility::All => None,
        Visibility::OrgTree(org) => Some(org.as_str().to_owned()),
        Visibility::Employee(_) | Visibility::Nothing => {
            return Err(ApiError::forbidden(Op::ReadAudit.grant().refusal))
        }
    };
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_query(vec![FieldError::new(
            "query.limit",
            "out_of_range",
            "from 1 to 500",
        )]));
    }
    let filter = AuditFilter {
        entity: q.entity.clone(),
        entity_id: q.entity_id.clone(),
        actor: q.actor.clone(),
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        org_tree,
        before_id: q.cursor,
    };
    let fetch = i64::from(limit) + 1;
    let mut rows = state
        .db(move |c| cscms_store::audit::list(c, &filter, fetch))
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = match (more, rows.last()) {
        (true, Some(last)) => {
            let next_q = AuditQuery {
                cursor: Some(last.id),
                limit: Some(limit),
                ..q
            };
            serde_urlencoded::to_string(&next_q)
                .ok()
                .map(|s| format!("/v1/audit?{s}"))
        }
        _ => None,
    };
    Ok(HttpResponse::Ok().json(AuditPage {
        items: rows
            .into_iter()
            .map(AuditEntry::try_from)
            .collect::<Result<_, _>>()?,
        next,
    }))
}
