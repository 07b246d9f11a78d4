//! Records without a database, for tests and benches: `pending` and `completed` build the
//! `Record` the history would hold after `insert_pending` and `complete`, field for field
//! (a test in `history` keeps them in step), so a test that needs a record opens no SQLite.
//! `provenance` is who test records are from; `update` a valid update from the form's text.

use std::time::Duration;

use super::outcome::Completion;
use super::record::{Provenance, Record};
use super::request::WireRequest;
use super::update::{OutcomeUpdate, UpdateInput, validate};

/// Who test records are from: operator `tester`, profile `sandbox`, a loopback URL nothing
/// listens on.
pub fn provenance() -> Provenance {
    Provenance {
        operator: "tester".into(),
        profile: "sandbox".into(),
        base_url: "http://127.0.0.1:1".into(),
    }
}

/// A valid update from the form's text (`agent`, `target`, `outcome`; the rest as `input`
/// has it). For tests: an input the form would refuse is a mistake in the test, and panics
/// with every field error.
pub fn update(input: &UpdateInput) -> OutcomeUpdate {
    match validate(input) {
        Ok(update) => update,
        Err(errors) => panic!("a test's update is invalid: {errors:?}"),
    }
}

/// The record `Store::insert_pending` writes: `pending`, recorded at `created_ms`, number `id`,
/// by `session`.
pub fn pending(
    id: i64,
    session: &str,
    who: &Provenance,
    update: &OutcomeUpdate,
    request: &WireRequest,
    created_ms: i64,
) -> Record {
    Record {
        id,
        session: session.to_string(),
        operator: who.operator.clone(),
        profile: who.profile.clone(),
        base_url: who.base_url.clone(),
        agent: update.agent.as_str().to_string(),
        target: update.target.as_str().to_string(),
        target_kind: update.target.kind().to_string(),
        preference: update.target.preference().map(|p| p.as_str().to_string()),
        outcome: update.outcome.clone(),
        value: update.value.as_ref().map(ToString::to_string),
        metadata: update.metadata_text(),
        method: request.method.to_string(),
        url: request.url.clone(),
        body: request.body.clone(),
        state: super::outcome::State::Pending,
        created_ms,
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
        batch_id: None,
        batch_line: None,
        pinned_call: None,
        listed_call: None,
    }
}

/// The record `Store::complete` leaves: `record` ended with `completion` after `latency`, at
/// `now_ms` ([`Record::completed`]).
pub fn completed(
    record: Record,
    completion: &Completion,
    latency: Duration,
    now_ms: i64,
) -> Record {
    record.completed(completion, latency, now_ms)
}
