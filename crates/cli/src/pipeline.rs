//! Wiring of the stages: extract → transform → load, and the run summary. Stages hand each
//! other plain data (raw page files, record batches, Parquet paths).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use ringlake_extract::{
    AccountSummary, ApiClient, ClientOptions, Credentials, ExtensionsSummary, ExtractOptions,
    MessageStoreSummary, Progress, RateGroup, RequestStats, RunPlan, SnapshotSummary,
    StreamSummary, SyncSummary,
};
use ringlake_load::{Lake, LoadOptions, PartitionWrite};
use ringlake_transform::{
    DayTables, DeadLetter, Error as TransformError, TransformOptions, TransformStats,
};
use tracing::info;

use crate::config::{RunConfig, Stream};

/// What a run did, for the summary and the exit code.
#[derive(Debug, Default)]
pub struct RunReport {
    pub extract: Option<ExtractReport>,
    pub load: Option<LoadReport>,
    pub wall: Duration,
}

/// What the extract stage did, stream by stream.
#[derive(Debug, Default)]
pub struct ExtractReport {
    pub call_log: Option<StreamSummary>,
    pub call_log_sync: Option<SyncSummary>,
    pub extensions: Option<ExtensionsSummary>,
    pub message_store: Option<MessageStoreSummary>,
    pub active_calls: Option<SnapshotSummary>,
    pub account: Option<AccountSummary>,
    /// Requests and wall time of each stream, in the order they ran.
    pub stages: Vec<StageFigures>,
    /// Requests of the whole run.
    pub requests: RequestStats,
}

/// The cost of one stream's extraction.
#[derive(Debug, Clone)]
pub struct StageFigures {
    pub stream: Stream,
    /// Requests per rate group (retries included).
    pub requests: BTreeMap<RateGroup, u64>,
    pub wall: Duration,
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
    /// Where the dead letters went (paths or URLs).
    pub dead_letter_files: Vec<String>,
}

impl LoadReport {
    /// Counts one table's partition writes.
    fn tally(&mut self, table: &'static str, writes: &[PartitionWrite]) {
        *self.rows.entry(table).or_default() += writes.iter().map(|w| w.rows).sum::<usize>();
        for PartitionWrite { path, changed, .. } in writes {
            match (path, changed) {
                (None, _) => self.partitions_removed += usize::from(*changed),
                (Some(_), true) => self.partitions_written += 1,
                (Some(_), false) => self.partitions_unchanged += 1,
            }
        }
    }

    fn add(&mut self, other: LoadReport) {
        self.transform += &other.transform;
        for (table, rows) in other.rows {
            *self.rows.entry(table).or_default() += rows;
        }
        self.partitions_written += other.partitions_written;
        self.partitions_unchanged += other.partitions_unchanged;
        self.partitions_removed += other.partitions_removed;
        self.dead_letters += other.dead_letters;
        self.dead_letter_files.extend(other.dead_letter_files);
    }
}

