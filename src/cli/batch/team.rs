//! `batch` with the team log on: once the run is over, its journal is imported into the local
//! history (as the next opening would) and the batch's rows go to the team log together, in
//! transactions of up to 500 rows (`TeamSession::log_finished`), not one round trip per row.
//! When the team log cannot be reached the rows wait in the outbox (`team push`, the next send
//! or the workbench pushes them); each has a UUID, so none is ever recorded twice.

use std::path::Path;

use crate::config::Config;
use crate::history::{Filter, SessionLock, Store};
use crate::teamlog::TeamSession;

/// Writes batch `batch_id`'s rows to the team log; the line to print (how it went), if any.
/// Call after the run's session lock is released (its journal can then be imported).
pub async fn log_batch(config: &Config, data_dir: &Path, batch_id: i64) -> Option<String> {
    if !config.team.enabled() {
        return None;
    }
    let records = match finished_rows(data_dir, batch_id) {
        Ok(r) => r,
        Err(e) => {
            return Some(format!(
                "warning: batch #{batch_id}'s rows could not be read back for the team log \
                 ({e}); they are in the local history"
            ));
        }
    };
    let mut team = TeamSession::start(config, data_dir).await?;
    match team.log_finished(&records).await {
        Ok(_) => Some(team.status().unwrap_or_else(|| {
            format!(
                "team log: batch #{batch_id}'s {} rows recorded",
                records.len()
            )
        })),
        Err(e) => Some(format!(
            "warning: batch #{batch_id}'s rows could not be queued for the team log ({e}); they \
             are in the local history"
        )),
    }
}

/// The batch's rows as the history has them, oldest first (its journal imported first).
fn finished_rows(data_dir: &Path, batch_id: i64) -> Result<Vec<crate::history::Record>, String> {
    let lock = SessionLock::acquire(data_dir).map_err(|e| e.to_string())?;
    let store = Store::open(data_dir, lock.id()).map_err(|e| e.to_string())?;
    store
        .reconcile_orphans(data_dir)
        .map_err(|e| e.to_string())?;
    let filter = Filter {
        batch: Some(batch_id),
        ..Filter::default()
    };
    let mut rows = store
        .search(&filter, None, usize::MAX)
        .map_err(|e| e.to_string())?;
    rows.reverse();
    Ok(rows)
}
