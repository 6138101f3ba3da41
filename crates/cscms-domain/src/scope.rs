//! The one place that says who may see and do what (SPEC §0).
//!
//! Two questions, answered separately:
//! - **May the caller see this record?** One visibility function per record
//!   [`Family`] ([`visibility`], [`sees`], [`sees_organisation`]). A record
//!   outside scope is reported as absent (404), never as forbidden.
//! - **May the caller perform this operation?** One table, [`Op::grant`]:
//!   which roles, and which integration scopes, may call it. A caller who sees
//!   the record but may not act on it is refused (403).
//!
//! Handlers ask these; they never test a role themselves.

use crate::employee::EmployeeCode;
use crate::organisation::OrgId;
use crate::principal::{scopes, Principal, Role};

/// What part of a family's records a caller may see, for list queries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Visibility {
    All,
    /// Records of employees of this organisation and of the organisations under it.
    OrgTree(OrgId),
    /// Only this employee's records.
    Employee(EmployeeCode),
    Nothing,
}

/// Where an employee's record sits, as far as scope is concerned.
#[derive(Debug, Clone, Copy)]
pub struct RecordPlace<'a> {
    /// The employee's organisation.
    pub org: &'a OrgId,
    /// The parent of `org` when it is a sub-organisation.
    pub org_parent: Option<&'a OrgId>,
    /// The employee the record belongs to.
    pub employee: &'a EmployeeCode,
    /// An organisation outside the employee's place the record has been sent
    /// to: a deputation application, which the borrowing organisation's
    /// sub-nodal officer sees once approved (DEP-1).
    pub shared_with: Option<&'a OrgId>,
}

/// Where an organisation-level record sits.
#[derive(Debug, Clone, Copy)]
pub struct OrgPlace<'a> {
    pub id: &'a OrgId,
    pub parent: Option<&'a OrgId>,
    /// The organisations under `id` (needed only for [`Family::Organisation`]:
    /// an officer of a body also sees the ministry above it).
    pub children: &'a [OrgId],
}

/// Families of records, each with its own visibility rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The service record: the employee, pay, career, MACP and NFS.
    ServiceRecord,
    /// The profile's personal details: contact, addresses, family (PRF-1).
    Profile,
    /// Vigilance status and clearance (VIG-1).
    Vigilance,
    /// Annual immovable property returns: kept secret (Rule 18; IPR-1), so
    /// no integration client reads them.
    PropertyReturn,
    /// APARs (CSS-2): confidential; the employee sees their own, DoPT all,
    /// nobody else (not nodal officers, not AVD) any.
    Apar,
    /// Foreign visit requests (FV-1).
    ForeignVisit,
    /// Deputation applications (DEP-1), shared with the borrowing organisation.
    DeputationApplication,
    /// Organisations themselves: officers see their own, its parent and its children.
    Organisation,
    /// Deputation advertisements: officers see their organisation's and those
    /// of the bodies under it.
    Advertisement,
    /// Working strength (PRF-3): the nodal officer (of the organisation or of
    /// the ministry above it), AVD and DoPT. It is the organisation's: a
    /// caller who sees the organisation but not this is refused (403), not
    /// told the organisation is absent.
    WorkingStrength,
    /// Surplus Cell NOC/NAC requisitions and their nominations (SUR-1):
    /// the office's own, a ministry's and its bodies', DoPT all.
    SurplusRequisition,
    /// An employee's ranked areas of interest (AOI-1): the employee, the
    /// nodal officer, DoPT and iGOT (`interests:read`); not AVD.
    Interest,
    /// Ex-gratia cases (EXG-1): a register DoPT keeps; nobody else sees it.
    ExGratiaCase,
    /// The cadre division's register of RTI requests (RTI-1): DoPT's alone.
    RtiRequest,
    /// DELPGE reimbursement claims and the ledger of units (TRN-1): the
    /// employee, the nodal officer who approves them, DoPT; not AVD.
    TrainingClaim,
    /// An officer's list of preferences in a rotation round (ROT-1): the
    /// officer, the nodal officer of their ministry, DoPT; not AVD.
    RotationPreference,
    /// An employee's request to be posted with their spouse (SPO-1): the
    /// employee, the nodal officer who decides it, DoPT which hears the
    /// representation; not AVD.
    SpousePosting,
}

impl Family {
    pub const ALL: &'static [Family] = &[
        Family::ServiceRecord,
        Family::Profile,
        Family::Vigilance,
        Family::PropertyReturn,
        Family::Apar,
        Family::ForeignVisit,
        Family::DeputationApplication,
        Family::Organisation,
        Family::Advertisement,
        Family::WorkingStrength,
        Family::SurplusRequisition,
        Family::Interest,
        Family::ExGratiaCase,
        Family::RtiRequest,
        Family::TrainingClaim,
        Family::RotationPreference,
        Family::SpousePosting,
    ];

    /// The integration scope that lets a client see this family, if any does.
    pub const fn integration_scope(self) -> Option<&'static str> {
        match self {
            Family::ServiceRecord => Some(scopes::EMPLOYEES_READ),
            Family::Profile => Some(scopes::PROFILES_READ),
            Family::Vigilance => Some(scopes::VIGILANCE_READ),
            Family::Apar => Some(scopes::APAR_READ),
            Family::Organisation | Family::Advertisement => Some(scopes::ORGANISATIONS_READ),
            Family::Interest => Some(scopes::INTERESTS_READ),
            Family::PropertyReturn
            | Family::ExGratiaCase
            | Family::RtiRequest
            | Family::TrainingClaim
            | Family::RotationPreference
            | Family::SpousePosting
            | Family::ForeignVisit
            | Family::DeputationApplication
            | Family::WorkingStrength
            | Family::SurplusRequisition => None,
        }
    }
}

