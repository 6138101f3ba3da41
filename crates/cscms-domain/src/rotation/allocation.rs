//! The allocation of a rotation round (ROT-1, ROT-2, SPO-1): pure and
//! deterministic.
//!
//! Per grade, officer-proposing deferred acceptance (Gale–Shapley). Every
//! ministry ranks applicants by one published priority ([`PRIORITY_RULE`]),
//! so the result is stable (no officer prefers a ministry that took someone
//! of lower priority) and no officer gains by misstating their list.
//!
//! Capacities are the vacancies plus the posts freed by officers who must
//! rotate (they leave whatever happens). A volunteer's post is freed only once
//! they are placed; counting it within the same round would let an officer
//! gain by listing a ministry they do not want (a chain of freed posts
//! leading back to a better one), so those posts are reported for the next
//! round instead.
//!
//! Spouses (SPO-1) are posted first: the cadre authority must post them at
//! one station where posts are available (OM 28034/9/2009-Estt.(A) paras 2,
//! 4(iii), 4(viii) and 5), so a couple takes the first pair on their joint
//! list with a post for each at one station. Where none has, the reason is
//! stated (para 5) and each spouse takes part as a single officer.
//!
//! Officers who must rotate and are not placed within their list are then
//! placed in the remaining vacancies of the other group, by the same
//! priority: at their spouse's station where possible, else where most posts
//! remain.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decision::{Decision, Reason, Reasons};
use crate::rules::{ROT_1, ROT_2, SPO_1};

/// The published priority every ministry applies.
pub const PRIORITY_RULE: &str = "Longest tenure in the present ministry first (earliest date of joining it), \
     then seniority in the grade (lower seniority number first), then the employee code (ascending) as a fixed tie-break";

/// The two groups of ministries officers rotate between (ROT-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum Group {
    A,
    B,
}

crate::sql::sql_text!(Group, Group::parse);

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::A => "A",
            Group::B => "B",
        }
    }

    pub fn parse(s: &str) -> Result<Self, crate::cadre::UnknownValue> {
        match s {
            "A" => Ok(Group::A),
            "B" => Ok(Group::B),
            _ => Err(crate::cadre::UnknownValue {
                what: "ministry group",
                value: s.to_owned(),
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Ministry {
    pub id: String,
    pub group: Group,
    /// Where its posts are (most ministries are in New Delhi, some offices are not).
    pub station: String,
    /// Vacancies by grade code before the round (sanctioned minus in position, PRF-3).
    #[serde(default)]
    pub vacancies: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Officer {
    pub code: String,
    pub grade: String,
    /// The present ministry.
    pub ministry: String,
    pub in_ministry_since: NaiveDate,
    /// Position in the grade's seniority list, 1 the most senior.
    pub seniority: u32,
    /// ROT-2 requires the move; otherwise the officer opted in.
    pub must_rotate: bool,
    /// Ministries of the other group, most wanted first.
    #[serde(default)]
    pub preferences: Vec<String>,
}

/// One choice on a couple's joint list: a ministry for each spouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JointChoice {
    pub first: String,
    pub second: String,
}

/// Spouses who ask to be posted together (SPO-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Couple {
    /// An officer of the round.
    pub first: String,
    /// The other spouse: an officer of the round, or one who stays at `second_station`.
    pub second: String,
    /// Where the second spouse serves when not in this round.
    #[serde(default)]
    pub second_station: Option<String>,
    /// Pairs in order of preference; when empty, pairs at one station are
    /// taken from the two lists, fewest ranks down first.
    #[serde(default)]
    pub joint: Vec<JointChoice>,
    /// The OM makes posting them together mandatory where posts are
    /// available (para 2: the same Central Service or department), as
    /// [`crate::rotation::couples::spouses_in_round`] decides: such couples
    /// are placed before the others.
    #[serde(default)]
    pub mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    pub ministries: Vec<Ministry>,
    pub officers: Vec<Officer>,
    #[serde(default)]
    pub couples: Vec<Couple>,
}

/// How an officer was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RotationPlacement))]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// With their spouse at one station (SPO-1).
    WithSpouse,
    /// By their list, through deferred acceptance.
    Preference,
    /// Must rotate, not placed within their list: placed afterwards (ROT-2).
    Afterwards,
    /// Not placed; stays in the present ministry.
    Unplaced,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RotationResult))]
