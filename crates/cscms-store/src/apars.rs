//! APAR records (CSS-2): one per employee and reporting period, imported
//! from SPARROW or entered and corrected by DoPT. Every change is audited
//! with its before and after (PRF-4); an unchanged re-import writes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, Timelike, Utc};
use cscms_domain::empanelment::{
    reconcile, Apar, AparGrade, ExpertPanelGrading, Grading, NumericGrade, Period, Reconciled,
    Representation, RepresentationMisfit,
};
use cscms_domain::employee::EmployeeCode;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::dates::{ReadDate, ReadTimestamp, WriteDate, WriteTimestamp};
use crate::schema::{apars, employees};
use crate::{DbConn, StoreError};

pub use cscms_domain::empanelment::AparSource;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = apars)]
pub struct AparRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    #[diesel(deserialize_as = ReadDate)]
    pub period_from: NaiveDate,
    #[diesel(deserialize_as = ReadDate)]
    pub period_to: NaiveDate,
    pub grading: Option<Grading>,
    /// A 1-10 grade as its shortest exact decimal (checked with the
    /// grading beside it: exactly one of the two is set).
    pub numeric_grade: Option<String>,
    pub expert_grading: Option<Grading>,
    pub expert_note: Option<String>,
    pub rep_decided_on: Option<NaiveDate>,
    pub rep_grading_before: Option<Grading>,
    pub rep_numeric_before: Option<String>,
    pub rep_adverse_remarks_expunged: bool,
    pub source: AparSource,
    pub version: i64,
    #[diesel(deserialize_as = ReadTimestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = ReadTimestamp)]
    pub updated_at: NaiveDateTime,
}

fn corrupt(id: i64, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("apar {id}: {what}"))
}

fn grade_of(
    id: i64,
    grading: Option<Grading>,
    numeric: Option<&str>,
) -> Result<AparGrade, StoreError> {
    match (grading, numeric) {
        (Some(g), None) => Ok(AparGrade::Grading(g)),
        (None, Some(n)) => n
            .parse::<f64>()
            .map_err(|e| corrupt(id, e))
            .and_then(|v| NumericGrade::new(v).map_err(|e| corrupt(id, e)))
            .map(AparGrade::Numeric),
        _ => Err(corrupt(id, "neither or both of grading and numeric grade")),
    }
}

/// A grade as its two columns; a numeric grade as its shortest exact decimal.
fn grade_columns(g: AparGrade) -> (Option<Grading>, Option<String>) {
    match g {
        AparGrade::Grading(g) => (Some(g), None),
        AparGrade::Numeric(n) => (None, Some(n.get().to_string())),
    }
}

impl AparRow {
    pub fn period(&self) -> Result<Period, StoreError> {
        Period::new(self.period_from, self.period_to).map_err(|e| corrupt(self.id, e))
    }

    /// The APAR as the engine reads it.
    pub fn apar(&self) -> Result<Apar, StoreError> {
        let expert_panel = self.expert_grading.map(|grading| ExpertPanelGrading {
            grading,
            note: self.expert_note.clone().unwrap_or_default(),
        });
        let representation = match self.rep_decided_on {
            Some(decided_on) => Some(Representation {
                decided_on,
                grade_before: grade_of(
                    self.id,
                    self.rep_grading_before,
                    self.rep_numeric_before.as_deref(),
                )?,
                adverse_remarks_expunged: self.rep_adverse_remarks_expunged,
            }),
            None => None,
        };
        Ok(Apar {
            period: self.period()?,
            grade: grade_of(self.id, self.grading, self.numeric_grade.as_deref())?,
            expert_panel,
            representation,
        })
    }
}

impl AparRow {
    /// The row an APAR becomes when written with these values.
    fn written(
        id: i64,
        code: &EmployeeCode,
        apar: &Apar,
        source: AparSource,
        version: i64,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
    ) -> Self {
        let v = AparValues::new(apar, source);
        Self {
            id,
            employee_code: code.clone(),
            period_from: v.period_from.0,
            period_to: v.period_to.0,
            grading: v.grading,
            numeric_grade: v.numeric_grade,
            expert_grading: v.expert_grading,
            expert_note: v.expert_note,
            rep_decided_on: v.rep_decided_on.map(|d| d.0),
            rep_grading_before: v.rep_grading_before,
            rep_numeric_before: v.rep_numeric_before,
            rep_adverse_remarks_expunged: v.rep_adverse_remarks_expunged,
            source: v.source,
            version,
            created_at,
            updated_at,
        }
    }

    /// The columns it sets.
    fn values(&self) -> AparValues {
        AparValues {
            period_from: self.period_from.into(),
            period_to: self.period_to.into(),
            grading: self.grading,
            numeric_grade: self.numeric_grade.clone(),
            expert_grading: self.expert_grading,
            expert_note: self.expert_note.clone(),
            rep_decided_on: self.rep_decided_on.map(WriteDate),
            rep_grading_before: self.rep_grading_before,
            rep_numeric_before: self.rep_numeric_before.clone(),
            rep_adverse_remarks_expunged: self.rep_adverse_remarks_expunged,
            source: self.source,
        }
    }

