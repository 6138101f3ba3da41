//! ROT-2: the dated sets of ministry groups DoPT keeps.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::rotation::Group;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::schema::{ministry_group_sets, ministry_groups, organisations};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = ministry_group_sets, treat_none_as_default_value = false)]
pub struct GroupSetRow {
    pub effective_from: NaiveDate,
    pub order_ref: String,
    pub set_at: NaiveDateTime,
    pub set_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = ministry_groups, treat_none_as_default_value = false)]
pub struct GroupRow {
    pub effective_from: NaiveDate,
    pub org_id: String,
    pub grp: Group,
}

/// A set and its ministries (ordered by group, then id).
#[derive(Debug, Clone, Serialize)]
pub struct GroupSet {
    pub set: GroupSetRow,
    pub members: Vec<GroupRow>,
}

/// Ministries and departments: the organisations that have no parent.
pub fn top_level_organisations(c: &mut DbConn) -> Result<Vec<String>, StoreError> {
    Ok(organisations::table
        .filter(organisations::parent_id.is_null())
        .order(organisations::id)
        .select(organisations::id)
        .load(c)?)
}

/// The set in force on `on`: the latest taking effect on or before it.
pub fn in_force(c: &mut DbConn, on: NaiveDate) -> Result<Option<GroupSet>, StoreError> {
    let set = ministry_group_sets::table
        .filter(ministry_group_sets::effective_from.le(on))
        .order(ministry_group_sets::effective_from.desc())
        .select(GroupSetRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("ministry_group_sets on", &on))?;
    let Some(set) = set else { return Ok(None) };
    let members = ministry_groups::table
        .filter(ministry_groups::effective_from.eq(set.effective_from))
        .order((ministry_groups::grp, ministry_groups::org_id))
        .select(GroupRow::as_select())
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("ministry_groups of", &set.effective_from))?;
    Ok(Some(GroupSet { set, members }))
}

/// Records a new set (audited). A set for the same date is a conflict:
/// sets are never changed once made.
pub fn create_set(
    c: &mut DbConn,
    actor: &Actor,
    set: GroupSetRow,
    members: Vec<GroupRow>,
) -> Result<GroupSet, StoreError> {
    audit::audited(c, actor, |c| {
        diesel::insert_into(ministry_group_sets::table)
            .values(&set)
            .execute(c)
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    "a set of ministry groups takes effect on this date already",
                )
            })?;
        for m in &members {
            diesel::insert_into(ministry_groups::table)
                .values(m)
                .execute(c)?;
        }
        let created = GroupSet { set, members };
        let change = Change {
            action: "create",
            entity: "ministry_groups",
            entity_id: created.set.effective_from.to_string(),
            org_id: None,
            before: None,
            after: serde_json::to_value(&created).ok(),
        };
        Ok((created, change))
    })
}
