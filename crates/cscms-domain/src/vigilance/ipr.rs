//! Annual immovable property returns as the engines see them (IPR-1): one
//! summary per filed version, due dates, and year-by-year compliance for
//! VIG-2 and for nodal officers' "who has not filed" lists.

use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::params::VigilanceParams;
use crate::employee::string_enum;
use crate::fields::FieldErrors;

/// Calendar years a return can be for.
pub const YEARS: RangeInclusive<i32> = 1950..=9998;

/// Wire and storage shape of [`IprFilingSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IprFilingSummaryInput {
    pub year: i32,
    /// `None` while the version is a draft, not yet filed.
    #[serde(default)]
    pub filed_on: Option<NaiveDate>,
    #[serde(default)]
    pub nil: bool,
    /// 0 for the original return of the year, n+1 for a revision of n.
    #[serde(default)]
    pub revision: u32,
}

/// One version of one annual return: what the clearance engine needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "IprFilingSummaryInput")]
pub struct IprFilingSummary {
    year: i32,
    filed_on: Option<NaiveDate>,
    nil: bool,
    revision: u32,
}

impl IprFilingSummary {
    pub fn new(
        year: i32,
        filed_on: Option<NaiveDate>,
        nil: bool,
        revision: u32,
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::new();
        if !YEARS.contains(&year) {
            errs.push(
                "year",
                format!(
                    "must be a calendar year in {}..={}",
                    YEARS.start(),
                    YEARS.end()
                ),
            );
        } else if let Some(d) = filed_on.filter(|d| d.year() <= year) {
            // The return states holdings as on 31 December of its year.
            errs.push(
                "filed_on",
                format!(
                    "{d} is before the return for {year} can be filed (from 01.01.{})",
                    year + 1
                ),
            );
        }
        errs.finish(Self {
            year,
            filed_on,
            nil,
            revision,
        })
    }

    /// From a filing validated by `file_return`, which checked the same facts.
    pub(super) fn from_filing(year: i32, filed_on: NaiveDate, nil: bool, revision: u32) -> Self {
        Self {
            year,
            filed_on: Some(filed_on),
            nil,
            revision,
        }
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn filed_on(&self) -> Option<NaiveDate> {
        self.filed_on
    }

    pub fn nil(&self) -> bool {
        self.nil
    }

    pub fn revision(&self) -> u32 {
        self.revision
    }

    /// Filed (not a draft) on or before `as_of`.
    pub(crate) fn filed_by(&self, as_of: NaiveDate) -> Option<NaiveDate> {
        self.filed_on.filter(|d| *d <= as_of)
    }
}

impl TryFrom<IprFilingSummaryInput> for IprFilingSummary {
    type Error = FieldErrors;
    fn try_from(i: IprFilingSummaryInput) -> Result<Self, Self::Error> {
        Self::new(i.year, i.filed_on, i.nil, i.revision)
    }
}

/// Which annual returns an officer owes. Rule 18(1)(ii) of the CCS
/// (Conduct) Rules names Group A and B; whether a cadre or grade owes them,
/// and from which year, is the caller's data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IprObligation {
    /// Every year the engines look at.
    #[default]
    AllYears,
    /// From this calendar year on (the year the officer joined a post that files).
    FromYear { year: i32 },
    /// Owes no annual return.
    NotRequired,
}

/// Service groups whose members file annual returns: Rule 18(1)(ii), CCS
/// (Conduct) Rules 1964 ("Group 'A' and Group 'B'").
pub const RULE_18_GROUPS: &[&str] = &["A", "B"];

/// A step of an officer's service that placed them in a grade: its date,
/// the grade left (when recorded) and the grade taken, as cadre grade codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeStep<'a> {
    pub on: NaiveDate,
    pub from_grade: Option<&'a str>,
    pub to_grade: Option<&'a str>,
}

/// Whether holders of the cadre grade `code` file annual returns (its
/// group is A or B); `None` for a code the cadre structure does not know.
fn grade_files(code: &str) -> Option<bool> {
    let g = crate::cadre::grades().iter().find(|g| g.code == code)?;
    let group = g.group.split_whitespace().next()?;
    Some(RULE_18_GROUPS.contains(&group))
}

/// A step into a grade that files from a grade that does not: a
/// promotion from Group C into Group B, say SSA to ASO.
fn enters_filing_grade(step: &GradeStep<'_>) -> bool {
    step.from_grade.and_then(grade_files) == Some(false)
        && step.to_grade.and_then(grade_files) == Some(true)
}

