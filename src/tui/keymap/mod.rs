//! `map_event(&App, &Event) -> Option<Action>`: keys to intents, pure and focus-aware, so every
//! binding has a one-line test. The footer's hints come from here too.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui_textarea::{Input, Key};

use super::action::{
    Action, BrowseAction, CallsAction, FormAction, HistoryAction, PaletteAction, PointerAction,
    ProfileAction, QueueAction, SendAction,
};
use super::app::{App, Confirm, Focus, Modal};

/// Lines the request preview moves for Alt+↑/↓, and for PgUp/PgDn in a one-line field.
const PREVIEW_STEP: i32 = 3;
const PREVIEW_PAGE: i32 = 10;

mod bindings;
mod browse;
mod palette;
pub use bindings::{Binding, calls_bindings, help, history_bindings, queue_bindings};
use bindings::{map_table, table_hints};
pub use browse::browse_bindings;
pub use palette::{Command, commands, palette_matches};

pub fn map_event(app: &App, event: &Event) -> Option<Action> {
    match event {
        // Only presses: some platforms also report releases and repeats.
        Event::Key(key) if key.kind == KeyEventKind::Press => map_key(app, *key),
        Event::Paste(text) if app.modal.is_none() && app.focus.is_text() => {
            Some(Action::Paste(text.clone()))
        }
        Event::Mouse(mouse) => map_mouse(*mouse),
        Event::Resize(width, height) => Some(Action::Resized {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

fn map_mouse(mouse: MouseEvent) -> Option<Action> {
    let (column, row) = (mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            Some(Action::Pointer(PointerAction::Click { column, row }))
        }
        MouseEventKind::ScrollDown => Some(Action::Pointer(PointerAction::Wheel {
            column,
            row,
            lines: 3,
        })),
        MouseEventKind::ScrollUp => Some(Action::Pointer(PointerAction::Wheel {
            column,
            row,
            lines: -3,
        })),
        _ => None,
    }
}

fn map_key(app: &App, key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, KeyCode::Char('q' | 'c')) {
        return Some(Action::Quit);
    }
    if let Some(modal) = &app.modal {
        return map_modal(app, modal, key);
    }
    match key.code {
        KeyCode::F(1) => return Some(Action::OpenHelp),
        KeyCode::F(2) => return Some(Action::Profiles(ProfileAction::Open)),
        KeyCode::F(12) => return Some(Action::Pointer(PointerAction::ToggleMouse)),
        KeyCode::Char('n') if ctrl => return Some(Action::Form(FormAction::NewForm)),
        // Right after Ctrl+N (nothing typed since), Ctrl+Z brings the cleared form back.
        KeyCode::Char('z') if ctrl && app.before_new_form.is_some() => {
            return Some(Action::Form(FormAction::UndoNewForm));
        }
        KeyCode::Char('p') if ctrl => return Some(Action::Palette(PaletteAction::Open)),
        KeyCode::Char('o') if ctrl => return Some(Action::Form(FormAction::FormatMetadata)),
        KeyCode::Char('t') if ctrl => return Some(Action::Form(FormAction::InsertTemplate)),
        KeyCode::Char('b') if ctrl => return Some(Action::Queue(QueueAction::OpenPrompt)),
        KeyCode::Esc if app.focus == Focus::Outcome && app.outcome_menu_open() => {
            return Some(Action::Form(FormAction::OutcomeClose));
        }
        KeyCode::Esc if app.in_flight.is_some() => return Some(Action::Send(SendAction::Cancel)),
        KeyCode::Char('s') if ctrl => return Some(Action::Send(SendAction::Request)),
        KeyCode::Char('f') if ctrl => return Some(Action::History(HistoryAction::FilterToCall)),
        KeyCode::Tab if !(app.focus == Focus::Outcome && app.outcome_menu_open()) => {
            return Some(Action::FocusNext);
        }
        KeyCode::BackTab => return Some(Action::FocusPrev),
        // The calls from the form's number, again (past what was kept).
        KeyCode::Char('r')
            if ctrl
                && matches!(
                    app.focus,
                    Focus::Agent | Focus::Target | Focus::Preference | Focus::Calls
                ) =>
        {
            return Some(Action::Calls(CallsAction::Refresh));
        }
        // The agent's recent calls, to pick one for the Target field.
        KeyCode::Char('l') if ctrl && matches!(app.focus, Focus::Agent | Focus::Target) => {
            return Some(Action::Browse(BrowseAction::Open));
        }
        // The request preview, from any pane (no editor or list uses Alt+↑/↓).
        KeyCode::Up if alt && !ctrl => {
            return Some(Action::Form(FormAction::PreviewScroll(-PREVIEW_STEP)));
        }
        KeyCode::Down if alt && !ctrl => {
            return Some(Action::Form(FormAction::PreviewScroll(PREVIEW_STEP)));
        }
        _ => {}
    }
    match app.focus {
        Focus::History => map_table(&history_bindings(), key),
        Focus::Queue => map_table(&queue_bindings(), key),
        Focus::Calls => map_table(&calls_bindings(), key),
        Focus::Filter => match key.code {
            KeyCode::Enter | KeyCode::Down => Some(Action::History(HistoryAction::KeepFilter)),
            KeyCode::Esc => Some(Action::History(HistoryAction::ClearFilter)),
            _ => Some(Action::Edit(editing_key(key))),
        },
        Focus::Preference => match key.code {
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ' | 'h' | 'l') => {
                Some(Action::Form(FormAction::TogglePreference))
            }
            KeyCode::Enter | KeyCode::Down => Some(Action::FocusNext),
            KeyCode::Up => Some(Action::FocusPrev),
            KeyCode::PageUp => Some(Action::Form(FormAction::PreviewScroll(-PREVIEW_PAGE))),
            KeyCode::PageDown => Some(Action::Form(FormAction::PreviewScroll(PREVIEW_PAGE))),
            KeyCode::Char('?') => Some(Action::OpenHelp),
            _ => None,
        },
        Focus::Metadata => Some(Action::Edit(editing_key(key))),
        Focus::Outcome if app.outcome_menu_open() => match key.code {
            KeyCode::Down if !ctrl && !alt => Some(Action::Form(FormAction::OutcomeMove(1))),
            KeyCode::Up if !ctrl && !alt && app.outcome_pick.is_some() => {
                Some(Action::Form(FormAction::OutcomeMove(-1)))
            }
            KeyCode::Up if !ctrl && !alt => Some(Action::FocusPrev),
            KeyCode::Enter | KeyCode::Tab => Some(Action::Form(FormAction::OutcomeAccept)),
            KeyCode::Esc => Some(Action::Form(FormAction::OutcomeClose)),
            KeyCode::Char('u') if ctrl && !alt => Some(Action::Form(FormAction::ClearField)),
            _ => Some(Action::Edit(editing_key(key))),
        },
        Focus::Agent | Focus::Target | Focus::Outcome | Focus::Value => match key.code {
            KeyCode::Enter | KeyCode::Down if !ctrl && !alt => Some(Action::FocusNext),
            KeyCode::Up if !ctrl && !alt => Some(Action::FocusPrev),
            // One line of text has no pages: PgUp/PgDn page the request instead.
            KeyCode::PageUp => Some(Action::Form(FormAction::PreviewScroll(-PREVIEW_PAGE))),
            KeyCode::PageDown => Some(Action::Form(FormAction::PreviewScroll(PREVIEW_PAGE))),
            // A one-line field is one line: Ctrl+U empties it, wherever the cursor is.
            KeyCode::Char('u') if ctrl && !alt => Some(Action::Form(FormAction::ClearField)),
            _ => Some(Action::Edit(editing_key(key))),
        },
    }
}

/// The editor's own keys, with the three people expect from elsewhere put where they look:
/// Ctrl+Z undo and Ctrl+Y redo (the editor's Ctrl+U and Ctrl+R), and Ctrl+U clears to the start
/// of the line as in a shell (the editor's Ctrl+J).
fn editing_key(key: KeyEvent) -> Input {
    let mut input = Input::from(key);
    if input.ctrl && !input.alt {
        input.key = match input.key {
            Key::Char('z') => Key::Char('u'),
            Key::Char('y') => Key::Char('r'),
            Key::Char('u') => Key::Char('j'),
            // Unbound in the workbench: the editor's own meaning would surprise (redo/paste).
            Key::Char('r' | 'j') => Key::Null,
            other => other,
        };
    }
    input
}

fn map_modal(app: &App, modal: &Modal, key: KeyEvent) -> Option<Action> {
    match modal {
        // Rows already sent as they are, asked about before the name is typed: `s` sends only
        // the others.
        Modal::ConfirmQueue {
            duplicates,
            acknowledged: false,
            ..
        } if !duplicates.is_empty() && matches!(key.code, KeyCode::Char('s' | 'S')) => {
            Some(Action::Queue(QueueAction::SkipSent))
        }
        // A production profile: the person types its name, so letters are text here.
        // The queue's confirmation follows the same rules as one update's.
        Modal::Confirm(_) | Modal::ConfirmQueue { .. } if app.profile.production() => {
            match key.code {
                KeyCode::Enter => Some(Action::Send(SendAction::Confirm)),
                KeyCode::Esc => Some(Action::CloseModal),
                KeyCode::Backspace => Some(Action::Send(SendAction::ConfirmBackspace)),
                KeyCode::Char(c) => Some(Action::Send(SendAction::ConfirmType(c))),
                _ => None,
            }
        }
        Modal::Palette { .. } => match key.code {
            KeyCode::Up => Some(Action::Palette(PaletteAction::Move(-1))),
            KeyCode::Down | KeyCode::Tab => Some(Action::Palette(PaletteAction::Move(1))),
            KeyCode::Enter => Some(Action::Palette(PaletteAction::Run)),
            KeyCode::Esc => Some(Action::CloseModal),
            KeyCode::Backspace => Some(Action::Palette(PaletteAction::Backspace)),
            KeyCode::Char('p') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::CloseModal)
            }
            KeyCode::Char(c) => Some(Action::Palette(PaletteAction::Type(c))),
            _ => None,
        },
        Modal::OpenFile(_) => match key.code {
            KeyCode::Enter => Some(Action::Queue(QueueAction::OpenFile)),
            KeyCode::Esc => Some(Action::CloseModal),
            KeyCode::Backspace => Some(Action::Queue(QueueAction::PathBackspace)),
            KeyCode::Tab => Some(Action::Queue(QueueAction::CompletePath)),
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::Queue(QueueAction::PathClear))
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::Queue(QueueAction::PathType(c)))
            }
            _ => None,
        },
        Modal::ConfirmQueue { .. } => match key.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => Some(Action::Send(SendAction::Confirm)),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => Some(Action::CloseModal),
            _ => None,
        },
        Modal::Templates { .. } => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::Form(FormAction::TemplateMove(-1))),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Form(FormAction::TemplateMove(1))),
            KeyCode::Enter => Some(Action::Form(FormAction::ChooseTemplate)),
            KeyCode::Esc | KeyCode::Char('q') => Some(Action::CloseModal),
            _ => None,
        },
        Modal::Detail { .. } if matches!(key.code, KeyCode::Char('y' | 'b' | 'c')) => {
            Some(match key.code {
                KeyCode::Char('y') => Action::History(HistoryAction::CopyCurl),
                KeyCode::Char('b') => Action::History(HistoryAction::CopyResponse),
                _ => Action::History(HistoryAction::CopyCallId),
            })
        }
        Modal::Profiles { .. } => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::Profiles(ProfileAction::Move(-1))),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Profiles(ProfileAction::Move(1))),
            KeyCode::Enter => Some(Action::Profiles(ProfileAction::Choose)),
            KeyCode::Esc | KeyCode::F(2) | KeyCode::Char('q') => Some(Action::CloseModal),
            _ => None,
        },
        Modal::Confirm(_) => match key.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => Some(Action::Send(SendAction::Confirm)),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => Some(Action::CloseModal),
            _ => None,
        },
        Modal::Browse => map_table(&browse_bindings(), key),
        Modal::Help { .. } | Modal::Detail { .. } => match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::F(1) | KeyCode::Char('?' | 'q') => {
                Some(Action::CloseModal)
            }
            KeyCode::Up | KeyCode::Char('k') => Some(Action::ModalScroll(-1)),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::ModalScroll(1)),
            KeyCode::PageUp => Some(Action::ModalScroll(-10)),
            KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::ModalScroll(10)),
            _ => None,
        },
    }
}

