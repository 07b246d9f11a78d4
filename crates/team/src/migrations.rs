//! The team log's schema: numbered, append-only migrations in the `phonely` schema, recorded in
//! `phonely.schema_version`. [`check`] runs at every connect and refuses a database on a newer
//! schema (never written); [`migrate`] applies what is missing, each migration in one
//! transaction under an advisory lock; [`init_sql`] is the same SQL for a database administrator,
//! with the role the tool's users get.

use std::fmt::Write as _;

use crate::error::TeamError;

/// One migration: its statements, run in order in one transaction.
pub type Migration = &'static [&'static str];

/// Numbered migrations; index + 1 is the schema version. Append only: never edit or drop one.
pub const MIGRATIONS: &[Migration] = &[
    // 1: the log itself. One row per update, keyed by the UUID the client made, so a retry or a
    // re-push cannot record it twice. The same fields the local history keeps (never the key),
    // the operator's name and the database user who wrote it.
    &[r"CREATE TABLE phonely.updates (
    uuid               uuid PRIMARY KEY,
    operator           text NOT NULL,
    db_user            text NOT NULL DEFAULT current_user,
    session            text NOT NULL,
    profile            text NOT NULL,
    base_url           text NOT NULL,
    agent              text NOT NULL,
    target             text NOT NULL,
    target_kind        text NOT NULL CHECK (target_kind IN ('call', 'phone')),
    preference         text CHECK (preference IN ('first', 'last')),
    outcome            text,
    value              text,
    metadata           text,
    method             text NOT NULL,
    url                text NOT NULL,
    body               text NOT NULL,
    state              text NOT NULL CHECK (state IN
                         ('pending', 'ok', 'unconfirmed', 'refused', 'network_error', 'cancelled', 'unknown')),
    created_ms         bigint NOT NULL,
    sent_ms            bigint,
    completed_ms       bigint,
    http_status        integer,
    latency_ms         bigint,
    verified           boolean NOT NULL DEFAULT false,
    resolved_call_id   text,
    message            text,
    response_body      text,
    response_truncated boolean NOT NULL DEFAULT false,
    response_cap       bigint,
    batch_line         bigint,
    inserted_at        timestamptz NOT NULL DEFAULT now()
)"],
    // 2: append-only, enforced by the server: a row may be completed once (pending → a final
    // state), only by the database user who wrote it, and only its result columns change.
    &[
        r"CREATE FUNCTION phonely.guard_completion() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF OLD.state <> 'pending' THEN
        RAISE EXCEPTION 'update % was completed already', OLD.uuid USING ERRCODE = 'PH001';
    END IF;
    IF OLD.db_user <> current_user THEN
        RAISE EXCEPTION 'update % belongs to % (database user %)', OLD.uuid, OLD.operator, OLD.db_user
            USING ERRCODE = 'PH002';
    END IF;
    IF NEW.state = 'pending' THEN
        RAISE EXCEPTION 'completing update % needs a final state', OLD.uuid USING ERRCODE = 'PH003';
    END IF;
    IF (NEW.uuid, NEW.operator, NEW.db_user, NEW.session, NEW.profile, NEW.base_url, NEW.agent,
        NEW.target, NEW.target_kind, NEW.preference, NEW.outcome, NEW.value, NEW.metadata,
        NEW.method, NEW.url, NEW.body, NEW.created_ms, NEW.batch_line, NEW.inserted_at)
       IS DISTINCT FROM
       (OLD.uuid, OLD.operator, OLD.db_user, OLD.session, OLD.profile, OLD.base_url, OLD.agent,
        OLD.target, OLD.target_kind, OLD.preference, OLD.outcome, OLD.value, OLD.metadata,
        OLD.method, OLD.url, OLD.body, OLD.created_ms, OLD.batch_line, OLD.inserted_at) THEN
        RAISE EXCEPTION 'only the result of update % may be set', OLD.uuid USING ERRCODE = 'PH003';
    END IF;
    RETURN NEW;
END
$fn$",
        r"CREATE TRIGGER updates_guard_completion BEFORE UPDATE ON phonely.updates
    FOR EACH ROW EXECUTE FUNCTION phonely.guard_completion()",
        r"CREATE FUNCTION phonely.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the team log is append-only: rows are never deleted' USING ERRCODE = 'PH004';
END
$fn$",
        r"CREATE TRIGGER updates_refuse_delete BEFORE DELETE ON phonely.updates
    FOR EACH ROW EXECUTE FUNCTION phonely.refuse_delete()",
    ],
    // 3: the indexes the reads need: the duplicate check (agent + target, newest first), a call
    // by its id (as typed or as the server resolved it), an operator's own rows, the Team view.
    &[
        "CREATE INDEX updates_agent_target_created ON phonely.updates (agent, target, created_ms DESC)",
        "CREATE INDEX updates_resolved_call ON phonely.updates (resolved_call_id) WHERE resolved_call_id IS NOT NULL",
        "CREATE INDEX updates_target ON phonely.updates (target)",
        "CREATE INDEX updates_operator_created ON phonely.updates (operator, created_ms DESC)",
        "CREATE INDEX updates_created ON phonely.updates (created_ms DESC)",
    ],
    // 4: `send --pin` (the local history's schema 6): the call a phone target was pinned to,
    // set when the row is added and never changed after (the guard now says so too).
    &[
        "ALTER TABLE phonely.updates ADD COLUMN pinned_call text",
        r"CREATE OR REPLACE FUNCTION phonely.guard_completion() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF OLD.state <> 'pending' THEN
        RAISE EXCEPTION 'update % was completed already', OLD.uuid USING ERRCODE = 'PH001';
    END IF;
    IF OLD.db_user <> current_user THEN
        RAISE EXCEPTION 'update % belongs to % (database user %)', OLD.uuid, OLD.operator, OLD.db_user
            USING ERRCODE = 'PH002';
    END IF;
    IF NEW.state = 'pending' THEN
        RAISE EXCEPTION 'completing update % needs a final state', OLD.uuid USING ERRCODE = 'PH003';
    END IF;
    IF (NEW.uuid, NEW.operator, NEW.db_user, NEW.session, NEW.profile, NEW.base_url, NEW.agent,
        NEW.target, NEW.target_kind, NEW.preference, NEW.outcome, NEW.value, NEW.metadata,
        NEW.method, NEW.url, NEW.body, NEW.created_ms, NEW.batch_line, NEW.inserted_at,
        NEW.pinned_call)
       IS DISTINCT FROM
       (OLD.uuid, OLD.operator, OLD.db_user, OLD.session, OLD.profile, OLD.base_url, OLD.agent,
        OLD.target, OLD.target_kind, OLD.preference, OLD.outcome, OLD.value, OLD.metadata,
        OLD.method, OLD.url, OLD.body, OLD.created_ms, OLD.batch_line, OLD.inserted_at,
        OLD.pinned_call) THEN
        RAISE EXCEPTION 'only the result of update % may be set', OLD.uuid USING ERRCODE = 'PH003';
    END IF;
    RETURN NEW;
END
$fn$",
    ],
    // 5: words typed in the Team view's `/` (and `history --team --text`): a trigram index on
    // the text they are looked for in (`search::TEXT`, the very expression), so a call id typed
    // as a word in ten million rows is found through the index, not by reading them all.
    // pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner
    // may create it.
    &[
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        r"CREATE INDEX updates_text_trgm ON phonely.updates USING gin ((agent || E'\n' || target || E'\n' || coalesce(resolved_call_id, '') || E'\n' || coalesce(outcome, '') || E'\n' || coalesce(metadata, '')) gin_trgm_ops)",
    ],
    // 6: the planner's picture of that text. With the default statistics a rare word (a call
    // id) was guessed to match 16,000 of ten million rows, so the planner walked the time index
    // hoping for 100 soon and read all ten million (51 s); with 10,000 histogram entries it
    // guesses ~1,000 and asks the trigram index (1 ms). ANALYZE so it holds at once.
    &[
        "ALTER INDEX phonely.updates_text_trgm ALTER COLUMN 1 SET STATISTICS 10000",
        "ANALYZE phonely.updates",
    ],
];

