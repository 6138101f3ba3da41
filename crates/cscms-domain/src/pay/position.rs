//! A place in the pay hierarchy, named in whichever regime the caller knows:
//! a pre-revised scale, a 6th CPC band and grade pay, or a 7th CPC level.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fitment::PreRevisedScale;
use super::matrix::Level;
use super::regime::PayRegime;
use super::sixth::{level_of_grade_pay, PayBand};
use super::PayError;

/// A pay position as given in inputs and shown in outcomes. In an input at
/// least one of `scale`, `grade_pay` or `level` is needed; `pay_band`
/// disambiguates grade pay 5400 (PB-2 or PB-3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PayRef {
    /// Pre-revised (5th CPC) scale, e.g. `"4000-6000"` or `"4000-100-6000"` or `"S-7"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_band: Option<PayBand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade_pay: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

/// A [`PayRef`] resolved to its rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub level: Level,
    /// The pre-revised scale, when one was named.
    pub scale: Option<PreRevisedScale>,
    /// A Group 'D' scale merged into grade pay 1800 (MACP-8).
    pub merged_group_d: bool,
}

impl PayRef {
    pub fn level(level: Level) -> PayRef {
        PayRef {
            level: Some(level),
            ..PayRef::default()
        }
    }

    pub fn grade_pay(band: PayBand, gp: u32) -> PayRef {
        PayRef {
            pay_band: Some(band),
            grade_pay: Some(gp),
            ..PayRef::default()
        }
    }

    pub fn scale(scale: &str) -> PayRef {
        PayRef {
            scale: Some(scale.to_owned()),
            ..PayRef::default()
        }
    }

    /// How a rung is named on a date: pre-revised scale (with its revised
    /// band and grade pay) before 2006, band and grade pay until 2015, level after.
    pub fn on(on: NaiveDate, level: Level, scale: Option<PreRevisedScale>) -> PayRef {
        match PayRegime::on(on) {
            PayRegime::FifthCpc => PayRef {
                scale: scale.map(|s| s.text().to_owned()),
                pay_band: Some(level.pay_band()),
                grade_pay: level.grade_pay(),
                level: None,
            },
            PayRegime::SixthCpc => PayRef {
                scale: None,
                pay_band: Some(level.pay_band()),
                grade_pay: level.grade_pay(),
                level: None,
            },
            PayRegime::SeventhCpc => PayRef::level(level),
        }
    }

    /// The rung this names, checking that the parts agree.
    pub fn resolve(&self) -> Result<Position, PayError> {
        if let Some(s) = &self.scale {
            let scale = PreRevisedScale::lookup(s, self.grade_pay)?;
            let (level, merged_group_d) = scale.macp_level()?;
            if let Some(l) = self.level {
                if l != level {
                    return Err(PayError::InconsistentPayRef(format!(
                        "scale {s} is not {l}"
                    )));
                }
            }
            return Ok(Position {
                level,
                scale: Some(scale),
                merged_group_d,
            });
        }
        if let Some(level) = self.level {
            let gp_differs = self
                .grade_pay
                .is_some_and(|gp| level.grade_pay() != Some(gp));
            let band_differs = self.pay_band.is_some_and(|b| level.pay_band() != b);
            if gp_differs || band_differs {
                return Err(PayError::InconsistentPayRef(format!(
                    "{level} is {} GP {}",
                    level.pay_band(),
                    level.grade_pay().unwrap_or(0)
                )));
            }
            return Ok(Position {
                level,
                scale: None,
                merged_group_d: false,
            });
        }
        if let Some(gp) = self.grade_pay {
            // Grade pays of the -1S band are the Group 'D' scales merged into GP 1800 (MACP-8).
            if self.pay_band == Some(PayBand::Minus1S) || (gp < 1800 && self.pay_band.is_none()) {
                let merged = PreRevisedScale::all()?
                    .find(|s| s.grade_pay() == Some(gp) && s.pay_band() == PayBand::Minus1S)
                    .ok_or(PayError::UnknownGradePay(gp))?;
                let (level, merged_group_d) = merged.macp_level()?;
                // The scale is kept, as when given by name: the ACPs within
                // the merged scales are then ignored (clarifications 9, 11).
                return Ok(Position {
                    level,
                    scale: Some(merged),
                    merged_group_d,
                });
            }
            return Ok(Position {
                level: level_of_grade_pay(self.pay_band, gp)?,
                scale: None,
                merged_group_d: false,
            });
        }
        Err(PayError::EmptyPayRef)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn level_name(r: &PayRef) -> Result<&'static str, PayError> {
        r.resolve().map(|p| p.level.name())
    }

    #[test]
    fn resolves_each_way_of_naming_a_rung() {
        assert_eq!(level_name(&PayRef::scale("4000-6000")), Ok("4"));
        assert_eq!(level_name(&PayRef::scale("4000-100-6000")), Ok("4"));
        assert_eq!(level_name(&PayRef::scale("S-19")), Ok("11"));
        assert_eq!(level_name(&PayRef::grade_pay(PayBand::Pb2, 4200)), Ok("6"));
        assert_eq!(
            level_name(&PayRef::level(Level::parse("12").unwrap())),
            Ok("12")
        );
        // 6500-10500 is GP 4600 for posts existing on 1.1.2006 (OM of 13.11.2009) ...
        assert_eq!(level_name(&PayRef::scale("6500-10500")), Ok("7"));
        // ... unless the caller says the post got GP 4200.
        let with_gp = PayRef {
            grade_pay: Some(4200),
            ..PayRef::scale("6500-10500")
        };
        assert_eq!(level_name(&with_gp), Ok("6"));
        assert_eq!(level_name(&PayRef::default()), Err(PayError::EmptyPayRef));
    }

    #[test]
    fn parts_must_agree() {
        let bad = PayRef {
            grade_pay: Some(4600),
            ..PayRef::level(Level::parse("6").unwrap())
        };
        assert!(matches!(
            bad.resolve(),
            Err(PayError::InconsistentPayRef(_))
        ));
    }

    #[test]
    fn names_a_rung_in_the_regime_of_the_date() {
        let l7 = Level::parse("7").unwrap();
        let sixth = PayRef::on(ymd(2012, 10, 1), l7, None);
        assert_eq!(
            (sixth.pay_band, sixth.grade_pay, sixth.level),
            (Some(PayBand::Pb2), Some(4600), None)
        );
        let seventh = PayRef::on(ymd(2016, 1, 1), l7, None);
        assert_eq!((seventh.grade_pay, seventh.level), (None, Some(l7)));
        let json = serde_json::to_string(&seventh).unwrap();
        assert_eq!(json, r#"{"level":"7"}"#);
    }
}
