//! The register of integration clients (INT-1, INT-2): DoPT admits a
//! portal, says which scopes it may ask for and how it authenticates at
//! `POST /oauth2/token`, and can suspend, resume, re-key or remove it.
//! Every change is audited.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::client::{
    check_registered_scopes, AuthMethod, ClientStatus, Portal, RegisteredScopeRefusal,
};
use cscms_domain::principal::Principal;
use cscms_domain::scope::Op;
use cscms_store::clients::ClientRow;
use cscms_store::json::Json;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::ValidJson;
use crate::oauth;
use crate::scope::authorize;
use crate::state::AppState;

/// A registered client, as DoPT sees it (never its secret).
#[derive(Serialize, ToSchema)]
pub struct Client {
    #[schema(example = "sparrow-5f1c0e9a7b3d2c41")]
    pub client_id: String,
    #[schema(example = "SPARROW (NIC)")]
    pub name: String,
    pub portal: Portal,
    /// The scopes the client may ask for.
    #[schema(example = json!(["apar:write"]))]
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
    /// The client's public keys (RFC 7517), for `private_key_jwt`.
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
    /// Whether a secret is set (`client_secret_basic`); the secret itself is never shown again.
    pub secret_set: bool,
    pub status: ClientStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ClientRow> for Client {
    fn from(r: ClientRow) -> Self {
        Self {
            portal: r.portal,
            auth_method: r.auth_method,
            status: r.status,
            scopes: r
                .scopes
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            jwks: r.jwks.map(Json::into_inner),
            secret_set: r.secret_hash.is_some(),
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            client_id: r.client_id,
            name: r.name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<Client>,
}

/// A client just registered or given a new secret: the secret is shown
/// here once and never again (only its Argon2id hash is kept).
#[derive(Serialize, ToSchema)]
pub struct ClientWithSecret {
    #[serde(flatten)]
    pub client: Client,
    /// For `client_secret_basic`: the secret, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// A client to register.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    #[validate(length(min = 3, max = 200))]
    #[schema(min_length = 3, max_length = 200, example = "SPARROW (NIC)")]
    pub name: String,
    pub portal: Portal,
    /// The scopes it may ask for (at least one; see the bearer scheme for each).
    #[validate(length(min = 1, max = 16))]
    #[schema(min_items = 1, max_items = 16, example = json!(["apar:write"]))]
    pub scopes: Vec<String>,
    /// `private_key_jwt` (preferred) or `client_secret_basic` (development).
    pub auth_method: AuthMethod,
    /// Required for `private_key_jwt`: the client's public keys, 1 to 5, each
    /// EC P-256 (ES256) or OKP Ed25519 (EdDSA); absent for `client_secret_basic`.
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
}

/// New credentials: a JWK Set for a `private_key_jwt` client; nothing for
/// a `client_secret_basic` client, which is given a new secret.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredentials {
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
}

/// The scopes a client is registered for: each a scope of the API, named once.
fn scope_errors(scopes: &[String]) -> Vec<FieldError> {
    check_registered_scopes(scopes)
        .into_iter()
        .map(|refusal| match refusal {
            RegisteredScopeRefusal::Unknown { at } => FieldError::new(
                format!("body.scopes[{at}]"),
                "unknown_scope",
                format!("{} is not a scope of this API", scopes[at]),
            ),
            RegisteredScopeRefusal::Repeated { at, first } => FieldError::new(
                format!("body.scopes[{at}]"),
                "duplicate",
                format!("{} is already named at scopes[{first}]", scopes[at]),
            ),
        })
        .collect()
}

/// A client's credentials as stored, and the secret to show once.
struct Credentials {
    jwks: Option<Json<serde_json::Value>>,
    secret_hash: Option<String>,
    secret: Option<String>,
}

/// The credentials of a client by its method: the stored JWK Set, or a new
/// secret and its hash.
fn credentials(
    method: AuthMethod,
    jwks: Option<&serde_json::Value>,
) -> Result<Credentials, ApiError> {
    match (method, jwks) {
        (AuthMethod::PrivateKeyJwt, Some(set)) => {
            let stored = oauth::parse_client_jwks(set)
                .map_err(|e| ApiError::invalid(&format!("body.jwks{}", e.at), e.code, e.message))?;
            let stored = Json::new(stored)?;
            Ok(Credentials {
                jwks: Some(stored),
                secret_hash: None,
                secret: None,
            })
        }
        (AuthMethod::PrivateKeyJwt, None) => Err(ApiError::invalid(
            "body.jwks",
            "required",
            "a private_key_jwt client registers its public keys as a JWK Set",
        )),
        (AuthMethod::ClientSecretBasic, None) => {
            let secret = oauth::new_secret();
            let hash = oauth::hash_secret(&secret)?;
            Ok(Credentials {
                jwks: None,
                secret_hash: Some(hash),
                secret: Some(secret),
            })
        }
        (AuthMethod::ClientSecretBasic, Some(_)) => Err(ApiError::invalid(
            "body.jwks",
            "not_allowed",
            "a client_secret_basic client has a secret, not keys",
        )),
    }
}

/// Argon2id is slow by design: hashing runs on the blocking pool.
async fn credentials_off_thread(
    method: AuthMethod,
    jwks: Option<serde_json::Value>,
) -> Result<Credentials, ApiError> {
    web::block(move || credentials(method, jwks.as_ref()))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Client {id}"))
}

/// Register a client
///
/// DoPT registers an integration client: its portal, the scopes it may ask
/// for, and how it authenticates at `POST /oauth2/token`. For
/// `client_secret_basic` the answer carries the secret, once. Audited.
#[utoipa::path(tag = "clients", security(("bearer" = [])), request_body = NewClient,
    responses(
        (status = 201, description = "The client; `Location` names it. `client_secret` only for client_secret_basic, shown once", body = ClientWithSecret, headers(("Location" = String))),
        (status = 403, description = "Only DoPT registers clients", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Values break the rules (`errors` lists every bad field): among them a scope that is not one of the API (`unknown_scope`) or that is named twice (`duplicate`, on the repeat), or `jwks` refused (a key whose coordinates are no point of its curve: `not_on_curve` or `invalid_length` on its `x` or `y`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/clients")]
pub async fn register(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<NewClient>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageClients)?;
    let errors = scope_errors(&body.scopes);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let Credentials {
        jwks,
        secret_hash,
        secret,
    } = credentials_off_thread(body.auth_method, body.jwks).await?;
    let mut scopes = body.scopes;
    scopes.sort();
    scopes.dedup();
    let mut suffix = [0u8; 8];
    rand::rng().fill_bytes(&mut suffix);
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let now = Utc::now().naive_utc();
    let row = ClientRow {
        client_id: format!("{}-{suffix}", body.portal.as_str()),
        name: body.name.trim().to_owned(),
        portal: body.portal,
        scopes: scopes.join(" "),
        auth_method: body.auth_method,
        jwks,
        secret_hash,
        status: ClientStatus::Active,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let created = state
        .db(move |c| cscms_store::clients::register(c, &actor, row))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/clients/{}", created.client_id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientWithSecret {
            client: created.into(),
            client_secret: secret,
        }))
}

/// List clients
///
/// Every registered integration client with its portal, scopes, method,
/// public keys and status (DoPT only). Secrets are never shown.
#[utoipa::path(tag = "clients", security(("bearer" = [])),
    responses((status = 200, description = "Every registered client", body = ClientList),
        (status = 403, description = "Only DoPT manages integration clients", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/clients")]
pub async fn list(Auth(who): Auth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageClients)?;
    let rows = state.db(cscms_store::clients::list).await?;
    let items = rows.into_iter().map(Client::from).collect();
    Ok(HttpResponse::Ok().json(ClientList { items }))
}

/// Read a client
///
/// One integration client (DoPT only). Secrets are never shown.
#[utoipa::path(tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id")),
    responses((status = 200, description = "The client", body = Client),
        (status = 403, description = "Only DoPT manages integration clients", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/clients/{id}")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageClients)?;
    let id = id.into_inner();
    let key = id.clone();
    let row = state
        .read(move |c| cscms_store::clients::get(c, &key))
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(HttpResponse::Ok().json(Client::from(row)))
}

/// Why a status change was refused.
fn transition(action: &str, current: ClientStatus, allowed: &[&str]) -> ApiError {
    ApiError::InvalidTransition {
        action: action.into(),
        current: current.as_str().into(),
        allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
    }
}

async fn set_status(
    who: &Principal,
    state: &AppState,
    req: &HttpRequest,
    id: String,
    to: ClientStatus,
) -> Result<HttpResponse, ApiError> {
    authorize(who, Op::ManageClients)?;
    let (action, from) = match to {
        ClientStatus::Suspended => ("suspend", ClientStatus::Active),
        ClientStatus::Active => ("resume", ClientStatus::Suspended),
    };
    let actor = actor(who, req);
    let key = id.clone();
    let changed = state
        .db(move |c| {
            cscms_store::clients::update(c, &actor, &key, action, |before| {
                if before.status != from {
                    let other = if action == "suspend" {
                        "resume"
                    } else {
                        "suspend"
                    };
                    return Err(transition(action, before.status, &[other, "delete"]));
                }
                Ok(ClientRow {
                    status: to,
                    ..before.clone()
                })
            })
        })
        .await?
        .ok_or_else(|| not_found(&id))??;
    // This instance stops at once; the others within CSCMS_CLIENT_CHECK_SECS.
    state.oauth.clients().forget(&id);
    Ok(HttpResponse::Ok().json(Client::from(changed)))
}

/// Suspend a client
///
/// The client can no longer obtain tokens, and the tokens it holds are
/// refused by every instance within `CSCMS_CLIENT_CHECK_SECS` (30 s by
/// default, at most 60). Audited.
#[utoipa::path(tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id")),
    responses(
        (status = 200, description = "The client, suspended", body = Client),
        (status = 403, description = "Only DoPT manages integration clients", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client is already suspended (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/clients/{id}/suspend")]
pub async fn suspend(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_status(&who, &state, &req, id.into_inner(), ClientStatus::Suspended).await
}

/// Resume a client
///
/// A suspended client may obtain tokens again. Audited.
#[utoipa::path(tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id")),
    responses(
        (status = 200, description = "The client, active", body = Client),
        (status = 403, description = "Only DoPT manages integration clients", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client is not suspended (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/clients/{id}/resume")]
pub async fn resume(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_status(&who, &state, &req, id.into_inner(), ClientStatus::Active).await
}

/// Rotate a client's keys or secret
///
/// A `private_key_jwt` client's JWK Set is replaced by the one sent (list the
/// old key as well while the client switches over); a `client_secret_basic`
/// client is given a new secret, shown once, and the old one stops working.
/// Tokens already issued stay valid until they expire. Audited.
#[utoipa::path(tag = "clients", security(("bearer" = [])), request_body = NewCredentials,
    params(("id" = String, Path, description = "The client id")),
    responses((status = 200, description = "The client; `client_secret` for client_secret_basic, shown once", body = ClientWithSecret),
        (status = 403, description = "Only DoPT manages integration clients", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`errors` lists every bad field; among them a key of `jwks` whose coordinates are no point of its curve (`not_on_curve` or `invalid_length` on its `x` or `y`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/clients/{id}/credentials")]
pub async fn rotate(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<NewCredentials>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageClients)?;
    let id = id.into_inner();
    let key = id.clone();
    let current = state
        .read(move |c| cscms_store::clients::get(c, &key))
        .await?
        .ok_or_else(|| not_found(&id))?;
    let method = current.auth_method;
    let Credentials {
        jwks,
        secret_hash,
        secret,
    } = credentials_off_thread(method, body.jwks).await?;
    let actor = actor(&who, &req);
    let key = id.clone();
    let changed = state
        .db(move |c| {
            cscms_store::clients::update(c, &actor, &key, "rotate_credentials", |before| {
                Ok::<_, ApiError>(ClientRow {
                    jwks,
                    secret_hash,
                    ..before.clone()
                })
            })
        })
        .await?
        .ok_or_else(|| not_found(&id))??;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientWithSecret {
            client: changed.into(),
            client_secret: secret,
        }))
}

/// Delete a client
///
/// Removes a suspended client (suspend it first, so that a live
/// integration is never removed by a slip). Its tokens are refused from
/// then on, as for a suspension. Audited.
#[utoipa::path(tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only DoPT manages integration clients", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client is active: suspend it first (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[delete("/clients/{id}")]
pub async fn remove(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageClients)?;
    let id = id.into_inner();
    let actor = actor(&who, &req);
    let key = id.clone();
    state
        .db(move |c| {
            cscms_store::clients::delete(c, &actor, &key, |row| {
                if row.status == ClientStatus::Active {
                    Err(transition("delete", row.status, &["suspend"]))
                } else {
                    Ok(())
                }
            })
        })
        .await?
        .ok_or_else(|| not_found(&id))??;
    state.oauth.clients().forget(&id);
    Ok(HttpResponse::NoContent().finish())
}
