//! `view(&App, &mut Frame)`: the layout, and one module per region. Views only borrow the app.

mod browse;
mod calls;
mod form;
mod history;
mod modal;
mod preview;
mod queue;
mod status;
mod team_history;

pub(crate) use crate::api::time::format_time;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::app::{App, Focus};
use crate::api::update::Field;

/// Below this the screen shows a message instead of a broken layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// From this size up, form, request and history are all on screen at once.
pub const WIDE_WIDTH: u16 = 100;
pub const WIDE_HEIGHT: u16 = 28;

/// Where the panes are on a screen of `area`: one function for drawing and for mouse clicks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Regions {
    /// The narrow layout's line naming the two views.
    pub tabs: Option<Rect>,
    pub form: Option<Rect>,
    pub preview: Option<Rect>,
    pub history: Option<Rect>,
    /// The batch queue, when a file is open.
    pub queue: Option<Rect>,
    /// The calls from the form's phone number, while there is a look-up.
    pub calls: Option<Rect>,
    pub footer: Rect,
}

/// `None` when the screen is too small for the workbench.
pub fn regions(app: &App, area: Rect) -> Option<Regions> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let footer_height = status::height(app, area.width);
    let [body, footer] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(footer_height)]).areas(area);
    let mut r = Regions {
        footer,
        ..Regions::default()
    };
    if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
        let history_height = (body.height * 2 / 5).max(8);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(history_height)]).areas(body);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(48), Constraint::Percentage(52)]).areas(top);
        r.form = Some(left);
        if shows_calls(app) {
            // The calls under the request they decide.
            let [p, c] = Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(right);
            r.preview = Some(p);
            r.calls = Some(c);
        } else {
            r.preview = Some(right);
        }
        if app.queue.is_some() {
            let [q, h] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(bottom);
            r.queue = Some(q);
            r.history = Some(h);
        } else {
            r.history = Some(bottom);
        }
    } else {
        // Narrow: the form and its request stacked, or the history, by focus; a tab line says
        // which is shown and how to reach the other.
        let [tabs, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        r.tabs = Some(tabs);
        if app.focus == Focus::Queue && app.queue.is_some() {
            r.queue = Some(rest);
        } else if matches!(app.focus, Focus::History | Focus::Filter) {
            r.history = Some(rest);
        } else {
            // In the calls list the form gives up editor rows so three calls show.
            let room = if app.focus == Focus::Calls && shows_calls(app) {
                9
            } else {
                6
            };
            let form_height = form::height(app).min(rest.height.saturating_sub(room));
            let [f, p] =
                Layout::vertical([Constraint::Length(form_height), Constraint::Min(0)]).areas(rest);
            r.form = Some(f);
            if app.focus == Focus::Calls && shows_calls(app) {
                // In the list: it takes the request's place.
                r.calls = Some(p);
            } else if shows_calls(app) && p.height >= 12 {
                let [p, c] =
                    Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)])
                        .areas(p);
                r.preview = Some(p);
                r.calls = Some(c);
            } else {
                r.preview = Some(p);
            }
        }
    }
    Some(r)
}

/// The calls list is on screen while the form holds an agent and a valid phone number.
fn shows_calls(app: &App) -> bool {
    app.calls.state != super::calls::LookupState::Idle
}

/// What a click at a screen cell lands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Focus(Focus),
    /// The preference choice (a click toggles it).
    Preference,
    /// A history row, by its index in the loaded rows.
    HistoryRow(usize),
    /// A queue row, by its index in the file's rows.
    QueueRow(usize),
    /// An entry of the open Outcome pick-list.
    Suggestion(usize),
    Preview,
}

pub fn hit(app: &App, column: u16, row: u16) -> Option<Hit> {
    let r = regions(app, app.screen)?;
    let at = ratatui::layout::Position::new(column, row);
    if let Some(tabs) = r.tabs.filter(|t| t.contains(at)) {
        return tab_at(app, column.saturating_sub(tabs.x)).map(Hit::Focus);
    }
    if let (Some(area), Some(q)) = (r.queue.filter(|a| a.contains(at)), &app.queue) {
        let (_, rows) = queue::parts(area);
        let first = queue::first_visible(q, rows);
        return Some(match row.checked_sub(rows.y + 1) {
            Some(offset) if rows.contains(at) => Hit::QueueRow(first + usize::from(offset)),
            _ => Hit::Focus(Focus::Queue),
        });
    }
    if let Some(area) = r.form.filter(|a| a.contains(at)) {
        let inner = pane("", false).inner(area);
        // The pick-list lies over the fields below Outcome: it is hit first.
        if app.outcome_menu_open()
            && let Some(list) = form::outcome_input(app, inner)
                .and_then(|input| form::pick_list_area(app, input, inner))
            && list.contains(at)
        {
            let index = usize::from(row.saturating_sub(list.y + 1));
            return (row > list.y && index < app.outcome_suggestions().len())
                .then_some(Hit::Suggestion(index));
        }
        let rows = form::rows(app, inner);
        for (field, line, note) in rows.fields {
            if line.contains(at) || note.is_some_and(|n| n.contains(at)) {
                return Some(match field {
                    Field::Preference if app.form.target_is_phone(app.settings.prefs.region) => {
                        Hit::Preference
                    }
                    Field::Preference => return None,
                    other => Hit::Focus(Focus::of_field(other)),
                });
            }
        }
        return Some(Hit::Focus(Focus::Metadata));
    }
    if r.preview.is_some_and(|a| a.contains(at)) {
        return Some(Hit::Preview);
    }
    if r.calls.is_some_and(|a| a.contains(at)) {
        return Some(Hit::Focus(Focus::Calls));
    }
    if let Some(area) = r.history.filter(|a| a.contains(at)) {
        let (filter_line, rows) = history::rows_area(app, area);
        if filter_line.is_some_and(|f| f.contains(at)) {
            return Some(Hit::Focus(Focus::Filter));
        }
        let first = history::first_visible(app, rows);
        // The first line of the rows area is the header.
        return Some(match row.checked_sub(rows.y + 1) {
            Some(offset) if rows.contains(at) => Hit::HistoryRow(first + usize::from(offset)),
            _ => Hit::Focus(Focus::History),
        });
    }
    None
}

