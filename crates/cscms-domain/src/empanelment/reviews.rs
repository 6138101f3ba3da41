//! CSS-8: where an officer stands for review after past considerations, the
//! ground for a special review, the review stage of a batch being run, and,
//! across exercises, what each run decided about each officer and whose
//! review falls due. The store keeps the runs; this gathers them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::apar::{Apar, AparError, Period, ReportingYear};
use super::batch::Batch;
use super::eligibility::{
    Checks, ConsiderationKind, EligibilityStatus, PastConsideration, PastOutcome, Proposal,
};
use super::panel::{PanelOutcome, PanelRun};
use super::parameters::{MAX_REVIEWS, REVIEW_AFTER_YEARS, WINDOW_YEARS};
use super::EmpanelmentError;
use crate::decision::{Reason, Reasons};
use crate::rules;

/// Where an officer stands under CSS-8, from their past considerations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReviewStanding {
    /// No regular consideration yet: the next one is the original.
    NotConsidered,
    /// Empanelled: never considered again.
    Empanelled { empanelment_year: i32 },
    /// Not empanelled: the next regular review, held in `from_year` or
    /// later with a cut-off year of `cut_off_from` or later (two more APARs).
    ReviewDue {
        kind: ConsiderationKind,
        last_considered: i32,
        from_year: i32,
        cut_off_from: ReportingYear,
    },
    /// Not empanelled and both reviews held.
    ReviewsExhausted { last_considered: i32 },
}

/// CSS-8: never after empanelment; reviews 2 years (two APARs) apart, at
/// most two. Only considerations decided by `as_of` are known on it.
pub fn review_standing(history: &[PastConsideration], as_of: NaiveDate) -> ReviewStanding {
    let known = || history.iter().filter(move |h| h.decided_on <= as_of);
    if let Some(e) = known().find(|h| h.outcome == PastOutcome::Empanelled) {
        return ReviewStanding::Empanelled {
            empanelment_year: e.empanelment_year,
        };
    }
    let mut regular: Vec<&PastConsideration> = known()
        .filter(|h| h.kind != ConsiderationKind::SpecialReview)
        .collect();
    regular.sort_by_key(|h| h.decided_on);
    let Some(last) = regular.last() else {
        return ReviewStanding::NotConsidered;
    };
    let reviews_held = regular.len() - 1;
    if reviews_held >= MAX_REVIEWS.value {
        return ReviewStanding::ReviewsExhausted {
            last_considered: last.empanelment_year,
        };
    }
    ReviewStanding::ReviewDue {
        kind: if reviews_held == 0 {
            ConsiderationKind::FirstReview
        } else {
            ConsiderationKind::SecondReview
        },
        last_considered: last.empanelment_year,
        from_year: last
            .empanelment_year
            .saturating_add(REVIEW_AFTER_YEARS.value),
        cut_off_from: last.cut_off_year.back(-REVIEW_AFTER_YEARS.value),
    }
}

/// Why a special review (CSS-8) is due: an APAR taken into account at the
/// latest consideration changed materially on representation after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialReviewGround {
    pub apar_period: Period,
    pub changed_on: NaiveDate,
    pub considered_on: NaiveDate,
}

/// CSS-8 special review: the first such APAR, if any, of the
/// considerations and representations decided by `as_of`. None when the
/// officer was not considered by then.
pub fn special_review_ground(
    apars: &[Apar],
    history: &[PastConsideration],
    as_of: NaiveDate,
) -> Result<Option<SpecialReviewGround>, AparError> {
    let Some(latest) = history
        .iter()
        .filter(|h| h.decided_on <= as_of)
        .max_by_key(|h| h.decided_on)
    else {
        return Ok(None);
    };
    for a in apars {
        let Some(rep) = &a.representation else {
            continue;
        };
        if rep.decided_on <= latest.decided_on
            || rep.decided_on > as_of
            || !was_considered(a, latest)
        {
            continue;
        }
        if a.changed_materially()? {
            return Ok(Some(SpecialReviewGround {
                apar_period: a.period,
                changed_on: rep.decided_on,
                considered_on: latest.decided_on,
            }));
        }
    }
    Ok(None)
}

