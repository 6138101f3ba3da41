//! Ex-gratia cases (EXG-1): DoPT's register of deaths in service and the
//! decision on the amounts from every Government source.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::exgratia::SourceAmount;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::exgratia_cases;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exgratia_cases)]
pub struct ExGratiaRow {
    pub id: i64,
    pub deceased_name: String,
    pub employee_code: Option<String>,
    pub org_id: String,
    pub date_of_death: NaiveDate,
    pub amounts: Json<Vec<SourceAmount>>,
    pub total: i64,
    pub admissible: Option<i64>,
    pub regime: String,
    /// The engine's decision as taken when the case was recorded.
    pub decision: Json<serde_json::Value>,
    pub remarks: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = exgratia_cases, treat_none_as_default_value = false)]
pub struct NewExGratia {
    pub deceased_name: String,
    pub employee_code: Option<String>,
    pub org_id: String,
    pub date_of_death: NaiveDate,
    pub amounts: String,
    pub total: i64,
    pub admissible: Option<i64>,
    pub regime: String,
    pub decision: String,
    pub remarks: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// Records a case with its decision, audited.
pub fn record(c: &mut DbConn, actor: &Actor, new: &NewExGratia) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        // One death, one case: an employee on record has one, looked up
        // under the employee's lock so two recorded at once cannot both be.
        if let Some(code) = &new.employee_code {
            crate::db::lock(c, &format!("exgratia_employee:{code}"))?;
            let held: Option<i64> = exgratia_cases::table
                .filter(exgratia_cases::employee_code.eq(code))
                .select(exgratia_cases::id)
                .first(c)
                .optional()?;
            if let Some(other) = held {
                return Err(StoreError::Conflict(format!(
                    "Case {other} records the death of {code} already."
                )));
            }
        }
        let id: i64 = diesel::insert_into(exgratia_cases::table)
            .values(new)
            .returning(exgratia_cases::id)
            .get_result(c)?;
        let change = Change {
            action: "record",
            entity: "exgratia_case",
            entity_id: id.to_string(),
            org_id: Some(new.org_id.clone()),
            before: None,
            after: Some(json!({
                "deceased_name": new.deceased_name,
                "employee_code": new.employee_code,
                "date_of_death": new.date_of_death,
                "total": new.total,
                "admissible": new.admissible,
                "regime": new.regime,
            })),
        };
        Ok((id, change))
    })
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<ExGratiaRow>, StoreError> {
    Ok(exgratia_cases::table
        .find(id)
        .select(ExGratiaRow::as_select())
        .first(c)
        .optional()?)
}

/// Cases, newest first, below the id `before` when paging.
pub fn list(
    c: &mut DbConn,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ExGratiaRow>, StoreError> {
    let mut q = exgratia_cases::table.into_boxed();
    if let Some(b) = before {
        q = q.filter(exgratia_cases::id.lt(b));
    }
    Ok(q.order(exgratia_cases::id.desc())
        .limit(limit)
        .select(ExGratiaRow::as_select())
        .load(c)?)
}
