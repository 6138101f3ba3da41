//! ROT-1: the rotation rounds DoPT announces, amends before their window
//! opens and cancels before their allocation, each write audited with its
//! change event.

use chrono::{NaiveDate, NaiveDateTime};
use cscms_domain::cadre::Cadre;
use cscms_domain::rotation::round::{overlaps, RoundDates, RoundState, RoundTerms};
use diesel::dsl::{Eq, Filter, Find};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::rotation_rounds;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rotation_rounds)]
pub struct RoundRow {
    pub id: i64,
    #[diesel(embed)]
    pub terms: RoundTermsRow,
    pub state: RoundState,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The terms of a round, as announced or amended.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rotation_rounds, treat_none_as_default_value = false)]
pub struct RoundTermsRow {
    pub cadre: Cadre,
    /// The grade codes of the round, as the cadre structure spells them.
    pub grades: Json<Vec<String>>,
    pub preferences_open: NaiveDate,
    pub preferences_close: NaiveDate,
    pub allocation_on: NaiveDate,
    pub orders_on: NaiveDate,
    pub min_preferences: i32,
    pub max_preferences: i32,
}

#[derive(Insertable)]
#[diesel(table_name = rotation_rounds, treat_none_as_default_value = false)]
struct NewRound<'a> {
    #[diesel(embed)]
    terms: RoundTermsRow,
    state: RoundState,
    version: i64,
    created_by: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn terms_json(t: &RoundTermsRow) -> Value {
    json!({
        "cadre": t.cadre.as_str(),
        "grades": t.grades.get(),
        "preferences_open": t.preferences_open,
        "preferences_close": t.preferences_close,
        "allocation_on": t.allocation_on,
        "orders_on": t.orders_on,
        "min_preferences": t.min_preferences,
        "max_preferences": t.max_preferences,
    })
}

/// The change a write makes to round `id`; rounds belong to no organisation.
fn round_change(action: &'static str, id: i64, before: Option<Value>, after: Value) -> Change {
    Change {
        action,
        entity: "rotation_round",
        entity_id: id.to_string(),
        org_id: None,
        before,
        after: Some(after),
    }
}

/// What writing a round's terms came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written: the round's id.
    Done(i64),
    /// Not written: the terms overlap those of this round, not cancelled
    /// ([`overlaps`]).
    Overlaps(i64),
}

impl RoundTermsRow {
    /// The terms as the domain's rules read them.
    pub fn domain(&self) -> RoundTerms<'_> {
        RoundTerms {
            cadre: self.cadre,
            grades: self.grades.get(),
            dates: RoundDates {
                preferences_open: self.preferences_open,
                preferences_close: self.preferences_close,
                allocation_on: self.allocation_on,
                orders_on: self.orders_on,
            },
            min_preferences: u32::try_from(self.min_preferences).unwrap_or_default(),
            max_preferences: u32::try_from(self.max_preferences).unwrap_or_default(),
        }
    }
}

/// The first round of the cadre of `terms`, not cancelled and other than
/// `except`, whose terms overlap them (ROT-1).
fn overlapping(
    c: &mut DbConn,
    terms: &RoundTermsRow,
    except: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let mut q = rotation_rounds::table
        .filter(rotation_rounds::cadre.eq(terms.cadre))
        .filter(rotation_rounds::state.ne(RoundState::Cancelled))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(rotation_rounds::id.ne(id));
    }
    let others: Vec<(i64, RoundTermsRow)> = q
        .order(rotation_rounds::id.asc())
        .select((rotation_rounds::id, RoundTermsRow::as_select()))
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("rotation_rounds", &terms.cadre.as_str()))?;
    let mine = terms.domain();
    Ok(others
        .iter()
        .find(|(_, other)| overlaps(&mine, &other.domain()))
        .map(|(id, _)| *id))
}

/// The lock the rounds of a cadre are written under: the overlap is looked
/// up and the terms written under it (on SQLite the write transaction
/// holds the database's write lock), so of two overlapping rounds written
/// at once only the first is.
fn cadre_lock(terms: &RoundTermsRow) -> String {
    format!("rotation_rounds:{}", terms.cadre.as_str())
}

/// Announces a round (version 1), audited, unless it overlaps a round of
/// its cadre not cancelled (ROT-1).
pub fn create(
    c: &mut DbConn,
    actor: &Actor,
    terms: &RoundTermsRow,
    at: NaiveDateTime,
) -> Result<Written, StoreError> {
    crate::db::locked_write_transaction(c, &cadre_lock(terms), |c| {
        if let Some(other) = overlapping(c, terms, None)? {
            return Ok(Written::Overlaps(other));
        }
        announce(c, actor, terms, at).map(Written::Done)
    })
}

