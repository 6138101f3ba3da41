//! EXG-1: the ex-gratia lump sum compensation paid to the family of a
//! Government servant who died in service, and the ceiling on what the
//! family may receive from every Government source together.
//!
//! Each order has two dates: the day it was issued (from which it is in
//! force, the as-of date's axis) and the deaths it reaches. The OM of
//! 16.03.2009 put a Rs 20 lakh aggregate ceiling on the 1998 order (OM
//! 45/55/97-P&PW(C) of 11.09.1998); the OM of 12.07.2010 withdrew it with
//! effect from 01.01.2006. As of a date between the two the ceiling
//! applies; from 12.07.2010 it never applied to a death on or after
//! 01.01.2006. Otherwise the 1998 order governs; its text is not in the
//! seeds, so the engine says so rather than guess.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decision::{Decision, Reasons};
use crate::employee::string_enum;
use crate::fields::{dmy, FieldErrors};
use crate::params::ymd;
use crate::rules::EXG_1;

string_enum!(
    /// Where an amount paid to the family comes from (OMs of 16.03.2009 and 12.07.2010: "including
    /// from sundry Government sources, such as the Prime Minister's Relief
    /// Fund, Chief Minister's Relief Fund, etc.").
    Source, "ex-gratia source" {
        CentralGovernment = "central_government",
        PmRelief = "pm_relief_fund",
        CmRelief = "cm_relief_fund",
        OtherGovernment = "other_government_source",
    }
);

/// The Rs 20 lakh aggregate ceiling of OM 45/7/2008-P&PW(F) of 16.03.2009,
/// in rupees.
pub const CEILING_2009_RUPEES: i64 = 2_000_000;

/// Which order settles the ceiling for a death.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// OM 45/55/97-P&PW(C) of 11.09.1998 (as read with later orders)
    /// governs; its terms are not held by this system, so no amount is decided here.
    #[serde(rename = "order_1998")]
    Order1998,
    /// The Rs 20 lakh aggregate ceiling of the OM of 16.03.2009, in force
    /// from its issue until the OM of 12.07.2010 withdrew it.
    #[serde(rename = "ceiling_2009")]
    Ceiling2009,
    /// No ceiling (OM of 12.07.2010, effective 01.01.2006).
    NoCeiling,
}

/// One order on the ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// In force from this day (its issue): the as-of date's axis.
    pub issued: NaiveDate,
    /// The deaths it reaches: on or after this day.
    pub deaths_from: NaiveDate,
    pub regime: Regime,
    pub source: &'static str,
}

/// The first day the 16.03.2009 ceiling and its withdrawal reach (EXG-1).
pub const SIXTH_CPC_FROM: NaiveDate = ymd(2006, 1, 1);

/// The orders, oldest first. The OM of 16.03.2009 is taken to reach deaths
/// from 01.01.2006: it implemented the Sixth CPC (the subject of the OM of
/// 12.07.2010, which modifies it) and its withdrawal was given effect from
/// that day; the seed states no date of effect for it (docs/assumptions.md).
pub const ORDERS: &[Order] = &[
    Order {
        issued: NaiveDate::MIN,
        deaths_from: NaiveDate::MIN,
        regime: Regime::Order1998,
        source: "DoP&PW OM No. 45/55/97-P&PW(C) dated 11.09.1998 (its terms not held by this system)",
    },
    Order {
        issued: ymd(2009, 3, 16),
        deaths_from: SIXTH_CPC_FROM,
        regime: Regime::Ceiling2009,
        source: "DoP&PW OM No. 45/7/2008-P&PW(F) dated 16.03.2009, as recited in para 1 of the OM of 12.07.2010",
    },
    Order {
        issued: ymd(2010, 7, 12),
        deaths_from: SIXTH_CPC_FROM,
        regime: Regime::NoCeiling,
        source: "DoP&PW OM No. 45/7/2008-P&PW(F) dated 12.07.2010, paras 2 and 3",
    },
];

/// The order that settles a death on `death` as of `as_of`: the latest
/// issued on or before `as_of` that reaches the death.
pub fn order_in_force(as_of: NaiveDate, death: NaiveDate) -> &'static Order {
    ORDERS
        .iter()
        .rev()
        .find(|o| o.issued <= as_of && o.deaths_from <= death)
        .unwrap_or(&ORDERS[0])
}

