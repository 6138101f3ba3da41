//! The change feed's reads (INT-1, INT-2): pages of recorded changes in
//! (transaction, id) order, never skipping one, and their pruning after the retention
//! window.
//!
//! Order is (txid, id). On PostgreSQL a page holds only changes of
//! transactions older than every transaction still running
//! (`pg_snapshot_xmin`), so a change that commits later can never land
//! behind a reader's cursor. On SQLite writers take turns, so id order is
//! commit order and txid is 0.

use chrono::NaiveDateTime;
use cscms_domain::feed::{FeedScope, Position, TypeFilter};
use cscms_domain::principal::ActorRole;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};

use std::collections::HashMap;

use crate::schema::{apars, audit_log, change_events, change_feed_horizon, organisations};
use crate::{DbConn, StoreError};

/// One change as the feed serves it.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub id: i64,
    pub txid: i64,
    pub at: NaiveDateTime,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// The audit row's id: increases with every change of the entity.
    pub audit_id: i64,
    pub actor_role: ActorRole,
    /// The employee whose record this is, where the entity id alone does not
    /// name them: an APAR's id is its own, but it is read under its
    /// employee's address (`/v1/employees/{code}/apars/{id}`).
    pub subject: Option<String>,
}

/// A change as read from its table, before its subject is looked up.
#[derive(Queryable)]
struct Loaded {
    id: i64,
    txid: i64,
    at: NaiveDateTime,
    entity: String,
    entity_id: String,
    action: String,
    audit_id: i64,
    actor_role: ActorRole,
}

/// The changes with their subjects: the employee of each APAR, read in one
/// query by the APARs' ids (their key), for the page at hand only.
fn with_subjects(conn: &mut DbConn, loaded: Vec<Loaded>) -> Result<Vec<ChangeRow>, StoreError> {
    let apar_ids: Vec<i64> = loaded
        .iter()
        .filter(|r| r.entity == "apar")
        .filter_map(|r| r.entity_id.parse().ok())
        .collect();
    let mut codes: HashMap<i64, String> = HashMap::new();
    for chunk in apar_ids.chunks(500) {
        let rows: Vec<(i64, String)> = apars::table
            .filter(apars::id.eq_any(chunk))
            .select((apars::id, apars::employee_code))
            .load(conn)
            .map_err(|e| StoreError::from(e).in_row("apars of changes", &format!("{chunk:?}")))?;
        codes.extend(rows);
    }
    Ok(loaded
        .into_iter()
        .map(|r| {
            let subject = match r.entity.as_str() {
                "apar" => r
                    .entity_id
                    .parse()
                    .ok()
                    .and_then(|id: i64| codes.get(&id).cloned()),
                _ => None,
            };
            ChangeRow {
                id: r.id,
                txid: r.txid,
                at: r.at,
                entity: r.entity,
                entity_id: r.entity_id,
                action: r.action,
                audit_id: r.audit_id,
                actor_role: r.actor_role,
                subject,
            }
        })
        .collect())
}

impl ChangeRow {
    pub fn position(&self) -> Position {
        Position {
            txid: self.txid,
            id: self.id,
        }
    }
}

/// Every feed query reads a change with its audit row (the actor's role).
type Source = diesel::helper_types::InnerJoinQuerySource<change_events::table, audit_log::table>;
type Cond =
    Box<dyn BoxableExpression<Source, <DbConn as Connection>::Backend, SqlType = Nullable<Bool>>>;

/// The end of the feed as it stands: the last change that can be served
/// now (or the last pruned, once all are), after which every change still
/// to come will be. On PostgreSQL every change of a transaction below
/// `pg_snapshot_xmin` has committed (or rolled back) and every later one
/// will be at or above it; on SQLite writers take turns and ids only grow.
pub fn end(conn: &mut DbConn) -> Result<Position, StoreError> {
    Ok(settled(conn)?.0)
}

