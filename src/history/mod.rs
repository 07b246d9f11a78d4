//! The audit log: every update is written `pending` before it is sent and completed after.
//! SQLite (rusqlite, bundled) in the data directory; numbered migrations; never the key.
//!
//! By seam: `schema.rs` (settings, migrations), `store.rs` (`Store`: opening, transactions,
//! settling dead sessions), `records.rs` (`updates`: pending, completed, read, searched),
//! `batches.rs` (`batches` and how their lines stand), `pinned.rs` (`send --pin`'s record),
//! `journal.rs` (a batch run's journal and
//! its import), `search.rs` (a `Filter` as SQL).

mod batches;
pub mod generate;
pub mod journal;
mod listed;
mod pinned;
pub mod private;
mod records;
mod schema;
mod search;
mod session;
mod store;

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

pub use crate::api::filter::{FAILED, Filter};
pub use crate::api::record::{Batch, Provenance, Record};
pub use session::SessionLock;
pub use store::Store;

use records::COLUMNS;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "history.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("history folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the history database was written by a newer version (schema {found}, this one knows {known}); update phonely-outcomes"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the history database cannot be upgraded: {0}")]
    Schema(String),
}

pub type Result<T> = std::result::Result<T, HistoryError>;

impl HistoryError {
    /// Another connection holds a lock this one could not wait out.
    fn is_busy(&self) -> bool {
        matches!(
            self,
            HistoryError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// The OS user name, for the `operator` column: `$USER` (or `$LOGNAME`, `$USERNAME`), else the
/// name of this process's user id in /etc/passwd.
pub fn operator_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| !u.trim().is_empty())
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(unix)]
fn user_from_passwd() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut parts = line.split(':');
        let name = parts.next()?;
        let id: u32 = parts.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}

#[cfg(not(unix))]
fn user_from_passwd() -> Option<String> {
    None
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::request::{BaseUrl, WireRequest, build};
    use crate::api::update::{OutcomeUpdate, UpdateInput, validate};
    use crate::history::{Record, Store};

    /// Who the test records are from (the journal's and the batch loop's tests use it too).
    pub(crate) fn who() -> Provenance {
        crate::api::factory::provenance()
    }

    pub(crate) fn sample() -> (OutcomeUpdate, WireRequest) {
        let u = validate(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("first"),
            outcome: "Sold",
            value: "299",
            metadata: r#"{"b":1,"a":2}"#,
            ..UpdateInput::default()
        })
        .unwrap();
        let r = build(&u, &BaseUrl::default());
        (u, r)
    }

    pub(crate) fn ids(records: &[Record]) -> Vec<i64> {
        records.iter().map(|r| r.id).collect()
    }

    pub(crate) fn add(
        store: &Store,
        agent: &str,
        target: &str,
        outcome: &str,
        metadata: &str,
    ) -> Record {
        let u = validate(&UpdateInput {
            agent,
            target,
            outcome,
            metadata,
            ..UpdateInput::default()
        })
        .unwrap();
        store
            .insert_pending(&who(), &u, &build(&u, &BaseUrl::default()))
            .unwrap()
    }
}
