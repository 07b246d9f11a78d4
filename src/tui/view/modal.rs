//! Overlays: the send confirmation, the help screen and a history record's full detail.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::format_time;
use super::history::color;
use super::preview::request_lines;
use super::status::badge;
use crate::api::client::BODY_CAP;
use crate::api::inert::inert;

/// The history detail shows at most this much of a response body: wrapping a whole 1 MiB body
/// on every frame would make the detail sluggish. The history keeps all of it.
const DETAIL_BODY_CAP: usize = 16 * 1024;
use crate::api::update::{Target, TargetKind};
use crate::config::Kind;
use crate::history::Record;
use crate::tui::app::{App, Confirm, Modal, PathPrompt};

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    match &app.modal {
        None => {}
        Some(Modal::Confirm(c)) => confirm(app, c, frame, area),
        Some(Modal::Help { scroll }) => help(*scroll, frame, area),
        Some(Modal::Profiles { selected }) => profiles(app, *selected, frame, area),
        Some(Modal::Palette { query, selected }) => palette(query, *selected, frame, area),
        Some(Modal::Templates { selected }) => templates(app, *selected, frame, area),
        Some(Modal::OpenFile(prompt)) => open_file(app, prompt, frame, area),
        Some(Modal::ConfirmQueue {
            rows,
            duplicates,
            acknowledged,
        }) => confirm_queue(app, *rows, duplicates, *acknowledged, frame, area),
        Some(Modal::Browse) => super::browse::render(app, frame, area),
        Some(Modal::Detail { record_id, scroll }) => {
            if let Some(record) = app.record(*record_id) {
                detail(app, record, *scroll, frame, area);
            }
        }
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(h);
    v
}

/// A dialog of `width` (at most the screen's) tall enough for `paragraph` as it renders inside
/// its borders (ratatui's own count, wrapping included), plus `extra` rows (the borders, and any
/// below the text): a line that wraps must not push the last ones (the name to type, the keys)
/// out of sight.
fn fitted(area: Rect, width: u16, paragraph: &Paragraph<'_>, extra: u16) -> Rect {
    let inner = width.min(area.width).saturating_sub(2);
    let rows = u16::try_from(paragraph.line_count(inner)).unwrap_or(u16::MAX);
    centered(area, width, rows.saturating_add(extra))
}

fn dialog(title: &str, color: Color) -> Block<'_> {
    Block::bordered()
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(color))
        .title(Line::styled(
            format!(" {title} "),
            Style::default().add_modifier(Modifier::BOLD),
        ))
}

fn row(label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<10}"), Style::default().fg(Color::DarkGray)),
        Span::raw(value.into()),
    ])
}

/// The dialog's colour for a kind of profile: calm for the sandbox, loud for production.
fn kind_color(kind: Kind) -> Color {
    match kind {
        Kind::Sandbox | Kind::Local => Color::Green,
        Kind::Live => Color::Yellow,
        Kind::Production => Color::Red,
    }
}

/// "Profile  PRODUCTION  name": the first line of every send confirmation.
fn profile_line(app: &App) -> Line<'static> {
    let p = &app.profile;
    Line::from(vec![
        Span::styled(
            format!("{:<10}", "Profile"),
            Style::default().fg(Color::DarkGray),
        ),
        Span::styled(format!(" {} ", p.kind.label()), badge(p.kind)),
        Span::styled(
            format!(" {}", p.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ])
}

/// A production profile's typed confirmation: what to type, and what has been typed.
fn typed_name_prompt(app: &App, to: &str) -> [Line<'static>; 2] {
    [
        Line::styled(
            format!(
                "This is a production account. Type {} and press Enter to {to}:",
                app.profile.name
            ),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(
                format!("{}▏", app.typed),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ]),
    ]
}

/// A dialog's keys, as the footer lists them (the typed-name prompt says its own key).
fn keys_line(keys: &[(&'static str, &'static str)]) -> Line<'static> {
    let keys: Vec<_> = keys
        .iter()
        .filter(|(k, _)| !k.starts_with("type"))
        .collect();
    let mut spans = Vec::new();
    for (i, (key, what)) in keys.iter().enumerate() {
        spans.push(Span::styled(
            format!(" {key} "),
            Style::default().add_modifier(Modifier::REVERSED),
        ));
        let gap = if i + 1 < keys.len() { "   " } else { "" };
        spans.push(Span::raw(format!(" {what}{gap}")));
    }
    Line::from(spans)
}

