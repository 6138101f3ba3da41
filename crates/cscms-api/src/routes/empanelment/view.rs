//! What the empanelment endpoints answer.

use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Reason;
use cscms_domain::empanelment::{
    self as emp, Batch, CategoryShare, PanelRun, PrecedingBatch, Proposal, ReportingYear,
    RunComparison,
};
use cscms_store::empanelment::{BatchRow, ProposalRow, RunRow, RunSummaryRow};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::routes::utc;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{permits, Op};

#[derive(Serialize, ToSchema)]
pub struct BatchView {
    pub id: i64,
    #[schema(example = "IAS")]
    pub service: String,
    #[schema(example = "Indian Administrative Service")]
    pub service_name: String,
    pub batch_year: i32,
    pub empanelment_year: i32,
    pub cut_off_year: ReportingYear,
    pub panel_size: u32,
    pub shares: Vec<CategoryShare>,
    pub preceding: Vec<PrecedingBatch>,
    pub ais_first_sag_on: Option<NaiveDate>,
    pub relaxed_min_score: Option<f64>,
    pub proposals: i64,
    pub runs: i64,
    /// Number of the latest run, if any.
    pub latest_run: Option<i32>,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn batch_view(
    row: &BatchRow,
    counts: (i64, i64, Option<i32>),
) -> Result<BatchView, ApiError> {
    let b = row.batch()?;
    Ok(BatchView {
        id: row.id,
        service_name: emp::service(&b.service)
            .map_or_else(|| b.service.clone(), |s| s.name.clone()),
        service: b.service,
        batch_year: b.batch_year,
        empanelment_year: b.empanelment_year,
        cut_off_year: b.cut_off_year,
        panel_size: b.panel_size,
        shares: b.shares,
        preceding: b.preceding,
        ais_first_sag_on: b.ais_first_sag_on,
        relaxed_min_score: b.relaxed_min_score,
        proposals: counts.0,
        runs: counts.1,
        latest_run: counts.2,
        created_at: utc(row.created_at),
    })
}

#[derive(Serialize, ToSchema)]
pub struct BatchList {
    pub items: Vec<BatchView>,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    pub batch_id: i64,
    pub officer_id: String,
    pub employee_code: Option<String>,
    /// The APARs are read from the store when the batch is run.
    pub apars_from_store: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub proposal: Proposal,
}

impl From<&ProposalRow> for ProposalView {
    fn from(r: &ProposalRow) -> Self {
        Self {
            batch_id: r.batch_id,
            officer_id: r.officer_id.clone(),
            employee_code: r.employee_code.as_ref().map(|c| c.as_str().to_owned()),
            apars_from_store: r.apars_from_store,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            proposal: r.proposal.get().clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalView>,
}

/// Where a run took an officer's APARs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AparsFrom {
    /// The employee's APARs on record when the batch was run.
    Store,
    /// The APARs sent with the proposal.
    Proposal,
}

// Stored as the store's `RunProposalDoc` and served as stored: these
// describe the wire shape.

/// One proposal exactly as the run read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunProposal {
    pub employee_code: Option<String>,
    pub apars_from: AparsFrom,
    pub proposal: Proposal,
}

/// Everything a run read: running the engine on it as of `as_of` gives the
/// stored result again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunInputs {
    pub as_of: NaiveDate,
    pub batch: Batch,
    pub proposals: Vec<RunProposal>,
}

/// The stored result of a run: the panel with every officer's eligibility,
/// score, rank and outcome, each with its reasons.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Describes the stored JSON, which is served as stored.
pub struct PanelRunResult {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub run: PanelRun,
    pub reasons: Vec<Reason>,
}

#[derive(Serialize, ToSchema)]
pub struct RunSummary {
    pub batch_id: i64,
    /// The run's number within its batch, from 1.
    pub seq: i32,
    pub as_of: NaiveDate,
    pub officers: i32,
    pub empanelled_initial: i32,
    pub pulled_up: i32,
    /// The cut-off score to two decimals (CSS-3).
    #[schema(example = "7.80")]
    pub cut_off: Option<String>,
    pub cut_off_officer: Option<String>,
    pub run_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<&RunSummaryRow> for RunSummary {
    fn from(r: &RunSummaryRow) -> Self {
        Self {
            batch_id: r.batch_id,
            seq: r.seq,
            as_of: r.as_of,
            officers: r.officers,
            empanelled_initial: r.empanelled_initial,
            pulled_up: r.pulled_up,
            cut_off: r.cut_off.clone(),
            cut_off_officer: r.cut_off_officer.clone(),
            run_by: r.run_by.clone(),
            created_at: utc(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunList {
    pub items: Vec<RunSummary>,
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    #[serde(flatten)]
    pub summary: RunSummary,
    /// As stored, byte for byte.
    #[schema(value_type = PanelRunResult)]
    pub result: Box<RawValue>,
    /// What moved since the previous run of the batch (none for the first):
    /// every officer whose eligibility, score, rank or outcome changed.
    pub changes: Option<RunComparison>,
}

/// A run's stored result as `who` may read it: without the APAR gradings
/// behind each year's score for a caller the scope table does not let read
/// APARs (docs/assumptions.md, "Who sees APARs"); else byte for byte.
pub(crate) fn result_for(who: &Principal, raw: Box<RawValue>) -> Result<Box<RawValue>, ApiError> {
    if permits(who, Op::ReadEmpanelmentApars) {
        return Ok(raw);
    }
    let mut doc: serde_json::Value = serde_json::from_str(raw.get())
        .map_err(|e| ApiError::Internal(format!("stored run result: {e}")))?;
    let officers = doc.get_mut("officers").and_then(|o| o.as_array_mut());
    for officer in officers.into_iter().flatten() {
        let years = officer
            .pointer_mut("/score/years")
            .and_then(|y| y.as_array_mut());
        for year in years.into_iter().flatten() {
            if let Some(g) = year.get_mut("gradings") {
                *g = serde_json::Value::Array(Vec::new());
            }
        }
    }
    serde_json::value::to_raw_value(&doc)
        .map_err(|e| ApiError::Internal(format!("run result: {e}")))
}

pub(crate) fn run_view(who: &Principal, r: &RunRow) -> Result<RunView, ApiError> {
    Ok(RunView {
        summary: RunSummary {
            batch_id: r.batch_id,
            seq: r.seq,
            as_of: r.as_of,
            officers: r.officers,
            empanelled_initial: r.empanelled_initial,
            pulled_up: r.pulled_up,
            cut_off: r.cut_off.clone(),
            cut_off_officer: r.cut_off_officer.clone(),
            run_by: r.run_by.clone(),
            created_at: utc(r.created_at),
        },
        result: result_for(who, r.result_raw()?)?,
        changes: r.changes.as_ref().map(|c| c.get().clone()),
    })
}
