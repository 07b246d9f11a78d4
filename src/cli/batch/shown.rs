//! How a batch run is shown as it goes: the engine's events as notes above the progress bar
//! (or plain lines) and the counts. Each note about a row starts with the mark of its state.

use std::time::Duration;

use super::super::batch_progress::Progress;
use crate::api::client::State;
use crate::batch::Row;
use crate::batch::engine::{Counts, MAX_ATTEMPTS, RowResult, Stopped, Watch};

/// How a run is shown as it goes: notes above the progress bar (or plain lines) and the
/// counts.
pub(super) struct Shown<'a> {
    pub progress: &'a Progress,
    pub batch_id: i64,
}

impl Watch for Shown<'_> {
    fn ended(&self, row: &Row, result: &RowResult, counts: &Counts) {
        if let Some(note) = ended_note(row, result, self.batch_id) {
            self.progress.note(&note);
        }
        self.progress.update(counts);
    }

    fn retrying(&self, row: &Row, message: &str, wait: Duration, attempt: u32) {
        self.progress
            .note(&retry_note(row.line, message, wait, attempt));
    }

    fn not_recorded(&self, row: &Row, error: &std::io::Error, counts: &Counts) {
        self.progress.note(&not_recorded_note(row.line, error));
        self.progress.update(counts);
    }

    fn ending_not_recorded(&self, line: usize, error: &std::io::Error) {
        eprintln!("{}", ending_not_recorded_note(line, error));
    }

    fn stopping(&self, why: Stopped, under_way: usize) {
        match why {
            Stopped::KeyRefused(status) => self.progress.note(&format!(
                "Stopping: Phonely answered HTTP {status} to the key, so no more rows will be \
                 sent; waiting for the {under_way} under way."
            )),
            Stopped::Interrupted => self.progress.note(&format!(
                "Stopping: no more rows will be sent; waiting for the {under_way} under way \
                 (Ctrl+C again stops waiting: those become \"outcome unknown\")."
            )),
            Stopped::Unrecorded => {}
        }
    }
}

// The notes a run prints about one row each start with the mark of the row's state
// (`State::mark`, as `history` and the workbench draw it): the state decides, the mark draws.

/// A row that did not go through (nothing for a ✓ row: the counts say those).
fn ended_note(row: &Row, result: &RowResult, batch_id: i64) -> Option<String> {
    (result.state != State::Ok).then(|| {
        format!(
            "{} line {} {} {}: {} [batch #{batch_id}]",
            result.state.mark(),
            result.line,
            row.update.agent.as_str(),
            row.update.target.as_str(),
            result.message,
        )
    })
}

/// A row tried again: still in flight, so the mark of a pending row.
fn retry_note(line: usize, message: &str, wait: Duration, attempt: u32) -> String {
    format!(
        "{} line {line}: {message}; trying again in {:.1} s (attempt {attempt} of {})",
        State::Pending.mark(),
        wait.as_secs_f32(),
        MAX_ATTEMPTS
    )
}

/// A row not sent because it could not be recorded first (it ends as not sent).
fn not_recorded_note(line: usize, error: &std::io::Error) -> String {
    format!(
        "{} line {line}: could not be recorded in the history, so it was not sent: {error}",
        State::NetworkError.mark(),
    )
}

/// A row whose ending could not be recorded (the history will have it as outcome unknown).
fn ending_not_recorded_note(line: usize, error: &std::io::Error) -> String {
    format!(
        "{} line {line}: the request ended but its result could not be recorded ({error}); the \
         history will show it as outcome unknown",
        State::Unknown.mark()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each note about a row starts with the mark of the state the row is in, the one
    /// `history` shows for it: a row tried again is in flight (`…`, never the `?` of an
    /// outcome unknown); one not recorded first ends not sent (✗); one whose ending was lost
    /// is outcome unknown (?).
    #[test]
    fn a_rows_note_starts_with_the_mark_of_its_state() {
        let row = crate::batch::factory::row_of(2, "agent123", "call456", "Sold");
        for state in State::ALL {
            let result = crate::batch::factory::ended(2, 0, state, "why");
            let note = ended_note(&row, &result, 7);
            if state == State::Ok {
                assert_eq!(note, None);
            } else {
                let note = note.unwrap();
                assert!(
                    note.starts_with(&format!("{} line 2 agent123 call456: why", state.mark())),
                    "{state:?}: {note}"
                );
            }
        }
        let retry = retry_note(2, "HTTP 503", Duration::from_millis(500), 2);
        assert_eq!(
            retry,
            "… line 2: HTTP 503; trying again in 0.5 s (attempt 2 of 4)"
        );
        let error = std::io::Error::other("disk full");
        assert!(not_recorded_note(2, &error).starts_with("✗ line 2: "));
        assert!(ending_not_recorded_note(2, &error).starts_with("? line 2: "));
    }
}
