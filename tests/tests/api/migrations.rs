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
