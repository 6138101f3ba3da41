//! Properties of the allocation (ROT-1): stability on random rounds, no
//! profitable misreport found by exhaustive search on small ones, the same
//! result as serving officers one by one in priority order, capacities never
//! exceeded; and a hand-worked round checked line by line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::allocation::*;
use crate::params::ymd;

const GRADES: [&str; 2] = ["SO", "ASO"];

/// A small deterministic generator, driven by proptest's seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn instance(seed: u64, ministries: usize, officers: usize, grades: usize) -> AllocationInput {
    let mut r = Lcg(seed);
    let ms: Vec<Ministry> = (0..ministries)
        .map(|k| Ministry {
            id: format!("M{k}"),
            group: if k % 2 == 0 { Group::A } else { Group::B },
            station: if r.below(4) == 0 {
                "Chennai".into()
            } else {
                "New Delhi".into()
            },
            vacancies: GRADES[..grades]
                .iter()
                .map(|g| (g.to_string(), r.below(3) as u32))
                .collect(),
        })
        .collect();
    let os = (0..officers)
        .map(|i| {
            let home = r.below(ministries as u64) as usize;
            let mut others: Vec<String> = ms
                .iter()
                .filter(|m| m.group != ms[home].group)
                .map(|m| m.id.clone())
                .collect();
            // A random ordered sublist of the other group.
            for k in (1..others.len()).rev() {
                others.swap(k, r.below(k as u64 + 1) as usize);
            }
            others.truncate(r.below(others.len() as u64 + 1) as usize);
            Officer {
                code: format!("E{i:02}"),
                grade: GRADES[r.below(grades as u64) as usize].into(),
                ministry: ms[home].id.clone(),
                // Few distinct dates and seniorities, so ties reach the tie-break.
                in_ministry_since: ymd(2010 + r.below(3) as i32, 1, 1),
                seniority: r.below(3) as u32,
                must_rotate: r.below(3) != 0,
                preferences: others,
            }
        })
        .collect();
    AllocationInput {
        ministries: ms,
        officers: os,
        couples: Vec::new(),
    }
}

fn run(input: &AllocationInput) -> Allocation {
    match allocate(ymd(2025, 1, 1), input) {
        Ok(d) => d.outcome,
        Err(e) => panic!("{e}"),
    }
}

fn key(o: &Officer) -> (NaiveDate, u32, &str) {
    (o.in_ministry_since, o.seniority, o.code.as_str())
}

/// Posts open to the round, computed here independently of the engine.
fn capacity(input: &AllocationInput) -> BTreeMap<(String, String), u32> {
    let mut cap = BTreeMap::new();
    for m in &input.ministries {
        for (g, n) in &m.vacancies {
            *cap.entry((m.id.clone(), g.clone())).or_default() += n;
        }
    }
    for o in input.officers.iter().filter(|o| o.must_rotate) {
        *cap.entry((o.ministry.clone(), o.grade.clone()))
            .or_default() += 1;
    }
    cap
}

/// No officer prefers a ministry that has a free post or took someone of lower priority.
fn assert_stable(input: &AllocationInput, out: &Allocation) -> usize {
    let cap = capacity(input);
    let mut checked = 0;
    for (o, res) in input.officers.iter().zip(&out.officers) {
        let above = res.rank.map_or(o.preferences.len(), |r| r as usize - 1);
        for m in &o.preferences[..above] {
            let holders: Vec<&Officer> = input
                .officers
                .iter()
                .zip(&out.officers)
                .filter(|(p, r)| p.grade == o.grade && r.to.as_deref() == Some(m.as_str()))
                .map(|(p, _)| p)
                .collect();
            let c = cap.get(&(m.clone(), o.grade.clone())).copied().unwrap_or(0);
            assert_eq!(
                holders.len() as u32,
                c,
                "{} wanted {m}, which has a free post",
                o.code
            );
            for h in holders {
                assert!(
                    key(h) < key(o),
                    "{} wanted {m}, which took {} of lower priority",
                    o.code,
                    h.code
                );
            }
            checked += 1;
        }
    }
    checked
}

/// Serving officers one by one in priority order, each taking the first
/// listed ministry with a post left: what deferred acceptance must equal when
/// every ministry applies one priority.
fn serial(input: &AllocationInput) -> Vec<Option<String>> {
    let mut left = capacity(input);
    let mut order: Vec<usize> = (0..input.officers.len()).collect();
    order.sort_by_key(|&i| key(&input.officers[i]));
    let mut got = vec![None; input.officers.len()];
    for i in order {
        let o = &input.officers[i];
        for m in &o.preferences {
            if let Some(n) = left
                .get_mut(&(m.clone(), o.grade.clone()))
                .filter(|n| **n > 0)
            {
                *n -= 1;
                got[i] = Some(m.clone());
                break;
            }
        }
    }
    got
}