/// Who owes one year's return, as criteria a store can filter on (the
/// same rule as [`IprObligation::under_rule_18`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule18Criteria {
    /// Present service groups that file.
    pub groups: &'static [&'static str],
    /// The last day of joining Government that owes the return.
    pub joined_by: NaiveDate,
    /// Not owed by one who entered a filing grade from another after this
    /// day (31 December of the year): the grade codes of such a step.
    pub entered_after: NaiveDate,
    pub filing_grades: Vec<&'static str>,
    pub other_grades: Vec<&'static str>,
}

impl IprObligation {
    /// What an officer owes under Rule 18(1)(ii): the return of a year is
    /// owed by one who held a Group A or B post on its 31 December. Judged
    /// on the present service group (others owe none) and the service
    /// history: from the year the officer joined Government, or, when the
    /// history shows a step into a filing grade from one that does not
    /// file (a Group C officer promoted to Group B), from the year of the
    /// latest such step — they owed no return for the years before it.
    pub fn under_rule_18(
        group: &str,
        joined_government_on: NaiveDate,
        steps: &[GradeStep<'_>],
    ) -> Self {
        if !RULE_18_GROUPS.contains(&group.trim()) {
            return Self::NotRequired;
        }
        let entered = steps
            .iter()
            .filter(|s| enters_filing_grade(s))
            .map(|s| s.on.year())
            .max();
        Self::FromYear {
            year: entered.map_or(joined_government_on.year(), |y| {
                y.max(joined_government_on.year())
            }),
        }
    }

    /// For lists of one year's returns: [`Self::under_rule_18`] as criteria
    /// a store can filter on.
    pub fn rule_18_criteria(year: i32) -> Option<Rule18Criteria> {
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31)?;
        let (filing, other): (Vec<_>, Vec<_>) = crate::cadre::grades()
            .iter()
            .filter_map(|g| Some((g.code.as_str(), grade_files(&g.code)?)))
            .partition(|(_, files)| *files);
        Some(Rule18Criteria {
            groups: RULE_18_GROUPS,
            joined_by: year_end,
            entered_after: year_end,
            filing_grades: filing.into_iter().map(|(c, _)| c).collect(),
            other_grades: other.into_iter().map(|(c, _)| c).collect(),
        })
    }

    pub fn owes(self, year: i32) -> bool {
        match self {
            Self::AllYears => true,
            Self::FromYear { year: from } => year >= from,
            Self::NotRequired => false,
        }
    }
}

/// An officer's returns: what they owe and every version on record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IprRecord {
    #[serde(default)]
    pub obligation: IprObligation,
    #[serde(default)]
    pub filings: Vec<IprFilingSummary>,
}

string_enum!(
    /// Where one year's return stands on a date: `timely` (first filed by
    /// the due date; later revisions do not change this), `late` (first
    /// filed after it), `missing` (due date passed, nothing filed) or
    /// `pending` (year over, not yet due, nothing filed).
    IprYearState, "IPR year state" {
        Timely = "timely",
        Late = "late",
        Missing = "missing",
        Pending = "pending",
    }
);

/// One year's return on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IprYearCheck {
    pub year: i32,
    pub due_on: NaiveDate,
    pub state: IprYearState,
    /// Filing date of the earliest version filed by the as-of date.
    pub first_filed_on: Option<NaiveDate>,
    /// Highest revision filed by the as-of date.
    pub latest_revision: Option<u32>,
}

/// Where the return for `year` stands on `as_of`; `None` while the year is
/// not over (nothing can be filed) or no due-date rule covers it. Versions
/// filed after `as_of` and drafts do not count.
pub fn check_year(
    filings: &[IprFilingSummary],
    year: i32,
    as_of: NaiveDate,
    params: &VigilanceParams,
) -> Option<IprYearCheck> {
    if as_of.year() <= year {
        return None;
    }
    let (due_on, _) = params.ipr_due_on(year)?;
    let filed = filings
        .iter()
        .filter(|f| f.year == year)
        .filter_map(|f| f.filed_by(as_of).map(|d| (d, f.revision)));
    let first_filed_on = filed.clone().map(|(d, _)| d).min();
    let latest_revision = filed.map(|(_, r)| r).max();
    // Timeliness is that of the first filing: a revision of a timely return
    // does not make it late (IPR-1).
    let state = match first_filed_on {
        Some(d) if d <= due_on => IprYearState::Timely,
        Some(_) => IprYearState::Late,
        None if as_of > due_on => IprYearState::Missing,
        None => IprYearState::Pending,
    };
    Some(IprYearCheck {
        year,
        due_on,
        state,
        first_filed_on,
        latest_revision,
    })
}

