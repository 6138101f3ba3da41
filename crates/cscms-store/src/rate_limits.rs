//! Rate-limit state shared by the instances of a PostgreSQL deployment
//! (INT-2): one GCRA theoretical arrival time (TAT) per key.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::{DbConn, StoreError};

#[derive(QueryableByName)]
struct Reserved {
    #[diesel(sql_type = BigInt)]
    tat_us: i64,
    #[diesel(sql_type = BigInt)]
    granted: i64,
}

#[derive(QueryableByName)]
struct Tat {
    #[diesel(sql_type = BigInt)]
    tat_us: i64,
}

/// One reservation against a caller's GCRA state.
#[derive(Debug, Clone, Copy)]
pub struct Reservation<'a> {
    pub key: &'a str,
    pub now_us: i64,
    pub interval_us: i64,
    pub window_us: i64,
    /// Requests wanted (at least one).
    pub want: i64,
    /// Requests reserved earlier by this instance and not spent.
    pub give_back: i64,
}

/// Reserves up to `want` requests, as many as the GCRA allows: the TAT
/// (less the intervals given back) advances by `interval_us` for each,
/// and never runs more than `window_us` ahead of now. Returns
/// `(granted, tat_us)` — the TAT after the reservation, or as it stands
/// when nothing was granted. One atomic statement, so concurrent
/// reservations on any instance are counted exactly.
pub fn reserve(conn: &mut DbConn, r: &Reservation<'_>) -> Result<(i64, i64), StoreError> {
    let Reservation {
        key,
        now_us,
        interval_us,
        window_us,
        want,
        give_back,
    } = *r;
    let DbConn::Pg(c) = conn else {
        return Err(StoreError::Corrupt(
            "shared rate limits need PostgreSQL".into(),
        ));
    };
    for _ in 0..3 {
        // `base` is the TAT as the request finds it, less what this
        // instance gives back; the room ahead of it
        // within the window, in intervals, bounds the grant.
        let reserved: Option<Reserved> = diesel::sql_query(
            "WITH cur AS ( \
                 SELECT limit_key, GREATEST(tat_us - $3 * $6, $2) AS base FROM rate_limits \
                 WHERE limit_key = $1 FOR UPDATE), \
             grant_ AS ( \
                 SELECT limit_key, base, LEAST($5, ($4 - (base - $2)) / $3) AS n FROM cur) \
             UPDATE rate_limits r SET tat_us = g.base + $3 * g.n \
             FROM grant_ g WHERE r.limit_key = g.limit_key AND g.n >= 1 \
             RETURNING r.tat_us, g.n AS granted",
        )
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now_us)
        .bind::<BigInt, _>(interval_us)
        .bind::<BigInt, _>(window_us)
        .bind::<BigInt, _>(want.max(1))
        .bind::<BigInt, _>(give_back.max(0))
        .get_result(c)
        .optional()?;
        if let Some(r) = reserved {
            return Ok((r.granted, r.tat_us));
        }
        let current: Option<Tat> =
            diesel::sql_query("SELECT tat_us FROM rate_limits WHERE limit_key = $1")
                .bind::<Text, _>(key)
                .get_result(c)
                .optional()?;
        match current {
            // Over the limit as the row stands now: refused.
            Some(t) if t.tat_us.max(now_us) + interval_us - now_us > window_us => {
                return Ok((0, t.tat_us))
            }
            // The row was made by a concurrent first request after the
            // UPDATE looked: take the UPDATE again rather than refuse.
            Some(_) => continue,
            None => {}
        }
        // First request of this key: make its row, then take the UPDATE again.
        diesel::sql_query(
            "INSERT INTO rate_limits (limit_key, tat_us) VALUES ($1, 0) ON CONFLICT (limit_key) DO NOTHING",
        )
        .bind::<Text, _>(key)
        .execute(c)?;
    }
    Err(StoreError::Corrupt("rate limit row vanished".into()))
}
