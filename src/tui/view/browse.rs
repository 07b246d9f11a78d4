//! The browse modal (issue 14): a page of the agent's recent calls, newest first, its filters,
//! "calls 1–100 of 2,345", and what went wrong when the look-up failed. Reads `App::browse`
//! only; everything Phonely sent is shown through `inert` (via `one_line`). Its keys are in the
//! footer (from `keymap::browse_bindings`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Cell, Clear, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap,
};

use super::calls::compact_day_time;
use crate::api::outcome::one_line;
use crate::tui::app::App;
use crate::tui::browse::{Browse, BrowseState, thousands};
use crate::tui::calls::{ago, day_time, short_duration};

/// From this inner width up, the "ago" and type columns are shown.
const WIDE: u16 = 110;

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let b = &app.browse;
    // The screen less a margin (the footer's keys stay in sight below it).
    let [h] = Layout::horizontal([Constraint::Length(area.width.saturating_sub(4).min(160))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::vertical([Constraint::Length(area.height.saturating_sub(4))])
        .flex(Flex::Center)
        .areas(h);
    let agent = b.agent.as_ref().map_or("?", |a| a.as_str());
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(Color::Cyan))
        .title(Line::styled(
            format!(
                " Recent calls of {} · {} ",
                one_line(agent, 40),
                app.profile.name
            ),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [filters, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(filter_line(b)), filters);
    let dim = Style::default().fg(Color::DarkGray);
    let note = |lines: Vec<Line<'static>>, frame: &mut Frame<'_>| {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
    };
    match &b.state {
        BrowseState::Idle => note(vec![Line::styled("Nothing asked yet.", dim)], frame),
        BrowseState::Waiting => note(
            vec![Line::styled(
                format!(
                    "Looking up {}'s calls {}–{}… (the form is not waiting for it; Esc closes)",
                    one_line(agent, 40),
                    thousands(b.offset + 1),
                    thousands(b.offset + u64::from(b.page_size()))
                ),
                dim,
            )],
            frame,
        ),
        BrowseState::Failed(message) => note(
            vec![
                Line::styled(
                    format!("Could not list the calls: {}", one_line(message, 400)),
                    Style::default().fg(Color::Red),
                ),
                Line::raw(""),
                Line::styled(
                    "r tries again; Esc closes. Sending by call ID or by phone still works.",
                    dim,
                ),
            ],
            frame,
        ),
        BrowseState::Loaded(page) if page.calls.is_empty() => note(
            vec![Line::styled(
                format!(
                    "Phonely lists no calls of {} here ({}, status {}). d and s change the \
                     filters.",
                    one_line(agent, 40),
                    b.range.label(),
                    status_label(b)
                ),
                dim,
            )],
            frame,
        ),
        BrowseState::Loaded(_) => table(app, frame, body),
    }
    let mut spans = Vec::new();
    if let Some(range) = b.range_line() {
        spans.push(Span::styled(
            range,
            Style::default().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::styled(" · newest first on this page", dim));
    }
    if b.in_flight() && matches!(b.state, BrowseState::Loaded(_)) {
        spans.push(Span::styled(" · looking up…", dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), foot);
}

fn status_label(b: &Browse) -> String {
    b.status.map_or_else(
        || "any".to_string(),
        |s| s.as_str().to_lowercase().replace('_', " "),
    )
}

/// `Dates: last 7 days (d)   Status: any (s)`.
fn filter_line(b: &Browse) -> Line<'static> {
    let dim = Style::default().fg(Color::DarkGray);
    let bold = Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    Line::from(vec![
        Span::styled("Dates: ", dim),
        Span::styled(b.range.label(), bold),
        Span::styled(" (d)   Status: ", dim),
        Span::styled(status_label(b), bold),
        Span::styled(" (s)", dim),
    ])
}

fn table(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let b = &app.browse;
    let (now, offset) = (b.answered_at, app.settings.utc_offset);
    let wide = area.width >= WIDE;
    let text = |s: Option<&str>, max: usize| s.map(|s| one_line(s, max)).unwrap_or_default();
    let rows = b.calls().iter().map(|c| {
        let started = c.started.map_or_else(
            || one_line(c.started_at.as_deref().unwrap_or("?"), 20),
            |t| {
                if wide {
                    day_time(t, now, offset)
                } else {
                    compact_day_time(t, now, offset)
                }
            },
        );
        let mut cells = vec![
            Cell::from(one_line(c.id.as_deref().unwrap_or("(no id)"), 80)),
            Cell::from(started),
        ];
        if wide {
            cells.push(Cell::from(
                c.started.map(|t| ago(t, now)).unwrap_or_default(),
            ));
        }
        cells.extend([
            Cell::from(c.duration.map(short_duration).unwrap_or_default()),
            Cell::from(
                text(c.status.as_deref(), 20)
                    .to_lowercase()
                    .replace('_', " "),
            ),
            Cell::from(text(c.customer_phone_number.as_deref(), 20)),
        ]);
        if wide {
            cells.push(Cell::from(text(c.call_type.as_deref(), 40)));
        }
        cells.push(Cell::from(text(c.c_outcome.as_deref(), 80)));
        Row::new(cells)
    });
    let (widths, header) = if wide {
        (
            vec![
                Constraint::Fill(3),
                Constraint::Length(16),
                Constraint::Length(10),
                Constraint::Length(10),
                Constraint::Length(11),
                Constraint::Length(16),
                Constraint::Length(17),
                Constraint::Fill(3),
            ],
            vec![
                "Call",
                "Started",
                "",
                "Length",
                "Status",
                "Phone",
                "Type",
                "AI outcome",
            ],
        )
    } else {
        (
            vec![
                Constraint::Fill(3),
                Constraint::Length(11),
                Constraint::Length(7),
                Constraint::Length(11),
                Constraint::Length(13),
                Constraint::Fill(2),
            ],
            vec!["Call", "Started", "Length", "Status", "Phone", "AI outcome"],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(Some(b.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::api::key::Credentials;
    use crate::api::request::BaseUrl;
    use crate::tui::action::{Action, BrowseAction};
    use crate::tui::app::{App, Settings};
    use crate::tui::browse::tests::{AT, page};
    use crate::tui::browse::{BrowseEffect, BrowseOutcome, BrowsePage};
    use crate::tui::calls::tests::call;
    use crate::tui::effect::Effect;
    use crate::tui::update::update;

    /// The workbench with agent123 typed and the browse modal open; `outcome` answers it.
    fn browsing(outcome: Option<BrowseOutcome>) -> App {
        let mut a = App::new(Settings {
            base_url: BaseUrl::parse("http://127.0.0.1:8787").unwrap(),
            sandbox: true,
            credentials: Credentials::sandbox("sandbox-key"),
            utc_offset: time::UtcOffset::UTC,
            duplicate_window_ms: crate::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
            prefs: crate::tui::app::Prefs::default(),
        });
        for c in "agent123".chars() {
            update(
                &mut a,
                Action::Edit(ratatui_textarea::Input {
                    key: ratatui_textarea::Key::Char(c),
                    ..Default::default()
                }),
            );
        }
        let effects = update(&mut a, Action::Browse(BrowseAction::Open));
        let Some(Effect::Browse(BrowseEffect::Fetch { generation, .. })) = effects.last() else {
            panic!("{effects:?}");
        };
        if let Some(outcome) = outcome {
            update(
                &mut a,
                Action::Browse(BrowseAction::Answered {
                    generation: *generation,
                    outcome,
                    reference: AT,
                    at: AT,
                }),
            );
        }
        a
    }

    fn screen(a: &App, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| crate::tui::view::view(a, f)).unwrap();
        let buf = terminal.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Calls like the sandbox's: a few numbers, days apart, in no order.
    fn calls() -> BrowsePage {
        let mut p = page(0, Some(2_345));
        for (i, (id, started, status)) in [0.0, 1.0, 2.0, 3.0].into_iter().zip([
            ("call-a17", "2026-12-03T10:42:00Z", "COMPLETED"),
            ("call-b02", "2026-11-20T16:03:00Z", "FAILED"),
            ("call-c33", "2026-12-02T18:05:00Z", "IN_PROGRESS"),
            ("call-d44", "2026-11-28T08:30:00Z", "ENDED"),
        ]) {
            let mut c = call(id, started, 185.0 + 60.0 * i, status);
            c.customer_phone_number = Some(format!("+1415555123{i}"));
            p.calls.push(c);
        }
        p
    }

    #[test]
    fn a_page_wide() {
        let a = browsing(Some(Ok(calls())));
        let s = screen(&a, 160, 48);
        assert!(
            ["calls 1–4 of 2,345", "2 h ago", "+14155551231"]
                .iter()
                .all(|part| s.contains(part)),
            "{s}"
        );
        // Newest first.
        let at = |id: &str| s.find(id).unwrap();
        assert!(at("call-a17") < at("call-c33") && at("call-c33") < at("call-d44"));
        assert!(at("call-d44") < at("call-b02"));
        insta::assert_snapshot!(s);
    }

    #[test]
    fn a_page_at_80_by_24() {
        let mut a = browsing(Some(Ok(calls())));
        update(&mut a, Action::Browse(BrowseAction::Move(1)));
        let s = screen(&a, 80, 24);
        assert!(
            s.contains("calls 1–4 of 2,345") && s.contains("call-c33"),
            "{s}"
        );
        insta::assert_snapshot!(s);
    }

    #[test]
    fn a_failure_at_80_by_24() {
        let a = browsing(Some(Err(
            "This API key has no access to this agent (HTTP 403 Forbidden): You do not have \
             access to this agent"
                .into(),
        )));
        let s = screen(&a, 80, 24);
        assert!(
            s.contains("Could not list the calls: This API key has no access"),
            "{s}"
        );
        insta::assert_snapshot!(s);
    }

    #[test]
    fn waiting_and_empty() {
        let a = browsing(None);
        let s = screen(&a, 160, 48);
        assert!(s.contains("Looking up agent123's calls 1–100"), "{s}");
        let a = browsing(Some(Ok(BrowsePage {
            calls: vec![],
            total: Some(0),
        })));
        let s = screen(&a, 80, 24);
        assert!(s.contains("Phonely lists no calls of agent123"), "{s}");
        assert!(s.contains("no calls from 1 of 0"), "{s}");
    }

    #[test]
    fn server_text_is_inert() {
        let evil = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{202e}x";
        let mut c = call("call-x", "2026-12-03T10:00:00Z", 60.0, "COMPLETED");
        c.id = Some(format!("id{evil}"));
        c.status = Some(evil.into());
        c.call_type = Some(evil.into());
        c.c_outcome = Some(evil.into());
        c.customer_phone_number = Some(evil.into());
        let loaded = browsing(Some(Ok(BrowsePage {
            calls: vec![c],
            total: Some(1),
        })));
        let failed = browsing(Some(Err(format!("boom {evil}"))));
        for a in [loaded, failed] {
            for (w, h) in [(160, 48), (80, 24)] {
                let s = screen(&a, w, h);
                assert!(
                    !s.chars()
                        .any(|ch| ch != '\n' && crate::api::inert::is_live(ch)),
                    "{s:?}"
                );
            }
        }
    }
}
