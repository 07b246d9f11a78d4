//! What every concern of `update` may use: focus, the form's re-check, whether a send may start,
//! the status line for a refused form. Imports no concern file.

use crate::tui::app::{App, Focus, Status, Tone};
use crate::tui::effect::Effect;
use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

/// "Not sent: 3 things to fix. First: …" for the form's errors.
pub(super) fn refusal(errors: &[crate::api::update::FieldError]) -> Option<Status> {
    let first = errors.first()?;
    Some(Status {
        tone: Tone::Error,
        text: if errors.len() == 1 {
            format!("Not sent. {}", first.message)
        } else {
            format!(
                "Not sent: {} things to fix. First: {}",
                errors.len(),
                first.message
            )
        },
    })
}

pub(super) fn set_focus(app: &mut App, focus: Focus) {
    if focus == Focus::Outcome && app.focus != Focus::Outcome {
        // Nothing is highlighted on arrival: Tab through the field keeps what it holds; typing
        // highlights a match.
        app.outcome_menu_closed = false;
        app.outcome_pick = None;
    }
    app.focus = focus;
    app.form.show_cursor_in(focus);
    let style = if focus == Focus::Filter {
        Style::default().add_modifier(Modifier::REVERSED)
    } else {
        Style::default()
    };
    app.history.filter_input.set_cursor_style(style);
}

pub(super) fn move_focus(app: &mut App, step: isize) {
    let order = app.focus_order();
    // The filter line is not in the Tab order: Tab from it moves on from the history pane.
    let current = if app.focus == Focus::Filter {
        Focus::History
    } else {
        app.focus
    };
    let here = order.iter().position(|f| *f == current).unwrap_or(0);
    let n = order.len().cast_signed();
    let next = (here.cast_signed() + step).rem_euclid(n);
    set_focus(app, order[next.cast_unsigned()]);
}

/// After any change to the form: re-check it, and ask for the call's earlier updates when the
/// agent or target changed to a valid pair.
pub(super) fn form_changed(app: &mut App) -> Vec<Effect> {
    app.recheck();
    app.preview_scroll = 0;
    let now = app.form_call();
    let key = now.as_ref().map(|(a, t, _)| (a.clone(), t.clone()));
    if key == app.context_key {
        return Vec::new();
    }
    app.context_key = key;
    app.context = None;
    match now {
        Some((agent, target, kind)) => vec![Effect::LoadContext {
            agent,
            target,
            kind,
        }],
        None => Vec::new(),
    }
}

/// Checks that a send can start now; says why not otherwise.
pub(super) fn can_send(app: &mut App) -> bool {
    if app.in_flight.is_some() {
        app.say(
            Tone::Warning,
            "A send is already in flight: wait for its result, or press Esc to cancel it",
        );
        return false;
    }
    if let Some(name) = &app.switching {
        app.say(
            Tone::Warning,
            format!("Not sent: still switching to profile {name}; try again in a moment"),
        );
        return false;
    }
    if app.settings.credentials.key.is_none() {
        app.say(
            Tone::Error,
            format!("Not sent. {}", app.settings.credentials.missing_key_help()),
        );
        return false;
    }
    true
}

/// One more use of an outcome label: the pick-list orders by use.
pub(super) fn count_label(app: &mut App, label: &str) {
    match app.outcome_labels.iter_mut().find(|(l, _)| l == label) {
        Some((_, n)) => *n += 1,
        None => app.outcome_labels.push((label.to_string(), 1)),
    }
    app.outcome_labels
        .sort_by_key(|(_, n)| std::cmp::Reverse(*n));
}

/// An editor holding `s`, the cursor at its end (a history or queue row put in the form).
pub(super) fn editor_holding(s: &str) -> TextArea<'static> {
    let mut t = TextArea::from(s.lines().map(str::to_string).collect::<Vec<_>>());
    t.set_cursor_line_style(Style::default());
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

/// The form no longer holds a queue row: the queue may send that row again.
pub(super) fn forget_queue_row(app: &mut App) {
    if let Some(q) = &mut app.queue {
        q.in_form = None;
    }
}

/// Pasted text with its line ends made `\n`.
pub(super) fn pasted_lines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Pasted text for a one-line field: a copied id often brings its line end along; inner line
/// breaks become spaces, which validation then points out.
pub(super) fn one_line(text: &str) -> String {
    pasted_lines(text).trim_end_matches('\n').replace('\n', " ")
}
