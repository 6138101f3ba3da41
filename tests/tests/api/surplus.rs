//! SUR-1: Surplus Cell NOC/NAC requisitions. The proforma checked at the
//! door field by field, the route through the ministry for a body under it,
//! every end state, the 3-month clock and the print.

use chrono::{Days, NaiveDate};
use cscms_domain::principal::Role;
use cscms_domain::surplus::{appointment_due, SurState, SURPLUS_REQUISITION};
use cscms_domain::workflow::Label;
use serde_json::{json, Value};

use crate::common::{spawn, TestApp};
use crate::workflow_support::{check, expect, one_audit_row_per_step, today, Caller, REASON};

/// A complete proforma for one post of MHA-NDMA, two places.
pub fn proforma() -> Value {
    json!({
        "organisation": {"name": "National Disaster Management Authority", "ministry": "Ministry of Home Affairs"},
        "addresses": {
            "organisation": "NDMA Bhawan, A-1 Safdarjung Enclave, New Delhi 110029",
            "head_office": "North Block, New Delhi 110001"
        },
        "post": {
            "designation": "Assistant Section Officer",
            "cadre": "NDMA Ministerial Cadre",
            "classification": {"service": "Central Civil Service", "group": "B", "gazette": "non_gazetted"},
            "cadre_controlling_authority": {"name": "Ministry of Home Affairs", "address": "North Block, New Delhi 110001"},
            "pay": {"pay_band": "PB-2", "grade_pay": 4600, "level": "7"},
            "recruitment": {"modes": [{"mode": "direct_recruitment", "percent": 50}, {"mode": "promotion", "percent": 50}]},
            "tenure": "permanent"
        },
        "duties": "Noting and drafting; disaster response coordination",
        "vacancies": [
            {"station": "New Delhi", "state": "Delhi", "total": 3,
             "breakup": [{"category": "UR", "count": 2, "ph": 1, "ex_servicemen": 0},
                         {"category": "SC", "count": 1, "ph": 0, "ex_servicemen": 1}],
             "arose_on": ["2026-01-31", "2026-03-31", "2026-03-31"]},
            {"station": "Guwahati", "state": "Assam", "total": 1,
             "breakup": [{"category": "EWS", "count": 1, "ph": 0, "ex_servicemen": 0}],
             "arose_on": ["2026-02-28"]}
        ],
        "total_vacancies": 4,
        "qualifications": {"essential": "Degree of a recognised university", "desirable": "NIL"},
        "other_conditions": "NIL",
        "certificates": {"regular_vacancies": true, "reservation_quota": true, "appointment_within_three_months": true},
        "authorised_officer": {"name": "R. K. Sharma", "designation": "Under Secretary", "telephone": "011-23092011", "email": "us-admin@ndma.gov.in"},
        "signed": {"place": "New Delhi", "date": "2026-04-02"},
        "recruitment_rules": {"title": "NDMA (Assistant Section Officer) Recruitment Rules, 2015", "reference": "GSR 512(E) dated 12.06.2015"}
    })
}

