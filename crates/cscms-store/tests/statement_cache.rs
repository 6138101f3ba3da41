//! Repeated reads reuse their prepared statements: each query shape is
//! prepared once per connection, not once per request.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};

#[derive(Clone, Default)]
struct Prepared(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Prepared {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            self.0.lock().unwrap().push(sql.to_owned());
        }
    }
}

impl Prepared {
    /// How many of the statements prepared so far `matches`, and all of
    /// them (for the failure message).
    fn count(&self, matches: impl Fn(&str) -> bool) -> (usize, Vec<String>) {
        let all = self.0.lock().unwrap().clone();
        (all.iter().filter(|s| matches(s)).count(), all)
    }
}

/// A connection to a fresh database on the suite's backend, recording
/// each statement it prepares for its cache.
fn recorded(dir: &tempfile::TempDir) -> (cscms_store::DbUrl, cscms_store::DbConn, Prepared) {
    let url = cscms_store::testing::suite_database(dir.path()).unwrap();
    let mut conn = url.establish().unwrap();
    let seen = Prepared::default();
    conn.set_instrumentation(seen.clone());
    (url, conn, seen)
}

#[test]
fn repeated_reads_prepare_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut conn, seen) = recorded(&dir);
    let code = "CSS-000001".parse().unwrap();
    // A filtered list in the scope of someone who sees everyone, and of a
    // nodal officer: the scope condition leaves it cacheable.
    let filter = cscms_store::employees::EmployeeFilter {
        cadre: Some("CSS".into()),
        grade: Some("SO".into()),
        ..Default::default()
    };
    let scopes = [
        cscms_domain::scope::Visibility::All,
        cscms_domain::scope::Visibility::OrgTree("MHA".parse().unwrap()),
    ];
    for _ in 0..5 {
        cscms_store::employees::get(&mut conn, &code).unwrap();
        cscms_store::employees::history(&mut conn, &code).unwrap();
        cscms_store::employees::get_with_history(&mut conn, &code).unwrap();
        // The list version, read before every list page.
        cscms_store::list_versions::employees(&mut conn).unwrap();
        for visibility in &scopes {
            cscms_store::employees::list(&mut conn, visibility, &filter, None, 51).unwrap();
        }
    }
    let prepared = seen.0.lock().unwrap().clone();
    assert_eq!(prepared.len(), 6, "{prepared:#?}");
}

/// A keyed write's claim of its key is prepared once per connection too,
/// on either backend: diesel never caches an upsert, so the claim is not
/// one. Nor does diesel cache any `UPDATE` it builds, so a stored response
/// is a statement of the store's own, prepared once (on PostgreSQL one for
/// a whole group, whatever its size).
#[test]
fn keyed_writes_prepare_once() {
    use cscms_store::idempotency::{with_pending, Pending, Response, ResponseWriter};
    let dir = tempfile::tempdir().unwrap();
    let (url, mut conn, seen) = recorded(&dir);
    let mut own = url.establish().unwrap();
    let responses = Prepared::default();
    own.set_instrumentation(responses.clone());
    let mut writer = ResponseWriter::on(own).unwrap();
    let later = chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(1);
    // Groups of one response, then of two.
    const SIZES: [usize; 8] = [1, 1, 1, 1, 1, 2, 2, 2];
    for (i, size) in SIZES.into_iter().enumerate() {
        let group: Vec<Pending> = (0..size)
            .map(|j| Pending::new("dopt:a", &format!("k{i}-{j}"), "fp", later))
            .collect();
        for (j, p) in group.iter().enumerate() {
            // Claimed on their own and with a transaction's first lock, in turn.
            with_pending(Some(p.clone()), || {
                if (i + j) % 2 == 0 {
                    cscms_store::db::write_transaction(&mut conn, |_| Ok(()))
                } else {
                    cscms_store::db::locked_write_transaction(&mut conn, &format!("r:{i}"), |_| {
                        Ok(())
                    })
                }
            })
            .unwrap();
            assert!(p.claimed());
        }
        let mut batch = Vec::new();
        let stored = writer
            .finish_queued(
                &mut batch,
                |b| b.extend(group),
                |p| {
                    let r = Response {
                        status: 201,
                        headers: "[]",
                        body: b"{}",
                    };
                    (p, r)
                },
            )
            .unwrap();
        assert_eq!(stored, vec![true; size]);
    }
    let (claims, prepared) =
        seen.count(|s| s.starts_with("INSERT") && s.contains("idempotency_keys"));
    assert_eq!(claims, 1, "{prepared:#?}");
    // With the lock, one statement of its own on PostgreSQL (on SQLite,
    // where the lock is the write transaction's, the claim above).
    let (with_lock, prepared) = seen.count(|s| s.starts_with("WITH claimed"));
    let pg = matches!(conn, cscms_store::DbConn::Pg(_));
    assert_eq!(with_lock, usize::from(pg), "{prepared:#?}");
    // The response's statement is the store's own, cached: on PostgreSQL
    // one for a group of any size, on SQLite one per response.
    let (shapes, stored) = responses.count(|s| s.starts_with("UPDATE idempotency_keys"));
    assert_eq!(shapes, 1, "{stored:#?}");
    // Each response is stored over its own claim.
    for (i, size) in SIZES.into_iter().enumerate() {
        for j in 0..size {
            let row = cscms_store::idempotency::lookup(&mut conn, "dopt:a", &format!("k{i}-{j}"))
                .unwrap()
                .unwrap();
            assert_eq!((row.state.as_str(), row.status), ("done", Some(201)));
        }
    }
}

