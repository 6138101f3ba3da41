//! TRN-1: Distance & E-Learning Programmes for Government Employees
//! (DELPGE), the scheme of DoPT and IGNOU (seed 002).
//!
//! Enrolment (para 2, 6, 7(iv)): Central Government employees working in
//! ministries, departments and attached offices, not those of Public Sector
//! Undertakings; eligibility as notified per programme; 50 seats, first
//! come first served; one programme at a time, an enrolment holding its
//! employee until claimed or until IGNOU's time limit has passed.
//! Reimbursement (para 7): only on successful completion within IGNOU's time
//! limit with the minimum qualifying grade; Masters once in a career; at
//! most 10 units in a block of 5 years, units by category A-D.

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::decision::{Decision, Reasons};
use crate::employee::string_enum;
use crate::fields::dmy;
use crate::organisation::OrgKind;
use crate::params::{Dated, DatedParam};
use crate::principal::Role;
use crate::rules::TRN_1;
use crate::workflow::{labels, ReasonRule, Transition, Workflow};

string_enum!(
    /// The DELPGE categories of para 7(v).
    Category as "ProgrammeCategory", "DELPGE category" {
        A = "A",
        B = "B",
        C = "C",
        D = "D",
    }
);

impl Category {
    /// Equivalent units (para 7(v) table).
    pub const fn units(self) -> i64 {
        match self {
            Category::A => 2,
            Category::B => 8,
            Category::C => 4,
            Category::D => 1,
        }
    }

    /// The programmes the category covers.
    pub const fn covers(self) -> &'static str {
        match self {
            Category::A => "Certificate / Advance Certificate / PG Certificate",
            Category::B => "Masters",
            Category::C => "PG Diploma / Advance Diploma / Diploma",
            Category::D => "Select / Specialised Module",
        }
    }

    /// Masters (category B) is reimbursed once in a career (para 7(iii)).
    pub const fn is_masters(self) -> bool {
        matches!(self, Category::B)
    }
}

string_enum!(
    /// IGNOU's letter grades, best first.
    Grade, "IGNOU grade" {
        A = "A",
        B = "B",
        C = "C",
        D = "D",
        E = "E",
    }
);

impl Grade {
    fn rank(self) -> u8 {
        match self {
            Grade::A => 1,
            Grade::B => 2,
            Grade::C => 3,
            Grade::D => 4,
            Grade::E => 5,
        }
    }

    /// At least as good as `minimum`.
    pub fn meets(self, minimum: Grade) -> bool {
        self.rank() <= minimum.rank()
    }
}

string_enum!(
    /// Where a reimbursement claim stands.
    ClaimState as "TrainingClaimState", "claim state" {
        Submitted = "submitted",
        NotAdmissible = "not_admissible",
        Approved = "approved",
        Rejected = "rejected",
    }
);

string_enum!(
    /// What the nodal officer does to a claim.
    ClaimAction as "TrainingClaimAction", "claim action" {
        Approve = "approve",
        Reject = "reject",
    }
);

labels!(ClaimState, ClaimAction);

impl ClaimState {
    /// The state a claim is filed in: the engine's answer decides whether
    /// it awaits the nodal officer or stands refused (para 7).
    pub const fn on_filing(admissible: bool) -> ClaimState {
        if admissible {
            ClaimState::Submitted
        } else {
            ClaimState::NotAdmissible
        }
    }

    /// Whether the claim's units count against later claims: admissible
    /// and not rejected (para 7(v)).
    pub const fn counts(self, admissible: bool) -> bool {
        admissible && !matches!(self, ClaimState::Rejected)
    }
}

/// TRN-1 as data: an admissible claim awaits the nodal officer of the
/// employee's ministry, who approves it for payment or rejects it with a
/// reason. Filing is not a step: the engine decides the state it is filed
/// in ([`ClaimState::on_filing`]). No vigilance clearance is a condition
/// of a reimbursement.
pub const CLAIM: Workflow<ClaimState, ClaimAction> = Workflow {
    name: "delpge_claim",
    rule: TRN_1,
    states: ClaimState::ALL,
    actions: ClaimAction::ALL,
    transitions: &[
        Transition {
            from: Some(ClaimState::Submitted),
            action: ClaimAction::Approve,
            to: ClaimState::Approved,
            roles: &[Role::NodalOfficer],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(ClaimState::Submitted),
            action: ClaimAction::Reject,
            to: ClaimState::Rejected,
            roles: &[Role::NodalOfficer],
            reason: ReasonRule::Required,
        },
    ],
    rests_on_clearance: &[],
};

