//! Central Staffing Scheme batches, the cadre controlling authorities'
//! proposals (CSS-10) and stored runs (CSS-3, CSS-4). Runs are written once
//! and never changed, so a run can always be read back and repeated.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cscms_domain::decision::{Decision, Reason};
use cscms_domain::empanelment::{
    Apar, Batch, CategoryShare, PanelRun, PrecedingBatch, Proposal, ReportingYear, RunComparison,
};
use cscms_domain::employee::EmployeeCode;
use diesel::dsl::max;
use diesel::prelude::*;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::{empanelment_batches, empanelment_proposals, empanelment_runs};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = empanelment_batches)]
pub struct BatchRow {
    pub id: i64,
    pub service: String,
    pub batch_year: i32,
    pub empanelment_year: i32,
    pub cut_off_year: i32,
    pub panel_size: i32,
    pub ais_first_sag_on: Option<NaiveDate>,
    pub relaxed_min_score: Option<String>,
    #[diesel(column_name = shares_json)]
    #[serde(rename = "shares_json", serialize_with = "as_text")]
    pub shares: Json<Vec<CategoryShare>>,
    #[diesel(column_name = preceding_json)]
    #[serde(rename = "preceding_json", serialize_with = "as_text")]
    pub preceding: Json<Vec<PrecedingBatch>>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A stored document in an audit record: the text its column keeps.
fn as_text<T, S: Serializer>(doc: &Json<T>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(doc.text())
}

impl BatchRow {
    /// The batch as the engine reads it.
    pub fn batch(&self) -> Result<Batch, StoreError> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("batch {}: {what}: {e}", self.id))
        };
        Ok(Batch {
            service: self.service.clone(),
            batch_year: self.batch_year,
            empanelment_year: self.empanelment_year,
            cut_off_year: ReportingYear::starting(self.cut_off_year),
            panel_size: u32::try_from(self.panel_size).map_err(|e| bad("panel size", &e))?,
            shares: self.shares.get().clone(),
            preceding: self.preceding.get().clone(),
            ais_first_sag_on: self.ais_first_sag_on,
            relaxed_min_score: self
                .relaxed_min_score
                .as_deref()
                .map(str::parse::<f64>)
                .transpose()
                .map_err(|e| bad("relaxed minimum score", &e))?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = empanelment_batches, treat_none_as_default_value = false)]
struct NewBatchRow {
    service: String,
    batch_year: i32,
    empanelment_year: i32,
    cut_off_year: i32,
    panel_size: i32,
    ais_first_sag_on: Option<NaiveDate>,
    relaxed_min_score: Option<String>,
    shares_json: Json<Vec<CategoryShare>>,
    preceding_json: Json<Vec<PrecedingBatch>>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Creates a batch, audited. The same service, batch year and empanelment
/// year twice is a `Conflict`.
pub fn create_batch(conn: &mut DbConn, actor: &Actor, b: &Batch) -> Result<BatchRow, StoreError> {
    let now = Utc::now().naive_utc();
    let new = NewBatchRow {
        service: b.service.clone(),
        batch_year: b.batch_year,
        empanelment_year: b.empanelment_year,
        cut_off_year: b.cut_off_year.start_year(),
        panel_size: i32::try_from(b.panel_size)
            .map_err(|e| StoreError::Corrupt(format!("panel size: {e}")))?,
        ais_first_sag_on: b.ais_first_sag_on,
        relaxed_min_score: b.relaxed_min_score.map(|s| s.to_string()),
        shares_json: Json::new(b.shares.clone())?,
        preceding_json: Json::new(b.preceding.clone())?,
        created_at: now,
        updated_at: now,
    };
    audit::audited(conn, actor, |c| {
        let id: i64 = diesel::insert_into(empanelment_batches::table)
            .values(new)
            .returning(empanelment_batches::id)
            .get_result(c)
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    "a batch of this service, batch year and empanelment year exists",
                )
            })?;
        let row = get_batch(c, id)?.ok_or_else(|| StoreError::Corrupt("batch vanished".into()))?;
        let change = Change {
            action: "create",
            entity: "empanelment_batch",
            entity_id: id.to_string(),
            org_id: None,
            before: None,
            after: serde_json::to_value(&row).ok(),
        };
        Ok((row, change))
    })
}

