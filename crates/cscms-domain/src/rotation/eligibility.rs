//! ROT-2: who must rotate. Minimum tenure in the present ministry by grade,
//! counted to the date the round's process starts (the as-of date), and two
//! exemptions: superannuation within 2 years (FR 56(a): the afternoon of the
//! last day of the month in which the officer turns 60; born on the 1st, the
//! month before) and promotion likely within a year, as DoPT records it
//! ([`promotion_likely_on`]). Either exemption answers `exempt`. An officer
//! who superannuated before the as-of date is not in service: `not_eligible`.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::cadre::{self, Cadre};
use crate::decision::{Decision, Reasons};
use crate::empanelment::eligibility::retirement_date;
use crate::empanelment::parameters::retirement_age;
use crate::fields::dmy;
use crate::rules::{ROT_1, ROT_2};
use crate::service_years;

use super::params::{self, functional_grade};

/// What ROT-2 needs about one officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotationInput {
    pub cadre: Cadre,
    /// Grade code (`SO`, `US`, `PS`, ...); a non-functional scale counts as its grade.
    #[cfg_attr(feature = "openapi", schema(max_length = 16, example = "SO"))]
    pub grade: String,
    /// The date the officer joined the present ministry.
    pub in_ministry_since: NaiveDate,
    pub date_of_birth: NaiveDate,
    /// DoPT has recorded that promotion is likely within a year.
    #[serde(default)]
    pub promotion_likely: bool,
    /// The officer has been on deputation outside the cadre since this date,
    /// with no repatriation since ([`on_deputation_since`]).
    #[serde(default)]
    pub on_deputation_since: Option<NaiveDate>,
}

/// The four answers of ROT-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RotationStatus {
    /// Tenure completed, no exemption: takes part and is placed.
    MustRotate,
    /// Need not move, may give preferences and is then placed by them only.
    /// ROT-2 as restated here gives it to no one (both exemptions answer
    /// `exempt`); the allocation takes such officers where a rule does.
    MayOpt,
    /// Grade outside ROT-2's table, or tenure not completed.
    NotEligible,
    /// Tenure completed but superannuation within 2 years, or promotion
    /// likely within a year: left where they are.
    Exempt,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotationOutcome {
    pub status: RotationStatus,
    /// Minimum years in a ministry for the grade, where ROT-2 sets one.
    pub tenure_years: Option<u32>,
    /// The last day of the minimum tenure.
    pub tenure_completed_on: Option<NaiveDate>,
    /// Superannuation (FR 56(a)).
    pub retires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("{0}")]
    UnknownGrade(String),
    #[error("no {0} is in force on {1}")]
    NoParameter(&'static str, NaiveDate),
    #[error("the officer joined the ministry ({0}) after the date the round starts ({1})")]
    FutureTenure(NaiveDate, NaiveDate),
    #[error("the date of birth ({0}) is after the date the officer joined the ministry ({1})")]
    BornAfterJoining(NaiveDate, NaiveDate),
    #[error("born {0}, the officer was under {2}, the minimum age of entry, on joining the ministry on {1}")]
    UnderAge(NaiveDate, NaiveDate, u32),
}

