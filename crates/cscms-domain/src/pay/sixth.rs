//! 6th CPC pay bands and grade pays (CCS (RP) Rules 2008), the grade-pay
//! hierarchy MACPS climbs (MACP-1), and the 6th CPC increment.

use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::data::tables;
use super::matrix::Level;
use super::PayError;
use crate::params::{ymd, Dated, DatedParam};

/// A 6th CPC pay band (or one of the fixed/HAG scales above PB-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PayBand {
    /// The non-recruitment band of pre-2006 Group D (S-1..S-3), replaced by PB-1 GP 1800.
    Minus1S,
    Pb1,
    Pb2,
    Pb3,
    Pb4,
    Hag,
    HagPlus,
    Apex,
    CabinetSecretary,
}

impl PayBand {
    pub const ALL: [PayBand; 9] = [
        PayBand::Minus1S,
        PayBand::Pb1,
        PayBand::Pb2,
        PayBand::Pb3,
        PayBand::Pb4,
        PayBand::Hag,
        PayBand::HagPlus,
        PayBand::Apex,
        PayBand::CabinetSecretary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PayBand::Minus1S => "-1S",
            PayBand::Pb1 => "PB-1",
            PayBand::Pb2 => "PB-2",
            PayBand::Pb3 => "PB-3",
            PayBand::Pb4 => "PB-4",
            PayBand::Hag => "HAG",
            PayBand::HagPlus => "HAG+",
            PayBand::Apex => "Apex",
            PayBand::CabinetSecretary => "Cabinet Secretary",
        }
    }

    /// Parses the names used in the data and in orders: `PB-2`, `pb2`,
    /// `-1S`, `HAG+`, `Apex Scale`, `Cabinet Secretary scale`.
    pub fn parse(s: &str) -> Result<PayBand, PayError> {
        let t = s.trim();
        let t = t
            .strip_suffix(" Scale")
            .or_else(|| t.strip_suffix(" scale"))
            .unwrap_or(t);
        // Compare ignoring '-' and ' ' and case, without allocating.
        let significant = |x: &'static str| x.chars().filter(|c| *c != '-' && *c != ' ');
        let given = || t.chars().filter(|c| *c != '-' && *c != ' ');
        PayBand::ALL
            .into_iter()
            .find(|b| {
                significant(b.as_str())
                    .map(|c| c.to_ascii_uppercase())
                    .eq(given().map(|c| c.to_ascii_uppercase()))
            })
            .ok_or_else(|| PayError::UnknownPayBand(s.to_owned()))
    }

    /// The band's minimum and maximum (equal for fixed scales).
    pub fn range(self) -> Result<(u32, u32), PayError> {
        tables()?
            .band(self)
            .map(|b| (b.min, b.max))
            .ok_or_else(|| PayError::UnknownPayBand(self.as_str().to_owned()))
    }
}

