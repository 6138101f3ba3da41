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
//! taken as the next upgrade; postponements and benchmark failures push the
//! upgrade and every later one by the same number of days (MACP-6).

use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::benchmark::{self, Apar, Assessment, Grading};
use super::dates::{add_days, add_years, days_between, ordinal, text, Dmy};
use super::fitment::PreRevisedScale;
use super::matrix::Level;
use super::position::{PayRef, Position};
use super::regime::{PayRegime, SIXTH_CPC_FROM};
use super::PayError;
use crate::decision::{Decision, Reasons};
use crate::employee::ServiceEventKind;
use crate::params::{ymd, Dated, DatedParam};
use crate::rules;

/// The scheme an upgrade was granted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[serde(tag = "kind", rename_all = "snake_case")]
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

/// How a due date was reached, for the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Service,
    SameGrade(NaiveDate),
    SchemeStart,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    date: NaiveDate,
    scheme: Scheme,
    years: u32,
    route: Route,
}

#[derive(Debug, Clone, Copy)]
struct State {
    start: NaiveDate,
    level: Level,
    /// The pre-revised scale held, while it matters (before 2006).
    scale: Option<PreRevisedScale>,
    /// The rung held was reached by ACP/MACP (a promotion into it is absorbed).
    via_upgrade: bool,
    /// Upgrades counted under MACPS (promotions included).
    count: u8,
    /// Upgrades under the old ACP rules, merged ones included.
    acp_seq: u8,
    promotions: u8,
    /// Last upgrade, and its date less the postponement then in force (so
    /// later postponements move the "10 years in the same grade pay" date).
    last_on: NaiveDate,
    last_base: NaiveDate,
    /// Days of postponement in force (MACP-6), and those for the next upgrade.
    shift: u64,
    pending: u64,
    at_top: bool,
    deputation: Option<(NaiveDate, Position, Level)>,
}

impl State {
    fn new(start: NaiveDate, pos: Position) -> State {
        State {
            start,
            level: pos.level,
            scale: pos.scale,
            via_upgrade: false,
            count: 0,
            acp_seq: 0,
            promotions: 0,
            last_on: start,
            last_base: start,
            shift: 0,
            pending: 0,
            at_top: false,
            deputation: None,
        }
    }

    fn exhausted(&self) -> bool {
        self.count >= MAX_UPGRADES || self.promotions >= MAX_UPGRADES || self.at_top
    }

    fn moved_up(&mut self, on: NaiveDate, level: Level, scale: Option<PreRevisedScale>) {
        self.level = level;
        self.scale = if on < SIXTH_CPC_FROM { scale } else { None };
        self.last_on = on;
        self.last_base = on
            .checked_sub_days(chrono::Days::new(self.shift))
            .unwrap_or(on);
    }
}

/// When and under which scheme the next upgrade falls due.
fn candidate(st: &State) -> Result<Candidate, PayError> {
    let (acp_from, acp) = scheme(Scheme::Acp);
    let (macp_from, macp) = scheme(Scheme::Macp);
    if st.acp_seq < acp.upgrades {
        let years = acp.years * (u32::from(st.acp_seq) + 1);
        let by_service = add_days(add_years(st.start, years)?, st.shift)?;
        let (date, route) = if by_service < acp_from {
            (acp_from, Route::SchemeStart)
        } else {
            (by_service, Route::Service)
        };
        // MACP-3: upgrades due before MACPS took effect stay under ACP.
        if date < macp_from {
            return Ok(Candidate {
                date,
                scheme: Scheme::Acp,
                years,
                route,
            });
        }
    }
    let years = macp.years * (u32::from(st.count) + 1);
    let by_service = add_days(add_years(st.start, years)?, st.shift)?;
    let by_grade = add_days(add_years(st.last_base, macp.years)?, st.shift)?;
    let (date, route) = if by_grade < by_service {
        (by_grade, Route::SameGrade(st.last_on))
    } else {
        (by_service, Route::Service)
    };
    let (date, route) = if date < macp_from {
        (macp_from, Route::SchemeStart)
    } else {
        (date, route)
    };
    Ok(Candidate {
        date,
        scheme: Scheme::Macp,
        years,
        route,
    })
}

/// The rung a computed upgrade goes to: before 2006 under ACP, the next
/// higher pre-revised scale when the scale is known; otherwise the next
/// grade pay / level of the hierarchy (MACP-1), which ends at the highest
/// grade pay.
fn computed_target(st: &State, c: &Candidate) -> Option<(Level, Option<PreRevisedScale>)> {
    if c.scheme == Scheme::Acp && c.date < SIXTH_CPC_FROM {
        if let Some(next) = st.scale.and_then(PreRevisedScale::next_higher) {
            if let Ok((level, _)) = next.macp_level() {
                return Some((level, Some(next)));
            }
        }
    }
    let next = st.level.next()?;
    next.grade_pay()?;
    Some((next, None))
}

/// A rung named for the reasons, in the regime of a date.
struct RungText(Level, Option<PreRevisedScale>, NaiveDate);

impl fmt::Display for RungText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RungText(level, scale, on) = *self;
        let regime = PayRegime::on(on);
        if regime == PayRegime::SeventhCpc {
            return write!(f, "{level}");
        }
        if let (PayRegime::FifthCpc, Some(s)) = (regime, scale) {
            write!(f, "{s} (revised: ")?;
        }
        f.write_str(level.sixth_cpc_label())?;
        if let (PayRegime::FifthCpc, Some(_)) = (regime, scale) {
            f.write_str(")")?;
        }
        Ok(())
    }
}

const REVISED_STRUCTURE: &str =
    "; due 01.01.2006-31.08.2008, so old ACP Scheme in the revised pay structure";

/// How a computed due date was reached, for the reasons.
struct How<'a>(&'a Candidate, u64);

