//! Deputation (DEP-1): advertisements with their versions, and applications.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::scope::Visibility;
use cscms_domain::workflow::Step;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::schema::{
    deputation_advert_versions as versions, deputation_adverts as adverts,
    deputation_applications as apps, employees, organisations,
};
use crate::steps::{self, with_step};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = adverts)]
pub struct AdvertRow {
    pub id: i64,
    pub org_id: String,
    /// `open` or `closed` (an open one lapses after its last date).
    pub state: String,
    pub version: i64,
    pub last_date: NaiveDate,
    /// JSON: the advertisement as published or last amended.
    pub content: String,
    pub published_by: String,
    pub published_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An advertisement with the organisation that published it.
#[derive(Debug, Clone)]
pub struct AdvertRecord {
    pub row: AdvertRow,
    pub org_name: String,
    pub org_parent: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = versions)]
pub struct VersionRow {
    pub advert_id: i64,
    pub version: i64,
    pub content: String,
    pub at: NaiveDateTime,
    pub by_sub: String,
}

#[derive(Insertable)]
#[diesel(table_name = adverts)]
struct NewAdvertRow<'a> {
    org_id: &'a str,
    state: &'a str,
    version: i64,
    last_date: NaiveDate,
    content: &'a str,
    published_by: &'a str,
    published_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = versions)]
struct NewVersion<'a> {
    advert_id: i64,
    version: i64,
    content: &'a str,
    at: NaiveDateTime,
    by_sub: &'a str,
}

/// An advertisement's terms as the API has checked them.
#[derive(Debug, Clone)]
pub struct AdvertContent {
    pub last_date: NaiveDate,
    /// JSON of the whole advertisement.
    pub content: String,
}

/// Publishes an advertisement (version 1) with its opening step, audited.
pub fn publish(
    c: &mut DbConn,
    actor: &Actor,
    org_id: &str,
    terms: &AdvertContent,
    step: &Step,
) -> Result<i64, StoreError> {
    with_step(c, actor, step, org_id, |c| {
        let id: i64 = diesel::insert_into(adverts::table)
            .values(NewAdvertRow {
                org_id,
                state: step.to_state,
                version: 1,
                last_date: terms.last_date,
                content: &terms.content,
                published_by: &step.actor_sub,
                published_at: step.at,
                updated_at: step.at,
            })
            .returning(adverts::id)
            .get_result(c)?;
        insert_version(c, id, 1, terms, step)?;
        Ok(Some((id, id)))
    })
}

fn insert_version(
    c: &mut DbConn,
    id: i64,
    version: i64,
    terms: &AdvertContent,
    step: &Step,
) -> Result<(), StoreError> {
    diesel::insert_into(versions::table)
        .values(NewVersion {
            advert_id: id,
            version,
            content: &terms.content,
            at: step.at,
            by_sub: &step.actor_sub,
        })
        .execute(c)?;
    Ok(())
}

/// Amends an advertisement if it is still open at `expected_version`; the
/// new terms become the next version, the old ones stay in the history.
pub fn amend(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    terms: &AdvertContent,
    step: &Step,
) -> Result<i64, StoreError> {
    let org = advert_org(c, id)?;
    let next = expected_version + 1;
    with_step(c, actor, step, &org, |c| {
        let n = diesel::update(
            adverts::table
                .find(id)
                .filter(adverts::version.eq(expected_version))
                .filter(adverts::state.eq(step.from_state.unwrap_or_default())),
        )
        .set((
            adverts::version.eq(next),
            adverts::last_date.eq(terms.last_date),
            adverts::content.eq(&terms.content),
            adverts::updated_at.eq(step.at),
        ))
        .execute(c)?;
        if n != 1 {
            return Ok(None);
        }
        insert_version(c, id, next, terms, step)?;
        Ok(Some((id, next)))
    })
}

/// Moves an advertisement by a step (close), if still in the state it leaves.
pub fn advance_advert(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    step: &Step,
) -> Result<(), StoreError> {
    steps::advance(c, actor, id, step, steps::state_update!(adverts, id, step))
}

fn advert_org(c: &mut DbConn, id: i64) -> Result<String, StoreError> {
    Ok(adverts::table
        .find(id)
        .select(adverts::org_id)
        .first::<String>(c)?)
}

type AdvertJoined = (AdvertRow, String, Option<String>);

fn advert_record((row, org_name, org_parent): AdvertJoined) -> AdvertRecord {
    AdvertRecord {
        row,
        org_name,
        org_parent,
    }
}

pub fn advert(c: &mut DbConn, id: i64) -> Result<Option<AdvertRecord>, StoreError> {
    Ok(adverts::table
        .inner_join(organisations::table)
        .filter(adverts::id.eq(id))
        .select((
            AdvertRow::as_select(),
            organisations::name,
            organisations::parent_id,
        ))
        .first::<AdvertJoined>(c)
        .optional()?
        .map(advert_record))
}

/// Which advertisements to list.
#[derive(Debug, Clone, Default)]
pub struct AdvertFilter {
    /// Only those of this organisation and the organisations under it.
    pub org_tree: Option<String>,
    /// Only those open for applications on this date.
    pub open_on: Option<NaiveDate>,
}

