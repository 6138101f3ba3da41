//! Annual immovable property returns (IPR-1): one row per filed version,
//! never edited in place; a revision is a new row linked to the one it
//! revises.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::scope::Visibility;
use cscms_domain::vigilance::filing::{AcquisitionMode, Property, PropertyKind};
use cscms_domain::vigilance::{IprFiling, IprFilingSummary};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::{self, Actor, Change};
use crate::employees::EmployeeRow;
use crate::json::Json;
use crate::schema::{employees, ipr_returns, organisations, service_events};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ipr_returns)]
pub struct IprReturnRow {
    pub id: i64,
    pub employee_code: EmployeeCode,
    pub year: i32,
    pub revision: i32,
    pub revises: Option<i32>,
    pub filed_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The return (its first version) was filed after its due date.
    pub late: bool,
    pub nil: bool,
    /// The validated property entries.
    #[diesel(column_name = properties_json)]
    pub properties: Json<Vec<PropertyDoc>>,
    /// Token subject of who filed it: the employee, or for a return
    /// received outside CSCMS the nodal officer or AVD who recorded it.
    pub filed_by: String,
    pub filed_at: NaiveDateTime,
    /// A return received outside CSCMS: the diary or receipt number or
    /// covering letter; `filed_on` is the day it was received (IPR-1).
    pub receipt_ref: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = ipr_returns, treat_none_as_default_value = false)]
struct NewRow<'a> {
    employee_code: &'a str,
    year: i32,
    revision: i32,
    revises: Option<i32>,
    filed_on: NaiveDate,
    due_on: NaiveDate,
    late: bool,
    nil: bool,
    properties_json: &'a Json<Vec<PropertyDoc>>,
    filed_by: &'a str,
    filed_at: NaiveDateTime,
    receipt_ref: Option<&'a str>,
}

impl IprReturnRow {
    /// What the engines need of this version.
    pub fn summary(&self) -> Result<IprFilingSummary, StoreError> {
        let revision = u32::try_from(self.revision)
            .map_err(|_| StoreError::Corrupt(format!("ipr_returns {}: revision", self.id)))?;
        IprFilingSummary::new(self.year, Some(self.filed_on), self.nil, revision)
            .map_err(|e| StoreError::Corrupt(format!("ipr_returns {}: {e}", self.id)))
    }

    /// The row for the audit trail, with the properties as JSON, not text.
    fn audit_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "employee_code": self.employee_code,
            "year": self.year,
            "revision": self.revision,
            "revises": self.revises,
            "filed_on": self.filed_on,
            "due_on": self.due_on,
            "late": self.late,
            "nil": self.nil,
            "properties": serde_json::from_str::<Value>(self.properties.text()).unwrap_or(Value::Null),
            "filed_by": self.filed_by,
            "filed_at": self.filed_at,
            "receipt_ref": self.receipt_ref,
        })
    }
}

