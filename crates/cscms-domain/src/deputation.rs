//! DEP-1 and DEP-2: advertisements of posts on deputation by bodies
//! onboarded under a ministry, applications by employees, and the chain of
//! cadre clearance (the employee's ministry) and approval (DoPT).
//!
//! Eligibility is judged on the level of the substantive post held
//! regularly, never on a higher level reached through ACP/MACP (DEP-2, MACPS
//! clarifications 6 and 10).

use std::cmp::Ordering;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cadre::{self, Cadre, UnknownValue};
use crate::decision::{Decision, Reasons};
use crate::employee::string_enum;
use crate::fields::{dmy, FieldErrors};
use crate::principal::Role;
use crate::rules::{DEP_1, DEP_2};
use crate::service_years;
use crate::workflow::{labels, ReasonRule, Transition, Workflow};

string_enum!(
    /// Where an advertisement stands. `lapsed` is never stored: an open
    /// advertisement is lapsed once its last date has passed.
    AdvertState, "advertisement state" {
        Open = "open",
        Closed = "closed",
        Lapsed = "lapsed",
    }
);

string_enum!(
    /// What the sub-nodal officer does to an advertisement.
    AdvertAction, "advertisement action" {
        Publish = "publish",
        Amend = "amend",
        Close = "close",
    }
);

string_enum!(
    /// Where a deputation application stands.
    DepState, "deputation application state" {
        Submitted = "submitted",
        Forwarded = "forwarded",
        Refused = "refused",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
);

string_enum!(
    /// What may be done to a deputation application.
    DepAction, "deputation application action" {
        Apply = "apply",
        Forward = "forward",
        Refuse = "refuse",
        Approve = "approve",
        Reject = "reject",
        Withdraw = "withdraw",
    }
);

labels!(AdvertState, AdvertAction, DepState, DepAction);

const SUB_NODAL: &[Role] = &[Role::SubNodalOfficer];

/// DEP-1: the borrowing organisation publishes, amends and closes its
/// advertisement before the last date.
pub const ADVERTISEMENT: Workflow<AdvertState, AdvertAction> = Workflow {
    name: "deputation_advertisement",
    rule: DEP_1,
    states: &[AdvertState::Open, AdvertState::Closed, AdvertState::Lapsed],
    actions: &[
        AdvertAction::Publish,
        AdvertAction::Amend,
        AdvertAction::Close,
    ],
    transitions: &[
        Transition {
            from: None,
            action: AdvertAction::Publish,
            to: AdvertState::Open,
            roles: SUB_NODAL,
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(AdvertState::Open),
            action: AdvertAction::Amend,
            to: AdvertState::Open,
            roles: SUB_NODAL,
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(AdvertState::Open),
            action: AdvertAction::Close,
            to: AdvertState::Closed,
            roles: SUB_NODAL,
            reason: ReasonRule::Optional,
        },
    ],
    rests_on_clearance: &[],
};

/// DEP-1: submitted → cadre clearance by the employee's ministry (forward
/// or refuse) → DoPT (approve or reject); the employee may withdraw until
/// the final decision.
pub const DEPUTATION: Workflow<DepState, DepAction> = Workflow {
    name: "deputation_application",
    rule: DEP_1,
    states: &[
        DepState::Submitted,
        DepState::Forwarded,
        DepState::Refused,
        DepState::Approved,
        DepState::Rejected,
        DepState::Withdrawn,
    ],
    actions: &[
        DepAction::Apply,
        DepAction::Forward,
        DepAction::Refuse,
        DepAction::Approve,
        DepAction::Reject,
        DepAction::Withdraw,
    ],
    transitions: &[
        Transition {
            from: None,
            action: DepAction::Apply,
            to: DepState::Submitted,
            roles: &[Role::Employee],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(DepState::Submitted),
            action: DepAction::Forward,
            to: DepState::Forwarded,
            roles: &[Role::NodalOfficer],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(DepState::Submitted),
            action: DepAction::Refuse,
            to: DepState::Refused,
            roles: &[Role::NodalOfficer],
            reason: ReasonRule::Required,
        },
        Transition {
            from: Some(DepState::Forwarded),
            action: DepAction::Approve,
            to: DepState::Approved,
            roles: &[Role::Dopt],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(DepState::Forwarded),
            action: DepAction::Reject,
            to: DepState::Rejected,
            roles: &[Role::Dopt],
            reason: ReasonRule::Required,
        },
        Transition {
            from: Some(DepState::Submitted),
            action: DepAction::Withdraw,
            to: DepState::Withdrawn,
            roles: &[Role::Employee],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(DepState::Forwarded),
            action: DepAction::Withdraw,
            to: DepState::Withdrawn,
            roles: &[Role::Employee],
            reason: ReasonRule::Optional,
        },
    ],
    rests_on_clearance: &[DepAction::Forward, DepAction::Approve],
};

impl AdvertState {
    /// The state in force on `today`: an open advertisement lapses after its last date.
    pub fn on(self, last_date: NaiveDate, today: NaiveDate) -> AdvertState {
        match self {
            AdvertState::Open if today > last_date => AdvertState::Lapsed,
            other => other,
        }
    }
}

/// The borrowing organisation sees an application once DoPT has approved it (DEP-1).
pub fn shared_with_borrower(state: DepState) -> bool {
    state == DepState::Approved
}

/// A 7th CPC pay level: `1`..`18`, and `13A` between 13 and 14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PayLevel {
    number: u8,
    a: bool,
}

