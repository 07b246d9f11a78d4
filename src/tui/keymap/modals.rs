//! The dialogs' tables: the send confirmations (one update, the queue, and a production
//! profile's typed name), the command palette, the batch file's path, the templates, the detail
//! view, the help and the profile picker. A dialog takes every key (only quit passes it); the
//! text-taking ones have a fallback for the characters typed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::bindings::{Binding, Mods};
use crate::tui::action::{
    Action, FormAction, HistoryAction, PaletteAction, ProfileAction, QueueAction, SendAction,
};
use crate::tui::app::{App, Modal};

/// The confirmation asks once more before its answer sends: one update that warns (a
/// duplicate) and was not yet acknowledged, or a queue with rows already sent.
fn asking_twice(app: &App) -> bool {
    match &app.modal {
        Some(Modal::Confirm(c)) => c.warns() && !c.acknowledged,
        Some(Modal::ConfirmQueue {
            duplicates,
            acknowledged,
            ..
        }) => !duplicates.is_empty() && !acknowledged,
        _ => false,
    }
}

fn for_queue(app: &App) -> bool {
    matches!(app.modal, Some(Modal::ConfirmQueue { .. }))
}

/// Rows already sent as they are, asked about before the name is typed: `s` sends only the
/// others (production or not).
fn skip_sent() -> Binding {
    Binding::new(
        &[KeyCode::Char('s'), KeyCode::Char('S')],
        Action::Queue(QueueAction::SkipSent),
    )
    .when(|a| for_queue(a) && asking_twice(a))
    .hint("s", "send only the others")
}

/// One update's confirmation (not production). F1's "Confirmation" section, with the line of
/// [`typed_confirm_bindings`].
pub fn confirm_bindings() -> Vec<Binding> {
    vec![
        Binding::new(
            &[KeyCode::Enter, KeyCode::Char('y'), KeyCode::Char('Y')],
            Action::Send(SendAction::Confirm),
        )
        .hint("Enter/y", "send")
        .relabel(|a| match &a.modal {
            Some(Modal::Confirm(c)) if c.warns() && !c.acknowledged => "yes, go on",
            Some(Modal::Confirm(c)) if c.warns() => "send it again",
            _ => "send",
        })
        .help("Enter / y", "send it"),
        Binding::new(
            &[KeyCode::Esc, KeyCode::Char('n'), KeyCode::Char('N')],
            Action::CloseModal,
        )
        .hint("Esc/n", "back to the form")
        .help("Esc / n", "go back without sending"),
    ]
}

/// The queue's confirmation (not production).
pub fn confirm_queue_bindings() -> Vec<Binding> {
    vec![
        skip_sent(),
        Binding::new(
            &[KeyCode::Enter, KeyCode::Char('y'), KeyCode::Char('Y')],
            Action::Send(SendAction::Confirm),
        )
        .hint("Enter/y", "send the queue")
        .relabel(|a| {
            if asking_twice(a) {
                "send them all"
            } else {
                "send the queue"
            }
        }),
        Binding::new(
            &[KeyCode::Esc, KeyCode::Char('n'), KeyCode::Char('N')],
            Action::CloseModal,
        )
        .hint("Esc/n", "back"),
    ]
}

/// A production profile's confirmation, of one update or of the queue: the person types the
/// profile's name, so letters are text here ([`typed_name`]); `y` is no answer.
pub fn typed_confirm_bindings() -> Vec<Binding> {
    vec![
        skip_sent(),
        // Asked once more first (a duplicate, rows sent before): Enter is the answer.
        Binding::new(&[KeyCode::Enter], Action::Send(SendAction::Confirm))
            .hint("Enter", "yes, go on")
            .relabel(|a| {
                if for_queue(a) {
                    "send them all"
                } else {
                    "yes, go on"
                }
            })
            .live(asking_twice),
        // Then the name, and Enter.
        Binding::told(Action::Send(SendAction::Confirm))
            .hint("type the name, Enter", "send")
            .relabel(|a| {
                if for_queue(a) {
                    "send the queue"
                } else {
                    "send"
                }
            })
            .live(|a| !asking_twice(a))
            .help("(production)", "type the profile's name, then Enter"),
        Binding::new(&[KeyCode::Esc], Action::CloseModal)
            .hint("Esc", "back to the form")
            .relabel(|a| {
                if for_queue(a) {
                    "back"
                } else {
                    "back to the form"
                }
            }),
        Binding::new(
            &[KeyCode::Backspace],
            Action::Send(SendAction::ConfirmBackspace),
        ),
    ]
}

/// The production confirmation's fallback: a character is a letter of the name.
pub(super) fn typed_name(_: &App, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char(c) => Some(Action::Send(SendAction::ConfirmType(c))),
        _ => None,
    }
}

