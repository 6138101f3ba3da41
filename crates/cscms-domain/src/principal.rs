//! Who is calling, and the one rule that says which records they may see.
//!
//! Handlers never hand-roll scope checks: they ask [`Principal::sees`] for a
//! single record, or [`Principal::visibility`] to filter a list in the store.
//! Out-of-scope records are reported as absent (404), never as forbidden.

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

/// Scopes an integration client may be granted.
pub mod scopes {
    pub const EMPLOYEES_READ: &str = "employees:read";
    pub const ORGANISATIONS_READ: &str = "organisations:read";
    /// SPARROW: import APARs in bulk.
    pub const APAR_WRITE: &str = "apar:write";
    /// Read empanelment batches, proposals, runs and reviews due.
    pub const EMPANELMENT_READ: &str = "empanelment:read";
    /// Create batches, send proposals and run batches.
    pub const EMPANELMENT_WRITE: &str = "empanelment:write";
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

/// Where a record sits, as far as scope is concerned.
#[derive(Debug, Clone, Copy)]
pub struct RecordPlace<'a> {
    pub org: &'a OrgId,
    /// The parent of `org` when it is a sub-organisation.
    pub org_parent: Option<&'a OrgId>,
    /// The employee the record belongs to, if it is an employee's record.
    pub employee: Option<&'a EmployeeCode>,
}

/// What part of the employee records a caller may see, for list queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Employees of this organisation and of the organisations under it.
    OrgTree(OrgId),
    /// Only this employee.
    Employee(EmployeeCode),
    Nothing,
}

impl Principal {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The employee records this caller may see.
    pub fn visibility(&self) -> Visibility {
        match (self.role, &self.org, &self.employee) {
            (Role::Avd | Role::Dopt, _, _) => Visibility::All,
            (Role::Integration, _, _) if self.has_scope(scopes::EMPLOYEES_READ) => Visibility::All,
            (Role::NodalOfficer, Some(org), _) => Visibility::OrgTree(org.clone()),
            (Role::Employee, _, Some(code)) => Visibility::Employee(code.clone()),
            // A sub-nodal officer sees applications to its advertisements (DEP-1),
            // not employee records as such.
            _ => Visibility::Nothing,
        }
    }

    /// Whether this caller may see a record placed so.
    pub fn sees(&self, place: RecordPlace<'_>) -> bool {
        match self.visibility() {
            Visibility::All => true,
            Visibility::OrgTree(org) => place.org == &org || place.org_parent == Some(&org),
            Visibility::Employee(code) => place.employee == Some(&code),
            Visibility::Nothing => false,
        }
    }

    /// APARs are confidential: the employee sees their own, DoPT all,
    /// nobody else (not nodal officers, not AVD) any.
    pub fn sees_apars_of(&self, employee: &EmployeeCode) -> bool {
        match self.role {
            Role::Dopt => true,
            Role::Employee => self.employee.as_ref() == Some(employee),
            _ => false,
        }
    }

    /// DoPT enters or corrects one APAR (the cadre authority's record).
    pub fn may_write_apar(&self) -> bool {
        self.role == Role::Dopt
    }

    /// Bulk import of APARs: integration clients granted `apar:write` (SPARROW).
    pub fn may_import_apars(&self) -> bool {
        self.role == Role::Integration && self.has_scope(scopes::APAR_WRITE)
    }

    /// Empanelment batches, proposals and runs (CSS-3, CSS-10): DoPT, or an
    /// integration client granted the scope. Nobody else sees them at all.
    pub fn may_read_empanelment(&self) -> bool {
        match self.role {
            Role::Dopt => true,
            Role::Integration => {
                self.has_scope(scopes::EMPANELMENT_READ)
                    || self.has_scope(scopes::EMPANELMENT_WRITE)
            }
            _ => false,
        }
    }

    /// Creating batches, sending proposals, running: as [`Self::may_read_empanelment`],
    /// integration clients only with `empanelment:write`.
    pub fn may_manage_empanelment(&self) -> bool {
        match self.role {
            Role::Dopt => true,
            Role::Integration => self.has_scope(scopes::EMPANELMENT_WRITE),
            _ => false,
        }
    }

    /// Whether this caller may see a record that has also been sent to an
    /// organisation outside its place: a deputation application, which the
    /// borrowing organisation's sub-nodal officer sees once approved (DEP-1).
    pub fn sees_shared(&self, place: RecordPlace<'_>, shared_with: Option<&OrgId>) -> bool {
        self.sees(place)
            || (self.role == Role::SubNodalOfficer
                && shared_with.is_some()
                && self.org.as_ref() == shared_with)
    }

