//! The queue's state: a batch file open in the workbench, its rows and its run; and the path
//! prompt that opens one.

use super::{Ready, RequestId};
use crate::api::client::State;
use crate::batch::engine::Counts;
use crate::batch::plan::{OfCall, may_start};

/// The batch path prompt: what is typed, where relative paths start, what Tab found, and why
/// the file did not open (the text stays to be corrected).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathPrompt {
    pub path: String,
    /// The workbench's working folder (the runtime says, once the prompt opens).
    pub folder: Option<String>,
    /// The names Tab found when several match, and how many matched in all.
    pub choices: Vec<String>,
    pub matches: usize,
    /// Why the file did not open, or why Tab found nothing.
    pub problem: Option<String>,
    /// Enter was pressed: the file is being read.
    pub reading: bool,
}

/// How many queue rows are in flight at once (rows for one call go one after another: the
/// batch engine's lanes, [`crate::batch::plan::may_start`]).
pub const QUEUE_CONCURRENCY: usize = 4;

/// A batch file in the workbench: every row, what is wrong with it, and how its send went.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    pub file: String,
    pub items: Vec<QueueItem>,
    /// Problems that belong to no row (the header, broken quoting).
    pub file_errors: Vec<String>,
    pub selected: usize,
    /// Where its run is (idle, checking, sending, paused).
    pub run: QueueRun,
    /// Rows in flight: (request, item index).
    pub in_flight: Vec<(RequestId, usize)>,
    /// The profile the run was confirmed for: every row of the run goes there.
    pub profile: String,
    /// `q` was pressed once on a queue with this many rows left to send: a second `q` closes
    /// it.
    pub closing: Option<usize>,
    /// The form's text when a row was put in it: changed since, the form holds edits that
    /// putting another row in its place would lose.
    pub loaded_form: Option<String>,
    /// Enter was pressed once on this row while the form held such edits: again replaces them.
    pub replace_asked: Option<usize>,
    /// The row put in the form with Enter: it is sent from there, never by the queue; a ✓
    /// send from the form marks it done.
    pub in_form: Option<usize>,
}

/// Where a queue's run is: one state at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueueRun {
    /// Nothing is sending: rows can be looked at, fixed and left out; Ctrl+S starts a run.
    #[default]
    Idle,
    /// Ctrl+S was pressed: the duplicate check runs before the confirmation.
    Checking,
    /// Sending has started and not finished: rows leave a few at a time.
    Sending,
    /// `p`, a 429 or a row that could not be sent: no new rows leave; those in flight finish.
    Paused,
}

impl QueueRun {
    /// Sending has started and not finished (sending or paused).
    pub fn started(self) -> bool {
        matches!(self, Self::Sending | Self::Paused)
    }

    /// A run is under way or being asked for: no other file, and no profile switch.
    pub fn busy(self) -> bool {
        self != Self::Idle
    }
}

#[derive(Clone, Debug)]
pub struct QueueItem {
    pub entry: crate::batch::Entry,
    /// What it would send, or its first problem.
    pub ready: Result<Ready, String>,
    pub excluded: bool,
    pub status: ItemStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemStatus {
    Waiting,
    Sending,
    /// How it ended (the history row's state: the view shows its mark ✓ ✗ ? ⊘, the counts
    /// its [`State::settled`] pile) and a short message.
    Done {
        state: State,
        text: String,
    },
}

impl ItemStatus {
    /// What came back for a row that was sent and did not go through (✗ ? ⊘).
    pub fn came_back(&self) -> Option<&str> {
        match self {
            ItemStatus::Done { state, text } if *state != State::Ok => Some(text),
            _ => None,
        }
    }
}

impl QueueItem {
    /// The call this row updates (agent, target), when it is valid.
    pub fn call(&self) -> Option<(&str, &str)> {
        self.ready
            .as_ref()
            .ok()
            .map(|r| (r.update.agent.as_str(), r.update.target.as_str()))
    }
}

impl Queue {
    /// The request `id` is over: its row leaves the in-flight list and takes `status`.
    pub fn land(&mut self, id: RequestId, status: ItemStatus) {
        if let Some(pos) = self.in_flight.iter().position(|(r, _)| *r == id) {
            let (_, index) = self.in_flight.remove(pos);
            if let Some(item) = self.items.get_mut(index) {
                item.status = status;
            }
        }
    }

