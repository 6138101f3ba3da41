//! The register of issued prints, keyed by verification code (PRF-5).

use chrono::NaiveDateTime;
use cscms_domain::employee::EmployeeCode;
use diesel::prelude::*;

use crate::schema::prints;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prints, treat_none_as_default_value = false)]
pub struct PrintRow {
    pub code: String,
    /// `profile` or `ipr`.
    pub document: String,
    /// The document's identity: the employee code, or code/year for a return.
    pub reference: String,
    pub version: i64,
    pub printed_at: NaiveDateTime,
    /// The token subject of whoever printed it.
    pub printed_by: String,
}

/// The document a print shows, as its row names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    Profile(EmployeeCode),
    /// One year's property return.
    Ipr(EmployeeCode, i32),
    SurplusRequisition(i64),
    /// A request on a workflow, by the workflow's name and the request's id.
    Request(&'static str, i64),
}

impl PrintRow {
    /// What the print shows; a document or reference this register does
    /// not write is a fault of the row, never "not current".
    pub fn printed(&self) -> Result<Printed, StoreError> {
        let reference = self.reference.as_str();
        let code = |s: &str| EmployeeCode::parse(s).ok();
        let id = || reference.parse::<i64>().ok();
        let printed = match self.document.as_str() {
            "profile" => code(reference).map(Printed::Profile),
            "ipr" => reference.rsplit_once('/').and_then(|(employee, year)| {
                Some(Printed::Ipr(code(employee)?, year.parse().ok()?))
            }),
            "surplus_requisition" => id().map(Printed::SurplusRequisition),
            "foreign_visit" => id().map(|id| Printed::Request("foreign_visit", id)),
            "deputation_application" => {
                id().map(|id| Printed::Request("deputation_application", id))
            }
            _ => None,
        };
        printed.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "a {} print of '{}' names no document",
                self.document, self.reference
            ))
            .in_row("prints", &self.code)
        })
    }
}

pub fn record(conn: &mut DbConn, row: &PrintRow) -> Result<(), StoreError> {
    diesel::insert_into(prints::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::Query)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, code: &str) -> Result<Option<PrintRow>, StoreError> {
    prints::table
        .find(code)
        .select(PrintRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::Query)
}
