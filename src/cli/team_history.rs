//! `history --team` and `history --operator NAME`: everyone's updates from the team log, newest
//! first, as a table or JSON Lines (the team log's fields: the history's, with `operator` and
//! `uuid`; no local `id`). Filters: `--operator`, `--agent`, `--target`/`--call`, `--limit`;
//! the history's other filters are refused with --team for now, rather than ignored.

use std::io::Write as _;
use std::process::ExitCode;

use phonely_team::TeamLog;
use phonely_team::log::Query;
use time::UtcOffset;

use super::args::{HistoryArgs, HistoryFormat};
use super::common::{exit, fail};
use crate::api::inert::{inert, inert_json};
use crate::api::time::format_time;
use crate::config::Config;

pub async fn run(args: &HistoryArgs, config: &Config, offset: UtcOffset) -> ExitCode {
    let unsupported: Vec<&str> = [
        ("--outcome", args.outcome.is_some()),
        ("--value", args.value.is_some()),
        ("--batch", args.batch.is_some()),
        ("--state", args.state.is_some()),
        ("--since", args.since.is_some()),
        ("--until", args.until.is_some()),
        ("--text", args.text.is_some()),
        ("--format csv", args.format == Some(HistoryFormat::Csv)),
        ("show", args.command.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    if !unsupported.is_empty() {
        return fail(
            exit::INVALID,
            &format!(
                "{} cannot be used with --team yet; with --team: --operator, --agent, --target \
                 or --call, --limit, --json",
                unsupported.join(", ")
            ),
        );
    }
    if !config.team.enabled() {
        return fail(
            exit::INVALID,
            "the team log is not configured: set PHONELY_TEAM_DATABASE_URL or add [team] \
             (README, \"For a team\")",
        );
    }
    let url = match config.team.resolve().await {
        Ok(u) => u,
        Err(e) => return fail(exit::INVALID, &e),
    };
    let target = config.team.target(url);
    let log = match TeamLog::open(&target).await {
        Ok(l) => l,
        Err(e) => return fail(exit::UNKNOWN, &e.to_string()),
    };
    let json = args.json || args.format == Some(HistoryFormat::Jsonl);
    let limit = args.limit.map_or(if json { i64::MAX } else { 20 }, |n| {
        i64::try_from(n).unwrap_or(i64::MAX)
    });
    let query = Query {
        operator: args.operator.as_deref(),
        agent: args.agent.as_deref(),
        target: args.target.as_deref().or(args.call.as_deref()),
        limit,
    };
    let rows = match log.search(&query).await {
        Ok(r) => r,
        Err(e) => return fail(exit::UNKNOWN, &e.to_string()),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if rows.is_empty() {
        eprintln!("No updates match in the team log");
        return ExitCode::SUCCESS;
    }
    if json {
        for r in &rows {
            if let Ok(line) = serde_json::to_string(r) {
                let _ = writeln!(out, "{}", inert_json(&line));
            }
        }
    } else {
        let _ = writeln!(
            out,
            "{:<19}  {:<12}  {:<16}  {:<28}  {:<20}  Result",
            "Recorded", "Operator", "State", "Agent/target", "Sets"
        );
        for row in &rows {
            let r = row.to_record();
            let line = format!(
                "{:<19}  {:<12}  {:<16}  {:<28}  {:<20}  {}",
                format_time(r.created_ms, offset),
                r.operator,
                format!("{} {}", r.mark(), r.state.as_str()),
                r.target_text(),
                r.set_text(),
                r.result_text()
            );
            let _ = writeln!(out, "{}", inert(&line));
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}
