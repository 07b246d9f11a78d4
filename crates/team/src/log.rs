//! The team log on a live connection: add rows (idempotently, by UUID), complete them once, and
//! the reads the duplicate guard and `history --team` need. Opened only on a database whose
//! schema this program knows ([`crate::migrations::check`]).

use futures::future::try_join_all;
use tokio_postgres::types::{ToSql, Type};
use uuid::Uuid;

use crate::error::TeamError;
use crate::row::TeamRow;
use crate::url::Target;

/// The columns a completion sets (the writer role may update these and no others).
pub const RESULT_COLUMNS: &[&str] = &[
    "state",
    "sent_ms",
    "completed_ms",
    "http_status",
    "latency_ms",
    "verified",
    "resolved_call_id",
    "message",
    "response_body",
    "response_truncated",
    "response_cap",
];

const COLUMNS: &str = "uuid, operator, session, profile, base_url, agent, target, target_kind, \
    preference, outcome, value, metadata, method, url, body, state, created_ms, sent_ms, \
    completed_ms, http_status, latency_ms, verified, resolved_call_id, message, response_body, \
    response_truncated, response_cap, batch_line, pinned_call";

/// [`COLUMNS`] as they are read back: each text cut to a length our own rows never reach, so a
/// row written by someone else (a 50 MB answer, a 1 MB name) costs a page no more memory than
/// ours do. A cut answer says so (`response_truncated`), as one cut by the client does.
const READ_COLUMNS: &str = "uuid, left(operator, 1024), left(session, 1024), left(profile, 1024), \
    left(base_url, 4096), left(agent, 1024), left(target, 1024), left(target_kind, 16), \
    left(preference, 16), left(outcome, 1024), left(value, 1024), left(metadata, 262144), \
    left(method, 16), left(url, 8192), left(body, 262144), left(state, 32), created_ms, sent_ms, \
    completed_ms, http_status, latency_ms, verified, left(resolved_call_id, 1024), \
    left(message, 65536), left(response_body, 1048576), \
    response_truncated OR coalesce(length(response_body), 0) > 1048576, response_cap, batch_line, \
    left(pinned_call, 1024)";

const INSERT: &str = "INSERT INTO phonely.updates (uuid, operator, session, profile, base_url, \
    agent, target, target_kind, preference, outcome, value, metadata, method, url, body, state, \
    created_ms, sent_ms, completed_ms, http_status, latency_ms, verified, resolved_call_id, \
    message, response_body, response_truncated, response_cap, batch_line, pinned_call) VALUES \
    ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
    $21, $22, $23, $24, $25, $26, $27, $28, $29) ON CONFLICT (uuid) DO NOTHING";

/// The types of [`COLUMNS`], in order: statements that name them are sent with their types
/// (`execute_typed`, binary `COPY`), so the server needs no round trip to describe them first.
const TYPES: [Type; 29] = [
    Type::UUID,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT4,
    Type::INT8,
    Type::BOOL,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::BOOL,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
];

/// What `history --team` asks for.
#[derive(Debug, Default)]
pub struct Query<'a> {
    pub operator: Option<&'a str>,
    pub agent: Option<&'a str>,
    pub target: Option<&'a str>,
    pub limit: i64,
}

/// A connection to a team log on the schema this program writes.
pub struct TeamLog {
    client: tokio_postgres::Client,
    target: Target,
    version: i32,
}

