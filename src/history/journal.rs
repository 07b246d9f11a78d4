//! The batch journal: how a `batch` run records its rows while it sends them.
//!
//! Writing each row into `updates` as it goes costs far more than sending it on loopback: the
//! table's indexes and its trigram full-text index make an insert plus an update about 150–300
//! µs a row, against about 40 µs for the request itself. So a run appends its rows to a journal
//! file of its own instead, one JSON line per event, and the journal is brought into `updates`
//! (one insert per row, in one transaction) by the next process that opens the history once
//! the run is over: the workbench, `history`, `send`, `batch`, `batch --list` or `--resume`.
//!
//! The audit rule is the same as for the database. A row's `pending` line is written (the
//! `write` call has returned) before its request leaves; how it ended is appended after. A
//! finished `write` survives the process being killed, as a commit does with SQLite's WAL at
//! `synchronous=NORMAL`, which is what the history uses. A row whose ending was not written when
//! the process died is imported as "outcome unknown", as a `pending` row of a dead session is.
//!
//! A journal is named `<created ms>-b<batch>-<session>.jsonl` in `journals/` under the data
//! directory, so that sorting the names sorts the runs. The first line says whose it is; it is
//! imported only once that session's lock is free (the run has ended, one way or another).
//! Importing records the file's name in `journals_imported` in the same transaction as its
//! rows, so a crash between the commit and the file's removal cannot import it twice.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Provenance, now_ms};
use crate::api::client::Completion;
use crate::api::request::WireRequest;
use crate::api::update::{OutcomeUpdate, Preference};

mod import;
mod line;

pub use import::{Header, Imported, Live, Read, line_row, live, read, row_of};
use line::Line;

/// The folder, under the data directory.
pub const DIR: &str = "journals";

/// The message an imported row gets when its run died before its ending was written.
pub(super) const DIED: &str = "The program stopped while this was in flight: it may or may not have been \
                    applied; check before resending";

/// A run's journal, open for appending. Lines are gathered in memory and written by
/// [`Journal::write`]; endings wait for the next write (or [`Journal::finish`]).
pub struct Journal {
    file: std::fs::File,
    path: PathBuf,
    buf: Vec<u8>,
    /// The rows whose endings are in `buf`, not yet written.
    unwritten_endings: Vec<usize>,
    failed: bool,
    /// Where each write's lines go once written (the team log's thread), if anywhere.
    tap: Option<std::sync::mpsc::Sender<Vec<u8>>>,
}

