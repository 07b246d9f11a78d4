//! `config init|show|path`, `key set|delete` and `completions`: the commands around the
//! workbench that set it up. None of them ever prints a key.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use super::args::{ConfigCommand, GlobalArgs, KeyCommand};
use super::common::{data_dir, exit, fail};
use crate::api::key::ApiKey;
use crate::config::{self, Config, KeySpec, secret, template};

pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = <super::args::Cli as clap::CommandFactory>::command();
    clap_complete::generate(
        shell,
        &mut command,
        "phonely-outcomes",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}

/// The manual page, from the same definitions as `--help`.
pub fn man() -> ExitCode {
    let command = <super::args::Cli as clap::CommandFactory>::command();
    let mut out = std::io::stdout().lock();
    match clap_mangen::Man::new(command).render(&mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("could not write the manual page: {e}")),
    }
}

pub async fn config(command: &ConfigCommand, global: &GlobalArgs, config: &Config) -> ExitCode {
    match command {
        ConfigCommand::Init { force } => init(config, *force),
        ConfigCommand::Show => show(config, global).await,
        ConfigCommand::Path => {
            let data = data_dir(global.data_dir.clone())
                .map_or_else(|e| format!("({e})"), |d| d.display().to_string());
            let logs = config::log_dir().map_or_else(
                || "(no home folder)".to_string(),
                |d| d.display().to_string(),
            );
            let found = if config.found {
                ""
            } else {
                "  (no file yet: `config init`)"
            };
            println!("config  {}{found}", config.path.display());
            println!("data    {data}");
            println!("logs    {logs}");
            ExitCode::SUCCESS
        }
    }
}

fn init(config: &Config, force: bool) -> ExitCode {
    let path = &config.path;
    if path.exists() && !force {
        return fail(
            exit::INVALID,
            &format!(
                "{} already exists and was left as it is; `config init --force` replaces it",
                path.display()
            ),
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return fail(1, &format!("could not create {}: {e}", dir.display()));
    }
    if let Err(e) = std::fs::write(path, template::TEMPLATE) {
        return fail(1, &format!("could not write {}: {e}", path.display()));
    }
    println!(
        "Wrote {}: every setting is there, commented out. Edit it, then check it with \
         `phonely-outcomes config show`.",
        path.display()
    );
    ExitCode::SUCCESS
}

/// The settings in effect and each profile's key source and whether it can be read. Exit 2
/// when the file has errors.
async fn show(config: &Config, global: &GlobalArgs) -> ExitCode {
    let mut out = String::new();
    let state = if !config.found {
        "not found: the defaults below are in effect"
    } else if config.is_broken() {
        "HAS ERRORS: the workbench opens on the sandbox only and send refuses"
    } else {
        "ok"
    };
    let _ = writeln!(out, "config file  {} ({state})", config.path.display());
    for e in &config.errors {
        let _ = writeln!(out, "  error: {e}");
    }
    for w in &config.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    let default = match config.select(None) {
        Ok(p) => p.name.clone(),
        Err(_) => "(none: pass --profile)".to_string(),
    };
    let _ = writeln!(out, "\ndefault_profile       {default}");
    let _ = writeln!(out, "confirm_before_send   {}", config.confirm_before_send);
    let _ = writeln!(
        out,
        "request_timeout_secs  {}",
        config.request_timeout.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "duplicate_window_hours {}",
        config.duplicate_window.as_secs_f64() / 3600.0
    );
    let _ = writeln!(out, "default_region        {}", config.region);
    let _ = writeln!(out, "theme                 {}", config.theme.name());
    let _ = writeln!(
        out,
        "outcome_presets       {}",
        config.outcome_presets.join(", ")
    );
    let templates: Vec<&str> = config
        .metadata_templates
        .keys()
        .map(String::as_str)
        .collect();
    let _ = writeln!(
        out,
        "metadata_templates    {}",
        if templates.is_empty() {
            "(none)".to_string()
        } else {
            templates.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "keep_metadata_after_send {}",
        config.keep_metadata_after_send
    );
    out.push_str("\nprofiles\n");
    for p in &config.profiles {
        let url = if p.is_sandbox() {
            format!(
                "{} for send; an in-process sandbox in the workbench",
                p.base_url.as_str()
            )
        } else {
            p.base_url.as_str().to_string()
        };
        let _ = writeln!(out, "  {} [{}]", p.name, p.kind().label());
        let _ = writeln!(out, "    base_url  {url}");
        if p.production {
            out.push_str(
                "    production: each send in the workbench asks for the profile's name\n",
            );
        }
        let source = p.key.source(&p.name).describe();
        let creds = secret::resolve(&p.key, &p.name).await;
        let status = match (&creds.key, &p.key) {
            (Some(_), _) => "✓ found".to_string(),
            (None, _) => format!("✗ {}", creds.missing_key_help()),
        };
        let _ = writeln!(out, "    key       {source}: {status}");
    }
    out.push_str(&super::team::show_lines(config, global.data_dir.clone()).await);
    // Presets, names, key commands and their errors came from files: made inert.
    let _ = std::io::stdout().write_all(crate::api::inert::inert_lines(&out).as_bytes());
    if config.is_broken() {
        ExitCode::from(exit::INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn key(command: &KeyCommand, global: &GlobalArgs, config: &Config) -> ExitCode {
    let Some(name) = global.profile.as_deref() else {
        return fail(
            exit::INVALID,
            "say which profile the key is for: --profile NAME (or $PHONELY_PROFILE)",
        );
    };
    if name == config::SANDBOX {
        return fail(exit::INVALID, "the sandbox profile needs no key");
    }
    let uses_keyring = config
        .profile(name)
        .is_some_and(|p| p.key == KeySpec::Keyring);
    match command {
        KeyCommand::Set => {
            let key = match read_key(name) {
                Ok(k) => k,
                Err(m) => return fail(exit::INVALID, &m),
            };
            if let Err(m) = secret::keyring_set(name, &key) {
                return fail(1, &m);
            }
            println!("Stored the key for profile {name} in the OS keyring.");
            if !uses_keyring {
                println!(
                    "To use it, add  api_key_keyring = true  to [profiles.{name}] in {} (the \
                     tool never edits that file).",
                    config.path.display()
                );
            }
            ExitCode::SUCCESS
        }
        KeyCommand::Delete => match secret::keyring_delete(name) {
            Ok(true) => {
                println!("Deleted the key for profile {name} from the OS keyring.");
                ExitCode::SUCCESS
            }
            Ok(false) => {
                println!("There was no key for profile {name} in the OS keyring.");
                ExitCode::SUCCESS
            }
            Err(m) => fail(1, &m),
        },
    }
}

/// Reads the key without echo from the terminal, or one line from standard input when that is
/// not a terminal (a pipe from a password manager).
fn read_key(profile: &str) -> Result<ApiKey, String> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API key for profile {profile} (not shown): "))
            .map_err(|e| format!("could not read the key: {e}"))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("could not read the key from standard input: {e}"))?;
        line
    };
    let text = text.trim();
    if text.is_empty() {
        return Err("no key was given; nothing was stored".to_string());
    }
    Ok(ApiKey::new(text))
}
