//! APARs as the empanelment engine reads them (CSS-2, CSS-8).
//!
//! A reporting year is a financial year, April to March (seed 001 speaks of
//! "the ACR for the period 2011-12"). An APAR covers a period within or
//! across reporting years; months are counted per calendar month, a part
//! month as the fraction of its days covered (see [`month_units`]).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::parameters;
use crate::employee::string_enum;
use crate::params::ymd;

string_enum!(
    /// The four gradings the Experts Panel assigns (CSS-2).
    Grading, "APAR grading" {
        Outstanding = "outstanding",
        VeryGood = "very_good",
        Good = "good",
        Average = "average",
    }
);

impl Grading {
    /// CSS-2: numerical equivalents 9, 7, 5 and 0.
    pub fn value(self) -> u64 {
        match self {
            Grading::Outstanding => 9,
            Grading::VeryGood => 7,
            Grading::Good => 5,
            Grading::Average => 0,
        }
    }
}

string_enum!(
    /// Where the grading used for a year came from.
    GradingSource, "grading source" {
        // The Experts Panel's own grading, which prevails (seed 001, procedure (a)-(c)).
        ExpertPanel = "expert_panel",
        // The grading written in the APAR.
        Apar = "apar",
        // The APAR's 1-10 grade, turned into a grading by [`parameters::numeric_bands`].
        NumericGrade = "numeric_grade",
    }
);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AparError {
    #[error("period ends ({to}) before it starts ({from})")]
    InvalidPeriod { from: NaiveDate, to: NaiveDate },
    #[error("numeric APAR grade {0} is outside 1-10")]
    NumericOutOfRange(f64),
    #[error("no mapping of numeric APAR grades was in force on {0}")]
    NoNumericMapping(NaiveDate),
    #[error("APAR periods {first} and {second} overlap")]
    Overlap { first: Period, second: Period },
    #[error("'{0}' is not a reporting year like 2014-15")]
    BadReportingYear(String),
}

/// How a representation fails to fit its APAR (CSS-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RepresentationMisfit {
    #[error(
        "the representation was decided on {decided_on}, not after the period ending {period_end}"
    )]
    TooEarly {
        decided_on: NaiveDate,
        period_end: NaiveDate,
    },
    #[error("the grade before the representation has no grading on {0}: no mapping of numeric APAR grades was in force")]
    GradeBeforeUnmapped(NaiveDate),
}

/// A financial year, April to March, named by the year it starts in.
/// Written `2014-15` in JSON and in reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, example = "2022-23")
)]
#[serde(try_from = "String", into = "String")]
pub struct ReportingYear(i32);

impl ReportingYear {
    pub const fn starting(year: i32) -> Self {
        Self(year)
    }

    /// The reporting year a date falls in.
    pub fn containing(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            Self(date.year())
        } else {
            Self(date.year() - 1)
        }
    }

    pub fn start_year(self) -> i32 {
        self.0
    }

    pub fn first_day(self) -> NaiveDate {
        ymd(self.0, 4, 1)
    }

    pub fn last_day(self) -> NaiveDate {
        ymd(self.0 + 1, 3, 31)
    }

    /// The year `n` years before (or after, for negative `n`) this one.
    pub fn back(self, n: i32) -> Self {
        Self(self.0 - n)
    }

    pub fn period(self) -> Period {
        self.through(self)
    }

    /// From the first day of this year to the last day of `last` (or the
    /// other way round, whichever comes first).
    pub fn through(self, last: ReportingYear) -> Period {
        Period {
            from: self.min(last).first_day(),
            to: self.max(last).last_day(),
        }
    }
}

impl fmt::Display for ReportingYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

impl FromStr for ReportingYear {
    type Err = AparError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || AparError::BadReportingYear(s.to_owned());
        let (start, end) = s.split_once('-').ok_or_else(bad)?;
        let start: i32 = start.parse().map_err(|_| bad())?;
        let end: i32 = end.parse().map_err(|_| bad())?;
        if start.to_string().len() == 4 && end == (start + 1).rem_euclid(100) {
            Ok(Self(start))
        } else {
            Err(bad())
        }
    }
}