pub fn view(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    let Some(r) = regions(app, area) else {
        let text = format!(
            "The window is too small: phonely-outcomes needs at least {MIN_WIDTH}×{MIN_HEIGHT} \
             (now {}×{}). Make it larger, or press Ctrl+Q to quit.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    if let Some(tabs) = r.tabs {
        render_tabs(app, frame, tabs);
    }
    if let Some(f) = r.form {
        form::render(app, frame, f);
    }
    if let Some(p) = r.preview {
        preview::render(app, frame, p);
    }
    if let Some(c) = r.calls {
        frame.render_widget(
            calls::CallsList {
                lookup: &app.calls,
                preference: app.form.preference,
                now: app.calls_now,
                offset: app.settings.utc_offset,
                focused: app.focus == Focus::Calls,
            },
            c,
        );
    }
    if let Some(h) = r.history {
        match &app.history.team {
            Some(team) => team_history::render(app, team, frame, h),
            None => history::render(app, frame, h),
        }
    }
    if let Some(q) = r.queue {
        queue::render(app, frame, q);
    }
    status::render(app, frame, r.footer);
    modal::render(app, frame, area);
    let prefs = &app.settings.prefs;
    super::theme::apply(frame.buffer_mut(), prefs.theme, prefs.no_color);
}

/// The narrow layout's tabs: their text and the focus each one shows.
fn tabs(app: &App) -> Vec<(String, Focus)> {
    let mut tabs = vec![
        (" Form + Request ".to_string(), Focus::Agent),
        (
            format!(" History ({}) ", app.history.rows.len()),
            Focus::History,
        ),
    ];
    if let Some(q) = &app.queue {
        tabs.push((format!(" Queue ({}) ", q.items.len()), Focus::Queue));
    }
    if shows_calls(app) {
        tabs.push((
            format!(" Calls ({}) ", app.calls.calls().len()),
            Focus::Calls,
        ));
    }
    tabs
}

/// Which tab shows now.
fn current_tab(app: &App) -> Focus {
    match app.focus {
        Focus::History | Focus::Filter => Focus::History,
        Focus::Queue if app.queue.is_some() => Focus::Queue,
        Focus::Calls if shows_calls(app) => Focus::Calls,
        _ => Focus::Agent,
    }
}

/// The tab under column `x` of the tab line (tabs are one space apart).
fn tab_at(app: &App, x: u16) -> Option<Focus> {
    let mut start = 0u16;
    for (text, focus) in tabs(app) {
        let width = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
        if (start..start.saturating_add(width)).contains(&x) {
            return Some(focus);
        }
        start = start.saturating_add(width + 1);
    }
    None
}

fn render_tabs(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let on = Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let off = Style::default().fg(Color::DarkGray);
    let current = current_tab(app);
    let mut spans = Vec::new();
    for (text, focus) in tabs(app) {
        spans.push(ratatui::text::Span::styled(
            text,
            if focus == current { on } else { off },
        ));
        spans.push(" ".into());
    }
    spans.push(ratatui::text::Span::styled(" Tab switches", off));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
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

/// `agent/target (first)` in `width` cells, for a table column: the preference shortened to
/// `(f)` / `(l)` when the words do not fit, then the call cut at its start (`…` shows where),
/// so which call of a number an update went to is never what is cut off.
pub fn call_text(agent: &str, target: &str, preference: Option<&str>, width: usize) -> String {
    let call = format!("{agent}/{target}");
    let Some(p) = preference else {
        return call;
    };
    let whole = format!("{call} ({p})");
    if whole.chars().count() <= width {
        return whole;
    }
    let short = format!(" ({})", p.chars().next().unwrap_or('?'));
    let room = width.saturating_sub(short.chars().count());
    let n = call.chars().count();
    if n <= room {
        return format!("{call}{short}");
    }
    let keep: String = call.chars().skip(n - room.saturating_sub(1)).collect();
    format!("…{keep}{short}")
}

/// The width of each column of a table of `widths` laid out in `area` (one cell between
/// columns), as ratatui's `Table` lays them out.
pub fn column_widths(widths: &[Constraint], area: Rect) -> Vec<usize> {
    Layout::horizontal(widths.iter().copied())
        .spacing(1)
        .split(area)
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
}

/// How far the request preview can scroll on the current screen (`None` while it is not on
/// screen), so keys never scroll it past its last line.
pub fn preview_max_scroll(app: &App) -> Option<u16> {
    preview::max_scroll(app)
}
