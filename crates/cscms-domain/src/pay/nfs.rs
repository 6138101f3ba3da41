//! Non-functional scale of Section Officers (CSS) and Private Secretaries
//! (CSSS): SPEC §2.2, NFS-1..4, seed 003 (F.No. 5/4/2005-CS information
//! document of 06.10.2022).
//!
//! - NFS-1: admissible on 4 years of approved service in the grade, subject
//!   to vigilance clearance.
//! - NFS-2: pay fixed notionally from 1 July of the year in which the 4 years
//!   are completed (revised structure, from 01.01.2006; pre-revised scale:
//!   on completion, NFS-3); actual benefit from the date of assumption of
//!   duty in the grade (ad hoc or regular), if later.
//! - NFS-3: fixation by the regime of the notional date — pre-2006 FR
//!   22(I)(a)(2) into 8000-275-13500 (notional from 01.01.1996 at the
//!   earliest, arrears only from 03.10.2003); 6th CPC Rule 13 of 2008 (3% plus
//!   grade pay 5400 − 4800); 7th CPC Rule 13 of 2016 (Level 8 → Level 10).
//! - NFS-4: service in both scales counts together for the next promotion.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::dates::{add_years, first_july, text, Dmy};
use super::fitment::PreRevisedScale;
use super::fixation::{fr22_a2, rule13_2008, rule13_2016, Fixation, Pay, Step};
use super::matrix::Level;
use super::position::PayRef;
use super::regime::{PayRegime, SIXTH_CPC_FROM};
use super::sixth::PayBand;
use super::PayError;
use crate::cadre::{self, Cadre, Grade};
use crate::decision::{Decision, Reasons};
use crate::params::{ymd, Dated, DatedParam};
use crate::rules;

/// Years of approved service in the grade (NFS-1).
pub const NFS_YEARS: u32 = 4;
/// Notional fixation runs from this date at the earliest (NFS-3).
pub const NOTIONAL_FROM_EARLIEST: NaiveDate = ymd(1996, 1, 1);
/// Pre-2006 grants: arrears only from this date (NFS-3).
pub const ARREARS_FROM: NaiveDate = ymd(2003, 10, 3);
/// Officers who retired from this date until the day before
/// [`ARREARS_FROM`] have their pension fixed notionally on the scale
/// (NFS-3; DoPT OM No. 5/4/2005-CS.I dated 14.05.2009).
pub const PENSION_RETIRED_FROM: NaiveDate = NOTIONAL_FROM_EARLIEST;
/// Pre-revised scale of the grade and of its non-functional scale (NFS-1, NFS-4).
pub const PRE_REVISED_GRADE_SCALE: &str = "6500-200-10500";
pub const PRE_REVISED_NFS_SCALE: &str = "8000-275-13500";

/// Date each cadre's non-functional scale was introduced.
pub fn introduced() -> &'static [(Cadre, Dated<()>)] {
    static P: OnceLock<Vec<(Cadre, Dated<()>)>> = OnceLock::new();
    P.get_or_init(|| {
        vec![
            (
                Cadre::Css,
                Dated {
                    from: ymd(2003, 11, 13),
                    value: (),
                    source: "DoPT OM No. 21/36/03-CS.I dated 13.11.2003",
                },
            ),
            (
                Cadre::Csss,
                Dated {
                    from: ymd(2005, 6, 24),
                    value: (),
                    source: "DoPT OM No. 10/3/2004-CS.I dated 24.06.2005",
                },
            ),
        ]
    })
}

/// How pay is fixed on grant of the NFS, by the regime of the notional date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NfsFixationRule {
    /// FR 22(I)(a)(2) into 8000-275-13500.
    Fr22a2,
    /// Rule 13, CCS (RP) Rules 2008.
    Rule13Of2008,
    /// Rule 13, CCS (RP) Rules 2016.
    Rule13Of2016,
}

pub fn fixation_rules() -> &'static DatedParam<NfsFixationRule> {
    static P: OnceLock<DatedParam<NfsFixationRule>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: NOTIONAL_FROM_EARLIEST,
                value: NfsFixationRule::Fr22a2,
                source: "DoPT OM No. 21/36/03-CS.I dated 13.11.2003, para V; OM No. 5/4/2005-CS.I dated 30.03.2006",
            },
            Dated {
                from: ymd(2006, 1, 1),
                value: NfsFixationRule::Rule13Of2008,
                source: "DoPT OM No. 5/4/2005-CS.I dated 19.11.2009",
            },
            Dated {
                from: ymd(2016, 1, 1),
                value: NfsFixationRule::Rule13Of2016,
                source: "CCS (RP) Rules 2016, Rule 13 (information document of 06.10.2022, para 7)",
            },
        ])
    })
}

