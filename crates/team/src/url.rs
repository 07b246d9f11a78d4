//! The team log's connection URL, kept like an API key: the password never shows. `TeamUrl` has
//! a masked `Debug`, no `Display`; [`TeamUrl::shown`] is the URL with its password as `••••••••`,
//! and [`TeamUrl::scrub`] takes the password out of any text (a driver's error message) before it
//! is shown or logged.

use std::fmt;
use std::path::PathBuf;

/// What is printed instead of a password (the one mask for every secret).
pub use phonely_core::key::MASK;

/// The settings the driver knows that hold no secret: their values are shown. Any other
/// setting's value (`password`, and a key the driver would refuse such as `passwd`, which may
/// well be a password) is masked like a password.
const SHOWN_SETTINGS: &[&str] = &[
    "user",
    "dbname",
    "options",
    "application_name",
    "sslmode",
    "sslnegotiation",
    "host",
    "hostaddr",
    "port",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

fn masked_setting(key: &str) -> bool {
    !SHOWN_SETTINGS.contains(&key)
}

/// What is printed instead of a URL that is neither a `postgres://` URL nor libpq settings.
pub const UNREADABLE: &str =
    "(not a postgres:// URL or key=value settings; not shown, as it may hold a password)";

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

    /// The URL's parts as the driver reads them (`None` for a libpq `key=value` string).
    fn parts(&self) -> Option<Parts<'_>> {
        Parts::of(&self.0)
    }

    /// A `postgres://` URL or a string of libpq settings: what can be shown with its password
    /// masked. Anything else (a `jdbc:` or SQLAlchemy URL, a `.env` line, a typo) is never
    /// shown: where its password is cannot be known.
    fn readable(&self) -> bool {
        self.parts().is_some() || Setting::whole(&self.0)
    }

    /// The password as written (a `postgres://` URL may percent-encode it) and decoded, from
    /// wherever the driver would take it: the user info, a `password=` query parameter, or a
    /// libpq `key=value` string.
    fn secrets(&self) -> Vec<String> {
        let written: Vec<String> = match self.parts() {
            Some(p) => p
                .password
                .into_iter()
                .chain(
                    p.query_pairs()
                        .filter(|(k, _)| masked_setting(k))
                        .map(|(_, v)| v),
                )
                .map(str::to_string)
                .collect(),
            None => Setting::all(&self.0)
                .into_iter()
                .filter(|k| masked_setting(&k.key))
                .flat_map(|k| [self.0[k.raw.clone()].to_string(), k.value])
                .collect(),
        };
        // And whatever the driver itself reads as the password, should the two readings differ.
        let driver = self.0.parse::<tokio_postgres::Config>().ok().and_then(|c| {
            c.get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        });
        let mut secrets = Vec::new();
        if !self.readable() && !self.0.is_empty() {
            secrets.push(self.0.clone());
        }
        if let Some(d) = driver.filter(|d| !d.is_empty()) {
            secrets.push(d);
        }
        for w in written {
            for s in [percent_decode(&w), w] {
                if !s.is_empty() && !secrets.contains(&s) {
                    secrets.push(s);
                }
            }
        }
        // Longest first, so a password that contains another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets
    }

    /// The URL as it may be shown: the password replaced by [`MASK`], in the user info and in
    /// a `password=` parameter alike (also when the host is a socket folder, which the `url`
    /// crate cannot read).
    pub fn shown(&self) -> String {
        if !self.readable() {
            return UNREADABLE.to_string();
        }
        let Some(p) = self.parts() else {
            // A `key=value` string: each password value (inside its quotes) replaced, then
            // anything left scrubbed.
            let mut out = self.0.clone();
            for k in Setting::all(&self.0).into_iter().rev() {
                if masked_setting(&k.key) {
                    out.replace_range(k.raw, MASK);
                }
            }
            return self.scrub(&out);
        };
        let mut out = String::with_capacity(self.0.len());
        out.push_str(p.scheme);
        if let Some(user) = p.user {
            out.push_str(user);
            if p.password.is_some() {
                out.push(':');
                out.push_str(MASK);
            }
            out.push('@');
        }
        out.push_str(p.location);
        if let Some(query) = p.query {
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if masked_setting(&percent_decode(k)) => format!("{k}={MASK}"),
                    _ => pair.to_string(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        out
    }

    /// `text` with the password (as written in the URL and decoded) replaced by [`MASK`].
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets() {
            out = out.replace(&s, MASK);
        }
        out
    }

    /// The `sslmode` the URL asks for, if any (`?sslmode=…` or `sslmode=…`).
    pub fn sslmode(&self) -> Option<String> {
        match self.parts() {
            Some(p) => p
                .query_pairs()
                .filter(|(k, _)| k == "sslmode")
                .last()
                .map(|(_, v)| percent_decode(v)),
            None => Setting::all(&self.0)
                .into_iter()
                .rfind(|k| k.key == "sslmode")
                .map(|k| k.value),
        }
    }

    /// The URL without its `sslmode` (the driver knows fewer modes than libpq; the TLS set-up is
    /// ours, [`SslMode`]).
    pub fn without_sslmode(&self) -> String {
        if let Some(p) = self.parts() {
            let Some(query) = p.query else {
                return self.0.clone();
            };
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| {
                    let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
                    percent_decode(key) != "sslmode"
                })
                .collect();
            let end = self.0.len() - query.len() - 1;
            let mut out = self.0[..end].to_string();
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
            return out;
        }
        // Each `sslmode = …` setting cut out whole; the rest kept byte for byte (a quoted
        // value may hold runs of spaces).
        let mut out = self.0.clone();
        for k in Setting::all(&self.0).into_iter().rev() {
            if k.key == "sslmode" {
                out.replace_range(k.whole, "");
            }
        }
        out.trim().to_string()
    }
}

