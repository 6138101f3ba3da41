//! RTI-1: the fee of a request under the Right to Information Act, 2005,
//! and the reply deadline the cadre division's register tracks.
//!
//! Seed 002 (DoPT OM No. F.10/9/2008-IR of 26.04.2011): the Right to
//! Information (Regulation of Fee and Cost) Rules, 2005 allow the fee by
//! cash, demand draft, banker's cheque or Indian Postal Order; refusing the
//! fee by IPO is refusing the application and may bring a penalty on the
//! CPIO under section 20. The 30-day reply period is section 7(1) of the
//! Act itself, outside the seeds: a dated parameter with that source.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::decision::{Decision, Reasons};
use crate::employee::string_enum;
use crate::fields::dmy;
use crate::params::{ymd, Dated, DatedParam};
use crate::rules::RTI_1;

string_enum!(
    /// How the applicant paid the fee (Right to Information (Regulation of
    /// Fee and Cost) Rules, 2005, as read by the OM of 26.04.2011).
    FeeMode, "RTI fee mode" {
        Cash = "cash",
        DemandDraft = "demand_draft",
        BankersCheque = "bankers_cheque",
        IndianPostalOrder = "indian_postal_order",
    }
);

impl FeeMode {
    /// What the register calls the mode in reasons.
    pub fn label(self) -> &'static str {
        match self {
            FeeMode::Cash => "cash",
            FeeMode::DemandDraft => "demand draft",
            FeeMode::BankersCheque => "banker's cheque",
            FeeMode::IndianPostalOrder => "Indian Postal Order",
        }
    }
}

/// The OM the refusal rule cites, with the paragraph.
pub const IPO_OM: &str = "DoPT OM No. F.10/9/2008-IR dated 26.04.2011, para 2";

/// Days allowed for the reply, from receipt (RTI Act, section 7(1)).
pub fn reply_days() -> DatedParam<u64> {
    DatedParam::new(vec![Dated {
        // Section 7 came into force with the Act's operative provisions.
        from: ymd(2005, 10, 12),
        value: 30,
        source: "Right to Information Act, 2005, section 7(1)",
    }])
}

/// The application fee, in rupees, of the Rules in force on the day a
/// request is received. Seed 002 names the Rules without the amount: the
/// amount is theirs.
pub fn application_fee() -> DatedParam<i64> {
    DatedParam::new(vec![
        Dated {
            from: ymd(2005, 10, 12),
            value: 10,
            source: "Right to Information (Regulation of Fee and Cost) Rules, 2005, rule 3",
        },
        Dated {
            from: ymd(2012, 7, 31),
            value: 10,
            source: "Right to Information Rules, 2012, rule 3",
        },
    ])
}

/// Why the amount of a fee as recorded is refused (RTI-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeAmountRefusal {
    /// An accepted fee that is not the application fee prescribed.
    NotPrescribed {
        prescribed: i64,
        source: &'static str,
    },
    /// A fee charged to an applicant below the poverty line, who pays none
    /// (RTI Act, section 7(5)).
    ChargedBelowPovertyLine,
    /// A fee recorded as returned, of an applicant below the poverty line,
    /// who paid none.
    NothingToReturn,
    /// A fee recorded as returned with nothing tendered.
    NothingTendered,
}

impl FeeAmountRefusal {
    /// What the register is told, citing the rule.
    pub fn detail(&self) -> String {
        match self {
            FeeAmountRefusal::NotPrescribed { prescribed, source } => format!(
                "the application fee is Rs {prescribed} (RTI-1, {source}): less does not pay it; no fee (0) only from an applicant below the poverty line (`below_poverty_line`)"
            ),
            FeeAmountRefusal::ChargedBelowPovertyLine => {
                "no fee is charged from an applicant below the poverty line (RTI-1, RTI Act section 7(5)): record 0".into()
            }
            FeeAmountRefusal::NothingToReturn => {
                "an applicant below the poverty line pays no fee (RTI-1, RTI Act section 7(5)): there is none to return".into()
            }
            FeeAmountRefusal::NothingTendered => {
                "a fee returned is the amount tendered: more than 0 (RTI-1)".into()
            }
        }
    }
}

