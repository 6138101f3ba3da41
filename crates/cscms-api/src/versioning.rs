//! ETags and `If-Match`: no lost updates (PRF-4, INT-2). A record's ETag
//! is its version number; a write must name the version it was based on.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH};
use actix_web::HttpRequest;

use crate::error::ApiError;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

pub fn etag_header(version: i64) -> (actix_web::http::header::HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&etag(version)).unwrap_or(HeaderValue::from_static("\"0\""));
    (ETAG, value)
}

/// The version a write is based on: 428 without `If-Match`, 412 when it
/// names no version (a weak tag cannot guard a write). `*` has been
/// resolved to the current version before the handler runs
/// ([`crate::http_cache::IfMatchAny`]); one that was not is refused.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let raw = req
        .headers()
        .get(IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::PreconditionFailed)?
        .trim();
    if raw == "*" {
        return Err(ApiError::PreconditionRequired);
    }
    raw.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or(ApiError::PreconditionFailed)
}
