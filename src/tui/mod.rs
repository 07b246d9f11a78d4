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

use std::io::{BufWriter, Stdout, stdout};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use crossterm::{execute, queue};
use futures::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use app::App;
use runtime::Services;

/// Runs the workbench in the real terminal. The terminal is restored on every way out: normal
/// exit, error, Ctrl+C, SIGTERM/SIGHUP, and panic (through the hook installed here).
pub async fn run_in_terminal(app: App, services: Services) -> std::io::Result<()> {
    // Restores the screen on a panic, after turning bracketed paste and mouse reporting off.
    let earlier_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
        ratatui::restore();
        earlier_hook(info);
    }));
    let mut terminal = match open_terminal(app.mouse_capture) {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(e);
        }
    };
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

/// Bytes a frame may take before it is written: a full 160×48 frame of the workbench is about
/// 6 KB; a bigger one is written in pieces of this size.
const FRAME_BUFFER: usize = 64 * 1024;

/// Raw mode, the alternate screen, bracketed paste (and mouse reporting when on), and a terminal
/// whose frames each leave in one write. Standard output's own buffer writes every 1 KiB, so a
/// frame went out in six writes, each a wake-up of the terminal (measured: the first frame's
/// bytes arrived over about 2 ms); now the set-up and the first frame are one write.
fn open_terminal(mouse: bool) -> std::io::Result<Terminal<CrosstermBackend<BufWriter<Stdout>>>> {
    enable_raw_mode()?;
    let mut out = BufWriter::with_capacity(FRAME_BUFFER, stdout());
    queue!(out, EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        queue!(out, EnableMouseCapture)?;
    }
    Terminal::new(CrosstermBackend::new(out))
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
