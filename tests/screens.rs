//! View snapshots over `TestBackend`: one per screen state the issue names.

mod common;

use common::{answered, app, fill_example1, record, screen, type_text};
use phonely_outcomes::api::client::{Completion, HttpResponse};
use phonely_outcomes::api::key::{Credentials, KeySource};
use phonely_outcomes::tui::action::{Action, RequestId};
use phonely_outcomes::tui::app::{App, Focus};
use phonely_outcomes::tui::update::update;

const OK_BODY: &str = r#"{"success":true,"call_id":"call456","agent_id":"agent123","phone":"+14155550100","preference":null,"updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#;

fn sent(completion: Option<Completion>) -> App {
    let mut a = app();
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    let effects = update(&mut a, Action::ConfirmSend);
    assert_eq!(effects.len(), 1);
    let id = RequestId(1);
    let pending = record(&a, None);
    update(
        &mut a,
        Action::Recorded {
            id,
            record: pending,
        },
    );
    if let Some(c) = completion {
        let done = record(&a, Some(c));
        update(&mut a, Action::Finished { id, record: done });
    }
    a
}

#[test]
fn empty_form() {
    insta::assert_snapshot!(screen(&app(), 120, 32));
}

#[test]
fn invalid_form() {
    let mut a = app();
    type_text(&mut a, "agent 123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "415 5555");
    update(&mut a, Action::FocusNext);
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "Sold");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "1,29");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "{\n  \"campaign\": spring\n}");
    let s = screen(&a, 120, 32);
    assert!(s.contains("too short for US"), "{s}");
    assert!(s.contains("comma that does not"), "{s}");
    assert!(s.contains("line 2, column 15"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn valid_form_shows_the_exact_request() {
    let mut a = app();
    fill_example1(&mut a);
    let s = screen(&a, 120, 32);
    assert!(
        s.contains("PATCH http://127.0.0.1:8787/api/calls/agent123/call456"),
        "{s}"
    );
    assert!(s.contains("X-Authorization: •••••••• (sandbox key)"), "{s}");
    assert!(!s.contains("sandbox-key"), "the key itself never shows");
    insta::assert_snapshot!(s);
}

#[test]
fn confirmation() {
    let mut a = app();
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    insta::assert_snapshot!(screen(&a, 120, 32));
}

#[test]
fn in_flight() {
    let mut a = sent(None);
    update(
        &mut a,
        Action::Tick {
            id: RequestId(1),
            elapsed: std::time::Duration::from_millis(1300),
        },
    );
    let s = screen(&a, 120, 32);
    assert!(s.contains("Sending call456"), "{s}");
    assert!(s.contains("1.3 s (Esc cancels)"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn success() {
    let s = screen(&sent(Some(answered(200, OK_BODY))), 120, 32);
    assert!(s.contains("✓ Updated call456 (HTTP 200, 42 ms)"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn api_refusal() {
    let s = screen(
        &sent(Some(answered(
            404,
            r#"{"error":"call_not_found","message":"Call call456 not found for agent agent123"}"#,
        ))),
        120,
        32,
    );
    assert!(
        s.contains("✗ Refused: HTTP 404 Not Found: Call call456 not found"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn network_failure() {
    let s = screen(
        &sent(Some(Completion::NotSent(
            "Could not connect (error sending request for url (http://127.0.0.1:8787/api/calls/agent123/call456)): nothing was sent; safe to try again".into(),
        ))),
        120,
        32,
    );
    assert!(s.contains("no response"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn history_detail() {
    let mut a = sent(Some(answered(200, OK_BODY)));
    update(&mut a, Action::Focus(Focus::History));
    update(&mut a, Action::OpenDetail);
    let top = screen(&a, 120, 32);
    assert!(top.contains("By        sam (profile sandbox)"), "{top}");
    update(&mut a, Action::ModalScroll(18));
    let s = screen(&a, 120, 32);
    assert!(s.contains("Response"), "{s}");
    assert!(s.contains("\"updated_fields\""), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn narrow_80x24_form() {
    let mut a = app();
    fill_example1(&mut a);
    let s = screen(&a, 80, 24);
    assert!(
        s.contains("more line(s)"),
        "overflow is marked, not silent:\n{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn narrow_80x24_history() {
    let mut a = sent(Some(answered(200, OK_BODY)));
    update(&mut a, Action::Focus(Focus::History));
    insta::assert_snapshot!(screen(&a, 80, 24));
}

#[test]
fn too_small() {
    let s = screen(&app(), 50, 10);
    assert!(s.contains("too small"), "{s}");
}

#[test]
fn help() {
    let mut a = app();
    update(&mut a, Action::OpenHelp);
    insta::assert_snapshot!(screen(&a, 120, 32));
}

#[test]
fn no_key() {
    let mut a = App::new(common::settings(
        "https://app.phonely.ai",
        Credentials {
            key: None,
            source: KeySource::Env("PHONELY_API_KEY".into()),
            problem: None,
        },
    ));
    a.settings.sandbox = false;
    a.profile = phonely_outcomes::tui::profiles::fallback_tag(false, &a.settings.base_url);
    a.history.loading = false;
    fill_example1(&mut a);
    common::ctrl_s(&mut a);
    let s = screen(&a, 120, 32);
    assert!(s.contains("No API key: set PHONELY_API_KEY"), "{s}");
    assert!(s.contains("LIVE"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn help_scrolls_on_a_small_screen() {
    let mut a = app();
    update(&mut a, Action::OpenHelp);
    let top = screen(&a, 80, 24);
    assert!(top.contains("↑↓ scroll"), "{top}");
    assert!(!top.contains("full request and response"), "{top}");
    update(&mut a, Action::ModalScroll(30));
    let bottom = screen(&a, 80, 24);
    assert!(bottom.contains("full request and response"), "{bottom}");
}

#[test]
fn a_capped_body_is_stated_in_the_detail() {
    let mut app = common::app();
    common::fill_example1(&mut app);
    let body = format!(
        "{{\"success\":true,\"padding\":\"{}",
        "x".repeat(phonely_outcomes::api::client::BODY_CAP - 30)
    );
    let record = common::record(
        &app,
        Some(Completion::Answered(HttpResponse {
            status: 200,
            body,
            truncated: true,
            retry_after: None,
        })),
    );
    app.history.upsert(record);
    update(&mut app, Action::OpenDetail);
    let screen = common::screen(&app, 120, 32);
    assert!(
        screen.contains("(the body was longer than 1 MiB: only the first 1 MiB was kept)"),
        "{screen}"
    );
    assert!(
        screen.contains("(showing the first 16 KiB of 1024 KiB kept;"),
        "{screen}"
    );
}