fn confirm(app: &App, c: &Confirm, frame: &mut Frame<'_>, area: Rect) {
    let u = &c.ready.update;
    let s = &app.settings;
    let p = &app.profile;
    let color = kind_color(p.kind);
    let mut lines = vec![
        profile_line(app),
        row("To", s.base_url.as_str()),
        row("Agent", u.agent.as_str()),
        match &u.target {
            Target::CallId(id) => row("Call", id.as_str()),
            Target::Phone { phone, preference } => match &c.ready.pinned_call {
                // Pinned from the calls list: the request goes to that call's id, whatever
                // `first`/`last` would pick when it arrives.
                Some(call) => row("Phone", format!("{phone}, pinned to call {}", inert(call))),
                None => row(
                    "Phone",
                    format!("{phone} ({} call from this number)", preference.as_str()),
                ),
            },
        },
    ];
    // Each note under the line it is about.
    let typed = (app.form.target_kind != TargetKind::CallId).then(|| u.target.as_str());
    let note = |text: String| Line::styled(format!("⚠ {text}"), Style::default().fg(Color::Yellow));
    lines.extend(crate::api::notes::target_warning(u, typed, s.prefs.region).map(note));
    lines.push(Line::raw(""));
    if let Some(old) = &c.resend_of {
        let elsewhere = if old.base_url == s.base_url.as_str() {
            String::new()
        } else {
            format!(" (that one went to {})", old.base_url)
        };
        let note = format!(
            "update #{} of {}{elsewhere}",
            old.id,
            format_time(old.created_ms, s.utc_offset)
        );
        lines.insert(0, row("Resending", note));
    }
    if let Some(o) = &u.outcome {
        lines.push(row("Outcome", format!("\"{o}\"")));
    }
    lines.extend(crate::api::notes::outcome_warning(u, app.labels()).map(note));
    if let Some(v) = &u.value {
        lines.push(row("Value", v.to_string()));
    }
    if let Some(m) = &u.metadata {
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        lines.push(row(
            "Metadata",
            format!(
                "replaces the call's metadata with keys: {}",
                inert(&keys.join(", "))
            ),
        ));
        // Typed as key=value lines: what they became, as it is sent.
        if app.metadata_converted {
            lines.push(row(
                "",
                format!(
                    "key=value lines sent as JSON: {}",
                    serde_json::to_string(m).unwrap_or_default()
                ),
            ));
        }
    }
    lines.push(Line::raw(""));
    if let Some(team) = &c.team_duplicate {
        lines.push(Line::styled(
            format!("⚠ {}", phonely_core::inert::inert(team)),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
        if c.duplicate.is_none() {
            lines.push(Line::styled(
                if c.acknowledged {
                    "Press Enter again to send it once more."
                } else {
                    "Send it again anyway? (If the call was changed since, this puts it back.)"
                },
                Style::default().fg(Color::Yellow),
            ));
            lines.push(Line::raw(""));
        }
    }
    if let Some(dup) = &c.duplicate {
        let warn = Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD);
        lines.push(Line::styled(
            format!(
                "⚠ This exact update was already sent at {} ({} ✓, update #{}{}).",
                format_time(dup.created_ms, s.utc_offset),
                dup.http_status.unwrap_or_default(),
                dup.id,
                if dup.operator.is_empty() {
                    String::new()
                } else {
                    format!(", by {}", dup.operator)
                }
            ),
            warn,
        ));
        if c.acknowledged {
            lines.push(Line::styled(
                "Press Enter again to send it once more.",
                warn,
            ));
        } else {
            lines.push(Line::styled(
                "Send it again anyway? (If the call was changed since, this puts it back.)",
                warn,
            ));
        }
        lines.push(Line::raw(""));
    }
    if p.production() && (!c.warns() || c.acknowledged) {
        lines.extend(typed_name_prompt(app, "send"));
    }
    // The footer's list (the confirmation's table), so the two say the same.
    lines.push(keys_line(&crate::tui::keymap::hints(app)));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rect = fitted(area, 76, &paragraph, 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(paragraph.block(dialog("Send this update?", color)), rect);
}

fn profiles(app: &App, selected: usize, frame: &mut Frame<'_>, area: Rect) {
    let mut lines = vec![
        Line::styled(
            "Where sends go from now on. The form is kept; the preview follows the profile.",
            Style::default().fg(Color::DarkGray),
        ),
        Line::raw(""),
    ];
    for (i, p) in app.profiles.iter().enumerate() {
        let marker = if p.name == app.profile.name {
            "●"
        } else {
            " "
        };
        let style = if i == selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker} {:<16}", p.name), style),
            Span::raw(" "),
            Span::styled(format!(" {:<10} ", p.kind.label()), badge(p.kind)),
            Span::raw(format!(" {}", p.target)),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" Enter ", Style::default().add_modifier(Modifier::REVERSED)),
        Span::raw(" switch   "),
        Span::styled(" Esc ", Style::default().add_modifier(Modifier::REVERSED)),
        Span::raw(" keep the current one"),
    ]));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rect = fitted(area, 84, &paragraph, 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        paragraph.block(dialog("Profile (account)", Color::Cyan)),
        rect,
    );
}

