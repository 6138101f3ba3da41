//! Webhook subscriptions and their durable delivery queue (INT-1, INT-2).
//!
//! A delivery row is written in the same transaction as the change it
//! carries ([`enqueue`], called by the audited write), so a committed
//! change is a delivery owed even if the process dies at once. Workers
//! claim due rows with a lease ([`claim`]): on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so instances never take the same row; on
//! SQLite inside the one write transaction. A lease that runs out (a
//! crashed worker) makes the row due again: delivery is at least once, and
//! the `webhook-id` lets the receiver drop a repeat.

use chrono::{NaiveDateTime, Utc};
use cscms_domain::client::ClientStatus;
use cscms_domain::feed::{self, TypeFilter};
use cscms_domain::principal::Principal;
use cscms_domain::webhook::{self, DeliveryStatus, SubscriptionStatus};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::changes::ChangeRow;
use crate::schema::{oauth_clients, webhook_deliveries, webhook_subscriptions};
use crate::{DbConn, StoreError};

/// The type of a test ping (never a change of the feed).
pub const PING: &str = "webhook.ping";

/// A subscription's change types as its column keeps them: `entity` or
/// `entity.action` items separated by spaces. An item the feed does not
/// know fails the row (`Corrupt`, a 500): dropping it would silently
/// change what the subscription is sent.
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct StoredTypes {
    items: Vec<TypeFilter>,
    text: String,
}

impl StoredTypes {
    pub fn new(items: Vec<TypeFilter>) -> Self {
        let text = items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        Self { items, text }
    }

    pub fn items(&self) -> &[TypeFilter] {
        &self.items
    }

    /// The types as the column keeps them.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The column's text read back; an item the feed does not know is an error.
    fn parse(text: String) -> Result<Self, String> {
        let items = text
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(|t| TypeFilter::parse(t).ok_or_else(|| format!("unknown change type {t}")))
            .collect::<Result<_, _>>()?;
        Ok(Self { items, text })
    }
}

impl<DB> FromSql<Text, DB> for StoredTypes
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Self::parse(<String as FromSql<Text, DB>>::from_sql(bytes)?).map_err(Into::into)
    }
}

impl<DB> ToSql<Text, DB> for StoredTypes
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <str as ToSql<Text, DB>>::to_sql(self.text.as_str(), out)
    }
}

/// A webhook secret as its column keeps it: sealed by the API under the
/// service's own key (`cscms_api::webhooks::seal`), so a copy of the
/// database alone cannot sign a message a receiver would accept. A row
/// written before secrets were sealed holds the secret itself until the
/// service seals it at start ([`all_secrets`], [`seal_in_place`]).
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct SealedSecret(String);

impl SealedSecret {
    /// The column's text; only the sealing side makes one.
    pub fn new(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<DB> FromSql<Text, DB> for SealedSecret
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        <String as FromSql<Text, DB>>::from_sql(bytes).map(Self)
    }
}

impl<DB> ToSql<Text, DB> for SealedSecret
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <str as ToSql<Text, DB>>::to_sql(self.0.as_str(), out)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = webhook_subscriptions, treat_none_as_null = true)]
pub struct SubscriptionRow {
    pub id: i64,
    pub client_id: String,
    pub url: String,
    pub types: StoredTypes,
    pub secret: SealedSecret,
    pub previous_secret: Option<SealedSecret>,
    pub previous_until: Option<NaiveDateTime>,
    pub status: SubscriptionStatus,
    pub disabled_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_subscriptions, treat_none_as_default_value = false)]
pub struct NewSubscription {
    pub client_id: String,
    pub url: String,
    pub types: String,
    pub secret: SealedSecret,
    pub status: SubscriptionStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the audit trail keeps of a subscription: never its secrets.
#[derive(Serialize)]
struct Audited<'a> {
    id: i64,
    client_id: &'a str,
    url: &'a str,
    types: &'a str,
    status: SubscriptionStatus,
    disabled_reason: Option<&'a str>,
    rotation_overlap_until: Option<NaiveDateTime>,
    version: i64,
}