impl fmt::Display for How<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let How(c, postponed) = *self;
        match (c.scheme, c.route) {
            (Scheme::Acp, Route::SchemeStart) => f.write_str("ACP Scheme from 09.08.1999")?,
            (Scheme::Macp, Route::SchemeStart) => f.write_str("MACPS from 01.09.2008")?,
            (Scheme::Macp, Route::SameGrade(since)) => {
                write!(f, "10 years in the same grade pay since {}", Dmy(since))?
            }
            (_, _) => write!(f, "{} years' regular service", c.years)?,
        }
        if postponed > 0 {
            write!(f, ", after {postponed} days' postponement")?;
        }
        Ok(())
    }
}

/// What the APARs said about the benchmark, appended to an upgrade's reason.
struct BenchmarkNote(Option<(Grading, Assessment)>, NaiveDate);

impl fmt::Display for BenchmarkNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((g, Assessment::Met)) => {
                write!(f, "; benchmark '{g}' met (APARs {})", AparYears(self.1))
            }
            Some((g, _)) => write!(
                f,
                "; subject to benchmark '{g}': APARs {} not all supplied",
                AparYears(self.1)
            ),
            None => Ok(()),
        }
    }
}

/// The reporting years of the benchmark window, as "2007-08 to 2011-12".
struct AparYears(NaiveDate);

impl fmt::Display for AparYears {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written digit by digit, like `Dmy`: this sits in most MACP reasons.
        let (first, last) = benchmark::window(self.0);
        let digit = |n: i32| b'0' + u8::try_from(n.rem_euclid(10)).unwrap_or(0);
        let year = |y: i32| {
            [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit((y + 1) / 10),
                digit(y + 1),
            ]
        };
        let (a, b) = (year(first), year(last));
        f.write_str(std::str::from_utf8(&a).map_err(|_| fmt::Error)?)?;
        f.write_str(" to ")?;
        f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?)
    }
}

struct Run<'a> {
    st: State,
    upgrades: Vec<Upgrade>,
    reasons: Reasons,
    as_of: NaiveDate,
    apars: &'a [Apar],
}

