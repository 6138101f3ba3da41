//! Central Staffing Scheme empanelment at JS level: batches, the cadre
//! controlling authorities' proposals (CSS-10), stored runs (CSS-3, CSS-4)
//! with what moved since the previous run, and reviews due (CSS-8).
//! DoPT's business: integration clients only with an empanelment scope.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::decision::Reason;
use cscms_domain::empanelment::{
    self as emp, check_overlaps, compare_runs, Batch, CategoryShare, ForeignAssignment, Gap,
    GapReason, PanelRun, PastConsideration, Period, PrecedingBatch, Proposal, ProposalSource,
    ReportingYear, ReviewDue, RunComparison, RunRecord, Standing, Vigilance,
};
use cscms_domain::employee::{Category, EmployeeCode, Gender};
use cscms_domain::principal::Principal;
use cscms_store::empanelment::{BatchRow, NewProposal, NewRun, ProposalRow, RunRow, RunSummaryRow};
use cscms_store::employees::EmployeeRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::apars::AparInput;
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::state::AppState;

fn may_read(who: &Principal) -> Result<(), ApiError> {
    if who.may_read_empanelment() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Empanelment is for DoPT; integration clients need the scope empanelment:read.",
        ))
    }
}

fn may_manage(who: &Principal) -> Result<(), ApiError> {
    if who.may_manage_empanelment() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Batches, proposals and runs are made by DoPT; integration clients need the scope empanelment:write.",
        ))
    }
}

fn batch_not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("Batch {id}"))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("{what}: {e}"))
}

// ---------------------------------------------------------------- inputs

/// The cadre controlling authority sending a proposal (CSS-10).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposedBy {
    #[validate(length(min = 2, max = 200))]
    #[schema(
        example = "DoPT (CS division), cadre controlling authority of the CSS",
        min_length = 2,
        max_length = 200
    )]
    pub authority: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "No. 12345/1/2024-CS.I", min_length = 1, max_length = 200)]
    pub reference: String,
    pub dated: NaiveDate,
}

/// A period without APARs and why (CSS-2).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GapInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `other_beyond_control` when absent.
    pub reason: Option<GapReason>,
    #[serde(default)]
    pub note: String,
}

impl GapInput {
    pub(crate) fn parse(&self, prefix: &str, errors: &mut Vec<FieldError>) -> Option<Gap> {
        match Period::new(self.from, self.to) {
            Ok(period) => Some(Gap {
                period,
                reason: self.reason.unwrap_or(GapReason::OtherBeyondControl),
                note: self.note.trim().to_owned(),
            }),
            Err(e) => {
                errors.push(FieldError::new(
                    format!("{prefix}.to"),
                    "before_from",
                    e.to_string(),
                ));
                None
            }
        }
    }
}

/// A foreign assignment (CSS-6); `to` absent while it lasts.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// An officer proposed by the cadre controlling authority (CSS-10).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    /// An employee on record: name, date of birth, gender and category are
    /// taken from the record where not given, and the APARs from the store
    /// when `apars` is absent (they are read when the batch is run).
    #[schema(example = "CSS-000001")]
    pub employee_code: Option<String>,
    /// The officer's id in the batch (1-40 of A-Z, a-z, 0-9, '.', '_', '-');
    /// the employee code by default.
    #[schema(example = "A01")]
    pub officer_id: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Service code (CSS-9); the batch's when absent.
    pub service: Option<String>,
    /// Batch or year of allotment; the batch's when absent.
    pub batch_year: Option<i32>,
    /// Inter-se seniority in the batch, 1 the most senior (ranking tie-break).
    #[validate(range(min = 1))]
    #[schema(minimum = 1)]
    pub seniority: Option<u32>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub category: Option<Category>,
    /// Officer of a North-East cadre or domicile, as the authority certifies (CSS-4).
    #[serde(default)]
    pub north_east: bool,
    /// State cadre of an All India Services officer (CSS-4).
    pub state_cadre: Option<String>,
    pub standing: Standing,
    #[validate(nested)]
    pub proposed_by: ProposedBy,
    /// Vigilance clearance as the cadre authority reports it: `cleared`,
    /// `deferred` (awaited or deferred, CSS-7) or `denied` (VIG-2).
    pub vigilance: Vigilance,
    #[serde(default)]
    pub foreign_assignments: Vec<AssignmentInput>,
    /// At most 60, none overlapping another.
    pub apars: Option<Vec<AparInput>>,
    #[serde(default)]
    pub gaps: Vec<GapInput>,
    /// Earlier considerations (CSS-8) not made in this system.
    #[serde(default)]
    pub history: Vec<PastConsideration>,
}