pub struct OfficerResult {
    pub code: String,
    pub grade: String,
    pub from: String,
    pub to: Option<String>,
    pub station: Option<String>,
    pub placement: Placement,
    /// 1-based rank of `to` on the officer's own list, if it is there.
    pub rank: Option<u32>,
    /// Why, choice by choice: which choices went to others (never named) and how.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoupleOutcome {
    pub first: String,
    pub second: String,
    /// Posting together was mandatory where posts are available (SPO-1, para 2).
    pub mandatory: bool,
    pub together: bool,
    pub station: Option<String>,
    /// The specific reason when not posted together (SPO-1, para 5).
    pub reason: Option<String>,
}

/// Posts left per ministry and grade, and posts freed only by this round's
/// volunteers (offered in the next round).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Remaining {
    pub ministry: String,
    pub grade: String,
    /// Posts still vacant after the round.
    pub vacant: u32,
    /// Officers beyond the posts: an officer who had to rotate could not be
    /// placed and stays, though their post was offered and taken (for DoPT).
    pub over_strength: u32,
    pub freed_for_next_round: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub priority_rule: &'static str,
    /// In the order of the input's officers.
    pub officers: Vec<OfficerResult>,
    pub couples: Vec<CoupleOutcome>,
    pub remaining: Vec<Remaining>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("ministry {0} appears twice")]
    DuplicateMinistry(String),
    #[error("officer {0} appears twice")]
    DuplicateOfficer(String),
    #[error("officer {0}: unknown ministry {1}")]
    UnknownMinistry(String, String),
    #[error("officer {0}: {1} is not a ministry of the other group")]
    NotOtherGroup(String, String),
    #[error("officer {0}: {1} is listed twice")]
    ListedTwice(String, String),
    #[error("couple {0}/{1}: {2}")]
    Couple(String, String, String),
}

type Slot<'a> = (&'a str, &'a str); // (ministry, grade)

/// Lower is served first ([`PRIORITY_RULE`]).
type Priority<'a> = (NaiveDate, u32, &'a str);

struct Round<'a> {
    ministries: BTreeMap<&'a str, &'a Ministry>,
    officers: Vec<&'a Officer>,
    index: BTreeMap<&'a str, usize>,
    /// Posts open to the round per (ministry, grade), before anyone is placed.
    capacity: BTreeMap<Slot<'a>, u32>,
    /// Posts still free.
    left: BTreeMap<Slot<'a>, u32>,
    /// Posts taken by couples posted together.
    by_couples: BTreeMap<Slot<'a>, u32>,
    placed: Vec<Option<(&'a str, Placement)>>,
    reasons: Vec<Reasons>,
}

impl<'a> Round<'a> {
    fn priority(&self, i: usize) -> Priority<'a> {
        let o = self.officers[i];
        (o.in_ministry_since, o.seniority, o.code.as_str())
    }

    fn group_of(&self, i: usize) -> Option<Group> {
        self.ministries
            .get(self.officers[i].ministry.as_str())
            .map(|m| m.group)
    }

    fn station(&self, m: &str) -> Option<&'a str> {
        self.ministries.get(m).map(|m| m.station.as_str())
    }

    fn free(&self, m: &'a str, grade: &'a str) -> u32 {
        self.left.get(&(m, grade)).copied().unwrap_or(0)
    }

    fn take(&mut self, i: usize, m: &'a str, how: Placement) {
        let grade = self.officers[i].grade.as_str();
        if let Some(n) = self.left.get_mut(&(m, grade)) {
            *n = n.saturating_sub(1);
        }
        self.placed[i] = Some((m, how));
    }
}

