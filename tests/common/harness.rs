//! The whole workbench loop on a 120×32 test terminal, driven by scripted keys; waits are on
//! screen conditions with deadlines.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use phonely_outcomes::api::key::Credentials;
use phonely_outcomes::sandbox;
use phonely_outcomes::tui::app::App;
use phonely_outcomes::tui::runtime::{Clipboard, Services, run};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(20);

pub struct Harness {
    keys: UnboundedSender<std::io::Result<Event>>,
    screen: watch::Receiver<String>,
    /// What the workbench copied.
    pub clipboard: Arc<Mutex<Vec<String>>>,
}

impl Harness {
    pub fn press(&self, code: KeyCode, modifiers: KeyModifiers) {
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, modifiers))))
            .unwrap();
    }

    pub fn key(&self, code: KeyCode) {
        self.press(code, KeyModifiers::NONE);
    }

    pub fn ctrl(&self, c: char) {
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    /// A bracketed paste, as a terminal delivers it.
    pub fn paste(&self, text: &str) {
        self.keys
            .unbounded_send(Ok(Event::Paste(text.to_string())))
            .unwrap();
    }

    pub fn text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Waits until the screen satisfies `check`; returns that screen.
    pub async fn wait_until(&mut self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            {
                let screen = self.screen.borrow_and_update();
                if check(&screen) {
                    return screen.clone();
                }
            }
            let changed = tokio::time::timeout_at(deadline, self.screen.changed()).await;
            assert!(
                matches!(changed, Ok(Ok(()))),
                "timed out waiting for {what}; screen:\n{}",
                *self.screen.borrow()
            );
        }
    }

    pub async fn wait_for(&mut self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |s| s.contains(needle))
            .await
    }

    /// Fills agent, target, (preference), outcome, value, metadata; focus ends on Metadata.
    pub fn fill(&self, agent: &str, target: &str, outcome: &str, value: &str, metadata: &str) {
        self.text(agent);
        self.key(KeyCode::Tab);
        self.text(target);
        self.key(KeyCode::Tab);
        if target.starts_with('+') {
            self.key(KeyCode::Tab);
        }
        self.text(outcome);
        self.key(KeyCode::Tab);
        self.text(value);
        self.key(KeyCode::Tab);
        self.text(metadata);
    }

    /// Ctrl+S, then Enter on the confirmation; returns the first screen after it closed
    /// (the previous result is cleared by then, so later waits see only this send's).
    pub async fn confirm_send(&mut self) -> String {
        self.ctrl('s');
        self.wait_for("Send this update?").await;
        self.key(KeyCode::Enter);
        self.wait_until("the confirmation to close", |s| {
            !s.contains("Send this update?")
        })
        .await
    }

    /// Ctrl+S, Enter, and the ✓ of that send.
    pub async fn send_ok(&mut self) -> String {
        self.confirm_send().await;
        self.wait_for("✓ Updated").await
    }
}

/// The loop against `base` with the sandbox's key and a data folder; returns the loop (to be
/// awaited alongside the script) and the harness that drives it.
pub fn workbench(
    base: &str,
    data_dir: &Path,
    timeout: Duration,
) -> (impl Future<Output = App> + use<>, Harness) {
    workbench_with_team(base, data_dir, timeout, None)
}

/// [`workbench`] with the team log on (`team`) or off.
pub fn workbench_with_team(
    base: &str,
    data_dir: &Path,
    timeout: Duration,
    team: Option<phonely_outcomes::tui::team::TeamLink>,
) -> (impl Future<Output = App> + use<>, Harness) {
    let (keys, key_stream) = unbounded();
    let (screen_tx, screen) = watch::channel(String::new());
    let credentials = Credentials::sandbox(sandbox::DEFAULT_KEY);
    let app = App::new(super::settings(base, credentials.clone()));
    let clipboard = Arc::new(Mutex::new(Vec::new()));
    let services = Services {
        data_dir: data_dir.to_path_buf(),
        profile: "sandbox".into(),
        base_url: base.to_string(),
        credentials,
        timeout,
        clipboard: Clipboard::Memory(clipboard.clone()),
        real_terminal: false,
        profiles: Arc::default(),
        team,
    };
    let fut = async move {
        let mut terminal = Terminal::new(TestBackend::new(120, 32)).unwrap();
        let mut observe = |_: &App, buffer: &Buffer| {
            let _ = screen_tx.send(super::buffer_text(buffer));
        };
        run(
            &mut terminal,
            key_stream,
            std::future::pending(),
            app,
            services,
            Some(&mut observe),
        )
        .await
        .unwrap()
    };
    (
        fut,
        Harness {
            keys,
            screen,
            clipboard,
        },
    )
}
