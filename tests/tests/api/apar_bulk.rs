//! The bulk APAR import (issue 17): one request answers row by row exactly
//! as the same rows sent one request at a time, and takes up to 10,000 rows.

use chrono::{NaiveDate, Utc};
use cscms_domain::principal::{scopes, Role};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::apar::import;
use crate::common::{employee, event, spawn, spawn_with, TestApp, IN_MHA, IN_NDMA};

fn sparrow(app: &TestApp) -> String {
    app.token(Role::Integration, Some(scopes::APAR_WRITE))
}

/// A random row over two employees and an unknown one, whole reporting
/// years and half years straddling them (overlaps), gradings, scores and
/// Experts Panel gradings, and now and then a malformed row.
fn random_row(rng: &mut StdRng) -> Value {
    let code = [IN_MHA, IN_MHA, IN_NDMA, "CSS-999999"][rng.random_range(0..4)];
    let year = rng.random_range(2017..2021);
    let (from, to) = if rng.random_range(0..6) == 0 {
        (format!("{year}-10-01"), format!("{}-09-30", year + 1))
    } else {
        (format!("{year}-04-01"), format!("{}-03-31", year + 1))
    };
    let mut row = json!({"employee_code": code, "from": from, "to": to});
    let gradings = ["outstanding", "very_good", "good", "average"];
    match rng.random_range(0..8) {
        0 => row["score"] = json!(rng.random_range(10..100) as f64 / 10.0),
        // Malformed: no grade at all.
        1 if rng.random_range(0..3) == 0 => {}
        _ => row["grading"] = json!(gradings[rng.random_range(0..2)]),
    }
    if rng.random_range(0..5) == 0 {
        row["expert_panel"] = json!({"grading": gradings[rng.random_range(0..4)], "note": "trend"});
    }
    row
}

/// What a result says, less its position.
fn outcome(r: &Value) -> Value {
    json!({
        "status": r["status"],
        "employee_code": r["employee_code"],
        "id": r["id"],
        "version": r["version"],
        "errors": r["errors"].as_array().map(|es| es
            .iter()
            .map(|e| json!([e["code"], e["detail"]]))
            .collect::<Vec<_>>()),
    })
}

/// The APARs on record and each one's audit trail, without timestamps.
async fn record(app: &TestApp) -> Value {
    let mut out = Vec::new();
    for code in [IN_MHA, IN_NDMA] {
        let r = app
            .get(&format!("/v1/employees/{code}/apars"), &app.dopt())
            .await;
        for item in r.json["items"].as_array().unwrap() {
            let id = item["id"].as_i64().unwrap();
            let trail = app
                .db(move |c| cscms_store::audit::for_entity(c, "apar", &id.to_string()))
                .await;
            let untimed = |j: Option<&str>| {
                j.map(|j| {
                    let mut v: Value = serde_json::from_str(j).unwrap();
                    v["created_at"] = Value::Null;
                    v["updated_at"] = Value::Null;
                    v
                })
            };
            let trail: Vec<Value> = trail
                .iter()
                .map(|a| {
                    json!([
                        a.action,
                        a.actor_role,
                        untimed(a.before_json.as_deref()),
                        untimed(a.after_json.as_deref())
                    ])
                })
                .collect();
            let mut item = item.clone();
            item["created_at"] = Value::Null;
            item["updated_at"] = Value::Null;
            out.push(json!({"apar": item, "trail": trail}));
        }
    }
    let changes = app
        .db(|c| {
            cscms_store::audit::list(
                c,
                &cscms_store::audit::AuditFilter {
                    entity: Some("apar".into()),
                    ..Default::default()
                },
                100_000,
            )
        })
        .await;
    json!({"apars": out, "audited": changes.len()})
}

