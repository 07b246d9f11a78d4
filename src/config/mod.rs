//! The config file (TOML), profiles, and where each profile's API key comes from. Knows nothing
//! of the terminal: the workbench, `send` and `config show` all read the same [`Config`].
//!
//! A broken file never stops the workbench: [`load`] always returns a [`Config`], on safe
//! defaults (the sandbox profile only) when the file has errors, with the errors listed for the
//! screen; `send` refuses to guess and exits 2.

pub mod secret;
pub mod team;
pub mod template;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::api::key::KEY_ENV;
use crate::api::phone::Region;
use crate::api::request::BaseUrl;
pub use secret::KeySpec;

/// The built-in profile that always exists: the bundled sandbox.
pub const SANDBOX: &str = "sandbox";
/// The built-in profile used when the file defines none: today's behaviour ($PHONELY_API_KEY,
/// `--base-url`/$PHONELY_BASE_URL, else Phonely).
pub const DEFAULT: &str = "default";
/// Where `send --profile sandbox` goes: the `sandbox` command's default address.
pub const SANDBOX_URL: &str = "http://127.0.0.1:8787";
/// Default for `request_timeout_secs`.
pub const DEFAULT_TIMEOUT_SECS: f64 = 15.0;
/// The shortest wait for an answer accepted (`--timeout`, `request_timeout_secs`): below it
/// every request would end "outcome unknown" before Phonely could answer.
pub const MIN_TIMEOUT_SECS: f64 = 0.1;
/// The longest: past ten minutes nobody is waiting for the answer any more.
pub const MAX_TIMEOUT_SECS: f64 = 600.0;

/// `secs` as a timeout, or why not (`what` names the flag or setting).
pub fn timeout(secs: f64, what: &str) -> Result<Duration, String> {
    if secs.is_finite() && (MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&secs) {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "{what} must be a number of seconds from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS}, \
             e.g. 15 (got {secs})"
        ))
    }
}

/// The file as written. Every field is optional; unknown keys are collected as warnings.
#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    default_profile: Option<String>,
    confirm_before_send: Option<bool>,
    request_timeout_secs: Option<f64>,
    duplicate_window_hours: Option<f64>,
    default_region: Option<String>,
    keep_metadata_after_send: Option<bool>,
    theme: Option<String>,
    outcome_presets: Option<Vec<String>>,
    metadata_templates: Option<BTreeMap<String, String>>,
    #[serde(default)]
    profiles: BTreeMap<String, FileProfile>,
    team: Option<team::FileTeam>,
}

#[derive(Debug, Default, Deserialize)]
struct FileProfile {
    base_url: Option<String>,
    production: Option<bool>,
    api_key_env: Option<String>,
    api_key_command: Option<Vec<String>>,
    api_key_file: Option<PathBuf>,
    api_key_keyring: Option<bool>,
}

/// One account the tool can send to.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub name: String,
    /// Where requests go. For the built-in sandbox this is [`SANDBOX_URL`]; the workbench
    /// replaces it with its in-process sandbox.
    pub base_url: BaseUrl,
    /// Forces the warning colour and a typed confirmation (the profile's name) for each send.
    pub production: bool,
    pub key: KeySpec,
    /// True for `sandbox` (and `default` when the file defines no profiles).
    pub builtin: bool,
}

impl Profile {
    pub fn is_sandbox(&self) -> bool {
        self.builtin && self.name == SANDBOX
    }

    /// How the profile reads on screen: sandbox, local, live or production.
    pub fn kind(&self) -> Kind {
        if self.production {
            Kind::Production
        } else if self.is_sandbox() {
            Kind::Sandbox
        } else if self.base_url.is_loopback() {
            Kind::Local
        } else {
            Kind::Live
        }
    }

    fn sandbox() -> Self {
        Self {
            name: SANDBOX.to_string(),
            base_url: BaseUrl::parse(SANDBOX_URL).unwrap_or_default(),
            production: false,
            key: KeySpec::Sandbox,
            builtin: true,
        }
    }