impl Family {
    /// A register DoPT keeps for itself (EXG-1, RTI-1): DoPT sees every
    /// record, nobody else any.
    pub const fn is_register(self) -> bool {
        matches!(self, Family::ExGratiaCase | Family::RtiRequest)
    }
}

/// Whether this caller sees the records of a DoPT register.
pub fn sees_register(who: &Principal, family: Family) -> bool {
    family.is_register() && visibility(who, family) == Visibility::All
}

/// The records of an employee-anchored family this caller may see.
pub fn visibility(who: &Principal, family: Family) -> Visibility {
    let confidential = family == Family::Apar;
    if family.is_register() {
        return if who.role == Role::Dopt {
            Visibility::All
        } else {
            Visibility::Nothing
        };
    }
    match (who.role, &who.org, &who.employee) {
        (Role::Dopt, _, _) => Visibility::All,
        // AVD reads what vigilance needs, not training (AOI-1, TRN-1).
        (Role::Avd, _, _)
            if !confidential
                && !matches!(
                    family,
                    Family::Interest
                        | Family::TrainingClaim
                        | Family::RotationPreference
                        | Family::SpousePosting
                ) =>
        {
            Visibility::All
        }
        (Role::Integration, _, _)
            if family.integration_scope().is_some_and(|s| who.has_scope(s)) =>
        {
            Visibility::All
        }
        (Role::NodalOfficer, Some(org), _) if !confidential => Visibility::OrgTree(org.clone()),
        (Role::Employee, _, Some(code)) => Visibility::Employee(code.clone()),
        // A sub-nodal officer sees applications sent to its organisation
        // (DEP-1, through `shared_with`), not employee records as such.
        _ => Visibility::Nothing,
    }
}

/// Whether this caller may see an employee's record of `family`.
pub fn sees(who: &Principal, family: Family, place: RecordPlace<'_>) -> bool {
    let by_place = match visibility(who, family) {
        Visibility::All => true,
        Visibility::OrgTree(org) => place.org == &org || place.org_parent == Some(&org),
        Visibility::Employee(code) => place.employee == &code,
        Visibility::Nothing => false,
    };
    by_place
        || (family == Family::DeputationApplication
            && who.role == Role::SubNodalOfficer
            && place.shared_with.is_some()
            && who.org.as_ref() == place.shared_with)
}

/// Whether this caller may see an organisation-level record of `family`.
pub fn sees_organisation(who: &Principal, family: Family, place: OrgPlace<'_>) -> bool {
    let integration = || family.integration_scope().is_some_and(|s| who.has_scope(s));
    let own = who.org.as_ref();
    let own_or_under = || own.is_some_and(|o| o == place.id || place.parent == Some(o));
    match (family, who.role) {
        (f, _) if f.is_register() => sees_register(who, f),
        (_, Role::Integration) => integration(),
        (Family::WorkingStrength, Role::Avd | Role::Dopt) => true,
        (Family::WorkingStrength, Role::NodalOfficer) => own_or_under(),
        (Family::WorkingStrength, _) => false,
        // SUR-1: an office's requisitions are its own, its ministry's
        // (which forwards them) and DoPT's business; not AVD's or employees'.
        (Family::SurplusRequisition, Role::Dopt) => true,
        (Family::SurplusRequisition, Role::NodalOfficer | Role::SubNodalOfficer) => own_or_under(),
        (Family::SurplusRequisition, _) => false,
        (_, Role::Avd | Role::Dopt | Role::Employee) => true,
        (Family::Organisation, Role::NodalOfficer | Role::SubNodalOfficer) => {
            own_or_under() || own.is_some_and(|o| place.children.contains(o))
        }
        (_, Role::NodalOfficer | Role::SubNodalOfficer) => own_or_under(),
    }
}

/// What part of an organisation-level family a caller may see, for list
/// queries: the same rule as [`sees_organisation`] for the families whose
/// records sit in one organisation and are seen down the tree.
pub fn org_visibility(who: &Principal, family: Family) -> Visibility {
    match (family, who.role, who.officer_org()) {
        (Family::SurplusRequisition, Role::Dopt, _) => Visibility::All,
        (Family::SurplusRequisition, Role::NodalOfficer | Role::SubNodalOfficer, Some(org)) => {
            Visibility::OrgTree(org.clone())
        }
        // DEP-2: advertisements are open to every employee, AVD and DoPT;
        // an office sees its own and a ministry those of its bodies.
        (Family::Advertisement, Role::Avd | Role::Dopt | Role::Employee, _) => Visibility::All,
        (Family::Advertisement, Role::NodalOfficer | Role::SubNodalOfficer, Some(org)) => {
            Visibility::OrgTree(org.clone())
        }
        (Family::Advertisement, Role::Integration, _)
            if family.integration_scope().is_some_and(|s| who.has_scope(s)) =>
        {
            Visibility::All
        }
        _ => Visibility::Nothing,
    }
}

