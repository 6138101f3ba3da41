use super::explain::{AparYears, RungText};
use super::*;
use crate::decision::Decision;
use crate::pay::dates::{add_days, add_years};
use crate::pay::fitment::PreRevisedScale;
use crate::pay::matrix::Level;
use crate::pay::sixth::PayBand;
use crate::pay::PayError;
use crate::rules;
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

/// Each upgrade's number, scheme and due date.
fn schedule(d: &Decision<MacpOutcome>) -> Vec<(u8, Scheme, NaiveDate)> {
    summary(d)
        .into_iter()
        .map(|(n, s, on, _)| (n, s, on))
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
    // The ACP of 1999 rests on the ACP Scheme's own OM; that of 2006 on
    // clarification 3 (the ACP Scheme in the revised structure).
    let acp_cited = |granted: &str| {
        d.reasons
            .iter()
            .find(|r| r.text.contains(&format!("ACP granted on {granted}")))
            .map(|r| (r.rule, r.citation))
    };
    assert_eq!(
        acp_cited("09.08.1999"),
        Some((
            "MACP-3",
            "DoPT OM No. 35034/1/97-Estt.(D)(Vol.IV) dated 09.08.1999 (ACP Scheme)"
        ))
    );
    assert_eq!(
        acp_cited("01.10.2006"),
        Some(("MACP-3", rules::MACP_3.citation))
    );
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
fn the_non_functional_scale_is_an_upgradation_not_a_promotion() {
    // ASO 2007, SO 29.01.2014, NFS 01.07.2018, US 04.09.2022: three
    // financial upgradations placed, of which two promotions. The bar is
    // MACP-1's three upgradations, not MACP-7's three promotions.
    let events = |nfs: bool| {
        let mut e = vec![CareerEvent::Promotion {
            on: ymd(2014, 1, 29),
            to: PayRef::level(level("8")),
        }];
        if nfs {
            e.push(CareerEvent::Nfs {
                on: ymd(2018, 7, 1),
                to: PayRef::level(level("10")),
            });
        }
        e.push(CareerEvent::Promotion {
            on: ymd(2022, 9, 4),
            to: PayRef::level(level("11")),
        });
        e
    };
    let with_nfs = input(ymd(2007, 5, 1), PayRef::level(level("7")), events(true));
    let d = evaluate_macp(ymd(2026, 12, 1), &with_nfs).unwrap();
    assert!(d.outcome.upgrades.is_empty(), "{:?}", d.outcome.upgrades);
    assert!(!d.cites(&rules::MACP_7), "{:?}", d.reasons);
    assert!(d
        .reasons
        .iter()
        .any(|r| r.text.contains("non-functional scale on 01.07.2018")
            && r.text
                .contains("2nd financial upgradation, not a promotion")));
    assert!(d
        .reasons
        .iter()
        .any(|r| r.text == "the three admissible upgradations are all placed"));
    // Without it, the 3rd falls due ten years after the last promotion.
    let d = evaluate_macp(
        ymd(2026, 12, 1),
        &input(ymd(2007, 5, 1), PayRef::level(level("7")), events(false)),
    )
    .unwrap();
    assert_eq!(d.outcome.upgrades.len(), 1);
    assert_eq!(d.outcome.upgrades[0].due_on, ymd(2032, 9, 4));
}

#[test]
fn a_promotion_into_the_scale_held_under_acp_uses_up_no_upgradation() {
    // Entry 01.04.1980 in 4000-6000; 1st ACP 09.08.1999 to 4500-7000; a
    // regular promotion on 01.01.2002 into 4500-7000, the scale already
    // drawn: the 2nd ACP still falls due on 24 years, 01.04.2004, to
    // 5000-8000 (not an MACP on 01.09.2008, as if scales had merged).
    let acp = CareerEvent::Acp {
        on: ymd(1999, 8, 9),
        to: Some(PayRef::scale("4500-7000")),
    };
    let alone = input(
        ymd(1980, 4, 1),
        PayRef::scale("4000-6000"),
        vec![acp.clone()],
    );
    let promoted = input(
        ymd(1980, 4, 1),
        PayRef::scale("4000-6000"),
        vec![
            acp,
            CareerEvent::Promotion {
                on: ymd(2002, 1, 1),
                to: PayRef::scale("4500-7000"),
            },
        ],
    );
    let second = |i: &MacpInput| {
        let d = evaluate_macp(ymd(2005, 1, 1), i).unwrap();
        let u = &d.outcome.upgrades[1];
        (u.number, u.scheme, u.due_on, u.to.scale.clone())
    };
    assert_eq!(second(&promoted), second(&alone));
    assert_eq!(
        second(&promoted),
        (
            2,
            Scheme::Acp,
            ymd(2004, 4, 1),
            Some("5000-150-8000".to_owned())
        )
    );
    let d = evaluate_macp(ymd(2005, 1, 1), &promoted).unwrap();
    assert!(
        !d.reasons
            .iter()
            .any(|r| r.text.contains("merger of scales")),
        "{:?}",
        d.reasons
    );
}

#[test]
fn a_promotion_into_the_level_held_under_acp_uses_up_no_upgradation() {
    // The same history by levels, as stored employees have it: entry at
    // Level 7 (1982), ACP on 09.08.1999 to Level 8, a promotion on
    // 01.01.2002 into Level 8. The 2nd ACP still falls due at 24 years.
    let acp = CareerEvent::Acp {
        on: ymd(1999, 8, 9),
        to: None,
    };
    let alone = input(
        ymd(1982, 1, 1),
        PayRef::level(level("7")),
        vec![acp.clone()],
    );
    let mut promoted = alone.clone();
    promoted.events.push(CareerEvent::Promotion {
        on: ymd(2002, 1, 1),
        to: PayRef::level(level("8")),
    });
    let a = evaluate_macp(ymd(2009, 1, 1), &alone).unwrap();
    let p = evaluate_macp(ymd(2009, 1, 1), &promoted).unwrap();
    assert_eq!(schedule(&p), schedule(&a));
    assert_eq!(schedule(&p)[1], (2, Scheme::Acp, ymd(2006, 1, 1)));
    assert!(!p
        .reasons
        .iter()
        .any(|r| r.text.contains("merger of scales")));
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
fn a_recorded_grant_after_another_event_is_the_upgrade_it_records() {
    // Assumption 6: recorded grants are the upgrades in order. A deputation
    // between the computed date (01.01.2010) and the grant (01.03.2011)
    // must not let a computed 1st be placed and the grant counted as the 2nd.
    let without = input(
        ymd(2000, 1, 1),
        PayRef::level(level("6")),
        vec![CareerEvent::Macp {
            on: ymd(2011, 3, 1),
            to: None,
        }],
    );
    let mut with = without.clone();
    with.events.insert(
        0,
        CareerEvent::Deputation {
            on: ymd(2010, 6, 1),
            to: PayRef::level(level("6")),
        },
    );
    let a = evaluate_macp(ymd(2012, 1, 1), &without).unwrap();
    let b = evaluate_macp(ymd(2012, 1, 1), &with).unwrap();
    assert_eq!(schedule(&b)[0], (1, Scheme::Macp, ymd(2011, 3, 1)));
    assert_eq!(b.outcome.upgrades[0].status, UpgradeStatus::Granted);
    assert_eq!(schedule(&a), schedule(&b));
    assert_eq!(b.outcome.upgrades[0].to, a.outcome.upgrades[0].to);
}

#[test]
fn a_promotion_after_2006_to_a_post_of_the_same_grade_pay_counts() {
    // docs/rules/pay.md assumption 5 and clarification 8: a promotion in the
    // hierarchy is earned even where the post carries the grade pay already
    // held; it uses an upgrade and the next falls 10 years after it.
    let gp = |band, gp| PayRef::grade_pay(band, gp);
    let one = input(
        ymd(2000, 1, 1),
        gp(PayBand::Pb1, 2800),
        vec![CareerEvent::Promotion {
            on: ymd(2007, 1, 1),
            to: gp(PayBand::Pb1, 2800),
        }],
    );
    let d = evaluate_macp(ymd(2025, 1, 1), &one).unwrap();
    assert_eq!(schedule(&d)[0], (2, Scheme::Macp, ymd(2017, 1, 1)));
    // GP 4200 is Level 6, where the 7th CPC places it.
    assert_eq!(d.outcome.upgrades[0].to.level.map(Level::name), Some("6"));
    // Three promotions, one of them to the same grade pay: none further.
    let three = input(
        ymd(2000, 1, 1),
        gp(PayBand::Pb1, 2400),
        vec![
            CareerEvent::Promotion {
                on: ymd(2004, 1, 1),
                to: gp(PayBand::Pb1, 2800),
            },
            CareerEvent::Promotion {
                on: ymd(2008, 1, 1),
                to: gp(PayBand::Pb1, 2800),
            },
            CareerEvent::Promotion {
                on: ymd(2012, 1, 1),
                to: gp(PayBand::Pb2, 4200),
            },
        ],
    );
    let d = evaluate_macp(ymd(2025, 1, 1), &three).unwrap();
    assert!(d.outcome.upgrades.is_empty(), "{:?}", summary(&d));
    assert!(d.cites(&rules::MACP_7));
    // Before 2006 a promotion into the scale already held regularly is not
    // counted as one of the same grade pay: the schedule is as without it.
    let entry = PayRef::scale("5000-8000");
    let alone = input(ymd(1990, 1, 1), entry.clone(), Vec::new());
    let mut moved = alone.clone();
    moved.events.push(CareerEvent::Promotion {
        on: ymd(1995, 1, 1),
        to: entry,
    });
    let a = evaluate_macp(ymd(2025, 1, 1), &alone).unwrap();
    let m = evaluate_macp(ymd(2025, 1, 1), &moved).unwrap();
    assert_eq!(schedule(&m), schedule(&a));
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
        MACP_FROM,
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
    // Given by its -1S grade pay (1300) rather than by name, the same entry
    // keeps its scale: the same three MACPs on 01.09.2008.
    let by_grade_pay = input(
        ymd(1975, 3, 1),
        PayRef::grade_pay(PayBand::Minus1S, 1300),
        Vec::new(),
    );
    let g = evaluate_macp(ymd(2009, 1, 1), &by_grade_pay).unwrap();
    assert_eq!(schedule(&g), schedule(&d));
    assert_eq!(summary(&g), summary(&d));
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

fn apars_very_good_except(years: std::ops::RangeInclusive<i32>, average: i32) -> Vec<Apar> {
    years
        .map(|year| Apar {
            year,
            grading: if year == average {
                Grading::Average
            } else {
                Grading::VeryGood
            },
        })
        .collect()
}

fn dates_in_order(d: &Decision<MacpOutcome>) -> bool {
    d.outcome
        .upgrades
        .windows(2)
        .all(|w| w[0].due_on <= w[1].due_on)
}

#[test]
fn macp_6_postponement_past_the_start_of_macps() {
    // MACP-6 (clar. 7): a postponement delays the upgrade itself, even when
    // its due date is the date MACPS took effect (MACP-3).
    let i = input(
        ymd(1997, 1, 1),
        PayRef::grade_pay(PayBand::Pb2, 4200),
        vec![CareerEvent::Postponement {
            on: MACP_FROM,
            days: None,
            until: Some(ymd(2009, 3, 1)),
        }],
    );
    let d = evaluate_macp(ymd(2020, 1, 1), &i).unwrap();
    let u = &d.outcome.upgrades;
    assert_eq!(
        (
            u[0].scheme,
            u[0].due_on,
            u[0].to.grade_pay,
            u[0].postponed_days
        ),
        (Scheme::Macp, ymd(2009, 3, 1), Some(4600), 181)
    );
    // Later ones move by the delay actually applied: 20 years + 181 days.
    assert_eq!(u[1].due_on, ymd(2017, 7, 1));
    assert_eq!(u[1].postponed_days, 0);
    assert!(d.cites(&rules::MACP_6));
}

#[test]
fn macp_6_postponement_past_the_start_of_acp() {
    // MACP-6: an ACP falling due when the ACP Scheme took effect, postponed
    // by a year, is granted a year later.
    let i = input(
        ymd(1980, 1, 1),
        PayRef::scale("4000-6000"),
        vec![CareerEvent::Postponement {
            on: ACP_FROM,
            days: Some(365),
            until: None,
        }],
    );
    let d = evaluate_macp(ymd(2013, 1, 1), &i).unwrap();
    let u = &d.outcome.upgrades;
    assert_eq!(
        (u[0].scheme, u[0].due_on, u[0].postponed_days),
        (Scheme::Acp, ymd(2000, 8, 8), 365)
    );
    assert_eq!(u[0].to.scale.as_deref(), Some("4500-125-7000"));
    // The 2nd at 24 years, moved by the same 365 days.
    assert_eq!((u[1].scheme, u[1].due_on), (Scheme::Acp, ymd(2004, 12, 31)));
}

#[test]
fn macp_6_benchmark_deferral_from_the_start_of_macps() {
    // MACP-6: due 01.09.2008 (MACP-3), the "Average" of 2003-04 fails the
    // benchmark; deferred a year, the window 2004-05..2008-09 meets it. The
    // 2nd moves by that year: 20 years' service + 365 days.
    let mut i = input(
        ymd(1997, 1, 1),
        PayRef::grade_pay(PayBand::Pb2, 4200),
        Vec::new(),
    );
    i.apars = apars_very_good_except(1997..=2030, 2003);
    let d = evaluate_macp(ymd(2031, 1, 1), &i).unwrap();
    let u = &d.outcome.upgrades;
    assert_eq!(
        (u[0].due_on, u[0].status, u[0].postponed_days),
        (ymd(2009, 9, 1), UpgradeStatus::Due, 365)
    );
    assert!(d
        .reasons
        .iter()
        .any(|r| r.rule == "MACP-6" && r.text.contains("deferred to 01.09.2009")));
    assert_eq!(u[1].due_on, ymd(2018, 1, 1));
    assert_eq!(u[2].due_on, ymd(2028, 1, 1));
}

#[test]
fn macp_6_a_grant_later_than_the_postponed_date_is_late_not_postponed() {
    // MACP-6: later upgrades move by the delay the postponement caused (to
    // 01.01.2011), not by the further wait for a grant recorded in 2012.
    let i = input(
        ymd(2000, 1, 1),
        PayRef::level(level("6")),
        vec![
            CareerEvent::Postponement {
                on: ymd(2010, 1, 1),
                days: Some(365),
                until: None,
            },
            CareerEvent::Macp {
                on: ymd(2012, 1, 1),
                to: None,
            },
        ],
    );
    let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
    let u = &d.outcome.upgrades;
    assert_eq!((u[0].due_on, u[0].postponed_days), (ymd(2012, 1, 1), 365));
    assert_eq!(u[1].due_on, add_days(ymd(2020, 1, 1), 365).unwrap());
}

#[test]
fn macp_3_acp_postponed_past_31_08_2008_is_granted_under_macps() {
    // Entry 01.06.1984: 1st ACP 09.08.1999, 2nd ACP due 01.06.2008 (MACP-3).
    let postponed = |days| {
        input(
            ymd(1984, 6, 1),
            PayRef::scale("4000-6000"),
            vec![CareerEvent::Postponement {
                on: ymd(2008, 6, 1),
                days: Some(days),
                until: None,
            }],
        )
    };
    // Postponed within the ACP Scheme's life: still an ACP.
    let d = evaluate_macp(ymd(2020, 1, 1), &postponed(50)).unwrap();
    assert_eq!(
        (d.outcome.upgrades[1].scheme, d.outcome.upgrades[1].due_on),
        (Scheme::Acp, ymd(2008, 7, 21))
    );
    // Postponed (MACP-6) to 18.12.2008: no ACP is granted after 31.08.2008
    // (MACP-3), so it comes under MACPS, on the date the postponement ends
    // (the MACP would itself be due from 01.09.2008 on 20 years' service).
    let d = evaluate_macp(ymd(2020, 1, 1), &postponed(200)).unwrap();
    let u = &d.outcome.upgrades;
    assert_eq!(
        (u[1].number, u[1].scheme, u[1].due_on, u[1].to.grade_pay),
        (2, Scheme::Macp, ymd(2008, 12, 18), Some(4200))
    );
    assert_eq!(u[1].postponed_days, 200);
    // The 3rd at 30 years, moved by the 200 days.
    assert_eq!(
        (u[2].scheme, u[2].due_on),
        (Scheme::Macp, ymd(2014, 12, 18))
    );
    assert!(d
        .reasons
        .iter()
        .any(|r| r.rule == "MACP-3" && r.text.contains("31.08.2008")));
}

#[test]
fn recorded_macp_takes_the_place_of_a_pending_acp() {
    // The ACP due 01.01.2007 (12 years, MACP-3) was not granted; the MACP of
    // 01.09.2008 is the 1st upgrade, the 2nd and 3rd at 20 and 30 years (MACP-1).
    let i = input(
        ymd(1995, 1, 1),
        PayRef::grade_pay(PayBand::Pb1, 2400),
        vec![CareerEvent::Macp {
            on: MACP_FROM,
            to: None,
        }],
    );
    let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
    assert_eq!(
        schedule(&d),
        [
            (1, Scheme::Macp, MACP_FROM),
            (2, Scheme::Macp, ymd(2015, 1, 1)),
            (3, Scheme::Macp, ymd(2025, 1, 1)),
        ]
    );

    // A 1st ACP, then an MACP recorded in place of the 2nd ACP due
    // 01.06.2008: the 3rd at 30 years.
    let i = input(
        ymd(1984, 6, 1),
        PayRef::scale("4000-6000"),
        vec![
            CareerEvent::Acp {
                on: ACP_FROM,
                to: None,
            },
            CareerEvent::Macp {
                on: MACP_FROM,
                to: None,
            },
        ],
    );
    let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
    assert_eq!(
        schedule(&d),
        [
            (1, Scheme::Acp, ACP_FROM),
            (2, Scheme::Macp, MACP_FROM),
            (3, Scheme::Macp, ymd(2014, 6, 1)),
        ]
    );
    assert!(dates_in_order(&d));
}

#[test]
fn macp_5_same_grade_is_the_post_held_not_the_macp_level() {
    // MACP-5 (clar. 5(i)), read with clar. 6/10 (DEP-2): the grade is that of
    // the post held on regular basis, not the pay level reached by MACP.
    let events = |to: &str| {
        vec![
            CareerEvent::Macp {
                on: ymd(2010, 1, 1),
                to: None,
            },
            CareerEvent::Appointment {
                on: ymd(2012, 1, 1),
                to: PayRef::level(level(to)),
            },
        ]
    };
    let i = input(ymd(2000, 1, 1), PayRef::level(level("6")), events("6"));
    let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
    assert_eq!(d.outcome.service_from, ymd(2000, 1, 1));
    let u = &d.outcome.upgrades;
    // Level 7 was PB-2 GP 4600 in 2010.
    assert_eq!(
        (u[0].due_on, u[0].status, u[0].to.grade_pay),
        (ymd(2010, 1, 1), UpgradeStatus::Granted, Some(4600))
    );
    assert_eq!(
        (u[1].due_on, u[1].to.level),
        (ymd(2020, 1, 1), Some(level("8")))
    );
    assert!(d
        .reasons
        .iter()
        .any(|r| r.rule == "MACP-5" && r.text.contains("same grade")));

    // Recruited to a Level 7 post: another grade, counted afresh (MACP-2).
    let i = input(ymd(2000, 1, 1), PayRef::level(level("6")), events("7"));
    let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
    assert_eq!(d.outcome.service_from, ymd(2012, 1, 1));
    let first = &d.outcome.upgrades[0];
    assert_eq!(
        (first.number, first.due_on, first.to.level),
        (1, ymd(2022, 1, 1), Some(level("8")))
    );
}

#[test]
fn macp_5_absorption_above_the_post_held_counts_from_deputation() {
    // MACP-5(ii): the Level 7 ex-cadre post is a higher scale than the Level
    // 6 post held, whatever the MACP pay (clar. 6/10, DEP-2).
    let i = input(
        ymd(2000, 1, 1),
        PayRef::level(level("6")),
        vec![
            CareerEvent::Macp {
                on: ymd(2010, 1, 1),
                to: None,
            },
            CareerEvent::Deputation {
                on: ymd(2012, 1, 1),
                to: PayRef::level(level("7")),
            },
            CareerEvent::Absorption {
                on: ymd(2014, 1, 1),
            },
        ],
    );
    let d = evaluate_macp(ymd(2030, 1, 1), &i).unwrap();
    assert_eq!(d.outcome.service_from, ymd(2012, 1, 1));
    let first = &d.outcome.upgrades[0];
    assert_eq!(
        (first.number, first.due_on, first.to.level),
        (1, ymd(2022, 1, 1), Some(level("8")))
    );
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

    /// A recorded grant, whenever it is dated, never leaves an upgrade dated
    /// before the one it follows.
    #[test]
    fn upgrades_stay_in_date_order(
        year in 1975i32..2010, ord in 0u8..10, after in 1u32..30, acp in any::<bool>(),
    ) {
        let mut i = synthetic(year, ord, None);
        let on = add_years(i.joined_entry_grade_on, after).unwrap();
        i.events.push(if acp {
            CareerEvent::Acp { on, to: None }
        } else {
            CareerEvent::Macp { on, to: None }
        });
        let d = evaluate_macp(ymd(2070, 1, 1), &i).unwrap();
        prop_assert!(dates_in_order(&d), "{:?}", summary(&d));
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
