//! Stateless rules: the engines on the inputs given, nothing read or
//! stored. Any authenticated caller may use them (an officer checking their
//! own score, an integrator testing a dossier); every decision carries the
//! date it was taken for and the rule ids behind it.

use actix_web::{post, HttpResponse};
use chrono::NaiveDate;
use cscms_domain::decision::Reason;
use cscms_domain::empanelment::{
    self as emp, Batch, Eligibility, Gap, GapReason, ReportingYear, Score, YearUse,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::input::{Defaults, GapInput, ProposalInput, MAX_APARS};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::routes::apars::AparInput;

/// Gaps in the APARs for reasons beyond the officer's control (CSS-2):
/// `true` for "whatever is missing in the window", or the periods.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum GapBeyondControl {
    All(bool),
    Periods(Vec<GapInput>),
}

/// An officer's APARs to score for a cut-off year.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// The last reporting year (April-March) of the 10-year window.
    #[schema(value_type = String, example = "2022-23")]
    pub cut_off_year: ReportingYear,
    /// At most 60 APARs, none overlapping another.
    pub apars: Vec<AparInput>,
    /// Where APARs are missing for reasons beyond the officer's control, up
    /// to 3 preceding years are taken to reach 8 full years.
    pub gap_beyond_control: Option<GapBeyondControl>,
    /// The date the decision is taken for; today in India (IST) when absent.
    pub as_of: Option<NaiveDate>,
}

/// The CSS-2 score.
#[derive(Serialize, ToSchema)]
pub struct ScoreDecision {
    pub as_of: NaiveDate,
    pub cut_off_year: ReportingYear,
    /// The first reporting year of the 10-year window.
    pub window_from: ReportingYear,
    /// Σ(months × value) / Σ(months); null when no month counts.
    #[schema(example = 7.8)]
    pub score: Option<f64>,
    /// The score to two decimals, rounded half up, as the reasons quote it.
    #[schema(example = "7.80")]
    pub score_text: Option<String>,
    /// The score exactly: points and month units (a month is 377,580 units).
    pub exact: Option<Score>,
    pub months_used: f64,
    /// Every year of the window (even empty) and each earlier year taken,
    /// oldest first, with the gradings counted in it.
    pub years_used: Vec<YearUse>,
    /// Each step, with its rule id and citation.
    pub reasons: Vec<Reason>,
}

/// Score APARs (CSS-2)
///
/// Scores APARs under CSS-2. Stateless; any authenticated caller.
#[utoipa::path(tag = "rules", security(("bearer" = [])), request_body = ScoreRequest,
    responses((status = 200, description = "The score decision with its reasons", body = ScoreDecision)))]