/// A `postgres://` URL cut where tokio-postgres cuts it: the user info runs to the first `@`
/// (a password may hold `/` or `?` unencoded), the user to its first `:`; the query starts at
/// the first `?` after the user info.
struct Parts<'a> {
    /// `postgres://` as written.
    scheme: &'a str,
    user: Option<&'a str>,
    password: Option<&'a str>,
    /// Hosts, ports and database: everything between the user info and the query.
    location: &'a str,
    query: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn of(text: &'a str) -> Option<Self> {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        let scheme_len = ["postgresql://", "postgres://"]
            .into_iter()
            .find(|p| lower.starts_with(p))?
            .len();
        let (scheme, rest) = text.split_at(scheme_len);
        // The user info runs to the last `@` before the query (the first `?` after the first
        // `@`): people leave `@` unencoded in a password (`Tr0ub@dor`) or a user name
        // (`ana@server`), and all of it must be masked, even where the driver cuts sooner.
        let (user, password, rest) = match rest.find('@') {
            Some(first) => {
                let end = rest[first..].find('?').map_or(rest.len(), |i| first + i);
                let at = rest[..end].rfind('@').unwrap_or(first);
                let (info, rest) = (&rest[..at], &rest[at + 1..]);
                match info.split_once(':') {
                    Some((user, password)) => (Some(user), Some(password), rest),
                    None => (Some(info), None, rest),
                }
            }
            None => (None, None, rest),
        };
        let (location, query) = match rest.split_once('?') {
            Some((location, query)) => (location, Some(query)),
            None => (rest, None),
        };
        Some(Parts {
            scheme,
            user,
            password,
            location,
            query,
        })
    }

    /// The query's parameters: each key decoded, its value as written.
    fn query_pairs(&self) -> impl Iterator<Item = (String, &'a str)> + use<'a> {
        self.query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                Some((percent_decode(k), v))
            })
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// One setting of a libpq `key=value` string, read as tokio-postgres reads it: `key = value`
/// (spaces around `=` allowed), the value bare up to a space or single-quoted, `\` escaping the
/// next character in both.
struct Setting {
    key: String,
    /// The value as written (inside its quotes).
    raw: std::ops::Range<usize>,
    /// The value, escapes undone.
    value: String,
    /// From the key's first byte to the value's last (with its quotes).
    whole: std::ops::Range<usize>,
}

impl Setting {
    /// Every setting of `text`, in order; reading stops at the first thing that is not one
    /// (the driver refuses such a string anyway).
    fn all(text: &str) -> Vec<Setting> {
        Self::read(text).0
    }

