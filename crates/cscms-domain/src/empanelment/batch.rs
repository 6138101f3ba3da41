//! The batch under consideration and its representation inputs (CSS-3, CSS-4).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::apar::ReportingYear;
use super::eligibility::Proposal;
use super::parameters::PRECEDING_BATCHES;
use super::EmpanelmentError;
use crate::employee::{Category, Gender};

/// A category whose representation CSS-4 watches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RepCategory {
    /// Scheduled Castes and Scheduled Tribes, counted together.
    ScSt,
    Women,
    NorthEast,
    /// Officers of one state cadre (All India Services).
    StateCadre {
        cadre: String,
    },
}

impl RepCategory {
    /// Whether the officer proposed belongs to this category.
    pub fn includes(&self, p: &Proposal) -> bool {
        match self {
            RepCategory::ScSt => matches!(p.category, Category::Sc | Category::St),
            RepCategory::Women => p.gender == Gender::Female,
            RepCategory::NorthEast => p.north_east,
            RepCategory::StateCadre { cadre } => p
                .state_cadre
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(cadre)),
        }
    }
}

impl fmt::Display for RepCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepCategory::ScSt => f.write_str("SC/ST"),
            RepCategory::Women => f.write_str("women"),
            RepCategory::NorthEast => f.write_str("North-East"),
            RepCategory::StateCadre { cadre } => write!(f, "{cadre} cadre"),
        }
    }
}

/// A category's all-India share of empanelment, in basis points (2250 = 22.50%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryShare {
    pub category: RepCategory,
    pub share_bp: u32,
}

/// How many of a category were empanelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    pub category: RepCategory,
    pub count: u32,
}

/// One of the three batches preceding this one: its panel and who was in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrecedingBatch {
    pub batch_year: i32,
    pub empanelled: u32,
    #[serde(default)]
    pub counts: Vec<CategoryCount>,
}

/// A batch of one service taken up for JS-level empanelment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Batch {
    /// Service code (see [`super::services`]).
    pub service: String,
    /// Batch or year of allotment.
    pub batch_year: i32,
    /// The calendar year in which the empanelment takes place (CSS-5).
    pub empanelment_year: i32,
    /// The last reporting year of the CSS-2 window.
    pub cut_off_year: ReportingYear,
    /// Officers to empanel at the initial stage.
    pub panel_size: u32,
    /// All-India shares of the categories watched (CSS-4).
    #[serde(default)]
    pub shares: Vec<CategoryShare>,
    /// Up to three preceding batches (CSS-4).
    #[serde(default)]
    pub preceding: Vec<PrecedingBatch>,
    /// All India Services: when an officer of this year of allotment was
    /// first appointed to SAG in any state cadre (CSS-1).
    #[serde(default)]
    pub ais_first_sag_on: Option<NaiveDate>,
    /// A floor under the relaxed norms of CSS-4, if the Board sets one.
    #[serde(default)]
    pub relaxed_min_score: Option<f64>,
}

impl Batch {
    /// Checks what would make the run meaningless; the first problem.
    pub fn validate(&self) -> Result<(), EmpanelmentError> {
        match self.problems().into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(()),
        }
    }

    /// Every such problem, with the input field it lies in (`panel_size`,
    /// `preceding`, `shares`). The service is checked by the run (CSS-9).
    pub fn problems(&self) -> Vec<(&'static str, EmpanelmentError)> {
        let mut out = Vec::new();
        if self.panel_size == 0 {
            out.push(("panel_size", EmpanelmentError::EmptyPanel));
        }
        if self.preceding.len() > PRECEDING_BATCHES.value {
            out.push((
                "preceding",
                EmpanelmentError::TooManyPrecedingBatches(self.preceding.len()),
            ));
        }
        let bad = |m: String| EmpanelmentError::InvalidRepresentation(m);
        for (i, s) in self.shares.iter().enumerate() {
            if s.share_bp > 10_000 {
                out.push(("shares", bad(format!("share of {} above 100%", s.category))));
            }
            if self
                .shares
                .iter()
                .skip(i + 1)
                .any(|o| o.category == s.category)
            {
                out.push((
                    "shares",
                    bad(format!("share of {} given twice", s.category)),
                ));
            }
        }
        // CSS-4: "the immediately preceding three batches" — earlier batches, each once.
        for (i, p) in self.preceding.iter().enumerate() {
            if p.batch_year >= self.batch_year {
                out.push((
                    "preceding",
                    bad(format!(
                        "batch {} does not precede the batch {}",
                        p.batch_year, self.batch_year
                    )),
                ));
            }
            if self
                .preceding
                .iter()
                .take(i)
                .any(|o| o.batch_year == p.batch_year)
            {
                out.push((
                    "preceding",
                    bad(format!("batch {} given twice", p.batch_year)),
                ));
            }
            for (j, c) in p.counts.iter().enumerate() {
                if p.counts.iter().take(j).any(|o| o.category == c.category) {
                    out.push((
                        "preceding",
                        bad(format!(
                            "batch {}: {} counted twice",
                            p.batch_year, c.category
                        )),
                    ));
                }
            }
        }
        for p in &self.preceding {
            for c in &p.counts {
                if c.count > p.empanelled {
                    out.push((
                        "preceding",
                        bad(format!(
                            "batch {}: {} {} of {} empanelled",
                            p.batch_year, c.count, c.category, p.empanelled
                        )),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::fixtures::batch;

    fn preceding(batch_year: i32, counts: &[(RepCategory, u32)]) -> PrecedingBatch {
        PrecedingBatch {
            batch_year,
            empanelled: 10,
            counts: counts
                .iter()
                .map(|(category, count)| CategoryCount {
                    category: category.clone(),
                    count: *count,
                })
                .collect(),
        }
    }

    #[test]
    fn the_preceding_batches_are_earlier_ones_each_given_once() {
        // CSS-4: "the current batch and the immediately preceding three batches".
        let mut b = batch(8);
        b.preceding = vec![
            preceding(2003, &[(RepCategory::Women, 2)]),
            preceding(2004, &[]),
            preceding(2005, &[(RepCategory::ScSt, 3)]),
        ];
        assert!(b.problems().is_empty());
        for (years, what) in [
            ([2006, 2004, 2005], "batch 2006 does not precede"),
            ([2003, 2009, 2005], "batch 2009 does not precede"),
            ([2004, 2004, 2005], "batch 2004 given twice"),
        ] {
            for (p, y) in b.preceding.iter_mut().zip(years) {
                p.batch_year = y;
            }
            let found = b.problems();
            assert_eq!(found.len(), 1, "{years:?}: {found:?}");
            assert_eq!(found[0].0, "preceding");
            assert!(found[0].1.to_string().contains(what), "{}", found[0].1);
        }
        b.preceding = vec![preceding(
            2005,
            &[(RepCategory::ScSt, 9), (RepCategory::ScSt, 9)],
        )];
        let found = b.problems();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.to_string().contains("counted twice"));
    }
}
