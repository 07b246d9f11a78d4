//! What the sending commands share: exit codes, `error:` lines, the data folder, the account
//! and key a command sends with, and the history opened before anything leaves. `send` and
//! `batch` both import from here (neither reaches into the other).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::api::client::Client;
use crate::api::inert::{inert, inert_lines};
use crate::api::key::Credentials;
use crate::api::request::BaseUrl;
use crate::config::{self, Config, Profile, secret};
use crate::history::{Provenance, SessionLock, Store, operator_name};

/// Exit codes of `send`.
pub mod exit {
    pub const UPDATED: u8 = 0;
    pub const REFUSED: u8 = 1;
    pub const INVALID: u8 = 2;
    pub const UNKNOWN: u8 = 3;
}

/// `--base-url`/$PHONELY_BASE_URL for `profile`: it sets the built-in `default` profile's URL.
/// A named profile has its own URL: the flag is refused (a key must never be sent elsewhere by
/// a stray flag), the environment variable ignored with a warning.
pub(super) fn profile_base_url(
    profile: &Profile,
    arg: Option<&str>,
) -> Result<(BaseUrl, Option<String>), String> {
    let Some(text) = arg else {
        return Ok((profile.base_url.clone(), None));
    };
    if profile.builtin && profile.name == config::DEFAULT {
        return BaseUrl::parse(text).map(|b| (b, None));
    }
    let from_env = std::env::var("PHONELY_BASE_URL").is_ok_and(|v| v == text);
    if from_env {
        Ok((
            profile.base_url.clone(),
            (!profile.is_sandbox()).then(|| {
                format!(
                    "$PHONELY_BASE_URL ({text}) is ignored: profile {} sends to {}",
                    profile.name,
                    profile.base_url.as_str()
                )
            }),
        ))
    } else {
        Err(format!(
            "--base-url cannot change where profile {} sends (its base_url is {}); edit the \
             profile in the config file, or use another profile",
            profile.name,
            profile.base_url.as_str()
        ))
    }
}

/// Prints `error: MESSAGE` (made inert: it may quote a server or a file) and gives the code.
pub(super) fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {}", inert_lines(message));
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

/// The account a command sends to: the selected profile and its base URL. A broken config
/// or an unclear choice is refused (exit 2) with the reason; nothing is guessed.
pub(super) fn account<'c>(
    profile_name: Option<&str>,
    config: &'c Config,
    base_url_arg: Option<&str>,
) -> Result<(&'c crate::config::Profile, BaseUrl), ExitCode> {
    if config.is_broken() {
        // The config file's words (keys, names) are quoted: made inert.
        for e in &config.errors {
            eprintln!("error: {}", inert(e));
        }
        eprintln!(
            "Nothing was sent: the config file has errors, and send does not guess which account \
             to use. Fix it (`phonely-outcomes config show` checks it)."
        );
        return Err(ExitCode::from(exit::INVALID));
    }
    for w in &config.warnings {
        eprintln!("warning: {}", inert(w));
    }
    let profile = config
        .select(profile_name)
        .map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent.")))?;
    let (base, warning) = profile_base_url(profile, base_url_arg)
        .map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent.")))?;
    if let Some(w) = warning {
        eprintln!("warning: {}", inert(&w));
    }
    Ok((profile, base))
}

/// What a command needs to send under a profile: its key, a client with the timeout (the
/// flag's, else the config's), and who and where to record.
pub(super) struct Sender {
    pub(super) key: crate::api::key::ApiKey,
    pub(super) client: Client,
    pub(super) who: Provenance,
}

/// Builds the `Sender`, or refuses (exit 2, nothing sent) with the reason.
pub(super) async fn sender(
    profile: &crate::config::Profile,
    base: &BaseUrl,
    timeout_arg: Option<f64>,
    config: &Config,
) -> Result<Sender, ExitCode> {
    let checked = checked_key(profile, base, timeout_arg, config).await?;
    built(checked).await
}

