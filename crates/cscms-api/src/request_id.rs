//! Request ids: taken from a well-formed incoming `X-Request-Id` or made
//! fresh, echoed in the response, logged, and written into problem bodies.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use actix_web::HttpMessage;

use crate::error::ApiError;

pub const HEADER: &str = "x-request-id";

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