/// ROT-2 for one officer as of the date the round's process starts.
pub fn evaluate_rotation(
    as_of: NaiveDate,
    input: &RotationInput,
) -> Result<Decision<RotationOutcome>, RotationError> {
    let grade = cadre::grade(input.cadre, &input.grade)
        .map_err(|e| RotationError::UnknownGrade(e.to_string()))?;
    if input.in_ministry_since > as_of {
        return Err(RotationError::FutureTenure(input.in_ministry_since, as_of));
    }
    check_age_on_joining(input)?;
    let mut reasons = Reasons::new();
    let age = retirement_age()
        .at(as_of)
        .ok_or(RotationError::NoParameter("retirement age", as_of))?;
    let retires_on = retirement_date(input.date_of_birth, age.value);
    let mut outcome = RotationOutcome {
        status: RotationStatus::NotEligible,
        tenure_years: None,
        tenure_completed_on: None,
        retires_on,
    };

    // Superannuation is on the afternoon of `retires_on`: after that day the
    // officer is no longer in service and takes no part (ROT-2's exemption
    // "within 2 years" is for an officer still serving).
    if let Some(retired) = retires_on.filter(|r| *r < as_of) {
        reasons.push(
            &ROT_2,
            format!(
                "born {}; superannuated on {retired} (FR 56(a), age {}), before {as_of}: no longer in service, so the officer takes no part in the round",
                input.date_of_birth, age.value
            ),
        );
        return Ok(reasons.decide(as_of, outcome));
    }
    if let Some(since) = input.on_deputation_since {
        // Rotation moves officers among the cadre's ministries; one serving
        // outside them on deputation is rotated after repatriation.
        reasons.push(
            &ROT_2,
            format!(
                "on deputation outside the cadre since {since}, with no repatriation recorded by {as_of}: rotation transfer is among the cadre's ministries, so the officer takes no part in the round"
            ),
        );
        return Ok(reasons.decide(as_of, outcome));
    }
    let code = functional_grade(&grade.code);
    let table = params::tenure(input.cadre).and_then(|p| p.at(as_of));
    let Some((years, source)) = table.and_then(|t| {
        t.value
            .iter()
            .find(|(g, _)| *g == code)
            .map(|(_, y)| (*y, t.source))
    }) else {
        reasons.push(
            &ROT_2,
            format!(
                "{} {} is not a grade the rotation policy in force on {as_of} covers",
                input.cadre, grade.code
            ),
        );
        return Ok(reasons.decide(as_of, outcome));
    };
    let completed = service_years::completed_on(input.in_ministry_since, years)
        .ok_or(RotationError::NoParameter("tenure end", as_of))?;
    outcome.tenure_years = Some(years);
    outcome.tenure_completed_on = Some(completed);
    let done = completed <= as_of;
    // The tenure rests on the cadre's own policy (CSS 2022, CSSS 2009).
    reasons.push(
        &ROT_2.resting_on(source),
        format!(
            "{} {}: minimum tenure {years} years in a ministry ({source}); in the present ministry since {}, \
             tenure {} on {completed}, {} the round's start on {as_of}",
            input.cadre,
            grade.code,
            input.in_ministry_since,
            if done { "completed" } else { "completes" },
            if done { "on or before" } else { "after" },
        ),
    );
    if !done {
        return Ok(reasons.decide(as_of, outcome));
    }

    let ex = params::exemptions()
        .at(as_of)
        .ok_or(RotationError::NoParameter("rotation exemption", as_of))?;
    // Exempt when superannuation falls before the same date two years on:
    // retiring on the last day of the two years is "within 2 years".
    let horizon = as_of
        .checked_add_months(Months::new(ex.value.superannuation_within_months))
        .ok_or(RotationError::NoParameter("exemption horizon", as_of))?;
    if let Some(retires) = retires_on.filter(|r| *r < horizon) {
        reasons.push(
            &ROT_2.resting_on(ex.source),
            format!(
                "born {}; superannuates on the afternoon of {retires} (FR 56(a), age {}), within {} months of {as_of}: exempt ({})",
                input.date_of_birth, age.value, ex.value.superannuation_within_months, ex.source
            ),
        );
        outcome.status = RotationStatus::Exempt;
        return Ok(reasons.decide(as_of, outcome));
    }
    if let Some(retires) = retires_on {
        reasons.push(
            &ROT_2.resting_on(ex.source),
            format!(
                "superannuates on {retires} (FR 56(a)), not within {} months of {as_of}",
                ex.value.superannuation_within_months
            ),
        );
    }
    if input.promotion_likely {
        reasons.push(
            &ROT_2.resting_on(ex.source),
            format!(
                "DoPT records promotion as likely within {} months of {as_of}: exempt ({})",
                ex.value.promotion_within_months, ex.source
            ),
        );
        outcome.status = RotationStatus::Exempt;
    } else {
        reasons.push(
            &ROT_1,
            "must rotate to a ministry of the other group; preferences are given through the portal in the round's window",
        );
        outcome.status = RotationStatus::MustRotate;
    }
    Ok(reasons.decide(as_of, outcome))
}

/// Refuses a date of birth no officer could have: after joining the
/// ministry, or making them younger than the minimum age of entry on that
/// day. An age is attained the day before the birthday, as for FR 56(a).
fn check_age_on_joining(input: &RotationInput) -> Result<(), RotationError> {
    let (born, since) = (input.date_of_birth, input.in_ministry_since);
    if born > since {
        return Err(RotationError::BornAfterJoining(born, since));
    }
    let adult = born
        .checked_add_months(Months::new(params::MIN_ENTRY_AGE * 12))
        .and_then(|d| d.pred_opt());
    match adult {
        Some(attains) if attains <= since => Ok(()),
        _ => Err(RotationError::UnderAge(born, since, params::MIN_ENTRY_AGE)),
    }
}

