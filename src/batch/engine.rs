//! The batch engine: sends valid rows, rows of one call one after another in file order (a
//! lane per call, [`Lanes`]), up to `concurrency` at once, at most `--rate` a second
//! ([`Pace`]), each recorded in the run's journal before it leaves and tried again politely
//! ([`retry_after`]). What happens is told to a [`Watch`] as events (the CLI draws them); how
//! each row ended comes back as a [`RowResult`]. No printing here.

use std::cell::RefCell;
use std::time::Duration;

use futures::FutureExt as _;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;

use super::Row;
use super::plan::{Lanes, Pace};
use super::retry::retry_row;
use crate::api::client::{Client, Completion, State};
use crate::api::key::ApiKey;
use crate::api::outcome::Settled;
use crate::api::request::{BaseUrl, WireRequest, build};
use crate::api::update::CallId;
use crate::history::journal::Journal;

pub use super::retry::MAX_ATTEMPTS;

/// The rows done so far, by how they ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub ok: usize,
    /// The server said success but did not confirm every field sent.
    pub unconfirmed: usize,
    pub refused: usize,
    /// No answer, cancelled, or the result could not be recorded: may or may not be applied.
    pub unknown: usize,
    pub not_sent: usize,
}

impl Counts {
    pub fn done(&self) -> usize {
        self.ok + self.unconfirmed + self.refused + self.unknown + self.not_sent
    }

    /// Counts a row that ended in `state`, in the pile [`State::settled`] names.
    pub fn add(&mut self, state: State) {
        match state.settled() {
            Settled::Updated => self.ok += 1,
            Settled::Unconfirmed => self.unconfirmed += 1,
            Settled::Refused => self.refused += 1,
            Settled::NotSent => self.not_sent += 1,
            Settled::Unknown => self.unknown += 1,
        }
    }

    /// The rows of a batch as the history has them (`state` by line; lines with no record
    /// were never sent) out of `rows` in its file.
    pub fn of_batch<'a>(rows: usize, states: impl IntoIterator<Item = &'a State>) -> Self {
        let mut counts = Counts::default();
        let mut recorded = 0;
        for state in states {
            counts.add(*state);
            recorded += 1;
        }
        counts.not_sent += rows.saturating_sub(recorded);
        counts
    }
}

/// How one row of the run ended (one line of `--report`).
#[derive(Clone, Debug, PartialEq)]
pub struct RowResult {
    pub line: usize,
    /// What the row asked for ([`request_text`]), when the run keeps it (`keep_requests`).
    pub request: String,
    pub state: State,
    pub http_status: Option<u16>,
    pub message: String,
    pub call_id: Option<String>,
    /// The row's number in this run, once it was recorded.
    pub seq: Option<usize>,
    /// The report's state for a row never tried: `not_sent` (the run stopped first) or
    /// `invalid` (skipped); otherwise the history's state.
    pub untried: Option<&'static str>,
}

impl RowResult {
    /// A row that was not sent: no answer; in the report, state `untried` (else the history's
    /// `network_error`).
    pub fn not_sent(
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

/// A row as a person reads it in the report: `agent target (preference) ← what it sets`.
pub fn request_text(row: &Row) -> String {
    format!(
        "{} {}{} ← {}",
        row.update.agent.as_str(),
        row.update.target.as_str(),
        match (row.update.target.preference(), &row.pinned) {
            (Some(p), Some(call)) => format!(" ({} → call {})", p.as_str(), call.as_str()),
            (Some(p), None) => format!(" ({})", p.as_str()),
            (None, _) => String::new(),
        },
        row.update.summary()
    )
}

/// Why a run stopped before its last row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Interrupted (Ctrl+C).
    Interrupted,
    /// Phonely answered 401 (the key) or 403 (what the key may do): every further row would
    /// be refused the same way.
    KeyRefused(u16),
    /// The journal could not be written, so no row can be recorded before it leaves.
    Unrecorded,
}

impl Stopped {
    pub fn why(self) -> &'static str {
        match self {
            Stopped::Interrupted => "Ctrl+C",
            Stopped::KeyRefused(401) => "Phonely refused the API key: HTTP 401",
            Stopped::KeyRefused(_) => "the API key may not do this: HTTP 403",
            Stopped::Unrecorded => "the history could not be written",
        }
    }

