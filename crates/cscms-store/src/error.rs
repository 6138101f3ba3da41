use thiserror::Error;

/// What can go wrong below the API. The API maps these to problems; their
/// text goes to the log only, never to a client.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database url: {0}")]
    Url(String),
    #[error("database connection: {0}")]
    Connect(String),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("query: {0}")]
    Query(diesel::result::Error),
    #[error("migration: {0}")]
    Migration(String),
    #[error("stored value out of shape: {0}")]
    Corrupt(String),
    /// A conditional write found the record changed since it was read
    /// (the caller's `If-Match` is stale).
    #[error("stale version")]
    Stale,
    /// A write would break a uniqueness rule (e.g. an id already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A write a rule the store keeps under a lock refuses; `code` is one
    /// of [`refusals::ALL`], the API's problem code for it.
    #[error("refused ({code}): {detail}")]
    Refused { code: &'static str, detail: String },
    /// Another request holds the `Idempotency-Key` this request's write
    /// transaction was to claim (INT-2).
    #[error("idempotency key held by another request")]
    KeyHeld,
    /// No turn to write within the wait: the database is overloaded.
    #[error("database busy: no turn to write")]
    Busy,
}

/// A stored value that its domain type does not read (a column's `FromSql`
/// failed) is `Corrupt`, like any other unreadable stored data: the API
/// answers 500 and logs what it was, never "not found" or a default.
impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::DeserializationError(cause) => {
                StoreError::Corrupt(format!("unreadable stored value: {cause}"))
            }
            other => StoreError::Query(other),
        }
    }
}

impl StoreError {
    /// Names the table and row a `Corrupt` error was read from, for the
    /// log; other errors pass unchanged.
    pub fn in_row(self, table: &str, key: &dyn std::fmt::Display) -> Self {
        match self {
            StoreError::Corrupt(what) => StoreError::Corrupt(format!("{table} {key}: {what}")),
            other => other,
        }
    }

    /// Maps a unique-constraint violation to `Conflict`, keeping other errors.
    pub(crate) fn from_write(e: diesel::result::Error, what: &str) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                StoreError::Conflict(what.to_owned())
            }
            other => StoreError::Query(other),
        }
    }

    /// A write that lost a race the database settled: a unique key taken
    /// meanwhile, or (PostgreSQL) a serialization failure or a deadlock it
    /// broke by ending this transaction. The request may be read again and
    /// retried; it is a conflict, not a fault. Diesel gives no kind for a
    /// deadlock, so it is known by PostgreSQL's message.
    pub fn is_write_race(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            StoreError::Query(Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure,
                _,
            )) => true,
            StoreError::Query(Error::DatabaseError(DatabaseErrorKind::Unknown, info)) => {
                info.message().starts_with("deadlock detected")
            }
            _ => false,
        }
    }

    /// The database is overloaded, not broken: SQLite still busy after
    /// `busy_timeout`, or PostgreSQL out of its shared lock table
    /// (`max_locks_per_transaction` sizes it for all sessions together).
    /// Diesel gives no SQLSTATE for the latter, so it is known by
    /// PostgreSQL's message.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Busy => true,
            StoreError::Query(diesel::result::Error::DatabaseError(_, info)) => {
                let m = info.message();
                m.contains("database is locked")
                    || m.contains("database is busy")
                    || m.contains("out of shared memory")
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn database(message: &str) -> StoreError {
        StoreError::Query(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(message.to_owned()),
        ))
    }

    /// A deadlock PostgreSQL broke is a race lost (409), as a unique key
    /// taken meanwhile is; a broken statement is neither.
    #[test]
    fn a_deadlock_is_a_race_lost() {
        assert!(database("deadlock detected").is_write_race());
        assert!(StoreError::Query(Error::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_owned())
        ))
        .is_write_race());
        assert!(!database("syntax error at or near \"SELEC\"").is_write_race());
        assert!(!database("out of shared memory").is_write_race());
    }

    /// An overloaded database is busy (503), a broken statement is not.
    #[test]
    fn busy_is_the_databases_overload() {
        assert!(StoreError::Busy.is_busy());
        assert!(database("database is locked").is_busy());
        assert!(database("out of shared memory").is_busy());
        assert!(!database("syntax error at or near \"SELEC\"").is_busy());
        assert!(!StoreError::Stale.is_busy());
    }
}

/// The problem codes of [`StoreError::Refused`], named where the rule is.
pub mod refusals {
    /// DEP-1: approved applications fill the advertisement's vacancies.
    pub const VACANCIES_FILLED: &str = "vacancies_filled";
    /// DEP-1: the applicant's approved deputation has not run its tenure.
    pub const ON_DEPUTATION: &str = "on_deputation";
    /// SPO-1: another of the employee's spouse-posting requests is open.
    pub const SPOUSE_POSTING_OPEN: &str = "spouse_posting_open";
    pub const ALL: [&str; 3] = [VACANCIES_FILLED, ON_DEPUTATION, SPOUSE_POSTING_OPEN];
}
