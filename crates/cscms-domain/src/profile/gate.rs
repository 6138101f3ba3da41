//! PRF-1: no other employee service until the profile has been submitted.

use serde::Serialize;

use crate::decision::{Decision, Reasons};
use crate::rules::PRF_1;

/// Why a service was refused at the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateRefusal {
    /// The step the employee must take first.
    pub missing_step: &'static str,
}

/// The one check every employee service calls before acting. `submitted_once`
/// is whether the profile has ever been submitted: later edits that reopen it
/// do not shut the services it has already unlocked.
pub fn profile_gate(
    submitted_once: bool,
    as_of: chrono::NaiveDate,
) -> Result<Decision<()>, Decision<GateRefusal>> {
    let mut reasons = Reasons::new();
    if submitted_once {
        reasons.push(&PRF_1, "the profile has been submitted");
        Ok(reasons.decide(as_of, ()))
    } else {
        reasons.push(
            &PRF_1,
            "updating and submitting the profile is the pre-requisite to availing services",
        );
        Err(reasons.decide(
            as_of,
            GateRefusal {
                missing_step: "submit the profile (POST /v1/employees/{code}/profile/submit)",
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_submitted_profile_passes() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(profile_gate(true, d).is_ok());
        let refused = profile_gate(false, d).unwrap_err();
        assert!(refused.cites(&PRF_1));
        assert!(refused.outcome.missing_step.contains("submit"));
    }
}