/// The keys that work right now, for the footer: (key, what it does).
pub fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    match &app.modal {
        Some(Modal::Confirm(c)) => return confirm_keys(app, c),
        Some(Modal::Profiles { .. }) => {
            return vec![("↑↓", "choose"), ("Enter", "switch"), ("Esc", "keep")];
        }
        Some(Modal::Help { .. }) => return vec![("↑↓ PgUp PgDn", "scroll"), ("Esc", "close help")],
        Some(Modal::Browse) => return table_hints(&browse_bindings(), app),
        Some(Modal::Detail { .. }) => {
            return vec![
                ("↑↓", "scroll"),
                ("y", "copy curl"),
                ("b", "copy response"),
                ("c", "copy call id"),
                ("Esc", "close"),
            ];
        }
        Some(Modal::Palette { .. }) => {
            return vec![
                ("type", "find"),
                ("↑↓", "choose"),
                ("Enter", "run"),
                ("Esc", "close"),
            ];
        }
        Some(Modal::Templates { .. }) => {
            return vec![("↑↓", "choose"), ("Enter", "insert"), ("Esc", "close")];
        }
        Some(Modal::OpenFile(_)) => {
            return vec![
                ("type the path", ""),
                ("Tab", "complete"),
                ("^U", "clear"),
                ("Enter", "open"),
                ("Esc", "cancel"),
            ];
        }
        Some(Modal::ConfirmQueue {
            duplicates,
            acknowledged,
            ..
        }) => return confirm_queue_keys(app, !duplicates.is_empty() && !acknowledged),

        None => {}
    }
    let mut out = Vec::new();
    if app.in_flight.is_some() {
        out.push(("Esc", "cancel send"));
    }
    if app.before_new_form.is_some() {
        out.push(("^Z", "undo new form"));
    }
    match app.focus {
        // No row: only the filter acts (and Esc, when a filter hides every row).
        Focus::History => out.extend(table_hints(&history_bindings(), app)),
        Focus::Filter => out.extend([("Enter", "to the rows"), ("Esc", "clear")]),
        // p acts only while the queue sends; q says when it has asked once already.
        Focus::Queue => out.extend(table_hints(&queue_bindings(), app)),
        Focus::Calls => out.extend(table_hints(&calls_bindings(), app)),
        Focus::Preference => out.extend([("←→", "last/first"), ("Tab", "next")]),
        Focus::Metadata => out.extend([
            ("Enter", "new line"),
            ("^O", "format JSON / key=value"),
            ("^T", "template"),
            (
                "Tab",
                if app.focus_order().contains(&Focus::Calls) {
                    "calls"
                } else {
                    "history"
                },
            ),
        ]),
        Focus::Outcome if app.outcome_menu_open() => out.extend([
            ("↓↑", "choose"),
            ("Tab/Enter", "take"),
            ("Esc", "keep as typed"),
        ]),
        Focus::Agent | Focus::Target | Focus::Outcome | Focus::Value => {
            out.extend([
                ("Tab", "next"),
                ("S-Tab", "back"),
                ("^U", "clear"),
                ("A-↑↓", "request"),
            ]);
        }
    }
    if app.focus != Focus::Queue {
        out.push(("^S", "send"));
    }
    out.extend([
        ("^N", "new"),
        ("^P", "commands"),
        ("F2", "profile"),
        ("F1", "help"),
        // After a first Ctrl+Q with sends in flight, the next one quits without waiting (once
        // they are over, Ctrl+Q is a plain quit again).
        (
            "^Q",
            if app.quit_armed && sends_in_flight(app) {
                "quit anyway"
            } else {
                "quit"
            },
        ),
    ]);
    out
}

