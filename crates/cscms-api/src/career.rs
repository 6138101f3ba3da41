//! Turns a stored employee and service history into the inputs of the pay
//! engines (MACP-2, MACP-5, MACP-6, NFS-1): the one adapter between store
//! rows and `cscms_domain::pay`.

use cscms_domain::cadre::{self, Cadre};
use cscms_domain::pay::{CareerEvent, DeputationFacts, Level, MacpInput, PayError, PayRef};
use cscms_store::employees::{EmployeeRow, ServiceEventRow};

/// The pay position an event (or a grade) names: the level recorded, else
/// the level of the grade in the cadre structure.
fn pay_ref(cadre: Option<Cadre>, level: Option<&str>, grade: Option<&str>) -> Option<PayRef> {
    let from_grade = || {
        let g = cadre::grade(cadre?, grade?).ok()?;
        Level::parse(&g.level_7cpc).ok()
    };
    level
        .and_then(|l| Level::parse(l).ok())
        .or_else(from_grade)
        .map(PayRef::level)
}

/// The MACP engine's input for a stored employee. Events the engine cannot
/// place (a promotion with no recorded level) are left out; a postponement
/// carries its days in `remarks` as a number.
pub fn macp_input(e: &EmployeeRow, history: &[ServiceEventRow]) -> Option<MacpInput> {
    let cadre = e.cadre.parse::<Cadre>().ok();
    let mut events = Vec::new();
    let mut entry = None;
    for ev in history {
        let to = || pay_ref(cadre, ev.to_level.as_deref(), ev.to_grade.as_deref());
        let on = ev.effective_on;
        let mapped = match ev.kind.as_str() {
            "appointment" if entry.is_none() => {
                entry = to();
                None
            }
            "appointment" => to().map(|to| CareerEvent::Appointment { on, to }),
            "promotion" | "nfs" => to().map(|to| CareerEvent::Promotion { on, to }),
            "acp" => Some(CareerEvent::Acp { on, to: to() }),
            "macp" => Some(CareerEvent::Macp { on, to: to() }),
            "deputation" => to().map(|to| CareerEvent::Deputation { on, to }),
            "absorption" => Some(CareerEvent::Absorption { on }),
            "repatriation" => Some(CareerEvent::Repatriation { on }),
            "postponement" => ev
                .remarks
                .as_deref()
                .and_then(|r| r.trim().parse::<u32>().ok())
                .map(|days| CareerEvent::Postponement {
                    on,
                    days: Some(days),
                    until: None,
                }),
            _ => None,
        };
        events.extend(mapped);
    }
    let entry = entry.or_else(|| {
        // No appointment recorded: the entry grade of the cadre.
        let first = cadre.and_then(|c| cadre::grades_of(c).next())?;
        pay_ref(cadre, None, Some(&first.code))
    })?;
    Some(MacpInput {
        joined_entry_grade_on: e.joined_entry_grade_on,
        entry,
        // No cadre CSCMS serves is an Organised Group 'A' service (MACP-4).
        organised_group_a: false,
        events,
        apars: Vec::new(),
    })
}

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
    let grade = cadre::grade(e.cadre.parse::<Cadre>()?, &e.grade)?;
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    Ok(DeputationFacts {
        substantive_level: Level::parse(&grade.level_7cpc)?,
        drawn: Level::parse(&e.pay_level)?.cell(u32::try_from(e.pay_cell).unwrap_or(0))?,
        same_station: same(&e.station, post.place) && same(&e.station_state, post.state),
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
    let cadre = e.cadre.parse::<Cadre>().ok()?;
    let events: Vec<_> = history
        .iter()
        .filter_map(|h| Some((h.kind.parse().ok()?, h.effective_on)))
        .collect();
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ev(
        kind: &str,
        on: NaiveDate,
        grade: &str,
        level: Option<&str>,
        remarks: Option<&str>,
    ) -> ServiceEventRow {
        ServiceEventRow {
            id: 0,
            employee_code: "CSS-000001".into(),
            kind: kind.into(),
            effective_on: on,
            from_grade: None,
            to_grade: Some(grade.into()),
            from_level: None,
            to_level: level.map(str::to_owned),
            from_grade_pay: None,
            to_grade_pay: None,
            order_ref: "x".into(),
            remarks: remarks.map(str::to_owned),
        }
    }

    #[test]
    fn history_maps_to_engine_events() {
        let now = Utc::now().naive_utc();
        let e = EmployeeRow {
            code: "CSS-000001".into(),
            name: "A".into(),
            cadre: "CSS".into(),
            grade: "SO".into(),
            service_group: "B".into(),
            pay_level: "8".into(),
            pay_cell: 1,
            date_of_birth: d(1980, 1, 1),
            joined_government_on: d(2005, 1, 1),
            joined_entry_grade_on: d(2005, 1, 1),
            joined_present_grade_on: d(2012, 1, 1),
            org_id: "MHA".into(),
            station: "New Delhi".into(),
            station_state: "Delhi".into(),
            gender: "male".into(),
            category: "UR".into(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let history = [
            ev("appointment", d(2005, 1, 1), "ASO", None, None),
            ev("promotion", d(2012, 1, 1), "SO", Some("8"), None),
            ev("postponement", d(2015, 1, 1), "SO", None, Some("90")),
        ];
        let input = macp_input(&e, &history).unwrap();
        assert_eq!(input.entry, PayRef::level(Level::parse("7").unwrap()));
        assert_eq!(input.events.len(), 2);
        assert!(matches!(
            input.events[1],
            CareerEvent::Postponement { days: Some(90), .. }
        ));
    }
}