impl fmt::Display for PayBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PayBand {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PayBand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PayBand::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A grade pay that exists in the 6th CPC structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct GradePay(u32);

impl GradePay {
    /// Accepts the grade pays of the hierarchy and of the -1S band.
    pub fn parse(gp: u32) -> Result<GradePay, PayError> {
        let t = tables()?;
        let known = t.levels.iter().any(|l| l.grade_pay == Some(gp))
            || t.scales.iter().any(|s| s.grade_pay == Some(gp));
        if known {
            Ok(GradePay(gp))
        } else {
            Err(PayError::UnknownGradePay(gp))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for GradePay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        GradePay::parse(u32::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for GradePay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The grade pays of the hierarchy, lowest first (GP 5400 appears twice:
/// in PB-2 and in PB-3, which MACPS treats as separate rungs).
pub fn grade_pay_hierarchy() -> Result<Vec<(PayBand, GradePay)>, PayError> {
    Ok(tables()?
        .levels
        .iter()
        .filter_map(|l| l.grade_pay.map(|gp| (l.pay_band, GradePay(gp))))
        .collect())
}

/// The rung (7th CPC level) of a grade pay, optionally in a given band.
/// GP 5400 without a band is ambiguous and refused rather than guessed.
pub fn level_of_grade_pay(band: Option<PayBand>, gp: u32) -> Result<Level, PayError> {
    let t = tables()?;
    let mut found = t
        .levels
        .iter()
        .filter(|l| l.grade_pay == Some(gp) && band.is_none_or(|b| b == l.pay_band));
    match (found.next(), found.next()) {
        (Some(l), None) => Ok(Level::from_info(l)),
        (Some(_), Some(_)) => Err(PayError::AmbiguousGradePay(gp)),
        (None, _) => {
            // Known grade pays outside the hierarchy (-1S) are a different error.
            match band {
                Some(b) if GradePay::parse(gp).is_ok() => Err(PayError::InconsistentPayRef(
                    format!("grade pay {gp} is not in {b}"),
                )),
                _ => Err(PayError::UnknownGradePay(gp)),
            }
        }
    }
}

/// Rounds an amount in whole rupees up to the next multiple of 10.
pub fn round_up_to_ten(amount: u32) -> u32 {
    amount.div_ceil(10).saturating_mul(10)
}

/// How a 6th CPC increment is rounded, by the date it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrementRounding {
    /// Rule 9 as notified: the amount, paise included, rounded off to the next
    /// multiple of 10 (280.20 → 290).
    NextTen,
    /// DoE OM of 29.01.2009: paise ignored, then any rupee amount up to the
    /// next multiple of 10 (1900.70 → 1900; 1901 → 1910).
    PaiseIgnored,
}

impl IncrementRounding {
    /// The rounding in force on `on`.
    pub fn on(on: NaiveDate) -> IncrementRounding {
        increment_rounding()
            .at(on)
            .map_or(IncrementRounding::NextTen, |d| d.value)
    }

    /// PAY-1 resting on the order of the rounding in force on `on`: the
    /// Rules as notified, or the DoE OM of 29.01.2009 from 01.07.2009.
    pub fn rule(on: NaiveDate) -> crate::rules::Rule {
        let pay_1 = crate::rules::PAY_1_2008;
        increment_rounding()
            .at(on)
            .map_or(pay_1, |d| pay_1.resting_on(d.source))
    }

    pub fn text(self) -> &'static str {
        match self {
            IncrementRounding::NextTen => "Rule 9, CCS (RP) Rules 2008: the increment (paise included) rounded off to the next multiple of 10, as for increments before 01.07.2009",
            IncrementRounding::PaiseIgnored => "DoE OM of 29.01.2009: paise of the increment ignored, a rupee or more rounded up to the next multiple of 10 (increments on or after 01.07.2009)",
        }
    }
}

/// The rounding in force on a date (`pay_rules_6cpc_notes.md`: the OM of
/// 29.01.2009 applies, per CGDA, to increments on or after 01.07.2009).
pub fn increment_rounding() -> &'static DatedParam<IncrementRounding> {
    static P: OnceLock<DatedParam<IncrementRounding>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ymd(2006, 1, 1),
                value: IncrementRounding::NextTen,
                source: "Rule 9, CCS (RP) Rules 2008",
            },
            Dated {
                from: ymd(2009, 7, 1),
                value: IncrementRounding::PaiseIgnored,
                source:
                    "DoE OM of 29.01.2009 (applied by CGDA to increments on or after 01.07.2009)",
            },
        ])
    })
}

