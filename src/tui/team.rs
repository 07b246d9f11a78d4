//! The team log in the workbench: each send (the form's, a resend, a queue row) gets a UUID;
//! its pending row goes to the team log while the request is on its way (never before typing
//! or the request), its result after the local history has it. When the team log cannot be
//! reached, rows wait in the outbox, the status bar says "team log offline: N waiting", and a
//! background task pushes them (oldest first) once it is back. The duplicate guard asks the
//! team log too and names the colleague.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use super::action::Action;
use crate::history::Record;
use crate::teamlog::TeamSession;

/// How often waiting rows are tried again while the team log is away (the writer's own quiet
/// period after a failed connect).
pub const PUSH_EVERY: Duration = phonely_team::writer::RETRY_AFTER;

/// The team log for the workbench's sends; cheap to clone (one session behind a lock).
#[derive(Clone)]
pub struct TeamLink {
    session: Arc<Mutex<TeamSession>>,
    push_every: Duration,
    pushing: Arc<AtomicBool>,
    /// The Team view's own connection (opened on its first page): a long search never holds
    /// the session's lock, so a send's rows are written meanwhile.
    view: Arc<Mutex<Option<phonely_team::TeamLog>>>,
    /// Where the team log is, or why it cannot be read.
    view_target: Result<phonely_team::Target, String>,
}

impl std::fmt::Debug for TeamLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: only that there is a team log.
        f.debug_struct("TeamLink")
            .field("push_every", &self.push_every)
            .finish_non_exhaustive()
    }
}

impl TeamLink {
    /// `push_every`: how long between tries while rows wait ([`PUSH_EVERY`]; tests use less).
    pub fn new(session: TeamSession, push_every: Duration) -> Self {
        let view_target = session.target();
        TeamLink {
            session: Arc::new(Mutex::new(session)),
            push_every,
            pushing: Arc::new(AtomicBool::new(false)),
            view: Arc::new(Mutex::new(None)),
            view_target,
        }
    }

    /// A new update's UUID.
    pub fn uuid() -> phonely_team::Uuid {
        TeamSession::new_uuid()
    }

    /// The pending row, written in a task of its own so the request leaves at once; hand the
    /// handle to [`Self::complete`].
    pub fn pending(
        &self,
        uuid: phonely_team::Uuid,
        record: Record,
        tx: mpsc::UnboundedSender<Action>,
    ) -> JoinHandle<()> {
        let link = self.clone();
        tokio::spawn(async move {
            let mut s = link.session.lock().await;
            s.pending(uuid, &record).await;
            link.report(&s, &tx);
        })
    }

    /// The result, after the pending row (so the team log never sees a completion first).
    pub async fn complete(
        &self,
        pending: JoinHandle<()>,
        uuid: phonely_team::Uuid,
        record: Record,
        tx: mpsc::UnboundedSender<Action>,
    ) {
        let _ = pending.await;
        let mut s = self.session.lock().await;
        s.complete(uuid, &record).await;
        self.report(&s, &tx);
    }

    /// Tells the status bar how many rows wait; while some do, a task tries to push them.
    fn report(&self, s: &TeamSession, tx: &mpsc::UnboundedSender<Action>) {
        let waiting = s.waiting();
        let _ = tx.send(Action::TeamLog(status_text(waiting)));
        if waiting > 0 && !self.pushing.swap(true, Ordering::SeqCst) {
            let link = self.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(link.push_every).await;
                    let mut s = link.session.lock().await;
                    let done = s.push().await;
                    let _ = tx.send(Action::TeamLog(status_text(s.waiting())));
                    if done || tx.is_closed() {
                        link.pushing.store(false, Ordering::SeqCst);
                        break;
                    }
                }
            });
        }
    }

    /// At start: rows left waiting by an earlier session are counted in the status bar and
    /// pushed once the team log is there (reading the outbox off the loop).
    pub fn announce(&self, tx: mpsc::UnboundedSender<Action>) {
        let link = self.clone();
        tokio::spawn(async move {
            let s = link.session.lock().await;
            if s.waiting() > 0 {
                link.report(&s, &tx);
            }
        });
    }

    /// The duplicate guard's question to the team log (see [`TeamSession::duplicate`]).
    pub async fn duplicate(
        &self,
        record: (&str, &str),
        request: (&str, &str),
        since_ms: i64,
        now_ms: i64,
    ) -> Option<String> {
        let mut s = self.session.lock().await;
        s.duplicate(record.0, record.1, request.0, request.1, since_ms, now_ms)
            .await
    }
}

impl TeamLink {
    /// The newest ✓ a colleague made on this call (see [`TeamSession::last_set_by_others`]).
    pub async fn last_set_by_others(&self, agent: &str, target: &str) -> Option<String> {
        let mut s = self.session.lock().await;
        s.last_set_by_others(agent, target, crate::history::now_ms())
            .await
    }
}

impl TeamLink {
    /// A page of the Team view, on the view's own connection ([`phonely_team::TeamLog::find`]).
    pub async fn find(
        &self,
        filter: &crate::history::Filter,
        after: Option<phonely_team::search::Cursor>,
        limit: i64,
    ) -> Result<Vec<phonely_team::TeamRow>, String> {
        let target = self.view_target.clone()?;
        let mut view = self.view.lock().await;
        let log = match view.take() {
            Some(log) => log,
            None => phonely_team::TeamLog::open(&target)
                .await
                .map_err(|e| e.to_string())?,
        };
        let found = log.find(filter, None, after, limit).await;
        match found {
            Ok(rows) => {
                *view = Some(log);
                Ok(rows)
            }
            // An offline connection is dropped (the next page connects again); one that
            // answered with an error is kept.
            Err(e) => {
                if !e.is_offline() {
                    *view = Some(log);
                }
                Err(e.to_string())
            }
        }
    }
}

/// "team log offline: 3 waiting", or `None` when nothing waits.
pub fn status_text(waiting: i64) -> Option<String> {
    (waiting > 0).then(|| format!("team log offline: {waiting} waiting"))
}
