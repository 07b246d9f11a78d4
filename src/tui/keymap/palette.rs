//! The command palette's list, read from the binding tables (every row with a palette name, in
//! the tables' order, with the key that row binds), and the search over it.

use std::fmt::Write as _;

use crossterm::event::{KeyCode, KeyModifiers};

use super::bindings::Binding;
use super::tables;
use crate::tui::action::Action;

/// One entry of the command palette: what it is called, its key, what it does.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub name: &'static str,
    /// The key its table binds ("Ctrl+S", "e"); empty when only the palette runs it.
    pub key: String,
    pub action: Action,
}

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

/// Every action by name, for the command palette (Ctrl+P or `:`).
pub fn commands() -> Vec<Command> {
    tables()
        .iter()
        .flat_map(|t| t.rows.iter())
        .filter_map(|b| {
            Some(Command {
                name: b.command?,
                key: key_name(b),
                action: b.action.clone(),
            })
        })
        .collect()
}

/// A row's first key as people write it: "Ctrl+S", "Alt+↓", "F2", "Enter", "e".
pub(super) fn key_name(b: &Binding) -> String {
    let Some(code) = b.keys.first() else {
        return String::new();
    };
    let ctrl = b.mods.need.contains(KeyModifiers::CONTROL);
    let mut name = String::new();
    if ctrl {
        name.push_str("Ctrl+");
    }
    if b.mods.need.contains(KeyModifiers::ALT) {
        name.push_str("Alt+");
    }
    match code {
        KeyCode::Char(c) if ctrl => name.push(c.to_ascii_uppercase()),
        KeyCode::Char(' ') => name.push_str("Space"),
        KeyCode::Char(c) => name.push(*c),
        KeyCode::F(n) => {
            let _ = write!(name, "F{n}");
        }
        KeyCode::Up => name.push('↑'),
        KeyCode::Down => name.push('↓'),
        KeyCode::Left => name.push('←'),
        KeyCode::Right => name.push('→'),
        KeyCode::PageUp => name.push_str("PgUp"),
        KeyCode::PageDown => name.push_str("PgDn"),
        KeyCode::BackTab => name.push_str("Shift+Tab"),
        other => {
            let _ = write!(name, "{other:?}");
        }
    }
    name
}
