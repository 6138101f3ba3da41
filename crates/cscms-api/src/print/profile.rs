//! The profile as a print (PRF-5): the same data as its JSON, with names
//! beside codes, the service history as a table and the validation status
//! (PRF-2).

use chrono::{DateTime, Utc};
use cscms_domain::cadre::{self, Cadre};
use cscms_domain::pay::Level;
use cscms_store::employees::ServiceEventRow;
use cscms_store::organisations::OrgRow;

use super::{dmy, ist, or_dash, rupees, Block, Document, Section, Table};
use crate::routes::profile::ProfileView;

/// What a profile print shows beyond the profile itself.
pub struct Context<'a> {
    pub org: Option<&'a OrgRow>,
    /// The ministry the organisation is attached to, if it is not one.
    pub ministry: Option<&'a OrgRow>,
    pub history: &'a [ServiceEventRow],
    pub printed_at: DateTime<Utc>,
    pub verification: Option<String>,
}

fn named(code: &str, row: Option<&OrgRow>) -> String {
    match row {
        Some(o) => format!("{} ({code})", o.name),
        None => code.to_owned(),
    }
}

fn grade_name(cadre: &str, grade: &str) -> String {
    cadre
        .parse::<Cadre>()
        .ok()
        .and_then(|c| cadre::grade(c, grade).ok())
        .map_or_else(
            || grade.to_owned(),
            |g| {
                if g.name.contains(grade) {
                    g.name.clone()
                } else {
                    format!("{} ({grade})", g.name)
                }
            },
        )
}

/// "Level 11, cell 5: basic pay ₹78,800" where the matrix has the cell.
fn pay(level: &str, cell: i32) -> String {
    let basic = Level::parse(level).ok().and_then(|l| {
        let i = usize::try_from(cell).ok()?.checked_sub(1)?;
        l.cells().get(i).copied()
    });
    match basic {
        Some(b) => format!(
            "Level {level}, cell {cell}: basic pay {}",
            rupees(u64::from(b))
        ),
        None => format!("Level {level}, cell {cell}"),
    }
}

fn event_kind(kind: &str) -> String {
    match kind {
        "macp" => "MACP upgradation".to_owned(),
        "acp" => "ACP upgradation".to_owned(),
        "nfs" => "Non-functional scale".to_owned(),
        other => {
            let mut s = other.replace('_', " ");
            if let Some(first) = s.get(0..1) {
                let upper = first.to_uppercase();
                s.replace_range(0..1, &upper);
            }
            s
        }
    }
}

fn movement(from: &Option<String>, to: &Option<String>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{f} -> {t}"),
        (None, Some(t)) => format!("-> {t}"),
        (Some(f), None) => format!("{f} ->"),
        (None, None) => String::new(),
    }
}

