//! The profile document an employee keeps and a nodal officer validates.
//!
//! The personal sections are the employee's; `service` mirrors the service
//! record (dates, cadre, grade, pay, organisation) that only the nodal officer
//! or DoPT may correct (see [`super::rights`]).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::fields::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Ten-digit Indian mobile number.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "9876543210", pattern = "^[6-9][0-9]{9}$")
    )]
    pub mobile: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub official_email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub personal_email: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 200))]
    pub line: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 80))]
    pub city: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 60))]
    pub state: Option<String>,
    /// Six-digit PIN code.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[1-9][0-9]{5}$"))]
    pub pin: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub present: PostalAddress,
    #[serde(default)]
    pub permanent: PostalAddress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "M.A. (Economics)", min_length = 2, max_length = 120)
    )]
    pub degree: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 160))]
    pub institution: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1950, maximum = 2100))]
    pub year: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Language {
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Spouse {
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 120))]
    pub name: String,
    /// Central government, state government, PSU, private, or not employed.
    #[cfg_attr(feature = "openapi", schema(example = "central_government"))]
    pub employment: String,
    /// Their employee code, where they serve in a CSCMS cadre.
    pub employee_code: Option<String>,
    pub organisation: Option<String>,
    pub station: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Child {
    pub name: String,
    pub date_of_birth: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub spouse: Option<Spouse>,
    #[serde(default)]
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StationPreference {
    #[cfg_attr(feature = "openapi", schema(example = "New Delhi"))]
    pub station: String,
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

/// Service details as the employee declares them (the CSCMS OM of 15.11.2022, para 2: the employee
/// updates "individual-specific, personal and service related details"),
/// awaiting the nodal officer: each field given takes the record's place
/// when the profile is validated (PRF-2), never before, so every rule
/// engine reads the record as validated. The cadre and the organisation are
/// not declared: they change by DoPT's order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredService {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_government_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_entry_grade_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_present_grade_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "SO"))]
    pub grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "8"))]
    pub pay_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 40))]
    pub pay_cell: Option<i32>,
}

impl DeclaredService {
    /// Nothing declared.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `record` with the declared fields in place of its own.
    pub fn over(&self, record: &ServiceRecord) -> ServiceRecord {
        ServiceRecord {
            date_of_birth: self.date_of_birth.unwrap_or(record.date_of_birth),
            joined_government_on: self
                .joined_government_on
                .unwrap_or(record.joined_government_on),
            joined_entry_grade_on: self
                .joined_entry_grade_on
                .unwrap_or(record.joined_entry_grade_on),
            joined_present_grade_on: self
                .joined_present_grade_on
                .unwrap_or(record.joined_present_grade_on),
            cadre: record.cadre.clone(),
            grade: self.grade.clone().unwrap_or_else(|| record.grade.clone()),
            pay_level: self
                .pay_level
                .clone()
                .unwrap_or_else(|| record.pay_level.clone()),
            pay_cell: self.pay_cell.unwrap_or(record.pay_cell),
            org_id: record.org_id.clone(),
        }
    }

    /// What is wrong with the record the declaration would make
    /// ([`ServiceRecord::check`]), each named by its `service_declared`
    /// path: a declared value out of shape, a declared grade whose level the
    /// record's pay is below, dates out of order, a date after today. A
    /// fault the record already has in a field the declaration leaves alone
    /// is the officers' to correct, not the declaration's.
    pub fn check(&self, record: &ServiceRecord, today: NaiveDate) -> Vec<(&'static str, String)> {
        let already = record.check(today);
        self.over(record)
            .check(today)
            .into_iter()
            .filter(|found| self.declares(found.0) || !already.contains(found))
            .map(|(field, message)| (declared_path(field), message))
            .collect()
    }

    /// Whether the declaration gives the service record's `field`.
    fn declares(&self, field: &str) -> bool {
        match field {
            "service.date_of_birth" => self.date_of_birth.is_some(),
            "service.joined_government_on" => self.joined_government_on.is_some(),
            "service.joined_entry_grade_on" => self.joined_entry_grade_on.is_some(),
            "service.joined_present_grade_on" => self.joined_present_grade_on.is_some(),
            "service.grade" => self.grade.is_some(),
            "service.pay_level" => self.pay_level.is_some(),
            "service.pay_cell" => self.pay_cell.is_some(),
            _ => false,
        }
    }
}