/// The sender for a checked key. Loading the system's certificates takes milliseconds: on a
/// thread of its own, so that work already started (the team log's login, the history's
/// opening, in `send`) goes on meanwhile.
pub(super) async fn built(checked: CheckedKey) -> Result<Sender, ExitCode> {
    tokio::task::spawn_blocking(move || checked.sender())
        .await
        .unwrap_or_else(|e| {
            Err(fail(
                1,
                &format!("the HTTP client could not be set up: {e}"),
            ))
        })
}

/// The wait for each answer: `--timeout`, else the config's; refused (exit 2) outside
/// 0.1–600 s, also in a dry run, so the command that works dry is the one that sends.
pub(super) fn request_timeout(arg: Option<f64>, config: &Config) -> Result<Duration, ExitCode> {
    match arg {
        None => Ok(config.request_timeout),
        Some(secs) => config::timeout(secs, "--timeout")
            .map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent."))),
    }
}

/// What `sender` checks before it builds the HTTP client: the timeout and the key.
pub(super) struct CheckedKey {
    timeout: Duration,
    key: crate::api::key::ApiKey,
    pub(super) who: Provenance,
}

impl CheckedKey {
    /// Builds the client (for an `https://` account, loading the system's certificates: a few
    /// milliseconds).
    pub(super) fn sender(self) -> Result<Sender, ExitCode> {
        let client = Client::for_base(self.timeout, &self.who.base_url)
            .map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent.")))?;
        Ok(Sender {
            key: self.key,
            client,
            who: self.who,
        })
    }
}

pub(super) async fn checked_key(
    profile: &crate::config::Profile,
    base: &BaseUrl,
    timeout_arg: Option<f64>,
    config: &Config,
) -> Result<CheckedKey, ExitCode> {
    let timeout = request_timeout(timeout_arg, config)?;
    let credentials: Credentials = secret::resolve(&profile.key, &profile.name).await;
    let Some(key) = credentials.key.clone() else {
        return Err(fail(
            exit::INVALID,
            &format!(
                "{} (profile {}). Nothing was sent.",
                credentials.missing_key_help(),
                profile.name
            ),
        ));
    };
    Ok(CheckedKey {
        timeout,
        key,
        who: Provenance {
            operator: operator_name(),
            profile: profile.name.clone(),
            base_url: base.as_str().to_string(),
        },
    })
}

/// The history, opened under this process's session lock, before anything is sent (exit 2 and
/// nothing sent if it cannot be).
pub(super) fn history_for_sending(arg: Option<PathBuf>) -> Result<(SessionLock, Store), ExitCode> {
    let data_dir =
        data_dir(arg).map_err(|m| fail(exit::INVALID, &format!("{m}. Nothing was sent.")))?;
    crate::history::private::create_dir(&data_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| SessionLock::acquire(&data_dir).map_err(|e| e.to_string()))
        .and_then(|lock| {
            let store = Store::open(&data_dir, lock.id()).map_err(|e| e.to_string())?;
            // Finished batches' journals and crashed sessions' rows first, so the duplicate
            // check sees them.
            store
                .reconcile_orphans(&data_dir)
                .map_err(|e| e.to_string())?;
            Ok((lock, store))
        })
        .map_err(|e| {
            fail(
                exit::INVALID,
                &format!(
                    "could not open the history in {}: {e}. Nothing was sent (every update is \
                     recorded before it leaves).",
                    data_dir.display()
                ),
            )
        })
}

pub(super) fn open_for_reading(data_dir: &Path) -> Result<Store, String> {
    let lock = SessionLock::acquire(data_dir).map_err(|e| e.to_string())?;
    let store = Store::open(data_dir, lock.id()).map_err(|e| e.to_string())?;
    // A crashed session's rows read as unknown here too.
    store
        .reconcile_orphans(data_dir)
        .map_err(|e| e.to_string())?;
    Ok(store)
}
