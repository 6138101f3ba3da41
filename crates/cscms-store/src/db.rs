//! Connections: one diesel `MultiConnection` over SQLite and PostgreSQL, and
//! an r2d2 manager that picks the backend from the URL scheme, so that a
//! PostgreSQL failure is reported as itself.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};

use crate::StoreError;

/// One connection to whichever backend is configured.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs one diesel expression on the concrete connection behind a
/// [`DbConn`]: the same code, compiled for each backend. Through the
/// `MultiConnection` every execution serialises the query to SQL again
/// before the statement cache is consulted; on the concrete connection the
/// cache finds the prepared statement by the query's type. For the hot
/// lookups only (bench/speed.md); everything else goes through `DbConn`.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Sqlite($c) => $body,
            $crate::DbConn::Pg($c) => $body,
        }
    };
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DbUrl {
    /// `postgres://…` / `postgresql://…`, or `sqlite://PATH` / a bare path.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(StoreError::Url(format!(
                "'{url}' is neither postgres://… nor sqlite://PATH"
            )));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            DbUrl::Postgres(_) => "postgres",
            DbUrl::Sqlite(_) => "sqlite",
        }
    }

    /// The URL with any password masked, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let userinfo = &u[s + 3..at];
                    let user = userinfo.split(':').next().unwrap_or("");
                    format!("{}{}:***{}", &u[..s + 3], user, &u[at..])
                }
                _ => u.clone(),
            },
        }
    }

    /// Opens one connection, configured for CSCMS.
    pub fn establish(&self) -> Result<DbConn, StoreError> {
        match self {
            DbUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(|e| StoreError::Connect(format!("postgres: {e}"))),
            DbUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Connect(format!("sqlite: cannot create {}: {e}", dir.display()))
                    })?;
                }
                let target = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&target)
                    .map_err(|e| StoreError::Connect(format!("sqlite: {e}")))?;
                // busy_timeout first: switching to WAL may itself wait on a lock.
                // Temporary files in memory: a multi-row INSERT inside a
                // transaction keeps a statement journal of every page it
                // touches, and on disk that was two write calls per page
                // (most of a bulk import's time, bench/speed.md).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA temp_store = MEMORY;",
                )
                .map_err(|e| StoreError::Connect(format!("sqlite: {e}")))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Whether the database answers (readiness).
pub fn ping(conn: &mut DbConn) -> Result<(), StoreError> {
    conn.batch_execute("SELECT 1").map_err(StoreError::Query)
}

/// Runs `work` in one read transaction: a consistent read across tables.
/// Writes go through [`write_transaction`].
pub fn transaction<T>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.transaction(work)
}

/// Runs `work` as one write transaction: its writes stand or fall together.
///
/// On SQLite it begins with `BEGIN IMMEDIATE`, taking the write lock before
/// the first read: a deferred transaction that reads and then writes is
/// refused at once (SQLITE_BUSY) when another writer holds the lock, and
/// `busy_timeout` cannot make it wait; an immediate one waits its turn.
/// Inside a transaction already open it is a savepoint of that one.
pub fn write_transaction<T>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    write_transaction_as(conn, Commit::Synced, work)
}

/// [`write_transaction`] for work whose first step is taking the lock of
/// `key` ([`lock`]), which this takes before `work` runs. On PostgreSQL the
/// request's Idempotency-Key is claimed by that same statement, so a keyed
/// write costs no round trip more than one without a key (INT-2;
/// bench/speed.md, "Keyed writes, ninth pass").
pub fn locked_write_transaction<T>(
    conn: &mut DbConn,
    key: &str,
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    write_transaction_in(conn, Commit::Synced, Some(key), work)
}

/// How a write transaction's commit reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Commit {
    /// Synced before the commit returns (`synchronous = FULL`): what every
    /// record of the service needs.
    Synced,
    /// On SQLite, written to the WAL but synced with a later commit
    /// (`synchronous = NORMAL` for this transaction): a power failure may
    /// lose it, a process crash may not. Only for what may be lost so
    /// (the stored responses of keyed requests, [`crate::idempotency`]).
    Unsynced,
}