/// A send (from the form or the queue) has not come back yet.
fn sends_in_flight(app: &App) -> bool {
    app.in_flight.is_some() || app.queue.as_ref().is_some_and(|q| !q.in_flight.is_empty())
}

/// The send confirmation's keys: the footer and the dialog both show these, so they say the
/// same. A production profile's letters are its name, so there `y` is no answer.
pub fn confirm_keys(app: &App, c: &Confirm) -> Vec<(&'static str, &'static str)> {
    let back = "back to the form";
    match (c.warns() && !c.acknowledged, app.profile.production()) {
        (true, true) => vec![("Enter", "yes, go on"), ("Esc", back)],
        (true, false) => vec![("Enter/y", "yes, go on"), ("Esc/n", back)],
        (false, true) => vec![("type the name, Enter", "send"), ("Esc", back)],
        (false, false) if c.warns() => {
            vec![("Enter/y", "send it again"), ("Esc/n", back)]
        }
        (false, false) => vec![("Enter/y", "send"), ("Esc/n", back)],
    }
}

/// The queue confirmation's keys, for the footer and the dialog alike; `asking_twice` while
/// rows sent before are asked about.
pub fn confirm_queue_keys(app: &App, asking_twice: bool) -> Vec<(&'static str, &'static str)> {
    match (asking_twice, app.profile.production()) {
        (true, true) => vec![
            ("s", "send only the others"),
            ("Enter", "send them all"),
            ("Esc", "back"),
        ],
        (true, false) => vec![
            ("s", "send only the others"),
            ("Enter/y", "send them all"),
            ("Esc/n", "back"),
        ],
        (false, true) => vec![("type the name, Enter", "send the queue"), ("Esc", "back")],
        (false, false) => vec![("Enter/y", "send the queue"), ("Esc/n", "back")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::key::Credentials;
    use crate::api::request::BaseUrl;
    use crate::tui::app::QueueRun;
    use crate::tui::app::Settings;

    fn app() -> App {
        App::new(Settings {
            base_url: BaseUrl::default(),
            sandbox: true,
            credentials: Credentials::sandbox("k"),
            utc_offset: time::UtcOffset::UTC,
            duplicate_window_ms: crate::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
            prefs: crate::tui::app::Prefs::default(),
        })
    }

    fn press(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn ctrl(c: char) -> Event {
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    fn focused(focus: Focus) -> App {
        let mut a = app();
        a.focus = focus;
        a
    }

    #[test]
    fn quit_keys_work_everywhere() {
        let mut a = app();
        assert_eq!(map_event(&a, &ctrl('q')), Some(Action::Quit));
        assert_eq!(map_event(&a, &ctrl('c')), Some(Action::Quit));
        a.modal = Some(Modal::Help { scroll: 0 });
        assert_eq!(map_event(&a, &ctrl('q')), Some(Action::Quit));
    }

    #[test]
    fn releases_are_ignored() {
        let mut key = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        key.kind = KeyEventKind::Release;
        assert_eq!(map_event(&app(), &Event::Key(key)), None);
    }

    #[test]
    fn global_keys() {
        let a = app();
        assert_eq!(
            map_event(&a, &ctrl('s')),
            Some(Action::Send(SendAction::Request))
        );
        assert_eq!(map_event(&a, &press(KeyCode::Tab)), Some(Action::FocusNext));
        assert_eq!(
            map_event(&a, &press(KeyCode::BackTab)),
            Some(Action::FocusPrev)
        );
        assert_eq!(map_event(&a, &press(KeyCode::F(1))), Some(Action::OpenHelp));
    }

    #[test]
    fn text_fields_take_characters_and_enter_moves_on() {
        let a = focused(Focus::Target);
        assert!(matches!(
            map_event(&a, &press(KeyCode::Char('?'))),
            Some(Action::Edit(Input {
                key: Key::Char('?'),
                ..
            }))
        ));
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::FocusNext)
        );
        assert_eq!(map_event(&a, &press(KeyCode::Up)), Some(Action::FocusPrev));
    }

    #[test]
    fn undo_redo_and_clear_line_are_where_people_look() {
        let a = focused(Focus::Outcome);
        let edit = |c| match map_event(&a, &ctrl(c)) {
            Some(Action::Edit(i)) => (i.key, i.ctrl),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            edit('z'),
            (Key::Char('u'), true),
            "Ctrl+Z is the editor's undo"
        );
        assert_eq!(
            edit('y'),
            (Key::Char('r'), true),
            "Ctrl+Y is the editor's redo"
        );
        assert_eq!(
            map_event(&a, &ctrl('u')),
            Some(Action::Form(FormAction::ClearField)),
            "Ctrl+U clears a one-line field"
        );
        assert_eq!(edit('a'), (Key::Char('a'), true));
        let m = focused(Focus::Metadata);
        assert!(
            matches!(
                map_event(&m, &ctrl('u')),
                Some(Action::Edit(Input {
                    key: Key::Char('j'),
                    ctrl: true,
                    ..
                }))
            ),
            "in the metadata, Ctrl+U clears to the line's start"
        );
    }

    #[test]
    fn metadata_takes_enter_as_a_newline() {
        let a = focused(Focus::Metadata);
        assert!(matches!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::Edit(Input {
                key: Key::Enter,
                ..
            }))
        ));
    }

    #[test]
    fn preference_toggles() {
        let a = focused(Focus::Preference);
        for code in [KeyCode::Left, KeyCode::Right, KeyCode::Char(' ')] {
            assert_eq!(
                map_event(&a, &press(code)),
                Some(Action::Form(FormAction::TogglePreference))
            );
        }
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('?'))),
            Some(Action::OpenHelp)
        );
    }

    #[test]
    fn history_keys() {
        let a = focused(Focus::History);
        assert_eq!(
            map_event(&a, &press(KeyCode::Down)),
            Some(Action::History(HistoryAction::Move(1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('j'))),
            Some(Action::History(HistoryAction::Move(1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('k'))),
            Some(Action::History(HistoryAction::Move(-1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::History(HistoryAction::OpenDetail))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('?'))),
            Some(Action::OpenHelp)
        );
    }

    #[test]
    fn history_row_keys() {
        let a = focused(Focus::History);
        for (c, action) in [
            ('/', Action::History(HistoryAction::OpenFilter)),
            ('e', Action::History(HistoryAction::LoadIntoForm)),
            ('r', Action::History(HistoryAction::Resend)),
            ('y', Action::History(HistoryAction::CopyCurl)),
        ] {
            assert_eq!(map_event(&a, &press(KeyCode::Char(c))), Some(action));
        }
        assert_eq!(
            map_event(&a, &ctrl('f')),
            Some(Action::History(HistoryAction::FilterToCall))
        );
        assert_eq!(
            map_event(&focused(Focus::Agent), &ctrl('f')),
            Some(Action::History(HistoryAction::FilterToCall))
        );
    }

    #[test]
    fn filter_line_keys() {
        let a = focused(Focus::Filter);
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::History(HistoryAction::KeepFilter))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::History(HistoryAction::ClearFilter))
        );
        assert!(matches!(
            map_event(&a, &press(KeyCode::Char('e'))),
            Some(Action::Edit(Input {
                key: Key::Char('e'),
                ..
            }))
        ));
    }

    #[test]
    fn confirmation_keys() {
        let mut a = app();
        a.modal = Some(Modal::Help { scroll: 0 });
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::CloseModal)
        );
        let mut a = app();
        a.modal = Some(Modal::Detail {
            record_id: 1,
            scroll: 0,
        });
        assert_eq!(
            map_event(&a, &press(KeyCode::Down)),
            Some(Action::ModalScroll(1))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::CloseModal)
        );
    }

    #[test]
    fn esc_cancels_only_while_in_flight() {
        let mut a = focused(Focus::History);
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::History(HistoryAction::ClearFilter)),
            "otherwise Esc in the history clears its filter"
        );
        a.in_flight = Some(crate::tui::app::InFlight {
            id: crate::tui::action::RequestId(1),
            summary: String::new(),
            elapsed: std::time::Duration::ZERO,
            record_id: None,
            sent: None,
            expected: None,
        });
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::Send(SendAction::Cancel))
        );
    }

    #[test]
    fn f2_opens_the_profile_picker() {
        assert_eq!(
            map_event(&app(), &press(KeyCode::F(2))),
            Some(Action::Profiles(ProfileAction::Open))
        );
    }

    #[test]
    fn profile_picker_keys() {
        let mut a = app();
        a.modal = Some(Modal::Profiles { selected: 0 });
        let key = |code| map_event(&a, &press(code));
        assert_eq!(
            key(KeyCode::Char('j')),
            Some(Action::Profiles(ProfileAction::Move(1)))
        );
        assert_eq!(
            key(KeyCode::Up),
            Some(Action::Profiles(ProfileAction::Move(-1)))
        );
        assert_eq!(key(KeyCode::F(2)), Some(Action::CloseModal));
        assert_eq!(key(KeyCode::Char('q')), Some(Action::CloseModal));
        assert_eq!(
            map_event(&a, &press(KeyCode::Down)),
            Some(Action::Profiles(ProfileAction::Move(1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('k'))),
            Some(Action::Profiles(ProfileAction::Move(-1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::Profiles(ProfileAction::Choose))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::CloseModal)
        );
    }

    #[test]
    fn a_production_confirmation_takes_typed_letters() {
        let mut a = app();
        a.profile.kind = crate::config::Kind::Production;
        a.modal = Some(Modal::Profiles { selected: 0 });
        let ready = crate::tui::app::Ready {
            update: crate::api::update::validate(&crate::api::update::UpdateInput {
                agent: "a",
                target: "c",
                outcome: "Sold",
                ..Default::default()
            })
            .unwrap(),
            request: crate::api::request::WireRequest {
                method: "PATCH",
                url: String::new(),
                headers: Vec::new(),
                body: String::new(),
            },
            pinned_call: None,
        };
        a.modal = Some(Modal::Confirm(Confirm::new(ready, None, None)));
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('y'))),
            Some(Action::Send(SendAction::ConfirmType('y')))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Backspace)),
            Some(Action::Send(SendAction::ConfirmBackspace))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::Send(SendAction::Confirm))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::CloseModal)
        );
    }

    #[test]
    fn paste_goes_to_text_fields_only() {
        let ev = Event::Paste("x".into());
        assert_eq!(
            map_event(&focused(Focus::Agent), &ev),
            Some(Action::Paste("x".into()))
        );
        assert_eq!(map_event(&focused(Focus::History), &ev), None);
    }

    #[test]
    fn ergonomic_keys_work_from_any_field() {
        for focus in [Focus::Agent, Focus::Metadata, Focus::History] {
            let a = focused(focus);
            assert_eq!(
                map_event(&a, &ctrl('n')),
                Some(Action::Form(FormAction::NewForm))
            );
            assert_eq!(
                map_event(&a, &ctrl('p')),
                Some(Action::Palette(PaletteAction::Open))
            );
            assert_eq!(
                map_event(&a, &ctrl('o')),
                Some(Action::Form(FormAction::FormatMetadata))
            );
            assert_eq!(
                map_event(&a, &ctrl('t')),
                Some(Action::Form(FormAction::InsertTemplate))
            );
            assert_eq!(
                map_event(&a, &press(KeyCode::F(12))),
                Some(Action::Pointer(PointerAction::ToggleMouse))
            );
        }
        // `:` opens the palette where it is not text.
        let h = focused(Focus::History);
        assert_eq!(
            map_event(&h, &press(KeyCode::Char(':'))),
            Some(Action::Palette(PaletteAction::Open))
        );
        assert!(matches!(
            map_event(&focused(Focus::Agent), &press(KeyCode::Char(':'))),
            Some(Action::Edit(_))
        ));
        assert_eq!(
            map_event(&h, &press(KeyCode::Char('b'))),
            Some(Action::History(HistoryAction::CopyResponse))
        );
        assert_eq!(
            map_event(&h, &press(KeyCode::Char('c'))),
            Some(Action::History(HistoryAction::CopyCallId))
        );
    }

    /// The footer offers only keys that act now: an empty history has no row to edit, resend
    /// or copy; a text field shows how to clear it.
    #[test]
    fn the_footer_offers_only_keys_that_act_now() {
        let keys = |a: &App| hints(a).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        let mut h = focused(Focus::History);
        let empty = keys(&h);
        for k in ["e", "r", "y", "b", "c", "Enter", "↑↓"] {
            assert!(!empty.contains(&k), "{k} in {empty:?}");
        }
        assert!(empty.contains(&"/"), "{empty:?}");
        let update = crate::api::update::validate(&crate::api::update::UpdateInput {
            agent: "a",
            target: "c",
            outcome: "Sold",
            ..Default::default()
        })
        .unwrap();
        let request = crate::api::request::build(&update, &BaseUrl::default());
        let who = crate::history::Provenance {
            operator: "t".into(),
            profile: "sandbox".into(),
            base_url: String::new(),
        };
        h.history.rows.push(crate::api::factory::pending(
            1,
            "t",
            &who,
            &update,
            &request,
            crate::history::now_ms(),
        ));
        let one = keys(&h);
        for k in ["e", "r", "y", "b", "c", "Enter"] {
            assert!(one.contains(&k), "{k} in {one:?}");
        }
        assert!(!one.contains(&"Esc"), "no filter to clear: {one:?}");
        // Rows found by a filter: Esc clears it, and the footer says so.
        h.history.filter.words = vec!["sold".into()];
        assert!(
            hints(&h).contains(&("Esc", "clear filter")),
            "{:?}",
            hints(&h)
        );
        assert_eq!(
            map_event(&h, &press(KeyCode::Esc)),
            Some(Action::History(HistoryAction::ClearFilter))
        );
        for focus in [Focus::Agent, Focus::Target, Focus::Outcome, Focus::Value] {
            let mut f = focused(focus);
            f.outcome_menu_closed = true;
            assert!(hints(&f).contains(&("^U", "clear")), "{focus:?}");
            assert_eq!(
                map_event(&focused(focus), &ctrl('u')),
                Some(Action::Form(FormAction::ClearField))
            );
        }
    }

    #[test]
    fn ctrl_z_after_ctrl_n_undoes_it_and_is_the_fields_undo_otherwise() {
        let mut a = focused(Focus::Agent);
        assert!(matches!(
            map_event(&a, &ctrl('z')),
            Some(Action::Edit(Input {
                key: Key::Char('u'),
                ..
            }))
        ));
        a.before_new_form = Some(Box::new(crate::tui::app::ClearedForm {
            form: crate::tui::app::Form::default(),
            focus: Focus::Agent,
            show_required: false,
            queue_row: None,
        }));
        for focus in [Focus::Agent, Focus::Metadata, Focus::History] {
            a.focus = focus;
            assert_eq!(
                map_event(&a, &ctrl('z')),
                Some(Action::Form(FormAction::UndoNewForm))
            );
            assert!(
                hints(&a).contains(&("^Z", "undo new form")),
                "the footer says so"
            );
        }
    }

    #[test]
    fn the_outcome_pick_list_takes_arrows_tab_and_esc_while_open() {
        let mut a = focused(Focus::Outcome);
        assert!(a.outcome_menu_open());
        assert_eq!(
            map_event(&a, &press(KeyCode::Down)),
            Some(Action::Form(FormAction::OutcomeMove(1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Tab)),
            Some(Action::Form(FormAction::OutcomeAccept))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::Form(FormAction::OutcomeAccept))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::Form(FormAction::OutcomeClose))
        );
        // Closed, the keys are the field's own again.
        a.outcome_menu_closed = true;
        assert_eq!(map_event(&a, &press(KeyCode::Tab)), Some(Action::FocusNext));
        assert_eq!(
            map_event(&a, &press(KeyCode::Down)),
            Some(Action::FocusNext)
        );
    }

    #[test]
    fn the_palette_takes_typing_and_runs_with_enter() {
        let mut a = app();
        a.modal = Some(Modal::Palette {
            query: String::new(),
            selected: 0,
        });
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('q'))),
            Some(Action::Palette(PaletteAction::Type('q'))),
            "letters are the search, not shortcuts"
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Enter)),
            Some(Action::Palette(PaletteAction::Run))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Down)),
            Some(Action::Palette(PaletteAction::Move(1)))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Backspace)),
            Some(Action::Palette(PaletteAction::Backspace))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::CloseModal)
        );
        assert_eq!(map_event(&a, &ctrl('q')), Some(Action::Quit));
    }

    #[test]
    fn mouse_and_resize_events_become_actions() {
        let a = app();
        let mouse = |kind| {
            Event::Mouse(MouseEvent {
                kind,
                column: 7,
                row: 3,
                modifiers: KeyModifiers::NONE,
            })
        };
        assert_eq!(
            map_event(&a, &mouse(MouseEventKind::Down(MouseButton::Left))),
            Some(Action::Pointer(PointerAction::Click { column: 7, row: 3 }))
        );
        assert_eq!(
            map_event(&a, &mouse(MouseEventKind::ScrollUp)),
            Some(Action::Pointer(PointerAction::Wheel {
                column: 7,
                row: 3,
                lines: -3
            }))
        );
        assert_eq!(map_event(&a, &mouse(MouseEventKind::Moved)), None);
        assert_eq!(
            map_event(&a, &Event::Resize(100, 30)),
            Some(Action::Resized {
                width: 100,
                height: 30
            })
        );
    }

    #[test]
    fn the_detail_view_copies_too() {
        let mut a = app();
        a.modal = Some(Modal::Detail {
            record_id: 1,
            scroll: 0,
        });
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('b'))),
            Some(Action::History(HistoryAction::CopyResponse))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('c'))),
            Some(Action::History(HistoryAction::CopyCallId))
        );
        assert_eq!(
            map_event(&a, &press(KeyCode::Char('y'))),
            Some(Action::History(HistoryAction::CopyCurl))
        );
    }

    #[test]
    fn esc_closes_an_open_pick_list_even_while_a_send_is_in_flight() {
        let mut a = focused(Focus::Outcome);
        a.in_flight = Some(crate::tui::app::InFlight {
            id: crate::tui::action::RequestId(1),
            summary: String::new(),
            elapsed: std::time::Duration::ZERO,
            record_id: None,
            sent: None,
            expected: None,
        });
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::Form(FormAction::OutcomeClose))
        );
        a.outcome_menu_closed = true;
        assert_eq!(
            map_event(&a, &press(KeyCode::Esc)),
            Some(Action::Send(SendAction::Cancel))
        );
    }

    #[test]
    fn calls_list_keys_and_ctrl_r_from_the_form() {
        let a = focused(Focus::Calls);
        assert_one_binding_per_key(&calls_bindings());
        for (code, action) in [
            (KeyCode::Down, CallsAction::Move(1)),
            (KeyCode::Char('k'), CallsAction::Move(-1)),
            (KeyCode::Char('p'), CallsAction::TogglePin),
            (KeyCode::Enter, CallsAction::TogglePin),
            (KeyCode::Char('u'), CallsAction::Unpin),
        ] {
            assert_eq!(map_event(&a, &press(code)), Some(Action::Calls(action)));
        }
        for focus in [Focus::Agent, Focus::Target, Focus::Preference, Focus::Calls] {
            assert_eq!(
                map_event(&focused(focus), &ctrl('r')),
                Some(Action::Calls(CallsAction::Refresh)),
                "{focus:?}"
            );
        }
        // In Metadata Ctrl+R stays the editor's (unbound there), not a refresh.
        assert_ne!(
            map_event(&focused(Focus::Metadata), &ctrl('r')),
            Some(Action::Calls(CallsAction::Refresh))
        );
        assert!(
            help()
                .iter()
                .any(|(section, keys)| section.starts_with("Calls")
                    && keys.iter().any(|(k, _)| *k == "p / Enter"))
        );
    }

    /// Two bindings for one key in one pane: the second would never act, and the footer or
    /// the help would name a key for what it does not do.
    fn assert_one_binding_per_key(table: &[Binding]) {
        let mut seen = Vec::new();
        for b in table {
            for key in b.keys {
                assert!(!seen.contains(key), "{key:?} is bound twice");
                seen.push(*key);
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_the_history_pane() {
        assert_one_binding_per_key(&history_bindings());
        assert_one_binding_per_key(&queue_bindings());
        // The check itself fails on a second binding for a key.
        let twice = std::panic::catch_unwind(|| {
            let mut table = history_bindings();
            table.push(Binding {
                keys: &[KeyCode::Char('e')],
                action: Action::Quit,
                hint: None,
                relabel: None,
                help: None,
                live: |_| true,
            });
            assert_one_binding_per_key(&table);
        });
        assert!(twice.is_err());
        // The keymap, the footer and F1 are read from the table.
        let h = focused(Focus::History);
        for b in history_bindings() {
            for key in b.keys {
                assert_eq!(
                    map_event(&h, &press(*key)),
                    Some(b.action.clone()),
                    "{key:?}"
                );
            }
        }
        let history_help = help()
            .into_iter()
            .find(|(context, _)| *context == "History")
            .map(|(_, keys)| keys);
        assert_eq!(
            history_help,
            Some(history_bindings().iter().filter_map(|b| b.help).collect())
        );
    }

    /// Every hint the history's footer shows does something when pressed: it changes what is
    /// on screen or asks the runtime for something.
    #[test]
    fn every_history_hint_acts_when_shown() {
        let update = crate::api::update::validate(&crate::api::update::UpdateInput {
            agent: "a",
            target: "c",
            outcome: "Sold",
            ..Default::default()
        })
        .unwrap();
        let request = crate::api::request::build(&update, &BaseUrl::default());
        let who = crate::history::Provenance {
            operator: "t".into(),
            profile: "sandbox".into(),
            base_url: String::new(),
        };
        let row = |id| {
            crate::api::factory::pending(id, "t", &who, &update, &request, crate::history::now_ms())
        };
        let empty = focused(Focus::History);
        let mut rows = focused(Focus::History);
        rows.history.rows = vec![row(2), row(1)];
        rows.history.selected = 1;
        let mut filtered = rows.clone();
        filtered.history.filter.words = vec!["sold".into()];
        let mut hidden = empty.clone();
        hidden.history.filter.words = vec!["nothing".into()];
        let seen = |a: &App| {
            (
                a.focus,
                a.modal.is_some(),
                a.status.as_ref().map(|s| s.text.clone()),
                a.history.selected,
                a.form.snapshot(),
            )
        };
        for app in [
            Box::new(empty),
            Box::new(rows),
            Box::new(filtered),
            Box::new(hidden),
        ] {
            let shown = hints(&app);
            for b in history_bindings() {
                let Some(hint) = b.hint.filter(|_| (b.live)(&app)) else {
                    assert!(
                        b.hint.is_none_or(|h| !shown.contains(&h)),
                        "{:?} is shown but has nothing to act on",
                        b.hint
                    );
                    continue;
                };
                assert!(shown.contains(&hint), "{hint:?} not in {shown:?}");
                let mut after = app.clone();
                let effects = crate::tui::update::update(&mut after, b.action.clone());
                assert!(
                    !effects.is_empty() || seen(&after) != seen(&app),
                    "{hint:?} does nothing here"
                );
            }
        }
    }

    /// A queue of two ready rows, the second selected, with the queue focused.
    fn queue_of_two() -> App {
        let mut a = app();
        let csv = "agent_id,target,outcome\na,c1,Sold\na,c2,Sold\n";
        let (entries, errors) =
            crate::batch::entries("q.csv", csv.as_bytes(), &crate::batch::ColumnMap::default());
        crate::tui::update::update(
            &mut a,
            Action::Queue(QueueAction::Loaded {
                file: "q.csv".into(),
                entries,
                errors: errors.iter().map(ToString::to_string).collect(),
            }),
        );
        a.queue.as_mut().unwrap().selected = 1;
        a.focus = Focus::Queue;
        a
    }

    /// The queue's keymap, footer and F1 section come from its table, and every hint it shows
    /// does something when pressed (idle, sending, paused, asked once to close).
    #[test]
    fn the_queue_pane_is_read_from_its_table_and_its_hints_act() {
        let q = queue_of_two();
        for b in queue_bindings() {
            for key in b.keys {
                assert_eq!(
                    map_event(&q, &press(*key)),
                    Some(b.action.clone()),
                    "{key:?}"
                );
            }
        }
        let queue_help = help()
            .into_iter()
            .find(|(context, _)| context.starts_with("Queue"))
            .map(|(_, keys)| keys);
        assert_eq!(
            queue_help,
            Some(queue_bindings().iter().filter_map(|b| b.help).collect())
        );
        let seen = |a: &App| {
            (
                a.focus,
                a.modal.is_some(),
                a.status.as_ref().map(|s| s.text.clone()),
                a.form.snapshot(),
                a.queue.as_ref().map(|q| {
                    let excluded: Vec<bool> = q.items.iter().map(|i| i.excluded).collect();
                    (q.selected, q.run, q.closing, excluded)
                }),
            )
        };
        let idle = Box::new(queue_of_two());
        let mut sending = idle.clone();
        sending.queue.as_mut().unwrap().run = QueueRun::Sending;
        let mut paused = idle.clone();
        paused.queue.as_mut().unwrap().run = QueueRun::Paused;
        let mut asked = sending.clone();
        asked.queue.as_mut().unwrap().closing = Some(2);
        for app in [idle, sending, paused, asked] {
            let shown = hints(&app);
            for b in queue_bindings() {
                let Some((key, _)) = b.hint.filter(|_| (b.live)(&app)) else {
                    assert!(
                        b.hint
                            .is_none_or(|(k, _)| shown.iter().all(|(s, _)| *s != k)),
                        "{:?} is shown but does nothing now",
                        b.hint
                    );
                    continue;
                };
                assert!(
                    shown.iter().any(|(s, _)| *s == key),
                    "{key} not in {shown:?}"
                );
                let mut after = app.clone();
                let effects = crate::tui::update::update(&mut after, b.action.clone());
                assert!(
                    !effects.is_empty() || seen(&after) != seen(&app),
                    "{key} does nothing here"
                );
            }
        }
    }

    /// The queue's footer says what p and q do now: p only while the queue sends ("go on" when
    /// paused), and "close anyway" once q has asked.
    #[test]
    fn the_queue_footer_follows_pause_and_close() {
        let mut q = focused(Focus::Queue);
        q.queue = Some(crate::tui::app::Queue::default());
        let key = |a: &App, k: &str| hints(a).into_iter().find(|(key, _)| *key == k);
        assert_eq!(key(&q, "p"), None, "not sending: p does nothing");
        assert_eq!(key(&q, "q"), Some(("q", "close")));
        let queue = q.queue.as_mut().unwrap();
        queue.run = QueueRun::Sending;
        assert_eq!(key(&q, "p"), Some(("p", "pause")));
        q.queue.as_mut().unwrap().run = QueueRun::Paused;
        assert_eq!(key(&q, "p"), Some(("p", "go on")));
        q.queue.as_mut().unwrap().closing = Some(1);
        assert_eq!(key(&q, "q"), Some(("q", "close anyway")));
    }

    #[test]
    fn queue_file_prompt_and_template_keys() {
        let a = app();
        assert_eq!(
            map_event(&a, &ctrl('b')),
            Some(Action::Queue(QueueAction::OpenPrompt))
        );
        let mut q = focused(Focus::Queue);
        for (code, action) in [
            (KeyCode::Down, Action::Queue(QueueAction::Move(1))),
            (KeyCode::Char('k'), Action::Queue(QueueAction::Move(-1))),
            (KeyCode::Enter, Action::Queue(QueueAction::LoadRow)),
            (
                KeyCode::Char('x'),
                Action::Queue(QueueAction::ToggleExclude),
            ),
            (
                KeyCode::Char(' '),
                Action::Queue(QueueAction::ToggleExclude),
            ),
            (KeyCode::Char('p'), Action::Queue(QueueAction::Pause)),
            (KeyCode::Char('q'), Action::Queue(QueueAction::Close)),
            (KeyCode::Esc, Action::Queue(QueueAction::Close)),
            (KeyCode::Char(':'), Action::Palette(PaletteAction::Open)),
        ] {
            assert_eq!(map_event(&q, &press(code)), Some(action), "{code:?}");
        }
        assert_eq!(
            map_event(&q, &ctrl('s')),
            Some(Action::Send(SendAction::Request))
        );
        q.modal = Some(Modal::OpenFile(crate::tui::app::PathPrompt::default()));
        assert_eq!(
            map_event(&q, &press(KeyCode::Char('q'))),
            Some(Action::Queue(QueueAction::PathType('q'))),
            "the path takes every letter"
        );
        assert_eq!(
            map_event(&q, &press(KeyCode::Enter)),
            Some(Action::Queue(QueueAction::OpenFile))
        );
        assert_eq!(
            map_event(&q, &press(KeyCode::Backspace)),
            Some(Action::Queue(QueueAction::PathBackspace))
        );
        assert_eq!(
            map_event(&q, &press(KeyCode::Tab)),
            Some(Action::Queue(QueueAction::CompletePath))
        );
        assert_eq!(
            map_event(&q, &ctrl('u')),
            Some(Action::Queue(QueueAction::PathClear))
        );
        q.modal = Some(Modal::ConfirmQueue {
            rows: 3,
            duplicates: Vec::new(),
            acknowledged: false,
        });
        assert_eq!(
            map_event(&q, &press(KeyCode::Char('y'))),
            Some(Action::Send(SendAction::Confirm))
        );
        assert_eq!(
            map_event(&q, &press(KeyCode::Char('n'))),
            Some(Action::CloseModal)
        );
        q.profile.kind = crate::config::Kind::Production;
        assert_eq!(
            map_event(&q, &press(KeyCode::Char('y'))),
            Some(Action::Send(SendAction::ConfirmType('y'))),
            "production: letters are the typed name"
        );
        // Rows sent before, asked about first: `s` sends only the others, production or not;
        // once that is past, `s` is a letter of the name again.
        for production in [true, false] {
            q.profile.kind = if production {
                crate::config::Kind::Production
            } else {
                crate::config::Kind::Live
            };
            q.modal = Some(Modal::ConfirmQueue {
                rows: 3,
                duplicates: vec![0],
                acknowledged: false,
            });
            assert_eq!(
                map_event(&q, &press(KeyCode::Char('s'))),
                Some(Action::Queue(QueueAction::SkipSent))
            );
        }
        q.profile.kind = crate::config::Kind::Production;
        q.modal = Some(Modal::ConfirmQueue {
            rows: 3,
            duplicates: vec![0],
            acknowledged: true,
        });
        assert_eq!(
            map_event(&q, &press(KeyCode::Char('s'))),
            Some(Action::Send(SendAction::ConfirmType('s')))
        );
        q.modal = Some(Modal::Templates { selected: 0 });
        assert_eq!(
            map_event(&q, &press(KeyCode::Down)),
            Some(Action::Form(FormAction::TemplateMove(1)))
        );
        assert_eq!(
            map_event(&q, &press(KeyCode::Enter)),
            Some(Action::Form(FormAction::ChooseTemplate))
        );
    }
}