/// How the 5-year block is counted. The scheme says "a block of five (5)
/// years" without saying where blocks start; this system counts the block
/// ending on the completion date of the claim (docs/assumptions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRule {
    pub years: u32,
    pub max_units: i64,
}

/// DELPGE para 7(v): 10 units in a block of 5 years.
const BLOCK_7_V: BlockRule = BlockRule {
    years: 5,
    max_units: 10,
};

pub fn block_rule() -> DatedParam<BlockRule> {
    DatedParam::new(vec![Dated {
        from: NaiveDate::MIN,
        value: BLOCK_7_V,
        source: "DELPGE para 7(v) (10 units in a block of 5 years); the block is counted as the 5 years ending on the completion date: an assumption, docs/assumptions.md",
    }])
}

/// The block rule in force on `on`: the table starts at the earliest date,
/// so an entry is always in force (para 7(v) is the fallback all the same).
pub fn block_rule_on(on: NaiveDate) -> BlockRule {
    block_rule_entry(on).0
}

/// The block rule in force on `on` with the source it comes from.
fn block_rule_entry(on: NaiveDate) -> (BlockRule, &'static str) {
    block_rule()
        .at(on)
        .map_or((BLOCK_7_V, "DELPGE para 7(v)"), |e| (e.value, e.source))
}

/// Seats per programme (para 6(ii)).
pub const SEATS: i64 = 50;

/// The employment certificate the applicant encloses (para 7(vi)): who
/// issued it, on what date, and where it can be had (file number,
/// DigiLocker URI...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmploymentCertificate {
    pub reference: String,
    pub issued_by: String,
    pub issued_on: NaiveDate,
}

/// What enrolment needs to know.
#[derive(Debug, Clone)]
pub struct EnrolmentCase<'a> {
    /// The kind of organisation the employee works in (para 2(i)).
    pub works_in: OrgKind,
    pub pay_level: &'a str,
    /// The employee's ministry (the parent of a body under one).
    pub ministry: &'a str,
    /// Levels the programme is notified for; empty: all.
    pub eligible_levels: &'a [String],
    /// Ministries the programme is notified for; empty: all.
    pub eligible_ministries: &'a [String],
    /// IGNOU's time limit of the programme.
    pub complete_by: NaiveDate,
    /// Another programme that still holds the employee ([`holds`]).
    pub open_programme: Option<i64>,
    /// Enclosed with the application (para 7(vi)).
    pub certificate: &'a EmploymentCertificate,
}

/// Whether an enrolment still holds its employee (one programme at a time,
/// para 7(iv)): until a claim is filed for it, or until IGNOU's time limit
/// has passed, after which nothing of it can be reimbursed (para 7(ii)). A
/// claim for a course completed in time may still be filed after it.
pub fn holds(claimed: bool, complete_by: NaiveDate, on: NaiveDate) -> bool {
    !claimed && on <= complete_by
}

/// [`holds`] as things stood on `on`: an enrolment made after it did not
/// hold the employee yet, and a claim filed after it had not been filed.
pub fn held_on(
    enrolled_on: NaiveDate,
    claimed_on: Option<NaiveDate>,
    complete_by: NaiveDate,
    on: NaiveDate,
) -> bool {
    enrolled_on <= on && holds(claimed_on.is_some_and(|c| c <= on), complete_by, on)
}

/// Why an enrolment is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolRefusal {
    /// Not working in a ministry, department or attached office (para 2(i)).
    Workplace,
    NotNotified,
    /// IGNOU's time limit of the programme has passed (para 7(ii)).
    TimeLimitPassed,
    OneAtATime,
}

