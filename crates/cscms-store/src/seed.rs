//! Demo data: ministries with sub-organisations, nodal officers, and
//! employees of all three cadres with plausible service histories.
//!
//! Deterministic (employee *i* is always the same person) and idempotent:
//! running it again adds only what is missing, so `--employees N` scales an
//! existing demo up.

use std::collections::HashSet;

use chrono::{Datelike, Months, NaiveDate, Utc};
use cscms_domain::cadre::{grades_of, Cadre, Grade};
use cscms_domain::employee::{EmployeeCode, ServiceEventKind};
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Role;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::employees::{EmployeeRow, NewServiceEvent};
use crate::organisations::{NewNodalOfficer, OrgRow};
use crate::schema::{employees, nodal_officers, organisations};
use crate::{DbConn, StoreError};

/// (id, name, kind, parent, state)
const ORGS: &[(&str, &str, &str, Option<&str>, &str)] = &[
    ("MHA", "Ministry of Home Affairs", "ministry", None, "Delhi"),
    (
        "MHA-BPRD",
        "Bureau of Police Research and Development",
        "attached_office",
        Some("MHA"),
        "Delhi",
    ),
    (
        "MHA-NDMA",
        "National Disaster Management Authority",
        "autonomous_body",
        Some("MHA"),
        "Delhi",
    ),
    (
        "DOE",
        "Department of Expenditure",
        "department",
        None,
        "Delhi",
    ),
    (
        "DOE-CGA",
        "Office of the Controller General of Accounts",
        "attached_office",
        Some("DOE"),
        "Delhi",
    ),
    (
        "MEA",
        "Ministry of External Affairs",
        "ministry",
        None,
        "Delhi",
    ),
    (
        "MEA-ICCR",
        "Indian Council for Cultural Relations",
        "autonomous_body",
        Some("MEA"),
        "Delhi",
    ),
    (
        "DOPT",
        "Department of Personnel and Training",
        "department",
        None,
        "Delhi",
    ),
    (
        "DOPT-ISTM",
        "Institute of Secretariat Training and Management",
        "attached_office",
        Some("DOPT"),
        "Delhi",
    ),
    (
        "MOHFW",
        "Ministry of Health and Family Welfare",
        "ministry",
        None,
        "Delhi",
    ),
    (
        "MOHFW-HLL",
        "HLL Lifecare Limited",
        "psu",
        Some("MOHFW"),
        "Kerala",
    ),
    (
        "MORTH",
        "Ministry of Road Transport and Highways",
        "ministry",
        None,
        "Delhi",
    ),
    (
        "MORTH-NHAI",
        "National Highways Authority of India",
        "autonomous_body",
        Some("MORTH"),
        "Delhi",
    ),
    ("MOE", "Ministry of Education", "ministry", None, "Delhi"),
    (
        "MOE-NCERT",
        "National Council of Educational Research and Training",
        "autonomous_body",
        Some("MOE"),
        "Delhi",
    ),
];

const FIRST: &[&str] = &[
    "Aarti", "Abhishek", "Aditi", "Ajay", "Amit", "Anita", "Anjali", "Arjun", "Asha", "Deepak",
    "Divya", "Gaurav", "Geeta", "Harish", "Kavita", "Kiran", "Lakshmi", "Manoj", "Meena", "Mohan",
    "Neha", "Nikhil", "Pooja", "Pradeep", "Priya", "Rahul", "Rajesh", "Ramesh", "Rekha", "Ritu",
    "Sanjay", "Sarita", "Shalini", "Sunil", "Sunita", "Suresh", "Tanvi", "Usha", "Vijay", "Vinod",
];
const LAST: &[&str] = &[
    "Agarwal",
    "Bhat",
    "Chatterjee",
    "Das",
    "Devi",
    "Gupta",
    "Iyer",
    "Jain",
    "Joshi",
    "Kaur",
    "Khan",
    "Kumar",
    "Menon",
    "Mishra",
    "Nair",
    "Pandey",
    "Patel",
    "Rao",
    "Reddy",
    "Sharma",
    "Singh",
    "Sinha",
    "Tiwari",
    "Verma",
    "Yadav",
    "Zaidi",
    "Bora",
    "Lyngdoh",
    "Sangma",
    "Ngangom",
];
const FEMALE: &[&str] = &[
    "Aarti", "Aditi", "Anita", "Anjali", "Asha", "Divya", "Geeta", "Kavita", "Lakshmi", "Meena",
    "Neha", "Pooja", "Priya", "Rekha", "Ritu", "Sarita", "Shalini", "Sunita", "Tanvi", "Usha",
];

