//! `phonely-outcomes batch FILE`: corrections from a CSV or JSON Lines file. Every row is
//! checked with the form's rules first and nothing leaves while any row is invalid; then each
//! row is recorded as pending, sent (a few at a time) and completed, like a `send`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use futures::FutureExt as _;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;

use super::args::{BatchArgs, GlobalArgs};
use super::batch_progress::{Counts, Progress};
use super::common::{
    Sender, account, checked_key, data_dir, exit, fail, history_for_sending, open_for_reading,
    request_timeout,
};
use crate::api::client::{Client, Completion, State};
use crate::api::inert::{inert, inert_lines};
use crate::api::key::ApiKey;
use crate::api::request::{BaseUrl, WireRequest, build};
use crate::api::update::{Preference, Target};
use crate::batch::{ColumnMap, Row, parse_with};
use crate::config::Config;
use crate::history::journal::Journal;

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
                "batch #{} read {name} with other --column flags, --lenient or default_region \
                 than these ({}): give the same ones as when it was first sent, so each row \
                 means what it meant then. Nothing was sent.",
                b.id,
                if columns.is_empty() {
                    "none".to_string()
                } else {
                    columns.canonical()
                }
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
    let (rows, errors) = parse_with(&name, &bytes, &columns);
    // A file-level problem (no line, or the file unreadable) always stops; bad rows stop unless
    // --skip-invalid, which sends the good ones and names the skipped.
    let file_level = errors.iter().any(|e| e.line.is_none()) || rows.is_empty();
    // A resume skips them too: the file is the one the batch was sent from (its fingerprint
    // says so), and a batch with invalid rows was only ever sent with --skip-invalid.
    let skipping = args.skip_invalid || resume.is_some();
    // The rows skipped, one report line each with every problem of its row.
    let mut skipped: Vec<ReportLine> = Vec::new();
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
        for note in read_notes(&rows, columns.rules.region, &config.outcome_presets) {
            eprintln!("{}", inert(&format!("{name}: {note}")));
        }
    }
    if args.dry_run {
        let first = build(&rows[0].update, &base);
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
        // Private (0600): it holds phone numbers and Phonely's answers.
        Some(path) => match crate::history::private::file_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .and_then(|file| {
                crate::history::private::tighten(path, crate::history::private::FILE_MODE)?;
                Ok(csv::Writer::from_writer(file))
            }) {
            Ok(out) => Some(ReportFile {
                path: path.clone(),
                out: Some(out),
            }),
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
    let (batch_id, journal) = match (started, &resume) {
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
    let total = rows.len();
    // The rows go to the journal from here; the database has what it needs (the batch).
    // Closing it copies its WAL into it and syncs the file (a few milliseconds): done on a
    // thread of its own while the rows are sent.
    let closing = std::thread::spawn(move || drop(store));
    let journal = std::cell::RefCell::new(journal);
    let progress = Progress::new(total);
    let plan = Plan {
        client: &client,
        key: &key,
        base: &base,
        batch_id,
        concurrency: args.concurrency,
        pace: args.rate.map(|r| Duration::from_secs_f64(1.0 / r)),
        next_slot: std::cell::Cell::new(tokio::time::Instant::now()),
        progress: &progress,
        journal: &journal,
        report: args.report.is_some(),
    };
    let ended = send_rows(&plan, rows).await;
    progress.finish();
    let Ended {
        mut report,
        stopped,
    } = ended;
    // Endings are written with the next rows: write the last, and count any that could not be
    // written as unknown (their rows are imported as "outcome unknown").
    if let Err((e, lost)) = journal.into_inner().finish() {
        unrecorded(&mut report, &e, &lost);
    }
    let counts = report.iter().fold(Counts::default(), |mut c, l| {
        add(&mut c, l.state);
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

/// The call a row updates, as the batch orders rows: one after another per agent and target.
fn call_of(row: &Row) -> (&str, &str) {
    (row.update.agent.as_str(), row.update.target.as_str())
}

/// `one` for one, `many` for any other count.
fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A batch to record before its first row is sent.
struct NewBatch {
    file: PathBuf,
    hash: String,
    rows: usize,
    who: crate::history::Provenance,
}

/// A new batch, recorded, with the history it was recorded in and its journal started.
struct Started {
    lock: crate::history::SessionLock,
    store: crate::history::Store,
    batch_id: i64,
    journal: Journal,
}

/// Opens the history for sending, records the new batch and starts its journal: what a new
/// batch needs before a row leaves, done on a thread of its own at start-up.
fn start_batch(dir: Option<PathBuf>, new: NewBatch) -> Result<Started, ExitCode> {
    let (lock, store) = history_for_sending(dir.clone())?;
    let absolute = std::fs::canonicalize(&new.file).unwrap_or(new.file);
    let Ok(batch) = store.create_batch(
        &absolute.display().to_string(),
        &new.hash,
        new.rows,
        &new.who,
    ) else {
        return Err(fail(
            exit::INVALID,
            "could not record the batch in the history. Nothing was sent.",
        ));
    };
    let journal = start_journal(dir, batch.id, &lock, &new.who)?;
    Ok(Started {
        lock,
        store,
        batch_id: batch.id,
        journal,
    })
}

/// The journal batch `batch_id`'s rows are recorded in, from here on.
fn start_journal(
    dir: Option<PathBuf>,
    batch_id: i64,
    lock: &crate::history::SessionLock,
    who: &crate::history::Provenance,
) -> Result<Journal, ExitCode> {
    let data_dir =
        data_dir(dir).map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent.")))?;
    Journal::create(&data_dir, batch_id, lock.id(), who).map_err(|e| {
        fail(
            exit::INVALID,
            &format!(
                "could not start recording the batch in {} ({e}). Nothing was sent.",
                data_dir.join(crate::history::journal::DIR).display()
            ),
        )
    })
}

/// Rows whose endings could not be written to the journal: they will be imported as "outcome
/// unknown", so the report and the counts say so now.
fn unrecorded(report: &mut [ReportLine], error: &std::io::Error, lost: &[usize]) {
    for seq in lost {
        let Some(l) = report.iter_mut().find(|l| l.seq == Some(*seq)) else {
            continue;
        };
        l.state = State::Unknown;
        l.message = format!("the result could not be recorded: {error}");
        eprintln!(
            "? line {}: the request ended but its result could not be recorded ({error}); the \
             history will show it as outcome unknown",
            l.line
        );
    }
}

/// What sending a batch needs, shared by the scheduler and the rows under way.
struct Plan<'a> {
    client: &'a Client,
    key: &'a ApiKey,
    base: &'a BaseUrl,
    batch_id: i64,
    concurrency: usize,
    /// `--rate`: at least this long between two requests leaving.
    pace: Option<Duration>,
    /// With `--rate`: when the next request may leave.
    next_slot: std::cell::Cell<tokio::time::Instant>,
    progress: &'a Progress,
    /// Where each row is recorded before it leaves, and how it ended after.
    journal: &'a std::cell::RefCell<Journal>,
    /// `--report` was given.
    report: bool,
}

impl Plan<'_> {
    /// With `--rate`: takes the next start time (now or later) and moves the next one on.
    fn take_slot(&self) -> Option<tokio::time::Instant> {
        let pace = self.pace?;
        let at = self.next_slot.get().max(tokio::time::Instant::now());
        self.next_slot.set(at + pace);
        Some(at)
    }

    /// With `--rate`: whether a request may leave now.
    fn slot_due(&self) -> bool {
        self.pace.is_none() || self.next_slot.get() <= tokio::time::Instant::now()
    }
}

/// What came of the rows that were taken, and why the run stopped early, if it did.
struct Ended {
    report: Vec<ReportLine>,
    stopped: Option<Stopped>,
}

/// Why a run stopped before its last row.
#[derive(Clone, Copy)]
enum Stopped {
    /// Ctrl+C.
    Interrupted,
    /// Phonely answered 401 (the key) or 403 (what the key may do): every further row would
    /// be refused the same way.
    KeyRefused(u16),
    /// The journal could not be written, so no row can be recorded before it leaves.
    Unrecorded,
}

impl Stopped {
    fn why(self) -> &'static str {
        match self {
            Stopped::Interrupted => "Ctrl+C",
            Stopped::KeyRefused(401) => "Phonely refused the API key: HTTP 401",
            Stopped::KeyRefused(_) => "the API key may not do this: HTTP 403",
            Stopped::Unrecorded => "the history could not be written",
        }
    }

    /// What has to be put right before a resume can go on, said after "sends them".
    fn before_resuming(self) -> &'static str {
        match self {
            Stopped::KeyRefused(_) => {
                " once the key is right (`phonely-outcomes config show` checks it)"
            }
            Stopped::Interrupted | Stopped::Unrecorded => "",
        }
    }
}

/// A row whose request is over (after any retries).
struct Sent {
    job: Job,
    completion: Completion,
    latency: Duration,
}

/// A row on its way.
struct Job {
    lane: usize,
    row: Row,
    /// The row's number in this run (its journal lines refer to it).
    seq: usize,
    /// Where it leaves its waker for [`Stop`].
    place: usize,
    request: WireRequest,
}

/// The second Ctrl+C: the rows under way stop waiting for their answer (or their next try).
/// A row checks it each time it is polled, and while it waits it leaves its waker in its
/// place, so [`Stop::now`] can have each polled once more. (A channel each row listened on
/// cost more than a thousand instructions a row, every row, for a key that is rarely pressed.)
struct Stop {
    now: std::cell::Cell<bool>,
    wakers: std::cell::RefCell<Vec<Option<std::task::Waker>>>,
}

impl Stop {
    fn new(places: usize) -> Self {
        Self {
            now: std::cell::Cell::new(false),
            wakers: std::cell::RefCell::new(vec![None; places]),
        }
    }

    /// `work`'s output, or `None` once [`Stop::now`] has been called. `work` comes pinned
    /// where it was made (an owned future, pinned in here, would take the space of two in the
    /// row's state, and a larger allocation for each row).
    fn unless_stopped<'a, F: std::future::Future>(
        &'a self,
        place: usize,
        mut work: std::pin::Pin<&'a mut F>,
    ) -> impl std::future::Future<Output = Option<F::Output>> + 'a {
        std::future::poll_fn(move |cx| {
            if self.now.get() {
                return std::task::Poll::Ready(None);
            }
            let polled = work.as_mut().poll(cx);
            if polled.is_pending() {
                let mut wakers = self.wakers.borrow_mut();
                if let Some(kept) = wakers.get_mut(place)
                    && !kept.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
                {
                    *kept = Some(cx.waker().clone());
                }
            }
            polled.map(Some)
        })
    }

    fn now(&self) {
        self.now.set(true);
        let wakers: Vec<std::task::Waker> = self
            .wakers
            .borrow_mut()
            .iter_mut()
            .filter_map(Option::take)
            .collect();
        for waker in wakers {
            waker.wake();
        }
    }
}

