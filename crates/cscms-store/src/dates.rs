//! Dates and times read from and written to SQLite without chrono's
//! format strings.
//!
//! Diesel reads a SQLite date with `NaiveDate::parse_from_str(text, "%F")`,
//! which walks the format string for every value, and a timestamp by
//! trying formats in turn; a page of 50 employees reads about 300 of them,
//! a sixth of the list's server time (bench/speed.md). The store writes
//! them in one form (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.f]`, diesel's), so
//! that form is read directly and anything else as diesel reads it.
//! PostgreSQL sends them binary: read as diesel reads them. Use on a row's
//! field with `#[diesel(deserialize_as = …)]`.
//!
//! Writing, diesel formats each value with `format("%F %T%.f")`, which
//! parses the format string every time: a fifth of the bulk APAR import's
//! write on SQLite, six values a row (bench/speed.md, "APAR import, third
//! pass"). [`WriteDate`] and [`WriteTimestamp`] write the same text
//! directly; a row type to be inserted in bulk holds them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Date, Timestamp};
use diesel::sqlite::{Sqlite, SqliteValue};

use crate::db::{MultiBackend, MultiRawValue};

/// The last day a stored date may hold: the end of year 9999, the last
/// written the same way on both backends.
pub const LAST_DAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => chrono::NaiveDate::MAX,
};

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

/// A `NaiveDate` to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Date)]
pub struct WriteDate(pub NaiveDate);

/// A `NaiveDateTime` to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Timestamp)]
pub struct WriteTimestamp(pub NaiveDateTime);

impl From<NaiveDate> for WriteDate {
    fn from(d: NaiveDate) -> Self {
        WriteDate(d)
    }
}

impl From<NaiveDateTime> for WriteTimestamp {
    fn from(t: NaiveDateTime) -> Self {
        WriteTimestamp(t)
    }
}

/// `n` as exactly `width` ASCII digits (`n` < 10^width).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + ((n / 10u32.pow(place)) % 10) as u8));
    }
}

/// `YYYY-MM-DD` as chrono's `%F` writes it, for years 0 to 9999 (`None`
/// otherwise: chrono then adds a sign).
fn push_ymd(out: &mut String, d: NaiveDate) -> Option<()> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    push_digits(out, year, 4);
    out.push('-');
    push_digits(out, d.month(), 2);
    out.push('-');
    push_digits(out, d.day(), 2);
    Some(())
}

/// The text chrono's `%F` gives.
fn date_text(d: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    match push_ymd(&mut out, d) {
        Some(()) => out,
        None => d.format("%F").to_string(),
    }
}

/// The text chrono's `%F %T%.f` gives: the fraction left out when zero,
/// else in 3, 6 or 9 digits, the fewest that hold it.
fn timestamp_text(t: NaiveDateTime) -> String {
    let mut out = String::with_capacity(29);
    match push_timestamp(&mut out, t, ' ') {
        Some(()) => out,
        None => t.format("%F %T%.f").to_string(),
    }
}

/// `t` as a UTC time in the text chrono's serde gives a `DateTime<Utc>`
/// (`2026-12-02T17:03:00.123456Z`): how the API writes every time. Its own
/// formatter parses a format for each value, a sixth of a list page's
/// JSON (bench/speed.md, "The filtered list, a page not kept, second pass").
pub fn utc_text(t: NaiveDateTime) -> String {
    let mut out = String::with_capacity(30);
    match push_timestamp(&mut out, t, 'T') {
        Some(()) => {
            out.push('Z');
            out
        }
        // chrono's serde writes its `Debug` form.
        None => format!("{:?}", t.and_utc()),
    }
}

/// The date, `separator`, then the time with its fraction as chrono's
/// `%.f` writes it; `None` (with `out` in any state) for what only chrono
/// writes: a year outside 0 to 9999 or a leap second.
fn push_timestamp(out: &mut String, t: NaiveDateTime, separator: char) -> Option<()> {
    let nanos = t.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    push_ymd(out, t.date())?;
    out.push(separator);
    push_digits(out, t.hour(), 2);
    out.push(':');
    push_digits(out, t.minute(), 2);
    out.push(':');
    push_digits(out, t.second(), 2);
    if nanos > 0 {
        let (fraction, width) = if nanos.is_multiple_of(1_000_000) {
            (nanos / 1_000_000, 3)
        } else if nanos.is_multiple_of(1_000) {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        out.push('.');
        push_digits(out, fraction, width);
    }
    Some(())
}

impl ToSql<Date, Sqlite> for WriteDate {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(date_text(self.0));
        Ok(IsNull::No)
    }
}

impl ToSql<Timestamp, Sqlite> for WriteTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(timestamp_text(self.0));
        Ok(IsNull::No)
    }
}

impl ToSql<Date, Pg> for WriteDate {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDate as ToSql<Date, Pg>>::to_sql(&self.0, out)
    }
}

impl ToSql<Timestamp, Pg> for WriteTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
    }
}

impl ToSql<Date, MultiBackend> for WriteDate {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Date, self));
        Ok(IsNull::No)
    }
}

impl ToSql<Timestamp, MultiBackend> for WriteTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Timestamp, self));
        Ok(IsNull::No)
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

    /// What is written is the text diesel writes through chrono.
    #[test]
    fn the_written_forms_are_chronos() {
        let mut checked = 0;
        let days = [
            (2026, 11, 30),
            (1958, 2, 28),
            (2000, 2, 29),
            (1, 1, 1),
            (0, 1, 1),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 15),
        ];
        let times = [
            (0, 0, 0, 0),
            (23, 59, 59, 1),
            (9, 5, 7, 100_000_000),
            (9, 5, 7, 120_000),
            (9, 5, 7, 123_456_000),
            (9, 5, 7, 123_456_789),
            (9, 5, 7, 1_000),
            (9, 5, 7, 999_999_999),
            (23, 59, 59, 1_500_000_000),
        ];
        for (y, m, d) in days {
            let day = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
            assert_eq!(date_text(day), day.format("%F").to_string());
            for (h, mi, s, n) in times {
                let t = day.and_hms_nano_opt(h, mi, s, n).expect("a time");
                assert_eq!(timestamp_text(t), t.format("%F %T%.f").to_string());
                let chronos = serde_json::to_string(&t.and_utc()).expect("JSON");
                assert_eq!(format!("\"{}\"", utc_text(t)), chronos);
                checked += 1;
            }
        }
        let now = chrono::Utc::now().naive_utc();
        assert_eq!(timestamp_text(now), now.format("%F %T%.f").to_string());
        assert_eq!(
            format!("\"{}\"", utc_text(now)),
            serde_json::to_string(&now.and_utc()).expect("JSON")
        );
        assert_eq!(checked, days.len() * times.len());
    }
}
