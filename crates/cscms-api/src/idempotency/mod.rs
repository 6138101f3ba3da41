//! `Idempotency-Key` (INT-2; draft-ietf-httpapi-idempotency-key-header-07)
//! on every POST, PUT and PATCH of `/v1`, as one middleware.
//!
//! Keyed by caller and key. The first request claims the key in the
//! database (so every instance sees it) with a fingerprint of the request,
//! in the same transaction as its write (so a keyed write costs no extra
//! commit or read); its response, if it succeeded, is stored (status, the
//! headers that matter, the body; with other requests' responses in one
//! write, see `keeper`). A retry's write finds the key held and acts not;
//! the retry is answered from the record: the first response replayed byte
//! for byte, 409 while the first is still running, 422 when the key was
//! used for a different request. A refused first request (4xx), or one
//! that failed before its write acted, gives the key up, so a corrected
//! retry runs; a fault after its write committed (5xx) is kept as the
//! answer, so a retry cannot act twice. Keys expire after
//! `CSCMS_IDEMPOTENCY_TTL_SECS` (24 h).
//! Integration clients must send a key on bulk imports (400 otherwise).

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use cscms_domain::principal::Role;
use cscms_domain::scope::Op;
use cscms_store::idempotency::Pending;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ProblemCode};
use crate::state::AppState;

mod keeper;

pub use keeper::Keeper;

pub const HEADER: &str = "idempotency-key";

tokio::task_local! {
    /// The key of the request being handled, for its store work to claim
    /// (read by `AppState::db`).
    pub static PENDING: Option<Pending>;
}

/// The key the current request's store work must claim, if any.
pub fn pending() -> Option<Pending> {
    PENDING.try_with(Clone::clone).ok().flatten()
}

/// Bulk writes an integration client allowed to make them must send a key with.
pub const REQUIRED_FOR_CLIENTS: &[(&str, Op)] = &[("/v1/apars/import", Op::ImportApars)];

/// The response headers stored and replayed with the body.
const KEPT: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::CACHE_CONTROL,
];

/// Whether a request's method and path take part.
pub fn applies(method: &Method, path: &str) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH) && path.starts_with("/v1/")
}

/// The key of the header: an sf-string (quoted) or, leniently, bare; 1 to
/// 255 visible ASCII characters.
fn parse_key(raw: &HeaderValue) -> Option<String> {
    let text = raw.to_str().ok()?.trim();
    let key = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let ok = !key.is_empty()
        && key.len() <= 255
        && key
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    ok.then(|| key.to_owned())
}

fn problem(status: StatusCode, code: ProblemCode, detail: &str) -> ApiError {
    match status {
        StatusCode::CONFLICT => ApiError::Conflict {
            code,
            detail: detail.into(),
        },
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable {
            code,
            detail: detail.into(),
        },
        _ => ApiError::BadRequest {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        },
    }
}

