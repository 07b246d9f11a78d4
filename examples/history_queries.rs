//! Times the history pane's queries on a filled database (see fill_history): the first page of
//! 100 for typical filters, as the workbench runs them on each filter keystroke.
//! `cargo run --release --example history_queries -- DIR`

use std::time::Instant;

use phonely_outcomes::history::{Filter, Store};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: history_queries DIR");
        std::process::exit(2);
    });
    let store = Store::open(std::path::Path::new(&dir), "bench").unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    let queries = [
        "",
        "c",
        "ca",
        "cal",
        "call",
        "call4",
        "call45",
        "call456",
        "Sold",
        "sold spring",
        "interested",
        "+1415",
        "state:failed",
        "state:unknown",
        "state:failed agent123",
        "profile:staging",
        "zzzzzz",
    ];
    println!(
        "{:<24} {:>8} {:>10} {:>10}",
        "filter", "rows", "median ms", "max ms"
    );
    for q in queries {
        let filter = Filter::parse_query(q).unwrap();
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..7 {
            let t = Instant::now();
            n = store.search(&filter, None, 100).unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:<24} {:>8} {:>10.2} {:>10.2}",
            format!("{q:?}"),
            n,
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