/// Enrolment, before the seat is taken (the store counts seats under a lock).
pub fn may_enrol(
    case: &EnrolmentCase<'_>,
    as_of: NaiveDate,
) -> Result<Decision<()>, (EnrolRefusal, Decision<()>)> {
    let mut reasons = Reasons::new();
    let barred = match case.works_in {
        OrgKind::Ministry | OrgKind::Department | OrgKind::AttachedOffice => None,
        OrgKind::Psu => Some(
            "officers working under Public Sector Undertakings are not eligible (DELPGE para 2(i))",
        ),
        OrgKind::AutonomousBody => Some(
            "the programme is open to Central Employees working in Ministries/Departments/Attached offices; the employee works in an autonomous body (DELPGE para 2(i))",
        ),
    };
    if let Some(why) = barred {
        reasons.push(&TRN_1, why);
        return Err((EnrolRefusal::Workplace, reasons.decide(as_of, ())));
    }
    let level_ok =
        case.eligible_levels.is_empty() || case.eligible_levels.iter().any(|l| l == case.pay_level);
    let ministry_ok = case.eligible_ministries.is_empty()
        || case.eligible_ministries.iter().any(|m| m == case.ministry);
    if !level_ok || !ministry_ok {
        reasons.push(
            &TRN_1,
            format!(
                "the programme is notified for {}; the employee is at level {} in {} (DELPGE para 2(ii))",
                notified(case.eligible_levels, case.eligible_ministries),
                case.pay_level,
                case.ministry
            ),
        );
        return Err((EnrolRefusal::NotNotified, reasons.decide(as_of, ())));
    }
    if as_of > case.complete_by {
        reasons.push(
            &TRN_1,
            format!(
                "IGNOU's time limit of the programme, {}, has passed: a course completed after it is not reimbursed (DELPGE para 7(ii))",
                dmy(case.complete_by)
            ),
        );
        return Err((EnrolRefusal::TimeLimitPassed, reasons.decide(as_of, ())));
    }
    if let Some(open) = case.open_programme {
        reasons.push(
            &TRN_1,
            format!(
                "enrolled in programme {open} already: one programme at a time (DELPGE para 7(iv))"
            ),
        );
        return Err((EnrolRefusal::OneAtATime, reasons.decide(as_of, ())));
    }
    reasons.push(
        &TRN_1,
        "a Central Government employee working in a ministry, department or attached office, eligible as notified, with no other programme open (DELPGE paras 2 and 7(iv))",
    );
    let c = case.certificate;
    reasons.push(
        &TRN_1,
        format!(
            "employment certificate {} of {}, issued by {}, enclosed (DELPGE para 7(vi))",
            c.reference,
            dmy(c.issued_on),
            c.issued_by
        ),
    );
    Ok(reasons.decide(as_of, ()))
}

fn notified(levels: &[String], ministries: &[String]) -> String {
    let levels = if levels.is_empty() {
        "all levels".to_owned()
    } else {
        format!("levels {}", levels.join(", "))
    };
    let ministries = if ministries.is_empty() {
        "all ministries".to_owned()
    } else {
        ministries.join(", ")
    };
    format!("{levels} of {ministries}")
}

/// A reimbursement already allowed, as the ledger holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earned {
    pub category: Category,
    pub completed_on: NaiveDate,
}

/// A claim as filed. Loadable as one value from its columns, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "diesel", derive(diesel::Queryable))]
pub struct Claim {
    pub category: Category,
    pub enrolled_on: NaiveDate,
    pub completed_on: NaiveDate,
    /// IGNOU's time limit for the programme: completion on or before it.
    pub complete_by: NaiveDate,
    pub grade: Grade,
    pub minimum_grade: Grade,
    /// Rupees paid to IGNOU.
    pub fee_paid: i64,
}

/// The engine's answer on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimOutcome {
    pub admissible: bool,
    /// Units of the programme (category A-D).
    pub units: i64,
    /// Units already allowed in the block, before this claim.
    pub units_in_block: i64,
    /// First day of the block the claim is counted in.
    pub block_from: NaiveDate,
    /// Rupees reimbursed: the fee paid, or 0.
    pub amount: i64,
}

