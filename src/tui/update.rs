//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes. Pure: no IO, no
//! clock; everything it needs arrives in the action.

use ratatui_textarea::{Input, Key};

use super::action::{Action, RequestId};
use super::app::{App, Focus, HISTORY_PAGE, InFlight, Modal, Status, Tone};
use super::effect::Effect;
use crate::api::client::State;

/// How close to the end of the loaded rows the selection may come before the next page loads.
const PAGE_AHEAD: usize = 20;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    if !matches!(action, Action::Quit | Action::Tick { .. }) {
        app.quit_armed = false;
    }
    match action {
        Action::Quit => quit(app),
        Action::FocusNext => move_focus(app, 1),
        Action::FocusPrev => move_focus(app, -1),
        Action::Focus(focus) => set_focus(app, focus),
        Action::Edit(input) => edit(app, input),
        Action::Paste(text) => paste(app, &text),
        Action::TogglePreference => {
            app.form.preference = app.form.preference.toggled();
            app.recheck();
        }
        Action::RequestSend => request_send(app),
        Action::ConfirmSend => return confirm_send(app),
        Action::CloseModal => app.modal = None,
        Action::CancelSend => return cancel_send(app),
        Action::OpenHelp => app.modal = Some(Modal::Help),
        Action::HistoryMove(delta) => return history_move(app, delta),
        Action::HistoryHome => app.history.selected = 0,
        Action::HistoryEnd => {
            app.history.selected = app.history.rows.len().saturating_sub(1);
            return more_history(app);
        }
        Action::OpenDetail => {
            if let Some(record) = app.history.selected_record() {
                app.modal = Some(Modal::Detail {
                    record_id: record.id,
                    scroll: 0,
                });
            }
        }
        Action::DetailScroll(delta) => {
            if let Some(Modal::Detail { scroll, .. }) = &mut app.modal {
                *scroll = scroll.saturating_add_signed(i16::try_from(delta).unwrap_or(0));
            }
        }
        Action::Tick { id, elapsed } => {
            if let Some(f) = app.in_flight.as_mut().filter(|f| f.id == id) {
                f.elapsed = elapsed;
            }
        }
        Action::Recorded { id, record } => {
            if let Some(f) = app.in_flight.as_mut().filter(|f| f.id == id) {
                f.record_id = Some(record.id);
            }
            app.history.upsert(record);
        }
        Action::Finished { id, record } => finished(app, id, record),
        Action::SendFailed { id, message } => {
            if app.in_flight.as_ref().is_some_and(|f| f.id == id) {
                app.in_flight = None;
            }
            app.status = Some(Status {
                tone: Tone::Error,
                text: message,
            });
        }
        Action::HistoryLoaded { rows, exhausted } => {
            app.history.loading = false;
            app.history.exhausted = exhausted;
            app.history.error = None;
            for row in rows {
                app.history.upsert(row);
            }
        }
        Action::HistoryFailed(message) => {
            app.history.loading = false;
            app.history.error = Some(message);
        }
    }
    Vec::new()
}

fn quit(app: &mut App) {
    if app.in_flight.is_some() && !app.quit_armed {
        app.quit_armed = true;
        app.status = Some(Status {
            tone: Tone::Warning,
            text: "A send is in flight: Esc cancels it; Ctrl+Q again quits now and its outcome \
                   will show as unknown"
                .to_string(),
        });
        return;
    }
    app.should_quit = true;
}

fn set_focus(app: &mut App, focus: Focus) {
    app.focus = focus;
    app.form.show_cursor_in(focus);
}

fn move_focus(app: &mut App, step: isize) {
    let order = app.focus_order();
    let here = order.iter().position(|f| *f == app.focus).unwrap_or(0);
    let n = order.len().cast_signed();
    let next = (here.cast_signed() + step).rem_euclid(n);
    set_focus(app, order[next.cast_unsigned()]);
}

fn edit(app: &mut App, input: Input) {
    let focus = app.focus;
    let Some(editor) = app.form.editor_mut(focus) else {
        return;
    };
    // One-line fields never take a newline (Enter moves on; see the keymap).
    if focus != Focus::Metadata && matches!(input.key, Key::Enter) {
        return;
    }
    if editor.input(input) {
        app.recheck();
    }
}

