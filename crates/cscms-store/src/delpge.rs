//! DELPGE (TRN-1): programmes notified by DoPT, enrolments taken first come
//! first served under a lock, reimbursement claims and the ledger of units.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use cscms_domain::trn::{self, Category, ClaimState, Earned, Grade};
use cscms_domain::workflow::Step;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::{
    delpge_claims, delpge_enrolments, delpge_programmes, employees, organisations,
};
use crate::steps;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delpge_programmes)]
pub struct ProgrammeRow {
    pub id: i64,
    pub name: String,
    pub category: Category,
    pub units: i64,
    pub session: String,
    pub seats: i64,
    /// Empty: all.
    pub eligible_levels: Json<Vec<String>>,
    pub eligible_ministries: Json<Vec<String>>,
    pub complete_by: NaiveDate,
    pub minimum_grade: Grade,
    pub notified_by: String,
    pub notified_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = delpge_programmes, treat_none_as_default_value = false)]
pub struct NewProgramme {
    pub name: String,
    pub category: String,
    pub units: i64,
    pub session: String,
    pub seats: i64,
    pub eligible_levels: String,
    pub eligible_ministries: String,
    pub complete_by: NaiveDate,
    pub minimum_grade: String,
    pub notified_by: String,
    pub notified_at: NaiveDateTime,
}

/// Notifies a programme, audited.
pub fn notify(c: &mut DbConn, actor: &Actor, new: &NewProgramme) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let id: i64 = diesel::insert_into(delpge_programmes::table)
            .values(new)
            .returning(delpge_programmes::id)
            .get_result(c)?;
        let change = Change {
            action: "notify",
            entity: "delpge_programme",
            entity_id: id.to_string(),
            org_id: None,
            before: None,
            after: Some(
                json!({"name": new.name, "category": new.category, "seats": new.seats,
                               "session": new.session, "complete_by": new.complete_by}),
            ),
        };
        Ok((id, change))
    })
}

/// A programme with the seats taken.
pub fn programme(c: &mut DbConn, id: i64) -> Result<Option<(ProgrammeRow, i64)>, StoreError> {
    let Some(p) = delpge_programmes::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(c)
        .optional()?
    else {
        return Ok(None);
    };
    let taken = taken(c, id)?;
    Ok(Some((p, taken)))
}

fn taken(c: &mut DbConn, programme_id: i64) -> Result<i64, StoreError> {
    Ok(delpge_enrolments::table
        .filter(delpge_enrolments::programme_id.eq(programme_id))
        .count()
        .get_result(c)?)
}

/// Programmes, newest first, with the seats taken: at most `limit` older
/// than the programme `before`.
pub fn programmes(
    c: &mut DbConn,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<(ProgrammeRow, i64)>, StoreError> {
    let mut q = delpge_programmes::table.into_boxed();
    if let Some(b) = before {
        q = q.filter(delpge_programmes::id.lt(b));
    }
    let rows = q
        .order(delpge_programmes::id.desc())
        .limit(limit)
        .select(ProgrammeRow::as_select())
        .load(c)?;
    rows.into_iter()
        .map(|p| {
            let t = taken(c, p.id)?;
            Ok((p, t))
        })
        .collect()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delpge_enrolments)]
pub struct EnrolmentRow {
    pub id: i64,
    pub programme_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub enrolled_on: NaiveDate,
    pub enrolled_at: NaiveDateTime,
    pub claimed: bool,
    /// The employment certificate enclosed (para 7(vi)); none for an
    /// enrolment taken before it was asked for.
    pub certificate_reference: Option<String>,
    pub certificate_issued_by: Option<String>,
    pub certificate_issued_on: Option<NaiveDate>,
}

impl EnrolmentRow {
    /// The employment certificate enclosed, where one was (para 7(vi)).
    pub fn certificate(&self) -> Option<trn::EmploymentCertificate> {
        Some(trn::EmploymentCertificate {
            reference: self.certificate_reference.clone()?,
            issued_by: self.certificate_issued_by.clone()?,
            issued_on: self.certificate_issued_on?,
        })
    }
}

/// What an attempt to enrol came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolment {
    Enrolled(i64),
    /// Every seat is taken.
    Full,
    /// Another programme still holds the employee ([`trn::holds`]).
    Open(i64),
    /// Already enrolled in this programme.
    Already(i64),
}

