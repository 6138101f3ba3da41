//! The ACP / MACP engine (SPEC §2.1: MACP-1..8; MACP-9 is in
//! [`super::deputation`]).
//!
//! The engine walks the service history in date order from the date of
//! actual joining in the entry grade (MACP-2). Between events it places the
//! next financial upgradation where the scheme in force puts it:
//!
//! - old ACP Scheme (from 09.08.1999): at 12 and 24 years of regular service,
//!   to the next higher scale; an upgrade due before 01.09.2008 stays under it,
//!   in the revised pay structure once that exists (MACP-3);
//! - MACPS (from 01.09.2008): at 10, 20 and 30 years of regular service, or
//!   after 10 years in the same grade pay if earlier, each to the immediate
//!   next higher grade pay / level of the hierarchy (MACP-1).
//!
//! Promotions count against the three upgrades; recorded ACP/MACP grants are
//! taken as the next upgrade; a postponement or a benchmark failure puts the
//! upgrade no earlier than its due date plus the days, and moves every later
//! one by the delay so applied (MACP-6).

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::benchmark::{Apar, Grading};
use super::position::PayRef;
use super::regime::PayRegime;
use crate::employee::ServiceEventKind;
use crate::params::{ymd, Dated, DatedParam};

mod explain;
mod run;
#[cfg(test)]
mod tests;

pub use run::evaluate_macp;

/// What a report of upgrades falling due rests on (MACP-1): the window, the
/// day the engine placed the upgrades as of, and, where the report shows
/// vigilance clearances, the day they were taken for (VIG-1).
pub fn due_report_reasons(
    (from, to): (NaiveDate, NaiveDate),
    clearance_on: Option<NaiveDate>,
) -> Vec<crate::decision::Reason> {
    use crate::decision::Reason;
    use crate::fields::dmy;
    let mut reasons = vec![Reason::new(
        &crate::rules::MACP_1,
        format!(
            "financial upgradations not yet granted falling due from {} to {}, as the engine places them on each employee's stored history as of {} (after 10, 20 and 30 years of regular service); each employee's own reasons are in their MACP decision",
            dmy(from),
            dmy(to),
            dmy(to)
        ),
    )];
    if let Some(on) = clearance_on {
        reasons.push(Reason::new(
            &crate::rules::VIG_1,
            format!(
                "vigilance clearance for MACP as of {}, the status on record that day: an upgradation of an employee not cleared goes to the sealed cover",
                dmy(on)
            ),
        ));
    }
    reasons
}

/// The scheme an upgrade was granted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Scheme {
    Acp,
    Macp,
}

/// A scheme's terms: an upgrade every `years` of regular service, at most `upgrades`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeRule {
    pub scheme: Scheme,
    pub years: u32,
    pub upgrades: u8,
}

/// The old ACP Scheme took effect on 09.08.1999.
pub const ACP_FROM: NaiveDate = ymd(1999, 8, 9);
/// MACPS took effect on 01.09.2008 (MACP-3).
pub const MACP_FROM: NaiveDate = ymd(2008, 9, 1);
/// Most upgrades counted under MACPS, promotions included (MACP-1, MACP-7).
const MAX_UPGRADES: u8 = 3;

/// The schemes by date of effect.
pub fn schemes() -> &'static DatedParam<SchemeRule> {
    static P: OnceLock<DatedParam<SchemeRule>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ACP_FROM,
                value: SchemeRule {
                    scheme: Scheme::Acp,
                    years: 12,
                    upgrades: 2,
                },
                source: "DoPT OM No. 35034/1/97-Estt.(D)(Vol.IV) dated 09.08.1999 (ACP Scheme)",
            },
            Dated {
                from: MACP_FROM,
                value: SchemeRule {
                    scheme: Scheme::Macp,
                    years: 10,
                    upgrades: MAX_UPGRADES,
                },
                source: "DoPT OM No. 35034/3/2008-Estt.(D) dated 19.05.2009 (MACPS)",
            },
        ])
    })
}

/// The rule of an ACP upgrade on `on`. From 01.01.2006 to 31.08.2008 it is
/// MACP-3's (clarification 3: the ACP Scheme in the revised structure);
/// before 2006 the ACP Scheme itself, whose OM MACP-3 then rests on.
pub(super) fn acp_rule(on: NaiveDate) -> crate::rules::Rule {
    let macp_3 = crate::rules::MACP_3;
    if PayRegime::on(on) != PayRegime::FifthCpc {
        return macp_3;
    }
    schemes()
        .entries()
        .iter()
        .find(|e| e.value.scheme == Scheme::Acp)
        .map_or(macp_3, |e| macp_3.resting_on(e.source))
}

fn scheme(s: Scheme) -> (NaiveDate, SchemeRule) {
    schemes()
        .entries()
        .iter()
        .find(|e| e.value.scheme == s)
        .map_or(
            // Unreachable with the table above; MACPS terms are the safe default.
            (
                MACP_FROM,
                SchemeRule {
                    scheme: s,
                    years: 10,
                    upgrades: MAX_UPGRADES,
                },
            ),
            |e| (e.from, e.value),
        )
}

