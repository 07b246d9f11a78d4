//! `phonely-outcomes batch FILE`: corrections from a CSV or JSON Lines file. Every row is
//! checked with the form's rules first and nothing leaves while any row is invalid; then each
//! row is recorded as pending, sent (a few at a time) and completed, like a `send`.

use std::collections::HashSet;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use futures::StreamExt as _;

use super::args::{BatchArgs, GlobalArgs};
use super::{Sender, account, exit, fail, history_for_sending, sender};
use crate::api::client::{Completion, State};
use crate::api::request::{BaseUrl, build};
use crate::api::update::{Preference, Target};
use crate::batch::{Row, parse};
use crate::config::Config;

pub async fn run(
    args: BatchArgs,
    global: &GlobalArgs,
    config: &Config,
    offset: time::UtcOffset,
) -> ExitCode {
    if args.list {
        return list(&args, offset);
    }
    // On --resume the history says which file, and which of its rows are done.
    let (opened, resume) = match args.resume {
        None => (None, None),
        Some(id) => {
            let (lock, store) = match history_for_sending(args.data.data_dir.clone()) {
                Ok(x) => x,
                Err(code) => return code,
            };
            match store.batch(id) {
                Ok(Some(b)) => (Some((lock, store)), Some(b)),
                Ok(None) => {
                    return fail(
                        exit::INVALID,
                        &format!("there is no batch #{id}: `batch --list` shows them"),
                    );
                }
                Err(e) => return fail(exit::INVALID, &e.to_string()),
            }
        }
    };
    let Some(path) = resume
        .as_ref()
        .map(|b| PathBuf::from(&b.file))
        .or_else(|| args.file.clone())
    else {
        return fail(
            exit::INVALID,
            "give the FILE to send, --resume BATCH_ID, or --list",
        );
    };
    let name = path.display().to_string();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return fail(exit::INVALID, &format!("could not read {name}: {e}")),
    };
    let hash = file_hash(&bytes);
    if let Some(b) = &resume
        && b.file_hash != hash
    {
        return fail(
            exit::INVALID,
            &format!(
                "{name} has changed since batch #{} was sent from it, so its rows cannot be \
                 matched to what was sent: send the new file as a new batch. Nothing was sent.",
                b.id
            ),
        );
    }
    let (rows, errors) = parse(&name, &bytes);
    // A file-level problem (no line, or the file unreadable) always stops; bad rows stop unless
    // --skip-invalid, which sends the good ones and names the skipped.
    let file_level = errors.iter().any(|e| e.line.is_none()) || rows.is_empty();
    if !errors.is_empty() && args.skip_invalid && !file_level {
        for e in &errors {
            eprintln!("skipped: {name}: {e}");
        }
        eprintln!(
            "{} row problem{} skipped (--skip-invalid); the {} valid row{} go on.",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        );
    } else if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {name}: {e}");
        }
        eprintln!(
            "Nothing was sent: {} problem{} above ({} row{} fine). Fix them and run again.",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            rows.len(),
            if rows.len() == 1 { " is" } else { "s are" }
        );
        return ExitCode::from(exit::INVALID);
    }
    if let Some(rate) = args.rate
        && !(rate.is_finite() && rate > 0.0 && rate <= 1000.0)
    {
        return fail(
            exit::INVALID,
            &format!(
                "--rate must be requests per second above 0, at most 1000 (got {rate}). Nothing was sent."
            ),
        );
    }
    if !(1..=32).contains(&args.concurrency) {
        return fail(
            exit::INVALID,
            &format!(
                "--concurrency must be from 1 to 32 (got {}). Nothing was sent.",
                args.concurrency
            ),
        );
    }
    let (profile, base) = match account(global, config, args.target.base_url.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    eprintln!("{}", summary(&rows, &base, &profile.name));
    if args.dry_run {
        let first = build(&rows[0].update, &base);
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            first.curl(&profile.key.source(&profile.name))
        );
        return ExitCode::from(exit::UPDATED);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return fail(
                exit::INVALID,
                "the input is not a terminal, so there is no one to ask: add --yes to send. \
                 Nothing was sent.",
            );
        }
        eprint!("Send {} updates? [y/N] ", rows.len());
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("Nothing was sent.");
            return ExitCode::SUCCESS;
        }
    }
    let Sender { key, client, who } = match sender(profile, &base, args.timeout, config).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (lock, store) = match opened {
        Some(x) => x,
        None => match history_for_sending(args.data.data_dir.clone()) {
            Ok(x) => x,
            Err(code) => return code,
        },
    };
    let rows = if let Some(b) = &resume {
        match rows_to_resume(
            &store,
            args.data.data_dir.clone(),
            b.id,
            rows,
            args.resend_unknown,
        ) {
            Ok(rows) => rows,
            Err(m) => return fail(exit::INVALID, &m),
        }
    } else {
        rows
    };
    let batch_id = if let Some(b) = &resume {
        b.id
    } else {
        let absolute = std::fs::canonicalize(&path).unwrap_or(path.clone());
        let created = store.create_batch(&absolute.display().to_string(), &hash, rows.len(), &who);
        let Ok(b) = created else {
            return fail(
                exit::INVALID,
                "could not record the batch in the history. Nothing was sent.",
            );
        };
        eprintln!(
            "Batch #{}: if this stops, `phonely-outcomes batch --resume {}` goes on.",
            b.id, b.id
        );
        b.id
    };
    let total = rows.len();
    // Rows for the same call go one after another, in file order, so the last row in the file
    // is what the call holds; different calls go side by side.
    let mut groups: Vec<Vec<Row>> = Vec::new();
    for row in rows {
        let key = (
            row.update.agent.clone(),
            row.update.target.as_str().to_string(),
        );
        match groups
            .iter_mut()
            .find(|g| g[0].update.agent == key.0 && g[0].update.target.as_str() == key.1)
        {
            Some(group) => group.push(row),
            None => groups.push(vec![row]),
        }
    }
    // Ctrl+C stops starting new calls; rows under way finish and are recorded.
    let stop = Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    let counts = std::cell::RefCell::new(Counts::default());
    let report = std::cell::RefCell::new(Vec::<ReportLine>::new());
    // --rate: requests start at most this often, whatever the concurrency.
    let pace = args.rate.map(|r| Duration::from_secs_f64(1.0 / r));
    let next_start = tokio::sync::Mutex::new(tokio::time::Instant::now());
    let send_group = |group: Vec<Row>| {
        let (client, key, store, who, base, counts, report, next_start) = (
            &client,
            &key,
            &store,
            &who,
            &base,
            &counts,
            &report,
            &next_start,
        );
        async move {
            for row in group {
                let request = build(&row.update, base);
                // Recorded before it leaves; a row that cannot be recorded is not sent.
                let record = match store.insert_pending_in(
                    who,
                    &row.update,
                    &request,
                    Some((batch_id, row.line)),
                ) {
                    Ok(r) => r,
                    Err(e) => {
                        counts.borrow_mut().not_sent += 1;
                        report.borrow_mut().push(ReportLine {
                            line: row.line,
                            request: row.update.summary(),
                            state: "not_sent".to_string(),
                            http_status: None,
                            message: format!("could not be recorded first: {e}"),
                            call_id: None,
                            history_id: None,
                        });
                        eprintln!(
                            "✗ line {}: could not be recorded in the history, so it was not \
                             sent: {e}",
                            row.line
                        );
                        continue;
                    }
                };
                let mut attempt = 0;
                let (completion, latency) = loop {
                    if let Some(pace) = pace {
                        let mut next = next_start.lock().await;
                        let at = (*next).max(tokio::time::Instant::now());
                        *next = at + pace;
                        drop(next);
                        tokio::time::sleep_until(at).await;
                    }
                    let (completion, latency) = client.send(&request, key).await;
                    let Some(wait) = retry_after(&completion, &row.update.target, attempt) else {
                        break (completion, latency);
                    };
                    attempt += 1;
                    eprintln!(
                        "… line {}: {}; trying again in {:.1} s (attempt {} of {})",
                        row.line,
                        crate::api::client::classify(&row.update.fields(), &completion).message,
                        wait.as_secs_f32(),
                        attempt + 1,
                        MAX_ATTEMPTS
                    );
                    tokio::time::sleep(wait).await;
                };
                match store.complete(record.id, &completion, latency) {
                    Ok(done) => {
                        counts.borrow_mut().add(done.state, done.verified);
                        report.borrow_mut().push(ReportLine {
                            line: row.line,
                            request: format!(
                                "{} {} ← {}",
                                row.update.agent.as_str(),
                                row.update.target.as_str(),
                                row.update.summary()
                            ),
                            state: done.state.as_str().to_string(),
                            http_status: done.http_status,
                            message: done.message.clone().unwrap_or_default(),
                            call_id: done.resolved_call_id.clone(),
                            history_id: Some(done.id),
                        });
                        eprintln!(
                            "{} line {} {} {}: {} [history #{}]",
                            done.mark(),
                            row.line,
                            row.update.agent.as_str(),
                            row.update.target.as_str(),
                            done.message.as_deref().unwrap_or(""),
                            done.id
                        );
                    }
                    Err(e) => {
                        counts.borrow_mut().unknown += 1;
                        report.borrow_mut().push(ReportLine {
                            line: row.line,
                            request: row.update.summary(),
                            state: "unknown".to_string(),
                            http_status: None,
                            message: format!("the result could not be recorded: {e}"),
                            call_id: None,
                            history_id: Some(record.id),
                        });
                        eprintln!(
                            "? line {}: the request ended but could not be recorded ({e}); \
                             history #{} will show as outcome unknown",
                            row.line, record.id
                        );
                    }
                }
            }
        }
    };
    futures::stream::iter(groups)
        .take_until(stop)
        .map(send_group)
        .buffer_unordered(args.concurrency)
        .collect::<Vec<()>>()
        .await;
    let counts = counts.into_inner();
    if let Some(path) = &args.report
        && let Err(e) = write_report(path, report.into_inner())
    {
        eprintln!(
            "warning: the report could not be written to {}: {e}",
            path.display()
        );
    }
    drop(lock);
    let done = counts.ok + counts.refused + counts.unknown + counts.not_sent;
    eprintln!(
        "{done} of {total} rows: {} updated, {} refused, {} with no answer (outcome unknown), {} \
         not sent",
        counts.ok, counts.refused, counts.unknown, counts.not_sent
    );
    if done < total {
        eprintln!(
            "Stopped: {} rows were not sent. Run the command again with a file of those rows.",
            total - done
        );
    }
    ExitCode::from(if counts.unknown > 0 {
        exit::UNKNOWN
    } else if counts.refused > 0 || counts.not_sent > 0 || done < total {
        exit::REFUSED
    } else {
        exit::UPDATED
    })
}