impl std::fmt::Debug for TeamLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamLog")
            .field("target", &self.target)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl TeamLog {
    /// Connects and checks the schema: a database without a team log, or on another schema
    /// version, is refused before anything is written.
    pub async fn open(target: &Target) -> Result<Self, TeamError> {
        let client = crate::connect::connect(target).await?;
        let version = crate::migrations::check(&client).await?;
        Ok(TeamLog {
            client,
            target: target.clone(),
            version,
        })
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    fn fail(&self, e: &tokio_postgres::Error) -> TeamError {
        TeamError::from_driver(e, &self.target.url, &self.target.url.shown())
    }

    /// Adds a row (in whatever state it is). Returns false when the UUID was there already: a
    /// retry or a re-push records nothing twice.
    /// One round trip: the statement goes with its parameters' types (`execute_typed`), not
    /// prepared first.
    pub async fn insert(&self, row: &TeamRow) -> Result<bool, TeamError> {
        let typed: Vec<(&(dyn ToSql + Sync), Type)> = params(row).into_iter().zip(TYPES).collect();
        let n = self
            .client
            .execute_typed(INSERT, &typed)
            .await
            .map_err(|e| self.fail(&e))?;
        Ok(n == 1)
    }

    /// Adds many rows in one transaction, pipelined (one round trip's wait, not one per row).
    /// Returns how many were new.
    pub async fn insert_many(&mut self, rows: &[TeamRow]) -> Result<u64, TeamError> {
        let url = self.target.url.clone();
        let shown = url.shown();
        let fail = |e: &tokio_postgres::Error| TeamError::from_driver(e, &url, &shown);
        let tx = self.client.transaction().await.map_err(|e| fail(&e))?;
        let statement = tx.prepare(INSERT).await.map_err(|e| fail(&e))?;
        let all: Vec<_> = rows.iter().map(params).collect();
        let counts = try_join_all(all.iter().map(|p| tx.execute(&statement, p)))
            .await
            .map_err(|e| fail(&e))?;
        tx.commit().await.map_err(|e| fail(&e))?;
        Ok(counts.iter().sum())
    }

    /// Adds many rows with one binary `COPY` in one transaction (a batch run's rows: far less
    /// work for the server than a statement per row). `COPY` cannot skip a UUID already there,
    /// so when one is (the rows were sent before and the answer was lost), the transaction is
    /// rolled back and the rows go in with [`Self::insert_many`], which skips it. Returns how
    /// many were new.
    pub async fn copy_in(&mut self, rows: &[TeamRow]) -> Result<u64, TeamError> {
        if rows.is_empty() {
            return Ok(0);
        }
        match self.copy_once(rows).await {
            Ok(n) => Ok(n),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                self.insert_many(rows).await
            }
            Err(e) => Err(self.fail(&e)),
        }
    }

    async fn copy_once(&mut self, rows: &[TeamRow]) -> Result<u64, tokio_postgres::Error> {
        let tx = self.client.transaction().await?;
        let sink = tx
            .copy_in(&format!(
                "COPY phonely.updates ({COLUMNS}) FROM STDIN (FORMAT binary)"
            ))
            .await?;
        let writer = tokio_postgres::binary_copy::BinaryCopyInWriter::new(sink, &TYPES);
        let mut writer = std::pin::pin!(writer);
        for row in rows {
            writer.as_mut().write(&params(row)).await?;
        }
        let n = writer.finish().await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Sets the result of a pending row: once, by the operator (and database user) who added
    /// it. Completing again with the same result is accepted (a completion pushed twice).
    pub async fn complete(&self, row: &TeamRow) -> Result<(), TeamError> {
        let sql = "UPDATE phonely.updates SET state = $3, sent_ms = $4, completed_ms = $5, \
             http_status = $6, latency_ms = $7, verified = $8, resolved_call_id = $9, \
             message = $10, response_body = $11, response_truncated = $12, response_cap = $13 \
             WHERE uuid = $1 AND operator = $2 AND state = 'pending'";
        // Typed, so one round trip (not prepared first).
        let result = self
            .client
            .execute_typed(
                sql,
                &[
                    (&row.uuid, Type::UUID),
                    (&row.operator, Type::TEXT),
                    (&row.state, Type::TEXT),
                    (&row.sent_ms, Type::INT8),
                    (&row.completed_ms, Type::INT8),
                    (&row.http_status, Type::INT4),
                    (&row.latency_ms, Type::INT8),
                    (&row.verified, Type::BOOL),
                    (&row.resolved_call_id, Type::TEXT),
                    (&row.message, Type::TEXT),
                    (&row.response_body, Type::TEXT),
                    (&row.response_truncated, Type::BOOL),
                    (&row.response_cap, Type::INT8),
                ],
            )
            .await;
        match result {
            Ok(1) => Ok(()),
            Ok(_) => match self.get(row.uuid).await? {
                None => Err(TeamError::NotFound(row.uuid)),
                Some(there) if there.operator != row.operator => Err(TeamError::NotYours {
                    uuid: row.uuid,
                    owner: there.operator,
                }),
                Some(there) if there.same_result(row) => Ok(()),
                Some(_) => Err(TeamError::AlreadyCompleted(row.uuid)),
            },
            Err(e) => {
                let code = e.as_db_error().map(|d| d.code().code().to_string());
                match code.as_deref() {
                    Some("PH001") => Err(TeamError::AlreadyCompleted(row.uuid)),
                    Some("PH002") => {
                        let owner = match self.get(row.uuid).await {
                            Ok(Some(r)) => r.operator,
                            _ => "another operator".to_string(),
                        };
                        Err(TeamError::NotYours {
                            uuid: row.uuid,
                            owner,
                        })
                    }
                    _ => Err(self.fail(&e)),
                }
            }
        }
    }

    /// One row by its UUID.
    pub async fn get(&self, uuid: Uuid) -> Result<Option<TeamRow>, TeamError> {
        let rows = self
            .client
            .query(
                &format!("SELECT {READ_COLUMNS} FROM phonely.updates WHERE uuid = $1"),
                &[&uuid],
            )
            .await
            .map_err(|e| self.fail(&e))?;
        rows.first().map(from_pg).transpose()
    }

    /// The newest ✓ update of exactly this (`url` and `body`) to one agent and target between
    /// `since_ms` and `until_ms` (a row dated in the future, by a wrong clock or on purpose, must
    /// not stand in for the real last one): the duplicate guard's question, asked in one round
    /// trip (typed, not prepared first) and answered with one row (index
    /// `updates_agent_target_created`).
    pub async fn same_ok(
        &self,
        agent: &str,
        target: &str,
        url: &str,
        body: &str,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<Option<TeamRow>, TeamError> {
        let rows = self
            .client
            .query_typed(
                &format!(
                    "SELECT {READ_COLUMNS} FROM phonely.updates WHERE agent = $1 AND target = $2 \
                     AND created_ms >= $3 AND created_ms <= $6 AND state = 'ok' AND url = $4 \
                     AND body = $5 ORDER BY created_ms DESC LIMIT 1"
                ),
                &[
                    (&agent, Type::TEXT),
                    (&target, Type::TEXT),
                    (&since_ms, Type::INT8),
                    (&url, Type::TEXT),
                    (&body, Type::TEXT),
                    (&until_ms, Type::INT8),
                ],
            )
            .await
            .map_err(|e| self.fail(&e))?;
        rows.first().map(from_pg).transpose()
    }

    /// The updates for one agent and target since `since_ms`, newest first (the duplicate
    /// guard; index `updates_agent_target_created`).
    pub async fn recent(
        &self,
        agent: &str,
        target: &str,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<TeamRow>, TeamError> {
        self.select(
            "WHERE agent = $1 AND target = $2 AND created_ms >= $3 ORDER BY created_ms DESC LIMIT $4",
            &[&agent, &target, &since_ms, &limit],
        )
        .await
    }

    /// Every update on a call, by its id as typed or as the server resolved it, newest first.
    pub async fn by_call(&self, call_id: &str, limit: i64) -> Result<Vec<TeamRow>, TeamError> {
        self.select(
            "WHERE target = $1 OR resolved_call_id = $1 ORDER BY created_ms DESC LIMIT $2",
            &[&call_id, &limit],
        )
        .await
    }

    /// The newest updates (of one operator, if named), newest first, before `before_ms`.
    pub async fn page(
        &self,
        operator: Option<&str>,
        before_ms: i64,
        limit: i64,
    ) -> Result<Vec<TeamRow>, TeamError> {
        match operator {
            Some(op) => {
                self.select(
                    "WHERE operator = $1 AND created_ms < $2 ORDER BY created_ms DESC LIMIT $3",
                    &[&op, &before_ms, &limit],
                )
                .await
            }
            None => {
                self.select(
                    "WHERE created_ms < $1 ORDER BY created_ms DESC LIMIT $2",
                    &[&before_ms, &limit],
                )
                .await
            }
        }
    }

    /// The newest updates matching every given filter (`history --team`), newest first: an
    /// operator, an agent, a target (a call id also matches the id the server resolved).
    pub async fn search(&self, q: &Query<'_>) -> Result<Vec<TeamRow>, TeamError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(op) = &q.operator {
            params.push(op);
            clauses.push(format!("operator = ${}", params.len()));
        }
        if let Some(agent) = &q.agent {
            params.push(agent);
            clauses.push(format!("agent = ${}", params.len()));
        }
        if let Some(target) = &q.target {
            params.push(target);
            let n = params.len();
            clauses.push(format!("(target = ${n} OR resolved_call_id = ${n})"));
        }
        params.push(&q.limit);
        let limit = params.len();
        let rest = format!(
            "{} ORDER BY created_ms DESC LIMIT ${limit}",
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            }
        );
        self.select(&rest, &params).await
    }

    /// A page of the updates matching `filter` (and `operator`), newest first, after `after`
    /// (the last row of the page before): `history --team` and the workbench's Team view.
    /// [`crate::search`] makes the SQL.
    pub async fn find(
        &self,
        filter: &phonely_core::filter::Filter,
        operator: Option<&str>,
        after: Option<crate::search::Cursor>,
        limit: i64,
    ) -> Result<Vec<TeamRow>, TeamError> {
        let sql = crate::search::to_sql(filter, operator, after);
        let mut params = sql.refs();
        params.push(&limit);
        let rest = format!(
            "WHERE {} ORDER BY created_ms DESC, uuid DESC LIMIT ${}",
            sql.where_clause,
            params.len()
        );
        self.select(&rest, &params).await
    }

    /// The plan PostgreSQL runs for [`TeamLog::find`] (EXPLAIN (ANALYZE, BUFFERS)), for the
    /// scale measurements.
    pub async fn explain_find(
        &self,
        filter: &phonely_core::filter::Filter,
        operator: Option<&str>,
        limit: i64,
    ) -> Result<String, TeamError> {
        let sql = crate::search::to_sql(filter, operator, None);
        let mut params = sql.refs();
        params.push(&limit);
        let text = format!(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT {READ_COLUMNS} FROM phonely.updates WHERE {} \
             ORDER BY created_ms DESC, uuid DESC LIMIT ${}",
            sql.where_clause,
            params.len()
        );
        self.explain(&text, &params).await
    }

    /// EXPLAIN output of any statement, one plan line per line.
    pub async fn explain(
        &self,
        statement: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<String, TeamError> {
        let rows = self
            .client
            .query(statement, params)
            .await
            .map_err(|e| self.fail(&e))?;
        let lines: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<_, String>(0).ok())
            .collect();
        Ok(lines.join("\n"))
    }

    /// How many rows the log holds.
    pub async fn count(&self) -> Result<i64, TeamError> {
        let row = self
            .client
            .query_one("SELECT count(*) FROM phonely.updates", &[])
            .await
            .map_err(|e| self.fail(&e))?;
        Ok(row.get(0))
    }

    async fn select(
        &self,
        rest: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<TeamRow>, TeamError> {
        let rows = self
            .client
            .query(
                &format!("SELECT {READ_COLUMNS} FROM phonely.updates {rest}"),
                params,
            )
            .await
            .map_err(|e| self.fail(&e))?;
        rows.iter().map(from_pg).collect()
    }
}

fn params(r: &TeamRow) -> Vec<&(dyn ToSql + Sync)> {
    vec![
        &r.uuid,
        &r.operator,
        &r.session,
        &r.profile,
        &r.base_url,
        &r.agent,
        &r.target,
        &r.target_kind,
        &r.preference,
        &r.outcome,
        &r.value,
        &r.metadata,
        &r.method,
        &r.url,
        &r.body,
        &r.state,
        &r.created_ms,
        &r.sent_ms,
        &r.completed_ms,
        &r.http_status,
        &r.latency_ms,
        &r.verified,
        &r.resolved_call_id,
        &r.message,
        &r.response_body,
        &r.response_truncated,
        &r.response_cap,
        &r.batch_line,
        &r.pinned_call,
    ]
}

fn from_pg(row: &tokio_postgres::Row) -> Result<TeamRow, TeamError> {
    let bad = |e: tokio_postgres::Error| {
        TeamError::Database(format!("a row of the team log could not be read: {e}"))
    };
    Ok(TeamRow {
        uuid: row.try_get(0).map_err(bad)?,
        operator: row.try_get(1).map_err(bad)?,
        session: row.try_get(2).map_err(bad)?,
        profile: row.try_get(3).map_err(bad)?,
        base_url: row.try_get(4).map_err(bad)?,
        agent: row.try_get(5).map_err(bad)?,
        target: row.try_get(6).map_err(bad)?,
        target_kind: row.try_get(7).map_err(bad)?,
        preference: row.try_get(8).map_err(bad)?,
        outcome: row.try_get(9).map_err(bad)?,
        value: row.try_get(10).map_err(bad)?,
        metadata: row.try_get(11).map_err(bad)?,
        method: row.try_get(12).map_err(bad)?,
        url: row.try_get(13).map_err(bad)?,
        body: row.try_get(14).map_err(bad)?,
        state: row.try_get(15).map_err(bad)?,
        created_ms: row.try_get(16).map_err(bad)?,
        sent_ms: row.try_get(17).map_err(bad)?,
        completed_ms: row.try_get(18).map_err(bad)?,
        http_status: row.try_get(19).map_err(bad)?,
        latency_ms: row.try_get(20).map_err(bad)?,
        verified: row.try_get(21).map_err(bad)?,
        resolved_call_id: row.try_get(22).map_err(bad)?,
        message: row.try_get(23).map_err(bad)?,
        response_body: row.try_get(24).map_err(bad)?,
        response_truncated: row.try_get(25).map_err(bad)?,
        response_cap: row.try_get(26).map_err(bad)?,
        batch_line: row.try_get(27).map_err(bad)?,
        pinned_call: row.try_get(28).map_err(bad)?,
    })
}