/// Sends the rows: rows of one call one after another in file order (a lane per call), up to
/// `concurrency` requests at once. The rows taken together are written to the journal as
/// pending in one write, and leave only once it has returned; how each ended is written with
/// the next. Ctrl+C stops taking rows and lets those under way finish; a second Ctrl+C stops
/// waiting for them (they are recorded as cancelled: outcome unknown).
async fn send_rows(plan: &Plan<'_>, rows: Vec<Row>) -> Ended {
    let total = rows.len();
    // Each row's lane, found with keys borrowed from the rows, then the rows moved in.
    let mut lane_of: HashMap<(&str, &str), usize> = HashMap::new();
    let which: Vec<usize> = rows
        .iter()
        .map(|row| {
            let next = lane_of.len();
            *lane_of.entry(call_of(row)).or_insert(next)
        })
        .collect();
    let mut lanes: Vec<std::collections::VecDeque<Row>> =
        std::iter::repeat_with(std::collections::VecDeque::new)
            .take(lane_of.len())
            .collect();
    drop(lane_of);
    for (row, lane) in rows.into_iter().zip(which) {
        lanes[lane].push_back(row);
    }
    // Lanes with a row to take and nothing under way, in the order they became free.
    let mut ready: std::collections::VecDeque<usize> = (0..lanes.len()).collect();
    let mut next_seq = 0_usize;
    let mut counts = Counts::default();
    let mut report: Vec<ReportLine> = Vec::with_capacity(total);
    let mut stopped: Option<Stopped> = None;
    let stop = Stop::new(plan.concurrency);
    // Where each row under way leaves its waker for `stop` (a row holds one while under way).
    let mut free_places: Vec<usize> = (0..plan.concurrency).rev().collect();
    let mut interrupt = Box::pin(tokio::signal::ctrl_c());
    let mut listening = true;
    let mut under_way = FuturesUnordered::new();
    // The next rows about to leave, recorded together (one buffer for the whole run).
    let mut group: Vec<Job> = Vec::with_capacity(plan.concurrency);
    loop {
        if stopped.is_none() {
            while under_way.len() + group.len() < plan.concurrency && plan.slot_due() {
                let Some(lane) = ready.pop_front() else { break };
                let Some(row) = lanes[lane].pop_front() else {
                    continue;
                };
                let _ = plan.take_slot();
                let request = build(&row.update, plan.base);
                plan.journal
                    .borrow_mut()
                    .pending(next_seq, row.line, &row.update, &request);
                group.push(Job {
                    lane,
                    row,
                    seq: next_seq,
                    // At most `concurrency` rows are under way or about to be, so one is free.
                    place: free_places.pop().unwrap_or_default(),
                    request,
                });
                next_seq += 1;
            }
            let written = if group.is_empty() {
                Ok(())
            } else {
                plan.journal.borrow_mut().write()
            };
            match written {
                Ok(()) => {
                    for job in group.drain(..) {
                        under_way.push(send_one(plan, &stop, job));
                    }
                }
                Err((e, lost)) => {
                    unrecorded(&mut report, &e, &lost);
                    for Job { row, place, .. } in group.drain(..) {
                        free_places.push(place);
                        counts.not_sent += 1;
                        plan.progress.note(&format!(
                            "✗ line {}: could not be recorded in the history, so it was not \
                             sent: {e}",
                            row.line
                        ));
                        report.push(ReportLine::not_sent(
                            row.line,
                            request_text(&row),
                            format!("not sent: it could not be recorded first: {e}"),
                            None,
                        ));
                        plan.progress.update(&counts);
                    }
                    // The journal cannot be written: every further row would fail the same.
                    stopped.get_or_insert(Stopped::Unrecorded);
                }
            }
        }
        if under_way.is_empty() && (stopped.is_some() || ready.is_empty()) {
            break;
        }
        let wait_for_slot = stopped.is_none()
            && !ready.is_empty()
            && under_way.len() < plan.concurrency
            && !plan.slot_due();
        tokio::select! {
            Some(sent) = under_way.next(), if !under_way.is_empty() => {
                // Every answer already in is taken now, so the rows that replace them are
                // recorded together (one write to the journal, not one each).
                let mut sent = Some(sent);
                while let Some(s) = sent {
                    finished(plan, &s, &mut counts, &mut report);
                    // The key is refused: every further row would be refused the same way.
                    if let Some(status @ (401 | 403)) = report.last().and_then(|l| l.http_status)
                        && stopped.is_none()
                    {
                        stopped = Some(Stopped::KeyRefused(status));
                        plan.progress.note(&format!(
                            "Stopping: Phonely answered HTTP {status} to the key, so no more \
                             rows will be sent; waiting for the {} under way.",
                            under_way.len()
                        ));
                    }
                    free_places.push(s.job.place);
                    if !lanes[s.job.lane].is_empty() {
                        ready.push_back(s.job.lane);
                    }
                    sent = under_way.next().now_or_never().flatten();
                }
            }
            () = sleep_until_slot(plan), if wait_for_slot => {}
            _ = &mut interrupt, if listening => {
                if stopped.is_none() {
                    stopped = Some(Stopped::Interrupted);
                    plan.progress.note(&format!(
                        "Stopping: no more rows will be sent; waiting for the {} under way \
                         (Ctrl+C again stops waiting: those become \"outcome unknown\").",
                        under_way.len()
                    ));
                    interrupt = Box::pin(tokio::signal::ctrl_c());
                } else {
                    stop.now();
                    listening = false;
                }
            }
        }
    }
    // Rows the run stopped before: each has its line in the report too, as not sent.
    if let Some(stopped) = stopped {
        for row in lanes.into_iter().flatten() {
            report.push(ReportLine::not_sent(
                row.line,
                if plan.report {
                    request_text(&row)
                } else {
                    String::new()
                },
                format!(
                    "not sent: the run stopped ({}) before this row; `phonely-outcomes batch \
                     --resume {}` sends it",
                    stopped.why(),
                    plan.batch_id
                ),
                Some("not_sent"),
            ));
        }
    }
    Ended { report, stopped }
}

