//! The profile's status and the moves each role may make (PRF-1, PRF-2).

use serde::{Deserialize, Serialize};

use crate::principal::Role;

/// draft → submitted → validated; or submitted → returned (with reasons),
/// which the employee edits and submits again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProfileStatus {
    Draft,
    Submitted,
    Returned,
    Validated,
}

impl ProfileStatus {
    pub const ALL: [ProfileStatus; 4] = [
        ProfileStatus::Draft,
        ProfileStatus::Submitted,
        ProfileStatus::Returned,
        ProfileStatus::Validated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileStatus::Draft => "draft",
            ProfileStatus::Submitted => "submitted",
            ProfileStatus::Returned => "returned",
            ProfileStatus::Validated => "validated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What someone does to a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileAction {
    /// The employee changes their own sections.
    EmployeeEdit,
    /// A nodal officer or DoPT corrects any field (audited, status unchanged).
    Correct,
    Submit,
    Validate,
    Return,
}

impl ProfileAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileAction::EmployeeEdit => "edit",
            ProfileAction::Correct => "correct",
            ProfileAction::Submit => "submit",
            ProfileAction::Validate => "validate",
            ProfileAction::Return => "return",
        }
    }

    /// What a change to the document is when `role` makes it: the employee
    /// edits their own sections; an officer corrects (PRF-1).
    pub fn edit_by(role: Role) -> ProfileAction {
        if role == Role::Employee {
            ProfileAction::EmployeeEdit
        } else {
            ProfileAction::Correct
        }
    }

    const ALL: [ProfileAction; 5] = [
        ProfileAction::EmployeeEdit,
        ProfileAction::Correct,
        ProfileAction::Submit,
        ProfileAction::Validate,
        ProfileAction::Return,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a {current} profile")]
pub struct TransitionRefused {
    pub action: &'static str,
    pub current: &'static str,
    /// What this role could do instead, in the current status.
    pub allowed: Vec<&'static str>,
}

fn next(status: ProfileStatus, action: ProfileAction, role: Role) -> Option<ProfileStatus> {
    use ProfileAction as A;
    use ProfileStatus as S;
    let officer = matches!(role, Role::NodalOfficer | Role::Dopt);
    match (action, status) {
        // An employee's change to a validated profile reopens it: it must be
        // submitted and validated again. While under validation it is locked.
        (A::EmployeeEdit, S::Draft | S::Returned | S::Validated) if role == Role::Employee => {
            Some(if status == S::Returned {
                S::Returned
            } else {
                S::Draft
            })
        }
        (A::Submit, S::Draft | S::Returned) if role == Role::Employee => Some(S::Submitted),
        (A::Correct, s) if officer => Some(s),
        (A::Validate, S::Submitted) if officer => Some(S::Validated),
        (A::Return, S::Submitted) if officer => Some(S::Returned),
        _ => None,
    }
}

/// The status after `role` does `action`, or why it may not.
pub fn transition(
    status: ProfileStatus,
    action: ProfileAction,
    role: Role,
) -> Result<ProfileStatus, TransitionRefused> {
    next(status, action, role).ok_or_else(|| TransitionRefused {
        action: action.as_str(),
        current: status.as_str(),
        allowed: ProfileAction::ALL
            .into_iter()
            .filter(|a| next(status, *a, role).is_some())
            .map(ProfileAction::as_str)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProfileAction as A;
    use ProfileStatus as S;

    #[test]
    fn the_employee_path() {
        let e = Role::Employee;
        assert_eq!(transition(S::Draft, A::EmployeeEdit, e), Ok(S::Draft));
        assert_eq!(transition(S::Draft, A::Submit, e), Ok(S::Submitted));
        let locked = transition(S::Submitted, A::EmployeeEdit, e).unwrap_err();
        assert_eq!(locked.current, "submitted");
        assert!(locked.allowed.is_empty());
        assert_eq!(transition(S::Returned, A::EmployeeEdit, e), Ok(S::Returned));
        assert_eq!(transition(S::Returned, A::Submit, e), Ok(S::Submitted));
        assert_eq!(transition(S::Validated, A::EmployeeEdit, e), Ok(S::Draft));
        assert!(transition(S::Submitted, A::Validate, e).is_err());
    }

    #[test]
    fn the_officer_path() {
        for r in [Role::NodalOfficer, Role::Dopt] {
            assert_eq!(transition(S::Submitted, A::Validate, r), Ok(S::Validated));
            assert_eq!(transition(S::Submitted, A::Return, r), Ok(S::Returned));
            assert_eq!(transition(S::Validated, A::Correct, r), Ok(S::Validated));
            let refused = transition(S::Draft, A::Validate, r).unwrap_err();
            assert_eq!(refused.allowed, vec!["correct"]);
            assert!(transition(S::Draft, A::Submit, r).is_err());
        }
        for r in [Role::Avd, Role::SubNodalOfficer, Role::Integration] {
            for s in S::ALL {
                for a in ProfileAction::ALL {
                    assert!(transition(s, a, r).is_err(), "{r:?} {a:?} {s:?}");
                }
            }
        }
    }
}
