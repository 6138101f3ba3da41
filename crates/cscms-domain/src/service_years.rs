//! Years of service completed, one reading for every engine: `N` years
//! counted from a first day are complete at the close of the day before the
//! `N`-th anniversary — seed 003's own example, service "from 02.01.1992"
//! with the four years "complete on 01.01.1996". A first day of 29 February
//! has its anniversary on 28 February in a common year.

use chrono::{Datelike, Months, NaiveDate};

/// The day on which `years` counted from `start` are complete.
pub fn completed_on(start: NaiveDate, years: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(years.checked_mul(12)?))?
        .pred_opt()
}

/// Whether `years` counted from `start` are complete by the close of `on`.
pub fn completes(start: NaiveDate, on: NaiveDate, years: u32) -> bool {
    completed_on(start, years).is_some_and(|d| on >= d)
}

/// The whole years counted from `start` that are complete by the close of `on`.
pub fn completed_years(start: NaiveDate, on: NaiveDate) -> u32 {
    let span = u32::try_from(on.year() - start.year()).unwrap_or(0);
    // The calendar difference is the answer or one more than it.
    (0..=span + 1)
        .rev()
        .find(|&y| completes(start, on, y))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn complete_the_day_before_the_anniversary_as_in_seed_003() {
        assert_eq!(completed_on(ymd(1992, 1, 2), 4), Some(ymd(1996, 1, 1)));
        assert!(completes(ymd(1992, 1, 2), ymd(1996, 1, 1), 4));
        assert!(!completes(ymd(1992, 1, 2), ymd(1995, 12, 31), 4));
        assert_eq!(completed_years(ymd(2018, 3, 15), ymd(2026, 3, 14)), 8);
        assert_eq!(completed_years(ymd(2018, 3, 15), ymd(2026, 3, 13)), 7);
        assert_eq!(completed_years(ymd(2018, 3, 15), ymd(2018, 3, 15)), 0);
        assert_eq!(completed_years(ymd(2018, 3, 15), ymd(2017, 1, 1)), 0);
    }

    #[test]
    fn a_first_day_of_29_february() {
        assert_eq!(completed_on(ymd(2016, 2, 29), 1), Some(ymd(2017, 2, 27)));
        assert_eq!(completed_on(ymd(2016, 2, 29), 4), Some(ymd(2020, 2, 28)));
        assert_eq!(completed_years(ymd(2016, 2, 29), ymd(2017, 2, 27)), 1);
        assert_eq!(completed_years(ymd(2016, 2, 29), ymd(2017, 2, 26)), 0);
    }

    #[test]
    fn the_count_agrees_with_the_test_for_every_day_of_four_years() {
        let start = ymd(2015, 6, 30);
        let mut on = ymd(2015, 1, 1);
        while on < ymd(2020, 12, 31) {
            let n = completed_years(start, on);
            assert!(n == 0 || completes(start, on, n), "{on}");
            assert!(!completes(start, on, n + 1), "{on}");
            on = on.succ_opt().unwrap();
        }
    }
}
