//! `batch` with the team log on. The team log has a thread of its own: it logs in while the run
//! starts, and a new batch's rows reach it *during* the run: the journal hands it each write's
//! lines once they are in the file ([`Journal::tap`]), it makes each ended row into the record
//! the journal's import will make ([`journal::row_of`]) and writes them in groups of
//! [`GROUP`] with one `COPY` each (`TeamSession::log_finished`), not one round trip per row,
//! while the next rows are being sent. After the last row only the last group is left.
//! A resumed batch's rows are logged after the run, from the history (every row of the batch,
//! the earlier runs' too, so rows an earlier run could not log get there now). When the team log
//! cannot be reached the rows wait in the outbox (`team push`, the next send or the workbench
//! pushes them); each has a UUID made from its session, batch and line, so none is ever
//! recorded twice.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::config::Config;
use crate::history::journal::{Header, line_row, row_of};
use crate::history::{Filter, Record};
use crate::teamlog::TeamSession;

#[cfg(doc)]
use crate::history::journal::{self, Journal};

/// How many ended rows go to the team log together while the run goes on.
pub const GROUP: usize = 250;

/// The team log's thread for one run.
pub struct TeamThread {
    /// A new batch's journal lines, as written (whole lines, in order): [`Journal::tap`]
    /// takes this, so the journal's closing tells the thread the run is over.
    lines: Option<mpsc::Sender<Vec<u8>>>,
    /// A resumed batch's number, once the run is over: every row the history has of it is
    /// logged (read after the lock is let go, so that this run's journal is imported first).
    resumed: mpsc::Sender<i64>,
    done: JoinHandle<Option<String>>,
}

impl TeamThread {
    /// Starts logging in now; `None` when the team log is not configured (or the thread could
    /// not be started: the line to print then comes from [`log_batch`]).
    pub fn start(config: &Config, data_dir: &Path) -> Option<Self> {
        if !config.team.enabled() {
            return None;
        }
        let config = config.clone();
        let dir = data_dir.to_path_buf();
        let (lines, lines_in) = mpsc::channel();
        let (resumed, resumed_in) = mpsc::channel();
        let done = std::thread::Builder::new()
            .name("team log".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(log_when_told(&config, &dir, &lines_in, &resumed_in))
            })
            .ok()?;
        Some(TeamThread {
            lines: Some(lines),
            resumed,
            done,
        })
    }

    /// Where a new batch's journal sends its lines ([`Journal::tap`]); once only.
    pub fn lines(&mut self) -> Option<mpsc::Sender<Vec<u8>>> {
        self.lines.take()
    }

    /// The run is over (its journal, with its sender, is closed): waits for its rows to be
    /// logged (or queued), after those of the history's batch `resumed` when given. The line
    /// to print, if any.
    pub fn wait(self, resumed: Option<i64>) -> Option<String> {
        let TeamThread {
            lines,
            resumed: to_resume,
            done,
        } = self;
        if let Some(id) = resumed {
            let _ = to_resume.send(id);
        }
        // Both closed before waiting: the thread waits for one or the other to close.
        drop((lines, to_resume));
        done.join().unwrap_or_else(|_| {
            Some(
                "warning: the team log's thread stopped unexpectedly; the batch's rows are in \
                 the local history, and `phonely-outcomes batch --resume` logs them"
                    .to_string(),
            )
        })
    }
}

