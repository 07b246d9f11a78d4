//! The mouse: clicks focus what is under them, the wheel scrolls, F12 hands the mouse over. What
//! a click or the wheel means to another concern (a history row, the pick-list) comes back as
//! that concern's action, for the dispatcher to run.

use super::common::{form_changed, set_focus};
use crate::tui::action::{Action, FormAction, HistoryAction, PointerAction, QueueAction};
use crate::tui::app::{App, Focus, Tone};
use crate::tui::effect::Effect;
use crate::tui::view::{Hit, hit};

/// What a pointer event comes to: done here, or another concern's action.
pub(super) enum Pointed {
    Done(Vec<Effect>),
    Then(Box<Action>),
}

pub(super) fn apply(app: &mut App, action: PointerAction) -> Pointed {
    match action {
        PointerAction::Click { column, row } => click(app, column, row),
        PointerAction::Wheel { column, row, lines } => wheel(app, column, row, lines),
        PointerAction::ToggleMouse => {
            app.mouse_capture = !app.mouse_capture;
            app.say(
                Tone::Info,
                if app.mouse_capture {
                    "Mouse on: click fields and panes, the wheel scrolls (F12 to select text)"
                } else {
                    "Mouse off: select text with the mouse as usual (F12 turns clicks back on)"
                },
            );
            Pointed::Done(vec![Effect::SetMouseCapture(app.mouse_capture)])
        }
    }
}

fn click(app: &mut App, column: u16, row: u16) -> Pointed {
    if app.modal.is_some() {
        return Pointed::Done(Vec::new());
    }
    let Some(hit) = hit(app, column, row) else {
        return Pointed::Done(Vec::new());
    };
    match hit {
        Hit::Focus(focus) => {
            if focus != app.focus {
                set_focus(app, focus);
            }
            Pointed::Done(Vec::new())
        }
        Hit::Preference => {
            set_focus(app, Focus::Preference);
            app.form.preference = app.form.preference.toggled();
            Pointed::Done(form_changed(app))
        }
        Hit::HistoryRow(index) => {
            set_focus(app, Focus::History);
            // The rows shown: this laptop's, or the Team view's.
            let (len, selected) = match &app.history.team {
                Some(t) => (t.rows.len(), t.selected),
                None => (app.history.rows.len(), app.history.selected),
            };
            if index < len {
                let delta = index.cast_signed() - selected.cast_signed();
                return Pointed::Then(Box::new(Action::History(HistoryAction::Move(delta))));
            }
            Pointed::Done(Vec::new())
        }
        Hit::QueueRow(index) => {
            set_focus(app, Focus::Queue);
            if let Some(q) = &mut app.queue
                && index < q.items.len()
            {
                q.selected = index;
            }
            Pointed::Done(Vec::new())
        }
        Hit::Suggestion(index) => {
            app.outcome_pick = Some(index);
            Pointed::Then(Box::new(Action::Form(FormAction::OutcomeAccept)))
        }
        Hit::Preview => Pointed::Done(Vec::new()),
    }
}