impl PayLevel {
    pub fn parse(s: &str) -> Result<Self, UnknownValue> {
        let t = s.trim();
        let (digits, a) = match t.strip_suffix(['A', 'a']) {
            Some(d) => (d, true),
            None => (t, false),
        };
        match digits.parse::<u8>() {
            Ok(13) if a => Ok(Self { number: 13, a }),
            Ok(n @ 1..=18) if !a => Ok(Self { number: n, a }),
            _ => Err(UnknownValue {
                what: "pay level (1-18 or 13A)",
                value: s.to_owned(),
            }),
        }
    }
}

impl Ord for PayLevel {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.number, self.a).cmp(&(other.number, other.a))
    }
}

impl PartialOrd for PayLevel {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PayLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.number, if self.a { "A" } else { "" })
    }
}

/// Who may apply to an advertisement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Cadres whose members may apply; at least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub cadres: Vec<Cadre>,
    /// Grade codes (`cadre_grades.csv`) whose holders may apply; empty: any
    /// grade of the cadres at or above the minimum level.
    #[serde(default)]
    pub grades: Vec<String>,
    /// The lowest pay level of the substantive post held regularly (DEP-2).
    #[cfg_attr(feature = "openapi", schema(example = "8"))]
    pub min_level: String,
    /// Completed years of regular service in the present grade, on the last date.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 40))]
    pub min_years_in_grade: u32,
}

/// The parts of an advertisement the DEP-1 rules look at.
#[derive(Debug, Clone)]
pub struct AdvertTerms<'a> {
    pub level: &'a str,
    pub place_state: &'a str,
    pub eligibility: &'a Eligibility,
    pub last_date: NaiveDate,
    pub documents_required: &'a [String],
}

