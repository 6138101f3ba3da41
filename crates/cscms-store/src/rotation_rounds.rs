//! ROT-1: rotation rounds DoPT announces and the officers' lists of
//! preferences, each write audited with its change event.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::cadre::Cadre;
use cscms_domain::employee::{EmployeeCode, ServiceEventKind};
use cscms_domain::organisation::OrgId;
use cscms_domain::rotation::round::RoundState;
use cscms_domain::scope::Visibility;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::employees::{EmployeeRow, ServiceEventRow};
use crate::json::Json;
use crate::schema::{
    employees, organisations, rotation_preferences, rotation_rounds, rotation_runs, service_events,
};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rotation_rounds)]
pub struct RoundRow {
    pub id: i64,
    pub cadre: Cadre,
    /// The grade codes of the round.
    pub grades: Json<Vec<String>>,
    pub preferences_open: NaiveDate,
    pub preferences_close: NaiveDate,
    pub allocation_on: NaiveDate,
    pub orders_on: NaiveDate,
    pub min_preferences: i32,
    pub max_preferences: i32,
    pub state: RoundState,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The terms of a round as the API has checked them.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = rotation_rounds)]
pub struct RoundTermsRow {
    pub cadre: String,
    pub grades: String,
    pub preferences_open: NaiveDate,
    pub preferences_close: NaiveDate,
    pub allocation_on: NaiveDate,
    pub orders_on: NaiveDate,
    pub min_preferences: i32,
    pub max_preferences: i32,
}

#[derive(Insertable)]
#[diesel(table_name = rotation_rounds)]
struct NewRound<'a> {
    #[diesel(embed)]
    terms: RoundTermsRow,
    state: &'a str,
    version: i64,
    created_by: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn terms_json(t: &RoundTermsRow) -> serde_json::Value {
    json!({
        "cadre": t.cadre,
        "grades": serde_json::from_str::<serde_json::Value>(&t.grades).ok(),
        "preferences_open": t.preferences_open,
        "preferences_close": t.preferences_close,
        "allocation_on": t.allocation_on,
        "orders_on": t.orders_on,
        "min_preferences": t.min_preferences,
        "max_preferences": t.max_preferences,
    })
}

/// Announces a round (version 1), audited.
pub fn create(
    c: &mut DbConn,
    actor: &Actor,
    terms: &RoundTermsRow,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let id: i64 = diesel::insert_into(rotation_rounds::table)
            .values(NewRound {
                terms: terms.clone(),
                state: "announced",
                version: 1,
                created_by: &actor.sub,
                created_at: at,
                updated_at: at,
            })
            .returning(rotation_rounds::id)
            .get_result(c)?;
        let change = Change {
            action: "announce",
            entity: "rotation_round",
            entity_id: id.to_string(),
            org_id: None,
            before: None,
            after: Some(terms_json(terms)),
        };
        Ok((id, change))
    })
}

