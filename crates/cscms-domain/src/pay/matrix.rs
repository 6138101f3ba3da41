//! The 7th CPC pay matrix (CCS (RP) Rules 2016): levels, cells, and the
//! increment, which is the next cell of the same level (Rule 9).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::data::{tables, LevelInfo};
use super::sixth::PayBand;
use super::PayError;

/// A 7th CPC pay level ("1".."18", "13A"), which is also a rung of the
/// 6th CPC grade-pay hierarchy. It can only be made from the reference
/// matrix, so an unknown level cannot exist past parsing.
#[derive(Clone, Copy)]
pub struct Level(&'static LevelInfo);

impl Level {
    /// Parses `"7"`, `"13A"`, `"13a"` or `"Level 7"`.
    pub fn parse(s: &str) -> Result<Level, PayError> {
        let t = s.trim();
        let t = t
            .strip_prefix("Level")
            .or_else(|| t.strip_prefix("level"))
            .unwrap_or(t)
            .trim();
        tables()?
            .levels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(t))
            .map(Level)
            .ok_or_else(|| PayError::UnknownLevel(s.to_owned()))
    }

    pub(crate) fn from_info(info: &'static LevelInfo) -> Level {
        Level(info)
    }

    /// Every level, lowest first.
    pub fn all() -> Result<impl Iterator<Item = Level>, PayError> {
        Ok(tables()?.levels.iter().map(Level))
    }

    pub(crate) fn by_ord(ord: u8) -> Option<Level> {
        tables().ok()?.levels.get(usize::from(ord)).map(Level)
    }

    pub fn name(self) -> &'static str {
        &self.0.name
    }

    /// The 6th CPC name of this rung: "PB-2 GP 4600" (or "HAG").
    pub fn sixth_cpc_label(self) -> &'static str {
        &self.0.label_sixth
    }

    /// Position in the hierarchy (Level 1 is 0).
    pub fn ord(self) -> u8 {
        self.0.ord
    }

    /// The 6th CPC pay band this level replaced.
    pub fn pay_band(self) -> PayBand {
        self.0.pay_band
    }

    /// The 6th CPC grade pay this level replaced (None for HAG and above).
    pub fn grade_pay(self) -> Option<u32> {
        self.0.grade_pay
    }

    pub fn cells(self) -> &'static [u32] {
        &self.0.cells
    }

    /// The next rung up the hierarchy, if any.
    pub fn next(self) -> Option<Level> {
        Level::by_ord(self.0.ord.checked_add(1)?)
    }

    /// Cell `number` (1-based) of the level.
    pub fn cell(self, number: u32) -> Result<Cell, PayError> {
        usize::try_from(number)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| Cell::at(self, i))
            .ok_or_else(|| PayError::PayOutOfRange {
                what: format!("the cells of level {}", self.name()),
                pay: number,
            })
    }

    /// The cell (1-based) whose pay is exactly `pay`.
    pub fn cell_of(self, pay: u32) -> Result<Cell, PayError> {
        self.cells()
            .iter()
            .position(|&p| p == pay)
            .and_then(|i| Cell::at(self, i))
            .ok_or_else(|| PayError::NotACell {
                level: self.name().to_owned(),
                pay,
            })
    }

    /// The first cell whose pay is equal to or higher than `amount`
    /// ("equal to or next higher", Rule 13 of 2016).
    pub fn cell_at_least(self, amount: u32) -> Result<Cell, PayError> {
        self.cells()
            .iter()
            .position(|&p| p >= amount)
            .and_then(|i| Cell::at(self, i))
            .ok_or_else(|| PayError::BeyondMatrix {
                level: self.name().to_owned(),
                amount,
            })
    }
}

impl PartialEq for Level {
    fn eq(&self, other: &Self) -> bool {
        self.0.ord == other.0.ord
    }
}

impl Eq for Level {}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.ord.cmp(&other.0.ord)
    }
}

impl Hash for Level {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.ord.hash(state);
    }
}

impl fmt::Debug for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Level({})", self.name())
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.label_seventh)
    }
}

impl Serialize for Level {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Level::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A cell of the matrix: a level, the cell number (1-based) and its pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    pub level: Level,
    pub cell: u8,
    pub pay: u32,
}

impl Cell {
    fn at(level: Level, index: usize) -> Option<Cell> {
        Some(Cell {
            level,
            cell: u8::try_from(index + 1).ok()?,
            pay: *level.cells().get(index)?,
        })
    }

    /// The next cell of the same level: one increment (Rule 9 of 2016).
    /// None at the last cell (the pay stagnates).
    pub fn next(self) -> Option<Cell> {
        Cell::at(self.level, usize::from(self.cell))
    }
}

/// The pay after one increment from `pay` in `level`.
pub fn increment(level: Level, pay: u32) -> Result<Option<u32>, PayError> {
    Ok(level.cell_of(pay)?.next().map(|c| c.pay))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_from_the_matrix() {
        for (s, name) in [
            ("1", "1"),
            ("13A", "13A"),
            ("13a", "13A"),
            ("Level 7", "7"),
            (" 18 ", "18"),
        ] {
            assert_eq!(Level::parse(s).map(Level::name), Ok(name));
        }
        for bad in ["0", "19", "13B", "", "A"] {
            assert_eq!(
                Level::parse(bad),
                Err(PayError::UnknownLevel(bad.to_owned()))
            );
        }
        let l13 = Level::parse("13").unwrap();
        assert_eq!(l13.next().map(Level::name), Some("13A"));
        assert!(Level::parse("13A").unwrap() < Level::parse("14").unwrap());
        assert_eq!(Level::parse("18").unwrap().next(), None);
    }

    #[test]
    fn increment_is_the_next_cell() {
        let l4 = Level::parse("4").unwrap();
        assert_eq!(increment(l4, 28700), Ok(Some(29600)));
        assert!(matches!(
            increment(l4, 28701),
            Err(PayError::NotACell { .. })
        ));
        let last = *l4.cells().last().unwrap();
        assert_eq!(increment(l4, last), Ok(None));
    }

    #[test]
    fn level_serialises_as_its_name() {
        let l = Level::parse("13A").unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"13A\"");
        let back: Level = serde_json::from_str("\"13A\"").unwrap();
        assert_eq!(back, l);
        assert!(serde_json::from_str::<Level>("\"99\"").is_err());
    }
}
