//! The commands behind the binary: the workbench, `send`, `history` and `sandbox`. Each turns
//! its arguments into the same domain types the workbench uses.

pub mod args;
mod batch;
mod batch_progress;
mod calls;
mod commands;
mod common;
mod history;
pub mod logging;
mod team;
mod team_history;

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use args::{Cli, Command, GlobalArgs, SandboxArgs, SendArgs, WorkbenchArgs};
use common::{
    Sender, account, built, checked_key, fail, history_for_sending, profile_base_url,
    request_timeout, sender,
};
pub use common::{data_dir, exit};

use crate::api::client::{Completion, State};
use crate::api::inert::{inert, inert_lines};
use crate::api::request::build;
use crate::api::update::{Field, FieldError, UpdateInput, validate};
use crate::config::{self, Config, Profile, secret};
use crate::tui::app::{Settings, Status, Tone};
use crate::tui::profiles::{Active, ProfileTag, Switcher};
use crate::tui::runtime::Services;

pub fn main(cli: Cli) -> ExitCode {
    // Read before any thread starts: reading the local offset later is refused on Unix.
    let offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let Cli {
        command,
        workbench: workbench_args,
        global,
    } = cli;
    match &command {
        Some(Command::Completions(a)) => return commands::completions(a.shell),
        Some(Command::Man) => return commands::man(),
        _ => {}
    }
    let filter = match logging::filter(global.log_level.as_deref()) {
        Ok(f) => f,
        Err(m) => return fail(exit::INVALID, &m),
    };
    let config_path = match config::config_path(global.config.as_deref()) {
        Ok(p) => p,
        Err(m) => return fail(exit::INVALID, &m),
    };
    let config = config::load(&config_path);
    let start_logging = {
        let (errors, warnings, found) =
            (config.errors.clone(), config.warnings.clone(), config.found);
        let explicit = global.log_level.is_some() && command.is_some();
        move || {
            if let Err(why) = logging::init(config::log_dir(), filter) {
                // Never on the workbench's screen.
                if explicit {
                    eprintln!("warning: no log file: {why}");
                }
                return;
            }
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                config = %config_path.display(),
                found,
                errors = errors.len(),
                warnings = warnings.len(),
                "started"
            );
            for e in &errors {
                tracing::error!("config: {e}");
            }
            for w in &warnings {
                tracing::warn!("config: {w}");
            }
        }
    };
    // Opening the log file costs about a millisecond: for the workbench it waits until the
    // first frame is drawn (the first await of the loop), so start-up does not pay for it. The
    // first profile's activation may go unlogged.
    let mut deferred_logging = None;
    if command.is_none() {
        deferred_logging = Some(start_logging);
    } else {
        start_logging();
    }
    logging::log_panics();
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
    let code = match command {
        None => runtime.block_on(async {
            if let Some(start) = deferred_logging {
                tokio::spawn(async move {
                    let _ = tokio::task::spawn_blocking(start).await;
                });
            }
            Box::pin(workbench(workbench_args, &global, &config, offset)).await
        }),
        Some(Command::Send(args)) => runtime.block_on(send(args, &global, &config, offset)),
        Some(Command::Calls(args)) => runtime.block_on(calls::run(args, &global, &config, offset)),
        Some(Command::History(args)) if args.team || args.operator.is_some() => {
            runtime.block_on(team_history::run(&args, &global, &config, offset))
        }
        Some(Command::History(args)) => history::run(&args, &global, offset, config.region),
        Some(Command::Sandbox(args)) => runtime.block_on(sandbox(args)),
        Some(Command::Batch(args)) => runtime.block_on(batch::run(args, &global, &config, offset)),
        Some(Command::Config(c)) => runtime.block_on(commands::config(&c, &global, &config)),
        Some(Command::Key(k)) => commands::key(&k, &global, &config),
        Some(Command::Team(t)) => runtime.block_on(team::run(&t, &global, &config)),
        Some(Command::Completions(a)) => commands::completions(a.shell),
        Some(Command::Man) => commands::man(),
    };
    // Files of ours that others could read were made private: said once.
    if let Some(note) = crate::history::private::take_note() {
        tracing::warn!("{note}");
        eprintln!("note: {}", inert(&note));
    }
    tracing::info!(code = ?code, "finished");
    code
}