fn change(
    action: &'static str,
    before: Option<&SubscriptionRow>,
    after: Option<&SubscriptionRow>,
) -> Change {
    let view = |r: &SubscriptionRow| {
        serde_json::to_value(Audited {
            id: r.id,
            client_id: &r.client_id,
            url: &r.url,
            types: r.types.text(),
            status: r.status,
            disabled_reason: r.disabled_reason.as_deref(),
            rotation_overlap_until: r.previous_until,
            version: r.version,
        })
        .ok()
    };
    let id = after
        .or(before)
        .map(|r| format!("{}/{}", r.client_id, r.id))
        .unwrap_or_default();
    Change {
        action,
        entity: "webhook_subscription",
        entity_id: id,
        org_id: None,
        before: before.and_then(view),
        after: after.and_then(view),
    }
}

/// Creates a subscription, audited.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewSubscription,
) -> Result<SubscriptionRow, StoreError> {
    audit::audited(conn, actor, |c| {
        let id: i64 = diesel::insert_into(webhook_subscriptions::table)
            .values(&new)
            .returning(webhook_subscriptions::id)
            .get_result(c)?;
        let row = webhook_subscriptions::table
            .find(id)
            .select(SubscriptionRow::as_select())
            .first(c)?;
        let ch = change("create", None, Some(&row));
        Ok((row, ch))
    })
}

/// A subscription's secrets as its columns hold them, sealed or (written
/// before secrets were sealed) in the clear.
#[derive(Debug, Clone, Queryable)]
pub struct StoredSecrets {
    pub id: i64,
    pub secret: String,
    pub previous_secret: Option<String>,
}

/// Every subscription's secrets, by id (to seal those in the clear and
/// those under a retired key: a few rows per integration client).
pub fn all_secrets(conn: &mut DbConn) -> Result<Vec<StoredSecrets>, StoreError> {
    webhook_subscriptions::table
        .order(webhook_subscriptions::id)
        .select((
            webhook_subscriptions::id,
            webhook_subscriptions::secret,
            webhook_subscriptions::previous_secret,
        ))
        .load(conn)
        .map_err(StoreError::from)
}

/// Puts the sealed forms of `was`'s secrets in their place, if the row
/// still holds what `was` read (another instance starting at the same time
/// may have sealed it first: then this writes nothing). Neither the
/// subscription's version nor its audit trail moves: what it means is the
/// same, only how it is kept changed. Returns whether it wrote.
pub fn seal_in_place(
    conn: &mut DbConn,
    was: &StoredSecrets,
    secret: &SealedSecret,
    previous_secret: Option<&SealedSecret>,
) -> Result<bool, StoreError> {
    let row = webhook_subscriptions::table
        .find(was.id)
        .filter(webhook_subscriptions::secret.eq(&was.secret));
    let set = (
        webhook_subscriptions::secret.eq(secret),
        webhook_subscriptions::previous_secret.eq(previous_secret),
    );
    let n = match &was.previous_secret {
        Some(p) => diesel::update(row.filter(webhook_subscriptions::previous_secret.eq(p)))
            .set(set)
            .execute(conn),
        None => diesel::update(row.filter(webhook_subscriptions::previous_secret.is_null()))
            .set(set)
            .execute(conn),
    }
    .map_err(|e| StoreError::from(e).in_row("webhook_subscriptions", &was.id))?;
    Ok(n == 1)
}

/// The client's subscriptions, oldest first.
pub fn list(conn: &mut DbConn, client_id: &str) -> Result<Vec<SubscriptionRow>, StoreError> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::client_id.eq(client_id))
        .order(webhook_subscriptions::id)
        .select(SubscriptionRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("webhook_subscriptions of", &client_id))
}