#[actix_web::test]
async fn one_request_answers_as_the_rows_sent_one_by_one() {
    let mut rng = StdRng::seed_from_u64(17);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..4 {
        let rows: Vec<Value> = (0..40).map(|_| random_row(&mut rng)).collect();
        let together = spawn().await;
        let apart = spawn().await;
        // DoPT's own entry for 2019-20 in both: an import may not change it (CSS-2).
        for app in [&together, &apart] {
            let r = app
                .post_json(
                    &format!("/v1/employees/{IN_MHA}/apars"),
                    &app.dopt(),
                    &json!({"from": "2019-04-01", "to": "2020-03-31", "grading": "very_good"}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.json);
        }
        let bulk = import(&together, &sparrow(&together), &json!({ "rows": rows })).await;
        assert_eq!(bulk.status, 200, "{}", bulk.json);
        let bulk_results = bulk.json["results"].as_array().unwrap();
        assert_eq!(bulk_results.len(), rows.len());
        let token = sparrow(&apart);
        for (i, row) in rows.iter().enumerate() {
            let one = import(&apart, &token, &json!({ "rows": [row] })).await;
            assert_eq!(one.status, 200, "{}", one.json);
            // Error fields name the row's place in its own request: compared
            // by code and detail (which names any APAR it points at).
            assert_eq!(bulk_results[i]["index"], i);
            assert_eq!(
                outcome(&bulk_results[i]),
                outcome(&one.json["results"][0]),
                "row {i}: {row}"
            );
            *seen
                .entry(bulk_results[i]["status"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        assert_eq!(record(&together).await, record(&apart).await);
    }
    // Every kind of outcome was met, so each path above was compared.
    for status in ["created", "updated", "unchanged", "rejected"] {
        assert!(seen.get(status).copied().unwrap_or(0) > 0, "{seen:?}");
    }
}

#[actix_web::test]
async fn a_request_takes_up_to_ten_thousand_rows() {
    let app = spawn_with(&[("CSCMS_MAX_BODY_BYTES", "4194304")]).await;
    // 2,000 more employees, five reporting years each.
    let codes: Vec<String> = (100..2_100).map(|i| format!("CSS-{i:06}")).collect();
    let people = codes.clone();
    app.db(move |c| {
        let rows: Vec<_> = people
            .iter()
            .map(|code| employee(code, "Bulk Officer", "CSS", "ASO", "7", "MHA"))
            .collect();
        let events: Vec<_> = people
            .iter()
            .map(|code| {
                event(
                    code,
                    "appointment",
                    NaiveDate::from_ymd_opt(2010, 7, 1).unwrap(),
                    "ASO",
                    "7",
                )
            })
            .collect();
        cscms_store::employees::insert_many(c, &rows, &events)
    })
    .await;
    let rows: Vec<Value> = codes
        .iter()
        .flat_map(|code| {
            (2015..2020).map(move |y| {
                json!({"employee_code": code, "from": format!("{y}-04-01"),
                       "to": format!("{}-03-31", y + 1), "grading": "very_good"})
            })
        })
        .collect();
    assert_eq!(rows.len(), 10_000);
    let t = sparrow(&app);
    let started = Utc::now();
    let r = import(&app, &t, &json!({ "rows": rows })).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["created"], 10_000, "{}", r.json["results"][0]);
    eprintln!(
        "10,000 APARs imported in {} ms",
        (Utc::now() - started).num_milliseconds()
    );
    // One audit row and one change event per APAR, as row by row.
    let audited = app
        .db(|c| {
            cscms_store::audit::list(
                c,
                &cscms_store::audit::AuditFilter {
                    entity: Some("apar".into()),
                    ..Default::default()
                },
                20_000,
            )
        })
        .await;
    assert_eq!(audited.len(), 10_000);
    let ids: std::collections::HashSet<_> = r.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 10_000);
    assert!(audited.iter().all(|a| ids.contains(&a.entity_id)));
    // The same again: all unchanged, nothing more audited.
    let again = import(&app, &t, &json!({ "rows": rows })).await;
    assert_eq!(again.json["unchanged"], 10_000);
    // One row more is refused as a whole.
    let mut too_many = rows.clone();
    too_many.push(rows[0].clone());
    import(&app, &t, &json!({ "rows": too_many }))
        .await
        .assert_problem(422, "validation_failed");
}