pub fn get_batch(conn: &mut DbConn, id: i64) -> Result<Option<BatchRow>, StoreError> {
    empanelment_batches::table
        .find(id)
        .select(BatchRow::as_select())
        .first(conn)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("empanelment_batches", &id))
}

/// All batches, the latest empanelment year first.
pub fn list_batches(conn: &mut DbConn) -> Result<Vec<BatchRow>, StoreError> {
    empanelment_batches::table
        .order((
            empanelment_batches::empanelment_year.desc(),
            empanelment_batches::service.asc(),
            empanelment_batches::batch_year.asc(),
        ))
        .select(BatchRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("empanelment_batches", &"list"))
}

/// Proposals and runs of a batch: (proposals, runs, number of the latest run).
pub fn batch_counts(conn: &mut DbConn, id: i64) -> Result<(i64, i64, Option<i32>), StoreError> {
    let proposals = empanelment_proposals::table
        .filter(empanelment_proposals::batch_id.eq(id))
        .count()
        .get_result(conn)?;
    let runs = empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(id))
        .count()
        .get_result(conn)?;
    let last = empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(id))
        .select(max(empanelment_runs::seq))
        .first::<Option<i32>>(conn)?;
    Ok((proposals, runs, last))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = empanelment_proposals)]
pub struct ProposalRow {
    pub id: i64,
    pub batch_id: i64,
    pub officer_id: String,
    pub employee_code: Option<EmployeeCode>,
    pub apars_from_store: bool,
    /// The proposal as sent (APARs empty when they come from the store).
    #[diesel(column_name = proposal_json)]
    pub proposal: Json<Proposal>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A proposal as the API has checked it.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub officer_id: String,
    pub employee_code: Option<EmployeeCode>,
    pub apars_from_store: bool,
    pub proposal: Proposal,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = empanelment_proposals, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ProposalValues {
    employee_code: Option<EmployeeCode>,
    apars_from_store: bool,
    proposal_json: Json<Proposal>,
}

fn proposal_change(
    action: &'static str,
    before: Option<&ProposalRow>,
    after: &ProposalRow,
) -> Change {
    // The stored JSON is shown as JSON, not as a string inside it.
    let view = |r: &ProposalRow| {
        serde_json::json!({
            "id": r.id,
            "batch_id": r.batch_id,
            "officer_id": r.officer_id,
            "employee_code": r.employee_code,
            "apars_from_store": r.apars_from_store,
            "version": r.version,
            "proposal": serde_json::from_str::<serde_json::Value>(r.proposal.text()).ok(),
        })
    };
    Change {
        action,
        entity: "empanelment_proposal",
        entity_id: format!("{}/{}", after.batch_id, after.officer_id),
        org_id: None,
        before: before.map(view),
        after: Some(view(after)),
    }
}

/// An officer's proposal in a batch.
pub fn get_proposal(
    c: &mut DbConn,
    batch_id: i64,
    officer_id: &str,
) -> Result<Option<ProposalRow>, StoreError> {
    empanelment_proposals::table
        .filter(empanelment_proposals::batch_id.eq(batch_id))
        .filter(empanelment_proposals::officer_id.eq(officer_id))
        .select(ProposalRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| {
            StoreError::from(e).in_row("empanelment_proposals", &format!("{batch_id}/{officer_id}"))
        })
}

/// Adds a proposal to a batch, audited. The officer proposed twice is a `Conflict`.
pub fn add_proposal(
    conn: &mut DbConn,
    actor: &Actor,
    batch_id: i64,
    new: &NewProposal,
) -> Result<ProposalRow, StoreError> {
    let values = ProposalValues {
        employee_code: new.employee_code.clone(),
        apars_from_store: new.apars_from_store,
        proposal_json: Json::new(new.proposal.clone())?,
    };
    audit::audited(conn, actor, |c| {
        let now = Utc::now().naive_utc();
        diesel::insert_into(empanelment_proposals::table)
            .values((
                empanelment_proposals::batch_id.eq(batch_id),
                empanelment_proposals::officer_id.eq(&new.officer_id),
                values,
                empanelment_proposals::version.eq(1),
                empanelment_proposals::created_at.eq(now),
                empanelment_proposals::updated_at.eq(now),
            ))
            .execute(c)
            .map_err(|e| {
                StoreError::from_write(e, "the officer is already proposed in this batch")
            })?;
        let row = get_proposal(c, batch_id, &new.officer_id)?
            .ok_or_else(|| StoreError::Corrupt("proposal vanished".into()))?;
        let change = proposal_change("create", None, &row);
        Ok((row, change))
    })
}

/// Replaces an officer's proposal still at version `expected` (`Stale`
/// otherwise; e.g. when the vigilance clearance comes, CSS-7), audited with
/// before and after. `None` when there is none.
pub fn replace_proposal(
    conn: &mut DbConn,
    actor: &Actor,
    batch_id: i64,
    expected: i64,
    new: &NewProposal,
) -> Result<Option<ProposalRow>, StoreError> {
    let values = ProposalValues {
        employee_code: new.employee_code.clone(),
        apars_from_store: new.apars_from_store,
        proposal_json: Json::new(new.proposal.clone())?,
    };
    crate::db::locked_write_transaction(
        conn,
        &format!("empanelment_proposal:{batch_id}:{}", new.officer_id),
        |c| {
            let Some(before) = get_proposal(c, batch_id, &new.officer_id)? else {
                return Ok(None);
            };
            if before.version != expected {
                return Err(StoreError::Stale);
            }
            audit::audited(c, actor, |c| {
                diesel::update(empanelment_proposals::table.find(before.id))
                    .set((
                        values,
                        empanelment_proposals::version.eq(before.version + 1),
                        empanelment_proposals::updated_at.eq(Utc::now().naive_utc()),
                    ))
                    .execute(c)?;
                let row = get_proposal(c, batch_id, &new.officer_id)?
                    .ok_or_else(|| StoreError::Corrupt("proposal vanished".into()))?;
                let change = proposal_change("update", Some(&before), &row);
                Ok((row, change))
            })
            .map(Some)
        },
    )
}

/// A batch's proposals by officer id.
pub fn list_proposals(conn: &mut DbConn, batch_id: i64) -> Result<Vec<ProposalRow>, StoreError> {
    empanelment_proposals::table
        .filter(empanelment_proposals::batch_id.eq(batch_id))
        .order(empanelment_proposals::officer_id.asc())
        .select(ProposalRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("empanelment_proposals of batch", &batch_id))
}

/// A stored run, whole.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = empanelment_runs)]
pub struct RunRow {
    pub id: i64,
    pub batch_id: i64,
    pub seq: i32,
    pub as_of: NaiveDate,
    pub officers: i32,
    pub empanelled_initial: i32,
    pub pulled_up: i32,
    pub cut_off: Option<String>,
    pub cut_off_officer: Option<String>,
    #[diesel(column_name = inputs_json)]
    pub inputs: Json<RunInputsDoc>,
    #[diesel(column_name = result_json)]
    pub result: Json<RunResultDoc>,
    #[diesel(column_name = changes_json)]
    pub changes: Option<Json<RunComparison>>,
    pub run_by: String,
    pub created_at: NaiveDateTime,
}

impl RunRow {
    /// The stored result as its column keeps it, to serve byte for byte.
    pub fn result_raw(&self) -> Result<Box<RawValue>, StoreError> {
        raw(&self.result).map_err(|e| {
            e.in_row(
                "empanelment_runs",
                &format!("{}/{}", self.batch_id, self.seq),
            )
        })
    }
}

impl NewRun {
    /// The result to store, as the column will keep it.
    pub fn result_raw(&self) -> Result<Box<RawValue>, StoreError> {
        raw(&self.result_json)
    }
}

fn raw<T>(doc: &Json<T>) -> Result<Box<RawValue>, StoreError> {
    RawValue::from_string(doc.text().to_owned())
        .map_err(|e| StoreError::Corrupt(format!("result: {e}")))
}

/// What a run read, as stored (CSS-3, CSS-4): its own shape, so the API's
/// view of it may change without changing stored runs. Running the engine
/// on it as of `as_of` gives the stored result again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInputsDoc {
    pub as_of: NaiveDate,
    pub batch: Batch,
    pub proposals: Vec<RunProposalDoc>,
}

