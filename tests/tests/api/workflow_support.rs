//! Shared by the workflow tests: the callers every transition is tried
//! with, and the expected answer derived from the workflow tables.

use chrono::{Days, NaiveDate, Utc};
use cscms_domain::principal::Role;
use cscms_domain::workflow::{Label, RefusalKind, Workflow};
use serde_json::Value;

use crate::common::{Reply, TestApp};

/// A caller: a role with its anchor, and whether it sees the record tried.
pub struct Caller {
    pub label: &'static str,
    pub role: Role,
    pub token: String,
}

impl Caller {
    pub fn new(app: &TestApp, label: &'static str, role: Role, anchor: Option<&str>) -> Self {
        Self {
            label,
            role,
            token: app.token(role, anchor),
        }
    }
}

pub fn today() -> NaiveDate {
    cscms_domain::workflow::india_date(Utc::now())
}

pub fn days_from_today(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).unwrap()
}

pub const REASON: &str = "Recorded for the file";

/// What the API must answer when `role` takes `action` on a record in
/// `state` that it sees: read off the workflow table.
pub enum Expect<S> {
    Moves(S),
    Forbidden,
    Conflict(Vec<&'static str>),
}

pub fn expect<S: Label, A: Label>(
    w: &Workflow<S, A>,
    state: S,
    action: A,
    role: Role,
) -> Expect<S> {
    match w.apply(Some(state), action, role, Some(REASON)) {
        Ok(to) => Expect::Moves(to),
        Err(r) if r.kind == RefusalKind::Role => Expect::Forbidden,
        Err(r) => Expect::Conflict(r.allowed),
    }
}

/// Checks a reply against what the table says.
pub fn check<S: Label>(r: &Reply, e: &Expect<S>, state: S, case: &str) {
    match e {
        Expect::Moves(to) => {
            assert_eq!(r.status, 200, "{case}: {}", r.json);
            assert_eq!(r.json["state"], to.label(), "{case}");
        }
        Expect::Forbidden => r.assert_problem(403, "forbidden"),
        Expect::Conflict(allowed) => {
            r.assert_problem(409, "invalid_transition");
            assert_eq!(r.json["current_state"], state.label(), "{case}");
            let got: Vec<&str> = r.json["allowed_actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(&got, allowed, "{case}");
        }
    }
}

/// The audit rows of one record of a workflow, as DoPT reads them.
pub async fn audit_rows(app: &TestApp, entity: &str, id: i64) -> Vec<Value> {
    let r = app
        .get(
            &format!("/v1/audit?entity={entity}&entity_id={id}&limit=500"),
            &app.dopt(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["items"].as_array().unwrap().clone()
}

/// Asserts one audit row per step of a record, action for action.
pub async fn one_audit_row_per_step(app: &TestApp, entity: &str, view: &Value) {
    let id = view["id"].as_i64().unwrap();
    let mut rows = audit_rows(app, entity, id).await;
    rows.reverse();
    let steps = view["steps"].as_array().unwrap();
    assert_eq!(rows.len(), steps.len(), "{entity} {id}: {rows:?}");
    for (row, step) in rows.iter().zip(steps) {
        assert_eq!(row["action"], step["action"]);
        assert_eq!(row["after"]["state"], step["to_state"]);
        assert_eq!(row["actor_sub"], step["actor_sub"]);
    }
}
