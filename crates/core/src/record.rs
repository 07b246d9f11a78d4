//! What the history holds, as plain data: a `Record` (one update and how it ended), a `Batch`,
//! and the `Provenance` recorded with a send. The SQLite store (`history`) reads and writes
//! them; the workbench, the CLI and tests use them without a database.

use serde::Serialize;

use std::time::Duration;

use super::outcome::{BODY_CAP, Completion, State, classify};
use super::request::WireRequest;

/// A batch file as the history recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub id: i64,
    pub file: String,
    pub file_hash: String,
    pub rows: i64,
    pub operator: String,
    pub profile: String,
    pub base_url: String,
    pub created_ms: i64,
}

/// One update as the audit log holds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub id: i64,
    pub session: String,
    pub operator: String,
    pub profile: String,
    pub base_url: String,
    pub agent: String,
    pub target: String,
    pub target_kind: String,
    pub preference: Option<String>,
    pub outcome: Option<String>,
    /// The value as its JSON number text (`299`, `299.5`).
    pub value: Option<String>,
    /// Compact JSON text.
    pub metadata: Option<String>,
    pub method: String,
    pub url: String,
    pub body: String,
    #[serde(serialize_with = "ser_state")]
    pub state: State,
    /// Milliseconds since the Unix epoch, UTC: recorded (just before sending).
    pub created_ms: i64,
    /// When the request left (completion time less latency).
    pub sent_ms: Option<i64>,
    pub completed_ms: Option<i64>,
    pub http_status: Option<u16>,
    pub latency_ms: Option<i64>,
    pub verified: bool,
    pub resolved_call_id: Option<String>,
    pub message: Option<String>,
    pub response_body: Option<String>,
    pub response_truncated: bool,
    /// The body cap in force when the response was stored, in bytes.
    pub response_cap: Option<i64>,
    /// The batch this update was a row of (`batch`), and the row's line in its file.
    pub batch_id: Option<i64>,
    pub batch_line: Option<i64>,
    /// `send --pin`: the call a look-up of the phone picked (`target` keeps the phone typed,
    /// the URL goes to this call's ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_call: Option<String>,
    /// A send by phone from the workbench with the calls list on screen: the call the list
    /// said `preference` would hit (compared with `resolved_call_id`: [`Record::mismatch`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_call: Option<String>,
}

/// "Phonely updated call X; the list showed Y as last" when Phonely's answer names another
/// call than the list showed for `preference`; `None` when they agree or the answer names
/// none. Both ids are made inert.
pub fn call_mismatch(answered: Option<&str>, listed: &str, preference: &str) -> Option<String> {
    let answered = answered?.trim();
    if answered.is_empty() || answered == listed {
        return None;
    }
    Some(format!(
        "Phonely updated call {}; the list showed {} as {preference}",
        crate::outcome::one_line(answered, 60),
        crate::outcome::one_line(listed, 60),
    ))
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes fields by reference
fn ser_state<S: serde::Serializer>(state: &State, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(state.as_str())
}

impl Record {
    /// This (pending) record ended with `completion` after `latency`, at `now_ms`: the record
    /// `Store::complete` leaves, field for field, built without the database, so a send can
    /// give it to the team log while the history writes it.
    #[must_use]
    pub fn completed(self, completion: &Completion, latency: Duration, now_ms: i64) -> Record {
        let verdict = classify(&self.fields(), completion);
        let (body, truncated, cap) = match completion {
            Completion::Answered(r) => (
                Some(r.body.clone()),
                r.truncated,
                i64::try_from(BODY_CAP).ok(),
            ),
            _ => (None, false, None),
        };
        let latency_ms = i64::try_from(latency.as_millis()).unwrap_or(i64::MAX);
        Record {
            state: verdict.state,
            completed_ms: Some(now_ms),
            http_status: verdict.http_status,
            latency_ms: Some(latency_ms),
            verified: verdict.verified,
            resolved_call_id: verdict.call_id,
            message: Some(verdict.message),
            response_body: body,
            response_truncated: truncated,
            sent_ms: Some(now_ms.saturating_sub(latency_ms)),
            response_cap: cap,
            ..self
        }
    }

    /// One character for the state ([`State::mark`]).
    pub fn mark(&self) -> &'static str {
        self.state.mark()
    }

    /// What came of it, in a few words for a list. The server's words are made inert
    /// ([`crate::inert`]): this is shown on terminals.
    pub fn result_text(&self) -> String {
        let message = crate::inert::inert(self.message.as_deref().unwrap_or_default()).into_owned();
        match self.state {
            State::Ok => "updated".to_string(),
            State::Unconfirmed | State::Refused => message,
            State::NetworkError => format!("no response: {message}"),
            State::Pending => "sending…".to_string(),
            State::Cancelled => "cancelled (may be applied)".to_string(),
            State::Unknown => "outcome unknown: check first".to_string(),
        }
    }

    /// What it set, short: `Sold · 299 · {…}`.
    pub fn set_text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(o) = &self.outcome {
            parts.push(o.clone());
        }
        if let Some(v) = &self.value {
            parts.push(v.clone());
        }
        if self.metadata.is_some() {
            parts.push("{…}".to_string());
        }
        parts.join(" · ")
    }

    /// The call Phonely updated was not the one the calls list showed (`listed_call`): what to
    /// say, for the history pane, its detail and `history show`.
    pub fn mismatch(&self) -> Option<String> {
        call_mismatch(
            self.resolved_call_id.as_deref(),
            self.listed_call.as_deref()?,
            self.preference.as_deref().unwrap_or("last"),
        )
    }

    /// `agent/target`, with the preference for phone targets.
    pub fn target_text(&self) -> String {
        if let (Some(call), Some(p)) = (&self.pinned_call, &self.preference) {
            return format!("{}/{} ({p} → call {call})", self.agent, self.target);
        }
        match &self.preference {
            Some(p) => format!("{}/{} ({p})", self.agent, self.target),
            None => format!("{}/{}", self.agent, self.target),
        }
    }

    /// The request as it was sent: the recorded method, URL and body with the headers every
    /// request carries (never the key).
    pub fn request(&self) -> WireRequest {
        WireRequest {
            method: "PATCH",
            url: self.url.clone(),
            headers: crate::request::headers(),
            body: self.body.clone(),
        }
    }

    /// The wire names of the fields this record set.
    pub fn fields(&self) -> crate::update::Fields {
        crate::update::fields_present(
            self.outcome.is_some(),
            self.value.is_some(),
            self.metadata.is_some(),
        )
    }
}

/// Who and where an update is sent from, recorded with it.
#[derive(Clone, Debug)]
pub struct Provenance {
    pub operator: String,
    pub profile: String,
    pub base_url: String,
}
