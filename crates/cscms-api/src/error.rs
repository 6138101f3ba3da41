//! The one error type of the API, rendered as RFC 9457 problem details.
//!
//! Every variant has a stable machine-readable `code`. 5xx bodies say
//! nothing internal: the cause goes to the log with the request id.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use cscms_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Where the value is: `body.name`, `query.limit`, `path.code`.
    pub field: String,
    /// A stable code for the kind of failure (`required`, `invalid`, `too_long`...).
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:cscms:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; clients branch on this.
    pub code: String,
    /// The request id, also sent as `X-Request-Id`; quote it to the help desk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For validation failures: every bad field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For refused state transitions: the state the record is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For refused state transitions: what the caller may do instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no usable credentials. `challenge` is the `WWW-Authenticate` value.
    #[error("unauthenticated: {detail}")]
    Unauthenticated {
        code: &'static str,
        detail: String,
        challenge: String,
    },
    /// 403: authenticated, but the role may not do this.
    #[error("forbidden: {detail}")]
    Forbidden { code: &'static str, detail: String },
    /// 404: absent, or outside the caller's scope (never told apart).
    #[error("not found: {0}")]
    NotFound(String),
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<Method> },
    /// 400: the request could not be read (syntax, unknown field, bad parameter).
    #[error("bad request: {detail}")]
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 422: the request was read but its values break the rules.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("payload over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String },
    /// 409: the record's state does not allow the action.
    #[error("cannot {action} in state {current}")]
    InvalidTransition {
        action: String,
        current: String,
        allowed: Vec<String>,
    },
    /// 403: the caller may see the record but not change these fields.
    #[error("fields not editable")]
    FieldsForbidden(Vec<FieldError>),
    /// 422: required fields are missing for the step asked for.
    #[error("incomplete")]
    Incomplete {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 428: a write needs `If-Match`.
    #[error("If-Match required")]
    PreconditionRequired,
    /// 412: the `If-Match` version is not the current one.
    #[error("stale If-Match")]
    PreconditionFailed,
    /// 429: the caller has used its requests for now; retry after the wait.
    #[error("rate limited")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: the database does not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault; the text is logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound(what.into())
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::Forbidden {
            code: "forbidden",
            detail: detail.into(),
        }
    }

    pub fn bad_query(errors: Vec<FieldError>) -> Self {
        ApiError::BadRequest {
            code: "invalid_query",
            detail: "One or more query parameters are invalid.".into(),
            errors,
        }
    }

    /// Bad fields, as a 422, listed by field.
    pub fn validation(mut errors: Vec<FieldError>) -> Self {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(errors)
    }

    /// A single bad field, as a 422.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::BadRequest { code, .. }
            | ApiError::Conflict { code, .. } => code,
            ApiError::NotFound(_) => "not_found",
            ApiError::InvalidTransition { .. } => "invalid_transition",
            ApiError::FieldsForbidden(_) => "field_not_editable",
            ApiError::Incomplete { .. } => "incomplete",
            ApiError::PreconditionRequired => "if_match_required",
            ApiError::PreconditionFailed => "stale_version",
            ApiError::RouteNotFound => "route_not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Validation(_) => "validation_failed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated { .. } => "Authentication required",
            ApiError::Forbidden { .. } => "Not permitted",
            ApiError::NotFound(_) => "Not found",
            ApiError::InvalidTransition { .. } => "Action not allowed in this state",
            ApiError::FieldsForbidden(_) => "Fields not editable by this role",
            ApiError::Incomplete { .. } => "Required fields missing",
            ApiError::PreconditionRequired => "If-Match required",
            ApiError::PreconditionFailed => "Version has changed",
            ApiError::RouteNotFound => "No such route",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::BadRequest { .. } => "Bad request",
            ApiError::Validation(_) => "Validation failed",
            ApiError::PayloadTooLarge { .. } => "Request body too large",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal error",
        }
    }

    /// What the client is told. Server faults say nothing of their cause.
    fn detail(&self) -> String {
        match self {
            ApiError::Unauthenticated { detail, .. }
            | ApiError::Forbidden { detail, .. }
            | ApiError::BadRequest { detail, .. }
            | ApiError::Conflict { detail, .. } => detail.clone(),
            ApiError::NotFound(what) => format!("{what} was not found."),
            ApiError::InvalidTransition {
                action,
                current,
                allowed,
            } => format!(
                "Cannot {action} while {current}; allowed now: {}.",
                if allowed.is_empty() {
                    "nothing".to_owned()
                } else {
                    allowed.join(", ")
                }
            ),
            ApiError::FieldsForbidden(errors) => format!(
                "This role may not change: {}.",
                errors
                    .iter()
                    .map(|e| e.field.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ApiError::Incomplete { detail, .. } => detail.clone(),
            ApiError::PreconditionRequired => {
                "Send If-Match with the ETag of the version you read, so no change is lost.".into()
            }
            ApiError::PreconditionFailed => {
                "The record changed since you read it; read it again and reapply your change."
                    .into()
            }
            ApiError::RouteNotFound => "No operation is defined at this path.".into(),
            ApiError::MethodNotAllowed { allow } => format!(
                "This path accepts {}.",
                allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ApiError::Validation(errors) => {
                format!("{} field(s) are invalid; see errors.", errors.len())
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("The request body exceeds the limit of {limit} bytes.")
            }
            ApiError::UnsupportedMediaType => "Send the request body as application/json.".into(),
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("Too many requests; try again in {retry_after_secs} s.")
            }
            ApiError::Unavailable(_) => {
                "The service cannot reach its database; try again shortly.".into()
            }
            ApiError::Internal(_) => {
                "The request failed on the server; quote the request id when reporting it.".into()
            }
        }
    }

    /// The problem body, with the request id when known.
    pub fn problem(&self, request_id: Option<&str>) -> Problem {
        let errors = match self {
            ApiError::Validation(errors)
            | ApiError::BadRequest { errors, .. }
            | ApiError::FieldsForbidden(errors)
            | ApiError::Incomplete { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        let (current_state, allowed_actions) = match self {
            ApiError::InvalidTransition {
                current, allowed, ..
            } => (Some(current.clone()), Some(allowed.clone())),
            _ => (None, None),
        };
        Problem {
            type_: format!("urn:cscms:problem:{}", self.code()),
            title: self.title().into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: self.code().into(),
            request_id: request_id.map(str::to_owned),
            errors,
            current_state,
            allowed_actions,
        }
    }

    /// The full response: status, problem body and the headers the status needs.
    pub fn to_response(&self, request_id: Option<&str>) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthenticated { challenge, .. } => {
                if let Ok(v) = HeaderValue::from_str(challenge) {
                    res.insert_header((header::WWW_AUTHENTICATE, v));
                }
            }
            ApiError::MethodNotAllowed { allow } => {
                let list = allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Ok(v) = HeaderValue::from_str(&list) {
                    res.insert_header((header::ALLOW, v));
                }
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        res.json(self.problem(request_id))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::InvalidTransition { .. } => StatusCode::CONFLICT,
            ApiError::FieldsForbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Incomplete { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response(None)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(detail) => ApiError::Conflict {
                code: "already_exists",
                detail,
            },
            StoreError::Stale => ApiError::PreconditionFailed,
            StoreError::Pool(_) | StoreError::Connect(_) => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// A domain parser's field errors as a 422, each path under `prefix`
    /// (`body.properties[0].location.state`).
    pub fn fields(prefix: &str, errors: cscms_domain::vigilance::FieldErrors) -> Self {
        ApiError::Validation(
            errors
                .into_vec()
                .into_iter()
                .map(|e| FieldError::new(format!("{prefix}.{}", e.path), "invalid", e.message))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_faults_hide_their_cause() {
        let e = ApiError::Internal("disk full at /var/lib/secret".into());
        let p = e.problem(Some("r1"));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("disk"));
        let e = ApiError::from(StoreError::Connect(
            "postgres: password authentication failed".into(),
        ));
        assert!(!e.problem(None).detail.contains("password"));
        assert_eq!(e.code(), "service_unavailable");
    }
}