    /// Whether `text` is settings and nothing else, as a connection string must be.
    fn whole(text: &str) -> bool {
        let (settings, complete) = Self::read(text);
        let names = |k: &Setting| {
            !k.key.is_empty() && k.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        complete && !settings.is_empty() && settings.iter().all(names)
    }

    /// The settings, and whether they were all of `text`.
    fn read(text: &str) -> (Vec<Setting>, bool) {
        let mut out = Vec::new();
        let mut it = text.char_indices().peekable();
        let skip_ws = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
            while it.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        };
        loop {
            skip_ws(&mut it);
            let Some(&(start, _)) = it.peek() else {
                return (out, true);
            };
            let mut end = start;
            while let Some((i, c)) = it.next_if(|(_, c)| !c.is_whitespace() && *c != '=') {
                end = i + c.len_utf8();
            }
            if end == start {
                return (out, false);
            }
            let key = text[start..end].to_string();
            skip_ws(&mut it);
            if it.next_if(|(_, c)| *c == '=').is_none() {
                return (out, false);
            }
            skip_ws(&mut it);
            let quoted = it.next_if(|(_, c)| *c == '\'').is_some();
            let raw_start = it.peek().map_or(text.len(), |&(i, _)| i);
            let mut value = String::new();
            let mut raw_end = raw_start;
            let mut closed = !quoted;
            while let Some(&(i, c)) = it.peek() {
                if (quoted && c == '\'') || (!quoted && c.is_whitespace()) {
                    break;
                }
                it.next();
                raw_end = i + c.len_utf8();
                if c == '\\' {
                    if let Some((j, c2)) = it.next() {
                        value.push(c2);
                        raw_end = j + c2.len_utf8();
                    }
                } else {
                    value.push(c);
                }
            }
            let mut whole_end = raw_end;
            if quoted && let Some((i, _)) = it.next_if(|(_, c)| *c == '\'') {
                closed = true;
                whole_end = i + 1;
            }
            out.push(Setting {
                key,
                raw: raw_start..raw_end,
                value,
                whole: start..whole_end,
            });
            if !closed {
                return (out, false);
            }
        }
    }
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

    /// The socket folder when the server is reached through a Unix socket on this computer
    /// (`host=/var/run/postgresql`, or `%2Fvar%2Frun%2Fpostgresql` as the URL's host). Such a
    /// connection never leaves the computer and, as libpq does, goes without TLS.
    pub fn socket(&self) -> Option<String> {
        let config: tokio_postgres::Config = self.url.without_sslmode().parse().ok()?;
        let mut folders = Vec::new();
        for host in config.get_hosts() {
            match host {
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(path) => {
                    folders.push(path.display().to_string());
                }
                _ => return None,
            }
        }
        (!folders.is_empty()).then(|| folders.join(","))
    }

