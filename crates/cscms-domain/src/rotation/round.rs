//! A rotation round as DoPT announces it (ROT-1, seed 000 §3.7: "timelines
//! intimated through the portal"): its cadre and grades, its four dates and
//! the length of the lists it takes; and the rules on its window and on an
//! officer's list of preferences.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cadre::{self, Cadre};
use crate::employee::string_enum;
use crate::fields::{dmy, FieldErrors};
use crate::rotation::{Group, JointChoice};

/// The most ministries a round may ask for on one list.
pub const MAX_LIST: u32 = 30;

string_enum!(
    /// Whether a round stands: announced (its dates then say where it is), or cancelled.
    RoundState as "RotationRoundState", "rotation round state" {
        Announced = "announced",
        Cancelled = "cancelled",
    }
);

/// The four dates of a round, in the order they fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoundDates {
    /// Preferences may be given from this day ...
    pub preferences_open: NaiveDate,
    /// ... to this day, both included.
    pub preferences_close: NaiveDate,
    /// The allocation is run on or after this day.
    pub allocation_on: NaiveDate,
    /// Transfer orders take effect on this day.
    pub orders_on: NaiveDate,
}

/// Where a round stands on a given day, by its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RotationRoundPhase))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Announced; preferences not yet open. The only phase a round may be amended in.
    Announced,
    /// Preferences are being taken.
    Open,
    /// The window has closed; the allocation is to come.
    Closed,
    /// The allocation date has come.
    Allocation,
}

impl RoundDates {
    pub fn phase(&self, today: NaiveDate) -> Phase {
        if today < self.preferences_open {
            Phase::Announced
        } else if today <= self.preferences_close {
            Phase::Open
        } else if today < self.allocation_on {
            Phase::Closed
        } else {
            Phase::Allocation
        }
    }

    /// The window as said in a refusal: "01.12.2026 to 15.12.2026".
    pub fn window(&self) -> String {
        format!(
            "{} to {}",
            dmy(self.preferences_open),
            dmy(self.preferences_close)
        )
    }
}

/// What DoPT gives for a round (new or amended).
#[derive(Debug, Clone)]
pub struct RoundTerms<'a> {
    pub cadre: Cadre,
    pub grades: &'a [String],
    pub dates: RoundDates,
    pub min_preferences: u32,
    pub max_preferences: u32,
}

/// Every rule a round's terms break (ROT-1): grades of the cadre that
/// ROT-2 covers, none twice; the window opens after `today` (it is
/// announced before it opens) and closes on or after it opens; the
/// allocation after the close; orders on or after the allocation; lists
/// of at least one and at most [`MAX_LIST`], the minimum not above the maximum.
pub fn check_terms(t: &RoundTerms<'_>, today: NaiveDate) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if t.grades.is_empty() {
        errors.push("grades", "name at least one grade");
    }
    for (i, g) in t.grades.iter().enumerate() {
        match cadre::grade(t.cadre, g) {
            Err(_) => errors.push(
                format!("grades[{i}]"),
                format!("not a grade of {}", t.cadre),
            ),
            Ok(grade) if super::params::functional_grade(&grade.code) != grade.code => errors.push(
                format!("grades[{i}]"),
                format!(
                    "{} is a non-functional scale of {}: name {1}, whose rounds take its officers",
                    grade.code,
                    super::params::functional_grade(&grade.code)
                ),
            ),
            Ok(grade) if tenure_years(t.cadre, &grade.code, t.dates.preferences_open).is_none() => {
                errors.push(
                    format!("grades[{i}]"),
                    format!(
                        "{} {} is not a grade the rotation policy covers on {}",
                        t.cadre,
                        grade.code,
                        dmy(t.dates.preferences_open)
                    ),
                )
            }
            Ok(_) => {}
        }
        if t.grades[..i].iter().any(|o| o.eq_ignore_ascii_case(g)) {
            errors.push(format!("grades[{i}]"), "named twice");
        }
    }
    let d = t.dates;
    if d.preferences_open <= today {
        errors.push(
            "dates.preferences_open",
            format!("the window must open after today ({})", dmy(today)),
        );
    }
    if d.preferences_close < d.preferences_open {
        errors.push("dates.preferences_close", "not before the window opens");
    }
    if d.allocation_on <= d.preferences_close {
        errors.push("dates.allocation_on", "after the window closes");
    }
    if d.orders_on < d.allocation_on {
        errors.push("dates.orders_on", "not before the allocation");
    }
    if !(1..=MAX_LIST).contains(&t.min_preferences) {
        errors.push("min_preferences", format!("between 1 and {MAX_LIST}"));
    }
    if !(1..=MAX_LIST).contains(&t.max_preferences) {
        errors.push("max_preferences", format!("between 1 and {MAX_LIST}"));
    } else if t.max_preferences < t.min_preferences {
        errors.push("max_preferences", "not below min_preferences");
    }
    errors
}

