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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::tui::calls::tests::three_calls;
    use crate::tui::calls::{LookupEffect, LookupState};

    fn lookups(effects: &[Effect]) -> Vec<LookupEffect> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Calls(l) => Some(l.clone()),
                _ => None,
            })
            .collect()
    }

    /// Agent and number typed; the pause is over and the look-up asked for: its generation.
    fn typed_and_fetching(a: &mut App, number: &str) -> u64 {
        type_text(a, "agent123");
        update(a, Action::FocusNext);
        let mut last = Vec::new();
        for c in number.chars() {
            last = update(
                a,
                Action::Edit(Input {
                    key: Key::Char(c),
                    ..Input::default()
                }),
            );
        }
        let [LookupEffect::Debounce { generation, .. }] = lookups(&last)[..] else {
            panic!("the last keystroke of a valid number asks for the pause: {last:?}");
        };
        let fetch = lookups(&update(a, Action::Calls(CallsAction::Due(generation))));
        assert!(
            matches!(&fetch[..], [LookupEffect::Fetch { generation: g, key, .. }]
                if *g == generation && key.phone.as_str() == "+14155551234"),
            "{fetch:?}"
        );
        generation
    }

    fn answer(a: &mut App, generation: u64, outcome: crate::tui::calls::LookupOutcome) {
        update(
            a,
            Action::Calls(CallsAction::Answered {
                generation,
                outcome,
                at: time::macros::datetime!(2026-12-03 12:45 UTC),
            }),
        );
    }

    #[test]
    fn typing_a_number_looks_up_once_and_a_newer_keystroke_supersedes() {
        let mut a = app();
        let g = typed_and_fetching(&mut a, "+14155551234");
        assert_eq!(a.calls.state, LookupState::Waiting);
        // Another number while the look-up runs (the last digit changed): it is stopped, and
        // the new number waits for its own pause.
        let mut more = Vec::new();
        for key in [Key::Backspace, Key::Char('5')] {
            more.extend(lookups(&update(
                &mut a,
                Action::Edit(Input {
                    key,
                    ..Input::default()
                }),
            )));
        }
        assert!(
            more.contains(&LookupEffect::Cancel { generation: g })
                && matches!(more.last(), Some(LookupEffect::Debounce { generation, .. })
                    if *generation > g),
            "{more:?}"
        );
        // The old answer comes late: dropped.
        answer(&mut a, g, Ok(three_calls()));
        assert_eq!(a.calls.state, LookupState::Waiting);
        assert!(a.calls.calls().is_empty());
        // Ctrl+U empties the number: nothing to look up, nothing listed, no pane to Tab to.
        update(&mut a, Action::Form(FormAction::ClearField));
        assert_eq!(a.calls.state, LookupState::Idle);
        assert!(!a.focus_order().contains(&Focus::Calls));
    }

    #[test]
    fn a_listed_answer_marks_the_preference_and_a_failure_never_blocks_sending() {
        let mut a = app();
        let g = typed_and_fetching(&mut a, "+14155551234");
        answer(&mut a, g, Ok(three_calls()));
        assert_eq!(a.calls.calls().len(), 3);
        assert!(a.focus_order().contains(&Focus::Calls));
        let line = a
            .calls
            .preference_line(a.form.preference, a.calls_now, a.settings.utc_offset)
            .unwrap();
        assert!(
            line.starts_with("last → call call-last, today 10:42"),
            "{line}"
        );

        // Refresh: asked again at once; this time it fails.
        let again = lookups(&update(&mut a, Action::Calls(CallsAction::Refresh)));
        let [LookupEffect::Fetch { generation, .. }] = again[..] else {
            panic!("{again:?}");
        };
        answer(
            &mut a,
            generation,
            Err("Phonely refused the API key (401)".into()),
        );
        assert!(matches!(&a.calls.state, LookupState::Failed(m) if m.contains("401")));
        update(&mut a, Action::FocusNext);
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "Sold");
        ctrl_s(&mut a);
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let [
            Effect::Send {
                request,
                pinned_call,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("sending by phone still works: {effects:?}");
        };
        assert!(request.url.contains("preference=last"), "{}", request.url);
        assert_eq!(*pinned_call, None);
    }

    #[test]
    fn a_pinned_call_takes_the_request_and_the_history_keeps_the_phone() {
        let mut a = app();
        let g = typed_and_fetching(&mut a, "+14155551234");
        answer(&mut a, g, Ok(three_calls()));
        update(&mut a, Action::Focus(Focus::Calls));
        // Newest first: call-last, call-mid, call-first.
        update(&mut a, Action::Calls(CallsAction::Move(1)));
        update(&mut a, Action::Calls(CallsAction::TogglePin));
        let ready = a.checked.clone().map_err(|_| ()).err();
        assert_eq!(ready, Some(()), "the outcome is still missing");
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "Sold");
        let ready = a.checked.clone().unwrap();
        assert!(
            ready.request.url.ends_with("/api/calls/agent123/call-mid"),
            "{}",
            ready.request.url
        );
        assert_eq!(ready.pinned_call.as_deref(), Some("call-mid"));
        assert_eq!(ready.update.target.as_str(), "+14155551234");
        let line = a
            .calls
            .preference_line(a.form.preference, a.calls_now, a.settings.utc_offset)
            .unwrap();
        assert!(line.starts_with("pinned → call call-mid"), "{line}");
        ctrl_s(&mut a);
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let [
            Effect::Send {
                update: sent,
                request,
                pinned_call,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}");
        };
        assert!(request.url.ends_with("/api/calls/agent123/call-mid"));
        assert!(!request.url.contains("preference"));
        assert_eq!(sent.target.as_str(), "+14155551234");
        assert_eq!(pinned_call.as_deref(), Some("call-mid"));
        assert_eq!(
            a.in_flight.as_ref().unwrap().expected,
            None,
            "a pinned send has no mismatch to look for"
        );

        // Unpinned: by phone again.
        a.in_flight = None;
        update(&mut a, Action::Calls(CallsAction::Unpin));
        let ready = a.checked.clone().unwrap();
        assert!(ready.request.url.contains("preference=last"));
        assert_eq!(ready.pinned_call, None);
        // A pin and then another number: the pin goes.
        update(&mut a, Action::Calls(CallsAction::TogglePin));
        assert!(a.calls.pinned().is_some());
        update(&mut a, Action::Focus(Focus::Target));
        type_text(&mut a, "9");
        assert!(a.calls.pinned().is_none());
        assert!(a.checked.clone().map_or(true, |r| r.pinned_call.is_none()));
    }

    #[test]
    fn phonely_answering_another_call_than_the_list_showed_is_flagged() {
        let mut a = app();
        let g = typed_and_fetching(&mut a, "+14155551234");
        answer(&mut a, g, Ok(three_calls()));
        update(&mut a, Action::FocusNext);
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "Sold");
        ctrl_s(&mut a);
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let [
            Effect::Send {
                id, listed_call, ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}");
        };
        let expected = a.in_flight.as_ref().unwrap().expected.clone().unwrap();
        assert_eq!(expected.call_id, "call-last");
        // Recorded with the send, so the row keeps it past this session.
        assert_eq!(listed_call.as_deref(), Some("call-last"));
        let mut done = record_for(&a, Some((200, "{\"success\":true}")));
        done.state = State::Ok;
        done.resolved_call_id = Some("call-mid".into());
        done.listed_call.clone_from(listed_call);
        update(
            &mut a,
            Action::Send(SendAction::Finished {
                id: *id,
                record: done.clone(),
            }),
        );
        let status = a.status.clone().unwrap();
        assert_eq!(status.tone, Tone::Warning);
        assert!(
            status
                .text
                .contains("Phonely updated call call-mid; the list showed call-last as last"),
            "{}",
            status.text
        );
        // The history row says it too (not only the status line, which the next message
        // replaces).
        update(
            &mut a,
            Action::Resized {
                width: 140,
                height: 40,
            },
        );
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).unwrap();
        t.draw(|f| crate::tui::view::view(&a, f)).unwrap();
        let buffer = t.backend().buffer();
        let lines: Vec<String> = (0..40)
            .map(|y| (0..140).map(|x| buffer[(x, y)].symbol()).collect())
            .collect();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("agent123/+14155551234") && l.contains("⚠ Phonely updated")),
            "{}",
            lines.join("\n")
        );
        // And its detail (Enter on the row).
        a.modal = Some(Modal::Detail {
            record_id: done.id,
            scroll: 0,
        });
        t.draw(|f| crate::tui::view::view(&a, f)).unwrap();
        let buffer = t.backend().buffer();
        let screen: String = (0..40)
            .map(|y| {
                (0..140)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        assert!(
            screen.contains(
                "Mismatch  ⚠ Phonely updated call call-mid; the list showed call-last as last"
            ),
            "{screen}"
        );
    }

    #[test]
    fn the_list_keys_move_and_the_footer_offers_the_pin() {
        let mut a = app();
        let g = typed_and_fetching(&mut a, "+14155551234");
        answer(&mut a, g, Ok(three_calls()));
        update(&mut a, Action::Focus(Focus::Calls));
        update(&mut a, Action::Calls(CallsAction::Move(5)));
        assert_eq!(a.calls.selected, 2, "the selection stays within the list");
        update(&mut a, Action::Calls(CallsAction::Move(-1)));
        assert_eq!(a.calls.selected, 1);
        let hints = crate::tui::keymap::hints(&a);
        assert!(hints.contains(&("p", "pin call")), "{hints:?}");
        assert!(!hints.contains(&("u", "unpin")), "nothing pinned yet");
        // The palette reaches the list's commands by name.
        assert_eq!(palette_matches("pin the selected").len(), 1);
        assert_eq!(palette_matches("refresh the calls").len(), 1);
    }
}