/// Who may call an operation: roles, and for integration clients the scopes
/// (any one of the alternatives, each a set held together).
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub roles: &'static [Role],
    pub scopes: &'static [&'static [&'static str]],
    /// What the caller is told when refused.
    pub refusal: &'static str,
}

/// Operations gated by role or scope. Reading a visible record is not here:
/// visibility answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    CreateOrganisation,
    /// Only for the caller's own ministry (see [`permits_for`]).
    OnboardSubOrganisation,
    /// PRF-3: read an organisation's working strength, once the caller
    /// sees the organisation itself.
    ReadWorkingStrength,
    EditWorkingStrength,
    /// PRF-3: record the working strength as validated.
    ValidateWorkingStrength,
    RecordVigilanceStatus,
    /// Edit, correct, submit, validate or return a profile.
    ChangeProfile,
    ListPendingProfiles,
    OpenValidationRound,
    ListValidationRounds,
    ListOwnForeignVisits,
    ListPendingForeignVisits,
    ListOwnApplications,
    ListApplicationsPendingMinistry,
    ListApplicationsPendingDopt,
    ListApplicationsReceived,
    FilePropertyReturn,
    /// IPR-1: record a return the employee handed in outside CSCMS.
    RecordReceivedPropertyReturn,
    ListPropertyReturns,
    ImportApars,
    WriteApar,
    ReadEmpanelment,
    /// What shows the officers' APARs — the proposals, a run's inputs and
    /// the gradings behind a run's scores: `apar:read` as well.
    ReadEmpanelmentApars,
    /// One proposal: shown to those who may read the APARs, and to those
    /// who may replace it (they must name its version, PRF-4).
    ReadProposal,
    ManageEmpanelment,
    ReadAudit,
    /// ROT-2: record a new set of the two ministry groups.
    ManageMinistryGroups,
    /// SUR-1: an office drafts a requisition for its own posts.
    DraftSurplusRequisition,
    ListSurplusRequisitions,
    /// SUR-1: the office records the appointment of a nominated employee.
    RecordSurplusAppointment,
    /// SUR-1, certificate 11: DoPT and the office's ministry watch the clock.
    ListOverdueNominations,
    /// Record and list ex-gratia cases (EXG-1).
    ManageExGratiaCases,
    /// Keep the register of RTI requests (RTI-1).
    ManageRtiRegister,
    /// Maintain the competency catalogue (AOI-1).
    EditCompetencyCatalogue,
    /// Record one's own areas of interest (AOI-1).
    EditOwnInterests,
    /// Training demand by area, grade and ministry (AOI-1).
    ReadInterestDemand,
    /// Notify a DELPGE programme (TRN-1).
    NotifyProgramme,
    /// Read the DELPGE programmes notified (TRN-1).
    ReadProgrammes,
    /// Enrol in a programme, or claim reimbursement for it (TRN-1).
    EnrolInProgramme,
    /// Approve or reject a reimbursement claim for payment (TRN-1).
    DecideTrainingClaim,
    /// Register, read, suspend, resume, rotate and delete integration clients.
    ManageClients,
    /// Operations: the service's Prometheus metrics (issue 14).
    ReadMetrics,
    /// AOI-1: one node of the competency catalogue, with its version.
    ReadCatalogueNode,
    /// The change feed; which changes each caller reads is [`crate::feed::scope`].
    ReadChanges,
    /// Webhook subscriptions of integration clients: create, read, rotate,
    /// disable, enable, delete, deliveries, redelivery, ping.
    ManageWebhooks,
    /// ROT-1: announce, amend or cancel a rotation round.
    ManageRotationRounds,
    /// ROT-1: read the rounds announced (people of the cadres and offices).
    ReadRotationRounds,
    /// ROT-1: give one's own list of preferences in a round.
    SubmitRotationPreferences,
    /// ROT-1: who has and has not given preferences, where the caller sees them.
    ReadRotationSubmissions,
    /// ROT-1: vacancies of a round, and its allocation runs.
    RunRotationAllocation,
    /// SPO-1: ask to be posted with one's spouse, and list one's own requests.
    RequestSpousePosting,
    /// SPO-1: the requests and representations awaiting the caller's decision.
    ListPendingSpousePostings,
    /// ROT-1: represent against one's own result in a round.
    RepresentAgainstRotation,
    /// ROT-1: hear representations against rotation results.
    HearRotationRepresentations,
    /// ROT-2: record that an officer's promotion is likely within a year.
    RecordPromotionOutlook,
}

const NONE: &[&[&str]] = &[];

