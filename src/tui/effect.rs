//! `Effect`: side effects described as data. `update` returns them; only the runtime runs them.

use super::action::RequestId;
use crate::api::request::WireRequest;
use crate::api::update::OutcomeUpdate;

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
    },
    /// Stop waiting for a request; its record is completed as cancelled.
    CancelSend { id: RequestId },
    /// Load up to `limit` history records older than `before` (newest first).
    LoadHistory { before: Option<i64>, limit: usize },
    /// Make a profile ready (read its key once; start the sandbox for `sandbox`).
    SwitchProfile { name: String },
}
