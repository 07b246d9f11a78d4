//! The panes' binding tables (history, queue) checked as tables: one binding per key, every
//! footer hint acts when shown, the queue's footer follows its run; and the queue's file
//! prompt and templates keys. The keymap's one-line-per-binding tests are in `tests.rs`.
use crossterm::event::KeyCode;

use super::tests::*;
use super::*;
use crate::tui::action::{FormAction, PaletteAction, QueueAction, SendAction};
use crate::tui::app::QueueRun;

/// The pane's keymap and its F1 section (the first whose name starts with `section`) are
/// read from `table`: each key of it maps to its action in `app`.
fn assert_read_from_table(app: &App, table: &[Binding], section: &str) {
    for b in table {
        for key in b.keys {
            assert_eq!(
                map_event(app, &press(*key)),
                Some(b.action.clone()),
                "{key:?}"
            );
        }
    }
    let help_section = help()
        .into_iter()
        .find(|(context, _)| context.starts_with(section))
        .map(|(_, keys)| keys);
    assert_eq!(
        help_section,
        Some(table.iter().filter_map(|b| b.help).collect())
    );
}

/// Two bindings for one key in one pane: the second would never act, and the footer or
/// the help would name a key for what it does not do.
pub(super) fn assert_one_binding_per_key(table: &[Binding]) {
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
            ..Binding::told(Action::Quit)
        });
        assert_one_binding_per_key(&table);
    });
    assert!(twice.is_err());
    // The keymap, the footer and F1 are read from the table.
    assert_read_from_table(&focused(Focus::History), &history_bindings(), "History");
}

/// Every hint the history's footer shows does something when pressed: it changes what is
/// on screen or asks the runtime for something.
#[test]
fn every_history_hint_acts_when_shown() {
    let row = history_row;
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
pub(super) fn queue_of_two() -> App {
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
    assert_read_from_table(&q, &queue_bindings(), "Queue");
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