/// Takes a seat, first come first served: the programme's enrolments are
/// counted and the programme still holding the employee looked up under locks on the
/// programme and the employee (on SQLite the write transaction holds the
/// database's write lock), so exactly `seats` enrolments succeed however
/// many try at once, and no employee holds two open programmes (TRN-1).
#[allow(clippy::too_many_arguments)]
pub fn enrol(
    c: &mut DbConn,
    actor: &Actor,
    programme_id: i64,
    seats: i64,
    code: &EmployeeCode,
    org_id: &OrgId,
    certificate: &trn::EmploymentCertificate,
    on: NaiveDate,
    at: NaiveDateTime,
) -> Result<Enrolment, StoreError> {
    crate::db::locked_write_transaction(c, &format!("delpge_programme:{programme_id}"), |c| {
        crate::db::lock(c, &employee_lock(code))?;
        let unclaimed: Vec<(i64, i64, NaiveDate)> = delpge_enrolments::table
            .inner_join(delpge_programmes::table)
            .filter(delpge_enrolments::employee_code.eq(code))
            .filter(delpge_enrolments::claimed.eq(false))
            .select((
                delpge_enrolments::id,
                delpge_enrolments::programme_id,
                delpge_programmes::complete_by,
            ))
            .load(c)?;
        let open = unclaimed
            .into_iter()
            .find(|&(_, _, by)| trn::holds(false, by, on));
        if let Some((id, p, _)) = open {
            return Ok(if p == programme_id {
                Enrolment::Already(id)
            } else {
                Enrolment::Open(p)
            });
        }
        // One enrolment per employee and programme, claimed or not: the
        // same answer as for an open one, not the unique key's refusal.
        let earlier: Option<i64> = delpge_enrolments::table
            .filter(delpge_enrolments::programme_id.eq(programme_id))
            .filter(delpge_enrolments::employee_code.eq(code))
            .select(delpge_enrolments::id)
            .first(c)
            .optional()?;
        if let Some(id) = earlier {
            return Ok(Enrolment::Already(id));
        }
        if taken(c, programme_id)? >= seats {
            return Ok(Enrolment::Full);
        }
        audit::audited(c, actor, |c| {
            let id: i64 = diesel::insert_into(delpge_enrolments::table)
                .values((
                    delpge_enrolments::programme_id.eq(programme_id),
                    delpge_enrolments::employee_code.eq(code),
                    delpge_enrolments::org_id.eq(org_id),
                    delpge_enrolments::enrolled_on.eq(on),
                    delpge_enrolments::enrolled_at.eq(at),
                    delpge_enrolments::claimed.eq(false),
                    delpge_enrolments::certificate_reference.eq(&certificate.reference),
                    delpge_enrolments::certificate_issued_by.eq(&certificate.issued_by),
                    delpge_enrolments::certificate_issued_on.eq(certificate.issued_on),
                ))
                .returning(delpge_enrolments::id)
                .get_result(c)
                .map_err(|e| StoreError::from_write(e, "enrolled already"))?;
            let change = Change {
                action: "enrol",
                entity: "delpge_enrolment",
                entity_id: id.to_string(),
                org_id: Some(org_id.to_string()),
                before: None,
                after: Some(json!({"programme_id": programme_id, "employee_code": code,
                                   "employment_certificate": certificate})),
            };
            Ok((Enrolment::Enrolled(id), change))
        })
    })
}

pub fn enrolment(c: &mut DbConn, id: i64) -> Result<Option<EnrolmentRow>, StoreError> {
    Ok(delpge_enrolments::table
        .find(id)
        .select(EnrolmentRow::as_select())
        .first(c)
        .optional()?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delpge_claims)]
pub struct ClaimRow {
    pub id: i64,
    pub enrolment_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub category: Category,
    pub fee_paid: i64,
    pub receipt_ref: String,
    pub completed_on: NaiveDate,
    pub grade: Grade,
    pub units: i64,
    pub admissible: bool,
    pub amount: i64,
    /// The TRN-1 decision taken at filing, as recorded.
    pub decision: Json<serde_json::Value>,
    pub state: ClaimState,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub filed_at: NaiveDateTime,
}

