//! Deputation (DEP-1): advertisements with their versions, and applications.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::cadre::Cadre;
use cscms_domain::cursor::AtId;
use cscms_domain::deputation::{AdvertState, DepState};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use cscms_domain::workflow::{india_date, Step};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::employees::EmployeeRow;
use crate::json::{to_text, Json};
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
    pub org_id: OrgId,
    /// `open` or `closed` (an open one lapses after its last date).
    pub state: AdvertState,
    pub version: i64,
    pub last_date: NaiveDate,
    /// The advertisement as published or last amended.
    pub content: Json<AdvertDoc>,
    pub published_by: String,
    pub published_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An advertisement with the organisation that published it.
#[derive(Debug, Clone)]
pub struct AdvertRecord {
    pub row: AdvertRow,
    pub org_name: String,
    pub org_parent: Option<OrgId>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = versions)]
pub struct VersionRow {
    pub advert_id: i64,
    pub version: i64,
    pub content: Json<AdvertDoc>,
    pub at: NaiveDateTime,
    pub by_sub: String,
}

/// An advertisement as stored: its own shape, so the API's request and
/// view may change without changing stored rows (DEP-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvertDoc {
    pub post: String,
    /// 7th CPC pay level of the post.
    pub level: String,
    pub vacancies: u32,
    pub place: String,
    pub place_state: String,
    pub tenure_years: u32,
    pub eligibility: AdvertDocEligibility,
    pub last_date: NaiveDate,
    #[serde(default)]
    pub documents_required: Vec<String>,
}

/// Who may apply, as stored with an advertisement (DEP-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvertDocEligibility {
    pub cadres: Vec<Cadre>,
    #[serde(default)]
    pub grades: Vec<String>,
    pub min_level: String,
    #[serde(default)]
    pub min_years_in_grade: u32,
}

#[derive(Insertable)]
#[diesel(table_name = adverts, treat_none_as_default_value = false)]
struct NewAdvertRow<'a> {
    org_id: &'a OrgId,
    state: &'a str,
    version: i64,
    last_date: NaiveDate,
    content: &'a str,
    published_by: &'a str,
    published_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = versions, treat_none_as_default_value = false)]
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
    /// The whole advertisement.
    pub content: AdvertDoc,
}

/// Publishes an advertisement (version 1) with its opening step, audited.
pub fn publish(
    c: &mut DbConn,
    actor: &Actor,
    org_id: &OrgId,
    terms: &AdvertContent,
    step: &Step,
) -> Result<i64, StoreError> {
    let content = to_text(&terms.content)?;
    with_step(c, actor, step, org_id.as_str(), |c| {
        let id: i64 = diesel::insert_into(adverts::table)
            .values(NewAdvertRow {
                org_id,
                state: step.to_state,
                version: 1,
                last_date: terms.last_date,
                content: &content,
                published_by: &step.actor_sub,
                published_at: step.at,
                updated_at: step.at,
            })
            .returning(adverts::id)
            .get_result(c)?;
        insert_version(c, id, 1, &content, step)?;
        Ok(Some((id, id)))
    })
}

