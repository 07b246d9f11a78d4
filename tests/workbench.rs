//! Loop tests: the whole runtime (keymap, update, effects, HTTP, SQLite, view) driven by scripted
//! key events against the sandbox on 127.0.0.1. Every wait is on a screen condition with a
//! deadline.

mod common;

use std::path::Path;
use std::time::Duration;

use common::harness::{Harness, workbench};
use crossterm::event::KeyCode;
use phonely_outcomes::api::client::{DEFAULT_TIMEOUT, State};
use phonely_outcomes::api::update::{UpdateInput, validate};
use phonely_outcomes::history::{Provenance, Store};
use phonely_outcomes::sandbox::{self, Fault, RunningSandbox};
use phonely_outcomes::tui::app::App;

async fn start_sandbox() -> RunningSandbox {
    sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap()
}

fn rows(data_dir: &Path) -> Vec<phonely_outcomes::history::Record> {
    Store::open(data_dir, "reader")
        .unwrap()
        .page(None, 100)
        .unwrap()
}

/// An update `agent123/call456 ← outcome` recorded as pending by another session, which never
/// completed it.
fn record_pending(data_dir: &Path, session: &str, outcome: &str) {
    let store = Store::open(data_dir, session).unwrap();
    let update = validate(&UpdateInput {
        agent: "agent123",
        target: "call456",
        outcome,
        ..UpdateInput::default()
    })
    .unwrap();
    let request = phonely_outcomes::api::request::build(
        &update,
        &phonely_outcomes::api::request::BaseUrl::default(),
    );
    store
        .insert_pending(
            &Provenance {
                operator: "x".into(),
                profile: "default".into(),
                base_url: "https://app.phonely.ai".into(),
            },
            &update,
            &request,
        )
        .unwrap();
}

/// Fills agent, target, (preference), outcome, value, metadata; leaves focus on Metadata.
fn fill(
    h: &Harness,
    agent: &str,
    target: &str,
    first: bool,
    outcome: &str,
    value: &str,
    metadata: &str,
) {
    h.text(agent);
    h.key(KeyCode::Tab);
    h.text(target);
    h.key(KeyCode::Tab);
    if target.starts_with('+') || phonely_outcomes::api::phone::looks_like_national_phone(target) {
        if first {
            h.key(KeyCode::Right);
        }
        h.key(KeyCode::Tab);
    }
    h.text(outcome);
    h.key(KeyCode::Tab);
    h.text(value);
    h.key(KeyCode::Tab);
    h.text(metadata);
}

#[tokio::test]
async fn example_1_by_call_id_is_sent_recorded_and_shown() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        fill(
            &h,
            "agent123",
            "call456",
            false,
            "Sold",
            "299",
            r#"{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}"#,
        );
        h.wait_for("\"notes\": \"Customer was very interested\"")
            .await;
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        let screen = h.wait_for("✓ Updated call456 (HTTP 200").await;
        assert!(screen.contains("agent123/call456"), "{screen}");
        // Enter on the history row shows the full response.
        h.key(KeyCode::BackTab); // the send left the focus on the call field
        h.key(KeyCode::BackTab);
        h.key(KeyCode::Enter);
        h.wait_for("Update #1").await;
        h.key(KeyCode::PageDown);
        h.key(KeyCode::PageDown);
        h.wait_for("\"updated_fields\"").await;
        h.key(KeyCode::Esc);
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    assert!(app.should_quit);
    let call = sb.sandbox.call("agent123", "call456").unwrap();
    assert_eq!(call.custom_call_outcome.as_deref(), Some("Sold"));
    assert_eq!(call.custom_call_outcome_value.unwrap().to_string(), "299");
    assert_eq!(
        serde_json::to_string(&call.custom_call_metadata).unwrap(),
        r#"{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}"#
    );
    let received = sb.sandbox.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].body,
        r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299,"custom_call_metadata":{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}}"#
    );
    let rows = rows(dir.path());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, State::Ok);
    assert!(rows[0].verified);
    assert_eq!(rows[0].http_status, Some(200));
}

