//! Cadres and their grades (data: `data/reference/cadre_grades.csv`, copied
//! from the public cadre structure; the `code` column is this project's).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The three cadres the portal serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum Cadre {
    Css,
    Csss,
    Cscs,
}

impl Cadre {
    pub const ALL: [Cadre; 3] = [Cadre::Css, Cadre::Csss, Cadre::Cscs];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadre::Css => "CSS",
            Cadre::Csss => "CSSS",
            Cadre::Cscs => "CSCS",
        }
    }

    /// The service's name in full.
    pub fn service_name(self) -> &'static str {
        match self {
            Cadre::Css => "Central Secretariat Service",
            Cadre::Csss => "Central Secretariat Stenographers' Service",
            Cadre::Cscs => "Central Secretariat Clerical Service",
        }
    }

    /// The cadre a service is named by, by code or name in full, whatever
    /// the case, spacing or punctuation ("CSS", "Central Secretariat
    /// Service", "central secretariat stenographers service").
    pub fn named(service: &str) -> Option<Cadre> {
        let key = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = key(service);
        Cadre::ALL
            .into_iter()
            .find(|c| key(c.as_str()) == wanted || key(c.service_name()) == wanted)
    }
}

crate::sql::sql_text!(Cadre, Cadre::from_str);

impl fmt::Display for Cadre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}'")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

impl FromStr for Cadre {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cadre::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownValue {
                what: "cadre",
                value: s.to_owned(),
            })
    }
}

/// One grade of a cadre, with its 6th CPC grade pay / band and 7th CPC level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    pub code: String,
    pub cadre: Cadre,
    pub name: String,
    pub old_name: String,
    pub group: String,
    pub grade_pay_6cpc: u32,
    pub pay_band_6cpc: String,
    pub level_7cpc: String,
    /// A non-functional scale: reached by service in the grade below, not by promotion.
    pub non_functional: bool,
}

#[derive(Deserialize)]
struct GradeRow {
    code: String,
    service: String,
    grade: String,
    old_name: String,
    group: String,
    grade_pay_6cpc: u32,
    pay_band_6cpc: String,
    level_7cpc: String,
}

const GRADES_CSV: &str = include_str!("../../../data/reference/cadre_grades.csv");

fn parse_grades() -> Result<Vec<Grade>, String> {
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(GRADES_CSV.as_bytes()).deserialize::<GradeRow>() {
        let row = row.map_err(|e| e.to_string())?;
        let cadre = row.service.parse::<Cadre>().map_err(|e| e.to_string())?;
        out.push(Grade {
            non_functional: row.code.ends_with("_NFS"),
            code: row.code,
            cadre,
            name: row.grade,
            old_name: row.old_name,
            group: row.group,
            grade_pay_6cpc: row.grade_pay_6cpc,
            pay_band_6cpc: row.pay_band_6cpc,
            level_7cpc: row.level_7cpc,
        });
    }
    Ok(out)
}

/// All grades of all cadres, in hierarchy order within each cadre.
pub fn grades() -> &'static [Grade] {
    static GRADES: OnceLock<Vec<Grade>> = OnceLock::new();
    // The file is compiled in and checked by a test; an unparsable file
    // yields no grades rather than a panic at run time.
    GRADES.get_or_init(|| parse_grades().unwrap_or_default())
}

/// The grade with this code, if it belongs to the cadre.
pub fn grade(cadre: Cadre, code: &str) -> Result<&'static Grade, UnknownValue> {
    grades()
        .iter()
        .find(|g| g.cadre == cadre && g.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| UnknownValue {
            what: "grade",
            value: format!("{code} in {cadre}"),
        })
}

/// The grade whose posts an officer of grade `code` holds: a non-functional
/// scale is a pay scale of its functional grade, not a post of its own
/// (`SO_NFS` is a Section Officer, `PS_NFS` a Private Secretary).
pub fn functional_grade(code: &str) -> &str {
    code.strip_suffix("_NFS").unwrap_or(code)
}

/// The grades of one cadre, lowest first.
pub fn grades_of(cadre: Cadre) -> impl Iterator<Item = &'static Grade> {
    grades().iter().filter(move |g| g.cadre == cadre)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_file_parses_with_every_cadre() {
        assert_eq!(parse_grades().map(|g| g.len()), Ok(16));
        for c in Cadre::ALL {
            assert!(grades_of(c).count() >= 2, "{c}");
        }
    }

    #[test]
    fn grade_lookup_is_per_cadre() {
        let so = grade(Cadre::Css, "so");
        assert_eq!(so.map(|g| g.level_7cpc.as_str()), Ok("8"));
        assert!(grade(Cadre::Cscs, "SO").is_err());
        assert_eq!(
            grade(Cadre::Css, "SO_NFS").map(|g| g.non_functional),
            Ok(true)
        );
    }

    #[test]
    fn cadre_parses_case_insensitively() {
        assert_eq!("csss".parse::<Cadre>(), Ok(Cadre::Csss));
        assert!("IAS".parse::<Cadre>().is_err());
    }
}
