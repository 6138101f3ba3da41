//! Profiles: the employee's personal sections (JSON) beside the service
//! record (employee columns), one version number over both for `ETag`s.

use chrono::NaiveDateTime;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::profile::{PendingCursor, ProfileDoc, ProfileStatus, Round, ServiceRecord};
use cscms_domain::scope::Visibility;
use diesel::prelude::*;
use serde_json::{Map, Value};

use crate::audit::{self, Actor, Change};
use crate::employees::{self, EmployeeRow};
use crate::json::Json;
use crate::schema::{employees as emp, organisations, profiles, validation_rounds};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = profiles, treat_none_as_default_value = false)]
pub struct ProfileRow {
    pub employee_code: EmployeeCode,
    pub status: ProfileStatus,
    pub data: String,
    pub version: i64,
    pub submitted_at: Option<NaiveDateTime>,
    pub first_submitted_at: Option<NaiveDateTime>,
    pub validated_at: Option<NaiveDateTime>,
    pub validated_by: Option<String>,
    pub returned_reasons: Option<Json<Vec<String>>>,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

/// A profile with the employee it belongs to and where they sit.
#[derive(Debug, Clone)]
pub struct ProfileRecord {
    pub profile: ProfileRow,
    pub employee: EmployeeRow,
    pub org_parent: Option<OrgId>,
}

impl ProfileRecord {
    pub fn status(&self) -> ProfileStatus {
        self.profile.status
    }

    /// Why the profile was last returned; none if it never was.
    pub fn returned_reasons(&self) -> Vec<String> {
        self.profile
            .returned_reasons
            .as_ref()
            .map(|r| r.get().clone())
            .unwrap_or_default()
    }

