//! ROT-1: the officers' ranked lists of preferences in a round, and who of
//! a round's cadre and grades has given one. Each list is audited under the
//! officer's organisation, so their nodal officer reads the change.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::cadre::Cadre;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::rotation::round::officer_grades;
use cscms_domain::scope::Visibility;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::employees::{EmployeeRow, ServiceEventRow};
use crate::json::Json;
use crate::schema::{employees, organisations, rotation_preferences, service_events};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rotation_preferences, treat_none_as_default_value = false)]
pub struct PreferenceRow {
    pub round_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    /// Ministry ids, most wanted first.
    pub ministries: Json<Vec<String>>,
    pub version: i64,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn preference(
    c: &mut DbConn,
    round_id: i64,
    code: &EmployeeCode,
) -> Result<Option<PreferenceRow>, StoreError> {
    rotation_preferences::table
        .find((round_id, code))
        .select(PreferenceRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| {
            StoreError::from(e).in_row("rotation_preferences", &format!("{round_id}/{code}"))
        })
}

/// Gives or replaces an officer's list: `expected` 0 gives the first one
/// (`Stale` if there is one already), otherwise the list must be at that
/// version.
pub fn put_preference(
    c: &mut DbConn,
    actor: &Actor,
    row: &PreferenceRow,
    expected: i64,
) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let before = preference(c, row.round_id, &row.employee_code)?;
        let version = match (&before, expected) {
            (None, 0) => {
                diesel::insert_into(rotation_preferences::table)
                    .values(PreferenceRow {
                        version: 1,
                        ..row.clone()
                    })
                    .execute(c)
                    .map_err(|e| StoreError::from_write(e, "preferences given meanwhile"))?;
                1
            }
            (Some(b), v) if b.version == v => {
                let n = diesel::update(
                    rotation_preferences::table
                        .find((row.round_id, &row.employee_code))
                        .filter(rotation_preferences::version.eq(v)),
                )
                .set((
                    rotation_preferences::ministries.eq(&row.ministries),
                    rotation_preferences::org_id.eq(&row.org_id),
                    rotation_preferences::version.eq(v + 1),
                    rotation_preferences::updated_at.eq(row.updated_at),
                ))
                .execute(c)?;
                if n != 1 {
                    return Err(StoreError::Stale);
                }
                v + 1
            }
            _ => return Err(StoreError::Stale),
        };
        let change = Change {
            action: if before.is_some() { "amend" } else { "submit" },
            entity: "rotation_preferences",
            entity_id: format!("{}/{}", row.round_id, row.employee_code),
            org_id: Some(row.org_id.to_string()),
            before: before
                .map(|b| json!({ "ministries": b.ministries.get(), "version": b.version })),
            after: Some(json!({ "ministries": row.ministries.get(), "version": version })),
        };
        Ok((version, change))
    })
}

/// One officer of a round's cadre and grades, and when they gave their list.
#[derive(Debug, Clone)]
pub struct Submission {
    pub employee: EmployeeRow,
    /// The service history, for ROT-2.
    pub history: Vec<ServiceEventRow>,
    /// The dates of DoPT's records that promotion is likely (ROT-2).
    pub promotion_outlooks: Vec<NaiveDate>,
    pub submitted_at: Option<NaiveDateTime>,
}

/// Every officer [`submissions`] lists for the round `(id, cadre, grades)`
/// under `visibility`, by code, given to `each`; read `part` at a time, so
/// a cadre's thousands are never held at once.
pub fn each_submission(
    c: &mut DbConn,
    (round_id, cadre, grades): (i64, Cadre, &[String]),
    visibility: &Visibility,
    part: i64,
    mut each: impl FnMut(&Submission),
) -> Result<(), StoreError> {
    let mut from: Option<EmployeeCode> = None;
    loop {
        let read = submissions(c, round_id, visibility, cadre, grades, from.as_ref(), part)?;
        read.iter().for_each(&mut each);
        match read.last() {
            Some(last) if i64::try_from(read.len()) == Ok(part) => {
                from = Some(last.employee.code.clone());
            }
            _ => return Ok(()),
        }
    }
}

