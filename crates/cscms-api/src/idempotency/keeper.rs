//! Keeping the responses of keyed requests (INT-2) with one write for many:
//! a group commit.
//!
//! Each stored response is a write transaction of its own, after the
//! request's write. On SQLite every write transaction takes a turn of the
//! one writer lock, and under load a turn is dear (the next writer must be
//! woken); on PostgreSQL it is a round trip per statement. So the responses
//! of requests finishing together are written together: a request queues
//! its response and waits; whoever finds no writer at work starts one,
//! which writes everything queued by then (on SQLite in one transaction,
//! taken once the writer's turn is held, after waiting a little for the
//! lock to fall idle, see [`gather`]; on PostgreSQL in one statement),
//! wakes the waiters and goes on while more has queued. A request answers
//! only once its response is stored, so a retry after the answer always
//! replays it. The writer has a connection of its own
//! ([`ResponseWriter`]), outside the pool; on SQLite its rounds run on the
//! process's writer connection, as every write does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web;
use cscms_store::db::{with_writer, SqliteWriter};
use cscms_store::idempotency::{Pending, Response, ResponseWriter};
use cscms_store::{DbUrl, StoreError};
use tokio::sync::oneshot;

/// A finished request's response, to be stored over its key.
pub struct Kept {
    pub pending: Pending,
    pub status: i32,
    pub headers: String,
    pub body: web::Bytes,
}

/// Answered with whether the response was stored (`false`: the key is
/// another request's), or why nothing was.
type Waiter = oneshot::Sender<Result<bool, String>>;

/// The responses waiting to be stored, and whether a writer is at work.
#[derive(Clone)]
pub struct Keeper {
    queue: Arc<Mutex<Vec<(Kept, Waiter)>>>,
    writing: Arc<AtomicBool>,
    database: DbUrl,
    /// The process's SQLite writer connection (`None` on PostgreSQL).
    sqlite_writer: Option<Arc<SqliteWriter>>,
    /// The writer's connection: opened for the first round, and again
    /// after a round that failed.
    connection: Arc<Mutex<Option<ResponseWriter>>>,
}

/// Most responses stored in one round.
const BATCH: usize = 256;

impl Keeper {
    pub fn new(database: DbUrl, sqlite_writer: Option<Arc<SqliteWriter>>) -> Self {
        Self {
            queue: Arc::default(),
            writing: Arc::default(),
            database,
            sqlite_writer,
            connection: Arc::default(),
        }
    }

    /// Stores `kept`, with whatever else is queued; returns once it is
    /// committed, with `false` if the key was found held by another request
    /// (or the reason nothing was committed).
    pub async fn keep(&self, kept: Kept) -> Result<bool, String> {
        let (tx, rx) = oneshot::channel();
        lock(&self.queue).push((kept, tx));
        // The writer runs as its own task, so a request dropped while
        // waiting (its client went away) cannot stop it halfway.
        if !self.writing.swap(true, Ordering::SeqCst) {
            actix_web::rt::spawn(self.clone().write());
        }
        rx.await
            .unwrap_or_else(|_| Err("the response writer stopped".into()))
    }

    /// Writes the queue out until it stays empty. A request that queued
    /// while `writing` was set is taken by the next round here: `writing`
    /// is cleared only when the queue was seen empty, and looked at again
    /// after clearing.
    async fn write(self) {
        loop {
            if self.queued() == 0 {
                self.writing.store(false, Ordering::SeqCst);
                if self.queued() > 0 && !self.writing.swap(true, Ordering::SeqCst) {
                    continue;
                }
                return;
            }
            if matches!(self.database, DbUrl::Sqlite(_)) {
                gather().await;
            }
            let taken: Arc<Mutex<Vec<(Kept, Waiter)>>> = Arc::default();
            let (keeper, into) = (self.clone(), taken.clone());
            let ran = web::block(move || {
                let started = std::time::Instant::now();
                let stored = keeper.round(&into);
                crate::telemetry::observe_db_call(started.elapsed(), stored.is_ok());
                stored
            })
            .await;
            let stored = ran
                .map_err(|_| "the response writer failed (a fault; see the log)".to_owned())
                .and_then(|stored| stored.map_err(|e| crate::error::ApiError::from(e).to_string()));
            let mut batch = std::mem::take(&mut *lock(&taken));
            if batch.is_empty() && stored.is_err() {
                // The transaction never opened (e.g. no connection): what
                // is queued is answered with the reason, not retried forever.
                // A fault while writing left its batch in `taken`.
                batch = self.take();
            }
            for (i, (_, waiter)) in batch.into_iter().enumerate() {
                let outcome = match &stored {
                    Ok(flags) => Ok(flags.get(i).copied().unwrap_or(false)),
                    Err(e) => Err(e.clone()),
                };
                // A waiter gone (its client left) needs no answer.
                let _ = waiter.send(outcome);
            }
        }
    }

