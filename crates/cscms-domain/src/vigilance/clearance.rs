//! The vigilance clearance engine: status in force (VIG-1) and timely annual
//! property returns (VIG-2, IPR-1), as of a date, for a purpose.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ipr::{
    check_year, fallen_due_years, IprObligation, IprRecord, IprYearCheck, IprYearState,
};
use super::params::VigilanceParams;
use super::status::{status_in_force, NotClearKind, VigilanceState, VigilanceStatus};
use crate::decision::{Decision, Reasons};
use crate::employee::string_enum;
use crate::fields::dmy;
use crate::rules::{IPR_1, VIG_1, VIG_2};

string_enum!(
    /// What the clearance is sought for.
    ClearancePurpose, "clearance purpose" {
        Nfs = "nfs",
        Macp = "macp",
        Deputation = "deputation",
        ForeignVisit = "foreign_visit",
        Empanelment = "empanelment",
        General = "general",
    }
);

string_enum!(
    /// The engine's answer; `deferred`: not decidable yet (status awaited
    /// or absent), ask again later.
    Clearance, "clearance" {
        Cleared = "cleared",
        Denied = "denied",
        Deferred = "deferred",
    }
);

/// A machine-readable ground for not clearing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "ground", rename_all = "snake_case")]
pub enum ClearanceGround {
    /// VIG-1: no status effective on the date.
    NoStatus,
    /// VIG-1: status awaited.
    StatusAwaited { since: NaiveDate },
    /// VIG-1: not clear.
    NotClear {
        reason: NotClearKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason_text: Option<String>,
        since: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_ref: Option<String>,
    },
    /// VIG-2: a return examined was not filed.
    IprMissing { year: i32, due_on: NaiveDate },
    /// VIG-2: a return examined was first filed after its due date.
    IprLate {
        year: i32,
        due_on: NaiveDate,
        filed_on: NaiveDate,
    },
}

impl ClearanceGround {
    /// What this ground alone does to the clearance.
    pub fn effect(&self) -> Clearance {
        match self {
            Self::NoStatus | Self::StatusAwaited { .. } => Clearance::Deferred,
            Self::NotClear { .. } | Self::IprMissing { .. } | Self::IprLate { .. } => {
                Clearance::Denied
            }
        }
    }
}

/// The outcome of [`clearance`]; flattened into the [`Decision`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClearanceOutcome {
    pub purpose: ClearancePurpose,
    pub clearance: Clearance,
    /// Every ground found, denials and deferrals alike.
    pub grounds: Vec<ClearanceGround>,
    /// The status record in force on the as-of date.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::vigilance::status::VigilanceStatusInput>)
    )]
    pub status_in_force: Option<VigilanceStatus>,
    /// The annual returns VIG-2 examined, latest first.
    pub ipr_years: Vec<IprYearCheck>,
}

impl ClearanceOutcome {
    /// Whether a property return not filed in time (VIG-2) is among the
    /// grounds; otherwise a denial rests on the status (VIG-1).
    pub fn on_returns(&self) -> bool {
        self.grounds.iter().any(|g| {
            matches!(
                g,
                ClearanceGround::IprMissing { .. } | ClearanceGround::IprLate { .. }
            )
        })
    }
}

/// Vigilance clearance of one officer for `purpose` on `as_of`.
///
/// Every ground is evaluated so the officer sees all of them; any denial
/// gives `denied`, else any deferral gives `deferred`, else `cleared`.
pub fn clearance(
    vigilance_history: &[VigilanceStatus],
    iprs: &IprRecord,
    purpose: ClearancePurpose,
    as_of: NaiveDate,
    params: &VigilanceParams,
) -> Decision<ClearanceOutcome> {
    let mut reasons = Reasons::new();
    let mut grounds = Vec::new();

    let status = status_in_force(vigilance_history, as_of);
    vig1(status, vigilance_history, as_of, &mut reasons, &mut grounds);
    let ipr_years = vig2(iprs, purpose, as_of, params, &mut reasons, &mut grounds);

    let clearance = if grounds.iter().any(|g| g.effect() == Clearance::Denied) {
        Clearance::Denied
    } else if grounds.iter().any(|g| g.effect() == Clearance::Deferred) {
        Clearance::Deferred
    } else {
        Clearance::Cleared
    };
    // The closing reason states the outcome itself, so no ground's text is
    // read as the result (a deferring ground beside a denying one: denied).
    let count = |e: Clearance| grounds.iter().filter(|g| g.effect() == e).count();
    reasons.push(
        &VIG_1,
        format!(
            "clearance {}: {} ground(s) deny it, {} defer it (any denial denies; else any deferral defers)",
            clearance.as_str(),
            count(Clearance::Denied),
            count(Clearance::Deferred)
        ),
    );
    reasons.decide(
        as_of,
        ClearanceOutcome {
            purpose,
            clearance,
            grounds,
            status_in_force: status.cloned(),
            ipr_years,
        },
    )
}

