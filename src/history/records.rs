//! Records in `updates`: written `pending` before a send and completed after, read back one at
//! a time, a page at a time, or streamed through a `Filter` (`search.rs` writes its SQL).

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{OptionalExtension, Row, params};

use super::{Filter, HistoryError, Provenance, Record, Result, Store, now_ms, search};
use crate::api::client::{Completion, State};
use crate::api::request::WireRequest;
use crate::api::update::{OutcomeUpdate, Preference};

/// Every column of a record, from `updates` aliased `u`, in `read_row`'s order.
pub(super) const COLUMNS: &str = "u.id, u.session, u.operator, u.profile, u.base_url, u.agent, u.target, \
    u.target_kind, u.preference, u.outcome, u.value, u.metadata, u.method, u.url, u.body, \
    u.state, u.created_ms, u.completed_ms, u.http_status, u.latency_ms, u.verified, \
    u.resolved_call_id, u.message, u.response_body, u.response_truncated, u.sent_ms, \
    u.response_cap, u.batch_id, u.batch_line, u.pinned_call, u.listed_call";

impl Store {
    /// The newest update with exactly this URL and body that went through (✓) under this
    /// profile since `since_ms`: sending it again would change nothing.
    pub fn find_duplicate(
        &self,
        profile: &str,
        agent: &str,
        target: &str,
        url: &str,
        body: &str,
        since_ms: i64,
    ) -> Result<Option<Record>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM updates u WHERE u.agent = ?1 AND u.target = ?2 \
                     AND u.url = ?3 AND u.body = ?4 AND u.state = 'ok' AND u.verified = 1 \
                     AND u.created_ms >= ?5 AND u.profile = ?6 ORDER BY u.id DESC LIMIT 1"
                ),
                params![agent, target, url, body, since_ms, profile],
                read_row,
            )
            .optional()?)
    }

    /// Records an update as `pending`. Call this before the request leaves.
    pub fn insert_pending(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
    ) -> Result<Record> {
        self.insert_pending_in(who, update, request, None)
    }

    /// `insert_pending`, for a row of a batch (`(batch id, line)`).
    pub fn insert_pending_in(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        batch: Option<(i64, usize)>,
    ) -> Result<Record> {
        let id = self.insert_pending_id(who, update, request, batch)?;
        self.get(id)?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Writes a `pending` record and returns its id, without reading it back (the batch writer
    /// calls this for each row of a group, inside one transaction).
    pub fn insert_pending_id(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        batch: Option<(i64, usize)>,
    ) -> Result<i64> {
        let metadata = update.metadata_text();
        self.conn
            .prepare_cached(
                "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
                 target_kind, preference, outcome, value, metadata, method, url, body, state, \
                 created_ms, batch_id, batch_line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                 ?10, ?11, ?12, ?13, ?14, 'pending', ?15, ?16, ?17)",
            )?
            .execute(params![
                self.session,
                who.operator,
                who.profile,
                who.base_url,
                update.agent.as_str(),
                update.target.as_str(),
                update.target.kind(),
                update.target.preference().map(Preference::as_str),
                update.outcome,
                update.value.as_ref().map(ToString::to_string),
                metadata,
                request.method,
                request.url,
                request.body,
                now_ms(),
                batch.map(|(id, _)| id),
                batch.map(|(_, line)| i64::try_from(line).unwrap_or(i64::MAX)),
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Completes a pending record with how its request ended. Returns the updated record.
    pub fn complete(&self, id: i64, completion: &Completion, latency: Duration) -> Result<Record> {
        let done = self
            .get(id)?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))?
            .completed(completion, latency, now_ms());
        self.complete_record(&done)?;
        Ok(done)
    }

    /// Writes how `done` (a record [`Record::completed`] ended) ended over its row, in one
    /// statement that reads nothing: a `send` builds `done` once and gives it to the team log
    /// while this writes it. A missing id is an error.
    pub fn complete_record(&self, done: &Record) -> Result<()> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE updates SET state = ?2, completed_ms = ?3, http_status = ?4, \
                 latency_ms = ?5, verified = ?6, resolved_call_id = ?7, message = ?8, \
                 response_body = ?9, response_truncated = ?10, sent_ms = ?11, response_cap = ?12 \
                 WHERE id = ?1",
            )?
            .execute(params![
                done.id,
                done.state.as_str(),
                done.completed_ms,
                done.http_status,
                done.latency_ms,
                done.verified,
                done.resolved_call_id,
                done.message,
                done.response_body,
                done.response_truncated,
                done.sent_ms,
                done.response_cap,
            ])?;
        if changed == 0 {
            return Err(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows));
        }
        Ok(())
    }

    pub fn get(&self, id: i64) -> Result<Option<Record>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM updates u WHERE u.id = ?1"),
                [id],
                read_row,
            )
            .optional()?)
    }

    /// Outcome labels sent before, with how often, most used first (the pick-list's second
    /// half). Reads the outcome index only.
    pub fn outcome_labels(&self, limit: usize) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT outcome, COUNT(*) AS n FROM updates WHERE outcome IS NOT NULL \
             GROUP BY outcome ORDER BY n DESC, outcome LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Newest first: up to `limit` records older than `before_id` (or the newest, if `None`).
    pub fn page(&self, before_id: Option<i64>, limit: usize) -> Result<Vec<Record>> {
        self.search(&Filter::default(), before_id, limit)
    }

    /// Newest first: up to `limit` records matching `filter`, older than `before_id`.
    pub fn search(
        &self,
        filter: &Filter,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(limit.min(1000));
        self.for_each_matching(filter, before_id, Some(limit), |r| {
            out.push(r.clone());
            Ok(())
        })?;
        Ok(out)
    }

    /// Visits matching records newest first without holding them all in memory; stops quietly
    /// when the output is closed (`BrokenPipe`).
    pub fn for_each_matching(
        &self,
        filter: &Filter,
        before_id: Option<i64>,
        limit: Option<usize>,
        mut visit: impl FnMut(&Record) -> std::io::Result<()>,
    ) -> Result<()> {
        let q = search::to_sql(filter, before_id);
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let mut stmt = self.conn.prepare_cached(&q.sql(limit))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(q.params.iter()))?;
        while let Some(row) = rows.next()? {
            let record = read_row(row)?;
            if let Err(e) = visit(&record) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(());
                }
                return Err(HistoryError::Io {
                    path: PathBuf::from("<output>"),
                    source: e,
                });
            }
        }
        Ok(())
    }
}