/// [`write_transaction`], its commit as `commit` says.
pub(crate) fn write_transaction_as<T>(
    conn: &mut DbConn,
    commit: Commit,
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    write_transaction_in(conn, commit, None, work)
}

/// [`write_transaction_as`], its first step the lock of `first_lock` when
/// one is given.
fn write_transaction_in<T>(
    conn: &mut DbConn,
    commit: Commit,
    first_lock: Option<&str>,
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Ansi = AnsiTransactionManager;
    let (outermost, sqlite) = match conn {
        DbConn::Sqlite(c) => {
            let status =
                <Ansi as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(c);
            (status.transaction_depth()?.is_none(), true)
        }
        DbConn::Pg(c) => {
            let status =
                <Ansi as TransactionManager<PgConnection>>::transaction_manager_status_mut(c);
            (status.transaction_depth()?.is_none(), false)
        }
    };
    if !outermost {
        return conn.transaction(|c| {
            if let Some(key) = first_lock {
                lock(c, key)?;
            }
            work(c)
        });
    }
    // The request's Idempotency-Key, when it has one not yet claimed, is
    // claimed by its first write transaction, so the claim costs no commit
    // of its own and stands or falls with the write (INT-2). The claim comes
    // first, before the lock: a retry waits on its first's claim holding
    // nothing another writer needs.
    let pending = crate::idempotency::pending();
    let work = |c: &mut DbConn| {
        match (&pending, first_lock) {
            (Some(p), Some(key)) => crate::idempotency::claim_and_lock(c, p, key)?,
            (Some(p), None) => crate::idempotency::claim_within(c, p)?,
            (None, Some(key)) => lock(c, key)?,
            (None, None) => {}
        }
        work(c)
    };
    let out = if sqlite {
        let _turn = sqlite_writer_turn()?;
        // The process's writer connection for this database, if the caller
        // set one (see [`SqliteWriter`]); else the caller's own.
        let writer = WRITER.with_borrow(Clone::clone);
        let mut held = match &writer {
            Some(w) => Some(w.connection()?),
            None => None,
        };
        let conn = match held.as_mut().and_then(|h| h.as_mut()) {
            Some(own) => own,
            None => conn,
        };
        let unsynced = commit == Commit::Unsynced;
        // SQLite refuses to change the setting inside a transaction.
        if unsynced {
            conn.batch_execute("PRAGMA synchronous = NORMAL")?;
        }
        let out = sqlite_transaction(conn, work);
        if unsynced {
            if let Err(e) = conn.batch_execute("PRAGMA synchronous = FULL") {
                // Never leave the connection every write shares less
                // durable than it was opened: drop it (the next write
                // opens it afresh), or fail on a caller's own.
                match held.as_mut() {
                    Some(h) => **h = None,
                    None => return Err(e.into()),
                }
            }
        }
        out
    } else {
        conn.transaction(work)
    };
    if let (Ok(_), Some(p)) = (&out, &pending) {
        p.mark_claimed();
    }
    out
}

