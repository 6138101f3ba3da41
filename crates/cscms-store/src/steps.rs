//! The decision record of every workflow step (FV-1, DEP-1), written with
//! the move it records and its audit row, in one transaction.

use chrono::NaiveDateTime;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Role;
use cscms_domain::workflow::Step;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::workflow_steps;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = workflow_steps)]
pub struct StepRow {
    pub id: i64,
    pub workflow: String,
    pub record_id: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_sub: String,
    pub actor_role: Role,
    pub at: NaiveDateTime,
    pub reason: Option<String>,
    /// The clearance as fetched for the step, if the workflow fetches one.
    pub clearance: Option<Json<serde_json::Value>>,
    /// The deciding officer's reasons for taking a step that rests on the
    /// clearance while it was withheld (VIG-2).
    pub clearance_override: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = workflow_steps, treat_none_as_default_value = false)]
struct NewStep<'a> {
    workflow: &'a str,
    record_id: i64,
    action: &'a str,
    from_state: Option<&'a str>,
    to_state: &'a str,
    actor_sub: &'a str,
    actor_role: Role,
    at: NaiveDateTime,
    reason: Option<&'a str>,
    clearance: Option<String>,
    clearance_override: Option<&'a str>,
}

fn insert(c: &mut DbConn, record_id: i64, step: &Step) -> Result<(), StoreError> {
    diesel::insert_into(workflow_steps::table)
        .values(NewStep {
            workflow: step.workflow,
            record_id,
            action: step.action,
            from_state: step.from_state,
            to_state: step.to_state,
            actor_sub: &step.actor_sub,
            actor_role: step.actor_role,
            at: step.at,
            reason: step.reason.as_deref(),
            clearance: step.clearance.as_ref().map(|v| v.to_string()),
            clearance_override: step.clearance_override.as_deref(),
        })
        .execute(c)?;
    Ok(())
}

/// Runs `write` (which makes or moves the record and returns its id), then
/// records the step and its audit row; all or nothing. `write` answering
/// `None` means the record was not in the state the step leaves: `Stale`.
pub(crate) fn with_step<T>(
    c: &mut DbConn,
    actor: &Actor,
    step: &Step,
    org_id: &str,
    write: impl FnOnce(&mut DbConn) -> Result<Option<(i64, T)>, StoreError>,
) -> Result<T, StoreError> {
    audit::audited(c, actor, |c| {
        let (id, out) = write(c)?.ok_or(StoreError::Stale)?;
        insert(c, id, step)?;
        Ok((out, change(id, step, org_id)))
    })
}

/// Moves record `id` by `step` if it is still in the state the step leaves,
/// with the step record and its audit row, all or nothing: the one
/// state-guarded advance of every workflow family. `update` is the
/// family's own update, guarded by the state it is given (the step's
/// `from`); it answers the organisation of the row it moved (the change is
/// scoped to it), or none when no row was in that state: `Stale`.
pub(crate) fn advance(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    step: &Step,
    update: impl FnOnce(&mut DbConn, &str) -> QueryResult<Option<String>>,
) -> Result<(), StoreError> {
    let from = step.from_state.unwrap_or_default();
    audit::audited(c, actor, |c| {
        let org = update(c, from)?.ok_or(StoreError::Stale)?;
        insert(c, id, step)?;
        Ok(((), change(id, step, &org)))
    })
}

/// The update [`advance`] makes for a family whose table keeps the
/// record's `state`, when it last changed (`updated_at`) and where it sits
/// (`org_id`): the move, guarded by the state the step leaves.
macro_rules! state_update {
    ($table:ident, $id:expr, $step:expr) => {
        |c: &mut $crate::DbConn, from: &str| {
            diesel::update($table::table.find($id).filter($table::state.eq(from)))
                .set((
                    $table::state.eq($step.to_state),
                    $table::updated_at.eq($step.at),
                ))
                .returning($table::org_id)
                .get_result(c)
                .optional()
        }
    };
}
pub(crate) use state_update;

/// A request of an employee's with their name and where the request sits
/// (its organisation's parent), as the scope checks and views need it.
#[derive(Debug, Clone)]
pub struct Located<R> {
    pub row: R,
    pub employee_name: String,
    pub org_parent: Option<OrgId>,
}

impl<R> From<(R, String, Option<OrgId>)> for Located<R> {
    fn from((row, employee_name, org_parent): (R, String, Option<OrgId>)) -> Self {
        Self {
            row,
            employee_name,
            org_parent,
        }
    }
}