    /// What has to be put right before a resume can go on, said after "sends them".
    pub fn before_resuming(self) -> &'static str {
        match self {
            Stopped::KeyRefused(_) => {
                " once the key is right (`phonely-outcomes config show` checks it)"
            }
            Stopped::Interrupted | Stopped::Unrecorded => "",
        }
    }
}

/// What the run tells as it goes: the CLI draws it (a progress bar, lines). Called on the
/// run's own task, in order.
pub trait Watch {
    /// A row is over (after any retries); `counts` include it.
    fn ended(&self, row: &Row, result: &RowResult, counts: &Counts);
    /// A row is tried again after `wait`; `message` says how its last try ended; `attempt` is
    /// the try about to be made (2 for the first retry).
    fn retrying(&self, row: &Row, message: &str, wait: Duration, attempt: u32);
    /// A row could not be recorded before it left, so it was not sent; `counts` include it.
    fn not_recorded(&self, row: &Row, error: &std::io::Error, counts: &Counts);
    /// A row's ending could not be recorded: the history will read it as outcome unknown.
    fn ending_not_recorded(&self, line: usize, error: &std::io::Error);
    /// The run takes no more rows; the `under_way` rows still finish.
    fn stopping(&self, why: Stopped, under_way: usize);
}

/// What sending a batch needs, shared by the scheduler and the rows under way.
pub struct Run<'a> {
    pub client: &'a Client,
    pub key: &'a ApiKey,
    pub base: &'a BaseUrl,
    pub concurrency: usize,
    /// `--rate`.
    pub pace: Pace,
    pub watch: &'a dyn Watch,
    /// Where each row is recorded before it leaves, and how it ended after.
    pub journal: &'a RefCell<Journal>,
    /// Keep each row's [`request_text`] in its result (for `--report`).
    pub keep_requests: bool,
}

/// What came of the rows that were taken, the rows never taken (when the run stopped early,
/// in lane order), and why it stopped, if it did.
pub struct Ended {
    pub results: Vec<RowResult>,
    pub untaken: Vec<Row>,
    pub stopped: Option<Stopped>,
}