fn sleep_until_slot(plan: &Plan<'_>) -> tokio::time::Sleep {
    tokio::time::sleep_until(plan.next_slot.get())
}

/// One recorded row: sent, and tried again politely while that is safe.
#[allow(clippy::manual_async_fn)] // on purpose: see below
fn send_one<'a>(
    plan: &'a Plan<'a>,
    stop: &'a Stop,
    job: Job,
) -> impl std::future::Future<Output = Sent> + 'a {
    // An `async` block, not an `async fn`: an `async fn` keeps a moved-in argument twice in
    // its state (as given, and as its own local), and every row's state is allocated when it
    // leaves; kept under a kilobyte, that allocation takes the allocator's quick path. Most
    // rows end at their first try, so only a row tried again pays for the state of its waits,
    // in a box. (The block ends the first try's locals before the last `.await`, or they
    // would take room in every row's state too.)
    async move {
        let again = {
            let (completion, latency) = try_once(plan, stop, &job).await;
            match retry_after(&completion, &job.row.update.target, 0) {
                None => {
                    return Sent {
                        job,
                        completion,
                        latency,
                    };
                }
                Some(wait) => Box::pin(send_again(plan, stop, job, completion, latency, wait)),
            }
        };
        again.await
    }
}

/// One try of a row's request; `Cancelled` after a second Ctrl+C.
async fn try_once(plan: &Plan<'_>, stop: &Stop, job: &Job) -> (Completion, Duration) {
    let started = std::time::Instant::now();
    stop.unless_stopped(
        job.place,
        std::pin::pin!(plan.client.send(&job.request, plan.key)),
    )
    .await
    .unwrap_or_else(|| (Completion::Cancelled, started.elapsed()))
}

