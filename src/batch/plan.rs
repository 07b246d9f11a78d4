//! Which row goes next: a lane per call (rows of one call one after another, in file order;
//! lanes side by side), the `--rate` pace, which rows a resume sends, and the file's
//! fingerprint. No IO and no printing: the engine (`engine.rs`), the CLI and the workbench's
//! queue ([`may_start`]) use these.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use super::Row;
use crate::api::client::State;

/// What names the call an item updates: items of one call never go at once, and go in the
/// order given. A batch `Row` is one; the workbench's queue rows could be another.
pub trait OfCall {
    /// `(agent, target)`.
    fn call(&self) -> (&str, &str);
}

impl OfCall for Row {
    fn call(&self) -> (&str, &str) {
        (self.update.agent.as_str(), self.update.target.as_str())
    }
}

/// Items in lanes, one lane per call. [`Lanes::take`] gives the next item of a lane with
/// nothing under way (lanes in the order they became free; at first in the order of their
/// first item); the lane is then busy until [`Lanes::done`].
pub struct Lanes<T> {
    lanes: Vec<VecDeque<T>>,
    /// Lanes with an item to take and nothing under way, in the order they became free.
    ready: VecDeque<usize>,
}

impl<T: OfCall> Lanes<T> {
    pub fn new(items: Vec<T>) -> Self {
        // Each item's lane, found with keys borrowed from the items, then the items moved in.
        let mut lane_of: HashMap<(&str, &str), usize> = HashMap::new();
        let which: Vec<usize> = items
            .iter()
            .map(|item| {
                let next = lane_of.len();
                *lane_of.entry(item.call()).or_insert(next)
            })
            .collect();
        let mut lanes: Vec<VecDeque<T>> = std::iter::repeat_with(VecDeque::new)
            .take(lane_of.len())
            .collect();
        drop(lane_of);
        for (item, lane) in items.into_iter().zip(which) {
            lanes[lane].push_back(item);
        }
        let ready = (0..lanes.len()).collect();
        Self { lanes, ready }
    }
}

impl<T> Lanes<T> {
    /// The next item of a free lane, and its lane (busy from now until [`Lanes::done`]).
    pub fn take(&mut self) -> Option<(usize, T)> {
        loop {
            let lane = self.ready.pop_front()?;
            if let Some(item) = self.lanes[lane].pop_front() {
                return Some((lane, item));
            }
        }
    }

    /// The item taken from `lane` is over: the lane's next item may go.
    pub fn done(&mut self, lane: usize) {
        if !self.lanes[lane].is_empty() {
            self.ready.push_back(lane);
        }
    }

    /// Lanes whose call is already under way elsewhere (`busy`, asked of each lane's next item:
    /// every item of a lane has the same call) are not ready: their items wait for a later ask.
    pub fn hold(&mut self, busy: impl Fn(&T) -> bool) {
        let lanes = &self.lanes;
        self.ready
            .retain(|&lane| lanes[lane].front().is_none_or(|item| !busy(item)));
    }

    /// Whether an item could be taken now.
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// The items never taken, lane by lane.
    pub fn into_rest(self) -> impl Iterator<Item = T> {
        self.lanes.into_iter().flatten()
    }
}

/// What may start now, for a sender that keeps no lanes between two asks: the workbench's
/// queue, whose rows a person may leave out, put back or take into the form between two asks,
/// and whose 429 row waits again (so its lanes are made afresh from the rows waiting each
/// time, and nothing needs putting back). Of `waiting` (in file order), the next item of each
/// call that is not `busy` (under way already), in file order, at most `slots`: the same lanes
/// and the same rule as `batch`.
pub fn may_start<T: OfCall>(waiting: Vec<T>, busy: impl Fn(&T) -> bool, slots: usize) -> Vec<T> {
    let mut lanes = Lanes::new(waiting);
    lanes.hold(busy);
    std::iter::from_fn(|| lanes.take())
        .take(slots)
        .map(|(_, item)| item)
        .collect()
}

