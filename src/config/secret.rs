//! Where a profile's API key comes from (environment, command, OS keyring, owner-only file), and
//! reading it. Every error names the source and the fix; none contains the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::key::{ApiKey, Credentials, KeySource};

/// The keyring service name keys are stored under (the profile's name is the user).
pub const KEYRING_SERVICE: &str = "phonely-outcomes";
/// How long a key command may take (a password manager may ask for a passphrase first).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// One profile's key source, as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySpec {
    Env(String),
    Command(Vec<String>),
    Keyring,
    File(PathBuf),
    /// The bundled sandbox's well-known key.
    Sandbox,
}

impl KeySpec {
    /// Where the key comes from, for the screen and curl text.
    pub fn source(&self, profile: &str) -> KeySource {
        match self {
            KeySpec::Env(name) => KeySource::Env(name.clone()),
            KeySpec::Command(argv) => KeySource::Command(argv.join(" ")),
            KeySpec::Keyring => KeySource::Keyring(profile.to_string()),
            KeySpec::File(path) => KeySource::File(path.display().to_string()),
            KeySpec::Sandbox => KeySource::Sandbox,
        }
    }
}

/// Reads the key. Runs a command (with [`COMMAND_TIMEOUT`]) or asks the keyring, so call it once
/// per session and keep the result; never inside `update`.
pub async fn resolve(spec: &KeySpec, profile: &str) -> Credentials {
    let source = spec.source(profile);
    let result = match spec {
        KeySpec::Sandbox => return Credentials::sandbox(crate::sandbox::DEFAULT_KEY),
        KeySpec::Env(name) => return Credentials::from_env_var(name),
        KeySpec::Command(argv) => from_command(argv, COMMAND_TIMEOUT).await,
        KeySpec::File(path) => from_file(path),
        KeySpec::Keyring => {
            let profile = profile.to_string();
            tokio::task::spawn_blocking(move || keyring_get(&profile))
                .await
                .unwrap_or_else(|e| Err(format!("the keyring lookup stopped: {e}")))
        }
    };
    match result {
        Ok(key) => Credentials::found(key, source),
        Err(problem) => Credentials::missing(source, problem),
    }
}

/// The first line the command prints on stdout, trimmed.
pub async fn from_command(argv: &[String], timeout: Duration) -> Result<ApiKey, String> {
    let shown = argv.join(" ");
    let Some((program, rest)) = argv.split_first() else {
        return Err("api_key_command is empty".to_string());
    };
    let child = tokio::process::Command::new(program)
        .args(rest)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "the key command `{shown}` could not be run: {program} was not found (is it \
                     installed and on PATH?)"
                )
            } else {
                format!("the key command `{shown}` could not be run: {e}")
            }
        })?;
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => {
            return Err(format!(
                "the key command `{shown}` gave no answer within {} s and was stopped",
                timeout.as_secs()
            ));
        }
        Ok(Err(e)) => return Err(format!("the key command `{shown}` failed: {e}")),
        Ok(Ok(o)) => o,
    };
    if !output.status.success() {
        // The first line of its complaint helps ("gpg: decryption failed"); but a failing
        // script may echo the secret it was building (`set -x`), so what looks like one is
        // masked, and the line kept short.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = redacted(stderr.lines().next().unwrap_or("").trim());
        let why: String = why.chars().take(160).collect();
        return Err(format!(
            "the key command `{shown}` failed ({}){}",
            output.status,
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ));
    }
    let stdout = String::from_utf8(output.stdout)
        .map_err(|_| format!("the key command `{shown}` printed something that is not text"))?;
    first_line(&stdout).ok_or_else(|| format!("the key command `{shown}` printed nothing"))
}

/// `line` with what may be a secret masked, word by word: the value of a setting whose name
/// speaks of one (`password=`, `url=`, `TOKEN=`…), the user info of a URL (`://ana:pw@`), and a
/// long run of letters and digits (an API key's shape).
fn redacted(line: &str) -> String {
    const NAMES: [&str; 7] = ["pass", "pw", "secret", "token", "key", "url", "auth"];
    let word = |w: &str| -> String {
        if let Some((name, _)) = w.split_once('=') {
            let lower = name.to_ascii_lowercase();
            if NAMES.iter().any(|n| lower.contains(n)) {
                return format!("{name}={MASK}");
            }
        }
        if let Some(scheme_end) = w.find("://")
            && let Some(at) = w.rfind('@')
            && at > scheme_end
        {
            return format!("{}{MASK}{}", &w[..scheme_end + 3], &w[at..]);
        }
        let core = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let keyish = core.len() >= 16
            && core.chars().any(|c| c.is_ascii_digit())
            && core.chars().any(|c| c.is_ascii_alphabetic())
            && core
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-+/=.".contains(c));
        if keyish {
            MASK.to_string()
        } else {
            w.to_string()
        }
    };
    line.split(' ').map(word).collect::<Vec<_>>().join(" ")
}

/// What a masked secret looks like in a command's complaint.
const MASK: &str = "••••••••";

