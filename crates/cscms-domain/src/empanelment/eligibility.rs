//! Who may be considered for a batch, as of a date (CSS-1, 5, 6, 7, 8, 10).
//!
//! Officers do not apply (CSS-10): the input is a [`Proposal`] from the
//! cadre controlling authority, carrying what the authority certifies.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::apar::{Apar, AparError, ReportingYear};
use super::batch::Batch;
use super::parameters::{
    self, APARS_BACK_IN_CADRE, CSS_DIRECTOR_SUITABLE_YEARS, CSS_SELECTION_GRADE_YEARS,
    FOREIGN_ASSIGNMENT_YEARS, MIN_RESIDUAL_SERVICE_YEARS, YEARS_BACK_IN_CADRE,
};
use super::reviews::review_stage;
pub use super::reviews::{
    review_standing, special_review_ground, ReviewStanding, SpecialReviewGround,
};
use super::score::Gap;
use super::services::{self, ServiceKind};
use super::EmpanelmentError;
use crate::decision::{Decision, Reasons};
use crate::employee::{string_enum, Category, Gender};
use crate::params::ymd;
use crate::rules::{self, Rule};
use crate::service_years::completes;
use crate::vigilance::{Clearance, ClearanceOutcome};

/// Who sent the proposal. Only the cadre controlling authority can (CSS-10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ProposalSource {
    CadreControllingAuthority {
        authority: String,
        reference: String,
        dated: NaiveDate,
    },
    /// An officer applying directly: not a proposal (DoPT's FAQs on the
    /// Central Staffing Scheme: officers need not apply directly).
    Officer,
}

/// Status in the Senior Administrative Grade of an organised Group 'A' service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SagStatus {
    /// Drawing SAG pay in the parent cadre since `from`.
    InSag {
        from: NaiveDate,
    },
    /// On deputation: on the ACC-approved SAG panel of the service.
    OnSagPanel {
        panel_approved_on: NaiveDate,
        /// When an officer junior on that panel was appointed to SAG.
        #[serde(default)]
        junior_appointed_on: Option<NaiveDate>,
    },
    BelowSag,
}

/// What the cadre controlling authority certifies about the officer's grade (CSS-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    CentralSecretariat {
        /// Appointed to the Selection Grade (Deputy Secretary) on.
        selection_grade_from: NaiveDate,
        /// Start of the current continuous period of assessed suitability for Director.
        #[serde(default)]
        director_suitable_from: Option<NaiveDate>,
    },
    /// All India Services: the batch condition on [`Batch::ais_first_sag_on`] applies.
    AllIndia,
    GroupA {
        sag: SagStatus,
    },
}

string_enum!(
    /// Vigilance status as the clearance engine reports it (CSS-7, VIG-2).
    Vigilance, "vigilance status" {
        Cleared = "cleared",
        Denied = "denied",
        // Awaited or deferred.
        Deferred = "deferred",
    }
);

string_enum!(
    /// What a denied vigilance clearance rests on, as the clearance's own
    /// reasons say.
    VigilanceGround, "ground of a denied vigilance clearance" {
        // The vigilance status (VIG-1).
        Status = "status",
        // A property return not filed by the prescribed time (VIG-2).
        PropertyReturns = "property_returns",
    }
);

impl Vigilance {
    /// The clearance engine's outcome as a proposal carries it (CSS-7):
    /// the clearance and, for a denial, its own ground (VIG-2 for a
    /// property return not filed in time, otherwise the status, VIG-1).
    pub fn of(outcome: &ClearanceOutcome) -> (Self, Option<VigilanceGround>) {
        match outcome.clearance {
            Clearance::Cleared => (Vigilance::Cleared, None),
            Clearance::Deferred => (Vigilance::Deferred, None),
            Clearance::Denied if outcome.on_returns() => {
                (Vigilance::Denied, Some(VigilanceGround::PropertyReturns))
            }
            Clearance::Denied => (Vigilance::Denied, Some(VigilanceGround::Status)),
        }
    }
}

