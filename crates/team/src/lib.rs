//! The team's shared audit log on PostgreSQL (issue 18). The local SQLite history stays the
//! record of everything; this crate adds the shared log beside it:
//!
//! - [`url`]: the connection URL with its password masked, `sslmode`;
//! - [`connect`]: TLS (rustls) and the connection;
//! - [`migrations`]: numbered, append-only migrations, the check at connect, `init_sql`;
//! - [`log`]: [`TeamLog`], idempotent inserts by UUID, completion once by its own operator, reads;
//! - [`search`]: the history's filter as PostgreSQL, pages by cursor;
//! - [`outbox`]: rows waiting (in a SQLite file of their own) while the server is unreachable;
//! - [`writer`]: [`writer::TeamWriter`], the write path (the log, else the outbox; pushes in order);
//! - [`testing`]: a throwaway PostgreSQL cluster for tests.

pub mod connect;
pub mod error;
pub mod log;
pub mod migrations;
pub mod outbox;
pub mod row;
pub mod search;
pub mod testing;
pub mod url;
pub mod writer;

pub use error::TeamError;
pub use log::TeamLog;
pub use row::TeamRow;
pub use url::{SslMode, Target, TeamUrl};
pub use uuid::Uuid;

/// A version 8 UUID from 16 bytes the caller made (a hash), for a UUID that is the same each
/// time it is made from the same thing.
pub fn uuid_from_custom_bytes(bytes: [u8; 16]) -> Uuid {
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}