    fn default_profile() -> Self {
        Self {
            name: DEFAULT.to_string(),
            base_url: BaseUrl::default(),
            production: false,
            key: KeySpec::Env(KEY_ENV.to_string()),
            builtin: true,
        }
    }
}

/// What a profile is, for its colour: production warns, sandbox is calm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sandbox,
    Local,
    Live,
    Production,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Sandbox => "SANDBOX",
            Kind::Local => "LOCAL",
            Kind::Live => "LIVE",
            Kind::Production => "PRODUCTION",
        }
    }
}

/// The effective settings: the file's values over the defaults, or the safe defaults and the
/// errors that made the file unusable.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file read, if there was one.
    pub path: PathBuf,
    pub found: bool,
    pub default_profile: Option<String>,
    pub confirm_before_send: bool,
    pub request_timeout: Duration,
    /// Sending what already went through to the same call within this window asks twice.
    pub duplicate_window: Duration,
    /// Named profiles in name order, then the built-ins.
    pub profiles: Vec<Profile>,
    /// Errors that made the file unusable ("config.toml line 3, column 1: …"). When there are
    /// any, everything else holds the safe defaults.
    pub errors: Vec<String>,
    /// Things worth fixing that change nothing (unknown keys).
    pub warnings: Vec<String>,
    /// Where phone numbers typed without `+` are from.
    pub region: Region,
    /// Colours: dark or light background (`NO_COLOR` turns colour off whatever this says).
    pub theme: Theme,
    /// The Outcome pick-list, before the labels the history adds.
    pub outcome_presets: Vec<String>,
    /// Metadata templates by name, each a JSON object (checked when the file is read).
    pub metadata_templates: BTreeMap<String, String>,
    /// After a successful send the form keeps the agent and outcome; this keeps the metadata too.
    pub keep_metadata_after_send: bool,
    /// The team log (`[team]`); on when the section is there or `PHONELY_TEAM_DATABASE_URL` is set.
    pub team: team::TeamConfig,
}

/// Phonely's documented outcome labels: the pick-list when `outcome_presets` is not set.
pub use crate::api::notes::DOCUMENTED_OUTCOMES;

/// Colours for a dark or a light terminal background.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }
}

impl Config {
    /// No file: today's defaults (`default` and `sandbox` profiles).
    pub fn defaults(path: PathBuf) -> Self {
        Self {
            path,
            found: false,
            default_profile: None,
            confirm_before_send: true,
            request_timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            duplicate_window: Duration::from_secs(24 * 3600),
            profiles: vec![Profile::default_profile(), Profile::sandbox()],
            errors: Vec::new(),
            warnings: Vec::new(),
            region: Region::default(),
            theme: Theme::default(),
            outcome_presets: DOCUMENTED_OUTCOMES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            metadata_templates: BTreeMap::new(),
            keep_metadata_after_send: false,
            team: team::TeamConfig::default(),
        }
    }

    /// A file with errors: only the sandbox, so nothing goes to an account by guesswork.
    fn safe(path: PathBuf, errors: Vec<String>, warnings: Vec<String>) -> Self {
        Self {
            found: true,
            profiles: vec![Profile::sandbox()],
            errors,
            warnings,
            ..Self::defaults(path)
        }
    }

    pub fn is_broken(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.profiles.iter().map(|p| p.name.as_str()).collect()
    }