/// A row whose first try may be repeated (`retry_after` gave `wait`): after each pause it is
/// sent again, until an answer needs no retry, the tries run out, or a second Ctrl+C ends a
/// pause (the row keeps the answer it had).
async fn send_again(
    plan: &Plan<'_>,
    stop: &Stop,
    job: Job,
    mut completion: Completion,
    mut latency: Duration,
    mut wait: Duration,
) -> Sent {
    // Tries made so far.
    let mut tries = 1;
    loop {
        plan.progress.note(&format!(
            "… line {}: {}; trying again in {:.1} s (attempt {} of {})",
            job.row.line,
            crate::api::client::classify(&job.row.update.fields(), &completion).message,
            wait.as_secs_f32(),
            tries + 1,
            MAX_ATTEMPTS
        ));
        let woken = stop
            .unless_stopped(job.place, std::pin::pin!(tokio::time::sleep(wait)))
            .await
            .is_some();
        let woken = woken
            && match plan.take_slot() {
                None => true,
                Some(at) => stop
                    .unless_stopped(job.place, std::pin::pin!(tokio::time::sleep_until(at)))
                    .await
                    .is_some(),
            };
        if !woken {
            break;
        }
        (completion, latency) = try_once(plan, stop, &job).await;
        match retry_after(&completion, &job.row.update.target, tries) {
            Some(next) => {
                wait = next;
                tries += 1;
            }
            None => break,
        }
    }
    Sent {
        job,
        completion,
        latency,
    }
}

