//! Dates of increment after appointment, promotion or financial upgradation,
//! by the pay structure in force on that date.
//!
//! - 5th CPC (FR 26): one year after the event.
//! - 6th CPC (Rule 10, CCS (RP) Rules 2008; DoE OM of 30.08.2008): one
//!   uniform date, 1 July, after at least six months in the pay.
//! - 7th CPC (Rule 10, CCS (RP) Rules 2016; DoE OMs of 31.07.2018 and
//!   28.11.2019): 1 January for events from 2 January to 1 July, 1 July for
//!   events from 2 July to 1 January.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::dates::add_years;
use super::regime::{SEVENTH_CPC_FROM, SIXTH_CPC_FROM};
use super::PayError;
use crate::params::{ymd, Dated, DatedParam};

/// How the date of next increment is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrementDates {
    Anniversary,
    UniformFirstJuly,
    FirstJanuaryOrJuly,
}

pub fn increment_dates() -> &'static DatedParam<IncrementDates> {
    static P: OnceLock<DatedParam<IncrementDates>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ymd(1900, 1, 1),
                value: IncrementDates::Anniversary,
                source: "FR 26",
            },
            Dated {
                from: SIXTH_CPC_FROM,
                value: IncrementDates::UniformFirstJuly,
                source: "Rule 10, CCS (RP) Rules 2008; DoE OM No. 1/1/2008-IC dated 30.08.2008",
            },
            Dated {
                from: SEVENTH_CPC_FROM,
                value: IncrementDates::FirstJanuaryOrJuly,
                source:
                    "Rule 10, CCS (RP) Rules 2016; DoE OM No. 4-21/2017-IC/E.IIIA dated 31.07.2018",
            },
        ])
    })
}

/// The date of the first increment after pay was fixed on `event_on`.
pub fn next_increment_on(event_on: NaiveDate) -> Result<NaiveDate, PayError> {
    let rule = increment_dates()
        .at(event_on)
        .map_or(IncrementDates::Anniversary, |d| d.value);
    let (y, m, d) = (event_on.year(), event_on.month(), event_on.day());
    let date = |y, m| NaiveDate::from_ymd_opt(y, m, 1).ok_or(PayError::DateOutOfRange);
    match rule {
        IncrementDates::Anniversary => add_years(event_on, 1),
        // Six months' service by 1 July: events up to 1 January qualify that year.
        IncrementDates::UniformFirstJuly => {
            if (m, d) == (1, 1) {
                date(y, 7)
            } else {
                date(y + 1, 7)
            }
        }
        IncrementDates::FirstJanuaryOrJuly => {
            if (m, d) == (1, 1) {
                date(y, 7)
            } else if (m, d) <= (7, 1) {
                date(y + 1, 1)
            } else {
                date(y + 1, 7)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventh_cpc_two_dates() {
        // Rule 10(2) of 2016: 2 Jan-1 Jul → next 1 January; 2 Jul-1 Jan → next 1 July.
        assert_eq!(
            next_increment_on(ymd(2017, 3, 15)).unwrap(),
            ymd(2018, 1, 1)
        );
        assert_eq!(next_increment_on(ymd(2017, 7, 1)).unwrap(), ymd(2018, 1, 1));
        assert_eq!(next_increment_on(ymd(2017, 7, 2)).unwrap(), ymd(2018, 7, 1));
        assert_eq!(next_increment_on(ymd(2018, 1, 1)).unwrap(), ymd(2018, 7, 1));
    }

    #[test]
    fn sixth_cpc_uniform_first_july() {
        assert_eq!(next_increment_on(ymd(2009, 1, 1)).unwrap(), ymd(2009, 7, 1));
        assert_eq!(next_increment_on(ymd(2009, 1, 2)).unwrap(), ymd(2010, 7, 1));
        assert_eq!(
            next_increment_on(ymd(2012, 10, 1)).unwrap(),
            ymd(2013, 7, 1)
        );
    }

    #[test]
    fn fifth_cpc_anniversary() {
        assert_eq!(next_increment_on(ymd(1999, 8, 9)).unwrap(), ymd(2000, 8, 9));
    }
}
