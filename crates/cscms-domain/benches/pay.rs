//! MACP + NFS evaluation over 100,000 synthetic service histories, generated
//! deterministically (a fixed-seed splitmix64). Target: ≤ 2 µs per employee.
//!
//! `cargo bench -p cscms-domain --bench pay -- --quick`

use std::hint::black_box;

use chrono::{Datelike, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use cscms_domain::cadre::Cadre;
use cscms_domain::pay::{
    evaluate_macp, evaluate_nfs, Apar, CareerEvent, Grading, Level, MacpInput, NfsInput, PayRef,
};

const EMPLOYEES: usize = 100_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        u32::try_from(self.next() % u64::from(n.max(1))).unwrap_or(0)
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn plus_years(d: NaiveDate, years: i32) -> NaiveDate {
    date(d.year() + years, d.month(), d.day().min(28))
}

const SCALES: [&str; 6] = [
    "2550-3200",
    "2750-4400",
    "4000-6000",
    "4500-7000",
    "5000-8000",
    "5500-9000",
];
const GRADINGS: [Grading; 3] = [Grading::Good, Grading::VeryGood, Grading::Outstanding];

fn history(rng: &mut Rng, levels: &[Level]) -> (MacpInput, NfsInput) {
    let year = 1975 + i32::try_from(rng.below(45)).unwrap_or(0);
    let joined = date(year, 1 + rng.below(12), 1 + rng.below(28));
    let mut ord = usize::try_from(rng.below(9)).unwrap_or(0);
    let entry = if year < 2000 && rng.chance(40) {
        PayRef::scale(SCALES[usize::try_from(rng.below(6)).unwrap_or(0)])
    } else {
        PayRef::level(levels[ord])
    };
    if entry.scale.is_some() {
        ord = entry
            .resolve()
            .map(|p| usize::from(p.level.ord()))
            .unwrap_or(0);
    }
    let mut events = Vec::new();
    let mut at = joined;
    for _ in 0..rng.below(3) {
        at = plus_years(at, 3 + i32::try_from(rng.below(9)).unwrap_or(0));
        ord = (ord + 1).min(13);
        events.push(CareerEvent::Promotion {
            on: at,
            to: PayRef::level(levels[ord]),
        });
    }
    if rng.chance(10) {
        let on = plus_years(joined, 10 + 10 * i32::try_from(rng.below(2)).unwrap_or(0));
        events.push(CareerEvent::Postponement {
            on,
            days: Some(30 + rng.below(700)),
            until: None,
        });
    }
    if events.is_empty() && rng.chance(5) {
        let on = plus_years(joined, 5);
        events.push(CareerEvent::Deputation {
            on,
            to: PayRef::level(levels[(ord + 1).min(13)]),
        });
        events.push(CareerEvent::Absorption {
            on: plus_years(on, 2),
        });
    }
    let apars = if rng.chance(50) {
        (2005..2024)
            .map(|year| Apar {
                year,
                grading: GRADINGS[usize::try_from(rng.below(3)).unwrap_or(0)],
            })
            .collect()
    } else {
        Vec::new()
    };
    let macp = MacpInput {
        joined_entry_grade_on: joined,
        entry,
        organised_group_a: rng.chance(2),
        events,
        apars,
    };

    let since = date(1988 + i32::try_from(rng.below(34)).unwrap_or(0), 7, 1);
    let notional_year = since.year() + 4;
    let present_pay = match notional_year {
        _ if rng.chance(30) => None,
        ..=2005 => Some(6500 + 200 * rng.below(20)),
        2006..=2015 => Some(9300 + 10 * rng.below(1500)),
        _ => levels[7]
            .cells()
            .get(usize::try_from(rng.below(20)).unwrap_or(0))
            .copied(),
    };
    let nfs = NfsInput {
        cadre: Cadre::Css,
        grade: "SO".to_owned(),
        in_grade_since: since,
        assumed_duty_on: None,
        vigilance_clear: rng.chance(90),
        present_pay,
        retired_on: None,
    };
    (macp, nfs)
}

fn histories() -> Vec<(MacpInput, NfsInput)> {
    let levels: Vec<Level> = Level::all().map(Iterator::collect).unwrap_or_default();
    if levels.len() < 14 {
        return Vec::new();
    }
    let mut rng = Rng(0x00C5_C0A5_2025);
    (0..EMPLOYEES).map(|_| history(&mut rng, &levels)).collect()
}

/// Time this thread has spent on a CPU, in ns (Linux); unlike wall time it
/// is not inflated when other processes share the cores.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// On-CPU time per employee for MACP + NFS over all histories, best of 5 runs.
fn cpu_time_per_employee(all: &[(MacpInput, NfsInput)], as_of: NaiveDate) -> Option<f64> {
    let mut best = u64::MAX;
    for _ in 0..5 {
        let start = thread_cpu_ns()?;
        for (m, n) in all {
            black_box(evaluate_macp(as_of, black_box(m)).ok());
            black_box(evaluate_nfs(as_of, black_box(n)).ok());
        }
        best = best.min(thread_cpu_ns()?.saturating_sub(start));
    }
    let count = u32::try_from(all.len()).ok().filter(|&n| n > 0)?;
    Some(best as f64 / f64::from(count))
}

fn bench(c: &mut Criterion) {
    let all = histories();
    let as_of = date(2025, 1, 1);
    let ok = all
        .iter()
        .filter(|(m, n)| evaluate_macp(as_of, m).is_ok() && evaluate_nfs(as_of, n).is_ok())
        .count();
    eprintln!(
        "{ok} of {} synthetic histories evaluate without input errors",
        all.len()
    );
    if let Some(ns) = cpu_time_per_employee(&all, as_of) {
        eprintln!("on-CPU time per employee (MACP + NFS, best of 5 passes): {ns:.0} ns");
    }

    let mut group = c.benchmark_group("pay");
    let mut j = 0usize;
    group.bench_function("macp_per_employee", |b| {
        b.iter(|| {
            let (m, _) = &all[j % all.len().max(1)];
            j = j.wrapping_add(1);
            black_box(evaluate_macp(as_of, black_box(m)).ok());
        });
    });
    let mut k = 0usize;
    group.bench_function("nfs_per_employee", |b| {
        b.iter(|| {
            let (_, n) = &all[k % all.len().max(1)];
            k = k.wrapping_add(1);
            black_box(evaluate_nfs(as_of, black_box(n)).ok());
        });
    });
    let mut i = 0usize;
    group.bench_function("macp_and_nfs_per_employee", |b| {
        b.iter(|| {
            let (m, n) = &all[i % all.len().max(1)];
            i = i.wrapping_add(1);
            black_box(evaluate_macp(as_of, black_box(m)).ok());
            black_box(evaluate_nfs(as_of, black_box(n)).ok());
        });
    });
    group.throughput(Throughput::Elements(u64::try_from(all.len()).unwrap_or(0)));
    group.sample_size(10);
    group.bench_function("macp_and_nfs_100k_histories", |b| {
        b.iter(|| {
            for (m, n) in &all {
                black_box(evaluate_macp(as_of, m).ok());
                black_box(evaluate_nfs(as_of, n).ok());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
