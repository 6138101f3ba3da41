//! The employee list (filters, cursor pagination) and detail.

use std::collections::HashSet;

use actix_web::test::TestRequest;
use cscms_domain::principal::Role;

use crate::common::{call_on, employee, instance, reply, spawn, Reply, IN_MHA, IN_MOF};

#[actix_web::test]
async fn detail_carries_service_history() {
    let app = spawn().await;
    let r = app
        .get(&format!("/v1/employees/{IN_MHA}"), &app.dopt())
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["name"], "Asha Verma");
    assert_eq!(r.json["pay"]["level"], "8");
    assert_eq!(r.json["grade_name"], "Section Officer (SO)");
    assert_eq!(r.json["service_history"][0]["kind"], "appointment");
    assert_eq!(r.json["service_history"][0]["effective_on"], "2010-07-01");
    // Timestamps carry an offset (RFC 3339).
    let updated = r.json["updated_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
        "{updated}"
    );
}

#[actix_web::test]
async fn cursor_walks_every_employee_once() {
    let app = spawn().await;
    app.db(|c| {
        for i in 10..47 {
            let code = format!("CSCS-{i:06}");
            cscms_store::employees::insert(
                c,
                &employee(&code, "Ravi Das", "CSCS", "JSA", "2", "MOF"),
                &[],
            )?;
        }
        Ok(())
    })
    .await;
    let token = app.dopt();
    let mut seen = HashSet::new();
    let mut next = Some("/v1/employees?limit=7".to_owned());
    let mut pages = 0;
    while let Some(url) = next {
        let r = app.get(&url, &token).await;
        assert_eq!(r.status, 200, "{}", r.json);
        for e in r.json["items"].as_array().unwrap() {
            assert!(
                seen.insert(e["code"].as_str().unwrap().to_owned()),
                "duplicate"
            );
        }
        next = r.json["next"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert_eq!(
                r.header("link"),
                Some(format!("<{n}>; rel=\"next\"").as_str())
            );
        }
        pages += 1;
    }
    assert_eq!(seen.len(), 40);
    assert_eq!(pages, 6);
}

