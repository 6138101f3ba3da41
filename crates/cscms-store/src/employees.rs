//! Employees and their service history.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::cadre::Cadre;
use cscms_domain::employee::{Category, EmployeeCode, Gender, ServiceEventKind};
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use diesel::prelude::*;
use serde::Serialize;

use crate::dates::{ReadDate, ReadTimestamp};
use crate::schema::{employees, organisations, service_events};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = employees, treat_none_as_default_value = false)]
pub struct EmployeeRow {
    pub code: EmployeeCode,
    pub name: String,
    pub cadre: Cadre,
    pub grade: String,
    pub service_group: String,
    pub pay_level: String,
    pub pay_cell: i32,
    #[diesel(deserialize_as = ReadDate)]
    pub date_of_birth: NaiveDate,
    #[diesel(deserialize_as = ReadDate)]
    pub joined_government_on: NaiveDate,
    #[diesel(deserialize_as = ReadDate)]
    pub joined_entry_grade_on: NaiveDate,
    #[diesel(deserialize_as = ReadDate)]
    pub joined_present_grade_on: NaiveDate,
    pub org_id: OrgId,
    pub station: String,
    pub station_state: String,
    pub gender: Gender,
    pub category: Category,
    pub version: i64,
    #[diesel(deserialize_as = ReadTimestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = ReadTimestamp)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = service_events)]
pub struct ServiceEventRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    pub kind: ServiceEventKind,
    #[diesel(deserialize_as = ReadDate)]
    pub effective_on: NaiveDate,
    pub from_grade: Option<String>,
    pub to_grade: Option<String>,
    pub from_level: Option<String>,
    pub to_level: Option<String>,
    pub from_grade_pay: Option<i32>,
    pub to_grade_pay: Option<i32>,
    pub order_ref: String,
    pub remarks: Option<String>,
    /// A postponement's days (MACP-6); `None` for other events.
    pub postponement_days: Option<i32>,
}

// None as NULL (not DEFAULT): a multi-row INSERT is then one statement on SQLite.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = service_events, treat_none_as_default_value = false)]
pub struct NewServiceEvent {
    pub employee_code: EmployeeCode,
    pub kind: ServiceEventKind,
    pub effective_on: NaiveDate,
    pub from_grade: Option<String>,
    pub to_grade: Option<String>,
    pub from_level: Option<String>,
    pub to_level: Option<String>,
    pub from_grade_pay: Option<i32>,
    pub to_grade_pay: Option<i32>,
    pub order_ref: String,
    pub remarks: Option<String>,
    /// A postponement's days (MACP-6).
    pub postponement_days: Option<i32>,
}

impl NewServiceEvent {
    /// The event as read back, before the database gives it an id.
    pub(crate) fn as_row(&self) -> ServiceEventRow {
        ServiceEventRow {
            id: 0,
            employee_code: self.employee_code.clone(),
            kind: self.kind,
            effective_on: self.effective_on,
            from_grade: self.from_grade.clone(),
            to_grade: self.to_grade.clone(),
            from_level: self.from_level.clone(),
            to_level: self.to_level.clone(),
            from_grade_pay: self.from_grade_pay,
            to_grade_pay: self.to_grade_pay,
            order_ref: self.order_ref.clone(),
            remarks: self.remarks.clone(),
            postponement_days: self.postponement_days,
        }
    }
}

/// Filters of the employee list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EmployeeFilter {
    pub org: Option<String>,
    pub cadre: Option<String>,
    pub grade: Option<String>,
    /// Case-insensitive substring of the name or the code.
    pub q: Option<String>,
}