fn palette(query: &str, selected: usize, frame: &mut Frame<'_>, area: Rect) {
    let matches = crate::tui::keymap::palette_matches(query);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", Style::default().fg(Color::Cyan)),
            Span::raw(query.to_string()),
            Span::styled("█", Style::default().add_modifier(Modifier::SLOW_BLINK)),
        ]),
        Line::raw(""),
    ];
    if matches.is_empty() {
        lines.push(Line::styled(
            "No command has those words. Backspace to widen the search.",
            Style::default().fg(Color::DarkGray),
        ));
    }
    // Keep the highlighted command on screen.
    let room = usize::from(area.height.saturating_sub(8)).max(3);
    let first = selected.saturating_sub(room - 1);
    for (i, c) in matches.iter().enumerate().skip(first).take(room) {
        let style = if i == selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<52}", c.name), style),
            Span::styled(
                format!(" {:>7} ", c.key),
                Style::default().fg(Color::DarkGray),
            ),
        ]));
    }
    let paragraph = Paragraph::new(lines);
    let rect = fitted(area, 66, &paragraph, 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        paragraph.block(dialog("Commands (type to find, Enter runs)", Color::Cyan)),
        rect,
    );
}

fn open_file(app: &App, prompt: &PathPrompt, frame: &mut Frame<'_>, area: Rect) {
    let dim = Style::default().fg(Color::DarkGray);
    let mut lines = vec![
        Line::styled(
            "A CSV (header row: agent_id, target or call_id/phone, preference, outcome, value, \
             metadata) or a .jsonl file. Each row is checked as the form checks it.",
            dim,
        ),
        Line::styled(
            match &prompt.folder {
                Some(folder) => format!("Relative paths start in {folder} (~/ is your home)"),
                None => "Relative paths start in the folder the workbench was started in".into(),
            },
            dim,
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Path: ", Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(prompt.path.clone()),
            Span::styled("▏", Style::default().add_modifier(Modifier::BOLD)),
        ]),
    ];
    if prompt.reading {
        lines.push(Line::styled("Reading…", Style::default().fg(Color::Cyan)));
    }
    if let Some(problem) = &prompt.problem {
        lines.push(Line::styled(
            problem.clone(),
            Style::default().fg(Color::Red),
        ));
    }
    if !prompt.choices.is_empty() {
        let more = prompt.matches.saturating_sub(prompt.choices.len());
        let names = prompt.choices.join("  ");
        lines.push(Line::styled(
            if more > 0 {
                format!("{names}  … {more} more")
            } else {
                names
            },
            dim,
        ));
    }
    lines.push(Line::raw(""));
    // The footer's list, so the two say the same.
    lines.push(keys_line(&crate::tui::keymap::hints(app)));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rect = fitted(area, 80, &paragraph, 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        paragraph.block(dialog("Open a batch file into the queue", Color::Cyan)),
        rect,
    );
}

