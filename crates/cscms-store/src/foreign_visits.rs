//! Private foreign visit requests (FV-1).

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::foreign_visit::{FundedBy, FvState, LeaveKind};
use cscms_domain::organisation::OrgId;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::json::Json;
use crate::schema::{employees, foreign_visits, organisations};
use crate::steps;

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
#[diesel(table_name = foreign_visits, treat_none_as_default_value = false)]
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
pub type FvRecord = steps::Located<FvRow>;

/// Whom the employee can be reached through abroad, as stored (FV-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDoc {
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

steps::request_store!(foreign_visits, FvRow);

/// What applying came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Filed: the new request's id.
    New(i64),
    /// Not filed: the employee's request of this id, awaiting a decision or
    /// granted, has days abroad in common with it.
    Overlaps(i64),
}

/// Files a request with its opening step, audited, unless another of the
/// employee's requests, submitted or granted, shares a day abroad with it
/// (FV-1: one clearance for one absence). Looked up under the employee's
/// lock, so two filed at once cannot both pass.
pub fn apply(
    c: &mut crate::DbConn,
    actor: &crate::audit::Actor,
    new: &NewFv,
    step: &cscms_domain::workflow::Step,
) -> Result<Filed, crate::StoreError> {
    let key = format!("foreign_visit_employee:{}", new.employee_code);
    crate::db::locked_write_transaction(c, &key, |c| {
        let held: Option<i64> = foreign_visits::table
            .filter(foreign_visits::employee_code.eq(&new.employee_code))
            .filter(foreign_visits::state.eq_any([FvState::Submitted, FvState::Granted]))
            .filter(foreign_visits::from_date.le(new.to_date))
            .filter(foreign_visits::to_date.ge(new.from_date))
            .order(foreign_visits::id.asc())
            .select(foreign_visits::id)
            .first(c)
            .optional()?;
        if let Some(id) = held {
            return Ok(Filed::Overlaps(id));
        }
        steps::with_step(c, actor, step, new.org_id.as_str(), |c| {
            let id: i64 = diesel::insert_into(foreign_visits::table)
                .values(new)
                .returning(foreign_visits::id)
                .get_result(c)?;
            Ok(Some((id, Filed::New(id))))
        })
    })
}

/// Moves a request by a step, if it is still in the state the step leaves.
pub fn advance(
    c: &mut crate::DbConn,
    actor: &crate::audit::Actor,
    id: i64,
    step: &cscms_domain::workflow::Step,
) -> Result<(), crate::StoreError> {
    steps::advance(
        c,
        actor,
        id,
        step,
        steps::state_update!(foreign_visits, id, step),
    )
}
