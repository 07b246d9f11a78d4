//! How far a batch has got, on standard error: a progress bar (indicatif) when it is a
//! terminal, otherwise a plain line every so many rows, for logs and pipes.

use std::cell::Cell;
use std::io::Write as _;
use std::time::{Duration, Instant};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

pub use crate::batch::engine::Counts;

/// The counts in words, as the bar and the plain lines say them.
impl Counts {
    fn words(&self) -> String {
        let mut text = String::new();
        self.write_words(&mut text);
        text
    }

    fn write_words(&self, w: &mut dyn std::fmt::Write) {
        let _ = write!(
            w,
            "{} updated, {} refused, {} outcome unknown",
            self.ok, self.refused, self.unknown
        );
        if self.unconfirmed > 0 {
            let _ = write!(w, ", {} not confirmed", self.unconfirmed);
        }
        if self.not_sent > 0 {
            let _ = write!(w, ", {} not sent", self.not_sent);
        }
    }
}

/// The counts as the bar reads them when it draws (about ten times a second), so a row that
/// ends costs a few stores, not a message formatted for each.
#[derive(Default)]
pub struct SharedCounts([AtomicUsize; 5]);

impl SharedCounts {
    fn store(&self, c: &Counts) {
        for (slot, n) in self
            .0
            .iter()
            .zip([c.ok, c.refused, c.unknown, c.not_sent, c.unconfirmed])
        {
            slot.store(n, Ordering::Relaxed);
        }
    }

    fn load(&self) -> Counts {
        let [ok, refused, unknown, not_sent, unconfirmed] =
            [0, 1, 2, 3, 4].map(|i| self.0[i].load(Ordering::Relaxed));
        Counts {
            ok,
            unconfirmed,
            refused,
            unknown,
            not_sent,
        }
    }
}

/// Where progress goes.
pub enum Progress {
    Bar(ProgressBar, Arc<SharedCounts>),
    Lines {
        total: usize,
        /// A line each time this many more rows are done.
        step: usize,
        next: Cell<usize>,
        started: Instant,
    },
}

/// Rows between two plain progress lines: every 10 % or every 100 rows, whichever gives
/// fewer lines (so a short batch prints none, only the final summary).
pub fn line_step(total: usize) -> usize {
    total.div_ceil(10).max(100)
}

impl Progress {
    /// A bar when standard error is a terminal, lines otherwise.
    pub fn new(total: usize) -> Self {
        use std::io::IsTerminal as _;
        if std::io::stderr().is_terminal() {
            Self::bar(total, ProgressDrawTarget::stderr_with_hz(10))
        } else {
            let step = line_step(total);
            Progress::Lines {
                total,
                step,
                next: Cell::new(step),
                started: Instant::now(),
            }
        }
    }

    fn bar(total: usize, target: ProgressDrawTarget) -> Self {
        let bar =
            ProgressBar::with_draw_target(Some(u64::try_from(total).unwrap_or(u64::MAX)), target);
        let counts = Arc::new(SharedCounts::default());
        let shown = Arc::clone(&counts);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:30.green/white} {pos}/{len} rows · {per_sec:0} · {eta} left · {counts}",
        ) {
            bar.set_style(style.progress_chars("█▌ ").with_key(
                "counts",
                move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                    shown.load().write_words(w);
                },
            ));
        }
        // Redrawn now and then even when no row ends, so the rate and time stay true.
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress::Bar(bar, counts)
    }

    /// A line of its own (a refused row, a retry), above the bar.
    /// Its text may quote a server or a file: it is made inert first.
    pub fn note(&self, line: &str) {
        let line = crate::api::inert::inert(line);
        let line = line.as_ref();
        match self {
            Progress::Bar(bar, _) => bar.println(line),
            Progress::Lines { .. } => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }
    }

    /// After each row that ends.
    pub fn update(&self, counts: &Counts) {
        let done = counts.done();
        match self {
            Progress::Bar(bar, shared) => {
                shared.store(counts);
                bar.set_position(u64::try_from(done).unwrap_or(u64::MAX));
            }
            Progress::Lines {
                total,
                step,
                next,
                started,
            } => {
                // The last row's line is the summary, printed by the caller.
                if done < next.get() || done >= *total {
                    return;
                }
                while next.get() <= done {
                    next.set(next.get() + step);
                }
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    progress_line(done, *total, counts, started.elapsed())
                );
            }
        }
    }

    /// Before the summary, which says the same in words: the bar is cleared.
    pub fn finish(&self) {
        if let Progress::Bar(bar, _) = self {
            bar.finish_and_clear();
        }
    }
}

/// One plain progress line, e.g.
/// `progress: 200 of 1000 rows (20%): 198 updated, 2 refused, 0 outcome unknown; 85 rows/s,
/// about 10 s left`.
pub fn progress_line(done: usize, total: usize, counts: &Counts, elapsed: Duration) -> String {
    #[allow(clippy::cast_precision_loss)] // row counts and seconds: far inside f64's range
    let (done_f, left_f) = (done as f64, total.saturating_sub(done) as f64);
    let secs = elapsed.as_secs_f64().max(0.001);
    let rate = done_f / secs;
    let left = if rate > 0.0 { left_f / rate } else { 0.0 };
    format!(
        "progress: {done} of {total} rows ({}%): {}; {rate:.0} rows/s, about {} left",
        done * 100 / total.max(1),
        counts.words(),
        human_secs(left)
    )
}

fn human_secs(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 90.0 * 60.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A terminal that keeps what the bar wrote.
    #[derive(Clone, Debug, Default)]
    struct Screen(Arc<std::sync::Mutex<String>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            160
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_bar_shows_the_counts_as_they_are_when_it_draws() {
        let screen = Screen::default();
        let progress = Progress::bar(
            10,
            ProgressDrawTarget::term_like_with_hz(Box::new(screen.clone()), 100),
        );
        let counts = Counts {
            ok: 3,
            unconfirmed: 1,
            refused: 1,
            unknown: 0,
            not_sent: 2,
        };
        progress.update(&counts);
        let Progress::Bar(bar, _) = &progress else {
            panic!("a bar")
        };
        bar.force_draw();
        let drawn = screen.0.lock().unwrap().clone();
        assert!(drawn.contains("7/10 rows"), "{drawn}");
        assert!(
            drawn.contains("3 updated, 1 refused, 0 outcome unknown, 1 not confirmed, 2 not sent"),
            "{drawn}"
        );
    }

    #[test]
    fn every_ten_percent_or_every_hundred_rows_whichever_is_fewer() {
        assert_eq!(line_step(50), 100, "a short batch: the summary only");
        assert_eq!(line_step(300), 100);
        assert_eq!(line_step(1000), 100);
        assert_eq!(line_step(2500), 250);
        assert_eq!(line_step(100_001), 10_001);
    }

    #[test]
    fn a_plain_line_says_how_far_how_it_went_and_how_long_is_left() {
        let counts = Counts {
            ok: 198,
            unconfirmed: 0,
            refused: 1,
            unknown: 1,
            not_sent: 0,
        };
        assert_eq!(
            progress_line(200, 1000, &counts, Duration::from_secs(2)),
            "progress: 200 of 1000 rows (20%): 198 updated, 1 refused, 1 outcome unknown; \
             100 rows/s, about 8 s left"
        );
        let slow = Counts {
            not_sent: 2,
            ..Counts::default()
        };
        assert!(
            progress_line(2, 100_000, &slow, Duration::from_secs(1)).ends_with(
                "0 updated, 0 refused, 0 outcome unknown, 2 not sent; 2 rows/s, about 13.9 h left"
            ),
        );
    }
}