/// Where an employee sits, for the scope rule.
#[derive(Debug, Clone)]
pub struct Placed<T> {
    pub record: T,
    pub org_parent: Option<OrgId>,
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Escapes LIKE wildcards so user text matches literally.
fn like_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for ch in q.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// An employee as a list shows them: a summary's columns only. A list
/// page read afresh spends most of its time building rows, a value at a
/// time; the dates of birth and joining, the version and the like are
/// the record's, not the list's (bench/speed.md).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = employees)]
pub struct EmployeeListed {
    pub code: EmployeeCode,
    pub name: String,
    pub cadre: Cadre,
    pub grade: String,
    pub service_group: String,
    pub pay_level: String,
    pub pay_cell: i32,
    pub org_id: OrgId,
    pub station: String,
    pub station_state: String,
    #[diesel(deserialize_as = ReadTimestamp)]
    pub updated_at: NaiveDateTime,
}

impl From<EmployeeRow> for EmployeeListed {
    fn from(r: EmployeeRow) -> Self {
        Self {
            code: r.code,
            name: r.name,
            cadre: r.cadre,
            grade: r.grade,
            service_group: r.service_group,
            pay_level: r.pay_level,
            pay_cell: r.pay_cell,
            org_id: r.org_id,
            station: r.station,
            station_state: r.station_state,
            updated_at: r.updated_at,
        }
    }
}

/// `$query` (a boxed query over the employees) narrowed by an
/// [`EmployeeFilter`] and a keyset cursor.
macro_rules! filtered {
    ($query:expr, $filter:expr, $after:expr) => {{
        let (filter, after): (&EmployeeFilter, Option<&str>) = ($filter, $after);
        let mut query = $query;
        if let Some(org) = &filter.org {
            query = query.filter(employees::org_id.eq(org));
        }
        if let Some(cadre) = &filter.cadre {
            query = query.filter(employees::cadre.eq(cadre));
        }
        if let Some(grade) = &filter.grade {
            query = query.filter(employees::grade.eq(grade));
        }
        if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
            let pattern = like_pattern(q);
            query = query.filter(
                lower(employees::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(employees::code).like(pattern).escape('\\')),
            );
        }
        if let Some(after) = after {
            query = query.filter(employees::code.gt(after));
        }
        query
    }};
}

