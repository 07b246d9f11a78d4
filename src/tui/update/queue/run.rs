//! A queue's run: the duplicate check and the confirmation, then its rows sent as ordinary
//! sends (each recorded before it leaves, like the form's), a few at a time with one call's
//! rows in file order: the batch engine's scheduler ([`crate::batch::plan::may_start`]). A 429
//! pauses the run and the row waits (see [`finished`]); `p` pauses and goes on; the end says
//! how the rows stand.

use super::super::common::{can_send, count_label};
use crate::api::client::State;
use crate::api::request::build;
use crate::history::Record;
use crate::tui::action::RequestId;
use crate::tui::app::{App, ItemStatus, Modal, QueueRun, Tone};
use crate::tui::effect::Effect;

/// A send's result that is one of the queue's rows (the dispatcher hands it here).
pub(in crate::tui::update) fn owns(app: &App, id: RequestId) -> bool {
    app.queue
        .as_ref()
        .is_some_and(|q| q.in_flight.iter().any(|(r, _)| *r == id))
}

/// Ctrl+S on the queue: check for rows already sent as they are, then confirm.
pub(in crate::tui::update) fn request_send(app: &mut App) -> Vec<Effect> {
    let Some(q) = &app.queue else {
        return Vec::new();
    };
    if q.run.started() {
        app.say(
            Tone::Info,
            if q.run == QueueRun::Paused {
                "The queue is paused: p goes on".to_string()
            } else {
                "The queue is already sending: p pauses it".to_string()
            },
        );
        return Vec::new();
    }
    if q.run == QueueRun::Checking {
        return Vec::new();
    }
    let rows = q.to_send();
    if rows.is_empty() {
        app.say(
            Tone::Warning,
            match q.line_in_form() {
                Some(line) => format!(
                    "Nothing else to send from the queue: line {line} is in the form, Ctrl+S \
                     there sends it"
                ),
                None => "Nothing to send: every row is done, excluded or needs fixing (Enter \
                         puts a row in the form)"
                    .to_string(),
            },
        );
        return Vec::new();
    }
    if !can_send(app) {
        return Vec::new();
    }
    let base = app.settings.base_url.clone();
    let Some(q) = &mut app.queue else {
        return Vec::new();
    };
    // Built for the profile in use now (it may have changed since the file was opened).
    for item in &mut q.items {
        if let Ok(ready) = &mut item.ready {
            ready.request = build(&ready.update, &base);
        }
    }
    q.run = QueueRun::Checking;
    let items = rows
        .iter()
        .filter_map(|i| q.items[*i].ready.clone().ok().map(|r| (*i, r)))
        .collect();
    vec![Effect::PrepareQueue {
        items,
        window_ms: app.settings.duplicate_window_ms,
        profile: app.profile.name.clone(),
    }]
}

/// The duplicate check is done: the confirmation asks, but only for this Ctrl+S, and only
/// while nothing else is asked.
pub(super) fn ready(app: &mut App, rows: usize, duplicates: Vec<usize>) {
    let asked = app.queue.as_mut().is_some_and(|q| {
        let asked = q.run == QueueRun::Checking;
        if asked {
            q.run = QueueRun::Idle;
        }
        asked
    });
    if asked && app.modal.is_none() {
        app.typed.clear();
        app.modal = Some(Modal::ConfirmQueue {
            rows,
            duplicates,
            acknowledged: false,
        });
    }
}

/// `s` on the queue's confirmation: the rows that already went through as they are are left
/// out (`x` puts one back), and the others are asked about as usual. After a run that stopped
/// part way, the file opened again sends only what it had not.
pub(super) fn skip_sent(app: &mut App) {
    let Some(Modal::ConfirmQueue {
        rows, duplicates, ..
    }) = &mut app.modal
    else {
        return;
    };
    let skipped = std::mem::take(duplicates);
    *rows = rows.saturating_sub(skipped.len());
    let left = *rows;
    if let Some(q) = &mut app.queue {
        for i in &skipped {
            if let Some(item) = q.items.get_mut(*i) {
                item.excluded = true;
            }
        }
    }
    let n = skipped.len();
    let (were, those) = if n == 1 {
        ("row that went through before was", "it")
    } else {
        ("rows that went through before were", "one")
    };
    if left == 0 {
        app.modal = None;
        app.say(
            Tone::Info,
            format!(
                "The {n} {were} left out, and nothing else is ready to send (x puts {those} back)"
            ),
        );
    } else {
        app.say(
            Tone::Info,
            format!("The {n} {were} left out (x puts {those} back)"),
        );
    }
}