/// The schema version this program writes.
pub fn latest() -> i32 {
    i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
}

const BOOTSTRAP: &[&str] = &[
    "CREATE SCHEMA IF NOT EXISTS phonely",
    "CREATE TABLE IF NOT EXISTS phonely.schema_version (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user
)",
];

/// The advisory lock key migrations hold (`phonely` in ASCII), so two `migrate`s never race.
const LOCK_KEY: i64 = 0x0070_686f_6e65_6c79;

/// The database's schema version: `None` when it has no team log. One round trip (a simple
/// query, nothing prepared): it runs at every connect, so a `send` pays it each time.
pub async fn version(client: &tokio_postgres::Client) -> Result<Option<i32>, TeamError> {
    use tokio_postgres::SimpleQueryMessage;
    use tokio_postgres::error::SqlState;
    let said =
        |e: &dyn std::fmt::Display| TeamError::Database(format!("the team database said: {e}"));
    let messages = match client
        .simple_query("SELECT max(version) FROM phonely.schema_version")
        .await
    {
        Ok(m) => m,
        // No table (or no schema): no team log here.
        Err(e)
            if matches!(
                e.code(),
                Some(&SqlState::UNDEFINED_TABLE | &SqlState::INVALID_SCHEMA_NAME)
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(said(&e)),
    };
    let text = messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(row) => Some(row.get(0)),
        _ => None,
    });
    match text {
        Some(Some(v)) => v
            .parse::<i32>()
            .map(Some)
            .map_err(|e| said(&format!("schema version {v:?}: {e}"))),
        // An empty table: a log whose first migration never finished.
        Some(None) | None => Ok(Some(0)),
    }
}

/// Refuses a database this program cannot write: no team log, an older schema (migrate first) or
/// a newer one (never written). Returns the version.
pub async fn check(client: &tokio_postgres::Client) -> Result<i32, TeamError> {
    let known = latest();
    match version(client).await? {
        None | Some(0) => Err(TeamError::NotSetUp),
        Some(found) if found > known => Err(TeamError::NewerSchema { found, known }),
        Some(found) if found < known => Err(TeamError::OlderSchema { found, known }),
        Some(found) => Ok(found),
    }
}

