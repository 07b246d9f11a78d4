//! The command line, as clap types. Later commands add to these.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  phonely-outcomes --sandbox                      try the workbench on the bundled sandbox
  phonely-outcomes                                the workbench, sending to Phonely ($PHONELY_API_KEY)
  phonely-outcomes send --agent agent123 --call call456 --outcome Sold --value 299
  phonely-outcomes send --agent agent123 --phone +14155551234 --preference first --outcome Sold
  phonely-outcomes history --limit 50
  phonely-outcomes sandbox                        serve the stand-in API on 127.0.0.1:8787
  phonely-outcomes --profile staging              the workbench on the staging profile
  phonely-outcomes config init                    write a commented config file to edit
  phonely-outcomes key set --profile production   store a key in the OS keyring

The API key is never a flag: each profile reads it from an environment variable (default
PHONELY_API_KEY), a command, the OS keyring or an owner-only file (see `config init`).";

const SEND_EXAMPLES: &str = "\
Examples:
  phonely-outcomes send --agent agent123 --call call456 --outcome Sold --value 299
  phonely-outcomes send --agent agent123 --phone +14155551234 --preference first --outcome Sold
  phonely-outcomes send --profile staging --agent agent123 --call call456 --metadata @notes.json
  phonely-outcomes send --agent agent123 --call call456 --outcome Sold --dry-run
  phonely-outcomes send --agent agent123 --phone +14155551234 --pin --outcome Sold";

const HISTORY_EXAMPLES: &str = "\
Examples:
  phonely-outcomes history                 the last 20 updates
  phonely-outcomes history --limit 200 --json | jq .profile";

const SANDBOX_EXAMPLES: &str = "\
Examples:
  phonely-outcomes sandbox
  phonely-outcomes send --profile sandbox --agent agent123 --call call456 --outcome Sold";

const BATCH_EXAMPLES: &str = "\
Examples:
  phonely-outcomes batch corrections.csv --dry-run       check every row, show the first request
  phonely-outcomes batch corrections.csv                 check, show a summary, ask, send
  phonely-outcomes batch fixes.jsonl --yes --concurrency 8
  phonely-outcomes batch crm.csv --column \"Phone Number=phone\" --column Result=outcome
  phonely-outcomes batch --resume 3                      after Ctrl+C or a crash: send the rest

Columns (CSV header or JSON keys): agent_id, target (or call_id / phone), preference,
outcome, value, metadata (a JSON object in one cell), pin (yes/no: send to the call the
preference picks, looked up first). An empty cell is not sent. A column under another name is
read as a field with --column NAME=FIELD.";

const CONFIG_EXAMPLES: &str = "\
Examples:
  phonely-outcomes config init             write the commented template (never overwrites)
  phonely-outcomes config show             settings in effect; each profile's key source
  phonely-outcomes config path             where the config, history and logs are";

const KEY_EXAMPLES: &str = "\
Examples:
  phonely-outcomes key set --profile production     asks for the key (not echoed)
  pass show phonely/prod | phonely-outcomes key set --profile production
  phonely-outcomes key delete --profile production";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  phonely-outcomes completions bash > ~/.local/share/bash-completion/completions/phonely-outcomes
  phonely-outcomes completions zsh > ~/.zfunc/_phonely-outcomes
  phonely-outcomes completions fish > ~/.config/fish/completions/phonely-outcomes.fish";

#[derive(Debug, Parser)]
#[command(
    name = "phonely-outcomes",
    version,
    about = "Record what really happened on a Phonely call (sale, no-show, follow-up): a \
             terminal workbench, a one-shot `send`, and an audit history",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub workbench: WorkbenchArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
}

