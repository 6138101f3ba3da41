//! Request ids: taken from a well-formed incoming `X-Request-Id`, else from
//! the trace id of a W3C `traceparent` (so the id joins the caller's trace),
//! else made fresh; echoed in the response, logged, and written into
//! problem bodies.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use actix_web::HttpMessage;

use crate::error::ApiError;

pub const HEADER: &str = "x-request-id";
pub const TRACEPARENT: &str = "traceparent";

/// The trace id of a version-00 `traceparent`
/// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`); none when
/// malformed or all zeros, as the W3C Trace Context says to ignore those.
pub fn trace_id(traceparent: &str) -> Option<String> {
    let parts: Vec<&str> = traceparent.trim().split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let zero = |s: &str| s.bytes().all(|b| b == b'0');
    match parts.as_slice() {
        [version, trace, parent, flags]
            if *version == "00"
                && hex(trace, 32)
                && hex(parent, 16)
                && hex(flags, 2)
                && !zero(trace)
                && !zero(parent) =>
        {
            Some((*trace).to_owned())
        }
        _ => None,
    }
}

/// The id of the request being served, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable(v: &str) -> bool {
    (1..=128).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Assigns the id before the request is handled.
pub fn assign(req: &ServiceRequest) -> String {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .or_else(|| {
            req.headers()
                .get(TRACEPARENT)
                .and_then(|v| v.to_str().ok())
                .and_then(trace_id)
        })
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    id
}

/// Finishes a response: problems get the request id in their body, server
/// faults are logged with their cause, and the header is set.
pub fn finish<B: MessageBody + 'static>(
    id: &str,
    res: ServiceResponse<B>,
) -> ServiceResponse<BoxBody> {
    let api_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .map(|e| {
            if e.status_code_is_server_fault() {
                log::error!("request {id}: {e}");
            }
            e.to_response(Some(id))
        });
    let mut res = match api_error {
        Some(mut problem) => {
            let (req, first) = res.into_parts();
            // Keep what middleware added on the way out (CORS, caching).
            for (name, value) in first.headers() {
                if !problem.headers().contains_key(name) && *name != CONTENT_LENGTH {
                    problem.headers_mut().append(name.clone(), value.clone());
                }
            }
            ServiceResponse::new(req, problem)
        }
        None => res.map_into_boxed_body(),
    };
    if let Ok(v) = HeaderValue::from_str(id) {
        res.headers_mut().insert(HeaderName::from_static(HEADER), v);
    }
    res
}

impl ApiError {
    fn status_code_is_server_fault(&self) -> bool {
        use actix_web::ResponseError;
        self.status_code().is_server_error()
    }
}

#[cfg(test)]
mod tests {
    use super::trace_id;

    #[test]
    fn the_trace_id_of_a_well_formed_traceparent() {
        assert_eq!(
            trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        for bad in [
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "garbage",
        ] {
            assert_eq!(trace_id(bad), None, "{bad}");
        }
    }
}
