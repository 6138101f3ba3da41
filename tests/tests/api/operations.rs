//! `/metrics` (issue 14): Prometheus metrics per route template, read only
//! by an operations client or from a configured address, and an exposition
//! `promtool` accepts.

use actix_web::test::TestRequest;
use cscms_domain::principal::{scopes, Role};

use crate::common::{spawn, spawn_with, TestApp, IN_MHA};

const EMPLOYEE_ROUTE: &str = "route=\"/v1/employees/{code}\"";

async fn scrape(app: &TestApp) -> String {
    let ops = app.token(Role::Integration, Some(scopes::METRICS_READ));
    let r = app.get("/metrics", &ops).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    String::from_utf8(r.bytes).unwrap()
}

/// The value of the one series of `name` whose labels include all of `labels`.
fn value(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .collect();
    assert!(series.len() <= 1, "{name} {labels:?}: {series:?}");
    series.first()?.rsplit_once(' ')?.1.parse().ok()
}

#[actix_web::test]
async fn requests_are_counted_per_route_template_and_status() {
    let app = spawn().await;
    let dopt = app.dopt();
    let path = format!("/v1/employees/{IN_MHA}");
    let labels = ["method=\"GET\"", EMPLOYEE_ROUTE, "status=\"200\""];
    assert_eq!(app.get(&path, &dopt).await.status, 200);
    let first = scrape(&app).await;
    let before = value(&first, "cscms_http_requests_total", &labels)
        .expect("the employee read is counted under its route template");
    for _ in 0..3 {
        assert_eq!(app.get(&path, &dopt).await.status, 200);
    }
    // Another route's 404, and a path no route has.
    assert_eq!(app.get("/v1/employees/CSS-999999", &dopt).await.status, 404);
    assert_eq!(
        app.get("/v1/no-such-thing/CSS-000001", &dopt).await.status,
        404
    );
    let text = scrape(&app).await;
    let after = value(&text, "cscms_http_requests_total", &labels).unwrap();
    // Tests share the process's recorder: other tests may add to it, never take away.
    assert!(after >= before + 3.0, "{before} -> {after}");
    assert!(value(
        &text,
        "cscms_http_requests_total",
        &["method=\"GET\"", EMPLOYEE_ROUTE, "status=\"404\""]
    )
    .is_some_and(|n| n >= 1.0));
    assert!(value(
        &text,
        "cscms_http_requests_total",
        &["route=\"unmatched\"", "status=\"404\""]
    )
    .is_some_and(|n| n >= 1.0));
    // The latency histogram under the same labels, with its count.
    let count = value(&text, "cscms_http_request_duration_seconds_count", &labels).unwrap();
    assert!(count >= before + 3.0, "{count}");
    assert!(text.contains("cscms_http_request_duration_seconds_bucket{"));
    // Paths are never labels: no employee code, no unknown path.
    for raw in [IN_MHA, "CSS-999999", "no-such-thing"] {
        assert!(!text.contains(raw), "{raw} appears in the metrics");
    }
    // The pool, the database calls and the build.
    let max = value(&text, "cscms_db_pool_max_connections", &[]).or_else(|| {
        text.lines()
            .find_map(|l| l.strip_prefix("cscms_db_pool_max_connections "))
            .and_then(|v| v.parse().ok())
    });
    assert!(max.is_some_and(|m| m >= 1.0), "pool size: {max:?}");
    for name in [
        "cscms_db_pool_connections ",
        "cscms_db_pool_idle_connections ",
        "cscms_db_pool_wait_seconds_count",
        "cscms_db_call_duration_seconds_count{outcome=\"ok\"}",
        "cscms_build_info{",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    assert!(
        value(
            &text,
            "cscms_build_info",
            &[&format!("version=\"{}\"", env!("CARGO_PKG_VERSION"))]
        ) == Some(1.0)
    );
}

#[actix_web::test]
async fn metrics_need_an_operations_token_or_an_allowed_address() {
    let app = spawn_with(&[("CSCMS_METRICS_ALLOW", "10.1.2.3, ::1")]).await;
    let from = |addr: &str| {
        TestRequest::get()
            .uri("/metrics")
            .peer_addr(addr.parse().unwrap())
    };
    // The configured addresses, without a token.
    for addr in ["10.1.2.3:40000", "[::1]:40000"] {
        let r = app.call(from(addr)).await;
        assert_eq!(r.status, 200, "{addr}");
        assert!(String::from_utf8_lossy(&r.bytes).contains("cscms_http_requests_total"));
    }
    // Any other address needs a token, with the scope.
    app.call(from("10.1.2.4:40000"))
        .await
        .assert_problem(401, "missing_token");
    let mut refused = 0;
    for token in [
        app.dopt(),
        app.token(Role::Avd, None),
        app.token(Role::Employee, Some(IN_MHA)),
        app.token(Role::Integration, Some(scopes::EMPLOYEES_READ)),
    ] {
        app.get("/metrics", &token)
            .await
            .assert_problem(403, "forbidden");
        refused += 1;
    }
    assert_eq!(refused, 4);
    let ops = app.token(Role::Integration, Some(scopes::METRICS_READ));
    assert_eq!(app.get("/metrics", &ops).await.status, 200);
    // The scope reads metrics, no record.
    assert_eq!(
        app.get(&format!("/v1/employees/{IN_MHA}"), &ops)
            .await
            .status,
        404
    );
}

#[test]
fn the_allowed_addresses_are_addresses() {
    let bad = cscms_api::config::Settings::from_lookup(&|k| {
        (k == "CSCMS_METRICS_ALLOW").then(|| "127.0.0.1, 10.0.0.0/8".to_owned())
    })
    .unwrap_err();
    assert!(
        bad.iter()
            .any(|e| e.contains("CSCMS_METRICS_ALLOW") && e.contains("10.0.0.0/8")),
        "{bad:?}"
    );
}

/// `promtool check metrics` (Debian's `prometheus` package; `make test`
/// installs it) finds nothing to say about the exposition.
#[actix_web::test]
async fn promtool_accepts_the_exposition() {
    let Ok(found) = std::process::Command::new("promtool")
        .arg("--version")
        .output()
    else {
        eprintln!("SKIPPED: promtool is not installed (Debian's prometheus package; `make metrics-tools` installs it)");
        return;
    };
    assert!(found.status.success());
    let app = spawn().await;
    let dopt = app.dopt();
    assert_eq!(
        app.get(&format!("/v1/employees/{IN_MHA}"), &dopt)
            .await
            .status,
        200
    );
    assert_eq!(app.get("/v1/employees/CSS-999999", &dopt).await.status, 404);
    let text = scrape(&app).await;
    assert!(text.contains("cscms_http_requests_total{"));
    let mut check = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        check
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = check.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n{text}"
    );
}
