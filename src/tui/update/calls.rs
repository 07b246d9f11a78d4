//! The calls from the form's phone number (issue 14): the look-up follows the form (agent,
//! phone, profile), its timer and answers come back here, and the list's keys move, pin and
//! refresh. The state and its rules are `tui::calls::CallsLookup`; this file only routes.

use crate::api::update::Field;
use crate::tui::action::CallsAction;
use crate::tui::app::{App, Focus, Tone};
use crate::tui::calls::form_parts;
use crate::tui::effect::Effect;

/// After the form or the profile changed: the look-up follows (nothing happens when agent,
/// number and profile stay the same). A change of number drops a pin: the request is rebuilt.
pub(super) fn follow_form(app: &mut App) -> Vec<Effect> {
    let (agent, phone) = form_parts(
        &app.form.text(Field::Agent),
        &app.form.text(Field::Target),
        app.form.target_kind,
        app.settings.prefs.region,
    );
    let was_pinned = app.calls.pinned().is_some();
    let effects: Vec<Effect> = app
        .calls
        .form_changed(&app.profile.name, agent.as_ref(), phone.as_ref())
        .into_iter()
        .map(Effect::Calls)
        .collect();
    if was_pinned && app.calls.pinned().is_none() {
        app.recheck();
    }
    // The list is gone: its pane cannot keep the focus.
    if app.focus == Focus::Calls && !app.focus_order().contains(&Focus::Calls) {
        super::common::set_focus(app, Focus::Target);
    }
    effects
}

pub(super) fn apply(app: &mut App, action: CallsAction) -> Vec<Effect> {
    let effects = match action {
        CallsAction::Due(generation) => app.calls.due(generation),
        CallsAction::Answered {
            generation,
            outcome,
            at,
        } => {
            let (used, effects) = app.calls.answered(generation, outcome);
            if used {
                app.calls_now = at;
            }
            effects
        }
        CallsAction::LastSet { key, entries } => {
            app.calls.set_last_set(&key, entries);
            Vec::new()
        }
        CallsAction::Refresh => {
            if app.calls.key().is_none() {
                app.say(
                    Tone::Info,
                    "No calls to refresh: type an agent and a phone number first",
                );
            }
            app.calls.refresh()
        }
        CallsAction::Move(n) => {
            for _ in 0..n.unsigned_abs() {
                if n > 0 {
                    app.calls.select_next();
                } else {
                    app.calls.select_previous();
                }
            }
            Vec::new()
        }
        CallsAction::TogglePin => {
            if app.calls.toggle_pin() {
                app.recheck();
                say_pin(app);
            } else {
                app.say(
                    Tone::Info,
                    "No call to pin: the list has no call with an ID here",
                );
            }
            Vec::new()
        }
        CallsAction::Unpin => {
            if app.calls.unpin() {
                app.recheck();
                say_pin(app);
            }
            Vec::new()
        }
    };
    effects.into_iter().map(Effect::Calls).collect()
}

/// The status line after a pin or unpin.
fn say_pin(app: &mut App) {
    let text = match app.calls.pinned().and_then(|c| c.id.as_deref()) {
        Some(id) => format!(
            "Pinned call {}: the update goes to this call, not by preference (u unpins)",
            crate::api::outcome::one_line(id, 60)
        ),
        None => format!(
            "Unpinned: the update goes by phone, {} call",
            app.form.preference.as_str()
        ),
    };
    app.say(Tone::Info, text);
}