/// What the engine needs about one officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NfsInput {
    pub cadre: Cadre,
    /// Grade code: "SO" (CSS) or "PS" (CSSS).
    pub grade: String,
    /// Start of approved service in the grade.
    pub in_grade_since: NaiveDate,
    /// Date of assumption of duty in the grade (ad hoc or regular), where it
    /// differs from the start of approved service (NFS-2).
    #[serde(default)]
    pub assumed_duty_on: Option<NaiveDate>,
    pub vigilance_clear: bool,
    /// Pay on the notional date, as the regime of that date has it: basic pay
    /// in 6500-10500 (pre-2006), pay in PB-2 with GP 4800 (6th CPC), or basic
    /// pay in Level 8 (7th CPC).
    #[serde(default)]
    pub present_pay: Option<u32>,
    /// Last day of service, for an officer who has retired. The 4 years
    /// must be complete by then; a retirement from 01.01.1996 to 02.10.2003
    /// fixes the pension on the scale notionally (NFS-3).
    #[serde(default)]
    pub retired_on: Option<NaiveDate>,
}

/// The pension of an officer who retired from 01.01.1996 to 02.10.2003 and
/// was entitled to the scale (NFS-3; DoPT OM No. 5/4/2005-CS.I dated
/// 14.05.2009).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NfsPension {
    /// Pension and average emoluments are fixed on the scale notionally from
    /// this date (the notional date of the pay).
    pub fixed_notionally_from: NaiveDate,
    /// The higher pension is paid from this date (03.10.2003); no arrears for
    /// the time before it.
    pub paid_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NfsOutcome {
    pub eligible: bool,
    /// The day after the 4 years of approved service are complete (the
    /// anniversary): admissible from this date.
    pub completes_on: NaiveDate,
    /// Pay is fixed notionally from this date (NFS-2).
    pub notional_from: NaiveDate,
    /// Actual financial benefit (arrears) from this date.
    pub actual_from: NaiveDate,
    /// Regime of the notional date, which decides the fixation (NFS-3).
    pub regime: PayRegime,
    /// The non-functional scale: pre-revised scale, band and grade pay, or level.
    pub to: PayRef,
    /// The fixed pay and its steps, when eligible and the present pay is
    /// given; none for years complete on 01.01.1996 with a pay at or above
    /// 8000, whose stage rests on the emoluments of that date (the reasons
    /// say so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixation: Option<Fixation>,
    /// For an eligible officer who retired from 01.01.1996 to 02.10.2003.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pension: Option<NfsPension>,
}

/// A grade with a non-functional scale, resolved once from the reference
/// data, with the reasons that depend only on the grade.
#[derive(Debug, Clone)]
struct NfsGrade {
    grade: &'static Grade,
    from: Level,
    to: Level,
    /// NFS-3 text for each fixation rule, in the order of [`NfsFixationRule`].
    regime_text: [String; 3],
    /// NFS-4 text.
    counts_for: String,
}

impl NfsGrade {
    fn new(
        grade: &'static Grade,
        nfs: &'static Grade,
        next: Option<&'static Grade>,
    ) -> Result<NfsGrade, PayError> {
        let (from, to) = (level_of(grade)?, level_of(nfs)?);
        let (gp_from, gp_to) = (from.grade_pay().unwrap_or(0), to.grade_pay().unwrap_or(0));
        let regime_text = [
            format!(
                "pre-2006: scale {PRE_REVISED_NFS_SCALE} fixed under FR 22(I)(a)(2), notionally from 01.01.1996 at the earliest, arrears only from 03.10.2003 (pension of those retired 01.01.1996-02.10.2003 likewise fixed notionally, paid from 03.10.2003)"
            ),
            format!(
                "6th CPC: Rule 13 of CCS (RP) Rules 2008, one increment of 3% plus the grade-pay difference {gp_to} - {gp_from} = {}, in {}",
                gp_to.saturating_sub(gp_from),
                to.pay_band()
            ),
            format!("7th CPC: Rule 13 of CCS (RP) Rules 2016, from {from} to {to}"),
        ];
        let counts_for = match next {
            Some(n) => format!(
                "service as {} and in the non-functional scale counts together for promotion to {}",
                grade.code, n.name
            ),
            None => format!(
                "service as {} and in the non-functional scale counts together for promotion",
                grade.code
            ),
        };
        Ok(NfsGrade {
            grade,
            from,
            to,
            regime_text,
            counts_for,
        })
    }
}

fn level_of(g: &Grade) -> Result<Level, PayError> {
    let r = PayRef {
        scale: None,
        pay_band: Some(PayBand::parse(&g.pay_band_6cpc)?),
        grade_pay: Some(g.grade_pay_6cpc),
        level: Some(Level::parse(&g.level_7cpc)?),
    };
    Ok(r.resolve()?.level)
}

fn nfs_grades() -> Result<&'static [NfsGrade], PayError> {
    static T: OnceLock<Result<Vec<NfsGrade>, PayError>> = OnceLock::new();
    T.get_or_init(|| {
        let mut out = Vec::new();
        for grade in cadre::grades().iter().filter(|g| !g.non_functional) {
            // The NFS of grade X is the grade X_NFS of the same cadre.
            let mut after = cadre::grades_of(grade.cadre).skip_while(|g| g.code != grade.code);
            let nfs = after.find(|g| {
                g.non_functional && g.code.strip_suffix("_NFS") == Some(grade.code.as_str())
            });
            if let Some(nfs) = nfs {
                out.push(NfsGrade::new(
                    grade,
                    nfs,
                    after.find(|g| !g.non_functional),
                )?);
            }
        }
        Ok(out)
    })
    .as_ref()
    .map(Vec::as_slice)
    .map_err(Clone::clone)
}