impl RunReport {
    /// True when the run finished but left work for the next run or set records aside.
    pub fn incomplete(&self) -> bool {
        self.extract.as_ref().is_some_and(|e| {
            e.call_log
                .as_ref()
                .is_some_and(|s| !s.failed_days.is_empty())
                || e.call_log_sync.as_ref().is_some_and(|s| s.error.is_some())
                || e.message_store
                    .as_ref()
                    .is_some_and(|s| !s.failed_mailboxes.is_empty())
        }) || self.load.as_ref().is_some_and(|l| l.dead_letters > 0)
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
    let streams: Vec<&str> = cfg.streams.iter().map(|s| s.name()).collect();
    info!(pipeline = %cfg.name, from = %cfg.from, to = %cfg.to, days = days.len(), tz = %cfg.time_zone, streams = %streams.join(","), "Run started.");

    if load {
        // Before an hour of paging, not after it.
        cfg.lake.check_writable()?;
    }
    let client =
        ApiClient::new(creds, ClientOptions::default()).context("cannot set up the API client")?;
    let opts = extract_options(cfg);
    let wants = |s: Stream| cfg.streams.contains(&s);
    // Snapshots (the extension list, active calls) are dated by the day the run takes them.
    let snapshot_day = Utc::now().with_timezone(&cfg.time_zone).date_naive();
    // A stream's cost is the requests of its own rate group; the streams of different groups
    // run at the same time, so a difference of totals would mix them.
    let stage = |stream: Stream, group: RateGroup, before: &RequestStats, began: Instant| {
        let count = |st: &RequestStats| st.by_group.get(&group).map_or(0, |g| g.requests);
        StageFigures {
            stream,
            requests: BTreeMap::from([(group, count(&client.stats()) - count(before))]),
            wall: began.elapsed(),
        }
    };

    // The call log and active calls are Heavy, the extension list Medium and the message
    // store and the account Light: each group has its own budget (docs/api.md §5), so the two branches run side
    // by side and the run takes as long as the slower one, not the sum.
    let calls = async {
        let mut ex = ExtractReport::default();
        if wants(Stream::CallLog) {
            let (before, began) = (client.stats(), Instant::now());
            ex.call_log =
                Some(ringlake_extract::extract_call_log(&client, &opts, &days, progress).await?);
            ex.stages
                .push(stage(Stream::CallLog, RateGroup::Heavy, &before, began));
        }
        if wants(Stream::CallLogSync) {
            let (before, began) = (client.stats(), Instant::now());
            // Where a first session starts; later sessions go on from the saved token.
            let since = ringlake_contracts::day::day_window(cfg.from, cfg.time_zone).0;
            ex.call_log_sync = Some(
                ringlake_extract::extract_call_log_sync(&client, &opts, since, progress).await?,
            );
            ex.stages
                .push(stage(Stream::CallLogSync, RateGroup::Heavy, &before, began));
        }
        if wants(Stream::ActiveCalls) {
            let (before, began) = (client.stats(), Instant::now());
            ex.active_calls =
                Some(ringlake_extract::snapshot_active_calls(&client, &opts, progress).await?);
            ex.stages
                .push(stage(Stream::ActiveCalls, RateGroup::Heavy, &before, began));
        }
        anyhow::Ok(ex)
    };
    let messages = async {
        let mut ex = ExtractReport::default();
        if wants(Stream::Account) {
            let (before, began) = (client.stats(), Instant::now());
            ex.account = Some(
                ringlake_extract::snapshot_account(&client, &opts, snapshot_day, progress).await?,
            );
            ex.stages
                .push(stage(Stream::Account, RateGroup::Light, &before, began));
        }
        if wants(Stream::Extensions) || wants(Stream::MessageStore) {
            // The message store needs the list of mailboxes, so it reads the extension list
            // even when the `extensions` table is not asked for.
            let (before, began) = (client.stats(), Instant::now());
            let list = ringlake_extract::extract_extensions(&client, &opts, snapshot_day, progress)
                .await?;
            ex.stages
                .push(stage(Stream::Extensions, RateGroup::Medium, &before, began));
            if wants(Stream::MessageStore) {
                let (before, began) = (client.stats(), Instant::now());
                ex.message_store = Some(
                    ringlake_extract::extract_message_store(
                        &client,
                        &opts,
                        &list.extensions,
                        &days,
                        progress,
                    )
                    .await?,
                );
                ex.stages.push(stage(
                    Stream::MessageStore,
                    RateGroup::Light,
                    &before,
                    began,
                ));
            }
            ex.extensions = Some(list);
        }
        anyhow::Ok(ex)
    };
    // The first error cancels the other branch; its staged pages are removed and what it
    // finished is in the checkpoint.
    let (calls, messages) = tokio::try_join!(calls, messages)?;
    let mut ex = ExtractReport {
        call_log: calls.call_log,
        call_log_sync: calls.call_log_sync,
        active_calls: calls.active_calls,
        extensions: messages.extensions,
        message_store: messages.message_store,
        account: messages.account,
        stages: calls.stages.into_iter().chain(messages.stages).collect(),
        requests: RequestStats::default(),
    };
    ex.requests = client.stats();
    // For the next dry run's wall-time estimate; a run that worked is not failed for it.
    if let Err(e) = client.save_announced_limits(&cfg.state) {
        tracing::warn!(error = %e, "Cannot keep the announced rate limits.");
    }

    let mut report = RunReport::default();
    if load {
        let jobs = load_jobs(cfg, &days, snapshot_day, &ex);
        let (raw, lake, tz) = (cfg.raw.clone(), cfg.lake.clone(), cfg.time_zone);
        report.load = Some(
            tokio::task::spawn_blocking(move || {
                let mut total = LoadReport::default();
                let run_id = ringlake_load::new_run_id();
                for (stream, days) in jobs {
                    total.add(transform_and_load(
                        &raw,
                        &lake,
                        tz,
                        stream,
                        Some(days),
                        &run_id,
                    )?);
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
pub fn dry_run(cfg: &RunConfig) -> anyhow::Result<RunPlan> {
    let opts = extract_options(cfg);
    Ok(ringlake_extract::plan_run(
        &cfg.days(),
        &opts,
        &cfg.streams,
    )?)
}

/// The plan, for people: windows, requests per group, wall time.
pub fn print_plan(
    out: &mut dyn std::io::Write,
    cfg: &RunConfig,
    plan: &RunPlan,
) -> std::io::Result<()> {
    writeln!(
        out,
        "dry run  {}..{} ({}), streams {}; nothing was requested",
        cfg.from,
        cfg.to,
        cfg.time_zone,
        cfg.streams
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(",")
    )?;
    if cfg.streams.contains(&Stream::CallLog) {
        let to_fetch = plan
            .call_log
            .iter()
            .filter(|(_, _, settled)| !settled)
            .count();
        writeln!(
            out,
            "call-log {} days to fetch, {} settled (skipped)",
            to_fetch,
            plan.call_log.len() - to_fetch
        )?;
        for (day, (from, to), settled) in &plan.call_log {
            writeln!(
                out,
                "         {day}  dateFrom {}  dateTo {}  {}",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                to.format("%Y-%m-%dT%H:%M:%SZ"),
                if *settled { "settled" } else { "fetch" }
            )?;
        }
    }
    if cfg.streams.contains(&Stream::CallLogSync) {
        writeln!(
            out,
            "call-log-sync one session: every record modified since the last session (the first one: since {} in {}), then days {}..{} rebuilt",
            cfg.from, cfg.time_zone, cfg.from, cfg.to
        )?;
    }
    if cfg.streams.contains(&Stream::MessageStore) {
        if plan.mailboxes_known == 0 {
            writeln!(
                out,
                "messages mailboxes not known yet: the extension list is read first, then one request window per mailbox"
            )?;
        } else {
            writeln!(
                out,
                "messages {} of {} known mailboxes to fetch, one request window each (new extensions add one each)",
                plan.mailboxes.len(),
                plan.mailboxes_known
            )?;
            for m in &plan.mailboxes {
                writeln!(
                    out,
                    "         extension {}  dateFrom {}  dateTo {}  ({} days)",
                    m.mailbox,
                    m.window.0.format("%Y-%m-%dT%H:%M:%SZ"),
                    m.window.1.format("%Y-%m-%dT%H:%M:%SZ"),
                    m.days.len()
                )?;
            }
        }
    }
    let groups: Vec<String> = plan
        .requests
        .iter()
        .map(|(g, n)| {
            let (limit, window) = plan.limits[g];
            format!("{g} ≥{n} (limit {limit} per {} s)", window.as_secs_f64())
        })
        .collect();
    writeln!(out, "requests {}", groups.join(", "))?;
    writeln!(
        out,
        "wall     ≥{:.0} s at the {} limits (Heavy beside Medium + Light)",
        plan.wall.as_secs_f64(),
        if plan.limits_from_account {
            "account's announced"
        } else {
            "default plan's"
        }
    )
}

fn extract_options(cfg: &RunConfig) -> ExtractOptions {
    ExtractOptions::new(cfg.raw.clone(), cfg.state.clone())
        .with_time_zone(cfg.time_zone)
        .with_lookback_days(cfg.lookback_days)
        .with_concurrency(cfg.concurrency)
        .with_per_page(cfg.per_page)
}

/// Which partitions each stream may rewrite after this extraction. A day that could not be
/// fetched keeps whatever the lake already has for it: writing it from an incomplete raw
/// zone would replace good rows with fewer.
fn load_jobs(
    cfg: &RunConfig,
    days: &[NaiveDate],
    snapshot_day: NaiveDate,
    ex: &ExtractReport,
) -> Vec<(Stream, BTreeSet<NaiveDate>)> {
    let mut jobs = Vec::new();
    if let Some(s) = &ex.call_log {
        let failed: BTreeSet<NaiveDate> = s.failed_days.iter().map(|(d, _)| *d).collect();
        let ready = days.iter().copied().filter(|d| !failed.contains(d));
        jobs.push((Stream::CallLog, ready.collect()));
    }
    if ex.call_log_sync.is_some() {
        // Every day of the range is rebuilt from all the pages landed so far (both modes):
        // a day's records may have come in any earlier session, and the raw zone only
        // grows, so no rebuild can lose a row. Unchanged partitions keep their bytes.
        jobs.push((Stream::CallLog, days.iter().copied().collect()));
    }
    if let Some(s) = &ex.message_store {
        jobs.push((Stream::MessageStore, s.complete_days.clone()));
    }
    if ex.extensions.is_some() && cfg.streams.contains(&Stream::Extensions) {
        jobs.push((Stream::Extensions, BTreeSet::from([snapshot_day])));
    }
    if ex.account.is_some() {
        jobs.push((Stream::Account, BTreeSet::from([snapshot_day])));
    }
    if let Some(s) = &ex.active_calls {
        let day = s.taken_at.with_timezone(&cfg.time_zone).date_naive();
        jobs.push((Stream::ActiveCalls, BTreeSet::from([day])));
    }
    jobs.retain(|(_, days)| !days.is_empty());
    jobs
}

/// `ringlake transform`: every stream whose directory the raw zone holds → the lake.
/// `days`: only these partitions of the day-based streams (snapshots by their date).
pub fn transform_raw_zone(
    raw: &Path,
    lake: &Lake,
    tz: Tz,
    days: Option<BTreeSet<NaiveDate>>,
) -> anyhow::Result<LoadReport> {
    let mut streams: Vec<Stream> = Stream::ALL
        .into_iter()
        .filter(|s| raw.join(s.name()).is_dir())
        .map(Stream::table_owner)
        .collect();
    streams.dedup();
    if streams.is_empty() {
        return Err(crate::config::ConfigError(format!(
            "{} holds none of the stream directories {}",
            raw.display(),
            Stream::ALL.map(|s| s.name()).join(", ")
        ))
        .into());
    }
    let mut total = LoadReport::default();
    let run_id = ringlake_load::new_run_id();
    for stream in streams {
        total.add(transform_and_load(
            raw,
            lake,
            tz,
            stream,
            days.clone(),
            &run_id,
        )?);
    }
    Ok(total)
}

/// One stream's raw pages → tables → partitions. `days`: only these partitions, each
/// written (or cleared) whole; `None`: every day the raw zone holds. `run_id` names the
/// run in the manifests and the dead-letter files.
pub fn transform_and_load(
    raw: &Path,
    lake: &Lake,
    tz: Tz,
    stream: Stream,
    days: Option<BTreeSet<NaiveDate>>,
    run_id: &str,
) -> anyhow::Result<LoadReport> {
    let mut pages = Vec::new();
    let sources = stream.sources();
    for (i, source) in sources.iter().enumerate() {
        // A mode never run has no directory; the first one is required when none exists.
        let last = i + 1 == sources.len();
        if raw.join(source.name()).is_dir() || (last && pages.is_empty()) {
            pages.extend(
                ringlake_transform::find_pages(raw, *source, days.as_ref())
                    .with_context(|| format!("cannot list raw pages in {}", raw.display()))?,
            );
        }
    }
    let mut opts = TransformOptions::new().with_time_zone(tz);
    if let Some(d) = days {
        opts = opts.with_days(d);
    }
    let load_opts = LoadOptions::new().with_run_id(run_id);
    // Days go to the lake writers through a short queue, so that encoding and storing one
    // day overlaps decoding the next window, and at most a few days wait in memory.
    let (days_tx, days_rx) = std::sync::mpsc::sync_channel::<DayTables>(1);
    let (transformed, loaded) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| write_days(lake, &load_opts, days_rx));
        let transformed = ringlake_transform::transform_by_day(stream, &pages, &opts, |day| {
            days_tx
                .send(day)
                .map_err(|_| TransformError::Emit("the lake writer stopped".into()))
        });
        drop(days_tx);
        let loaded = writer
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the lake writer panicked")));
        (transformed, loaded)
    });
    // The writer's error is the cause when both failed (the transform only saw it stop).
    let mut report = loaded?;
    let out = match transformed {
        Ok(out) => out,
        Err(TransformError::Emit(e)) => return Err(anyhow::Error::from_boxed(e)),
        Err(e) => return Err(e.into()),
    };
    report.transform = out.stats.clone();
    report.dead_letters = out.dead_letters.len();
    report.dead_letter_files = write_dead_letters(lake, &out.dead_letters, run_id)?;
    info!(
        stream = stream.name(),
        pages = out.stats.pages,
        records = out.stats.records_read,
        written = report.partitions_written,
        unchanged = report.partitions_unchanged,
        dead_letters = report.dead_letters,
        "Lake updated."
    );
    Ok(report)
}

/// Writes the days' tables as they come: each table on a thread of its own for the whole
/// run, in day order. Not on rayon's threads, which decode and build: publishing a file
/// blocks in fsync, which would leave a core idle; and a thread kept for the run keeps
/// reusing the memory of its allocator arena (one started per day would fault in fresh
/// pages). The first table to fail stops the writing; its error is returned.
fn write_days(
    lake: &Lake,
    load_opts: &LoadOptions,
    days: std::sync::mpsc::Receiver<DayTables>,
) -> anyhow::Result<LoadReport> {
    std::thread::scope(|scope| {
        let mut writers = Vec::new();
        'days: for day in days {
            for (table, batch) in day.batches {
                let i = writers.iter().position(|(t, _, _)| *t == table);
                let i = i.unwrap_or_else(|| {
                    let (tx, writer) = spawn_table_writer(scope, lake, table, load_opts);
                    writers.push((table, tx, writer));
                    writers.len() - 1
                });
                let (_, tx, _) = &writers[i];
                if tx.send((day.day, batch)).is_err() {
                    // That table's writer stopped on an error, which its result holds.
                    break 'days;
                }
            }
        }
        let mut report = LoadReport::default();
        let mut first_error = None;
        for (table, tx, writer) in writers {
            drop(tx);
            match writer.join() {
                Ok(Ok(writes)) => report.tally(table, writes.as_slice()),
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(anyhow::anyhow!("the {table} writer panicked"));
                }
            }
        }
        first_error.map_or(Ok(report), Err)
    })
}

/// Hands one partition day of a table to its writer.
type PartitionSender = std::sync::mpsc::SyncSender<(NaiveDate, ringlake_transform::RecordBatch)>;
/// A table writer's thread: every write it made, or its first error.
type TableWriter<'scope> =
    std::thread::ScopedJoinHandle<'scope, anyhow::Result<Vec<PartitionWrite>>>;

/// A thread that writes `table`'s partitions as they arrive on the returned sender, until
/// it is dropped; the thread's result is every write, or the first error.
fn spawn_table_writer<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    lake: &'scope Lake,
    table: &'static str,
    load_opts: &'scope LoadOptions,
) -> (PartitionSender, TableWriter<'scope>) {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let writer = scope.spawn(move || {
        let mut writes = Vec::new();
        for (date, batch) in rx {
            let partition = BTreeMap::from([(date, batch)]);
            writes.extend(ringlake_load::write_table(
                lake, table, &partition, load_opts,
            )?);
        }
        Ok(writes)
    });
    (tx, writer)
}

