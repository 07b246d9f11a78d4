//! The client-side limit for batch throughput: the same rows as `batch`, parsed and built by the
//! same code, sent with the same client and concurrency, but with no history, no retries and no
//! per-call ordering. `cargo run --release --example bare_batch -- FILE BASE_URL KEY [N]`

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use phonely_outcomes::api::client::{Client, Completion};
use phonely_outcomes::api::key::ApiKey;
use phonely_outcomes::api::request::{BaseUrl, build};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, base, key, rest @ ..] = args.as_slice() else {
        eprintln!("usage: bare_batch FILE BASE_URL KEY [CONCURRENCY]");
        std::process::exit(2);
    };
    let concurrency: usize = rest.first().and_then(|c| c.parse().ok()).unwrap_or(16);
    let bytes = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("error: {file}: {e}");
        std::process::exit(2);
    });
    let (rows, errors) = phonely_outcomes::batch::parse(file, &bytes);
    if !errors.is_empty() {
        eprintln!("error: {} invalid rows", errors.len());
        std::process::exit(2);
    }
    let base = BaseUrl::parse(base).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2);
    });
    let key = ApiKey::new(key.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let client = Client::for_base(Duration::from_secs(15), base.as_str()).expect("an HTTP client");
    let started = Instant::now();
    let ok = runtime.block_on(async {
        futures::stream::iter(rows)
            .map(|row| {
                let request = build(&row.update, &base);
                let (client, key) = (&client, &key);
                async move { client.send(&request, key).await.0 }
            })
            .buffer_unordered(concurrency)
            .filter(|c| std::future::ready(matches!(c, Completion::Answered(r) if r.status == 200)))
            .count()
            .await
    });
    eprintln!("{ok} ok in {:.3} s", started.elapsed().as_secs_f64());
}