fn nfs_grade(cadre: Cadre, code: &str) -> Result<&'static NfsGrade, PayError> {
    if let Some(g) = nfs_grades()?
        .iter()
        .find(|g| g.grade.cadre == cadre && g.grade.code.eq_ignore_ascii_case(code))
    {
        return Ok(g);
    }
    // Say whether the grade is unknown or merely has no NFS.
    cadre::grade(cadre, code)?;
    Err(PayError::NoNonFunctionalScale(text!("{code} in {cadre}")))
}

/// The pre-revised scales of the grade and of its NFS.
fn pre_revised_scales() -> Result<(PreRevisedScale, PreRevisedScale), PayError> {
    static S: OnceLock<Result<(PreRevisedScale, PreRevisedScale), PayError>> = OnceLock::new();
    S.get_or_init(|| {
        Ok((
            PreRevisedScale::parse(PRE_REVISED_GRADE_SCALE)?,
            PreRevisedScale::parse(PRE_REVISED_NFS_SCALE)?,
        ))
    })
    .clone()
}

/// Evaluates the non-functional scale for an SO / PS as of a date (NFS-1..4).
pub fn evaluate_nfs(as_of: NaiveDate, input: &NfsInput) -> Result<Decision<NfsOutcome>, PayError> {
    let nfs = nfs_grade(input.cadre, &input.grade)?;
    let (grade, from_level, to_level) = (nfs.grade, nfs.from, nfs.to);
    let (held_scale, nfs_scale) = pre_revised_scales()?;
    let mut reasons = Reasons::new();
    match input.retired_on {
        Some(on) if on < input.in_grade_since => {
            return Err(PayError::InvalidEvent {
                on,
                why: "retirement before the start of approved service in the grade",
            })
        }
        Some(on) if on > as_of => {
            return Err(PayError::InvalidEvent {
                on,
                why: "retirement after the as-of date",
            })
        }
        _ => {}
    }

    // NFS-1: 4 years of approved service, vigilance clearance.
    let completes_on = add_years(input.in_grade_since, NFS_YEARS)?;
    let introduced = introduced()
        .iter()
        .find(|(c, _)| *c == input.cadre)
        .map(|(_, d)| d);
    let in_force = introduced.is_none_or(|d| as_of >= d.from);
    let complete = as_of >= completes_on;
    let last_day = completes_on.pred_opt().unwrap_or(completes_on);
    // NFS-2/NFS-3: the notional date, by the structure the years complete
    // in (seed 003). Pre-revised scale (paras 1-2): admissible on completion
    // of the 4 years, so from the anniversary, notionally from 01.01.1996 at
    // the earliest; the years are complete at the close of the day before
    // the anniversary, so service from 02.01.1992 had them "on 01.01.1996"
    // (para 2). Revised structure (para 6, OMs of 01.04.2014 and 21.04.2014):
    // 1 July of the year of completion, not before 01.01.2006.
    let pre_revised = completes_on < SIXTH_CPC_FROM;
    let notional_from = if last_day <= NOTIONAL_FROM_EARLIEST {
        NOTIONAL_FROM_EARLIEST
    } else if pre_revised {
        completes_on
    } else {
        first_july(last_day.year())?.max(SIXTH_CPC_FROM)
    };
    // Retired: the years must have been complete on the last day of service
    // and the scale in effect for the officer by then (the notional date
    // not after that day).
    let served = input
        .retired_on
        .is_none_or(|r| r >= last_day && r >= notional_from);
    let eligible = complete && served && input.vigilance_clear && in_force;
    reasons.push(
        &rules::NFS_1,
        if complete {
            text!(
                "{NFS_YEARS} years of approved service as {} completed on {}",
                grade.code,
                Dmy(completes_on)
            )
        } else {
            text!(
                "{NFS_YEARS} years of approved service as {} complete only on {}",
                grade.code,
                Dmy(completes_on)
            )
        },
    );
    if let (false, Some(d)) = (in_force, introduced) {
        // The cadre's own order introduced it (CSSS: the OM of 24.06.2005).
        reasons.push(
            &rules::NFS_1.resting_on(d.source),
            text!(
                "the non-functional scale of {} was introduced on {} ({})",
                input.cadre,
                Dmy(d.from),
                d.source
            ),
        );
    }
    if let (false, Some(r)) = (served, input.retired_on) {
        reasons.push(
            &rules::NFS_1,
            if r < last_day {
                text!(
                    "retired on {}, before the {NFS_YEARS} years were complete: the non-functional scale is not admissible",
                    Dmy(r)
                )
            } else if r < NOTIONAL_FROM_EARLIEST {
                text!(
                    "retired on {}, before the non-functional scale took effect (notionally from {}): not admissible",
                    Dmy(r),
                    Dmy(NOTIONAL_FROM_EARLIEST)
                )
            } else {
                text!(
                    "retired on {}, before the non-functional scale took effect for the officer (notionally from {}): not admissible",
                    Dmy(r),
                    Dmy(notional_from)
                )
            },
        );
    }
    if !input.vigilance_clear {
        reasons.push(&rules::NFS_1, "vigilance clearance not given (denied or deferred; a condition under VIG-2): the non-functional scale is not admissible until the officer is cleared");
    }

    // Actual benefit from assumption of duty if later (NFS-2).
    let assumed = input.assumed_duty_on.unwrap_or(input.in_grade_since);
    let regime = PayRegime::on(notional_from);
    // Seed 003 para 4: in the revised structure the scale of CSS rests on
    // the CSS Rules 2009.
    if input.cadre == Cadre::Css && regime != PayRegime::FifthCpc {
        reasons.push(
            &rules::NFS_1,
            "governed by Rule 17 of the Central Secretariat Service Rules, 2009 read with Part-B, Section II of the CCS (Revised Pay) Rules, 2008 (F.No. 5/4/2005-CS information document of 06.10.2022, para 4)",
        );
    }
    let mut actual_from = notional_from.max(assumed);
    if regime == PayRegime::FifthCpc {
        actual_from = actual_from.max(ARREARS_FROM);
    }
    if pre_revised {
        reasons.push(
            &rules::NFS_3,
            text!(
                "pay fixed notionally from {} (pre-revised scale: admissible on completion of the {NFS_YEARS} years, notionally from 01.01.1996 at the earliest); actual benefit from {}",
                Dmy(notional_from),
                Dmy(actual_from)
            ),
        );
    } else {
        reasons.push(
            &rules::NFS_2,
            text!(
                "pay fixed notionally from {} (1 July of the year the {NFS_YEARS} years complete); actual benefit from {}",
                Dmy(notional_from),
                Dmy(actual_from)
            ),
        );
    }

    // NFS-3: fixation by the regime of the notional date.
    let rule = fixation_rules()
        .at(notional_from)
        .map_or(NfsFixationRule::Fr22a2, |d| d.value);
    let to = match regime {
        PayRegime::FifthCpc => PayRef::scale(nfs_scale.text()),
        PayRegime::SixthCpc => {
            PayRef::grade_pay(to_level.pay_band(), to_level.grade_pay().unwrap_or(0))
        }
        PayRegime::SeventhCpc => PayRef::level(to_level),
    };
    let gp_from = from_level.grade_pay().unwrap_or(0);
    let rule_index = match rule {
        NfsFixationRule::Fr22a2 => 0,
        NfsFixationRule::Rule13Of2008 => 1,
        NfsFixationRule::Rule13Of2016 => 2,
    };
    // Seed 003 para 2 (OM of 30.03.2006): those whose years were complete on
    // 01.01.1996 were placed in the scale directly under CCS (RP) Rules 1997,
    // from their existing emoluments of that date, not by FR 22(I)(a)(2)
    // from the pay of 6500-10500.
    let direct_1996 = regime == PayRegime::FifthCpc && last_day <= NOTIONAL_FROM_EARLIEST;
    if direct_1996 {
        reasons.push(&rules::NFS_3, text!(
            "years complete on 01.01.1996: placed directly in the scale {PRE_REVISED_NFS_SCALE} notionally from 01.01.1996 in accordance with CCS (RP) Rules 1997, arrears only from 03.10.2003 (DoPT OM No. 5/4/2005-CS.I dated 30.03.2006)"
        ));
    } else {
        reasons.push(&rules::NFS_3, nfs.regime_text[rule_index].as_str());
    }
    let fixation = match (eligible, input.present_pay) {
        (true, Some(pay)) => match rule {
            NfsFixationRule::Fr22a2 => {
                // The pay held must lie within 6500-10500 (NFS-3), not merely above its minimum.
                if !(held_scale.min()..=held_scale.max()).contains(&pay) {
                    return Err(PayError::PayOutOfRange {
                        what: text!("pre-revised scale {}", held_scale.text()),
                        pay,
                    });
                }
                if direct_1996 {
                    placed_directly(pay, nfs_scale, &mut reasons)
                } else {
                    Some(fr22_a2(pay, nfs_scale)?)
                }
            }
            NfsFixationRule::Rule13Of2008 => Some(rule13_2008(
                notional_from,
                from_level.pay_band(),
                pay,
                gp_from,
                to_level,
            )?),
            NfsFixationRule::Rule13Of2016 => Some(rule13_2016(from_level, pay, to_level)?),
        },
        _ => None,
    };

    // NFS-3: pension of those retired 01.01.1996-02.10.2003, fixed on the
    // scale notionally and paid only from 03.10.2003 (seed 003, para 3).
    let pension = match input.retired_on {
        Some(r) if eligible && (PENSION_RETIRED_FROM..ARREARS_FROM).contains(&r) => {
            reasons.push(
                &rules::NFS_3,
                text!(
                    "retired on {}: pension and average emoluments fixed on the scale notionally from {}, the higher pension paid only from {} with no arrears before it; gratuity, commutation of pension and leave encashment that fell due before then rest on the pay and pension actually drawn (DoPT OM No. 5/4/2005-CS.I dated 14.05.2009)",
                    Dmy(r),
                    Dmy(notional_from),
                    Dmy(ARREARS_FROM)
                ),
            );
            Some(NfsPension {
                fixed_notionally_from: notional_from,
                paid_from: ARREARS_FROM,
            })
        }
        _ => None,
    };

    // NFS-4: both scales count for the next promotion.
    reasons.push(&rules::NFS_4, nfs.counts_for.as_str());

    Ok(reasons.decide(
        as_of,
        NfsOutcome {
            eligible,
            completes_on,
            notional_from,
            actual_from,
            regime,
            to,
            fixation,
            pension,
        },
    ))
}

