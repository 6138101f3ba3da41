//! The profile document an employee keeps and a nodal officer validates.
//!
//! The personal sections are the employee's; `service` mirrors the service
//! record (dates, cadre, grade, pay, organisation) that only the nodal officer
//! or DoPT may correct (see [`super::rights`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Ten-digit Indian mobile number.
    #[validate(custom(function = "valid_mobile"))]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "9876543210", pattern = "^[6-9][0-9]{9}$")
    )]
    pub mobile: Option<String>,
    #[validate(email)]
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub official_email: Option<String>,
    #[validate(email)]
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub personal_email: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    #[validate(length(min = 3, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 200))]
    pub line: Option<String>,
    #[validate(length(min = 2, max = 80))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 80))]
    pub city: Option<String>,
    #[validate(length(min = 2, max = 60))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 60))]
    pub state: Option<String>,
    /// Six-digit PIN code.
    #[validate(custom(function = "valid_pin"))]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[1-9][0-9]{5}$"))]
    pub pin: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[validate(nested)]
    #[serde(default)]
    pub present: PostalAddress,
    #[validate(nested)]
    #[serde(default)]
    pub permanent: PostalAddress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    #[validate(length(min = 2, max = 120))]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "M.A. (Economics)", min_length = 2, max_length = 120)
    )]
    pub degree: String,
    #[validate(length(min = 2, max = 160))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 160))]
    pub institution: String,
    #[validate(range(min = 1950, max = 2100))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1950, maximum = 2100))]
    pub year: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Language {
    #[validate(length(min = 2, max = 40))]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Hindi", min_length = 2, max_length = 40)
    )]
    pub language: String,
    pub read: bool,
    pub write: bool,
    pub speak: bool,
}

/// The spouse, as the spouse-posting guidelines need it (SPO-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Spouse {
    #[validate(length(min = 2, max = 120))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 120))]
    pub name: String,
    /// Central government, state government, PSU, private, or not employed.
    #[validate(custom(function = "valid_employment"))]
    #[cfg_attr(feature = "openapi", schema(example = "central_government"))]
    pub employment: String,
    /// Their employee code, where they serve in a CSCMS cadre.
    #[validate(length(min = 3, max = 20))]
    pub employee_code: Option<String>,
    #[validate(length(min = 2, max = 160))]
    pub organisation: Option<String>,
    #[validate(length(min = 2, max = 80))]
    pub station: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Child {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    pub date_of_birth: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Family {
    #[validate(nested)]
    pub spouse: Option<Spouse>,
    #[validate(nested, length(max = 12))]
    #[serde(default)]
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StationPreference {
    #[validate(length(min = 2, max = 80))]
    #[cfg_attr(feature = "openapi", schema(example = "New Delhi"))]
    pub station: String,
    #[validate(length(min = 2, max = 60))]
    #[cfg_attr(feature = "openapi", schema(example = "Delhi"))]
    pub state: String,
}

/// The service record as the profile shows it; corrected only by the nodal
/// officer or DoPT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceRecord {
    pub date_of_birth: NaiveDate,
    pub joined_government_on: NaiveDate,
    pub joined_entry_grade_on: NaiveDate,
    pub joined_present_grade_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(example = "CSS"))]
    pub cadre: String,
    #[cfg_attr(feature = "openapi", schema(example = "SO"))]
    pub grade: String,
    #[cfg_attr(feature = "openapi", schema(example = "8"))]
    pub pay_level: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 40))]
    pub pay_cell: i32,
    #[cfg_attr(feature = "openapi", schema(example = "MHA"))]
    pub org_id: String,
}

/// The whole editable profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    #[validate(nested)]
    #[serde(default)]
    pub contact: Contact,
    #[validate(nested)]
    #[serde(default)]
    pub address: Address,
    #[validate(nested, length(max = 20))]
    #[serde(default)]
    pub education: Vec<Qualification>,
    #[validate(nested, length(max = 20))]
    #[serde(default)]
    pub languages: Vec<Language>,
    #[validate(nested)]
    #[serde(default)]
    pub family: Family,
    #[validate(nested, length(max = 10))]
    #[serde(default)]
    pub station_preferences: Vec<StationPreference>,
    pub service: ServiceRecord,
}

fn rule(code: &'static str, msg: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(msg.into())
}

fn valid_mobile(v: &str) -> Result<(), ValidationError> {
    let ok = v.len() == 10
        && v.bytes().all(|b| b.is_ascii_digit())
        && matches!(v.as_bytes()[0], b'6'..=b'9');
    ok.then_some(())
        .ok_or(rule("invalid", "a 10-digit mobile number starting 6-9"))
}

fn valid_pin(v: &str) -> Result<(), ValidationError> {
    let ok = v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0');
    ok.then_some(())
        .ok_or(rule("invalid", "a 6-digit PIN code"))
}

