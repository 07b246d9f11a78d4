//! The loop: terminal events and effect results in, `update`, draw. Effects run as tokio tasks
//! (HTTP) and blocking tasks (SQLite); their results come back as actions. Generic over the
//! backend and the input stream, so tests drive it with `TestBackend` and scripted keys.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use tokio::sync::{mpsc, oneshot};

use super::action::{
    Action, CallsAction, FormAction, HistoryAction, ProfileAction, QueueAction, RequestId,
    SendAction,
};
use super::app::{App, Confirm, HISTORY_PAGE};
use super::calls::{LookupEffect, LookupKey, last_set_from};
use super::effect::Effect;
use super::keymap::map_event;
use super::profiles::Switcher;
use super::update::update;
use super::view::view;
use crate::api::client::Completion;
use crate::api::key::Credentials;
use crate::api::request::WireRequest;
use crate::api::update::OutcomeUpdate;
use crate::history::{Filter, Provenance, Store, now_ms};

mod browse;
mod client;
mod clipboard;
mod queue_file;
mod stores;
mod team_view;

use client::SharedClient;
pub use clipboard::Clipboard;
use queue_file::load_queue;
use stores::{SharedStore, Stores, duplicate_of, with_reader, with_store};
pub use team_view::NOT_SET_UP as TEAM_NOT_SET_UP;

/// What the runtime needs to carry out effects.
#[derive(Clone, Debug)]
pub struct Services {
    pub data_dir: PathBuf,
    /// Recorded with each update: the profile name and where it was sent.
    pub profile: String,
    pub base_url: String,
    pub credentials: Credentials,
    pub timeout: Duration,
    pub clipboard: Clipboard,
    /// The runtime drives the real terminal, so it may switch mouse reporting on and off.
    pub real_terminal: bool,
    /// The other profiles the picker can switch to (empty: only the one above).
    pub profiles: Arc<Switcher>,
    /// The team log, when configured: each send is written there too.
    pub team: Option<super::team::TeamLink>,
}

/// Test-only: when set to one character, pressing that key panics inside the loop, so a
/// pseudo-terminal test can check the terminal is restored. Read once, when the loop starts.
pub const TEST_PANIC_ENV: &str = "PHONELY_OUTCOMES_TEST_PANIC_KEY";

fn test_panic_key() -> Option<char> {
    let text = std::env::var(TEST_PANIC_ENV).ok()?;
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(key), None) => Some(key),
        _ => None,
    }
}

/// Called after every draw with the state and the screen; tests use it to wait for a screen.
pub type Observer<'a> = &'a mut dyn FnMut(&App, &Buffer);

struct Runner {
    services: Arc<Services>,
    store: SharedStore,
    /// Built off the loop, at the first input event (`client.rs`).
    client: SharedClient,
    tx: mpsc::UnboundedSender<Action>,
    cancels: HashMap<RequestId, oneshot::Sender<()>>,
    started: HashMap<RequestId, Instant>,
    /// Profiles ready to send: name → (base URL recorded, key).
    ready: HashMap<String, (String, Credentials)>,
    /// The draft to write once typing pauses (`Some(None)`: remove it), and when.
    draft: Option<(Option<super::draft::Draft>, tokio::time::Instant)>,
    /// The calls look-up's pause: its generation and when it is over.
    calls_due: Option<(u64, tokio::time::Instant)>,
    /// The calls look-up running (at most one): its generation, to stop it.
    calls_task: Option<(u64, tokio::task::AbortHandle)>,
    /// The browse modal's look-up running (at most one): its generation, to stop it.
    browse_task: Option<(u64, tokio::task::AbortHandle)>,
}

/// How long typing must pause before the draft is written.
const DRAFT_DEBOUNCE: Duration = Duration::from_millis(400);