/// What a seeding run added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub organisations: usize,
    pub officers: usize,
    pub employees: usize,
    pub service_events: usize,
}

/// Seeds the demo so that it holds `employees` employees in all.
pub fn demo(conn: &mut DbConn, employees_wanted: usize) -> Result<Seeded, StoreError> {
    let today = Utc::now().date_naive();
    let seeded = crate::db::write_transaction(conn, |c| {
        let mut out = Seeded::default();
        seed_orgs(c, &mut out)?;
        let existing: HashSet<EmployeeCode> = employees::table
            .select(employees::code)
            .load::<EmployeeCode>(c)?
            .into_iter()
            .collect();
        let mut batch = Vec::new();
        for i in 1..=employees_wanted {
            let (emp, evs) = person(i, today)?;
            if existing.contains(&emp.code) {
                continue;
            }
            batch.push((emp, evs));
            if batch.len() >= 2000 {
                flush(c, &mut batch, &mut out)?;
            }
        }
        flush(c, &mut batch, &mut out)?;
        Ok(out)
    })?;
    // PostgreSQL plans from its statistics, which a bulk load leaves behind
    // until autovacuum comes round: the filtered list, planned for 3 rows,
    // sorted 25,000 of 300,000 employees each time (p99 950 ms, errors at
    // 1,000,000; bench/speed.md). Only the tables seeded: one analysed while
    // empty keeps plans for no rows as it grows (keyed writes 233% slower
    // after a whole-database ANALYZE). SQLite plans without statistics.
    if let DbConn::Pg(_) = conn {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "ANALYZE organisations, nodal_officers, employees, service_events, profiles, \
             macp_due, nfs_due",
        )?;
    }
    Ok(seeded)
}

fn flush(
    c: &mut DbConn,
    batch: &mut Vec<(EmployeeRow, Vec<NewServiceEvent>)>,
    out: &mut Seeded,
) -> Result<(), StoreError> {
    let (people, events): (Vec<EmployeeRow>, Vec<Vec<NewServiceEvent>>) = batch.drain(..).unzip();
    let events: Vec<NewServiceEvent> = events.into_iter().flatten().collect();
    crate::employees::insert_many(c, &people, &events)?;
    out.employees += people.len();
    out.service_events += events.len();
    Ok(())
}

fn seed_orgs(c: &mut DbConn, out: &mut Seeded) -> Result<(), StoreError> {
    let now = Utc::now().naive_utc();
    let existing: HashSet<String> = organisations::table
        .select(organisations::id)
        .load::<String>(c)?
        .into_iter()
        .collect();
    for (id, name, kind, parent, state) in ORGS {
        if existing.contains(*id) {
            continue;
        }
        let row = OrgRow {
            id: known(OrgId::parse(id))?,
            name: (*name).to_owned(),
            kind: known(kind.parse())?,
            parent_id: parent.map(OrgId::parse).transpose().map_err(seed_fault)?,
            state: Some((*state).to_owned()),
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(organisations::table)
            .values(&row)
            .execute(c)?;
        out.organisations += 1;
        let role = if parent.is_some() {
            Role::SubNodalOfficer
        } else {
            Role::NodalOfficer
        };
        let slug = id.to_lowercase();
        diesel::insert_into(nodal_officers::table)
            .values(NewNodalOfficer {
                org_id: row.id.clone(),
                sub: format!("{}.{slug}", role.as_str().replace('_', "-")),
                name: format!(
                    "{} ({})",
                    if parent.is_some() {
                        "Sub-nodal officer"
                    } else {
                        "Nodal officer"
                    },
                    id
                ),
                designation: if parent.is_some() {
                    "Deputy Director (Admin)"
                } else {
                    "Deputy Secretary (Admn)"
                }
                .to_owned(),
                email: format!("{role}.{slug}@gov.in"),
                role,
                active: true,
                created_at: now,
            })
            .execute(c)?;
        out.officers += 1;
    }
    Ok(())
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn years_back(d: NaiveDate, years: u32, extra_days: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(years * 12))
        .and_then(|d| d.checked_sub_days(chrono::Days::new(extra_days.into())))
        .unwrap_or(d)
}

/// Employee number `i`, deterministic.
/// A seed value that does not parse is a fault of the seed data.
fn seed_fault(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("seed data: {e}"))
}

