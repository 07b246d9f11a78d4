//! The form pane: agent, target, preference, outcome, value and the metadata editor, each with
//! its error inline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

use super::pane;
use crate::api::update::{Field, Preference};
use crate::tui::app::{App, Focus, Tone};
use crate::tui::json::{self, Token};

const LABEL_WIDTH: u16 = 12;

const FIELDS: [Field; 5] = [
    Field::Agent,
    Field::Target,
    Field::Preference,
    Field::Outcome,
    Field::Value,
];

/// What a field shows under itself: its first error, or else its note.
fn under(app: &App, field: Field) -> Option<(Tone, String)> {
    if let Some(e) = app.visible_errors(field).first() {
        return Some((Tone::Error, e.message.clone()));
    }
    if field == Field::Preference && app.form.target_is_phone(app.settings.prefs.region) {
        // Which call the preference means, as the calls list knows it (issue 14).
        if let Some(line) =
            app.calls
                .preference_line(app.form.preference, app.calls_now, app.settings.utc_offset)
        {
            let tone = if app.calls.pinned().is_some() {
                Tone::Warning
            } else {
                Tone::Info
            };
            return Some((tone, line));
        }
    }
    app.note(field).cloned()
}

/// Rows the form wants for its fields (the metadata editor takes what is left).
pub fn height(app: &App) -> u16 {
    let extra: u16 = FIELDS
        .iter()
        .map(|f| u16::from(under(app, *f).is_some()))
        .sum();
    // 5 field rows + errors/notes + metadata label + at least 4 editor rows + borders.
    5 + extra + 1 + 4 + 2
}

/// Where each part of the form is inside the pane: shared by drawing and mouse clicks.
pub struct FormRows {
    /// Each field's row, and the row under it when it shows an error or a note.
    pub fields: Vec<(Field, Rect, Option<Rect>)>,
    pub metadata_label: Rect,
    pub editor: Rect,
}

pub fn rows(app: &App, inner: Rect) -> FormRows {
    // A line per field, another under each field with a note, the metadata's label, then the
    // editor taking the rest.
    let notes = FIELDS.iter().filter(|f| under(app, **f).is_some()).count();
    let areas = stacked(FIELDS.len() + notes + 2, inner);
    let mut i = 0;
    let mut fields = Vec::new();
    for f in FIELDS {
        let row = areas[i];
        i += 1;
        let note = under(app, f).is_some().then(|| {
            i += 1;
            areas[i - 1]
        });
        fields.push((f, row, note));
    }
    FormRows {
        fields,
        metadata_label: areas[i],
        editor: areas[i + 1],
    }
}

/// `n` areas stacked from the top, one line each but the last, which takes the rest: what
/// `Layout::vertical([Length(1), …, Min(1)])` gives, worked out directly when they fit (the
/// layout solver costs about a third of a millisecond for the form on the first frame, where
/// its cache is empty); the solver decides when the pane is too short.
fn stacked(n: usize, inner: Rect) -> std::rc::Rc<[Rect]> {
    let rows = u16::try_from(n).unwrap_or(u16::MAX);
    if inner.height < rows {
        let mut constraints = vec![Constraint::Length(1); n.saturating_sub(1)];
        constraints.push(Constraint::Min(1));
        return Layout::vertical(constraints).split(inner);
    }
    (0..rows)
        .map(|i| Rect {
            y: inner.y + i,
            height: if i + 1 == rows { inner.height - i } else { 1 },
            ..inner
        })
        .collect()
}

/// A field's label cell and input cell: `Layout::horizontal([Length(LABEL_WIDTH), Min(1)])`,
/// worked out directly when the row is wider than the label (each row is a new area to the
/// layout solver, so on the first frame it would solve one per field).
fn label_and_input(row: Rect) -> [Rect; 2] {
    if row.width <= LABEL_WIDTH {
        return Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)])
            .areas(row);
    }
    [
        Rect {
            width: LABEL_WIDTH,
            ..row
        },
        Rect {
            x: row.x + LABEL_WIDTH,
            width: row.width - LABEL_WIDTH,
            ..row
        },
    ]
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let in_form = app.focus != Focus::History;
    let block = pane("Update", in_form);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let layout = rows(app, inner);
    let mut outcome_input = None;
    for (f, row, note) in &layout.fields {
        let [label, input] = label_and_input(*row);
        frame.render_widget(label_line(app, *f), label);
        match f {
            Field::Preference => render_preference(app, frame, input),
            _ => frame.render_widget(editor(app, *f), input),
        }
        if *f == Field::Outcome {
            outcome_input = Some(input);
        }
        if let (Some(area), Some((tone, text))) = (note, under(app, *f)) {
            let room = usize::from(inner.width.saturating_sub(LABEL_WIDTH));
            let marker = if tone == Tone::Error { "↳ " } else { "" };
            let line = Line::from(vec![
                Span::raw(" ".repeat(usize::from(LABEL_WIDTH.saturating_sub(2)))),
                Span::styled(
                    fit(&format!("{marker}{text}"), room),
                    Style::default().fg(match tone {
                        Tone::Info => Color::DarkGray,
                        other => other.color(),
                    }),
                ),
            ]);
            frame.render_widget(Paragraph::new(line), *area);
        }
    }
    frame.render_widget(metadata_label(app), layout.metadata_label);
    let editor_area = layout.editor;
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
    colour_metadata(app, frame, text_area);
    if let Some(input) = outcome_input
        && app.outcome_menu_open()
    {
        render_pick_list(app, frame, input, inner);
    }
}

/// The Outcome field's input cell, inside the form pane's `inner` area.
pub fn outcome_input(app: &App, inner: Rect) -> Option<Rect> {
    rows(app, inner)
        .fields
        .into_iter()
        .find(|(f, _, _)| *f == Field::Outcome)
        .map(|(_, row, _)| label_and_input(row)[1])
}