impl Op {
    pub const ALL: &'static [Op] = &[
        Op::CreateOrganisation,
        Op::OnboardSubOrganisation,
        Op::ReadWorkingStrength,
        Op::EditWorkingStrength,
        Op::ValidateWorkingStrength,
        Op::RecordVigilanceStatus,
        Op::ChangeProfile,
        Op::ListPendingProfiles,
        Op::OpenValidationRound,
        Op::ListValidationRounds,
        Op::ListOwnForeignVisits,
        Op::ListPendingForeignVisits,
        Op::ListOwnApplications,
        Op::ListApplicationsPendingMinistry,
        Op::ListApplicationsPendingDopt,
        Op::ListApplicationsReceived,
        Op::FilePropertyReturn,
        Op::RecordReceivedPropertyReturn,
        Op::ListPropertyReturns,
        Op::ImportApars,
        Op::WriteApar,
        Op::ReadEmpanelment,
        Op::ReadEmpanelmentApars,
        Op::ReadProposal,
        Op::ManageEmpanelment,
        Op::ReadAudit,
        Op::ManageMinistryGroups,
        Op::DraftSurplusRequisition,
        Op::ListSurplusRequisitions,
        Op::RecordSurplusAppointment,
        Op::ListOverdueNominations,
        Op::ManageExGratiaCases,
        Op::ManageRtiRegister,
        Op::EditCompetencyCatalogue,
        Op::EditOwnInterests,
        Op::ReadInterestDemand,
        Op::NotifyProgramme,
        Op::ReadProgrammes,
        Op::EnrolInProgramme,
        Op::DecideTrainingClaim,
        Op::ManageClients,
        Op::ReadMetrics,
        Op::ReadCatalogueNode,
        Op::ReadChanges,
        Op::ManageWebhooks,
        Op::ManageRotationRounds,
        Op::ReadRotationRounds,
        Op::SubmitRotationPreferences,
        Op::ReadRotationSubmissions,
        Op::RunRotationAllocation,
        Op::RequestSpousePosting,
        Op::ListPendingSpousePostings,
        Op::RepresentAgainstRotation,
        Op::HearRotationRepresentations,
        Op::RecordPromotionOutlook,
    ];

    /// The table.
    pub const fn grant(self) -> Grant {
        use Role::{Avd, Dopt, Employee, NodalOfficer, SubNodalOfficer};
        const fn g(
            roles: &'static [Role],
            scopes: &'static [&'static [&'static str]],
            refusal: &'static str,
        ) -> Grant {
            Grant {
                roles,
                scopes,
                refusal,
            }
        }
        match self {
            Op::CreateOrganisation => g(&[Dopt], NONE, "Only the DoPT cadre authority creates organisations."),
            Op::OnboardSubOrganisation => g(&[NodalOfficer], NONE, "Only the nodal officer of a ministry onboards organisations under it."),
            // PRF-3: the ministry's own figures, for those who keep and watch them.
            Op::ReadWorkingStrength => g(&[NodalOfficer, Avd, Dopt], NONE, "Working strength is read by the nodal officer of the organisation or of its ministry, AVD and DoPT (PRF-3)."),
            Op::EditWorkingStrength => g(&[NodalOfficer, Dopt], NONE, "Only the nodal officer or DoPT enters working strength."),
            // PRF-3: "validated by its nodal officer"; DoPT may enter figures,
            // which then await the nodal officer's validation.
            Op::ValidateWorkingStrength => g(&[NodalOfficer], NONE, "Working strength is validated by the nodal officer of the organisation or of its ministry (PRF-3); DoPT enters figures without validating them."),
            // VIG-1 (seed 000 §3.5): DoPT's CS division decides on the status
            // but does not record it (docs/assumptions.md).
            Op::RecordVigilanceStatus => g(&[NodalOfficer, Avd], NONE, "A vigilance status is recorded by the nodal officer of the employee's organisation or by AVD."),
            Op::ChangeProfile => g(&[Employee, NodalOfficer, Dopt], NONE, "This role does not change profiles."),
            Op::ListPendingProfiles => g(&[NodalOfficer, Dopt], NONE, "Only nodal officers and DoPT validate profiles."),
            Op::OpenValidationRound => g(&[Dopt], NONE, "Only DoPT opens validation rounds."),
            Op::ListValidationRounds => g(&[NodalOfficer, Dopt], NONE, "Only nodal officers and DoPT see validation rounds."),
            Op::ListOwnForeignVisits => g(&[Employee], NONE, "Only employees have requests of their own."),
            Op::ListPendingForeignVisits => g(&[NodalOfficer], NONE, "Only nodal officers decide foreign visits."),
            Op::ListOwnApplications => g(&[Employee], NONE, "Only employees have applications of their own."),
            Op::ListApplicationsPendingMinistry => g(&[NodalOfficer], NONE, "Only nodal officers give cadre clearance."),
            Op::ListApplicationsPendingDopt => g(&[Dopt], NONE, "Only DoPT approves deputations."),
            Op::ListApplicationsReceived => g(&[SubNodalOfficer], NONE, "Only sub-nodal officers receive applications."),
            // IPR-1: the return is the employee's own declaration.
            Op::FilePropertyReturn => g(&[Employee], NONE, "An annual property return is filed by the employee it belongs to."),
            // IPR-1: the office that received the return on paper enters it
            // with the date it was received (seed 000 §3.5 names the same
            // offices for vigilance records).
            Op::RecordReceivedPropertyReturn => g(&[NodalOfficer, Avd], NONE, "A return received outside CSCMS is recorded by the nodal officer of the employee's organisation or by AVD (IPR-1); the employee files their own return in CSCMS."),
            Op::ListPropertyReturns => g(&[Employee, NodalOfficer, SubNodalOfficer, Avd, Dopt], NONE, "Property returns are read by the employee, their nodal officer, DoPT and AVD only."),
            Op::ImportApars => g(&[], &[&[scopes::APAR_WRITE]], "Only an integration client granted the scope apar:write (SPARROW) imports APARs."),
            Op::WriteApar => g(&[Dopt], NONE, "Only DoPT enters or corrects an APAR; SPARROW imports them."),
            // CSS-3, CSS-10.
            Op::ReadEmpanelment => g(&[Dopt], &[&[scopes::EMPANELMENT_READ], &[scopes::EMPANELMENT_WRITE]], "Empanelment is for DoPT; integration clients need the scope empanelment:read."),
            Op::ReadEmpanelmentApars => g(&[Dopt], &[&[scopes::EMPANELMENT_READ, scopes::APAR_READ], &[scopes::EMPANELMENT_WRITE, scopes::APAR_READ]], "Proposals, a run's inputs and the gradings behind its scores show APARs: an integration client needs apar:read as well as empanelment:read."),
            Op::ReadProposal => g(&[Dopt], &[&[scopes::EMPANELMENT_READ, scopes::APAR_READ], &[scopes::EMPANELMENT_WRITE]], "A proposal shows APARs: an integration client needs apar:read as well as empanelment:read, or empanelment:write to replace it."),
            Op::ManageEmpanelment => g(&[Dopt], &[&[scopes::EMPANELMENT_WRITE]], "Batches, proposals and runs are made by DoPT; integration clients need the scope empanelment:write."),
            Op::ReadAudit => g(&[Dopt, NodalOfficer], NONE, "Only DoPT and nodal officers read the audit trail."),
            // ROT-2: the groups are DoPT's policy.
            Op::ManageMinistryGroups => g(&[Dopt], NONE, "Only the DoPT cadre authority keeps the ministry groups."),
            Op::DraftSurplusRequisition => g(&[NodalOfficer, SubNodalOfficer], NONE, "A requisition to the Surplus Cell is made by the office that has the vacancies."),
            Op::ListSurplusRequisitions => g(&[NodalOfficer, SubNodalOfficer, Dopt], NONE, "Surplus Cell requisitions are read by the offices, their ministries and DoPT."),
            Op::RecordSurplusAppointment => g(&[NodalOfficer, SubNodalOfficer], NONE, "The appointment of a nominated surplus employee is recorded by the office."),
            Op::ListOverdueNominations => g(&[NodalOfficer, Dopt], NONE, "Overdue nominations are watched by DoPT and the office's ministry."),
            Op::ManageExGratiaCases => g(&[Dopt], NONE, "Ex-gratia cases are DoPT's register."),
            Op::ManageRtiRegister => g(&[Dopt], NONE, "The register of RTI requests is kept by DoPT's cadre division."),
            Op::EditCompetencyCatalogue => g(&[Dopt], NONE, "Only DoPT maintains the competency catalogue."),
            // AOI-1: the employee states their own interests.
            Op::EditOwnInterests => g(&[Employee], NONE, "Areas of interest are recorded by the employee they belong to."),
            Op::NotifyProgramme => g(&[Dopt], NONE, "DELPGE programmes are notified by DoPT."),
            // Notified to every office; no integration scope reads them.
            Op::ReadProgrammes => g(&[Employee, NodalOfficer, SubNodalOfficer, Avd, Dopt], NONE, "DELPGE programmes are for people of the cadres and offices; no integration scope reads them."),
            Op::EnrolInProgramme => g(&[Employee], NONE, "Only an employee enrols and claims, for themselves."),
            // TRN-1: the nodal officer approves the claim for payment.
            Op::DecideTrainingClaim => g(&[NodalOfficer], NONE, "Reimbursement claims are approved by the nodal officer of the employee's ministry."),
            Op::ReadInterestDemand => g(&[Dopt, NodalOfficer], &[&[scopes::INTERESTS_READ]], "Training demand is for DoPT and nodal officers; integration clients need the scope interests:read."),
            // INT-1: DoPT admits the portals and can shut any of them out.
            Op::ManageClients => g(&[Dopt], NONE, "Only DoPT registers and manages integration clients."),
            // Counts and timings of the service, no record: an operations
            // client's scope, or an address in CSCMS_METRICS_ALLOW (api).
            // AOI-1: iGOT is told of catalogue changes on the feed; it reads the node named.
            Op::ReadCatalogueNode => g(&[Employee, NodalOfficer, SubNodalOfficer, Avd, Dopt], &[&[scopes::INTERESTS_READ]], "A catalogue node is read by people of the service; integration clients need the scope interests:read."),
            Op::ReadMetrics => g(&[], &[&[scopes::METRICS_READ]], "Metrics are read by an operations client granted metrics:read, or from an address in CSCMS_METRICS_ALLOW."),
            // INT-1, INT-2: for those who keep others' records in step; an
            // employee reads their own records directly.
            // INT-1, INT-2: a subscription is part of the client's
            // registration, like its scopes: DoPT sets it up and hands the
            // secret over. Clients do not manage their own (no scope grants
            // it), so a stolen client token cannot redirect the pushes.
            Op::ManageWebhooks => g(&[Dopt], NONE, "Only DoPT manages the webhook subscriptions of integration clients."),
            // ROT-1: DoPT announces rounds; the officer gives their own list;
            // the nodal officer watches who has given one.
            Op::ManageRotationRounds => g(&[Dopt], NONE, "Only the DoPT cadre authority announces rotation rounds."),
            Op::ReadRotationRounds => g(&[Employee, NodalOfficer, SubNodalOfficer, Avd, Dopt], NONE, "Rotation rounds are announced to people of the cadres and offices; no integration scope reads them."),
            Op::SubmitRotationPreferences => g(&[Employee], NONE, "Preferences are given by the officer they belong to."),
            Op::ReadRotationSubmissions => g(&[NodalOfficer, Dopt], NONE, "Who has given preferences is for the nodal officer of the ministry and DoPT."),
            Op::RunRotationAllocation => g(&[Dopt], NONE, "The allocation of a round is run by the DoPT cadre authority."),
            // SPO-1: the employee asks; the ministry decides; DoPT hears
            // representations (one level above, para 6).
            Op::RequestSpousePosting => g(&[Employee], NONE, "A posting with one's spouse is requested by the employee."),
            Op::ListPendingSpousePostings => g(&[NodalOfficer, Dopt], NONE, "Spouse-posting requests are decided by the nodal officer of the ministry, representations by DoPT."),
            Op::RepresentAgainstRotation => g(&[Employee], NONE, "A representation against a rotation result is made by the officer it concerns."),
            // Para 6 of OM 28034/9/2009-Estt.(A): above the approver, who is
            // excluded by `rotation::representation::may_hear`.
            Op::HearRotationRepresentations => g(&[Dopt], NONE, "Representations against rotation results are heard in DoPT, above the officer who approved the allocation."),
            // ROT-2: DoPT, which holds the panels and DPCs, knows a promotion is near.
            Op::RecordPromotionOutlook => g(&[Dopt], NONE, "Only the DoPT cadre authority records that an officer's promotion is likely (ROT-2)."),
            Op::ReadChanges => g(&[Dopt, Avd, NodalOfficer], &[&[scopes::EMPLOYEES_READ], &[scopes::PROFILES_READ], &[scopes::VIGILANCE_READ], &[scopes::ORGANISATIONS_READ], &[scopes::APAR_READ], &[scopes::EMPANELMENT_READ], &[scopes::EMPANELMENT_WRITE], &[scopes::INTERESTS_READ]], "The change feed is for DoPT, AVD, nodal officers and integration clients with a read scope."),
        }
    }
}

