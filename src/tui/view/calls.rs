//! The calls behind the form's phone number (issue 14): newest first, with the calls
//! `first` and `last` would hit marked, the pinned call marked, and what our history last set
//! on each. A widget over `tui::calls::CallsLookup` alone, so it can be placed in any pane.
//! Everything Phonely sent is shown through `inert` (via `one_line`).

use ::time::{OffsetDateTime, UtcOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap};

use super::pane;
use crate::api::calls::CallSummary;
use crate::api::outcome::one_line;
use crate::api::update::Preference;
use crate::tui::calls::{CallsLookup, LookupState, ago, day_time, short_duration};

/// From this inner width up, every column is shown; below it, the type and "ago" move to the
/// line under the table (for the selected call).
const WIDE: u16 = 100;

/// The calls list. `preference` is the form's, so the call a send by phone would hit stands
/// out; `now` and `offset` turn starts into "today 10:42" and "2 h ago".
pub(crate) struct CallsList<'a> {
    pub lookup: &'a CallsLookup,
    pub preference: Preference,
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
    pub focused: bool,
}

impl Widget for CallsList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = match self.lookup.key() {
            Some(k) => format!(
                "Calls from {} · {}",
                k.phone.as_str(),
                one_line(k.agent.as_str(), 30)
            ),
            None => "Calls".to_string(),
        };
        let block = pane(&title, self.focused);
        let inner = block.inner(area);
        block.render(area, buf);
        let dim = Style::default().fg(Color::DarkGray);
        let note = |text: String, style: Style, buf: &mut Buffer| {
            Paragraph::new(Line::styled(text, style))
                .wrap(Wrap { trim: true })
                .render(inner, buf);
        };
        match &self.lookup.state {
            LookupState::Idle => note(
                "Type an agent and a phone number: that number's calls are listed here."
                    .to_string(),
                dim,
                buf,
            ),
            LookupState::Waiting => note(
                "Looking up the calls from this number… (typing and sending never wait for \
                 it)"
                .to_string(),
                dim,
                buf,
            ),
            LookupState::Failed(message) => {
                Paragraph::new(vec![
                    Line::styled(
                        format!("Could not list the calls: {}", one_line(message, 400)),
                        Style::default().fg(Color::Red),
                    ),
                    Line::styled(
                        "Sending by phone still works: Phonely picks the call when the update \
                         arrives.",
                        dim,
                    ),
                ])
                .wrap(Wrap { trim: true })
                .render(inner, buf);
            }
            LookupState::Loaded(f) if f.calls.is_empty() => note(
                "Phonely lists no call from this number for this agent: an update by phone \
                 would find none."
                    .to_string(),
                dim,
                buf,
            ),
            LookupState::Loaded(f) => {
                let footer = self.footer(f.total, inner.width);
                let [table, foot] = Layout::vertical([
                    Constraint::Min(1),
                    Constraint::Length(u16::try_from(footer.len()).unwrap_or(2)),
                ])
                .areas(inner);
                self.table(table, buf);
                Paragraph::new(footer).render(foot, buf);
            }
        }
    }
}