/// Records that could not be read go to `<lake>/_dead_letter/<table>/<run id>.jsonl`,
/// one JSON object per line with the raw record, the reason and the page it came from.
fn write_dead_letters(
    lake: &Lake,
    letters: &[DeadLetter],
    run_id: &str,
) -> anyhow::Result<Vec<String>> {
    let mut by_table: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for l in letters {
        let lines = by_table.entry(l.table).or_default();
        serde_json::to_writer(&mut *lines, l)?;
        lines.push(b'\n');
    }
    let mut files = Vec::new();
    for (table, lines) in by_table {
        files.push(lake.put(&format!("_dead_letter/{table}/{run_id}.jsonl"), lines)?);
    }
    Ok(files)
}

/// The summary printed at the end of a run (stdout: it is the command's result).
pub fn print_summary(
    out: &mut dyn std::io::Write,
    report: &RunReport,
    lake: Option<&Lake>,
) -> std::io::Result<()> {
    if let Some(e) = &report.extract {
        print_extract(out, e)?;
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
                writeln!(out, "         {f}")?;
            }
        }
    }
    if let Some(lake) = lake {
        writeln!(out, "lake at  {lake}")?;
    }
    writeln!(out, "wall     {:.1} s", report.wall.as_secs_f64())?;
    Ok(())
}

