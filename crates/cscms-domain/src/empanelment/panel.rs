//! The panel run of a batch: eligibility, scores, ranking, the initial-stage
//! panel and its cut-off (CSS-3), then additions for representation (CSS-4).
//!
//! Ranking: score (exact, higher first); then inter-se seniority in the
//! batch (more senior first, officers without one after those with one);
//! then date of birth (older first); then officer id. Deterministic for any
//! input order.

use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::batch::{Batch, RepCategory};
use super::eligibility::{assess, Eligibility, EligibilityStatus, Proposal};
use super::parameters::{self, Fraction};
use super::score::{score, Score, ScoreOutcome};
use super::services;
use super::EmpanelmentError;
use crate::decision::{Decision, Reason, Reasons};
use crate::rules;

/// Where an officer ends up in the run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PanelOutcome {
    /// Within the panel size at the initial stage (CSS-3).
    EmpanelledInitial,
    /// Added with relaxed norms for the representation of `category` (CSS-4).
    PulledUp {
        category: RepCategory,
    },
    NotEmpanelled,
    /// Vigilance clearance awaited or deferred (CSS-7).
    Deferred,
}

/// One officer's result, with the reasons of every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerResult {
    pub officer_id: String,
    pub name: String,
    pub eligibility: Eligibility,
    /// Scored for eligible officers only.
    pub score: Option<ScoreOutcome>,
    /// Merit rank among the eligible officers with a score, 1 the best.
    pub rank: Option<u32>,
    pub outcome: PanelOutcome,
    /// Not read back from JSON: a stored run compares by outcome, not by text.
    #[serde(skip_deserializing)]
    pub reasons: Vec<Reason>,
}

impl OfficerResult {
    pub fn score_value(&self) -> Option<Score> {
        self.score.as_ref().and_then(|s| s.score)
    }
}

/// CSS-4 for one category: before and after the additions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepresentationCheck {
    pub category: RepCategory,
    pub share_bp: u32,
    pub preceding_count: u32,
    pub preceding_total: u32,
    pub initial_count: u32,
    pub initial_total: u32,
    pub final_count: u32,
    pub final_total: u32,
    pub below_before: bool,
    pub below_after: bool,
    pub pulled_up: u32,
}

/// The run of one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelRun {
    pub service: String,
    pub batch_year: i32,
    pub empanelment_year: i32,
    pub cut_off_year: super::apar::ReportingYear,
    pub panel_size: u32,
    pub empanelled_initial: u32,
    /// Most officers CSS-4 may add: 15% of the initial panel, rounded half up.
    pub pull_up_cap: u32,
    pub pulled_up: u32,
    /// CSS-3: score of the last officer empanelled at the initial stage.
    pub cut_off: Option<Score>,
    pub cut_off_officer: Option<String>,
    pub representation: Vec<RepresentationCheck>,
    /// Ranked officers by rank, then the rest by officer id.
    pub officers: Vec<OfficerResult>,
}

struct Entry<'a> {
    proposal: &'a Proposal,
    eligibility: Decision<Eligibility>,
    score: Option<Decision<ScoreOutcome>>,
    value: Option<Score>,
}

/// An officer's entry with outcome and rank, until turned into a result.
type Slot<'a> = Option<(Entry<'a>, Option<PanelOutcome>, Option<u32>)>;

