//! The OAuth 2.0 endpoints for integration clients: the token endpoint
//! (RFC 6749 §4.4 client credentials, RFC 7523 client assertions), the
//! server's metadata (RFC 8414) and its public keys (RFC 7517). Errors here
//! are RFC 6749 §5.2 JSON, as OAuth clients expect.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use cscms_domain::client::{AuthMethod, ClientStatus, ACCESS_TOKEN_TTL_SECS, ASSERTION_TYPE};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, OAuthErrorCode};
use crate::oauth::{self, invalid_client, invalid_request};
use crate::state::AppState;

/// A token request (`application/x-www-form-urlencoded`). For the contract
/// only: the handler reads the form itself, so that every malformed request
/// is answered as RFC 6749 says.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct TokenRequest {
    /// Always `client_credentials`.
    #[schema(example = "client_credentials")]
    grant_type: String,
    /// Space-separated scopes, each among the client's; all of them when absent.
    #[schema(example = "apar:write")]
    scope: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (private_key_jwt).
    client_assertion_type: Option<String>,
    /// The client's signed JWT (private_key_jwt): `iss` = `sub` = client id, `aud` = this token endpoint's URL, `exp` at most 5 minutes ahead, a `jti` used once.
    client_assertion: Option<String>,
    /// Optional; must be the assertion's `sub` when sent.
    client_id: Option<String>,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// An RFC 9068 JWT (`typ: at+jwt`, ES256, with `kid`).
    #[schema(max_length = 4096)]
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the token is valid (at most 900).
    #[schema(example = 900)]
    pub expires_in: u64,
    /// The scopes granted, space-separated.
    #[schema(example = "apar:write")]
    pub scope: String,
}

/// The form's parameters; any given twice is refused (RFC 6749 §3.2).
fn form(req: &HttpRequest, body: &[u8]) -> Result<HashMap<String, String>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(invalid_request(
            "Send the token request as application/x-www-form-urlencoded.",
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| invalid_request("The request body is not a valid form."))?;
    let mut out = HashMap::new();
    for (k, v) in pairs {
        if out.insert(k.clone(), v).is_some() {
            return Err(invalid_request(format!("The parameter {k} is repeated.")));
        }
    }
    Ok(out)
}

