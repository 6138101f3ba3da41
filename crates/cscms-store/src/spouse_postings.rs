//! Requests to be posted with one's spouse (SPO-1).

use chrono::NaiveDateTime;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::spouse_posting::SpouseCase;
use cscms_domain::spouse_request::{is_open, SpoState, OPEN};
use cscms_domain::workflow::Step;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::json::Json;
use crate::schema::{employees, organisations, spouse_postings};
use crate::{steps, DbConn, StoreError};

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

steps::request_store!(spouse_postings, SpoRow);

/// What filing a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Filed: the new request's id.
    New(i64),
    /// Not filed: the employee's request of this id is still open.
    Open(i64),
}

/// The lock an employee's open request is looked up and written under.
fn lock_key(code: &EmployeeCode) -> String {
    format!("spouse_posting_employee:{code}")
}

/// The employee's open request other than `except`, if any ([`OPEN`]).
fn open_one(
    c: &mut DbConn,
    code: &EmployeeCode,
    except: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let mut q = spouse_postings::table
        .filter(spouse_postings::employee_code.eq(code))
        .filter(spouse_postings::state.eq_any(OPEN.iter().copied()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(spouse_postings::id.ne(id));
    }
    Ok(q.order(spouse_postings::id.asc())
        .select(spouse_postings::id)
        .first(c)
        .optional()?)
}

/// Files a request with its opening step, audited, unless the employee has
/// one open (SPO-1: one at a time). The open one is looked up under the
/// employee's lock (on SQLite the write transaction holds the database's
/// write lock), so of two filings at once exactly one is filed.
pub fn apply(
    c: &mut DbConn,
    actor: &Actor,
    new: &NewSpo,
    step: &Step,
) -> Result<Filed, StoreError> {
    crate::db::locked_write_transaction(c, &lock_key(&new.employee_code), |c| {
        if let Some(id) = open_one(c, &new.employee_code, None)? {
            return Ok(Filed::Open(id));
        }
        steps::with_step(c, actor, step, new.org_id.as_str(), |c| {
            let id: i64 = diesel::insert_into(spouse_postings::table)
                .values(new)
                .returning(spouse_postings::id)
                .get_result(c)?;
            Ok(Some((id, Filed::New(id))))
        })
    })
}

/// Moves a request by a step, if it is still in the state the step leaves.
/// A step that opens it again (a representation against its refusal) is
/// taken under the employee's lock, and refused (`spouse_posting_open`) while
/// another of the employee's requests is open (SPO-1: one at a time).
pub fn advance(c: &mut DbConn, actor: &Actor, id: i64, step: &Step) -> Result<(), StoreError> {
    let reopens = step.to_state.parse::<SpoState>().is_ok_and(is_open);
    if !reopens {
        return steps::advance(
            c,
            actor,
            id,
            step,
            steps::state_update!(spouse_postings, id, step),
        );
    }
    let code: Option<EmployeeCode> = spouse_postings::table
        .find(id)
        .select(spouse_postings::employee_code)
        .first(c)
        .optional()?;
    let code = code.ok_or(StoreError::Stale)?;
    crate::db::locked_write_transaction(c, &lock_key(&code), |c| {
        if let Some(other) = open_one(c, &code, Some(id))? {
            return Err(StoreError::Refused {
                code: crate::refusals::SPOUSE_POSTING_OPEN,
                detail: format!(
                    "Spouse-posting request {other} is still open (awaiting a decision): one request at a time. Withdraw it, or await its decision, before representing against this refusal."
                ),
            });
        }
        steps::advance(
            c,
            actor,
            id,
            step,
            steps::state_update!(spouse_postings, id, step),
        )
    })
}
