//! CSS-2: the average weighted APAR score.
//!
//! Score = Σ(months × value of the grading) / Σ(months), over the 10
//! reporting years up to and including the cut-off year. Where APARs are
//! missing for reasons beyond the officer's control, up to 3 years
//! immediately preceding the window are taken, nearest first, until 8 full
//! years are reached (or the months missing for such reasons are made up,
//! whichever comes first).

use std::cmp::Ordering;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::apar::{
    month_units, Apar, AparError, Grading, GradingSource, Period, ReportingYear, MONTH_UNITS,
};
use super::parameters::{MAX_EXTENSION_YEARS, MIN_FULL_YEARS, WINDOW_YEARS};
use crate::decision::{Decision, Reasons};
use crate::employee::string_enum;
use crate::rules;

string_enum!(
    /// Why APARs are missing for a period.
    GapReason, "APAR gap reason" {
        StudyLeave = "study_leave",
        Training = "training",
        // The reporting chain did not write it (transfer, retirement of the reporting officer, ...).
        ReportNotWritten = "report_not_written",
        OtherBeyondControl = "other_beyond_control",
        // E.g. self-appraisal not submitted in time (seed 001 FAQ): not made up.
        OfficerDefault = "officer_default",
    }
);

impl GapReason {
    /// CSS-2 makes up only gaps "beyond the control of the officer".
    pub fn beyond_officer_control(self) -> bool {
        self != GapReason::OfficerDefault
    }
}

/// A period without APARs, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    pub period: Period,
    pub reason: GapReason,
    #[serde(default)]
    pub note: String,
}

impl Gap {
    /// A gap over the whole CSS-2 window ending with `cut_off`: for callers
    /// who say only that whatever is missing there was for `reason`. Only
    /// months without an APAR count as missing, so this never adds months.
    pub fn whole_window(cut_off: ReportingYear, reason: GapReason) -> Gap {
        Gap {
            period: cut_off.back(WINDOW_YEARS.value - 1).through(cut_off),
            reason,
            note: String::new(),
        }
    }
}

/// An exact CSS-2 score: `points / month_units`, with points = Σ(month
/// units × value). Compares exactly, so ties are real ties. JSON carries the
/// decimal `value` and `months` for people, and the exact pair for machines.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(into = "ScoreRepr", try_from = "ScoreRepr")]
pub struct Score {
    points: u64,
    month_units: u64,
}

/// A CSS-2 score: `value` = `points` / `month_units` (exact), `months` = `month_units` / 377580.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct ScoreRepr {
    /// The score, e.g. 7.8.
    value: f64,
    /// Months counted.
    months: f64,
    /// Σ(month units × value), exact.
    points: u64,
    /// Σ(month units), exact: a month is 377,580 units.
    month_units: u64,
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Score {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <ScoreRepr as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Score {}

impl From<Score> for ScoreRepr {
    fn from(s: Score) -> Self {
        ScoreRepr {
            value: s.value(),
            months: s.months(),
            points: s.points,
            month_units: s.month_units,
        }
    }
}

impl TryFrom<ScoreRepr> for Score {
    type Error = String;
    fn try_from(r: ScoreRepr) -> Result<Self, Self::Error> {
        Score::new(r.points, r.month_units).ok_or_else(|| "a score needs months".to_owned())
    }
}

impl Score {
    /// `None` when no months are counted: there is nothing to average.
    pub fn new(points: u64, month_units: u64) -> Option<Self> {
        (month_units > 0).then_some(Self {
            points,
            month_units,
        })
    }

    pub fn value(self) -> f64 {
        self.points as f64 / self.month_units as f64
    }

    pub fn months(self) -> f64 {
        self.month_units as f64 / MONTH_UNITS as f64
    }

    pub fn points(self) -> u64 {
        self.points
    }

    pub fn month_units(self) -> u64 {
        self.month_units
    }
}

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = u128::from(self.points) * u128::from(other.month_units);
        let b = u128::from(other.points) * u128::from(self.month_units);
        a.cmp(&b)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Fixed2::new(self.points, self.month_units).fmt(f)
    }
}

