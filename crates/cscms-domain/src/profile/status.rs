//! The profile's status and the moves each role may make (PRF-1, PRF-2).

use serde::{Deserialize, Serialize};

use crate::principal::Role;
use crate::rules::PRF_1;
use crate::workflow::{ReasonRule, Transition, Workflow};

/// draft → submitted → validated; or submitted → returned (with reasons),
/// which the employee edits and submits again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
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

crate::sql::sql_text!(ProfileStatus, |s| {
    ProfileStatus::parse(s).ok_or_else(|| crate::cadre::UnknownValue {
        what: "profile status",
        value: s.to_owned(),
    })
});

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

    pub const ALL: [ProfileAction; 5] = [
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
    /// The role never takes this action (403), rather than not now (409).
    pub never_by_role: bool,
    pub action: &'static str,
    pub current: &'static str,
    /// What this role could do instead, in the current status.
    pub allowed: Vec<&'static str>,
}

crate::workflow::labels!(ProfileStatus, ProfileAction);

const EMPLOYEE: &[Role] = &[Role::Employee];
/// The nodal officer and DoPT validate, return and correct (PRF-2).
const OFFICERS: &[Role] = &[Role::NodalOfficer, Role::Dopt];

const fn t(
    from: ProfileStatus,
    action: ProfileAction,
    to: ProfileStatus,
    roles: &'static [Role],
) -> Transition<ProfileStatus, ProfileAction> {
    Transition {
        from: Some(from),
        action,
        to,
        roles,
        reason: ReasonRule::Optional,
    }
}

/// The profile's status as data, on the one workflow mechanism. In
/// [`ProfileAction::ALL`] order, so that what a role may do is listed so.
/// An employee's change to a validated profile reopens it: it must be
/// submitted and validated again; while under validation it is locked. A
/// correction leaves the status as it was. The profile is made with the
/// employee's record, not by a step: no transition opens it.
pub const PROFILE: Workflow<ProfileStatus, ProfileAction> = {
    use ProfileAction as A;
    use ProfileStatus as S;
    Workflow {
        name: "profile",
        rule: PRF_1,
        states: &S::ALL,
        actions: &A::ALL,
        transitions: &[
            t(S::Draft, A::EmployeeEdit, S::Draft, EMPLOYEE),
            t(S::Returned, A::EmployeeEdit, S::Returned, EMPLOYEE),
            t(S::Validated, A::EmployeeEdit, S::Draft, EMPLOYEE),
            t(S::Draft, A::Correct, S::Draft, OFFICERS),
            t(S::Submitted, A::Correct, S::Submitted, OFFICERS),
            t(S::Returned, A::Correct, S::Returned, OFFICERS),
            t(S::Validated, A::Correct, S::Validated, OFFICERS),
            t(S::Draft, A::Submit, S::Submitted, EMPLOYEE),
            t(S::Returned, A::Submit, S::Submitted, EMPLOYEE),
            t(S::Submitted, A::Validate, S::Validated, OFFICERS),
            t(S::Submitted, A::Return, S::Returned, OFFICERS),
        ],
        rests_on_clearance: &[],
    }
};

/// The status after `role` does `action`, or why it may not: every refusal
/// is the status's (409), with what the role could do instead.
pub fn transition(
    status: ProfileStatus,
    action: ProfileAction,
    role: Role,
) -> Result<ProfileStatus, TransitionRefused> {
    PROFILE
        .apply(Some(status), action, role, None)
        .map_err(|r| TransitionRefused {
            never_by_role: r.kind == crate::workflow::RefusalKind::Role,
            action: r.action,
            current: r.current,
            allowed: r.allowed,
        })
}

/// Where a page of the profiles awaiting validation ends: when the last
/// one was submitted (to the nanosecond, as stored), then its employee's
/// code. Its text is the list's cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCursor {
    pub submitted_at: chrono::NaiveDateTime,
    pub code: crate::employee::EmployeeCode,
}

impl PendingCursor {
    /// Reads a cursor this list gave out; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        let (nanos, code) = s.split_once('.')?;
        Some(Self {
            submitted_at: chrono::DateTime::from_timestamp_nanos(nanos.parse().ok()?).naive_utc(),
            code: crate::employee::EmployeeCode::parse(code).ok()?,
        })
    }

    /// Its text, or none for a time outside the years 1677 to 2262.
    pub fn text(&self) -> Option<String> {
        let nanos = self.submitted_at.and_utc().timestamp_nanos_opt()?;
        Some(format!("{nanos}.{}", self.code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_cursor_reads_back_as_written_and_nothing_else_reads() {
        let at = crate::params::ymd(2026, 12, 3)
            .and_hms_nano_opt(18, 0, 1, 123_456_789)
            .unwrap();
        let code = crate::employee::EmployeeCode::parse("CSS-000042").unwrap();
        let c = PendingCursor {
            submitted_at: at,
            code,
        };
        let text = c.text().unwrap();
        assert_eq!(PendingCursor::parse(&text), Some(c));
        for bad in ["", "12", "x.CSS-000042", "12.not a code", "12.CSS-000042.1"] {
            assert_eq!(PendingCursor::parse(bad), None, "{bad}");
        }
    }
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
        // Validating is never the employee's: refused as such, not as
        // something the status forbids.
        let never = transition(S::Submitted, A::Validate, e).unwrap_err();
        assert!(never.never_by_role, "{never:?}");
        assert!(!locked.never_by_role);
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
