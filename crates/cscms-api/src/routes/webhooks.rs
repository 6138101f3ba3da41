//! Webhook subscriptions of integration clients (INT-1, INT-2; Standard
//! Webhooks 1.0): DoPT points a client's pushes at a URL for the change
//! types the client reads on the feed, hands over the secret (shown once),
//! rotates it with an overlap, changes its URL or types, disables, enables
//! or deletes it, reads its delivery log, redelivers one message and sends
//! a test ping. Every change to a subscription is audited.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::principal::Principal;
use cscms_domain::scope::Op;
use cscms_domain::webhook::{self, DeliveryStatus, SubscriptionStatus, TypeRefusal};
use cscms_store::webhooks::{
    self as store, DeliveryRow, NewSubscription, StoredTypes, SubscriptionRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{actor, utc};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::ValidJson;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{if_match, version_tag};
use crate::webhooks::{send, sign};

/// A subscription (never its secret).
#[derive(Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    #[schema(example = "igot-5f1c0e9a7b3d2c41")]
    pub client_id: String,
    #[schema(example = "https://hooks.igot.example.gov.in/cscms")]
    pub url: String,
    /// `entity` or `entity.action` items, as in the feed's `types=`.
    #[schema(example = json!(["interests", "competency_area"]))]
    pub types: Vec<String>,
    pub status: SubscriptionStatus,
    /// Why it is disabled: by DoPT, a 410 from the receiver, or no 2xx
    /// after the last attempt of the schedule.
    pub disabled_reason: Option<String>,
    /// While a rotation's overlap lasts, messages carry a signature with
    /// the previous secret as well; until this time.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SubscriptionRow> for Webhook {
    fn from(r: SubscriptionRow) -> Self {
        let now = Utc::now().naive_utc();
        Self {
            id: r.id,
            types: r.types.items().iter().map(ToString::to_string).collect(),
            url: r.url,
            status: r.status,
            disabled_reason: r.disabled_reason,
            previous_secret_until: r.previous_until.filter(|u| *u > now).map(utc),
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            client_id: r.client_id,
        }
    }
}

/// A subscription's `ETag`: its version, and while a rotation's overlap
/// runs, `"{version}-overlap"`: the overlap ends with the clock, not a
/// write, and a copy read during it is then not answered 304.
fn webhook_tag(
    v: &Webhook,
) -> (
    actix_web::http::header::HeaderName,
    actix_web::http::header::HeaderValue,
) {
    let mark = v
        .previous_secret_until
        .is_some()
        .then(|| "overlap".to_owned());
    version_tag(v.version, mark)
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

/// A subscription just made or given a new secret: the secret is shown
/// here once.
#[derive(Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` and the base64 of 32 random bytes (Standard Webhooks):
    /// verify `webhook-signature` with it. Shown once.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// A subscription to make.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://` (plain http, and loopback or private addresses, only
    /// where `CSCMS_WEBHOOK_ALLOW_PRIVATE` is set for development). Its host
    /// must resolve to public addresses only.
    #[validate(length(min = 8, max = 2048))]
    #[schema(
        min_length = 8,
        max_length = 2048,
        example = "https://hooks.igot.example.gov.in/cscms"
    )]
    pub url: String,
    /// Change types, each `entity` or `entity.action` of the feed, that
    /// the client reads on the feed with its scopes.
    #[validate(length(min = 1, max = 32))]
    #[schema(min_items = 1, max_items = 32, example = json!(["interests"]))]
    pub types: Vec<String>,
}

/// What to change in a subscription: the members given, at least one.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditWebhook {
    /// A new URL, checked as at creation.
    #[validate(length(min = 8, max = 2048))]
    #[schema(
        min_length = 8,
        max_length = 2048,
        example = "https://hooks2.igot.example.gov.in/cscms"
    )]
    pub url: Option<String>,
    /// The new set of change types, replacing the old one.
    #[validate(length(min = 1, max = 32))]
    #[schema(min_items = 1, max_items = 32, example = json!(["interests", "employee"]))]
    pub types: Option<Vec<String>>,
}

/// How long the previous secret keeps signing after a rotation.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Seconds (0 to 604800, a week); default 86400. During the overlap
    /// every message carries both signatures, space-separated.
    #[validate(range(max = 604_800))]
    #[schema(maximum = 604_800, example = 86400)]
    pub overlap_secs: Option<u32>,
}