/// Runs the batch as of `as_of`. Fails only on input that makes the run
/// meaningless (see [`EmpanelmentError`]); an officer's own shortcomings are
/// reasons in that officer's result.
pub fn run_panel(
    batch: &Batch,
    proposals: &[Proposal],
    as_of: NaiveDate,
) -> Result<Decision<PanelRun>, EmpanelmentError> {
    batch.validate()?;
    if services::service(&batch.service).is_none() {
        return Err(EmpanelmentError::UnknownService(batch.service.clone()));
    }
    let mut seen = HashSet::with_capacity(proposals.len());
    for p in proposals {
        if !seen.insert(p.officer_id.as_str()) {
            return Err(EmpanelmentError::DuplicateOfficer(p.officer_id.clone()));
        }
    }
    let threshold = parameters::representation_threshold()
        .at(as_of)
        .ok_or(EmpanelmentError::NoParameter {
            what: "representation threshold",
            on: as_of,
        })?
        .value;
    let cap_percent = parameters::pull_up_cap_percent()
        .at(as_of)
        .ok_or(EmpanelmentError::NoParameter {
            what: "pull-up cap",
            on: as_of,
        })?
        .value;

    let mut entries = Vec::with_capacity(proposals.len());
    for p in proposals {
        let eligibility = assess(p, batch, as_of)?;
        let score = if eligibility.outcome.status == EligibilityStatus::Eligible {
            Some(
                score(&p.apars, &p.gaps, batch.cut_off_year, as_of).map_err(|source| {
                    EmpanelmentError::Apar {
                        officer: p.officer_id.clone(),
                        source,
                    }
                })?,
            )
        } else {
            None
        };
        let value = score.as_ref().and_then(|s| s.outcome.score);
        entries.push(Entry {
            proposal: p,
            eligibility,
            score,
            value,
        });
    }

    let mut ranked: Vec<usize> = (0..entries.len())
        .filter(|&i| entries.get(i).is_some_and(|e| e.value.is_some()))
        .collect();
    ranked.sort_by(|&a, &b| match (entries.get(a), entries.get(b)) {
        (Some(a), Some(b)) => merit_order(a, b),
        _ => Ordering::Equal,
    });

    let mut reasons = Reasons::new();
    let initial = ranked.len().min(batch.panel_size as usize);
    let mut outcomes: Vec<Option<PanelOutcome>> = vec![None; entries.len()];
    for &i in ranked.iter().take(initial) {
        if let Some(o) = outcomes.get_mut(i) {
            *o = Some(PanelOutcome::EmpanelledInitial);
        }
    }
    let last = initial
        .checked_sub(1)
        .and_then(|k| ranked.get(k))
        .and_then(|&i| entries.get(i));
    let cut_off = last.and_then(|e| e.value);
    let cut_off_officer = last.map(|e| e.proposal.officer_id.clone());
    reasons.push(
        &rules::CSS_3,
        match (cut_off, &cut_off_officer) {
            (Some(s), Some(id)) => format!(
                "initial stage: the top {initial} of {} eligible officers by score (panel size {}); cut-off score {s}, of {id}",
                ranked.len(),
                batch.panel_size
            ),
            _ => "no eligible officer with a score: no panel and no cut-off".to_owned(),
        },
    );

    // CSS-4 "about 15%": of the initial panel, rounded half up.
    let limits = Limits {
        cap: ((cap_percent * initial as u64 + 50) / 100) as u32,
        cap_percent,
        threshold,
    };
    let representation = pull_up(
        batch,
        &entries,
        &ranked,
        initial,
        limits,
        &mut outcomes,
        &mut reasons,
    );
    let pulled_up = representation.iter().map(|r| r.pulled_up).sum();

    let mut rank_of = vec![None; entries.len()];
    for (r, &i) in ranked.iter().enumerate() {
        if let Some(slot) = rank_of.get_mut(i) {
            *slot = Some(r as u32 + 1);
        }
    }
    // Output order: ranked officers by rank, then the rest by officer id.
    // Ordered as indices so that the large results are never moved by a sort.
    let mut order = ranked.clone();
    let mut rest: Vec<usize> = (0..entries.len())
        .filter(|&i| rank_of.get(i).is_some_and(Option::is_none))
        .collect();
    rest.sort_by(|&a, &b| match (entries.get(a), entries.get(b)) {
        (Some(a), Some(b)) => a.proposal.officer_id.cmp(&b.proposal.officer_id),
        _ => Ordering::Equal,
    });
    order.extend(rest);
    let mut slots: Vec<Slot> = entries
        .into_iter()
        .zip(outcomes)
        .zip(rank_of)
        .map(|((e, o), r)| Some((e, o, r)))
        .collect();
    let officers: Vec<OfficerResult> = order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .map(|(e, outcome, rank)| officer_result(e, outcome, rank, cut_off, batch.panel_size))
        .collect();

    Ok(reasons.decide(
        as_of,
        PanelRun {
            service: batch.service.clone(),
            batch_year: batch.batch_year,
            empanelment_year: batch.empanelment_year,
            cut_off_year: batch.cut_off_year,
            panel_size: batch.panel_size,
            empanelled_initial: initial as u32,
            pull_up_cap: limits.cap,
            pulled_up,
            cut_off,
            cut_off_officer,
            representation,
            officers,
        },
    ))
}

