//! The revised proforma of the OM of 03.04.2019 (SUR-1), item by item.
//!
//! [`RequisitionInput`] is what an office sends: every field optional on
//! the wire, so that a missing one is reported by its path like a blank one.
//! [`parse`] applies the checks of the OM and answers either every bad
//! field or a [`Requisition`], whose types cannot hold a blank, a dash, an
//! unknown category or a break-up that does not add up. The stored form is
//! [`StoredRequisition`], versioned, so the wire shape may change without
//! touching stored rows. A requisition serialises to the shape of its input.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::employee::{string_enum, Category};
use crate::fields::{choice, date, FieldErrors, Text};
use crate::pay::matrix::Level;
use crate::pay::sixth::{level_of_grade_pay, PayBand};

/// Longest single-line item (names, designations, stations).
const LINE: usize = 300;
/// Longest descriptive item (duties, conditions, addresses, actions taken).
const LONG: usize = 2000;

string_enum!(
    /// Group of the post.
    PostGroup, "group" { A = "A", B = "B", C = "C" }
);

string_enum!(
    /// Item 3(b): gazetted or not.
    Gazette, "gazette status" { Gazetted = "gazetted", NonGazetted = "non_gazetted" }
);

string_enum!(
    /// Item 3(f).
    Tenure, "tenure of the post" { Temporary = "temporary", Permanent = "permanent" }
);

string_enum!(
    /// Item 3(e): the modes of recruitment the recruitment rules provide.
    RecruitmentMode, "mode of recruitment" {
        DirectRecruitment = "direct_recruitment",
        Promotion = "promotion",
        Deputation = "deputation",
        Absorption = "absorption",
        ShortTermContract = "short_term_contract",
        AdHoc = "ad_hoc",
    }
);

// ---------------------------------------------------------------- wire shape

/// Items 1(a) and 1(b).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationInput {
    /// 1(a) Name of the organisation or office.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "National Disaster Management Authority")
    )]
    pub name: String,
    /// 1(b) Ministry or department to which it is attached.
    #[cfg_attr(feature = "openapi", schema(example = "Ministry of Home Affairs"))]
    pub ministry: String,
}

/// Item 2: complete postal addresses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AddressesInput {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "NDMA Bhawan, A-1 Safdarjung Enclave, New Delhi 110029")
    )]
    pub organisation: String,
    #[cfg_attr(feature = "openapi", schema(example = "North Block, New Delhi 110001"))]
    pub head_office: String,
}

/// Item 3(b): cadre and classification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ClassificationInput {
    /// The service, e.g. "Central Civil Service".
    #[cfg_attr(feature = "openapi", schema(example = "Central Civil Service"))]
    pub service: String,
    /// `A`, `B` or `C`.
    #[cfg_attr(feature = "openapi", schema(example = "B"))]
    pub group: String,
    /// `gazetted` or `non_gazetted`.
    #[cfg_attr(feature = "openapi", schema(example = "non_gazetted"))]
    pub gazette: String,
}

/// Item 3(c): the cadre controlling authority of the post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AuthorityInput {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Ministry of Home Affairs (Administration Division)")
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "North Block, New Delhi 110001"))]
    pub address: String,
}

/// Item 3(d): pay band and grade pay (pre-revised) and pay level (revised).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PayInput {
    #[cfg_attr(feature = "openapi", schema(example = "PB-2"))]
    pub pay_band: String,
    /// 0 for the scales without a grade pay (HAG and above).
    #[cfg_attr(feature = "openapi", schema(example = 4200))]
    pub grade_pay: u32,
    /// 7th CPC level, e.g. `6` or `13A`.
    #[cfg_attr(feature = "openapi", schema(example = "6"))]
    pub level: String,
}

/// One mode of recruitment with its share of the vacancies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ModeInput {
    #[cfg_attr(feature = "openapi", schema(example = "direct_recruitment"))]
    pub mode: String,
    #[cfg_attr(feature = "openapi", schema(example = 100, maximum = 100))]
    pub percent: u32,
}

/// The note to item 3(e): where direct recruitment is only a "failing
/// which" clause, what was done to fill the post by promotion and by
/// deputation, and why both failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FailingWhichInput {
    pub promotion: String,
    pub deputation: String,
    pub why_failed: String,
}

/// Item 3(e).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RecruitmentInput {
    /// The modes and their percentages (adding up to 100).
    pub modes: Vec<ModeInput>,
    /// Required when direct recruitment is not among `modes` but comes in
    /// under a "failing which" clause.
    pub failing_which: Option<FailingWhichInput>,
}

/// Item 3: the post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PostInput {
    /// 3(a) One proforma is for one designation only.
    #[cfg_attr(feature = "openapi", schema(example = "Assistant Section Officer"))]
    pub designation: String,
    #[cfg_attr(feature = "openapi", schema(example = "NDMA Ministerial Cadre"))]
    pub cadre: String,
    pub classification: ClassificationInput,
    pub cadre_controlling_authority: AuthorityInput,
    pub pay: PayInput,
    pub recruitment: RecruitmentInput,
    /// 3(f) `temporary` or `permanent`.
    #[cfg_attr(feature = "openapi", schema(example = "permanent"))]
    pub tenure: String,
}