fn wheel(app: &mut App, column: u16, row: u16, lines: i32) -> Pointed {
    if app.modal.is_some() {
        return Pointed::Then(Box::new(Action::ModalScroll(lines)));
    }
    match hit(app, column, row) {
        Some(Hit::HistoryRow(_)) => Pointed::Then(Box::new(Action::History(HistoryAction::Move(
            lines as isize,
        )))),
        Some(Hit::QueueRow(_)) => {
            Pointed::Then(Box::new(Action::Queue(QueueAction::Move(lines as isize))))
        }
        Some(Hit::Preview) => {
            app.preview_scroll = app.preview_scroll.saturating_add_signed(
                i16::try_from(lines).unwrap_or(if lines < 0 { i16::MIN } else { i16::MAX }),
            );
            Pointed::Done(Vec::new())
        }
        _ => Pointed::Done(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn clicks_focus_fields_and_rows_and_the_wheel_scrolls_history() {
        let mut a = filled();
        update(
            &mut a,
            Action::Resized {
                width: 120,
                height: 32,
            },
        );
        update(&mut a, Action::Focus(Focus::Metadata));
        // The form pane starts at (0,0): its border, then Agent on row 1, Call/phone on row 2.
        update(
            &mut a,
            Action::Pointer(PointerAction::Click { column: 20, row: 2 }),
        );
        assert_eq!(a.focus, Focus::Target);
        update(
            &mut a,
            Action::Pointer(PointerAction::Click { column: 20, row: 4 }),
        );
        assert_eq!(a.focus, Focus::Outcome);
        // History rows: 20 loaded; the pane is the bottom 2/5 of the body.
        let rows: Vec<_> = (1..=20)
            .rev()
            .map(|id| {
                let mut r = record_for(&a, Some((200, "{\"success\":true}")));
                r.id = id;
                r
            })
            .collect();
        let generation = a.history.generation;
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation,
                first: true,
                rows,
                exhausted: true,
            }),
        );
        let history = crate::tui::view::regions(&a, a.screen)
            .unwrap()
            .history
            .unwrap();
        // Border, header, then the rows: the third row.
        update(
            &mut a,
            Action::Pointer(PointerAction::Click {
                column: 10,
                row: history.y + 4,
            }),
        );
        assert_eq!(a.focus, Focus::History);
        assert_eq!(a.history.selected, 2);
        update(
            &mut a,
            Action::Pointer(PointerAction::Wheel {
                column: 10,
                row: history.y + 4,
                lines: 3,
            }),
        );
        assert_eq!(a.history.selected, 5);
        // Over the preview the wheel scrolls it instead.
        update(
            &mut a,
            Action::Pointer(PointerAction::Wheel {
                column: 100,
                row: 5,
                lines: 3,
            }),
        );
        assert_eq!(a.preview_scroll, 3);
        assert_eq!(a.history.selected, 5);
        // In the Team view a click selects the Team view's row; this laptop's stays.
        update(&mut a, Action::History(HistoryAction::ToggleTeam));
        let generation = a.history.team_generation;
        let team: Vec<_> = (0..10)
            .map(|i| phonely_team::testing::pending_row("ben", "agent1", &format!("c{i}"), 100 - i))
            .collect();
        update(
            &mut a,
            Action::History(HistoryAction::TeamLoaded {
                generation,
                first: true,
                rows: team,
                exhausted: true,
            }),
        );
        update(
            &mut a,
            Action::Pointer(PointerAction::Click {
                column: 10,
                row: history.y + 3,
            }),
        );
        assert_eq!(a.history.team.as_ref().unwrap().selected, 1);
        assert_eq!(a.history.selected, 5);
    }

    #[test]
    fn f12_gives_the_mouse_to_the_terminal_and_back() {
        let mut a = app();
        assert!(a.mouse_capture);
        assert_eq!(
            update(&mut a, Action::Pointer(PointerAction::ToggleMouse)),
            vec![Effect::SetMouseCapture(false)]
        );
        assert!(a.status.as_ref().unwrap().text.contains("select text"));
        assert_eq!(
            update(&mut a, Action::Pointer(PointerAction::ToggleMouse)),
            vec![Effect::SetMouseCapture(true)]
        );
    }

    #[test]
    fn a_click_on_the_pick_list_takes_that_label() {
        let mut a = app();
        update(
            &mut a,
            Action::Resized {
                width: 120,
                height: 32,
            },
        );
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "s");
        let suggestions: Vec<String> = a
            .outcome_suggestions()
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        // Outcome is on row 4 (border, agent, call, preference); the list's border on row 5,
        // its first entry on row 6, the second on row 7.
        update(
            &mut a,
            Action::Pointer(PointerAction::Click { column: 16, row: 7 }),
        );
        assert_eq!(a.form.text(Field::Outcome), suggestions[1]);
        assert_eq!(a.focus, Focus::Value);
    }
}
