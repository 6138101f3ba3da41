//! The reference pay tables (PAY-1), compiled in and parsed once at first use.
//!
//! - `pay_matrix_7cpc.csv`: the 7th CPC matrix, one row per cell, with the
//!   6th CPC grade pay each level replaced.
//! - `pay_bands_6cpc.csv`: 6th CPC pay bands, their ranges, grade pays and the
//!   7th CPC level of each (band, grade pay) pair.
//! - `prerevised_scales_5cpc_to_6cpc.csv`: the First Schedule of CCS (RP)
//!   Rules 2008, pre-revised (5th CPC) scale to band and grade pay.

use std::sync::OnceLock;

use serde::Deserialize;

use super::sixth::PayBand;
use super::PayError;

const MATRIX_CSV: &str = include_str!("../../../../data/reference/pay_matrix_7cpc.csv");
const BANDS_CSV: &str = include_str!("../../../../data/reference/pay_bands_6cpc.csv");
const SCALES_CSV: &str =
    include_str!("../../../../data/reference/prerevised_scales_5cpc_to_6cpc.csv");

/// One 7th CPC level: a rung of the pay hierarchy, with the 6th CPC band and
/// grade pay it replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelInfo {
    /// Position in the hierarchy, lowest first (Level 1 is 0; 13A sits between 13 and 14).
    pub ord: u8,
    pub name: String,
    pub pay_band: PayBand,
    /// None for HAG and above, which have no grade pay.
    pub grade_pay: Option<u32>,
    /// Pay of cell 1, 2, ... in order.
    pub cells: Vec<u32>,
    /// "PB-2 GP 4600" (or "HAG"), and "Level 7": written once, used in every reason.
    pub label_sixth: String,
    pub label_seventh: String,
}

/// A 6th CPC pay band and its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandInfo {
    pub band: PayBand,
    pub min: u32,
    pub max: u32,
}

/// How a row of the First Schedule is to be used when a scale is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleKind {
    /// The normal replacement.
    Standard,
    /// A later order that replaced the standard row for existing posts
    /// (6500-10500 to grade pay 4600, OM 1/1/2008-IC of 13.11.2009): wins a lookup.
    Preferred,
    /// A special case (Group A entry in 8000-13500): only by its id.
    Alternative,
}

/// One pre-revised scale of the First Schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleInfo {
    pub id: String,
    /// The scale as written, e.g. `4000-100-6000`.
    pub text: String,
    /// The figures of the scale: start, then (increment, up to) pairs.
    pub figures: Vec<u32>,
    pub pay_band: PayBand,
    pub grade_pay: Option<u32>,
    pub kind: ScaleKind,
    /// Ordinal of the 7th CPC level with the same band and grade pay
    /// (None in the -1S band, which has no level).
    pub level: Option<u8>,
}

impl ScaleInfo {
    pub fn min(&self) -> u32 {
        self.figures.first().copied().unwrap_or(0)
    }

    pub fn max(&self) -> u32 {
        self.figures.last().copied().unwrap_or(0)
    }
}

#[derive(Debug)]
pub struct Tables {
    pub levels: Vec<LevelInfo>,
    pub bands: Vec<BandInfo>,
    pub scales: Vec<ScaleInfo>,
}

impl Tables {
    pub fn band(&self, band: PayBand) -> Option<&BandInfo> {
        self.bands.iter().find(|b| b.band == band)
    }
}

/// The parsed tables; an error only if a compiled-in file is malformed
/// (pinned by the tests below).
pub fn tables() -> Result<&'static Tables, PayError> {
    static T: OnceLock<Result<Tables, PayError>> = OnceLock::new();
    T.get_or_init(load).as_ref().map_err(Clone::clone)
}

#[derive(Deserialize)]
struct MatrixRow {
    level: String,
    grade_pay_6cpc: String,
    cell: u32,
    pay: u32,
}

#[derive(Deserialize)]
struct BandRow {
    pay_band: String,
    band_range: String,
    grade_pay: String,
    level_7cpc: String,
}

#[derive(Deserialize)]
struct ScaleRow {
    scale_id: String,
    pre_revised_scale: String,
    pay_band: String,
    grade_pay: String,
}

fn data_err(what: &str, e: impl std::fmt::Display) -> PayError {
    PayError::Data(format!("{what}: {e}"))
}

/// The leading run of digits of `s` as a number (`"5400 (PB-2)"` → 5400).
pub(crate) fn leading_number(s: &str) -> Option<u32> {
    let s = s.trim();
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s[..end].parse().ok()
}

/// The figures of a scale written `a-i-b-j-c` (trailing remarks ignored),
/// without allocating.
pub(crate) fn figures(s: &str) -> impl Iterator<Item = u32> + Clone + '_ {
    s.split('-').map(str::trim).scan(false, |ended, part| {
        if *ended {
            return None;
        }
        // A remark after the figure ("10500 (posts existing ...)") ends the scale.
        *ended = part.contains(' ');
        leading_number(part)
    })
}

pub(crate) fn scale_figures(s: &str) -> Vec<u32> {
    figures(s).collect()
}

