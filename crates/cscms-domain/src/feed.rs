//! The change feed (INT-1, INT-2): which recorded changes a caller may
//! read, and where a reader stands in the feed.
//!
//! A change is thin — what changed, not its data — so reading the data stays
//! behind the scope checks and the audit of the read itself. Which changes a
//! caller sees follows the same rules as reading the records: the family's
//! visibility ([`crate::scope::visibility`]) or the operation that reads them.

use crate::organisation::OrgId;
use crate::principal::{Principal, Role};
use crate::scope::{permits, visibility, Family, Op, Visibility};

/// What decides who reads the changes of one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Whoever sees the family's records, where they sit.
    Family(Family),
    /// Whoever may perform the operation that reads them (everywhere).
    Op(Op),
    /// DoPT only: records about officers rather than employees, or not yet
    /// classified. A change nobody classified is never shown to others.
    DoptOnly,
}

/// Every kind of record the audited write reports (the `entity` of a change).
pub const ENTITIES: &[(&str, Gate)] = &[
    ("profile", Gate::Family(Family::Profile)),
    ("vigilance_status", Gate::Family(Family::Vigilance)),
    ("ipr_return", Gate::Family(Family::PropertyReturn)),
    ("apar", Gate::Family(Family::Apar)),
    ("foreign_visit", Gate::Family(Family::ForeignVisit)),
    (
        "deputation_application",
        Gate::Family(Family::DeputationApplication),
    ),
    (
        "deputation_advertisement",
        Gate::Family(Family::Advertisement),
    ),
    ("organisation", Gate::Family(Family::Organisation)),
    ("working_strength", Gate::Family(Family::WorkingStrength)),
    // SUR-1: a requisition's steps and its nominees' appointments.
    (
        "surplus_requisition",
        Gate::Family(Family::SurplusRequisition),
    ),
    (
        "surplus_nomination",
        Gate::Family(Family::SurplusRequisition),
    ),
    // A round covers some organisations, which one change cannot name: a
    // nodal officer lists the rounds of theirs (PRF-3), the feed of rounds
    // is DoPT's.
    ("validation_round", Gate::DoptOnly),
    ("empanelment_batch", Gate::Op(Op::ReadEmpanelment)),
    ("empanelment_proposal", Gate::Op(Op::ReadEmpanelment)),
    ("empanelment_run", Gate::Op(Op::ReadEmpanelment)),
    // AOI-1: iGOT follows interests and the catalogue with interests:read.
    ("interests", Gate::Family(Family::Interest)),
    ("competency_area", Gate::Op(Op::ReadInterestDemand)),
    // EXG-1, RTI-1: DoPT's registers.
    ("exgratia_case", Gate::Family(Family::ExGratiaCase)),
    ("rti_request", Gate::Family(Family::RtiRequest)),
    // TRN-1.
    ("delpge_programme", Gate::Op(Op::ReadProgrammes)),
    ("delpge_enrolment", Gate::Family(Family::TrainingClaim)),
    ("delpge_claim", Gate::Family(Family::TrainingClaim)),
    // Officers' own details (name, e-mail) are not anyone else's business.
    ("nodal_officer", Gate::DoptOnly),
    // ROT-2: DoPT's own policy data; anyone signed in reads the set in force
    // at GET /v1/rotation/ministry-groups, the feed of its changes is DoPT's.
    ("ministry_groups", Gate::DoptOnly),
    // ROT-1: rounds are announced to everyone who reads them; an officer's
    // list is the officer's, their nodal officer's and DoPT's.
    ("rotation_round", Gate::Op(Op::ReadRotationRounds)),
    (
        "rotation_preferences",
        Gate::Family(Family::RotationPreference),
    ),
    ("rotation_run", Gate::Op(Op::RunRotationAllocation)),
    // SPO-1: a couple of a round, recorded under each spouse's organisation.
    ("rotation_couple", Gate::Family(Family::RotationPreference)),
    // ROT-2: DoPT's record that an officer's promotion is likely within a year.
    ("promotion_outlook", Gate::Family(Family::ServiceRecord)),
    // An officer's representation against their result: as their list.
    (
        "rotation_representation",
        Gate::Family(Family::RotationPreference),
    ),
    // SPO-1: an employee's request to be posted with their spouse.
    ("spouse_posting", Gate::Family(Family::SpousePosting)),
    // A transfer order is an entry of the officer's service history.
    ("transfer_order", Gate::Family(Family::ServiceRecord)),
    // The register of integration clients (INT-1) is DoPT's.
    ("oauth_client", Gate::Op(Op::ManageClients)),
    // Webhook subscriptions (INT-2), DoPT's like the register.
    ("webhook_subscription", Gate::Op(Op::ManageWebhooks)),
];