/// The command palette: letters are the search, not shortcuts ([`palette_search`]).
pub fn palette_bindings() -> Vec<Binding> {
    use PaletteAction as P;
    vec![
        Binding::told(Action::Palette(P::Type('a'))).hint("type", "find"),
        Binding::new(&[KeyCode::Down, KeyCode::Tab], Action::Palette(P::Move(1)))
            .hint("↑↓", "choose"),
        Binding::new(&[KeyCode::Up], Action::Palette(P::Move(-1))),
        Binding::new(&[KeyCode::Enter], Action::Palette(P::Run)).hint("Enter", "run"),
        Binding::new(&[KeyCode::Esc], Action::CloseModal).hint("Esc", "close"),
        Binding::new(&[KeyCode::Backspace], Action::Palette(P::Backspace)),
        Binding::new(&[KeyCode::Char('p')], Action::CloseModal).mods(Mods::CTRL),
    ]
}

/// The palette's fallback: a character is part of the search.
pub(super) fn palette_search(_: &App, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char(c) => Some(Action::Palette(PaletteAction::Type(c))),
        _ => None,
    }
}

/// Ctrl+B's path prompt: the path takes every letter ([`path_typed`]).
pub fn open_file_bindings() -> Vec<Binding> {
    use QueueAction as Q;
    vec![
        Binding::told(Action::Queue(Q::PathType('a'))).hint("type the path", ""),
        Binding::new(&[KeyCode::Tab], Action::Queue(Q::CompletePath)).hint("Tab", "complete"),
        Binding::new(&[KeyCode::Char('u')], Action::Queue(Q::PathClear))
            .mods(Mods::CTRL)
            .hint("^U", "clear"),
        Binding::new(&[KeyCode::Enter], Action::Queue(Q::OpenFile)).hint("Enter", "open"),
        Binding::new(&[KeyCode::Esc], Action::CloseModal).hint("Esc", "cancel"),
        Binding::new(&[KeyCode::Backspace], Action::Queue(Q::PathBackspace)),
    ]
}

/// The path prompt's fallback: a character without Ctrl is part of the path.
pub(super) fn path_typed(_: &App, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Action::Queue(QueueAction::PathType(c)))
        }
        _ => None,
    }
}

/// The metadata templates, to pick one.
pub fn templates_bindings() -> Vec<Binding> {
    vec![
        Binding::new(
            &[KeyCode::Down, KeyCode::Char('j')],
            Action::Form(FormAction::TemplateMove(1)),
        )
        .hint("↑↓", "choose"),
        Binding::new(
            &[KeyCode::Up, KeyCode::Char('k')],
            Action::Form(FormAction::TemplateMove(-1)),
        ),
        Binding::new(&[KeyCode::Enter], Action::Form(FormAction::ChooseTemplate))
            .hint("Enter", "insert"),
        Binding::new(&[KeyCode::Esc, KeyCode::Char('q')], Action::CloseModal).hint("Esc", "close"),
    ]
}

/// A long text to read (the detail view, the help): scroll it, or close it.
fn reading_rows(scroll: &'static str, close: &'static str) -> Vec<Binding> {
    vec![
        Binding::new(&[KeyCode::Down, KeyCode::Char('j')], Action::ModalScroll(1))
            .hint(scroll, "scroll"),
        Binding::new(&[KeyCode::Up, KeyCode::Char('k')], Action::ModalScroll(-1)),
        Binding::new(&[KeyCode::PageUp], Action::ModalScroll(-10)),
        Binding::new(
            &[KeyCode::PageDown, KeyCode::Char(' ')],
            Action::ModalScroll(10),
        ),
        Binding::new(
            &[
                KeyCode::Esc,
                KeyCode::Enter,
                KeyCode::F(1),
                KeyCode::Char('?'),
                KeyCode::Char('q'),
            ],
            Action::CloseModal,
        )
        .hint("Esc", close),
    ]
}

/// The help screen (F1).
pub fn help_bindings() -> Vec<Binding> {
    reading_rows("↑↓ PgUp PgDn", "close help")
}

/// A history row in full: it copies too, like the row.
pub fn detail_bindings() -> Vec<Binding> {
    use HistoryAction as H;
    let mut rows = reading_rows("↑↓", "close");
    let close = rows.pop();
    rows.extend([
        Binding::new(&[KeyCode::Char('y')], Action::History(H::CopyCurl)).hint("y", "copy curl"),
        Binding::new(&[KeyCode::Char('b')], Action::History(H::CopyResponse))
            .hint("b", "copy response"),
        Binding::new(&[KeyCode::Char('c')], Action::History(H::CopyCallId))
            .hint("c", "copy call id"),
    ]);
    rows.extend(close);
    rows
}

/// The profile picker (F2). F1's "Profile picker (F2)" section.
pub fn profiles_bindings() -> Vec<Binding> {
    use ProfileAction as P;
    vec![
        Binding::new(
            &[KeyCode::Down, KeyCode::Char('j')],
            Action::Profiles(P::Move(1)),
        )
        .hint("↑↓", "choose")
        .help("↑ ↓ / k j", "choose"),
        Binding::new(
            &[KeyCode::Up, KeyCode::Char('k')],
            Action::Profiles(P::Move(-1)),
        ),
        Binding::new(&[KeyCode::Enter], Action::Profiles(P::Choose))
            .hint("Enter", "switch")
            .help("Enter", "switch"),
        Binding::new(
            &[KeyCode::Esc, KeyCode::F(2), KeyCode::Char('q')],
            Action::CloseModal,
        )
        .hint("Esc", "keep")
        .help("Esc", "keep the current one"),
    ]
}