/// APARs in one proposal or score request: far more than the 13 years CSS-2 can read.
pub(crate) const MAX_APARS: usize = 60;

fn valid_officer_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// What a proposal takes when it does not say: the batch's service and
/// year, and the employee's record.
pub(crate) struct Defaults<'a> {
    pub service: &'a str,
    pub batch_year: i32,
    pub record: Option<&'a EmployeeRow>,
}

/// A proposal as parsed: the engine's input and where its APARs come from.
pub(crate) struct ParsedProposal {
    pub proposal: Proposal,
    pub employee_code: Option<String>,
    pub apars_from_store: bool,
}

impl ProposalInput {
    pub(crate) fn parse(
        &self,
        prefix: &str,
        d: &Defaults<'_>,
        errors: &mut Vec<FieldError>,
    ) -> Option<ParsedProposal> {
        let before = errors.len();
        let field = |f: &str| format!("{prefix}.{f}");
        let required = |f: &str, what: &str, errors: &mut Vec<FieldError>| {
            errors.push(FieldError::new(field(f), "required", what.to_owned()));
        };
        if let Some(code) = &self.employee_code {
            if EmployeeCode::parse(code).is_err() || d.record.is_none() {
                errors.push(FieldError::new(
                    field("employee_code"),
                    "unknown_employee",
                    "no employee has this code",
                ));
            }
        }
        let officer_id = match (&self.officer_id, &self.employee_code) {
            (Some(id), Some(code)) if id != code => {
                errors.push(FieldError::new(
                    field("officer_id"),
                    "mismatch",
                    "for an employee on record the officer id is the employee code",
                ));
                None
            }
            (Some(id), _) | (None, Some(id)) if valid_officer_id(id) => Some(id.clone()),
            (Some(_), _) | (None, Some(_)) => {
                errors.push(FieldError::new(
                    field("officer_id"),
                    "invalid",
                    "1-40 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit",
                ));
                None
            }
            (None, None) => {
                required(
                    "officer_id",
                    "give an officer_id or an employee_code",
                    errors,
                );
                None
            }
        };
        let record = d.record;
        let name = self
            .name
            .as_ref()
            .map(|n| n.trim().to_owned())
            .or_else(|| record.map(|r| r.name.clone()));
        let date_of_birth = self
            .date_of_birth
            .or_else(|| record.map(|r| r.date_of_birth));
        let gender = self
            .gender
            .or_else(|| record.and_then(|r| r.gender.parse().ok()));
        let category = self
            .category
            .or_else(|| record.and_then(|r| r.category.parse().ok()));
        if name.is_none() {
            required("name", "the officer's name", errors);
        }
        if date_of_birth.is_none() {
            required(
                "date_of_birth",
                "needed for residual service (CSS-5)",
                errors,
            );
        }
        if gender.is_none() {
            required("gender", "needed for representation (CSS-4)", errors);
        }
        if category.is_none() {
            required("category", "needed for representation (CSS-4)", errors);
        }
        let mut foreign = Vec::new();
        for (i, f) in self.foreign_assignments.iter().enumerate() {
            match ForeignAssignment::new(f.from, f.to) {
                Ok(a) => foreign.push(a),
                Err(e) => errors.push(FieldError::new(
                    field(&format!("foreign_assignments[{i}].to")),
                    "before_from",
                    e.to_string(),
                )),
            }
        }
        let gaps: Vec<Gap> = self
            .gaps
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.parse(&field(&format!("gaps[{i}]")), errors))
            .collect();
        let apars_from_store = self.apars.is_none() && self.employee_code.is_some();
        let mut apars = Vec::new();
        match &self.apars {
            Some(list) if list.len() > MAX_APARS => errors.push(FieldError::new(
                field("apars"),
                "too_many",
                format!("at most {MAX_APARS} APARs"),
            )),
            Some(list) => {
                for (i, a) in list.iter().enumerate() {
                    let p = field(&format!("apars[{i}]"));
                    if let Some(apar) = a.parse(&p, errors).and_then(|d| d.complete(&p, errors)) {
                        apars.push(apar);
                    }
                }
                if let Err(e) = check_overlaps(&apars) {
                    errors.push(FieldError::new(field("apars"), "overlaps", e.to_string()));
                }
            }
            None if self.employee_code.is_none() => required(
                "apars",
                "give the APARs, or an employee_code to take them from the store",
                errors,
            ),
            None => {}
        }
        if errors.len() > before {
            return None;
        }
        Some(ParsedProposal {
            proposal: Proposal {
                officer_id: officer_id?,
                name: name?,
                service: self.service.clone().unwrap_or_else(|| d.service.to_owned()),
                batch_year: self.batch_year.unwrap_or(d.batch_year),
                seniority: self.seniority,
                date_of_birth: date_of_birth?,
                gender: gender?,
                category: category?,
                north_east: self.north_east,
                state_cadre: self.state_cadre.clone(),
                standing: self.standing.clone(),
                source: ProposalSource::CadreControllingAuthority {
                    authority: self.proposed_by.authority.trim().to_owned(),
                    reference: self.proposed_by.reference.trim().to_owned(),
                    dated: self.proposed_by.dated,
                },
                vigilance: self.vigilance,
                foreign_assignments: foreign,
                apars,
                gaps,
                history: self.history.clone(),
            },
            employee_code: self.employee_code.clone(),
            apars_from_store,
        })
    }
}

