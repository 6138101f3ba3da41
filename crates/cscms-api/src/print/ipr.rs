//! The annual Immovable Property Return as a print (IPR-1): the return as
//! the prescribed form reads, property by property, with its filing date,
//! whether it was late, and every version filed for the year.

use chrono::{DateTime, NaiveDate, Utc};

use super::{dmy, rupees, Block, Document, Section, Table};
use crate::routes::ipr::IprVersion;

/// What an IPR print shows beyond the version printed.
pub struct Context<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// Every version of the year, newest first (the printed one among them).
    pub versions: &'a [&'a IprVersion],
    pub printed_at: DateTime<Utc>,
    pub verification: Option<String>,
}

fn money(v: i64) -> String {
    u64::try_from(v).map_or_else(|_| v.to_string(), rupees)
}

fn version_label(v: &IprVersion) -> String {
    let label = match v.revises {
        Some(n) => format!("Revision {} (revises {n})", v.revision),
        None => "Original return".to_owned(),
    };
    match v.receipt_ref {
        Some(_) => format!("{label}, received outside CSCMS"),
        None => label,
    }
}

pub fn document(v: &IprVersion, ctx: &Context<'_>) -> Document {
    let yes_no = |b: bool| if b { "Yes" } else { "No" };
    let mut section = Section::new("Return")
        .row("Name of the officer", ctx.name)
        .row("Employee code", ctx.code)
        .row(
            "Return for the year",
            format!("{} (holdings as on 31.12.{})", v.year, v.year),
        )
        .row("Due on", dmy(v.due_on));
    // IPR-1: a return received outside CSCMS is dated when it was received.
    section = match &v.receipt_ref {
        Some(receipt) => section
            .row("Received on", dmy(v.filed_on))
            .row("Received outside CSCMS under", receipt.as_str())
            .row("Recorded by", v.filed_by.as_str()),
        None => section.row("Filed on", dmy(v.filed_on)),
    };
    let mut blocks: Vec<Block> = vec![section
        .row("Version printed", version_label(v))
        .row("Filed after the due date", yes_no(v.late))
        .row("Nil return", yes_no(v.nil))
        .into()];
    if v.nil {
        blocks.push(
            Section::new("Immovable property")
                .row(
                    "Declaration",
                    format!("No immovable property held as on 31.12.{}", v.year),
                )
                .into(),
        );
    } else {
        let mut table = Table::new(
            "Immovable property",
            &[
                ("No.", 0.5),
                ("Property and location", 3.2),
                ("How and when acquired, from whom", 2.6),
                ("Cost", 1.3),
                ("Present value", 1.3),
                ("Own share", 0.9),
                ("Annual income", 1.3),
            ],
        );
        for (i, p) in v.properties.iter().enumerate() {
            let l = &p.location;
            let place = [
                Some(l.address.as_str()),
                l.sub_division.as_deref(),
                Some(l.district.as_str()),
                Some(l.state.as_str()),
                l.pin_code.as_deref(),
                Some(l.country.as_deref().unwrap_or("India")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let a = &p.acquisition;
            let acquired_on = NaiveDate::parse_from_str(&a.acquired_on, "%Y-%m-%d")
                .map_or_else(|_| a.acquired_on.clone(), dmy);
            let how = match &a.details {
                Some(d) => format!("{} ({d})", a.how),
                None => a.how.clone(),
            };
            let mut share = format!("{}%", p.own_share_pct);
            for c in &p.co_owners {
                share.push_str(&format!(
                    "; {} ({}) {}%",
                    c.name, c.relationship, c.share_pct
                ));
            }
            let mut description =
                format!("{}: {}. {place}", p.kind.replace('_', " "), p.description);
            if let Some(r) = &p.remarks {
                description.push_str(&format!(". Remarks: {r}"));
            }
            table = table.row(vec![
                (i + 1).to_string(),
                description,
                format!("{how}, on {acquired_on}, from {}", a.from_whom),
                money(a.cost),
                money(p.present_value),
                share,
                money(p.annual_income),
            ]);
        }
        blocks.push(table.into());
    }
    let mut versions = Table::new(
        "Versions filed for the year",
        &[
            ("Version", 2.5),
            ("Filed on", 1.2),
            ("Late", 0.8),
            ("Nil", 0.8),
            ("Properties", 1.2),
        ],
    );
    for h in ctx.versions {
        versions = versions.row(vec![
            version_label(h),
            dmy(h.filed_on),
            yes_no(h.late).to_owned(),
            yes_no(h.nil).to_owned(),
            h.properties.len().to_string(),
        ]);
    }
    blocks.push(versions.into());
    Document {
        title: format!("Annual Immovable Property Return for {}", v.year),
        subject: format!(
            "{} ({}) - Rule 18(1)(ii), CCS (Conduct) Rules 1964",
            ctx.name, ctx.code
        ),
        blocks,
        reference: format!("IPR {}/{} revision {}", ctx.code, v.year, v.revision),
        printed_at: ctx.printed_at,
        verification: ctx.verification.clone(),
    }
}
