//! Prints (PRF-5, IPR-1): one Government of India layout for every print,
//! and verification codes an office can check at `GET /v1/prints/{code}`.

use actix_web::test::TestRequest;
use chrono::{Datelike, NaiveDate};
use cscms_domain::principal::Role;
use serde_json::json;

use crate::common::{employee, event, spawn, submitted, TestApp, IN_MHA};

pub(crate) fn pdf_text(bytes: &[u8]) -> (usize, String) {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF that parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text");
    // Lines a value wrapped over read as one.
    (
        pages.len(),
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

/// The verification code printed in the footer.
fn code_in(text: &str) -> String {
    let after = text
        .split("Verification code ")
        .nth(1)
        .expect("a verification code in the print");
    after.chars().take(14).collect()
}

fn has_dmy_date(text: &str) -> bool {
    text.as_bytes().windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            2 | 5 => *b == b'.',
            _ => b.is_ascii_digit(),
        })
    })
}

/// Page 1 as PNG beside the build (`target/tmp/prints/`), for a reviewer to
/// look at; skipped with a message where poppler's pdftoppm is missing.
fn keep_page_one(name: &str, pdf: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("prints");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let out = dir.join(name);
    match std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&input)
        .arg(&out)
        .status()
    {
        Ok(s) => assert!(s.success(), "pdftoppm failed on {name}"),
        Err(_) => eprintln!("pdftoppm not installed: no PNG preview of {name}"),
    }
}

async fn verify(app: &TestApp, code: &str) -> crate::common::Reply {
    app.call(TestRequest::get().uri(&format!("/v1/prints/{code}")))
        .await
}

