//! ROT-2: DoPT's records that an officer's promotion is likely within a
//! year, each dated and under an order, audited under the officer's
//! organisation. Kept as made; a later record supersedes by its date.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::schema::promotion_outlooks;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = promotion_outlooks)]
pub struct OutlookRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub dated: NaiveDate,
    pub order_ref: String,
    pub remarks: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = promotion_outlooks, treat_none_as_default_value = false)]
pub struct NewOutlook {
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub dated: NaiveDate,
    pub order_ref: String,
    pub remarks: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// Records one, audited; its id.
pub fn record(c: &mut DbConn, actor: &Actor, new: &NewOutlook) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let id: i64 = diesel::insert_into(promotion_outlooks::table)
            .values(new)
            .returning(promotion_outlooks::id)
            .get_result(c)?;
        let change = Change {
            action: "record",
            entity: "promotion_outlook",
            entity_id: new.employee_code.to_string(),
            org_id: Some(new.org_id.to_string()),
            before: None,
            after: Some(json!({
                "id": id,
                "dated": new.dated,
                "order_ref": new.order_ref,
                "remarks": new.remarks,
            })),
        };
        Ok((id, change))
    })
}

/// An officer's records, oldest first.
pub fn of_employee(c: &mut DbConn, code: &str) -> Result<Vec<OutlookRow>, StoreError> {
    promotion_outlooks::table
        .filter(promotion_outlooks::employee_code.eq(code))
        .order((
            promotion_outlooks::dated.asc(),
            promotion_outlooks::id.asc(),
        ))
        .select(OutlookRow::as_select())
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("promotion_outlooks of", &code))
}

/// The dates of the records of each of `codes` (ROT-2 needs only these).
pub fn dates_of(
    c: &mut DbConn,
    codes: &[&str],
) -> Result<BTreeMap<String, Vec<NaiveDate>>, StoreError> {
    let mut out: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for (code, dated) in promotion_outlooks::table
        .filter(promotion_outlooks::employee_code.eq_any(codes.to_vec()))
        .select((promotion_outlooks::employee_code, promotion_outlooks::dated))
        .load::<(String, NaiveDate)>(c)?
    {
        out.entry(code).or_default().push(dated);
    }
    Ok(out)
}

/// The dates of one officer's records.
pub fn dates(c: &mut DbConn, code: &str) -> Result<Vec<NaiveDate>, StoreError> {
    Ok(dates_of(c, &[code])?.remove(code).unwrap_or_default())
}
