//! The authorisation server for integration clients (INT-1, INT-2): client
//! authentication at the token endpoint (RFC 7523 `private_key_jwt`, RFC 6749
//! `client_secret_basic` with an Argon2id hash), the RFC 9068 access tokens
//! it issues, their verification on the resource-server side, and the check
//! that the client is still active.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use cscms_domain::client::{self, AssertionClaims, ScopeRefusal, ACCESS_TOKEN_TTL_SECS};
use cscms_domain::principal::Principal;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::OAuthSettings;
use crate::error::{ApiError, OAuthErrorCode};
use crate::keys::KeyRing;

/// The authorisation server's part of the application state.
pub struct Issuer {
    pub keys: KeyRing,
    /// `iss` of the tokens issued (the public URL).
    pub issuer: String,
    /// The token endpoint's URL: the `aud` client assertions must name.
    pub token_endpoint: String,
    /// `aud` of the tokens issued: the resource server's audience.
    pub audience: String,
    pub leeway_secs: u64,
    clients: ClientGate,
}

impl Issuer {
    pub fn new(s: &OAuthSettings, keys: KeyRing, audience: &str, leeway_secs: u64) -> Self {
        Self {
            keys,
            issuer: s.public_url.clone(),
            token_endpoint: s.token_endpoint(),
            audience: audience.to_owned(),
            leeway_secs,
            clients: ClientGate::new(Duration::from_secs(s.client_check_secs)),
        }
    }

    pub fn clients(&self) -> &ClientGate {
        &self.clients
    }
}

/// Why client authentication failed: always `invalid_client` (RFC 6749
/// §5.2, RFC 7523 §3.2).
pub fn invalid_client(why: &str) -> ApiError {
    ApiError::oauth(
        OAuthErrorCode::InvalidClient,
        format!("Client authentication failed: {why}."),
    )
}

pub fn invalid_request(why: impl Into<String>) -> ApiError {
    ApiError::oauth(OAuthErrorCode::InvalidRequest, why)
}

// ---------------------------------------------------------------- secrets

/// A new client secret: 32 random bytes, base64url (shown once).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The Argon2id hash of a secret (PHC string, with its parameters and salt).
pub fn hash_secret(secret: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("argon2: {e}")))
}

/// Whether `secret` matches the stored hash (constant-time comparison inside).
pub fn secret_matches(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifications running at once: one per core. Argon2id is slow and takes
/// 19 MiB per verification by design; unbounded, a burst of token requests
/// would hold that much for each and take every blocking thread from the
/// database work (bench/speed.md).
static VERIFYING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
});

/// [`secret_matches`] off the worker, a bounded number at a time.
pub async fn verify_secret(secret: String, stored: String) -> Result<bool, ApiError> {
    let _turn = VERIFYING
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("verification queue: {e}")))?;
    actix_web::web::block(move || secret_matches(&secret, &stored))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))
}

/// `client_id:secret` from an HTTP Basic header (RFC 6749 §2.3.1: each part
/// form-urlencoded before joining).
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(value.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
    };
    Some((unescape(id)?, unescape(secret)?))
}

// ---------------------------------------------------------------- JWK Sets

/// The algorithm a client key verifies, if it is one accepted here.
fn alg_of(jwk: &Jwk) -> Option<Algorithm> {
    match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            Some(Algorithm::ES256)
        }
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Some(Algorithm::EdDSA)
        }
        _ => None,
    }
}

/// Why a JWK Set was refused: where in it (`""` for the set, e.g.
/// `.keys[0].y`), a code, and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksRefusal {
    pub at: String,
    pub code: &'static str,
    pub message: String,
}

impl JwksRefusal {
    fn of_set(message: impl Into<String>) -> Self {
        Self {
            at: String::new(),
            code: "invalid",
            message: message.into(),
        }
    }
}

impl From<String> for JwksRefusal {
    fn from(message: String) -> Self {
        Self::of_set(message)
    }
}

impl From<&str> for JwksRefusal {
    fn from(message: &str) -> Self {
        Self::of_set(message)
    }
}

