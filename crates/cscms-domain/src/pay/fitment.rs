//! Pre-revised (5th CPC) scales, and fitment of pay into the revised
//! structures: 5th → 6th CPC (Rule 7, CCS (RP) Rules 2008) and 6th → 7th CPC
//! (Rule 7, CCS (RP) Rules 2016).

use std::fmt;

use super::data::{figures, tables, ScaleInfo, ScaleKind};
use super::fixation::{Fixation, Pay, Step};
use super::matrix::Level;
use super::sixth::{level_of_grade_pay, PayBand};
use super::PayError;

/// Group 'D' scales merged into grade pay 1800 for MACPS (MACP-8,
/// clarifications 9 and 11 of OM 35034/3/2008-Estt.(D) of 09.09.2010).
pub const MACP_8_MERGED_SCALES: [(u32, u32); 5] = [
    (2550, 3200),
    (2610, 3540),
    (2610, 4000),
    (2650, 4000),
    (2750, 4400),
];

/// Multiplication factor of Rule 7 of 2008 (1.86), as hundredths.
const FACTOR_2008_HUNDREDTHS: u64 = 186;
/// Fitment factor of Rule 7 of 2016 (2.57), as hundredths.
const FACTOR_2016_HUNDREDTHS: u64 = 257;

/// A row of the First Schedule of CCS (RP) Rules 2008.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PreRevisedScale(&'static ScaleInfo);

impl PreRevisedScale {
    /// Looks a scale up by its id (`"S-7"`) or its figures (`"4000-6000"`,
    /// `"4000-100-6000"`). Where two rows share the figures, a grade pay picks
    /// one; otherwise the row of the later order wins (6500-10500 → GP 4600).
    pub fn lookup(s: &str, grade_pay: Option<u32>) -> Result<PreRevisedScale, PayError> {
        let t = tables()?;
        let unknown = || PayError::UnknownScale(s.to_owned());
        let given = figures(s);
        let (Some(min), Some(max)) = (given.clone().next(), given.clone().last()) else {
            return match t
                .scales
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(s.trim()))
            {
                Some(row) => Ok(PreRevisedScale(row)),
                None => Err(unknown()),
            };
        };
        let full = given.clone().nth(2).is_some();
        let mut first = None;
        for r in &t.scales {
            let matches = r.kind != ScaleKind::Alternative
                && r.min() == min
                && r.max() == max
                && (!full || r.figures.iter().copied().eq(given.clone()));
            if !matches {
                continue;
            }
            match grade_pay {
                Some(gp) if r.grade_pay == Some(gp) => return Ok(PreRevisedScale(r)),
                Some(_) => {}
                None if r.kind == ScaleKind::Preferred => return Ok(PreRevisedScale(r)),
                None => {
                    first.get_or_insert(r);
                }
            }
        }
        first.map(PreRevisedScale).ok_or_else(unknown)
    }

    pub fn parse(s: &str) -> Result<PreRevisedScale, PayError> {
        PreRevisedScale::lookup(s, None)
    }

    /// Every scale of the schedule, in its order.
    pub fn all() -> Result<impl Iterator<Item = PreRevisedScale>, PayError> {
        Ok(tables()?.scales.iter().map(PreRevisedScale))
    }

    pub fn id(self) -> &'static str {
        &self.0.id
    }

    pub fn text(self) -> &'static str {
        &self.0.text
    }

    pub fn min(self) -> u32 {
        self.0.min()
    }

    pub fn max(self) -> u32 {
        self.0.max()
    }

    pub fn pay_band(self) -> PayBand {
        self.0.pay_band
    }

    pub fn grade_pay(self) -> Option<u32> {
        self.0.grade_pay
    }

    /// The 7th CPC level with this scale's revised band and grade pay.
    pub fn level(self) -> Option<Level> {
        self.0.level.and_then(Level::by_ord)
    }

    /// The rung MACPS counts this scale at, and whether it is one of the
    /// Group 'D' scales merged into GP 1800 (MACP-8).
    pub fn macp_level(self) -> Result<(Level, bool), PayError> {
        if MACP_8_MERGED_SCALES.contains(&(self.min(), self.max())) {
            return Ok((level_of_grade_pay(Some(PayBand::Pb1), 1800)?, true));
        }
        self.level()
            .map(|l| (l, false))
            .ok_or_else(|| PayError::UnknownScale(self.text().to_owned()))
    }

    /// The stage of the scale equal to or next above `amount` (FR 22(I)(a)(2));
    /// the minimum if `amount` is below it; None above the maximum.
    pub fn stage_at_least(self, amount: u32) -> Option<u32> {
        self.stages().find(|&s| s >= amount)
    }

    /// The stages of the scale in order: start, then each increment up to its bar.
    pub fn stages(self) -> impl Iterator<Item = u32> {
        let f = &self.0.figures;
        let start = f.first().copied().unwrap_or(0);
        let steps = f.get(1..).unwrap_or(&[]).chunks_exact(2);
        std::iter::once(start).chain(
            steps
                .scan(start, |cur, pair| {
                    let (inc, upto) = (pair[0].max(1), pair[1]);
                    let mut out = Vec::new();
                    while *cur + inc <= upto {
                        *cur += inc;
                        out.push(*cur);
                    }
                    Some(out)
                })
                .flatten(),
        )
    }

    /// The next higher scale of the schedule, for an isolated post's ACP
    /// (assumption, see docs/rules/pay.md): the next row with both a higher
    /// minimum and a higher maximum.
    pub fn next_higher(self) -> Option<PreRevisedScale> {
        let t = tables().ok()?;
        let (min, max) = (self.min(), self.max());
        let first = t
            .scales
            .iter()
            .find(|r| r.kind != ScaleKind::Alternative && r.min() > min && r.max() > max)?;
        PreRevisedScale::lookup(&first.text, None).ok()
    }
}

