//! The history pane as the team's audit log, through the whole loop against the sandbox:
//! filter, every update for a call, load into the form, resend, the duplicate guard, copy as
//! curl, the call's context while typing, and two workbenches on one database.

mod common;

use std::time::Duration;

use common::harness::workbench;
use crossterm::event::KeyCode;
use phonely_outcomes::api::client::{DEFAULT_TIMEOUT, State};
use phonely_outcomes::history::Store;
use phonely_outcomes::sandbox::{self, Fault};

async fn start_sandbox() -> sandbox::RunningSandbox {
    sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap()
}

fn rows(dir: &std::path::Path) -> Vec<phonely_outcomes::history::Record> {
    Store::open(dir, "reader").unwrap().page(None, 100).unwrap()
}

#[tokio::test]
async fn find_fix_resend_and_be_warned_before_sending_twice() {
    let sb = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        // Three updates: one for call456, one for another call, one refused.
        h.fill("agent123", "call456", "Sold", "299", "");
        h.send_ok().await;
        // The form kept the agent and outcome and waits on the (empty) call field.
        h.text("call1003");
        h.wait_for("agent123/call1003").await;
        h.send_ok().await;
        h.ctrl('u');
        h.text("no-such-call");
        h.wait_for("agent123/no-such-call").await;
        h.confirm_send().await;
        h.wait_for("✗ Refused").await;

        // Every update for call456: the form names it; Ctrl+F lists them.
        h.ctrl('u');
        h.text("call456");
        h.wait_for(" Last set here: Sold · 299").await;
        h.ctrl('f');
        let screen = h
            .wait_until("only call456 rows", |s| {
                s.contains("History (1)") && s.contains("Filter /")
            })
            .await;
        assert!(screen.contains("agent123/call456"), "{screen}");
        assert!(!screen.contains("call1003"), "{screen}");

        // Which failed? `/` and a state.
        h.key(KeyCode::Esc);
        h.wait_for("History (3)").await;
        h.key(KeyCode::Char('/'));
        h.text("state:failed");
        let screen = h.wait_for("History (1)").await;
        assert!(screen.contains("no-such-call"), "{screen}");
        h.key(KeyCode::Esc);
        h.wait_for("History (3)").await;

        // Load the call456 update into the form, fix the value, send it again.
        h.key(KeyCode::Down);
        h.key(KeyCode::Down);
        h.key(KeyCode::Char('e'));
        h.wait_for("Update #1 is in the form").await;
        h.key(KeyCode::Tab);
        h.ctrl('u');
        h.text("349");
        h.wait_for("\"custom_call_outcome_value\": 349").await;
        h.send_ok().await;

        // `r` on the newest row resends it as it was: the same update went through moments
        // ago, so the confirmation says so and asks twice. (Focus is back on the call field:
        // two steps back reach the history.)
        h.key(KeyCode::BackTab);
        h.key(KeyCode::BackTab);
        h.wait_for("History (4)").await;
        h.key(KeyCode::Home);
        h.key(KeyCode::Char('r'));
        let screen = h.wait_for("This exact update was already sent at").await;
        assert!(screen.contains("Resending"), "{screen}");
        h.key(KeyCode::Enter);
        h.wait_for("Press Enter again to send it once more").await;
        h.key(KeyCode::Esc);

        // `y` copies it as curl, the key left to the shell.
        h.key(KeyCode::Char('y'));
        h.wait_for("Copied update #4 as a curl command").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let copied = h.clipboard.lock().unwrap().clone();
    assert_eq!(copied.len(), 1);
    assert!(copied[0].contains("-H \"X-Authorization: $PHONELY_API_KEY\""));
    assert!(copied[0].contains("\"custom_call_outcome_value\":349"));
    assert!(!copied[0].contains(sandbox::DEFAULT_KEY));
    let all = rows(dir.path());
    assert_eq!(all.len(), 4, "the duplicate was not sent");
    assert_eq!(
        sb.sandbox
            .call("agent123", "call456")
            .unwrap()
            .updates_applied,
        2
    );
}

#[tokio::test]
async fn two_workbenches_share_a_database_without_marking_live_sends_unknown() {
    let sb = start_sandbox().await;
    sb.sandbox.push_fault(Fault::Hang);
    let dir = tempfile::tempdir().unwrap();
    let (first, mut a) = workbench(&sb.base_url(), dir.path(), Duration::from_secs(60));
    let (second_done_tx, second_done_rx) = tokio::sync::oneshot::channel::<()>();
    let script_a = async {
        a.fill("agent123", "call456", "Sold", "", "");
        a.ctrl('s');
        a.wait_for("Send this update?").await;
        a.key(KeyCode::Enter);
        a.wait_for("(Esc cancels)").await;
        a.wait_until("the pending row", |s| s.contains("… 20"))
            .await;
        // The second workbench opens the same database while this send hangs.
        let (second, mut b) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
        let script_b = async {
            let screen = b.wait_for("History (1)").await;
            assert!(
                screen.contains("sending…"),
                "a live send stays pending:\n{screen}"
            );
            assert!(!screen.contains("outcome unknown"), "{screen}");
            b.ctrl('q');
        };
        tokio::join!(second, script_b);
        let _ = second_done_tx.send(());
        a.key(KeyCode::Esc);
        a.wait_for("cancelled (may be applied)").await;
        a.ctrl('q');
    };
    tokio::join!(first, script_a);
    assert!(second_done_rx.await.is_ok());
    assert_eq!(rows(dir.path())[0].state, State::Cancelled);
}
