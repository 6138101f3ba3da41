//! Dated parameters of the empanelment engine, each with its source.
//! `docs/rules/empanelment.md` explains the choices where the seed is silent.

use std::sync::OnceLock;

use crate::params::{ymd, Dated, DatedParam};

/// Bands that turn an overall APAR grade on the 1-10 scale into a grading.
/// A grade at or above a band's lower bound falls in that band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumericBands {
    pub outstanding_from: f64,
    pub very_good_from: f64,
    pub good_from: f64,
}

const NUMERIC_BANDS_SOURCE: &str = "Numerical APAR grade equivalence for empanelment/promotion scores: \
     below 4 Average (0), 4 to below 6 Good (5), 6 to below 8 Very Good (7), 8 to 10 Outstanding (9), \
     as circulated by the Department of Posts (Directorate letter No. CS/APARs/2013-14/Misc dated 08.09.2014); \
     the 1-10 overall grade itself: All India Services (Performance Appraisal Report) Rules, 2007 and \
     DoPT OM No. 21011/1/2005-Estt.(A)(Pt-II) dated 23.07.2009 (assumption: to be confirmed against the \
     Establishment Officer's current instructions)";

/// Numeric grade to grading (CSS-2 needs a grading to value each year).
/// In force from reporting year 2007-08, when the 1-10 overall grade began for AIS.
pub fn numeric_bands() -> &'static DatedParam<NumericBands> {
    static P: OnceLock<DatedParam<NumericBands>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![Dated {
            from: ymd(2007, 4, 1),
            value: NumericBands {
                outstanding_from: 8.0,
                very_good_from: 6.0,
                good_from: 4.0,
            },
            source: NUMERIC_BANDS_SOURCE,
        }])
    })
}

/// Age of superannuation, which fixes the retirement date behind CSS-5.
pub fn retirement_age() -> &'static DatedParam<u32> {
    static P: OnceLock<DatedParam<u32>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ymd(1950, 1, 26),
                value: 58,
                source: "FR 56(a) before its 1998 amendment; AIS (DCRB) Rules 1958, rule 16(1)",
            },
            Dated {
                from: ymd(1998, 5, 13),
                value: 60,
                source: "FR 56(a) as amended by DoPT Notification No. 25012/2/97-Estt.(A) dated 13.05.1998; \
                         AIS (DCRB) Rules 1958, rule 16(1) as amended in 1998",
            },
        ])
    })
}

/// A fraction `numerator / denominator`, kept exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub numerator: u64,
    pub denominator: u64,
}

/// CSS-4: a category is under-represented when its cumulative share over
/// four batches is below this fraction of its all-India share ("66 2/3%").
pub fn representation_threshold() -> &'static DatedParam<Fraction> {
    static P: OnceLock<DatedParam<Fraction>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![Dated {
            from: ymd(1996, 1, 5),
            value: Fraction {
                numerator: 2,
                denominator: 3,
            },
            source: "ACC-approved guidelines under the Central Staffing Scheme 1996 (CSS-4); \
                     the date is the Scheme's, DoPT's procedure gives none for the guideline",
        }])
    })
}

/// CSS-4: officers added for representation do not exceed "about 15%" of
/// the panel. Percent of the initial-stage panel, rounded half up.
pub fn pull_up_cap_percent() -> &'static DatedParam<u64> {
    static P: OnceLock<DatedParam<u64>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![Dated {
            from: ymd(1996, 1, 5),
            value: 15,
            source: "ACC-approved guidelines under the Central Staffing Scheme 1996 (CSS-4); \
                     the date is the Scheme's, DoPT's procedure gives none for the guideline",
        }])
    })
}

/// The date the Central Staffing Scheme took effect: the rules below come
/// from it or from the ACC-approved guidelines under it, and DoPT's procedure gives
/// no later date for any of them.
const SCHEME_FROM: chrono::NaiveDate = ymd(1996, 1, 5);

/// A rule's number as the Scheme fixed it, with its date and source; no
/// later order has changed it, so it is a constant, not a table.
const fn scheme<T>(value: T, source: &'static str) -> Dated<T> {
    Dated {
        from: SCHEME_FROM,
        value,
        source,
    }
}

