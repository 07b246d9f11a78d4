//! The request pane: exactly what Ctrl+S would send (key masked), or what to fix first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane;
use crate::api::request::{AUTH_HEADER, WireRequest};
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let block = pane("Request that will be sent", false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match &app.checked {
        Ok(ready) => request_lines(
            &ready.request,
            &app.settings.credentials.masked_header(),
            usize::from(inner.width),
        ),
        Err(_) if app.form_is_empty() => vec![
            Line::styled(
                "Fill in the form: the exact request appears here as you type.",
                Style::default().fg(Color::DarkGray),
            ),
            Line::raw(""),
            Line::styled(
                "Needed: an agent, a call ID or phone, and at least one of outcome, value or \
                 metadata.",
                Style::default().fg(Color::DarkGray),
            ),
        ],
        Err(errors) => {
            let mut lines = vec![Line::styled(
                "Not ready to send. To fix:",
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            )];
            for e in errors {
                lines.push(Line::from(vec![
                    Span::styled("• ", Style::default().fg(Color::Red)),
                    Span::raw(e.message.clone()),
                ]));
            }
            lines
        }
    };
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let needed = paragraph.line_count(inner.width);
    frame.render_widget(paragraph, inner);
    if needed > usize::from(inner.height) && inner.height > 0 {
        // Never cut off silently: say that there is more, and where to see it.
        let more = needed - usize::from(inner.height) + 1;
        let marker = Line::styled(
            format!("… {more} more line(s): widen the window to see all"),
            Style::default().fg(Color::Black).bg(Color::Yellow),
        );
        let last = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(marker), last);
    }
}

/// The request as lines: request line, headers (the key masked), blank line, pretty body. The
/// request line is broken at `width` characters, so a long URL starts beside the method and
/// reads on, instead of jumping to a line of its own.
pub fn request_lines(request: &WireRequest, masked_key: &str, width: usize) -> Vec<Line<'static>> {
    let header_style = Style::default().fg(Color::DarkGray);
    let method_style = Style::default()
        .fg(Color::Magenta)
        .add_modifier(Modifier::BOLD);
    let first = format!("{} {}", request.method, request.url);
    let chars: Vec<char> = first.chars().collect();
    let mut lines: Vec<Line<'static>> = chars
        .chunks(width.max(1))
        .map(|chunk| Line::raw(chunk.iter().collect::<String>()))
        .collect();
    if let Some(line) = lines.first_mut() {
        let text = line.to_string();
        let rest = text.get(request.method.len()..).unwrap_or("").to_string();
        *line = Line::from(vec![
            Span::styled(request.method, method_style),
            Span::raw(rest),
        ]);
    }
    for (name, value) in &request.headers {
        lines.push(Line::styled(format!("{name}: {value}"), header_style));
    }
    lines.push(Line::styled(
        format!("{AUTH_HEADER}: {masked_key}"),
        header_style,
    ));
    lines.push(Line::raw(""));
    for line in request.pretty_body().lines() {
        lines.push(Line::raw(line.to_string()));
    }
    lines
}