/// [`end`], and the transaction id below which changes are settled.
fn settled(conn: &mut DbConn) -> Result<(Position, i64), StoreError> {
    let below = stable_below(conn)?;
    let last = change_events::table
        .filter(change_events::txid.lt(below))
        .order((change_events::txid.desc(), change_events::id.desc()))
        .select((change_events::txid, change_events::id))
        .first::<(i64, i64)>(conn)
        .optional()?
        .map(|(txid, id)| Position { txid, id });
    let end = last.max(horizon(conn)?).unwrap_or(Position::START);
    Ok((end, below))
}

/// Changes of transactions below this id have all committed or rolled back.
fn stable_below(conn: &mut DbConn) -> Result<i64, StoreError> {
    #[derive(QueryableByName)]
    struct Xmin {
        #[diesel(sql_type = BigInt)]
        xmin: i64,
    }
    match conn {
        DbConn::Pg(c) => Ok(diesel::sql_query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
        )
        .get_result::<Xmin>(c)?
        .xmin),
        DbConn::Sqlite(_) => Ok(i64::MAX),
    }
}

/// The organisations of the scope's tree: the organisation and those under it.
fn tree(conn: &mut DbConn, scope: &FeedScope) -> Result<Vec<String>, StoreError> {
    let Some((org, _)) = &scope.org_tree else {
        return Ok(Vec::new());
    };
    Ok(organisations::table
        .filter(
            organisations::id
                .eq(org.as_str())
                .or(organisations::parent_id.eq(org.as_str())),
        )
        .select(organisations::id)
        .load(conn)?)
}

/// The scope as a condition; `None` when the caller reads nothing.
fn in_scope(scope: &FeedScope, tree: &[String]) -> Option<Cond> {
    let mut arms: Vec<Cond> = Vec::new();
    if !scope.everywhere.is_empty() {
        arms.push(Box::new(
            change_events::entity
                .eq_any(scope.everywhere.clone())
                .nullable(),
        ));
    }
    if let Some((_, entities)) = &scope.org_tree {
        if !entities.is_empty() && !tree.is_empty() {
            arms.push(Box::new(
                change_events::entity
                    .eq_any(entities.clone())
                    .nullable()
                    .and(change_events::org_id.eq_any(tree.to_vec())),
            ));
        }
    }
    arms.into_iter().reduce(|a, b| Box::new(a.or(b)))
}

fn of_types(types: &[TypeFilter]) -> Option<Cond> {
    types
        .iter()
        .map(|t| -> Cond {
            let entity = change_events::entity.eq(t.entity);
            match &t.action {
                Some(a) => Box::new(entity.and(change_events::action.eq(a.clone())).nullable()),
                None => Box::new(entity.nullable()),
            }
        })
        .reduce(|a, b| Box::new(a.or(b)))
}

/// A page of the feed: its changes, and the end of the feed it read up to
/// ([`end`], taken first): when the page is not full, the caller has read
/// everything it may up to there.
pub struct Page {
    pub rows: Vec<ChangeRow>,
    pub end: Position,
}

