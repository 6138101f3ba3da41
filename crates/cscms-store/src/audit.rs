//! The audited write (PRF-4): a change, its audit row, its change event and
//! the webhook deliveries it owes (INT-2) in one transaction, so none
//! exists without the others.

use chrono::Utc;
use cscms_domain::principal::ActorRole;
use diesel::prelude::*;
use serde_json::Value;

use crate::dates::WriteTimestamp;
use crate::schema::{audit_log, change_events};
use crate::{DbConn, StoreError};

/// Who is making a change, and the request it came in.
#[derive(Debug, Clone)]
pub struct Actor {
    pub sub: String,
    pub role: String,
    pub request_id: String,
}

/// What changed: the entity, and its state before and after.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    /// The organisation the record belongs to, so nodal officers can read
    /// their own organisation's trail.
    pub org_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

// None as NULL (not DEFAULT): a multi-row INSERT is then one statement on
// SQLite. The rows own what they hold (or borrow it for `'static`): a bulk
// INSERT's statement is prepared once only for a row type without a
// shorter lifetime (`db::insert_many`).
#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct NewAudit {
    at: WriteTimestamp,
    actor_sub: String,
    actor_role: String,
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    org_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    request_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = change_events, treat_none_as_default_value = false)]
struct NewChangeEvent {
    at: WriteTimestamp,
    entity: &'static str,
    entity_id: String,
    action: &'static str,
    org_id: Option<String>,
    audit_id: i64,
}

/// Runs `write` and records what it reports, all in one write transaction
/// (on SQLite `BEGIN IMMEDIATE`: see [`crate::db::write_transaction`]).
/// `write` returns its result and the change to record.
pub fn audited<T>(
    conn: &mut DbConn,
    actor: &Actor,
    write: impl FnOnce(&mut DbConn) -> Result<(T, Change), StoreError>,
) -> Result<T, StoreError> {
    crate::db::write_transaction(conn, |c| {
        let (out, change) = write(c)?;
        record(c, actor, &change)?;
        Ok(out)
    })
}

/// As [`audited`], for a write whose first step is taking the lock of `key`
/// (see [`crate::db::locked_write_transaction`]).
pub fn audited_locked<T>(
    conn: &mut DbConn,
    actor: &Actor,
    key: &str,
    write: impl FnOnce(&mut DbConn) -> Result<(T, Change), StoreError>,
) -> Result<T, StoreError> {
    crate::db::locked_write_transaction(conn, key, |c| {
        let (out, change) = write(c)?;
        record(c, actor, &change)?;
        Ok(out)
    })
}

/// As [`audited`], for a write that changes several records at once (an
/// approval that issues an order per officer): one audit row and change
/// event for each, in the same transaction.
pub fn audited_many<T>(
    conn: &mut DbConn,
    actor: &Actor,
    write: impl FnOnce(&mut DbConn) -> Result<(T, Vec<Change>), StoreError>,
) -> Result<T, StoreError> {
    crate::db::write_transaction(conn, |c| {
        let (out, changes) = write(c)?;
        for change in &changes {
            record(c, actor, change)?;
        }
        Ok(out)
    })
}

fn record(conn: &mut DbConn, actor: &Actor, change: &Change) -> Result<(), StoreError> {
    let at = Utc::now().naive_utc();
    let audit_id: i64 = diesel::insert_into(audit_log::table)
        .values(NewAudit {
            at: at.into(),
            actor_sub: actor.sub.clone(),
            actor_role: actor.role.clone(),
            action: change.action,
            entity: change.entity,
            entity_id: change.entity_id.clone(),
            org_id: change.org_id.clone(),
            before_json: change.before.as_ref().map(Value::to_string),
            after_json: change.after.as_ref().map(Value::to_string),
            request_id: actor.request_id.clone(),
        })
        .returning(audit_log::id)
        .get_result(conn)?;
    let event_id: i64 = diesel::insert_into(change_events::table)
        .values(NewChangeEvent {
            at: at.into(),
            entity: change.entity,
            entity_id: change.entity_id.clone(),
            action: change.action,
            org_id: change.org_id.clone(),
            audit_id,
        })
        .returning(change_events::id)
        .get_result(conn)?;
    // INT-2: the webhook deliveries it owes, in the same transaction.
    crate::webhooks::enqueue(conn, event_id, change, at)
}

