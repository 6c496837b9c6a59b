//! Call-log pages → the `calls`, `call_legs` and `call_recordings` tables.

use std::collections::btree_map::Entry as BEntry;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use rayon::prelude::*;
use ringlake_model::{CallLogRecord, CallLogRecordingInfo, ListPage};
use serde::Serialize;
use tracing::{debug, info};

use crate::columns::{
    CallRow, LegRow, RecordingRow, build_batch, call_columns, extra_json, leg_columns,
    recording_columns,
};
use crate::error::{Error, Result};
use crate::pages::read_page_bytes;
use crate::schema::{CALL_LEGS_SCHEMA, CALL_RECORDINGS_SCHEMA, CALLS_SCHEMA, tables};

/// How to transform.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct TransformOptions {
    /// Partition dates are the record's start day in this zone.
    pub time_zone: Tz,
    /// When set: only these partition days are produced, each of them (empty when it has
    /// no rows, so that the loader clears a day that became empty), and records of other
    /// days are dropped.
    pub days: Option<BTreeSet<NaiveDate>>,
}

impl TransformOptions {
    /// UTC, all days.
    pub fn new() -> Self {
        Self {
            time_zone: Tz::UTC,
            days: None,
        }
    }

    pub fn with_time_zone(mut self, time_zone: Tz) -> Self {
        self.time_zone = time_zone;
        self
    }

    pub fn with_days(mut self, days: BTreeSet<NaiveDate>) -> Self {
        self.days = Some(days);
        self
    }
}

impl Default for TransformOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// What [`transform_call_log`] made.
#[derive(Debug)]
pub struct CallLogOutput {
    /// `calls`, `call_legs`, `call_recordings`, in that order. All three have the same
    /// partition days.
    pub tables: Vec<TableData>,
    /// Records that could not be read, in page order.
    pub dead_letters: Vec<DeadLetter>,
    pub stats: TransformStats,
}

/// One table's rows split by partition day; each batch sorted by the table's key.
#[derive(Debug)]
pub struct TableData {
    pub name: &'static str,
    pub schema: SchemaRef,
    pub partitions: BTreeMap<NaiveDate, RecordBatch>,
}

/// Counts of one run.
#[derive(Debug, Clone, Default)]
pub struct TransformStats {
    /// Page files read.
    pub pages: usize,
    /// Records found in the pages, readable or not.
    pub records_read: usize,
    /// Older copies of a record id seen more than once.
    pub duplicates_dropped: usize,
    /// Records whose partition day is not in [`TransformOptions::days`].
    pub outside_days_dropped: usize,
    /// Records that could not be read.
    pub dead_letters: usize,
}

/// A record that could not be read, with everything needed to look at it again.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetter {
    /// The table the record was meant for.
    pub table: &'static str,
    /// The page file it came from.
    pub source: String,
    /// Its 0-based position in the page's `records`.
    pub record_index: Option<usize>,
    pub reason: String,
    /// The record's JSON text, as received.
    pub raw: String,
}

/// A readable record and where it came from.
struct Found {
    rec: CallLogRecord,
    day: NaiveDate,
    page: usize,
    index: usize,
}

struct DecodedPage {
    found: Vec<Found>,
    dead_letters: Vec<DeadLetter>,
    records: usize,
}

/// Reads call-log page files (list or sync envelopes of `CallLogRecord`s) into the three
/// call-log tables, split by partition day.
///
/// Pages are decoded in parallel. A page that is not a JSON list envelope fails the whole
/// run (a corrupt raw file: nothing should be written); a record that cannot be read
/// becomes a [`DeadLetter`] and the rest of its page is kept. A record id seen more than
/// once keeps its copy with the newest `lastModifiedTime` (ties: the later page file by
/// path, then the later position in the page) — windows overlap when the server's
/// `dateTo` is inclusive and on re-fetches.
pub fn transform_call_log(pages: &[PathBuf], opts: &TransformOptions) -> Result<CallLogOutput> {
    let decoded: Vec<Result<DecodedPage>> = pages
        .par_iter()
        .enumerate()
        .map(|(i, path)| decode_page(i, path, opts.time_zone))
        .collect();

    let mut stats = TransformStats {
        pages: pages.len(),
        ..TransformStats::default()
    };
    let mut dead_letters = Vec::new();
    let mut found = Vec::new();
    for page in decoded {
        let page = page?;
        stats.records_read += page.records;
        dead_letters.extend(page.dead_letters);
        found.extend(page.found);
    }
    stats.dead_letters = dead_letters.len();

    let kept = dedupe(found, pages, &mut stats);

    let mut by_day: BTreeMap<NaiveDate, Vec<CallLogRecord>> = BTreeMap::new();
    for f in kept {
        if opts
            .days
            .as_ref()
            .is_some_and(|days| !days.contains(&f.day))
        {
            stats.outside_days_dropped += 1;
            continue;
        }
        by_day.entry(f.day).or_default().push(f.rec);
    }
    if let Some(days) = &opts.days {
        for day in days {
            if let BEntry::Vacant(v) = by_day.entry(*day) {
                v.insert(Vec::new());
            }
        }
    }

    let built: Vec<Result<(NaiveDate, [RecordBatch; 3])>> = by_day
        .into_par_iter()
        .map(|(day, mut calls)| build_day(day, &mut calls).map(|b| (day, b)))
        .collect();

    let mut out: [TableData; 3] = [
        table(tables::CALLS, &CALLS_SCHEMA),
        table(tables::CALL_LEGS, &CALL_LEGS_SCHEMA),
        table(tables::CALL_RECORDINGS, &CALL_RECORDINGS_SCHEMA),
    ];
    for day in built {
        let (day, batches) = day?;
        for (t, b) in out.iter_mut().zip(batches) {
            t.partitions.insert(day, b);
        }
    }

    info!(
        pages = stats.pages,
        records = stats.records_read,
        duplicates = stats.duplicates_dropped,
        outside_days = stats.outside_days_dropped,
        dead_letters = stats.dead_letters,
        partitions = out[0].partitions.len(),
        calls = out[0]
            .partitions
            .values()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        "Call log transformed."
    );
    Ok(CallLogOutput {
        tables: out.into(),
        dead_letters,
        stats,
    })
}

