//! Importing a finished run's journal into `updates` (one transaction, one insert per row in
//! its final state), and the runs still going (`live`).

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension as _, params};
use serde::Deserialize;

use super::{DIED, DIR};
use crate::api::client::{BODY_CAP, Completion, classify};
use crate::api::outcome::State;
use crate::api::record::Record;
use crate::history::{Result, SessionLock, Store, now_ms};

/// The first line: whose journal this is (written by [`Journal::create`]). Read once per
/// journal ([`Header::read`]); every row takes its owner from it.
#[derive(Debug, Deserialize)]
pub struct Header {
    // Its first key, `"journal":1`, is the format's version: for a later format to tell.
    pub batch: i64,
    session: String,
    operator: String,
    profile: String,
    base_url: String,
}

impl Header {
    /// A journal's first line, read; `None` when it cannot be.
    pub fn read(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }
}

/// A row about to be sent (written by [`Journal::pending`]).
#[derive(Deserialize)]
struct Pending<'a> {
    /// The row's number in this run (0, 1, …): its ending refers to it.
    p: usize,
    line: usize,
    #[serde(borrow)]
    agent: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    target: std::borrow::Cow<'a, str>,
    kind: std::borrow::Cow<'a, str>,
    pref: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    outcome: Option<std::borrow::Cow<'a, str>>,
    value: Option<String>,
    #[serde(borrow)]
    metadata: Option<std::borrow::Cow<'a, str>>,
    /// The call a pinned row was sent to (absent for other rows and older journals).
    #[serde(borrow, default)]
    pinned: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    method: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    url: std::borrow::Cow<'a, str>,
    /// The body as a string, or (`body_json`) as the JSON it is, written as it is.
    #[serde(borrow, default)]
    body: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    body_json: Option<&'a serde_json::value::RawValue>,
    at: i64,
}

/// How a row's request ended: the answer, or why there was none (written by
/// [`Journal::ended`]). The verdict is not written: the import asks `classify`, as the run did.
#[derive(Deserialize)]
struct Ended<'a> {
    c: usize,
    ms: i64,
    at: i64,
    status: Option<u16>,
    /// The answer's body as a string, or (`response_json`) as the JSON it is.
    #[serde(borrow, default)]
    response: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    response_json: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    truncated: bool,
    #[serde(borrow, default)]
    retry_after: Option<std::borrow::Cow<'a, str>>,
    /// Without an answer: `not_sent`, `no_answer` or `cancelled`, and why.
    #[serde(borrow, default)]
    failed: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    why: Option<std::borrow::Cow<'a, str>>,
}

/// A row's ending as the history stores it: the completion, and the verdict `classify` gives
/// it for the fields the row sent (the one the run gave).
struct End {
    at: i64,
    ms: i64,
    completion: Completion,
    verdict: crate::api::client::Verdict,
}

impl End {
    fn of(ended: &Ended, pending: &Pending) -> Self {
        let completion = ended.completion();
        let fields = crate::api::update::fields_present(
            pending.outcome.is_some(),
            pending.value.is_some(),
            pending.metadata.is_some(),
        );
        Self {
            at: ended.at,
            ms: ended.ms,
            verdict: classify(&fields, &completion),
            completion,
        }
    }

    fn answer(&self) -> Option<&crate::api::client::HttpResponse> {
        match &self.completion {
            Completion::Answered(r) => Some(r),
            _ => None,
        }
    }
}

impl Ended<'_> {
    fn completion(&self) -> Completion {
        let why = || self.why.as_deref().unwrap_or_default().to_string();
        match (self.status, self.failed.as_deref()) {
            (Some(status), _) => Completion::Answered(crate::api::client::HttpResponse {
                status,
                body: self
                    .response_json
                    .map(serde_json::value::RawValue::get)
                    .or(self.response.as_deref())
                    .unwrap_or_default()
                    .to_string(),
                truncated: self.truncated,
                retry_after: self.retry_after.as_deref().map(str::to_string),
            }),
            (None, Some("not_sent")) => Completion::NotSent(why()),
            (None, Some("cancelled")) => Completion::Cancelled,
            (None, _) => Completion::NoAnswer(why()),
        }
    }
}