/// A function reading one page of `$row`s visible under a visibility,
/// ordered by code, after a cursor (keyset pagination). It runs on the
/// concrete connection: through the `MultiConnection` each value of a
/// page was built behind a second layer of rows and values. A caller who
/// sees everyone reads the employees alone: the organisation is joined
/// only for the scope's condition, and every employee has one (a foreign
/// key), so the rows are the same (bench/speed.md).
macro_rules! page_reader {
    ($(#[$doc:meta])* $name:ident -> $row:ty) => {
        $(#[$doc])*
        pub fn $name(
            conn: &mut DbConn,
            visibility: &Visibility,
            filter: &EmployeeFilter,
            after: Option<&str>,
            limit: i64,
        ) -> Result<Vec<$row>, StoreError> {
            Ok(crate::on_backend!(conn, |c| {
                if matches!(visibility, Visibility::All) {
                    filtered!(employees::table.into_boxed(), filter, after)
                        .order(employees::code.asc())
                        .limit(limit)
                        .select(<$row>::as_select())
                        .load(c)
                } else {
                    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
                        return Ok(Vec::new());
                    };
                    let joined = employees::table
                        .inner_join(organisations::table)
                        .filter(visible)
                        .into_boxed();
                    filtered!(joined, filter, after)
                        .order(employees::code.asc())
                        .limit(limit)
                        .select(<$row>::as_select())
                        .load(c)
                }
            })?)
        }
    };
}

page_reader! {
    /// One page of employees' whole records (rules engines over many
    /// employees, e.g. the MACP report).
    list -> EmployeeRow
}

page_reader! {
    /// One page of the employee list: what a summary shows.
    listing -> EmployeeListed
}

/// A page of employees in scope, by code after `after`, each with their
/// service history: two queries however long the page (rules engines
/// evaluating many employees, e.g. the MACP report).
pub fn with_history(
    conn: &mut DbConn,
    visibility: &Visibility,
    filter: &EmployeeFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<(EmployeeRow, Vec<ServiceEventRow>)>, StoreError> {
    let rows = list(conn, visibility, filter, after, limit)?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    // The page is a contiguous range of codes: fetch its events by range.
    let events: Vec<ServiceEventRow> = service_events::table
        .filter(service_events::employee_code.ge(&first.code))
        .filter(service_events::employee_code.le(&last.code))
        .order((
            service_events::employee_code.asc(),
            service_events::effective_on.asc(),
            service_events::id.asc(),
        ))
        .select(ServiceEventRow::as_select())
        .load(conn)?;
    let mut out: Vec<(EmployeeRow, Vec<ServiceEventRow>)> =
        rows.into_iter().map(|r| (r, Vec::new())).collect();
    let mut i = 0;
    for ev in events {
        while i < out.len() && out[i].0.code < ev.employee_code {
            i += 1;
        }
        if let Some((row, evs)) = out.get_mut(i) {
            if row.code == ev.employee_code {
                evs.push(ev);
            }
        }
    }
    Ok(out)
}

/// One employee with the parent of their organisation (for scope).
pub fn get(
    conn: &mut DbConn,
    code: &EmployeeCode,
) -> Result<Option<Placed<EmployeeRow>>, StoreError> {
    // The code is the primary key: at most one row, no LIMIT needed.
    let found = crate::on_backend!(conn, |c| employees::table
        .inner_join(organisations::table)
        .filter(employees::code.eq(code))
        .select((EmployeeRow::as_select(), organisations::parent_id))
        .get_result::<(EmployeeRow, Option<OrgId>)>(c)
        .optional())
    .map_err(|e| StoreError::from(e).in_row("employees", code))?;
    Ok(found.map(|(record, org_parent)| Placed { record, org_parent }))
}

/// An employee where they are placed, with their service history.
pub type WithHistory = (Placed<EmployeeRow>, Vec<ServiceEventRow>);

/// One employee, the parent of their organisation and their service
/// history (oldest first), in one statement: the employee's columns come
/// with each event, which costs less than a second statement (a second
/// round trip on PostgreSQL, a second read transaction on SQLite).
pub fn get_with_history(
    conn: &mut DbConn,
    code: &EmployeeCode,
) -> Result<Option<WithHistory>, StoreError> {
    let rows = crate::on_backend!(conn, |c| employees::table
        .inner_join(organisations::table)
        .left_join(service_events::table)
        .filter(employees::code.eq(code))
        .select((
            EmployeeRow::as_select(),
            organisations::parent_id,
            Option::<ServiceEventRow>::as_select(),
        ))
        .load::<(EmployeeRow, Option<OrgId>, Option<ServiceEventRow>)>(c))
    .map_err(|e| StoreError::from(e).in_row("employees", code))?;
    let mut rows = rows.into_iter();
    let Some((record, org_parent, first)) = rows.next() else {
        return Ok(None);
    };
    let mut history: Vec<ServiceEventRow> = first
        .into_iter()
        .chain(rows.filter_map(|(_, _, event)| event))
        .collect();
    // Oldest first, put in order here: an `ORDER BY` made PostgreSQL set
    // up a sort for every read (bench/speed.md, "The authenticated read on
    // PostgreSQL").
    history.sort_unstable_by_key(|e| (e.effective_on, e.id));
    Ok(Some((Placed { record, org_parent }, history)))
}

/// An employee's service history, oldest first.
pub fn history(conn: &mut DbConn, code: &EmployeeCode) -> Result<Vec<ServiceEventRow>, StoreError> {
    crate::on_backend!(conn, |c| service_events::table
        .filter(service_events::employee_code.eq(code))
        .order((service_events::effective_on.asc(), service_events::id.asc()))
        .select(ServiceEventRow::as_select())
        .load(c))
    .map_err(|e| StoreError::from(e).in_row("service_events of", code))
}

/// Inserts an employee and their service history (seeding and imports).
pub fn insert(
    conn: &mut DbConn,
    row: &EmployeeRow,
    events: &[NewServiceEvent],
) -> Result<(), StoreError> {
    crate::db::write_transaction(conn, |c| {
        diesel::insert_into(employees::table)
            .values(row)
            .execute(c)
            .map_err(|e| StoreError::from_write(e, "employee code already exists"))?;
        for ev in events {
            diesel::insert_into(service_events::table)
                .values(ev)
                .execute(c)?;
        }
        crate::profiles::create_empty(c, &row.code, row.created_at)?;
        // What rests on the history, in the same transaction (issue 17).
        crate::macp_due::recompute(c, std::slice::from_ref(&row.code))
    })
}

/// Adds events to the service histories of employees on record, and
/// replaces what rests on those histories (their MACP due dates) in the
/// same transaction: every service event after an employee's first is
/// written through here.
pub fn add_events(conn: &mut DbConn, events: &[NewServiceEvent]) -> Result<(), StoreError> {
    const ROWS: usize = 1000;
    crate::db::write_transaction(conn, |c| {
        for chunk in events.chunks(ROWS) {
            crate::on_backend!(c, |c| diesel::insert_into(service_events::table)
                .values(chunk)
                .execute(c))?;
        }
        let mut codes: Vec<EmployeeCode> = events.iter().map(|e| e.employee_code.clone()).collect();
        codes.sort_unstable();
        codes.dedup();
        crate::macp_due::recompute(c, &codes)
    })
}

/// Inserts many new employees, their service histories and draft profiles
/// in multi-row statements, in one write transaction: seeding and bulk
/// loads at disk speed rather than a round trip per row.
pub fn insert_many(
    conn: &mut DbConn,
    people: &[EmployeeRow],
    events: &[NewServiceEvent],
) -> Result<(), StoreError> {
    // Well below both backends' bound-parameter limits (SQLite 32,766;
    // PostgreSQL 65,535) for the widest row here.
    const ROWS: usize = 1000;
    let profiles: Vec<crate::profiles::ProfileRow> = people
        .iter()
        .map(|e| crate::profiles::empty_row(&e.code, e.created_at))
        .collect();
    crate::db::write_transaction(conn, |c| {
        for chunk in people.chunks(ROWS) {
            crate::on_backend!(c, |c| diesel::insert_into(employees::table)
                .values(chunk)
                .execute(c))
            .map_err(|e| StoreError::from_write(e, "employee code already exists"))?;
        }
        for chunk in events.chunks(ROWS) {
            crate::on_backend!(c, |c| diesel::insert_into(service_events::table)
                .values(chunk)
                .execute(c))?;
        }
        for chunk in profiles.chunks(ROWS) {
            crate::on_backend!(c, |c| diesel::insert_into(crate::schema::profiles::table)
                .values(chunk)
                .execute(c))?;
        }
        // What rests on the histories, from what was just written (issue 17).
        crate::macp_due::insert_new(c, people, events)
    })
}

pub fn count(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(employees::table.count().get_result(conn)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The plan's lines for the roster page `listing` reads (every
    /// employee visible, cadre and grade, after a cursor), its SQL taken
    /// from the query itself so that a column added to a summary shows
    /// here.
    fn roster_plan(conn: &mut DbConn) -> Vec<String> {
        use diesel::connection::SimpleConnection;
        #[derive(QueryableByName)]
        struct SqlitePlan {
            #[diesel(sql_type = diesel::sql_types::Text)]
            detail: String,
        }
        #[derive(QueryableByName)]
        struct PgPlan {
            #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
            line: String,
        }
        macro_rules! query {
            () => {
                employees::table
                    .filter(employees::cadre.eq("CSS"))
                    .filter(employees::grade.eq("SO"))
                    .filter(employees::code.gt("CSS-000001"))
                    .order(employees::code.asc())
                    .limit(51)
                    .select(EmployeeListed::as_select())
            };
        }
        let sql_of = |text: String| text.split(" -- binds").next().unwrap().to_owned();
        macro_rules! explain {
            ($c:expr, $prefix:literal, $text:expr, $row:ty) => {
                diesel::sql_query(format!(concat!($prefix, " {}"), sql_of($text)))
                    .bind::<diesel::sql_types::Text, _>("CSS")
                    .bind::<diesel::sql_types::Text, _>("SO")
                    .bind::<diesel::sql_types::Text, _>("CSS-000001")
                    .bind::<diesel::sql_types::BigInt, _>(51i64)
                    .load::<$row>($c)
                    .unwrap()
            };
        }
        match conn {
            DbConn::Sqlite(c) => {
                let text = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query!()).to_string();
                explain!(c, "EXPLAIN QUERY PLAN", text, SqlitePlan)
                    .into_iter()
                    .map(|p| p.detail)
                    .collect()
            }
            DbConn::Pg(c) => {
                // On a table this small a scan of it is cheapest; what is
                // asked is that the index covers the page.
                c.batch_execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
                    .unwrap();
                let text = diesel::debug_query::<diesel::pg::Pg, _>(&query!()).to_string();
                explain!(c, "EXPLAIN", text, PgPlan)
                    .into_iter()
                    .map(|p| p.line)
                    .collect()
            }
        }
    }

    /// A roster page (cadre and grade) is read from the index alone: no
    /// table row per employee (bench/speed.md). Without the summary's
    /// columns in `employees_cadre_grade` the plan is a search of the
    /// index and then of the table.
    #[test]
    fn roster_pages_read_the_index_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let mut conn = url.establish().unwrap();
        crate::seed::demo(&mut conn, 40).unwrap();
        let plan = roster_plan(&mut conn).join("\n");
        let covered = match conn {
            DbConn::Sqlite(_) => "USING COVERING INDEX employees_cadre_grade",
            DbConn::Pg(_) => "Index Only Scan using employees_cadre_grade",
        };
        assert!(plan.contains(covered), "{plan}");
        // The page read is the page planned.
        let visibility = Visibility::All;
        let filter = EmployeeFilter {
            cadre: Some("CSS".to_owned()),
            grade: Some("SO".to_owned()),
            ..EmployeeFilter::default()
        };
        let page = listing(&mut conn, &visibility, &filter, None, 51).unwrap();
        assert!(!page.is_empty(), "the seed has Section Officers of CSS");
    }

    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_pattern("Ab_c%"), "%ab\\_c\\%%");
    }

    /// The one-statement read gives what the employee and history reads
    /// give apart, for every seeded employee and for one whose history is
    /// empty (the join's one row without an event), and nothing for a code
    /// that does not exist.
    #[test]
    fn one_statement_read_matches_the_two_reads() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let mut conn = url.establish().unwrap();
        crate::seed::demo(&mut conn, 40).unwrap();
        let codes: Vec<EmployeeCode> = employees::table
            .select(employees::code)
            .order(employees::code)
            .load(&mut conn)
            .unwrap();
        assert_eq!(codes.len(), 40);
        let bare = &codes[0];
        let removed =
            diesel::delete(service_events::table.filter(service_events::employee_code.eq(bare)))
                .execute(&mut conn)
                .unwrap();
        assert!(removed > 0, "the seeded employee had a history to remove");
        // Events added out of date order, two on one day: oldest first,
        // the same day's in the order they were recorded.
        let late = &codes[1];
        let event = |on: (i32, u32, u32), order_ref: &str| NewServiceEvent {
            employee_code: late.clone(),
            kind: ServiceEventKind::Transfer,
            effective_on: NaiveDate::from_ymd_opt(on.0, on.1, on.2).unwrap(),
            from_grade: None,
            to_grade: None,
            from_level: None,
            to_level: None,
            from_grade_pay: None,
            to_grade_pay: None,
            order_ref: order_ref.into(),
            remarks: None,
            postponement_days: None,
        };
        add_events(
            &mut conn,
            &[
                event((2024, 5, 1), "late-1"),
                event((1990, 1, 2), "early-1"),
                event((2024, 5, 1), "late-2"),
            ],
        )
        .unwrap();
        let (_, read) = get_with_history(&mut conn, late).unwrap().unwrap();
        let refs: Vec<&str> = read.iter().map(|e| e.order_ref.as_str()).collect();
        assert_eq!(refs.first(), Some(&"early-1"), "{refs:?}");
        let same_day: Vec<&str> = refs
            .iter()
            .copied()
            .filter(|r| r.starts_with("late-"))
            .collect();
        assert_eq!(same_day, ["late-1", "late-2"], "{refs:?}");
        assert!(read
            .windows(2)
            .all(|w| (w[0].effective_on, w[0].id) < (w[1].effective_on, w[1].id)));
        let (mut events, mut empty) = (0, 0);
        for code in &codes {
            let (placed, read) = get_with_history(&mut conn, code).unwrap().unwrap();
            let apart = get(&mut conn, code).unwrap().unwrap();
            let read_apart = history(&mut conn, code).unwrap();
            assert_eq!(
                format!("{:?}", placed.record),
                format!("{:?}", apart.record)
            );
            assert_eq!(placed.org_parent, apart.org_parent);
            assert_eq!(format!("{read:?}"), format!("{read_apart:?}"), "{code}");
            events += read.len();
            empty += usize::from(read.is_empty());
        }
        assert_eq!(empty, 1, "only the employee whose history was removed");
        assert!(
            events > codes.len(),
            "histories of several events: {events}"
        );
        let unknown: EmployeeCode = "CSS-999999".parse().unwrap();
        assert!(get_with_history(&mut conn, &unknown).unwrap().is_none());
    }
}
