//! Bearer JWT verification and the authenticated caller as an extractor.
//!
//! The API is a resource server: e-Parichay (or, locally, `cscms token`)
//! issues the tokens; no passwords are stored here. Only the configured
//! algorithm is accepted, which closes `alg: none` and algorithm confusion.

use std::future::{ready, Ready};

use futures_util::future::{Either, LocalBoxFuture};
use std::io::Write;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Mutex;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::principal::{Principal, Role};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lru::LruCache;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::{JwtSettings, KeySource, PublicAlg};
use crate::error::{ApiError, ProblemCode};
use crate::state::AppState;

/// The claims CSCMS reads from a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
}

/// Verifies tokens; built once at start.
pub struct Verifier {
    key: DecodingKey,
    /// The identity provider's JWK Set, when configured: keys by `kid`.
    provider: Option<crate::provider_keys::ProviderKeys>,
    validation: Validation,
    /// Present only with an HS256 secret: lets `cscms token` and tests mint.
    signer: Option<(EncodingKey, String, String)>,
    /// Tokens already verified, by their exact text (see [`Verifier::verify`]).
    verified: Mutex<LruCache<Box<str>, Verified>>,
}

/// A verified token's principal, whose token it is and how long it stays
/// valid.
#[derive(Clone)]
struct Verified {
    issued: Issued,
    principal: Principal,
    exp: u64,
}

/// Who issued a verified token: the identity provider (a person), or this
/// service (an integration client's access token, `typ: at+jwt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Issued {
    Provider,
    Service,
}

/// Verified tokens kept: portals reuse one token for many calls.
const VERIFIED_TOKENS: NonZeroUsize = match NonZeroUsize::new(4096) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// Reads (or, for the local secret file, creates) the key material.
fn load_secret_file(path: &Path) -> Result<Vec<u8>, String> {
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // The signing secret is readable by its owner only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        f.write_all(hex.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let secret = text.trim().as_bytes().to_vec();
    if secret.len() < 32 {
        return Err(format!("{}: secret shorter than 32 bytes", path.display()));
    }
    Ok(secret)
}

