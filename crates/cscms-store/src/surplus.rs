//! Surplus Cell requisitions and their nominations (SUR-1). Every write
//! is a workflow step or an appointment, recorded with its audit row and
//! change event in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use cscms_domain::surplus::{OverdueCursor, StoredRequisition, SurState};
use cscms_domain::workflow::Step;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::{organisations, surplus_nominations as noms, surplus_requisitions as reqs};
use crate::steps::{self, with_step};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reqs)]
pub struct RequisitionRow {
    pub id: i64,
    pub org_id: OrgId,
    pub state: SurState,
    pub version: i64,
    pub designation: String,
    pub total_vacancies: i64,
    /// The versioned proforma.
    pub document: Json<StoredRequisition>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RequisitionRow {
    /// The number of vacancies (SUR-1); a stored count out of range is a
    /// fault of the row.
    pub fn vacancies(&self) -> Result<u32, StoreError> {
        u32::try_from(self.total_vacancies).map_err(|e| {
            StoreError::Corrupt(format!("total_vacancies: {e}"))
                .in_row("surplus_requisitions", &self.id)
        })
    }
}

/// A new requisition as the API has checked it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reqs, treat_none_as_default_value = false)]
pub struct NewRequisition {
    pub org_id: OrgId,
    pub state: SurState,
    pub version: i64,
    pub designation: String,
    pub total_vacancies: i64,
    pub document: Json<StoredRequisition>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A requisition with the organisation it sits in.
#[derive(Debug, Clone)]
pub struct RequisitionRecord {
    pub row: RequisitionRow,
    pub org_name: String,
    pub org_parent: Option<OrgId>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = noms)]
pub struct NominationRow {
    pub requisition_id: i64,
    pub seq: i64,
    pub name: String,
    pub particulars: String,
    pub nominated_on: NaiveDate,
    pub due_on: NaiveDate,
    pub appointed_on: Option<NaiveDate>,
    pub appointment_order: Option<String>,
}

/// A surplus employee nominated against a requisition's vacancies.
#[derive(Debug, Clone)]
pub struct NewNomination {
    pub name: String,
    pub particulars: String,
    pub nominated_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// A nomination with where its requisition sits (for the overdue list).
#[derive(Debug, Clone)]
pub struct NominationRecord {
    pub row: NominationRow,
    pub org_id: OrgId,
    pub org_parent: Option<OrgId>,
    pub designation: String,
}

/// Drafts a requisition with its opening step, audited.
pub fn draft(
    c: &mut DbConn,
    actor: &Actor,
    new: &NewRequisition,
    step: &Step,
) -> Result<i64, StoreError> {
    with_step(c, actor, step, new.org_id.as_str(), |c| {
        let id: i64 = diesel::insert_into(reqs::table)
            .values(new)
            .returning(reqs::id)
            .get_result(c)?;
        Ok(Some((id, id)))
    })
}

fn org_of(c: &mut DbConn, id: i64) -> Result<String, StoreError> {
    Ok(reqs::table
        .find(id)
        .select(reqs::org_id)
        .first::<String>(c)?)
}

/// Moves a requisition by a step, if it is still in the state the step leaves.
pub fn advance(c: &mut DbConn, actor: &Actor, id: i64, step: &Step) -> Result<(), StoreError> {
    steps::advance(c, actor, id, step, |c, from| moved(c, id, step, from))
}

/// The state-guarded move of a requisition, a new version: its organisation,
/// or none when it was not in `from`.
fn moved(c: &mut DbConn, id: i64, step: &Step, from: &str) -> QueryResult<Option<String>> {
    diesel::update(reqs::table.find(id).filter(reqs::state.eq(from)))
        .set((
            reqs::state.eq(step.to_state),
            reqs::version.eq(reqs::version + 1),
            reqs::updated_at.eq(step.at),
        ))
        .returning(reqs::org_id)
        .get_result(c)
        .optional()
}

/// A proforma as stored, with the columns lists show.
#[derive(Debug, Clone)]
pub struct Proforma {
    pub designation: String,
    pub total_vacancies: i64,
    /// The versioned document.
    pub document: Json<StoredRequisition>,
}

/// Replaces the proforma of a draft still at `expected_version` (the
/// `amend` step); `Stale` when it has moved on or left the draft state.
pub fn amend(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    doc: &Proforma,
    step: &Step,
) -> Result<(), StoreError> {
    let org = org_of(c, id)?;
    with_step(c, actor, step, &org, |c| {
        let n = diesel::update(
            reqs::table
                .find(id)
                .filter(reqs::state.eq(step.from_state.unwrap_or_default()))
                .filter(reqs::version.eq(expected_version)),
        )
        .set((
            reqs::designation.eq(&doc.designation),
            reqs::total_vacancies.eq(doc.total_vacancies),
            reqs::document.eq(&doc.document),
            reqs::version.eq(expected_version + 1),
            reqs::updated_at.eq(step.at),
        ))
        .execute(c)?;
        Ok((n == 1).then_some((id, ())))
    })
}

/// Moves a requisition to `nominated` and records the nominees, numbered
/// from 1, with the step: all or nothing.
pub fn nominate(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    step: &Step,
    nominees: &[NewNomination],
) -> Result<(), StoreError> {
    steps::advance(c, actor, id, step, |c, from| {
        let Some(org) = moved(c, id, step, from)? else {
            return Ok(None);
        };
        for (seq, n) in (1_i64..).zip(nominees) {
            diesel::insert_into(noms::table)
                .values((
                    noms::requisition_id.eq(id),
                    noms::seq.eq(seq),
                    noms::name.eq(&n.name),
                    noms::particulars.eq(&n.particulars),
                    noms::nominated_on.eq(n.nominated_on),
                    noms::due_on.eq(n.due_on),
                ))
                .execute(c)?;
        }
        Ok(Some(org))
    })
}

/// Records the appointment of a nominee not yet appointed; `Stale` if it
/// has been recorded meanwhile.
pub fn appoint(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    seq: i64,
    appointed_on: NaiveDate,
    order: &str,
) -> Result<(), StoreError> {
    audit::audited(c, actor, |c| {
        let org = org_of(c, id)?;
        let n = diesel::update(
            noms::table
                .find((id, seq))
                .filter(noms::appointed_on.is_null()),
        )
        .set((
            noms::appointed_on.eq(Some(appointed_on)),
            noms::appointment_order.eq(Some(order)),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        // The requisition shows its nominations: its version (its `ETag`)
        // moves on with an appointment as with any change of it.
        diesel::update(reqs::table.find(id))
            .set(reqs::version.eq(reqs::version + 1))
            .execute(c)?;
        let change = Change {
            action: "appoint",
            entity: "surplus_nomination",
            entity_id: format!("{id}/{seq}"),
            org_id: Some(org),
            before: None,
            after: Some(json!({ "appointed_on": appointed_on, "order": order })),
        };
        Ok(((), change))
    })
}

type Joined = (RequisitionRow, String, Option<OrgId>);

fn record((row, org_name, org_parent): Joined) -> RequisitionRecord {
    RequisitionRecord {
        row,
        org_name,
        org_parent,
    }
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<RequisitionRecord>, StoreError> {
    Ok(reqs::table
        .inner_join(organisations::table)
        .filter(reqs::id.eq(id))
        .select((
            RequisitionRow::as_select(),
            organisations::name,
            organisations::parent_id,
        ))
        .first::<Joined>(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("surplus_requisitions", &id))?
        .map(record))
}

/// Requisitions visible under `visibility`, optionally in one state,
/// oldest first.
pub fn list(
    c: &mut DbConn,
    visibility: &Visibility,
    state: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<RequisitionRecord>, StoreError> {
    let Some(visible) = crate::scope::visible_orgs(visibility) else {
        return Ok(Vec::new());
    };
    let mut q = reqs::table
        .inner_join(organisations::table)
        .filter(visible)
        .into_boxed();
    if let Some(s) = state {
        q = q.filter(reqs::state.eq(s.to_owned()));
    }
    if let Some(a) = after {
        q = q.filter(reqs::id.gt(a));
    }
    Ok(q.order(reqs::id.asc())
        .limit(limit)
        .select((
            RequisitionRow::as_select(),
            organisations::name,
            organisations::parent_id,
        ))
        .load::<Joined>(c)
        .map_err(|e| StoreError::from(e).in_row("surplus_requisitions", &"list"))?
        .into_iter()
        .map(record)
        .collect())
}

/// The nominations of one requisition, in order.
pub fn nominations(c: &mut DbConn, id: i64) -> Result<Vec<NominationRow>, StoreError> {
    Ok(noms::table
        .filter(noms::requisition_id.eq(id))
        .order(noms::seq.asc())
        .select(NominationRow::as_select())
        .load(c)?)
}

/// Nominations not appointed whose last day fell before `today`
/// (certificate 11), visible under `visibility`, the longest overdue first,
/// a page of at most `limit` after the cursor `after`.
pub fn overdue(
    c: &mut DbConn,
    visibility: &Visibility,
    today: NaiveDate,
    after: Option<OverdueCursor>,
    limit: i64,
) -> Result<Vec<NominationRecord>, StoreError> {
    let Some(visible) = crate::scope::visible_orgs(visibility) else {
        return Ok(Vec::new());
    };
    let mut q = noms::table
        .inner_join(reqs::table.inner_join(organisations::table))
        .into_boxed();
    // Keyed on the list's order, unique with the nomination's key, so a
    // nomination is neither skipped nor repeated between pages.
    if let Some(a) = after {
        q = q.filter(
            noms::due_on.gt(a.due_on).or(noms::due_on.eq(a.due_on).and(
                noms::requisition_id
                    .gt(a.requisition_id)
                    .or(noms::requisition_id
                        .eq(a.requisition_id)
                        .and(noms::seq.gt(a.seq))),
            )),
        );
    }
    Ok(q
        // Not appointed by `today` (an appointment made later had not been).
        .filter(
            noms::appointed_on
                .is_null()
                .or(noms::appointed_on.gt(today)),
        )
        .filter(noms::due_on.lt(today))
        .filter(visible)
        .order((
            noms::due_on.asc(),
            noms::requisition_id.asc(),
            noms::seq.asc(),
        ))
        .limit(limit)
        .select((
            NominationRow::as_select(),
            reqs::org_id,
            organisations::parent_id,
            reqs::designation,
        ))
        .load::<(NominationRow, OrgId, Option<OrgId>, String)>(c)?
        .into_iter()
        .map(|(row, org_id, org_parent, designation)| NominationRecord {
            row,
            org_id,
            org_parent,
            designation,
        })
        .collect())
}
