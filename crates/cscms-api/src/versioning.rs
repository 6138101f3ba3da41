//! ETags and `If-Match`: no lost updates (PRF-4, INT-2). A record's ETag
//! is its version number (a working strength's also names who is in
//! position, PRF-3); a write must name the version it was based on.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH};
use actix_web::HttpRequest;

use crate::error::ApiError;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

pub fn etag_header(version: i64) -> (actix_web::http::header::HeaderName, HeaderValue) {
    tag_header(version)
}

/// The `ETag` of a representation whose validator is more than a version
/// (its opaque text, quoted).
pub fn tag_header(
    opaque: impl std::fmt::Display,
) -> (actix_web::http::header::HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("\"{opaque}\""))
        .unwrap_or(HeaderValue::from_static("\"0\""));
    (ETAG, value)
}

/// The version a write is based on: 428 without `If-Match`, 412 when it
/// names no version (a weak tag cannot guard a write). A tag may say more
/// of the representation after its version (`"{version}-…"`: a state the
/// date or another record decides, see [`version_tag`]); the version alone
/// guards the write. `*` has been resolved to the current version before
/// the handler runs ([`crate::http_cache::IfMatchAny`]); one that was not is
/// refused.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    version_of(&if_match_tag(req)?).ok_or(ApiError::PreconditionFailed)
}

/// The version in a tag this service gives, `{digits}` or
/// `{digits}-{mark}` (a mark of lower-case letters, digits and inner
/// hyphens); none for anything else (a list, a sign, an empty mark).
fn version_of(tag: &str) -> Option<i64> {
    let (version, mark) = match tag.split_once('-') {
        Some((version, mark)) => (version, Some(mark)),
        None => (tag, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mark_ok = mark.is_none_or(|m| {
        m.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && !m.ends_with('-')
            && m.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    (digits(version) && mark_ok)
        .then(|| version.parse().ok())
        .flatten()
}

/// The `ETag` of a record whose view shows, beside what its version covers,
/// something decided without a write to it (a state that lapses with the
/// date, a deadline passed): `"{version}"` while there is none, otherwise
/// `"{version}-{mark}"`, so that a copy read before is not answered 304.
/// [`if_match`] reads the version back out of either.
pub fn version_tag(
    version: i64,
    mark: Option<String>,
) -> (actix_web::http::header::HeaderName, HeaderValue) {
    match mark {
        None => etag_header(version),
        Some(mark) => tag_header(format!("{version}-{mark}")),
    }
}

/// The opaque text of the strong tag a write is based on, unquoted, for a
/// representation whose validator is more than a version; refused as
/// [`if_match`] refuses.
pub fn if_match_tag(req: &HttpRequest) -> Result<String, ApiError> {
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
        .map(str::to_owned)
        .ok_or(ApiError::PreconditionFailed)
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn only_the_tags_given_are_read_for_their_version() {
        for (tag, version) in [
            ("3", Some(3)),
            ("3-closed", Some(3)),
            ("0-r1-open", Some(0)),
            ("7-final-00ff12", Some(7)),
            ("3-", None),
            ("-3", None),
            ("+3", None),
            ("+3-x", None),
            ("3-Closed", None),
            ("3-x\", \"9", None),
            ("3--x", None),
            ("", None),
            ("b0123", None),
        ] {
            assert_eq!(version_of(tag), version, "{tag}");
        }
    }
}
