//! `view(&App, &mut Frame)`: the layout, and one module per region. Views only borrow the app.

mod form;
mod history;
mod modal;
mod preview;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};
use time::{OffsetDateTime, UtcOffset};

use super::app::{App, Focus};

/// Below this the screen shows a message instead of a broken layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// From this size up, form, request and history are all on screen at once.
pub const WIDE_WIDTH: u16 = 100;
pub const WIDE_HEIGHT: u16 = 28;

pub fn view(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The window is too small: phonely-outcomes needs at least {MIN_WIDTH}×{MIN_HEIGHT} \
             (now {}×{}). Make it larger, or press Ctrl+Q to quit.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let footer_height = status::height(app, area.width);
    let [body, footer] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(footer_height)]).areas(area);
    if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
        let history_height = (body.height * 2 / 5).max(8);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(history_height)]).areas(body);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(48), Constraint::Percentage(52)]).areas(top);
        form::render(app, frame, left);
        preview::render(app, frame, right);
        history::render(app, frame, bottom);
    } else {
        // Narrow: the form and its request stacked, or the history, by focus; a tab line says
        // which is shown and how to reach the other.
        let [tabs, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        render_tabs(app, frame, tabs);
        if app.focus == Focus::History {
            history::render(app, frame, rest);
        } else {
            let form_height = form::height(app).min(rest.height.saturating_sub(6));
            let [f, p] =
                Layout::vertical([Constraint::Length(form_height), Constraint::Min(0)]).areas(rest);
            form::render(app, frame, f);
            preview::render(app, frame, p);
        }
    }
    status::render(app, frame, footer);
    modal::render(app, frame, area);
}

fn render_tabs(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let on = Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let off = Style::default().fg(Color::DarkGray);
    let (form, history) = if app.focus == Focus::History {
        (off, on)
    } else {
        (on, off)
    };
    let line = Line::from(vec![
        ratatui::text::Span::styled(" Form + Request ", form),
        " ".into(),
        ratatui::text::Span::styled(format!(" History ({}) ", app.history.rows.len()), history),
        ratatui::text::Span::styled("  Tab switches", off),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// A pane's frame, highlighted when it has the focus.
pub(crate) fn pane(title: &str, focused: bool) -> Block<'_> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(style)
        .title(Line::styled(
            format!(" {title} "),
            Style::default().add_modifier(Modifier::BOLD),
        ))
}

/// `2026-11-25 13:45:02` in local time.
pub(crate) fn format_time(ms: i64, offset: UtcOffset) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return "?".to_string();
    };
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
