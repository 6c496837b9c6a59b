//! Command-line arguments. Only `main.rs` and `config.rs` see these types: they become
//! one validated `RunConfig` (module `config`) before any stage runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ringlake",
    version,
    about = "Archive a RingCentral account's call logs into a Parquet data lake.",
    long_about = "Archive a RingCentral account's call logs into a Parquet data lake.\n\n\
        Credentials come from the environment: RC_SERVER_URL, RC_CLIENT_ID, RC_CLIENT_SECRET, RC_JWT.\n\
        Exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 done but some days failed \
        or some records were set aside (run again / see the dead-letter files)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Log format on stderr (level from RUST_LOG, default info).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// No progress bars (also off when stderr is not a terminal).
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline against a built-in simulator: a month of a mid-size account.
    Demo(DemoArgs),
    /// Extract, transform and load the days --from..--to (inclusive).
    Run(RunArgs),
    /// Only extract: API pages into the raw landing zone.
    Extract(RunArgs),
    /// Only transform and load: a raw landing zone (ours or another tool's) into the lake.
    Transform(TransformArgs),
    /// Checks on the lake itself.
    Lake {
        #[command(subcommand)]
        command: LakeCommand,
    },
    /// Reports over the lake.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// The RingCentral API simulator.
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

/// Flags shared by `run` and `extract`. Flags override the pipeline file.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Pipeline definition (TOML). Without one, everything comes from flags and the environment.
    pub pipeline: Option<PathBuf>,
    /// First day, YYYY-MM-DD, in the partition time zone.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: String,
    /// Last day, YYYY-MM-DD, inclusive.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: String,
    #[command(flatten)]
    pub place: PlaceArgs,
    /// Days whose data may still change (billing, recordings) and are fetched again.
    #[arg(long)]
    pub lookback_days: Option<u32>,
    /// Days fetched at the same time (the rate limit is what bounds the speed).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// How long the run may go on waiting for rate limits (429s are waited out, never
    /// counted as failures): 4h, 90m, 1h 30m. What is left is fetched by the next run
    /// (exit 3). Default 6h.
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,
    /// Print the plan (windows, requests per rate group, expected wall time) and call no
    /// API.
    #[arg(long)]
    pub dry_run: bool,
    /// What to archive, comma separated: call-log, message-store, extensions, active-calls
    /// (default: the pipeline file's `streams`, else all of these), or call-log-sync in
    /// place of call-log: the call log incrementally, every record modified since the
    /// last run (its first run starts at --from).
    #[arg(long, value_delimiter = ',', value_name = "STREAM,…")]
    pub streams: Option<Vec<String>>,
}

/// Where data lands and how days are cut.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// The lake: a directory, or an object-store URL (s3://bucket/prefix, gs://…, az://…)
    /// with credentials from the cloud's usual environment variables.
    #[arg(long, value_name = "DIR|URL")]
    pub lake: Option<String>,
    /// The raw landing zone, a local directory (default <lake>/_raw for a lake directory).
    #[arg(long)]
    pub raw: Option<PathBuf>,
    /// The checkpoint directory, local (default <lake>/_state for a lake directory).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Time zone of the partition days, e.g. UTC or America/New_York.
    #[arg(long)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct TransformArgs {
    /// The raw landing zone: page files below <raw>/call-log/ (.json, .json.gz, .json.zst).
    #[arg(long)]
    pub raw: PathBuf,
    /// The lake: a directory or an object-store URL (s3://…, gs://…, az://…).
    #[arg(long, value_name = "DIR|URL")]
    pub lake: String,
    /// Only these days (and write each of them, empty or not); default: every day found.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
    pub from: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    pub to: Option<String>,
    /// Time zone of the partition days.
    #[arg(long)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to put the lake.
    #[arg(long, default_value = "demo/lake")]
    pub lake: PathBuf,
    /// Also write the simulator's ground truth summary here (JSON), for checks.
    #[arg(long)]
    pub truth_out: Option<PathBuf>,
    /// Time zone of the partition days.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    #[command(flatten)]
    pub account: AccountArgs,
    /// Rate-limit window of the simulator in seconds. The real API counts per 60 s; the demo
    /// keeps the real request counts per window but a shorter window, to finish quickly.
    #[arg(long, default_value_t = 2)]
    pub rate_window_secs: u64,
}

/// The simulated account.
#[derive(Debug, Args)]
pub struct AccountArgs {
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value_t = 150)]
    pub extensions: u32,
    #[arg(long, default_value_t = 1500)]
    pub calls_per_day: u32,
    /// Mean messages per user extension per day (a few busy mailboxes get many more).
    #[arg(long, default_value_t = 3)]
    pub messages_per_day: u32,
}

#[derive(Debug, Subcommand)]
pub enum LakeCommand {
    /// Compare every table's files with its `_manifest.json`: missing, truncated, altered
    /// and stray files, each on one line. Exit 0 when the lake matches, 1 when it does not.
    Verify {
        /// The lake: a directory or an object-store URL (s3://…, gs://…, az://…).
        #[arg(long, value_name = "DIR|URL")]
        lake: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Calls, seconds and cost per extension, type and direction for one month.
    Billing(BillingArgs),
}

#[derive(Debug, Args)]
pub struct BillingArgs {
    #[arg(long)]
    pub lake: PathBuf,
    /// The month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// The account's billing time zone: calls belong to the month of their local start time.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve the simulator until interrupted.
    Serve(SimServeArgs),
}

#[derive(Debug, Args)]
pub struct SimServeArgs {
    /// Address to bind; loopback only is sensible.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub addr: SocketAddr,
    /// First day of generated data (default: first day of last month, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Last day of generated data, inclusive (default: first day of this month).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    #[command(flatten)]
    pub account: AccountArgs,
    /// Rate-limit window in seconds (the real API: 60).
    #[arg(long, default_value_t = 60)]
    pub rate_window_secs: u64,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub access_token_ttl_secs: u64,
    /// Treat dateTo as inclusive (the API leaves it open; both readings must work).
    #[arg(long)]
    pub date_to_inclusive: bool,
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// Faults the simulator injects into API requests (fractions of requests, seeded).
#[derive(Debug, Args)]
pub struct FaultArgs {
    /// 503 with a CMN-201 body.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub fault_503_rate: f64,
    /// Connections closed without a complete response.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub fault_drop_rate: f64,
    /// Bodies cut short under a normal status.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub fault_truncate_rate: f64,
    /// Replies delayed by --fault-slow-ms.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub fault_slow_rate: f64,
    #[arg(long, default_value_t = 500)]
    pub fault_slow_ms: u64,
    /// Seed of the fault sequence.
    #[arg(long, default_value_t = 1)]
    pub fault_seed: u64,
}
