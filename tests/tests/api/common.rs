//! The test harness: a fresh database per test (SQLite by default, or a new
//! PostgreSQL database when `CSCMS_TEST_DATABASE_URL` is set), the app in
//! process, fixtures with known scope, and token minting.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::{NaiveDate, Utc};
use cscms_api::auth::{MintRequest, Verifier};
use cscms_api::config::Settings;
use cscms_api::state::AppState;
use cscms_domain::principal::Role;
use cscms_store::audit::Actor;
use cscms_store::connect_pool;
use cscms_store::employees::{EmployeeRow, NewServiceEvent};
use cscms_store::organisations::NewOrg;
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The initialised app, kept for the test's life: building it per request
/// (routes, the contract, Swagger UI) cost more than most requests do.
type Svc = Rc<
    dyn Fn(
        actix_http::Request,
    ) -> LocalBoxFuture<'static, Result<ServiceResponse, actix_web::Error>>,
>;

pub struct TestApp {
    pub state: web::Data<AppState>,
    /// The database, so a second instance can be started on it.
    pub url: cscms_store::DbUrl,
    svc: OnceCell<Svc>,
    _dir: tempfile::TempDir,
}

pub fn settings(extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("CSCMS_JWT_SECRET".into(), SECRET.into());
    vars.insert("CSCMS_DB_POOL_SIZE".into(), "4".into());
    // The suite makes thousands of requests as one caller; a test of the
    // limits sets its own.
    for policy in [
        "CSCMS_RATE_LIMIT_USER",
        "CSCMS_RATE_LIMIT_CLIENT",
        "CSCMS_RATE_LIMIT_BULK",
    ] {
        vars.insert(policy.into(), "1000000/60".into());
    }
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    if extra
        .iter()
        .any(|(k, _)| ["CSCMS_JWT_PUBLIC_KEY_FILE", "CSCMS_JWT_JWKS_FILE"].contains(k))
    {
        vars.remove("CSCMS_JWT_SECRET");
    }
    Settings::from_lookup(&|k| vars.get(k).cloned()).expect("test settings")
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("CSCMS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh app with the standard fixtures.
pub async fn spawn() -> TestApp {
    spawn_with(&[]).await
}

pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_path_buf();
    let admin = pg_admin_url();
    let url = web::block(move || cscms_store::testing::fresh_database(admin.as_deref(), &path))
        .await
        .expect("block")
        .expect("fresh database");
    let state = instance(&url, extra);
    let app = TestApp {
        state,
        url,
        svc: OnceCell::new(),
        _dir: dir,
    };
    app.fixtures().await;
    app
}

/// One API instance on `url`: its own pool, verifier and verified-token
/// cache, as a second machine would have.
pub fn instance(url: &cscms_store::DbUrl, extra: &[(&str, &str)]) -> web::Data<AppState> {
    let s = settings(extra);
    let pool = connect_pool(url, s.pool_size).expect("pool");
    let verifier = Verifier::new(&s.jwt).expect("verifier");
    // Keys in memory unless a test names a directory (instances sharing keys).
    let keys = if extra.iter().any(|(k, _)| *k == "CSCMS_SIGNING_KEY_DIR") {
        cscms_api::keys::KeyRing::open(&s.oauth.key_dir, s.jwt.leeway_secs).expect("keys")
    } else {
        cscms_api::keys::KeyRing::ephemeral().expect("keys")
    };
    let issuer = cscms_api::oauth::Issuer::new(&s.oauth, keys, &s.jwt.audience, s.jwt.leeway_secs);
    // One sealing key for every instance of the test process, as every
    // instance of a deployment reads the same key directory.
    static SEAL_DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let seal_dir = if extra.iter().any(|(k, _)| *k == "CSCMS_SIGNING_KEY_DIR") {
        s.oauth.key_dir.clone()
    } else {
        SEAL_DIR
            .get_or_init(|| tempfile::tempdir().expect("tempdir"))
            .path()
            .to_path_buf()
    };
    let sealer =
        std::sync::Arc::new(cscms_api::webhooks::seal::Sealer::open(&seal_dir).expect("seal key"));
    web::Data::new(
        AppState::new(pool, url, verifier, issuer, sealer, s.max_body_bytes)
            .with_cors_origins(s.cors_origins)
            .with_metrics_allow(s.metrics_allow)
            .with_services(s.services)
            .with_idempotency_ttl(s.idempotency_ttl_secs)
            .with_list_cache(s.list_cache_mib)
            .with_record_cache(s.record_cache_mib)
            .with_rate_limits(s.rate_limits)
            .with_webhooks(s.webhooks),
    )
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Employees of the fixtures: (code, org).
pub const IN_MHA: &str = "CSS-000001";
pub const IN_NDMA: &str = "CSS-000002";
pub const IN_MOF: &str = "CSSS-000003";

pub fn employee(
    code: &str,
    name: &str,
    cadre: &str,
    grade: &str,
    level: &str,
    org: &str,
) -> EmployeeRow {
    let now = Utc::now().naive_utc();
    EmployeeRow {
        code: code.parse().unwrap(),
        name: name.into(),
        cadre: cadre.parse().unwrap(),
        grade: grade.into(),
        service_group: "B".into(),
        pay_level: level.into(),
        pay_cell: 3,
        date_of_birth: date(1985, 4, 12),
        joined_government_on: date(2010, 7, 1),
        joined_entry_grade_on: date(2010, 7, 1),
        joined_present_grade_on: date(2018, 3, 15),
        org_id: org.parse().unwrap(),
        station: "New Delhi".into(),
        station_state: "Delhi".into(),
        gender: "female".parse().unwrap(),
        category: "UR".parse().unwrap(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

pub fn event(
    code: &str,
    kind: &str,
    on: NaiveDate,
    to_grade: &str,
    to_level: &str,
) -> NewServiceEvent {
    NewServiceEvent {
        employee_code: code.parse().unwrap(),
        kind: kind.parse().unwrap(),
        effective_on: on,
        from_grade: None,
        to_grade: Some(to_grade.into()),
        from_level: None,
        to_level: Some(to_level.into()),
        from_grade_pay: None,
        to_grade_pay: None,
        order_ref: "DoPT O.M. No. 1/1/2010-CS.I".into(),
        remarks: None,
        postponement_days: None,
    }
}

impl TestApp {
    /// Runs store work directly (fixtures and checks behind the API).
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut cscms_store::DbConn) -> Result<T, cscms_store::StoreError>
            + Send
            + 'static,
    ) -> T {
        self.state.db(work).await.expect("store work")
    }

    async fn fixtures(&self) {
        self.db(|c| {
            let actor = Actor {
                sub: "fixture".into(),
                role: "dopt".into(),
                request_id: "fixture".into(),
            };
            for (id, name, kind, parent) in [
                ("MHA", "Ministry of Home Affairs", "ministry", None),
                (
                    "MHA-NDMA",
                    "National Disaster Management Authority",
                    "autonomous_body",
                    Some("MHA"),
                ),
                ("MOF", "Ministry of Finance", "ministry", None),
            ] {
                cscms_store::organisations::create(
                    c,
                    &actor,
                    NewOrg {
                        id: id.parse().unwrap(),
                        name: name.into(),
                        kind: kind.parse().unwrap(),
                        parent_id: parent.map(|p| p.parse().unwrap()),
                        state: Some("Delhi".into()),
                    },
                )?;
            }
            cscms_store::organisations::add_officer(
                c,
                &cscms_store::organisations::NewNodalOfficer {
                    org_id: "MHA".parse().unwrap(),
                    sub: "nodal_officer:MHA".into(),
                    name: "Ravi Shankar".into(),
                    designation: "Deputy Secretary (Admn)".into(),
                    email: "nodal.mha@gov.in".into(),
                    role: "nodal_officer".parse().unwrap(),
                    active: true,
                    created_at: Utc::now().naive_utc(),
                },
            )?;
            let emps = [
                (IN_MHA, "Asha Verma", "CSS", "SO", "8", "MHA"),
                (IN_NDMA, "Vijay Rao", "CSS", "ASO", "7", "MHA-NDMA"),
                (IN_MOF, "Meena Iyer", "CSSS", "PA", "7", "MOF"),
            ];
            for (code, name, cadre, grade, level, org) in emps {
                let row = employee(code, name, cadre, grade, level, org);
                let ev = [event(code, "appointment", date(2010, 7, 1), grade, level)];
                cscms_store::employees::insert(c, &row, &ev)?;
            }
            Ok(())
        })
        .await;
    }

    pub fn mint(&self, req: MintRequest) -> String {
        self.state.verifier.mint(&req).expect("mint")
    }

    /// A token for a role anchored at an employee code or organisation.
    pub fn token(&self, role: Role, anchor: Option<&str>) -> String {
        let mut req =
            MintRequest::new(role, format!("{}:{}", role.as_str(), anchor.unwrap_or("x")));
        match role {
            Role::Employee => req.employee = anchor.map(str::to_owned),
            Role::NodalOfficer | Role::SubNodalOfficer => req.org = anchor.map(str::to_owned),
            Role::Integration => {
                req.scopes = anchor.map(|s| vec![s.to_owned()]).unwrap_or_default()
            }
            Role::Avd | Role::Dopt => {}
        }
        self.mint(req)
    }

    pub fn dopt(&self) -> String {
        self.token(Role::Dopt, None)
    }

    /// Sends a request through the whole app; returns status, headers and
    /// the body as JSON (Null when empty or not JSON).
    async fn service(&self) -> Svc {
        if let Some(svc) = self.svc.get() {
            return svc.clone();
        }
        let svc = Rc::new(test::init_service(cscms_api::app(self.state.clone())).await);
        let call: Svc = Rc::new(move |req| {
            let svc = svc.clone();
            Box::pin(async move { svc.call(req).await.map(|r| r.map_into_boxed_body()) })
        });
        let _ = self.svc.set(call.clone());
        call
    }

    /// Sends `req`; the answer is checked against the contract
    /// (`conformance`) before the test sees it.
    pub async fn call(&self, req: TestRequest) -> Reply {
        let svc = self.service().await;
        let req = req.to_request();
        let (method, path) = (req.method().clone(), req.path().to_owned());
        let reply = reply(svc(req).await.expect("a response")).await;
        crate::conformance::check(&method, &path, &reply);
        reply
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(
            TestRequest::get()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}"))),
        )
        .await
    }

    pub async fn patch_json(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut req = TestRequest::patch()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .set_payload(body.to_string());
        if let Some(tag) = if_match {
            req = req.insert_header(("If-Match", tag.to_owned()));
        }
        self.call(req).await
    }

    pub async fn put_json(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut req = TestRequest::put()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .set_json(body);
        if let Some(tag) = if_match {
            req = req.insert_header(("If-Match", tag.to_owned()));
        }
        self.call(req).await
    }

    /// A PUT without `If-Match`.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.put_json(path, token, None, body).await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.call(
            TestRequest::post()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .set_json(body),
        )
        .await
    }
}

