//! The commands behind the binary: the workbench, `send`, `history` and `sandbox`. Each turns
//! its arguments into the same domain types the workbench uses.

pub mod args;
mod history;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use args::{Cli, Command, SandboxArgs, SendArgs, WorkbenchArgs};

use crate::api::client::{Client, Completion, DEFAULT_TIMEOUT, State};
use crate::api::key::{Credentials, KEY_ENV};
use crate::api::request::{BaseUrl, build};
use crate::api::update::{Field, FieldError, UpdateInput, validate};
use crate::history::{Provenance, SessionLock, Store, operator_name};
use crate::tui::app::Settings;
use crate::tui::runtime::Services;

/// Exit codes of `send`.
pub mod exit {
    pub const UPDATED: u8 = 0;
    pub const REFUSED: u8 = 1;
    pub const INVALID: u8 = 2;
    pub const UNKNOWN: u8 = 3;
}

/// The profile name recorded with each update (named profiles come with the config file).
fn profile_name(sandbox: bool) -> &'static str {
    if sandbox { "sandbox" } else { "default" }
}

pub fn main(cli: Cli) -> ExitCode {
    // Read before any thread starts: reading the local offset later is refused on Unix.
    let offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        None => runtime.block_on(workbench(cli.workbench, offset)),
        Some(Command::Send(args)) => runtime.block_on(send(args)),
        Some(Command::History(args)) => history::run(&args, offset),
        Some(Command::Sandbox(args)) => runtime.block_on(sandbox(args)),
    }
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// The data folder: the flag or env var, else the platform's data folder.
pub fn data_dir(arg: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(dir) = arg {
        return Ok(dir);
    }
    directories::ProjectDirs::from("", "", "phonely-outcomes")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            "could not find a home folder for the history; pass --data-dir DIR".to_string()
        })
}

fn base_url(arg: Option<&str>) -> Result<BaseUrl, String> {
    match arg {
        Some(text) => BaseUrl::parse(text),
        None => Ok(BaseUrl::default()),
    }
}

async fn workbench(args: WorkbenchArgs, offset: time::UtcOffset) -> ExitCode {
    let data_dir = match data_dir(args.data.data_dir) {
        Ok(d) => d,
        Err(m) => return fail(exit::INVALID, &m),
    };
    // Keep the sandbox alive for as long as the workbench runs.
    let mut _sandbox = None;
    let (base, credentials) = if args.sandbox {
        match crate::sandbox::start("127.0.0.1:0", crate::sandbox::DEFAULT_KEY).await {
            Ok(s) => {
                let base = BaseUrl::parse(&s.base_url()).unwrap_or_default();
                _sandbox = Some(s);
                (base, Credentials::sandbox(crate::sandbox::DEFAULT_KEY))
            }
            Err(e) => return fail(1, &format!("could not start the sandbox: {e}")),
        }
    } else {
        match base_url(args.target.base_url.as_deref()) {
            Ok(b) => (b, Credentials::from_env()),
            Err(m) => return fail(exit::INVALID, &m),
        }
    };
    // The data folder, the session lock and the database are opened after the first frame;
    // a problem with them shows in the workbench (and nothing can be sent without them).
    let services = Services {
        data_dir,
        profile: profile_name(args.sandbox).to_string(),
        base_url: base.as_str().to_string(),
        credentials: credentials.clone(),
        timeout: DEFAULT_TIMEOUT,
        clipboard: crate::tui::runtime::Clipboard::Terminal,
    };
    let settings = Settings {
        base_url: base,
        sandbox: args.sandbox,
        credentials,
        utc_offset: offset,
        duplicate_window_ms: crate::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
    };
    match crate::tui::run_in_terminal(settings, services).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("the terminal failed: {e}")),
    }
}