/// Runs `work` in a `BEGIN IMMEDIATE` transaction on SQLite `conn`.
fn sqlite_transaction<T>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConn::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    // The transaction is open on the SQLite connection; the `DbConn`'s
    // manager delegates to that connection's, so it commits or rolls back
    // the same transaction (and nested `transaction` calls are savepoints).
    type Manager = <DbConn as Connection>::TransactionManager;
    match work(conn) {
        Ok(out) => Manager::commit_transaction(conn)
            .map(|()| out)
            .map_err(Into::into),
        Err(e) => {
            Manager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// The one connection a process's SQLite write transactions run on, for one
/// database. SQLite keeps a page cache per connection and empties it
/// whenever another connection has committed since: with every write on
/// whichever pooled connection was free, each write transaction began by
/// reading again every page it touched, while holding the one writer turn
/// (bench/speed.md, "Keyed writes, sixth pass"). Writes take turns anyway
/// ([`sqlite_writer_turn`]), so they lose nothing by sharing a connection,
/// whose cache then stays warm. Reads keep the pool.
pub struct SqliteWriter {
    database: DbUrl,
    connection: parking_lot::Mutex<Option<DbConn>>,
}

impl SqliteWriter {
    /// The writer of `database`, if it is SQLite (PostgreSQL writers run
    /// side by side on their pooled connections).
    pub fn of(database: &DbUrl) -> Option<std::sync::Arc<Self>> {
        matches!(database, DbUrl::Sqlite(_)).then(|| {
            std::sync::Arc::new(Self {
                database: database.clone(),
                connection: parking_lot::Mutex::new(None),
            })
        })
    }

    /// The connection, opened on first use, and afresh when the last one
    /// was left broken or inside a transaction (work that panicked, a
    /// rollback that failed): dropped first, so that its open transaction
    /// and SQLite's write lock go with it.
    fn connection(&self) -> Result<parking_lot::MutexGuard<'_, Option<DbConn>>, StoreError> {
        let mut held = self.connection.lock();
        if held
            .as_mut()
            .is_some_and(diesel::r2d2::R2D2Connection::is_broken)
        {
            *held = None;
        }
        if held.is_none() {
            *held = Some(self.database.establish()?);
        }
        Ok(held)
    }
}

thread_local! {
    /// The writer connection of the store work running on this thread.
    static WRITER: std::cell::RefCell<Option<std::sync::Arc<SqliteWriter>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `work` (store work, on the thread that runs it) with its write
/// transactions on `writer`'s connection rather than the one they are
/// given. Without a writer they run on the connection given.
pub fn with_writer<T>(writer: Option<std::sync::Arc<SqliteWriter>>, work: impl FnOnce() -> T) -> T {
    with_local(&WRITER, writer, work)
}

/// Runs `work` with this thread's `key` set to `value`, and what it held
/// before put back afterwards, also when `work` panics.
pub(crate) fn with_local<V: 'static, T>(
    key: &'static std::thread::LocalKey<std::cell::RefCell<Option<V>>>,
    value: Option<V>,
    work: impl FnOnce() -> T,
) -> T {
    struct Restore<V: 'static>(
        &'static std::thread::LocalKey<std::cell::RefCell<Option<V>>>,
        Option<V>,
    );
    impl<V> Drop for Restore<V> {
        fn drop(&mut self) {
            self.0.set(self.1.take());
        }
    }
    let _restore = Restore(key, key.replace(value));
    work()
}

/// SQLite has one writer at a time, and its own wait (`busy_timeout`)
/// polls with sleeps of up to 100 ms and keeps no queue: under many
/// writers the lock sits idle between sleeps and an unlucky writer waits
/// for seconds (bench/speed.md). This process's writers queue here first
/// and are handed the turn in arrival order. One process serves one
/// database; where a process opens several (tests), their writes merely
/// take turns.
static SQLITE_WRITERS: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());

/// Whether a writer of this process holds SQLite's turn now.
pub fn sqlite_writer_busy() -> bool {
    SQLITE_WRITERS.is_locked()
}

/// This writer's turn, waited for as long as SQLite's `busy_timeout`.
fn sqlite_writer_turn() -> Result<parking_lot::FairMutexGuard<'static, ()>, StoreError> {
    SQLITE_WRITERS
        .try_lock_for(Duration::from_secs(10))
        .ok_or(StoreError::Busy)
}

/// Makes the other writers of one record (`key`, e.g. `vigilance:CSS-000001`)
/// wait until the current write transaction ends, so a read that decides a
/// write cannot be overtaken by a concurrent writer (PRF-4). On SQLite the
/// write transaction already holds the database's write lock.
pub fn lock(conn: &mut DbConn, key: &str) -> Result<(), StoreError> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Pg(c) => {
            RecordLock { key }.execute(c)?;
            Ok(())
        }
    }
}

