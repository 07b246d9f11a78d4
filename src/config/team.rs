//! The `[team]` section: where the team log's database URL comes from (the same sources as an
//! API key: an environment variable, by default `PHONELY_TEAM_DATABASE_URL`, a command, an
//! owner-only file or the OS keyring; never written by the tool), the operator's name recorded
//! with each update, and TLS (`sslmode`, `ca_file`). Setting `PHONELY_TEAM_DATABASE_URL` alone
//! turns the team log on, with no config file. The URL is a [`TeamUrl`] (masked `Debug`): it is
//! never in `Config` itself, only read when needed.

use std::path::PathBuf;

use phonely_team::{SslMode, Target, TeamUrl};
use serde::Deserialize;

use super::KeySpec;
use super::secret;

/// The environment variable the URL is read from unless the config names another source.
pub const URL_ENV: &str = "PHONELY_TEAM_DATABASE_URL";
/// The keyring entry's user name (service `phonely-outcomes`) for `database_url_keyring`.
pub const KEYRING_USER: &str = "team-database-url";

/// `[team]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FileTeam {
    database_url_env: Option<String>,
    database_url_command: Option<Vec<String>>,
    database_url_file: Option<PathBuf>,
    database_url_keyring: Option<bool>,
    operator: Option<String>,
    sslmode: Option<String>,
    ca_file: Option<PathBuf>,
}

/// The team log's settings in effect.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamConfig {
    /// Where the URL comes from (`KeySpec::Sandbox` is never used here).
    pub url: KeySpec,
    /// The name recorded with each update: `operator`, else the OS user name.
    pub operator: String,
    /// From the config; else the URL's own `sslmode`; else verify-full.
    pub sslmode: Option<SslMode>,
    pub ca_file: Option<PathBuf>,
    /// True when the file has a `[team]` section (then the team log is on).
    pub in_file: bool,
}

impl Default for TeamConfig {
    fn default() -> Self {
        TeamConfig {
            url: KeySpec::Env(URL_ENV.to_string()),
            operator: crate::history::operator_name(),
            sslmode: None,
            ca_file: None,
            in_file: false,
        }
    }
}

impl TeamConfig {
    /// Whether the team log is on: a `[team]` section, or `PHONELY_TEAM_DATABASE_URL` set.
    pub fn enabled(&self) -> bool {
        self.in_file || std::env::var_os(URL_ENV).is_some_and(|v| !v.is_empty())
    }

    /// Where the URL comes from, in words (never the URL).
    pub fn source(&self) -> String {
        match &self.url {
            KeySpec::Env(name) => format!("${name}"),
            KeySpec::Command(argv) => format!("command `{}`", argv.join(" ")),
            KeySpec::File(path) => format!("file {}", path.display()),
            KeySpec::Keyring | KeySpec::Sandbox => format!(
                "OS keyring (service {}, user {KEYRING_USER})",
                secret::KEYRING_SERVICE
            ),
        }
    }

    /// Reads the URL (runs the command, asks the keyring): once per process.
    pub async fn resolve(&self) -> Result<TeamUrl, String> {
        let reworded = |e: String| e.replace("the key ", "the team database URL's ");
        let text =
            match &self.url {
                KeySpec::Env(name) => match std::env::var(name) {
                    Ok(v) if !v.trim().is_empty() => v,
                    _ => {
                        return Err(format!(
                            "the team log is on but ${name} is not set: set it to the team \
                         database's URL, e.g. postgres://you@db.example/team"
                        ));
                    }
                },
                KeySpec::Command(argv) => secret::from_command(argv, secret::COMMAND_TIMEOUT)
                    .await
                    .map_err(reworded)?
                    .expose()
                    .to_string(),
                KeySpec::File(path) => secret::from_file(path)
                    .map_err(reworded)?
                    .expose()
                    .to_string(),
                KeySpec::Keyring | KeySpec::Sandbox => tokio::task::spawn_blocking(keyring_url)
                    .await
                    .unwrap_or_else(|e| Err(format!("the keyring lookup stopped: {e}")))?,
            };
        Ok(TeamUrl::new(text))
    }

    /// The connection target for a URL read by [`Self::resolve`].
    pub fn target(&self, url: TeamUrl) -> Target {
        Target {
            url,
            sslmode: self.sslmode,
            ca_file: self.ca_file.clone(),
        }
    }
}

fn keyring_url() -> Result<String, String> {
    let entry = keyring::Entry::new(secret::KEYRING_SERVICE, KEYRING_USER)
        .map_err(|e| format!("no OS keyring is available here ({e}); use database_url_env, database_url_command or database_url_file in [team]"))?;
    match entry.get_password() {
        Ok(url) if !url.trim().is_empty() => Ok(url),
        Ok(_) | Err(keyring::Error::NoEntry) => Err(format!(
            "the OS keyring holds no team database URL (service {}, user {KEYRING_USER}); store \
             it with your keyring's tool, e.g.  secret-tool store --label 'phonely team log' \
             service {} username {KEYRING_USER}",
            secret::KEYRING_SERVICE,
            secret::KEYRING_SERVICE
        )),
        Err(e) => Err(format!(
            "no OS keyring is available here ({e}); use database_url_env, database_url_command \
             or database_url_file in [team]"
        )),
    }
}