/// Advertisements, newest first.
pub fn adverts(
    c: &mut DbConn,
    f: &AdvertFilter,
    limit: i64,
) -> Result<Vec<AdvertRecord>, StoreError> {
    let mut q = adverts::table.inner_join(organisations::table).into_boxed();
    if let Some(org) = &f.org_tree {
        q = q.filter(
            organisations::id
                .eq(org.clone())
                .or(organisations::parent_id.eq(org.clone())),
        );
    }
    if let Some(on) = f.open_on {
        q = q
            .filter(adverts::state.eq("open"))
            .filter(adverts::last_date.ge(on));
    }
    Ok(q.order(adverts::id.desc())
        .limit(limit)
        .select((
            AdvertRow::as_select(),
            organisations::name,
            organisations::parent_id,
        ))
        .load::<AdvertJoined>(c)?
        .into_iter()
        .map(advert_record)
        .collect())
}

/// Every version of an advertisement, the first as published.
pub fn versions(c: &mut DbConn, advert_id: i64) -> Result<Vec<VersionRow>, StoreError> {
    Ok(versions::table
        .filter(versions::advert_id.eq(advert_id))
        .order(versions::version.asc())
        .select(VersionRow::as_select())
        .load(c)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = apps)]
pub struct ApplicationRow {
    pub id: i64,
    pub advert_id: i64,
    pub employee_code: String,
    /// The applicant's organisation when applying: its ministry gives cadre clearance.
    pub org_id: String,
    pub state: String,
    /// The version of the advertisement applied to.
    pub advert_version: i64,
    /// JSON array of {name, reference}.
    pub documents: String,
    pub remarks: Option<String>,
    /// JSON: the DEP-2 eligibility decision taken when applying.
    pub eligibility: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = apps)]
pub struct NewApplication {
    pub advert_id: i64,
    pub employee_code: String,
    pub org_id: String,
    pub state: String,
    pub advert_version: i64,
    pub documents: String,
    pub remarks: Option<String>,
    pub eligibility: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An application with its applicant and the advertisement applied to.
#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    pub row: ApplicationRow,
    pub employee_name: String,
    /// The parent of the applicant's organisation.
    pub org_parent: Option<String>,
    pub advert: AdvertRecord,
}

/// Files an application with its opening step, audited. A second
/// application to the same advertisement is a `Conflict` (DEP-1).
pub fn apply(
    c: &mut DbConn,
    actor: &Actor,
    new: &NewApplication,
    step: &Step,
) -> Result<i64, StoreError> {
    with_step(c, actor, step, &new.org_id, |c| {
        let id: i64 = diesel::insert_into(apps::table)
            .values(new)
            .returning(apps::id)
            .get_result(c)
            .map_err(|e| {
                StoreError::from_write(e, "the employee has already applied to this advertisement")
            })?;
        Ok(Some((id, id)))
    })
}

/// Moves an application by a step, if it is still in the state the step leaves.
pub fn advance(c: &mut DbConn, actor: &Actor, id: i64, step: &Step) -> Result<(), StoreError> {
    steps::advance(c, actor, id, step, steps::state_update!(apps, id, step))
}

/// Which applications to list; filters combine with AND.
#[derive(Debug, Clone)]
pub struct ApplicationFilter {
    /// Applicants the caller may see.
    pub applicants: Visibility,
    pub state: Option<String>,
    /// Only applications to advertisements of this organisation.
    pub advert_org: Option<String>,
    pub advert_id: Option<i64>,
    pub oldest_first: bool,
}

pub fn application(c: &mut DbConn, id: i64) -> Result<Option<ApplicationRecord>, StoreError> {
    let f = ApplicationFilter {
        applicants: Visibility::All,
        state: None,
        advert_org: None,
        advert_id: None,
        oldest_first: true,
    };
    Ok(query(c, &f, Some(id), 1)?.pop())
}

pub fn applications(
    c: &mut DbConn,
    f: &ApplicationFilter,
    limit: i64,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    query(c, f, None, limit)
}

fn query(
    c: &mut DbConn,
    f: &ApplicationFilter,
    id: Option<i64>,
    limit: i64,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    let mut q = apps::table
        .inner_join(employees::table)
        .inner_join(organisations::table.on(organisations::id.eq(apps::org_id)))
        .into_boxed();
    let Some(visible) = crate::scope::visible(&f.applicants) else {
        return Ok(Vec::new());
    };
    q = q.filter(visible);
    if let Some(id) = id {
        q = q.filter(apps::id.eq(id));
    }
    if let Some(s) = &f.state {
        q = q.filter(apps::state.eq(s.clone()));
    }
    if let Some(a) = f.advert_id {
        q = q.filter(apps::advert_id.eq(a));
    }
    if let Some(org) = &f.advert_org {
        let own = adverts::table
            .filter(adverts::org_id.eq(org.clone()))
            .select(adverts::id);
        q = q.filter(apps::advert_id.eq_any(own));
    }
    q = if f.oldest_first {
        q.order((apps::submitted_at.asc(), apps::id.asc()))
    } else {
        q.order((apps::submitted_at.desc(), apps::id.desc()))
    };
    let rows: Vec<(ApplicationRow, String, Option<String>)> = q
        .limit(limit)
        .select((
            ApplicationRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .load(c)?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, employee_name, org_parent) in rows {
        let advert = advert(c, row.advert_id)?.ok_or_else(|| {
            StoreError::Corrupt(format!("application {} lost its advert", row.id))
        })?;
        out.push(ApplicationRecord {
            row,
            employee_name,
            org_parent,
            advert,
        });
    }
    Ok(out)
}
