//! APAR gradings and the benchmark an MACP upgrade needs (MACP-1).
//!
//! The benchmark is a dated parameter: from 01.09.2008 "Good" for upgrades
//! up to grade pay 6600 and "Very Good" above (MACPS OM of 19.05.2009,
//! Annex-I para 17); from 25.07.2016 "Very Good" for all (DoPT OM No.
//! 35034/3/2015-Estt.(D) of 27.09.2016), with "Good" in APARs for periods
//! before that date read as "Very Good".

use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::matrix::Level;
use crate::params::{ymd, Dated, DatedParam};

/// An APAR grading, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grading {
    Poor,
    Average,
    Good,
    VeryGood,
    Outstanding,
}

impl Grading {
    pub fn as_str(self) -> &'static str {
        match self {
            Grading::Poor => "Poor",
            Grading::Average => "Average",
            Grading::Good => "Good",
            Grading::VeryGood => "Very Good",
            Grading::Outstanding => "Outstanding",
        }
    }
}

impl fmt::Display for Grading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One APAR: `year` is the year its reporting period starts (2011 is 2011-12,
/// ending 31 March 2012).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MacpApar))]
#[serde(deny_unknown_fields)]
pub struct Apar {
    pub year: i32,
    pub grading: Grading,
}

/// The benchmark in force from a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchmarkRule {
    /// "Good" suffices for upgrades to grade pays up to this one; "Very Good"
    /// above it. None: "Very Good" for all.
    pub good_up_to_grade_pay: Option<u32>,
    /// APARs for periods ending before this date graded "Good" count as "Very Good".
    pub good_reads_very_good_before: Option<NaiveDate>,
}

/// Date the "Very Good" benchmark took effect for all MACP upgrades.
pub const VERY_GOOD_FOR_ALL_FROM: NaiveDate = ymd(2016, 7, 25);

/// APARs looked at: the five reporting years before the due date
/// (assumption; see docs/rules/pay.md).
pub const WINDOW_YEARS: i32 = 5;
/// Of those, how many must be at the benchmark; none may be below "Good"
/// (assumption, following the reading published for the "Very Good" benchmark).
pub const AT_BENCHMARK: usize = 3;

pub fn benchmarks() -> &'static DatedParam<BenchmarkRule> {
    static P: OnceLock<DatedParam<BenchmarkRule>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ymd(2008, 9, 1),
                value: BenchmarkRule {
                    good_up_to_grade_pay: Some(6600),
                    good_reads_very_good_before: None,
                },
                source: "DoPT OM No. 35034/3/2008-Estt.(D) dated 19.05.2009, Annex-I para 17",
            },
            Dated {
                from: VERY_GOOD_FOR_ALL_FROM,
                value: BenchmarkRule {
                    good_up_to_grade_pay: None,
                    good_reads_very_good_before: Some(VERY_GOOD_FOR_ALL_FROM),
                },
                source: "DoPT OM No. 35034/3/2015-Estt.(D) dated 27.09.2016 (w.e.f. 25.07.2016)",
            },
        ])
    })
}

/// The benchmark for an upgrade to `to` falling due on `due` (None before MACPS).
pub fn required(due: NaiveDate, to: Level) -> Option<(Grading, &'static Dated<BenchmarkRule>)> {
    let rule = benchmarks().at(due)?;
    let grading = match (rule.value.good_up_to_grade_pay, to.grade_pay()) {
        (Some(limit), Some(gp)) if gp <= limit => Grading::Good,
        _ => Grading::VeryGood,
    };
    Some((grading, rule))
}

/// What the supplied APARs say about the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessment {
    Met,
    NotMet,
    /// Some APARs of the window were not supplied (or not yet written on the as-of date).
    Missing {
        missing: usize,
    },
}

/// The reporting years looked at for an upgrade due on `due`: the five
/// latest whose period (1 April-31 March) ended before it.
pub fn window(due: NaiveDate) -> (i32, i32) {
    let last = if (due.month(), due.day()) >= (4, 1) {
        due.year() - 1
    } else {
        due.year() - 2
    };
    (last - (WINDOW_YEARS - 1), last)
}