    /// One round: what is queued, taken into `into` and stored on the
    /// writer's connection. The batch is gathered in `into` itself, so its
    /// waiters are answered whatever happens, a panic included (the vector
    /// outlives the unwinding and the loop answers them with the fault),
    /// and no other request's response is failed for it.
    fn round(&self, into: &Mutex<Vec<(Kept, Waiter)>>) -> Result<Vec<bool>, StoreError> {
        let mut connection = lock(&self.connection);
        let mut writer = match connection.take() {
            Some(writer) => writer,
            None => ResponseWriter::open(&self.database)?,
        };
        let mut batch = lock(into);
        let stored = with_writer(self.sqlite_writer.clone(), || {
            writer.finish_queued(
                &mut batch,
                |b| b.extend(self.take()),
                |(k, _)| {
                    let response = Response {
                        status: k.status,
                        headers: &k.headers,
                        body: &k.body,
                    };
                    (&k.pending, response)
                },
            )
        });
        if stored.is_ok() {
            *connection = Some(writer);
        }
        stored
    }

    fn queued(&self) -> usize {
        lock(&self.queue).len()
    }

    fn take(&self) -> Vec<(Kept, Waiter)> {
        let mut queue = lock(&self.queue);
        let n = queue.len().min(BATCH);
        queue.drain(..n).collect()
    }
}

/// Most time a round waits for SQLite's writer lock to fall idle.
const GATHER: Duration = Duration::from_millis(5);

/// On SQLite, waits while this process's writers hold the lock, up to
/// [`GATHER`]. The keeper's turn would queue behind theirs and take the
/// responses of one or two requests; meanwhile every keyed write among them
/// queues its response too, so the round that follows writes them all in
/// one turn, and the writers lose no turns to it (bench/speed.md, "Keyed
/// writes, fifth pass"). The bound keeps writers that never fall idle from
/// holding responses back: the round then takes its turn in the queue.
async fn gather() {
    let since = Instant::now();
    while cscms_store::db::sqlite_writer_busy() && since.elapsed() < GATHER {
        actix_web::rt::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The queue's lock; a panic elsewhere while holding it left the vector whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writers that never let SQLite's lock fall idle do not hold a
    /// response back: the keeper gathers for a while, then takes its turn.
    #[actix_web::test]
    async fn a_response_is_kept_while_writers_never_fall_idle() {
        let dir = tempfile::tempdir().unwrap();
        let database = cscms_store::testing::fresh_database(None, dir.path()).unwrap();
        let keeper = Keeper::new(database.clone(), SqliteWriter::of(&database));
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let (database, stop) = (database.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut conn = database.establish().unwrap();
                    let mut turns = 0u32;
                    while !stop.load(Ordering::SeqCst) {
                        cscms_store::db::write_transaction(&mut conn, |_| {
                            std::thread::sleep(Duration::from_millis(2));
                            Ok(())
                        })
                        .unwrap();
                        turns += 1;
                    }
                    turns
                })
            })
            .collect();
        // The two writers hand the lock to each other.
        while !cscms_store::db::sqlite_writer_busy() {
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        let later = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).naive_utc();
        let kept = Kept {
            pending: Pending::new("dopt:k", "gather", "fp", later),
            status: 201,
            headers: "[]".into(),
            body: web::Bytes::from_static(b"{}"),
        };
        let started = Instant::now();
        let stored = actix_web::rt::time::timeout(Duration::from_secs(5), keeper.keep(kept)).await;
        let writers_ran_on = !stop.swap(true, Ordering::SeqCst);
        let turns: u32 = writers.into_iter().map(|w| w.join().unwrap()).sum();
        assert_eq!(stored.expect("kept within 5 s"), Ok(true));
        assert!(writers_ran_on && turns > 0);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "kept in {:?} while the writers ran",
            started.elapsed()
        );
    }
}
