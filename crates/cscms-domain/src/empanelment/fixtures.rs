//! Builders shared by the empanelment tests.

use chrono::NaiveDate;

use super::apar::{Apar, AparGrade, ExpertPanelGrading, Grading, NumericGrade, ReportingYear};
use super::batch::Batch;
use super::eligibility::{Proposal, ProposalSource, Standing, Vigilance};
use crate::employee::{Category, Gender};
use crate::params::ymd;

pub const AS_OF: NaiveDate = ymd(2024, 6, 1);

/// A full reporting-year APAR with a grading.
pub fn fy(year: i32, g: Grading) -> Apar {
    Apar {
        period: ReportingYear::starting(year).period(),
        grade: AparGrade::Grading(g),
        expert_panel: None,
        representation: None,
    }
}

/// A full reporting-year APAR with a 1-10 grade.
pub fn fy_num(year: i32, grade: f64) -> Apar {
    Apar {
        grade: AparGrade::Numeric(NumericGrade::new(grade).unwrap()),
        ..fy(year, Grading::Average)
    }
}

/// A full reporting-year APAR with a 1-10 grade the Experts Panel regraded.
pub fn fy_ep(year: i32, grade: f64, panel: Grading) -> Apar {
    Apar {
        expert_panel: Some(ExpertPanelGrading {
            grading: panel,
            note: "out of line with the officer's trend".into(),
        }),
        ..fy_num(year, grade)
    }
}

/// IAS 2006 batch, empanelment year 2024, cut-off year 2022-23, an officer
/// of the batch in SAG since 1.1.2022; no representation inputs.
pub fn batch(panel_size: u32) -> Batch {
    Batch {
        service: "IAS".into(),
        batch_year: 2006,
        empanelment_year: 2024,
        cut_off_year: ReportingYear::starting(2022),
        panel_size,
        shares: Vec::new(),
        preceding: Vec::new(),
        ais_first_sag_on: Some(ymd(2022, 1, 1)),
        relaxed_min_score: None,
    }
}

/// An eligible IAS 2006 officer with Very Good APARs for 2013-14..2022-23.
pub fn officer(id: &str) -> Proposal {
    officer_with(id, 1, &[Grading::VeryGood; 10])
}

/// An eligible IAS 2006 officer with `grades` for 2013-14 onwards.
pub fn officer_with(id: &str, seniority: u32, grades: &[Grading]) -> Proposal {
    Proposal {
        officer_id: id.into(),
        name: format!("Officer {id}"),
        service: "IAS".into(),
        batch_year: 2006,
        seniority: Some(seniority),
        date_of_birth: ymd(1978, 5, 10),
        gender: Gender::Male,
        category: Category::Ur,
        north_east: false,
        state_cadre: Some("Rajasthan".into()),
        standing: Standing::AllIndia,
        source: ProposalSource::CadreControllingAuthority {
            authority: "DoPT (AIS division), cadre controlling authority of the IAS".into(),
            reference: "No. 12345/1/2024-AIS.I".into(),
            dated: ymd(2024, 2, 1),
        },
        vigilance: Vigilance::Cleared,
        vigilance_ground: None,
        foreign_assignments: Vec::new(),
        apars: (2013..).zip(grades).map(|(y, g)| fy(y, *g)).collect(),
        gaps: Vec::new(),
        history: Vec::new(),
    }
}

