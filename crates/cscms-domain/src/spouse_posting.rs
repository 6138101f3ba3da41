//! SPO-1: posting of husband and wife at the same station (DoPT OM No.
//! 28034/9/2009-Estt.(A) dated 30.09.2009, seed 002). Classifies a couple
//! into the cases (i)-(viii) of para 4 and says who acts, what it may do,
//! whether it must (para 2), how a refusal is given (para 5) and where a
//! representation goes (para 6).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cadre::Cadre;
use crate::decision::{Decision, Reasons};
use crate::employee::{string_enum, Gender};
use crate::fields::{dmy, FieldErrors};
use crate::params::ymd;
use crate::rules::SPO_1;

/// The OM of 30.09.2009 states no other date of effect: it applies from
/// its issue. Before it, its cases, para 2's mandate and paras 5 and 6 did
/// not exist.
pub const IN_FORCE_FROM: NaiveDate = ymd(2009, 9, 30);

/// The earlier orders the OM's opening paragraph names, by date: their
/// terms are not held by this system, so they are named, never applied.
const EARLIER: &[(NaiveDate, &str)] = &[
    (
        ymd(1986, 4, 3),
        "the guidelines of DoPT OM No. 28034/7/86-Estt.(A) of 03.04.1986",
    ),
    (
        ymd(1997, 6, 12),
        "and of OM No. 28034/2/97-Estt.(A) of 12.06.1997",
    ),
    (
        ymd(2004, 8, 23),
        "with DoPT's instructions of 23.08.2004 to follow them in letter and spirit",
    ),
];

/// Para 4(i): "the All India Services, namely IAS, IPS and Indian Forest
/// Service", by code or in full, ignoring case.
const ALL_INDIA_SERVICES: &[&str] = &[
    "IAS",
    "Indian Administrative Service",
    "IPS",
    "Indian Police Service",
    "IFoS",
    "Indian Forest Service",
];

fn is_all_india_service(name: &str) -> bool {
    ALL_INDIA_SERVICES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name.trim()))
}

string_enum!(
    /// Where a spouse is employed.
    ServiceKind as "SpouseServiceKind", "service kind" {
        AllIndia = "all_india_service",
        Central = "central_service",
        Psu = "psu",
        State = "state_government",
        NotInGovernment = "not_in_government",
    }
);

string_enum!(
    /// The cases of para 4.
    SpouseCase, "spouse-posting case" {
        I = "i", Ii = "ii", Iii = "iii", Iv = "iv", V = "v", Vi = "vi", Vii = "vii", Viii = "viii",
    }
);

string_enum!(
    /// What the acting authority may do.
    PostingOption, "posting option" {
        CadreTransfer = "cadre_transfer",
        SameStation = "same_station",
        NearestStation = "nearest_station",
        StateOfSpouse = "state_of_spouse",
    }
);

string_enum!(
    /// Which spouse.
    Which, "spouse" { First = "first", Second = "second", Either = "either" }
);