impl Run<'_> {
    fn push_upgrade(
        &mut self,
        scheme: Scheme,
        due_on: NaiveDate,
        target: (Level, Option<PreRevisedScale>),
        status: UpgradeStatus,
        benchmark: Option<Grading>,
    ) {
        self.st.count += 1;
        if scheme == Scheme::Acp {
            self.st.acp_seq += 1;
        }
        self.upgrades.push(Upgrade {
            number: self.st.count,
            scheme,
            due_on,
            to: PayRef::on(due_on, target.0, target.1),
            status,
            benchmark,
            postponed_days: self.st.pending,
        });
        self.st.pending = 0;
        self.st.via_upgrade = true;
        self.st.moved_up(due_on, target.0, target.1);
    }

    /// Places the next upgrade at the candidate date, or defers it when the
    /// benchmark is shown not met.
    fn emit(&mut self, c: &Candidate) -> Result<(), PayError> {
        let Some(target) = computed_target(&self.st, c) else {
            self.st.at_top = true;
            return Ok(());
        };
        if target.0 <= self.st.level {
            // MACP-8: an ACP inside scales later merged into one grade pay is
            // ignored for MACPS (MACPS OM of 19.05.2009, Annex-I para 8.1).
            self.reasons.push(
                &rules::MACP_8,
                text!(
                    "ACP due {} to {} carries the same grade pay after the merger of scales: ignored for MACPS",
                    Dmy(c.date),
                    RungText(target.0, target.1, c.date)
                ),
            );
            self.st.acp_seq += 1;
            self.st.scale = target.1;
            return Ok(());
        }
        let number = self.st.count + 1;
        let due = c.date <= self.as_of;
        let required = match c.scheme {
            Scheme::Acp => None,
            Scheme::Macp => benchmark::required(c.date, target.0),
        };
        let assessment = match required {
            Some((grading, rule)) if due => Some((
                grading,
                benchmark::assess(c.date, grading, &rule.value, self.apars, self.as_of),
            )),
            _ => None,
        };
        if let Some((grading, Assessment::NotMet)) = assessment {
            // MACP-6: an upgrade deferred as unfit moves the later ones too.
            let next = add_years(c.date, 1)?;
            let days = days_between(c.date, next);
            self.reasons.push(
                &rules::MACP_6,
                text!(
                    "benchmark '{grading}' not met in the APARs of {}: the {} upgradation due {} is deferred to {}, and later ones by the same {days} days",
                    AparYears(c.date),
                    ordinal(number),
                    Dmy(c.date),
                    Dmy(next)
                ),
            );
            self.st.shift += days;
            self.st.pending += days;
            return Ok(());
        }
        let status = match assessment {
            None if due => UpgradeStatus::Due,
            None => UpgradeStatus::NotYetDue,
            Some((_, Assessment::Met)) => UpgradeStatus::Due,
            Some(_) => UpgradeStatus::DueSubjectToBenchmark,
        };
        let how = How(c, self.st.pending);
        let rung = RungText(target.0, target.1, c.date);
        let text = match c.scheme {
            Scheme::Acp => text!(
                "{} upgradation due {} under the ACP Scheme ({how}): {rung}{}",
                ordinal(number),
                Dmy(c.date),
                if c.date >= SIXTH_CPC_FROM {
                    REVISED_STRUCTURE
                } else {
                    ""
                }
            ),
            Scheme::Macp => text!(
                "{} upgradation due {} under MACPS ({how}): next higher grade pay {rung}{}",
                ordinal(number),
                Dmy(c.date),
                BenchmarkNote(assessment, c.date)
            ),
        };
        let rule = match c.scheme {
            Scheme::Acp => &rules::MACP_3,
            Scheme::Macp => &rules::MACP_1,
        };
        self.reasons.push(rule, text);
        self.push_upgrade(c.scheme, c.date, target, status, required.map(|r| r.0));
        Ok(())
    }

    fn apply(&mut self, ev: &CareerEvent, cand: Option<&Candidate>) -> Result<(), PayError> {
        match ev {
            CareerEvent::Promotion { on, to } => self.promotion(*on, to.resolve()?),
            CareerEvent::Acp { on, to } => self.grant(Scheme::Acp, *on, to.as_ref(), cand),
            CareerEvent::Macp { on, to } => self.grant(Scheme::Macp, *on, to.as_ref(), cand),
            CareerEvent::Appointment { on, to } => {
                let pos = to.resolve()?;
                if pos.level == self.st.level {
                    self.reasons.push(
                        &rules::MACP_5,
                        text!("appointed on {} to a post in the same grade: past regular service and upgrades count", Dmy(*on)),
                    );
                } else {
                    self.reset(*on, pos, "direct recruitment to a post in another grade");
                }
                Ok(())
            }
            CareerEvent::Deputation { on, to } => {
                self.st.deputation = Some((*on, to.resolve()?, self.st.level));
                Ok(())
            }
            CareerEvent::Repatriation { .. } => {
                self.st.deputation = None;
                Ok(())
            }
            CareerEvent::Absorption { on } => {
                let Some((dep_on, pos, held)) = self.st.deputation.take() else {
                    return Err(PayError::InvalidEvent {
                        on: *on,
                        why: "absorption without a deputation before it",
                    });
                };
                if pos.level > held {
                    // MACP-5(ii): lower-scale service does not count; the deputation does.
                    self.reset(
                        dep_on,
                        pos,
                        "absorbed in an ex-cadre post in a higher scale held on deputation",
                    );
                } else {
                    self.reasons.push(
                        &rules::MACP_5,
                        text!("absorbed on {} in a post of the same grade: past regular service and upgrades count", Dmy(*on)),
                    );
                }
                Ok(())
            }
            CareerEvent::Postponement { on, days, until } => {
                let Some(c) = cand else { return Ok(()) };
                let days = match (days, until) {
                    (Some(d), _) => u64::from(*d),
                    (None, Some(u)) if *u >= c.date => days_between(c.date, *u),
                    (None, Some(_)) => {
                        return Err(PayError::InvalidEvent {
                            on: *on,
                            why: "postponed until a date before the upgrade fell due",
                        })
                    }
                    (None, None) => {
                        return Err(PayError::InvalidEvent {
                            on: *on,
                            why: "a postponement needs days or until",
                        })
                    }
                };
                self.reasons.push(
                    &rules::MACP_6,
                    text!(
                        "the {} upgradation, due {}, postponed by {days} days: the later upgradations move by the same (clarification 7)",
                        ordinal(self.st.count + 1),
                        Dmy(c.date)
                    ),
                );
                self.st.shift += days;
                self.st.pending += days;
                Ok(())
            }
        }
    }

    fn promotion(&mut self, on: NaiveDate, pos: Position) -> Result<(), PayError> {
        let rung = RungText(pos.level, pos.scale, on);
        if pos.level < self.st.level && on >= SIXTH_CPC_FROM && !self.st.via_upgrade {
            return Err(PayError::InvalidEvent {
                on,
                why: "promotion to a lower grade pay than the one held",
            });
        }
        if pos.level <= self.st.level && on < SIXTH_CPC_FROM {
            // MACP-8 / MACPS Annex-I para 8.1: promotions inside scales merged
            // into one grade pay are ignored.
            self.reasons.push(
                &rules::MACP_8,
                text!("promotion on {} to {rung} carries the same grade pay after the merger of scales: ignored for MACPS", Dmy(on)),
            );
            self.st.acp_seq += 1;
            self.st.scale = pos.scale;
            return Ok(());
        }
        if pos.level <= self.st.level {
            // Regular promotion into (or below) the grade pay already drawn
            // under ACP/MACP: pay is not fixed again and no upgrade is counted.
            self.reasons.push(
                &rules::MACP_1,
                text!("promotion on {} to {rung}, not above the grade pay already held under ACP/MACP: not a further upgradation", Dmy(on)),
            );
            // Only a promotion into the rung itself regularises it.
            self.st.via_upgrade = pos.level < self.st.level;
            return Ok(());
        }
        self.st.count += 1;
        self.st.acp_seq += 1;
        self.st.promotions += 1;
        self.st.via_upgrade = false;
        self.reasons.push(
            &rules::MACP_1,
            text!(
                "promotion on {} to {rung}: {} financial upgradation",
                Dmy(on),
                ordinal(self.st.count)
            ),
        );
        self.st.moved_up(on, pos.level, pos.scale);
        Ok(())
    }

    fn grant(
        &mut self,
        scheme: Scheme,
        on: NaiveDate,
        to: Option<&PayRef>,
        cand: Option<&Candidate>,
    ) -> Result<(), PayError> {
        let Some(c) = cand else {
            self.reasons.push(
                &rules::MACP_1,
                text!(
                    "{scheme:?} recorded on {} beyond the three upgradations admissible: ignored",
                    Dmy(on)
                ),
            );
            return Ok(());
        };
        let computed = computed_target(&self.st, c);
        let target = match to {
            Some(r) => {
                let p = r.resolve()?;
                (p.level, p.scale)
            }
            None => computed.ok_or(PayError::InvalidEvent {
                on,
                why: "no higher grade pay to upgrade to",
            })?,
        };
        if target.0 <= self.st.level {
            let rule = if on < SIXTH_CPC_FROM {
                &rules::MACP_8
            } else {
                &rules::MACP_1
            };
            self.reasons.push(
                rule,
                text!(
                    "{scheme:?} of {} to {} is not above the grade pay held (merged scales): ignored for MACPS",
                    Dmy(on),
                    RungText(target.0, target.1, on)
                ),
            );
            if scheme == Scheme::Acp {
                self.st.acp_seq += 1;
            }
            self.st.scale = target.1;
            return Ok(());
        }
        let number = self.st.count + 1;
        let rung = RungText(target.0, target.1, on);
        match scheme {
            Scheme::Acp => {
                let revised = if on >= SIXTH_CPC_FROM && c.date < MACP_FROM {
                    REVISED_STRUCTURE
                } else {
                    ""
                };
                self.reasons.push(
                    &rules::MACP_3,
                    text!(
                        "{} upgradation: ACP granted on {} to {rung}{revised}",
                        ordinal(number),
                        Dmy(on)
                    ),
                );
            }
            Scheme::Macp => {
                let differs = computed.filter(|(l, _)| *l != target.0);
                match differs {
                    Some((next, _)) => self.reasons.push(
                        &rules::MACP_1,
                        text!(
                            "{} upgradation: MACP granted on {} to {rung}, though the immediate next higher grade pay is {}",
                            ordinal(number),
                            Dmy(on),
                            RungText(next, None, on)
                        ),
                    ),
                    None => self.reasons.push(
                        &rules::MACP_1,
                        text!("{} upgradation: MACP granted on {} to {rung}", ordinal(number), Dmy(on)),
                    ),
                }
            }
        }
        self.push_upgrade(scheme, on, target, UpgradeStatus::Granted, None);
        Ok(())
    }

    fn reset(&mut self, from: NaiveDate, pos: Position, why: &str) {
        let rule = if why.starts_with("absorbed") {
            &rules::MACP_5
        } else {
            &rules::MACP_2
        };
        self.reasons.push(
            rule,
            text!(
                "{why}: regular service counted afresh from {} in {}; earlier service and upgrades do not count",
                Dmy(from),
                RungText(pos.level, pos.scale, from)
            ),
        );
        self.st = State::new(from, pos);
        self.upgrades.clear();
    }

    fn finish(mut self) -> Decision<MacpOutcome> {
        if self.st.promotions >= MAX_UPGRADES {
            self.reasons.push(
                &rules::MACP_7,
                "three promotions earned: no further upgradation under MACPS, however long the stagnation (clarification 8)",
            );
        } else if self.st.count >= MAX_UPGRADES {
            self.reasons.push(
                &rules::MACP_1,
                "the three admissible upgradations are all placed",
            );
        } else if self.st.at_top {
            self.reasons.push(
                &rules::MACP_1,
                text!(
                    "no higher grade pay in the hierarchy above {}",
                    RungText(self.st.level, None, self.as_of)
                ),
            );
        }
        let next_due = self
            .upgrades
            .iter()
            .find(|u| u.due_on > self.as_of)
            .map(|u| u.due_on);
        let outcome = MacpOutcome {
            applicable: true,
            service_from: self.st.start,
            upgrades: self.upgrades,
            next_due,
        };
        self.reasons.decide(self.as_of, outcome)
    }
}