/// The vacancies of one category at a place, PH and ex-servicemen among
/// them shown in brackets on the proforma.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CategoryInput {
    /// `SC`, `ST`, `OBC`, `EWS` or `UR`.
    #[cfg_attr(feature = "openapi", schema(example = "UR"))]
    pub category: String,
    pub count: u32,
    /// Of `count`, reserved for persons with disabilities.
    pub ph: u32,
    /// Of `count`, reserved for ex-servicemen.
    pub ex_servicemen: u32,
}

/// Item 5: one place of posting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PlaceInput {
    /// A named station; never "All India" or "anywhere".
    #[cfg_attr(feature = "openapi", schema(example = "New Delhi"))]
    pub station: String,
    /// The State or Union Territory of the station.
    #[cfg_attr(feature = "openapi", schema(example = "Delhi"))]
    pub state: String,
    pub total: u32,
    /// The category-wise break-up, adding up to `total`.
    pub breakup: Vec<CategoryInput>,
    /// Item 7: the date each vacancy arose, one per vacancy (YYYY-MM-DD):
    /// not after the requisition is signed (`signed.date`; certificate 9).
    #[cfg_attr(feature = "openapi", schema(example = json!(["2026-04-30"])))]
    pub arose_on: Vec<String>,
}

/// Item 7: qualifications from the recruitment rules; "NIL" where none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct QualificationsInput {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Degree of a recognised university")
    )]
    pub essential: String,
    #[cfg_attr(feature = "openapi", schema(example = "NIL"))]
    pub desirable: String,
}

/// Certificates 9 to 11, each to be given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CertificatesInput {
    /// 9: regular vacancies within the recruitment quota, with sanction.
    pub regular_vacancies: bool,
    /// 10: reservation in accordance with the quota fixed by the Government.
    pub reservation_quota: bool,
    /// 11: a nominated surplus employee is appointed within three months of nomination.
    pub appointment_within_three_months: bool,
}

/// The officer authorised to send the requisition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OfficerInput {
    #[cfg_attr(feature = "openapi", schema(example = "R. K. Sharma"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "Under Secretary"))]
    pub designation: String,
    #[cfg_attr(feature = "openapi", schema(example = "011-23092011"))]
    pub telephone: String,
    #[cfg_attr(feature = "openapi", schema(example = "us-admin@ndma.gov.in"))]
    pub email: String,
}

/// Place and date of signature.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SignedInput {
    #[cfg_attr(feature = "openapi", schema(example = "New Delhi"))]
    pub place: String,
    /// YYYY-MM-DD; not in the future.
    #[cfg_attr(feature = "openapi", schema(example = "2026-11-20"))]
    pub date: String,
}

/// The recruitment rules attached (para 2 of the OM): a document reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DocumentInput {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "NDMA (Assistant Section Officer) Recruitment Rules, 2015")
    )]
    pub title: String,
    /// Where the attached copy is kept (e-file or document store reference).
    #[cfg_attr(feature = "openapi", schema(example = "GSR 512(E) dated 12.06.2015"))]
    pub reference: String,
}

/// A requisition for NOC/NAC as the office fills the revised proforma.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RequisitionInput {
    pub organisation: OrganisationInput,
    pub addresses: AddressesInput,
    pub post: PostInput,
    /// Item 4: the job requirements and the nature of the duties.
    pub duties: String,
    pub vacancies: Vec<PlaceInput>,
    /// Item 6: the sum of the places' totals.
    pub total_vacancies: u32,
    pub qualifications: QualificationsInput,
    /// Item 8: any other requirement or condition; "NIL" where none.
    pub other_conditions: String,
    pub certificates: CertificatesInput,
    pub authorised_officer: OfficerInput,
    pub signed: SignedInput,
    pub recruitment_rules: Option<DocumentInput>,
}

// ---------------------------------------------------------------- typed form

/// Text of the proforma: trimmed, not blank and not written as dashes or
/// dots (note (ii) of the proforma).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Item(Text);

