//! Small date helpers shared by the pay engines.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};

use super::PayError;

/// `on` plus whole years (29 February falls back to 28 February).
pub(crate) fn add_years(on: NaiveDate, years: u32) -> Result<NaiveDate, PayError> {
    let year = i32::try_from(years)
        .ok()
        .and_then(|y| on.year().checked_add(y))
        .ok_or(PayError::DateOutOfRange)?;
    on.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, on.month(), 28))
        .ok_or(PayError::DateOutOfRange)
}

/// A reason's text, written into a buffer sized for it once (reasons are
/// the main cost of an evaluation).
pub(crate) fn sized_text(args: fmt::Arguments<'_>) -> String {
    let mut s = String::with_capacity(224);
    // Writing to a String cannot fail.
    let _ = fmt::Write::write_fmt(&mut s, args);
    s
}

pub(crate) fn add_days(on: NaiveDate, days: u64) -> Result<NaiveDate, PayError> {
    on.checked_add_days(Days::new(days))
        .ok_or(PayError::DateOutOfRange)
}

/// Whole days from `from` to `to` (0 if `to` is earlier).
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> u64 {
    u64::try_from((to - from).num_days()).unwrap_or(0)
}

/// 1 July of the year of `on`.
pub(crate) fn first_july(year: i32) -> Result<NaiveDate, PayError> {
    NaiveDate::from_ymd_opt(year, 7, 1).ok_or(PayError::DateOutOfRange)
}

/// `format!` into a buffer sized once.
macro_rules! text {
    ($($arg:tt)*) => {
        $crate::pay::dates::sized_text(format_args!($($arg)*))
    };
}
pub(crate) use text;

/// A date written the way the orders write it: `01.10.2012`.
pub(crate) struct Dmy(pub NaiveDate);

impl fmt::Display for Dmy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written digit by digit: reasons carry many dates and this is hot.
        let (d, m) = (self.0.day(), self.0.month());
        let y = u32::try_from(self.0.year()).unwrap_or(0) % 10_000;
        let digit = |n: u32| b'0' + u8::try_from(n % 10).unwrap_or(0);
        let buf = [
            digit(d / 10),
            digit(d),
            b'.',
            digit(m / 10),
            digit(m),
            b'.',
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
        ];
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

/// "1st", "2nd", "3rd" for upgrade numbers.
pub(crate) fn ordinal(n: u8) -> &'static str {
    match n {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        _ => "further",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    #[test]
    fn years_are_added_like_the_calendar() {
        assert_eq!(add_years(ymd(1982, 10, 1), 30), Ok(ymd(2012, 10, 1)));
        assert_eq!(add_years(ymd(2004, 2, 29), 10), Ok(ymd(2014, 2, 28)));
        assert_eq!(add_years(ymd(2004, 2, 29), 4), Ok(ymd(2008, 2, 29)));
    }

    #[test]
    fn dates_print_as_the_orders_write_them() {
        assert_eq!(Dmy(ymd(2012, 10, 1)).to_string(), "01.10.2012");
        assert_eq!(Dmy(ymd(1999, 8, 9)).to_string(), "09.08.1999");
    }
}
