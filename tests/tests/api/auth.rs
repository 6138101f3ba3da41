//! Every way a bearer token is refused (401 problem + WWW-Authenticate),
//! and that the accepted ones become the right principal.

use actix_web::test::TestRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cscms_api::auth::MintRequest;
use cscms_domain::principal::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::common::{spawn, spawn_with, TestApp, IN_MHA, SECRET};

async fn assert_refused(app: &TestApp, token: &str, code: &str) {
    let r = app.get("/v1/me", token).await;
    r.assert_problem(401, code);
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=\"cscms\""),
        "{challenge}"
    );
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims(iat_shift: i64) -> serde_json::Value {
    let now = now() as i64 + iat_shift;
    json!({"sub": "dopt:x", "role": "dopt", "iss": "cscms-local", "aud": "cscms-api",
           "iat": now, "nbf": now - 5, "exp": now + 600})
}

#[actix_web::test]
async fn missing_token_is_challenged() {
    let app = spawn().await;
    let r = app.call(TestRequest::get().uri("/v1/me")).await;
    r.assert_problem(401, "missing_token");
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"cscms\""));
}

#[actix_web::test]
async fn wrong_scheme_is_refused() {
    let app = spawn().await;
    let r = app
        .call(
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(("Authorization", "Basic dXNlcjpwYXNz")),
        )
        .await;
    r.assert_problem(401, "invalid_request");
}

#[actix_web::test]
async fn expired_token_is_refused() {
    let app = spawn().await;
    let mut req = MintRequest::new(Role::Dopt, "dopt:x");
    req.ttl_secs = -120; // beyond the 30 s leeway
    assert_refused(&app, &app.mint(req), "invalid_token").await;
    let r = app
        .get(
            "/v1/me",
            &app.mint({
                let mut q = MintRequest::new(Role::Dopt, "dopt:x");
                q.ttl_secs = -120;
                q
            }),
        )
        .await;
    assert!(r
        .header("www-authenticate")
        .unwrap_or_default()
        .contains("expired"));
}

#[actix_web::test]
async fn not_yet_valid_token_is_refused() {
    let app = spawn().await;
    let mut req = MintRequest::new(Role::Dopt, "dopt:x");
    req.nbf_offset_secs = 600;
    req.ttl_secs = 1200;
    assert_refused(&app, &app.mint(req), "invalid_token").await;
}

#[actix_web::test]
async fn wrong_issuer_or_audience_is_refused() {
    let app = spawn().await;
    let mut req = MintRequest::new(Role::Dopt, "dopt:x");
    req.iss = Some("someone-else".into());
    assert_refused(&app, &app.mint(req), "invalid_token").await;
    let mut req = MintRequest::new(Role::Dopt, "dopt:x");
    req.aud = Some("another-api".into());
    assert_refused(&app, &app.mint(req), "invalid_token").await;
}

#[actix_web::test]
async fn bad_signature_is_refused() {
    let app = spawn().await;
    let good = app.dopt();
    let (head, sig) = good.rsplit_once('.').unwrap();
    let mut sig = sig.to_owned();
    let flipped = if sig.ends_with('A') { 'B' } else { 'A' };
    sig.pop();
    sig.push(flipped);
    assert_refused(&app, &format!("{head}.{sig}"), "invalid_token").await;
    // Signed with another secret.
    let other = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(0),
        &EncodingKey::from_secret(b"another-secret-another-secret-0000"),
    )
    .unwrap();
    assert_refused(&app, &other, "invalid_token").await;
}

#[actix_web::test]
async fn alg_none_is_refused() {
    let app = spawn().await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(0).to_string());
    assert_refused(&app, &format!("{header}.{payload}."), "invalid_token").await;
}

#[actix_web::test]
async fn malformed_token_is_refused() {
    let app = spawn().await;
    assert_refused(&app, "not-a-jwt", "invalid_token").await;
}

#[actix_web::test]
async fn claims_must_fit_the_role() {
    let app = spawn().await;
    // An employee token without an employee code.
    let req = MintRequest::new(Role::Employee, "employee:x");
    assert_refused(&app, &app.mint(req), "invalid_token").await;
    // A nodal officer without an organisation.
    let req = MintRequest::new(Role::NodalOfficer, "nodal:x");
    assert_refused(&app, &app.mint(req), "invalid_token").await;
    // An unknown role.
    let mut c = claims(0);
    c["role"] = json!("superuser");
    let t = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &c,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    assert_refused(&app, &t, "invalid_token").await;
}