/// `--rate`: at least `pace` between two requests leaving.
pub struct Pace {
    pace: Option<Duration>,
    /// When the next request may leave.
    next_slot: std::cell::Cell<tokio::time::Instant>,
}

impl Pace {
    /// `per_second` requests a second at most; `None` for no limit.
    pub fn new(per_second: Option<f64>) -> Self {
        Self {
            pace: per_second.map(|r| Duration::from_secs_f64(1.0 / r)),
            next_slot: std::cell::Cell::new(tokio::time::Instant::now()),
        }
    }

    /// Takes the next start time (now or later) and moves the next one on; `None` without a
    /// limit.
    pub fn take_slot(&self) -> Option<tokio::time::Instant> {
        let pace = self.pace?;
        let at = self.next_slot.get().max(tokio::time::Instant::now());
        self.next_slot.set(at + pace);
        Some(at)
    }

    /// Whether a request may leave now.
    pub fn slot_due(&self) -> bool {
        self.pace.is_none() || self.next_slot.get() <= tokio::time::Instant::now()
    }

    /// When the next request may leave.
    pub fn next_slot(&self) -> tokio::time::Instant {
        self.next_slot.get()
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

/// Which rows of a batch a resume sends, and how the others stand.
#[derive(Debug, Default, PartialEq)]
pub struct Resume {
    pub send: Vec<Row>,
    /// Updated (or not confirmed: the server said success), left as they are.
    pub done: usize,
    pub refused: usize,
    /// Outcome unknown, left alone (without `resend_unknown`).
    pub unknown: usize,
    /// `(line, later line)`: a row to send left alone because a later row for its call went
    /// through (or may have).
    pub superseded: Vec<(usize, usize)>,
}

/// The rows a resume sends, from how each line of the batch ended (`answers`: state and HTTP
/// status by line): never recorded, never reached Phonely, or turned away before they were
/// applied (429, 401, 403); with `resend_unknown` also those whose outcome is unknown. Rows
/// already updated or refused are left as they are, and so is a row to send when a later row
/// for the same call was (or may have been) applied: it would put back an older value.
pub fn resume<S: std::hash::BuildHasher>(
    answers: &HashMap<usize, (State, Option<u16>), S>,
    rows: Vec<Row>,
    resend_unknown: bool,
) -> Resume {
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
    let mut last_applied: HashMap<(&str, &str), usize> = HashMap::new();
    for (row, need) in rows.iter().zip(&needs) {
        if matches!(need, Need::Done | Need::Unknown) {
            last_applied.insert(row.call(), row.line);
        }
    }
    let mut out = Resume::default();
    let sends: Vec<bool> = rows
        .iter()
        .zip(&needs)
        .map(|(row, need)| {
            match need {
                Need::Send => match last_applied.get(&row.call()) {
                    Some(&later) if later > row.line => out.superseded.push((row.line, later)),
                    _ => return true,
                },
                Need::Done => out.done += 1,
                Need::Refused => out.refused += 1,
                Need::Unknown => out.unknown += 1,
            }
            false
        })
        .collect();
    drop(last_applied);
    out.send = rows
        .into_iter()
        .zip(sends)
        .filter_map(|(row, send)| send.then_some(row))
        .collect();
    out
}

/// A short fingerprint of the file and of how it is read (`--column`, `--lenient`, the
/// region), so a resume can tell it is still the same file, read the same way. Without those
/// it is just the file's; with, theirs follows.
pub fn file_hash(bytes: &[u8], columns: &super::ColumnMap) -> String {
    let file = format!("{:016x}-{}", fnv1a(bytes), bytes.len());
    if columns.is_empty() {
        return file;
    }
    format!("{file}-c{:016x}", fnv1a(columns.canonical().as_bytes()))
}

/// The fingerprint of batches recorded by 0.1.0 without `--column` (std's hasher of this
/// toolchain): still accepted on resume, so those batches can be finished.
pub fn legacy_file_hash(bytes: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::factory::row_of;

    struct Item(&'static str, &'static str, usize);

    impl OfCall for Item {
        fn call(&self) -> (&str, &str) {
            (self.0, self.1)
        }
    }

    /// Rows of one call go one at a time in file order; other calls' rows go beside them.
    #[test]
    fn a_calls_rows_go_one_at_a_time_in_file_order() {
        let mut lanes = Lanes::new(vec![
            Item("a", "1", 1),
            Item("a", "1", 2),
            Item("a", "2", 3),
            Item("b", "1", 4),
        ]);
        let taken: Vec<(usize, usize)> = std::iter::from_fn(|| lanes.take())
            .map(|(lane, i)| (lane, i.2))
            .collect();
        assert_eq!(taken, [(0, 1), (1, 3), (2, 4)], "line 2 waits for line 1");
        assert!(!lanes.has_ready());
        lanes.done(1);
        assert!(!lanes.has_ready(), "a lane with nothing left is not ready");
        lanes.done(0);
        let (lane, item) = lanes.take().unwrap();
        assert_eq!((lane, item.2), (0, 2));
        assert_eq!(lanes.into_rest().count(), 0);
    }

    /// Asked afresh (the queue's way): the next row of each call not under way, in file order,
    /// as many as there are slots; a call under way holds all its rows back.
    #[test]
    fn what_may_start_is_each_free_calls_next_row_in_file_order() {
        let waiting = || {
            vec![
                Item("a", "1", 2),
                Item("a", "1", 3),
                Item("a", "2", 4),
                Item("a", "3", 5),
                Item("a", "4", 6),
            ]
        };
        let lines = |items: Vec<Item>| items.iter().map(|i| i.2).collect::<Vec<_>>();
        assert_eq!(lines(may_start(waiting(), |_| false, 10)), [2, 4, 5, 6]);
        assert_eq!(lines(may_start(waiting(), |_| false, 2)), [2, 4]);
        let busy = |i: &Item| i.1 == "1" || i.1 == "3";
        assert_eq!(lines(may_start(waiting(), busy, 10)), [4, 6]);
        assert!(may_start(waiting(), |_| false, 0).is_empty());
    }

    /// A resume sends rows never answered or turned away before they applied, leaves the
    /// rest, and never sends a row after a later row of its call went through.
    #[test]
    fn a_resume_sends_what_did_not_go_through_and_never_an_older_value() {
        let rows = vec![
            row_of(2, "a", "+14155551234", "One"),
            row_of(3, "a", "+14155551234", "Two"),
            row_of(4, "a", "+14155550000", "Three"),
            row_of(5, "a", "+14155550001", "Four"),
            row_of(6, "a", "+14155550002", "Five"),
        ];
        let answers: HashMap<usize, (State, Option<u16>)> = [
            (2, (State::Ok, Some(200))),
            (3, (State::Refused, Some(429))),
            (4, (State::Refused, Some(400))),
            (5, (State::Unknown, None)),
        ]
        .into_iter()
        .collect();
        let plan = resume(&answers, rows.clone(), false);
        assert_eq!(
            plan.send.iter().map(|r| r.line).collect::<Vec<_>>(),
            [3, 6],
            "line 3: 429; line 6: never sent"
        );
        assert_eq!((plan.done, plan.refused, plan.unknown), (1, 1, 1));
        assert!(plan.superseded.is_empty());
        let asked = resume(&answers, rows.clone(), true);
        assert_eq!(
            asked.send.iter().map(|r| r.line).collect::<Vec<_>>(),
            [3, 5, 6]
        );
        // Line 3 went through after line 2 (same call): line 2 is left alone.
        let later: HashMap<usize, (State, Option<u16>)> =
            [(3, (State::Ok, Some(200)))].into_iter().collect();
        let plan = resume(&later, rows, false);
        assert_eq!(plan.superseded, [(2, 3)]);
    }
}