/// One amount paid or sanctioned to the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceAmount {
    pub source: Source,
    /// Which fund or authority, e.g. "Chief Minister's Relief Fund, Kerala".
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub description: Option<String>,
    /// Rupees, whole.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100000000))]
    pub amount: i64,
}

/// What the engine needs about one death in service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExGratiaInput {
    pub date_of_death: NaiveDate,
    /// Every amount from every Government source, at least one.
    pub amounts: Vec<SourceAmount>,
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExGratiaOutcome {
    pub regime: Regime,
    /// The order the regime rests on.
    pub order: &'static str,
    /// Sum of the amounts from every source, rupees.
    pub total: i64,
    /// The aggregate ceiling in force (null: none, or not known here).
    pub ceiling: Option<i64>,
    /// What the family may receive in all; null when the governing order is
    /// not held by this system and the amount must be settled under it by hand.
    pub admissible: Option<i64>,
    /// Whether the engine could decide the amount.
    pub determined: bool,
}

/// The input's own faults: amounts negative or implausible, no amount,
/// a death after the as-of date.
pub fn check(input: &ExGratiaInput, as_of: NaiveDate) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if input.amounts.is_empty() {
        errors.push("amounts", "give at least one amount");
    }
    if input.amounts.len() > 20 {
        errors.push("amounts", "at most 20 amounts");
    }
    for (i, a) in input.amounts.iter().enumerate() {
        if !(0..=100_000_000).contains(&a.amount) {
            errors.push(
                format!("amounts[{i}].amount"),
                "rupees from 0 to 10,00,00,000",
            );
        }
        if a.description
            .as_deref()
            .is_some_and(|d| d.trim().chars().count() > 200)
        {
            errors.push(
                format!("amounts[{i}].description"),
                "at most 200 characters",
            );
        }
    }
    if input.date_of_death > as_of {
        errors.push(
            "date_of_death",
            format!("after the date decided as of ({})", dmy(as_of)),
        );
    }
    errors
}

/// The deceased as the record knows them, where the case names an
/// employee on record.
#[derive(Debug, Clone, Copy)]
pub struct OnRecord<'a> {
    pub joined_government_on: NaiveDate,
    pub organisation: &'a str,
    /// The ministry above the organisation, if any.
    pub ministry: Option<&'a str>,
}

/// EXG-1 compensates a death in service: for an employee on record, the
/// death falls after they joined Government, and the case is recorded
/// for their organisation or its ministry.
pub fn check_deceased(
    date_of_death: NaiveDate,
    case_organisation: &str,
    deceased: &OnRecord<'_>,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if date_of_death < deceased.joined_government_on {
        errors.push(
            "date_of_death",
            format!(
                "before the employee joined Government ({}): EXG-1 is for a death in service",
                dmy(deceased.joined_government_on)
            ),
        );
    }
    if case_organisation != deceased.organisation && Some(case_organisation) != deceased.ministry {
        errors.push(
            "organisation_id",
            format!(
                "the employee serves in {}{}",
                deceased.organisation,
                deceased
                    .ministry
                    .map(|m| format!(" (under {m})"))
                    .unwrap_or_default()
            ),
        );
    }
    errors
}

/// Indian digit grouping for rupees in reasons (Rs 20,00,000).
fn rupees(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let (head, last3) = digits.split_at(digits.len().saturating_sub(3));
    let mut groups = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (h, t) = rest.split_at(rest.len() - 2);
        groups.push(t);
        rest = h;
    }
    if !rest.is_empty() {
        groups.push(rest);
    }
    groups.reverse();
    let mut out = groups.join(",");
    if !out.is_empty() {
        out.push(',');
    }
    out.push_str(last3);
    format!("Rs {}{out}", if n < 0 { "-" } else { "" })
}

