//! Rate-limit state shared by the instances of a PostgreSQL deployment
//! (INT-2): one GCRA theoretical arrival time (TAT) per key.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::{DbConn, StoreError};

#[derive(QueryableByName)]
struct Tat {
    #[diesel(sql_type = BigInt)]
    tat_ms: i64,
}

/// Admits one request of `key` at `now_ms` if the GCRA allows it: the TAT
/// advances by `interval_ms` unless it would run more than `window_ms`
/// ahead of now. Returns `(admitted, tat_ms)` (the TAT after the request,
/// or as it stands when refused). One atomic UPDATE, so concurrent
/// requests on any instance are counted exactly.
pub fn admit(
    conn: &mut DbConn,
    key: &str,
    now_ms: i64,
    interval_ms: i64,
    window_ms: i64,
) -> Result<(bool, i64), StoreError> {
    let DbConn::Pg(c) = conn else {
        return Err(StoreError::Corrupt(
            "shared rate limits need PostgreSQL".into(),
        ));
    };
    for _ in 0..3 {
        let updated: Option<Tat> = diesel::sql_query(
            "UPDATE rate_limits SET tat_ms = GREATEST(tat_ms, $2) + $3 \
             WHERE limit_key = $1 AND GREATEST(tat_ms, $2) + $3 - $2 <= $4 \
             RETURNING tat_ms",
        )
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now_ms)
        .bind::<BigInt, _>(interval_ms)
        .bind::<BigInt, _>(window_ms)
        .get_result(c)
        .optional()?;
        if let Some(t) = updated {
            return Ok((true, t.tat_ms));
        }
        let current: Option<Tat> =
            diesel::sql_query("SELECT tat_ms FROM rate_limits WHERE limit_key = $1")
                .bind::<Text, _>(key)
                .get_result(c)
                .optional()?;
        match current {
            // Over the limit as the row stands now: refused.
            Some(t) if t.tat_ms.max(now_ms) + interval_ms - now_ms > window_ms => {
                return Ok((false, t.tat_ms))
            }
            // The row was made by a concurrent first request after the
            // UPDATE looked: take the UPDATE again rather than refuse.
            Some(_) => continue,
            None => {}
        }
        // First request of this key: make its row, then take the UPDATE again.
        diesel::sql_query(
            "INSERT INTO rate_limits (limit_key, tat_ms) VALUES ($1, 0) ON CONFLICT (limit_key) DO NOTHING",
        )
        .bind::<Text, _>(key)
        .execute(c)?;
    }
    Err(StoreError::Corrupt("rate limit row vanished".into()))
}
