//! The batch journal: how a `batch` run records its rows while it sends them.
//!
//! Writing each row into `updates` as it goes costs far more than sending it on loopback: the
//! table's indexes and its trigram full-text index make an insert plus an update about 150–300
//! µs a row, against about 40 µs for the request itself. So a run appends its rows to a journal
//! file of its own instead, one JSON line per event, and the journal is brought into `updates`
//! (one insert per row, in one transaction) by the next process that opens the history once
//! the run is over: the workbench, `history`, `send`, `batch`, `batch --list` or `--resume`.
//!
//! The audit rule is the same as for the database. A row's `pending` line is written (the
//! `write` call has returned) before its request leaves; how it ended is appended after. A
//! finished `write` survives the process being killed, as a commit does with SQLite's WAL at
//! `synchronous=NORMAL`, which is what the history uses. A row whose ending was not written when
//! the process died is imported as "outcome unknown", as a `pending` row of a dead session is.
//!
//! A journal is named `<created ms>-b<batch>-<session>.jsonl` in `journals/` under the data
//! directory, so that sorting the names sorts the runs. The first line says whose it is; it is
//! imported only once that session's lock is free (the run has ended, one way or another).
//! Importing records the file's name in `journals_imported` in the same transaction as its
//! rows, so a crash between the commit and the file's removal cannot import it twice.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{OptionalExtension as _, params};
use serde::Deserialize;

use super::{Provenance, Result, SessionLock, Store, now_ms};
use crate::api::client::{BODY_CAP, Completion, classify};
use crate::api::request::WireRequest;
use crate::api::update::{OutcomeUpdate, Preference};

/// The folder, under the data directory.
pub const DIR: &str = "journals";

/// The message an imported row gets when its run died before its ending was written.
pub(super) const DIED: &str = "The program stopped while this was in flight: it may or may not have been \
                    applied; check before resending";

/// The first line: whose journal this is (written by [`Journal::create`]).
#[derive(Deserialize)]
struct Header<'a> {
    // Its first key, `"journal":1`, is the format's version: for a later format to tell.
    batch: i64,
    #[serde(borrow)]
    session: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    operator: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    profile: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    base_url: std::borrow::Cow<'a, str>,
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

/// A run's journal, open for appending. Lines are gathered in memory and written by
/// [`Journal::write`]; endings wait for the next write (or [`Journal::finish`]).
pub struct Journal {
    file: std::fs::File,
    path: PathBuf,
    buf: Vec<u8>,
    /// The rows whose endings are in `buf`, not yet written.
    unwritten_endings: Vec<usize>,
    failed: bool,
}

