//! SPO-1: an employee's request to be posted at the station of their spouse
//! (DoPT OM No. 28034/9/2009-Estt.(A) dated 30.09.2009), on the one workflow
//! mechanism. The employee files it, classified by [`crate::spouse_posting`];
//! the competent authority grants or refuses it, a refusal only with specific
//! reasons (para 5); a refused employee may represent, and the representation
//! is decided by the authority one level above the one that refused (para 6).

use chrono::NaiveDate;

use crate::decision::Decision;
use crate::employee::{string_enum, Gender};
use crate::fields::FieldErrors;
use crate::principal::Role;
use crate::rules::SPO_1;
use crate::spouse_posting::{
    check_spouse, evaluate_spouse_posting, ServiceKind, Spouse, SpouseCase, SpouseInput,
    SpouseOutcome, Which,
};
use crate::workflow::{labels, ReasonRule, Transition, Workflow};

string_enum!(
    /// Where a spouse-posting request stands.
    SpoState, "spouse-posting request state" {
        Submitted = "submitted",
        Granted = "granted",
        Refused = "refused",
        Represented = "represented",
        Allowed = "representation_allowed",
        Dismissed = "representation_dismissed",
        Withdrawn = "withdrawn",
    }
);

string_enum!(
    /// What may be done to a spouse-posting request.
    SpoAction, "spouse-posting request action" {
        Apply = "apply",
        Grant = "grant",
        Refuse = "refuse",
        Represent = "represent",
        Allow = "allow",
        Dismiss = "dismiss",
        Withdraw = "withdraw",
    }
);

labels!(SpoState, SpoAction);

/// The authority one level above `deciding` in the portal's chain (para 6):
/// a body's sub-nodal officer answers to its ministry's nodal officer, and
/// the ministry's administration to the cadre controlling authority (DoPT).
/// DoPT's cadre division has nobody above it in the portal: `None`.
pub const fn one_level_above(deciding: Role) -> Option<Role> {
    match deciding {
        Role::SubNodalOfficer => Some(Role::NodalOfficer),
        Role::NodalOfficer => Some(Role::Dopt),
        Role::Employee | Role::Avd | Role::Dopt | Role::Integration => None,
    }
}

/// Who decides a request: the administration of the employee's ministry or
/// department, which posts its officers among its offices (docs/assumptions.md).
pub const DECIDES: &[Role] = &[Role::NodalOfficer];
/// Who decides a representation: one level above [`DECIDES`] (para 6); a
/// test pins that the two agree with [`one_level_above`].
pub const DECIDES_REPRESENTATION: &[Role] = &[Role::Dopt];

const fn t(
    from: Option<SpoState>,
    action: SpoAction,
    to: SpoState,
    roles: &'static [Role],
    reason: ReasonRule,
) -> Transition<SpoState, SpoAction> {
    Transition {
        from,
        action,
        to,
        roles,
        reason,
    }
}

/// SPO-1 as data.
pub const SPOUSE_POSTING: Workflow<SpoState, SpoAction> = Workflow {
    name: "spouse_posting",
    rule: SPO_1,
    states: SpoState::ALL,
    actions: SpoAction::ALL,
    transitions: &[
        t(
            None,
            SpoAction::Apply,
            SpoState::Submitted,
            &[Role::Employee],
            ReasonRule::Optional,
        ),
        t(
            Some(SpoState::Submitted),
            SpoAction::Grant,
            SpoState::Granted,
            DECIDES,
            ReasonRule::Optional,
        ),
        // Para 5: the specific reasons are checked by [`specific_reasons`].
        t(
            Some(SpoState::Submitted),
            SpoAction::Refuse,
            SpoState::Refused,
            DECIDES,
            ReasonRule::Required,
        ),
        t(
            Some(SpoState::Submitted),
            SpoAction::Withdraw,
            SpoState::Withdrawn,
            &[Role::Employee],
            ReasonRule::Optional,
        ),
        // Para 6: the complaint says what was not adhered to.
        t(
            Some(SpoState::Refused),
            SpoAction::Represent,
            SpoState::Represented,
            &[Role::Employee],
            ReasonRule::Required,
        ),
        t(
            Some(SpoState::Represented),
            SpoAction::Allow,
            SpoState::Allowed,
            DECIDES_REPRESENTATION,
            ReasonRule::Optional,
        ),
        t(
            Some(SpoState::Represented),
            SpoAction::Dismiss,
            SpoState::Dismissed,
            DECIDES_REPRESENTATION,
            ReasonRule::Required,
        ),
    ],
    rests_on_clearance: &[],
};

