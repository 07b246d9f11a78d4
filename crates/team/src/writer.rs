//! The write path: each update goes to the team log as pending before its request leaves and is
//! completed after; when the server cannot be reached (or refuses the connection) the entry
//! waits in the [`Outbox`] instead and the send goes on. Entries are pushed oldest first, and a
//! new one never overtakes a waiting one, so the log sees each update's pending before its
//! completion. Nothing is lost (an entry leaves the outbox only once the server has it) and
//! nothing is recorded twice (the UUID).

use std::time::{Duration, Instant};

use crate::error::TeamError;
use crate::log::TeamLog;
use crate::outbox::{Entry, Kind, Outbox};
use crate::row::TeamRow;
use crate::url::Target;

/// After the server could not be reached, how long sends leave it alone (their entries wait in
/// the outbox at once) before trying again. `team push` tries regardless.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// How many outbox entries one push step takes.
const PUSH_CHUNK: i64 = 500;

/// Where an entry went.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// In the team log.
    Logged,
    /// Waiting in the outbox (with why, for the status line).
    Queued { waiting: i64, why: String },
}

/// What a push did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    /// Entries now in the team log.
    pub pushed: usize,
    /// Entries the team log refused for good (kept in the outbox, named by `team status`).
    pub refused: usize,
    /// Entries still waiting.
    pub waiting: i64,
}

pub struct TeamWriter {
    target: Target,
    outbox: Outbox,
    log: Option<TeamLog>,
    quiet_until: Option<Instant>,
    /// Why the last connection attempt failed (said again while the writer waits).
    last_error: Option<String>,
}

impl std::fmt::Debug for TeamWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamWriter")
            .field("target", &self.target)
            .field("outbox", &self.outbox)
            .finish_non_exhaustive()
    }
}