fn merit_order(a: &Entry, b: &Entry) -> Ordering {
    let seniority = |e: &Entry| (e.proposal.seniority.is_none(), e.proposal.seniority);
    b.value
        .cmp(&a.value)
        .then_with(|| seniority(a).cmp(&seniority(b)))
        .then_with(|| a.proposal.date_of_birth.cmp(&b.proposal.date_of_birth))
        .then_with(|| a.proposal.officer_id.cmp(&b.proposal.officer_id))
}

/// Running tally of one category for CSS-4.
struct Tally {
    share_bp: u64,
    preceding: u64,
    preceding_total: u64,
    current: u64,
    exhausted: bool,
    cursor: usize,
    pulled: u32,
}

impl Tally {
    /// Cumulative share over four batches below `threshold` of the all-India share?
    fn below(&self, current_total: u64, t: Fraction) -> bool {
        let total = self.preceding_total + current_total;
        let count = self.preceding + self.current;
        // count/total < t × share_bp/10000, cross-multiplied.
        total > 0
            && u128::from(count) * u128::from(t.denominator) * 10_000
                < u128::from(t.numerator) * u128::from(self.share_bp) * u128::from(total)
    }

    /// count / (share × total), for comparing how far behind categories are.
    fn relative(&self, current_total: u64) -> (u128, u128) {
        (
            u128::from(self.preceding + self.current),
            u128::from(self.share_bp) * u128::from(self.preceding_total + current_total),
        )
    }

    fn percent(&self, current_total: u64) -> f64 {
        percent(
            self.preceding + self.current,
            self.preceding_total + current_total,
        )
    }
}

fn percent(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * count as f64 / total as f64
    }
}

#[derive(Clone, Copy)]
struct Limits {
    cap: u32,
    cap_percent: u64,
    threshold: Fraction,
}