    /// The profile to use: the one asked for, else `default_profile`, else the only named
    /// profile, else `default` when the file names none. Several profiles and no choice is an
    /// error: the tool never guesses which account to use.
    pub fn select(&self, requested: Option<&str>) -> Result<&Profile, String> {
        let known = || self.names().join(", ");
        if let Some(name) = requested.or(self.default_profile.as_deref()) {
            return self.profile(name).ok_or_else(|| {
                let hint = if self.is_broken() {
                    " (the config file has errors, so only the sandbox is available)"
                } else {
                    ""
                };
                format!(
                    "there is no profile named \"{name}\"; the profiles are: {}{hint}",
                    known()
                )
            });
        }
        let named: Vec<&Profile> = self.profiles.iter().filter(|p| !p.builtin).collect();
        match named.as_slice() {
            [] => Ok(self
                .profile(DEFAULT)
                .or(self.profiles.first())
                .ok_or("no profiles")?),
            [only] => Ok(only),
            _ => Err(format!(
                "several profiles are configured ({}) and none is chosen: pass --profile NAME, \
                 set PHONELY_PROFILE, or set default_profile in {}",
                known(),
                self.path.display()
            )),
        }
    }
}

/// Where the config file is: `--config`/$PHONELY_OUTCOMES_CONFIG, else the platform's config
/// folder (`~/.config/phonely-outcomes/config.toml` on Linux).
pub fn config_path(arg: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = arg {
        return Ok(p.to_path_buf());
    }
    project_dirs()
        .map(|d| d.config_dir().join("config.toml"))
        .ok_or_else(|| "could not find a home folder for the config; pass --config PATH".into())
}

/// Where the log files go: $PHONELY_OUTCOMES_LOGS, else the platform's state folder
/// (`~/.local/state/phonely-outcomes` on Linux; the local data folder's `logs` elsewhere).
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PHONELY_OUTCOMES_LOGS").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    project_dirs().map(|d| {
        d.state_dir()
            .map_or_else(|| d.data_local_dir().join("logs"), Path::to_path_buf)
    })
}

pub(crate) fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "phonely-outcomes")
}

/// Reads the config file. Never fails: a missing file gives the defaults, a broken one the
/// safe defaults with its errors.
pub fn load(path: &Path) -> Config {
    match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::defaults(path.into()),
        Err(e) => Config::safe(
            path.into(),
            vec![format!("could not read {}: {e}", path.display())],
            Vec::new(),
        ),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse(path, &text),
            Err(e) => Config::safe(
                path.into(),
                vec![format!(
                    "{} is not UTF-8 text (bad byte at offset {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                )],
                Vec::new(),
            ),
        },
    }
}