fn print_extract(out: &mut dyn std::io::Write, e: &ExtractReport) -> std::io::Result<()> {
    let mb = |bytes: u64| bytes as f64 / 1e6;
    for st in &e.stages {
        let what = match st.stream {
            Stream::CallLog => e.call_log.as_ref().map(|s| {
                format!(
                    "{} days ({} fetched, {} already final), {} pages, {} records, {:.1} MB",
                    s.days_total,
                    s.days_fetched,
                    s.days_skipped,
                    s.pages,
                    s.records,
                    mb(s.bytes)
                )
            }),
            Stream::Extensions => e.extensions.as_ref().map(|s| {
                format!(
                    "{} extensions, {} pages, {:.1} MB",
                    s.records,
                    s.pages,
                    mb(s.bytes)
                )
            }),
            Stream::MessageStore => e.message_store.as_ref().map(|s| {
                format!(
                    "{} mailboxes ({} fetched, {} already final, {} without a store), {} pages, {} records, {:.1} MB",
                    s.mailboxes_total,
                    s.mailboxes_fetched,
                    s.mailboxes_skipped,
                    s.mailboxes_without_store,
                    s.pages,
                    s.records,
                    mb(s.bytes)
                )
            }),
            Stream::CallLogSync => e.call_log_sync.as_ref().map(|s| {
                format!(
                    "session {} ({} full syncs, {} tokens refused), {} pages, {} records over {} days, {:.1} MB",
                    s.session,
                    s.full_syncs,
                    s.tokens_refused,
                    s.pages,
                    s.records,
                    s.days.len(),
                    mb(s.bytes)
                )
            }),
            Stream::ActiveCalls => e
                .active_calls
                .as_ref()
                .map(|s| format!("{} calls in progress, {} pages", s.records, s.pages)),
            Stream::Account => e.account.as_ref().map(|s| {
                format!(
                    "time zone {}, currency {}",
                    s.time_zone.as_deref().unwrap_or("not given"),
                    s.currency.as_deref().unwrap_or("not given")
                )
            }),
        };
        // The fewest requests paging allows, beside those made: the difference is retries,
        // 429s and empty last pages (a sync session has no such bound).
        let minimum = match st.stream {
            Stream::CallLog => e.call_log.as_ref().map(|s| s.min_requests),
            Stream::MessageStore => e.message_store.as_ref().map(|s| s.min_requests),
            Stream::Extensions => e.extensions.as_ref().map(|s| s.min_requests),
            Stream::ActiveCalls => e.active_calls.as_ref().map(|s| s.min_requests),
            Stream::Account => Some(1),
            Stream::CallLogSync => None,
        };
        let requests: Vec<String> = st
            .requests
            .iter()
            .map(|(g, n)| match minimum {
                Some(min) => format!("{g} {n} (paging minimum {min})"),
                None => format!("{g} {n}"),
            })
            .collect();
        writeln!(
            out,
            "extract  {}: {}; requests: {}; {:.1} s",
            st.stream.name(),
            what.unwrap_or_default(),
            if requests.is_empty() {
                "none".to_string()
            } else {
                requests.join(", ")
            },
            st.wall.as_secs_f64()
        )?;
    }
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
    for (day, why) in e.call_log.iter().flat_map(|s| &s.failed_days) {
        writeln!(
            out,
            "FAILED   call-log {day}: {why} (run the same command again to fetch it)"
        )?;
    }
    if let Some(why) = e.call_log_sync.as_ref().and_then(|s| s.error.as_ref()) {
        writeln!(
            out,
            "FAILED   call-log-sync stopped early: {why} (what landed is kept; run the same command again to go on)"
        )?;
    }
    for (mailbox, why) in e.message_store.iter().flat_map(|s| &s.failed_mailboxes) {
        writeln!(
            out,
            "FAILED   message-store of extension {mailbox}: {why} (run the same command again to fetch it)"
        )?;
    }
    Ok(())
}