/// The middleware: `app.wrap(middleware::from_fn(idempotency::layer))`.
pub async fn layer(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !applies(req.method(), req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The caller, as the handler will see it; an unauthenticated request
    // passes through to be refused there.
    let Some(who) = crate::auth::caller(req.request()) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let raw = req.headers().get(HEADER).cloned();
    let Some(raw) = raw else {
        let required = REQUIRED_FOR_CLIENTS
            .iter()
            .any(|(path, op)| *path == req.path() && cscms_domain::scope::permits(&who, *op));
        // A caller who may not make the write is refused by the handler (403).
        if who.role == Role::Integration && required {
            let e = problem(
                StatusCode::BAD_REQUEST,
                ProblemCode::IdempotencyKeyRequired,
                "Integration clients send an Idempotency-Key with bulk imports, so a retry cannot act twice.",
            );
            return Ok(req.error_response(e));
        }
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(key) = parse_key(&raw) else {
        let e = problem(
            StatusCode::BAD_REQUEST,
            ProblemCode::InvalidIdempotencyKey,
            "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. \"8e03978e-40d5-43e8-bc93-6894a57f9324\".",
        );
        return Ok(req.error_response(e));
    };

    // The body, read once (within the size limit) for the fingerprint and
    // handed on to the handler unchanged.
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(_) => {
                let e = problem(
                    StatusCode::BAD_REQUEST,
                    ProblemCode::UnreadableBody,
                    "The request body could not be read.",
                );
                return Ok(req.error_response(e));
            }
        };
        if body.len() + chunk.len() > state.max_body_bytes {
            let e = ApiError::PayloadTooLarge {
                limit: state.max_body_bytes,
            };
            return Ok(req.error_response(e));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut digest = Sha256::new();
    digest.update(req.method().as_str());
    digest.update(b"\n");
    // The path and query as sent, not the whole target: a request in
    // absolute form (through some proxies) is the same request.
    digest.update(req.path());
    if !req.query_string().is_empty() {
        digest.update(b"?");
        digest.update(req.query_string());
    }
    digest.update(b"\n");
    digest.update(
        req.headers()
            .get(header::CONTENT_TYPE)
            .map_or(&b""[..], |v| v.as_bytes()),
    );
    digest.update(b"\n");
    digest.update(&body);
    let fingerprint = format!("{:x}", digest.finalize());
    req.set_payload(actix_web::dev::Payload::from(body));

    let caller = format!("{}:{}", who.role.as_str(), who.sub);
    // Nothing is read before the handler runs: the request's first write
    // transaction claims the key in the write's own commit
    // (`cscms_store::db::write_transaction`), and a key another request
    // holds (a retry of a finished request, a concurrent retry, the key
    // reused) fails that write. The record is read only when the request
    // ends without its claim; its answer then replaces the handler's.
    let expires = (chrono::Utc::now() + state.idempotency_ttl).naive_utc();
    let pending = Pending::new(&caller, &key, &fingerprint, expires);
    let res = PENDING.scope(Some(pending.clone()), next.call(req)).await;
    let res = match res {
        Ok(res) => res,
        Err(e) => {
            after_error(&state, &pending, e.as_response_error()).await;
            return Err(e);
        }
    };
    // A response that succeeded is kept. So is a fault (5xx) once the
    // request's write has committed its claim: the write has acted, and a
    // retry must be answered, not run again. A refused request (4xx), or a
    // fault before any write, gives the key up, so the retry runs.
    let fault_after_write = pending.claimed() && res.status().is_server_error();
    if !fault_after_write && (!res.status().is_success() || res.response().error().is_some()) {
        if pending.claimed() {
            release(&state, &pending).await;
            return Ok(res.map_into_boxed_body());
        }
        let (http_req, response) = res.into_parts();
        return Ok(match held(&state, &pending).await {
            Some(answer) => answer.respond(http_req),
            None => ServiceResponse::new(http_req, response.map_into_boxed_body()),
        });
    }
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(b) => b,
        Err(_) => {
            let e = ApiError::Internal("reading a response to keep it".into());
            after_error(&state, &pending, &e).await;
            return Err(e.into());
        }
    };
    if let Some(answer) = keep(&state, &pending, &head, bytes.clone()).await {
        return Ok(answer.respond(http_req));
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, response))
}

/// An error that ends the request outside its response: kept as the
/// answer when it is a fault after the request's write acted (as a 5xx
/// response is), else the key is given up.
async fn after_error(state: &AppState, pending: &Pending, e: &dyn actix_web::ResponseError) {
    if pending.claimed() && e.status_code().is_server_error() {
        let (head, body) = e.error_response().into_parts();
        if let Ok(bytes) = body::to_bytes(body).await {
            keep(state, pending, &head, bytes).await;
        }
    } else {
        release(state, pending).await;
    }
}