/// An office's draft; answers its id.
pub async fn draft(app: &TestApp, office: &str) -> i64 {
    let r = app
        .post_json("/v1/surplus/requisitions", office, &proforma())
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

/// The token of the office of `org`: a sub-nodal officer for a body, the
/// nodal officer for a ministry.
pub fn office(app: &TestApp, org: &str) -> String {
    let role = if org.contains('-') {
        Role::SubNodalOfficer
    } else {
        Role::NodalOfficer
    };
    app.token(role, Some(org))
}

/// A requisition of `org` brought to `target` along the table's own path.
pub async fn in_state(app: &TestApp, org: &str, target: SurState) -> i64 {
    let ministry = org.split('-').next().unwrap();
    let (office, nodal, dopt) = (
        office(app, org),
        app.token(Role::NodalOfficer, Some(ministry)),
        app.dopt(),
    );
    let id = draft(app, &office).await;
    for (action, role) in SURPLUS_REQUISITION
        .path_to(target)
        .unwrap()
        .into_iter()
        .skip(1)
    {
        let token = match (action.label(), role) {
            ("submit", _) => &office,
            (_, Role::NodalOfficer) => &nodal,
            (_, Role::Dopt) => &dopt,
            (a, r) => panic!("no token for {a} by {r}"),
        };
        let body = if action.label() == "nominate" {
            json!({"nominees": [{"name": "Suresh Kumar", "particulars": "UDC, DGS&D", "nominated_on": today()}]})
        } else {
            json!({"reason": REASON})
        };
        let r = app
            .post_json(&action_path(id, action.label()), token, &body)
            .await;
        assert_eq!(r.status, 200, "{} {}", action.label(), r.json);
    }
    id
}

fn action_path(id: i64, action: &str) -> String {
    format!("/v1/surplus/requisitions/{id}/{}", action.replace('_', "-"))
}

/// One row per rule of the OM: a change to a sound proforma (a JSON
/// pointer and the value put there, `null` to remove), and the field it
/// must be refused at.
const DOOR: &[(&str, &str, &str, &str)] = &[
    (
        "blank",
        "/organisation/name",
        "\"  \"",
        "body.organisation.name",
    ),
    (
        "missing",
        "/addresses/head_office",
        "null",
        "body.addresses.head_office",
    ),
    ("dashes", "/duties", "\"---\"", "body.duties"),
    (
        "dots",
        "/qualifications/desirable",
        "\". . .\"",
        "body.qualifications.desirable",
    ),
    (
        "All India",
        "/vacancies/1/station",
        "\"All India\"",
        "body.vacancies[1].station",
    ),
    (
        "anywhere",
        "/vacancies/0/station",
        "\"Anywhere in India\"",
        "body.vacancies[0].station",
    ),
    (
        "no State",
        "/vacancies/1/state",
        "\"North East\"",
        "body.vacancies[1].state",
    ),
    (
        "category",
        "/vacancies/0/breakup/1/category",
        "\"GEN\"",
        "body.vacancies[0].breakup[1].category",
    ),
    (
        "place break-up",
        "/vacancies/0/breakup/0/count",
        "1",
        "body.vacancies[0].breakup",
    ),
    ("total", "/total_vacancies", "5", "body.total_vacancies"),
    (
        "PH beyond",
        "/vacancies/1/breakup/0/ph",
        "2",
        "body.vacancies[1].breakup[0].ph",
    ),
    (
        "pay level",
        "/post/pay/level",
        "\"6\"",
        "body.post.pay.level",
    ),
    (
        "grade pay",
        "/post/pay/grade_pay",
        "4700",
        "body.post.pay.grade_pay",
    ),
    (
        "future vacancy",
        "/vacancies/1/arose_on/0",
        "\"2099-01-01\"",
        "body.vacancies[1].arose_on[0]",
    ),
    (
        "vacancy after the signature",
        "/vacancies/1/arose_on/0",
        "\"2026-04-03\"",
        "body.vacancies[1].arose_on[0]",
    ),
    (
        "future signature",
        "/signed/date",
        "\"2099-01-01\"",
        "body.signed.date",
    ),
    (
        "RR attached",
        "/recruitment_rules",
        "null",
        "body.recruitment_rules",
    ),
    (
        "certificate 9",
        "/certificates/regular_vacancies",
        "false",
        "body.certificates.regular_vacancies",
    ),
    (
        "percentages",
        "/post/recruitment/modes/1/percent",
        "40",
        "body.post.recruitment.modes",
    ),
    (
        "failing which",
        "/post/recruitment/modes/0/mode",
        "\"deputation\"",
        "body.post.recruitment.failing_which",
    ),
];

fn changed(pointer: &str, value: &str) -> Value {
    let mut body = proforma();
    let value: Value = serde_json::from_str(value).unwrap();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let holder = body.pointer_mut(parent).unwrap();
    match (holder, value) {
        (Value::Object(m), Value::Null) => {
            m.remove(key);
        }
        (Value::Object(m), v) => {
            m.insert(key.to_owned(), v);
        }
        (Value::Array(a), v) => a[key.parse::<usize>().unwrap()] = v,
        (other, _) => panic!("{pointer}: {other}"),
    }
    body
}

#[actix_web::test]
async fn every_check_at_the_door_names_its_field() {
    let app = spawn().await;
    let ndma = office(&app, "MHA-NDMA");
    let mut checked = 0;
    for (rule, pointer, value, field) in DOOR {
        let r = app
            .post_json("/v1/surplus/requisitions", &ndma, &changed(pointer, value))
            .await;
        r.assert_problem(422, "validation_failed");
        let fields = r.error_fields();
        assert_eq!(fields, [*field], "{rule}: {}", r.json);
        checked += 1;
    }
    assert_eq!(checked, DOOR.len());
    // Nothing refused was stored; the sound proforma is.
    let list = app.get("/v1/surplus/requisitions", &ndma).await;
    assert_eq!(list.json["items"].as_array().unwrap().len(), 0);
    let id = draft(&app, &ndma).await;
    let r = app
        .get(&format!("/v1/surplus/requisitions/{id}"), &ndma)
        .await;
    assert_eq!(r.json["state"], "draft");
    assert_eq!(r.json["proforma"]["vacancies"][1]["state"], "Assam");
    assert_eq!(r.json["total_vacancies"], 4);
}

/// Certificate 9 counts the vacancies as on the date the requisition is
/// signed: one arising after it is refused, naming that date.
#[actix_web::test]
async fn a_vacancy_arising_after_the_requisition_was_signed_is_refused() {
    let app = spawn().await;
    let ndma = office(&app, "MHA-NDMA");
    let r = app
        .post_json(
            "/v1/surplus/requisitions",
            &ndma,
            &changed("/vacancies/0/arose_on/2", "\"2026-04-03\""),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.error_fields(), ["body.vacancies[0].arose_on[2]"]);
    let message = r.json["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("after the requisition was signed (02.04.2026)"),
        "{message}"
    );
    // The signing day itself is in time.
    let r = app
        .post_json(
            "/v1/surplus/requisitions",
            &ndma,
            &changed("/vacancies/0/arose_on/2", "\"2026-04-02\""),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

#[actix_web::test]
async fn break_ups_that_do_not_add_up_are_refused_at_every_level() {
    let app = spawn().await;
    let ndma = office(&app, "MHA-NDMA");
    // Each place adds up, but not to the total.
    let mut body = proforma();
    body["vacancies"][1]["total"] = json!(2);
    body["vacancies"][1]["breakup"][0]["count"] = json!(2);
    body["vacancies"][1]["arose_on"] = json!(["2026-02-28", "2026-02-28"]);
    let r = app
        .post_json("/v1/surplus/requisitions", &ndma, &body)
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.total_vacancies");
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("add up to 5, not 4"));
    // The total is right, but one place's categories are not.
    let mut body = proforma();
    body["vacancies"][0]["breakup"][1]["count"] = json!(2);
    let r = app
        .post_json("/v1/surplus/requisitions", &ndma, &body)
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.json["errors"],
        json!([{"code": "invalid", "field": "body.vacancies[0].breakup",
                "message": "the break-up adds up to 4, not the place's 3 vacancies"}])
    );
}

#[actix_web::test]
async fn an_attached_office_goes_through_its_ministry() {
    let app = spawn().await;
    let ndma = office(&app, "MHA-NDMA");
    let mha = app.token(Role::NodalOfficer, Some("MHA"));
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    let dopt = app.dopt();
    let id = draft(&app, &ndma).await;
    // The ministry sees its body's draft but does not submit it for it.
    let r = app
        .post_json(&action_path(id, "submit"), &mha, &json!({}))
        .await;
    r.assert_problem(403, "forbidden");
    let r = app
        .post_json(&action_path(id, "submit"), &ndma, &json!({}))
        .await;
    assert_eq!(r.json["state"], "submitted", "{}", r.json);
    // DoPT does not take up what the ministry has not forwarded.
    let r = app
        .post_json(&action_path(id, "take_up"), &dopt, &json!({}))
        .await;
    r.assert_problem(409, "invalid_transition");
    assert_eq!(r.json["current_state"], "submitted");
    // The body cannot forward its own requisition; another ministry does not see it.
    let r = app
        .post_json(&action_path(id, "forward"), &ndma, &json!({}))
        .await;
    r.assert_problem(403, "forbidden");
    let r = app
        .post_json(&action_path(id, "forward"), &mof, &json!({}))
        .await;
    r.assert_problem(404, "not_found");
    let r = app
        .post_json(&action_path(id, "forward"), &mha, &json!({}))
        .await;
    assert_eq!(r.json["state"], "forwarded", "{}", r.json);
    // DoPT's queue lists it; the ministry's queue of submitted ones no longer does.
    let queue = |r: crate::common::Reply| -> Vec<i64> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let forwarded = app
        .get("/v1/surplus/requisitions?state=forwarded", &dopt)
        .await;
    assert_eq!(queue(forwarded), [id]);
    let submitted = app
        .get("/v1/surplus/requisitions?state=submitted", &mha)
        .await;
    assert!(queue(submitted).is_empty());
    app.get("/v1/surplus/requisitions?state=lost", &dopt)
        .await
        .assert_problem(400, "invalid_query");
    let r = app
        .post_json(&action_path(id, "take_up"), &dopt, &json!({}))
        .await;
    assert_eq!(r.json["state"], "with_dopt", "{}", r.json);
    let r = app
        .post_json(&action_path(id, "issue_noc"), &dopt, &json!({}))
        .await;
    assert_eq!(r.json["state"], "noc_issued", "{}", r.json);
    // No step fetched a vigilance clearance: the requester is an office.
    let steps = r.json["steps"].as_array().unwrap();
    let roles: Vec<&str> = steps
        .iter()
        .map(|s| s["actor_role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "sub_nodal_officer",
            "sub_nodal_officer",
            "nodal_officer",
            "dopt",
            "dopt"
        ]
    );
    assert!(steps.iter().all(|s| s["clearance"].is_null()));
    one_audit_row_per_step(&app, "surplus_requisition", &r.json).await;
}

#[actix_web::test]
async fn every_end_state_and_every_move_by_every_role() {
    let app = spawn().await;
    let callers = [
        Caller::new(&app, "office", Role::SubNodalOfficer, Some("MHA-NDMA")),
        Caller::new(&app, "ministry", Role::NodalOfficer, Some("MHA")),
        Caller::new(&app, "dopt", Role::Dopt, None),
    ];
    let mut ends = 0;
    for end in [
        SurState::NocIssued,
        SurState::NacIssued,
        SurState::Nominated,
        SurState::Returned,
    ] {
        let id = in_state(&app, "MHA-NDMA", end).await;
        let r = app
            .get(&format!("/v1/surplus/requisitions/{id}"), &app.dopt())
            .await;
        assert_eq!(r.json["state"], end.label());
        assert_eq!(r.json["allowed_actions"], json!([]));
        ends += 1;
    }
    assert_eq!(ends, 4);
    // From "with_dopt", every action by every caller answers as the table says.
    let mut tried = 0;
    for action in [
        "issue_noc",
        "issue_nac",
        "return",
        "forward",
        "submit",
        "take_up",
    ] {
        for caller in &callers {
            let id = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
            let a = *cscms_domain::surplus::SurAction::ALL
                .iter()
                .find(|a| a.label() == action)
                .unwrap();
            let e = expect(&SURPLUS_REQUISITION, SurState::WithDopt, a, caller.role);
            let r = app
                .post_json(
                    &action_path(id, action),
                    &caller.token,
                    &json!({"reason": REASON}),
                )
                .await;
            check(
                &r,
                &e,
                SurState::WithDopt,
                &format!("{action} by {}", caller.label),
            );
            tried += 1;
        }
    }
    assert_eq!(tried, 18);
    // Returning needs reasons.
    let id = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
    let r = app
        .post_json(&action_path(id, "return"), &app.dopt(), &json!({}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.reason");
    // The register a page at a time, the state kept from page to page.
    let all = app
        .assert_paged("/v1/surplus/requisitions", &app.dopt())
        .await;
    let waiting = app
        .assert_paged("/v1/surplus/requisitions?state=with_dopt", &app.dopt())
        .await;
    assert!(waiting.iter().all(|r| r["state"] == "with_dopt"));
    assert!(all.len() > waiting.len(), "{} {}", all.len(), waiting.len());
}

#[actix_web::test]
async fn a_draft_is_amended_against_its_version() {
    let app = spawn().await;
    let ndma = office(&app, "MHA-NDMA");
    let id = draft(&app, &ndma).await;
    let path = format!("/v1/surplus/requisitions/{id}");
    let mut body = proforma();
    body["post"]["designation"] = json!("Stenographer Grade D");
    body["post"]["pay"] = json!({"pay_band": "PB-1", "grade_pay": 2400, "level": "4"});
    let r = app.put_json(&path, &ndma, Some("\"1\""), &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["designation"], "Stenographer Grade D");
    assert_eq!(r.header("etag"), Some("\"2\""));
    let stale = app.put_json(&path, &ndma, Some("\"1\""), &body).await;
    stale.assert_problem(412, "stale_version");
    app.post_json(&format!("{path}/submit"), &ndma, &json!({}))
        .await;
    let late = app.put_json(&path, &ndma, Some("\"3\""), &body).await;
    late.assert_problem(409, "invalid_transition");
}

/// A nomination answers the requisition: one dated before the office signed
/// it is refused, as one dated after today is; the signing day is in time.
#[actix_web::test]
async fn a_nomination_is_dated_between_the_requisition_and_today() {
    let app = spawn().await;
    let dopt = app.dopt();
    let id = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
    let signed: NaiveDate = proforma()["signed"]["date"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let nominee = |on: NaiveDate| json!({"nominees": [{"name": "Suresh Kumar", "particulars": "UDC, DGS&D", "nominated_on": on}]});
    for (on, message) in [
        (
            signed - Days::new(1),
            "must not be before the requisition, signed on 02.04.2026",
        ),
        (today() + Days::new(1), "must not be in the future"),
    ] {
        let r = app
            .post_json(&action_path(id, "nominate"), &dopt, &nominee(on))
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.json["errors"][0]["field"],
            "body.nominees[0].nominated_on"
        );
        assert_eq!(r.json["errors"][0]["message"], message);
    }
    let r = app
        .post_json(&action_path(id, "nominate"), &dopt, &nominee(signed))
        .await;
    assert_eq!(r.json["state"], "nominated", "{}", r.json);
    // A nomination made on paper before DoPT's take-up was recorded here
    // (today) is entered with its own date.
    let fresh = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
    let r = app
        .post_json(
            &action_path(fresh, "nominate"),
            &dopt,
            &nominee(today() - Days::new(30)),
        )
        .await;
    assert_eq!(r.json["state"], "nominated", "{}", r.json);
}

/// The latest nomination date whose appointment falls due as `due` says
/// of its due date, searched back over four months from today (IST). The
/// clock clamps to month ends, so not every day is some nomination's due
/// day: the search keeps the test true on every day it runs.
fn nominated_for(due: impl Fn(NaiveDate) -> bool) -> Option<NaiveDate> {
    let today = today();
    (0..130)
        .map(|back| today - Days::new(back))
        .find(|d| due(appointment_due(*d).outcome.due_on))
}

/// Nominations due after today, due today (when some date is), and due
/// before today: only the last is overdue, by the days since its due day.
#[actix_web::test]
async fn the_three_month_clock_at_minus_and_plus_a_day() {
    let app = spawn().await;
    let dopt = app.dopt();
    let ndma = office(&app, "MHA-NDMA");
    let id = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
    let now = today();
    let in_time = nominated_for(|due| due > now).unwrap();
    // Due two days ago or earlier, so that a day lies between its due day
    // and today's appointment below.
    let late = nominated_for(|due| due < now - Days::new(1)).unwrap();
    let due_today = nominated_for(|due| due == now);
    let mut given = vec![("In Time", in_time, false)];
    given.extend(due_today.map(|d| ("Due Today", d, false)));
    given.push(("Overdue", late, true));
    let nominees = json!({"nominees": given
        .iter()
        .map(|(name, on, _)| json!({"name": name, "particulars": "UDC, DGS&D", "nominated_on": on}))
        .collect::<Vec<_>>()});
    let r = app
        .post_json(&action_path(id, "nominate"), &dopt, &nominees)
        .await;
    assert_eq!(r.json["state"], "nominated", "{}", r.json);
    let overdue: Vec<bool> = r.json["nominations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["overdue"].as_bool().unwrap())
        .collect();
    let want: Vec<bool> = given.iter().map(|(_, _, overdue)| *overdue).collect();
    assert_eq!(overdue, want);
    let last = given.len() - 1;
    let clock = &r.json["nominations"][last]["clock"];
    assert_eq!(clock["reasons"][0]["rule"], "SUR-1", "{clock}");
    assert_eq!(
        clock["due_on"],
        r.json["nominations"][last]["appointment_due_on"]
    );

    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = app.get("/v1/surplus/nominations/overdue", &dopt).await;
    assert_eq!(names(&list.json), ["Overdue"], "{}", list.json);
    // The latest date due before yesterday: overdue since its due day (two
    // days, unless yesterday is a day no nomination falls due on).
    let days = (now - appointment_due(late).outcome.due_on).num_days();
    assert!((2..=5).contains(&days), "{days}");
    assert_eq!(list.json["items"][0]["days_overdue"], days);
    // The office's ministry sees it; another ministry does not; the office
    // itself is not the watcher.
    let mha = app.token(Role::NodalOfficer, Some("MHA"));
    assert_eq!(
        names(&app.get("/v1/surplus/nominations/overdue", &mha).await.json),
        ["Overdue"]
    );
    let mof = app.token(Role::NodalOfficer, Some("MOF"));
    assert!(names(&app.get("/v1/surplus/nominations/overdue", &mof).await.json).is_empty());
    app.get("/v1/surplus/nominations/overdue", &ndma)
        .await
        .assert_problem(403, "forbidden");

    // More nominees than vacancies are refused.
    let other = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
    let five = json!({"nominees": (0..5).map(|i| json!({"name": format!("N{i}"), "particulars": "UDC", "nominated_on": today()})).collect::<Vec<_>>()});
    let r = app
        .post_json(&action_path(other, "nominate"), &dopt, &five)
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.json["errors"][0]["field"], "body.nominees");

    // The requisition's ETag counts its overdue nominees (the date decides
    // it, not a write); an appointment moves its version on.
    let requisition = format!("/v1/surplus/requisitions/{id}");
    let before = app.get(&requisition, &ndma).await;
    let version = before.json["version"].as_i64().unwrap();
    assert_eq!(
        before.header("etag"),
        Some(format!("\"{version}-overdue1\"").as_str())
    );
    // The office records the appointment: late, and off the list.
    let appoint = format!("/v1/surplus/requisitions/{id}/nominations/3/appointment");
    let body = json!({"appointed_on": today(), "order": "A-12011/4/2026-Admn"});
    app.post_json(&appoint, &mha, &body)
        .await
        .assert_problem(403, "forbidden");
    let r = app.post_json(&appoint, &ndma, &body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["appointed_late"], true);
    assert_eq!(r.json["overdue"], false);
    app.post_json(&appoint, &ndma, &body)
        .await
        .assert_problem(409, "already_exists");
    assert!(names(&app.get("/v1/surplus/nominations/overdue", &dopt).await.json).is_empty());
    // As of the day after its due day, before the appointment, it was
    // overdue by one day; as of the due day itself it was in time.
    let late_due = appointment_due(late).outcome.due_on;
    let then = app
        .get(
            &format!(
                "/v1/surplus/nominations/overdue?as_of={}",
                late_due + chrono::Days::new(1)
            ),
            &dopt,
        )
        .await;
    assert_eq!(names(&then.json), ["Overdue"], "{}", then.json);
    assert_eq!(then.json["items"][0]["days_overdue"], 1);
    assert_eq!(
        then.json["items"][0]["clock"]["reasons"][0]["rule"],
        "SUR-1"
    );
    assert_eq!(then.json["items"][0]["clock"]["due_on"], json!(late_due));
    let on_due = app
        .get(
            &format!("/v1/surplus/nominations/overdue?as_of={late_due}"),
            &dopt,
        )
        .await;
    assert!(names(&on_due.json).is_empty(), "{}", on_due.json);
    let after = app.get(&requisition, &ndma).await;
    assert_eq!(
        after.header("etag"),
        Some(format!("\"{}\"", version + 1).as_str())
    );

    // The list comes a page at a time, each nomination once, in order.
    let three = in_state(&app, "MHA-NDMA", SurState::WithDopt).await;
    let nominees: Vec<Value> = ["P1", "P2", "P3"]
        .iter()
        .map(|n| json!({"name": n, "particulars": "UDC", "nominated_on": late}))
        .collect();
    let late3 = json!({ "nominees": nominees });
    let r = app
        .post_json(&action_path(three, "nominate"), &dopt, &late3)
        .await;
    assert_eq!(r.json["state"], "nominated", "{}", r.json);
    let mut next = Some("/v1/surplus/nominations/overdue?limit=2".to_owned());
    let mut pages = Vec::new();
    while let Some(url) = next {
        let page = app.get(&url, &dopt).await;
        assert_eq!(page.status, 200, "{}", page.json);
        pages.push(names(&page.json));
        next = page.json["next"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, [vec!["P1", "P2"], vec!["P3"]]);
    app.get("/v1/surplus/nominations/overdue?cursor=2026-01-01.1", &dopt)
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn the_requisition_prints_as_the_proforma() {
    let app = spawn().await;
    let ndma = office(&app, "MHA-NDMA");
    let id = draft(&app, &ndma).await;
    let r = app
        .call(
            actix_web::test::TestRequest::get()
                .uri(&format!("/v1/surplus/requisitions/{id}"))
                .insert_header(("Authorization", format!("Bearer {ndma}")))
                .insert_header(("Accept", "application/pdf")),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    let (_, text) = crate::prints::pdf_text(&r.bytes);
    for expected in [
        "Assistant Section Officer",
        "Guwahati (Assam)",
        "UR 2 (PH 1)",
        "SC 1 (ExSM 1)",
        "PB-2 / GP 4600; Level 7",
        "GSR 512(E)",
    ] {
        assert!(text.contains(expected), "{expected} not in: {text}");
    }
    // The print's code verifies, for this requisition and version.
    let code = text
        .split("Verification code ")
        .nth(1)
        .unwrap()
        .chars()
        .take(14)
        .collect::<String>();
    let v = app
        .call(actix_web::test::TestRequest::get().uri(&format!("/v1/prints/{code}")))
        .await;
    assert_eq!(v.json["document"], "surplus_requisition", "{}", v.json);
    assert_eq!(v.json["reference"], id.to_string());
    assert_eq!(v.json["current"], true);
}