/// Assesses the benchmark on the APARs of the window. Where several APARs
/// cover one year, the lowest counts (assumption).
pub fn assess(
    due: NaiveDate,
    required: Grading,
    rule: &BenchmarkRule,
    apars: &[Apar],
    as_of: NaiveDate,
) -> Assessment {
    let (first, last) = window(due);
    let mut missing = 0;
    let mut at_benchmark = 0;
    let mut below_good = false;
    // A period ends on 31 March of the next year; compared without building dates.
    let ends_by = |year: i32, on: NaiveDate| (year + 1, 3, 31) <= (on.year(), on.month(), on.day());
    let ends_before =
        |year: i32, on: NaiveDate| (year + 1, 3, 31) < (on.year(), on.month(), on.day());
    for year in first..=last {
        // An APAR whose period has not ended on the as-of date cannot be known.
        let grading = if ends_by(year, as_of) {
            apars
                .iter()
                .filter(|a| a.year == year)
                .map(|a| a.grading)
                .min()
        } else {
            None
        };
        let Some(mut g) = grading else {
            missing += 1;
            continue;
        };
        if g == Grading::Good
            && rule
                .good_reads_very_good_before
                .is_some_and(|cut| ends_before(year, cut))
        {
            g = Grading::VeryGood;
        }
        if g >= required {
            at_benchmark += 1;
        }
        below_good |= g < Grading::Good;
    }
    if missing > 0 {
        Assessment::Missing { missing }
    } else if at_benchmark >= AT_BENCHMARK && !below_good {
        Assessment::Met
    } else {
        Assessment::NotMet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apars(first: i32, gradings: &[Grading]) -> Vec<Apar> {
        gradings
            .iter()
            .zip(first..)
            .map(|(&grading, year)| Apar { year, grading })
            .collect()
    }

    #[test]
    fn benchmark_depends_on_grade_pay_then_very_good_for_all() {
        let l7 = Level::parse("7").unwrap(); // GP 4600
        let l12 = Level::parse("12").unwrap(); // GP 7600
        assert_eq!(
            required(ymd(2012, 10, 1), l7).map(|r| r.0),
            Some(Grading::Good)
        );
        assert_eq!(
            required(ymd(2012, 10, 1), l12).map(|r| r.0),
            Some(Grading::VeryGood)
        );
        assert_eq!(
            required(ymd(2016, 7, 24), l7).map(|r| r.0),
            Some(Grading::Good)
        );
        assert_eq!(
            required(ymd(2016, 7, 25), l7).map(|r| r.0),
            Some(Grading::VeryGood)
        );
        assert_eq!(required(ymd(2008, 8, 31), l7), None);
    }

    #[test]
    fn window_is_the_five_years_ended_before_the_due_date() {
        assert_eq!(window(ymd(2012, 10, 1)), (2007, 2011));
        assert_eq!(window(ymd(2012, 2, 1)), (2006, 2010));
    }

    #[test]
    fn assessment_counts_three_at_benchmark_and_none_below_good() {
        use Grading::*;
        let due = ymd(2020, 10, 1);
        let rule = required(due, Level::parse("7").unwrap()).unwrap().1.value;
        let as_of = ymd(2021, 1, 1);
        let ok = apars(2015, &[Good, VeryGood, VeryGood, Good, VeryGood]);
        assert_eq!(assess(due, VeryGood, &rule, &ok, as_of), Assessment::Met);
        // 2015-16 "Good" ended before 25.07.2016 and reads "Very Good": 3 of 5.
        let two = apars(2015, &[Good, Good, VeryGood, Good, VeryGood]);
        assert_eq!(assess(due, VeryGood, &rule, &two, as_of), Assessment::Met);
        let few = apars(2015, &[Average, Good, VeryGood, Good, VeryGood]);
        assert_eq!(
            assess(due, VeryGood, &rule, &few, as_of),
            Assessment::NotMet
        );
        let short = apars(2016, &[VeryGood, VeryGood, VeryGood]);
        assert_eq!(
            assess(due, VeryGood, &rule, &short, as_of),
            Assessment::Missing { missing: 2 }
        );
    }
}