fn validate(input: &AllocationInput) -> Result<(), AllocationError> {
    let mut groups = BTreeMap::new();
    for m in &input.ministries {
        if groups.insert(m.id.as_str(), m.group).is_some() {
            return Err(AllocationError::DuplicateMinistry(m.id.clone()));
        }
    }
    let mut seen = BTreeMap::new();
    for o in &input.officers {
        if seen.insert(o.code.as_str(), ()).is_some() {
            return Err(AllocationError::DuplicateOfficer(o.code.clone()));
        }
        let home = groups
            .get(o.ministry.as_str())
            .ok_or_else(|| AllocationError::UnknownMinistry(o.code.clone(), o.ministry.clone()))?;
        for (k, p) in o.preferences.iter().enumerate() {
            match groups.get(p.as_str()) {
                Some(g) if g != home => {}
                _ => return Err(AllocationError::NotOtherGroup(o.code.clone(), p.clone())),
            }
            if o.preferences[..k].contains(p) {
                return Err(AllocationError::ListedTwice(o.code.clone(), p.clone()));
            }
        }
    }
    let mut in_couple = BTreeMap::new();
    for c in &input.couples {
        let err =
            |t: &str| AllocationError::Couple(c.first.clone(), c.second.clone(), t.to_owned());
        if !seen.contains_key(c.first.as_str()) {
            return Err(err("the first spouse is not an officer of the round"));
        }
        if c.first == c.second {
            return Err(err("an officer cannot be their own spouse"));
        }
        let second_in = seen.contains_key(c.second.as_str());
        if second_in == c.second_station.is_some() {
            return Err(err(
                "give second_station exactly when the second spouse is not in the round",
            ));
        }
        for who in [&c.first, &c.second] {
            if in_couple.insert(who.as_str(), ()).is_some() {
                return Err(err("an officer is in two couples"));
            }
        }
        for j in &c.joint {
            if !second_in {
                return Err(err("a joint list needs both spouses in the round"));
            }
            for (code, m) in [(&c.first, &j.first), (&c.second, &j.second)] {
                let home = input
                    .officers
                    .iter()
                    .find(|o| &o.code == code)
                    .and_then(|o| groups.get(o.ministry.as_str()));
                match groups.get(m.as_str()) {
                    Some(g) if Some(g) != home => {}
                    _ => return Err(AllocationError::NotOtherGroup(code.clone(), m.clone())),
                }
            }
        }
    }
    Ok(())
}

/// Allocates a round as of the date its process starts.
pub fn allocate(
    as_of: NaiveDate,
    input: &AllocationInput,
) -> Result<Decision<Allocation>, AllocationError> {
    validate(input)?;
    let officers: Vec<&Officer> = input.officers.iter().collect();
    let mut round = Round {
        ministries: input
            .ministries
            .iter()
            .map(|m| (m.id.as_str(), m))
            .collect(),
        index: officers
            .iter()
            .enumerate()
            .map(|(i, o)| (o.code.as_str(), i))
            .collect(),
        capacity: BTreeMap::new(),
        left: BTreeMap::new(),
        by_couples: BTreeMap::new(),
        placed: vec![None; officers.len()],
        reasons: vec![Reasons::new(); officers.len()],
        officers,
    };
    for m in &input.ministries {
        for (g, n) in &m.vacancies {
            *round
                .capacity
                .entry((m.id.as_str(), g.as_str()))
                .or_default() += n;
        }
    }
    // ROT-2: an officer who must rotate leaves whatever happens, so their post is open to the round.
    for o in &input.officers {
        if o.must_rotate {
            *round
                .capacity
                .entry((o.ministry.as_str(), o.grade.as_str()))
                .or_default() += 1;
        }
    }
    round.left = round.capacity.clone();

    let couples = place_couples(&mut round, &input.couples);
    deferred_acceptance(&mut round);
    place_afterwards(&mut round, &input.couples);

    let mut general = Reasons::new();
    general.push(&ROT_1, format!("allocation by officer-proposing deferred acceptance per grade; priority: {PRIORITY_RULE}"));
    general.push(&ROT_2, "posts open to the round: the vacancies (PRF-3) plus the post of every officer who must rotate; officers move to a ministry of the other group");
    if !input.couples.is_empty() {
        general.push(&SPO_1, "spouses posted together first where a post is available for each at one station (paras 2, 4 and 5)");
    }
    let results = results(&round);
    let remaining = remaining(&round);
    Ok(general.decide(
        as_of,
        Allocation {
            priority_rule: PRIORITY_RULE,
            officers: results,
            couples,
            remaining,
        },
    ))
}

/// Pairs a couple may take, in order: the joint list, or pairs at one
/// station from the two lists (fewest ranks down in total, then the first
/// spouse's rank).
fn candidate_pairs<'a>(
    round: &Round<'a>,
    a: &'a Officer,
    b: &'a Officer,
    joint: &'a [JointChoice],
) -> Vec<(&'a str, &'a str)> {
    if !joint.is_empty() {
        return joint
            .iter()
            .map(|j| (j.first.as_str(), j.second.as_str()))
            .collect();
    }
    let mut pairs = Vec::new();
    for (ra, ma) in a.preferences.iter().enumerate() {
        for (rb, mb) in b.preferences.iter().enumerate() {
            if round.station(ma).is_some() && round.station(ma) == round.station(mb) {
                pairs.push((ra + rb, ra, ma.as_str(), mb.as_str()));
            }
        }
    }
    pairs.sort();
    pairs.into_iter().map(|(_, _, x, y)| (x, y)).collect()
}