/// A foreign assignment (AIS Rule 6(2)(ii) and the like); `to` is absent while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "ForeignAssignmentRepr")]
pub struct ForeignAssignment {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct ForeignAssignmentRepr {
    from: NaiveDate,
    #[serde(default)]
    to: Option<NaiveDate>,
}

impl TryFrom<ForeignAssignmentRepr> for ForeignAssignment {
    type Error = AparError;
    fn try_from(r: ForeignAssignmentRepr) -> Result<Self, Self::Error> {
        ForeignAssignment::new(r.from, r.to)
    }
}

impl ForeignAssignment {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Self, AparError> {
        match to {
            Some(to) if to < from => Err(AparError::InvalidPeriod { from, to }),
            _ => Ok(Self { from, to }),
        }
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> Option<NaiveDate> {
        self.to
    }
}

string_enum!(
    /// Which consideration of the officer this is (CSS-8).
    ConsiderationKind, "consideration kind" {
        Original = "original",
        FirstReview = "first_review",
        SecondReview = "second_review",
        SpecialReview = "special_review",
    }
);

string_enum!(
    PastOutcome, "past outcome" {
        Empanelled = "empanelled",
        NotEmpanelled = "not_empanelled",
    }
);

/// An earlier consideration of the officer (not the exercise being run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastConsideration {
    pub empanelment_year: i32,
    pub cut_off_year: ReportingYear,
    pub decided_on: NaiveDate,
    pub kind: ConsiderationKind,
    pub outcome: PastOutcome,
    /// Reporting years scored then; when absent, the 10-year window is assumed.
    #[serde(default)]
    pub years_used: Vec<ReportingYear>,
}

/// An officer proposed for a batch, with everything the engine reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub officer_id: String,
    pub name: String,
    /// Service code (see [`super::services`]).
    pub service: String,
    pub batch_year: i32,
    /// Inter-se seniority within the batch, 1 the most senior (tie-break).
    #[serde(default)]
    pub seniority: Option<u32>,
    pub date_of_birth: NaiveDate,
    pub gender: Gender,
    pub category: Category,
    #[serde(default)]
    pub north_east: bool,
    #[serde(default)]
    pub state_cadre: Option<String>,
    pub standing: Standing,
    pub source: ProposalSource,
    pub vigilance: Vigilance,
    /// For a denial: what it rests on, where the clearance says (the run
    /// sets it for an employee on record from the shared clearance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vigilance_ground: Option<VigilanceGround>,
    #[serde(default)]
    pub foreign_assignments: Vec<ForeignAssignment>,
    #[serde(default)]
    pub apars: Vec<Apar>,
    #[serde(default)]
    pub gaps: Vec<Gap>,
    #[serde(default)]
    pub history: Vec<PastConsideration>,
}

string_enum!(
    EligibilityStatus, "eligibility status" {
        Eligible = "eligible",
        // Vigilance clearance awaited or deferred (CSS-7): considered once it comes.
        Deferred = "deferred",
        NotEligible = "not_eligible",
    }
);

/// The eligibility outcome. `consideration` is set unless not eligible.
/// Named apart from a deputation advertisement's `Eligibility` in the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EmpanelmentEligibility))]
pub struct Eligibility {
    pub status: EligibilityStatus,
    pub consideration: Option<ConsiderationKind>,
    pub retires_on: Option<NaiveDate>,
    /// Rule ids of the conditions not met.
    pub unmet: Vec<String>,
}