/// Whether a round of `grades` takes an officer of `grade`: an officer in a
/// non-functional scale holds the post of its functional grade (`SO_NFS`
/// is a Section Officer) and rotates with it (ROT-2).
pub fn takes_grade(grades: &[String], grade: &str) -> bool {
    let functional = super::params::functional_grade(grade);
    // A round announced for the scale itself before scales were refused
    // (`check_terms`) still takes its grade's officers.
    grades
        .iter()
        .any(|g| super::params::functional_grade(g) == functional)
}

/// The grade codes of `cadre` whose officers a round of `grades` takes:
/// each grade and its non-functional scale, as [`takes_grade`] decides.
pub fn officer_grades(cadre: Cadre, grades: &[String]) -> Vec<String> {
    cadre::grades_of(cadre)
        .filter(|g| takes_grade(grades, &g.code))
        .map(|g| g.code.clone())
        .collect()
}

/// Whether two rounds overlap (ROT-1): of one cadre, taking officers of a
/// grade in common ([`takes_grade`]: a grade and its non-functional scale
/// are one), over periods that share a day, a round's period running from
/// its window's opening to its orders. Officers of that grade would be
/// allocated by both, and transferred twice. A cancelled round overlaps
/// nothing; the caller leaves it out.
pub fn overlaps(a: &RoundTerms<'_>, b: &RoundTerms<'_>) -> bool {
    a.cadre == b.cadre
        && a.grades.iter().any(|g| takes_grade(b.grades, g))
        && a.dates.preferences_open <= b.dates.orders_on
        && b.dates.preferences_open <= a.dates.orders_on
}

fn tenure_years(cadre: Cadre, grade: &str, on: NaiveDate) -> Option<u32> {
    let code = super::params::functional_grade(grade);
    super::params::tenure(cadre)
        .and_then(|p| p.at(on))
        .and_then(|t| t.value.iter().find(|(g, _)| *g == code).map(|(_, y)| *y))
}

/// Every rule an officer's list breaks (ROT-1, ROT-2): between the round's
/// minimum and maximum, no ministry twice, each a ministry of the group
/// other than the officer's present ministry's in the groups in force.
/// `groups` maps each ministry to its group.
pub fn check_preferences(
    list: &[String],
    present: &str,
    groups: &BTreeMap<String, Group>,
    min: u32,
    max: u32,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let n = list.len();
    if n < min as usize || n > max as usize {
        errors.push(
            "ministries",
            format!("this round takes {min} to {max} ministries; {n} given"),
        );
    }
    let home = groups.get(present).copied();
    if home.is_none() {
        errors.push(
            "ministries",
            format!("the present ministry {present} is in no group in force"),
        );
    }
    for (i, m) in list.iter().enumerate() {
        match (groups.get(m), home) {
            (None, _) => errors.push(
                format!("ministries[{i}]"),
                format!("{m} is not a ministry of either group"),
            ),
            (Some(g), Some(h)) if *g == h => errors.push(
                format!("ministries[{i}]"),
                format!("{m} is in group {g:?}, the group of the present ministry {present}: choose ministries of the other group"),
            ),
            _ => {}
        }
        if list[..i].contains(m) {
            errors.push(format!("ministries[{i}]"), "listed twice");
        }
    }
    errors
}