async fn workbench(
    args: WorkbenchArgs,
    global: &GlobalArgs,
    config: &Config,
    offset: time::UtcOffset,
) -> ExitCode {
    let data_dir = match data_dir(global.data_dir.clone()) {
        Ok(d) => d,
        Err(m) => return fail(exit::INVALID, &m),
    };
    // An explicit --sandbox wins over $PHONELY_PROFILE; against --profile it is a conflict.
    let profile_flag = global
        .profile
        .as_deref()
        .filter(|p| std::env::var("PHONELY_PROFILE").ok().as_deref() != Some(*p));
    let requested = match (args.sandbox, global.profile.as_deref()) {
        (true, Some(p)) if p != config::SANDBOX && profile_flag.is_some() => {
            return fail(
                exit::INVALID,
                &format!("--sandbox and --profile {p} disagree: use one of them"),
            );
        }
        (true, _) => Some(config::SANDBOX),
        (false, p) => p,
    };
    let (profile, notes) = match opening_profile(config, requested, args.target.base_url.as_deref())
    {
        Ok(x) => x,
        Err(m) => return fail(exit::INVALID, &m),
    };
    let mut profiles = config.profiles.clone();
    if let Some(p) = profiles.iter_mut().find(|p| p.name == profile.name) {
        p.base_url = profile.base_url.clone();
    }
    let switcher = Switcher::new(profiles);
    // The first profile's key is read before the first frame (a key command may ask for a
    // passphrase on the terminal); others when they are chosen.
    if let config::KeySpec::Command(argv) = &profile.key {
        eprintln!(
            "Reading the API key for profile {} with `{}` (up to {} s)…",
            profile.name,
            inert(&argv.join(" ")),
            secret::COMMAND_TIMEOUT.as_secs()
        );
    }
    let active = match switcher.activate(&profile.name).await {
        Ok(a) => a,
        Err(e) => return fail(1, &e),
    };
    let Active {
        tag,
        base_url: base,
        credentials,
    } = active;
    let choices: Vec<ProfileTag> = switcher.tags();
    // The team log (when configured): the URL is read once, here, like the first key.
    let team = crate::teamlog::TeamSession::start(config, &data_dir)
        .await
        .map(|s| crate::tui::team::TeamLink::new(s, crate::tui::team::PUSH_EVERY));
    let services = Services {
        data_dir,
        profile: tag.name.clone(),
        base_url: base.as_str().to_string(),
        credentials: credentials.clone(),
        timeout: config.request_timeout,
        clipboard: crate::tui::runtime::Clipboard::Terminal,
        real_terminal: true,
        profiles: std::sync::Arc::new(switcher),
        team,
    };
    let settings = Settings {
        base_url: base,
        sandbox: tag.kind == config::Kind::Sandbox,
        credentials,
        utc_offset: offset,
        duplicate_window_ms: i64::try_from(config.duplicate_window.as_millis()).unwrap_or(i64::MAX),
        prefs: crate::tui::app::Prefs {
            region: config.region,
            outcome_presets: config.outcome_presets.clone(),
            metadata_templates: config
                .metadata_templates
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            keep_metadata_after_send: config.keep_metadata_after_send,
            theme: config.theme,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        },
    };
    let mut notes = notes;
    if settings.credentials.key.is_none() && settings.credentials.problem.is_some() {
        notes.push(Status {
            tone: Tone::Error,
            text: format!(
                "Profile {}: {}",
                tag.name,
                settings.credentials.missing_key_help()
            ),
        });
    }
    let mut app = crate::tui::app::App::new(settings).with_profiles(tag, choices);
    app.confirm_before_send = config.confirm_before_send;
    // The most serious note is the one shown.
    app.status = notes.into_iter().min_by_key(|s| match s.tone {
        Tone::Error => 0,
        Tone::Warning => 1,
        _ => 2,
    });
    match Box::pin(crate::tui::run_in_terminal(app, services)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("the terminal failed: {e}")),
    }
}

