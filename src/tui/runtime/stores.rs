//! The history database as the runtime uses it: a writing and a reading connection, each opened
//! on first use (the writer takes this process's session lock and settles crashed sessions'
//! rows), and the duplicate check before a send.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use super::Services;
use crate::history::{Provenance, SessionLock, Store, operator_name};

/// The history database and this process's session lock, taken on first use: after the first
/// frame is on screen, and off the input path. Writes (sends) and reads (the history pane's
/// queries) use two connections, so a long search never holds up a send; WAL lets them run
/// side by side.
#[derive(Default)]
pub(super) struct Stores {
    pub(super) writer: Mutex<Option<Opened>>,
    pub(super) reader: Mutex<Option<Store>>,
    /// Stops a search on the reader connection when a newer filter makes it moot.
    pub(super) reader_interrupt: Mutex<Option<rusqlite::InterruptHandle>>,
    /// The newest filter generation asked for.
    pub(super) latest_generation: AtomicU64,
}

pub(super) type SharedStore = Arc<Stores>;

#[derive(Debug)]
pub(super) struct Opened {
    pub(super) store: Store,
    pub(super) who: Provenance,
    // Held while the process runs, so other processes see its pending rows as live.
    _lock: SessionLock,
}

/// The same request (URL and body) for the same call, sent with ✓ on `profile` since `since`:
/// the duplicate guard's question, for one update or a queue row.
pub(super) fn duplicate_of(
    store: &Store,
    profile: &str,
    ready: &crate::tui::app::Ready,
    since: i64,
) -> crate::history::Result<Option<crate::history::Record>> {
    let (u, r) = (&ready.update, &ready.request);
    store.find_duplicate(
        profile,
        u.agent.as_str(),
        u.target.as_str(),
        &r.url,
        &r.body,
        since,
    )
}

/// Runs `f` on the writing connection, opening it (taking the session lock, settling crashed
/// sessions' rows) on first use.
pub(super) fn with_store<T>(
    stores: &Stores,
    services: &Services,
    f: impl FnOnce(&Store, &Provenance) -> crate::history::Result<T>,
) -> Result<T, String> {
    let mut guard = stores
        .writer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if guard.is_none() {
        *guard = Some(open(services)?);
    }
    match guard.as_ref() {
        Some(o) => f(&o.store, &o.who).map_err(|e| e.to_string()),
        None => Err("the history database is not open".to_string()),
    }
}

/// Runs `f` on the reading connection (opened after the writer, which migrates the schema).
pub(super) fn with_reader<T>(
    stores: &Stores,
    services: &Services,
    f: impl FnOnce(&Store) -> crate::history::Result<T>,
) -> Result<T, String> {
    let mut guard = stores
        .reader
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if guard.is_none() {
        let session = with_store(stores, services, |s, _| Ok(s.session().to_string()))?;
        let reader = Store::open(&services.data_dir, &session).map_err(|e| e.to_string())?;
        *stores
            .reader_interrupt
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reader.interrupt_handle());
        *guard = Some(reader);
    }
    match guard.as_ref() {
        Some(s) => f(s).map_err(|e| e.to_string()),
        None => Err("the history database is not open".to_string()),
    }
}

pub(super) fn open(services: &Services) -> Result<Opened, String> {
    let dir = &services.data_dir;
    let in_dir = |e: &dyn std::fmt::Display| format!("in {}: {e}", dir.display());
    crate::history::private::create_dir(dir).map_err(|e| in_dir(&e))?;
    let lock = SessionLock::acquire(dir).map_err(|e| in_dir(&e))?;
    let store = Store::open(dir, lock.id()).map_err(|e| in_dir(&e))?;
    // Files that others could read were made private: said once, in the log (the screen is
    // the workbench's).
    if let Some(note) = crate::history::private::take_note() {
        tracing::warn!("{note}");
    }
    store.reconcile_orphans(dir).map_err(|e| in_dir(&e))?;
    Ok(Opened {
        store,
        who: Provenance {
            operator: operator_name(),
            profile: services.profile.clone(),
            base_url: services.base_url.clone(),
        },
        _lock: lock,
    })
}