/// Why a pair of the couple's list could not be taken: the specific
/// reason para 5 of the OM demands, naming ministries and posts, never
/// another officer.
fn pair_refusal<'a>(
    round: &Round<'a>,
    a: &'a Officer,
    b: &'a Officer,
    ma: &'a str,
    mb: &'a str,
) -> String {
    match (round.station(ma), round.station(mb)) {
        (Some(x), Some(y)) if x != y => {
            format!("{ma} ({x}) and {mb} ({y}) are at different stations")
        }
        (Some(x), Some(_)) if (ma, a.grade.as_str()) == (mb, b.grade.as_str()) => format!(
            "{ma} at {x}: {} {} post(s) left, two needed",
            round.free(ma, &a.grade),
            a.grade
        ),
        (Some(x), Some(_)) => {
            let mut lack = Vec::new();
            for (m, grade) in [(ma, &a.grade), (mb, &b.grade)] {
                if round.free(m, grade) == 0 {
                    lack.push(format!("no {grade} post left in {m}"));
                }
            }
            format!("{ma} and {mb} at {x}: {}", lack.join(", "))
        }
        _ => format!("{ma} or {mb} is not a ministry of the round"),
    }
}

fn place_couples<'a>(round: &mut Round<'a>, couples: &'a [Couple]) -> Vec<CoupleOutcome> {
    // Couples the OM obliges to post together first (para 2), then the
    // others (para 5: strive to); each in the order of the higher-priority spouse.
    let mut order: Vec<&Couple> = couples.iter().collect();
    order.sort_by_key(|c| {
        let p = |code: &str| round.index.get(code).map(|&i| round.priority(i));
        (!c.mandatory, p(&c.first).min(p(&c.second).or(p(&c.first))))
    });
    let mut out = Vec::new();
    for c in order {
        let Some(&ia) = round.index.get(c.first.as_str()) else {
            continue;
        };
        let a = round.officers[ia];
        let outcome = match round.index.get(c.second.as_str()).copied() {
            Some(ib) => {
                let b = round.officers[ib];
                let pairs = candidate_pairs(round, a, b, &c.joint);
                let found = pairs.iter().copied().find(|(ma, mb)| {
                    round.station(ma).is_some()
                        && round.station(ma) == round.station(mb)
                        && if (ma, a.grade.as_str()) == (mb, b.grade.as_str()) {
                            round.free(ma, &a.grade) >= 2
                        } else {
                            round.free(ma, &a.grade) >= 1 && round.free(mb, &b.grade) >= 1
                        }
                });
                match found {
                    Some((ma, mb)) => {
                        let station = round.station(ma).unwrap_or_default();
                        for (i, m) in [(ia, ma), (ib, mb)] {
                            let grade = round.officers[i].grade.as_str();
                            *round.by_couples.entry((m, grade)).or_default() += 1;
                            round.take(i, m, Placement::WithSpouse);
                            round.reasons[i].push(&SPO_1, format!("posted with the spouse at {station}: {m}, the first choice on the couple's list with a post for each at one station"));
                        }
                        together(c, station)
                    }
                    None => {
                        let why = if pairs.is_empty() {
                            "the two lists have no ministries at one station".to_owned()
                        } else {
                            let each: Vec<String> = pairs
                                .iter()
                                .map(|&(ma, mb)| pair_refusal(round, a, b, ma, mb))
                                .collect();
                            format!(
                                "no pair on the couple's list had a post for each at one station ({}); each spouse was then placed by their own list",
                                each.join("; ")
                            )
                        };
                        for i in [ia, ib] {
                            round.reasons[i].push(&SPO_1, not_together(c, &why));
                        }
                        apart(c, why)
                    }
                }
            }
            None => {
                let station = c.second_station.clone().unwrap_or_default();
                let found = a.preferences.iter().find(|m| {
                    round.station(m) == Some(station.as_str()) && round.free(m, &a.grade) > 0
                });
                match found {
                    Some(m) => {
                        *round
                            .by_couples
                            .entry((m.as_str(), a.grade.as_str()))
                            .or_default() += 1;
                        round.take(ia, m, Placement::WithSpouse);
                        round.reasons[ia].push(&SPO_1, format!("posted at the spouse's station {station}: {m}, the first ministry on the list there with a post"));
                        together(c, &station)
                    }
                    None => {
                        let why = format!("no ministry on the list at the spouse's station {station} had a {} post", a.grade);
                        round.reasons[ia].push(&SPO_1, not_together(c, &why));
                        apart(c, why)
                    }
                }
            }
        };
        out.push(outcome);
    }
    out.sort_by(|x, y| (&x.first, &x.second).cmp(&(&y.first, &y.second)));
    out
}