/// CSS-8 for the batch being run: the kind of consideration, or unmet.
pub(super) fn review_stage(
    p: &Proposal,
    batch: &Batch,
    as_of: NaiveDate,
    c: &mut Checks,
) -> Result<Option<ConsiderationKind>, EmpanelmentError> {
    let (last, next) = match review_standing(&p.history, as_of) {
        ReviewStanding::Empanelled { empanelment_year } => {
            c.unmet(
                &rules::CSS_8,
                format!("already empanelled in {empanelment_year}: not empanelled again"),
            );
            return Ok(None);
        }
        ReviewStanding::NotConsidered => {
            c.met(&rules::CSS_8, "first consideration");
            return Ok(Some(ConsiderationKind::Original));
        }
        ReviewStanding::ReviewDue {
            kind,
            last_considered,
            from_year,
            cut_off_from,
        } => {
            if batch.empanelment_year >= from_year && batch.cut_off_year >= cut_off_from {
                c.met(
                    &rules::CSS_8,
                    format!(
                        "not empanelled in {last_considered}; {kind} due from {from_year} with two more APARs (cut-off {cut_off_from})"
                    ),
                );
                return Ok(Some(kind));
            }
            (last_considered, Some((from_year, cut_off_from)))
        }
        ReviewStanding::ReviewsExhausted { last_considered } => (last_considered, None),
    };

    let ground = special_review_ground(&p.apars, &p.history, as_of).map_err(|source| {
        EmpanelmentError::Apar {
            officer: p.officer_id.clone(),
            source,
        }
    })?;
    if let Some(g) = ground {
        c.met(
            &rules::CSS_8,
            format!(
                "special review: the APAR for {} was changed materially on representation on {}, after the consideration of {}",
                g.apar_period, g.changed_on, g.considered_on
            ),
        );
        return Ok(Some(ConsiderationKind::SpecialReview));
    }

    match next {
        None => c.unmet(
            &rules::CSS_8,
            format!("not empanelled in {last} and both reviews held"),
        ),
        Some((due_year, due_cut_off)) => c.unmet(
            &rules::CSS_8,
            format!(
                "not empanelled in {last}; next review not before {due_year} with cut-off year {due_cut_off}"
            ),
        ),
    }
    Ok(None)
}

/// Whether the APAR formed part of those taken into account in `h`.
fn was_considered(a: &Apar, h: &PastConsideration) -> bool {
    let overlaps = |y: ReportingYear| a.period.overlap(y.period()).is_some();
    if h.years_used.is_empty() {
        Period::new(
            h.cut_off_year.back(WINDOW_YEARS.value - 1).first_day(),
            h.cut_off_year.last_day(),
        )
        .is_ok_and(|w| a.period.overlap(w).is_some())
    } else {
        h.years_used.iter().copied().any(overlaps)
    }
}

impl PanelRun {
    /// The considerations this run made, by officer id, as CSS-8 history.
    /// Officers not eligible, or deferred (CSS-7), were not considered.
    pub fn considerations(&self, decided_on: NaiveDate) -> Vec<(&str, PastConsideration)> {
        self.officers
            .iter()
            .filter(|o| o.eligibility.status == EligibilityStatus::Eligible)
            .filter_map(|o| {
                let outcome = match o.outcome {
                    PanelOutcome::EmpanelledInitial | PanelOutcome::PulledUp { .. } => {
                        PastOutcome::Empanelled
                    }
                    PanelOutcome::NotEmpanelled => PastOutcome::NotEmpanelled,
                    PanelOutcome::Deferred => return None,
                };
                let years_used = o
                    .score
                    .as_ref()
                    .map(|s| s.years.iter().map(|y| y.year).collect())
                    .unwrap_or_default();
                Some((
                    o.officer_id.as_str(),
                    PastConsideration {
                        empanelment_year: self.empanelment_year,
                        cut_off_year: self.cut_off_year,
                        decided_on,
                        kind: o
                            .eligibility
                            .consideration
                            .unwrap_or(ConsiderationKind::Original),
                        outcome,
                        years_used,
                    },
                ))
            })
            .collect()
    }
}

/// One stored run with what it was run on.
#[derive(Debug, Clone, Copy)]
pub struct RunRecord<'a> {
    pub run: &'a PanelRun,
    pub as_of: NaiveDate,
    pub proposals: &'a [Proposal],
}

