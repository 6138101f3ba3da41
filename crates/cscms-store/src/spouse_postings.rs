//! Requests to be posted with one's spouse (SPO-1).

use chrono::NaiveDateTime;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use cscms_domain::spouse_posting::SpouseCase;
use cscms_domain::spouse_request::SpoState;
use cscms_domain::workflow::Step;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::json::Json;
use crate::schema::{employees, organisations, spouse_postings};
use crate::steps::{self, with_step};
use crate::{DbConn, StoreError};

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
#[diesel(table_name = spouse_postings)]
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
#[derive(Debug, Clone)]
pub struct SpoRecord {
    pub row: SpoRow,
    pub employee_name: String,
    pub org_parent: Option<OrgId>,
}

/// Files a request with its opening step, audited.
pub fn apply(c: &mut DbConn, actor: &Actor, new: &NewSpo, step: &Step) -> Result<i64, StoreError> {
    with_step(c, actor, step, new.org_id.as_str(), |c| {
        let id: i64 = diesel::insert_into(spouse_postings::table)
            .values(new)
            .returning(spouse_postings::id)
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
        steps::state_update!(spouse_postings, id, step),
    )
}

type Joined = (SpoRow, String, Option<OrgId>);

fn record((row, employee_name, org_parent): Joined) -> SpoRecord {
    SpoRecord {
        row,
        employee_name,
        org_parent,
    }
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<SpoRecord>, StoreError> {
    Ok(spouse_postings::table
        .inner_join(employees::table)
        .inner_join(organisations::table)
        .filter(spouse_postings::id.eq(id))
        .select((
            SpoRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .first::<Joined>(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("spouse_postings", &id))?
        .map(record))
}

/// Requests visible under `visibility`, optionally only those in `states`;
/// oldest first (a queue) or newest first.
pub fn list(
    c: &mut DbConn,
    visibility: &Visibility,
    states: Option<&[&str]>,
    oldest_first: bool,
    limit: i64,
) -> Result<Vec<SpoRecord>, StoreError> {
    let Some(visible) = crate::scope::visible(visibility) else {
        return Ok(Vec::new());
    };
    let mut q = spouse_postings::table
        .inner_join(employees::table)
        .inner_join(organisations::table)
        .into_boxed()
        .filter(visible);
    if let Some(s) = states {
        q = q.filter(spouse_postings::state.eq_any(s.iter().map(|s| (*s).to_owned())));
    }
    q = if oldest_first {
        q.order((
            spouse_postings::submitted_at.asc(),
            spouse_postings::id.asc(),
        ))
    } else {
        q.order((
            spouse_postings::submitted_at.desc(),
            spouse_postings::id.desc(),
        ))
    };
    Ok(q.limit(limit)
        .select((
            SpoRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .load::<Joined>(c)?
        .into_iter()
        .map(record)
        .collect())
}