/// Units allowed in the block ending on `on` (the `years` before it).
pub fn block_start(on: NaiveDate, rule: BlockRule) -> NaiveDate {
    on.checked_sub_months(Months::new(rule.years * 12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(NaiveDate::MIN)
}

/// An employee's standing under DELPGE on a day (TRN-1): the units the
/// block ending that day holds, and whether a Masters is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Standing {
    /// Units of the reimbursements counted that were completed in the block.
    pub units_in_block: i64,
    /// The block's first day: the block is the years ending on `as_of`.
    pub block_from: NaiveDate,
    pub max_units: i64,
    /// Whether a Masters completed by `as_of` has been reimbursed (once in
    /// a career).
    pub masters_used: bool,
}

/// The standing on `as_of` of an employee whose counted reimbursements
/// (admissible and not rejected) are `earned`; those completed after
/// `as_of` do not count yet.
pub fn standing(earned: &[Earned], as_of: NaiveDate) -> Decision<Standing> {
    let (rule, source) = block_rule_entry(as_of);
    let block_from = block_start(as_of, rule);
    let units_in_block = units_completed(earned, block_from, as_of);
    let masters_used = earned
        .iter()
        .any(|e| e.category.is_masters() && e.completed_on <= as_of);
    let mut reasons = Reasons::new();
    reasons.push(
        &TRN_1,
        format!(
            "{units_in_block} of {} units in the block of {} years from {} to {} ({source})",
            rule.max_units,
            rule.years,
            dmy(block_from),
            dmy(as_of)
        ),
    );
    reasons.push(
        &TRN_1,
        if masters_used {
            "a Masters has been reimbursed: no other, once in a career (para 7(iii))"
        } else {
            "no Masters reimbursed yet: one may be, once in a career (para 7(iii))"
        },
    );
    reasons.decide(
        as_of,
        Standing {
            units_in_block,
            block_from,
            max_units: rule.max_units,
            masters_used,
        },
    )
}

/// Units of the reimbursements completed from `from` to `to`, both included.
fn units_completed(earned: &[Earned], from: NaiveDate, to: NaiveDate) -> i64 {
    earned
        .iter()
        .filter(|e| (from..=to).contains(&e.completed_on))
        .map(|e| e.category.units())
        .sum()
}

/// The first block ending at the completion of a programme reimbursed
/// after `claim`'s that takes in `claim`'s completion and would hold more
/// than its units with `claim` counted: its first and last day, the units
/// already allowed in it, and its rule.
fn later_block_exceeded(
    claim: &Claim,
    earned: &[Earned],
) -> Option<(NaiveDate, NaiveDate, i64, BlockRule)> {
    let mut ends: Vec<NaiveDate> = earned
        .iter()
        .map(|e| e.completed_on)
        .filter(|&on| on > claim.completed_on)
        .collect();
    ends.sort_unstable();
    ends.dedup();
    ends.into_iter().find_map(|to| {
        let rule = block_rule_on(to);
        let from = block_start(to, rule);
        if from > claim.completed_on {
            return None;
        }
        let allowed = units_completed(earned, from, to);
        (allowed + claim.category.units() > rule.max_units).then_some((from, to, allowed, rule))
    })
}

/// TRN-1 on a claim, given the reimbursements already allowed. Every rule
/// is applied and cited, in order, so a refusal gives every ground.
pub fn assess(claim: &Claim, earned: &[Earned], as_of: NaiveDate) -> Decision<ClaimOutcome> {
    let mut reasons = Reasons::new();
    let mut admissible = true;
    let units = claim.category.units();
    reasons.push(
        &TRN_1,
        format!(
            "category {} ({}) counts {} unit{} (DELPGE para 7(v))",
            claim.category,
            claim.category.covers(),
            units,
            if units == 1 { "" } else { "s" }
        ),
    );
    if claim.completed_on < claim.enrolled_on {
        admissible = false;
        reasons.push(&TRN_1, "completed before the enrolment: not this programme");
    }
    if claim.completed_on > claim.complete_by {
        admissible = false;
        reasons.push(
            &TRN_1,
            format!(
                "completed on {}, after IGNOU's time limit of {}: not eligible for reimbursement (DELPGE para 7(ii))",
                dmy(claim.completed_on),
                dmy(claim.complete_by)
            ),
        );
    } else {
        reasons.push(
            &TRN_1,
            format!(
                "completed on {}, within IGNOU's time limit",
                dmy(claim.completed_on)
            ),
        );
    }
    if claim.grade.meets(claim.minimum_grade) {
        reasons.push(
            &TRN_1,
            format!(
                "grade {} meets the minimum qualifying grade {}",
                claim.grade, claim.minimum_grade
            ),
        );
    } else {
        admissible = false;
        reasons.push(
            &TRN_1,
            format!(
                "grade {} is below the minimum qualifying grade {}: not eligible for reimbursement (DELPGE para 7(ii))",
                claim.grade, claim.minimum_grade
            ),
        );
    }
    if claim.category.is_masters() {
        if let Some(before) = earned.iter().find(|e| e.category.is_masters()) {
            admissible = false;
            reasons.push(
                &TRN_1,
                format!(
                    "a Masters programme completed on {} has been reimbursed: Masters is reimbursed once in a career (DELPGE para 7(iii))",
                    dmy(before.completed_on)
                ),
            );
        }
    }
    let rule = block_rule_on(claim.completed_on);
    let block_from = block_start(claim.completed_on, rule);
    let units_in_block = units_completed(earned, block_from, claim.completed_on);
    if units_in_block + units > rule.max_units {
        admissible = false;
        reasons.push(
            &TRN_1,
            format!(
                "{units_in_block} units allowed in the block {} to {}; {units} more would exceed {} units in {} years (DELPGE para 7(v))",
                dmy(block_from),
                dmy(claim.completed_on),
                rule.max_units,
                rule.years
            ),
        );
    } else if let Some((from, to, allowed, later)) = later_block_exceeded(claim, earned) {
        // A claim filed after one for a programme completed later still
        // falls in that programme's block: every block of five years holds
        // at most ten units, whichever claim came first.
        admissible = false;
        reasons.push(
            &TRN_1,
            format!(
                "{allowed} units allowed in the block {} to {} (to the completion of a programme on {}), which takes in this one; {units} more would exceed {} units in {} years (DELPGE para 7(v))",
                dmy(from),
                dmy(to),
                dmy(to),
                later.max_units,
                later.years
            ),
        );
    } else {
        reasons.push(
            &TRN_1,
            format!(
                "{} of {} units in the block {} to {} (DELPGE para 7(v))",
                units_in_block + units,
                rule.max_units,
                dmy(block_from),
                dmy(claim.completed_on)
            ),
        );
    }
    let amount = if admissible { claim.fee_paid } else { 0 };
    reasons.push(
        &TRN_1,
        if admissible {
            format!(
                "the fee of Rs {} paid to IGNOU is reimbursed (DELPGE para 7(i))",
                claim.fee_paid
            )
        } else {
            "no reimbursement (DELPGE para 7(ii))".to_owned()
        },
    );
    reasons.decide(
        as_of,
        ClaimOutcome {
            admissible,
            units,
            units_in_block,
            block_from,
            amount,
        },
    )
}

/// A claim refused when it was filed, with its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub id: i64,
    pub claim: Claim,
}

