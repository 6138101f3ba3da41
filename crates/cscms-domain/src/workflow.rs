//! The one approval-workflow mechanism (FV-1, DEP-1).
//!
//! A workflow is data: the transitions of a request type, each naming the
//! state it leaves (none for the step that opens a record), the action, the
//! state it reaches, the roles that may take it and whether a reason is
//! required. [`Workflow::apply`] decides a move; [`Workflow::step`] also
//! builds the decision record kept for every step: who, in which role,
//! when, why, and the vigilance clearance fetched at that moment (VIG-1).
//!
//! Scope is not decided here: who may see a record is the principal's rule
//! (`Principal::sees`); this module says what a role may do to a record it sees.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::principal::{Principal, Role};
use crate::rules::Rule;

/// A state or an action of a workflow: a closed set of named values.
pub trait Label: Copy + Eq + fmt::Debug + 'static {
    fn label(self) -> &'static str;
}

/// Implements [`Label`] for enums made by `string_enum!`.
macro_rules! labels {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::workflow::Label for $t {
            fn label(self) -> &'static str {
                self.as_str()
            }
        })+
    };
}
pub(crate) use labels;

/// Whether a step must say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonRule {
    Optional,
    Required,
}

/// One allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S: 'static, A: 'static> {
    /// The state left; `None` for the step that opens a record.
    pub from: Option<S>,
    pub action: A,
    pub to: S,
    pub roles: &'static [Role],
    pub reason: ReasonRule,
}

/// A request type's state machine.
#[derive(Debug, Clone, Copy)]
pub struct Workflow<S: 'static, A: 'static> {
    /// Stable name: the audit entity and the key of its step records.
    pub name: &'static str,
    /// The rule the workflow implements.
    pub rule: Rule,
    pub states: &'static [S],
    pub actions: &'static [A],
    pub transitions: &'static [Transition<S, A>],
    /// The actions that rest on the vigilance clearance (VIG-2): refused
    /// while it is denied or deferred unless the deciding officer
    /// overrides with reasons (`vigilance::condition`).
    pub rests_on_clearance: &'static [A],
}

/// Why a move was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The role may never take this action in this workflow (403).
    Role,
    /// The role may take it, but not in the current state (409).
    State,
    /// The action needs a reason and none was given (422).
    ReasonRequired,
}

/// A refused move, with what the role could do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} while {current} ({kind:?})")]
pub struct Refused {
    pub kind: RefusalKind,
    pub action: &'static str,
    /// The current state; `new` before the record exists.
    pub current: &'static str,
    /// The actions this role may take in the current state.
    pub allowed: Vec<&'static str>,
}

/// The name of the state before a record exists.
pub const NEW: &str = "new";

/// The decision record of one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub workflow: &'static str,
    pub action: &'static str,
    pub from_state: Option<&'static str>,
    pub to_state: &'static str,
    pub actor_sub: String,
    pub actor_role: Role,
    pub at: NaiveDateTime,
    pub reason: Option<String>,
    /// The vigilance clearance fetched for this step (VIG-1), as it was then.
    pub clearance: Option<serde_json::Value>,
    /// The deciding officer's reasons for taking a step that rests on the
    /// clearance while it was denied or deferred (VIG-2).
    pub clearance_override: Option<String>,
}