/// CSS-5: minimum residual service (years) on 1 January of the empanelment year.
pub const MIN_RESIDUAL_SERVICE_YEARS: Dated<u32> = scheme(
    4,
    "Central Staffing Scheme 1996 as answered in DoPT's FAQs on the Scheme: officers with less than four years' \
     residual service on the 1st day of the year of empanelment are not eligible",
);
/// CSS-1: years in the Selection Grade (DS) for CSS officers.
pub const CSS_SELECTION_GRADE_YEARS: Dated<u32> = scheme(
    8,
    "DoPT OM No. 36/77/96-EO(SM-I) dated 05.01.1996: eight years of service in the \
     Selection Grade (Deputy Secretary or equivalent)",
);
/// CSS-1: continuous years assessed suitable for Director, CSS officers.
pub const CSS_DIRECTOR_SUITABLE_YEARS: Dated<u32> = scheme(
    3,
    "DoPT OM No. 36/77/96-EO(SM-I) dated 05.01.1996: assessed suitable for the post of \
     Director for a minimum continuous period of three years",
);
/// CSS-2: the window of reporting years up to and including the cut-off year.
pub const WINDOW_YEARS: Dated<i32> = scheme(
    10,
    "ACC-approved guidelines under the Central Staffing Scheme 1996: ACRs/APARs of the \
     10 years immediately preceding and inclusive of the cut-off year",
);
/// CSS-2: full years of APAR to reach by looking back, when gaps are beyond the officer's control.
pub const MIN_FULL_YEARS: Dated<u64> = scheme(
    8,
    "ACC-approved guidelines under the Central Staffing Scheme 1996: at least 8 years' \
     full ACRs where gaps are beyond the officer's control",
);
/// CSS-2: at most this many years immediately preceding the window are looked at.
pub const MAX_EXTENSION_YEARS: Dated<i32> = scheme(
    3,
    "ACC-approved guidelines under the Central Staffing Scheme 1996: ACRs of a maximum \
     of 3 years immediately preceding the period",
);
/// CSS-4: the batches before the current one whose panels count.
pub const PRECEDING_BATCHES: Dated<usize> = scheme(
    3,
    "ACC-approved guidelines under the Central Staffing Scheme 1996 (CSS-4): cumulative \
     representation over four batches, the current batch and the three preceding",
);
/// CSS-6: a foreign assignment this long (years) triggers the return condition.
pub const FOREIGN_ASSIGNMENT_YEARS: Dated<u32> = scheme(
    2,
    "Central Staffing Scheme 1996 as answered in DoPT's FAQs on the Scheme: a foreign assignment of two years or \
     more under AIS Rule 6(2)(ii)",
);
/// CSS-6: years back in cadre before consideration.
pub const YEARS_BACK_IN_CADRE: Dated<u32> = scheme(
    2,
    "Central Staffing Scheme 1996 as answered in DoPT's FAQs on the Scheme: on return, at least two years served \
     in the cadre",
);
/// CSS-6: APARs earned back in cadre before consideration.
pub const APARS_BACK_IN_CADRE: Dated<usize> = scheme(
    2,
    "Central Staffing Scheme 1996 as answered in DoPT's FAQs on the Scheme: on return, two ACRs/APARs earned in \
     the cadre",
);
/// CSS-8: years between a consideration and its review.
pub const REVIEW_AFTER_YEARS: Dated<i32> = scheme(
    2,
    "Para 10 of the Central Staffing Scheme 1996: reviewed after a period of two \
     years, when two more annual reports have been added",
);
/// CSS-8: regular reviews allowed after the original consideration.
pub const MAX_REVIEWS: Dated<usize> = scheme(
    2,
    "Para 10 of the Central Staffing Scheme 1996: a review after two years, and \
     another after a further two years",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_constant_names_its_source_and_date() {
        let sources = [
            MIN_RESIDUAL_SERVICE_YEARS.source,
            CSS_SELECTION_GRADE_YEARS.source,
            CSS_DIRECTOR_SUITABLE_YEARS.source,
            WINDOW_YEARS.source,
            MIN_FULL_YEARS.source,
            MAX_EXTENSION_YEARS.source,
            PRECEDING_BATCHES.source,
            FOREIGN_ASSIGNMENT_YEARS.source,
            YEARS_BACK_IN_CADRE.source,
            APARS_BACK_IN_CADRE.source,
            REVIEW_AFTER_YEARS.source,
            MAX_REVIEWS.source,
        ];
        for s in sources {
            assert!(s.contains("1996") && !s.contains("seed"), "{s}");
        }
        assert_eq!(WINDOW_YEARS.from, ymd(1996, 1, 5));
        assert_eq!(
            (
                WINDOW_YEARS.value,
                MIN_FULL_YEARS.value,
                MAX_EXTENSION_YEARS.value
            ),
            (10, 8, 3)
        );
    }
}