/// Reads `--metadata`: inline JSON, or `@FILE`.
fn metadata_text(arg: Option<&str>) -> Result<String, FieldError> {
    let err = |message: String| FieldError {
        field: Field::Metadata,
        message,
    };
    match arg {
        None => Ok(String::new()),
        Some("") => Err(err(
            "--metadata is empty: give a JSON object or leave the flag out".into(),
        )),
        Some(text) => match text.strip_prefix('@') {
            None => Ok(text.to_string()),
            Some(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| err(format!("Could not read metadata file {path}: {e}")))?;
                String::from_utf8(bytes).map_err(|e| {
                    err(format!(
                        "Metadata file {path} is not UTF-8 text (bad byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ))
                })
            }
        },
    }
}

/// Checks the CLI flags with the same rules as the form, plus what only flags can get wrong.
fn send_input(args: &SendArgs) -> Result<crate::api::update::OutcomeUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let empty_flag = |field: Field, flag: &str| FieldError {
        field,
        message: format!("{flag} is empty: give a value or leave the flag out"),
    };
    if args.outcome.as_deref() == Some("") {
        errors.push(empty_flag(Field::Outcome, "--outcome"));
    }
    if args.value.as_deref() == Some("") {
        errors.push(empty_flag(Field::Value, "--value"));
    }
    let metadata = metadata_text(args.metadata.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let target = args.call.as_deref().or(args.phone.as_deref()).unwrap_or("");
    if let Some(phone) = &args.phone
        && !phone.trim_start().starts_with('+')
        && !crate::api::phone::looks_like_national_phone(phone)
    {
        errors.push(FieldError {
            field: Field::Target,
            message: format!(
                "--phone must be a phone number in international form, e.g. +14155551234 \
                 (got {phone}); for a call ID use --call"
            ),
        });
    }
    if let Some(call) = &args.call
        && call.trim_start().starts_with('+')
    {
        errors.push(FieldError {
            field: Field::Target,
            message: format!("--call got a phone number ({call}): use --phone for numbers"),
        });
    }
    if args.call.is_some() && args.preference.is_some() {
        errors.push(FieldError {
            field: Field::Preference,
            message: "--preference only applies with --phone, not with --call".to_string(),
        });
    }
    let input = UpdateInput {
        agent: &args.agent,
        target,
        preference: if args.call.is_some() {
            None
        } else {
            args.preference.as_deref()
        },
        outcome: args.outcome.as_deref().unwrap_or(""),
        value: args.value.as_deref().unwrap_or(""),
        metadata: &metadata,
    };
    match validate(&input) {
        Ok(u) if errors.is_empty() => Ok(u),
        Ok(_) => Err(errors),
        Err(more) => {
            // Keep flag-specific messages first; drop generic ones for the same field.
            for e in more {
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(e);
                }
            }
            Err(errors)
        }
    }
}

