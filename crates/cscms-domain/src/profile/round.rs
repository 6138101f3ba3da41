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
    let round = rounds
        .iter()
        .filter(|r| r.covers(org, parent) && submitted_at <= r.deadline && r.deadline < as_of)
        .min_by_key(|r| r.deadline)?;
    let mut reasons = Reasons::new();
    reasons.push(
        &PRF_2,
        format!(
            "submitted {submitted_at} and not validated by the deadline {} of validation round {}: the data is taken as final and the nodal officer of the organisation is answerable for it",
            round.deadline, round.id
        ),
    );
    Some(reasons.decide(
        as_of.date(),
        DeemedFinal {
            round_id: round.id,
            at: round.deadline,
        },
    ))
}

/// PRF-2 and PRF-3: whether, as of `as_of`, an organisation's working
/// strength stands taken as final, and by which round: a covering round's
/// deadline passed while the figures as they then stood (entered by then,
/// `last_entered`, or never entered) were not validated, and they have not
/// been validated since. Figures entered after a deadline answer to the
/// next round, as a profile submitted after it does.
pub fn strength_deemed_final(
    last_entered: Option<NaiveDateTime>,
    validated: bool,
    org: &str,
    parent: Option<&str>,
    rounds: &[Round],
    as_of: NaiveDateTime,
) -> Option<Decision<DeemedFinal>> {
    if validated {
        return None;
    }
    let round = rounds
        .iter()
        .filter(|r| {
            r.covers(org, parent)
                && last_entered.is_none_or(|at| at <= r.deadline)
                && r.deadline < as_of
        })
        .min_by_key(|r| r.deadline)?;
    let mut reasons = Reasons::new();
    let figures = match last_entered {
        Some(at) => format!("the working strength as entered on {at}"),
        None => "the working strength, the sanctioned posts never entered,".to_owned(),
    };
    reasons.push(
        &PRF_3,
        format!(
            "{figures} was not validated by the nodal officer by the deadline {} of validation round {}",
            round.deadline, round.id
        ),
    );
    reasons.push(
        &PRF_2,
        "the available data is taken as final and the nodal officer of the organisation is answerable for it",
    );
    Some(reasons.decide(
        as_of.date(),
        DeemedFinal {
            round_id: round.id,
            at: round.deadline,
        },
    ))
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
        let entered = Some(t("2026-03-10 11:00"));
        let after = t("2026-04-01 00:00");
        // Entered, not validated, the MHA round's deadline passed.
        let d = strength_deemed_final(entered, false, "MHA", None, &rounds(), after).unwrap();
        assert_eq!(
            d.outcome,
            DeemedFinal {
                round_id: 1,
                at: t("2026-03-31 23:59")
            }
        );
        assert!(d.cites(&PRF_3) && d.cites(&PRF_2));
        // A body under the ministry is covered through it; never entered
        // counts too (the counts in position are the data available).
        let d = strength_deemed_final(None, false, "MHA-NDMA", Some("MHA"), &rounds(), after);
        assert_eq!(d.map(|d| d.outcome.round_id), Some(1));
        // Before the deadline, once validated, or outside the round: not.
        assert!(strength_deemed_final(
            entered,
            false,
            "MHA",
            None,
            &rounds(),
            t("2026-03-31 12:00")
        )
        .is_none());
        assert!(strength_deemed_final(entered, true, "MHA", None, &rounds(), after).is_none());
        assert!(strength_deemed_final(entered, false, "MOF", None, &rounds(), after).is_none());
        // Entered after the first deadline: the next round's deadline governs.
        let late = Some(t("2026-04-05 09:00"));
        assert!(
            strength_deemed_final(late, false, "MHA", None, &rounds(), t("2026-06-30 12:00"))
                .is_none()
        );
        let d = strength_deemed_final(late, false, "MHA", None, &rounds(), t("2026-07-01 00:00"));
        assert_eq!(d.map(|d| d.outcome.round_id), Some(2));
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
