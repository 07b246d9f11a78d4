//! `phonely-outcomes batch FILE`: corrections from a CSV or JSON Lines file. Every row is
//! checked with the form's rules first and nothing leaves while any row is invalid; then each
//! row is recorded as pending, sent (a few at a time) and completed, like a `send`.

use std::collections::HashSet;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use futures::StreamExt as _;

use super::args::{BatchArgs, GlobalArgs};
use super::{account, exit, fail, history_for_sending};
use crate::api::client::{Client, Completion, State};
use crate::api::request::{BaseUrl, build};
use crate::api::update::{Preference, Target};
use crate::batch::{Row, parse};
use crate::config::{Config, secret};
use crate::history::{Provenance, operator_name};

pub async fn run(args: BatchArgs, global: &GlobalArgs, config: &Config) -> ExitCode {
    let name = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(exit::INVALID, &format!("could not read {name}: {e}")),
    };
    let (rows, errors) = parse(&name, &bytes);
    if !errors.is_empty() {
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
    let timeout = args.timeout.unwrap_or(config.request_timeout.as_secs_f64());
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= 3600.0) {
        return fail(
            exit::INVALID,
            &format!("--timeout must be seconds from 0 to 3600 (got {timeout}). Nothing was sent."),
        );
    }
    let credentials = secret::resolve(&profile.key, &profile.name).await;
    let Some(key) = credentials.key.clone() else {
        return fail(
            exit::INVALID,
            &format!(
                "{} (profile {}). Nothing was sent.",
                credentials.missing_key_help(),
                profile.name
            ),
        );
    };
    let (lock, store) = match history_for_sending(args.data.data_dir.clone()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let client = match Client::new(Duration::from_secs_f64(timeout)) {
        Ok(c) => c,
        Err(m) => return fail(exit::INVALID, &format!("{m}. Nothing was sent.")),
    };
    let who = Provenance {
        operator: operator_name(),
        profile: profile.name.clone(),
        base_url: base.as_str().to_string(),
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
    let send_group = |group: Vec<Row>| {
        let (client, key, store, who, base, counts, report) =
            (&client, &key, &store, &who, &base, &counts, &report);
        async move {
            for row in group {
                let request = build(&row.update, base);
                // Recorded before it leaves; a row that cannot be recorded is not sent.
                let record = match store.insert_pending(who, &row.update, &request) {
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
