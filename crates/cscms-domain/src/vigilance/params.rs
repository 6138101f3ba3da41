//! Parameters of the vigilance engines, dated by the orders that set them
//! (see `docs/rules/vigilance.md`).

use chrono::NaiveDate;
use serde::Serialize;

use super::clearance::ClearancePurpose;
use crate::params::{ymd, Dated, DatedParam};

/// The annual return for calendar year Y falls due on `day`.`month` of Y+1 (IPR-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IprDueRule {
    month: u32,
    day: u32,
}

impl IprDueRule {
    /// 31 January of the following year.
    pub const JANUARY_31: Self = Self { month: 1, day: 31 };

    /// A day that exists in every year (so not 29 February).
    pub fn new(month: u32, day: u32) -> Result<Self, String> {
        match NaiveDate::from_ymd_opt(2001, month, day) {
            Some(_) => Ok(Self { month, day }),
            None => Err(format!("{day}.{month} is not a day of every year")),
        }
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// Due date of the return for calendar year `year`.
    pub fn due_on(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, self.month, self.day)
    }
}

/// How VIG-2 is applied from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vig2Rule {
    /// How many of the most recent annual returns that have fallen due by the
    /// as-of date must each have been filed by their due date. 1 reads the
    /// order literally: "the return of the previous year".
    pub returns_examined: u32,
    /// Purposes whose clearance VIG-2 can deny.
    pub purposes: Vec<ClearancePurpose>,
}

/// Every parameter of the module.
#[derive(Debug, Clone, PartialEq)]
pub struct VigilanceParams {
    /// IPR-1: due date of the annual return; the rule in force on 1 January
    /// of the year after the return's year applies to it.
    pub ipr_due: DatedParam<IprDueRule>,
    /// VIG-2 from the date of the order; no entry before it.
    pub vig2: DatedParam<Vig2Rule>,
}

/// OM that made late or missing returns a bar to vigilance clearance.
pub const VIG2_ORDER: &str = "DoPT OM No. 11012/11/2007-Estt.A dated 27.09.2011, inserting para 2(f) in the OM of even number dated 14.12.2007";
/// Where the 31 January due date comes from.
pub const IPR_DUE_ORDER: &str = "Rule 18(1)(ii), CCS (Conduct) Rules 1964, and the Government of India decisions under it; date restated in DoPT OM No. 11012/11/2007-Estt.A dated 27.09.2011, para 2(f)";

/// Rule 18 predates CSCMS; the entry is dated from the first full year of the
/// 1964 rules so that historical returns have a due date (an assumption).
pub const IPR_DUE_FROM: NaiveDate = ymd(1965, 1, 1);
/// Date of the VIG-2 order.
pub const VIG2_FROM: NaiveDate = ymd(2011, 9, 27);

impl VigilanceParams {
    /// The defaults of `docs/rules/vigilance.md`.
    pub fn standard() -> Self {
        Self {
            ipr_due: DatedParam::new(vec![Dated {
                from: IPR_DUE_FROM,
                value: IprDueRule::JANUARY_31,
                source: IPR_DUE_ORDER,
            }]),
            vig2: DatedParam::new(vec![Dated {
                from: VIG2_FROM,
                value: Vig2Rule {
                    returns_examined: 1,
                    // MACP is left out: it follows the norms of regular
                    // promotion (sealed cover), not vigilance clearance.
                    purposes: vec![
                        ClearancePurpose::Nfs,
                        ClearancePurpose::Deputation,
                        ClearancePurpose::ForeignVisit,
                        ClearancePurpose::Empanelment,
                        ClearancePurpose::General,
                    ],
                },
                source: VIG2_ORDER,
            }]),
        }
    }

    /// Due date of the annual return for `year`, with the entry that set it.
    pub fn ipr_due_on(&self, year: i32) -> Option<(NaiveDate, &Dated<IprDueRule>)> {
        let rule = self
            .ipr_due
            .at(NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?)?;
        Some((rule.value.due_on(year)?, rule))
    }
}

impl Default for VigilanceParams {
    fn default() -> Self {
        Self::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_rule_is_a_day_of_every_year() {
        assert!(IprDueRule::new(2, 29).is_err());
        assert!(IprDueRule::new(13, 1).is_err());
        assert_eq!(
            IprDueRule::new(6, 30).unwrap().due_on(2023),
            Some(ymd(2024, 6, 30))
        );
        assert_eq!(IprDueRule::JANUARY_31.due_on(2023), Some(ymd(2024, 1, 31)));
    }

    #[test]
    fn due_date_follows_the_rule_in_force_when_the_year_closes() {
        let mut p = VigilanceParams::standard();
        assert_eq!(p.ipr_due_on(2023).map(|d| d.0), Some(ymd(2024, 1, 31)));
        assert_eq!(p.ipr_due_on(1963), None);
        p.ipr_due = DatedParam::new(vec![
            Dated {
                from: IPR_DUE_FROM,
                value: IprDueRule::JANUARY_31,
                source: "a",
            },
            Dated {
                from: ymd(2025, 1, 1),
                value: IprDueRule::new(3, 31).unwrap(),
                source: "b",
            },
        ]);
        assert_eq!(p.ipr_due_on(2023).map(|d| d.0), Some(ymd(2024, 1, 31)));
        assert_eq!(
            p.ipr_due_on(2024).map(|d| (d.0, d.1.source)),
            Some((ymd(2025, 3, 31), "b"))
        );
    }
}