/// Whether the amount of a fee may be recorded (RTI-1): an accepted fee is
/// at least the application fee of the Rules in force on the day received
/// (as tendered), or none from an applicant below the poverty line; a fee returned for a fault of
/// the instrument is what was tendered, more than nothing. `Ok` before the
/// Rules (the request itself is refused then).
pub fn check_fee_amount(
    amount: i64,
    below_poverty_line: bool,
    accepted: bool,
    received_on: NaiveDate,
) -> Result<(), FeeAmountRefusal> {
    if below_poverty_line {
        return match (amount, accepted) {
            (0, true) => Ok(()),
            (0, false) => Err(FeeAmountRefusal::NothingToReturn),
            _ => Err(FeeAmountRefusal::ChargedBelowPovertyLine),
        };
    }
    if !accepted {
        return if amount > 0 {
            Ok(())
        } else {
            Err(FeeAmountRefusal::NothingTendered)
        };
    }
    match application_fee().at(received_on) {
        // An instrument for more than the fee pays it (an IPO is issued in
        // fixed denominations, and refusing it refuses the application,
        // OM of 26.04.2011 para 2): it is recorded as tendered.
        Some(fee) if amount < fee.value => Err(FeeAmountRefusal::NotPrescribed {
            prescribed: fee.value,
            source: fee.source,
        }),
        _ => Ok(()),
    }
}

/// Whether a fee mode is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeModeOutcome {
    pub valid: bool,
}

/// Whether the mode is one the Rules allow: each of the four is (RTI-1).
pub fn fee_mode(mode: FeeMode, as_of: NaiveDate) -> Decision<FeeModeOutcome> {
    let mut reasons = Reasons::new();
    reasons.push(
        &RTI_1,
        format!(
            "payment by {} is an approved mode under the Right to Information (Regulation of Fee and Cost) Rules, 2005 (OM of 26.04.2011, para 1)",
            mode.label()
        ),
    );
    reasons.decide(as_of, FeeModeOutcome { valid: true })
}

/// Why a fee may not be recorded as refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalNotAllowed {
    pub detail: String,
}

/// Whether the register may record the fee as refused. An IPO may not be:
/// refusing it is refusing the application (RTI-1). Other modes may be
/// refused for a fault of the instrument, with a reason.
pub fn may_refuse(mode: FeeMode, as_of: NaiveDate) -> Result<Decision<()>, RefusalNotAllowed> {
    let mut reasons = Reasons::new();
    if mode == FeeMode::IndianPostalOrder {
        return Err(RefusalNotAllowed {
            detail: format!(
                "The fee by Indian Postal Order may not be refused (RTI-1, {IPO_OM}): refusal to accept the fee through IPO is refusal to accept the application, and may result in a penalty on the CPIO by the Central Information Commission under section 20 of the RTI Act."
            ),
        });
    }
    reasons.push(
        &RTI_1,
        format!(
            "a fee by {} may be returned for a fault of the instrument, with the reason recorded",
            mode.label()
        ),
    );
    Ok(reasons.decide(as_of, ()))
}

/// The reply deadline of a request received on `received_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub due_on: NaiveDate,
    pub days: u64,
    pub source: &'static str,
}

/// The last day for the reply: `days` after receipt, under the period in
/// force on the day received. `None` before the Act's reply period existed.
pub fn reply_due(received_on: NaiveDate) -> Option<Deadline> {
    let param = reply_days();
    let entry = param.at(received_on)?;
    Some(Deadline {
        due_on: received_on.checked_add_days(Days::new(entry.value))?,
        days: entry.value,
        source: entry.source,
    })
}

/// Whether a request is overdue on `as_of`: no reply recorded and the last
/// day for it has passed.
pub fn overdue(due_on: NaiveDate, replied_on: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    replied_on.is_none() && as_of > due_on
}

/// The reply deadline as decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineOutcome {
    pub due_on: NaiveDate,
    pub days: u64,
}

/// The deadline as a decision, for the register's view.
pub fn deadline_decision(d: &Deadline, as_of: NaiveDate) -> Decision<DeadlineOutcome> {
    // The register is RTI-1's; the period is not the fee OM's but the Act's
    // (the dated parameter's source), and the reason cites that.
    let period = RTI_1.resting_on(d.source);
    let mut reasons = Reasons::new();
    reasons.push(
        &period,
        format!(
            "reply due by {}: {} days from receipt ({})",
            dmy(d.due_on),
            d.days,
            d.source
        ),
    );
    reasons.decide(
        as_of,
        DeadlineOutcome {
            due_on: d.due_on,
            days: d.days,
        },
    )
}

