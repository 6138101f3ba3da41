//! Fixation of pay on promotion, financial upgradation (ACP/MACP) and grant
//! of a non-functional scale. Every fixation returns the fixed pay and the
//! steps that led to it.
//!
//! - 7th CPC: Rule 13, CCS (RP) Rules 2016 — one increment (next cell) in the
//!   present level, then the equal or next higher cell of the new level.
//! - 6th CPC: Rule 13, CCS (RP) Rules 2008 — 3% of (pay in band + grade pay),
//!   rounded up to the next 10, added to the pay in band (stepped up to the
//!   new band's minimum if below it), then the new grade pay.
//! - 5th CPC: FR 22(I)(a)(1) on promotion, FR 22(I)(a)(2) on NFS.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dates::text;
use super::fitment::PreRevisedScale;
use super::macp::MACP_FROM;
use super::matrix::Level;
use super::position::PayRef;
use super::regime::PayRegime;
use super::sixth::{self, level_of_grade_pay, PayBand};
use super::PayError;
use crate::decision::{Decision, Reasons};
use crate::rules;

/// Pay held in one of the three structures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "regime", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum Pay {
    /// Pre-revised (5th CPC) scale and basic pay.
    FifthCpc { scale: String, basic: u32 },
    /// 6th CPC pay in the pay band plus grade pay (0 for HAG and above).
    SixthCpc {
        pay_band: PayBand,
        pay_in_band: u32,
        grade_pay: u32,
    },
    /// 7th CPC level and the pay of its cell.
    SeventhCpc { level: Level, basic: u32 },
}

impl Pay {
    pub fn basic(&self) -> u32 {
        match self {
            Pay::FifthCpc { basic, .. } | Pay::SeventhCpc { basic, .. } => *basic,
            Pay::SixthCpc {
                pay_in_band,
                grade_pay,
                ..
            } => pay_in_band.saturating_add(*grade_pay),
        }
    }

    pub fn regime(&self) -> PayRegime {
        match self {
            Pay::FifthCpc { .. } => PayRegime::FifthCpc,
            Pay::SixthCpc { .. } => PayRegime::SixthCpc,
            Pay::SeventhCpc { .. } => PayRegime::SeventhCpc,
        }
    }
}

/// One step of a fixation: what was done, and the amount it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub text: String,
    pub amount: u32,
}

impl Step {
    pub fn new(text: impl Into<String>, amount: u32) -> Step {
        Step {
            text: text.into(),
            amount,
        }
    }
}

/// A fixed pay, its basic pay, and the steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fixation {
    pub pay: Pay,
    pub basic: u32,
    pub steps: Vec<Step>,
}

impl Fixation {
    pub fn new(pay: Pay, steps: Vec<Step>) -> Fixation {
        Fixation {
            basic: pay.basic(),
            pay,
            steps,
        }
    }
}

/// Rule 13, CCS (RP) Rules 2016: one increment in the present level, then
/// the cell equal to or next higher than that figure in the new level.
pub fn rule13_2016(level: Level, pay: u32, to: Level) -> Result<Fixation, PayError> {
    if to <= level {
        return Err(PayError::NotAnUpgrade(to.to_string()));
    }
    let cell = level.cell_of(pay)?;
    let mut steps = vec![Step::new(text!("pay in {level}, cell {}", cell.cell), pay)];
    let raised = match cell.next() {
        Some(next) => {
            steps.push(Step::new(
                text!("one increment in {level} (Rule 13 of 2016)"),
                next.pay,
            ));
            next.pay
        }
        None => {
            steps.push(Step::new(
                text!("last cell of {level}: no increment available"),
                pay,
            ));
            pay
        }
    };
    let placed = to.cell_at_least(raised)?;
    steps.push(Step::new(
        text!("equal or next higher cell in {to}, cell {}", placed.cell),
        placed.pay,
    ));
    Ok(Fixation::new(
        Pay::SeventhCpc {
            level: to,
            basic: placed.pay,
        },
        steps,
    ))
}

fn level_of_sixth(pay_band: PayBand, grade_pay: u32) -> Result<Level, PayError> {
    if pay_band == PayBand::Minus1S {
        // The -1S grade pays are the Group 'D' scales merged into GP 1800
        // (MACP-8): the rung of GP 1800, as a PayRef naming them resolves.
        let merged = PreRevisedScale::all()?
            .find(|s| s.pay_band() == pay_band && s.grade_pay() == Some(grade_pay))
            .ok_or_else(|| {
                PayError::InconsistentPayRef(format!("grade pay {grade_pay} is not in {pay_band}"))
            })?;
        return Ok(merged.macp_level()?.0);
    }
    if grade_pay == 0 {
        Level::all()?
            .find(|l| l.pay_band() == pay_band && l.grade_pay().is_none())
            .ok_or_else(|| PayError::UnknownPayBand(pay_band.as_str().to_owned()))
    } else {
        level_of_grade_pay(Some(pay_band), grade_pay)
    }
}

