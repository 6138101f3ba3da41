//! The MACP due dates kept beside the record answer the report exactly as
//! the engine run over every stored history does, after any sequence of
//! writes (issue 17): employees inserted one by one and in bulk, service
//! events added (MACP grants, postponements, promotions, appointments,
//! deputations), the service record corrected through the profile, APARs
//! imported and vigilance recorded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;

use chrono::{Days, NaiveDate, Utc};
use cscms_domain::empanelment::{Apar, AparGrade, Grading, ReportingYear};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::pay::{self, UpgradeStatus};
use cscms_domain::scope::Visibility;
use cscms_store::apars::AparSource;
use cscms_store::audit::Actor;
use cscms_store::employees::{EmployeeRow, NewServiceEvent};
use cscms_store::profiles::{self, ProfileWrite};
use cscms_store::{career, employees, macp_due, DbConn};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn day(rng: &mut StdRng, from_year: i32, to_year: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap();
    let span = (to_year - from_year) as u64 * 365;
    start + Days::new(rng.random_range(0..span))
}

fn org(c: &mut DbConn) {
    cscms_store::organisations::create(
        c,
        &actor(),
        cscms_store::organisations::NewOrg {
            id: "MHA".parse().unwrap(),
            name: "Ministry of Home Affairs".into(),
            kind: "ministry".parse().unwrap(),
            parent_id: None,
            state: Some("Delhi".into()),
        },
    )
    .unwrap();
}

