//! The change feed (INT-1, INT-2): a reader following it while writers
//! commit through two instances sees every change once, in the one order,
//! with no gap; each caller's feed holds exactly the changes of records it
//! may read; long polls wake on a commit; old cursors are 410 after pruning.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::test::{self, TestRequest};
use chrono::Datelike;
use cscms_domain::feed::Position;
use cscms_domain::principal::{scopes, Role};
use serde_json::{json, Value};

use crate::common::{instance, reply, spawn, Reply, TestApp, IN_MHA, IN_MOF, IN_NDMA};

/// Every change the caller may read from `after` on, page by page.
async fn read_all(app: &TestApp, token: &str, after: &str, limit: u32) -> (Vec<Value>, String) {
    let mut out = Vec::new();
    let mut cursor = after.to_owned();
    loop {
        let r = app
            .get(&format!("/v1/changes?after={cursor}&limit={limit}"), token)
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        let page = r.json["changes"].as_array().unwrap().clone();
        cursor = r.json["next"].as_str().unwrap().to_owned();
        let more = r.json["more"].as_bool().unwrap();
        assert!(page.len() <= limit as usize);
        out.extend(page);
        if !more {
            return (out, cursor);
        }
    }
}

/// Waits until DoPT's feed holds every audited write so far. The feed serves
/// a change only once no older transaction on the server is still running
/// (PostgreSQL), so with other work in flight it may lag a moment behind the
/// trail; it never skips.
pub(crate) async fn settle(app: &TestApp) {
    let audited = app
        .db(|c| cscms_store::audit::list(c, &cscms_store::audit::AuditFilter::default(), 100_000))
        .await
        .len();
    let started = Instant::now();
    loop {
        let (all, _) = read_all(app, &app.dopt(), "c1.start", 1000).await;
        if all.len() == audited {
            return;
        }
        assert!(
            all.len() < audited && started.elapsed() < Duration::from_secs(30),
            "the feed has {} changes for {audited} audited writes",
            all.len()
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

fn vigilance(day: u32) -> Value {
    let from = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Days::new(day.into());
    json!({"status": "clear", "effective_from": from.to_string(), "order_ref": format!("AVD-I/{day}/2015")})
}

#[actix_web::test]
async fn a_reader_sees_every_commit_once_in_order_while_two_instances_write() {
    const WRITERS: usize = 8;
    const EACH: usize = 12;
    let app = spawn().await;
    let twin = instance(&app.url, &[("CSCMS_DB_POOL_SIZE", "8")]);
    let dopt = app.dopt();
    let avd = app.token(Role::Avd, None);
    let mut services = Vec::new();
    for state in [app.state.clone(), twin] {
        services.push(Rc::new(test::init_service(cscms_api::app(state)).await));
    }
    settle(&app).await;
    let (before, start) = read_all(&app, &dopt, "c1.start", 50).await;

    // One writer holds its transaction open for a while after its change
    // took its id, as a slow transaction does: every later id commits first.
    let slow = {
        let state = app.state.clone();
        actix_web::rt::spawn(async move {
            state
                .db(|c| {
                    cscms_store::db::write_transaction(c, |c| {
                        let actor = cscms_store::audit::Actor {
                            sub: "avd:slow".into(),
                            role: "avd".into(),
                            request_id: "slow".into(),
                        };
                        cscms_store::audit::audited(c, &actor, |_| {
                            Ok((
                                (),
                                cscms_store::audit::Change {
                                    action: "record",
                                    entity: "vigilance_status",
                                    entity_id: IN_MOF.into(),
                                    org_id: Some("MOF".into()),
                                    before: None,
                                    after: None,
                                },
                            ))
                        })?;
                        std::thread::sleep(Duration::from_millis(1500));
                        Ok(())
                    })
                })
                .await
                .unwrap()
        })
    };
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;

    let done = Rc::new(std::cell::Cell::new(0usize));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let svc = Rc::clone(&services[w % 2]);
            let avd = avd.clone();
            let done = Rc::clone(&done);
            actix_web::rt::spawn(async move {
                let mut ok = 0;
                for i in 0..EACH {
                    let code = [IN_MHA, IN_NDMA, IN_MOF][(w + i) % 3];
                    let req = TestRequest::post()
                        .uri(&format!("/v1/employees/{code}/vigilance-status"))
                        .insert_header(("Authorization", format!("Bearer {avd}")))
                        .set_json(vigilance((w * EACH + i) as u32));
                    let r = reply(test::call_service(&*svc, req.to_request()).await).await;
                    assert_eq!(r.status, 201, "{}", r.json);
                    ok += 1;
                }
                done.set(done.get() + 1);
                ok
            })
        })
        .collect();

    // Follow the feed through both instances, alternately, while they
    // write, until every writer has finished and the feed has run dry.
    let total = WRITERS * EACH + 1;
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor = start.clone();
    let mut pages = 0;
    let mut calls = 0;
    loop {
        let finished = done.get() == WRITERS && slow.is_finished();
        let svc = &services[calls % 2];
        calls += 1;
        let req = TestRequest::get()
            .uri(&format!("/v1/changes?after={cursor}&limit=7"))
            .insert_header(("Authorization", format!("Bearer {dopt}")));
        let r = reply(test::call_service(&**svc, req.to_request()).await).await;
        assert_eq!(r.status, 200, "{}", r.json);
        let page = r.json["changes"].as_array().unwrap();
        cursor = r.json["next"].as_str().unwrap().to_owned();
        if page.is_empty() {
            // Done once every writer has finished and the feed holds as
            // many changes as were written (it may lag, never skip).
            if finished && seen.len() >= total {
                break;
            }
            assert!(
                calls < 20_000,
                "the follower is stuck at {} of {total} changes",
                seen.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        } else {
            pages += 1;
        }
        seen.extend(page.iter().cloned());
    }
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    assert_eq!(written, WRITERS * EACH);
    slow.await.unwrap();

    // Once everything has committed, the feed read afresh is exactly what
    // the follower saw: nothing skipped, nothing twice, the same order.
    settle(&app).await;
    let (after_all, _) = read_all(&app, &dopt, &start, 1000).await;
    let ids = |v: &[Value]| {
        v.iter()
            .map(|c| c["cursor"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&seen),
        ids(&after_all),
        "the follower's view differs from the settled feed"
    );
    let unique: BTreeSet<_> = ids(&seen).into_iter().collect();
    assert_eq!(unique.len(), total);
    assert!(seen
        .iter()
        .all(|c| c["type"] == "vigilance_status.record" && c["actor_role"] == "avd"));
    // And every audited write has its one change.
    let audited = app
        .db(|c| cscms_store::audit::list(c, &cscms_store::audit::AuditFilter::default(), 100_000))
        .await
        .len();
    assert_eq!(before.len() + seen.len(), audited);
    eprintln!(
        "change feed: {} changes followed in {pages} non-empty pages over {calls} calls, through 2 instances",
        seen.len()
    );
}

/// Records of every family the feed carries, in three organisations.
async fn changes_everywhere(app: &TestApp) {
    let avd = app.token(Role::Avd, None);
    let year = cscms_api::clearance::today().year() - 1;
    for (i, code) in [IN_MHA, IN_NDMA, IN_MOF].into_iter().enumerate() {
        let r = app
            .post_json(
                &format!("/v1/employees/{code}/vigilance-status"),
                &avd,
                &vigilance(i as u32),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
        crate::ipr::file_on(app, code, year, crate::ipr::ymd(year + 1, 1, 10), None).await;
        let me = crate::common::submitted(app, code).await;
        crate::foreign_visits::apply(app, &me).await;
        crate::spouse_postings::apply(app, &me).await;
        let apar = json!({"from": format!("{}-04-01", 2015 + i), "to": format!("{}-03-31", 2016 + i),
                          "grading": "good"});
        let r = app
            .post_json(&format!("/v1/employees/{code}/apars"), &app.dopt(), &apar)
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
    }
    crate::deputation::onboard(app, "MOF", "MOF-CBIC").await;
    crate::empanelment::create_batch(app, &crate::empanelment::batch_body("IAS")).await;
    for org in ["MHA", "MHA-NDMA", "MOF"] {
        crate::surplus::draft(app, &crate::surplus::office(app, org)).await;
    }
}

#[actix_web::test]
async fn each_callers_feed_is_exactly_the_changes_it_may_read() {
    let app = spawn().await;
    changes_everywhere(&app).await;
    settle(&app).await;
    let (all, _) = read_all(&app, &app.dopt(), "c1.start", 1000).await;
    let types: BTreeSet<String> = all
        .iter()
        .map(|c| c["entity"].as_str().unwrap().to_owned())
        .collect();
    for e in [
        "profile",
        "vigilance_status",
        "ipr_return",
        "foreign_visit",
        "spouse_posting",
        "organisation",
        "empanelment_batch",
        "nodal_officer",
        "surplus_requisition",
        "apar",
    ] {
        assert!(
            types.contains(e),
            "the fixtures made no {e} change: {types:?}"
        );
    }

    let mut callers: Vec<(Role, Option<&str>)> = vec![
        (Role::NodalOfficer, Some("MHA")),
        (Role::NodalOfficer, Some("MOF")),
        (Role::Avd, None),
    ];
    for (scope, _) in scopes::ALL {
        callers.push((Role::Integration, Some(scope)));
    }
    let mut checked = BTreeMap::<String, usize>::new();
    for (role, anchor) in callers {
        let token = app.token(role, anchor);
        let who = format!("{role:?} {anchor:?}");
        let r = app.get("/v1/changes?limit=1000", &token).await;
        // Neither writing APARs nor reading metrics reads a record.
        if role == Role::Integration
            && [Some(scopes::APAR_WRITE), Some(scopes::METRICS_READ)].contains(&anchor)
        {
            r.assert_problem(403, "forbidden");
            continue;
        }
        assert_eq!(r.status, 200, "{who}: {}", r.json);
        let mine: BTreeSet<String> = r.json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["cursor"].as_str().unwrap().to_owned())
            .collect();
        for change in &all {
            let in_feed = mine.contains(change["cursor"].as_str().unwrap());
            let entity = change["entity"].as_str().unwrap();
            match change["href"].as_str() {
                // The record's own address says whether the caller reads it.
                Some(href) => {
                    let read = app.get(href, &token).await.status.as_u16();
                    assert!(
                        [200, 403, 404].contains(&read),
                        "{who}: GET {href} answered {read}"
                    );
                    assert_eq!(
                        in_feed,
                        read == 200,
                        "{who}: {entity} change {} in feed = {in_feed}, GET {href} = {read}",
                        change["cursor"]
                    );
                }
                // Officers' own records are DoPT's alone.
                None if entity == "nodal_officer" => assert!(!in_feed, "{who}: {change}"),
                None => {}
            }
            *checked.entry(who.clone()).or_default() += 1;
        }
    }
    assert!(
        checked.len() >= 10 && checked.values().all(|n| *n == all.len()),
        "{checked:?}"
    );

    // Employees read their own records directly; the feed is not theirs.
    app.get("/v1/changes", &app.token(Role::Employee, Some(IN_MHA)))
        .await
        .assert_problem(403, "forbidden");
    app.get(
        "/v1/changes/latest",
        &app.token(Role::SubNodalOfficer, Some("MHA-NDMA")),
    )
    .await
    .assert_problem(403, "forbidden");
}

/// An APAR is read under its employee (`/v1/employees/{code}/apars/{id}`),
/// so its changes carry that address however the APAR was written: entered,
/// corrected, or imported in bulk (one multi-row write).
#[actix_web::test]
async fn apar_changes_link_to_the_apar_under_its_employee() {
    let app = spawn().await;
    let dopt = app.dopt();
    let path = format!("/v1/employees/{IN_MHA}/apars");
    let entered = app
        .post_json(
            &path,
            &dopt,
            &json!({"from": "2020-04-01", "to": "2021-03-31", "grading": "good"}),
        )
        .await;
    assert_eq!(entered.status, 201, "{}", entered.json);
    let id = entered.json["id"].as_i64().unwrap();
    let corrected = app
        .put_json(
            &format!("{path}/{id}"),
            &dopt,
            entered.header("etag"),
            &json!({"from": "2020-04-01", "to": "2021-03-31", "grading": "very_good"}),
        )
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.json);
    let sparrow = app.token(Role::Integration, Some(scopes::APAR_WRITE));
    let rows = json!({"rows": [
        {"employee_code": IN_NDMA, "from": "2021-04-01", "to": "2022-03-31", "grading": "good"},
        {"employee_code": IN_MOF, "from": "2021-04-01", "to": "2022-03-31", "score": 7},
    ]});
    let imported = crate::apar::import(&app, &sparrow, &rows).await;
    assert_eq!(imported.status, 200, "{}", imported.json);
    let mut expected = vec![("apar.create", IN_MHA, id), ("apar.update", IN_MHA, id)];
    for (i, code) in [IN_NDMA, IN_MOF].into_iter().enumerate() {
        let id = imported.json["results"][i]["id"].as_i64().unwrap();
        expected.push(("apar.create", code, id));
    }
    settle(&app).await;

    let r = app.get("/v1/changes?types=apar&limit=1000", &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let got: Vec<(String, String, String)> = r.json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("null").to_owned();
            (s("type"), s("entity_id"), s("href"))
        })
        .collect();
    let want: Vec<(String, String, String)> = expected
        .iter()
        .map(|(t, code, id)| {
            let href = format!("/v1/employees/{code}/apars/{id}");
            (t.to_string(), id.to_string(), href)
        })
        .collect();
    assert_eq!(got, want);
    // Each address answers DoPT, and the employee whose APAR it is.
    for (_, code, id) in &expected {
        let href = format!("/v1/employees/{code}/apars/{id}");
        for token in [dopt.clone(), app.token(Role::Employee, Some(code))] {
            let read = app.get(&href, &token).await;
            assert_eq!(read.status, 200, "GET {href}: {}", read.json);
        }
    }
}

#[actix_web::test]
async fn filters_bad_queries_and_the_latest_cursor() {
    let app = spawn().await;
    changes_everywhere(&app).await;
    settle(&app).await;
    let dopt = app.dopt();
    let r = app
        .get(
            "/v1/changes?types=vigilance_status.record,empanelment_batch&limit=1000",
            &dopt,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let got: BTreeSet<&str> = r.json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        BTreeSet::from(["vigilance_status.record", "empanelment_batch.create"])
    );

    for bad in [
        "after=not-a-cursor",
        "after=c1.zz.1",
        "types=salary",
        "types=profile.",
        "limit=0",
        "limit=1001",
        "wait=31",
        "since=1",
    ] {
        let r = app.get(&format!("/v1/changes?{bad}"), &dopt).await;
        r.assert_problem(400, "invalid_query");
    }

    // After the latest cursor: nothing until the next commit, then just it.
    let latest = app.get("/v1/changes/latest", &dopt).await;
    assert_eq!(latest.status, 200);
    let cursor = latest.json["cursor"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/v1/changes?after={cursor}"), &dopt).await;
    assert_eq!(r.json["changes"], json!([]));
    assert_eq!(r.json["next"], cursor.as_str());
    // A cursor beyond the end was never given out: followed, it would skip
    // every change up to it.
    let parts: Vec<i64> = cursor
        .trim_start_matches("c1.")
        .split('.')
        .map(|p| i64::from_str_radix(p, 16).unwrap())
        .collect();
    let ahead = format!("c1.{:x}.{:x}", parts[0] + 0x1000, parts[1] + 0x1000);
    for wait in ["0", "2"] {
        let r = app
            .get(&format!("/v1/changes?after={ahead}&wait={wait}"), &dopt)
            .await;
        r.assert_problem(400, "invalid_query");
        assert_eq!(r.error_fields(), ["query.after"], "{}", r.json);
    }
    let avd = app.token(Role::Avd, None);
    app.post_json(
        &format!("/v1/employees/{IN_MOF}/vigilance-status"),
        &avd,
        &vigilance(99),
    )
    .await;
    let r = app
        .get(&format!("/v1/changes?after={cursor}&wait=10"), &dopt)
        .await;
    let page = r.json["changes"].as_array().unwrap();
    assert_eq!(page.len(), 1, "{}", r.json);
    assert_eq!(page[0]["entity_id"], IN_MOF);
    assert_eq!(
        page[0]["href"],
        format!("/v1/employees/{IN_MOF}/vigilance-status")
    );
    // A nodal officer of MHA does not get MOF's change; their page after the
    // same cursor is empty and moves them past it all the same, so a reader
    // with few changes of their own keeps up with the feed.
    let nodal = app.token(Role::NodalOfficer, Some("MHA"));
    let theirs = app
        .get(&format!("/v1/changes?after={cursor}"), &nodal)
        .await;
    assert_eq!(
        (&theirs.json["changes"], &theirs.json["more"]),
        (&json!([]), &json!(false)),
        "{}",
        theirs.json
    );
    let position = |c: &Value| Position::parse_cursor(c.as_str().unwrap()).unwrap();
    assert!(position(&theirs.json["next"]) >= position(&page[0]["cursor"]));
}

#[actix_web::test]
async fn a_long_poll_wakes_when_a_change_commits() {
    let app = Rc::new(spawn().await);
    settle(&app).await;
    let dopt = app.dopt();
    let cursor = app.get("/v1/changes/latest", &dopt).await.json["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let writer = {
        let app = Rc::clone(&app);
        actix_web::rt::spawn(async move {
            actix_web::rt::time::sleep(Duration::from_millis(500)).await;
            let avd = app.token(Role::Avd, None);
            app.post_json(
                &format!("/v1/employees/{IN_MHA}/vigilance-status"),
                &avd,
                &vigilance(7),
            )
            .await
            .status
        })
    };
    let started = Instant::now();
    let r: Reply = app
        .get(&format!("/v1/changes?after={cursor}&wait=20"), &dopt)
        .await;
    let waited = started.elapsed();
    assert_eq!(writer.await.unwrap(), 201);
    assert_eq!(r.json["changes"].as_array().unwrap().len(), 1, "{}", r.json);
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(15),
        "answered after {waited:?}"
    );
    // With nothing to come, the poll ends empty after its wait.
    let next = r.json["next"].as_str().unwrap();
    let started = Instant::now();
    let r = app
        .get(&format!("/v1/changes?after={next}&wait=1"), &dopt)
        .await;
    assert_eq!(r.json["changes"], json!([]));
    assert!(started.elapsed() >= Duration::from_millis(800));
}

#[actix_web::test]
async fn pruned_changes_make_older_cursors_gone() {
    let app = spawn().await;
    let dopt = app.dopt();
    let avd = app.token(Role::Avd, None);
    app.post_json(
        &format!("/v1/employees/{IN_MHA}/vigilance-status"),
        &avd,
        &vigilance(1),
    )
    .await;
    settle(&app).await;
    let (first, cursor) = read_all(&app, &dopt, "c1.start", 1000).await;
    assert!(!first.is_empty());
    // A nodal officer of MOF follows the feed too: the last changes are
    // MHA's, which they do not read.
    let quiet = app.token(Role::NodalOfficer, Some("MOF"));
    let (_, quiet_cursor) = read_all(&app, &quiet, "c1.start", 1000).await;
    // Everything recorded so far falls out of the window.
    let now = chrono::Utc::now().naive_utc();
    let pruned = app
        .db(move |c| cscms_store::changes::prune(c, now + chrono::Duration::seconds(1), now))
        .await;
    assert_eq!(pruned, first.len());
    // The reader who had read to the end lost nothing: carry on. So did
    // the one with nothing to read, and one starting from the feed's end.
    let r = app.get(&format!("/v1/changes?after={cursor}"), &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .get(&format!("/v1/changes?after={quiet_cursor}"), &quiet)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let end = app.get("/v1/changes/latest", &quiet).await.json["cursor"].clone();
    let r = app
        .get(
            &format!("/v1/changes?after={}", end.as_str().unwrap()),
            &quiet,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // One who had not is told so, and what to do.
    let r = app.get("/v1/changes?after=c1.start", &dopt).await;
    r.assert_problem(410, "cursor_expired");
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .contains("/v1/changes/latest"));
    // Without a cursor the feed starts at what is kept.
    let r = app.get("/v1/changes", &dopt).await;
    assert_eq!(r.json["changes"], json!([]));
    app.post_json(
        &format!("/v1/employees/{IN_MOF}/vigilance-status"),
        &avd,
        &vigilance(2),
    )
    .await;
    let r = app
        .get(&format!("/v1/changes?after={cursor}&wait=10"), &dopt)
        .await;
    assert_eq!(r.json["changes"].as_array().unwrap().len(), 1);
    // The hourly pruning of a live server keeps the window (30 days here).
    let kept = cscms_api::retention::prune_changes(&app.state, 30)
        .await
        .unwrap();
    assert_eq!(kept, 0);
}
