//! Machine clients (INT-1, INT-2): DoPT's register, the OAuth 2.0 client
//! credentials grant with a real ES256 key pair made here, the RFC 6749
//! errors, the service's own at+jwt tokens on the resource-server side,
//! revocation across instances and key rotation.

use actix_web::test::TestRequest;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use cscms_domain::principal::{scopes, Role};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rand::RngCore;
use serde_json::{json, Value};

use crate::common::{call_on, instance, spawn, spawn_with, Reply, TestApp, IN_MHA};

/// A client's key pair, made for the test: the private key signs its
/// assertions, the public half is registered as a JWK.
pub struct ClientKey {
    pub pem: String,
    pub jwk: Value,
}

pub fn client_key(kid: &str) -> ClientKey {
    let secret = loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
            break k;
        }
    };
    let point = secret.public_key().to_encoded_point(false);
    ClientKey {
        pem: secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        jwk: json!({"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap())}),
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A client assertion (RFC 7523) signed with `key`.
pub fn assertion(key: &ClientKey, client_id: &str, aud: &str, exp_in: i64, jti: &str) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = key.jwk["kid"].as_str().map(str::to_owned);
    let claims = json!({"iss": client_id, "sub": client_id, "aud": aud,
        "iat": now(), "exp": now() + exp_in, "jti": jti});
    let key = EncodingKey::from_ec_pem(key.pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// Registers a client as DoPT; returns the answer.
pub async fn register(app: &TestApp, body: &Value) -> Reply {
    app.post_json("/v1/clients", &app.dopt(), body).await
}

/// Registers a private_key_jwt client with these scopes; returns its id and key.
pub async fn keyed_client(app: &TestApp, scopes: &[&str]) -> (String, ClientKey) {
    let key = client_key("k1");
    let r = register(
        app,
        &json!({"name": "SPARROW (NIC)", "portal": "sparrow", "scopes": scopes,
            "auth_method": "private_key_jwt", "jwks": {"keys": [key.jwk]}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    (r.json["client_id"].as_str().unwrap().to_owned(), key)
}

fn token_request(form: &str) -> TestRequest {
    TestRequest::post()
        .uri("/oauth2/token")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(form.to_owned())
}

fn assertion_form(assertion: &str, scope: Option<&str>) -> String {
    let mut form = format!(
        "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
    );
    if let Some(s) = scope {
        form.push_str(&format!("&scope={}", s.replace(' ', "+")));
    }
    form
}

/// Obtains a token with a fresh assertion.
pub async fn token_for(
    app: &TestApp,
    client_id: &str,
    key: &ClientKey,
    scope: Option<&str>,
) -> Reply {
    let aud = app.state.oauth.token_endpoint.clone();
    let a = assertion(key, client_id, &aud, 120, &uuid());
    app.call(token_request(&assertion_form(&a, scope))).await
}

fn uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Asserts an RFC 6749 §5.2 error.
fn assert_oauth(r: &Reply, status: u16, error: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.json);
    assert_eq!(r.json["error"], error, "{}", r.json);
    assert!(r.json["error_description"].is_string());
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    if status == 401 {
        assert!(
            r.header("www-authenticate").is_some(),
            "401 names its scheme"
        );
    }
}

fn bearer(req: TestRequest, token: &str) -> TestRequest {
    req.insert_header(("Authorization", format!("Bearer {token}")))
}

#[actix_web::test]
async fn a_scope_named_twice_is_refused_on_its_repeat() {
    let app = spawn().await;
    let bad = register(
        &app,
        &json!({"name": "EIS", "portal": "eis", "auth_method": "client_secret_basic",
            "scopes": ["apar:write", "employees:read", "apar:write"]}),
    )
    .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["body.scopes[2]"], "{}", bad.json);
    assert_eq!(bad.json["errors"][0]["code"], "duplicate");
    // An unknown scope and a repeat are both named.
    let bad = register(
        &app,
        &json!({"name": "EIS", "portal": "eis", "auth_method": "client_secret_basic",
            "scopes": ["admin", "employees:read", "employees:read"]}),
    )
    .await;
    assert_eq!(
        bad.error_fields(),
        ["body.scopes[0]", "body.scopes[2]"],
        "{}",
        bad.json
    );
    let r = app.get("/v1/clients", &app.dopt()).await;
    assert_eq!(r.json["items"], json!([]), "nothing registered");
    let r = register(
        &app,
        &json!({"name": "EIS", "portal": "eis", "auth_method": "client_secret_basic",
            "scopes": ["employees:read", "apar:write"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
}

#[actix_web::test]
async fn dopt_keeps_the_register_and_every_change_is_audited() {
    let app = spawn().await;
    let (id, _) = keyed_client(&app, &[scopes::APAR_WRITE]).await;
    assert!(id.starts_with("sparrow-"), "{id}");
    let dopt = app.dopt();
    let r = app.get(&format!("/v1/clients/{id}"), &dopt).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "active");
    assert_eq!(r.json["scopes"], json!(["apar:write"]));
    assert_eq!(r.json["jwks"]["keys"][0]["kid"], "k1");
    let r = app.get("/v1/clients", &dopt).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);

    // Nobody else reads or changes it.
    for role in [Role::NodalOfficer, Role::Avd, Role::Employee] {
        let anchor = match role {
            Role::NodalOfficer => Some("MHA"),
            Role::Employee => Some(IN_MHA),
            _ => None,
        };
        let t = app.token(role, anchor);
        app.get("/v1/clients", &t)
            .await
            .assert_problem(403, "forbidden");
        app.post_json(&format!("/v1/clients/{id}/suspend"), &t, &json!({}))
            .await
            .assert_problem(403, "forbidden");
    }

    // Unknown scope, missing keys, a private key sent: 422, by field.
    let bad = register(&app, &json!({"name": "EIS", "portal": "eis", "scopes": ["admin"], "auth_method": "client_secret_basic"})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.json["errors"][0]["field"], "body.scopes[0]");
    let bad = register(&app, &json!({"name": "EIS", "portal": "eis", "scopes": ["employees:read"], "auth_method": "private_key_jwt"})).await;
    assert_eq!(bad.json["errors"][0]["field"], "body.jwks", "{}", bad.json);
    let mut private = client_key("p").jwk;
    private["d"] = json!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
    let bad = register(&app, &json!({"name": "EIS", "portal": "eis", "scopes": ["employees:read"], "auth_method": "private_key_jwt", "jwks": {"keys": [private]}})).await;
    bad.assert_problem(422, "validation_failed");

    // Suspend, resume, refuse the same twice; delete only once suspended.
    let suspend = format!("/v1/clients/{id}/suspend");
    let resume = format!("/v1/clients/{id}/resume");
    let r = app.post_json(&suspend, &dopt, &json!({})).await;
    assert_eq!(
        (r.status.as_u16(), r.json["status"].as_str()),
        (200, Some("suspended"))
    );
    app.post_json(&suspend, &dopt, &json!({}))
        .await
        .assert_problem(409, "invalid_transition");
    let r = app.post_json(&resume, &dopt, &json!({})).await;
    assert_eq!(r.json["status"], "active");
    let del = |t: &str| bearer(TestRequest::delete().uri(&format!("/v1/clients/{id}")), t);
    app.call(del(&dopt))
        .await
        .assert_problem(409, "invalid_transition");
    app.post_json(&suspend, &dopt, &json!({})).await;
    assert_eq!(app.call(del(&dopt)).await.status, 204);
    app.get(&format!("/v1/clients/{id}"), &dopt)
        .await
        .assert_problem(404, "not_found");

    let key = id.clone();
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "oauth_client", &key))
        .await;
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        ["register", "suspend", "resume", "suspend", "delete"]
    );
}

#[actix_web::test]
async fn a_secret_is_shown_once_and_kept_only_as_an_argon2id_hash() {
    let app = spawn().await;
    let r = register(
        &app,
        &json!({"name": "iGOT Karmayogi", "portal": "igot",
        "scopes": [scopes::EMPLOYEES_READ], "auth_method": "client_secret_basic"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["client_id"].as_str().unwrap().to_owned();
    let secret = r.json["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 43);
    let read = app.get(&format!("/v1/clients/{id}"), &app.dopt()).await;
    assert!(read.json.get("client_secret").is_none() && read.json["secret_set"] == true);
    assert!(!String::from_utf8_lossy(&read.bytes).contains(&secret));
    let key = id.clone();
    let row = app
        .db(move |c| cscms_store::clients::get(c, &key))
        .await
        .unwrap();
    assert!(row
        .secret_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$"));
    let key = id.clone();
    let trail = app
        .db(move |c| cscms_store::audit::for_entity(c, "oauth_client", &key))
        .await;
    assert!(
        !trail[0].after_json.as_deref().unwrap().contains("argon2"),
        "no hash in the trail"
    );

    let basic = |id: &str, s: &str| format!("Basic {}", STANDARD.encode(format!("{id}:{s}")));
    let with = |auth: String| {
        token_request("grant_type=client_credentials").insert_header(("Authorization", auth))
    };
    let r = app.call(with(basic(&id, &secret))).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["scope"], "employees:read");
    let t = r.json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/v1/employees/{IN_MHA}"), &t).await.status,
        200
    );

    // Wrong secret, unknown client: the same invalid_client.
    assert_oauth(
        &app.call(with(basic(&id, "not-the-secret"))).await,
        401,
        "invalid_client",
    );
    assert_oauth(
        &app.call(with(basic("igot-0000000000000000", &secret)))
            .await,
        401,
        "invalid_client",
    );

    // A new secret: the old one stops working.
    let r = app
        .post_json(
            &format!("/v1/clients/{id}/credentials"),
            &app.dopt(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let fresh = r.json["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(fresh, secret);
    assert_oauth(
        &app.call(with(basic(&id, &secret))).await,
        401,
        "invalid_client",
    );
    assert_eq!(app.call(with(basic(&id, &fresh))).await.status, 200);
}

#[actix_web::test]
async fn the_full_flow_with_a_client_key_pair() {
    let app = spawn().await;
    let (id, key) = keyed_client(&app, &[scopes::EMPLOYEES_READ, scopes::APAR_WRITE]).await;

    // Metadata and keys, without a token.
    let meta = app
        .call(TestRequest::get().uri("/.well-known/oauth-authorization-server"))
        .await;
    assert_eq!(meta.status, 200);
    assert_eq!(
        meta.json["token_endpoint"],
        app.state.oauth.token_endpoint.as_str()
    );
    assert!(meta.json["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("private_key_jwt")));
    let jwks = app
        .call(TestRequest::get().uri("/.well-known/jwks.json"))
        .await;
    assert_eq!(
        jwks.json["keys"].as_array().unwrap().len(),
        2,
        "active and next"
    );

    let r = token_for(&app, &id, &key, Some("employees:read")).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(
        (r.json["token_type"].as_str(), r.json["expires_in"].as_u64()),
        (Some("Bearer"), Some(900))
    );
    assert_eq!(r.json["scope"], "employees:read");
    let token = r.json["access_token"].as_str().unwrap().to_owned();

    // RFC 9068: typed at+jwt, signed ES256 by a published key.
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(
        (header.typ.as_deref(), header.alg),
        (Some("at+jwt"), Algorithm::ES256)
    );
    let kid = header.kid.unwrap();
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.json.clone()).unwrap();
    let jwk = set.find(&kid).expect("the kid is published");
    let mut v = jsonwebtoken::Validation::new(Algorithm::ES256);
    v.set_audience(&["cscms-api"]);
    let claims = jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &v,
    )
    .unwrap()
    .claims;
    assert_eq!(
        (claims["sub"].as_str(), claims["client_id"].as_str()),
        (Some(id.as_str()), Some(id.as_str()))
    );
    assert_eq!(claims["iss"], meta.json["issuer"]);
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 900);
    assert!(claims["jti"].is_string());

    // The API takes it, with the scopes granted and no more.
    let me = app.get("/v1/me", &token).await;
    assert_eq!(
        (me.json["role"].as_str(), me.json["sub"].as_str()),
        (Some("integration"), Some(id.as_str()))
    );
    assert_eq!(
        app.get(&format!("/v1/employees/{IN_MHA}"), &token)
            .await
            .status,
        200
    );
    let row = json!({"employee_code": IN_MHA, "from": "2020-04-01", "to": "2021-03-31", "grading": "good"});
    let import = app
        .post_json("/v1/apars/import", &token, &json!({"rows": [row]}))
        .await;
    import.assert_problem(403, "forbidden");
    // Without `scope`, every scope registered.
    let all = token_for(&app, &id, &key, None).await;
    assert_eq!(all.json["scope"], "apar:write employees:read");
}

#[actix_web::test]
async fn each_oauth_error_as_rfc_6749_says() {
    let app = spawn().await;
    let (id, key) = keyed_client(&app, &[scopes::EMPLOYEES_READ]).await;
    let aud = app.state.oauth.token_endpoint.clone();
    let send = |form: String| app.call(token_request(&form));

    // A replayed jti: accepted once, then invalid_client.
    let once = assertion(&key, &id, &aud, 60, "jti-1");
    assert_eq!(send(assertion_form(&once, None)).await.status, 200);
    let replay = send(assertion_form(&once, None)).await;
    assert_oauth(&replay, 401, "invalid_client");
    assert!(replay.json["error_description"]
        .as_str()
        .unwrap()
        .contains("jti"));
    // Expired; more than five minutes ahead; for another audience.
    let expired = assertion(&key, &id, &aud, -120, "jti-2");
    assert_oauth(
        &send(assertion_form(&expired, None)).await,
        401,
        "invalid_client",
    );
    let long = assertion(&key, &id, &aud, 3600, "jti-3");
    assert_oauth(
        &send(assertion_form(&long, None)).await,
        401,
        "invalid_client",
    );
    let elsewhere = assertion(&key, &id, "https://other.example/token", 60, "jti-4");
    let r = send(assertion_form(&elsewhere, None)).await;
    assert_oauth(&r, 401, "invalid_client");
    assert!(
        r.json["error_description"]
            .as_str()
            .unwrap()
            .contains("aud"),
        "{}",
        r.json
    );
    // Signed by a key the client did not register; an unknown client.
    let stranger = client_key("k1");
    assert_oauth(
        &send(assertion_form(
            &assertion(&stranger, &id, &aud, 60, "jti-5"),
            None,
        ))
        .await,
        401,
        "invalid_client",
    );
    let unknown = assertion(&key, "sparrow-0000000000000000", &aud, 60, "jti-6");
    assert_oauth(
        &send(assertion_form(&unknown, None)).await,
        401,
        "invalid_client",
    );
    // Scope escalation.
    let more = assertion(&key, &id, &aud, 60, "jti-7");
    assert_oauth(
        &send(assertion_form(&more, Some("employees:read apar:read"))).await,
        400,
        "invalid_scope",
    );
    // Grant type, missing parameters, two ways of authentication, a repeated parameter.
    assert_oauth(
        &send("grant_type=password&username=x".into()).await,
        400,
        "unsupported_grant_type",
    );
    assert_oauth(
        &send("scope=employees:read".into()).await,
        400,
        "invalid_request",
    );
    assert_oauth(
        &send("grant_type=client_credentials".into()).await,
        401,
        "invalid_client",
    );
    let both = token_request(&assertion_form(
        &assertion(&key, &id, &aud, 60, "jti-8"),
        None,
    ))
    .insert_header((
        "Authorization",
        format!("Basic {}", STANDARD.encode(format!("{id}:x"))),
    ));
    assert_oauth(&app.call(both).await, 400, "invalid_request");
    let twice = format!(
        "{}&grant_type=client_credentials",
        assertion_form(&assertion(&key, &id, &aud, 60, "jti-9"), None)
    );
    assert_oauth(&send(twice).await, 400, "invalid_request");
    let json_body = TestRequest::post()
        .uri("/oauth2/token")
        .set_json(json!({"grant_type": "client_credentials"}));
    assert_oauth(&app.call(json_body).await, 400, "invalid_request");
    // A secret client cannot use an assertion, nor a keyed client Basic.
    let r = app
        .call(
            token_request("grant_type=client_credentials").insert_header((
                "Authorization",
                format!("Basic {}", STANDARD.encode(format!("{id}:x"))),
            )),
        )
        .await;
    assert_oauth(&r, 401, "invalid_client");
}

#[actix_web::test]
async fn only_at_jwt_tokens_of_this_issuer_are_taken_for_clients() {
    let app = spawn().await;
    let (id, key) = keyed_client(&app, &[scopes::EMPLOYEES_READ]).await;
    let good = token_for(&app, &id, &key, None).await.json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get("/v1/me", &good).await.status, 200);

    // The service's own key, but the token not typed at+jwt, or from another issuer.
    let (kid, signing) = app.state.oauth.keys.signer().unwrap();
    let claims = |iss: &str| {
        json!({"iss": iss, "aud": "cscms-api", "sub": id, "client_id": id,
        "scope": "employees:read", "iat": now(), "nbf": now(), "exp": now() + 600, "jti": uuid()})
    };
    let sign = |typ: Option<&str>, iss: &str| {
        let mut h = Header::new(Algorithm::ES256);
        h.typ = typ.map(str::to_owned);
        h.kid = Some(kid.clone());
        jsonwebtoken::encode(&h, &claims(iss), &signing).unwrap()
    };
    let issuer = app.state.oauth.issuer.clone();
    assert_eq!(
        app.get("/v1/me", &sign(Some("at+jwt"), &issuer))
            .await
            .status,
        200,
        "the control case passes"
    );
    for (typ, iss) in [
        (None, issuer.as_str()),
        (Some("JWT"), issuer.as_str()),
        (Some("at+jwt"), "https://elsewhere.example"),
    ] {
        app.get("/v1/me", &sign(typ, iss))
            .await
            .assert_problem(401, "invalid_token");
    }
}

#[actix_web::test]
async fn a_suspended_client_is_refused_on_another_instance_within_its_check_window() {
    let keys = tempfile::tempdir().unwrap();
    let dir = keys.path().display().to_string();
    let app = spawn_with(&[("CSCMS_SIGNING_KEY_DIR", &dir)]).await;
    let other = instance(
        &app.url,
        &[
            ("CSCMS_SIGNING_KEY_DIR", &dir),
            ("CSCMS_CLIENT_CHECK_SECS", "1"),
        ],
    );
    let (id, key) = keyed_client(&app, &[scopes::EMPLOYEES_READ]).await;
    let token = token_for(&app, &id, &key, None).await.json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = || bearer(TestRequest::get().uri("/v1/me"), &token);
    assert_eq!(
        call_on(&other, me()).await.status,
        200,
        "the other instance takes it"
    );

    let r = app
        .post_json(
            &format!("/v1/clients/{id}/suspend"),
            &app.dopt(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    // At once on the instance that suspended it ...
    app.call(me()).await.assert_problem(401, "invalid_token");
    // ... and on the other once its last look is older than its window.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    call_on(&other, me())
        .await
        .assert_problem(401, "invalid_token");
    assert_oauth(
        &token_for(&app, &id, &key, None).await,
        401,
        "invalid_client",
    );
    // Resumed, it works again.
    app.post_json(&format!("/v1/clients/{id}/resume"), &app.dopt(), &json!({}))
        .await;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(call_on(&other, me()).await.status, 200);
}

#[actix_web::test]
async fn key_rotation_fails_no_request() {
    let keys = tempfile::tempdir().unwrap();
    let dir = keys.path().display().to_string();
    let app = spawn_with(&[("CSCMS_SIGNING_KEY_DIR", &dir)]).await;
    let other = instance(&app.url, &[("CSCMS_SIGNING_KEY_DIR", &dir)]);
    let (id, key) = keyed_client(&app, &[scopes::EMPLOYEES_READ]).await;
    let before = token_for(&app, &id, &key, None).await.json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = app
        .call(TestRequest::get().uri("/.well-known/jwks.json"))
        .await
        .json;
    let next_kid = published["keys"][1]["kid"].as_str().unwrap().to_owned();

    let promoted = cscms_api::keys::rotate(keys.path()).unwrap();
    assert_eq!(
        promoted, next_kid,
        "the key that now signs was published before"
    );
    app.state.oauth.keys.refresh(true);
    let after = token_for(&app, &id, &key, None).await.json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        jsonwebtoken::decode_header(&after).unwrap().kid.as_deref(),
        Some(next_kid.as_str())
    );
    // Old and new tokens, on the instance that rotated and on one that has
    // not looked at the files since.
    for token in [&before, &after] {
        let me = bearer(TestRequest::get().uri("/v1/me"), token);
        assert_eq!(app.call(me).await.status, 200);
        let me = bearer(TestRequest::get().uri("/v1/me"), token);
        assert_eq!(call_on(&other, me).await.status, 200);
    }
    let kids: Vec<Value> = app
        .call(TestRequest::get().uri("/.well-known/jwks.json"))
        .await
        .json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(kids.len(), 3, "active, next and the retired key");
}

/// A JWK's coordinates must be a point of its curve: a key made here is
/// taken, the same key with its `y` changed (or an Ed25519 key of the
/// wrong length) is 422 on the member at fault, on registration and on
/// rotation alike, and nothing is written.
#[actix_web::test]
async fn a_key_that_is_no_point_of_its_curve_is_refused_by_field() {
    let app = spawn().await;
    let dopt = app.dopt();
    let (id, key) = keyed_client(&app, &[scopes::EMPLOYEES_READ]).await;
    let mut bent = key.jwk.clone();
    let mut y = URL_SAFE_NO_PAD.decode(bent["y"].as_str().unwrap()).unwrap();
    y[31] ^= 1;
    bent["y"] = json!(URL_SAFE_NO_PAD.encode(y));
    let short_ed25519 = json!({"kty": "OKP", "crv": "Ed25519", "kid": "e1",
        "x": URL_SAFE_NO_PAD.encode([7u8; 31])});
    let refused = |r: &Reply, field: &str, code: &str| {
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.json["errors"][0]["field"], field, "{}", r.json);
        assert_eq!(r.json["errors"][0]["code"], code, "{}", r.json);
    };
    let body = |keys: Value| {
        json!({"name": "EIS", "portal": "eis", "scopes": ["employees:read"],
            "auth_method": "private_key_jwt", "jwks": {"keys": keys}})
    };
    refused(
        &register(&app, &body(json!([bent]))).await,
        "body.jwks.keys[0].y",
        "not_on_curve",
    );
    refused(
        &register(&app, &body(json!([client_key("k0").jwk, short_ed25519]))).await,
        "body.jwks.keys[1].x",
        "invalid_length",
    );
    let listed = app.get("/v1/clients", &dopt).await;
    assert_eq!(
        listed.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        listed.json
    );

    let rotate = format!("/v1/clients/{id}/credentials");
    refused(
        &app.post_json(&rotate, &dopt, &json!({"jwks": {"keys": [key.jwk, bent]}}))
            .await,
        "body.jwks.keys[1].y",
        "not_on_curve",
    );
    // The keys on record still sign in; a real new key is taken.
    assert_eq!(token_for(&app, &id, &key, None).await.status, 200);
    let next = client_key("k2");
    let r = app
        .post_json(
            &rotate,
            &dopt,
            &json!({"jwks": {"keys": [key.jwk, next.jwk]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(token_for(&app, &id, &next, None).await.status, 200);
}