async fn log_when_told(
    config: &Config,
    data_dir: &Path,
    lines: &mpsc::Receiver<Vec<u8>>,
    resumed: &mpsc::Receiver<i64>,
) -> Option<String> {
    let mut team = TeamSession::start(config, data_dir).await?;
    team.connect().await;
    let mut journal = Stream::default();
    // Until the run is over (the journal closed): its lines as they are written.
    while let Ok(bytes) = lines.recv() {
        journal.take(&bytes);
        if journal.ended.len() >= GROUP {
            let group = std::mem::take(&mut journal.ended);
            journal.logged += group.len();
            if let Err(e) = team.log_finished(&group).await {
                return Some(said(&team, journal.batch().unwrap_or_default(), 0, Err(e)));
            }
        }
    }
    // Then the last rows, and any whose ending never came (outcome unknown, as the import
    // will have them).
    if let Some(batch) = journal.batch() {
        let logged_before = journal.logged;
        let rest = journal.rest();
        let written = team.log_finished(&rest).await;
        return Some(said(&team, batch, logged_before, written));
    }
    // No journal was read: a resumed batch (or a journal that could not be followed), whose
    // rows come from the history once the run has let its lock go.
    let id = resumed.recv().ok()?;
    Some(from_history(&mut team, data_dir, id).await)
}

/// The line to print once a batch's rows were written (`written`: how many, after `before`
/// written earlier) or could not be queued.
fn said(team: &TeamSession, batch: i64, before: usize, written: Result<usize, String>) -> String {
    match written {
        Ok(n) => team
            .status()
            .unwrap_or_else(|| format!("team log: batch #{batch}'s {} rows recorded", before + n)),
        Err(e) => format!(
            "warning: batch #{batch}'s rows could not be queued for the team log ({e}); they \
             are in the local history, and `phonely-outcomes batch --resume {batch}` logs them"
        ),
    }
}

/// Batch `batch`'s rows as the history has them, written to the team log: the line to print.
async fn from_history(team: &mut TeamSession, data_dir: &Path, batch: i64) -> String {
    match finished_rows(data_dir, batch) {
        Ok(records) => {
            let written = team.log_finished(&records).await;
            said(team, batch, 0, written)
        }
        Err(e) => format!(
            "warning: batch #{batch}'s rows could not be read back for the team log ({e}); they \
             are in the local history"
        ),
    }
}

/// A new batch's journal as it is written: its first line (read), the rows under way (their
/// pending lines), the rows ended and not yet logged.
#[derive(Default)]
struct Stream {
    header: Option<Header>,
    under_way: std::collections::HashMap<usize, String>,
    /// Rows in the order they were recorded (the import's order, for those never ended).
    order: Vec<usize>,
    ended: Vec<Record>,
    logged: usize,
}

impl Stream {
    fn batch(&self) -> Option<i64> {
        self.header.as_ref().map(|h| h.batch)
    }

    fn take(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Some(header) = &self.header else {
                // The journal's first line. Unreadable (a damaged file), no row is taken from
                // the journal, as its import takes none.
                self.header = Header::read(line);
                if self.header.is_none() {
                    return;
                }
                continue;
            };
            match line_row(line) {
                Some((true, seq)) => {
                    self.under_way.insert(seq, line.to_string());
                    self.order.push(seq);
                }
                Some((false, seq)) => {
                    if let Some(pending) = self.under_way.remove(&seq)
                        && let Some(r) = row_of(header, &pending, Some(line))
                    {
                        self.ended.push(r);
                    }
                }
                None => {}
            }
        }
    }

    /// The rows not logged yet: those ended, then those whose ending never came.
    fn rest(mut self) -> Vec<Record> {
        let Some(header) = self.header else {
            return Vec::new();
        };
        for seq in self.order {
            if let Some(pending) = self.under_way.remove(&seq)
                && let Some(r) = row_of(&header, &pending, None)
            {
                self.ended.push(r);
            }
        }
        self.ended
    }
}

/// Writes batch `batch_id`'s rows, as the history has them, to the team log; the line to print,
/// if any. For when the team log's thread could not be started. Call after the run's session
/// lock is released (its journal can then be imported).
pub async fn log_batch(config: &Config, data_dir: &Path, batch_id: i64) -> Option<String> {
    let mut team = TeamSession::start(config, data_dir).await?;
    Some(from_history(&mut team, data_dir, batch_id).await)
}

/// The batch's rows as the history has them, oldest first (its journal imported first).
fn finished_rows(data_dir: &Path, batch_id: i64) -> Result<Vec<Record>, String> {
    let store = super::super::common::open_for_reading(data_dir)?;
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