/// A bulk import's INSERTs (the APARs, their audit rows and change
/// events) are statements of a fixed number of rows, and its lookups
/// statements of one parameter, each prepared once per connection however
/// many requests use it; the ids they give back are
/// those the rows were stored under, in the order of the rows.
#[test]
fn bulk_inserts_prepare_once() {
    use cscms_domain::empanelment::{Apar, AparGrade, AparSource, Grading, Period};
    use cscms_store::apars::Written;
    use cscms_store::schema::employees;
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};

    const ROWS: usize = 2 * 250 + 7;
    let dir = tempfile::tempdir().unwrap();
    let (_, mut conn, seen) = recorded(&dir);
    // An APAR reports on service rendered: employees who had joined by the
    // first year sent.
    cscms_store::seed::demo(&mut conn, 3 * ROWS).unwrap();
    let joined_by = chrono::NaiveDate::from_ymd_opt(2019, 4, 1).unwrap();
    let codes: Vec<cscms_domain::employee::EmployeeCode> = employees::table
        .filter(employees::joined_government_on.le(joined_by))
        .select(employees::code)
        .order(employees::code)
        .limit(ROWS as i64)
        .load(&mut conn)
        .unwrap();
    assert_eq!(codes.len(), ROWS);
    let actor = cscms_store::audit::Actor {
        sub: "sparrow".into(),
        role: "integration".into(),
        request_id: "r".into(),
    };
    let mut created = 0;
    for year in [2019, 2020, 2021] {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let period = Period::new(date(year, 4, 1), date(year + 1, 3, 31)).unwrap();
        let rows: Vec<_> = codes
            .iter()
            .map(|code| {
                let apar = Apar {
                    period,
                    grade: AparGrade::Grading(Grading::VeryGood),
                    expert_panel: None,
                    representation: None,
                };
                (code.clone(), apar)
            })
            .collect();
        let written =
            cscms_store::apars::import_all(&mut conn, &actor, &rows, AparSource::Sparrow).unwrap();
        for ((code, _), outcome) in rows.iter().zip(written) {
            let Ok(Written::Created(row)) = outcome else {
                panic!("{code}: {outcome:?}");
            };
            let stored = cscms_store::apars::list_for(&mut conn, code).unwrap();
            let found = stored.iter().find(|r| r.id == row.id).unwrap();
            assert_eq!(found.period_from, period.from());
            let trail =
                cscms_store::audit::for_entity(&mut conn, "apar", &row.id.to_string()).unwrap();
            assert_eq!(trail.len(), 1);
            created += 1;
        }
    }
    assert_eq!(created, 3 * ROWS);
    for table in ["apars", "audit_log", "change_events"] {
        let quoted = [
            format!("INSERT INTO `{table}`"),
            format!("INSERT INTO \"{table}\""),
        ];
        let (inserts, prepared) = seen.count(|s| quoted.iter().any(|q| s.starts_with(q.as_str())));
        // One statement of a whole chunk; the seven rows left over in each
        // request are built for their number and not cached.
        assert_eq!(inserts, 1, "{table}: {prepared:#?}");
    }
    // The two lookups by the request's codes (which employees exist, their
    // APARs on record) take the codes as one parameter, so each is one
    // statement whatever the number of codes.
    for table in ["employees", "apars"] {
        let (lookups, prepared) = seen.count(|s| {
            s.starts_with("SELECT")
                && (s.contains("json_each(") || s.contains("unnest("))
                && [format!("FROM {table} "), format!("FROM \"{table}\"")]
                    .iter()
                    .any(|from| s.contains(from.as_str()))
        });
        assert_eq!(lookups, 1, "{table}: {prepared:#?}");
    }
}

