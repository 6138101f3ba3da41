//! The change feed's retention window (INT-2): changes older than it, and
//! finished webhook deliveries, are pruned once an hour by every instance
//! (pruning is idempotent and runs in one write transaction, so instances
//! do not need to take turns); so are the Idempotency-Key records past
//! their lifetime whose answer is stored.

use std::time::Duration;

use actix_web::web;
use chrono::Utc;

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(3600);

/// Prunes changes older than `days` now; returns how many went.
pub async fn prune_changes(state: &AppState, days: u32) -> Result<usize, crate::error::ApiError> {
    let now = Utc::now().naive_utc();
    let cutoff = now - chrono::Duration::days(i64::from(days));
    state
        .db(move |c| {
            cscms_store::webhooks::prune(c, cutoff)?;
            cscms_store::changes::prune(c, cutoff, now)
        })
        .await
}

/// Removes the Idempotency-Key records past their lifetime whose answer
/// is stored; returns how many went.
pub async fn prune_keys(state: &AppState) -> Result<usize, crate::error::ApiError> {
    state.db(cscms_store::idempotency::purge).await
}

/// Starts the hourly pruning on the current actix runtime.
pub fn spawn(state: web::Data<AppState>, days: u32) {
    actix_web::rt::spawn(async move {
        loop {
            match prune_changes(&state, days).await {
                Ok(0) => {}
                Ok(n) => log::info!("change feed: pruned {n} changes older than {days} days"),
                Err(e) => log::warn!("change feed: pruning failed: {e}"),
            }
            match prune_keys(&state).await {
                Ok(0) => {}
                Ok(n) => log::info!("idempotency: removed {n} keys past their lifetime"),
                Err(e) => log::warn!("idempotency: removing old keys failed: {e}"),
            }
            actix_web::rt::time::sleep(EVERY).await;
        }
    });
}
