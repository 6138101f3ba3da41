//! Idempotency records (INT-2; draft-ietf-httpapi-idempotency-key-header-07):
//! the first response to a caller's `Idempotency-Key`, shared by every
//! instance through the database.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Binary, Integer, Text};

use crate::dates::WriteTimestamp;
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

/// A request's key, to be claimed by the request's first write
/// transaction (see [`crate::db::write_transaction`]): the claim then costs
/// no commit of its own, and a write that rolls back takes its claim with
/// it. Of concurrent requests with one key, the database lets exactly one
/// claim it; the others' transactions fail with [`StoreError::KeyHeld`].
#[derive(Debug, Clone)]
pub struct Pending {
    pub caller: String,
    pub key: String,
    pub fingerprint: String,
    pub expires_at: NaiveDateTime,
    claimed: Arc<AtomicBool>,
}

impl Pending {
    pub fn new(caller: &str, key: &str, fingerprint: &str, expires_at: NaiveDateTime) -> Self {
        Self {
            caller: caller.to_owned(),
            key: key.to_owned(),
            fingerprint: fingerprint.to_owned(),
            expires_at,
            claimed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether a committed write transaction claimed the key.
    pub fn claimed(&self) -> bool {
        self.claimed.load(Ordering::Acquire)
    }

    pub(crate) fn mark_claimed(&self) {
        self.claimed.store(true, Ordering::Release);
    }
}

thread_local! {
    /// The key of the request whose store work runs on this thread.
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// Runs `work` (a request's store work, on the thread that runs it) with
/// `pending` for its write transactions to claim.
pub fn with_pending<T>(pending: Option<Pending>, work: impl FnOnce() -> T) -> T {
    crate::db::with_local(&PENDING, pending, work)
}

/// The key this thread's work must still claim, if any.
pub(crate) fn pending() -> Option<Pending> {
    PENDING.with_borrow(|p| p.as_ref().filter(|p| !p.claimed()).cloned())
}

/// Claims `p` inside the open write transaction: a new key, or one whose
/// record has expired. A key held fails the transaction.
pub(crate) fn claim_within(conn: &mut DbConn, p: &Pending) -> Result<(), StoreError> {
    use idempotency_keys::dsl as k;
    let now = Utc::now().naive_utc();
    // Diesel compiles an upsert (`ON CONFLICT … DO UPDATE`) anew on every
    // call; an `ON CONFLICT DO NOTHING` insert is prepared once per
    // connection. So a new key is that insert, and a key seen before is
    // taken over by an `UPDATE` only if its record has expired. On SQLite
    // the write transaction holds the write lock; on PostgreSQL the insert
    // waits for a concurrent claim of the key to commit or roll back, and
    // the `UPDATE` re-reads the row it locks: either way one claim wins
    // (bench/speed.md, "Keyed writes").
    let row = (
        k::caller.eq(&p.caller),
        k::idempotency_key.eq(&p.key),
        k::fingerprint.eq(&p.fingerprint),
        k::state.eq("running"),
        k::created_at.eq(WriteTimestamp(now)),
        k::expires_at.eq(WriteTimestamp(p.expires_at)),
    );
    // The multi-backend connection builds no `ON CONFLICT`: the same
    // statement on each backend's own connection type.
    macro_rules! insert {
        ($c:expr) => {
            diesel::insert_into(k::idempotency_keys)
                .values(row)
                .on_conflict_do_nothing()
                .execute($c)
        };
    }
    let inserted = match conn {
        DbConn::Sqlite(c) => insert!(c),
        DbConn::Pg(c) => insert!(c),
    }?;
    settle(conn, p, inserted == 1, now)
}

/// [`claim_within`] and then the lock of `key` ([`crate::db::lock`]), the
/// transaction's first two steps: on PostgreSQL one statement, one round
/// trip (bench/speed.md, "Keyed writes, ninth pass").
pub(crate) fn claim_and_lock(conn: &mut DbConn, p: &Pending, key: &str) -> Result<(), StoreError> {
    let DbConn::Pg(pg) = conn else {
        claim_within(conn, p)?;
        return crate::db::lock(conn, key);
    };
    let now = Utc::now().naive_utc();
    let inserted: i64 = ClaimAndLock {
        caller: &p.caller,
        key: &p.key,
        fingerprint: &p.fingerprint,
        created_at: now,
        expires_at: p.expires_at,
        lock: key,
    }
    .get_result(pg)?;
    settle(conn, p, inserted == 1, now)
}

/// The claim's end: a key inserted is claimed; a key seen before is taken
/// over only if its record has expired with its answer stored (the
/// `UPDATE` re-reads the row it locks, so of two takeovers one wins); else
/// it is held. A record still running is never taken over, expired or not:
/// its write has committed (a claim stands or falls with its write), so a
/// retry of a request that outlived the key's lifetime, or whose answer
/// was lost, must not run it again. The retention purge removes it.
fn settle(
    conn: &mut DbConn,
    p: &Pending,
    inserted: bool,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    use idempotency_keys::dsl as k;
    let claimed = inserted
        || diesel::update(
            k::idempotency_keys
                .find((&p.caller, &p.key))
                .filter(k::expires_at.le(now))
                .filter(k::state.eq("done")),
        )
        .set((
            k::fingerprint.eq(&p.fingerprint),
            k::state.eq("running"),
            k::status.eq(None::<i32>),
            k::headers.eq(None::<&str>),
            k::body.eq(None::<&[u8]>),
            k::created_at.eq(now),
            k::expires_at.eq(p.expires_at),
        ))
        .execute(conn)?
            == 1;
    if claimed {
        Ok(())
    } else {
        Err(StoreError::KeyHeld)
    }
}

crate::fixed::fixed_statement! {
    /// [`claim_and_lock`]'s statement: the claim (as [`claim_within`]'s
    /// insert) and, in the row it counts, the lock (as
    /// [`crate::db::lock`]'s), which so cannot be taken before the claim;
    /// gives how many rows the claim inserted.
    struct ClaimAndLock<'a> on diesel::pg::Pg => diesel::sql_types::BigInt {
        caller: &'a str,
        key: &'a str,
        fingerprint: &'a str,
        created_at: NaiveDateTime,
        expires_at: NaiveDateTime,
        lock: &'a str,
    }
    sql = "WITH claimed AS (INSERT INTO idempotency_keys \
           (caller, idempotency_key, fingerprint, state, created_at, expires_at) VALUES (",
        caller: Text, ", ",
        key: Text, ", ",
        fingerprint: Text, ", 'running', ",
        created_at: diesel::sql_types::Timestamp, ", ",
        expires_at: diesel::sql_types::Timestamp,
        ") ON CONFLICT DO NOTHING RETURNING 1), \
         counted AS (SELECT count(*) AS n FROM claimed) \
         SELECT counted.n FROM counted, LATERAL (SELECT pg_advisory_xact_lock(hashtextextended(",
        lock: Text, ", 0)) WHERE counted.n >= 0) AS locked";
}

/// The record of `key` that holds it, if any: unexpired, or running (a
/// running record is never given up, expired or not). A request that found
/// the key held is answered from it.
pub fn lookup(conn: &mut DbConn, caller: &str, key: &str) -> Result<Option<KeyRow>, StoreError> {
    let now = Utc::now().naive_utc();
    Ok(idempotency_keys::table
        .find((caller, key))
        .filter(
            idempotency_keys::expires_at
                .gt(now)
                .or(idempotency_keys::state.eq("running")),
        )
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// A stored response: status, the headers kept, the body.
pub struct Response<'a> {
    pub status: i32,
    pub headers: &'a str,
    pub body: &'a [u8],
}

/// Inserts the record, or takes over one that has expired; `false` when
/// the key is held. One statement on both backends (`ON CONFLICT … WHERE`),
/// which diesel compiles on every call (it caches no upsert).
fn upsert(
    conn: &mut DbConn,
    p: &Pending,
    now: NaiveDateTime,
    state: &str,
    response: Option<&Response<'_>>,
) -> Result<bool, StoreError> {
    use diesel::query_dsl::methods::FilterDsl;
    use diesel::upsert::excluded;
    use idempotency_keys::dsl as k;
    let row = (
        k::caller.eq(&p.caller),
        k::idempotency_key.eq(&p.key),
        k::fingerprint.eq(&p.fingerprint),
        k::state.eq(state),
        k::status.eq(response.map(|r| r.status)),
        k::headers.eq(response.map(|r| r.headers)),
        k::body.eq(response.map(|r| r.body)),
        k::created_at.eq(WriteTimestamp(now)),
        k::expires_at.eq(WriteTimestamp(p.expires_at)),
    );
    let taken_over = (
        k::fingerprint.eq(excluded(k::fingerprint)),
        k::state.eq(excluded(k::state)),
        k::status.eq(excluded(k::status)),
        k::headers.eq(excluded(k::headers)),
        k::body.eq(excluded(k::body)),
        k::created_at.eq(excluded(k::created_at)),
        k::expires_at.eq(excluded(k::expires_at)),
    );
    // The same statement for each backend's own connection type (the
    // multi-backend connection does not build upserts).
    macro_rules! run {
        ($c:expr) => {{
            let stmt = diesel::insert_into(k::idempotency_keys)
                .values(row)
                .on_conflict((k::caller, k::idempotency_key))
                .do_update()
                .set(taken_over);
            FilterDsl::filter(stmt, k::expires_at.le(now)).execute($c)
        }};
    }
    let n = match conn {
        DbConn::Pg(c) => run!(c),
        DbConn::Sqlite(c) => run!(c),
    }?;
    Ok(n == 1)
}

crate::fixed::fixed_statement! {
    /// The `UPDATE` of a group's responses over their claims on
    /// PostgreSQL: one statement by arrays, however many responses;
    /// `RETURNING` each found item's place in the arrays (from 1).
    struct RespondOverClaims<'a> on diesel::pg::Pg => diesel::sql_types::BigInt {
        callers: Vec<&'a str>,
        keys: Vec<&'a str>,
        statuses: Vec<i32>,
        headers: Vec<&'a str>,
        bodies: Vec<&'a [u8]>,
    }
    sql = "UPDATE idempotency_keys k SET state = 'done', status = v.status, \
           headers = v.headers, body = v.body FROM unnest(",
        callers: Array<Text>, ", ",
        keys: Array<Text>, ", ",
        statuses: Array<Integer>, ", ",
        headers: Array<Text>, ", ",
        bodies: Array<Binary>,
        ") WITH ORDINALITY AS v(caller, idempotency_key, status, headers, body, n) \
         WHERE k.caller = v.caller AND k.idempotency_key = v.idempotency_key \
         RETURNING v.n";
}

crate::fixed::fixed_statement! {
    /// The `UPDATE` of one response over its claim on SQLite, where a
    /// group's responses are one statement each in one transaction (diesel
    /// compiled its own `UPDATE` anew for every response, inside the
    /// writer's turn; bench/speed.md, "Keyed writes, sixth pass").
    struct RespondOverClaim<'a> on diesel::sqlite::Sqlite => diesel::sql_types::Untyped {
        status: i32,
        headers: &'a str,
        body: &'a [u8],
        caller: &'a str,
        key: &'a str,
    }
    sql = "UPDATE idempotency_keys SET state = 'done', status = ", status: Integer,
        ", headers = ", headers: Text,
        ", body = ", body: Binary,
        " WHERE caller = ", caller: Text,
        " AND idempotency_key = ", key: Text, "";
}

/// The connection that stores finished requests' responses (one per
/// instance, the keeper's), set up once for what it does: its commits wait
/// for no disk sync — losing these records in a power failure leaves the
/// keys running until they expire, never a write done twice, and a process
/// crash loses nothing (on SQLite the WAL is written before the commit
/// returns, on PostgreSQL the WAL writer flushes it within a fraction of a
/// second) — so that on PostgreSQL a group needs no transaction of its own
/// and is one statement, one round trip (bench/speed.md, "Keyed writes,
/// fourth pass"); there the setting is this connection's own. On SQLite a
/// group's transaction runs on the process's writer connection when the
/// caller set one ([`crate::db::with_writer`]), whose page cache the
/// request writes keep warm, with the sync switched off for that commit
/// alone (on this connection otherwise).
pub struct ResponseWriter {
    conn: DbConn,
}

impl ResponseWriter {
    pub fn open(url: &crate::DbUrl) -> Result<Self, StoreError> {
        Self::on(url.establish()?)
    }

