//! MACP-9: on deputation, the pay of the higher scale granted under ACP/MACP
//! may be drawn instead of the deputation allowance where more beneficial
//! (clarification 10); eligibility for the deputation post is still judged on
//! the substantive post held regularly (DEP-2).
//!
//! The deputation (duty) allowance itself is set by orders outside the seeds
//! (the "existing general order" clarification 10 refers to): its rates are a
//! dated parameter with their source, listed in docs/rules/pay.md.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fixation::rule13_2016;
use super::matrix::{Cell, Level};
use super::PayError;
use crate::decision::{Decision, Reasons};
use crate::params::{ymd, Dated, DatedParam};
use crate::rules;

/// The amounts to compare, per month. The deputation allowance is given
/// (it depends on the orders regulating the deputation post).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeputationInput {
    /// Basic pay of the substantive post held on regular basis.
    pub substantive_basic: u32,
    pub deputation_allowance: u32,
    /// Basic pay in the higher scale granted under ACP/MACP.
    pub macp_basic: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeputationChoice {
    /// Substantive pay plus deputation allowance (the normal entitlement).
    SubstantivePayWithAllowance,
    /// The ACP/MACP pay, without deputation allowance.
    MacpPay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeputationComparison {
    pub with_allowance: u32,
    pub under_macp: u32,
    pub better: DeputationChoice,
    /// The pay eligibility for the deputation post is judged on (DEP-2).
    pub eligibility_basis: u32,
}

/// Compares the two ways of drawing pay on deputation (MACP-9).
pub fn compare_deputation(
    as_of: NaiveDate,
    input: &DeputationInput,
) -> Result<Decision<DeputationComparison>, PayError> {
    if input.macp_basic < input.substantive_basic {
        return Err(PayError::PayOutOfRange {
            what: "MACP pay (below the substantive pay)".to_owned(),
            pay: input.macp_basic,
        });
    }
    let with_allowance = input
        .substantive_basic
        .saturating_add(input.deputation_allowance);
    let under_macp = input.macp_basic;
    // Only a strictly higher MACP pay displaces the normal entitlement.
    let better = if under_macp > with_allowance {
        DeputationChoice::MacpPay
    } else {
        DeputationChoice::SubstantivePayWithAllowance
    };
    let mut reasons = Reasons::new();
    reasons.push(
        &rules::MACP_9,
        match better {
            DeputationChoice::MacpPay => format!(
                "MACP pay {under_macp} exceeds substantive pay with deputation allowance {with_allowance}: the officer may opt to draw it, without deputation allowance"
            ),
            DeputationChoice::SubstantivePayWithAllowance => format!(
                "substantive pay with deputation allowance {with_allowance} is not less than MACP pay {under_macp}: the normal deputation terms are more beneficial"
            ),
        },
    );
    reasons.push(
        &rules::DEP_2,
        format!(
            "eligibility for the deputation post is judged on the substantive pay {}, not the ACP/MACP pay",
            input.substantive_basic
        ),
    );
    Ok(reasons.decide(
        as_of,
        DeputationComparison {
            with_allowance,
            under_macp,
            better,
            eligibility_basis: input.substantive_basic,
        },
    ))
}

/// Deputation (duty) allowance rates: a share of basic pay, up to a monthly
/// ceiling, lower within the same station than with a change of station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowanceRates {
    pub same_station_percent: u32,
    pub same_station_ceiling: u32,
    pub other_percent: u32,
    pub other_ceiling: u32,
}

/// The rates by date. The 2017 order (w.e.f. 01.07.2017) also raises the
/// ceilings by 25% each time dearness allowance rises by 50%; DA reached 50%
/// on 01.01.2024, hence the second entry.
pub fn allowance_rates() -> &'static DatedParam<AllowanceRates> {
    static P: OnceLock<DatedParam<AllowanceRates>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ymd(2017, 7, 1),
                value: AllowanceRates {
                    same_station_percent: 5,
                    same_station_ceiling: 4500,
                    other_percent: 10,
                    other_ceiling: 9000,
                },
                source: "DoPT OM No. 2/11/2017-Estt.(Pay-II) dated 24.11.2017, para 5 (w.e.f. 01.07.2017)",
            },
            Dated {
                from: ymd(2024, 1, 1),
                value: AllowanceRates {
                    same_station_percent: 5,
                    same_station_ceiling: 5625,
                    other_percent: 10,
                    other_ceiling: 11250,
                },
                source: "DoPT OM No. 2/11/2017-Estt.(Pay-II) dated 24.11.2017: ceilings rise by 25% each time DA rises by 50% (DA at 50% from 01.01.2024)",
            },
        ])
    })
}