/// Parses the file's text; `path` is only for messages.
pub fn parse(path: &Path, text: &str) -> Config {
    let shown = path.display().to_string();
    let mut unknown = Vec::new();
    let parsed = toml::Deserializer::parse(text)
        .and_then(|de| serde_ignored::deserialize(de, |ignored| unknown.push(ignored.to_string())));
    let warnings: Vec<String> = unknown
        .iter()
        .map(|key| {
            format!(
                "{shown}: unknown setting `{key}` was ignored (see `phonely-outcomes config \
                 init` for every setting)"
            )
        })
        .collect();
    let file: FileConfig = match parsed {
        Ok(f) => f,
        Err(e) => return Config::safe(path.into(), vec![toml_error(&shown, text, &e)], warnings),
    };
    let mut errors = Vec::new();
    let mut config = Config::defaults(path.into());
    config.found = true;
    if let Some(b) = file.confirm_before_send {
        config.confirm_before_send = b;
    }
    if let Some(secs) = file.request_timeout_secs {
        match timeout(secs, "request_timeout_secs") {
            Ok(t) => config.request_timeout = t,
            Err(why) => errors.push(format!("{shown}: {why}")),
        }
    }
    if let Some(hours) = file.duplicate_window_hours {
        if hours.is_finite() && (0.0..=24.0 * 365.0).contains(&hours) {
            config.duplicate_window = Duration::from_secs_f64(hours * 3600.0);
        } else {
            errors.push(format!(
                "{shown}: duplicate_window_hours must be a number of hours from 0 (never warn) to \
                 8760, e.g. 24 (got {hours})"
            ));
        }
    }
    if let Some(code) = file.default_region {
        match Region::parse(&code) {
            Ok(r) => config.region = r,
            Err(e) => errors.push(format!("{shown}: {e}")),
        }
    }
    match file.theme.as_deref() {
        None => {}
        Some("dark") => config.theme = Theme::Dark,
        Some("light") => config.theme = Theme::Light,
        Some(other) => errors.push(format!(
            "{shown}: theme must be \"dark\" or \"light\" (got \"{other}\")"
        )),
    }
    if let Some(presets) = file.outcome_presets {
        match presets
            .iter()
            .find(|p| p.trim().is_empty() || p.trim() != p.as_str())
        {
            Some(bad) => errors.push(format!(
                "{shown}: outcome_presets has \"{bad}\": each label must be non-empty, without \
                 spaces at the start or end"
            )),
            None => config.outcome_presets = presets,
        }
    }
    for (name, text) in file.metadata_templates.unwrap_or_default() {
        match crate::api::update::parse_metadata(&text) {
            Ok(Some(_)) => {
                config.metadata_templates.insert(name, text);
            }
            Ok(None) => errors.push(format!(
                "{shown}: metadata_templates.{name} is empty: write a JSON object such as \
                 '{{\"rep_id\": \"\", \"notes\": \"\"}}'"
            )),
            Err(e) => errors.push(format!("{shown}: metadata_templates.{name}: {e}")),
        }
    }
    if let Some(keep) = file.keep_metadata_after_send {
        config.keep_metadata_after_send = keep;
    }
    if let Some(t) = file.team {
        match team::team(&shown, t) {
            Ok(t) => config.team = t,
            Err(e) => errors.push(e),
        }
    }
    let mut named = Vec::new();
    for (name, p) in file.profiles {
        match profile(&shown, &name, p) {
            Ok(p) => named.push(p),
            Err(e) => errors.push(e),
        }
    }
    if !named.is_empty() {
        config.profiles = named;
        config.profiles.push(Profile::sandbox());
    }
    if let Some(name) = file.default_profile {
        if config.profile(&name).is_none() {
            errors.push(format!(
                "{shown}: default_profile = \"{name}\" names no profile; the profiles are: {}",
                config.names().join(", ")
            ));
        }
        config.default_profile = Some(name);
    }
    if errors.is_empty() {
        config.warnings = warnings;
        config
    } else {
        Config::safe(path.into(), errors, warnings)
    }
}

fn profile(shown: &str, name: &str, p: FileProfile) -> Result<Profile, String> {
    let at = format!("{shown}: [profiles.{name}]");
    if name == SANDBOX {
        return Err(format!(
            "{at}: \"sandbox\" is the built-in profile for the bundled sandbox; give yours \
             another name"
        ));
    }
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{at}: a profile name needs letters, digits, - or _ (no spaces), e.g. staging"
        ));
    }
    let base_url = match p.base_url.as_deref() {
        None => {
            return Err(format!(
                "{at}: base_url is missing; add e.g. base_url = \"https://app.phonely.ai\""
            ));
        }
        Some(url) => BaseUrl::parse(url).map_err(|e| format!("{at}: base_url: {e}"))?,
    };
    let mut sources = Vec::new();
    if let Some(var) = p.api_key_env {
        if !secret::plausible_env_name(&var) {
            return Err(format!(
                "{at}: api_key_env must name the environment variable that holds the key, e.g. \
                 \"PHONELY_API_KEY\", not the key itself (what is there is not shown: it may be \
                 the key)"
            ));
        }
        sources.push(("api_key_env", KeySpec::Env(var)));
    }
    if let Some(argv) = p.api_key_command {
        if argv.first().is_none_or(String::is_empty) {
            return Err(format!(
                "{at}: api_key_command needs the program and its arguments, e.g. [\"pass\", \
                 \"show\", \"phonely/prod\"]"
            ));
        }
        sources.push(("api_key_command", KeySpec::Command(argv)));
    }
    if let Some(file) = p.api_key_file {
        sources.push(("api_key_file", KeySpec::File(expand_home(&file))));
    }
    if p.api_key_keyring == Some(true) {
        sources.push(("api_key_keyring", KeySpec::Keyring));
    }
    let key = match sources.len() {
        0 => KeySpec::Env(KEY_ENV.to_string()),
        1 => sources.remove(0).1,
        _ => {
            let names: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "{at}: {} key sources ({}); keep exactly one",
                names.len(),
                names.join(", ")
            ));
        }
    };
    Ok(Profile {
        name: name.to_string(),
        base_url,
        production: p.production.unwrap_or(false),
        key,
        builtin: false,
    })
}

