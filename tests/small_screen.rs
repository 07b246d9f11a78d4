//! The workbench at 80×24 from the keyboard: the request preview scrolls with keys, the
//! history shows which call of a number each update went to, and so does the queue.

mod common;

use common::{answered, app, fill_example1, record, screen, type_text};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use phonely_outcomes::tui::action::{Action, FormAction, QueueAction, RequestId, SendAction};
use phonely_outcomes::tui::app::{App, Focus};
use phonely_outcomes::tui::keymap::{commands, help, hints, map_event};
use phonely_outcomes::tui::update::update;

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    let action = map_event(app, &Event::Key(KeyEvent::new(code, modifiers)))
        .unwrap_or_else(|| panic!("{code:?} {modifiers:?} does nothing"));
    update(app, action);
}

/// The lines of the preview pane (between its top border and the footer) at 80×24.
fn preview(s: &str) -> String {
    s.lines()
        .skip_while(|l| !l.contains("Request that will be sent"))
        .take_while(|l| !l.starts_with('╰'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_request_scrolls_from_the_keyboard_and_says_how() {
    let mut a = app();
    update(
        &mut a,
        Action::Resized {
            width: 80,
            height: 24,
        },
    );
    fill_example1(&mut a);
    update(&mut a, Action::Focus(Focus::Outcome));
    let before = preview(&screen(&a, 80, 24));
    assert!(before.contains("more line(s): Alt+↓"), "{before}");
    assert!(!before.contains("\"custom_call_outcome\""), "{before}");
    // Alt+↓ from any field, PgDn from a one-line field; back up with Alt+↑ / PgUp.
    let mut presses = 0;
    while !preview(&screen(&a, 80, 24)).contains("\"custom_call_outcome\"") {
        assert!(presses < 10, "{}", screen(&a, 80, 24));
        press(&mut a, KeyCode::Down, KeyModifiers::ALT);
        presses += 1;
    }
    assert_eq!(a.focus, Focus::Outcome, "the focus stays");
    press(&mut a, KeyCode::PageUp, KeyModifiers::NONE);
    assert_eq!(a.preview_scroll, 0);
    press(&mut a, KeyCode::PageDown, KeyModifiers::NONE);
    let max = a.preview_scroll;
    assert!(max > 0);
    press(&mut a, KeyCode::PageDown, KeyModifiers::NONE);
    assert_eq!(a.preview_scroll, max, "never past the last line");
    press(&mut a, KeyCode::Up, KeyModifiers::ALT);
    assert!(a.preview_scroll < max);
    // In the metadata editor Alt+↓ scrolls the request too; the text is untouched.
    update(&mut a, Action::Focus(Focus::Metadata));
    let text = a.form.text(phonely_outcomes::api::update::Field::Metadata);
    press(&mut a, KeyCode::Down, KeyModifiers::ALT);
    assert_eq!(
        a.form.text(phonely_outcomes::api::update::Field::Metadata),
        text
    );
    // Where people look for keys.
    update(&mut a, Action::Focus(Focus::Agent));
    assert!(
        hints(&a).iter().any(|(k, _)| *k == "A-↑↓"),
        "{:?}",
        hints(&a)
    );
    assert!(
        help()
            .iter()
            .flat_map(|(_, keys)| keys.iter())
            .any(|(k, what)| k.contains("Alt+↑") && what.contains("request")),
    );
    assert!(commands().iter().any(|c| c.key.contains("Alt+↓")));
}

/// A phone update of the first or the last call from a number, sent and in the history.
fn sent_to_phone(a: &mut App, preference_first: bool, id: u64) {
    update(a, Action::Form(FormAction::NewForm));
    update(a, Action::Focus(Focus::Agent));
    type_text(a, "agent123");
    update(a, Action::FocusNext);
    type_text(a, "+14155551234");
    if preference_first {
        update(a, Action::Form(FormAction::TogglePreference));
    }
    update(a, Action::Focus(Focus::Outcome));
    type_text(a, "Sold");
    update(a, Action::Form(FormAction::OutcomeClose));
    common::ctrl_s(a);
    update(a, Action::Send(SendAction::Confirm));
    let mut pending = record(a, None);
    pending.id = i64::try_from(id).unwrap();
    let mut done = record(
        a,
        Some(answered(
            200,
            r#"{"success":true,"updated_fields":["custom_call_outcome"]}"#,
        )),
    );
    done.id = pending.id;
    let id = RequestId(id);
    update(
        a,
        Action::Send(SendAction::Recorded {
            id,
            record: pending,
        }),
    );
    update(a, Action::Send(SendAction::Finished { id, record: done }));
}

#[test]
fn the_history_at_80_columns_keeps_first_and_last_in_view() {
    let mut a = app();
    sent_to_phone(&mut a, true, 1);
    sent_to_phone(&mut a, false, 2);
    update(&mut a, Action::Focus(Focus::History));
    let s = screen(&a, 80, 24);
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("agent123/+14155551234"))
        .collect();
    assert_eq!(rows.len(), 2, "{s}");
    // Whole words where they fit, else (l) / (f): never cut off.
    assert!(rows[0].contains("agent123/+14155551234 (l"), "{s}");
    assert!(rows[1].contains("agent123/+14155551234 (f"), "{s}");
    assert!(rows.iter().all(|r| r.contains("Sold")), "{s}");
}

/// Where the words do not fit, the preference is shortened and the call cut at its start.
#[test]
fn a_narrow_call_column_shortens_the_preference_visibly() {
    use phonely_outcomes::tui::view::call_text;
    let call = |w| call_text("agent123", "+14155551234", Some("first"), w);
    assert_eq!(call(40), "agent123/+14155551234 (first)");
    assert_eq!(call(25), "agent123/+14155551234 (f)");
    assert_eq!(call(20), "…23/+14155551234 (f)");
    assert_eq!(call(20).chars().count(), 20);
    assert_eq!(
        call_text("agent123", "call456", None, 5),
        "agent123/call456"
    );
}

#[test]
fn queue_rows_show_which_call_of_the_number() {
    let mut a = app();
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/example-corrections.csv"
    ))
    .unwrap();
    let columns = phonely_outcomes::batch::ColumnMap::default();
    let (entries, _) = phonely_outcomes::batch::entries("example.csv", csv.as_bytes(), &columns);
    update(
        &mut a,
        Action::Queue(QueueAction::Loaded {
            file: "example.csv".into(),
            entries,
            errors: Vec::new(),
        }),
    );
    let s = screen(&a, 160, 48);
    let row = |n: &str| {
        s.lines()
            .find(|l| l.contains(&format!("· {n} ")))
            .unwrap_or_else(|| panic!("line {n}: {s}"))
            .to_string()
    };
    assert!(row("3").contains("agent123/+14155551234 (l"), "{s}");
    assert!(row("4").contains("agent123/+14155551234 (f"), "{s}");
    assert!(!row("2").contains("(l"), "a call ID has no preference: {s}");
}

/// The footer at 80×24 breaks between hints, never inside one ("F2" on one line, "profile" on
/// the next), and shows every hint, up to the last ("^Q quit"), even where they are many: a
/// history row after Ctrl+N, with a send in flight.
#[test]
fn the_footer_wraps_between_hints_and_shows_all_of_them() {
    let mut a = app();
    sent_to_phone(&mut a, true, 1);
    update(&mut a, Action::Form(FormAction::NewForm));
    update(&mut a, Action::Focus(Focus::History));
    // A filter that finds the row: Esc clears it, one hint more.
    a.history.filter.words = vec!["sold".into()];
    assert!(hints(&a).contains(&("Esc", "clear filter")));
    for (w, h) in [(80, 24), (100, 30), (160, 48)] {
        let s = screen(&a, w, h);
        let footer: Vec<&str> = s
            .lines()
            .skip_while(|l| !l.contains(" SANDBOX "))
            .skip(1)
            .collect();
        for (key, what) in hints(&a) {
            let hint = format!("{key} {what}");
            assert!(
                footer.iter().any(|l| l.contains(&hint)),
                "{w}×{h}: {hint:?} is not whole on one line of the footer:\n{}",
                footer.join("\n")
            );
        }
    }
}