/// The gate of an entity; one the table does not know is DoPT's only.
pub fn gate(entity: &str) -> Gate {
    ENTITIES
        .iter()
        .find(|(e, _)| *e == entity)
        .map_or(Gate::DoptOnly, |(_, g)| *g)
}

/// The changes a caller reads, as the store filters them: entities seen
/// everywhere, and entities seen only within one organisation's tree (the
/// organisation and those under it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedScope {
    pub everywhere: Vec<&'static str>,
    pub org_tree: Option<(OrgId, Vec<&'static str>)>,
}

impl FeedScope {
    pub fn is_empty(&self) -> bool {
        self.everywhere.is_empty() && self.org_tree.as_ref().is_none_or(|(_, e)| e.is_empty())
    }

    /// Whether a change of `entity` recorded against `org` is in scope.
    pub fn admits(&self, entity: &str, org: Option<&OrgId>, org_parent: Option<&OrgId>) -> bool {
        self.everywhere.contains(&entity)
            || self.org_tree.as_ref().is_some_and(|(tree, entities)| {
                entities.contains(&entity)
                    && org.is_some_and(|o| o == tree || org_parent == Some(tree))
            })
    }
}

/// Which changes `who` may read. Never wider than reading the records: an
/// organisation-level family is narrowed to the caller's own tree (a body's
/// officer does not get the ministry above it, which reading would allow).
pub fn scope(who: &Principal) -> FeedScope {
    let mut out = FeedScope::default();
    let mut tree: Vec<&'static str> = Vec::new();
    let mut tree_org: Option<OrgId> = None;
    for &(entity, gate) in ENTITIES {
        let seen = match gate {
            Gate::Family(f) => family_visibility(who, f),
            Gate::Op(op) if permits(who, op) => Visibility::All,
            Gate::Op(_) => Visibility::Nothing,
            Gate::DoptOnly if who.role == Role::Dopt => Visibility::All,
            Gate::DoptOnly => Visibility::Nothing,
        };
        match seen {
            Visibility::All => out.everywhere.push(entity),
            Visibility::OrgTree(org) => {
                tree_org = Some(org);
                tree.push(entity);
            }
            Visibility::Employee(_) | Visibility::Nothing => {}
        }
    }
    out.org_tree = tree_org.map(|org| (org, tree));
    out
}

/// The family's visibility for list reading, organisation-level families
/// included ([`crate::scope::sees_organisation`] in list form).
fn family_visibility(who: &Principal, family: Family) -> Visibility {
    if family == Family::SurplusRequisition {
        return crate::scope::org_visibility(who, family);
    }
    let org_level = matches!(
        family,
        Family::Organisation | Family::Advertisement | Family::WorkingStrength
    );
    if !org_level {
        return visibility(who, family);
    }
    let own_tree = || {
        who.org
            .clone()
            .map_or(Visibility::Nothing, Visibility::OrgTree)
    };
    match (family, who.role) {
        (_, Role::Integration) => {
            if family.integration_scope().is_some_and(|s| who.has_scope(s)) {
                Visibility::All
            } else {
                Visibility::Nothing
            }
        }
        (_, Role::Avd | Role::Dopt) => Visibility::All,
        (Family::WorkingStrength, Role::NodalOfficer) => own_tree(),
        (Family::WorkingStrength, _) => Visibility::Nothing,
        (_, Role::NodalOfficer | Role::SubNodalOfficer) => own_tree(),
        // Employees do not read the feed (Op::ReadChanges).
        (_, Role::Employee) => Visibility::Nothing,
    }
}