/// Rule 13, CCS (RP) Rules 2008, on the date `on`: one increment of 3% of
/// (pay in band + grade pay), rounded as Rule 9 is read on that date, added
/// to the pay in band; stepped up to the minimum of the new band if below it,
/// held at its maximum if above it (the fixed pay of a fixed scale); then
/// the new grade pay.
pub fn rule13_2008(
    on: NaiveDate,
    pay_band: PayBand,
    pay_in_band: u32,
    grade_pay: u32,
    to: Level,
) -> Result<Fixation, PayError> {
    rule13_2008_unpaid(on, pay_band, pay_in_band, grade_pay, to).map(|(f, _)| f)
}

/// [`rule13_2008`], and the amount above the maximum that is not paid.
fn rule13_2008_unpaid(
    on: NaiveDate,
    pay_band: PayBand,
    pay_in_band: u32,
    grade_pay: u32,
    to: Level,
) -> Result<(Fixation, u32), PayError> {
    let mut steps = Vec::with_capacity(6);
    let (pay, unpaid) = rule13_2008_steps(on, pay_band, pay_in_band, grade_pay, to, &mut steps)?;
    Ok((Fixation::new(pay, steps), unpaid))
}

/// One Rule 13 fixation; also returns the amount above the maximum of the
/// new band or scale that is not paid (0 if none).
fn rule13_2008_steps(
    on: NaiveDate,
    pay_band: PayBand,
    pay_in_band: u32,
    grade_pay: u32,
    to: Level,
    steps: &mut Vec<Step>,
) -> Result<(Pay, u32), PayError> {
    let from = level_of_sixth(pay_band, grade_pay)?;
    if to <= from {
        return Err(PayError::NotAnUpgrade(to.to_string()));
    }
    let (band_min, band_max) = pay_band.range()?;
    if pay_in_band < band_min || pay_in_band > band_max {
        return Err(PayError::PayOutOfRange {
            what: text!("{pay_band} {band_min}-{band_max}"),
            pay: pay_in_band,
        });
    }
    let inc = sixth::increment(on, pay_in_band, grade_pay);
    steps.push(Step::new(
        text!("one increment: 3% of {} (pay in {pay_band} {pay_in_band} + GP {grade_pay}), rounded up to the next 10", pay_in_band + grade_pay),
        inc,
    ));
    let mut new_pib = pay_in_band.saturating_add(inc);
    steps.push(Step::new("pay in the band after the increment", new_pib));
    let to_band = to.pay_band();
    // HAG and above have no grade pay: the grade pay held becomes part of the pay.
    if to.grade_pay().is_none() && grade_pay > 0 {
        new_pib = new_pib.saturating_add(grade_pay);
        steps.push(Step::new(
            text!("grade pay merged into pay ({to_band} has none)"),
            new_pib,
        ));
    }
    let (to_min, to_max) = to_band.range()?;
    let mut unpaid = 0;
    if to_min == to_max {
        // Apex and Cabinet Secretary are fixed scales: the pay is the scale.
        if new_pib != to_min {
            new_pib = to_min;
            steps.push(Step::new(
                text!("the fixed pay of the {to_band} scale"),
                to_min,
            ));
        }
    } else if new_pib < to_min {
        new_pib = to_min;
        steps.push(Step::new(
            text!("stepped up to the minimum of {to_band} (Rule 13 of 2008)"),
            to_min,
        ));
    } else if new_pib > to_max {
        // PAY-1: never above the maximum of the band or scale in the data;
        // they hold no rule paying the excess (docs/rules/pay.md).
        unpaid = new_pib - to_max;
        new_pib = to_max;
        steps.push(Step::new(
            text!("held at the maximum of {to_band} {to_min}-{to_max}: {unpaid} above it is not paid within the band"),
            to_max,
        ));
    }
    let new_gp = to.grade_pay().unwrap_or(0);
    steps.push(Step::new(
        text!("grade pay of {to_band} GP {new_gp}"),
        new_gp,
    ));
    let pay = Pay::SixthCpc {
        pay_band: to_band,
        pay_in_band: new_pib,
        grade_pay: new_gp,
    };
    steps.push(Step::new("revised basic pay", pay.basic()));
    Ok((pay, unpaid))
}

