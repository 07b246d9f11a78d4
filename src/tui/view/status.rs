//! The status bar: the last result or the send in flight; where requests go and
//! whether a key is there (never the key); the keys that work now.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::key::KeySource;
use crate::config::Kind;
use crate::tui::app::App;
use crate::tui::keymap::hints;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// At most this many lines for the message; the history row's detail has all of it.
const MAX_MESSAGE_LINES: u16 = 3;

/// Rows the footer needs: the message (wrapped, at least one line) plus two.
pub fn height(app: &App, width: u16) -> u16 {
    let lines = Paragraph::new(message(app))
        .wrap(Wrap { trim: false })
        .line_count(width.max(1));
    u16::try_from(lines)
        .unwrap_or(MAX_MESSAGE_LINES)
        .clamp(1, MAX_MESSAGE_LINES)
        + 1
        + hint_lines(app, width)
}

/// At most this many lines of key hints (a history row at 80 columns needs three).
const MAX_HINT_LINES: usize = 3;

/// The key hints, wrapped onto more lines on a narrow screen rather than cut off; a line
/// breaks between two hints, never inside one ("F2" here and "profile" on the next line).
fn hints_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (key, what) in hints(app) {
        let key = Span::styled(
            key,
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        );
        let what = Span::raw(format!(" {what}"));
        let needed = key.width() + what.width();
        let gap = if current.is_empty() { 0 } else { 2 };
        if !current.is_empty() && used + gap + needed > width {
            lines.push(Line::from(std::mem::take(&mut current)));
            used = 0;
        } else if gap > 0 {
            current.push(Span::raw("  "));
            used += gap;
        }
        current.push(key);
        current.push(what);
        used += needed;
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    lines.truncate(MAX_HINT_LINES);
    lines
}

fn hint_lines(app: &App, width: u16) -> u16 {
    u16::try_from(hints_lines(app, width).len().max(1)).unwrap_or(1)
}

fn message(app: &App) -> Line<'static> {
    if let Some(f) = &app.in_flight {
        let frame_no = usize::try_from(f.elapsed.as_millis() / 100).unwrap_or(0) % SPINNER.len();
        let sending = Span::styled(
            format!(
                "{} Sending {} … {:.1} s (Esc cancels)",
                SPINNER[frame_no],
                f.summary,
                f.elapsed.as_secs_f32()
            ),
            Style::default().fg(Color::Cyan),
        );
        // A first Ctrl+Q during the send: its warning shows beside the spinner, not under it.
        match app.status.as_ref().filter(|_| app.quit_armed) {
            Some(status) => Line::from(vec![
                sending,
                Span::raw(" · "),
                Span::styled(
                    status.text.clone(),
                    Style::default().fg(status.tone.color()),
                ),
            ]),
            None => Line::from(sending),
        }
    } else if let Some(status) = &app.status {
        Line::styled(
            status.text.clone(),
            Style::default().fg(status.tone.color()),
        )
    } else {
        Line::raw("")
    }
}

/// The profile's badge: calm for the sandbox, loud for production.
pub fn badge(kind: Kind) -> Style {
    match kind {
        Kind::Sandbox => Style::default()
            .fg(Color::Black)
            .bg(Color::Green)
            .add_modifier(Modifier::BOLD),
        Kind::Local => Style::default().fg(Color::Black).bg(Color::Cyan),
        Kind::Live => Style::default()
            .fg(Color::Black)
            .bg(Color::Yellow)
            .add_modifier(Modifier::BOLD),
        Kind::Production => Style::default()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD),
    }
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let s = &app.settings;
    let mut first: Vec<Span<'static>> = vec![
        Span::styled(
            format!(" {} ", app.profile.kind.label()),
            badge(app.profile.kind),
        ),
        Span::styled(
            format!(" profile {} ", app.profile.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ];
    if let Some(name) = &app.switching {
        first.push(Span::styled(
            format!("(switching to {name}…) "),
            Style::default().fg(Color::Cyan),
        ));
    }
    first.push(Span::raw(format!("→ {} ", s.base_url.as_str())));
    let key = match &s.credentials.key {
        Some(_) => Span::styled(
            format!("key ✓ ({}) ", s.credentials.source.describe()),
            Style::default().fg(Color::Green),
        ),
        None => Span::styled(
            match &s.credentials.source {
                KeySource::Env(_) => format!("no key (set {}) ", s.credentials.source.shell_expr()),
                other => format!("no key ({}: see the message above) ", other.describe()),
            },
            Style::default().fg(Color::Red),
        ),
    };
    first.push(key);
    if let Some(team) = &app.team_status {
        first.push(Span::styled(
            format!("· {team} "),
            Style::default().fg(Color::Yellow),
        ));
    }
    // The hints once for the frame: their lines and how many.
    let hints = hints_lines(app, area.width);
    let hint_rows = u16::try_from(hints.len().max(1)).unwrap_or(1);
    let [message_area, where_to, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(hint_rows),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(message(app)).wrap(Wrap { trim: false }),
        message_area,
    );
    frame.render_widget(Paragraph::new(Line::from(first)), where_to);
    frame.render_widget(Paragraph::new(hints), keys);
}