/// Enter on the queue's confirmation.
pub(in crate::tui::update) fn confirm(app: &mut App) -> Vec<Effect> {
    let Some(Modal::ConfirmQueue {
        duplicates,
        acknowledged,
        ..
    }) = &mut app.modal
    else {
        return Vec::new();
    };
    if !duplicates.is_empty() && !*acknowledged {
        *acknowledged = true;
        app.typed.clear();
        return Vec::new();
    }
    if app.profile.production() && app.typed.trim() != app.profile.name {
        app.say(
            Tone::Error,
            format!(
                "Not sent: type the profile name \"{}\" to send the queue to this production \
                 account (Esc goes back)",
                app.profile.name
            ),
        );
        // What was typed is wrong: start the name afresh (a `y` left there made `yprod`).
        app.typed.clear();
        return Vec::new();
    }
    app.typed.clear();
    app.modal = None;
    let profile = app.profile.name.clone();
    if let Some(q) = &mut app.queue {
        q.run = QueueRun::Sending;
        q.profile = profile;
    }
    app.say(Tone::Info, "Sending the queue: p pauses it");
    pump(app)
}

/// Starts the rows the engine's scheduler lets go now (one call's rows in file order, the
/// form's own send counted as its call under way, a few in flight); ends the run when nothing
/// is left.
fn pump(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(q) = &app.queue else {
        return effects;
    };
    if !q.run.started() {
        return effects;
    }
    if q.run == QueueRun::Sending {
        let form_call = app.in_flight.as_ref().and_then(|f| f.sent.as_ref());
        let starts = q.may_start(form_call.map(|u| (u.agent.as_str(), u.target.as_str())));
        let Some(q) = &mut app.queue else {
            return effects;
        };
        for index in starts {
            let Ok(ready) = q.items[index].ready.clone() else {
                continue;
            };
            let id = RequestId(app.next_request);
            app.next_request += 1;
            q.items[index].status = ItemStatus::Sending;
            q.in_flight.push((id, index));
            effects.push(Effect::Send {
                id,
                update: ready.update,
                request: ready.request,
                profile: q.profile.clone(),
                pinned_call: None,
                listed_call: None,
            });
        }
    }
    if let Some(q) = &mut app.queue
        && q.in_flight.is_empty()
        && (q.run == QueueRun::Paused || q.to_send().is_empty())
    {
        let finished = q.run == QueueRun::Sending;
        if finished {
            q.run = QueueRun::Idle;
        }
        let (tone, text) = stands(q, finished);
        app.say(tone, text);
    }
    effects
}

/// What the end (`finished`) or a pause of a run says: how its rows stand.
fn stands(q: &crate::tui::app::Queue, finished: bool) -> (Tone, String) {
    let c = q.counts();
    // The row in the form is not the queue's to send, but it is not sent either.
    let in_form = q.line_in_form().map_or_else(String::new, |line| {
        format!(" · line {line} is in the form, not sent: Ctrl+S there sends it")
    });
    let tone = if c.failed + c.unknown > 0 || !in_form.is_empty() {
        Tone::Warning
    } else {
        Tone::Success
    };
    // Counted apart, as `batch` does: they may have been applied.
    let unconfirmed = if c.unconfirmed > 0 {
        format!(
            " ({} not confirmed: the server said success without confirming every field; \
             check {})",
            c.unconfirmed,
            if c.unconfirmed == 1 { "it" } else { "them" }
        )
    } else {
        String::new()
    };
    let unknown = if c.unknown > 0 {
        format!(
            ", {} outcome unknown (? rows: check them before sending again)",
            c.unknown
        )
    } else {
        String::new()
    };
    let end = if finished {
        in_form
    } else {
        format!(" · {} still to send · p goes on{in_form}", c.waiting)
    };
    let text = format!(
        "Queue {}: {} updated, {} not{unconfirmed}{unknown}, {} left to fix, {} excluded{end}",
        if finished { "done" } else { "paused" },
        c.ok,
        c.failed,
        c.to_fix,
        c.excluded,
    );
    (tone, text)
}