/// Evaluates ACP/MACP entitlement as of a date (MACP-1..8).
///
/// Events after `as_of` are not yet known and are ignored; upgrades after it
/// are projected on the history given.
pub fn evaluate_macp(
    as_of: NaiveDate,
    input: &MacpInput,
) -> Result<Decision<MacpOutcome>, PayError> {
    let joined = input.joined_entry_grade_on;
    let entry = input.entry.resolve()?;
    let mut reasons = Reasons::new();
    if input.organised_group_a {
        reasons.push(
            &rules::MACP_4,
            "MACPS does not apply to officers of Organised Group 'A' services, who have non-functional parity with the IAS (clarification 2)",
        );
        return Ok(reasons.decide(
            as_of,
            MacpOutcome {
                applicable: false,
                service_from: joined,
                upgrades: Vec::new(),
                next_due: None,
            },
        ));
    }
    if let Some(e) = input.events.iter().find(|e| e.on() < joined) {
        return Err(PayError::InvalidEvent {
            on: e.on(),
            why: "before the date of joining the entry grade",
        });
    }
    // Histories usually come in date order: then no sorted copy is made.
    let sorted: Option<Vec<&CareerEvent>> = if input.events.is_sorted_by_key(CareerEvent::on) {
        None
    } else {
        let mut v: Vec<&CareerEvent> = input.events.iter().collect();
        v.sort_by_key(|e| e.on());
        Some(v)
    };
    // Events after the as-of date are not yet known.
    let event_at = |i: usize| {
        match &sorted {
            Some(v) => v.get(i).copied(),
            None => input.events.get(i),
        }
        .filter(|e| e.on() <= as_of)
    };

    reasons.push(
        &rules::MACP_2,
        text!(
            "service counted from {}, actual joining in the entry grade ({})",
            Dmy(joined),
            RungText(entry.level, entry.scale, joined)
        ),
    );
    if entry.merged_group_d {
        reasons.push(
            &rules::MACP_8,
            "the pre-revised Group 'D' scale is merged into grade pay 1800 in PB-1 for MACPS (clarifications 9 and 11)",
        );
    }
    let mut run = Run {
        st: State::new(joined, entry),
        upgrades: Vec::with_capacity(3),
        reasons,
        as_of,
        apars: &input.apars,
    };
    let mut next_event = 0;
    // Every turn consumes an event, places an upgrade, skips a merged ACP or
    // defers by a year within the APARs supplied; the bound only guards.
    for _ in 0..256 {
        let cand = if run.st.exhausted() {
            None
        } else {
            Some(candidate(&run.st)?)
        };
        match (event_at(next_event), cand) {
            (Some(ev), Some(c)) if ev.is_grant() || ev.on() <= c.date => {
                run.apply(ev, Some(&c))?;
                next_event += 1;
            }
            (Some(ev), None) => {
                run.apply(ev, None)?;
                next_event += 1;
            }
            (_, Some(c)) => run.emit(&c)?,
            (None, None) => break,
        }
    }
    Ok(run.finish())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::pay::sixth::PayBand;
    use proptest::prelude::*;

    fn level(s: &str) -> Level {
        Level::parse(s).unwrap()
    }

    fn input(joined: NaiveDate, entry: PayRef, events: Vec<CareerEvent>) -> MacpInput {
        MacpInput {
            joined_entry_grade_on: joined,
            entry,
            organised_group_a: false,
            events,
            apars: Vec::new(),
        }
    }

    fn summary(d: &Decision<MacpOutcome>) -> Vec<(u8, Scheme, NaiveDate, Option<u32>)> {
        d.outcome
            .upgrades
            .iter()
            .map(|u| (u.number, u.scheme, u.due_on, u.to.grade_pay))
            .collect()
    }

    #[test]
    fn macp_3_illustration_a_isolated_post() {
        // Clarification 3 (A): entry 01.10.1982 in 4000-6000; 1st ACP 09.08.1999
        // to 4500-7000; 2nd ACP 01.10.2006 to 5000-8000 (PB-2 GP 4200); 3rd
        // (MACPS) 01.10.2012 to GP 4600 in PB-2.
        let recorded = input(
            ymd(1982, 10, 1),
            PayRef::scale("4000-6000"),
            vec![
                CareerEvent::Acp {
                    on: ymd(1999, 8, 9),
                    to: Some(PayRef::scale("4500-7000")),
                },
                CareerEvent::Acp {
                    on: ymd(2006, 10, 1),
                    to: Some(PayRef::scale("5000-8000")),
                },
            ],
        );
        let d = evaluate_macp(ymd(2013, 1, 1), &recorded).unwrap();
        let expected = vec![
            (1, Scheme::Acp, ymd(1999, 8, 9), Some(2800)),
            (2, Scheme::Acp, ymd(2006, 10, 1), Some(4200)),
            (3, Scheme::Macp, ymd(2012, 10, 1), Some(4600)),
        ];
        assert_eq!(summary(&d), expected);
        let third = &d.outcome.upgrades[2];
        assert_eq!(third.to.pay_band, Some(PayBand::Pb2));
        assert_eq!(
            d.outcome.upgrades[0].to.scale.as_deref(),
            Some("4500-125-7000")
        );
        assert!(d.cites(&rules::MACP_3));
        // No APARs given: the 3rd is due subject to the "Good" benchmark (GP 4600 ≤ 6600).
        assert_eq!(third.status, UpgradeStatus::DueSubjectToBenchmark);
        assert_eq!(third.benchmark, Some(Grading::Good));
        assert!(d
            .reasons
            .iter()
            .any(|r| r.text.contains("not all supplied")));

        // The engine reaches the same upgrades from the entry alone (isolated post).
        let computed = input(ymd(1982, 10, 1), PayRef::scale("4000-6000"), Vec::new());
        let d2 = evaluate_macp(ymd(2013, 1, 1), &computed).unwrap();
        assert_eq!(summary(&d2), expected);
        assert!(d2
            .reasons
            .iter()
            .any(|r| r.rule == "MACP-3" && r.text.contains("revised pay structure")));
    }

    #[test]
    fn macp_3_illustration_b_promotional_hierarchy() {
        // Clarification 3 (B): entry 01.10.1982 in 5500-9000; 1st ACP 09.08.1999
        // to 6500-10500; 2nd ACP 01.10.2006 to 10000-15200 (PB-3 GP 6600); 3rd
        // (MACPS) 01.10.2012 to GP 7600.
        let i = input(
            ymd(1982, 10, 1),
            PayRef::scale("5500-9000"),
            vec![
                CareerEvent::Acp {
                    on: ymd(1999, 8, 9),
                    to: Some(PayRef::scale("6500-10500")),
                },
                CareerEvent::Acp {
                    on: ymd(2006, 10, 1),
                    to: Some(PayRef::scale("10000-15200")),
                },
            ],
        );
        let d = evaluate_macp(ymd(2013, 1, 1), &i).unwrap();
        let s = summary(&d);
        assert_eq!(s[1], (2, Scheme::Acp, ymd(2006, 10, 1), Some(6600)));
        assert_eq!(s[2], (3, Scheme::Macp, ymd(2012, 10, 1), Some(7600)));
        assert_eq!(d.outcome.upgrades[1].to.pay_band, Some(PayBand::Pb3));
        // GP 7600 needs "Very Good" before 25.07.2016.
        assert_eq!(d.outcome.upgrades[2].benchmark, Some(Grading::VeryGood));
        assert_eq!(d.outcome.next_due, None);
    }

    #[test]
    fn macp_1_ten_twenty_thirty_years_to_the_next_grade_pay_then_levels() {
        let i = input(
            ymd(2001, 3, 15),
            PayRef::grade_pay(PayBand::Pb2, 4200),
            Vec::new(),
        );
        let d = evaluate_macp(ymd(2012, 1, 1), &i).unwrap();
        let u = &d.outcome.upgrades;
        assert_eq!(u.len(), 3);
        assert_eq!(
            (u[0].due_on, u[0].to.grade_pay),
            (ymd(2011, 3, 15), Some(4600))
        );
        // After 01.01.2016 upgrades are named by level (4800 → Level 8, 5400 PB-2 → Level 9).
        assert_eq!(
            (u[1].due_on, u[1].to.level),
            (ymd(2021, 3, 15), Some(level("8")))
        );
        assert_eq!(
            (u[2].due_on, u[2].to.level),
            (ymd(2031, 3, 15), Some(level("9")))
        );
        assert_eq!(u[1].status, UpgradeStatus::NotYetDue);
        assert_eq!(d.outcome.next_due, Some(ymd(2021, 3, 15)));
        assert!(d.cites(&rules::MACP_1));
    }

    #[test]
    fn macp_1_promotions_count_and_ten_years_in_the_same_grade_pay() {
        // Promotion after 5 years counts as the 1st; the 2nd follows 10 years
        // in the same grade pay (15 years), the 3rd 10 years later (25).
        let i = input(
            ymd(2000, 1, 1),
            PayRef::grade_pay(PayBand::Pb2, 4200),
            vec![CareerEvent::Promotion {
                on: ymd(2005, 1, 1),
                to: PayRef::grade_pay(PayBand::Pb2, 4600),
            }],
        );
        let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
        let s = summary(&d);
        assert_eq!(s[0], (2, Scheme::Macp, ymd(2015, 1, 1), Some(4800)));
        assert_eq!(d.outcome.upgrades[1].due_on, ymd(2025, 1, 1));
        assert_eq!(d.outcome.upgrades[1].to.level, Some(level("9")));
    }

    #[test]
    fn macp_2_service_counts_from_actual_joining() {
        // Clarification 4: from the date of actual joining in the entry grade.
        for joined in [ymd(2003, 6, 17), ymd(2004, 2, 29)] {
            let i = input(joined, PayRef::level(level("6")), Vec::new());
            let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
            assert_eq!(d.outcome.service_from, joined);
            let first = d.outcome.upgrades[0].due_on;
            assert_eq!(
                first,
                joined.checked_add_months(chrono::Months::new(120)).unwrap()
            );
            assert!(d.cites(&rules::MACP_2));
        }
    }

    #[test]
    fn macp_4_not_for_organised_group_a() {
        let mut i = input(ymd(2000, 1, 1), PayRef::level(level("10")), Vec::new());
        i.organised_group_a = true;
        let d = evaluate_macp(ymd(2020, 1, 1), &i).unwrap();
        assert!(!d.outcome.applicable);
        assert!(d.outcome.upgrades.is_empty());
        assert!(d.cites(&rules::MACP_4));
        i.organised_group_a = false;
        assert!(!evaluate_macp(ymd(2020, 1, 1), &i)
            .unwrap()
            .outcome
            .upgrades
            .is_empty());
    }

    #[test]
    fn macp_5_same_grade_deputation_and_absorption_keeps_past_service() {
        // Clarification 5(i): same grade, past service and upgrades count.
        let base = input(ymd(2000, 1, 1), PayRef::level(level("6")), Vec::new());
        let mut i = base.clone();
        i.events = vec![
            CareerEvent::Deputation {
                on: ymd(2004, 1, 1),
                to: PayRef::level(level("6")),
            },
            CareerEvent::Absorption {
                on: ymd(2006, 1, 1),
            },
        ];
        let d = evaluate_macp(ymd(2011, 1, 1), &i).unwrap();
        let plain = evaluate_macp(ymd(2011, 1, 1), &base).unwrap();
        assert_eq!(d.outcome.upgrades, plain.outcome.upgrades);
        assert_eq!(d.outcome.service_from, ymd(2000, 1, 1));
        assert!(d.cites(&rules::MACP_5));
    }

    #[test]
    fn macp_5_absorption_in_a_higher_scale_counts_from_deputation() {
        // Clarification 5(ii): lower-scale service does not count, the
        // deputation before absorption does.
        let i = input(
            ymd(1995, 1, 1),
            PayRef::level(level("6")),
            vec![
                CareerEvent::Deputation {
                    on: ymd(2009, 4, 1),
                    to: PayRef::level(level("8")),
                },
                CareerEvent::Absorption {
                    on: ymd(2012, 4, 1),
                },
            ],
        );
        let d = evaluate_macp(ymd(2020, 1, 1), &i).unwrap();
        assert_eq!(d.outcome.service_from, ymd(2009, 4, 1));
        let first = &d.outcome.upgrades[0];
        assert_eq!((first.number, first.due_on), (1, ymd(2019, 4, 1)));
        assert_eq!(first.to.level, Some(level("9")));
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "MACP-5" && r.text.contains("afresh")));
        // An absorption needs a deputation.
        let bad = input(
            ymd(1995, 1, 1),
            PayRef::level(level("6")),
            vec![CareerEvent::Absorption {
                on: ymd(2012, 4, 1),
            }],
        );
        assert!(matches!(
            evaluate_macp(ymd(2020, 1, 1), &bad),
            Err(PayError::InvalidEvent { .. })
        ));
    }

    #[test]
    fn macp_6_postponement_moves_later_upgrades() {
        // Clarification 7: a postponed upgrade postpones the later ones.
        let base = input(ymd(2000, 7, 1), PayRef::level(level("2")), Vec::new());
        let plain = evaluate_macp(ymd(2040, 1, 1), &base).unwrap();
        let mut i = base.clone();
        i.events = vec![CareerEvent::Postponement {
            on: ymd(2010, 7, 1),
            days: None,
            until: Some(ymd(2011, 9, 1)),
        }];
        let d = evaluate_macp(ymd(2040, 1, 1), &i).unwrap();
        let days = (ymd(2011, 9, 1) - ymd(2010, 7, 1)).num_days();
        for (a, b) in plain.outcome.upgrades.iter().zip(&d.outcome.upgrades) {
            assert_eq!((b.due_on - a.due_on).num_days(), days);
            assert_eq!(a.to, b.to);
        }
        assert_eq!(
            d.outcome.upgrades[0].postponed_days,
            u64::try_from(days).unwrap()
        );
        assert!(d.cites(&rules::MACP_6));
    }

    #[test]
    fn macp_6_benchmark_not_met_defers_by_a_year() {
        use Grading::*;
        let mut i = input(ymd(2010, 10, 1), PayRef::level(level("6")), Vec::new());
        // Due 01.10.2020, window 2015-16..2019-20; 2016-17 "Average" fails it.
        i.apars = [
            (2015, VeryGood),
            (2016, Average),
            (2017, VeryGood),
            (2018, VeryGood),
            (2019, VeryGood),
            (2020, VeryGood),
        ]
        .into_iter()
        .map(|(year, grading)| Apar { year, grading })
        .collect();
        let d = evaluate_macp(ymd(2022, 1, 1), &i).unwrap();
        let first = &d.outcome.upgrades[0];
        // Window 2016-17..2020-21 still holds the "Average": deferred again, then
        // the APAR for 2021-22 is not yet written on the as-of date.
        assert_eq!(first.due_on, ymd(2022, 10, 1));
        assert_eq!(first.status, UpgradeStatus::NotYetDue);
        assert!(d.cites(&rules::MACP_6));
        assert_eq!(first.postponed_days, 730);
        let later = add_days(ymd(2030, 10, 1), first.postponed_days).unwrap();
        assert_eq!(d.outcome.upgrades[1].due_on, later);

        i.apars.push(Apar {
            year: 2021,
            grading: VeryGood,
        });
        i.apars.retain(|a| a.year != 2016);
        i.apars.push(Apar {
            year: 2016,
            grading: VeryGood,
        });
        let d = evaluate_macp(ymd(2022, 1, 1), &i).unwrap();
        assert_eq!(d.outcome.upgrades[0].due_on, ymd(2020, 10, 1));
        assert_eq!(d.outcome.upgrades[0].status, UpgradeStatus::Due);
    }

    #[test]
    fn macp_7_three_promotions_end_macp() {
        // Clarification 8: three promotions earned, no further MACP.
        let i = input(
            ymd(1990, 1, 1),
            PayRef::level(level("4")),
            vec![
                CareerEvent::Promotion {
                    on: ymd(1994, 1, 1),
                    to: PayRef::level(level("5")),
                },
                CareerEvent::Promotion {
                    on: ymd(2001, 1, 1),
                    to: PayRef::level(level("6")),
                },
                CareerEvent::Promotion {
                    on: ymd(2009, 1, 1),
                    to: PayRef::level(level("7")),
                },
            ],
        );
        let d = evaluate_macp(ymd(2025, 1, 1), &i).unwrap();
        assert!(d.outcome.upgrades.is_empty());
        assert_eq!(d.outcome.next_due, None);
        assert!(d.cites(&rules::MACP_7));
        // Two promotions leave the 3rd upgrade, 10 years after the last one.
        let mut two = i.clone();
        two.events.pop();
        let d = evaluate_macp(ymd(2025, 1, 1), &two).unwrap();
        assert_eq!(d.outcome.upgrades.len(), 1);
        assert_eq!(d.outcome.upgrades[0].due_on, ymd(2011, 1, 1));
        assert!(!d.cites(&rules::MACP_7));
    }

    #[test]
    fn macp_8_group_d_scales_merge_and_upgrade_through_three_grade_pays() {
        // Clarifications 9 and 11: 2550-3200, 2610-3540, 2610-4000, 2650-4000
        // and 2750-4400 count at GP 1800; ACPs inside the merged scales are
        // ignored, so the three upgrades end at GP 2400 by 01.09.2008.
        for entry in [
            "2550-3200",
            "2610-3540",
            "2610-4000",
            "2650-4000",
            "2750-4400",
        ] {
            let i = input(ymd(1975, 3, 1), PayRef::scale(entry), Vec::new());
            let d = evaluate_macp(ymd(2009, 1, 1), &i).unwrap();
            let gps: Vec<Option<u32>> = d.outcome.upgrades.iter().map(|u| u.to.grade_pay).collect();
            assert_eq!(gps, [Some(1900), Some(2000), Some(2400)], "{entry}");
            assert!(
                d.outcome.upgrades.iter().all(|u| u.due_on <= MACP_FROM),
                "{entry}"
            );
            assert!(d.cites(&rules::MACP_8), "{entry}");
        }
        // From 2550-3200 both old ACPs stay inside the merged scales: all three
        // upgrades are MACPs on 01.09.2008, fixed one after another (clar. 11).
        let i = input(ymd(1975, 3, 1), PayRef::scale("2550-3200"), Vec::new());
        let d = evaluate_macp(ymd(2009, 1, 1), &i).unwrap();
        assert!(d
            .outcome
            .upgrades
            .iter()
            .all(|u| u.due_on == MACP_FROM && u.scheme == Scheme::Macp));
        let together = d
            .outcome
            .upgrades
            .iter()
            .filter(|u| u.due_on == MACP_FROM)
            .count();
        let fixed = crate::pay::fixation::successive_2008(
            PayBand::Pb1,
            7000,
            1800,
            u8::try_from(together).unwrap(),
        )
        .unwrap();
        assert_eq!(
            fixed.pay,
            crate::pay::Pay::SixthCpc {
                pay_band: PayBand::Pb1,
                pay_in_band: 7840,
                grade_pay: 2400
            }
        );
        // A recorded ACP inside the merged scales is ignored as well.
        let i = input(
            ymd(1975, 3, 1),
            PayRef::scale("2550-3200"),
            vec![CareerEvent::Acp {
                on: ymd(1999, 8, 9),
                to: Some(PayRef::scale("2610-3540")),
            }],
        );
        let d = evaluate_macp(ymd(2009, 1, 1), &i).unwrap();
        assert_eq!(d.outcome.upgrades.len(), 3);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.rule == "MACP-8" && r.text.contains("ignored")));
    }

    #[test]
    fn recorded_grants_are_the_next_upgrade_even_when_late() {
        let i = input(
            ymd(2000, 1, 1),
            PayRef::level(level("6")),
            vec![CareerEvent::Macp {
                on: ymd(2011, 5, 1),
                to: None,
            }],
        );
        let d = evaluate_macp(ymd(2012, 1, 1), &i).unwrap();
        let u = &d.outcome.upgrades;
        assert_eq!(
            (u[0].due_on, u[0].status, u[0].to.grade_pay),
            (ymd(2011, 5, 1), UpgradeStatus::Granted, Some(4600))
        );
        // The 20-year anchor is earlier than 10 years after a late grant.
        assert_eq!(u[1].due_on, ymd(2020, 1, 1));
    }

    #[test]
    fn bad_inputs_are_errors_not_guesses() {
        // GP 5400 without a band could be PB-2 or PB-3: refused, not guessed.
        let i = input(
            ymd(2000, 1, 1),
            PayRef {
                grade_pay: Some(5400),
                ..PayRef::default()
            },
            Vec::new(),
        );
        assert_eq!(
            evaluate_macp(ymd(2020, 1, 1), &i).err(),
            Some(PayError::AmbiguousGradePay(5400))
        );
        let i = input(
            ymd(2000, 1, 1),
            PayRef::grade_pay(PayBand::Pb2, 5400),
            Vec::new(),
        );
        assert!(evaluate_macp(ymd(2020, 1, 1), &i).is_ok());
        let i = input(
            ymd(2000, 1, 1),
            PayRef::level(level("6")),
            vec![CareerEvent::Promotion {
                on: ymd(1999, 1, 1),
                to: PayRef::level(level("7")),
            }],
        );
        assert!(matches!(
            evaluate_macp(ymd(2020, 1, 1), &i),
            Err(PayError::InvalidEvent { .. })
        ));
        let i = input(
            ymd(2000, 1, 1),
            PayRef::level(level("6")),
            vec![CareerEvent::Postponement {
                on: ymd(2010, 1, 1),
                days: None,
                until: None,
            }],
        );
        assert!(matches!(
            evaluate_macp(ymd(2020, 1, 1), &i),
            Err(PayError::InvalidEvent { .. })
        ));
    }

    #[test]
    fn reasons_name_apar_years_and_rungs_as_the_orders_do() {
        assert_eq!(
            AparYears(ymd(2012, 10, 1)).to_string(),
            "2007-08 to 2011-12"
        );
        assert_eq!(
            AparYears(ymd(2004, 10, 1)).to_string(),
            "1999-00 to 2003-04"
        );
        let l7 = level("7");
        assert_eq!(
            RungText(l7, None, ymd(2012, 1, 1)).to_string(),
            "PB-2 GP 4600"
        );
        assert_eq!(RungText(l7, None, ymd(2016, 1, 1)).to_string(), "Level 7");
        let s = PreRevisedScale::parse("6500-10500").unwrap();
        assert_eq!(
            RungText(l7, Some(s), ymd(2000, 1, 1)).to_string(),
            "6500-200-10500 (revised: PB-2 GP 4600)"
        );
    }

    #[test]
    fn input_and_outcome_round_trip_through_json() {
        let json = r#"{
            "joined_entry_grade_on": "1982-10-01",
            "entry": {"scale": "4000-6000"},
            "events": [
                {"kind": "acp", "on": "1999-08-09", "to": {"scale": "4500-7000"}},
                {"kind": "postponement", "on": "2006-10-01", "days": 30}
            ],
            "apars": [{"year": 2011, "grading": "very_good"}]
        }"#;
        let i: MacpInput = serde_json::from_str(json).unwrap();
        let d = evaluate_macp(ymd(2013, 1, 1), &i).unwrap();
        let out = serde_json::to_value(&d).unwrap();
        assert_eq!(out["as_of"], "2013-01-01");
        assert_eq!(out["upgrades"][1]["scheme"], "ACP");
        assert_eq!(out["upgrades"][1]["due_on"], "2006-10-31");
        assert_eq!(out["upgrades"][1]["postponed_days"], 30);
        assert_eq!(out["upgrades"][2]["status"], "due_subject_to_benchmark");
        assert!(out["reasons"][0]["citation"]
            .as_str()
            .unwrap()
            .contains("35034/3/2008"));
        let back: MacpOutcome = serde_json::from_value(out).unwrap();
        assert_eq!(back, d.outcome);
    }

    /// An entry at `entry_ord`, optionally with the upgrade after the `k`
    /// first ones postponed by `days` (postponement dated its due date).
    fn synthetic(entry_year: i32, entry_ord: u8, postponed: Option<(u8, u32)>) -> MacpInput {
        let entry = Level::by_ord(entry_ord).unwrap();
        let joined = NaiveDate::from_ymd_opt(
            entry_year,
            1 + u32::from(entry_ord % 12),
            1 + u32::from(entry_ord),
        )
        .unwrap();
        MacpInput {
            joined_entry_grade_on: joined,
            entry: PayRef::level(entry),
            organised_group_a: false,
            events: postponed
                .map(|(k, days)| {
                    let on = add_years(joined, 10 * (u32::from(k) + 1)).unwrap();
                    vec![CareerEvent::Postponement {
                        on,
                        days: Some(days),
                        until: None,
                    }]
                })
                .unwrap_or_default(),
            apars: Vec::new(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// An upgrade never lowers the level (MACP-1): each goes one rung up.
        #[test]
        fn upgrades_climb_the_hierarchy(year in 1970i32..2020, ord in 0u8..12) {
            let i = synthetic(year, ord, None);
            let d = evaluate_macp(ymd(2060, 1, 1), &i).unwrap();
            let mut held = Level::by_ord(ord).unwrap();
            for u in &d.outcome.upgrades {
                let to = u.to.resolve().unwrap().level;
                prop_assert!(to > held);
                held = to;
            }
        }

        /// MACP-6: a postponement of N days moves that upgrade and every later one by N days.
        #[test]
        fn postponement_moves_later_upgrades_by_the_same_days(
            year in 2000i32..2030, ord in 0u8..10, k in 0u8..3, days in 1u32..2000,
        ) {
            let plain = evaluate_macp(ymd(2070, 1, 1), &synthetic(year, ord, None)).unwrap();
            let moved = evaluate_macp(ymd(2070, 1, 1), &synthetic(year, ord, Some((k, days)))).unwrap();
            prop_assert_eq!(plain.outcome.upgrades.len(), moved.outcome.upgrades.len());
            for (a, b) in plain.outcome.upgrades.iter().zip(&moved.outcome.upgrades) {
                let shift = (b.due_on - a.due_on).num_days();
                if a.number <= k {
                    prop_assert_eq!(shift, 0);
                } else {
                    prop_assert_eq!(shift, i64::from(days));
                }
                prop_assert_eq!(&a.to.resolve().unwrap().level, &b.to.resolve().unwrap().level);
            }
        }

        /// Evaluation is deterministic: the same input gives the same decision.
        #[test]
        fn evaluation_is_deterministic(year in 1970i32..2020, ord in 0u8..12, as_of_year in 1990i32..2050) {
            let i = synthetic(year, ord, Some((1, 100)));
            let as_of = NaiveDate::from_ymd_opt(as_of_year, 6, 30).unwrap();
            let a = evaluate_macp(as_of, &i);
            let b = evaluate_macp(as_of, &i.clone());
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(serde_json::to_string(&a.ok()).unwrap(), serde_json::to_string(&b.ok()).unwrap());
        }
    }
}