/// A service record field's path as the declaration names it.
fn declared_path(field: &'static str) -> &'static str {
    match field {
        "service.date_of_birth" => "service_declared.date_of_birth",
        "service.joined_government_on" => "service_declared.joined_government_on",
        "service.joined_entry_grade_on" => "service_declared.joined_entry_grade_on",
        "service.joined_present_grade_on" => "service_declared.joined_present_grade_on",
        "service.grade" => "service_declared.grade",
        "service.pay_level" => "service_declared.pay_level",
        "service.pay_cell" => "service_declared.pay_cell",
        other => other,
    }
}

/// The whole editable profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub address: Address,
    #[serde(default)]
    pub education: Vec<Qualification>,
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub family: Family,
    #[serde(default)]
    pub station_preferences: Vec<StationPreference>,
    pub service: ServiceRecord,
    /// The employee's declared service details awaiting validation; absent
    /// when none are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_declared: Option<DeclaredService>,
}

/// Characters a text field may hold, counted as characters (not bytes).
fn length(bad: &mut FieldErrors, path: &str, value: &str, min: usize, max: usize) {
    let n = value.chars().count();
    if n < min || n > max {
        bad.push_rule(path, "length", format!("from {min} to {max} characters"));
    }
}

fn optional_length(bad: &mut FieldErrors, path: &str, value: Option<&str>, min: usize, max: usize) {
    if let Some(v) = value {
        length(bad, path, v, min, max);
    }
}

/// How many entries a list may hold.
fn at_most<T>(bad: &mut FieldErrors, path: &str, list: &[T], max: usize) {
    if list.len() > max {
        bad.push_rule(path, "length", format!("at most {max} entries"));
    }
}

fn valid_mobile(v: &str) -> bool {
    v.len() == 10 && v.bytes().all(|b| b.is_ascii_digit()) && matches!(v.as_bytes()[0], b'6'..=b'9')
}

fn valid_pin(v: &str) -> bool {
    v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0')
}

/// An address of the HTML form's `email` kind: a local part of the
/// characters RFC 5322 allows unquoted, `@`, and a host name of labels of
/// letters, digits and inner hyphens.
fn valid_email(v: &str) -> bool {
    const LOCAL_EXTRA: &str = ".!#$%&'*+/=?^_`{|}~-";
    let Some((local, host)) = v.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_EXTRA.contains(c));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    local_ok && !host.is_empty() && host.chars().count() <= 255 && host.split('.').all(label_ok)
}

const EMPLOYMENT: [&str; 5] = [
    "central_government",
    "state_government",
    "psu",
    "private",
    "not_employed",
];

impl Contact {
    fn check(&self, bad: &mut FieldErrors) {
        if self.mobile.as_deref().is_some_and(|m| !valid_mobile(m)) {
            bad.push("contact.mobile", "a 10-digit mobile number starting 6-9");
        }
        for (path, value) in [
            ("contact.official_email", &self.official_email),
            ("contact.personal_email", &self.personal_email),
        ] {
            if value.as_deref().is_some_and(|v| !valid_email(v)) {
                bad.push_rule(path, "email", "an e-mail address");
            }
        }
    }
}

impl PostalAddress {
    fn check(&self, at: &str, bad: &mut FieldErrors) {
        optional_length(bad, &format!("{at}.line"), self.line.as_deref(), 3, 200);
        optional_length(bad, &format!("{at}.city"), self.city.as_deref(), 2, 80);
        optional_length(bad, &format!("{at}.state"), self.state.as_deref(), 2, 60);
        if self.pin.as_deref().is_some_and(|p| !valid_pin(p)) {
            bad.push(format!("{at}.pin"), "a 6-digit PIN code");
        }
    }
}

impl Spouse {
    fn check(&self, bad: &mut FieldErrors) {
        let at = "family.spouse";
        length(bad, &format!("{at}.name"), &self.name, 2, 120);
        if !EMPLOYMENT.contains(&self.employment.as_str()) {
            bad.push(
                format!("{at}.employment"),
                "central_government, state_government, psu, private or not_employed",
            );
        }
        optional_length(
            bad,
            &format!("{at}.employee_code"),
            self.employee_code.as_deref(),
            3,
            20,
        );
        optional_length(
            bad,
            &format!("{at}.organisation"),
            self.organisation.as_deref(),
            2,
            160,
        );
        optional_length(
            bad,
            &format!("{at}.station"),
            self.station.as_deref(),
            2,
            80,
        );
    }
}

