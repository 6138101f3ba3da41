//! Where a page of a list ends (INT-1): the key of the last row shown, on
//! an ordering the row's id makes unique, so that a page neither skips nor
//! repeats a row. Its text is the list's cursor.

use chrono::{DateTime, NaiveDateTime};

/// A list ordered by its rows' ids: the id of the last row shown.
pub fn id(s: &str) -> Option<i64> {
    s.parse().ok().filter(|id| *id > 0)
}

/// A list ordered by when its rows were submitted, then by id: the last
/// row's time as stored (to the nanosecond) and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtId {
    pub at: NaiveDateTime,
    pub id: i64,
}

impl AtId {
    /// Reads a cursor such a list gave out; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        let (nanos, row) = s.split_once('.')?;
        Some(Self {
            at: DateTime::from_timestamp_nanos(nanos.parse().ok()?).naive_utc(),
            id: id(row)?,
        })
    }

    /// The text of the cursor after a row submitted `at` with `id`.
    pub fn after(at: NaiveDateTime, id: i64) -> Option<String> {
        Self { at, id }.text()
    }

    /// Its text, or none for a time outside the years 1677 to 2262.
    pub fn text(&self) -> Option<String> {
        let nanos = self.at.and_utc().timestamp_nanos_opt()?;
        Some(format!("{nanos}.{}", self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written_and_nothing_else_reads() {
        let at = crate::params::ymd(2026, 12, 3)
            .and_hms_nano_opt(18, 0, 1, 123_456_789)
            .unwrap();
        let c = AtId { at, id: 42 };
        let text = c.text().unwrap();
        assert_eq!(text, "1796320801123456789.42");
        assert_eq!(AtId::parse(&text), Some(c));
        for bad in ["", "12", "x.4", "12.x", "12.0", "12.-3", "12.4.1"] {
            assert_eq!(AtId::parse(bad), None, "{bad}");
        }
        assert_eq!(id("41"), Some(41));
        for bad in ["", "0", "-1", "4.1", "x"] {
            assert_eq!(id(bad), None, "{bad}");
        }
        let far = crate::params::ymd(2300, 1, 1).and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(AtId { at: far, id: 1 }.text(), None);
    }
}