/// Fixation in each of the next `stages` grade pays in turn, with a 3%
/// increment at every stage (MACP-8: Group 'D' placed in GP 1800 whose
/// upgrades fall due together, clarification 11).
pub fn successive_2008(
    on: NaiveDate,
    pay_band: PayBand,
    pay_in_band: u32,
    grade_pay: u32,
    stages: u8,
) -> Result<Fixation, PayError> {
    let mut steps = Vec::with_capacity(5 * usize::from(stages));
    let mut pay = Pay::SixthCpc {
        pay_band,
        pay_in_band,
        grade_pay,
    };
    for _ in 0..stages {
        let Pay::SixthCpc {
            pay_band,
            pay_in_band,
            grade_pay,
        } = pay
        else {
            break;
        };
        let to = level_of_sixth(pay_band, grade_pay)?
            .next()
            .ok_or_else(|| PayError::NotAnUpgrade("beyond the hierarchy".to_owned()))?;
        (pay, _) = rule13_2008_steps(on, pay_band, pay_in_band, grade_pay, to, &mut steps)?;
    }
    Ok(Fixation::new(pay, steps))
}

/// FR 22(I)(a)(2): the stage of the new scale equal to the pay held, or the
/// next above it (the minimum if the pay is below it).
pub fn fr22_a2(basic: u32, to: PreRevisedScale) -> Result<Fixation, PayError> {
    let fixed = to
        .stage_at_least(basic)
        .ok_or_else(|| PayError::PayOutOfRange {
            what: text!("pre-revised scale {}", to.text()),
            pay: basic,
        })?;
    let steps = vec![
        Step::new("pay held", basic),
        Step::new(
            text!("equal or next stage in {} (FR 22(I)(a)(2))", to.text()),
            fixed,
        ),
    ];
    Ok(Fixation::new(
        Pay::FifthCpc {
            scale: to.text().to_owned(),
            basic: fixed,
        },
        steps,
    ))
}

/// FR 22(I)(a)(1): a notional increment in the present scale, then the
/// stage of the new scale next above that. The pay must lie within the
/// present scale and the new scale be higher (a higher minimum or maximum),
/// as the 6th and 7th CPC paths refuse a move down (PAY-1).
pub fn fr22_a1(
    basic: u32,
    from: PreRevisedScale,
    to: PreRevisedScale,
) -> Result<Fixation, PayError> {
    if to.min() <= from.min() && to.max() <= from.max() {
        return Err(PayError::NotAnUpgrade(text!(
            "pre-revised scale {}",
            to.text()
        )));
    }
    if !(from.min()..=from.max()).contains(&basic) {
        return Err(PayError::PayOutOfRange {
            what: text!("pre-revised scale {}", from.text()),
            pay: basic,
        });
    }
    let notional = from.stages().find(|&s| s > basic).unwrap_or(basic);
    let fixed = to
        .stages()
        .find(|&s| s > notional)
        .ok_or_else(|| PayError::PayOutOfRange {
            what: text!("pre-revised scale {}", to.text()),
            pay: notional,
        })?;
    let steps = vec![
        Step::new(text!("pay held in {}", from.text()), basic),
        Step::new(
            "notional increment in the present scale (FR 22(I)(a)(1))",
            notional,
        ),
        Step::new(text!("next stage above in {}", to.text()), fixed),
    ];
    Ok(Fixation::new(
        Pay::FifthCpc {
            scale: to.text().to_owned(),
            basic: fixed,
        },
        steps,
    ))
}

/// A fixation request: the pay held and the rung promoted or upgraded to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FixInput {
    pub from: Pay,
    pub to: PayRef,
    /// The move is two or three MACP upgrades falling due together for a
    /// Group 'D' employee placed in GP 1800 in PB-1 from 01.01.2006
    /// (MACP-8, clarification 11): the pay is then fixed in each grade pay
    /// in turn, 3% at every stage. Otherwise (the default) the move is
    /// fixed by Rule 13 once, as a promotion is, and where it could be
    /// such upgrades the successive figure is stated beside it.
    #[serde(default)]
    pub macp_upgrades_together: bool,
}