fn confirm_queue(
    app: &App,
    rows: usize,
    duplicates: &[usize],
    acknowledged: bool,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let p = &app.profile;
    let color = kind_color(p.kind);
    let file = app.queue.as_ref().map_or("", |q| q.file.as_str());
    let mut lines = vec![
        profile_line(app),
        row("To", app.settings.base_url.as_str()),
        row("File", file),
        row(
            "Rows",
            match app
                .queue
                .as_ref()
                .and_then(crate::tui::app::Queue::line_in_form)
            {
                // Reviewed in the form: the queue leaves it to the form, so say so.
                Some(line) => format!(
                    "{rows} ready row{}; line {line} is in the form: send it there ({} at a \
                     time; one call's rows in file order)",
                    if rows == 1 { "" } else { "s" },
                    crate::tui::app::QUEUE_CONCURRENCY
                ),
                None => format!(
                    "{rows} ready row{} ({} at a time; one call's rows in file order)",
                    if rows == 1 { "" } else { "s" },
                    crate::tui::app::QUEUE_CONCURRENCY
                ),
            },
        ),
        Line::raw(""),
    ];
    let warn = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    if !duplicates.is_empty() {
        let lines_of: Vec<String> = app.queue.as_ref().map_or_else(Vec::new, |q| {
            duplicates
                .iter()
                .take(8)
                .filter_map(|i| q.items.get(*i).map(|it| it.entry.line.to_string()))
                .collect()
        });
        lines.push(Line::styled(
            format!(
                "⚠ {} of these rows already went through exactly as they are (lines {}{}).",
                duplicates.len(),
                lines_of.join(", "),
                if duplicates.len() > 8 { ", …" } else { "" }
            ),
            warn,
        ));
        lines.push(Line::styled(
            if acknowledged {
                "Press Enter again to send them all once more (x excludes rows first)."
            } else {
                "Send them again anyway? (A call changed since gets these values back.) s sends \
                 only the others."
            },
            warn,
        ));
        lines.push(Line::raw(""));
    }
    let asking_twice = !duplicates.is_empty() && !acknowledged;
    if p.production() && !asking_twice {
        lines.extend(typed_name_prompt(app, "send the queue"));
    }
    // The footer's list (the confirmation's table), so the two say the same.
    lines.push(keys_line(&crate::tui::keymap::hints(app)));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rect = fitted(area, 80, &paragraph, 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(paragraph.block(dialog("Send the queue?", color)), rect);
}

fn templates(app: &App, selected: usize, frame: &mut Frame<'_>, area: Rect) {
    let mut lines = vec![
        Line::styled(
            "Keeps what the metadata has; the cursor lands in the first empty value.",
            Style::default().fg(Color::DarkGray),
        ),
        Line::raw(""),
    ];
    for (i, (name, text)) in app.settings.prefs.metadata_templates.iter().enumerate() {
        let style = if i == selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {name:<16} "), style),
            Span::styled(
                format!(" {}", text.replace('\n', " ")),
                Style::default().fg(Color::DarkGray),
            ),
        ]));
    }
    let paragraph = Paragraph::new(lines);
    let rect = fitted(area, 80, &paragraph, 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        paragraph.block(dialog("Insert a metadata template", Color::Cyan)),
        rect,
    );
}

fn help(scroll: u16, frame: &mut Frame<'_>, area: Rect) {
    let mut lines = Vec::new();
    for (context, keys) in crate::tui::keymap::help() {
        lines.push(Line::styled(
            context.to_string(),
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ));
        for (key, what) in keys {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {key:<26}"),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(what.to_string()),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "Phone targets: +<country code><number>; preference picks the last (default) or first \
         call from that number. Metadata replaces the object stored on the call.",
        Style::default().fg(Color::DarkGray),
    ));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rect = fitted(area, 80, &paragraph, 4);
    frame.render_widget(Clear, rect);
    // Inside the borders; when it does not all fit, the title says how to see the rest.
    let total = paragraph.line_count(rect.width.saturating_sub(2));
    let title = if total > usize::from(rect.height.saturating_sub(2)) {
        "Keys (↑↓ scroll, Esc closes)"
    } else {
        "Keys (Esc closes)"
    };
    frame.render_widget(
        paragraph
            .scroll((clamp_scroll(scroll, total, rect), 0))
            .block(dialog(title, Color::Cyan)),
        rect,
    );
}

