//! Each employee's MACP upgrades falling due (MACP-1), kept beside the
//! record so that the MACP-due report is an index range scan rather than
//! the engine run over every history (issue 17).
//!
//! The report asks which upgrades not yet granted fall due from `from` to
//! `to`, evaluated as of `to`: events after `to` are not yet known, so a
//! grant or a fresh appointment recorded later does not hide an upgrade
//! that was due then. The answer changes with `to` only where an event of
//! the history takes effect; so the history is cut at its event dates, the
//! engine run once per stretch between two cuts (as of its last day), and
//! each upgrade stored with the stretch it holds for: `known_from`
//! (inclusive) to `known_until` (exclusive), open at the ends. Consecutive
//! stretches that give the same upgrade share one row. The report takes the
//! rows due in the window that hold on `to`: the same answer as evaluating
//! every history as of `to`, which `tests/macp_due.rs` checks after random
//! sequences of writes.
//!
//! What the rows rest on is what [`crate::career::macp_input`] reads: the
//! employee's record and service history (not APARs or vigilance, which
//! the stored MACP input does not carry). Every write of those (new
//! employees, service events, a correction of the service record through
//! the profile) replaces the employee's rows in its own transaction
//! ([`recompute`]); a change of the
//! engines' rules or a dated parameter (a new pay commission, a new scheme)
//! is a new build with a new `pay::KEPT_DATES_REVISION`, whose first start
//! replaces them all ([`recompute_all`], `migrate::run_pending`).
//!
//! The date an SO (CSS) or PS (CSSS) completes the 4 years of approved
//! service the non-functional scale needs (NFS-1) is kept the same way
//! (`nfs_due`, one row per employee in such a grade), with the same writes.

use std::collections::HashMap;

use chrono::NaiveDate;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::pay::{self, NfsInput, Upgrade, UpgradeStatus};
use cscms_domain::scope::Visibility;
use diesel::prelude::*;

use crate::career::macp_input;
use crate::employees::{EmployeeRow, NewServiceEvent, ServiceEventRow};
use crate::schema::{employees, macp_due, nfs_due, organisations, service_events};
use crate::{DbConn, StoreError};

/// Bound parameters per `IN (...)` list, within both backends' limits.
const CODES_PER_QUERY: usize = 2_000;
/// Rows per multi-row INSERT.
const ROWS_PER_INSERT: usize = 1_000;

/// One stored upgrade and the stretch of as-of dates it holds for.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = macp_due, treat_none_as_default_value = false)]
pub struct DueRow {
    pub employee_code: EmployeeCode,
    pub due_on: NaiveDate,
    /// The first as-of date the upgrade holds for; `None`: any before.
    pub known_from: Option<NaiveDate>,
    /// The first as-of date it no longer holds for; `None`: any after.
    pub known_until: Option<NaiveDate>,
    /// The engine's [`Upgrade`], as JSON.
    pub upgrade: String,
}

/// An employee's NFS completion (NFS-1).
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = nfs_due, treat_none_as_default_value = false)]
pub struct NfsDueRow {
    pub employee_code: EmployeeCode,
    pub completes_on: NaiveDate,
}

/// The date 4 years of approved service in the present grade complete, as
/// the NFS engine gives it, for an employee in a grade with a
/// non-functional scale; `None` for any other grade. Neither the date nor
/// whether it applies depends on the as-of date or the vigilance status.
pub fn nfs_row(e: &EmployeeRow) -> Option<NfsDueRow> {
    let input = NfsInput {
        cadre: e.cadre,
        grade: e.grade.clone(),
        in_grade_since: e.joined_present_grade_on,
        assumed_duty_on: None,
        vigilance_clear: true,
        present_pay: None,
        retired_on: None,
    };
    let decision = pay::evaluate_nfs(e.joined_present_grade_on, &input).ok()?;
    Some(NfsDueRow {
        employee_code: e.code.clone(),
        completes_on: decision.outcome.completes_on,
    })
}

/// The kept NFS completion of an employee, if their grade has the scale.
pub fn nfs_completion(conn: &mut DbConn, code: &str) -> Result<Option<NaiveDate>, StoreError> {
    Ok(nfs_due::table
        .find(code)
        .select(nfs_due::completes_on)
        .first(conn)
        .optional()?)
}

