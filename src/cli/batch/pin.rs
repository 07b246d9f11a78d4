//! `batch --pin` and a file's `pin` column: before anything is sent, the calls from each
//! distinct (agent, phone) among the rows to pin are looked up once (a few look-ups at a time,
//! with the run's client, key and timeout), and each row is pinned to the call its own
//! preference picks (`first`/`last` by start time). A row whose number has no call, or whose
//! look-up failed, is not sent and says why.

use std::collections::HashMap;

use futures::StreamExt as _;

use crate::api::calls::{CallSummary, ListQuery, pick};
use crate::api::client::{Client, one_line};
use crate::api::inert::inert;
use crate::api::key::ApiKey;
use crate::api::list::{ListError, list_all};
use crate::api::request::BaseUrl;
use crate::api::update::{CallId, Target};
use crate::batch::Row;
use crate::batch::engine::{RowResult, request_text};

/// Look-ups in flight at once.
const AT_ONCE: usize = 4;

/// The rows after their look-ups: those to send (pinned ones with their call), and the rows
/// that are not sent, each with why.
pub(super) struct Pinned {
    pub rows: Vec<Row>,
    pub not_sent: Vec<RowResult>,
    /// How many look-ups were made (one per agent and phone).
    pub lookups: usize,
}

/// `--pin` asks it of every row by phone (a row by call ID is one call already).
pub(super) fn pin_every_phone_row(rows: &mut [Row]) {
    for row in rows {
        if matches!(row.update.target, Target::Phone { .. }) {
            row.pin = true;
        }
    }
}

/// Looks up the calls of every (agent, phone) among the rows with `pin`, once each, and pins
/// each such row to the call its preference picks. Each row not sent is said on standard
/// error.
pub(super) async fn pin_rows(
    client: &Client,
    key: &ApiKey,
    base: &BaseUrl,
    rows: Vec<Row>,
) -> Pinned {
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut queries = Vec::new();
    for row in rows.iter().filter(|r| r.pin) {
        if let Target::Phone { phone, .. } = &row.update.target {
            let pair = (
                row.update.agent.as_str().to_string(),
                phone.as_str().to_string(),
            );
            if !wanted.contains(&pair) {
                wanted.push(pair);
                let mut query = ListQuery::new(row.update.agent.clone());
                query.phone = Some(phone.clone());
                queries.push(query);
            }
        }
    }
    let lookups = queries.len();
    let found: HashMap<(String, String), Result<Vec<CallSummary>, ListError>> =
        futures::stream::iter(queries.into_iter().map(|query| async move {
            let phone = query.phone.clone();
            let mut calls = list_all(client, base, &query, key).await;
            // Only calls that say they are from this number: a server that ignored the filter
            // must not have another number's call picked.
            if let (Ok(calls), Some(phone)) = (&mut calls, &phone) {
                calls.retain(|c| c.is_from(phone));
            }
            let pair = (
                query.agent.as_str().to_string(),
                phone.map(|p| p.as_str().to_string()).unwrap_or_default(),
            );
            (pair, calls)
        }))
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut kept = Vec::with_capacity(rows.len());
    let mut not_sent = Vec::new();
    for mut row in rows {
        let Target::Phone { phone, preference } = &row.update.target else {
            kept.push(row);
            continue;
        };
        if !row.pin {
            kept.push(row);
            continue;
        }
        let pair = (
            row.update.agent.as_str().to_string(),
            phone.as_str().to_string(),
        );
        let agent = one_line(row.update.agent.as_str(), 80);
        let why = match found.get(&pair) {
            Some(Ok(calls)) => match pick(calls, *preference) {
                Some(call) => match CallId::parse(call.id.as_deref().unwrap_or_default()) {
                    Ok(id) => {
                        row.pinned = Some(id);
                        kept.push(row);
                        continue;
                    }
                    Err(m) => format!(
                        "not sent: Phonely listed the {} call from {phone} with an ID that \
                         cannot be sent ({m}), so there is no call to pin",
                        preference.as_str(),
                    ),
                },
                None => format!(
                    "not sent: Phonely lists no call from {phone} for agent {agent}, so there \
                     is no call to pin"
                ),
            },
            Some(Err(e)) => format!(
                "not sent: the calls from {phone} could not be looked up to pin one ({})",
                e.message().trim_end_matches('.')
            ),
            None => "not sent: the calls from this number were not looked up".to_string(),
        };
        let result = RowResult::not_sent(row.line, request_text(&row), why, Some("not_sent"));
        eprintln!(
            "{}",
            inert(&format!(
                "{} line {} {agent} {phone}: {}",
                result.state.mark(),
                row.line,
                result.message
            ))
        );
        not_sent.push(result);
    }
    Pinned {
        rows: kept,
        not_sent,
        lookups,
    }
}

/// The line said for the first pinned row (a dry run): which call it goes to.
pub(super) fn first_pinned_note(rows: &[Row]) -> Option<String> {
    let row = rows.iter().find(|r| r.pinned.is_some())?;
    let (Target::Phone { phone, preference }, Some(call)) = (&row.update.target, &row.pinned)
    else {
        return None;
    };
    Some(
        inert(&format!(
            "Pinned: line {}: the {} call from {phone} for agent {} is call {}; the request goes \
         to that call's ID",
            row.line,
            preference.as_str(),
            one_line(row.update.agent.as_str(), 80),
            call.as_str()
        ))
        .into_owned(),
    )
}
