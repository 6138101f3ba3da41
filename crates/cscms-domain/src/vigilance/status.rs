//! Vigilance status records (VIG-1): what nodal officers and AVD record, and
//! which record is in force on a date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::employee::string_enum;
use crate::fields::{self, FieldErrors, Text};

string_enum!(
    /// The three states a vigilance status can be in.
    StatusKind, "vigilance status" {
        Clear = "clear",
        NotClear = "not_clear",
        Awaited = "awaited",
    }
);

string_enum!(
    /// Why an officer is not clear from the vigilance angle.
    NotClearKind, "not-clear reason" {
        PenaltyInForce = "penalty_in_force",
        ChargeSheetIssued = "charge_sheet_issued",
        ProsecutionSanctioned = "prosecution_sanctioned",
        UnderSuspension = "under_suspension",
        Other = "other",
    }
);

/// A not-clear reason; `Other` cannot exist without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotClearReason {
    PenaltyInForce,
    ChargeSheetIssued,
    ProsecutionSanctioned,
    UnderSuspension,
    Other(Text),
}

impl NotClearReason {
    /// The reason of `kind`; `None` for `other` without its text.
    pub fn from_kind(kind: NotClearKind, text: Option<Text>) -> Option<Self> {
        match kind {
            NotClearKind::PenaltyInForce => Some(Self::PenaltyInForce),
            NotClearKind::ChargeSheetIssued => Some(Self::ChargeSheetIssued),
            NotClearKind::ProsecutionSanctioned => Some(Self::ProsecutionSanctioned),
            NotClearKind::UnderSuspension => Some(Self::UnderSuspension),
            NotClearKind::Other => text.map(Self::Other),
        }
    }

    pub fn kind(&self) -> NotClearKind {
        match self {
            Self::PenaltyInForce => NotClearKind::PenaltyInForce,
            Self::ChargeSheetIssued => NotClearKind::ChargeSheetIssued,
            Self::ProsecutionSanctioned => NotClearKind::ProsecutionSanctioned,
            Self::UnderSuspension => NotClearKind::UnderSuspension,
            Self::Other(_) => NotClearKind::Other,
        }
    }

    /// The text of an `other` reason.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Other(t) => Some(t.as_str()),
            _ => None,
        }
    }

    /// Words for a decision's reason.
    pub fn describe(&self) -> String {
        match self {
            Self::PenaltyInForce => "a penalty is in force".to_owned(),
            Self::ChargeSheetIssued => "a charge sheet has been issued".to_owned(),
            Self::ProsecutionSanctioned => "sanction for prosecution has been accorded".to_owned(),
            Self::UnderSuspension => "the officer is under suspension".to_owned(),
            Self::Other(t) => t.to_string(),
        }
    }
}

/// What a status record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VigilanceState {
    Clear,
    NotClear(NotClearReason),
    Awaited,
}

impl VigilanceState {
    pub fn kind(&self) -> StatusKind {
        match self {
            Self::Clear => StatusKind::Clear,
            Self::NotClear(_) => StatusKind::NotClear,
            Self::Awaited => StatusKind::Awaited,
        }
    }
}

/// The wire and storage shape of a status record. Strings, so that every bad
/// field is reported at once by [`VigilanceStatus::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VigilanceStatusInput {
    /// `clear`, `not_clear` or `awaited`.
    pub status: String,
    /// For `not_clear` only: `penalty_in_force`, `charge_sheet_issued`,
    /// `prosecution_sanctioned`, `under_suspension` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Required with reason `other`, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_text: Option<String>,
    /// `YYYY-MM-DD`: the date from which the status holds.
    pub effective_from: String,
    /// The order or letter recording the status; required unless `awaited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_ref: Option<String>,
}

/// One vigilance status record, valid by construction. Serialises to (and
/// deserialises through) [`VigilanceStatusInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "VigilanceStatusInput", into = "VigilanceStatusInput")]
pub struct VigilanceStatus {
    state: VigilanceState,
    effective_from: NaiveDate,
    order_ref: Option<Text>,
}

const ORDER_REF_MAX: usize = 200;
const REASON_TEXT_MAX: usize = 500;

impl VigilanceStatus {
    pub fn parse(input: &VigilanceStatusInput) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::new();
        let kind =
            fields::choice::<StatusKind>(&mut errs, "status", &input.status, StatusKind::ALL);
        let effective_from = fields::date(&mut errs, "effective_from", &input.effective_from);
        let order_ref = fields::opt_text(
            &mut errs,
            "order_ref",
            input.order_ref.as_deref(),
            ORDER_REF_MAX,
        );
        let reason = input.reason.as_deref().filter(|s| !s.trim().is_empty());
        let reason_text = input
            .reason_text
            .as_deref()
            .filter(|s| !s.trim().is_empty());