/// Where the Outcome pick-list drops down (with its border), if there is room.
pub fn pick_list_area(app: &App, input: Rect, form: Rect) -> Option<Rect> {
    let count = u16::try_from(app.outcome_suggestions().len()).unwrap_or(0);
    let bottom = form.y + form.height;
    let room = bottom.saturating_sub(input.y + 1);
    (room >= 3).then(|| Rect {
        x: input.x,
        y: input.y + 1,
        width: input.width.min(40),
        height: (count + 2).min(room),
    })
}

/// The Outcome pick-list, dropped down under the field over what is below it.
fn render_pick_list(app: &App, frame: &mut Frame<'_>, input: Rect, form: Rect) {
    let suggestions = app.outcome_suggestions();
    let Some(area) = pick_list_area(app, input, form) else {
        return;
    };
    let used: std::collections::HashMap<&str, i64> = app
        .outcome_labels
        .iter()
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    let lines: Vec<Line<'_>> = suggestions
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let style = if app.outcome_pick == Some(i) {
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::default()
            };
            let count = used
                .get(label)
                .map(|n| format!(" ×{n}"))
                .unwrap_or_default();
            Line::from(vec![
                Span::styled(format!(" {label} "), style),
                Span::styled(count, Style::default().fg(Color::DarkGray)),
            ])
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_style(Style::default().fg(Color::Cyan))
                .title_bottom(Line::styled(
                    " Tab takes · Esc keeps typed ",
                    Style::default().fg(Color::DarkGray),
                )),
        ),
        area,
    );
}

/// JSON colours over the editor's cells, and the parse error's place marked. The editor draws
/// the text (cursor, selection, wrapping, scrolling); this only changes foreground colours of
/// what it drew, found through its own screen-to-text mapping.
fn colour_metadata(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let editor = &app.form.metadata;
    let lines = editor.lines();
    if area.width == 0 || lines.iter().all(String::is_empty) {
        return;
    }
    let classes = json::classify(lines);
    let error = app.metadata_check.error_at;
    let (top, left) = editor.scroll_offset();
    let buf = frame.buffer_mut();
    for dy in 0..area.height {
        let start = editor.screen_to_data(usize::from(top) + usize::from(dy), usize::from(left));
        let (line, mut col) = (start.0, start.1);
        // Rows past the text map back onto its last line: stop there.
        if dy > 0 {
            let previous =
                editor.screen_to_data(usize::from(top) + usize::from(dy) - 1, usize::from(left));
            if previous == start {
                break;
            }
        }
        let Some(chars) = classes.get(line) else {
            break;
        };
        let text: Vec<char> = lines[line].chars().collect();
        let mut dx = 0u16;
        while dx < area.width && col < chars.len() {
            let color = match chars[col] {
                Token::Key => Some(Color::Cyan),
                Token::String => Some(Color::Green),
                Token::Number => Some(Color::Magenta),
                Token::Literal => Some(Color::Yellow),
                Token::Punctuation | Token::Other => None,
            };
            // A wide character (CJK, emoji) covers two cells: colour both, move on by both.
            let width = text.get(col).map_or(1, |c| {
                unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0)
            });
            if width == 0 {
                // A combining mark shares the cell before it.
                col += 1;
                continue;
            }
            for w in 0..u16::try_from(width).unwrap_or(1) {
                if dx + w >= area.width {
                    break;
                }
                let cell = &mut buf[(area.x + dx + w, area.y + dy)];
                if let Some(color) = color {
                    cell.fg = color;
                }
                if error == Some((line, col)) {
                    cell.fg = Color::White;
                    cell.bg = Color::Red;
                    cell.modifier.insert(Modifier::BOLD);
                }
            }
            dx = dx.saturating_add(u16::try_from(width).unwrap_or(1));
            col += 1;
        }
    }
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
    let dim = field == Field::Preference && !app.form.target_is_phone(app.settings.prefs.region);
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
    if !app.form.target_is_phone(app.settings.prefs.region) {
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
    let check = &app.metadata_check;
    let state = match &check.parsed {
        Ok(None) => Span::styled(
            "optional JSON object (replaces what the call holds)",
            Style::default().fg(Color::DarkGray),
        ),
        Ok(Some(keys)) => Span::styled(
            format!(
                "✓ JSON object, {keys} key{}",
                if *keys == 1 { "" } else { "s" }
            ),
            Style::default().fg(Color::Green),
        ),
        // key=value lines, typed by people who do not write JSON: offer the conversion.
        Err(_) if check.key_values => Span::styled(
            "key=value lines: ^S or ^O make JSON",
            Style::default().fg(Color::Yellow),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows and cells worked out directly are the layout solver's, wherever they are used;
    /// too small an area still goes to the solver.
    #[test]
    fn the_direct_layout_is_the_solvers() {
        for extra in [0_u16, 1, 2] {
            let n = 8 + usize::from(extra);
            let mut constraints = vec![Constraint::Length(1); n - 1];
            constraints.push(Constraint::Min(1));
            for (height, width) in [(30, 100), (9 + extra, 40), (8, 20), (3, 80), (0, 5)] {
                let area = Rect::new(2, 3, width, height);
                assert_eq!(
                    stacked(n, area),
                    Layout::vertical(constraints.clone()).split(area),
                    "{height} rows, {n} areas"
                );
            }
        }
        for width in [0, 5, LABEL_WIDTH, LABEL_WIDTH + 1, 120] {
            let row = Rect::new(1, 4, width, 1);
            assert_eq!(
                label_and_input(row),
                Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)])
                    .areas(row),
                "width {width}"
            );
        }
    }
}