/// The officers of `cadre` a round of `grades` takes (each grade and its
/// non-functional scale, `round::officer_grades`) visible under
/// `visibility`, by code, each with the time they gave a list in the
/// round, if they did: at most `limit` after the code `after`.
pub fn submissions(
    c: &mut DbConn,
    round_id: i64,
    visibility: &Visibility,
    cadre: Cadre,
    grades: &[String],
    after: Option<&EmployeeCode>,
    limit: i64,
) -> Result<Vec<Submission>, StoreError> {
    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
        return Ok(Vec::new());
    };
    let mut q = employees::table
        .inner_join(organisations::table)
        .filter(visible)
        .filter(employees::cadre.eq(cadre))
        .filter(employees::grade.eq_any(officer_grades(cadre, grades)))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(employees::code.gt(a));
    }
    let officers: Vec<EmployeeRow> = q
        .order(employees::code.asc())
        .limit(limit)
        .select(EmployeeRow::as_select())
        .load(c)?;
    let codes: Vec<&str> = officers.iter().map(|e| e.code.as_str()).collect();
    let mut histories: BTreeMap<String, Vec<ServiceEventRow>> = BTreeMap::new();
    for ev in service_events::table
        .filter(service_events::employee_code.eq_any(&codes))
        .order(service_events::id.asc())
        .select(ServiceEventRow::as_select())
        .load::<ServiceEventRow>(c)?
    {
        histories
            .entry(ev.employee_code.to_string())
            .or_default()
            .push(ev);
    }
    let given: BTreeMap<String, NaiveDateTime> = rotation_preferences::table
        .filter(rotation_preferences::round_id.eq(round_id))
        .filter(rotation_preferences::employee_code.eq_any(&codes))
        .select((
            rotation_preferences::employee_code,
            rotation_preferences::submitted_at,
        ))
        .load::<(String, NaiveDateTime)>(c)?
        .into_iter()
        .collect();
    let mut outlooks = crate::promotion_outlooks::dates_of(c, &codes)?;
    Ok(officers
        .into_iter()
        .map(|e| Submission {
            submitted_at: given.get(e.code.as_str()).copied(),
            history: histories.remove(e.code.as_str()).unwrap_or_default(),
            promotion_outlooks: outlooks.remove(e.code.as_str()).unwrap_or_default(),
            employee: e,
        })
        .collect())
}

/// The lists given in a round, by officer.
pub fn lists(
    c: &mut DbConn,
    round_id: i64,
) -> Result<BTreeMap<String, Json<Vec<String>>>, StoreError> {
    Ok(rotation_preferences::table
        .filter(rotation_preferences::round_id.eq(round_id))
        .select((
            rotation_preferences::employee_code,
            rotation_preferences::ministries,
        ))
        .load::<(String, Json<Vec<String>>)>(c)
        .map_err(|e| StoreError::from(e).in_row("rotation_preferences of round", &round_id))?
        .into_iter()
        .collect())
}

/// An officer as ROT-2 decides on them: where they serve (and the ministry
/// above their body), their service history and the dates of DoPT's
/// records that promotion is likely.
#[derive(Debug, Clone)]
pub struct OfficerFacts {
    pub placed: crate::employees::Placed<EmployeeRow>,
    pub history: Vec<ServiceEventRow>,
    pub promotion: Vec<NaiveDate>,
}

/// [`OfficerFacts`] of an officer; `None` when no employee has the code.
pub fn officer(c: &mut DbConn, code: &EmployeeCode) -> Result<Option<OfficerFacts>, StoreError> {
    let Some(placed) = crate::employees::get(c, code)? else {
        return Ok(None);
    };
    Ok(Some(OfficerFacts {
        placed,
        history: crate::employees::history(c, code)?,
        promotion: crate::promotion_outlooks::dates(c, code.as_str())?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read a part at a time, every officer comes once and in order, as
    /// one read of the whole list gives them.
    #[test]
    fn every_officer_once_whatever_the_part() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let mut c = url.establish().unwrap();
        crate::seed::demo(&mut c, 300).unwrap();
        let grades: Vec<String> = cscms_domain::cadre::grades_of(Cadre::Css)
            .map(|g| g.code.clone())
            .collect();
        let round = (1, Cadre::Css, grades.as_slice());
        let all: Vec<String> = submissions(
            &mut c,
            1,
            &Visibility::All,
            Cadre::Css,
            &grades,
            None,
            i64::MAX,
        )
        .unwrap()
        .into_iter()
        .map(|s| s.employee.code.to_string())
        .collect();
        assert!(all.len() > 20, "{} officers", all.len());
        let mut parts_checked = 0;
        for part in [1, 7, i64::try_from(all.len()).unwrap(), 10_000] {
            let mut seen = Vec::new();
            each_submission(&mut c, round, &Visibility::All, part, |s| {
                seen.push(s.employee.code.to_string())
            })
            .unwrap();
            assert_eq!(seen, all, "read {part} at a time");
            parts_checked += 1;
        }
        assert_eq!(parts_checked, 4);
    }
}
