//! The audit log: every update is written `pending` before it is sent and completed after.
//! SQLite (rusqlite, bundled) in the data directory; numbered migrations; never the key.

pub mod generate;
pub mod journal;
mod pinned;
pub mod private;
mod search;
mod session;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::api::client::{BODY_CAP, Completion, State, Verdict, classify};
use crate::api::request::WireRequest;
use crate::api::update::{OutcomeUpdate, Preference};

pub use crate::api::filter::{FAILED, Filter};
pub use crate::api::record::{Batch, Provenance, Record};
pub use session::SessionLock;

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

/// The per-connection settings, then the schema.
fn prepare(conn: &mut Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Temporary files in memory. An insert into `updates` touches the table, nine indexes and
    // the full-text index, so each one's statement journal (kept to undo that one statement)
    // outgrew SQLite's 64 KiB in-memory limit and spilled to a file in /var/tmp: importing a
    // 10,000-row batch journal made 217,000 writes there (1.1-1.4 s; 0.6-0.8 s without them).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The last connection to close copies the WAL into the database and removes it (SQLite's
    // default, kept on purpose). Each of our processes is short, and the next one to open the
    // history would otherwise rebuild the WAL's index from the whole file and copy all of it
    // again at its first checkpoint: the WAL grew by every import and every start slowed with
    // it (0.01 s to 0.12 s for a one-row batch after eight 5,000-row batches).
    migrate(conn)
}

/// Numbered migrations; index + 1 is the schema version. Append only: never edit or drop one.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE updates (
    id                 INTEGER PRIMARY KEY,
    session            TEXT NOT NULL,
    operator           TEXT NOT NULL,
    profile            TEXT NOT NULL,
    base_url           TEXT NOT NULL,
    agent              TEXT NOT NULL,
    target             TEXT NOT NULL,
    target_kind        TEXT NOT NULL CHECK (target_kind IN ('call', 'phone')),
    preference         TEXT CHECK (preference IN ('first', 'last')),
    outcome            TEXT,
    value              TEXT,
    metadata           TEXT,
    method             TEXT NOT NULL,
    url                TEXT NOT NULL,
    body               TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN
                         ('pending', 'ok', 'refused', 'network_error', 'cancelled', 'unknown')),
    created_ms         INTEGER NOT NULL,
    completed_ms       INTEGER,
    http_status        INTEGER,
    latency_ms         INTEGER,
    verified           INTEGER NOT NULL DEFAULT 0,
    resolved_call_id   TEXT,
    message            TEXT,
    response_body      TEXT,
    response_truncated INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX updates_agent_target ON updates (agent, target);
CREATE INDEX updates_state ON updates (state) WHERE state IN ('pending', 'unknown');
CREATE INDEX updates_session_pending ON updates (session) WHERE state = 'pending';
",
    r"
-- 2: when the request left, the body cap in force, indexes for every business key, and a
-- trigram full-text index over what people search for. Adds only; drops nothing.
ALTER TABLE updates ADD COLUMN sent_ms INTEGER;
ALTER TABLE updates ADD COLUMN response_cap INTEGER;
CREATE INDEX updates_state_id ON updates (state, id);
CREATE INDEX updates_profile_id ON updates (profile, id);
CREATE INDEX updates_target ON updates (target);
CREATE INDEX updates_call ON updates (resolved_call_id);
CREATE INDEX updates_outcome ON updates (outcome);
CREATE INDEX updates_created ON updates (created_ms);
CREATE VIRTUAL TABLE updates_fts USING fts5(
    agent, target, resolved_call_id, outcome, metadata,
    content = 'updates', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER updates_fts_insert AFTER INSERT ON updates BEGIN
    INSERT INTO updates_fts (rowid, agent, target, resolved_call_id, outcome, metadata)
    VALUES (new.id, new.agent, new.target, new.resolved_call_id, new.outcome, new.metadata);
END;
CREATE TRIGGER updates_fts_update AFTER UPDATE OF resolved_call_id ON updates
WHEN old.resolved_call_id IS NOT new.resolved_call_id BEGIN
    INSERT INTO updates_fts (updates_fts, rowid, agent, target, resolved_call_id, outcome, metadata)
    VALUES ('delete', old.id, old.agent, old.target, old.resolved_call_id, old.outcome, old.metadata);
    INSERT INTO updates_fts (rowid, agent, target, resolved_call_id, outcome, metadata)
    VALUES (new.id, new.agent, new.target, new.resolved_call_id, new.outcome, new.metadata);
END;
INSERT INTO updates_fts (updates_fts) VALUES ('rebuild');
",
    r"
-- 3: batches. Each batch file sent is recorded; its rows are ordinary updates that point back
-- to it with their line in the file. Adds only; drops nothing.
CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    operator    TEXT NOT NULL,
    profile     TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
) STRICT;
ALTER TABLE updates ADD COLUMN batch_id INTEGER REFERENCES batches (id);
ALTER TABLE updates ADD COLUMN batch_line INTEGER;
CREATE INDEX updates_batch ON updates (batch_id, batch_line) WHERE batch_id IS NOT NULL;
",
    r"