/// Obtain an access token
///
/// The OAuth 2.0 client credentials grant (RFC 6749 §4.4) for registered
/// integration clients. Authenticate with a client assertion
/// (`private_key_jwt`, RFC 7523: `client_assertion_type` and
/// `client_assertion` in the form) or with HTTP Basic (`client_secret_basic`),
/// never both. The token is an RFC 9068 JWT for this API's bearer scheme,
/// valid 15 minutes. Errors are RFC 6749 §5.2 JSON (`error`,
/// `error_description`), not problem details; `invalid_client` is 401 with
/// `WWW-Authenticate`.
#[utoipa::path(tag = "oauth", security(()),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The access token", body = TokenResponse,
            headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type`, `invalid_scope` (RFC 6749 §5.2)", body = crate::error::OAuthError),
        (status = 401, description = "`invalid_client`: unknown or suspended client, wrong secret, or an assertion badly signed, expired, too long-lived, for another audience or replayed", body = crate::error::OAuthError,
            headers(("WWW-Authenticate" = String))),
    ))]
#[post("/oauth2/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = form(&req, &body)?;
    let grant = params
        .get("grant_type")
        .ok_or_else(|| invalid_request("grant_type is required."))?;
    if grant != "client_credentials" {
        return Err(ApiError::oauth(
            OAuthErrorCode::UnsupportedGrantType,
            "Only grant_type=client_credentials is supported.",
        ));
    }
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let assertion = params.get("client_assertion").cloned();
    let now = jsonwebtoken::get_current_timestamp();
    let client_id = match (basic, assertion) {
        (Some(_), Some(_)) => {
            return Err(invalid_request(
                "Use one way of client authentication: HTTP Basic or a client assertion.",
            ))
        }
        (None, None) => return Err(invalid_client("no client credentials were sent")),
        (Some(header), None) => {
            let (id, secret) = oauth::basic_credentials(&header)
                .ok_or_else(|| invalid_client("the Authorization header is not HTTP Basic"))?;
            let client = load(&state, &id, AuthMethod::ClientSecretBasic).await?;
            let hash = client.secret_hash.clone().unwrap_or_default();
            let matches = oauth::verify_secret(secret, hash).await?;
            if !matches {
                return Err(invalid_client("unknown client or wrong secret"));
            }
            client
        }
        (None, Some(assertion)) => {
            if params.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
                return Err(invalid_request(format!(
                    "client_assertion_type must be {ASSERTION_TYPE}."
                )));
            }
            let id = oauth::assertion_subject(&assertion)?;
            if params.get("client_id").is_some_and(|c| *c != id) {
                return Err(invalid_client("client_id is not the assertion's sub"));
            }
            let client = load(&state, &id, AuthMethod::PrivateKeyJwt).await?;
            let keys = client.jwks.as_ref().map(|j| j.text()).unwrap_or_default();
            let (jti, exp) = oauth::verify_assertion(&state.oauth, &assertion, &id, keys, now)?;
            // Kept until it expires (and the leeway), so it is refused on
            // every instance for as long as it could otherwise pass.
            let until = chrono::DateTime::from_timestamp(
                i64::try_from(exp.saturating_add(state.oauth.leeway_secs)).unwrap_or(i64::MAX),
                0,
            )
            .unwrap_or_default()
            .naive_utc();
            let key = id.clone();
            let fresh = state
                .db(move |c| cscms_store::clients::record_jti(c, &key, &jti, until))
                .await?;
            if !fresh {
                return Err(invalid_client("the assertion's jti was used before"));
            }
            client
        }
    };
    let allowed: Vec<String> = client_id
        .scopes
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let scopes = oauth::grant(params.get("scope").map(String::as_str), &allowed)?;
    let access_token = oauth::issue(&state.oauth, &client_id.client_id, &scopes, now)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: ACCESS_TOKEN_TTL_SECS,
            scope: scopes.join(" "),
        }))
}

/// The client, if registered, active and using `method`; otherwise
/// `invalid_client` (one answer for all three: nothing is learnt of which).
async fn load(
    state: &AppState,
    id: &str,
    method: AuthMethod,
) -> Result<cscms_store::clients::ClientRow, ApiError> {
    let key = id.to_owned();
    let row = state
        .read(move |c| cscms_store::clients::get(c, &key))
        .await?;
    row.filter(|r| r.status == ClientStatus::Active && r.auth_method == method)
        .ok_or_else(|| invalid_client("unknown client or wrong secret"))
}

/// Authorisation server metadata (RFC 8414).
#[derive(Serialize, ToSchema)]
pub struct ServerMetadata {
    pub issuer: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub token_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    /// None: no authorization endpoint (client credentials only).
    pub response_types_supported: Vec<&'static str>,
}

/// Authorisation server metadata
///
/// RFC 8414 metadata: the token endpoint, the keys, the grant, the
/// authentication methods and the scopes. Public.
#[utoipa::path(tag = "oauth", security(()),
    responses((status = 200, description = "The metadata", body = ServerMetadata)))]
#[get("/.well-known/oauth-authorization-server")]
pub async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    let o = &state.oauth;
    HttpResponse::Ok().json(ServerMetadata {
        issuer: o.issuer.clone(),
        token_endpoint: o.token_endpoint.clone(),
        jwks_uri: format!("{}/.well-known/jwks.json", o.issuer),
        grant_types_supported: vec!["client_credentials"],
        token_endpoint_auth_methods_supported: vec!["private_key_jwt", "client_secret_basic"],
        token_endpoint_auth_signing_alg_values_supported: vec!["ES256", "EdDSA"],
        scopes_supported: cscms_domain::principal::scopes::ALL
            .iter()
            .map(|(s, _)| *s)
            .collect(),
        response_types_supported: Vec::new(),
    })
}

/// The service's public keys
///
/// The JWK Set (RFC 7517) that verifies the access tokens this service
/// issues: the active key, the next one (published before it signs) and,
/// after a rotation, the previous one until its last token has expired. Public.
#[utoipa::path(tag = "oauth", security(()),
    responses((status = 200, description = "The JWK Set", body = Object)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.oauth.keys.jwks())
}