/// One message to a subscription and its latest attempt.
#[derive(Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    /// The `webhook-id` header: the same on every attempt and redelivery.
    #[schema(example = "msg_2b7c0f3e9a3d4c1b8e6f5a4d3c2b1a09")]
    pub webhook_id: String,
    /// The change type, or `webhook.ping`.
    #[serde(rename = "type")]
    #[schema(example = "interests.put")]
    pub type_: String,
    pub entity: String,
    pub entity_id: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's status code at the last attempt.
    pub response_code: Option<i32>,
    /// Milliseconds the last attempt took.
    pub latency_ms: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Self {
            id: r.id,
            next_attempt_at: (r.status == DeliveryStatus::Pending).then(|| utc(r.next_attempt_at)),
            webhook_id: r.msg_id,
            type_: r.event_type,
            entity: r.entity,
            entity_id: r.entity_id,
            status: r.status,
            attempts: r.attempts,
            last_attempt_at: r.last_attempt_at.map(utc),
            response_code: r.last_response_code,
            latency_ms: r.last_latency_ms,
            error: r.last_error,
            created_at: utc(r.created_at),
            delivered_at: r.delivered_at.map(utc),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub items: Vec<Delivery>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Deliveries with ids below this (the previous page's `next_before`).
    pub before: Option<i64>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

fn no_client(id: &str) -> ApiError {
    ApiError::not_found(format!("Client {id}"))
}

fn no_webhook(client: &str, id: i64) -> ApiError {
    ApiError::not_found(format!("Webhook {id} of client {client}"))
}

fn transition(action: &str, current: SubscriptionStatus, allowed: &[&str]) -> ApiError {
    ApiError::InvalidTransition {
        action: action.into(),
        current: current.as_str().into(),
        allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// Refuses `action` unless the client is active: a suspended client's
/// receiver is sent nothing, so nothing is queued for it (INT-2).
async fn client_sent_to(state: &AppState, client: &str, action: &str) -> Result<(), ApiError> {
    let key = client.to_owned();
    let status = state
        .read(move |c| cscms_store::clients::status(c, &key))
        .await?
        .ok_or_else(|| no_client(client))?;
    if webhook::sends_to(status) {
        return Ok(());
    }
    Err(ApiError::InvalidTransition {
        action: action.into(),
        current: format!("client {}", status.as_str()),
        allowed: vec!["resume the client".into()],
    })
}

/// The types asked for, each read by the client on the feed (INT-2).
fn types_for(client_id: &str, scopes: &str, items: &[String]) -> Result<StoredTypes, ApiError> {
    let feed = cscms_domain::feed::scope(&Principal::client(client_id, scopes));
    match webhook::parse_types(items, &feed) {
        Ok(types) => Ok(StoredTypes::new(types)),
        Err(TypeRefusal::Unknown(i)) => Err(ApiError::invalid(
            &format!("body.types[{i}]"),
            "unknown_type",
            format!(
                "'{}' is not `entity` or `entity.action` of the feed",
                items[i]
            ),
        )),
        Err(TypeRefusal::OutOfScope(i, entity)) => Err(ApiError::invalid(
            &format!("body.types[{i}]"),
            "out_of_scope",
            format!("the client's scopes do not read {entity} changes on the feed"),
        )),
    }
}

async fn url_checked(state: &AppState, url: &str) -> Result<(), ApiError> {
    send::check_url(url, state.webhooks.allow_private)
        .await
        .map_err(|why| ApiError::Validation(vec![FieldError::new("body.url", "refused", why)]))
}

/// Create a webhook subscription
///
/// DoPT subscribes an integration client's URL to change types the client
/// reads on the feed (a type its scopes do not read is refused). Messages
/// follow Standard Webhooks 1.0: headers `webhook-id` (the same on every
/// attempt), `webhook-timestamp`, `webhook-signature` (`v1,` and the base64
/// HMAC-SHA256 of `id.timestamp.body` keyed with the secret's bytes); body
/// `{type, timestamp, data}` with `data` the feed's change event. The
/// answer carries the secret, once. Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = NewWebhook,
    params(("id" = String, Path, description = "The client id")),
    responses(
        (status = 201, description = "The subscription and its secret, shown once; `Location` names it", body = WebhookWithSecret, headers(("Location" = String))),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A type the client does not read (`out_of_scope`), or a URL refused: not https, or resolving to a loopback, private, link-local or metadata address (`refused`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/clients/{id}/webhooks")]
pub async fn create(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let id = id.into_inner();
    let key = id.clone();
    let client = state
        .read(move |c| cscms_store::clients::get(c, &key))
        .await?
        .ok_or_else(|| no_client(&id))?;
    let types = types_for(&client.client_id, &client.scopes, &body.types)?
        .text()
        .to_owned();
    url_checked(&state, &body.url).await?;
    let secret = sign::new_secret();
    let now = Utc::now().naive_utc();
    let new = NewSubscription {
        client_id: client.client_id,
        url: body.url,
        types,
        secret: state.sealer.seal(&secret).map_err(ApiError::Internal)?,
        status: SubscriptionStatus::Enabled,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let row = state.db(move |c| store::create(c, &actor, new)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/clients/{}/webhooks/{}", row.client_id, row.id),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(WebhookWithSecret {
            webhook: row.into(),
            secret,
        }))
}

/// List a client's webhook subscriptions
///
/// Every subscription of the client, oldest first, with its status (a
/// subscription disabled by a 410 or by running out of attempts shows why).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id")),
    responses((status = 200, description = "The client's subscriptions", body = WebhookList),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/clients/{id}/webhooks")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let id = id.into_inner();
    let key = id.clone();
    let rows = state
        .read(move |c| {
            if cscms_store::clients::get(c, &key)?.is_none() {
                return Ok(None);
            }
            store::list(c, &key).map(Some)
        })
        .await?
        .ok_or_else(|| no_client(&id))?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: rows.into_iter().map(Webhook::from).collect(),
    }))
}

async fn one(state: &AppState, client: &str, id: i64) -> Result<SubscriptionRow, ApiError> {
    let key = client.to_owned();
    state
        .read(move |c| store::get(c, &key, id))
        .await?
        .ok_or_else(|| no_webhook(client, id))
}

/// Read a webhook subscription
///
/// The subscription's URL, event types, state (and why it was disabled),
/// and whether a secret rotation's overlap is running. The secret itself
/// is shown only when created or rotated.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id")),
    responses((status = 200, description = "The subscription (never its secret); `ETag` is its version, `\"{version}-overlap\"` while a rotation's overlap runs", body = Webhook, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/clients/{id}/webhooks/{webhook_id}")]
pub async fn get(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id) = path.into_inner();
    let row = one(&state, &client, id).await?;
    let view = Webhook::from(row);
    Ok(HttpResponse::Ok()
        .insert_header(webhook_tag(&view))
        .json(view))
}

/// Change a webhook subscription
///
/// A new URL (checked as at creation: https, public addresses only) or a
/// new set of change types the client reads on the feed, or both. Needs
/// `If-Match` with the subscription's `ETag` (its version). Changes queued
/// before go to the new URL; types apply to changes made from now on.
/// The secret and status are unchanged. Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = EditWebhook,
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")),
    responses((status = 200, description = "The changed subscription; `ETag` is its new version (`\"{version}-overlap\"` while a rotation's overlap runs)", body = Webhook, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The subscription changed since it was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing to change, a type the client does not read (`out_of_scope`), or a URL refused (`refused`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[patch("/clients/{id}/webhooks/{webhook_id}")]
pub async fn edit(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    ValidJson(body): ValidJson<EditWebhook>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id) = path.into_inner();
    let expected = if_match(&req)?;
    if body.url.is_none() && body.types.is_none() {
        return Err(ApiError::invalid(
            "body",
            "empty",
            "give `url`, `types` or both",
        ));
    }
    let key = client.clone();
    let owner = state
        .read(move |c| cscms_store::clients::get(c, &key))
        .await?
        .ok_or_else(|| no_client(&client))?;
    let types = match &body.types {
        Some(items) => Some(types_for(&owner.client_id, &owner.scopes, items)?),
        None => None,
    };
    if let Some(url) = &body.url {
        url_checked(&state, url).await?;
    }
    let actor = actor(&who, &req);
    let key = client.clone();
    let row = state
        .db(move |c| {
            store::update(c, &actor, &key, id, "edit", |before| {
                if before.version != expected {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok(SubscriptionRow {
                    url: body.url.unwrap_or_else(|| before.url.clone()),
                    types: types.unwrap_or_else(|| before.types.clone()),
                    ..before.clone()
                })
            })
        })
        .await?
        .ok_or_else(|| no_webhook(&client, id))??;
    let view = Webhook::from(row);
    Ok(HttpResponse::Ok()
        .insert_header(webhook_tag(&view))
        .json(view))
}

/// Rotate a webhook secret
///
/// A new secret, shown once. For `overlap_secs` (default a day) every
/// message is signed with both the new and the previous secret, two
/// space-separated `v1,` entries, so the receiver can switch without
/// losing a message; then with the new one alone. Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = RotateSecret,
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id")),
    responses((status = 200, description = "The subscription and its new secret, shown once", body = WebhookWithSecret),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/clients/{id}/webhooks/{webhook_id}/secret")]
pub async fn rotate(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    ValidJson(body): ValidJson<RotateSecret>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id) = path.into_inner();
    let secret = sign::new_secret();
    let overlap = chrono::Duration::seconds(i64::from(body.overlap_secs.unwrap_or(86_400)));
    let actor = actor(&who, &req);
    let (key, new) = (
        client.clone(),
        state.sealer.seal(&secret).map_err(ApiError::Internal)?,
    );
    let row = state
        .db(move |c| {
            store::update(c, &actor, &key, id, "rotate_secret", |before| {
                let until = Utc::now().naive_utc() + overlap;
                Ok::<_, ApiError>(SubscriptionRow {
                    secret: new,
                    previous_secret: Some(before.secret.clone()),
                    previous_until: Some(until),
                    ..before.clone()
                })
            })
        })
        .await?
        .ok_or_else(|| no_webhook(&client, id))??;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(WebhookWithSecret {
            webhook: row.into(),
            secret,
        }))
}

async fn set_status(
    who: &Principal,
    state: &AppState,
    req: &HttpRequest,
    (client, id): (String, i64),
    to_enabled: bool,
) -> Result<HttpResponse, ApiError> {
    authorize(who, Op::ManageWebhooks)?;
    let (action, from, to) = if to_enabled {
        (
            "enable",
            SubscriptionStatus::Disabled,
            SubscriptionStatus::Enabled,
        )
    } else {
        (
            "disable",
            SubscriptionStatus::Enabled,
            SubscriptionStatus::Disabled,
        )
    };
    if to_enabled {
        // The address is checked again: DNS may have changed.
        let current = one(state, &client, id).await?;
        url_checked(state, &current.url).await?;
    }
    let actor = actor(who, req);
    let key = client.clone();
    let row = state
        .db(move |c| {
            store::update(c, &actor, &key, id, action, |before| {
                if before.status != from {
                    let other = if to_enabled { "disable" } else { "enable" };
                    return Err(transition(action, before.status, &[other]));
                }
                Ok(SubscriptionRow {
                    status: to,
                    disabled_reason: (!to_enabled).then(|| "disabled by DoPT".to_owned()),
                    ..before.clone()
                })
            })
        })
        .await?
        .ok_or_else(|| no_webhook(&client, id))??;
    Ok(HttpResponse::Ok().json(Webhook::from(row)))
}

/// Disable a webhook subscription
///
/// No new changes are queued for it and nothing queued is sent until it is
/// enabled again. Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id")),
    responses((status = 200, description = "The subscription, disabled", body = Webhook),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already disabled (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/clients/{id}/webhooks/{webhook_id}/disable")]
pub async fn disable(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    set_status(&who, &state, &req, path.into_inner(), false).await
}

/// Enable a webhook subscription
///
/// Also after a 410 or the last retry: deliveries still queued resume in
/// order, and new changes are queued again. The URL is checked again. Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id")),
    responses((status = 200, description = "The subscription, enabled", body = Webhook),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already enabled (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The URL is refused now (`refused`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/clients/{id}/webhooks/{webhook_id}/enable")]
pub async fn enable(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    set_status(&who, &state, &req, path.into_inner(), true).await
}

/// Delete a webhook subscription
///
/// Removes a disabled subscription and its delivery log (disable it first,
/// so a live integration is never removed by a slip). Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id")),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The subscription is enabled: disable it first (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[delete("/clients/{id}/webhooks/{webhook_id}")]
pub async fn remove(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id) = path.into_inner();
    let actor = actor(&who, &req);
    let key = client.clone();
    state
        .db(move |c| {
            store::delete(c, &actor, &key, id, |row| {
                if row.status == SubscriptionStatus::Enabled {
                    Err(transition("delete", row.status, &["disable"]))
                } else {
                    Ok(())
                }
            })
        })
        .await?
        .ok_or_else(|| no_webhook(&client, id))??;
    Ok(HttpResponse::NoContent().finish())
}

/// A subscription's delivery log
///
/// Messages to the subscription, newest first: attempts, status, the last
/// response code and latency, the last error, and when the next attempt is
/// due.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id"), DeliveriesQuery),
    responses((status = 200, description = "A page of deliveries", body = DeliveryList),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/clients/{id}/webhooks/{webhook_id}/deliveries")]
pub async fn deliveries(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    q: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id) = path.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_query(vec![FieldError::new(
            "query.limit",
            "out_of_range",
            "from 1 to 200",
        )]));
    }
    one(&state, &client, id).await?;
    let before = q.before;
    let rows = state
        .read(move |c| store::deliveries(c, id, before, i64::from(limit) + 1))
        .await?;
    let more = rows.len() > limit as usize;
    let mut items: Vec<Delivery> = rows.into_iter().map(Delivery::from).collect();
    items.truncate(limit as usize);
    Ok(HttpResponse::Ok().json(DeliveryList {
        next_before: more.then(|| items.last().map(|d| d.id)).flatten(),
        items,
    }))
}

/// Redeliver one message
///
/// Queues the message again, now, with the same `webhook-id` (the
/// receiver's idempotency key) and its attempts counted afresh. Sent once
/// the subscription is enabled. Refused while the client is suspended: it
/// is sent nothing. Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id"),
        ("delivery_id" = i64, Path, description = "The delivery id")),
    responses((status = 202, description = "Queued again", body = Delivery),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An attempt of this delivery is under way (`delivery_in_flight`): ask again once it has ended, within the worker's lease (twice `CSCMS_WEBHOOK_TIMEOUT_SECS` and 5 seconds); or the client is suspended and is sent nothing (`invalid_transition`): resume the client first", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/clients/{id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id, delivery) = path.into_inner();
    let sub = one(&state, &client, id).await?;
    client_sent_to(&state, &client, "redeliver").await?;
    let actor = actor(&who, &req);
    let outcome = state
        .db(move |c| store::redeliver(c, &actor, &sub, delivery))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Delivery {delivery} of webhook {id}")))?;
    match outcome {
        store::Redelivery::Queued(row) => Ok(HttpResponse::Accepted().json(Delivery::from(*row))),
        store::Redelivery::Attempting => Err(ApiError::Conflict {
            code: ProblemCode::DeliveryInFlight,
            detail: format!(
                "Delivery {delivery} is being attempted now; ask again once the attempt has ended."
            ),
        }),
    }
}

/// Send a test ping
///
/// Queues a `webhook.ping` message (`data`: the subscription and client
/// ids), signed like any other; one attempt, its result in the delivery log.
/// Refused while the subscription is disabled or the client suspended (a
/// suspended client is sent nothing). Audited.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The client id"),
        ("webhook_id" = i64, Path, description = "The subscription id")),
    responses((status = 202, description = "The ping, queued", body = Delivery),
        (status = 403, description = "Only DoPT manages webhook subscriptions", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The subscription is disabled, or the client is suspended and is sent nothing: resume the client first (`invalid_transition`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/clients/{id}/webhooks/{webhook_id}/ping")]
pub async fn ping(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageWebhooks)?;
    let (client, id) = path.into_inner();
    let sub = one(&state, &client, id).await?;
    if sub.status != SubscriptionStatus::Enabled {
        return Err(transition("ping", sub.status, &["enable"]));
    }
    client_sent_to(&state, &client, "ping").await?;
    let actor = actor(&who, &req);
    let row = state.db(move |c| store::ping(c, &actor, &sub)).await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(row)))
}