/// Checks a client's JWK Set as registered: 1 to 5 public keys, each ES256
/// (P-256) or EdDSA (Ed25519) and a point of its curve, no private
/// members, distinct `kid`s. Returns the set as it will be stored.
pub fn parse_client_jwks(value: &serde_json::Value) -> Result<serde_json::Value, JwksRefusal> {
    let keys = value
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or("a JWK Set: an object with a `keys` array")?;
    if keys.is_empty() || keys.len() > 5 {
        return Err("between 1 and 5 keys".into());
    }
    for k in keys {
        if k.get("d").is_some() {
            return Err("a private key was sent: register the public key only".into());
        }
    }
    let set: JwkSet =
        serde_json::from_value(value.clone()).map_err(|e| format!("not a JWK Set: {e}"))?;
    let mut kids = std::collections::HashSet::new();
    for (i, jwk) in set.keys.iter().enumerate() {
        if alg_of(jwk).is_none() {
            return Err("each key must be EC P-256 (ES256) or OKP Ed25519 (EdDSA)".into());
        }
        on_curve(jwk).map_err(|(member, code, message)| JwksRefusal {
            at: format!(".keys[{i}].{member}"),
            code,
            message: message.into(),
        })?;
        DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
        if let Some(kid) = &jwk.common.key_id {
            if !kids.insert(kid.clone()) {
                return Err(format!("kid {kid} appears twice").into());
            }
        }
    }
    serde_json::to_value(&set).map_err(|e| JwksRefusal::of_set(e.to_string()))
}

/// A public key's coordinates are those of a point of its curve: P-256's
/// `x` and `y` each 32 bytes (RFC 7518 §6.2.1.2-3) and on the curve, not
/// the point at infinity (SEC 1 §2.3.4); Ed25519's `x` 32 bytes (RFC 8037
/// §2) that decode to a point. A key that is not one could never verify a
/// signature, and taking it would leave the client unable to sign in with
/// nothing said at registration. The member at fault, a code, a message.
fn on_curve(jwk: &Jwk) -> Result<(), (&'static str, &'static str, &'static str)> {
    let bytes = |member: &'static str, b64: &str| {
        let raw = URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| (member, "invalid", "not base64url without padding"))?;
        <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| (member, "invalid_length", "not 32 bytes"))
    };
    match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => {
            let (x, y) = (bytes("x", &p.x)?, bytes("y", &p.y)?);
            let mut sec1 = [0u8; 65];
            sec1[0] = 0x04;
            sec1[1..33].copy_from_slice(&x);
            sec1[33..].copy_from_slice(&y);
            // Given x, y is what the curve fixes (up to sign): name it.
            p256::PublicKey::from_sec1_bytes(&sec1)
                .map(drop)
                .map_err(|_| ("y", "not_on_curve", "(x, y) is not a point of P-256"))
        }
        AlgorithmParameters::OctetKeyPair(p) => {
            let x = bytes("x", &p.x)?;
            ed25519_dalek::VerifyingKey::from_bytes(&x)
                .map(drop)
                .map_err(|_| ("x", "not_on_curve", "not a point of Ed25519"))
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- assertions

#[derive(Debug, Deserialize)]
struct AssertionBody {
    iss: Option<String>,
    sub: Option<String>,
    exp: Option<u64>,
    nbf: Option<u64>,
    iat: Option<u64>,
    jti: Option<String>,
}

/// The client an assertion claims to come from (its `sub`, which must equal
/// `iss`), read before the signature is checked: only to find its keys.
pub fn assertion_subject(assertion: &str) -> Result<String, ApiError> {
    let payload = assertion
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid_client("the assertion is not a JWT"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| invalid_client("the assertion is not a JWT"))?;
    let body: AssertionBody =
        serde_json::from_slice(&bytes).map_err(|_| invalid_client("the assertion is not a JWT"))?;
    body.sub
        .ok_or_else(|| invalid_client("the assertion has no sub"))
}

/// RFC 7523 §3 checks of a client assertion against the client's keys:
/// signature by a registered key (by `kid`, or any of the right type),
/// `aud` the token endpoint, `iss = sub = client_id`, `exp` at most five
/// minutes ahead, a `jti`. Returns the `jti` and `exp` for the replay record.
pub fn verify_assertion(
    issuer: &Issuer,
    assertion: &str,
    client_id: &str,
    jwks: &str,
    now: u64,
) -> Result<(String, u64), ApiError> {
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| invalid_client("the assertion is not a JWT"))?;
    let set: JwkSet = serde_json::from_str(jwks)
        .map_err(|_| ApiError::Internal(format!("stored JWK Set of {client_id} unreadable")))?;
    let candidates = set.keys.iter().filter(|k| {
        alg_of(k) == Some(header.alg)
            && header
                .kid
                .as_ref()
                .is_none_or(|kid| k.common.key_id.as_ref() == Some(kid))
    });
    let mut validation = Validation::new(header.alg);
    validation.algorithms = vec![header.alg];
    validation.set_audience(&[&issuer.token_endpoint]);
    validation.set_required_spec_claims(&["exp", "aud"]);
    // The time claims are checked below, by the domain's rule.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let mut refusal =
        invalid_client("the assertion is not signed by a key registered for the client");
    for jwk in candidates {
        let Ok(key) = DecodingKey::from_jwk(jwk) else {
            continue;
        };
        match jsonwebtoken::decode::<AssertionBody>(assertion, &key, &validation) {
            Ok(data) => {
                let b = data.claims;
                let (iss, sub) = (b.iss.unwrap_or_default(), b.sub.unwrap_or_default());
                let exp = b.exp.unwrap_or(0);
                let claims = AssertionClaims {
                    iss: &iss,
                    sub: &sub,
                    exp,
                    nbf: b.nbf,
                    iat: b.iat,
                    jti: b.jti.as_deref(),
                };
                client::check_assertion(&claims, client_id, now, issuer.leeway_secs)
                    .map_err(|r| invalid_client(r.describe()))?;
                return Ok((b.jti.unwrap_or_default(), exp));
            }
            Err(e) => {
                if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidAudience) {
                    refusal = invalid_client(&format!(
                        "the assertion's aud must be the token endpoint, {}",
                        issuer.token_endpoint
                    ));
                } else if matches!(
                    e.kind(),
                    jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(_)
                ) {
                    refusal = invalid_client("the assertion lacks exp or aud");
                }
            }
        }
    }
    Err(refusal)
}

