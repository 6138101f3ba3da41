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
        for visibility in &scopes {
            cscms_store::employees::list(&mut conn, visibility, &filter, None, 51).unwrap();
        }
    }
    let prepared = seen.0.lock().unwrap().clone();
    assert_eq!(prepared.len(), 4, "{prepared:#?}");
}

/// A keyed write's claim of its key is prepared once per connection too,
/// on either backend: diesel never caches an upsert, so the claim is not
/// one. Nor does diesel cache any `UPDATE` it builds: on PostgreSQL, where
/// each is parsed and planned again, a group's responses are stored by a
/// statement of the store's own, prepared once.
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
    for i in 0..5 {
        let p = Pending::new("dopt:a", &format!("k{i}"), "fp", later);
        with_pending(Some(p.clone()), || {
            cscms_store::db::write_transaction(&mut conn, |_| Ok(()))
        })
        .unwrap();
        assert!(p.claimed());
        let mut batch = Vec::new();
        let stored = writer
            .finish_queued(
                &mut batch,
                |b| b.push(p),
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
        assert_eq!(stored, [true]);
    }
    let prepared = seen.0.lock().unwrap().clone();
    let claims = prepared
        .iter()
        .filter(|s| s.starts_with("INSERT") && s.contains("idempotency_keys"))
        .count();
    assert_eq!(claims, 1, "{prepared:#?}");
    // On PostgreSQL the group's statement is the writer's own, cached.
    let stored = responses.0.lock().unwrap().clone();
    let groups = stored
        .iter()
        .filter(|s| s.starts_with("UPDATE idempotency_keys"))
        .count();
    let expected = usize::from(matches!(url, cscms_store::DbUrl::Postgres(_)));
    assert_eq!(groups, expected, "{stored:#?}");
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
}