impl CallsList<'_> {
    fn table(&self, area: Rect, buf: &mut Buffer) {
        let wide = area.width >= WIDE;
        let first = self.lookup.would_hit(Preference::First).and_then(id);
        let last = self.lookup.would_hit(Preference::Last).and_then(id);
        let pinned = self.lookup.pinned().and_then(id);
        let rows = self.lookup.calls().iter().map(|c| {
            let this = id(c);
            let is = |which: Option<&str>| this.is_some() && this == which;
            let (hit, hit_pref) = match (is(first), is(last)) {
                (true, true) => ("both", None),
                (true, false) => ("first", Some(Preference::First)),
                (false, true) => ("last", Some(Preference::Last)),
                (false, false) => ("", None),
            };
            // The call a send by phone would hit now stands out; the other mark is quieter.
            let ours = hit == "both" || hit_pref == Some(self.preference);
            let hit_style = if ours && pinned.is_none() {
                Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default().fg(Color::DarkGray)
            };
            let pin = if is(pinned) {
                Span::styled("●", Style::default().fg(Color::Magenta))
            } else {
                Span::raw(" ")
            };
            let started = c.started.map_or_else(
                || one_line(c.started_at.as_deref().unwrap_or("?"), 20),
                |t| {
                    if wide {
                        day_time(t, self.now, self.offset)
                    } else {
                        compact_day_time(t, self.now, self.offset)
                    }
                },
            );
            let length = c.duration.map(short_duration).unwrap_or_default();
            let status = c
                .status
                .as_deref()
                .map(|s| one_line(s, 20).to_lowercase())
                .unwrap_or_default();
            let outcome = c
                .c_outcome
                .as_deref()
                .map(|s| one_line(s, 80))
                .unwrap_or_default();
            let last_set = this
                .and_then(|i| self.lookup.last_set(i))
                .map(|l| one_line(&l.summary, 80))
                .unwrap_or_default();
            let mut cells = vec![
                Cell::from(pin),
                Cell::from(Span::styled(hit, hit_style)),
                Cell::from(one_line(this.unwrap_or("(no id)"), 80)),
                Cell::from(started),
            ];
            if wide {
                cells.push(Cell::from(
                    c.started.map(|t| ago(t, self.now)).unwrap_or_default(),
                ));
            }
            cells.extend([Cell::from(length), Cell::from(status)]);
            if wide {
                cells.push(Cell::from(
                    c.call_type
                        .as_deref()
                        .map(|s| one_line(s, 40))
                        .unwrap_or_default(),
                ));
            }
            cells.extend([Cell::from(outcome), Cell::from(last_set)]);
            Row::new(cells)
        });
        let (widths, header) = columns(wide);
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
            .column_spacing(1)
            .row_highlight_style(if self.focused {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            });
        let mut state = TableState::default().with_selected(Some(self.lookup.selected));
        StatefulWidget::render(table, area, buf, &mut state);
    }

    /// Under the table: the pinned call (or which call the preference means), the selected
    /// call's age and type on narrow screens, and a note when Phonely has more than one page.
    fn footer(&self, total: Option<u64>, width: u16) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        if let Some(call) = self.lookup.pinned() {
            lines.push(Line::styled(
                format!(
                    "● pinned: call {} — the update goes to this call, no preference",
                    one_line(call.id.as_deref().unwrap_or("?"), 40)
                ),
                Style::default().fg(Color::Magenta),
            ));
        } else if let Some(text) =
            self.lookup
                .preference_line(self.preference, self.now, self.offset)
        {
            lines.push(Line::styled(text, Style::default().fg(Color::Cyan)));
        }
        if width < WIDE
            && let Some(c) = self.lookup.selected_call()
        {
            let mut parts = vec![format!(
                "▸ {}",
                one_line(c.id.as_deref().unwrap_or("(no id)"), 30)
            )];
            if let Some(t) = c.started {
                parts.push(ago(t, self.now));
            }
            if let Some(kind) = &c.call_type {
                parts.push(one_line(kind, 30));
            }
            if let Some(reason) = &c.ended_reason {
                parts.push(one_line(reason, 30));
            }
            lines.push(Line::styled(
                parts.join(" · "),
                Style::default().fg(Color::DarkGray),
            ));
        }
        let shown = self.lookup.calls().len() as u64;
        if let Some(total) = total.filter(|t| *t > shown) {
            lines.push(Line::styled(
                format!("{shown} of the {total} calls Phonely lists for this number are shown"),
                Style::default().fg(Color::Yellow),
            ));
        }
        lines
    }
}

/// The call's id, when it has one.
fn id(call: &CallSummary) -> Option<&str> {
    call.id.as_deref()
}

/// `today 10:42`, `yest. 18:05`, `11-20 16:03`: at most 11 characters, for narrow tables.
pub(super) fn compact_day_time(
    t: OffsetDateTime,
    now: OffsetDateTime,
    offset: UtcOffset,
) -> String {
    let text = day_time(t, now, offset);
    if let Some(rest) = text.strip_prefix("yesterday ") {
        return format!("yest. {rest}");
    }
    // `2026-11-20 16:03` → `11-20 16:03`.
    match text.get(5..) {
        Some(short) if text.len() == 16 && text.as_bytes()[4] == b'-' => short.to_string(),
        _ => text,
    }
}