/// An entry of the service history the engine reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum CareerEvent {
    /// Direct recruitment to another post (MACP-5).
    Appointment {
        on: NaiveDate,
        to: PayRef,
    },
    Promotion {
        on: NaiveDate,
        to: PayRef,
    },
    /// The non-functional scale granted (NFS-1): a financial upgradation
    /// counted among the three, but not a promotion (OM No. 21/36/03-CS.I
    /// dated 13.11.2003, para (IV): the officer stays in the grade), so never one of MACP-7's three.
    Nfs {
        on: NaiveDate,
        to: PayRef,
    },
    /// An ACP granted; without `to`, to the next higher scale (isolated post).
    Acp {
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<PayRef>,
    },
    /// An MACP granted; without `to`, to the next higher grade pay / level.
    Macp {
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<PayRef>,
    },
    Deputation {
        on: NaiveDate,
        to: PayRef,
    },
    /// Absorption in the post held on deputation (MACP-5).
    Absorption {
        on: NaiveDate,
    },
    Repatriation {
        on: NaiveDate,
    },
    /// The upgrade falling due on `on` postponed (unfitness, departmental
    /// proceedings) by `days`, or until `until` (MACP-6).
    Postponement {
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        days: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
}

impl CareerEvent {
    pub fn on(&self) -> NaiveDate {
        match self {
            CareerEvent::Appointment { on, .. }
            | CareerEvent::Promotion { on, .. }
            | CareerEvent::Nfs { on, .. }
            | CareerEvent::Acp { on, .. }
            | CareerEvent::Macp { on, .. }
            | CareerEvent::Deputation { on, .. }
            | CareerEvent::Absorption { on }
            | CareerEvent::Repatriation { on }
            | CareerEvent::Postponement { on, .. } => *on,
        }
    }

    /// The kind of service-history entry this comes from.
    pub fn kind(&self) -> ServiceEventKind {
        match self {
            CareerEvent::Appointment { .. } => ServiceEventKind::Appointment,
            CareerEvent::Promotion { .. } => ServiceEventKind::Promotion,
            CareerEvent::Nfs { .. } => ServiceEventKind::Nfs,
            CareerEvent::Acp { .. } => ServiceEventKind::Acp,
            CareerEvent::Macp { .. } => ServiceEventKind::Macp,
            CareerEvent::Deputation { .. } => ServiceEventKind::Deputation,
            CareerEvent::Absorption { .. } => ServiceEventKind::Absorption,
            CareerEvent::Repatriation { .. } => ServiceEventKind::Repatriation,
            CareerEvent::Postponement { .. } => ServiceEventKind::Postponement,
        }
    }

    fn is_grant(&self) -> bool {
        matches!(self, CareerEvent::Acp { .. } | CareerEvent::Macp { .. })
    }
}

/// What the engine needs about one employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MacpInput {
    /// Date of actual joining in the entry grade (MACP-2).
    pub joined_entry_grade_on: NaiveDate,
    /// The entry grade: pre-revised scale, grade pay or level.
    pub entry: PayRef,
    /// Member of an Organised Group 'A' service (MACP-4).
    #[serde(default)]
    pub organised_group_a: bool,
    #[serde(default)]
    pub events: Vec<CareerEvent>,
    /// APARs for the benchmark; where those needed are missing the decision says so.
    #[serde(default)]
    pub apars: Vec<Apar>,
}

/// Where an upgrade stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStatus {
    /// Recorded in the service history.
    Granted,
    /// Fallen due, benchmark met (or, under ACP, not assessed here).
    Due,
    /// Fallen due; the APARs needed for the benchmark were not all supplied.
    DueSubjectToBenchmark,
    /// Falls due after the as-of date (a projection on the history given).
    NotYetDue,
}

/// One financial upgradation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upgrade {
    /// 1st, 2nd or 3rd financial upgradation, promotions counted.
    pub number: u8,
    pub scheme: Scheme,
    pub due_on: NaiveDate,
    pub to: PayRef,
    pub status: UpgradeStatus,
    /// The APAR benchmark it needs (MACPS only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<Grading>,
    /// Days it was postponed or deferred (MACP-6).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub postponed_days: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The engine's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MacpOutcome {
    /// False for Organised Group 'A' (MACP-4).
    pub applicable: bool,
    /// The date regular service is counted from (MACP-2, MACP-5).
    pub service_from: NaiveDate,
    /// Upgrades of the service that counts, in order.
    pub upgrades: Vec<Upgrade>,
    /// The first upgrade falling due after the as-of date, if any remains.
    pub next_due: Option<NaiveDate>,
}

/// VIG-1 on an employee's MACP: the status is fetched for every service.
/// While the clearance for MACP is not `cleared`, an upgradation fallen due
/// and not granted is considered under the sealed-cover procedure, and one
/// postponed for proceedings moves the later ones with it (clarification 7;
/// docs/rules/vigilance.md). The dates are the service's; the reason says so.
pub fn note_vigilance(
    d: &mut crate::decision::Decision<MacpOutcome>,
    clearance: crate::vigilance::Clearance,
) {
    use crate::vigilance::Clearance;
    let pending = d.outcome.upgrades.iter().any(|u| {
        matches!(
            u.status,
            UpgradeStatus::Due | UpgradeStatus::DueSubjectToBenchmark
        )
    });
    if clearance == Clearance::Cleared || !pending {
        return;
    }
    d.reasons.push(crate::decision::Reason::new(
        &crate::rules::VIG_1,
        format!(
            "vigilance clearance for MACP is {clearance} on the status on record: an upgradation fallen due is considered under the sealed-cover procedure and granted only once the officer is cleared; a postponement for proceedings moves the later upgradations with it (clarification 7)"
        ),
    ));
}
