//! The request pane: exactly what Ctrl+S would send (key masked), or what to fix first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{format_time, pane};
use crate::api::request::{AUTH_HEADER, WireRequest};
use crate::api::update::Field;
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let mut block = pane("Request that will be sent", false);
    // What this machine last set on the call rides on the bottom border: no lines taken.
    if let Some(context) = context_line(app) {
        block = block.title_bottom(context);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let paragraph = Paragraph::new(lines(app, inner.width)).wrap(Wrap { trim: false });
    let needed = paragraph.line_count(inner.width);
    // The wheel and Alt+↑/↓ scroll the pane, never past its last line.
    let scroll =
        usize::from(app.preview_scroll).min(needed.saturating_sub(usize::from(inner.height)));
    let scroll16 = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(paragraph.scroll((scroll16, 0)), inner);
    if needed > usize::from(inner.height) + scroll && inner.height > 0 {
        // Never cut off silently: say that there is more, and where to see it.
        let more = needed - scroll - usize::from(inner.height) + 1;
        let marker = Line::styled(
            format!("… {more} more line(s): Alt+↓ or the wheel scrolls, or widen the window"),
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

/// How far the preview can scroll on the current screen (`None` while it is not on screen).
pub fn max_scroll(app: &App) -> Option<u16> {
    let area = super::regions(app, app.screen)?.preview?;
    let inner = pane("", false).inner(area);
    let needed = Paragraph::new(lines(app, inner.width))
        .wrap(Wrap { trim: false })
        .line_count(inner.width);
    Some(u16::try_from(needed.saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX))
}

/// The pane's text for a pane `width` cells wide: the request, or what to fill in or fix.
fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    match &app.checked {
        Ok(ready) => request_lines(
            &ready.request,
            &app.settings.credentials.masked_header(),
            usize::from(width),
        ),
        Err(errors)
            if errors
                .iter()
                .all(|e| app.visible_errors(e.field).is_empty()) =>
        {
            vec![
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
            ]
        }
        Err(errors) => {
            // key=value metadata is no fault: Ctrl+S sends it as the JSON Ctrl+O makes.
            let key_values = app.metadata_check.convertible;
            if key_values && errors.iter().all(|e| e.field == Field::Metadata) {
                return vec![Line::styled(
                    "Metadata holds key=value lines: Ctrl+S turns them into JSON and shows the \
                     request before sending (Ctrl+O turns them now).",
                    Style::default().fg(Color::Yellow),
                )];
            }
            let errors = errors
                .iter()
                .filter(|e| !app.visible_errors(e.field).is_empty());
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
    }
}

/// What this data folder last set on the call in the form, once agent and target are valid.
fn context_line(app: &App) -> Option<Line<'static>> {
    // `context_key` is the form's call, kept by `update` on each edit: no validation per frame.
    let (agent, target) = app.context_key.as_ref()?;
    let dim = Style::default().fg(Color::DarkGray);
    let Some(context) = app
        .context
        .as_ref()
        .filter(|c| &c.agent == agent && &c.target == target)
    else {
        return Some(Line::styled(
            " Looking up earlier updates of this call… ",
            dim,
        ));
    };
    // A colleague's newest ✓ on this call, from the team log, named.
    let team = app
        .team_last_set
        .as_ref()
        .filter(|(a, t, _)| a == agent && t == target)
        .map(|(_, _, line)| {
            Span::styled(
                format!(" Team: {} ", phonely_core::inert::inert(line)),
                Style::default().fg(Color::Yellow),
            )
        });
    let Some(last) = context.records.first() else {
        // Nothing from this machine: the colleague's, alone (the pane's edge is short).
        return Some(team.map_or_else(
            || Line::styled(" No earlier update of this call from this machine ", dim),
            Line::from,
        ));
    };
    let set = last.set_text();
    let others = context.records.len() - 1;
    Some(Line::from(
        vec![
            Span::styled(" Last set here: ", dim),
            Span::raw(if set.is_empty() {
                "—".to_string()
            } else {
                set
            }),
            Span::styled(
                format!(
                    ", {} by {} {}{}",
                    format_time(last.created_ms, app.settings.utc_offset),
                    last.operator,
                    last.mark(),
                    if others > 0 {
                        format!(" (+{others} earlier; Ctrl+F lists them) ")
                    } else {
                        " ".to_string()
                    }
                ),
                dim,
            ),
        ]
        .into_iter()
        .chain(team)
        .collect::<Vec<_>>(),
    ))
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
