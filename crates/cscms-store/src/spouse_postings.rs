//! Requests to be posted with one's spouse (SPO-1).

use chrono::NaiveDateTime;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::spouse_posting::SpouseCase;
use cscms_domain::spouse_request::SpoState;
use diesel::prelude::*;

use crate::json::Json;
use crate::schema::{employees, organisations, spouse_postings};
use crate::steps;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = spouse_postings)]
pub struct SpoRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: SpoState,
    /// The spouse as the employee described them.
    pub spouse: Json<serde_json::Value>,
    /// The governing case of para 4 (`i`..`viii`).
    pub spouse_case: SpouseCase,
    pub mandatory: bool,
    /// The whole SPO-1 decision taken at filing.
    pub decision: Json<serde_json::Value>,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new request as the API has checked and classified it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = spouse_postings, treat_none_as_default_value = false)]
pub struct NewSpo {
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: SpoState,
    pub spouse: String,
    pub spouse_case: SpouseCase,
    pub mandatory: bool,
    pub decision: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A request with the employee's name and where the request sits.
pub type SpoRecord = steps::Located<SpoRow>;

steps::request_store!(spouse_postings, SpoRow, NewSpo);