/// What importing one journal did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub batch: i64,
    pub rows: usize,
    /// Rows whose ending was never written: imported as "outcome unknown".
    pub unknown: usize,
    /// Lines that could not be read (a line cut short by a failed write): skipped.
    pub unreadable: usize,
}

/// A journal that is not imported yet, and whose run is still going.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Live {
    pub batch: i64,
    pub session: String,
    pub path: PathBuf,
}

impl Live {
    /// How far the run has got: rows recorded, and rows whose ending is written.
    pub fn progress(&self) -> (usize, usize) {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        text.lines().fold((0, 0), |(p, c), l| {
            (
                p + usize::from(l.starts_with("{\"p\":")),
                c + usize::from(l.starts_with("{\"c\":")),
            )
        })
    }
}

/// The journal files in `data_dir`, oldest first.
fn journal_files(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(data_dir.join(DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

/// Reads the first line of a journal (its owner), if it has a readable one.
fn read_header(path: &Path) -> Option<(i64, String)> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(path).ok()?;
    let mut first = String::new();
    std::io::BufReader::new(file).read_line(&mut first).ok()?;
    let header = Header::read(first.trim_end())?;
    Some((header.batch, header.session))
}

/// The runs still writing a journal (their session lock is held): batches being sent now.
pub fn live(data_dir: &Path) -> Vec<Live> {
    journal_files(data_dir)
        .into_iter()
        .filter_map(|path| {
            let (batch, session) = read_header(&path)?;
            SessionLock::is_alive(data_dir, &session).then_some(Live {
                batch,
                session,
                path,
            })
        })
        .collect()
}

impl Store {
    /// Imports the journals of runs that have ended (their session lock is free) into
    /// `updates`, oldest first, each in one transaction, and removes them. A journal already
    /// imported (the process died before removing it) is only removed.
    pub fn import_journals(&self, data_dir: &Path) -> Result<Vec<Imported>> {
        let mut done = Vec::new();
        for path in journal_files(data_dir) {
            let Some((_, session)) = read_header(&path) else {
                // No readable first line: the run died before writing it, so nothing of it was
                // sent. An empty file is removed; anything else is left for a person to see.
                if std::fs::metadata(&path).is_ok_and(|m| m.len() == 0) {
                    let _ = std::fs::remove_file(&path);
                }
                continue;
            };
            if session == self.session || SessionLock::is_alive(data_dir, &session) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                // Unreadable now (permissions, a full disk): left for the next opening.
                tracing::warn!(path = %path.display(), "batch journal could not be read");
                continue;
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match self.in_transaction(|s| s.import_one(&name, &text)) {
                Ok(Some(imported)) => {
                    tracing::info!(
                        batch = imported.batch,
                        rows = imported.rows,
                        unknown = imported.unknown,
                        unreadable = imported.unreadable,
                        "batch journal imported into the history"
                    );
                    done.push(imported);
                }
                Ok(None) => {}
                // Another process holds the database: the next opening tries again.
                Err(e) if e.is_busy() => continue,
                // One journal the database refuses (its batch is not in this database, say)
                // must not keep the history from opening: it is set aside, kept for a person.
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "batch journal set aside");
                    let _ = std::fs::rename(&path, path.with_extension("jsonl.failed"));
                    continue;
                }
            }
            let _ = std::fs::remove_file(&path);
        }
        Ok(done)
    }

    /// One journal's rows, inside the caller's transaction. `None` if it was imported before.
    fn import_one(&self, name: &str, text: &str) -> Result<Option<Imported>> {
        let seen: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM journals_imported WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if seen.is_some() {
            return Ok(None);
        }
        let Some(read) = read(text) else {
            return Ok(None);
        };
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
             target_kind, preference, outcome, value, metadata, method, url, body, state, \
             created_ms, batch_id, batch_line, completed_ms, http_status, latency_ms, verified, \
             resolved_call_id, message, response_body, response_truncated, sent_ms, \
             response_cap, pinned_call) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
             ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, \
             ?29)",
        )?;
        for r in &read.rows {
            insert.execute(params![
                r.session,
                r.operator,
                r.profile,
                r.base_url,
                r.agent,
                r.target,
                r.target_kind,
                r.preference,
                r.outcome,
                r.value,
                r.metadata,
                r.method,
                r.url,
                r.body,
                r.state.as_str(),
                r.created_ms,
                r.batch_id,
                r.batch_line,
                r.completed_ms,
                r.http_status,
                r.latency_ms,
                r.verified,
                r.resolved_call_id,
                r.message,
                r.response_body,
                r.response_truncated,
                r.sent_ms,
                r.response_cap,
                r.pinned_call,
            ])?;
        }
        self.conn.execute(
            "INSERT INTO journals_imported (name, batch_id, rows, imported_ms) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                name,
                read.batch,
                i64::try_from(read.rows.len()).unwrap_or(i64::MAX),
                now_ms()
            ],
        )?;
        Ok(Some(Imported {
            batch: read.batch,
            rows: read.rows.len(),
            unknown: read.unknown,
            unreadable: read.unreadable,
        }))
    }
}

