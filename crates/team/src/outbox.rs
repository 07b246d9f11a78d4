//! Rows waiting for the team log: while PostgreSQL cannot be reached, what would have been
//! written waits here, in a SQLite file of its own in the data folder (`team-outbox.sqlite`,
//! 0600), in the order it happened. [`crate::writer::TeamWriter`] pushes it, oldest first, when
//! the server is back (and `team push` does by hand). An entry leaves the outbox only after the
//! server has it; pushing one twice records nothing twice (the UUID).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::row::TeamRow;

/// The outbox's file name in the data folder.
pub const FILE: &str = "team-outbox.sqlite";

/// What an entry asks of the team log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Add the row (pending, or already final when it was never pushed as pending).
    Insert,
    /// Set the row's result.
    Complete,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Insert => "insert",
            Kind::Complete => "complete",
        }
    }
}

/// One waiting entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub seq: i64,
    pub kind: Kind,
    pub row: TeamRow,
}

pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL CHECK (kind IN ('insert', 'complete')),
    uuid      TEXT NOT NULL,
    row       TEXT NOT NULL,
    queued_ms INTEGER NOT NULL,
    -- Set when the team log refused the entry for good (not a connection problem): it is kept,
    -- never pushed again, and `team status` names it.
    refused   TEXT
) STRICT;
-- This computer's secret salt for the UUIDs of batch rows (never sent): a colleague who sees
-- a batch's first rows in the team log cannot work out the UUIDs of the rest and take them.
CREATE TABLE IF NOT EXISTS secret (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn err(path: &Path) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("the team outbox {} cannot be used: {e}", path.display())
}