/// Retirement date at superannuation age `age`: the last day of the month
/// in which the officer attains it. One attains an age on the day before
/// the birthday, so a birthday on the 1st retires the officer at the end of
/// the previous month (FR 56(a) proviso).
pub fn retirement_date(date_of_birth: NaiveDate, age: u32) -> Option<NaiveDate> {
    let attains = date_of_birth
        .checked_add_months(Months::new(age * 12))?
        .pred_opt()?;
    let first = NaiveDate::from_ymd_opt(attains.year(), attains.month(), 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

pub(super) struct Checks {
    reasons: Reasons,
    unmet: Vec<String>,
}

impl Checks {
    pub(super) fn met(&mut self, rule: &Rule, text: impl Into<String>) {
        self.reasons.push(rule, text);
    }

    pub(super) fn unmet(&mut self, rule: &Rule, text: impl Into<String>) {
        self.reasons.push(rule, text);
        if !self.unmet.iter().any(|u| u == rule.id) {
            self.unmet.push(rule.id.to_owned());
        }
    }
}

/// Decides whether the officer proposed may be considered with `batch`, as of `as_of`.
/// Errors only when a parameter is missing or an APAR cannot be read.
pub fn assess(
    p: &Proposal,
    batch: &Batch,
    as_of: NaiveDate,
) -> Result<Decision<Eligibility>, EmpanelmentError> {
    let mut c = Checks {
        reasons: Reasons::new(),
        unmet: Vec::new(),
    };

    match &p.source {
        ProposalSource::CadreControllingAuthority {
            authority,
            reference,
            dated,
        } => c.met(
            &rules::CSS_10,
            format!("proposed by {authority} ({reference} dated {dated})"),
        ),
        ProposalSource::Officer => c.unmet(
            &rules::CSS_10,
            "officers do not apply: the cadre controlling authority must send the proposal",
        ),
    }

    if !p.service.eq_ignore_ascii_case(&batch.service) || p.batch_year != batch.batch_year {
        c.unmet(
            &rules::CSS_10,
            format!(
                "proposed as {} {}, not of the {} {} batch under consideration",
                p.service, p.batch_year, batch.service, batch.batch_year
            ),
        );
    }
    match services::service(&p.service) {
        None => c.unmet(
            &rules::CSS_9,
            format!("'{}' is not a participating service", p.service),
        ),
        Some(s) => standing(p, s.kind, &s.name, batch, as_of, &mut c),
    }

    let retires_on = residual_service(p, batch, &mut c)?;
    foreign_assignment(
        p,
        services::service(&p.service).map(|s| s.kind),
        as_of,
        &mut c,
    );
    let consideration = review_stage(p, batch, as_of, &mut c)?;

    match p.vigilance {
        Vigilance::Cleared => c.met(&rules::CSS_7, "vigilance clearance available"),
        Vigilance::Deferred => c.met(
            &rules::CSS_7,
            "vigilance clearance awaited or deferred: consideration deferred until it is available",
        ),
        // The clearance's own reasons say why it was denied: VIG-2 for a
        // property return not filed in time, VIG-1 for a status not clear.
        // Either way the officer is not considered.
        Vigilance::Denied => {
            c.unmet(
                &rules::CSS_7,
                "vigilance clearance denied (its reasons cite the status, VIG-1, or the property returns, VIG-2): not considered for empanelment to senior posts",
            );
            match p.vigilance_ground {
                Some(VigilanceGround::PropertyReturns) => c.unmet(
                    &rules::VIG_2,
                    "the annual immovable property return was not filed by the prescribed time: vigilance clearance denied and not considered for empanelment for senior level posts",
                ),
                Some(VigilanceGround::Status) => c.unmet(
                    &rules::VIG_1,
                    "vigilance clearance denied on the vigilance status",
                ),
                None => {}
            }
        }
    }

    let status = if !c.unmet.is_empty() {
        EligibilityStatus::NotEligible
    } else if p.vigilance == Vigilance::Deferred {
        EligibilityStatus::Deferred
    } else {
        EligibilityStatus::Eligible
    };
    Ok(c.reasons.decide(
        as_of,
        Eligibility {
            status,
            consideration: (status != EligibilityStatus::NotEligible)
                .then_some(consideration)
                .flatten(),
            retires_on,
            unmet: c.unmet,
        },
    ))
}

/// CSS-1, by kind of service.
fn standing(
    p: &Proposal,
    kind: ServiceKind,
    service_name: &str,
    batch: &Batch,
    as_of: NaiveDate,
    c: &mut Checks,
) {
    match (&p.standing, kind) {
        (
            Standing::CentralSecretariat {
                selection_grade_from,
                director_suitable_from,
            },
            ServiceKind::CentralSecretariat,
        ) => {
            let sg = *selection_grade_from;
            if completes(sg, as_of, CSS_SELECTION_GRADE_YEARS.value) {
                c.met(&rules::CSS_1, format!("in the Selection Grade since {sg}: 8 years done"));
            } else {
                c.unmet(
                    &rules::CSS_1,
                    format!("in the Selection Grade since {sg}: less than 8 years on {as_of}"),
                );
            }
            match director_suitable_from {
                Some(d) if completes(*d, as_of, CSS_DIRECTOR_SUITABLE_YEARS.value) => c.met(
                    &rules::CSS_1,
                    format!("assessed suitable for Director continuously since {d}: 3 years done"),
                ),
                Some(d) => c.unmet(
                    &rules::CSS_1,
                    format!("assessed suitable for Director since {d}: less than 3 continuous years on {as_of}"),
                ),
                None => c.unmet(&rules::CSS_1, "not assessed suitable for Director"),
            }
        }
        (Standing::AllIndia, ServiceKind::AllIndia) => match batch.ais_first_sag_on {
            Some(d) if d <= as_of => c.met(
                &rules::CSS_1,
                format!("an officer of the {} batch holds SAG in a state cadre since {d}", batch.batch_year),
            ),
            _ => c.unmet(
                &rules::CSS_1,
                format!(
                    "no officer of the {} batch of the {service_name} yet appointed to SAG in any state cadre",
                    batch.batch_year
                ),
            ),
        },
        (Standing::GroupA { sag }, ServiceKind::GroupA) => match sag {
            SagStatus::InSag { from } if *from <= as_of => {
                c.met(&rules::CSS_1, format!("drawing SAG pay in the parent cadre since {from}"))
            }
            // Seed 001: on the panel approved by the ACC, and a junior on
            // that panel appointed from it: both by `as_of`, and the
            // appointment not before the panel's approval.
            SagStatus::OnSagPanel { panel_approved_on, .. } if *panel_approved_on > as_of => c.unmet(
                &rules::CSS_1,
                format!("the SAG panel is approved by the ACC only on {panel_approved_on}, after {as_of}"),
            ),
            SagStatus::OnSagPanel {
                panel_approved_on,
                junior_appointed_on: Some(j),
            } if *j < *panel_approved_on => c.unmet(
                &rules::CSS_1,
                format!("a junior appointed to SAG on {j}, before the ACC approved the panel on {panel_approved_on}, was not appointed from that panel"),
            ),
            SagStatus::OnSagPanel {
                panel_approved_on,
                junior_appointed_on: Some(j),
            } if *j <= as_of => c.met(
                &rules::CSS_1,
                format!("on the ACC-approved SAG panel of {panel_approved_on}; a junior on it appointed to SAG on {j}"),
            ),
            SagStatus::OnSagPanel { panel_approved_on, .. } => c.unmet(
                &rules::CSS_1,
                format!("on the ACC-approved SAG panel of {panel_approved_on}, but no junior on it appointed to SAG by {as_of}"),
            ),
            _ => c.unmet(&rules::CSS_1, "not in the Senior Administrative Grade"),
        },
        (_, kind) => c.unmet(
            &rules::CSS_1,
            format!("the standing given does not fit a service of kind {kind}"),
        ),
    }
}

/// CSS-5: at least 4 years of service left on 1 January of the empanelment year.
fn residual_service(
    p: &Proposal,
    batch: &Batch,
    c: &mut Checks,
) -> Result<Option<NaiveDate>, EmpanelmentError> {
    let jan1 = ymd(batch.empanelment_year, 1, 1);
    let age = parameters::retirement_age()
        .at(jan1)
        .ok_or(EmpanelmentError::NoParameter {
            what: "retirement age",
            on: jan1,
        })?
        .value;
    let Some(retires) = retirement_date(p.date_of_birth, age) else {
        c.unmet(&rules::CSS_5, "date of birth out of range");
        return Ok(None);
    };
    // 4 years from 1 January Y run to 31 December Y+3 inclusive.
    let last_needed = ymd(
        batch.empanelment_year + MIN_RESIDUAL_SERVICE_YEARS.value as i32 - 1,
        12,
        31,
    );
    let text = format!(
        "born {}; retires on {retires} at {age}; residual service on {jan1} is {} 4 years",
        p.date_of_birth,
        if retires >= last_needed {
            "at least"
        } else {
            "less than"
        }
    );
    if retires >= last_needed {
        c.met(&rules::CSS_5, text);
    } else {
        c.unmet(&rules::CSS_5, text);
    }
    Ok(Some(retires))
}

/// CSS-6: after a foreign assignment of 2 years or more under AIS Rule
/// 6(2)(ii), 2 years back in cadre with 2 APARs earned there. The latest
/// such assignment governs. An assignment is measured by its whole period,
/// so an officer who *is* on one of 2 years or more is caught before the
/// 2 years have run; an open one is measured to the as-of date.
fn foreign_assignment(p: &Proposal, kind: Option<ServiceKind>, as_of: NaiveDate, c: &mut Checks) {
    // Seed 001: the rule is made under the All India Services rules; other
    // services' officers are not held to it.
    if kind != Some(ServiceKind::AllIndia) {
        return;
    }
    let long = p
        .foreign_assignments
        .iter()
        .filter(|f| f.from <= as_of)
        .filter(|f| {
            completes(
                f.from,
                f.to.unwrap_or(as_of),
                FOREIGN_ASSIGNMENT_YEARS.value,
            )
        })
        .max_by_key(|f| f.from);
    let Some(f) = long else { return };
    let (to, back) = match f.to {
        Some(to) if to < as_of => (to, to.succ_opt()),
        _ => (as_of, None),
    };
    let Some(back) = back else {
        c.unmet(
            &rules::CSS_6,
            match f.to {
                Some(to) => format!(
                    "on a foreign assignment of 2 years or more ({} to {to}), not yet back in cadre",
                    f.from
                ),
                None => format!(
                    "on foreign assignment since {} (2 years or more), not yet back in cadre",
                    f.from
                ),
            },
        );
        return;
    };
    let served = completes(back, as_of, YEARS_BACK_IN_CADRE.value);
    let mut years: Vec<ReportingYear> = p
        .apars
        .iter()
        .filter(|a| a.period.from() >= back && a.period.to() <= as_of)
        .map(|a| ReportingYear::containing(a.period.to()))
        .collect();
    years.sort_unstable();
    years.dedup();
    let text = format!(
        "foreign assignment {} to {to}: back in cadre on {back}, {} years served there, {} APAR(s) earned there (2 and 2 needed)",
        f.from,
        if served { "2" } else { "less than 2" },
        years.len()
    );
    if served && years.len() >= APARS_BACK_IN_CADRE.value {
        c.met(&rules::CSS_6, text);
    } else {
        c.unmet(&rules::CSS_6, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::apar::{AparGrade, Grading, Representation};
    use crate::empanelment::fixtures::{batch, fy, officer, AS_OF};

    fn status(p: &Proposal) -> (EligibilityStatus, Vec<String>) {
        let d = assess(p, &batch(8), AS_OF).unwrap();
        (d.outcome.status, d.outcome.unmet)
    }

    #[test]
    fn retirement_at_month_end_and_first_of_month_rule() {
        assert_eq!(
            retirement_date(ymd(1967, 12, 2), 60),
            Some(ymd(2027, 12, 31))
        );
        assert_eq!(
            retirement_date(ymd(1967, 12, 1), 60),
            Some(ymd(2027, 11, 30))
        );
        assert_eq!(
            retirement_date(ymd(1968, 1, 1), 60),
            Some(ymd(2027, 12, 31))
        );
        assert_eq!(
            retirement_date(ymd(1964, 2, 29), 60),
            Some(ymd(2024, 2, 29))
        );
    }

    #[test]
    fn residual_service_edge_with_a_birthday_on_the_first() {
        // Empanelment year 2024: 4 years from 1.1.2024 need service up to 31.12.2027.
        let mut p = officer("A");
        p.date_of_birth = ymd(1967, 12, 2); // retires 31.12.2027: exactly 4 years
        assert_eq!(status(&p).0, EligibilityStatus::Eligible);
        p.date_of_birth = ymd(1968, 1, 1); // attains 60 on 31.12.2027: retires that day
        assert_eq!(status(&p).0, EligibilityStatus::Eligible);
        p.date_of_birth = ymd(1967, 12, 1); // attains 60 on 30.11.2027: a month short
        assert_eq!(
            status(&p),
            (EligibilityStatus::NotEligible, vec!["CSS-5".to_owned()])
        );
        let d = assess(&p, &batch(8), AS_OF).unwrap();
        assert_eq!(d.outcome.retires_on, Some(ymd(2027, 11, 30)));
    }

    #[test]
    fn foreign_assignment_needs_two_years_and_two_apars_back_in_cadre() {
        let mut p = officer("F");
        // Three years abroad, back on 1.1.2023: 1 year 5 months by 1.6.2024.
        p.foreign_assignments =
            vec![ForeignAssignment::new(ymd(2020, 1, 1), Some(ymd(2022, 12, 31))).unwrap()];
        assert_eq!(status(&p).1, ["CSS-6"]);
        // Back on 1.4.2022: 2 years done by 31.3.2024, APARs 2022-23 and 2023-24 earned.
        p.foreign_assignments =
            vec![ForeignAssignment::new(ymd(2019, 4, 1), Some(ymd(2022, 3, 31))).unwrap()];
        p.apars.push(fy(2023, Grading::VeryGood));
        assert_eq!(status(&p).0, EligibilityStatus::Eligible);
        // Two years served but only one APAR earned there.
        p.apars.pop();
        assert_eq!(status(&p).1, ["CSS-6"]);
        // Still abroad.
        p.foreign_assignments = vec![ForeignAssignment::new(ymd(2021, 1, 1), None).unwrap()];
        assert_eq!(status(&p).1, ["CSS-6"]);
        // Less than two years abroad: the rule does not apply.
        p.foreign_assignments =
            vec![ForeignAssignment::new(ymd(2021, 1, 1), Some(ymd(2022, 12, 30))).unwrap()];
        assert_eq!(status(&p).0, EligibilityStatus::Eligible);
        // Seed 001, "is or was": on a three-year assignment since 1.1.2023,
        // 17 months of it run by 1.6.2024, not back in cadre.
        p.foreign_assignments =
            vec![ForeignAssignment::new(ymd(2023, 1, 1), Some(ymd(2025, 12, 31))).unwrap()];
        let d = assess(&p, &batch(8), AS_OF).unwrap();
        assert_eq!(d.outcome.unmet, ["CSS-6"]);
        assert!(
            d.reasons
                .iter()
                .any(|r| r.text.contains("2023-01-01 to 2025-12-31")
                    && r.text.contains("not yet back")),
            "{:?}",
            d.reasons
        );
        // The same assignment planned for 23 months: the rule does not apply.
        p.foreign_assignments =
            vec![ForeignAssignment::new(ymd(2023, 1, 1), Some(ymd(2024, 11, 30))).unwrap()];
        assert_eq!(status(&p).0, EligibilityStatus::Eligible);
    }

    /// An IRS(IT) batch, and an officer on deputation on its SAG panel with a
    /// junior appointed: eligible under CSS-1.
    fn irs_on_sag_panel() -> (Batch, Proposal) {
        let mut b = batch(8);
        b.service = "IRS_IT".into();
        let mut p = officer("G");
        p.service = "IRS_IT".into();
        p.standing = Standing::GroupA {
            sag: SagStatus::OnSagPanel {
                panel_approved_on: ymd(2023, 1, 1),
                junior_appointed_on: Some(ymd(2023, 5, 1)),
            },
        };
        (b, p)
    }

    #[test]
    fn the_foreign_assignment_rule_is_the_all_india_services_rule() {
        // Seed 001: "foreign assignment ... under AIS Rule 6(2)(ii)". An
        // IRS(IT) officer one year back from three years abroad is not held to it.
        let (b, mut p) = irs_on_sag_panel();
        p.foreign_assignments =
            vec![ForeignAssignment::new(ymd(2020, 1, 1), Some(ymd(2023, 5, 31))).unwrap()];
        let d = assess(&p, &b, AS_OF).unwrap();
        assert_eq!(d.outcome.status, EligibilityStatus::Eligible);
        assert!(!d.cites(&rules::CSS_6));
        // The same assignment of an IAS officer bars them.
        let mut ias = officer("I");
        ias.foreign_assignments = p.foreign_assignments.clone();
        assert_eq!(status(&ias).1, ["CSS-6"]);
    }

    #[test]
    fn vigilance_deferred_defers_and_denied_excludes() {
        let mut p = officer("V");
        p.vigilance = Vigilance::Deferred;
        let d = assess(&p, &batch(8), AS_OF).unwrap();
        assert_eq!(d.outcome.status, EligibilityStatus::Deferred);
        assert_eq!(d.outcome.consideration, Some(ConsiderationKind::Original));
        assert!(d.cites(&rules::CSS_7));
        p.vigilance = Vigilance::Denied;
        assert_eq!(
            status(&p),
            (EligibilityStatus::NotEligible, vec!["CSS-7".to_owned()])
        );
        // The clearance's own ground is cited beside CSS-7 (VIG-2: a
        // property return not filed in time).
        p.vigilance_ground = Some(VigilanceGround::PropertyReturns);
        assert_eq!(
            status(&p),
            (
                EligibilityStatus::NotEligible,
                vec!["CSS-7".to_owned(), "VIG-2".to_owned()]
            )
        );
        p.vigilance_ground = Some(VigilanceGround::Status);
        assert_eq!(status(&p).1, ["CSS-7", "VIG-1"]);
    }

    #[test]
    fn officers_do_not_apply() {
        let mut p = officer("S");
        p.source = ProposalSource::Officer;
        assert_eq!(status(&p).1, ["CSS-10"]);
    }

    #[test]
    fn css_officers_need_selection_grade_and_director_suitability() {
        let mut b = batch(8);
        b.service = "CSS".into();
        let mut p = officer("C");
        p.service = "CSS".into();
        p.standing = Standing::CentralSecretariat {
            selection_grade_from: ymd(2016, 6, 2), // 8 years end on 1.6.2024, the as-of date
            director_suitable_from: Some(ymd(2021, 6, 2)),
        };
        assert_eq!(
            assess(&p, &b, AS_OF).unwrap().outcome.status,
            EligibilityStatus::Eligible
        );
        p.standing = Standing::CentralSecretariat {
            selection_grade_from: ymd(2016, 6, 3), // 8 years would end on 2.6.2024
            director_suitable_from: Some(ymd(2021, 6, 3)),
        };
        let d = assess(&p, &b, AS_OF).unwrap();
        assert_eq!(d.outcome.unmet, ["CSS-1"]);
        assert_eq!(
            d.reasons
                .iter()
                .filter(|r| r.text.contains("less than"))
                .count(),
            2
        );
    }

    #[test]
    fn group_a_sag_or_panel_with_junior_appointed_and_ais_batch_condition() {
        let (b, mut p) = irs_on_sag_panel();
        assert_eq!(
            assess(&p, &b, AS_OF).unwrap().outcome.status,
            EligibilityStatus::Eligible
        );
        p.standing = Standing::GroupA {
            sag: SagStatus::OnSagPanel {
                panel_approved_on: ymd(2023, 1, 1),
                junior_appointed_on: None,
            },
        };
        assert_eq!(assess(&p, &b, AS_OF).unwrap().outcome.unmet, ["CSS-1"]);
        // Seed 001: on the panel approved by the ACC, a junior on it
        // appointed from it. A panel approved after the as-of date, or a
        // junior "appointed" before the panel existed, does not meet it.
        let panel = |approved: NaiveDate, junior: NaiveDate| Standing::GroupA {
            sag: SagStatus::OnSagPanel {
                panel_approved_on: approved,
                junior_appointed_on: Some(junior),
            },
        };
        for (approved, junior) in [
            (ymd(2025, 1, 1), ymd(2024, 1, 1)),
            (ymd(2024, 7, 1), ymd(2024, 8, 1)),
            (ymd(2023, 6, 1), ymd(2023, 5, 31)),
            (ymd(2023, 1, 1), ymd(2024, 6, 2)),
        ] {
            p.standing = panel(approved, junior);
            assert_eq!(
                assess(&p, &b, AS_OF).unwrap().outcome.unmet,
                ["CSS-1"],
                "panel of {approved}, junior on {junior}"
            );
        }
        p.standing = panel(ymd(2024, 6, 1), ymd(2024, 6, 1));
        assert_eq!(
            assess(&p, &b, AS_OF).unwrap().outcome.status,
            EligibilityStatus::Eligible
        );
        // AIS: no officer of the batch in SAG yet.
        let mut ias = batch(8);
        ias.ais_first_sag_on = None;
        assert_eq!(
            assess(&officer("I"), &ias, AS_OF).unwrap().outcome.unmet,
            ["CSS-1"]
        );
        // Unknown service.
        let mut x = officer("X");
        x.service = "IFS".into();
        assert!(assess(&x, &batch(8), AS_OF)
            .unwrap()
            .outcome
            .unmet
            .contains(&"CSS-9".to_owned()));
    }

    fn past(year: i32, kind: ConsiderationKind, outcome: PastOutcome) -> PastConsideration {
        PastConsideration {
            empanelment_year: year,
            cut_off_year: ReportingYear::starting(year - 2),
            decided_on: ymd(year, 5, 1),
            kind,
            outcome,
            years_used: Vec::new(),
        }
    }

    #[test]
    fn reviews_two_years_apart_at_most_twice_and_never_after_empanelment() {
        use ConsiderationKind::*;
        let kind = |p: &Proposal| {
            let d = assess(p, &batch(8), AS_OF).unwrap();
            (d.outcome.consideration, d.outcome.unmet)
        };
        let mut p = officer("R");
        p.history = vec![past(2022, Original, PastOutcome::NotEmpanelled)];
        assert_eq!(kind(&p), (Some(FirstReview), vec![]));
        p.history = vec![past(2023, Original, PastOutcome::NotEmpanelled)];
        assert_eq!(kind(&p), (None, vec!["CSS-8".to_owned()]));
        p.history = vec![
            past(2020, Original, PastOutcome::NotEmpanelled),
            past(2022, FirstReview, PastOutcome::NotEmpanelled),
        ];
        assert_eq!(kind(&p).0, Some(SecondReview));
        p.history
            .push(past(2022, SecondReview, PastOutcome::NotEmpanelled));
        p.history[0] = past(2018, Original, PastOutcome::NotEmpanelled);
        p.history[1] = past(2020, FirstReview, PastOutcome::NotEmpanelled);
        assert_eq!(kind(&p), (None, vec!["CSS-8".to_owned()]));
        p.history = vec![past(2019, Original, PastOutcome::Empanelled)];
        assert_eq!(kind(&p), (None, vec!["CSS-8".to_owned()]));
    }

    #[test]
    fn special_review_on_material_change_of_a_considered_apar() {
        let mut p = officer("SR");
        p.history = vec![past(
            2023,
            ConsiderationKind::Original,
            PastOutcome::NotEmpanelled,
        )];
        // 2019-20 was in the 2023 window (cut-off 2021-22); upgraded Good → Very Good on 10.1.2024.
        let a = p
            .apars
            .iter_mut()
            .find(|a| a.period.from() == ymd(2019, 4, 1))
            .unwrap();
        a.grade = AparGrade::Grading(Grading::VeryGood);
        a.representation = Some(Representation {
            decided_on: ymd(2024, 1, 10),
            grade_before: AparGrade::Grading(Grading::Good),
            adverse_remarks_expunged: false,
        });
        let d = assess(&p, &batch(8), AS_OF).unwrap();
        assert_eq!(
            d.outcome.consideration,
            Some(ConsiderationKind::SpecialReview)
        );
        // Same band before and after: not material, no review yet.
        let a = p
            .apars
            .iter_mut()
            .find(|a| a.period.from() == ymd(2019, 4, 1))
            .unwrap();
        a.representation = a.representation.map(|r| Representation {
            grade_before: AparGrade::Grading(Grading::VeryGood),
            ..r
        });
        assert_eq!(
            assess(&p, &batch(8), AS_OF).unwrap().outcome.unmet,
            ["CSS-8"]
        );
    }
}
