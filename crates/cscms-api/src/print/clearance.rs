//! The vigilance clearance and the step chain as a print shows them
//! (VIG-1, VIG-2): shared by the prints of requests that move through a
//! workflow (foreign visit, deputation application).

use chrono::{DateTime, NaiveDate, Utc};
use cscms_store::organisations::OrgRow;
use serde_json::Value;

use super::{dmy, ist, Section, Table};
use crate::routes::workflow::StepView;

/// What the print of a workflow record shows beyond its view.
pub struct Context<'a> {
    pub org: Option<&'a OrgRow>,
    pub ministry: Option<&'a OrgRow>,
    /// The version printed: the number of steps taken.
    pub version: i64,
    pub printed_at: DateTime<Utc>,
    pub verification: Option<String>,
}

/// `denied (as of 28.11.2026)`, from the clearance as recorded.
pub fn outcome(clearance: Option<&Value>) -> String {
    let Some(c) = clearance else {
        return "-".to_owned();
    };
    let word = c["clearance"].as_str().unwrap_or("-");
    match c["as_of"]
        .as_str()
        .and_then(|d| d.parse::<NaiveDate>().ok())
    {
        Some(on) => format!("{word} (as of {})", dmy(on)),
        None => word.to_owned(),
    }
}

/// The clearance as fetched now: outcome, purpose and every reason with its
/// rule and the order it rests on.
pub fn section(heading: &str, clearance: &Value) -> Section {
    let mut s = Section::new(heading)
        .row("Clearance", outcome(Some(clearance)))
        .row(
            "Purpose",
            clearance["purpose"]
                .as_str()
                .unwrap_or("-")
                .replace('_', " "),
        );
    for r in clearance["reasons"].as_array().into_iter().flatten() {
        let text = r["text"].as_str().unwrap_or("-");
        let why = match r["citation"].as_str() {
            Some(order) => format!("{text} ({order})"),
            None => text.to_owned(),
        };
        s = s.row(r["rule"].as_str().unwrap_or("-"), why);
    }
    s
}

fn role(s: &StepView) -> String {
    s.actor_role.as_str().replace('_', " ")
}

/// Every step: when (IST), what, who, the clearance then, and the reason
/// and any override of a withheld clearance (VIG-2).
pub fn chain(heading: &str, steps: &[StepView]) -> Table {
    let mut t = Table::new(
        heading,
        &[
            ("When", 1.6),
            ("Step", 1.7),
            ("By", 1.9),
            ("Vigilance clearance", 1.7),
            ("Reason; override of the clearance", 3.1),
        ],
    );
    for s in steps {
        let step = match &s.from_state {
            Some(from) => format!("{}: {from} -> {}", s.action, s.to_state),
            None => format!("{}: {}", s.action, s.to_state),
        };
        let mut why = s.reason.clone().unwrap_or_else(|| "-".to_owned());
        if let Some(o) = &s.clearance_override {
            why = format!("{why}; clearance overridden (VIG-1): {o}");
        }
        t = t.row(vec![
            ist(s.at),
            step,
            format!("{} ({})", s.actor_sub, role(s)),
            outcome(s.clearance.as_ref()),
            why,
        ]);
    }
    t
}

/// The latest step that decided the request, if any.
pub fn decision<'a>(steps: &'a [StepView], actions: &[&str]) -> Option<&'a StepView> {
    steps
        .iter()
        .rev()
        .find(|s| actions.contains(&s.action.as_str()))
}

/// A decision step as rows: what, by whom, when, on which clearance, why.
pub fn decision_section(heading: &str, step: Option<&StepView>, pending: &str) -> Section {
    let Some(s) = step else {
        return Section::new(heading).row("Decision", pending);
    };
    Section::new(heading)
        .row("Decision", format!("{} ({})", s.action, s.to_state))
        .row("By", format!("{} ({})", s.actor_sub, role(s)))
        .row("On", ist(s.at))
        .row("Vigilance clearance then", outcome(s.clearance.as_ref()))
        .row(
            "Override of the clearance (VIG-2)",
            s.clearance_override.as_deref().unwrap_or("-"),
        )
        .row("Reason", s.reason.as_deref().unwrap_or("-"))
}
