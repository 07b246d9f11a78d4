//! `phonely-outcomes batch FILE`: corrections from a CSV or JSON Lines file. Every row is
//! checked with the form's rules first and nothing leaves while any row is invalid; then each
//! row is recorded as pending, sent (a few at a time) and completed, like a `send`.

use std::collections::HashSet;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use futures::FutureExt as _;
use futures::StreamExt as _;

use super::args::{BatchArgs, GlobalArgs};
use super::batch_progress::Progress;
use super::common::{
    Sender, account, checked_key, exit, fail, history_for_sending, request_timeout,
};
use crate::api::inert::{inert, inert_lines};
use crate::api::request::{BaseUrl, build};
use crate::batch::engine::{
    Counts, Ended, RowResult, Run, Stopped, request_text, send_rows, unrecorded,
};
use crate::batch::plan::{Pace, file_hash, legacy_file_hash};
use crate::batch::{ColumnMap, Row, parse_with};
use list::{list, sent_before};
use report::{ReportFile, skipped_lines, write_report};
use shown::Shown;
use start::{NewBatch, resume_profile, rows_to_resume, start_batch, start_journal};

mod list;
mod pin;
mod report;
mod shown;
mod start;
mod team;
use crate::config::Config;

pub async fn run(
    args: BatchArgs,
    global: &GlobalArgs,
    config: &Config,
    offset: time::UtcOffset,
) -> ExitCode {
    if args.list {
        return list(global, offset);
    }
    let columns = match ColumnMap::parse(&args.columns) {
        Ok(c) => c.with_rules(crate::api::update::Rules {
            region: config.region,
            lenient_value: args.lenient,
        }),
        Err(m) => return fail(exit::INVALID, &format!("{m}. Nothing was sent.")),
    };
    // On --resume the history says which file, and which of its rows are done.
    let (opened, resume) = match args.resume {
        None => (None, None),
        Some(id) => {
            let (lock, store) = match history_for_sending(global.data_dir.clone()) {
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
    let bytes = match crate::batch::read_file(&path, crate::batch::MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(crate::batch::ReadError::Io(e)) => {
            return fail(exit::INVALID, &format!("could not read {name}: {e}"));
        }
        Err(e) => return fail(exit::INVALID, &format!("{name}: {e} Nothing was sent.")),
    };
    let mut hash = file_hash(&bytes, &columns);
    // `--pin` changes how rows are addressed: a resume must give it again (or leave it out
    // again), so it is part of the fingerprint.
    if args.pin {
        hash.push_str("-pin");
    }
    // A batch recorded before the fingerprint became FNV-1a (same file, read the same way).
    if let Some(b) = &resume
        && columns.is_empty()
        && b.file_hash == legacy_file_hash(&bytes)
    {
        hash.clone_from(&b.file_hash);
    }
    if let Some(b) = &resume
        && b.file_hash != hash
        && b.file_hash
            .starts_with(&file_hash(&bytes, &ColumnMap::default()))
    {
        return fail(
            exit::INVALID,
            &format!(
                "batch #{} read {name} with other --column flags, --pin, --lenient or \
                 default_region than these ({}{}): give the same ones as when it was first sent, \
                 so each row means what it meant then. Nothing was sent.",
                b.id,
                if columns.is_empty() {
                    "no --column".to_string()
                } else {
                    columns.canonical()
                },
                if args.pin { ", --pin" } else { ", no --pin" }
            ),
        );
    }
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
    let (mut rows, errors) = parse_with(&name, &bytes, &columns);
    if args.pin {
        pin::pin_every_phone_row(&mut rows);
    }
    // A file-level problem (no line, or the file unreadable) always stops; bad rows stop unless
    // --skip-invalid, which sends the good ones and names the skipped.
    let file_level = errors.iter().any(|e| e.line.is_none()) || rows.is_empty();
    // A resume skips them too: the file is the one the batch was sent from (its fingerprint
    // says so), and a batch with invalid rows was only ever sent with --skip-invalid.
    let skipping = args.skip_invalid || resume.is_some();
    // The rows skipped, one report line each with every problem of its row.
    let mut skipped: Vec<RowResult> = Vec::new();
    if !errors.is_empty() && skipping && !file_level {
        skipped = skipped_lines(&errors);
        for e in &errors {
            eprintln!("skipped: {}", inert(&format!("{name}: {e}")));
        }
        eprintln!(
            "{} {} skipped ({}); the {} valid {} on.",
            errors.len(),
            plural(errors.len(), "row problem", "row problems"),
            match &resume {
                Some(b) => format!("as when batch #{} was first sent", b.id),
                None => "--skip-invalid".to_string(),
            },
            rows.len(),
            plural(rows.len(), "row goes", "rows go")
        );
    } else if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {}", inert(&format!("{name}: {e}")));
        }
        eprintln!(
            "Nothing was sent: {} {} above ({} {} fine). Fix them and run again.",
            errors.len(),
            plural(errors.len(), "problem", "problems"),
            rows.len(),
            plural(rows.len(), "row is", "rows are")
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
    if let Err(code) = request_timeout(args.timeout, config) {
        return code;
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
    // A resume goes to the account its batch went to (see `resume_profile`).
    let profile_name = match &resume {
        Some(b) => match resume_profile(b, global.profile.as_deref()) {
            Ok(name) => Some(name),
            Err(code) => return code,
        },
        None => global.profile.as_deref(),
    };
    let (profile, base) = match account(profile_name, config, args.target.base_url.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Some(b) = &resume
        && base.as_str() != b.base_url
    {
        let warning = format!(
            "warning: batch #{} went to {}; its other rows go to {} (the same profile, {}).",
            b.id,
            b.base_url,
            base.as_str(),
            b.profile
        );
        eprintln!("{}", inert(&warning));
    }
    eprintln!(
        "{}",
        inert(&summary(&rows, &base, &profile.name, args.dry_run))
    );
    // For the person about to decide (a dry run, or the question below): the same file sent
    // before, so a file run twice by mistake is noticed. A script's `--yes` skips the look-up.
    if resume.is_none() && (args.dry_run || !args.yes) {
        for note in sent_before(global.data_dir.clone(), &hash, offset) {
            eprintln!("{}", inert(&note));
        }
        for note in
            crate::batch::notes::read_notes(&rows, columns.rules.region, &config.outcome_presets)
        {
            eprintln!("{}", inert(&format!("{name}: {note}")));
        }
    }
    if args.dry_run {
        // Pinned rows: the look-ups are made (they change nothing), so the request printed is
        // the one that would go.
        let mut rows = rows;
        if rows.iter().any(|r| r.pin) {
            let checked = match checked_key(profile, &base, args.timeout, config).await {
                Ok(c) => c,
                Err(code) => return code,
            };
            let Sender { key, client, .. } = match checked.sender() {
                Ok(s) => s,
                Err(code) => return code,
            };
            let pinned = pin::pin_rows(&client, &key, &base, rows).await;
            eprintln!(
                "Looked up the calls of {} {} to pin rows to.",
                pinned.lookups,
                plural(pinned.lookups, "number", "numbers")
            );
            if let Some(note) = pin::first_pinned_note(&pinned.rows) {
                eprintln!("{note}");
            }
            rows = pinned.rows;
            if rows.is_empty() {
                eprintln!("Dry run: nothing was sent, and no row would be: see above.");
                return ExitCode::from(exit::REFUSED);
            }
        }
        let first = build(&rows[0].sent(), &base);
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            inert_lines(&crate::api::curl::curl(
                &first,
                &profile.key.source(&profile.name)
            ))
        );
        eprintln!(
            "Dry run: nothing was sent. The first request is printed above as curl; run again \
             without --dry-run to send the {} {}.",
            rows.len(),
            plural(rows.len(), "row", "rows")
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
        // A production profile wants its name typed, as in the workbench: a `y` typed out of
        // habit must not send a file of corrections to the live account.
        if profile.production {
            eprint!(
                "Profile {} is PRODUCTION. Type its name to send {} updates there (anything else \
                 sends nothing): ",
                profile.name,
                rows.len()
            );
        } else {
            eprint!(
                "Send {} {}? [y/N] ",
                rows.len(),
                plural(rows.len(), "update", "updates")
            );
        }
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        let yes = if profile.production {
            answer.trim() == profile.name
        } else {
            matches!(answer.trim(), "y" | "Y" | "yes")
        };
        if !yes {
            eprintln!("Nothing was sent.");
            return ExitCode::SUCCESS;
        }
    }
    // The report's file is made now, so a path that cannot be written stops the run before
    // anything is sent rather than after every row went.
    let same_file = |a: &std::path::Path, b: &std::path::Path| matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b);
    if let Some(report) = &args.report
        && same_file(report, &path)
    {
        return fail(
            exit::INVALID,
            &format!(
                "--report {} is the file being sent: the report would replace it. Give the \
                 report another name. Nothing was sent.",
                report.display()
            ),
        );
    }
    let mut report_out = match &args.report {
        Some(path) => match ReportFile::create(path) {
            Ok(out) => Some(out),
            Err(e) => {
                return fail(
                    exit::INVALID,
                    &format!(
                        "the report cannot be written to {} ({e}): give --report a file in a \
                         folder that exists and can be written. Nothing was sent.",
                        path.display()
                    ),
                );
            }
        },
        None => None,
    };
    let checked = match checked_key(profile, &base, args.timeout, config).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    // The team log (when configured) logs in on a thread of its own meanwhile.
    let team_dir = super::common::data_dir(global.data_dir.clone()).ok();
    let mut team_thread = team_dir
        .as_deref()
        .and_then(|dir| team::TeamThread::start(config, dir));
    // With the key checked, the history opens (its lock, its schema, earlier runs' journals) on
    // a thread of its own while the HTTP client loads the system's certificates: two start-up
    // costs of a few milliseconds each, side by side. A new batch is recorded there too, with
    // its journal started (the first write to the history syncs its WAL). Nothing is sent
    // until both are ready.
    let opening = opened.ok_or_else(|| {
        let dir = global.data_dir.clone();
        let new = NewBatch {
            file: path.clone(),
            hash: hash.clone(),
            rows: rows.len(),
            who: checked.who.clone(),
        };
        std::thread::spawn(move || start_batch(dir, new))
    });
    let Sender { key, client, who } = match checked.sender() {
        Ok(s) => s,
        Err(code) => {
            // Let the history finish opening (and its lock go) before the program ends.
            if let Err(thread) = opening {
                let _ = thread.join();
            }
            return code;
        }
    };
    let (lock, store, started) = match opening {
        Ok((lock, store)) => (lock, store, None),
        Err(thread) => match thread.join() {
            Ok(Ok(s)) => (s.lock, s.store, Some((s.batch_id, s.journal))),
            Ok(Err(code)) => return code,
            Err(_) => {
                return fail(
                    exit::INVALID,
                    "opening the history failed unexpectedly. Nothing was sent.",
                );
            }
        },
    };
    let rows = if let Some(b) = &resume {
        match rows_to_resume(
            &store,
            global.data_dir.clone(),
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
    let (batch_id, mut journal) = match (started, &resume) {
        (Some((batch_id, journal)), _) => {
            eprintln!(
                "Batch #{batch_id}: if this stops, `phonely-outcomes batch --resume {batch_id}` \
                 goes on."
            );
            (batch_id, journal)
        }
        (None, Some(b)) => match start_journal(global.data_dir.clone(), b.id, &lock, &who) {
            Ok(journal) => (b.id, journal),
            Err(code) => return code,
        },
        (None, None) => {
            return fail(
                exit::INVALID,
                "the batch was not recorded in the history. Nothing was sent.",
            );
        }
    };
    // Pinned rows: their calls are looked up now, with the run's client and key; a row whose
    // number has no call (or whose look-up failed) is not sent, and said.
    let (rows, pin_not_sent) = if rows.iter().any(|r| r.pin) {
        let pinned = pin::pin_rows(&client, &key, &base, rows).await;
        (pinned.rows, pinned.not_sent)
    } else {
        (rows, Vec::new())
    };
    let total = rows.len() + pin_not_sent.len();
    // The rows go to the journal from here; the database has what it needs (the batch).
    // Closing it copies its WAL into it and syncs the file (a few milliseconds): done on a
    // thread of its own while the rows are sent.
    let closing = std::thread::spawn(move || drop(store));
    // A new batch's rows go to the team log as they end (its thread reads the journal's lines
    // as they are written); a resumed batch's after the run, every row of it, from the history.
    let team_rows_later = match team_thread.as_mut().and_then(team::TeamThread::lines) {
        Some(lines) if resume.is_none() => journal.tap(lines).is_err(),
        Some(_) => true,
        None => false,
    };
    let journal = std::cell::RefCell::new(journal);
    let progress = Progress::new(rows.len());
    let shown = Shown {
        progress: &progress,
        batch_id,
    };
    let run = Run {
        client: &client,
        key: &key,
        base: &base,
        concurrency: args.concurrency,
        pace: Pace::new(args.rate),
        watch: &shown,
        journal: &journal,
        keep_requests: args.report.is_some(),
    };
    let Ended {
        results: mut report,
        untaken,
        stopped,
    } = send_rows(&run, rows, ctrl_c()).await;
    progress.finish();
    report.extend(pin_not_sent);
    // Rows the run stopped before: each has its line in the report too, as not sent.
    if let Some(stopped) = stopped {
        report.extend(untaken.iter().map(|row| {
            RowResult::not_sent(
                row.line,
                if args.report.is_some() {
                    request_text(row)
                } else {
                    String::new()
                },
                format!(
                    "not sent: the run stopped ({}) before this row; `phonely-outcomes batch \
                     --resume {batch_id}` sends it",
                    stopped.why(),
                ),
                Some("not_sent"),
            )
        }));
    }
    // Endings are written with the next rows: write the last, and count any that could not be
    // written as unknown (their rows are imported as "outcome unknown").
    if let Err((e, lost)) = journal.into_inner().finish() {
        unrecorded(&mut report, &e, &lost, &shown);
    }
    let counts = report.iter().fold(Counts::default(), |mut c, l| {
        c.add(l.state);
        c
    });
    let n_skipped = skipped.len();
    if let Some((path, out)) = report_out.as_mut().and_then(ReportFile::take)
        && let Err(e) = write_report(out, batch_id, report.into_iter().chain(skipped))
    {
        eprintln!(
            "warning: the report could not be written to {}: {e}",
            path.display()
        );
    }
    let _ = closing.join();
    drop(lock);
    // The team log (when configured): the batch's rows together.
    let team_line = match team_thread {
        Some(t) => t.wait(team_rows_later.then_some(batch_id)),
        None => match &team_dir {
            Some(dir) => team::log_batch(config, dir, batch_id).await,
            None => None,
        },
    };
    if let Some(line) = team_line {
        eprintln!("{}", inert(&line));
    }
    let done = counts.done();
    tracing::info!(
        batch = batch_id,
        rows = total,
        updated = counts.ok,
        unconfirmed = counts.unconfirmed,
        refused = counts.refused,
        unknown = counts.unknown,
        not_sent = counts.not_sent,
        stopped = stopped.map_or("no", Stopped::why),
        "batch run ended"
    );
    let unsent = total - done + counts.not_sent;
    let unconfirmed = match counts.unconfirmed {
        0 => String::new(),
        n => format!(
            ", {n} not confirmed (the server said success but did not confirm every field: \
             check {})",
            plural(n, "it", "them")
        ),
    };
    eprintln!(
        "{done} of {total} rows: {} updated{unconfirmed}, {} refused, {} with no answer (outcome \
         unknown), {} not sent",
        counts.ok, counts.refused, counts.unknown, unsent
    );
    if let Some(stopped) = stopped
        && unsent > 0
    {
        eprintln!(
            "Batch #{batch_id} stopped ({}): {unsent} {} not sent. `phonely-outcomes batch \
             --resume {batch_id}` sends {}{}; rows already updated or refused are left as they \
             are.",
            stopped.why(),
            plural(unsent, "row was", "rows were"),
            plural(unsent, "it", "them"),
            stopped.before_resuming()
        );
    }
    if n_skipped > 0 {
        let n = n_skipped;
        eprintln!(
            "{n} {} of the file {} skipped as invalid (above); fix {} and send {} as a new file.",
            plural(n, "row", "rows"),
            plural(n, "was", "were"),
            plural(n, "it", "them"),
            plural(n, "it", "them"),
        );
    }
    ExitCode::from(if counts.unknown > 0 {
        exit::UNKNOWN
    } else if counts.refused > 0
        || counts.unconfirmed > 0
        || counts.not_sent > 0
        || done < total
        || n_skipped > 0
    {
        exit::REFUSED
    } else {
        exit::UPDATED
    })
}

/// `one` for one, `many` for any other count.
fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Ctrl+C, each time it is pressed.
fn ctrl_c() -> impl futures::Stream<Item = ()> {
    futures::stream::repeat(()).then(|()| tokio::signal::ctrl_c().map(|_| ()))
}

/// What the file will do, before anything is sent (in a dry run: what it would do).
fn summary(rows: &[Row], base: &BaseUrl, profile: &str, dry_run: bool) -> String {
    let agents: HashSet<&str> = rows.iter().map(|r| r.update.agent.as_str()).collect();
    let targets: HashSet<&str> = rows.iter().map(|r| r.update.target.as_str()).collect();
    let count = |set: fn(&Row) -> bool| rows.iter().filter(|r| set(r)).count();
    format!(
        "{} {}, all valid: {} {}, {} {}; sets outcome on {}, value on {}, metadata on {}{}. \
         {} {} (profile {profile}).",
        rows.len(),
        plural(rows.len(), "row", "rows"),
        agents.len(),
        plural(agents.len(), "agent", "agents"),
        targets.len(),
        plural(targets.len(), "call or number", "calls or numbers"),
        count(|r| r.update.outcome.is_some()),
        count(|r| r.update.value.is_some()),
        count(|r| r.update.metadata.is_some()),
        if rows.iter().any(|r| r.update.metadata.is_some()) {
            " (metadata replaces what a call holds)"
        } else {
            ""
        },
        if dry_run { "Would send to" } else { "Sends to" },
        base.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary speaks of metadata replacing what a call holds only when a row sets some.
    #[test]
    fn the_summary_mentions_replaced_metadata_only_when_a_row_sets_it() {
        let base = BaseUrl::default();
        let plain = [crate::batch::factory::row_of(
            2,
            "agent123",
            "+14155551234",
            "Sold",
        )];
        let text = summary(&plain, &base, "default", true);
        assert!(text.contains("metadata on 0. Would send to"), "{text}");
        assert!(!text.contains("replaces"), "{text}");
        let with = [crate::batch::factory::row(
            2,
            &crate::api::update::UpdateInput {
                agent: "agent123",
                target: "+14155551234",
                metadata: r#"{"a":1}"#,
                ..Default::default()
            },
        )];
        let text = summary(&with, &base, "default", false);
        assert!(
            text.contains("metadata on 1 (metadata replaces what a call holds). Sends to"),
            "{text}"
        );
    }
}
