//! The change feed (INT-1, INT-2): what changed since a reader last looked.
//!
//! Guarantees (also in the contract): changes come in one order for every
//! reader, (transaction, id) — on PostgreSQL a transaction's place is where
//! it began writing, not its commit — and a reader following
//! `next` sees every change it may read exactly once, whichever instance
//! answers and however writes interleave; changes are kept for the
//! retention window (`CSCMS_CHANGE_RETENTION_DAYS`), after which a cursor
//! that has fallen behind gets 410.

use std::time::{Duration, Instant};

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::feed::{self, Position, TypeFilter};
use cscms_domain::principal::ActorRole;
use cscms_domain::scope::Op;
use cscms_store::changes::ChangeRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::utc;
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::scope::authorize;
use crate::state::AppState;

/// The longest a reader may ask to wait for a change.
const MAX_WAIT_SECS: u32 = 30;
/// How often a waiting reader looks again.
const POLL_EVERY: Duration = Duration::from_millis(200);

/// One change: what changed, not its data. Fetch `href` for the record as
/// it is now (the read is scope-checked and audited like any other).
#[derive(Serialize, ToSchema)]
pub struct ChangeEvent {
    /// This change's place in the feed: pass it as `after` to continue
    /// after it. Opaque.
    pub cursor: String,
    /// `entity.action`, e.g. `vigilance_status.record`, `profile.validate`,
    /// `deputation_application.approve`.
    #[serde(rename = "type")]
    pub type_: String,
    pub entity: String,
    pub entity_id: String,
    /// Increases with every change of the entity: compare, do not count.
    pub version: i64,
    pub at: DateTime<Utc>,
    /// The role of whoever made the change (never who they are).
    pub actor_role: ActorRole,
    /// Where to read the record now (an APAR's under its employee,
    /// `/v1/employees/{code}/apars/{id}`); null where the record has no
    /// address of its own.
    pub href: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangePage {
    /// Oldest first, by writing transaction, then id.
    pub changes: Vec<ChangeEvent>,
    /// Where to continue: pass it as `after` on the next call (also when
    /// `changes` is empty).
    pub next: String,
    /// Whether more changes are waiting now (call again at once).
    pub more: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LatestCursor {
    /// The feed's current end for this caller.
    pub cursor: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The cursor to continue after (`next` of the last page, or
    /// `/v1/changes/latest`). Absent: from the oldest change kept.
    pub after: Option<String>,
    /// 1-1000, default 100.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Comma-separated `entity` or `entity.action` items, e.g.
    /// `profile,vigilance_status.record`. Absent: every type the caller may read.
    pub types: Option<String>,
    /// Seconds (0-30) to wait for a change when none is waiting (long poll).
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u32>,
}

/// Where the record a change is about can be read now. `subject` is the
/// employee of a record whose id does not name them (an APAR's).
fn href(entity: &str, id: &str, subject: Option<&str>) -> Option<String> {
    let (a, b) = id.split_once('/').unwrap_or((id, ""));
    Some(match entity {
        "apar" => format!("/v1/employees/{}/apars/{id}", subject?),
        "profile" => format!("/v1/employees/{id}/profile"),
        "vigilance_status" => format!("/v1/employees/{id}/vigilance-status"),
        "ipr_return" => format!("/v1/employees/{a}/ipr/{b}"),
        "foreign_visit" => format!("/v1/foreign-visits/{id}"),
        "spouse_posting" => format!("/v1/spouse-postings/{id}"),
        "deputation_application" => format!("/v1/deputation/applications/{id}"),
        "deputation_advertisement" => format!("/v1/deputation/advertisements/{id}"),
        "organisation" => format!("/v1/organisations/{id}"),
        "working_strength" => format!("/v1/organisations/{id}/working-strength"),
        "empanelment_batch" => format!("/v1/empanelment/batches/{id}"),
        "empanelment_proposal" => format!("/v1/empanelment/batches/{a}/proposals"),
        "empanelment_run" => format!("/v1/empanelment/batches/{a}/runs/{b}"),
        "surplus_requisition" => format!("/v1/surplus/requisitions/{id}"),
        "surplus_nomination" => format!("/v1/surplus/requisitions/{a}"),
        "interests" => format!("/v1/employees/{id}/interests"),
        "exgratia_case" => format!("/v1/ex-gratia/cases/{id}"),
        "rti_request" => format!("/v1/rti/requests/{id}"),
        "delpge_programme" => format!("/v1/delpge/programmes/{id}"),
        "delpge_claim" => format!("/v1/delpge/claims/{id}"),
        "oauth_client" => format!("/v1/clients/{id}"),
        "webhook_subscription" => format!("/v1/clients/{a}/webhooks/{b}"),
        "rotation_round" => format!("/v1/rotation/rounds/{id}"),
        "rotation_run" => format!("/v1/rotation/rounds/{a}/runs/{b}"),
        "transfer_order" => format!("/v1/employees/{id}"),
        "rotation_preferences" => format!("/v1/employees/{b}/rotation/rounds/{a}/preferences"),
        _ => return None,
    })
}

impl From<ChangeRow> for ChangeEvent {
    fn from(r: ChangeRow) -> Self {
        Self {
            cursor: r.position().cursor(),
            type_: feed::change_type(&r.entity, &r.action),
            href: href(&r.entity, &r.entity_id, r.subject.as_deref()),
            version: r.audit_id,
            at: utc(r.at),
            actor_role: r.actor_role,
            entity: r.entity,
            entity_id: r.entity_id,
        }
    }
}

fn bad(field: &str, code: &str, message: &str) -> ApiError {
    ApiError::bad_query(vec![FieldError::new(field, code, message)])
}

fn parse_types(raw: Option<&str>) -> Result<Vec<TypeFilter>, ApiError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|item| {
            TypeFilter::parse(item.trim()).ok_or_else(|| {
                bad(
                    "query.types",
                    "unknown_type",
                    &format!("'{item}' is not `entity` or `entity.action` of a known entity"),
                )
            })
        })
        .collect()
}

/// Read the change feed
///
/// Changes the caller may read, oldest first, after `after`. Follow `next`
/// from page to page; with `wait`, a call with nothing new returns as soon as
/// a change commits (or after `wait` seconds, empty). Every change the caller
/// may read appears exactly once, by writing transaction, with no gaps, across all
/// instances. A change appears once no transaction that began before it is
/// still running on the database server, so a long transaction delays the
/// feed and never loses a change. A nodal officer reads changes to their organisation's records
/// and those of the bodies under it; AVD and DoPT as they read; an
/// integration client the families its scopes read. Changes are kept for the
/// retention window (default 30 days): an older cursor is 410, and the
/// client reads in full and starts again from `/v1/changes/latest` (taken
/// before the full read).
#[utoipa::path(tag = "changes", security(("bearer" = [])), params(ChangesQuery),
    responses((status = 200, description = "A page of changes and the cursor to continue from", body = ChangePage),
        (status = 403, description = "The feed is for DoPT, AVD, nodal officers and integration clients with a read scope", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The cursor is older than the retention window (`cursor_expired`): read in full, then continue from `/v1/changes/latest`", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/changes")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadChanges)?;
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad("query.limit", "out_of_range", "from 1 to 1000"));
    }
    let wait = q.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(bad("query.wait", "out_of_range", "from 0 to 30 seconds"));
    }
    let after = match q.after.as_deref() {
        None => None,
        Some(c) => Some(Position::parse_cursor(c).ok_or_else(|| {
            bad(
                "query.after",
                "invalid_cursor",
                "not a cursor this feed gave out",
            )
        })?),
    };
    let types = parse_types(q.types.as_deref())?;
    let scope = feed::scope(&who);
    let fetch = i64::from(limit) + 1;

    let deadline = Instant::now() + Duration::from_secs(u64::from(wait));
    let (start, page) = loop {
        let (scope, types) = (scope.clone(), types.clone());
        let (start, page) = state
            .db(move |c| {
                let start = match after {
                    Some(a) => a,
                    None => cscms_store::changes::horizon(c)?.unwrap_or(Position::START),
                };
                let page = cscms_store::changes::page(c, &scope, &types, start, fetch)?;
                // The horizon after the page: pruning that committed before
                // the page was read, past this cursor, is seen here.
                if let (Some(a), Some(h)) = (after, cscms_store::changes::horizon(c)?) {
                    if a < h {
                        return Ok((None, page));
                    }
                }
                Ok((Some(start), page))
            })
            .await?;
        // Every cursor given out is at most the feed's end when given, and
        // the end only moves on: one beyond it was never given out, and
        // following it would skip every change up to it.
        if after.is_some_and(|a| a > page.end) {
            return Err(bad(
                "query.after",
                "invalid_cursor",
                "beyond the feed's end: not a cursor this feed gave out",
            ));
        }
        let Some(start) = start else {
            return Err(ApiError::Gone {
                detail: "This cursor is older than the changes kept: read the records in full, \
                         then follow the feed from /v1/changes/latest taken before that read."
                    .into(),
            });
        };
        if !page.rows.is_empty() || Instant::now() + POLL_EVERY > deadline {
            break (start, page);
        }
        actix_web::rt::time::sleep(POLL_EVERY).await;
    };
    let more = page.rows.len() > limit as usize;
    let mut rows = page.rows;
    rows.truncate(limit as usize);
    // A page not full has given everything the caller may read up to the
    // feed's end, so the cursor moves there: a reader whose changes are
    // few never falls behind the pruning horizon for want of them.
    let next = match rows.last() {
        Some(last) if more => last.position(),
        _ => start.max(page.end),
    }
    .cursor();
    Ok(HttpResponse::Ok().json(ChangePage {
        changes: rows.into_iter().map(ChangeEvent::from).collect(),
        next,
        more,
    }))
}

/// The feed's current end
///
/// A cursor at the feed's end now: take it before reading the records in
/// full, then follow the feed from it and nothing is missed.
#[utoipa::path(tag = "changes", security(("bearer" = [])),
    responses((status = 200, description = "The cursor to start from", body = LatestCursor),
        (status = 403, description = "The feed is for DoPT, AVD, nodal officers and integration clients with a read scope", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/changes/latest")]
pub async fn latest(Auth(who): Auth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadChanges)?;
    let at = state.db(cscms_store::changes::end).await?;
    Ok(HttpResponse::Ok().json(LatestCursor {
        cursor: at.cursor(),
    }))
}
