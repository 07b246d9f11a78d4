//! Colours. Views are written with one set of colours (for a dark background); the theme is a
//! map applied to the finished frame, so no view can forget it. A light background gets darker
//! equivalents of the colours that vanish on white; `NO_COLOR` (no-color.org) turns every
//! colour off and keeps meaning with bold and reverse video.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::config::Theme;

/// Re-colours every cell of `buf` for the theme.
pub fn apply(buf: &mut Buffer, theme: Theme, no_color: bool) {
    if !no_color && theme == Theme::Dark {
        return;
    }
    for cell in &mut buf.content {
        if no_color {
            let had_bg = cell.bg != Color::Reset;
            let alarming = matches!(cell.fg, Color::Red) || matches!(cell.bg, Color::Red);
            cell.fg = Color::Reset;
            cell.bg = Color::Reset;
            cell.underline_color = Color::Reset;
            if had_bg {
                // Badges and markers keep standing out.
                cell.modifier.insert(Modifier::REVERSED);
            }
            if alarming {
                cell.modifier.insert(Modifier::BOLD);
            }
        } else {
            cell.fg = light(cell.fg);
            cell.bg = light_bg(cell.bg);
        }
    }
}

/// Foregrounds that are unreadable on white become their darker relatives.
fn light(c: Color) -> Color {
    match c {
        Color::Cyan | Color::LightCyan => Color::Blue,
        Color::Yellow | Color::LightYellow => Color::Indexed(130),
        Color::Green | Color::LightGreen => Color::Indexed(28),
        Color::White => Color::Black,
        Color::Gray | Color::DarkGray => Color::Indexed(242),
        Color::Magenta | Color::LightMagenta => Color::Indexed(90),
        other => other,
    }
}

/// Backgrounds (badges, markers) keep their hue; only white would disappear.
fn light_bg(c: Color) -> Color {
    match c {
        Color::White => Color::Gray,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn buffer() -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 4, 1));
        b[(0, 0)].set_style(Style::default().fg(Color::Cyan));
        b[(1, 0)].set_style(Style::default().fg(Color::Black).bg(Color::Green));
        b[(2, 0)].set_style(Style::default().fg(Color::Red));
        b
    }

    #[test]
    fn no_color_leaves_no_colour_but_keeps_emphasis() {
        let mut b = buffer();
        apply(&mut b, Theme::Light, true);
        for cell in &b.content {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
        }
        assert!(b[(1, 0)].modifier.contains(Modifier::REVERSED));
        assert!(b[(2, 0)].modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn light_darkens_what_white_would_swallow() {
        let mut b = buffer();
        apply(&mut b, Theme::Light, false);
        assert_eq!(b[(0, 0)].fg, Color::Blue);
        assert_eq!(b[(1, 0)].bg, Color::Green);
        let mut d = buffer();
        apply(&mut d, Theme::Dark, false);
        assert_eq!(d, buffer(), "dark is how views are written");
    }
}