#[tokio::test]
async fn phone_targets_hit_first_and_last_calls_and_partial_updates_work() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        // Example 2: last touch (default).
        fill(
            &h,
            "agent123",
            "+14155551234",
            false,
            "No Sale",
            "0",
            r#"{"reason":"Price too high","follow_up":true}"#,
        );
        // The calls list shares the request's column now: the whole form is in once its
        // metadata is read (the body is checked on the sandbox's side below).
        h.wait_for("✓ JSON object, 2 keys").await;
        h.ctrl('s');
        h.wait_for("+14155551234 (last call from this number)")
            .await;
        h.key(KeyCode::Char('y'));
        h.wait_for("✓ Updated call-last-415").await;
        // Example 3: first touch. The form kept agent and outcome; the call is typed again
        // and the preference toggled.
        h.text("+14155551234");
        h.key(KeyCode::Tab);
        h.key(KeyCode::Char(' '));
        h.wait_for("● first call").await;
        h.ctrl('s');
        h.wait_for("+14155551234 (first call from this number)")
            .await;
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated call-first-415").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let last = sb.sandbox.call("agent123", "call-last-415").unwrap();
    assert_eq!(last.custom_call_outcome.as_deref(), Some("No Sale"));
    let first = sb.sandbox.call("agent123", "call-first-415").unwrap();
    assert_eq!(first.updates_applied, 1);
    assert_eq!(
        sb.sandbox.received()[1].query.as_deref(),
        Some("preference=first")
    );

    // Example 4, partial: only the outcome; the rest of the call is untouched.
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("History (2)").await;
        fill(
            &h,
            "agent123",
            "call456",
            false,
            "Follow Up Required",
            "",
            "",
        );
        h.wait_for("\"custom_call_outcome\": \"Follow Up Required\"")
            .await;
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated call456").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(
        sb.sandbox.received()[2].body,
        r#"{"custom_call_outcome":"Follow Up Required"}"#
    );
    assert_eq!(rows(dir.path()).len(), 3, "history survives a restart");
}

#[tokio::test]
async fn a_refusal_is_shown_and_recorded() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        fill(&h, "agent123", "no-such-call", false, "Sold", "", "");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✗ Refused: HTTP 404 Not Found: Call no-such-call not found")
            .await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let rows = rows(dir.path());
    assert_eq!(rows[0].state, State::Refused);
    assert_eq!(rows[0].http_status, Some(404));
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        fill(&h, "agent123", "415 5555", false, "Sold", "1,29", "[1]");
        h.ctrl('s');
        h.wait_for("Not sent: 3 things to fix").await;
        h.key(KeyCode::Enter);
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    assert!(app.modal.is_none());
    assert!(sb.sandbox.received().is_empty());
    assert!(rows(dir.path()).is_empty());
}

#[tokio::test]
async fn a_closed_port_is_a_network_error_and_nothing_was_sent() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&format!("http://{closed}"), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        fill(&h, "agent123", "call456", false, "Sold", "", "");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✗ No response: Could not connect").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(rows(dir.path())[0].state, State::NetworkError);
}

#[tokio::test]
async fn a_hung_request_can_be_cancelled_and_the_ui_stays_responsive() {
    let sb = start_sandbox().await;
    sb.sandbox.push_fault(Fault::Hang);
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        fill(&h, "agent123", "call456", false, "Sold", "", "");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("(Esc cancels)").await;
        // Typing still works while the request hangs.
        h.key(KeyCode::BackTab);
        h.text("42");
        h.wait_for("\"custom_call_outcome_value\": 42").await;
        h.key(KeyCode::Esc);
        h.wait_for("cancelled (may be applied)").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(rows(dir.path())[0].state, State::Cancelled);
}

#[tokio::test]
async fn no_answer_within_the_timeout_is_unknown() {
    let sb = start_sandbox().await;
    sb.sandbox.push_fault(Fault::Hang);
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), Duration::from_millis(300));
    let script = async {
        fill(&h, "agent123", "call456", false, "Sold", "", "");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✗ No response: No answer within 0.3 s").await;
        h.wait_for("outcome unknown: check first").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(rows(dir.path())[0].state, State::Unknown);
}

