//! The keys that act wherever the focus is: the global table (read before the focused
//! context's, and not at all while a dialog is open), quit (read even over a dialog), and the
//! commands that only the palette runs.

use crossterm::event::KeyCode;

use super::bindings::{Binding, Mods};
use super::{PREVIEW_STEP, sends_in_flight};
use crate::tui::action::{
    Action, CallsAction, FormAction, HistoryAction, PaletteAction, PointerAction, ProfileAction,
    QueueAction, SendAction,
};
use crate::tui::app::Focus;

/// Ctrl+Q / Ctrl+C: quit, from anywhere, a dialog too.
pub fn quit_bindings() -> Vec<Binding> {
    vec![
        Binding::new(&[KeyCode::Char('q'), KeyCode::Char('c')], Action::Quit)
            .mods(Mods::CTRL)
            .hint("^Q", "quit")
            // After a first Ctrl+Q with sends in flight, the next one quits without waiting
            // (once they are over, Ctrl+Q is a plain quit again).
            .relabel(|a| {
                if a.quit_armed && sends_in_flight(a) {
                    "quit anyway"
                } else {
                    "quit"
                }
            })
            .footer(6)
            .help("Ctrl+Q / Ctrl+C", "quit")
            .command("Quit"),
    ]
}

/// The global keys, in the order of F1's "Anywhere" section. Their footer hints go around the
/// focused context's by `footer`: a send to cancel and an undo first, the rest after.
pub fn global_bindings() -> Vec<Binding> {
    vec![
        Binding::new(&[KeyCode::Char('s')], Action::Send(SendAction::Request))
            .mods(Mods::CTRL)
            .hint("^S", "send")
            // The queue's own line says "send queue".
            .live(|a| a.focus != Focus::Queue)
            .footer(1)
            .help("Ctrl+S", "check the form and ask to send it")
            .command("Send the update"),
        // The Outcome pick-list takes Tab while it is open.
        Binding::new(&[KeyCode::Tab], Action::FocusNext)
            .when(|a| !a.outcome_menu_open())
            .help("Tab / Shift+Tab", "next / previous field or pane"),
        Binding::new(&[KeyCode::BackTab], Action::FocusPrev),
        Binding::new(&[KeyCode::F(1)], Action::OpenHelp)
            .hint("F1", "help")
            .footer(5)
            .help("F1", "this help (also ? outside text fields)")
            .command("Help: every key"),
        Binding::new(
            &[KeyCode::Char('f')],
            Action::History(HistoryAction::FilterToCall),
        )
        .mods(Mods::CTRL)
        .help(
            "Ctrl+F",
            "every update for the call in the form (or the history row)",
        )
        .command("Show every update for the call in the form"),
        Binding::new(&[KeyCode::F(2)], Action::Profiles(ProfileAction::Open))
            .hint("F2", "profile")
            .footer(4)
            .help("F2", "choose the profile (account); the form is kept")
            .command("Switch profile (account)"),
        Binding::new(
            &[KeyCode::Char('b')],
            Action::Queue(QueueAction::OpenPrompt),
        )
        .mods(Mods::CTRL)
        .help(
            "Ctrl+B",
            "open a batch file (CSV or JSON Lines) into the queue",
        )
        .command("Open a batch file into the queue"),
        Binding::new(&[KeyCode::Char('n')], Action::Form(FormAction::NewForm))
            .mods(Mods::CTRL)
            .hint("^N", "new")
            .footer(2)
            .help("Ctrl+N", "new form (Ctrl+Z right after: undo)")
            .command("New form (clear every field)"),
        // Right after Ctrl+N (nothing typed since), Ctrl+Z brings the cleared form back;
        // otherwise it is the field's undo.
        Binding::new(&[KeyCode::Char('z')], Action::Form(FormAction::UndoNewForm))
            .mods(Mods::CTRL)
            .when(|a| a.before_new_form.is_some())
            .hint("^Z", "undo new form")
            .footer(-1),
        Binding::new(&[KeyCode::Char('p')], Action::Palette(PaletteAction::Open))
            .mods(Mods::CTRL)
            .hint("^P", "commands")
            .footer(3)
            .help("Ctrl+P / :", "command palette: every action by name"),
        Binding::new(
            &[KeyCode::F(12)],
            Action::Pointer(PointerAction::ToggleMouse),
        )
        .help("F12", "mouse on/off (off: the terminal selects text)")
        .command("Mouse on/off (off lets the terminal select text)"),
        // Not a key: the mouse (`map_mouse`).
        Binding::told(Action::Pointer(PointerAction::Click { column: 0, row: 0 }))
            .help("Mouse", "click a field or pane; the wheel scrolls"),
        // Wherever the focus is, except the open Outcome pick-list (Esc closes that first).
        Binding::new(&[KeyCode::Esc], Action::Send(SendAction::Cancel))
            .when(|a| a.in_flight.is_some() && !a.outcome_menu_open())
            .hint("Esc", "cancel send")
            .footer(-2)
            .help("Esc", "cancel the send in flight"),
        // Told under "Metadata".
        Binding::new(
            &[KeyCode::Char('o')],
            Action::Form(FormAction::FormatMetadata),
        )
        .mods(Mods::CTRL)
        .command("Format metadata JSON (and key=value lines)"),
        Binding::new(
            &[KeyCode::Char('t')],
            Action::Form(FormAction::InsertTemplate),
        )
        .mods(Mods::CTRL)
        .command("Insert a metadata template"),
        // The calls from the form's number, again (past what was kept); told under "Calls".
        Binding::new(&[KeyCode::Char('r')], Action::Calls(CallsAction::Refresh))
            .mods(Mods::CTRL)
            .when(|a| {
                matches!(
                    a.focus,
                    Focus::Agent | Focus::Target | Focus::Preference | Focus::Calls
                )
            })
            .command("Refresh the calls list"),
        // The request preview, from any pane (no editor or list uses Alt+↑/↓); told under
        // "Form".
        Binding::new(
            &[KeyCode::Up],
            Action::Form(FormAction::PreviewScroll(-PREVIEW_STEP)),
        )
        .mods(Mods::ALT_NOT_CTRL)
        .command("Scroll the request preview up"),
        Binding::new(
            &[KeyCode::Down],
            Action::Form(FormAction::PreviewScroll(PREVIEW_STEP)),
        )
        .mods(Mods::ALT_NOT_CTRL)
        .command("Scroll the request preview down"),
    ]
}

/// Commands with no key of their own: the palette runs them (Tab and a click get there too).
pub fn palette_only_bindings() -> Vec<Binding> {
    let go = |focus, name, what| {
        Binding::told(Action::Focus(focus))
            .help("go to", what)
            .command(name)
    };
    vec![
        go(Focus::Agent, "Go to the agent field", "the agent field"),
        go(
            Focus::Target,
            "Go to the call/phone field",
            "the call/phone field",
        ),
        go(
            Focus::Outcome,
            "Go to the outcome field",
            "the outcome field",
        ),
        go(Focus::Value, "Go to the value field", "the value field"),
        go(
            Focus::Metadata,
            "Go to the metadata editor",
            "the metadata editor",
        ),
        go(Focus::History, "Go to the history", "the history"),
        go(
            Focus::Queue,
            "Go to the queue",
            "the queue (once a batch file is open)",
        ),
        go(
            Focus::Calls,
            "Go to the calls from the number",
            "the calls from the number (once they are looked up)",
        ),
    ]
}
