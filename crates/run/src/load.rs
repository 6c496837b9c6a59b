//! The transform and load stages of a run: which days each stream may rewrite, and the
//! threads that stream those days from the transform into the lake.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::mpsc;

use anyhow::Context as _;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_contracts::Stream;
use ringlake_extract::RunDays;
use ringlake_load::{Lake, LoadOptions, LoadStats, TableWriter};
use ringlake_transform::{
    DayTables, DeadLetter, Error as TransformError, RecordBatch, TransformOptions,
};
use tracing::info;

use crate::report::{ExtractReport, LoadReport};

/// Which partitions each stream may rewrite after this extraction (each stream's
/// [`ringlake_extract::Extracted::loadable_days`]). The extension list is also read for the message store
/// alone; a stream's tables are written only when it was `asked` for.
pub(crate) fn load_jobs(
    asked: &[Stream],
    days: RunDays<'_>,
    ex: &ExtractReport,
) -> Vec<(Stream, BTreeSet<NaiveDate>)> {
    ex.streams
        .iter()
        .filter(|(stream, _)| asked.contains(stream))
        .map(|(stream, extracted)| (stream.table_owner(), extracted.loadable_days(days)))
        .filter(|(_, days)| !days.is_empty())
        .collect()
}

/// The streams whose tables the pages under `raw` make (one per set of tables: both
/// call-log modes give `call-log`), in [`Stream::ALL`] order; empty when `raw` holds none
/// of the stream directories.
pub fn raw_zone_streams(raw: &Path) -> Vec<Stream> {
    let mut streams: Vec<Stream> = Stream::ALL
        .into_iter()
        .filter(|s| raw.join(s.name()).is_dir())
        .map(Stream::table_owner)
        .collect();
    streams.sort();
    streams.dedup();
    streams
}

/// `ringlake transform`: each of `streams` from the raw zone → the lake. `days`: only these
/// partitions of the day-based streams (snapshots by their date); `None`: every day.
pub fn transform_raw_zone(
    raw: &Path,
    lake: &Lake,
    tz: Tz,
    streams: &[Stream],
    days: Option<BTreeSet<NaiveDate>>,
) -> anyhow::Result<LoadReport> {
    // The lake is written, the raw zone only read: a run must not publish pages under
    // the transform (it could read page 1 of one fetch and page 2 of the next).
    let _lock = crate::lock::RunLock::acquire(
        lake.local_path(),
        &crate::lock::Holder::this_process("transform"),
    )?
    .share(raw)?;
    let run_id = ringlake_load::new_run_id();
    let mut total = LoadReport::default();
    for stream in streams {
        total += transform_and_load(raw, lake, tz, *stream, days.clone(), &run_id)?;
    }
    Ok(total)
}

/// One stream's raw pages → tables → partitions. `days`: only these partitions, each
/// written (or cleared) whole; `None`: every day the raw zone holds. `run_id` names the
/// run in the manifests and the dead-letter files.
pub(crate) fn transform_and_load(
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
    let (days_tx, days_rx) = mpsc::sync_channel::<DayTables>(1);
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
    let load = loaded?;
    let out = match transformed {
        Ok(out) => out,
        Err(TransformError::Emit(e)) => return Err(anyhow::Error::from_boxed(e)),
        Err(e) => return Err(e.into()),
    };
    let report = LoadReport {
        transform: out.stats.clone(),
        load,
        dead_letters: out.dead_letters.len(),
        dead_letter_files: write_dead_letters(lake, &out.dead_letters, run_id)?,
    };
    info!(
        stream = stream.name(),
        pages = out.stats.pages,
        records = out.stats.records_read,
        written = report.load.partitions_written,
        unchanged = report.load.partitions_unchanged,
        dead_letters = report.dead_letters,
        "Lake updated."
    );
    Ok(report)
}

/// Writes the days' tables as they come: each table on a thread of its own with one open
/// [`TableWriter`] for the whole run, in day order. Not on rayon's threads, which decode
/// and build: publishing a file blocks in fsync, which would leave a core idle; and a
/// thread kept for the run keeps reusing the memory of its allocator arena (one started
/// per day would fault in fresh pages). The first table to fail stops the writing; its
/// error is returned.
fn write_days(
    lake: &Lake,
    load_opts: &LoadOptions,
    days: mpsc::Receiver<DayTables>,
) -> anyhow::Result<LoadStats> {
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
        let mut stats = LoadStats::default();
        let mut first_error = None;
        for (table, tx, writer) in writers {
            drop(tx);
            match writer.join() {
                Ok(Ok(writes)) => stats.tally(&writes),
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(anyhow::anyhow!("the {table} writer panicked"));
                }
            }
        }
        first_error.map_or(Ok(stats), Err)
    })
}

/// Hands one partition day of a table to its writer.
type PartitionSender = mpsc::SyncSender<(NaiveDate, RecordBatch)>;
/// A table writer's thread: every write it made, or its first error.
type TableThread<'scope> =
    std::thread::ScopedJoinHandle<'scope, anyhow::Result<Vec<ringlake_load::PartitionWrite>>>;

/// A thread that writes `table`'s partitions as they arrive on the returned sender, until
/// it is dropped, through one [`TableWriter`] (the table listed and its manifest read once,
/// the manifest replaced once at the end, also after an error); the thread's result is
/// every write, or the first error.
fn spawn_table_writer<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    lake: &'scope Lake,
    table: &'static str,
    load_opts: &'scope LoadOptions,
) -> (PartitionSender, TableThread<'scope>) {
    let (tx, rx) = mpsc::sync_channel::<(NaiveDate, RecordBatch)>(1);
    let writer = scope.spawn(move || {
        let mut writer = TableWriter::open(lake, table, load_opts)?;
        for (date, batch) in rx {
            if let Err(e) = writer.write(&BTreeMap::from([(date, batch)])) {
                // What was written before the error goes into the manifest all the same.
                let _ = writer.finish();
                return Err(e.into());
            }
        }
        Ok(writer.finish()?)
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

#[cfg(test)]
mod tests {
    use ringlake_extract::{ExtensionsSummary, StreamSummary};

    use super::*;

    #[test]
    fn failed_days_and_streams_not_asked_for_are_not_loaded() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 1, n).unwrap();
        let range = [d(1), d(2), d(3)];
        let days = RunDays {
            range: &range,
            snapshot_day: d(5),
            time_zone: chrono_tz::UTC,
        };
        let mut ex = ExtractReport::default();
        let calls = StreamSummary {
            failed_days: vec![(d(2), "503".into())],
            ..StreamSummary::default()
        };
        ex.streams.insert(Stream::CallLog, Box::new(calls));
        ex.streams
            .insert(Stream::Extensions, Box::new(ExtensionsSummary::default()));
        // The message store alone asked for: the extension list was read, not loaded.
        assert_eq!(
            load_jobs(&[Stream::CallLog, Stream::MessageStore], days, &ex),
            [(Stream::CallLog, BTreeSet::from([d(1), d(3)]))]
        );
        assert_eq!(
            load_jobs(&[Stream::Extensions], days, &ex),
            [(Stream::Extensions, BTreeSet::from([d(5)]))]
        );
    }
}
