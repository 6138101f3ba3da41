//! Text at the door: every JSON body, query string and path is held to the
//! one rule of [`cscms_domain::text`] before any handler reads it — no
//! control characters, trimmed, bounded, dates plain and in range — and a
//! JSON body may not name a key twice (merge patches included). Each
//! refusal names the field.

use std::fmt::{self, Write as _};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use cscms_domain::text::{self, TextError, MAX_LINE, MAX_SEARCH, MAX_TEXT};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError, ProblemCode};

/// The message of a duplicate-key refusal starts with this.
pub const DUPLICATE_KEY: &str = "duplicate key";

/// A JSON value read like `serde_json::Value`, except that an object naming
/// a key twice is refused rather than keeping the last value.
pub struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("{DUPLICATE_KEY} `{key}`")));
            }
            let StrictValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Holds every string of a body (keys and values) to the text rule,
/// trimming values in place; every bad one is listed, under `body.…`.
pub fn screen_body(value: &mut Value) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    screen_value(value, &mut String::from("body"), None, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// `path` is where `value` sits, extended and cut back in place as the
/// walk goes down and up: a bulk body has thousands of values, and only
/// a refused one needs its path as a string of its own.
fn screen_value(
    value: &mut Value,
    path: &mut String,
    field: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    match value {
        Value::String(s) => {
            let multi = field.is_some_and(text::is_multi_line);
            let max = if multi { MAX_TEXT } else { MAX_LINE };
            match text::clean(s, multi, max) {
                // Most values need no trimming: kept as they are.
                Ok(clean) if clean.len() == s.len() => {}
                Ok(clean) => *s = clean.to_owned(),
                Err(e) => errors.push(field_error(path, e)),
            }
        }
        Value::Array(items) => {
            let at = path.len();
            for (i, item) in items.iter_mut().enumerate() {
                path.truncate(at);
                // Writing to a String cannot fail.
                let _ = write!(path, "[{i}]");
                screen_value(item, path, field, errors);
            }
            path.truncate(at);
        }
        Value::Object(map) => {
            let at = path.len();
            for (key, item) in map.iter_mut() {
                path.truncate(at);
                path.push('.');
                path.push_str(key);
                if let Err(e) = text::clean(key, false, MAX_LINE) {
                    errors.push(field_error(path, e));
                    continue;
                }
                screen_value(item, path, Some(key.as_str()), errors);
            }
            path.truncate(at);
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn field_error(path: &str, e: TextError) -> FieldError {
    FieldError::new(path, e.code, e.message)
}

/// Holds the query string and the path of a request to the text rule:
/// each query parameter as one line (a search term `q` at most
/// [`MAX_SEARCH`] characters), each path segment as one line.
pub fn screen_request(path: &str, query: &str) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    match serde_urlencoded::from_str::<Vec<(String, String)>>(query) {
        Ok(pairs) => {
            for (key, value) in &pairs {
                let max = if key == "q" { MAX_SEARCH } else { MAX_LINE };
                for (at, s) in [(format!("query.{key}"), value), ("query".into(), key)] {
                    // A query date is checked whole here, so the refusal
                    // names its parameter.
                    let checked = text::clean(s, false, max).and_then(|s| {
                        if text::looks_like_date(s) {
                            text::parse_date(s.get(..10).unwrap_or(s)).map(|_| ())
                        } else {
                            Ok(())
                        }
                    });
                    if let Err(e) = checked {
                        errors.push(field_error(&at, e));
                    }
                }
            }
        }
        Err(e) => errors.push(FieldError::new("query", "invalid", e.to_string())),
    }
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_decode(segment);
        match decoded {
            Some(s) => {
                if let Err(e) = text::clean(&s, false, MAX_LINE) {
                    errors.push(field_error(&format!("path.{}", shorten(&s)), e));
                }
            }
            None => errors.push(FieldError::new(
                "path",
                "invalid",
                "a path segment is not UTF-8 once decoded",
            )),
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    let query_only = errors.iter().all(|e| e.field.starts_with("query"));
    Err(ApiError::BadRequest {
        code: if query_only {
            ProblemCode::InvalidQuery
        } else {
            ProblemCode::InvalidPath
        },
        detail: "A parameter of the request is not acceptable text; see errors.".into(),
        errors,
    })
}

/// A path segment with its `%XX` escapes decoded; `None` when the bytes are
/// not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(v).unwrap_or(0));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn shorten(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// The middleware: refuses a request whose path or query breaks the text
/// rule before any route sees it.
pub async fn screen(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let uri = req.uri();
    match screen_request(uri.path(), uri.query().unwrap_or("")) {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}

/// Declares the text rule's limits in the contract: `maxLength` on every
/// string property of the schemas and every string parameter that does
/// not state its own (dates, enumerations and patterns excepted).
pub fn declare_limits(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut doc) = serde_json::to_value(&api) else {
        return api;
    };
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            limit_properties(schema);
        }
    }
    if let Some(paths) = doc.pointer_mut("/paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(ops) = item.as_object_mut() else {
                continue;
            };
            for op in ops.values_mut() {
                let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                    continue;
                };
                for p in params {
                    let max = if p["name"] == "q" {
                        MAX_SEARCH
                    } else {
                        MAX_LINE
                    };
                    if let Some(schema) = p.get_mut("schema") {
                        limit_string(schema, max);
                    }
                }
            }
        }
    }
    serde_json::from_value(doc).unwrap_or(api)
}

