//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes. Pure: no IO, no
//! clock; everything it needs arrives in the action.
//!
//! This file is the dispatcher: it hands each action to its concern's file and keeps what holds
//! for every action (a second Ctrl+Q, the draft, the status line about a fixed field). The
//! concern files (`form`, `send`, `history`, `queue`, `profiles`, `pointer`, `palette`,
//! `calls`, `browse`) use `common` and never one another: where a concern's action means
//! another's (a click on a history row, a palette command), it gives that action back and the
//! dispatcher runs it; a send's result that belongs to a queue row goes to `queue`.

mod browse;
mod calls;
mod common;
mod form;
mod history;
mod palette;
mod pointer;
mod profiles;
mod queue;
mod send;
mod team_view;
#[cfg(test)]
mod test_support;

use super::action::{
    Action, BrowseAction, CallsAction, FormAction, HistoryAction, PaletteAction, SendAction,
};
use super::app::{App, Confirm, Focus, Modal, Ready, Tone};
use super::effect::Effect;
use crate::history::Record;
use common::{move_focus, refusal, set_focus};
use pointer::Pointed;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let before = app.form.snapshot();
    let looked_up = (app.profile.name.clone(), app.form.target_kind);
    // Ctrl+N's form stays to be brought back until the form changes some other way.
    let keeps_cleared = matches!(
        action,
        Action::Form(FormAction::NewForm | FormAction::UndoNewForm)
            | Action::Palette(PaletteAction::Run)
    );
    let mut effects = apply(app, action);
    let form_changed = app.form.snapshot() != before;
    // The calls list follows the form's agent and phone, and the profile.
    if form_changed || (app.profile.name.clone(), app.form.target_kind) != looked_up {
        effects.extend(calls::follow_form(app));
    }
    if form_changed {
        if !keeps_cleared && app.before_new_form.take().is_some() {
            // The chance to bring the cleared form back has ended: so has the line offering it.
            if app
                .status
                .as_ref()
                .is_some_and(|s| s.text == form::NEW_FORM_UNDO)
            {
                app.status = None;
            }
        }
        settle_status(app);
        // Typed work is kept: the runtime writes it to the data folder (debounced).
        effects.push(Effect::SaveDraft(app.draft()));
    }
    effects
}

/// After an edit: a status line about a field that is now fixed goes, or says what is left.
fn settle_status(app: &mut App) {
    let Some((field, text)) = app.status_about.take() else {
        return;
    };
    if app.status.as_ref().is_none_or(|s| s.text != text) {
        return;
    }
    let errors = match &app.checked {
        Ok(_) => &[][..],
        Err(errors) => errors.as_slice(),
    };
    if errors.iter().any(|e| e.field == field) {
        app.status_about = Some((field, text));
        return;
    }
    // Said again only after a send was tried: before that, empty fields are not complained of.
    app.status = refusal(errors).filter(|_| app.show_required);
    app.status_about = app
        .status
        .as_ref()
        .zip(errors.first())
        .map(|(s, e)| (e.field, s.text.clone()));
}

fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    // A second Ctrl+Q quits; anything the person does in between disarms it, results do not.
    if !matches!(
        action,
        Action::Quit
            | Action::Send(
                SendAction::Tick { .. }
                    | SendAction::Recorded { .. }
                    | SendAction::Finished { .. }
                    | SendAction::Failed { .. }
            )
            | Action::History(
                HistoryAction::Loaded { .. }
                    | HistoryAction::Failed { .. }
                    | HistoryAction::TeamLoaded { .. }
                    | HistoryAction::TeamFailed { .. }
            )
            | Action::Form(
                FormAction::ContextLoaded { .. }
                    | FormAction::OutcomeLabels(_)
                    | FormAction::DraftNotSaved(_)
            )
            | Action::Copied(_)
            | Action::CopyFailed(_)
            | Action::Calls(
                CallsAction::Due(_) | CallsAction::Answered { .. } | CallsAction::LastSet { .. }
            )
            | Action::Browse(BrowseAction::Answered { .. })
    ) {
        app.quit_armed = false;
    }
    match action {
        Action::Quit => quit(app),
        Action::FocusNext => move_focus(app, 1),
        Action::FocusPrev => move_focus(app, -1),
        Action::Focus(Focus::Queue) if app.queue.is_none() => {
            app.say(Tone::Info, "No queue open: Ctrl+B opens a batch file");
        }
        Action::Focus(Focus::Calls) if !app.focus_order().contains(&Focus::Calls) => {
            app.say(
                Tone::Info,
                "No calls listed: type an agent and a phone number, and their calls show",
            );
        }
        Action::Focus(focus) => set_focus(app, focus),
        Action::Edit(input) if app.focus == Focus::Filter => {
            let mut effects = history::edit_filter(app, input);
            effects.extend(team_view::follow_filter(app));
            return effects;
        }
        Action::Edit(input) => return form::edit(app, input),
        Action::Paste(text) if app.focus == Focus::Filter => {
            let mut effects = history::paste_filter(app, &text);
            effects.extend(team_view::follow_filter(app));
            return effects;
        }
        Action::Paste(text) => return form::paste(app, &text),
        Action::CloseModal => {
            app.modal = None;
            app.typed.clear();
            app.metadata_converted = false;
        }
        Action::OpenHelp => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::ModalScroll(delta) => {
            if let Some(Modal::Detail { scroll, .. } | Modal::Help { scroll }) = &mut app.modal {
                *scroll = scroll.saturating_add_signed(i16::try_from(delta).unwrap_or(0));
            }
        }
        Action::Resized { width, height } => {
            app.screen = ratatui::layout::Rect::new(0, 0, width, height);
        }
        Action::Copied(what) => app.say(Tone::Success, format!("Copied {what}")),
        Action::CopyFailed(message) => app.say(Tone::Error, format!("Copy failed: {message}")),
        Action::TeamLog(status) => app.team_status = status,
        Action::Form(action) => return form::apply(app, action),
        // Ctrl+S and Enter on the queue, and its rows' results, are the queue's.
        Action::Send(SendAction::Request) if app.modal.is_none() && app.focus == Focus::Queue => {
            return queue::request_send(app);
        }
        Action::Send(SendAction::Confirm)
            if matches!(app.modal, Some(Modal::ConfirmQueue { .. })) =>
        {
            return queue::confirm(app);
        }
        Action::Send(SendAction::Finished { id, record }) if queue::owns(app, id) => {
            return queue::finished(app, id, record);
        }
        Action::Send(SendAction::Failed { id, message }) if queue::owns(app, id) => {
            return queue::send_failed(app, id, &message);
        }
        Action::Send(action) => {
            if let SendAction::Recorded { id, .. } = &action {
                queue::recorded(app, *id);
            }
            return send::apply(app, action);
        }
        Action::History(HistoryAction::FilterToCall)
            if let Some(call) = team_view::selected_call(app) =>
        {
            // The Team view's row: its call in the filter line, as history's own filter.
            let mut effects = history::apply(app, HistoryAction::ClearFilter);
            set_focus(app, Focus::Filter);
            effects.extend(history::paste_filter(app, &call));
            set_focus(app, Focus::History);
            effects.extend(team_view::follow_filter(app));
            return effects;
        }
        Action::History(action) if team_view::handles(app, &action) => {
            return team_view::apply(app, action);
        }
        Action::History(action) => {
            let mut effects = history::apply(app, action);
            effects.extend(team_view::follow_filter(app));
            return effects;
        }
        Action::Queue(action) => return queue::apply(app, action),
        Action::Profiles(action) => return profiles::apply(app, action),
        Action::Pointer(action) => match pointer::apply(app, action) {
            Pointed::Done(effects) => return effects,
            Pointed::Then(next) => return apply(app, *next),
        },
        // A command runs as if its key had been pressed.
        Action::Palette(action) => {
            if let Some(next) = palette::apply(app, action) {
                return update(app, next);
            }
        }
        Action::Calls(action) => return calls::apply(app, action),
        Action::Browse(action) => return browse::apply(app, action),
    }
    Vec::new()
}

