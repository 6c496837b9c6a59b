//! The `ringlake` binary: flags and the pipeline file become one validated config, the
//! stages run, and the outcome maps to an exit code (0 done, 1 failed, 2 usage or
//! configuration, 3 done with days left for the next run or records set aside).

mod args;
mod config;
mod demo;
mod pipeline;
mod progress;

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use args::{Cli, Command, LakeCommand, LogFormat, ReportCommand, SimCommand};

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const EXIT_FAILED: u8 = 1;
const EXIT_CONFIG: u8 = 2;
const EXIT_INCOMPLETE: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_CONFIG } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(dispatch(&cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => fail(&e),
    }
}

async fn dispatch(cli: &Cli) -> anyhow::Result<u8> {
    let show_progress = !cli.no_progress && std::io::stderr().is_terminal();
    match &cli.command {
        Command::Run(a) | Command::Extract(a) => {
            let load = matches!(cli.command, Command::Run(_));
            let cfg = config::RunConfig::from_args(a)?;
            if a.dry_run {
                let plan = ringlake_run::dry_run(&cfg.spec)?;
                print_out(|out| pipeline::print_plan(out, &cfg.spec, &plan));
                return Ok(0);
            }
            let creds = config::credentials_from_env(cfg.server_url.as_deref())?;
            let bar = progress::Bar::new(show_progress);
            let report = ringlake_run::run(&cfg.spec, creds, load, &bar).await;
            bar.finish();
            let report = report?;
            print_out(|out| pipeline::print_summary(out, &report, load.then_some(&cfg.spec.lake)));
            Ok(if report.incomplete() {
                EXIT_INCOMPLETE
            } else {
                0
            })
        }
        Command::Transform(a) => {
            let cfg = config::TransformConfig::from_args(a)?;
            let days = cfg
                .days
                .map(|(f, t)| f.iter_days().take_while(|d| *d <= t).collect());
            let started = std::time::Instant::now();
            let lake = cfg.lake.clone();
            let streams = ringlake_run::raw_zone_streams(&cfg.raw);
            if streams.is_empty() {
                return Err(config::ConfigError(format!(
                    "{} holds none of the stream directories {}",
                    cfg.raw.display(),
                    config::Stream::ALL.map(|s| s.name()).join(", ")
                ))
                .into());
            }
            let load = tokio::task::spawn_blocking(move || {
                ringlake_run::transform_raw_zone(&cfg.raw, &cfg.lake, cfg.time_zone, &streams, days)
            })
            .await??;
            let report = ringlake_run::RunReport {
                extract: None,
                load: Some(load),
                wall: started.elapsed(),
            };
            print_out(|out| pipeline::print_summary(out, &report, Some(&lake)));
            Ok(if report.incomplete() {
                EXIT_INCOMPLETE
            } else {
                0
            })
        }
        Command::Demo(a) => {
            let bar = progress::Bar::new(show_progress);
            let result = demo::demo(a, &bar).await;
            bar.finish();
            let (report, truth) = result?;
            print_out(|out| {
                pipeline::print_summary(out, &report, Some(&ringlake_load::Lake::local(&a.lake)))?;
                writeln!(
                    out,
                    "truth    the simulator holds {} calls ({} legs, {} deleted) and {} messages for {}..{} ({}), {} extensions",
                    truth.calls,
                    truth.legs,
                    truth.deleted,
                    truth.messages,
                    truth.from,
                    truth.to,
                    truth.time_zone,
                    truth.extensions
                )?;
                writeln!(
                    out,
                    "query    duckdb -c \"SELECT date, count(*) FROM read_parquet('{}/calls/*/*.parquet', hive_partitioning=true) GROUP BY ALL ORDER BY 1\"",
                    a.lake.display()
                )
            });
            Ok(if report.incomplete() {
                EXIT_INCOMPLETE
            } else {
                0
            })
        }
        Command::Lake {
            command: LakeCommand::Verify { lake },
        } => {
            let lake = config::open_lake(lake)?;
            let report = tokio::task::spawn_blocking(move || {
                ringlake_load::verify(&lake).map(|r| (lake, r))
            })
            .await??;
            let (lake, report) = report;
            if report.tables.is_empty() {
                anyhow::bail!("{lake} holds no table (no directory with Parquet partitions)");
            }
            print_out(|out| {
                for finding in &report.findings {
                    writeln!(out, "{finding}")?;
                }
                writeln!(
                    out,
                    "{} {}: {} tables, {} files, {:.1} MB checked; {}",
                    if report.is_clean() { "ok" } else { "DIFFERS" },
                    lake,
                    report.tables.len(),
                    report.files_checked,
                    report.bytes_checked as f64 / 1e6,
                    match report.findings.len() {
                        0 => "the lake matches its manifests".to_owned(),
                        1 => "1 difference".to_owned(),
                        n => format!("{n} differences"),
                    }
                )
            });
            Ok(if report.is_clean() { 0 } else { EXIT_FAILED })
        }
        Command::Report {
            command: ReportCommand::Billing(a),
        } => {
            if a.lake.to_str().is_some_and(|l| l.contains("://")) {
                return Err(config::ConfigError(format!(
                    "the billing report reads a lake directory, not {}: run it where the lake is mounted or synced",
                    a.lake.display()
                ))
                .into());
            }
            let tz = config::parse_tz(Some(&a.time_zone))?;
            let month = ringlake_report::Month::parse(&a.month)
                .map_err(|e| config::ConfigError(e.to_string()))?;
            // The month's bounds follow the same day rule as the extraction windows.
            let (from, _) = ringlake_contracts::day::day_window(month.first_day(), tz);
            let (to, _) = ringlake_contracts::day::day_window(month.end(), tz);
            let rows = ringlake_report::billing(&a.lake, from, to)?;
            print_out(|out| {
                writeln!(
                    out,
                    "extension_id,type,direction,calls,duration_secs,cost_included,cost_purchased"
                )?;
                for r in &rows {
                    writeln!(
                        out,
                        "{},{},{},{},{},{},{}",
                        r.extension_id.map(|i| i.to_string()).unwrap_or_default(),
                        r.call_type.as_deref().unwrap_or(""),
                        r.direction.as_deref().unwrap_or(""),
                        r.calls,
                        r.duration_secs,
                        ringlake_report::BillingRow::money(r.cost_included_micros),
                        ringlake_report::BillingRow::money(r.cost_purchased_micros)
                    )?;
                }
                Ok(())
            });
            Ok(0)
        }
        Command::Sim {
            command: SimCommand::Serve(a),
        } => {
            demo::sim_serve(a).await?;
            Ok(0)
        }
    }
}

/// Writes the command's result to stdout. A closed pipe (`ringlake … | head`) is not an error.
fn print_out(f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if let Err(e) = f(&mut lock).and_then(|()| lock.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("ringlake: cannot write to stdout: {e}");
    }
}

/// One line on stderr, and the exit code for the kind of failure.
fn fail(e: &anyhow::Error) -> ExitCode {
    let line = format!("{e:#}").replace(['\n', '\r'], " ");
    eprintln!("ringlake: error: {line}");
    let config = e
        .chain()
        .any(|c| c.downcast_ref::<config::ConfigError>().is_some())
        || e.chain().any(|c| {
            c.downcast_ref::<ringlake_extract::Error>()
                .is_some_and(ringlake_extract::Error::is_config)
                || c.downcast_ref::<ringlake_load::Error>()
                    .is_some_and(ringlake_load::Error::is_config)
        });
    ExitCode::from(if config { EXIT_CONFIG } else { EXIT_FAILED })
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.with_target(false).init(),
        LogFormat::Json => builder.json().init(),
    }
}