impl Journal {
    /// Creates the journal of batch `batch` for this session and writes its first line.
    pub fn create(
        data_dir: &Path,
        batch: i64,
        session: &str,
        who: &Provenance,
    ) -> std::io::Result<Self> {
        let dir = data_dir.join(DIR);
        super::private::create_dir(&dir)?;
        let path = dir.join(format!("{:013}-b{batch}-{session}.jsonl", now_ms()));
        let file = super::private::file_options()
            .create_new(true)
            .append(true)
            .open(&path)?;
        let mut journal = Self {
            file,
            path,
            buf: Vec::with_capacity(64 * 1024),
            unwritten_endings: Vec::new(),
            failed: false,
        };
        // The header (read back as `Header`).
        let mut w = Line::open(&mut journal.buf, "journal", 1);
        w.int("batch", batch);
        w.str("session", session);
        w.str("operator", &who.operator);
        w.str("profile", &who.profile);
        w.str("base_url", &who.base_url);
        w.close();
        journal.write().map_err(|(e, _)| e)?;
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Gathers row `seq` (line `line` of the file) as about to be sent. It is recorded once
    /// [`Journal::write`] returns `Ok`; only then may it be sent.
    pub fn pending(
        &mut self,
        seq: usize,
        line: usize,
        update: &OutcomeUpdate,
        request: &WireRequest,
    ) {
        let metadata = update.metadata_text();
        let b = &mut self.buf;
        let mut w = Line::open(b, "p", seq);
        w.int("line", line);
        w.str("agent", update.agent.as_str());
        w.str("target", update.target.as_str());
        w.str("kind", update.target.kind());
        w.opt_str("pref", update.target.preference().map(Preference::as_str));
        w.opt_str("outcome", update.outcome.as_deref());
        w.opt_number_text("value", update.value.as_ref());
        w.opt_str("metadata", metadata.as_deref());
        w.str("method", request.method);
        w.str("url", &request.url);
        // `build` wrote it with serde_json.
        w.text("body", &request.body, true);
        w.int("at", now_ms());
        w.close();
    }

    /// Gathers how row `seq` ended; it is written with the next [`Journal::write`].
    /// `body_is_json`: the answer's body was read as JSON (any answer `classify` calls `Ok`).
    pub fn ended(
        &mut self,
        seq: usize,
        completion: &Completion,
        latency: Duration,
        body_is_json: bool,
    ) {
        let mut w = Line::open(&mut self.buf, "c", seq);
        w.int("ms", i64::try_from(latency.as_millis()).unwrap_or(i64::MAX));
        w.int("at", now_ms());
        match completion {
            Completion::Answered(r) => {
                w.int("status", i64::from(r.status));
                w.text("response", &r.body, body_is_json);
                if r.truncated {
                    w.bool("truncated", true);
                }
                if let Some(after) = &r.retry_after {
                    w.str("retry_after", after);
                }
            }
            Completion::NotSent(why) => {
                w.str("failed", "not_sent");
                w.str("why", why);
            }
            Completion::NoAnswer(why) => {
                w.str("failed", "no_answer");
                w.str("why", why);
            }
            Completion::Cancelled => w.str("failed", "cancelled"),
        }
        w.close();
        self.unwritten_endings.push(seq);
    }

    /// Writes what was gathered. On failure nothing more is written (a line may be cut short,
    /// and what followed it would be misread), and the error comes with the rows whose endings
    /// were lost: they will read as "outcome unknown".
    pub fn write(&mut self) -> std::result::Result<(), (std::io::Error, Vec<usize>)> {
        if self.failed {
            return Err((
                std::io::Error::other("an earlier write to the journal failed"),
                std::mem::take(&mut self.unwritten_endings),
            ));
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let written = self.file.write_all(&self.buf);
        self.buf.clear();
        match written {
            Ok(()) => {
                self.unwritten_endings.clear();
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                Err((e, std::mem::take(&mut self.unwritten_endings)))
            }
        }
    }

    /// Writes the last endings. The journal is then complete; the next process to open the
    /// history imports it.
    pub fn finish(mut self) -> std::result::Result<(), (std::io::Error, Vec<usize>)> {
        self.write()
    }
}

/// Writes one journal line as JSON by hand: a row is two lines, and `serde_json`'s writer
/// (generic over `io::Write`, escaping byte by byte) cost about a fifth of a batch's CPU on
/// loopback. The lines are read back with `serde_json` (the `Pending` and `Ended` structs), and
/// a test checks that every string survives the round trip.
struct Line<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> Line<'a> {
    /// `{"<kind>":<seq>`
    fn open(buf: &'a mut Vec<u8>, kind: &str, seq: usize) -> Self {
        buf.extend_from_slice(b"{\"");
        buf.extend_from_slice(kind.as_bytes());
        buf.extend_from_slice(b"\":");
        buf.extend_from_slice(itoa::Buffer::new().format(seq).as_bytes());
        Self { buf }
    }

    fn key(&mut self, key: &str) {
        self.buf.extend_from_slice(b",\"");
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        put_str(self.buf, value);
    }

    /// A body. When the caller knows it is JSON (`build` wrote it, or `classify` read it) and it
    /// is one line, an object or array from its first byte to its last, it goes in as it is,
    /// under `<key>_json`, sparing the escapes of every quote in it; otherwise as a string.
    fn text(&mut self, key: &str, value: &str, known_json: bool) {
        let framed = matches!(
            (value.as_bytes().first(), value.as_bytes().last()),
            (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']'))
        );
        if known_json && framed && memchr::memchr2(b'\n', b'\r', value.as_bytes()).is_none() {
            self.buf.extend_from_slice(b",\"");
            self.buf.extend_from_slice(key.as_bytes());
            self.buf.extend_from_slice(b"_json\":");
            self.buf.extend_from_slice(value.as_bytes());
        } else {
            self.str(key, value);
        }
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(key, v);
        } else {
            self.key(key);
            self.buf.extend_from_slice(b"null");
        }
    }

    /// A number as a JSON string of its usual text (`1`, `-2`, `1.5`), written without
    /// allocating; such text never needs an escape.
    fn opt_number_text(&mut self, key: &str, value: Option<&serde_json::Number>) {
        use std::io::Write as _;
        self.key(key);
        match value {
            Some(n) => {
                // Writing to a Vec cannot fail.
                let _ = write!(self.buf, "\"{n}\"");
            }
            None => self.buf.extend_from_slice(b"null"),
        }
    }

    fn int(&mut self, key: &str, value: impl itoa::Integer) {
        self.key(key);
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.buf
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    fn close(self) {
        self.buf.extend_from_slice(b"}\n");
    }
}

