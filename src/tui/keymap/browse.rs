//! The browse modal's bindings (issue 14: an agent's recent calls), as one table: its keymap
//! (`map_table`), its footer (`table_hints`) and its F1 section are all read from it.

use crossterm::event::KeyCode;

use super::bindings::Binding;
use crate::tui::action::{Action, BrowseAction};
use crate::tui::app::App;

/// The browse modal's bindings, in the order of the footer and of F1's section.
pub fn browse_bindings() -> Vec<Binding> {
    use BrowseAction as B;
    let calls = |a: &App| !a.browse.calls().is_empty();
    vec![
        // Opened from the form's Agent and Target (their table binds Ctrl+L) and the palette.
        Binding::told(Action::Browse(B::Open)).help(
            "Ctrl+L",
            "from Agent or Target (or the palette): the agent's recent calls",
        ),
        Binding::new(
            &[KeyCode::Up, KeyCode::Char('k')],
            Action::Browse(B::Move(-1)),
        )
        .hint("↑↓", "move")
        .help("↑ ↓ / k j", "move")
        .live(calls),
        Binding::new(
            &[KeyCode::Down, KeyCode::Char('j')],
            Action::Browse(B::Move(1)),
        )
        .live(calls),
        Binding::new(&[KeyCode::Enter], Action::Browse(B::Use))
            .hint("Enter", "use call")
            .help("Enter", "put the selected call's ID in the Target field")
            .live(calls),
        Binding::new(
            &[KeyCode::PageDown, KeyCode::Char('n')],
            Action::Browse(B::NextPage),
        )
        .hint("PgDn/n", "next page")
        .help(
            "PgDn / n, PgUp / p",
            "next / previous page (at most 100 calls a page)",
        )
        .live(|a| a.browse.has_next()),
        Binding::new(
            &[KeyCode::PageUp, KeyCode::Char('p')],
            Action::Browse(B::PreviousPage),
        )
        .hint("PgUp/p", "previous page")
        .live(|a| a.browse.has_previous()),
        Binding::new(&[KeyCode::Char('d')], Action::Browse(B::CycleRange))
            .hint("d", "dates")
            .help("d", "dates: any, today, last 7 days, last 30 days"),
        Binding::new(&[KeyCode::Char('s')], Action::Browse(B::CycleStatus))
            .hint("s", "status")
            .help("s", "status: any, completed, failed, ended, in progress"),
        Binding::new(&[KeyCode::Char('r')], Action::Browse(B::Refresh))
            .hint("r", "refresh")
            .help("r", "look this page up again"),
        Binding::new(
            &[KeyCode::Esc, KeyCode::Char('q')],
            Action::Browse(B::Close),
        )
        .hint("Esc", "close")
        .help("Esc / q", "close (a look-up on its way is stopped)"),
    ]
}

#[cfg(test)]
mod tests {
    use crossterm::event::{Event, KeyEvent, KeyModifiers};

    use super::*;
    use crate::api::key::Credentials;
    use crate::api::request::BaseUrl;
    use crate::tui::app::{Focus, Modal, Settings};
    use crate::tui::browse::tests::{AT, page};
    use crate::tui::keymap::{help, hints, map_event};

    fn app() -> App {
        App::new(Settings {
            base_url: BaseUrl::parse("http://127.0.0.1:8787").unwrap(),
            sandbox: true,
            credentials: Credentials::sandbox("k"),
            utc_offset: time::UtcOffset::UTC,
            duplicate_window_ms: crate::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
            prefs: crate::tui::app::Prefs::default(),
        })
    }

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, modifiers))
    }

    /// The modal open on a loaded first page of 100 of 250 calls.
    fn browsing() -> App {
        let mut a = app();
        a.modal = Some(Modal::Browse);
        let effects = a.browse.open(
            "sandbox",
            crate::api::update::AgentId::parse("agent123").unwrap(),
            time::UtcOffset::UTC,
        );
        let Some(crate::tui::browse::BrowseEffect::Fetch { generation, .. }) = effects.last()
        else {
            panic!("{effects:?}");
        };
        a.browse
            .answered(*generation, Ok(page(100, Some(250))), AT, AT);
        // Not on the first row, so ↑ has somewhere to go.
        a.browse.move_by(1);
        a
    }

    #[test]
    fn ctrl_l_opens_it_from_agent_and_target_only() {
        for focus in [Focus::Agent, Focus::Target] {
            let mut a = app();
            a.focus = focus;
            assert_eq!(
                map_event(&a, &key(KeyCode::Char('l'), KeyModifiers::CONTROL)),
                Some(Action::Browse(BrowseAction::Open)),
                "{focus:?}"
            );
        }
        let mut a = app();
        a.focus = Focus::Metadata;
        assert_ne!(
            map_event(&a, &key(KeyCode::Char('l'), KeyModifiers::CONTROL)),
            Some(Action::Browse(BrowseAction::Open))
        );
    }

    #[test]
    fn the_keymap_footer_and_help_come_from_the_table() {
        let a = browsing();
        let table = browse_bindings();
        let mut seen = Vec::new();
        for b in &table {
            for code in b.keys {
                assert!(!seen.contains(code), "{code:?} is bound twice");
                seen.push(*code);
                assert_eq!(
                    map_event(&a, &key(*code, KeyModifiers::NONE)),
                    Some(b.action.clone()),
                    "{code:?}"
                );
            }
        }
        // Letters are the modal's keys, not text for a field.
        assert_eq!(
            map_event(&a, &key(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
        let shown = hints(&a);
        assert_eq!(
            shown,
            [
                ("↑↓", "move"),
                ("Enter", "use call"),
                ("PgDn/n", "next page"),
                ("d", "dates"),
                ("s", "status"),
                ("r", "refresh"),
                ("Esc", "close"),
            ],
            "no previous page on the first"
        );
        let section = help()
            .into_iter()
            .find(|(context, _)| context.starts_with("Browse"))
            .map(|(_, keys)| keys);
        assert_eq!(
            section,
            Some(table.iter().filter_map(|b| b.help).collect::<Vec<_>>())
        );
    }

    /// Every hint the footer shows does something when pressed.
    #[test]
    fn every_hint_acts_when_shown() {
        let seen = |a: &App| {
            (
                a.modal.clone(),
                a.status.as_ref().map(|s| s.text.clone()),
                a.browse.selected,
                a.browse.generation,
                a.form.snapshot(),
            )
        };
        let mut second_page = browsing();
        crate::tui::update::update(&mut second_page, Action::Browse(BrowseAction::NextPage));
        for app in [Box::new(browsing()), Box::new(second_page)] {
            let shown = hints(&app);
            for b in browse_bindings() {
                let Some(hint) = b.hint.filter(|_| (b.live)(&app)) else {
                    assert!(b.hint.is_none_or(|h| !shown.contains(&h)), "{:?}", b.hint);
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
}