/// Sends a request through the whole app of one instance.
pub async fn call_on(state: &web::Data<AppState>, req: TestRequest) -> Reply {
    let svc = test::init_service(cscms_api::app(state.clone())).await;
    reply(test::call_service(&svc, req.to_request()).await).await
}

/// A response as a [`Reply`].
pub async fn reply<B: actix_web::body::MessageBody>(
    res: actix_web::dev::ServiceResponse<B>,
) -> Reply {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = test::read_body(res).await;
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
        bytes: bytes.to_vec(),
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `field` of every entry of a problem's `errors`, in order.
    pub fn error_fields(&self) -> Vec<&str> {
        self.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect()
    }

    /// Asserts a problem+json answer with this status and code.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.json);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.json
        );
        assert_eq!(self.json["code"], code, "body: {}", self.json);
        assert_eq!(self.json["status"], status);
        assert!(
            self.json["request_id"].is_string(),
            "problem carries the request id"
        );
    }
}

/// A profile document with every field submission needs.
pub fn complete() -> Value {
    json!({
        "contact": {"mobile": "9876543210", "official_email": "asha.verma@gov.in"},
        "address": {
            "present": {"line": "C-12, Type IV Quarters, R K Puram", "city": "New Delhi", "state": "Delhi", "pin": "110022"},
            "permanent": {"line": "14 Civil Lines", "city": "Jaipur", "state": "Rajasthan", "pin": "302006"}
        },
        "education": [{"degree": "M.A. (Economics)", "institution": "University of Rajasthan", "year": 2008}],
        "languages": [{"language": "Hindi", "read": true, "write": true, "speak": true}]
    })
}

