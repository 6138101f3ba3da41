//! Employee identity and the categorical fields of an employee record.

use std::fmt;

use serde::Serialize;

use crate::cadre::UnknownValue;

/// An employee code: 3-20 of A-Z, 0-9 and '-', starting with a letter
/// (the cadre prefix in practice, e.g. `CSS-004211`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(transparent)]
pub struct EmployeeCode(String);

crate::sql::sql_text!(EmployeeCode, EmployeeCode::parse);

impl EmployeeCode {
    pub fn parse(s: &str) -> Result<Self, UnknownValue> {
        let ok = (3..=20).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(UnknownValue {
                what: "employee code (3-20 of A-Z, 0-9, '-', starting with a letter)",
                value: s.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Read back from a stored document through the same check.
impl<'de> serde::Deserialize<'de> for EmployeeCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for EmployeeCode {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<EmployeeCode> for String {
    fn from(code: EmployeeCode) -> String {
        code.0
    }
}

impl fmt::Display for EmployeeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $text:tt),+ $(,)? }) => {
        $crate::employee::string_enum!($(#[$meta])* $name as stringify!($name), $what { $($variant = $text),+ });
    };
    // `as "Name"`: the schema's name in the contract, where the Rust name is
    // taken by another type (the contract has one namespace).
    ($(#[$meta:meta])* $name:ident as $schema:expr, $what:literal { $($variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(
            feature = "diesel",
            derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
            diesel(sql_type = diesel::sql_types::Text)
        )]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        $crate::sql::sql_text!($name, <$name as ::std::str::FromStr>::from_str);

        // By hand: the derive does not see `serde(rename)` through a macro
        // and would document the Rust names instead of the wire values.
        #[cfg(feature = "openapi")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl ::utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed($schema)
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::cadre::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::cadre::UnknownValue { what: $what, value: s.to_owned() })
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Gender as recorded in service records.
    Gender, "gender" { Female = "female", Male = "male", Other = "other" }
);

string_enum!(
    /// Reservation category.
    Category, "reservation category" { Ur = "UR", Sc = "SC", St = "ST", Obc = "OBC", Ews = "EWS" }
);

string_enum!(
    /// Kinds of entry in an employee's service history.
    ServiceEventKind, "service event kind" {
        Appointment = "appointment",
        Promotion = "promotion",
        Acp = "acp",
        Macp = "macp",
        Nfs = "nfs",
        Deputation = "deputation",
        Absorption = "absorption",
        Repatriation = "repatriation",
        Postponement = "postponement",
        Transfer = "transfer",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employee_code_shape() {
        assert!(EmployeeCode::parse("CSS-004211").is_ok());
        for bad in [
            "",
            "ab",
            "css-1",
            "1CSS",
            "CSS 1",
            "CSS-0000000000000000001",
        ] {
            assert!(EmployeeCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn enums_round_trip() {
        for k in ServiceEventKind::ALL {
            assert_eq!(k.as_str().parse::<ServiceEventKind>(), Ok(*k));
        }
        assert!("sc".parse::<Category>().is_err());
        assert_eq!("SC".parse::<Category>(), Ok(Category::Sc));
    }
}
