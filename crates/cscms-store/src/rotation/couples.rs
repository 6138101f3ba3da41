//! SPO-1 in a rotation round (ROT-1): couples of officers of a round, the
//! first spouse giving the joint list and the second confirming it. Each
//! write is audited, with a change event under each spouse's organisation
//! so both nodal officers read it.

use chrono::NaiveDateTime;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::rotation::JointChoice;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::employees::{EmployeeRow, Placed};
use crate::json::Json;
use crate::schema::{rotation_couples, rotation_rounds};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rotation_couples, treat_none_as_default_value = false)]
pub struct CoupleRow {
    pub round_id: i64,
    pub first_code: EmployeeCode,
    pub second_code: EmployeeCode,
    pub first_org: OrgId,
    pub second_org: OrgId,
    /// The joint list, most wanted first.
    pub joint: Json<Vec<JointChoice>>,
    pub version: i64,
    pub proposed_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// The couple of a round an officer is in, as either spouse.
pub fn of_officer(
    c: &mut DbConn,
    round_id: i64,
    code: &EmployeeCode,
) -> Result<Option<CoupleRow>, StoreError> {
    rotation_couples::table
        .filter(rotation_couples::round_id.eq(round_id))
        .filter(
            rotation_couples::first_code
                .eq(code)
                .or(rotation_couples::second_code.eq(code)),
        )
        .select(CoupleRow::as_select())
        .first(c)
        .optional()
        .map_err(|e| {
            StoreError::from(e).in_row("rotation_couples of", &format!("{round_id}/{code}"))
        })
}

/// A confirmed couple of a round, with both spouses as on record.
#[derive(Debug, Clone)]
pub struct ConfirmedCouple {
    pub row: CoupleRow,
    pub first: Placed<EmployeeRow>,
    pub second: Placed<EmployeeRow>,
}

/// The confirmed couples of a round, by the first spouse's code, each with
/// both spouses where they serve now. A spouse not on record makes the
/// couple unreadable (`Corrupt`), never a couple skipped.
pub fn confirmed(c: &mut DbConn, round_id: i64) -> Result<Vec<ConfirmedCouple>, StoreError> {
    let rows: Vec<CoupleRow> = rotation_couples::table
        .filter(rotation_couples::round_id.eq(round_id))
        .filter(rotation_couples::confirmed_at.is_not_null())
        .order(rotation_couples::first_code.asc())
        .select(CoupleRow::as_select())
        .load(c)
        .map_err(|e| StoreError::from(e).in_row("rotation_couples of round", &round_id))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key = format!("{round_id}/{}", row.first_code);
        let mut spouse = |code: &EmployeeCode| {
            crate::employees::get(c, code)?.ok_or_else(|| {
                StoreError::Corrupt(format!("spouse {code} not on record"))
                    .in_row("rotation_couples", &key)
            })
        };
        let (first, second) = (spouse(&row.first_code)?, spouse(&row.second_code)?);
        out.push(ConfirmedCouple { row, first, second });
    }
    Ok(out)
}

fn view(row: &CoupleRow) -> serde_json::Value {
    json!({
        "first": row.first_code,
        "second": row.second_code,
        "joint": row.joint.get(),
        "confirmed": row.confirmed_at.is_some(),
        "version": row.version,
    })
}

/// The change, once under each spouse's organisation.
fn changes(
    action: &'static str,
    row: &CoupleRow,
    before: Option<&CoupleRow>,
    after: Option<&CoupleRow>,
) -> Vec<Change> {
    let mut orgs = vec![row.first_org.clone()];
    if row.second_org != row.first_org {
        orgs.push(row.second_org.clone());
    }
    orgs.into_iter()
        .map(|org| Change {
            action,
            entity: "rotation_couple",
            entity_id: format!("{}/{}", row.round_id, row.first_code),
            org_id: Some(org.to_string()),
            before: before.map(view),
            after: after.map(view),
        })
        .collect()
}