impl Verifier {
    pub fn new(s: &JwtSettings) -> Result<Self, String> {
        let mut provider = None;
        let (alg, key, signer) = match &s.key {
            KeySource::Jwks(path) => {
                provider = Some(
                    crate::provider_keys::ProviderKeys::open(path)
                        .map_err(|e| format!("CSCMS_JWT_JWKS_FILE {e}"))?,
                );
                // Unused: every token is checked with the key its kid names.
                (Algorithm::RS256, DecodingKey::from_secret(&[]), None)
            }
            KeySource::Secret(secret) => (
                Algorithm::HS256,
                DecodingKey::from_secret(secret.as_bytes()),
                Some(EncodingKey::from_secret(secret.as_bytes())),
            ),
            KeySource::SecretFile(path) => {
                let secret = load_secret_file(path)?;
                (
                    Algorithm::HS256,
                    DecodingKey::from_secret(&secret),
                    Some(EncodingKey::from_secret(&secret)),
                )
            }
            KeySource::PublicKey { alg, pem_file } => {
                let pem = std::fs::read(pem_file).map_err(|e| {
                    format!("CSCMS_JWT_PUBLIC_KEY_FILE {}: {e}", pem_file.display())
                })?;
                let (alg, key) = match alg {
                    PublicAlg::Rs256 => (Algorithm::RS256, DecodingKey::from_rsa_pem(&pem)),
                    PublicAlg::Es256 => (Algorithm::ES256, DecodingKey::from_ec_pem(&pem)),
                };
                let key = key.map_err(|e| format!("CSCMS_JWT_PUBLIC_KEY_FILE: {e}"))?;
                (alg, key, None)
            }
        };
        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.set_issuer(&[&s.issuer]);
        validation.set_audience(&[&s.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = s.leeway_secs;
        Ok(Self {
            key,
            provider,
            validation,
            signer: signer.map(|k| (k, s.issuer.clone(), s.audience.clone())),
            verified: Mutex::new(LruCache::new(VERIFIED_TOKENS)),
        })
    }

    /// Verifies a token and turns its claims into a principal.
    ///
    /// A token that verified once is remembered by its exact text until it
    /// expires: the claims come from the token alone, so the answer cannot
    /// change before then, and the signature check (an RSA or ECDSA
    /// verification with e-Parichay's keys) is not repeated on every call.
    /// Only tokens that verified are kept; a failure is never cached.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        self.verify_as(token, Issued::Provider, |token| {
            let data = match &self.provider {
                None => jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation),
                Some(provider) => {
                    let header = jsonwebtoken::decode_header(token)
                        .map_err(|e| invalid_token(describe(e.kind())))?;
                    let kid = header
                        .kid
                        .ok_or_else(|| invalid_token("the token names no key (kid)"))?;
                    let (alg, key) = provider
                        .get(&kid)
                        .ok_or_else(|| invalid_token("the token is signed by an unknown key"))?;
                    // The key decides the algorithm: no confusion is possible.
                    let mut validation = self.validation.clone();
                    validation.algorithms = vec![alg];
                    jsonwebtoken::decode::<Claims>(token, &key, &validation)
                }
            }
            .map_err(|e| invalid_token(describe(e.kind())))?;
            let exp = data.claims.exp;
            Ok((principal_of(data.claims)?, exp))
        })
    }

    /// As [`Verifier::verify`], with `check` doing the full verification of
    /// a token not seen before (this service's own access tokens are
    /// remembered in the same way).
    pub fn verify_with(
        &self,
        token: &str,
        check: impl FnOnce(&str) -> Result<(Principal, u64), ApiError>,
    ) -> Result<Principal, ApiError> {
        self.verify_as(token, Issued::Service, check)
    }

    fn verify_as(
        &self,
        token: &str,
        issued: Issued,
        check: impl FnOnce(&str) -> Result<(Principal, u64), ApiError>,
    ) -> Result<Principal, ApiError> {
        let now = jsonwebtoken::get_current_timestamp();
        if let Some((was, principal)) = self.cached(token, now) {
            if was == issued {
                return Ok(principal);
            }
        }
        let (principal, exp) = check(token)?;
        if let Ok(mut cache) = self.verified.lock() {
            cache.put(
                token.into(),
                Verified {
                    issued,
                    principal: principal.clone(),
                    exp,
                },
            );
        }
        Ok(principal)
    }

    /// The principal of a token verified before and who issued it, if still
    /// valid at `now` (the same leeway as the full check).
    fn cached(&self, token: &str, now: u64) -> Option<(Issued, Principal)> {
        let mut cache = self.verified.lock().ok()?;
        let hit = cache.get(token)?;
        if hit.exp.saturating_add(self.validation.leeway) < now {
            cache.pop(token);
            return None;
        }
        Some((hit.issued, hit.principal.clone()))
    }

    /// Mints a token (HS256 configurations only): for `cscms token` and tests.
    pub fn mint(&self, claims: &MintRequest) -> Result<String, String> {
        let (key, iss, aud) = self
            .signer
            .as_ref()
            .ok_or("minting needs an HS256 secret (CSCMS_JWT_SECRET or the secret file)")?;
        let now = jsonwebtoken::get_current_timestamp();
        let nbf = now.saturating_add_signed(claims.nbf_offset_secs);
        let claims = Claims {
            sub: claims.sub.clone(),
            role: claims.role.as_str().to_owned(),
            org: claims.org.clone(),
            employee: claims.employee.clone(),
            scopes: claims.scopes.clone(),
            iss: claims.iss.clone().unwrap_or_else(|| iss.clone()),
            aud: claims.aud.clone().unwrap_or_else(|| aud.clone()),
            exp: now.saturating_add_signed(claims.ttl_secs),
            nbf,
            iat: now,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key)
            .map_err(|e| e.to_string())
    }
}

/// What to put in a minted token.
#[derive(Debug, Clone)]
pub struct MintRequest {
    pub sub: String,
    pub role: Role,
    pub org: Option<String>,
    pub employee: Option<String>,
    pub scopes: Vec<String>,
    pub ttl_secs: i64,
    /// Seconds from now until the token becomes valid (negative: already valid).
    pub nbf_offset_secs: i64,
    /// Override the configured issuer/audience (tests of rejection).
    pub iss: Option<String>,
    pub aud: Option<String>,
}

impl MintRequest {
    pub fn new(role: Role, sub: impl Into<String>) -> Self {
        Self {
            sub: sub.into(),
            role,
            org: None,
            employee: None,
            scopes: Vec::new(),
            ttl_secs: 3600,
            nbf_offset_secs: -5,
            iss: None,
            aud: None,
        }
    }
}