/// CSS-4: while a category is below the threshold and the cap allows, add
/// the best-ranked eligible officer of the category furthest behind.
fn pull_up(
    batch: &Batch,
    entries: &[Entry],
    ranked: &[usize],
    initial: usize,
    limits: Limits,
    outcomes: &mut [Option<PanelOutcome>],
    reasons: &mut Reasons,
) -> Vec<RepresentationCheck> {
    let Limits {
        cap,
        cap_percent,
        threshold: t,
    } = limits;
    let in_category =
        |c: &RepCategory, i: usize| entries.get(i).is_some_and(|e| c.includes(e.proposal));
    let mut tallies: Vec<Tally> = batch
        .shares
        .iter()
        .map(|s| {
            let (preceding, preceding_total) = batch.preceding.iter().fold((0, 0), |(c, t), b| {
                let n = b
                    .counts
                    .iter()
                    .filter(|x| x.category == s.category)
                    .map(|x| u64::from(x.count))
                    .sum::<u64>();
                (c + n, t + u64::from(b.empanelled))
            });
            Tally {
                share_bp: u64::from(s.share_bp),
                preceding,
                preceding_total,
                current: ranked
                    .iter()
                    .take(initial)
                    .filter(|&&i| in_category(&s.category, i))
                    .count() as u64,
                exhausted: false,
                cursor: initial,
                pulled: 0,
            }
        })
        .collect();
    let initial_counts: Vec<u64> = tallies.iter().map(|t| t.current).collect();
    let initial_below: Vec<bool> = tallies.iter().map(|x| x.below(initial as u64, t)).collect();
    let mut total = initial as u64;
    let mut pulled = 0u32;
    let floor = batch.relaxed_min_score;

    loop {
        let behind = tallies
            .iter()
            .enumerate()
            .filter(|(_, x)| !x.exhausted && x.below(total, t))
            .min_by(|(ia, a), (ib, b)| {
                let (an, ad) = a.relative(total);
                let (bn, bd) = b.relative(total);
                (an * bd).cmp(&(bn * ad)).then(ia.cmp(ib))
            })
            .map(|(k, _)| k);
        let Some(k) = behind else { break };
        if pulled >= cap {
            let still: Vec<String> = batch
                .shares
                .iter()
                .zip(&tallies)
                .filter(|(_, x)| x.below(total, t))
                .map(|(s, _)| s.category.to_string())
                .collect();
            reasons.push(
                &rules::CSS_4,
                format!(
                    "cap reached: {cap} officer(s), {cap_percent}% of the initial panel of {initial} rounded; still below: {}",
                    still.join(", ")
                ),
            );
            break;
        }
        let (Some(share), Some(tally)) = (batch.shares.get(k), tallies.get_mut(k)) else {
            break;
        };
        let category = &share.category;
        let mut found = None;
        while let Some(&i) = ranked.get(tally.cursor) {
            tally.cursor += 1;
            let free = outcomes.get(i).is_some_and(Option::is_none);
            let above_floor = match (floor, entries.get(i).and_then(|e| e.value)) {
                (Some(f), Some(v)) => v.value() >= f,
                _ => true,
            };
            if free && above_floor && in_category(category, i) {
                found = Some(i);
                break;
            }
        }
        let Some(i) = found else {
            tally.exhausted = true;
            reasons.push(
                &rules::CSS_4,
                format!("{category}: no further eligible officer to add"),
            );
            continue;
        };
        tally.pulled += 1;
        if let Some(o) = outcomes.get_mut(i) {
            *o = Some(PanelOutcome::PulledUp {
                category: category.clone(),
            });
        }
        pulled += 1;
        total += 1;
        for (s, x) in batch.shares.iter().zip(tallies.iter_mut()) {
            if in_category(&s.category, i) {
                x.current += 1;
            }
        }
        if let Some(e) = entries.get(i) {
            reasons.push(
                &rules::CSS_4,
                format!(
                    "{} added for {category} with relaxed norms (score {})",
                    e.proposal.officer_id,
                    e.value.map_or_else(String::new, |v| v.to_string())
                ),
            );
        }
    }

    batch
        .shares
        .iter()
        .zip(tallies)
        .zip(initial_counts.into_iter().zip(initial_below))
        .map(|((s, x), (initial_count, below_before))| {
            reasons.push(
                &rules::CSS_4,
                format!(
                    "{}: {} of {} in the preceding batches and {initial_count} of {initial} now = {:.2}%; \
                     2/3 of the all-India share {:.2}% is {:.2}%: {}{}",
                    s.category,
                    x.preceding,
                    x.preceding_total,
                    percent(x.preceding + initial_count, x.preceding_total + initial as u64),
                    s.share_bp as f64 / 100.0,
                    s.share_bp as f64 / 100.0 * t.numerator as f64 / t.denominator as f64,
                    if below_before { "below" } else { "not below" },
                    if x.pulled > 0 {
                        format!(
                            "; {} added, now {:.2}%",
                            x.pulled,
                            x.percent(total)
                        )
                    } else {
                        String::new()
                    }
                ),
            );
            RepresentationCheck {
                category: s.category.clone(),
                share_bp: s.share_bp,
                preceding_count: x.preceding as u32,
                preceding_total: x.preceding_total as u32,
                initial_count: initial_count as u32,
                initial_total: initial as u32,
                final_count: x.current as u32,
                final_total: total as u32,
                below_before,
                below_after: x.below(total, t),
                pulled_up: x.pulled,
            }
        })
        .collect()
}