    /// The writer on a connection made already.
    pub fn on(mut conn: DbConn) -> Result<Self, StoreError> {
        use diesel::connection::SimpleConnection;
        match &mut conn {
            // Each group's commit is unsynced on its own (see
            // `finish_queued`); the connection keeps the service's setting.
            DbConn::Sqlite(_) => {}
            // The group's join is planned once and kept (planning each
            // group anew cost about 0.1 ms of PostgreSQL CPU per keyed
            // request; bench/speed.md, "Keyed writes, fifth pass"). Without
            // sequential scans the kept plan finds each key by the primary
            // key whatever the table's size when it was planned (planned on
            // a small table it was a hash join over the whole table, kept as
            // the table grew). This connection runs nothing but lookups by key.
            DbConn::Pg(c) => c.batch_execute(
                "SET synchronous_commit = off; SET enable_seqscan = off; \
                 SET plan_cache_mode = force_generic_plan",
            )?,
        }
        Ok(Self { conn })
    }

    /// Stores the responses of finished requests. `take` moves what is
    /// queued into `batch`; `view` gives each item's key and response. Each
    /// goes over its claim when its write claimed the key; otherwise (it
    /// wrote nothing, e.g. a rules evaluation) as a new record, unless
    /// another request holds the key: then that item's flag in the returned
    /// list (one per item of `batch`) is `false`.
    ///
    /// On SQLite they are written together, in one transaction taken once
    /// the writer's turn is held (a group commit: every response queued
    /// while this writer waited shares the commit), not synced (see
    /// [`crate::db::Commit::Unsynced`]). On PostgreSQL, where a
    /// commit is no turn of a lock, the claimed ones are one statement on
    /// their own and each other one an upsert: every record stands alone.
    pub fn finish_queued<K>(
        &mut self,
        batch: &mut Vec<K>,
        take: impl FnOnce(&mut Vec<K>),
        view: impl Fn(&K) -> (&Pending, Response<'_>),
    ) -> Result<Vec<bool>, StoreError> {
        let finish = |c: &mut DbConn, batch: &mut Vec<K>| {
            take(batch);
            let now = Utc::now().naive_utc();
            let mut stored = vec![false; batch.len()];
            let (claimed, unclaimed): (Vec<_>, Vec<_>) = batch
                .iter()
                .map(&view)
                .enumerate()
                .partition(|(_, (p, _))| p.claimed());
            match c {
                DbConn::Pg(pg) => respond_over_claims_pg(pg, &claimed, &mut stored)?,
                DbConn::Sqlite(sqlite) => {
                    for (i, (p, response)) in &claimed {
                        stored[*i] = RespondOverClaim {
                            status: response.status,
                            headers: response.headers,
                            body: response.body,
                            caller: &p.caller,
                            key: &p.key,
                        }
                        .execute(sqlite)?
                            == 1;
                    }
                }
            }
            for (i, (p, response)) in &unclaimed {
                stored[*i] = upsert(c, p, now, "done", Some(response))?;
            }
            Ok(stored)
        };
        match self.conn {
            DbConn::Sqlite(_) => {
                crate::db::write_transaction_as(&mut self.conn, crate::db::Commit::Unsynced, |c| {
                    finish(c, batch)
                })
            }
            DbConn::Pg(_) => finish(&mut self.conn, batch),
        }
    }
}

/// Stores the responses of `items` over their claims, and marks in
/// `stored` (by each item's index) those whose claim it found.
fn respond_over_claims_pg(
    pg: &mut diesel::PgConnection,
    items: &[(usize, (&Pending, Response<'_>))],
    stored: &mut [bool],
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> = RespondOverClaims {
        callers: items.iter().map(|(_, (p, _))| p.caller.as_str()).collect(),
        keys: items.iter().map(|(_, (p, _))| p.key.as_str()).collect(),
        statuses: items.iter().map(|(_, (_, r))| r.status).collect(),
        headers: items.iter().map(|(_, (_, r))| r.headers).collect(),
        bodies: items.iter().map(|(_, (_, r))| r.body).collect(),
    }
    .load(pg)?;
    for n in found {
        let item = usize::try_from(n - 1).ok().and_then(|n| items.get(n));
        if let Some(flag) = item.and_then(|(i, _)| stored.get_mut(*i)) {
            *flag = true;
        }
    }
    Ok(())
}

/// Gives the key up (the request was refused after its claim, having
/// written nothing else): a retry runs again. A write transaction like
/// any other: on SQLite it takes its turn at the writer, rather than
/// waiting out `busy_timeout` behind the writers and leaving the key held
/// if it fails.
pub fn release(conn: &mut DbConn, caller: &str, key: &str) -> Result<(), StoreError> {
    crate::db::write_transaction(conn, |c| {
        diesel::delete(idempotency_keys::table.find((caller, key))).execute(c)?;
        Ok(())
    })
}

/// Removes the records past their lifetime whose answer is stored; returns
/// how many. One still running stays: its write has acted, and its key
/// must not be free for a retry to run it again ([`settle`]).
pub fn purge(conn: &mut DbConn) -> Result<usize, StoreError> {
    use idempotency_keys::dsl as k;
    let now = Utc::now().naive_utc();
    crate::db::write_transaction(conn, |c| {
        Ok(diesel::delete(
            k::idempotency_keys
                .filter(k::expires_at.le(WriteTimestamp(now)))
                .filter(k::state.eq("done")),
        )
        .execute(c)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Claims `p` the way a request does: by a write transaction.
    fn claim(conn: &mut DbConn, p: &Pending) -> Result<(), StoreError> {
        with_pending(Some(p.clone()), || {
            crate::db::write_transaction(conn, |_| Ok(()))
        })
    }

    /// A fresh suite database (SQLite in its directory, or PostgreSQL) and
    /// a connection to it.
    fn database() -> (tempfile::TempDir, crate::DbUrl, DbConn) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::suite_database(dir.path()).unwrap();
        let conn = url.establish().unwrap();
        (dir, url, conn)
    }

    /// Expiry times an hour ahead and a second past.
    fn lifetimes() -> (NaiveDateTime, NaiveDateTime) {
        let now = Utc::now().naive_utc();
        (
            now + chrono::TimeDelta::hours(1),
            now - chrono::TimeDelta::seconds(1),
        )
    }

    /// Stores an answer over `caller`'s claim of `key`, as the keeper does.
    fn answer(conn: &mut DbConn, caller: &str, key: &str) {
        use idempotency_keys::dsl as k;
        let n = diesel::update(k::idempotency_keys.find((caller, key)))
            .set((k::state.eq("done"), k::status.eq(Some(201))))
            .execute(conn)
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_key_is_held_until_it_expires_then_claimed_afresh() {
        let (_dir, url, mut conn) = database();
        let (later, past) = lifetimes();
        let first = Pending::new("dopt:a", "k", "fp", later);
        claim(&mut conn, &first).unwrap();
        assert!(first.claimed());
        let again = Pending::new("dopt:a", "k", "fp2", later);
        assert!(matches!(claim(&mut conn, &again), Err(StoreError::KeyHeld)));
        assert!(!again.claimed(), "a refused claim is not marked");
        let row = lookup(&mut conn, "dopt:a", "k").unwrap().unwrap();
        assert_eq!(
            (row.fingerprint.as_str(), row.state.as_str()),
            ("fp", "running")
        );
        claim(&mut conn, &Pending::new("dopt:b", "k", "fp", later)).expect("keys are per caller");
        // A write that rolls back takes its claim with it.
        let rolled = Pending::new("dopt:r", "k", "fp", later);
        let failed: Result<(), StoreError> = with_pending(Some(rolled.clone()), || {
            crate::db::write_transaction(&mut conn, |_| Err(StoreError::Stale))
        });
        assert!(failed.is_err() && !rolled.claimed());
        assert!(lookup(&mut conn, "dopt:r", "k").unwrap().is_none());
        // A record that has expired gives its key up to the next request,
        // once its answer is stored: while it runs, its write has acted.
        claim(&mut conn, &Pending::new("dopt:c", "k", "old", past)).unwrap();
        assert_eq!(
            lookup(&mut conn, "dopt:c", "k").unwrap().unwrap().state,
            "running",
            "an expired running record still holds its key"
        );
        assert!(matches!(
            claim(&mut conn, &Pending::new("dopt:c", "k", "old", later)),
            Err(StoreError::KeyHeld)
        ));
        answer(&mut conn, "dopt:c", "k");
        assert!(
            lookup(&mut conn, "dopt:c", "k").unwrap().is_none(),
            "expired once answered"
        );
        claim(&mut conn, &Pending::new("dopt:c", "k", "new", later))
            .expect("an expired key is free");
        assert!(matches!(
            claim(&mut conn, &Pending::new("dopt:c", "k", "newer", later)),
            Err(StoreError::KeyHeld)
        ));
        // The response is stored over the claim; a request that wrote
        // nothing stores it as a new record, and never over a held key.
        let response = Response {
            status: 201,
            headers: "[]",
            body: b"{}",
        };
        let mut writer = ResponseWriter::open(&url).unwrap();
        let mut finish = |p: &Pending, r: &Response<'_>| {
            let mut batch = Vec::new();
            let stored = writer.finish_queued(
                &mut batch,
                |b| b.push((p.clone(), r.status, r.headers, r.body)),
                |(p, status, headers, body)| {
                    let r = Response {
                        status: *status,
                        headers,
                        body,
                    };
                    (p, r)
                },
            )?;
            assert_eq!(batch.len(), 1, "taken inside the transaction");
            assert_eq!(stored.len(), 1, "a flag per item");
            Ok::<_, StoreError>(stored[0])
        };
        assert!(finish(&first, &response).unwrap());
        let row = lookup(&mut conn, "dopt:a", "k").unwrap().unwrap();
        assert_eq!(
            (row.state.as_str(), row.status, row.body.as_deref()),
            ("done", Some(201), Some(&b"{}"[..]))
        );
        assert!(
            !finish(&again, &response).unwrap(),
            "not stored over another request's key"
        );
        let row = lookup(&mut conn, "dopt:a", "k").unwrap().unwrap();
        assert_eq!(row.fingerprint, "fp", "the holder's record is kept");
        let unwritten = Pending::new("dopt:d", "k", "fp", later);
        assert!(finish(&unwritten, &response).unwrap());
        assert_eq!(
            lookup(&mut conn, "dopt:d", "k").unwrap().unwrap().status,
            Some(201)
        );
        // A group: each response over its own claim, a claim gone (given
        // up) marked unstored, the others stored all the same.
        let group: Vec<Pending> = (0..3)
            .map(|i| Pending::new("dopt:g", &format!("k{i}"), "fp", later))
            .collect();
        for p in &group {
            claim(&mut conn, p).unwrap();
        }
        release(&mut conn, "dopt:g", "k1").unwrap();
        let mut batch = Vec::new();
        let stored = writer
            .finish_queued(
                &mut batch,
                |b| b.extend(group.iter().enumerate()),
                |(i, p)| {
                    let r = Response {
                        status: 200 + i32::try_from(*i).unwrap(),
                        headers: "[]",
                        body: b"{}",
                    };
                    (*p, r)
                },
            )
            .unwrap();
        assert_eq!(stored, [true, false, true]);
        for (key, status) in [("k0", Some(200)), ("k2", Some(202))] {
            let row = lookup(&mut conn, "dopt:g", key).unwrap().unwrap();
            assert_eq!((row.state.as_str(), row.status), ("done", status));
        }
        assert!(lookup(&mut conn, "dopt:g", "k1").unwrap().is_none());
        // Only one write transaction claims: the second is not refused by its own key.
        let twice = Pending::new("dopt:e", "k", "fp", later);
        with_pending(Some(twice.clone()), || {
            crate::db::write_transaction(&mut conn, |_| Ok(()))?;
            crate::db::write_transaction(&mut conn, |_| Ok(()))
        })
        .unwrap();
        assert!(twice.claimed());
    }

    /// The purge takes answered records past their lifetime, and leaves
    /// the live ones and those still running.
    #[test]
    fn the_purge_takes_only_answered_records_past_their_lifetime() {
        let (_dir, _, mut conn) = database();
        let (later, past) = lifetimes();
        for (key, expires, answered) in [
            ("old-done", past, true),
            ("old-running", past, false),
            ("live-done", later, true),
            ("live-running", later, false),
        ] {
            claim(&mut conn, &Pending::new("dopt:p", key, "fp", expires)).unwrap();
            if answered {
                answer(&mut conn, "dopt:p", key);
            }
        }
        assert_eq!(purge(&mut conn).unwrap(), 1);
        let mut left: Vec<String> = idempotency_keys::table
            .select(idempotency_keys::idempotency_key)
            .load(&mut conn)
            .unwrap();
        left.sort();
        assert_eq!(left, ["live-done", "live-running", "old-running"]);
    }

    /// A claim made with the transaction's first lock (one statement on
    /// PostgreSQL) behaves as the claim on its own, and the lock is held
    /// until the transaction ends.
    #[test]
    fn a_claim_with_the_first_lock_is_the_same_claim() {
        let (_dir, url, mut conn) = database();
        let mut other = url.establish().unwrap();
        let (later, past) = lifetimes();
        let locked =
            |conn: &mut DbConn, p: &Pending, work: &mut dyn FnMut() -> Result<(), StoreError>| {
                with_pending(Some(p.clone()), || {
                    crate::db::locked_write_transaction(conn, "record:1", |_| work())
                })
            };
        // While the transaction is open, another's lock of the key waits.
        let first = Pending::new("dopt:a", "k", "fp", later);
        let mut held_by_other = None;
        locked(&mut conn, &first, &mut || {
            if let DbConn::Pg(o) = &mut other {
                use diesel::sql_types::{Bool, Text};
                held_by_other = Some(
                    diesel::select(
                        diesel::dsl::sql::<Bool>("pg_try_advisory_lock(hashtextextended(")
                            .bind::<Text, _>("record:1")
                            .sql(", 0))"),
                    )
                    .get_result::<bool>(o)?,
                );
            }
            Ok(())
        })
        .unwrap();
        if matches!(other, DbConn::Pg(_)) {
            assert_eq!(
                held_by_other,
                Some(false),
                "the lock is taken with the claim"
            );
        }
        assert!(first.claimed());
        let row = lookup(&mut conn, "dopt:a", "k").unwrap().unwrap();
        assert_eq!(
            (row.fingerprint.as_str(), row.state.as_str()),
            ("fp", "running")
        );
        // A key held is refused, by either kind of claim.
        let again = Pending::new("dopt:a", "k", "fp2", later);
        assert!(matches!(
            locked(&mut conn, &again, &mut || Ok(())),
            Err(StoreError::KeyHeld)
        ));
        assert!(matches!(claim(&mut conn, &again), Err(StoreError::KeyHeld)));
        assert!(!again.claimed());
        // A write that rolls back takes its claim with it.
        let rolled = Pending::new("dopt:r", "k", "fp", later);
        assert!(locked(&mut conn, &rolled, &mut || Err(StoreError::Stale)).is_err());
        assert!(!rolled.claimed() && lookup(&mut conn, "dopt:r", "k").unwrap().is_none());
        // An expired record gives its key up once answered, not before.
        claim(&mut conn, &Pending::new("dopt:c", "k", "old", past)).unwrap();
        let fresh = Pending::new("dopt:c", "k", "new", later);
        assert!(matches!(
            locked(&mut conn, &fresh, &mut || Ok(())),
            Err(StoreError::KeyHeld)
        ));
        answer(&mut conn, "dopt:c", "k");
        locked(&mut conn, &fresh, &mut || Ok(())).expect("an expired key is free");
        assert_eq!(
            lookup(&mut conn, "dopt:c", "k")
                .unwrap()
                .unwrap()
                .fingerprint,
            "new"
        );
        // Without a key the lock alone is taken.
        with_pending(None, || {
            crate::db::locked_write_transaction(&mut conn, "record:1", |_| Ok(()))
        })
        .unwrap();
    }
}