/// A short fingerprint of the file, so a resume can tell it is still the same file.
fn file_hash(bytes: &[u8]) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:016x}-{}", h.finish(), bytes.len())
}

/// The rows a resume sends: never recorded, or never reached Phonely; with `resend_unknown`
/// also those whose outcome is unknown. Rows already updated or refused are left as they are.
fn rows_to_resume(
    store: &crate::history::Store,
    data_dir: Option<PathBuf>,
    batch_id: i64,
    rows: Vec<Row>,
    resend_unknown: bool,
) -> Result<Vec<Row>, String> {
    // A crashed run's rows in flight read as unknown, not as pending forever.
    if let Ok(dir) = super::data_dir(data_dir) {
        store.reconcile_orphans(&dir).map_err(|e| e.to_string())?;
    }
    let states = store.batch_states(batch_id).map_err(|e| e.to_string())?;
    let (mut done, mut refused, mut unknown) = (0, 0, 0);
    let mut send = Vec::new();
    for row in rows {
        match states.get(&row.line) {
            None | Some(State::NetworkError) => send.push(row),
            Some(State::Ok) => done += 1,
            Some(State::Refused) => refused += 1,
            Some(_) if resend_unknown => send.push(row),
            Some(_) => unknown += 1,
        }
    }
    eprintln!(
        "Resuming batch #{batch_id}: {done} already updated, {refused} refused (left as they \
         are), {unknown} with outcome unknown{}, {} to send.",
        if resend_unknown {
            String::new()
        } else {
            " (left alone; --resend-unknown sends them)".to_string()
        },
        send.len()
    );
    Ok(send)
}