/// The `count` most recent years whose return has fallen due (due date
/// before `as_of`), latest first.
pub fn fallen_due_years(as_of: NaiveDate, count: u32, params: &VigilanceParams) -> Vec<i32> {
    let count = count.min(100) as i32;
    let last = as_of.year() - 1;
    ((last - count)..=last)
        .rev()
        .filter(|y| params.ipr_due_on(*y).is_some_and(|(due, _)| due < as_of))
        .take(count as usize)
        .collect()
}

/// Each owed year of `years` whose return period is over on `as_of`.
pub fn ipr_compliance(
    record: &IprRecord,
    years: RangeInclusive<i32>,
    as_of: NaiveDate,
    params: &VigilanceParams,
) -> Vec<IprYearCheck> {
    years
        .filter(|y| record.obligation.owes(*y))
        .filter_map(|y| check_year(&record.filings, y, as_of, params))
        .collect()
}

/// For nodal officers' lists: among the `returns` most recent returns fallen
/// due on `as_of`, those owed and missing or filed late, latest first.
pub fn ipr_defaults(
    record: &IprRecord,
    as_of: NaiveDate,
    returns: u32,
    params: &VigilanceParams,
) -> Vec<IprYearCheck> {
    fallen_due_years(as_of, returns, params)
        .into_iter()
        .filter(|y| record.obligation.owes(*y))
        .filter_map(|y| check_year(&record.filings, y, as_of, params))
        .filter(|c| matches!(c.state, IprYearState::Late | IprYearState::Missing))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::params::ymd;

    pub(crate) fn filed(year: i32, on: NaiveDate, revision: u32) -> IprFilingSummary {
        IprFilingSummary::new(year, Some(on), false, revision).unwrap()
    }

    #[test]
    fn summary_is_validated() {
        assert!(IprFilingSummary::new(2023, Some(ymd(2023, 12, 31)), false, 0).is_err());
        assert!(IprFilingSummary::new(1200, None, true, 0).is_err());
        assert!(IprFilingSummary::new(2023, None, true, 0).is_ok());
        let json = serde_json::json!({"year": 2023, "filed_on": "2023-06-01"});
        assert!(serde_json::from_value::<IprFilingSummary>(json).is_err());
        let json = serde_json::json!({"year": 2023, "filed_on": "2024-01-10", "revision": 1});
        assert_eq!(
            serde_json::from_value::<IprFilingSummary>(json).unwrap(),
            filed(2023, ymd(2024, 1, 10), 1)
        );
    }

    #[test]
    fn rule_18_obligation_by_group_and_joining() {
        let joined = ymd(2019, 7, 1);
        let b = IprObligation::under_rule_18("B", joined, &[]);
        assert_eq!(b, IprObligation::FromYear { year: 2019 });
        assert!(b.owes(2019) && !b.owes(2018));
        assert!(IprObligation::under_rule_18("A", joined, &[]).owes(2024));
        assert_eq!(
            IprObligation::under_rule_18("C", joined, &[]),
            IprObligation::NotRequired
        );
        let c = IprObligation::rule_18_criteria(2019).unwrap();
        assert_eq!(
            (c.groups, c.joined_by, c.entered_after),
            (RULE_18_GROUPS, ymd(2019, 12, 31), ymd(2019, 12, 31))
        );
        assert!(joined <= c.joined_by);
        assert!(c.filing_grades.contains(&"ASO") && c.filing_grades.contains(&"US"));
        assert!(c.other_grades.contains(&"SSA") && c.other_grades.contains(&"JSA"));
        assert!(!c.other_grades.contains(&"ASO"));
    }

    #[test]
    fn a_promotee_from_group_c_owes_returns_from_the_year_of_promotion() {
        // Joined as JSA in 2010, SSA in 2016, ASO (Group B) on 1.6.2025:
        // on 31.12.2024 they held a Group C post and owed no return.
        let steps = [
            GradeStep {
                on: ymd(2010, 3, 1),
                from_grade: None,
                to_grade: Some("JSA"),
            },
            GradeStep {
                on: ymd(2016, 4, 1),
                from_grade: Some("JSA"),
                to_grade: Some("SSA"),
            },
            GradeStep {
                on: ymd(2025, 6, 1),
                from_grade: Some("SSA"),
                to_grade: Some("ASO"),
            },
        ];
        let o = IprObligation::under_rule_18("B", ymd(2010, 3, 1), &steps);
        assert_eq!(o, IprObligation::FromYear { year: 2025 });
        assert!(!o.owes(2024) && o.owes(2025));
        // Promotions within Group A and B change nothing.
        let within = [GradeStep {
            on: ymd(2020, 1, 1),
            from_grade: Some("SO"),
            to_grade: Some("US"),
        }];
        assert_eq!(
            IprObligation::under_rule_18("A", ymd(2010, 3, 1), &within),
            IprObligation::FromYear { year: 2010 }
        );
        // A step whose grade left is not recorded, or unknown, proves nothing.
        let unknown = [
            GradeStep {
                on: ymd(2025, 6, 1),
                from_grade: None,
                to_grade: Some("ASO"),
            },
            GradeStep {
                on: ymd(2024, 6, 1),
                from_grade: Some("UDC-X"),
                to_grade: Some("ASO"),
            },
        ];
        assert_eq!(
            IprObligation::under_rule_18("B", ymd(2010, 3, 1), &unknown),
            IprObligation::FromYear { year: 2010 }
        );
        // The criteria a list filters on say the same.
        let c = IprObligation::rule_18_criteria(2024).unwrap();
        let promoted = &steps[2];
        assert!(promoted.on > c.entered_after);
        assert!(c.other_grades.contains(&"SSA") && c.filing_grades.contains(&"ASO"));
        assert!(IprObligation::rule_18_criteria(2025).unwrap().entered_after >= promoted.on);
    }

    #[test]
    fn year_states() {
        let p = VigilanceParams::standard();
        let f = vec![
            filed(2021, ymd(2022, 1, 31), 0),
            filed(2021, ymd(2022, 9, 1), 1),
            filed(2022, ymd(2023, 2, 1), 0),
            IprFilingSummary::new(2024, None, false, 0).unwrap(),
        ];
        let at = ymd(2025, 1, 15);
        let st = |y| check_year(&f, y, at, &p).map(|c| c.state);
        assert_eq!(
            st(2021),
            Some(IprYearState::Timely),
            "a revision after the due date keeps it timely"
        );
        assert_eq!(st(2022), Some(IprYearState::Late));
        assert_eq!(st(2023), Some(IprYearState::Missing));
        assert_eq!(
            st(2024),
            Some(IprYearState::Pending),
            "draft does not count; not yet due"
        );
        assert_eq!(st(2025), None);
        // Filed after the as-of date: not filed then.
        assert_eq!(
            check_year(&f, 2022, ymd(2023, 1, 31), &p).map(|c| c.state),
            Some(IprYearState::Pending)
        );
        assert_eq!(
            check_year(&f, 2022, ymd(2023, 2, 1), &p).map(|c| c.state),
            Some(IprYearState::Late)
        );
        let c = check_year(&f, 2021, at, &p).unwrap();
        assert_eq!(
            (c.first_filed_on, c.latest_revision),
            (Some(ymd(2022, 1, 31)), Some(1))
        );
    }

    #[test]
    fn fallen_due_turns_over_after_31_january() {
        let p = VigilanceParams::standard();
        assert_eq!(fallen_due_years(ymd(2025, 1, 31), 2, &p), [2023, 2022]);
        assert_eq!(fallen_due_years(ymd(2025, 2, 1), 2, &p), [2024, 2023]);
        assert_eq!(fallen_due_years(ymd(2025, 2, 1), 0, &p), Vec::<i32>::new());
    }

    #[test]
    fn defaults_list_missing_and_late_owed_years() {
        let p = VigilanceParams::standard();
        let mut r = IprRecord {
            obligation: IprObligation::AllYears,
            filings: vec![
                filed(2022, ymd(2023, 1, 20), 0),
                filed(2023, ymd(2024, 3, 1), 0),
            ],
        };
        let d: Vec<_> = ipr_defaults(&r, ymd(2025, 6, 1), 4, &p)
            .iter()
            .map(|c| (c.year, c.state))
            .collect();
        assert_eq!(
            d,
            [
                (2024, IprYearState::Missing),
                (2023, IprYearState::Late),
                (2021, IprYearState::Missing)
            ]
        );
        r.obligation = IprObligation::FromYear { year: 2022 };
        assert_eq!(ipr_defaults(&r, ymd(2025, 6, 1), 4, &p).len(), 2);
        r.obligation = IprObligation::NotRequired;
        assert!(ipr_defaults(&r, ymd(2025, 6, 1), 4, &p).is_empty());
        r.obligation = IprObligation::AllYears;
        let all = ipr_compliance(&r, 2021..=2025, ymd(2025, 1, 10), &p);
        assert_eq!(
            all.iter().map(|c| c.year).collect::<Vec<_>>(),
            [2021, 2022, 2023, 2024]
        );
        assert_eq!(all[3].state, IprYearState::Pending);
    }
}