/// A batch taken up for empanelment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// Service code (CSS-9): `CSS` or one of the 37 participating services, e.g. `IAS`, `IRS_IT`.
    #[schema(example = "IAS")]
    pub service: String,
    /// Batch or year of allotment.
    #[validate(range(min = 1950, max = 2100))]
    #[schema(example = 2006, minimum = 1950, maximum = 2100)]
    pub batch_year: i32,
    /// The calendar year of the empanelment (CSS-5 counts residual service from its 1 January).
    #[validate(range(min = 1996, max = 2100))]
    #[schema(example = 2024, minimum = 1996, maximum = 2100)]
    pub empanelment_year: i32,
    /// The last reporting year of the CSS-2 window.
    #[schema(value_type = String, example = "2022-23")]
    pub cut_off_year: ReportingYear,
    /// Officers to empanel at the initial stage (CSS-3).
    #[validate(range(min = 1, max = 5000))]
    #[schema(example = 8, minimum = 1, maximum = 5000)]
    pub panel_size: u32,
    /// All-India shares of the categories watched (CSS-4), in basis points.
    #[serde(default)]
    pub shares: Vec<CategoryShare>,
    /// Up to three preceding batches and whom they empanelled (CSS-4).
    #[serde(default)]
    pub preceding: Vec<PrecedingBatch>,
    /// All India Services: when an officer of this batch first held SAG in a state cadre (CSS-1).
    pub ais_first_sag_on: Option<NaiveDate>,
    /// A floor under the relaxed norms of CSS-4, if the Board sets one.
    #[validate(range(min = 0.0, max = 9.0))]
    #[schema(minimum = 0, maximum = 9)]
    pub relaxed_min_score: Option<f64>,
}