/// An audited single write (a vigilance status, the bench's write) is
/// prepared once too: diesel builds no `DEFAULT` into its INSERT, which
/// PostgreSQL would otherwise parse and plan again each time. So is the
/// record's lock that it takes on PostgreSQL.
#[test]
fn audited_writes_prepare_once() {
    use cscms_domain::vigilance::{VigilanceState, VigilanceStatus};

    let dir = tempfile::tempdir().unwrap();
    let (url, mut conn, seen) = recorded(&dir);
    cscms_store::seed::demo(&mut conn, 1).unwrap();
    let code = cscms_store::employees::list(
        &mut conn,
        &cscms_domain::scope::Visibility::All,
        &Default::default(),
        None,
        1,
    )
    .unwrap()
    .remove(0)
    .code;
    let actor = cscms_store::audit::Actor {
        sub: "avd:x".into(),
        role: "avd".into(),
        request_id: "r".into(),
    };
    for (i, state) in [VigilanceState::Awaited, VigilanceState::Clear]
        .into_iter()
        .cycle()
        .take(4)
        .enumerate()
    {
        let order = (state == VigilanceState::Clear).then_some("AVD O.M. No. 2/2020");
        let from = chrono::NaiveDate::from_ymd_opt(2020, 1, 1 + i as u32).unwrap();
        let status = VigilanceStatus::new(state, from, order).unwrap();
        cscms_store::vigilance::record(&mut conn, &actor, code.as_str(), "MHA", &status).unwrap();
    }
    let (inserts, prepared) =
        seen.count(|s| s.starts_with("INSERT") && s.contains("vigilance_statuses"));
    assert_eq!(inserts, 1, "{prepared:#?}");
    if matches!(url, cscms_store::DbUrl::Postgres(_)) {
        let (locks, prepared) = seen.count(|s| s.contains("pg_advisory_xact_lock"));
        assert_eq!(locks, 1, "{prepared:#?}");
    }
}

/// A rate-limit reservation on PostgreSQL is prepared once per connection:
/// every request of a caller who comes now and then makes one.
#[test]
fn rate_limit_reservations_prepare_once() {
    use cscms_store::rate_limits::{reserve, Reservation};

    let dir = tempfile::tempdir().unwrap();
    let (url, mut conn, seen) = recorded(&dir);
    if !matches!(url, cscms_store::DbUrl::Postgres(_)) {
        // The embedded database keeps rate limits in the process.
        return;
    }
    let mut granted = 0;
    for i in 0..5 {
        for caller in ["user:a", "user:b"] {
            let r = Reservation {
                key: caller,
                now_us: 1_000_000 * i,
                interval_us: 1_000_000,
                window_us: 2_000_000,
                want: 1,
                give_back: 0,
            };
            let (n, tat) = reserve(&mut conn, &r).unwrap();
            assert_eq!((n, tat), (1, 1_000_000 * (i + 1)));
            granted += n;
        }
    }
    assert_eq!(granted, 10);
    for (shape, what) in [
        ("WITH cur AS", "the reservation"),
        ("SELECT tat_us", "the TAT read"),
        ("INSERT INTO rate_limits", "a key's first row"),
    ] {
        let (n, prepared) = seen.count(|s| s.starts_with(shape));
        assert_eq!(n, 1, "{what}: {prepared:#?}");
    }
}