    /// The row as inserted.
    fn new_row(&self) -> NewAparRow {
        NewAparRow {
            employee_code: self.employee_code.clone(),
            values: self.values(),
            version: self.version,
            created_at: self.created_at.into(),
            updated_at: self.updated_at.into(),
        }
    }
}

/// The columns an APAR sets.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(
    table_name = apars,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct AparValues {
    period_from: WriteDate,
    period_to: WriteDate,
    grading: Option<Grading>,
    numeric_grade: Option<String>,
    expert_grading: Option<Grading>,
    expert_note: Option<String>,
    rep_decided_on: Option<WriteDate>,
    rep_grading_before: Option<Grading>,
    rep_numeric_before: Option<String>,
    rep_adverse_remarks_expunged: bool,
    source: AparSource,
}

impl AparValues {
    fn new(a: &Apar, source: AparSource) -> Self {
        let (grading, numeric_grade) = grade_columns(a.grade);
        let (rep_grading_before, rep_numeric_before) = a
            .representation
            .map_or((None, None), |r| grade_columns(r.grade_before));
        Self {
            period_from: a.period.from().into(),
            period_to: a.period.to().into(),
            grading,
            numeric_grade,
            expert_grading: a.expert_panel.as_ref().map(|e| e.grading),
            expert_note: a.expert_panel.as_ref().map(|e| e.note.clone()),
            rep_decided_on: a.representation.map(|r| WriteDate(r.decided_on)),
            rep_grading_before,
            rep_numeric_before,
            rep_adverse_remarks_expunged: a
                .representation
                .is_some_and(|r| r.adverse_remarks_expunged),
            source,
        }
    }
}

// Owned, and without DEFAULT in its SQL: a bulk INSERT of these rows is
// then prepared once per connection on both backends (`db::insert_many`).
#[derive(Insertable)]
#[diesel(table_name = apars, treat_none_as_default_value = false)]
struct NewAparRow {
    employee_code: EmployeeCode,
    #[diesel(embed)]
    values: AparValues,
    version: i64,
    created_at: WriteTimestamp,
    updated_at: WriteTimestamp,
}

/// What a write did.
#[derive(Debug, Clone)]
pub enum Written {
    Created(AparRow),
    Updated(AparRow),
    /// The same values were already recorded: nothing written, nothing audited.
    Unchanged(AparRow),
}

impl Written {
    pub fn row(&self) -> &AparRow {
        match self {
            Written::Created(r) | Written::Updated(r) | Written::Unchanged(r) => r,
        }
    }
}

/// The APAR on record a refusal points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnRecord {
    pub id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub version: i64,
}

impl From<&AparRow> for OnRecord {
    fn from(r: &AparRow) -> Self {
        Self {
            id: r.id,
            from: r.period_from,
            to: r.period_to,
            version: r.version,
        }
    }
}

/// Why a write was refused.
#[derive(Debug, Clone)]
pub enum Refused {
    UnknownEmployee,
    /// No such APAR of this employee.
    NotFound,
    /// An APAR for the same period exists (entry, not import).
    Exists(OnRecord),
    /// The period overlaps another APAR of the employee.
    Overlaps(OnRecord),
    /// The record was entered or corrected by DoPT; an import may not overwrite it.
    CorrectedByDopt(OnRecord),
    /// A correction would leave the representation on record not fitting
    /// the APAR's new period (CSS-8, [`Apar::representation_fits`]).
    Unfit(RepresentationMisfit),
    /// The period begins before the employee joined Government (this
    /// date): an APAR reports on service rendered.
    BeforeJoining(NaiveDate),
}

/// Whether `apar` reports on service the employee (joined Government on
/// `joined`) can have rendered.
fn served(apar: &Apar, joined: NaiveDate) -> Result<(), Refused> {
    if apar.period.from() < joined {
        Err(Refused::BeforeJoining(joined))
    } else {
        Ok(())
    }
}

/// A representation's outcome recorded with a correction (CSS-8). Without
/// `grade_before` the grade on record before the correction is taken.
#[derive(Debug, Clone, Copy)]
pub struct RepresentationChange {
    pub decided_on: NaiveDate,
    pub grade_before: Option<AparGrade>,
    pub adverse_remarks_expunged: bool,
}

/// An employee's APARs, oldest first.
pub fn list_for(conn: &mut DbConn, code: &EmployeeCode) -> Result<Vec<AparRow>, StoreError> {
    apars::table
        .filter(apars::employee_code.eq(code))
        .order((apars::period_from.asc(), apars::id.asc()))
        .select(AparRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("apars of", code))
}