/// The pay of an officer placed directly in the scale on 01.01.1996 (seed
/// 003 para 2). CCS (RP) Rules 1997 fix it from the existing emoluments of
/// that date, which lie at or below the pay of 6500-10500 fixed from them:
/// a pay of 6500-10500 below the scale's minimum places the officer at the
/// minimum whatever the emoluments were. At or above it the stage depends
/// on the emoluments themselves, which the engine does not take: no figure
/// rather than FR 22(I)(a)(2)'s, which can be a stage higher.
fn placed_directly(pay: u32, scale: PreRevisedScale, reasons: &mut Reasons) -> Option<Fixation> {
    if pay < scale.min() {
        return Some(Fixation::new(
            Pay::FifthCpc {
                scale: scale.text().to_owned(),
                basic: scale.min(),
            },
            vec![
                Step::new("pay held in 6500-10500 on 01.01.1996", pay),
                Step::new(
                    text!(
                        "placed directly in {} at its minimum (CCS (RP) Rules 1997; DoPT OM No. 5/4/2005-CS.I dated 30.03.2006)",
                        scale.text()
                    ),
                    scale.min(),
                ),
            ],
        ));
    }
    reasons.push(
        &rules::NFS_3,
        text!(
            "pay not fixed here: at {pay}, at or above the scale's minimum, the stage of {} rests on the existing emoluments of 01.01.1996 under CCS (RP) Rules 1997, not on the pay of 6500-10500; the office fixes it from them",
            scale.text()
        ),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::fixation::Pay;
    use crate::pay::sixth;

    fn so(since: NaiveDate, pay: Option<u32>) -> NfsInput {
        NfsInput {
            cadre: Cadre::Css,
            grade: "SO".to_owned(),
            in_grade_since: since,
            assumed_duty_on: None,
            vigilance_clear: true,
            present_pay: pay,
            retired_on: None,
        }
    }

    #[test]
    fn pension_of_those_retired_before_03_10_2003_fixed_notionally() {
        // Seed 003 para 3: retired 31.03.2000 with 4 years complete before
        // 01.01.1996: pension on the scale notionally from 01.01.1996, paid
        // from 03.10.2003.
        let retired = NfsInput {
            retired_on: Some(ymd(2000, 3, 31)),
            ..so(ymd(1990, 7, 1), Some(7300))
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &retired).unwrap();
        assert!(d.outcome.eligible);
        assert_eq!(
            d.outcome.pension,
            Some(NfsPension {
                fixed_notionally_from: ymd(1996, 1, 1),
                paid_from: ARREARS_FROM
            })
        );
        assert_eq!(d.outcome.actual_from, ARREARS_FROM);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == rules::NFS_3.id && r.text.contains("31.03.2000")));
        // Completed in 1999, retired on 02.10.2003, the last day of the
        // window: notionally from 1 July 1999.
        let last = NfsInput {
            retired_on: Some(ymd(2003, 10, 2)),
            ..so(ymd(1995, 7, 1), None)
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &last).unwrap();
        assert_eq!(
            d.outcome.pension.map(|p| p.fixed_notionally_from),
            Some(ymd(1999, 7, 1))
        );
        // Retired on 03.10.2003: in service when arrears began, no notional
        // pension.
        let after = NfsInput {
            retired_on: Some(ymd(2003, 10, 3)),
            ..so(ymd(1995, 7, 1), None)
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &after).unwrap();
        assert!(d.outcome.eligible && d.outcome.pension.is_none());
    }

    #[test]
    fn notional_date_by_the_structure_the_years_complete_in() {
        // Pre-revised scale: admissible on completion of the 4 years (seed 003
        // para 1), so from 01.03.1998 for service from 01.03.1994 — before
        // the retirement on 31.03.1998, not 1 July 1998 after it.
        let retired = NfsInput {
            retired_on: Some(ymd(1998, 3, 31)),
            ..so(ymd(1994, 3, 1), Some(7300))
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &retired).unwrap();
        assert!(d.outcome.eligible);
        assert_eq!(d.outcome.notional_from, ymd(1998, 3, 1));
        assert_eq!(
            d.outcome.pension.map(|p| p.fixed_notionally_from),
            Some(ymd(1998, 3, 1))
        );
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == rules::NFS_3.id && r.text.contains("01.03.1998")));
        // Completed on 31.12.2005, admissible from 01.01.2006: the 1 July
        // rule of the revised structure (para 6), not before 01.01.2006.
        let d = evaluate_nfs(ymd(2007, 1, 1), &so(ymd(2002, 1, 1), None)).unwrap();
        assert_eq!(
            (d.outcome.notional_from, d.outcome.regime),
            (ymd(2006, 1, 1), PayRegime::SixthCpc)
        );
        // 6th CPC: the years complete on 30.06.2012, notionally from
        // 01.07.2012; an officer who retired on 30.06.2012 never had it.
        let retired = NfsInput {
            retired_on: Some(ymd(2012, 6, 30)),
            ..so(ymd(2008, 7, 1), None)
        };
        let d = evaluate_nfs(ymd(2013, 1, 1), &retired).unwrap();
        assert!(!d.outcome.eligible);
        assert!(d.outcome.notional_from > ymd(2012, 6, 30));
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == rules::NFS_1.id && r.text.contains("01.07.2012")));
    }

    #[test]
    fn a_retiree_needs_the_four_years_complete_in_service() {
        // From 01.01.1995 the years complete on 31.12.1998 and the
        // pre-revised scale is admissible from 01.01.1999: retiring in
        // January 1999 is enough; retiring on 31.12.1998, before the scale
        // took effect for the officer, or the day before, is not.
        let on = NfsInput {
            retired_on: Some(ymd(1999, 1, 31)),
            ..so(ymd(1995, 1, 1), None)
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &on).unwrap();
        assert!(d.outcome.eligible);
        assert_eq!(
            d.outcome.pension.map(|p| p.fixed_notionally_from),
            Some(ymd(1999, 1, 1))
        );
        let last_day = NfsInput {
            retired_on: Some(ymd(1998, 12, 31)),
            ..on.clone()
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &last_day).unwrap();
        assert!(!d.outcome.eligible && d.outcome.pension.is_none());
        assert!(d.reasons.iter().any(|r| r.rule == rules::NFS_1.id
            && r.text.contains("retired on 31.12.1998")
            && r.text.contains("01.01.1999")));
        let before = NfsInput {
            retired_on: Some(ymd(1998, 12, 30)),
            ..on
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &before).unwrap();
        assert!(!d.outcome.eligible && d.outcome.pension.is_none());
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == rules::NFS_1.id && r.text.contains("retired on 30.12.1998")));
        // Retired before the scale took effect on 01.01.1996.
        let early = NfsInput {
            retired_on: Some(ymd(1995, 12, 31)),
            ..so(ymd(1988, 1, 1), None)
        };
        let d = evaluate_nfs(ymd(2004, 1, 1), &early).unwrap();
        assert!(!d.outcome.eligible && d.outcome.pension.is_none());
        // A retirement before the service or after the as-of date is refused.
        for (as_of, retired) in [
            (ymd(2004, 1, 1), ymd(1987, 12, 31)),
            (ymd(1999, 1, 1), ymd(1999, 1, 2)),
        ] {
            let odd = NfsInput {
                retired_on: Some(retired),
                ..so(ymd(1988, 1, 1), None)
            };
            assert!(matches!(
                evaluate_nfs(as_of, &odd),
                Err(PayError::InvalidEvent { on, .. }) if on == retired
            ));
        }
    }

    #[test]
    fn pre_2006_notional_from_1996_arrears_from_03_10_2003() {
        // Completed 4 years before 01.01.1996: placed notionally on that date.
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1990, 7, 1), Some(7300))).unwrap();
        let o = &d.outcome;
        assert!(o.eligible);
        assert_eq!(
            (o.notional_from, o.actual_from, o.regime),
            (ymd(1996, 1, 1), ARREARS_FROM, PayRegime::FifthCpc)
        );
        assert_eq!(o.to.scale.as_deref(), Some("8000-275-13500"));
        // FR 22(I)(a)(2): 7300 is below the minimum: 8000.
        assert_eq!(o.fixation.as_ref().map(|f| f.basic), Some(8000));
        // Completed in 2002: 1 July 2002, arrears still only from 03.10.2003.
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1998, 7, 1), Some(8100))).unwrap();
        assert_eq!(
            (d.outcome.notional_from, d.outcome.actual_from),
            (ymd(2002, 7, 1), ARREARS_FROM)
        );
        assert_eq!(d.outcome.fixation.as_ref().map(|f| f.basic), Some(8275));
        assert!(d.cites(&rules::NFS_3) && d.cites(&rules::NFS_4));
    }

    #[test]
    fn complete_on_01_01_1996_placed_directly_under_the_1997_rules() {
        // Seed 003 para 2 (OM of 30.03.2006): placed directly in the scale
        // under CCS (RP) Rules 1997, not by FR 22(I)(a)(2).
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1990, 7, 1), Some(7300))).unwrap();
        let texts: Vec<&str> = d.reasons.iter().map(|r| r.text.as_str()).collect();
        assert!(texts.iter().any(|t| t.contains("placed directly")
            && t.contains("CCS (RP) Rules 1997")
            && t.contains("30.03.2006")));
        assert!(!texts.iter().any(|t| t.contains("FR 22")), "{texts:?}");
        let f = d.outcome.fixation.as_ref().unwrap();
        assert_eq!(f.basic, 8000);
        assert!(f.steps.iter().any(|s| s.text.contains("Rules 1997")));
        // At or above the minimum the stage rests on the emoluments of
        // 01.01.1996: FR 22(I)(a)(2) would give 8550, possibly a stage high.
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1990, 7, 1), Some(8300))).unwrap();
        assert!(d.outcome.eligible);
        assert_eq!(d.outcome.fixation, None);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == rules::NFS_3.id && r.text.contains("existing emoluments")));
        assert!(!d.reasons.iter().any(|r| r.text.contains("Rule 17")));
        // Complete on 02.01.1996 (service from 03.01.1992): FR 22(I)(a)(2).
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1992, 1, 3), Some(8300))).unwrap();
        assert_eq!(d.outcome.fixation.map(|f| f.basic), Some(8550));
        assert!(d.reasons.iter().any(|r| r.text.contains("FR 22(I)(a)(2)")));
    }

    #[test]
    fn pre_2006_present_pay_must_lie_within_6500_10500() {
        // 13400 is above the maximum of 6500-10500: refused, not fixed at 13500.
        let d = evaluate_nfs(ymd(2006, 1, 1), &so(ymd(2001, 7, 1), Some(13400)));
        assert!(matches!(
            d,
            Err(PayError::PayOutOfRange { pay: 13400, ref what }) if what.contains("6500-200-10500")
        ));
        let d = evaluate_nfs(ymd(2006, 1, 1), &so(ymd(2001, 7, 1), Some(10500))).unwrap();
        assert_eq!(d.outcome.fixation.map(|f| f.basic), Some(10750));
    }

    #[test]
    fn sixth_cpc_one_increment_plus_grade_pay_difference() {
        // NFS-3: 3% of (15500 + 4800) = 609 → 610, plus GP 5400 - 4800 = 600.
        let d = evaluate_nfs(ymd(2013, 1, 1), &so(ymd(2008, 7, 1), Some(15500))).unwrap();
        let o = &d.outcome;
        assert_eq!(
            (o.completes_on, o.notional_from, o.regime),
            (ymd(2012, 7, 1), ymd(2012, 7, 1), PayRegime::SixthCpc)
        );
        assert_eq!(
            (o.to.pay_band, o.to.grade_pay),
            (Some(PayBand::Pb3), Some(5400))
        );
        let f = o.fixation.as_ref().unwrap();
        let increment = sixth::increment(ymd(2012, 7, 1), 15500, 4800);
        assert_eq!(f.basic, 15500 + 4800 + increment + 600);
        assert_eq!(
            f.pay,
            Pay::SixthCpc {
                pay_band: PayBand::Pb3,
                pay_in_band: 16110,
                grade_pay: 5400
            }
        );
    }

    #[test]
    fn seventh_cpc_rule_13_level_8_to_10() {
        let d = evaluate_nfs(ymd(2020, 1, 1), &so(ymd(2015, 7, 1), Some(60400))).unwrap();
        let o = &d.outcome;
        assert_eq!(
            (o.notional_from, o.regime),
            (ymd(2019, 7, 1), PayRegime::SeventhCpc)
        );
        assert_eq!(o.to.level.map(Level::name), Some("10"));
        // 60400 → next cell 62200 in Level 8 → Level 10: 63100.
        let f = o.fixation.as_ref().unwrap();
        assert_eq!(
            f.pay,
            Pay::SeventhCpc {
                level: Level::parse("10").unwrap(),
                basic: 63100
            }
        );
        assert_eq!(f.steps.len(), 3);
        // Seed 003 para 4: the CSS scale now rests on Rule 17 of CSS Rules 2009.
        assert!(d.reasons.iter().any(|r| r.rule == rules::NFS_1.id
            && r.text
                .contains("Rule 17 of the Central Secretariat Service Rules, 2009")));
    }

    #[test]
    fn private_secretaries_of_csss_too() {
        let mut i = so(ymd(2015, 7, 1), Some(47600));
        i.cadre = Cadre::Csss;
        i.grade = "PS".to_owned();
        let d = evaluate_nfs(ymd(2020, 1, 1), &i).unwrap();
        // The CSS Rules 2009 are not CSSS's.
        assert!(!d.reasons.iter().any(|r| r.text.contains("Rule 17")));
        assert!(d.outcome.eligible);
        assert_eq!(d.outcome.fixation.map(|f| f.basic), Some(56100));
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "NFS-4" && r.text.contains("Principal Private Secretary")));
        // Before CSSS's own order the scale did not exist for it; the reason
        // cites that order, not the CSS one.
        let d = evaluate_nfs(ymd(2005, 1, 1), &i).unwrap();
        assert!(!d.outcome.eligible);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "NFS-1"
                && r.citation == "DoPT OM No. 10/3/2004-CS.I dated 24.06.2005"));
    }

    #[test]
    fn vigilance_and_service_gate_eligibility() {
        let mut i = so(ymd(2015, 7, 1), Some(60400));
        i.vigilance_clear = false;
        let d = evaluate_nfs(ymd(2020, 1, 1), &i).unwrap();
        assert!(!d.outcome.eligible);
        assert!(d.outcome.fixation.is_none());
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "NFS-1" && r.text.contains("vigilance")));
        let d = evaluate_nfs(ymd(2019, 6, 30), &so(ymd(2015, 7, 1), None)).unwrap();
        assert!(!d.outcome.eligible);
        assert_eq!(d.outcome.completes_on, ymd(2019, 7, 1));
        // Before the order of 13.11.2003 there was no NFS to grant.
        let d = evaluate_nfs(ymd(2003, 1, 1), &so(ymd(1990, 7, 1), None)).unwrap();
        assert!(!d.outcome.eligible);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.text.contains("introduced on 13.11.2003")));
    }

    #[test]
    fn notional_date_is_1_july_of_the_completion_year_and_benefit_from_assumption_of_duty() {
        // NFS-2 as written: 1 July of the year the 4 years complete.
        let d = evaluate_nfs(ymd(2021, 1, 1), &so(ymd(2016, 10, 15), None)).unwrap();
        assert_eq!(
            (d.outcome.completes_on, d.outcome.notional_from),
            (ymd(2020, 10, 15), ymd(2020, 7, 1))
        );
        // Approved service from 2015 but duty assumed only in 2020: benefit from then.
        let mut i = so(ymd(2015, 7, 1), None);
        i.assumed_duty_on = Some(ymd(2020, 2, 10));
        let d = evaluate_nfs(ymd(2021, 1, 1), &i).unwrap();
        assert_eq!(
            (d.outcome.notional_from, d.outcome.actual_from),
            (ymd(2019, 7, 1), ymd(2020, 2, 10))
        );
    }

    #[test]
    fn the_years_complete_on_the_day_before_the_anniversary() {
        // From 01.01.2016 the 4 years are complete on 31.12.2019: 1 July 2019,
        // admissible from the anniversary.
        let d = evaluate_nfs(ymd(2021, 1, 1), &so(ymd(2016, 1, 1), None)).unwrap();
        assert_eq!(
            (d.outcome.completes_on, d.outcome.notional_from),
            (ymd(2020, 1, 1), ymd(2019, 7, 1))
        );
        let d = evaluate_nfs(ymd(2016, 1, 2), &so(ymd(2016, 1, 2), None)).unwrap();
        assert_eq!(d.outcome.completes_on, ymd(2020, 1, 2));
        assert_eq!(d.outcome.notional_from, ymd(2020, 7, 1));
        // From 02.01.1992 they are complete on 01.01.1996 (seed 003, para 2):
        // placed from that date; a day later, from the anniversary, 03.01.1996
        // (pre-revised scale: admissible on completion, para 1).
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1992, 1, 2), None)).unwrap();
        assert_eq!(d.outcome.notional_from, ymd(1996, 1, 1));
        let d = evaluate_nfs(ymd(2004, 1, 1), &so(ymd(1992, 1, 3), None)).unwrap();
        assert_eq!(d.outcome.notional_from, ymd(1996, 1, 3));
    }

    #[test]
    fn only_grades_with_a_non_functional_scale() {
        let mut i = so(ymd(2015, 7, 1), None);
        i.grade = "ASO".to_owned();
        assert!(matches!(
            evaluate_nfs(ymd(2020, 1, 1), &i),
            Err(PayError::NoNonFunctionalScale(_))
        ));
        i.grade = "SO_NFS".to_owned();
        assert!(matches!(
            evaluate_nfs(ymd(2020, 1, 1), &i),
            Err(PayError::NoNonFunctionalScale(_))
        ));
        i.grade = "PS".to_owned(); // a CSSS grade, not CSS
        assert!(matches!(
            evaluate_nfs(ymd(2020, 1, 1), &i),
            Err(PayError::Grade(_))
        ));
        // A pay that is not a Level 8 cell is refused.
        let bad = so(ymd(2015, 7, 1), Some(60401));
        assert!(matches!(
            evaluate_nfs(ymd(2020, 1, 1), &bad),
            Err(PayError::NotACell { .. })
        ));
    }

    #[test]
    fn outcome_serialises_for_the_api() {
        let i: NfsInput = serde_json::from_str(
            r#"{"cadre":"CSS","grade":"SO","in_grade_since":"2015-07-01","vigilance_clear":true,"present_pay":60400}"#,
        )
        .unwrap();
        let d = evaluate_nfs(ymd(2020, 1, 1), &i).unwrap();
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["notional_from"], "2019-07-01");
        assert_eq!(v["regime"], "seventh_cpc");
        assert_eq!(v["to"]["level"], "10");
        assert_eq!(v["fixation"]["pay"]["regime"], "seventh_cpc");
        assert_eq!(v["fixation"]["basic"], 63100);
    }
}
