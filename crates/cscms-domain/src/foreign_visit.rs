//! FV-1: clearance for a private foreign visit. The employee applies; the
//! nodal officer of the employee's ministry or department grants or refuses
//! it, seeing the vigilance clearance (VIG-1); the employee may withdraw
//! before a decision.

use chrono::NaiveDate;

use crate::country::{country, is_india};
use crate::employee::string_enum;
use crate::fields::{dmy, FieldErrors};
use crate::principal::Role;
use crate::rules::FV_1;
use crate::workflow::{labels, ReasonRule, Transition, Workflow};

string_enum!(
    /// Where a foreign visit request stands.
    FvState, "foreign visit state" {
        Submitted = "submitted",
        Granted = "granted",
        Refused = "refused",
        Withdrawn = "withdrawn",
    }
);

string_enum!(
    /// What may be done to a foreign visit request.
    FvAction, "foreign visit action" {
        Apply = "apply",
        Grant = "grant",
        Refuse = "refuse",
        Withdraw = "withdraw",
    }
);

labels!(FvState, FvAction);

string_enum!(
    /// Who pays for the visit.
    FundedBy, "funding" {
        OwnFunds = "own_funds",
        Relatives = "relatives",
        Host = "host",
        Other = "other",
    }
);

string_enum!(
    /// The leave applied for to cover the visit (`station_leave`: permission to
    /// leave the headquarters over holidays, no leave needed).
    LeaveKind, "leave kind" {
        EarnedLeave = "earned_leave",
        HalfPayLeave = "half_pay_leave",
        CommutedLeave = "commuted_leave",
        ExtraordinaryLeave = "extraordinary_leave",
        ChildCareLeave = "child_care_leave",
        StationLeave = "station_leave",
    }
);

/// FV-1 as data.
pub const FOREIGN_VISIT: Workflow<FvState, FvAction> = Workflow {
    name: "foreign_visit",
    rule: FV_1,
    states: &[
        FvState::Submitted,
        FvState::Granted,
        FvState::Refused,
        FvState::Withdrawn,
    ],
    actions: &[
        FvAction::Apply,
        FvAction::Grant,
        FvAction::Refuse,
        FvAction::Withdraw,
    ],
    transitions: &[
        Transition {
            from: None,
            action: FvAction::Apply,
            to: FvState::Submitted,
            roles: &[Role::Employee],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(FvState::Submitted),
            action: FvAction::Grant,
            to: FvState::Granted,
            roles: &[Role::NodalOfficer],
            reason: ReasonRule::Optional,
        },
        Transition {
            from: Some(FvState::Submitted),
            action: FvAction::Refuse,
            to: FvState::Refused,
            roles: &[Role::NodalOfficer],
            reason: ReasonRule::Required,
        },
        Transition {
            from: Some(FvState::Submitted),
            action: FvAction::Withdraw,
            to: FvState::Withdrawn,
            roles: &[Role::Employee],
            reason: ReasonRule::Optional,
        },
    ],
    rests_on_clearance: &[FvAction::Grant],
};

/// The parts of an application the FV-1 rules look at.
#[derive(Debug, Clone)]
pub struct Trip<'a> {
    pub countries: &'a [String],
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub funded_by: FundedBy,
    pub funding_details: Option<&'a str>,
    pub leave_from: NaiveDate,
    pub leave_to: NaiveDate,
}

/// How far ahead a visit may be applied for, and how long it may last, in
/// days: clearance is given on the vigilance status as it stands, which a
/// year may change (an assumption, not from the seeds; docs/assumptions.md).
pub const MAX_DAYS_AHEAD: i64 = 365;
pub const MAX_DAYS_ABROAD: i64 = 365;