/// One spouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PostedSpouse))]
#[serde(deny_unknown_fields)]
pub struct Spouse {
    pub kind: ServiceKind,
    /// The service, PSU or State by name (`CSS`, `IAS`, `ONGC`, `Kerala`).
    #[cfg_attr(feature = "openapi", schema(max_length = 100, example = "CSS"))]
    pub service: String,
    /// The department the spouse works in, if a Central Government one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub department: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100, example = "New Delhi"))]
    pub station: String,
    /// Years at the present station (para 4(iv): the longer applies first).
    #[serde(default)]
    pub years_at_station: Option<u32>,
    #[serde(default)]
    pub gender: Option<Gender>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpouseInput {
    pub first: Spouse,
    pub second: Spouse,
    /// The posting is an appointment under the Central Staffing Scheme (para 4(viii) excludes it).
    #[serde(default)]
    pub central_staffing_scheme: bool,
    /// Whether a post of the required level is available at the station, if known.
    #[serde(default)]
    pub post_available: Option<bool>,
    /// Age of the youngest child, if any (para 3; para 4(viii): "especially till 18").
    #[serde(default)]
    pub youngest_child_age: Option<u32>,
}

/// Who acts, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PostingStep))]
pub struct Step {
    /// The spouse who applies.
    pub applicant: Which,
    /// The authority that decides.
    pub authority: String,
    pub may: Vec<PostingOption>,
    /// When this step is taken.
    pub when: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpouseOutcome {
    /// The governing case of para 4, if any applies.
    pub case: Option<SpouseCase>,
    /// Further cases that apply as well.
    pub also: Vec<SpouseCase>,
    pub already_same_station: bool,
    pub steps: Vec<Step>,
    /// Posting together is mandatory (para 2, para 4(viii)).
    pub mandatory: bool,
    /// A refusal must give the specific reasons (para 5).
    pub refusal_requires_reasons: bool,
    /// Where a complaint of non-adherence goes (para 6).
    pub representation: String,
}

fn is_central_government(k: ServiceKind) -> bool {
    matches!(k, ServiceKind::AllIndia | ServiceKind::Central)
}

/// Two services are the same service: the same name ignoring case, or the
/// same CSCMS cadre by code or name in full ("CSS" and "Central
/// Secretariat Service"), so para 2's mandate does not turn on spelling.
fn same_service(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
        || Cadre::named(a).is_some_and(|c| Cadre::named(b) == Some(c))
}

fn cca(s: &Spouse) -> String {
    format!("the cadre controlling authority of {}", s.service)
}

fn step(applicant: Which, authority: String, may: &[PostingOption], when: &str) -> Step {
    Step {
        applicant,
        authority,
        may: may.to_vec(),
        when: when.to_owned(),
    }
}

/// One spouse's faults, under `path` (`first`, `second`, `spouse`): a spouse
/// given as in an All India Service must name one of the three, and one of
/// the three is not a Central Service (para 4(i), 4(ii)).
pub fn check_spouse(errors: &mut FieldErrors, path: &str, spouse: &Spouse) {
    if spouse.kind == ServiceKind::Central && is_all_india_service(&spouse.service) {
        errors.push(
            format!("{path}.kind"),
            format!(
                "SPO-1, para 4(i)-(ii): '{}' is an All India Service, not a Central Service: give kind all_india_service",
                spouse.service.trim()
            ),
        );
    }
    if spouse.kind == ServiceKind::AllIndia && !is_all_india_service(&spouse.service) {
        errors.push(
            format!("{path}.service"),
            format!(
                "SPO-1, para 4(i): the All India Services are IAS, IPS and the Indian Forest Service (IFoS); '{}' is none of them: give its own kind (central_service for a Central Service)",
                spouse.service.trim()
            ),
        );
    }
}

/// The input's own faults, by field path (`second.service`).
pub fn check(input: &SpouseInput) -> FieldErrors {
    let mut errors = FieldErrors::new();
    check_spouse(&mut errors, "first", &input.first);
    check_spouse(&mut errors, "second", &input.second);
    errors
}

/// A decision that classifies nothing: no case, no steps, nothing mandatory.
fn unclassified(
    as_of: NaiveDate,
    input: &SpouseInput,
    r: Reasons,
    representation: String,
) -> Decision<SpouseOutcome> {
    r.decide(
        as_of,
        SpouseOutcome {
            case: None,
            also: Vec::new(),
            already_same_station: input
                .first
                .station
                .trim()
                .eq_ignore_ascii_case(input.second.station.trim()),
            steps: Vec::new(),
            mandatory: false,
            refusal_requires_reasons: false,
            representation,
        },
    )
}

/// Before 30.09.2009 the OM was not in force: say which earlier guidelines
/// were (their terms are not held by this system) and that they bound no one to
/// post a couple together (para 2 reviewed them "to see whether the
/// instructions could be made mandatory").
fn before_the_om(as_of: NaiveDate, input: &SpouseInput) -> Decision<SpouseOutcome> {
    let mut r = Reasons::new();
    r.push(&SPO_1, format!(
        "OM 28034/9/2009-Estt.(A) took effect on {}, after {}: its cases (para 4), the mandate of para 2 and paras 5 and 6 do not apply",
        dmy(IN_FORCE_FROM), dmy(as_of)
    ));
    let earlier: Vec<&str> = EARLIER
        .iter()
        .filter(|(from, _)| *from <= as_of)
        .map(|(_, what)| *what)
        .collect();
    r.push(&SPO_1, if earlier.is_empty() {
        format!("no guidelines on posting husband and wife at one station in force on {} are known here: the earliest the OM of 30.09.2009 names is OM No. 28034/7/86-Estt.(A) of 03.04.1986", dmy(as_of))
    } else {
        format!(
            "{} governed on {}; their terms are not held by this system, so no case is classified here. They were guidelines, which the OM of 30.09.2009 reviewed \"to see whether the instructions could be made mandatory\" (para 2): posting together was not mandatory under them",
            earlier.join(", "),
            dmy(as_of)
        )
    });
    unclassified(
        as_of,
        input,
        r,
        "through the normal channels of the ministry or department (the authority one level above came with para 6 of the OM of 30.09.2009)".to_owned(),
    )
}

/// SPO-1 for a couple as of a date: the OM from the day it took effect
/// ([`IN_FORCE_FROM`]); before it, no case and nothing mandatory. A spouse
/// given as in an All India Service that is not one ([`check`]) leaves the
/// couple unclassified.
pub fn evaluate_spouse_posting(as_of: NaiveDate, input: &SpouseInput) -> Decision<SpouseOutcome> {
    use PostingOption::{CadreTransfer, NearestStation, SameStation, StateOfSpouse};
    use ServiceKind as K;
    let (a, b) = (&input.first, &input.second);
    let mut r = Reasons::new();
    let faults = check(input);
    if !faults.is_empty() {
        for f in faults.iter() {
            r.push(
                &SPO_1,
                format!("{}: {}; the couple is not classified", f.path, f.message),
            );
        }
        return unclassified(
            as_of,
            input,
            r,
            "not decided: the input names no All India Service the OM knows".to_owned(),
        );
    }
    if as_of < IN_FORCE_FROM {
        return before_the_om(as_of, input);
    }
    // Order each pair so the match reads once; `swap` maps back to first/second.
    let swap = (a.kind as u8) > (b.kind as u8);
    let (x, y) = if swap { (b, a) } else { (a, b) };
    let (wx, wy) = if swap {
        (Which::Second, Which::First)
    } else {
        (Which::First, Which::Second)
    };
    let always = "on request";
    let mut steps = Vec::new();
    let case = match (x.kind, y.kind) {
        (K::AllIndia, K::AllIndia) => {
            r.push(&SPO_1, "para 4(i): both in All India Services (IAS, IPS, IFoS): cadre transfer of one spouse to the cadre of the other, on request, but not to the member's home cadre; postings within the cadre are for the State Government");
            // Either spouse may ask: the authority is that of the one who does.
            let who = if same_service(&x.service, &y.service) {
                format!(
                    "the cadre controlling authority of {} (Government of India)",
                    x.service
                )
            } else {
                format!(
                    "the cadre controlling authority of the requesting spouse's service ({} or {}; Government of India)",
                    x.service, y.service
                )
            };
            steps.push(step(Which::Either, who, &[CadreTransfer], always));
            Some(SpouseCase::I)
        }
        (K::AllIndia, K::Central) => {
            r.push(&SPO_1, "para 4(ii): one spouse in an All India Service, the other in a Central Service: the Central Service's cadre controlling authority may post the officer to the station, or if there is no post there, to the State where the All India Service spouse is posted");
            steps.push(step(wy, cca(y), &[SameStation, StateOfSpouse], always));
            Some(SpouseCase::Ii)
        }
        (K::Central, K::Central) if same_service(&x.service, &y.service) => {
            r.push(&SPO_1, format!("para 4(iii): both in the same Central Service ({}): its cadre controlling authority may post them to the same station; para 2 makes this mandatory where posts are available", x.service));
            steps.push(step(Which::Either, cca(x), &[SameStation], always));
            Some(SpouseCase::Iii)
        }
        (K::Central, K::Central) => {
            let first = match (x.years_at_station, y.years_at_station) {
                (Some(p), Some(q)) if p > q => wx,
                (Some(p), Some(q)) if q > p => wy,
                _ => Which::Either,
            };
            let (one, other) = match first {
                w if w == wy => (y, x),
                _ => (x, y),
            };
            let then = match first {
                Which::Either => Which::Either,
                w if w == wx => wy,
                _ => wx,
            };
            r.push(&SPO_1, "para 4(iv): different Central Services: the spouse with the longer service at a station applies first to their cadre controlling authority, which may post them to the station or the nearest station with a post; if it cannot for want of a vacancy, the other spouse applies to theirs");
            steps.push(step(
                first,
                cca(one),
                &[SameStation, NearestStation],
                "first: the spouse with the longer service at the station",
            ));
            steps.push(step(
                then,
                cca(other),
                &[SameStation, NearestStation],
                "if the first request fails for want of a vacant post",
            ));
            Some(SpouseCase::Iv)
        }
        (K::AllIndia, K::Psu) => {
            r.push(&SPO_1, "para 4(v): All India Service and a PSU: the PSU spouse applies to the PSU's competent authority, which may post them to the station, or if the PSU has no post there, to the State where the other spouse is posted");
            steps.push(step(
                wy,
                format!("the competent authority of {}", y.service),
                &[SameStation, StateOfSpouse],
                always,
            ));
            Some(SpouseCase::V)
        }
        (K::Central, K::Psu) => {
            r.push(&SPO_1, "para 4(vi): Central Service and a PSU: the PSU spouse applies first to the PSU's competent authority (station, else the nearest station); if the PSU has no post there, the Central Service spouse applies to their cadre controlling authority (station, else the nearest station to the PSU spouse)");
            steps.push(step(
                wy,
                format!("the competent authority of {}", y.service),
                &[SameStation, NearestStation],
                "first",
            ));
            steps.push(step(
                wx,
                cca(x),
                &[SameStation, NearestStation],
                "if the PSU has no post at the station",
            ));
            Some(SpouseCase::Vi)
        }
        // An All India Service spouse with a State Government one is not a
        // case of para 4: a move between States is the cadre transfer of
        // 4(i), and postings within a cadre are the State's (assumptions).
        (K::Central, K::State) => {
            r.push(&SPO_1, "para 4(vii): one spouse under the Central Government, the other under a State Government: the Central Government spouse applies to the competent authority, which may post them to the station, or if there is no post there, to the State where the other spouse is posted");
            steps.push(step(
                wx,
                format!("the competent authority over {}", x.service),
                &[SameStation, StateOfSpouse],
                always,
            ));
            Some(SpouseCase::Vii)
        }
        (K::AllIndia | K::Central, K::NotInGovernment) if x.gender == Some(Gender::Female) => {
            r.push(&SPO_1, "para 4(viii), last sentence: only the wife is a Government servant: the concessions apply to her");
            steps.push(step(wx, cca(x), &[SameStation, NearestStation], always));
            Some(SpouseCase::Viii)
        }
        _ => {
            r.push(
                &SPO_1,
                format!(
                    "para 4 lists no case for a couple of {} and {}: the OM does not apply",
                    x.kind, y.kind
                ),
            );
            None
        }
    };

    let same_department = is_central_government(a.kind)
        && is_central_government(b.kind)
        && a.department.is_some()
        && a.department.as_deref().map(str::to_lowercase)
            == b.department.as_deref().map(str::to_lowercase);
    let same_service = matches!(case, Some(SpouseCase::Iii));
    let mut also = Vec::new();
    let case = if same_department {
        r.push(&SPO_1, format!("para 4(viii): both work in the same department ({}): they should invariably be posted together where a post of the required level is available", a.department.as_deref().unwrap_or_default()));
        if let Some(c) = case.filter(|c| *c != SpouseCase::Viii) {
            also.push(c);
        }
        // The department posts them together: no spouse applies first
        // (4(iv)'s and 4(vi)'s sequence is for couples in two
        // organisations), and either may apply.
        if !same_service {
            steps.clear();
            steps.push(step(
                Which::Either,
                format!(
                    "the competent authority of {}",
                    a.department.as_deref().unwrap_or_default()
                ),
                &[SameStation],
                always,
            ));
        }
        Some(SpouseCase::Viii)
    } else {
        case
    };

    let mut mandatory = same_service || same_department;
    if mandatory {
        r.push(
            &SPO_1,
            if same_department {
                "para 2: same department: mandatory where posts are available"
            } else {
                "para 2: same Central Service: mandatory where posts are available"
            },
        );
        if input.central_staffing_scheme {
            mandatory = false;
            r.push(
                &SPO_1,
                "para 4(viii): does not apply on appointment under the Central Staffing Scheme",
            );
        }
        if input.post_available == Some(false) {
            mandatory = false;
            r.push(&SPO_1, "para 2: no post of the required level is available at the station, so it is not mandatory; the inability and its specific reasons must be communicated (para 5)");
        }
    }
    if let Some(age) = input.youngest_child_age {
        r.push(&SPO_1, if age < 18 {
            format!("paras 3 and 4(viii): the youngest child is {age}, under 18: the guidelines apply with particular force")
        } else {
            format!("paras 3 and 4(viii): the youngest child is {age}; the emphasis on children under 18 no longer applies, the rest of the guidelines still do")
        });
    }
    let already = a.station.trim().eq_ignore_ascii_case(b.station.trim());
    if already {
        r.push(&SPO_1, format!("both are already at {}", a.station));
    }
    r.push(&SPO_1, "para 5: the authority should strive to post the employee at the spouse's station; if it cannot, the specific reasons must be communicated to the employee");
    let deciding = steps.first().map_or_else(
        || "the deciding authority".to_owned(),
        |s| s.authority.clone(),
    );
    let representation = format!(
        "to an authority at least one level above {deciding} (where it is below Secretary to the Government of India or the Head of the PSU), disposed of in a time-bound manner (para 6)"
    );
    r.push(
        &SPO_1,
        format!("para 6: a complaint of non-adherence goes {representation}"),
    );
    r.decide(
        as_of,
        SpouseOutcome {
            case,
            also,
            already_same_station: already,
            steps,
            mandatory,
            refusal_requires_reasons: case.is_some(),
            representation,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ymd;

    fn s(kind: ServiceKind, service: &str, station: &str) -> Spouse {
        Spouse {
            kind,
            service: service.into(),
            department: None,
            station: station.into(),
            years_at_station: None,
            gender: None,
        }
    }

    fn eval(a: Spouse, b: Spouse) -> SpouseOutcome {
        evaluate_spouse_posting(
            ymd(2025, 1, 1),
            &SpouseInput {
                first: a,
                second: b,
                central_staffing_scheme: false,
                post_available: None,
                youngest_child_age: None,
            },
        )
        .outcome
    }

    use ServiceKind as K;

    #[test]
    fn spo_1_case_i_both_all_india() {
        let o = eval(
            s(K::AllIndia, "IAS", "Lucknow"),
            s(K::AllIndia, "IPS", "Patna"),
        );
        assert_eq!(o.case, Some(SpouseCase::I));
        assert_eq!(o.steps[0].may, vec![PostingOption::CadreTransfer]);
        assert!(!o.mandatory);
    }

    #[test]
    fn spo_1_case_ii_all_india_and_central_either_order() {
        for swap in [false, true] {
            let (a, b) = (
                s(K::Central, "CSS", "New Delhi"),
                s(K::AllIndia, "IAS", "Jaipur"),
            );
            let o = if swap { eval(b, a) } else { eval(a, b) };
            assert_eq!(o.case, Some(SpouseCase::Ii));
            // The Central Service spouse applies, whichever was given first.
            assert_eq!(
                o.steps[0].applicant,
                if swap { Which::Second } else { Which::First }
            );
            assert_eq!(
                o.steps[0].authority,
                "the cadre controlling authority of CSS"
            );
            assert_eq!(
                o.steps[0].may,
                vec![PostingOption::SameStation, PostingOption::StateOfSpouse]
            );
        }
    }

    #[test]
    fn spo_1_case_iii_same_central_service_is_mandatory_unless_no_post_or_central_staffing() {
        let o = eval(
            s(K::Central, "CSS", "New Delhi"),
            s(K::Central, "CSS", "Chennai"),
        );
        assert_eq!(o.case, Some(SpouseCase::Iii));
        assert!(o.mandatory && o.refusal_requires_reasons && !o.already_same_station);
        let mut input = SpouseInput {
            first: s(K::Central, "CSS", "New Delhi"),
            second: s(K::Central, "CSS", "Chennai"),
            central_staffing_scheme: false,
            post_available: Some(false),
            youngest_child_age: Some(9),
        };
        let d = evaluate_spouse_posting(ymd(2025, 1, 1), &input);
        assert!(!d.outcome.mandatory);
        assert!(d.reasons.iter().any(|r| r.text.contains("para 5")));
        input.post_available = Some(true);
        input.central_staffing_scheme = true;
        assert!(
            !evaluate_spouse_posting(ymd(2025, 1, 1), &input)
                .outcome
                .mandatory
        );
    }

    #[test]
    fn spo_1_case_iv_longer_service_at_station_applies_first() {
        let mut a = s(K::Central, "CSS", "New Delhi");
        let mut b = s(K::Central, "Indian Railway Accounts Service", "Mumbai");
        a.years_at_station = Some(2);
        b.years_at_station = Some(6);
        let o = eval(a, b);
        assert_eq!(o.case, Some(SpouseCase::Iv));
        assert!(!o.mandatory);
        assert_eq!(o.steps.len(), 2);
        assert_eq!(o.steps[0].applicant, Which::Second);
        assert_eq!(
            o.steps[0].authority,
            "the cadre controlling authority of Indian Railway Accounts Service"
        );
        assert_eq!(o.steps[1].applicant, Which::First);
        assert_eq!(
            o.steps[0].may,
            vec![PostingOption::SameStation, PostingOption::NearestStation]
        );
    }

    #[test]
    fn spo_1_case_v_all_india_and_psu() {
        let o = eval(
            s(K::Psu, "ONGC", "Dehradun"),
            s(K::AllIndia, "IFoS", "Shimla"),
        );
        assert_eq!(o.case, Some(SpouseCase::V));
        assert_eq!(o.steps[0].applicant, Which::First);
        assert_eq!(o.steps[0].authority, "the competent authority of ONGC");
        assert!(o.steps[0].may.contains(&PostingOption::StateOfSpouse));
    }

    #[test]
    fn spo_1_case_vi_central_and_psu_psu_first() {
        let o = eval(
            s(K::Central, "CSSS", "New Delhi"),
            s(K::Psu, "BHEL", "Bhopal"),
        );
        assert_eq!(o.case, Some(SpouseCase::Vi));
        assert_eq!(
            (o.steps[0].applicant, o.steps[1].applicant),
            (Which::Second, Which::First)
        );
    }

    #[test]
    fn spo_1_case_vii_central_and_state() {
        let o = eval(
            s(K::State, "Kerala", "Thiruvananthapuram"),
            s(K::Central, "CSS", "New Delhi"),
        );
        assert_eq!(o.case, Some(SpouseCase::Vii));
        assert_eq!(o.steps[0].applicant, Which::Second);
        assert!(o.representation.contains("one level above"));
    }

    #[test]
    fn spo_1_case_viii_same_department_governs_and_is_mandatory() {
        let mut a = s(K::Central, "CSS", "New Delhi");
        let mut b = s(K::Central, "CSSS", "New Delhi");
        a.department = Some("Department of Revenue".into());
        b.department = Some("department of revenue".into());
        let o = eval(a.clone(), b.clone());
        assert_eq!(o.case, Some(SpouseCase::Viii));
        assert_eq!(o.also, vec![SpouseCase::Iv]);
        assert!(o.mandatory && o.already_same_station);
        // Posted apart, neither applies first: the department posts them
        // together (para 4(viii)), not 4(iv)'s sequence.
        a.station = "Mumbai".into();
        a.years_at_station = Some(6);
        b.years_at_station = Some(2);
        let o = eval(a.clone(), b.clone());
        assert_eq!(o.case, Some(SpouseCase::Viii));
        assert_eq!(o.steps.len(), 1);
        assert_eq!(o.steps[0].applicant, Which::Either);
        assert_eq!(
            o.steps[0].authority,
            "the competent authority of Department of Revenue"
        );
        // Only the wife in Government service: the concessions are hers.
        let mut wife = s(K::Central, "CSS", "New Delhi");
        wife.gender = Some(Gender::Female);
        let o = eval(s(K::NotInGovernment, "private employer", "Pune"), wife);
        assert_eq!(o.case, Some(SpouseCase::Viii));
        assert_eq!(o.steps[0].applicant, Which::Second);
        assert!(!o.mandatory);
    }

    #[test]
    fn spo_1_no_case_for_two_psu_employees() {
        let o = eval(s(K::Psu, "NTPC", "Noida"), s(K::State, "Punjab", "Mohali"));
        assert_eq!(o.case, None);
        assert!(o.steps.is_empty() && !o.mandatory && !o.refusal_requires_reasons);
    }

    #[test]
    fn spo_1_no_case_for_an_all_india_service_and_a_state_government() {
        // docs/assumptions.md: a move between States is 4(i)'s cadre
        // transfer; postings within the cadre are the State's.
        for swap in [false, true] {
            let (a, b) = (
                s(K::AllIndia, "IAS", "Lucknow"),
                s(K::State, "Kerala", "Thiruvananthapuram"),
            );
            let o = if swap { eval(b, a) } else { eval(a, b) };
            assert_eq!(o.case, None, "swap {swap}");
            assert!(o.steps.is_empty());
        }
    }

    #[test]
    fn spo_1_the_same_service_by_code_or_name_in_full() {
        // Para 2: the same Central Service is mandatory whatever the spelling.
        for other in [
            "Central Secretariat Service",
            "central secretariat service",
            " CSS ",
        ] {
            let o = eval(
                s(K::Central, "CSS", "New Delhi"),
                s(K::Central, other, "Chennai"),
            );
            assert_eq!(o.case, Some(SpouseCase::Iii), "{other}");
            assert!(o.mandatory, "{other}");
        }
        let o = eval(
            s(K::Central, "CSS", "New Delhi"),
            s(
                K::Central,
                "Central Secretariat Stenographers' Service",
                "Chennai",
            ),
        );
        assert_eq!(o.case, Some(SpouseCase::Iv));
        assert_eq!(
            crate::cadre::Cadre::named("central secretariat stenographers service"),
            Some(crate::cadre::Cadre::Csss)
        );
        assert_eq!(crate::cadre::Cadre::named("Indian Revenue Service"), None);
    }

    fn eval_on(as_of: NaiveDate, a: Spouse, b: Spouse) -> Decision<SpouseOutcome> {
        evaluate_spouse_posting(
            as_of,
            &SpouseInput {
                first: a,
                second: b,
                central_staffing_scheme: false,
                post_available: None,
                youngest_child_age: None,
            },
        )
    }

    #[test]
    fn spo_1_before_the_om_of_30_09_2009_nothing_under_it_applies() {
        let css = |station: &str| s(K::Central, "CSS", station);
        let d = eval_on(ymd(1990, 1, 1), css("New Delhi"), css("Chennai"));
        assert!(!d.outcome.mandatory && !d.outcome.refusal_requires_reasons);
        assert_eq!(d.outcome.case, None);
        assert!(d.outcome.steps.is_empty());
        assert!(d.reasons[0].text.contains("took effect on 30.09.2009"));
        // The earlier guidelines are named, not applied: not in the seeds.
        assert!(d.reasons[1].text.contains("03.04.1986"));
        assert!(!d.reasons[1].text.contains("12.06.1997"));
        assert!(d.outcome.representation.contains("normal channels"));
        let d = eval_on(ymd(2009, 9, 29), css("New Delhi"), css("Chennai"));
        assert!(!d.outcome.mandatory);
        assert!(
            d.reasons[1].text.contains("12.06.1997") && d.reasons[1].text.contains("23.08.2004")
        );
        let d = eval_on(ymd(1980, 1, 1), css("New Delhi"), css("Chennai"));
        assert!(d.reasons[1].text.contains("no guidelines"));
        // From the day of the OM: para 2's mandate.
        let d = eval_on(ymd(2009, 9, 30), css("New Delhi"), css("Chennai"));
        assert_eq!(d.outcome.case, Some(SpouseCase::Iii));
        assert!(d.outcome.mandatory);
    }

    #[test]
    fn spo_1_an_all_india_service_is_ias_ips_or_the_indian_forest_service() {
        // Para 4(i): "namely IAS, IPS and Indian Forest Service".
        let o = eval(
            s(K::AllIndia, "IAS", "Lucknow"),
            s(K::AllIndia, "IRS", "Patna"),
        );
        assert_ne!(o.case, Some(SpouseCase::I));
        assert_eq!(o.case, None);
        assert!(o.steps.is_empty() && !o.mandatory);
        let mut input = SpouseInput {
            first: s(K::Central, "CSS", "New Delhi"),
            second: s(K::AllIndia, "IRS", "Patna"),
            central_staffing_scheme: false,
            post_available: None,
            youngest_child_age: None,
        };
        assert_eq!(check(&input).paths(), ["second.service"]);
        for name in ["IAS", " ips ", "IFoS", "Indian Forest Service"] {
            input.second.service = name.into();
            assert!(check(&input).is_empty(), "{name}");
        }
        // Para 4(ii): nor is one of them a Central Service, whose case (iv)
        // would send the officer to wait on the IAS's refusal.
        input.second.kind = K::Central;
        input.second.service = "IAS".into();
        assert_eq!(check(&input).paths(), ["second.kind"]);
    }

    #[test]
    fn spo_1_case_i_names_the_requesting_spouses_authority() {
        let o = eval(
            s(K::AllIndia, "IAS", "Lucknow"),
            s(K::AllIndia, "IPS", "Patna"),
        );
        assert_eq!(o.steps[0].applicant, Which::Either);
        assert!(
            o.steps[0]
                .authority
                .contains("requesting spouse's service (IAS or IPS"),
            "{}",
            o.steps[0].authority
        );
        let o = eval(
            s(K::AllIndia, "IAS", "Lucknow"),
            s(K::AllIndia, "ias", "Patna"),
        );
        assert_eq!(
            o.steps[0].authority,
            "the cadre controlling authority of IAS (Government of India)"
        );
    }
}