/// The deputation (duty) allowance for one deputation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeputationAllowance {
    /// Whether the post is in the station the officer serves in now.
    pub same_station: bool,
    pub percent: u32,
    pub ceiling: u32,
    /// On the substantive basic pay, limited to the ceiling.
    pub amount: u32,
}

/// The allowance on `basic` in force on `on`, and the order that fixed it.
pub fn allowance(
    on: NaiveDate,
    basic: u32,
    same_station: bool,
) -> Result<(DeputationAllowance, &'static str), PayError> {
    let rates = allowance_rates()
        .at(on)
        .ok_or(PayError::NotInForce("a deputation (duty) allowance rate"))?;
    let r = rates.value;
    let (percent, ceiling) = if same_station {
        (r.same_station_percent, r.same_station_ceiling)
    } else {
        (r.other_percent, r.other_ceiling)
    };
    // Rupees, the half rupee rounded up.
    let share = (u64::from(basic) * u64::from(percent) + 50) / 100;
    let amount = u32::try_from(share).unwrap_or(u32::MAX).min(ceiling);
    Ok((
        DeputationAllowance {
            same_station,
            percent,
            ceiling,
            amount,
        },
        rates.source,
    ))
}

/// The pay the officer would draw in the substantive level had the upgrade
/// not been granted: the highest cell of `substantive` from which Rule 13 of
/// 2016 gives a pay not above the one drawn in the upgraded level. Both
/// levels then advance a cell a year, so the pair stays in step. At the foot
/// of a level several cells fix to the same pay; the highest is taken, so
/// the normal entitlement is not understated (docs/rules/pay.md).
pub fn substantive_pay(substantive: Level, drawn: Cell) -> Result<Cell, PayError> {
    let mut found = None;
    for &pay in substantive.cells() {
        if rule13_2016(substantive, pay, drawn.level)?.basic > drawn.pay {
            break;
        }
        found = Some(pay);
    }
    let pay = found.ok_or_else(|| PayError::PayOutOfRange {
        what: format!("the pay of an upgrade from {substantive}"),
        pay: drawn.pay,
    })?;
    substantive.cell_of(pay)
}

/// What MACP-9 needs to know of an officer and a deputation post.
#[derive(Debug, Clone, Copy)]
pub struct DeputationFacts {
    /// The level of the substantive grade held on regular basis (DEP-2).
    pub substantive_level: Level,
    /// The level and cell drawn now, higher where ACP/MACP is held.
    pub drawn: Cell,
    /// Whether the deputation post is in the officer's present station.
    pub same_station: bool,
}

/// The ways an officer may draw pay on a deputation (MACP-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeputationPay {
    /// Only an officer holding an ACP/MACP upgrade has a choice.
    pub macp_upgrade_held: bool,
    /// The substantive level and its pay (notional where an upgrade is held).
    pub substantive: Cell,
    /// The upgraded level and the pay drawn in it.
    pub macp: Option<Cell>,
    pub allowance: DeputationAllowance,
    /// Substantive pay plus deputation allowance: the normal entitlement.
    pub with_allowance: u32,
    /// The ACP/MACP pay, without deputation allowance.
    pub under_macp: Option<u32>,
    pub better: DeputationChoice,
}

