//! PRF-2: validation rounds. DoPT opens a round with a deadline; a profile
//! submitted by then and not validated (or returned) by then is deemed
//! final at the deadline, and the nodal officer of its organisation is
//! answerable for it. The same deadline holds for the organisation's
//! working strength (PRF-3): seed 000 para 3.1 has the nodal officer
//! validate "the data ... including that of profile of the employee,
//! Working strength of the Ministry/Department" within the stipulated time.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::decision::{Decision, Reasons};
use crate::rules::{PRF_2, PRF_3};

use super::ProfileStatus;

/// A validation round as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub deadline: NaiveDateTime,
    /// The ministries/departments it covers; `None` for all.
    pub orgs: Option<Vec<String>>,
}

impl Round {
    /// Whether the round covers an organisation (a sub-organisation is
    /// covered through its ministry).
    pub fn covers(&self, org: &str, parent: Option<&str>) -> bool {
        match &self.orgs {
            None => true,
            Some(list) => list.iter().any(|o| o == org || Some(o.as_str()) == parent),
        }
    }
}

/// How an `ETag` marks data taken as final (`{version}-final-{digest}`);
/// a write names the tag with its mark, which guards nothing.
pub const FINAL_MARK: &str = "final-";

impl Round {
    /// The first of `rounds` covering the organisation whose deadline fell
    /// at or after `since` (any, for `None`) and before `as_of`: the round
    /// that took the data as it stood since then as final.
    fn first_closed<'a>(
        rounds: &'a [Round],
        org: &str,
        parent: Option<&str>,
        since: Option<NaiveDateTime>,
        as_of: NaiveDateTime,
    ) -> Option<&'a Round> {
        rounds
            .iter()
            .filter(|r| {
                r.covers(org, parent) && since.is_none_or(|s| s <= r.deadline) && r.deadline < as_of
            })
            .min_by_key(|r| r.deadline)
    }

    /// The decision that this round took data as final, on `reasons`.
    fn took_as_final(&self, reasons: Reasons, as_of: NaiveDateTime) -> Decision<DeemedFinal> {
        reasons.decide(
            as_of.date(),
            DeemedFinal {
                round_id: self.id,
                at: self.deadline,
            },
        )
    }
}

/// A profile taken as final for want of validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeemedFinal {
    pub round_id: i64,
    /// When it became final: the round's deadline.
    pub at: NaiveDateTime,
}

/// Whether, as of `as_of`, the profile stands deemed final, and by which round.
pub fn deemed_final(
    status: ProfileStatus,
    submitted_at: Option<NaiveDateTime>,
    org: &str,
    parent: Option<&str>,
    rounds: &[Round],
    as_of: NaiveDateTime,
) -> Option<Decision<DeemedFinal>> {
    // Only a profile still awaiting the nodal officer can be deemed final;
    // validated and returned ones were acted on, drafts were reopened.
    if status != ProfileStatus::Submitted {
        return None;
    }
    let submitted_at = submitted_at?;
    let round = Round::first_closed(rounds, org, parent, Some(submitted_at), as_of)?;
    let mut reasons = Reasons::new();
    reasons.push(
        &PRF_2,
        format!(
            "submitted {submitted_at} and not validated by the deadline {} of validation round {}: the data is taken as final and the nodal officer of the organisation is answerable for it",
            round.deadline, round.id
        ),
    );
    Some(round.took_as_final(reasons, as_of))
}

/// Where an organisation's working strength stands for validation: when
/// its figures were last validated, and since when before that (or since
/// then, when none followed) they have stood not validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StrengthValidation {
    pub validated_at: Option<NaiveDateTime>,
    /// `None`: since the figures were first entered (or never entered).
    pub unvalidated_since: Option<NaiveDateTime>,
}

/// PRF-2 and PRF-3: whether, as of `as_of`, an organisation's working
/// strength stands taken as final, and by which round: a covering round's
/// deadline passed while the figures stood not validated, and no
/// validation has followed by `as_of`. A change made after the deadline
/// without validating does not undo it. A ministry or department answers
/// for its figures even if never entered (`entered`); a body under one
/// only for figures entered for it.
pub fn strength_deemed_final(
    entered: bool,
    state: StrengthValidation,
    org: &str,
    parent: Option<&str>,
    rounds: &[Round],
    as_of: NaiveDateTime,
) -> Option<Decision<DeemedFinal>> {
    if state.validated_at.is_some_and(|v| v <= as_of) || (!entered && parent.is_some()) {
        return None;
    }
    let round = Round::first_closed(rounds, org, parent, state.unvalidated_since, as_of)?;
    let figures = match (entered, state.unvalidated_since) {
        (false, _) => "the sanctioned posts never entered".to_owned(),
        (true, None) => "the figures entered never validated".to_owned(),
        (true, Some(since)) => format!("the figures not validated since the change of {since}"),
    };
    let mut reasons = Reasons::new();
    reasons.push(
        &PRF_3,
        format!(
            "working strength not validated by the nodal officer by the deadline {} of validation round {} ({figures})",
            round.deadline, round.id
        ),
    );
    reasons.push(
        &PRF_2,
        "the available data is taken as final and the nodal officer of the organisation is answerable for it",
    );
    Some(round.took_as_final(reasons, as_of))
}