/// ROT-2: whether DoPT's records that promotion is likely (the date each
/// was made) exempt the officer on `as_of`: a record made on or before that
/// day, and not yet as old as the span in force (12 months; a record of
/// 01.01.2025 exempts up to 31.12.2025, not on 01.01.2026).
pub fn promotion_likely_on(records: &[NaiveDate], as_of: NaiveDate) -> bool {
    let Some(ex) = params::exemptions().at(as_of) else {
        return false;
    };
    let span = Months::new(ex.value.promotion_within_months);
    records.iter().any(|dated| {
        *dated <= as_of
            && dated
                .checked_add_months(span)
                .is_some_and(|end| as_of < end)
    })
}

/// Why a record that promotion is likely may not bear its date (ROT-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlookDateRefusal {
    /// After today: a record exempts from its date, never ahead of itself.
    AfterToday(NaiveDate),
    /// Before the officer joined Government or the entry grade of the
    /// service (`what`, on `joined`): no promotion in the service was in
    /// view then.
    BeforeJoining {
        joined: NaiveDate,
        what: &'static str,
    },
}

impl OutlookDateRefusal {
    /// What the caller is told.
    pub fn message(&self) -> String {
        match self {
            OutlookDateRefusal::AfterToday(today) => {
                format!("not after today ({})", dmy(*today))
            }
            OutlookDateRefusal::BeforeJoining { joined, what } => format!(
                "not before the officer {what} ({}): promotion in the service was not in view before (ROT-2)",
                dmy(*joined)
            ),
        }
    }
}

/// ROT-2: the date of a record that promotion is likely within a year lies
/// between the day the officer joined the service (the later of joining
/// Government and joining the entry grade) and today.
pub fn check_outlook_date(
    dated: NaiveDate,
    today: NaiveDate,
    joined_government_on: NaiveDate,
    joined_entry_grade_on: NaiveDate,
) -> Result<(), OutlookDateRefusal> {
    if dated > today {
        return Err(OutlookDateRefusal::AfterToday(today));
    }
    let (joined, what) = if joined_entry_grade_on > joined_government_on {
        (joined_entry_grade_on, "joined the entry grade")
    } else {
        (joined_government_on, "joined Government")
    };
    if dated < joined {
        return Err(OutlookDateRefusal::BeforeJoining { joined, what });
    }
    Ok(())
}

/// The date an officer joined the present ministry, from the service history:
/// the latest appointment, absorption, repatriation or rotation transfer on
/// or before `as_of` (each places the officer in a ministry), else the date
/// of joining Government.
pub fn in_ministry_since(
    events: &[(crate::employee::ServiceEventKind, NaiveDate)],
    joined_government_on: NaiveDate,
    as_of: NaiveDate,
) -> NaiveDate {
    use crate::employee::ServiceEventKind as K;
    events
        .iter()
        .filter(|(k, on)| {
            matches!(
                k,
                K::Appointment | K::Absorption | K::Repatriation | K::Transfer
            ) && *on <= as_of
        })
        .map(|(_, on)| *on)
        .max()
        .unwrap_or(joined_government_on)
}