/// Every rule a couple's joint list breaks (ROT-1, SPO-1): at most `max`
/// pairs, no pair twice, each spouse's ministry of the group other than
/// that of the spouse's own present ministry (`present`: the first's, the
/// second's) in the groups in force.
pub fn check_joint(
    pairs: &[JointChoice],
    present: [&str; 2],
    groups: &BTreeMap<String, Group>,
    max: u32,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if pairs.len() > max as usize {
        errors.push(
            "joint",
            format!(
                "this round takes at most {max} pairs; {} given",
                pairs.len()
            ),
        );
    }
    for p in present {
        if !groups.contains_key(p) {
            errors.push(
                "joint",
                format!("the present ministry {p} is in no group in force"),
            );
        }
    }
    for (i, pair) in pairs.iter().enumerate() {
        for ((side, m), p) in [("first", &pair.first), ("second", &pair.second)]
            .into_iter()
            .zip(present)
        {
            match (groups.get(m), groups.get(p)) {
                (None, _) => errors.push(
                    format!("joint[{i}].{side}"),
                    format!("{m} is not a ministry of either group"),
                ),
                (Some(g), Some(h)) if g == h => errors.push(
                    format!("joint[{i}].{side}"),
                    format!("{m} is in group {g:?}, the group of the present ministry {p}: choose ministries of the other group"),
                ),
                _ => {}
            }
        }
        if pairs[..i].contains(pair) {
            errors.push(format!("joint[{i}]"), "listed twice");
        }
    }
    errors
}

/// An officer of a round's cadre and grades as the store knows them.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub code: String,
    pub grade: String,
    /// The present ministry (the ministry above a body).
    pub ministry: String,
    pub in_ministry_since: NaiveDate,
    /// The date of joining the present grade: seniority in the grade.
    pub in_grade_since: NaiveDate,
    pub status: crate::rotation::RotationStatus,
    /// The list given in the round; empty when none was given.
    pub preferences: Vec<String>,
}

/// The date an officer of `grade` joined the grade whose posts they hold,
/// for seniority in it: for an officer in a non-functional scale, the
/// latest event of the history (`(to_grade, on)`) that placed them in the
/// functional grade on or before they entered the scale, as service in the
/// two scales counts together (NFS-4); otherwise, or with no such event,
/// `joined_present_grade_on`.
pub fn in_functional_grade_since(
    grade: &str,
    joined_present_grade_on: NaiveDate,
    history: &[(Option<&str>, NaiveDate)],
) -> NaiveDate {
    let functional = super::params::functional_grade(grade);
    if functional == grade {
        return joined_present_grade_on;
    }
    history
        .iter()
        .filter(|(to, on)| *to == Some(functional) && *on <= joined_present_grade_on)
        .map(|(_, on)| *on)
        .max()
        .unwrap_or(joined_present_grade_on)
}

/// The officers who take part in a round's allocation (ROT-1, ROT-2): every
/// officer who must rotate (with or without a list), and an officer who
/// may opt only if they gave a list. Seniority in the grade is the order of
/// joining it (the code breaks a tie), 1 the most senior.
pub fn participants(candidates: &[Candidate]) -> Vec<crate::rotation::Officer> {
    use crate::rotation::RotationStatus as S;
    let mut taking: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| match c.status {
            S::MustRotate => true,
            S::MayOpt => !c.preferences.is_empty(),
            S::NotEligible | S::Exempt => false,
        })
        .collect();
    taking.sort_by(|a, b| {
        (&a.grade, a.in_grade_since, &a.code).cmp(&(&b.grade, b.in_grade_since, &b.code))
    });
    let mut seniority: BTreeMap<&str, u32> = BTreeMap::new();
    taking
        .into_iter()
        .map(|c| {
            let n = seniority.entry(c.grade.as_str()).or_insert(0);
            *n += 1;
            crate::rotation::Officer {
                code: c.code.clone(),
                grade: c.grade.clone(),
                ministry: c.ministry.clone(),
                in_ministry_since: c.in_ministry_since,
                seniority: *n,
                must_rotate: c.status == S::MustRotate,
                preferences: c.preferences.clone(),
            }
        })
        .collect()
}