/// The rows of one employee: every upgrade not yet granted the engine
/// places as of some date, with the stretch of dates it holds for.
pub fn rows_for(e: &EmployeeRow, history: &[ServiceEventRow]) -> Result<Vec<DueRow>, StoreError> {
    let Some(input) = macp_input(e, history) else {
        return Ok(Vec::new());
    };
    let mut cuts: Vec<NaiveDate> = input.events.iter().map(|ev| ev.on()).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut found: Vec<(Upgrade, Option<NaiveDate>, Option<NaiveDate>)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut from = None;
    for k in 0..=cuts.len() {
        let until = cuts.get(k).copied();
        // As of any day of the stretch the engine knows the same events;
        // as of its last day, every upgrade due within it has fallen due.
        let as_of = match until {
            Some(u) => u.pred_opt().unwrap_or(u),
            None => NaiveDate::MAX,
        };
        // An unevaluable history is not reported as due; the employee's own
        // MACP view explains why.
        let upgrades = pay::evaluate_macp(as_of, &input)
            .map(|d| d.outcome.upgrades)
            .unwrap_or_default();
        let mut still = Vec::new();
        for u in upgrades
            .into_iter()
            .filter(|u| u.status != UpgradeStatus::Granted && u.due_on <= as_of)
        {
            match open.iter().copied().find(|&i| found[i].0 == u) {
                Some(i) => {
                    found[i].2 = until;
                    still.push(i);
                }
                None => {
                    found.push((u, from, until));
                    still.push(found.len() - 1);
                }
            }
        }
        open = still;
        from = until;
    }
    found
        .into_iter()
        .map(|(u, known_from, known_until)| {
            Ok(DueRow {
                employee_code: e.code.clone(),
                due_on: u.due_on,
                known_from,
                known_until,
                upgrade: serde_json::to_string(&u)
                    .map_err(|err| StoreError::Corrupt(format!("macp_due of {}: {err}", e.code)))?,
            })
        })
        .collect()
}

/// Replaces the rows of these employees from their record and history as
/// they now stand, inside the caller's transaction: every write that
/// changes what the MACP engine reads calls it.
pub fn recompute(conn: &mut DbConn, codes: &[EmployeeCode]) -> Result<(), StoreError> {
    // One writer of an employee's kept rows at a time: on PostgreSQL a
    // second delete-then-insert waiting on the first would not see the
    // rows the first inserted, and keep both (two instances computing at
    // start, or a write beside `cscms recompute`). The employees' rows are
    // held, in code order, as the writers of APARs hold them.
    let mut held: Vec<&EmployeeCode> = codes.iter().collect();
    held.sort_unstable();
    held.dedup();
    crate::apars::lock_employees(conn, &held)?;
    for chunk in codes.chunks(CODES_PER_QUERY) {
        let people: Vec<EmployeeRow> = employees::table
            .filter(employees::code.eq_any(chunk))
            .select(EmployeeRow::as_select())
            .load(conn)?;
        let events: Vec<ServiceEventRow> = service_events::table
            .filter(service_events::employee_code.eq_any(chunk))
            .order((
                service_events::employee_code.asc(),
                service_events::effective_on.asc(),
                service_events::id.asc(),
            ))
            .select(ServiceEventRow::as_select())
            .load(conn)?;
        let mut histories: HashMap<&str, Vec<ServiceEventRow>> = HashMap::new();
        for ev in &events {
            histories
                .entry(ev.employee_code.as_str())
                .or_default()
                .push(ev.clone());
        }
        let mut rows = Vec::new();
        for e in &people {
            let history = histories
                .get(e.code.as_str())
                .map_or(&[][..], Vec::as_slice);
            rows.extend(rows_for(e, history)?);
        }
        crate::on_backend!(conn, |c| diesel::delete(
            macp_due::table.filter(macp_due::employee_code.eq_any(chunk))
        )
        .execute(c))?;
        insert(conn, &rows)?;
        crate::on_backend!(conn, |c| diesel::delete(
            nfs_due::table.filter(nfs_due::employee_code.eq_any(chunk))
        )
        .execute(c))?;
        insert_nfs(conn, &people)?;
    }
    Ok(())
}

/// The rows of employees inserted just now with these service events
/// (seeding and bulk loads), computed from what was written.
pub(crate) fn insert_new(
    conn: &mut DbConn,
    people: &[EmployeeRow],
    events: &[NewServiceEvent],
) -> Result<(), StoreError> {
    let mut histories: HashMap<&str, Vec<ServiceEventRow>> = HashMap::new();
    for ev in events {
        histories
            .entry(ev.employee_code.as_str())
            .or_default()
            .push(ev.as_row());
    }
    let mut rows = Vec::new();
    for e in people {
        let history = histories.get_mut(e.code.as_str()).map(|h| {
            // Oldest first, as read back: by date, then in the order written.
            h.sort_by_key(|ev| ev.effective_on);
            &h[..]
        });
        rows.extend(rows_for(e, history.unwrap_or(&[]))?);
    }
    insert(conn, &rows)?;
    insert_nfs(conn, people)
}

