//! ROT-1: what a round's allocation is built from, the runs of it with
//! their stored inputs and result, and the approval of one run with the
//! transfer orders it issues, all audited.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::cadre::Cadre;
use cscms_domain::decision::Decision;
use cscms_domain::employee::{EmployeeCode, ServiceEventKind};
use cscms_domain::organisation::OrgId;
use cscms_domain::rotation::params::functional_grade;
use cscms_domain::rotation::{Allocation, AllocationInput};
use cscms_domain::scope::Visibility;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::preferences::{lists, submissions};
use crate::audit::{self, Actor, Change};
use crate::employees::{EmployeeRow, ServiceEventRow};
use crate::json::Json;
use crate::schema::{employees, organisations, rotation_runs};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rotation_runs)]
pub struct RunRow {
    pub id: i64,
    pub round_id: i64,
    pub as_of: NaiveDate,
    /// The engine's input.
    pub inputs: Json<AllocationInput>,
    /// The engine's decision, kept as it was given: a replay is compared
    /// with it as stored.
    pub result: Json<Value>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub order_ref: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = rotation_runs, treat_none_as_default_value = false)]
pub struct NewRun {
    pub round_id: i64,
    pub as_of: NaiveDate,
    pub inputs: Json<AllocationInput>,
    pub result: Json<Decision<Allocation>>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A run DoPT approved, with who approved it and under which order.
#[derive(Debug, Clone)]
pub struct ApprovedRun {
    pub run: RunRow,
    pub approved_by: String,
    pub order_ref: String,
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
    rotation_runs::table
        .find(id)
        .filter(rotation_runs::round_id.eq(round_id))
        .select(RunRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("rotation_runs", &id))
}

/// The round's approved run, if any. One marked approved without its
/// approver or order is unreadable (`Corrupt`), not unapproved.
pub fn approved_run(c: &mut DbConn, round_id: i64) -> Result<Option<ApprovedRun>, StoreError> {
    let Some(run) = rotation_runs::table
        .filter(rotation_runs::round_id.eq(round_id))
        .filter(rotation_runs::approved_at.is_not_null())
        .select(RunRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("rotation_runs of round", &round_id))?
    else {
        return Ok(None);
    };
    match (run.approved_by.clone(), run.order_ref.clone()) {
        (Some(approved_by), Some(order_ref)) => Ok(Some(ApprovedRun {
            run,
            approved_by,
            order_ref,
        })),
        _ => Err(
            StoreError::Corrupt("approved without approver or order".into())
                .in_row("rotation_runs", &run.id),
        ),
    }
}

/// An officer of a round: the record, the ministry above their body (if
/// any), the service history, the list given, if any, and the dates of
/// DoPT's records that promotion is likely.
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
    cadre: Cadre,
    grades: &[String],
) -> Result<RoundData, StoreError> {
    use crate::schema::working_strength;
    let subs = submissions(c, round_id, &Visibility::All, cadre, grades, None, i64::MAX)?;
    let parents: BTreeMap<String, Option<String>> = organisations::table
        .select((organisations::id, organisations::parent_id))
        .load::<(String, Option<String>)>(c)?
        .into_iter()
        .collect();
    let lists = lists(c, round_id)?;
    let officers = subs
        .into_iter()
        .map(|s| {
            let parent = parents.get(s.employee.org_id.as_str()).cloned().flatten();
            let list = lists.get(s.employee.code.as_str()).map(|l| l.get().clone());
            (s.employee, parent, s.history, list, s.promotion_outlooks)
        })
        .collect();
    let sanctioned: Vec<(String, String, i32)> = working_strength::table
        .filter(working_strength::cadre.eq(cadre))
        .filter(working_strength::grade.eq_any(grades.to_vec()))
        .select((
            working_strength::org_id,
            working_strength::grade,
            working_strength::sanctioned,
        ))
        .load(c)?;
    // An officer in a non-functional scale holds a post of its functional
    // grade (ROT-2): counted in position there.
    let mut in_position: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (o, g, n) in employees::table
        .filter(employees::cadre.eq(cadre))
        .group_by((employees::org_id, employees::grade))
        .select((
            employees::org_id,
            employees::grade,
            diesel::dsl::count_star(),
        ))
        .load::<(String, String, i64)>(c)?
    {
        *in_position
            .entry((o, functional_grade(&g).to_owned()))
            .or_default() += n;
    }
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

/// The officers of a run's stored inputs who are on record, by the code
/// the inputs name, with where they serve now. A code no employee could
/// have is an unreadable run (`Corrupt`), never an officer skipped.
pub fn officers_of(
    c: &mut DbConn,
    run: &RunRow,
) -> Result<BTreeMap<String, (EmployeeCode, OrgId)>, StoreError> {
    let mut out = BTreeMap::new();
    for o in &run.inputs.officers {
        let code = EmployeeCode::parse(&o.code)
            .map_err(|e| StoreError::Corrupt(e.to_string()).in_row("rotation_runs", &run.id))?;
        if let Some(e) = crate::employees::get(c, &code)? {
            out.insert(o.code.clone(), (e.record.code, e.record.org_id));
        }
    }
    Ok(out)
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
        // One approval of the round's runs at a time: two runs approved at
        // once would each find none approved before, and the later would
        // post its officers over the other's (ROT-1).
        crate::db::lock(c, &format!("rotation_round:{round_id}"))?;
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
        // The officers' rows in the order every writer of many employees
        // takes them (`apars::lock_employees`), before any is updated: a
        // bulk APAR import over some of them cannot then hold one this run
        // waits for while it waits for one this run holds.
        let codes: Vec<&EmployeeCode> = orders.iter().map(|o| &o.employee_code).collect();
        crate::apars::lock_employees(c, &codes)?;
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
            crate::profiles::service_changed(c, &o.employee_code)?;
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
            // The profile's document shows the organisation: its readers
            // (and the feed's) are told it changed, as by any other write.
            changes.push(Change {
                action: "transfer",
                entity: "profile",
                entity_id: o.employee_code.to_string(),
                org_id: Some(o.to.to_string()),
                before: Some(json!({ "service.org_id": o.org_id })),
                after: Some(json!({ "service.org_id": o.to, "order_ref": order_ref })),
            });
        }
        Ok(((), changes))
    })
}
