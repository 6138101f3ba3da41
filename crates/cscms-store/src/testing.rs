//! Support for tests on either backend: a fresh, migrated database each.

use std::path::Path;
use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::{migrate, DbUrl, StoreError};

/// A fresh database on the backend the suite runs on: PostgreSQL when
/// `CSCMS_TEST_DATABASE_URL` names a server (`scripts/with-postgres.sh`),
/// otherwise SQLite under `dir`.
pub fn suite_database(dir: &Path) -> Result<DbUrl, StoreError> {
    let admin = std::env::var("CSCMS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    fresh_database(admin.as_deref(), dir)
}

/// A fresh database: a new SQLite file under `dir`, or a new PostgreSQL
/// database created through `pg_admin_url` (a URL to any database of a
/// server the tests may create databases on). Migrated.
///
/// The migrations run once per process, into a template that every later
/// database is copied from: a copy takes a fraction of the time of
/// migrating anew. On SQLite the template is the bytes of a migrated file;
/// on PostgreSQL a template database (`CREATE DATABASE … TEMPLATE`).
pub fn fresh_database(pg_admin_url: Option<&str>, dir: &Path) -> Result<DbUrl, StoreError> {
    let Some(admin) = pg_admin_url else {
        let path = dir.join("cscms-test.db");
        std::fs::write(&path, sqlite_template(dir)?)
            .map_err(|e| StoreError::Connect(format!("{}: {e}", path.display())))?;
        return Ok(DbUrl::Sqlite(path));
    };
    let template = pg_template(admin)?;
    let name = format!("cscms_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(admin)
        .map_err(|e| StoreError::Connect(format!("postgres: {e}")))?;
    conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))?;
    Ok(DbUrl::Postgres(replace_db_name(admin, &name)))
}

/// The migrated template of this process's databases, made on first use.
fn pg_template(admin: &str) -> Result<String, StoreError> {
    static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("cscms_tpl_{}", uuid::Uuid::new_v4().simple());
            let made = (|| {
                let mut conn = PgConnection::establish(admin)
                    .map_err(|e| StoreError::Connect(format!("postgres: {e}")))?;
                conn.batch_execute(&format!("CREATE DATABASE {name}"))?;
                // Migrated through a connection that is closed before any
                // copy: a template must have no session open on it.
                let url = DbUrl::Postgres(replace_db_name(admin, &name));
                migrate::run_pending(&mut url.establish()?)?;
                Ok::<_, StoreError>(())
            })();
            made.map(|()| name).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(StoreError::Migration)
}

/// The bytes of a migrated SQLite database, made on first use in `dir`
/// (the first caller's directory; the file is removed once read).
fn sqlite_template(dir: &Path) -> Result<&'static [u8], StoreError> {
    static TEMPLATE: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let path = dir.join(format!(
                "cscms-template-{}.db",
                uuid::Uuid::new_v4().simple()
            ));
            let made = (|| {
                // The connection is closed before the file is read: its last
                // close checkpoints the write-ahead log into the file.
                migrate::run_pending(&mut DbUrl::Sqlite(path.clone()).establish()?)?;
                let bytes = std::fs::read(&path)
                    .map_err(|e| StoreError::Connect(format!("{}: {e}", path.display())))?;
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                Ok::<_, StoreError>(bytes)
            })();
            made.map_err(|e| e.to_string())
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| StoreError::Migration(e.clone()))
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/new?x`.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs raw SQL (tests that break or inspect a database on purpose).
pub fn execute(conn: &mut crate::DbConn, sql: &str) -> Result<(), StoreError> {
    conn.batch_execute(sql).map_err(StoreError::Query)
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            replace_db_name("postgres://u@h:5/postgres", "t1"),
            "postgres://u@h:5/t1"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:5/postgres?sslmode=disable", "t1"),
            "postgres://u@h:5/t1?sslmode=disable"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:5", "t1"),
            "postgres://u@h:5/t1"
        );
    }
}
