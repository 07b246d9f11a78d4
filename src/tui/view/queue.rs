//! The queue pane: a batch file's rows with what the checks say, what was sent and how it
//! went, a gauge and live counts.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, LineGauge, Paragraph, Row, Table, TableState};

use super::pane;
use crate::api::client::State;
use crate::api::inert::inert;
use crate::tui::app::{App, Focus, ItemStatus, Queue, QueueRun};

/// Inside the pane: the gauge line and the rows (one line of which is the header).
pub fn parts(area: Rect) -> (Rect, Rect) {
    let inner = pane("", false).inner(area);
    let [gauge, rows] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    (gauge, rows)
}

/// The index of the first row on screen: the list scrolls just enough to show the selection.
pub fn first_visible(queue: &Queue, rows: Rect) -> usize {
    let visible = usize::from(rows.height.saturating_sub(1)).max(1);
    queue.selected.saturating_sub(visible - 1)
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let Some(q) = &app.queue else {
        return;
    };
    let focused = app.focus == Focus::Queue;
    let c = q.counts();
    let state = match q.run {
        QueueRun::Paused => " · paused",
        QueueRun::Sending => " · sending",
        QueueRun::Idle | QueueRun::Checking => "",
    };
    let title = format!("Queue: {}{state}", q.file);
    let block = pane(&title, focused);
    frame.render_widget(block, area);
    let (gauge_area, rows_area) = parts(area);
    // A row in the form is still to send (from there): it counts.
    let sendable = c.ok + c.failed + c.unknown + c.sending + c.waiting + c.in_form;
    let done = c.ok + c.failed + c.unknown;
    let ratio = if sendable == 0 {
        0.0
    } else {
        f64::from(u32::try_from(done).unwrap_or(u32::MAX))
            / f64::from(u32::try_from(sendable).unwrap_or(u32::MAX))
    };
    let in_form = if c.in_form > 0 {
        format!("  ✎ {}", c.in_form)
    } else {
        String::new()
    };
    let label = format!(
        "{done}/{sendable}  ✓ {}  ✗ {}  ? {}  … {}  to fix {}  excluded {}{in_form}",
        c.ok, c.failed, c.unknown, c.sending, c.to_fix, c.excluded
    );
    frame.render_widget(
        LineGauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(label)
            .filled_style(Style::default().fg(if c.failed + c.unknown > 0 {
                Color::Yellow
            } else {
                Color::Green
            })),
        gauge_area,
    );
    if let Some(problem) = q.file_errors.first().filter(|_| q.items.is_empty()) {
        frame.render_widget(
            Paragraph::new(Line::styled(
                problem.clone(),
                Style::default().fg(Color::Red),
            )),
            rows_area,
        );
        return;
    }
    let first = first_visible(q, rows_area);
    let visible = usize::from(rows_area.height.saturating_sub(1)).max(1);
    let widths = [
        Constraint::Length(1),
        Constraint::Length(5),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(3),
    ];
    let call_width = super::column_widths(&widths, rows_area)[2];
    let rows = q
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(n, item)| {
            let (mark, color, text) = match (&item.status, &item.ready) {
                (ItemStatus::Done { state, text }, _) => (
                    state.mark(),
                    if *state == State::Ok {
                        Color::Green
                    } else {
                        Color::Red
                    },
                    text.clone(),
                ),
                (ItemStatus::Sending, _) => ("…", Color::Cyan, "sending…".to_string()),
                (ItemStatus::Waiting, _) if q.in_form == Some(n) => (
                    "✎",
                    Color::Cyan,
                    "in the form: Ctrl+S there sends it".to_string(),
                ),
                (ItemStatus::Waiting, _) if item.excluded => (
                    "–",
                    Color::DarkGray,
                    "excluded (x puts it back)".to_string(),
                ),
                (ItemStatus::Waiting, Err(problem)) => ("!", Color::Yellow, problem.clone()),
                (ItemStatus::Waiting, Ok(ready)) => {
                    let typed = Some(item.entry.cell("target")).filter(|t| !t.is_empty());
                    let warnings = app.warnings(&ready.update, typed);
                    if warnings.is_empty() {
                        ("·", Color::Reset, "ready".to_string())
                    } else {
                        ("·", Color::Yellow, format!("⚠ {}", warnings.join("; ")))
                    }
                }
            };
            // As the history shows it: outcome · value · {…}
            let e = &item.entry;
            let set = [
                e.cell("outcome"),
                e.cell("value"),
                if e.cell("metadata").is_empty() {
                    ""
                } else {
                    "{…}"
                },
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            // The file's cells and what came back are shown inert: a cell can hold a
            // bidirectional override or an escape sequence.
            let (set, text) = (inert(&set).into_owned(), inert(&text).into_owned());
            Row::new(vec![
                Cell::from(Span::styled(
                    mark,
                    Style::default().fg(color).add_modifier(Modifier::BOLD),
                )),
                Cell::from(item.entry.line.to_string()),
                // Which call of a number: what the row sends, else what its cell says.
                Cell::from(super::call_text(
                    &inert(item.entry.cell("agent_id")),
                    &inert(item.entry.target()),
                    match &item.ready {
                        Ok(ready) => ready
                            .update
                            .target
                            .preference()
                            .map(crate::api::update::Preference::as_str),
                        Err(_) => Some(item.entry.cell("preference")).filter(|p| !p.is_empty()),
                    },
                    call_width,
                )),
                Cell::from(set),
                Cell::from(Span::styled(
                    text,
                    Style::default().fg(if color == Color::Green {
                        Color::Reset
                    } else {
                        color
                    }),
                )),
            ])
        });
    let table = Table::new(rows, widths)
        .header(
            Row::new(vec!["", "Line", "Agent/call", "Set", "State"])
                .style(Style::default().add_modifier(Modifier::BOLD)),
        )
        .column_spacing(1)
        .row_highlight_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        });
    let mut state = TableState::default().with_selected(Some(q.selected - first));
    frame.render_stateful_widget(table, rows_area, &mut state);
}