/// Applies the migrations the database lacks, up to `upto` (tests stop early to build an older
/// schema). A newer database is refused before anything is written. Returns (from, to).
pub async fn migrate_to(
    client: &mut tokio_postgres::Client,
    upto: i32,
) -> Result<(i32, i32), TeamError> {
    let db = |e: tokio_postgres::Error| TeamError::Database(describe(&e));
    let known = latest();
    match version(client).await? {
        Some(found) if found > known => return Err(TeamError::NewerSchema { found, known }),
        // Up to date: nothing to write (a role that may not create anything may run this).
        Some(found) if found >= upto => return Ok((found, found)),
        _ => {}
    }
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(db)?;
    for statement in BOOTSTRAP {
        tx.batch_execute(statement).await.map_err(db)?;
    }
    let from: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM phonely.schema_version",
            &[],
        )
        .await
        .map_err(db)?
        .get(0);
    if from > known {
        return Err(TeamError::NewerSchema { found: from, known });
    }
    let mut to = from;
    for (i, migration) in MIGRATIONS.iter().enumerate() {
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        if v <= from || v > upto {
            continue;
        }
        for statement in *migration {
            tx.batch_execute(statement).await.map_err(db)?;
        }
        tx.execute(
            "INSERT INTO phonely.schema_version (version) VALUES ($1)",
            &[&v],
        )
        .await
        .map_err(db)?;
        to = v;
    }
    tx.commit().await.map_err(db)?;
    Ok((from, to))
}

/// [`migrate_to`] the latest version.
pub async fn migrate(client: &mut tokio_postgres::Client) -> Result<(i32, i32), TeamError> {
    migrate_to(client, latest()).await
}

/// A server's refusal in words (`permission denied for schema public` and the like).
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) if db.code() == &tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE => {
            format!(
                "the team database refused: {} (migrating needs the database owner or an \
             administrator; they can run the SQL from `phonely-outcomes team init-sql`)",
                db.message()
            )
        }
        Some(db) => format!("the team database said: {}", db.message()),
        None => format!("the team database could not be used: {e}"),
    }
}

/// The name of the role init-sql creates: it may read and add rows, and complete its own.
pub const WRITER_ROLE: &str = "phonely_writer";

/// The SQL a database administrator runs (with psql, as the database's owner) to create or
/// upgrade the team log and the role its users get. Safe to run again: what exists is kept.
pub fn init_sql() -> String {
    let mut out = String::new();
    out.push_str(
        "-- The team log of phonely-outcomes: schema, migrations and the role its users get.\n\
         -- Run as the database's owner:  psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f team.sql\n\
         -- Safe to run again; it brings an older team log up to date and changes nothing else.\n\
         BEGIN;\n",
    );
    let _ = writeln!(out, "SELECT pg_advisory_xact_lock({LOCK_KEY});");
    for s in BOOTSTRAP {
        out.push_str(s);
        out.push_str(";\n");
    }
    let _ = write!(
        out,
        "DO $do$\nBEGIN\n    IF (SELECT coalesce(max(version), 0) FROM phonely.schema_version) > {} THEN\n        \
         RAISE EXCEPTION 'this team log is on a newer schema than this SQL knows ({}); nothing was changed';\n    \
         END IF;\nEND\n$do$;\n",
        latest(),
        latest()
    );
    for (i, migration) in MIGRATIONS.iter().enumerate() {
        let v = i + 1;
        let _ = write!(
            out,
            "\n-- migration {v}\nDO $do$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM phonely.schema_version WHERE version = {v}) THEN\n"
        );
        for statement in *migration {
            let _ = writeln!(out, "        EXECUTE $m${statement}$m$;");
        }
        let _ = write!(
            out,
            "        INSERT INTO phonely.schema_version (version) VALUES ({v});\n    END IF;\nEND\n$do$;\n"
        );
    }
    let _ = write!(
        out,
        "\n-- The role for the people who use the tool: read, add, and complete their own pending rows.\n\
         -- No DELETE, no TRUNCATE: the log is append-only.\n\
         DO $do$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN\n        \
         CREATE ROLE {WRITER_ROLE} NOLOGIN;\n    END IF;\nEND\n$do$;\n\
         GRANT USAGE ON SCHEMA phonely TO {WRITER_ROLE};\n\
         GRANT SELECT ON phonely.schema_version TO {WRITER_ROLE};\n\
         GRANT SELECT, INSERT ON phonely.updates TO {WRITER_ROLE};\n\
         GRANT UPDATE ({}) ON phonely.updates TO {WRITER_ROLE};\n\
         COMMIT;\n\
         \n-- Then one login per person (their name is recorded as db_user with each row):\n\
         --   CREATE ROLE ana LOGIN PASSWORD '…' IN ROLE {WRITER_ROLE};\n",
        crate::log::RESULT_COLUMNS.join(", ")
    );
    out
}
