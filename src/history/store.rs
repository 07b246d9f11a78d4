//! The `Store`: one connection to the history database of a data directory, opened (made
//! private, migrated) for a session; its transactions; settling what dead sessions left.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, params};

use super::schema::prepare;
use super::{DB_FILE, HistoryError, Result, SessionLock, journal, private, session};

/// The history database of one data directory.
#[derive(Debug)]
pub struct Store {
    pub(super) conn: Connection,
    pub(super) session: String,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::State;
    use crate::history::tests::{sample, who};

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