/// The store of an employee's request family (FV-1, SPO-1) whose table
/// keeps `employee_code`, `org_id`, `state`, `submitted_at` and
/// `updated_at`: filing with the opening step, moving by a step, reading
/// one, and listing what a visibility admits, optionally in some states.
/// Without the new row's type, only the reads: a family whose filing and
/// moves keep a rule of their own writes them itself (SPO-1).
macro_rules! request_store {
    ($table:ident, $row:ty, $new:ty) => {
        $crate::steps::request_store!(@file $table, $new);
        $crate::steps::request_store!($table, $row);
    };
    (@file $table:ident, $new:ty) => {
        /// Files a request with its opening step, audited.
        pub fn apply(
            c: &mut $crate::DbConn,
            actor: &$crate::audit::Actor,
            new: &$new,
            step: &cscms_domain::workflow::Step,
        ) -> Result<i64, $crate::StoreError> {
            $crate::steps::with_step(c, actor, step, new.org_id.as_str(), |c| {
                let id: i64 = diesel::insert_into($table::table)
                    .values(new)
                    .returning($table::id)
                    .get_result(c)?;
                Ok(Some((id, id)))
            })
        }

        /// Moves a request by a step, if it is still in the state the step leaves.
        pub fn advance(
            c: &mut $crate::DbConn,
            actor: &$crate::audit::Actor,
            id: i64,
            step: &cscms_domain::workflow::Step,
        ) -> Result<(), $crate::StoreError> {
            $crate::steps::advance(
                c,
                actor,
                id,
                step,
                $crate::steps::state_update!($table, id, step),
            )
        }
    };
    ($table:ident, $row:ty) => {
        pub fn get(
            c: &mut $crate::DbConn,
            id: i64,
        ) -> Result<Option<$crate::steps::Located<$row>>, $crate::StoreError> {
            Ok($table::table
                .inner_join(employees::table)
                .inner_join(organisations::table)
                .filter($table::id.eq(id))
                .select((
                    <$row>::as_select(),
                    employees::name,
                    organisations::parent_id,
                ))
                .first::<($row, String, Option<OrgId>)>(c)
                .optional()
                .map_err(|e| $crate::StoreError::from(e).in_row(stringify!($table), &id))?
                .map($crate::steps::Located::from))
        }

        /// Requests visible under `visibility`, optionally only those in
        /// `states`; oldest first (a queue) or newest first, after the
        /// cursor `after` in that order.
        pub fn list(
            c: &mut $crate::DbConn,
            visibility: &cscms_domain::scope::Visibility,
            states: Option<&[&str]>,
            oldest_first: bool,
            after: Option<cscms_domain::cursor::AtId>,
            limit: i64,
        ) -> Result<Vec<$crate::steps::Located<$row>>, $crate::StoreError> {
            let Some(visible) = $crate::scope::Scoped::visible(visibility) else {
                return Ok(Vec::new());
            };
            let mut q = $table::table
                .inner_join(employees::table)
                .inner_join(organisations::table)
                .into_boxed()
                .filter(visible);
            if let Some(s) = states {
                q = q.filter($table::state.eq_any(s.iter().map(|s| (*s).to_owned())));
            }
            if let Some(a) = after {
                q = $crate::keyset::after_at_id!(
                    q,
                    $table::submitted_at,
                    $table::id,
                    a,
                    oldest_first
                );
            }
            q = if oldest_first {
                q.order(($table::submitted_at.asc(), $table::id.asc()))
            } else {
                q.order(($table::submitted_at.desc(), $table::id.desc()))
            };
            Ok(q.limit(limit)
                .select((
                    <$row>::as_select(),
                    employees::name,
                    organisations::parent_id,
                ))
                .load::<($row, String, Option<OrgId>)>(c)?
                .into_iter()
                .map($crate::steps::Located::from)
                .collect())
        }
    };
}
pub(crate) use request_store;

/// The change a step makes, as the audit trail and the feed record it.
fn change(id: i64, step: &Step, org_id: &str) -> Change {
    Change {
        action: step.action,
        entity: step.workflow,
        entity_id: id.to_string(),
        org_id: Some(org_id.to_owned()),
        before: step.from_state.map(|s| json!({ "state": s })),
        after: Some(json!({
            "state": step.to_state,
            "reason": step.reason,
            "clearance": step.clearance.as_ref().and_then(|c| c.get("clearance")),
            "clearance_override": step.clearance_override,
        })),
    }
}

/// The steps of one record, oldest first.
pub fn for_record(
    c: &mut DbConn,
    workflow: &str,
    record_id: i64,
) -> Result<Vec<StepRow>, StoreError> {
    Ok(workflow_steps::table
        .filter(workflow_steps::workflow.eq(workflow))
        .filter(workflow_steps::record_id.eq(record_id))
        .order(workflow_steps::id.asc())
        .select(StepRow::as_select())
        .load(c)?)
}

/// The steps of several records of one workflow, oldest first: a list's
/// steps in one query.
pub fn for_records(
    c: &mut DbConn,
    workflow: &str,
    record_ids: &[i64],
) -> Result<Vec<StepRow>, StoreError> {
    Ok(workflow_steps::table
        .filter(workflow_steps::workflow.eq(workflow))
        .filter(workflow_steps::record_id.eq_any(record_ids))
        .order(workflow_steps::id.asc())
        .select(StepRow::as_select())
        .load(c)?)
}