#[post("/rules/empanelment/score")]
pub async fn score(
    Auth(_who): Auth,
    ValidJson(body): ValidJson<ScoreRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    if body.apars.len() > MAX_APARS {
        return Err(ApiError::invalid(
            "body.apars",
            "too_many",
            format!("at most {MAX_APARS} APARs"),
        ));
    }
    let mut apars = Vec::with_capacity(body.apars.len());
    for (i, a) in body.apars.iter().enumerate() {
        let p = format!("body.apars[{i}]");
        if let Some(apar) = a
            .parse(&p, crate::clearance::today(), &mut errors)
            .and_then(|d| d.complete(&p, &mut errors))
        {
            apars.push(apar);
        }
    }
    let gaps = match &body.gap_beyond_control {
        None | Some(GapBeyondControl::All(false)) => Vec::new(),
        Some(GapBeyondControl::All(true)) => vec![Gap::whole_window(
            body.cut_off_year,
            GapReason::OtherBeyondControl,
        )],
        Some(GapBeyondControl::Periods(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let p = format!("body.gap_beyond_control[{i}]");
                if g.reason == Some(GapReason::OfficerDefault) {
                    errors.push(FieldError::new(
                        format!("{p}.reason"),
                        "not_beyond_control",
                        "the officer's own default is not beyond their control",
                    ));
                }
                g.parse(&p, &mut errors)
            })
            .collect(),
    };
    if errors.is_empty() {
        if let Err(e) = emp::check_overlaps(&apars) {
            errors.push(FieldError::new("body.apars", "overlaps", e.to_string()));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let as_of = body.as_of.unwrap_or_else(crate::clearance::today);
    let d = emp::score(&apars, &gaps, body.cut_off_year, as_of)
        .map_err(|e| ApiError::invalid("body.apars", "unreadable", e.to_string()))?;
    let s = d.outcome.score;
    Ok(HttpResponse::Ok().json(ScoreDecision {
        as_of: d.as_of,
        cut_off_year: d.outcome.window_to,
        window_from: d.outcome.window_from,
        score: s.map(Score::value),
        score_text: s.map(|s| s.to_string()),
        exact: s,
        months_used: d.outcome.months,
        years_used: d.outcome.years,
        reasons: d.reasons,
    }))
}

/// The batch an officer would be considered with.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchTerms {
    #[schema(example = "IAS")]
    pub service: String,
    #[schema(example = 2006)]
    pub batch_year: i32,
    #[schema(example = 2024)]
    pub empanelment_year: i32,
    #[schema(value_type = String, example = "2022-23")]
    pub cut_off_year: ReportingYear,
    /// All India Services: when an officer of the batch first held SAG in a state cadre (CSS-1).
    pub ais_first_sag_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    #[validate(nested)]
    pub batch: BatchTerms,
    /// The officer as the cadre controlling authority would propose them;
    /// every particular given (no `employee_code`: nothing is read from the store).
    #[validate(nested)]
    pub officer: ProposalInput,
    /// The date the decision is taken for; today in India (IST) when absent.
    pub as_of: Option<NaiveDate>,
}

/// Eligibility for consideration (CSS-1, 5, 6, 7, 8, 10).
#[derive(Serialize, ToSchema)]
pub struct EligibilityDecision {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub eligibility: Eligibility,
    pub reasons: Vec<Reason>,
}

/// Empanelment eligibility of an officer
///
/// Whether an officer may be considered with a batch (CSS-1, 5, 6, 7, 8,
/// 10), as of a date. Stateless; any authenticated caller.
#[utoipa::path(tag = "rules", security(("bearer" = [])), request_body = EligibilityRequest,
    responses((status = 200, description = "The eligibility decision with its reasons", body = EligibilityDecision)))]
#[post("/rules/empanelment/eligibility")]
pub async fn eligibility(
    Auth(_who): Auth,
    ValidJson(body): ValidJson<EligibilityRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    if body.officer.employee_code.is_some() {
        errors.push(FieldError::new(
            "body.officer.employee_code",
            "not_allowed",
            "the stateless rule reads no record: give the officer's particulars",
        ));
    }
    let service = match emp::service(&body.batch.service) {
        Some(s) => s.code.clone(),
        None => {
            errors.push(FieldError::new(
                "body.batch.service",
                "unknown_service",
                format!(
                    "'{}' is neither CSS nor a participating service (CSS-9)",
                    body.batch.service
                ),
            ));
            body.batch.service.clone()
        }
    };
    let defaults = Defaults {
        service: &service,
        batch_year: body.batch.batch_year,
        record: None,
    };
    let parsed = body.officer.parse("body.officer", &defaults, &mut errors);
    let Some(parsed) = parsed.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let batch = Batch {
        service,
        batch_year: body.batch.batch_year,
        empanelment_year: body.batch.empanelment_year,
        cut_off_year: body.batch.cut_off_year,
        panel_size: 1,
        shares: Vec::new(),
        preceding: Vec::new(),
        ais_first_sag_on: body.batch.ais_first_sag_on,
        relaxed_min_score: None,
    };
    let as_of = body.as_of.unwrap_or_else(crate::clearance::today);
    let d = emp::assess(&parsed.proposal, &batch, as_of)
        .map_err(|e| ApiError::invalid("body.officer", "unreadable", e.to_string()))?;
    Ok(HttpResponse::Ok().json(EligibilityDecision {
        as_of: d.as_of,
        eligibility: d.outcome,
        reasons: d.reasons,
    }))
}
