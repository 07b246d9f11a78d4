//! `batch --list`, and the note that a file was sent before: batches as the history (and a
//! run still going, its journal) has them.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::super::args::GlobalArgs;
use super::super::common::{data_dir, exit, fail, open_for_reading};
use crate::api::inert::inert;
use crate::batch::engine::Counts;

/// Earlier batches of the same file read the same way (its fingerprint), one line each: when,
/// by whom, how their rows stand, and the resume that sends only what did not go through.
pub(super) fn sent_before(
    dir: Option<PathBuf>,
    hash: &str,
    offset: time::UtcOffset,
) -> Vec<String> {
    let Ok(dir) = data_dir(dir) else {
        return Vec::new();
    };
    if !dir.join(crate::history::DB_FILE).exists() {
        return Vec::new();
    }
    let Ok(store) = open_for_reading(&dir) else {
        return Vec::new();
    };
    let batches = store.batches().unwrap_or_default();
    batches
        .iter()
        .filter(|b| b.file_hash == hash)
        .map(|b| {
            let states = store.batch_states(b.id).unwrap_or_default();
            let updated = Counts::of_batch(0, states.values()).ok;
            format!(
                "Note: this file was sent before, as batch #{} on {} by {} ({} rows, {updated} \
                 updated). Sending it again sends every row again; `phonely-outcomes batch \
                 --resume {}` sends only the rows that did not go through.",
                b.id,
                crate::api::time::format_time(b.created_ms, offset),
                b.operator,
                b.rows,
                b.id
            )
        })
        .collect()
}

/// `batch --list`: every batch, newest first, with how its rows stand.
pub(super) fn list(global: &GlobalArgs, offset: time::UtcOffset) -> ExitCode {
    let dir = match data_dir(global.data_dir.clone()) {
        Ok(d) => d,
        Err(m) => return fail(exit::INVALID, &m),
    };
    if !dir.join(crate::history::DB_FILE).exists() {
        eprintln!("No batches yet in {}", dir.display());
        return ExitCode::SUCCESS;
    }
    let store = match open_for_reading(&dir) {
        Ok(s) => s,
        Err(m) => return fail(1, &m),
    };
    let batches = match store.batches() {
        Ok(b) => b,
        Err(e) => return fail(1, &e.to_string()),
    };
    let live = crate::history::journal::live(&dir);
    let mut out = std::io::stdout().lock();
    for b in batches {
        if let Some(run) = live.iter().find(|l| l.batch == b.id) {
            let (taken, answered) = run.progress();
            let entry = format!(
                "#{:<4} {}  {:<10} {} rows: being sent now ({answered} answered, {} under way)  \
                 {}",
                b.id,
                crate::api::time::format_time(b.created_ms, offset),
                b.profile,
                b.rows,
                taken.saturating_sub(answered),
                b.file
            );
            let _ = writeln!(out, "{}", inert(&entry));
            continue;
        }
        let states = store.batch_states(b.id).unwrap_or_default();
        let counts = Counts::of_batch(usize::try_from(b.rows).unwrap_or(0), states.values());
        let unconfirmed = match counts.unconfirmed {
            0 => String::new(),
            n => format!(", {n} not confirmed"),
        };
        let entry = format!(
            "#{:<4} {}  {:<10} {} rows: {} updated{unconfirmed}, {} refused, {} unknown, {} not \
             sent  {}",
            b.id,
            crate::api::time::format_time(b.created_ms, offset),
            b.profile,
            b.rows,
            counts.ok,
            counts.refused,
            counts.unknown,
            counts.not_sent,
            b.file
        );
        let _ = writeln!(out, "{}", inert(&entry));
    }
    ExitCode::SUCCESS
}
