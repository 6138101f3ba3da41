//! What text and dates the system accepts from outside, one rule for all
//! input (docs/assumptions.md, "Text and dates at the boundary"):
//!
//! - text is valid UTF-8 (JSON and the URL decoder see to that), trimmed,
//!   and holds no NUL or other C0 control character (nor DEL); tab and
//!   newline (CR LF too) only in the multi-line fields of [`MULTI_LINE`];
//! - a single-line value is at most [`MAX_LINE`] characters, a multi-line one
//!   at most [`MAX_TEXT`], a search term at most [`MAX_SEARCH`];
//! - a date is `YYYY-MM-DD`, a timestamp begins with one (RFC 3339), with a
//!   four-digit year from [`MIN_YEAR`] to [`MAX_YEAR`]: a signed or
//!   five-digit year (`+99999-01-01`) is refused, not read. Any text value
//!   shaped like a date is held to this, so no date field can miss it.

use chrono::NaiveDate;

/// Longest single-line value (names, references, codes, address lines).
pub const MAX_LINE: usize = 500;
/// Longest multi-line value (remarks, reasons, purposes).
pub const MAX_TEXT: usize = 4000;
/// Longest search term (`?q=`).
pub const MAX_SEARCH: usize = 100;
/// Service dates and timestamps lie in these years.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;

/// Fields whose values may run over several lines, by name.
pub const MULTI_LINE: &[&str] = &[
    "remarks",
    "reason",
    "reason_text",
    "reasons",
    "note",
    "notes",
    "purpose",
    "description",
    "comments",
    "address",
    "duties",
    "detail",
    "details",
];

/// Why a value was refused; `code` is the field error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub code: &'static str,
    pub message: String,
}

impl TextError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Whether a field of this name may hold several lines.
pub fn is_multi_line(field: &str) -> bool {
    MULTI_LINE.contains(&field)
}

/// Checks one text value and returns it trimmed: no control characters
/// (tab and line breaks only when `multi_line`), at most `max` characters,
/// and, where it has the shape of a date or timestamp, a plain one in range.
pub fn clean(value: &str, multi_line: bool, max: usize) -> Result<&str, TextError> {
    if let Some(c) = value.chars().find(|&c| is_refused_control(c, multi_line)) {
        return Err(TextError::new(
            "control_character",
            format!(
                "contains the control character U+{:04X}{}",
                u32::from(c),
                if multi_line {
                    ""
                } else {
                    "; this field is a single line"
                }
            ),
        ));
    }
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len > max {
        return Err(TextError::new(
            "too_long",
            format!("is {len} characters long; at most {max} are accepted"),
        ));
    }
    if looks_like_date(trimmed) {
        check_date_shape(trimmed)?;
    }
    Ok(trimmed)
}

fn is_refused_control(c: char, multi_line: bool) -> bool {
    match c {
        '\t' | '\n' | '\r' => !multi_line,
        c => c.is_ascii_control(),
    }
}

/// A value that begins like a date (`2024-01-31`, `+99999-01-01`,
/// `20240-01-01`, `2024-01-31T10:00:00Z`): digits, optionally signed, then
/// `-MM-DD`.
pub fn looks_like_date(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    let rest = unsigned.as_bytes().get(digits..).unwrap_or_default();
    digits >= 4
        && rest.len() >= 6
        && rest[0] == b'-'
        && rest[1..3].iter().all(u8::is_ascii_digit)
        && rest[3] == b'-'
        && rest[4..6].iter().all(u8::is_ascii_digit)
        && (rest.len() == 6 || matches!(rest[6], b'T' | b't' | b' '))
}

/// The year of a date or timestamp must be four digits, unsigned, in range;
/// the typed field then reads the rest (a day not on the calendar is its
/// error, reported with the body's other bad fields).
fn check_date_shape(s: &str) -> Result<(), TextError> {
    let year = s
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()) && s.as_bytes().get(4) == Some(&b'-'))
        .and_then(|y| y.parse::<i32>().ok());
    match year {
        None => Err(TextError::new(
            "invalid_date",
            format!("'{}' is not a date of the form YYYY-MM-DD", shorten(s)),
        )),
        Some(y) if !(MIN_YEAR..=MAX_YEAR).contains(&y) => Err(TextError::new(
            "date_out_of_range",
            format!("the year {y} is outside {MIN_YEAR}–{MAX_YEAR}"),
        )),
        Some(_) => Ok(()),
    }
}

/// A date as the system accepts it: exactly `YYYY-MM-DD`, a real day, the
/// year from [`MIN_YEAR`] to [`MAX_YEAR`].
pub fn parse_date(s: &str) -> Result<NaiveDate, TextError> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(TextError::new(
            "invalid_date",
            format!("'{}' is not a date of the form YYYY-MM-DD", shorten(s)),
        ));
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        TextError::new(
            "invalid_date",
            format!("'{s}' is not a day of the calendar"),
        )
    })?;
    in_range(date)
}

fn in_range(date: NaiveDate) -> Result<NaiveDate, TextError> {
    use chrono::Datelike;
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(TextError::new(
            "date_out_of_range",
            format!("{date} is outside the years {MIN_YEAR}–{MAX_YEAR}"),
        ))
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_refused_and_lines_only_where_multi_line() {
        assert_eq!(
            clean("a\u{0}b", true, 10).unwrap_err().code,
            "control_character"
        );
        assert_eq!(
            clean("a\u{7f}", true, 10).unwrap_err().code,
            "control_character"
        );
        assert_eq!(
            clean("a\nb", false, 10).unwrap_err().code,
            "control_character"
        );
        assert_eq!(
            clean("a\tb", false, 10).unwrap_err().code,
            "control_character"
        );
        assert_eq!(clean("a\r\n\tb", true, 10).unwrap(), "a\r\n\tb");
        assert_eq!(clean("  Ministry  ", false, 10).unwrap(), "Ministry");
        // Text outside ASCII is text.
        assert_eq!(clean("गृह मंत्रालय", false, 20).unwrap(), "गृह मंत्रालय");
    }

    #[test]
    fn length_is_counted_in_characters_after_trimming() {
        assert!(clean(&format!(" {} ", "x".repeat(5)), false, 5).is_ok());
        assert_eq!(
            clean(&"x".repeat(6), false, 5).unwrap_err().code,
            "too_long"
        );
        assert!(clean(&"अ".repeat(5), false, 5).is_ok());
    }

    #[test]
    fn dates_are_plain_and_in_range() {
        assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in [
            "+99999-01-01",
            "99999-01-01",
            "-0001-01-01",
            "2024-2-1",
            "2024-02-30",
            "24-02-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_date("1899-12-31").unwrap_err().code,
            "date_out_of_range"
        );
        assert_eq!(
            parse_date("2101-01-01").unwrap_err().code,
            "date_out_of_range"
        );
        assert!(parse_date("1900-01-01").is_ok() && parse_date("2100-12-31").is_ok());
    }

    #[test]
    fn text_shaped_like_a_date_must_be_one() {
        for bad in [
            "+99999-01-01",
            "99999-01-01",
            "3000-01-01",
            "+99999-01-31T10:00:00Z",
        ] {
            assert!(clean(bad, false, 50).is_err(), "{bad}");
        }
        for good in [
            "2024-01-31",
            "2024-01-31T10:00:00+05:30",
            "MHA/Vig/2026/114",
            "12-34",
            "1234",
        ] {
            assert!(clean(good, false, 50).is_ok(), "{good}");
        }
        // A day off the calendar is left to the typed field, which reports
        // it with the body's other bad fields.
        assert!(clean("2024-02-30", false, 50).is_ok());
    }
}