impl<S: Label, A: Label> Workflow<S, A> {
    fn find(&self, current: Option<S>, action: A) -> Option<&'static Transition<S, A>> {
        self.transitions
            .iter()
            .find(|t| t.from == current && t.action == action)
    }

    /// The actions `role` may take in `current`, in table order.
    pub fn allowed(&self, current: Option<S>, role: Role) -> Vec<A> {
        let mut out: Vec<A> = Vec::new();
        for t in self.transitions {
            if t.from == current && t.roles.contains(&role) && !out.contains(&t.action) {
                out.push(t.action);
            }
        }
        out
    }

    /// Whether `action` rests on the vigilance clearance (VIG-2).
    pub fn rests_on_clearance(&self, action: A) -> bool {
        self.rests_on_clearance.contains(&action)
    }

    /// Whether `role` takes `action` anywhere in this workflow.
    pub fn role_may(&self, action: A, role: Role) -> bool {
        self.transitions
            .iter()
            .any(|t| t.action == action && t.roles.contains(&role))
    }

    /// A state with no way out.
    pub fn is_final(&self, state: S) -> bool {
        !self.transitions.iter().any(|t| t.from == Some(state))
    }

    fn refusal(&self, current: Option<S>, action: A, role: Role, kind: RefusalKind) -> Refused {
        Refused {
            kind,
            action: action.label(),
            current: current.map_or(NEW, Label::label),
            allowed: self
                .allowed(current, role)
                .into_iter()
                .map(Label::label)
                .collect(),
        }
    }

    /// The move `role` makes by `action` from `current` as far as the role
    /// and the state decide it, or why not; the reason is [`Self::apply`]'s.
    pub fn permits(
        &self,
        current: Option<S>,
        action: A,
        role: Role,
    ) -> Result<&'static Transition<S, A>, Refused> {
        if !self.role_may(action, role) {
            return Err(self.refusal(current, action, role, RefusalKind::Role));
        }
        self.find(current, action)
            .filter(|t| t.roles.contains(&role))
            .ok_or_else(|| self.refusal(current, action, role, RefusalKind::State))
    }

    /// The state `role` reaches by `action` from `current`, or why not.
    /// A blank reason counts as none.
    pub fn apply(
        &self,
        current: Option<S>,
        action: A,
        role: Role,
        reason: Option<&str>,
    ) -> Result<S, Refused> {
        let t = self.permits(current, action, role)?;
        let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
        if t.reason == ReasonRule::Required && !has_reason {
            return Err(self.refusal(current, action, role, RefusalKind::ReasonRequired));
        }
        Ok(t.to)
    }

    /// Applies a move and builds its decision record.
    pub fn step(
        &self,
        current: Option<S>,
        action: A,
        who: &Principal,
        reason: Option<&str>,
        clearance: Option<serde_json::Value>,
        at: NaiveDateTime,
    ) -> Result<(S, Step), Refused> {
        let to = self.apply(current, action, who.role, reason)?;
        let step = Step {
            workflow: self.name,
            action: action.label(),
            from_state: current.map(Label::label),
            to_state: to.label(),
            actor_sub: who.sub.clone(),
            actor_role: who.role,
            at,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            clearance,
            clearance_override: None,
        };
        Ok((to, step))
    }

    /// Parses a stored state name.
    pub fn state(&self, name: &str) -> Option<S> {
        self.states.iter().copied().find(|s| s.label() == name)
    }

    /// One shortest way from a new record to `target`: the (action, role)
    /// pairs to take, in order. For tests and documentation.
    pub fn path_to(&self, target: S) -> Option<Path<A>> {
        let mut frontier: Vec<(Option<S>, Path<A>)> = vec![(None, Vec::new())];
        let mut seen: Vec<Option<S>> = vec![None];
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for (state, path) in frontier {
                if state == Some(target) {
                    return Some(path);
                }
                for t in self.transitions.iter().filter(|t| t.from == state) {
                    let (Some(role), false) = (t.roles.first(), seen.contains(&Some(t.to))) else {
                        continue;
                    };
                    seen.push(Some(t.to));
                    let mut p = path.clone();
                    p.push((t.action, *role));
                    next.push((Some(t.to), p));
                }
            }
            frontier = next;
        }
        None
    }
}

/// A way through a workflow: (action, role) pairs in order.
pub type Path<A> = Vec<(A, Role)>;

