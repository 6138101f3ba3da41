//! The register of integration clients and the replay record of their
//! assertions (INT-1, INT-2).

use chrono::{NaiveDateTime, Utc};
use cscms_domain::client::{AuthMethod, ClientStatus, Portal};
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::json::Json;
use crate::schema::{oauth_assertion_jtis, oauth_clients};
use crate::{DbConn, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = oauth_clients, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ClientRow {
    pub client_id: String,
    pub name: String,
    pub portal: Portal,
    pub scopes: String,
    pub auth_method: AuthMethod,
    /// The client's public keys (RFC 7517), for `private_key_jwt`.
    pub jwks: Option<Json<serde_json::Value>>,
    pub secret_hash: Option<String>,
    pub status: ClientStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the audit trail keeps of a client: never the secret's hash.
#[derive(Serialize)]
struct Audited<'a> {
    client_id: &'a str,
    name: &'a str,
    portal: Portal,
    scopes: &'a str,
    auth_method: AuthMethod,
    jwks: Option<&'a serde_json::Value>,
    secret_set: bool,
    status: ClientStatus,
    version: i64,
}

fn audited_view(r: &ClientRow) -> Option<serde_json::Value> {
    serde_json::to_value(Audited {
        client_id: &r.client_id,
        name: &r.name,
        portal: r.portal,
        scopes: &r.scopes,
        auth_method: r.auth_method,
        jwks: r.jwks.as_ref().map(|j| j.get()),
        secret_set: r.secret_hash.is_some(),
        status: r.status,
        version: r.version,
    })
    .ok()
}

fn change(action: &'static str, before: Option<&ClientRow>, after: Option<&ClientRow>) -> Change {
    let id = after
        .or(before)
        .map(|r| r.client_id.clone())
        .unwrap_or_default();
    Change {
        action,
        entity: "oauth_client",
        entity_id: id,
        org_id: None,
        before: before.and_then(audited_view),
        after: after.and_then(audited_view),
    }
}

/// Registers a client, audited. A taken id is a `Conflict`.
pub fn register(conn: &mut DbConn, actor: &Actor, row: ClientRow) -> Result<ClientRow, StoreError> {
    audit::audited(conn, actor, |c| {
        diesel::insert_into(oauth_clients::table)
            .values(&row)
            .execute(c)
            .map_err(|e| StoreError::from_write(e, "client id already exists"))?;
        let change = change("register", None, Some(&row));
        Ok((row, change))
    })
}

pub fn list(conn: &mut DbConn) -> Result<Vec<ClientRow>, StoreError> {
    oauth_clients::table
        .order(oauth_clients::client_id)
        .select(ClientRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("oauth_clients", &"list"))
}

pub fn get(conn: &mut DbConn, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
    oauth_clients::table
        .find(client_id)
        .select(ClientRow::as_select())
        .first(conn)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("oauth_clients", &client_id))
}

/// The status of a client, if it exists: what every instance asks for a
/// token's client (a suspended or deleted client is refused).
pub fn status(conn: &mut DbConn, client_id: &str) -> Result<Option<ClientStatus>, StoreError> {
    crate::on_backend!(conn, |c| oauth_clients::table
        .find(client_id)
        .select(oauth_clients::status)
        .first(c)
        .optional())
    .map_err(|e| StoreError::from(e).in_row("oauth_clients", &client_id))
}

/// Changes a client by `edit` (status, keys, secret), audited as `action`;
/// `None` when there is no such client. `edit` may refuse the change, and
/// then nothing is written.
pub fn update<E>(
    conn: &mut DbConn,
    actor: &Actor,
    client_id: &str,
    action: &'static str,
    edit: impl FnOnce(&ClientRow) -> Result<ClientRow, E>,
) -> Result<Option<Result<ClientRow, E>>, StoreError> {
    crate::db::locked_write_transaction(conn, &format!("oauth_client:{client_id}"), |c| {
        let Some(before) = get(c, client_id)? else {
            return Ok(None);
        };
        let mut after = match edit(&before) {
            Ok(after) => after,
            Err(e) => return Ok(Some(Err(e))),
        };
        after.client_id = before.client_id.clone();
        after.version = before.version + 1;
        after.updated_at = Utc::now().naive_utc();
        let after = audit::audited(c, actor, |c| {
            diesel::update(oauth_clients::table.find(client_id))
                .set(&after)
                .execute(c)?;
            let ch = change(action, Some(&before), Some(&after));
            Ok((after, ch))
        })?;
        Ok(Some(Ok(after)))
    })
}

/// Deletes a client, audited, if `allowed` says it may go; `None` when
/// there is no such client.
pub fn delete<E>(
    conn: &mut DbConn,
    actor: &Actor,
    client_id: &str,
    allowed: impl FnOnce(&ClientRow) -> Result<(), E>,
) -> Result<Option<Result<ClientRow, E>>, StoreError> {
    crate::db::locked_write_transaction(conn, &format!("oauth_client:{client_id}"), |c| {
        let Some(before) = get(c, client_id)? else {
            return Ok(None);
        };
        if let Err(e) = allowed(&before) {
            return Ok(Some(Err(e)));
        }
        audit::audited(c, actor, |c| {
            diesel::delete(oauth_clients::table.find(client_id)).execute(c)?;
            diesel::delete(
                oauth_assertion_jtis::table.filter(oauth_assertion_jtis::client_id.eq(client_id)),
            )
            .execute(c)?;
            Ok(((), change("delete", Some(&before), None)))
        })?;
        Ok(Some(Ok(before)))
    })
}

/// Records an assertion's `jti` until `expires_at`; `false` if it was
/// recorded before (a replay). The primary key decides, so two instances
/// given the same assertion at once accept it once. Expired records are
/// cleared on the way.
pub fn record_jti(
    conn: &mut DbConn,
    client_id: &str,
    jti: &str,
    expires_at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let now = Utc::now().naive_utc();
    diesel::delete(oauth_assertion_jtis::table.filter(oauth_assertion_jtis::expires_at.lt(now)))
        .execute(conn)?;
    // One statement, outside any transaction: a refused insert aborts no
    // PostgreSQL transaction.
    let inserted = diesel::insert_into(oauth_assertion_jtis::table)
        .values((
            oauth_assertion_jtis::client_id.eq(client_id),
            oauth_assertion_jtis::jti.eq(jti),
            oauth_assertion_jtis::expires_at.eq(expires_at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from_write(e, "jti") {
            StoreError::Conflict(_) => Ok(false),
            other => Err(other),
        },
    }
}