/// Every rule an advertisement breaks (DEP-1): a real pay level, a minimum
/// level no higher than the post's, grades that belong to the cadres named,
/// a State or UT of India named (MACP-9's same station is judged by it), a last date not in the past, no document named twice.
pub fn check_advert(a: &AdvertTerms<'_>, today: NaiveDate) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let level = PayLevel::parse(a.level);
    if let Err(e) = &level {
        errors.push("level", e.to_string());
    }
    let e = a.eligibility;
    match (PayLevel::parse(&e.min_level), level) {
        (Err(err), _) => errors.push("eligibility.min_level", err.to_string()),
        (Ok(min), Ok(post)) if min > post => errors.push(
            "eligibility.min_level",
            format!("above the level of the post ({post})"),
        ),
        _ => {}
    }
    if e.min_years_in_grade > 40 {
        errors.push("eligibility.min_years_in_grade", "at most 40");
    }
    if e.cadres.is_empty() {
        errors.push("eligibility.cadres", "name at least one cadre");
    }
    for (i, g) in e.grades.iter().enumerate() {
        if !e.cadres.iter().any(|c| cadre::grade(*c, g).is_ok()) {
            errors.push(
                format!("eligibility.grades[{i}]"),
                format!("'{g}' is not a grade of the cadres named"),
            );
        }
    }
    if crate::place::state_or_ut(a.place_state).is_none() {
        errors.push(
            "place_state",
            "name the State or Union Territory of the place of posting, e.g. Karnataka or Delhi",
        );
    }
    // Eligibility is judged on the last date (DEP-2): one years away would
    // count years of service not yet served.
    if a.last_date < today {
        errors.push(
            "last_date",
            format!("must not be before today ({})", dmy(today)),
        );
    } else if (a.last_date - today).num_days() > MAX_ADVERT_DAYS {
        errors.push(
            "last_date",
            format!(
                "at most {MAX_ADVERT_DAYS} days after today ({})",
                dmy(today)
            ),
        );
    }
    for (i, d) in a.documents_required.iter().enumerate() {
        let key = d.trim().to_lowercase();
        if a.documents_required[..i]
            .iter()
            .any(|o| o.trim().to_lowercase() == key)
        {
            errors.push(format!("documents_required[{i}]"), "named twice");
        }
    }
    errors
}

/// The longest an advertisement may stay open: six months (an assumption,
/// docs/assumptions.md; circulars give applicants weeks, not years).
pub const MAX_ADVERT_DAYS: i64 = 183;

/// The facts of an applicant eligibility turns on.
#[derive(Debug, Clone)]
pub struct Applicant<'a> {
    pub cadre: &'a str,
    /// The grade of the substantive post held regularly.
    pub grade: &'a str,
    /// The pay level drawn now, which may be higher through ACP/MACP.
    pub pay_level: &'a str,
    pub joined_present_grade_on: NaiveDate,
}

/// A criterion the applicant does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unmet {
    /// `cadre`, `grade`, `level` or `years_in_grade`.
    pub criterion: &'static str,
    pub rule: &'static str,
    pub text: String,
}

/// The eligibility engine's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EligibilityOutcome {
    pub eligible: bool,
    pub substantive_grade: String,
    /// The level of the substantive post: the one DEP-2 judges on.
    pub substantive_level: Option<String>,
    /// The level drawn now (not judged on when higher through ACP/MACP).
    pub pay_level: String,
    pub years_in_grade: u32,
    pub unmet: Vec<Unmet>,
}