pub async fn etag(app: &TestApp, code: &str, token: &str) -> String {
    let r = app
        .get(&format!("/v1/employees/{code}/profile"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.header("etag").unwrap().to_owned()
}

/// Completes and submits an employee's profile (PRF-1); returns their token.
pub async fn submitted(app: &TestApp, code: &str) -> String {
    let me = app.token(Role::Employee, Some(code));
    let tag = etag(app, code, &me).await;
    let r = app
        .patch_json(
            &format!("/v1/employees/{code}/profile"),
            &me,
            Some(&tag),
            &complete(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = app
        .post_json(
            &format!("/v1/employees/{code}/profile/submit"),
            &me,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "submitted");
    me
}

impl TestApp {
    /// Submits every fixture employee's profile, so employee services pass the PRF-1 gate.
    pub async fn submit_all_profiles(&self) {
        for code in [IN_MHA, IN_NDMA, IN_MOF] {
            submitted(self, code).await;
        }
    }
}

/// The text of every page of a PDF answer.
pub fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF that parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    doc.extract_text(&pages).expect("text")
}

/// Lists a page at a time (INT-1).
impl TestApp {
    /// Follows a list's `next` links from `first`: every page's items, in
    /// order. Each page must be 200 with its `next` also in `Link`, and the
    /// pages must end.
    pub async fn follow(&self, first: &str, token: &str) -> Vec<Vec<Value>> {
        let (mut pages, mut path) = (Vec::new(), Some(first.to_owned()));
        while let Some(p) = path {
            let r = self.get(&p, token).await;
            assert_eq!(r.status, 200, "{p}: {}", r.json);
            pages.push(r.json["items"].as_array().expect("items").clone());
            path = r.json["next"].as_str().map(str::to_owned);
            let link = path.as_ref().map(|n| format!("<{n}>; rel=\"next\""));
            assert_eq!(r.header("Link").map(str::to_owned), link, "{p}");
            assert!(pages.len() <= 100, "{p}: the pages never end");
        }
        pages
    }

    /// Reads the list at `path` one row a page: the same rows as one page
    /// of the default size gives, in its order, each once, a page each. A
    /// cursor the list never gave is 400. The rows, for further checks.
    pub async fn assert_paged(&self, path: &str, token: &str) -> Vec<Value> {
        let whole = self.follow(path, token).await;
        assert_eq!(
            whole.len(),
            1,
            "{path}: more than one page of the default size"
        );
        let whole = whole.concat();
        assert!(
            whole.len() >= 2,
            "{path}: fewer than two rows, nothing to page"
        );
        let sep = if path.contains('?') { '&' } else { '?' };
        let pages = self.follow(&format!("{path}{sep}limit=1"), token).await;
        assert_eq!(pages.len(), whole.len(), "{path}: one row a page");
        assert_eq!(
            pages.concat(),
            whole,
            "{path}: the rows paged one at a time"
        );
        self.get(&format!("{path}{sep}cursor=not-a-cursor"), token)
            .await
            .assert_problem(400, "invalid_query");
        whole
    }
}
