//! The clearance as a condition (VIG-1: every service fetches the
//! vigilance status when deciding, seed 000 para 3.5). A step
//! that rests on it — FV-1 grant, DEP-1 forward and approve — is withheld
//! while the clearance is denied or deferred, unless the deciding officer
//! records an override with reasons, which the step keeps.

use std::fmt;

use super::clearance::{Clearance, ClearanceOutcome, ClearancePurpose};
use crate::fields::Text;
use crate::rules::{Rule, VIG_1, VIG_2};

/// The deciding officer's reasons for taking a step the clearance does
/// not support: trimmed, 10 to 1000 characters (a word or two is not a
/// reason an order can rest on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceOverride(Text);

impl ClearanceOverride {
    pub const MIN: usize = 10;
    pub const MAX: usize = 1000;

    /// Why `text` is not an override's reasons, if it is not.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = Text::parse(text, Self::MAX)?;
        if t.as_str().chars().count() < Self::MIN {
            return Err(format!(
                "must give the reasons for going ahead without the clearance, at least {} characters",
                Self::MIN
            ));
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for ClearanceOverride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the condition was met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionMet {
    /// The clearance is `cleared`; an override given is not needed and is
    /// not recorded.
    Cleared,
    /// The clearance is withheld and the officer goes ahead on these reasons.
    Overridden(ClearanceOverride),
}

impl ConditionMet {
    /// The reasons to record with the step, if the step overrides.
    pub fn override_reasons(&self) -> Option<&str> {
        match self {
            Self::Cleared => None,
            Self::Overridden(o) => Some(o.as_str()),
        }
    }
}

/// The step is refused: the clearance is withheld and no override was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct Withheld {
    pub purpose: ClearancePurpose,
    /// `denied` or `deferred`.
    pub clearance: Clearance,
    /// The rule the outcome rests on: VIG-2 for a denial on a property
    /// return not filed in time, VIG-1 for one on the status (not clear)
    /// and for a deferral (status awaited or none).
    pub rule: Rule,
    pub text: String,
}

/// Whether a step that rests on the clearance may be taken: yes when
/// `cleared`; when `denied` or `deferred`, only on an override. Every
/// service takes the vigilance status into account when deciding (VIG-1,
/// seed 000 para 3.5); the property-return OM (VIG-2) is cited only where
/// a return not filed in time is a ground of the denial.
pub fn condition(
    outcome: &ClearanceOutcome,
    given: Option<ClearanceOverride>,
) -> Result<ConditionMet, Withheld> {
    let on_returns = outcome.on_returns();
    let (rule, why) = match outcome.clearance {
        Clearance::Cleared => return Ok(ConditionMet::Cleared),
        Clearance::Denied if on_returns => (VIG_2, "denied"),
        Clearance::Denied => (VIG_1, "denied"),
        Clearance::Deferred => (VIG_1, "deferred (vigilance status awaited or not recorded)"),
    };
    match given {
        Some(o) => Ok(ConditionMet::Overridden(o)),
        None => Err(Withheld {
            purpose: outcome.purpose,
            clearance: outcome.clearance,
            rule,
            text: format!(
                "the vigilance clearance for {} is {why} ({}; {}): vigilance clearance is a condition of this step ({}, {}); record an override with reasons to go ahead",
                outcome.purpose,
                rule.id,
                rule.citation,
                VIG_1.id,
                VIG_1.citation
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vigilance::{ClearanceGround, NotClearKind};
    use chrono::NaiveDate;

    fn outcome(clearance: Clearance) -> ClearanceOutcome {
        ClearanceOutcome {
            purpose: ClearancePurpose::Deputation,
            clearance,
            grounds: Vec::new(),
            status_in_force: None,
            ipr_years: Vec::new(),
        }
    }

    fn reasons() -> ClearanceOverride {
        ClearanceOverride::parse("  Charge memo withdrawn by order of 01.11.2026; AVD informed ")
            .unwrap()
    }

    #[test]
    fn withheld_while_denied_or_deferred_unless_overridden() {
        let mut late = outcome(Clearance::Denied);
        late.grounds.push(ClearanceGround::IprLate {
            year: 2025,
            due_on: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            filed_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        });
        let denied = condition(&late, None).unwrap_err();
        assert_eq!(
            (denied.clearance, denied.rule, denied.purpose),
            (Clearance::Denied, VIG_2, ClearancePurpose::Deputation)
        );
        assert!(denied.text.contains("is denied (VIG-2"), "{}", denied.text);
        // Denied on the status alone: the property-return OM is not cited.
        let mut charged = outcome(Clearance::Denied);
        charged.grounds.push(ClearanceGround::NotClear {
            reason: NotClearKind::ChargeSheetIssued,
            reason_text: None,
            since: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            order_ref: None,
        });
        let denied = condition(&charged, None).unwrap_err();
        assert_eq!(denied.rule, VIG_1);
        assert!(denied.text.contains("is denied (VIG-1"), "{}", denied.text);
        assert!(!denied.text.contains("VIG-2"), "{}", denied.text);
        let deferred = condition(&outcome(Clearance::Deferred), None).unwrap_err();
        assert_eq!(
            (deferred.clearance, deferred.rule),
            (Clearance::Deferred, VIG_1)
        );
        assert!(deferred.text.contains("is deferred"), "{}", deferred.text);
        assert!(!deferred.text.contains("denied"), "{}", deferred.text);
        for c in [Clearance::Denied, Clearance::Deferred] {
            let met = condition(&outcome(c), Some(reasons())).unwrap();
            assert_eq!(
                met.override_reasons(),
                Some("Charge memo withdrawn by order of 01.11.2026; AVD informed")
            );
        }
    }

    #[test]
    fn cleared_needs_no_override_and_records_none() {
        assert_eq!(
            condition(&outcome(Clearance::Cleared), None),
            Ok(ConditionMet::Cleared)
        );
        let met = condition(&outcome(Clearance::Cleared), Some(reasons())).unwrap();
        assert_eq!(met.override_reasons(), None);
    }

    #[test]
    fn an_override_must_give_reasons() {
        assert!(ClearanceOverride::parse("   ").is_err());
        assert!(ClearanceOverride::parse("ok, fine").is_err());
        assert!(ClearanceOverride::parse(&"x".repeat(1001)).is_err());
        assert!(ClearanceOverride::parse(&"x".repeat(1000)).is_ok());
    }
}