/// A journal read back: its batch and its rows as the history holds them once imported (`id`
/// 0: the history numbers them when it inserts them), oldest first.
#[derive(Debug)]
pub struct Read {
    pub batch: i64,
    pub rows: Vec<Record>,
    /// Rows whose ending was never written: "outcome unknown".
    pub unknown: usize,
    /// Lines that could not be read (a line cut short by a failed write): skipped.
    pub unreadable: usize,
}

/// Reads a journal's text into the records its import makes (the import and the team log both
/// take them from here, so the two cannot disagree). `None` without a readable first line.
pub fn read(text: &str) -> Option<Read> {
    let mut lines = text.lines();
    let header = lines.next().and_then(Header::read)?;
    let mut pending: Vec<Pending> = Vec::new();
    let mut ended: std::collections::HashMap<usize, Ended> = std::collections::HashMap::new();
    let mut unreadable = 0;
    for line in lines.filter(|l| !l.trim().is_empty()) {
        // The first key says which kind of line (a `RawValue` cannot sit in an untagged
        // enum, so the kinds are told apart here).
        let read = if matches!(line_row(line), Some((true, _))) {
            serde_json::from_str::<Pending>(line).map(|p| pending.push(p))
        } else {
            serde_json::from_str::<Ended>(line).map(|e| {
                ended.insert(e.c, e);
            })
        };
        if read.is_err() {
            unreadable += 1;
        }
    }
    let mut unknown = 0;
    let rows = pending
        .into_iter()
        .map(|p| {
            let end = ended.get(&p.p).map(|e| End::of(e, &p));
            if end.is_none() {
                unknown += 1;
            }
            record(&header, p, end.as_ref())
        })
        .collect();
    Some(Read {
        batch: header.batch,
        rows,
        unknown,
        unreadable,
    })
}

/// Which row a line is about: `Some((true, seq))` for a row's pending line, `Some((false,
/// seq))` for its ending, `None` for the header or a line that cannot be read.
pub fn line_row(line: &str) -> Option<(bool, usize)> {
    let (pending, rest) = if let Some(rest) = line.strip_prefix("{\"p\":") {
        (true, rest)
    } else {
        (false, line.strip_prefix("{\"c\":")?)
    };
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    Some((pending, rest[..digits].parse().ok()?))
}

/// One row from its lines (the journal's first line, read, the row's pending line and, when it
/// has ended, its ending line): the record its import will make. `None` when the pending line
/// cannot be read (the import skips such a row too).
pub fn row_of(header: &Header, pending: &str, ended: Option<&str>) -> Option<Record> {
    let pending: Pending = serde_json::from_str(pending).ok()?;
    // An ending that cannot be read leaves the row "outcome unknown", as in the import.
    let end = ended
        .and_then(|line| serde_json::from_str::<Ended>(line).ok())
        .map(|e| End::of(&e, &pending));
    Some(record(header, pending, end.as_ref()))
}

