//! ROT-2's dated parameters. The tenure figures are NOT in the seeds: they
//! come from DoPT OM No. 21/19/2022-CS.I(P) of 02.11.2022 (CSS) and the OM of
//! 21.07.2009 (CSSS) as reproduced publicly, and are to be confirmed against
//! the orders before being relied upon (SPEC ROT-2).

use std::sync::OnceLock;

use crate::cadre::Cadre;
use crate::params::{ymd, Dated, DatedParam};

/// Minimum years in the present ministry before rotation, per grade code.
pub type TenureTable = &'static [(&'static str, u32)];

const CSS_SOURCE: &str =
    "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022 (rotational transfer policy for CSS), \
     as reproduced publicly; to be confirmed";
const CSSS_SOURCE: &str =
    "DoPT OM dated 21.07.2009 (rotational transfer policy for CSSS), as reproduced \
     publicly; to be confirmed";
const EXEMPTION_SOURCE: &str =
    "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022, as reproduced publicly \
     (exemptions); retirement date under FR 56(a)";

/// ROT-2 tenure by grade for a cadre. A non-functional scale counts as its
/// functional grade (`SO_NFS` as `SO`, `PS_NFS` as `PS`). CSCS has no table.
pub fn tenure(cadre: Cadre) -> Option<&'static DatedParam<TenureTable>> {
    static CSS: OnceLock<DatedParam<TenureTable>> = OnceLock::new();
    static CSSS: OnceLock<DatedParam<TenureTable>> = OnceLock::new();
    match cadre {
        Cadre::Css => Some(CSS.get_or_init(|| {
            DatedParam::new(vec![Dated {
                from: ymd(2022, 11, 2),
                value: &[("ASO", 7), ("SO", 7), ("US", 6), ("DS", 5), ("DIR", 5)],
                source: CSS_SOURCE,
            }])
        })),
        Cadre::Csss => Some(CSSS.get_or_init(|| {
            DatedParam::new(vec![Dated {
                from: ymd(2009, 7, 21),
                value: &[
                    ("PSO", 5),
                    ("SR_PPS", 5),
                    ("PPS", 5),
                    ("PS", 7),
                    ("PA", 7),
                    ("STENO_D", 7),
                ],
                source: CSSS_SOURCE,
            }])
        })),
        Cadre::Cscs => None,
    }
}

/// The lowest minimum age of entry into the Central Government's services:
/// an officer younger than this on joining the ministry is a wrong date of
/// birth, not a case ROT-2 decides (an assumption, not from the seeds).
pub const MIN_ENTRY_AGE: u32 = 18;

/// The spans of ROT-2's two exemptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exemptions {
    /// Exempt when superannuation falls within this many months of the as-of date.
    pub superannuation_within_months: u32,
    /// Exempt when DoPT records promotion as likely within this many months.
    pub promotion_within_months: u32,
}

pub fn exemptions() -> &'static DatedParam<Exemptions> {
    static P: OnceLock<DatedParam<Exemptions>> = OnceLock::new();
    P.get_or_init(|| {
        DatedParam::new(vec![Dated {
            from: ymd(2009, 7, 21),
            value: Exemptions {
                superannuation_within_months: 24,
                promotion_within_months: 12,
            },
            source: EXEMPTION_SOURCE,
        }])
    })
}

/// The grade whose tenure applies: a non-functional scale is its functional grade.
pub use crate::cadre::functional_grade;