impl BatchInput {
    /// The batch, or every field that breaks a rule (CSS-3, CSS-4, CSS-9).
    fn parse(self) -> Result<Batch, ApiError> {
        let mut errors = Vec::new();
        let service = match emp::service(&self.service) {
            Some(s) => s.code.clone(),
            None => {
                errors.push(FieldError::new(
                    "body.service",
                    "unknown_service",
                    format!(
                        "'{}' is neither CSS nor a participating service (CSS-9)",
                        self.service
                    ),
                ));
                self.service.clone()
            }
        };
        if self.cut_off_year.start_year() >= self.empanelment_year {
            errors.push(FieldError::new(
                "body.cut_off_year",
                "too_late",
                "the cut-off year must start before the empanelment year",
            ));
        }
        let batch = Batch {
            service,
            batch_year: self.batch_year,
            empanelment_year: self.empanelment_year,
            cut_off_year: self.cut_off_year,
            panel_size: self.panel_size,
            shares: self.shares,
            preceding: self.preceding,
            ais_first_sag_on: self.ais_first_sag_on,
            relaxed_min_score: self.relaxed_min_score,
        };
        for (field, e) in batch.problems() {
            errors.push(FieldError::new(
                format!("body.{field}"),
                "invalid",
                e.to_string(),
            ));
        }
        if errors.is_empty() {
            Ok(batch)
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

// ---------------------------------------------------------------- views

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

fn batch_view(row: &BatchRow, counts: (i64, i64, Option<i32>)) -> Result<BatchView, ApiError> {
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

impl TryFrom<&ProposalRow> for ProposalView {
    type Error = ApiError;
    fn try_from(r: &ProposalRow) -> Result<Self, ApiError> {
        Ok(Self {
            batch_id: r.batch_id,
            officer_id: r.officer_id.clone(),
            employee_code: r.employee_code.clone(),
            apars_from_store: r.apars_from_store,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            proposal: r.proposal()?,
        })
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
    #[schema(value_type = PanelRunResult)]
    pub result: serde_json::Value,
    /// What moved since the previous run of the batch (none for the first):
    /// every officer whose eligibility, score, rank or outcome changed.
    pub changes: Option<RunComparison>,
}

fn run_view(r: &RunRow) -> Result<RunView, ApiError> {
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
        result: serde_json::from_str(&r.result_json).map_err(|e| corrupt("run result", e))?,
        changes: r
            .changes_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("run changes", e))?,
    })
}

// ---------------------------------------------------------------- batches

/// Creates a batch (DoPT). Audited.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = BatchInput,
    responses(
        (status = 201, body = BatchView, headers(("Location" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A batch of this service, batch year and empanelment year exists", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/empanelment/batches")]
pub async fn create_batch(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<BatchInput>,
) -> Result<HttpResponse, ApiError> {
    may_manage(&who)?;
    let batch = body.parse()?;
    let actor = actor(&who, &req);
    let row = state
        .db(move |c| cscms_store::empanelment::create_batch(c, &actor, &batch))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { detail, .. } => ApiError::Conflict {
                code: "batch_exists",
                detail,
            },
            other => other,
        })?;
    let view = batch_view(&row, (0, 0, None))?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/empanelment/batches/{}", row.id)))
        .json(view))
}

/// Every batch, the latest empanelment year first.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    responses(
        (status = 200, body = BatchList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches")]
pub async fn list_batches(
    Auth(who): Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let rows = state
        .db(|c| {
            cscms_store::empanelment::list_batches(c)?
                .into_iter()
                .map(|b| {
                    let counts = cscms_store::empanelment::batch_counts(c, b.id)?;
                    Ok((b, counts))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let items = rows
        .iter()
        .map(|(b, n)| batch_view(b, *n))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(BatchList { items }))
}

/// One batch.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 200, body = BatchView),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}")]
pub async fn get_batch(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let id = id.into_inner();
    let (row, counts) = state
        .db(move |c| {
            let Some(b) = cscms_store::empanelment::get_batch(c, id)? else {
                return Ok(None);
            };
            let counts = cscms_store::empanelment::batch_counts(c, id)?;
            Ok(Some((b, counts)))
        })
        .await?
        .ok_or_else(|| batch_not_found(id))?;
    Ok(HttpResponse::Ok().json(batch_view(&row, counts)?))
}

// ---------------------------------------------------------------- proposals

/// Parses a proposal against its batch and the employee on record.
async fn proposal_for(
    state: &AppState,
    batch_id: i64,
    body: &ProposalInput,
    path_officer: Option<&str>,
) -> Result<NewProposal, ApiError> {
    let code = body.employee_code.clone();
    let (batch, record) = state
        .db(move |c| {
            let Some(b) = cscms_store::empanelment::get_batch(c, batch_id)? else {
                return Ok(None);
            };
            let record = match code {
                Some(code) => cscms_store::employees::get(c, &code)?.map(|p| p.record),
                None => None,
            };
            Ok(Some((b, record)))
        })
        .await?
        .ok_or_else(|| batch_not_found(batch_id))?;
    let mut errors = Vec::new();
    let defaults = Defaults {
        service: &batch.service,
        batch_year: batch.batch_year,
        record: record.as_ref(),
    };
    let parsed = body.parse("body", &defaults, &mut errors);
    if let (Some(p), Some(path)) = (&parsed, path_officer) {
        if p.proposal.officer_id != path {
            errors.push(FieldError::new(
                "body.officer_id",
                "mismatch",
                format!("the path names officer {path}"),
            ));
        }
    }
    match parsed {
        Some(p) if errors.is_empty() => Ok(NewProposal {
            officer_id: p.proposal.officer_id.clone(),
            employee_code: p.employee_code,
            apars_from_store: p.apars_from_store,
            proposal: p.proposal,
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Adds a proposal of the cadre controlling authority to a batch (CSS-10:
/// officers do not apply). For an employee on record, particulars not given
/// are taken from the record and, without `apars`, the APARs on record are
/// read when the batch is run. Audited.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = ProposalInput,
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 201, body = ProposalView, headers(("Location" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write; officers do not apply (CSS-10)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The officer is already proposed in the batch", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/empanelment/batches/{id}/proposals")]
pub async fn add_proposal(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<ProposalInput>,
) -> Result<HttpResponse, ApiError> {
    may_manage(&who)?;
    let batch_id = id.into_inner();
    let new = proposal_for(&state, batch_id, &body, None).await?;
    let actor = actor(&who, &req);
    let row = state
        .db(move |c| cscms_store::empanelment::add_proposal(c, &actor, batch_id, &new))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { detail, .. } => ApiError::Conflict {
                code: "already_proposed",
                detail,
            },
            other => other,
        })?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/v1/empanelment/batches/{batch_id}/proposals/{}",
                row.officer_id
            ),
        ))
        .json(ProposalView::try_from(&row)?))
}

/// Replaces an officer's proposal, e.g. when the vigilance clearance comes
/// through (CSS-7). Audited with before and after.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = ProposalInput,
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("officer" = String, Path, description = "The officer's id in the batch"),
    ),
    responses(
        (status = 200, body = ProposalView),
        (status = 403, description = "Only DoPT, or a client with empanelment:write", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[put("/empanelment/batches/{id}/proposals/{officer}")]
pub async fn replace_proposal(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    ValidJson(body): ValidJson<ProposalInput>,
) -> Result<HttpResponse, ApiError> {
    may_manage(&who)?;
    let (batch_id, officer) = path.into_inner();
    let new = proposal_for(&state, batch_id, &body, Some(&officer)).await?;
    let actor = actor(&who, &req);
    let row = state
        .db(move |c| cscms_store::empanelment::replace_proposal(c, &actor, batch_id, &new))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("The proposal of {officer} in batch {batch_id}"))
        })?;
    Ok(HttpResponse::Ok().json(ProposalView::try_from(&row)?))
}

/// A batch's proposals, by officer id.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 200, body = ProposalList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/proposals")]
pub async fn list_proposals(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let id = id.into_inner();
    let rows = state
        .db(move |c| {
            if cscms_store::empanelment::get_batch(c, id)?.is_none() {
                return Ok(None);
            }
            cscms_store::empanelment::list_proposals(c, id).map(Some)
        })
        .await?
        .ok_or_else(|| batch_not_found(id))?;
    let items = rows
        .iter()
        .map(ProposalView::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ProposalList { items }))
}

// ---------------------------------------------------------------- runs

#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The date the run is taken for (CSS-1 and CSS-6 durations run to it);
    /// today when absent.
    pub as_of: Option<NaiveDate>,
}