    /// The whole document: personal sections from the profile, the service
    /// record from the employee columns.
    pub fn document(&self) -> Result<ProfileDoc, StoreError> {
        let mut doc: Map<String, Value> = serde_json::from_str(&self.profile.data)
            .map_err(|e| StoreError::Corrupt(format!("profile data: {e}")))?;
        let service = serde_json::to_value(service_of(&self.employee))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        doc.insert("service".into(), service);
        serde_json::from_value(Value::Object(doc))
            .map_err(|e| StoreError::Corrupt(format!("profile: {e}")))
    }
}

pub(crate) fn create_empty(
    c: &mut DbConn,
    code: &EmployeeCode,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(profiles::table)
        .values(empty_row(code, at))
        .execute(c)?;
    Ok(())
}

/// The draft profile every new employee starts with.
pub(crate) fn empty_row(code: &EmployeeCode, at: NaiveDateTime) -> ProfileRow {
    ProfileRow {
        employee_code: code.clone(),
        status: ProfileStatus::Draft,
        data: "{}".into(),
        version: 1,
        submitted_at: None,
        first_submitted_at: None,
        validated_at: None,
        validated_by: None,
        returned_reasons: None,
        updated_at: at,
        updated_by: "system".into(),
    }
}

pub fn load(c: &mut DbConn, code: &EmployeeCode) -> Result<Option<ProfileRecord>, StoreError> {
    let Some(placed) = employees::get(c, code)? else {
        return Ok(None);
    };
    let profile = profiles::table
        .find(code)
        .select(ProfileRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("profiles", code))?;
    Ok(profile.map(|profile| ProfileRecord {
        profile,
        employee: placed.record,
        org_parent: placed.org_parent,
    }))
}

/// The service record as the employee's columns hold it.
fn service_of(e: &EmployeeRow) -> ServiceRecord {
    ServiceRecord {
        date_of_birth: e.date_of_birth,
        joined_government_on: e.joined_government_on,
        joined_entry_grade_on: e.joined_entry_grade_on,
        joined_present_grade_on: e.joined_present_grade_on,
        cadre: e.cadre.as_str().to_owned(),
        grade: e.grade.clone(),
        pay_level: e.pay_level.clone(),
        pay_cell: e.pay_cell,
        org_id: e.org_id.to_string(),
    }
}

/// What a write does to a profile, decided by the caller.
#[derive(Debug, Clone)]
pub struct ProfileWrite {
    pub action: &'static str,
    pub status: ProfileStatus,
    /// The new document (unchanged for pure status moves).
    pub doc: ProfileDoc,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub validated: Option<(NaiveDateTime, String)>,
    pub returned_reasons: Option<Vec<String>>,
    /// Audit before/after, already reduced to what changed.
    pub before: Value,
    pub after: Value,
}

fn personal_json(doc: &ProfileDoc) -> Result<String, StoreError> {
    let mut v = serde_json::to_value(doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if let Some(m) = v.as_object_mut() {
        m.remove("service");
    }
    Ok(v.to_string())
}

/// Applies a write if the profile is still at `expected_version`; one
/// audit row and change event with it. A stale version is `Stale`.
pub fn write(
    c: &mut DbConn,
    actor: &Actor,
    code: &EmployeeCode,
    expected_version: i64,
    w: ProfileWrite,
    at: NaiveDateTime,
) -> Result<ProfileRecord, StoreError> {
    audit::audited(c, actor, |c| {
        let data = personal_json(&w.doc)?;
        // The employee's row first, as every writer of it takes it (a
        // rotation run: `rotation::runs::approve_run`), then the version:
        // a write based on a document another writer has since changed,
        // its service record included (`service_changed`), is refused here
        // rather than writing that record back over the change (PRF-4).
        let s = &w.doc.service;
        let held: EmployeeRow = emp::table
            .find(code)
            .select(EmployeeRow::as_select())
            .first(c)
            .map_err(|e| StoreError::from(e).in_row("employees", code))?;
        diesel::update(emp::table.find(code))
            .set((
                emp::date_of_birth.eq(s.date_of_birth),
                emp::joined_government_on.eq(s.joined_government_on),
                emp::joined_entry_grade_on.eq(s.joined_entry_grade_on),
                emp::joined_present_grade_on.eq(s.joined_present_grade_on),
                emp::cadre.eq(&s.cadre),
                emp::grade.eq(&s.grade),
                emp::pay_level.eq(&s.pay_level),
                emp::pay_cell.eq(s.pay_cell),
                emp::org_id.eq(&s.org_id),
                emp::updated_at.eq(at),
                emp::version.eq(emp::version + 1),
            ))
            .execute(c)?;
        let updated = diesel::update(
            profiles::table
                .filter(profiles::employee_code.eq(code))
                .filter(profiles::version.eq(expected_version)),
        )
        .set((
            profiles::status.eq(w.status.as_str()),
            profiles::data.eq(&data),
            profiles::version.eq(expected_version + 1),
            profiles::updated_at.eq(at),
            profiles::updated_by.eq(&actor.sub),
        ))
        .execute(c)?;
        if updated == 0 {
            return Err(StoreError::Stale);
        }
        // What rests on the record (the kept MACP and NFS dates, issue 17:
        // the dates of joining, the cadre and the grade), in the same
        // transaction, when a correction changed it.
        if service_of(&held) != *s {
            crate::macp_due::recompute(c, std::slice::from_ref(code))?;
        }
        if let Some(submitted_at) = w.submitted_at {
            diesel::update(profiles::table.find(code))
                .set(profiles::submitted_at.eq(submitted_at))
                .execute(c)?;
            if let Some(at) = submitted_at {
                diesel::update(
                    profiles::table
                        .find(code)
                        .filter(profiles::first_submitted_at.is_null()),
                )
                .set(profiles::first_submitted_at.eq(at))
                .execute(c)?;
            }
        }
        if let Some((at, by)) = &w.validated {
            diesel::update(profiles::table.find(code))
                .set((profiles::validated_at.eq(at), profiles::validated_by.eq(by)))
                .execute(c)?;
        }
        if let Some(reasons) = &w.returned_reasons {
            diesel::update(profiles::table.find(code))
                .set(profiles::returned_reasons.eq(Json::new(reasons.clone())?))
                .execute(c)?;
        }
        let record =
            load(c, code)?.ok_or_else(|| StoreError::Corrupt("profile vanished".into()))?;
        let change = Change {
            action: w.action,
            entity: "profile",
            entity_id: code.to_string(),
            org_id: Some(record.employee.org_id.to_string()),
            before: Some(w.before),
            after: Some(w.after),
        };
        Ok((record, change))
    })
}

/// A write other than the profile's own changed the employee's service
/// record (a transfer): the profile's document changed with it, so its
/// version moves on. Its `ETag` then no longer matches, and a change based
/// on the document read before is refused (412) rather than writing the
/// old record back (PRF-4). Call it after the employee's row is updated,
/// in the same transaction. An employee without a profile has none to move.
pub(crate) fn service_changed(c: &mut DbConn, code: &EmployeeCode) -> Result<(), StoreError> {
    diesel::update(profiles::table.find(code))
        .set(profiles::version.eq(profiles::version + 1))
        .execute(c)?;
    Ok(())
}

/// Submitted profiles awaiting validation in the caller's scope, oldest
/// first, a page of at most `limit` after the cursor `after`.
pub fn pending(
    c: &mut DbConn,
    visibility: &Visibility,
    after: Option<&PendingCursor>,
    limit: i64,
) -> Result<Vec<ProfileRecord>, StoreError> {
    let mut q = profiles::table
        .inner_join(emp::table.inner_join(organisations::table))
        .filter(profiles::status.eq(ProfileStatus::Submitted.as_str()))
        .into_boxed();
    // Keyed on the list's order, unique with the employee's code, so a
    // profile is neither skipped nor repeated between pages.
    if let Some(a) = after {
        q = q.filter(
            profiles::submitted_at
                .gt(a.submitted_at)
                .or(profiles::submitted_at
                    .eq(a.submitted_at)
                    .and(profiles::employee_code.gt(&a.code))),
        );
    }
    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
        return Ok(Vec::new());
    };
    q = q.filter(visible);
    let rows = q
        .order((profiles::submitted_at.asc(), profiles::employee_code.asc()))
        .limit(limit)
        .select((
            ProfileRow::as_select(),
            EmployeeRow::as_select(),
            organisations::parent_id,
        ))
        .load::<(ProfileRow, EmployeeRow, Option<OrgId>)>(c)?;
    Ok(rows
        .into_iter()
        .map(|(profile, employee, org_parent)| ProfileRecord {
            profile,
            employee,
            org_parent,
        })
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = validation_rounds)]
pub struct RoundRow {
    pub id: i64,
    pub opened_by: String,
    pub opened_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub orgs: Option<String>,
    pub note: Option<String>,
}

impl RoundRow {
    pub fn orgs(&self) -> Option<Vec<String>> {
        self.orgs
            .as_deref()
            .and_then(|o| serde_json::from_str(o).ok())
    }

