//! APAR records (CSS-2): one per employee and reporting period, imported
//! from SPARROW or entered and corrected by DoPT. Every change is audited
//! with its before and after (PRF-4); an unchanged re-import writes nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cscms_domain::empanelment::{
    reconcile, Apar, AparGrade, ExpertPanelGrading, Grading, NumericGrade, Period, Reconciled,
    Representation,
};
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::schema::{apars, employees};
use crate::{DbConn, StoreError};

pub use cscms_domain::empanelment::AparSource;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = apars)]
pub struct AparRow {
    pub id: i64,
    pub employee_code: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub grading: Option<String>,
    pub numeric_grade: Option<String>,
    pub expert_grading: Option<String>,
    pub expert_note: Option<String>,
    pub rep_decided_on: Option<NaiveDate>,
    pub rep_grading_before: Option<String>,
    pub rep_numeric_before: Option<String>,
    pub rep_adverse_remarks_expunged: bool,
    pub source: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn corrupt(id: i64, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("apar {id}: {what}"))
}

fn grade_of(
    id: i64,
    grading: Option<&str>,
    numeric: Option<&str>,
) -> Result<AparGrade, StoreError> {
    match (grading, numeric) {
        (Some(g), None) => g
            .parse::<Grading>()
            .map(AparGrade::Grading)
            .map_err(|e| corrupt(id, e)),
        (None, Some(n)) => n
            .parse::<f64>()
            .map_err(|e| corrupt(id, e))
            .and_then(|v| NumericGrade::new(v).map_err(|e| corrupt(id, e)))
            .map(AparGrade::Numeric),
        _ => Err(corrupt(id, "neither or both of grading and numeric grade")),
    }
}

/// A grade as its two columns; a numeric grade as its shortest exact decimal.
fn grade_columns(g: AparGrade) -> (Option<String>, Option<String>) {
    match g {
        AparGrade::Grading(g) => (Some(g.as_str().to_owned()), None),
        AparGrade::Numeric(n) => (None, Some(n.get().to_string())),
    }
}

impl AparRow {
    pub fn period(&self) -> Result<Period, StoreError> {
        Period::new(self.period_from, self.period_to).map_err(|e| corrupt(self.id, e))
    }

    /// The APAR as the engine reads it.
    pub fn apar(&self) -> Result<Apar, StoreError> {
        let expert_panel = match &self.expert_grading {
            Some(g) => Some(ExpertPanelGrading {
                grading: g.parse().map_err(|e| corrupt(self.id, e))?,
                note: self.expert_note.clone().unwrap_or_default(),
            }),
            None => None,
        };
        let representation = match self.rep_decided_on {
            Some(decided_on) => Some(Representation {
                decided_on,
                grade_before: grade_of(
                    self.id,
                    self.rep_grading_before.as_deref(),
                    self.rep_numeric_before.as_deref(),
                )?,
                adverse_remarks_expunged: self.rep_adverse_remarks_expunged,
            }),
            None => None,
        };
        Ok(Apar {
            period: self.period()?,
            grade: grade_of(
                self.id,
                self.grading.as_deref(),
                self.numeric_grade.as_deref(),
            )?,
            expert_panel,
            representation,
        })
    }
}

/// The columns an APAR sets.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = apars, treat_none_as_null = true)]
struct AparValues {
    period_from: NaiveDate,
    period_to: NaiveDate,
    grading: Option<String>,
    numeric_grade: Option<String>,
    expert_grading: Option<String>,
    expert_note: Option<String>,
    rep_decided_on: Option<NaiveDate>,
    rep_grading_before: Option<String>,
    rep_numeric_before: Option<String>,
    rep_adverse_remarks_expunged: bool,
    source: String,
}