    /// Whether this caller may see an organisation's own record: officers see
    /// their organisation, its parent and its children; central roles all.
    pub fn sees_organisation(&self, org: &OrgId, parent: Option<&OrgId>) -> bool {
        match self.role {
            Role::Avd | Role::Dopt | Role::Employee => true,
            Role::Integration => self.has_scope(scopes::ORGANISATIONS_READ),
            Role::NodalOfficer | Role::SubNodalOfficer => self
                .org
                .as_ref()
                .is_some_and(|own| own == org || parent == Some(own)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }
    fn code(s: &str) -> EmployeeCode {
        EmployeeCode::parse(s).unwrap()
    }
    fn who(role: Role, o: Option<&str>, e: Option<&str>, scopes: &[&str]) -> Principal {
        Principal {
            sub: "t".into(),
            role,
            org: o.map(org),
            employee: e.map(code),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn each_role_against_in_and_out_of_scope_records() {
        let mha = org("MHA");
        let ndma = org("MHA-NDMA");
        let mof = org("MOF");
        let mine = code("CSS-000001");
        let other = code("CSS-000002");
        let in_mha = RecordPlace {
            org: &mha,
            org_parent: None,
            employee: Some(&mine),
        };
        let in_ndma = RecordPlace {
            org: &ndma,
            org_parent: Some(&mha),
            employee: Some(&other),
        };
        let in_mof = RecordPlace {
            org: &mof,
            org_parent: None,
            employee: Some(&other),
        };

        let emp = who(Role::Employee, None, Some("CSS-000001"), &[]);
        assert!(emp.sees(in_mha) && !emp.sees(in_ndma) && !emp.sees(in_mof));

        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        assert!(nodal.sees(in_mha) && nodal.sees(in_ndma) && !nodal.sees(in_mof));

        for central in [Role::Avd, Role::Dopt] {
            let p = who(central, None, None, &[]);
            assert!(p.sees(in_mha) && p.sees(in_mof));
        }

        let sub = who(Role::SubNodalOfficer, Some("MHA-NDMA"), None, &[]);
        assert!(!sub.sees(in_ndma));
        // ... unless the record was sent to its organisation (DEP-1).
        assert!(sub.sees_shared(in_mof, Some(&ndma)));
        assert!(!sub.sees_shared(in_mof, Some(&mha)) && !sub.sees_shared(in_mof, None));
        assert!(!nodal.sees_shared(in_mof, Some(&mha)));

        let bare = who(Role::Integration, None, None, &[]);
        assert!(!bare.sees(in_mha));
        let reader = who(Role::Integration, None, None, &[scopes::EMPLOYEES_READ]);
        assert!(reader.sees(in_mof));

        // A nodal officer without an organisation sees nothing.
        let orphan = who(Role::NodalOfficer, None, None, &[]);
        assert_eq!(orphan.visibility(), Visibility::Nothing);
    }

    #[test]
    fn apars_and_empanelment_access() {
        let mine = code("CSS-000001");
        let other = code("CSS-000002");
        let emp = who(Role::Employee, None, Some("CSS-000001"), &[]);
        assert!(emp.sees_apars_of(&mine) && !emp.sees_apars_of(&other));
        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        assert!(!nodal.sees_apars_of(&mine));
        assert!(!who(Role::Avd, None, None, &[]).sees_apars_of(&mine));
        let dopt = who(Role::Dopt, None, None, &[]);
        assert!(dopt.sees_apars_of(&other) && dopt.may_write_apar());
        assert!(!dopt.may_import_apars());
        let sparrow = who(Role::Integration, None, None, &[scopes::APAR_WRITE]);
        assert!(sparrow.may_import_apars() && !sparrow.sees_apars_of(&mine));
        assert!(!who(Role::Integration, None, None, &[]).may_import_apars());

        assert!(dopt.may_read_empanelment() && dopt.may_manage_empanelment());
        let reader = who(Role::Integration, None, None, &[scopes::EMPANELMENT_READ]);
        assert!(reader.may_read_empanelment() && !reader.may_manage_empanelment());
        let writer = who(Role::Integration, None, None, &[scopes::EMPANELMENT_WRITE]);
        assert!(writer.may_read_empanelment() && writer.may_manage_empanelment());
        assert!(!emp.may_read_empanelment() && !nodal.may_read_empanelment());
        assert!(!sparrow.may_read_empanelment());
    }
}