/// Indian Standard Time, in which the portal's dates (last dates, "in the
/// future") are reckoned.
pub fn india_date(now: DateTime<Utc>) -> NaiveDate {
    let utc = now.naive_utc();
    utc.checked_add_signed(TimeDelta::minutes(5 * 60 + 30))
        .unwrap_or(utc)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::employee::string_enum;
    use crate::rules::FV_1;

    string_enum!(T, "test state" { Open = "open", Done = "done", Dropped = "dropped" });
    string_enum!(X, "test action" { Start = "start", Finish = "finish", Drop = "drop" });
    labels!(T, X);

    const FLOW: Workflow<T, X> = Workflow {
        name: "test",
        rule: FV_1,
        states: &[T::Open, T::Done, T::Dropped],
        actions: &[X::Start, X::Finish, X::Drop],
        transitions: &[
            Transition {
                from: None,
                action: X::Start,
                to: T::Open,
                roles: &[Role::Employee],
                reason: ReasonRule::Optional,
            },
            Transition {
                from: Some(T::Open),
                action: X::Finish,
                to: T::Done,
                roles: &[Role::NodalOfficer],
                reason: ReasonRule::Optional,
            },
            Transition {
                from: Some(T::Open),
                action: X::Drop,
                to: T::Dropped,
                roles: &[Role::NodalOfficer],
                reason: ReasonRule::Required,
            },
        ],
        rests_on_clearance: &[],
    };

    #[test]
    fn moves_roles_reasons() {
        let n = Role::NodalOfficer;
        assert_eq!(
            FLOW.apply(None, X::Start, Role::Employee, None),
            Ok(T::Open)
        );
        assert_eq!(FLOW.apply(Some(T::Open), X::Finish, n, None), Ok(T::Done));
        let role = FLOW.apply(Some(T::Open), X::Finish, Role::Employee, None);
        assert_eq!(role.unwrap_err().kind, RefusalKind::Role);
        let state = FLOW.apply(Some(T::Done), X::Finish, n, None).unwrap_err();
        assert_eq!(
            (state.kind, state.current, state.allowed),
            (RefusalKind::State, "done", vec![])
        );
        let reason = FLOW
            .apply(Some(T::Open), X::Drop, n, Some("  "))
            .unwrap_err();
        assert_eq!(reason.kind, RefusalKind::ReasonRequired);
        assert_eq!(reason.allowed, vec!["finish", "drop"]);
        assert_eq!(
            FLOW.apply(Some(T::Open), X::Drop, n, Some("late")),
            Ok(T::Dropped)
        );
        assert!(FLOW.is_final(T::Done) && !FLOW.is_final(T::Open));
        // Role and state alone: a move that lacks only its reason is permitted.
        assert_eq!(
            FLOW.permits(Some(T::Open), X::Drop, n).map(|t| t.to),
            Ok(T::Dropped)
        );
        let early = FLOW.permits(Some(T::Done), X::Drop, n).unwrap_err();
        assert_eq!(early.kind, RefusalKind::State);
    }

    #[test]
    fn step_records_who_when_why() {
        let who = Principal {
            sub: "nodal:1".into(),
            role: Role::NodalOfficer,
            org: None,
            employee: None,
            scopes: vec![],
        };
        let at = NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        let cl = serde_json::json!({"clearance": "deferred"});
        let (to, step) = FLOW
            .step(
                Some(T::Open),
                X::Drop,
                &who,
                Some(" no leave "),
                Some(cl.clone()),
                at,
            )
            .unwrap();
        assert_eq!(to, T::Dropped);
        assert_eq!(step.from_state, Some("open"));
        assert_eq!(step.reason.as_deref(), Some("no leave"));
        assert_eq!(step.clearance, Some(cl));
        assert_eq!(step.actor_role, Role::NodalOfficer);
    }

    #[test]
    fn paths_and_dates() {
        assert_eq!(
            FLOW.path_to(T::Dropped),
            Some(vec![
                (X::Start, Role::Employee),
                (X::Drop, Role::NodalOfficer)
            ])
        );
        let late_utc = "2026-03-31T20:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            india_date(late_utc),
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
    }
}