async fn send(args: SendArgs) -> ExitCode {
    let update = match send_input(&args) {
        Ok(u) => u,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("Nothing was sent.");
            return ExitCode::from(exit::INVALID);
        }
    };
    let base = match base_url(args.target.base_url.as_deref()) {
        Ok(b) => b,
        Err(m) => return fail(exit::INVALID, &format!("{m}. Nothing was sent.")),
    };
    let request = build(&update, &base);
    let credentials = Credentials::from_env();
    if args.dry_run {
        let _ = writeln!(std::io::stdout(), "{}", request.curl(&credentials.source));
        return ExitCode::from(exit::UPDATED);
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        return fail(
            exit::INVALID,
            &format!(
                "--timeout must be a number of seconds between 0 and 3600 (got {}). Nothing was \
                 sent.",
                args.timeout
            ),
        );
    }
    let Some(key) = credentials.key.clone() else {
        return fail(
            exit::INVALID,
            &format!(
                "no API key: set {KEY_ENV} to the key from Phonely's Settings → Profile page. \
                 Nothing was sent."
            ),
        );
    };
    let data_dir = match data_dir(args.data.data_dir.clone()) {
        Ok(d) => d,
        Err(m) => return fail(exit::INVALID, &format!("{m}. Nothing was sent.")),
    };
    let opened = std::fs::create_dir_all(&data_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| SessionLock::acquire(&data_dir).map_err(|e| e.to_string()))
        .and_then(|lock| {
            Store::open(&data_dir, lock.id())
                .map(|s| (lock, s))
                .map_err(|e| e.to_string())
        });
    let (lock, store) = match opened {
        Ok(x) => x,
        Err(e) => {
            return fail(
                exit::INVALID,
                &format!(
                    "could not open the history in {}: {e}. Nothing was sent (every update is \
                     recorded before it leaves).",
                    data_dir.display()
                ),
            );
        }
    };
    let who = Provenance {
        operator: operator_name(),
        profile: profile_name(false).to_string(),
        base_url: base.as_str().to_string(),
    };
    let record = match store.insert_pending(&who, &update, &request) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                exit::INVALID,
                &format!("could not record the update in the history: {e}. Nothing was sent."),
            );
        }
    };
    let client = match Client::new(Duration::from_secs_f64(args.timeout)) {
        Ok(c) => c,
        Err(m) => {
            let _ = store.complete(record.id, &Completion::NotSent(m.clone()), Duration::ZERO);
            return fail(exit::UNKNOWN, &m);
        }
    };
    let started = std::time::Instant::now();
    let (completion, latency) = tokio::select! {
        r = client.send(&request, &key) => r,
        _ = tokio::signal::ctrl_c() => (Completion::Cancelled, started.elapsed()),
    };
    let done = match store.complete(record.id, &completion, latency) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                exit::UNKNOWN,
                &format!(
                    "the request ended but its result could not be recorded ({e}); update #{} \
                     will show as outcome unknown",
                    record.id
                ),
            );
        }
    };
    drop(lock);
    if let Completion::Answered(response) = &completion {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", response.body.trim_end());
    }
    let summary = format!(
        "{} {} {}: {} (HTTP {}, {} ms) [history #{}]",
        done.mark(),
        update.agent.as_str(),
        update.target.as_str(),
        done.message.as_deref().unwrap_or(""),
        done.http_status
            .map_or_else(|| "none".to_string(), |s| s.to_string()),
        latency.as_millis(),
        done.id
    );
    eprintln!("{summary}");
    ExitCode::from(match done.state {
        State::Ok if done.verified => exit::UPDATED,
        State::Ok | State::Refused => exit::REFUSED,
        _ => exit::UNKNOWN,
    })
}

fn open_for_reading(data_dir: &Path) -> Result<Store, String> {
    let lock = SessionLock::acquire(data_dir).map_err(|e| e.to_string())?;
    let store = Store::open(data_dir, lock.id()).map_err(|e| e.to_string())?;
    // A crashed session's rows read as unknown here too.
    store
        .reconcile_orphans(data_dir)
        .map_err(|e| e.to_string())?;
    Ok(store)
}

async fn sandbox(args: SandboxArgs) -> ExitCode {
    let running = match crate::sandbox::start(&args.addr, &args.key).await {
        Ok(s) => s,
        Err(e) => return fail(1, &format!("could not listen on {}: {e}", args.addr)),
    };
    let url = running.base_url();
    let fault_note = match &args.fault {
        Some(fault) => {
            running
                .sandbox
                .set_standing_fault(fault.clone(), args.fault_times);
            let which = args.fault_times.map_or_else(
                || "every update request".to_string(),
                |n| format!("the next {n} update requests"),
            );
            format!(
                "\nFault: {which} gets {fault} (one request can pick its own with the X-Sandbox-Fault header)"
            )
        }
        None => String::new(),
    };
    // Written with errors ignored: a closed stdout must not stop the server.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "Phonely sandbox listening on {url}\nAPI key: {key}\n\
         Try:  PHONELY_API_KEY={key} phonely-outcomes --base-url {url}\n\
         Read back a call: curl {url}/sandbox/calls/agent123/call456\n\
         Ctrl+C stops it.{fault_note}",
        key = args.key
    );
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    drop(running);
    ExitCode::SUCCESS
}