fn vig1(
    status: Option<&VigilanceStatus>,
    history: &[VigilanceStatus],
    as_of: NaiveDate,
    reasons: &mut Reasons,
    grounds: &mut Vec<ClearanceGround>,
) {
    match status {
        None => {
            grounds.push(ClearanceGround::NoStatus);
            reasons.push(
                &VIG_1,
                format!(
                    "no vigilance status is recorded with effect on or before {}; clearance is not presumed: on this ground alone it would be deferred until the nodal officer or AVD records one",
                    dmy(as_of)
                ),
            );
        }
        Some(s) => {
            reasons.push(
                &VIG_1,
                format!(
                    "status in force on {} (latest record effective on or before that date): {}",
                    dmy(as_of),
                    s.describe()
                ),
            );
            match s.state() {
                VigilanceState::Clear => {}
                VigilanceState::Awaited => {
                    grounds.push(ClearanceGround::StatusAwaited {
                        since: s.effective_from(),
                    });
                    reasons.push(
                        &VIG_1,
                        "vigilance status awaited: on this ground alone clearance would be deferred until it is available",
                    );
                }
                VigilanceState::NotClear(r) => {
                    grounds.push(ClearanceGround::NotClear {
                        reason: r.kind(),
                        reason_text: r.text().map(str::to_owned),
                        since: s.effective_from(),
                        order_ref: s.order_ref().map(str::to_owned),
                    });
                    reasons.push(
                        &VIG_1,
                        format!(
                            "not clear from the vigilance angle ({}): clearance denied",
                            r.describe()
                        ),
                    );
                }
            }
        }
    }
    let later: Vec<NaiveDate> = history
        .iter()
        .map(VigilanceStatus::effective_from)
        .filter(|d| *d > as_of)
        .collect();
    if let Some(first) = later.iter().min() {
        reasons.push(
            &VIG_1,
            format!(
                "{} record(s) effective after {} (the first from {}) not yet in force, so not applied",
                later.len(),
                dmy(as_of),
                dmy(*first)
            ),
        );
    }
}

