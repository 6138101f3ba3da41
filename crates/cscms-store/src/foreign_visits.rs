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

steps::request_store!(foreign_visits, FvRow, NewFv);
