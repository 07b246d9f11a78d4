//! The team log during one command (`send`): the `[team]` settings and the data folder made into
//! a [`TeamWriter`]. Each update gets a UUID; its pending row goes to the team log beside the
//! request and its result after (or both in one write when the answer came before the pending
//! row was written). When the team log cannot be reached (or its URL cannot
//! be read), the rows wait in the outbox (`team-outbox.sqlite` in the data folder) and the send
//! goes on: the local history has the update either way. Waiting rows go first, in order, the
//! next time the team log is reached.

use std::path::Path;

use phonely_team::outbox::{Kind, Outbox};
use phonely_team::writer::{TeamWriter, Written};
use phonely_team::{TeamRow, Uuid};

use crate::api::record::Record;
use crate::config::Config;

/// Which write: an update's pending row, its result, or both at once; or a batch's finished
/// rows together.
#[derive(Clone, Copy)]
enum Step {
    Pending,
    Complete,
    Finished,
    Batch,
}

/// The team log for this process: the writer, or only the outbox when the URL could not be read.
pub struct TeamSession {
    writer: Option<TeamWriter>,
    outbox: Option<Outbox>,
    operator: String,
    /// Why the last row waits instead of being in the team log.
    offline: Option<String>,
    /// This data folder's secret for batch rows' UUIDs ([`batch_row_uuid`]); `None` without an
    /// outbox (then batch rows are not logged at all: they could not wait either).
    salt: Option<[u8; 32]>,
}

impl TeamSession {
    /// `None` when the team log is not configured. Never fails: a problem becomes the reason
    /// rows wait ([`Self::status`]).
    pub async fn start(config: &Config, data_dir: &Path) -> Option<Self> {
        if !config.team.enabled() {
            return None;
        }
        let operator = &config.team.operator;
        let outbox = match open_outbox(data_dir) {
            Ok(o) => o,
            Err(e) => return Some(Self::offline(operator, None, e)),
        };
        Some(match config.team.resolve().await {
            Ok(url) => Self::writing(config.team.target(url), operator, outbox),
            Err(e) => Self::offline(operator, Some(outbox), e),
        })
    }

    /// The team log at `target` (already resolved), its outbox in `data_dir`: for the workbench
    /// and tests, which have the URL in hand. Never fails, as [`Self::start`].
    pub fn with_target(target: phonely_team::Target, operator: &str, data_dir: &Path) -> Self {
        match open_outbox(data_dir) {
            Ok(outbox) => Self::writing(target, operator, outbox),
            Err(e) => Self::offline(operator, None, e),
        }
    }

    fn writing(target: phonely_team::Target, operator: &str, outbox: Outbox) -> Self {
        let salt = outbox.row_id_salt();
        TeamSession {
            writer: Some(TeamWriter::new(target, outbox)),
            outbox: None,
            operator: operator.to_string(),
            offline: None,
            salt: salt.ok(),
        }
    }

    /// No writer: `why`, and the outbox when it could be opened.
    fn offline(operator: &str, outbox: Option<Outbox>, why: String) -> Self {
        let salt = outbox.as_ref().and_then(|o| o.row_id_salt().ok());
        TeamSession {
            writer: None,
            outbox,
            operator: operator.to_string(),
            offline: Some(why),
            salt,
        }
    }

    /// Logs in now (when the URL was read), so that the first write finds the connection open;
    /// `send` does this beside reading the key and opening the history. A failure is kept as
    /// the reason rows wait, like a failed write's.
    pub async fn connect(&mut self) {
        let Some(w) = self.writer.as_mut() else {
            return;
        };
        if let Err(e) = w.reader().await {
            if e.is_offline() {
                w.forget();
            }
            self.offline = Some(e.to_string());
        }
    }

    /// The operator recorded with each row.
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// Pushes the waiting rows now (the workbench, when the team log may be back). `true` when
    /// nothing waits any more.
    pub async fn push(&mut self) -> bool {
        let Some(w) = self.writer.as_mut() else {
            return false;
        };
        match w.push().await {
            Ok(p) if p.waiting == 0 => {
                self.offline = None;
                true
            }
            Ok(p) => {
                self.offline = Some(format!("{} still waiting", p.waiting));
                false
            }
            Err(e) => {
                self.offline = Some(e.to_string());
                false
            }
        }
    }

