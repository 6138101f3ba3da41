//! Filing an annual immovable property return (IPR-1): the property entries of
//! the prescribed form, validated field by field, lateness, and revisions.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::ipr::{IprFilingSummary, IprObligation, YEARS};
use super::params::VigilanceParams;
use crate::employee::string_enum;
use crate::fields::{self, FieldErrors, Text};

string_enum!(
    /// What the property is.
    PropertyKind, "property kind" {
        House = "house",
        Flat = "flat",
        Plot = "plot",
        AgriculturalLand = "agricultural_land",
        Commercial = "commercial",
        Other = "other",
    }
);

string_enum!(
    /// How it was acquired (the modes named in the prescribed form).
    AcquisitionMode, "acquisition mode" {
        Purchase = "purchase",
        Lease = "lease",
        Mortgage = "mortgage",
        Inheritance = "inheritance",
        Gift = "gift",
        Other = "other",
    }
);

/// Wire shape of a return being filed. Enums and dates are strings so that
/// every bad field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IprReturnInput {
    /// The calendar year the return is for (holdings as on 31 December).
    pub year: i32,
    #[serde(default)]
    pub nil: bool,
    #[serde(default)]
    pub properties: Vec<PropertyInput>,
    /// The revision being revised; `None` for the original return of the year.
    #[serde(default)]
    pub revises: Option<u32>,
}

/// Wire shape of a return handed in outside CSCMS (on paper, before the
/// system went live, or while the profile gate kept the officer out) and
/// recorded by the nodal officer or AVD (IPR-1): the return's fields, and
/// when and under what reference it was received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IprReceivedInput {
    /// The calendar year the return is for (holdings as on 31 December).
    pub year: i32,
    #[serde(default)]
    pub nil: bool,
    #[serde(default)]
    pub properties: Vec<PropertyInput>,
    /// The revision being revised; `None` for the original return of the year.
    #[serde(default)]
    pub revises: Option<u32>,
    /// `YYYY-MM-DD`: the date the office received the return. It is the
    /// return's filing date, so VIG-2 judges timeliness on it.
    #[cfg_attr(feature = "openapi", schema(example = "2025-01-20", format = Date))]
    pub received_on: String,
    /// The diary or receipt number, or the covering letter (trimmed, 3 to
    /// 200 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(example = "MHA/Vig/Diary 1432/2025", min_length = 3, max_length = 200)
    )]
    pub receipt_ref: String,
}