/// Working strength of one organisation and grade (PRF-3).
#[derive(Debug, Clone)]
pub struct Strength {
    pub org: String,
    /// The ministry above a body; `None` for a ministry itself.
    pub parent: Option<String>,
    pub grade: String,
    pub sanctioned: i64,
    pub in_position: i64,
}

/// Vacancies per ministry and grade before a round (ROT-1, PRF-3):
/// sanctioned minus in position, never below zero, for the ministry and
/// each body under it, added up under the ministry. The posts the round
/// itself frees are added by the allocation (every officer who must rotate).
pub fn vacancies(strength: &[Strength]) -> BTreeMap<String, BTreeMap<String, u32>> {
    let mut out: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for s in strength {
        let ministry = s.parent.clone().unwrap_or_else(|| s.org.clone());
        let free = u32::try_from((s.sanctioned - s.in_position).max(0)).unwrap_or(u32::MAX);
        *out.entry(ministry)
            .or_default()
            .entry(s.grade.clone())
            .or_default() += free;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn dates(open: NaiveDate) -> RoundDates {
        RoundDates {
            preferences_open: open,
            preferences_close: ymd(2026, 12, 15),
            allocation_on: ymd(2026, 12, 20),
            orders_on: ymd(2027, 1, 1),
        }
    }

    fn terms<'a>(grades: &'a [String], d: RoundDates) -> RoundTerms<'a> {
        RoundTerms {
            cadre: Cadre::Css,
            grades,
            dates: d,
            min_preferences: 2,
            max_preferences: 5,
        }
    }

    #[test]
    fn rot_1_round_dates_in_order() {
        let g = vec!["SO".to_owned(), "US".to_owned()];
        let today = ymd(2026, 11, 28);
        assert!(check_terms(&terms(&g, dates(ymd(2026, 12, 1))), today).is_empty());
        // Opening today is too late to announce it; close before open; allocation on the close.
        let mut d = dates(today);
        d.preferences_close = ymd(2026, 11, 27);
        d.allocation_on = d.preferences_close;
        d.orders_on = ymd(2026, 11, 1);
        let e = check_terms(&terms(&g, d), today);
        assert_eq!(
            e.paths(),
            vec![
                "dates.preferences_open",
                "dates.preferences_close",
                "dates.allocation_on",
                "dates.orders_on"
            ]
        );
        // A window of one day is a window.
        let mut d = dates(ymd(2026, 12, 15));
        d.preferences_close = d.preferences_open;
        assert!(check_terms(&terms(&g, d), today).is_empty());
    }

    #[test]
    fn rot_1_rounds_of_a_grade_do_not_overlap() {
        let so = vec!["SO".to_owned()];
        let so_us = vec!["US".to_owned(), "SO".to_owned()];
        let aso = vec!["ASO".to_owned()];
        let nfs = vec!["SO_NFS".to_owned()];
        // dates(open): the window opens on `open`; the orders are on 01.01.2027.
        let a = terms(&so, dates(ymd(2026, 12, 1)));
        assert!(overlaps(&a, &a));
        assert!(overlaps(&a, &terms(&so_us, dates(ymd(2026, 12, 10)))));
        // The non-functional scale is its grade's.
        assert!(overlaps(&terms(&nfs, dates(ymd(2026, 12, 10))), &a));
        // No grade in common, or another cadre: no overlap.
        assert!(!overlaps(&a, &terms(&aso, dates(ymd(2026, 12, 1)))));
        let mut csss = terms(&so, dates(ymd(2026, 12, 1)));
        csss.cadre = Cadre::Csss;
        assert!(!overlaps(&a, &csss));
        // Periods from the opening to the orders, both days included.
        let mut later = dates(ymd(2026, 12, 1));
        later.preferences_open = a.dates.orders_on;
        later.preferences_close = ymd(2027, 1, 5);
        later.allocation_on = ymd(2027, 1, 10);
        later.orders_on = ymd(2027, 2, 1);
        assert!(overlaps(&a, &terms(&so, later)) && overlaps(&terms(&so, later), &a));
        later.preferences_open = ymd(2027, 1, 2);
        assert!(!overlaps(&a, &terms(&so, later)) && !overlaps(&terms(&so, later), &a));
    }

    #[test]
    fn rot_1_round_grades_and_list_lengths() {
        let g = vec!["SO".to_owned(), "JSA".to_owned(), "so".to_owned()];
        let mut t = terms(&g, dates(ymd(2026, 12, 1)));
        t.min_preferences = 6;
        let e = check_terms(&t, ymd(2026, 11, 28));
        assert_eq!(e.paths(), vec!["grades[1]", "grades[2]", "max_preferences"]);
        // CSCS has no tenure table: no grade of it can be in a round.
        let jsa = vec!["JSA".to_owned()];
        let mut t = terms(&jsa, dates(ymd(2026, 12, 1)));
        t.cadre = Cadre::Cscs;
        assert_eq!(
            check_terms(&t, ymd(2026, 11, 28)).paths(),
            vec!["grades[0]"]
        );
        t.grades = &[];
        t.min_preferences = 0;
        assert_eq!(
            check_terms(&t, ymd(2026, 11, 28)).paths(),
            vec!["grades", "min_preferences"]
        );
        // A non-functional scale is named by its functional grade.
        let nfs = vec!["SO_NFS".to_owned()];
        let e = check_terms(&terms(&nfs, dates(ymd(2026, 12, 1))), ymd(2026, 11, 28));
        assert_eq!(e.paths(), vec!["grades[0]"]);
    }

    #[test]
    fn nfs_4_seniority_in_the_grade_counts_from_joining_it_not_the_scale() {
        let history = [
            (Some("ASO"), ymd(2004, 7, 1)),
            (Some("SO"), ymd(2010, 7, 1)),
            (Some("SO_NFS"), ymd(2014, 7, 1)),
        ];
        assert_eq!(
            in_functional_grade_since("SO_NFS", ymd(2014, 7, 1), &history),
            ymd(2010, 7, 1)
        );
        // A grade that is its own: the record's date, whatever the history.
        assert_eq!(
            in_functional_grade_since("SO", ymd(2011, 1, 1), &history),
            ymd(2011, 1, 1)
        );
        // No event names the functional grade: the record's date.
        assert_eq!(
            in_functional_grade_since("SO_NFS", ymd(2014, 7, 1), &history[..1]),
            ymd(2014, 7, 1)
        );
    }

    #[test]
    fn rot_2_a_round_takes_the_officers_of_its_grades_non_functional_scales() {
        let so = vec!["SO".to_owned()];
        assert!(takes_grade(&so, "SO"));
        assert!(takes_grade(&so, "SO_NFS"));
        assert!(!takes_grade(&so, "ASO"));
        assert!(!takes_grade(&["ASO".to_owned()], "SO_NFS"));
        assert!(takes_grade(&["SO_NFS".to_owned()], "SO"));
        assert_eq!(officer_grades(Cadre::Css, &so), ["SO", "SO_NFS"]);
        let ps = vec!["PS".to_owned(), "PA".to_owned()];
        let mut codes = officer_grades(Cadre::Csss, &ps);
        codes.sort();
        assert_eq!(codes, ["PA", "PS", "PS_NFS"]);
    }

    #[test]
    fn rot_1_who_takes_part_and_seniority_in_the_grade() {
        use crate::rotation::RotationStatus as S;
        let c = |code: &str, grade: &str, joined: NaiveDate, status, prefs: &[&str]| Candidate {
            code: code.into(),
            grade: grade.into(),
            ministry: "MHA".into(),
            in_ministry_since: ymd(2015, 1, 1),
            in_grade_since: joined,
            status,
            preferences: prefs.iter().map(|s| s.to_string()).collect(),
        };
        let all = [
            c("CSS-3", "SO", ymd(2016, 1, 1), S::MustRotate, &[]),
            c("CSS-1", "SO", ymd(2017, 1, 1), S::MayOpt, &["MOF"]),
            c("CSS-2", "SO", ymd(2016, 1, 1), S::MustRotate, &["MOF"]),
            c("CSS-4", "SO", ymd(2010, 1, 1), S::MayOpt, &[]),
            c("CSS-5", "SO", ymd(2010, 1, 1), S::Exempt, &["MOF"]),
            c("CSS-6", "US", ymd(2020, 1, 1), S::MustRotate, &[]),
            c("CSS-7", "SO", ymd(2010, 1, 1), S::NotEligible, &["MOF"]),
        ];
        let got: Vec<(String, u32, bool)> = participants(&all)
            .into_iter()
            .map(|o| (o.code, o.seniority, o.must_rotate))
            .collect();
        assert_eq!(
            got,
            vec![
                ("CSS-2".to_owned(), 1, true),
                ("CSS-3".to_owned(), 2, true),
                ("CSS-1".to_owned(), 3, false),
                ("CSS-6".to_owned(), 1, true),
            ]
        );
    }

    #[test]
    fn rot_1_vacancies_are_sanctioned_less_in_position_under_the_ministry() {
        let st = |org: &str, parent: Option<&str>, grade: &str, s, p| Strength {
            org: org.into(),
            parent: parent.map(str::to_owned),
            grade: grade.into(),
            sanctioned: s,
            in_position: p,
        };
        let v = vacancies(&[
            st("MHA", None, "SO", 10, 7),
            st("MHA-NDMA", Some("MHA"), "SO", 2, 1),
            // Over strength counts as no vacancy, not as a negative one.
            st("MHA-NDMA", Some("MHA"), "ASO", 1, 3),
            st("MOF", None, "SO", 4, 4),
        ]);
        assert_eq!(v["MHA"]["SO"], 4);
        assert_eq!(v["MHA"]["ASO"], 0);
        assert_eq!(v["MOF"]["SO"], 0);
    }

    #[test]
    fn rot_1_phases_by_date() {
        let d = dates(ymd(2026, 12, 1));
        assert_eq!(d.phase(ymd(2026, 11, 30)), Phase::Announced);
        assert_eq!(d.phase(ymd(2026, 12, 1)), Phase::Open);
        assert_eq!(d.phase(ymd(2026, 12, 15)), Phase::Open);
        assert_eq!(d.phase(ymd(2026, 12, 16)), Phase::Closed);
        assert_eq!(d.phase(ymd(2026, 12, 20)), Phase::Allocation);
        assert_eq!(d.window(), "01.12.2026 to 15.12.2026");
    }

    #[test]
    fn rot_1_lists_of_the_other_group() {
        let groups: BTreeMap<String, Group> = [
            ("MHA", Group::A),
            ("MEA", Group::A),
            ("MOF", Group::B),
            ("MOD", Group::B),
        ]
        .into_iter()
        .map(|(m, g)| (m.to_owned(), g))
        .collect();
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_preferences(&l(&["MOF", "MOD"]), "MHA", &groups, 1, 2).is_empty());
        let e = check_preferences(&l(&["MOF", "MEA", "MOF", "XYZ"]), "MHA", &groups, 1, 3);
        assert_eq!(
            e.paths(),
            vec![
                "ministries",
                "ministries[1]",
                "ministries[2]",
                "ministries[3]"
            ]
        );
        assert!(!check_preferences(&l(&["MOF"]), "MHA", &groups, 2, 3).is_empty());
        let e = check_preferences(&l(&["MOF"]), "NITI", &groups, 1, 3);
        assert_eq!(e.paths(), vec!["ministries"]);
    }

    #[test]
    fn spo_1_joint_lists_of_the_other_group_for_each_spouse() {
        let groups: BTreeMap<String, Group> =
            [("MHA", Group::A), ("MEA", Group::A), ("MOF", Group::B)]
                .into_iter()
                .map(|(m, g)| (m.to_owned(), g))
                .collect();
        let pair = |a: &str, b: &str| JointChoice {
            first: a.into(),
            second: b.into(),
        };
        // Spouses in MHA (A) and MOF (B): each lists the other group from their own.
        assert!(check_joint(&[pair("MOF", "MEA")], ["MHA", "MOF"], &groups, 2).is_empty());
        let e = check_joint(
            &[pair("MEA", "MOF"), pair("MOF", "MEA"), pair("MOF", "MEA")],
            ["MHA", "MOF"],
            &groups,
            2,
        );
        assert_eq!(
            e.paths(),
            vec!["joint", "joint[0].first", "joint[0].second", "joint[2]"]
        );
    }
}
