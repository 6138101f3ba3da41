//! Organisations and their nodal officers.

use chrono::{NaiveDateTime, Utc};
use cscms_domain::organisation::{OrgId, OrgKind};
use cscms_domain::principal::Role;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::schema::{nodal_officers, organisations};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = organisations, treat_none_as_default_value = false)]
pub struct OrgRow {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<OrgId>,
    pub state: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = nodal_officers)]
pub struct NodalOfficerRow {
    pub id: i64,
    pub org_id: OrgId,
    pub sub: String,
    pub name: String,
    pub designation: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = nodal_officers, treat_none_as_default_value = false)]
pub struct NewNodalOfficer {
    pub org_id: OrgId,
    pub sub: String,
    pub name: String,
    pub designation: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A new organisation as the API has validated it.
#[derive(Debug, Clone, Serialize)]
pub struct NewOrg {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<OrgId>,
    pub state: Option<String>,
}

/// All organisations, ministries first then by id.
pub fn list(conn: &mut DbConn) -> Result<Vec<OrgRow>, StoreError> {
    Ok(organisations::table
        .order((organisations::parent_id.is_not_null(), organisations::id))
        .select(OrgRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: &OrgId) -> Result<Option<OrgRow>, StoreError> {
    organisations::table
        .find(id)
        .select(OrgRow::as_select())
        .first(conn)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("organisations", id))
}

/// The organisations directly under `id` (the scope rule needs them: the
/// officer of a body also sees the ministry above it).
pub fn children(conn: &mut DbConn, id: &OrgId) -> Result<Vec<OrgId>, StoreError> {
    organisations::table
        .filter(organisations::parent_id.eq(id))
        .order(organisations::id)
        .select(organisations::id)
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("organisations under", id))
}

/// The organisation a stored record names: one that is missing is
/// unreadable stored data (`Corrupt`, a 500), never "not found".
pub fn referenced(conn: &mut DbConn, id: &OrgId) -> Result<OrgRow, StoreError> {
    get(conn, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("organisations {id}: named but missing")))
}

/// The ministry or department an organisation a stored record names is,
/// or is under.
pub fn ministry_of(conn: &mut DbConn, id: &OrgId) -> Result<OrgRow, StoreError> {
    let org = referenced(conn, id)?;
    match &org.parent_id {
        Some(parent) => referenced(conn, parent),
        None => Ok(org),
    }
}

/// Active nodal and sub-nodal officers of an organisation.
pub fn officers(conn: &mut DbConn, org_id: &OrgId) -> Result<Vec<NodalOfficerRow>, StoreError> {
    officers_in(conn, org_id, None)
}

/// Active nodal officers of an organisation, without its sub-nodal
/// officers (a profile names its ministry's as its validators).
pub fn nodal_officers(
    conn: &mut DbConn,
    org_id: &OrgId,
) -> Result<Vec<NodalOfficerRow>, StoreError> {
    officers_in(conn, org_id, Some(Role::NodalOfficer))
}

fn officers_in(
    conn: &mut DbConn,
    org_id: &OrgId,
    role: Option<Role>,
) -> Result<Vec<NodalOfficerRow>, StoreError> {
    let mut query = nodal_officers::table
        .filter(nodal_officers::org_id.eq(org_id))
        .filter(nodal_officers::active.eq(true))
        .into_boxed();
    if let Some(role) = role {
        query = query.filter(nodal_officers::role.eq(role));
    }
    query
        .order(nodal_officers::id)
        .select(NodalOfficerRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("nodal_officers of", org_id))
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Whether an organisation of this name (case aside) is on record beside
/// where `new` goes: among the ministries, or under the same ministry.
fn name_taken(c: &mut DbConn, new: &NewOrg) -> Result<Option<OrgId>, StoreError> {
    let mut q = organisations::table
        .filter(lower(organisations::name).eq(new.name.to_lowercase()))
        .into_boxed();
    q = match &new.parent_id {
        Some(p) => q.filter(organisations::parent_id.eq(p.clone())),
        None => q.filter(organisations::parent_id.is_null()),
    };
    Ok(q.select(organisations::id).first(c).optional()?)
}

/// Creates an organisation, audited. A taken id, or a name taken beside it
/// (two ministries, or two bodies of one ministry, of one name), is a
/// `Conflict`; names are checked under one lock, so two at once cannot both
/// pass.
pub fn create(conn: &mut DbConn, actor: &Actor, new: NewOrg) -> Result<OrgRow, StoreError> {
    audit::audited(conn, actor, |c| {
        crate::db::lock(c, "organisation_names")?;
        if let Some(other) = name_taken(c, &new)? {
            return Err(StoreError::Conflict(format!(
                "Organisation {other} is named \"{}\" already.",
                new.name
            )));
        }
        let now = Utc::now().naive_utc();
        let row = OrgRow {
            id: new.id,
            name: new.name,
            kind: new.kind,
            parent_id: new.parent_id,
            state: new.state,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(organisations::table)
            .values(&row)
            .execute(c)
            .map_err(|e| StoreError::from_write(e, "organisation id already exists"))?;
        let change = Change {
            action: "create",
            entity: "organisation",
            entity_id: row.id.to_string(),
            org_id: Some(row.parent_id.as_ref().unwrap_or(&row.id).to_string()),
            before: None,
            after: serde_json::to_value(&row).ok(),
        };
        Ok((row, change))
    })
}

/// Adds a nodal or sub-nodal officer to an organisation (onboarding, fixtures).
pub fn add_officer(conn: &mut DbConn, officer: &NewNodalOfficer) -> Result<(), StoreError> {
    diesel::insert_into(nodal_officers::table)
        .values(officer)
        .execute(conn)
        .map_err(|e| StoreError::from_write(e, "an officer with this subject exists"))?;
    Ok(())
}

/// Onboards a sub-organisation under a ministry or department with its
/// sub-nodal officer (DEP-1): the organisation and the officer, each
/// audited, in one transaction.
pub fn onboard(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewOrg,
    officer: NewNodalOfficer,
) -> Result<(OrgRow, NodalOfficerRow), StoreError> {
    crate::db::write_transaction(conn, |c| {
        let org = create(c, actor, new)?;
        let added = audit::audited(c, actor, |c| {
            add_officer(c, &officer)?;
            let row = nodal_officers::table
                .filter(nodal_officers::sub.eq(&officer.sub))
                .select(NodalOfficerRow::as_select())
                .first(c)?;
            let change = Change {
                action: "onboard",
                entity: "nodal_officer",
                entity_id: row.sub.clone(),
                org_id: Some(org.parent_id.as_ref().unwrap_or(&org.id).to_string()),
                before: None,
                after: serde_json::to_value(&row).ok(),
            };
            Ok((row, change))
        })?;
        Ok((org, added))
    })
}