fn known<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(seed_fault)
}

fn person(i: usize, today: NaiveDate) -> Result<(EmployeeRow, Vec<NewServiceEvent>), StoreError> {
    let mut rng = StdRng::seed_from_u64(0xC5C5_0000 + i as u64);
    let cadre = match rng.random_range(0..4) {
        0 | 1 => Cadre::Css,
        2 => Cadre::Csss,
        _ => Cadre::Cscs,
    };
    // The promotional ladder, without the non-functional scales.
    let ladder: Vec<&Grade> = grades_of(cadre).filter(|g| !g.non_functional).collect();
    // Lower grades are more populous.
    let top = ladder.len().saturating_sub(1).min(4);
    let rank = (0..=top)
        .rev()
        .find(|k| rng.random_range(0..(k + 2)) == 0)
        .unwrap_or(0);
    let first = pick(&mut rng, FIRST);
    let gender = if FEMALE.contains(first) {
        "female"
    } else {
        "male"
    };
    let name = format!("{first} {}", pick(&mut rng, LAST));

    // Walk back from the present grade to the entry grade.
    let mut joined = vec![years_back(
        today,
        rng.random_range(0..6),
        rng.random_range(0..365),
    )];
    for _ in 0..rank {
        let prev = joined[joined.len() - 1];
        joined.push(years_back(
            prev,
            rng.random_range(4..9),
            rng.random_range(0..365),
        ));
    }
    joined.reverse(); // joined[k] = date of joining ladder[k]
    let entry = joined[0];
    let dob = years_back(entry, rng.random_range(21..29), rng.random_range(0..365));
    let gov = if rng.random_range(0..5) == 0 {
        years_back(entry, rng.random_range(1..4), 0)
    } else {
        entry
    };
    let present = ladder.get(rank).copied().or(ladder.first().copied());
    let (grade, group, level) = present
        .map(|g| {
            (
                g.code.clone(),
                g.group.split(' ').next().unwrap_or("B").to_owned(),
                g.level_7cpc.clone(),
            )
        })
        .unwrap_or_default();
    let in_grade_years = (today.year() - joined[rank].year()).max(0);
    let code = known(EmployeeCode::parse(&format!("{}-{:06}", cadre.as_str(), i)))?;
    let org = loop {
        let (id, _, kind, _, _) = pick(&mut rng, ORGS);
        // Most cadre posts are in ministries and departments.
        if matches!(*kind, "ministry" | "department") || rng.random_range(0..6) == 0 {
            break *id;
        }
    };
    let category = *pick(
        &mut rng,
        &["UR", "UR", "UR", "OBC", "OBC", "SC", "ST", "EWS"],
    );
    let now = Utc::now().naive_utc();
    let emp = EmployeeRow {
        code: code.clone(),
        name,
        cadre,
        grade,
        service_group: group,
        pay_level: level,
        pay_cell: (in_grade_years + 1).clamp(1, 15),
        date_of_birth: dob,
        joined_government_on: gov,
        joined_entry_grade_on: entry,
        joined_present_grade_on: joined[rank],
        org_id: known(OrgId::parse(org))?,
        station: if org == "MOHFW-HLL" {
            "Thiruvananthapuram"
        } else {
            "New Delhi"
        }
        .to_owned(),
        station_state: if org == "MOHFW-HLL" {
            "Kerala"
        } else {
            "Delhi"
        }
        .to_owned(),
        gender: known(gender.parse())?,
        category: known(category.parse())?,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut events = Vec::new();
    for (k, g) in ladder.iter().enumerate().take(rank + 1) {
        let prev = k.checked_sub(1).and_then(|p| ladder.get(p));
        events.push(NewServiceEvent {
            employee_code: code.clone(),
            kind: if k == 0 {
                ServiceEventKind::Appointment
            } else {
                ServiceEventKind::Promotion
            },
            effective_on: joined[k],
            from_grade: prev.map(|p| p.code.clone()),
            to_grade: Some(g.code.clone()),
            from_level: prev.map(|p| p.level_7cpc.clone()),
            to_level: Some(g.level_7cpc.clone()),
            from_grade_pay: prev.and_then(|p| i32::try_from(p.grade_pay_6cpc).ok()),
            to_grade_pay: i32::try_from(g.grade_pay_6cpc).ok(),
            order_ref: format!(
                "DoPT O.M. No. {}/{}/{}-CS.{}",
                rng.random_range(1..40),
                rng.random_range(1..20),
                joined[k].year(),
                if cadre == Cadre::Css { "I" } else { "II" }
            ),
            remarks: None,
            postponement_days: None,
        });
    }
    Ok((emp, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On PostgreSQL the tables seeded have statistics once seeding ends
    /// (the planner's row count, -1 for a table never analysed), and the
    /// others none: they are analysed when they have rows.
    #[test]
    fn seeding_leaves_statistics_on_postgres() {
        use diesel::sql_types::{BigInt, Text};
        #[derive(QueryableByName)]
        struct Analysed {
            #[diesel(sql_type = Text)]
            relname: String,
            #[diesel(sql_type = BigInt)]
            rows: i64,
        }
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let mut conn = url.establish().unwrap();
        demo(&mut conn, 50).unwrap();
        let DbConn::Pg(pg) = &mut conn else {
            return;
        };
        let analysed: Vec<Analysed> = diesel::sql_query(
            "SELECT relname::text AS relname, reltuples::bigint AS rows FROM pg_class \
             WHERE relkind = 'r' \
             AND relname IN ('employees', 'profiles', 'macp_due', 'vigilance_statuses') \
             ORDER BY relname",
        )
        .load(pg)
        .unwrap();
        // Analysed: the row count (at least one row per employee); never: -1.
        let seen: Vec<(&str, bool)> = analysed
            .iter()
            .map(|a| (a.relname.as_str(), a.rows >= 50))
            .collect();
        assert_eq!(
            seen,
            [
                ("employees", true),
                ("macp_due", true),
                ("profiles", true),
                ("vigilance_statuses", false)
            ]
        );
        assert_eq!(analysed.last().map(|a| a.rows), Some(-1));
    }

    #[test]
    fn people_are_deterministic_and_plausible() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        for i in 1..300 {
            let (a, ev) = person(i, today).unwrap();
            let (b, _) = person(i, today).unwrap();
            assert_eq!(a.code, b.code);
            assert_eq!(a.name, b.name);
            assert!(a.date_of_birth < a.joined_government_on);
            assert!(a.joined_government_on <= a.joined_entry_grade_on);
            assert!(a.joined_entry_grade_on <= a.joined_present_grade_on);
            assert!(a.joined_present_grade_on <= today);
            assert_eq!(ev.first().map(|e| e.kind.as_str()), Some("appointment"));
            assert_eq!(
                ev.last().and_then(|e| e.to_grade.clone()),
                Some(a.grade.clone())
            );
        }
    }
}