fn vig2(
    iprs: &IprRecord,
    purpose: ClearancePurpose,
    as_of: NaiveDate,
    params: &VigilanceParams,
    reasons: &mut Reasons,
    grounds: &mut Vec<ClearanceGround>,
) -> Vec<IprYearCheck> {
    let Some(rule) = params.vig2.at(as_of) else {
        let from = params
            .vig2
            .entries()
            .first()
            .map(|e| format!(" (in force from {})", dmy(e.from)));
        reasons.push(
            &VIG_2,
            format!(
                "not in force on {}{}: annual returns not examined",
                dmy(as_of),
                from.unwrap_or_default()
            ),
        );
        return Vec::new();
    };
    if !rule.value.purposes.contains(&purpose) {
        let applies: Vec<&str> = rule.value.purposes.iter().map(|p| p.as_str()).collect();
        reasons.push(
            &VIG_2,
            format!(
                "does not apply to {purpose} clearance (applies to: {}; {}): annual returns not examined",
                applies.join(", "),
                rule.source
            ),
        );
        return Vec::new();
    }
    if iprs.obligation == IprObligation::NotRequired {
        reasons.push(
            &VIG_2,
            "the officer owes no annual property return: nothing to examine",
        );
        return Vec::new();
    }

    let n = rule.value.returns_examined;
    let years = fallen_due_years(as_of, n, params);
    let listed: Vec<String> = years.iter().map(i32::to_string).collect();
    let (which, must) = match n {
        1 => ("the most recent annual return".to_owned(), "it must"),
        n => (format!("the {n} most recent annual returns"), "each must"),
    };
    reasons.push(
        &VIG_2,
        format!(
            "examines {which} fallen due before {}: {}; {must} have been filed by its due date ({})",
            dmy(as_of),
            if listed.is_empty() { "none".to_owned() } else { listed.join(", ") },
            rule.source
        ),
    );

    let mut checks = Vec::new();
    for year in years {
        if !iprs.obligation.owes(year) {
            reasons.push(
                &VIG_2,
                format!("return for {year} not owed (returns owed from a later year)"),
            );
            continue;
        }
        let (Some(c), Some((_, due_rule))) = (
            check_year(&iprs.filings, year, as_of, params),
            params.ipr_due_on(year),
        ) else {
            continue;
        };
        // The due date rests on the Conduct Rules as restated, not the portal OM.
        reasons.push(
            &IPR_1.resting_on(due_rule.source),
            format!(
                "return for {year} was due by {} ({:02}.{:02} of the following year; {})",
                dmy(c.due_on),
                due_rule.value.day(),
                due_rule.value.month(),
                due_rule.source
            ),
        );
        // The bar lasts while the return stays among the `n` examined, i.e.
        // until the due date of the return `n` years later has passed.
        let bar_until = i32::try_from(n)
            .ok()
            .and_then(|n| year.checked_add(n))
            .and_then(|y| params.ipr_due_on(y))
            .map(|(d, _)| format!(" while it is among the returns examined, up to {}", dmy(d)))
            .unwrap_or_default();
        match (c.state, c.first_filed_on) {
            (IprYearState::Timely, Some(on)) => reasons.push(
                &VIG_2,
                format!(
                    "return for {year} filed on {}, by its due date: no bar{}",
                    dmy(on),
                    if c.latest_revision.unwrap_or(0) > 0 {
                        " (its later revisions do not make it late)"
                    } else {
                        ""
                    }
                ),
            ),
            (IprYearState::Late, Some(on)) => {
                grounds.push(ClearanceGround::IprLate {
                    year,
                    due_on: c.due_on,
                    filed_on: on,
                });
                reasons.push(
                    &VIG_2,
                    format!(
                        "return for {year} first filed on {}, after its due date {}: not submitted by the prescribed time, clearance denied{bar_until}",
                        dmy(on),
                        dmy(c.due_on)
                    ),
                );
            }
            _ => {
                grounds.push(ClearanceGround::IprMissing {
                    year,
                    due_on: c.due_on,
                });
                reasons.push(
                    &VIG_2,
                    format!(
                        "return for {year} not filed by {}, though due by {}: clearance denied{bar_until} (a filing now counts as late)",
                        dmy(as_of),
                        dmy(c.due_on)
                    ),
                );
            }
        }
        checks.push(c);
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{ymd, Dated, DatedParam};
    use crate::vigilance::ipr::tests::filed;
    use crate::vigilance::ipr::IprFilingSummary;
    use crate::vigilance::params::Vig2Rule;
    use crate::vigilance::status::VigilanceStatusInput;

    fn st(status: &str, reason: Option<&str>, from: NaiveDate) -> VigilanceStatus {
        VigilanceStatus::parse(&VigilanceStatusInput {
            status: status.into(),
            reason: reason.map(Into::into),
            reason_text: (reason == Some("other")).then(|| "complaint under examination".into()),
            effective_from: from.to_string(),
            order_ref: (status != "awaited").then(|| "AVD-I/1/2024".into()),
        })
        .unwrap()
    }

    fn clear() -> Vec<VigilanceStatus> {
        vec![st("clear", None, ymd(2005, 1, 1))]
    }

    fn record(filings: Vec<IprFilingSummary>) -> IprRecord {
        IprRecord {
            obligation: IprObligation::AllYears,
            filings,
        }
    }

    /// 2022 timely, 2023 late (filed 15.03.2024), 2024 timely.
    fn returns() -> IprRecord {
        record(vec![
            filed(2022, ymd(2023, 1, 10), 0),
            filed(2023, ymd(2024, 3, 15), 0),
            filed(2024, ymd(2025, 1, 30), 0),
        ])
    }

    fn decide(
        h: &[VigilanceStatus],
        r: &IprRecord,
        p: ClearancePurpose,
        on: NaiveDate,
    ) -> Decision<ClearanceOutcome> {
        clearance(h, r, p, on, &VigilanceParams::standard())
    }

    #[test]
    fn a_late_return_denies_for_the_right_purposes_and_dates() {
        let r = returns();
        for p in ClearancePurpose::ALL
            .iter()
            .copied()
            .filter(|p| *p != ClearancePurpose::Macp)
        {
            // The 2023 return is examined from 01.02.2024 to 31.01.2025.
            for on in [
                ymd(2024, 2, 1),
                ymd(2024, 3, 14),
                ymd(2024, 3, 15),
                ymd(2025, 1, 31),
            ] {
                let d = decide(&clear(), &r, p, on);
                assert_eq!(d.outcome.clearance, Clearance::Denied, "{p} on {on}");
                assert!(d.cites(&VIG_2) && d.cites(&IPR_1) && d.cites(&VIG_1));
                // The due date cites the rule it rests on, not the portal OM.
                assert!(d.reasons.iter().any(|r| r.rule == "IPR-1"
                    && r.citation != IPR_1.citation
                    && r.text.contains("was due by")));
                assert_eq!(
                    d.outcome
                        .ipr_years
                        .iter()
                        .map(|c| c.year)
                        .collect::<Vec<_>>(),
                    [2023]
                );
            }
            let before = decide(&clear(), &r, p, ymd(2024, 3, 14));
            assert!(matches!(
                before.outcome.grounds[..],
                [ClearanceGround::IprMissing { year: 2023, .. }]
            ));
            let after = decide(&clear(), &r, p, ymd(2024, 3, 15));
            assert!(matches!(
                after.outcome.grounds[..],
                [ClearanceGround::IprLate { year: 2023, .. }]
            ));
            assert!(
                after
                    .reasons
                    .iter()
                    .any(|x| x.text.contains("up to 31.01.2025")),
                "{:?}",
                after.reasons
            );
            // Timely 2022 (examined until 31.01.2024) and timely 2024 (from 01.02.2025).
            for on in [ymd(2023, 6, 1), ymd(2024, 1, 31), ymd(2025, 2, 1)] {
                assert_eq!(
                    decide(&clear(), &r, p, on).outcome.clearance,
                    Clearance::Cleared,
                    "{p} on {on}"
                );
            }
        }
        // MACP follows promotion norms: VIG-2 does not apply, VIG-1 does.
        let m = decide(&clear(), &r, ClearancePurpose::Macp, ymd(2024, 6, 1));
        assert_eq!(m.outcome.clearance, Clearance::Cleared);
        assert!(m.outcome.ipr_years.is_empty());
        assert!(m
            .reasons
            .iter()
            .any(|x| x.rule == "VIG-2" && x.text.contains("does not apply to macp")));
    }

    #[test]
    fn a_timely_return_and_its_late_revision_do_not_deny() {
        let r = record(vec![
            filed(2023, ymd(2024, 1, 31), 0),
            filed(2023, ymd(2024, 8, 1), 1),
        ]);
        let d = decide(&clear(), &r, ClearancePurpose::Empanelment, ymd(2024, 9, 1));
        assert_eq!(d.outcome.clearance, Clearance::Cleared);
        assert_eq!(d.outcome.ipr_years[0].state, IprYearState::Timely);
        assert!(d
            .reasons
            .iter()
            .any(|x| x.text.contains("revisions do not make it late")));
    }

    #[test]
    fn awaited_or_absent_status_defers() {
        let r = returns();
        let awaited = vec![
            st("clear", None, ymd(2015, 1, 1)),
            st("awaited", None, ymd(2024, 1, 1)),
        ];
        let d = decide(&awaited, &r, ClearancePurpose::Nfs, ymd(2025, 3, 1));
        assert_eq!(d.outcome.clearance, Clearance::Deferred);
        assert_eq!(
            d.outcome.grounds,
            [ClearanceGround::StatusAwaited {
                since: ymd(2024, 1, 1)
            }]
        );
        let none = decide(&[], &r, ClearancePurpose::Nfs, ymd(2025, 3, 1));
        assert_eq!(none.outcome.clearance, Clearance::Deferred);
        assert_eq!(none.outcome.grounds, [ClearanceGround::NoStatus]);
        assert!(none.cites(&VIG_1));
        // A denial outweighs a deferral, and both grounds are reported.
        let both = decide(&awaited, &r, ClearancePurpose::Nfs, ymd(2024, 6, 1));
        assert_eq!(both.outcome.clearance, Clearance::Denied);
        assert_eq!(both.outcome.grounds.len(), 2);
        // The texts agree with the outcome: none claims the clearance is
        // deferred, and the last states it is denied.
        assert!(both
            .reasons
            .iter()
            .all(|x| !x.text.contains("clearance deferred")));
        let last = both.reasons.last().map(|x| x.text.as_str()).unwrap_or("");
        assert!(
            last.starts_with("clearance denied: 1 ground(s) deny it, 1 defer it"),
            "{last}"
        );
        let last = none.reasons.last().map(|x| x.text.as_str()).unwrap_or("");
        assert!(last.starts_with("clearance deferred"), "{last}");
    }

    #[test]
    fn not_clear_denies_with_its_reason() {
        let h = vec![
            st("clear", None, ymd(2015, 1, 1)),
            st("not_clear", Some("other"), ymd(2024, 1, 1)),
        ];
        let d = decide(&h, &returns(), ClearancePurpose::Macp, ymd(2024, 6, 1));
        assert_eq!(d.outcome.clearance, Clearance::Denied);
        assert!(matches!(
            &d.outcome.grounds[..],
            [ClearanceGround::NotClear { reason: NotClearKind::Other, reason_text: Some(t), .. }] if t == "complaint under examination"
        ));
        assert!(d
            .reasons
            .iter()
            .any(|x| x.rule == "VIG-1" && x.text.contains("complaint under examination")));
    }

    #[test]
    fn latest_status_wins_and_future_status_is_ignored() {
        let r = returns();
        let h = vec![
            st("not_clear", Some("under_suspension"), ymd(2020, 1, 1)),
            st("clear", None, ymd(2025, 3, 1)),
            st("not_clear", Some("charge_sheet_issued"), ymd(2025, 9, 1)),
        ];
        let d = decide(&h, &r, ClearancePurpose::Deputation, ymd(2025, 2, 28));
        assert_eq!(d.outcome.clearance, Clearance::Denied);
        assert_eq!(d.outcome.status_in_force.as_ref(), Some(&h[0]));
        assert!(d
            .reasons
            .iter()
            .any(|x| x.text.contains("2 record(s) effective after 28.02.2025")));
        let d = decide(&h, &r, ClearancePurpose::Deputation, ymd(2025, 3, 1));
        assert_eq!(d.outcome.clearance, Clearance::Cleared);
        assert_eq!(d.outcome.status_in_force.as_ref(), Some(&h[1]));
        let d = decide(&h, &r, ClearancePurpose::Deputation, ymd(2025, 9, 1));
        assert_eq!(d.outcome.clearance, Clearance::Denied);
    }

    #[test]
    fn vig2_dates_and_obligations() {
        let nothing = record(vec![]);
        // Before the OM of 27.09.2011 VIG-2 was not in force.
        let d = decide(
            &clear(),
            &nothing,
            ClearancePurpose::General,
            ymd(2011, 9, 26),
        );
        assert_eq!(d.outcome.clearance, Clearance::Cleared);
        assert!(d
            .reasons
            .iter()
            .any(|x| x.rule == "VIG-2" && x.text.contains("in force from 27.09.2011")));
        let d = decide(
            &clear(),
            &nothing,
            ClearancePurpose::General,
            ymd(2011, 9, 27),
        );
        assert!(matches!(
            d.outcome.grounds[..],
            [ClearanceGround::IprMissing { year: 2010, .. }]
        ));
        // A new entrant owes returns from the year of joining.
        let mut joiner = record(vec![]);
        joiner.obligation = IprObligation::FromYear { year: 2024 };
        assert_eq!(
            decide(&clear(), &joiner, ClearancePurpose::Nfs, ymd(2024, 8, 1))
                .outcome
                .clearance,
            Clearance::Cleared
        );
        assert_eq!(
            decide(&clear(), &joiner, ClearancePurpose::Nfs, ymd(2025, 2, 1))
                .outcome
                .clearance,
            Clearance::Denied
        );
        joiner.obligation = IprObligation::NotRequired;
        assert_eq!(
            decide(&clear(), &joiner, ClearancePurpose::Nfs, ymd(2025, 2, 1))
                .outcome
                .clearance,
            Clearance::Cleared
        );
    }

    #[test]
    fn look_back_is_a_dated_parameter() {
        let mut p = VigilanceParams::standard();
        p.vig2 = DatedParam::new(vec![
            Dated {
                from: ymd(2011, 9, 27),
                value: Vig2Rule {
                    returns_examined: 1,
                    purposes: vec![ClearancePurpose::General],
                },
                source: "a",
            },
            Dated {
                from: ymd(2025, 1, 1),
                value: Vig2Rule {
                    returns_examined: 2,
                    purposes: vec![ClearancePurpose::General],
                },
                source: "b",
            },
        ]);
        let r = returns();
        let on = ymd(2025, 3, 1);
        let d = clearance(&clear(), &r, ClearancePurpose::General, on, &p);
        assert_eq!(
            d.outcome.clearance,
            Clearance::Denied,
            "2023 late is still among the 2 examined"
        );
        assert_eq!(
            d.outcome
                .ipr_years
                .iter()
                .map(|c| c.year)
                .collect::<Vec<_>>(),
            [2024, 2023]
        );
        assert!(d
            .reasons
            .iter()
            .any(|x| x.text.contains("up to 31.01.2026")));
        let d = clearance(
            &clear(),
            &r,
            ClearancePurpose::General,
            ymd(2024, 12, 31),
            &p,
        );
        assert_eq!(d.outcome.ipr_years.len(), 1);
    }

    #[test]
    fn decision_serialises_flat() {
        let d = decide(
            &clear(),
            &returns(),
            ClearancePurpose::ForeignVisit,
            ymd(2024, 6, 1),
        );
        let j = serde_json::to_value(&d).unwrap();
        assert_eq!(j["as_of"], "2024-06-01");
        assert_eq!(j["purpose"], "foreign_visit");
        assert_eq!(j["clearance"], "denied");
        assert_eq!(j["grounds"][0]["ground"], "ipr_late");
        assert_eq!(j["grounds"][0]["filed_on"], "2024-03-15");
        assert_eq!(j["status_in_force"]["status"], "clear");
        assert_eq!(j["ipr_years"][0]["state"], "late");
        assert!(j["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "VIG-2"));
        let back: ClearanceOutcome = serde_json::from_value(j).unwrap();
        assert_eq!(back, d.outcome);
    }

    proptest::proptest! {
        /// Returns all filed by their due date never bar clearance; making the
        /// examined one late bars it for exactly the VIG-2 purposes.
        #[test]
        fn timely_returns_never_bar(days in 0i64..(30 * 365), late_by in 1i64..400) {
            let p = VigilanceParams::standard();
            let as_of = ymd(2012, 1, 1) + chrono::Days::new(days as u64);
            let on_time: Vec<_> = (2000..2045).map(|y| filed(y, ymd(y + 1, 1, 31), 0)).collect();
            let on_time: Vec<_> = on_time.into_iter().filter(|f| f.filed_on() <= Some(as_of)).collect();
            let examined = fallen_due_years(as_of, 1, &p)[0];
            let mut late = record(on_time.iter().copied().filter(|f| f.year() != examined).collect());
            let filed_late = ymd(examined + 1, 1, 31) + chrono::Days::new(late_by as u64);
            if filed_late <= as_of {
                late.filings.push(filed(examined, filed_late, 0));
            }
            let on_time = record(on_time);
            for purpose in ClearancePurpose::ALL.iter().copied() {
                proptest::prop_assert_eq!(decide(&clear(), &on_time, purpose, as_of).outcome.clearance, Clearance::Cleared);
                let want = if purpose == ClearancePurpose::Macp { Clearance::Cleared } else { Clearance::Denied };
                proptest::prop_assert_eq!(decide(&clear(), &late, purpose, as_of).outcome.clearance, want);
            }
        }
    }
}
