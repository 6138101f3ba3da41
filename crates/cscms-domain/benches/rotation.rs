//! A rotation round of 5,000 officers over 80 ministries with lists of 10,
//! generated deterministically, allocated end to end (target: 100 ms).

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use cscms_domain::rotation::{allocate, AllocationInput, Couple, Group, Ministry, Officer};

const OFFICERS: usize = 5_000;
const MINISTRIES: usize = 80;
const LIST: usize = 10;
const GRADES: [&str; 4] = ["ASO", "SO", "US", "DS"];

/// A small linear congruential generator: the same round on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

fn round() -> AllocationInput {
    let mut r = Lcg(42);
    let ministries: Vec<Ministry> = (0..MINISTRIES)
        .map(|k| Ministry {
            id: format!("M{k:02}"),
            group: if k % 2 == 0 { Group::A } else { Group::B },
            station: if k % 10 == 9 {
                "Mumbai".into()
            } else {
                "New Delhi".into()
            },
            vacancies: GRADES
                .iter()
                .map(|g| (g.to_string(), r.below(8) as u32))
                .collect(),
        })
        .collect();
    let officers = (0..OFFICERS)
        .map(|i| {
            let home = r.below(MINISTRIES);
            let mut prefs: Vec<String> = Vec::with_capacity(LIST);
            while prefs.len() < LIST {
                // Ministries of the other parity are the other group.
                let k = (r.below(MINISTRIES / 2) * 2 + (home + 1) % 2) % MINISTRIES;
                let id = format!("M{k:02}");
                if !prefs.contains(&id) {
                    prefs.push(id);
                }
            }
            Officer {
                code: format!("CSS-{i:06}"),
                grade: GRADES[r.below(GRADES.len())].into(),
                ministry: format!("M{home:02}"),
                in_ministry_since: NaiveDate::from_ymd_opt(
                    2010 + r.below(8) as i32,
                    1 + r.below(12) as u32,
                    1,
                )
                .unwrap_or(NaiveDate::MIN),
                seniority: r.below(OFFICERS) as u32,
                must_rotate: r.below(4) != 0,
                preferences: prefs,
            }
        })
        .collect();
    // Fifty couples among the officers.
    let couples = (0..50)
        .map(|k| Couple {
            first: format!("CSS-{:06}", 2 * k),
            second: format!("CSS-{:06}", 2 * k + 1),
            second_station: None,
            joint: Vec::new(),
            mandatory: false,
        })
        .collect();
    AllocationInput {
        ministries,
        officers,
        couples,
    }
}

fn bench(c: &mut Criterion) {
    let input = round();
    let as_of = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or(NaiveDate::MIN);
    c.bench_function(
        "rotation allocation: 5,000 officers, 80 ministries, lists of 10",
        |b| b.iter(|| allocate(black_box(as_of), black_box(&input))),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