/// A claim as filed, before the engine decides it.
#[derive(Debug, Clone)]
pub struct ClaimFiling {
    pub enrolment_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub category: Category,
    pub fee_paid: i64,
    pub receipt_ref: String,
    pub completed_on: NaiveDate,
    pub grade: Grade,
    pub filed_at: NaiveDateTime,
}

/// The engine's decision as stored with the claim.
#[derive(Debug, Clone)]
pub struct Decided {
    pub units: i64,
    pub admissible: bool,
    pub amount: i64,
    /// JSON.
    pub decision: String,
}

/// Reimbursements that count against later claims: admissible and not
/// rejected.
fn earned(c: &mut DbConn, code: &EmployeeCode) -> Result<Vec<Earned>, StoreError> {
    let rows: Vec<(Category, NaiveDate)> = delpge_claims::table
        .filter(delpge_claims::employee_code.eq(code))
        .filter(delpge_claims::admissible.eq(true))
        .filter(delpge_claims::state.ne(ClaimState::Rejected.as_str()))
        .select((delpge_claims::category, delpge_claims::completed_on))
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("delpge_claims of", code))?;
    Ok(rows
        .into_iter()
        .map(|(category, completed_on)| Earned {
            category,
            completed_on,
        })
        .collect())
}

/// What filing a claim came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// The new claim's id.
    Claim(i64),
    /// The fee receipt is already claimed by this claim, awaiting a
    /// decision or approved: one payment is reimbursed once (TRN-1).
    ReceiptClaimed(i64),
}

/// Claims in these states hold their fee receipt: reimbursed, or to be.
const HOLDING_RECEIPT: [&str; 2] = ["submitted", "approved"];

/// The lock a fee receipt is looked up and taken under.
fn receipt_lock(receipt: &str) -> String {
    format!("delpge_receipt:{receipt}")
}

/// The claim holding fee receipt `receipt`, if any (one payment is
/// reimbursed once, TRN-1).
fn receipt_holder(c: &mut DbConn, receipt: &str) -> Result<Option<i64>, StoreError> {
    Ok(delpge_claims::table
        .filter(delpge_claims::receipt_ref.eq(receipt))
        .filter(delpge_claims::state.eq_any(HOLDING_RECEIPT))
        .select(delpge_claims::id)
        .first(c)
        .optional()?)
}

/// Files a claim: the engine (`decide`) sees the reimbursements already
/// counted, under the employee's lock, so two claims filed at once cannot
/// both take the last units of a block; and under the receipt's, so one
/// fee receipt is claimed once, by whomever. Closes the enrolment. Audited.
pub fn file_claim(
    c: &mut DbConn,
    actor: &Actor,
    filing: &ClaimFiling,
    decide: impl FnOnce(&[Earned]) -> Result<Decided, StoreError>,
) -> Result<Filed, StoreError> {
    audit::audited_many(c, actor, |c| {
        // Always the employee's lock first, then the receipt's: no two
        // filings wait on each other's.
        crate::db::lock(c, &employee_lock(&filing.employee_code))?;
        crate::db::lock(c, &receipt_lock(&filing.receipt_ref))?;
        if let Some(other) = receipt_holder(c, &filing.receipt_ref)? {
            return Ok((Filed::ReceiptClaimed(other), Vec::new()));
        }
        {
            let n = diesel::update(
                delpge_enrolments::table
                    .find(filing.enrolment_id)
                    .filter(delpge_enrolments::claimed.eq(false)),
            )
            .set(delpge_enrolments::claimed.eq(true))
            .execute(c)?;
            if n != 1 {
                return Err(StoreError::Conflict("claimed already".into()));
            }
            let d = decide(&earned(c, &filing.employee_code)?)?;
            let state = ClaimState::on_filing(d.admissible).as_str();
            let id: i64 = diesel::insert_into(delpge_claims::table)
                .values((
                    delpge_claims::enrolment_id.eq(filing.enrolment_id),
                    delpge_claims::employee_code.eq(&filing.employee_code),
                    delpge_claims::org_id.eq(&filing.org_id),
                    delpge_claims::category.eq(&filing.category),
                    delpge_claims::fee_paid.eq(filing.fee_paid),
                    delpge_claims::receipt_ref.eq(&filing.receipt_ref),
                    delpge_claims::completed_on.eq(filing.completed_on),
                    delpge_claims::grade.eq(&filing.grade),
                    delpge_claims::units.eq(d.units),
                    delpge_claims::admissible.eq(d.admissible),
                    delpge_claims::amount.eq(d.amount),
                    delpge_claims::decision.eq(&d.decision),
                    delpge_claims::state.eq(state),
                    delpge_claims::filed_at.eq(filing.filed_at),
                ))
                .returning(delpge_claims::id)
                .get_result(c)?;
            let change = Change {
                action: "claim",
                entity: "delpge_claim",
                entity_id: id.to_string(),
                org_id: Some(filing.org_id.to_string()),
                before: None,
                after: Some(json!({"state": state, "units": d.units, "amount": d.amount,
                               "admissible": d.admissible, "enrolment_id": filing.enrolment_id})),
            };
            Ok((Filed::Claim(id), vec![change]))
        }
    })
}