/// The profile the workbench opens on and what to tell the person first. Problems with the
/// config or the choice of profile open it on the sandbox and say so: nothing goes to an
/// account by guesswork. Only a `--base-url` flag that would send a profile's key elsewhere
/// stops it.
fn opening_profile(
    config: &Config,
    requested: Option<&str>,
    base_url_arg: Option<&str>,
) -> Result<(Profile, Vec<Status>), String> {
    let mut notes: Vec<Status> = Vec::new();
    if config.is_broken() {
        notes.push(Status {
            tone: Tone::Error,
            text: format!(
                "The config file has errors, so only the sandbox is available: {} (fix it and \
                 restart; `phonely-outcomes config show` lists them)",
                config.errors.join("; ")
            ),
        });
    }
    let mut profile = match config.select(requested) {
        Ok(p) => p.clone(),
        Err(e) => {
            notes.push(Status {
                tone: Tone::Error,
                text: format!("Opened on the sandbox: {e}. Press F2 to choose a profile"),
            });
            config.profile(config::SANDBOX).cloned().ok_or(e)?
        }
    };
    let (base, warning) = profile_base_url(&profile, base_url_arg)?;
    profile.base_url = base;
    notes.extend(warning.map(|text| Status {
        tone: Tone::Warning,
        text,
    }));
    notes.extend(config.warnings.iter().map(|w| Status {
        tone: Tone::Warning,
        text: format!("Config: {w}"),
    }));
    Ok((profile, notes))
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
                // At most the cap plus one byte is read: a huge file, or `/dev/zero`, is
                // refused without being held in memory. The cap is the validator's: compact
                // JSON of 64 KiB may be laid out over up to four times as many bytes.
                let cap = 4 * crate::api::update::MAX_METADATA_BYTES;
                let could_not =
                    |e: std::io::Error| err(format!("Could not read metadata file {path}: {e}"));
                let mut bytes = Vec::new();
                std::fs::File::open(path)
                    .and_then(|f| f.take(cap as u64 + 1).read_to_end(&mut bytes))
                    .map_err(could_not)?;
                if bytes.len() > cap {
                    return Err(err(format!(
                        "Metadata is too large: at most {} KiB as sent (compact JSON), and the \
                         file {path} is larger than {} KiB",
                        crate::api::update::MAX_METADATA_BYTES / 1024,
                        cap / 1024
                    )));
                }
                // A BOM at the start, as some editors write, is not part of the JSON.
                let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
                String::from_utf8(text.to_vec()).map_err(|e| {
                    err(format!(
                        "Metadata file {path} is not UTF-8 text (bad byte at offset {})",
                        e.utf8_error().valid_up_to() + (bytes.len() - text.len())
                    ))
                })
            }
        },
    }
}

