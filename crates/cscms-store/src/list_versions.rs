//! The version of what employee list pages and employee records are read
//! from: bumped by a trigger on every write to `employees`,
//! `organisations` or `service_events`, in the writer's transaction
//! (migrations `list_versions`, `history_list_version`). A page read after
//! reading version `v` is at least as new as `v`; so a page kept with the
//! version read before it is current for as long as the version stays `v`
//! (issue 17, item 4).

use diesel::prelude::*;

use crate::schema::list_versions;
use crate::{DbConn, StoreError};

/// The employees' list version as this connection sees it now.
pub fn employees(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(list_versions::table
        .find("employees")
        .select(list_versions::version)
        .first(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{employees, organisations, profiles, service_events};

    /// Every kind of write to what a list page or a record is read from
    /// moves the version, on either backend; a write elsewhere does not.
    #[test]
    fn writes_to_employees_organisations_or_histories_move_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let mut conn = url.establish().unwrap();
        let before_seed = employees(&mut conn).unwrap();
        crate::seed::demo(&mut conn, 20).unwrap();
        let mut last = employees(&mut conn).unwrap();
        assert!(last > before_seed, "seeding moved it");
        let code: String = employees::table
            .select(employees::code)
            .order(employees::code)
            .first(&mut conn)
            .unwrap();
        let org: String = organisations::table
            .select(organisations::id)
            .order(organisations::id)
            .first(&mut conn)
            .unwrap();

        let moved = |conn: &mut DbConn, last: &mut i64, what: &str| {
            let now = employees(conn).unwrap();
            assert!(now > *last, "{what}: {last} -> {now}");
            *last = now;
        };
        diesel::update(employees::table.find(&code))
            .set(employees::station.eq("Chennai"))
            .execute(&mut conn)
            .unwrap();
        moved(&mut conn, &mut last, "an employee changed");
        diesel::update(organisations::table.find(&org))
            .set(organisations::name.eq("Renamed"))
            .execute(&mut conn)
            .unwrap();
        moved(&mut conn, &mut last, "an organisation changed");
        let history = crate::employees::history(&mut conn, &code.parse().unwrap()).unwrap();
        assert!(!history.is_empty(), "the seeded employee has a history");
        diesel::delete(service_events::table.filter(service_events::employee_code.eq(&code)))
            .execute(&mut conn)
            .unwrap();
        moved(&mut conn, &mut last, "a history removed");
        let again: Vec<crate::employees::NewServiceEvent> = history
            .into_iter()
            .map(|e| crate::employees::NewServiceEvent {
                employee_code: e.employee_code,
                kind: e.kind,
                effective_on: e.effective_on,
                from_grade: e.from_grade,
                to_grade: e.to_grade,
                from_level: e.from_level,
                to_level: e.to_level,
                from_grade_pay: e.from_grade_pay,
                to_grade_pay: e.to_grade_pay,
                order_ref: e.order_ref,
                remarks: e.remarks,
                postponement_days: e.postponement_days,
            })
            .collect();
        crate::employees::add_events(&mut conn, &again).unwrap();
        moved(&mut conn, &mut last, "events added");
        diesel::update(service_events::table.filter(service_events::employee_code.eq(&code)))
            .set(service_events::remarks.eq("corrected"))
            .execute(&mut conn)
            .unwrap();
        moved(&mut conn, &mut last, "an event corrected");
        diesel::update(profiles::table.find(&code))
            .set(profiles::updated_by.eq("someone"))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(employees(&mut conn).unwrap(), last, "a write elsewhere");
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(organisations::table)
            .values((
                organisations::id.eq("ZZQ"),
                organisations::name.eq("A new ministry"),
                organisations::kind.eq("ministry"),
                organisations::created_at.eq(now),
                organisations::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .unwrap();
        moved(&mut conn, &mut last, "an organisation added");
        diesel::delete(organisations::table.find("ZZQ"))
            .execute(&mut conn)
            .unwrap();
        moved(&mut conn, &mut last, "an organisation removed");
    }
}