/// Takes a decision step on a claim (TRN-1: approve or reject) with its
/// step record and audit row; `Stale` when it is no longer in the state
/// the step leaves. A rejection also decides again, in the same
/// transaction, the employee's claims refused while the rejected one
/// counted ([`decide_again`]).
pub fn advance(c: &mut DbConn, actor: &Actor, id: i64, step: &Step) -> Result<(), StoreError> {
    let update = |c: &mut DbConn, from: &str| {
        diesel::update(
            delpge_claims::table
                .find(id)
                .filter(delpge_claims::state.eq(from)),
        )
        .set((
            delpge_claims::state.eq(step.to_state),
            delpge_claims::decided_by.eq(Some(&step.actor_sub)),
            delpge_claims::decided_at.eq(Some(step.at)),
            delpge_claims::reason.eq(step.reason.as_deref()),
        ))
        .returning(delpge_claims::org_id)
        .get_result(c)
        .optional()
    };
    if step.to_state != ClaimState::Rejected.as_str() {
        return steps::advance(c, actor, id, step, update);
    }
    let code: EmployeeCode = delpge_claims::table
        .find(id)
        .select(delpge_claims::employee_code)
        .first(c)
        .optional()?
        .ok_or(StoreError::Stale)?;
    audit::audited_many(c, actor, |c| {
        // The lock filings take first: no claim of the employee is filed
        // between the rejection and the claims decided again.
        crate::db::lock(c, &employee_lock(&code))?;
        steps::advance(c, actor, id, step, update)?;
        // The day of the rejection in India, as every decision is dated:
        // the step's UTC date is the day before from 00:00 to 05:30 IST.
        let on = cscms_domain::workflow::india_date(step.at.and_utc());
        Ok(((), decide_again(c, &code, id, on)?))
    })
}

/// The lock an employee's claims are filed and decided again under.
fn employee_lock(code: &EmployeeCode) -> String {
    format!("delpge_employee:{code}")
}