/// The type of a change as the feed names it: `entity.action`, the action
/// as the audit trail records it (`vigilance_status.record`).
pub fn change_type(entity: &str, action: &str) -> String {
    format!("{entity}.{action}")
}

/// A filter on change types: `entity` (every action) or `entity.action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFilter {
    pub entity: &'static str,
    pub action: Option<String>,
}

impl TypeFilter {
    /// Parses one item of `types=`; `None` for an entity the feed does not know.
    pub fn parse(s: &str) -> Option<Self> {
        let (entity, action) = match s.split_once('.') {
            Some((e, a)) => (e, Some(a)),
            None => (s, None),
        };
        let entity = ENTITIES.iter().map(|(e, _)| *e).find(|e| *e == entity)?;
        let action = match action {
            Some(a) if a.is_empty() || !a.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
                return None
            }
            a => a.map(str::to_owned),
        };
        Some(Self { entity, action })
    }
}

/// As `types=` and a subscription name it: `entity` or `entity.action`.
impl std::fmt::Display for TypeFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.action {
            Some(a) => write!(f, "{}.{a}", self.entity),
            None => f.write_str(self.entity),
        }
    }
}

/// Where a reader stands: after the change with this position. Ordered by
/// the writing transaction, then the change's id (see the migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub txid: i64,
    pub id: i64,
}

impl Position {
    /// Before every change.
    pub const START: Position = Position { txid: -1, id: -1 };

    /// The opaque cursor a client keeps.
    pub fn cursor(self) -> String {
        if self == Self::START {
            "c1.start".to_owned()
        } else {
            format!("c1.{:x}.{:x}", self.txid, self.id)
        }
    }