/// `[team]` read and checked; errors name the setting.
pub(super) fn team(shown: &str, t: FileTeam) -> Result<TeamConfig, String> {
    let at = format!("{shown}: [team]");
    let mut sources = Vec::new();
    if let Some(var) = t.database_url_env {
        if !super::secret::plausible_env_name(&var) {
            return Err(format!(
                "{at}: database_url_env must name the environment variable that holds the URL, \
                 e.g. \"{URL_ENV}\", not the URL itself (what is there is not shown: it may be \
                 the URL)"
            ));
        }
        sources.push(("database_url_env", KeySpec::Env(var)));
    }
    if let Some(argv) = t.database_url_command {
        if argv.first().is_none_or(String::is_empty) {
            return Err(format!(
                "{at}: database_url_command needs the program and its arguments, e.g. [\"pass\", \
                 \"show\", \"phonely/team-db\"]"
            ));
        }
        sources.push(("database_url_command", KeySpec::Command(argv)));
    }
    if let Some(file) = t.database_url_file {
        sources.push((
            "database_url_file",
            KeySpec::File(super::expand_home(&file)),
        ));
    }
    if t.database_url_keyring == Some(true) {
        sources.push(("database_url_keyring", KeySpec::Keyring));
    }
    let url = match sources.len() {
        0 => KeySpec::Env(URL_ENV.to_string()),
        1 => sources.remove(0).1,
        _ => {
            let names: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "{at}: {} sources for the database URL ({}); keep exactly one",
                names.len(),
                names.join(", ")
            ));
        }
    };
    let sslmode = match t.sslmode.as_deref() {
        None => None,
        Some(s) => Some(SslMode::parse(s).map_err(|e| format!("{at}: {e}"))?),
    };
    let operator = match t.operator {
        None => crate::history::operator_name(),
        Some(o) if o.trim().is_empty() || o.trim() != o || o.chars().any(char::is_control) => {
            return Err(format!(
                "{at}: operator must be a name without spaces at the start or end, e.g. \"Ana\""
            ));
        }
        Some(o) => o,
    };
    Ok(TeamConfig {
        url,
        operator,
        sslmode,
        ca_file: t.ca_file.map(|p| super::expand_home(&p)),
        in_file: true,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn cfg(text: &str) -> super::super::Config {
        super::super::parse(Path::new("config.toml"), text)
    }

    #[test]
    fn no_section_means_the_environment_variable() {
        let c = cfg("");
        assert!(!c.team.in_file);
        assert_eq!(c.team.url, KeySpec::Env(URL_ENV.to_string()));
        assert!(!c.team.operator.is_empty());
    }

    #[test]
    fn the_section_is_read() {
        let c = cfg(
            "[team]\ndatabase_url_command = [\"pass\", \"show\", \"team\"]\noperator = \"Ana\"\n\
             sslmode = \"require\"\nca_file = \"/etc/team-ca.pem\"\n",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert!(c.team.enabled());
        assert_eq!(c.team.operator, "Ana");
        assert_eq!(c.team.sslmode, Some(SslMode::Require));
        assert_eq!(
            c.team.ca_file.as_deref(),
            Some(Path::new("/etc/team-ca.pem"))
        );
        assert_eq!(c.team.source(), "command `pass show team`");
    }

    #[test]
    fn mistakes_are_named() {
        let c = cfg("[team]\nsslmode = \"verify-ca\"\n");
        assert!(
            c.errors[0].contains("[team]") && c.errors[0].contains("verify-ca"),
            "{:?}",
            c.errors
        );
        let c = cfg("[team]\ndatabase_url_env = \"X\"\ndatabase_url_keyring = true\n");
        assert!(c.errors[0].contains("keep exactly one"), "{:?}", c.errors);
        let c = cfg("[team]\noperator = \" Ana\"\n");
        assert!(c.errors[0].contains("operator"), "{:?}", c.errors);
    }

    #[tokio::test]
    async fn the_url_comes_from_its_source_and_never_shows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("url");
        std::fs::write(&path, "postgres://ana:Sup3rSecret@db/team\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let t = TeamConfig {
            url: KeySpec::File(path),
            ..TeamConfig::default()
        };
        let url = t.resolve().await.unwrap();
        assert_eq!(url.expose(), "postgres://ana:Sup3rSecret@db/team");
        assert!(!format!("{url:?} {}", url.shown()).contains("Sup3rSecret"));
        let t = TeamConfig {
            url: KeySpec::Env("PHONELY_TEST_NO_SUCH_TEAM_URL".to_string()),
            ..TeamConfig::default()
        };
        let e = t.resolve().await.unwrap_err();
        assert!(
            e.contains("$PHONELY_TEST_NO_SUCH_TEAM_URL is not set"),
            "{e}"
        );
    }
}