/// The actions whose reasons must be specific (para 5): every step that
/// leaves the employee away from their spouse.
pub fn needs_specific_reasons(action: SpoAction) -> bool {
    matches!(action, SpoAction::Refuse | SpoAction::Dismiss)
}

/// Para 5 on a step's reason: a refusal, or a dismissal of the
/// representation against one, communicates specific reasons
/// ([`specific_reasons`]); any other step is not held to it here. Where
/// posting together is mandatory (para 2: same Central Service or same
/// department, "if posts are available"; para 4(viii)), only the want of a
/// post excuses it, so the reasons name the post or the vacancy lacking.
pub fn reasons_suffice(
    action: SpoAction,
    reason: Option<&str>,
    mandatory: bool,
) -> Result<(), NotSpecific> {
    if !needs_specific_reasons(action) {
        return Ok(());
    }
    let given = specific_reasons(reason)?;
    if mandatory && !names_a_post(given) {
        return Err(NotSpecific {
            message: format!(
                "para 2 of OM 28034/9/2009-Estt.(A): posting together is mandatory here where posts are available, so only the want of a post (of the required level, para 4(viii)) at the spouse's station excuses it; \"{given}\" names no post or vacancy lacking"
            ),
        });
    }
    Ok(())
}

/// Whether a reason speaks of a post or a vacancy lacking: "post" as a
/// noun ("no post", "the post of", "post is filled"), not the verb ("cannot
/// post the officer").
fn names_a_post(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| match *w {
        "posts" | "vacancy" | "vacancies" | "vacant" => true,
        "post" => {
            let before = i.checked_sub(1).map(|j| words[j]);
            let after = words.get(i + 1).copied();
            matches!(
                before,
                Some("no" | "a" | "any" | "one" | "sanctioned" | "vacant" | "such")
            ) || matches!(
                after,
                Some("of" | "is" | "was" | "available" | "at" | "in" | "for" | "exists")
            )
        }
        _ => false,
    })
}

/// The states a role's queue holds: those from which the table lets it act,
/// other than the employee's own steps.
pub fn queue_of(role: Role) -> Vec<SpoState> {
    let mut out = Vec::new();
    for tr in SPOUSE_POSTING.transitions {
        if let Some(from) = tr.from {
            if role != Role::Employee && tr.roles.contains(&role) && !out.contains(&from) {
                out.push(from);
            }
        }
    }
    out
}

/// The states of an open request: awaiting a decision, on the request
/// itself or on the representation against its refusal. An employee has
/// at most one open request at a time: a second is not filed, and a
/// refused request is not represented against, while another is open.
/// A refused request is decided and not open; it is opened again only by
/// a representation.
pub const OPEN: &[SpoState] = &[SpoState::Submitted, SpoState::Represented];

/// Whether a request in `state` is open ([`OPEN`]).
pub fn is_open(state: SpoState) -> bool {
    OPEN.contains(&state)
}

/// Phrases that name no reason at all: "administrative reasons" is what
/// para 5 says authorities cite instead of specific ones.
const STOCK: &[&str] = &[
    "administrative reasons",
    "administrative reason",
    "administrative grounds",
    "administrative exigencies",
    "administrative exigency",
    "exigencies of service",
    "exigency of service",
    "in public interest",
    "public interest",
    "not possible",
    "not feasible",
    "cannot be acceded to",
    "cannot be acceded",
    "not acceded to",
    "is regretted",
    "regretted",
    "request rejected",
    "request refused",
    "not approved",
    "as per rules",
];