impl TeamWriter {
    /// Where it writes (for a reader of its own, such as the workbench's Team view).
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// A writer that connects on first use.
    pub fn new(target: Target, outbox: Outbox) -> Self {
        TeamWriter {
            target,
            outbox,
            log: None,
            quiet_until: None,
            last_error: None,
        }
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The open team log, connecting if needed (not while [`RETRY_AFTER`] runs, unless forced).
    async fn log(&mut self, force: bool) -> Result<&mut TeamLog, TeamError> {
        if self.log.is_none() {
            if !force
                && let Some(t) = self.quiet_until
                && Instant::now() < t
            {
                return Err(TeamError::Offline(self.last_error.clone().unwrap_or_else(
                    || "the team log was unreachable moments ago".to_string(),
                )));
            }
            match TeamLog::open(&self.target).await {
                Ok(log) => {
                    self.quiet_until = None;
                    self.log = Some(log);
                }
                Err(e) => {
                    self.quiet_until = Some(Instant::now() + RETRY_AFTER);
                    self.last_error = Some(e.to_string());
                    return Err(e);
                }
            }
        }
        Ok(self.log.as_mut().expect("opened above"))
    }

    /// The open team log for a read (the duplicate check), or why not; a broken connection is
    /// forgotten like after a failed write.
    pub async fn reader(&mut self) -> Result<&TeamLog, TeamError> {
        match self.log(false).await {
            Ok(log) => Ok(&*log),
            Err(e) => Err(e),
        }
    }

    /// The connection broke (seen by a caller of [`Self::reader`]): forget it.
    pub fn forget(&mut self) {
        self.lost();
    }

    /// The connection broke: forget it, and leave the server alone for a while.
    fn lost(&mut self) {
        self.log = None;
        self.quiet_until = Some(Instant::now() + RETRY_AFTER);
    }

    /// Records `row` as pending (call before its request leaves).
    pub async fn pending(&mut self, row: &TeamRow) -> Result<Written, String> {
        self.write(Kind::Insert, &[row.as_pending()]).await
    }

    /// Records an update whose request was over before its pending row was written: the row
    /// with its result, in one entry (what `pending` then `complete` would leave).
    pub async fn finished(&mut self, row: &TeamRow) -> Result<Written, String> {
        self.write(Kind::Insert, std::slice::from_ref(row)).await
    }

    /// Records `row`'s result (call after its request is over).
    pub async fn complete(&mut self, row: &TeamRow) -> Result<Written, String> {
        self.write(Kind::Complete, std::slice::from_ref(row)).await
    }

    /// Writes many finished rows together (a batch run's): one `COPY` ([`TeamLog::copy_in`]),
    /// or the outbox, as [`Self::finished`] writes one.
    pub async fn insert_batch(&mut self, rows: &[TeamRow]) -> Result<Written, String> {
        self.write(Kind::Insert, rows).await
    }

    /// Writes entries of one kind (one statement for a single row, a `COPY` for more), or
    /// queues them. Err only when the outbox itself cannot be written.
    async fn write(&mut self, kind: Kind, rows: &[TeamRow]) -> Result<Written, String> {
        if rows.is_empty() {
            return Ok(Written::Logged);
        }
        if self.outbox.waiting()? > 0 {
            // Never overtake a waiting entry: queue behind it, then try to push them all.
            self.outbox.add_all(kind, rows)?;
            return Ok(match self.push_inner(false).await {
                Ok(p) if p.waiting == 0 => Written::Logged,
                Ok(p) => Written::Queued {
                    waiting: p.waiting,
                    why: "entries before it are still waiting".to_string(),
                },
                Err(e) => Written::Queued {
                    waiting: self.outbox.waiting()?,
                    why: e.to_string(),
                },
            });
        }
        let result = match self.log(false).await {
            Ok(log) => match (kind, rows) {
                (Kind::Insert, [row]) => log.insert(row).await.map(|_| ()),
                (Kind::Insert, rows) => log.copy_in(rows).await.map(|_| ()),
                (Kind::Complete, rows) => {
                    async {
                        for row in rows {
                            log.complete(row).await?;
                        }
                        Ok(())
                    }
                    .await
                }
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => Ok(Written::Logged),
            Err(e) => {
                if e.is_offline() {
                    self.lost();
                }
                // Whatever went wrong, the entries are kept: a refusal for good is marked as
                // such by the next push, a connection problem clears with time.
                self.outbox.add_all(kind, rows)?;
                Ok(Written::Queued {
                    waiting: self.outbox.waiting()?,
                    why: e.to_string(),
                })
            }
        }
    }

    /// Pushes every waiting entry, oldest first (`team push`; also after each write while
    /// entries wait). Stops at the first connection problem, keeping the rest.
    pub async fn push(&mut self) -> Result<Pushed, TeamError> {
        self.push_inner(true).await
    }

    async fn push_inner(&mut self, force: bool) -> Result<Pushed, TeamError> {
        let mut done = Pushed::default();
        loop {
            let entries = self.outbox.oldest(PUSH_CHUNK).map_err(TeamError::Outbox)?;
            if entries.is_empty() {
                break;
            }
            let mut i = 0;
            while i < entries.len() {
                // A run of inserts goes in one transaction; completions one by one.
                let run = entries[i..]
                    .iter()
                    .take_while(|e| e.kind == Kind::Insert)
                    .count();
                let step = if run > 0 {
                    self.push_inserts(&entries[i..i + run], force).await
                } else {
                    self.push_complete(&entries[i], force).await
                };
                match step {
                    Ok((pushed, refused)) => {
                        done.pushed += pushed;
                        done.refused += refused;
                    }
                    Err(e) => {
                        if e.is_offline() {
                            self.lost();
                        }
                        return Err(e);
                    }
                }
                i += run.max(1);
            }
        }
        done.waiting = self.outbox.waiting().map_err(TeamError::Outbox)?;
        Ok(done)
    }

    async fn push_inserts(
        &mut self,
        entries: &[Entry],
        force: bool,
    ) -> Result<(usize, usize), TeamError> {
        let rows: Vec<TeamRow> = entries.iter().map(|e| e.row.clone()).collect();
        self.log(force).await?.insert_many(&rows).await?;
        let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
        self.outbox.remove(&seqs).map_err(TeamError::Outbox)?;
        Ok((entries.len(), 0))
    }

    async fn push_complete(
        &mut self,
        entry: &Entry,
        force: bool,
    ) -> Result<(usize, usize), TeamError> {
        match self.log(force).await?.complete(&entry.row).await {
            Ok(()) => {
                self.outbox
                    .remove(&[entry.seq])
                    .map_err(TeamError::Outbox)?;
                Ok((1, 0))
            }
            Err(
                e @ (TeamError::AlreadyCompleted(_)
                | TeamError::NotYours { .. }
                | TeamError::NotFound(_)),
            ) => {
                self.outbox
                    .mark_refused(entry.seq, &e.to_string())
                    .map_err(TeamError::Outbox)?;
                Ok((0, 1))
            }
            Err(e) => Err(e),
        }
    }
}