impl IprReceivedInput {
    /// The return itself, as it would have been filed.
    pub fn return_input(&self) -> IprReturnInput {
        IprReturnInput {
            year: self.year,
            nil: self.nil,
            properties: self.properties.clone(),
            revises: self.revises,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PropertyInput {
    pub kind: String,
    /// Name and details of the property (area, type of construction…).
    pub description: String,
    pub location: LocationInput,
    pub acquisition: AcquisitionInput,
    /// Present value, whole rupees.
    pub present_value: i64,
    /// The officer's share, percent (0 when held wholly in another's name).
    pub own_share_pct: f64,
    #[serde(default)]
    pub co_owners: Vec<CoOwnerInput>,
    /// Annual income from the property, whole rupees.
    pub annual_income: i64,
    #[serde(default)]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// House / plot / survey number, street, village or town.
    pub address: String,
    #[serde(default)]
    pub sub_division: Option<String>,
    pub district: String,
    pub state: String,
    #[serde(default)]
    pub pin_code: Option<String>,
    /// Defaults to India. An ISO 3166-1 country by its name, a common name
    /// or its three-letter code; kept as written.
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcquisitionInput {
    pub how: String,
    /// `YYYY-MM-DD`.
    pub acquired_on: String,
    /// Name and particulars of the person(s) acquired from.
    pub from_whom: String,
    /// Cost of acquisition, whole rupees (0 for inheritance or gift).
    pub cost: i64,
    /// Required when `how` is `other`.
    #[serde(default)]
    pub details: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CoOwnerInput {
    pub name: String,
    pub relationship: String,
    pub share_pct: f64,
}

/// Where a property is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Location {
    pub address: Text,
    pub sub_division: Option<Text>,
    pub district: Text,
    pub state: Text,
    pub pin_code: Option<Text>,
    pub country: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Acquisition {
    pub how: AcquisitionMode,
    pub acquired_on: NaiveDate,
    pub from_whom: Text,
    pub cost: u64,
    pub details: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CoOwner {
    pub name: Text,
    pub relationship: Text,
    pub share_pct: f64,
}

/// One validated property entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Property {
    pub kind: PropertyKind,
    pub description: Text,
    pub location: Location,
    pub acquisition: Acquisition,
    pub present_value: u64,
    pub own_share_pct: f64,
    pub co_owners: Vec<CoOwner>,
    pub annual_income: u64,
    pub remarks: Option<Text>,
}

/// One filed version of an annual return, valid by construction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct IprFiling {
    pub year: i32,
    /// 0 for the original, n+1 for the revision of n.
    pub revision: u32,
    pub revises: Option<u32>,
    pub filed_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The return (not this version) was first filed after its due date.
    pub late: bool,
    pub nil: bool,
    pub properties: Vec<Property>,
    /// For a return received outside CSCMS: the diary or receipt number or
    /// covering letter it came under (`None` for returns filed in CSCMS).
    pub receipt_ref: Option<Text>,
}

impl IprFiling {
    /// What the clearance engine needs of this version.
    pub fn summary(&self) -> IprFilingSummary {
        IprFilingSummary::from_filing(self.year, self.filed_on, self.nil, self.revision)
    }
}

const SHORT: usize = 200;
const LONG: usize = 1000;
const MAX_PROPERTIES: usize = 500;
/// Shares are percent with two decimals; sums are compared within this.
const SHARE_EPSILON: f64 = 0.005;

/// Files a return submitted on `filed_on` (the server's date, not the
/// client's, except for a return received outside CSCMS: see
/// [`record_received`]). `on_record` holds the officer's versions already filed (any
/// years; drafts are ignored): the original of a year is revision 0 and each
/// revision must revise the latest version of the same year.
pub fn file_return(
    input: &IprReturnInput,
    filed_on: NaiveDate,
    on_record: &[IprFilingSummary],
    params: &VigilanceParams,
) -> Result<IprFiling, FieldErrors> {
    let mut errs = FieldErrors::new();
    let year = input.year;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31);
    let due_on = if !YEARS.contains(&year) {
        errs.push(
            "year",
            format!(
                "must be a calendar year in {}..={}",
                YEARS.start(),
                YEARS.end()
            ),
        );
        None
    } else if filed_on.year() <= year {
        errs.push(
            "year",
            format!("the return for {year} states holdings on 31.12.{year}; it can be filed from 01.01.{}", year + 1),
        );
        None
    } else {
        let due = params.ipr_due_on(year).map(|(d, _)| d);
        if due.is_none() {
            errs.push(
                "year",
                format!("no due-date rule covers the return for {year}"),
            );
        }
        due
    };

    // Revisions (IPR-1): n+1 of the same year, revising the latest version.
    let versions: Vec<&IprFilingSummary> = on_record
        .iter()
        .filter(|f| f.year() == year && f.filed_on().is_some())
        .collect();
    let latest = versions.iter().map(|f| f.revision()).max();
    let first_filed = versions.iter().filter_map(|f| f.filed_on()).min();
    let revision = match (input.revises, latest) {
        (None, None) => Some(0),
        (None, Some(l)) => {
            errs.push(
                "revises",
                format!("a return for {year} is on record (revision {l}); file a revision of it"),
            );
            None
        }
        (Some(n), None) => {
            errs.push(
                "revises",
                format!("there is no return for {year} to revise (revision {n})"),
            );
            None
        }
        (Some(n), Some(l)) if n != l => {
            errs.push(
                "revises",
                format!("revision {n} is not the latest for {year}; revise revision {l}"),
            );
            None
        }
        (Some(n), Some(_)) => n.checked_add(1),
    };
    if let Some(last) = versions
        .iter()
        .filter_map(|f| f.filed_on())
        .max()
        .filter(|d| *d > filed_on)
    {
        errs.push(
            "filed_on",
            format!(
                "a version for {year} was already filed on {}",
                fields::dmy(last)
            ),
        );
    }

    if input.nil && !input.properties.is_empty() {
        errs.push("properties", "a nil return declares no property");
    } else if !input.nil && input.properties.is_empty() {
        errs.push(
            "properties",
            "declare at least one property, or file a nil return",
        );
    } else if input.properties.len() > MAX_PROPERTIES {
        errs.push("properties", format!("at most {MAX_PROPERTIES} properties"));
    }
    let properties: Vec<Option<Property>> = input
        .properties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            property(
                &mut errs,
                &format!("properties[{i}]"),
                p,
                filed_on,
                year_end,
            )
        })
        .collect();

    match (revision, due_on) {
        (Some(revision), Some(due_on)) if errs.is_empty() => Ok(IprFiling {
            year,
            revision,
            revises: input.revises,
            filed_on,
            due_on,
            // The return is as late as its first version (IPR-1, VIG-2).
            late: first_filed.unwrap_or(filed_on) > due_on,
            nil: input.nil,
            properties: properties.into_iter().flatten().collect(),
            receipt_ref: None,
        }),
        _ => Err(errs),
    }
}

/// Bounds of a receipt reference (characters, after trimming).
const RECEIPT_REF: std::ops::RangeInclusive<usize> = 3..=SHORT;

/// Records a return received outside CSCMS (IPR-1) on `today` (the
/// server's date). The return is dated `received_on`, the day the office
/// received it, which therefore decides whether it was late (VIG-2); every
/// rule of [`file_return`] holds as on that day, so a return cannot be
/// dated before a version already on record. Every bad field is reported at
/// once: when `received_on` cannot be used, the return's own fields are
/// still checked, as on `today`.
pub fn record_received(
    input: &IprReceivedInput,
    today: NaiveDate,
    on_record: &[IprFilingSummary],
    params: &VigilanceParams,
) -> Result<IprFiling, FieldErrors> {
    let mut errs = FieldErrors::new();
    let year = input.year;
    let received_on = fields::date(&mut errs, "received_on", &input.received_on).filter(|d| {
        if *d > today {
            errs.push(
                "received_on",
                format!(
                    "{} is after today ({}): record a return once it has been received",
                    fields::dmy(*d),
                    fields::dmy(today)
                ),
            );
            false
        } else if YEARS.contains(&year) && d.year() <= year {
            errs.push(
                "received_on",
                format!(
                    "the return for {year} states holdings on 31.12.{year}; it can be received from 01.01.{}",
                    year + 1
                ),
            );
            false
        } else {
            true
        }
    });
    let receipt_ref = fields::text(
        &mut errs,
        "receipt_ref",
        &input.receipt_ref,
        *RECEIPT_REF.end(),
    )
    .filter(|t| {
        let ok = t.as_str().chars().count() >= *RECEIPT_REF.start();
        if !ok {
            errs.push(
                "receipt_ref",
                format!("must be at least {} characters", RECEIPT_REF.start()),
            );
        }
        ok
    });
    match file_return(
        &input.return_input(),
        received_on.unwrap_or(today),
        on_record,
        params,
    ) {
        Ok(filing) => match (received_on, receipt_ref) {
            (Some(_), Some(receipt_ref)) if errs.is_empty() => Ok(IprFiling {
                receipt_ref: Some(receipt_ref),
                ..filing
            }),
            _ => Err(errs),
        },
        Err(more) => {
            // Alone, a clash with the versions on record is a conflict the
            // caller maps to 409 as for any filing; among other faults the
            // date is this body's `received_on`, so the 422 names it.
            let clash_only = errs.is_empty()
                && more
                    .iter()
                    .all(|e| e.path == "revises" || e.path == "filed_on");
            for e in more.into_vec() {
                let path = if !clash_only && e.path == "filed_on" {
                    "received_on".to_owned()
                } else {
                    e.path
                };
                errs.push_rule(path, e.rule, e.message);
            }
            Err(errs)
        }
    }
}

fn property(
    errs: &mut FieldErrors,
    at: &str,
    p: &PropertyInput,
    filed_on: NaiveDate,
    year_end: Option<NaiveDate>,
) -> Option<Property> {
    let path = |f: &str| format!("{at}.{f}");
    let kind = fields::choice(errs, &path("kind"), &p.kind, PropertyKind::ALL);
    let description = fields::text(errs, &path("description"), &p.description, LONG);

    let l = &p.location;
    let address = fields::text(errs, &path("location.address"), &l.address, LONG);
    let sub_division = fields::opt_text(
        errs,
        &path("location.sub_division"),
        l.sub_division.as_deref(),
        SHORT,
    );
    let district = fields::text(errs, &path("location.district"), &l.district, SHORT);
    let state = fields::text(errs, &path("location.state"), &l.state, SHORT);
    let country = match l.country.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) if crate::country::country(c).is_none() && !crate::country::is_india(c) => {
            errs.push(
                path("location.country"),
                "not a country: name it as ISO 3166-1 does, by a common name or by its three-letter code",
            );
            None
        }
        Some(c) => fields::text(errs, &path("location.country"), c, SHORT),
        None => Text::parse("India", SHORT).ok(),
    };
    let in_india = country
        .as_ref()
        .is_some_and(|c| crate::country::is_india(c.as_str()));
    let pin_code = fields::opt_text(errs, &path("location.pin_code"), l.pin_code.as_deref(), 20);
    if let Some(pin) = pin_code.as_ref().filter(|_| in_india) {
        let s = pin.as_str();
        if !(s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0')) {
            errs.push(
                path("location.pin_code"),
                "an Indian PIN code is 6 digits, not starting with 0",
            );
        }
    }

    let a = &p.acquisition;
    let how = fields::choice(errs, &path("acquisition.how"), &a.how, AcquisitionMode::ALL);
    let acquired_on = fields::date(errs, &path("acquisition.acquired_on"), &a.acquired_on);
    if let Some(d) = acquired_on {
        if d > filed_on {
            errs.push(
                path("acquisition.acquired_on"),
                format!(
                    "{} is after the filing date {}",
                    fields::dmy(d),
                    fields::dmy(filed_on)
                ),
            );
        } else if let Some(end) = year_end.filter(|end| d > *end) {
            errs.push(
                path("acquisition.acquired_on"),
                format!(
                    "{} is after {}, the date the return speaks of; declare it next year",
                    fields::dmy(d),
                    fields::dmy(end)
                ),
            );
        }
    }
    let from_whom = fields::text(errs, &path("acquisition.from_whom"), &a.from_whom, LONG);
    let cost = rupees(errs, &path("acquisition.cost"), a.cost);
    let details = fields::opt_text(
        errs,
        &path("acquisition.details"),
        a.details.as_deref(),
        LONG,
    );
    if how == Some(AcquisitionMode::Other)
        && a.details.as_deref().is_none_or(|d| d.trim().is_empty())
    {
        errs.push(
            path("acquisition.details"),
            "say how the property was acquired",
        );
    }

    let present_value = rupees(errs, &path("present_value"), p.present_value);
    let annual_income = rupees(errs, &path("annual_income"), p.annual_income);
    let remarks = fields::opt_text(errs, &path("remarks"), p.remarks.as_deref(), LONG);

    let own_share = share(errs, &path("own_share_pct"), p.own_share_pct, true);
    let co_owners: Vec<Option<CoOwner>> = p
        .co_owners
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = path(&format!("co_owners[{i}]"));
            let name = fields::text(errs, &format!("{at}.name"), &c.name, SHORT);
            let relationship =
                fields::text(errs, &format!("{at}.relationship"), &c.relationship, SHORT);
            let share_pct = share(errs, &format!("{at}.share_pct"), c.share_pct, false);
            Some(CoOwner {
                name: name?,
                relationship: relationship?,
                share_pct: share_pct?,
            })
        })
        .collect();
    // Shares must account for the whole property, so that a part held in
    // another's name is declared with its holder.
    if let (Some(own), true) = (own_share, co_owners.iter().all(Option::is_some)) {
        let total = own + co_owners.iter().flatten().map(|c| c.share_pct).sum::<f64>();
        if (total - 100.0).abs() > SHARE_EPSILON {
            if co_owners.is_empty() {
                errs.push(
                    path("co_owners"),
                    format!("own share is {own}%; name the co-owners holding the rest"),
                );
            } else {
                errs.push(
                    path("co_owners"),
                    format!("shares add up to {total}%, not 100%"),
                );
            }
        }
    }

    Some(Property {
        kind: kind?,
        description: description?,
        location: Location {
            address: address?,
            sub_division,
            district: district?,
            state: state?,
            pin_code,
            country: country?,
        },
        acquisition: Acquisition {
            how: how?,
            acquired_on: acquired_on?,
            from_whom: from_whom?,
            cost: cost?,
            details,
        },
        present_value: present_value?,
        own_share_pct: own_share?,
        co_owners: co_owners.into_iter().collect::<Option<Vec<_>>>()?,
        annual_income: annual_income?,
        remarks,
    })
}