/// `num / den` shown with two decimals, rounded half up, in integers:
/// exact for scores and month counts, and cheaper than float formatting.
pub(crate) struct Fixed2(u128);

impl Fixed2 {
    pub(crate) fn new(num: u64, den: u64) -> Self {
        let den = u128::from(den.max(1));
        Self((u128::from(num) * 100 + den / 2) / den)
    }

    fn months(units: u64) -> Self {
        Self::new(units, MONTH_UNITS)
    }
}

impl fmt::Display for Fixed2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

string_enum!(
    /// Why a reporting year is in the score.
    YearRole, "year role" {
        // One of the 10 years up to and including the cut-off year.
        Window = "window",
        // A year before the window, taken to make up gaps beyond the officer's control.
        Extension = "extension",
    }
);

/// One grading counted in a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradingUse {
    /// The part of the APAR's period inside the reporting year.
    pub period: Period,
    pub grading: Grading,
    pub source: GradingSource,
    pub value: u64,
    pub months: f64,
    /// The Experts Panel's note where its grading is used.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A reporting year as counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearUse {
    pub year: ReportingYear,
    pub role: YearRole,
    pub months: f64,
    /// The APARs counted in the year (empty for a caller who may not read APARs).
    pub gradings: Vec<GradingUse>,
    /// The recorded reason where APARs are missing in the year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<GapReason>,
}

/// The CSS-2 result: the score (if any month counts) and every year used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreOutcome {
    pub window_from: ReportingYear,
    pub window_to: ReportingYear,
    pub score: Option<Score>,
    pub months: f64,
    /// Window years (all ten, even empty) and extension years used, oldest first.
    pub years: Vec<YearUse>,
}

const LOOK_BACK: usize = (WINDOW_YEARS.value + MAX_EXTENSION_YEARS.value) as usize;

#[derive(Default)]
struct Bucket {
    units: u64,
    points: u64,
    gradings: Vec<GradingUse>,
}