/// Whether `who` may apply under `e`, judged on `crucial_date` (the
/// advertisement's last date). DEP-2: the level judged is that of the
/// substantive grade, not the pay level drawn.
pub fn eligibility(
    who: &Applicant<'_>,
    e: &Eligibility,
    crucial_date: NaiveDate,
) -> Decision<EligibilityOutcome> {
    let mut reasons = Reasons::new();
    let mut unmet = Vec::new();
    let mut fail = |reasons: &mut Reasons, criterion, rule: &crate::rules::Rule, text: String| {
        reasons.push(rule, text.clone());
        unmet.push(Unmet {
            criterion,
            rule: rule.id,
            text,
        });
    };

    let cadre = who.cadre.parse::<Cadre>().ok();
    match cadre {
        Some(c) if e.cadres.contains(&c) => {
            reasons.push(&DEP_1, format!("cadre {c} is among those invited"))
        }
        _ => fail(
            &mut reasons,
            "cadre",
            &DEP_1,
            format!(
                "cadre {} is not among those invited ({})",
                who.cadre,
                names(e.cadres.iter().map(|c| c.as_str()))
            ),
        ),
    }
    if !e.grades.is_empty() {
        if e.grades.iter().any(|g| g.eq_ignore_ascii_case(who.grade)) {
            reasons.push(
                &DEP_1,
                format!("grade {} is among those invited", who.grade),
            );
        } else {
            fail(
                &mut reasons,
                "grade",
                &DEP_1,
                format!(
                    "grade {} is not among those invited ({})",
                    who.grade,
                    names(e.grades.iter().map(String::as_str))
                ),
            );
        }
    }

    let grade = cadre.and_then(|c| cadre::grade(c, who.grade).ok());
    let substantive = grade.and_then(|g| PayLevel::parse(&g.level_7cpc).ok());
    let drawn = PayLevel::parse(who.pay_level).ok();
    let min = PayLevel::parse(&e.min_level).ok();
    match (substantive, min) {
        (Some(s), Some(m)) => {
            if s >= m {
                reasons.push(
                    &DEP_2,
                    format!(
                        "substantive post {} is at level {s}, at least the level {m} required",
                        who.grade
                    ),
                );
            } else {
                fail(
                    &mut reasons,
                    "level",
                    &DEP_2,
                    format!(
                        "substantive post {} is at level {s}, below the level {m} required",
                        who.grade
                    ),
                );
            }
            if drawn.is_some_and(|d| d > s) {
                reasons.push(
                    &DEP_2,
                    format!(
                        "pay level {} drawn through ACP/MACP is not taken into account: eligibility is judged on the substantive post held regularly",
                        who.pay_level
                    ),
                );
            }
        }
        _ => fail(
            &mut reasons,
            "level",
            &DEP_2,
            format!(
                "the level of grade {} of cadre {} is not known, so eligibility cannot be judged",
                who.grade, who.cadre
            ),
        ),
    }

    let years = service_years::completed_years(who.joined_present_grade_on, crucial_date);
    if years >= e.min_years_in_grade {
        reasons.push(
            &DEP_1,
            format!(
                "{years} completed year(s) in the present grade on {} (at least {} required)",
                dmy(crucial_date),
                e.min_years_in_grade
            ),
        );
    } else {
        fail(
            &mut reasons,
            "years_in_grade",
            &DEP_1,
            format!(
                "{years} completed year(s) in the present grade on {}, fewer than the {} required",
                dmy(crucial_date),
                e.min_years_in_grade
            ),
        );
    }

    reasons.decide(
        crucial_date,
        EligibilityOutcome {
            eligible: unmet.is_empty(),
            substantive_grade: who.grade.to_owned(),
            substantive_level: substantive.map(|s| s.to_string()),
            pay_level: who.pay_level.to_owned(),
            years_in_grade: years,
            unmet,
        },
    )
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// DEP-1: the documents an advertisement requires that an application does
/// not carry, by name as the advertisement gives them. A document counts as
/// carried when its name matches ignoring case and surrounding spaces.
pub fn missing_documents<'a>(required: &'a [String], given: &[&str]) -> Vec<&'a str> {
    required
        .iter()
        .map(|r| r.trim())
        .filter(|r| !given.iter().any(|g| g.trim().eq_ignore_ascii_case(r)))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_required_document_must_be_carried_by_name() {
        let required = vec![
            " APARs of the last five years ".to_owned(),
            "Vigilance clearance".to_owned(),
        ];
        assert_eq!(
            missing_documents(&required, &["vigilance CLEARANCE "]),
            ["APARs of the last five years"]
        );
        assert!(missing_documents(
            &required,
            &["Vigilance clearance", "apars of the last five years"]
        )
        .is_empty());
        assert_eq!(missing_documents(&required, &[]).len(), 2);
        assert!(missing_documents(&[], &["anything"]).is_empty());
    }

    use super::*;
    use crate::params::ymd;

    fn crit(min_level: &str) -> Eligibility {
        Eligibility {
            cadres: vec![Cadre::Css],
            grades: vec![],
            min_level: min_level.into(),
            min_years_in_grade: 3,
        }
    }

    fn so(pay_level: &str) -> Applicant<'_> {
        Applicant {
            cadre: "CSS",
            grade: "SO",
            pay_level,
            joined_present_grade_on: ymd(2018, 3, 15),
        }
    }

    #[test]
    fn levels_parse_and_order() {
        let l = |s| PayLevel::parse(s).unwrap();
        assert!(l("13") < l("13A") && l("13A") < l("14") && l("8") < l("10"));
        assert_eq!(l("13a").to_string(), "13A");
        for bad in ["0", "19", "8A", "", "level 8"] {
            assert!(PayLevel::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dep_2_judges_the_substantive_post_not_the_macp_level() {
        // An SO (level 8) drawing level 9 through MACP: a post needing level 9 is out of reach.
        let d = eligibility(&so("9"), &crit("9"), ymd(2026, 6, 30));
        assert!(!d.outcome.eligible);
        assert_eq!(d.outcome.unmet.len(), 1);
        assert_eq!(d.outcome.unmet[0].criterion, "level");
        assert_eq!(d.outcome.unmet[0].rule, "DEP-2");
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "DEP-2" && r.text.contains("MACP")));
        assert_eq!(d.outcome.substantive_level.as_deref(), Some("8"));
        // Level 8 required: eligible on the substantive post alone.
        assert!(
            eligibility(&so("9"), &crit("8"), ymd(2026, 6, 30))
                .outcome
                .eligible
        );
    }

    #[test]
    fn cadre_grade_and_years_are_each_reported() {
        let mut e = crit("9");
        e.cadres = vec![Cadre::Csss];
        e.grades = vec!["PA".into()];
        e.min_years_in_grade = 9;
        let d = eligibility(&so("8"), &e, ymd(2026, 3, 14));
        let unmet: Vec<_> = d.outcome.unmet.iter().map(|u| u.criterion).collect();
        assert_eq!(unmet, ["cadre", "grade", "level", "years_in_grade"]);
        assert_eq!(d.outcome.years_in_grade, 8);
        // Eight years from 15.03.2018 are complete at the close of 14.03.2026.
        let d = eligibility(&so("8"), &crit("8"), ymd(2026, 3, 14));
        assert_eq!(d.outcome.years_in_grade, 8);
        let d = eligibility(&so("8"), &crit("8"), ymd(2026, 3, 13));
        assert_eq!(d.outcome.years_in_grade, 7);
    }

    #[test]
    fn advertisement_rules() {
        let today = ymd(2026, 5, 1);
        let mut e = crit("12");
        e.grades = vec!["SO".into(), "PA".into()];
        let docs = vec!["APARs".to_owned(), "apars ".to_owned()];
        let a = AdvertTerms {
            level: "10",
            place_state: "All India",
            eligibility: &e,
            last_date: ymd(2026, 4, 30),
            documents_required: &docs,
        };
        assert_eq!(
            check_advert(&a, today).paths(),
            [
                "eligibility.min_level",
                "eligibility.grades[1]",
                "place_state",
                "last_date",
                "documents_required[1]"
            ]
        );
        let ok = AdvertTerms {
            level: "10",
            place_state: "Karnataka",
            eligibility: &crit("8"),
            last_date: today,
            documents_required: &[],
        };
        assert!(check_advert(&ok, today).is_empty());
        let far = AdvertTerms {
            last_date: ymd(2026, 10, 31),
            ..ok.clone()
        };
        assert!(check_advert(&far, today).is_empty());
        let too_far = AdvertTerms {
            last_date: ymd(2026, 11, 1),
            ..ok.clone()
        };
        assert_eq!(check_advert(&too_far, today).paths(), ["last_date"]);
    }

    #[test]
    fn lapse_and_tables() {
        let last = ymd(2026, 5, 1);
        assert_eq!(AdvertState::Open.on(last, last), AdvertState::Open);
        assert_eq!(
            AdvertState::Open.on(last, ymd(2026, 5, 2)),
            AdvertState::Lapsed
        );
        assert_eq!(
            AdvertState::Closed.on(last, ymd(2026, 5, 2)),
            AdvertState::Closed
        );
        assert!(ADVERTISEMENT.is_final(AdvertState::Lapsed));
        let d = DEPUTATION;
        assert_eq!(
            d.allowed(Some(DepState::Forwarded), Role::Employee),
            [DepAction::Withdraw]
        );
        assert_eq!(
            d.allowed(Some(DepState::Forwarded), Role::Dopt),
            [DepAction::Approve, DepAction::Reject]
        );
        for s in [
            DepState::Refused,
            DepState::Approved,
            DepState::Rejected,
            DepState::Withdrawn,
        ] {
            assert!(d.is_final(s) && d.path_to(s).is_some());
        }
        assert!(shared_with_borrower(DepState::Approved));
        assert!(!shared_with_borrower(DepState::Forwarded));
    }
}
