//! What moved between two runs of a batch, e.g. a re-run after an APAR
//! changed on representation (CSS-8 special review) or after a vigilance
//! clearance came through (CSS-7).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::eligibility::EligibilityStatus;
use super::panel::{OfficerResult, PanelOutcome, PanelRun};
use super::score::Score;
use crate::employee::string_enum;

/// Where an officer stood in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    pub eligibility: EligibilityStatus,
    pub score: Option<Score>,
    pub rank: Option<u32>,
    pub outcome: PanelOutcome,
}

impl From<&OfficerResult> for Placement {
    fn from(o: &OfficerResult) -> Self {
        Placement {
            eligibility: o.eligibility.status,
            score: o.score_value(),
            rank: o.rank,
            outcome: o.outcome.clone(),
        }
    }
}

string_enum!(
    /// What changed for an officer.
    Change, "run change" {
        Added = "added",
        Removed = "removed",
        Eligibility = "eligibility",
        Score = "score",
        Rank = "rank",
        Outcome = "outcome",
    }
);

/// An officer whose placement differs between the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerMove {
    pub officer_id: String,
    pub before: Option<Placement>,
    pub after: Option<Placement>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunComparison {
    pub cut_off_before: Option<Score>,
    pub cut_off_after: Option<Score>,
    /// In the order of the later run, then officers only in the earlier one.
    pub moved: Vec<OfficerMove>,
}

impl RunComparison {
    pub fn cut_off_changed(&self) -> bool {
        self.cut_off_before != self.cut_off_after
    }
}

/// Lists every officer whose eligibility, score, rank or outcome differs
/// between `before` and `after`, and officers present in only one of them.
pub fn compare_runs(before: &PanelRun, after: &PanelRun) -> RunComparison {
    let earlier: HashMap<&str, &OfficerResult> = before
        .officers
        .iter()
        .map(|o| (o.officer_id.as_str(), o))
        .collect();
    let mut moved = Vec::new();
    for a in &after.officers {
        let now = Placement::from(a);
        let changes = match earlier.get(a.officer_id.as_str()) {
            None => vec![Change::Added],
            Some(b) => {
                let then = Placement::from(*b);
                let mut c = Vec::new();
                if then.eligibility != now.eligibility {
                    c.push(Change::Eligibility);
                }
                if then.score != now.score {
                    c.push(Change::Score);
                }
                if then.rank != now.rank {
                    c.push(Change::Rank);
                }
                if then.outcome != now.outcome {
                    c.push(Change::Outcome);
                }
                c
            }
        };
        if !changes.is_empty() {
            moved.push(OfficerMove {
                officer_id: a.officer_id.clone(),
                before: earlier
                    .get(a.officer_id.as_str())
                    .map(|b| Placement::from(*b)),
                after: Some(now),
                changes,
            });
        }
    }
    let later: HashMap<&str, ()> = after
        .officers
        .iter()
        .map(|o| (o.officer_id.as_str(), ()))
        .collect();
    for b in &before.officers {
        if !later.contains_key(b.officer_id.as_str()) {
            moved.push(OfficerMove {
                officer_id: b.officer_id.clone(),
                before: Some(Placement::from(b)),
                after: None,
                changes: vec![Change::Removed],
            });
        }
    }
    RunComparison {
        cut_off_before: before.cut_off,
        cut_off_after: after.cut_off,
        moved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::apar::{AparGrade, Grading};
    use crate::empanelment::fixtures::{worked_batch, AS_OF};
    use crate::empanelment::panel::run_panel;

    #[test]
    fn rerun_after_a_changed_apar_lists_what_moved() {
        // A08's APARs for 2016-17 and 2017-18 go from Very Good to Outstanding on
        // representation: 3 O + 7 VG = 7.6 becomes 5 O + 5 VG = 8.0, level with A05 and A06
        // but junior to both, so rank 8: in the initial panel. A07 (7.8) drops to rank 9.
        // New cut-off: A08's 8.0. SC/ST is still short, so A09 is still pulled up.
        let (b, mut p) = worked_batch();
        let before = run_panel(&b, &p, AS_OF).unwrap().outcome;
        let a08 = p.iter_mut().find(|x| x.officer_id == "A08").unwrap();
        for a in a08.apars.iter_mut().skip(3).take(2) {
            a.grade = AparGrade::Grading(Grading::Outstanding);
        }
        let after = run_panel(&b, &p, AS_OF).unwrap().outcome;

        let c = compare_runs(&before, &after);
        assert_eq!(c.cut_off_before, Score::new(78, 10));
        assert_eq!(c.cut_off_after, Score::new(80, 10));
        assert!(c.cut_off_changed());
        let moved: Vec<(&str, &[Change])> = c
            .moved
            .iter()
            .map(|m| (m.officer_id.as_str(), m.changes.as_slice()))
            .collect();
        assert_eq!(
            moved,
            [
                ("A08", &[Change::Score, Change::Rank, Change::Outcome][..]),
                ("A07", &[Change::Rank, Change::Outcome][..]),
            ]
        );
        let a07 = &c.moved[1];
        assert_eq!(
            a07.before.as_ref().unwrap().outcome,
            PanelOutcome::EmpanelledInitial
        );
        assert_eq!(
            a07.after.as_ref().unwrap().outcome,
            PanelOutcome::NotEmpanelled
        );

        // A stored run (JSON) compares the same way.
        let stored: PanelRun =
            serde_json::from_str(&serde_json::to_string(&before).unwrap()).unwrap();
        assert_eq!(compare_runs(&stored, &after), c);
        assert!(compare_runs(&after, &after).moved.is_empty());
    }

    #[test]
    fn officers_added_or_dropped_are_listed() {
        let (b, mut p) = worked_batch();
        let before = run_panel(&b, &p, AS_OF).unwrap().outcome;
        p.retain(|x| x.officer_id != "A11");
        let after = run_panel(&b, &p, AS_OF).unwrap().outcome;
        let c = compare_runs(&before, &after);
        assert_eq!(c.moved.len(), 1);
        assert_eq!(c.moved[0].changes, [Change::Removed]);
        let back = compare_runs(&after, &before);
        assert_eq!(back.moved[0].changes, [Change::Added]);
    }
}
