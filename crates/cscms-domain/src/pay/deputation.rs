//! MACP-9: on deputation, the pay of the higher scale granted under ACP/MACP
//! may be drawn instead of the deputation allowance where more beneficial
//! (clarification 10); eligibility for the deputation post is still judged on
//! the substantive post held regularly (DEP-2).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PayError;
use crate::decision::{Decision, Reasons};
use crate::rules;

/// The amounts to compare, per month. The deputation allowance is given
/// (it depends on the orders regulating the deputation post).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeputationInput {
    /// Basic pay of the substantive post held on regular basis.
    pub substantive_basic: u32,
    pub deputation_allowance: u32,
    /// Basic pay in the higher scale granted under ACP/MACP.
    pub macp_basic: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeputationChoice {
    /// Substantive pay plus deputation allowance (the normal entitlement).
    SubstantivePayWithAllowance,
    /// The ACP/MACP pay, without deputation allowance.
    MacpPay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
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
}
