//! The API key: a type that cannot be printed by accident, and where it came from.

use std::fmt;

/// The environment variable the key is read from when a profile names no other source.
pub const KEY_ENV: &str = "PHONELY_API_KEY";

/// What is shown instead of a secret: the key, the team database's password, a secret-looking
/// word in a command's complaint.
pub const MASK: &str = "••••••••";

/// The key itself. `Debug` masks it and there is no `Display`: the only way to the text is
/// [`ApiKey::expose`], which the HTTP client calls when it sets the header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// For the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` (a server's answer) with the key taken out: a server, or a proxy in front of it,
    /// that echoes the request's headers back would otherwise have the key written to the
    /// history, the shared team log and the screen. Also a cut-off end of the key at the very
    /// end of `text` (an answer truncated at its cap), from 4 characters on.
    pub fn scrub(&self, text: String) -> String {
        let key = self.0.as_str();
        if key.chars().count() < 4 {
            return text;
        }
        let mut out = if text.contains(key) {
            text.replace(key, MASK)
        } else {
            text
        };
        let tail = (4..key.len())
            .rev()
            .filter(|&n| key.is_char_boundary(n))
            .find(|&n| out.ends_with(&key[..n]));
        if let Some(n) = tail {
            out.truncate(out.len() - n);
            out.push_str(MASK);
        }
        out
    }

    /// Why the key cannot go in a request header (a control character, or one outside plain
    /// ASCII, e.g. a line break or a typographic quote picked up while copying), naming the
    /// character's code and its position, never the key.
    pub fn header_problem(&self) -> Option<String> {
        let (at, c) = self
            .0
            .chars()
            .enumerate()
            .find(|(_, c)| !(*c == '\t' || (' '..='~').contains(c)))?;
        let what = if c.is_control() {
            "a control character"
        } else {
            "a character outside plain ASCII"
        };
        Some(format!(
            "{what} (U+{:04X}) at position {}, which cannot go in a request header",
            c as u32,
            at + 1
        ))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({MASK})")
    }
}

/// Where the key comes from, for display ("from $PHONELY_API_KEY") and curl text. Never holds
/// the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// An environment variable with this name.
    Env(String),
    /// The bundled sandbox's well-known key (not a secret).
    Sandbox,
    /// The first line a command printed (the command as shown to people).
    Command(String),
    /// The OS keyring, under this profile's name.
    Keyring(String),
    /// A file readable by its owner only.
    File(String),
}

impl KeySource {
    /// The shell expression that stands for the key in a copied curl command: the variable's
    /// name for an env source, `$PHONELY_API_KEY` for the others.
    pub fn shell_expr(&self) -> String {
        match self {
            KeySource::Env(name) => format!("${name}"),
            // Where the key is read from, run by the shell: the command runs as it does here.
            KeySource::File(path) => {
                format!("$(cat {})", super::shell::shell_quote(path))
            }
            KeySource::Command(command) => format!("$({command})"),
            KeySource::Keyring(_) | KeySource::Sandbox => format!("${KEY_ENV}"),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            KeySource::Env(name) => format!("from ${name}"),
            KeySource::Sandbox => "sandbox key".to_string(),
            KeySource::Command(command) => format!("from `{command}`"),
            KeySource::Keyring(profile) => format!("from the OS keyring, profile {profile}"),
            KeySource::File(path) => format!("from {path}"),
        }
    }
}

/// The key, if one was found, where it was (or would be) looked for, and why it was not found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub key: Option<ApiKey>,
    pub source: KeySource,
    /// Why there is no key, when the source says more than "not set" (a command that failed, a
    /// key file anyone can read, no keyring service).
    pub problem: Option<String>,
}

impl Credentials {
    /// Reads `PHONELY_API_KEY`; an empty or blank value counts as missing.
    pub fn from_env() -> Self {
        Self::from_env_var(KEY_ENV)
    }

    /// Reads the named variable; an empty or blank value counts as missing.
    pub fn from_env_var(name: &str) -> Self {
        let source = KeySource::Env(name.to_string());
        match std::env::var(name)
            .ok()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
        {
            Some(key) => Self::found(ApiKey(key), source),
            None => Self {
                key: None,
                source,
                problem: None,
            },
        }
    }

    pub fn sandbox(key: &str) -> Self {
        Self {
            key: Some(ApiKey::new(key)),
            source: KeySource::Sandbox,
            problem: None,
        }
    }

