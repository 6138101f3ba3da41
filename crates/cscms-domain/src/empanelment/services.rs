//! Services whose officers are considered under the Central Staffing Scheme.
//!
//! The 37 participating services are data (CSS-9), copied from seed 001 into
//! `data/reference/css_participating_services.csv`; the `code` column is this
//! project's. The Central Secretariat Service is not on that list but its
//! officers are eligible on their own terms (CSS-1), so it is added here.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::employee::string_enum;

string_enum!(
    /// How a service's officers qualify under CSS-1.
    ServiceKind, "service kind" {
        // All India Services: a batch qualifies once one of its officers holds SAG in any state cadre.
        AllIndia = "all_india",
        // Organised Group 'A' services: SAG in the parent cadre, or on the ACC SAG panel with a junior appointed.
        GroupA = "group_a",
        // Central Secretariat Service: 8 years in the Selection Grade and 3 years found suitable for Director.
        CentralSecretariat = "central_secretariat",
    }
);

/// One service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Serial number in DoPT's list of participating services; 0 for CSS, which is not on it.
    pub seq: u8,
    pub code: String,
    pub name: String,
    pub kind: ServiceKind,
}

/// The code of the Central Secretariat Service.
pub const CSS_CODE: &str = "CSS";

const SERVICES_CSV: &str =
    include_str!("../../../../data/reference/css_participating_services.csv");

fn parse_services() -> Result<Vec<Service>, String> {
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(SERVICES_CSV.as_bytes()).deserialize::<Service>() {
        out.push(row.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

fn registry() -> &'static [Service] {
    static ALL: OnceLock<Vec<Service>> = OnceLock::new();
    ALL.get_or_init(|| {
        // The file is compiled in and pinned by a test; an unparsable file
        // yields only CSS rather than a panic at run time.
        let mut all = parse_services().unwrap_or_default();
        all.push(Service {
            seq: 0,
            code: CSS_CODE.to_owned(),
            name: "Central Secretariat Service".to_owned(),
            kind: ServiceKind::CentralSecretariat,
        });
        all
    })
}

/// The participating services of CSS-9, in the seed's order.
pub fn participating_services() -> impl Iterator<Item = &'static Service> {
    registry()
        .iter()
        .filter(|s| s.kind != ServiceKind::CentralSecretariat)
}

/// A service considered under the Scheme (a participating service or CSS), by code.
pub fn service(code: &str) -> Option<&'static Service> {
    registry()
        .iter()
        .find(|s| s.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_seven_participating_services_as_in_seed_001() {
        let all = parse_services().unwrap();
        assert_eq!(all.len(), 37);
        let seqs: Vec<u8> = all.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, (1..=37).collect::<Vec<u8>>());
        let mut codes: Vec<&str> = all.iter().map(|s| s.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 37, "codes are unique");
        let ais: Vec<&str> = all
            .iter()
            .filter(|s| s.kind == ServiceKind::AllIndia)
            .map(|s| s.code.as_str())
            .collect();
        assert_eq!(ais, ["IAS", "IFOS", "IPS"]);
        assert_eq!(
            all.last().map(|s| s.name.as_str()),
            Some("Geological Survey of India, Group 'A' Service")
        );
    }

    #[test]
    fn lookup_includes_css_but_not_as_participating() {
        assert_eq!(participating_services().count(), 37);
        assert_eq!(
            service("css").map(|s| s.kind),
            Some(ServiceKind::CentralSecretariat)
        );
        assert_eq!(
            service("IRS_IT").map(|s| s.name.as_str()),
            Some("Indian Revenue Service(IT)")
        );
        assert!(service("IFS").is_none());
    }
}
