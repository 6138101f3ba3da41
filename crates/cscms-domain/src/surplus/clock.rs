//! Certificate 11 of the proforma (SUR-1): a surplus employee nominated
//! against the vacancies is given appointment within three months of the
//! date of nomination. The period is a dated parameter, from the order
//! that set it.

use chrono::{Months, NaiveDate};

use crate::decision::{Decision, Reasons};
use crate::params::{ymd, Dated};
use crate::rules::SUR_1;

/// The appointment period in months, from the OM of 03.04.2019.
pub const APPOINTMENT_PERIOD: Dated<u32> = Dated {
    from: ymd(2019, 4, 3),
    value: 3,
    source: "DoPT OM No. 1/1/2017-R&R and DC dated 03.04.2019, proforma certificate 11",
};

/// The last day on which an employee nominated on `nominated_on` is
/// appointed in time: three calendar months on (a nomination of 31 January
/// falls due on 30 April, the month's last day).
pub fn appointment_due(nominated_on: NaiveDate) -> Decision<NaiveDate> {
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
    reasons.decide(nominated_on, due)
}

/// Whether a nomination not yet appointed is overdue on `today`: the due
/// day itself is still in time.
pub fn is_overdue(due_on: NaiveDate, appointed_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    appointed_on.is_none() && today > due_on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_months_minus_and_plus_a_day() {
        let nominated = ymd(2026, 1, 15);
        let due = appointment_due(nominated);
        assert_eq!(due.outcome, ymd(2026, 4, 15));
        assert!(due.cites(&SUR_1));
        assert!(!is_overdue(due.outcome, None, ymd(2026, 4, 14)));
        assert!(!is_overdue(due.outcome, None, ymd(2026, 4, 15)));
        assert!(is_overdue(due.outcome, None, ymd(2026, 4, 16)));
        assert!(!is_overdue(due.outcome, Some(ymd(2026, 4, 1)), ymd(2026, 5, 1)));
        // Month ends clamp.
        assert_eq!(appointment_due(ymd(2026, 1, 31)).outcome, ymd(2026, 4, 30));
    }
}
