//! What DoPT and the cadre controlling authorities send: batches and
//! proposals, parsed into the engine's types with every bad field listed.

use chrono::NaiveDate;
use cscms_domain::empanelment::{
    self as emp, check_overlaps, Batch, CategoryShare, ForeignAssignment, Gap, GapReason,
    PastConsideration, Period, PrecedingBatch, Proposal, ProposalSource, ReportingYear, Standing,
    Vigilance,
};
use cscms_domain::employee::{Category, EmployeeCode, Gender};
use cscms_store::employees::EmployeeRow;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::error::{ApiError, FieldError};
use crate::routes::apars::AparInput;

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
    pub employee_code: Option<EmployeeCode>,
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
        let gender = self.gender.or_else(|| record.map(|r| r.gender));
        let category = self.category.or_else(|| record.map(|r| r.category));
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
        // CSS-8: an earlier exercise is one a batch could be (1996-2100),
        // its cut-off year before its own year.
        for (i, h) in self.history.iter().enumerate() {
            if !(1996..=2100).contains(&h.empanelment_year) {
                errors.push(FieldError::new(
                    field(&format!("history[{i}].empanelment_year")),
                    "out_of_range",
                    "from 1996 to 2100",
                ));
            } else if h.cut_off_year.start_year() >= h.empanelment_year {
                errors.push(FieldError::new(
                    field(&format!("history[{i}].cut_off_year")),
                    "not_before",
                    "the cut-off year must start before the empanelment year",
                ));
            }
        }
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
                    if let Some(apar) = a
                        .parse(&p, crate::clearance::today(), errors)
                        .and_then(|d| d.complete(&p, errors))
                    {
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
                vigilance_ground: None,
                foreign_assignments: foreign,
                apars,
                gaps,
                history: self.history.clone(),
            },
            // Checked above: a code that does not parse has failed the proposal.
            employee_code: self
                .employee_code
                .as_deref()
                .map(EmployeeCode::parse)
                .transpose()
                .ok()?,
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
    pub(crate) fn parse(self) -> Result<Batch, ApiError> {
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
