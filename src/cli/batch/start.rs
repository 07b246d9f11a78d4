//! What a run needs before its first row leaves: the history opened for sending, a new batch
//! recorded with its journal started (on a thread of its own, beside the client's start), or,
//! for `--resume`, the batch's own profile and the rows still to send.

use std::path::PathBuf;
use std::process::ExitCode;

use super::super::common::{data_dir, exit, fail, history_for_sending};
use super::plural;
use crate::batch::Row;
use crate::batch::plan::Resume;
use crate::history::journal::Journal;

/// A batch to record before its first row is sent.
pub(super) struct NewBatch {
    pub file: PathBuf,
    pub hash: String,
    pub rows: usize,
    pub who: crate::history::Provenance,
}

/// A new batch, recorded, with the history it was recorded in and its journal started.
pub(super) struct Started {
    pub lock: crate::history::SessionLock,
    pub store: crate::history::Store,
    pub batch_id: i64,
    pub journal: Journal,
}

/// Opens the history for sending, records the new batch and starts its journal: what a new
/// batch needs before a row leaves, done on a thread of its own at start-up.
pub(super) fn start_batch(dir: Option<PathBuf>, new: NewBatch) -> Result<Started, ExitCode> {
    let (lock, store) = history_for_sending(dir.clone())?;
    let absolute = std::fs::canonicalize(&new.file).unwrap_or(new.file);
    let Ok(batch) = store.create_batch(
        &absolute.display().to_string(),
        &new.hash,
        new.rows,
        &new.who,
    ) else {
        return Err(fail(
            exit::INVALID,
            "could not record the batch in the history. Nothing was sent.",
        ));
    };
    let journal = start_journal(dir, batch.id, &lock, &new.who)?;
    Ok(Started {
        lock,
        store,
        batch_id: batch.id,
        journal,
    })
}

/// The journal batch `batch_id`'s rows are recorded in, from here on.
pub(super) fn start_journal(
    dir: Option<PathBuf>,
    batch_id: i64,
    lock: &crate::history::SessionLock,
    who: &crate::history::Provenance,
) -> Result<Journal, ExitCode> {
    let data_dir =
        data_dir(dir).map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent.")))?;
    Journal::create(&data_dir, batch_id, lock.id(), who).map_err(|e| {
        fail(
            exit::INVALID,
            &format!(
                "could not start recording the batch in {} ({e}). Nothing was sent.",
                data_dir.join(crate::history::journal::DIR).display()
            ),
        )
    })
}

/// The profile a resume sends with: the batch's own. The profile's key decides which Phonely
/// account the rows land in, so a resume never falls back to the default profile (a batch
/// tried on the sandbox must not go on in production), and a `--profile` (or `PHONELY_PROFILE`)
/// naming another is refused.
pub(super) fn resume_profile<'b>(
    batch: &'b crate::history::Batch,
    asked: Option<&str>,
) -> Result<&'b str, ExitCode> {
    match asked {
        Some(asked) if asked != batch.profile => Err(fail(
            exit::INVALID,
            &format!(
                "batch #{} was sent with profile {} ({}); a resume sends its other rows to the \
                 same account, not with profile {asked}. Leave out --profile (and \
                 PHONELY_PROFILE), or give --profile {}. Nothing was sent.",
                batch.id, batch.profile, batch.base_url, batch.profile
            ),
        )),
        _ => Ok(&batch.profile),
    }
}

/// The rows a resume sends ([`crate::batch::plan::resume`] says which), once earlier runs'
/// journals are in the history; how the others stand is said on standard error.
pub(super) fn rows_to_resume(
    store: &crate::history::Store,
    data_dir: Option<PathBuf>,
    batch_id: i64,
    rows: Vec<Row>,
    resend_unknown: bool,
) -> Result<Vec<Row>, String> {
    // Earlier runs' journals are imported first, and a crashed run's rows in flight read as
    // unknown, not as pending forever.
    if let Ok(dir) = super::super::common::data_dir(data_dir) {
        store.reconcile_orphans(&dir).map_err(|e| e.to_string())?;
        // A run of this batch that is still going holds rows the history does not have yet:
        // resuming now could send them twice.
        if crate::history::journal::live(&dir)
            .iter()
            .any(|l| l.batch == batch_id)
        {
            return Err(format!(
                "batch #{batch_id} is still being sent by another phonely-outcomes (it has not \
                 ended): let it finish, or stop it with Ctrl+C, then resume. Nothing was sent."
            ));
        }
    }
    let answers = store.batch_answers(batch_id).map_err(|e| e.to_string())?;
    let Resume {
        send,
        done,
        refused,
        unknown,
        superseded,
    } = crate::batch::plan::resume(&answers, rows, resend_unknown);
    eprintln!(
        "Resuming batch #{batch_id}: {done} already updated, {refused} refused (left as they \
         are), {unknown} with outcome unknown{}, {} to send.",
        if resend_unknown {
            ""
        } else {
            " (left alone; --resend-unknown sends them)"
        },
        send.len()
    );
    if !superseded.is_empty() {
        let n = superseded.len();
        let shown: Vec<String> = superseded
            .iter()
            .take(10)
            .map(|(line, later)| format!("line {line} (line {later} went after it)"))
            .collect();
        eprintln!(
            "{n} {} left alone: a later row for the same call went through (or may have) after \
             {}, so sending {} now would put back an older value: {}{}.",
            plural(n, "row", "rows"),
            plural(n, "it", "them"),
            plural(n, "it", "them"),
            shown.join(", "),
            if n > 10 { ", …" } else { "" }
        );
    }
    Ok(send)
}