/// A row is over: how it ended goes to the journal (written with the next rows), the counts
/// and the report; a row that did not go through gets a line of its own.
fn finished(plan: &Plan<'_>, sent: &Sent, counts: &mut Counts, report: &mut Vec<ReportLine>) {
    let verdict = crate::api::client::classify(&sent.job.row.update.fields(), &sent.completion);
    // A batch's thousands of ✓ rows are logged one by one only at debug level (the history has
    // each; the run's line in the log counts them); anything else always.
    if verdict.state != State::Ok || tracing::enabled!(tracing::Level::DEBUG) {
        crate::api::client::log_completion(&sent.job.request, &sent.completion, sent.latency);
    }
    plan.journal.borrow_mut().ended(
        sent.job.seq,
        &sent.completion,
        sent.latency,
        verdict.state.said_success(),
    );
    let line = ReportLine {
        line: sent.job.row.line,
        // Only `--report` shows it: not worth a string per row otherwise.
        request: if plan.report {
            request_text(&sent.job.row)
        } else {
            String::new()
        },
        state: verdict.state,
        http_status: verdict.http_status,
        message: verdict.message,
        call_id: verdict.call_id,
        seq: Some(sent.job.seq),
        untried: None,
    };
    add(counts, line.state);
    if line.state != State::Ok {
        plan.progress.note(&format!(
            "{} line {} {} {}: {} [batch #{}]",
            line.state.mark(),
            line.line,
            sent.job.row.update.agent.as_str(),
            sent.job.row.update.target.as_str(),
            line.message,
            plan.batch_id
        ));
    }
    report.push(line);
    plan.progress.update(counts);
}

fn request_text(row: &Row) -> String {
    format!(
        "{} {}{} ← {}",
        row.update.agent.as_str(),
        row.update.target.as_str(),
        match row.update.target.preference() {
            Some(p) => format!(" ({})", p.as_str()),
            None => String::new(),
        },
        row.update.summary()
    )
}

/// A short fingerprint of the file and of how it is read (`--column`, `--lenient`, the
/// region), so a resume can tell it is still the same file, read the same way. Without those
/// it is just the file's; with, theirs follows.
fn file_hash(bytes: &[u8], columns: &ColumnMap) -> String {
    let file = format!("{:016x}-{}", fnv1a(bytes), bytes.len());
    if columns.is_empty() {
        return file;
    }
    format!("{file}-c{:016x}", fnv1a(columns.canonical().as_bytes()))
}

/// The fingerprint of batches recorded by 0.1.0 without `--column` (std's hasher of this
/// toolchain): still accepted on resume, so those batches can be finished.
fn legacy_file_hash(bytes: &[u8]) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:016x}-{}", h.finish(), bytes.len())
}