/// The date an officer went on deputation outside the cadre, if that is
/// where the service history leaves them on `as_of`: a deputation with no
/// appointment, absorption, repatriation or rotation transfer after it.
pub fn on_deputation_since(
    events: &[(crate::employee::ServiceEventKind, NaiveDate)],
    as_of: NaiveDate,
) -> Option<NaiveDate> {
    use crate::employee::ServiceEventKind as K;
    let placing = |k: &K| {
        matches!(
            k,
            K::Appointment | K::Absorption | K::Repatriation | K::Transfer | K::Deputation
        )
    };
    events
        .iter()
        .enumerate()
        .filter(|(_, (k, on))| placing(k) && *on <= as_of)
        // The latest by date; of two on one day, the one recorded later.
        .max_by_key(|(i, (_, on))| (*on, *i))
        .and_then(|(_, (k, on))| (*k == K::Deputation).then_some(*on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn officer(grade: &str, since: NaiveDate, born: NaiveDate) -> RotationInput {
        RotationInput {
            cadre: Cadre::Css,
            grade: grade.into(),
            in_ministry_since: since,
            date_of_birth: born,
            promotion_likely: false,
            on_deputation_since: None,
        }
    }

    #[test]
    fn rot_2_an_officer_on_deputation_outside_the_cadre_takes_no_part() {
        use crate::employee::ServiceEventKind as K;
        let events = [
            (K::Appointment, ymd(2010, 1, 1)),
            (K::Deputation, ymd(2023, 6, 1)),
        ];
        assert_eq!(on_deputation_since(&events, ymd(2023, 5, 31)), None);
        assert_eq!(
            on_deputation_since(&events, ymd(2026, 12, 1)),
            Some(ymd(2023, 6, 1))
        );
        let back = [events[0], events[1], (K::Repatriation, ymd(2026, 6, 1))];
        assert_eq!(on_deputation_since(&back, ymd(2026, 12, 1)), None);
        assert_eq!(
            on_deputation_since(&back, ymd(2026, 5, 31)),
            Some(ymd(2023, 6, 1))
        );

        let mut so = officer("SO", ymd(2010, 1, 1), ymd(1975, 3, 3));
        assert_eq!(status(ymd(2026, 12, 1), &so), RotationStatus::MustRotate);
        so.on_deputation_since = Some(ymd(2023, 6, 1));
        let d = evaluate_rotation(ymd(2026, 12, 1), &so).unwrap();
        assert_eq!(d.outcome.status, RotationStatus::NotEligible);
        assert_eq!(
            d.reasons[0].text,
            "on deputation outside the cadre since 2023-06-01, with no repatriation recorded by \
             2026-12-01: rotation transfer is among the cadre's ministries, so the officer takes \
             no part in the round"
        );
    }

    fn status(as_of: NaiveDate, i: &RotationInput) -> RotationStatus {
        match evaluate_rotation(as_of, i) {
            Ok(d) => d.outcome.status,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn rot_2_tenure_completes_on_the_last_day_not_the_day_before() {
        // SO: 7 years from 01.04.2018 end on 31.03.2025.
        let so = officer("SO", ymd(2018, 4, 1), ymd(1980, 6, 15));
        assert_eq!(status(ymd(2025, 3, 30), &so), RotationStatus::NotEligible);
        assert_eq!(status(ymd(2025, 3, 31), &so), RotationStatus::MustRotate);
        // US: 6 years; DS and Director: 5; ASO: 7.
        for (grade, years) in [("US", 6), ("DS", 5), ("DIR", 5), ("ASO", 7), ("SO_NFS", 7)] {
            let o = officer(grade, ymd(2019, 1, 10), ymd(1975, 3, 3));
            let end = ymd(2019 + years, 1, 9);
            assert_eq!(
                status(end.pred_opt().unwrap(), &o),
                RotationStatus::NotEligible,
                "{grade}"
            );
            let d = evaluate_rotation(end, &o).unwrap();
            assert_eq!(d.outcome.status, RotationStatus::MustRotate, "{grade}");
            assert_eq!(d.outcome.tenure_years, Some(years as u32));
            assert!(d.cites(&ROT_2) && d.cites(&ROT_1));
        }
    }

    #[test]
    fn rot_2_csss_grades_and_uncovered_grades() {
        let mut ps = officer("PS", ymd(2010, 5, 1), ymd(1975, 3, 3));
        ps.cadre = Cadre::Csss;
        assert_eq!(status(ymd(2017, 4, 29), &ps), RotationStatus::NotEligible);
        assert_eq!(status(ymd(2017, 4, 30), &ps), RotationStatus::MustRotate);
        ps.grade = "PPS".into(); // 5 years
        assert_eq!(status(ymd(2015, 4, 30), &ps), RotationStatus::MustRotate);
        let mut jsa = officer("JSA", ymd(2000, 1, 1), ymd(1975, 3, 3));
        jsa.cadre = Cadre::Cscs;
        let d = evaluate_rotation(ymd(2025, 1, 1), &jsa).unwrap();
        assert_eq!(d.outcome.status, RotationStatus::NotEligible);
        assert_eq!(d.outcome.tenure_years, None);
        assert!(evaluate_rotation(
            ymd(2025, 1, 1),
            &officer("XX", ymd(2000, 1, 1), ymd(1975, 3, 3))
        )
        .is_err());
        // CSS tenure table begins with the 2022 OM.
        let so = officer("SO", ymd(2000, 1, 1), ymd(1975, 3, 3));
        assert_eq!(status(ymd(2022, 11, 1), &so), RotationStatus::NotEligible);
    }

    #[test]
    fn rot_2_superannuation_exemption_at_the_boundary_and_born_on_the_first() {
        let as_of = ymd(2025, 1, 1);
        // Born 01.01.1967: turns 60 on 01.01.2027, attains it on 31.12.2026,
        // superannuates on 31.12.2026, inside 2 years of 01.01.2025: exempt.
        let first = officer("US", ymd(2010, 1, 1), ymd(1967, 1, 1));
        let d = evaluate_rotation(as_of, &first).unwrap();
        assert_eq!(d.outcome.retires_on, Some(ymd(2026, 12, 31)));
        assert_eq!(d.outcome.status, RotationStatus::Exempt);
        // Born a day later: superannuates 31.01.2027, outside: must rotate.
        let second = officer("US", ymd(2010, 1, 1), ymd(1967, 1, 2));
        let d = evaluate_rotation(as_of, &second).unwrap();
        assert_eq!(d.outcome.retires_on, Some(ymd(2027, 1, 31)));
        assert_eq!(d.outcome.status, RotationStatus::MustRotate);
        // The same officer a day before the horizon reaches retirement: 01.02.2025 → exempt.
        assert_eq!(
            status(ymd(2025, 1, 31), &second),
            RotationStatus::MustRotate
        );
        assert_eq!(status(ymd(2025, 2, 1), &second), RotationStatus::Exempt);
    }

    #[test]
    fn rot_2_an_officer_superannuated_before_the_round_takes_no_part() {
        // Born 05.05.1950: superannuated on 31.05.2010, not "within 2 years" of 2025.
        let gone = officer("SO", ymd(1980, 1, 1), ymd(1950, 5, 5));
        let d = evaluate_rotation(ymd(2025, 1, 1), &gone).unwrap();
        assert_eq!(d.outcome.status, RotationStatus::NotEligible);
        assert_eq!(d.outcome.retires_on, Some(ymd(2010, 5, 31)));
        assert!(d.reasons[0].text.contains("superannuated on 2010-05-31"));
        // Born 05.01.1965: superannuates on the afternoon of 31.01.2025, in
        // service that day (exempt), no longer on 01.02.2025.
        let last_day = officer("SO", ymd(2010, 1, 1), ymd(1965, 1, 5));
        assert_eq!(status(ymd(2025, 1, 31), &last_day), RotationStatus::Exempt);
        assert_eq!(
            status(ymd(2025, 2, 1), &last_day),
            RotationStatus::NotEligible
        );
    }

    #[test]
    fn rot_2_a_date_of_birth_under_the_minimum_age_on_joining_is_refused() {
        // Born 05.05.2015: nine on 01.01.2025, not yet born on joining in 2014.
        let child = officer("SO", ymd(2014, 1, 1), ymd(2015, 5, 5));
        assert!(matches!(
            evaluate_rotation(ymd(2025, 1, 1), &child),
            Err(RotationError::BornAfterJoining(..))
        ));
        // Five on joining.
        let child = officer("SO", ymd(2020, 6, 1), ymd(2015, 5, 5));
        assert!(matches!(
            evaluate_rotation(ymd(2025, 1, 1), &child),
            Err(RotationError::UnderAge(..))
        ));
        // 18 is attained the day before the 18th birthday: born 02.01.1992
        // attains it on 01.01.2010 and may have joined that day; born a
        // day later, not.
        let adult = officer("SO", ymd(2010, 1, 1), ymd(1992, 1, 2));
        assert_eq!(status(ymd(2025, 1, 1), &adult), RotationStatus::MustRotate);
        let minor = officer("SO", ymd(2010, 1, 1), ymd(1992, 1, 3));
        let err = evaluate_rotation(ymd(2025, 1, 1), &minor).unwrap_err();
        assert!(matches!(err, RotationError::UnderAge(..)));
        assert_eq!(
            err.to_string(),
            "born 1992-01-03, the officer was under 18, the minimum age of entry, on joining the ministry on 2010-01-01"
        );
    }

    #[test]
    fn rot_2_promotion_likely_exempts_and_tenure_goes_first() {
        let mut o = officer("DS", ymd(2018, 1, 1), ymd(1972, 8, 20));
        assert_eq!(status(ymd(2023, 1, 1), &o), RotationStatus::MustRotate);
        o.promotion_likely = true;
        let d = evaluate_rotation(ymd(2023, 1, 1), &o).unwrap();
        assert_eq!(d.outcome.status, RotationStatus::Exempt);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.text.contains("promotion as likely")));
        assert_eq!(status(ymd(2022, 12, 30), &o), RotationStatus::NotEligible);
        let future = officer("DS", ymd(2026, 1, 1), ymd(1972, 8, 20));
        assert!(evaluate_rotation(ymd(2025, 1, 1), &future).is_err());
    }

    #[test]
    fn rot_2_tenure_runs_from_the_latest_placing_event() {
        use crate::employee::ServiceEventKind as K;
        let events = [
            (K::Appointment, ymd(2005, 3, 1)),
            (K::Promotion, ymd(2012, 7, 1)),
            (K::Deputation, ymd(2014, 1, 1)),
            (K::Repatriation, ymd(2017, 1, 1)),
            (K::Appointment, ymd(2030, 1, 1)),
        ];
        assert_eq!(
            in_ministry_since(&events, ymd(2005, 3, 1), ymd(2025, 1, 1)),
            ymd(2017, 1, 1)
        );
        // A rotation transfer starts a new tenure on the day it takes effect.
        let moved = [
            (K::Appointment, ymd(2005, 3, 1)),
            (K::Transfer, ymd(2024, 1, 1)),
        ];
        assert_eq!(
            in_ministry_since(&moved, ymd(2005, 3, 1), ymd(2023, 12, 31)),
            ymd(2005, 3, 1)
        );
        assert_eq!(
            in_ministry_since(&moved, ymd(2005, 3, 1), ymd(2024, 1, 1)),
            ymd(2024, 1, 1)
        );
        assert_eq!(
            in_ministry_since(&events[1..3], ymd(2004, 1, 1), ymd(2025, 1, 1)),
            ymd(2004, 1, 1)
        );
    }

    #[test]
    fn rot_2_a_promotion_record_is_dated_between_joining_and_today() {
        let (today, govt, entry) = (ymd(2026, 12, 2), ymd(2010, 3, 1), ymd(2011, 7, 4));
        assert_eq!(check_outlook_date(today, today, govt, entry), Ok(()));
        assert_eq!(check_outlook_date(entry, today, govt, entry), Ok(()));
        assert_eq!(
            check_outlook_date(ymd(2026, 12, 3), today, govt, entry),
            Err(OutlookDateRefusal::AfterToday(today))
        );
        let e = check_outlook_date(ymd(1901, 1, 1), today, govt, entry).unwrap_err();
        assert_eq!(
            e,
            OutlookDateRefusal::BeforeJoining {
                joined: entry,
                what: "joined the entry grade"
            }
        );
        assert!(e.message().contains("04.07.2011"), "{}", e.message());
        assert!(check_outlook_date(ymd(2011, 7, 3), today, govt, entry).is_err());
        // The entry grade on record before joining Government: Government.
        assert_eq!(
            check_outlook_date(ymd(2009, 1, 1), today, govt, ymd(2008, 1, 1)),
            Err(OutlookDateRefusal::BeforeJoining {
                joined: govt,
                what: "joined Government"
            })
        );
    }

    #[test]
    fn rot_2_a_promotion_record_exempts_from_its_date_for_a_year() {
        let as_of = ymd(2025, 6, 1);
        // Made the day before, or on, the date the round starts: exempt.
        assert!(promotion_likely_on(&[ymd(2025, 5, 31)], as_of));
        assert!(promotion_likely_on(&[ymd(2025, 6, 1)], as_of));
        // Made after it: not (yet).
        assert!(!promotion_likely_on(&[ymd(2025, 6, 2)], as_of));
        // A year old: expired on its anniversary, good the day before.
        assert!(promotion_likely_on(&[ymd(2024, 6, 2)], as_of));
        assert!(!promotion_likely_on(&[ymd(2024, 6, 1)], as_of));
        // An expired record beside a fresh one: the fresh one counts.
        assert!(promotion_likely_on(
            &[ymd(2023, 1, 1), ymd(2025, 1, 1)],
            as_of
        ));
        assert!(!promotion_likely_on(&[], as_of));
    }
}