/// Scores an officer's APARs for a batch whose cut-off year is `cut_off`.
/// Errors only on records that cannot be read: overlapping APAR periods or
/// a numeric grade with no mapping in force.
pub fn score(
    apars: &[Apar],
    gaps: &[Gap],
    cut_off: ReportingYear,
    as_of: NaiveDate,
) -> Result<Decision<ScoreOutcome>, AparError> {
    check_overlaps(apars)?;
    let earliest = cut_off.back(LOOK_BACK as i32 - 1);
    let window_from = cut_off.back(WINDOW_YEARS.value - 1);
    let mut buckets: Vec<Bucket> = (0..LOOK_BACK).map(|_| Bucket::default()).collect();

    for apar in apars {
        let first = ReportingYear::containing(apar.period.from()).max(earliest);
        let last = ReportingYear::containing(apar.period.to()).min(cut_off);
        if first > last {
            continue;
        }
        let (grading, source) = apar.grading_on(as_of)?;
        let note = match (&apar.expert_panel, source) {
            (Some(ep), GradingSource::ExpertPanel) => ep.note.clone(),
            _ => String::new(),
        };
        for y in first.start_year()..=last.start_year() {
            let year = ReportingYear::starting(y);
            let Some(part) = apar.period.overlap(year.period()) else {
                continue;
            };
            let Some(bucket) = usize::try_from(y - earliest.start_year())
                .ok()
                .and_then(|i| buckets.get_mut(i))
            else {
                continue;
            };
            let units = part.month_units();
            bucket.units += units;
            bucket.points += units * grading.value();
            bucket.gradings.push(GradingUse {
                period: part,
                grading,
                source,
                value: grading.value(),
                months: units as f64 / MONTH_UNITS as f64,
                note: note.clone(),
            });
        }
    }

    let ext = MAX_EXTENSION_YEARS.value as usize;
    let window_units: u64 = buckets.iter().skip(ext).map(|b| b.units).sum();
    let window_period = Period::new(window_from.first_day(), cut_off.last_day())?;
    let (beyond_control, officer_default) = gap_units(gaps, apars, window_period);

    let mut reasons = Reasons::new();
    let mut used = vec![false; LOOK_BACK];
    for u in used.iter_mut().skip(ext) {
        *u = true;
    }
    let target = MIN_FULL_YEARS.value * 12 * MONTH_UNITS;
    if window_units < target && beyond_control > 0 {
        // Make up only what was beyond the officer's control, and only to 8 years.
        let need = (target - window_units).min(beyond_control);
        let mut added = 0;
        let mut taken = Vec::new();
        for i in (0..ext).rev() {
            if added >= need {
                break;
            }
            let Some(b) = buckets.get(i) else { continue };
            if b.units > 0 {
                added += b.units;
                taken.push(ReportingYear::starting(earliest.start_year() + i as i32));
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
        }
        reasons.push(
            &rules::CSS_2,
            format!(
                "{} months of APAR missing in the window for reasons beyond the officer's control; {}",
                Fixed2::months(beyond_control),
                if taken.is_empty() {
                    "no APAR in the 3 preceding years to take".to_owned()
                } else {
                    format!(
                        "taken from the preceding years to make up 8 full years: {}",
                        join(taken.iter())
                    )
                }
            ),
        );
    }
    if officer_default > 0 {
        reasons.push(
            &rules::CSS_2,
            format!(
                "{} months of APAR missing through the officer's own default are not made up",
                Fixed2::months(officer_default)
            ),
        );
    }

    let mut years = Vec::with_capacity(LOOK_BACK);
    let (mut points, mut units) = (0u64, 0u64);
    for (i, (bucket, used)) in buckets.into_iter().zip(used).enumerate() {
        if !used {
            continue;
        }
        let year = ReportingYear::starting(earliest.start_year() + i as i32);
        points += bucket.points;
        units += bucket.units;
        let full = bucket.units >= 12 * MONTH_UNITS;
        years.push(YearUse {
            year,
            role: if i < ext {
                YearRole::Extension
            } else {
                YearRole::Window
            },
            months: bucket.units as f64 / MONTH_UNITS as f64,
            gradings: bucket.gradings,
            gap: if full {
                None
            } else {
                gaps.iter()
                    .find(|g| g.period.overlap(year.period()).is_some())
                    .map(|g| g.reason)
            },
        });
    }
    let score = Score::new(points, units);
    let months = units as f64 / MONTH_UNITS as f64;
    let extension = join(
        years
            .iter()
            .filter(|y| y.role == YearRole::Extension)
            .map(|y| &y.year),
    );
    let with = if extension.is_empty() {
        String::new()
    } else {
        format!(" with {extension}")
    };
    reasons.push(
        &rules::CSS_2,
        match score {
            Some(s) => format!(
                "average weighted score over {window_from} to {cut_off}{with}: {} points / {} months = {s}",
                Fixed2::months(points),
                Fixed2::months(units)
            ),
            None => format!("no APAR months in {window_from} to {cut_off}: no score"),
        },
    );
    Ok(reasons.decide(
        as_of,
        ScoreOutcome {
            window_from,
            window_to: cut_off,
            score,
            months,
            years,
        },
    ))
}

fn join<'a>(years: impl Iterator<Item = &'a ReportingYear>) -> String {
    years.map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
}

