//! The team log's connection URL, kept like an API key: the password never shows. `TeamUrl` has
//! a masked `Debug`, no `Display`; [`TeamUrl::shown`] is the URL with its password as `••••••••`,
//! and [`TeamUrl::scrub`] takes the password out of any text (a driver's error message) before it
//! is shown or logged.

use std::fmt;
use std::path::PathBuf;

/// What is printed instead of a password.
pub const MASK: &str = "••••••••";

/// A `postgres://` (or `postgresql://`) URL, or a libpq `key=value` string.
#[derive(Clone, PartialEq, Eq)]
pub struct TeamUrl(String);

impl fmt::Debug for TeamUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TeamUrl({})", self.shown())
    }
}

impl TeamUrl {
    pub fn new(text: impl Into<String>) -> Self {
        TeamUrl(text.into().trim().to_string())
    }

    /// The URL itself, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password, if the URL holds one (decoded).
    fn password(&self) -> Option<String> {
        if let Ok(u) = url::Url::parse(&self.0)
            && let Some(p) = u.password()
        {
            let decoded = percent_decode(p);
            return Some(decoded).filter(|p| !p.is_empty());
        }
        key_value(&self.0, "password").filter(|p| !p.is_empty())
    }

    /// The URL as it may be shown: the password replaced by [`MASK`].
    pub fn shown(&self) -> String {
        if let Ok(mut u) = url::Url::parse(&self.0) {
            if u.password().is_some() {
                // A URL with a user can always take a password.
                let _ = u.set_password(Some("--mask--"));
                return u.as_str().replace("--mask--", MASK);
            }
            return u.as_str().to_string();
        }
        self.scrub(&self.0)
    }

    /// `text` with the password (as written in the URL and decoded) replaced by [`MASK`].
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        let mut secrets = Vec::new();
        if let Some(p) = self.password() {
            secrets.push(p);
        }
        if let Ok(u) = url::Url::parse(&self.0)
            && let Some(p) = u.password()
            && !p.is_empty()
        {
            secrets.push(p.to_string());
        }
        // Longest first, so a password that contains another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for s in secrets {
            out = out.replace(&s, MASK);
        }
        out
    }

    /// The `sslmode` the URL asks for, if any (`?sslmode=…` or `sslmode=…`).
    pub fn sslmode(&self) -> Option<String> {
        if let Ok(u) = url::Url::parse(&self.0) {
            return u
                .query_pairs()
                .find(|(k, _)| k == "sslmode")
                .map(|(_, v)| v.into_owned());
        }
        key_value(&self.0, "sslmode")
    }

    /// The URL without its `sslmode` (the driver knows fewer modes than libpq; the TLS set-up is
    /// ours, [`SslMode`]).
    pub fn without_sslmode(&self) -> String {
        if let Ok(mut u) = url::Url::parse(&self.0) {
            let kept: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| k != "sslmode")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if kept.is_empty() {
                u.set_query(None);
            } else {
                u.query_pairs_mut().clear().extend_pairs(kept);
            }
            return u.as_str().to_string();
        }
        self.0
            .split_whitespace()
            .filter(|w| !w.starts_with("sslmode="))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A libpq `key=value` setting (values may be single-quoted).
fn key_value(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("{key}="))?;
    if start > 0 && !text[..start].ends_with(char::is_whitespace) {
        return None;
    }
    let rest = &text[start + key.len() + 1..];
    if let Some(quoted) = rest.strip_prefix('\'') {
        return quoted.find('\'').map(|end| quoted[..end].to_string());
    }
    Some(rest.split_whitespace().next().unwrap_or("").to_string())
}

/// How the connection is protected, as libpq names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SslMode {
    /// Plain TCP (a database on this machine or a trusted network).
    Disable,
    /// Encrypted, the server's certificate not checked.
    Require,
    /// Encrypted, the certificate checked against the system's roots (or the CA file) and the
    /// host name.
    #[default]
    VerifyFull,
}

impl SslMode {
    pub const NAMES: &str = "disable, require or verify-full";

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "disable" => Ok(SslMode::Disable),
            "require" => Ok(SslMode::Require),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(format!(
                "sslmode \"{}\" is not known: use {}",
                phonely_core::inert::inert(other),
                Self::NAMES
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Require => "require",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Everything needed to connect: the URL, the TLS mode (from the config, else the URL's own
/// `sslmode`, else verify-full) and an optional CA file (PEM) instead of the system's roots.
#[derive(Clone, Debug)]
pub struct Target {
    pub url: TeamUrl,
    pub sslmode: Option<SslMode>,
    pub ca_file: Option<PathBuf>,
}

impl Target {
    pub fn new(url: TeamUrl) -> Self {
        Target {
            url,
            sslmode: None,
            ca_file: None,
        }
    }

    /// The mode in force: the configured one, else the URL's, else verify-full.
    pub fn mode(&self) -> Result<SslMode, String> {
        if let Some(m) = self.sslmode {
            return Ok(m);
        }
        match self.url.sslmode() {
            Some(m) => SslMode::parse(&m),
            None => Ok(SslMode::VerifyFull),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let url = TeamUrl::new("postgres://ana:s3cr%40t-pw@db.example:5432/team?sslmode=require");
        let shown = url.shown();
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains(&format!("ana:{MASK}@db.example")), "{shown}");
        let debug = format!("{url:?}");
        assert!(!debug.contains("s3cr"), "{debug}");
        let scrubbed = url.scrub("auth failed for s3cr@t-pw and s3cr%40t-pw");
        assert!(!scrubbed.contains("s3cr"), "{scrubbed}");
        assert_eq!(url.sslmode().as_deref(), Some("require"));
        assert!(!url.without_sslmode().contains("sslmode"));
    }

    #[test]
    fn key_value_strings_are_masked_too() {
        let url = TeamUrl::new("host=db user=ana password='pw with space' sslmode=disable");
        assert!(!url.shown().contains("pw with"), "{}", url.shown());
        assert_eq!(url.sslmode().as_deref(), Some("disable"));
        assert_eq!(
            url.without_sslmode(),
            "host=db user=ana password='pw with space'"
        );
    }

    #[test]
    fn sslmode_names_are_checked() {
        assert_eq!(SslMode::parse("verify-full"), Ok(SslMode::VerifyFull));
        let e = SslMode::parse("verify-ca").unwrap_err();
        assert!(
            e.contains("verify-ca") && e.contains("disable, require or verify-full"),
            "{e}"
        );
        let t = Target::new(TeamUrl::new("postgres://h/db"));
        assert_eq!(t.mode(), Ok(SslMode::VerifyFull));
    }
}
