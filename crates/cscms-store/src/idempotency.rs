//! Idempotency records (INT-2; draft-ietf-httpapi-idempotency-key-header-07):
//! the first response to a caller's `Idempotency-Key`, shared by every
//! instance through the database.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub caller: String,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub state: String,
    pub status: Option<i32>,
    pub headers: Option<String>,
    pub body: Option<Vec<u8>>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's: run it, then [`finish`] or [`release`].
    Fresh,
    /// The key was claimed before (and has not expired).
    Taken(KeyRow),
}

/// Claims `key` for `caller` until `expires_at`. The primary key settles a
/// race: of concurrent first requests, exactly one gets [`Claim::Fresh`].
pub fn claim(
    conn: &mut DbConn,
    caller: &str,
    key: &str,
    fingerprint: &str,
    expires_at: NaiveDateTime,
) -> Result<Claim, StoreError> {
    let now = Utc::now().naive_utc();
    // An expired record no longer holds its key.
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::caller.eq(caller))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::expires_at.le(now)),
    )
    .execute(conn)?;
    // One statement, outside any transaction: a refused insert aborts no
    // PostgreSQL transaction.
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::caller.eq(caller),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::state.eq("running"),
            idempotency_keys::created_at.eq(now),
            idempotency_keys::expires_at.eq(expires_at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::Fresh),
        Err(e) => match StoreError::from_write(e, "idempotency key") {
            StoreError::Conflict(_) => {
                let row = idempotency_keys::table
                    .find((caller, key))
                    .select(KeyRow::as_select())
                    .first(conn)
                    .optional()?;
                match row {
                    Some(row) => Ok(Claim::Taken(row)),
                    // Released meanwhile: the caller may retry.
                    None => Err(StoreError::Conflict("idempotency key released".into())),
                }
            }
            other => Err(other),
        },
    }
}

/// Stores the response of the request that claimed the key.
pub fn finish(
    conn: &mut DbConn,
    caller: &str,
    key: &str,
    status: i32,
    headers: &str,
    body: &[u8],
) -> Result<(), StoreError> {
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set((
            idempotency_keys::state.eq("done"),
            idempotency_keys::status.eq(Some(status)),
            idempotency_keys::headers.eq(Some(headers)),
            idempotency_keys::body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives the key up (the request failed on the server): a retry runs again.
pub fn release(conn: &mut DbConn, caller: &str, key: &str) -> Result<(), StoreError> {
    diesel::delete(idempotency_keys::table.find((caller, key))).execute(conn)?;
    Ok(())
}

/// Removes expired records; returns how many.
pub fn purge(conn: &mut DbConn) -> Result<usize, StoreError> {
    let now = Utc::now().naive_utc();
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.le(now)))
            .execute(conn)?,
    )
}