/// Months of the window with no APAR, by the gap recorded over them:
/// (beyond the officer's control, the officer's own default). Only a month
/// without an APAR is missing, and each counts once however many gaps
/// cover it; where gaps of both kinds do, the officer's default stands
/// (CSS-2 makes up only what was beyond the officer's control).
fn gap_units(gaps: &[Gap], apars: &[Apar], window: Period) -> (u64, u64) {
    let (mut beyond, mut default) = (0, 0);
    // Most officers record no gap: no day of the window need be looked at.
    if gaps.is_empty() {
        return (beyond, default);
    }
    let covers = |p: &Period, d: NaiveDate| p.from() <= d && d <= p.to();
    let mut day = window.from();
    while day <= window.to() {
        if !apars.iter().any(|a| covers(&a.period, day)) {
            let kinds = gaps.iter().filter(|g| covers(&g.period, day));
            let (mut b, mut o) = (false, false);
            for g in kinds {
                if g.reason.beyond_officer_control() {
                    b = true;
                } else {
                    o = true;
                }
            }
            let units = month_units(day, day);
            if o {
                default += units;
            } else if b {
                beyond += units;
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    (beyond, default)
}

/// APAR periods of one officer may not overlap (CSS-2 counts each month once).
pub fn check_overlaps(apars: &[Apar]) -> Result<(), AparError> {
    let mut periods: Vec<Period> = apars.iter().map(|a| a.period).collect();
    periods.sort_unstable();
    for pair in periods.windows(2) {
        if let [a, b] = pair {
            if b.from() <= a.to() {
                return Err(AparError::Overlap {
                    first: *a,
                    second: *b,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::apar::{AparGrade, Representation};
    use crate::empanelment::fixtures::{fy, fy_ep, fy_num};
    use crate::params::ymd;
    use Grading::{Average, Good, Outstanding as O, VeryGood as Vg};

    const CUT: ReportingYear = ReportingYear::starting(2022);
    const AS_OF: NaiveDate = ymd(2024, 6, 1);

    fn study_leave(from: i32, years: i32) -> Gap {
        Gap {
            period: Period::new(ymd(from, 4, 1), ymd(from + years, 3, 31)).unwrap(),
            reason: GapReason::StudyLeave,
            note: String::new(),
        }
    }

    #[test]
    fn ten_full_years_average_by_value() {
        // 2013-14..2022-23: 4 O, 4 VG, 1 G, 1 Average.
        // (4×9 + 4×7 + 5 + 0) × 12 months / 120 months = 69/10 = 6.9.
        let g = [O, O, O, O, Vg, Vg, Vg, Vg, Good, Average];
        let apars: Vec<Apar> = (2013..=2022).zip(g).map(|(y, g)| fy(y, g)).collect();
        let d = score(&apars, &[], CUT, AS_OF).unwrap();
        let s = d.outcome.score.unwrap();
        assert_eq!(s, Score::new(69, 10).unwrap());
        assert_eq!(s.to_string(), "6.90");
        assert_eq!(
            Score::new(20, 3).unwrap().to_string(),
            "6.67",
            "rounded half up, exactly"
        );
        assert_eq!(d.outcome.years.len(), 10);
        assert!(d.outcome.years.iter().all(|y| y.role == YearRole::Window));
        assert!(d.cites(&rules::CSS_2));
        assert_eq!(d.outcome.window_from.to_string(), "2013-14");
    }

    #[test]
    fn apars_outside_the_window_do_not_count() {
        let mut apars: Vec<Apar> = (2013..=2022).map(|y| fy(y, Vg)).collect();
        apars.push(fy(2012, Average));
        apars.push(fy(2023, Average));
        let s = score(&apars, &[], CUT, AS_OF)
            .unwrap()
            .outcome
            .score
            .unwrap();
        assert_eq!(s, Score::new(7, 1).unwrap());
    }

    #[test]
    fn part_years_weigh_by_months_and_expert_panel_prevails() {
        // 2022-23 split: Apr-Sep Outstanding (6 months), Oct-Mar numeric 5.0 → Good (6 months).
        // 2021-22: APAR says 9.1 (Outstanding) but the Experts Panel grades Very Good.
        // Other 8 years Very Good. Points: 8×12×7 + 6×9 + 6×5 + 12×7 = 672+54+30+84 = 840;
        // months 120 → 7.00.
        let mut apars: Vec<Apar> = (2013..=2020).map(|y| fy(y, Vg)).collect();
        apars.push(fy_ep(2021, 9.1, Vg));
        let half = |from, to, grade| Apar {
            period: Period::new(from, to).unwrap(),
            grade,
            expert_panel: None,
            representation: None,
        };
        apars.push(half(ymd(2022, 4, 1), ymd(2022, 9, 30), fy(2022, O).grade));
        apars.push(half(
            ymd(2022, 10, 1),
            ymd(2023, 3, 31),
            fy_num(2022, 5.0).grade,
        ));
        let d = score(&apars, &[], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.score.unwrap(), Score::new(840, 120).unwrap());
        let last = d.outcome.years.last().unwrap();
        assert_eq!(last.gradings.len(), 2);
        assert_eq!(last.gradings[1].source, GradingSource::NumericGrade);
        assert_eq!(last.gradings[1].grading, Good);
        let ep = &d.outcome.years[8].gradings[0];
        assert_eq!((ep.grading, ep.source), (Vg, GradingSource::ExpertPanel));
    }

    #[test]
    fn gap_beyond_control_is_made_up_from_preceding_years_to_eight_years() {
        // Study leave 2014-15..2017-18 (4 years): 6 years in the window = 72 months.
        // Need min(96-72, 48) = 24 months: 2012-13 (12) then 2011-12 (12); 2010-11 not taken.
        // Window 6 × VG = 6×12×7 = 504; 2012-13 O = 108; 2011-12 G = 60 → 672 / 96 = 7.00.
        let mut apars = vec![fy(2013, Vg), fy(2012, O), fy(2011, Good), fy(2010, Average)];
        apars.extend((2018..=2022).map(|y| fy(y, Vg)));
        let d = score(&apars, &[study_leave(2014, 4)], CUT, AS_OF).unwrap();
        let o = &d.outcome;
        assert_eq!(o.score.unwrap(), Score::new(672, 96).unwrap());
        assert_eq!(o.months, 96.0);
        let ext: Vec<String> = o
            .years
            .iter()
            .filter(|y| y.role == YearRole::Extension)
            .map(|y| y.year.to_string())
            .collect();
        assert_eq!(ext, ["2011-12", "2012-13"]);
        let sl = o
            .years
            .iter()
            .find(|y| y.year == ReportingYear::starting(2015))
            .unwrap();
        assert_eq!((sl.months, sl.gap), (0.0, Some(GapReason::StudyLeave)));
        assert!(d
            .reasons
            .iter()
            .any(|r| r.text.contains("2012-13, 2011-12")));
    }

    #[test]
    fn at_most_three_preceding_years_are_taken() {
        // Study leave 5 years: 60 months in window; need 36 → all of 2010-11..2012-13,
        // and still only 96 months → exactly 8 years. With 6 years' leave only 84 months.
        let mut apars: Vec<Apar> = (2009..=2012).map(|y| fy(y, O)).collect();
        apars.extend((2019..=2022).map(|y| fy(y, Vg)));
        let d = score(&apars, &[study_leave(2013, 6)], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.months, 84.0);
        // 4×12×7 + 3×12×9 = 336 + 324 = 660 / 84.
        assert_eq!(d.outcome.score.unwrap(), Score::new(660, 84).unwrap());
        assert!(!d
            .outcome
            .years
            .iter()
            .any(|y| y.year == ReportingYear::starting(2009)));
    }

    #[test]
    fn gap_by_own_default_is_not_made_up() {
        let mut apars = vec![fy(2012, Average)];
        apars.extend((2016..=2022).map(|y| fy(y, Vg)));
        let gap = Gap {
            period: Period::new(ymd(2013, 4, 1), ymd(2016, 3, 31)).unwrap(),
            reason: GapReason::OfficerDefault,
            note: "self-appraisal not submitted in time".into(),
        };
        let d = score(&apars, &[gap], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.months, 84.0);
        assert_eq!(d.outcome.score.unwrap(), Score::new(7, 1).unwrap());
        assert!(d.reasons.iter().any(|r| r.text.contains("own default")));
    }

    #[test]
    fn a_whole_window_gap_makes_up_what_is_missing() {
        // As the study-leave case, but the caller says only "beyond control".
        let mut apars = vec![fy(2013, Vg), fy(2012, O), fy(2011, Good), fy(2010, Average)];
        apars.extend((2018..=2022).map(|y| fy(y, Vg)));
        let gap = Gap::whole_window(CUT, GapReason::OtherBeyondControl);
        assert_eq!(gap.period.from(), ymd(2013, 4, 1));
        assert_eq!(gap.period.to(), ymd(2023, 3, 31));
        let d = score(&apars, &[gap], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.score.unwrap(), Score::new(672, 96).unwrap());
        // With ten full years there is nothing to make up.
        let full: Vec<Apar> = (2013..=2022).map(|y| fy(y, Vg)).collect();
        let gap = Gap::whole_window(CUT, GapReason::OtherBeyondControl);
        let d = score(&full, &[gap], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.months, 120.0);
        assert!(d.outcome.years.iter().all(|y| y.gap.is_none()));
    }

    #[test]
    fn a_gap_over_months_that_have_their_apar_makes_up_nothing() {
        // 2013-14..2015-16 missing without a reason; training in 2019,
        // inside the 2019-20 APAR, given twice over. Nothing missing was
        // beyond the officer's control: 84 months, no extension (CSS-2).
        let mut apars = vec![fy(2012, O)];
        apars.extend((2016..=2022).map(|y| fy(y, Good)));
        let training = Gap {
            period: Period::new(ymd(2019, 7, 1), ymd(2019, 9, 30)).unwrap(),
            reason: GapReason::Training,
            note: String::new(),
        };
        let d = score(&apars, &[training.clone(), training], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.months, 84.0);
        assert_eq!(d.outcome.score.unwrap(), Score::new(5, 1).unwrap());
        // Study leave over 2014-15 only, given twice: 12 months beyond
        // control, made up from 2012-13 alone.
        let leave = study_leave(2014, 1);
        let d = score(&apars, &[leave.clone(), leave], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.months, 96.0);
        assert!(d.reasons.iter().any(|r| r.text.starts_with("12.00 months")));
    }

    #[test]
    fn a_representation_decided_after_the_as_of_date_does_not_count() {
        let mut apars: Vec<Apar> = (2013..=2022).map(|y| fy(y, Good)).collect();
        apars[5].grade = AparGrade::Grading(O);
        apars[5].representation = Some(Representation {
            decided_on: ymd(2024, 9, 1),
            grade_before: AparGrade::Grading(Good),
            adverse_remarks_expunged: false,
        });
        let before = score(&apars, &[], CUT, ymd(2024, 6, 1)).unwrap();
        assert_eq!(before.outcome.score.unwrap(), Score::new(5, 1).unwrap());
        let after = score(&apars, &[], CUT, ymd(2024, 9, 1)).unwrap();
        assert_eq!(after.outcome.score.unwrap(), Score::new(54, 10).unwrap());
    }

    #[test]
    fn no_extension_when_eight_years_are_there() {
        let mut apars = vec![fy(2012, Average)];
        apars.extend((2015..=2022).map(|y| fy(y, Vg)));
        let d = score(&apars, &[study_leave(2013, 2)], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.months, 96.0);
        assert_eq!(d.outcome.score.unwrap(), Score::new(7, 1).unwrap());
    }

    #[test]
    fn overlapping_apars_are_refused_and_empty_dossier_has_no_score() {
        let a = fy(2020, Vg);
        let mut b = fy(2020, O);
        b.period = Period::new(ymd(2021, 1, 1), ymd(2021, 6, 30)).unwrap();
        assert!(matches!(
            score(&[a, b], &[], CUT, AS_OF),
            Err(AparError::Overlap { .. })
        ));
        let d = score(&[], &[], CUT, AS_OF).unwrap();
        assert_eq!(d.outcome.score, None);
    }

    #[test]
    fn score_json_carries_value_and_exact_parts() {
        let s = Score::new(816 * MONTH_UNITS, 96 * MONTH_UNITS).unwrap();
        let v = serde_json::to_value(s).unwrap();
        assert_eq!(v["value"], 8.5);
        assert_eq!(v["months"], 96.0);
        let back: Score = serde_json::from_value(v).unwrap();
        assert_eq!(back, s);
    }
}
