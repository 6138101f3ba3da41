//! The value every rules engine returns.

use chrono::NaiveDate;
use serde::Serialize;

use crate::rules::Rule;

/// One reason behind a decision: the rule id, the order it rests on, and what
/// the rule said about this case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub rule: &'static str,
    pub citation: &'static str,
    pub text: String,
}

impl Reason {
    pub fn new(rule: &Rule, text: impl Into<String>) -> Self {
        Self {
            rule: rule.id,
            citation: rule.citation,
            text: text.into(),
        }
    }
}

/// An engine's answer: the outcome (engine-specific), the date it was taken
/// for, and the reasons in the order they were applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision<T> {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub outcome: T,
    pub reasons: Vec<Reason>,
}

/// Collects reasons while an engine works, so each step records why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons(Vec<Reason>);

impl Reasons {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, rule: &Rule, text: impl Into<String>) {
        self.0.push(Reason::new(rule, text));
    }

    pub fn extend(&mut self, other: Reasons) {
        self.0.extend(other.0);
    }

    /// Takes over the reasons of a decision this one builds on.
    pub fn append(&mut self, reasons: Vec<Reason>) {
        self.0.extend(reasons);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Reason> {
        self.0.iter()
    }

    pub fn cites(&self, rule: &Rule) -> bool {
        self.0.iter().any(|r| r.rule == rule.id)
    }

    pub fn decide<T>(self, as_of: NaiveDate, outcome: T) -> Decision<T> {
        Decision {
            as_of,
            outcome,
            reasons: self.0,
        }
    }
}

impl<T> Decision<T> {
    pub fn cites(&self, rule: &Rule) -> bool {
        self.reasons.iter().any(|r| r.rule == rule.id)
    }
}