/// `~/x` means the home folder's `x`, as people write it in config files.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => path.to_path_buf(),
    }
}

/// "config.toml line 4, column 24 (`request_timeout_secs`): invalid type: …, expected …".
fn toml_error(shown: &str, text: &str, e: &toml::de::Error) -> String {
    let mut out = shown.to_string();
    if let Some(span) = e.span() {
        let before = text.get(..span.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map_or(1, |l| l.chars().count() + 1);
        let _ = write!(out, " line {line}, column {column}");
        let line_text = text.lines().nth(line - 1).unwrap_or("");
        if let Some((key, _)) = line_text.split_once('=') {
            let key = key.trim();
            if !key.is_empty() && !key.starts_with('#') {
                let _ = write!(out, " (`{key}`)");
            }
        }
    }
    let message = e.message().trim_end();
    let _ = write!(out, ": {message}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Config {
        parse(Path::new("config.toml"), text)
    }

    const TWO: &str = r#"
default_profile = "staging"
confirm_before_send = false
request_timeout_secs = 30

[profiles.production]
base_url = "https://app.phonely.ai"
production = true
api_key_command = ["pass", "show", "phonely/prod"]

[profiles.staging]
base_url = "https://staging.example.com"
api_key_env = "STAGING_KEY"
"#;

    /// A key (or a URL) pasted where the variable's *name* goes is refused, and the message does
    /// not repeat it; ordinary names, lower-case ones included, are taken.
    #[test]
    fn a_key_in_place_of_a_variable_name_is_refused_unshown() {
        for (field, value) in [
            ("api_key_env", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ("api_key_env", "PHONELY KEY"),
            ("api_key_env", ""),
        ] {
            let c = cfg(&format!(
                "[profiles.p]\nbase_url = \"https://x.example\"\n{field} = \"{value}\"\n"
            ));
            let said = c.errors.join("\n");
            assert!(
                said.contains("must name the environment variable"),
                "{value}: {said}"
            );
            assert!(value.is_empty() || !said.contains(value), "{said}");
        }
        let c = cfg("[team]\ndatabase_url_env = \"postgres://ana:Hunter2Pw@db/team\"\n");
        let said = c.errors.join("\n");
        assert!(said.contains("database_url_env must name"), "{said}");
        assert!(!said.contains("Hunter2Pw"), "{said}");
        for name in ["PHONELY_API_KEY", "STAGING_KEY", "my_key", "phonely_key_2"] {
            let c = cfg(&format!(
                "[profiles.p]\nbase_url = \"https://x.example\"\napi_key_env = \"{name}\"\n"
            ));
            assert!(c.errors.is_empty(), "{name}: {:?}", c.errors);
        }
    }

    #[test]
    fn no_file_keeps_todays_defaults() {
        let c = load(Path::new("/nonexistent/phonely/config.toml"));
        assert!(!c.found && c.errors.is_empty());
        assert!(c.confirm_before_send);
        assert_eq!(c.request_timeout, Duration::from_secs(15));
        assert_eq!(c.select(None).unwrap().name, "default");
        assert_eq!(c.names(), ["default", "sandbox"]);
    }

    #[test]
    fn profiles_and_settings_are_read() {
        let c = cfg(TWO);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert!(!c.confirm_before_send);
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert_eq!(c.names(), ["production", "staging", "sandbox"]);
        let prod = c.select(Some("production")).unwrap();
        assert_eq!(prod.kind(), Kind::Production);
        assert_eq!(
            prod.key,
            KeySpec::Command(vec!["pass".into(), "show".into(), "phonely/prod".into()])
        );
        let staging = c.select(None).unwrap();
        assert_eq!(staging.key, KeySpec::Env("STAGING_KEY".into()));
        assert_eq!(staging.kind(), Kind::Live);
        assert_eq!(c.select(Some("sandbox")).unwrap().kind(), Kind::Sandbox);
    }

    #[test]
    fn several_profiles_and_no_choice_is_refused() {
        let c = cfg(&TWO.replace("default_profile = \"staging\"", ""));
        let e = c.select(None).unwrap_err();
        assert!(e.contains("pass --profile NAME"), "{e}");
        assert!(
            c.select(Some("nope"))
                .unwrap_err()
                .contains("production, staging, sandbox")
        );
    }

    #[test]
    fn a_syntax_error_names_line_column_and_key() {
        let c = cfg("confirm_before_send = true\nrequest_timeout_secs = \"soon\"\n");
        assert_eq!(c.errors.len(), 1);
        let e = &c.errors[0];
        assert!(
            e.starts_with("config.toml line 2, column 24 (`request_timeout_secs`)"),
            "{e}"
        );
        assert!(e.contains("expected f64"), "{e}");
        assert_eq!(c.names(), ["sandbox"], "broken file: only the sandbox");
        let c = cfg("[profiles.prod\nbase_url = 1\n");
        assert!(c.errors[0].contains("line 1, column"), "{:?}", c.errors);
    }

    #[test]
    fn unknown_keys_are_warned_by_name() {
        let c = cfg(
            "confirm_before_sending = true\n[profiles.a]\nbase_url = \"http://127.0.0.1:1\"\napi_key = \"x\"\n",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("`confirm_before_sending`"));
        assert!(c.warnings[1].contains("`profiles.a.api_key`"));
    }

    #[test]
    fn mistakes_in_profiles_are_explained() {
        let two = cfg(
            "[profiles.a]\nbase_url = \"https://x.example\"\napi_key_env = \"A\"\napi_key_keyring = true\n",
        );
        assert!(two.errors[0].contains("2 key sources (api_key_env, api_key_keyring)"));
        let no_url = cfg("[profiles.a]\napi_key_env = \"A\"\n");
        assert!(no_url.errors[0].contains("base_url is missing"));
        let sandbox = cfg("[profiles.sandbox]\nbase_url = \"https://x.example\"\n");
        assert!(sandbox.errors[0].contains("built-in"));
        let default = cfg("default_profile = \"prod\"\n");
        assert!(default.errors[0].contains("names no profile"));
        let timeout = cfg("request_timeout_secs = 0\n");
        assert!(timeout.errors[0].contains("from 0.1 to 600"));
        let tiny = cfg("request_timeout_secs = 0.001\n");
        assert!(
            tiny.errors[0].contains("from 0.1 to 600"),
            "{:?}",
            tiny.errors
        );
        let window = cfg("duplicate_window_hours = -1\n");
        assert!(window.errors[0].contains("duplicate_window_hours"));
    }

    #[test]
    fn the_duplicate_window_is_configurable() {
        assert_eq!(cfg("").duplicate_window, Duration::from_secs(24 * 3600));
        assert_eq!(
            cfg("duplicate_window_hours = 2\n").duplicate_window,
            Duration::from_secs(2 * 3600)
        );
        assert_eq!(
            cfg("duplicate_window_hours = 0\n").duplicate_window,
            Duration::ZERO
        );
    }
}