impl TryFrom<String> for ReportingYear {
    type Error = AparError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ReportingYear> for String {
    fn from(y: ReportingYear) -> Self {
        y.to_string()
    }
}

/// A closed date range, `from` to `to` inclusive, with `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "PeriodRepr")]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Deserialize)]
struct PeriodRepr {
    from: NaiveDate,
    to: NaiveDate,
}

impl TryFrom<PeriodRepr> for Period {
    type Error = AparError;
    fn try_from(r: PeriodRepr) -> Result<Self, Self::Error> {
        Period::new(r.from, r.to)
    }
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, AparError> {
        if from <= to {
            Ok(Self { from, to })
        } else {
            Err(AparError::InvalidPeriod { from, to })
        }
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> NaiveDate {
        self.to
    }

    /// The common part of two periods.
    pub fn overlap(self, other: Period) -> Option<Period> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from <= to).then_some(Period { from, to })
    }

    /// Months covered, in [`MONTH_UNITS`] per month.
    pub fn month_units(self) -> u64 {
        month_units(self.from, self.to)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

/// Units per month: the least common multiple of 28, 29, 30 and 31, so that
/// any number of days of any calendar month is a whole number of units and
/// CSS-2 scores compare exactly.
pub const MONTH_UNITS: u64 = 377_580;

fn days_in_month(year: i32, month: u32) -> u64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    }
}

/// Months from `from` to `to` inclusive, in [`MONTH_UNITS`]: each calendar
/// month counts its covered days over its length.
pub fn month_units(from: NaiveDate, to: NaiveDate) -> u64 {
    if from > to {
        return 0;
    }
    let part = |d: NaiveDate, days: u64| days * (MONTH_UNITS / days_in_month(d.year(), d.month()));
    if (from.year(), from.month()) == (to.year(), to.month()) {
        return part(from, u64::from(to.day() - from.day() + 1));
    }
    let first_len = days_in_month(from.year(), from.month());
    let head = part(from, first_len - u64::from(from.day()) + 1);
    let tail = part(to, u64::from(to.day()));
    let months_between =
        (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 - 1;
    head + tail + u64::try_from(months_between).unwrap_or(0) * MONTH_UNITS
}

/// An overall APAR grade on the 1-10 scale (decimals allowed, as the
/// weighted grade of work output, attributes and competency often is).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = f64, example = 7.5)
)]
#[serde(try_from = "f64", into = "f64")]
pub struct NumericGrade(f64);

impl NumericGrade {
    pub fn new(grade: f64) -> Result<Self, AparError> {
        if grade.is_finite() && (1.0..=10.0).contains(&grade) {
            Ok(Self(grade))
        } else {
            Err(AparError::NumericOutOfRange(grade))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// The grading this grade stands for under the bands in force on `on`.
    pub fn grading(self, on: NaiveDate) -> Result<Grading, AparError> {
        let bands = parameters::numeric_bands()
            .at(on)
            .ok_or(AparError::NoNumericMapping(on))?
            .value;
        Ok(if self.0 >= bands.outstanding_from {
            Grading::Outstanding
        } else if self.0 >= bands.very_good_from {
            Grading::VeryGood
        } else if self.0 >= bands.good_from {
            Grading::Good
        } else {
            Grading::Average
        })
    }
}

impl TryFrom<f64> for NumericGrade {
    type Error = AparError;
    fn try_from(v: f64) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<NumericGrade> for f64 {
    fn from(g: NumericGrade) -> Self {
        g.0
    }
}

/// The grade an APAR records: a grading (older ACRs) or a 1-10 grade.
/// In JSON either `"very_good"` or `7.5`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum AparGrade {
    Grading(Grading),
    Numeric(NumericGrade),
}

impl AparGrade {
    /// The grading, mapping a numeric grade by the bands in force on `on`.
    pub fn grading(self, on: NaiveDate) -> Result<(Grading, GradingSource), AparError> {
        match self {
            AparGrade::Grading(g) => Ok((g, GradingSource::Apar)),
            AparGrade::Numeric(n) => Ok((n.grading(on)?, GradingSource::NumericGrade)),
        }
    }
}

/// The Experts Panel's own grading of a year, where it differs from the APAR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpertPanelGrading {
    pub grading: Grading,
    /// Why the panel differs (trend, unjustified down/upgrading, ...).
    #[serde(default)]
    pub note: String,
}

/// A representation against the APAR that was accepted (CSS-8 special review).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Representation {
    pub decided_on: NaiveDate,
    /// The grade before the representation was accepted.
    pub grade_before: AparGrade,
    /// Adverse remarks expunged, whatever happened to the grade.
    #[serde(default)]
    pub adverse_remarks_expunged: bool,
}

