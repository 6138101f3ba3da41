//! The employee list (filters, cursor pagination) and detail.

use std::collections::HashSet;

use crate::common::{employee, spawn, IN_MHA};

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

#[actix_web::test]
async fn filters_combine() {
    let app = spawn().await;
    let t = app.dopt();
    let codes = |r: &crate::common::Reply| -> Vec<String> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect()
    };
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