/// The employee's claims refused at filing, decided again on `on` now that
/// claim `rejected` no longer counts (TRN-1, `trn::decide_again`): each one
/// now admissible awaits the nodal officer, with its new decision, audited.
/// A claim whose fee receipt another claim holds meanwhile stays refused
/// (one payment is reimbursed once); the receipt is looked up under its
/// lock, so a filing naming it at the same moment waits.
fn decide_again(
    c: &mut DbConn,
    code: &EmployeeCode,
    rejected: i64,
    on: NaiveDate,
) -> Result<Vec<Change>, StoreError> {
    let rows: Vec<(i64, String, OrgId, trn::Claim)> = delpge_claims::table
        .inner_join(delpge_enrolments::table.inner_join(delpge_programmes::table))
        .filter(delpge_claims::employee_code.eq(code))
        .filter(delpge_claims::state.eq(ClaimState::NotAdmissible.as_str()))
        .select((
            delpge_claims::id,
            delpge_claims::receipt_ref,
            delpge_claims::org_id,
            (
                delpge_claims::category,
                delpge_enrolments::enrolled_on,
                delpge_claims::completed_on,
                delpge_programmes::complete_by,
                delpge_claims::grade,
                delpge_programmes::minimum_grade,
                delpge_claims::fee_paid,
            ),
        ))
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("delpge_claims refused of", code))?;
    let mut refused = Vec::with_capacity(rows.len());
    let mut orgs = std::collections::HashMap::new();
    for (id, receipt, org, claim) in rows {
        // After the employee's lock, as a filing takes them.
        crate::db::lock(c, &receipt_lock(&receipt))?;
        if receipt_holder(c, &receipt)?.is_some() {
            continue;
        }
        orgs.insert(id, org);
        refused.push(trn::Refused { id, claim });
    }
    if refused.is_empty() {
        return Ok(Vec::new());
    }
    let mut changes = Vec::new();
    for (id, d) in trn::decide_again(&refused, &earned(c, code)?, rejected, on) {
        let state = ClaimState::Submitted.as_str();
        let decision = serde_json::to_string(&d).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let o = d.outcome;
        let n = diesel::update(
            delpge_claims::table
                .find(id)
                .filter(delpge_claims::state.eq(ClaimState::NotAdmissible.as_str())),
        )
        .set((
            delpge_claims::state.eq(state),
            delpge_claims::admissible.eq(o.admissible),
            delpge_claims::units.eq(o.units),
            delpge_claims::amount.eq(o.amount),
            delpge_claims::decision.eq(&decision),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        changes.push(Change {
            action: "decide_again",
            entity: "delpge_claim",
            entity_id: id.to_string(),
            org_id: orgs.remove(&id).map(|o| o.to_string()),
            before: Some(
                json!({"state": ClaimState::NotAdmissible.as_str(), "admissible": false,
                                "amount": 0}),
            ),
            after: Some(json!({"state": state, "units": o.units, "amount": o.amount,
                               "admissible": o.admissible, "rejected_claim": rejected})),
        });
    }
    Ok(changes)
}

/// A claim with where it sits, for the scope rule.
#[derive(Debug, Clone)]
pub struct ClaimRecord {
    pub row: ClaimRow,
    pub employee_name: String,
    pub org_parent: Option<OrgId>,
}

type Joined = (ClaimRow, String, Option<OrgId>);

fn record((row, employee_name, org_parent): Joined) -> ClaimRecord {
    ClaimRecord {
        row,
        employee_name,
        org_parent,
    }
}

pub fn claim(c: &mut DbConn, id: i64) -> Result<Option<ClaimRow>, StoreError> {
    Ok(delpge_claims::table
        .find(id)
        .select(ClaimRow::as_select())
        .first(c)
        .optional()?)
}

pub fn claim_record(c: &mut DbConn, id: i64) -> Result<Option<ClaimRecord>, StoreError> {
    Ok(delpge_claims::table
        .inner_join(employees::table)
        .inner_join(organisations::table)
        .filter(delpge_claims::id.eq(id))
        .select((
            ClaimRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .first::<Joined>(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("delpge_claims", &id))?
        .map(record))
}

/// Claims visible under `visibility`, optionally in one state, oldest
/// first: at most `limit` after the claim `after`.
pub fn claims(
    c: &mut DbConn,
    visibility: &Visibility,
    state: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<ClaimRecord>, StoreError> {
    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
        return Ok(Vec::new());
    };
    let mut q = delpge_claims::table
        .inner_join(employees::table)
        .inner_join(organisations::table)
        .filter(visible)
        .into_boxed();
    if let Some(s) = state {
        q = q.filter(delpge_claims::state.eq(s.to_owned()));
    }
    if let Some(a) = after {
        q = q.filter(delpge_claims::id.gt(a));
    }
    Ok(q.order(delpge_claims::id.asc())
        .limit(limit)
        .select((
            ClaimRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .load::<Joined>(c)?
        .into_iter()
        .map(record)
        .collect())
}

/// An enrolment with its programme's time limit.
pub type EnrolmentWithLimit = (EnrolmentRow, NaiveDate);

/// One employee's claims and enrolments, oldest first: the ledger.
pub fn ledger(
    c: &mut DbConn,
    code: &EmployeeCode,
) -> Result<(Vec<ClaimRow>, Vec<EnrolmentWithLimit>), StoreError> {
    let claims = delpge_claims::table
        .filter(delpge_claims::employee_code.eq(code))
        .order((delpge_claims::completed_on.asc(), delpge_claims::id.asc()))
        .select(ClaimRow::as_select())
        .load(c)?;
    let enrolments = delpge_enrolments::table
        .inner_join(delpge_programmes::table)
        .filter(delpge_enrolments::employee_code.eq(code))
        .order(delpge_enrolments::id.asc())
        .select((EnrolmentRow::as_select(), delpge_programmes::complete_by))
        .load(c)?;
    Ok((claims, enrolments))
}