/// One APAR (or ACR) as it stands in the officer's dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Apar {
    pub period: Period,
    pub grade: AparGrade,
    #[serde(default)]
    pub expert_panel: Option<ExpertPanelGrading>,
    #[serde(default)]
    pub representation: Option<Representation>,
}

impl Apar {
    /// The grading CSS-2 uses: the Experts Panel's where it gave one
    /// (seed 001: "gradings ... as recommended by the Experts Panel").
    pub fn effective_grading(&self) -> Result<(Grading, GradingSource), AparError> {
        self.grading_on(NaiveDate::MAX)
    }

    /// The grading CSS-2 used as the dossier stood on `as_of`: a grade
    /// changed on a representation decided after `as_of` reads as it was
    /// before (every decision is as of a date).
    pub fn grading_on(&self, as_of: NaiveDate) -> Result<(Grading, GradingSource), AparError> {
        match (&self.expert_panel, &self.representation) {
            (Some(ep), _) => Ok((ep.grading, GradingSource::ExpertPanel)),
            (None, Some(rep)) if rep.decided_on > as_of => rep.grade_before.grading(self.period.to),
            (None, _) => self.grade.grading(self.period.to),
        }
    }

    /// CSS-8: a representation is decided after the period the APAR
    /// reports on, and the grade before it reads as a grading on the
    /// period's last day, as the grade itself does. Checked again whenever
    /// a correction moves the period under a representation on record.
    pub fn representation_fits(&self) -> Result<(), RepresentationMisfit> {
        let Some(rep) = &self.representation else {
            return Ok(());
        };
        let period_end = self.period.to;
        if rep.decided_on <= period_end {
            return Err(RepresentationMisfit::TooEarly {
                decided_on: rep.decided_on,
                period_end,
            });
        }
        rep.grade_before
            .grading(period_end)
            .map(|_| ())
            .map_err(|_| RepresentationMisfit::GradeBeforeUnmapped(period_end))
    }