impl Item {
    pub fn parse(s: &str, max: usize) -> Result<Self, String> {
        let t = Text::parse(s, max)?;
        if t.as_str().chars().any(char::is_alphanumeric) {
            Ok(Self(t))
        } else {
            Err("write it out: no dashes, dots or blanks (write NIL where there is nothing)".into())
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for Item {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s, Text::MAX)
    }
}

impl From<Item> for String {
    fn from(i: Item) -> String {
        i.0.into()
    }
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: Item,
    pub ministry: Item,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Addresses {
    pub organisation: Item,
    pub head_office: Item,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub service: Item,
    pub group: PostGroup,
    pub gazette: Gazette,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authority {
    pub name: Item,
    pub address: Item,
}

/// Pay band and grade pay with the level they map to (PAY-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPay {
    pub pay_band: String,
    pub grade_pay: u32,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mode {
    pub mode: RecruitmentMode,
    pub percent: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailingWhich {
    pub promotion: Item,
    pub deputation: Item,
    pub why_failed: Item,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recruitment {
    pub modes: Vec<Mode>,
    pub failing_which: Option<FailingWhich>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub designation: Item,
    pub cadre: Item,
    pub classification: Classification,
    pub cadre_controlling_authority: Authority,
    pub pay: PostPay,
    pub recruitment: Recruitment,
    pub tenure: Tenure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub category: Category,
    pub count: u32,
    pub ph: u32,
    pub ex_servicemen: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub station: Item,
    pub state: String,
    pub total: u32,
    pub breakup: Vec<CategoryCount>,
    pub arose_on: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualifications {
    pub essential: Item,
    pub desirable: Item,
}

/// Certificates 9 to 11: a requisition exists only with all three given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificates {
    pub regular_vacancies: bool,
    pub reservation_quota: bool,
    pub appointment_within_three_months: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Officer {
    pub name: Item,
    pub designation: Item,
    pub telephone: Item,
    pub email: Item,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signed {
    pub place: Item,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub title: Item,
    pub reference: Item,
}

/// A complete requisition (SUR-1): made only by [`parse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requisition {
    pub organisation: Organisation,
    pub addresses: Addresses,
    pub post: Post,
    pub duties: Item,
    pub vacancies: Vec<Place>,
    pub total_vacancies: u32,
    pub qualifications: Qualifications,
    pub other_conditions: Item,
    pub certificates: Certificates,
    pub authorised_officer: Officer,
    pub signed: Signed,
    pub recruitment_rules: DocumentRef,
}

/// A requisition as stored: versioned, so the stored rows outlive changes
/// of the wire shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "schema")]
pub enum StoredRequisition {
    #[serde(rename = "surplus_requisition/1")]
    V1(Requisition),
}

impl StoredRequisition {
    pub fn requisition(&self) -> &Requisition {
        match self {
            StoredRequisition::V1(r) => r,
        }
    }
}

// ---------------------------------------------------------------- the checks

/// Words that name no place (note (i) of item 5: "Don't write as All
/// India/Anywhere In India"): India as a whole in any wording ("all over
/// India", "any station in India"), anywhere, or no station in particular.
fn names_no_place(station: &str) -> bool {
    let s: String = station
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = s.split_whitespace().collect();
    // India as the whole place: alone, or after a word that spreads it.
    let india_whole = words.iter().enumerate().any(|(i, w)| {
        *w == "india"
            && (words.len() == 1
                || i.checked_sub(1).is_some_and(|j| {
                    matches!(
                        words[j],
                        "all" | "pan" | "over" | "across" | "throughout" | "anywhere"
                    )
                }))
    });
    // Phrases matched on whole words ("company station" is no "any station").
    let padded = format!(" {} ", words.join(" "));
    india_whole
        || words.contains(&"anywhere")
        || words.contains(&"anyplace")
        || words.contains(&"various")
        || [
            " any where ",
            " any place ",
            " any station",
            " all stations ",
        ]
        .iter()
        .any(|p| padded.contains(p))
}

struct Checker<'a> {
    errs: &'a mut FieldErrors,
}

impl Checker<'_> {
    fn item(&mut self, path: &str, s: &str, max: usize) -> Option<Item> {
        Item::parse(s, max)
            .map_err(|m| self.errs.push(path, m))
            .ok()
    }

    fn past_date(&mut self, path: &str, s: &str, today: NaiveDate) -> Option<NaiveDate> {
        let d = date(self.errs, path, s)?;
        if d > today {
            self.errs.push(path, "must not be in the future");
            return None;
        }
        Some(d)
    }
}

/// Checks a requisition as the OM requires (SUR-1), on `today` (IST), and
/// answers the typed requisition or every bad field by its path.
pub fn parse(input: &RequisitionInput, today: NaiveDate) -> Result<Requisition, FieldErrors> {
    let mut errs = FieldErrors::new();
    let mut c = Checker { errs: &mut errs };
    let i = input;

    let organisation = (
        c.item("organisation.name", &i.organisation.name, LINE),
        c.item("organisation.ministry", &i.organisation.ministry, LINE),
    );
    let addresses = (
        c.item("addresses.organisation", &i.addresses.organisation, LONG),
        c.item("addresses.head_office", &i.addresses.head_office, LONG),
    );
    let post = parse_post(&mut c, &i.post);
    let duties = c.item("duties", &i.duties, LONG);
    let vacancies = parse_places(&mut c, &i.vacancies, i.total_vacancies, today);
    let qualifications = (
        c.item(
            "qualifications.essential",
            &i.qualifications.essential,
            LONG,
        ),
        c.item(
            "qualifications.desirable",
            &i.qualifications.desirable,
            LONG,
        ),
    );
    let other_conditions = c.item("other_conditions", &i.other_conditions, LONG);
    let certs = &i.certificates;
    for (given, path, what) in [
        (
            certs.regular_vacancies,
            "certificates.regular_vacancies",
            "9",
        ),
        (
            certs.reservation_quota,
            "certificates.reservation_quota",
            "10",
        ),
        (
            certs.appointment_within_three_months,
            "certificates.appointment_within_three_months",
            "11",
        ),
    ] {
        if !given {
            c.errs.push(
                path,
                format!("certificate {what} of the proforma must be given"),
            );
        }
    }
    let o = &i.authorised_officer;
    let officer = (
        c.item("authorised_officer.name", &o.name, LINE),
        c.item("authorised_officer.designation", &o.designation, LINE),
        c.item("authorised_officer.telephone", &o.telephone, 40),
        c.item("authorised_officer.email", &o.email, LINE),
    );
    if let Some(e) = &officer.3 {
        let s = e.as_str();
        let ok = s.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        }) && !s.contains(char::is_whitespace);
        if !ok {
            c.errs
                .push("authorised_officer.email", "is not an email address");
        }
    }
    let signed = (
        c.item("signed.place", &i.signed.place, LINE),
        c.past_date("signed.date", &i.signed.date, today),
    );
    // Certificate 9: the vacancies are regular vacancies "as on date", the
    // date the requisition is signed; none arises after it. A date already
    // refused (unreadable, in the future) is not refused twice.
    if let Some(signed_on) = signed.1 {
        for (n, p) in i.vacancies.iter().enumerate() {
            for (k, s) in p.arose_on.iter().enumerate() {
                let arose = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
                if arose.is_some_and(|d| d > signed_on && d <= today) {
                    c.errs.push(
                        format!("vacancies[{n}].arose_on[{k}]"),
                        format!(
                            "must not be after the requisition was signed ({}): certificate 9 counts the vacancies as on that date",
                            signed_on.format("%d.%m.%Y")
                        ),
                    );
                }
            }
        }
    }
    let rules = match &i.recruitment_rules {
        None => {
            c.errs.push(
                "recruitment_rules",
                "attach the recruitment rules of the post (para 2 of the OM)",
            );
            None
        }
        Some(d) => Some((
            c.item("recruitment_rules.title", &d.title, LINE),
            c.item("recruitment_rules.reference", &d.reference, LINE),
        )),
    };

    if !errs.is_empty() {
        return Err(errs);
    }
    // Every part parsed: the `Option`s are all `Some` here.
    let built = (|| {
        let (post, vacancies) = (post?, vacancies?);
        let (rt, rr) = rules?;
        Some(Requisition {
            organisation: Organisation {
                name: organisation.0?,
                ministry: organisation.1?,
            },
            addresses: Addresses {
                organisation: addresses.0?,
                head_office: addresses.1?,
            },
            post,
            duties: duties?,
            vacancies,
            total_vacancies: i.total_vacancies,
            qualifications: Qualifications {
                essential: qualifications.0?,
                desirable: qualifications.1?,
            },
            other_conditions: other_conditions?,
            certificates: Certificates {
                regular_vacancies: true,
                reservation_quota: true,
                appointment_within_three_months: true,
            },
            authorised_officer: Officer {
                name: officer.0?,
                designation: officer.1?,
                telephone: officer.2?,
                email: officer.3?,
            },
            signed: Signed {
                place: signed.0?,
                date: signed.1?,
            },
            recruitment_rules: DocumentRef {
                title: rt?,
                reference: rr?,
            },
        })
    })();
    built.ok_or_else(|| {
        let mut e = FieldErrors::new();
        e.push("", "the requisition could not be read");
        e
    })
}

fn parse_post(c: &mut Checker<'_>, p: &PostInput) -> Option<Post> {
    let designation = c.item("post.designation", &p.designation, LINE);
    let cadre = c.item("post.cadre", &p.cadre, LINE);
    let cl = &p.classification;
    let service = c.item("post.classification.service", &cl.service, LINE);
    let group = choice(
        c.errs,
        "post.classification.group",
        &cl.group,
        PostGroup::ALL,
    );
    let gazette = choice(
        c.errs,
        "post.classification.gazette",
        &cl.gazette,
        Gazette::ALL,
    );
    let cca = &p.cadre_controlling_authority;
    let authority = (
        c.item("post.cadre_controlling_authority.name", &cca.name, LINE),
        c.item(
            "post.cadre_controlling_authority.address",
            &cca.address,
            LONG,
        ),
    );
    let pay = parse_pay(c, &p.pay);
    let recruitment = parse_recruitment(c, &p.recruitment);
    let tenure = choice(c.errs, "post.tenure", &p.tenure, Tenure::ALL);
    Some(Post {
        designation: designation?,
        cadre: cadre?,
        classification: Classification {
            service: service?,
            group: group?,
            gazette: gazette?,
        },
        cadre_controlling_authority: Authority {
            name: authority.0?,
            address: authority.1?,
        },
        pay: pay?,
        recruitment: recruitment?,
        tenure: tenure?,
    })
}

/// Item 3(d): the level must be the one the grade pay maps to in its band
/// (PAY-1 data: pay_bands_6cpc, pay_matrix_7cpc).
fn parse_pay(c: &mut Checker<'_>, p: &PayInput) -> Option<PostPay> {
    let band = PayBand::parse(&p.pay_band)
        .map_err(|e| c.errs.push("post.pay.pay_band", e.to_string()))
        .ok();
    let level = Level::parse(&p.level)
        .map_err(|e| c.errs.push("post.pay.level", e.to_string()))
        .ok();
    let band = band?;
    // HAG and above are scales without a grade pay (item 3(d) then has
    // none: 0), each the one level of the matrix drawn from it.
    let scale_level = Level::all()
        .ok()
        .and_then(|mut all| all.find(|l| l.pay_band() == band && l.grade_pay().is_none()));
    let mapped = match scale_level {
        Some(l) if p.grade_pay == 0 => l,
        Some(_) => {
            c.errs.push(
                "post.pay.grade_pay",
                format!("{} has no grade pay: give 0", band.as_str()),
            );
            return None;
        }
        None => level_of_grade_pay(Some(band), p.grade_pay)
            .map_err(|e| c.errs.push("post.pay.grade_pay", e.to_string()))
            .ok()?,
    };
    let level = level?;
    if mapped.name() != level.name() {
        c.errs.push(
            "post.pay.level",
            format!(
                "{} grade pay {} is level {} of the pay matrix, not level {}",
                band.as_str(),
                p.grade_pay,
                mapped.name(),
                level.name()
            ),
        );
        return None;
    }
    Some(PostPay {
        pay_band: band.as_str().to_owned(),
        grade_pay: p.grade_pay,
        level: level.name().to_owned(),
    })
}

fn parse_recruitment(c: &mut Checker<'_>, r: &RecruitmentInput) -> Option<Recruitment> {
    let mut modes = Vec::new();
    let mut ok = true;
    if r.modes.is_empty() {
        c.errs.push(
            "post.recruitment.modes",
            "name the modes of recruitment of the recruitment rules",
        );
        ok = false;
    }
    for (n, m) in r.modes.iter().enumerate() {
        let path = format!("post.recruitment.modes[{n}]");
        let mode = choice(
            c.errs,
            &format!("{path}.mode"),
            &m.mode,
            RecruitmentMode::ALL,
        );
        if m.percent == 0 || m.percent > 100 {
            c.errs
                .push(format!("{path}.percent"), "must be from 1 to 100");
            ok = false;
        }
        match mode {
            Some(mode) if modes.iter().any(|x: &Mode| x.mode == mode) => {
                c.errs.push(format!("{path}.mode"), "named twice");
                ok = false;
            }
            Some(mode) => modes.push(Mode {
                mode,
                percent: m.percent,
            }),
            None => ok = false,
        }
    }
    // Summed wide: a hostile body's counts cannot overflow.
    let sum: u64 = r.modes.iter().map(|m| u64::from(m.percent)).sum();
    if ok && sum != 100 {
        c.errs.push(
            "post.recruitment.modes",
            format!("the percentages add up to {sum}, not 100"),
        );
        ok = false;
    }
    let direct = modes
        .iter()
        .any(|m| m.mode == RecruitmentMode::DirectRecruitment);
    let failing_which = match &r.failing_which {
        Some(f) => {
            let p = "post.recruitment.failing_which";
            let parts = (
                c.item(&format!("{p}.promotion"), &f.promotion, LONG),
                c.item(&format!("{p}.deputation"), &f.deputation, LONG),
                c.item(&format!("{p}.why_failed"), &f.why_failed, LONG),
            );
            match parts {
                (Some(promotion), Some(deputation), Some(why_failed)) => Some(FailingWhich {
                    promotion,
                    deputation,
                    why_failed,
                }),
                _ => {
                    ok = false;
                    None
                }
            }
        }
        None if ok && !direct => {
            // The note to item 3(e): direct recruitment only after promotion
            // and deputation have failed, and the proforma says how.
            c.errs.push(
                "post.recruitment.failing_which",
                "direct recruitment is not a mode of the rules: state the action taken by promotion and deputation and why both failed",
            );
            ok = false;
            None
        }
        None => None,
    };
    ok.then_some(Recruitment {
        modes,
        failing_which,
    })
}

fn parse_places(
    c: &mut Checker<'_>,
    places: &[PlaceInput],
    total: u32,
    today: NaiveDate,
) -> Option<Vec<Place>> {
    let mut out = Vec::new();
    let mut ok = true;
    if places.is_empty() {
        c.errs
            .push("vacancies", "name at least one place of posting");
        ok = false;
    }
    for (n, p) in places.iter().enumerate() {
        let path = format!("vacancies[{n}]");
        let station = c.item(&format!("{path}.station"), &p.station, LINE);
        if station.as_ref().is_some_and(|s| names_no_place(s.as_str())) {
            c.errs.push(
                format!("{path}.station"),
                "name the station: not \"All India\" or \"anywhere\" (note (i) to item 5)",
            );
            ok = false;
        }
        // Note (i) of item 5: "indicate specific place with Name of State".
        let state = crate::place::state_or_ut(&p.state);
        if state.is_none() {
            c.errs.push(
                format!("{path}.state"),
                "name the State or Union Territory of the station",
            );
        }
        if p.total == 0 {
            c.errs
                .push(format!("{path}.total"), "a place has at least one vacancy");
        }
        let mut breakup: Vec<CategoryCount> = Vec::new();
        let mut breakup_ok = true;
        if p.breakup.is_empty() {
            c.errs.push(
                format!("{path}.breakup"),
                "give the category-wise break-up (SC/ST/OBC/EWS/UR)",
            );
            breakup_ok = false;
        }
        for (k, b) in p.breakup.iter().enumerate() {
            let bpath = format!("{path}.breakup[{k}]");
            let category = choice(
                c.errs,
                &format!("{bpath}.category"),
                &b.category,
                Category::ALL,
            );
            if b.count == 0 {
                c.errs.push(
                    format!("{bpath}.count"),
                    "leave out a category with no vacancy",
                );
                breakup_ok = false;
            }
            if b.ph > b.count {
                c.errs.push(
                    format!("{bpath}.ph"),
                    format!("more than the {} vacancies of the category", b.count),
                );
                breakup_ok = false;
            }
            if b.ex_servicemen > b.count {
                c.errs.push(
                    format!("{bpath}.ex_servicemen"),
                    format!("more than the {} vacancies of the category", b.count),
                );
                breakup_ok = false;
            }
            match category {
                Some(cat) if breakup.iter().any(|x| x.category == cat) => {
                    c.errs
                        .push(format!("{bpath}.category"), "named twice at this place");
                    breakup_ok = false;
                }
                Some(category) => breakup.push(CategoryCount {
                    category,
                    count: b.count,
                    ph: b.ph,
                    ex_servicemen: b.ex_servicemen,
                }),
                None => breakup_ok = false,
            }
        }
        let sum: u64 = p.breakup.iter().map(|b| u64::from(b.count)).sum();
        if breakup_ok && sum != u64::from(p.total) {
            c.errs.push(
                format!("{path}.breakup"),
                format!(
                    "the break-up adds up to {sum}, not the place's {} vacancies",
                    p.total
                ),
            );
            breakup_ok = false;
        }
        let mut arose = Vec::new();
        let mut dates_ok = true;
        if p.arose_on.len() != usize::try_from(p.total).unwrap_or(usize::MAX) {
            c.errs.push(
                format!("{path}.arose_on"),
                format!(
                    "give the date each vacancy arose: {} dates for {} vacancies",
                    p.arose_on.len(),
                    p.total
                ),
            );
            dates_ok = false;
        }
        for (k, d) in p.arose_on.iter().enumerate() {
            match c.past_date(&format!("{path}.arose_on[{k}]"), d, today) {
                Some(d) => arose.push(d),
                None => dates_ok = false,
            }
        }
        match (station, state) {
            (Some(station), Some(state)) if breakup_ok && dates_ok && p.total > 0 => {
                out.push(Place {
                    station,
                    state: state.to_owned(),
                    total: p.total,
                    breakup,
                    arose_on: arose,
                })
            }
            _ => ok = false,
        }
    }
    let sum: u64 = places.iter().map(|p| u64::from(p.total)).sum();
    if sum != u64::from(total) {
        c.errs.push(
            "total_vacancies",
            format!("the places' vacancies add up to {sum}, not {total}"),
        );
        ok = false;
    }
    (ok && total > 0).then_some(out)
}

/// A complete requisition for tests: one place, one category.
#[cfg(test)]
pub(crate) fn sample() -> RequisitionInput {
    let s = |v: &str| v.to_owned();
    RequisitionInput {
        organisation: OrganisationInput {
            name: s("National Disaster Management Authority"),
            ministry: s("Ministry of Home Affairs"),
        },
        addresses: AddressesInput {
            organisation: s("NDMA Bhawan, A-1 Safdarjung Enclave, New Delhi 110029"),
            head_office: s("North Block, New Delhi 110001"),
        },
        post: PostInput {
            designation: s("Assistant Section Officer"),
            cadre: s("NDMA Ministerial Cadre"),
            classification: ClassificationInput {
                service: s("Central Civil Service"),
                group: s("B"),
                gazette: s("non_gazetted"),
            },
            cadre_controlling_authority: AuthorityInput {
                name: s("Ministry of Home Affairs"),
                address: s("North Block, New Delhi 110001"),
            },
            pay: PayInput {
                pay_band: s("PB-2"),
                grade_pay: 4600,
                level: s("7"),
            },
            recruitment: RecruitmentInput {
                modes: vec![ModeInput {
                    mode: s("direct_recruitment"),
                    percent: 100,
                }],
                failing_which: None,
            },
            tenure: s("permanent"),
        },
        duties: s("Noting and drafting in the administration division"),
        vacancies: vec![PlaceInput {
            station: s("New Delhi"),
            state: s("Delhi"),
            total: 3,
            breakup: vec![
                CategoryInput {
                    category: s("UR"),
                    count: 2,
                    ph: 1,
                    ex_servicemen: 0,
                },
                CategoryInput {
                    category: s("OBC"),
                    count: 1,
                    ph: 0,
                    ex_servicemen: 1,
                },
            ],
            arose_on: vec![s("2026-01-31"), s("2026-03-31"), s("2026-03-31")],
        }],
        total_vacancies: 3,
        qualifications: QualificationsInput {
            essential: s("Degree of a recognised university"),
            desirable: s("NIL"),
        },
        other_conditions: s("NIL"),
        certificates: CertificatesInput {
            regular_vacancies: true,
            reservation_quota: true,
            appointment_within_three_months: true,
        },
        authorised_officer: OfficerInput {
            name: s("R. K. Sharma"),
            designation: s("Under Secretary"),
            telephone: s("011-23092011"),
            email: s("us-admin@ndma.gov.in"),
        },
        signed: SignedInput {
            place: s("New Delhi"),
            date: s("2026-04-02"),
        },
        recruitment_rules: Some(DocumentInput {
            title: s("NDMA (Assistant Section Officer) Recruitment Rules, 2015"),
            reference: s("GSR 512(E) dated 12.06.2015"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    const TODAY: NaiveDate = ymd(2026, 4, 3);

    #[test]
    fn a_complete_proforma_parses_and_reads_back_as_its_input() {
        let input = sample();
        let r = parse(&input, TODAY).unwrap();
        assert_eq!(r.post.pay.level, "7");
        assert_eq!(r.vacancies[0].breakup[1].category, Category::Obc);
        // The typed requisition serialises to the shape it was read from.
        let back: RequisitionInput =
            serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
        assert_eq!(parse(&back, TODAY).unwrap(), r);
        // The stored document names its version and reads back the same.
        let stored = serde_json::to_value(StoredRequisition::V1(r.clone())).unwrap();
        assert_eq!(stored["schema"], "surplus_requisition/1");
        let again: StoredRequisition = serde_json::from_value(stored).unwrap();
        assert_eq!(again.requisition(), &r);
    }

    #[test]
    fn a_post_in_hag_has_no_grade_pay() {
        // Item 3(d) for a scale without a grade pay: none (0), its level.
        let mut input = sample();
        input.post.pay = PayInput {
            pay_band: "HAG".into(),
            grade_pay: 0,
            level: "15".into(),
        };
        let r = parse(&input, TODAY).unwrap();
        assert_eq!(
            (
                r.post.pay.pay_band.as_str(),
                r.post.pay.grade_pay,
                r.post.pay.level.as_str()
            ),
            ("HAG", 0, "15")
        );
        input.post.pay.level = "14".into();
        assert_eq!(
            parse(&input, TODAY).unwrap_err().paths(),
            ["post.pay.level"]
        );
        input.post.pay.level = "15".into();
        input.post.pay.grade_pay = 10000;
        assert_eq!(
            parse(&input, TODAY).unwrap_err().paths(),
            ["post.pay.grade_pay"]
        );
        // A band with grade pays still needs one of its own.
        input.post.pay = PayInput {
            pay_band: "PB-2".into(),
            grade_pay: 0,
            level: "7".into(),
        };
        assert_eq!(
            parse(&input, TODAY).unwrap_err().paths(),
            ["post.pay.grade_pay"]
        );
    }

    /// One rule per row: a change to a sound proforma, and the one path it
    /// must be refused at.
    type Case = (&'static str, fn(&mut RequisitionInput), &'static str);

    #[test]
    fn every_check_refuses_its_field() {
        let cases: &[Case] = &[
            (
                "blank",
                |i| i.organisation.name = "  ".into(),
                "organisation.name",
            ),
            ("dashes", |i| i.duties = "- - -".into(), "duties"),
            (
                "dots",
                |i| i.qualifications.desirable = "...".into(),
                "qualifications.desirable",
            ),
            (
                "missing item",
                |i| i.addresses.head_office = String::new(),
                "addresses.head_office",
            ),
            (
                "all india",
                |i| i.vacancies[0].station = "All India".into(),
                "vacancies[0].station",
            ),
            (
                "anywhere",
                |i| i.vacancies[0].station = "Anywhere in India".into(),
                "vacancies[0].station",
            ),
            (
                "no state",
                |i| i.vacancies[0].state = "Atlantis".into(),
                "vacancies[0].state",
            ),
            (
                "category",
                |i| i.vacancies[0].breakup[0].category = "GEN".into(),
                "vacancies[0].breakup[0].category",
            ),
            (
                "category twice",
                |i| i.vacancies[0].breakup[1].category = "UR".into(),
                "vacancies[0].breakup[1].category",
            ),
            (
                "ph over count",
                |i| i.vacancies[0].breakup[1].ph = 2,
                "vacancies[0].breakup[1].ph",
            ),
            (
                "break-up sum",
                |i| i.vacancies[0].breakup[0].count = 1,
                "vacancies[0].breakup",
            ),
            ("total sum", |i| i.total_vacancies = 4, "total_vacancies"),
            ("level", |i| i.post.pay.level = "8".into(), "post.pay.level"),
            (
                "grade pay",
                |i| i.post.pay.grade_pay = 4601,
                "post.pay.grade_pay",
            ),
            (
                "pay band",
                |i| i.post.pay.pay_band = "PB-9".into(),
                "post.pay.pay_band",
            ),
            (
                "future vacancy",
                |i| i.vacancies[0].arose_on[0] = "2026-04-04".into(),
                "vacancies[0].arose_on[0]",
            ),
            (
                "vacancy after the signature",
                |i| i.vacancies[0].arose_on[1] = "2026-04-03".into(),
                "vacancies[0].arose_on[1]",
            ),
            (
                "future signature",
                |i| i.signed.date = "2026-05-01".into(),
                "signed.date",
            ),
            (
                "date per vacancy",
                |i| {
                    i.vacancies[0].arose_on.pop();
                },
                "vacancies[0].arose_on",
            ),
            (
                "rr attached",
                |i| i.recruitment_rules = None,
                "recruitment_rules",
            ),
            (
                "certificate 11",
                |i| i.certificates.appointment_within_three_months = false,
                "certificates.appointment_within_three_months",
            ),
            (
                "percentages",
                |i| i.post.recruitment.modes[0].percent = 50,
                "post.recruitment.modes",
            ),
            (
                "mode",
                |i| i.post.recruitment.modes[0].mode = "lottery".into(),
                "post.recruitment.modes[0].mode",
            ),
            (
                "failing which",
                |i| i.post.recruitment.modes[0].mode = "promotion".into(),
                "post.recruitment.failing_which",
            ),
            (
                "group",
                |i| i.post.classification.group = "D".into(),
                "post.classification.group",
            ),
            (
                "tenure",
                |i| i.post.tenure = "contract".into(),
                "post.tenure",
            ),
            (
                "email",
                |i| i.authorised_officer.email = "nobody".into(),
                "authorised_officer.email",
            ),
        ];
        let mut checked = 0;
        for (name, change, path) in cases {
            let mut input = sample();
            change(&mut input);
            let errs = parse(&input, TODAY).expect_err(name);
            assert_eq!(errs.paths(), [*path], "{name}: {errs}");
            checked += 1;
        }
        assert_eq!(checked, cases.len());
        assert!(checked > 20);
    }

    #[test]
    fn failing_which_stated_lets_direct_recruitment_come_last() {
        let mut input = sample();
        input.post.recruitment.modes[0].mode = "promotion".into();
        input.post.recruitment.failing_which = Some(FailingWhichInput {
            promotion: "No eligible feeder-grade officer (DPC of 12.01.2026)".into(),
            deputation: "Circular of 01.02.2026: no applications".into(),
            why_failed: "Both modes yielded no candidate".into(),
        });
        assert!(parse(&input, TODAY).is_ok());
        input
            .post
            .recruitment
            .failing_which
            .as_mut()
            .unwrap()
            .why_failed = "--".into();
        assert_eq!(
            parse(&input, TODAY).unwrap_err().paths(),
            ["post.recruitment.failing_which.why_failed"]
        );
    }

    #[test]
    fn several_places_each_add_up() {
        let mut input = sample();
        let mut second = input.vacancies[0].clone();
        second.station = "Guwahati".into();
        second.state = "assam".into();
        input.vacancies.push(second);
        input.total_vacancies = 6;
        let r = parse(&input, TODAY).unwrap();
        assert_eq!(r.vacancies[1].state, "Assam");
        input.vacancies[1].breakup.pop();
        let e = parse(&input, TODAY).unwrap_err();
        assert_eq!(e.paths(), ["vacancies[1].breakup"]);
        input.vacancies[1].total = 2;
        input.vacancies[1].arose_on.pop();
        let e = parse(&input, TODAY).unwrap_err();
        assert_eq!(e.paths(), ["total_vacancies"]);
    }

    #[test]
    fn huge_counts_are_refused_not_overflowed() {
        let mut input = sample();
        input.vacancies[0].breakup[0].count = u32::MAX;
        input.vacancies[0].total = u32::MAX;
        input.total_vacancies = u32::MAX;
        let paths = parse(&input, TODAY).unwrap_err();
        assert!(paths.paths().contains(&"vacancies[0].breakup"), "{paths}");
    }

    #[test]
    fn places_that_name_no_place() {
        for s in [
            "All India",
            "ALL-INDIA",
            "anywhere",
            "Any where in India",
            "India",
            "Pan India",
            "All over India",
            "Any station in India",
            "Across India",
            "Throughout India",
            "Various stations",
            "All stations of the Zone",
        ] {
            assert!(names_no_place(s), "{s}");
        }
        for s in [
            "New Delhi",
            "Indiranagar",
            "Port Blair",
            "Indian Institute Campus, Pusa",
            "Survey of India, Dehradun",
            "New Delhi, India",
            "Company Station Road, Pune",
            "Small Stations Depot, Jhansi",
        ] {
            assert!(!names_no_place(s), "{s}");
        }
    }
}