/// Where a page of the overdue list ends (RTI-1): the last day for the
/// reply, then the request's id. Its text is the list's cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverdueCursor {
    pub due_on: NaiveDate,
    pub id: i64,
}

impl OverdueCursor {
    /// Reads a cursor this list gave out; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        let (due, id) = s.split_once('.')?;
        Some(Self {
            due_on: due.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

impl std::fmt::Display for OverdueCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.due_on, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overdue_cursor_reads_back_as_written_and_nothing_else_reads() {
        let c = OverdueCursor {
            due_on: ymd(2026, 2, 28),
            id: 41,
        };
        assert_eq!(c.to_string(), "2026-02-28.41");
        assert_eq!(OverdueCursor::parse(&c.to_string()), Some(c));
        for bad in [
            "",
            "41",
            "2026-02-28",
            "2026-02-30.41",
            "2026-02-28.x",
            "2026-02-28.41.1",
        ] {
            assert_eq!(OverdueCursor::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_mode_is_valid_and_only_an_ipo_may_not_be_refused() {
        let today = ymd(2026, 1, 1);
        for mode in FeeMode::ALL {
            let d = fee_mode(*mode, today);
            assert!(d.outcome.valid && d.cites(&RTI_1), "{mode}");
            let refusal = may_refuse(*mode, today);
            assert_eq!(
                refusal.is_err(),
                *mode == FeeMode::IndianPostalOrder,
                "{mode}"
            );
        }
        let e = may_refuse(FeeMode::IndianPostalOrder, today).unwrap_err();
        assert!(e.detail.contains("F.10/9/2008-IR") && e.detail.contains("section 20"));
    }

    #[test]
    fn the_fee_is_rs_10_and_none_below_the_poverty_line() {
        let on = ymd(2026, 1, 10);
        assert_eq!(check_fee_amount(10, false, true, on), Ok(()));
        assert_eq!(check_fee_amount(0, true, true, on), Ok(()));
        // An instrument for more pays the fee: an IPO of Rs 20 is taken in.
        for more in [11, 20, 100] {
            assert_eq!(check_fee_amount(more, false, true, on), Ok(()), "{more}");
        }
        for wrong in [0, 1, 9] {
            let e = check_fee_amount(wrong, false, true, on).unwrap_err();
            assert!(
                matches!(e, FeeAmountRefusal::NotPrescribed { prescribed: 10, .. }),
                "{wrong}"
            );
            assert!(e.detail().contains("Rs 10") && e.detail().contains("RTI-1"));
        }
        // Under the 2005 Rules as under the 2012 ones.
        let e = check_fee_amount(0, false, true, ymd(2010, 5, 1)).unwrap_err();
        assert!(e.detail().contains("Rules, 2005"), "{}", e.detail());
        assert!(check_fee_amount(0, false, true, ymd(2012, 7, 31))
            .unwrap_err()
            .detail()
            .contains("Rules, 2012"));
        assert_eq!(
            check_fee_amount(10, true, true, on),
            Err(FeeAmountRefusal::ChargedBelowPovertyLine)
        );
        assert_eq!(
            check_fee_amount(0, true, false, on),
            Err(FeeAmountRefusal::NothingToReturn)
        );
        // A fee returned is what was tendered, short or not, never nothing.
        assert_eq!(check_fee_amount(5, false, false, on), Ok(()));
        assert_eq!(
            check_fee_amount(0, false, false, on),
            Err(FeeAmountRefusal::NothingTendered)
        );
    }

    #[test]
    fn thirty_days_from_receipt() {
        let d = reply_due(ymd(2026, 1, 10)).unwrap();
        assert_eq!(d.due_on, ymd(2026, 2, 9));
        assert!(d.source.contains("7(1)"));
        assert!(!overdue(d.due_on, None, ymd(2026, 2, 9)));
        assert!(overdue(d.due_on, None, ymd(2026, 2, 10)));
        assert!(!overdue(d.due_on, Some(ymd(2026, 2, 1)), ymd(2026, 3, 1)));
        assert_eq!(reply_due(ymd(2005, 10, 11)), None);
        // The reason cites the Act, not the fee OM of RTI-1.
        let decided = deadline_decision(&d, ymd(2026, 1, 10));
        assert_eq!(decided.reasons[0].rule, "RTI-1");
        assert_eq!(
            decided.reasons[0].citation,
            "Right to Information Act, 2005, section 7(1)"
        );
    }
}