impl Outbox {
    /// Opens (or creates) the outbox in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Self, String> {
        Self::open(&data_dir.join(FILE))
    }

    pub fn open(path: &Path) -> Result<Self, String> {
        let conn = Connection::open(path).map_err(err(path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err(path))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err(path))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err(path))?;
        conn.execute_batch(SCHEMA).map_err(err(path))?;
        Ok(Outbox {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This data folder's secret salt for batch rows' UUIDs: 32 random bytes, made on first use
    /// and kept in the outbox file (0600), so every way of logging a row here (the run, a
    /// `--resume`, a push) gives it the same UUID, and nobody else can.
    pub fn row_id_salt(&self) -> Result<[u8; 32], String> {
        let mut fresh = [0u8; 32];
        fresh[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        fresh[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        let e = err(&self.path);
        self.conn
            .execute(
                "INSERT OR IGNORE INTO secret (name, value) VALUES ('row-id-salt', ?1)",
                [fresh.as_slice()],
            )
            .map_err(&e)?;
        let value: Vec<u8> = self
            .conn
            .query_row(
                "SELECT value FROM secret WHERE name = 'row-id-salt'",
                [],
                |r| r.get(0),
            )
            .map_err(&e)?;
        value.try_into().map_err(|_| {
            format!(
                "the team outbox {} holds a damaged salt",
                self.path.display()
            )
        })
    }

    /// Queues an entry behind the ones waiting.
    pub fn add(&self, kind: Kind, row: &TeamRow) -> Result<(), String> {
        self.add_all(kind, std::slice::from_ref(row))
    }

    /// Queues many entries of one kind in one transaction (a batch's rows: one commit, not
    /// one per row).
    pub fn add_all(&self, kind: Kind, rows: &[TeamRow]) -> Result<(), String> {
        let tx = self.conn.unchecked_transaction().map_err(err(&self.path))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO outbox (kind, uuid, row, queued_ms) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(err(&self.path))?;
            let now = now_ms();
            for row in rows {
                let json = serde_json::to_string(row)
                    .map_err(|e| format!("a team log row could not be queued: {e}"))?;
                stmt.execute(params![kind.as_str(), row.uuid.to_string(), json, now])
                    .map_err(err(&self.path))?;
            }
        }
        tx.commit().map_err(err(&self.path))
    }

    /// How many updates have entries waiting to be pushed (refused ones not counted; an
    /// update's pending and completion count once).
    pub fn waiting(&self) -> Result<i64, String> {
        self.conn
            .query_row(
                "SELECT count(DISTINCT uuid) FROM outbox WHERE refused IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(err(&self.path))
    }

    /// How many entries the team log refused for good, and the first reason.
    pub fn refused(&self) -> Result<(i64, Option<String>), String> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM outbox WHERE refused IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .map_err(err(&self.path))?;
        let first: Option<String> = self
            .conn
            .query_row(
                "SELECT refused FROM outbox WHERE refused IS NOT NULL ORDER BY seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err(&self.path))?;
        Ok((n, first))
    }

    /// The oldest waiting entries, in order.
    pub fn oldest(&self, limit: i64) -> Result<Vec<Entry>, String> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, kind, row FROM outbox WHERE refused IS NULL ORDER BY seq LIMIT ?1",
            )
            .map_err(err(&self.path))?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(err(&self.path))?;
        let mut out = Vec::new();
        for r in rows {
            let (seq, kind, json) = r.map_err(err(&self.path))?;
            let row: TeamRow = serde_json::from_str(&json).map_err(|e| {
                format!(
                    "entry {seq} of the team outbox {} cannot be read: {e}",
                    self.path.display()
                )
            })?;
            let kind = if kind == "complete" {
                Kind::Complete
            } else {
                Kind::Insert
            };
            out.push(Entry { seq, kind, row });
        }
        Ok(out)
    }

    /// Removes entries the team log now holds.
    pub fn remove(&self, seqs: &[i64]) -> Result<(), String> {
        let tx = self.conn.unchecked_transaction().map_err(err(&self.path))?;
        for seq in seqs {
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])
                .map_err(err(&self.path))?;
        }
        tx.commit().map_err(err(&self.path))
    }

    /// Keeps an entry the team log refused for good, with the reason, out of further pushes.
    pub fn mark_refused(&self, seq: i64, reason: &str) -> Result<(), String> {
        self.conn
            .execute(
                "UPDATE outbox SET refused = ?2 WHERE seq = ?1",
                params![seq, reason],
            )
            .map_err(err(&self.path))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: i64) -> TeamRow {
        serde_json::from_value(serde_json::json!({
            "uuid": uuid::Uuid::new_v4(), "operator": "Ana", "session": "s", "profile": "p",
            "base_url": "u", "agent": "a", "target": format!("c{n}"), "target_kind": "call",
            "preference": null, "outcome": "Sold", "value": null, "metadata": null,
            "method": "PATCH", "url": "u", "body": "{}", "state": "pending", "created_ms": n,
            "sent_ms": null, "completed_ms": null, "http_status": null, "latency_ms": null,
            "verified": false, "resolved_call_id": null, "message": null, "response_body": null,
            "response_truncated": false, "response_cap": null, "batch_line": null
        }))
        .unwrap()
    }

    #[test]
    fn entries_wait_in_order_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<TeamRow> = (0..5).map(row).collect();
        {
            let outbox = Outbox::open_in(dir.path()).unwrap();
            for r in &rows {
                outbox.add(Kind::Insert, r).unwrap();
            }
            outbox.add(Kind::Complete, &rows[0]).unwrap();
        }
        let outbox = Outbox::open_in(dir.path()).unwrap();
        assert_eq!(outbox.waiting().unwrap(), 5, "updates, not entries");
        let all = outbox.oldest(100).unwrap();
        let targets: Vec<&str> = all.iter().map(|e| e.row.target.as_str()).collect();
        assert_eq!(targets, ["c0", "c1", "c2", "c3", "c4", "c0"]);
        assert_eq!(all[5].kind, Kind::Complete);
        assert_eq!(all[2].row, rows[2]);
        outbox.remove(&[all[0].seq, all[1].seq]).unwrap();
        outbox.mark_refused(all[2].seq, "not yours").unwrap();
        assert_eq!(outbox.waiting().unwrap(), 3, "c3, c4 and c0's completion");
        assert_eq!(
            outbox.refused().unwrap(),
            (1, Some("not yours".to_string()))
        );
        assert_eq!(outbox.oldest(1).unwrap()[0].row.target, "c3");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(outbox.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
