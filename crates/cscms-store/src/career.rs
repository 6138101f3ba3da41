//! A stored employee and service history as the MACP engine reads them
//! (MACP-2, MACP-5, MACP-6): the one place where rows become
//! `cscms_domain::pay` events.

use cscms_domain::cadre::{self, Cadre};
use cscms_domain::pay::{CareerEvent, Level, MacpInput, PayRef};

use crate::employees::{EmployeeRow, ServiceEventRow};

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

/// The MACP engine's input for a stored employee. The first appointment is
/// the entry grade; events the engine cannot place (a promotion with no
/// recorded level, a postponement without its days) are left out.
pub fn macp_input(e: &EmployeeRow, history: &[ServiceEventRow]) -> Option<MacpInput> {
    let cadre = Some(e.cadre);
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
            "promotion" => to().map(|to| CareerEvent::Promotion { on, to }),
            "nfs" => to().map(|to| CareerEvent::Nfs { on, to }),
            "acp" => Some(CareerEvent::Acp { on, to: to() }),
            "macp" => Some(CareerEvent::Macp { on, to: to() }),
            "deputation" => to().map(|to| CareerEvent::Deputation { on, to }),
            "absorption" => Some(CareerEvent::Absorption { on }),
            "repatriation" => Some(CareerEvent::Repatriation { on }),
            // MACP-6: the days the upgrade falling due was postponed by.
            "postponement" => ev
                .postponement_days
                .and_then(|d| u32::try_from(d).ok())
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
        postponement_days: Option<i32>,
    ) -> ServiceEventRow {
        ServiceEventRow {
            id: 0,
            employee_code: "CSS-000001".parse().unwrap(),
            kind: kind.parse().unwrap(),
            effective_on: on,
            from_grade: None,
            to_grade: Some(grade.into()),
            from_level: None,
            to_level: level.map(str::to_owned),
            from_grade_pay: None,
            to_grade_pay: None,
            order_ref: "x".into(),
            remarks: Some("90".into()),
            postponement_days,
        }
    }

    #[test]
    fn history_maps_to_engine_events() {
        let now = Utc::now().naive_utc();
        let e = EmployeeRow {
            code: "CSS-000001".parse().unwrap(),
            name: "A".into(),
            cadre: "CSS".parse().unwrap(),
            grade: "SO".into(),
            service_group: "B".into(),
            pay_level: "8".into(),
            pay_cell: 1,
            date_of_birth: d(1980, 1, 1),
            joined_government_on: d(2005, 1, 1),
            joined_entry_grade_on: d(2005, 1, 1),
            joined_present_grade_on: d(2012, 1, 1),
            org_id: "MHA".parse().unwrap(),
            station: "New Delhi".into(),
            station_state: "Delhi".into(),
            gender: "male".parse().unwrap(),
            category: "UR".parse().unwrap(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let history = [
            ev("appointment", d(2005, 1, 1), "ASO", None, None),
            ev("promotion", d(2012, 1, 1), "SO", Some("8"), None),
            ev("postponement", d(2015, 1, 1), "SO", None, Some(90)),
            // The days are the column's, never read out of the remarks.
            ev("postponement", d(2016, 1, 1), "SO", None, None),
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