/// An officer as the runs know them.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficerHistory {
    pub officer_id: String,
    pub name: String,
    pub service: String,
    pub batch_year: i32,
    /// Considerations certified in proposals and made by the runs, oldest first, without repeats.
    pub history: Vec<PastConsideration>,
    /// The APARs of the latest proposal; callers may put the current record in their place.
    pub apars: Vec<Apar>,
}

/// Gathers every officer's history from `runs` (one per batch: the latest).
pub fn gather(runs: &[RunRecord<'_>]) -> Vec<OfficerHistory> {
    let mut sorted: Vec<&RunRecord> = runs.iter().collect();
    sorted.sort_by_key(|r| r.as_of);
    // One officer is the same id of the same service and batch, as in
    // `join_recorded_history`: ids are given by each cadre authority.
    let mut out: BTreeMap<OfficerKey, OfficerHistory> = BTreeMap::new();
    for r in sorted {
        for p in r.proposals {
            let h = out.entry(officer_key(p)).or_insert_with(|| OfficerHistory {
                officer_id: p.officer_id.clone(),
                name: p.name.clone(),
                service: p.service.clone(),
                batch_year: p.batch_year,
                history: Vec::new(),
                apars: Vec::new(),
            });
            h.name.clone_from(&p.name);
            h.apars.clone_from(&p.apars);
            for past in &p.history {
                if !h.history.iter().any(|c| same_exercise(c, past)) {
                    h.history.push(past.clone());
                }
            }
        }
        for (id, c) in r.run.considerations(r.as_of) {
            let made = r.proposals.iter().find(|q| q.officer_id == id);
            if let Some(h) = made.and_then(|q| out.get_mut(&officer_key(q))) {
                put(&mut h.history, c);
            }
        }
    }
    let mut all: Vec<OfficerHistory> = out.into_values().collect();
    for h in &mut all {
        h.history.sort_by_key(|c| c.decided_on);
    }
    all
}

/// An officer across batches: id, service (as CSS-9 spells it, in any case) and batch year.
type OfficerKey = (String, String, i32);

fn officer_key(p: &Proposal) -> OfficerKey {
    (
        p.officer_id.clone(),
        p.service.to_ascii_uppercase(),
        p.batch_year,
    )
}

/// One exercise is one consideration: the same empanelment year, cut-off
/// year and kind, whatever date it was recorded with.
fn same_exercise(a: &PastConsideration, b: &PastConsideration) -> bool {
    (a.empanelment_year, a.cut_off_year, a.kind) == (b.empanelment_year, b.cut_off_year, b.kind)
}

/// Puts `c` into `history`: in place of the entry for the same exercise
/// when there is one (the run's record prevails over a copy or a
/// certificate of it), else added. Whether `history` changed.
fn put(history: &mut Vec<PastConsideration>, c: PastConsideration) -> bool {
    match history.iter_mut().find(|h| same_exercise(h, &c)) {
        Some(h) if *h == c => false,
        Some(h) => {
            *h = c;
            true
        }
        None => {
            history.push(c);
            true
        }
    }
}

/// CSS-8 for `batch` being run: what the latest runs of the other batches
/// (`runs`) decided about each proposed officer — the same officer id of
/// the same service and year — in exercises of earlier empanelment years
/// run by `as_of`, put into the history the proposal certifies (the run's
/// record prevails over the certificate of the same exercise), oldest
/// first. So an officer empanelled in an earlier exercise is not
/// empanelled again, and one not empanelled is reviewed only when due,
/// whatever history the proposal was sent with. Only what a run itself
/// decided is taken, never the history in its inputs, so copies do not
/// travel from run to run. Returns how many entries the record changed.
pub fn join_recorded_history(
    proposals: &mut [Proposal],
    runs: &[RunRecord<'_>],
    batch: &Batch,
    as_of: NaiveDate,
) -> usize {
    let mut changed = 0;
    let earlier = runs
        .iter()
        .filter(|r| r.as_of <= as_of && r.run.empanelment_year < batch.empanelment_year);
    for r in earlier {
        for (id, c) in r.run.considerations(r.as_of) {
            let Some(made) = r.proposals.iter().find(|q| q.officer_id == id) else {
                continue;
            };
            let same_officer = |p: &&mut Proposal| {
                p.officer_id == id
                    && p.service.eq_ignore_ascii_case(&made.service)
                    && p.batch_year == made.batch_year
            };
            for p in proposals.iter_mut().filter(same_officer) {
                if put(&mut p.history, c.clone()) {
                    changed += 1;
                }
            }
        }
    }
    for p in proposals.iter_mut() {
        p.history.sort_by_key(|c| c.decided_on);
    }
    changed
}

/// An officer whose review (CSS-8) is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewDue {
    pub officer_id: String,
    pub name: String,
    pub service: String,
    pub batch_year: i32,
    pub kind: ConsiderationKind,
    /// Empanelment year of the last regular consideration.
    pub last_considered: i32,
    /// The first empanelment year the review may be held in.
    pub due_from_year: i32,
    /// The earliest cut-off year for a regular review (two more APARs); none for a special review.
    pub cut_off_from: Option<ReportingYear>,
    pub reasons: Vec<Reason>,
}

/// Reviews due as known on `as_of`: regular reviews falling due by
/// `by_year` (every pending one when `None`), and special reviews, which
/// are due at once.
pub fn reviews_due(
    officers: &[OfficerHistory],
    by_year: Option<i32>,
    as_of: NaiveDate,
) -> Result<Vec<ReviewDue>, EmpanelmentError> {
    let mut out = Vec::new();
    for o in officers {
        let mut reasons = Reasons::new();
        let (kind, last, due_from, cut_off_from) = match review_standing(&o.history, as_of) {
            ReviewStanding::ReviewDue {
                kind,
                last_considered,
                from_year,
                cut_off_from,
            } if by_year.is_none_or(|y| from_year <= y) => {
                reasons.push(
                    &rules::CSS_8,
                    format!(
                        "not empanelled in {last_considered}: {kind} due from {from_year} with two more APARs (cut-off year {cut_off_from} or later)"
                    ),
                );
                (kind, last_considered, from_year, Some(cut_off_from))
            }
            ReviewStanding::ReviewDue {
                last_considered, ..
            }
            | ReviewStanding::ReviewsExhausted { last_considered } => {
                let ground =
                    special_review_ground(&o.apars, &o.history, as_of).map_err(|source| {
                        EmpanelmentError::Apar {
                            officer: o.officer_id.clone(),
                            source,
                        }
                    })?;
                let Some(g) = ground else { continue };
                reasons.push(
                    &rules::CSS_8,
                    format!(
                        "special review: the APAR for {} was changed materially on representation on {}, after the consideration of {}",
                        g.apar_period, g.changed_on, g.considered_on
                    ),
                );
                (
                    ConsiderationKind::SpecialReview,
                    last_considered,
                    g.changed_on.year(),
                    None,
                )
            }
            ReviewStanding::NotConsidered | ReviewStanding::Empanelled { .. } => continue,
        };
        out.push(ReviewDue {
            officer_id: o.officer_id.clone(),
            name: o.name.clone(),
            service: o.service.clone(),
            batch_year: o.batch_year,
            kind,
            last_considered: last,
            due_from_year: due_from,
            cut_off_from,
            reasons: reasons.iter().cloned().collect(),
        });
    }
    out.sort_by(|a, b| {
        (a.due_from_year, &a.service, a.batch_year, &a.officer_id).cmp(&(
            b.due_from_year,
            &b.service,
            b.batch_year,
            &b.officer_id,
        ))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::apar::{AparGrade, Grading, Representation};
    use crate::empanelment::fixtures::{officer, worked_batch, AS_OF};
    use crate::empanelment::panel::run_panel;
    use crate::params::ymd;

    /// A day by which everything in these tests is known.
    const LATER: NaiveDate = ymd(2030, 1, 1);

    #[test]
    fn a_run_leaves_considerations_and_reviews_fall_due_two_years_on() {
        // Worked batch of 2024: A08, A10, A11 considered and not empanelled
        // (A09 pulled up, A13 not eligible, A14 deferred).
        let (b, p) = worked_batch();
        let run = run_panel(&b, &p, AS_OF).unwrap().outcome;
        let c = run.considerations(AS_OF);
        assert_eq!(
            c.len(),
            12,
            "A13 not eligible and A14 deferred are not considered"
        );
        let rec = [on_record(&run, &p)];
        let all = gather(&rec);
        assert_eq!(all.len(), 14);
        assert!(reviews_due(&all, Some(2025), LATER).unwrap().is_empty());
        let due = reviews_due(&all, Some(2026), LATER).unwrap();
        let ids: Vec<&str> = due.iter().map(|d| d.officer_id.as_str()).collect();
        assert_eq!(ids, ["A08", "A10", "A11"]);
        assert_eq!(due[0].kind, ConsiderationKind::FirstReview);
        assert_eq!(
            (due[0].due_from_year, due[0].cut_off_from),
            (2026, Some(ReportingYear::starting(2024)))
        );
        assert_eq!(due[0].reasons[0].rule, "CSS-8");
        assert_eq!(reviews_due(&all, None, LATER).unwrap().len(), 3);

        // A08's 2019-20 APAR (in the window) rises a band on representation
        // after the run: a special review is due at once.
        let mut all = all;
        let a08 = all.iter_mut().find(|h| h.officer_id == "A08").unwrap();
        let y = a08
            .apars
            .iter_mut()
            .find(|a| a.period.from() == ymd(2019, 4, 1))
            .unwrap();
        y.grade = AparGrade::Grading(Grading::Outstanding);
        y.representation = Some(Representation {
            decided_on: ymd(2024, 9, 1),
            grade_before: AparGrade::Grading(Grading::VeryGood),
            adverse_remarks_expunged: false,
        });
        let due = reviews_due(&all, Some(2025), LATER).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(
            (
                due[0].officer_id.as_str(),
                due[0].kind,
                due[0].due_from_year
            ),
            ("A08", ConsiderationKind::SpecialReview, 2024)
        );
    }

    /// The worked batch's run of `AS_OF` as the store keeps it.
    fn on_record<'a>(run: &'a PanelRun, proposals: &'a [Proposal]) -> RunRecord<'a> {
        RunRecord {
            run,
            as_of: AS_OF,
            proposals,
        }
    }

    /// The worked batch's exercise `n` years later, and its run date.
    fn years_on(b: &Batch, n: i32) -> (Batch, NaiveDate) {
        let mut later = b.clone();
        later.empanelment_year += n;
        later.cut_off_year = ReportingYear::starting(b.cut_off_year.start_year() + n);
        (later, ymd(2024 + n, 6, 1))
    }

    #[test]
    fn a_later_batch_reads_what_the_runs_on_record_decided() {
        // Seed 001: "An officer once empanelled ... need not be empanelled
        // again"; those not included are reviewed after two years. The
        // worked batch was run in 2024; the same officers are proposed for
        // 2025 with no history certified.
        let (b, p) = worked_batch();
        let run = run_panel(&b, &p, AS_OF).unwrap().outcome;
        let rec = [on_record(&run, &p)];
        let (later, as_of) = years_on(&b, 1);

        // Joined for a date before the 2024 run: nothing is on record yet.
        let mut early = p.clone();
        assert_eq!(
            join_recorded_history(&mut early, &rec, &later, ymd(2024, 5, 31)),
            0
        );
        assert_eq!(early, p);
        // The 2024 batch run again reads nothing of its own decisions back.
        let mut own = p.clone();
        assert_eq!(join_recorded_history(&mut own, &rec, &b, as_of), 0);

        let mut again = p.clone();
        assert_eq!(join_recorded_history(&mut again, &rec, &later, as_of), 12);
        // Joining twice changes nothing.
        assert_eq!(join_recorded_history(&mut again, &rec, &later, as_of), 0);
        let second = run_panel(&later, &again, as_of).unwrap().outcome;
        let first_of = |id: &str| run.officers.iter().find(|o| o.officer_id == id).unwrap();
        let now_of = |id: &str| second.officers.iter().find(|o| o.officer_id == id).unwrap();
        assert_eq!(first_of("A01").outcome, PanelOutcome::EmpanelledInitial);
        assert!(matches!(
            first_of("A09").outcome,
            PanelOutcome::PulledUp { .. }
        ));
        assert_eq!(first_of("A08").outcome, PanelOutcome::NotEmpanelled);
        // Empanelled in 2024 (A01), pulled up (A09), not empanelled (A08):
        // none is considered in 2025 — the first two never again, A08 not
        // before 2026.
        for id in ["A01", "A09", "A08"] {
            assert_eq!(
                first_of(id).eligibility.status,
                EligibilityStatus::Eligible,
                "{id} in 2024"
            );
            let o = now_of(id);
            assert_eq!(
                o.eligibility.status,
                EligibilityStatus::NotEligible,
                "{id} in 2025"
            );
            assert_eq!(o.outcome, PanelOutcome::NotEmpanelled, "{id} in 2025");
            assert!(
                o.eligibility.unmet.contains(&"CSS-8".to_owned()),
                "{id}: {:?}",
                o.eligibility.unmet
            );
        }
        // Without the record they would all have been taken as first
        // considerations.
        let blind = run_panel(&later, &p, as_of).unwrap().outcome;
        assert!(blind
            .officers
            .iter()
            .filter(|o| ["A01", "A09", "A08"].contains(&o.officer_id.as_str()))
            .all(|o| o.eligibility.status == EligibilityStatus::Eligible));
    }

    #[test]
    fn one_exercise_is_one_consideration_of_one_officer() {
        let (b, p) = worked_batch();
        let run = run_panel(&b, &p, AS_OF).unwrap().outcome;
        let rec = [on_record(&run, &p)];
        let (later, as_of) = years_on(&b, 2);
        // A08's certificate already names the 2024 exercise, dated when the
        // panel was approved: the record takes its place, not a second entry,
        // so A08's first review is due, not the second.
        let mut a08 = p.iter().find(|q| q.officer_id == "A08").unwrap().clone();
        let mut certified = run
            .considerations(AS_OF)
            .into_iter()
            .find(|(id, _)| *id == "A08")
            .unwrap()
            .1;
        certified.decided_on = ymd(2024, 5, 20);
        a08.history = vec![certified];
        let mut proposals = vec![a08];
        assert_eq!(
            join_recorded_history(&mut proposals, &rec, &later, as_of),
            1
        );
        assert_eq!(proposals[0].history.len(), 1);
        assert_eq!(proposals[0].history[0].decided_on, AS_OF);
        let d = run_panel(&later, &proposals, as_of).unwrap().outcome;
        assert_eq!(
            d.officers[0].eligibility.consideration,
            Some(ConsiderationKind::FirstReview)
        );
        // Another service's officer with the same id is another officer.
        let mut ips = p.iter().find(|q| q.officer_id == "A01").unwrap().clone();
        ips.service = "IPS".into();
        let mut proposals = vec![ips];
        assert_eq!(
            join_recorded_history(&mut proposals, &rec, &later, as_of),
            0
        );
        assert!(proposals[0].history.is_empty());
        // The batch run again on a later day, with a copy of its decision in
        // another batch's inputs: still one consideration each.
        let rerun_on = ymd(2024, 6, 3);
        let copies: Vec<Proposal> = {
            let mut q = p.clone();
            join_recorded_history(&mut q, &rec, &later, as_of);
            q
        };
        let later_run = run_panel(&later, &copies, as_of).unwrap().outcome;
        let rerun = run_panel(&b, &p, rerun_on).unwrap().outcome;
        let all = gather(&[
            RunRecord {
                run: &rerun,
                as_of: rerun_on,
                proposals: &p,
            },
            RunRecord {
                run: &later_run,
                as_of,
                proposals: &copies,
            },
        ]);
        let a08 = all.iter().find(|h| h.officer_id == "A08").unwrap();
        let kinds: Vec<(i32, ConsiderationKind)> = a08
            .history
            .iter()
            .map(|c| (c.empanelment_year, c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (2024, ConsiderationKind::Original),
                (2026, ConsiderationKind::FirstReview)
            ],
            "{:?}",
            a08.history
        );
        assert_eq!(
            a08.history[0].decided_on, rerun_on,
            "the batch's own latest run prevails"
        );
    }

    #[test]
    fn officers_of_other_services_with_the_same_id_keep_their_own_histories() {
        // The worked batch (IAS 2006) leaves A08 not empanelled; an IPS
        // 2008 batch empanels its own "A08". The IAS officer's first review
        // is still due (CSS-8): ids are the cadre authorities' own.
        let (b, p) = worked_batch();
        let run = run_panel(&b, &p, AS_OF).unwrap().outcome;
        let mut ips_batch = b.clone();
        ips_batch.service = "IPS".into();
        ips_batch.batch_year = 2008;
        ips_batch.preceding.clear();
        let mut ips = officer("A08");
        ips.service = "IPS".into();
        ips.batch_year = 2008;
        let ips_proposals = vec![ips];
        let ips_run = run_panel(&ips_batch, &ips_proposals, AS_OF)
            .unwrap()
            .outcome;
        assert_eq!(ips_run.officers[0].outcome, PanelOutcome::EmpanelledInitial);
        let all = gather(&[
            on_record(&run, &p),
            RunRecord {
                run: &ips_run,
                as_of: AS_OF,
                proposals: &ips_proposals,
            },
        ]);
        let a08: Vec<(&str, i32)> = all
            .iter()
            .filter(|h| h.officer_id == "A08")
            .map(|h| (h.service.as_str(), h.batch_year))
            .collect();
        assert_eq!(a08, [("IAS", 2006), ("IPS", 2008)]);
        let due = reviews_due(&all, Some(2026), LATER).unwrap();
        let ids: Vec<&str> = due.iter().map(|d| d.officer_id.as_str()).collect();
        assert_eq!(ids, ["A08", "A10", "A11"]);
    }

    #[test]
    fn what_is_decided_after_the_as_of_date_is_not_known_on_it() {
        let considered = PastConsideration {
            empanelment_year: 2023,
            cut_off_year: ReportingYear::starting(2021),
            decided_on: ymd(2023, 3, 1),
            kind: ConsiderationKind::Original,
            outcome: PastOutcome::NotEmpanelled,
            years_used: Vec::new(),
        };
        let later = PastConsideration {
            empanelment_year: 2025,
            cut_off_year: ReportingYear::starting(2023),
            decided_on: ymd(2025, 3, 1),
            kind: ConsiderationKind::FirstReview,
            outcome: PastOutcome::Empanelled,
            ..considered.clone()
        };
        let history = [considered.clone(), later];
        // On 1.6.2024 only the 2023 exercise had been held.
        assert!(matches!(
            review_standing(&history, ymd(2024, 6, 1)),
            ReviewStanding::ReviewDue {
                kind: ConsiderationKind::FirstReview,
                last_considered: 2023,
                ..
            }
        ));
        assert_eq!(
            review_standing(&history, ymd(2025, 3, 1)),
            ReviewStanding::Empanelled {
                empanelment_year: 2025
            }
        );
        assert_eq!(
            review_standing(&history, ymd(2023, 2, 28)),
            ReviewStanding::NotConsidered
        );
        // An APAR of the window raised on a representation decided on
        // 1.9.2024: no special review as of 1.6.2024, one as of 1.9.2024.
        let mut apar = crate::empanelment::fixtures::fy(2018, Grading::Outstanding);
        apar.representation = Some(Representation {
            decided_on: ymd(2024, 9, 1),
            grade_before: AparGrade::Grading(Grading::Good),
            adverse_remarks_expunged: false,
        });
        let apars = [apar];
        let one = [considered];
        assert_eq!(
            special_review_ground(&apars, &one, ymd(2024, 6, 1)).unwrap(),
            None
        );
        assert_eq!(
            special_review_ground(&apars, &one, ymd(2024, 9, 1))
                .unwrap()
                .map(|g| g.changed_on),
            Some(ymd(2024, 9, 1))
        );
    }

    #[test]
    fn a_year_of_consideration_beyond_the_calendar_does_not_overflow() {
        let history = [PastConsideration {
            empanelment_year: i32::MAX,
            cut_off_year: ReportingYear::starting(2020),
            decided_on: ymd(2022, 3, 1),
            kind: ConsiderationKind::Original,
            outcome: PastOutcome::NotEmpanelled,
            years_used: Vec::new(),
        }];
        assert!(matches!(
            review_standing(&history, LATER),
            ReviewStanding::ReviewDue {
                from_year: i32::MAX,
                ..
            }
        ));
    }
}