crate::fixed::fixed_statement! {
    /// [`lock`]'s statement, prepared once per connection: as a `sql_query`
    /// PostgreSQL parsed and planned it again in every write, about 0.1 ms
    /// of its CPU per audited write (bench/speed.md, "Statements prepared
    /// once").
    struct RecordLock<'a> on diesel::pg::Pg => diesel::sql_types::Untyped {
        key: &'a str,
    }
    sql = "SELECT pg_advisory_xact_lock(hashtextextended(", key: diesel::sql_types::Text, ", 0))";
}

diesel::define_sql_function!(fn last_insert_rowid() -> diesel::sql_types::BigInt);

/// Rows per multi-row INSERT of [`insert_many`]: a whole chunk is one
/// statement whose SQL never varies, which diesel prepares once per
/// connection (16 columns make 4,000 parameters, within both backends'
/// limits).
pub(crate) const ROWS_PER_INSERT: usize = 250;

/// The rows of one multi-row INSERT of [`insert_many`]: a whole chunk, or
/// the fewer rows left at the end, whose statement is built for them.
pub(crate) enum Chunk<'a, R> {
    Whole(&'a [R; ROWS_PER_INSERT]),
    Rest(&'a [R]),
}

/// Inserts `rows` by multi-row INSERTs of [`ROWS_PER_INSERT`] rows, inside
/// a write transaction, and gives their ids in the order of the rows.
/// Called through [`insert_rows!`], which writes the statement for each
/// backend and size of chunk.
///
/// A multi-row INSERT takes its ids in the order of its rows: on SQLite
/// the write transaction holds the database and an `AUTOINCREMENT` table
/// gives each row the next rowid, so the ids are the last one and those
/// just before it, read without `RETURNING`, whose rows SQLite buffers in a
/// temporary table (bench/speed.md, "APAR import, second pass"); on
/// PostgreSQL the sequence's next value row after row, which `RETURNING`
/// gives in no promised order, so they are sorted back into it.
pub(crate) fn insert_many<R>(
    conn: &mut DbConn,
    rows: &[R],
    sqlite: impl Fn(&mut SqliteConnection, Chunk<'_, R>) -> QueryResult<usize>,
    pg: impl Fn(&mut PgConnection, Chunk<'_, R>) -> QueryResult<Vec<i64>>,
) -> Result<Vec<i64>, StoreError> {
    let mut all = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let rows = match <&[R; ROWS_PER_INSERT]>::try_from(chunk) {
            Ok(whole) => Chunk::Whole(whole),
            Err(_) => Chunk::Rest(chunk),
        };
        let mut ids = match &mut *conn {
            DbConn::Sqlite(c) => {
                let inserted = sqlite(c, rows)?;
                let last: i64 = diesel::select(last_insert_rowid()).get_result(c)?;
                let count = i64::try_from(inserted).unwrap_or(i64::MAX);
                if inserted != chunk.len() || last < count {
                    return Err(StoreError::Corrupt(format!(
                        "{inserted} of {} rows inserted, the last as {last}",
                        chunk.len()
                    )));
                }
                (last - count + 1..=last).collect()
            }
            DbConn::Pg(c) => pg(c, rows)?,
        };
        ids.sort_unstable();
        all.extend(ids);
    }
    Ok(all)
}

/// Inserts `rows` into `table` by [`insert_many`] and gives their ids
/// (`id`) in the order of the rows.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $id:expr, $rows:expr) => {
        $crate::db::insert_many(
            $conn,
            $rows,
            |c, chunk| match chunk {
                $crate::db::Chunk::Whole(rows) => {
                    diesel::insert_into($table).values(rows).execute(c)
                }
                $crate::db::Chunk::Rest(rows) => {
                    diesel::insert_into($table).values(rows).execute(c)
                }
            },
            |c, chunk| match chunk {
                $crate::db::Chunk::Whole(rows) => diesel::insert_into($table)
                    .values(rows)
                    .returning($id)
                    .get_results(c),
                $crate::db::Chunk::Rest(rows) => diesel::insert_into($table)
                    .values(rows)
                    .returning($id)
                    .get_results(c),
            },
        )
    };
}
pub(crate) use insert_rows;

