//! How the MACP engine words its reasons: rungs named in the regime of
//! their date, how a due date was reached, what the APARs said.

use std::fmt;

use chrono::NaiveDate;

use super::*;
use crate::pay::benchmark::{self, Assessment, Grading};
use crate::pay::dates::Dmy;
use crate::pay::fitment::PreRevisedScale;
use crate::pay::matrix::Level;
use crate::pay::regime::PayRegime;

use super::run::*;

/// A rung named for the reasons, in the regime of a date.
pub(super) struct RungText(
    pub(super) Level,
    pub(super) Option<PreRevisedScale>,
    pub(super) NaiveDate,
);

impl fmt::Display for RungText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RungText(level, scale, on) = *self;
        let regime = PayRegime::on(on);
        if regime == PayRegime::SeventhCpc {
            return write!(f, "{level}");
        }
        if let (PayRegime::FifthCpc, Some(s)) = (regime, scale) {
            write!(f, "{s} (revised: ")?;
        }
        f.write_str(level.sixth_cpc_label())?;
        if let (PayRegime::FifthCpc, Some(_)) = (regime, scale) {
            f.write_str(")")?;
        }
        Ok(())
    }
}

pub(super) const REVISED_STRUCTURE: &str =
    "; due 01.01.2006-31.08.2008, so old ACP Scheme in the revised pay structure";

/// How a computed due date was reached, for the reasons.
pub(super) struct How<'a>(pub(super) &'a Candidate);

impl fmt::Display for How<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let How(c) = *self;
        let postponed = c.delay();
        match (c.scheme, c.route) {
            (Scheme::Acp, Route::SchemeStart) => f.write_str("ACP Scheme from 09.08.1999")?,
            (Scheme::Macp, Route::SchemeStart) => f.write_str("MACPS from 01.09.2008")?,
            (Scheme::Macp, Route::SameGrade(since)) => {
                write!(f, "10 years in the same grade pay since {}", Dmy(since))?
            }
            (_, Route::AcpPostponed(due)) => write!(f, "ACP due {}", Dmy(due))?,
            (_, Route::AfterLast(last)) => {
                write!(f, "not before the last upgradation, of {}", Dmy(last))?
            }
            (_, _) => {
                write!(f, "{} years' regular service", c.years)?;
                if c.shift > 0 {
                    write!(
                        f,
                        " and {} days by which earlier upgradations were postponed",
                        c.shift
                    )?;
                }
            }
        }
        if postponed > 0 {
            write!(f, ", after {postponed} days' postponement")?;
        }
        Ok(())
    }
}

/// What the APARs said about the benchmark, appended to an upgrade's reason.
pub(super) struct BenchmarkNote(
    pub(super) Option<(Grading, Assessment)>,
    pub(super) NaiveDate,
);

impl fmt::Display for BenchmarkNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((g, Assessment::Met)) => {
                write!(f, "; benchmark '{g}' met (APARs {})", AparYears(self.1))
            }
            Some((g, _)) => write!(
                f,
                "; subject to benchmark '{g}': APARs {} not all supplied",
                AparYears(self.1)
            ),
            None => Ok(()),
        }
    }
}

/// The reporting years of the benchmark window, as "2007-08 to 2011-12".
pub(super) struct AparYears(pub(super) NaiveDate);

impl fmt::Display for AparYears {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written digit by digit, like `Dmy`: this sits in most MACP reasons.
        let (first, last) = benchmark::window(self.0);
        let digit = |n: i32| b'0' + u8::try_from(n.rem_euclid(10)).unwrap_or(0);
        let year = |y: i32| {
            [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit((y + 1) / 10),
                digit(y + 1),
            ]
        };
        let (a, b) = (year(first), year(last));
        f.write_str(std::str::from_utf8(&a).map_err(|_| fmt::Error)?)?;
        f.write_str(" to ")?;
        f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?)
    }
}