pub fn document(v: &ProfileView, ctx: &Context<'_>) -> Document {
    let d = &v.document;
    let s = &d.service;
    let org = match ctx.ministry {
        Some(m) => format!(
            "{}, under {}",
            named(&s.org_id, ctx.org),
            named(m.id.as_str(), Some(m))
        ),
        None => named(&s.org_id, ctx.org),
    };
    let mut blocks: Vec<Block> = vec![Section::new("Service record")
        .row("Employee code", v.employee_code.as_str())
        .row("Cadre", s.cadre.as_str())
        .row("Grade", grade_name(&s.cadre, &s.grade))
        .row("Pay", pay(&s.pay_level, s.pay_cell))
        .row("Organisation", org)
        .row("Date of birth", dmy(s.date_of_birth))
        .row("Joined government", dmy(s.joined_government_on))
        .row("Joined entry grade", dmy(s.joined_entry_grade_on))
        .row("Joined present grade", dmy(s.joined_present_grade_on))
        .into()];
    // PRF-5: the print gives what the JSON gives, a declaration included.
    if let Some(declared) = &d.service_declared {
        let mut section = Section::new("Service details declared, awaiting validation");
        if let Some(g) = &declared.grade {
            section = section.row("Grade", grade_name(&s.cadre, g));
        }
        if declared.pay_level.is_some() || declared.pay_cell.is_some() {
            let level = declared.pay_level.as_deref().unwrap_or(&s.pay_level);
            section = section.row("Pay", pay(level, declared.pay_cell.unwrap_or(s.pay_cell)));
        }
        for (label, date) in [
            ("Date of birth", declared.date_of_birth),
            ("Joined government", declared.joined_government_on),
            ("Joined entry grade", declared.joined_entry_grade_on),
            ("Joined present grade", declared.joined_present_grade_on),
        ] {
            if let Some(date) = date {
                section = section.row(label, dmy(date));
            }
        }
        blocks.push(section.into());
    }
    blocks.extend([Section::new("Contact")
        .row("Mobile", or_dash(d.contact.mobile.as_ref()))
        .row(
            "Official e-mail",
            or_dash(d.contact.official_email.as_ref()),
        )
        .row(
            "Personal e-mail",
            or_dash(d.contact.personal_email.as_ref()),
        )
        .into()]);
    let mut address = Section::new("Address");
    for (label, a) in [
        ("Present", &d.address.present),
        ("Permanent", &d.address.permanent),
    ] {
        let parts: Vec<String> = [&a.line, &a.city, &a.state, &a.pin]
            .into_iter()
            .filter_map(Clone::clone)
            .collect();
        address = address.row(label, parts.join(", "));
    }
    blocks.push(address.into());

    let mut edu = Table::new(
        "Education",
        &[("Year", 1.0), ("Degree", 3.0), ("Institution", 4.0)],
    );
    for q in &d.education {
        edu = edu.row(vec![
            q.year.to_string(),
            q.degree.clone(),
            q.institution.clone(),
        ]);
    }
    blocks.push(edu.into());

    let mut langs = Table::new(
        "Languages",
        &[
            ("Language", 3.0),
            ("Read", 1.0),
            ("Write", 1.0),
            ("Speak", 1.0),
        ],
    );
    let yes = |b: bool| if b { "Yes" } else { "No" }.to_owned();
    for l in &d.languages {
        langs = langs.row(vec![
            l.language.clone(),
            yes(l.read),
            yes(l.write),
            yes(l.speak),
        ]);
    }
    blocks.push(langs.into());

    let mut family = Table::new(
        "Family",
        &[("Relation", 1.5), ("Name", 3.0), ("Details", 4.0)],
    );
    if let Some(sp) = &d.family.spouse {
        let mut details = sp.employment.clone();
        for extra in [&sp.employee_code, &sp.organisation, &sp.station]
            .into_iter()
            .flatten()
        {
            details.push_str(", ");
            details.push_str(extra);
        }
        family = family.row(vec!["Spouse".into(), sp.name.clone(), details]);
    }
    for c in &d.family.children {
        family = family.row(vec![
            "Child".into(),
            c.name.clone(),
            format!("born {}", dmy(c.date_of_birth)),
        ]);
    }
    blocks.push(family.into());

    let mut prefs = Table::new(
        "Station preferences",
        &[("Order", 1.0), ("Station", 4.0), ("State", 4.0)],
    );
    for (i, p) in d.station_preferences.iter().enumerate() {
        prefs = prefs.row(vec![
            (i + 1).to_string(),
            p.station.clone(),
            p.state.clone(),
        ]);
    }
    blocks.push(prefs.into());

    let mut history = Table::new(
        "Service history",
        &[
            ("Date", 1.4),
            ("Event", 2.2),
            ("Grade", 2.0),
            ("Pay level", 1.5),
            ("Order reference", 3.0),
        ],
    );
    for e in ctx.history {
        history = history.row(vec![
            dmy(e.effective_on),
            event_kind(e.kind.as_str()),
            movement(&e.from_grade, &e.to_grade),
            movement(&e.from_level, &e.to_level),
            e.order_ref.clone(),
        ]);
    }
    blocks.push(history.into());

    let when = |t: &Option<DateTime<Utc>>| t.map_or_else(|| "-".to_owned(), ist);
    let mut status = Section::new("Validation (PRF-2)")
        .row("Status", v.status.as_str().replace('_', " "))
        .row("Version", v.version.to_string())
        .row("Submitted", when(&v.submitted_at));
    match (&v.validated_at, &v.deemed_final) {
        (Some(at), _) => {
            status = status.row(
                "Validated",
                format!("{} by {}", ist(*at), or_dash(v.validated_by.as_ref())),
            );
        }
        (None, Some(df)) => {
            let officers: Vec<String> = df
                .answerable
                .iter()
                .map(|o| format!("{}, {}", o.name, o.designation))
                .collect();
            let ministry = ctx
                .ministry
                .or(ctx.org)
                .map_or_else(|| s.org_id.clone(), |o| o.name.clone());
            status = status.row(
                "Deemed final",
                format!(
                    "on {} (validation round {} closed without action) - answerable: nodal officer of {ministry}{}",
                    ist(df.at),
                    df.round_id,
                    if officers.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", officers.join("; "))
                    }
                ),
            );
        }
        (None, None) => status = status.row("Validated", "Not yet validated"),
    }
    status = status.row(
        "Last changed",
        format!("{} by {}", ist(v.updated_at), v.updated_by),
    );
    blocks.push(status.into());

    Document {
        title: "Employee Profile".into(),
        subject: format!("{} ({})", v.name, v.employee_code),
        blocks,
        reference: format!("Profile {} version {}", v.employee_code, v.version),
        printed_at: ctx.printed_at,
        verification: ctx.verification.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_names_the_basic_pay_in_rupees() {
        assert_eq!(pay("7", 1), "Level 7, cell 1: basic pay ₹44,900");
        assert_eq!(pay("7", 99), "Level 7, cell 99");
    }

    #[test]
    fn events_read_as_words() {
        assert_eq!(event_kind("macp"), "MACP upgradation");
        assert_eq!(event_kind("promotion"), "Promotion");
        assert_eq!(
            movement(&Some("ASO".into()), &Some("SO".into())),
            "ASO -> SO"
        );
    }
}