/// One APAR of an employee, by its id.
pub fn one_of(
    conn: &mut DbConn,
    code: &EmployeeCode,
    id: i64,
) -> Result<Option<AparRow>, StoreError> {
    apars::table
        .filter(apars::employee_code.eq(code))
        .filter(apars::id.eq(id))
        .select(AparRow::as_select())
        .first(conn)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("apar", &id.to_string()))
}

/// The APARs of several employees, as the engine reads them, by employee.
pub fn apars_of(
    conn: &mut DbConn,
    codes: &[String],
) -> Result<HashMap<String, Vec<Apar>>, StoreError> {
    let mut out: HashMap<String, Vec<Apar>> =
        codes.iter().map(|c| (c.clone(), Vec::new())).collect();
    for chunk in codes.chunks(500) {
        let rows: Vec<AparRow> = apars::table
            .filter(apars::employee_code.eq_any(chunk))
            .order((apars::employee_code.asc(), apars::period_from.asc()))
            .select(AparRow::as_select())
            .load(conn)
            .map_err(|e| StoreError::from(e).in_row("apars of", &chunk.join(" ")))?;
        for r in rows {
            let apar = r.apar()?;
            out.entry(r.employee_code.as_str().to_owned())
                .or_default()
                .push(apar);
        }
    }
    Ok(out)
}

fn change(action: &'static str, before: Option<&AparRow>, after: &AparRow) -> Change {
    Change {
        action,
        entity: "apar",
        entity_id: after.id.to_string(),
        // APARs are confidential: not in any organisation's trail.
        org_id: None,
        before: before.and_then(|b| serde_json::to_value(b).ok()),
        after: serde_json::to_value(after).ok(),
    }
}

/// An APAR as its audit row keeps it: the text `serde_json::to_value(row)`
/// gives (a map, so its keys in sorted order), written without the `Value`.
fn audit_text(r: &AparRow) -> Option<String> {
    #[derive(Serialize)]
    struct Sorted<'a> {
        created_at: NaiveDateTime,
        employee_code: &'a EmployeeCode,
        expert_grading: Option<Grading>,
        expert_note: Option<&'a str>,
        grading: Option<Grading>,
        id: i64,
        numeric_grade: Option<&'a str>,
        period_from: NaiveDate,
        period_to: NaiveDate,
        rep_adverse_remarks_expunged: bool,
        rep_decided_on: Option<NaiveDate>,
        rep_grading_before: Option<Grading>,
        rep_numeric_before: Option<&'a str>,
        source: AparSource,
        updated_at: NaiveDateTime,
        version: i64,
    }
    serde_json::to_string(&Sorted {
        created_at: r.created_at,
        employee_code: &r.employee_code,
        expert_grading: r.expert_grading,
        expert_note: r.expert_note.as_deref(),
        grading: r.grading,
        id: r.id,
        numeric_grade: r.numeric_grade.as_deref(),
        period_from: r.period_from,
        period_to: r.period_to,
        rep_adverse_remarks_expunged: r.rep_adverse_remarks_expunged,
        rep_decided_on: r.rep_decided_on,
        rep_grading_before: r.rep_grading_before,
        rep_numeric_before: r.rep_numeric_before.as_deref(),
        source: r.source,
        updated_at: r.updated_at,
        version: r.version,
    })
    .ok()
}

fn insert(
    c: &mut DbConn,
    actor: &Actor,
    code: &EmployeeCode,
    apar: &Apar,
    source: AparSource,
) -> Result<AparRow, StoreError> {
    audit::audited(c, actor, |c| {
        let now = Utc::now().naive_utc();
        let id: i64 = diesel::insert_into(apars::table)
            .values(NewAparRow {
                employee_code: code.clone(),
                values: AparValues::new(apar, source),
                version: 1,
                created_at: now.into(),
                updated_at: now.into(),
            })
            .returning(apars::id)
            .get_result(c)
            .map_err(|e| StoreError::from_write(e, "an APAR for this period exists"))?;
        let row = by_id(c, id)?;
        let change = change("create", None, &row);
        Ok((row, change))
    })
}

