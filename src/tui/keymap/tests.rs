//! The keymap's tests: one line per binding, and the tables' own checks.
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui_textarea::{Input, Key};

use super::pane_tests::assert_one_binding_per_key;
use super::*;
use crate::api::key::Credentials;
use crate::api::request::BaseUrl;
use crate::tui::action::{
    CallsAction, FormAction, HistoryAction, PaletteAction, ProfileAction, SendAction,
};
use crate::tui::app::Confirm;
use crate::tui::app::Settings;

pub(super) fn app() -> App {
    App::new(Settings {
        base_url: BaseUrl::default(),
        sandbox: true,
        credentials: Credentials::sandbox("k"),
        utc_offset: time::UtcOffset::UTC,
        duplicate_window_ms: crate::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
        prefs: crate::tui::app::Prefs::default(),
    })
}

/// A send in flight (from the form).
pub(super) fn sending() -> crate::tui::app::InFlight {
    crate::tui::app::InFlight {
        id: crate::tui::action::RequestId(1),
        summary: String::new(),
        elapsed: std::time::Duration::ZERO,
        record_id: None,
        sent: None,
        expected: None,
    }
}

fn sold() -> crate::api::update::OutcomeUpdate {
    crate::api::update::validate(&crate::api::update::UpdateInput {
        agent: "a",
        target: "c",
        outcome: "Sold",
        ..Default::default()
    })
    .unwrap()
}

/// A checked update, ready to confirm.
pub(super) fn ready() -> crate::tui::app::Ready {
    crate::tui::app::Ready {
        update: sold(),
        request: crate::api::request::WireRequest {
            method: "PATCH",
            url: String::new(),
            headers: Vec::new(),
            body: String::new(),
        },
        pinned_call: None,
    }
}

/// A history row (pending) of that update.
pub(super) fn history_row(id: i64) -> crate::history::Record {
    let update = sold();
    let request = crate::api::request::build(&update, &BaseUrl::default());
    let who = crate::history::Provenance {
        operator: "t".into(),
        profile: "sandbox".into(),
        base_url: String::new(),
    };
    crate::api::factory::pending(id, "t", &who, &update, &request, crate::history::now_ms())
}

pub(super) fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub(super) fn focused(focus: Focus) -> App {
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
    a.in_flight = Some(sending());
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
    a.modal = Some(Modal::Confirm(Confirm::new(ready(), None, None)));
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
    h.history.rows.push(history_row(1));
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
        // An empty field has nothing to clear: ^U shows once there is text.
        assert!(!hints(&f).contains(&("^U", "clear")), "{focus:?}");
        crate::tui::update::update(
            &mut f,
            Action::Edit(Input {
                key: Key::Char('x'),
                ..Input::default()
            }),
        );
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
    a.in_flight = Some(sending());
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
