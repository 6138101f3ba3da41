//! `/metrics`: the service's Prometheus metrics, for operations
//! (`crate::telemetry` says what they are).

use actix_web::dev::Payload;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{get, web, FromRequest, HttpRequest, HttpResponse};
use cscms_domain::scope::Op;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::scope::authorize;
use crate::state::AppState;

/// The text format Prometheus scrapes.
const EXPOSITION: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus metrics
///
/// Request counts and latency histograms per method, route template and
/// status; the database pool (connections, idle, checkout waits and
/// failures); database call time; build info. Readable from an address in
/// `CSCMS_METRICS_ALLOW` (the TCP peer; a proxy's forwarding headers are not
/// trusted) without a token, otherwise with a token carrying the scope
/// `metrics:read` (an operations client).
#[utoipa::path(tag = "operations", security(("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
        (status = 403, description = "The token lacks the scope metrics:read", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let from_allowed = req
        .peer_addr()
        .is_some_and(|peer| state.metrics_allow.contains(&peer.ip()));
    if !from_allowed {
        let Auth(who) = Auth::from_request(&req, &mut Payload::None).await?;
        authorize(&who, Op::ReadMetrics)?;
    }
    let text = crate::telemetry::render(&state.pool)
        .ok_or_else(|| ApiError::Unavailable("the metrics recorder is not installed".into()))?;
    Ok(HttpResponse::Ok()
        .content_type(EXPOSITION)
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .body(text))
}
