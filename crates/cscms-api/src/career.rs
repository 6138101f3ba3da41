//! Turns a stored employee into the inputs of the deputation pay
//! comparison (MACP-9, DEP-2) and of rotation (ROT-2). The MACP engine's
//! input is the store's (`cscms_store::career::macp_input`).

use cscms_domain::pay::{DeputationFacts, Level, PayError};
use cscms_domain::{cadre, place};
use cscms_store::employees::{EmployeeRow, ServiceEventRow};

/// Where a deputation post is: its place and state, as advertised.
pub struct PostPlace<'a> {
    pub place: &'a str,
    pub state: &'a str,
}

/// The MACP-9 facts of a stored employee for a post at `post`: the level of
/// the substantive grade (DEP-2), the cell drawn, and whether the post is in
/// the station the employee serves in (same place name and state).
pub fn deputation_facts(
    e: &EmployeeRow,
    post: &PostPlace<'_>,
) -> Result<DeputationFacts, PayError> {
    let grade = cadre::grade(e.cadre, &e.grade)?;
    Ok(DeputationFacts {
        substantive_level: Level::parse(&grade.level_7cpc)?,
        drawn: Level::parse(&e.pay_level)?.cell(u32::try_from(e.pay_cell).unwrap_or(0))?,
        same_station: place::same_station((&e.station, &e.station_state), (post.place, post.state)),
    })
}

/// ROT-2's input for a stored employee as of the date a round's process
/// starts: tenure in the present ministry from the service history, and
/// whether DoPT's records (`promotion`: the dates they were made) say
/// promotion is likely within a year on that date.
pub fn rotation_input(
    e: &EmployeeRow,
    history: &[ServiceEventRow],
    promotion: &[chrono::NaiveDate],
    as_of: chrono::NaiveDate,
) -> Option<cscms_domain::rotation::RotationInput> {
    let cadre = e.cadre;
    let events: Vec<_> = history.iter().map(|h| (h.kind, h.effective_on)).collect();
    Some(cscms_domain::rotation::RotationInput {
        cadre,
        grade: e.grade.clone(),
        in_ministry_since: cscms_domain::rotation::in_ministry_since(
            &events,
            e.joined_government_on,
            as_of,
        ),
        date_of_birth: e.date_of_birth,
        promotion_likely: cscms_domain::rotation::promotion_likely_on(promotion, as_of),
        on_deputation_since: cscms_domain::rotation::on_deputation_since(&events, as_of),
    })
}