pub(super) fn read_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    let state: String = row.get(15)?;
    Ok(Record {
        id: row.get(0)?,
        session: row.get(1)?,
        operator: row.get(2)?,
        profile: row.get(3)?,
        base_url: row.get(4)?,
        agent: row.get(5)?,
        target: row.get(6)?,
        target_kind: row.get(7)?,
        preference: row.get(8)?,
        outcome: row.get(9)?,
        value: row.get(10)?,
        metadata: row.get(11)?,
        method: row.get(12)?,
        url: row.get(13)?,
        body: row.get(14)?,
        state: State::parse(&state).unwrap_or(State::Unknown),
        created_ms: row.get(16)?,
        completed_ms: row.get(17)?,
        http_status: row.get(18)?,
        latency_ms: row.get(19)?,
        verified: row.get(20)?,
        resolved_call_id: row.get(21)?,
        message: row.get(22)?,
        response_body: row.get(23)?,
        response_truncated: row.get(24)?,
        sent_ms: row.get(25)?,
        response_cap: row.get(26)?,
        batch_id: row.get(27)?,
        batch_line: row.get(28)?,
        pinned_call: row.get(29)?,
        listed_call: row.get(30)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::{BODY_CAP, HttpResponse};
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};
    use crate::history::tests::{add, ids, sample, who};

    #[test]
    fn pending_then_completed() {
        let store = Store::open_in_memory("s1").unwrap();
        let (u, r) = sample();
        let rec = store.insert_pending(&who(), &u, &r).unwrap();
        assert_eq!(rec.state, State::Pending);
        assert_eq!(rec.target_kind, "phone");
        assert_eq!(rec.preference.as_deref(), Some("first"));
        assert_eq!(rec.value.as_deref(), Some("299"));
        assert_eq!(rec.metadata.as_deref(), Some(r#"{"b":1,"a":2}"#));
        let done = store
            .complete(
                rec.id,
                &Completion::Answered(HttpResponse {
                    status: 200,
                    body: r#"{"success":true,"call_id":"c1","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
                    truncated: false,
                    retry_after: None,
                }),
                Duration::from_millis(42),
            )
            .unwrap();
        assert_eq!(done.state, State::Ok);
        assert!(done.verified);
        assert_eq!(done.http_status, Some(200));
        assert_eq!(done.latency_ms, Some(42));
        assert_eq!(done.resolved_call_id.as_deref(), Some("c1"));
    }

    /// `api::factory` builds, without SQLite, the very records the store writes: pending, then
    /// completed each way a request can end, for a phone with a preference and for a call id.
    #[test]
    fn the_factory_builds_the_records_the_store_writes() {
        let call = validate(&UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "No answer",
            ..UpdateInput::default()
        })
        .unwrap();
        let call_request = build(&call, &BaseUrl::default());
        let (phone, phone_request) = sample();
        let endings = [
            Completion::Answered(HttpResponse {
                status: 200,
                body: r#"{"success":true,"call_id":"c1","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
                truncated: false,
                retry_after: None,
            }),
            Completion::Answered(HttpResponse {
                status: 429,
                body: r#"{"message":"slow down"}"#.into(),
                truncated: true,
                retry_after: Some("7".into()),
            }),
            Completion::NotSent("connection refused".into()),
            Completion::NoAnswer("timed out".into()),
            Completion::Cancelled,
        ];
        let store = Store::open_in_memory("s1").unwrap();
        for (update, request) in [(&phone, &phone_request), (&call, &call_request)] {
            for ending in &endings {
                let stored = store.insert_pending(&who(), update, request).unwrap();
                let built = crate::api::factory::pending(
                    stored.id,
                    "s1",
                    &who(),
                    update,
                    request,
                    stored.created_ms,
                );
                assert_eq!(built, stored);
                let done = store
                    .complete(stored.id, ending, Duration::from_millis(42))
                    .unwrap();
                let built = crate::api::factory::completed(
                    built,
                    ending,
                    Duration::from_millis(42),
                    done.completed_ms.unwrap(),
                );
                assert_eq!(built, done, "{ending:?}");
                // And the row reads back as that record.
                assert_eq!(store.get(stored.id).unwrap(), Some(done), "{ending:?}");
            }
        }
    }

    #[test]
    fn pages_newest_first() {
        let store = Store::open_in_memory("s1").unwrap();
        let (u, r) = sample();
        let ids: Vec<i64> = (0..5)
            .map(|_| store.insert_pending(&who(), &u, &r).unwrap().id)
            .collect();
        let first = store.page(None, 2).unwrap();
        assert_eq!(
            first.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[4], ids[3]]
        );
        let next = store.page(Some(ids[3]), 10).unwrap();
        assert_eq!(
            next.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[2], ids[1], ids[0]]
        );
    }

    #[test]
    fn search_by_words_states_and_keys() {
        let store = Store::open_in_memory("s").unwrap();
        let a = add(
            &store,
            "agent123",
            "call456",
            "Sold",
            r#"{"notes":"very interested"}"#,
        );
        let b = add(&store, "agent123", "+14155551234", "No Sale", "");
        let c = add(&store, "agent-west", "call789", "Sold", "");
        let search = |q: &str| {
            ids(&store
                .search(&Filter::parse_query(q).unwrap(), None, 10)
                .unwrap())
        };
        assert_eq!(search("interested"), [a.id], "metadata is searched");
        assert_eq!(search("INTERESTED"), [a.id], "case does not matter");
        assert_eq!(search("sold"), [c.id, a.id], "newest first");
        assert_eq!(search("sold west"), [c.id], "every word must match");
        assert_eq!(search("55512"), [b.id], "substrings of a phone number");
        assert_eq!(search("we"), [c.id], "short words work too");
        assert_eq!(search("state:pending"), [c.id, b.id, a.id]);
        assert!(search("state:ok").is_empty());
        assert!(search("zzz").is_empty());
        // Paging continues below the last id seen.
        let f = Filter::parse_query("sold").unwrap();
        assert_eq!(ids(&store.search(&f, Some(c.id), 10).unwrap()), [a.id]);
        // Exact keys, for the command line.
        let f = Filter {
            agent: Some("agent123".into()),
            outcome: Some("Sold".into()),
            ..Filter::default()
        };
        assert_eq!(ids(&store.search(&f, None, 10).unwrap()), [a.id]);
        let f = Filter {
            call: Some("call456".into()),
            ..Filter::default()
        };
        assert_eq!(ids(&store.search(&f, None, 10).unwrap()), [a.id]);
    }

    #[test]
    fn the_resolved_call_id_is_searchable_once_known() {
        let store = Store::open_in_memory("s").unwrap();
        let r = add(&store, "agent123", "+14155551234", "Sold", "");
        let f = Filter::parse_query("call-last-415").unwrap();
        assert!(store.search(&f, None, 10).unwrap().is_empty());
        store
            .complete(
                r.id,
                &Completion::Answered(HttpResponse {
                    status: 200,
                    body: r#"{"success":true,"call_id":"call-last-415","updated_fields":["custom_call_outcome"]}"#.into(),
                    truncated: false,
                    retry_after: None,
                }),
                Duration::from_millis(5),
            )
            .unwrap();
        assert_eq!(ids(&store.search(&f, None, 10).unwrap()), [r.id]);
        let by_call = Filter {
            call: Some("call-last-415".into()),
            ..Filter::default()
        };
        assert_eq!(ids(&store.search(&by_call, None, 10).unwrap()), [r.id]);
        let done = store.get(r.id).unwrap().unwrap();
        assert_eq!(done.response_cap, Some(i64::try_from(BODY_CAP).unwrap()));
        assert!(done.sent_ms.unwrap() <= done.completed_ms.unwrap());
    }
}