/// One 6th CPC increment (Rule 9, CCS (RP) Rules 2008) falling due on `on`:
/// 3% of pay in the band plus grade pay, rounded as in force that day; it
/// is added to the pay in the band.
pub fn increment(on: NaiveDate, pay_in_band: u32, grade_pay: u32) -> u32 {
    // 3% of the total in rupees is total × 3 paise.
    let paise = (u64::from(pay_in_band) + u64::from(grade_pay)) * 3;
    let rupees = match IncrementRounding::on(on) {
        // Up to the next 10 rupees (1000 paise) from the exact amount.
        IncrementRounding::NextTen => paise.div_ceil(1000) * 10,
        // Paise dropped, then up to the next 10.
        IncrementRounding::PaiseIgnored => (paise / 100).div_ceil(10) * 10,
    };
    u32::try_from(rupees).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_parse_in_every_spelling() {
        assert_eq!(PayBand::parse("PB-2"), Ok(PayBand::Pb2));
        assert_eq!(PayBand::parse("pb2"), Ok(PayBand::Pb2));
        assert_eq!(PayBand::parse("-1S"), Ok(PayBand::Minus1S));
        assert_eq!(PayBand::parse("HAG+"), Ok(PayBand::HagPlus));
        assert_eq!(PayBand::parse("Apex Scale"), Ok(PayBand::Apex));
        assert_eq!(
            PayBand::parse("Cabinet Secretary scale"),
            Ok(PayBand::CabinetSecretary)
        );
        assert!(PayBand::parse("PB-5").is_err());
        for b in PayBand::ALL {
            assert_eq!(PayBand::parse(b.as_str()), Ok(b));
        }
    }

    #[test]
    fn hierarchy_is_ordered_and_maps_to_levels() {
        let h = grade_pay_hierarchy().unwrap();
        let gps: Vec<u32> = h.iter().map(|(_, g)| g.get()).collect();
        assert_eq!(
            gps,
            [
                1800, 1900, 2000, 2400, 2800, 4200, 4600, 4800, 5400, 5400, 6600, 7600, 8700, 8900,
                10000
            ]
        );
        assert_eq!(level_of_grade_pay(None, 4600).unwrap().name(), "7");
        assert_eq!(
            level_of_grade_pay(Some(PayBand::Pb3), 5400).unwrap().name(),
            "10"
        );
        assert_eq!(
            level_of_grade_pay(None, 5400),
            Err(PayError::AmbiguousGradePay(5400))
        );
        assert_eq!(
            level_of_grade_pay(None, 1234),
            Err(PayError::UnknownGradePay(1234))
        );
        assert!(level_of_grade_pay(Some(PayBand::Pb1), 4200).is_err());
        assert!(GradePay::parse(1300).is_ok());
    }

    #[test]
    fn increment_is_three_percent_rounded_up_to_ten() {
        // From 01.07.2009 (DoE OM of 29.01.2009): paise ignored, then up to 10.
        let on = ymd(2009, 7, 1);
        // 3% of 9630 = 288.90: paise dropped (288), then up to 290.
        assert_eq!(increment(on, 7730, 1900), 290);
        // 3% of 20000 = 600 exactly: no rounding.
        assert_eq!(increment(on, 15600, 4400), 600);
        // 3% of 63340 = 1900.20: paise dropped, 1900 stays.
        assert_eq!(increment(on, 56540, 6800), 1900);
        // 3% of 63367 = 1901.01: 1901 goes to 1910.
        assert_eq!(increment(on, 56567, 6800), 1910);
    }

    #[test]
    fn before_01_07_2009_rule_9_rounds_the_exact_amount_up_to_ten() {
        // Rule 9: "rounded off to next multiple of 10", paise included.
        let on = ymd(2009, 6, 30);
        // 3% of 9340 = 280.20 → 290 (the OM of 29.01.2009 would give 280).
        assert_eq!(increment(on, 7540, 1800), 290);
        assert_eq!(increment(ymd(2009, 7, 1), 7540, 1800), 280);
        // 3% of 63340 = 1900.20 → 1910; exact tens stay.
        assert_eq!(increment(on, 56540, 6800), 1910);
        assert_eq!(increment(on, 15600, 4400), 600);
        assert_eq!(increment(on, 7730, 1900), 290);
    }
}