fn table(name: &'static str, schema: &SchemaRef) -> TableData {
    TableData {
        name,
        schema: schema.clone(),
        partitions: BTreeMap::new(),
    }
}

fn decode_page(page: usize, path: &Path, tz: Tz) -> Result<DecodedPage> {
    let bytes = read_page_bytes(path)?;
    let envelope: ListPage<'_> =
        serde_json::from_slice(&bytes).map_err(|e| Error::CorruptPage {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    let mut out = DecodedPage {
        found: Vec::with_capacity(envelope.records.len()),
        dead_letters: Vec::new(),
        records: envelope.records.len(),
    };
    for (index, raw) in envelope.records.iter().enumerate() {
        let read = serde_json::from_str::<CallLogRecord>(raw.get())
            .map_err(|e| e.to_string())
            .and_then(|rec| partition_day(rec.base.start_time, tz).map(|day| (rec, day)));
        match read {
            Ok((rec, day)) => out.found.push(Found {
                rec,
                day,
                page,
                index,
            }),
            Err(reason) => out.dead_letters.push(DeadLetter {
                table: tables::CALLS,
                source: path.display().to_string(),
                record_index: Some(index),
                reason,
                raw: raw.get().to_owned(),
            }),
        }
    }
    debug!(
        path = %path.display(),
        records = out.records,
        dead_letters = out.dead_letters.len(),
        "Page decoded."
    );
    Ok(out)
}

/// The day of `start_ms` in `tz`: the partition of the record and of its legs and recordings.
fn partition_day(start_ms: i64, tz: Tz) -> Result<NaiveDate, String> {
    DateTime::from_timestamp_millis(start_ms)
        .map(|t| t.with_timezone(&tz).date_naive())
        .ok_or_else(|| format!("startTime {start_ms} ms is out of the supported range"))
}

/// Keeps one copy per record id; see [`transform_call_log`] for which one.
fn dedupe(found: Vec<Found>, pages: &[PathBuf], stats: &mut TransformStats) -> Vec<Found> {
    // Ranking key: newest lastModifiedTime (absent is oldest), then later page by path,
    // then later position. Independent of the order the pages were given or decoded in.
    let newer = |a: &Found, b: &Found| {
        (a.rec.last_modified_time, &pages[a.page], a.index)
            > (b.rec.last_modified_time, &pages[b.page], b.index)
    };
    let mut slots: Vec<Option<Found>> = Vec::with_capacity(found.len());
    let mut winner: HashMap<String, usize> = HashMap::with_capacity(found.len());
    for f in found {
        match winner.entry(f.rec.id.clone()) {
            Entry::Vacant(v) => {
                v.insert(slots.len());
                slots.push(Some(f));
            }
            Entry::Occupied(o) => {
                stats.duplicates_dropped += 1;
                let slot = &mut slots[*o.get()];
                if slot.as_ref().is_some_and(|current| newer(&f, current)) {
                    *slot = Some(f);
                }
            }
        }
    }
    slots.into_iter().flatten().collect()
}

/// Builds the three batches of one partition day.
fn build_day(day: NaiveDate, calls: &mut [CallLogRecord]) -> Result<[RecordBatch; 3]> {
    calls.sort_by(|a, b| (a.base.start_time, &a.id).cmp(&(b.base.start_time, &b.id)));

    let call_rows: Vec<CallRow<'_>> = calls
        .iter()
        .map(|rec| {
            let (caller, callee) = ringout_results(rec);
            CallRow {
                rec,
                ringout_caller_result: caller,
                ringout_callee_result: callee,
                extra_json: extra_json(rec.unknown_fields()),
            }
        })
        .collect();

    let mut leg_rows: Vec<LegRow<'_>> = calls
        .iter()
        .flat_map(|rec| {
            rec.legs.iter().enumerate().map(move |(i, leg)| LegRow {
                call_id: &rec.id,
                leg_index: i32::try_from(i).unwrap_or(i32::MAX),
                leg,
                extra_json: extra_json(leg.unknown_fields()),
            })
        })
        .collect();
    leg_rows.sort_by(|a, b| {
        (a.leg.base.start_time, a.call_id, a.leg_index).cmp(&(
            b.leg.base.start_time,
            b.call_id,
            b.leg_index,
        ))
    });

    let mut recording_rows: Vec<RecordingRow<'_>> = calls.iter().flat_map(recordings_of).collect();
    recording_rows.sort_by(|a, b| {
        (a.start_time, a.call_id, a.recording_id).cmp(&(b.start_time, b.call_id, b.recording_id))
    });

    let arrow = |table: &'static str| {
        move |source| Error::Arrow {
            table,
            date: day,
            source,
        }
    };
    Ok([
        build_batch(&CALLS_SCHEMA, &call_columns(), &call_rows).map_err(arrow(tables::CALLS))?,
        build_batch(&CALL_LEGS_SCHEMA, &leg_columns(), &leg_rows)
            .map_err(arrow(tables::CALL_LEGS))?,
        build_batch(
            &CALL_RECORDINGS_SCHEMA,
            &recording_columns(),
            &recording_rows,
        )
        .map_err(arrow(tables::CALL_RECORDINGS))?,
    ])
}

/// The recordings a call references, its own first, then its legs' in API order; each
/// recording id once per call (legs usually repeat the call's recording).
fn recordings_of(rec: &CallLogRecord) -> Vec<RecordingRow<'_>> {
    let all = std::iter::once(rec.base.recording.as_ref())
        .chain(rec.legs.iter().map(|l| l.base.recording.as_ref()))
        .flatten();
    let mut out: Vec<RecordingRow<'_>> = Vec::new();
    for r in all {
        let Some(id) = r.id.as_deref() else { continue };
        if out.iter().any(|o| o.recording_id == id) {
            continue;
        }
        out.push(recording_row(rec, id, r));
    }
    out
}

