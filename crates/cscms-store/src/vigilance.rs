//! Vigilance status records (VIG-1): an append-only history per employee,
//! kept in recording order, which the engine needs to break ties between
//! records of the same effective date.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::fields::Text;
use cscms_domain::principal::Role;
use cscms_domain::vigilance::{
    NotClearKind, NotClearReason, StatusKind, VigilanceState, VigilanceStatus,
};
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::schema::vigilance_statuses;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = vigilance_statuses)]
pub struct VigilanceStatusRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    pub status: StatusKind,
    pub reason: Option<NotClearKind>,
    pub reason_text: Option<String>,
    pub effective_from: NaiveDate,
    pub order_ref: Option<String>,
    /// Token subject of the nodal officer or AVD official who recorded it.
    pub recorded_by: String,
    pub recorded_role: Role,
    pub recorded_at: NaiveDateTime,
}

// None as NULL (the columns have no default): with DEFAULT in its SQL,
// diesel prepares the INSERT anew on PostgreSQL for every write.
#[derive(Insertable)]
#[diesel(table_name = vigilance_statuses, treat_none_as_default_value = false)]
struct NewRow<'a> {
    employee_code: &'a str,
    status: &'a str,
    reason: Option<&'a str>,
    reason_text: Option<&'a str>,
    effective_from: NaiveDate,
    order_ref: Option<&'a str>,
    recorded_by: &'a str,
    recorded_role: &'a str,
    recorded_at: NaiveDateTime,
}

impl VigilanceStatusRow {
    /// The record as the engine sees it; a row the schema should not have
    /// allowed is `Corrupt`, never silently dropped.
    pub fn to_domain(&self) -> Result<VigilanceStatus, StoreError> {
        let corrupt =
            |what: String| StoreError::Corrupt(format!("vigilance_statuses {}: {what}", self.id));
        let state = match self.status {
            StatusKind::Clear => VigilanceState::Clear,
            StatusKind::Awaited => VigilanceState::Awaited,
            StatusKind::NotClear => {
                let reason = self
                    .reason
                    .ok_or_else(|| corrupt("not clear without a reason".into()))?;
                let text = self
                    .reason_text
                    .as_deref()
                    .map(|t| Text::parse(t, Text::MAX))
                    .transpose()
                    .map_err(corrupt)?;
                VigilanceState::NotClear(
                    NotClearReason::from_kind(reason, text)
                        .ok_or_else(|| corrupt("reason 'other' without its text".into()))?,
                )
            }
        };
        VigilanceStatus::new(state, self.effective_from, self.order_ref.as_deref())
            .map_err(|e| corrupt(e.to_string()))
    }
}

/// An employee's status records in the order they were recorded.
pub fn history(conn: &mut DbConn, code: &str) -> Result<Vec<VigilanceStatusRow>, StoreError> {
    vigilance_statuses::table
        .filter(vigilance_statuses::employee_code.eq(code))
        .order(vigilance_statuses::id.asc())
        .select(VigilanceStatusRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("vigilance_statuses of", &code))
}

/// The status histories of several employees, each in recording order,
/// by code (a report's page: one statement, not one an employee).
pub fn histories(
    conn: &mut DbConn,
    codes: &[EmployeeCode],
) -> Result<std::collections::HashMap<EmployeeCode, Vec<VigilanceStatusRow>>, StoreError> {
    let rows = vigilance_statuses::table
        .filter(vigilance_statuses::employee_code.eq_any(codes))
        .order((
            vigilance_statuses::employee_code.asc(),
            vigilance_statuses::id.asc(),
        ))
        .select(VigilanceStatusRow::as_select())
        .load(conn)?;
    let mut by_code = std::collections::HashMap::<_, Vec<_>>::new();
    for row in rows {
        by_code
            .entry(row.employee_code.clone())
            .or_default()
            .push(row);
    }
    Ok(by_code)
}

/// Appends a status record, audited (PRF-4): `before` is the record that
/// headed the history until now, `after` the new one.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    org_id: &str,
    status: &VigilanceStatus,
) -> Result<VigilanceStatusRow, StoreError> {
    audit::audited_locked(conn, actor, &format!("vigilance:{code}"), |c| {
        // `before` must be the record this one follows in the history.
        let before = vigilance_statuses::table
            .filter(vigilance_statuses::employee_code.eq(code))
            .order(vigilance_statuses::id.desc())
            .select(VigilanceStatusRow::as_select())
            .first(c)
            .optional()
            .map_err(|e| StoreError::from(e).in_row("vigilance_statuses of", &code))?;
        let (reason, reason_text) = match status.state() {
            VigilanceState::NotClear(r) => (Some(r.kind().as_str()), r.text()),
            _ => (None, None),
        };
        let row: VigilanceStatusRow = diesel::insert_into(vigilance_statuses::table)
            .values(NewRow {
                employee_code: code,
                status: status.state().kind().as_str(),
                reason,
                reason_text,
                effective_from: status.effective_from(),
                order_ref: status.order_ref(),
                recorded_by: &actor.sub,
                recorded_role: &actor.role,
                recorded_at: Utc::now().naive_utc(),
            })
            .returning((
                vigilance_statuses::id,
                vigilance_statuses::employee_code,
                vigilance_statuses::status,
                vigilance_statuses::reason,
                vigilance_statuses::reason_text,
                vigilance_statuses::effective_from,
                vigilance_statuses::order_ref,
                vigilance_statuses::recorded_by,
                vigilance_statuses::recorded_role,
                vigilance_statuses::recorded_at,
            ))
            .get_result(c)?;
        let change = Change {
            action: "record",
            entity: "vigilance_status",
            entity_id: code.to_owned(),
            org_id: Some(org_id.to_owned()),
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: serde_json::to_value(&row).ok(),
        };
        Ok((row, change))
    })
}
