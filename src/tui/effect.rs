//! `Effect`: side effects described as data. `update` returns them; only the runtime runs them.

use super::action::RequestId;
use super::app::Ready;
use crate::api::request::WireRequest;
use crate::api::update::OutcomeUpdate;
use crate::history::{Filter, Record};

// Effects are few and short-lived; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Record the update as pending, send it, complete the record; report back as actions.
    Send {
        id: RequestId,
        update: OutcomeUpdate,
        request: WireRequest,
        /// The profile the request was built for: its key is used and its name recorded.
        profile: String,
        /// The call of the calls list it is pinned to (recorded with the phone typed).
        pinned_call: Option<String>,
        /// By phone with the calls list on screen: the call the list said it would hit
        /// (recorded, so a mismatch with Phonely's answer stays flagged on the row).
        listed_call: Option<String>,
    },
    /// Stop waiting for a request; its record is completed as cancelled.
    CancelSend { id: RequestId },
    /// Load up to `limit` history records matching `filter`, older than `before`, newest
    /// first; a newer generation makes an older one's result moot (and stops its query).
    LoadHistory {
        generation: u64,
        filter: Filter,
        before: Option<i64>,
        limit: usize,
    },
    /// Load a page of the Team view: everyone's updates from the team log matching `filter`,
    /// after `after` (the last row shown), newest first; answered with `TeamLoaded`/`TeamFailed`.
    LoadTeam {
        generation: u64,
        filter: Filter,
        after: Option<phonely_team::search::Cursor>,
        limit: usize,
    },
    /// Read the earlier updates of a call for the preview and the duplicate guard.
    LoadContext {
        agent: String,
        target: String,
        kind: &'static str,
    },
    /// Look for the same update sent successfully within the duplicate window, then answer
    /// with `Action::Send(SendAction::ConfirmReady)`.
    PrepareSend {
        ready: Box<Ready>,
        resend_of: Option<Box<Record>>,
        window_ms: i64,
        /// Only an update sent under the same profile (account) counts as the same.
        profile: String,
    },
    /// Put text on the clipboard (OSC 52); `what` names it in the "Copied" message.
    Copy { text: String, what: String },
    /// Read a batch file into the queue, reading cells by `rules`.
    LoadQueue {
        path: String,
        rules: crate::api::update::Rules,
    },
    /// Find which of these queue rows (index, update) already went through as they are within
    /// the window, then answer with `Action::Queue(QueueAction::Ready)`.
    PrepareQueue {
        items: Vec<(usize, Ready)>,
        window_ms: i64,
        profile: String,
    },
    /// List the folder `typed` points into (relative to the working folder) and answer with
    /// `Action::Queue(QueueAction::PathListed)`; `apply` for Tab, not when the prompt only
    /// wants the folder.
    CompletePath { typed: String, apply: bool },
    /// Read the outcome labels sent before, most used first (for the pick-list).
    LoadOutcomeLabels,
    /// Turn mouse reporting on (clicks and wheel) or off (the terminal selects text).
    SetMouseCapture(bool),
    /// Keep the form as the draft in the data folder (`None`: remove it). The runtime writes
    /// the last one asked for once the typing pauses, and before it exits.
    SaveDraft(Option<super::draft::Draft>),
    /// Make a profile ready (read its key once; start the sandbox for `sandbox`).
    SwitchProfile { name: String },
    /// The calls list's look-up: wait, fetch, cancel, or read what our history set.
    Calls(super::calls::LookupEffect),
    /// The browse modal's look-up: fetch one page, or stop the one in flight.
    Browse(super::browse::BrowseEffect),
}
