//! PRF-3: sanctioned strength per organisation × cadre × grade, entered and
//! validated by the nodal officer; in-position counted from employees.

use chrono::NaiveDateTime;
use cscms_domain::cadre::Cadre;
use cscms_domain::organisation::OrgId;
use cscms_domain::profile::StrengthValidation;
use cscms_domain::working_strength::{Precondition, StrengthTag};
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::schema::{employees, working_strength, working_strength_sets};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = working_strength_sets)]
pub struct SetRow {
    pub org_id: OrgId,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    pub validated_at: Option<NaiveDateTime>,
    pub validated_by: Option<String>,
    /// Since when the figures have stood not validated, up to `validated_at`
    /// when that came after (null: since first entered).
    pub unvalidated_since: Option<NaiveDateTime>,
}

impl SetRow {
    /// Where the figures stand for validation (PRF-2, PRF-3).
    pub fn validation(&self) -> StrengthValidation {
        StrengthValidation {
            validated_at: self.validated_at,
            unvalidated_since: self.unvalidated_since,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = working_strength, treat_none_as_default_value = false)]
pub struct Entry {
    pub org_id: OrgId,
    pub cadre: Cadre,
    pub grade: String,
    pub sanctioned: i32,
}

/// The working strength of an organisation as stored.
#[derive(Debug, Clone)]
pub struct WorkingStrength {
    /// `None` until the nodal officer first enters it.
    pub set: Option<SetRow>,
    pub sanctioned: Vec<Entry>,
    /// (cadre, grade, employees in position)
    pub in_position: Vec<(Cadre, String, i64)>,
}

impl WorkingStrength {
    /// The validator of everything this working strength shows (PRF-3).
    pub fn tag(&self) -> StrengthTag {
        StrengthTag::new(
            self.set.as_ref().map_or(0, |s| s.version),
            &self.in_position,
        )
    }
}

pub fn get(c: &mut DbConn, org: &OrgId) -> Result<WorkingStrength, StoreError> {
    let set = working_strength_sets::table
        .find(org)
        .select(SetRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("working_strength_sets", org))?;
    let sanctioned = working_strength::table
        .filter(working_strength::org_id.eq(org))
        .order((working_strength::cadre, working_strength::grade))
        .select(Entry::as_select())
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("working_strength of", org))?;
    let in_position = employees::table
        .filter(employees::org_id.eq(org))
        .group_by((employees::cadre, employees::grade))
        .select((
            employees::cadre,
            employees::grade,
            diesel::dsl::count_star(),
        ))
        .load::<(Cadre, String, i64)>(c)
        .map_err(|e| StoreError::from(e).in_row("employees of", org))?;
    Ok(WorkingStrength {
        set,
        sanctioned,
        in_position,
    })
}

/// Replaces the sanctioned strength of an organisation if `expected` still
/// holds of it (the working strength read, or the version of its entries,
/// 0 when none was entered yet); audited.
pub fn replace(
    c: &mut DbConn,
    actor: &Actor,
    org: &OrgId,
    expected: Precondition,
    entries: Vec<Entry>,
    validate: bool,
    at: NaiveDateTime,
) -> Result<WorkingStrength, StoreError> {
    audit::audited_locked(c, actor, &format!("working_strength:{org}"), |c| {
        // The version read here decides the write: one writer per organisation.
        let before = get(c, org)?;
        let current = before.tag();
        if !expected.holds(current) {
            return Err(StoreError::Stale);
        }
        let expected_version = current.version;
        let validated = validate.then(|| (at, actor.sub.clone()));
        // The time the figures have stood not validated goes on from
        // before this write, or starts with it when they were validated.
        let unvalidated_since = match &before.set {
            Some(set) if set.validated_at.is_some() => Some(at),
            Some(set) => set.unvalidated_since,
            None => None,
        };
        if before.set.is_none() {
            diesel::insert_into(working_strength_sets::table)
                .values((
                    working_strength_sets::org_id.eq(org),
                    working_strength_sets::version.eq(1i64),
                    working_strength_sets::updated_at.eq(at),
                    working_strength_sets::updated_by.eq(&actor.sub),
                    working_strength_sets::validated_at.eq(validated.as_ref().map(|v| v.0)),
                    working_strength_sets::validated_by.eq(validated.as_ref().map(|v| v.1.clone())),
                    working_strength_sets::unvalidated_since.eq(unvalidated_since),
                ))
                .execute(c)
                // Another first entry won the race: this one's version is stale.
                .map_err(|e| match StoreError::from_write(e, "working strength") {
                    StoreError::Conflict(_) => StoreError::Stale,
                    other => other,
                })?;
        } else {
            // The version guard makes a concurrent replacement fail, not merge.
            let n = diesel::update(
                working_strength_sets::table
                    .filter(working_strength_sets::org_id.eq(org))
                    .filter(working_strength_sets::version.eq(expected_version)),
            )
            .set((
                working_strength_sets::version.eq(expected_version + 1),
                working_strength_sets::updated_at.eq(at),
                working_strength_sets::updated_by.eq(&actor.sub),
                working_strength_sets::validated_at.eq(validated.as_ref().map(|v| v.0)),
                working_strength_sets::validated_by.eq(validated.as_ref().map(|v| v.1.clone())),
                working_strength_sets::unvalidated_since.eq(unvalidated_since),
            ))
            .execute(c)?;
            if n == 0 {
                return Err(StoreError::Stale);
            }
        }
        diesel::delete(working_strength::table.filter(working_strength::org_id.eq(org)))
            .execute(c)?;
        for e in &entries {
            diesel::insert_into(working_strength::table)
                .values(e)
                .execute(c)?;
        }
        let after = get(c, org)?;
        let change = Change {
            action: if validate {
                "replace_and_validate"
            } else {
                "replace"
            },
            entity: "working_strength",
            entity_id: org.to_string(),
            org_id: Some(org.to_string()),
            // By field, as every audit entry's values are.
            before: Some(serde_json::json!({ "sanctioned": before.sanctioned })),
            after: Some(serde_json::json!({ "sanctioned": after.sanctioned })),
        };
        Ok((after, change))
    })
}