/// The hand-worked batch of `panel.rs` tests: IAS 2006, panel size 8,
/// 14 officers. Scores over 2013-14..2022-23 (all full years unless noted):
///
/// | id  | gradings            | score               | notes |
/// |-----|---------------------|---------------------|-------|
/// | A01 | 10 O                | 90/10 = 9.0         | |
/// | A02 | 8 O, 2 VG           | (72+14)/10 = 8.6    | woman |
/// | A03 | 7 O, 3 VG           | (63+21)/10 = 8.4    | |
/// | A04 | 6 O, 4 VG           | (54+28)/10 = 8.2    | |
/// | A05 | 5 O, 5 VG           | (45+35)/10 = 8.0    | woman, seniority 5 |
/// | A06 | 5 O, 5 VG           | 8.0                 | seniority 6: after A05 |
/// | A07 | 4 O, 6 VG           | (36+42)/10 = 7.8    | |
/// | A08 | 3 O, 7 VG           | (27+49)/10 = 7.6    | |
/// | A09 | 2 O, 8 VG           | (18+56)/10 = 7.4    | SC |
/// | A10 | 10 VG               | 7.0                 | ST |
/// | A11 | 9 VG, 1 G           | (63+5)/10 = 6.8     | |
/// | A12 | study leave 2013-14..2015-16; 7 O 2016-17..2022-23; 2012-13 G, 2011-12 O | see below | |
/// | A13 | 10 O                | —                   | born 1.12.1967: retires 30.11.2027 (CSS-5) |
/// | A14 | 10 O                | —                   | vigilance deferred (CSS-7) |
///
/// A12: 84 months in the window, 36 missing on study leave; make up
/// min(96 − 84, 36) = 12 months from 2012-13 (nearest preceding year):
/// (7×12×9 + 12×5) / 96 = (756 + 60) / 96 = 8.5. 2011-12 is not needed.
pub fn worked_batch() -> (Batch, Vec<Proposal>) {
    use super::apar::Period;
    use super::batch::{CategoryCount, CategoryShare, PrecedingBatch, RepCategory};
    use super::score::{Gap, GapReason};
    use Grading::{Good as G, Outstanding as O, VeryGood as V};

    let mut b = batch(8);
    b.shares = vec![
        CategoryShare {
            category: RepCategory::ScSt,
            share_bp: 2250,
        },
        CategoryShare {
            category: RepCategory::Women,
            share_bp: 1500,
        },
        CategoryShare {
            category: RepCategory::NorthEast,
            share_bp: 500,
        },
    ];
    let count = |category, count| CategoryCount { category, count };
    b.preceding = [(2003, 2, 1, 1), (2004, 2, 1, 1), (2005, 1, 1, 0)]
        .into_iter()
        .map(|(year, scst, women, ne)| PrecedingBatch {
            batch_year: year,
            empanelled: 10,
            counts: vec![
                count(RepCategory::ScSt, scst),
                count(RepCategory::Women, women),
                count(RepCategory::NorthEast, ne),
            ],
        })
        .collect();

    let grades = |o: usize, v: usize, g: usize| -> Vec<Grading> {
        [vec![O; o], vec![V; v], vec![G; g]].concat()
    };
    let mut p = vec![
        officer_with("A01", 1, &grades(10, 0, 0)),
        officer_with("A02", 2, &grades(8, 2, 0)),
        officer_with("A03", 3, &grades(7, 3, 0)),
        officer_with("A04", 4, &grades(6, 4, 0)),
        officer_with("A05", 5, &grades(5, 5, 0)),
        officer_with("A06", 6, &grades(5, 5, 0)),
        officer_with("A07", 7, &grades(4, 6, 0)),
        officer_with("A08", 8, &grades(3, 7, 0)),
        officer_with("A09", 9, &grades(2, 8, 0)),
        officer_with("A10", 10, &grades(0, 10, 0)),
        officer_with("A11", 11, &grades(0, 9, 1)),
        officer_with("A12", 12, &[]),
        officer_with("A13", 13, &grades(10, 0, 0)),
        officer_with("A14", 14, &grades(10, 0, 0)),
    ];
    let set = |p: &mut Vec<Proposal>, id: &str, f: &dyn Fn(&mut Proposal)| {
        if let Some(x) = p.iter_mut().find(|x| x.officer_id == id) {
            f(x);
        }
    };
    set(&mut p, "A02", &|x| x.gender = Gender::Female);
    set(&mut p, "A05", &|x| x.gender = Gender::Female);
    set(&mut p, "A09", &|x| x.category = Category::Sc);
    set(&mut p, "A10", &|x| x.category = Category::St);
    set(&mut p, "A12", &|x| {
        x.apars = vec![fy(2011, O), fy(2012, G)];
        x.apars.extend((2016..=2022).map(|y| fy(y, O)));
        x.gaps = vec![Gap {
            period: Period::new(ymd(2013, 4, 1), ymd(2016, 3, 31)).unwrap(),
            reason: GapReason::StudyLeave,
            note: "study leave for a doctorate".into(),
        }];
    });
    set(&mut p, "A13", &|x| x.date_of_birth = ymd(1967, 12, 1));
    set(&mut p, "A14", &|x| x.vigilance = Vigilance::Deferred);
    (b, p)
}