    /// A batch's finished rows (read back from its journal, or from the local history after
    /// `--resume`): each gets the UUID [`batch_row_uuid`] makes from it (the same every time,
    /// so logging a batch again records no row twice) and they go to the team log together
    /// (one `COPY`), not one round trip per row. When the team log cannot take them they wait
    /// in the outbox, as a send's do. Returns how many rows were logged or queued.
    pub async fn log_finished(&mut self, records: &[Record]) -> Result<usize, String> {
        let salt = self.salt.ok_or_else(|| {
            "the team outbox (which keeps batch rows' ids) cannot be used".to_string()
        })?;
        let rows: Vec<TeamRow> = records
            .iter()
            .map(|r| self.row(batch_row_uuid(&salt, r), r))
            .collect();
        self.write(Step::Batch, &rows).await.map(|()| records.len())
    }

    /// How many rows wait in the outbox (0 when none, or when it cannot be read).
    pub fn waiting(&self) -> i64 {
        self.writer
            .as_ref()
            .map(TeamWriter::outbox)
            .or(self.outbox.as_ref())
            .and_then(|o| o.waiting().ok())
            .unwrap_or(0)
    }

    /// A new update's UUID.
    pub fn new_uuid() -> Uuid {
        Uuid::new_v4()
    }

    fn row(&self, uuid: Uuid, record: &Record) -> TeamRow {
        TeamRow::from_record(uuid, &self.operator, record)
    }

    /// The update is recorded locally and about to leave: its pending row.
    pub async fn pending(&mut self, uuid: Uuid, record: &Record) {
        let row = self.row(uuid, record);
        let _ = self.write(Step::Pending, &[row]).await;
    }

    /// The request is over: its result.
    pub async fn complete(&mut self, uuid: Uuid, record: &Record) {
        let row = self.row(uuid, record);
        let _ = self.write(Step::Complete, &[row]).await;
    }

    /// The request was over before its pending row was written: the row and its result in one
    /// write (`record` is the completed one), instead of `pending` then `complete`.
    pub async fn finished(&mut self, uuid: Uuid, record: &Record) {
        let row = self.row(uuid, record);
        let _ = self.write(Step::Finished, &[row]).await;
    }

    /// Writes (or queues) the rows of one step; what happened becomes [`Self::status`]. Err
    /// (also logged) when they could not even be queued.
    async fn write(&mut self, step: Step, rows: &[TeamRow]) -> Result<(), String> {
        let result = if let Some(w) = self.writer.as_mut() {
            match (step, rows) {
                (Step::Pending, [row]) => w.pending(row).await,
                (Step::Complete, [row]) => w.complete(row).await,
                (Step::Finished, [row]) => w.finished(row).await,
                (_, rows) => w.insert_batch(rows).await,
            }
        } else if let Some(o) = &self.outbox {
            let kind = match step {
                Step::Complete => Kind::Complete,
                Step::Pending | Step::Finished | Step::Batch => Kind::Insert,
            };
            let why = self.offline.clone().unwrap_or_default();
            o.add_all(kind, rows).and_then(|()| {
                Ok(Written::Queued {
                    waiting: o.waiting()?,
                    why,
                })
            })
        } else {
            Err(self.offline.clone().unwrap_or_default())
        };
        let (what, waits) = match rows {
            [row] => (format!("update {}", row.uuid), "waits"),
            rows => (format!("{} batch rows", rows.len()), "wait"),
        };
        match result {
            Ok(Written::Logged) => {
                self.offline = None;
                Ok(())
            }
            Ok(Written::Queued { why, .. }) => {
                tracing::warn!("team log: {what} {waits} in the outbox: {why}");
                self.offline = Some(why);
                Ok(())
            }
            Err(e) => {
                tracing::error!("team log: {what} could not be queued: {e}");
                self.offline = Some(e.clone());
                Err(e)
            }
        }
    }