/// Rows whose endings could not be written to the journal (`lost`, by their number in the
/// run): they will be imported as "outcome unknown", so their results say so now. Each is told
/// to `watch`.
pub fn unrecorded(
    results: &mut [RowResult],
    error: &std::io::Error,
    lost: &[usize],
    watch: &dyn Watch,
) {
    for seq in lost {
        let Some(l) = results.iter_mut().find(|l| l.seq == Some(*seq)) else {
            continue;
        };
        l.state = State::Unknown;
        l.message = format!("the result could not be recorded: {error}");
        watch.ending_not_recorded(l.line, error);
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

/// The second interrupt: the rows under way stop waiting for their answer (or their next
/// try). A row checks it each time it is polled, and while it waits it leaves its waker in its
/// place, so [`Stop::now`] can have each polled once more. (A channel each row listened on
/// cost more than a thousand instructions a row, every row, for a key that is rarely pressed.)
struct Stop {
    now: std::cell::Cell<bool>,
    wakers: RefCell<Vec<Option<std::task::Waker>>>,
}

impl Stop {
    fn new(places: usize) -> Self {
        Self {
            now: std::cell::Cell::new(false),
            wakers: RefCell::new(vec![None; places]),
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
/// the next. The first item of `interrupts` (Ctrl+C) stops taking rows and lets those under
/// way finish; the second stops waiting for them (they are recorded as cancelled: outcome
/// unknown). The journal's last endings are the caller's to write (`Journal::finish`).
pub async fn send_rows(
    run: &Run<'_>,
    rows: Vec<Row>,
    interrupts: impl futures::Stream<Item = ()>,
) -> Ended {
    let total = rows.len();
    let mut lanes = Lanes::new(rows);
    let mut next_seq = 0_usize;
    let mut counts = Counts::default();
    let mut results: Vec<RowResult> = Vec::with_capacity(total);
    let mut stopped: Option<Stopped> = None;
    let stop = Stop::new(run.concurrency);
    // Where each row under way leaves its waker for `stop` (a row holds one while under way).
    let mut free_places: Vec<usize> = (0..run.concurrency).rev().collect();
    let mut interrupts = std::pin::pin!(interrupts.fuse());
    let mut listening = true;
    let mut under_way = FuturesUnordered::new();
    // The next rows about to leave, recorded together (one buffer for the whole run).
    let mut group: Vec<Job> = Vec::with_capacity(run.concurrency);
    loop {
        if stopped.is_none() {
            while under_way.len() + group.len() < run.concurrency && run.pace.slot_due() {
                let Some((lane, row)) = lanes.take() else {
                    break;
                };
                let _ = run.pace.take_slot();
                let request = build(&row.sent(), run.base);
                run.journal.borrow_mut().pending(
                    next_seq,
                    row.line,
                    &row.update,
                    &request,
                    row.pinned.as_ref().map(CallId::as_str),
                );
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
                run.journal.borrow_mut().write()
            };
            match written {
                Ok(()) => {
                    for job in group.drain(..) {
                        under_way.push(send_one(run, &stop, job));
                    }
                }
                Err((e, lost)) => {
                    unrecorded(&mut results, &e, &lost, run.watch);
                    for Job { row, place, .. } in group.drain(..) {
                        free_places.push(place);
                        counts.not_sent += 1;
                        results.push(RowResult::not_sent(
                            row.line,
                            request_text(&row),
                            format!("not sent: it could not be recorded first: {e}"),
                            None,
                        ));
                        run.watch.not_recorded(&row, &e, &counts);
                    }
                    // The journal cannot be written: every further row would fail the same.
                    stopped.get_or_insert(Stopped::Unrecorded);
                }
            }
        }
        if under_way.is_empty() && (stopped.is_some() || !lanes.has_ready()) {
            break;
        }
        let wait_for_slot = stopped.is_none()
            && lanes.has_ready()
            && under_way.len() < run.concurrency
            && !run.pace.slot_due();
        tokio::select! {
            Some(sent) = under_way.next(), if !under_way.is_empty() => {
                // Every answer already in is taken now, so the rows that replace them are
                // recorded together (one write to the journal, not one each).
                let mut sent = Some(sent);
                while let Some(s) = sent {
                    finished(run, &s, &mut counts, &mut results);
                    // The key is refused: every further row would be refused the same way.
                    if let Some(status @ (401 | 403)) = results.last().and_then(|l| l.http_status)
                        && stopped.is_none()
                    {
                        stopped = Some(Stopped::KeyRefused(status));
                        run.watch.stopping(Stopped::KeyRefused(status), under_way.len());
                    }
                    free_places.push(s.job.place);
                    lanes.done(s.job.lane);
                    sent = under_way.next().now_or_never().flatten();
                }
            }
            () = tokio::time::sleep_until(run.pace.next_slot()), if wait_for_slot => {}
            interrupt = interrupts.next(), if listening => {
                if interrupt.is_none() {
                    listening = false;
                } else if stopped.is_none() {
                    stopped = Some(Stopped::Interrupted);
                    run.watch.stopping(Stopped::Interrupted, under_way.len());
                } else {
                    stop.now();
                    listening = false;
                }
            }
        }
    }
    let untaken = if stopped.is_some() {
        lanes.into_rest().collect()
    } else {
        Vec::new()
    };
    Ended {
        results,
        untaken,
        stopped,
    }
}

/// One recorded row: sent, and tried again politely while that is safe.
#[allow(clippy::manual_async_fn)] // on purpose: see below
fn send_one<'a>(
    run: &'a Run<'a>,
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
            let (completion, latency) = try_once(run, stop, &job).await;
            match retry_row(&completion, &job.row, 0) {
                None => {
                    return Sent {
                        job,
                        completion,
                        latency,
                    };
                }
                Some(wait) => Box::pin(send_again(run, stop, job, completion, latency, wait)),
            }
        };
        again.await
    }
}

/// One try of a row's request; `Cancelled` after a second interrupt.
async fn try_once(run: &Run<'_>, stop: &Stop, job: &Job) -> (Completion, Duration) {
    let started = std::time::Instant::now();
    stop.unless_stopped(
        job.place,
        std::pin::pin!(run.client.send(&job.request, run.key)),
    )
    .await
    .unwrap_or_else(|| (Completion::Cancelled, started.elapsed()))
}

/// A row whose first try may be repeated (`retry_after` gave `wait`): after each pause it is
/// sent again, until an answer needs no retry, the tries run out, or a second interrupt ends a
/// pause (the row keeps the answer it had).
async fn send_again(
    run: &Run<'_>,
    stop: &Stop,
    job: Job,
    mut completion: Completion,
    mut latency: Duration,
    mut wait: Duration,
) -> Sent {
    // Tries made so far.
    let mut tries = 1;
    loop {
        run.watch.retrying(
            &job.row,
            &crate::api::client::classify(&job.row.update.fields(), &completion).message,
            wait,
            tries + 1,
        );
        let woken = stop
            .unless_stopped(job.place, std::pin::pin!(tokio::time::sleep(wait)))
            .await
            .is_some();
        let woken = woken
            && match run.pace.take_slot() {
                None => true,
                Some(at) => stop
                    .unless_stopped(job.place, std::pin::pin!(tokio::time::sleep_until(at)))
                    .await
                    .is_some(),
            };
        if !woken {
            break;
        }
        (completion, latency) = try_once(run, stop, &job).await;
        match retry_row(&completion, &job.row, tries) {
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

/// A row is over: how it ended goes to the journal (written with the next rows), the counts,
/// the results and the watch.
fn finished(run: &Run<'_>, sent: &Sent, counts: &mut Counts, results: &mut Vec<RowResult>) {
    let verdict = crate::api::client::classify(&sent.job.row.update.fields(), &sent.completion);
    // A batch's thousands of ✓ rows are logged one by one only at debug level (the history has
    // each; the run's line in the log counts them); anything else always.
    if verdict.state != State::Ok || tracing::enabled!(tracing::Level::DEBUG) {
        crate::api::client::log_completion(&sent.job.request, &sent.completion, sent.latency);
    }
    run.journal.borrow_mut().ended(
        sent.job.seq,
        &sent.completion,
        sent.latency,
        verdict.state.said_success(),
    );
    let result = RowResult {
        line: sent.job.row.line,
        // Only `--report` shows it: not worth a string per row otherwise.
        request: if run.keep_requests {
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
    counts.add(result.state);
    run.watch.ended(&sent.job.row, &result, counts);
    results.push(result);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch's rows as the history has them: each state in its pile, and the lines with no
    /// record as not sent.
    #[test]
    fn a_batch_is_counted_from_its_states() {
        let states = [
            State::Ok,
            State::Ok,
            State::Unconfirmed,
            State::Refused,
            State::NetworkError,
            State::Pending,
            State::Cancelled,
            State::Unknown,
        ];
        let counts = Counts::of_batch(10, &states);
        assert_eq!(
            counts,
            Counts {
                ok: 2,
                unconfirmed: 1,
                refused: 1,
                unknown: 3,
                not_sent: 1 + 2,
            }
        );
        assert_eq!(counts.done(), 10);
    }

    struct Quiet;

    impl Watch for Quiet {
        fn ended(&self, _: &Row, _: &RowResult, _: &Counts) {}
        fn retrying(&self, _: &Row, _: &str, _: Duration, _: u32) {}
        fn not_recorded(&self, _: &Row, _: &std::io::Error, _: &Counts) {}
        fn ending_not_recorded(&self, _: usize, _: &std::io::Error) {}
        fn stopping(&self, _: Stopped, _: usize) {}
    }

    /// A row's state is allocated once, when it leaves. Under about a kilobyte it takes the
    /// allocator's quick path (glibc's thread cache); above, each row cost about a thousand
    /// instructions more. The state was 1,240 bytes before `send_one` became an `async` block
    /// with its retries boxed.
    #[test]
    fn a_rows_state_stays_under_a_kilobyte() {
        let dir = tempfile::tempdir().unwrap();
        let row = crate::batch::factory::row(
            2,
            &crate::api::update::UpdateInput {
                agent: "agent123",
                target: "+14155551234",
                outcome: "Sold",
                value: "299",
                metadata: r#"{"a":1}"#,
                ..Default::default()
            },
        );
        let who = crate::api::factory::provenance();
        let base = BaseUrl::default();
        let client = Client::new(Duration::from_secs(5)).unwrap();
        let key = ApiKey::new("test-key");
        let journal = RefCell::new(Journal::create(dir.path(), 1, "s", &who).unwrap());
        let run = Run {
            client: &client,
            key: &key,
            base: &base,
            concurrency: 1,
            pace: Pace::new(None),
            watch: &Quiet,
            journal: &journal,
            keep_requests: false,
        };
        let stop = Stop::new(1);
        let request = build(&row.update, &base);
        let state = send_one(
            &run,
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