/// FNV-1a, 64 bits: the same on every build and toolchain (std's `DefaultHasher` promises
/// neither), so a batch sent by one version resumes with the next.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The profile a resume sends with: the batch's own. The profile's key decides which Phonely
/// account the rows land in, so a resume never falls back to the default profile (a batch
/// tried on the sandbox must not go on in production), and a `--profile` (or `PHONELY_PROFILE`)
/// naming another is refused.
fn resume_profile<'b>(
    batch: &'b crate::history::Batch,
    asked: Option<&str>,
) -> Result<&'b str, ExitCode> {
    match asked {
        Some(asked) if asked != batch.profile => Err(fail(
            exit::INVALID,
            &format!(
                "batch #{} was sent with profile {} ({}); a resume sends its other rows to the \
                 same account, not with profile {asked}. Leave out --profile (and \
                 PHONELY_PROFILE), or give --profile {}. Nothing was sent.",
                batch.id, batch.profile, batch.base_url, batch.profile
            ),
        )),
        _ => Ok(&batch.profile),
    }
}

/// What a resume does with a row of its batch.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    Send,
    Done,
    Refused,
    Unknown,
}

/// The rows a resume sends: never recorded, never reached Phonely, or turned away before they
/// were applied (429, 401, 403); with `resend_unknown` also those whose outcome is unknown.
/// Rows already updated or refused are left as they are, and so is a row to send when a later
/// row for the same call was (or may have been) applied: it would put back an older value.
fn rows_to_resume(
    store: &crate::history::Store,
    data_dir: Option<PathBuf>,
    batch_id: i64,
    rows: Vec<Row>,
    resend_unknown: bool,
) -> Result<Vec<Row>, String> {
    // Earlier runs' journals are imported first, and a crashed run's rows in flight read as
    // unknown, not as pending forever.
    if let Ok(dir) = super::common::data_dir(data_dir) {
        store.reconcile_orphans(&dir).map_err(|e| e.to_string())?;
        // A run of this batch that is still going holds rows the history does not have yet:
        // resuming now could send them twice.
        if crate::history::journal::live(&dir)
            .iter()
            .any(|l| l.batch == batch_id)
        {
            return Err(format!(
                "batch #{batch_id} is still being sent by another phonely-outcomes (it has not \
                 ended): let it finish, or stop it with Ctrl+C, then resume. Nothing was sent."
            ));
        }
    }
    let answers = store.batch_answers(batch_id).map_err(|e| e.to_string())?;
    // What each row needs: sent (never sent; turned away before it was applied: 429, 401,
    // 403; or, asked, outcome unknown), or left as it is.
    let need = |row: &Row| match answers.get(&row.line) {
        None | Some((State::NetworkError, _) | (State::Refused, Some(429 | 401 | 403))) => {
            Need::Send
        }
        // Not confirmed: the server said success, so it is left as an updated row is.
        Some((State::Ok | State::Unconfirmed, _)) => Need::Done,
        Some((State::Refused, _)) => Need::Refused,
        Some(_) if resend_unknown => Need::Send,
        Some(_) => Need::Unknown,
    };
    let needs: Vec<Need> = rows.iter().map(need).collect();
    // A row to send is left alone when a later row for the same call was (or may have been)
    // applied: sending it now would put back an older value than the file's last for that call.
    let mut last_applied: HashMap<(&str, &str), usize> = HashMap::new();
    for (row, need) in rows.iter().zip(&needs) {
        if matches!(need, Need::Done | Need::Unknown) {
            last_applied.insert(call_of(row), row.line);
        }
    }
    let (mut done, mut refused, mut unknown) = (0, 0, 0);
    let mut superseded: Vec<(usize, usize)> = Vec::new();
    let sends: Vec<bool> = rows
        .iter()
        .zip(&needs)
        .map(|(row, need)| {
            match need {
                Need::Send => match last_applied.get(&call_of(row)) {
                    Some(&later) if later > row.line => superseded.push((row.line, later)),
                    _ => return true,
                },
                Need::Done => done += 1,
                Need::Refused => refused += 1,
                Need::Unknown => unknown += 1,
            }
            false
        })
        .collect();
    drop(last_applied);
    let send: Vec<Row> = rows
        .into_iter()
        .zip(sends)
        .filter_map(|(row, send)| send.then_some(row))
        .collect();
    eprintln!(
        "Resuming batch #{batch_id}: {done} already updated, {refused} refused (left as they \
         are), {unknown} with outcome unknown{}, {} to send.",
        if resend_unknown {
            ""
        } else {
            " (left alone; --resend-unknown sends them)"
        },
        send.len()
    );
    if !superseded.is_empty() {
        let n = superseded.len();
        let shown: Vec<String> = superseded
            .iter()
            .take(10)
            .map(|(line, later)| format!("line {line} (line {later} went after it)"))
            .collect();
        eprintln!(
            "{n} {} left alone: a later row for the same call went through (or may have) after \
             {}, so sending {} now would put back an older value: {}{}.",
            plural(n, "row", "rows"),
            plural(n, "it", "them"),
            plural(n, "it", "them"),
            shown.join(", "),
            if n > 10 { ", …" } else { "" }
        );
    }
    Ok(send)
}