fn valid_employment(v: &str) -> Result<(), ValidationError> {
    const KINDS: [&str; 5] = [
        "central_government",
        "state_government",
        "psu",
        "private",
        "not_employed",
    ];
    KINDS.contains(&v).then_some(()).ok_or(rule(
        "invalid",
        "central_government, state_government, psu, private or not_employed",
    ))
}

impl ServiceRecord {
    /// Checks a corrected service record: a known cadre and one of its
    /// grades, a pay cell in range, and dates in the order a career runs.
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut bad = Vec::new();
        match self.cadre.parse::<crate::cadre::Cadre>() {
            Err(e) => bad.push(("service.cadre", e.to_string())),
            Ok(cadre) => {
                if crate::cadre::grade(cadre, &self.grade).is_err() {
                    bad.push(("service.grade", format!("not a grade of {cadre}")));
                }
            }
        }
        if !(1..=40).contains(&self.pay_cell) {
            bad.push(("service.pay_cell", "from 1 to 40".to_owned()));
        }
        if self.pay_level.trim().is_empty() || self.pay_level.len() > 4 {
            bad.push((
                "service.pay_level",
                "a pay matrix level such as 8 or 13A".to_owned(),
            ));
        }
        let order = [
            (
                "service.joined_government_on",
                self.date_of_birth,
                self.joined_government_on,
            ),
            (
                "service.joined_entry_grade_on",
                self.joined_government_on,
                self.joined_entry_grade_on,
            ),
            (
                "service.joined_present_grade_on",
                self.joined_entry_grade_on,
                self.joined_present_grade_on,
            ),
        ];
        for (field, earlier, later) in order {
            if later < earlier {
                bad.push((field, "earlier than the step before it".to_owned()));
            }
        }
        bad
    }
}

impl ProfileDoc {
    /// A new, empty profile around a service record.
    pub fn new(service: ServiceRecord) -> Self {
        Self {
            contact: Contact::default(),
            address: Address::default(),
            education: Vec::new(),
            languages: Vec::new(),
            family: Family::default(),
            station_preferences: Vec::new(),
            service,
        }
    }

    /// Fields that must be filled before the profile can be submitted (PRF-1).
    pub fn missing_for_submission(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.contact.mobile.is_none() {
            missing.push("contact.mobile");
        }
        if self.contact.official_email.is_none() {
            missing.push("contact.official_email");
        }
        let present = &self.address.present;
        for (value, path) in [
            (&present.line, "address.present.line"),
            (&present.city, "address.present.city"),
            (&present.state, "address.present.state"),
            (&present.pin, "address.present.pin"),
        ] {
            if value.is_none() {
                missing.push(path);
            }
        }
        let permanent = &self.address.permanent;
        for (value, path) in [
            (&permanent.line, "address.permanent.line"),
            (&permanent.state, "address.permanent.state"),
        ] {
            if value.is_none() {
                missing.push(path);
            }
        }
        if self.education.is_empty() {
            missing.push("education");
        }
        if self.languages.is_empty() {
            missing.push("languages");
        }
        missing
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn service() -> ServiceRecord {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        ServiceRecord {
            date_of_birth: d(1985, 4, 12),
            joined_government_on: d(2010, 7, 1),
            joined_entry_grade_on: d(2010, 7, 1),
            joined_present_grade_on: d(2018, 3, 15),
            cadre: "CSS".into(),
            grade: "SO".into(),
            pay_level: "8".into(),
            pay_cell: 3,
            org_id: "MHA".into(),
        }
    }

    #[test]
    fn an_empty_profile_lists_what_is_missing() {
        let doc = ProfileDoc::new(service());
        let missing = doc.missing_for_submission();
        assert!(missing.contains(&"contact.mobile"));
        assert!(missing.contains(&"education"));
        assert_eq!(missing.len(), 10);
    }

    #[test]
    fn service_corrections_are_checked() {
        assert!(service().check().is_empty());
        let mut s = service();
        s.grade = "JSA".into();
        s.pay_cell = 0;
        s.joined_present_grade_on = NaiveDate::from_ymd_opt(2005, 1, 1).unwrap();
        let fields: Vec<&str> = s.check().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "service.grade",
                "service.pay_cell",
                "service.joined_present_grade_on"
            ]
        );
    }

    #[test]
    fn formats_are_checked() {
        let mut doc = ProfileDoc::new(service());
        doc.contact.mobile = Some("12345".into());
        doc.contact.official_email = Some("not-an-email".into());
        doc.address.present.pin = Some("011001".into());
        let errs = doc.validate().unwrap_err();
        let text = format!("{errs}");
        for f in ["mobile", "official_email", "pin"] {
            assert!(text.contains(f), "{f}: {text}");
        }
    }
}