impl Cli {
    /// Parses the command line, refusing the workbench's flags before a command (they would be
    /// ignored there). The global options (--profile, --config, --log-level) go anywhere.
    pub fn parse_checked() -> Self {
        let mut command = Self::command();
        let matches = command.get_matches_mut();
        if let Some(sub) = matches.subcommand_name() {
            for (id, flag) in [("sandbox", "--sandbox"), ("base_url", "--base-url")] {
                if matches.value_source(id) == Some(ValueSource::CommandLine) {
                    // The sandbox as an account is the `sandbox` profile.
                    let instead = if flag == "--sandbox" && matches!(sub, "send" | "batch") {
                        format!(
                            "; to {sub} to the sandbox, use the sandbox profile: \
                             `phonely-outcomes {sub} --profile sandbox …` (with \
                             `phonely-outcomes sandbox` running)"
                        )
                    } else {
                        String::new()
                    };
                    command
                        .error(
                            ErrorKind::ArgumentConflict,
                            format!(
                                "{flag} before `{sub}` belongs to the workbench; `{sub}` takes \
                                 its own options after its name (see `{sub} --help`){instead}"
                            ),
                        )
                        .exit();
                }
            }
        }
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The profile (account) to use [default: default_profile from the config]; `sandbox` is
    /// built in.
    #[arg(long, global = true, env = "PHONELY_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// The config file [default: the platform config folder, e.g.
    /// ~/.config/phonely-outcomes/config.toml]
    #[arg(
        long,
        global = true,
        env = "PHONELY_OUTCOMES_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,
    /// What goes to the log file: error, warn, info, debug or trace, optionally per module
    /// (e.g. phonely_outcomes=debug) [default: $RUST_LOG, else info]
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Folder of the history database [default: the platform data folder, e.g.
    /// ~/.local/share/phonely-outcomes]
    #[arg(long, global = true, env = "PHONELY_OUTCOMES_DATA", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WorkbenchArgs {
    /// Start the bundled sandbox on a free loopback port and send there (no key needed).
    #[arg(long)]
    pub sandbox: bool,
    #[command(flatten)]
    pub target: BaseUrlArg,
}

#[derive(Debug, Args)]
pub struct BaseUrlArg {
    /// Where requests go [default: <https://app.phonely.ai>]
    #[arg(long, env = "PHONELY_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send one update and print the server's JSON response (exit 0 updated, 1 refused,
    /// 2 invalid input (nothing sent), 3 no response (outcome unknown)).
    // The usage is written out: clap's own lists whatever flags were given as if required.
    #[command(
        after_help = SEND_EXAMPLES,
        override_usage = "phonely-outcomes send --agent <ID> (--call <ID> | --phone <NUMBER>) \
                          [OPTIONS]"
    )]
    Send(SendArgs),
    /// List an agent's calls as Phonely has them, newest first (exit codes as send).
    #[command(after_help = super::calls::EXAMPLES)]
    Calls(super::calls::CallsArgs),
    /// Print the history of updates, newest first.
    #[command(after_help = HISTORY_EXAMPLES)]
    History(HistoryArgs),
    /// Serve the stand-in Phonely API until Ctrl+C.
    #[command(after_help = SANDBOX_EXAMPLES)]
    Sandbox(SandboxArgs),
    /// Send corrections from a CSV or JSON Lines file: every row is checked first, and nothing
    /// is sent while any row is invalid (exit 0 all updated, 1 some refused, 2 invalid file,
    /// nothing sent, 3 some with no answer).
    #[command(after_help = BATCH_EXAMPLES)]
    Batch(BatchArgs),
    /// Write, show or locate the config file.
    #[command(subcommand, after_help = CONFIG_EXAMPLES)]
    Config(ConfigCommand),
    /// Store or delete a profile's API key in the OS keyring.
    #[command(subcommand, after_help = KEY_EXAMPLES)]
    Key(KeyCommand),
    /// The team's shared log on PostgreSQL (README, "For a team").
    #[command(subcommand)]
    Team(TeamCommand),
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `phonely-outcomes man > phonely-outcomes.1`.
    #[command(after_help = "Examples:\n  phonely-outcomes man | man -l -")]
    Man,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented template to the config path (never overwrites without --force).
    Init {
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the settings in effect and, per profile, where its key comes from and whether it
    /// can be read (never the key).
    Show,
    /// Print the paths in use: config file, history folder, log folder.
    Path,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create or upgrade the team log's schema (needs the database's owner).
    Migrate,
    /// Print the SQL a database administrator runs: the schema and a role that may only read,
    /// add and complete its own rows.
    InitSql,
    /// The connection, the schema version and the updates waiting to be pushed.
    Status,
    /// Push the updates waiting in the outbox, oldest first.
    Push,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Read a key (without echo, or from standard input when it is not a terminal) and store it
    /// in the OS keyring for --profile. The profile needs `api_key_keyring = true`.
    Set,
    /// Remove --profile's key from the OS keyring.
    Delete,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The agent's ID (from the agent's settings page).
    #[arg(long, value_name = "ID")]
    pub agent: String,
    /// The call's ID (from call history). One of --call and --phone is needed.
    #[arg(long, value_name = "ID", conflicts_with = "phone")]
    pub call: Option<String>,
    /// The caller's phone number: +14155551234, or a national number of the config's
    /// default_region (US unless set), e.g. "(415) 555-1234".
    #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
    pub phone: Option<String>,
    /// With --phone: the last (default) or first call from that number.
    #[arg(long, value_name = "first|last")]
    pub preference: Option<String>,
    /// The outcome label, e.g. "Sold", "No Sale", "Follow-Up Required".
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub outcome: Option<String>,
    /// The outcome's value as a plain number, e.g. 299 or 0.
    #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
    pub value: Option<String>,
    /// A JSON object (it replaces the call's metadata), or @FILE to read it from a file.
    #[arg(long, value_name = "JSON|@FILE", allow_hyphen_values = true)]
    pub metadata: Option<String>,
    #[command(flatten)]
    pub target: BaseUrlArg,
    /// Seconds to wait for the whole answer [default: request_timeout_secs from the config,
    /// else 15]
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// Print the exact request as a curl command and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Read --value as people paste it: `$1,299.00` is sent as 1299.0.
    #[arg(long)]
    pub lenient: bool,
    /// With --phone: look the number's calls up first, pick the first or last by start time
    /// (--preference), say which, and send to that call's ID (see `calls`).
    #[arg(long, requires = "phone")]
    pub pin: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  phonely-outcomes history --call call456              every update of one call
  phonely-outcomes history --state failed --since 24h  what did not go through today
  phonely-outcomes history --format csv > audit.csv    everything, streamed
  phonely-outcomes history show 42                     one update in full")]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: Option<HistoryCommand>,
    /// How many updates, newest first [default: 20 for the table, all for jsonl and csv]
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Output: a table for people, or jsonl / csv (RFC 4180, with a header) for tools.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<HistoryFormat>,
    /// Same as --format jsonl: one JSON object per line, the full record (never the key).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Only this agent.
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,
    /// Only this target: a call ID, or a phone as the form reads it ("(415) 555-1234",
    /// +14155551234); part of a number ("555-1234") finds the phones that contain it.
    #[arg(long, value_name = "ID|PHONE", allow_hyphen_values = true)]
    pub target: Option<String>,
    /// Only updates of this call: sent to its ID, or to a phone that Phonely resolved to it.
    #[arg(long, value_name = "ID")]
    pub call: Option<String>,
    /// Only this outcome label, whatever its case ("sold" finds "Sold").
    #[arg(long, value_name = "TEXT")]
    pub outcome: Option<String>,
    /// Only this value, compared as a number (499 finds 499 and 499.0).
    #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
    pub value: Option<String>,
    /// Only the rows of this batch (`batch --list` shows the numbers).
    #[arg(long, value_name = "ID")]
    pub batch: Option<i64>,
    /// Only these states, comma-separated: ok, failed, refused, network, cancelled, unknown,
    /// pending ("failed" is refused, network, cancelled and unknown).
    #[arg(long, value_name = "STATE[,STATE]")]
    pub state: Option<String>,
    /// From this time: 2026-11-25, 2026-11-25T10:30:00Z, or a span back from now (30m, 24h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Before this time (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Words that must each appear in the agent, target, call, outcome or metadata.
    #[arg(long, value_name = "WORDS")]
    pub text: Option<String>,
    /// Everyone's updates, from the team log (README, "For a team").
    #[arg(long)]
    pub team: bool,
    /// Only this operator's updates in the team log (implies --team).
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Table,
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// One update in full: what was sent (key masked) and what came back.
    Show {
        /// The update's number (the # column).
        id: i64,
    },
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // command-line switches
pub struct BatchArgs {
    /// The file: CSV with a header row (UTF-8; a leading BOM is fine), or JSON Lines when it
    /// ends in .jsonl or .ndjson.
    #[arg(value_name = "FILE", required_unless_present_any = ["resume", "list"])]
    pub file: Option<PathBuf>,
    /// Go on with a batch that stopped: rows already updated or refused are left as they are,
    /// rows never sent are sent, rows whose outcome is unknown are left alone.
    #[arg(long, value_name = "BATCH_ID", conflicts_with_all = ["file", "list"])]
    pub resume: Option<i64>,
    /// With --resume: send the rows whose outcome is unknown too (they may have been applied).
    #[arg(long, requires = "resume")]
    pub resend_unknown: bool,
    /// List the batches sent from this machine and how their rows stand.
    #[arg(long, conflicts_with = "file")]
    pub list: bool,
    /// Check every row and print a summary and the first request as curl; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without asking (needed when the input is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Write one CSV line per row: input line, request, state, HTTP status, message, resolved
    /// call id, batch number (rows skipped or not sent say so).
    #[arg(long, value_name = "OUT.csv")]
    pub report: Option<PathBuf>,
    /// Send the valid rows even when some are invalid (those are listed and skipped).
    #[arg(long)]
    pub skip_invalid: bool,
    /// At most this many requests per second (e.g. 5, or 0.5).
    #[arg(long, value_name = "PER_SEC")]
    pub rate: Option<f64>,
    /// How many requests may be in flight at once (1 to 32).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,
    /// Read the file's column NAME as FIELD (agent_id, target, call_id, phone, preference,
    /// outcome, value, metadata, pin), e.g. --column "Phone Number=phone". Repeatable; give the same
    /// ones again with --resume.
    #[arg(long = "column", value_name = "NAME=FIELD", conflicts_with = "list")]
    pub columns: Vec<String>,
    /// Read values as people paste them: `$1,299.00` is sent as 1299.0. Give it again with
    /// --resume.
    #[arg(long, conflicts_with = "list")]
    pub lenient: bool,
    /// Pin every row by phone to one call: look the number's calls up first (once per agent
    /// and phone), pick the first or last by start time (the row's preference) and send to
    /// that call's ID. A `pin` column does it row by row. Give it again with --resume.
    #[arg(long, conflicts_with = "list")]
    pub pin: bool,
    /// Seconds to wait for each answer [default: request_timeout_secs from the config]
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    #[command(flatten)]
    pub target: BaseUrlArg,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, value_name = "HOST:PORT", default_value = crate::sandbox::DEFAULT_ADDR)]
    pub addr: String,
    /// The API key the sandbox accepts.
    #[arg(long, value_name = "KEY", default_value = crate::sandbox::DEFAULT_KEY)]
    pub key: String,
    /// Misbehave on every update request, for demos: delay:MS, status:CODE, 429:SECS,
    /// reset-before, reset-after, malformed-json, html, huge-body, endless-body, hang, escapes,
    /// escapes-text, unconfirmed, echo-headers.
    #[arg(long, value_name = "FAULT", value_parser = parse_fault)]
    pub fault: Option<crate::sandbox::Fault>,
    /// With --fault: only the next N update requests misbehave [default: every one].
    #[arg(long, value_name = "N", requires = "fault", value_parser = clap::value_parser!(u32).range(1..))]
    pub fault_times: Option<u32>,
}

fn parse_fault(text: &str) -> Result<crate::sandbox::Fault, String> {
    text.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sandbox --help` names every fault the sandbox knows (the list is written by hand in the
    /// flag's doc, so a new fault could be left out of it).
    #[test]
    fn sandbox_help_names_every_fault() {
        let mut command = Cli::command();
        let help = command
            .find_subcommand_mut("sandbox")
            .expect("a sandbox command")
            .render_long_help()
            .to_string();
        let words: Vec<&str> = help
            .split_whitespace()
            .map(|w| w.trim_end_matches([',', '.']))
            .collect();
        for form in crate::sandbox::Fault::FORMS.split(", ") {
            assert!(words.contains(&form), "{form} missing from: {help}");
        }
    }
}