fn rupees(errs: &mut FieldErrors, path: &str, v: i64) -> Option<u64> {
    u64::try_from(v)
        .map_err(|_| errs.push(path, "must not be negative"))
        .ok()
}

/// A percentage in 0–100 (co-owners: above 0) with at most two decimals.
fn share(errs: &mut FieldErrors, path: &str, v: f64, zero_ok: bool) -> Option<f64> {
    let in_range = v.is_finite() && v <= 100.0 && (v > 0.0 || (zero_ok && v == 0.0));
    if !in_range {
        let range = if zero_ok {
            "0 to 100"
        } else {
            "above 0 and at most 100"
        };
        errs.push(path, format!("a share is a percentage {range}"));
        None
    } else if ((v * 100.0).round() - v * 100.0).abs() > 1e-6 {
        errs.push(path, "at most two decimals");
        None
    } else {
        Some(v)
    }
}

/// IPR-1: a return states holdings on 31 December of its year, and an
/// officer owes one from the year they joined Government (Rule 18(1)(ii),
/// CCS (Conduct) Rules 1964; docs/assumptions.md), so none is taken for a
/// year before that. The refusal joins `filing`'s own, every field at once.
///
/// A return of a year in service that the officer does not owe under
/// `obligation` (a Group C officer's, or one of the years before a step
/// into a filing grade) is taken when filed, but is never late: VIG-2 looks
/// only at the returns owed, and the filing must not say otherwise.
pub fn for_a_year_in_service(
    filing: Result<IprFiling, FieldErrors>,
    year: i32,
    joined_government_on: NaiveDate,
    obligation: IprObligation,
) -> Result<IprFiling, FieldErrors> {
    if year >= joined_government_on.year() {
        return filing.map(|mut f| {
            f.late &= obligation.owes(year);
            f
        });
    }
    let mut errs = FieldErrors::new();
    errs.push(
        "year",
        format!(
            "{year} is before the officer joined Government on {}: returns are owed from {} on",
            fields::dmy(joined_government_on),
            joined_government_on.year()
        ),
    );
    if let Err(e) = filing {
        errs.append(e);
    }
    Err(errs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn flat() -> PropertyInput {
        PropertyInput {
            kind: "flat".into(),
            description: "2BHK flat, 85 sq m".into(),
            location: LocationInput {
                address: "C-12, Sector 5, Dwarka".into(),
                sub_division: None,
                district: "South West Delhi".into(),
                state: "Delhi".into(),
                pin_code: Some("110075".into()),
                country: None,
            },
            acquisition: AcquisitionInput {
                how: "purchase".into(),
                acquired_on: "2015-04-01".into(),
                from_whom: "DDA, Vikas Sadan".into(),
                cost: 3_500_000,
                details: None,
            },
            present_value: 9_000_000,
            own_share_pct: 50.0,
            co_owners: vec![CoOwnerInput {
                name: "S. Devi".into(),
                relationship: "spouse".into(),
                share_pct: 50.0,
            }],
            annual_income: 0,
            remarks: None,
        }
    }

    fn ret(year: i32, revises: Option<u32>, properties: Vec<PropertyInput>) -> IprReturnInput {
        IprReturnInput {
            year,
            nil: properties.is_empty(),
            properties,
            revises,
        }
    }

    #[test]
    fn a_valid_return_files_timely_or_late() {
        let p = VigilanceParams::standard();
        let f = file_return(&ret(2023, None, vec![flat()]), ymd(2024, 1, 31), &[], &p).unwrap();
        assert_eq!((f.revision, f.late, f.due_on), (0, false, ymd(2024, 1, 31)));
        assert_eq!(f.properties[0].location.country.as_str(), "India");
        assert_eq!(
            f.summary(),
            IprFilingSummary::new(2023, Some(ymd(2024, 1, 31)), false, 0).unwrap()
        );
        let late = file_return(&ret(2023, None, vec![]), ymd(2024, 2, 1), &[], &p).unwrap();
        assert!(late.late && late.nil);
    }

    #[test]
    fn validation_lists_every_bad_field() {
        let p = VigilanceParams::standard();
        let mut bad = flat();
        bad.kind = "castle".into();
        bad.location.state = "  ".into();
        bad.location.pin_code = Some("011007".into());
        bad.acquisition.acquired_on = "2024-03-01".into();
        bad.acquisition.how = "other".into();
        bad.present_value = -1;
        bad.own_share_pct = 120.0;
        bad.co_owners[0].name = String::new();
        bad.co_owners[0].share_pct = 0.0;
        let mut second = flat();
        second.acquisition.acquired_on = "2024-01-10".into();
        second.co_owners[0].share_pct = 40.0;
        let mut third = flat();
        third.own_share_pct = 60.0;
        third.co_owners.clear();
        third.acquisition.acquired_on = "01/04/2015".into();
        let e = file_return(
            &ret(2023, None, vec![bad, second, third]),
            ymd(2024, 2, 15),
            &[],
            &p,
        )
        .unwrap_err();
        assert_eq!(
            e.paths(),
            [
                "properties[0].kind",
                "properties[0].location.state",
                "properties[0].location.pin_code",
                "properties[0].acquisition.acquired_on",
                "properties[0].acquisition.details",
                "properties[0].present_value",
                "properties[0].own_share_pct",
                "properties[0].co_owners[0].name",
                "properties[0].co_owners[0].share_pct",
                "properties[1].acquisition.acquired_on",
                "properties[1].co_owners",
                "properties[2].acquisition.acquired_on",
                "properties[2].co_owners",
            ]
        );
        assert!(e
            .iter()
            .any(|f| f.message.contains("after the filing date")));
        assert!(e.iter().any(|f| f.message.contains("declare it next year")));
        assert!(e.iter().any(|f| f.message.contains("add up to 90%")));
    }

    #[test]
    fn a_property_abroad_is_in_a_country() {
        let p = VigilanceParams::standard();
        let abroad = |country: &str| {
            let mut f = flat();
            f.location.country = Some(country.into());
            f.location.pin_code = None;
            file_return(&ret(2023, None, vec![f]), ymd(2024, 1, 5), &[], &p)
        };
        assert!(abroad("Nepal").is_ok());
        assert!(abroad("Bharat").is_ok());
        let e = abroad("Narnia").unwrap_err();
        assert_eq!(e.paths(), ["properties[0].location.country"]);
        // India by another name still needs an Indian PIN code.
        let mut f = flat();
        f.location.country = Some("IND".into());
        f.location.pin_code = Some("011007".into());
        let e = file_return(&ret(2023, None, vec![f]), ymd(2024, 1, 5), &[], &p).unwrap_err();
        assert_eq!(e.paths(), ["properties[0].location.pin_code"]);
    }

    #[test]
    fn nil_and_year_consistency() {
        let p = VigilanceParams::standard();
        let mut both = ret(2023, None, vec![flat()]);
        both.nil = true;
        assert_eq!(
            file_return(&both, ymd(2024, 1, 5), &[], &p)
                .unwrap_err()
                .paths(),
            ["properties"]
        );
        let mut neither = ret(2023, None, vec![]);
        neither.nil = false;
        assert_eq!(
            file_return(&neither, ymd(2024, 1, 5), &[], &p)
                .unwrap_err()
                .paths(),
            ["properties"]
        );
        let e = file_return(&ret(2024, None, vec![]), ymd(2024, 12, 31), &[], &p).unwrap_err();
        assert_eq!(e.paths(), ["year"]);
    }

    #[test]
    fn revisions_number_on_and_keep_the_original_timeliness() {
        let p = VigilanceParams::standard();
        let orig = file_return(&ret(2023, None, vec![]), ymd(2024, 1, 20), &[], &p).unwrap();
        let rec = vec![orig.summary()];
        // A revision after the due date of a timely return is not late.
        let r1 = file_return(&ret(2023, Some(0), vec![flat()]), ymd(2024, 6, 1), &rec, &p).unwrap();
        assert_eq!((r1.revision, r1.revises, r1.late), (1, Some(0), false));
        let rec = vec![orig.summary(), r1.summary()];
        let r2 = file_return(&ret(2023, Some(1), vec![]), ymd(2024, 7, 1), &rec, &p).unwrap();
        assert_eq!(r2.revision, 2);
        // Stale, duplicate original, nothing to revise, out of order.
        let paths = |i: &IprReturnInput, on, rec: &[IprFilingSummary]| {
            file_return(i, on, rec, &p).unwrap_err().paths().join(",")
        };
        assert_eq!(
            paths(&ret(2023, Some(0), vec![]), ymd(2024, 7, 1), &rec),
            "revises"
        );
        assert_eq!(
            paths(&ret(2023, None, vec![]), ymd(2024, 7, 1), &rec),
            "revises"
        );
        assert_eq!(
            paths(&ret(2022, Some(0), vec![]), ymd(2024, 7, 1), &rec),
            "revises"
        );
        assert_eq!(
            paths(&ret(2023, Some(1), vec![]), ymd(2024, 5, 1), &rec),
            "filed_on"
        );
        // A late original makes its revisions late too.
        let late = file_return(&ret(2022, None, vec![]), ymd(2023, 3, 1), &[], &p).unwrap();
        let r = file_return(
            &ret(2022, Some(0), vec![]),
            ymd(2023, 4, 1),
            &[late.summary()],
            &p,
        )
        .unwrap();
        assert!(r.late);
    }

    fn received(year: i32, revises: Option<u32>, on: &str, receipt_ref: &str) -> IprReceivedInput {
        IprReceivedInput {
            year,
            nil: true,
            properties: Vec::new(),
            revises,
            received_on: on.into(),
            receipt_ref: receipt_ref.into(),
        }
    }

    #[test]
    fn a_return_received_outside_cscms_is_dated_when_it_was_received() {
        let p = VigilanceParams::standard();
        let today = ymd(2026, 6, 1);
        // Received by the due date: timely, whenever it is recorded (VIG-2).
        let f = record_received(
            &received(2024, None, "2025-01-20", "  MHA/Diary/1432/2025 "),
            today,
            &[],
            &p,
        )
        .unwrap();
        assert_eq!(
            (f.filed_on, f.due_on, f.late, f.revision),
            (ymd(2025, 1, 20), ymd(2025, 1, 31), false, 0)
        );
        assert_eq!(
            f.receipt_ref.as_ref().map(Text::as_str),
            Some("MHA/Diary/1432/2025")
        );
        // Received after it: late, as if filed that day.
        let late = record_received(
            &received(2024, None, "2025-02-01", "MHA/Diary/2001/2025"),
            today,
            &[],
            &p,
        )
        .unwrap();
        assert!(late.late);
        // Filed in CSCMS: no receipt.
        let own = file_return(&ret(2024, None, vec![]), today, &[], &p).unwrap();
        assert_eq!(own.receipt_ref, None);
    }

    #[test]
    fn a_receipt_in_the_future_or_without_reference_is_refused_at_once() {
        let p = VigilanceParams::standard();
        let today = ymd(2026, 6, 1);
        let e =
            record_received(&received(2024, None, "2026-06-02", "ab"), today, &[], &p).unwrap_err();
        assert_eq!(e.paths(), ["received_on", "receipt_ref"]);
        assert!(e.iter().any(|f| f.message.contains("after today")));
        // Unreadable date, blank reference, and a bad property: all at once.
        let mut bad = received(2024, None, "20.01.2025", "   ");
        bad.nil = false;
        let mut p0 = flat();
        p0.kind = "castle".into();
        bad.properties = vec![p0];
        let e = record_received(&bad, today, &[], &p).unwrap_err();
        assert_eq!(
            e.paths(),
            ["received_on", "receipt_ref", "properties[0].kind"]
        );
        // Received before the year was over.
        let e = record_received(
            &received(2024, None, "2024-12-31", "MHA/1/2024"),
            today,
            &[],
            &p,
        )
        .unwrap_err();
        assert_eq!(e.paths(), ["received_on"]);
        let long = "x".repeat(201);
        let e = record_received(&received(2024, None, "2025-01-20", &long), today, &[], &p)
            .unwrap_err();
        assert_eq!(e.paths(), ["receipt_ref"]);
    }

    #[test]
    fn a_receipt_cannot_be_dated_before_a_version_on_record() {
        let p = VigilanceParams::standard();
        let today = ymd(2026, 6, 1);
        // Filed late in CSCMS on 01.03.2025; a paper copy received in January
        // cannot be slipped in before it, as an original or as a revision.
        let filed = file_return(&ret(2024, None, vec![]), ymd(2025, 3, 1), &[], &p).unwrap();
        let rec = [filed.summary()];
        let paths = |r: &IprReceivedInput| {
            record_received(r, today, &rec, &p)
                .unwrap_err()
                .paths()
                .join(",")
        };
        assert_eq!(
            paths(&received(2024, None, "2025-01-20", "MHA/1/2025")),
            "revises,filed_on"
        );
        assert_eq!(
            paths(&received(2024, Some(0), "2025-01-20", "MHA/1/2025")),
            "filed_on"
        );
        // With another fault the 422 names this body's own date field.
        let mut both = received(2024, None, "2025-01-20", "MHA/1/2025");
        both.receipt_ref = "x".into();
        assert_eq!(paths(&both), "receipt_ref,revises,received_on");
        // A later revision received on paper is recorded, and stays late.
        let r = record_received(
            &received(2024, Some(0), "2025-04-01", "MHA/2/2025"),
            today,
            &rec,
            &p,
        )
        .unwrap();
        assert_eq!((r.revision, r.late), (1, true));
    }

    #[test]
    fn input_deserialises_from_json() {
        let json = serde_json::json!({
            "year": 2023,
            "properties": [{
                "kind": "plot", "description": "residential plot 200 sq yd",
                "location": {"address": "Plot 7, Gandhi Nagar", "district": "Jaipur", "state": "Rajasthan"},
                "acquisition": {"how": "inheritance", "acquired_on": "2010-05-02", "from_whom": "late R. Lal (father)", "cost": 0},
                "present_value": 4000000, "own_share_pct": 100, "annual_income": 0
            }]
        });
        let input: IprReturnInput = serde_json::from_value(json).unwrap();
        let f = file_return(&input, ymd(2024, 1, 2), &[], &VigilanceParams::standard()).unwrap();
        assert_eq!(
            f.properties[0].acquisition.how,
            AcquisitionMode::Inheritance
        );
        let out = serde_json::to_value(&f).unwrap();
        assert_eq!(out["properties"][0]["location"]["state"], "Rajasthan");
        assert_eq!(out["late"], false);
    }

    #[test]
    fn no_return_for_a_year_before_joining_government() {
        let joined = ymd(2015, 7, 1);
        // What the filing rules answered, passed through when the year is served.
        let ok: Result<IprFiling, FieldErrors> = Err(FieldErrors::new());
        // The year of joining is owed (holdings on its 31 December).
        let all = IprObligation::AllYears;
        assert!(for_a_year_in_service(ok.clone(), 2015, joined, all)
            .err()
            .is_some_and(|e| e.is_empty()));
        let e = for_a_year_in_service(ok, 2014, joined, all).unwrap_err();
        assert_eq!(e.paths(), ["year"]);
        let mut own = FieldErrors::new();
        own.push("properties[0].kind", "unknown");
        let e = for_a_year_in_service(Err(own), 2014, joined, all).unwrap_err();
        assert_eq!(e.paths(), ["year", "properties[0].kind"]);
    }

    #[test]
    fn a_return_not_owed_is_taken_but_never_late() {
        let joined = ymd(2015, 7, 1);
        let p = VigilanceParams::standard();
        // The return for 2023, due 31.01.2024, filed on 01.03.2024.
        let filed = || file_return(&ret(2023, None, vec![]), ymd(2024, 3, 1), &[], &p);
        let late = |obligation| {
            for_a_year_in_service(filed(), 2023, joined, obligation)
                .unwrap()
                .late
        };
        assert!(late(IprObligation::AllYears));
        assert!(late(IprObligation::FromYear { year: 2023 }));
        // Promoted into a filing grade in 2024: 2023 was not owed (VIG-2).
        assert!(!late(IprObligation::FromYear { year: 2024 }));
        // A Group C officer owes none.
        assert!(!late(IprObligation::NotRequired));
    }
}
