//! Pay-commission regimes and the dates they took effect (PAY-1).

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::params::{ymd, Dated, DatedParam};

/// The pay structure in force on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayRegime {
    /// 5th CPC pre-revised scales (CCS (RP) Rules 1997).
    FifthCpc,
    /// 6th CPC pay bands and grade pays (CCS (RP) Rules 2008).
    SixthCpc,
    /// 7th CPC pay matrix (CCS (RP) Rules 2016).
    SeventhCpc,
}

pub const SIXTH_CPC_FROM: NaiveDate = ymd(2006, 1, 1);
pub const SEVENTH_CPC_FROM: NaiveDate = ymd(2016, 1, 1);

/// The regimes by date of effect.
pub fn regimes() -> &'static DatedParam<PayRegime> {
    static P: OnceLock<DatedParam<PayRegime>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![
            Dated {
                from: ymd(1996, 1, 1),
                value: PayRegime::FifthCpc,
                source: "CCS (Revised Pay) Rules 1997",
            },
            Dated {
                from: SIXTH_CPC_FROM,
                value: PayRegime::SixthCpc,
                source: "CCS (Revised Pay) Rules 2008, G.S.R. 622(E) of 29.08.2008",
            },
            Dated {
                from: SEVENTH_CPC_FROM,
                value: PayRegime::SeventhCpc,
                source: "CCS (Revised Pay) Rules 2016, G.S.R. 721(E) of 25.07.2016",
            },
        ])
    })
}

impl PayRegime {
    /// The regime in force on `on`; dates before 1996 count as pre-revised.
    pub fn on(on: NaiveDate) -> PayRegime {
        regimes().at(on).map_or(PayRegime::FifthCpc, |d| d.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regime_changes_on_the_first_of_january() {
        assert_eq!(PayRegime::on(ymd(2005, 12, 31)), PayRegime::FifthCpc);
        assert_eq!(PayRegime::on(ymd(2006, 1, 1)), PayRegime::SixthCpc);
        assert_eq!(PayRegime::on(ymd(2015, 12, 31)), PayRegime::SixthCpc);
        assert_eq!(PayRegime::on(ymd(2016, 1, 1)), PayRegime::SeventhCpc);
        assert_eq!(PayRegime::on(ymd(1990, 1, 1)), PayRegime::FifthCpc);
    }
}
