//! Areas of interest (AOI-1): the competency catalogue DoPT maintains, each
//! employee's ranked choice from it, and the demand those choices make.

use chrono::NaiveDateTime;
use cscms_domain::interests::{Kind, Level};
use cscms_domain::scope::Visibility;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::{
    competency_areas, employee_interests, employees, interest_sets, organisations,
};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = competency_areas, treat_none_as_default_value = false)]
pub struct AreaRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: Level,
    pub kind: Kind,
    pub name: String,
    pub description: Option<String>,
    /// iGOT course ids.
    pub course_ids: Json<Vec<String>>,
    pub active: bool,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// The whole catalogue, by id (parents sort before their children).
pub fn catalogue(c: &mut DbConn) -> Result<Vec<AreaRow>, StoreError> {
    Ok(competency_areas::table
        .order(competency_areas::id.asc())
        .select(AreaRow::as_select())
        .load(c)?)
}

pub fn area(c: &mut DbConn, id: &str) -> Result<Option<AreaRow>, StoreError> {
    Ok(competency_areas::table
        .find(id)
        .select(AreaRow::as_select())
        .first(c)
        .optional()?)
}

/// Creates (`expected` 0) or replaces (`expected` the version read) one
/// node of the catalogue, audited. `check` sees the parent and the children
/// as stored in the same transaction, no other catalogue write between,
/// and may refuse the write.
pub fn put_area(
    c: &mut DbConn,
    actor: &Actor,
    mut row: AreaRow,
    expected: i64,
    check: impl FnOnce(Option<&AreaRow>, &[AreaRow]) -> Result<(), StoreError>,
) -> Result<AreaRow, StoreError> {
    // One lock for the whole catalogue, not the node: a node's check reads
    // its parent and its children, which other writes change. With a lock
    // per node, an area's change of kind and a theme added under it at once
    // each passed on what it read, and the branch mixed kinds.
    audit::audited_locked(c, actor, "competency_catalogue", |c| {
        let before = area(c, &row.id)?;
        let parent = match &row.parent_id {
            Some(p) => area(c, p)?,
            None => None,
        };
        let children: Vec<AreaRow> = competency_areas::table
            .filter(competency_areas::parent_id.eq(&row.id))
            .select(AreaRow::as_select())
            .load(c)?;
        check(parent.as_ref(), &children)?;
        let current = before.as_ref().map_or(0, |b| b.version);
        if current != expected {
            return Err(StoreError::Stale);
        }
        row.version = expected + 1;
        if before.is_some() {
            diesel::update(
                competency_areas::table
                    .find(&row.id)
                    .filter(competency_areas::version.eq(expected)),
            )
            .set((
                competency_areas::parent_id.eq(&row.parent_id),
                competency_areas::level.eq(&row.level),
                competency_areas::kind.eq(&row.kind),
                competency_areas::name.eq(&row.name),
                competency_areas::description.eq(&row.description),
                competency_areas::course_ids.eq(&row.course_ids),
                competency_areas::active.eq(row.active),
                competency_areas::version.eq(row.version),
                competency_areas::updated_by.eq(&row.updated_by),
                competency_areas::updated_at.eq(row.updated_at),
            ))
            .execute(c)?;
        } else {
            diesel::insert_into(competency_areas::table)
                .values(&row)
                .execute(c)?;
        }
        let snapshot = |r: &AreaRow| {
            json!({"parent_id": r.parent_id, "level": r.level, "kind": r.kind, "name": r.name,
                   "course_ids": r.course_ids.text(), "active": r.active, "version": r.version})
        };
        let change = Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "competency_area",
            entity_id: row.id.clone(),
            org_id: None,
            before: before.as_ref().map(snapshot),
            after: Some(snapshot(&row)),
        };
        Ok((row, change))
    })
}

/// A chosen area in the catalogue: its node and the names from the top of
/// the tree down to it. A choice naming no area of the catalogue, or a
/// tree deeper than its three levels, is unreadable stored data
/// (`Corrupt`, a 500).
pub fn place<'a>(
    catalogue: &'a [AreaRow],
    area_id: &str,
) -> Result<(&'a AreaRow, Vec<String>), StoreError> {
    let node = |id: &str| catalogue.iter().find(|a| a.id == id);
    let chosen = node(area_id).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "employee_interests: area {area_id} not in the catalogue"
        ))
    })?;
    let mut path = Vec::new();
    let mut at = Some(chosen);
    while let Some(n) = at {
        path.push(n.name.clone());
        if path.len() > 3 {
            return Err(StoreError::Corrupt(format!(
                "competency_areas {area_id}: deeper than three levels"
            )));
        }
        at = n.parent_id.as_deref().and_then(node);
    }
    path.reverse();
    Ok((chosen, path))
}