/// A row left: it is `Sending` once recorded (it was `Sending` already; kept so for a row the
/// runtime records late).
pub(in crate::tui::update) fn recorded(app: &mut App, id: RequestId) {
    if let Some(q) = &mut app.queue
        && let Some(&(_, index)) = q.in_flight.iter().find(|(r, _)| *r == id)
        && let Some(item) = q.items.get_mut(index)
    {
        item.status = ItemStatus::Sending;
    }
}

/// A queue row's send is over. The queue deliberately does not take `batch`'s automatic
/// retries (`batch::retry`: a 429 after its `Retry-After`, a 5xx, a connection that never
/// opened, up to four tries): its rows are the workbench's ordinary sends, which never go again
/// on their own, and a person is watching. A 429 pauses the run with `Retry-After` in the
/// status line and the row waits, first of its call, for `p`; any other ending is the row's,
/// and Enter puts it in the form to send again.
pub(in crate::tui::update) fn finished(
    app: &mut App,
    id: RequestId,
    record: Record,
) -> Vec<Effect> {
    let throttled = record.http_status == Some(429);
    if let Some(q) = &mut app.queue {
        // A 429 was refused before anything was applied: the row waits to go again.
        q.land(
            id,
            if throttled {
                ItemStatus::Waiting
            } else {
                ItemStatus::Done {
                    state: record.state,
                    text: record.result_text(),
                }
            },
        );
        if throttled && q.run == QueueRun::Sending {
            q.run = QueueRun::Paused;
        }
    }
    if let Some(label) = record.outcome.clone().filter(|_| record.state == State::Ok) {
        count_label(app, &label);
    }
    let wait = record
        .message
        .as_deref()
        .and_then(|m| m.find("Retry-After").map(|i| format!(" ({})", &m[i..])))
        .unwrap_or_default();
    app.history.offer(record);
    if throttled {
        app.say(
            Tone::Warning,
            format!(
                "Phonely asked to slow down (HTTP 429): the queue is paused and that row waits; \
                 p goes on{wait}"
            ),
        );
        return Vec::new();
    }
    pump(app)
}

pub(in crate::tui::update) fn send_failed(
    app: &mut App,
    id: RequestId,
    message: &str,
) -> Vec<Effect> {
    if let Some(q) = &mut app.queue {
        q.land(
            id,
            // It did not leave (no key, or the history could not record it first); or it
            // ended and its result could not be recorded: counted with the ✗ rows, as before.
            ItemStatus::Done {
                state: State::NetworkError,
                text: message.to_string(),
            },
        );
        // Whatever stopped this row (no key, the history) stops the others too.
        if q.run == QueueRun::Sending {
            q.run = QueueRun::Paused;
        }
    }
    // Nothing new leaves (paused); the reason stays on screen.
    app.say(Tone::Error, format!("Queue paused: {message}"));
    Vec::new()
}

pub(super) fn pause(app: &mut App) -> Vec<Effect> {
    let Some(q) = &mut app.queue else {
        return Vec::new();
    };
    if !q.run.started() {
        app.say(
            Tone::Info,
            "The queue is not sending: Ctrl+S sends its ready rows",
        );
        return Vec::new();
    }
    q.closing = None;
    q.run = if q.run == QueueRun::Paused {
        QueueRun::Sending
    } else {
        QueueRun::Paused
    };
    if q.run == QueueRun::Paused {
        let flying = q.in_flight.len();
        app.say(
            Tone::Info,
            format!("Queue paused: {flying} in flight finish; p goes on"),
        );
        return Vec::new();
    }
    app.say(Tone::Info, "Queue going on");
    pump(app)
}