/// Words that carry no reason of their own.
const FILLER: &[&str] = &[
    "the",
    "and",
    "for",
    "due",
    "are",
    "was",
    "were",
    "has",
    "have",
    "been",
    "this",
    "that",
    "with",
    "from",
    "its",
    "his",
    "her",
    "their",
    "our",
    "any",
    "all",
    "not",
    "but",
    "also",
    "such",
    "same",
    "being",
    "upon",
    "account",
    "hence",
    "therefore",
    "request",
    "employee",
    "officer",
    "case",
    "reason",
    "reasons",
    "ground",
    "grounds",
];

/// How many words of substance a refusal needs once stock phrases are set aside.
pub const MIN_SPECIFIC_WORDS: usize = 4;

/// Why a refusal's text is not a specific reason (para 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSpecific {
    pub message: String,
}

/// Para 5: "in case of inability to do so, specific reasons, therefor, may be
/// communicated to the employee". A text that is blank, or says nothing once
/// stock phrases ("administrative reasons", "not feasible") are set aside, is
/// not a specific reason.
pub fn specific_reasons(text: Option<&str>) -> Result<&str, NotSpecific> {
    let given = text.map(str::trim).unwrap_or_default();
    let mut rest = given.to_lowercase();
    for phrase in STOCK {
        rest = rest.replace(phrase, " ");
    }
    let words = rest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !FILLER.contains(w))
        .count();
    if words >= MIN_SPECIFIC_WORDS {
        Ok(given)
    } else {
        Err(NotSpecific {
            message: format!(
                "para 5 of OM 28034/9/2009-Estt.(A): a refusal must communicate the specific reasons (which post, which station, why it cannot be given); {} does not",
                if given.is_empty() {
                    "no reason was given".to_owned()
                } else {
                    format!("\"{given}\"")
                }
            ),
        })
    }
}

/// The employee as one spouse of the couple, from their service record.
#[derive(Debug, Clone)]
pub struct Applicant<'a> {
    /// CSS, CSSS...
    pub service: &'a str,
    /// The ministry or department the employee works in.
    pub department: &'a str,
    pub station: &'a str,
    pub gender: Option<Gender>,
    pub years_at_station: Option<u32>,
}

/// What the employee says of the spouse and the family.
#[derive(Debug, Clone)]
pub struct Filing {
    pub spouse: Spouse,
    pub youngest_child_age: Option<u32>,
    /// Where the spouse applies first (para 4(iv), (vi)): the order by
    /// which the spouse's authority did not accede for want of a post.
    pub spouse_refused: Option<String>,
}

/// A filing the OM provides for: its governing case of para 4 and the
/// whole decision.
#[derive(Debug, Clone)]
pub struct Classified {
    pub case: SpouseCase,
    pub decision: Decision<SpouseOutcome>,
}

