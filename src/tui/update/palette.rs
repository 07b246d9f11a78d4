//! The command palette: typing narrows the commands, Enter runs one (given back as its action,
//! for the dispatcher to run as if its key had been pressed).

use crate::tui::action::{Action, PaletteAction};
use crate::tui::app::{App, Modal};
use crate::tui::keymap::palette_matches;

/// The palette's own keys; `Some` is the chosen command's action.
pub(super) fn apply(app: &mut App, action: PaletteAction) -> Option<Action> {
    match action {
        PaletteAction::Open => {
            app.modal = Some(Modal::Palette {
                query: String::new(),
                selected: 0,
            });
        }
        PaletteAction::Type(c) => {
            if let Some(Modal::Palette { query, selected }) = &mut app.modal {
                query.push(c);
                *selected = 0;
            }
        }
        PaletteAction::Backspace => {
            if let Some(Modal::Palette { query, selected }) = &mut app.modal {
                query.pop();
                *selected = 0;
            }
        }
        PaletteAction::Move(delta) => {
            if let Some(Modal::Palette { query, selected }) = &mut app.modal {
                let last = palette_matches(query).len().saturating_sub(1);
                *selected = selected.saturating_add_signed(delta).min(last);
            }
        }
        PaletteAction::Run => {
            if let Some(Modal::Palette { query, selected }) = app.modal.take()
                && let Some(command) = palette_matches(&query).into_iter().nth(selected)
            {
                return Some(command.action);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn the_palette_finds_commands_by_words_and_runs_them() {
        let mut a = filled();
        update(&mut a, Action::Palette(PaletteAction::Open));
        for c in "new form".chars() {
            update(&mut a, Action::Palette(PaletteAction::Type(c)));
        }
        let found = palette_matches("new form");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "Ctrl+N");
        update(&mut a, Action::Palette(PaletteAction::Run));
        assert!(a.modal.is_none());
        assert!(a.form_is_empty(), "the command ran");
        // Every command has a name; none is listed twice.
        let all = crate::tui::keymap::commands();
        let names: std::collections::HashSet<_> = all.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), all.len());
        assert!(palette_matches("no such command at all").is_empty());
    }
}