/// Never scrolls past the last line: the last page stays full.
fn clamp_scroll(scroll: u16, total_lines: usize, rect: Rect) -> u16 {
    let visible = usize::from(rect.height.saturating_sub(2));
    let max = u16::try_from(total_lines.saturating_sub(visible)).unwrap_or(u16::MAX);
    scroll.min(max)
}

fn detail(app: &App, record: &Record, scroll: u16, frame: &mut Frame<'_>, area: Rect) {
    let offset = app.settings.utc_offset;
    let (mark, color) = (record.mark(), color(record));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{mark} "),
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            ),
            Span::styled(record.result_text(), Style::default().fg(color)),
        ]),
        row("Recorded", format_time(record.created_ms, offset)),
        row(
            "Completed",
            record
                .completed_ms
                .map_or_else(|| "—".to_string(), |ms| format_time(ms, offset)),
        ),
        row(
            "By",
            format!("{} (profile {})", record.operator, record.profile),
        ),
        row("Sent to", record.base_url.clone()),
    ];
    // What the server said is made inert (escaped), as on the command line.
    if let Some(call) = &record.resolved_call_id {
        lines.push(row("Call", inert(call).into_owned()));
    }
    // A send by phone that landed on another call than the calls list showed (ids inert).
    if let Some(warning) = record.mismatch() {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<10}", "Mismatch"),
                Style::default().fg(Color::DarkGray),
            ),
            Span::styled(format!("⚠ {warning}"), Style::default().fg(Color::Yellow)),
        ]));
    }
    if let Some(message) = &record.message {
        lines.push(row("Message", inert(message).into_owned()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Request",
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ));
    // The User-Agent was not recorded (it names the version that sent it): not shown.
    let mut request = record.request();
    request.headers.retain(|(name, _)| *name != "User-Agent");
    lines.extend(request_lines(
        &request,
        "•••••••• (the key is never stored)",
        usize::from(area.width.saturating_sub(6)),
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Response",
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ));
    match (&record.http_status, &record.response_body) {
        (Some(status), body) => {
            lines.push(row(
                "Status",
                format!(
                    "HTTP {status}{}",
                    record
                        .latency_ms
                        .map(|l| format!(" in {l} ms"))
                        .unwrap_or_default()
                ),
            ));
            // Stated before the body: a capped body can be thousands of lines long.
            let note = |text: String| Line::styled(text, Style::default().fg(Color::Yellow));
            if record.response_truncated {
                lines.push(note(format!(
                    "(the body was longer than {} MiB: only the first {} MiB was kept)",
                    BODY_CAP / (1024 * 1024),
                    BODY_CAP / (1024 * 1024)
                )));
            }
            let body = body.as_deref().unwrap_or("");
            let shown = if body.len() > DETAIL_BODY_CAP {
                let mut cut = DETAIL_BODY_CAP;
                while !body.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines.push(note(format!(
                    "(showing the first {} KiB of {} KiB kept; `phonely-outcomes history --json` \
                     prints all of it)",
                    DETAIL_BODY_CAP / 1024,
                    body.len().div_ceil(1024)
                )));
                body[..cut].to_string()
            } else {
                serde_json::from_str::<serde_json::Value>(body)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or_else(|_| body.to_string())
            };
            for line in shown.lines() {
                lines.push(Line::raw(inert(line).into_owned()));
            }
        }
        (None, _) => lines.push(Line::styled(
            "No response",
            Style::default().fg(Color::DarkGray),
        )),
    }
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = paragraph.line_count(rect.width.saturating_sub(2));
    frame.render_widget(
        paragraph
            .scroll((clamp_scroll(scroll, total, rect), 0))
            .block(dialog(
                &format!("Update #{} (Esc closes, ↑↓ scroll)", record.id),
                color,
            )),
        rect,
    );
}
