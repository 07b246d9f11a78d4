//! What can go wrong with the team log, in words for support staff. No message holds the URL's
//! password: driver errors pass through [`crate::TeamUrl::scrub`].

use crate::url::TeamUrl;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// The settings are wrong (URL, sslmode, CA file): fixing the config fixes it.
    #[error("{0}")]
    Config(String),
    /// The server could not be reached or refused the connection: the team log is offline.
    #[error("{0}")]
    Offline(String),
    /// The server refused the login (wrong user or password, no access to the database).
    #[error("{0}")]
    Login(String),
    /// The database has no team log yet.
    #[error(
        "the team database has no team log yet: a database administrator runs the SQL from \
         `phonely-outcomes team init-sql`, or the owner runs `phonely-outcomes team migrate`"
    )]
    NotSetUp,
    /// The database is on a schema newer than this program knows: never written.
    #[error(
        "the team log's database is on schema version {found}, newer than this phonely-outcomes \
         knows (up to {known}); it was not changed. Install the newer phonely-outcomes your \
         colleagues use"
    )]
    NewerSchema { found: i32, known: i32 },
    /// The database is on an older schema: it needs `team migrate` first.
    #[error(
        "the team log's database is on schema version {found}; this phonely-outcomes needs {known}: \
         run `phonely-outcomes team migrate` (or ask the database administrator to run the SQL from \
         `phonely-outcomes team init-sql`)"
    )]
    OlderSchema { found: i32, known: i32 },
    /// Completing an update that was completed already.
    #[error("update {0} in the team log was completed already; it is not changed twice")]
    AlreadyCompleted(uuid::Uuid),
    /// Completing someone else's update.
    #[error("update {uuid} in the team log belongs to {owner}; only they can complete it")]
    NotYours { uuid: uuid::Uuid, owner: String },
    /// Completing an update the team log does not hold.
    #[error("update {0} is not in the team log")]
    NotFound(uuid::Uuid),
    /// The local outbox could not be read or written.
    #[error("{0}")]
    Outbox(String),
    /// Anything else the server said.
    #[error("{0}")]
    Database(String),
}

impl TeamError {
    /// True when waiting and trying again may help (the row then stays in the outbox).
    pub fn is_offline(&self) -> bool {
        matches!(self, TeamError::Offline(_))
    }

    /// A driver error made into words, the password scrubbed out.
    pub fn from_driver(e: &tokio_postgres::Error, url: &TeamUrl, shown: &str) -> Self {
        use tokio_postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            let said = url.scrub(db.message());
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                return TeamError::Login(format!(
                    "the team database at {shown} refused the login: {said} (check the user name \
                     and password in the team database URL)"
                ));
            }
            if *code == SqlState::INVALID_CATALOG_NAME {
                return TeamError::Login(format!(
                    "the team database at {shown} is not there: {said}"
                ));
            }
            if code.code().starts_with("57P") || code.code().starts_with("08") {
                return TeamError::Offline(format!("the team log at {shown} went away: {said}"));
            }
            return TeamError::Database(format!("the team database said: {said}"));
        }
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            let more = s.to_string();
            if !text.contains(&more) {
                text = format!("{text}: {more}");
            }
            source = s.source();
        }
        let text = url.scrub(&text);
        if text.contains("does not support TLS") {
            return TeamError::Config(format!(
                "the team database at {shown} does not offer TLS: set sslmode = \"disable\" in \
                 [team] if it is on this machine or a trusted network, or ask its administrator \
                 to turn TLS on"
            ));
        }
        if text.contains("certificate") || text.contains("TLS") || text.contains("tls") {
            return TeamError::Config(format!(
                "the team database at {shown} could not be trusted: {text} (set ca_file in [team] \
                 to the CA that signed the server's certificate)"
            ));
        }
        TeamError::Offline(format!("the team log at {shown} cannot be reached: {text}"))
    }
}