    /// Rows that would be sent: valid, not excluded, not done, not in the form.
    pub fn to_send(&self) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter(|(n, i)| {
                i.ready.is_ok()
                    && !i.excluded
                    && self.in_form != Some(*n)
                    && i.status == ItemStatus::Waiting
            })
            .map(|(n, _)| n)
            .collect()
    }

    /// The file line of the row put in the form and not sent from there yet: still to send.
    pub fn line_in_form(&self) -> Option<usize> {
        let item = self.items.get(self.in_form?)?;
        (item.status == ItemStatus::Waiting).then_some(item.entry.line)
    }

    /// The rows that may leave now, in the order to send them: the batch engine's scheduler
    /// ([`may_start`]) over the rows to send, one call's rows in file order, with the calls
    /// under way held back (the queue's rows in flight, and `also_busy`: the form's own send),
    /// until [`QUEUE_CONCURRENCY`] are in flight.
    pub fn may_start(&self, also_busy: Option<(&str, &str)>) -> Vec<usize> {
        let waiting: Vec<ToSend<'_>> = self
            .to_send()
            .into_iter()
            .filter_map(|index| {
                let call = self.items[index].call()?;
                Some(ToSend { index, call })
            })
            .collect();
        let flying: Vec<(&str, &str)> = self
            .in_flight
            .iter()
            .filter_map(|(_, i)| self.items.get(*i)?.call())
            .chain(also_busy)
            .collect();
        let slots = QUEUE_CONCURRENCY.saturating_sub(self.in_flight.len());
        may_start(waiting, |row| flying.contains(&row.call), slots)
            .into_iter()
            .map(|row| row.index)
            .collect()
    }

    /// How the rows stand: those done by the pile their state settles in (as `batch` counts
    /// them, [`Counts::add`]), the others by where they are.
    pub fn counts(&self) -> QueueCounts {
        let mut done = Counts::default();
        let mut c = QueueCounts::default();
        for (n, i) in self.items.iter().enumerate() {
            match &i.status {
                ItemStatus::Done { state, .. } => done.add(*state),
                ItemStatus::Sending => c.sending += 1,
                ItemStatus::Waiting if self.in_form == Some(n) => c.in_form += 1,
                ItemStatus::Waiting if i.excluded => c.excluded += 1,
                ItemStatus::Waiting if i.ready.is_err() => c.to_fix += 1,
                ItemStatus::Waiting => c.waiting += 1,
            }
        }
        QueueCounts {
            ok: done.ok,
            // The ✗ rows: the server did not apply them, or did not say it applied all.
            failed: done.refused + done.not_sent + done.unconfirmed,
            unconfirmed: done.unconfirmed,
            unknown: done.unknown,
            ..c
        }
    }
}

/// A row to send as the engine's lanes see it: its index, and the call it updates.
struct ToSend<'a> {
    index: usize,
    call: (&'a str, &'a str),
}

impl OfCall for ToSend<'_> {
    fn call(&self) -> (&str, &str) {
        self.call
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub ok: usize,
    /// Refused, not sent, or not confirmed (✗).
    pub failed: usize,
    /// Of `failed`, those the server said it took without confirming every field: they may
    /// have been applied (`unconfirmed`).
    pub unconfirmed: usize,
    /// No answer that says: may or may not have been applied.
    pub unknown: usize,
    pub sending: usize,
    pub waiting: usize,
    pub to_fix: usize,
    pub excluded: usize,
    /// Put in the form with Enter: sent from there.
    pub in_form: usize,
}
