//! The history writer for batches: a thread of its own that owns the database connection and
//! writes in groups, so that a batch's requests never wait behind SQLite on the thread that
//! drives them, and many rows share one transaction.
//!
//! The audit rule holds row by row: [`Writer::record`] resolves only once the rows' `pending`
//! records are committed, and the caller sends a row only after that. Completions are queued
//! ([`Writer::complete`]) and committed with whatever else is waiting; one that is not yet
//! committed when the process dies leaves its row `pending`, which the next run reads as
//! "outcome unknown": the honest answer, since nothing recorded what came back.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Provenance, Store};
use crate::api::client::Completion;
use crate::api::request::WireRequest;
use crate::api::update::OutcomeUpdate;

/// Most jobs written in one transaction.
const GROUP_MAX: usize = 512;

/// A row about to be sent: recorded `pending` with its batch and line.
#[derive(Clone, Debug)]
pub struct NewPending {
    pub update: OutcomeUpdate,
    pub request: WireRequest,
    /// `(batch id, line in the file)`, for a batch row.
    pub batch: Option<(i64, usize)>,
}

/// How a recorded row's request ended.
#[derive(Clone, Debug)]
pub struct Finished {
    pub id: i64,
    /// The wire names of the fields the request set (for `classify`).
    pub fields: Vec<&'static str>,
    pub completion: Completion,
    pub latency: Duration,
}

/// A completion that could not be written: the row stays `pending` (then "outcome unknown").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unrecorded {
    pub id: i64,
    pub error: String,
}

/// The answer to [`Writer::record`]: the new records' ids in the order given, or why none of
/// them was recorded (then none may be sent).
pub type Recorded = Result<Vec<i64>, String>;

enum Job {
    Record {
        rows: Vec<NewPending>,
        reply: tokio::sync::oneshot::Sender<Recorded>,
    },
    Complete(Finished),
}

/// The writer thread and the way to it. Dropping it without [`Writer::finish`] still writes
/// what was queued (the thread drains its queue before it ends).
pub struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<Vec<Unrecorded>>>,
}

impl Writer {
    /// Starts the thread; it owns `store` from now on and records as `who`.
    pub fn spawn(store: Store, who: Provenance) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("history-writer".to_string())
            .spawn(move || run(&store, &who, &queue))?;
        Ok(Self {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Records `rows` as pending in one transaction (shared with whatever else is waiting).
    /// Resolves once they are committed, with their ids; only then may they be sent.
    pub fn record(
        &self,
        rows: Vec<NewPending>,
    ) -> impl std::future::Future<Output = Recorded> + use<> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(Job::Record { rows, reply }).is_ok());
        async move {
            if !sent {
                return Err("the history writer has stopped".to_string());
            }
            answer
                .await
                .unwrap_or_else(|_| Err("the history writer has stopped".to_string()))
        }
    }

    /// Queues a completion; it is committed with the next group.
    pub fn complete(&self, finished: Finished) -> Result<(), Unrecorded> {
        let id = finished.id;
        match &self.jobs {
            Some(jobs) if jobs.send(Job::Complete(finished)).is_ok() => Ok(()),
            _ => Err(Unrecorded {
                id,
                error: "the history writer has stopped".to_string(),
            }),
        }
    }

