//! The command line, as clap types. Later commands add to these.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  phonely-outcomes --sandbox                      try the workbench on the bundled sandbox
  phonely-outcomes                                the workbench, sending to Phonely ($PHONELY_API_KEY)
  phonely-outcomes send --agent agent123 --call call456 --outcome Sold --value 299
  phonely-outcomes send --agent agent123 --phone +14155551234 --preference first --outcome Sold
  phonely-outcomes history --limit 50
  phonely-outcomes sandbox                        serve the stand-in API on 127.0.0.1:8787

The API key is read from the environment variable PHONELY_API_KEY, never from a flag.";

#[derive(Debug, Parser)]
#[command(
    name = "phonely-outcomes",
    version,
    about = "Record what really happened on a Phonely call (sale, no-show, follow-up): a \
             terminal workbench, a one-shot `send`, and an audit history",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub workbench: WorkbenchArgs,
}

#[derive(Debug, Args)]
pub struct WorkbenchArgs {
    /// Start the bundled sandbox on a free loopback port and send there (no key needed).
    #[arg(long)]
    pub sandbox: bool,
    #[command(flatten)]
    pub target: BaseUrlArg,
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Args)]
pub struct BaseUrlArg {
    /// Where requests go [default: <https://app.phonely.ai>]
    #[arg(long, env = "PHONELY_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct DataDirArg {
    /// Folder of the history database [default: the platform data folder, e.g.
    /// ~/.local/share/phonely-outcomes]
    #[arg(long, env = "PHONELY_OUTCOMES_DATA", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send one update and print the server's JSON response (exit 0 updated, 1 refused,
    /// 2 invalid input (nothing sent), 3 no response (outcome unknown)).
    Send(SendArgs),
    /// Print the history of updates, newest first.
    History(HistoryArgs),
    /// Serve the stand-in Phonely API until Ctrl+C.
    Sandbox(SandboxArgs),
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The agent's ID (from the agent's settings page).
    #[arg(long, value_name = "ID")]
    pub agent: String,
    /// The call's ID (from call history).
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "phone",
        conflicts_with = "phone"
    )]
    pub call: Option<String>,
    /// The caller's phone number in E.164 form, e.g. +14155551234.
    #[arg(long, value_name = "E164", allow_hyphen_values = true)]
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
    #[command(flatten)]
    pub data: DataDirArg,
    /// Seconds to wait for the whole answer.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 15.0,
        allow_negative_numbers = true
    )]
    pub timeout: f64,
    /// Print the exact request as a curl command and send nothing.
    #[arg(long)]
    pub dry_run: bool,
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
    /// Only this target, as sent (a call ID or an E.164 phone number).
    #[arg(long, value_name = "ID|E164", allow_hyphen_values = true)]
    pub target: Option<String>,
    /// Only updates of this call: sent to its ID, or to a phone that Phonely resolved to it.
    #[arg(long, value_name = "ID")]
    pub call: Option<String>,
    /// Only this outcome label (exact).
    #[arg(long, value_name = "TEXT")]
    pub outcome: Option<String>,
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
    /// Only updates recorded under this profile.
    #[arg(long = "profile", value_name = "NAME")]
    pub profile_filter: Option<String>,
    /// Words that must each appear in the agent, target, call, outcome or metadata.
    #[arg(long, value_name = "WORDS")]
    pub text: Option<String>,
    #[command(flatten)]
    pub data: DataDirArg,
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
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, value_name = "HOST:PORT", default_value = crate::sandbox::DEFAULT_ADDR)]
    pub addr: String,
    /// The API key the sandbox accepts.
    #[arg(long, value_name = "KEY", default_value = crate::sandbox::DEFAULT_KEY)]
    pub key: String,
    /// Misbehave on every update request, for demos: delay:MS, status:CODE, 429:SECS,
    /// reset-before, reset-after, malformed-json, html, huge-body, endless-body, hang.
    #[arg(long, value_name = "FAULT", value_parser = parse_fault)]
    pub fault: Option<crate::sandbox::Fault>,
    /// With --fault: only the next N update requests misbehave [default: every one].
    #[arg(long, value_name = "N", requires = "fault", value_parser = clap::value_parser!(u32).range(1..))]
    pub fault_times: Option<u32>,
}

fn parse_fault(text: &str) -> Result<crate::sandbox::Fault, String> {
    text.parse()
}