    /// Reads a cursor this feed gave out.
    pub fn parse_cursor(s: &str) -> Option<Self> {
        if s == "c1.start" {
            return Some(Self::START);
        }
        let rest = s.strip_prefix("c1.")?;
        let (tx, id) = rest.split_once('.')?;
        let hex = |p: &str| {
            (!p.is_empty() && p.len() <= 16 && p.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| i64::from_str_radix(p, 16).ok())
                .flatten()
        };
        Some(Self {
            txid: hex(tx)?,
            id: hex(id)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::scopes;
    use crate::scope::{sees_organisation, OrgPlace};

    fn who(role: Role, org: Option<&str>, scopes: &[&str]) -> Principal {
        Principal {
            sub: "t".into(),
            role,
            org: org.map(|o| OrgId::parse(o).unwrap()),
            employee: None,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        for p in [
            Position::START,
            Position { txid: 0, id: 0 },
            Position { txid: 0, id: 17 },
            Position {
                txid: 748_392,
                id: i64::MAX,
            },
        ] {
            assert_eq!(Position::parse_cursor(&p.cursor()), Some(p), "{p:?}");
        }
        for bad in [
            "",
            "c1.",
            "c1.1",
            "c1..1",
            "c2.1.1",
            "c1.g.1",
            "c1.1.-1",
            "c1.11111111111111111.1",
        ] {
            assert_eq!(Position::parse_cursor(bad), None, "{bad}");
        }
        assert!(Position::START < Position { txid: 0, id: 0 });
        assert!(Position { txid: 1, id: 5 } < Position { txid: 2, id: 1 });
    }

    #[test]
    fn type_filters_name_known_entities() {
        assert_eq!(
            TypeFilter::parse("vigilance_status.record"),
            Some(TypeFilter {
                entity: "vigilance_status",
                action: Some("record".into())
            })
        );
        assert_eq!(TypeFilter::parse("profile").map(|t| t.action), Some(None));
        for bad in [
            "employee_secret",
            "profile.",
            "profile.Submit",
            ".record",
            "",
        ] {
            assert_eq!(TypeFilter::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_caller_reads_what_it_may_read() {
        let dopt = scope(&who(Role::Dopt, None, &[]));
        assert_eq!(dopt.everywhere.len(), ENTITIES.len());
        assert!(dopt.org_tree.is_none());

        let nodal = scope(&who(Role::NodalOfficer, Some("MHA"), &[]));
        let (org, tree) = nodal.org_tree.clone().unwrap();
        assert_eq!(org.as_str(), "MHA");
        for e in [
            "profile",
            "vigilance_status",
            "working_strength",
            "foreign_visit",
        ] {
            assert!(tree.contains(&e), "{e}");
        }
        // APARs are confidential; officers' details are DoPT's.
        assert!(!tree.contains(&"apar") && !nodal.everywhere.contains(&"apar"));
        assert!(!tree.contains(&"nodal_officer"));
        // Reference data every nodal officer reads: the competency catalogue
        // (AOI-1), DELPGE programmes (TRN-1), rotation rounds (ROT-1). Not
        // validation rounds, which cover some organisations only.
        assert_eq!(
            nodal.everywhere,
            vec!["competency_area", "delpge_programme", "rotation_round"]
        );
        // ROT-1: the officers' lists and their transfer orders, in the ministry.
        for e in ["rotation_preferences", "transfer_order"] {
            assert!(tree.contains(&e), "{e}");
        }
        assert!(!nodal.everywhere.contains(&"rotation_run"));
        for e in ["interests", "delpge_claim", "delpge_enrolment"] {
            assert!(tree.contains(&e), "{e}");
        }
        assert!(!tree.contains(&"rti_request") && !tree.contains(&"exgratia_case"));
        let igot = scope(&who(Role::Integration, None, &[scopes::INTERESTS_READ]));
        assert_eq!(igot.everywhere, vec!["interests", "competency_area"]);

        let avd = scope(&who(Role::Avd, None, &[]));
        assert!(avd.everywhere.contains(&"vigilance_status") && !avd.everywhere.contains(&"apar"));

        let sparrow = scope(&who(Role::Integration, None, &[scopes::EMPANELMENT_READ]));
        assert_eq!(
            sparrow.everywhere,
            vec![
                "empanelment_batch",
                "empanelment_proposal",
                "empanelment_run"
            ]
        );
        let vig = scope(&who(Role::Integration, None, &[scopes::VIGILANCE_READ]));
        assert_eq!(vig.everywhere, vec!["vigilance_status"]);
        assert!(scope(&who(Role::Integration, None, &[])).is_empty());
        assert!(scope(&who(Role::NodalOfficer, None, &[]))
            .org_tree
            .is_none());
    }

    /// The feed never admits an organisation-level change the caller could
    /// not read directly.
    #[test]
    fn organisation_level_changes_never_wider_than_reading() {
        let orgs = ["MHA", "MHA-NDMA", "MOF"];
        let parent = |o: &str| (o == "MHA-NDMA").then(|| OrgId::parse("MHA").unwrap());
        let callers = [
            who(Role::NodalOfficer, Some("MHA"), &[]),
            who(Role::SubNodalOfficer, Some("MHA-NDMA"), &[]),
            who(Role::Avd, None, &[]),
            who(Role::Integration, None, &[scopes::ORGANISATIONS_READ]),
        ];
        let mut checked = 0;
        for caller in &callers {
            let s = scope(caller);
            for family in [
                Family::Organisation,
                Family::Advertisement,
                Family::WorkingStrength,
            ] {
                let entity = ENTITIES
                    .iter()
                    .find(|(_, g)| *g == Gate::Family(family))
                    .map(|(e, _)| *e)
                    .unwrap();
                for o in orgs {
                    let id = OrgId::parse(o).unwrap();
                    let p = parent(o);
                    let children: Vec<OrgId> = if o == "MHA" {
                        vec![OrgId::parse("MHA-NDMA").unwrap()]
                    } else {
                        vec![]
                    };
                    let place = OrgPlace {
                        id: &id,
                        parent: p.as_ref(),
                        children: &children,
                    };
                    if s.admits(entity, Some(&id), p.as_ref()) {
                        assert!(
                            sees_organisation(caller, family, place),
                            "{caller:?} {family:?} {o}"
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, callers.len() * 3 * orgs.len());
    }
}