#[tokio::test]
async fn a_crashed_sessions_pending_row_shows_as_outcome_unknown() {
    let dir = tempfile::tempdir().unwrap();
    // A session that recorded an update and died before completing it (its lock is gone).
    record_pending(dir.path(), "crashed-session", "Sold");
    let sb = start_sandbox().await;
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        let screen = h.wait_for("outcome unknown: check first").await;
        assert!(screen.contains("? 20"), "{screen}");
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(rows(dir.path())[0].state, State::Unknown);
}

/// Sends `call456 ← Sold` through the whole workbench while the sandbox misbehaves with `fault`;
/// checks the screen says `says`, the history holds `state`, and whether the call changed.
async fn survives(fault: Fault, timeout: Duration, state: State, says: &str) -> App {
    Box::pin(survives_and_details(
        fault,
        timeout,
        state,
        says,
        "Update #1 (Esc closes",
    ))
    .await
}

/// As [`survives`], and the history detail of the update shows `detail`.
async fn survives_and_details(
    fault: Fault,
    timeout: Duration,
    state: State,
    says: &str,
    detail: &str,
) -> App {
    let sb = start_sandbox().await;
    sb.sandbox.push_fault(fault.clone());
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), timeout);
    let script = async {
        fill(&h, "agent123", "call456", false, "Sold", "", "");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for(says).await;
        // Still responsive: the history row opens (reached through the command palette,
        // wherever the result left the focus), and the form still takes keys.
        h.ctrl('p');
        h.text("go to the history");
        h.wait_for("Go to the history").await;
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
        h.wait_for("Update #1 (Esc closes").await;
        h.wait_for(detail).await;
        h.key(KeyCode::Esc);
        h.key(KeyCode::BackTab);
        h.key(KeyCode::BackTab);
        h.text("7");
        h.wait_for("Value      7").await;
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    let rows = rows(dir.path());
    assert_eq!(rows.len(), 1, "{fault}: one update, one record");
    assert_eq!(rows[0].state, state, "{fault}: {:?}", rows[0].message);
    let received = sb.sandbox.received();
    assert_eq!(received.len(), 1, "{fault}: the sandbox saw the request");
    assert_eq!(received[0].fault, Some(fault.to_string()));
    let call = sb.sandbox.call("agent123", "call456").unwrap();
    assert_eq!(
        call.updates_applied,
        u32::from(fault.applies()),
        "{fault}: applied or not, as the fault says"
    );
    app
}

const FAULT_WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn fault_delay_is_answered_normally() {
    survives(
        Fault::Delay { ms: 150 },
        FAULT_WAIT,
        State::Ok,
        "✓ Updated call456 (HTTP 200",
    )
    .await;
}

#[tokio::test]
async fn fault_status_is_refused() {
    survives(
        Fault::Status { code: 503 },
        FAULT_WAIT,
        State::Refused,
        "✗ Refused: HTTP 503 Service Unavailable: Sandbox fault: status 503",
    )
    .await;
}

#[tokio::test]
async fn fault_429_is_refused_and_says_when_to_retry() {
    survives(
        Fault::RateLimited { retry_after: 7 },
        FAULT_WAIT,
        State::Refused,
        "(Retry-After: wait 7 s before trying again)",
    )
    .await;
}

#[tokio::test]
async fn fault_reset_before_the_request_is_read_is_unknown() {
    survives(
        Fault::ResetBeforeRead,
        FAULT_WAIT,
        State::Unknown,
        "✗ No response: The connection was cut",
    )
    .await;
}

#[tokio::test]
async fn fault_reset_after_the_request_is_read_is_unknown() {
    survives(
        Fault::ResetAfterRead,
        FAULT_WAIT,
        State::Unknown,
        "✗ No response: The connection was cut",
    )
    .await;
}

#[tokio::test]
async fn fault_malformed_json_is_unknown() {
    survives(
        Fault::MalformedJson,
        FAULT_WAIT,
        State::Unknown,
        "? Outcome unknown: HTTP 200 OK, but the answer is not valid JSON",
    )
    .await;
}

#[tokio::test]
async fn fault_html_error_page_is_refused() {
    survives(
        Fault::Html,
        FAULT_WAIT,
        State::Refused,
        "✗ Refused: HTTP 502 Bad Gateway: Not a JSON response: <html>",
    )
    .await;
}