fn paste(app: &mut App, text: &str) {
    let focus = app.focus;
    let Some(editor) = app.form.editor_mut(focus) else {
        return;
    };
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if focus == Focus::Metadata {
        editor.insert_str(&text);
    } else {
        // A copied id often brings its line end along; inner line breaks become spaces, which
        // validation then points out.
        editor.insert_str(text.trim_end_matches('\n').replace('\n', " "));
    }
    app.recheck();
}

fn request_send(app: &mut App) {
    if app.in_flight.is_some() {
        app.status = Some(Status {
            tone: Tone::Warning,
            text: "A send is already in flight: wait for its result, or press Esc to cancel it"
                .to_string(),
        });
        return;
    }
    match &app.checked {
        Err(errors) => {
            app.show_required = true;
            let first = errors.first().map(|e| (e.field, e.message.clone()));
            let count = errors.len();
            if let Some((field, message)) = first {
                set_focus(app, Focus::of_field(field));
                app.status = Some(Status {
                    tone: Tone::Error,
                    text: if count == 1 {
                        format!("Not sent. {message}")
                    } else {
                        format!("Not sent: {count} things to fix. First: {message}")
                    },
                });
            }
        }
        Ok(ready) => {
            if app.settings.credentials.key.is_none() {
                app.status = Some(Status {
                    tone: Tone::Error,
                    text: format!("Not sent. {}", app.settings.credentials.missing_key_help()),
                });
                return;
            }
            app.modal = Some(Modal::Confirm(Box::new(ready.clone())));
        }
    }
}

fn confirm_send(app: &mut App) -> Vec<Effect> {
    let Some(Modal::Confirm(ready)) = app.modal.take() else {
        return Vec::new();
    };
    let id = RequestId(app.next_request);
    app.next_request += 1;
    app.in_flight = Some(InFlight {
        id,
        summary: format!(
            "{} → {}",
            ready.update.target.as_str(),
            ready.update.summary()
        ),
        elapsed: std::time::Duration::ZERO,
        record_id: None,
    });
    app.status = None;
    vec![Effect::Send {
        id,
        update: ready.update,
        request: ready.request,
    }]
}

fn cancel_send(app: &mut App) -> Vec<Effect> {
    let Some(flight) = app.in_flight.take() else {
        return Vec::new();
    };
    app.status = Some(Status {
        tone: Tone::Warning,
        text: "Cancelled. If the request had already reached Phonely it may have been applied; \
               the history row says what is known"
            .to_string(),
    });
    vec![Effect::CancelSend { id: flight.id }]
}

fn finished(app: &mut App, id: RequestId, record: crate::history::Record) {
    let ours = app.in_flight.as_ref().is_some_and(|f| f.id == id);
    if ours {
        app.in_flight = None;
        let (tone, text) = match record.state {
            State::Ok if record.verified => (
                Tone::Success,
                format!(
                    "✓ Updated {} (HTTP {}, {} ms)",
                    record.resolved_call_id.as_deref().unwrap_or(&record.target),
                    record.http_status.unwrap_or_default(),
                    record.latency_ms.unwrap_or_default()
                ),
            ),
            State::Ok => (
                Tone::Warning,
                format!("✗ {}", record.message.as_deref().unwrap_or("Not confirmed")),
            ),
            State::Refused => (
                Tone::Error,
                format!("✗ Refused: {}", record.message.as_deref().unwrap_or("")),
            ),
            State::NetworkError | State::Unknown => (
                Tone::Error,
                format!("✗ No response: {}", record.message.as_deref().unwrap_or("")),
            ),
            State::Cancelled | State::Pending => {
                (Tone::Warning, record.message.clone().unwrap_or_default())
            }
        };
        app.status = Some(Status { tone, text });
    }
    app.history.upsert(record);
}

fn history_move(app: &mut App, delta: isize) -> Vec<Effect> {
    let len = app.history.rows.len();
    if len == 0 {
        return Vec::new();
    }
    let next = app
        .history
        .selected
        .saturating_add_signed(delta)
        .min(len - 1);
    app.history.selected = next;
    more_history(app)
}

/// Asks for the next page when the selection nears the end of what is loaded.
fn more_history(app: &mut App) -> Vec<Effect> {
    let h = &mut app.history;
    if h.loading || h.exhausted || h.selected + PAGE_AHEAD < h.rows.len() {
        return Vec::new();
    }
    h.loading = true;
    vec![Effect::LoadHistory {
        before: h.rows.last().map(|r| r.id),
        limit: HISTORY_PAGE,
    }]
}
