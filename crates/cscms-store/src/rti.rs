//! The cadre division's register of RTI requests (RTI-1): receipt, fee,
//! the reply deadline and the reply.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::rti::{self, Deadline, FeeMode};
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::schema::rti_requests;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rti_requests)]
pub struct RtiRow {
    pub id: i64,
    pub received_on: NaiveDate,
    pub applicant_name: String,
    pub applicant_address: String,
    pub subject: String,
    pub fee_amount: i64,
    pub fee_mode: FeeMode,
    pub fee_reference: Option<String>,
    pub fee_accepted: bool,
    pub fee_refusal_reason: Option<String>,
    pub reply_due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub reply_summary: Option<String>,
    pub version: i64,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RtiRow {
    /// The reply deadline under the period in force on the day received
    /// (RTI-1). The register takes no request received before there was
    /// one, so a row without it is unreadable stored data (`Corrupt`).
    pub fn deadline(&self) -> Result<Deadline, StoreError> {
        rti::reply_due(self.received_on).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "rti_requests {}: received_on {} has no reply period",
                self.id, self.received_on
            ))
        })
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = rti_requests, treat_none_as_default_value = false)]
pub struct NewRti {
    pub received_on: NaiveDate,
    pub applicant_name: String,
    pub applicant_address: String,
    pub subject: String,
    pub fee_amount: i64,
    pub fee_mode: FeeMode,
    pub fee_reference: Option<String>,
    pub fee_accepted: bool,
    pub fee_refusal_reason: Option<String>,
    pub reply_due_on: NaiveDate,
    pub version: i64,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Enters a request in the register, audited.
pub fn register(c: &mut DbConn, actor: &Actor, new: &NewRti) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let id: i64 = diesel::insert_into(rti_requests::table)
            .values(new)
            .returning(rti_requests::id)
            .get_result(c)?;
        let change = Change {
            action: "register",
            entity: "rti_request",
            entity_id: id.to_string(),
            org_id: None,
            before: None,
            after: Some(json!({
                "received_on": new.received_on,
                "applicant_name": new.applicant_name,
                "fee_mode": new.fee_mode,
                "fee_amount": new.fee_amount,
                "fee_accepted": new.fee_accepted,
                "reply_due_on": new.reply_due_on,
            })),
        };
        Ok((id, change))
    })
}

/// Records the reply, if the request is still at `expected` and unanswered
/// (`Stale` otherwise), audited.
pub fn reply(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected: i64,
    replied_on: NaiveDate,
    summary: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    audit::audited(c, actor, |c| {
        let n = diesel::update(
            rti_requests::table
                .find(id)
                .filter(rti_requests::version.eq(expected))
                .filter(rti_requests::replied_on.is_null()),
        )
        .set((
            rti_requests::replied_on.eq(Some(replied_on)),
            rti_requests::reply_summary.eq(Some(summary)),
            rti_requests::version.eq(expected + 1),
            rti_requests::updated_at.eq(at),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        let change = Change {
            action: "reply",
            entity: "rti_request",
            entity_id: id.to_string(),
            org_id: None,
            before: Some(json!({ "replied_on": null, "version": expected })),
            after: Some(json!({ "replied_on": replied_on, "version": expected + 1 })),
        };
        Ok(((), change))
    })
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<RtiRow>, StoreError> {
    Ok(rti_requests::table
        .find(id)
        .select(RtiRow::as_select())
        .first(c)
        .optional()?)
}

/// Which requests a listing wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtiFilter {
    /// The register, newest first; a page starts below `before` (an id).
    All { before: Option<i64> },
    /// No reply recorded and the last day for it before `on`, the longest
    /// overdue first; a page starts after `after` (last day, id).
    OverdueOn {
        on: NaiveDate,
        after: Option<(NaiveDate, i64)>,
    },
}

/// A page of requests in the filter's order, keyed on a unique ordering
/// (the id breaks ties), so a row is neither skipped nor repeated between
/// pages.
pub fn list(c: &mut DbConn, filter: RtiFilter, limit: i64) -> Result<Vec<RtiRow>, StoreError> {
    let q = rti_requests::table.into_boxed();
    let q = match filter {
        RtiFilter::All { before } => {
            let q = q.order(rti_requests::id.desc());
            match before {
                Some(id) => q.filter(rti_requests::id.lt(id)),
                None => q,
            }
        }
        RtiFilter::OverdueOn { on, after } => {
            let q = q
                .filter(rti_requests::replied_on.is_null())
                .filter(rti_requests::reply_due_on.lt(on))
                .order((rti_requests::reply_due_on.asc(), rti_requests::id.asc()));
            match after {
                Some((due, id)) => q.filter(
                    rti_requests::reply_due_on
                        .gt(due)
                        .or(rti_requests::reply_due_on
                            .eq(due)
                            .and(rti_requests::id.gt(id))),
                ),
                None => q,
            }
        }
    };
    Ok(q.limit(limit).select(RtiRow::as_select()).load(c)?)
}
