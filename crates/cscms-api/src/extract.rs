//! Request extractors that report failures as problems with field paths.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, FieldError, ProblemCode};
use crate::state::AppState;

/// A JSON body: size-limited, unknown fields rejected (by the type's
/// `deny_unknown_fields`), type errors reported with their path, then
/// `validator` rules checked with every failing field listed.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = json_bytes(req, payload);
        Box::pin(async move {
            let value = parse_json::<T>(&body.await?)?;
            value
                .validate()
                .map_err(|e| ApiError::Validation(field_errors(&e, "body")))?;
            Ok(ValidJson(value))
        })
    }
}

/// Rules of a body beyond its `validator` attributes (cross-field rules,
/// dates relative to today), reported together with them in one 422.
pub trait BodyRules {
    fn rule_errors(&self) -> Vec<FieldError>;
}

/// Like [`ValidJson`], and then [`BodyRules`]: every bad field in one answer.
pub struct CheckedJson<T>(pub T);

impl<T: DeserializeOwned + Validate + BodyRules + 'static> FromRequest for CheckedJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = json_bytes(req, payload);
        Box::pin(async move {
            let value = parse_json::<T>(&body.await?)?;
            let mut errors = value
                .validate()
                .err()
                .map(|e| field_errors(&e, "body"))
                .unwrap_or_default();
            errors.extend(value.rule_errors());
            if errors.is_empty() {
                Ok(CheckedJson(value))
            } else {
                errors.sort_by(|a, b| a.field.cmp(&b.field));
                errors.dedup_by(|a, b| a.field == b.field && a.message == b.message);
                Err(ApiError::Validation(errors))
            }
        })
    }
}

/// The domain's field errors as body fields of a 422.
pub fn body_errors(errors: cscms_domain::fields::FieldErrors) -> Vec<FieldError> {
    errors
        .into_vec()
        .into_iter()
        .map(|e| FieldError::new(format!("body.{}", e.path), e.rule, e.message))
        .collect()
}

/// A JSON object body taken as it is: for merge patches (RFC 7396), which
/// are applied to the current document before the result is typed.
pub struct JsonObject(pub serde_json::Map<String, serde_json::Value>);

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = json_bytes(req, payload);
        Box::pin(async move {
            match parse_json::<serde_json::Value>(&body.await?)? {
                serde_json::Value::Object(map) => Ok(JsonObject(map)),
                _ => Err(ApiError::BadRequest {
                    code: ProblemCode::InvalidBody,
                    detail: "The body must be a JSON object.".into(),
                    errors: vec![FieldError::new("body", "invalid", "expected an object")],
                }),
            }
        })
    }
}

/// Reads a JSON body (any `application/json` or `+json` type) within the
/// configured size limit.
fn json_bytes(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Pin<Box<dyn Future<Output = Result<web::Bytes, ApiError>>>> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(262_144, |s| s.max_body_bytes);
    let is_json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || m.ends_with("+json")
        })
        .unwrap_or(false);
    let body = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = body.await.map_err(|e| body_error(&e, limit))?;
        if bytes.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        Ok(bytes)
    })
}

fn body_error(e: &actix_web::Error, limit: usize) -> ApiError {
    use actix_web::error::PayloadError;
    match e.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::PayloadTooLarge { limit },
        _ => ApiError::BadRequest {
            code: ProblemCode::UnreadableBody,
            detail: "The request body could not be read.".into(),
            errors: Vec::new(),
        },
    }
}

/// Parses JSON strictly, then types it: a key named twice is refused, every
/// string is held to the text rule (`input`), and the first failure of the
/// typing is named by its path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let crate::input::StrictValue(mut value) =
        serde_path_to_error::deserialize(de).map_err(json_error)?;
    crate::input::screen_body(&mut value)?;
    serde_path_to_error::deserialize(value).map_err(json_error)
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let field = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        format!("body.{path}")
    };
    let msg = inner.to_string();
    if let Some(rest) = msg.strip_prefix(crate::input::DUPLICATE_KEY) {
        let key = rest
            .split('`')
            .nth(1)
            .map(|k| format!("{field}.{k}"))
            .unwrap_or(field);
        return ApiError::BadRequest {
            code: ProblemCode::DuplicateKey,
            detail: "The body names a key twice.".into(),
            errors: vec![FieldError::new(key, "duplicate_key", msg)],
        };
    }
    match inner.classify() {
        serde_json::error::Category::Data if msg.starts_with("unknown field") => {
            ApiError::BadRequest {
                code: ProblemCode::UnknownField,
                detail: "The body has a field this operation does not accept.".into(),
                errors: vec![FieldError::new(field, "unknown_field", msg)],
            }
        }
        serde_json::error::Category::Data => ApiError::BadRequest {
            code: ProblemCode::InvalidBody,
            detail: "A field of the body has the wrong type or value.".into(),
            errors: vec![FieldError::new(field, "invalid", msg)],
        },
        _ => ApiError::BadRequest {
            code: ProblemCode::MalformedJson,
            detail: "The body is not well-formed JSON.".into(),
            errors: vec![FieldError::new("body", "malformed", msg)],
        },
    }
}

/// Parses one JSON value on its own (a row of a bulk import), naming the
/// path of the first failure under `prefix`, so one bad row does not fail
/// the others.
pub fn parse_value<T: DeserializeOwned>(
    value: serde_json::Value,
    prefix: &str,
) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{path}")
        };
        let msg = e.into_inner().to_string();
        let code = if msg.starts_with("unknown field") {
            "unknown_field"
        } else {
            "invalid"
        };
        FieldError::new(field, code, msg)
    })
}

/// Flattens validator's nested errors into `prefix.a.b[2].c` paths.
pub fn field_errors(errors: &ValidationErrors, prefix: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, prefix, &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = format!("{prefix}.{field}");
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("fails the '{}' rule", e.code));
                    out.push(FieldError::new(path.clone(), &e.code, message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}