/// Replaces the terms of a round still announced at version `expected`
/// (`Stale` otherwise), audited with the terms before and after.
pub fn amend(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected: i64,
    terms: &RoundTermsRow,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    audit::audited(c, actor, |c| {
        let before = get(c, id)?.ok_or(StoreError::Stale)?;
        let n = diesel::update(
            rotation_rounds::table
                .find(id)
                .filter(rotation_rounds::version.eq(expected))
                .filter(rotation_rounds::state.eq("announced")),
        )
        .set((
            terms,
            rotation_rounds::version.eq(expected + 1),
            rotation_rounds::updated_at.eq(at),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        let old = RoundTermsRow {
            cadre: before.cadre.as_str().to_owned(),
            grades: before.grades.text().to_owned(),
            preferences_open: before.preferences_open,
            preferences_close: before.preferences_close,
            allocation_on: before.allocation_on,
            orders_on: before.orders_on,
            min_preferences: before.min_preferences,
            max_preferences: before.max_preferences,
        };
        let change = Change {
            action: "amend",
            entity: "rotation_round",
            entity_id: id.to_string(),
            org_id: None,
            before: Some(terms_json(&old)),
            after: Some(terms_json(terms)),
        };
        Ok(((), change))
    })
}

/// Cancels a round still announced at version `expected` (`Stale`
/// otherwise), audited with the reason.
pub fn cancel(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected: i64,
    reason: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    audit::audited(c, actor, |c| {
        let n = diesel::update(
            rotation_rounds::table
                .find(id)
                .filter(rotation_rounds::version.eq(expected))
                .filter(rotation_rounds::state.eq("announced")),
        )
        .set((
            rotation_rounds::state.eq("cancelled"),
            rotation_rounds::cancel_reason.eq(Some(reason)),
            rotation_rounds::version.eq(expected + 1),
            rotation_rounds::updated_at.eq(at),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        let change = Change {
            action: "cancel",
            entity: "rotation_round",
            entity_id: id.to_string(),
            org_id: None,
            before: Some(json!({ "state": "announced" })),
            after: Some(json!({ "state": "cancelled", "reason": reason })),
        };
        Ok(((), change))
    })
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<RoundRow>, StoreError> {
    Ok(rotation_rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(c)
        .optional()?)
}

/// Rounds, newest first; with `cadre` and `open_on`, only the cadre's
/// announced rounds whose window has not closed by that day.
pub fn list(
    c: &mut DbConn,
    cadre: Option<&str>,
    open_on: Option<NaiveDate>,
    limit: i64,
) -> Result<Vec<RoundRow>, StoreError> {
    let mut q = rotation_rounds::table.into_boxed();
    if let Some(cadre) = cadre {
        q = q.filter(rotation_rounds::cadre.eq(cadre.to_owned()));
    }
    if let Some(on) = open_on {
        q = q
            .filter(rotation_rounds::state.eq("announced"))
            .filter(rotation_rounds::preferences_close.ge(on));
    }
    Ok(q.order(rotation_rounds::id.desc())
        .limit(limit)
        .select(RoundRow::as_select())
        .load(c)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rotation_preferences)]
pub struct PreferenceRow {
    pub round_id: i64,
    pub employee_code: String,
    pub org_id: String,
    /// Ministry ids, most wanted first.
    pub ministries: Json<Vec<String>>,
    pub version: i64,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn preference(
    c: &mut DbConn,
    round_id: i64,
    code: &str,
) -> Result<Option<PreferenceRow>, StoreError> {
    Ok(rotation_preferences::table
        .find((round_id, code))
        .select(PreferenceRow::as_select())
        .first(c)
        .optional()?)
}

/// Gives or replaces an officer's list: `expected` 0 gives the first one
/// (`Stale` if there is one already), otherwise the list must be at that
/// version. Audited under the officer's organisation, so their nodal
/// officer reads the change.
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
        let list = |m: &str| serde_json::from_str::<serde_json::Value>(m).ok();
        let change = Change {
            action: if before.is_some() { "amend" } else { "submit" },
            entity: "rotation_preferences",
            entity_id: format!("{}/{}", row.round_id, row.employee_code),
            org_id: Some(row.org_id.clone()),
            before: before
                .map(|b| json!({ "ministries": list(b.ministries.text()), "version": b.version })),
            after: Some(json!({ "ministries": list(row.ministries.text()), "version": version })),
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

/// The officers of `cadre` in `grades` visible under `visibility`, by code,
/// each with the time they gave a list in the round, if they did.
pub fn submissions(
    c: &mut DbConn,
    round_id: i64,
    visibility: &Visibility,
    cadre: &str,
    grades: &[String],
    limit: i64,
) -> Result<Vec<Submission>, StoreError> {
    let Some(visible) = crate::scope::visible(visibility) else {
        return Ok(Vec::new());
    };
    let officers: Vec<EmployeeRow> = employees::table
        .inner_join(organisations::table)
        .filter(visible)
        .filter(employees::cadre.eq(cadre.to_owned()))
        .filter(employees::grade.eq_any(grades.to_vec()))
        .order(employees::code.asc())
        .limit(limit)
        .select(EmployeeRow::as_select())
        .load(c)?;
    let codes: Vec<&str> = officers.iter().map(|e| e.code.as_str()).collect();
    let mut histories: std::collections::BTreeMap<String, Vec<ServiceEventRow>> =
        Default::default();
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
    let given: std::collections::BTreeMap<String, NaiveDateTime> = rotation_preferences::table
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

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rotation_runs)]
pub struct RunRow {
    pub id: i64,
    pub round_id: i64,
    pub as_of: NaiveDate,
    /// The engine's input.
    pub inputs: Json<serde_json::Value>,
    /// The engine's decision.
    pub result: Json<serde_json::Value>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub order_ref: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = rotation_runs)]
pub struct NewRun {
    pub round_id: i64,
    pub as_of: NaiveDate,
    pub inputs: String,
    pub result: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// Stores a run with its inputs and result, audited.
pub fn record_run(c: &mut DbConn, actor: &Actor, run: &NewRun) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let id: i64 = diesel::insert_into(rotation_runs::table)
            .values(run)
            .returning(rotation_runs::id)
            .get_result(c)?;
        let change = Change {
            action: "run",
            entity: "rotation_run",
            entity_id: format!("{}/{id}", run.round_id),
            org_id: None,
            before: None,
            after: Some(json!({ "round_id": run.round_id, "as_of": run.as_of })),
        };
        Ok((id, change))
    })
}

pub fn get_run(c: &mut DbConn, round_id: i64, id: i64) -> Result<Option<RunRow>, StoreError> {
    Ok(rotation_runs::table
        .find(id)
        .filter(rotation_runs::round_id.eq(round_id))
        .select(RunRow::as_select())
        .first(c)
        .optional()?)
}

/// An officer of a round: the record, the ministry above their body (if
/// any), the service history, the list given (JSON), if any, and the dates
/// of DoPT's records that promotion is likely.
pub type RoundOfficer = (
    EmployeeRow,
    Option<String>,
    Vec<ServiceEventRow>,
    Option<Vec<String>>,
    Vec<NaiveDate>,
);

/// What a round's allocation is built from: the officers of its cadre and
/// grades with their service history and the lists they gave, where each
/// serves (and the ministry above a body), and the working strength
/// (sanctioned, in position) per organisation and grade.
pub struct RoundData {
    pub officers: Vec<RoundOfficer>,
    /// (organisation, parent, grade, sanctioned, in position)
    pub strength: Vec<(String, Option<String>, String, i64, i64)>,
}

pub fn round_data(
    c: &mut DbConn,
    round_id: i64,
    cadre: &str,
    grades: &[String],
) -> Result<RoundData, StoreError> {
    use crate::schema::working_strength;
    let subs = submissions(c, round_id, &Visibility::All, cadre, grades, i64::MAX)?;
    let parents: std::collections::BTreeMap<String, Option<String>> = organisations::table
        .select((organisations::id, organisations::parent_id))
        .load::<(String, Option<String>)>(c)?
        .into_iter()
        .collect();
    let lists: std::collections::BTreeMap<String, Json<Vec<String>>> = rotation_preferences::table
        .filter(rotation_preferences::round_id.eq(round_id))
        .select((
            rotation_preferences::employee_code,
            rotation_preferences::ministries,
        ))
        .load::<(String, Json<Vec<String>>)>(c)?
        .into_iter()
        .collect();
    let officers = subs
        .into_iter()
        .map(|s| {
            let parent = parents.get(s.employee.org_id.as_str()).cloned().flatten();
            let list = lists.get(s.employee.code.as_str()).map(|l| l.get().clone());
            (s.employee, parent, s.history, list, s.promotion_outlooks)
        })
        .collect();
    let sanctioned: Vec<(String, String, i32)> = working_strength::table
        .filter(working_strength::cadre.eq(cadre.to_owned()))
        .filter(working_strength::grade.eq_any(grades.to_vec()))
        .select((
            working_strength::org_id,
            working_strength::grade,
            working_strength::sanctioned,
        ))
        .load(c)?;
    let in_position: std::collections::BTreeMap<(String, String), i64> = employees::table
        .filter(employees::cadre.eq(cadre.to_owned()))
        .group_by((employees::org_id, employees::grade))
        .select((
            employees::org_id,
            employees::grade,
            diesel::dsl::count_star(),
        ))
        .load::<(String, String, i64)>(c)?
        .into_iter()
        .map(|(o, g, n)| ((o, g), n))
        .collect();
    let strength = sanctioned
        .into_iter()
        .map(|(org, grade, n)| {
            let here = in_position
                .get(&(org.clone(), grade.clone()))
                .copied()
                .unwrap_or(0);
            let parent = parents.get(&org).cloned().flatten();
            (org, parent, grade, i64::from(n), here)
        })
        .collect();
    Ok(RoundData { officers, strength })
}

/// One transfer order of an approved run.
#[derive(Debug, Clone)]
pub struct TransferOrder {
    pub employee_code: EmployeeCode,
    /// The officer's organisation before the order, for the change's scope.
    pub org_id: OrgId,
    pub grade: String,
    pub from: String,
    /// The ministry allocated: the officer's organisation from the order.
    pub to: String,
}

/// The round's approved run, if any.
pub fn approved_run(c: &mut DbConn, round_id: i64) -> Result<Option<RunRow>, StoreError> {
    Ok(rotation_runs::table
        .filter(rotation_runs::round_id.eq(round_id))
        .filter(rotation_runs::approved_at.is_not_null())
        .select(RunRow::as_select())
        .first(c)
        .optional()?)
}

/// Approves a run and issues its transfer orders, all in one transaction:
/// the run marked approved (`Stale` if the round has an approved run
/// already), a service event per officer placed (effective on the orders
/// date, with the order reference), the officer's organisation changed to
/// the ministry allocated (the store keeps the present organisation only,
/// so the move is recorded at approval; docs/assumptions.md), and an audit
/// row and change event for the run and for each order: under the old
/// organisation (the officer leaves) and under the new one (they join).
#[allow(clippy::too_many_arguments)]
pub fn approve_run(
    c: &mut DbConn,
    actor: &Actor,
    round_id: i64,
    run_id: i64,
    order_ref: &str,
    orders_on: NaiveDate,
    orders: &[TransferOrder],
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    audit::audited_many(c, actor, |c| {
        if approved_run(c, round_id)?.is_some() {
            return Err(StoreError::Stale);
        }
        let n = diesel::update(
            rotation_runs::table
                .find(run_id)
                .filter(rotation_runs::round_id.eq(round_id))
                .filter(rotation_runs::approved_at.is_null()),
        )
        .set((
            rotation_runs::approved_by.eq(Some(&actor.sub)),
            rotation_runs::approved_at.eq(Some(at)),
            rotation_runs::order_ref.eq(Some(order_ref)),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        let mut changes = vec![Change {
            action: "approve",
            entity: "rotation_run",
            entity_id: format!("{round_id}/{run_id}"),
            org_id: None,
            before: None,
            after: Some(json!({ "order_ref": order_ref, "orders": orders.len() })),
        }];
        for o in orders {
            // Through the store's one path for service events (due dates kept).
            crate::employees::add_events(
                c,
                &[crate::employees::NewServiceEvent {
                    employee_code: o.employee_code.clone(),
                    kind: ServiceEventKind::Transfer,
                    effective_on: orders_on,
                    from_grade: Some(o.grade.clone()),
                    to_grade: Some(o.grade.clone()),
                    from_level: None,
                    to_level: None,
                    from_grade_pay: None,
                    to_grade_pay: None,
                    order_ref: order_ref.to_owned(),
                    remarks: Some(format!(
                        "Rotation transfer from {} to {} (round {round_id}, run {run_id})",
                        o.from, o.to
                    )),
                    postponement_days: None,
                }],
            )?;
            let n = diesel::update(employees::table.find(&o.employee_code))
                .set((
                    employees::org_id.eq(&o.to),
                    employees::version.eq(employees::version + 1),
                    employees::updated_at.eq(at),
                ))
                .execute(c)?;
            if n != 1 {
                return Err(StoreError::Stale);
            }
            let before = json!({ "ministry": o.from, "organisation_id": o.org_id });
            let after = json!({
                "ministry": o.to,
                "organisation_id": o.to,
                "effective_on": orders_on,
                "order_ref": order_ref,
                "round_id": round_id,
            });
            for (action, org) in [("issue", o.org_id.as_str()), ("join", o.to.as_str())] {
                changes.push(Change {
                    action,
                    entity: "transfer_order",
                    entity_id: o.employee_code.to_string(),
                    org_id: Some(org.to_owned()),
                    before: Some(before.clone()),
                    after: Some(after.clone()),
                });
            }
        }
        Ok(((), changes))
    })
}