/// TRN-1 on the claims refused earlier, decided again on `as_of` because
/// claim `rejected` has been rejected: its units, and its Masters, no longer
/// count (para 7(iii), 7(v)), so a refusal that rested on them no longer
/// stands. Each is assessed on the reimbursements that count now, earliest
/// completion first, and one allowed again counts against the next. Answers
/// only the claims now admissible, with their decisions; a claim refused on
/// its own grounds (late, below the grade) stays refused.
pub fn decide_again(
    refused: &[Refused],
    earned: &[Earned],
    rejected: i64,
    as_of: NaiveDate,
) -> Vec<(i64, Decision<ClaimOutcome>)> {
    let mut order: Vec<&Refused> = refused.iter().collect();
    order.sort_by_key(|r| (r.claim.completed_on, r.id));
    let mut counted = earned.to_vec();
    let mut allowed = Vec::new();
    for r in order {
        let mut d = assess(&r.claim, &counted, as_of);
        if !d.outcome.admissible {
            continue;
        }
        d.reasons.insert(
            0,
            crate::decision::Reason::new(
                &TRN_1,
                format!(
                    "decided again on {}: claim {rejected} has been rejected, so its units no longer count against this claim, refused when it was filed (DELPGE para 7(iii), 7(v))",
                    dmy(as_of)
                ),
            ),
        );
        counted.push(Earned {
            category: r.claim.category,
            completed_on: r.claim.completed_on,
        });
        allowed.push((r.id, d));
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    #[test]
    fn an_enrolment_holds_from_its_day_until_claimed_or_out_of_time() {
        let (enrolled, by) = (ymd(2025, 1, 10), ymd(2026, 6, 30));
        assert!(!held_on(enrolled, None, by, ymd(2025, 1, 9)));
        assert!(held_on(enrolled, None, by, enrolled));
        assert!(held_on(
            enrolled,
            Some(ymd(2025, 9, 1)),
            by,
            ymd(2025, 8, 31)
        ));
        assert!(!held_on(
            enrolled,
            Some(ymd(2025, 9, 1)),
            by,
            ymd(2025, 9, 1)
        ));
        assert!(!held_on(enrolled, None, by, ymd(2026, 7, 1)));
    }

    #[test]
    fn the_standing_counts_the_block_ending_on_its_day() {
        let earned = [
            Earned {
                category: Category::B,
                completed_on: ymd(2020, 3, 1),
            },
            Earned {
                category: Category::D,
                completed_on: ymd(2024, 6, 30),
            },
        ];
        let on = |d| trn_standing(&earned, d);
        // Before either completion: nothing counted, no Masters used.
        assert_eq!(on(ymd(2020, 2, 29)), (0, false));
        assert_eq!(on(ymd(2020, 3, 1)), (8, true));
        assert_eq!(on(ymd(2024, 6, 30)), (9, true));
        // The block of 5 years ending 01.03.2025 starts on 02.03.2020.
        assert_eq!(on(ymd(2025, 2, 28)), (9, true));
        assert_eq!(on(ymd(2025, 3, 1)), (1, true));
        let d = standing(&earned, ymd(2025, 3, 1));
        assert_eq!(d.outcome.block_from, ymd(2020, 3, 2));
        assert_eq!(d.outcome.max_units, 10);
        assert!(d.reasons.iter().all(|r| r.rule == "TRN-1"));
        assert!(
            d.reasons[0].text.contains("1 of 10 units"),
            "{:?}",
            d.reasons
        );
    }

    fn trn_standing(earned: &[Earned], on: NaiveDate) -> (i64, bool) {
        let d = standing(earned, on);
        (d.outcome.units_in_block, d.outcome.masters_used)
    }

    #[test]
    fn the_nodal_officer_decides_an_admissible_claim() {
        let n = Role::NodalOfficer;
        let w = CLAIM;
        assert_eq!(w.rule.id, "TRN-1");
        assert_eq!(
            w.allowed(Some(ClaimState::Submitted), n),
            [ClaimAction::Approve, ClaimAction::Reject]
        );
        assert!(w
            .allowed(Some(ClaimState::Submitted), Role::Dopt)
            .is_empty());
        assert!(w.allowed(Some(ClaimState::NotAdmissible), n).is_empty());
        let no_reason = w
            .apply(Some(ClaimState::Submitted), ClaimAction::Reject, n, None)
            .unwrap_err();
        assert_eq!(no_reason.kind, crate::workflow::RefusalKind::ReasonRequired);
        for s in [
            ClaimState::NotAdmissible,
            ClaimState::Approved,
            ClaimState::Rejected,
        ] {
            assert!(w.is_final(s), "{s} is final");
        }
        assert_eq!(ClaimState::on_filing(true), ClaimState::Submitted);
        assert_eq!(ClaimState::on_filing(false), ClaimState::NotAdmissible);
        assert!(ClaimState::Approved.counts(true) && !ClaimState::Rejected.counts(true));
        assert!(!ClaimState::Submitted.counts(false));
    }

    fn claim(category: Category, completed_on: NaiveDate) -> Claim {
        Claim {
            category,
            enrolled_on: ymd(2020, 1, 1),
            completed_on,
            complete_by: ymd(2030, 12, 31),
            grade: Grade::B,
            minimum_grade: Grade::D,
            fee_paid: 12_000,
        }
    }

    fn earned(category: Category, completed_on: NaiveDate) -> Earned {
        Earned {
            category,
            completed_on,
        }
    }

    #[test]
    fn each_category_counts_its_units() {
        let mut checked = 0;
        for (c, u) in [
            (Category::A, 2),
            (Category::B, 8),
            (Category::C, 4),
            (Category::D, 1),
        ] {
            let d = assess(&claim(c, ymd(2024, 6, 1)), &[], ymd(2024, 7, 1));
            assert_eq!(d.outcome.units, u);
            assert!(d.outcome.admissible && d.outcome.amount == 12_000);
            checked += 1;
        }
        assert_eq!(checked, Category::ALL.len());
    }

    #[test]
    fn ten_units_in_the_block_are_allowed_and_eleven_are_not() {
        let done = [earned(Category::B, ymd(2022, 3, 1))];
        // 8 + 2 = 10: allowed.
        let d = assess(&claim(Category::A, ymd(2024, 6, 1)), &done, ymd(2024, 7, 1));
        assert!(d.outcome.admissible, "{:?}", d.reasons);
        assert_eq!(d.outcome.units_in_block, 8);
        // 8 + 2 + 1 = 11: refused.
        let done = [done[0], earned(Category::A, ymd(2024, 6, 1))];
        let d = assess(&claim(Category::D, ymd(2025, 1, 1)), &done, ymd(2025, 2, 1));
        assert!(!d.outcome.admissible);
        assert_eq!(d.outcome.amount, 0);
        assert!(d.reasons.iter().any(|r| r.text.contains("exceed 10 units")));
        // Five years on, the Masters has left the block.
        let d = assess(&claim(Category::D, ymd(2027, 3, 2)), &done, ymd(2027, 4, 1));
        assert!(d.outcome.admissible, "{:?}", d.reasons);
        assert_eq!(d.outcome.units_in_block, 2);
        assert_eq!(d.outcome.block_from, ymd(2022, 3, 3));
    }

    #[test]
    fn a_claim_filed_late_counts_in_the_blocks_of_programmes_completed_after_it() {
        // A Masters (8) completed on 20.11.2026 was claimed first; a PG
        // Diploma (4) completed on 01.05.2025 is claimed after it. Its own
        // block (02.05.2020 to 01.05.2025) holds nothing, but the Masters'
        // block (21.11.2021 to 20.11.2026) takes it in: 12 units.
        let done = [earned(Category::B, ymd(2026, 11, 20))];
        let d = assess(
            &claim(Category::C, ymd(2025, 5, 1)),
            &done,
            ymd(2026, 12, 1),
        );
        assert!(!d.outcome.admissible, "{:?}", d.reasons);
        assert_eq!(d.outcome.amount, 0);
        assert!(
            d.reasons
                .iter()
                .any(|r| r.text.contains("21.11.2021 to 20.11.2026")
                    && r.text.contains("exceed 10 units")),
            "{:?}",
            d.reasons
        );
        // A certificate (2) fits beside the Masters: 10 units.
        let d = assess(
            &claim(Category::A, ymd(2025, 5, 1)),
            &done,
            ymd(2026, 12, 1),
        );
        assert!(d.outcome.admissible, "{:?}", d.reasons);
        // Completed more than five years before the Masters: another block.
        let d = assess(
            &claim(Category::C, ymd(2021, 11, 20)),
            &done,
            ymd(2026, 12, 1),
        );
        assert!(d.outcome.admissible, "{:?}", d.reasons);
    }

    #[test]
    fn claims_refused_on_a_rejected_claims_units_are_decided_again() {
        // A PG Diploma (4) completed on 01.03.2026 awaits the nodal officer;
        // a Masters (8) completed on 01.09.2026 was refused (12 units), and
        // so was a certificate (2) completed late, and a second Masters'
        // worth of units after the first. The PG Diploma is then rejected.
        let masters = Refused {
            id: 7,
            claim: claim(Category::B, ymd(2026, 9, 1)),
        };
        let late = Refused {
            id: 8,
            claim: Claim {
                complete_by: ymd(2026, 6, 30),
                ..claim(Category::A, ymd(2026, 10, 1))
            },
        };
        let diploma = Refused {
            id: 9,
            claim: claim(Category::C, ymd(2026, 10, 2)),
        };
        let with_pg_diploma = [earned(Category::C, ymd(2026, 3, 1))];
        assert!(
            !assess(&masters.claim, &with_pg_diploma, ymd(2026, 10, 5))
                .outcome
                .admissible,
            "refused while the PG Diploma counted"
        );
        let again = decide_again(&[diploma, late, masters], &[], 3, ymd(2026, 12, 1));
        // The Masters, earliest, is allowed; the late one stays refused; the
        // second diploma would make 12 units with the Masters now counted.
        assert_eq!(again.len(), 1, "{again:?}");
        let (id, d) = &again[0];
        assert_eq!(*id, 7);
        assert!(d.outcome.admissible);
        assert_eq!(d.outcome.amount, 12_000);
        assert_eq!(d.as_of, ymd(2026, 12, 1));
        assert!(
            d.reasons[0].text.contains("claim 3 has been rejected")
                && d.reasons[0].text.contains("01.12.2026"),
            "{:?}",
            d.reasons
        );
        // Masters once: a refused Masters is allowed once the one counted is rejected.
        let second = Refused {
            id: 11,
            claim: claim(Category::B, ymd(2024, 6, 1)),
        };
        let again = decide_again(&[second], &[], 10, ymd(2024, 7, 1));
        assert_eq!(again.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [11]);
        // Nothing refused is allowed while what refused it still counts.
        let again = decide_again(
            &[second],
            &[earned(Category::B, ymd(2010, 3, 1))],
            10,
            ymd(2024, 7, 1),
        );
        assert!(again.is_empty());
    }

    #[test]
    fn masters_once_in_a_career() {
        let done = [earned(Category::B, ymd(2010, 3, 1))];
        let d = assess(&claim(Category::B, ymd(2024, 6, 1)), &done, ymd(2024, 7, 1));
        assert!(!d.outcome.admissible);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.text.contains("once in a career")));
    }

    #[test]
    fn late_or_below_the_grade_is_not_reimbursed() {
        let mut c = claim(Category::C, ymd(2031, 1, 1));
        let d = assess(&c, &[], ymd(2031, 2, 1));
        assert!(
            !d.outcome.admissible && d.reasons.iter().any(|r| r.text.contains("time limit of"))
        );
        c.completed_on = ymd(2024, 1, 1);
        c.grade = Grade::E;
        let d = assess(&c, &[], ymd(2024, 2, 1));
        assert!(
            !d.outcome.admissible
                && d.reasons
                    .iter()
                    .any(|r| r.text.contains("below the minimum"))
        );
        assert!(d.cites(&TRN_1));
    }

    #[test]
    fn enrolment_rules() {
        let today = ymd(2026, 1, 1);
        let none: Vec<String> = vec![];
        let certificate = EmploymentCertificate {
            reference: "A-12034/7/2025-Admn".into(),
            issued_by: "Under Secretary (Admn), MHA".into(),
            issued_on: ymd(2025, 12, 20),
        };
        let base = EnrolmentCase {
            works_in: OrgKind::Ministry,
            pay_level: "7",
            ministry: "MHA",
            eligible_levels: &none,
            eligible_ministries: &none,
            complete_by: ymd(2027, 6, 30),
            open_programme: None,
            certificate: &certificate,
        };
        // Para 7(vi): the certificate enclosed is named among the reasons.
        let d = may_enrol(&base, today).unwrap();
        assert!(d.reasons.iter().any(|r| r.text
            == "employment certificate A-12034/7/2025-Admn of 20.12.2025, issued by Under Secretary (Admn), MHA, enclosed (DELPGE para 7(vi))"));
        // Para 2(i): ministries, departments and attached offices only.
        for (kind, eligible) in [
            (OrgKind::Ministry, true),
            (OrgKind::Department, true),
            (OrgKind::AttachedOffice, true),
            (OrgKind::Psu, false),
            (OrgKind::AutonomousBody, false),
        ] {
            let case = EnrolmentCase {
                works_in: kind,
                ..base.clone()
            };
            match may_enrol(&case, today) {
                Ok(_) => assert!(eligible, "{kind:?}"),
                Err((why, d)) => {
                    assert!(!eligible, "{kind:?}");
                    assert_eq!(why, EnrolRefusal::Workplace);
                    assert!(d.reasons[0].text.contains("para 2(i)"));
                }
            }
        }
        // Para 7(ii): on the time limit's own day still open, the day after not.
        let last_day = EnrolmentCase {
            complete_by: today,
            ..base.clone()
        };
        assert!(may_enrol(&last_day, today).is_ok());
        let passed = EnrolmentCase {
            complete_by: ymd(2025, 12, 31),
            ..base.clone()
        };
        assert_eq!(
            may_enrol(&passed, today).unwrap_err().0,
            EnrolRefusal::TimeLimitPassed
        );
        let open = EnrolmentCase {
            open_programme: Some(3),
            ..base.clone()
        };
        assert_eq!(
            may_enrol(&open, today).unwrap_err().0,
            EnrolRefusal::OneAtATime
        );
        let levels = vec!["8".to_owned()];
        let narrow = EnrolmentCase {
            eligible_levels: &levels,
            ..base
        };
        assert_eq!(
            may_enrol(&narrow, today).unwrap_err().0,
            EnrolRefusal::NotNotified
        );
    }

    #[test]
    fn an_enrolment_holds_until_claimed_or_the_time_limit_passes() {
        let by = ymd(2026, 6, 30);
        assert!(holds(false, by, ymd(2026, 1, 1)));
        assert!(holds(false, by, by));
        assert!(!holds(false, by, ymd(2026, 7, 1)));
        assert!(!holds(true, by, ymd(2026, 1, 1)));
    }
}