impl fmt::Debug for PreRevisedScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id(), self.text())
    }
}

impl fmt::Display for PreRevisedScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// Fitment of a pre-revised basic pay on 01.01.2006 (Rule 7, CCS (RP) Rules
/// 2008): basic × 1.86 rounded up to the next 10 is the pay in the band,
/// raised to the band minimum if below it; the grade pay of the scale is added.
pub fn fit_prerevised(basic: u32, scale: &str) -> Result<Fixation, PayError> {
    let scale = PreRevisedScale::parse(scale)?;
    if basic < scale.min() {
        return Err(PayError::PayOutOfRange {
            what: format!("pre-revised scale {}", scale.text()),
            pay: basic,
        });
    }
    let band = scale.pay_band();
    let (band_min, _) = band.range()?;
    let times = u64::from(basic) * FACTOR_2008_HUNDREDTHS;
    let multiplied =
        u32::try_from(times.div_ceil(1000) * 10).map_err(|_| PayError::DateOutOfRange)?;
    let grade_pay = scale.grade_pay().unwrap_or(0);
    let mut steps = vec![
        Step::new(format!("pre-revised basic pay in {}", scale.text()), basic),
        Step::new(
            "multiplied by 1.86, rounded up to the next 10 (Rule 7)",
            multiplied,
        ),
    ];
    let pay_in_band = if multiplied < band_min {
        steps.push(Step::new(
            format!("raised to the minimum of {band}"),
            band_min,
        ));
        band_min
    } else {
        multiplied
    };
    steps.push(Step::new(
        format!("grade pay of {}", scale.text()),
        grade_pay,
    ));
    let pay = Pay::SixthCpc {
        pay_band: band,
        pay_in_band,
        grade_pay,
    };
    steps.push(Step::new("revised basic pay", pay.basic()));
    Ok(Fixation::new(pay, steps))
}

/// Fitment of a 6th CPC basic pay into the matrix on 01.01.2016 (Rule 7,
/// CCS (RP) Rules 2016): (pay in band + grade pay) × 2.57, rounded to the
/// nearest rupee, placed in the equal or next higher cell of the level that
/// replaced the grade pay.
pub fn fit_sixth_to_seventh(
    pay_band: PayBand,
    pay_in_band: u32,
    grade_pay: u32,
) -> Result<Fixation, PayError> {
    let level = if grade_pay == 0 {
        Level::all()?
            .find(|l| l.pay_band() == pay_band && l.grade_pay().is_none())
            .ok_or_else(|| PayError::UnknownPayBand(pay_band.as_str().to_owned()))?
    } else {
        level_of_grade_pay(Some(pay_band), grade_pay)?
    };
    let basic = u64::from(pay_in_band) + u64::from(grade_pay);
    // Nearest rupee: add half of 100 before dividing.
    let multiplied = u32::try_from((basic * FACTOR_2016_HUNDREDTHS + 50) / 100)
        .map_err(|_| PayError::DateOutOfRange)?;
    let cell = level.cell_at_least(multiplied)?;
    let steps = vec![
        Step::new(
            format!("6th CPC basic pay ({pay_band} + GP {grade_pay})"),
            basic_u32(basic),
        ),
        Step::new(
            "multiplied by 2.57, rounded to the nearest rupee (Rule 7 of 2016)",
            multiplied,
        ),
        Step::new(
            format!("equal or next higher cell in {level} (cell {})", cell.cell),
            cell.pay,
        ),
    ];
    Ok(Fixation::new(
        Pay::SeventhCpc {
            level,
            basic: cell.pay,
        },
        steps,
    ))
}

