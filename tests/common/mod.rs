//! Helpers shared by the integration tests: app states, screens as text, waiting with deadlines.
#![allow(dead_code)]

pub mod cli_env;
pub mod harness;
pub mod tty;

use std::time::{Duration, Instant};

use phonely_outcomes::api::client::{Completion, HttpResponse};
use phonely_outcomes::api::factory;
use phonely_outcomes::api::key::Credentials;
use phonely_outcomes::api::request::BaseUrl;
use phonely_outcomes::history::{Provenance, Record};
use phonely_outcomes::tui::action::{Action, SendAction};
use phonely_outcomes::tui::app::{App, Settings};
use phonely_outcomes::tui::update::update;
use phonely_outcomes::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui_textarea::{Input, Key};

/// 2026-11-25 10:32:00 UTC, so snapshots do not depend on the clock.
pub const FIXED_MS: i64 = 1_795_602_720_000;

pub fn settings(base: &str, credentials: Credentials) -> Settings {
    Settings {
        base_url: BaseUrl::parse(base).unwrap(),
        sandbox: true,
        credentials,
        utc_offset: time::UtcOffset::UTC,
        duplicate_window_ms: phonely_outcomes::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
        prefs: phonely_outcomes::tui::app::Prefs::default(),
    }
}

pub fn app() -> App {
    let mut a = App::new(settings(
        "http://127.0.0.1:8787",
        Credentials::sandbox("sandbox-key"),
    ));
    a.history.loading = false;
    a.history.exhausted = true;
    a
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let input = if c == '\n' {
            Input {
                key: Key::Enter,
                ..Input::default()
            }
        } else {
            Input {
                key: Key::Char(c),
                ..Input::default()
            }
        };
        update(app, Action::Edit(input));
    }
}

/// Types the docs' example 1 into the form (agent, call, outcome, value, metadata).
pub fn fill_example1(app: &mut App) {
    type_text(app, "agent123");
    update(app, Action::FocusNext);
    type_text(app, "call456");
    update(app, Action::FocusNext);
    type_text(app, "Sold");
    update(app, Action::FocusNext);
    type_text(app, "299");
    update(app, Action::FocusNext);
    type_text(
        app,
        r#"{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}"#,
    );
}

/// Ctrl+S as the runtime completes it: no duplicate found, the confirmation opens.
pub fn ctrl_s(app: &mut App) {
    use phonely_outcomes::tui::effect::Effect;
    let effects = update(app, Action::Send(SendAction::Request));
    // (Ctrl+S may also keep the form as a draft, when it turned key=value lines into JSON.)
    if let Some(Effect::PrepareSend {
        ready, resend_of, ..
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::PrepareSend { .. }))
    {
        let c = phonely_outcomes::tui::update::confirmation(
            (**ready).clone(),
            None,
            resend_of.as_deref().cloned(),
        );
        update(app, Action::Send(SendAction::ConfirmReady(c)));
    }
}

/// A history record for the app's current (valid) form, completed as given.
pub fn record(app: &App, completion: Option<Completion>) -> Record {
    let ready = app.checked.clone().expect("form is valid");
    let who = Provenance {
        operator: "sam".into(),
        profile: "sandbox".into(),
        base_url: "http://127.0.0.1:8787".into(),
    };
    let r = factory::pending(1, "test", &who, &ready.update, &ready.request, FIXED_MS);
    match completion {
        None => r,
        Some(c) => factory::completed(r, &c, Duration::from_millis(42), FIXED_MS + 42),
    }
}

pub fn answered(status: u16, body: &str) -> Completion {
    Completion::Answered(HttpResponse {
        status,
        body: body.to_string(),
        truncated: false,
        retry_after: None,
    })
}

pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view(app, f)).unwrap();
    buffer_text(terminal.backend().buffer())
}

/// Polls `check` until it returns true or the deadline passes.
pub fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::yield_now();
        std::thread::park_timeout(Duration::from_millis(5));
    }
}
