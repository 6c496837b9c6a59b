//! Wiring of the stages: extract → transform → load, and the run summary. Stages hand each
//! other plain data (raw page files, record batches, Parquet paths).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_extract::{
    ApiClient, CallLogOptions, ClientOptions, Credentials, Progress, RequestStats, StreamSummary,
};
use ringlake_load::{LoadOptions, PartitionWrite};
use ringlake_transform::{DeadLetter, TransformOptions, TransformStats};
use tracing::info;

use crate::config::{RunConfig, Stream};

/// Name of the call-log stream in the raw zone and the checkpoint.
pub const CALL_LOG_STREAM: &str = "call-log";

/// What a run did, for the summary and the exit code.
#[derive(Debug, Default)]
pub struct RunReport {
    pub extract: Option<ExtractReport>,
    pub load: Option<LoadReport>,
    pub wall: Duration,
}

#[derive(Debug)]
pub struct ExtractReport {
    pub call_log: StreamSummary,
    pub requests: RequestStats,
}

#[derive(Debug, Default)]
pub struct LoadReport {
    pub transform: TransformStats,
    /// Rows per table over the days written.
    pub rows: BTreeMap<&'static str, usize>,
    pub partitions_written: usize,
    pub partitions_unchanged: usize,
    pub partitions_removed: usize,
    pub dead_letters: usize,
    pub dead_letter_files: Vec<std::path::PathBuf>,
}

impl RunReport {
    /// True when the run finished but left work for the next run or set records aside.
    pub fn incomplete(&self) -> bool {
        self.extract
            .as_ref()
            .is_some_and(|e| !e.call_log.failed_days.is_empty())
            || self.load.as_ref().is_some_and(|l| l.dead_letters > 0)
    }
}

/// `ringlake run` and `ringlake extract`.
pub async fn run(
    cfg: &RunConfig,
    creds: Credentials,
    load: bool,
    progress: &dyn Progress,
) -> anyhow::Result<RunReport> {
    let started = Instant::now();
    let days = cfg.days();
    info!(pipeline = %cfg.name, from = %cfg.from, to = %cfg.to, days = days.len(), tz = %cfg.time_zone, "Run started.");
    // The call log is the one stream today; config validation refuses any other name.
    debug_assert!(cfg.streams.contains(&Stream::CallLog));

    let client =
        ApiClient::new(creds, ClientOptions::default()).context("cannot set up the API client")?;
    let opts = CallLogOptions::new(cfg.raw.clone(), cfg.state.clone())
        .with_time_zone(cfg.time_zone)
        .with_lookback_days(cfg.lookback_days)
        .with_concurrency(cfg.concurrency)
        .with_per_page(cfg.per_page);
    let summary = ringlake_extract::extract_call_log(&client, &opts, &days, progress).await?;
    let failed: BTreeSet<NaiveDate> = summary.failed_days.iter().map(|(d, _)| *d).collect();
    let mut report = RunReport {
        extract: Some(ExtractReport {
            call_log: summary,
            requests: client.stats(),
        }),
        ..RunReport::default()
    };

    if load {
        // A day that could not be fetched keeps whatever the lake already has for it: writing
        // it from an incomplete raw zone would replace good rows with fewer.
        let ready: BTreeSet<NaiveDate> = days
            .iter()
            .copied()
            .filter(|d| !failed.contains(d))
            .collect();
        if !ready.is_empty() {
            let lake_cfg = cfg.clone();
            report.load = Some(
                tokio::task::spawn_blocking(move || {
                    transform_and_load(
                        &lake_cfg.raw,
                        &lake_cfg.lake,
                        lake_cfg.time_zone,
                        Some(ready),
                    )
                })
                .await
                .context("transform task failed")??,
            );
        }
    }
    report.wall = started.elapsed();
    Ok(report)
}