fn describe(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet",
        ErrorKind::InvalidIssuer => "the token was issued by an unknown issuer",
        ErrorKind::InvalidAudience => "the token is not meant for this service",
        ErrorKind::InvalidSignature => "the token signature does not verify",
        ErrorKind::InvalidAlgorithm => "the token uses an algorithm this service does not accept",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
        _ => "the token is malformed",
    }
}

fn invalid_token(detail: &str) -> ApiError {
    ApiError::Unauthenticated {
        code: ProblemCode::InvalidToken,
        detail: format!("Bearer token rejected: {detail}."),
        challenge: format!(
            "Bearer realm=\"cscms\", error=\"invalid_token\", error_description=\"{detail}\""
        ),
    }
}

fn principal_of(c: Claims) -> Result<Principal, ApiError> {
    let role = c
        .role
        .parse::<Role>()
        .map_err(|_| invalid_token("the role claim is not a known role"))?;
    let org = c
        .org
        .as_deref()
        .map(OrgId::parse)
        .transpose()
        .map_err(|_| invalid_token("the org claim is malformed"))?;
    let employee = c
        .employee
        .as_deref()
        .map(EmployeeCode::parse)
        .transpose()
        .map_err(|_| invalid_token("the employee claim is malformed"))?;
    // Each role needs the claim that anchors its scope.
    let fits = match role {
        Role::Employee => employee.is_some(),
        Role::NodalOfficer | Role::SubNodalOfficer => org.is_some(),
        Role::Avd | Role::Dopt | Role::Integration => true,
    };
    if !fits || c.sub.trim().is_empty() {
        return Err(invalid_token("the claims do not fit the role"));
    }
    Ok(Principal {
        sub: c.sub,
        role,
        org,
        employee,
        scopes: c.scopes,
    })
}

/// The authenticated caller, as an extractor: `async fn h(Auth(who): Auth)`.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future =
        Either<Ready<Result<Self, ApiError>>, LocalBoxFuture<'static, Result<Self, ApiError>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        match (authenticate(req), state) {
            (Err(e), _) => Either::Left(ready(Err(e))),
            (Ok(Bearer::Person(p)), _) => Either::Left(ready(Ok(Auth(p)))),
            (Ok(Bearer::Client(p)), Some(state)) => {
                // A client's token holds only while DoPT keeps the client active.
                if let Some(active) = state.oauth.clients().cached(&p.sub) {
                    return Either::Left(ready(client_allowed(active).map(|()| Auth(p))));
                }
                Either::Right(Box::pin(async move {
                    let id = p.sub.clone();
                    let status = state
                        .read(move |c| cscms_store::clients::status(c, &id))
                        .await?;
                    let active = status == Some(cscms_domain::client::ClientStatus::Active);
                    state.oauth.clients().remember(&p.sub, active);
                    client_allowed(active).map(|()| Auth(p))
                }))
            }
            (Ok(Bearer::Client(_)), None) => Either::Left(ready(Err(ApiError::Internal(
                "application state missing".into(),
            )))),
        }
    }
}

/// The caller a request's bearer token names, if it verifies (without the
/// client status check the extractor adds): for middleware that keys state
/// by caller. A request without a valid token gives `None`.
pub fn caller(req: &HttpRequest) -> Option<Principal> {
    match authenticate(req).ok()? {
        Bearer::Person(p) | Bearer::Client(p) => Some(p),
    }
}

fn client_allowed(active: bool) -> Result<(), ApiError> {
    if active {
        Ok(())
    } else {
        Err(invalid_token(
            "the client is suspended or no longer registered",
        ))
    }
}

/// Who a verified token speaks for: a person (e-Parichay, or `cscms
/// token`), or an integration client holding one of this service's access
/// tokens, whose standing is checked against the register.
#[derive(Clone)]
enum Bearer {
    Person(Principal),
    Client(Principal),
}

/// The request's bearer, verified once per request: the rate limiter and
/// the idempotency layer (which key their state by caller) and the
/// handler's extractor all ask.
fn authenticate(req: &HttpRequest) -> Result<Bearer, ApiError> {
    if let Some(known) = req.extensions().get::<Bearer>() {
        return Ok(known.clone());
    }
    let bearer = authenticate_token(req)?;
    req.extensions_mut().insert(bearer.clone());
    Ok(bearer)
}

