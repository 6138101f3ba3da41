//! Embedded migrations, one directory per backend with the same names.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use cscms_domain::pay;

use crate::{DbConn, StoreError};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Applies every pending migration; returns the versions applied. Data
/// only the code can compute (the kept MACP due dates and NFS completions)
/// is computed again when the stored revision of the engines' rules is not
/// this build's ([`recompute_if_revised`]).
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map(versions),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES).map(versions),
    };
    let applied = applied.map_err(|e| StoreError::Migration(e.to_string()))?;
    recompute_if_revised(conn)?;
    if let DbConn::Pg(c) = conn {
        warn_of_messages_language(c)?;
    }
    Ok(applied)
}

/// Computes every employee's kept dates again when they were computed by
/// another revision of the engines' rules ([`pay::KEPT_DATES_REVISION`]),
/// or by none (a database before the revision was kept), then records this
/// build's. The revision is recorded only once all are done, so a start
/// that fails halfway is followed by one that computes them again; two
/// instances starting at once may both compute, each employee's rows
/// replaced under a hold on the employee (`macp_due::recompute`), to the
/// same result.
fn recompute_if_revised(conn: &mut DbConn) -> Result<(), StoreError> {
    use crate::schema::kept_dates_revision as k;
    use diesel::prelude::*;
    let stored: Option<String> = k::table
        .find(1)
        .select(k::revision)
        .first(conn)
        .optional()?;
    if stored.as_deref() == Some(pay::KEPT_DATES_REVISION) {
        return Ok(());
    }
    let n = crate::macp_due::recompute_all(conn)?;
    log::info!(
        "kept MACP due dates and NFS completions computed again for {n} employees (rules revision {:?}, was {stored:?})",
        pay::KEPT_DATES_REVISION
    );
    crate::db::write_transaction(conn, |c| {
        diesel::delete(k::table).execute(c)?;
        diesel::insert_into(k::table)
            .values((k::id.eq(1), k::revision.eq(pay::KEPT_DATES_REVISION)))
            .execute(c)?;
        Ok(())
    })
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