/// Both options for drawing pay on a deputation and the better of them
/// (MACP-9), on the rates in force on `as_of`.
pub fn deputation_pay(
    as_of: NaiveDate,
    facts: &DeputationFacts,
) -> Result<Decision<DeputationPay>, PayError> {
    let DeputationFacts {
        substantive_level,
        drawn,
        same_station,
    } = *facts;
    if drawn.level < substantive_level {
        return Err(PayError::InconsistentPayRef(format!(
            "level {} drawn is below the level {substantive_level} of the substantive grade",
            drawn.level
        )));
    }
    let held = drawn.level > substantive_level;
    let substantive = if held {
        substantive_pay(substantive_level, drawn)?
    } else {
        drawn
    };
    let (allowance, source) = allowance(as_of, substantive.pay, same_station)?;
    let mut reasons = Reasons::new();
    if held {
        reasons.push(
            &rules::PAY_1_2016,
            format!(
                "pay {} in {} (ACP/MACP) corresponds to {} in {}, the substantive level: the highest cell from which Rule 13 of 2016 gives the pay drawn (the service book decides where the pay at the upgrade differs)",
                drawn.pay, drawn.level, substantive.pay, substantive.level
            ),
        );
    } else {
        reasons.push(
            &rules::MACP_9,
            format!(
                "no ACP/MACP upgrade held ({} is the level of the substantive grade): the normal deputation terms apply",
                drawn.level
            ),
        );
    }
    // The allowance rests on the order of its rates, not on the MACPS OM.
    reasons.push(
        &rules::MACP_9.resting_on(source),
        format!(
            "deputation (duty) allowance {}% of basic pay {} {}, ceiling {}: {} ({source})",
            allowance.percent,
            substantive.pay,
            if same_station {
                "within the same station"
            } else {
                "with a change of station"
            },
            allowance.ceiling,
            allowance.amount,
        ),
    );
    if !held {
        let with_allowance = substantive.pay.saturating_add(allowance.amount);
        return Ok(reasons.decide(
            as_of,
            DeputationPay {
                macp_upgrade_held: false,
                substantive,
                macp: None,
                allowance,
                with_allowance,
                under_macp: None,
                better: DeputationChoice::SubstantivePayWithAllowance,
            },
        ));
    }
    let compared = compare_deputation(
        as_of,
        &DeputationInput {
            substantive_basic: substantive.pay,
            deputation_allowance: allowance.amount,
            macp_basic: drawn.pay,
        },
    )?;
    reasons.append(compared.reasons);
    let c = compared.outcome;
    Ok(reasons.decide(
        as_of,
        DeputationPay {
            macp_upgrade_held: true,
            substantive,
            macp: Some(drawn),
            allowance,
            with_allowance: c.with_allowance,
            under_macp: Some(c.under_macp),
            better: c.better,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;
    use crate::pay::fixation::rule13_2016;
    use crate::pay::matrix::Level;

    #[test]
    fn macp_9_compares_macp_pay_with_deputation_allowance() {
        // Clarification 10: Level 6 pay 44900 with MACP to Level 7 (Rule 13).
        let l6 = Level::parse("6").unwrap();
        let macp = rule13_2016(l6, 44900, Level::parse("7").unwrap())
            .unwrap()
            .basic;
        assert_eq!(macp, 46200);
        let small = DeputationInput {
            substantive_basic: 44900,
            deputation_allowance: 900,
            macp_basic: macp,
        };
        let d = compare_deputation(ymd(2020, 1, 1), &small).unwrap();
        assert_eq!(d.outcome.better, DeputationChoice::MacpPay);
        assert_eq!(d.outcome.with_allowance, 45800);
        assert!(d.cites(&rules::MACP_9) && d.cites(&rules::DEP_2));
        let large = DeputationInput {
            deputation_allowance: 4490,
            ..small
        };
        let d = compare_deputation(ymd(2020, 1, 1), &large).unwrap();
        assert_eq!(
            d.outcome.better,
            DeputationChoice::SubstantivePayWithAllowance
        );
        assert_eq!(d.outcome.eligibility_basis, 44900);
        let tie = DeputationInput {
            deputation_allowance: 1300,
            ..small
        };
        assert_eq!(
            compare_deputation(ymd(2020, 1, 1), &tie)
                .unwrap()
                .outcome
                .better,
            DeputationChoice::SubstantivePayWithAllowance
        );
    }

    #[test]
    fn macp_pay_below_substantive_is_refused() {
        let bad = DeputationInput {
            substantive_basic: 50000,
            deputation_allowance: 0,
            macp_basic: 40000,
        };
        assert!(compare_deputation(ymd(2020, 1, 1), &bad).is_err());
    }

    fn cell(level: &str, pay: u32) -> Cell {
        Level::parse(level).unwrap().cell_of(pay).unwrap()
    }

    #[test]
    fn allowance_rates_follow_the_orders_by_date() {
        // 10% of 44900 is 4490, under every ceiling; 5% of 123100 is 6155,
        // above the 2017 ceiling 4500 and the 2024 ceiling 5625.
        let (a, src) = allowance(ymd(2020, 1, 1), 44900, false).unwrap();
        assert_eq!((a.percent, a.ceiling, a.amount), (10, 9000, 4490));
        assert!(src.contains("2/11/2017-Estt.(Pay-II)"));
        let (a, _) = allowance(ymd(2020, 1, 1), 123_100, true).unwrap();
        assert_eq!((a.percent, a.ceiling, a.amount), (5, 4500, 4500));
        let (a, _) = allowance(ymd(2024, 1, 1), 123_100, true).unwrap();
        assert_eq!((a.ceiling, a.amount), (5625, 5625));
        let (a, _) = allowance(ymd(2023, 12, 31), 123_100, false).unwrap();
        assert_eq!((a.ceiling, a.amount), (9000, 9000));
        let (a, _) = allowance(ymd(2026, 11, 22), 123_100, false).unwrap();
        assert_eq!((a.ceiling, a.amount), (11250, 11250));
        // Half a rupee rounds up: 5% of 35,410 would be 1770.5 (not a cell,
        // but the arithmetic is the engine's).
        assert_eq!(
            allowance(ymd(2020, 1, 1), 35410, true).unwrap().0.amount,
            1771
        );
        assert_eq!(
            allowance(ymd(2017, 6, 30), 44900, false).unwrap_err(),
            PayError::NotInForce("a deputation (duty) allowance rate")
        );
    }

    #[test]
    fn substantive_pay_inverts_rule_13_cell_for_cell() {
        // Level 6 44900 -> Level 7 46200 on the upgrade (Rule 13), and a year
        // later 46200 -> 47600: each pay drawn maps back to its pair.
        let l6 = Level::parse("6").unwrap();
        assert_eq!(substantive_pay(l6, cell("7", 46200)).unwrap().pay, 44900);
        assert_eq!(substantive_pay(l6, cell("7", 47600)).unwrap().pay, 46200);
        for &pay in l6.cells() {
            let up = rule13_2016(l6, pay, Level::parse("7").unwrap())
                .unwrap()
                .basic;
            let back = substantive_pay(l6, cell("7", up)).unwrap().pay;
            assert!(back >= pay, "{pay} -> {up} -> {back}");
            assert!(
                rule13_2016(l6, back, Level::parse("7").unwrap())
                    .unwrap()
                    .basic
                    <= up
            );
        }
        // Every Level 6 cell up to 43600 fixes at the foot of Level 7: the
        // highest is taken. A "substantive" level above the one drawn is no
        // upgrade.
        assert_eq!(substantive_pay(l6, cell("7", 44900)).unwrap().pay, 43600);
        let l8 = Level::parse("8").unwrap();
        assert!(substantive_pay(l8, cell("7", 44900)).is_err());
    }

    #[test]
    fn deputation_pay_shows_both_options_to_an_macp_holder() {
        // Clarification 10's case: an officer of Level 6 holding MACP to
        // Level 7 (pay 46200) goes on deputation out of station in 2026.
        let facts = DeputationFacts {
            substantive_level: Level::parse("6").unwrap(),
            drawn: cell("7", 46200),
            same_station: false,
        };
        let d = deputation_pay(ymd(2026, 11, 22), &facts).unwrap();
        let o = d.outcome;
        assert!(o.macp_upgrade_held);
        assert_eq!(o.substantive.pay, 44900);
        assert_eq!(o.allowance.amount, 4490);
        assert_eq!(o.with_allowance, 49390);
        assert_eq!(o.under_macp, Some(46200));
        assert_eq!(o.better, DeputationChoice::SubstantivePayWithAllowance);
        assert!(d.cites(&rules::MACP_9) && d.cites(&rules::DEP_2) && d.cites(&rules::PAY_1));
        assert!(d.reasons.iter().any(|r| r.text.contains("2/11/2017")));

        // Within the same station the allowance is 5%: 2245, and 44900 +
        // 2245 = 47145 still beats 46200.
        let same = DeputationFacts {
            same_station: true,
            ..facts
        };
        let o = deputation_pay(ymd(2026, 11, 22), &same).unwrap().outcome;
        assert_eq!((o.allowance.amount, o.with_allowance), (2245, 47145));
        assert_eq!(o.better, DeputationChoice::SubstantivePayWithAllowance);
        // Where the ceiling bites, the MACP pay wins: Level 10 128200 to
        // Level 11 134000; 5% of 128200 is 6410, capped at 5625, and
        // 128200 + 5625 = 133825. Out of station (ceiling 11250) it loses.
        let capped = DeputationFacts {
            substantive_level: Level::parse("10").unwrap(),
            drawn: cell("11", 134_000),
            same_station: true,
        };
        let o = deputation_pay(ymd(2026, 11, 22), &capped).unwrap().outcome;
        assert_eq!(o.substantive.pay, 128_200);
        assert_eq!((o.allowance.amount, o.with_allowance), (5625, 133_825));
        assert_eq!(o.better, DeputationChoice::MacpPay);
        let away = DeputationFacts {
            same_station: false,
            ..capped
        };
        let o = deputation_pay(ymd(2026, 11, 22), &away).unwrap().outcome;
        assert_eq!(o.with_allowance, 128_200 + 11_250);
        assert_eq!(o.better, DeputationChoice::SubstantivePayWithAllowance);
    }

    #[test]
    fn without_an_upgrade_only_the_normal_terms_apply() {
        let facts = DeputationFacts {
            substantive_level: Level::parse("8").unwrap(),
            drawn: cell("8", 47600),
            same_station: false,
        };
        let d = deputation_pay(ymd(2026, 11, 22), &facts).unwrap();
        assert!(!d.outcome.macp_upgrade_held);
        assert_eq!(d.outcome.macp, None);
        assert_eq!(d.outcome.with_allowance, 47600 + 4760);
        assert!(d.cites(&rules::MACP_9));
        let below = DeputationFacts {
            substantive_level: Level::parse("9").unwrap(),
            ..facts
        };
        assert!(deputation_pay(ymd(2026, 11, 22), &below).is_err());
    }
}