        let state = match kind {
            Some(StatusKind::NotClear) => {
                let kind = match reason {
                    None => {
                        errs.push("reason", "a not_clear status needs a reason");
                        None
                    }
                    Some(r) => {
                        fields::choice::<NotClearKind>(&mut errs, "reason", r, NotClearKind::ALL)
                    }
                };
                let text = match (kind, reason_text) {
                    (Some(NotClearKind::Other), None) => {
                        errs.push("reason_text", "reason 'other' needs a text");
                        None
                    }
                    (Some(NotClearKind::Other), Some(t)) => {
                        fields::text(&mut errs, "reason_text", t, REASON_TEXT_MAX)
                    }
                    (Some(_), Some(_)) => {
                        errs.push(
                            "reason_text",
                            "only reason 'other' takes a text; cite the order in order_ref",
                        );
                        None
                    }
                    _ => None,
                };
                kind.and_then(|k| NotClearReason::from_kind(k, text))
                    .map(VigilanceState::NotClear)
            }
            Some(k) => {
                if reason.is_some() {
                    errs.push("reason", "only a not_clear status carries a reason");
                }
                if reason_text.is_some() {
                    errs.push("reason_text", "only a not_clear status carries a reason");
                }
                Some(if k == StatusKind::Clear {
                    VigilanceState::Clear
                } else {
                    VigilanceState::Awaited
                })
            }
            None => None,
        };
        if let Some(k) = kind {
            check_order_ref(&mut errs, k, order_ref.as_ref());
        }
        match (state, effective_from) {
            (Some(state), Some(effective_from)) if errs.is_empty() => Ok(Self {
                state,
                effective_from,
                order_ref,
            }),
            _ => Err(errs),
        }
    }

    /// A record being made on `today` (VIG-1) for an officer who joined
    /// Government on `joined`: [`Self::parse`]'s rules, and an effective
    /// date no more than a year ahead and not before the officer joined. A
    /// record dated later waits for its date, but no order takes effect
    /// years after it is recorded; such a date is a slip of the keyboard
    /// (docs/assumptions.md). Before joining there was no government servant
    /// for a vigilance order to be about.
    pub fn parse_new(
        input: &VigilanceStatusInput,
        today: NaiveDate,
        joined: NaiveDate,
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::new();
        let limit = today.checked_add_months(chrono::Months::new(12));
        let date = NaiveDate::parse_from_str(input.effective_from.trim(), "%Y-%m-%d");
        if let Ok(d) = date {
            if d < joined {
                errs.push(
                    "effective_from",
                    format!(
                        "{} is before the officer joined Government ({})",
                        fields::dmy(d),
                        fields::dmy(joined)
                    ),
                );
            }
        }
        if let (Ok(d), Some(limit)) = (date, limit) {
            if d > limit {
                errs.push(
                    "effective_from",
                    format!(
                        "{} is more than a year after today ({}): record a status when its order is made",
                        fields::dmy(d),
                        fields::dmy(today)
                    ),
                );
            }
        }
        match Self::parse(input) {
            Ok(status) if errs.is_empty() => Ok(status),
            Ok(_) => Err(errs),
            Err(mut own) => {
                own.append(errs);
                Err(own)
            }
        }
    }

    /// From typed parts (for the store); the same rule on `order_ref` as [`Self::parse`].
    pub fn new(
        state: VigilanceState,
        effective_from: NaiveDate,
        order_ref: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::new();
        let order_ref = fields::opt_text(&mut errs, "order_ref", order_ref, ORDER_REF_MAX);
        check_order_ref(&mut errs, state.kind(), order_ref.as_ref());
        errs.finish(Self {
            state,
            effective_from,
            order_ref,
        })
    }

    pub fn state(&self) -> &VigilanceState {
        &self.state
    }

    pub fn effective_from(&self) -> NaiveDate {
        self.effective_from
    }

    pub fn order_ref(&self) -> Option<&str> {
        self.order_ref.as_ref().map(Text::as_str)
    }

    /// "clear (order AVD/12 of 01.04.2024)" — for reasons.
    pub(crate) fn describe(&self) -> String {
        let what = match &self.state {
            VigilanceState::Clear => "clear".to_owned(),
            VigilanceState::Awaited => "awaited".to_owned(),
            VigilanceState::NotClear(r) => format!("not clear: {}", r.describe()),
        };
        match self.order_ref() {
            Some(o) => format!(
                "{what} from {} (ref. {o})",
                fields::dmy(self.effective_from)
            ),
            None => format!("{what} from {}", fields::dmy(self.effective_from)),
        }
    }
}