fn person(code: &str, joined: NaiveDate) -> EmployeeRow {
    let now = Utc::now().naive_utc();
    EmployeeRow {
        code: code.parse().unwrap(),
        name: "Test Officer".into(),
        cadre: "CSS".parse().unwrap(),
        grade: "ASO".into(),
        service_group: "B".into(),
        pay_level: "7".into(),
        pay_cell: 1,
        date_of_birth: NaiveDate::from_ymd_opt(1960, 1, 1).unwrap(),
        joined_government_on: joined,
        joined_entry_grade_on: joined,
        joined_present_grade_on: joined,
        org_id: "MHA".parse().unwrap(),
        station: "New Delhi".into(),
        station_state: "Delhi".into(),
        gender: "female".parse().unwrap(),
        category: "UR".parse().unwrap(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn event(code: &str, kind: &str, on: NaiveDate, level: Option<&str>) -> NewServiceEvent {
    NewServiceEvent {
        employee_code: code.parse().unwrap(),
        kind: kind.parse().unwrap(),
        effective_on: on,
        from_grade: None,
        to_grade: None,
        from_level: None,
        to_level: level.map(str::to_owned),
        from_grade_pay: None,
        to_grade_pay: None,
        order_ref: "O.M. No. 1/2020".into(),
        remarks: None,
        postponement_days: None,
    }
}

/// A service event of any kind the engine reads, on or after `joined`.
fn random_event(rng: &mut StdRng, code: &str, joined: NaiveDate) -> NewServiceEvent {
    let on = joined + Days::new(rng.random_range(0..35 * 365));
    let level = ["8", "9", "10", "11", "12", "13"][rng.random_range(0..6)];
    match rng.random_range(0..9) {
        0 | 1 => event(code, "promotion", on, Some(level)),
        2 => event(code, "macp", on, None),
        3 => event(code, "acp", on, None),
        4 | 5 => NewServiceEvent {
            postponement_days: Some(rng.random_range(0..800)),
            ..event(code, "postponement", on, None)
        },
        6 => event(code, "appointment", on, Some(level)),
        7 => event(code, "deputation", on, Some(level)),
        _ => event(code, "repatriation", on, None),
    }
}

fn random_person(rng: &mut StdRng, n: usize) -> (EmployeeRow, Vec<NewServiceEvent>) {
    let code = format!("CSS-{n:06}");
    let joined = day(rng, 1982, 2020);
    let mut events = vec![event(&code, "appointment", joined, Some("7"))];
    for _ in 0..rng.random_range(0..5) {
        events.push(random_event(rng, &code, joined));
    }
    let mut e = person(&code, joined);
    // Some in grades with a non-functional scale (NFS-1), some not.
    e.grade = ["ASO", "SO", "SO", "US"][rng.random_range(0..4)].into();
    e.joined_present_grade_on = joined + Days::new(rng.random_range(0..15 * 365));
    (e, events)
}

fn actor() -> Actor {
    Actor {
        sub: "test".into(),
        role: "dopt".into(),
        request_id: "test".into(),
    }
}

/// What the report answers for a window, evaluating every stored history
/// as of `to`: the engine's answer the stored dates must give.
fn by_the_engine(c: &mut DbConn, from: NaiveDate, to: NaiveDate) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let codes: Vec<EmployeeCode> =
        employees::list(c, &Visibility::All, &Default::default(), None, 10_000)
            .unwrap()
            .into_iter()
            .map(|e| e.code)
            .collect();
    for code in codes {
        let e = employees::get(c, &code).unwrap().unwrap().record;
        let history = employees::history(c, &code).unwrap();
        let Some(input) = career::macp_input(&e, &history) else {
            continue;
        };
        let Ok(d) = pay::evaluate_macp(to, &input) else {
            continue;
        };
        for u in d.outcome.upgrades {
            if u.status != UpgradeStatus::Granted && u.due_on >= from && u.due_on <= to {
                out.push((code.to_string(), serde_json::to_string(&u).unwrap()));
            }
        }
    }
    out
}

/// The same from the stored dates, paged `limit` at a time as the report pages.
fn from_the_store(
    c: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = macp_due::due(
            c,
            &Visibility::All,
            None,
            (from, to),
            after.as_deref(),
            limit,
        )
        .unwrap();
        let full = page.len() as i64 == limit;
        for (e, upgrades) in &page {
            assert!(!upgrades.is_empty());
            for u in upgrades {
                out.push((e.code.to_string(), serde_json::to_string(u).unwrap()));
            }
            after = Some(e.code.to_string());
        }
        if !full {
            return out;
        }
    }
}

#[test]
fn stored_due_dates_answer_as_the_engine_after_every_write() {
    let admin = std::env::var("CSCMS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let windows = Cell::new(0usize);
    let nonempty = Cell::new(0usize);
    let nfs = Cell::new(0usize);
    let corrected = Cell::new(0usize);
    // A fixed seed: the same write sequences on every run and backend, so
    // a failure can be replayed and the share of non-empty windows below
    // cannot fall by chance.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 12,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    runner
        .run(&prop::collection::vec(any::<u64>(), 1..10), |seeds| {
            let dir = tempfile::tempdir().unwrap();
            let url = cscms_store::testing::fresh_database(admin.as_deref(), dir.path()).unwrap();
            let mut c = url.establish().unwrap();
            org(&mut c);
            let mut people: Vec<(String, NaiveDate)> = Vec::new();
            for seed in seeds {
                let mut rng = StdRng::seed_from_u64(seed);
                match seed % 6 {
                    // One employee with a history.
                    0 => {
                        let (e, events) = random_person(&mut rng, people.len() + 1);
                        people.push((e.code.to_string(), e.joined_entry_grade_on));
                        employees::insert(&mut c, &e, &events).unwrap();
                    }
                    // Several at once, as seeding does.
                    1 => {
                        let mut rows = Vec::new();
                        let mut all = Vec::new();
                        for _ in 0..rng.random_range(1..4) {
                            let (e, events) = random_person(&mut rng, people.len() + 1);
                            people.push((e.code.to_string(), e.joined_entry_grade_on));
                            rows.push(e);
                            all.extend(events);
                        }
                        employees::insert_many(&mut c, &rows, &all).unwrap();
                    }
                    // Events added to the history of employees on record.
                    2 if !people.is_empty() => {
                        let mut events = Vec::new();
                        for _ in 0..rng.random_range(1..4) {
                            let (code, joined) = &people[rng.random_range(0..people.len())];
                            events.push(random_event(&mut rng, code, *joined));
                        }
                        employees::add_events(&mut c, &events).unwrap();
                    }
                    // APARs imported (not read by the stored MACP input).
                    3 if !people.is_empty() => {
                        let (code, _) = &people[rng.random_range(0..people.len())];
                        let year = rng.random_range(2000..2025);
                        let apar = Apar {
                            period: ReportingYear::starting(year).period(),
                            grade: AparGrade::Grading(Grading::Good),
                            expert_panel: None,
                            representation: None,
                        };
                        cscms_store::apars::import_all(
                            &mut c,
                            &actor(),
                            &[(code.parse().unwrap(), apar)],
                            AparSource::Sparrow,
                        )
                        .unwrap();
                    }
                    // The service record corrected through the profile (PRF-2):
                    // the dates and the grade the kept rows rest on.
                    4 if !people.is_empty() => {
                        let i = rng.random_range(0..people.len());
                        let code: EmployeeCode = people[i].0.parse().unwrap();
                        let record = profiles::load(&mut c, &code).unwrap().unwrap();
                        let mut doc = record.document().unwrap();
                        let s = &mut doc.service;
                        s.joined_entry_grade_on =
                            s.joined_government_on + Days::new(rng.random_range(0..3 * 365));
                        s.joined_present_grade_on =
                            s.joined_entry_grade_on + Days::new(rng.random_range(0..15 * 365));
                        s.grade = ["ASO", "SO", "US"][rng.random_range(0..3)].into();
                        people[i].1 = s.joined_entry_grade_on;
                        let write = ProfileWrite {
                            action: "correct",
                            status: record.status(),
                            doc,
                            submitted_at: None,
                            validated: None,
                            returned_reasons: None,
                            before: serde_json::Value::Null,
                            after: serde_json::Value::Null,
                        };
                        profiles::write(
                            &mut c,
                            &actor(),
                            &code,
                            record.profile.version,
                            write,
                            Utc::now().naive_utc(),
                        )
                        .unwrap();
                        corrected.set(corrected.get() + 1);
                    }
                    // Every row computed again, as `cscms recompute` does.
                    _ => {
                        macp_due::recompute_all(&mut c).unwrap();
                    }
                }
                // NFS-1: the kept completion is the engine's, for every employee.
                for (code, _) in &people {
                    let e = employees::get(&mut c, &code.parse().unwrap())
                        .unwrap()
                        .unwrap()
                        .record;
                    let kept = macp_due::nfs_completion(&mut c, code).unwrap();
                    prop_assert_eq!(kept, macp_due::nfs_row(&e).map(|r| r.completes_on));
                    if kept.is_some() {
                        nfs.set(nfs.get() + 1);
                    }
                }
                for _ in 0..6 {
                    let from = day(&mut rng, 1990, 2060);
                    let to = from + Days::new(rng.random_range(0..5 * 365));
                    let expected = by_the_engine(&mut c, from, to);
                    let limit = rng.random_range(1..4);
                    let stored = from_the_store(&mut c, from, to, limit);
                    prop_assert_eq!(&stored, &expected, "window {} to {}", from, to);
                    windows.set(windows.get() + 1);
                    if !expected.is_empty() {
                        nonempty.set(nonempty.get() + 1);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    // The comparison ran, and not only on empty answers.
    assert!(windows.get() >= 12, "{}", windows.get());
    assert!(corrected.get() > 0, "no service record corrected");
    assert!(
        nfs.get() > 0,
        "no employee in a grade with a non-functional scale"
    );
    assert!(
        nonempty.get() > windows.get() / 20,
        "{} of {}",
        nonempty.get(),
        windows.get()
    );
}

/// Two instances computing every employee's kept dates at once (both
/// starting after an upgrade of the rules), and writes of histories beside
/// them, leave each upgrade once: the report answers as the engine does.
#[test]
fn kept_dates_computed_twice_at_once_are_kept_once() {
    let admin = std::env::var("CSCMS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let url = cscms_store::testing::fresh_database(admin.as_deref(), dir.path()).unwrap();
    let mut c = url.establish().unwrap();
    org(&mut c);
    let mut rng = StdRng::seed_from_u64(17);
    let people: Vec<_> = (1..=400).map(|n| random_person(&mut rng, n)).collect();
    for (e, events) in &people {
        employees::insert(&mut c, e, events).unwrap();
    }
    let (from, to) = (
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2060, 12, 31).unwrap(),
    );
    let expected = by_the_engine(&mut c, from, to);
    assert!(expected.len() > 400, "{} upgrades", expected.len());
    for _ in 0..3 {
        std::thread::scope(|s| {
            for _ in 0..2 {
                let url = &url;
                s.spawn(move || {
                    let mut c = url.establish().unwrap();
                    macp_due::recompute_all(&mut c).unwrap();
                });
            }
            let url = &url;
            s.spawn(move || {
                let mut c = url.establish().unwrap();
                let on = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
                for n in (1..=400).step_by(7) {
                    let code = format!("CSS-{n:06}");
                    employees::add_events(&mut c, &[event(&code, "transfer", on, None)]).unwrap();
                }
            });
        });
        assert_eq!(
            from_the_store(&mut c, from, to, 500),
            by_the_engine(&mut c, from, to)
        );
    }
}