/// The codes of a page of employees, in order.
fn codes(r: &Reply) -> Vec<String> {
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn filters_combine() {
    let app = spawn().await;
    let t = app.dopt();
    let r = app.get("/v1/employees?cadre=CSSS", &t).await;
    assert_eq!(codes(&r), ["CSSS-000003"]);
    let r = app.get("/v1/employees?cadre=CSS&grade=ASO", &t).await;
    assert_eq!(codes(&r), ["CSS-000002"]);
    let r = app.get("/v1/employees?org=MHA", &t).await;
    assert_eq!(codes(&r), ["CSS-000001"]);
    let r = app.get("/v1/employees?q=vERMA", &t).await;
    assert_eq!(codes(&r), ["CSS-000001"]);
    let r = app.get("/v1/employees?q=css-00000", &t).await;
    assert_eq!(codes(&r).len(), 2);
    // LIKE wildcards in q are literal.
    let r = app.get("/v1/employees?q=%25", &t).await;
    assert!(codes(&r).is_empty());
}

/// A list page an instance keeps is never served once a write on any
/// instance has changed what it lists, nor to a caller who sees other
/// employees (issue 17, item 4).
#[actix_web::test]
async fn a_kept_list_page_gives_way_to_a_write_on_any_instance() {
    let app = spawn().await;
    let other = instance(&app.url, &[]);
    let list = |token: &str| {
        TestRequest::get()
            .uri("/v1/employees?limit=50")
            .insert_header(("Authorization", format!("Bearer {token}")))
    };
    let (dopt, nodal) = (app.dopt(), app.token(Role::NodalOfficer, Some("MHA")));

    let first = call_on(&other, list(&dopt)).await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert!(codes(&first).contains(&IN_MOF.to_owned()));
    let again = call_on(&other, list(&dopt)).await;
    assert_eq!((again.status, &again.bytes), (first.status, &first.bytes));
    let etag = first.header("etag").expect("a validator").to_owned();
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let unchanged = call_on(
        &other,
        list(&dopt).insert_header(("If-None-Match", etag.as_str())),
    )
    .await;
    assert_eq!(unchanged.status, 304);

    // The same query by a nodal officer of MHA: their own page, not DoPT's.
    let theirs = call_on(&other, list(&nodal)).await;
    assert_eq!(theirs.status, 200);
    assert!(codes(&theirs).contains(&IN_MHA.to_owned()));
    assert!(
        !codes(&theirs).contains(&IN_MOF.to_owned()),
        "{}",
        theirs.json
    );

    // An employee added through the first instance's database connection.
    app.db(|c| {
        cscms_store::employees::insert(
            c,
            &employee("CSCS-000777", "Meera Nair", "CSCS", "JSA", "2", "MOF"),
            &[],
        )
    })
    .await;
    let after = call_on(&other, list(&dopt)).await;
    assert_eq!(after.status, 200);
    assert_eq!(codes(&after).len(), codes(&first).len() + 1);
    assert!(codes(&after).contains(&"CSCS-000777".to_owned()));
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    let stale = call_on(
        &other,
        list(&dopt).insert_header(("If-None-Match", etag.as_str())),
    )
    .await;
    assert_eq!(stale.status, 200, "the old tag no longer matches");
    // Each answer is what an instance that keeps no pages answers.
    let plain = instance(&app.url, &[("CSCMS_LIST_CACHE_MIB", "0")]);
    for token in [&dopt, &nodal] {
        let kept = call_on(&other, list(token)).await;
        let read = call_on(&plain, list(token)).await;
        assert_eq!((kept.status, &kept.bytes), (read.status, &read.bytes));
        assert_eq!(kept.header("etag"), read.header("etag"));
        assert_eq!(kept.header("link"), read.header("link"));
    }
}

/// An employee's record an instance keeps is never served once a write on
/// any instance has changed the employee, their history or where they
/// are held, and is served only to callers whose scope holds the employee
/// as it stands (issue 17, item 4).
#[actix_web::test]
async fn a_kept_record_gives_way_to_a_write_on_any_instance() {
    let app = spawn().await;
    let other = instance(&app.url, &[]);
    let plain = instance(&app.url, &[("CSCMS_RECORD_CACHE_MIB", "0")]);
    let read = |token: &str| {
        TestRequest::get()
            .uri(&format!("/v1/employees/{IN_MHA}"))
            .insert_header(("Authorization", format!("Bearer {token}")))
    };
    let dopt = app.dopt();
    let (mha, mof) = (
        app.token(Role::NodalOfficer, Some("MHA")),
        app.token(Role::NodalOfficer, Some("MOF")),
    );
    let history = |r: &Reply| r.json["service_history"].as_array().unwrap().len();
    // Each answer of the instance that keeps records is what an instance
    // that keeps none answers, a record byte for byte.
    let same_as_plain = |what: &'static str| {
        let (other, plain) = (other.clone(), plain.clone());
        let tokens = [dopt.clone(), mha.clone(), mof.clone()];
        async move {
            let mut answers = Vec::new();
            for token in &tokens {
                let kept = call_on(&other, read(token)).await;
                let fresh = call_on(&plain, read(token)).await;
                assert_eq!(kept.status, fresh.status, "{what}");
                if kept.status == 200 {
                    assert_eq!(
                        (String::from_utf8_lossy(&kept.bytes), kept.header("etag")),
                        (String::from_utf8_lossy(&fresh.bytes), fresh.header("etag")),
                        "{what}"
                    );
                } else {
                    // A problem names its own request: the rest is the same.
                    assert_eq!(kept.json["code"], fresh.json["code"], "{what}");
                }
                answers.push(kept);
            }
            answers
        }
    };

    let first = call_on(&other, read(&dopt)).await;
    assert_eq!(first.status, 200, "{}", first.json);
    let etag = first.header("etag").expect("a validator").to_owned();
    let again = call_on(&other, read(&dopt)).await;
    assert_eq!((again.status, &again.bytes), (first.status, &first.bytes));
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let unchanged = call_on(
        &other,
        read(&dopt).insert_header(("If-None-Match", etag.as_str())),
    )
    .await;
    assert_eq!(unchanged.status, 304);
    // Kept for DoPT, the record is still out of MOF's nodal officer's scope.
    let statuses = |answers: &[Reply]| {
        answers
            .iter()
            .map(|r| r.status.as_u16())
            .collect::<Vec<_>>()
    };
    let answers = same_as_plain("as seeded").await;
    assert_eq!(statuses(&answers), [200, 200, 404]);
    assert_eq!(answers[2].json["code"], "not_found", "{}", answers[2].json);

    // A promotion added to the history through the first instance's connection.
    let before = history(&first);
    app.db(|c| {
        cscms_store::employees::add_events(
            c,
            &[crate::common::event(
                IN_MHA,
                "promotion",
                chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
                "US",
                "11",
            )],
        )
    })
    .await;
    let answers = same_as_plain("a promotion added").await;
    assert_eq!(history(&answers[0]), before + 1, "{}", answers[0].json);
    assert_ne!(answers[0].header("etag"), Some(etag.as_str()));

    // The employee moved to MOF: MHA's nodal officer no longer sees them.
    app.db(|c| {
        use cscms_store::schema::employees;
        use diesel::prelude::*;
        diesel::update(employees::table.find(IN_MHA))
            .set(employees::org_id.eq("MOF"))
            .execute(c)?;
        Ok(())
    })
    .await;
    let answers = same_as_plain("moved to MOF").await;
    assert_eq!(statuses(&answers), [200, 404, 200]);
    assert_eq!(answers[0].json["organisation_id"], "MOF");
    // No record is kept for a code that does not exist.
    let missing = call_on(
        &other,
        TestRequest::get()
            .uri("/v1/employees/CSS-000999")
            .insert_header(("Authorization", format!("Bearer {dopt}"))),
    )
    .await;
    assert_eq!(missing.status, 404);
}