/// Up to `limit` changes after `after` in feed order, of those the caller
/// may read (and of `types`, when given), up to the feed's end as it stood.
pub fn page(
    conn: &mut DbConn,
    scope: &FeedScope,
    types: &[TypeFilter],
    after: Position,
    limit: i64,
) -> Result<Page, StoreError> {
    let (end, below) = settled(conn)?;
    let tree = tree(conn, scope)?;
    let Some(visible) = in_scope(scope, &tree) else {
        return Ok(Page {
            rows: Vec::new(),
            end,
        });
    };
    // After the cursor and up to the end, written so the (txid, id) index
    // seeks to it: a page costs its own rows, not every change before it.
    let after_cursor: Cond = match conn {
        // txid is always 0: the position is the id.
        DbConn::Sqlite(_) => Box::new(
            change_events::txid
                .eq(0)
                .and(change_events::id.gt(after.id))
                .and(change_events::id.le(end.id))
                .nullable(),
        ),
        DbConn::Pg(_) => Box::new(
            change_events::txid
                .ge(after.txid)
                .and(
                    change_events::txid
                        .gt(after.txid)
                        .or(change_events::id.gt(after.id)),
                )
                .nullable(),
        ),
    };
    let mut q = change_events::table
        .inner_join(audit_log::table)
        .filter(change_events::txid.lt(below))
        .filter(after_cursor)
        .into_boxed();
    q = q.filter(visible);
    if let Some(t) = of_types(types) {
        q = q.filter(t);
    }
    let loaded = q
        .order((change_events::txid.asc(), change_events::id.asc()))
        .limit(limit)
        .select((
            change_events::id,
            change_events::txid,
            change_events::at,
            change_events::entity,
            change_events::entity_id,
            change_events::action,
            change_events::audit_id,
            audit_log::actor_role,
        ))
        .load::<Loaded>(conn)
        .map_err(|e| StoreError::from(e).in_row("change_events after", &after.cursor()))?;
    let rows = with_subjects(conn, loaded)?;
    Ok(Page { rows, end })
}

/// The changes with these ids (those still kept), as the feed serves them.
pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<ChangeRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = change_events::table
        .inner_join(audit_log::table)
        .filter(change_events::id.eq_any(ids))
        .select((
            change_events::id,
            change_events::txid,
            change_events::at,
            change_events::entity,
            change_events::entity_id,
            change_events::action,
            change_events::audit_id,
            audit_log::actor_role,
        ))
        .load::<Loaded>(conn)
        .map_err(|e| StoreError::from(e).in_row("change_events", &format!("{ids:?}")))?;
    with_subjects(conn, loaded)
}

/// How far pruning has gone: a cursor before this has lost changes.
pub fn horizon(conn: &mut DbConn) -> Result<Option<Position>, StoreError> {
    Ok(change_feed_horizon::table
        .select((change_feed_horizon::txid, change_feed_horizon::event_id))
        .first::<(i64, i64)>(conn)
        .optional()?
        .map(|(txid, id)| Position { txid, id }))
}

/// Deletes the changes recorded before `cutoff` (the retention window) and
/// moves the horizon to the last of them. Only committed changes are
/// considered, so the horizon is a position every reader has passed or
/// must be told it missed. Returns how many were deleted.
pub fn prune(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    crate::db::write_transaction(conn, |c| {
        let below = stable_below(c)?;
        let last: Option<(i64, i64)> = change_events::table
            .filter(change_events::at.lt(cutoff))
            .filter(change_events::txid.lt(below))
            .order((change_events::txid.desc(), change_events::id.desc()))
            .select((change_events::txid, change_events::id))
            .first(c)
            .optional()?;
        let Some((txid, id)) = last else {
            return Ok(0);
        };
        // Everything up to that position goes, in feed order, so the
        // horizon has no survivors before it.
        let deleted = diesel::delete(
            change_events::table.filter(
                change_events::txid
                    .lt(txid)
                    .or(change_events::txid.eq(txid).and(change_events::id.le(id))),
            ),
        )
        .execute(c)?;
        let row = (
            change_feed_horizon::id.eq(1),
            change_feed_horizon::txid.eq(txid),
            change_feed_horizon::event_id.eq(id),
            change_feed_horizon::pruned_at.eq(now),
        );
        let updated = diesel::update(change_feed_horizon::table)
            .set((
                change_feed_horizon::txid.eq(txid),
                change_feed_horizon::event_id.eq(id),
                change_feed_horizon::pruned_at.eq(now),
            ))
            .execute(c)?;
        if updated == 0 {
            diesel::insert_into(change_feed_horizon::table)
                .values(row)
                .execute(c)?;
        }
        Ok(deleted)
    })
}