/// One row as the history holds it.
fn record(header: &Header, p: Pending, end: Option<&End>) -> Record {
    let body = p
        .body_json
        .map(serde_json::value::RawValue::get)
        .or(p.body.as_deref())
        .unwrap_or_default()
        .to_string();
    let (state, verified, http_status, call_id, message) = match end {
        Some(e) => (
            e.verdict.state,
            e.verdict.verified,
            e.verdict.http_status,
            e.verdict.call_id.clone(),
            e.verdict.message.clone(),
        ),
        None => (State::Unknown, false, None, None, DIED.to_string()),
    };
    let answer = end.and_then(End::answer);
    Record {
        id: 0,
        session: header.session.clone(),
        operator: header.operator.clone(),
        profile: header.profile.clone(),
        base_url: header.base_url.clone(),
        agent: p.agent.into_owned(),
        target: p.target.into_owned(),
        target_kind: p.kind.into_owned(),
        preference: p.pref.map(std::borrow::Cow::into_owned),
        outcome: p.outcome.map(std::borrow::Cow::into_owned),
        value: p.value,
        metadata: p.metadata.map(std::borrow::Cow::into_owned),
        method: p.method.into_owned(),
        url: p.url.into_owned(),
        body,
        state,
        created_ms: p.at,
        sent_ms: end.map(|e| e.at.saturating_sub(e.ms)),
        completed_ms: end.map(|e| e.at),
        http_status,
        latency_ms: end.map(|e| e.ms),
        verified,
        resolved_call_id: call_id,
        message: Some(message),
        response_body: answer.map(|r| r.body.clone()),
        response_truncated: answer.is_some_and(|r| r.truncated),
        response_cap: answer.and_then(|_| i64::try_from(BODY_CAP).ok()),
        batch_id: Some(header.batch),
        batch_line: Some(i64::try_from(p.line).unwrap_or(i64::MAX)),
        pinned_call: p.pinned.map(std::borrow::Cow::into_owned),
        listed_call: None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::Journal;
    use super::super::tests::{OK, journal_of_a_finished_run, update};
    use super::*;
    use crate::api::client::{HttpResponse, State};
    use crate::api::request::{BaseUrl, build};
    use crate::history::tests::who;

    #[test]
    fn a_finished_runs_journal_is_imported_once_with_in_flight_rows_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        let path = journal_of_a_finished_run(dir.path(), &store);
        let kept = std::fs::read(&path).unwrap();
        let text = String::from_utf8(kept.clone()).unwrap();
        assert!(
            text.contains(r#","body_json":{"custom_call_outcome":"#),
            "the request body goes in as JSON: {text}"
        );
        assert!(text.contains(r#","response_json":{"success":true"#));

        let imported = store.import_journals(dir.path()).unwrap();
        assert_eq!(
            imported,
            [Imported {
                batch: 1,
                rows: 3,
                unknown: 1,
                unreadable: 0
            }]
        );
        assert!(!path.exists(), "an imported journal is removed");
        let page = store.page(None, 10).unwrap();
        let states: std::collections::HashMap<usize, State> = store.batch_states(1).unwrap();
        assert_eq!(states[&2], State::Ok);
        assert_eq!(states[&3], State::Ok);
        assert_eq!(states[&4], State::Unknown);
        let second = page
            .iter()
            .find(|r| r.value.as_deref() == Some("2"))
            .unwrap();
        assert_eq!(second.session, "gone");
        assert_eq!(second.operator, "tester");
        assert_eq!(second.outcome.as_deref(), Some("Sold \"big\" \\ deal"));
        assert_eq!(
            second.metadata.as_deref(),
            Some(r#"{"note":"tab\there, é, 😀"}"#)
        );
        assert!(second.verified);
        assert_eq!(second.http_status, Some(200));
        assert_eq!(second.latency_ms, Some(7));
        assert_eq!(second.response_body.as_deref(), Some(OK));
        assert_eq!(second.resolved_call_id.as_deref(), Some("call456"));
        assert_eq!(
            second.request().body,
            build(
                &update("2", r#"{"note":"tab\there, é, 😀"}"#),
                &BaseUrl::default()
            )
            .body
        );
        let third = page
            .iter()
            .find(|r| r.value.as_deref() == Some("3"))
            .unwrap();
        assert_eq!(third.state, State::Unknown);
        assert_eq!(third.message.as_deref(), Some(DIED));

        // Found again (the process died between the commit and the removal): only removed.
        std::fs::write(&path, &kept).unwrap();
        assert!(store.import_journals(dir.path()).unwrap().is_empty());
        assert!(!path.exists());
        assert_eq!(store.page(None, 10).unwrap().len(), 3, "nothing twice");
        // Searchable like any other row: the full-text index saw the import.
        let filter = crate::history::Filter::parse_query("call456").unwrap();
        assert_eq!(store.search(&filter, None, 10).unwrap().len(), 3);
    }

    /// The team log takes a new batch's rows from its journal (`read`) before the history
    /// imports it: the two must be the same rows, field for field (the history numbers them).
    #[test]
    fn a_journal_read_back_gives_the_rows_its_import_stores() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        let path = journal_of_a_finished_run(dir.path(), &store);
        let read = read(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!((read.batch, read.unknown, read.unreadable), (1, 1, 0));
        store.import_journals(dir.path()).unwrap();
        let mut stored = store.page(None, 10).unwrap();
        stored.reverse();
        assert_eq!(stored.len(), 3);
        for (from_journal, stored) in read.rows.iter().zip(&stored) {
            assert_eq!(
                &Record {
                    id: stored.id,
                    ..from_journal.clone()
                },
                stored
            );
        }
        assert!(read.rows.iter().all(|r| r.id == 0));
        assert_eq!(read.rows[2].state, State::Unknown);
    }

    #[test]
    fn a_journal_whose_run_is_still_going_is_left_alone_and_listed_as_live() {
        let dir = tempfile::tempdir().unwrap();
        let running = SessionLock::acquire(dir.path()).unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        store.create_batch("f.csv", "h", 1, &who()).unwrap();
        let mut j = Journal::create(dir.path(), 1, running.id(), &who()).unwrap();
        let u = update("1", "");
        j.pending(0, 2, &u, &build(&u, &BaseUrl::default()), None);
        j.write().unwrap();
        assert!(store.import_journals(dir.path()).unwrap().is_empty());
        let going = live(dir.path());
        assert_eq!(going.len(), 1);
        assert_eq!((going[0].batch, going[0].progress()), (1, (1, 0)));
        drop(running);
        assert!(live(dir.path()).is_empty());
        assert_eq!(store.import_journals(dir.path()).unwrap().len(), 1);
    }

    /// A row pinned to a call (`batch --pin`): the history gets the phone typed as its target
    /// and the call as `pinned_call`, with the URL of that call; other rows have none.
    #[test]
    fn a_pinned_row_is_imported_with_its_call() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        store.create_batch("f.csv", "h", 2, &who()).unwrap();
        let mut j = Journal::create(dir.path(), 1, "gone", &who()).unwrap();
        let by_phone = crate::api::factory::update(&crate::api::update::UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("first"),
            outcome: "Sold",
            ..Default::default()
        });
        let sent = crate::api::update::OutcomeUpdate {
            target: crate::api::update::Target::CallId(
                crate::api::update::CallId::parse("call-first-415").unwrap(),
            ),
            ..by_phone.clone()
        };
        j.pending(
            0,
            2,
            &by_phone,
            &build(&sent, &BaseUrl::default()),
            Some("call-first-415"),
        );
        let u = update("1", "");
        j.pending(1, 3, &u, &build(&u, &BaseUrl::default()), None);
        j.write().unwrap();
        drop(j);
        assert_eq!(store.import_journals(dir.path()).unwrap().len(), 1);
        let pinned = store.get(1).unwrap().unwrap();
        assert_eq!(
            (pinned.target.as_str(), pinned.preference.as_deref()),
            ("+14155551234", Some("first"))
        );
        assert_eq!(pinned.pinned_call.as_deref(), Some("call-first-415"));
        assert!(
            pinned.url.ends_with("/api/calls/agent123/call-first-415"),
            "{}",
            pinned.url
        );
        assert_eq!(store.get(2).unwrap().unwrap().pinned_call, None);
    }

    #[test]
    fn every_kind_of_ending_is_read_back_as_the_run_classified_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        store.create_batch("f.csv", "h", 5, &who()).unwrap();
        let mut j = Journal::create(dir.path(), 1, "gone", &who()).unwrap();
        let busy = Completion::Answered(HttpResponse {
            status: 429,
            body: r#"{"message":"slow down"}"#.into(),
            truncated: false,
            retry_after: Some("3".into()),
        });
        let cut = Completion::Answered(HttpResponse {
            status: 200,
            body: "{\"success\":tr".into(),
            truncated: true,
            retry_after: None,
        });
        let endings = [
            busy,
            cut,
            Completion::NotSent("connection refused".into()),
            Completion::NoAnswer("timed out after 15 s".into()),
            Completion::Cancelled,
        ];
        let u = update("1", "");
        for (seq, completion) in endings.iter().enumerate() {
            j.pending(seq, seq + 2, &u, &build(&u, &BaseUrl::default()), None);
            let json = matches!(completion, Completion::Answered(r)
                if serde_json::from_str::<serde::de::IgnoredAny>(&r.body).is_ok());
            j.ended(seq, completion, Duration::from_millis(5), json);
        }
        j.finish().unwrap();
        store.import_journals(dir.path()).unwrap();
        let mut records = store.page(None, 10).unwrap();
        records.sort_by_key(|r| r.id);
        assert_eq!(records.len(), endings.len());
        for (record, completion) in records.iter().zip(&endings) {
            let verdict = crate::api::client::classify(&u.fields(), completion);
            assert_eq!(record.state, verdict.state);
            assert_eq!(record.message.as_deref(), Some(verdict.message.as_str()));
            assert_eq!(record.http_status, verdict.http_status);
            assert_eq!(record.verified, verdict.verified);
        }
        assert!(
            records[0]
                .message
                .as_deref()
                .unwrap()
                .contains("Retry-After")
        );
        assert!(records[1].response_truncated);
        assert_eq!(records[2].state, State::NetworkError);
        assert_eq!(records[4].state, State::Cancelled);
    }

    #[test]
    fn a_journal_the_database_refuses_is_set_aside_and_the_history_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        // Batch #7 is not in this database (it was deleted, say): its rows cannot go in.
        let mut j = Journal::create(dir.path(), 7, "gone", &who()).unwrap();
        let u = update("1", "");
        j.pending(0, 2, &u, &build(&u, &BaseUrl::default()), None);
        let path = j.path().to_path_buf();
        j.finish().unwrap();
        assert!(store.import_journals(dir.path()).unwrap().is_empty());
        assert!(store.reconcile_orphans(dir.path()).is_ok());
        assert!(!path.exists());
        assert!(
            path.with_extension("jsonl.failed").exists(),
            "kept for a person"
        );
        assert!(store.page(None, 10).unwrap().is_empty());
    }

    #[test]
    fn a_line_cut_short_is_skipped_and_its_row_reads_as_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        let path = journal_of_a_finished_run(dir.path(), &store);
        // The last ending cut in the middle, as by a failed write.
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.truncate(text.trim_end().len() - 20);
        std::fs::write(&path, text).unwrap();
        let imported = store.import_journals(dir.path()).unwrap();
        assert_eq!(imported[0].unreadable, 1);
        assert_eq!(imported[0].unknown, 2);
        let states = store.batch_states(1).unwrap();
        assert_eq!(states[&3], State::Unknown);
    }
}