fn recording_row<'a>(
    call: &'a CallLogRecord,
    id: &'a str,
    r: &'a CallLogRecordingInfo,
) -> RecordingRow<'a> {
    RecordingRow {
        recording_id: id,
        call_id: &call.id,
        start_time: call.base.start_time,
        rec: r,
    }
}

/// RingOut caller and callee results from the legs (API-NOTES §9): the caller's is the
/// `result` of the `RingOut…ToCaller` leg, the callee's that of the `RingOut…ToSubscriber`
/// leg, for every RingOut flavour (Client, Web, Device, OneLeg). A missing leg means that
/// party was never called (first party busy), so the value is null, not a failure.
fn ringout_results(rec: &CallLogRecord) -> (Option<&str>, Option<&str>) {
    let result_of = |suffix: &str| {
        rec.legs
            .iter()
            .find(|l| {
                l.leg_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with("RingOut") && t.ends_with(suffix))
            })
            .and_then(|l| l.base.result.as_deref())
    };
    (result_of("ToCaller"), result_of("ToSubscriber"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    fn rec(json: &str) -> CallLogRecord {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn ringout_flavours() {
        let r = rec(r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","legs":[
            {"startTime":"2020-01-01T00:00:00Z","legType":"RingOutWebToSubscriber","result":"Busy"},
            {"startTime":"2020-01-01T00:00:00Z","legType":"RingOutWebToCaller","result":"Call connected"}]}"#);
        assert_eq!(ringout_results(&r), (Some("Call connected"), Some("Busy")));
        let r = rec(r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","legs":[
            {"startTime":"2020-01-01T00:00:00Z","legType":"RingOutOneLegToCaller","result":"Busy"}]}"#);
        assert_eq!(ringout_results(&r), (Some("Busy"), None));
        let r = rec(r#"{"id":"a","startTime":"2020-01-01T00:00:00Z","legs":[
            {"startTime":"2020-01-01T00:00:00Z","legType":"Accept","result":"Accepted"}]}"#);
        assert_eq!(ringout_results(&r), (None, None));
    }

    #[test]
    fn partition_day_uses_the_zone() {
        // 2024-03-10T07:30Z is still March 9th in Los Angeles (PST, UTC-8).
        let ms = 1_710_055_800_000;
        assert_eq!(
            partition_day(ms, Tz::UTC),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 10).unwrap())
        );
        assert_eq!(
            partition_day(ms, chrono_tz::America::Los_Angeles),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 9).unwrap())
        );
    }

    #[test]
    fn recordings_once_per_call() {
        let r = rec(r#"{"id":"c","startTime":"2020-01-01T00:00:00Z",
            "recording":{"id":"r1","type":"OnDemand"},
            "legs":[{"startTime":"2020-01-01T00:00:00Z","legType":"Accept","recording":{"id":"r1"}},
                    {"startTime":"2020-01-01T00:00:00Z","legType":"Accept","recording":{"id":"r2"}},
                    {"startTime":"2020-01-01T00:00:00Z","legType":"Accept","recording":{"uri":"no id"}}]}"#);
        let ids: Vec<_> = recordings_of(&r).iter().map(|r| r.recording_id).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(recordings_of(&r)[0].rec.r#type.as_deref(), Some("OnDemand"));
    }
}
