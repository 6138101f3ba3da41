//! SPO-1 in a rotation round: what the spouse-posting OM (No.
//! 28034/9/2009-Estt.(A), seed 002) says of two officers of a round who are
//! married to each other. Both are members of a Central Service (CSS or
//! CSSS): the same service is para 4(iii), two services para 4(iv), and
//! the same ministry or department para 4(viii) as well. Para 2 makes
//! posting them together mandatory in the same service or department where
//! posts are available. A round places officers in cadre posts of the
//! ministries, never under the Central Staffing Scheme, so para 4(viii)'s
//! exclusion of such appointments does not arise.

use chrono::NaiveDate;

use crate::cadre::Cadre;
use crate::decision::Decision;
use crate::spouse_posting::{
    evaluate_spouse_posting, ServiceKind, Spouse, SpouseInput, SpouseOutcome,
};

/// One spouse as the round knows them.
#[derive(Debug, Clone, Copy)]
pub struct RoundSpouse<'a> {
    pub cadre: Cadre,
    /// The present ministry or department (the ministry above a body).
    pub ministry: &'a str,
    /// Where the present ministry's posts are.
    pub station: &'a str,
}

/// SPO-1 for two officers of a round, as of the date its process starts:
/// the case of para 4 and whether posting together is mandatory.
pub fn spouses_in_round(
    as_of: NaiveDate,
    first: &RoundSpouse<'_>,
    second: &RoundSpouse<'_>,
) -> Decision<SpouseOutcome> {
    let spouse = |s: &RoundSpouse<'_>| Spouse {
        kind: ServiceKind::Central,
        service: s.cadre.as_str().to_owned(),
        department: Some(s.ministry.to_owned()),
        station: s.station.to_owned(),
        years_at_station: None,
        gender: None,
    };
    evaluate_spouse_posting(
        as_of,
        &SpouseInput {
            first: spouse(first),
            second: spouse(second),
            // Rotation posts are cadre posts, not Central Staffing Scheme appointments.
            central_staffing_scheme: false,
            post_available: None,
            youngest_child_age: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;
    use crate::spouse_posting::SpouseCase;

    fn spouse((cadre, ministry): (Cadre, &'static str)) -> RoundSpouse<'static> {
        RoundSpouse {
            cadre,
            ministry,
            station: "New Delhi",
        }
    }

    fn case(a: (Cadre, &'static str), b: (Cadre, &'static str)) -> (Option<SpouseCase>, bool) {
        let d = spouses_in_round(ymd(2026, 12, 1), &spouse(a), &spouse(b));
        (d.outcome.case, d.outcome.mandatory)
    }

    #[test]
    fn spo_1_couples_of_a_round_by_service_and_department() {
        // Same Central Service, different ministries: para 4(iii), mandatory (para 2).
        assert_eq!(
            case((Cadre::Css, "MHA"), (Cadre::Css, "MOF")),
            (Some(SpouseCase::Iii), true)
        );
        // CSS and CSSS in different ministries: para 4(iv), not mandatory.
        assert_eq!(
            case((Cadre::Css, "MHA"), (Cadre::Csss, "MOF")),
            (Some(SpouseCase::Iv), false)
        );
        // CSS and CSSS in one department: para 4(viii), mandatory.
        assert_eq!(
            case((Cadre::Css, "MHA"), (Cadre::Csss, "mha")),
            (Some(SpouseCase::Viii), true)
        );
    }
}
