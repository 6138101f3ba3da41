//! Dated parameters: values fixed by an order from a date, superseded by a
//! later order. Engines look a value up for the as-of date instead of
//! branching on dates in code.

use chrono::NaiveDate;

/// One value of a parameter, in force from `from` until the next entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Dated<T> {
    pub from: NaiveDate,
    pub value: T,
    /// The order that set this value.
    pub source: &'static str,
}

/// A parameter's history, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedParam<T> {
    entries: Vec<Dated<T>>,
}

impl<T> DatedParam<T> {
    /// Builds a parameter from entries in any order.
    pub fn new(mut entries: Vec<Dated<T>>) -> Self {
        entries.sort_by_key(|e| e.from);
        Self { entries }
    }

    /// The entry in force on `on`, if the parameter existed then.
    pub fn at(&self, on: NaiveDate) -> Option<&Dated<T>> {
        self.entries.iter().rev().find(|e| e.from <= on)
    }

    pub fn entries(&self) -> &[Dated<T>] {
        &self.entries
    }
}

/// Builds a date known to be valid at compile time (constants in parameter
/// tables); falls back to the epoch minimum rather than panicking.
pub const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_entry_in_force() {
        let p = DatedParam::new(vec![
            Dated {
                from: ymd(2016, 7, 25),
                value: "Very Good",
                source: "b",
            },
            Dated {
                from: ymd(2008, 9, 1),
                value: "Good",
                source: "a",
            },
        ]);
        assert_eq!(p.at(ymd(2008, 8, 31)), None);
        assert_eq!(p.at(ymd(2010, 1, 1)).map(|e| e.value), Some("Good"));
        assert_eq!(p.at(ymd(2016, 7, 25)).map(|e| e.value), Some("Very Good"));
    }
}
