//! The route of a requisition (SUR-1): the office drafts and submits it;
//! the cadre controlling authority forwards it (for a body under a
//! ministry, the ministry's nodal officer: note (iv) of the proforma, "by
//! or through the Cadre Controlling Authority"); DoPT's R&R division takes
//! it up and issues a NOC or a NAC, nominates surplus employees against the
//! vacancies, or returns it with reasons. The requester is an office, not
//! an employee: no profile gate and no vigilance clearance.

use crate::employee::string_enum;
use crate::principal::Role;
use crate::rules::SUR_1;
use crate::workflow::{labels, ReasonRule, Transition, Workflow};

string_enum!(
    /// Where a requisition stands.
    SurState, "requisition state" {
        Draft = "draft",
        Submitted = "submitted",
        Forwarded = "forwarded",
        WithDopt = "with_dopt",
        NocIssued = "noc_issued",
        NacIssued = "nac_issued",
        Nominated = "nominated",
        Returned = "returned",
    }
);

string_enum!(
    /// What may be done to a requisition.
    SurAction, "requisition action" {
        Draft = "draft",
        Amend = "amend",
        Submit = "submit",
        Forward = "forward",
        TakeUp = "take_up",
        IssueNoc = "issue_noc",
        IssueNac = "issue_nac",
        Nominate = "nominate",
        Return = "return",
    }
);

labels!(SurState, SurAction);

/// The office: a ministry's nodal officer for its own posts, a body's
/// sub-nodal officer for the body's.
const OFFICE: &[Role] = &[Role::NodalOfficer, Role::SubNodalOfficer];
/// The cadre controlling authority as the portal knows it: the ministry's
/// nodal officer (the store's scope confines it to its own ministry).
const AUTHORITY: &[Role] = &[Role::NodalOfficer];
const DOPT: &[Role] = &[Role::Dopt];

const fn t(
    from: Option<SurState>,
    action: SurAction,
    to: SurState,
    roles: &'static [Role],
    reason: ReasonRule,
) -> Transition<SurState, SurAction> {
    Transition {
        from,
        action,
        to,
        roles,
        reason,
    }
}

/// SUR-1 as data.
pub const SURPLUS_REQUISITION: Workflow<SurState, SurAction> = Workflow {
    name: "surplus_requisition",
    rule: SUR_1,
    states: SurState::ALL,
    actions: SurAction::ALL,
    transitions: &[
        t(
            None,
            SurAction::Draft,
            SurState::Draft,
            OFFICE,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::Draft),
            SurAction::Amend,
            SurState::Draft,
            OFFICE,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::Draft),
            SurAction::Submit,
            SurState::Submitted,
            OFFICE,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::Submitted),
            SurAction::Forward,
            SurState::Forwarded,
            AUTHORITY,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::Submitted),
            SurAction::Return,
            SurState::Returned,
            AUTHORITY,
            ReasonRule::Required,
        ),
        t(
            Some(SurState::Forwarded),
            SurAction::TakeUp,
            SurState::WithDopt,
            DOPT,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::Forwarded),
            SurAction::Return,
            SurState::Returned,
            DOPT,
            ReasonRule::Required,
        ),
        t(
            Some(SurState::WithDopt),
            SurAction::IssueNoc,
            SurState::NocIssued,
            DOPT,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::WithDopt),
            SurAction::IssueNac,
            SurState::NacIssued,
            DOPT,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::WithDopt),
            SurAction::Nominate,
            SurState::Nominated,
            DOPT,
            ReasonRule::Optional,
        ),
        t(
            Some(SurState::WithDopt),
            SurAction::Return,
            SurState::Returned,
            DOPT,
            ReasonRule::Required,
        ),
    ],
    rests_on_clearance: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::RefusalKind;

    #[test]
    fn the_table_reads_as_sur_1() {
        let w = SURPLUS_REQUISITION;
        assert_eq!(w.rule.id, "SUR-1");
        // A body's officer submits but cannot forward: the ministry does.
        let sub = Role::SubNodalOfficer;
        assert_eq!(
            w.allowed(Some(SurState::Draft), sub),
            [SurAction::Amend, SurAction::Submit]
        );
        let refused = w
            .apply(Some(SurState::Submitted), SurAction::Forward, sub, None)
            .unwrap_err();
        assert_eq!(refused.kind, RefusalKind::Role);
        // DoPT takes up only what was forwarded.
        let early = w
            .apply(
                Some(SurState::Submitted),
                SurAction::TakeUp,
                Role::Dopt,
                None,
            )
            .unwrap_err();
        assert_eq!(early.kind, RefusalKind::State);
        let bare = w
            .apply(
                Some(SurState::WithDopt),
                SurAction::Return,
                Role::Dopt,
                None,
            )
            .unwrap_err();
        assert_eq!(bare.kind, RefusalKind::ReasonRequired);
        for s in [
            SurState::NocIssued,
            SurState::NacIssued,
            SurState::Nominated,
            SurState::Returned,
        ] {
            assert!(w.is_final(s), "{s}");
        }
        for s in w.states {
            assert!(w.path_to(*s).is_some(), "{s} reachable");
        }
        // No step is an employee's or AVD's.
        for tr in w.transitions {
            assert!(!tr.roles.contains(&Role::Employee) && !tr.roles.contains(&Role::Avd));
        }
    }
}
