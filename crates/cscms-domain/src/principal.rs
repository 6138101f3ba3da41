//! Who is calling.
//!
//! What a caller may see and do is decided in [`crate::scope`], never here
//! and never in a handler.

use serde::Serialize;

use crate::employee::{string_enum, EmployeeCode};
use crate::organisation::OrgId;

string_enum!(
    /// The role a token carries (SPEC §0).
    Role, "role" {
        Employee = "employee",
        NodalOfficer = "nodal_officer",
        SubNodalOfficer = "sub_nodal_officer",
        Avd = "avd",
        Dopt = "dopt",
        Integration = "integration",
    }
);

string_enum!(
    /// Who made a change, as the audit trail records it: a caller by the
    /// role of their token, or the service itself (the webhook worker
    /// disabling a subscription).
    ActorRole, "actor role" {
        Employee = "employee",
        NodalOfficer = "nodal_officer",
        SubNodalOfficer = "sub_nodal_officer",
        Avd = "avd",
        Dopt = "dopt",
        Integration = "integration",
        System = "system",
    }
);

impl From<Role> for ActorRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Employee => ActorRole::Employee,
            Role::NodalOfficer => ActorRole::NodalOfficer,
            Role::SubNodalOfficer => ActorRole::SubNodalOfficer,
            Role::Avd => ActorRole::Avd,
            Role::Dopt => ActorRole::Dopt,
            Role::Integration => ActorRole::Integration,
        }
    }
}

/// Scopes an integration client may be granted, split by purpose: each
/// reads or writes one family of records and nothing else (see
/// [`crate::scope`]). [`ALL`](scopes::ALL) lists them with their meaning for the
/// contract and the README.
pub mod scopes {
    /// The service record: name, grade, pay, organisation, career, MACP and NFS.
    pub const EMPLOYEES_READ: &str = "employees:read";
    /// The profile's personal details: contact, addresses, family (PRF-1).
    pub const PROFILES_READ: &str = "profiles:read";
    /// Vigilance status and clearance (VIG-1).
    pub const VIGILANCE_READ: &str = "vigilance:read";
    /// Organisations, their officers and deputation advertisements.
    pub const ORGANISATIONS_READ: &str = "organisations:read";
    /// Read APARs (CSS-2), including those inside an empanelment run's inputs.
    pub const APAR_READ: &str = "apar:read";
    /// SPARROW: import APARs in bulk.
    pub const APAR_WRITE: &str = "apar:write";
    /// Read empanelment batches, proposals, runs and reviews due.
    pub const EMPANELMENT_READ: &str = "empanelment:read";
    /// Create batches, send proposals and run batches.
    pub const EMPANELMENT_WRITE: &str = "empanelment:write";

    /// iGOT: read employees' areas of interest and the demand they make (AOI-1).
    pub const INTERESTS_READ: &str = "interests:read";

    /// Operations: scrape the service's Prometheus metrics (`/metrics`). No record.
    pub const METRICS_READ: &str = "metrics:read";

    /// Every scope with what it grants.
    pub const ALL: &[(&str, &str)] = &[
        (EMPLOYEES_READ, "Read the service record: name, grade, pay, organisation, career events, MACP and NFS decisions. Not personal details, vigilance, APARs, property returns, foreign visits or deputation applications."),
        (PROFILES_READ, "Read profiles: personal details, contact, addresses and family (PRF-1)."),
        (VIGILANCE_READ, "Read vigilance status and vigilance clearance (VIG-1)."),
        (ORGANISATIONS_READ, "Read organisations, their officers and deputation advertisements."),
        (APAR_READ, "Read APARs (CSS-2), also inside an empanelment run's inputs."),
        (APAR_WRITE, "Import APARs in bulk (SPARROW); does not read them back."),
        (EMPANELMENT_READ, "Read empanelment batches, proposals, runs and reviews due (CSS-3, CSS-10); a run's inputs also need apar:read."),
        (EMPANELMENT_WRITE, "Create empanelment batches, send proposals and run batches; includes empanelment:read."),
        (INTERESTS_READ, "Read employees' ranked areas of interest and the training demand by area, grade and ministry (AOI-1; iGOT)."),
        (METRICS_READ, "Operations: read the service's Prometheus metrics at /metrics (request counts and latencies per route, the database pool). No record of anyone."),
    ];
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The token subject (a person's e-Parichay id or a client id).
    pub sub: String,
    pub role: Role,
    /// The organisation of a nodal or sub-nodal officer.
    pub org: Option<OrgId>,
    /// The employee code of an employee.
    pub employee: Option<EmployeeCode>,
    /// Scopes of an integration client.
    pub scopes: Vec<String>,
}

impl Principal {
    /// An integration client with its scopes as registered or granted
    /// (space-separated, RFC 6749 §3.3).
    pub fn client(client_id: &str, scopes: &str) -> Self {
        Self {
            sub: client_id.to_owned(),
            role: Role::Integration,
            org: None,
            employee: None,
            scopes: scopes
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The caller's own employee code, when the caller is an employee.
    pub fn own_employee(&self) -> Option<&EmployeeCode> {
        self.employee
            .as_ref()
            .filter(|_| self.role == Role::Employee)
    }

    /// The caller's organisation, when the caller is a nodal or sub-nodal officer.
    pub fn officer_org(&self) -> Option<&OrgId> {
        self.org
            .as_ref()
            .filter(|_| matches!(self.role, Role::NodalOfficer | Role::SubNodalOfficer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_is_recorded_as_the_actor_role_of_its_name() {
        for role in Role::ALL {
            assert_eq!(ActorRole::from(*role).as_str(), role.as_str());
            assert_eq!(
                role.as_str().parse::<ActorRole>().ok(),
                Some(ActorRole::from(*role))
            );
        }
        assert!(Role::ALL
            .iter()
            .all(|r| r.as_str() != ActorRole::System.as_str()));
    }
}