/// Checks the CLI flags with the same rules as the form, plus what only flags can get wrong.
fn send_input(
    args: &SendArgs,
    region: crate::api::phone::Region,
) -> Result<crate::api::update::OutcomeUpdate, Vec<FieldError>> {
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
    // A metadata file that cannot be read is the one problem with it; an empty object stands
    // in for it, so the checks do not add "Nothing to set" for the same flag.
    let metadata = metadata_text(args.metadata.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        "{}".to_string()
    });
    if args.call.is_none() && args.phone.is_none() {
        errors.push(FieldError {
            field: Field::Target,
            message: "give --call ID or --phone NUMBER to say which call to update (e.g. \
                      --call call456 or --phone +14155551234)"
                .to_string(),
        });
    }
    let target = args.call.as_deref().or(args.phone.as_deref()).unwrap_or("");
    if let Some(phone) = &args.phone
        && !phone.trim_start().starts_with('+')
        && !crate::api::phone::looks_like_national_phone(phone)
    {
        errors.push(FieldError {
            field: Field::Target,
            message: format!(
                "--phone must be a phone number, e.g. +14155551234, or a national number of \
                 {region} (default_region) (got {phone}); for a call ID use --call"
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
        rules: crate::api::update::Rules {
            region,
            lenient_value: args.lenient,
        },
        kind: if args.call.is_some() {
            crate::api::update::TargetKind::CallId
        } else {
            crate::api::update::TargetKind::Phone
        },
    };
    let lenient_hint = (!args.lenient)
        .then(|| {
            crate::api::update::parse_value_lenient(input.value)
                .ok()
                .flatten()
        })
        .flatten();
    match validate(&input) {
        Ok(u) if errors.is_empty() => Ok(u),
        Ok(_) => Err(errors),
        Err(more) => {
            // Keep flag-specific messages first; drop generic ones for the same field.
            for mut e in more {
                if !errors.iter().any(|x| x.field == e.field) {
                    if let (Field::Value, Some(n)) = (e.field, &lenient_hint) {
                        e.message = format!("{}; --lenient reads it as {n}", e.message);
                    }
                    errors.push(e);
                }
            }
            Err(errors)
        }
    }
}

async fn send(
    args: SendArgs,
    global: &GlobalArgs,
    config: &Config,
    offset: time::UtcOffset,
) -> ExitCode {
    let update = match send_input(&args, config.region) {
        Ok(u) => u,
        Err(errors) => {
            // They quote what was typed or read from a file (`--metadata @FILE`): made inert.
            for e in &errors {
                eprintln!("error: {}", inert(&e.to_string()));
            }
            eprintln!("Nothing was sent.");
            return ExitCode::from(exit::INVALID);
        }
    };
    // The form's rule (`api::notes`): a near-miss label is sent as typed, with a warning.
    let labels = crate::api::notes::Labels {
        presets: &config.outcome_presets,
        used: &[],
    };
    for warning in crate::api::notes::warnings(&update, None, config.region, labels) {
        eprintln!("warning: {}", inert(&warning));
    }
    let (profile, base) = match account(
        global.profile.as_deref(),
        config,
        args.target.base_url.as_deref(),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = request_timeout(args.timeout, config) {
        return code;
    }
    // `--pin`: the key is needed for the look-up, also in a dry run.
    let mut ready = None;
    let mut pinned = None;
    if args.pin {
        let s = match sender(profile, &base, args.timeout, config).await {
            Ok(s) => s,
            Err(code) => return code,
        };
        match calls::pin(&s, &base, &update, offset).await {
            Ok(p) => pinned = Some(p),
            Err(code) => return code,
        }
        ready = Some(s);
    }
    let request = build(pinned.as_ref().map_or(&update, |(u, _)| u), &base);
    if args.dry_run {
        let source = profile.key.source(&profile.name);
        // The body's strings are escaped the JSON way by `curl`; the variable's name came from
        // the config file: made inert.
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            inert_lines(&crate::api::curl::curl(&request, &source))
        );
        return ExitCode::from(exit::UPDATED);
    }
    // The team log (when configured) logs in first, beside reading the key, opening the
    // history and the request itself: a login costs milliseconds (mostly the password's key
    // derivation), more than the loopback request it would otherwise delay.
    // Once in, it asks the duplicate guard's question at once (it needs only the request), so
    // the answer is in long before Phonely's.
    let window = i64::try_from(config.duplicate_window.as_millis()).unwrap_or(i64::MAX);
    let team_opening = data_dir(global.data_dir.clone()).ok().map(|dir| {
        let config = config.clone();
        let (agent, target) = (
            update.agent.as_str().to_string(),
            update.target.as_str().to_string(),
        );
        let (url, body) = (request.url.clone(), request.body.clone());
        tokio::spawn(async move {
            let mut team = crate::teamlog::TeamSession::start(&config, &dir).await?;
            team.connect().await;
            // The duplicate guard, across the team: a colleague's ✓ of exactly this is named.
            let now = crate::history::now_ms();
            let warning = if window > 0 {
                team.duplicate(&agent, &target, &url, &body, now - window, now)
                    .await
            } else {
                None
            };
            Some((team, warning))
        })
    });
    // With the key read, the history opens on a blocking thread while the HTTP client is built
    // on another (and the team log logs in on this one): three start-up costs side by side.
    let open_history = || {
        let dir = global.data_dir.clone();
        tokio::task::spawn_blocking(move || history_for_sending(dir))
    };
    let (client_built, opening) = if let Some(s) = ready {
        (Ok(s), open_history())
    } else {
        let checked = match checked_key(profile, &base, args.timeout, config).await {
            Ok(c) => c,
            Err(code) => return code,
        };
        let opening = open_history();
        (built(checked).await, opening)
    };
    let Sender { key, client, who } = match client_built {
        Ok(s) => s,
        Err(code) => {
            // Let the history finish opening (and its lock go) before the program ends.
            let _ = opening.await;
            return code;
        }
    };
    let (lock, store) = match opening.await {
        Ok(Ok(x)) => x,
        Ok(Err(code)) => return code,
        Err(_) => {
            return fail(
                exit::INVALID,
                "opening the history failed unexpectedly. Nothing was sent.",
            );
        }
    };
    // With the team log logging in on this (one-threaded) runtime, the history's writes go to a
    // blocking thread so the login's replies are read meanwhile (a write of the pending row
    // held the login up by milliseconds); without it, here.
    let beside = team_opening.is_some();
    let (store, record) = {
        let (who, update, request) = (who.clone(), update.clone(), request.clone());
        let call = pinned.as_ref().map(|(_, call)| call.clone());
        with_store(store, beside, move |store| match &call {
            Some(call) => store.insert_pending_pinned(&who, &update, &request, call),
            None => store.insert_pending(&who, &update, &request),
        })
        .await
    };
    let record = match record {
        Ok(r) => r,
        Err(e) => {
            return fail(
                exit::INVALID,
                &format!("could not record the update in the history: {e}. Nothing was sent."),
            );
        }
    };
    // The team log (when configured): the pending row goes beside the request (it may not hold
    // it up), the completion after both; the duplicate check was asked at the login.
    let team_uuid = crate::teamlog::TeamSession::new_uuid();
    // Set once Phonely has answered: a pending row not yet written by then is not written at
    // all, and the row goes in with its result in one write (one statement, not two).
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let team_pending = team_opening.map(|opening| {
        let record = record.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            let (mut team, warning) = opening.await.ok().flatten()?;
            let pending = !answered.load(std::sync::atomic::Ordering::Acquire);
            if pending {
                team.pending(team_uuid, &record).await;
            }
            Some((team, warning, pending))
        })
    });
    let started = std::time::Instant::now();
    let (completion, latency) = tokio::select! {
        r = client.send(&request, &key) => r,
        _ = tokio::signal::ctrl_c() => (Completion::Cancelled, started.elapsed()),
    };
    answered.store(true, std::sync::atomic::Ordering::Release);
    crate::api::client::log_completion(&request, &completion, latency);
    // The record as it ended, built once: the history writes it (on a blocking thread when the
    // team log is on) while the team log is given the same record, side by side rather than
    // one round trip after the other. Should the history's write fail, the team log still has
    // what Phonely answered; this update shows here as outcome unknown, as it says below.
    let done = record
        .clone()
        .completed(&completion, latency, crate::history::now_ms());
    let written = {
        let done = done.clone();
        with_store(store, beside, move |store| store.complete_record(&done))
    };
    let teamed = async {
        let mut team = match team_pending {
            Some(task) => task.await.ok().flatten(),
            None => None,
        };
        if let Some((t, _, pending)) = team.as_mut() {
            if *pending {
                t.complete(team_uuid, &done).await;
            } else {
                t.finished(team_uuid, &done).await;
            }
        }
        team
    };
    // The history is kept (and closed) until the end, as before.
    let ((_store, written), mut team) = tokio::join!(written, teamed);
    if let Some(w) = team.as_mut().and_then(|(_, w, _)| w.take()) {
        eprintln!("warning: {}", inert(&w));
    }
    if let Err(e) = written {
        return fail(
            exit::UNKNOWN,
            &format!(
                "the request ended but its result could not be recorded ({e}); update #{} \
                 will show as outcome unknown",
                record.id
            ),
        );
    }
    drop(lock);
    if let Some(line) = team.as_ref().and_then(|(t, _, _)| t.status()) {
        eprintln!("{}", inert(&line));
    }
    if let Completion::Answered(response) = &completion {
        // JSON as it came, with what JSON leaves raw (DEL, C1, bidi overrides) escaped the
        // JSON way; anything else made inert.
        let body = response.body.trim_end();
        let body = if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok() {
            crate::api::inert::inert_json(body)
        } else {
            inert_lines(body)
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{body}");
    }
    let summary = format!(
        "{} {} {}{}: {} (HTTP {}, {} ms) [history #{}, profile {}]",
        done.mark(),
        update.agent.as_str(),
        update.target.as_str(),
        pinned
            .as_ref()
            .map_or_else(String::new, |(_, call)| format!(" (pinned call {call})")),
        done.message.as_deref().unwrap_or(""),
        done.http_status
            .map_or_else(|| "none".to_string(), |s| s.to_string()),
        latency.as_millis(),
        done.id,
        profile.name
    );
    eprintln!("{}", inert(&summary));
    ExitCode::from(match done.state {
        State::Ok => exit::UPDATED,
        State::Unconfirmed | State::Refused => exit::REFUSED,
        _ => exit::UNKNOWN,
    })
}

/// Runs `f` on the history: on a blocking thread when `beside` (the team log logs in on this
/// runtime's one thread meanwhile), here otherwise (a thread's hand-off for nothing).
async fn with_store<T: Send + 'static>(
    store: crate::history::Store,
    beside: bool,
    f: impl FnOnce(&crate::history::Store) -> T + Send + 'static,
) -> (crate::history::Store, T) {
    if !beside {
        let t = f(&store);
        return (store, t);
    }
    match tokio::task::spawn_blocking(move || {
        let t = f(&store);
        (store, t)
    })
    .await
    {
        Ok(x) => x,
        // Only a panic ends a blocking task early: it goes on as the panic it was.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parsed(text: &str) -> Config {
        config::parse(Path::new("config.toml"), text)
    }

    #[test]
    fn a_broken_config_opens_the_workbench_on_the_sandbox_and_says_why() {
        let c = parsed("[profiles.prod]\nbase_url = 5\n");
        let (profile, notes) = opening_profile(&c, None, None).unwrap();
        assert!(profile.is_sandbox());
        assert_eq!(notes[0].tone, Tone::Error);
        assert!(
            notes[0]
                .text
                .contains("config.toml line 2, column 12 (`base_url`)"),
            "{notes:?}"
        );
    }

    #[test]
    fn no_chosen_profile_opens_on_the_sandbox_and_points_to_the_picker() {
        let c = parsed(
            "[profiles.a]\nbase_url = \"https://a.example\"\n[profiles.b]\nbase_url = \"https://b.example\"\n",
        );
        let (profile, notes) = opening_profile(&c, None, None).unwrap();
        assert!(profile.is_sandbox());
        assert!(notes[0].text.contains("Press F2"), "{notes:?}");
        let (profile, notes) = opening_profile(&c, Some("b"), None).unwrap();
        assert_eq!((profile.name.as_str(), notes.len()), ("b", 0));
    }

    #[test]
    fn a_base_url_flag_never_redirects_a_named_profile() {
        let c = parsed("[profiles.a]\nbase_url = \"https://a.example\"\n");
        let e = opening_profile(&c, None, Some("http://127.0.0.1:9")).unwrap_err();
        assert!(
            e.contains("--base-url cannot change where profile a sends"),
            "{e}"
        );
        let defaults = Config::defaults("c.toml".into());
        let (p, _) = opening_profile(&defaults, None, Some("http://127.0.0.1:9")).unwrap();
        assert_eq!(
            p.base_url.as_str(),
            "http://127.0.0.1:9",
            "the default profile takes it"
        );
    }
}
