//! Dates and times read from SQLite without chrono's format parser.
//!
//! Diesel reads a SQLite date with `NaiveDate::parse_from_str(text, "%F")`,
//! which walks the format string for every value, and a timestamp by
//! trying formats in turn; a page of 50 employees reads about 300 of them,
//! a sixth of the list's server time (bench/speed.md). The store writes
//! them in one form (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.f]`, diesel's), so
//! that form is read directly and anything else as diesel reads it.
//! PostgreSQL sends them binary: read as diesel reads them. Use on a row's
//! field with `#[diesel(deserialize_as = …)]`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Date, Timestamp};
use diesel::sqlite::{Sqlite, SqliteValue};

use crate::db::{MultiBackend, MultiRawValue};

/// A `NaiveDate` column, read.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct ReadDate(NaiveDate);

/// A `NaiveDateTime` column, read.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct ReadTimestamp(NaiveDateTime);

impl From<ReadDate> for NaiveDate {
    fn from(d: ReadDate) -> Self {
        d.0
    }
}

impl From<ReadTimestamp> for NaiveDateTime {
    fn from(t: ReadTimestamp) -> Self {
        t.0
    }
}

/// `n` ASCII digits as a number.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD`.
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// `YYYY-MM-DD HH:MM:SS`, then optionally `.` and 1 to 9 digits.
fn ymd_hms(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = ymd(&b[..10])?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
            digits(frac)? * 10u32.pow(9 - u32::try_from(frac.len()).ok()?)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
        nanos,
    )?;
    Some(date.and_time(time))
}

impl FromSql<Date, Sqlite> for ReadDate {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        match ymd(value.read_text().as_bytes()) {
            Some(d) => Ok(ReadDate(d)),
            None => <NaiveDate as FromSql<Date, Sqlite>>::from_sql(value).map(ReadDate),
        }
    }
}

impl FromSql<Timestamp, Sqlite> for ReadTimestamp {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        match ymd_hms(value.read_text().as_bytes()) {
            Some(t) => Ok(ReadTimestamp(t)),
            None => {
                <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(ReadTimestamp)
            }
        }
    }
}

impl FromSql<Date, Pg> for ReadDate {
    fn from_sql(
        value: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <NaiveDate as FromSql<Date, Pg>>::from_sql(value).map(ReadDate)
    }
}

impl FromSql<Timestamp, Pg> for ReadTimestamp {
    fn from_sql(
        value: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(ReadTimestamp)
    }
}

impl FromSql<Date, MultiBackend> for ReadDate {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Date>()
    }
}

impl FromSql<Timestamp, MultiBackend> for ReadTimestamp {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What diesel writes is read back as diesel reads it.
    #[test]
    fn the_stored_forms_read_as_chrono_reads_them() {
        for d in ["2026-11-29", "1958-02-28", "2000-02-29", "0001-01-01"] {
            assert_eq!(
                ymd(d.as_bytes()),
                NaiveDate::parse_from_str(d, "%F").ok(),
                "{d}"
            );
        }
        for t in [
            "2026-11-29 20:22:08",
            "2026-11-29 20:22:08.1",
            "2026-11-29 20:22:08.123456",
            "2026-11-29 20:22:08.123456789",
        ] {
            let chrono = NaiveDateTime::parse_from_str(t, "%F %T%.f").ok();
            assert_eq!(ymd_hms(t.as_bytes()), chrono, "{t}");
            assert!(chrono.is_some());
        }
        let now = chrono::Utc::now().naive_utc();
        let written = now.format("%F %T%.f").to_string();
        assert_eq!(ymd_hms(written.as_bytes()), Some(now), "{written}");
        for bad in [
            "2026-02-30",
            "2026-1-29",
            "20261129",
            "2026-11-29T20:22:08",
            "2026-11-29 20:22:08.",
            "2026-11-29 25:00:00",
            "2026-11-29 20:22:08.1234567890",
        ] {
            assert_eq!(
                ymd(bad.as_bytes()).or(ymd_hms(bad.as_bytes()).map(|t| t.date())),
                None,
                "{bad}"
            );
        }
    }
}