fn columns(wide: bool) -> (Vec<Constraint>, Vec<&'static str>) {
    if wide {
        (
            vec![
                Constraint::Length(1),
                Constraint::Length(5),
                Constraint::Fill(3),
                Constraint::Length(16),
                Constraint::Length(10),
                Constraint::Length(10),
                Constraint::Length(11),
                Constraint::Length(17),
                Constraint::Fill(3),
                Constraint::Fill(3),
            ],
            vec![
                "",
                "",
                "Call",
                "Started",
                "",
                "Length",
                "Status",
                "Type",
                "AI outcome",
                "Last set here",
            ],
        )
    } else {
        (
            vec![
                Constraint::Length(1),
                Constraint::Length(5),
                Constraint::Fill(3),
                Constraint::Length(11),
                Constraint::Length(7),
                Constraint::Length(11),
                Constraint::Fill(3),
                Constraint::Fill(3),
            ],
            vec![
                "",
                "",
                "Call",
                "Started",
                "Length",
                "Status",
                "AI outcome",
                "Last set",
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ::time::macros::datetime;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::api::phone::E164;
    use crate::api::update::AgentId;
    use crate::tui::calls::tests::{call, three_calls};
    use crate::tui::calls::{Fetched, LastSet, LookupEffect, LookupOutcome};

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:45 UTC);

    /// A lookup for +14155551234 that was answered with `outcome` (`None`: still waiting).
    fn lookup(outcome: Option<LookupOutcome>) -> CallsLookup {
        let mut l = CallsLookup::default();
        let effects = l.form_changed(
            "sandbox",
            Some(&AgentId::parse("agent123").unwrap()),
            Some(&E164::parse("+14155551234").unwrap()),
        );
        let Some(LookupEffect::Debounce { generation, .. }) = effects.first().cloned() else {
            panic!("{effects:?}");
        };
        l.due(generation);
        if let Some(outcome) = outcome {
            assert!(l.answered(generation, outcome).0);
        }
        l
    }

    fn loaded() -> CallsLookup {
        let mut l = lookup(Some(Ok(three_calls())));
        let key = l.key().unwrap().clone();
        l.set_last_set(
            &key,
            HashMap::from([(
                "call-mid".to_string(),
                LastSet {
                    summary: "Resolved · 120".into(),
                    at_ms: 0,
                },
            )]),
        );
        l
    }

    fn draw(l: &CallsLookup, width: u16, height: u16, preference: Preference) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| {
                f.render_widget(
                    CallsList {
                        lookup: l,
                        preference,
                        now: NOW,
                        offset: UtcOffset::UTC,
                        focused: true,
                    },
                    f.area(),
                );
            })
            .unwrap();
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

    #[test]
    fn loaded_wide() {
        let s = draw(&loaded(), 140, 10, Preference::Last);
        assert!(s.contains("2 h ago") && s.contains("Resolved · 120"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn loaded_narrow_at_80_by_24() {
        let s = draw(&loaded(), 80, 24, Preference::Last);
        assert!(s.contains("today 10:42") && s.contains("2 h ago"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn pinned_narrow() {
        let mut l = loaded();
        l.select_next();
        assert!(l.toggle_pin());
        let s = draw(&l, 80, 12, Preference::Last);
        assert!(s.contains("● pinned: call call-mid"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn pinned_wide() {
        let mut l = loaded();
        l.select_next();
        l.select_next();
        assert!(l.toggle_pin());
        insta::assert_snapshot!(draw(&l, 140, 10, Preference::First));
    }

    #[test]
    fn failed_wide_and_narrow() {
        let l = lookup(Some(Err(
            "This API key has no access to this agent (HTTP 403 Forbidden)".into(),
        )));
        insta::assert_snapshot!("failed_wide", draw(&l, 140, 6, Preference::Last));
        insta::assert_snapshot!("failed_narrow", draw(&l, 80, 8, Preference::Last));
    }

    #[test]
    fn waiting_and_idle() {
        insta::assert_snapshot!("waiting", draw(&lookup(None), 80, 5, Preference::Last));
        let s = draw(&CallsLookup::default(), 80, 5, Preference::Last);
        assert!(s.contains("Type an agent and a phone number"), "{s}");
    }

    #[test]
    fn more_than_a_page_and_no_calls() {
        let mut f = three_calls();
        f.total = Some(240);
        let s = draw(&lookup(Some(Ok(f))), 80, 10, Preference::Last);
        assert!(
            s.contains("3 of the 240 calls Phonely lists for this number are shown"),
            "{s}"
        );
        let none = lookup(Some(Ok(Fetched {
            calls: vec![],
            total: Some(0),
        })));
        let s = draw(&none, 80, 6, Preference::Last);
        assert!(s.contains("Phonely lists no call from this number"), "{s}");
    }

    #[test]
    fn server_text_is_inert_everywhere() {
        let evil = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{202e}x";
        let mut c = call("call-x", "2026-12-03T10:00:00Z", 60.0, "COMPLETED");
        c.id = Some(format!("id{evil}"));
        c.status = Some(evil.into());
        c.call_type = Some(evil.into());
        c.c_outcome = Some(evil.into());
        c.ended_reason = Some(evil.into());
        let mut l = lookup(Some(Ok(Fetched {
            calls: vec![c],
            total: Some(1),
        })));
        assert!(l.toggle_pin());
        for (w, h) in [(140, 10), (80, 10)] {
            let s = draw(&l, w, h, Preference::Last);
            let live: Vec<char> = s
                .chars()
                .filter(|ch| *ch != '\n' && crate::api::inert::is_live(*ch))
                .collect();
            assert!(live.is_empty(), "{live:?} in {s}");
        }
        let failed = lookup(Some(Err(format!("boom {evil}"))));
        let s = draw(&failed, 80, 8, Preference::Last);
        assert!(
            !s.chars()
                .any(|ch| ch != '\n' && crate::api::inert::is_live(ch)),
            "{s:?}"
        );
        assert!(s.contains("boom \\u{1b}]52"), "{s}");
    }

    #[test]
    fn compact_times_fit_eleven_columns() {
        assert_eq!(
            compact_day_time(datetime!(2026-12-02 18:05 UTC), NOW, UtcOffset::UTC),
            "yest. 18:05"
        );
        assert_eq!(
            compact_day_time(datetime!(2026-11-20 16:03 UTC), NOW, UtcOffset::UTC),
            "11-20 16:03"
        );
        assert_eq!(
            compact_day_time(datetime!(2026-12-03 09:00 UTC), NOW, UtcOffset::UTC),
            "today 09:00"
        );
    }
}