-- 4: batch journals (see journal.rs) brought into `updates`, by file name, so none is imported
-- twice. Adds only; drops nothing.
CREATE TABLE journals_imported (
    name        TEXT PRIMARY KEY,
    batch_id    INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    imported_ms INTEGER NOT NULL
) STRICT;
",
    r"
-- 5: a state of its own for an answer that said success but did not confirm every field sent
-- (`unconfirmed`; it was stored as `ok` with `verified` 0). The CHECK on `state` is widened in
-- place first (`widen_state_check`, run just before this step), so the table is not copied:
-- a rebuild took 56 s on a million rows. Drops nothing.
UPDATE updates SET state = 'unconfirmed' WHERE state = 'ok' AND verified = 0;
",
    r"
-- 6: `send --pin`: the call a look-up of the phone picked (pinned.rs). Adds only.
ALTER TABLE updates ADD COLUMN pinned_call TEXT;
",
];

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

/// The history database of one data directory.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    session: String,
}

/// Every column of a record, from `updates` aliased `u`, in `read_row`'s order.
const COLUMNS: &str = "u.id, u.session, u.operator, u.profile, u.base_url, u.agent, u.target, \
    u.target_kind, u.preference, u.outcome, u.value, u.metadata, u.method, u.url, u.body, \
    u.state, u.created_ms, u.completed_ms, u.http_status, u.latency_ms, u.verified, \
    u.resolved_call_id, u.message, u.response_body, u.response_truncated, u.sent_ms, \
    u.response_cap, u.batch_id, u.batch_line, u.pinned_call";

