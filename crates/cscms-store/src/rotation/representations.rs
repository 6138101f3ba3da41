//! Representations against rotation results (ROT-1).

use chrono::NaiveDateTime;
use cscms_domain::cursor::AtId;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::rotation::representation::RepState;
use cscms_domain::workflow::Step;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::schema::{employees, organisations, rotation_representations};
use crate::steps::{self, with_step};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rotation_representations)]
pub struct RepRow {
    pub id: i64,
    pub round_id: i64,
    pub run_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: RepState,
    /// Who approved the run represented against: never its hearer.
    pub approved_by: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = rotation_representations, treat_none_as_default_value = false)]
pub struct NewRep {
    pub round_id: i64,
    pub run_id: i64,
    pub employee_code: EmployeeCode,
    pub org_id: OrgId,
    pub state: RepState,
    pub approved_by: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A representation with where it sits (the organisation's parent).
#[derive(Debug, Clone)]
pub struct RepRecord {
    pub row: RepRow,
    pub org_parent: Option<OrgId>,
}

/// Files a representation with its opening step, audited; one per officer
/// per round (`Conflict` otherwise).
pub fn file(c: &mut DbConn, actor: &Actor, new: &NewRep, step: &Step) -> Result<i64, StoreError> {
    with_step(c, actor, step, new.org_id.as_str(), |c| {
        let id: i64 = diesel::insert_into(rotation_representations::table)
            .values(new)
            .returning(rotation_representations::id)
            .get_result(c)
            .map_err(|e| StoreError::from_write(e, "a representation in this round"))?;
        Ok(Some((id, id)))
    })
}

/// Moves a representation by a step, if it is still in the state the step leaves.
pub fn advance(c: &mut DbConn, actor: &Actor, id: i64, step: &Step) -> Result<(), StoreError> {
    steps::advance(
        c,
        actor,
        id,
        step,
        steps::state_update!(rotation_representations, id, step),
    )
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<RepRecord>, StoreError> {
    Ok(rotation_representations::table
        .inner_join(organisations::table)
        .filter(rotation_representations::id.eq(id))
        .select((RepRow::as_select(), organisations::parent_id))
        .first::<(RepRow, Option<OrgId>)>(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("rotation_representations", &id))?
        .map(|(row, org_parent)| RepRecord { row, org_parent }))
}

/// The id of an officer's representation in a round, if filed.
pub fn find(c: &mut DbConn, round_id: i64, code: &EmployeeCode) -> Result<Option<i64>, StoreError> {
    Ok(rotation_representations::table
        .filter(rotation_representations::round_id.eq(round_id))
        .filter(rotation_representations::employee_code.eq(code))
        .select(rotation_representations::id)
        .first(c)
        .optional()?)
}

/// Representations awaiting a hearing, oldest first, with the officer's
/// name: at most `limit` after the cursor `after`.
pub fn pending(
    c: &mut DbConn,
    after: Option<AtId>,
    limit: i64,
) -> Result<Vec<(RepRow, String)>, StoreError> {
    let mut q = rotation_representations::table
        .inner_join(employees::table)
        .filter(rotation_representations::state.eq("submitted"))
        .into_boxed();
    if let Some(a) = after {
        use rotation_representations::{id, submitted_at};
        q = crate::keyset::after_at_id!(q, submitted_at, id, a, true);
    }
    Ok(q.order((
        rotation_representations::submitted_at.asc(),
        rotation_representations::id.asc(),
    ))
    .limit(limit)
    .select((RepRow::as_select(), employees::name))
    .load(c)?)
}
