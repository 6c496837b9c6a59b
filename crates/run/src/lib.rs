//! A ringlake run as a library: the streams asked for are extracted from the API, their raw
//! pages transformed into tables and the tables loaded into the lake. The command line
//! parses arguments into a [`RunSpec`], calls [`run`] (or [`transform_raw_zone`]) and
//! prints the [`RunReport`]; everything between lives here.
//!
//! - [`streams`]: what a run needs to know of each stream beside the contracts (its rate
//!   group, the streams it needs first).
//! - `extract`: one lane per rate group, the lanes side by side; each lane takes its
//!   streams one after the other, so a stream's request count is exact.
//! - `load`: which days each stream may rewrite, and the threads that stream those days
//!   from the transform into one open table writer per table.
//! - [`report`]: what a run did, each stage's counters summed by that stage's own types.

#![warn(missing_docs)]

mod extract;
mod load;
pub mod lock;
pub mod report;
mod spec;
pub mod streams;

pub use load::{raw_zone_streams, transform_raw_zone};
pub use report::{ExtractReport, Failed, LoadReport, RunReport, StageFigures};
pub use spec::RunSpec;

use std::time::Instant;

use anyhow::Context as _;
use chrono::Utc;
use ringlake_extract::{ApiClient, ClientOptions, Credentials, Progress, RunPlan};
use tracing::info;

/// Extracts the spec's streams and, when `load` is true, transforms and loads the days
/// they completed. A day or mailbox that could not be fetched keeps what the lake holds.
pub async fn run(
    spec: &RunSpec,
    creds: Credentials,
    load: bool,
    progress: &dyn Progress,
) -> anyhow::Result<RunReport> {
    let started = Instant::now();
    let days = spec.days();
    let streams: Vec<&str> = spec.streams.iter().map(|s| s.name()).collect();
    // Before anything is touched: one run at a time on these directories.
    let command = format!("{} {}", if load { "run" } else { "extract" }, spec.name);
    let lake_dir = spec.lake.local_path().filter(|_| load);
    let _lock = lock::RunLock::acquire(
        [spec.state.as_path(), spec.raw.as_path()]
            .into_iter()
            .chain(lake_dir),
        &lock::Holder::this_process(&command),
    )?;
    info!(pipeline = %spec.name, from = %spec.from, to = %spec.to, days = days.len(), tz = %spec.time_zone, streams = %streams.join(","), "Run started.");
    if load {
        // Before an hour of paging, not after it.
        spec.lake.check_writable()?;
    }
    let client = ApiClient::new(creds, ClientOptions::default().with_deadline(spec.deadline))
        .context("cannot set up the API client")?;
    // Snapshots (the extension list, the account) are dated by the day the run takes them.
    let snapshot_day = Utc::now().with_timezone(&spec.time_zone).date_naive();
    let ex = extract::extract(spec, &client, &days, snapshot_day, progress).await?;
    // For the next dry run's wall-time estimate; a run that worked is not failed for it.
    if let Err(e) = client.save_announced_limits(&spec.state) {
        tracing::warn!(error = %e, "Cannot keep the announced rate limits.");
    }
    let mut report = RunReport::default();
    if load {
        let run_days = ringlake_extract::RunDays {
            range: &days,
            snapshot_day,
            time_zone: spec.time_zone,
        };
        let jobs = load::load_jobs(&spec.streams, run_days, &ex);
        let (raw, lake, tz) = (spec.raw.clone(), spec.lake.clone(), spec.time_zone);
        report.load = Some(
            tokio::task::spawn_blocking(move || {
                let run_id = ringlake_load::new_run_id();
                let mut total = LoadReport::default();
                for (stream, days) in jobs {
                    total +=
                        load::transform_and_load(&raw, &lake, tz, stream, Some(days), &run_id)?;
                }
                anyhow::Ok(total)
            })
            .await
            .context("transform task failed")??,
        );
    }
    report.extract = Some(ex);
    report.wall = started.elapsed();
    Ok(report)
}

/// `--dry-run`: the plan of the run from the checkpoints, the raw zone and the limits the
/// server announced last time; no request is sent.
pub fn dry_run(spec: &RunSpec) -> anyhow::Result<RunPlan> {
    Ok(ringlake_extract::plan_run(
        &spec.days(),
        &spec.extract_options(),
        &spec.streams,
    )?)
}