fn insert_nfs(conn: &mut DbConn, people: &[EmployeeRow]) -> Result<(), StoreError> {
    let rows: Vec<NfsDueRow> = people.iter().filter_map(nfs_row).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        crate::on_backend!(conn, |c| diesel::insert_into(nfs_due::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

fn insert(conn: &mut DbConn, rows: &[DueRow]) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        crate::on_backend!(conn, |c| diesel::insert_into(macp_due::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Replaces the rows of every employee (`cscms recompute`, and once after
/// the migration that adds them), a transaction per 2,000 employees.
/// Returns the number of employees.
pub fn recompute_all(conn: &mut DbConn) -> Result<usize, StoreError> {
    let mut after = String::new();
    let mut done = 0;
    loop {
        let codes: Vec<EmployeeCode> = employees::table
            .filter(employees::code.gt(&after))
            .order(employees::code.asc())
            .limit(CODES_PER_QUERY as i64)
            .select(employees::code)
            .load(conn)?;
        let Some(last) = codes.last().cloned() else {
            return Ok(done);
        };
        crate::db::write_transaction(conn, |c| recompute(c, &codes))?;
        done += codes.len();
        after = last.as_str().to_owned();
    }
}

/// One page of the report: employees in scope (and of `org`, if given),
/// by code after `after`, with an upgrade not yet granted falling due from
/// `from` to `to` as of `to`; each with those upgrades, in order.
pub fn due(
    conn: &mut DbConn,
    visibility: &Visibility,
    org: Option<&str>,
    (from, to): (NaiveDate, NaiveDate),
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<(EmployeeRow, Vec<Upgrade>)>, StoreError> {
    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
        return Ok(Vec::new());
    };
    let holds = macp_due::due_on
        .between(from, to)
        .and(
            macp_due::known_from
                .is_null()
                .or(macp_due::known_from.le(to)),
        )
        .and(
            macp_due::known_until
                .is_null()
                .or(macp_due::known_until.gt(to)),
        );
    // A caller who sees everyone, with no organisation asked for, pages the
    // window's codes from its index alone (`macp_due_window` holds the
    // date and the code): every row names an employee (a foreign key), so
    // the join only ever served the scope's or the organisation's filter.
    let codes: Vec<String> = if matches!(visibility, Visibility::All) && org.is_none() {
        let mut page = macp_due::table.filter(holds).into_boxed();
        if let Some(after) = after {
            page = page.filter(macp_due::employee_code.gt(after.to_owned()));
        }
        page.select(macp_due::employee_code)
            .distinct()
            .order(macp_due::employee_code.asc())
            .limit(limit)
            .load(conn)?
    } else {
        let mut page = macp_due::table
            .inner_join(employees::table.inner_join(organisations::table))
            .filter(holds)
            .filter(visible)
            .into_boxed();
        if let Some(org) = org {
            page = page.filter(employees::org_id.eq(org.to_owned()));
        }
        if let Some(after) = after {
            page = page.filter(employees::code.gt(after.to_owned()));
        }
        page.select(employees::code)
            .distinct()
            .order(employees::code.asc())
            .limit(limit)
            .load(conn)?
    };
    let rows: Vec<(EmployeeRow, String)> = macp_due::table
        .inner_join(employees::table)
        .filter(macp_due::employee_code.eq_any(&codes))
        .filter(holds)
        .order((
            macp_due::employee_code.asc(),
            macp_due::due_on.asc(),
            macp_due::id.asc(),
        ))
        .select((EmployeeRow::as_select(), macp_due::upgrade))
        .load(conn)?;
    let mut out: Vec<(EmployeeRow, Vec<Upgrade>)> = Vec::with_capacity(codes.len());
    for (e, json) in rows {
        let upgrade: Upgrade = serde_json::from_str(&json)
            .map_err(|err| StoreError::Corrupt(format!("macp_due of {}: {err}", e.code)))?;
        match out.last_mut() {
            Some((last, upgrades)) if last.code == e.code => upgrades.push(upgrade),
            _ => out.push((e, vec![upgrade])),
        }
    }
    Ok(out)
}
