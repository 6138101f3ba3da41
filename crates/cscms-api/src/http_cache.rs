//! What every GET shares, so no handler repeats it (RFC 9110 §9.3.2,
//! §8.8.3, §13.1.2, §15.4.5; RFC 9111 §5.2.2):
//!
//! - `HEAD` is served as `GET`; actix-http sends the head and the length
//!   of the body, never the body. The request keeps the mark [`Head`], so
//!   a `GET` that records something (a print's verification code) records
//!   nothing for a `HEAD`, which is safe (§9.2.1).
//! - A JSON representation under `/v1` carries an `ETag` (the handler's
//!   version tag where it sets one, otherwise one derived from the bytes),
//!   and a `GET` whose `If-None-Match` names it is answered 304.
//! - Every response says how it may be cached: personal data (anything
//!   about an employee, and anything not listed as shared) is `no-store`, so
//!   no browser keeps it on disk; shared reference records (organisations,
//!   advertisements, the contract) are `private, no-cache`, revalidated by
//!   their `ETag`; Swagger UI's assets change only with a release and are
//!   `immutable`. A client may send `If-None-Match` in either case.
//! - `If-Match: *` on a write (§13.1.1) matches any current representation:
//!   [`IfMatchAny`] reads the record as a `GET` would and passes the write on
//!   with the version it found, so every `If-Match` route honours it without
//!   knowing. A record that does not exist fails the condition: 412 for a
//!   `PUT` (which would otherwise create it), the read's own answer (404)
//!   for a change to an existing record (§13.2.1).

use std::future::{ready, Future, Ready};
use std::hash::{BuildHasher, Hasher};
use std::rc::Rc;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;

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
        req.extensions_mut().insert(Head);
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

/// The mark of a request that came as `HEAD` and is served as `GET`.
#[derive(Clone, Copy, Debug)]
pub struct Head;

/// Whether the request came as `HEAD` (RFC 9110 §9.3.2): the answer's
/// content is never sent, so nothing is delivered and nothing may be
/// recorded for it (§9.2.1).
pub fn is_head(req: &HttpRequest) -> bool {
    req.extensions().contains::<Head>()
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
    if let Ok(tag) = HeaderValue::from_str(&etag_of(&bytes)) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))))
}

/// The seed of every tag: changing it changes every tag (clients then fetch again).
const ETAG_SEED: u64 = 0x6373_636d_735f_6574;

/// The strong validator of a representation's bytes: foldhash with a fixed
/// seed, the same on every instance, about eight times faster than the
/// standard library's SipHash over a 15 kB list page (bench/speed.md).
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"b{}\"", digest_of(bytes))
}

/// A fingerprint of `bytes` as 16 hex digits, the same on every instance.
pub fn digest_of(bytes: &[u8]) -> String {
    let mut hasher = foldhash::quality::FixedState::with_seed(ETAG_SEED).build_hasher();
    hasher.write(bytes);
    format!("{:016x}", hasher.finish())
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

/// `If-Match: *` resolved to the current version (RFC 9110 §13.1.1):
/// `app.wrap(http_cache::IfMatchAny)`, innermost, so the read it makes goes
/// through the router and the handler only.
pub struct IfMatchAny;

impl<S, B> Transform<S, ServiceRequest> for IfMatchAny
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = IfMatchAnyService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IfMatchAnyService {
            inner: Rc::new(service),
        }))
    }
}

pub struct IfMatchAnyService<S> {
    inner: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for IfMatchAnyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(inner);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let srv = Rc::clone(&self.inner);
        let any = !matches!(*req.method(), Method::GET | Method::HEAD)
            && req
                .headers()
                .get(header::IF_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim() == "*");
        Box::pin(async move {
            if !any {
                return Ok(srv.call(req).await?.map_into_boxed_body());
            }
            resolve_any(srv, req).await
        })
    }
}

/// Where the representation a write's `If-Match` speaks of is read: the
/// target itself for `PUT`/`PATCH`/`DELETE`, the record a step acts on for a
/// `POST` to `/{record}/{step}`.
fn representation_uri(method: &Method, uri: &Uri) -> Option<Uri> {
    if *method != Method::POST {
        return Some(uri.clone());
    }
    let path = uri.path().trim_end_matches('/');
    let (parent, _) = path.rsplit_once('/')?;
    parent.parse().ok()
}

async fn resolve_any<S, B>(
    srv: Rc<S>,
    mut req: ServiceRequest,
) -> Result<ServiceResponse<BoxBody>, Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody + 'static,
{
    let method = req.method().clone();
    let uri = req.uri().clone();
    let Some(read_uri) = representation_uri(&method, &uri) else {
        return Ok(req.error_response(crate::error::ApiError::PreconditionFailed));
    };
    let headers = req.headers().clone();
    let payload = std::mem::replace(req.parts_mut().1, Payload::None);

    // The read, as the caller would make it (same credentials), for JSON.
    req.head_mut().method = Method::GET;
    req.head_mut().uri = read_uri.clone();
    for name in [
        header::IF_MATCH,
        header::IF_NONE_MATCH,
        header::CONTENT_TYPE,
    ] {
        req.headers_mut().remove(name);
    }
    req.headers_mut()
        .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    req.match_info_mut().reset();
    req.match_info_mut().get_mut().update(&read_uri);
    let read = srv.call(req).await?;
    let status = read.status();
    let current = read
        .headers()
        .get(header::ETAG)
        .filter(|t| !t.as_bytes().starts_with(b"W/"))
        .cloned();
    if status != StatusCode::OK && !(status == StatusCode::NOT_FOUND && method == Method::PUT) {
        // The write would be answered so too: not found, not authenticated,
        // not in scope (§13.2.1: preconditions are then ignored).
        return Ok(read.map_into_boxed_body());
    }

    // The write itself, restored, naming the version found.
    let (http_req, _) = read.into_parts();
    let mut req = ServiceRequest::from_parts(http_req, payload);
    req.head_mut().method = method;
    req.head_mut().uri = uri.clone();
    *req.headers_mut() = headers;
    req.match_info_mut().reset();
    req.match_info_mut().get_mut().update(&uri);
    let Some(current) = current.filter(|_| status == StatusCode::OK) else {
        // No current representation (a PUT would create one), or none with
        // a strong validator to match: the condition is false.
        return Ok(req.error_response(crate::error::ApiError::PreconditionFailed));
    };
    req.headers_mut().insert(header::IF_MATCH, current);
    Ok(srv.call(req).await?.map_into_boxed_body())
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

    #[test]
    fn a_step_names_the_record_it_acts_on() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(
            representation_uri(&Method::POST, &uri("/v1/rti/requests/7/reply")),
            Some(uri("/v1/rti/requests/7"))
        );
        assert_eq!(
            representation_uri(&Method::PUT, &uri("/v1/interests/catalogue/a1")),
            Some(uri("/v1/interests/catalogue/a1"))
        );
        assert_eq!(
            representation_uri(&Method::PATCH, &uri("/v1/employees/CSS-000001/profile?x=1")),
            Some(uri("/v1/employees/CSS-000001/profile?x=1"))
        );
    }
}
