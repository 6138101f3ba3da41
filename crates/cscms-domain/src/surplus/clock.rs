//! Certificate 11 of the proforma (SUR-1): a surplus employee nominated
//! against the vacancies is given appointment within three months of the
//! date of nomination. The period is a dated parameter, from the order
//! that set it.

use chrono::{Months, NaiveDate};

use crate::decision::{Decision, Reasons};
use crate::fields::{FieldErrors, Text};
use crate::params::{ymd, Dated};
use crate::rules::SUR_1;

/// The appointment period in months, from the OM of 03.04.2019.
pub const APPOINTMENT_PERIOD: Dated<u32> = Dated {
    from: ymd(2019, 4, 3),
    value: 3,
    source: "DoPT OM No. 1/1/2017-R&R and DC dated 03.04.2019, proforma certificate 11",
};

/// The clock's answer: the last day of the appointment period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentDue {
    pub due_on: NaiveDate,
}

/// The last day on which an employee nominated on `nominated_on` is
/// appointed in time: three calendar months on (a nomination of 31 January
/// falls due on 30 April, the month's last day).
pub fn appointment_due(nominated_on: NaiveDate) -> Decision<AppointmentDue> {
    let months = APPOINTMENT_PERIOD.value;
    let due = nominated_on
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX);
    let mut reasons = Reasons::new();
    reasons.push(
        &SUR_1,
        format!(
            "nominated on {}: appointment due within {months} months, by {} ({})",
            nominated_on.format("%d.%m.%Y"),
            due.format("%d.%m.%Y"),
            APPOINTMENT_PERIOD.source
        ),
    );
    reasons.decide(nominated_on, AppointmentDue { due_on: due })
}

/// Whether a nomination not appointed by `today` is overdue then: the due
/// day itself is still in time, and an appointment made after `today` had
/// not yet been made.
pub fn is_overdue(due_on: NaiveDate, appointed_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    appointed_on.is_none_or(|a| a > today) && today > due_on
}

/// Where a page of the overdue nominations ends: the last day for the
/// appointment, then the requisition and the nomination. Its text is the
/// list's cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverdueCursor {
    pub due_on: NaiveDate,
    pub requisition_id: i64,
    pub seq: i64,
}

impl OverdueCursor {
    /// Reads a cursor this list gave out; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let cursor = Self {
            due_on: parts.next()?.parse().ok()?,
            requisition_id: parts.next()?.parse().ok()?,
            seq: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(cursor)
    }
}

impl std::fmt::Display for OverdueCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.due_on, self.requisition_id, self.seq)
    }
}

/// A surplus employee as DoPT nominates them.
#[derive(Debug, Clone, PartialEq)]
pub struct Nominee {
    pub name: Text,
    /// The post last held and the office declared surplus from.
    pub particulars: Text,
    pub nominated_on: NaiveDate,
    /// The last day of the appointment period.
    pub due_on: NaiveDate,
}

/// Checks DoPT's nominations against a requisition of `vacancies` signed
/// on `requisitioned_on`: at least one nominee and no more than the vacancies,
/// each named, nominated between the requisition and `today` (a nomination
/// answers the requisition, so a date before it would start SUR-1's clock
/// before there was a vacancy to fill), each with the last day of
/// certificate 11.
pub fn nominate(
    nominees: &[(&str, &str, NaiveDate)],
    vacancies: u32,
    requisitioned_on: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Nominee>, FieldErrors> {
    let mut errs = FieldErrors::new();
    let count = u32::try_from(nominees.len()).unwrap_or(u32::MAX);
    if count == 0 || count > vacancies {
        errs.push(
            "nominees",
            format!("nominate from 1 to {vacancies} surplus employees, one per vacancy"),
        );
    }
    let mut out = Vec::new();
    for (i, (name, particulars, on)) in nominees.iter().enumerate() {
        let name = Text::parse(name, 200).map_err(|m| errs.push(format!("nominees[{i}].name"), m));
        let particulars = Text::parse(particulars, 1000)
            .map_err(|m| errs.push(format!("nominees[{i}].particulars"), m));
        if *on > today {
            errs.push(
                format!("nominees[{i}].nominated_on"),
                "must not be in the future",
            );
        } else if *on < requisitioned_on {
            errs.push(
                format!("nominees[{i}].nominated_on"),
                format!(
                    "must not be before the requisition, signed on {}",
                    requisitioned_on.format("%d.%m.%Y")
                ),
            );
        }
        if let (Ok(name), Ok(particulars)) = (name, particulars) {
            out.push(Nominee {
                name,
                particulars,
                nominated_on: *on,
                due_on: appointment_due(*on).outcome.due_on,
            });
        }
    }
    errs.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_months_minus_and_plus_a_day() {
        let nominated = ymd(2026, 1, 15);
        let due = appointment_due(nominated);
        let on = due.outcome.due_on;
        assert_eq!(on, ymd(2026, 4, 15));
        assert!(due.cites(&SUR_1));
        assert_eq!(serde_json::to_value(&due).unwrap()["due_on"], "2026-04-15");
        assert!(!is_overdue(on, None, ymd(2026, 4, 14)));
        assert!(!is_overdue(on, None, ymd(2026, 4, 15)));
        assert!(is_overdue(on, None, ymd(2026, 4, 16)));
        assert!(!is_overdue(on, Some(ymd(2026, 4, 1)), ymd(2026, 5, 1)));
        // Appointed late: overdue on the days between, not after.
        assert!(is_overdue(on, Some(ymd(2026, 5, 1)), ymd(2026, 4, 30)));
        assert!(!is_overdue(on, Some(ymd(2026, 5, 1)), ymd(2026, 5, 1)));
        let made = ymd(2026, 1, 10);
        let ok = nominate(
            &[("A. Kumar", "UDC, ex-DGS&D", nominated)],
            2,
            made,
            ymd(2026, 2, 1),
        );
        assert_eq!(ok.unwrap()[0].due_on, ymd(2026, 4, 15));
        let many = [("A", "B", nominated); 3];
        assert_eq!(
            nominate(&many, 2, made, nominated).unwrap_err().paths(),
            ["nominees"]
        );
        let bad = nominate(&[(" ", "B", ymd(2026, 2, 2))], 2, made, ymd(2026, 2, 1)).unwrap_err();
        assert_eq!(
            bad.paths(),
            ["nominees[0].name", "nominees[0].nominated_on"]
        );
        // On the requisition's day, in time; the day before, refused.
        assert!(nominate(&[("A", "B", made)], 1, made, nominated).is_ok());
        let early = nominate(&[("A", "B", ymd(2026, 1, 9))], 1, made, nominated).unwrap_err();
        assert_eq!(early.paths(), ["nominees[0].nominated_on"]);
        // Month ends clamp.
        assert_eq!(
            appointment_due(ymd(2026, 1, 31)).outcome.due_on,
            ymd(2026, 4, 30)
        );
    }

    #[test]
    fn an_overdue_cursor_reads_back_as_written_and_nothing_else_reads() {
        let c = OverdueCursor {
            due_on: ymd(2026, 2, 28),
            requisition_id: 41,
            seq: 3,
        };
        assert_eq!(c.to_string(), "2026-02-28.41.3");
        assert_eq!(OverdueCursor::parse(&c.to_string()), Some(c));
        for bad in [
            "",
            "2026-02-28.41",
            "2026-02-28.41.3.1",
            "2026-02-30.41.3",
            "x.1.2",
        ] {
            assert_eq!(OverdueCursor::parse(bad), None, "{bad}");
        }
    }
}