/// Runs the batch (CSS-1..CSS-10) on its proposals as they stand, with the
/// APARs on record for proposals that leave them to the store, and stores
/// the run with everything it read, so it can be repeated. The answer
/// lists what moved since the previous run. Audited.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), request_body = RunRequest,
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 201, body = RunView, headers(("Location" = String))),
        (status = 403, description = "Only DoPT, or a client with empanelment:write", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No proposals yet; the stored inputs cannot be run; or another run was stored meanwhile", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/empanelment/batches/{id}/runs")]
pub async fn run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<RunRequest>,
) -> Result<HttpResponse, ApiError> {
    may_manage(&who)?;
    let batch_id = id.into_inner();
    let as_of = body.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let source = state
        .db(move |c| cscms_store::empanelment::run_source(c, batch_id))
        .await?
        .ok_or_else(|| batch_not_found(batch_id))?;
    if source.proposals.is_empty() {
        return Err(ApiError::Conflict {
            code: "no_proposals",
            detail: "The batch has no proposals to run.".into(),
        });
    }
    let batch = source.batch.batch()?;
    let mut proposals = Vec::with_capacity(source.proposals.len());
    for row in &source.proposals {
        let mut proposal = row.proposal()?;
        let apars_from = match (&row.employee_code, row.apars_from_store) {
            (Some(code), true) => {
                proposal.apars = source.apars.get(code).cloned().unwrap_or_default();
                AparsFrom::Store
            }
            _ => AparsFrom::Proposal,
        };
        // VIG-2: wired to the shared clearance at merge — for an employee on
        // record, `proposal.vigilance` is to come from the clearance engine
        // (purpose = empanelment) as of `as_of`, not from the proposal.
        proposals.push(RunProposal {
            employee_code: row.employee_code.clone(),
            apars_from,
            proposal,
        });
    }
    let inputs = RunInputs {
        as_of,
        batch,
        proposals,
    };
    let (decision, inputs) = web::block(move || {
        let engine: Vec<Proposal> = inputs
            .proposals
            .iter()
            .map(|p| p.proposal.clone())
            .collect();
        (emp::run_panel(&inputs.batch, &engine, as_of), inputs)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?;
    let decision = decision.map_err(|e| ApiError::Conflict {
        code: "run_refused",
        detail: format!("The batch cannot be run: {e}."),
    })?;
    let previous = source.previous;
    let changes = match &previous {
        Some(p) => {
            let before: PanelRun =
                serde_json::from_str(&p.result_json).map_err(|e| corrupt("previous run", e))?;
            Some(compare_runs(&before, &decision.outcome))
        }
        None => None,
    };
    let panel = &decision.outcome;
    let to_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let new = NewRun {
        batch_id,
        seq: previous.as_ref().map_or(1, |p| p.seq + 1),
        as_of,
        officers: to_i32(panel.officers.len()),
        empanelled_initial: i32::try_from(panel.empanelled_initial).unwrap_or(i32::MAX),
        pulled_up: i32::try_from(panel.pulled_up).unwrap_or(i32::MAX),
        cut_off: panel.cut_off.map(|s| s.to_string()),
        cut_off_officer: panel.cut_off_officer.clone(),
        inputs_json: serde_json::to_string(&inputs).map_err(|e| corrupt("run inputs", e))?,
        result_json: serde_json::to_string(&decision).map_err(|e| corrupt("run result", e))?,
        changes_json: changes
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("run changes", e))?,
        run_by: who.sub.clone(),
        created_at: Utc::now().naive_utc(),
    };
    let result = new.result_json.clone();
    let actor = actor(&who, &req);
    let stored = state
        .db(move |c| cscms_store::empanelment::store_run(c, &actor, new))
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: "run_in_progress",
            detail: "Another run of the batch was stored meanwhile; run again.".into(),
        })?;
    let view = RunView {
        summary: RunSummary::from(&stored),
        result: serde_json::from_str(&result).map_err(|e| corrupt("run result", e))?,
        changes,
    };
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/empanelment/batches/{batch_id}/runs/{}", stored.seq),
        ))
        .json(view))
}

