//! The log file: `tracing` to the platform state folder, rotated daily. Requests are logged by
//! method, path and outcome; headers (the key is one) and bodies never.

use std::path::PathBuf;
use std::str::FromStr as _;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

const LEVELS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];

/// Log files kept (one per day).
const KEEP_FILES: usize = 14;

/// The level: `--log-level`, else $RUST_LOG, else `info`. A wrong value is an error that says
/// what is accepted.
pub fn filter(arg: Option<&str>) -> Result<Targets, String> {
    let (text, from) = match arg {
        Some(t) => (t.to_string(), "--log-level"),
        None => match std::env::var("RUST_LOG") {
            Ok(t) if !t.trim().is_empty() => (t, "RUST_LOG"),
            _ => ("info".to_string(), "the default"),
        },
    };
    let explain = |why: &str| {
        format!(
            "{from} \"{text}\" is not a log level ({why}): use error, warn, info, debug or \
             trace, optionally per module, e.g. phonely_outcomes=debug"
        )
    };
    // A bare word is a target to the parser ("loud" would log everything from a module named
    // loud); here a bare word must be a level, so typos are caught.
    for directive in text.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let level = directive.rsplit_once('=').map_or(directive, |(_, l)| l);
        if !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(explain(&format!("\"{level}\" is not a level")));
        }
    }
    Targets::from_str(text.trim()).map_err(|e| explain(&e.to_string()))
}

/// Starts logging to `dir`. Returns where, or why not (the tool works without a log).
pub fn init(dir: Option<PathBuf>, filter: Targets) -> Result<PathBuf, String> {
    let dir = dir.ok_or("no home folder for the log files")?;
    crate::history::private::create_dir(&dir)
        .map_err(|e| format!("could not create the log folder {}: {e}", dir.display()))?;
    // Today's file is made now, private, so the appender opens it rather than making it with
    // the usual 0644 (its name is the appender's: prefix, UTC date, suffix).
    let today = time::OffsetDateTime::now_utc().date();
    let _ = crate::history::private::file_options()
        .append(true)
        .create(true)
        .open(dir.join(format!(
            "phonely-outcomes.{:04}-{:02}-{:02}.log",
            today.year(),
            u8::from(today.month()),
            today.day()
        )));
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("phonely-outcomes")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(&dir)
        .map_err(|e| format!("could not open a log file in {}: {e}", dir.display()))?;
    // Older files (and one made at midnight between the two) are made private too.
    let _ = crate::history::private::tighten_tree(&dir);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(appender)
        .with_ansi(false)
        .with_filter(filter);
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .map_err(|e| format!("logging was already set up: {e}"))?;
    Ok(dir)
}

/// Panics go to the log too (their messages never hold the key: no type that holds it prints
/// it), then to the hook before (the workbench's restores the terminal).
pub fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_mistakes_are_explained() {
        assert!(filter(Some("debug")).is_ok());
        assert!(filter(Some("phonely_outcomes=trace,warn")).is_ok());
        let e = filter(Some("loud")).unwrap_err();
        assert!(e.contains("--log-level \"loud\" is not a log level"), "{e}");
    }
}
