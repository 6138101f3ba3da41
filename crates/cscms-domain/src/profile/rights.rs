//! Who may change which field of a profile (PRF-1, PRF-2, PRF-4).
//!
//! The employee keeps the personal sections and declares changes to the
//! service record (`service_declared`, seed 000 §2), which take effect when
//! the nodal officer validates the profile. The service record itself is
//! the nodal officer's to correct (dates, grade, pay); the cadre and the
//! organisation change only by DoPT's order (a transfer or a cadre change).

use serde_json::Value;

use crate::principal::Role;

/// Sections the employee owns (whole sections: a change anywhere inside counts).
pub const PERSONAL: [&str; 6] = [
    "contact",
    "address",
    "education",
    "languages",
    "family",
    "station_preferences",
];

/// The employee's declared service details, a section whole: the employee,
/// the nodal officer and DoPT may change it.
pub const DECLARED: &str = "service_declared";

/// Service fields a nodal officer may correct.
pub const NODAL_SERVICE: [&str; 7] = [
    "service.date_of_birth",
    "service.joined_government_on",
    "service.joined_entry_grade_on",
    "service.joined_present_grade_on",
    "service.grade",
    "service.pay_level",
    "service.pay_cell",
];

/// Service fields only DoPT changes.
pub const DOPT_SERVICE: [&str; 2] = ["service.cadre", "service.org_id"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRefusal {
    pub field: String,
    pub reason: &'static str,
}

/// Whether `role` may change `field` (a path from [`changed_fields`]).
/// Scope (whose profile it is) is decided before this, by the scope rule.
pub fn may_change(role: Role, field: &str) -> Result<(), FieldRefusal> {
    let personal = PERSONAL.contains(&field) || field == DECLARED;
    let nodal = NODAL_SERVICE.contains(&field);
    let allowed = match role {
        Role::Employee => personal,
        Role::NodalOfficer => personal || nodal,
        Role::Dopt => personal || nodal || DOPT_SERVICE.contains(&field),
        Role::Avd | Role::SubNodalOfficer | Role::Integration => false,
    };
    if allowed {
        return Ok(());
    }
    let reason = if nodal {
        "only the nodal officer or DoPT corrects the service record; declare the change in service_declared for the nodal officer to validate"
    } else if DOPT_SERVICE.contains(&field) {
        "the cadre and the organisation change only by DoPT's order"
    } else {
        "this role does not edit profiles"
    };
    Err(FieldRefusal {
        field: field.to_owned(),
        reason,
    })
}

/// The fields that differ between two profile documents: personal sections
/// whole, service fields one by one.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (bv, av) = (b.get(key), a.get(key));
        if bv == av {
            continue;
        }
        if key == "service" {
            let bs = bv.and_then(Value::as_object).unwrap_or(&empty);
            let as_ = av.and_then(Value::as_object).unwrap_or(&empty);
            let mut sub: Vec<&String> = bs.keys().chain(as_.keys()).collect();
            sub.sort();
            sub.dedup();
            for s in sub {
                if bs.get(s) != as_.get(s) {
                    out.push(format!("service.{s}"));
                }
            }
        } else {
            out.push(key.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn employees_keep_personal_sections_only() {
        assert!(may_change(Role::Employee, "contact").is_ok());
        assert!(may_change(Role::Employee, "service_declared").is_ok());
        assert!(may_change(Role::NodalOfficer, "service_declared").is_ok());
        assert!(may_change(Role::Avd, "service_declared").is_err());
        let refused = may_change(Role::Employee, "service.date_of_birth").unwrap_err();
        assert_eq!(refused.field, "service.date_of_birth");
        assert!(may_change(Role::NodalOfficer, "service.grade").is_ok());
        assert!(may_change(Role::NodalOfficer, "service.org_id").is_err());
        assert!(may_change(Role::Dopt, "service.org_id").is_ok());
        assert!(may_change(Role::Avd, "contact").is_err());
    }

    #[test]
    fn changes_are_found_per_section_and_service_field() {
        let before = json!({"contact": {"mobile": "9"}, "service": {"grade": "SO", "pay_cell": 3}});
        let after = json!({"contact": {"mobile": "8"}, "service": {"grade": "SO", "pay_cell": 4}, "languages": []});
        assert_eq!(
            changed_fields(&before, &after),
            ["contact", "languages", "service.pay_cell"]
        );
        assert!(changed_fields(&before, &before).is_empty());
    }
}
