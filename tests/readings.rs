//! How a target of digits and an outcome label are read, said the same way wherever an update
//! is made: the form's field note, the queue's row, the confirmation, `send` and
//! `batch --dry-run`.

mod common;

use common::{app, screen, type_text};
use phonely_outcomes::tui::action::{Action, FormAction, QueueAction};
use phonely_outcomes::tui::app::{App, Focus, Tone};
use phonely_outcomes::tui::update::update;

const CALL_ID_NOTE: &str = "read as a call ID; a US phone has 10 digits";

/// The form filled with agent123, `target` and Sold.
fn form_with(target: &str, outcome: &str) -> App {
    let mut a = app();
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, target);
    update(&mut a, Action::Focus(Focus::Outcome));
    type_text(&mut a, outcome);
    update(&mut a, Action::Form(FormAction::OutcomeClose));
    a
}

fn queue_with(csv: &str) -> App {
    let mut a = app();
    let columns = phonely_outcomes::batch::ColumnMap::default();
    let (entries, _) = phonely_outcomes::batch::entries("fixes.csv", csv.as_bytes(), &columns);
    update(
        &mut a,
        Action::Queue(QueueAction::Loaded {
            file: "fixes.csv".into(),
            entries,
            errors: Vec::new(),
        }),
    );
    a
}

/// Short digits in the one field for both are a call ID, and the form says so before the send:
/// `123` and `5551234` alike (the second was refused as a short phone).
#[test]
fn short_digits_say_they_are_read_as_a_call_id_in_the_form_and_the_confirmation() {
    for target in ["123", "12345", "123456", "5551234"] {
        let mut a = form_with(target, "Sold");
        let Ok(ready) = &a.checked else {
            panic!("{target}: {:?}", a.checked)
        };
        assert_eq!(ready.update.target.kind(), "call", "{target}");
        let (tone, text) = a
            .field_note(phonely_outcomes::api::update::Field::Target)
            .unwrap();
        assert_eq!(tone, Tone::Warning, "{target}");
        assert_eq!(text, CALL_ID_NOTE, "{target}");
        let s = screen(&a, 120, 32);
        assert!(s.contains(CALL_ID_NOTE), "{target}: {s}");
        common::ctrl_s(&mut a);
        let s = screen(&a, 120, 32);
        assert!(s.contains("Send this update?"), "{s}");
        assert!(s.contains(CALL_ID_NOTE), "{target}: {s}");
    }
    // A number with the digits of a phone is a phone; one written as a phone stays one.
    let a = form_with("4155551234", "Sold");
    assert_eq!(a.checked.as_ref().unwrap().update.target.kind(), "phone");
    let a = form_with("555-1234", "Sold");
    assert!(a.checked.is_err(), "555-1234 is a phone typed short");
}

#[test]
fn the_queue_row_says_it_too_and_a_call_id_column_does_not() {
    let a = queue_with("agent_id,target,outcome\nagent123,123,Sold\nagent123,call456,Sold\n");
    let s = screen(&a, 160, 48);
    // The row's State column holds what fits of it.
    assert!(s.contains("⚠ read as a call ID; a US"), "{s}");
    let a = queue_with("agent_id,call_id,outcome\nagent123,123,Sold\n");
    let s = screen(&a, 160, 48);
    assert!(!s.contains("read as a call ID"), "{s}");
}

/// The docs' own spelling ("Follow Up Required", example 4) is never flagged; a label that
/// differs from a known one only in case is flagged alike in the form, the queue row and the
/// confirmation.
#[test]
fn one_outcome_rule_for_the_form_the_queue_and_the_confirmation() {
    let field = phonely_outcomes::api::update::Field::Outcome;
    let a = form_with("call456", "Follow Up Required");
    assert_eq!(a.field_note(field), None);
    let mut a = form_with("call456", "sold");
    let (tone, text) = a.field_note(field).unwrap();
    assert_eq!(tone, Tone::Warning);
    assert!(text.contains("did you mean Sold?"), "{text}");
    common::ctrl_s(&mut a);
    let s = screen(&a, 120, 32);
    assert!(s.contains("Send this update?"), "{s}");
    assert!(s.contains("⚠ did you mean Sold?"), "{s}");
    let mut a = form_with("call456", "Follow Up Required");
    common::ctrl_s(&mut a);
    let s = screen(&a, 120, 32);
    assert!(!s.contains("did you mean"), "{s}");

    let a = queue_with(
        "agent_id,target,outcome\nagent123,call456,sold\nagent123,call456,Follow Up Required\n",
    );
    let s = screen(&a, 160, 48);
    assert!(s.contains("⚠ did you mean Sold?"), "{s}");
    let line3 = s.lines().find(|l| l.contains("· 3 ")).unwrap();
    assert!(line3.contains("ready"), "{line3}");
}

/// In the confirmation each note sits under the line it is about: "read as a call ID" under the
/// call, not under the outcome (where it read as a note on "Sold"); a label's near miss under
/// the outcome.
#[test]
fn the_confirmation_puts_each_note_under_its_line() {
    let mut a = form_with("12345", "sold");
    common::ctrl_s(&mut a);
    let s = screen(&a, 120, 32);
    let lines: Vec<&str> = s.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            // In the dialog (the form beside it has its own field notes).
            .position(|l| l.contains(&format!("║{needle}")) || l.contains(&format!("║⚠ {needle}")))
            .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{s}"))
    };
    let call = at("Call      12345");
    let outcome = at("Outcome   \"sold\"");
    assert_eq!(at(CALL_ID_NOTE), call + 1, "{s}");
    assert_eq!(at("did you mean Sold?"), outcome + 1, "{s}");
}
