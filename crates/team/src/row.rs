//! One update as the team log holds it: the local history's fields (never the API key), the UUID
//! the client made for it and the operator's name. Plain data, serialisable for the outbox and
//! for `history --team`'s JSON.

use phonely_core::outcome::State;
use phonely_core::record::Record;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamRow {
    pub uuid: Uuid,
    pub operator: String,
    pub session: String,
    pub profile: String,
    pub base_url: String,
    pub agent: String,
    pub target: String,
    pub target_kind: String,
    pub preference: Option<String>,
    pub outcome: Option<String>,
    pub value: Option<String>,
    pub metadata: Option<String>,
    pub method: String,
    pub url: String,
    pub body: String,
    /// [`State::as_str`].
    pub state: String,
    pub created_ms: i64,
    pub sent_ms: Option<i64>,
    pub completed_ms: Option<i64>,
    pub http_status: Option<i32>,
    pub latency_ms: Option<i64>,
    pub verified: bool,
    pub resolved_call_id: Option<String>,
    pub message: Option<String>,
    pub response_body: Option<String>,
    pub response_truncated: bool,
    pub response_cap: Option<i64>,
    pub batch_line: Option<i64>,
    /// `send --pin`: the call a phone target was pinned to (schema 4; absent in older outbox
    /// entries).
    #[serde(default)]
    pub pinned_call: Option<String>,
}

impl TeamRow {
    /// The team log's copy of a local record, under `uuid`, recorded as `operator` (the team
    /// name may differ from the OS user the local history keeps).
    pub fn from_record(uuid: Uuid, operator: &str, r: &Record) -> Self {
        TeamRow {
            uuid,
            operator: operator.to_string(),
            session: r.session.clone(),
            profile: r.profile.clone(),
            base_url: r.base_url.clone(),
            agent: r.agent.clone(),
            target: r.target.clone(),
            target_kind: r.target_kind.clone(),
            preference: r.preference.clone(),
            outcome: r.outcome.clone(),
            value: r.value.clone(),
            metadata: r.metadata.clone(),
            method: r.method.clone(),
            url: r.url.clone(),
            body: r.body.clone(),
            state: r.state.as_str().to_string(),
            created_ms: r.created_ms,
            sent_ms: r.sent_ms,
            completed_ms: r.completed_ms,
            http_status: r.http_status.map(i32::from),
            latency_ms: r.latency_ms,
            verified: r.verified,
            resolved_call_id: r.resolved_call_id.clone(),
            message: r.message.clone(),
            response_body: r.response_body.clone(),
            response_truncated: r.response_truncated,
            response_cap: r.response_cap,
            batch_line: r.batch_line,
            pinned_call: r.pinned_call.clone(),
        }
    }

    /// The row as a `Record`, for the views that draw records (`mark`, `set_text`, …). `id` is
    /// 0 and `batch_id` `None`: those are local numbers the team log does not have.
    pub fn to_record(&self) -> Record {
        Record {
            id: 0,
            session: self.session.clone(),
            operator: self.operator.clone(),
            profile: self.profile.clone(),
            base_url: self.base_url.clone(),
            agent: self.agent.clone(),
            target: self.target.clone(),
            target_kind: self.target_kind.clone(),
            preference: self.preference.clone(),
            outcome: self.outcome.clone(),
            value: self.value.clone(),
            metadata: self.metadata.clone(),
            method: self.method.clone(),
            url: self.url.clone(),
            body: self.body.clone(),
            state: self.state(),
            created_ms: self.created_ms,
            sent_ms: self.sent_ms,
            completed_ms: self.completed_ms,
            http_status: self.http_status.and_then(|s| u16::try_from(s).ok()),
            latency_ms: self.latency_ms,
            verified: self.verified,
            resolved_call_id: self.resolved_call_id.clone(),
            message: self.message.clone(),
            response_body: self.response_body.clone(),
            response_truncated: self.response_truncated,
            response_cap: self.response_cap,
            batch_id: None,
            batch_line: self.batch_line,
            pinned_call: self.pinned_call.clone(),
            // The team log does not keep what a workbench's calls list showed.
            listed_call: None,
        }
    }

    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Unknown)
    }

    pub fn is_pending(&self) -> bool {
        self.state == State::Pending.as_str()
    }

    /// The same update as pending: what is written before the request leaves.
    #[must_use]
    pub fn as_pending(&self) -> Self {
        TeamRow {
            state: State::Pending.as_str().to_string(),
            sent_ms: None,
            completed_ms: None,
            http_status: None,
            latency_ms: None,
            verified: false,
            resolved_call_id: None,
            message: None,
            response_body: None,
            response_truncated: false,
            response_cap: None,
            ..self.clone()
        }
    }

    /// True when `other` records the same result (a completion pushed twice).
    pub fn same_result(&self, other: &TeamRow) -> bool {
        self.state == other.state
            && self.completed_ms == other.completed_ms
            && self.http_status == other.http_status
            && self.message == other.message
    }
}