// ---------------------------------------------------------------- access tokens

/// The claims of an RFC 9068 access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub client_id: String,
    pub scope: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub jti: String,
}

/// The `typ` of RFC 9068 tokens (§2.1; `application/at+jwt` is the same).
pub fn is_access_token_typ(typ: Option<&str>) -> bool {
    typ.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t == "at+jwt" || t == "application/at+jwt"
    })
}

/// Issues an access token for a client and the scopes granted.
pub fn issue(
    issuer: &Issuer,
    client_id: &str,
    scopes: &[String],
    now: u64,
) -> Result<String, ApiError> {
    let (kid, key) = issuer.keys.signer().map_err(ApiError::Internal)?;
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("at+jwt".into());
    header.kid = Some(kid);
    let claims = AccessClaims {
        iss: issuer.issuer.clone(),
        aud: issuer.audience.clone(),
        sub: client_id.to_owned(),
        client_id: client_id.to_owned(),
        scope: scopes.join(" "),
        iat: now,
        nbf: now,
        exp: now + ACCESS_TOKEN_TTL_SECS,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|e| ApiError::Internal(format!("signing: {e}")))
}

/// Verifies an access token this service issued: `typ` at+jwt, a `kid` of
/// the published keys, ES256, this issuer and audience, not expired. The
/// principal is the client, with the scopes granted.
pub fn verify_access_token(issuer: &Issuer, token: &str) -> Result<(Principal, u64), String> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| "the token is malformed")?;
    if !is_access_token_typ(header.typ.as_deref()) || header.alg != Algorithm::ES256 {
        return Err("the token is not an access token of this service".into());
    }
    let kid = header.kid.ok_or("the token names no key")?;
    let key = issuer
        .keys
        .verifying(&kid)
        .ok_or("the token is signed by a key this service does not publish")?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[&issuer.issuer]);
    validation.set_audience(&[&issuer.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = issuer.leeway_secs;
    let data = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation).map_err(
        |e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => "the token has expired",
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => {
                "the token was issued by an unknown issuer"
            }
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                "the token is not meant for this service"
            }
            jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                "the token signature does not verify"
            }
            _ => "the token is malformed",
        },
    )?;
    let c = data.claims;
    if c.sub != c.client_id || c.client_id.trim().is_empty() {
        return Err("the claims do not fit the role".into());
    }
    Ok((Principal::client(&c.client_id, &c.scope), c.exp))
}

/// The scopes to grant, as the token endpoint answers a refusal.
pub fn grant(requested: Option<&str>, allowed: &[String]) -> Result<Vec<String>, ApiError> {
    client::grant_scopes(requested, allowed).map_err(|r| match r {
        ScopeRefusal::NotAllowed(s) => ApiError::oauth(
            OAuthErrorCode::InvalidScope,
            format!("The client is not registered for the scope {s}."),
        ),
        ScopeRefusal::Malformed => ApiError::oauth(
            OAuthErrorCode::InvalidScope,
            "scope must be scope names separated by single spaces.",
        ),
    })
}

// ---------------------------------------------------------------- revocation