    /// The mode in force: none over a Unix socket ([`Self::socket`]); else the configured one,
    /// else the URL's, else verify-full.
    pub fn mode(&self) -> Result<SslMode, String> {
        if self.socket().is_some() {
            return Ok(SslMode::Disable);
        }
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

    /// Quotes, escapes and spaces as libpq and the driver read them: the password is masked
    /// whole, and cutting `sslmode` out leaves every other value byte for byte.
    #[test]
    fn key_value_strings_are_read_as_the_driver_reads_them() {
        let cases = [
            (
                r"host=db user=ana password='it\'s  a pw' sslmode=disable",
                "it's  a pw",
                "host=db user=ana password='••••••••' sslmode=disable",
            ),
            (
                r"host=db password = s3\ cret user=ana",
                "s3 cret",
                "host=db password = •••••••• user=ana",
            ),
            (
                "sslmode=require password='x=y' host=/var/run/postgresql",
                "x=y",
                "sslmode=require password='••••••••' host=/var/run/postgresql",
            ),
        ];
        for (text, password, expected) in cases {
            let driver: tokio_postgres::Config =
                text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(driver.get_password(), Some(password.as_bytes()), "{text}");
            let url = TeamUrl::new(text);
            assert_eq!(url.shown(), expected, "{text}");
            assert!(!url.scrub(&format!("said {password}")).contains(password));
            let cut: tokio_postgres::Config = url.without_sslmode().parse().unwrap();
            assert_eq!(cut.get_password(), Some(password.as_bytes()), "{text}");
            assert_eq!(cut.get_hosts(), driver.get_hosts(), "{text}");
            assert!(!url.without_sslmode().contains("sslmode"), "{text}");
        }
        assert_eq!(
            TeamUrl::new(cases[0].0).sslmode().as_deref(),
            Some("disable")
        );
        assert_eq!(TeamUrl::new(cases[1].0).sslmode(), None);
        assert_eq!(
            TeamUrl::new(cases[2].0).sslmode().as_deref(),
            Some("require")
        );
        let socket = Target::new(TeamUrl::new(cases[2].0));
        assert_eq!(socket.socket().as_deref(), Some("/var/run/postgresql"));
        assert_eq!(socket.mode(), Ok(SslMode::Disable));
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

    /// Every way the driver takes a password from a URL: masked by `shown`, taken out by
    /// `scrub`, checked against tokio-postgres's own reading of the same text.
    #[test]
    fn the_password_never_shows_whatever_the_urls_shape() {
        let cases = [
            // The socket folder as the host: the `url` crate cannot read this one.
            (
                "postgresql://postgres:s3cret@%2Ftmp%2Fpgb:5432/team?sslmode=disable",
                "s3cret",
            ),
            // An empty host and the socket as a parameter (libpq's manual).
            (
                "postgresql://postgres:s3cret@/team?host=/var/run/postgresql&port=5432",
                "s3cret",
            ),
            // The password as a parameter, percent-encoded.
            (
                "postgres://ana@db.example/team?password=s3cr%26et&sslmode=require",
                "s3cr&et",
            ),
            // Unencoded `/` and `?` in the password: the user info runs to the first `@`.
            ("postgres://ana:p/w?x@db.example/team", "p/w?x"),
        ];
        for (text, password) in cases {
            let driver: tokio_postgres::Config =
                text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(driver.get_password(), Some(password.as_bytes()), "{text}");
            let url = TeamUrl::new(text);
            let shown = url.shown();
            assert!(!shown.contains(password), "{text} → {shown}");
            assert!(shown.contains(MASK), "{text} → {shown}");
            assert!(!format!("{url:?}").contains(password), "{text}");
            let said = url.scrub(&format!("the server said: no ({password}) for {text}"));
            assert!(!said.contains(password), "{said}");
        }
        // A scheme the driver refuses (upper case) is still masked in the error that says so.
        let url = TeamUrl::new("POSTGRES://ana:Upper-Pw@db.example/team");
        assert!(!url.shown().contains("Upper-Pw"), "{}", url.shown());
        // What is not the password stays as written.
        let url =
            TeamUrl::new("postgresql://ana:pw@/team?host=/var/run/postgresql&sslmode=require");
        assert_eq!(
            url.shown(),
            format!("postgresql://ana:{MASK}@/team?host=/var/run/postgresql&sslmode=require")
        );
        assert_eq!(url.sslmode().as_deref(), Some("require"));
        assert_eq!(
            url.without_sslmode(),
            "postgresql://ana:pw@/team?host=/var/run/postgresql"
        );
        let t = Target::new(url);
        assert_eq!(t.socket().as_deref(), Some("/var/run/postgresql"));
        assert_eq!(t.mode(), Ok(SslMode::Disable));
        assert_eq!(
            TeamUrl::new("postgres://h/db?sslmode=disable").without_sslmode(),
            "postgres://h/db"
        );
        assert_eq!(
            Target::new(TeamUrl::new("postgres://db.example/team")).socket(),
            None
        );
    }

    /// Shapes a person may paste that are not a PostgreSQL URL the driver reads, or that put
    /// `@` where it is not expected: none of them shows the password, anywhere.
    #[test]
    fn odd_shapes_never_show_the_password() {
        let cases = [
            "postgresql+psycopg2://ana:Hunter2Pw@127.0.0.1:1/team",
            "jdbc:postgresql://127.0.0.1:1/team?user=ana&password=Hunter2Pw",
            "DATABASE_URL=postgres://ana:Hunter2Pw@127.0.0.1:1/team",
            "\u{feff}postgres://ana:Hunter2Pw@127.0.0.1:1/team",
            "postgres:/ana:Hunter2Pw@127.0.0.1:1/team",
            "host=127.0.0.1 application_name=my app password=Hunter2Pw",
            "host=127.0.0.1 passwd=Hunter2Pw",
            "postgres://ana@myserver:Hunter2Pw@127.0.0.1:1/team?sslmode=disable",
            "postgres://ana@127.0.0.1:1/team?passwd=Hunter2Pw",
            "postgres://ana:Hunter2Pw@dor&3@127.0.0.1:1/team",
        ];
        for text in cases {
            let url = TeamUrl::new(text);
            let shown = url.shown();
            assert!(
                !shown.contains("Hunter2Pw") && !shown.contains("dor&3"),
                "{text} → {shown}"
            );
            let said = url.scrub(&format!("the server said no to {text}"));
            assert!(!said.contains("Hunter2Pw"), "{said}");
            assert!(!format!("{url:?}").contains("Hunter2Pw"), "{text}");
        }
        // Readable ones keep what is not secret.
        assert_eq!(
            TeamUrl::new("postgres://ana@myserver:Hunter2Pw@127.0.0.1:1/team").shown(),
            format!("postgres://ana@myserver:{MASK}@127.0.0.1:1/team")
        );
        assert_eq!(TeamUrl::new(cases[0]).shown(), UNREADABLE);
        assert_eq!(
            TeamUrl::new("host=127.0.0.1 passwd=Hunter2Pw").shown(),
            format!("host=127.0.0.1 passwd={MASK}")
        );
    }
}