fn update(
    c: &mut DbConn,
    actor: &Actor,
    before: &AparRow,
    apar: &Apar,
    source: AparSource,
) -> Result<AparRow, StoreError> {
    audit::audited(c, actor, |c| {
        diesel::update(apars::table.find(before.id))
            .set((
                AparValues::new(apar, source),
                apars::version.eq(before.version + 1),
                apars::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)
            .map_err(|e| StoreError::from_write(e, "an APAR for this period exists"))?;
        let row = by_id(c, before.id)?;
        let change = change("update", Some(before), &row);
        Ok((row, change))
    })
}

fn by_id(c: &mut DbConn, id: i64) -> Result<AparRow, StoreError> {
    apars::table
        .find(id)
        .select(AparRow::as_select())
        .first(c)
        .map_err(|e| StoreError::from(e).in_row("apars", &id))
}

/// The same period and the first overlapping one, among `rows` other than `except`.
fn place(
    rows: &[AparRow],
    period: Period,
    except: Option<i64>,
) -> (Option<&AparRow>, Option<&AparRow>) {
    let others = || rows.iter().filter(move |r| Some(r.id) != except);
    let same = others().find(|r| r.period_from == period.from() && r.period_to == period.to());
    let overlap = others().find(|r| {
        (r.period_from, r.period_to) != (period.from(), period.to())
            && r.period().is_ok_and(|p| p.overlap(period).is_some())
    });
    (same, overlap)
}

/// DoPT enters one APAR; one for the same period or an overlapping one is refused.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    code: &EmployeeCode,
    apar: &Apar,
) -> Result<Result<Written, Refused>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        // One writer of an employee's APARs at a time: the overlap check
        // below reads what the insert relies on.
        let Some(&joined) = lock_employees(c, &[code])?.get(code) else {
            return Ok(Err(Refused::UnknownEmployee));
        };
        if let Err(r) = served(apar, joined) {
            return Ok(Err(r));
        }
        let rows = list_for(c, code)?;
        match place(&rows, apar.period, None) {
            (Some(same), _) => Ok(Err(Refused::Exists(same.into()))),
            (_, Some(o)) => Ok(Err(Refused::Overlaps(o.into()))),
            (None, None) => {
                insert(c, actor, code, apar, AparSource::Dopt).map(|r| Ok(Written::Created(r)))
            }
        }
    })
}

/// DoPT corrects an APAR still at version `expected` (`Stale` otherwise):
/// the values given replace those on record, the representation on record
/// is kept unless a new one is given.
pub fn correct(
    conn: &mut DbConn,
    actor: &Actor,
    code: &EmployeeCode,
    (id, expected): (i64, i64),
    apar: &Apar,
    representation: Option<RepresentationChange>,
) -> Result<Result<Written, Refused>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        // One writer of an employee's APARs at a time (as in `create`).
        let Some(&joined) = lock_employees(c, &[code])?.get(code) else {
            return Ok(Err(Refused::NotFound));
        };
        let rows = list_for(c, code)?;
        let Some(stored) = rows.iter().find(|r| r.id == id) else {
            return Ok(Err(Refused::NotFound));
        };
        if stored.version != expected {
            return Err(StoreError::Stale);
        }
        let current = stored.apar()?;
        match place(&rows, apar.period, Some(id)) {
            (Some(other), _) => return Ok(Err(Refused::Exists(other.into()))),
            (_, Some(other)) => return Ok(Err(Refused::Overlaps(other.into()))),
            (None, None) => {}
        }
        let mut next = apar.clone();
        next.representation = match representation {
            Some(r) => Some(Representation {
                decided_on: r.decided_on,
                grade_before: r.grade_before.unwrap_or(current.grade),
                adverse_remarks_expunged: r.adverse_remarks_expunged,
            }),
            None => apar.representation.or(current.representation),
        };
        if let Err(e) = next.representation_fits() {
            return Ok(Err(Refused::Unfit(e)));
        }
        if let Err(r) = served(&next, joined) {
            return Ok(Err(r));
        }
        if next == current {
            return Ok(Ok(Written::Unchanged(stored.clone())));
        }
        update(c, actor, stored, &next, AparSource::Dopt).map(|r| Ok(Written::Updated(r)))
    })
}

/// Imports APARs in bulk, idempotent per employee and period: new →
/// created; the same values → unchanged; changed → updated (audited before
/// and after); what an import leaves out is kept and a DoPT correction
/// stands ([`reconcile`], CSS-2). Each row succeeds or is refused on its
/// own, and the results come back in the order given, exactly as if the
/// rows had been imported one after another.
///
/// The whole request is one write transaction of a few statements however
/// many rows it has: which employees exist, their APARs on record, the rows
/// reconciled in memory in order, then the new APARs, the changed ones, and
/// one audit row and change event per change, each kind written together.
/// Refusals are decided before anything is written, so no row can fail at
/// write time; a database error fails the request as a whole.
pub fn import_all(
    conn: &mut DbConn,
    actor: &Actor,
    rows: &[(EmployeeCode, Apar)],
    source: AparSource,
) -> Result<Vec<Result<Written, Refused>>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        let mut codes: Vec<&EmployeeCode> = rows.iter().map(|(code, _)| code).collect();
        codes.sort_unstable();
        codes.dedup();
        // One writer of an employee's APARs at a time: the overlap checks
        // below read what the inserts rely on.
        let known = lock_employees(c, &codes)?;
        // Only an APAR whose period meets the span of the rows' periods can
        // be one of theirs or overlap one: the rest of each employee's
        // record is left unread, however long it has grown.
        let span = rows.iter().map(|(_, apar)| apar.period).fold(None, |s, p| {
            let (from, to) = s.unwrap_or((p.from(), p.to()));
            Some((from.min(p.from()), to.max(p.to())))
        });
        let on_record = match span {
            Some(span) => held_by(c, &known, span)?,
            None => HashMap::new(),
        };
        let mut batch = Batch::new(on_record);
        let outcomes = rows
            .iter()
            .map(|(code, apar)| match known.get(code) {
                Some(&joined) => match served(apar, joined) {
                    Ok(()) => batch.import(code, apar, source),
                    Err(r) => Ok(Err(r)),
                },
                None => Ok(Err(Refused::UnknownEmployee)),
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        batch.write(c, actor, outcomes)
    })
}