impl AparValues {
    fn new(a: &Apar, source: AparSource) -> Self {
        let (grading, numeric_grade) = grade_columns(a.grade);
        let (rep_grading_before, rep_numeric_before) = a
            .representation
            .map_or((None, None), |r| grade_columns(r.grade_before));
        Self {
            period_from: a.period.from(),
            period_to: a.period.to(),
            grading,
            numeric_grade,
            expert_grading: a
                .expert_panel
                .as_ref()
                .map(|e| e.grading.as_str().to_owned()),
            expert_note: a.expert_panel.as_ref().map(|e| e.note.clone()),
            rep_decided_on: a.representation.map(|r| r.decided_on),
            rep_grading_before,
            rep_numeric_before,
            rep_adverse_remarks_expunged: a
                .representation
                .is_some_and(|r| r.adverse_remarks_expunged),
            source: source.as_str().to_owned(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = apars)]
struct NewAparRow<'a> {
    employee_code: &'a str,
    #[diesel(embed)]
    values: AparValues,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
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
}

/// A representation's outcome recorded with a correction (CSS-8). Without
/// `grade_before` the grade on record before the correction is taken.
#[derive(Debug, Clone, Copy)]
pub struct RepresentationChange {
    pub decided_on: NaiveDate,
    pub grade_before: Option<AparGrade>,
    pub adverse_remarks_expunged: bool,
}

fn employee_exists(c: &mut DbConn, code: &str) -> Result<bool, StoreError> {
    Ok(employees::table
        .find(code)
        .select(employees::code)
        .first::<String>(c)
        .optional()?
        .is_some())
}

/// An employee's APARs, oldest first.
pub fn list_for(conn: &mut DbConn, code: &str) -> Result<Vec<AparRow>, StoreError> {
    Ok(apars::table
        .filter(apars::employee_code.eq(code))
        .order((apars::period_from.asc(), apars::id.asc()))
        .select(AparRow::as_select())
        .load(conn)?)
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
            .load(conn)?;
        for r in rows {
            let apar = r.apar()?;
            out.entry(r.employee_code).or_default().push(apar);
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

fn insert(
    c: &mut DbConn,
    actor: &Actor,
    code: &str,
    apar: &Apar,
    source: AparSource,
) -> Result<AparRow, StoreError> {
    audit::audited(c, actor, |c| {
        let now = Utc::now().naive_utc();
        let id: i64 = diesel::insert_into(apars::table)
            .values(NewAparRow {
                employee_code: code,
                values: AparValues::new(apar, source),
                version: 1,
                created_at: now,
                updated_at: now,
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
    Ok(apars::table
        .find(id)
        .select(AparRow::as_select())
        .first(c)?)
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

/// Imports one APAR, idempotent per employee and period: new → created;
/// same values → unchanged; changed → updated (audited before/after). What
/// the import leaves out is kept and a DoPT correction stands: the domain's
/// [`reconcile`] decides (CSS-2), this applies it.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    apar: &Apar,
    source: AparSource,
) -> Result<Result<Written, Refused>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        // One writer of an employee's APARs at a time: the overlap check
        // below reads what the insert relies on.
        crate::db::lock(c, &format!("apar:{code}"))?;
        if !employee_exists(c, code)? {
            return Ok(Err(Refused::UnknownEmployee));
        }
        let rows = list_for(c, code)?;
        let (same, overlap) = place(&rows, apar.period, None);
        if let Some(o) = overlap {
            return Ok(Err(Refused::Overlaps(o.into())));
        }
        let Some(stored) = same else {
            return insert(c, actor, code, apar, source).map(|r| Ok(Written::Created(r)));
        };
        let stored_source = stored
            .source
            .parse::<AparSource>()
            .map_err(|e| corrupt(stored.id, e))?;
        // CSS-2: what an import keeps and whom it may not overwrite.
        match reconcile(&stored.apar()?, stored_source, apar, source) {
            Reconciled::Unchanged => Ok(Ok(Written::Unchanged(stored.clone()))),
            Reconciled::CorrectedByDopt => Ok(Err(Refused::CorrectedByDopt(stored.into()))),
            Reconciled::Update(merged) => {
                update(c, actor, stored, &merged, source).map(|r| Ok(Written::Updated(r)))
            }
        }
    })
}

/// DoPT enters one APAR; one for the same period or an overlapping one is refused.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    apar: &Apar,
) -> Result<Result<Written, Refused>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        // One writer of an employee's APARs at a time: the overlap check
        // below reads what the insert relies on.
        crate::db::lock(c, &format!("apar:{code}"))?;
        if !employee_exists(c, code)? {
            return Ok(Err(Refused::UnknownEmployee));
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

/// DoPT corrects an APAR: the values given replace those on record, the
/// representation on record is kept unless a new one is given.
pub fn correct(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    id: i64,
    apar: &Apar,
    representation: Option<RepresentationChange>,
) -> Result<Result<Written, Refused>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        crate::db::lock(c, &format!("apar:{code}"))?;
        let rows = list_for(c, code)?;
        let Some(stored) = rows.iter().find(|r| r.id == id) else {
            return Ok(Err(Refused::NotFound));
        };
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
        if next == current {
            return Ok(Ok(Written::Unchanged(stored.clone())));
        }
        update(c, actor, stored, &next, AparSource::Dopt).map(|r| Ok(Written::Updated(r)))
    })
}

/// Imports rows one by one, in one transaction: each row succeeds or is
/// refused on its own, and the results come back in the order given.
pub fn import_all(
    conn: &mut DbConn,
    actor: &Actor,
    rows: &[(String, Apar)],
    source: AparSource,
) -> Result<Vec<Result<Written, Refused>>, StoreError> {
    crate::db::write_transaction(conn, |c| {
        rows.iter()
            .map(|(code, apar)| import(c, actor, code, apar, source))
            .collect()
    })
}
