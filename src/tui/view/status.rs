//! The status bar: where requests go, whether a key is there (never the key), the last result
//! or the send in flight, and the keys that work now.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::hints;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let s = &app.settings;
    let mut first: Vec<Span<'static>> = Vec::new();
    if s.sandbox {
        first.push(Span::styled(
            " SANDBOX ",
            Style::default()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
        ));
    } else if s.base_url.is_loopback() {
        first.push(Span::styled(
            " LOCAL ",
            Style::default().fg(Color::Black).bg(Color::Cyan),
        ));
    } else {
        first.push(Span::styled(
            " LIVE ",
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ));
    }
    first.push(Span::raw(format!(" → {} ", s.base_url.as_str())));
    let key = match &s.credentials.key {
        Some(_) => Span::styled(
            format!("key ✓ ({}) ", s.credentials.source.describe()),
            Style::default().fg(Color::Green),
        ),
        None => Span::styled(
            format!("no key (set {}) ", s.credentials.source.shell_expr()),
            Style::default().fg(Color::Red),
        ),
    };
    first.push(key);
    if let Some(f) = &app.in_flight {
        let frame_no = usize::try_from(f.elapsed.as_millis() / 100).unwrap_or(0) % SPINNER.len();
        first.push(Span::styled(
            format!(
                "{} Sending {} … {:.1} s (Esc cancels)",
                SPINNER[frame_no],
                f.summary,
                f.elapsed.as_secs_f32()
            ),
            Style::default().fg(Color::Cyan),
        ));
    } else if let Some(status) = &app.status {
        first.push(Span::styled(
            status.text.clone(),
            Style::default().fg(status.tone.color()),
        ));
    }
    let mut second: Vec<Span<'static>> = Vec::new();
    for (key, what) in hints(app) {
        second.push(Span::styled(
            format!(" {key} "),
            Style::default().add_modifier(Modifier::REVERSED),
        ));
        second.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}
