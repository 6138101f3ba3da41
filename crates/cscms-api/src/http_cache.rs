//! What every GET shares, so no handler repeats it (RFC 9110 §9.3.2,
//! §8.8.3, §13.1.2, §15.4.5; RFC 9111 §5.2.2):
//!
//! - `HEAD` is served as `GET`; actix-http sends the head and the length
//!   of the body, never the body.
//! - A JSON representation under `/v1` carries an `ETag` (the handler's
//!   version tag where it sets one, otherwise one derived from the bytes),
//!   and a `GET` whose `If-None-Match` names it is answered 304.
//! - Every response says how it may be cached: personal data (anything
//!   about an employee, and anything not listed as shared) is `no-store`, so
//!   no browser keeps it on disk; shared reference records (organisations,
//!   advertisements, the contract) are `private, no-cache`, revalidated by
//!   their `ETag`; Swagger UI's assets change only with a release and are
//!   `immutable`. A client may send `If-None-Match` in either case.

use std::future::Future;
use std::hash::{DefaultHasher, Hasher};

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{Error, HttpResponse};

use crate::error::ApiError;

const REVALIDATE: &str = "private, no-cache";
const NO_STORE: &str = "no-store";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The middleware: `app.wrap_fn(http_cache::conditional)`.
pub fn conditional<S, B>(
    mut req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, Error>> + 'static
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let is_get = req.method() == Method::GET;
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let kind = Kind::of(req.path());
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?.map_into_boxed_body();
        if is_get && matches!(kind, Kind::Api | Kind::ApiShared) {
            res = with_etag(res).await?;
        }
        set_cache_control(res.headers_mut(), kind);
        if is_get && res.status() == StatusCode::OK {
            let matched = res
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .zip(if_none_match.as_deref())
                .is_some_and(|(etag, inm)| none_match_fails(inm, etag));
            if matched {
                return Ok(not_modified(res));
            }
        }
        Ok(res)
    }
}

/// API resources that hold no personal data: cached, and revalidated.
const SHARED: [&str; 3] = [
    "/v1/organisations",
    "/v1/deputation/advertisements",
    "/v1/openapi.json",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Api,
    ApiShared,
    /// A Swagger UI asset whose content is fixed by the build.
    DocsAsset,
    Other,
}

impl Kind {
    fn of(path: &str) -> Self {
        if SHARED.iter().any(|p| path.starts_with(p)) {
            Kind::ApiShared
        } else if path.starts_with("/v1/") {
            Kind::Api
        } else if path.starts_with("/docs/")
            // The initializer carries the contract's URL: it is configuration.
            && !path.ends_with("swagger-initializer.js")
            && [".js", ".css", ".png", ".map"]
                .iter()
                .any(|ext| path.ends_with(ext))
        {
            Kind::DocsAsset
        } else {
            Kind::Other
        }
    }
}

fn set_cache_control(headers: &mut HeaderMap, kind: Kind) {
    if headers.contains_key(header::CACHE_CONTROL) {
        return;
    }
    let value = match kind {
        Kind::ApiShared if headers.contains_key(header::ETAG) => REVALIDATE,
        Kind::Api | Kind::ApiShared => NO_STORE,
        Kind::DocsAsset => IMMUTABLE,
        Kind::Other => return,
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

/// A successful JSON representation without a version tag gets one from its
/// bytes: identical bytes, identical tag, so a strong validator.
async fn with_etag(res: ServiceResponse<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if res.status() != StatusCode::OK || !is_json || res.headers().contains_key(header::ETAG) {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut res, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| ApiError::Internal(format!("reading a response body: {e}")))?;
    let mut hasher = DefaultHasher::new();
    hasher.write(&bytes);
    if let Ok(tag) = HeaderValue::from_str(&format!("\"b{:016x}\"", hasher.finish())) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))))
}

/// Whether `If-None-Match` names the current tag (weak comparison, §8.8.3.2),
/// which makes the condition false and the answer 304.
fn none_match_fails(if_none_match: &str, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let current = opaque(etag);
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| opaque(t) == current)
}

/// 304 with the validators and cache directives the 200 would have carried.
fn not_modified(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let mut not_modified = HttpResponse::NotModified();
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::VARY,
        header::CONTENT_LOCATION,
        header::EXPIRES,
    ] {
        if let Some(v) = res.headers().get(&name) {
            not_modified.insert_header((name, v.clone()));
        }
    }
    res.into_response(not_modified.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_uses_the_weak_comparison() {
        assert!(none_match_fails("\"3\"", "\"3\""));
        assert!(none_match_fails("W/\"3\"", "\"3\""));
        assert!(none_match_fails("\"1\", \"3\"", "\"3\""));
        assert!(none_match_fails("*", "\"3\""));
        assert!(!none_match_fails("\"4\"", "\"3\""));
        assert!(!none_match_fails("\"33\"", "\"3\""));
    }

    #[test]
    fn only_build_fixed_assets_are_immutable() {
        assert!(Kind::of("/docs/swagger-ui.css") == Kind::DocsAsset);
        assert!(Kind::of("/docs/swagger-ui-bundle.js") == Kind::DocsAsset);
        assert!(Kind::of("/docs/swagger-initializer.js") == Kind::Other);
        assert!(Kind::of("/docs/") == Kind::Other);
        assert!(Kind::of("/v1/me") == Kind::Api);
        assert!(Kind::of("/v1/employees/CSS-000001") == Kind::Api);
        assert!(Kind::of("/v1/organisations/MHA") == Kind::ApiShared);
    }
}
