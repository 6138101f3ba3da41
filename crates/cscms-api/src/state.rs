//! What every handler can reach: the pool, the token verifier, the limits.

use actix_web::web;
use cscms_store::{DbConn, DbPool, DbUrl, StoreError};

use crate::auth::Verifier;
use crate::config::ServiceSettings;
use crate::error::ApiError;
use crate::oauth::Issuer;
use crate::print::verification::PrintDesk;

/// Employee list pages kept by default, in MiB (`CSCMS_LIST_CACHE_MIB`).
pub const DEFAULT_LIST_CACHE_MIB: usize = 16;
/// Employee records kept by default, in MiB (`CSCMS_RECORD_CACHE_MIB`).
pub const DEFAULT_RECORD_CACHE_MIB: usize = 16;

pub struct AppState {
    pub pool: DbPool,
    /// The connection every SQLite write transaction of this instance runs
    /// on (see [`cscms_store::db::SqliteWriter`]); `None` on PostgreSQL.
    writer: Option<std::sync::Arc<cscms_store::db::SqliteWriter>>,
    pub verifier: Verifier,
    /// The authorisation server for integration clients (issue 15).
    pub oauth: Issuer,
    pub max_body_bytes: usize,
    /// Browser origins allowed by CORS (`CSCMS_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// Addresses that may read `/metrics` without a token (`CSCMS_METRICS_ALLOW`).
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// How long an `Idempotency-Key` holds its response (`CSCMS_IDEMPOTENCY_TTL_SECS`).
    pub idempotency_ttl: chrono::TimeDelta,
    /// Stores keyed requests' responses, many in one write.
    pub idempotency: crate::idempotency::Keeper,
    /// Rate-limit policies (`CSCMS_RATE_LIMIT_*`).
    pub rate_limits: crate::ratelimit::Policies,
    /// Whether rate-limit state is shared through the database (PostgreSQL).
    pub shared_rate_limits: bool,
    /// The in-memory limiter of an embedded instance.
    pub local_limits: crate::ratelimit::Local,
    /// Requests reserved from the shared rate-limit state (PostgreSQL).
    pub leases: crate::ratelimit::Leases,
    /// Verification codes of prints (PRF-5).
    pub prints: PrintDesk,
    /// Policy settings of the employee services (AOI-1).
    pub services: ServiceSettings,
    /// Webhook delivery (INT-2).
    pub webhooks: crate::config::WebhookSettings,
    /// Seals webhook secrets at rest and opens them to sign (INT-2).
    pub sealer: std::sync::Arc<crate::webhooks::seal::Sealer>,
    /// Employee list pages kept while the list version stands
    /// (`CSCMS_LIST_CACHE_MIB`).
    pub employee_pages:
        std::sync::Arc<crate::page_cache::PageCache<crate::page_cache::EmployeePageKey>>,
    /// Employee records kept while the list version stands
    /// (`CSCMS_RECORD_CACHE_MIB`).
    pub employee_records: std::sync::Arc<crate::page_cache::RecordCache>,
    /// The list version's reads, shared by requests waiting at once.
    list_version: crate::page_cache::VersionGate,
    /// Whether short reads run on the request's own worker (embedded
    /// SQLite); see [`AppState::read`].
    inline_reads: bool,
    /// Turns at the pool for short reads on the blocking pool, one per
    /// connection, given in arrival order (see [`AppState::read`]).
    turns: tokio::sync::Semaphore,
}

impl AppState {
    pub fn new(
        pool: DbPool,
        database: &DbUrl,
        verifier: Verifier,
        oauth: Issuer,
        sealer: std::sync::Arc<crate::webhooks::seal::Sealer>,
        max_body_bytes: usize,
    ) -> Self {
        let writer = cscms_store::db::SqliteWriter::of(database);
        Self {
            verifier,
            oauth,
            max_body_bytes,
            cors_origins: Vec::new(),
            metrics_allow: Vec::new(),
            idempotency_ttl: chrono::TimeDelta::hours(24),
            list_version: crate::page_cache::VersionGate::default(),
            employee_pages: std::sync::Arc::new(crate::page_cache::PageCache::new(
                DEFAULT_LIST_CACHE_MIB << 20,
            )),
            employee_records: std::sync::Arc::new(crate::page_cache::PageCache::new(
                DEFAULT_RECORD_CACHE_MIB << 20,
            )),
            idempotency: crate::idempotency::Keeper::new(database.clone(), writer.clone()),
            rate_limits: crate::ratelimit::Policies::default(),
            shared_rate_limits: matches!(database, DbUrl::Postgres(_)),
            local_limits: crate::ratelimit::Local::default(),
            leases: crate::ratelimit::Leases::default(),
            prints: PrintDesk::default(),
            services: ServiceSettings::default(),
            webhooks: crate::config::WebhookSettings::default(),
            sealer,
            inline_reads: matches!(database, DbUrl::Sqlite(_)),
            writer,
            turns: tokio::sync::Semaphore::new(pool.max_size() as usize),
            pool,
        }
    }

