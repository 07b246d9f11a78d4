//! Warnings about an update that is valid but may not be what was meant, one rule each for
//! every front end (the form, the queue, the confirmation, `send`, `batch --dry-run`): digits
//! read as a call ID.

use super::phone::{Region, read_as_call_id};
use super::update::{OutcomeUpdate, Target};

/// What to know about `update` before it is sent, one sentence each. `typed_target` is the
/// target as typed in a field that takes both a call ID and a phone (the form's, a file's
/// `target` column); `None` when the call ID or phone was named as such (`--call`, `call_id`).
pub fn warnings(update: &OutcomeUpdate, typed_target: Option<&str>, region: Region) -> Vec<String> {
    let mut out = Vec::new();
    if let (Target::CallId(_), Some(typed)) = (&update.target, typed_target)
        && let Some(note) = read_as_call_id(typed, region)
    {
        out.push(note);
    }
    out
}
