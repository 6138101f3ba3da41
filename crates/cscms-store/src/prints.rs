//! The register of issued prints, keyed by verification code (PRF-5).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::prints;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prints)]
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
