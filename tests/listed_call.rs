//! Loop test: a send by phone from the workbench while its calls list is on screen is recorded
//! with the call the list showed (`listed_call`), so a mismatch with the call Phonely updated
//! stays flagged on the row after the session (issue 14).

mod common;

use common::harness::workbench;
use crossterm::event::KeyCode;
use phonely_outcomes::api::client::{DEFAULT_TIMEOUT, State};
use phonely_outcomes::history::Store;
use phonely_outcomes::sandbox;

#[tokio::test]
async fn a_send_by_phone_keeps_the_call_the_list_showed() {
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench(&sb.base_url(), dir.path(), DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        h.text("agent123");
        h.key(KeyCode::Tab);
        h.text("+14155551234");
        h.wait_for("last → call call-last-415").await;
        h.key(KeyCode::Tab); // Preference
        h.key(KeyCode::Tab); // Outcome
        h.text("Sold");
        h.send_ok().await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let store = Store::open(dir.path(), "check").unwrap();
    let rows = store.page(None, 10).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.state, State::Ok);
    assert_eq!(row.target, "+14155551234");
    assert_eq!(row.pinned_call, None);
    assert_eq!(row.listed_call.as_deref(), Some("call-last-415"));
    // Phonely updated the call the list showed: nothing to flag.
    assert_eq!(row.resolved_call_id.as_deref(), Some("call-last-415"));
    assert_eq!(row.mismatch(), None);
}
