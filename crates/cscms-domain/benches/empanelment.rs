//! A 5,000-officer batch with 10 years of APARs each, generated
//! deterministically, run through eligibility, scoring, ranking and
//! representation (target: 50 ms).

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use cscms_domain::empanelment::{
    run_panel, Apar, AparGrade, Batch, CategoryCount, CategoryShare, ExpertPanelGrading, Grading,
    NumericGrade, PrecedingBatch, Proposal, ProposalSource, RepCategory, ReportingYear, Standing,
    Vigilance,
};
use cscms_domain::employee::{Category, Gender};

const OFFICERS: u32 = 5_000;
const CADRES: [&str; 8] = [
    "AGMUT",
    "Assam-Meghalaya",
    "Bihar",
    "Gujarat",
    "Kerala",
    "Manipur",
    "Rajasthan",
    "Tamil Nadu",
];

/// A small linear congruential generator: the same batch on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn apar(rng: &mut Lcg, year: i32) -> Apar {
    let period = ReportingYear::starting(year).period();
    let grade = if rng.below(2) == 0 {
        let g = [
            Grading::Outstanding,
            Grading::VeryGood,
            Grading::VeryGood,
            Grading::Good,
        ];
        AparGrade::Grading(g[rng.below(4) as usize])
    } else {
        let tenths = 50 + rng.below(51); // 5.0 to 10.0, always in range
        match NumericGrade::new(f64::from(tenths) / 10.0) {
            Ok(g) => AparGrade::Numeric(g),
            Err(_) => AparGrade::Grading(Grading::Good),
        }
    };
    let expert_panel = (rng.below(10) == 0).then(|| ExpertPanelGrading {
        grading: Grading::VeryGood,
        note: "out of line with the trend".into(),
    });
    Apar {
        period,
        grade,
        expert_panel,
        representation: None,
    }
}

fn proposal(rng: &mut Lcg, n: u32) -> Proposal {
    let category = match rng.below(100) {
        0..=14 => Category::Sc,
        15..=21 => Category::St,
        22..=48 => Category::Obc,
        _ => Category::Ur,
    };
    let gender = if rng.below(100) < 18 {
        Gender::Female
    } else {
        Gender::Male
    };
    let cadre = CADRES[rng.below(CADRES.len() as u32) as usize];
    Proposal {
        officer_id: format!("IAS-2006-{n:05}"),
        name: format!("Officer {n}"),
        service: "IAS".into(),
        batch_year: 2006,
        seniority: Some(n + 1),
        date_of_birth: date(
            1970 + rng.below(12) as i32,
            1 + rng.below(12),
            1 + rng.below(28),
        ),
        gender,
        category,
        north_east: matches!(cadre, "Assam-Meghalaya" | "Manipur"),
        state_cadre: Some(cadre.into()),
        standing: Standing::AllIndia,
        source: ProposalSource::CadreControllingAuthority {
            authority: "DoPT (AIS division)".into(),
            reference: "No. 12345/1/2024-AIS.I".into(),
            dated: date(2024, 2, 1),
        },
        vigilance: if rng.below(100) < 2 {
            Vigilance::Deferred
        } else {
            Vigilance::Cleared
        },
        vigilance_ground: None,
        foreign_assignments: Vec::new(),
        apars: (2013..=2022).map(|y| apar(rng, y)).collect(),
        gaps: Vec::new(),
        history: Vec::new(),
    }
}

fn batch() -> (Batch, Vec<Proposal>) {
    let mut rng = Lcg(2024);
    let proposals = (0..OFFICERS).map(|n| proposal(&mut rng, n)).collect();
    let share = |category, share_bp| CategoryShare { category, share_bp };
    let mut shares = vec![
        share(RepCategory::ScSt, 2250),
        share(RepCategory::Women, 2000),
        share(RepCategory::NorthEast, 600),
    ];
    shares.extend(CADRES.iter().map(|c| {
        share(
            RepCategory::StateCadre {
                cadre: (*c).to_owned(),
            },
            1250,
        )
    }));
    let batch = Batch {
        service: "IAS".into(),
        batch_year: 2006,
        empanelment_year: 2024,
        cut_off_year: ReportingYear::starting(2022),
        panel_size: 600,
        shares,
        preceding: (2003..=2005)
            .map(|y| PrecedingBatch {
                batch_year: y,
                empanelled: 500,
                counts: vec![
                    CategoryCount {
                        category: RepCategory::ScSt,
                        count: 60,
                    },
                    CategoryCount {
                        category: RepCategory::Women,
                        count: 50,
                    },
                ],
            })
            .collect(),
        ais_first_sag_on: Some(date(2022, 1, 1)),
        relaxed_min_score: None,
    };
    (batch, proposals)
}

fn bench(c: &mut Criterion) {
    let (batch, proposals) = batch();
    let as_of = date(2024, 6, 1);
    if let Ok(d) = run_panel(&batch, &proposals, as_of) {
        let r = &d.outcome;
        eprintln!(
            "{} officers: {} empanelled at the initial stage, {} pulled up (cap {}), cut-off {:?}",
            r.officers.len(),
            r.empanelled_initial,
            r.pulled_up,
            r.pull_up_cap,
            r.cut_off.map(|s| s.value())
        );
    }
    c.bench_function("panel run, 5000 officers x 10 APARs", |b| {
        b.iter(|| run_panel(black_box(&batch), black_box(&proposals), as_of))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
