//! The form's contexts: the one-line fields, the Preference switch, the metadata editor, the
//! open Outcome pick-list, and the history's filter line. Each is a table; the text fields'
//! fallback, `editing_key`, gives every other key to the editor.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{Input, Key};

use super::bindings::{Binding, Mods};
use super::{PREVIEW_PAGE, PREVIEW_STEP};
use crate::api::update::Field;
use crate::tui::action::{Action, BrowseAction, FormAction, HistoryAction};
use crate::tui::app::{App, Focus};

/// A text field's fallback: any key no row takes is the editor's (typing, Backspace, Ctrl+A…).
#[allow(clippy::unnecessary_wraps)] // a `Fallback`: other contexts' take only some keys
pub(super) fn edit(_: &App, key: KeyEvent) -> Option<Action> {
    Some(Action::Edit(editing_key(key)))
}

/// The editor's own keys, with the three people expect from elsewhere put where they look:
/// Ctrl+Z undo and Ctrl+Y redo (the editor's Ctrl+U and Ctrl+R), and Ctrl+U clears to the start
/// of the line as in a shell (the editor's Ctrl+J).
pub(super) fn editing_key(key: KeyEvent) -> Input {
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

/// What the editor does with `key` held with Ctrl (for the rows that tell the editor's keys).
fn editor_ctrl(c: char) -> Action {
    Action::Edit(editing_key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

/// PgUp / PgDn page the request preview (a one-line field has no pages).
fn page_rows() -> [Binding; 2] {
    [
        Binding::new(
            &[KeyCode::PageUp],
            Action::Form(FormAction::PreviewScroll(-PREVIEW_PAGE)),
        ),
        Binding::new(
            &[KeyCode::PageDown],
            Action::Form(FormAction::PreviewScroll(PREVIEW_PAGE)),
        ),
    ]
}

/// Agent, Call/phone, Outcome (its pick-list closed) and Value: one line of text each. F1's
/// "Form" section.
pub fn field_bindings() -> Vec<Binding> {
    let mut rows = vec![
        Binding::new(&[KeyCode::Enter, KeyCode::Down], Action::FocusNext)
            .mods(Mods::PLAIN)
            .help("Enter / ↓", "next field (in Metadata: new line)"),
        Binding::new(&[KeyCode::Up], Action::FocusPrev)
            .mods(Mods::PLAIN)
            .help("↑", "previous field"),
        // Bound in the Preference switch.
        Binding::told(Action::Form(FormAction::TogglePreference)).help(
            "← → / Space",
            "Preference: last or first call from the number",
        ),
        Binding::told(editor_ctrl('z')).help("Ctrl+Z / Ctrl+Y", "undo / redo in a field"),
        Binding::told(editor_ctrl('a')).help("Ctrl+A / Ctrl+E", "start / end of line"),
        // Tab and Shift+Tab are global.
        Binding::told(Action::FocusNext).hint("Tab", "next"),
        Binding::told(Action::FocusPrev).hint("S-Tab", "back"),
        // A one-line field is one line: Ctrl+U empties it, wherever the cursor is.
        Binding::new(&[KeyCode::Char('u')], Action::Form(FormAction::ClearField))
            .mods(Mods::CTRL_NOT_ALT)
            .hint("^U", "clear")
            // An empty field has nothing to clear.
            .live(|a| a.focus.field().is_some_and(|f| !a.form.text(f).is_empty()))
            .help(
                "Ctrl+U / Ctrl+K",
                "clear the field / delete to the end of the line",
            ),
        Binding::told(editor_ctrl('w')).help("Ctrl+W", "delete the word before the cursor"),
        // From the agent or the call: browse the agent's recent calls (issue 14).
        Binding::new(&[KeyCode::Char('l')], Action::Browse(BrowseAction::Open))
            .mods(Mods::CTRL)
            .when(|a| matches!(a.focus, Focus::Agent | Focus::Target))
            // In the footer once there is an agent to browse.
            .hint("^L", "browse calls")
            .live(|a| {
                matches!(a.focus, Focus::Agent | Focus::Target)
                    && !a.form.text(Field::Agent).trim().is_empty()
            })
            .help("Ctrl+L", "Agent/Target: browse the agent's recent calls")
            .command("Browse the agent's recent calls (pick one for Target)"),
        // Alt+↑/↓ are global.
        Binding::told(Action::Form(FormAction::PreviewScroll(PREVIEW_STEP)))
            .hint("A-↑↓", "request")
            .help(
                "Alt+↑ / Alt+↓",
                "scroll the request preview; PgUp / PgDn in a field",
            ),
    ];
    rows.extend(page_rows());
    rows
}

/// The Preference switch (a phone number's last or first call). No fallback: it takes no text.
pub fn preference_bindings() -> Vec<Binding> {
    let mut rows = vec![
        Binding::new(
            &[
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Char(' '),
                KeyCode::Char('h'),
                KeyCode::Char('l'),
            ],
            Action::Form(FormAction::TogglePreference),
        )
        .hint("←→", "last/first"),
        Binding::told(Action::FocusNext).hint("Tab", "next"),
        Binding::new(&[KeyCode::Enter, KeyCode::Down], Action::FocusNext),
        Binding::new(&[KeyCode::Up], Action::FocusPrev),
        Binding::new(&[KeyCode::Char('?')], Action::OpenHelp),
    ];
    rows.extend(page_rows());
    rows
}

/// The metadata editor: every key is the editor's (Enter a new line); the rows tell them, and
/// the global Ctrl+O and Ctrl+T that act on it. F1's "Metadata" section.
pub fn metadata_bindings() -> Vec<Binding> {
    vec![
        Binding::told(Action::Edit(editing_key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        ))))
        .hint("Enter", "new line")
        .help("Enter", "new line"),
        Binding::told(Action::Form(FormAction::FormatMetadata))
            .hint("^O", "format JSON / key=value")
            .help("Ctrl+O", "format the JSON; turns key=value lines into JSON"),
        Binding::told(editor_ctrl('u')).help("Ctrl+U", "delete to the start of the line"),
        Binding::told(Action::Form(FormAction::InsertTemplate))
            .hint("^T", "template")
            .help("Ctrl+T", "insert a template from the config"),
        // Not a key: a paste (`map_event`).
        Binding::told(Action::Paste(String::new()))
            .help("paste", "large JSON pastes as one edit (Ctrl+Z undoes it)"),
        Binding::told(Action::FocusNext)
            .hint("Tab", "history")
            .relabel(|a| {
                if a.focus_order().contains(&Focus::Calls) {
                    "calls"
                } else {
                    "history"
                }
            }),
    ]
}

/// The Outcome field while its pick-list is open; typing goes to the field. F1's "Outcome"
/// section.
pub fn outcome_menu_bindings() -> Vec<Binding> {
    vec![
        Binding::told(Action::Edit(editing_key(KeyEvent::new(
            KeyCode::Char('a'),
            KeyModifiers::NONE,
        ))))
        .help(
            "typing",
            "the pick-list shows presets and labels used before",
        ),
        Binding::new(&[KeyCode::Down], Action::Form(FormAction::OutcomeMove(1)))
            .mods(Mods::PLAIN)
            .hint("↓↑", "choose")
            .help("↓ ↑", "choose in the pick-list"),
        // ↑ moves in the list once something is highlighted; before that it leaves the field.
        Binding::new(&[KeyCode::Up], Action::Form(FormAction::OutcomeMove(-1)))
            .mods(Mods::PLAIN)
            .when(|a| a.outcome_pick.is_some()),
        Binding::new(&[KeyCode::Up], Action::FocusPrev).mods(Mods::PLAIN),
        Binding::new(
            &[KeyCode::Enter, KeyCode::Tab],
            Action::Form(FormAction::OutcomeAccept),
        )
        .hint("Tab/Enter", "take")
        .help("Tab / Enter", "take the highlighted label and move on"),
        Binding::new(&[KeyCode::Esc], Action::Form(FormAction::OutcomeClose))
            .hint("Esc", "keep as typed")
            .help("Esc", "close the list and keep what is typed"),
        Binding::new(&[KeyCode::Char('u')], Action::Form(FormAction::ClearField))
            .mods(Mods::CTRL_NOT_ALT),
    ]
}

/// The history's filter line: typing is the filter.
pub fn filter_bindings() -> Vec<Binding> {
    vec![
        Binding::new(
            &[KeyCode::Enter, KeyCode::Down],
            Action::History(HistoryAction::KeepFilter),
        )
        .hint("Enter", "to the rows"),
        Binding::new(&[KeyCode::Esc], Action::History(HistoryAction::ClearFilter))
            .hint("Esc", "clear"),
    ]
}
