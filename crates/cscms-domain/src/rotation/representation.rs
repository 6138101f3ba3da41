//! ROT-1 with SPO-1 para 6: an officer's representation against their result
//! in an approved rotation round, heard by an authority above the one that
//! approved the allocation.
//!
//! The allocation is approved by the DoPT cadre authority; the portal has no
//! role above DoPT and its tokens carry no rank within it. The stand-in for
//! "one level above" is therefore that the officer who approved the run never
//! hears a representation against it ([`may_hear`]); any other DoPT officer
//! may (docs/assumptions.md).

use crate::employee::string_enum;
use crate::principal::{Principal, Role};
use crate::rules::ROT_1;
use crate::spouse_request::{specific_reasons, NotSpecific};
use crate::workflow::{labels, ReasonRule, Transition, Workflow};

string_enum!(
    /// Where a representation against a rotation result stands.
    RepState as "RotationRepresentationState", "rotation representation state" {
        Submitted = "submitted",
        Allowed = "allowed",
        Dismissed = "dismissed",
    }
);

string_enum!(
    /// What may be done to a representation against a rotation result.
    RepAction as "RotationRepresentationAction", "rotation representation action" {
        Represent = "represent",
        Allow = "allow",
        Dismiss = "dismiss",
    }
);

labels!(RepState, RepAction);

/// ROT-1 representations as data: the officer represents with reasons; DoPT
/// (not the officer who approved the run, [`may_hear`]) allows it, or
/// dismisses it with reasons.
pub const ROTATION_REPRESENTATION: Workflow<RepState, RepAction> = Workflow {
    name: "rotation_representation",
    rule: ROT_1,
    states: RepState::ALL,
    actions: RepAction::ALL,
    transitions: &[
        Transition {
            from: None,
            action: RepAction::Represent,
            to: RepState::Submitted,
            roles: &[Role::Employee],
            reason: ReasonRule::Required,
        },
        Transition {
            from: Some(RepState::Submitted),
            action: RepAction::Allow,
            to: RepState::Allowed,
            roles: &[Role::Dopt],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(RepState::Submitted),
            action: RepAction::Dismiss,
            to: RepState::Dismissed,
            roles: &[Role::Dopt],
            reason: ReasonRule::Required,
        },
    ],
    rests_on_clearance: &[],
};

/// Whether `who` may hear a representation against a run approved by
/// `approved_by` (a token subject): a DoPT officer other than the approver.
pub fn may_hear(who: &Principal, approved_by: &str) -> bool {
    who.role == Role::Dopt && who.sub != approved_by
}

/// Whether `who` is the DoPT officer who approved the run: they are shown
/// no action on a representation against it, as they do not hear it.
pub fn approved_the_run(who: &Principal, approved_by: &str) -> bool {
    who.role == Role::Dopt && who.sub == approved_by
}

/// Whether a step's reason is enough: a dismissal is a reasoned decision
/// and gives specific reasons, as a refusal of a posting with one's spouse
/// must (paras 5 and 6 of OM 28034/9/2009-Estt.(A), applied to rotation):
/// "no", or "administrative reasons", is not one. A missing reason is the
/// table's to refuse ([`ReasonRule::Required`]); other steps are not held to it.
pub fn reasons_suffice(action: RepAction, reason: Option<&str>) -> Result<(), NotSpecific> {
    let given = reason.map(str::trim).unwrap_or_default();
    if action != RepAction::Dismiss || given.is_empty() {
        return Ok(());
    }
    specific_reasons(Some(given))
        .map(|_| ())
        .map_err(|_| NotSpecific {
            message: format!(
                "ROT-1: a representation is dismissed only with specific reasons, as a refusal under paras 5 and 6 of OM 28034/9/2009-Estt.(A) is (what in the officer's case was weighed, and why it does not change the result); \"{given}\" does not give them"
            ),
        })
}

/// Where a representation goes, as the officer is told.
pub const REPRESENTATION_TO: &str = "a DoPT officer above the one who approved the allocation (never the approving officer), para 6 of OM 28034/9/2009-Estt.(A) applied to rotation";

#[cfg(test)]
mod tests {
    use super::*;

    fn dopt(sub: &str) -> Principal {
        Principal {
            sub: sub.into(),
            role: Role::Dopt,
            org: None,
            employee: None,
            scopes: vec![],
        }
    }

    #[test]
    fn rot_1_the_approving_officer_does_not_hear_the_representation() {
        assert!(!may_hear(&dopt("dopt:ds-cs1"), "dopt:ds-cs1"));
        assert!(may_hear(&dopt("dopt:js-cs"), "dopt:ds-cs1"));
        let nodal = Principal {
            role: Role::NodalOfficer,
            ..dopt("nodal:MHA")
        };
        assert!(!may_hear(&nodal, "dopt:ds-cs1"));
        let path = ROTATION_REPRESENTATION
            .path_to(RepState::Dismissed)
            .unwrap();
        assert_eq!(
            path,
            vec![
                (RepAction::Represent, Role::Employee),
                (RepAction::Dismiss, Role::Dopt)
            ]
        );
        assert!(ROTATION_REPRESENTATION.is_final(RepState::Allowed));
        let no_reason =
            ROTATION_REPRESENTATION.apply(None, RepAction::Represent, Role::Employee, None);
        assert_eq!(
            no_reason.unwrap_err().kind,
            crate::workflow::RefusalKind::ReasonRequired
        );
    }

    #[test]
    fn rot_1_a_dismissal_gives_specific_reasons() {
        for vague in [
            "no",
            "No.",
            "Rejected",
            "Administrative reasons",
            "not feasible as per rules",
        ] {
            let e = reasons_suffice(RepAction::Dismiss, Some(vague)).unwrap_err();
            assert!(
                e.message.contains("ROT-1") && e.message.contains(vague),
                "{vague}"
            );
        }
        let ok = "Tenure counted from the order of 01.01.2016, which is on record";
        assert_eq!(reasons_suffice(RepAction::Dismiss, Some(ok)), Ok(()));
        // A missing reason is the table's refusal; other steps are not held to it.
        assert_eq!(reasons_suffice(RepAction::Dismiss, None), Ok(()));
        assert_eq!(reasons_suffice(RepAction::Dismiss, Some("  ")), Ok(()));
        assert_eq!(reasons_suffice(RepAction::Allow, Some("ok")), Ok(()));
        assert_eq!(reasons_suffice(RepAction::Represent, Some("wrong")), Ok(()));
    }

    #[test]
    fn only_the_approver_is_the_approver() {
        assert!(approved_the_run(&dopt("dopt-1"), "dopt-1"));
        assert!(!approved_the_run(&dopt("dopt-2"), "dopt-1"));
        assert!(may_hear(&dopt("dopt-2"), "dopt-1") && !may_hear(&dopt("dopt-1"), "dopt-1"));
    }
}