/// One proposal exactly as a run read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunProposalDoc {
    pub employee_code: Option<EmployeeCode>,
    pub apars_from: AparsSource,
    pub proposal: Proposal,
}

/// Where a run took an officer's APARs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AparsSource {
    /// The employee's APARs on record when the batch was run.
    Store,
    /// The APARs sent with the proposal.
    Proposal,
}

/// What a run decided, as stored: the engine's decision on the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResultDoc {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub panel: PanelRun,
    pub reasons: Vec<ReasonDoc>,
}

/// One reason of a stored decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonDoc {
    pub rule: String,
    pub citation: String,
    pub text: String,
}

impl From<&Reason> for ReasonDoc {
    fn from(r: &Reason) -> Self {
        Self {
            rule: r.rule.to_owned(),
            citation: r.citation.to_owned(),
            text: r.text.clone(),
        }
    }
}

impl From<Decision<PanelRun>> for RunResultDoc {
    fn from(d: Decision<PanelRun>) -> Self {
        Self {
            as_of: d.as_of,
            reasons: d.reasons.iter().map(ReasonDoc::from).collect(),
            panel: d.outcome,
        }
    }
}

/// A stored run without its JSON, for lists.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = empanelment_runs)]
pub struct RunSummaryRow {
    pub id: i64,
    pub batch_id: i64,
    pub seq: i32,
    pub as_of: NaiveDate,
    pub officers: i32,
    pub empanelled_initial: i32,
    pub pulled_up: i32,
    pub cut_off: Option<String>,
    pub cut_off_officer: Option<String>,
    pub run_by: String,
    pub created_at: NaiveDateTime,
}

