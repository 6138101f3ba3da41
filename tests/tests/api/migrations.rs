//! Migrations stay paired across backends and run up → down → up.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::pg_admin_url;

fn names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_migration_exists_for_both_backends() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
    for backend in ["sqlite", "postgres"] {
        for name in &sqlite {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../migrations")
                .join(backend)
                .join(name);
            assert!(
                dir.join("up.sql").is_file() && dir.join("down.sql").is_file(),
                "{backend}/{name}"
            );
        }
    }
}

#[test]
fn migrations_run_up_down_up() {
    let dir = tempfile::tempdir().unwrap();
    let admin = pg_admin_url();
    let url = cscms_store::testing::fresh_database(admin.as_deref(), dir.path()).unwrap();
    // The suite really runs on the backend it was asked for.
    let expected = if admin.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(url.backend(), expected);
    let mut conn = url.establish().unwrap();
    let reverted = cscms_store::migrate::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), names("sqlite").len());
    let applied = cscms_store::migrate::run_pending(&mut conn).unwrap();
    assert_eq!(applied.len(), reverted.len());
}

#[test]
fn the_audit_trail_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let admin = pg_admin_url();
    let url = cscms_store::testing::fresh_database(admin.as_deref(), dir.path()).unwrap();
    let mut c = url.establish().unwrap();
    cscms_store::testing::execute(
        &mut c,
        "INSERT INTO audit_log (at, actor_sub, actor_role, action, entity, entity_id, request_id)
         VALUES ('2026-01-01 00:00:00', 's', 'dopt', 'create', 'organisation', 'X', 'r')",
    )
    .unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
    ] {
        let err = cscms_store::testing::execute(&mut c, sql)
            .unwrap_err()
            .to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

/// MACP-1, NFS-1: kept due dates computed by another revision of the
/// engines' rules (or by none) are computed again at start, and only then.
#[test]
fn kept_dates_of_another_rules_revision_are_computed_again_at_start() {
    use chrono::NaiveDate;
    use cscms_domain::scope::Visibility;
    let dir = tempfile::tempdir().unwrap();
    let admin = pg_admin_url();
    let url = cscms_store::testing::fresh_database(admin.as_deref(), dir.path()).unwrap();
    let mut c = url.establish().unwrap();
    let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let row = crate::common::employee("CSS-000901", "Kept Dates", "CSS", "ASO", "7", "MHA");
    let ev = [crate::common::event(
        "CSS-000901",
        "appointment",
        on(2010, 7, 1),
        "ASO",
        "7",
    )];
    cscms_store::testing::execute(
        &mut c,
        "INSERT INTO organisations (id, name, kind, created_at, updated_at) \
         VALUES ('MHA', 'Ministry of Home Affairs', 'ministry', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .unwrap();
    cscms_store::employees::insert(&mut c, &row, &ev).unwrap();
    let due = |c: &mut cscms_store::DbConn| {
        let window = (on(2000, 1, 1), on(2099, 12, 31));
        cscms_store::macp_due::due(c, &Visibility::All, None, window, None, 10)
            .unwrap()
            .into_iter()
            .map(|(e, ups)| (e.code.to_string(), ups.len()))
            .collect::<Vec<_>>()
    };
    let kept = due(&mut c);
    assert_eq!(kept, [("CSS-000901".to_owned(), 3)]);

    // The revision on record is this build's: nothing is computed again.
    cscms_store::testing::execute(&mut c, "DELETE FROM macp_due").unwrap();
    cscms_store::migrate::run_pending(&mut c).unwrap();
    assert!(due(&mut c).is_empty());

    // Another revision: every employee's dates are computed again.
    cscms_store::testing::execute(&mut c, "UPDATE kept_dates_revision SET revision = 'older'")
        .unwrap();
    cscms_store::migrate::run_pending(&mut c).unwrap();
    assert_eq!(due(&mut c), kept);

    // None on record (a database from before the revision was kept): the same.
    cscms_store::testing::execute(
        &mut c,
        "DELETE FROM macp_due; DELETE FROM kept_dates_revision",
    )
    .unwrap();
    cscms_store::migrate::run_pending(&mut c).unwrap();
    assert_eq!(due(&mut c), kept);
}