impl Store {
    /// Opens (creating and migrating as needed) the database in `data_dir`, for `session`.
    /// The folder and its files are made private first ([`private`]); the database is created
    /// 0600, and SQLite gives its `-wal` and `-shm` files the database's mode.
    pub fn open(data_dir: &Path, session: &str) -> Result<Self> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| HistoryError::Io { path, source }
        };
        private::create_dir(data_dir).map_err(io(data_dir))?;
        let db = data_dir.join(DB_FILE);
        private::file_options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&db)
            .map_err(io(&db))?;
        for file in [
            db.clone(),
            data_dir.join(format!("{DB_FILE}-wal")),
            data_dir.join(format!("{DB_FILE}-shm")),
        ] {
            private::tighten(&file, private::FILE_MODE).map_err(io(&file))?;
        }
        for folder in [journal::DIR, session::DIR] {
            let folder = data_dir.join(folder);
            private::tighten_tree(&folder).map_err(io(&folder))?;
        }
        let conn = Connection::open(&db)?;
        Self::with_connection(conn, session)
    }

    /// An in-memory store, for tests and benchmarks.
    pub fn open_in_memory(session: &str) -> Result<Self> {
        Self::with_connection(Connection::open_in_memory()?, session)
    }

    fn with_connection(mut conn: Connection, session: &str) -> Result<Self> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Switching a brand-new file to WAL while another process does the same can return
        // "database is locked" at once, without going through the busy timeout (SQLite takes
        // an exclusive lock it cannot wait for). That is a transient state of the file, so the
        // set-up is retried for as long as the busy timeout would have waited.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut pause = Duration::from_millis(5);
        loop {
            match prepare(&mut conn) {
                Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                other => break other?,
            }
        }
        Ok(Self {
            conn,
            session: session.to_string(),
        })
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    /// Stops the statement running on this connection from another thread (a search made
    /// moot by a newer one).
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    /// The newest update with exactly this URL and body that went through (✓) under this
    /// profile since `since_ms`: sending it again would change nothing.
    pub fn find_duplicate(
        &self,
        profile: &str,
        agent: &str,
        target: &str,
        url: &str,
        body: &str,
        since_ms: i64,
    ) -> Result<Option<Record>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM updates u WHERE u.agent = ?1 AND u.target = ?2 \
                     AND u.url = ?3 AND u.body = ?4 AND u.state = 'ok' AND u.verified = 1 \
                     AND u.created_ms >= ?5 AND u.profile = ?6 ORDER BY u.id DESC LIMIT 1"
                ),
                params![agent, target, url, body, since_ms, profile],
                read_row,
            )
            .optional()?)
    }

    /// Records an update as `pending`. Call this before the request leaves.
    pub fn insert_pending(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
    ) -> Result<Record> {
        self.insert_pending_in(who, update, request, None)
    }

    /// Records a batch file about to be sent; its rows then go through `insert_pending_in`.
    pub fn create_batch(
        &self,
        file: &str,
        file_hash: &str,
        rows: usize,
        who: &Provenance,
    ) -> Result<Batch> {
        self.conn.execute(
            "INSERT INTO batches (file, file_hash, rows, operator, profile, base_url, created_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                file,
                file_hash,
                i64::try_from(rows).unwrap_or(i64::MAX),
                who.operator,
                who.profile,
                who.base_url,
                now_ms()
            ],
        )?;
        self.batch(self.conn.last_insert_rowid())?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    pub fn batch(&self, id: i64) -> Result<Option<Batch>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, file, file_hash, rows, operator, profile, base_url, created_ms \
                 FROM batches WHERE id = ?1",
                [id],
                read_batch,
            )
            .optional()?)
    }

    /// Every batch, newest first.
    pub fn batches(&self) -> Result<Vec<Batch>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file, file_hash, rows, operator, profile, base_url, created_ms \
             FROM batches ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], read_batch)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For each line of a batch, the state of its newest record.
    pub fn batch_states(&self, batch_id: i64) -> Result<std::collections::HashMap<usize, State>> {
        Ok(self
            .batch_answers(batch_id)?
            .into_iter()
            .map(|(line, (state, _))| (line, state))
            .collect())
    }

    /// For each line of a batch, the state of its newest record and the HTTP status it got.
    pub fn batch_answers(
        &self,
        batch_id: i64,
    ) -> Result<std::collections::HashMap<usize, (State, Option<u16>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT batch_line, state, http_status FROM updates WHERE id IN \
             (SELECT max(id) FROM updates WHERE batch_id = ?1 GROUP BY batch_line)",
        )?;
        let rows = stmt.query_map([batch_id], |r| {
            let line: i64 = r.get(0)?;
            let state: String = r.get(1)?;
            let status: Option<u16> = r.get(2)?;
            Ok((
                usize::try_from(line).unwrap_or(0),
                (State::parse(&state).unwrap_or(State::Unknown), status),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `insert_pending`, for a row of a batch (`(batch id, line)`).
    pub fn insert_pending_in(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        batch: Option<(i64, usize)>,
    ) -> Result<Record> {
        let id = self.insert_pending_id(who, update, request, batch)?;
        self.get(id)?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Writes a `pending` record and returns its id, without reading it back (the batch writer
    /// calls this for each row of a group, inside one transaction).
    pub fn insert_pending_id(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        batch: Option<(i64, usize)>,
    ) -> Result<i64> {
        let metadata = update.metadata_text();
        self.conn
            .prepare_cached(
                "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
                 target_kind, preference, outcome, value, metadata, method, url, body, state, \
                 created_ms, batch_id, batch_line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                 ?10, ?11, ?12, ?13, ?14, 'pending', ?15, ?16, ?17)",
            )?
            .execute(params![
                self.session,
                who.operator,
                who.profile,
                who.base_url,
                update.agent.as_str(),
                update.target.as_str(),
                update.target.kind(),
                update.target.preference().map(Preference::as_str),
                update.outcome,
                update.value.as_ref().map(ToString::to_string),
                metadata,
                request.method,
                request.url,
                request.body,
                now_ms(),
                batch.map(|(id, _)| id),
                batch.map(|(_, line)| i64::try_from(line).unwrap_or(i64::MAX)),
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Completes a pending record with how its request ended. Returns the updated record.
    pub fn complete(&self, id: i64, completion: &Completion, latency: Duration) -> Result<Record> {
        let record = self
            .get(id)?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))?;
        self.complete_id(id, &record.fields(), completion, latency)?;
        self.get(id)?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Completes record `id`, which sent `sent_fields`, without reading it first or after; returns
    /// the verdict stored (the same `classify` gives). A missing id is an error.
    pub fn complete_id(
        &self,
        id: i64,
        sent_fields: &[&str],
        completion: &Completion,
        latency: Duration,
    ) -> Result<Verdict> {
        let verdict: Verdict = classify(sent_fields, completion);
        let (body, truncated, cap) = match completion {
            Completion::Answered(r) => (
                Some(r.body.as_str()),
                r.truncated,
                i64::try_from(BODY_CAP).ok(),
            ),
            _ => (None, false, None),
        };
        let now = now_ms();
        let latency_ms = i64::try_from(latency.as_millis()).unwrap_or(i64::MAX);
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE updates SET state = ?2, completed_ms = ?3, http_status = ?4, \
                 latency_ms = ?5, verified = ?6, resolved_call_id = ?7, message = ?8, \
                 response_body = ?9, response_truncated = ?10, sent_ms = ?11, response_cap = ?12 \
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                verdict.state.as_str(),
                now,
                verdict.http_status,
                latency_ms,
                verdict.verified,
                verdict.call_id,
                verdict.message,
                body,
                truncated,
                now.saturating_sub(latency_ms),
                cap,
            ])?;
        if changed == 0 {
            return Err(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows));
        }
        Ok(verdict)
    }

    /// Runs `write` inside one write transaction (taken at once, so it never has to be upgraded
    /// later), committed when it returns `Ok` and rolled back otherwise. Once this returns `Ok`,
    /// what `write` did is in the database file: a crash of this process after it cannot undo it.
    pub fn in_transaction<T>(&self, write: impl FnOnce(&Self) -> Result<T>) -> Result<T> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let out = write(self)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn get(&self, id: i64) -> Result<Option<Record>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM updates u WHERE u.id = ?1"),
                [id],
                read_row,
            )
            .optional()?)
    }

    /// Outcome labels sent before, with how often, most used first (the pick-list's second
    /// half). Reads the outcome index only.
    pub fn outcome_labels(&self, limit: usize) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT outcome, COUNT(*) AS n FROM updates WHERE outcome IS NOT NULL \
             GROUP BY outcome ORDER BY n DESC, outcome LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Newest first: up to `limit` records older than `before_id` (or the newest, if `None`).
    pub fn page(&self, before_id: Option<i64>, limit: usize) -> Result<Vec<Record>> {
        self.search(&Filter::default(), before_id, limit)
    }

    /// Newest first: up to `limit` records matching `filter`, older than `before_id`.
    pub fn search(
        &self,
        filter: &Filter,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(limit.min(1000));
        self.for_each_matching(filter, before_id, Some(limit), |r| {
            out.push(r.clone());
            Ok(())
        })?;
        Ok(out)
    }

    /// Visits matching records newest first without holding them all in memory; stops quietly
    /// when the output is closed (`BrokenPipe`).
    pub fn for_each_matching(
        &self,
        filter: &Filter,
        before_id: Option<i64>,
        limit: Option<usize>,
        mut visit: impl FnMut(&Record) -> std::io::Result<()>,
    ) -> Result<()> {
        let q = search::to_sql(filter, before_id);
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let mut stmt = self.conn.prepare_cached(&q.sql(limit))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(q.params.iter()))?;
        while let Some(row) = rows.next()? {
            let record = read_row(row)?;
            if let Err(e) = visit(&record) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(());
                }
                return Err(HistoryError::Io {
                    path: PathBuf::from("<output>"),
                    source: e,
                });
            }
        }
        Ok(())
    }

    /// Brings in what sessions that are no longer running left behind: their batch journals
    /// are imported (see [`journal`]), and their `pending` records become `unknown`, so a crash
    /// shows as "outcome unknown" instead of a request that looks in flight forever. A session
    /// is running while it holds its lock file in `data_dir`. Returns how many records were
    /// settled as unknown.
    pub fn reconcile_orphans(&self, data_dir: &Path) -> Result<usize> {
        let imported = self.import_journals(data_dir)?;
        let mut changed: usize = imported.iter().map(|i| i.unknown).sum();
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT session FROM updates WHERE state = 'pending' AND session != ?1",
        )?;
        let sessions: Vec<String> = stmt
            .query_map([&self.session], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for other in sessions {
            if SessionLock::is_alive(data_dir, &other) {
                continue;
            }
            changed += self.conn.execute(
                "UPDATE updates SET state = 'unknown', message = ?2 \
                 WHERE session = ?1 AND state = 'pending'",
                params![other, journal::DIED],
            )?;
            SessionLock::remove_stale(data_dir, &other);
        }
        Ok(changed)
    }
}