/// The employees among `codes` that exist, with the day each joined
/// Government, each held against the other
/// writers of its APARs, and of its row, until the transaction ends
/// (PRF-4). On SQLite the
/// write transaction already holds the database's write lock: one query.
/// On PostgreSQL one query locks the employees' rows
/// (`FOR NO KEY UPDATE`, which the foreign keys' checks do not wait for),
/// in code order, so two writers of overlapping sets cannot each hold what
/// the other waits for. A row lock is kept in the row, not in PostgreSQL's
/// shared lock table: an import of 10,000 employees needs no more of that
/// table, whatever `max_locks_per_transaction` is, than one APAR does.
pub(crate) fn lock_employees(
    c: &mut DbConn,
    codes: &[&EmployeeCode],
) -> Result<HashMap<EmployeeCode, NaiveDate>, StoreError> {
    let mut known = HashMap::with_capacity(codes.len());
    match c {
        DbConn::Sqlite(c) => {
            let json = codes_json(codes.iter().map(|code| code.as_str()))?;
            let found: Vec<Code> = KnownCodes { codes: &json }
                .load(c)
                .map_err(|e| StoreError::from(e).in_row("employees", &json))?;
            known.extend(found.into_iter().map(|f| (f.code, f.joined_government_on)));
        }
        DbConn::Pg(c) => {
            // One statement, however many codes: chunks would each be in
            // PostgreSQL's order but cut by ours, which its collation need
            // not share.
            let codes: Vec<&str> = codes.iter().map(|code| code.as_str()).collect();
            let found: Vec<(EmployeeCode, NaiveDate)> = employees::table
                .filter(employees::code.eq_any(diesel::select(unnest(&codes))))
                .select((employees::code, employees::joined_government_on))
                .order(employees::code)
                .for_no_key_update()
                .load(c)
                .map_err(|e| StoreError::from(e).in_row("employees", &codes.join(" ")))?;
            known.extend(found);
        }
    }
    Ok(known)
}

/// The APARs on record of these employees whose periods meet `span`
/// (first and last day, both included), each employee's in the order
/// [`list_for`] gives them.
fn held_by(
    c: &mut DbConn,
    codes: &HashMap<EmployeeCode, NaiveDate>,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<HashMap<EmployeeCode, Vec<AparRow>>, StoreError> {
    let codes: Vec<&str> = codes.keys().map(EmployeeCode::as_str).collect();
    let mut held: HashMap<EmployeeCode, Vec<AparRow>> = HashMap::with_capacity(codes.len());
    let mut keep = |rows: Vec<AparRow>| {
        for r in rows {
            held.entry(r.employee_code.clone()).or_default().push(r);
        }
    };
    match c {
        DbConn::Sqlite(c) => {
            let json = codes_json(codes.iter().copied())?;
            let rows: Vec<AparRow> = AparsOf {
                codes: &json,
                last: WriteDate(last),
                first: WriteDate(first),
            }
            .load(c)
            .map_err(|e| StoreError::from(e).in_row("apars of", &json))?;
            keep(rows);
        }
        DbConn::Pg(c) => {
            for chunk in codes.chunks(CODES_PER_QUERY) {
                let rows: Vec<AparRow> = apars::table
                    .filter(apars::employee_code.eq_any(diesel::select(unnest(chunk))))
                    .filter(apars::period_from.le(WriteDate(last)))
                    .filter(apars::period_to.ge(WriteDate(first)))
                    .order((
                        apars::employee_code.asc(),
                        apars::period_from.asc(),
                        apars::id.asc(),
                    ))
                    .select(AparRow::as_select())
                    .load(c)
                    .map_err(|e| StoreError::from(e).in_row("apars of", &chunk.join(" ")))?;
                keep(rows);
            }
        }
    }
    Ok(held)
}

/// A lookup's codes as one JSON array, SQLite's single parameter for them.
fn codes_json<'a>(codes: impl Iterator<Item = &'a str>) -> Result<String, StoreError> {
    serde_json::to_string(&codes.collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(format!("codes as JSON: {e}")))
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = diesel::sql_types::Text)]
    code: EmployeeCode,
    #[diesel(sql_type = diesel::sql_types::Date)]
    joined_government_on: NaiveDate,
}