/// An officer's reason when not posted with the spouse (SPO-1, para 5:
/// the specific reasons are communicated to the employee).
fn not_together(c: &Couple, why: &str) -> String {
    if c.mandatory {
        format!("not posted with the spouse, though the OM makes it mandatory where posts are available (para 2): {why}")
    } else {
        format!("not posted with the spouse: {why}")
    }
}

fn together(c: &Couple, station: &str) -> CoupleOutcome {
    CoupleOutcome {
        first: c.first.clone(),
        second: c.second.clone(),
        mandatory: c.mandatory,
        together: true,
        station: Some(station.to_owned()),
        reason: None,
    }
}

fn apart(c: &Couple, why: String) -> CoupleOutcome {
    CoupleOutcome {
        first: c.first.clone(),
        second: c.second.clone(),
        mandatory: c.mandatory,
        together: false,
        station: None,
        reason: Some(why),
    }
}

/// Officer-proposing deferred acceptance, one market per grade over the
/// posts still free. Each ministry holds its best applicants by priority up
/// to its capacity and rejects the rest, who propose further down their list.
fn deferred_acceptance(round: &mut Round<'_>) {
    let n = round.officers.len();
    // Slots as dense indices, and each officer's place in the one priority
    // order: the proposal loop then touches no map keyed by text.
    let slots: Vec<Slot<'_>> = round.left.keys().copied().collect();
    let slot_of: HashMap<Slot<'_>, usize> =
        slots.iter().enumerate().map(|(k, s)| (*s, k)).collect();
    let mut cap: Vec<usize> = slots.iter().map(|s| round.left[s] as usize).collect();
    let mut by_priority: Vec<usize> = (0..n).collect();
    by_priority.sort_by_key(|&i| round.priority(i));
    let mut rank = vec![0usize; n];
    for (r, &i) in by_priority.iter().enumerate() {
        rank[i] = r;
    }
    let mut next = vec![0usize; n];
    // Held applicants per slot: a max-heap on rank, so the worst held is on top.
    let mut held: Vec<BinaryHeap<(usize, usize)>> = vec![BinaryHeap::new(); slots.len()];
    let mut free: Vec<usize> = (0..n)
        .filter(|&i| round.placed[i].is_none())
        .rev()
        .collect();
    while let Some(i) = free.pop() {
        let o = round.officers[i];
        let Some(m) = o.preferences.get(next[i]) else {
            continue;
        };
        next[i] += 1;
        let Some(&k) = slot_of.get(&(m.as_str(), o.grade.as_str())) else {
            // No post of the grade there at all: rejected at once.
            free.push(i);
            continue;
        };
        let heap = &mut held[k];
        heap.push((rank[i], i));
        if heap.len() > cap[k] {
            if let Some((_, out)) = heap.pop() {
                free.push(out);
            }
        }
    }
    for (k, heap) in held.into_iter().enumerate() {
        let (m, grade) = slots[k];
        cap[k] = cap[k].saturating_sub(heap.len());
        for (_, i) in heap {
            round.placed[i] = Some((m, Placement::Preference));
        }
        round.left.insert((m, grade), cap[k] as u32);
    }
}

/// ROT-2: officers who must rotate and were not placed within their list
/// take the remaining posts of the other group, highest priority first.
fn place_afterwards<'a>(round: &mut Round<'a>, couples: &'a [Couple]) {
    let mut order: Vec<usize> = (0..round.officers.len())
        .filter(|&i| round.placed[i].is_none() && round.officers[i].must_rotate)
        .collect();
    order.sort_by_key(|&i| round.priority(i));
    for i in order {
        let o = round.officers[i];
        let home = round.group_of(i);
        let spouse_station = couples.iter().find_map(|c| {
            let other = if c.first == o.code {
                &c.second
            } else if c.second == o.code {
                &c.first
            } else {
                return None;
            };
            match round.index.get(other.as_str()) {
                Some(&j) => round.placed[j].and_then(|(m, _)| round.station(m)),
                None => c.second_station.as_deref(),
            }
        });
        let best = round
            .ministries
            .values()
            .filter(|m| Some(m.group) != home && round.free(&m.id, &o.grade) > 0)
            .map(|m| {
                let at_spouse = spouse_station == Some(m.station.as_str());
                (
                    Reverse(at_spouse),
                    Reverse(round.free(&m.id, &o.grade)),
                    m.id.as_str(),
                )
            })
            .min();
        match best {
            Some((Reverse(at_spouse), _, m)) => {
                round.take(i, m, Placement::Afterwards);
                let how = if at_spouse {
                    "at the spouse's station (SPO-1)"
                } else {
                    "where most posts remained"
                };
                round.reasons[i].push(&ROT_2, format!("must rotate and no choice on the list could be met: placed afterwards in {m}, a remaining post of the other group, {how}"));
            }
            None => round.reasons[i].push(&ROT_2, format!("must rotate, but no {} post remained in the other group: stays for now, for DoPT to decide", o.grade)),
        }
    }
}