fn insert_version(
    c: &mut DbConn,
    id: i64,
    version: i64,
    content: &str,
    step: &Step,
) -> Result<(), StoreError> {
    diesel::insert_into(versions::table)
        .values(NewVersion {
            advert_id: id,
            version,
            content,
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
    let content = to_text(&terms.content)?;
    with_step(c, actor, step, org.as_str(), |c| {
        let n = diesel::update(
            adverts::table
                .find(id)
                .filter(adverts::version.eq(expected_version))
                .filter(adverts::state.eq(step.from_state.unwrap_or_default())),
        )
        .set((
            adverts::version.eq(next),
            adverts::last_date.eq(terms.last_date),
            adverts::content.eq(&content),
            adverts::updated_at.eq(step.at),
        ))
        .execute(c)?;
        if n != 1 {
            return Ok(None);
        }
        insert_version(c, id, next, &content, step)?;
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

fn advert_org(c: &mut DbConn, id: i64) -> Result<OrgId, StoreError> {
    adverts::table
        .find(id)
        .select(adverts::org_id)
        .first::<OrgId>(c)
        .map_err(|e| StoreError::from(e).in_row("deputation_adverts", &id))
}

type AdvertJoined = (AdvertRow, String, Option<OrgId>);

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
        .optional()
        .map_err(|e| StoreError::from(e).in_row("deputation_adverts", &id))?
        .map(advert_record))
}

/// Which advertisements to list.
#[derive(Debug, Clone)]
pub struct AdvertFilter {
    /// The organisations whose advertisements the caller sees.
    pub visible: Visibility,
    /// Only those open for applications on this date.
    pub open_on: Option<NaiveDate>,
    /// Only those older than this one (a page's cursor).
    pub before: Option<i64>,
}

/// Advertisements, newest first.
pub fn adverts(
    c: &mut DbConn,
    f: &AdvertFilter,
    limit: i64,
) -> Result<Vec<AdvertRecord>, StoreError> {
    let Some(visible) = crate::scope::visible_orgs(&f.visible) else {
        return Ok(Vec::new());
    };
    let mut q = adverts::table
        .inner_join(organisations::table)
        .filter(visible)
        .into_boxed();
    if let Some(on) = f.open_on {
        q = q
            .filter(adverts::state.eq("open"))
            .filter(adverts::last_date.ge(on));
    }
    if let Some(b) = f.before {
        q = q.filter(adverts::id.lt(b));
    }
    Ok(q.order(adverts::id.desc())
        .limit(limit)
        .select((
            AdvertRow::as_select(),
            organisations::name,
            organisations::parent_id,
        ))
        .load::<AdvertJoined>(c)
        .map_err(|e| StoreError::from(e).in_row("deputation_adverts", &"list"))?
        .into_iter()
        .map(advert_record)
        .collect())
}

/// Every version of an advertisement, the first as published.
pub fn versions(c: &mut DbConn, advert_id: i64) -> Result<Vec<VersionRow>, StoreError> {
    versions::table
        .filter(versions::advert_id.eq(advert_id))
        .order(versions::version.asc())
        .select(VersionRow::as_select())
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("deputation_advert_versions of", &advert_id))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = apps)]
pub struct ApplicationRow {
    pub id: i64,
    pub advert_id: i64,
    pub employee_code: EmployeeCode,
    /// The applicant's organisation when applying: its ministry gives cadre clearance.
    pub org_id: OrgId,
    pub state: DepState,
    /// The version of the advertisement applied to.
    pub advert_version: i64,
    pub documents: Json<Vec<AppDocument>>,
    pub remarks: Option<String>,
    /// The DEP-2 eligibility decision taken when applying, as recorded.
    pub eligibility: Json<serde_json::Value>,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The MACP-9 decision taken when DoPT approved, on the pay held then
    /// (none before approval, or where none could be taken).
    pub pay_options: Option<Json<serde_json::Value>>,
}

/// A document an application carries, as stored: its name and where it
/// can be had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppDocument {
    pub name: String,
    pub reference: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = apps, treat_none_as_default_value = false)]
