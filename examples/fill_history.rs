//! Fills a data folder's history with realistic rows, for benchmarks and demos:
//! `cargo run --release --example fill_history -- DIR [ROWS]` (default 1,000,000 rows).

use std::time::Instant;

use phonely_outcomes::history::{Store, generate, now_ms};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: fill_history DIR [ROWS]");
        std::process::exit(2);
    };
    let rows: usize = args
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let store = match Store::open(std::path::Path::new(&dir), "generator") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let started = Instant::now();
    if let Err(e) = generate::fill(&store, rows, now_ms(), 0x5eed) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    eprintln!("{rows} rows in {:.1} s", started.elapsed().as_secs_f64());
}