impl Journal {
    /// Creates the journal of batch `batch` for this session and writes its first line.
    pub fn create(
        data_dir: &Path,
        batch: i64,
        session: &str,
        who: &Provenance,
    ) -> std::io::Result<Self> {
        let dir = data_dir.join(DIR);
        super::private::create_dir(&dir)?;
        let path = dir.join(format!("{:013}-b{batch}-{session}.jsonl", now_ms()));
        let file = super::private::file_options()
            .create_new(true)
            .append(true)
            .open(&path)?;
        let mut journal = Self {
            file,
            path,
            buf: Vec::with_capacity(64 * 1024),
            unwritten_endings: Vec::new(),
            failed: false,
            tap: None,
        };
        // The header (read back as `Header`).
        let mut w = Line::open(&mut journal.buf, "journal", 1);
        w.int("batch", batch);
        w.str("session", session);
        w.str("operator", &who.operator);
        w.str("profile", &who.profile);
        w.str("base_url", &who.base_url);
        w.close();
        journal.write().map_err(|(e, _)| e)?;
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// From now on, every write's lines, once in the file, are also sent to `to` (whole lines;
    /// the lines already written, the first one at least, are sent now). Whoever reads them
    /// sees exactly what the file has, in order, so what it makes of them
    /// ([`row_of`](super::journal::row_of)) is what the import will.
    pub fn tap(&mut self, to: std::sync::mpsc::Sender<Vec<u8>>) -> std::io::Result<()> {
        let written = std::fs::read(&self.path)?;
        let _ = to.send(written);
        self.tap = Some(to);
        Ok(())
    }

    /// Gathers row `seq` (line `line` of the file) as about to be sent. It is recorded once
    /// [`Journal::write`] returns `Ok`; only then may it be sent.
    pub fn pending(
        &mut self,
        seq: usize,
        line: usize,
        update: &OutcomeUpdate,
        request: &WireRequest,
        pinned: Option<&str>,
    ) {
        let metadata = update.metadata_text();
        let b = &mut self.buf;
        let mut w = Line::open(b, "p", seq);
        w.int("line", line);
        w.str("agent", update.agent.as_str());
        w.str("target", update.target.as_str());
        w.str("kind", update.target.kind());
        w.opt_str("pref", update.target.preference().map(Preference::as_str));
        w.opt_str("outcome", update.outcome.as_deref());
        w.opt_number_text("value", update.value.as_ref());
        w.opt_str("metadata", metadata.as_deref());
        // A row pinned to a call (`pin`): the target above is the phone typed, the request
        // goes to this call.
        w.opt_str("pinned", pinned);
        w.str("method", request.method);
        w.str("url", &request.url);
        // `build` wrote it with serde_json.
        w.text("body", &request.body, true);
        w.int("at", now_ms());
        w.close();
    }

    /// Gathers how row `seq` ended; it is written with the next [`Journal::write`].
    /// `body_is_json`: the answer's body was read as JSON (any answer `classify` calls `Ok`).
    pub fn ended(
        &mut self,
        seq: usize,
        completion: &Completion,
        latency: Duration,
        body_is_json: bool,
    ) {
        let mut w = Line::open(&mut self.buf, "c", seq);
        w.int("ms", i64::try_from(latency.as_millis()).unwrap_or(i64::MAX));
        w.int("at", now_ms());
        match completion {
            Completion::Answered(r) => {
                w.int("status", i64::from(r.status));
                w.text("response", &r.body, body_is_json);
                if r.truncated {
                    w.bool("truncated", true);
                }
                if let Some(after) = &r.retry_after {
                    w.str("retry_after", after);
                }
            }
            Completion::NotSent(why) => {
                w.str("failed", "not_sent");
                w.str("why", why);
            }
            Completion::NoAnswer(why) => {
                w.str("failed", "no_answer");
                w.str("why", why);
            }
            Completion::Cancelled => w.str("failed", "cancelled"),
        }
        w.close();
        self.unwritten_endings.push(seq);
    }

    /// Writes what was gathered. On failure nothing more is written (a line may be cut short,
    /// and what followed it would be misread), and the error comes with the rows whose endings
    /// were lost: they will read as "outcome unknown".
    pub fn write(&mut self) -> std::result::Result<(), (std::io::Error, Vec<usize>)> {
        if self.failed {
            return Err((
                std::io::Error::other("an earlier write to the journal failed"),
                std::mem::take(&mut self.unwritten_endings),
            ));
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let written = self.file.write_all(&self.buf);
        match written {
            Ok(()) => {
                self.unwritten_endings.clear();
                if let Some(tap) = &self.tap
                    && tap.send(self.buf.clone()).is_err()
                {
                    self.tap = None;
                }
                self.buf.clear();
                Ok(())
            }
            Err(e) => {
                self.buf.clear();
                self.failed = true;
                Err((e, std::mem::take(&mut self.unwritten_endings)))
            }
        }
    }

    /// Writes the last endings. The journal is then complete; the next process to open the
    /// history imports it.
    pub fn finish(mut self) -> std::result::Result<(), (std::io::Error, Vec<usize>)> {
        self.write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::HttpResponse;
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};
    use crate::history::Store;
    use crate::history::tests::who;

    pub(super) fn update(value: &str, metadata: &str) -> OutcomeUpdate {
        validate(&UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "Sold \"big\" \\ deal",
            value,
            metadata,
            ..UpdateInput::default()
        })
        .unwrap()
    }

    pub(super) fn answered(body: &str) -> Completion {
        Completion::Answered(HttpResponse {
            status: 200,
            body: body.into(),
            truncated: false,
            retry_after: None,
        })
    }

    pub(super) const OK: &str = r#"{"success":true,"call_id":"call456","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#;

    /// A journal of batch 1 by session `gone` (no lock held: its run has ended): rows 0 and 1
    /// ended, row 2 was in flight.
    pub(super) fn journal_of_a_finished_run(dir: &Path, store: &Store) -> PathBuf {
        store.create_batch("f.csv", "h", 3, &who()).unwrap();
        let mut j = Journal::create(dir, 1, "gone", &who()).unwrap();
        let rows = [
            update("1", ""),
            update("2", r#"{"note":"tab\there, é, 😀"}"#),
            update("3", ""),
        ];
        for (seq, u) in rows.iter().enumerate() {
            j.pending(seq, seq + 2, u, &build(u, &BaseUrl::default()), None);
        }
        j.write().unwrap();
        for seq in 0..2 {
            j.ended(seq, &answered(OK), Duration::from_millis(7), true);
        }
        let path = j.path().to_path_buf();
        j.finish().unwrap();
        path
    }

    #[test]
    fn endings_that_could_not_be_written_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::create(dir.path(), 1, "s", &who()).unwrap();
        j.ended(4, &answered(OK), Duration::ZERO, true);
        // A journal whose file cannot take more (opened read-only underneath).
        j.file = std::fs::File::open(j.path()).unwrap();
        let (_, lost) = j.write().unwrap_err();
        assert_eq!(lost, [4]);
        let (_, lost) = j.finish().unwrap_err();
        assert!(lost.is_empty(), "nothing more was gathered");
    }
}