    pub fn rule(&self) -> Round {
        Round {
            id: self.id,
            deadline: self.deadline,
            orgs: self.orgs(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = validation_rounds, treat_none_as_default_value = false)]
struct NewRound<'a> {
    opened_by: &'a str,
    opened_at: NaiveDateTime,
    deadline: NaiveDateTime,
    orgs: Option<String>,
    note: Option<&'a str>,
}

pub fn rounds(c: &mut DbConn) -> Result<Vec<RoundRow>, StoreError> {
    Ok(validation_rounds::table
        .order(validation_rounds::deadline.asc())
        .select(RoundRow::as_select())
        .load(c)?)
}

pub fn open_round(
    c: &mut DbConn,
    actor: &Actor,
    deadline: NaiveDateTime,
    orgs: Option<Vec<String>>,
    note: Option<String>,
    at: NaiveDateTime,
) -> Result<RoundRow, StoreError> {
    audit::audited(c, actor, |c| {
        let orgs_json = orgs
            .as_ref()
            .map(|o| serde_json::to_string(o).unwrap_or_default());
        let id: i64 = diesel::insert_into(validation_rounds::table)
            .values(NewRound {
                opened_by: &actor.sub,
                opened_at: at,
                deadline,
                orgs: orgs_json,
                note: note.as_deref(),
            })
            .returning(validation_rounds::id)
            .get_result(c)?;
        let row = validation_rounds::table
            .find(id)
            .select(RoundRow::as_select())
            .first(c)?;
        let change = Change {
            action: "open",
            entity: "validation_round",
            entity_id: id.to_string(),
            org_id: None,
            before: None,
            after: Some(serde_json::json!({"deadline": deadline, "orgs": orgs, "note": note})),
        };
        Ok((row, change))
    })
}