/// Brings the schema up to date. The version is read and the migrations applied inside one
/// write-locked transaction, so two processes opening a new database at the same moment do not
/// both try to create it: the second waits (busy timeout), then finds nothing to do.
fn migrate(conn: &mut Connection) -> Result<()> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    // A cheap look first: an up-to-date database needs no write lock at all.
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > known {
        return Err(HistoryError::TooNew {
            found: version,
            known,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        if index + 1 == UNCONFIRMED_STEP {
            widen_state_check(&tx)?;
        }
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

/// The migration that gave `unconfirmed` a state of its own.
const UNCONFIRMED_STEP: usize = 5;

/// Lets `updates.state` hold `unconfirmed` without copying the table. SQLite cannot alter a
/// CHECK, and its documented way (a new table, copy, drop, rename) rewrites every row and index:
/// 56 s for a million rows, at the first start after an upgrade. A CHECK that allows one more
/// value cannot make a stored row invalid, so the table's own text is edited instead, as
/// SQLite's ALTER TABLE page describes for such changes (`writable_schema`, then a new
/// `schema_version` so the schema is read again). The text is the one schema 1 wrote; anything
/// else is refused rather than guessed at.
fn widen_state_check(conn: &Connection) -> Result<()> {
    const OLD: &str = "'ok', 'refused'";
    const NEW: &str = "'ok', 'unconfirmed', 'refused'";
    let sql: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'updates'",
        [],
        |r| r.get(0),
    )?;
    if sql.contains("'unconfirmed'") {
        return Ok(());
    }
    if sql.matches(OLD).count() != 1 {
        return Err(HistoryError::Schema(
            "the updates table is not the one this version knows how to upgrade".into(),
        ));
    }
    let schema_version: i64 = conn.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    conn.pragma_update(None, "writable_schema", true)?;
    conn.execute(
        "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = 'updates'",
        [sql.replacen(OLD, NEW, 1)],
    )?;
    conn.pragma_update(None, "schema_version", schema_version + 1)?;
    conn.pragma_update(None, "writable_schema", false)?;
    Ok(())
}

fn read_batch(r: &Row<'_>) -> rusqlite::Result<Batch> {
    Ok(Batch {
        id: r.get(0)?,
        file: r.get(1)?,
        file_hash: r.get(2)?,
        rows: r.get(3)?,
        operator: r.get(4)?,
        profile: r.get(5)?,
        base_url: r.get(6)?,
        created_ms: r.get(7)?,
    })
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    let state: String = row.get(15)?;
    Ok(Record {
        id: row.get(0)?,
        session: row.get(1)?,
        operator: row.get(2)?,
        profile: row.get(3)?,
        base_url: row.get(4)?,
        agent: row.get(5)?,
        target: row.get(6)?,
        target_kind: row.get(7)?,
        preference: row.get(8)?,
        outcome: row.get(9)?,
        value: row.get(10)?,
        metadata: row.get(11)?,
        method: row.get(12)?,
        url: row.get(13)?,
        body: row.get(14)?,
        state: State::parse(&state).unwrap_or(State::Unknown),
        created_ms: row.get(16)?,
        completed_ms: row.get(17)?,
        http_status: row.get(18)?,
        latency_ms: row.get(19)?,
        verified: row.get(20)?,
        resolved_call_id: row.get(21)?,
        message: row.get(22)?,
        response_body: row.get(23)?,
        response_truncated: row.get(24)?,
        sent_ms: row.get(25)?,
        response_cap: row.get(26)?,
        batch_id: row.get(27)?,
        batch_line: row.get(28)?,
        pinned_call: row.get(29)?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::client::HttpResponse;
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};

    /// Who the test records are from (the journal's and the batch loop's tests use it too).
    pub(crate) fn who() -> Provenance {
        Provenance {
            operator: "tester".into(),
            profile: "sandbox".into(),
            base_url: "http://127.0.0.1:1".into(),
        }
    }

    fn sample() -> (OutcomeUpdate, WireRequest) {
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

    #[test]
    fn pending_then_completed() {
        let store = Store::open_in_memory("s1").unwrap();
        let (u, r) = sample();
        let rec = store.insert_pending(&who(), &u, &r).unwrap();
        assert_eq!(rec.state, State::Pending);
        assert_eq!(rec.target_kind, "phone");
        assert_eq!(rec.preference.as_deref(), Some("first"));
        assert_eq!(rec.value.as_deref(), Some("299"));
        assert_eq!(rec.metadata.as_deref(), Some(r#"{"b":1,"a":2}"#));
        let done = store
            .complete(
                rec.id,
                &Completion::Answered(HttpResponse {
                    status: 200,
                    body: r#"{"success":true,"call_id":"c1","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
                    truncated: false,
                    retry_after: None,
                }),
                Duration::from_millis(42),
            )
            .unwrap();
        assert_eq!(done.state, State::Ok);
        assert!(done.verified);
        assert_eq!(done.http_status, Some(200));
        assert_eq!(done.latency_ms, Some(42));
        assert_eq!(done.resolved_call_id.as_deref(), Some("c1"));
    }

    /// `api::factory` builds, without SQLite, the very records the store writes: pending, then
    /// completed each way a request can end, for a phone with a preference and for a call id.
    #[test]
    fn the_factory_builds_the_records_the_store_writes() {
        let call = validate(&UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "No answer",
            ..UpdateInput::default()
        })
        .unwrap();
        let call_request = build(&call, &BaseUrl::default());
        let (phone, phone_request) = sample();
        let endings = [
            Completion::Answered(HttpResponse {
                status: 200,
                body: r#"{"success":true,"call_id":"c1","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
                truncated: false,
                retry_after: None,
            }),
            Completion::Answered(HttpResponse {
                status: 429,
                body: r#"{"message":"slow down"}"#.into(),
                truncated: true,
                retry_after: Some("7".into()),
            }),
            Completion::NotSent("connection refused".into()),
            Completion::NoAnswer("timed out".into()),
            Completion::Cancelled,
        ];
        let store = Store::open_in_memory("s1").unwrap();
        for (update, request) in [(&phone, &phone_request), (&call, &call_request)] {
            for ending in &endings {
                let stored = store.insert_pending(&who(), update, request).unwrap();
                let built = crate::api::factory::pending(
                    stored.id,
                    "s1",
                    &who(),
                    update,
                    request,
                    stored.created_ms,
                );
                assert_eq!(built, stored);
                let done = store
                    .complete(stored.id, ending, Duration::from_millis(42))
                    .unwrap();
                let built = crate::api::factory::completed(
                    built,
                    ending,
                    Duration::from_millis(42),
                    done.completed_ms.unwrap(),
                );
                assert_eq!(built, done, "{ending:?}");
            }
        }
    }

    #[test]
    fn pages_newest_first() {
        let store = Store::open_in_memory("s1").unwrap();
        let (u, r) = sample();
        let ids: Vec<i64> = (0..5)
            .map(|_| store.insert_pending(&who(), &u, &r).unwrap().id)
            .collect();
        let first = store.page(None, 2).unwrap();
        assert_eq!(
            first.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[4], ids[3]]
        );
        let next = store.page(Some(ids[3]), 10).unwrap();
        assert_eq!(
            next.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[2], ids[1], ids[0]]
        );
    }

    /// Every process opens the history, writes and closes. Closing must fold the WAL back into
    /// the database, or the WAL grows with every run and every next opening reads all of it.
    #[test]
    fn closing_the_history_folds_its_wal_back_so_it_never_grows() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join(format!("{DB_FILE}-wal"));
        let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let (u, r) = sample();
        for run in 1..=3 {
            let store = Store::open(dir.path(), &format!("s{run}")).unwrap();
            for _ in 0..500 {
                store.insert_pending(&who(), &u, &r).unwrap();
            }
            assert!(wal_len() > 0, "run {run}: the writes went to the WAL");
            drop(store);
            assert_eq!(
                wal_len(),
                0,
                "run {run}: the WAL is left behind after closing"
            );
        }
        let store = Store::open(dir.path(), "s4").unwrap();
        assert_eq!(store.page(None, 2000).unwrap().len(), 1500);
    }

    /// An insert's statement journal must not spill to a file: importing a batch's journal
    /// made one write there per page touched (217,000 for 10,000 rows), and doubled its time.
    #[test]
    fn temporary_files_are_kept_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "s1").unwrap();
        let temp_store: i64 = store
            .conn
            .pragma_query_value(None, "temp_store", |r| r.get(0))
            .unwrap();
        assert_eq!(temp_store, 2, "2 is MEMORY (0 is the default: files)");
    }

    #[test]
    fn reopening_keeps_history_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let (u, r) = sample();
        let id = {
            let store = Store::open(dir.path(), "s1").unwrap();
            store.insert_pending(&who(), &u, &r).unwrap().id
        };
        let store = Store::open(dir.path(), "s2").unwrap();
        assert_eq!(store.get(id).unwrap().unwrap().agent, "agent123");
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).unwrap());
    }

    #[test]
    fn processes_opening_a_new_database_together_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let openers: Vec<_> = (0..6)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path, &format!("s{i}")).map(|_| ()))
            })
            .collect();
        for o in openers {
            o.join().unwrap().unwrap();
        }
        let store = Store::open(dir.path(), "last").unwrap();
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).unwrap());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(dir.path(), "s").unwrap_err();
        assert!(err.to_string().contains("newer version"), "{err}");
    }

    fn add(store: &Store, agent: &str, target: &str, outcome: &str, metadata: &str) -> Record {
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

    fn ids(records: &[Record]) -> Vec<i64> {
        records.iter().map(|r| r.id).collect()
    }

    #[test]
    fn search_by_words_states_and_keys() {
        let store = Store::open_in_memory("s").unwrap();
        let a = add(
            &store,
            "agent123",
            "call456",
            "Sold",
            r#"{"notes":"very interested"}"#,
        );
        let b = add(&store, "agent123", "+14155551234", "No Sale", "");
        let c = add(&store, "agent-west", "call789", "Sold", "");
        let search = |q: &str| {
            ids(&store
                .search(&Filter::parse_query(q).unwrap(), None, 10)
                .unwrap())
        };
        assert_eq!(search("interested"), [a.id], "metadata is searched");
        assert_eq!(search("INTERESTED"), [a.id], "case does not matter");
        assert_eq!(search("sold"), [c.id, a.id], "newest first");
        assert_eq!(search("sold west"), [c.id], "every word must match");
        assert_eq!(search("55512"), [b.id], "substrings of a phone number");
        assert_eq!(search("we"), [c.id], "short words work too");
        assert_eq!(search("state:pending"), [c.id, b.id, a.id]);
        assert!(search("state:ok").is_empty());
        assert!(search("zzz").is_empty());
        // Paging continues below the last id seen.
        let f = Filter::parse_query("sold").unwrap();
        assert_eq!(ids(&store.search(&f, Some(c.id), 10).unwrap()), [a.id]);
        // Exact keys, for the command line.
        let f = Filter {
            agent: Some("agent123".into()),
            outcome: Some("Sold".into()),
            ..Filter::default()
        };
        assert_eq!(ids(&store.search(&f, None, 10).unwrap()), [a.id]);
        let f = Filter {
            call: Some("call456".into()),
            ..Filter::default()
        };
        assert_eq!(ids(&store.search(&f, None, 10).unwrap()), [a.id]);
    }

    #[test]
    fn the_resolved_call_id_is_searchable_once_known() {
        let store = Store::open_in_memory("s").unwrap();
        let r = add(&store, "agent123", "+14155551234", "Sold", "");
        let f = Filter::parse_query("call-last-415").unwrap();
        assert!(store.search(&f, None, 10).unwrap().is_empty());
        store
            .complete(
                r.id,
                &Completion::Answered(HttpResponse {
                    status: 200,
                    body: r#"{"success":true,"call_id":"call-last-415","updated_fields":["custom_call_outcome"]}"#.into(),
                    truncated: false,
                    retry_after: None,
                }),
                Duration::from_millis(5),
            )
            .unwrap();
        assert_eq!(ids(&store.search(&f, None, 10).unwrap()), [r.id]);
        let by_call = Filter {
            call: Some("call-last-415".into()),
            ..Filter::default()
        };
        assert_eq!(ids(&store.search(&by_call, None, 10).unwrap()), [r.id]);
        let done = store.get(r.id).unwrap().unwrap();
        assert_eq!(done.response_cap, Some(i64::try_from(BODY_CAP).unwrap()));
        assert!(done.sent_ms.unwrap() <= done.completed_ms.unwrap());
    }

    #[test]
    fn a_database_of_every_earlier_schema_is_migrated_and_read_back() {
        for version in 1..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            {
                // The schema exactly as that release wrote it, with one row.
                let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
                for (index, sql) in MIGRATIONS[..version].iter().enumerate() {
                    if index + 1 == UNCONFIRMED_STEP {
                        widen_state_check(&conn).unwrap();
                    }
                    conn.execute_batch(sql).unwrap();
                }
                conn.pragma_update(None, "user_version", i64::try_from(version).unwrap())
                    .unwrap();
                conn.execute(
                    "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
                     target_kind, outcome, method, url, body, state, created_ms, http_status, \
                     verified, resolved_call_id) VALUES ('old', 'sam', 'default', \
                     'https://app.phonely.ai', 'agent123', 'call456', 'call', 'Sold', 'PATCH', \
                     'https://app.phonely.ai/api/calls/agent123/call456', \
                     '{\"custom_call_outcome\":\"Sold\"}', 'ok', 1700000000000, 200, 1, 'call456')",
                    [],
                )
                .unwrap();
                // An answer that said success without confirming the value: stored as `ok`
                // with `verified` 0 before schema 5, as `unconfirmed` from then on.
                let state = if version >= UNCONFIRMED_STEP {
                    "unconfirmed"
                } else {
                    "ok"
                };
                conn.execute(
                    "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
                     target_kind, outcome, value, method, url, body, state, created_ms, \
                     http_status, verified, message) VALUES ('old', 'sam', 'default', \
                     'https://app.phonely.ai', 'agent123', 'call789', 'call', 'Sold', '5', \
                     'PATCH', 'https://app.phonely.ai/api/calls/agent123/call789', '{}', ?1, \
                     1700000000001, 200, 0, 'The server said success but did not confirm \
                     custom_call_outcome_value')",
                    [state],
                )
                .unwrap();
            }
            let root_page = || -> i64 {
                Connection::open(dir.path().join(DB_FILE))
                    .unwrap()
                    .query_row(
                        "SELECT rootpage FROM sqlite_schema WHERE name = 'updates'",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap()
            };
            let before = root_page();
            let store = Store::open(dir.path(), "new").unwrap();
            assert_eq!(
                root_page(),
                before,
                "schema {version}: the table is upgraded in place, not copied"
            );
            let old = store.page(None, 10).unwrap();
            assert_eq!(old.len(), 2, "schema {version}: no migration drops history");
            let (unconfirmed, ok) = (&old[0], &old[1]);
            assert_eq!(ok.outcome.as_deref(), Some("Sold"));
            assert_eq!(ok.sent_ms, None);
            assert_eq!(ok.state, State::Ok, "schema {version}");
            assert!(ok.verified);
            assert_eq!(
                unconfirmed.state,
                State::Unconfirmed,
                "schema {version}: an unconfirmed answer gets its own state"
            );
            assert_eq!(unconfirmed.value.as_deref(), Some("5"));
            let found = store
                .search(&Filter::parse_query("call456").unwrap(), None, 10)
                .unwrap();
            assert_eq!(
                ids(&found),
                [ok.id],
                "schema {version}: old rows are in the search index"
            );
            let failed = store
                .search(&Filter::parse_query("state:failed").unwrap(), None, 10)
                .unwrap();
            assert_eq!(ids(&failed), [unconfirmed.id], "schema {version}");
            // The rebuilt table still feeds the full-text index.
            let new = add(&store, "agent123", "call999", "Sold", "");
            let found = store
                .search(&Filter::parse_query("call999").unwrap(), None, 10)
                .unwrap();
            assert_eq!(ids(&found), [new.id], "schema {version}");
            assert!(store.batches().unwrap().is_empty());
        }
    }

    #[test]
    fn batch_rows_point_back_to_their_batch() {
        let store = Store::open_in_memory("s").unwrap();
        let (u, r) = sample();
        let batch = store.create_batch("fixes.csv", "abc", 2, &who()).unwrap();
        let first = store
            .insert_pending_in(&who(), &u, &r, Some((batch.id, 2)))
            .unwrap();
        store
            .insert_pending_in(&who(), &u, &r, Some((batch.id, 3)))
            .unwrap();
        store
            .complete(first.id, &Completion::NotSent("x".into()), Duration::ZERO)
            .unwrap();
        // A resend of line 2 supersedes the first try.
        let again = store
            .insert_pending_in(&who(), &u, &r, Some((batch.id, 2)))
            .unwrap();
        store
            .complete(
                again.id,
                &Completion::Answered(HttpResponse {
                    status: 200,
                    body: r#"{"success":true,"updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
                    truncated: false,
                    retry_after: None,
                }),
                Duration::ZERO,
            )
            .unwrap();
        let states = store.batch_states(batch.id).unwrap();
        assert_eq!(states[&2], State::Ok);
        assert_eq!(states[&3], State::Pending);
        assert_eq!(store.batches().unwrap()[0].file, "fixes.csv");
    }

    #[test]
    fn orphans_of_dead_sessions_become_unknown_but_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let (u, r) = sample();
        let live = SessionLock::acquire(dir.path()).unwrap();
        let dead_id = Store::open(dir.path(), "dead-session")
            .unwrap()
            .insert_pending(&who(), &u, &r)
            .unwrap()
            .id;
        let live_id = Store::open(dir.path(), live.id())
            .unwrap()
            .insert_pending(&who(), &u, &r)
            .unwrap()
            .id;
        let me = Store::open(dir.path(), "me").unwrap();
        assert_eq!(me.reconcile_orphans(dir.path()).unwrap(), 1);
        assert_eq!(me.get(dead_id).unwrap().unwrap().state, State::Unknown);
        assert_eq!(me.get(live_id).unwrap().unwrap().state, State::Pending);
        drop(live);
        assert_eq!(me.reconcile_orphans(dir.path()).unwrap(), 1);
        assert_eq!(me.get(live_id).unwrap().unwrap().state, State::Unknown);
    }
}