// On SQLite the codes of a lookup are one JSON array read by `json_each`:
// with an `IN` list of a parameter each, every request prepared a
// statement of up to 1,000 parameters anew (diesel keeps no statement
// whose parameters vary in number), about a tenth of a 1,000-row import's
// samples (bench/speed.md, "APAR import, fourth pass").
crate::fixed::fixed_statement! {
    /// The employees among a JSON array of codes, with the day each joined.
    struct KnownCodes<'a> on diesel::sqlite::Sqlite => diesel::sql_types::Untyped {
        codes: &'a str,
    }
    sql = "SELECT code, joined_government_on FROM employees WHERE code IN (SELECT value FROM json_each(",
        codes: diesel::sql_types::Text, "))";
}

crate::fixed::fixed_statement! {
    /// The APARs of a JSON array of employee codes whose periods meet the
    /// days `first` to `last`, each employee's in [`list_for`]'s order: the
    /// table's columns in their order, read as [`AparRow`]s.
    struct AparsOf<'a> on diesel::sqlite::Sqlite => apars::SqlType {
        codes: &'a str,
        last: WriteDate,
        first: WriteDate,
    }
    sql = "SELECT id, employee_code, period_from, period_to, grading, numeric_grade, \
           expert_grading, expert_note, rep_decided_on, rep_grading_before, \
           rep_numeric_before, rep_adverse_remarks_expunged, source, version, \
           created_at, updated_at FROM apars \
           WHERE employee_code IN (SELECT value FROM json_each(", codes: diesel::sql_types::Text, ")) \
           AND period_from <= ", last: diesel::sql_types::Date, " AND period_to >= ", first: diesel::sql_types::Date, " \
           ORDER BY employee_code, period_from, id";
}

/// Codes per lookup on PostgreSQL, well within its limit of parameters.
const CODES_PER_QUERY: usize = 5_000;

diesel::define_sql_function! {
    /// PostgreSQL's `unnest`: an array's elements as rows. The codes of a
    /// lookup go in as `IN (SELECT unnest($1))` there, not `= ANY($1)`:
    /// once PostgreSQL kept a generic plan of the latter, the array was a
    /// parameter it could not hash at planning time, and a scan compared
    /// each row with every code in turn (most of PostgreSQL's time in a
    /// 1,000-row import as the table grew; bench/speed.md, "APAR import on
    /// PostgreSQL: lookups by a list of codes").
    fn unnest(codes: diesel::sql_types::Array<diesel::sql_types::Text>) -> diesel::sql_types::Text;
}

/// A bulk import reconciled in memory before anything is written. APARs
/// new in this request carry a provisional negative id, in the order they
/// were created, until the database gives them theirs.
struct Batch {
    held: HashMap<EmployeeCode, Vec<AparRow>>,
    created: usize,
    /// Ids on record of the APARs this request changes.
    updated: HashSet<i64>,
    /// The changes to audit, in the order of the rows.
    changes: Vec<(&'static str, Option<AparRow>, AparRow)>,
    now: NaiveDateTime,
}

/// Where a row sits in an employee's list: by period, and among the same
/// start by id, new APARs after those on record in the order created —
/// the order [`list_for`] reads them in once written.
fn list_order(r: &AparRow) -> (NaiveDate, bool, i64) {
    (r.period_from, r.id < 0, r.id.abs())
}

impl Batch {
    fn new(held: HashMap<EmployeeCode, Vec<AparRow>>) -> Self {
        Self {
            held,
            created: 0,
            updated: HashSet::new(),
            changes: Vec::new(),
            now: now_micros(),
        }
    }

    /// One row, against the record as the rows before it left it.
    fn import(
        &mut self,
        code: &EmployeeCode,
        apar: &Apar,
        source: AparSource,
    ) -> Result<Result<Written, Refused>, StoreError> {
        let list = self.held.entry(code.clone()).or_default();
        let (same, overlap) = place(list, apar.period, None);
        if let Some(o) = overlap {
            return Ok(Err(Refused::Overlaps(o.into())));
        }
        let Some(stored) = same.cloned() else {
            self.created += 1;
            let id = -i64::try_from(self.created).unwrap_or(i64::MAX);
            let row = AparRow::written(id, code, apar, source, 1, self.now, self.now);
            let at = list.partition_point(|r| list_order(r) < list_order(&row));
            list.insert(at, row.clone());
            self.changes.push(("create", None, row.clone()));
            return Ok(Ok(Written::Created(row)));
        };
        match reconcile(&stored.apar()?, stored.source, apar, source) {
            Reconciled::Unchanged => Ok(Ok(Written::Unchanged(stored))),
            Reconciled::CorrectedByDopt => Ok(Err(Refused::CorrectedByDopt((&stored).into()))),
            Reconciled::Update(merged) => {
                let row = AparRow::written(
                    stored.id,
                    code,
                    &merged,
                    source,
                    stored.version + 1,
                    stored.created_at,
                    self.now,
                );
                if let Some(slot) = list.iter_mut().find(|r| r.id == stored.id) {
                    *slot = row.clone();
                }
                if stored.id > 0 {
                    self.updated.insert(stored.id);
                }
                self.changes.push(("update", Some(stored), row.clone()));
                Ok(Ok(Written::Updated(row)))
            }
        }
    }