fn quit(app: &mut App) {
    let queue_sending = app.queue.as_ref().is_some_and(|q| !q.in_flight.is_empty());
    if queue_sending && app.in_flight.is_none() && !app.quit_armed {
        app.quit_armed = true;
        app.say(
            Tone::Warning,
            "Queue rows are in flight: p pauses the queue; Ctrl+Q again quits now and \
                   their outcome will show as unknown",
        );
        return;
    }
    if app.in_flight.is_some() && !app.quit_armed {
        app.quit_armed = true;
        app.say(
            Tone::Warning,
            "A send is in flight: Esc cancels it; Ctrl+Q again quits now and its outcome \
                   will show as unknown",
        );
        return;
    }
    app.should_quit = true;
}

/// Builds the confirmation for a ready update (the runtime calls this after its duplicate
/// check, so the rules live here).
/// The confirmation for a ready request (kept here for callers of the old path).
pub fn confirmation(
    ready: Ready,
    duplicate: Option<Record>,
    resend_of: Option<Record>,
) -> Box<Confirm> {
    Confirm::new(ready, duplicate, resend_of)
}

#[cfg(test)]
mod tests {
    use super::test_support::*;

    /// A refusal that names a field goes once that field is fixed: it says what is left, or
    /// nothing when the form is ready. Cleared metadata takes its JSON complaint with it.
    #[test]
    fn a_refusal_goes_when_the_field_it_names_is_fixed() {
        let mut a = app();
        update(&mut a, Action::Send(SendAction::Request));
        let text = a.status.clone().unwrap().text;
        assert!(text.contains("First: Agent is required"), "{text}");
        update(&mut a, Action::Focus(Focus::Agent));
        type_text(&mut a, "agent123");
        let text = a.status.clone().map(|s| s.text).unwrap_or_default();
        assert!(!text.contains("Agent"), "stale: {text}");
        update(&mut a, Action::Focus(Focus::Target));
        type_text(&mut a, "call456");
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "Sold");
        assert_eq!(a.status, None, "nothing left to fix: nothing to say");

        update(&mut a, Action::Focus(Focus::Metadata));
        type_text(&mut a, "[1]");
        update(&mut a, Action::Send(SendAction::Request));
        let text = a.status.clone().unwrap().text;
        assert!(text.contains("Metadata must be a JSON object"), "{text}");
        for _ in 0..3 {
            update(
                &mut a,
                Action::Edit(Input {
                    key: Key::Backspace,
                    ..Input::default()
                }),
            );
        }
        assert_eq!(a.form.text(Field::Metadata), "");
        assert_eq!(a.status, None, "the metadata was cleared");
        // Another message is left alone.
        update(&mut a, Action::Pointer(PointerAction::ToggleMouse));
        type_text(&mut a, " ");
        assert!(a.status.is_some());
    }

    #[test]
    fn quitting_while_in_flight_asks_first() {
        let mut a = filled();
        ctrl_s(&mut a);
        update(&mut a, Action::Send(SendAction::Confirm));
        update(&mut a, Action::Quit);
        assert!(!a.should_quit);
        update(&mut a, Action::Quit);
        assert!(a.should_quit);
        let mut b = app();
        update(&mut b, Action::Quit);
        assert!(b.should_quit);
    }
}