fn officer_result(
    e: Entry,
    outcome: Option<PanelOutcome>,
    rank: Option<u32>,
    cut_off: Option<Score>,
    panel_size: u32,
) -> OfficerResult {
    let Decision {
        outcome: eligibility,
        reasons: mut all,
        ..
    } = e.eligibility;
    let score = e.score.map(|d| {
        all.extend(d.reasons);
        d.outcome
    });
    let cut = cut_off.map_or_else(|| "none".to_owned(), |c| c.to_string());
    let shown = e.value.map_or_else(|| "none".to_owned(), |v| v.to_string());
    let r = rank.unwrap_or(0);
    let (outcome, last) = match (eligibility.status, outcome) {
        (EligibilityStatus::NotEligible, _) => (
            PanelOutcome::NotEmpanelled,
            Some(Reason::new(
                // Cite the first condition that failed.
                eligibility
                    .unmet
                    .first()
                    .and_then(|id| rules::by_id(id))
                    .unwrap_or(&rules::CSS_1),
                format!("not considered: {} not met", eligibility.unmet.join(", ")),
            )),
        ),
        (EligibilityStatus::Deferred, _) => (PanelOutcome::Deferred, None),
        (_, Some(PanelOutcome::EmpanelledInitial)) => (
            PanelOutcome::EmpanelledInitial,
            Some(Reason::new(
                &rules::CSS_3,
                format!("rank {r} within the panel size {panel_size}: empanelled at the initial stage (score {shown}, cut-off {cut})"),
            )),
        ),
        (_, Some(PanelOutcome::PulledUp { category })) => {
            let text = format!(
                "rank {r}: added for the representation of {category} with relaxed norms (score {shown}, cut-off {cut})"
            );
            (
                PanelOutcome::PulledUp { category },
                Some(Reason::new(&rules::CSS_4, text)),
            )
        }
        (_, _) => (
            PanelOutcome::NotEmpanelled,
            Some(match rank {
                Some(r) => Reason::new(
                    &rules::CSS_3,
                    format!("rank {r}, beyond the panel size {panel_size}: not empanelled (score {shown}, cut-off {cut})"),
                ),
                None => Reason::new(&rules::CSS_2, "no APAR months to score: not empanelled"),
            }),
        ),
    };
    all.extend(last);
    OfficerResult {
        officer_id: e.proposal.officer_id.clone(),
        name: e.proposal.name.clone(),
        eligibility,
        score,
        rank,
        outcome,
        reasons: all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::apar::Grading;
    use crate::empanelment::fixtures::{fy, officer_with, worked_batch, AS_OF};
    use crate::employee::Category;

    fn ids_with(run: &PanelRun, f: impl Fn(&PanelOutcome) -> bool) -> Vec<&str> {
        run.officers
            .iter()
            .filter(|o| f(&o.outcome))
            .map(|o| o.officer_id.as_str())
            .collect()
    }

    fn find<'a>(run: &'a PanelRun, id: &str) -> &'a OfficerResult {
        run.officers.iter().find(|o| o.officer_id == id).unwrap()
    }

    #[test]
    fn hand_worked_batch() {
        // Scores: see `fixtures::worked_batch`. Ranking (score, then seniority):
        //  1 A01 9.0 | 2 A02 8.6 | 3 A12 8.5 | 4 A03 8.4 | 5 A04 8.2 | 6 A05 8.0
        //  7 A06 8.0 | 8 A07 7.8 || 9 A08 7.6 | 10 A09 7.4 SC | 11 A10 7.0 ST | 12 A11 6.8
        // A13 (CSS-5) and A14 (CSS-7 deferred) are not ranked.
        // Initial panel (size 8): ranks 1-8; cut-off = A07's 7.8 (CSS-3).
        // CSS-4, threshold 2/3 of the all-India share, over 30 officers of 3 earlier batches + 8 now:
        //  SC/ST 22.5% → 15%: (5 + 0)/38 = 13.16% < 15%  → below
        //        exactly: 3×5×10000 = 150000 < 2×2250×38 = 171000
        //  women 15% → 10%:   (3 + 2)/38 = 13.16% ≥ 10% → fine (150000 ≥ 114000)
        //  NE 5% → 3.33%:     (2 + 0)/38 =  5.26%       → fine (60000 ≥ 38000)
        // Cap: 15% of 8 = 1.2 → 1. Best SC/ST outside the panel: A09 (rank 10), ahead of
        // A08 (rank 9, not SC/ST). After: SC/ST 6/39 = 15.38%: 180000 ≥ 175500 → met.
        let (b, p) = worked_batch();
        let d = run_panel(&b, &p, AS_OF).unwrap();
        let run = &d.outcome;
        assert_eq!(
            ids_with(run, |o| *o == PanelOutcome::EmpanelledInitial),
            ["A01", "A02", "A12", "A03", "A04", "A05", "A06", "A07"]
        );
        assert_eq!(run.cut_off, Score::new(78, 10));
        assert_eq!(run.cut_off_officer.as_deref(), Some("A07"));
        assert_eq!((run.pull_up_cap, run.pulled_up), (1, 1));
        assert_eq!(
            find(run, "A09").outcome,
            PanelOutcome::PulledUp {
                category: RepCategory::ScSt
            }
        );
        assert_eq!(
            ids_with(run, |o| matches!(o, PanelOutcome::PulledUp { .. })),
            ["A09"]
        );
        let a08 = find(run, "A08");
        assert_eq!(
            (a08.rank, &a08.outcome),
            (Some(9), &PanelOutcome::NotEmpanelled)
        );
        assert_eq!(find(run, "A12").score_value(), Score::new(85, 10));
        assert_eq!(
            (find(run, "A05").rank, find(run, "A06").rank),
            (Some(6), Some(7))
        );
        let a13 = find(run, "A13");
        assert_eq!(
            (a13.rank, &a13.eligibility.unmet[..]),
            (None, &["CSS-5".to_owned()][..])
        );
        assert_eq!(a13.outcome, PanelOutcome::NotEmpanelled);
        assert_eq!(find(run, "A14").outcome, PanelOutcome::Deferred);
        let order: Vec<&str> = run.officers.iter().map(|o| o.officer_id.as_str()).collect();
        assert_eq!(&order[12..], ["A13", "A14"]);

        // Counts of this batch; with the preceding 5 of 30: 6 of 39.
        let scst = &run.representation[0];
        assert_eq!(
            (
                scst.below_before,
                scst.below_after,
                scst.final_count,
                scst.final_total
            ),
            (true, false, 1, 9)
        );
        assert_eq!((scst.preceding_count, scst.preceding_total), (5, 30));
        assert!(!run.representation[1].below_before);
        assert!(!run.representation[2].below_before);
        assert!(d.cites(&rules::CSS_3) && d.cites(&rules::CSS_4));
        assert!(find(run, "A09").reasons.iter().any(|r| r.rule == "CSS-4"));
    }

    #[test]
    fn json_shape_for_the_api() {
        let (b, p) = worked_batch();
        let d = run_panel(&b, &p, AS_OF).unwrap();
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["cut_off_year"], "2022-23");
        assert_eq!(v["cut_off"]["value"], 7.8);
        let a09 = &v["officers"][9];
        assert_eq!(a09["officer_id"], "A09");
        assert_eq!(a09["outcome"]["kind"], "pulled_up");
        assert_eq!(a09["outcome"]["category"]["kind"], "sc_st");
        assert_eq!(a09["eligibility"]["status"], "eligible");
        assert_eq!(a09["eligibility"]["consideration"], "original");
        assert_eq!(a09["score"]["years"][0]["year"], "2013-14");
        assert_eq!(
            a09["reasons"].as_array().unwrap().last().unwrap()["rule"],
            "CSS-4"
        );
        assert_eq!(v["reasons"][0]["rule"], "CSS-3");
        let batch: Batch = serde_json::from_value(serde_json::to_value(&b).unwrap()).unwrap();
        assert_eq!(batch, b);
        let back: Vec<Proposal> =
            serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn pull_up_cap_binds() {
        // Panel 10 → initial ranks 1-10 (A09, SC, is in at 7.4, the cut-off); cap 15% of 10 = 1.5 → 2.
        // Preceding batches: no SC/ST. SC/ST: 1/40 below → add A10 (ST) → 2/41, still below
        // → add A11 (made SC) → 3/42, still below, but the cap of 2 is reached: A15 (SC) stays out.
        let (mut b, mut p) = worked_batch();
        b.panel_size = 10;
        for pb in &mut b.preceding {
            pb.counts.retain(|c| c.category != RepCategory::ScSt);
        }
        p.iter_mut()
            .find(|x| x.officer_id == "A11")
            .unwrap()
            .category = Category::Sc;
        let mut a15 = officer_with("A15", 15, &[Grading::Good; 10]);
        a15.category = Category::Sc;
        p.push(a15);
        let d = run_panel(&b, &p, AS_OF).unwrap();
        let run = &d.outcome;
        assert_eq!(run.cut_off, Score::new(74, 10));
        assert_eq!((run.pull_up_cap, run.pulled_up), (2, 2));
        assert_eq!(
            ids_with(run, |o| matches!(o, PanelOutcome::PulledUp { .. })),
            ["A10", "A11"]
        );
        assert_eq!(find(run, "A15").outcome, PanelOutcome::NotEmpanelled);
        assert!(run.representation[0].below_after);
        assert!(d.reasons.iter().any(|r| r.text.starts_with("cap reached")));
    }

    #[test]
    fn relaxed_norms_floor_can_leave_a_category_short() {
        let (mut b, p) = worked_batch();
        b.relaxed_min_score = Some(7.5);
        let d = run_panel(&b, &p, AS_OF).unwrap();
        assert_eq!(d.outcome.pulled_up, 0);
        assert!(d
            .reasons
            .iter()
            .any(|r| r.text.contains("no further eligible officer")));
    }

    #[test]
    fn ranking_does_not_depend_on_input_order() {
        let (b, mut p) = worked_batch();
        let first = run_panel(&b, &p, AS_OF).unwrap().outcome;
        p.reverse();
        let second = run_panel(&b, &p, AS_OF).unwrap().outcome;
        assert_eq!(first, second);
    }

    #[test]
    fn bad_batches_are_refused() {
        let (mut b, mut p) = worked_batch();
        p.push(p[0].clone());
        assert_eq!(
            run_panel(&b, &p, AS_OF),
            Err(EmpanelmentError::DuplicateOfficer("A01".into()))
        );
        p.pop();
        b.service = "IFS".into();
        assert!(matches!(
            run_panel(&b, &p, AS_OF),
            Err(EmpanelmentError::UnknownService(_))
        ));
        b.service = "IAS".into();
        b.panel_size = 0;
        assert_eq!(run_panel(&b, &p, AS_OF), Err(EmpanelmentError::EmptyPanel));
        b.panel_size = 8;
        p[0].apars.push(fy(2020, Grading::Good));
        assert!(matches!(
            run_panel(&b, &p, AS_OF),
            Err(EmpanelmentError::Apar { .. })
        ));
    }
}