/// A property entry as stored (IPR-1): its own shape, so the API's request
/// and view may change without changing filed returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyDoc {
    pub kind: PropertyKind,
    pub description: String,
    pub location: LocationDoc,
    pub acquisition: AcquisitionDoc,
    /// Whole rupees.
    pub present_value: i64,
    pub own_share_pct: f64,
    pub co_owners: Vec<CoOwnerDoc>,
    /// Whole rupees.
    pub annual_income: i64,
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationDoc {
    pub address: String,
    pub sub_division: Option<String>,
    pub district: String,
    pub state: String,
    pub pin_code: Option<String>,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcquisitionDoc {
    pub how: AcquisitionMode,
    pub acquired_on: NaiveDate,
    pub from_whom: String,
    /// Whole rupees.
    pub cost: i64,
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoOwnerDoc {
    pub name: String,
    pub relationship: String,
    pub share_pct: f64,
}

impl PropertyDoc {
    /// A validated entry as it is stored; an amount beyond the column's
    /// range cannot be stored.
    fn of(p: &Property) -> Result<Self, StoreError> {
        let rupees = |n: u64| {
            i64::try_from(n).map_err(|_| StoreError::Corrupt("amount out of range".into()))
        };
        let text = |t: &cscms_domain::fields::Text| t.as_str().to_owned();
        let l = &p.location;
        let a = &p.acquisition;
        Ok(Self {
            kind: p.kind,
            description: text(&p.description),
            location: LocationDoc {
                address: text(&l.address),
                sub_division: l.sub_division.as_ref().map(text),
                district: text(&l.district),
                state: text(&l.state),
                pin_code: l.pin_code.as_ref().map(text),
                country: text(&l.country),
            },
            acquisition: AcquisitionDoc {
                how: a.how,
                acquired_on: a.acquired_on,
                from_whom: text(&a.from_whom),
                cost: rupees(a.cost)?,
                details: a.details.as_ref().map(text),
            },
            present_value: rupees(p.present_value)?,
            own_share_pct: p.own_share_pct,
            co_owners: p
                .co_owners
                .iter()
                .map(|o| CoOwnerDoc {
                    name: text(&o.name),
                    relationship: text(&o.relationship),
                    share_pct: o.share_pct,
                })
                .collect(),
            annual_income: rupees(p.annual_income)?,
            remarks: p.remarks.as_ref().map(text),
        })
    }
}

/// Every column of a row, in `IprReturnRow` order (for `RETURNING`).
type Columns = (
    ipr_returns::id,
    ipr_returns::employee_code,
    ipr_returns::year,
    ipr_returns::revision,
    ipr_returns::revises,
    ipr_returns::filed_on,
    ipr_returns::due_on,
    ipr_returns::late,
    ipr_returns::nil,
    ipr_returns::properties_json,
    ipr_returns::filed_by,
    ipr_returns::filed_at,
    ipr_returns::receipt_ref,
);

fn columns() -> Columns {
    (
        ipr_returns::id,
        ipr_returns::employee_code,
        ipr_returns::year,
        ipr_returns::revision,
        ipr_returns::revises,
        ipr_returns::filed_on,
        ipr_returns::due_on,
        ipr_returns::late,
        ipr_returns::nil,
        ipr_returns::properties_json,
        ipr_returns::filed_by,
        ipr_returns::filed_at,
        ipr_returns::receipt_ref,
    )
}

/// Every version an employee has filed: latest year first, and within a
/// year the latest revision first.
pub fn versions(conn: &mut DbConn, code: &str) -> Result<Vec<IprReturnRow>, StoreError> {
    ipr_returns::table
        .filter(ipr_returns::employee_code.eq(code))
        .order((ipr_returns::year.desc(), ipr_returns::revision.desc()))
        .select(IprReturnRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("ipr_returns of", &code))
}

/// The versions of one year's return, latest revision first.
pub fn versions_of_year(
    conn: &mut DbConn,
    code: &str,
    year: i32,
) -> Result<Vec<IprReturnRow>, StoreError> {
    ipr_returns::table
        .filter(ipr_returns::employee_code.eq(code))
        .filter(ipr_returns::year.eq(year))
        .order(ipr_returns::revision.desc())
        .select(IprReturnRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("ipr_returns of", &format!("{code}/{year}")))
}

/// What the engines need of every version an employee has filed.
pub fn summaries(conn: &mut DbConn, code: &str) -> Result<Vec<IprFilingSummary>, StoreError> {
    versions(conn, code)?
        .iter()
        .map(IprReturnRow::summary)
        .collect()
}

/// Stores a version validated by the domain (`file_return`, or
/// `record_received` for a return received outside CSCMS, whose `filed_by`
/// is then the officer who recorded it), audited (PRF-4). A version number already taken — another revision landed
/// between the caller's read and this write — is a `Conflict`.
pub fn file(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    org_id: &str,
    filing: &IprFiling,
) -> Result<IprReturnRow, StoreError> {
    let properties = Json::new(
        filing
            .properties
            .iter()
            .map(PropertyDoc::of)
            .collect::<Result<Vec<_>, _>>()?,
    )?;
    let revision = i32::try_from(filing.revision)
        .map_err(|_| StoreError::Corrupt("revision out of range".into()))?;
    let revises = filing
        .revises
        .map(i32::try_from)
        .transpose()
        .map_err(|_| StoreError::Corrupt("revises out of range".into()))?;
    audit::audited_locked(conn, actor, &format!("ipr:{code}/{}", filing.year), |c| {
        let before = match revises {
            Some(n) => ipr_returns::table
                .filter(ipr_returns::employee_code.eq(code))
                .filter(ipr_returns::year.eq(filing.year))
                .filter(ipr_returns::revision.eq(n))
                .select(IprReturnRow::as_select())
                .first(c)
                .optional()
                .map_err(|e| StoreError::from(e).in_row("ipr_returns of", &code))?,
            None => None,
        };
        let row: IprReturnRow = diesel::insert_into(ipr_returns::table)
            .values(NewRow {
                employee_code: code,
                year: filing.year,
                revision,
                revises,
                filed_on: filing.filed_on,
                due_on: filing.due_on,
                late: filing.late,
                nil: filing.nil,
                properties_json: &properties,
                filed_by: &actor.sub,
                filed_at: Utc::now().naive_utc(),
                receipt_ref: filing.receipt_ref.as_ref().map(|t| t.as_str()),
            })
            .returning(columns())
            .get_result(c)
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    &format!(
                        "revision {revision} of the return for {} was filed meanwhile",
                        filing.year
                    ),
                )
            })?;
        let change = Change {
            action: if revises.is_some() { "revise" } else { "file" },
            entity: "ipr_return",
            entity_id: format!("{code}/{}", filing.year),
            org_id: Some(org_id.to_owned()),
            before: before.as_ref().map(IprReturnRow::audit_json),
            after: Some(row.audit_json()),
        };
        Ok((row, change))
    })
}