/// Raw pages → tables → partitions. `days`: only these partitions, each written (or cleared)
/// whole; `None`: every day the raw zone holds.
pub fn transform_and_load(
    raw: &Path,
    lake: &Path,
    tz: Tz,
    days: Option<BTreeSet<NaiveDate>>,
) -> anyhow::Result<LoadReport> {
    let pages = ringlake_transform::find_pages(raw, CALL_LOG_STREAM, days.as_ref())
        .with_context(|| format!("cannot list raw pages in {}", raw.display()))?;
    let mut opts = TransformOptions::new().with_time_zone(tz);
    if let Some(d) = days {
        opts = opts.with_days(d);
    }
    let out = ringlake_transform::transform_call_log(&pages, &opts)?;
    let mut report = LoadReport {
        transform: out.stats.clone(),
        ..LoadReport::default()
    };
    let load_opts = LoadOptions::new();
    for table in &out.tables {
        let writes = ringlake_load::write_table(lake, table.name, &table.partitions, &load_opts)?;
        report
            .rows
            .insert(table.name, writes.iter().map(|w| w.rows).sum());
        for PartitionWrite { path, changed, .. } in &writes {
            match (path, changed) {
                (None, _) => report.partitions_removed += usize::from(*changed),
                (Some(_), true) => report.partitions_written += 1,
                (Some(_), false) => report.partitions_unchanged += 1,
            }
        }
    }
    report.dead_letters = out.dead_letters.len();
    report.dead_letter_files = write_dead_letters(lake, &out.dead_letters)?;
    info!(
        pages = out.stats.pages,
        records = out.stats.records_read,
        written = report.partitions_written,
        unchanged = report.partitions_unchanged,
        dead_letters = report.dead_letters,
        "Lake updated."
    );
    Ok(report)
}

/// Records that could not be read go to `<lake>/_dead_letter/<table>/<run>.jsonl`, one JSON
/// object per line with the raw record, the reason and the page it came from.
fn write_dead_letters(
    lake: &Path,
    letters: &[DeadLetter],
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut by_table: BTreeMap<&str, Vec<&DeadLetter>> = BTreeMap::new();
    for l in letters {
        by_table.entry(l.table).or_default().push(l);
    }
    let run = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let mut files = Vec::new();
    for (table, letters) in by_table {
        let dir = lake.join("_dead_letter").join(table);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("{run}.jsonl"));
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        );
        for l in letters {
            serde_json::to_writer(&mut out, l)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        files.push(path);
    }
    Ok(files)
}

/// The summary printed at the end of a run (stdout: it is the command's result).
pub fn print_summary(
    out: &mut dyn std::io::Write,
    report: &RunReport,
    lake: Option<&Path>,
) -> std::io::Result<()> {
    if let Some(e) = &report.extract {
        let s = &e.call_log;
        writeln!(
            out,
            "extract  call-log: {} days ({} fetched, {} already final), {} pages, {} records, {:.1} MB",
            s.days_total,
            s.days_fetched,
            s.days_skipped,
            s.pages,
            s.records,
            s.bytes as f64 / 1e6
        )?;
        let groups: Vec<String> = e
            .requests
            .by_group
            .iter()
            .map(|(g, st)| format!("{g} {}", st.requests))
            .collect();
        writeln!(
            out,
            "requests {} ({}), 429 responses: {}, retries: {}",
            e.requests.total_requests(),
            groups.join(", "),
            e.requests.total_429(),
            e.requests.by_group.values().map(|g| g.retries).sum::<u64>()
        )?;
        for (day, why) in &s.failed_days {
            writeln!(
                out,
                "FAILED   {day}: {why} (run the same command again to fetch it)"
            )?;
        }
    }
    if let Some(l) = &report.load {
        let rows: Vec<String> = l.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
        writeln!(out, "lake     rows: {}", rows.join(", "))?;
        writeln!(
            out,
            "         partitions: {} written, {} unchanged, {} removed; {} duplicate records merged",
            l.partitions_written,
            l.partitions_unchanged,
            l.partitions_removed,
            l.transform.duplicates_dropped
        )?;
        if l.dead_letters > 0 {
            writeln!(out, "SET ASIDE {} unreadable records, see:", l.dead_letters)?;
            for f in &l.dead_letter_files {
                writeln!(out, "         {}", f.display())?;
            }
        }
    }
    if let Some(lake) = lake {
        writeln!(out, "lake at  {}", lake.display())?;
    }
    writeln!(out, "wall     {:.1} s", report.wall.as_secs_f64())?;
    Ok(())
}