/// While one instance answers a stream of list requests, a request made
/// after a write on the other instance has committed always sees it: no
/// request is answered from a version read that began before it arrived
/// (on PostgreSQL, where the requests share those reads).
#[actix_web::test]
async fn a_list_asked_after_a_write_sees_it_under_load() {
    let app = spawn().await;
    let code = |k: u32| format!("CSCS-{:06}", 900 + k);
    asked_after_a_write_sees_it(
        &app,
        "/v1/employees?cadre=CSCS&limit=100",
        |k| {
            let row = employee(&code(k), "Kavya Rao", "CSCS", "JSA", "2", "MOF");
            move |c| cscms_store::employees::insert(c, &row, &[])
        },
        |r, k| codes(r).contains(&code(k)),
    )
    .await;
}

/// The same for an employee's record, kept by one instance while events
/// are added to the history through the other.
#[actix_web::test]
async fn a_record_asked_after_a_write_sees_it_under_load() {
    let app = spawn().await;
    let order = |k: u32| format!("DoPT O.M. No. 9/{k}/2024-CS.I");
    asked_after_a_write_sees_it(
        &app,
        &format!("/v1/employees/{IN_MOF}"),
        |k| {
            let mut e = crate::common::event(
                IN_MOF,
                "transfer",
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(k.into()),
                "ASO",
                "7",
            );
            e.order_ref = order(k);
            move |c| cscms_store::employees::add_events(c, &[e])
        },
        |r, k| {
            r.json["service_history"]
                .as_array()
                .is_some_and(|h| h.iter().any(|e| e["order_ref"] == order(k)))
        },
    )
    .await;
}

/// Runs a stream of GETs of `uri` on a second instance while `write(k)`
/// commits through the first instance's connection, for k in 0..12; the
/// requests sent after each write must all pass `sees(reply, k)`.
async fn asked_after_a_write_sees_it<F>(
    app: &crate::common::TestApp,
    uri: &str,
    write: impl Fn(u32) -> F,
    sees: impl Fn(&Reply, u32) -> bool,
) where
    F: FnOnce(&mut cscms_store::DbConn) -> Result<(), cscms_store::StoreError> + Send + 'static,
{
    let other = instance(&app.url, &[]);
    let svc = actix_web::test::init_service(cscms_api::app(other.clone())).await;
    let dopt = app.dopt();
    let ask = || {
        TestRequest::get()
            .uri(uri)
            .insert_header(("Authorization", format!("Bearer {dopt}")))
            .to_request()
    };
    let done = std::cell::Cell::new(false);
    let stream = async {
        let mut answered = 0;
        while !done.get() {
            let batch = futures_util::future::join_all(
                (0..4).map(|_| actix_web::test::call_service(&svc, ask())),
            )
            .await;
            for r in batch {
                assert_eq!(r.status(), 200);
                answered += 1;
            }
            // Reads inline on SQLite never wait: let the writes run.
            actix_web::rt::task::yield_now().await;
        }
        answered
    };
    let writes = async {
        for k in 0..12 {
            app.db(write(k)).await;
            let seen = futures_util::future::join_all(
                (0..3).map(|_| actix_web::test::call_service(&svc, ask())),
            )
            .await;
            for r in seen {
                let r = reply(r).await;
                assert!(sees(&r, k), "write {k} missing from {uri}: {}", r.json);
            }
        }
        done.set(true);
    };
    let (answered, ()) = futures_util::join!(stream, writes);
    assert!(
        answered >= 12,
        "the stream ran alongside the writes: {answered}"
    );
}