/// A batch's runs, oldest first.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Batch id")),
    responses(
        (status = 200, body = RunList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/runs")]
pub async fn list_runs(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let id = id.into_inner();
    let rows = state
        .db(move |c| {
            if cscms_store::empanelment::get_batch(c, id)?.is_none() {
                return Ok(None);
            }
            cscms_store::empanelment::list_runs(c, id).map(Some)
        })
        .await?
        .ok_or_else(|| batch_not_found(id))?;
    Ok(HttpResponse::Ok().json(RunList {
        items: rows.iter().map(RunSummary::from).collect(),
    }))
}

async fn stored_run(state: &AppState, batch_id: i64, seq: i32) -> Result<RunRow, ApiError> {
    state
        .db(move |c| cscms_store::empanelment::get_run(c, batch_id, seq))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Run {seq} of batch {batch_id}")))
}

/// One run: the result as stored, with every officer's eligibility, score,
/// rank, outcome and reasons, and what moved since the previous run.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("seq" = i32, Path, description = "The run's number within the batch"),
    ),
    responses(
        (status = 200, body = RunView),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/runs/{seq}")]
pub async fn get_run(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let (batch_id, seq) = path.into_inner();
    let row = stored_run(&state, batch_id, seq).await?;
    Ok(HttpResponse::Ok().json(run_view(&row)?))
}

/// What a run read: the batch and every proposal with the APARs used.
/// Running the engine on them as of `as_of` gives the stored result again.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Batch id"),
        ("seq" = i32, Path, description = "The run's number within the batch"),
    ),
    responses(
        (status = 200, body = RunInputs),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/batches/{id}/runs/{seq}/inputs")]
pub async fn run_inputs(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let (batch_id, seq) = path.into_inner();
    let row = stored_run(&state, batch_id, seq).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(row.inputs_json))
}

// ---------------------------------------------------------------- reviews

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewsQuery {
    /// Regular reviews due in or before this empanelment year; every pending one when absent.
    #[param(minimum = 1996, maximum = 2100, example = 2026)]
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewList {
    pub year: Option<i32>,
    pub items: Vec<ReviewDue>,
}

/// Officers whose review is due (CSS-8), from the latest run of every
/// batch: not empanelled → a first review 2 years (two APARs) on, a second
/// 2 years after that; a special review at once when an APAR counted then
/// has since changed materially on representation (read from the store for
/// employees on record). Empanelled officers are never listed.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), params(ReviewsQuery),
    responses(
        (status = 200, body = ReviewList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/reviews")]
pub async fn reviews(
    Auth(who): Auth,
    state: web::Data<AppState>,
    query: web::Query<ReviewsQuery>,
) -> Result<HttpResponse, ApiError> {
    may_read(&who)?;
    let year = query.year;
    if year.is_some_and(|y| !(1996..=2100).contains(&y)) {
        return Err(ApiError::bad_query(vec![FieldError::new(
            "query.year",
            "out_of_range",
            "from 1996 to 2100",
        )]));
    }
    let rows = state.db(cscms_store::empanelment::latest_runs).await?;
    let mut parsed = Vec::with_capacity(rows.len());
    for r in &rows {
        let panel: PanelRun =
            serde_json::from_str(&r.result_json).map_err(|e| corrupt("run result", e))?;
        let inputs: RunInputs =
            serde_json::from_str(&r.inputs_json).map_err(|e| corrupt("run inputs", e))?;
        parsed.push((panel, inputs));
    }
    let proposals: Vec<Vec<Proposal>> = parsed
        .iter()
        .map(|(_, i)| i.proposals.iter().map(|p| p.proposal.clone()).collect())
        .collect();
    let records: Vec<RunRecord> = parsed
        .iter()
        .zip(&proposals)
        .map(|((panel, inputs), p)| RunRecord {
            run: panel,
            as_of: inputs.as_of,
            proposals: p,
        })
        .collect();
    let mut officers = emp::gather(&records);
    // Employees on record: the special review reads their APARs as they stand now.
    let on_record: Vec<String> = parsed
        .iter()
        .flat_map(|(_, i)| &i.proposals)
        .filter(|p| p.apars_from == AparsFrom::Store)
        .filter_map(|p| p.employee_code.clone())
        .collect();
    if !on_record.is_empty() {
        let current = state
            .db(move |c| cscms_store::apars::apars_of(c, &on_record))
            .await?;
        for o in &mut officers {
            if let Some(a) = current.get(&o.officer_id) {
                o.apars.clone_from(a);
            }
        }
    }
    let items = emp::reviews_due(&officers, year).map_err(|e| corrupt("reviews", e))?;
    Ok(HttpResponse::Ok().json(ReviewList { year, items }))
}