fn announce(
    c: &mut DbConn,
    actor: &Actor,
    terms: &RoundTermsRow,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    audit::audited(c, actor, |c| {
        let id: i64 = diesel::insert_into(rotation_rounds::table)
            .values(NewRound {
                terms: terms.clone(),
                state: RoundState::Announced,
                version: 1,
                created_by: &actor.sub,
                created_at: at,
                updated_at: at,
            })
            .returning(rotation_rounds::id)
            .get_result(c)?;
        Ok((id, round_change("announce", id, None, terms_json(terms))))
    })
}

type Announced = Filter<
    Filter<Find<rotation_rounds::table, i64>, Eq<rotation_rounds::version, i64>>,
    Eq<rotation_rounds::state, RoundState>,
>;

/// Round `id` if it is still announced at version `expected`: the only
/// round a write may change (ROT-1).
fn announced(id: i64, expected: i64) -> Announced {
    rotation_rounds::table
        .find(id)
        .filter(rotation_rounds::version.eq(expected))
        .filter(rotation_rounds::state.eq(RoundState::Announced))
}

/// One row changed, or the round moved on since it was read.
fn one(n: usize) -> Result<(), StoreError> {
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// Replaces the terms of a round still announced at version `expected`
/// (`Stale` otherwise), audited with the terms before and after, unless
/// the new terms overlap another round of their cadre not cancelled (ROT-1).
pub fn amend(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected: i64,
    terms: &RoundTermsRow,
    at: NaiveDateTime,
) -> Result<Written, StoreError> {
    crate::db::locked_write_transaction(c, &cadre_lock(terms), |c| {
        if let Some(other) = overlapping(c, terms, Some(id))? {
            return Ok(Written::Overlaps(other));
        }
        replace(c, actor, id, expected, terms, at).map(|()| Written::Done(id))
    })
}

fn replace(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected: i64,
    terms: &RoundTermsRow,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    audit::audited(c, actor, |c| {
        let before = get(c, id)?.ok_or(StoreError::Stale)?;
        one(diesel::update(announced(id, expected))
            .set((
                terms,
                rotation_rounds::version.eq(expected + 1),
                rotation_rounds::updated_at.eq(at),
            ))
            .execute(c)?)?;
        let change = round_change(
            "amend",
            id,
            Some(terms_json(&before.terms)),
            terms_json(terms),
        );
        Ok(((), change))
    })
}

/// Cancels a round still announced at version `expected` (`Stale`
/// otherwise), audited with the reason.
pub fn cancel(
    c: &mut DbConn,
    actor: &Actor,
    id: i64,
    expected: i64,
    reason: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    audit::audited(c, actor, |c| {
        one(diesel::update(announced(id, expected))
            .set((
                rotation_rounds::state.eq(RoundState::Cancelled),
                rotation_rounds::cancel_reason.eq(Some(reason)),
                rotation_rounds::version.eq(expected + 1),
                rotation_rounds::updated_at.eq(at),
            ))
            .execute(c)?)?;
        let change = round_change(
            "cancel",
            id,
            Some(json!({ "state": "announced" })),
            json!({ "state": "cancelled", "reason": reason }),
        );
        Ok(((), change))
    })
}

pub fn get(c: &mut DbConn, id: i64) -> Result<Option<RoundRow>, StoreError> {
    rotation_rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("rotation_rounds", &id))
}

/// Rounds, newest first; with `cadre` and `open_on`, only the cadre's
/// announced rounds whose window has not closed by that day.
pub fn list(
    c: &mut DbConn,
    cadre: Option<Cadre>,
    open_on: Option<NaiveDate>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<RoundRow>, StoreError> {
    let mut q = rotation_rounds::table.into_boxed();
    if let Some(cadre) = cadre {
        q = q.filter(rotation_rounds::cadre.eq(cadre));
    }
    if let Some(on) = open_on {
        q = q
            .filter(rotation_rounds::state.eq(RoundState::Announced))
            .filter(rotation_rounds::preferences_close.ge(on));
    }
    if let Some(b) = before {
        q = q.filter(rotation_rounds::id.lt(b));
    }
    q.order(rotation_rounds::id.desc())
        .limit(limit)
        .select(RoundRow::as_select())
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("rotation_rounds", &"list"))
}