impl ProfileDoc {
    /// The form rules of every section the employee fills in: lengths,
    /// formats and list sizes, dates not after `today`, with every bad field
    /// named by its path. The
    /// service record has its own check ([`ServiceRecord::check`]).
    pub fn check(&self, today: NaiveDate) -> FieldErrors {
        let mut bad = FieldErrors::new();
        self.contact.check(&mut bad);
        self.address.present.check("address.present", &mut bad);
        self.address.permanent.check("address.permanent", &mut bad);
        at_most(&mut bad, "education", &self.education, 20);
        for (i, q) in self.education.iter().enumerate() {
            length(
                &mut bad,
                &format!("education[{i}].degree"),
                &q.degree,
                2,
                120,
            );
            length(
                &mut bad,
                &format!("education[{i}].institution"),
                &q.institution,
                2,
                160,
            );
            // Passed after the employee was born and not after this year.
            let born = self.service.date_of_birth.year();
            let (first, last) = (born.max(1950), today.year().min(2100));
            if !(first..=last).contains(&i32::from(q.year)) {
                bad.push_rule(
                    format!("education[{i}].year"),
                    "range",
                    format!("from {first} to {last}"),
                );
            }
        }
        at_most(&mut bad, "languages", &self.languages, 20);
        for (i, l) in self.languages.iter().enumerate() {
            length(
                &mut bad,
                &format!("languages[{i}].language"),
                &l.language,
                2,
                40,
            );
        }
        if let Some(spouse) = &self.family.spouse {
            spouse.check(&mut bad);
        }
        at_most(&mut bad, "family.children", &self.family.children, 12);
        for (i, c) in self.family.children.iter().enumerate() {
            length(
                &mut bad,
                &format!("family.children[{i}].name"),
                &c.name,
                1,
                120,
            );
            if c.date_of_birth > today {
                bad.push_rule(
                    format!("family.children[{i}].date_of_birth"),
                    "range",
                    format!("not after today ({})", crate::fields::dmy(today)),
                );
            } else if c.date_of_birth <= self.service.date_of_birth {
                bad.push_rule(
                    format!("family.children[{i}].date_of_birth"),
                    "range",
                    format!(
                        "after the employee's own birth ({})",
                        crate::fields::dmy(self.service.date_of_birth)
                    ),
                );
            }
        }
        at_most(
            &mut bad,
            "station_preferences",
            &self.station_preferences,
            10,
        );
        for (i, p) in self.station_preferences.iter().enumerate() {
            length(
                &mut bad,
                &format!("station_preferences[{i}].station"),
                &p.station,
                2,
                80,
            );
            length(
                &mut bad,
                &format!("station_preferences[{i}].state"),
                &p.state,
                2,
                60,
            );
        }
        bad
    }
}

/// FR 56(a): the age of superannuation of a Government servant.
const SUPERANNUATION_AGE: u32 = 60;

