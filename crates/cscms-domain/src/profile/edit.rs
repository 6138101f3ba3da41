//! A change to a profile's document (PRF-1, PRF-2, PRF-4) as one decision:
//! the merge patch laid over the document, the fields it changes, whether
//! the caller may change each, the service record's own checks, and the
//! status the change leaves the profile in (an employee's edit or an
//! officer's correction).

use serde_json::{Map, Value};

use super::rights::{changed_fields, may_change, FieldRefusal};
use super::status::{transition, ProfileAction, ProfileStatus, TransitionRefused};
use super::ProfileDoc;
use crate::principal::Role;

/// The document with a JSON merge patch (RFC 7396) laid over it: members
/// set or replaced, objects patched member by member, `null` removing one.
/// The caller reads the result back into a [`ProfileDoc`].
pub fn merge(doc: &ProfileDoc, patch: &Map<String, Value>) -> Result<Value, serde_json::Error> {
    let mut merged = serde_json::to_value(doc)?;
    merge_into(&mut merged, patch);
    Ok(merged)
}

fn merge_into(target: &mut Value, patch: &Map<String, Value>) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(members) = target {
        for (key, value) in patch {
            match value {
                Value::Null => {
                    members.remove(key);
                }
                Value::Object(inner) => {
                    merge_into(members.entry(key.clone()).or_insert(Value::Null), inner)
                }
                other => {
                    members.insert(key.clone(), other.clone());
                }
            }
        }
    }
}

/// A change the caller may make, as it is to be stored and audited.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The employee's edit of their own sections, or an officer's correction.
    pub action: ProfileAction,
    /// The status after the change: an employee's change to a validated
    /// profile reopens it (PRF-1); a correction leaves it as it was.
    pub status: ProfileStatus,
    /// The changed fields: personal sections whole, service fields one by one.
    pub changed: Vec<String>,
    /// The changed fields' values before and after, for the audit trail.
    pub before: Value,
    pub after: Value,
}