    /// A key that was found; one that cannot go in a request header counts as missing, with
    /// the reason (the configuration is wrong: nothing could be sent with it).
    pub fn found(key: ApiKey, source: KeySource) -> Self {
        if let Some(why) = key.header_problem() {
            let problem = format!(
                "the key {} has {why}: set it again, copied whole from Phonely's Settings → \
                 Profile page",
                source.describe()
            );
            return Self::missing(source, problem);
        }
        Self {
            key: Some(key),
            source,
            problem: None,
        }
    }

    /// No key, and why.
    pub fn missing(source: KeySource, problem: impl Into<String>) -> Self {
        Self {
            key: None,
            source,
            problem: Some(problem.into()),
        }
    }

    /// What to tell a person who tries to send without a key.
    pub fn missing_key_help(&self) -> String {
        if let Some(problem) = &self.problem {
            return format!("No API key: {problem}");
        }
        match &self.source {
            KeySource::Env(name) => format!(
                "No API key: set {name} to the key from Phonely's Settings → Profile page and \
                 start again (or run with --sandbox to try the workbench)"
            ),
            KeySource::Sandbox => "No API key for the sandbox".to_string(),
            other => format!("No API key ({})", other.describe()),
        }
    }

    /// The masked header value: dots and where the key came from, never a character of the key.
    pub fn masked_header(&self) -> String {
        match &self.key {
            Some(_) => format!("{MASK} ({})", self.source.describe()),
            None => match &self.source {
                KeySource::Env(_) => format!("(missing: set {})", self.source.shell_expr()),
                other => format!("(missing: {})", other.describe()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_scrubbed_of_the_key_whole_and_cut_off() {
        let key = ApiKey::new("sk_live_4eC39HqLyjWD");
        let said = key.scrub(
            r#"{"echo":"x-authorization: sk_live_4eC39HqLyjWD","again":"sk_live_4eC39HqLyjWD"}"#
                .into(),
        );
        assert!(!said.contains("sk_live_4eC39"), "{said}");
        assert_eq!(said.matches("••••••••").count(), 2, "{said}");
        // An answer cut at its cap in the middle of the key: the cut-off start is masked too.
        let said = key.scrub("x-authorization: sk_live_4e".into());
        assert_eq!(said, "x-authorization: ••••••••");
        // Nothing else changes; a key too short to tell from other text is left alone.
        assert_eq!(key.scrub("ok sk_".into()), "ok sk_");
        assert_eq!(ApiKey::new("abc").scrub("abc abc".into()), "abc abc");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = Credentials::sandbox("s3cret-key-1a2b");
        let shown = format!("{c:?} {:?}", c.key);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!c.masked_header().contains("1a2b"));
    }

    #[test]
    fn curl_stands_in_with_the_profiles_variable() {
        assert_eq!(
            KeySource::Env("STAGING_KEY".into()).shell_expr(),
            "$STAGING_KEY"
        );
        assert_eq!(
            KeySource::Keyring("prod".into()).shell_expr(),
            "$PHONELY_API_KEY"
        );
        // A key in a file or from a command: the curl reads it the same way.
        assert_eq!(
            KeySource::File("/home/me/.phonely key".into()).shell_expr(),
            "$(cat '/home/me/.phonely key')"
        );
        assert_eq!(
            KeySource::Command("pass show phonely/prod".into()).shell_expr(),
            "$(pass show phonely/prod)"
        );
    }

    #[test]
    fn a_key_that_cannot_go_in_a_header_is_missing_and_never_shown() {
        let c = Credentials::found(ApiKey::new("s3cret\r\nkey"), KeySource::Env("K".into()));
        assert!(c.key.is_none());
        let help = c.missing_key_help();
        assert!(
            help.contains("the key from $K has a control character (U+000D) at position 7"),
            "{help}"
        );
        assert!(!help.contains("s3cret"), "{help}");
        let c = Credentials::found(ApiKey::new("\u{201c}abc"), KeySource::Env("K".into()));
        assert!(
            c.missing_key_help()
                .contains("outside plain ASCII (U+201C) at position 1")
        );
        assert!(
            Credentials::found(ApiKey::new("a-b_c.d~e f\tg"), KeySource::Sandbox)
                .key
                .is_some()
        );
    }

    #[test]
    fn a_problem_is_what_the_person_is_told() {
        let c = Credentials::missing(KeySource::File("/k".into()), "run chmod 600 /k");
        assert_eq!(c.missing_key_help(), "No API key: run chmod 600 /k");
    }
}
