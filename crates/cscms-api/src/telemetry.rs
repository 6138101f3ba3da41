//! Prometheus metrics (issue 14): what `/metrics` exposes, recorded through
//! the `metrics` facade into `metrics-exporter-prometheus`'s recorder (one
//! per process, installed on first use).
//!
//! - `cscms_http_requests_total` and `cscms_http_request_duration_seconds`
//!   per method, route template and status. The template is the router's
//!   (`/v1/employees/{code}`), never the path: an employee code in a label
//!   would leak who was looked at and grow the series without bound.
//! - `cscms_db_pool_connections`, `cscms_db_pool_idle_connections`,
//!   `cscms_db_pool_max_connections` (r2d2's state, read at scrape time);
//!   `cscms_db_pool_wait_seconds` (checking a connection out) and
//!   `cscms_db_pool_checkout_failures_total` (none free within the pool's
//!   timeout, or no connection could be made).
//! - `cscms_db_call_duration_seconds`: each unit of store work (a read, or
//!   a write with its audit row and change event in one transaction).
//! - `cscms_build_info`: 1, labelled with the version and build profile.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "cscms_http_requests_total";
pub const HTTP_SECONDS: &str = "cscms_http_request_duration_seconds";
pub const DB_CALL_SECONDS: &str = "cscms_db_call_duration_seconds";
pub const POOL_WAIT_SECONDS: &str = "cscms_db_pool_wait_seconds";
pub const POOL_FAILURES: &str = "cscms_db_pool_checkout_failures_total";
pub const POOL_CONNECTIONS: &str = "cscms_db_pool_connections";
pub const POOL_IDLE: &str = "cscms_db_pool_idle_connections";
pub const POOL_MAX: &str = "cscms_db_pool_max_connections";
pub const BUILD_INFO: &str = "cscms_build_info";

/// Histogram buckets in seconds: 1 ms to 10 s.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder; none if it could not be installed (logged), in
/// which case recording is a no-op and `/metrics` answers 503.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    log::error!("metrics: the Prometheus recorder was not installed: {e}");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        HTTP_SECONDS,
        Unit::Seconds,
        "Time to answer an HTTP request, by method, route template and status"
    );
    describe_histogram!(
        DB_CALL_SECONDS,
        Unit::Seconds,
        "Time of one unit of store work (a read, or a write with its audit row and change event in one transaction)"
    );
    describe_histogram!(
        POOL_WAIT_SECONDS,
        Unit::Seconds,
        "Time waited to check a connection out of the pool"
    );
    describe_counter!(
        POOL_FAILURES,
        "Pool checkouts that failed: none free within the timeout, or no connection could be made"
    );
    describe_gauge!(POOL_CONNECTIONS, "Connections the pool holds");
    describe_gauge!(POOL_IDLE, "Connections idle in the pool");
    describe_gauge!(POOL_MAX, "The pool's size limit");
    describe_gauge!(
        BUILD_INFO,
        "1, labelled with the build's version and profile"
    );
    metrics::gauge!(
        BUILD_INFO,
        "version" => env!("CARGO_PKG_VERSION"),
        "profile" => if cfg!(debug_assertions) { "debug" } else { "release" },
    )
    .set(1.0);
}

/// The middleware: `app.wrap(middleware::from_fn(telemetry::layer))`,
/// outside the request id, so every answer is counted as sent.
pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let answer = next.call(req).await;
    let (route, status) = match &answer {
        Ok(res) => (route(res.request()), res.status()),
        Err(e) => ("unmatched".to_owned(), e.as_response_error().status_code()),
    };
    observe_request(method, route, status.as_u16(), started.elapsed());
    answer.map(ServiceResponse::map_into_boxed_body)
}

/// The route template that answered; `unmatched` when none did (a 404 or
/// 405 of the fallback), so an unknown path never becomes a label.
fn route(req: &actix_web::HttpRequest) -> String {
    req.match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned())
}

fn observe_request(method: String, route: String, status: u16, took: Duration) {
    if handle().is_none() {
        return;
    }
    let labels = [
        ("method", method),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_SECONDS, &labels).record(took);
}

/// A connection checked out of the pool after `waited` (or not).
pub fn observe_checkout(waited: Duration, ok: bool) {
    if handle().is_none() {
        return;
    }
    metrics::histogram!(POOL_WAIT_SECONDS).record(waited);
    if !ok {
        metrics::counter!(POOL_FAILURES).increment(1);
    }
}

/// One unit of store work and how it ended.
pub fn observe_db_call(took: Duration, ok: bool) {
    if handle().is_none() {
        return;
    }
    metrics::histogram!(DB_CALL_SECONDS, "outcome" => if ok { "ok" } else { "error" }).record(took);
}

/// The exposition: the pool's state as of now, then every series.
pub fn render(pool: &cscms_store::DbPool) -> Option<String> {
    let handle = handle()?;
    let state = pool.state();
    metrics::gauge!(POOL_CONNECTIONS).set(f64::from(state.connections));
    metrics::gauge!(POOL_IDLE).set(f64::from(state.idle_connections));
    metrics::gauge!(POOL_MAX).set(f64::from(pool.max_size()));
    handle.run_upkeep();
    Some(handle.render())
}