/// Earlier batches of the same file read the same way (its fingerprint), one line each: when,
/// by whom, how their rows stand, and the resume that sends only what did not go through.
fn sent_before(dir: Option<PathBuf>, hash: &str, offset: time::UtcOffset) -> Vec<String> {
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
            let updated = states.values().filter(|s| **s == State::Ok).count();
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
fn list(global: &GlobalArgs, offset: time::UtcOffset) -> ExitCode {
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
        let count = |f: &dyn Fn(State) -> bool| states.values().filter(|s| f(**s)).count();
        let unconfirmed = match count(&|s| s == State::Unconfirmed) {
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
            count(&|s| s == State::Ok),
            count(&|s| s == State::Refused),
            count(&|s| matches!(s, State::Unknown | State::Cancelled | State::Pending)),
            usize::try_from(b.rows)
                .unwrap_or(0)
                .saturating_sub(states.len())
                + count(&|s| s == State::NetworkError),
            b.file
        );
        let _ = writeln!(out, "{}", inert(&entry));
    }
    ExitCode::SUCCESS
}

/// One line of `--report`: what a row asked for and what came of it.
struct ReportLine {
    line: usize,
    request: String,
    state: State,
    http_status: Option<u16>,
    message: String,
    call_id: Option<String>,
    /// The row's number in this run, once it was recorded.
    seq: Option<usize>,
    /// The report's state for a row never tried: `not_sent` (the run stopped first) or
    /// `invalid` (skipped); otherwise the history's state.
    untried: Option<&'static str>,
}

impl ReportLine {
    /// A row that was not sent: no answer; in the report, state `untried` (else the history's
    /// `network_error`).
    fn not_sent(
        line: usize,
        request: String,
        message: String,
        untried: Option<&'static str>,
    ) -> Self {
        Self {
            line,
            request,
            state: State::NetworkError,
            http_status: None,
            message,
            call_id: None,
            seq: None,
            untried,
        }
    }
}

/// The `--report` file, made before anything is sent. Left unwritten (the run ended before
/// sending), it is removed, so a run that sent nothing leaves no empty report behind.
struct ReportFile {
    path: PathBuf,
    out: Option<csv::Writer<std::fs::File>>,
}

impl ReportFile {
    /// The file to write the report to; it is then kept.
    fn take(&mut self) -> Option<(PathBuf, csv::Writer<std::fs::File>)> {
        Some((self.path.clone(), self.out.take()?))
    }
}

impl Drop for ReportFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// One report line for each row skipped as invalid, with every problem of its row.
fn skipped_lines(errors: &[crate::batch::RowError]) -> Vec<ReportLine> {
    let mut problems: std::collections::BTreeMap<usize, Vec<String>> =
        std::collections::BTreeMap::new();
    for e in errors {
        if let Some(line) = e.line {
            problems.entry(line).or_default().push(match &e.column {
                Some(c) => format!("column {c}: {}", e.message),
                None => e.message.clone(),
            });
        }
    }
    problems
        .into_iter()
        .map(|(line, problems)| {
            ReportLine::not_sent(
                line,
                String::new(),
                format!("skipped as invalid: {}", problems.join("; ")),
                Some("invalid"),
            )
        })
        .collect()
}