/// Runs the workbench until the person quits, the input ends or `shutdown` resolves.
pub async fn run<B, S, F>(
    terminal: &mut Terminal<B>,
    mut events: S,
    shutdown: F,
    mut app: App,
    services: Services,
    mut observer: Option<Observer<'_>>,
) -> std::io::Result<App>
where
    B: Backend,
    S: Stream<Item = std::io::Result<Event>> + Unpin,
    F: Future<Output = ()>,
{
    let panic_key = test_panic_key();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner {
        client: SharedClient::new(services.timeout),
        services: Arc::new(services),
        store: Arc::new(Stores::default()),
        tx,
        cancels: HashMap::new(),
        started: HashMap::new(),
        ready: HashMap::new(),
        draft: None,
        calls_due: None,
        calls_task: None,
        browse_task: None,
    };
    if let Some(team) = &runner.services.team {
        team.announce(runner.tx.clone());
    }
    runner.ready.insert(
        runner.services.profile.clone(),
        (
            runner.services.base_url.clone(),
            runner.services.credentials.clone(),
        ),
    );
    if let Ok(size) = terminal.size() {
        update(
            &mut app,
            Action::Resized {
                width: size.width,
                height: size.height,
            },
        );
    }
    draw(terminal, &app, &mut observer)?;
    // The first page of history is asked for once the first frame is up (asked before it, the
    // database's opening on the other core slowed the frame and did not bring the page sooner:
    // BENCHMARKS.md), and before the draft is read, so the opening overlaps that. The Outcome
    // labels are asked for by `update` once this page is in (they count every row).
    runner.run(Effect::LoadHistory {
        generation: app.history.generation,
        filter: app.history.filter.clone(),
        before: None,
        limit: HISTORY_PAGE,
    });
    // The form left unsent last time (a small file, read once the first frame is up).
    let draft = super::draft::load(&runner.services.data_dir);
    runner.apply(&mut app, Action::Form(FormAction::DraftLoaded(draft)));
    draw(terminal, &app, &mut observer)?;
    tokio::pin!(shutdown);
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // The HTTP client's TLS set-up and the phone-number library's metadata (80-130 ms of a
    // core and 6.4 MB, BENCHMARKS.md) are made ready on blocking threads at the person's first
    // key, click or paste: long before a number is typed, yet not beside the first page.
    let mut cold = true;
    let result = loop {
        let draft_due = runner.draft.as_ref().map(|(_, due)| *due);
        let calls_due = runner.calls_due.map(|(_, due)| due);
        let action = tokio::select! {
            // Order matters only under load: a stop signal first, then the person's keys, so
            // typing never waits behind a burst of results; results are drained below anyway.
            biased;
            () = &mut shutdown => break Ok(()),
            event = events.next() => match event {
                Some(Ok(event)) => {
                    if std::mem::take(&mut cold) {
                        runner.client.warm_up();
                        tokio::task::spawn_blocking(crate::api::phone::warm_up);
                    }
                    if let (Some(key), Event::Key(k)) = (panic_key, &event)
                        && k.code == KeyCode::Char(key)
                    {
                        panic!("test-only panic: the {TEST_PANIC_ENV} key {key:?} was pressed");
                    }
                    map_event(&app, &event)
                }
                Some(Err(e)) => break Err(e),
                None => break Ok(()),
            },
            () = tokio::time::sleep_until(draft_due.unwrap_or_else(tokio::time::Instant::now)),
                if draft_due.is_some() => {
                runner.write_draft();
                None
            }
            () = tokio::time::sleep_until(calls_due.unwrap_or_else(tokio::time::Instant::now)),
                if calls_due.is_some() => {
                runner.calls_due.take().map(|(g, _)| Action::Calls(CallsAction::Due(g)))
            }
            Some(action) = rx.recv() => Some(action),
            _ = ticker.tick(), if app.in_flight.is_some() => app.in_flight.as_ref().map(|f| {
                Action::Send(SendAction::Tick {
                    id: f.id,
                    elapsed: runner.started.get(&f.id).map_or(f.elapsed, Instant::elapsed),
                })
            }),
        };
        if let Some(action) = action {
            runner.apply(&mut app, action);
        }
        // Drain whatever else has arrived, then draw once.
        while let Ok(action) = rx.try_recv() {
            runner.apply(&mut app, action);
        }
        if app.should_quit {
            break Ok(());
        }
        if let Err(e) = draw(terminal, &app, &mut observer) {
            break Err(e);
        }
    };
    // Whatever way out: the form's last state is kept.
    runner.write_draft();
    result.map(|()| app)
}

fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &App,
    observer: &mut Option<Observer<'_>>,
) -> std::io::Result<()> {
    let frame = terminal
        .draw(|f| view(app, f))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    if let Some(observe) = observer.as_mut() {
        observe(app, frame.buffer);
    }
    Ok(())
}

impl Runner {
    fn apply(&mut self, app: &mut App, action: Action) {
        if let Action::Send(SendAction::Finished { id, .. } | SendAction::Failed { id, .. }) =
            &action
        {
            self.cancels.remove(id);
            self.started.remove(id);
        }
        if let Action::Profiles(ProfileAction::Switched(active)) = &action {
            self.ready.insert(
                active.tag.name.clone(),
                (
                    active.base_url.as_str().to_string(),
                    active.credentials.clone(),
                ),
            );
        }
        for effect in update(app, action) {
            self.run(effect);
        }
    }

    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::LoadTeam {
                generation,
                filter,
                after,
                limit,
            } => self.load_team(generation, filter, after, limit),
            Effect::Send {
                id,
                update,
                request,
                profile,
                pinned_call,
                listed_call,
            } => self.send(id, update, request, profile, (pinned_call, listed_call)),
            Effect::Calls(effect) => self.calls(effect),
            Effect::Browse(effect) => self.browse(effect),
            Effect::SwitchProfile { name } => {
                let switcher = self.services.profiles.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(match switcher.activate(&name).await {
                        Ok(active) => Action::Profiles(ProfileAction::Switched(Box::new(active))),
                        Err(message) => {
                            Action::Profiles(ProfileAction::SwitchFailed { name, message })
                        }
                    });
                });
            }
            Effect::CancelSend { id } => {
                if let Some(cancel) = self.cancels.remove(&id) {
                    let _ = cancel.send(());
                }
            }
            Effect::LoadHistory {
                generation,
                filter,
                before,
                limit,
            } => self.load_history(generation, filter, before, limit),
            Effect::LoadContext {
                agent,
                target,
                kind,
            } => {
                let filter = Filter {
                    agent: Some(agent.clone()),
                    call: (kind == "call").then(|| target.clone()),
                    target: (kind == "phone").then(|| target.clone()),
                    ..Filter::default()
                };
                // The team log's answer comes on its own, after the local one.
                if let Some(link) = self.services.team.clone() {
                    let (tx, agent, target) = (self.tx.clone(), agent.clone(), target.clone());
                    tokio::spawn(async move {
                        let line = link.last_set_by_others(&agent, &target).await;
                        let _ = tx.send(Action::Form(FormAction::TeamLastSet {
                            agent,
                            target,
                            line,
                        }));
                    });
                }
                self.blocking(move |stores, services| {
                    let records = with_reader(stores, services, |s| s.search(&filter, None, 20))
                        .unwrap_or_default();
                    Action::Form(FormAction::ContextLoaded {
                        agent,
                        target,
                        records,
                        loaded_at_ms: now_ms(),
                    })
                });
            }
            Effect::PrepareSend {
                ready,
                resend_of,
                window_ms,
                profile,
            } => {
                self.blocking(move |stores, services| {
                    let since = now_ms().saturating_sub(window_ms);
                    // If the check itself fails, the confirmation still comes (without a
                    // duplicate note): the person decides.
                    let duplicate = with_reader(stores, services, |s| {
                        duplicate_of(s, &profile, &ready, since)
                    })
                    .ok()
                    .flatten();
                    // The team log too (a colleague's ✓ of exactly this, named); on this
                    // blocking thread, so the typing never waits on it.
                    // Asked only when this data folder has no such send (that one says more).
                    let team = services.team.as_ref().filter(|_| duplicate.is_none());
                    let team_duplicate = team.and_then(|t| {
                        let (u, r) = (&ready.update, &ready.request);
                        tokio::runtime::Handle::current().block_on(t.duplicate(
                            (u.agent.as_str(), u.target.as_str()),
                            (&r.url, &r.body),
                            since,
                            now_ms(),
                        ))
                    });
                    let mut confirm = Confirm::new(*ready, duplicate, resend_of.map(|b| *b));
                    confirm.team_duplicate = team_duplicate;
                    Action::Send(SendAction::ConfirmReady(confirm))
                });
            }
            Effect::CompletePath { typed, apply } => {
                // The file system may be slow (a network folder): off the loop.
                self.blocking(move |_, _| {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    let home = std::env::var_os("HOME").map(PathBuf::from);
                    Action::Queue(QueueAction::PathListed(Box::new(super::paths::list(
                        &cwd,
                        home.as_deref(),
                        &typed,
                        apply,
                    ))))
                });
            }
            Effect::LoadQueue { path, rules } => {
                self.blocking(move |_, _| load_queue(&path, rules));
            }
            Effect::PrepareQueue {
                items,
                window_ms,
                profile,
            } => {
                self.blocking(move |stores, services| {
                    let since = now_ms().saturating_sub(window_ms);
                    let rows = items.len();
                    // As for one update: if the check fails, the confirmation still comes.
                    let duplicates = with_reader(stores, services, |s| {
                        let mut found = Vec::new();
                        for (index, ready) in &items {
                            if duplicate_of(s, &profile, ready, since)?.is_some() {
                                found.push(*index);
                            }
                        }
                        Ok(found)
                    })
                    .unwrap_or_default();
                    Action::Queue(QueueAction::Ready { rows, duplicates })
                });
            }
            Effect::LoadOutcomeLabels => {
                self.blocking(|stores, services| {
                    // On a connection of its own, closed after: the count reads every row, so
                    // the reading connection stays free for a filter typed meanwhile, and the
                    // pages the count read leave memory with the connection.
                    let labels = with_store(stores, services, |s, _| Ok(s.session().to_string()))
                        .and_then(|session| {
                            Store::open(&services.data_dir, &session).map_err(|e| e.to_string())
                        })
                        .and_then(|s| s.outcome_labels(50).map_err(|e| e.to_string()))
                        .unwrap_or_default();
                    Action::Form(FormAction::OutcomeLabels(labels))
                });
            }
            Effect::SaveDraft(draft) => {
                self.draft = Some((draft, tokio::time::Instant::now() + DRAFT_DEBOUNCE));
            }
            Effect::SetMouseCapture(on) => {
                if self.services.real_terminal {
                    let mut out = std::io::stdout();
                    let _ = if on {
                        crossterm::execute!(out, crossterm::event::EnableMouseCapture)
                    } else {
                        crossterm::execute!(out, crossterm::event::DisableMouseCapture)
                    };
                }
            }
            Effect::Copy { text, what } => {
                let _ = self.tx.send(match self.services.clipboard.copy(&text) {
                    Ok("the clipboard") => Action::Copied(what),
                    Ok(place) => Action::Copied(format!("{what} to {place}")),
                    Err(e) => Action::CopyFailed(e),
                });
            }
        }
    }

    /// Writes the draft asked for last, if any (a small file: on the loop, so writes keep
    /// their order and the last one is on disk before the loop returns).
    /// The calls list's look-up (issue 14): the pause, the one look-up in flight, stopping
    /// it, and what our history last set on the listed calls.
    fn calls(&mut self, effect: LookupEffect) {
        match effect {
            LookupEffect::Debounce { generation, after } => {
                self.calls_due = Some((generation, tokio::time::Instant::now() + after));
            }
            LookupEffect::Cancel { generation } => {
                if self.calls_due.is_some_and(|(g, _)| g == generation) {
                    self.calls_due = None;
                }
                if let Some((g, task)) = self.calls_task.take() {
                    if g == generation {
                        task.abort();
                    } else {
                        self.calls_task = Some((g, task));
                    }
                }
            }
            LookupEffect::Fetch {
                generation, key, ..
            } => self.fetch_calls(generation, key),
            LookupEffect::LoadLastSet { key, call_ids, .. } => {
                let filter = Filter {
                    agent: Some(key.agent.as_str().to_string()),
                    profile: Some(key.profile.clone()),
                    ..Filter::default()
                };
                self.blocking(move |stores, services| {
                    let records = with_reader(stores, services, |s| s.search(&filter, None, 500))
                        .unwrap_or_default();
                    let entries = last_set_from(&records, &key, &call_ids);
                    Action::Calls(CallsAction::LastSet { key, entries })
                });
            }
        }
    }

    fn fetch_calls(&mut self, generation: u64, key: LookupKey) {
        self.calls_due = None;
        if let Some((_, task)) = self.calls_task.take() {
            task.abort();
        }
        let tx = self.tx.clone();
        let answer = move |outcome| {
            let _ = tx.send(Action::Calls(CallsAction::Answered {
                generation,
                outcome,
                at: time::OffsetDateTime::now_utc(),
            }));
        };
        let (client, base, credentials) = match self.lookup_parts(&key.profile) {
            Ok(parts) => parts,
            Err(e) => return answer(Err(e)),
        };
        let task = tokio::spawn(async move {
            let outcome = match client.get().await {
                Ok(client) => super::lookup::run(&client, &base, &credentials, &key).await,
                Err(e) => Err(e),
            };
            answer(outcome);
        });
        self.calls_task = Some((generation, task.abort_handle()));
    }

    /// What a look-up of calls on `profile` needs: the client, where to ask, and the key. A
    /// profile not ready (or a client that cannot be built) is a message for people.
    fn lookup_parts(
        &self,
        profile: &str,
    ) -> Result<(SharedClient, crate::api::request::BaseUrl, Credentials), String> {
        let Some((base_url, credentials)) = self.ready.get(profile).cloned() else {
            return Err(format!(
                "The calls could not be looked up: profile {profile} is not ready"
            ));
        };
        let base = crate::api::request::BaseUrl::parse(&base_url)?;
        Ok((self.client.clone(), base, credentials))
    }

    fn write_draft(&mut self) {
        let Some((draft, _)) = self.draft.take() else {
            return;
        };
        let dir = &self.services.data_dir;
        if let Err(e) = super::draft::save(dir, draft.as_ref()) {
            tracing::warn!("the draft could not be written in {}: {e}", dir.display());
            let _ = self.tx.send(Action::Form(FormAction::DraftNotSaved(format!(
                "in {}: {e}",
                dir.display()
            ))));
        }
    }

    /// Runs `job` on a blocking thread with the stores, and feeds its action back.
    fn blocking(&self, job: impl FnOnce(&Stores, &Services) -> Action + Send + 'static) {
        let store = self.store.clone();
        let services = self.services.clone();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(job(&store, &services));
        });
    }

    fn load_history(&self, generation: u64, filter: Filter, before: Option<i64>, limit: usize) {
        let previous = self
            .store
            .latest_generation
            .fetch_max(generation, Ordering::SeqCst);
        if generation > previous {
            // A newer filter: stop the older search if it is still running.
            if let Some(handle) = self
                .store
                .reader_interrupt
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_ref()
            {
                handle.interrupt();
            }
        }
        self.blocking(move |stores, services| {
            let stale = || stores.latest_generation.load(Ordering::SeqCst) > generation;
            if stale() {
                return Action::History(HistoryAction::Failed {
                    generation,
                    message: "superseded".to_string(),
                });
            }
            match with_reader(stores, services, |s| s.search(&filter, before, limit)) {
                Ok(rows) => Action::History(HistoryAction::Loaded {
                    generation,
                    first: before.is_none(),
                    exhausted: rows.len() < limit,
                    rows,
                }),
                Err(message) => Action::History(HistoryAction::Failed {
                    generation,
                    message,
                }),
            }
        });
    }

    fn send(
        &mut self,
        id: RequestId,
        update: OutcomeUpdate,
        request: WireRequest,
        profile: String,
        (pinned_call, listed_call): (Option<String>, Option<String>),
    ) {
        let tx = self.tx.clone();
        // The key and the recorded base URL of the profile the request was built for.
        let Some((base_url, credentials)) = self.ready.get(&profile).cloned() else {
            let _ = tx.send(Action::Send(SendAction::Failed {
                id,
                message: format!("Not sent: profile {profile} is not ready"),
            }));
            return;
        };
        let Some(key) = credentials.key.clone() else {
            let _ = tx.send(Action::Send(SendAction::Failed {
                id,
                message: credentials.missing_key_help(),
            }));
            return;
        };
        let client = self.client.clone();
        let (cancel_tx, cancel_rx) = oneshot::channel();
        self.cancels.insert(id, cancel_tx);
        self.started.insert(id, Instant::now());
        let store = self.store.clone();
        let services = self.services.clone();
        tokio::spawn(async move {
            // 0. The client (built once, off the loop): without it nothing is recorded or sent.
            let client = match client.get().await {
                Ok(client) => client,
                Err(message) => {
                    let _ = tx.send(Action::Send(SendAction::Failed { id, message }));
                    return;
                }
            };
            // 1. Recorded before it leaves: if that fails, it does not leave.
            let record = {
                let (store, services) = (store.clone(), services.clone());
                let request = request.clone();
                tokio::task::spawn_blocking(move || {
                    with_store(&store, &services, |s, who| {
                        let who = Provenance {
                            operator: who.operator.clone(),
                            profile,
                            base_url,
                        };
                        // Pinned in the calls list: the phone typed and the call are both kept.
                        // By phone with the list on screen: the call it showed is kept.
                        match (&pinned_call, &listed_call) {
                            (Some(call), _) => {
                                s.insert_pending_pinned(&who, &update, &request, call)
                            }
                            (None, Some(listed)) => {
                                s.insert_pending_listed(&who, &update, &request, listed)
                            }
                            (None, None) => s.insert_pending(&who, &update, &request),
                        }
                    })
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r)
            };
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(Action::Send(SendAction::Failed {
                        id,
                        message: format!(
                            "Not sent: it could not be recorded in the history first ({e})"
                        ),
                    }));
                    return;
                }
            };
            let record_id = record.id;
            // The team log's pending row goes while the request is on its way.
            let team = services.team.clone().map(|t| {
                let uuid = super::team::TeamLink::uuid();
                let pending = t.pending(uuid, record.clone(), tx.clone());
                (t, uuid, pending)
            });
            let _ = tx.send(Action::Send(SendAction::Recorded { id, record }));
            // 2. Sent, unless cancelled first.
            let started = Instant::now();
            let (completion, latency) = tokio::select! {
                r = client.send(&request, &key) => r,
                Ok(()) = cancel_rx => (Completion::Cancelled, started.elapsed()),
            };
            crate::api::client::log_completion(&request, &completion, latency);
            // 3. Completed with what came back.
            let done = tokio::task::spawn_blocking(move || {
                with_store(&store, &services, |s, _| {
                    s.complete(record_id, &completion, latency)
                })
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            // 4. The team log's result, after the screen has it.
            if let (Some((link, uuid, pending)), Ok(record)) = (team, &done) {
                let (record, tx) = (record.clone(), tx.clone());
                tokio::spawn(async move { link.complete(pending, uuid, record, tx).await });
            }
            let _ = tx.send(match done {
                Ok(record) => Action::Send(SendAction::Finished { id, record }),
                Err(e) => Action::Send(SendAction::Failed {
                    id,
                    message: format!(
                        "The request ended but its result could not be recorded ({e}); it will \
                         show as outcome unknown"
                    ),
                }),
            });
        });
    }
}
