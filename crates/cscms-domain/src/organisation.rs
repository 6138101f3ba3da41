//! Ministries, departments and the bodies under them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::cadre::UnknownValue;

/// What an organisation is. Ministries and departments have nodal officers;
/// the rest are onboarded under one of them with a sub-nodal officer (DEP-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum OrgKind {
    Ministry,
    Department,
    Psu,
    AutonomousBody,
    AttachedOffice,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        OrgKind::Ministry,
        OrgKind::Department,
        OrgKind::Psu,
        OrgKind::AutonomousBody,
        OrgKind::AttachedOffice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Ministry => "ministry",
            OrgKind::Department => "department",
            OrgKind::Psu => "psu",
            OrgKind::AutonomousBody => "autonomous_body",
            OrgKind::AttachedOffice => "attached_office",
        }
    }

    /// Sub-organisations hang under a ministry or department.
    pub fn needs_parent(self) -> bool {
        !matches!(self, OrgKind::Ministry | OrgKind::Department)
    }
}

crate::sql::sql_text!(OrgKind, OrgKind::from_str);

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrgKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue {
                what: "organisation kind",
                value: s.to_owned(),
            })
    }
}

/// Whether an organisation is a ministry or department: one with no parent.
/// Every other organisation is a body onboarded under one (DEP-1), and only
/// under a ministry or department (one level deep).
pub fn is_ministry<T: ?Sized>(parent: Option<&T>) -> bool {
    parent.is_none()
}

/// The ministry or department an organisation answers to: its parent, or
/// itself where it is one (PRF-2, DEP-1, TRN-1).
pub fn ministry_of<'a, T: ?Sized>(org: &'a T, parent: Option<&'a T>) -> &'a T {
    parent.unwrap_or(org)
}

/// An organisation id: short upper-case code such as `MHA` or `MHA-NDMA`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(transparent)]
pub struct OrgId(String);

crate::sql::sql_text!(OrgId, OrgId::parse);

impl OrgId {
    pub fn parse(s: &str) -> Result<Self, UnknownValue> {
        let ok = (2..=32).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(UnknownValue {
                what: "organisation id (2-32 of A-Z, 0-9, '-')",
                value: s.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for OrgId {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<OrgId> for String {
    fn from(id: OrgId) -> String {
        id.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ministry_has_no_parent_and_answers_to_itself() {
        assert!(is_ministry::<str>(None));
        assert!(!is_ministry(Some("MHA")));
        assert_eq!(ministry_of("MHA", None), "MHA");
        assert_eq!(ministry_of("MHA-NDMA", Some("MHA")), "MHA");
    }
}