/// One subscription of the client; `None` if it is another client's.
pub fn get(
    conn: &mut DbConn,
    client_id: &str,
    id: i64,
) -> Result<Option<SubscriptionRow>, StoreError> {
    webhook_subscriptions::table
        .find(id)
        .filter(webhook_subscriptions::client_id.eq(client_id))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()
        .map_err(|e| StoreError::from(e).in_row("webhook_subscriptions", &id))
}

/// Changes a subscription by `edit`, audited as `action`; `None` when the
/// client has no such subscription. `edit` may refuse, and then nothing is
/// written.
pub fn update<E>(
    conn: &mut DbConn,
    actor: &Actor,
    client_id: &str,
    id: i64,
    action: &'static str,
    edit: impl FnOnce(&SubscriptionRow) -> Result<SubscriptionRow, E>,
) -> Result<Option<Result<SubscriptionRow, E>>, StoreError> {
    crate::db::locked_write_transaction(conn, &format!("webhook_subscription:{id}"), |c| {
        let Some(before) = get(c, client_id, id)? else {
            return Ok(None);
        };
        let mut after = match edit(&before) {
            Ok(after) => after,
            Err(e) => return Ok(Some(Err(e))),
        };
        after.id = before.id;
        after.client_id = before.client_id.clone();
        after.version = before.version + 1;
        after.updated_at = Utc::now().naive_utc();
        let after = audit::audited(c, actor, |c| {
            diesel::update(webhook_subscriptions::table.find(id))
                .set(&after)
                .execute(c)?;
            Ok((after.clone(), change(action, Some(&before), Some(&after))))
        })?;
        Ok(Some(Ok(after)))
    })
}

/// Deletes a subscription and its queue, audited, if `allowed` says it may
/// go; `None` when the client has no such subscription.
pub fn delete<E>(
    conn: &mut DbConn,
    actor: &Actor,
    client_id: &str,
    id: i64,
    allowed: impl FnOnce(&SubscriptionRow) -> Result<(), E>,
) -> Result<Option<Result<(), E>>, StoreError> {
    crate::db::locked_write_transaction(conn, &format!("webhook_subscription:{id}"), |c| {
        let Some(before) = get(c, client_id, id)? else {
            return Ok(None);
        };
        if let Err(e) = allowed(&before) {
            return Ok(Some(Err(e)));
        }
        audit::audited(c, actor, |c| {
            diesel::delete(
                webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id)),
            )
            .execute(c)?;
            diesel::delete(webhook_subscriptions::table.find(id)).execute(c)?;
            Ok(((), change("delete", Some(&before), None)))
        })?;
        Ok(Some(Ok(())))
    })
}

/// Whether a client with `scopes` (space-separated, as registered) reads
/// changes of `entity` on the feed: the same rule as the feed's.
pub fn client_reads(client_id: &str, scopes: &str, entity: &str) -> bool {
    feed::scope(&Principal::client(client_id, scopes)).admits(entity, None, None)
}

// None as NULL (not DEFAULT): a multi-row INSERT is then one statement on SQLite.
#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
struct NewDelivery<'a> {
    subscription_id: i64,
    event_id: Option<i64>,
    msg_id: String,
    event_type: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    status: DeliveryStatus,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

fn msg_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// Queues the change `event_id` for every enabled subscription of an
/// active client that asked for its type and whose client reads it on the
/// feed. Runs inside the audited write's transaction (INT-2).
pub(crate) fn enqueue(
    conn: &mut DbConn,
    event_id: i64,
    change: &Change,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    enqueue_many(conn, &[(event_id, change)], at)
}