#[tokio::test]
async fn fault_10_mb_body_is_capped_and_the_cap_is_stated() {
    let app = Box::pin(survives_and_details(
        Fault::HugeBody,
        FAULT_WAIT,
        State::Unknown,
        "longer than 1 MiB and was cut there",
        "showing the first 16 KiB of 1024 KiB kept",
    ))
    .await;
    let row = &app.history.rows[0];
    assert!(row.response_truncated);
    let kept = row.response_body.as_deref().unwrap_or("").len();
    assert_eq!(kept, phonely_outcomes::api::client::BODY_CAP);
}

#[tokio::test]
async fn fault_endless_body_ends_at_the_timeout_as_unknown() {
    survives(
        Fault::EndlessBody,
        Duration::from_secs(2),
        State::Unknown,
        "The answer (HTTP 200) started but did not finish within 2 s",
    )
    .await;
}

#[tokio::test]
async fn fault_no_answer_at_all_is_unknown() {
    survives(
        Fault::Hang,
        Duration::from_millis(300),
        State::Unknown,
        "✗ No response: No answer within 0.3 s",
    )
    .await;
}

#[tokio::test]
async fn hostile_form_input_is_refused_in_the_loop_and_nothing_leaves() {
    let sb = start_sandbox().await;
    let deep = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    let big = format!(r#"{{"notes":"{}"}}"#, "x".repeat(1024 * 1024));
    let long_id = "x".repeat(10 * 1024);
    // Pasted (as a terminal delivers a paste) into agent, target, value, metadata.
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("agent 1", "call456", "", "", "space character (U+0020)"),
        ("a\u{7}b", "call456", "", "", "control character (U+0007)"),
        ("a\x1b[31m", "call456", "", "", "control character (U+001B)"),
        (&long_id, "call456", "", "", "at most 128 characters"),
        ("agent123", "..", "", "", "cannot be \"..\""),
        ("agent123", "++14155551234", "", "", "more than one +"),
        ("agent123", "+1415555CALL", "", "", "is not allowed"),
        ("agent123", "call456", "0x10", "", "not hexadecimal"),
        ("agent123", "call456", "NaN", "", "not a finite number"),
        ("agent123", "call456", "1e400", "", "too large"),
        ("agent123", "call456", "", "[1,2]", "(got a list [...])"),
        ("agent123", "call456", "", "\"text\"", "(got a string)"),
        ("agent123", "call456", "", &deep, "nested too deeply"),
        ("agent123", "call456", "", &big, "at most 64 KiB"),
    ];
    for (agent, target, value, metadata, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
        let script = async {
            let paste = |text: &str| {
                h.paste(text);
            };
            paste(agent);
            h.key(KeyCode::Tab);
            paste(target);
            h.key(KeyCode::Tab);
            if target.starts_with('+') {
                h.key(KeyCode::Tab);
            }
            h.text("Sold");
            h.key(KeyCode::Tab);
            paste(value);
            h.key(KeyCode::Tab);
            paste(metadata);
            h.ctrl('s');
            h.wait_for("Not sent").await;
            h.wait_for(says).await;
            h.ctrl('q');
        };
        let (app, ()) = tokio::join!(app, script);
        assert!(app.in_flight.is_none(), "{says}");
        assert!(rows(dir.path()).is_empty(), "{says}: nothing recorded");
    }
    assert!(sb.sandbox.received().is_empty(), "no request left");
}

/// Typed work survives a quit: the unsent form is kept as a draft in the data folder (owner-only,
/// no key), restored on the next start with a line saying so, and gone after it is sent.
#[tokio::test]
async fn an_unsent_form_is_kept_as_a_draft_and_restored_on_the_next_start() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.json");
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        fill(&h, "agent123", "call456", false, "Sold", "299", "");
        h.wait_for("\"custom_call_outcome_value\": 299").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let text = std::fs::read_to_string(&draft).expect("the draft is written on quit");
    assert!(text.contains("call456") && text.contains("299"), "{text}");
    assert!(
        !text.contains(sandbox::DEFAULT_KEY),
        "never the key: {text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&draft).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner only");
    }

    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        let screen = h.wait_for("Restored the form").await;
        assert!(
            screen.contains("PATCH") && screen.contains("/agent123/call456"),
            "{screen}"
        );
        h.send_ok().await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(sb.sandbox.received().len(), 1);
    assert!(!draft.exists(), "a successful send clears the draft");
}