/// The version the next change of a couple of round `round_id` takes: the
/// round counts them. A couple is deleted when withdrawn, so counting from
/// its own row would give the next couple of the same officer the versions
/// (and `ETag`s) of the one before, and a confirmation or withdrawal naming
/// the old couple's would act on the new one.
fn next_version(c: &mut DbConn, round_id: i64) -> Result<i64, StoreError> {
    diesel::update(rotation_rounds::table.find(round_id))
        .set(rotation_rounds::couple_versions.eq(rotation_rounds::couple_versions + 1))
        .returning(rotation_rounds::couple_versions)
        .get_result(c)
        .optional()?
        .ok_or(StoreError::Stale)
}

/// Registers a couple, or replaces the one the first spouse is in:
/// `expected` 0 when the first spouse is in none (`Stale` otherwise),
/// else the version of that couple. A replaced couple must be confirmed
/// again. The second spouse in another couple of the round: `Conflict`.
pub fn propose(
    c: &mut DbConn,
    actor: &Actor,
    row: &CoupleRow,
    expected: i64,
) -> Result<i64, StoreError> {
    audit::audited_many(c, actor, |c| {
        let before = of_officer(c, row.round_id, &row.first_code)?;
        match (&before, expected) {
            (None, 0) => {}
            (Some(b), v) if b.version == v => {}
            _ => return Err(StoreError::Stale),
        }
        let version = next_version(c, row.round_id)?;
        let spouse = of_officer(c, row.round_id, &row.second_code)?;
        if spouse.is_some_and(|s| {
            before
                .as_ref()
                .is_none_or(|b| (&b.first_code, &b.second_code) != (&s.first_code, &s.second_code))
        }) {
            return Err(StoreError::Conflict(format!(
                "{} is registered with another spouse in this round",
                row.second_code
            )));
        }
        if let Some(b) = &before {
            let n = diesel::delete(
                rotation_couples::table
                    .find((b.round_id, &b.first_code))
                    .filter(rotation_couples::version.eq(b.version)),
            )
            .execute(c)?;
            if n != 1 {
                return Err(StoreError::Stale);
            }
        }
        let new = CoupleRow {
            version,
            confirmed_at: None,
            ..row.clone()
        };
        diesel::insert_into(rotation_couples::table)
            .values(&new)
            .execute(c)
            .map_err(|e| StoreError::from_write(e, "couple registered meanwhile"))?;
        let action = if before.is_some() { "amend" } else { "propose" };
        Ok((version, changes(action, &new, before.as_ref(), Some(&new))))
    })
}

/// The second spouse confirms the couple at version `expected`.
/// `Ok(false)` when no couple of the round names them second.
pub fn confirm(
    c: &mut DbConn,
    actor: &Actor,
    round_id: i64,
    second_code: &EmployeeCode,
    expected: i64,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    audit::audited_many(c, actor, |c| {
        let Some(before) =
            of_officer(c, round_id, second_code)?.filter(|b| &b.second_code == second_code)
        else {
            return Ok((false, Vec::new()));
        };
        let version = next_version(c, round_id)?;
        let n = diesel::update(
            rotation_couples::table
                .find((round_id, &before.first_code))
                .filter(rotation_couples::version.eq(expected)),
        )
        .set((
            rotation_couples::confirmed_at.eq(Some(at)),
            rotation_couples::version.eq(version),
            rotation_couples::updated_at.eq(at),
        ))
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        let after = CoupleRow {
            confirmed_at: Some(at),
            version,
            updated_at: at,
            ..before.clone()
        };
        Ok((
            true,
            changes("confirm", &after, Some(&before), Some(&after)),
        ))
    })
}

/// Either spouse withdraws the couple at version `expected`. `Ok(false)`
/// when the officer is in no couple of the round.
pub fn withdraw(
    c: &mut DbConn,
    actor: &Actor,
    round_id: i64,
    code: &EmployeeCode,
    expected: i64,
) -> Result<bool, StoreError> {
    audit::audited_many(c, actor, |c| {
        let Some(before) = of_officer(c, round_id, code)? else {
            return Ok((false, Vec::new()));
        };
        let n = diesel::delete(
            rotation_couples::table
                .find((round_id, &before.first_code))
                .filter(rotation_couples::version.eq(expected)),
        )
        .execute(c)?;
        if n != 1 {
            return Err(StoreError::Stale);
        }
        Ok((true, changes("withdraw", &before, Some(&before), None)))
    })
}