/// As [`enqueue`] for many changes of one transaction (a bulk import): the
/// subscriptions read once, the deliveries written in multi-row INSERTs.
pub(crate) fn enqueue_many(
    conn: &mut DbConn,
    events: &[(i64, &Change)],
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let stored: Vec<(i64, String, String, String)> = webhook_subscriptions::table
        .inner_join(oauth_clients::table)
        .filter(webhook_subscriptions::status.eq(SubscriptionStatus::Enabled))
        .filter(oauth_clients::status.eq(ClientStatus::Active))
        .select((
            webhook_subscriptions::id,
            webhook_subscriptions::types,
            oauth_clients::client_id,
            oauth_clients::scopes,
        ))
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("webhook_subscriptions", &"enabled"))?;
    // One subscription whose types cannot be read (a type a later release
    // dropped, a hand-edited row) is left out and logged, not allowed to fail
    // every audited write: the change stays in the feed for its client, and
    // the subscription's own read is a fault that shows it (INT-2).
    let subs: Vec<(i64, StoredTypes, String, String)> = stored
        .into_iter()
        .filter_map(
            |(id, types, client, scopes)| match StoredTypes::parse(types) {
                Ok(types) => Some((id, types, client, scopes)),
                Err(e) => {
                    log::error!("webhook_subscriptions row {id}: {e}; no delivery queued for it");
                    None
                }
            },
        )
        .collect();
    if subs.is_empty() {
        return Ok(());
    }
    let kinds: Vec<String> = events
        .iter()
        .map(|(_, change)| feed::change_type(change.entity, change.action))
        .collect();
    let rows: Vec<NewDelivery> = events
        .iter()
        .zip(&kinds)
        .flat_map(|((event_id, change), event_type)| {
            subs.iter()
                .filter(|(_, types, client, scopes)| {
                    webhook::matches(types.items(), change.entity, change.action)
                        && client_reads(client, scopes, change.entity)
                })
                .map(move |(id, ..)| NewDelivery {
                    subscription_id: *id,
                    event_id: Some(*event_id),
                    msg_id: msg_id(),
                    event_type,
                    entity: change.entity,
                    entity_id: &change.entity_id,
                    status: DeliveryStatus::Pending,
                    attempts: 0,
                    next_attempt_at: at,
                    created_at: at,
                })
        })
        .collect();
    for chunk in rows.chunks(1_000) {
        crate::on_backend!(conn, |c| diesel::insert_into(webhook_deliveries::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// An operation on a subscription's queue, for the audit trail.
fn queue_change(action: &'static str, sub: &SubscriptionRow, delivery: &DeliveryRow) -> Change {
    Change {
        action,
        entity: "webhook_subscription",
        entity_id: format!("{}/{}", sub.client_id, sub.id),
        org_id: None,
        before: None,
        after: Some(serde_json::json!({
            "delivery_id": delivery.id,
            "webhook_id": delivery.msg_id,
            "type": delivery.event_type,
        })),
    }
}

fn delivery(conn: &mut DbConn, id: i64) -> Result<DeliveryRow, StoreError> {
    webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .map_err(|e| StoreError::from(e).in_row("webhook_deliveries", &id))
}

/// Queues a test ping for a subscription, audited.
pub fn ping(
    conn: &mut DbConn,
    actor: &Actor,
    sub: &SubscriptionRow,
) -> Result<DeliveryRow, StoreError> {
    audit::audited(conn, actor, |c| {
        let id = enqueue_ping(c, sub.id)?;
        let row = delivery(c, id)?;
        let ch = queue_change("ping", sub, &row);
        Ok((row, ch))
    })
}

/// Queues a test ping for a subscription; returns the delivery's id.
pub fn enqueue_ping(conn: &mut DbConn, subscription_id: i64) -> Result<i64, StoreError> {
    let now = Utc::now().naive_utc();
    let id = msg_id();
    Ok(diesel::insert_into(webhook_deliveries::table)
        .values(NewDelivery {
            subscription_id,
            event_id: None,
            msg_id: id.clone(),
            event_type: PING,
            entity: PING,
            entity_id: &id,
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        })
        .returning(webhook_deliveries::id)
        .get_result(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: i64,
    pub event_id: Option<i64>,
    pub msg_id: String,
    pub event_type: String,
    pub entity: String,
    pub entity_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claim: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_response_code: Option<i32>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

/// A page of a subscription's deliveries, newest first, below `before_id`.
pub fn deliveries(
    conn: &mut DbConn,
    subscription_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .into_boxed();
    if let Some(b) = before_id {
        q = q.filter(webhook_deliveries::id.lt(b));
    }
    q.order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("webhook_deliveries of", &subscription_id))
}

/// What asking for a delivery again came to.
#[derive(Debug)]
pub enum Redelivery {
    /// Queued again, as it now stands.
    Queued(Box<DeliveryRow>),
    /// A worker holds it for an attempt under way: queued again now, a
    /// second worker could send it while the first still does.
    Attempting,
}

/// Queues one delivery again, now, with its attempts reset and the same
/// `webhook-id`, audited, unless an attempt holds it; `None` when the
/// subscription has no such delivery.
pub fn redeliver(
    conn: &mut DbConn,
    actor: &Actor,
    sub: &SubscriptionRow,
    delivery_id: i64,
) -> Result<Option<Redelivery>, StoreError> {
    let subscription_id = sub.id;
    crate::db::write_transaction(conn, |c| {
        let now = Utc::now().naive_utc();
        let this = webhook_deliveries::table
            .find(delivery_id)
            .filter(webhook_deliveries::subscription_id.eq(subscription_id));
        // Not while a lease holds it: in the same statement, so a worker's
        // claim committing meanwhile is seen (PostgreSQL re-reads the row it
        // waited for).
        let n = diesel::update(
            this.filter(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.le(now)),
            ),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::claim.eq(None::<String>),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::delivered_at.eq(None::<NaiveDateTime>),
        ))
        .execute(c)?;
        if n == 0 {
            let exists = this.count().get_result::<i64>(c)? > 0;
            return Ok(exists.then_some(Redelivery::Attempting));
        }
        let row = delivery(c, delivery_id)?;
        audit::audited(c, actor, |_| Ok(((), queue_change("redeliver", sub, &row))))?;
        Ok(Some(Redelivery::Queued(Box::new(row))))
    })
}

/// A delivery claimed for sending, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub subscription: SubscriptionRow,
    pub client_status: ClientStatus,
    pub client_scopes: String,
    /// The change, as the feed serves it; `None` for a ping or a change
    /// pruned since.
    pub change: Option<ChangeRow>,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` due deliveries for `claim` until `lease_until`,
/// counting the attempt. Due: pending, its time come, not leased (or the
/// lease run out), its subscription enabled, and no earlier delivery of the
/// same entity to the same subscription still pending (per-entity order).
pub fn claim(
    conn: &mut DbConn,
    claim: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    const DUE: &str = "SELECT d.id FROM webhook_deliveries d \
         JOIN webhook_subscriptions s ON s.id = d.subscription_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= {now} \
         AND (d.lease_until IS NULL OR d.lease_until < {now}) \
         AND s.status = 'enabled' \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
             WHERE e.subscription_id = d.subscription_id AND e.entity = d.entity \
             AND e.entity_id = d.entity_id AND e.status = 'pending' AND e.id < d.id) \
         ORDER BY d.id LIMIT {limit}";
    let ids: Vec<i64> = crate::db::write_transaction(conn, |c| {
        let rows: Vec<IdRow> = match c {
            DbConn::Pg(pg) => {
                let due = DUE.replace("{now}", "$1").replace("{limit}", "$2");
                diesel::sql_query(format!(
                    "UPDATE webhook_deliveries SET claim = $3, lease_until = $4, \
                     attempts = attempts + 1, last_attempt_at = $1 \
                     WHERE id IN ({due} FOR UPDATE OF d SKIP LOCKED) RETURNING id"
                ))
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .bind::<Text, _>(claim)
                .bind::<Timestamp, _>(lease_until)
                .load(pg)?
            }
            DbConn::Sqlite(sq) => {
                let due = DUE.replace("{now}", "?1").replace("{limit}", "?2");
                diesel::sql_query(format!(
                    "UPDATE webhook_deliveries SET claim = ?3, lease_until = ?4, \
                     attempts = attempts + 1, last_attempt_at = ?1 \
                     WHERE id IN ({due}) RETURNING id"
                ))
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .bind::<Text, _>(claim)
                .bind::<Timestamp, _>(lease_until)
                .load(sq)?
            }
        };
        Ok(rows.into_iter().map(|r| r.id).collect())
    })?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(DeliveryRow, SubscriptionRow, ClientStatus, String)> = webhook_deliveries::table
        .inner_join(webhook_subscriptions::table.inner_join(oauth_clients::table))
        .filter(webhook_deliveries::id.eq_any(&ids))
        .filter(webhook_deliveries::claim.eq(claim))
        .order(webhook_deliveries::id)
        .select((
            DeliveryRow::as_select(),
            SubscriptionRow::as_select(),
            oauth_clients::status,
            oauth_clients::scopes,
        ))
        .load(conn)
        .map_err(|e| StoreError::from(e).in_row("webhook_deliveries claimed as", &claim))?;
    let events: Vec<i64> = rows.iter().filter_map(|r| r.0.event_id).collect();
    let changes = crate::changes::by_ids(conn, &events)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, subscription, client_status, client_scopes)| {
            let change = delivery
                .event_id
                .and_then(|e| changes.iter().find(|c| c.id == e).cloned());
            Claimed {
                delivery,
                subscription,
                client_status,
                client_scopes,
                change,
            }
        })
        .collect())
}

/// What became of one attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    Delivered,
    /// Try again at this time.
    Retry(NaiveDateTime),
    /// No more attempts; `disable` names why the subscription is disabled
    /// too (a 410, the schedule spent), if it is.
    Failed {
        disable: Option<String>,
    },
}

/// One attempt's record.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub delivery_id: i64,
    pub subscription_id: i64,
    pub response_code: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub outcome: Outcome,
}

/// Records the attempts of deliveries this worker still holds (`claim`),
/// all in one transaction: on SQLite each commit is a disk sync, so a
/// batch costs one, not one per delivery; on PostgreSQL the batch is one
/// statement, not a round trip per delivery. A delivery whose lease ran out
/// and was claimed again is left to its new holder. Disabling a
/// subscription is audited as `actor`'s.
pub fn finish(
    conn: &mut DbConn,
    actor: &Actor,
    claim: &str,
    attempts: &[Attempt],
) -> Result<(), StoreError> {
    let now = Utc::now().naive_utc();
    crate::db::write_transaction(conn, |c| {
        let recorded = match c {
            DbConn::Pg(pg) => record_pg(pg, claim, attempts, now)?,
            DbConn::Sqlite(_) => {
                let mut recorded = Vec::new();
                for a in attempts {
                    if record_one(c, claim, a, now)? {
                        recorded.push(a.delivery_id);
                    }
                }
                recorded
            }
        };
        for a in attempts {
            if let Outcome::Failed { disable: Some(why) } = &a.outcome {
                if recorded.contains(&a.delivery_id) {
                    disable(c, actor, a.subscription_id, why)?;
                }
            }
        }
        Ok(())
    })
}

/// The row an attempt leaves: status, next attempt (meaningful only while
/// pending) and when it was delivered.
fn settled(
    a: &Attempt,
    now: NaiveDateTime,
) -> (DeliveryStatus, NaiveDateTime, Option<NaiveDateTime>) {
    match &a.outcome {
        Outcome::Delivered => (DeliveryStatus::Delivered, now, Some(now)),
        Outcome::Retry(at) => (DeliveryStatus::Pending, *at, None),
        Outcome::Failed { .. } => (DeliveryStatus::Failed, now, None),
    }
}

/// One attempt recorded, if `claim` still holds the delivery.
fn record_one(
    c: &mut DbConn,
    claim: &str,
    a: &Attempt,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let (status, next, delivered_at) = settled(a, now);
    let target = webhook_deliveries::table
        .find(a.delivery_id)
        .filter(webhook_deliveries::claim.eq(claim));
    let n = diesel::update(target)
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::claim.eq(None::<String>),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_response_code.eq(a.response_code),
            webhook_deliveries::last_latency_ms.eq(a.latency_ms),
            webhook_deliveries::last_error.eq(a.error.clone()),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(c)?;
    Ok(n == 1)
}

/// A batch's attempts in one UPDATE over arrays of their outcomes; the ids
/// of the deliveries `claim` still held.
fn record_pg(
    pg: &mut diesel::PgConnection,
    claim: &str,
    attempts: &[Attempt],
    now: NaiveDateTime,
) -> Result<Vec<i64>, StoreError> {
    use diesel::sql_types::{Array, Integer, Nullable};
    let mut ids = Vec::with_capacity(attempts.len());
    let mut statuses = Vec::with_capacity(attempts.len());
    let mut nexts = Vec::with_capacity(attempts.len());
    let mut delivered = Vec::with_capacity(attempts.len());
    for a in attempts {
        let (status, next, delivered_at) = settled(a, now);
        ids.push(a.delivery_id);
        statuses.push(status.as_str());
        nexts.push(next);
        delivered.push(delivered_at);
    }
    let codes: Vec<Option<i32>> = attempts.iter().map(|a| a.response_code).collect();
    let latencies: Vec<i64> = attempts.iter().map(|a| a.latency_ms).collect();
    let errors: Vec<Option<&str>> = attempts.iter().map(|a| a.error.as_deref()).collect();
    let rows: Vec<IdRow> = diesel::sql_query(
        "UPDATE webhook_deliveries d SET status = v.status, next_attempt_at = v.next, \
         claim = NULL, lease_until = NULL, last_response_code = v.code, \
         last_latency_ms = v.latency, last_error = v.error, delivered_at = v.delivered \
         FROM unnest($1::bigint[], $2::text[], $3::timestamp[], $4::integer[], \
                     $5::bigint[], $6::text[], $7::timestamp[]) \
              AS v(id, status, next, code, latency, error, delivered) \
         WHERE d.id = v.id AND d.claim = $8 RETURNING d.id",
    )
    .bind::<Array<BigInt>, _>(ids)
    .bind::<Array<Text>, _>(statuses)
    .bind::<Array<Timestamp>, _>(nexts)
    .bind::<Array<Nullable<Integer>>, _>(codes)
    .bind::<Array<BigInt>, _>(latencies)
    .bind::<Array<Nullable<Text>>, _>(errors)
    .bind::<Array<Nullable<Timestamp>>, _>(delivered)
    .bind::<Text, _>(claim)
    .load(pg)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Disables a subscription for `why` (audited), if it is enabled.
fn disable(conn: &mut DbConn, actor: &Actor, id: i64, why: &str) -> Result<(), StoreError> {
    let client: Option<String> = webhook_subscriptions::table
        .find(id)
        .select(webhook_subscriptions::client_id)
        .first(conn)
        .optional()?;
    let Some(client) = client else {
        return Ok(());
    };
    update(conn, actor, &client, id, "disable", |before| {
        if before.status != SubscriptionStatus::Enabled {
            return Err(());
        }
        Ok(SubscriptionRow {
            status: SubscriptionStatus::Disabled,
            disabled_reason: Some(why.to_owned()),
            ..before.clone()
        })
    })?;
    Ok(())
}

/// Deliveries still owed (pending), for a subscription or all.
pub fn pending(conn: &mut DbConn, subscription_id: Option<i64>) -> Result<i64, StoreError> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .into_boxed();
    if let Some(s) = subscription_id {
        q = q.filter(webhook_deliveries::subscription_id.eq(s));
    }
    Ok(q.count().get_result(conn)?)
}

/// Deletes finished deliveries (delivered or failed) made before `cutoff`:
/// the delivery log is kept for the feed's retention window.
pub fn prune(conn: &mut DbConn, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending))
            .filter(webhook_deliveries::created_at.lt(cutoff)),
    )
    .execute(conn)?)
}