fn basic_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(f: &Fixation) -> u32 {
        f.basic
    }

    #[test]
    fn fitment_of_the_worked_examples() {
        // Values from the DoP&PW concordance tables (pay_rules_6cpc_notes.md).
        // 2550 × 1.86 = 4743 → 4750 (above -1S minimum 4440) + GP 1300.
        let f = fit_prerevised(2550, "2550-3200").unwrap();
        assert_eq!(basic(&f), 6050);
        assert_eq!(
            f.pay,
            Pay::SixthCpc {
                pay_band: PayBand::Minus1S,
                pay_in_band: 4750,
                grade_pay: 1300
            }
        );
        // 5000 × 1.86 = 9300, the PB-2 minimum, + GP 4200.
        let f = fit_prerevised(5000, "5000-8000").unwrap();
        assert_eq!(basic(&f), 13500);
        // 7450 × 1.86 = 13857 → 13860 + GP 4600.
        let f = fit_prerevised(7450, "7450-11500").unwrap();
        assert_eq!(basic(&f), 18460);
        // 8000 × 1.86 = 14880 + GP 5400 in PB-2 (S-15).
        assert_eq!(basic(&fit_prerevised(8000, "8000-13500").unwrap()), 20280);
        // Group A entry in 8000-13500: raised to the PB-3 minimum 15600.
        let f = fit_prerevised(8000, "NEW-8000-13500-GrA").unwrap();
        assert_eq!(basic(&f), 21000);
        assert!(f
            .steps
            .iter()
            .any(|s| s.text.contains("minimum of PB-3") && s.amount == 15600));
    }

    #[test]
    fn fitment_refuses_pay_below_the_scale() {
        assert!(matches!(
            fit_prerevised(2000, "2550-3200"),
            Err(PayError::PayOutOfRange { .. })
        ));
        assert!(matches!(
            fit_prerevised(3000, "1234-5678"),
            Err(PayError::UnknownScale(_))
        ));
    }

    #[test]
    fn sixth_to_seventh_uses_2_57_and_the_next_cell() {
        // PB-1 7000 + GP 1800 = 8800 × 2.57 = 22616 → Level 1 cell 22800.
        let f = fit_sixth_to_seventh(PayBand::Pb1, 7000, 1800).unwrap();
        assert_eq!(
            f.pay,
            Pay::SeventhCpc {
                level: Level::parse("1").unwrap(),
                basic: 22800
            }
        );
        // PB-3 15600 + GP 5400 = 21000 × 2.57 = 53970 → Level 10 starts at 56100.
        let f = fit_sixth_to_seventh(PayBand::Pb3, 15600, 5400).unwrap();
        assert_eq!(f.basic, 56100);
    }

    #[test]
    fn stages_follow_the_scale() {
        let s = PreRevisedScale::parse("2550-55-2660-60-3200").unwrap();
        let stages: Vec<u32> = s.stages().take(5).collect();
        assert_eq!(stages, [2550, 2605, 2660, 2720, 2780]);
        assert_eq!(s.stages().last(), Some(3200));
        let nfs = PreRevisedScale::parse("8000-275-13500").unwrap();
        assert_eq!(nfs.stage_at_least(7800), Some(8000));
        assert_eq!(nfs.stage_at_least(8100), Some(8275));
        assert_eq!(nfs.stage_at_least(8275), Some(8275));
        assert_eq!(nfs.stage_at_least(13600), None);
    }

    #[test]
    fn next_higher_scale_for_isolated_posts() {
        let next = |s: &str| {
            PreRevisedScale::parse(s)
                .unwrap()
                .next_higher()
                .map(|n| n.text())
        };
        assert_eq!(next("4000-6000"), Some("4500-125-7000"));
        assert_eq!(next("4500-7000"), Some("5000-150-8000"));
        assert_eq!(next("5500-9000"), Some("6500-200-10500"));
        assert_eq!(next("8000-13500"), Some("10000-325-15200"));
    }

    #[test]
    fn group_d_scales_merge_into_grade_pay_1800() {
        // MACP-8: all five scales count at GP 1800 for MACPS.
        for (min, max) in MACP_8_MERGED_SCALES {
            let s = PreRevisedScale::parse(&format!("{min}-{max}")).unwrap();
            let (level, merged) = s.macp_level().unwrap();
            assert_eq!(
                (level.grade_pay(), merged),
                (Some(1800), true),
                "{min}-{max}"
            );
        }
        let (level, merged) = PreRevisedScale::parse("3050-4590")
            .unwrap()
            .macp_level()
            .unwrap();
        assert_eq!((level.grade_pay(), merged), (Some(1900), false));
    }
}