/// Writes the report as CSV, in the file's row order: each row sent, each not sent, and each
/// skipped as invalid.
fn write_report(
    mut out: csv::Writer<std::fs::File>,
    batch_id: i64,
    lines: impl Iterator<Item = ReportLine>,
) -> Result<(), String> {
    let mut lines: Vec<ReportLine> = lines.collect();
    lines.sort_by_key(|l| l.line);
    out.write_record([
        "line",
        "request",
        "state",
        "http_status",
        "message",
        "resolved_call_id",
        "batch_id",
    ])
    .map_err(|e| e.to_string())?;
    for l in lines {
        out.write_record([
            l.line.to_string(),
            // Read in terminals and spreadsheets: what came from the file or the server is
            // made inert.
            inert(&l.request).into_owned(),
            l.untried.unwrap_or(l.state.as_str()).to_string(),
            l.http_status.map(|s| s.to_string()).unwrap_or_default(),
            inert(&l.message).into_owned(),
            inert(l.call_id.as_deref().unwrap_or_default()).into_owned(),
            batch_id.to_string(),
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

/// Counts a row that ended in `state`.
fn add(counts: &mut Counts, state: State) {
    match state {
        State::Ok => counts.ok += 1,
        State::Unconfirmed => counts.unconfirmed += 1,
        State::Refused => counts.refused += 1,
        State::NetworkError => counts.not_sent += 1,
        State::Unknown | State::Cancelled | State::Pending => counts.unknown += 1,
    }
}

/// How rows are read that may not be what was meant (`api::notes`, as the form and the queue
/// say it): digits in the `target` column read as a call ID, an outcome that differs from a
/// preset only in case or spacing. At most ten, then how many more.
fn read_notes(rows: &[Row], region: crate::api::phone::Region, presets: &[String]) -> Vec<String> {
    const SHOWN: usize = 10;
    let mut notes = Vec::new();
    let mut more = 0;
    let labels = crate::api::notes::Labels { presets, used: &[] };
    for row in rows {
        let typed = (row.kind == crate::api::update::TargetKind::Either)
            .then(|| row.update.target.as_str());
        let target = crate::api::notes::warnings(
            &row.update,
            typed,
            region,
            crate::api::notes::Labels::default(),
        )
        .into_iter()
        .map(|w| format!("target {} is {w}", row.update.target.as_str()));
        let outcome = row.update.outcome.as_deref().and_then(|o| {
            crate::api::notes::outcome_near_miss(o, labels).map(|l| {
                format!(
                    "outcome \"{o}\": {}",
                    crate::api::notes::near_miss_warning(l)
                )
            })
        });
        for note in target.chain(outcome) {
            if notes.len() < SHOWN {
                notes.push(format!("line {}: {note}", row.line));
            } else {
                more += 1;
            }
        }
    }
    if more > 0 {
        notes.push(format!("… and {more} more like these"));
    }
    notes
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
        let (plain, errors) = crate::batch::parse(
            "rows.csv",
            b"agent_id,target,outcome\nagent123,+14155551234,Sold\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let text = summary(&plain, &base, "default", true);
        assert!(text.contains("metadata on 0. Would send to"), "{text}");
        assert!(!text.contains("replaces"), "{text}");
        let (with, errors) = crate::batch::parse(
            "rows.csv",
            b"agent_id,target,metadata\nagent123,+14155551234,\"{\"\"a\"\":1}\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let text = summary(&with, &base, "default", false);
        assert!(
            text.contains("metadata on 1 (metadata replaces what a call holds). Sends to"),
            "{text}"
        );
    }

    /// A row's state is allocated once, when it leaves. Under about a kilobyte it takes the
    /// allocator's quick path (glibc's thread cache); above, each row cost about a thousand
    /// instructions more. The state was 1,240 bytes before `send_one` became an `async` block
    /// with its retries boxed.
    #[test]
    fn a_rows_state_stays_under_a_kilobyte() {
        let dir = tempfile::tempdir().unwrap();
        let (rows, errors) = crate::batch::parse(
            "rows.csv",
            b"agent_id,target,outcome,value,metadata\nagent123,+14155551234,Sold,299,\"{\"\"a\"\":1}\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let who = crate::history::tests::who();
        let base = BaseUrl::default();
        let client = Client::new(Duration::from_secs(5)).unwrap();
        let key = ApiKey::new("test-key");
        let journal = std::cell::RefCell::new(Journal::create(dir.path(), 1, "s", &who).unwrap());
        let progress = Progress::new(1);
        let plan = Plan {
            client: &client,
            key: &key,
            base: &base,
            batch_id: 1,
            concurrency: 1,
            pace: None,
            next_slot: std::cell::Cell::new(tokio::time::Instant::now()),
            progress: &progress,
            journal: &journal,
            report: false,
        };
        let stop = Stop::new(1);
        let row = rows.into_iter().next().unwrap();
        let request = build(&row.update, &base);
        let state = send_one(
            &plan,
            &stop,
            Job {
                lane: 0,
                row,
                seq: 0,
                place: 0,
                request,
            },
        );
        let size = std::mem::size_of_val(&state);
        eprintln!("a row's state: {size} bytes");
        assert!(size <= 960, "a row's state is {size} bytes");
    }
}