    /// The duplicate guard's question to the team log: did someone send exactly this (same URL
    /// and body) to this call with ✓ since `since_ms`? Names who and when: "Ana set Sold · 299
    /// on this call 3 minutes ago". `None` when not, or when the team log cannot be asked.
    pub async fn duplicate(
        &mut self,
        agent: &str,
        target: &str,
        url: &str,
        body: &str,
        since_ms: i64,
        now_ms: i64,
    ) -> Option<String> {
        let writer = self.writer.as_mut()?;
        let found = match writer.reader().await {
            // A minute of clock difference between colleagues' computers is allowed.
            Ok(log) => {
                log.same_ok(
                    agent,
                    target,
                    url,
                    body,
                    since_ms,
                    now_ms.saturating_add(60_000),
                )
                .await
            }
            Err(e) => Err(e),
        };
        let r = match found {
            Ok(r) => r?,
            Err(e) => {
                if e.is_offline() {
                    writer.forget();
                }
                tracing::warn!("team log: the duplicate check could not ask it: {e}");
                return None;
            }
        };
        // What was set is named from the body both sends share (it matched byte for byte), not
        // from the row's outcome and value columns, which its writer could have filled with
        // anything.
        let ours: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let set: Vec<String> = [
            ours["custom_call_outcome"].as_str().map(str::to_string),
            ours["custom_call_outcome_value"]
                .as_number()
                .map(ToString::to_string),
        ]
        .into_iter()
        .flatten()
        .collect();
        let what = if set.is_empty() {
            "the same update".to_string()
        } else {
            format!("set {}", set.join(" · "))
        };
        let who = if r.operator == self.operator {
            "you (in the team log)".to_string()
        } else {
            r.operator.clone()
        };
        Some(format!(
            "{who} {what} on this call {} (team log); this sends it again",
            ago(now_ms - r.created_ms)
        ))
    }

    /// Where the team log is, for a reader of its own (the workbench's Team view, so its
    /// searches never wait on or hold up the writes); why not, when the URL could not be read.
    pub fn target(&self) -> Result<phonely_team::Target, String> {
        match &self.writer {
            Some(w) => Ok(w.target().clone()),
            None => Err(self
                .offline
                .clone()
                .unwrap_or_else(|| "the team log's address could not be read".to_string())),
        }
    }