/// MACP-8 (clarification 11): Group 'D' employees placed in GP 1800 from
/// 01.01.2006 whose MACP upgrades fall due together are fixed in each grade
/// pay in turn, 3% at every stage. The input cannot tell those upgrades from
/// a promotion over the same grade pays (one Rule 13 increment), so where
/// the move fits, the successive figure is stated, not applied.
fn macp_8_successive(
    as_of: NaiveDate,
    pay_band: PayBand,
    pay_in_band: u32,
    grade_pay: u32,
    to: Level,
) -> Result<Option<String>, PayError> {
    let Some(stages) = macp_8_stages(as_of, pay_band, grade_pay, to)? else {
        return Ok(None);
    };
    let f = successive_2008(as_of, pay_band, pay_in_band, grade_pay, stages)?;
    let Pay::SixthCpc {
        pay_in_band: pib, ..
    } = f.pay
    else {
        return Ok(None);
    };
    Ok(Some(text!(
        "if this move is {stages} MACP upgrades falling due together for a Group 'D' employee placed in GP 1800 from 01.01.2006 (clarification 11), the pay is fixed in each grade pay in turn with 3% at every stage: pay in band {pib}, basic pay {}; the fixation above applies Rule 13 once, as on promotion",
        f.basic
    )))
}

/// The grade pays a move from GP 1800 in PB-1 climbs, where clarification
/// 11 can cover it (MACP-8): two or three, on or after the MACPS began.
fn macp_8_stages(
    as_of: NaiveDate,
    pay_band: PayBand,
    grade_pay: u32,
    to: Level,
) -> Result<Option<u8>, PayError> {
    let from = level_of_sixth(pay_band, grade_pay)?;
    let stages = to.ord().saturating_sub(from.ord());
    let fits = as_of >= MACP_FROM
        && pay_band == PayBand::Pb1
        && from.grade_pay() == Some(1800)
        && (2..=3).contains(&stages);
    Ok(fits.then_some(stages))
}