/// Every rule an application breaks (FV-1): at least one country, none
/// twice, none India; the visit starts after `today`, within
/// [`MAX_DAYS_AHEAD`], and ends on or after its start, within
/// [`MAX_DAYS_ABROAD`];
/// the leave ends on or after it starts and shares a day with the visit;
/// funding other than the
/// employee's own is described.
pub fn check(trip: &Trip<'_>, today: NaiveDate) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if trip.countries.is_empty() {
        errors.push("countries", "name at least one country to be visited");
    }
    let named: Vec<Option<celes::Country>> = trip.countries.iter().map(|c| country(c)).collect();
    for (i, c) in trip.countries.iter().enumerate() {
        if is_india(c) {
            errors.push(
                format!("countries[{i}]"),
                "India is not a foreign country: name the countries abroad to be visited",
            );
        } else if let Some(n) = named[i] {
            if named[..i].iter().flatten().any(|o| o.alpha2 == n.alpha2) {
                errors.push(
                    format!("countries[{i}]"),
                    format!("{} is named twice", n.long_name),
                );
            }
        } else {
            errors.push(
                format!("countries[{i}]"),
                "not a country: name it as ISO 3166-1 does (\"Nepal\", \"United Kingdom\"), by a common name (\"UK\", \"Russia\") or by its three-letter code (\"GBR\")",
            );
        }
    }
    if trip.from <= today {
        errors.push(
            "from_date",
            format!("the visit must start after today ({})", dmy(today)),
        );
    } else if (trip.from - today).num_days() > MAX_DAYS_AHEAD {
        errors.push(
            "from_date",
            format!(
                "the visit must start within {MAX_DAYS_AHEAD} days of today ({})",
                dmy(today)
            ),
        );
    }
    if trip.to < trip.from {
        errors.push("to_date", "the visit must end on or after its start");
    } else if (trip.to - trip.from).num_days() >= MAX_DAYS_ABROAD {
        errors.push(
            "to_date",
            format!("a visit lasts at most {MAX_DAYS_ABROAD} days"),
        );
    }
    if trip.leave_to < trip.leave_from {
        errors.push("leave.to", "the leave must end on or after its start");
    } else if trip.from <= trip.to && (trip.leave_to < trip.from || trip.leave_from > trip.to) {
        // Holidays prefixed or suffixed may leave days of the visit outside
        // the leave, but leave wholly apart from the visit does not cover it.
        errors.push(
            "leave",
            format!(
                "the leave ({} to {}) must cover at least part of the visit ({} to {}); holidays may be prefixed or suffixed to it",
                dmy(trip.leave_from),
                dmy(trip.leave_to),
                dmy(trip.from),
                dmy(trip.to)
            ),
        );
    }
    let described = trip.funding_details.is_some_and(|d| !d.trim().is_empty());
    if trip.funded_by != FundedBy::OwnFunds && !described {
        errors.push(
            "funding_details",
            format!(
                "say who pays when the visit is funded by {}",
                trip.funded_by
            ),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn trip(countries: &[String], from: NaiveDate, to: NaiveDate) -> Trip<'_> {
        Trip {
            countries,
            from,
            to,
            funded_by: FundedBy::OwnFunds,
            funding_details: None,
            leave_from: from,
            leave_to: to,
        }
    }

    #[test]
    fn dates_in_the_future_and_ordered() {
        let today = ymd(2026, 5, 1);
        let c = vec!["Nepal".to_owned()];
        assert!(check(&trip(&c, ymd(2026, 5, 2), ymd(2026, 5, 2)), today).is_empty());
        let e = check(&trip(&c, today, ymd(2026, 4, 30)), today);
        assert_eq!(e.paths(), ["from_date", "to_date", "leave.to"]);
        // A year ahead at most, a year abroad at most.
        assert!(check(&trip(&c, ymd(2027, 5, 1), ymd(2028, 4, 29)), today).is_empty());
        let e = check(&trip(&c, ymd(2027, 5, 2), ymd(2027, 5, 9)), today);
        assert_eq!(e.paths(), ["from_date"]);
        let e = check(&trip(&c, ymd(2026, 6, 1), ymd(2027, 6, 1)), today);
        assert_eq!(e.paths(), ["to_date"]);
    }

    #[test]
    fn india_is_not_a_country_to_visit_abroad() {
        let today = ymd(2026, 5, 1);
        let c = vec![
            "Nepal".to_owned(),
            " INDIA ".to_owned(),
            "Bharat".to_owned(),
            "Republic of India".to_owned(),
            "IND".to_owned(),
        ];
        let e = check(&trip(&c, ymd(2026, 6, 1), ymd(2026, 6, 9)), today);
        assert_eq!(
            e.paths(),
            [
                "countries[1]",
                "countries[2]",
                "countries[3]",
                "countries[4]"
            ]
        );
    }

    #[test]
    fn the_leave_covers_part_of_the_visit_at_least() {
        let today = ymd(2026, 5, 1);
        let c = vec!["Nepal".to_owned()];
        let mut t = trip(&c, ymd(2026, 6, 10), ymd(2026, 6, 20));
        // Holidays before and after: the leave need not cover every day.
        t.leave_from = ymd(2026, 6, 12);
        t.leave_to = ymd(2026, 6, 18);
        assert!(check(&t, today).is_empty());
        for (from, to) in [((6, 1), (6, 9)), ((6, 21), (6, 25))] {
            t.leave_from = ymd(2026, from.0, from.1);
            t.leave_to = ymd(2026, to.0, to.1);
            assert_eq!(check(&t, today).paths(), ["leave"], "{from:?}");
        }
        // A day in common at either end is enough.
        t.leave_from = ymd(2026, 6, 1);
        t.leave_to = ymd(2026, 6, 10);
        assert!(check(&t, today).is_empty());
        t.leave_from = ymd(2026, 6, 20);
        t.leave_to = ymd(2026, 6, 30);
        assert!(check(&t, today).is_empty());
    }

    #[test]
    fn countries_and_funding() {
        let today = ymd(2026, 5, 1);
        let none: Vec<String> = vec![];
        let e = check(&trip(&none, ymd(2026, 6, 1), ymd(2026, 6, 9)), today);
        assert_eq!(e.paths(), ["countries"]);
        let twice = vec!["Nepal".to_owned(), " nepal".to_owned()];
        let mut t = trip(&twice, ymd(2026, 6, 1), ymd(2026, 6, 9));
        t.funded_by = FundedBy::Host;
        assert_eq!(
            check(&t, today).paths(),
            ["countries[1]", "funding_details"]
        );
        // One country by two of its names is named twice; a place that is
        // no country is refused.
        let names = vec![
            "UK".to_owned(),
            "Narnia".to_owned(),
            "United Kingdom".to_owned(),
        ];
        let e = check(&trip(&names, ymd(2026, 6, 1), ymd(2026, 6, 9)), today);
        assert_eq!(e.paths(), ["countries[1]", "countries[2]"]);
    }

    #[test]
    fn the_table_reads_as_fv_1() {
        let w = FOREIGN_VISIT;
        assert_eq!(w.rule.id, "FV-1");
        assert_eq!(
            w.allowed(Some(FvState::Submitted), Role::NodalOfficer),
            [FvAction::Grant, FvAction::Refuse]
        );
        assert_eq!(
            w.allowed(Some(FvState::Submitted), Role::Employee),
            [FvAction::Withdraw]
        );
        for s in [FvState::Granted, FvState::Refused, FvState::Withdrawn] {
            assert!(w.is_final(s));
        }
        for s in w.states {
            assert!(w.path_to(*s).is_some(), "{s} reachable");
        }
    }
}
