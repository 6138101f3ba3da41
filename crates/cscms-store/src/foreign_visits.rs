//! Private foreign visit requests (FV-1).

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::foreign_visit::{FundedBy, FvState, LeaveKind};
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use cscms_domain::workflow::Step;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::json::Json;
use crate::schema::{employees, foreign_visits, organisations};
use crate::steps::{self, with_step};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = foreign_visits)]
pub struct FvRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: FvState,
    /// The countries to be visited.
    pub countries: Json<Vec<String>>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub purpose: String,
    pub funded_by: FundedBy,
    pub funding_details: Option<String>,
    pub leave_kind: LeaveKind,
    pub leave_from: NaiveDate,
    pub leave_to: NaiveDate,
    pub contact_abroad: Json<ContactDoc>,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new request as the API has checked it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = foreign_visits)]
pub struct NewFv {
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: FvState,
    /// JSON array of country names ([`crate::json::to_text`]).
    pub countries: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub purpose: String,
    pub funded_by: FundedBy,
    pub funding_details: Option<String>,
    pub leave_kind: LeaveKind,
    pub leave_from: NaiveDate,
    pub leave_to: NaiveDate,
    pub contact_abroad: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A request with the employee's name and where the request sits.
#[derive(Debug, Clone)]
pub struct FvRecord {
    pub row: FvRow,
    pub employee_name: String,
    pub org_parent: Option<OrgId>,
}

/// Whom the employee can be reached through abroad, as stored (FV-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDoc {
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Files a request with its opening step, audited.
pub fn apply(c: &mut DbConn, actor: &Actor, new: &NewFv, step: &Step) -> Result<i64, StoreError> {
    with_step(c, actor, step, new.org_id.as_str(), |c| {
        let id: i64 = diesel::insert_into(foreign_visits::table)
            .values(new)
            .returning(foreign_visits::id)
            .get_result(c)?;
        Ok(Some((id, id)))
    })
}

/// Moves a request by a step, if it is still in the state the step leaves.
pub fn advance(c: &mut DbConn, actor: &Actor, id: i64, step: &Step) -> Result<(), StoreError> {
    steps::advance(
        c,
        actor,
        id,
        step,
        steps::state_update!(foreign_visits, id, step),
    )
}

type Joined = (FvRow, String, Option<OrgId>);

fn record((row, employee_name, org_parent): Joined) -> FvRecord {
    FvRecord {
        row,
        employee_name,
        org_parent,
    }
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<FvRecord>, StoreError> {
    Ok(foreign_visits::table
        .inner_join(employees::table)
        .inner_join(organisations::table)
        .filter(foreign_visits::id.eq(id))
        .select((
            FvRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .first::<Joined>(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("foreign_visits", &id))?
        .map(record))
}

/// Requests visible under `visibility`, optionally in one state; oldest
/// first (a queue) or newest first.
pub fn list(
    c: &mut DbConn,
    visibility: &Visibility,
    state: Option<&str>,
    oldest_first: bool,
    limit: i64,
) -> Result<Vec<FvRecord>, StoreError> {
    let mut q = foreign_visits::table
        .inner_join(employees::table)
        .inner_join(organisations::table)
        .into_boxed();
    let Some(visible) = crate::scope::visible(visibility) else {
        return Ok(Vec::new());
    };
    q = q.filter(visible);
    if let Some(s) = state {
        q = q.filter(foreign_visits::state.eq(s.to_owned()));
    }
    q = if oldest_first {
        q.order((foreign_visits::submitted_at.asc(), foreign_visits::id.asc()))
    } else {
        q.order((
            foreign_visits::submitted_at.desc(),
            foreign_visits::id.desc(),
        ))
    };
    Ok(q.limit(limit)
        .select((
            FvRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .load::<Joined>(c)?
        .into_iter()
        .map(record)
        .collect())
}
