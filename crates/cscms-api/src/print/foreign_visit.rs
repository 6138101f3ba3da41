//! A private foreign visit request as a print (FV-1): the request, the
//! vigilance clearance as of the print and the decision with the clearance
//! it was taken on, from the same view the JSON gives.

use cscms_store::organisations::OrgRow;

use super::clearance::{chain, decision, decision_section, section, Context};
use super::{dmy, ist, or_dash, Block, Document, Section};
use crate::routes::foreign_visits::ForeignVisitView;

/// `Name (ID)`, or the bare id where the organisation is not on record.
pub fn named(org: Option<&OrgRow>, id: &str) -> String {
    org.map_or_else(|| id.to_owned(), |o| format!("{} ({})", o.name, o.id))
}

pub fn document(v: &ForeignVisitView, ctx: &Context<'_>) -> Document {
    let r = &v.request;
    let c = &r.contact_abroad;
    let mut request = Section::new("Request")
        .row("Request number", r.id.to_string())
        .row(
            "Officer",
            format!("{} ({})", r.employee_name, r.employee_code),
        )
        .row("Organisation", named(ctx.org, &r.organisation_id));
    if let Some(m) = ctx.ministry {
        request = request.row("Ministry/Department", named(Some(m), m.id.as_str()));
    }
    request = request
        .row("Stands at", r.state.as_str())
        .row("Submitted on", ist(r.submitted_at));
    let blocks: Vec<Block> = vec![
        request.into(),
        Section::new("The visit")
            .row("Countries", r.countries.join(", "))
            .row(
                "Dates",
                format!("{} to {}", dmy(r.from_date), dmy(r.to_date)),
            )
            .row("Purpose", r.purpose.as_str())
            .row("Funded by", r.funded_by.as_str().replace('_', " "))
            .row("Funding details", or_dash(r.funding_details.as_deref()))
            .row(
                "Leave",
                format!(
                    "{}, {} to {}",
                    r.leave.kind.as_str().replace('_', " "),
                    dmy(r.leave.from),
                    dmy(r.leave.to)
                ),
            )
            .row("Contact abroad", format!("{}, {}", c.name, c.address))
            .row("Telephone abroad", or_dash(c.phone.as_deref()))
            .row("Email abroad", or_dash(c.email.as_deref()))
            .into(),
        decision_section(
            "Decision of the Ministry/Department (FV-1)",
            decision(&v.steps, &["grant", "refuse", "withdraw"]),
            "pending: awaiting the nodal officer's decision",
        )
        .into(),
        section(
            "Vigilance clearance for a foreign visit, as of the print (VIG-1, VIG-2)",
            &v.clearance,
        )
        .into(),
        chain("Steps, each with the clearance then", &v.steps).into(),
    ];
    Document {
        title: "Clearance for a Private Foreign Visit".to_owned(),
        subject: format!("{} ({})", r.employee_name, r.employee_code),
        blocks,
        reference: format!("Foreign visit request {} version {}", r.id, ctx.version),
        printed_at: ctx.printed_at,
        verification: ctx.verification.clone(),
    }
}
