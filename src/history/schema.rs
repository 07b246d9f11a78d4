//! The history's schema: the per-connection settings and the numbered, append-only
//! migrations (`MIGRATIONS`), each tested from the schema before it.

use rusqlite::Connection;

use super::{HistoryError, Result};

/// The per-connection settings, then the schema.
pub(super) fn prepare(conn: &mut Connection) -> Result<()> {
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
pub(super) const MIGRATIONS: &[&str] = &[
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
    r"
-- 7: a send by phone from the workbench's calls list: the call the list showed `first`/`last`
-- would hit (listed.rs), so a mismatch with the call Phonely updated stays flagged. Adds only.
ALTER TABLE updates ADD COLUMN listed_call TEXT;
-- `history --call ID` finds updates pinned to the call too (search.rs), pending ones as well.
CREATE INDEX updates_pinned ON updates (pinned_call) WHERE pinned_call IS NOT NULL;
",
];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::State;
    use crate::history::Filter;
    use crate::history::tests::{add, ids, sample, who};
    use crate::history::{DB_FILE, Store};

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
            // Schema 7: the call the workbench's list showed is kept with a send by phone, and
            // a call finds the updates pinned to it.
            assert!(
                old.iter()
                    .all(|r| r.listed_call.is_none() && r.mismatch().is_none())
            );
            let (u, r) = sample();
            let listed = store
                .insert_pending_listed(&who(), &u, &r, "call-listed")
                .unwrap();
            assert_eq!(
                store
                    .get(listed.id)
                    .unwrap()
                    .unwrap()
                    .listed_call
                    .as_deref(),
                Some("call-listed"),
                "schema {version}"
            );
            let pinned = store
                .insert_pending_pinned(&who(), &u, &r, "call-pinned")
                .unwrap();
            let by_call = Filter {
                call: Some("call-pinned".into()),
                ..Filter::default()
            };
            assert_eq!(
                ids(&store.search(&by_call, None, 10).unwrap()),
                [pinned.id],
                "schema {version}"
            );
        }
    }
}