/// The Outcome pick-list offers labels sent before, counted over the whole history on a
/// connection of its own once the first page is on screen (issue 16): through the real runtime
/// and store, a label only the history knows reaches the pick-list.
#[tokio::test]
async fn labels_sent_before_reach_the_pick_list_after_the_first_page() {
    const LABEL: &str = "Callback Booked For Tuesday Evening";
    let dir = tempfile::tempdir().unwrap();
    record_pending(dir.path(), "earlier-session", LABEL);
    let sb = start_sandbox().await;
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        let screen = h.wait_for("History (1)").await;
        assert!(
            !screen.contains(LABEL),
            "the row shows the label cut: {screen}"
        );
        h.text("agent123");
        h.key(KeyCode::Tab);
        h.text("call789");
        h.key(KeyCode::Tab);
        h.text("Callb");
        h.wait_for(LABEL).await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert!(sb.sandbox.received().is_empty(), "nothing was sent");
}

/// Issue 14: typing an agent and a valid phone number lists that number's calls (looked up in
/// the background); `p` in the list pins the selected call, the preview shows the PATCH to its
/// id with no preference, the send goes there, and the history keeps the phone and the pin.
#[tokio::test]
async fn a_pinned_call_from_the_list_gets_the_update() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        h.text("agent123");
        h.key(KeyCode::Tab);
        h.text("+14155551234");
        // Newest first: call-last-415, call-mid-415, call-first-415; first and last marked.
        h.wait_until("the calls list", |s| {
            s.contains("Calls from +14155551234") && s.contains("last  call-l")
        })
        .await;
        h.wait_for("first call-f").await;
        h.wait_for("last → call call-last-415").await;
        h.key(KeyCode::Tab); // Preference
        h.key(KeyCode::Tab); // Outcome
        h.text("Sold");
        h.key(KeyCode::Tab); // Value
        h.key(KeyCode::Tab); // Metadata
        h.key(KeyCode::Tab); // the calls list
        h.wait_for("p pin call").await;
        h.key(KeyCode::Down);
        h.key(KeyCode::Char('p'));
        let screen = h.wait_for("pinned → call call-mid-415").await;
        assert!(
            screen.contains("/api/calls/agent123/call-mid-415"),
            "the preview shows the pinned call's URL:\n{screen}"
        );
        h.wait_until("no preference in the preview", |s| {
            !s.contains("?preference=")
        })
        .await;
        h.ctrl('s');
        let screen = h.wait_for("Send this update?").await;
        // The confirmation names the pinned call, not the preference it does not use.
        assert!(
            screen.contains("+14155551234, pinned to call call-mid-415")
                && !screen.contains("last call from this number"),
            "{screen}"
        );
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated").await;
        // So does the history row: "(pinned call-mid-415)", or "(p)" where the column is
        // too narrow for it (as here, at 120 columns), never "(last)".
        let screen = h.wait_for("agent123/+14155551234 (p").await;
        assert!(!screen.contains("+14155551234 (l"), "{screen}");
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let received = sb.sandbox.received();
    let patches: Vec<_> = received.iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(patches.len(), 1, "{received:?}");
    assert_eq!(patches[0].agent, "agent123");
    assert_eq!(patches[0].target, "call-mid-415");
    assert_eq!(patches[0].query, None);
    let mid = sb.sandbox.call("agent123", "call-mid-415").unwrap();
    assert_eq!(mid.custom_call_outcome.as_deref(), Some("Sold"));
    let last = sb.sandbox.call("agent123", "call-last-415").unwrap();
    assert_eq!(
        last.updates_applied, 0,
        "the call `last` would hit is untouched"
    );
    // The history keeps the phone typed and the call pinned.
    let rows = rows(dir.path());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].target, "+14155551234");
    assert_eq!(rows[0].pinned_call.as_deref(), Some("call-mid-415"));
    assert_eq!(rows[0].state, State::Ok);
}
