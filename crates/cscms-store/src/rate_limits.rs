//! Rate-limit state shared by the instances of a PostgreSQL deployment
//! (INT-2): one GCRA theoretical arrival time (TAT) per key.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Untyped};

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

// The statements are the store's own, prepared once per connection: as
// `sql_query`s PostgreSQL parsed and planned the reservation again each
// time, about 0.4 ms of its CPU, once per request for a caller who comes
// now and then (bench/speed.md, "Statements prepared once").
crate::fixed::fixed_statement! {
    /// [`reserve`]'s atomic reservation. `base` is the TAT as the request
    /// finds it, less what this instance gives back; the room ahead of it
    /// within the window, in intervals, bounds the grant.
    struct Reserve<'a> on Pg => Untyped {
        key: &'a str,
        now_us: i64,
        interval_us: i64,
        window_us: i64,
        want: i64,
        give_back: i64,
    }
    sql = "WITH cur AS ( \
               SELECT limit_key, GREATEST(tat_us - ", interval_us: BigInt, " * ", give_back: BigInt,
        ", ", now_us: BigInt, ") AS base FROM rate_limits \
               WHERE limit_key = ", key: Text, " FOR UPDATE), \
           grant_ AS ( \
               SELECT limit_key, base, LEAST(", want: BigInt, ", (", window_us: BigInt,
        " - (base - ", now_us: BigInt, ")) / ", interval_us: BigInt, ") AS n FROM cur) \
           UPDATE rate_limits r SET tat_us = g.base + ", interval_us: BigInt, " * g.n \
           FROM grant_ g WHERE r.limit_key = g.limit_key AND g.n >= 1 \
           RETURNING r.tat_us, g.n AS granted";
}

crate::fixed::fixed_statement! {
    /// The TAT of a key as it stands.
    struct CurrentTat<'a> on Pg => Untyped { key: &'a str }
    sql = "SELECT tat_us FROM rate_limits WHERE limit_key = ", key: Text, "";
}

crate::fixed::fixed_statement! {
    /// A key's row, made by its first request.
    struct FirstTat<'a> on Pg => Untyped { key: &'a str }
    sql = "INSERT INTO rate_limits (limit_key, tat_us) VALUES (", key: Text,
        ", 0) ON CONFLICT (limit_key) DO NOTHING";
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
        let reserved: Option<Reserved> = Reserve {
            key,
            now_us,
            interval_us,
            window_us,
            want: want.max(1),
            give_back: give_back.max(0),
        }
        .get_result(c)
        .optional()?;
        if let Some(r) = reserved {
            return Ok((r.granted, r.tat_us));
        }
        let current: Option<Tat> = CurrentTat { key }.get_result(c).optional()?;
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
        FirstTat { key }.execute(c)?;
    }
    Err(StoreError::Corrupt("rate limit row vanished".into()))
}