/// A change's before and after as the audit row keeps them (JSON text).
#[derive(Debug, Clone, Default)]
pub(crate) struct Json {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Records many changes of one write transaction at once (a bulk import):
/// the same audit rows, change events and webhook deliveries as recording
/// them one by one in this order, each kind in multi-row INSERTs. Each
/// change's before and after come as JSON text (`json[i]` for
/// `changes[i]`, whose own `before` and `after` are not read), so a bulk
/// import writes its rows straight to text, without a `Value` of each.
pub(crate) fn record_all(
    conn: &mut DbConn,
    actor: &Actor,
    changes: &[Change],
    json: Vec<Json>,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    if json.len() != changes.len() {
        return Err(StoreError::Corrupt(format!(
            "{} changes with {} audit texts",
            changes.len(),
            json.len()
        )));
    }
    let at = Utc::now().naive_utc();
    let audits: Vec<NewAudit> = changes
        .iter()
        .zip(json)
        .map(|(change, json)| NewAudit {
            at: at.into(),
            actor_sub: actor.sub.clone(),
            actor_role: actor.role.clone(),
            action: change.action,
            entity: change.entity,
            entity_id: change.entity_id.clone(),
            org_id: change.org_id.clone(),
            before_json: json.before,
            after_json: json.after,
            request_id: actor.request_id.clone(),
        })
        .collect();
    let audit_ids = crate::db::insert_rows!(conn, audit_log::table, audit_log::id, &audits)?;
    let events: Vec<NewChangeEvent> = changes
        .iter()
        .zip(&audit_ids)
        .map(|(change, audit_id)| NewChangeEvent {
            at: at.into(),
            entity: change.entity,
            entity_id: change.entity_id.clone(),
            action: change.action,
            org_id: change.org_id.clone(),
            audit_id: *audit_id,
        })
        .collect();
    let event_ids =
        crate::db::insert_rows!(conn, change_events::table, change_events::id, &events)?;
    let queued: Vec<(i64, &Change)> = event_ids.into_iter().zip(changes).collect();
    // INT-2: the webhook deliveries they owe, in the same transaction.
    crate::webhooks::enqueue_many(conn, &queued, at)
}

/// One row of the audit trail.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: chrono::NaiveDateTime,
    pub actor_sub: String,
    pub actor_role: ActorRole,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub org_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
}

impl AuditRow {
    /// The changed values before and after, as kept (JSON text). Text that
    /// is not JSON is unreadable stored data (`Corrupt`), never shown as
    /// "no values".
    pub fn documents(&self) -> Result<(Option<Value>, Option<Value>), StoreError> {
        let read = |text: &Option<String>, which: &str| {
            text.as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("audit_log {}: {which}: {e}", self.id)))
        };
        Ok((
            read(&self.before_json, "before")?,
            read(&self.after_json, "after")?,
        ))
    }
}

/// The trail of one entity, oldest first.
pub fn for_entity(
    conn: &mut DbConn,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<AuditRow>, StoreError> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id.asc())
        .select(AuditRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("audit_log of", &format!("{entity} {entity_id}")))
}

/// Filters of the audit listing; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub from: Option<chrono::NaiveDateTime>,
    pub to: Option<chrono::NaiveDateTime>,
    /// Only rows of this organisation and those under it (nodal officers).
    pub org_tree: Option<String>,
    /// Rows with ids below this (pages go newest first).
    pub before_id: Option<i64>,
}

/// A page of the trail, newest first.
pub fn list(conn: &mut DbConn, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
    use crate::schema::organisations;
    let mut q = audit_log::table.into_boxed();
    if let Some(v) = &f.entity {
        q = q.filter(audit_log::entity.eq(v));
    }
    if let Some(v) = &f.entity_id {
        q = q.filter(audit_log::entity_id.eq(v));
    }
    if let Some(v) = &f.actor {
        q = q.filter(audit_log::actor_sub.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(audit_log::at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(audit_log::at.lt(v));
    }
    if let Some(org) = &f.org_tree {
        let tree = organisations::table
            .filter(
                organisations::id
                    .eq(org)
                    .or(organisations::parent_id.eq(org)),
            )
            .select(organisations::id.nullable());
        q = q.filter(audit_log::org_id.eq_any(tree));
    }
    if let Some(id) = f.before_id {
        q = q.filter(audit_log::id.lt(id));
    }
    q.order(audit_log::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("audit_log", &"page"))
}
