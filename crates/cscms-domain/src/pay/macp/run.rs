//! The ACP / MACP engine's walk through the service history: where the
//! next upgrade falls due, the rung it goes to, and the decision it makes.

use chrono::NaiveDate;

use super::*;
use crate::decision::{Decision, Reasons};
use crate::pay::benchmark::{self, Apar, Assessment, Grading};
use crate::pay::dates::{add_days, add_years, days_between, ordinal, text, Dmy};
use crate::pay::fitment::PreRevisedScale;
use crate::pay::matrix::Level;
use crate::pay::position::{PayRef, Position};
use crate::pay::regime::PayRegime;
use crate::pay::PayError;
use crate::rules;

use super::explain::*;

/// How a due date was reached, for the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    Service,
    SameGrade(NaiveDate),
    SchemeStart,
    /// Not before the upgrade or promotion before it, of that date.
    AfterLast(NaiveDate),
    /// An ACP due on that date, postponed past 31.08.2008 (MACP-3, MACP-6).
    AcpPostponed(NaiveDate),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) date: NaiveDate,
    pub(super) scheme: Scheme,
    pub(super) years: u32,
    pub(super) route: Route,
    /// The date it would fall due on without the postponement pending.
    pub(super) on_time: NaiveDate,
    /// Days earlier upgrades were delayed, which move the service dates.
    pub(super) shift: u64,
}

impl Candidate {
    /// Days the postponement pending delays it by.
    pub(super) fn delay(&self) -> u64 {
        days_between(self.on_time, self.date)
    }

    /// Days of delay actually applied when it comes on `on`: a grant or
    /// promotion later than the postponed date is not delayed further by
    /// the postponement, one before it less.
    fn delay_to(&self, on: NaiveDate) -> u64 {
        days_between(self.on_time, on.min(self.date))
    }
}

/// How an officer reached a higher grade pay by a step of their own
/// service: a promotion, or the non-functional scale, which is counted as
/// a financial upgradation but is no promotion (MACP-7 counts promotions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Promotion,
    Nfs,
}

#[derive(Debug, Clone, Copy)]
struct State {
    start: NaiveDate,
    /// The pay level reached, upgrades included.
    level: Level,
    /// The level of the post held on regular basis: MACP-5 judges "same
    /// grade" by it, not by the scale an ACP/MACP gave (clar. 6 and 10).
    post: Level,
    /// The pre-revised scale held, while it matters (before 2006).
    scale: Option<PreRevisedScale>,
    /// The rung held was reached by ACP/MACP (a promotion into it is absorbed).
    via_upgrade: bool,
    /// Upgrades counted under MACPS (promotions included).
    count: u8,
    /// Upgrades under the old ACP rules, merged ones included; an MACP takes
    /// the place of a pending ACP, which MACPS replaced (MACP-3).
    acp_seq: u8,
    promotions: u8,
    /// Last upgrade or promotion, and its date less `shift`: the "10 years
    /// in the same grade pay" are counted from that and moved by `shift`, as
    /// the service dates are, so the two agree across 29 February.
    last_on: NaiveDate,
    last_base: NaiveDate,
    /// Days the upgrades placed were actually delayed by postponement or
    /// deferral: the service dates of later ones move by as many (MACP-6).
    shift: u64,
    /// The next upgrade is postponed or deferred to this date (MACP-6).
    not_before: Option<NaiveDate>,
    at_top: bool,
    /// Deputation: its start, the post, and the level of the post held.
    deputation: Option<(NaiveDate, Position, Level)>,
}

impl State {
    fn new(start: NaiveDate, pos: Position) -> State {
        State {
            start,
            level: pos.level,
            post: pos.level,
            scale: pos.scale,
            via_upgrade: false,
            count: 0,
            acp_seq: 0,
            promotions: 0,
            last_on: start,
            last_base: start,
            shift: 0,
            not_before: None,
            at_top: false,
            deputation: None,
        }
    }

    fn exhausted(&self) -> bool {
        self.count >= MAX_UPGRADES || self.promotions >= MAX_UPGRADES || self.at_top
    }

    fn moved_up(&mut self, on: NaiveDate, level: Level, scale: Option<PreRevisedScale>) {
        self.level = level;
        self.scale = if PayRegime::on(on) == PayRegime::FifthCpc {
            scale
        } else {
            None
        };
        self.last_on = on;
        self.last_base = on
            .checked_sub_days(chrono::Days::new(self.shift))
            .unwrap_or(on);
    }

    /// The next upgrade came `delay` days late by postponement (MACP-6):
    /// later ones move by as many.
    fn delayed(&mut self, delay: u64) {
        self.shift += delay;
        self.not_before = None;
    }
}

