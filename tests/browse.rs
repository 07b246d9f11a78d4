//! Loop test of the browse modal (issue 14): the whole runtime against the sandbox on
//! 127.0.0.1, driven by scripted keys; every wait is on a screen condition with a deadline.

mod common;

use common::harness::workbench;
use crossterm::event::{KeyCode, KeyModifiers};
use phonely_outcomes::api::client::DEFAULT_TIMEOUT;
use phonely_outcomes::api::update::Field;
use phonely_outcomes::sandbox::{self, Fault};

/// Ctrl+L from the Agent field lists agent123's calls (the sandbox's 27), newest first; `s`
/// and `d` filter (asked again of Phonely), Enter puts the newest completed call in the Target
/// field and says whose number it is. Another team's agent shows the 403 in the modal, and a
/// look-up that hangs never holds the form: Esc closes and typing goes on.
#[tokio::test]
async fn browsing_an_agents_calls_puts_one_in_the_form() {
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        h.text("agent123");
        h.ctrl('l');
        let screen = h.wait_for("calls 1–27 of 27").await;
        // Newest first: the in-progress call of the 25th, then the 22nd's.
        let at = |id: &str| screen.find(id).unwrap_or_else(|| panic!("{id}:\n{screen}"));
        assert!(at("call-617-d") < at("call-617-c"), "{screen}");
        assert!(at("call-617-c") < at("call-last-415"), "{screen}");
        h.key(KeyCode::Char('s'));
        h.wait_until("completed calls only", |s| {
            s.contains("Status: completed") && s.contains("calls 1–25 of 25")
        })
        .await;
        h.key(KeyCode::Char('d'));
        h.wait_for("Phonely lists no calls of agent123 here (today")
            .await;
        for _ in 0..3 {
            h.key(KeyCode::Char('d'));
        }
        h.wait_until("any date again", |s| {
            s.contains("Dates: any date") && s.contains("calls 1–25 of 25")
        })
        .await;
        h.key(KeyCode::Enter);
        let screen = h.wait_for("is in the Target field").await;
        assert!(
            screen.contains("Call call-617-c (from +16175550123, 2026-11-22 17:45)"),
            "{screen}"
        );
        assert!(!screen.contains("Recent calls of"), "closed:\n{screen}");
        // Another team's agent: the refusal is shown in the modal.
        h.key(KeyCode::BackTab);
        h.ctrl('u');
        h.text(sandbox::NO_ACCESS_AGENT);
        h.ctrl('l');
        let screen = h.wait_for("Could not list the calls").await;
        assert!(
            screen.contains("no access to this agent") && screen.contains("403"),
            "{screen}"
        );
        h.key(KeyCode::Esc);
        // A look-up that hangs: the modal says it is looking, Esc closes it at once and the
        // form takes keys.
        sb.sandbox.set_lookup_fault(Some(Fault::Hang));
        h.ctrl('u');
        h.text("agent456");
        h.ctrl('l');
        h.wait_for("Looking up agent456's calls 1–100").await;
        h.key(KeyCode::Esc);
        h.wait_until("the modal to close", |s| !s.contains("Recent calls of"))
            .await;
        h.press(KeyCode::Char('x'), KeyModifiers::NONE);
        h.wait_for("agent456x").await;
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    assert_eq!(app.form.text(Field::Target), "call-617-c");
    let asked = sb.sandbox.lookups();
    assert!(
        asked.iter().any(|q| q.starts_with("/api/calls/agent123?")
            && q.contains("&status=COMPLETED&limit=100&offset=0")),
        "{asked:?}"
    );
    assert!(
        asked.iter().any(|q| q.contains("start_date=")),
        "the date range went to Phonely: {asked:?}"
    );
    // Nothing was sent: browsing only looks.
    assert!(sb.sandbox.received().is_empty());
}