    /// Writes what the rows came to and gives the outcomes their real ids.
    fn write(
        self,
        c: &mut DbConn,
        actor: &Actor,
        mut outcomes: Vec<Result<Written, Refused>>,
    ) -> Result<Vec<Result<Written, Refused>>, StoreError> {
        let finals: Vec<&AparRow> = self.held.values().flatten().collect();
        // New APARs with the values they end the request with, in the order created.
        let mut fresh: Vec<&AparRow> = finals.iter().copied().filter(|r| r.id < 0).collect();
        fresh.sort_by_key(|r| std::cmp::Reverse(r.id));
        let values: Vec<NewAparRow> = fresh.iter().map(|r| r.new_row()).collect();
        let given =
            crate::db::insert_rows!(c, apars::table, apars::id, &values).map_err(|e| match e {
                StoreError::Query(e) => StoreError::from_write(e, "an APAR for this period exists"),
                e => e,
            })?;
        let ids: HashMap<i64, i64> = fresh.iter().map(|r| r.id).zip(given).collect();
        // APARs on record that changed, each with the values it ends with.
        for r in finals.iter().filter(|r| self.updated.contains(&r.id)) {
            let values = r.values();
            crate::on_backend!(c, |c| diesel::update(apars::table.find(r.id))
                .set((
                    values,
                    apars::version.eq(r.version),
                    apars::updated_at.eq(WriteTimestamp(r.updated_at)),
                ))
                .execute(c))
            .map_err(|e| StoreError::from_write(e, "an APAR for this period exists"))?;
        }
        let real = |mut r: AparRow| {
            if let Some(id) = ids.get(&r.id) {
                r.id = *id;
            }
            r
        };
        // The audit rows' text written straight from the rows (as `change`
        // would through a `Value`), and change events without it.
        let mut changes = Vec::with_capacity(self.changes.len());
        let mut json = Vec::with_capacity(self.changes.len());
        for (action, before, after) in self.changes {
            let after = real(after);
            json.push(audit::Json {
                before: before.map(real).as_ref().and_then(audit_text),
                after: audit_text(&after),
            });
            changes.push(Change {
                action,
                entity: "apar",
                entity_id: after.id.to_string(),
                org_id: None,
                before: None,
                after: None,
            });
        }
        audit::record_all(c, actor, &changes, json)?;
        for outcome in &mut outcomes {
            match outcome {
                Ok(Written::Created(r) | Written::Updated(r) | Written::Unchanged(r)) => {
                    if let Some(id) = ids.get(&r.id) {
                        r.id = *id;
                    }
                }
                Err(Refused::Overlaps(o) | Refused::CorrectedByDopt(o) | Refused::Exists(o)) => {
                    if let Some(id) = ids.get(&o.id) {
                        o.id = *id;
                    }
                }
                Err(
                    Refused::UnknownEmployee
                    | Refused::NotFound
                    | Refused::Unfit(_)
                    | Refused::BeforeJoining(_),
                ) => {}
            }
        }
        Ok(outcomes)
    }
}

/// Now, to the microsecond both backends store: a row built in memory
/// reads the same as when it is read back.
fn now_micros() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            sub: "dopt:x".into(),
            role: "dopt".into(),
            request_id: "r".into(),
        }
    }

    /// A fresh suite database with `n` demo employees, a connection to it,
    /// and their codes.
    fn seeded(n: usize) -> (tempfile::TempDir, crate::DbUrl, DbConn, Vec<EmployeeCode>) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let mut conn = url.establish().unwrap();
        crate::seed::demo(&mut conn, n).unwrap();
        let codes = employees::table
            .select(employees::code)
            .order(employees::code)
            .load(&mut conn)
            .unwrap();
        (dir, url, conn, codes)
    }

    /// Writers of one employee's APARs, bulk and single, decide one at a
    /// time (PRF-4): of eight overlapping periods sent at once, one is
    /// written and the rest are refused as overlapping it.
    #[test]
    fn writers_of_one_employees_apars_take_turns() {
        const WRITERS: u32 = 8;
        let (_dir, url, _conn, codes) = seeded(1);
        let code = codes[0].clone();
        let mut created = 0;
        for round in 0..4 {
            let year = 2010 + 2 * round;
            let gate = std::sync::Barrier::new(WRITERS as usize);
            let outcomes: Vec<Result<Written, Refused>> = std::thread::scope(|s| {
                let writers: Vec<_> = (0..WRITERS)
                    .map(|i| {
                        let (url, code, gate) = (&url, &code, &gate);
                        s.spawn(move || {
                            let mut conn = url.establish().unwrap();
                            let from = NaiveDate::from_ymd_opt(year, 4, 1 + i).unwrap();
                            let to = NaiveDate::from_ymd_opt(year + 1, 3, 31).unwrap();
                            let apar = Apar {
                                period: Period::new(from, to).unwrap(),
                                grade: AparGrade::Grading(Grading::Good),
                                expert_panel: None,
                                representation: None,
                            };
                            gate.wait();
                            if i % 2 == 0 {
                                let rows = [(code.clone(), apar)];
                                import_all(&mut conn, &actor(), &rows, AparSource::Sparrow)
                                    .unwrap()
                                    .remove(0)
                            } else {
                                create(&mut conn, &actor(), code, &apar).unwrap()
                            }
                        })
                    })
                    .collect();
                writers.into_iter().map(|w| w.join().unwrap()).collect()
            });
            let written = outcomes
                .iter()
                .filter(|o| matches!(o, Ok(Written::Created(_))))
                .count();
            let overlapping = outcomes
                .iter()
                .filter(|o| matches!(o, Err(Refused::Overlaps(_))))
                .count();
            assert_eq!(
                (written, overlapping),
                (1, 7),
                "round {round}: {outcomes:?}"
            );
            created += written;
        }
        let mut conn = url.establish().unwrap();
        assert_eq!(list_for(&mut conn, &code).unwrap().len(), created);
    }

    /// On PostgreSQL the employees an import holds are held in their rows,
    /// not in the server's shared lock table, which a default server sizes
    /// at a few thousand entries for all its sessions together: locking
    /// 3,000 employees takes a handful of entries, and another session
    /// finds each of them held.
    #[test]
    fn employees_are_held_in_their_rows_not_the_lock_table() {
        use diesel::sql_types::{BigInt, Integer, Text};
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        #[derive(QueryableByName)]
        struct Pid {
            #[diesel(sql_type = Integer)]
            pid: i32,
        }
        let (_dir, url, mut conn, codes) = seeded(3_000);
        if !matches!(conn, DbConn::Pg(_)) {
            return;
        }
        let mut other = url.establish().unwrap();
        let pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(&mut conn)
            .unwrap()
            .pid;
        let refs: Vec<&EmployeeCode> = codes.iter().collect();
        let (entries, free) = crate::db::write_transaction(&mut conn, |c| {
            assert_eq!(lock_employees(c, &refs)?.len(), codes.len());
            let entries = diesel::sql_query("SELECT count(*) AS n FROM pg_locks WHERE pid = $1")
                .bind::<Integer, _>(pid)
                .get_result::<Count>(&mut other)?
                .n;
            let mut free = 0;
            for code in [&codes[0], &codes[1_500], &codes[2_999]] {
                let taken = other.transaction(|o| {
                    diesel::sql_query(
                        "SELECT code FROM employees WHERE code = $1 FOR NO KEY UPDATE NOWAIT",
                    )
                    .bind::<Text, _>(code.as_str())
                    .execute(o)
                });
                free += usize::from(taken.is_ok());
            }
            Ok((entries, free))
        })
        .unwrap();
        assert!(entries < 20, "{entries} lock table entries");
        assert_eq!(free, 0, "another session took a held employee");
    }

    /// The bulk import's audit text is the one the single writes keep.
    #[test]
    fn audit_text_is_the_value_map_as_text() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 29)
            .and_then(|d| d.and_hms_micro_opt(5, 6, 7, 890_123))
            .unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let plain = AparRow {
            id: 42,
            employee_code: EmployeeCode::parse("CSS-000001").unwrap(),
            period_from: d(2022, 4, 1),
            period_to: d(2023, 3, 31),
            grading: Some(Grading::VeryGood),
            numeric_grade: None,
            expert_grading: None,
            expert_note: None,
            rep_decided_on: None,
            rep_grading_before: None,
            rep_numeric_before: None,
            rep_adverse_remarks_expunged: false,
            source: AparSource::Sparrow,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let full = AparRow {
            grading: None,
            numeric_grade: Some("7.5".into()),
            expert_grading: Some(Grading::Good),
            expert_note: Some("a \"quoted\" note".into()),
            rep_decided_on: Some(d(2023, 9, 1)),
            rep_grading_before: Some(Grading::Average),
            rep_adverse_remarks_expunged: true,
            version: 3,
            ..plain.clone()
        };
        for row in [plain, full] {
            let via_value = serde_json::to_value(&row).unwrap().to_string();
            assert_eq!(audit_text(&row).unwrap(), via_value);
        }
    }
}