/// One chosen area.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = employee_interests, treat_none_as_default_value = false)]
pub struct InterestRow {
    pub employee_code: String,
    pub area_id: String,
    pub rank: i32,
    pub note: Option<String>,
}

/// An employee's choice: version 0 and no items until first recorded.
#[derive(Debug, Clone, Default)]
pub struct InterestSet {
    pub version: i64,
    pub updated_at: Option<NaiveDateTime>,
    /// By rank.
    pub items: Vec<InterestRow>,
}

pub fn interests(c: &mut DbConn, code: &str) -> Result<InterestSet, StoreError> {
    let set = interest_sets::table
        .find(code)
        .select((interest_sets::version, interest_sets::updated_at))
        .first::<(i64, NaiveDateTime)>(c)
        .optional()?;
    let Some((version, updated_at)) = set else {
        return Ok(InterestSet::default());
    };
    let items = employee_interests::table
        .filter(employee_interests::employee_code.eq(code))
        .order(employee_interests::rank.asc())
        .select(InterestRow::as_select())
        .load(c)?;
    Ok(InterestSet {
        version,
        updated_at: Some(updated_at),
        items,
    })
}

/// Replaces an employee's choice if it is still at `expected` (`Stale`
/// otherwise), audited with the choice before and after (PRF-4).
pub fn replace_interests(
    c: &mut DbConn,
    actor: &Actor,
    code: &str,
    org_id: &str,
    expected: i64,
    items: Vec<InterestRow>,
    at: NaiveDateTime,
) -> Result<InterestSet, StoreError> {
    audit::audited_locked(c, actor, &format!("interests:{code}"), |c| {
        let before = interests(c, code)?;
        if before.version != expected {
            return Err(StoreError::Stale);
        }
        let version = expected + 1;
        if expected == 0 {
            diesel::insert_into(interest_sets::table)
                .values((
                    interest_sets::employee_code.eq(code),
                    interest_sets::version.eq(version),
                    interest_sets::updated_at.eq(at),
                ))
                .execute(c)?;
        } else {
            diesel::update(interest_sets::table.find(code))
                .set((
                    interest_sets::version.eq(version),
                    interest_sets::updated_at.eq(at),
                ))
                .execute(c)?;
            diesel::delete(
                employee_interests::table.filter(employee_interests::employee_code.eq(code)),
            )
            .execute(c)?;
        }
        // One by one: the MultiConnection has no batch insert.
        for item in &items {
            diesel::insert_into(employee_interests::table)
                .values(item)
                .execute(c)?;
        }
        let listed = |set: &[InterestRow]| {
            json!(set
                .iter()
                .map(|i| json!({"area_id": i.area_id, "rank": i.rank, "note": i.note}))
                .collect::<Vec<_>>())
        };
        let change = Change {
            action: "replace",
            entity: "interests",
            entity_id: code.to_owned(),
            org_id: Some(org_id.to_owned()),
            before: Some(json!({"version": before.version, "items": listed(&before.items)})),
            after: Some(json!({"version": version, "items": listed(&items)})),
        };
        Ok((
            InterestSet {
                version,
                updated_at: Some(at),
                items,
            },
            change,
        ))
    })
}

/// One chosen area of one visible employee: (area, grade, organisation,
/// its parent). The API counts them by area, grade and ministry.
pub type DemandRow = (String, String, String, Option<String>);

/// Every choice of the employees `visibility` lets the caller see.
pub fn demand_rows(c: &mut DbConn, visibility: &Visibility) -> Result<Vec<DemandRow>, StoreError> {
    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
        return Ok(Vec::new());
    };
    Ok(employee_interests::table
        .inner_join(employees::table.inner_join(organisations::table))
        .filter(visible)
        .select((
            employee_interests::area_id,
            employees::grade,
            organisations::id,
            organisations::parent_id,
        ))
        .load(c)?)
}