impl ServiceRecord {
    /// Checks a corrected service record as of `today`: a known cadre and
    /// one of its grades; a pay level of the 7th CPC matrix not below the
    /// grade's own (an ACP/MACP upgrade or NFS may put it above, never
    /// below) and a cell that level has; dates in the order a career runs,
    /// none after today, joining government no younger than the minimum
    /// age of entry (as ROT-2 assumes, an age attained the day before the
    /// birthday, FR 56(a)).
    pub fn check(&self, today: NaiveDate) -> Vec<(&'static str, String)> {
        let mut bad = Vec::new();
        let grade_level = match self.cadre.parse::<crate::cadre::Cadre>() {
            Err(e) => {
                bad.push(("service.cadre", e.to_string()));
                None
            }
            Ok(cadre) => match crate::cadre::grade(cadre, &self.grade) {
                Err(_) => {
                    bad.push(("service.grade", format!("not a grade of {cadre}")));
                    None
                }
                Ok(g) => crate::pay::Level::parse(&g.level_7cpc).ok(),
            },
        };
        match crate::pay::Level::parse(&self.pay_level) {
            Err(_) => bad.push((
                "service.pay_level",
                "a pay matrix level such as 8 or 13A".to_owned(),
            )),
            Ok(level) => {
                if let Some(floor) = grade_level.filter(|g| level < *g) {
                    bad.push((
                        "service.pay_level",
                        format!("below level {} of grade {}", floor.name(), self.grade),
                    ));
                }
                let cells = level.cells().len();
                if usize::try_from(self.pay_cell).map_or(true, |c| c < 1 || c > cells) {
                    bad.push((
                        "service.pay_cell",
                        format!("level {} has cells 1 to {cells}", level.name()),
                    ));
                }
            }
        }
        let attains_entry_age = self
            .date_of_birth
            .checked_add_months(chrono::Months::new(
                crate::rotation::params::MIN_ENTRY_AGE * 12,
            ))
            .and_then(|d| d.pred_opt());
        // FR 56(a): service ends at 60; nobody joins at or after it.
        let attains_superannuation = self
            .date_of_birth
            .checked_add_months(chrono::Months::new(SUPERANNUATION_AGE * 12))
            .and_then(|d| d.pred_opt());
        if attains_superannuation.is_some_and(|d| d <= self.joined_government_on) {
            bad.push((
                "service.joined_government_on",
                format!(
                    "at or after the age of superannuation, {SUPERANNUATION_AGE} (FR 56(a); born {})",
                    crate::fields::dmy(self.date_of_birth)
                ),
            ));
        } else if attains_entry_age.is_none_or(|d| d > self.joined_government_on) {
            bad.push((
                "service.joined_government_on",
                format!(
                    "before the officer was {} (born {})",
                    crate::rotation::params::MIN_ENTRY_AGE,
                    crate::fields::dmy(self.date_of_birth)
                ),
            ));
        }
        let order = [
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
        for (field, date) in [
            ("service.date_of_birth", self.date_of_birth),
            ("service.joined_government_on", self.joined_government_on),
            ("service.joined_entry_grade_on", self.joined_entry_grade_on),
            (
                "service.joined_present_grade_on",
                self.joined_present_grade_on,
            ),
        ] {
            if date > today && !bad.iter().any(|(f, _)| *f == field) {
                bad.push((
                    field,
                    format!("after today ({})", crate::fields::dmy(today)),
                ));
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
            service_declared: None,
        }
    }

    /// The document as kept: a declaration with nothing in it is none.
    pub fn tidied(mut self) -> Self {
        if self
            .service_declared
            .as_ref()
            .is_some_and(DeclaredService::is_empty)
        {
            self.service_declared = None;
        }
        self
    }

    /// The document as validated (PRF-2): the declared service details in
    /// the record's place and no declaration left; unchanged without one.
    pub fn with_declaration_taken(mut self) -> Self {
        if let Some(declared) = self.service_declared.take() {
            self.service = declared.over(&self.service);
        }
        self
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

    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 12, 1) {
        Some(d) => d,
        None => unreachable!(),
    };

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
        assert!(service().check(TODAY).is_empty());
        let mut s = service();
        s.grade = "JSA".into();
        s.pay_cell = 0;
        s.joined_present_grade_on = NaiveDate::from_ymd_opt(2005, 1, 1).unwrap();
        let fields: Vec<&str> = s.check(TODAY).into_iter().map(|(f, _)| f).collect();
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
    fn a_service_record_holds_a_real_level_cell_and_dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let fields = |s: &ServiceRecord| -> Vec<&str> {
            s.check(TODAY).into_iter().map(|(f, _)| f).collect()
        };
        // Not a level of the matrix.
        let mut s = service();
        s.pay_level = "ZZ".into();
        assert_eq!(fields(&s), ["service.pay_level"]);
        // Below the SO's level 8; above it (an MACP upgrade) is a record.
        s.pay_level = "7".into();
        assert_eq!(fields(&s), ["service.pay_level"]);
        s.pay_level = "10".into();
        assert!(fields(&s).is_empty());
        // Level 17 has one cell.
        s.pay_level = "17".into();
        s.pay_cell = 2;
        assert_eq!(fields(&s), ["service.pay_cell"]);
        // Joined 01.07.2010: born 03.07.1992, 18 is attained on 02.07.2010,
        // too late; born 02.07.1992, on the day of joining.
        let mut s = service();
        s.date_of_birth = d(1992, 7, 3);
        assert_eq!(fields(&s), ["service.joined_government_on"]);
        s.date_of_birth = d(1992, 7, 2);
        assert!(fields(&s).is_empty());
        // Joined at 60 (born 01.07.1950, joined 01.07.2010): after service ends.
        let mut s = service();
        s.date_of_birth = d(1950, 7, 1);
        assert_eq!(fields(&s), ["service.joined_government_on"]);
        s.date_of_birth = d(1950, 7, 3);
        assert!(fields(&s).is_empty());
        // Nothing after today.
        let mut s = service();
        s.joined_present_grade_on = TODAY.succ_opt().unwrap();
        assert_eq!(fields(&s), ["service.joined_present_grade_on"]);
    }

    #[test]
    fn a_child_is_not_born_after_today() {
        let mut doc = ProfileDoc::new(service());
        doc.family.children.push(Child {
            name: "Asha".into(),
            date_of_birth: TODAY.succ_opt().unwrap(),
        });
        assert_eq!(
            doc.check(TODAY).paths(),
            ["family.children[0].date_of_birth"]
        );
        doc.family.children[0].date_of_birth = TODAY;
        assert!(doc.check(TODAY).is_empty());
        // Nor before the employee (born 12.04.1985).
        doc.family.children[0].date_of_birth = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
        assert_eq!(
            doc.check(TODAY).paths(),
            ["family.children[0].date_of_birth"]
        );
    }

    #[test]
    fn a_qualification_is_passed_between_birth_and_this_year() {
        let mut doc = ProfileDoc::new(service());
        let degree = |year| Qualification {
            degree: "BA".into(),
            institution: "University of Delhi".into(),
            year,
        };
        doc.education = vec![degree(2006), degree(2027), degree(1984)];
        assert_eq!(
            doc.check(TODAY).paths(),
            ["education[1].year", "education[2].year"]
        );
    }

    #[test]
    fn formats_are_checked() {
        let mut doc = ProfileDoc::new(service());
        doc.contact.mobile = Some("12345".into());
        doc.contact.official_email = Some("not-an-email".into());
        doc.address.present.pin = Some("011001".into());
        assert_eq!(
            doc.check(TODAY).paths(),
            [
                "contact.mobile",
                "contact.official_email",
                "address.present.pin"
            ]
        );
    }

    #[test]
    fn lengths_list_sizes_and_nested_entries_are_named_by_path() {
        let mut doc = ProfileDoc::new(service());
        doc.address.permanent.city = Some("X".into());
        doc.education = vec![
            Qualification {
                degree: "B.A.".into(),
                institution: "Delhi University".into(),
                year: 2005,
            },
            Qualification {
                degree: "M".into(),
                institution: "Delhi University".into(),
                year: 1949,
            },
        ];
        doc.family.spouse = Some(Spouse {
            name: "A. Kumar".into(),
            employment: "freelance".into(),
            employee_code: None,
            organisation: None,
            station: Some("D".into()),
        });
        doc.station_preferences = (0..11)
            .map(|_| StationPreference {
                station: "New Delhi".into(),
                state: "Delhi".into(),
            })
            .collect();
        let bad = doc.check(TODAY);
        let found: Vec<(&str, &str)> = bad.iter().map(|e| (e.path.as_str(), e.rule)).collect();
        assert_eq!(
            found,
            [
                ("address.permanent.city", "length"),
                ("education[1].degree", "length"),
                ("education[1].year", "range"),
                ("family.spouse.employment", "invalid"),
                ("family.spouse.station", "length"),
                ("station_preferences", "length"),
            ]
        );
    }

    #[test]
    fn a_complete_profile_passes_and_lengths_count_characters() {
        let mut doc = ProfileDoc::new(service());
        doc.contact.mobile = Some("9876543210".into());
        doc.contact.official_email = Some("so.admin@mha.gov.in".into());
        doc.contact.personal_email = Some("a.b+cscms@example.org".into());
        doc.address.present.pin = Some("110001".into());
        // Two Devanagari characters are six bytes: still within 2..=60.
        doc.address.present.state = Some("दि".into());
        assert!(doc.check(TODAY).is_empty(), "{}", doc.check(TODAY));
    }

    #[test]
    fn email_addresses_are_checked_by_form() {
        for good in ["a@b", "so.admin@mha.gov.in", "x_y-z@sub-domain.example.org"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "nope",
            "@mha.gov.in",
            "a@",
            "a b@x.in",
            "a@-x.in",
            "a@x..in",
            "a@x_y.in",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
