//! The API key: a type that cannot be printed by accident, and where it came from.

use std::fmt;

/// The environment variable the key is read from.
pub const KEY_ENV: &str = "PHONELY_API_KEY";

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
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(••••••••)")
    }
}

/// Where the key comes from, for display ("from $PHONELY_API_KEY") and curl text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// An environment variable with this name.
    Env(String),
    /// The bundled sandbox's well-known key (not a secret).
    Sandbox,
}

impl KeySource {
    /// The shell expression that stands for the key in a copied curl command.
    pub fn shell_expr(&self) -> String {
        match self {
            KeySource::Env(name) => format!("${name}"),
            KeySource::Sandbox => format!("${KEY_ENV}"),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            KeySource::Env(name) => format!("from ${name}"),
            KeySource::Sandbox => "sandbox key".to_string(),
        }
    }
}

/// The key, if one was found, and where it was (or would be) looked for.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub key: Option<ApiKey>,
    pub source: KeySource,
}

impl Credentials {
    /// Reads `PHONELY_API_KEY`; an empty or blank value counts as missing.
    pub fn from_env() -> Self {
        let key = std::env::var(KEY_ENV)
            .ok()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .map(ApiKey);
        Self {
            key,
            source: KeySource::Env(KEY_ENV.to_string()),
        }
    }

    pub fn sandbox(key: &str) -> Self {
        Self {
            key: Some(ApiKey::new(key)),
            source: KeySource::Sandbox,
        }
    }

    /// What to tell a person who tries to send without a key.
    pub fn missing_key_help(&self) -> String {
        match &self.source {
            KeySource::Env(name) => format!(
                "No API key: set {name} to the key from Phonely's Settings → Profile page and \
                 start again (or run with --sandbox to try the workbench)"
            ),
            KeySource::Sandbox => "No API key for the sandbox".to_string(),
        }
    }

    /// The masked header value: dots and where the key came from, never a character of the key.
    pub fn masked_header(&self) -> String {
        match &self.key {
            Some(_) => format!("•••••••• ({})", self.source.describe()),
            None => format!("(missing: set {})", self.source.shell_expr()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let c = Credentials::sandbox("s3cret-key-1a2b");
        let shown = format!("{c:?} {:?}", c.key);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!c.masked_header().contains("1a2b"));
    }
}
