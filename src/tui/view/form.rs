//! The form pane: agent, target, preference, outcome, value and the metadata editor, each with
//! its error inline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::TextArea;

use super::pane;
use crate::api::update::{Field, Preference, parse_metadata};
use crate::tui::app::{App, Focus};

const LABEL_WIDTH: u16 = 12;

/// Rows the form wants for its fields (the metadata editor takes what is left).
pub fn height(app: &App) -> u16 {
    let errors: u16 = [
        Field::Agent,
        Field::Target,
        Field::Preference,
        Field::Outcome,
        Field::Value,
    ]
    .iter()
    .map(|f| u16::from(!app.visible_errors(*f).is_empty()))
    .sum();
    // 5 field rows + errors + metadata label + at least 4 editor rows + borders.
    5 + errors + 1 + 4 + 2
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let in_form = app.focus != Focus::History;
    let block = pane("Update", in_form);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut rows: Vec<Constraint> = Vec::new();
    let fields = [
        Field::Agent,
        Field::Target,
        Field::Preference,
        Field::Outcome,
        Field::Value,
    ];
    for f in fields {
        rows.push(Constraint::Length(1));
        if !app.visible_errors(f).is_empty() {
            rows.push(Constraint::Length(1));
        }
    }
    rows.push(Constraint::Length(1));
    rows.push(Constraint::Min(1));
    let areas = Layout::vertical(rows).split(inner);
    let mut i = 0;
    for f in fields {
        let row = areas[i];
        i += 1;
        let [label, input] =
            Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)]).areas(row);
        frame.render_widget(label_line(app, f), label);
        match f {
            Field::Preference => render_preference(app, frame, input),
            _ => frame.render_widget(editor(app, f), input),
        }
        let errors = app.visible_errors(f);
        if let Some(e) = errors.first() {
            let room = usize::from(inner.width.saturating_sub(LABEL_WIDTH));
            let line = Line::from(vec![
                Span::raw(" ".repeat(usize::from(LABEL_WIDTH.saturating_sub(2)))),
                Span::styled(
                    fit(&format!("↳ {}", e.message), room),
                    Style::default().fg(Color::Red),
                ),
            ]);
            frame.render_widget(Paragraph::new(line), areas[i]);
            i += 1;
        }
    }
    frame.render_widget(metadata_label(app), areas[i]);
    let editor_area = areas[i + 1];
    let gutter =
        Block::default()
            .borders(Borders::LEFT)
            .border_style(if app.focus == Focus::Metadata {
                Style::default().fg(Color::Cyan)
            } else {
                Style::default().fg(Color::DarkGray)
            });
    let text_area = gutter.inner(editor_area);
    frame.render_widget(gutter, editor_area);
    frame.render_widget(&app.form.metadata, text_area);
}

fn editor(app: &App, field: Field) -> &TextArea<'static> {
    match field {
        Field::Agent => &app.form.agent,
        Field::Target => &app.form.target,
        Field::Outcome => &app.form.outcome,
        Field::Value => &app.form.value,
        _ => &app.form.metadata,
    }
}

fn label_line(app: &App, field: Field) -> Line<'static> {
    let focused = app.focus.field() == Some(field);
    let dim = field == Field::Preference && !app.form.target_is_phone();
    let text = match field {
        Field::Target => "Call/phone",
        other => other.label(),
    };
    let style = if focused {
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else if dim {
        Style::default().fg(Color::DarkGray)
    } else {
        Style::default()
    };
    let marker = if focused { "▸" } else { " " };
    Line::styled(format!("{marker}{text}"), style)
}

fn render_preference(app: &App, frame: &mut Frame<'_>, area: Rect) {
    if !app.form.target_is_phone() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "only for phone numbers",
                Style::default().fg(Color::DarkGray),
            )),
            area,
        );
        return;
    }
    let focused = app.focus == Focus::Preference;
    let choice = |p: Preference, text: &'static str| {
        let on = app.form.preference == p;
        let mark = if on { "●" } else { "○" };
        let mut style = Style::default();
        if on {
            style = style.add_modifier(Modifier::BOLD);
            if focused {
                style = style.add_modifier(Modifier::REVERSED);
            }
        }
        Span::styled(format!("{mark} {text}"), style)
    };
    let line = Line::from(vec![
        choice(Preference::Last, "last call"),
        Span::raw("   "),
        choice(Preference::First, "first call"),
        Span::styled("  from this number", Style::default().fg(Color::DarkGray)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn metadata_label(app: &App) -> Line<'static> {
    let focused = app.focus == Focus::Metadata;
    let style = if focused {
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    let marker = if focused { "▸" } else { " " };
    let text = app.form.text(Field::Metadata);
    let state = match parse_metadata(&text) {
        Ok(None) => Span::styled(
            "optional JSON object (replaces what the call holds)",
            Style::default().fg(Color::DarkGray),
        ),
        Ok(Some(map)) => Span::styled(
            format!(
                "✓ JSON object, {} key{}",
                map.len(),
                if map.len() == 1 { "" } else { "s" }
            ),
            Style::default().fg(Color::Green),
        ),
        Err(message) => Span::styled(
            format!("✗ {}", message.trim_start_matches("Metadata ")),
            Style::default().fg(Color::Red),
        ),
    };
    Line::from(vec![
        Span::styled(format!("{marker}{:<11}", "Metadata"), style),
        state,
    ])
}

/// Cuts text to `width` characters, ending in "…" when cut (the full text is in the request
/// pane's list of what to fix).
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}
