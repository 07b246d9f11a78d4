//! The history pane's Team view (`t`): everyone's updates from the team log, newest first, with
//! an Operator column and the same filter line. Every word from the team log is someone else's
//! text: drawn only through `inert`. When the team log is not set up or cannot be reached, the
//! pane says so in words.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::{format_time, pane};
use crate::api::inert::inert;
use crate::tui::app::{App, Focus, TeamView};

pub fn render(app: &App, team: &TeamView, frame: &mut Frame<'_>, area: Rect) {
    let focused = matches!(app.focus, Focus::History | Focus::Filter);
    let mut title = format!(
        "Team history ({}{}) · everyone's updates",
        team.rows.len(),
        if team.exhausted { "" } else { "+" }
    );
    if team.loading {
        title.push_str(" loading…");
    }
    frame.render_widget(pane(&title, focused), area);
    let (filter_line, inner) = super::history::rows_area(app, area);
    if let Some(line) = filter_line {
        super::history::render_filter(app, frame, line);
    }
    if let Some(error) = &team.error {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(inert(error).into_owned(), Style::default().fg(Color::Red)),
                Line::styled(
                    "t shows this laptop's history again.",
                    Style::default().fg(Color::DarkGray),
                ),
            ])
            .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    if team.rows.is_empty() {
        let text = if team.loading {
            "Asking the team log…"
        } else if !app.history.filter.is_empty() {
            "Nothing in the team log matches the filter. Esc clears it."
        } else {
            "The team log is empty: nobody has sent an update with it on yet."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, Style::default().fg(Color::DarkGray))),
            inner,
        );
        return;
    }
    let offset = app.settings.utc_offset;
    let first = super::history::first_visible(app, inner);
    let visible = usize::from(inner.height.saturating_sub(1)).max(1);
    let wide = inner.width >= 100;
    let (widths, header) = columns(wide);
    let call_width = super::column_widths(&widths, inner)[3];
    let rows = team.rows.iter().skip(first).take(visible).map(|row| {
        let r = row.to_record();
        let color = super::history::color(&r);
        let time = format_time(r.created_ms, offset);
        let mut cells = vec![
            Cell::from(Span::styled(
                r.mark(),
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            )),
            Cell::from(if wide {
                time.get(..16).unwrap_or(&time).to_string()
            } else {
                time.get(5..16).unwrap_or(&time).to_string()
            }),
            Cell::from(inert(&r.operator).into_owned()),
            Cell::from(
                inert(&super::call_text(
                    &r.agent,
                    &r.target,
                    r.pinned_call.as_deref().or(r.preference.as_deref()),
                    call_width,
                ))
                .into_owned(),
            ),
            Cell::from(inert(&r.set_text()).into_owned()),
        ];
        if wide {
            cells.push(Cell::from(
                r.http_status
                    .map_or_else(|| "—".to_string(), |s| s.to_string()),
            ));
        }
        cells.push(Cell::from(Span::styled(
            inert(&r.result_text()).into_owned(),
            Style::default().fg(if r.mark() == "✓" {
                Color::Reset
            } else {
                color
            }),
        )));
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
    let mut state = TableState::default().with_selected(Some(team.selected - first));
    frame.render_stateful_widget(table, inner, &mut state);
}

/// Wide: date, operator, call, set, HTTP, result; narrow drops the year and HTTP.
fn columns(wide: bool) -> (Vec<Constraint>, Vec<&'static str>) {
    if wide {
        (
            vec![
                Constraint::Length(1),
                Constraint::Length(16),
                Constraint::Length(12),
                Constraint::Fill(1),
                Constraint::Length(17),
                Constraint::Length(4),
                Constraint::Fill(1),
            ],
            vec![
                "",
                "Sent",
                "Operator",
                "Agent/target",
                "Set",
                "HTTP",
                "Result",
            ],
        )
    } else {
        (
            vec![
                Constraint::Length(1),
                Constraint::Length(11),
                Constraint::Length(8),
                Constraint::Fill(5),
                Constraint::Fill(2),
                Constraint::Fill(2),
            ],
            vec!["", "Sent", "Operator", "Agent/target", "Set", "Result"],
        )
    }
}