/// r2d2 manager dispatching on the URL scheme.
#[derive(Debug)]
pub struct DbManager {
    url: DbUrl,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConn, StoreError> {
        self.url.establish()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), StoreError> {
        ping(conn)
    }

    /// A connection left inside a transaction (or a panicking thread's)
    /// is dropped, not handed to the next request.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

pub type DbPool = Pool<DbManager>;
pub type PooledDb = PooledConnection<DbManager>;

/// Builds a pool; fails at once (with the backend's own error) if the first
/// connection cannot be made.
pub fn connect_pool(url: &DbUrl, size: u32) -> Result<DbPool, StoreError> {
    // Fail fast with the real cause rather than r2d2's generic time-out.
    drop(url.establish()?);
    r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        // No `SELECT 1` before every use: a broken connection fails its own
        // query and is then dropped (has_broken), and /readyz pings.
        .test_on_check_out(false)
        .build(DbManager { url: url.clone() })
        .map_err(StoreError::Pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With a writer set, a write transaction runs on the writer's
    /// connection, not the one it is given; without, on the one given.
    #[test]
    fn sqlite_writes_run_on_the_writer_connection() {
        use diesel::dsl::sql;
        use diesel::sql_types::BigInt;
        let changes = |c: &mut DbConn| -> i64 {
            diesel::select(sql::<BigInt>("total_changes()"))
                .get_result(c)
                .unwrap()
        };
        let rows = |c: &mut DbConn| -> i64 {
            diesel::select(sql::<BigInt>("(SELECT count(*) FROM t)"))
                .get_result(c)
                .unwrap()
        };
        let insert = |c: &mut DbConn| -> Result<(), StoreError> {
            c.batch_execute("INSERT INTO t VALUES (1)")?;
            Ok(())
        };
        let dir = tempfile::TempDir::new().unwrap();
        let url = DbUrl::Sqlite(dir.path().join("w.db"));
        let mut given = url.establish().unwrap();
        given.batch_execute("CREATE TABLE t (x INTEGER)").unwrap();
        let writer = SqliteWriter::of(&url).unwrap();
        for _ in 0..3 {
            with_writer(Some(writer.clone()), || {
                write_transaction(&mut given, insert)
            })
            .unwrap();
        }
        assert_eq!((changes(&mut given), rows(&mut given)), (0, 3));
        let on_writer = changes(writer.connection().unwrap().as_mut().unwrap());
        assert_eq!(on_writer, 3);
        write_transaction(&mut given, insert).unwrap();
        assert_eq!((changes(&mut given), rows(&mut given)), (1, 4));
        // A failed write rolls back on the writer and leaves it usable.
        let failed = with_writer(Some(writer.clone()), || {
            write_transaction(&mut given, |c| {
                insert(c)?;
                Err::<(), _>(StoreError::Busy)
            })
        });
        assert!(matches!(failed, Err(StoreError::Busy)));
        with_writer(Some(writer.clone()), || {
            write_transaction(&mut given, insert)
        })
        .unwrap();
        assert_eq!(rows(&mut given), 5);
        // Work that panics leaves the writer inside its transaction; the
        // next write opens a connection afresh, and the half-done one is gone.
        let panicked: Result<Result<(), StoreError>, _> =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                with_writer(Some(writer.clone()), || {
                    write_transaction(&mut given, |c| {
                        insert(c)?;
                        panic!("work that panics")
                    })
                })
            }));
        assert!(panicked.is_err());
        with_writer(Some(writer.clone()), || {
            write_transaction(&mut given, insert)
        })
        .unwrap();
        assert_eq!(rows(&mut given), 6);
        assert!(SqliteWriter::of(&DbUrl::Postgres("postgres://x/y".into())).is_none());
    }

    /// An unsynced commit (the kept responses of keyed requests) is
    /// unsynced alone: the writer connection every write shares is back to
    /// `synchronous = FULL` after it, whether it committed, failed or panicked.
    #[test]
    fn an_unsynced_commit_leaves_the_writer_synced() {
        use diesel::dsl::sql;
        use diesel::sql_types::Integer;
        const NORMAL: i32 = 1;
        const FULL: i32 = 2;
        let level = |c: &mut DbConn| -> Result<i32, StoreError> {
            Ok(
                diesel::select(sql::<Integer>("(SELECT * FROM pragma_synchronous())"))
                    .get_result(c)?,
            )
        };
        let dir = tempfile::TempDir::new().unwrap();
        let url = DbUrl::Sqlite(dir.path().join("u.db"));
        let mut given = url.establish().unwrap();
        let writer = SqliteWriter::of(&url).unwrap();
        let on_writer = || level(writer.connection().unwrap().as_mut().unwrap()).unwrap();
        let mut inside = |commit| {
            with_writer(Some(writer.clone()), || {
                write_transaction_as(&mut given, commit, level)
            })
            .unwrap()
        };
        assert_eq!(inside(Commit::Synced), FULL);
        assert_eq!(inside(Commit::Unsynced), NORMAL);
        assert_eq!(on_writer(), FULL);
        let failed = with_writer(Some(writer.clone()), || {
            write_transaction_as(&mut given, Commit::Unsynced, |_| {
                Err::<(), _>(StoreError::Busy)
            })
        });
        assert!(matches!(failed, Err(StoreError::Busy)));
        assert_eq!(on_writer(), FULL);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_writer(Some(writer.clone()), || {
                write_transaction_as(&mut given, Commit::Unsynced, |_| -> Result<(), _> {
                    panic!("work that panics")
                })
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(
            on_writer(),
            FULL,
            "the connection left behind is opened afresh"
        );
        // Without a writer, on the connection given, likewise.
        let own = write_transaction_as(&mut given, Commit::Unsynced, level).unwrap();
        assert_eq!((own, level(&mut given).unwrap()), (NORMAL, FULL));
    }

    #[test]
    fn parses_schemes() {
        assert_eq!(
            DbUrl::parse("sqlite://data/x.db").unwrap(),
            DbUrl::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DbUrl::parse("./x.db").unwrap(),
            DbUrl::Sqlite("./x.db".into())
        );
        assert_eq!(
            DbUrl::parse("postgres://u@h/db").unwrap().backend(),
            "postgres"
        );
        assert!(DbUrl::parse("mysql://h/db").is_err());
        assert!(DbUrl::parse("").is_err());
    }

    #[test]
    fn a_connection_left_in_a_transaction_goes_back_broken() {
        use diesel::connection::TransactionManager;
        let dir = tempfile::tempdir().unwrap();
        let url = DbUrl::parse(&dir.path().join("t.db").display().to_string()).unwrap();
        let manager = DbManager { url: url.clone() };
        let mut conn = url.establish().unwrap();
        assert!(!manager.has_broken(&mut conn));
        <DbConn as Connection>::TransactionManager::begin_transaction(&mut conn).unwrap();
        assert!(manager.has_broken(&mut conn));
    }

    #[test]
    fn redacts_passwords() {
        let u = DbUrl::parse("postgres://cscms:s3cret@db:5432/cscms").unwrap();
        assert_eq!(u.redacted(), "postgres://cscms:***@db:5432/cscms");
    }

    #[test]
    fn postgres_failure_is_reported_as_itself() {
        let u = DbUrl::parse("postgres://nobody@127.0.0.1:1/none").unwrap();
        let err = u
            .establish()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("database connection: postgres:"), "{err}");
        assert!(!err.contains("invalid"), "{err}");
    }
}
