//! Where the workbench's time goes between its first frame and the first page of history on
//! screen, step by step, as `tui/runtime.rs` runs them on a filled database (see fill_history):
//! take the session lock, open the writing connection (schema check and migrations, private
//! files), settle crashed sessions' rows and import journals, open the reading connection, read
//! the first page; then what comes after the page (the Outcome labels). Each step is timed in a
//! fresh process per run (`--runs N`), so the page cache is warm but SQLite's is not, as at a
//! real start.
//! `cargo run --release --example startup_breakdown -- DIR [--runs 15]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use phonely_outcomes::history::{Filter, SessionLock, Store};

const STEPS: [&str; 6] = [
    "session lock",
    "open writer (schema check)",
    "reconcile orphans",
    "open reader",
    "first page (100 rows)",
    "outcome labels (after the page)",
];

fn once(dir: &Path) -> Result<Vec<f64>, String> {
    let mut times = Vec::new();
    let mut t = Instant::now();
    let mut lap = |times: &mut Vec<f64>| {
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        t = Instant::now();
    };
    let lock = SessionLock::acquire(dir).map_err(|e| e.to_string())?;
    lap(&mut times);
    let writer = Store::open(dir, lock.id()).map_err(|e| e.to_string())?;
    lap(&mut times);
    writer.reconcile_orphans(dir).map_err(|e| e.to_string())?;
    lap(&mut times);
    let reader = Store::open(dir, lock.id()).map_err(|e| e.to_string())?;
    lap(&mut times);
    let page = reader
        .search(&Filter::default(), None, 100)
        .map_err(|e| e.to_string())?;
    lap(&mut times);
    let labels = reader.outcome_labels(50).map_err(|e| e.to_string())?;
    lap(&mut times);
    if page.is_empty() || labels.is_empty() {
        return Err("the database holds no rows: fill it with examples/fill_history".into());
    }
    Ok(times)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: startup_breakdown DIR [--runs N]");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    // A child run: one start, its step times on one line.
    if std::env::var_os("STARTUP_BREAKDOWN_CHILD").is_some() {
        match once(&dir) {
            Ok(times) => {
                let line: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
                println!("{}", line.join(" "));
            }
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let runs: usize = match (args.next().as_deref(), args.next()) {
        (Some("--runs"), Some(n)) => n.parse().unwrap_or(15),
        _ => 15,
    };
    let me = std::env::current_exe().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); STEPS.len()];
    for _ in 0..=runs {
        let out = Command::new(&me)
            .arg(&dir)
            .env("STARTUP_BREAKDOWN_CHILD", "1")
            .output()
            .unwrap_or_else(|e| {
                eprintln!("error: {e}");
                std::process::exit(1);
            });
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(1);
        }
        let line = String::from_utf8_lossy(&out.stdout);
        for (i, t) in line.split_whitespace().enumerate() {
            if let (Some(v), Ok(t)) = (all.get_mut(i), t.parse::<f64>()) {
                v.push(t);
            }
        }
    }
    // The first run warms the page cache and is dropped.
    println!("{:<34} {:>10} {:>10}", "step", "median ms", "max ms");
    let mut before_page = 0.0;
    for (i, (name, times)) in STEPS.iter().zip(all.iter_mut()).enumerate() {
        times.remove(0);
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        if i < 5 {
            before_page += median;
        }
        println!("{name:<34} {median:>10.3} {:>10.3}", times[times.len() - 1]);
    }
    println!(
        "{:<34} {before_page:>10.3}",
        "sum before the page is on screen"
    );
}