/// Whether the caller may perform `op` at all.
pub fn permits(who: &Principal, op: Op) -> bool {
    let grant = op.grant();
    if who.role == Role::Integration {
        grant
            .scopes
            .iter()
            .any(|all| all.iter().all(|s| who.has_scope(s)))
    } else {
        grant.roles.contains(&who.role)
    }
}

/// Whether the caller may perform `op` on the organisation `org`: as
/// [`permits`], and an officer only for their own organisation.
pub fn permits_for(who: &Principal, op: Op, org: &OrgId) -> bool {
    let officer = matches!(who.role, Role::NodalOfficer | Role::SubNodalOfficer);
    permits(who, op) && (!officer || who.org.as_ref() == Some(org))
}

/// The role of an organisation's officer: sub-nodal for a body under a
/// ministry, nodal for the ministry or department itself.
pub const fn officer_role(sub_organisation: bool) -> Role {
    if sub_organisation {
        Role::SubNodalOfficer
    } else {
        Role::NodalOfficer
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
        let (mha, ndma, mof) = (org("MHA"), org("MHA-NDMA"), org("MOF"));
        let (mine, other) = (code("CSS-000001"), code("CSS-000002"));
        let place = |o, p, e| RecordPlace {
            org: o,
            org_parent: p,
            employee: e,
            shared_with: None,
        };
        let in_mha = place(&mha, None, &mine);
        let in_ndma = place(&ndma, Some(&mha), &other);
        let in_mof = place(&mof, None, &other);
        let f = Family::ServiceRecord;

        let emp = who(Role::Employee, None, Some("CSS-000001"), &[]);
        assert!(sees(&emp, f, in_mha) && !sees(&emp, f, in_ndma) && !sees(&emp, f, in_mof));

        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        assert!(sees(&nodal, f, in_mha) && sees(&nodal, f, in_ndma) && !sees(&nodal, f, in_mof));

        for central in [Role::Avd, Role::Dopt] {
            let p = who(central, None, None, &[]);
            assert!(sees(&p, f, in_mha) && sees(&p, f, in_mof));
        }

        let sub = who(Role::SubNodalOfficer, Some("MHA-NDMA"), None, &[]);
        assert!(!sees(&sub, f, in_ndma));
        // ... unless an application was sent to its organisation (DEP-1).
        let shared = |to| RecordPlace {
            shared_with: to,
            ..in_mof
        };
        let d = Family::DeputationApplication;
        assert!(sees(&sub, d, shared(Some(&ndma))));
        assert!(!sees(&sub, d, shared(Some(&mha))) && !sees(&sub, d, shared(None)));
        assert!(!sees(&sub, f, shared(Some(&ndma))));
        assert!(!sees(&nodal, d, shared(Some(&mha))));

        // Integration clients: one scope per family.
        let bare = who(Role::Integration, None, None, &[]);
        assert!(!sees(&bare, f, in_mha));
        let reader = who(Role::Integration, None, None, &[scopes::EMPLOYEES_READ]);
        assert!(sees(&reader, f, in_mof));
        for hidden in [
            Family::Profile,
            Family::Vigilance,
            Family::Apar,
            Family::ForeignVisit,
            Family::DeputationApplication,
            Family::PropertyReturn,
        ] {
            assert!(!sees(&reader, hidden, in_mof), "{hidden:?}");
        }
        let profiles = who(Role::Integration, None, None, &[scopes::PROFILES_READ]);
        assert!(sees(&profiles, Family::Profile, in_mof) && !sees(&profiles, f, in_mof));

        // A nodal officer without an organisation sees nothing.
        let orphan = who(Role::NodalOfficer, None, None, &[]);
        assert_eq!(visibility(&orphan, f), Visibility::Nothing);
    }

    #[test]
    fn apars_are_confidential() {
        let (mha, mine, other) = (org("MHA"), code("CSS-000001"), code("CSS-000002"));
        let place = |e| RecordPlace {
            org: &mha,
            org_parent: None,
            employee: e,
            shared_with: None,
        };
        let a = Family::Apar;
        let emp = who(Role::Employee, None, Some("CSS-000001"), &[]);
        assert!(sees(&emp, a, place(&mine)) && !sees(&emp, a, place(&other)));
        for blind in [
            who(Role::NodalOfficer, Some("MHA"), None, &[]),
            who(Role::Avd, None, None, &[]),
            who(Role::Integration, None, None, &[scopes::APAR_WRITE]),
        ] {
            assert!(!sees(&blind, a, place(&mine)), "{:?}", blind.role);
        }
        assert!(sees(&who(Role::Dopt, None, None, &[]), a, place(&other)));
        let reader = who(Role::Integration, None, None, &[scopes::APAR_READ]);
        assert!(sees(&reader, a, place(&other)));
    }

    #[test]
    fn organisations_by_family() {
        let (mha, ndma, mof) = (org("MHA"), org("MHA-NDMA"), org("MOF"));
        let kids = [ndma.clone()];
        let p_mha = OrgPlace {
            id: &mha,
            parent: None,
            children: &kids,
        };
        let p_ndma = OrgPlace {
            id: &ndma,
            parent: Some(&mha),
            children: &[],
        };
        let p_mof = OrgPlace {
            id: &mof,
            parent: None,
            children: &[],
        };
        let sub = who(Role::SubNodalOfficer, Some("MHA-NDMA"), None, &[]);
        let o = Family::Organisation;
        // The body's officer sees the ministry above it ...
        assert!(sees_organisation(&sub, o, p_mha) && sees_organisation(&sub, o, p_ndma));
        assert!(!sees_organisation(&sub, o, p_mof));
        // ... but not its advertisements, nor any working strength.
        assert!(!sees_organisation(&sub, Family::Advertisement, p_mha));
        assert!(sees_organisation(&sub, Family::Advertisement, p_ndma));
        assert!(!sees_organisation(&sub, Family::WorkingStrength, p_ndma));
        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        let ws = Family::WorkingStrength;
        assert!(sees_organisation(&nodal, ws, p_ndma) && !sees_organisation(&nodal, ws, p_mof));
        let emp = who(Role::Employee, None, Some("CSS-000001"), &[]);
        assert!(sees_organisation(&emp, o, p_mof) && !sees_organisation(&emp, ws, p_mof));
        let reader = who(Role::Integration, None, None, &[scopes::ORGANISATIONS_READ]);
        assert!(sees_organisation(&reader, o, p_mof) && !sees_organisation(&reader, ws, p_mof));
    }

    /// The list's filter and the record's check are one rule: an
    /// advertisement is listed exactly where it may be read.
    #[test]
    fn advertisements_listed_where_they_are_seen() {
        let (mha, ndma, mof) = (org("MHA"), org("MHA-NDMA"), org("MOF"));
        let at = |id, parent| OrgPlace {
            id,
            parent,
            children: &[],
        };
        let places = [at(&mha, None), at(&ndma, Some(&mha)), at(&mof, None)];
        let covers = |v: &Visibility, p: &OrgPlace<'_>| match v {
            Visibility::All => true,
            Visibility::OrgTree(o) => p.id == o || p.parent == Some(o),
            Visibility::Employee(_) | Visibility::Nothing => false,
        };
        let f = Family::Advertisement;
        let callers = [
            who(Role::Dopt, None, None, &[]),
            who(Role::Avd, None, None, &[]),
            who(Role::Employee, None, Some("CSS-000001"), &[]),
            who(Role::NodalOfficer, Some("MHA"), None, &[]),
            who(Role::SubNodalOfficer, Some("MHA-NDMA"), None, &[]),
            who(Role::Integration, None, None, &[scopes::ORGANISATIONS_READ]),
            who(Role::Integration, None, None, &[scopes::APAR_WRITE]),
        ];
        let mut checked = 0;
        for caller in &callers {
            let v = org_visibility(caller, f);
            for p in &places {
                assert_eq!(
                    covers(&v, p),
                    sees_organisation(caller, f, *p),
                    "{:?} {}",
                    caller.role,
                    p.id
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 21);
        let blind = &callers[6];
        assert_eq!(org_visibility(blind, f), Visibility::Nothing);
    }

    #[test]
    fn surplus_requisitions_by_office_ministry_and_dopt() {
        let (mha, ndma, mof) = (org("MHA"), org("MHA-NDMA"), org("MOF"));
        let at = |id, parent| OrgPlace {
            id,
            parent,
            children: &[],
        };
        let f = Family::SurplusRequisition;
        let (p_mha, p_ndma, p_mof) = (at(&mha, None), at(&ndma, Some(&mha)), at(&mof, None));
        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        assert!(sees_organisation(&nodal, f, p_mha) && sees_organisation(&nodal, f, p_ndma));
        assert!(!sees_organisation(&nodal, f, p_mof));
        let sub = who(Role::SubNodalOfficer, Some("MHA-NDMA"), None, &[]);
        assert!(sees_organisation(&sub, f, p_ndma) && !sees_organisation(&sub, f, p_mha));
        for blind in [
            who(Role::Employee, None, Some("CSS-000001"), &[]),
            who(Role::Avd, None, None, &[]),
            who(Role::Integration, None, None, &[scopes::ORGANISATIONS_READ]),
        ] {
            assert!(!sees_organisation(&blind, f, p_ndma), "{:?}", blind.role);
            assert_eq!(org_visibility(&blind, f), Visibility::Nothing);
        }
        assert!(sees_organisation(
            &who(Role::Dopt, None, None, &[]),
            f,
            p_mof
        ));
        assert_eq!(org_visibility(&sub, f), Visibility::OrgTree(ndma.clone()));
    }

    #[test]
    fn registers_training_and_interests() {
        let mha = org("MHA");
        let mine = code("CSS-000001");
        let place = RecordPlace {
            org: &mha,
            org_parent: None,
            employee: &mine,
            shared_with: None,
        };
        let dopt = who(Role::Dopt, None, None, &[]);
        let avd = who(Role::Avd, None, None, &[]);
        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        let emp = who(Role::Employee, None, Some("CSS-000001"), &[]);
        // EXG-1, RTI-1: DoPT's registers and nobody else's.
        for f in [Family::ExGratiaCase, Family::RtiRequest] {
            assert!(sees_register(&dopt, f));
            for other in [&avd, &nodal, &emp] {
                assert!(!sees_register(other, f), "{f:?} {:?}", other.role);
            }
        }
        assert!(!sees_register(&dopt, Family::ServiceRecord));
        // AOI-1, TRN-1: not AVD's business; iGOT reads interests only.
        for f in [Family::Interest, Family::TrainingClaim] {
            assert!(!sees(&avd, f, place) && sees(&nodal, f, place) && sees(&emp, f, place));
        }
        let igot = who(Role::Integration, None, None, &[scopes::INTERESTS_READ]);
        assert!(sees(&igot, Family::Interest, place) && !sees(&igot, Family::TrainingClaim, place));
        assert!(permits(&igot, Op::ReadInterestDemand) && !permits(&igot, Op::ReadProgrammes));
        assert!(permits(&emp, Op::EditOwnInterests) && !permits(&nodal, Op::EditOwnInterests));
        assert!(
            permits(&nodal, Op::DecideTrainingClaim) && !permits(&dopt, Op::DecideTrainingClaim)
        );
    }

    #[test]
    fn the_operation_table() {
        let dopt = who(Role::Dopt, None, None, &[]);
        let nodal = who(Role::NodalOfficer, Some("MHA"), None, &[]);
        assert!(permits(&dopt, Op::WriteApar) && !permits(&dopt, Op::ImportApars));
        let sparrow = who(Role::Integration, None, None, &[scopes::APAR_WRITE]);
        assert!(permits(&sparrow, Op::ImportApars) && !permits(&sparrow, Op::ReadEmpanelment));
        let reader = who(Role::Integration, None, None, &[scopes::EMPANELMENT_READ]);
        assert!(permits(&reader, Op::ReadEmpanelment) && !permits(&reader, Op::ManageEmpanelment));
        assert!(!permits(&reader, Op::ReadEmpanelmentApars));
        let both = who(
            Role::Integration,
            None,
            None,
            &[scopes::EMPANELMENT_WRITE, scopes::APAR_READ],
        );
        assert!(permits(&both, Op::ReadEmpanelmentApars) && permits(&both, Op::ManageEmpanelment));
        assert!(!permits(&nodal, Op::ReadEmpanelment));
        // PRF-3: DoPT enters working strength; its nodal officer validates it.
        assert!(
            permits(&dopt, Op::EditWorkingStrength) && permits(&nodal, Op::EditWorkingStrength)
        );
        assert!(permits(&nodal, Op::ValidateWorkingStrength));
        assert!(!permits(&dopt, Op::ValidateWorkingStrength));
        assert!(permits_for(&nodal, Op::OnboardSubOrganisation, &org("MHA")));
        assert!(!permits_for(
            &nodal,
            Op::OnboardSubOrganisation,
            &org("MOF")
        ));
        // Every operation is open to someone, and no role-less grant names a role.
        for op in Op::ALL {
            let g = op.grant();
            assert!(!g.roles.is_empty() || !g.scopes.is_empty(), "{op:?}");
            assert!(!g.roles.contains(&Role::Integration), "{op:?}");
            assert!(!g.refusal.is_empty());
        }
    }
}