/// Fixes pay on promotion or financial upgradation by the rule of the pay
/// structure the pay is held in (PAY-1).
pub fn fix_pay(as_of: NaiveDate, input: &FixInput) -> Result<Decision<Fixation>, PayError> {
    // PAY-1: a pay is fixed by the rules in force on `as_of`, which are
    // those of the structure then in force; a pay of another structure is
    // fitted into it first (`fit_sixth_to_seventh`, `fit_prerevised`).
    let held = input.from.regime();
    if held != PayRegime::on(as_of) {
        return Err(PayError::NotInForce(match held {
            PayRegime::FifthCpc => "pre-revised scale (CCS (RP) Rules 1997)",
            PayRegime::SixthCpc => "6th CPC pay band (CCS (RP) Rules 2008)",
            PayRegime::SeventhCpc => "7th CPC pay matrix (CCS (RP) Rules 2016)",
        }));
    }
    let mut reasons = Reasons::new();
    let to = input.to.resolve()?;
    let fixation = match &input.from {
        Pay::SeventhCpc { level, basic } => {
            reasons.push(&rules::PAY_1_2016, text!("Rule 13, CCS (RP) Rules 2016: one increment in {level}, then the equal or next higher cell in {}", to.level));
            rule13_2016(*level, *basic, to.level)?
        }
        Pay::SixthCpc {
            pay_band,
            pay_in_band,
            grade_pay,
        } if input.macp_upgrades_together => {
            let stages = macp_8_stages(as_of, *pay_band, *grade_pay, to.level)?.ok_or_else(|| {
                PayError::InconsistentPayRef(text!("clarification 11 (MACP-8) fixes two or three MACP upgrades falling due together from GP 1800 in PB-1 on or after 01.09.2008; this is a move from {} to {} on {}", level_of_sixth(*pay_band, *grade_pay).map_or_else(|_| grade_pay.to_string(), |l| l.sixth_cpc_label().to_owned()), to.level.sixth_cpc_label(), crate::fields::dmy(as_of)))
            })?;
            reasons.push(&rules::MACP_8, text!("{stages} MACP upgrades falling due together for a Group 'D' employee placed in GP 1800 from 01.01.2006 (clarification 11): the pay is fixed in each grade pay in turn, with a 3% increment at every stage"));
            reasons.push(
                &sixth::IncrementRounding::rule(as_of),
                sixth::IncrementRounding::on(as_of).text(),
            );
            successive_2008(as_of, *pay_band, *pay_in_band, *grade_pay, stages)?
        }
        Pay::SixthCpc {
            pay_band,
            pay_in_band,
            grade_pay,
        } => {
            reasons.push(&rules::PAY_1_2008, "Rule 13, CCS (RP) Rules 2008: one 3% increment added to the pay in the band, then the grade pay of the higher post");
            reasons.push(
                &sixth::IncrementRounding::rule(as_of),
                sixth::IncrementRounding::on(as_of).text(),
            );
            let (f, unpaid) =
                rule13_2008_unpaid(as_of, *pay_band, *pay_in_band, *grade_pay, to.level)?;
            if unpaid > 0 {
                let band = to.level.pay_band();
                reasons.push(&rules::PAY_1_2008, text!("the pay in {band} is held at its maximum: {unpaid} above it is not paid within the band (the reference data hold no rule paying pay beyond the maximum of a band or scale)"));
            }
            if let Some(alt) =
                macp_8_successive(as_of, *pay_band, *pay_in_band, *grade_pay, to.level)?
            {
                reasons.push(&rules::MACP_8, alt);
            }
            f
        }
        Pay::FifthCpc { scale, basic } => {
            let from = PreRevisedScale::parse(scale)?;
            let to_scale = to.scale.ok_or(PayError::InconsistentPayRef(
                "a pre-revised pay needs a pre-revised scale to fix into".to_owned(),
            ))?;
            reasons.push(&rules::PAY_1_FR22, "FR 22(I)(a)(1): a notional increment in the present scale, then the next stage above in the higher scale");
            fr22_a1(*basic, from, to_scale)?
        }
    };
    Ok(reasons.decide(as_of, fixation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;
    use proptest::prelude::*;

    fn level(s: &str) -> Level {
        Level::parse(s).unwrap()
    }

    #[test]
    fn rule_13_illustration_level_4_to_5() {
        // Rule 13 of 2016 illustration: Level 4 pay 28700 → increment 29600 → Level 5: 30100.
        let f = rule13_2016(level("4"), 28700, level("5")).unwrap();
        assert_eq!(
            f.pay,
            Pay::SeventhCpc {
                level: level("5"),
                basic: 30100
            }
        );
        let amounts: Vec<u32> = f.steps.iter().map(|s| s.amount).collect();
        assert_eq!(amounts, [28700, 29600, 30100]);
    }

    #[test]
    fn rule_13_needs_a_cell_and_a_higher_level() {
        assert!(matches!(
            rule13_2016(level("4"), 28701, level("5")),
            Err(PayError::NotACell { .. })
        ));
        assert!(matches!(
            rule13_2016(level("5"), 29200, level("5")),
            Err(PayError::NotAnUpgrade(_))
        ));
    }

    #[test]
    fn macps_2009_illustration_gp_1900_to_2000() {
        // OM of 19.05.2009, Annex-I: upgrade from GP 1900 to GP 2000 gives one
        // increment plus the grade-pay difference of Rs 100.
        let (pib, gp) = (7730, 1900);
        let on = ymd(2009, 9, 1);
        let f = rule13_2008(on, PayBand::Pb1, pib, gp, level("3")).unwrap();
        let increment = sixth::increment(on, pib, gp);
        assert_eq!(increment, 290);
        assert_eq!(f.basic, pib + gp + increment + 100);
        assert_eq!(
            f.pay,
            Pay::SixthCpc {
                pay_band: PayBand::Pb1,
                pay_in_band: 8020,
                grade_pay: 2000
            }
        );
    }

    #[test]
    fn rule_13_of_2008_steps_up_to_the_new_band_minimum() {
        // GP 4800 in PB-2 → GP 5400 in PB-3: 10000 + 3% of 14800 (450) = 10450 < 15600.
        let f = rule13_2008(ymd(2012, 1, 1), PayBand::Pb2, 10000, 4800, level("10")).unwrap();
        assert_eq!(
            f.pay,
            Pay::SixthCpc {
                pay_band: PayBand::Pb3,
                pay_in_band: 15600,
                grade_pay: 5400
            }
        );
        assert!(f.steps.iter().any(|s| s.text.contains("stepped up")));
    }

    #[test]
    fn macp_8_successive_fixation_with_3_percent_at_each_stage() {
        // Clarification 11: GP 1800 → 1900 → 2000 → 2400, 3% at every stage.
        let on = ymd(2008, 9, 1);
        let f = successive_2008(on, PayBand::Pb1, 7000, 1800, 3).unwrap();
        let mut pib = 7000;
        // Each stage: 3% of (pay in band + the grade pay held at that stage).
        for gp in [1800, 1900, 2000] {
            pib += sixth::increment(on, pib, gp);
        }
        assert_eq!(
            f.pay,
            Pay::SixthCpc {
                pay_band: PayBand::Pb1,
                pay_in_band: pib,
                grade_pay: 2400
            }
        );
        assert_eq!(pib, 7000 + 270 + 280 + 290);
    }

    #[test]
    fn fr22_for_pre_revised_scales() {
        let so = PreRevisedScale::parse("6500-10500").unwrap();
        let nfs = PreRevisedScale::parse("8000-13500").unwrap();
        assert_eq!(fr22_a2(7300, nfs).unwrap().basic, 8000);
        assert_eq!(fr22_a2(8300, nfs).unwrap().basic, 8550);
        // 7300 + notional increment 200 = 7500 → next stage above in 8000-13500: 8000.
        assert_eq!(fr22_a1(7300, so, nfs).unwrap().basic, 8000);
        // 8100 → 8300 → 8550.
        assert_eq!(fr22_a1(8100, so, nfs).unwrap().basic, 8550);
    }

    #[test]
    fn fr22_a1_needs_a_higher_scale_and_pay_within_the_present_one() {
        let fifth = |scale: &str, basic| FixInput {
            from: Pay::FifthCpc {
                scale: scale.to_owned(),
                basic,
            },
            to: PayRef::scale("6500-10500"),
            macp_upgrades_together: false,
        };
        // 8000-13500 down to 6500-10500 is not an upgrade; nor is the same scale.
        for from in ["8000-13500", "6500-10500"] {
            assert!(matches!(
                fix_pay(ymd(2000, 1, 1), &fifth(from, 8000)),
                Err(PayError::NotAnUpgrade(_))
            ));
        }
        // Pay outside the present scale is blamed on that scale.
        let e = fix_pay(ymd(2000, 1, 1), &fifth("5500-9000", 50000)).unwrap_err();
        assert!(
            matches!(&e, PayError::PayOutOfRange { what, pay: 50000 } if what.contains("5500-175-9000")),
            "{e}"
        );
        // 5500-9000 → 6500-10500: 8650 + 175 = 8825 → next stage above 8900.
        let d = fix_pay(ymd(2000, 1, 1), &fifth("5500-9000", 8650)).unwrap();
        assert_eq!(d.outcome.basic, 8900);
    }

    #[test]
    fn each_structure_cites_the_rules_it_applied() {
        let fifth = FixInput {
            from: Pay::FifthCpc {
                scale: "5500-9000".to_owned(),
                basic: 8650,
            },
            to: PayRef::scale("6500-10500"),
            macp_upgrades_together: false,
        };
        let d = fix_pay(ymd(2000, 1, 1), &fifth).unwrap();
        let pay_1: Vec<&str> = d
            .reasons
            .iter()
            .filter(|r| r.rule == "PAY-1")
            .map(|r| r.citation)
            .collect();
        assert!(!pay_1.is_empty());
        assert!(pay_1
            .iter()
            .all(|c| c.contains("FR 22") && !c.contains("2008") && !c.contains("2016")));
    }

    #[test]
    fn a_pay_is_fixed_only_by_the_rules_in_force_on_the_date() {
        // PAY-1: Rule 13 of 2016 did not exist in 2010, nor does Rule 13 of
        // 2008 apply in 2020; the day each structure begins is its own.
        let seventh = FixInput {
            from: Pay::SeventhCpc {
                level: level("4"),
                basic: 28700,
            },
            to: PayRef::level(level("5")),
            macp_upgrades_together: false,
        };
        assert!(matches!(
            fix_pay(ymd(2010, 1, 1), &seventh),
            Err(PayError::NotInForce(_))
        ));
        assert!(matches!(
            fix_pay(ymd(2015, 12, 31), &seventh),
            Err(PayError::NotInForce(_))
        ));
        assert!(fix_pay(ymd(2016, 1, 1), &seventh).is_ok());
        let fifth = FixInput {
            from: Pay::FifthCpc {
                scale: "5500-9000".to_owned(),
                basic: 8650,
            },
            to: PayRef::scale("6500-10500"),
            macp_upgrades_together: false,
        };
        assert!(matches!(
            fix_pay(ymd(2006, 1, 1), &fifth),
            Err(PayError::NotInForce(_))
        ));
        assert!(fix_pay(ymd(2005, 12, 31), &fifth).is_ok());
    }

    #[test]
    fn fix_pay_dispatches_on_the_regime() {
        let input = FixInput {
            from: Pay::SeventhCpc {
                level: level("4"),
                basic: 28700,
            },
            to: PayRef::level(level("5")),
            macp_upgrades_together: false,
        };
        let d = fix_pay(ymd(2020, 1, 1), &input).unwrap();
        assert_eq!(d.outcome.basic, 30100);
        assert!(d.cites(&rules::PAY_1));
        let json: FixInput = serde_json::from_str(
            r#"{"from":{"regime":"sixth_cpc","pay_band":"PB-1","pay_in_band":7730,"grade_pay":1900},"to":{"grade_pay":2000}}"#,
        )
        .unwrap();
        assert_eq!(
            fix_pay(ymd(2010, 1, 1), &json).unwrap().outcome.basic,
            10020
        );
    }

    #[test]
    fn rule_13_of_2008_never_fixes_above_the_maximum() {
        let sixth = |pay_band, pay_in_band, grade_pay| Pay::SixthCpc {
            pay_band,
            pay_in_band,
            grade_pay,
        };
        let fix = |from: Pay, to: &str| {
            let input = FixInput {
                from,
                to: PayRef::level(level(to)),
                macp_upgrades_together: false,
            };
            fix_pay(ymd(2012, 9, 1), &input).unwrap()
        };
        // Apex is a fixed scale: 80000 + 2400 is fixed at 80000.
        let d = fix(sixth(PayBand::HagPlus, 80000, 0), "17");
        assert_eq!(d.outcome.pay, sixth(PayBand::Apex, 80000, 0));
        // HAG runs to 79000: 67000 + 2310 + GP 10000 = 79310 is held there.
        let d = fix(sixth(PayBand::Pb4, 67000, 10000), "15");
        assert_eq!(d.outcome.pay, sixth(PayBand::Hag, 79000, 0));
        assert!(d.reasons.iter().any(|r| r.text.contains("310 above it")));
        // PB-2 runs to 34800: 34800 + 1190 is held there, with GP 5400; the
        // result is accepted as the pay held for the next fixation.
        let d = fix(sixth(PayBand::Pb2, 34800, 4800), "9");
        assert_eq!(d.outcome.pay, sixth(PayBand::Pb2, 34800, 5400));
        assert!(d.reasons.iter().any(|r| r.text.contains("1190 above it")));
        let d = fix(d.outcome.pay, "10");
        assert_eq!(d.outcome.pay, sixth(PayBand::Pb3, 36010, 5400));
        // Successive fixation takes each stage's result as the next input.
        let f = successive_2008(ymd(2008, 9, 1), PayBand::Pb1, 19800, 1800, 3).unwrap();
        assert_eq!(f.pay, sixth(PayBand::Pb1, 20200, 2400));
    }

    #[test]
    fn grade_pays_of_the_minus_1s_band_are_read() {
        // GP 1300 in -1S (S-1) is held at the rung of GP 1800 (MACP-8):
        // promotion to GP 1900 is Rule 13, stepped up to the PB-1 minimum.
        let from = |gp| Pay::SixthCpc {
            pay_band: PayBand::Minus1S,
            pay_in_band: 4440,
            grade_pay: gp,
        };
        let input = FixInput {
            from: from(1300),
            to: PayRef::grade_pay(PayBand::Pb1, 1900),
            macp_upgrades_together: false,
        };
        let d = fix_pay(ymd(2012, 1, 1), &input).unwrap();
        assert_eq!(
            d.outcome.pay,
            Pay::SixthCpc {
                pay_band: PayBand::Pb1,
                pay_in_band: 5200,
                grade_pay: 1900
            }
        );
        // A grade pay the band does not have is still refused.
        let input = FixInput {
            from: from(1800),
            ..input
        };
        assert!(matches!(
            fix_pay(ymd(2012, 1, 1), &input),
            Err(PayError::InconsistentPayRef(_))
        ));
    }

    #[test]
    fn macp_8_successive_figure_is_stated_for_gp_1800_moving_three_grade_pays() {
        // PB-1 7000 + GP 1800 to GP 2400 on 01.09.2008: Rule 13 once gives
        // 7270 + 2400 = 9670; clarification 11 (three MACPs together) gives
        // 7000 + 270 + 280 + 290 = 7840 + 2400 = 10240, stated under MACP-8.
        let input = |gp| FixInput {
            from: Pay::SixthCpc {
                pay_band: PayBand::Pb1,
                pay_in_band: 7000,
                grade_pay: 1800,
            },
            to: PayRef::grade_pay(PayBand::Pb1, gp),
            macp_upgrades_together: false,
        };
        let d = fix_pay(ymd(2008, 9, 1), &input(2400)).unwrap();
        assert_eq!(d.outcome.basic, 9670);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "MACP-8" && r.text.contains("pay in band 7840, basic pay 10240")));
        // One grade pay up, or before MACPS, nothing to add.
        let d = fix_pay(ymd(2008, 9, 1), &input(1900)).unwrap();
        assert!(!d.cites(&rules::MACP_8));
        let d = fix_pay(ymd(2008, 8, 31), &input(2400)).unwrap();
        assert!(!d.cites(&rules::MACP_8));
    }

    #[test]
    fn macp_8_upgrades_due_together_are_fixed_stage_by_stage() {
        // The move of the test above, said to be three MACPs due together:
        // 7000 + 270 + 280 + 290 = 7840 in PB-1, + GP 2400 = 10240.
        let input = |gp| FixInput {
            from: Pay::SixthCpc {
                pay_band: PayBand::Pb1,
                pay_in_band: 7000,
                grade_pay: 1800,
            },
            to: PayRef::grade_pay(PayBand::Pb1, gp),
            macp_upgrades_together: true,
        };
        let d = fix_pay(ymd(2008, 9, 1), &input(2400)).unwrap();
        assert_eq!(d.outcome.basic, 10240);
        assert!(d.cites(&rules::MACP_8));
        assert!(d.outcome.steps.len() >= 3, "{:?}", d.outcome.steps);
        // One grade pay up is one upgrade, and before the MACPS there were
        // none: clarification 11 does not cover them.
        for (on, gp) in [(ymd(2008, 9, 1), 1900), (ymd(2008, 8, 31), 2400)] {
            assert!(matches!(
                fix_pay(on, &input(gp)),
                Err(PayError::InconsistentPayRef(_))
            ));
        }
    }

    #[test]
    fn rule_9_rounding_before_01_07_2009_paise_ignored_after() {
        // PB-1 7540 + GP 1800: 3% of 9340 = 280.20. Rule 9 rounds it off to
        // the next 10 (290); the DoE OM of 29.01.2009 ignores the paise
        // (280), for increments on or after 01.07.2009.
        let fix = |as_of| {
            let input = FixInput {
                from: Pay::SixthCpc {
                    pay_band: PayBand::Pb1,
                    pay_in_band: 7540,
                    grade_pay: 1800,
                },
                to: PayRef::grade_pay(PayBand::Pb1, 1900),
                macp_upgrades_together: false,
            };
            fix_pay(as_of, &input).unwrap()
        };
        let d = fix(ymd(2008, 9, 1));
        assert_eq!(d.outcome.basic, 7830 + 1900);
        // Each rounding's reason cites the order it comes from.
        let rounding = |d: &Decision<Fixation>| {
            d.reasons
                .iter()
                .find(|r| r.text.contains("multiple of 10"))
                .map(|r| (r.rule, r.citation))
        };
        assert!(d.reasons.iter().any(|r| r.text.contains("Rule 9")));
        assert_eq!(rounding(&d), Some(("PAY-1", "Rule 9, CCS (RP) Rules 2008")));
        let d = fix(ymd(2009, 7, 1));
        assert_eq!(d.outcome.basic, 7820 + 1900);
        assert!(d.reasons.iter().any(|r| r.text.contains("29.01.2009")));
        let (rule, citation) = rounding(&d).unwrap();
        assert_eq!(rule, "PAY-1");
        assert!(citation.starts_with("DoE OM of 29.01.2009"), "{citation}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// An upgrade never lowers the level or the pay (7th CPC); the pay
        /// rises unless the last cell of the level was reached.
        #[test]
        fn seventh_upgrade_never_lowers(from_ord in 0u8..17, up in 1u8..4, cell_ix in 0usize..40) {
            let from = Level::by_ord(from_ord).unwrap();
            let Some(to) = Level::by_ord(from_ord + up) else { return Ok(()) };
            let cells = from.cells();
            let ix = cell_ix % cells.len();
            let pay = cells[ix];
            if let Ok(f) = rule13_2016(from, pay, to) {
                let reached = matches!(f.pay, Pay::SeventhCpc { level, .. } if level == to);
                prop_assert!(reached);
                prop_assert!(f.basic >= pay);
                prop_assert!(f.basic > pay || ix + 1 == cells.len());
            }
        }

        /// An upgrade never lowers the level or the pay (6th CPC, HAG included).
        #[test]
        fn sixth_upgrade_never_lowers(from_ord in 0u8..15, up in 1u8..4, pib_frac in 0u32..1000) {
            let from = Level::by_ord(from_ord).unwrap();
            let Some(to) = Level::by_ord(from_ord + up) else { return Ok(()) };
            let gp = from.grade_pay().unwrap_or(0);
            let (min, max) = from.pay_band().range().unwrap();
            let pib = min + (max - min) / 1000 * pib_frac;
            let f = rule13_2008(ymd(2012, 1, 1), from.pay_band(), pib, gp, to).unwrap();
            prop_assert!(f.basic > pib + gp);
            let is_to = matches!(f.pay, Pay::SixthCpc { pay_band, grade_pay, .. }
                if level_of_sixth(pay_band, grade_pay).ok() == Some(to));
            prop_assert!(is_to);
            // The pay fixed lies within the new band or scale (PAY-1).
            if let Pay::SixthCpc { pay_band, pay_in_band, .. } = f.pay {
                let (min, max) = pay_band.range().unwrap();
                prop_assert!((min..=max).contains(&pay_in_band));
            }
        }
    }
}