/// A run to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = empanelment_runs, treat_none_as_default_value = false)]
pub struct NewRun {
    pub batch_id: i64,
    pub seq: i32,
    pub as_of: NaiveDate,
    pub officers: i32,
    pub empanelled_initial: i32,
    pub pulled_up: i32,
    pub cut_off: Option<String>,
    pub cut_off_officer: Option<String>,
    pub inputs_json: Json<RunInputsDoc>,
    pub result_json: Json<RunResultDoc>,
    pub changes_json: Option<Json<RunComparison>>,
    pub run_by: String,
    pub created_at: NaiveDateTime,
}

/// What a run is made from, read together.
#[derive(Debug, Clone)]
pub struct RunSource {
    pub batch: BatchRow,
    pub proposals: Vec<ProposalRow>,
    /// APARs on record of the officers whose proposal leaves them to the store.
    pub apars: HashMap<String, Vec<Apar>>,
    /// The latest run of the batch, to compare with.
    pub previous: Option<RunRow>,
    /// The latest run of every other batch: what the record says of the
    /// officers' earlier considerations (CSS-8).
    pub recorded: Vec<RunRow>,
}

/// Everything needed to run a batch; `None` when there is no such batch.
pub fn run_source(conn: &mut DbConn, batch_id: i64) -> Result<Option<RunSource>, StoreError> {
    conn.transaction(|c| {
        let Some(batch) = get_batch(c, batch_id)? else {
            return Ok(None);
        };
        let proposals = list_proposals(c, batch_id)?;
        let codes: Vec<String> = proposals
            .iter()
            .filter(|p| p.apars_from_store)
            .filter_map(|p| p.employee_code.as_ref().map(|c| c.as_str().to_owned()))
            .collect();
        let apars = crate::apars::apars_of(c, &codes)?;
        // The latest run of every batch: this batch's to compare with, the
        // others' as the record of earlier considerations.
        let (mut own, recorded): (Vec<RunRow>, Vec<RunRow>) = latest_runs(c, None)?
            .into_iter()
            .partition(|r| r.batch_id == batch_id);
        let previous = own.pop();
        Ok(Some(RunSource {
            batch,
            proposals,
            apars,
            previous,
            recorded,
        }))
    })
}

