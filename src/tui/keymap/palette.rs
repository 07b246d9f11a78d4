//! The command palette's list: every action by name, and the search over it.

use super::PREVIEW_PAGE;
use crate::tui::action::{
    Action, BrowseAction, CallsAction, FormAction, HistoryAction, PointerAction, ProfileAction,
    QueueAction, SendAction,
};
use crate::tui::app::Focus;

/// One entry of the command palette: what it is called, its key, what it does.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub name: &'static str,
    pub key: &'static str,
    pub action: Action,
}

/// Every action by name, for the command palette (Ctrl+P or `:`).
/// The palette's commands whose name has every typed word, in list order.
pub fn palette_matches(query: &str) -> Vec<Command> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    commands()
        .into_iter()
        .filter(|c| {
            let name = c.name.to_lowercase();
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .collect()
}

pub fn commands() -> Vec<Command> {
    let c = |name, key, action| Command { name, key, action };
    vec![
        c(
            "Send the update",
            "Ctrl+S",
            Action::Send(SendAction::Request),
        ),
        c(
            "New form (clear every field)",
            "Ctrl+N",
            Action::Form(FormAction::NewForm),
        ),
        c(
            "Format metadata JSON (and key=value lines)",
            "Ctrl+O",
            Action::Form(FormAction::FormatMetadata),
        ),
        c(
            "Insert a metadata template",
            "Ctrl+T",
            Action::Form(FormAction::InsertTemplate),
        ),
        c(
            "Open a batch file into the queue",
            "Ctrl+B",
            Action::Queue(QueueAction::OpenPrompt),
        ),
        c("Go to the queue", "", Action::Focus(Focus::Queue)),
        c(
            "Pause or go on sending the queue",
            "p",
            Action::Queue(QueueAction::Pause),
        ),
        c(
            "Go to the calls from the number",
            "",
            Action::Focus(Focus::Calls),
        ),
        c(
            "Refresh the calls list",
            "Ctrl+R",
            Action::Calls(CallsAction::Refresh),
        ),
        c(
            "Browse the agent's recent calls (pick one for Target)",
            "Ctrl+L",
            Action::Browse(BrowseAction::Open),
        ),
        c(
            "Pin the selected call (or unpin it)",
            "p",
            Action::Calls(CallsAction::TogglePin),
        ),
        c(
            "Switch profile (account)",
            "F2",
            Action::Profiles(ProfileAction::Open),
        ),
        c(
            "Scroll the request preview down",
            "Alt+↓",
            Action::Form(FormAction::PreviewScroll(PREVIEW_PAGE)),
        ),
        c(
            "Scroll the request preview up",
            "Alt+↑",
            Action::Form(FormAction::PreviewScroll(-PREVIEW_PAGE)),
        ),
        c(
            "Show every update for the call in the form",
            "Ctrl+F",
            Action::History(HistoryAction::FilterToCall),
        ),
        c(
            "Filter the history",
            "/",
            Action::History(HistoryAction::OpenFilter),
        ),
        c("Go to the history", "", Action::Focus(Focus::History)),
        c("Go to the agent field", "", Action::Focus(Focus::Agent)),
        c(
            "Go to the call/phone field",
            "",
            Action::Focus(Focus::Target),
        ),
        c("Go to the outcome field", "", Action::Focus(Focus::Outcome)),
        c("Go to the value field", "", Action::Focus(Focus::Value)),
        c(
            "Go to the metadata editor",
            "",
            Action::Focus(Focus::Metadata),
        ),
        c(
            "Show the selected update in full",
            "Enter",
            Action::History(HistoryAction::OpenDetail),
        ),
        c(
            "Edit the selected update in the form",
            "e",
            Action::History(HistoryAction::LoadIntoForm),
        ),
        c(
            "Resend the selected update",
            "r",
            Action::History(HistoryAction::Resend),
        ),
        c(
            "Copy the selected update as curl",
            "y",
            Action::History(HistoryAction::CopyCurl),
        ),
        c(
            "Copy the selected update's response body",
            "b",
            Action::History(HistoryAction::CopyResponse),
        ),
        c(
            "Copy the selected update's call id",
            "c",
            Action::History(HistoryAction::CopyCallId),
        ),
        c(
            "Mouse on/off (off lets the terminal select text)",
            "F12",
            Action::Pointer(PointerAction::ToggleMouse),
        ),
        c("Help: every key", "F1", Action::OpenHelp),
        c("Quit", "Ctrl+Q", Action::Quit),
    ]
}
