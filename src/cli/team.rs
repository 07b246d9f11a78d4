//! `team migrate | init-sql | status | push`, and the team log's lines in `config show`. The
//! URL's password never shows: URLs are printed with [`phonely_team::TeamUrl::shown`], and the
//! driver's errors pass through `scrub`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use phonely_team::writer::TeamWriter;
use phonely_team::{Target, TeamError, TeamLog};

use super::args::{GlobalArgs, TeamCommand};
use super::common::{data_dir, exit, fail};
use crate::api::inert::inert_lines;
use crate::config::Config;
use crate::config::team::URL_ENV;

pub async fn run(command: &TeamCommand, global: &GlobalArgs, config: &Config) -> ExitCode {
    if let TeamCommand::InitSql = command {
        print!("{}", phonely_team::migrations::init_sql());
        return ExitCode::SUCCESS;
    }
    let target = match target(config).await {
        Ok(t) => t,
        Err(e) => return fail(exit::INVALID, &e),
    };
    let dir = match data_dir(global.data_dir.clone()) {
        Ok(d) => d,
        Err(e) => return fail(exit::INVALID, &e),
    };
    match command {
        TeamCommand::InitSql => ExitCode::SUCCESS,
        TeamCommand::Migrate => migrate(&target).await,
        TeamCommand::Status => status(config, &target, &dir).await,
        TeamCommand::Push => push(target, &dir).await,
    }
}

/// The team log's connection target, or why there is none (not configured, URL unreadable,
/// config errors).
async fn target(config: &Config) -> Result<Target, String> {
    if config.is_broken() {
        return Err(format!(
            "the config file has errors; fix them first (`phonely-outcomes config show`):\n{}",
            config.errors.join("\n")
        ));
    }
    if !config.team.enabled() {
        return Err(format!(
            "the team log is not configured: set {URL_ENV} to the team database's URL, or add a \
             [team] section to the config file (README, \"For a team\")"
        ));
    }
    let url = config.team.resolve().await?;
    Ok(config.team.target(url))
}

async fn migrate(target: &Target) -> ExitCode {
    let mut client = match phonely_team::connect::connect(target).await {
        Ok(c) => c,
        Err(e) => return fail(exit::UNKNOWN, &e.to_string()),
    };
    match phonely_team::migrations::migrate(&mut client).await {
        Ok((from, to)) if from == to => {
            println!(
                "The team log at {} is up to date (schema {to}).",
                crate::api::inert::inert(&target.url.shown())
            );
            ExitCode::SUCCESS
        }
        Ok((from, to)) => {
            println!(
                "The team log at {} was brought from schema {from} to {to}.",
                crate::api::inert::inert(&target.url.shown())
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(exit::REFUSED, &target.url.scrub(&e.to_string())),
    }
}

async fn status(config: &Config, target: &Target, dir: &Path) -> ExitCode {
    let mut out = String::new();
    let _ = writeln!(out, "database   {}", target.url.shown());
    let _ = writeln!(
        out,
        "url from   {}",
        crate::api::inert::inert(&config.team.source())
    );
    let _ = writeln!(out, "operator   {}", config.team.operator);
    let mode = match (target.socket(), target.mode()) {
        (Some(folder), _) => format!("none: a socket on this computer ({folder}), as psql does"),
        (None, mode) => mode.map_or_else(|e| e, |m| m.as_str().to_string()),
    };
    let _ = writeln!(out, "sslmode    {mode}");
    let reachable = match TeamLog::open(target).await {
        Ok(log) => {
            let rows = log
                .count()
                .await
                .map_or_else(|e| format!("? ({e})"), |n| n.to_string());
            let _ = writeln!(out, "connection ✓ reachable");
            let _ = writeln!(out, "schema     {}", log.version());
            let _ = writeln!(out, "rows       {rows}");
            true
        }
        Err(e) => {
            let _ = writeln!(
                out,
                "connection ✗ {}",
                crate::api::inert::inert(&e.to_string())
            );
            false
        }
    };
    let _ = write!(out, "{}", waiting_lines(dir));
    print!("{}", inert_lines(&out));
    if reachable {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::UNKNOWN)
    }
}

/// "waiting    3 updates to push (`team push`)" and refused entries, from the outbox.
fn waiting_lines(dir: &Path) -> String {
    let mut out = String::new();
    match crate::teamlog::open_outbox(dir) {
        Ok(o) => {
            match o.waiting() {
                Ok(0) => out.push_str("waiting    none\n"),
                Ok(n) => {
                    let _ = writeln!(
                        out,
                        "waiting    {n} to push (`phonely-outcomes team push`, or the next send)"
                    );
                }
                Err(e) => {
                    let _ = writeln!(out, "waiting    ? ({e})");
                }
            }
            if let Ok((n, Some(why))) = o.refused()
                && n > 0
            {
                let _ = writeln!(
                    out,
                    "refused    {n} kept in {} and not pushed: {}",
                    o.path().display(),
                    // One line: the reason quotes the server (a colleague's operator name).
                    crate::api::inert::inert(&why)
                );
            }
        }
        Err(e) => {
            let _ = writeln!(out, "waiting    ? ({e})");
        }
    }
    out
}

async fn push(target: Target, dir: &Path) -> ExitCode {
    let outbox = match crate::teamlog::open_outbox(dir) {
        Ok(o) => o,
        Err(e) => return fail(exit::INVALID, &e),
    };
    let mut writer = TeamWriter::new(target.clone(), outbox);
    match writer.push().await {
        Ok(p) if p.pushed == 0 && p.waiting == 0 && p.refused == 0 => {
            println!("Nothing was waiting: the team log has every update made here.");
            ExitCode::SUCCESS
        }
        Ok(p) => {
            println!(
                "Pushed {} to the team log; {} waiting{}.",
                p.pushed,
                p.waiting,
                if p.refused > 0 {
                    format!("; {} refused and kept (see `team status`)", p.refused)
                } else {
                    String::new()
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let waiting = writer.outbox().waiting().unwrap_or(0);
            let code = if e.is_offline() {
                exit::UNKNOWN
            } else {
                exit::REFUSED
            };
            fail(
                code,
                &format!(
                    "{}; {waiting} still waiting, nothing lost",
                    target.url.scrub(&e.to_string())
                ),
            )
        }
    }
}

/// The team log's lines for `config show`: configured or not, where the URL comes from, the
/// URL (masked), whether it is reachable and on the right schema, rows waiting.
pub async fn show_lines(config: &Config, data: Option<PathBuf>) -> String {
    let mut out = String::from("\nteam log\n");
    if !config.team.enabled() {
        let _ = writeln!(
            out,
            "  not configured (set {URL_ENV} or add [team]; README, \"For a team\")"
        );
        return out;
    }
    let _ = writeln!(out, "  url from  {}", config.team.source());
    let _ = writeln!(out, "  operator  {}", config.team.operator);
    match config.team.resolve().await {
        Err(e) => {
            let _ = writeln!(out, "  url       ✗ {e}");
        }
        Ok(url) => {
            let target = config.team.target(url);
            let _ = writeln!(out, "  url       {}", target.url.shown());
            let state = match TeamLog::open(&target).await {
                Ok(log) => format!("✓ reachable, schema {}", log.version()),
                Err(e @ (TeamError::OlderSchema { .. } | TeamError::NotSetUp)) => {
                    format!("✗ reachable, but {e}")
                }
                Err(e) => format!("✗ {e}"),
            };
            let _ = writeln!(out, "  status    {state}");
        }
    }
    if let Ok(dir) = data_dir(data) {
        for line in waiting_lines(&dir).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}