/// Stores `head` and `bytes` as the answer of `pending`'s key; `Some` when
/// the request claimed nothing and another request holds the key by now,
/// whose answer then replaces this one.
async fn keep(
    state: &AppState,
    pending: &Pending,
    head: &HttpResponse<()>,
    bytes: web::Bytes,
) -> Option<Answer> {
    let kept: Vec<(String, String)> = KEPT
        .iter()
        .filter_map(|name| {
            let v = head.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let headers = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into());
    let kept = keeper::Kept {
        pending: pending.clone(),
        status: i32::from(head.status().as_u16()),
        headers,
        body: bytes,
    };
    match state.idempotency.keep(kept).await {
        Ok(true) => None,
        // It wrote nothing, and another request holds the key by now.
        Ok(false) => held(state, pending).await,
        // The request has acted; its answer still goes out. A retry finds
        // the key running and is refused (409), even once it has expired:
        // a running key is never taken over (`cscms_store::idempotency`).
        // Once no request could still be running it ([`ORPHANED_AFTER`]),
        // the refusal says the outcome is unknown rather than "retry".
        Err(e) => {
            log::error!(
                "idempotency: keeping the response of {} {}: {e}",
                pending.caller,
                pending.key
            );
            None
        }
    }
}

/// The answer of another request's record of the key.
enum Answer {
    /// Its stored response.
    Replay(HttpResponse),
    /// 422 (the key was used for a different request) or 409 (it is still
    /// running).
    Refuse(ApiError),
}

impl Answer {
    fn respond(self, req: actix_web::HttpRequest) -> ServiceResponse<BoxBody> {
        match self {
            Answer::Replay(res) => ServiceResponse::new(req, res),
            Answer::Refuse(e) => ServiceResponse::from_err(e, req),
        }
    }
}

/// What the unexpired record of `pending`'s key answers, for a request
/// that did not claim it; `None` when there is none (or it cannot be read:
/// the request's own answer then stands, and it wrote nothing).
async fn held(state: &AppState, pending: &Pending) -> Option<Answer> {
    let (caller, key) = (pending.caller.clone(), pending.key.clone());
    let row = match state
        .read(move |c| cscms_store::idempotency::lookup(c, &caller, &key))
        .await
    {
        Ok(row) => row?,
        Err(e) => {
            log::error!("idempotency: reading a key's record: {e}");
            return None;
        }
    };
    Some(if row.fingerprint != pending.fingerprint {
        Answer::Refuse(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::IdempotencyKeyReused,
            "This Idempotency-Key was used for a different request; use a new key for a new request.",
        ))
    } else {
        match (row.state.as_str(), row.status, row.body) {
            ("done", Some(status), Some(bytes)) => {
                Answer::Replay(replay(status, row.headers.as_deref(), bytes))
            }
            _ if orphaned(row.created_at) => Answer::Refuse(problem(
                StatusCode::CONFLICT,
                ProblemCode::IdempotencyOutcomeUnknown,
                "The first request with this Idempotency-Key was interrupted after it acted, before its answer was kept. Read the resource to see its effect; if another request is still needed, send it with a new key.",
            )),
            _ => Answer::Refuse(problem(
                StatusCode::CONFLICT,
                ProblemCode::IdempotencyKeyInUse,
                "A request with this Idempotency-Key is still being processed; retry shortly.",
            )),
        }
    })
}

/// How long after its claim a request can still be running. A running
/// record older than this was left by a request that ended between its
/// write's commit and its answer's (the process stopped, or the answer
/// could not be stored): its write acted, its answer is lost, and a retry
/// that waited would wait forever. No request runs this long: the largest
/// bulk write takes seconds, and a stopping instance gives its requests 30.
const ORPHANED_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Whether a running record claimed at `claimed` was left behind.
fn orphaned(claimed: chrono::NaiveDateTime) -> bool {
    claimed < chrono::Utc::now().naive_utc() - ORPHANED_AFTER
}

/// Gives the key up if this request's write claimed it (the request then
/// failed): a retry runs again.
async fn release(state: &AppState, pending: &Pending) {
    if !pending.claimed() {
        return;
    }
    let (caller, key) = (pending.caller.clone(), pending.key.clone());
    if let Err(e) = state
        .db(move |c| cscms_store::idempotency::release(c, &caller, &key))
        .await
    {
        log::error!("idempotency: releasing a key: {e}");
    }
}

/// The stored response, as it was, marked as a replay.
fn replay(status: i32, headers: Option<&str>, body: Vec<u8>) -> HttpResponse {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    let kept: Vec<(String, String)> = headers
        .and_then(|h| serde_json::from_str(h).ok())
        .unwrap_or_default();
    for (name, value) in kept {
        res.insert_header((name, value));
    }
    res.insert_header(("Idempotent-Replayed", "true"));
    res.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sf_strings_or_bare_tokens() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(parse_key(&v("\"abc-1\"")).as_deref(), Some("abc-1"));
        assert_eq!(parse_key(&v("abc-1")).as_deref(), Some("abc-1"));
        assert_eq!(parse_key(&v("\"\"")), None);
        assert_eq!(parse_key(&v("a b")), None);
        assert_eq!(parse_key(&v(&"x".repeat(256))), None);
        assert!(applies(&Method::PATCH, "/v1/employees/X/profile"));
        assert!(!applies(&Method::GET, "/v1/me") && !applies(&Method::POST, "/oauth2/token"));
    }
}
