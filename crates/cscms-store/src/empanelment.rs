//! Central Staffing Scheme batches, the cadre controlling authorities'
//! proposals (CSS-10) and stored runs (CSS-3, CSS-4). Runs are written once
//! and never changed, so a run can always be read back and repeated.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cscms_domain::empanelment::{Apar, Batch, Proposal, ReportingYear};
use diesel::dsl::max;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
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
    pub shares_json: String,
    pub preceding_json: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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
            shares: serde_json::from_str(&self.shares_json).map_err(|e| bad("shares", &e))?,
            preceding: serde_json::from_str(&self.preceding_json)
                .map_err(|e| bad("preceding", &e))?,
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
#[diesel(table_name = empanelment_batches)]
struct NewBatchRow {
    service: String,
    batch_year: i32,
    empanelment_year: i32,
    cut_off_year: i32,
    panel_size: i32,
    ais_first_sag_on: Option<NaiveDate>,
    relaxed_min_score: Option<String>,
    shares_json: String,
    preceding_json: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn json(v: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("to JSON: {e}")))
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
        shares_json: json(&b.shares)?,
        preceding_json: json(&b.preceding)?,
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
    Ok(empanelment_batches::table
        .find(id)
        .select(BatchRow::as_select())
        .first(conn)
        .optional()?)
}

/// All batches, the latest empanelment year first.
pub fn list_batches(conn: &mut DbConn) -> Result<Vec<BatchRow>, StoreError> {
    Ok(empanelment_batches::table
        .order((
            empanelment_batches::empanelment_year.desc(),
            empanelment_batches::service.asc(),
            empanelment_batches::batch_year.asc(),
        ))
        .select(BatchRow::as_select())
        .load(conn)?)
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

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = empanelment_proposals)]
pub struct ProposalRow {
    pub id: i64,
    pub batch_id: i64,
    pub officer_id: String,
    pub employee_code: Option<String>,
    pub apars_from_store: bool,
    pub proposal_json: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ProposalRow {
    /// The proposal as sent (APARs empty when they come from the store).
    pub fn proposal(&self) -> Result<Proposal, StoreError> {
        serde_json::from_str(&self.proposal_json)
            .map_err(|e| StoreError::Corrupt(format!("proposal {}: {e}", self.id)))
    }
}

/// A proposal as the API has checked it.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub officer_id: String,
    pub employee_code: Option<String>,
    pub apars_from_store: bool,
    pub proposal: Proposal,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = empanelment_proposals, treat_none_as_null = true)]
struct ProposalValues {
    employee_code: Option<String>,
    apars_from_store: bool,
    proposal_json: String,
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
            "proposal": serde_json::from_str::<serde_json::Value>(&r.proposal_json).ok(),
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

fn get_proposal(
    c: &mut DbConn,
    batch_id: i64,
    officer_id: &str,
) -> Result<Option<ProposalRow>, StoreError> {
    Ok(empanelment_proposals::table
        .filter(empanelment_proposals::batch_id.eq(batch_id))
        .filter(empanelment_proposals::officer_id.eq(officer_id))
        .select(ProposalRow::as_select())
        .first(c)
        .optional()?)
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
        proposal_json: json(&new.proposal)?,
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

/// Replaces an officer's proposal (e.g. when the vigilance clearance comes,
/// CSS-7), audited with before and after. `None` when there is none.
pub fn replace_proposal(
    conn: &mut DbConn,
    actor: &Actor,
    batch_id: i64,
    new: &NewProposal,
) -> Result<Option<ProposalRow>, StoreError> {
    let values = ProposalValues {
        employee_code: new.employee_code.clone(),
        apars_from_store: new.apars_from_store,
        proposal_json: json(&new.proposal)?,
    };
    crate::db::write_transaction(conn, |c| {
        crate::db::lock(
            c,
            &format!("empanelment_proposal:{batch_id}:{}", new.officer_id),
        )?;
        let Some(before) = get_proposal(c, batch_id, &new.officer_id)? else {
            return Ok(None);
        };
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
    })
}

/// A batch's proposals by officer id.
pub fn list_proposals(conn: &mut DbConn, batch_id: i64) -> Result<Vec<ProposalRow>, StoreError> {
    Ok(empanelment_proposals::table
        .filter(empanelment_proposals::batch_id.eq(batch_id))
        .order(empanelment_proposals::officer_id.asc())
        .select(ProposalRow::as_select())
        .load(conn)?)
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
    pub inputs_json: String,
    pub result_json: String,
    pub changes_json: Option<String>,
    pub run_by: String,
    pub created_at: NaiveDateTime,
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
#[diesel(table_name = empanelment_runs)]
pub struct NewRun {
    pub batch_id: i64,
    pub seq: i32,
    pub as_of: NaiveDate,
    pub officers: i32,
    pub empanelled_initial: i32,
    pub pulled_up: i32,
    pub cut_off: Option<String>,
    pub cut_off_officer: Option<String>,
    pub inputs_json: String,
    pub result_json: String,
    pub changes_json: Option<String>,
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
            .filter_map(|p| p.employee_code.clone())
            .collect();
        let apars = crate::apars::apars_of(c, &codes)?;
        let previous = latest_run(c, batch_id)?;
        Ok(Some(RunSource {
            batch,
            proposals,
            apars,
            previous,
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
    crate::db::write_transaction(conn, |c| {
        // Runs of one batch are numbered in turn: the read of the latest
        // number and the insert of the next are one step.
        crate::db::lock(c, &format!("empanelment_run:{}", new.batch_id))?;
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

pub fn latest_run(conn: &mut DbConn, batch_id: i64) -> Result<Option<RunRow>, StoreError> {
    Ok(empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(batch_id))
        .order(empanelment_runs::seq.desc())
        .select(RunRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_run(conn: &mut DbConn, batch_id: i64, seq: i32) -> Result<Option<RunRow>, StoreError> {
    Ok(empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(batch_id))
        .filter(empanelment_runs::seq.eq(seq))
        .select(RunRow::as_select())
        .first(conn)
        .optional()?)
}

/// A batch's runs, oldest first.
pub fn list_runs(conn: &mut DbConn, batch_id: i64) -> Result<Vec<RunSummaryRow>, StoreError> {
    Ok(empanelment_runs::table
        .filter(empanelment_runs::batch_id.eq(batch_id))
        .order(empanelment_runs::seq.asc())
        .select(RunSummaryRow::as_select())
        .load(conn)?)
}

/// The latest run of every batch that has one.
pub fn latest_runs(conn: &mut DbConn) -> Result<Vec<RunRow>, StoreError> {
    let latest: Vec<(i64, Option<i32>)> = empanelment_runs::table
        .group_by(empanelment_runs::batch_id)
        .select((empanelment_runs::batch_id, max(empanelment_runs::seq)))
        .load(conn)?;
    let mut out = Vec::with_capacity(latest.len());
    for (batch_id, seq) in latest {
        if let Some(run) = seq
            .map(|s| get_run(conn, batch_id, s))
            .transpose()?
            .flatten()
        {
            out.push(run);
        }
    }
    Ok(out)
}
