//! A Surplus Cell requisition as a print (SUR-1): the revised proforma of
//! DoPT OM 1/1/2017-R&R and DC of 03.04.2019, item by item in its order,
//! with the certificates and the authorised officer, from the same stored
//! proforma the JSON gives.

use chrono::{DateTime, Utc};
use cscms_domain::surplus::proforma::{Place, Requisition};
use cscms_domain::surplus::SurState;

use super::{dmy, Block, Document, Section, Table};

/// What a requisition print shows beyond the proforma.
pub struct Context<'a> {
    pub id: i64,
    pub office: &'a str,
    pub state: SurState,
    pub version: i64,
    pub printed_at: DateTime<Utc>,
    pub verification: Option<String>,
}

fn breakup(p: &Place) -> String {
    p.breakup
        .iter()
        .map(|b| {
            let mut s = format!("{} {}", b.category, b.count);
            let mut within = Vec::new();
            if b.ph > 0 {
                within.push(format!("PH {}", b.ph));
            }
            if b.ex_servicemen > 0 {
                within.push(format!("ExSM {}", b.ex_servicemen));
            }
            if !within.is_empty() {
                s.push_str(&format!(" ({})", within.join(", ")));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn document(r: &Requisition, ctx: &Context<'_>) -> Document {
    let p = &r.post;
    let modes = p
        .recruitment
        .modes
        .iter()
        .map(|m| format!("{} {}%", m.mode.as_str().replace('_', " "), m.percent))
        .collect::<Vec<_>>()
        .join(", ");
    let mut post = Section::new("3. Details of the post")
        .row("(a) Designation", p.designation.as_str())
        .row(
            "(b) Cadre and classification",
            format!(
                "{}; {}, Group {}, {}",
                p.cadre,
                p.classification.service,
                p.classification.group,
                p.classification.gazette.as_str().replace('_', "-")
            ),
        )
        .row(
            "(c) Cadre controlling authority",
            format!(
                "{}, {}",
                p.cadre_controlling_authority.name, p.cadre_controlling_authority.address
            ),
        )
        .row(
            "(d) Pay band / grade pay (pre-revised) and pay level",
            match p.pay.grade_pay {
                // HAG and above: a scale without a grade pay.
                0 => format!(
                    "{} (no grade pay); Level {} of the pay matrix",
                    p.pay.pay_band, p.pay.level
                ),
                gp => format!(
                    "{} / GP {gp}; Level {} of the pay matrix",
                    p.pay.pay_band, p.pay.level
                ),
            },
        )
        .row("(e) Mode of recruitment", modes)
        .row(
            "Recruitment rules (enclosed)",
            format!(
                "{} ({})",
                r.recruitment_rules.title, r.recruitment_rules.reference
            ),
        );
    if let Some(f) = &p.recruitment.failing_which {
        post = post
            .row("Action taken by promotion", f.promotion.as_str())
            .row("Action taken by deputation", f.deputation.as_str())
            .row("Why both failed", f.why_failed.as_str());
    }
    post = post.row("(f) The post is", p.tenure.as_str());

    let mut places = Table::new(
        "5. Details of vacancies (place of initial posting, with State)",
        &[
            ("Place (State)", 2.4),
            ("Vacancies", 1.0),
            ("Break-up (PH, ex-servicemen in brackets)", 3.2),
            ("7. Date(s) of occurrence", 2.2),
        ],
    );
    for pl in &r.vacancies {
        places = places.row(vec![
            format!("{} ({})", pl.station, pl.state),
            pl.total.to_string(),
            breakup(pl),
            pl.arose_on
                .iter()
                .map(|d| dmy(*d))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    let yes = |b: bool| if b { "Certified" } else { "Not certified" };
    let c = &r.certificates;
    let o = &r.authorised_officer;
    let blocks: Vec<Block> = vec![
        Section::new("Requisition")
            .row("Requisition number", ctx.id.to_string())
            .row("Office on the portal", ctx.office)
            .row("Stands at", ctx.state.as_str().replace('_', " "))
            .into(),
        Section::new("1-2. The organisation")
            .row(
                "1(a) Name of the organisation/office",
                r.organisation.name.as_str(),
            )
            .row(
                "1(b) Ministry/Department to which attached",
                r.organisation.ministry.as_str(),
            )
            .row(
                "2. Postal address of the organisation",
                r.addresses.organisation.as_str(),
            )
            .row(
                "2. Postal address of the head office",
                r.addresses.head_office.as_str(),
            )
            .into(),
        post.into(),
        Section::new("4. Job requirement and nature of duties")
            .row("Duties", r.duties.as_str())
            .into(),
        places.into(),
        Section::new("6-8. Vacancies, qualifications and conditions")
            .row("6. Total vacancies", r.total_vacancies.to_string())
            .row(
                "7(a) Essential qualifications",
                r.qualifications.essential.as_str(),
            )
            .row(
                "7(b) Desirable qualifications",
                r.qualifications.desirable.as_str(),
            )
            .row(
                "8. Other requirements or conditions",
                r.other_conditions.as_str(),
            )
            .into(),
        Section::new("Certificates")
            .row(
                "9. Regular vacancies within the recruitment quota, with sanction",
                yes(c.regular_vacancies),
            )
            .row(
                "10. Reservation in accordance with the quota fixed by the Government",
                yes(c.reservation_quota),
            )
            .row(
                "11. Nominated surplus employees appointed within three months of nomination",
                yes(c.appointment_within_three_months),
            )
            .into(),
        Section::new("Officer authorised to send the requisition")
            .row("Name", o.name.as_str())
            .row("Designation", o.designation.as_str())
            .row("Telephone", o.telephone.as_str())
            .row("Email", o.email.as_str())
            .row(
                "Place and date",
                format!("{}, {}", r.signed.place, dmy(r.signed.date)),
            )
            .into(),
    ];
    Document {
        title: "Requisition for NOC/NAC to the Surplus Cell (R&R Division), DoPT".to_owned(),
        subject: format!(
            "{}: {} - DoPT OM No. 1/1/2017-R&R and DC dated 03.04.2019",
            r.organisation.name, p.designation
        ),
        blocks,
        reference: format!("Surplus requisition {} version {}", ctx.id, ctx.version),
        printed_at: ctx.printed_at,
        verification: ctx.verification.clone(),
    }
}
