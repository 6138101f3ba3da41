//! One way to page a list (INT-1): `?cursor=…&limit=…`, answered with a
//! page of items and the link to the next page, both in the body (`next`)
//! and in a `Link: <…>; rel="next"` header (RFC 8288); null on the last.
//! The cursor is the key of the last row shown, on an ordering the id makes
//! unique, so a page neither skips nor repeats a row.

use actix_web::HttpResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::{ApiError, FieldError};

/// Rows on a page unless the caller asks for another size.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page.
pub const MAX_LIMIT: u32 = 200;

/// The page size asked for, or the error naming it.
pub fn limit(given: Option<u32>) -> Result<u32, FieldError> {
    let limit = given.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(FieldError::new(
            "query.limit",
            "out_of_range",
            format!("from 1 to {MAX_LIMIT}"),
        ))
    }
}

/// How many rows to fetch for a page: one more than it shows, to learn
/// whether another page follows.
pub fn fetch(limit: u32) -> i64 {
    i64::from(limit) + 1
}

/// The page out of the rows fetched, and the last row shown when another
/// page follows (its key is the next cursor).
pub fn split<T>(mut rows: Vec<T>, limit: u32) -> (Vec<T>, bool) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    (rows, more)
}

/// The link to the next page: `path` with the query that asks for it.
pub fn next_link<Q: Serialize>(path: &str, query: &Q) -> Option<String> {
    serde_urlencoded::to_string(query)
        .ok()
        .map(|qs| format!("{path}?{qs}"))
}

/// The `Link` header's value naming the next page.
pub fn link_header(next: &str) -> String {
    format!("<{next}>; rel=\"next\"")
}

/// A page as answered: the body, and the next page also in `Link`.
pub fn respond<B: Serialize>(next: Option<String>, body: &B) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if let Some(link) = next {
        res.insert_header(("Link", link_header(&link)));
    }
    res.json(body)
}

/// The page size and the cursor read by `key`, or every bad parameter.
pub fn page_of<K>(
    limit: Option<u32>,
    cursor: Option<&str>,
    key: impl Fn(&str) -> Option<K>,
) -> Result<(u32, Option<K>), ApiError> {
    let mut errors = Vec::new();
    let limit = self::limit(limit).map_err(|e| errors.push(e)).ok();
    let after = match cursor.map(|c| key(c).ok_or(c)) {
        Some(Ok(k)) => Some(k),
        Some(Err(c)) => {
            errors.push(FieldError::new(
                "query.cursor",
                "invalid",
                format!("'{c}' is not a cursor of this list"),
            ));
            None
        }
        None => None,
    };
    match limit {
        Some(limit) if errors.is_empty() => Ok((limit, after)),
        _ => Err(ApiError::bad_query(errors)),
    }
}

/// The page out of the rows fetched (`fetch(limit)` of them) and the link
/// to the next page when one follows: `query` given the cursor that `key`
/// makes of the last row shown, on the list's `path`.
pub fn page<T, Q: Serialize>(
    rows: Vec<T>,
    limit: u32,
    path: &str,
    key: impl FnOnce(&T) -> Option<String>,
    query: impl FnOnce(String) -> Q,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let (rows, more) = split(rows, limit);
    let next = match (more, rows.last()) {
        (true, Some(last)) => {
            // A row with no key could not be continued from, and stopping
            // there would hide the rest of the list.
            let cursor = key(last).ok_or_else(|| {
                ApiError::Internal(format!("a row of {path} has no key to page from"))
            })?;
            next_link(path, &query(cursor))
        }
        _ => None,
    };
    Ok((rows, next))
}

/// A page of a list that takes no other parameter.
#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The query of the page after `cursor`, of `limit` rows.
    pub fn at(cursor: String, limit: u32) -> Self {
        Self {
            cursor: Some(cursor),
            limit: Some(limit),
        }
    }
}

/// A page of a list judged as of a day: the overdue lists.
#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DatedPageQuery {
    /// The date to judge by; today (IST) when absent. The `next` link
    /// keeps the date of the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_the_limit_and_says_whether_more_follow() {
        assert_eq!(limit(None).ok(), Some(DEFAULT_LIMIT));
        assert_eq!(limit(Some(MAX_LIMIT)).ok(), Some(MAX_LIMIT));
        assert!(limit(Some(0)).is_err() && limit(Some(MAX_LIMIT + 1)).is_err());
        assert_eq!(fetch(3), 4);
        assert_eq!(split(vec![1, 2, 3, 4], 3), (vec![1, 2, 3], true));
        assert_eq!(split(vec![1, 2, 3], 3), (vec![1, 2, 3], false));
        #[derive(Serialize)]
        struct Q {
            cursor: &'static str,
            limit: u32,
        }
        let q = Q {
            cursor: "2026-10-01.7",
            limit: 3,
        };
        assert_eq!(
            next_link("/v1/rti/requests", &q).as_deref(),
            Some("/v1/rti/requests?cursor=2026-10-01.7&limit=3")
        );
    }
}