/// Each instance's recent look at clients' status. A token is accepted
/// only while its client is active in the database; the answer is trusted
/// for `ttl`, so a suspension or deletion reaches every instance within it.
pub struct ClientGate {
    ttl: Duration,
    seen: Mutex<HashMap<String, (bool, Instant)>>,
}

impl ClientGate {
    fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the client was active at a look still fresh; `None` when it
    /// must be looked at again.
    pub fn cached(&self, client_id: &str) -> Option<bool> {
        let seen = self.seen.lock().ok()?;
        let (active, at) = seen.get(client_id)?;
        (at.elapsed() < self.ttl).then_some(*active)
    }

    pub fn remember(&self, client_id: &str, active: bool) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut seen) = self.seen.lock() {
            // Bounded: clients are few, but a flood of forged ids must not grow it.
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(client_id.to_owned(), (active, Instant::now()));
        }
    }

    /// Forgets a client at once on this instance (after DoPT changed it here).
    pub fn forget(&self, client_id: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.remove(client_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_verify_only_against_their_own_hash() {
        let secret = new_secret();
        let hash = hash_secret(&secret).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(&secret));
        assert!(secret_matches(&secret, &hash));
        assert!(!secret_matches(&new_secret(), &hash));
        assert!(!secret_matches(&secret, "not a hash"));
    }

    #[test]
    fn basic_credentials_are_form_encoded_parts() {
        let h = format!("Basic {}", STANDARD.encode("sparrow-1:a%2Bb%3Ac"));
        assert_eq!(
            basic_credentials(&h),
            Some(("sparrow-1".into(), "a+b:c".into()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
    }

    #[test]
    fn registered_key_sets_are_public_p256_or_ed25519() {
        let p256 = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]});
        assert!(parse_client_jwks(&p256).is_ok());
        let mut private = p256.clone();
        private["keys"][0]["d"] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI".into();
        assert!(parse_client_jwks(&private)
            .unwrap_err()
            .message
            .contains("private"));
        let twice = serde_json::json!({"keys": [p256["keys"][0], p256["keys"][0]]});
        assert!(parse_client_jwks(&twice)
            .unwrap_err()
            .message
            .contains("twice"));
        assert!(parse_client_jwks(&serde_json::json!({"keys": []})).is_err());
        let rsa = serde_json::json!({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]});
        assert!(parse_client_jwks(&rsa).is_err());
    }

    /// Coordinates that are no point of the key's curve are refused on the
    /// member at fault; a key of the curve is taken.
    #[test]
    fn registered_keys_are_points_of_their_curve() {
        let refusal = |set: serde_json::Value| {
            parse_client_jwks(&set)
                .map(drop)
                .map_err(|e| (e.at, e.code))
        };
        let ec = |x: &str, y: &str| serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": x, "y": y}]});
        let (x, y) = (
            "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        );
        assert_eq!(refusal(ec(x, y)), Ok(()));
        let mut bent = URL_SAFE_NO_PAD.decode(y).unwrap();
        bent[31] ^= 1;
        let bent = URL_SAFE_NO_PAD.encode(bent);
        assert_eq!(
            refusal(ec(x, &bent)),
            Err((".keys[0].y".into(), "not_on_curve"))
        );
        let zero = URL_SAFE_NO_PAD.encode([0u8; 32]);
        assert_eq!(
            refusal(ec(&zero, &zero)),
            Err((".keys[0].y".into(), "not_on_curve"))
        );
        assert_eq!(
            refusal(ec(&x[..40], y)),
            Err((".keys[0].x".into(), "invalid_length"))
        );
        assert_eq!(
            refusal(ec(x, "not base64!")),
            Err((".keys[0].y".into(), "invalid"))
        );

        let okp = |x: &str| serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x}]});
        // RFC 8037 A.2.
        let rfc = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        assert_eq!(refusal(okp(rfc)), Ok(()));
        assert_eq!(
            refusal(okp(&rfc[..20])),
            Err((".keys[0].x".into(), "invalid_length"))
        );
        // y = 2: (y² - 1) / (d·y² + 1) is not a square mod 2^255 - 19.
        let mut two = [0u8; 32];
        two[0] = 2;
        assert_eq!(
            refusal(okp(&URL_SAFE_NO_PAD.encode(two))),
            Err((".keys[0].x".into(), "not_on_curve"))
        );
        // The second key is named by its place.
        let both = serde_json::json!({"keys": [okp(rfc)["keys"][0], ec(x, &bent)["keys"][0]]});
        assert_eq!(refusal(both), Err((".keys[1].y".into(), "not_on_curve")));
    }
}