/// When and under which scheme the next upgrade falls due.
fn candidate(st: &State) -> Result<Candidate, PayError> {
    let on_time = scheduled(st, None)?;
    let Some(not_before) = st.not_before.filter(|d| *d > on_time.date) else {
        return Ok(on_time);
    };
    // MACP-6: the postponed date itself, even where the service date was
    // raised to a scheme's start. MACPS replaced ACP from 01.09.2008
    // (MACP-3): an ACP postponed past 31.08.2008 can no longer be granted as
    // one and comes under MACPS, on the postponed date or the date MACPS
    // gives, whichever is later.
    let c = scheduled(st, Some(not_before))?;
    let route = match (on_time.scheme, c.scheme) {
        (Scheme::Acp, Scheme::Macp) => Route::AcpPostponed(on_time.date),
        _ => c.route,
    };
    Ok(Candidate {
        route,
        on_time: on_time.date,
        ..c
    })
}

/// The next upgrade's date and scheme, not before `floor` where given.
fn scheduled(st: &State, floor: Option<NaiveDate>) -> Result<Candidate, PayError> {
    let floored = |date: NaiveDate| floor.map_or(date, |f| date.max(f));
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
        let (date, route) = after_last(st, floored(date), route);
        // MACP-3: upgrades due before MACPS took effect stay under ACP.
        if date < macp_from {
            return Ok(Candidate {
                date,
                scheme: Scheme::Acp,
                years,
                route,
                on_time: date,
                shift: st.shift,
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
    let (date, route) = after_last(st, floored(date), route);
    Ok(Candidate {
        date,
        scheme: Scheme::Macp,
        years,
        route,
        on_time: date,
        shift: st.shift,
    })
}

/// Upgrades come in order: none before the last one placed (a grant
/// recorded later than the service dates would put it).
fn after_last(st: &State, date: NaiveDate, route: Route) -> (NaiveDate, Route) {
    if date < st.last_on {
        (st.last_on, Route::AfterLast(st.last_on))
    } else {
        (date, route)
    }
}

/// The rung a computed upgrade goes to: before 2006 under ACP, the next
/// higher pre-revised scale when the scale is known; otherwise the next
/// grade pay / level of the hierarchy (MACP-1), which ends at the highest
/// grade pay.
fn computed_target(st: &State, c: &Candidate) -> Option<(Level, Option<PreRevisedScale>)> {
    if c.scheme == Scheme::Acp && PayRegime::on(c.date) == PayRegime::FifthCpc {
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
        delay: u64,
    ) {
        self.st.count += 1;
        // An MACP, recorded where an ACP was pending, fills its place too: no
        // ACP comes after it (MACP-3).
        self.st.acp_seq += 1;
        self.upgrades.push(Upgrade {
            number: self.st.count,
            scheme,
            due_on,
            to: PayRef::on(due_on, target.0, target.1),
            status,
            benchmark,
            postponed_days: delay,
        });
        self.st.delayed(delay);
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
            // MACP-6: an upgrade deferred as unfit moves the later ones too,
            // by the delay it comes with (placed once the benchmark is met).
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
            self.st.not_before = Some(next);
            return Ok(());
        }
        let status = match assessment {
            None if due => UpgradeStatus::Due,
            None => UpgradeStatus::NotYetDue,
            Some((_, Assessment::Met)) => UpgradeStatus::Due,
            Some(_) => UpgradeStatus::DueSubjectToBenchmark,
        };
        let how = How(c);
        let rung = RungText(target.0, target.1, c.date);
        let text = match c.scheme {
            Scheme::Acp => text!(
                "{} upgradation due {} under the ACP Scheme ({how}): {rung}{}",
                ordinal(number),
                Dmy(c.date),
                if PayRegime::on(c.date) != PayRegime::FifthCpc {
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
            Scheme::Acp => acp_rule(c.date),
            Scheme::Macp => rules::MACP_1,
        };
        if let Route::AcpPostponed(acp_due) = c.route {
            self.reasons.push(
                &rules::MACP_3,
                text!(
                    "the ACP due {} is postponed to {}, past 31.08.2008, after which MACPS replaced the ACP Scheme: the {} upgradation comes under MACPS (clarification 3)",
                    Dmy(acp_due),
                    Dmy(c.date),
                    ordinal(number)
                ),
            );
        }
        self.reasons.push(&rule, text);
        self.push_upgrade(
            c.scheme,
            c.date,
            target,
            status,
            required.map(|r| r.0),
            c.delay(),
        );
        Ok(())
    }

    fn apply(&mut self, ev: &CareerEvent, cand: Option<&Candidate>) -> Result<(), PayError> {
        match ev {
            CareerEvent::Promotion { on, to } => {
                self.promotion(*on, to.resolve()?, cand, Move::Promotion)
            }
            CareerEvent::Nfs { on, to } => self.promotion(*on, to.resolve()?, cand, Move::Nfs),
            CareerEvent::Acp { on, to } => self.grant(Scheme::Acp, *on, to.as_ref(), cand),
            CareerEvent::Macp { on, to } => self.grant(Scheme::Macp, *on, to.as_ref(), cand),
            CareerEvent::Appointment { on, to } => {
                let pos = to.resolve()?;
                if pos.level == self.st.post {
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
                self.st.deputation = Some((*on, to.resolve()?, self.st.post));
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
                self.st.not_before = Some(add_days(c.date, days)?);
                Ok(())
            }
        }
    }

    fn promotion(
        &mut self,
        on: NaiveDate,
        pos: Position,
        cand: Option<&Candidate>,
        how: Move,
    ) -> Result<(), PayError> {
        let rung = RungText(pos.level, pos.scale, on);
        if pos.level < self.st.level
            && PayRegime::on(on) != PayRegime::FifthCpc
            && !self.st.via_upgrade
        {
            return Err(PayError::InvalidEvent {
                on,
                why: "promotion to a lower grade pay than the one held",
            });
        }
        // A promotion into the very scale already drawn under ACP is the
        // post catching up with the pay, not a merger of scales: handled as
        // after 2006 (below), it uses up no upgradation. Given by level (no
        // scale, as every stored history), a promotion into the level drawn
        // under ACP is read the same way: the level cannot show a merger.
        let into_scale_held = match pos.scale {
            Some(_) => pos.scale == self.st.scale,
            None => self.st.via_upgrade && pos.level == self.st.level,
        };
        if pos.level <= self.st.level
            && PayRegime::on(on) == PayRegime::FifthCpc
            && !into_scale_held
        {
            // MACP-8 / MACPS Annex-I para 8.1: promotions inside scales merged
            // into one grade pay are ignored.
            self.reasons.push(
                &rules::MACP_8,
                text!("promotion on {} to {rung} carries the same grade pay after the merger of scales: ignored for MACPS", Dmy(on)),
            );
            self.st.acp_seq += 1;
            self.st.scale = pos.scale;
            self.st.post = pos.level;
            return Ok(());
        }
        // After 2006 a promotion in the hierarchy to a post of the same grade
        // pay counts (clar. 8: promotions earned are what bar a fourth; MACPS
        // Annex-I para 8.1), unless that grade pay is drawn under ACP/MACP.
        let same_grade_pay_post = pos.level == self.st.level
            && !self.st.via_upgrade
            && how == Move::Promotion
            && PayRegime::on(on) != PayRegime::FifthCpc;
        if pos.level <= self.st.level && !same_grade_pay_post {
            // Regular promotion into (or below) the grade pay already drawn
            // under ACP/MACP: pay is not fixed again and no upgrade is counted.
            self.reasons.push(
                &rules::MACP_1,
                text!("promotion on {} to {rung}, not above the grade pay already held under ACP/MACP: not a further upgradation", Dmy(on)),
            );
            // Only a promotion into the rung itself regularises it.
            self.st.via_upgrade = pos.level < self.st.level;
            self.st.post = pos.level;
            return Ok(());
        }
        self.st.count += 1;
        self.st.acp_seq += 1;
        if how == Move::Promotion {
            self.st.promotions += 1;
        }
        self.st.via_upgrade = false;
        // MACP-6: the promotion takes the place of a postponed upgrade.
        if let Some(c) = cand {
            self.st.delayed(c.delay_to(on));
        }
        self.reasons.push(
            &rules::MACP_1,
            match how {
                Move::Promotion => text!(
                    "promotion on {} to {rung}: {} financial upgradation",
                    Dmy(on),
                    ordinal(self.st.count)
                ),
                Move::Nfs => text!(
                    "non-functional scale on {} to {rung} (NFS-1): {} financial upgradation, not a promotion",
                    Dmy(on),
                    ordinal(self.st.count)
                ),
            },
        );
        self.st.moved_up(on, pos.level, pos.scale);
        self.st.post = pos.level;
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
            let rule = if PayRegime::on(on) == PayRegime::FifthCpc {
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
                let revised = if PayRegime::on(on) != PayRegime::FifthCpc && c.date < MACP_FROM {
                    REVISED_STRUCTURE
                } else {
                    ""
                };
                self.reasons.push(
                    &acp_rule(on),
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
        self.push_upgrade(
            scheme,
            on,
            target,
            UpgradeStatus::Granted,
            None,
            c.delay_to(on),
        );
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
    // Recorded grants are the upgrades in order (assumption 6, "record all
    // or none"): while one is still to come, no computed upgrade is placed
    // ahead of it, or the grant would count as the one after. The events
    // before it are taken in order first.
    let last_grant = (0..input.events.len())
        .rev()
        .find(|&i| event_at(i).is_some_and(CareerEvent::is_grant));
    // Every turn consumes an event, places an upgrade, skips a merged ACP or
    // defers by a year within the APARs supplied; the bound only guards.
    for _ in 0..256 {
        let cand = if run.st.exhausted() {
            None
        } else {
            Some(candidate(&run.st)?)
        };
        let grant_to_come = last_grant.is_some_and(|g| g >= next_event);
        match (event_at(next_event), cand) {
            (Some(ev), Some(c)) if ev.is_grant() || ev.on() <= c.date || grant_to_come => {
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
