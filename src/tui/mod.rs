//! The workbench: an Elm-like loop. `keymap` turns events into `Action`s, `update` changes the
//! `App` and returns `Effect`s, `view` draws, `runtime` runs effects and feeds results back.

pub mod action;
pub mod app;
pub mod browse;
pub mod calls;
pub mod draft;
pub mod effect;
pub mod json;
pub mod keymap;
pub(crate) mod lookup;
pub mod paths;
pub mod profiles;
pub mod runtime;
pub mod team;
pub mod theme;
pub mod update;
pub mod view;

use std::io::stdout;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use crossterm::execute;
use futures::StreamExt as _;

use app::App;
use runtime::Services;

/// Runs the workbench in the real terminal. The terminal is restored on every way out: normal
/// exit, error, Ctrl+C, SIGTERM/SIGHUP, and panic (through the hook installed here).
pub async fn run_in_terminal(app: App, services: Services) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    // ratatui's hook restores the screen; ours, run first, also turns bracketed paste and mouse reporting off.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
        ratatui_hook(info);
    }));
    let _ = execute!(stdout(), EnableBracketedPaste);
    if app.mouse_capture {
        let _ = execute!(stdout(), EnableMouseCapture);
    }
    // The event stream starts a reader thread: create it on first poll, after the first frame
    // is on screen (keys typed meanwhile wait in the terminal's buffer).
    let events = Box::pin(futures::stream::once(async { EventStream::new() }).flatten());
    let result = runtime::run(
        &mut terminal,
        events,
        shutdown_signal(),
        app,
        services,
        None,
    )
    .await;
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
    result.map(|_| ())
}

/// Resolves on SIGTERM or SIGHUP (Ctrl+C arrives as a key in raw mode).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