/// A determination (clear / not clear) must be traceable to the order that
/// made it (PRF-4); "awaited" often has none yet.
fn check_order_ref(errs: &mut FieldErrors, kind: StatusKind, order_ref: Option<&Text>) {
    if kind != StatusKind::Awaited && order_ref.is_none() {
        errs.push(
            "order_ref",
            "a clear or not_clear status must cite the order or letter recording it",
        );
    }
}

impl TryFrom<VigilanceStatusInput> for VigilanceStatus {
    type Error = FieldErrors;
    fn try_from(input: VigilanceStatusInput) -> Result<Self, Self::Error> {
        Self::parse(&input)
    }
}

impl From<VigilanceStatus> for VigilanceStatusInput {
    fn from(s: VigilanceStatus) -> Self {
        let (reason, reason_text) = match &s.state {
            VigilanceState::NotClear(r) => {
                (Some(r.kind().to_string()), r.text().map(str::to_owned))
            }
            _ => (None, None),
        };
        Self {
            status: s.state.kind().to_string(),
            reason,
            reason_text,
            effective_from: s.effective_from.format("%Y-%m-%d").to_string(),
            order_ref: s.order_ref.map(String::from),
        }
    }
}

/// VIG-1: the record in force on `as_of` is the one with the latest
/// effective date on or before it; records dated later are ignored until
/// their date. On equal dates the later record in `history` (recording
/// order) wins, so a same-day correction supersedes the entry it corrects.
pub fn status_in_force(history: &[VigilanceStatus], as_of: NaiveDate) -> Option<&VigilanceStatus> {
    history
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effective_from <= as_of)
        .max_by_key(|(i, s)| (s.effective_from, *i))
        .map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn input(
        status: &str,
        reason: Option<&str>,
        text: Option<&str>,
        from: &str,
        order: Option<&str>,
    ) -> VigilanceStatusInput {
        VigilanceStatusInput {
            status: status.into(),
            reason: reason.map(Into::into),
            reason_text: text.map(Into::into),
            effective_from: from.into(),
            order_ref: order.map(Into::into),
        }
    }

    pub(crate) fn status(status: &str, reason: Option<&str>, from: NaiveDate) -> VigilanceStatus {
        let text = (reason == Some("other")).then_some("complaint under examination");
        let order = (status != "awaited").then_some("AVD-I/123/2024");
        VigilanceStatus::parse(&input(status, reason, text, &from.to_string(), order)).unwrap()
    }

    #[test]
    fn parses_each_state() {
        let s = status("not_clear", Some("charge_sheet_issued"), ymd(2024, 3, 1));
        assert_eq!(
            s.state(),
            &VigilanceState::NotClear(NotClearReason::ChargeSheetIssued)
        );
        assert_eq!(s.order_ref(), Some("AVD-I/123/2024"));
        let o = status("not_clear", Some("other"), ymd(2024, 3, 1));
        assert_eq!(o.state().kind(), StatusKind::NotClear);
        assert_eq!(
            match o.state() {
                VigilanceState::NotClear(r) => r.text(),
                _ => None,
            },
            Some("complaint under examination")
        );
        for k in NotClearKind::ALL {
            let s = status("not_clear", Some(k.as_str()), ymd(2024, 1, 1));
            assert!(
                matches!(s.state(), VigilanceState::NotClear(r) if r.kind() == *k),
                "{k}"
            );
        }
        let a = VigilanceStatus::parse(&input("awaited", None, None, "2024-01-01", None)).unwrap();
        assert_eq!(a.state(), &VigilanceState::Awaited);
        assert_eq!(a.order_ref(), None);
    }

    #[test]
    fn other_needs_text_and_every_bad_field_is_reported() {
        let e = VigilanceStatus::parse(&input(
            "not_clear",
            Some("other"),
            Some("  "),
            "2024-13-01",
            None,
        ))
        .unwrap_err();
        assert_eq!(e.paths(), ["effective_from", "reason_text", "order_ref"]);
        let e = VigilanceStatus::parse(&input("not_clear", None, None, "2024-01-01", Some("x")))
            .unwrap_err();
        assert_eq!(e.paths(), ["reason"]);
        let e =
            VigilanceStatus::parse(&input("cleared", Some("x"), None, "", Some("x"))).unwrap_err();
        assert_eq!(e.paths(), ["status", "effective_from"]);
        assert!(e
            .iter()
            .any(|f| f.message.contains("one of: clear, not_clear, awaited")));
        let e = VigilanceStatus::parse(&input(
            "clear",
            Some("other"),
            Some("t"),
            "2024-01-01",
            Some("x"),
        ))
        .unwrap_err();
        assert_eq!(e.paths(), ["reason", "reason_text"]);
        let e = VigilanceStatus::parse(&input(
            "not_clear",
            Some("under_suspension"),
            Some("t"),
            "2024-01-01",
            Some("x"),
        ))
        .unwrap_err();
        assert_eq!(e.paths(), ["reason_text"]);
    }

    #[test]
    fn typed_constructor_keeps_the_order_rule() {
        assert!(VigilanceStatus::new(VigilanceState::Clear, ymd(2024, 1, 1), None).is_err());
        assert!(VigilanceStatus::new(VigilanceState::Awaited, ymd(2024, 1, 1), Some(" ")).is_ok());
        let s =
            VigilanceStatus::new(VigilanceState::Clear, ymd(2024, 1, 1), Some("AVD/1")).unwrap();
        assert_eq!(
            (s.state(), s.order_ref()),
            (&VigilanceState::Clear, Some("AVD/1"))
        );
    }

    #[test]
    fn serde_round_trips_through_the_input_shape() {
        let s = status("not_clear", Some("other"), ymd(2024, 3, 1));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["status"], "not_clear");
        assert_eq!(json["reason"], "other");
        assert_eq!(json["effective_from"], "2024-03-01");
        assert_eq!(serde_json::from_value::<VigilanceStatus>(json).unwrap(), s);
        let clear = serde_json::to_value(status("clear", None, ymd(2024, 3, 1))).unwrap();
        assert!(clear.get("reason").is_none());
        let bad = serde_json::json!({"status": "not_clear", "reason": "other", "effective_from": "2024-01-01"});
        assert!(serde_json::from_value::<VigilanceStatus>(bad).is_err());
    }

    #[test]
    fn latest_effective_on_or_before_wins() {
        let h = vec![
            status("clear", None, ymd(2020, 1, 1)),
            status("not_clear", Some("under_suspension"), ymd(2023, 5, 1)),
            status("clear", None, ymd(2022, 1, 1)),
            status("awaited", None, ymd(2030, 1, 1)),
        ];
        assert_eq!(status_in_force(&h, ymd(2019, 12, 31)), None);
        assert_eq!(status_in_force(&h, ymd(2022, 6, 1)), Some(&h[2]));
        assert_eq!(status_in_force(&h, ymd(2023, 5, 1)), Some(&h[1]));
        assert_eq!(status_in_force(&h, ymd(2029, 12, 31)), Some(&h[1]));
        assert_eq!(status_in_force(&h, ymd(2030, 1, 1)), Some(&h[3]));
        // Same day: the later record is the correction.
        let same = vec![
            status("not_clear", Some("penalty_in_force"), ymd(2024, 1, 1)),
            status("clear", None, ymd(2024, 1, 1)),
        ];
        assert_eq!(status_in_force(&same, ymd(2024, 1, 1)), Some(&same[1]));
    }

    #[test]
    fn a_new_record_takes_effect_within_a_year() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let joined = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        let at = |d: &str| input("awaited", None, None, d, None);
        assert!(VigilanceStatus::parse_new(&at("2027-12-02"), today, joined).is_ok());
        let e = VigilanceStatus::parse_new(&at("2027-12-03"), today, joined).unwrap_err();
        assert_eq!(e.paths(), ["effective_from"]);
        let e = VigilanceStatus::parse_new(&at("2099-01-01"), today, joined).unwrap_err();
        assert_eq!(e.paths(), ["effective_from"]);
        // Stored records are read whatever their date.
        assert!(VigilanceStatus::parse(&at("2099-01-01")).is_ok());
    }

    #[test]
    fn a_new_record_is_not_dated_before_the_officer_joined() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let joined = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        let at = |d: &str| input("awaited", None, None, d, None);
        assert!(VigilanceStatus::parse_new(&at("2010-01-01"), today, joined).is_ok());
        let e = VigilanceStatus::parse_new(&at("2009-12-31"), today, joined).unwrap_err();
        assert_eq!(e.paths(), ["effective_from"]);
    }
}