pub struct NewApplication {
    pub advert_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: DepState,
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
    pub org_parent: Option<OrgId>,
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
    with_step(c, actor, step, new.org_id.as_str(), |c| {
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

/// The MACP-9 decision on approval: the applicant as they stand, the post
/// as advertised, the day of approval (IST); none where it cannot be taken.
pub type DecidePay<'a> =
    &'a dyn Fn(&EmployeeRow, &AdvertDoc, NaiveDate) -> Option<serde_json::Value>;

/// Moves an application by a step, if it is still in the state the step
/// leaves; an approval keeps `pay`'s decision with it.
pub fn advance(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    step: &Step,
    pay: DecidePay<'_>,
) -> Result<(), StoreError> {
    if step.to_state == "approved" {
        return approve(c, actor, id, step, pay);
    }
    steps::advance(c, actor, id, step, steps::state_update!(apps, id, step))
}

/// DEP-1: DoPT approves no more applicants than the advertisement's
/// vacancies, and no applicant who holds another approved deputation whose
/// tenure (from its approval) has not run. Under the advertisement's lock,
/// then the applicant's, so two approvals at once cannot both take the
/// last vacancy or give one officer two deputations. MACP-9's options are
/// decided in the same transaction, on the pay the applicant holds then.
fn approve(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    step: &Step,
    pay: DecidePay<'_>,
) -> Result<(), StoreError> {
    crate::db::write_transaction(c, |c| {
        let (advert_id, code): (i64, EmployeeCode) = apps::table
            .find(id)
            .select((apps::advert_id, apps::employee_code))
            .first(c)
            .map_err(|e| StoreError::from(e).in_row("deputation_applications", &id))?;
        crate::db::lock(c, &format!("deputation_advert:{advert_id}"))?;
        crate::db::lock(c, &format!("deputation_employee:{code}"))?;
        let content: Json<AdvertDoc> = adverts::table
            .find(advert_id)
            .select(adverts::content)
            .first(c)
            .map_err(|e| StoreError::from(e).in_row("deputation_adverts", &advert_id))?;
        let approved: i64 = apps::table
            .filter(apps::advert_id.eq(advert_id))
            .filter(apps::state.eq("approved"))
            .count()
            .get_result(c)?;
        let vacancies = content.get().vacancies;
        if approved >= i64::from(vacancies) {
            return Err(StoreError::Refused {
                code: crate::refusals::VACANCIES_FILLED,
                detail: format!(
                    "Advertisement {advert_id} notifies {vacancies} vacanc{}, and {approved} application(s) are approved.",
                    if vacancies == 1 { "y" } else { "ies" }
                ),
            });
        }
        let held: Vec<(i64, NaiveDateTime, Json<AdvertDoc>)> = apps::table
            .inner_join(adverts::table)
            .filter(apps::employee_code.eq(&code))
            .filter(apps::state.eq("approved"))
            .filter(apps::id.ne(id))
            .select((apps::id, apps::updated_at, adverts::content))
            .load(c)?;
        let running = held.iter().find(|(_, approved_at, doc)| {
            approved_at
                .checked_add_months(chrono::Months::new(doc.get().tenure_years * 12))
                .is_some_and(|ends| ends > step.at)
        });
        if let Some((other, ..)) = running {
            return Err(StoreError::Refused {
                code: crate::refusals::ON_DEPUTATION,
                detail: format!(
                    "{code} holds approved application {other}, whose tenure has not run."
                ),
            });
        }
        steps::advance(c, actor, id, step, steps::state_update!(apps, id, step))?;
        let applicant = crate::employees::get(c, &code)?;
        let decided =
            applicant.and_then(|e| pay(&e.record, content.get(), india_date(step.at.and_utc())));
        // Kept even when none could be decided (JSON null): the column left
        // empty means only an approval from before decisions were kept.
        let decided = decided.unwrap_or(serde_json::Value::Null);
        diesel::update(apps::table.find(id))
            .set(apps::pay_options.eq(to_text(&decided)?))
            .execute(c)?;
        Ok(())
    })
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
    /// Only those after this one in the list's order (a page's cursor).
    pub after: Option<AtId>,
}

pub fn application(c: &mut DbConn, id: i64) -> Result<Option<ApplicationRecord>, StoreError> {
    let f = ApplicationFilter {
        applicants: Visibility::All,
        state: None,
        advert_org: None,
        advert_id: None,
        oldest_first: true,
        after: None,
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
    let Some(visible) = crate::scope::Scoped::visible(&f.applicants) else {
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
    if let Some(a) = f.after {
        q = crate::keyset::after_at_id!(q, apps::submitted_at, apps::id, a, f.oldest_first);
    }
    q = if f.oldest_first {
        q.order((apps::submitted_at.asc(), apps::id.asc()))
    } else {
        q.order((apps::submitted_at.desc(), apps::id.desc()))
    };
    let rows: Vec<(ApplicationRow, String, Option<OrgId>)> = q
        .limit(limit)
        .select((
            ApplicationRow::as_select(),
            employees::name,
            organisations::parent_id,
        ))
        .load(c)
        .map_err(|e| {
            StoreError::from(e).in_row(
                "deputation_applications",
                &id.map_or("list".into(), |i| i.to_string()),
            )
        })?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, employee_name, org_parent) in rows {
        let mut advert = advert(c, row.advert_id)?.ok_or_else(|| {
            StoreError::Corrupt(format!("application {} lost its advert", row.id))
        })?;
        // An application stands on the terms it was made against (DEP-1):
        // a later amendment changes neither the post it applied for nor, once
        // approved, the pay compared on its place (MACP-9).
        if advert.row.version != row.advert_version {
            advert.row.content = versions::table
                .filter(versions::advert_id.eq(row.advert_id))
                .filter(versions::version.eq(row.advert_version))
                .select(versions::content)
                .first(c)
                .map_err(|e| StoreError::from(e).in_row("deputation_advert_versions", &row.id))?;
        }
        out.push(ApplicationRecord {
            row,
            employee_name,
            org_parent,
            advert,
        });
    }
    Ok(out)
}