fn limit_properties(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            let max = if text::is_multi_line(name) {
                MAX_TEXT
            } else {
                MAX_LINE
            };
            limit_string(prop, max);
        }
    }
    for (key, inner) in obj.iter_mut() {
        match (key.as_str(), inner) {
            ("properties", Value::Object(props)) => props.values_mut().for_each(limit_properties),
            ("items" | "additionalProperties", v) => limit_properties(v),
            ("oneOf" | "anyOf" | "allOf", Value::Array(list)) => {
                list.iter_mut().for_each(limit_properties)
            }
            _ => {}
        }
    }
}

fn limit_string(schema: &mut Value, max: usize) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for key in ["items", "oneOf", "anyOf", "allOf"] {
        match obj.get_mut(key) {
            Some(Value::Array(list)) => list.iter_mut().for_each(|s| limit_string(s, max)),
            Some(v @ Value::Object(_)) => limit_string(v, max),
            _ => {}
        }
    }
    let is_string = match obj.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    let exempt = ["maxLength", "format", "enum", "pattern", "const"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if is_string && !exempt {
        obj.insert("maxLength".into(), Value::from(max));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(s: &str) -> Result<Value, String> {
        serde_json::from_str::<StrictValue>(s)
            .map(|v| v.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        assert!(strict(r#"{"a": 1, "a": 2}"#)
            .unwrap_err()
            .starts_with("duplicate key `a`"));
        assert!(strict(r#"{"x": [{"b": 1, "b": 1}]}"#).is_err());
        assert_eq!(
            strict(r#"{"a": {"a": 1}, "b": [1.5, null, true, "s"]}"#).unwrap(),
            serde_json::json!({"a": {"a": 1}, "b": [1.5, null, true, "s"]})
        );
    }

    #[test]
    fn bodies_are_trimmed_and_every_bad_field_named() {
        let mut v = serde_json::json!({"name": "  A  ", "remarks": "line 1\nline 2",
            "address": {"line": "a\u{0}b"}, "dates": ["2024-01-01", "+99999-01-01"], "reason": "x"});
        let err = screen_body(&mut v).unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("not a validation error")
        };
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("body.address.line", "control_character"),
                ("body.dates[1]", "invalid_date")
            ]
        );
        let mut ok = serde_json::json!({"name": "  A  ", "remarks": "line 1\nline 2"});
        screen_body(&mut ok).unwrap();
        assert_eq!(
            ok,
            serde_json::json!({"name": "A", "remarks": "line 1\nline 2"})
        );
    }

    #[test]
    fn queries_and_paths_are_screened() {
        assert!(screen_request("/v1/employees", "q=Asha&limit=5").is_ok());
        let bad = |p: &str, q: &str| match screen_request(p, q) {
            Err(ApiError::BadRequest { errors, .. }) => errors[0].field.clone(),
            _ => String::new(),
        };
        assert_eq!(bad("/v1/employees", "q=%00"), "query.q");
        assert_eq!(bad("/v1/x", "as_of=%2B99999-01-01"), "query.as_of");
        assert_eq!(bad("/v1/x", &format!("q={}", "a".repeat(101))), "query.q");
        assert_eq!(bad("/v1/employees/CSS%00", ""), "path.CSS");
        assert_eq!(bad("/v1/x/+99999-01-01", ""), "path.+99999-01-01");
    }
}
