//! The history pane: every update sent from this data directory, newest first, with its result.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::{format_time, pane};
use crate::api::client::State;
use crate::history::Record;
use crate::tui::app::{App, Focus};

/// The colour a record's mark is shown in.
pub fn color(record: &Record) -> Color {
    match record.state {
        State::Ok => Color::Green,
        State::Unconfirmed | State::Refused | State::NetworkError => Color::Red,
        State::Pending => Color::Cyan,
        State::Cancelled | State::Unknown => Color::Yellow,
    }
}

/// Inside the pane: the filter line (while it is typed or holds a filter) and the rows.
pub fn rows_area(app: &App, area: Rect) -> (Option<Rect>, Rect) {
    let h = &app.history;
    let inner = pane("", false).inner(area);
    if app.focus == Focus::Filter || !h.filter.is_empty() || h.filter_error.is_some() {
        let [line, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        (Some(line), rest)
    } else {
        (None, inner)
    }
}

/// The index of the first row on screen: the list scrolls just enough to show the selection.
pub fn first_visible(app: &App, rows: Rect) -> usize {
    // One line is the header.
    let visible = usize::from(rows.height.saturating_sub(1)).max(1);
    let selected = app
        .history
        .team
        .as_ref()
        .map_or(app.history.selected, |t| t.selected);
    selected.saturating_sub(visible - 1)
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let focused = matches!(app.focus, Focus::History | Focus::Filter);
    let h = &app.history;
    let mut title = format!(
        "History ({}{})",
        h.rows.len(),
        if h.exhausted { "" } else { "+" }
    );
    if h.loading {
        title.push_str(" loading…");
    }
    let block = pane(&title, focused);
    frame.render_widget(block, area);
    let (filter_line, inner) = rows_area(app, area);
    if let Some(line) = filter_line {
        render_filter(app, frame, line);
    }
    if let Some(error) = &h.error {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("Could not read the history: {error}"),
                Style::default().fg(Color::Red),
            )),
            inner,
        );
        return;
    }
    if h.rows.is_empty() {
        let text = if h.loading {
            "Loading…"
        } else if !h.filter.is_empty() {
            "Nothing matches the filter. Esc clears it."
        } else {
            "No updates yet. Each update you send appears here, newest first, with what came back."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, Style::default().fg(Color::DarkGray))),
            inner,
        );
        return;
    }
    let offset = app.settings.utc_offset;
    // Build only the rows that fit (one line is the header): the pane costs the same with ten
    // rows loaded or ten thousand.
    let first = first_visible(app, inner);
    let visible = usize::from(inner.height.saturating_sub(1)).max(1);
    // Narrow panes drop the date and the latency, never the result.
    let wide = inner.width >= 100;
    let (widths, header) = columns(wide);
    let call_width = super::column_widths(&widths, inner)[if wide { 3 } else { 2 }];
    let rows = h.rows.iter().skip(first).take(visible).map(|r| {
        let (mark, color) = (r.mark(), color(r));
        let time = format_time(r.created_ms, offset);
        let mut cells = vec![
            Cell::from(Span::styled(
                mark,
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            )),
            Cell::from(if wide {
                // Minutes are enough in the list (the detail has seconds); the room goes to
                // the profile column.
                time.get(..16).unwrap_or(&time).to_string()
            } else {
                time.get(5..16).unwrap_or(&time).to_string()
            }),
        ];
        if wide {
            cells.push(Cell::from(r.profile.clone()));
        }
        cells.extend([
            Cell::from({
                // A send pinned to a call from the calls list names that call, not the
                // preference it did not use ("(p)" where the column is narrow).
                let pinned = r
                    .pinned_call
                    .as_deref()
                    .map(|c| format!("pinned {}", crate::api::inert::inert(c)));
                super::call_text(
                    &r.agent,
                    &r.target,
                    pinned.as_deref().or(r.preference.as_deref()),
                    call_width,
                )
            }),
            Cell::from(r.set_text()),
            Cell::from(
                r.http_status
                    .map_or_else(|| "—".to_string(), |s| s.to_string()),
            ),
        ]);
        if wide {
            cells.push(Cell::from(
                r.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default(),
            ));
        }
        // A send by phone that landed on another call than the calls list showed (issue 14).
        cells.push(Cell::from(match r.mismatch() {
            Some(warning) => {
                Span::styled(format!("⚠ {warning}"), Style::default().fg(Color::Yellow))
            }
            None => Span::styled(
                r.result_text(),
                Style::default().fg(if mark == "✓" { Color::Reset } else { color }),
            ),
        }));
        Row::new(cells)
    });
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .row_highlight_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        });
    let mut state = TableState::default().with_selected(Some(h.selected - first));
    frame.render_stateful_widget(table, inner, &mut state);
}

pub(super) fn render_filter(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let h = &app.history;
    let [label, input, note] = Layout::horizontal([
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Length(if h.filter_error.is_some() { 60 } else { 0 }),
    ])
    .areas(area);
    let style = if app.focus == Focus::Filter {
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    frame.render_widget(Paragraph::new(Line::styled(" Filter /", style)), label);
    frame.render_widget(&h.filter_input, input);
    if let Some(error) = &h.filter_error {
        frame.render_widget(
            Paragraph::new(Line::styled(error.clone(), Style::default().fg(Color::Red))),
            note,
        );
    }
}

/// The table's columns: wide (date, profile and latency too) or narrow. The call gets the
/// most room of the flexible ones: at 80 columns a phone and its `(last)` or `(f)` fit, and
/// `Sold · 299` still does.
fn columns(wide: bool) -> (Vec<Constraint>, Vec<&'static str>) {
    if wide {
        (
            vec![
                Constraint::Length(1),
                Constraint::Length(16),
                Constraint::Length(8),
                Constraint::Fill(1),
                Constraint::Length(17),
                Constraint::Length(4),
                Constraint::Length(7),
                Constraint::Fill(1),
            ],
            vec![
                "",
                "Sent",
                "Profile",
                "Agent/target",
                "Set",
                "HTTP",
                "Time",
                "Result",
            ],
        )
    } else {
        (
            vec![
                Constraint::Length(1),
                Constraint::Length(11),
                Constraint::Fill(5),
                Constraint::Fill(2),
                Constraint::Length(4),
                Constraint::Fill(3),
            ],
            vec!["", "Sent", "Agent/target", "Set", "HTTP", "Result"],
        )
    }
}