/// Reads a key file, refusing one that others can read.
pub fn from_file(path: &Path) -> Result<ApiKey, String> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read the key file {shown}: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "the key file {shown} can be read by others (mode {mode:04o}); it must be \
                 readable by you only: run  chmod 600 {shown}"
            ));
        }
    }
    if !meta.is_file() {
        return Err(format!("the key file {shown} is not a file"));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the key file {shown}: {e}"))?;
    first_line(&text).ok_or_else(|| format!("the key file {shown} is empty"))
}

fn first_line(text: &str) -> Option<ApiKey> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(ApiKey::new)
}

/// What to say where no keyring service exists.
fn no_keyring(e: &dyn std::fmt::Display) -> String {
    format!(
        "no OS keyring is available here ({e}); use another key source in the profile: \
         api_key_env, api_key_command or api_key_file"
    )
}

fn entry(profile: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(KEYRING_SERVICE, profile).map_err(|e| no_keyring(&e))
}

pub fn keyring_get(profile: &str) -> Result<ApiKey, String> {
    match entry(profile)?.get_password() {
        Ok(key) => first_line(&key)
            .ok_or_else(|| format!("the OS keyring holds an empty key for profile {profile}")),
        Err(keyring::Error::NoEntry) => Err(format!(
            "no key for profile {profile} in the OS keyring: run  phonely-outcomes key set \
             --profile {profile}"
        )),
        Err(e) => Err(no_keyring(&e)),
    }
}

pub fn keyring_set(profile: &str, key: &ApiKey) -> Result<(), String> {
    entry(profile)?.set_password(key.expose()).map_err(|e| {
        format!(
            "the OS keyring could not store the key ({e}); where there is no keyring service \
             (a headless or container session), use another key source in the profile: \
             api_key_env, api_key_command or api_key_file"
        )
    })
}

/// Returns false when there was nothing to delete.
pub fn keyring_delete(profile: &str) -> Result<bool, String> {
    match entry(profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(no_keyring(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(ToString::to_string).collect()
    }

    #[tokio::test]
    async fn a_command_gives_its_first_line() {
        let key = from_command(
            &argv(&["sh", "-c", "printf 'k-123\\nmore\\n'"]),
            COMMAND_TIMEOUT,
        )
        .await
        .unwrap();
        assert_eq!(key.expose(), "k-123");
    }

    /// A failing script that traces itself (`set -x`) prints the secret it was building: the
    /// complaint is shown with what looks like a secret masked.
    #[tokio::test]
    async fn a_failing_commands_complaint_never_shows_a_secret() {
        // The secrets are put together by the script, so only its trace holds them whole.
        for (script, secret) in [
            ("url=postgres://ana:${p}2Pw@db.example/team", "Hunter2Pw"),
            ("PHONELY_API_KEY=${p}-12345", "Hunter-12345"),
            (
                "echo sk_live_${p}4eC39HqLyjWDarjtT1zdp7dc",
                "Hunter4eC39HqLyjWDarjtT1zdp7dc",
            ),
        ] {
            let e = from_command(
                &argv(&["sh", "-c", &format!("p=Hunter; set -x; {script}; exit 3")]),
                COMMAND_TIMEOUT,
            )
            .await
            .unwrap_err();
            assert!(e.contains("failed (exit status: 3): + "), "{e}");
            assert!(!e.contains(secret) && e.contains(MASK), "{e}");
        }
        assert_eq!(
            redacted("+ curl https://ana:pw@example.com/x"),
            format!("+ curl https://{MASK}@example.com/x")
        );
        assert_eq!(redacted("gpg: no secret key"), "gpg: no secret key");
    }

    #[tokio::test]
    async fn a_failing_command_says_why() {
        let e = from_command(
            &argv(&["sh", "-c", "echo 'gpg: no secret key' >&2; exit 2"]),
            COMMAND_TIMEOUT,
        )
        .await
        .unwrap_err();
        assert!(
            e.contains("failed (exit status: 2): gpg: no secret key"),
            "{e}"
        );
        let e = from_command(&argv(&["no-such-program-xyz"]), COMMAND_TIMEOUT)
            .await
            .unwrap_err();
        assert!(e.contains("was not found"), "{e}");
        let e = from_command(&argv(&["true"]), COMMAND_TIMEOUT)
            .await
            .unwrap_err();
        assert!(e.contains("printed nothing"), "{e}");
    }

    #[tokio::test]
    async fn a_slow_command_is_stopped() {
        let e = from_command(&argv(&["sleep", "30"]), Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(e.contains("gave no answer within"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_must_be_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "file-key-9\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = from_file(&path).unwrap_err();
        assert!(e.contains("mode 0644"), "{e}");
        assert!(e.contains(&format!("chmod 600 {}", path.display())), "{e}");
        assert!(!e.contains("file-key-9"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(from_file(&path).unwrap().expose(), "file-key-9");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(from_file(&path).is_ok(), "stricter than 0600 is fine");
    }
}