    /// The workbench's "last set here" line, from the team: the newest ✓ on this call by a
    /// colleague ("ana set Sold · 299 on this call 3 minutes ago"). `None` when there is none or
    /// the team log cannot be asked.
    pub async fn last_set_by_others(
        &mut self,
        agent: &str,
        target: &str,
        now_ms: i64,
    ) -> Option<String> {
        let writer = self.writer.as_mut()?;
        let found = match writer.reader().await {
            Ok(log) => log.recent(agent, target, 0, 20).await,
            Err(e) => Err(e),
        };
        let rows = match found {
            Ok(rows) => rows,
            Err(e) => {
                if e.is_offline() {
                    writer.forget();
                }
                tracing::warn!("team log: the call's last update could not be read: {e}");
                return None;
            }
        };
        let r = rows
            .iter()
            .find(|r| r.state == "ok" && r.operator != self.operator)?;
        let set: Vec<&str> = [r.outcome.as_deref(), r.value.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let what = if set.is_empty() {
            "updated this call".to_string()
        } else {
            format!("set {} on this call", set.join(" · "))
        };
        Some(format!(
            "{} {what} {}",
            r.operator,
            ago(now_ms - r.created_ms)
        ))
    }

    /// "team log offline: 3 waiting (…)" when rows wait; `None` when everything is in the log.
    pub fn status(&self) -> Option<String> {
        let why = self.offline.as_ref()?;
        let outbox = self
            .writer
            .as_ref()
            .map(TeamWriter::outbox)
            .or(self.outbox.as_ref());
        let waiting = outbox.and_then(|o| o.waiting().ok()).unwrap_or(0);
        Some(format!(
            "team log offline: {waiting} waiting ({why}); `phonely-outcomes team push` sends \
             them, as does the next send"
        ))
    }
}

/// The outbox (`team-outbox.sqlite`) in the data folder, which a first command may not have
/// made yet: made private (0700) as every command makes it, since the outbox holds customers'
/// numbers.
pub fn open_outbox(dir: &Path) -> Result<Outbox, String> {
    crate::history::private::create_dir(dir)
        .map_err(|e| format!("the data folder {} cannot be made: {e}", dir.display()))?;
    Outbox::open_in(dir)
}

/// A batch row's UUID, made from this data folder's secret `salt` (never sent: the session, the
/// batch number and the line show in the team log, so without it a colleague could work out
/// the UUIDs of a run's later rows and take them first), the session that sent it (this
/// process's random id, so two machines never make the same one), its batch and its line in the
/// file (a run sends each line once): SHA-256, as a version 8 UUID. All are known while the run
/// goes and after it, from its journal or the history and the outbox, so every way of logging a
/// row here gives it the same UUID.
pub fn batch_row_uuid(salt: &[u8; 32], r: &Record) -> Uuid {
    use sha2::Digest as _;
    let (tag, line) = match r.batch_line {
        Some(line) => (b"line".as_slice(), line),
        // Not a batch row's (never written so): the local id keeps it apart.
        None => (b"id".as_slice(), r.id),
    };
    let hash = sha2::Sha256::new()
        .chain_update(b"phonely-outcomes batch row\0")
        .chain_update(salt)
        .chain_update(r.session.as_bytes())
        .chain_update(b"\0")
        .chain_update(r.batch_id.unwrap_or(0).to_be_bytes())
        .chain_update(tag)
        .chain_update(line.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    phonely_team::uuid_from_custom_bytes(bytes)
}

/// "just now", "3 minutes ago", "2 hours ago", "5 days ago".
pub fn ago(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match minutes {
        0 => "just now".to_string(),
        1..=59 => plural(minutes, "minute"),
        60..=2879 => plural(minutes / 60, "hour"),
        _ => plural(minutes / 1440, "day"),
    }
}

#[cfg(test)]
mod tests {
    /// Logging a batch again (after `--resume`, or after a crash before the push) makes the
    /// same UUIDs, which the team log records once; another line, batch or session makes
    /// another; the local id (unknown while the run goes) plays no part.
    #[test]
    fn a_batch_rows_uuid_is_the_same_each_time() {
        use phonely_core::factory;
        let u = factory::update(&crate::api::update::UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "Sold",
            ..Default::default()
        });
        let request = crate::api::request::build(&u, &crate::api::request::BaseUrl::default());
        let base = factory::pending(0, "s", &factory::provenance(), &u, &request, 0);
        let row = |session: &str, batch: i64, line: i64, id: i64| crate::api::record::Record {
            session: session.into(),
            batch_id: Some(batch),
            batch_line: Some(line),
            id,
            ..base.clone()
        };
        let dir = tempfile::tempdir().unwrap();
        let salt = super::open_outbox(dir.path())
            .unwrap()
            .row_id_salt()
            .unwrap();
        // The same salt every time the data folder's outbox is opened; another folder's differs.
        assert_eq!(
            salt,
            super::open_outbox(dir.path())
                .unwrap()
                .row_id_salt()
                .unwrap()
        );
        let elsewhere = tempfile::tempdir().unwrap();
        let other = super::open_outbox(elsewhere.path())
            .unwrap()
            .row_id_salt()
            .unwrap();
        assert_ne!(salt, other);
        let uuid = |r: &crate::api::record::Record| super::batch_row_uuid(&salt, r);
        let a = uuid(&row("s-1", 3, 7, 0));
        assert_eq!(a, uuid(&row("s-1", 3, 7, 41)));
        assert_ne!(a, uuid(&row("s-1", 3, 8, 0)));
        assert_ne!(a, uuid(&row("s-1", 4, 7, 0)));
        assert_ne!(a, uuid(&row("s-2", 3, 7, 0)));
        // Knowing the session, batch and line (all in the team log) is not enough.
        assert_ne!(a, super::batch_row_uuid(&other, &row("s-1", 3, 7, 0)));
        assert_eq!(a.get_version_num(), 8);
    }

    #[test]
    fn ago_reads_like_people_say_it() {
        assert_eq!(super::ago(10_000), "just now");
        assert_eq!(super::ago(60_000), "1 minute ago");
        assert_eq!(super::ago(3 * 60_000 + 5), "3 minutes ago");
        assert_eq!(super::ago(2 * 3_600_000), "2 hours ago");
        assert_eq!(super::ago(3 * 86_400_000), "3 days ago");
    }
}