/// Which of one year's returns a list shows, by what is on record: `filed`
/// by the due date, filed `late`, or `missing` (nothing filed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnOnRecord {
    Filed,
    Late,
    Missing,
}

/// One year's returns across employees (the nodal officers' list).
#[derive(Debug, Clone)]
pub struct IprListFilter {
    pub year: i32,
    pub on_record: Option<ReturnOnRecord>,
    /// Only this organisation (exact id).
    pub org: Option<String>,
    /// Who owes the return (Rule 18(1)(ii), from the domain): these
    /// service groups, joined Government on or before `joined_by`, and no
    /// step into a filing grade from another after `entered_after`.
    pub groups: Vec<String>,
    pub joined_by: NaiveDate,
    pub entered_after: NaiveDate,
    pub filing_grades: Vec<String>,
    pub other_grades: Vec<String>,
}

/// One employee of the list with every version of the year's return.
#[derive(Debug, Clone)]
pub struct IprListRow {
    pub employee: EmployeeRow,
    pub filings: Vec<IprFilingSummary>,
}

/// A page of employees visible under `visibility` who owe the year's
/// return, by code after `after`, with their versions of it.
pub fn list(
    conn: &mut DbConn,
    visibility: &Visibility,
    filter: &IprListFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<IprListRow>, StoreError> {
    let Some(visible) = crate::scope::Scoped::visible(visibility) else {
        return Ok(Vec::new());
    };
    let mut query = employees::table
        .inner_join(organisations::table)
        .filter(visible)
        .filter(employees::service_group.eq_any(&filter.groups))
        .filter(employees::joined_government_on.le(filter.joined_by))
        .filter(
            employees::code.ne_all(
                service_events::table
                    .filter(service_events::effective_on.gt(filter.entered_after))
                    .filter(service_events::from_grade.eq_any(&filter.other_grades))
                    .filter(service_events::to_grade.eq_any(&filter.filing_grades))
                    .select(service_events::employee_code),
            ),
        )
        .into_boxed();
    if let Some(org) = &filter.org {
        query = query.filter(employees::org_id.eq(org));
    }
    // The original (revision 0) carries the return's timeliness.
    let originals = ipr_returns::table
        .filter(ipr_returns::year.eq(filter.year))
        .filter(ipr_returns::revision.eq(0));
    match filter.on_record {
        None => {}
        Some(ReturnOnRecord::Filed) => {
            query = query.filter(
                employees::code.eq_any(
                    originals
                        .filter(ipr_returns::late.eq(false))
                        .select(ipr_returns::employee_code),
                ),
            );
        }
        Some(ReturnOnRecord::Late) => {
            query = query.filter(
                employees::code.eq_any(
                    originals
                        .filter(ipr_returns::late.eq(true))
                        .select(ipr_returns::employee_code),
                ),
            );
        }
        Some(ReturnOnRecord::Missing) => {
            query = query.filter(
                employees::code.ne_all(
                    ipr_returns::table
                        .filter(ipr_returns::year.eq(filter.year))
                        .select(ipr_returns::employee_code),
                ),
            );
        }
    }
    if let Some(after) = after {
        query = query.filter(employees::code.gt(after));
    }
    let page: Vec<EmployeeRow> = query
        .order(employees::code.asc())
        .limit(limit)
        .select(EmployeeRow::as_select())
        .load(conn)?;
    let codes: Vec<&str> = page.iter().map(|e| e.code.as_str()).collect();
    let filed: Vec<IprReturnRow> = ipr_returns::table
        .filter(ipr_returns::year.eq(filter.year))
        .filter(ipr_returns::employee_code.eq_any(&codes))
        .select(IprReturnRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("ipr_returns of year", &filter.year))?;
    page.into_iter()
        .map(|employee| {
            let filings = filed
                .iter()
                .filter(|r| r.employee_code == employee.code)
                .map(IprReturnRow::summary)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(IprListRow { employee, filings })
        })
        .collect()
}