/// Without the query planner stability guarantee SQLite re-prepares every
/// statement with a `LIMIT ?` at each new binding, which undoes the cache
/// above (`.cargo/config.toml` builds the bundled SQLite with it).
#[test]
fn bundled_sqlite_keeps_its_plans() {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;

    let dir = tempfile::tempdir().unwrap();
    let url = cscms_store::testing::fresh_database(None, dir.path()).unwrap();
    let mut conn = url.establish().unwrap();
    let qpsg: i64 = diesel::select(sql::<BigInt>(
        "(SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG')",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(qpsg, 1, "SQLite built without SQLITE_ENABLE_QPSG");
    // Multi-thread mode (bench/speed.md, "APAR import, second pass").
    let mode: i64 = diesel::select(sql::<BigInt>(
        "(SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'THREADSAFE=2')",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(mode, 1, "SQLite built in another threading mode");
}

/// On PostgreSQL, the APAR import's lookups by a list of codes hash the
/// list even in a kept generic plan. PostgreSQL switches a prepared
/// statement to a generic plan after five runs when it judges it no worse;
/// with the codes as `= ANY($1)` that plan compared every row scanned with
/// each code in turn (bench/speed.md). Checked on the plans of the
/// statements the import prepared, forced generic; on SQLite there is no
/// such plan to check.
#[test]
fn import_lookups_keep_hashed_plans() {
    use cscms_domain::empanelment::{Apar, AparGrade, AparSource, Grading, Period};
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::Text;
    use diesel::{QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct Statement {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        statement: String,
    }
    #[derive(QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }

    let dir = tempfile::tempdir().unwrap();
    let url = cscms_store::testing::suite_database(dir.path()).unwrap();
    let cscms_store::DbUrl::Postgres(_) = url else {
        return;
    };
    let mut conn = url.establish().unwrap();
    cscms_store::seed::demo(&mut conn, 300).unwrap();
    conn.batch_execute("SET plan_cache_mode = force_generic_plan")
        .unwrap();
    let codes: Vec<cscms_domain::employee::EmployeeCode> = {
        use cscms_store::schema::employees;
        use diesel::QueryDsl;
        employees::table
            .select(employees::code)
            .load(&mut conn)
            .unwrap()
    };
    let actor = cscms_store::audit::Actor {
        sub: "sparrow".into(),
        role: "integration".into(),
        request_id: "r".into(),
    };
    for year in [2019, 2020] {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let period = Period::new(date(year, 4, 1), date(year + 1, 3, 31)).unwrap();
        let apar = Apar {
            period,
            grade: AparGrade::Grading(Grading::Good),
            expert_panel: None,
            representation: None,
        };
        let rows: Vec<_> = codes.iter().map(|c| (c.clone(), apar.clone())).collect();
        cscms_store::apars::import_all(&mut conn, &actor, &rows, AparSource::Sparrow).unwrap();
    }
    let lookups: Vec<Statement> = diesel::sql_query(
        "SELECT name, statement FROM pg_prepared_statements \
         WHERE statement LIKE 'SELECT%' AND (statement LIKE '%FROM \"apars\"%' \
         OR statement LIKE '%FROM \"employees\" WHERE%')",
    )
    .load(&mut conn)
    .unwrap();
    let some = format!(
        "'{{{}}}'",
        codes[..50]
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut checked = 0;
    for s in &lookups {
        // The APARs' lookup also takes the span of days the rows' periods
        // cover: its last day, then its first.
        let args = if s.statement.contains("$3") {
            format!("{some}, '2099-12-31', '2000-01-01'")
        } else {
            some.clone()
        };
        let plan: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN EXECUTE {}({args})", s.name))
            .load(&mut conn)
            .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|l| l.line).collect();
        assert!(
            !plan.iter().any(|l| l.contains("= ANY ($1")),
            "{}\n{}",
            s.statement,
            plan.join("\n")
        );
        checked += 1;
    }
    // The two lookups (which employees exist, their APARs on record).
    assert_eq!(
        checked,
        2,
        "{:#?}",
        lookups.iter().map(|s| &s.statement).collect::<Vec<_>>()
    );
}