    /// The same state, with the browser origins CORS allows.
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = origins;
        self
    }

    /// The same state, letting these addresses read `/metrics` without a token.
    pub fn with_metrics_allow(mut self, addresses: Vec<std::net::IpAddr>) -> Self {
        self.metrics_allow = addresses;
        self
    }

    /// The same state, with the employee services' settings.
    pub fn with_services(mut self, services: ServiceSettings) -> Self {
        self.services = services;
        self
    }

    /// The same state, with these webhook settings.
    pub fn with_webhooks(mut self, webhooks: crate::config::WebhookSettings) -> Self {
        self.webhooks = webhooks;
        self
    }

    /// The same state, keeping idempotency keys for `secs` seconds.
    pub fn with_idempotency_ttl(mut self, secs: u64) -> Self {
        self.idempotency_ttl =
            chrono::TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000));
        self
    }

    /// The same state, keeping at most `mib` MiB of employee list pages
    /// (0: none).
    pub fn with_list_cache(mut self, mib: usize) -> Self {
        self.employee_pages = std::sync::Arc::new(crate::page_cache::PageCache::new(mib << 20));
        self
    }

    /// The same state, keeping at most `mib` MiB of employee records (0:
    /// none).
    pub fn with_record_cache(mut self, mib: usize) -> Self {
        self.employee_records = std::sync::Arc::new(crate::page_cache::PageCache::new(mib << 20));
        self
    }

    /// The same state, with these rate-limit policies.
    pub fn with_rate_limits(mut self, policies: crate::ratelimit::Policies) -> Self {
        self.rate_limits = policies;
        self
    }

    /// The list version (of list pages and records), when reading it is a
    /// round trip worth sharing (see [`crate::page_cache::VersionGate`]);
    /// `None` on the embedded database, where each request reads it with
    /// its page ([`Self::kept_or_read`]).
    async fn shared_list_version(state: &web::Data<Self>) -> Option<i64> {
        if state.inline_reads {
            return None;
        }
        let read = {
            let state = state.clone();
            move || {
                let state = state.clone();
                async move { state.read(cscms_store::list_versions::employees).await.ok() }
            }
        };
        state.list_version.current(read).await
    }

    /// What `cache` keeps for `key` at the current list version, or else
    /// what `load` reads for it, with the version read before it: the
    /// version under which to keep what was read (see
    /// [`crate::page_cache`]). A `scan` goes to the blocking pool, as
    /// [`Self::db`]; anything else is a short read ([`Self::read`]).
    pub async fn kept_or_read<K, V, T, F>(
        state: &web::Data<Self>,
        cache: &std::sync::Arc<crate::page_cache::PageCache<K, V>>,
        key: K,
        scan: bool,
        load: F,
    ) -> Result<crate::page_cache::Found<K, V, T>, ApiError>
    where
        K: std::hash::Hash + Eq + Send + 'static,
        V: crate::page_cache::Weighed + Send + Sync + 'static,
        T: Send + 'static,
        F: FnOnce(&mut DbConn, &K) -> Result<T, StoreError> + Send + 'static,
    {
        use crate::page_cache::Found;
        let known = Self::shared_list_version(state).await;
        if let Some(kept) = known.and_then(|v| cache.get(v, &key)) {
            return Ok(Found::Kept { key, kept });
        }
        let cache = cache.clone();
        let work = move |c: &mut DbConn| {
            // A version known already was looked up above.
            let version = match known {
                Some(v) => v,
                None => {
                    let v = cscms_store::list_versions::employees(c)?;
                    if let Some(kept) = cache.get(v, &key) {
                        return Ok(Found::Kept { key, kept });
                    }
                    v
                }
            };
            let read = load(c, &key)?;
            Ok(Found::Read { version, key, read })
        };
        if scan {
            state.db(work).await
        } else {
            state.read(work).await
        }
    }

    /// Runs store work on the blocking pool (diesel is synchronous): writes,
    /// which may wait on another writer, and reads of unbounded size.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, StoreError> + Send + 'static,
    {
        let (pool, writer) = (self.pool.clone(), self.writer.clone());
        // The request's Idempotency-Key goes with its store work to the
        // blocking thread, for its first write transaction to claim.
        let pending = crate::idempotency::pending();
        web::block(move || {
            let waited = std::time::Instant::now();
            let conn = pool.get();
            crate::telemetry::observe_checkout(waited.elapsed(), conn.is_ok());
            let mut conn = conn?;
            cscms_store::db::with_writer(writer, || {
                cscms_store::idempotency::with_pending(pending, || timed(work, &mut conn))
            })
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?
        .map_err(ApiError::from)
    }

    /// Runs a short read: a lookup by key or one bounded page. On embedded
    /// SQLite such a read takes microseconds and never waits for a writer
    /// (WAL), so it runs on the request's worker with an idle connection:
    /// handing it to the blocking pool and back cost more than the query
    /// (bench/speed.md). With no idle connection, or on PostgreSQL (a
    /// network round trip), it goes to the blocking pool like [`Self::db`].
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, StoreError> + Send + 'static,
    {
        if self.inline_reads {
            if let Some(mut conn) = self.pool.try_get() {
                return timed(work, &mut conn).map_err(ApiError::from);
            }
        }
        // A read waits for its turn here, first come first served, not on
        // the pool's lock from a blocking thread: there any waiter may take
        // a freed connection, and under load the unlucky ones waited the
        // longest (the read's p99 on PostgreSQL; bench/speed.md). Writes
        // keep the pool's lock: in turns they queued behind one another
        // and keyed writes lost most (bench/speed.md).
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|_| ApiError::Internal("the store's turns were closed".into()))?;
        self.db(work).await
    }
}

/// Runs store work and records how long it took (`crate::telemetry`).
fn timed<T>(
    work: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
    conn: &mut DbConn,
) -> Result<T, StoreError> {
    let started = std::time::Instant::now();
    let out = work(conn);
    crate::telemetry::observe_db_call(started.elapsed(), out.is_ok());
    out
}
