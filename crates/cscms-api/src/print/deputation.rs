//! A deputation application as a print (DEP-1): the application, the post
//! applied for, and its clearance chain — every step with who took it,
//! when, the vigilance clearance then and any override (VIG-2) — from the
//! same view the JSON gives.

use super::clearance::{chain, decision, decision_section, section, Context};
use super::foreign_visit::named;
use super::{ist, or_dash, Block, Document, Section, Table};
use crate::routes::deputation::ApplicationView;

pub fn document(v: &ApplicationView, ctx: &Context<'_>) -> Document {
    let a = &v.application;
    let mut applicant = Section::new("Application")
        .row("Application number", a.id.to_string())
        .row(
            "Applicant",
            format!("{} ({})", a.employee_name, a.employee_code),
        )
        .row("Organisation", named(ctx.org, &a.organisation_id));
    if let Some(m) = ctx.ministry {
        applicant = applicant.row("Ministry/Department", named(Some(m), m.id.as_str()));
    }
    applicant = applicant
        .row("Stands at", a.state.as_str())
        .row("Submitted on", ist(a.submitted_at))
        .row("Remarks", or_dash(a.remarks.as_deref()));
    let mut documents = Table::new(
        "Documents enclosed",
        &[("Document", 4.0), ("Reference", 4.0)],
    );
    for d in &a.documents {
        documents = documents.row(vec![d.name.clone(), d.reference.clone()]);
    }
    let blocks: Vec<Block> = vec![
        applicant.into(),
        Section::new("Post applied for")
            .row("Post", a.post.as_str())
            .row("Pay level", format!("Level {} of the pay matrix", a.level))
            .row(
                "Advertised by",
                format!(
                    "{} ({})",
                    a.advertising_organisation_name, a.advertising_organisation_id
                ),
            )
            .row(
                "Advertisement",
                format!(
                    "No. {}, version {} applied to",
                    a.advertisement_id, a.advertisement_version
                ),
            )
            .into(),
        documents.into(),
        decision_section(
            "Cadre clearance by the Ministry/Department (DEP-1)",
            decision(&v.steps, &["forward", "refuse"]),
            "pending: awaiting the nodal officer's cadre clearance",
        )
        .into(),
        decision_section(
            "Decision of DoPT (DEP-1)",
            decision(&v.steps, &["approve", "reject"]),
            "pending",
        )
        .into(),
        chain(
            "Clearance chain: every step with the vigilance clearance then",
            &v.steps,
        )
        .into(),
        section(
            "Vigilance clearance for deputation, as of the print (VIG-1, VIG-2)",
            &v.clearance,
        )
        .into(),
    ];
    Document {
        title: "Application for Deputation".to_owned(),
        subject: format!("{} ({})", a.employee_name, a.employee_code),
        blocks,
        reference: format!("Deputation application {} version {}", a.id, ctx.version),
        printed_at: ctx.printed_at,
        verification: ctx.verification.clone(),
    }
}