fn authenticate_token(req: &HttpRequest) -> Result<Bearer, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthenticated {
            code: ProblemCode::MissingToken,
            detail: "Send a bearer token in the Authorization header.".into(),
            challenge: "Bearer realm=\"cscms\"".into(),
        })?;
    let value = header
        .to_str()
        .map_err(|_| invalid_token("the Authorization header is not text"))?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthenticated {
            code: ProblemCode::InvalidRequest,
            detail: "The Authorization header must be 'Bearer <token>'.".into(),
            challenge: "Bearer realm=\"cscms\", error=\"invalid_request\"".into(),
        })?;
    // A token verified before is known without reading its header again.
    let now = jsonwebtoken::get_current_timestamp();
    if let Some((issued, principal)) = state.verifier.cached(token, now) {
        return Ok(match issued {
            Issued::Provider => Bearer::Person(principal),
            Issued::Service => Bearer::Client(principal),
        });
    }
    // RFC 9068 §4: only a token typed at+jwt is taken for one of ours;
    // any other goes to the identity provider's verification.
    let typ = jsonwebtoken::decode_header(token).ok().and_then(|h| h.typ);
    if crate::oauth::is_access_token_typ(typ.as_deref()) {
        return state
            .verifier
            .verify_with(token, |t| {
                crate::oauth::verify_access_token(&state.oauth, t).map_err(|e| invalid_token(&e))
            })
            .map(Bearer::Client);
    }
    state.verifier.verify(token).map(Bearer::Person)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn verifier() -> Verifier {
        let s = Settings::from_lookup(&|k| {
            (k == "CSCMS_JWT_SECRET").then(|| "unit-test-secret-unit-test-secret-0".to_owned())
        })
        .unwrap();
        Verifier::new(&s.jwt).unwrap()
    }

    #[test]
    fn a_verified_token_is_remembered_until_it_expires() {
        let v = verifier();
        let mut req = MintRequest::new(Role::Dopt, "dopt:unit");
        req.ttl_secs = 600;
        let token = v.mint(&req).unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        assert!(
            v.cached(&token, now).is_none(),
            "nothing before the first check"
        );
        assert_eq!(v.verify(&token).unwrap().sub, "dopt:unit");
        assert_eq!(
            v.cached(&token, now).unwrap(),
            (Issued::Provider, v.verify(&token).unwrap())
        );
        // Past its expiry (and the leeway) the entry is dropped, not served.
        let late = now + 600 + v.validation.leeway + 5;
        assert!(v.cached(&token, late).is_none());
        assert!(v.cached(&token, now).is_none(), "dropped once stale");
    }

    #[test]
    fn a_remembered_token_keeps_who_issued_it() {
        let v = verifier();
        let token = v.mint(&MintRequest::new(Role::Dopt, "dopt:unit")).unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        let principal = v.verify(&token).unwrap();
        assert_eq!(v.cached(&token, now).unwrap().0, Issued::Provider);
        // Taken as one of this service's access tokens, it is checked as
        // one, not served from the provider's verification.
        let mut checked = 0;
        let as_ours = v
            .verify_with(&token, |_| {
                checked += 1;
                Ok((principal.clone(), now + 60))
            })
            .unwrap();
        assert_eq!((checked, as_ours), (1, principal.clone()));
        assert_eq!(v.cached(&token, now).unwrap().0, Issued::Service);
        let again = v.verify_with(&token, |_| panic!("remembered")).unwrap();
        assert_eq!(again, principal);
    }

    #[test]
    fn a_failed_token_is_never_remembered() {
        let v = verifier();
        let token = v.mint(&MintRequest::new(Role::Dopt, "dopt:unit")).unwrap();
        // The first character of the signature changed.
        let at = token.rfind('.').unwrap() + 1;
        let swap = if &token[at..=at] == "A" { "B" } else { "A" };
        let forged = format!("{}{swap}{}", &token[..at], &token[at + 1..]);
        assert!(v.verify(&forged).is_err());
        assert!(v.verify(&forged).is_err(), "still refused the second time");
        let now = jsonwebtoken::get_current_timestamp();
        assert!(v.cached(&forged, now).is_none());
    }
}