/// EXG-1 as of `as_of`: the ceiling of the orders issued by then that reach
/// the date of death, applied to the total from every source.
pub fn assess(input: &ExGratiaInput, as_of: NaiveDate) -> Decision<ExGratiaOutcome> {
    let total: i64 = input.amounts.iter().map(|a| a.amount).sum();
    let mut reasons = Reasons::new();
    let death = input.date_of_death;
    let Order { regime, source, .. } = *order_in_force(as_of, death);
    // Each reason rests on the order in force for the case, not on EXG-1's
    // pair of orders as a whole (the 1998 order before either reaches).
    let exg = EXG_1.resting_on(source);
    let decided = |ceiling: Option<i64>, admissible: i64| ExGratiaOutcome {
        regime,
        order: source,
        total,
        ceiling,
        admissible: Some(admissible),
        determined: true,
    };
    let outcome = match regime {
        Regime::NoCeiling => {
            reasons.push(
                &exg,
                format!(
                    "death on {} is on or after 01.01.2006: there is no ceiling on ex-gratia lump sum compensation from all Government sources together (OM of 12.07.2010, paras 2 and 3)",
                    dmy(death)
                ),
            );
            if total > CEILING_2009_RUPEES {
                reasons.push(
                    &exg,
                    format!(
                        "the aggregate ceiling of {} set by OM of 16.03.2009 was withdrawn with effect from 01.01.2006: the total of {} is not reduced",
                        rupees(CEILING_2009_RUPEES),
                        rupees(total)
                    ),
                );
            }
            reasons.push(
                &exg,
                format!("admissible: the whole total of {}", rupees(total)),
            );
            decided(None, total)
        }
        Regime::Ceiling2009 => {
            reasons.push(
                &exg,
                format!(
                    "as of {}, for a death on {} (on or after 01.01.2006), the OM of 16.03.2009 is in force: ex-gratia lump sum compensation from all Government sources together, the Prime Minister's and Chief Ministers' Relief Funds included, may not exceed {} in each case",
                    dmy(as_of),
                    dmy(death),
                    rupees(CEILING_2009_RUPEES)
                ),
            );
            let admissible = total.min(CEILING_2009_RUPEES);
            reasons.push(
                &exg,
                if total > CEILING_2009_RUPEES {
                    format!(
                        "the total of {} exceeds it: admissible {}",
                        rupees(total),
                        rupees(admissible)
                    )
                } else {
                    format!(
                        "the total of {} is within it: admissible in whole",
                        rupees(total)
                    )
                },
            );
            decided(Some(CEILING_2009_RUPEES), admissible)
        }
        Regime::Order1998 => {
            reasons.push(
                &exg,
                if death < SIXTH_CPC_FROM {
                    format!(
                        "death on {} is before 01.01.2006, which no later order applied here reaches: the amount is governed by OM 45/55/97-P&PW(C) of 11.09.1998, whose terms this system does not hold; settle the amount under that order",
                        dmy(death)
                    )
                } else {
                    format!(
                        "as of {} no order on the ceiling that this system applies had been issued (the first is of 16.03.2009): the amount for a death on {} is governed by OM 45/55/97-P&PW(C) of 11.09.1998 as read with later orders, whose terms this system does not hold; settle the amount under them",
                        dmy(as_of),
                        dmy(death)
                    )
                },
            );
            ExGratiaOutcome {
                regime,
                order: source,
                total,
                ceiling: None,
                admissible: None,
                determined: false,
            }
        }
    };
    reasons.decide(as_of, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(death: NaiveDate, amounts: &[(Source, i64)]) -> ExGratiaInput {
        ExGratiaInput {
            date_of_death: death,
            amounts: amounts
                .iter()
                .map(|(s, a)| SourceAmount {
                    source: *s,
                    description: None,
                    amount: *a,
                })
                .collect(),
        }
    }

    #[test]
    fn a_death_on_the_last_day_before_the_withdrawal_is_left_to_the_1998_order() {
        let d = assess(
            &input(ymd(2005, 12, 31), &[(Source::CentralGovernment, 500_000)]),
            ymd(2026, 1, 1),
        );
        assert_eq!(d.outcome.regime, Regime::Order1998);
        assert_eq!(
            serde_json::to_value(d.outcome.regime).unwrap(),
            "order_1998"
        );
        assert!(!d.outcome.determined && d.outcome.admissible.is_none());
        assert!(d.reasons[0].text.contains("this system does not hold"));
        assert!(d.outcome.order.contains("11.09.1998"));
        assert!(d.cites(&EXG_1));
    }

    #[test]
    fn from_the_first_of_january_2006_there_is_no_ceiling() {
        let d = assess(
            &input(ymd(2006, 1, 1), &[(Source::CentralGovernment, 1_000_000)]),
            ymd(2026, 1, 1),
        );
        assert_eq!(d.outcome.regime, Regime::NoCeiling);
        assert_eq!(d.outcome.admissible, Some(1_000_000));
        assert!(d.outcome.order.contains("12.07.2010"));
    }

    #[test]
    fn a_2009_death_above_twenty_lakh_is_not_cut_down() {
        let amounts = [
            (Source::CentralGovernment, 1_500_000),
            (Source::PmRelief, 700_000),
            (Source::CmRelief, 300_000),
        ];
        let d = assess(&input(ymd(2009, 6, 15), &amounts), ymd(2026, 1, 1));
        assert_eq!(d.outcome.total, 2_500_000);
        assert_eq!(d.outcome.admissible, Some(2_500_000));
        assert_eq!(d.outcome.ceiling, None);
        assert!(d.reasons.iter().any(|r| r.text.contains("Rs 20,00,000")
            && r.text.contains("withdrawn")
            && r.text.contains("Rs 25,00,000")));
    }

    #[test]
    fn until_the_withdrawal_was_issued_on_12_07_2010_the_twenty_lakh_ceiling_applied() {
        let amounts = [
            (Source::CentralGovernment, 1_500_000),
            (Source::PmRelief, 700_000),
        ];
        let death = input(ymd(2009, 8, 20), &amounts);
        let regime =
            |d: &Decision<ExGratiaOutcome>| serde_json::to_value(d.outcome.regime).unwrap();
        for as_of in [ymd(2009, 12, 1), ymd(2010, 7, 11)] {
            let d = assess(&death, as_of);
            assert_eq!(regime(&d), "ceiling_2009", "{as_of}");
            assert_eq!(d.outcome.total, 2_200_000);
            assert_eq!(d.outcome.ceiling, Some(2_000_000));
            assert_eq!(d.outcome.admissible, Some(2_000_000));
            assert!(d.outcome.determined && d.outcome.order.contains("16.03.2009"));
            assert!(d.reasons.iter().all(|r| !r.text.contains("withdrawn")));
        }
        // Issued on 12.07.2010, the withdrawal reaches back to 01.01.2006.
        let d = assess(&death, ymd(2010, 7, 12));
        assert_eq!(regime(&d), "no_ceiling");
        assert_eq!(d.outcome.admissible, Some(2_200_000));
        // Under the ceiling, the whole total.
        let small = input(ymd(2009, 8, 20), &[(Source::CentralGovernment, 1_000_000)]);
        assert_eq!(
            assess(&small, ymd(2009, 12, 1)).outcome.admissible,
            Some(1_000_000)
        );
        // A 2008 death: the ceiling from the day the OM of 16.03.2009 was
        // issued; the day before, the 1998 order as then read, not in the seeds.
        let earlier = input(ymd(2008, 6, 1), &amounts);
        assert_eq!(regime(&assess(&earlier, ymd(2009, 3, 16))), "ceiling_2009");
        let d = assess(&earlier, ymd(2009, 3, 15));
        assert_eq!(regime(&d), "order_1998");
        assert!(!d.outcome.determined && d.outcome.admissible.is_none());
        // A death before 01.01.2006 was never under the ceiling.
        let d = assess(&input(ymd(2005, 6, 1), &amounts), ymd(2009, 12, 1));
        assert_eq!(regime(&d), "order_1998");
    }

    #[test]
    fn inputs_are_checked() {
        let bad = input(ymd(2026, 3, 1), &[(Source::PmRelief, -1)]);
        assert_eq!(
            check(&bad, ymd(2026, 1, 1)).paths(),
            ["amounts[0].amount", "date_of_death"]
        );
        assert_eq!(
            check(&input(ymd(2020, 1, 1), &[]), ymd(2026, 1, 1)).paths(),
            ["amounts"]
        );
    }

    #[test]
    fn rupees_in_indian_grouping() {
        assert_eq!(rupees(2_000_000), "Rs 20,00,000");
        assert_eq!(rupees(999), "Rs 999");
        assert_eq!(rupees(12_345_678), "Rs 1,23,45,678");
    }

    #[test]
    fn exg_1_a_death_in_the_service_of_the_organisation_on_record() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let deceased = OnRecord {
            joined_government_on: d(2016, 8, 1),
            organisation: "MHA-NDMA",
            ministry: Some("MHA"),
        };
        assert!(check_deceased(d(2026, 11, 1), "MHA-NDMA", &deceased).is_empty());
        assert!(check_deceased(d(2026, 11, 1), "MHA", &deceased).is_empty());
        assert_eq!(
            check_deceased(d(1990, 1, 1), "MEA", &deceased).paths(),
            ["date_of_death", "organisation_id"]
        );
    }
}