/// Stores a run, audited, provided its number still follows the latest run
/// (`None` when another run was stored meanwhile).
pub fn store_run(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewRun,
) -> Result<Option<RunSummaryRow>, StoreError> {
    crate::db::locked_write_transaction(conn, &format!("empanelment_run:{}", new.batch_id), |c| {
        // Runs of one batch are numbered in turn: the read of the latest
        // number and the insert of the next are one step.
        let last = empanelment_runs::table
            .filter(empanelment_runs::batch_id.eq(new.batch_id))
            .select(max(empanelment_runs::seq))
            .first::<Option<i32>>(c)?;
        if last.unwrap_or(0) + 1 != new.seq {
            return Ok(None);
        }
        audit::audited(c, actor, |c| {
            let (batch_id, seq) = (new.batch_id, new.seq);
            diesel::insert_into(empanelment_runs::table)
                .values(new)
                .execute(c)
                .map_err(|e| StoreError::from_write(e, "another run was stored meanwhile"))?;
            let row = empanelment_runs::table
                .filter(empanelment_runs::batch_id.eq(batch_id))
                .filter(empanelment_runs::seq.eq(seq))
                .select(RunSummaryRow::as_select())
                .first(c)?;
            let change = Change {
                action: "run",
                entity: "empanelment_run",
                entity_id: format!("{batch_id}/{seq}"),
                org_id: None,
                before: None,
                after: serde_json::to_value(&row).ok(),
            };
            Ok((row, change))
        })
        .map(Some)
    })
}

pub fn get_run(conn: &mut DbConn, batch_id: i64, seq: i32) -> Result<Option<RunRow>, StoreError> {
    empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(batch_id))
        .filter(empanelment_runs::seq.eq(seq))
        .select(RunRow::as_select())
        .first(conn)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("empanelment_runs", &format!("{batch_id}/{seq}")))
}

/// A batch's runs, oldest first.
pub fn list_runs(conn: &mut DbConn, batch_id: i64) -> Result<Vec<RunSummaryRow>, StoreError> {
    Ok(empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(batch_id))
        .order(empanelment_runs::seq.asc())
        .select(RunSummaryRow::as_select())
        .load(conn)?)
}

/// The latest run of every batch among those taken as of `on` or before
/// (the run in force for the batch on that day), or of all when `on` is
/// `None`.
pub fn latest_runs(conn: &mut DbConn, on: Option<NaiveDate>) -> Result<Vec<RunRow>, StoreError> {
    // No run is dated after the calendar's last year.
    let on = on.unwrap_or(crate::dates::LAST_DAY);
    // One statement: the runs no later run of the same batch, as of `on`,
    // follows.
    let later = diesel::alias!(empanelment_runs as later_runs);
    empanelment_runs::table
        .filter(empanelment_runs::as_of.le(on))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            later
                .filter(
                    later
                        .field(empanelment_runs::batch_id)
                        .eq(empanelment_runs::batch_id),
                )
                .filter(later.field(empanelment_runs::seq).gt(empanelment_runs::seq))
                .filter(later.field(empanelment_runs::as_of).le(on)),
        )))
        .order(empanelment_runs::batch_id.asc())
        .select(RunRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("empanelment_runs", &"latest of every batch"))
}