    /// Waits until everything queued is written; returns the completions that could not be.
    /// Blocks the calling thread (briefly: the queue is written in groups).
    pub fn finish(mut self) -> Vec<Unrecorded> {
        self.jobs = None;
        self.thread
            .take()
            .map(|t| {
                t.join().unwrap_or_else(|_| {
                    vec![Unrecorded {
                        id: 0,
                        error: "the history writer stopped unexpectedly".to_string(),
                    }]
                })
            })
            .unwrap_or_default()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The thread: wait for a job, take every other one already queued (up to `GROUP_MAX`), write
/// them in one transaction, then answer. Ends when every `Writer` handle is gone and the queue
/// is empty.
fn run(store: &Store, who: &Provenance, queue: &mpsc::Receiver<Job>) -> Vec<Unrecorded> {
    let mut unrecorded = Vec::new();
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        write_group(store, who, group, &mut unrecorded);
    }
    unrecorded
}

fn write_group(store: &Store, who: &Provenance, group: Vec<Job>, unrecorded: &mut Vec<Unrecorded>) {
    let together = store.in_transaction(|s| {
        group
            .iter()
            .map(|job| apply(s, who, job))
            .collect::<super::Result<Vec<_>>>()
    });
    match together {
        Ok(results) => {
            for (job, ids) in group.into_iter().zip(results) {
                if let Job::Record { reply, .. } = job {
                    let _ = reply.send(Ok(ids));
                }
            }
        }
        // Something in the group failed and nothing of it was kept: write each job on its own,
        // so one bad job does not take the others with it and each error lands where it
        // belongs.
        Err(_) => {
            for job in group {
                let alone = store.in_transaction(|s| apply(s, who, &job));
                match (job, alone) {
                    (Job::Record { reply, .. }, result) => {
                        let _ = reply.send(result.map_err(|e| e.to_string()));
                    }
                    (Job::Complete(f), Err(e)) => unrecorded.push(Unrecorded {
                        id: f.id,
                        error: e.to_string(),
                    }),
                    (Job::Complete(_), Ok(_)) => {}
                }
            }
        }
    }
}

/// One job's writes: the new ids for a `Record`, nothing for a `Complete`.
fn apply(store: &Store, who: &Provenance, job: &Job) -> super::Result<Vec<i64>> {
    match job {
        Job::Record { rows, .. } => rows
            .iter()
            .map(|r| store.insert_pending_id(who, &r.update, &r.request, r.batch))
            .collect(),
        Job::Complete(f) => store
            .complete_id(f.id, &f.fields, &f.completion, f.latency)
            .map(|_| Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::{HttpResponse, State};
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};

    fn who() -> Provenance {
        Provenance {
            operator: "tester".into(),
            profile: "sandbox".into(),
            base_url: "http://127.0.0.1:1".into(),
        }
    }

    fn row(value: &str, line: usize) -> NewPending {
        let update = validate(&UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "Sold",
            value,
            ..UpdateInput::default()
        })
        .unwrap();
        let request = build(&update, &BaseUrl::default());
        NewPending {
            update,
            request,
            batch: Some((1, line)),
        }
    }

    fn ok() -> Completion {
        Completion::Answered(HttpResponse {
            status: 200,
            body: r#"{"success":true,"call_id":"call456","updated_fields":["custom_call_outcome","custom_call_outcome_value"]}"#.into(),
            truncated: false,
            retry_after: None,
        })
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn rows_are_committed_before_record_answers_and_completions_by_finish() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "writer").unwrap();
        store.create_batch("f.csv", "h", 3, &who()).unwrap();
        let writer = Writer::spawn(store, who()).unwrap();
        let reader = Store::open(dir.path(), "reader").unwrap();
        let ids = runtime()
            .block_on(writer.record(vec![row("1", 2), row("2", 3), row("3", 4)]))
            .unwrap();
        assert_eq!(ids.len(), 3);
        // Another connection sees them at once: they are committed, not merely queued.
        for (id, value) in ids.iter().zip(["1", "2", "3"]) {
            let r = reader.get(*id).unwrap().unwrap();
            assert_eq!(r.state, State::Pending);
            assert_eq!(r.value.as_deref(), Some(value));
        }
        assert_eq!(reader.batch_states(1).unwrap().len(), 3);
        for id in &ids[..2] {
            writer
                .complete(Finished {
                    id: *id,
                    fields: vec!["custom_call_outcome", "custom_call_outcome_value"],
                    completion: ok(),
                    latency: Duration::from_millis(3),
                })
                .unwrap();
        }
        assert!(writer.finish().is_empty());
        let states: Vec<State> = ids
            .iter()
            .map(|id| reader.get(*id).unwrap().unwrap().state)
            .collect();
        assert_eq!(states, [State::Ok, State::Ok, State::Pending]);
        assert!(reader.get(ids[0]).unwrap().unwrap().verified);
    }

    #[test]
    fn a_completion_that_cannot_be_written_is_reported_and_does_not_sink_the_rest() {
        let store = Store::open_in_memory("w").unwrap();
        store.create_batch("f.csv", "h", 1, &who()).unwrap();
        let writer = Writer::spawn(store, who()).unwrap();
        let ids = runtime()
            .block_on(writer.record(vec![row("1", 2)]))
            .unwrap();
        let done = |id| Finished {
            id,
            fields: vec!["custom_call_outcome"],
            completion: ok(),
            latency: Duration::ZERO,
        };
        writer.complete(done(9_999)).unwrap();
        writer.complete(done(ids[0])).unwrap();
        let unrecorded = writer.finish();
        assert_eq!(unrecorded.iter().map(|u| u.id).collect::<Vec<_>>(), [9_999]);
    }

    #[test]
    fn rows_that_cannot_be_recorded_get_an_error_and_no_ids() {
        let store = Store::open_in_memory("w").unwrap();
        // No batch #7: the foreign key refuses the rows.
        let writer = Writer::spawn(store, who()).unwrap();
        let mut bad = row("1", 2);
        bad.batch = Some((7, 2));
        let answer = runtime().block_on(writer.record(vec![bad]));
        assert!(answer.unwrap_err().contains("FOREIGN KEY"));
        let good = runtime().block_on(writer.record(vec![NewPending {
            batch: None,
            ..row("2", 3)
        }]));
        assert_eq!(good.unwrap().len(), 1);
    }
}