fn load() -> Result<Tables, PayError> {
    let bands_rows = csv::Reader::from_reader(BANDS_CSV.as_bytes())
        .deserialize::<BandRow>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| data_err("pay_bands_6cpc.csv", e))?;

    let mut bands: Vec<BandInfo> = Vec::new();
    for r in &bands_rows {
        let band = PayBand::parse(&r.pay_band)?;
        let figures = scale_figures(&r.band_range);
        let (min, max) = match figures.as_slice() {
            [fixed] => (*fixed, *fixed),
            [min, max] => (*min, *max),
            _ => return Err(data_err("pay band range", &r.band_range)),
        };
        if !bands.iter().any(|b| b.band == band) {
            bands.push(BandInfo { band, min, max });
        }
    }

    let mut levels: Vec<LevelInfo> = Vec::new();
    for row in csv::Reader::from_reader(MATRIX_CSV.as_bytes()).deserialize::<MatrixRow>() {
        let row = row.map_err(|e| data_err("pay_matrix_7cpc.csv", e))?;
        let is_new = levels.last().is_none_or(|l| l.name != row.level);
        if is_new {
            let ord = u8::try_from(levels.len()).map_err(|e| data_err("levels", e))?;
            // The band comes from the bands file, where (band, grade pay) → level.
            let band_row = bands_rows
                .iter()
                .find(|b| b.level_7cpc.trim() == row.level)
                .ok_or_else(|| data_err("no pay band for level", &row.level))?;
            let grade_pay = leading_number(&row.grade_pay_6cpc);
            if grade_pay != leading_number(&band_row.grade_pay) {
                return Err(data_err("grade pay differs between files", &row.level));
            }
            let pay_band = PayBand::parse(&band_row.pay_band)?;
            levels.push(LevelInfo {
                ord,
                name: row.level.clone(),
                pay_band,
                grade_pay,
                cells: Vec::new(),
                label_sixth: match grade_pay {
                    Some(gp) => format!("{pay_band} GP {gp}"),
                    None => pay_band.to_string(),
                },
                label_seventh: format!("Level {}", row.level),
            });
        }
        let level = levels
            .last_mut()
            .ok_or_else(|| data_err("matrix", "empty"))?;
        let expected_cell = level.cells.len() + 1;
        let rising = level.cells.last().is_none_or(|&p| p < row.pay);
        if usize::try_from(row.cell).ok() != Some(expected_cell) || !rising {
            return Err(data_err("cells out of order in level", &level.name));
        }
        level.cells.push(row.pay);
    }

    let mut scales = Vec::new();
    for row in csv::Reader::from_reader(SCALES_CSV.as_bytes()).deserialize::<ScaleRow>() {
        let row = row.map_err(|e| data_err("prerevised_scales_5cpc_to_6cpc.csv", e))?;
        // Superseded rows and policy rows (no figures) are not scales to look up.
        let figures = scale_figures(&row.pre_revised_scale);
        if row.scale_id.contains("as notified") || figures.is_empty() {
            continue;
        }
        let kind = if row.pre_revised_scale.contains("posts existing") {
            ScaleKind::Preferred
        } else if row.pre_revised_scale.contains("Group A") {
            ScaleKind::Alternative
        } else {
            ScaleKind::Standard
        };
        let pay_band = PayBand::parse(&row.pay_band)?;
        let grade_pay = leading_number(&row.grade_pay);
        let level = levels
            .iter()
            .find(|l| l.pay_band == pay_band && l.grade_pay == grade_pay)
            .map(|l| l.ord);
        let text = match row.pre_revised_scale.find(" (") {
            Some(i) => row.pre_revised_scale[..i].to_owned(),
            None => row.pre_revised_scale.clone(),
        };
        scales.push(ScaleInfo {
            id: row.scale_id,
            text,
            figures,
            pay_band,
            grade_pay,
            kind,
            level,
        });
    }

    Ok(Tables {
        levels,
        bands,
        scales,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_has_540_cells_in_19_levels() {
        let t = tables().unwrap();
        assert_eq!(t.levels.len(), 19);
        assert_eq!(t.levels.iter().map(|l| l.cells.len()).sum::<usize>(), 540);
        let names: Vec<&str> = t.levels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names[12..15], ["13", "13A", "14"]);
    }

    #[test]
    fn grade_pay_5400_is_two_levels() {
        let t = tables().unwrap();
        let l5400: Vec<(&str, PayBand)> = t
            .levels
            .iter()
            .filter(|l| l.grade_pay == Some(5400))
            .map(|l| (l.name.as_str(), l.pay_band))
            .collect();
        assert_eq!(l5400, [("9", PayBand::Pb2), ("10", PayBand::Pb3)]);
    }

    #[test]
    fn scales_parse_and_skip_superseded_rows() {
        let t = tables().unwrap();
        assert!(t.scales.iter().all(|s| !s.id.contains("as notified")));
        let s7 = t.scales.iter().find(|s| s.id == "S-7").unwrap();
        assert_eq!((s7.min(), s7.max(), s7.grade_pay), (4000, 6000, Some(2400)));
        let s1 = t.scales.iter().find(|s| s.id == "S-1").unwrap();
        assert_eq!(s1.figures, [2550, 55, 2660, 60, 3200]);
        assert_eq!((s1.pay_band, s1.level), (PayBand::Minus1S, None));
        let up = t.scales.iter().find(|s| s.id == "S-12 (upgraded)").unwrap();
        assert_eq!(
            (up.kind, up.text.as_str()),
            (ScaleKind::Preferred, "6500-200-10500")
        );
        let hag = t.scales.iter().find(|s| s.id == "S-30").unwrap();
        assert_eq!((hag.pay_band, hag.grade_pay), (PayBand::Hag, None));
        assert!(hag.level.is_some());
    }

    #[test]
    fn bands_have_ranges() {
        let t = tables().unwrap();
        let pb3 = t.band(PayBand::Pb3).unwrap();
        assert_eq!((pb3.min, pb3.max), (15600, 39100));
        let apex = t.band(PayBand::Apex).unwrap();
        assert_eq!((apex.min, apex.max), (80000, 80000));
    }
}