/// Classifies a filed request (SPO-1, para 4): the employee is the first
/// spouse, a member of a Central Service. Refused, with the fields at
/// fault, when the spouse's service is not of the kind given (para 4(i)),
/// the OM provides no case for the couple or the spouses are already at
/// one station.
pub fn classify(
    as_of: NaiveDate,
    applicant: &Applicant<'_>,
    filing: &Filing,
) -> Result<Classified, FieldErrors> {
    let mut errors = FieldErrors::new();
    check_spouse(&mut errors, "spouse", &filing.spouse);
    if !errors.is_empty() {
        return Err(errors);
    }
    let input = SpouseInput {
        first: Spouse {
            kind: ServiceKind::Central,
            service: applicant.service.to_owned(),
            department: Some(applicant.department.to_owned()),
            station: applicant.station.to_owned(),
            years_at_station: applicant.years_at_station,
            gender: applicant.gender,
        },
        second: filing.spouse.clone(),
        central_staffing_scheme: false,
        post_available: None,
        youngest_child_age: filing.youngest_child_age,
    };
    let mut d = evaluate_spouse_posting(as_of, &input);
    // Para 4(iv) and (vi) are sequential: where the spouse applies first
    // (the longer service at a station, or the PSU spouse), the employee
    // applies only once that request has failed for want of a post.
    let spouse_first = match d.outcome.steps.as_slice() {
        [first, then, ..] => first.applicant == Which::Second && then.applicant == Which::First,
        _ => false,
    } && !d.outcome.already_same_station;
    let refused = filing
        .spouse_refused
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    match (spouse_first, refused, d.outcome.steps.first()) {
        (true, None, Some(first)) => errors.push(
            "spouse_refused",
            format!(
                "SPO-1, para 4({}): the spouse applies first, to {}; apply once it has not acceded for want of a post, naming its order",
                d.outcome.case.map_or("", |c| c.as_str()),
                first.authority
            ),
        ),
        (true, Some(order), Some(first)) => d.reasons.push(crate::decision::Reason::new(
            &SPO_1,
            format!(
                "the spouse's request to {} was not acceded to for want of a post ({order}): the employee applies next",
                first.authority
            ),
        )),
        _ => {}
    }
    if d.outcome.case.is_none() {
        errors.push(
            "spouse.kind",
            format!(
                "SPO-1: para 4 provides no case for a spouse in {}: the OM does not apply",
                filing.spouse.kind
            ),
        );
    }
    if d.outcome.already_same_station {
        errors.push(
            "spouse.station",
            format!("SPO-1: both spouses are already at {}", applicant.station),
        );
    }
    match d.outcome.case {
        Some(case) if errors.is_empty() => Ok(Classified { case, decision: d }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    #[test]
    fn spo_1_representation_goes_one_level_above_the_deciding_authority() {
        for decider in DECIDES {
            let above = one_level_above(*decider);
            assert_eq!(above.as_slice(), DECIDES_REPRESENTATION, "{decider:?}");
        }
        assert_eq!(one_level_above(Role::Dopt), None);
        // Whoever may allow or dismiss is exactly the level above.
        for a in [SpoAction::Allow, SpoAction::Dismiss] {
            for role in Role::ALL {
                assert_eq!(
                    SPOUSE_POSTING.role_may(a, *role),
                    DECIDES_REPRESENTATION.contains(role),
                    "{a:?} {role:?}"
                );
            }
        }
        // The authority that refused does not hear the complaint against itself.
        assert!(!SPOUSE_POSTING.role_may(SpoAction::Allow, Role::NodalOfficer));
    }

    #[test]
    fn spo_1_the_way_through_refusal_and_representation() {
        let path = SPOUSE_POSTING.path_to(SpoState::Allowed).unwrap();
        assert_eq!(
            path,
            vec![
                (SpoAction::Apply, Role::Employee),
                (SpoAction::Refuse, Role::NodalOfficer),
                (SpoAction::Represent, Role::Employee),
                (SpoAction::Allow, Role::Dopt),
            ]
        );
        assert_eq!(queue_of(Role::NodalOfficer), vec![SpoState::Submitted]);
        assert_eq!(queue_of(Role::Dopt), vec![SpoState::Represented]);
        assert!(queue_of(Role::Avd).is_empty() && queue_of(Role::Employee).is_empty());
        for s in [
            SpoState::Granted,
            SpoState::Allowed,
            SpoState::Dismissed,
            SpoState::Withdrawn,
        ] {
            assert!(SPOUSE_POSTING.is_final(s), "{s:?}");
        }
        assert!(!SPOUSE_POSTING.is_final(SpoState::Refused));
    }

    #[test]
    fn spo_1_an_open_request_is_one_awaiting_a_decision() {
        // Open: exactly the states some deciding authority's queue holds.
        let mut queued: Vec<SpoState> = Role::ALL.iter().flat_map(|r| queue_of(*r)).collect();
        queued.sort_by_key(|s| s.as_str());
        queued.dedup();
        let mut open = OPEN.to_vec();
        open.sort_by_key(|s| s.as_str());
        assert_eq!(open, queued);
        for s in SpoState::ALL {
            assert_eq!(is_open(*s), OPEN.contains(s), "{s:?}");
            // Nothing final is open.
            assert!(!(is_open(*s) && SPOUSE_POSTING.is_final(*s)), "{s:?}");
        }
        // Decided, if not final: a refusal is open again only once represented.
        assert!(!is_open(SpoState::Refused));
        let to = SPOUSE_POSTING
            .apply(
                Some(SpoState::Refused),
                SpoAction::Represent,
                Role::Employee,
                Some("x"),
            )
            .unwrap();
        assert!(is_open(to));
        assert!(is_open(SpoState::Represented) && is_open(SpoState::Submitted));
    }

    #[test]
    fn spo_1_para_5_administrative_reasons_are_not_specific() {
        for vague in [
            None,
            Some("   "),
            Some("Administrative reasons."),
            Some("Not feasible due to administrative exigencies"),
            Some("Request cannot be acceded to in public interest"),
            Some("Regretted as per rules"),
        ] {
            assert!(specific_reasons(vague).is_err(), "{vague:?}");
        }
        let e = specific_reasons(Some("administrative reasons")).unwrap_err();
        assert!(e.message.contains("para 5") && e.message.contains("administrative reasons"));
        let ok =
            "No post of Section Officer is vacant at Chennai: both sanctioned posts are filled";
        assert_eq!(specific_reasons(Some(ok)), Ok(ok));
        // Four words of substance is the floor.
        assert!(specific_reasons(Some("Chennai office fully staffed")).is_ok());
        assert!(specific_reasons(Some("Chennai office staffed")).is_err());
        assert!(
            needs_specific_reasons(SpoAction::Refuse) && needs_specific_reasons(SpoAction::Dismiss)
        );
        assert!(!needs_specific_reasons(SpoAction::Represent));
        // On a step: the refusal and the dismissal are held to it, nothing else.
        assert!(reasons_suffice(SpoAction::Refuse, Some("Administrative reasons"), false).is_err());
        assert!(reasons_suffice(SpoAction::Dismiss, None, false).is_err());
        assert_eq!(reasons_suffice(SpoAction::Dismiss, Some(ok), false), Ok(()));
        assert_eq!(reasons_suffice(SpoAction::Grant, None, true), Ok(()));
        assert_eq!(
            reasons_suffice(SpoAction::Represent, Some("late"), true),
            Ok(())
        );
        // Para 2: where posting together is mandatory, only the want of a
        // post excuses it.
        let other = "Officer is handling pending cadre review work of the division";
        assert_eq!(
            reasons_suffice(SpoAction::Refuse, Some(other), false),
            Ok(())
        );
        let e = reasons_suffice(SpoAction::Refuse, Some(other), true).unwrap_err();
        assert!(e.message.contains("para 2") && e.message.contains("mandatory"));
        assert!(reasons_suffice(SpoAction::Dismiss, Some(other), true).is_err());
        assert_eq!(reasons_suffice(SpoAction::Refuse, Some(ok), true), Ok(()));
        let staffed = "Every sanctioned post of Section Officer at Chennai is filled";
        assert_eq!(
            reasons_suffice(SpoAction::Refuse, Some(staffed), true),
            Ok(())
        );
        // "post" the verb names no post lacking.
        let verb = "Cannot post the officer to Chennai owing to pending cadre review work";
        assert!(reasons_suffice(SpoAction::Refuse, Some(verb), true).is_err());
    }

    fn spouse(kind: ServiceKind, service: &str, station: &str) -> Spouse {
        Spouse {
            kind,
            service: service.into(),
            department: None,
            station: station.into(),
            years_at_station: None,
            gender: None,
        }
    }

    #[test]
    fn spo_1_a_filing_is_classified_with_the_employee_as_first_spouse() {
        let me = Applicant {
            service: "CSS",
            department: "Ministry of Home Affairs",
            station: "New Delhi",
            gender: Some(Gender::Female),
            years_at_station: None,
        };
        let filing = |s| Filing {
            spouse: s,
            youngest_child_age: Some(7),
            spouse_refused: None,
        };
        let d = classify(
            ymd(2026, 11, 1),
            &me,
            &filing(spouse(ServiceKind::Central, "CSS", "Chennai")),
        )
        .unwrap();
        assert_eq!(d.case, crate::spouse_posting::SpouseCase::Iii);
        assert_eq!(d.decision.outcome.case, Some(d.case));
        assert!(d.decision.outcome.mandatory);
        assert_eq!(d.decision.as_of, ymd(2026, 11, 1));
        let d = classify(
            ymd(2026, 11, 1),
            &me,
            &filing(spouse(ServiceKind::State, "Kerala", "Thiruvananthapuram")),
        )
        .unwrap();
        assert_eq!(d.case, crate::spouse_posting::SpouseCase::Vii);
        // Same station already; a couple the OM does not cover.
        let e = classify(
            ymd(2026, 11, 1),
            &me,
            &filing(spouse(ServiceKind::Psu, "NTPC", "new delhi")),
        )
        .unwrap_err();
        assert_eq!(e.paths(), vec!["spouse.station"]);
        // Only the wife in Government service: case (viii) is hers; not his.
        let private = || filing(spouse(ServiceKind::NotInGovernment, "private", "Pune"));
        let d = classify(ymd(2026, 11, 1), &me, &private()).unwrap();
        assert_eq!(d.case, crate::spouse_posting::SpouseCase::Viii);
        let him = Applicant {
            gender: Some(Gender::Male),
            ..me.clone()
        };
        let e = classify(ymd(2026, 11, 1), &him, &private()).unwrap_err();
        assert_eq!(e.paths(), vec!["spouse.kind"]);
    }

    #[test]
    fn spo_1_where_the_spouse_applies_first_the_employee_applies_after_a_refusal() {
        let me = Applicant {
            service: "CSS",
            department: "Ministry of Home Affairs",
            station: "New Delhi",
            gender: None,
            years_at_station: Some(2),
        };
        let filing = |s: Spouse, refused: Option<&str>| Filing {
            spouse: s,
            youngest_child_age: None,
            spouse_refused: refused.map(str::to_owned),
        };
        // Para 4(vi): the PSU spouse applies first.
        let psu = || spouse(ServiceKind::Psu, "ONGC", "Dehradun");
        let e = classify(ymd(2026, 11, 1), &me, &filing(psu(), None)).unwrap_err();
        assert_eq!(e.paths(), vec!["spouse_refused"]);
        let d = classify(
            ymd(2026, 11, 1),
            &me,
            &filing(psu(), Some("ONGC/HR/44/2026 of 01.10.2026")),
        )
        .unwrap();
        assert_eq!(d.case, SpouseCase::Vi);
        assert!(d
            .decision
            .reasons
            .iter()
            .any(|r| r.text.contains("ONGC/HR/44/2026")));
        // Para 4(iv): the spouse with the longer service at the station first.
        let mut longer = spouse(ServiceKind::Central, "Indian Revenue Service", "Mumbai");
        longer.years_at_station = Some(6);
        let e = classify(ymd(2026, 11, 1), &me, &filing(longer.clone(), None)).unwrap_err();
        assert_eq!(e.paths(), vec!["spouse_refused"]);
        // The employee with the longer service applies first: nothing needed.
        let shorter = Spouse {
            years_at_station: Some(1),
            ..longer
        };
        let d = classify(ymd(2026, 11, 1), &me, &filing(shorter, None)).unwrap();
        assert_eq!(d.case, SpouseCase::Iv);
    }

    #[test]
    fn spo_1_a_filing_naming_no_all_india_service_is_refused_at_the_service() {
        let me = Applicant {
            service: "CSS",
            department: "Ministry of Home Affairs",
            station: "New Delhi",
            gender: None,
            years_at_station: None,
        };
        let filing = |service: &str| Filing {
            spouse: spouse(ServiceKind::AllIndia, service, "Jaipur"),
            youngest_child_age: None,
            spouse_refused: None,
        };
        let e = classify(ymd(2026, 11, 1), &me, &filing("IRS")).unwrap_err();
        assert_eq!(e.paths(), vec!["spouse.service"]);
        let d = classify(ymd(2026, 11, 1), &me, &filing("Indian Police Service")).unwrap();
        assert_eq!(d.case, crate::spouse_posting::SpouseCase::Ii);
    }
}