    /// CSS-8: a change on representation is material when it moves the
    /// grading band (and so the CSS-2 value) or expunges adverse remarks.
    pub fn changed_materially(&self) -> Result<bool, AparError> {
        let Some(rep) = &self.representation else {
            return Ok(false);
        };
        let on = self.period.to;
        Ok(rep.adverse_remarks_expunged
            || rep.grade_before.grading(on)?.0 != self.grade.grading(on)?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_representation_fits_only_after_its_period_with_a_grade_then_in_force() {
        let apar = |from, to, decided_on, before: AparGrade| Apar {
            period: Period::new(from, to).unwrap(),
            grade: AparGrade::Grading(Grading::Good),
            expert_panel: None,
            representation: Some(Representation {
                decided_on,
                grade_before: before,
                adverse_remarks_expunged: false,
            }),
        };
        let score = AparGrade::Numeric(NumericGrade::new(7.5).unwrap());
        let average = AparGrade::Grading(Grading::Average);
        let fits = apar(ymd(2015, 4, 1), ymd(2016, 3, 31), ymd(2016, 4, 1), score);
        assert_eq!(fits.representation_fits(), Ok(()));
        let same_day = apar(ymd(2015, 4, 1), ymd(2016, 3, 31), ymd(2016, 3, 31), average);
        assert_eq!(
            same_day.representation_fits(),
            Err(RepresentationMisfit::TooEarly {
                decided_on: ymd(2016, 3, 31),
                period_end: ymd(2016, 3, 31)
            })
        );
        // Numeric grades map only from 01.04.2007 (the dated bands).
        let unmapped = apar(ymd(2006, 4, 1), ymd(2007, 3, 31), ymd(2008, 1, 1), score);
        assert_eq!(
            unmapped.representation_fits(),
            Err(RepresentationMisfit::GradeBeforeUnmapped(ymd(2007, 3, 31)))
        );
        let none = Apar {
            representation: None,
            ..unmapped
        };
        assert_eq!(none.representation_fits(), Ok(()));
    }

    #[test]
    fn reporting_year_is_april_to_march() {
        let y = ReportingYear::containing(ymd(2012, 3, 31));
        assert_eq!(y.to_string(), "2011-12");
        assert_eq!(
            ReportingYear::containing(ymd(2012, 4, 1)).to_string(),
            "2012-13"
        );
        assert_eq!(
            "1999-00".parse::<ReportingYear>().unwrap().start_year(),
            1999
        );
        assert!("2011-13".parse::<ReportingYear>().is_err());
        assert!("2011".parse::<ReportingYear>().is_err());
        let json = serde_json::to_string(&y).unwrap();
        assert_eq!(json, "\"2011-12\"");
        assert_eq!(serde_json::from_str::<ReportingYear>(&json).unwrap(), y);
    }

    #[test]
    fn months_count_part_months_by_days() {
        let full_year = ReportingYear::starting(2015).period().month_units();
        assert_eq!(full_year, 12 * MONTH_UNITS);
        // 16 of 30 days of April + May..September (5) + 15 of 31 days of October.
        let p = Period::new(ymd(2015, 4, 15), ymd(2015, 10, 15)).unwrap();
        assert_eq!(p.month_units(), 16 * 12_586 + 5 * MONTH_UNITS + 15 * 12_180);
        // February of a leap year, whole.
        assert_eq!(month_units(ymd(2016, 2, 1), ymd(2016, 2, 29)), MONTH_UNITS);
        assert_eq!(month_units(ymd(2016, 2, 10), ymd(2016, 2, 10)), 13_020);
        assert_eq!(month_units(ymd(1900, 2, 1), ymd(1900, 2, 28)), MONTH_UNITS);
        assert_eq!(month_units(ymd(2000, 2, 1), ymd(2000, 2, 29)), MONTH_UNITS);
    }

    #[test]
    fn numeric_grades_map_to_gradings() {
        let on = ymd(2015, 3, 31);
        let g = |v: f64| NumericGrade::new(v).unwrap().grading(on).unwrap();
        assert_eq!(g(10.0), Grading::Outstanding);
        assert_eq!(g(8.0), Grading::Outstanding);
        assert_eq!(g(7.99), Grading::VeryGood);
        assert_eq!(g(6.0), Grading::VeryGood);
        assert_eq!(g(5.9), Grading::Good);
        assert_eq!(g(4.0), Grading::Good);
        assert_eq!(g(3.9), Grading::Average);
        assert!(NumericGrade::new(0.5).is_err());
        assert!(NumericGrade::new(f64::NAN).is_err());
        assert_eq!(
            NumericGrade::new(9.0).unwrap().grading(ymd(2005, 3, 31)),
            Err(AparError::NoNumericMapping(ymd(2005, 3, 31)))
        );
    }

    #[test]
    fn expert_panel_grading_prevails_and_json_reads_both_grades() {
        let json = r#"{"period":{"from":"2014-04-01","to":"2015-03-31"},"grade":8.4,
            "expert_panel":{"grading":"very_good","note":"out of line with the trend"}}"#;
        let a: Apar = serde_json::from_str(json).unwrap();
        assert_eq!(
            a.grade.grading(a.period.to()).unwrap().0,
            Grading::Outstanding
        );
        assert_eq!(
            a.effective_grading().unwrap(),
            (Grading::VeryGood, GradingSource::ExpertPanel)
        );
        let b: Apar = serde_json::from_str(
            r#"{"period":{"from":"2004-01-01","to":"2004-12-31"},"grade":"good"}"#,
        )
        .unwrap();
        assert_eq!(
            b.effective_grading().unwrap(),
            (Grading::Good, GradingSource::Apar)
        );
        assert!(serde_json::from_str::<Apar>(
            r#"{"period":{"from":"2005-01-01","to":"2004-12-31"},"grade":"good"}"#
        )
        .is_err());
        assert!(serde_json::from_str::<Apar>(
            r#"{"period":{"from":"2014-04-01","to":"2015-03-31"},"grade":11}"#
        )
        .is_err());
    }

    #[test]
    fn material_change_on_representation() {
        let mut a = Apar {
            period: ReportingYear::starting(2018).period(),
            grade: AparGrade::Numeric(NumericGrade::new(7.5).unwrap()),
            expert_panel: None,
            representation: Some(Representation {
                decided_on: ymd(2020, 1, 1),
                grade_before: AparGrade::Numeric(NumericGrade::new(6.5).unwrap()),
                adverse_remarks_expunged: false,
            }),
        };
        assert!(!a.changed_materially().unwrap(), "same band, no expunction");
        a.representation = a.representation.map(|r| Representation {
            grade_before: AparGrade::Grading(Grading::Good),
            ..r
        });
        assert!(a.changed_materially().unwrap());
    }
}