const RSA_PRIVATE: &[u8] = include_bytes!("../../fixtures/rsa-private.pem");
const RSA_PUBLIC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rsa-public.pem");

#[actix_web::test]
async fn identity_provider_keys_verify_and_alg_confusion_is_refused() {
    let app = spawn_with(&[
        ("CSCMS_JWT_PUBLIC_KEY_FILE", RSA_PUBLIC_PATH),
        ("CSCMS_JWT_ALG", "RS256"),
    ])
    .await;
    // A token the provider signed with its private key is accepted.
    let good = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims(0),
        &EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap(),
    )
    .unwrap();
    let r = app.get("/v1/me", &good).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["role"], "dopt");
    // HS256 "signed" with the public key as the secret: the classic confusion.
    let public = std::fs::read(RSA_PUBLIC_PATH).unwrap();
    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(0),
        &EncodingKey::from_secret(&public),
    )
    .unwrap();
    assert_refused(&app, &forged, "invalid_token").await;
    // And minting is impossible without a secret.
    assert!(app
        .state
        .verifier
        .mint(&MintRequest::new(Role::Dopt, "x"))
        .is_err());
}

/// e-Parichay's keys as a JWK Set file: keys chosen by `kid`, and a key
/// the provider adds later is taken without a restart.
#[actix_web::test]
async fn identity_provider_keys_by_kid_from_a_jwk_set_file_read_again_on_change() {
    use crate::clients::{client_key, ClientKey};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("eparichay-jwks.json");
    let (k1, k2, k3) = (client_key("ep-1"), client_key("ep-2"), client_key("ep-3"));
    let publish = |keys: &[&ClientKey]| {
        let set = json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
        std::fs::write(&file, set.to_string()).unwrap();
    };
    publish(&[&k1, &k2]);
    let path = file.display().to_string();
    let app = spawn_with(&[("CSCMS_JWT_JWKS_FILE", &path)]).await;
    let sign = |k: &ClientKey, kid: Option<&str>, sub: &str| {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = kid.map(str::to_owned);
        let mut c = claims(0);
        c["sub"] = json!(sub);
        jsonwebtoken::encode(&h, &c, &EncodingKey::from_ec_pem(k.pem.as_bytes()).unwrap()).unwrap()
    };
    for (k, kid) in [(&k1, "ep-1"), (&k2, "ep-2")] {
        let r = app.get("/v1/me", &sign(k, Some(kid), "dopt:a")).await;
        assert_eq!(r.status, 200, "{kid}: {}", r.json);
    }
    // No kid, a kid not published, a key signing under another's kid.
    assert_refused(&app, &sign(&k1, None, "dopt:b"), "invalid_token").await;
    assert_refused(&app, &sign(&k3, Some("ep-3"), "dopt:b"), "invalid_token").await;
    assert_refused(&app, &sign(&k3, Some("ep-1"), "dopt:b"), "invalid_token").await;
    // The provider rotates: ep-3 published, ep-1 withdrawn.
    std::thread::sleep(std::time::Duration::from_millis(20));
    publish(&[&k2, &k3]);
    let r = app.get("/v1/me", &sign(&k3, Some("ep-3"), "dopt:c")).await;
    assert_eq!(r.status, 200, "a new kid is looked up at once: {}", r.json);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_refused(&app, &sign(&k1, Some("ep-1"), "dopt:d"), "invalid_token").await;
}

#[actix_web::test]
async fn me_describes_each_kind_of_caller() {
    let app = spawn().await;
    let r = app
        .get("/v1/me", &app.token(Role::Employee, Some(IN_MHA)))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["role"], "employee");
    assert_eq!(r.json["employee"]["code"], IN_MHA);
    assert_eq!(r.json["employee"]["grade"], "SO");

    let r = app
        .get("/v1/me", &app.token(Role::NodalOfficer, Some("MHA")))
        .await;
    assert_eq!(r.json["organisation"]["id"], "MHA");
    assert!(r.json["employee"].is_null());

    let r = app
        .get(
            "/v1/me",
            &app.token(Role::Integration, Some("employees:read")),
        )
        .await;
    assert_eq!(r.json["scopes"], json!(["employees:read"]));
}
