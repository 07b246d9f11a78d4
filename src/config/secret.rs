//! Where a profile's API key comes from (environment, command, OS keyring, owner-only file), and
//! reading it. Every error names the source and the fix; none contains the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::key::{ApiKey, Credentials, KeySource, MASK};

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

/// `line` with what may be a secret masked: the value after a name that speaks of one
/// (`password=`, `url: `, `"api_key":"…"`, `TOKEN=`…), the user info of a URL (`://ana:pw@`),
/// and any long run of letters and digits (an API key's shape), wherever it stands (`-H
/// X-Authorization:KEY`, JSON, tabs).
fn redacted(line: &str) -> String {
    const NAMES: [&str; 7] = ["pass", "pw", "secret", "token", "key", "url", "auth"];
    let chars: Vec<char> = line.chars().collect();
    let mut hide = vec![false; chars.len()];
    let is_run = |c: char| c.is_ascii_alphanumeric() || "_-+/.~".contains(c);
    let value_end = |from: usize| {
        (from..chars.len())
            .find(|&i| chars[i].is_whitespace() || "\"',;&}]".contains(chars[i]))
            .unwrap_or(chars.len())
    };
    let mut i = 0;
    while i < chars.len() {
        // A name, then `=` or `:` (quotes and spaces around it allowed): its value.
        if chars[i].is_ascii_alphabetic() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
            {
                i += 1;
            }
            let name: String = chars[start..i]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase();
            let mut j = i;
            while j < chars.len() && (chars[j] == '"' || chars[j] == '\'' || chars[j] == ' ') {
                j += 1;
            }
            let url = chars.get(j..j + 3) == Some(&[':', '/', '/'][..]);
            if NAMES.iter().any(|n| name.contains(n))
                && !url
                && let Some(&sep) = chars.get(j).filter(|c| matches!(c, '=' | ':'))
            {
                j += 1;
                let value_from = j;
                while j < chars.len() && (chars[j] == '"' || chars[j] == '\'' || chars[j] == ' ') {
                    j += 1;
                }
                let end = value_end(j);
                // `name: word` is also how programs start a complaint ("pass: can't open …"):
                // after `: ` an unquoted short word without digits is left.
                let quoted = chars[value_from..j].iter().any(|c| *c != ' ');
                let spaced = j > value_from;
                let value = &chars[j..end];
                let plain_word = value.len() < 6 && !value.iter().any(char::is_ascii_digit);
                if sep == '=' || quoted || !spaced || !plain_word {
                    hide[j..end].iter_mut().for_each(|h| *h = true);
                }
                i = end.max(i);
            }
            continue;
        }
        i += 1;
    }
    // A URL's user info: from after `://` to the last `@` before the word ends.
    let text: String = chars.iter().collect();
    for (at, _) in text.match_indices("://") {
        let from = text[..at].chars().count() + 3;
        let end = (from..chars.len())
            .find(|&k| chars[k].is_whitespace() || chars[k] == '"' || chars[k] == '\'')
            .unwrap_or(chars.len());
        if let Some(last) = (from..end).rev().find(|&k| chars[k] == '@') {
            hide[from..last].iter_mut().for_each(|h| *h = true);
        }
    }
    // Runs shaped like a key.
    let mut k = 0;
    while k < chars.len() {
        if !is_run(chars[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < chars.len() && is_run(chars[k]) {
            k += 1;
        }
        let run = &chars[start..k];
        if run.len() >= 16
            && run.iter().any(char::is_ascii_digit)
            && run.iter().any(char::is_ascii_alphabetic)
            && !run.contains(&'/')
        {
            hide[start..k].iter_mut().for_each(|h| *h = true);
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut masked = false;
    for (c, h) in chars.iter().zip(&hide) {
        if *h {
            if !masked {
                out.push_str(MASK);
            }
            masked = true;
        } else {
            out.push(*c);
            masked = false;
        }
    }
    out
}

/// Whether `name` can be the name of the environment variable a secret is read from. It is
/// refused when empty, when it holds `=`, a space, a control character, `:` or `@` (no variable
/// is named so; a URL is), and when it looks like a key pasted in place of the name (16
/// characters or more, with lower-case letters and digits, where names are conventionally
/// upper case). The caller's message never repeats it: it may be the secret.
pub fn plausible_env_name(name: &str) -> bool {
    let odd = |c: char| c == '=' || c == ':' || c == '@' || c.is_whitespace() || c.is_control();
    let keyish = name.chars().count() >= 16
        && name.chars().any(|c| c.is_ascii_lowercase())
        && name.chars().any(|c| c.is_ascii_digit());
    !name.is_empty() && !name.chars().any(odd) && !keyish
}

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
        // Shapes a hostile review found: a header without a space, JSON, a tab.
        for (line, secret) in [
            (
                "+ curl -sf -H X-Authorization:sk_live_4eC39HqLyjWDarjtT1zdp7dc https://v.invalid/",
                "4eC39Hq",
            ),
            (
                r#"{"api_key":"sk_live_4eC39HqLyjWDarjtT1zdp7dc"}"#,
                "4eC39Hq",
            ),
            (r#"{"password": "Hunter2Pw"}"#, "Hunter2Pw"),
            ("token\tabc123def456ghi789jkl", "abc123def"),
            ("+ PGPASSWORD=Hunter2 psql", "Hunter2"),
        ] {
            let said = redacted(line);
            assert!(
                !said.contains(secret) && said.contains(MASK),
                "{line} → {said}"
            );
        }
        assert_eq!(
            redacted("pass: can't open /home/ana/.password-store/phonely.gpg: No such file"),
            format!("pass: can't open /home/ana/.password-store/phonely.gpg: No such file")
        );
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
