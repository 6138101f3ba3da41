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
    // A new key, the usual case, costs this one statement: on SQLite every
    // write statement queues for the one writer, so nothing else is written
    // unless the key was seen before.
    if insert(conn, caller, key, fingerprint, now, expires_at)? {
        return Ok(Claim::Fresh);
    }
    let row = idempotency_keys::table
        .find((caller, key))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(row) if row.expires_at > now => Ok(Claim::Taken(row)),
        // An expired record no longer holds its key: clear it and claim again.
        Some(_) => {
            diesel::delete(
                idempotency_keys::table
                    .filter(idempotency_keys::caller.eq(caller))
                    .filter(idempotency_keys::idempotency_key.eq(key))
                    .filter(idempotency_keys::expires_at.le(now)),
            )
            .execute(conn)?;
            if insert(conn, caller, key, fingerprint, now, expires_at)? {
                Ok(Claim::Fresh)
            } else {
                Err(StoreError::Conflict(
                    "idempotency key claimed meanwhile".into(),
                ))
            }
        }
        // Released meanwhile: the caller may retry.
        None => Err(StoreError::Conflict("idempotency key released".into())),
    }
}

/// Inserts the claim; `false` when the key is held already. One statement,
/// outside any transaction: a refused insert aborts no PostgreSQL transaction.
fn insert(
    conn: &mut DbConn,
    caller: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<bool, StoreError> {
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
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from_write(e, "idempotency key") {
            StoreError::Conflict(_) => Ok(false),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_held_until_it_expires_then_claimed_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::fresh_database(None, dir.path()).unwrap();
        let mut conn = url.establish().unwrap();
        let now = Utc::now().naive_utc();
        let later = now + chrono::TimeDelta::hours(1);
        let past = now - chrono::TimeDelta::seconds(1);
        assert!(matches!(
            claim(&mut conn, "dopt:a", "k", "fp", later).unwrap(),
            Claim::Fresh
        ));
        match claim(&mut conn, "dopt:a", "k", "fp2", later).unwrap() {
            Claim::Taken(row) => assert_eq!(
                (row.fingerprint.as_str(), row.state.as_str()),
                ("fp", "running")
            ),
            Claim::Fresh => panic!("a held key was claimed twice"),
        }
        assert!(
            matches!(
                claim(&mut conn, "dopt:b", "k", "fp", later).unwrap(),
                Claim::Fresh
            ),
            "keys are per caller"
        );
        // A record that has expired gives its key up to the next request.
        assert!(matches!(
            claim(&mut conn, "dopt:c", "k", "old", past).unwrap(),
            Claim::Fresh
        ));
        match claim(&mut conn, "dopt:c", "k", "new", later).unwrap() {
            Claim::Fresh => {}
            Claim::Taken(_) => panic!("an expired key still held"),
        }
        match claim(&mut conn, "dopt:c", "k", "newer", later).unwrap() {
            Claim::Taken(row) => assert_eq!(row.fingerprint, "new"),
            Claim::Fresh => panic!("the fresh claim did not hold"),
        }
    }
}
