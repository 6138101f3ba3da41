//! Embedded migrations, one directory per backend with the same names.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::{DbConn, StoreError};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The migrations that add the kept MACP due dates (`macp_due`) and NFS
/// completions (`nfs_due`).
const KEPT_DATES: [&str; 2] = ["20261129000510", "20261129000520"];

/// Applies every pending migration; returns the versions applied. Data a
/// migration adds that only the code can compute (the MACP due dates) is
/// computed for the records already there once it has run.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map(versions),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES).map(versions),
    };
    let applied = applied.map_err(|e| StoreError::Migration(e.to_string()))?;
    if applied
        .iter()
        .any(|v| KEPT_DATES.iter().any(|k| v.replace('-', "").starts_with(k)))
    {
        crate::macp_due::recompute_all(conn)?;
    }
    if let DbConn::Pg(c) = conn {
        warn_of_messages_language(c)?;
    }
    Ok(applied)
}

/// Two of PostgreSQL's errors are known by their message, as diesel gives
/// no SQLSTATE for them: a deadlock it broke (409) and its lock table full
/// (503; `StoreError::is_write_race`, `is_busy`). In another language they
/// would answer 500. Only a superuser may set `lc_messages`, so the
/// operator is told.
fn warn_of_messages_language(c: &mut diesel::PgConnection) -> Result<(), StoreError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        lc_messages: String,
    }
    let lang = diesel::sql_query("SHOW lc_messages")
        .get_result::<Setting>(c)?
        .lc_messages;
    if !messages_in_english(&lang) {
        log::warn!(
            "PostgreSQL's lc_messages is {lang:?}: set it to 'C' or English for this \
             database, or a deadlock (409) and a full lock table (503) answer 500"
        );
    }
    Ok(())
}

/// Whether a locale name (`C`, `C.UTF-8`, `en_IN.utf8`, `POSIX`, …) gives
/// PostgreSQL's messages in English: its language is what comes before any
/// `.codeset` or `@modifier`.
fn messages_in_english(locale: &str) -> bool {
    let lang = locale.split(['.', '@']).next().unwrap_or_default();
    lang.is_empty() || lang == "C" || lang == "POSIX" || lang == "en" || lang.starts_with("en_")
}

/// Reverts every applied migration, newest first (tests and tooling only).
pub fn revert_all(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE).map(versions),
        DbConn::Pg(c) => c.revert_all_migrations(POSTGRES).map(versions),
    };
    reverted.map_err(|e| StoreError::Migration(e.to_string()))
}

fn versions(v: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    v.into_iter().map(|v| v.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::messages_in_english;

    #[test]
    fn english_and_c_locales_are_told_from_others() {
        for ok in [
            "",
            "C",
            "C.UTF-8",
            "C.utf8",
            "POSIX",
            "en_US.UTF-8",
            "en_IN",
            "en",
        ] {
            assert!(messages_in_english(ok), "{ok}");
        }
        for other in ["de_DE.UTF-8", "hi_IN.utf8", "fr_FR@euro", "ja_JP", "eng"] {
            assert!(!messages_in_english(other), "{other}");
        }
    }
}