/// A JSON string: runs that need no escape are copied whole, found eight bytes at a time.
fn put_str(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let flagged = escape_mask(u64::from_le_bytes(word));
        if flagged == 0 {
            i += 8;
            continue;
        }
        // The lowest flagged byte is always one to escape (see `escape_mask`).
        let at = i + (flagged.trailing_zeros() / 8) as usize;
        buf.extend_from_slice(&bytes[start..at]);
        escape(buf, bytes[at]);
        i = at + 1;
        start = i;
    }
    for (at, &b) in bytes.iter().enumerate().skip(i) {
        if b < 0x20 || b == b'"' || b == b'\\' {
            buf.extend_from_slice(&bytes[start..at]);
            escape(buf, b);
            start = at + 1;
        }
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// One byte that JSON needs escaped: a control character, `"` or `\\`.
fn escape(buf: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' | b'\\' => buf.extend_from_slice(&[b'\\', b]),
        b'\n' => buf.extend_from_slice(b"\\n"),
        b'\r' => buf.extend_from_slice(b"\\r"),
        b'\t' => buf.extend_from_slice(b"\\t"),
        _ => buf.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// The high bit of each of eight bytes (little-endian) that is a control character, `"` or
/// `\\`, by the usual word tricks ("has a zero byte", "has a byte below n"). A byte can be
/// flagged wrongly only above a rightly flagged one (a borrow runs upwards), so the mask is
/// zero exactly when no byte needs escaping, and its lowest bit always marks one that does.
fn escape_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    below_space
        | zero_bytes(word ^ (ONES * u64::from(b'"')))
        | zero_bytes(word ^ (ONES * u64::from(b'\\')))
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
    let header: Header = serde_json::from_str(first.trim_end()).ok()?;
    Some((header.batch, header.session.into_owned()))
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
        let mut lines = text.lines();
        let header: Header = match lines.next().map(serde_json::from_str) {
            Some(Ok(h)) => h,
            _ => return Ok(None),
        };
        let mut pending: Vec<Pending> = Vec::new();
        let mut ended: std::collections::HashMap<usize, Ended> = std::collections::HashMap::new();
        let mut unreadable = 0;
        for line in lines.filter(|l| !l.trim().is_empty()) {
            // The first key says which kind of line (a `RawValue` cannot sit in an untagged
            // enum, so the kinds are told apart here).
            let read = if line.starts_with("{\"p\":") {
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
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO updates (session, operator, profile, base_url, agent, target, \
             target_kind, preference, outcome, value, metadata, method, url, body, state, \
             created_ms, batch_id, batch_line, completed_ms, http_status, latency_ms, verified, \
             resolved_call_id, message, response_body, response_truncated, sent_ms, \
             response_cap) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
             ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
        )?;
        let mut unknown = 0;
        for p in &pending {
            let end = ended.get(&p.p).map(|e| End::of(e, p));
            if end.is_none() {
                unknown += 1;
            }
            let end = end.as_ref();
            let answer = end.and_then(End::answer);
            insert.execute(params![
                header.session,
                header.operator,
                header.profile,
                header.base_url,
                p.agent,
                p.target,
                p.kind,
                p.pref,
                p.outcome,
                p.value,
                p.metadata,
                p.method,
                p.url,
                p.body_json
                    .map(serde_json::value::RawValue::get)
                    .or(p.body.as_deref())
                    .unwrap_or_default(),
                end.map_or("unknown", |e| e.verdict.state.as_str()),
                p.at,
                header.batch,
                i64::try_from(p.line).unwrap_or(i64::MAX),
                end.map(|e| e.at),
                end.and_then(|e| e.verdict.http_status),
                end.map(|e| e.ms),
                end.is_some_and(|e| e.verdict.verified),
                end.and_then(|e| e.verdict.call_id.as_deref()),
                end.map_or(DIED, |e| e.verdict.message.as_str()),
                answer.map(|r| r.body.as_str()),
                answer.is_some_and(|r| r.truncated),
                end.map(|e| e.at.saturating_sub(e.ms)),
                answer.and_then(|_| i64::try_from(BODY_CAP).ok()),
            ])?;
        }
        self.conn.execute(
            "INSERT INTO journals_imported (name, batch_id, rows, imported_ms) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                name,
                header.batch,
                i64::try_from(pending.len()).unwrap_or(i64::MAX),
                now_ms()
            ],
        )?;
        Ok(Some(Imported {
            batch: header.batch,
            rows: pending.len(),
            unknown,
            unreadable,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::{HttpResponse, State};
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};
    use crate::history::tests::who;

    fn update(value: &str, metadata: &str) -> OutcomeUpdate {
        validate(&UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "Sold \"big\" \\ deal",
            value,
            metadata,
            ..UpdateInput::default()
        })
        .unwrap()
    }

    fn answered(body: &str) -> Completion {
        Completion::Answered(HttpResponse {
            status: 200,
            body: body.into(),
            truncated: false,
            retry_after: None,
        })
    }

    const OK: &str = r#"{"success":true,"call_id":"call456","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#;

    /// A journal of batch 1 by session `gone` (no lock held: its run has ended): rows 0 and 1
    /// ended, row 2 was in flight.
    fn journal_of_a_finished_run(dir: &Path, store: &Store) -> PathBuf {
        store.create_batch("f.csv", "h", 3, &who()).unwrap();
        let mut j = Journal::create(dir, 1, "gone", &who()).unwrap();
        let rows = [
            update("1", ""),
            update("2", r#"{"note":"tab\there, é, 😀"}"#),
            update("3", ""),
        ];
        for (seq, u) in rows.iter().enumerate() {
            j.pending(seq, seq + 2, u, &build(u, &BaseUrl::default()));
        }
        j.write().unwrap();
        for seq in 0..2 {
            j.ended(seq, &answered(OK), Duration::from_millis(7), true);
        }
        let path = j.path().to_path_buf();
        j.finish().unwrap();
        path
    }

    #[test]
    fn strings_of_every_kind_survive_the_hand_written_lines() {
        let samples = [
            "",
            "plain",
            "quote \" backslash \\ slash /",
            "\n\r\t\u{0}\u{1}\u{1f}\u{7f}",
            "é ü 漢字 😀 \u{2028}",
            r#"{"custom_call_outcome":"Sold","v":[1,2]}"#,
            "exactly8",
            "seven\"\"abcdefghijklmnop\\qrstuvwxyz\u{1}0123456789",
            "ends with an escape after sixteen\n",
        ];
        for s in samples {
            let mut buf = Vec::new();
            put_str(&mut buf, s);
            let back: String = serde_json::from_slice(&buf).unwrap();
            assert_eq!(back, s);
        }
        let mut buf = Vec::new();
        let mut line = Line::open(&mut buf, "c", 7);
        line.opt_str("a", None);
        line.int("b", -3);
        line.bool("c", true);
        line.int("d", usize::MAX);
        line.close();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"c": 7, "a": null, "b": -3, "c": true, "d": usize::MAX})
        );
        assert!(buf.ends_with(b"}\n"));
    }

    #[test]
    fn a_value_is_written_as_the_text_the_history_shows() {
        for text in [
            "0",
            "299",
            "-3",
            "18446744073709551615",
            "1.5",
            "-0.25",
            "1e300",
        ] {
            let n: serde_json::Number = serde_json::from_str(text).unwrap();
            let mut buf = Vec::new();
            let mut line = Line::open(&mut buf, "p", 1);
            line.opt_number_text("value", Some(&n));
            line.opt_number_text("none", None);
            line.close();
            let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
            assert_eq!(v["value"], serde_json::Value::String(n.to_string()));
            assert_eq!(v["none"], serde_json::Value::Null);
        }
    }

    #[test]
    fn the_eight_byte_check_finds_the_first_byte_to_escape_exactly() {
        let must = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        for b in 0..=255_u8 {
            for filler in [b'a', b' ', 0x7f, 0x80, 0xc3, 0xff] {
                for at in 0..8 {
                    let mut word = [filler; 8];
                    word[at] = b;
                    // And a second byte to escape above it, which must not hide it.
                    for above in [None, Some(b'"'), Some(0)] {
                        if let Some(a) = above
                            && at < 7
                        {
                            word[7] = a;
                        }
                        let mask = escape_mask(u64::from_le_bytes(word));
                        let first = word.iter().position(|&x| must(x));
                        assert_eq!(
                            (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize),
                            first,
                            "{word:x?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_bodies_known_to_be_one_line_of_json_go_in_as_they_are() {
        #[derive(Deserialize)]
        struct Back<'a> {
            #[serde(borrow, default)]
            response: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow, default)]
            response_json: Option<&'a serde_json::value::RawValue>,
        }
        let cases = [
            (r#"{"a":"b"}"#, true, true),
            (r#"{"a":"b"}"#, false, false),
            ("{oops}", false, false),
            ("{\n\"a\": 1\n}", true, false),
            (r#" {"a":1}"#, true, false),
            ("[1,2]", true, true),
            ("", true, false),
        ];
        for (body, known, raw) in cases {
            let mut buf = Vec::new();
            let mut line = Line::open(&mut buf, "c", 1);
            line.text("response", body, known);
            line.close();
            let text = String::from_utf8(buf).unwrap();
            assert_eq!(text.contains("response_json"), raw, "{text}");
            let back: Back = serde_json::from_str(&text).unwrap();
            let got = back
                .response_json
                .map(serde_json::value::RawValue::get)
                .or(back.response.as_deref())
                .unwrap();
            assert_eq!(got, body, "exactly the bytes that came");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_survives_the_hand_written_lines(s in ".*", t in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let lossy = String::from_utf8_lossy(&t).into_owned();
            for s in [s, lossy] {
                let mut buf = Vec::new();
                put_str(&mut buf, &s);
                let back: String = serde_json::from_slice(&buf).unwrap();
                proptest::prop_assert_eq!(back, s);
            }
        }
    }

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

    #[test]
    fn a_journal_whose_run_is_still_going_is_left_alone_and_listed_as_live() {
        let dir = tempfile::tempdir().unwrap();
        let running = SessionLock::acquire(dir.path()).unwrap();
        let store = Store::open(dir.path(), "me").unwrap();
        store.create_batch("f.csv", "h", 1, &who()).unwrap();
        let mut j = Journal::create(dir.path(), 1, running.id(), &who()).unwrap();
        let u = update("1", "");
        j.pending(0, 2, &u, &build(&u, &BaseUrl::default()));
        j.write().unwrap();
        assert!(store.import_journals(dir.path()).unwrap().is_empty());
        let going = live(dir.path());
        assert_eq!(going.len(), 1);
        assert_eq!((going[0].batch, going[0].progress()), (1, (1, 0)));
        drop(running);
        assert!(live(dir.path()).is_empty());
        assert_eq!(store.import_journals(dir.path()).unwrap().len(), 1);
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
            j.pending(seq, seq + 2, &u, &build(&u, &BaseUrl::default()));
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
        j.pending(0, 2, &u, &build(&u, &BaseUrl::default()));
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

    #[test]
    fn endings_that_could_not_be_written_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::create(dir.path(), 1, "s", &who()).unwrap();
        j.ended(4, &answered(OK), Duration::ZERO, true);
        // A journal whose file cannot take more (opened read-only underneath).
        j.file = std::fs::File::open(j.path()).unwrap();
        let (_, lost) = j.write().unwrap_err();
        assert_eq!(lost, [4]);
        let (_, lost) = j.finish().unwrap_err();
        assert!(lost.is_empty(), "nothing more was gathered");
    }
}
