//! The one vigilance clearance (VIG-1, VIG-2): every service that needs to
//! know whether a stored employee is clear — NFS, deputation, foreign visit,
//! empanelment, and `GET /v1/employees/{code}/vigilance-clearance` — calls
//! [`decide`] (inside its own store work) or [`for_employee`]. No other code
//! loads the status history and the returns for a decision.

use chrono::{NaiveDate, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::vigilance::{
    clearance, ClearanceOutcome, ClearancePurpose, GradeStep, IprObligation, IprRecord,
    VigilanceParams,
};
use cscms_store::employees::{EmployeeRow, ServiceEventRow};
use cscms_store::{DbConn, StoreError};

use crate::error::ApiError;
use crate::state::AppState;

/// The vigilance parameters in force (dated; `docs/rules/vigilance.md`). A
/// new order — another due date, a longer look-back — is a new dated entry
/// there, not a change here.
pub fn params() -> VigilanceParams {
    VigilanceParams::standard()
}

/// Today in India (IST, UTC+05:30): the date a return is filed on and a
/// decision is taken for, so a return filed at 00:30 IST on 1 February is
/// late however the server's clock is set.
pub fn today() -> NaiveDate {
    cscms_domain::workflow::india_date(Utc::now())
}

/// Which annual returns a stored employee owes (Rule 18(1)(ii)): by the
/// present service group, from the year of joining Government or of the
/// latest step into a filing grade from one that does not file.
pub fn obligation(employee: &EmployeeRow, history: &[ServiceEventRow]) -> IprObligation {
    let steps: Vec<GradeStep<'_>> = history
        .iter()
        .map(|e| GradeStep {
            on: e.effective_on,
            from_grade: e.from_grade.as_deref(),
            to_grade: e.to_grade.as_deref(),
        })
        .collect();
    IprObligation::under_rule_18(
        &employee.service_group,
        employee.joined_government_on,
        &steps,
    )
}

/// Loads the employee's status history (in recording order) and filed
/// returns, and takes the clearance decision for `purpose` on `as_of`.
/// `None` when there is no such employee. Scope is the caller's business.
pub fn decide(
    conn: &mut DbConn,
    code: &EmployeeCode,
    purpose: ClearancePurpose,
    as_of: NaiveDate,
) -> Result<Option<Decision<ClearanceOutcome>>, StoreError> {
    // One snapshot: a status recorded mid-read must not pair with stale returns.
    cscms_store::db::transaction(conn, |c| {
        let Some(employee) = cscms_store::employees::get(c, code)? else {
            return Ok(None);
        };
        let history = cscms_store::vigilance::history(c, code.as_str())?
            .iter()
            .map(cscms_store::vigilance::VigilanceStatusRow::to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let service = cscms_store::employees::history(c, code)?;
        let iprs = IprRecord {
            obligation: obligation(&employee.record, &service),
            filings: cscms_store::ipr::summaries(c, code.as_str())?,
        };
        Ok(Some(clearance(&history, &iprs, purpose, as_of, &params())))
    })
}

/// [`decide`] for each of `codes` (a report's page) on `as_of`, in their
/// order. Where VIG-2 does not examine returns for `purpose` on `as_of`
/// (MACP), the status histories are read in one statement; otherwise each
/// employee is decided as [`decide`] does, and one not on record is left
/// out (with no returns examined, every code has its decision).
pub fn decide_all(
    conn: &mut DbConn,
    codes: &[EmployeeCode],
    purpose: ClearancePurpose,
    as_of: NaiveDate,
) -> Result<Vec<(EmployeeCode, Decision<ClearanceOutcome>)>, StoreError> {
    let params = params();
    let returns_examined = params
        .vig2
        .at(as_of)
        .is_some_and(|r| r.value.purposes.contains(&purpose));
    if returns_examined {
        let mut decided = Vec::with_capacity(codes.len());
        for code in codes {
            if let Some(d) = decide(conn, code, purpose, as_of)? {
                decided.push((code.clone(), d));
            }
        }
        return Ok(decided);
    }
    let mut histories = cscms_store::vigilance::histories(conn, codes)?;
    // No returns are examined for this purpose: the record passed says so
    // (VIG-2's own reason), and none is read.
    let no_returns = IprRecord {
        obligation: IprObligation::NotRequired,
        filings: Vec::new(),
    };
    codes
        .iter()
        .map(|code| {
            let history = histories
                .remove(code)
                .unwrap_or_default()
                .iter()
                .map(cscms_store::vigilance::VigilanceStatusRow::to_domain)
                .collect::<Result<Vec<_>, _>>()?;
            let d = clearance(&history, &no_returns, purpose, as_of, &params);
            Ok((code.clone(), d))
        })
        .collect()
}

/// [`decide`] on the blocking pool; an unknown employee is a 404.
pub async fn for_employee(
    state: &AppState,
    code: &EmployeeCode,
    purpose: ClearancePurpose,
    as_of: NaiveDate,
) -> Result<Decision<ClearanceOutcome>, ApiError> {
    let key = code.clone();
    state
        .db(move |c| decide(c, &key, purpose, as_of))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Employee {code}")))
}