/// Why a change may not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditRefused {
    /// Fields this role may not change, each with why (PRF-1, PRF-4).
    #[error("{} field(s) not this role's to change", .0.len())]
    Fields(Vec<FieldRefusal>),
    /// The service record as changed is out of shape: field path, message.
    #[error("the service record is out of shape")]
    Service(Vec<(&'static str, String)>),
    /// The profile's status does not allow the change now.
    #[error(transparent)]
    Status(TransitionRefused),
    /// A document that cannot be read as JSON: a fault, not the caller's.
    #[error("profile document: {0}")]
    Document(String),
}

/// `role` changing a profile in `status` from `before` to `after` on
/// `today`: `None`
/// when nothing changes; otherwise the change to store, or why not. The
/// checks run in this order: the rights on every changed field, the
/// service record's own shape (only where it changed), then the status.
pub fn edit(
    role: Role,
    status: ProfileStatus,
    before: &ProfileDoc,
    after: &ProfileDoc,
    today: chrono::NaiveDate,
) -> Result<Option<Edit>, EditRefused> {
    let json =
        |d: &ProfileDoc| serde_json::to_value(d).map_err(|e| EditRefused::Document(e.to_string()));
    let (old, new) = (json(before)?, json(after)?);
    let changed = changed_fields(&old, &new);
    if changed.is_empty() {
        return Ok(None);
    }
    let refused: Vec<FieldRefusal> = changed
        .iter()
        .filter_map(|f| may_change(role, f).err())
        .collect();
    if !refused.is_empty() {
        return Err(EditRefused::Fields(refused));
    }
    if changed.iter().any(|f| f.starts_with("service.")) {
        let bad = after.service.check(today);
        if !bad.is_empty() {
            return Err(EditRefused::Service(bad));
        }
    }
    // A declaration is the employee's: an officer corrects the record
    // itself, and may clear a declaration, but not make one (it would wait
    // on a validated profile for a validation that never comes).
    if changed.iter().any(|f| f == super::rights::DECLARED) {
        if role != Role::Employee && after.service_declared.is_some() {
            return Err(EditRefused::Fields(vec![FieldRefusal {
                field: super::rights::DECLARED.to_owned(),
                reason: "the employee declares service details; an officer corrects the record or clears the declaration",
            }]));
        }
        // A declaration must make a record that holds together, as a
        // correction must (seed 000 §2, PRF-2).
        if let Some(declared) = &after.service_declared {
            let bad = declared.check(&after.service, today);
            if !bad.is_empty() {
                return Err(EditRefused::Service(bad));
            }
        }
    }
    let action = ProfileAction::edit_by(role);
    let status = transition(status, action, role).map_err(EditRefused::Status)?;
    Ok(Some(Edit {
        action,
        status,
        before: pick(&old, &changed),
        after: pick(&new, &changed),
        changed,
    }))
}

/// Only the named fields of a document (`section` or `section.field`).
fn pick(doc: &Value, fields: &[String]) -> Value {
    let mut out = Map::new();
    for f in fields {
        let v = match f.split_once('.') {
            Some((a, b)) => doc.get(a).and_then(|x| x.get(b)),
            None => doc.get(f.as_str()),
        };
        out.insert(f.clone(), v.cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TODAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2026, 12, 1) {
        Some(d) => d,
        None => unreachable!(),
    };
    use crate::profile::document::tests::service;

    fn sample() -> ProfileDoc {
        let mut doc = ProfileDoc::new(service());
        doc.contact.mobile = Some("9876543210".into());
        doc.contact.official_email = Some("so.mha@gov.in".into());
        doc.contact.personal_email = Some("so@example.org".into());
        doc
    }

    fn patched(doc: &ProfileDoc, patch: Value) -> ProfileDoc {
        let Value::Object(p) = patch else {
            unreachable!("a patch is an object")
        };
        serde_json::from_value(merge(doc, &p).unwrap()).unwrap()
    }

    #[test]
    fn merge_follows_rfc_7396() {
        let doc = sample();
        let merged = merge(
            &doc,
            json!({"contact": {"mobile": "9123456789", "personal_email": null}})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(merged["contact"]["mobile"], "9123456789");
        assert!(merged["contact"].get("personal_email").is_none());
        // Members not named are kept as they were.
        assert_eq!(
            merged["contact"]["official_email"],
            json!(doc.contact.official_email)
        );
        assert_eq!(
            merged["service"],
            serde_json::to_value(&doc.service).unwrap()
        );
        // A non-object replaces the member whole.
        let merged = merge(&doc, json!({"languages": []}).as_object().unwrap()).unwrap();
        assert_eq!(merged["languages"], json!([]));
    }

    #[test]
    fn prf_1_an_employee_edits_their_own_sections_and_reopens_a_validated_profile() {
        let doc = sample();
        let after = patched(&doc, json!({"contact": {"mobile": "9123456789"}}));
        let e = edit(
            Role::Employee,
            ProfileStatus::Validated,
            &doc,
            &after,
            TODAY,
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.action, ProfileAction::EmployeeEdit);
        assert_eq!(e.status, ProfileStatus::Draft);
        assert_eq!(e.changed, vec!["contact"]);
        assert_eq!(e.after["contact"]["mobile"], "9123456789");
        assert_eq!(e.before["contact"]["mobile"], json!(doc.contact.mobile));
        // Nothing changed: nothing to store.
        assert_eq!(
            edit(
                Role::Employee,
                ProfileStatus::Draft,
                &doc,
                &doc.clone(),
                TODAY
            ),
            Ok(None)
        );
        // Locked while under validation.
        let locked = edit(
            Role::Employee,
            ProfileStatus::Submitted,
            &doc,
            &after,
            TODAY,
        )
        .unwrap_err();
        assert!(matches!(locked, EditRefused::Status(r) if r.current == "submitted"));
    }

    #[test]
    fn prf_4_the_service_record_is_the_officers_to_correct() {
        let doc = sample();
        let mut after = doc.clone();
        after.service.pay_cell += 1;
        let EditRefused::Fields(refused) =
            edit(Role::Employee, ProfileStatus::Draft, &doc, &after, TODAY).unwrap_err()
        else {
            unreachable!("an employee may not change the service record")
        };
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].field, "service.pay_cell");
        // The nodal officer corrects it; the status stays.
        let e = edit(
            Role::NodalOfficer,
            ProfileStatus::Submitted,
            &doc,
            &after,
            TODAY,
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.action, ProfileAction::Correct);
        assert_eq!(e.status, ProfileStatus::Submitted);
        assert_eq!(e.changed, vec!["service.pay_cell"]);
        // The cadre is DoPT's, and a grade must be one of the cadre's.
        let mut regraded = doc.clone();
        regraded.service.grade = "no such grade".into();
        assert!(matches!(
            edit(Role::NodalOfficer, ProfileStatus::Draft, &doc, &regraded, TODAY),
            Err(EditRefused::Service(bad)) if bad[0].0 == "service.grade"
        ));
        let mut moved = doc.clone();
        moved.service.cadre = "CSSS".into();
        assert!(matches!(
            edit(
                Role::NodalOfficer,
                ProfileStatus::Draft,
                &doc,
                &moved,
                TODAY
            ),
            Err(EditRefused::Fields(_))
        ));
    }

    /// Seed 000 §2: the employee updates their service details as a
    /// declaration, checked as a correction is, which takes the record's
    /// place only when the profile is validated (PRF-2).
    #[test]
    fn an_employee_declares_service_details_for_the_nodal_officer() {
        let doc = sample();
        let declare = |d: Value| patched(&doc, json!({ "service_declared": d })).tidied();
        // A grade whose level the record's pay is below: the pay is to be declared too.
        let promoted = declare(json!({"grade": "US", "joined_present_grade_on": "2024-01-01"}));
        let Err(EditRefused::Service(bad)) = edit(
            Role::Employee,
            ProfileStatus::Validated,
            &doc,
            &promoted,
            TODAY,
        ) else {
            unreachable!("level 8 is below an Under Secretary's")
        };
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].0, "service_declared.pay_level");
        // A date after today is refused at its declared field.
        let early = declare(json!({"joined_present_grade_on": "2027-01-01"}));
        assert!(matches!(
            edit(Role::Employee, ProfileStatus::Draft, &doc, &early, TODAY),
            Err(EditRefused::Service(bad)) if bad[0].0 == "service_declared.joined_present_grade_on"
        ));
        // Declared whole, it is the employee's edit: a validated profile reopens.
        let promoted = declare(
            json!({"grade": "US", "joined_present_grade_on": "2024-01-01",
                                      "pay_level": "11", "pay_cell": 1}),
        );
        let e = edit(
            Role::Employee,
            ProfileStatus::Validated,
            &doc,
            &promoted,
            TODAY,
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.changed, vec!["service_declared"]);
        assert_eq!(e.action, ProfileAction::EmployeeEdit);
        assert_eq!(e.status, ProfileStatus::Draft);
        // The record stands until validation; then the declaration takes its place.
        assert_eq!(promoted.service, doc.service);
        let validated = promoted.clone().with_declaration_taken();
        assert_eq!(validated.service_declared, None);
        assert_eq!(
            (
                validated.service.grade.as_str(),
                validated.service.pay_level.as_str(),
                validated.service.pay_cell
            ),
            ("US", "11", 1)
        );
        assert_eq!(
            validated.service.joined_present_grade_on.to_string(),
            "2024-01-01"
        );
        assert_eq!(validated.service.org_id, doc.service.org_id);
        // The cadre and the organisation cannot be declared; nothing declared is none.
        let Value::Object(p) = json!({"service_declared": {"org_id": "MOF"}}) else {
            unreachable!()
        };
        assert!(serde_json::from_value::<ProfileDoc>(merge(&doc, &p).unwrap()).is_err());
        assert_eq!(declare(json!({})).service_declared, None);
        assert_eq!(doc.clone().with_declaration_taken(), doc);
        // An officer clears a declaration but does not make one.
        assert!(matches!(
            edit(Role::NodalOfficer, ProfileStatus::Validated, &doc, &promoted, TODAY),
            Err(EditRefused::Fields(f)) if f[0].field == "service_declared"
        ));
        let cleared = edit(
            Role::NodalOfficer,
            ProfileStatus::Submitted,
            &promoted,
            &doc,
            TODAY,
        )
        .unwrap()
        .unwrap();
        assert_eq!(cleared.changed, vec!["service_declared"]);
        // A record already out of shape does not let a declared value with
        // the same fault through: what is declared is checked whole.
        let mut faulty = doc.clone();
        faulty.service.pay_cell = 99;
        let same_fault: ProfileDoc = {
            let mut d = faulty.clone();
            d.service_declared = Some(crate::profile::DeclaredService {
                pay_cell: Some(77),
                ..Default::default()
            });
            d
        };
        assert!(matches!(
            edit(Role::Employee, ProfileStatus::Draft, &faulty, &same_fault, TODAY),
            Err(EditRefused::Service(bad)) if bad[0].0 == "service_declared.pay_cell"
        ));
        // ... while a fault in a field it leaves alone is not the declaration's.
        let mut other = faulty.clone();
        other.service_declared = Some(crate::profile::DeclaredService {
            joined_present_grade_on: Some(doc.service.joined_present_grade_on),
            ..Default::default()
        });
        assert!(edit(Role::Employee, ProfileStatus::Draft, &faulty, &other, TODAY).is_ok());
    }
}