#[actix_web::test]
async fn the_profile_prints_as_a_government_document_with_a_code_that_verifies() {
    let app = spawn().await;
    submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}/profile.pdf"), &nodal)
        .await;
    assert_eq!(r.status, 200);
    keep_page_one("profile", &r.bytes);
    let (_, text) = pdf_text(&r.bytes);
    for needle in [
        "Government of India",
        "Ministry of Personnel, Public Grievances & Pensions",
        "Department of Personnel & Training",
        "Employee Profile",
        "Asha Verma (CSS-000001)",
        "Ministry of Home Affairs (MHA)",
        "Section Officer",
        "IST",
        "01.07.2010",
        "DoPT O.M. No. 1/1/2010-CS.I",
        "Page 1 of",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from {text}");
    }
    assert!(has_dmy_date(&text));
    assert!(!text.contains("2010-07-01"), "ISO dates are not printed");

    let code = code_in(&text);
    let v = verify(&app, &code).await;
    assert_eq!(v.status, 200, "{}", v.json);
    assert_eq!(v.json["document"], "profile");
    assert_eq!(v.json["reference"], IN_MHA);
    assert_eq!(v.json["current"], true);
    let version = v.json["version"].as_i64().unwrap();
    // Typed back loosely, it still reads.
    let loose = code.to_lowercase().replace('-', "%20");
    assert_eq!(verify(&app, &loose).await.status, 200);

    // One character changed: not a code that was issued.
    let mut forged: Vec<char> = code.chars().collect();
    forged[0] = if forged[0] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    verify(&app, &forged).await.assert_problem(404, "not_found");
    verify(&app, "not-a-code")
        .await
        .assert_problem(404, "not_found");

    // The profile moves on: the old print is genuine but no longer current.
    let url = format!("/v1/employees/{IN_MHA}/profile");
    let read = app.get(&url, &nodal).await;
    let tag = read.header("etag").unwrap().to_owned();
    let r = app
        .patch_json(
            &url,
            &nodal,
            Some(&tag),
            &json!({"service": {"pay_cell": 5}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let v = verify(&app, &code).await;
    assert_eq!(v.json["current"], false, "{}", v.json);
    assert_eq!(v.json["current_version"], version + 1);
}

#[actix_web::test]
async fn a_long_service_history_repeats_its_table_header_on_every_page() {
    let app = spawn().await;
    let code = "CSS-000077";
    app.db(move |c| {
        let row = employee(code, "Śrīnivās Rāghavan", "CSS", "SO", "8", "MHA-NDMA");
        let events: Vec<_> = (0..140)
            .map(|i| {
                let on = NaiveDate::from_ymd_opt(1990 + i / 12, 1 + (i % 12) as u32, 1).unwrap();
                event(
                    code,
                    if i % 2 == 0 {
                        "deputation"
                    } else {
                        "repatriation"
                    },
                    on,
                    "SO",
                    "8",
                )
            })
            .collect();
        cscms_store::employees::insert(c, &row, &events)
    })
    .await;
    let r = app
        .get(&format!("/v1/employees/{code}/profile.pdf"), &app.dopt())
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    keep_page_one("profile-long", &r.bytes);
    let (pages, text) = pdf_text(&r.bytes);
    assert!(pages >= 3, "{pages} pages");
    assert!(
        text.contains("Śrīnivās Rāghavan"),
        "names keep their diacritics"
    );
    assert!(
        text.contains(
            "National Disaster Management Authority (MHA-NDMA), under Ministry of Home Affairs (MHA)"
        ),
        "{text}"
    );
    let continued = text.matches("Service history (continued)").count();
    assert!(
        continued >= pages - 2,
        "{continued} continuations over {pages} pages"
    );
    // The header row stands once on the first page of the table and again
    // on every continuation.
    assert_eq!(text.matches("Order reference").count(), continued + 1);
    assert!(text.contains(&format!("Page {pages} of {pages}")));
}

#[actix_web::test]
async fn the_property_return_prints_as_the_form_reads_with_its_versions() {
    let app = spawn().await;
    app.submit_all_profiles().await;
    let me = app.token(Role::Employee, Some(IN_MHA));
    let year = cscms_api::clearance::today().year() - 1;
    let url = format!("/v1/employees/{IN_MHA}/ipr");
    let flat = json!({
        "kind": "flat",
        "description": "2 BHK flat, 850 sq ft",
        "location": {"address": "C-12, Sector 7", "district": "South West Delhi", "state": "Delhi"},
        "acquisition": {"how": "purchase", "acquired_on": "2015-06-30", "from_whom": "DDA", "cost": 2500000},
        "present_value": 12345678,
        "own_share_pct": 100.0,
        "co_owners": [],
        "annual_income": 0
    });
    let r = app
        .post_json(&url, &me, &json!({"year": year, "properties": [flat]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app
        .post_json(
            &url,
            &me,
            &json!({"year": year, "properties": [flat], "revises": 0}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app.get(&format!("{url}/{year}.pdf"), &me).await;
    assert_eq!(r.status, 200);
    keep_page_one("ipr", &r.bytes);
    let (_, text) = pdf_text(&r.bytes);
    for needle in [
        "Government of India",
        "Annual Immovable Property Return",
        "₹1,23,45,678",
        "₹25,00,000",
        "30.06.2015",
        "Revision 1 (revises 0)",
        "Original return",
        "IST",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from {text}");
    }
    let v = verify(&app, &code_in(&text)).await;
    assert_eq!(v.status, 200, "{}", v.json);
    assert_eq!(v.json["document"], "ipr");
    assert_eq!(v.json["reference"], format!("{IN_MHA}/{year}"));
    assert_eq!(v.json["version"], 1);
    assert_eq!(v.json["current"], true);
}

#[actix_web::test]
async fn public_lookups_are_rate_limited_per_address() {
    let app = spawn().await;
    let svc = actix_web::test::init_service(cscms_api::app(app.state.clone())).await;
    let from = |ip: &str| {
        TestRequest::get()
            .uri("/v1/prints/AAAA-BBBB-CCCC")
            .peer_addr(format!("{ip}:40000").parse().unwrap())
            .to_request()
    };
    let mut limited = None;
    for n in 1..=200 {
        let r = actix_web::test::call_service(&svc, from("192.0.2.7")).await;
        if r.status() == 429 {
            limited = Some((n, r));
            break;
        }
        assert_eq!(r.status(), 404);
    }
    let (n, r) = limited.expect("a 429 within 200 look-ups");
    assert!(n > 10, "limited after {n}");
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = actix_web::test::read_body_json(r).await;
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["status"], 429);
    // Another address is not held back.
    let r = actix_web::test::call_service(&svc, from("192.0.2.8")).await;
    assert_eq!(r.status(), 404);
}

/// A print asked for with `Accept: application/pdf` on the record's own route;
/// the answer says it varies on `Accept`.
async fn pdf_of(app: &TestApp, uri: &str, token: &str) -> crate::common::Reply {
    let r = app
        .call(
            TestRequest::get()
                .uri(uri)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Accept", "application/pdf")),
        )
        .await;
    if r.status == 200 {
        assert!(varies_on_accept(&r), "{uri}: a print without Vary: Accept");
    }
    r
}

/// Whether any `Vary` header of the reply names `Accept`.
fn varies_on_accept(r: &crate::common::Reply) -> bool {
    r.headers
        .get_all(actix_web::http::header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept"))
}

/// The JSON of a record that also prints varies on `Accept` too, so a
/// cache never answers a JSON request with the PDF or the other way round;
/// a record without a print does not.
#[actix_web::test]
async fn negotiated_json_varies_on_accept() {
    let app = spawn().await;
    let dopt = app.dopt();
    let profile = app.get("/v1/employees/CSS-000001/profile", &dopt).await;
    assert_eq!(profile.status, 200);
    assert!(
        varies_on_accept(&profile),
        "profile JSON without Vary: Accept"
    );
    let plain = app.get("/v1/employees/CSS-000001", &dopt).await;
    assert_eq!(plain.status, 200);
    assert!(
        !varies_on_accept(&plain),
        "an employee has no print to vary with"
    );
}

/// The letterhead every print carries.
fn assert_letterhead(text: &str) {
    for needle in [
        "Government of India",
        "Ministry of Personnel, Public Grievances & Pensions",
        "Department of Personnel & Training",
        "IST",
        "Page 1 of",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from {text}");
    }
    assert!(has_dmy_date(text), "no dd.mm.yyyy date in {text}");
}

#[actix_web::test]
async fn a_foreign_visit_prints_with_its_clearance_and_decision() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let applied = crate::foreign_visits::apply(&app, &me).await;
    let id = applied["id"].as_i64().unwrap();
    let applied_from: chrono::NaiveDate = applied["from_date"].as_str().unwrap().parse().unwrap();
    let uri = format!("/v1/foreign-visits/{id}");
    let r = app
        .post_json(
            &format!("{uri}/grant"),
            &nodal,
            &json!({"clearance_override": crate::clearance_condition::OVERRIDE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);

    let r = pdf_of(&app, &uri, &nodal).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    keep_page_one("foreign-visit", &r.bytes);
    let (_, text) = pdf_text(&r.bytes);
    assert_letterhead(&text);
    let from = applied_from.format("%d.%m.%Y");
    for needle in [
        "Clearance for a Private Foreign Visit".to_owned(),
        "Asha Verma (CSS-000001)".to_owned(),
        "Ministry of Home Affairs (MHA)".to_owned(),
        "Nepal, Bhutan".to_owned(),
        format!("{from} to"),
        // The decision row and the clearance it was taken on, overridden.
        "grant (granted)".to_owned(),
        "Vigilance clearance then denied (as of".to_owned(),
        crate::clearance_condition::OVERRIDE.to_owned(),
        "clearance overridden (VIG-1)".to_owned(),
        "clearance denied: ".to_owned(),
        // Each reason of the clearance now with the order it rests on.
        "CSCMS dated 15.11.2022, para 3.5)".to_owned(),
    ] {
        assert!(text.contains(&needle), "{needle:?} missing from {text}");
    }
    assert!(!text.contains(&applied_from.to_string()));

    // The code verifies for this request at its version (two steps).
    let code = code_in(&text);
    let v = verify(&app, &code).await;
    assert_eq!(v.status, 200, "{}", v.json);
    assert_eq!(v.json["document"], "foreign_visit");
    assert_eq!(v.json["reference"], id.to_string());
    assert_eq!(v.json["version"], 2);
    assert_eq!(v.json["current"], true);
    let mut forged: Vec<char> = code.chars().collect();
    forged[1] = if forged[1] == 'A' { 'B' } else { 'A' };
    verify(&app, &forged.into_iter().collect::<String>())
        .await
        .assert_problem(404, "not_found");
    // Outside the caller's scope there is no print either.
    let other = pdf_of(&app, &uri, &app.token(Role::NodalOfficer, Some("MOF"))).await;
    other.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_deputation_application_prints_with_its_clearance_chain() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let sub = crate::deputation::onboard(&app, "MHA", "MHA-NISA").await;
    let advert = crate::deputation::publish(
        &app,
        &sub,
        &crate::deputation::terms(crate::workflow_support::days_from_today(20), "7"),
    )
    .await;
    let id = crate::deputation::apply(&app, &me, advert).await["id"]
        .as_i64()
        .unwrap();
    let uri = format!("/v1/deputation/applications/{id}");
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let r = app
        .post_json(
            &format!("{uri}/forward"),
            &nodal,
            &json!({"reason": "Cadre clearance: no objection",
                    "clearance_override": crate::clearance_condition::OVERRIDE}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);

    let r = pdf_of(&app, &uri, &me).await;
    assert_eq!(r.status, 200, "{}", r.json);
    keep_page_one("deputation-application", &r.bytes);
    let (_, text) = pdf_text(&r.bytes);
    assert_letterhead(&text);
    for needle in [
        "Application for Deputation",
        "Asha Verma (CSS-000001)",
        "Ministry of Home Affairs (MHA)",
        "Deputy Director (Administration)",
        "Body MHA-NISA (MHA-NISA)",
        "APARs of the last five years",
        // The chain: each step, who, the clearance then, the override.
        "Clearance chain",
        "apply: submitted",
        "forward: submitted -> forwarded",
        "(nodal officer)",
        "Cadre clearance: no objection; clearance overridden (VIG-1)",
        crate::clearance_condition::OVERRIDE,
        "Decision of DoPT (DEP-1)",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from {text}");
    }
    assert!(
        text.matches("denied (as of").count() >= 3,
        "the clearance at each step and now: {text}"
    );
    let code = code_in(&text);
    let v = verify(&app, &code).await;
    assert_eq!(v.status, 200, "{}", v.json);
    assert_eq!(v.json["document"], "deputation_application");
    assert_eq!(v.json["reference"], id.to_string());
    assert_eq!(v.json["version"], 2);
    assert_eq!(v.json["current"], true);
    // A step later, the print is genuine but no longer current.
    let r = app
        .post_json(&format!("{uri}/withdraw"), &me, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let v = verify(&app, &code).await;
    assert_eq!(
        (
            v.json["current"].as_bool(),
            v.json["current_version"].as_i64()
        ),
        (Some(false), Some(3))
    );
}

/// How many prints the register holds.
async fn prints_on_record(app: &TestApp) -> i64 {
    app.db(|c| {
        use cscms_store::schema::prints;
        use diesel::prelude::*;
        Ok(prints::table.count().get_result::<i64>(c)?)
    })
    .await
}

/// HEAD is safe (RFC 9110 §9.2.1): it answers as GET would (the server
/// sends the headers only) and registers no print, since none is
/// delivered; a GET still does.
#[actix_web::test]
async fn head_on_a_print_registers_nothing() {
    let app = spawn().await;
    let me = submitted(&app, IN_MHA).await;
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let visit = crate::foreign_visits::apply(&app, &me).await;
    let visit = format!("/v1/foreign-visits/{}", visit["id"]);
    let profile = format!("/v1/employees/{IN_MHA}/profile");
    let request = |method: actix_web::http::Method, uri: &str, pdf_accept: bool| {
        let mut req = TestRequest::default()
            .method(method)
            .uri(uri)
            .insert_header(("Authorization", format!("Bearer {nodal}")));
        if pdf_accept {
            req = req.insert_header(("Accept", "application/pdf"));
        }
        req
    };
    for (uri, pdf_accept) in [
        (format!("{profile}.pdf"), false),
        (profile.clone(), true),
        (visit.clone(), true),
    ] {
        let before = prints_on_record(&app).await;
        let head = app
            .call(request(actix_web::http::Method::HEAD, &uri, pdf_accept))
            .await;
        assert_eq!(head.status, 200, "HEAD {uri}");
        assert_eq!(head.header("content-type"), Some("application/pdf"));
        assert_eq!(prints_on_record(&app).await, before, "HEAD {uri}");

        let get = app
            .call(request(actix_web::http::Method::GET, &uri, pdf_accept))
            .await;
        assert_eq!(get.status, 200, "GET {uri}");
        assert_eq!(prints_on_record(&app).await, before + 1, "GET {uri}");
        let code = code_in(&pdf_text(&get.bytes).1);
        assert_eq!(verify(&app, &code).await.status, 200, "GET {uri}");
    }
}