/// PRF-2: whether the nodal officer may still return the profile to the
/// employee as of `as_of`. Not once it is taken as final (a round's
/// deadline passed while it awaited validation): the data then stands as
/// final with the nodal officer answerable for it, who may still correct or
/// validate it. The refusal carries the decision that made it final.
pub fn may_return(
    status: ProfileStatus,
    submitted_at: Option<NaiveDateTime>,
    org: &str,
    parent: Option<&str>,
    rounds: &[Round],
    as_of: NaiveDateTime,
) -> Result<(), Decision<DeemedFinal>> {
    match deemed_final(status, submitted_at, org, parent, rounds, as_of) {
        Some(d) => Err(d),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn rounds() -> Vec<Round> {
        vec![
            Round {
                id: 1,
                deadline: t("2026-03-31 23:59"),
                orgs: Some(vec!["MHA".into()]),
            },
            Round {
                id: 2,
                deadline: t("2026-06-30 23:59"),
                orgs: None,
            },
        ]
    }

    #[test]
    fn prf_3_working_strength_not_validated_by_the_deadline_is_taken_as_final() {
        let after = t("2026-04-01 00:00");
        let never = StrengthValidation::default();
        let final_at = |entered, state, org, parent, as_of| {
            strength_deemed_final(entered, state, org, parent, &rounds(), as_of)
                .map(|d| d.outcome.round_id)
        };
        // Entered, never validated, the MHA round's deadline passed.
        let d = strength_deemed_final(true, never, "MHA", None, &rounds(), after).unwrap();
        assert_eq!(
            d.outcome,
            DeemedFinal {
                round_id: 1,
                at: t("2026-03-31 23:59")
            }
        );
        assert!(d.cites(&PRF_3) && d.cites(&PRF_2));
        // A ministry answers for figures never entered; a body under it
        // only for figures entered for it.
        assert_eq!(final_at(false, never, "MHA", None, after), Some(1));
        assert_eq!(final_at(false, never, "MHA-NDMA", Some("MHA"), after), None);
        assert_eq!(
            final_at(true, never, "MHA-NDMA", Some("MHA"), after),
            Some(1)
        );
        // Before the deadline, or outside the round: not.
        assert_eq!(
            final_at(true, never, "MHA", None, t("2026-03-31 12:00")),
            None
        );
        assert_eq!(final_at(true, never, "MOF", None, after), None);
        // Validated by the deadline (and not changed since): not final.
        let validated = StrengthValidation {
            validated_at: Some(t("2026-03-20 10:00")),
            unvalidated_since: None,
        };
        assert_eq!(final_at(true, validated, "MHA", None, after), None);
        // Validated after the deadline: final until then, not after.
        let late = StrengthValidation {
            validated_at: Some(t("2026-04-05 09:00")),
            unvalidated_since: None,
        };
        assert_eq!(final_at(true, late, "MHA", None, after), Some(1));
        assert_eq!(
            final_at(true, late, "MHA", None, t("2026-04-05 09:00")),
            None
        );
        // Validated, then changed after the first deadline without
        // validating: the next round's deadline governs; a further change
        // without validating does not move that.
        let changed = StrengthValidation {
            validated_at: None,
            unvalidated_since: Some(t("2026-04-05 09:00")),
        };
        assert_eq!(
            final_at(true, changed, "MHA", None, t("2026-06-30 12:00")),
            None
        );
        assert_eq!(
            final_at(true, changed, "MHA", None, t("2026-07-01 00:00")),
            Some(2)
        );
    }

    #[test]
    fn the_deadline_passing_without_validation() {
        let s = ProfileStatus::Submitted;
        let sub = Some(t("2026-03-01 10:00"));
        // Before the deadline: not yet.
        assert!(deemed_final(s, sub, "MHA", None, &rounds(), t("2026-03-31 12:00")).is_none());
        // After it: final at the deadline of the first covering round.
        let d = deemed_final(
            s,
            sub,
            "MHA-NDMA",
            Some("MHA"),
            &rounds(),
            t("2026-04-01 00:00"),
        )
        .unwrap();
        assert_eq!(
            d.outcome,
            DeemedFinal {
                round_id: 1,
                at: t("2026-03-31 23:59")
            }
        );
        assert!(d.cites(&PRF_2));
        // Another ministry waits for the all-ministries round.
        assert!(deemed_final(s, sub, "MOF", None, &rounds(), t("2026-04-01 00:00")).is_none());
        let d = deemed_final(s, sub, "MOF", None, &rounds(), t("2026-07-01 00:00")).unwrap();
        assert_eq!(d.outcome.round_id, 2);
    }

    #[test]
    fn validation_or_late_submission_prevents_it() {
        let late = Some(t("2026-04-02 10:00"));
        for status in [
            ProfileStatus::Validated,
            ProfileStatus::Returned,
            ProfileStatus::Draft,
        ] {
            assert!(deemed_final(
                status,
                Some(t("2026-03-01 10:00")),
                "MHA",
                None,
                &rounds(),
                t("2026-12-01 00:00")
            )
            .is_none());
        }
        // Submitted after round 1's deadline: round 2 applies.
        let d = deemed_final(
            ProfileStatus::Submitted,
            late,
            "MHA",
            None,
            &rounds(),
            t("2026-07-01 00:00"),
        )
        .unwrap();
        assert_eq!(d.outcome.round_id, 2);
    }
}
