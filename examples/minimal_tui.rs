//! The yardstick for start-up benchmarks: the smallest ratatui app that draws one frame and
//! waits for Ctrl+Q, started the same way as the workbench (see scripts/measure_tui.py).

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::widgets::Paragraph;

fn main() -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    terminal.draw(|f| {
        f.render_widget(
            Paragraph::new("Request that will be sent (minimal ratatui app; Ctrl+Q quits)"),
            f.area(),
        );
    })?;
    loop {
        if let Event::Key(k) = event::read()?
            && k.kind == KeyEventKind::Press
            && k.modifiers.contains(KeyModifiers::CONTROL)
            && k.code == KeyCode::Char('q')
        {
            break;
        }
    }
    ratatui::restore();
    Ok(())
}