/// `batch --list`: every batch, newest first, with how its rows stand.
fn list(args: &BatchArgs, offset: time::UtcOffset) -> ExitCode {
    let dir = match super::data_dir(args.data.data_dir.clone()) {
        Ok(d) => d,
        Err(m) => return fail(exit::INVALID, &m),
    };
    if !dir.join(crate::history::DB_FILE).exists() {
        eprintln!("No batches yet in {}", dir.display());
        return ExitCode::SUCCESS;
    }
    let store = match super::open_for_reading(&dir) {
        Ok(s) => s,
        Err(m) => return fail(1, &m),
    };
    let batches = match store.batches() {
        Ok(b) => b,
        Err(e) => return fail(1, &e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    for b in batches {
        let states = store.batch_states(b.id).unwrap_or_default();
        let count = |f: &dyn Fn(State) -> bool| states.values().filter(|s| f(**s)).count();
        let _ = writeln!(
            out,
            "#{:<4} {}  {:<10} {} rows: {} updated, {} refused, {} unknown, {} not sent  {}",
            b.id,
            crate::tui::view::format_time(b.created_ms, offset),
            b.profile,
            b.rows,
            count(&|s| s == State::Ok),
            count(&|s| s == State::Refused),
            count(&|s| matches!(s, State::Unknown | State::Cancelled | State::Pending)),
            usize::try_from(b.rows)
                .unwrap_or(0)
                .saturating_sub(states.len())
                + count(&|s| s == State::NetworkError),
            b.file
        );
    }
    ExitCode::SUCCESS
}

/// One line of `--report`: what a row asked for and what came of it.
struct ReportLine {
    line: usize,
    request: String,
    state: String,
    http_status: Option<u16>,
    message: String,
    call_id: Option<String>,
    history_id: Option<i64>,
}

/// Writes the report as CSV, in the file's row order.
fn write_report(path: &std::path::Path, mut lines: Vec<ReportLine>) -> Result<(), String> {
    lines.sort_by_key(|l| l.line);
    let mut out = csv::Writer::from_path(path).map_err(|e| e.to_string())?;
    out.write_record([
        "line",
        "request",
        "state",
        "http_status",
        "message",
        "resolved_call_id",
        "history_id",
    ])
    .map_err(|e| e.to_string())?;
    for l in lines {
        out.write_record([
            l.line.to_string(),
            l.request,
            l.state,
            l.http_status.map(|s| s.to_string()).unwrap_or_default(),
            l.message,
            l.call_id.unwrap_or_default(),
            l.history_id.map(|i| i.to_string()).unwrap_or_default(),
        ])
        .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Tries per row, the first included.
const MAX_ATTEMPTS: u32 = 4;

/// When to try a row again, if at all: after a 429 (honouring `Retry-After`), a 5xx, or a
/// connection that never opened, with exponential backoff and jitter. A phone number with
/// `last` is retried only when the request surely never reached Phonely: a retry after it
/// arrived could land on a newer call from that number.
fn retry_after(completion: &Completion, target: &Target, attempt: u32) -> Option<Duration> {
    if attempt + 1 >= MAX_ATTEMPTS {
        return None;
    }
    let backoff = {
        let base = 250_u64.saturating_mul(1 << attempt.min(6));
        let jitter = u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos()),
        ) % (base / 2 + 1);
        Duration::from_millis((base + jitter).min(10_000))
    };
    let reached_maybe_a_newer_call = matches!(
        target,
        Target::Phone {
            preference: Preference::Last,
            ..
        }
    );
    match completion {
        Completion::NotSent(_) => Some(backoff),
        Completion::Answered(r) if r.status == 429 || (500..600).contains(&r.status) => {
            if reached_maybe_a_newer_call {
                return None;
            }
            let asked = r
                .retry_after
                .as_deref()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(|secs| Duration::from_secs(secs.min(60)));
            Some(asked.map_or(backoff, |a| a.max(backoff)))
        }
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Counts {
    ok: usize,
    refused: usize,
    unknown: usize,
    not_sent: usize,
}

impl Counts {
    fn add(&mut self, state: State, verified: bool) {
        match state {
            State::Ok if verified => self.ok += 1,
            State::Ok | State::Refused => self.refused += 1,
            State::NetworkError => self.not_sent += 1,
            State::Unknown | State::Cancelled | State::Pending => self.unknown += 1,
        }
    }
}

/// What the file will do, before anything is sent.
fn summary(rows: &[Row], base: &BaseUrl, profile: &str) -> String {
    let agents: HashSet<&str> = rows.iter().map(|r| r.update.agent.as_str()).collect();
    let targets: HashSet<&str> = rows.iter().map(|r| r.update.target.as_str()).collect();
    let count = |name: &str| {
        rows.iter()
            .filter(|r| r.update.fields().contains(&name))
            .count()
    };
    format!(
        "{} rows, all valid: {} agent{}, {} calls or numbers; sets outcome on {}, value on {}, \
         metadata on {} (metadata replaces what a call holds). Sends to {} (profile {profile}).",
        rows.len(),
        agents.len(),
        if agents.len() == 1 { "" } else { "s" },
        targets.len(),
        count(crate::api::update::FIELD_OUTCOME),
        count(crate::api::update::FIELD_VALUE),
        count(crate::api::update::FIELD_METADATA),
        base.as_str()
    )
}