fn true_rank(o: &Officer, to: Option<&str>) -> usize {
    to.and_then(|m| o.preferences.iter().position(|p| p == m))
        .unwrap_or(usize::MAX)
}

/// Every ordered list of distinct ministries from `pool`.
fn lists(pool: &[String]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    let mut frontier = vec![Vec::new()];
    while let Some(l) = frontier.pop() {
        for m in pool {
            if !l.contains(m) {
                let mut n: Vec<String> = l.clone();
                n.push(m.clone());
                out.push(n.clone());
                frontier.push(n);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn rot_1_allocation_is_stable_and_equals_serial_choice(seed in any::<u64>(), m in 2usize..7, n in 1usize..14, g in 1usize..3) {
        let input = instance(seed, m, n, g);
        let out = run(&input);
        assert_stable(&input, &out);
        let serial = serial(&input);
        for ((o, res), s) in input.officers.iter().zip(&out.officers).zip(serial) {
            let by_list = (res.placement == Placement::Preference).then(|| res.to.clone()).flatten();
            prop_assert_eq!(by_list, s, "{}", o.code);
        }
        // Capacity is never exceeded, and must-rotate officers are placed
        // while posts remain in the other group.
        let cap = capacity(&input);
        let mut used: BTreeMap<(String, String), u32> = BTreeMap::new();
        for res in &out.officers {
            if let Some(m) = &res.to {
                *used.entry((m.clone(), res.grade.clone())).or_default() += 1;
            }
        }
        for (slot, n) in &used {
            prop_assert!(*n <= cap.get(slot).copied().unwrap_or(0), "{:?} over capacity", slot);
        }
        for (o, res) in input.officers.iter().zip(&out.officers) {
            if o.must_rotate && res.to.is_none() {
                let home = input.ministries.iter().find(|x| x.id == o.ministry).map(|x| x.group);
                for x in input.ministries.iter().filter(|x| Some(x.group) != home) {
                    let slot = (x.id.clone(), o.grade.clone());
                    prop_assert_eq!(used.get(&slot).copied().unwrap_or(0), cap.get(&slot).copied().unwrap_or(0));
                }
            }
        }
    }

    #[test]
    fn rot_1_no_officer_gains_by_misreporting(seed in any::<u64>(), m in 2usize..7, n in 1usize..6) {
        let input = instance(seed, m, n, 1);
        let truth = run(&input);
        let mut tried = 0usize;
        for (i, o) in input.officers.iter().enumerate() {
            let home = input.ministries.iter().find(|x| x.id == o.ministry).map(|x| x.group);
            let pool: Vec<String> = input.ministries.iter().filter(|x| Some(x.group) != home).map(|x| x.id.clone()).collect();
            let honest = true_rank(o, truth.officers[i].to.as_deref());
            for list in lists(&pool) {
                let mut lie = input.clone();
                lie.officers[i].preferences = list.clone();
                let got = run(&lie);
                let r = true_rank(o, got.officers[i].to.as_deref());
                prop_assert!(r >= honest, "{} gains by listing {:?}: rank {} instead of {}", o.code, list, r, honest);
                tried += 1;
            }
        }
        prop_assert!(tried >= input.officers.len(), "searched {} lists", tried);
    }

    #[test]
    fn spo_1_couples_together_means_one_station_and_capacity_holds(seed in any::<u64>(), m in 2usize..7, n in 2usize..12) {
        let mut input = instance(seed, m, n, 2);
        input.couples.push(Couple { first: "E00".into(), second: "E01".into(), second_station: None, joint: Vec::new(), mandatory: false });
        let out = run(&input);
        let c = &out.couples[0];
        let station = |code: &str| out.officers.iter().find(|r| r.code == code).and_then(|r| r.station.clone());
        if c.together {
            prop_assert_eq!(station("E00"), station("E01"));
            prop_assert!(c.reason.is_none());
        } else {
            prop_assert!(c.reason.as_deref().is_some_and(|r| !r.is_empty()));
        }
        let cap = capacity(&input);
        let mut used: BTreeMap<(String, String), u32> = BTreeMap::new();
        for res in &out.officers {
            if let Some(m) = &res.to {
                *used.entry((m.clone(), res.grade.clone())).or_default() += 1;
            }
        }
        for (slot, k) in &used {
            prop_assert!(*k <= cap.get(slot).copied().unwrap_or(0));
        }
    }
}

#[test]
fn rot_1_misreport_search_is_not_empty() {
    // Three ministries in the other group: 1 + 3 + 6 + 6 lists.
    let pool: Vec<String> = ["M1", "M3", "M5"].iter().map(|s| s.to_string()).collect();
    assert_eq!(lists(&pool).len(), 16);
}

fn ministry(id: &str, group: Group, station: &str, vac: &[(&str, u32)]) -> Ministry {
    Ministry {
        id: id.into(),
        group,
        station: station.into(),
        vacancies: vac.iter().map(|(g, n)| (g.to_string(), *n)).collect(),
    }
}

fn officer(
    code: &str,
    grade: &str,
    from: &str,
    since: NaiveDate,
    sen: u32,
    must: bool,
    prefs: &[&str],
) -> Officer {
    Officer {
        code: code.into(),
        grade: grade.into(),
        ministry: from.into(),
        in_ministry_since: since,
        seniority: sen,
        must_rotate: must,
        preferences: prefs.iter().map(|s| s.to_string()).collect(),
    }
}

/// Twelve officers, four ministries, two couples, worked by hand.
///
/// Group A: MHA, MOF (New Delhi). Group B: MEA (New Delhi), DOS (Bengaluru).
/// Posts open (vacancies + posts of officers who must rotate):
///   SO:  MHA 0+2 (S1, S2) = 2; MOF 0+1 (S3; S4 only volunteers) = 1;
///        MEA 0+1 (S5) = 1; DOS 1+2 (S6, S8) = 3.
///   ASO: MHA 0+1 (A4) = 1; MOF 1+0 = 1; MEA 0+2 (A1, A2) = 2; DOS 0+1 (A3) = 1.
/// Couples first, in the order of their higher-priority spouse:
///   S5/A4 (S5 since 2014): S5 lists MHA, MOF (New Delhi), A4 lists only DOS
///     (Bengaluru): no pair at one station, so apart, reason stated.
///   S1/A3 (S1 since 2015): first pair at one station is (MEA, MOF), both
///     New Delhi, SO MEA 1 free and ASO MOF 1 free: together. SO MEA 0 left, ASO MOF 0.
/// SO by priority: S8 (2013) MHA; S5 (2014) MHA (0 left); S3 (2016-06, sen 3)
///   MEA full, DOS; S2 (2016-06, sen 5) MEA full, nothing; S6 (2017) MOF;
///   S4 (2018, volunteer) MEA full, stays; S7 (2019, volunteer) DOS (1 left).
///   Afterwards: S2 must rotate: group B has DOS 1 left: DOS.
/// ASO by priority: A1 (2016-01, sen 2) MHA; A4 (2016-01, sen 3) DOS;
///   A2 (2017) MHA full, MOF full; afterwards: group A has no ASO post left: stays.
#[test]
fn rot_1_hand_worked_round_of_twelve_officers_and_two_couples() {
    let d = ymd;
    let input = AllocationInput {
        ministries: vec![
            ministry("MHA", Group::A, "New Delhi", &[]),
            ministry("MOF", Group::A, "New Delhi", &[("ASO", 1)]),
            ministry("MEA", Group::B, "New Delhi", &[]),
            ministry("DOS", Group::B, "Bengaluru", &[("SO", 1)]),
        ],
        officers: vec![
            officer("S1", "SO", "MHA", d(2015, 1, 1), 10, true, &["MEA", "DOS"]),
            officer("S2", "SO", "MHA", d(2016, 6, 1), 5, true, &["MEA"]),
            officer("S3", "SO", "MOF", d(2016, 6, 1), 3, true, &["MEA", "DOS"]),
            officer("S4", "SO", "MOF", d(2018, 1, 1), 1, false, &["MEA"]),
            officer("S5", "SO", "MEA", d(2014, 1, 1), 20, true, &["MHA", "MOF"]),
            officer("S6", "SO", "DOS", d(2017, 3, 1), 7, true, &["MOF"]),
            officer("S7", "SO", "MHA", d(2019, 1, 1), 30, false, &["DOS", "MEA"]),
            officer("S8", "SO", "DOS", d(2013, 1, 1), 40, true, &["MHA"]),
            officer("A1", "ASO", "MEA", d(2016, 1, 1), 2, true, &["MHA"]),
            officer("A2", "ASO", "MEA", d(2017, 1, 1), 1, true, &["MHA", "MOF"]),
            officer("A3", "ASO", "DOS", d(2015, 5, 1), 4, true, &["MOF"]),
            officer("A4", "ASO", "MHA", d(2016, 1, 1), 3, true, &["DOS"]),
        ],
        couples: vec![
            Couple {
                first: "S1".into(),
                second: "A3".into(),
                second_station: None,
                joint: Vec::new(),
                mandatory: false,
            },
            Couple {
                first: "S5".into(),
                second: "A4".into(),
                second_station: None,
                joint: Vec::new(),
                mandatory: false,
            },
        ],
    };
    let decision = allocate(d(2025, 4, 1), &input).unwrap();
    let out = &decision.outcome;
    use Placement::{Afterwards, Preference, Unplaced, WithSpouse};
    let expected: [(&str, Option<&str>, Placement, Option<u32>); 12] = [
        ("S1", Some("MEA"), WithSpouse, Some(1)),
        ("S2", Some("DOS"), Afterwards, None),
        ("S3", Some("DOS"), Preference, Some(2)),
        ("S4", None, Unplaced, None),
        ("S5", Some("MHA"), Preference, Some(1)),
        ("S6", Some("MOF"), Preference, Some(1)),
        ("S7", Some("DOS"), Preference, Some(1)),
        ("S8", Some("MHA"), Preference, Some(1)),
        ("A1", Some("MHA"), Preference, Some(1)),
        ("A2", None, Unplaced, None),
        ("A3", Some("MOF"), WithSpouse, Some(1)),
        ("A4", Some("DOS"), Preference, Some(1)),
    ];
    assert_eq!(out.officers.len(), expected.len());
    for (res, (code, to, how, rank)) in out.officers.iter().zip(expected) {
        assert_eq!(res.code, code);
        assert_eq!(
            (res.to.as_deref(), res.placement, res.rank),
            (to, how, rank),
            "line {code}"
        );
    }
    // Couples: S1/A3 together in New Delhi; S5/A4 apart with the reason.
    assert_eq!(out.couples.len(), 2);
    assert!(out.couples[0].together && out.couples[0].station.as_deref() == Some("New Delhi"));
    assert!(!out.couples[1].together);
    assert_eq!(
        out.couples[1].reason.as_deref(),
        Some("the two lists have no ministries at one station")
    );
    // Why S2 did not get MEA: its one post went to a spouse posted together; nobody named.
    let s2 = &out.officers[1];
    assert!(s2.reasons.iter().any(|r| r.rule == "ROT-1"
        && r.text.contains("choice MEA")
        && r.text.contains("posted with a spouse")));
    assert!(s2
        .reasons
        .iter()
        .any(|r| r.rule == "ROT-2" && r.text.contains("placed afterwards in DOS")));
    assert!(out.officers.iter().all(|r| r
        .reasons
        .iter()
        .all(|x| !x.text.contains("S1") && !x.text.contains("A3"))));
    let a2 = &out.officers[9];
    assert!(a2
        .reasons
        .iter()
        .any(|r| r.text.contains("no ASO post remained")));
    // S7 volunteered and moved: the MHA SO post it frees is for the next round.
    let freed: Vec<_> = out
        .remaining
        .iter()
        .filter(|r| r.freed_for_next_round > 0)
        .map(|r| {
            (
                r.ministry.as_str(),
                r.grade.as_str(),
                r.freed_for_next_round,
            )
        })
        .collect();
    assert_eq!(freed, vec![("MHA", "SO", 1)]);
    let vacant: u32 = out.remaining.iter().map(|r| r.vacant).sum();
    // ASO MEA: 2 posts offered (A1, A2), A1 left, A2 could not be placed and stays: 1 vacant.
    assert_eq!(vacant, 1);
    let mea = out
        .remaining
        .iter()
        .find(|r| (r.ministry.as_str(), r.grade.as_str()) == ("MEA", "ASO"))
        .unwrap();
    assert_eq!((mea.vacant, mea.over_strength), (1, 0));
    assert!(out.remaining.iter().all(|r| r.over_strength == 0));
    assert!(decision.cites(&crate::rules::ROT_1) && decision.cites(&crate::rules::SPO_1));
    assert_eq!(decision.as_of, d(2025, 4, 1));
}

#[test]
fn rot_1_engine_refuses_lists_of_the_own_group_and_bad_couples() {
    let mut input = instance(7, 4, 3, 1);
    input.officers[0].preferences = vec![input.officers[0].ministry.clone()];
    assert!(matches!(
        allocate(ymd(2025, 1, 1), &input),
        Err(AllocationError::NotOtherGroup(..))
    ));
    let mut input = instance(7, 4, 3, 1);
    input.couples.push(Couple {
        first: "E00".into(),
        second: "X".into(),
        second_station: None,
        joint: Vec::new(),
        mandatory: false,
    });
    assert!(matches!(
        allocate(ymd(2025, 1, 1), &input),
        Err(AllocationError::Couple(..))
    ));
}

#[test]
fn spo_1_spouse_outside_the_round_and_explicit_joint_list() {
    let d = ymd;
    let mut input = AllocationInput {
        ministries: vec![
            ministry("MHA", Group::A, "New Delhi", &[]),
            ministry("MEA", Group::B, "New Delhi", &[("SO", 1)]),
            ministry("DOS", Group::B, "Bengaluru", &[("SO", 1), ("ASO", 1)]),
        ],
        officers: vec![
            officer("S1", "SO", "MHA", d(2015, 1, 1), 1, true, &["MEA", "DOS"]),
            officer("S2", "SO", "MHA", d(2016, 1, 1), 2, true, &["MEA", "DOS"]),
            officer("A1", "ASO", "MHA", d(2016, 1, 1), 2, true, &["DOS"]),
        ],
        couples: vec![Couple {
            first: "S2".into(),
            second: "SPOUSE".into(),
            second_station: Some("Bengaluru".into()),
            joint: Vec::new(),
            mandatory: false,
        }],
    };
    // S2's spouse serves in Bengaluru: S2 goes to DOS though lower on the list, ahead of S1's priority.
    let out = allocate(d(2025, 1, 1), &input).unwrap().outcome;
    assert_eq!(out.officers[1].to.as_deref(), Some("DOS"));
    assert_eq!(out.officers[1].placement, Placement::WithSpouse);
    assert_eq!(out.officers[0].to.as_deref(), Some("MEA"));
    // An explicit joint list is followed in its order.
    input.couples = vec![Couple {
        first: "S1".into(),
        second: "A1".into(),
        second_station: None,
        joint: vec![JointChoice {
            first: "DOS".into(),
            second: "DOS".into(),
        }],
        mandatory: false,
    }];
    let out = allocate(d(2025, 1, 1), &input).unwrap().outcome;
    assert_eq!(out.officers[0].to.as_deref(), Some("DOS"));
    assert_eq!(out.officers[2].to.as_deref(), Some("DOS"));
    assert_eq!(out.officers[1].to.as_deref(), Some("MEA"));
    assert!(out.couples[0].together);
}

#[test]
fn spo_1_a_couple_not_posted_together_is_told_the_specific_reasons() {
    let d = ymd;
    let input = AllocationInput {
        ministries: vec![
            ministry("MHA", Group::A, "New Delhi", &[]),
            ministry("MEA", Group::B, "New Delhi", &[("SO", 1)]),
            ministry("DOS", Group::B, "Bengaluru", &[("ASO", 1)]),
        ],
        officers: vec![
            officer("S1", "SO", "MHA", d(2015, 1, 1), 1, true, &["MEA"]),
            officer("A1", "ASO", "MHA", d(2016, 1, 1), 2, true, &["DOS"]),
        ],
        couples: vec![Couple {
            first: "S1".into(),
            second: "A1".into(),
            second_station: None,
            joint: vec![
                JointChoice {
                    first: "MEA".into(),
                    second: "DOS".into(),
                },
                JointChoice {
                    first: "MEA".into(),
                    second: "MEA".into(),
                },
            ],
            mandatory: true,
        }],
    };
    let out = allocate(d(2025, 1, 1), &input).unwrap().outcome;
    let c = &out.couples[0];
    assert!(!c.together && c.mandatory);
    assert_eq!(
        c.reason.as_deref(),
        Some(
            "no pair on the couple's list had a post for each at one station \
             (MEA (New Delhi) and DOS (Bengaluru) are at different stations; \
             MEA and MEA at New Delhi: no ASO post left in MEA); \
             each spouse was then placed by their own list"
        )
    );
    for r in &out.officers {
        assert!(
            r.reasons.iter().any(|x| x.rule == "SPO-1"
                && x.text
                    .starts_with("not posted with the spouse, though the OM makes it mandatory")),
            "{r:?}"
        );
    }
    // Each then by their own list.
    assert_eq!(out.officers[0].to.as_deref(), Some("MEA"));
    assert_eq!(out.officers[1].to.as_deref(), Some("DOS"));
}
