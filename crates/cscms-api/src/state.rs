//! What every handler can reach: the pool, the token verifier, the limits.

use actix_web::web;
use cscms_store::{DbConn, DbPool, StoreError};

use crate::auth::Verifier;
use crate::error::ApiError;

pub struct AppState {
    pub pool: DbPool,
    pub verifier: Verifier,
    pub max_body_bytes: usize,
}

impl AppState {
    /// Runs store work on the blocking pool (diesel is synchronous).
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?
        .map_err(ApiError::from)
    }
}