fn results(round: &Round<'_>) -> Vec<OfficerResult> {
    (0..round.officers.len())
        .map(|i| {
            let o = round.officers[i];
            let placed = round.placed[i];
            let to = placed.map(|(m, _)| m);
            let rank = to.and_then(|m| o.preferences.iter().position(|p| p == m)).map(|r| r as u32 + 1);
            let mut reasons = Reasons::new();
            // Every choice above the result: why it was not met (no one named).
            let above = rank.map_or(o.preferences.len(), |r| r as usize - 1);
            for m in &o.preferences[..above] {
                let slot = (m.as_str(), o.grade.as_str());
                let cap = round.capacity.get(&slot).copied().unwrap_or(0);
                let couples = round.by_couples.get(&slot).copied().unwrap_or(0);
                let text = if matches!(placed, Some((_, Placement::WithSpouse))) {
                    format!("choice {m}: not taken, so as to be posted with the spouse (SPO-1)")
                } else if cap == 0 {
                    format!("choice {m}: no {} post was open to the round", o.grade)
                } else if couples > 0 {
                    format!("choice {m}: of its {cap} {} post(s), {couples} went to officers posted with a spouse (SPO-1), the rest to officers of higher priority", o.grade)
                } else {
                    format!("choice {m}: its {cap} {} post(s) went to officers of higher priority", o.grade)
                };
                reasons.push(&ROT_1, text);
            }
            // Then what the couple and afterwards stages recorded, then the result.
            reasons.extend(round.reasons[i].clone());
            match placed {
                Some((m, Placement::Preference)) => reasons.push(&ROT_1, format!("placed in {m}, choice {} on the list", rank.unwrap_or(0))),
                None if !o.must_rotate => reasons.push(&ROT_1, "no choice on the list could be met; stays in the present ministry"),
                _ => {}
            }
            OfficerResult {
                code: o.code.clone(),
                grade: o.grade.clone(),
                from: o.ministry.clone(),
                to: to.map(str::to_owned),
                station: to.and_then(|m| round.station(m)).map(str::to_owned),
                placement: placed.map_or(Placement::Unplaced, |(_, h)| h),
                rank,
                reasons: reasons.iter().cloned().collect(),
            }
        })
        .collect()
}

fn remaining(round: &Round<'_>) -> Vec<Remaining> {
    let mut freed: BTreeMap<Slot<'_>, u32> = BTreeMap::new();
    // Officers who had to rotate but stay: their post, offered to the round, is not free after all.
    let mut stayed: BTreeMap<Slot<'_>, u32> = BTreeMap::new();
    for (i, p) in round.placed.iter().enumerate() {
        let o = round.officers[i];
        let slot = (o.ministry.as_str(), o.grade.as_str());
        match (p.is_some(), o.must_rotate) {
            (true, false) => *freed.entry(slot).or_default() += 1,
            (false, true) => *stayed.entry(slot).or_default() += 1,
            _ => {}
        }
    }
    let mut slots: Vec<Slot<'_>> = round.left.keys().chain(freed.keys()).copied().collect();
    slots.sort();
    slots.dedup();
    slots
        .into_iter()
        .map(|(m, g)| Remaining {
            ministry: m.to_owned(),
            grade: g.to_owned(),
            vacant: round
                .free(m, g)
                .saturating_sub(stayed.get(&(m, g)).copied().unwrap_or(0)),
            over_strength: stayed
                .get(&(m, g))
                .copied()
                .unwrap_or(0)
                .saturating_sub(round.free(m, g)),
            freed_for_next_round: freed.get(&(m, g)).copied().unwrap_or(0),
        })
        .collect()
}
