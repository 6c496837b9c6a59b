//! What every stream's transform shares: options, output types, and the run itself —
//! pages decoded in parallel, unreadable records to dead letters, duplicates dropped,
//! records split by partition day and filtered by [`TransformOptions::days`], batches
//! built per day in parallel.

use std::collections::btree_map::Entry as BEntry;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use rayon::prelude::*;
use ringlake_model::BulkItem;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tracing::{debug, info};

use crate::error::{Error, Result};
use crate::layout::{PageLayout, corrupt_page_remedy};
use crate::pages::read_page_bytes;

/// How to transform.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct TransformOptions {
    /// Partition dates are the record's start/creation day in this zone.
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

/// What a transform made. Every transform returns this type (call log, message store,
/// extensions, active calls).
#[derive(Debug)]
pub struct TransformOutput {
    /// The stream's tables, parent table first (`calls`, `call_legs`, `call_recordings`;
    /// `messages`, `message_recipients`, `message_attachments`; `extensions`;
    /// `active_calls`). All tables of one output have the same partition days.
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

/// Counts of one run. `records_read` is the sum of all the others plus the rows kept.
#[derive(Debug, Clone, Default)]
pub struct TransformStats {
    /// Page files read.
    pub pages: usize,
    /// Records found in the pages (bulk items included), readable or not.
    pub records_read: usize,
    /// Older copies of a record seen more than once.
    pub duplicates_dropped: usize,
    /// Records whose partition day is not in [`TransformOptions::days`].
    pub outside_days_dropped: usize,
    /// Message-sync records of deleted or purged messages, which carry only `id` and
    /// `availability` (API-NOTES §1.9): without `creationTime` they have no partition day.
    pub deleted_stubs_dropped: usize,
    /// Items of a bulk (207) response whose status is not 200 (API-NOTES §6.2). An item
    /// that cannot be read as one is a dead letter instead.
    pub bulk_items_skipped: usize,
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
    /// Its 0-based position in the page's `records` (or bulk array).
    pub record_index: Option<usize>,
    pub reason: String,
    /// The record's JSON text, as received.
    pub raw: String,
}

/// A record that has a key to deduplicate on.
pub(crate) trait Keyed {
    type Key: Eq + Hash;
    fn key(&self) -> Self::Key;
    /// The copy with the newest value wins; `None` is oldest.
    fn last_modified(&self) -> Option<i64>;
}

/// The page bodies a stream accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageShapes {
    /// A list or sync envelope `{"records": [...]}` only.
    List,
    /// A list/sync envelope, a single record object (by-id GET), or a bulk JSON array
    /// `[{resourceId, status, body}]` (API-NOTES §1.9).
    ListItemOrBulk,
}

/// What one raw record became.
pub(crate) enum Read<T> {
    Row(T, NaiveDate),
    /// A deleted/purged message-sync stub, see [`TransformStats::deleted_stubs_dropped`].
    DeletedStub,
    Dead(String),
}

/// One stream: how its pages are read.
pub(crate) trait Stream: Sync {
    type Item: Keyed + Send;
    /// What a page's path says about its records (mailbox, snapshot…).
    type PageContext;
    /// The table dead letters are filed under.
    const TABLE: &'static str;
    const SHAPES: PageShapes;
    /// Where its pages sit in the raw zone (what to do about a corrupt one).
    const LAYOUT: PageLayout;
    fn page_context(&self, path: &Path) -> Result<Self::PageContext>;
    fn read(&self, raw: &str, ctx: &Self::PageContext, tz: Tz) -> Read<Self::Item>;
}

/// The readable records of a run, deduplicated and split by partition day.
pub(crate) struct Collected<T> {
    pub by_day: BTreeMap<NaiveDate, Vec<T>>,
    pub dead_letters: Vec<DeadLetter>,
    pub stats: TransformStats,
}

struct Found<T> {
    item: T,
    day: NaiveDate,
    page: usize,
    index: usize,
}

struct DecodedPage<T> {
    found: Vec<Found<T>>,
    dead_letters: Vec<DeadLetter>,
    records: usize,
    deleted_stubs: usize,
    bulk_skipped: usize,
}

/// Reads `pages` in parallel and keeps one copy per key: the newest `last_modified`
/// (ties: the later page file by path, then the later position in the page), independent
/// of the order the pages were given or decoded in. Then applies [`TransformOptions::days`].
///
/// A page that cannot be read as a page fails the run (a corrupt raw file: nothing should
/// be written), with an error that names the directory to delete so that the extract stage
/// fetches it again; a record that cannot be read becomes a [`DeadLetter`] and the rest of
/// its page is kept.
pub(crate) fn collect<S: Stream>(
    stream: &S,
    pages: &[PathBuf],
    opts: &TransformOptions,
) -> Result<Collected<S::Item>> {
    let decoded: Vec<Result<DecodedPage<S::Item>>> = pages
        .par_iter()
        .enumerate()
        .map(|(i, path)| decode_page(stream, i, path, opts.time_zone))
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
        stats.deleted_stubs_dropped += page.deleted_stubs;
        stats.bulk_items_skipped += page.bulk_skipped;
        dead_letters.extend(page.dead_letters);
        found.extend(page.found);
    }
    stats.dead_letters = dead_letters.len();

    let kept = dedupe(found, pages, &mut stats);

    let mut by_day: BTreeMap<NaiveDate, Vec<S::Item>> = BTreeMap::new();
    for f in kept {
        if opts
            .days
            .as_ref()
            .is_some_and(|days| !days.contains(&f.day))
        {
            stats.outside_days_dropped += 1;
            continue;
        }
        by_day.entry(f.day).or_default().push(f.item);
    }
    if let Some(days) = &opts.days {
        for day in days {
            if let BEntry::Vacant(v) = by_day.entry(*day) {
                v.insert(Vec::new());
            }
        }
    }
    Ok(Collected {
        by_day,
        dead_letters,
        stats,
    })
}

/// Builds every table of every day in parallel: `build` returns one batch per table of
/// `tables`, in that order.
pub(crate) fn build_tables<T, F>(
    tables: &[(&'static str, &SchemaRef)],
    by_day: BTreeMap<NaiveDate, Vec<T>>,
    build: F,
) -> Result<Vec<TableData>>
where
    T: Send,
    F: Fn(NaiveDate, &mut [T]) -> Result<Vec<RecordBatch>> + Sync,
{
    let built: Vec<Result<(NaiveDate, Vec<RecordBatch>)>> = by_day
        .into_par_iter()
        .map(|(day, mut items)| build(day, &mut items).map(|b| (day, b)))
        .collect();
    let mut out: Vec<TableData> = tables
        .iter()
        .map(|(name, schema)| TableData {
            name,
            schema: (*schema).clone(),
            partitions: BTreeMap::new(),
        })
        .collect();
    for day in built {
        let (day, batches) = day?;
        for (t, b) in out.iter_mut().zip(batches) {
            t.partitions.insert(day, b);
        }
    }
    Ok(out)
}

/// Logs the run's counts and assembles the output.
pub(crate) fn finish(
    what: &'static str,
    tables: Vec<TableData>,
    dead_letters: Vec<DeadLetter>,
    stats: TransformStats,
) -> TransformOutput {
    let rows: usize = tables.first().map_or(0, |t| {
        t.partitions.values().map(RecordBatch::num_rows).sum()
    });
    info!(
        stream = what,
        pages = stats.pages,
        records = stats.records_read,
        duplicates = stats.duplicates_dropped,
        outside_days = stats.outside_days_dropped,
        deleted_stubs = stats.deleted_stubs_dropped,
        bulk_skipped = stats.bulk_items_skipped,
        dead_letters = stats.dead_letters,
        partitions = tables.first().map_or(0, |t| t.partitions.len()),
        rows,
        "Stream transformed."
    );
    TransformOutput {
        tables,
        dead_letters,
        stats,
    }
}

/// Builds an Arrow-error mapper for one table and day.
pub(crate) fn arrow_error(
    table: &'static str,
    date: NaiveDate,
) -> impl Fn(arrow::error::ArrowError) -> Error {
    move |error| Error::Arrow { table, date, error }
}

/// The day of `ms` in `tz`: the partition of a record and of its child rows.
pub(crate) fn partition_day(ms: i64, tz: Tz, field: &str) -> Result<NaiveDate, String> {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).date_naive())
        .ok_or_else(|| format!("{field} {ms} ms is out of the supported range"))
}

/// One entry of a page body.
#[derive(Debug)]
enum PageRecord<'a> {
    Record(&'a RawValue),
    /// A bulk item whose status is not 200, see [`TransformStats::bulk_items_skipped`].
    SkippedBulkItem,
    /// A bulk item that cannot be read as one: its text and why.
    BadBulkItem(&'a RawValue, String),
}

/// The entries of one page body. A body that is not one of `shapes` is a corrupt raw
/// file: the error says what to do about it, by `layout`.
///
/// Only `records` of an envelope is read: its `uri`, `paging` and `navigation` served the
/// extract stage, and a value of theirs the transform cannot read spoils no record. Bulk
/// items are read one by one for the same reason.
fn page_records<'a>(
    shapes: PageShapes,
    layout: PageLayout,
    bytes: &'a [u8],
    path: &Path,
) -> Result<Vec<PageRecord<'a>>> {
    let corrupt = |reason: String| Error::CorruptPage {
        path: path.to_path_buf(),
        reason,
        remedy: corrupt_page_remedy(path, layout),
    };
    let json = |e: serde_json::Error| corrupt(e.to_string());
    /// A list or sync envelope (API-NOTES §2.1).
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        records: Vec<&'a RawValue>,
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if shapes == PageShapes::List {
        // serde reads a struct from an array too (`[[…]]`): not an envelope.
        if first != Some(&b'{') {
            return Err(corrupt("not an object {\"records\": [...]}".into()));
        }
        let envelope: Envelope<'_> = serde_json::from_slice(bytes).map_err(json)?;
        return Ok(envelope
            .records
            .into_iter()
            .map(PageRecord::Record)
            .collect());
    }
    if first == Some(&b'[') {
        let items: Vec<&RawValue> = serde_json::from_slice(bytes).map_err(json)?;
        return Ok(items.into_iter().map(bulk_item).collect());
    }
    /// An envelope has `records`; a single record does not.
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(default, borrow)]
        records: Option<Vec<&'a RawValue>>,
    }
    let probe: Probe<'_> = serde_json::from_slice(bytes).map_err(json)?;
    match probe.records {
        Some(records) => Ok(records.into_iter().map(PageRecord::Record).collect()),
        None => {
            let single: &RawValue = serde_json::from_slice(bytes).map_err(json)?;
            if !single.get().starts_with('{') {
                return Err(corrupt("neither an object nor an array".into()));
            }
            Ok(vec![PageRecord::Record(single)])
        }
    }
}

/// One item of a bulk (207) response `{resourceId, status, body}` (API-NOTES §6.2).
fn bulk_item(raw: &RawValue) -> PageRecord<'_> {
    // serde reads a struct from an array too (`["1", 200, {…}]`): not a bulk item.
    if !raw.get().starts_with('{') {
        return PageRecord::BadBulkItem(raw, "not a bulk item: not an object".into());
    }
    match serde_json::from_str::<BulkItem<'_>>(raw.get()) {
        Ok(BulkItem {
            status: Some(200),
            body: Some(body),
            ..
        }) => PageRecord::Record(body),
        Ok(BulkItem {
            status: Some(200),
            body: None,
            ..
        }) => PageRecord::BadBulkItem(raw, "bulk item with status 200 has no body".into()),
        Ok(_) => PageRecord::SkippedBulkItem,
        Err(e) => PageRecord::BadBulkItem(raw, format!("not a bulk item: {e}")),
    }
}

fn decode_page<S: Stream>(
    stream: &S,
    page: usize,
    path: &Path,
    tz: Tz,
) -> Result<DecodedPage<S::Item>> {
    let ctx = stream.page_context(path)?;
    let bytes = read_page_bytes(path, S::LAYOUT)?;
    let records = page_records(S::SHAPES, S::LAYOUT, &bytes, path)?;
    let mut out = DecodedPage {
        found: Vec::with_capacity(records.len()),
        dead_letters: Vec::new(),
        records: records.len(),
        deleted_stubs: 0,
        bulk_skipped: 0,
    };
    let dead_letter = |index: usize, reason: String, raw: &RawValue| DeadLetter {
        table: S::TABLE,
        source: path.display().to_string(),
        record_index: Some(index),
        reason,
        raw: raw.get().to_owned(),
    };
    for (index, record) in records.into_iter().enumerate() {
        let raw = match record {
            PageRecord::Record(raw) => raw,
            PageRecord::SkippedBulkItem => {
                out.bulk_skipped += 1;
                continue;
            }
            PageRecord::BadBulkItem(raw, reason) => {
                out.dead_letters.push(dead_letter(index, reason, raw));
                continue;
            }
        };
        match stream.read(raw.get(), &ctx, tz) {
            Read::Row(item, day) => out.found.push(Found {
                item,
                day,
                page,
                index,
            }),
            Read::DeletedStub => out.deleted_stubs += 1,
            Read::Dead(reason) => out.dead_letters.push(dead_letter(index, reason, raw)),
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

/// Keeps one copy per key; see [`collect`] for which one.
fn dedupe<T: Keyed>(
    found: Vec<Found<T>>,
    pages: &[PathBuf],
    stats: &mut TransformStats,
) -> Vec<Found<T>> {
    let newer = |a: &Found<T>, b: &Found<T>| {
        (a.item.last_modified(), &pages[a.page], a.index)
            > (b.item.last_modified(), &pages[b.page], b.index)
    };
    let mut slots: Vec<Option<Found<T>>> = Vec::with_capacity(found.len());
    let mut winner: HashMap<T::Key, usize> = HashMap::with_capacity(found.len());
    for f in found {
        match winner.entry(f.item.key()) {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    /// Each entry of a page as `Some(record text)`, `None` (skipped bulk item) or
    /// `Some("bad: …")`.
    fn shapes(body: &str, shapes: PageShapes) -> Result<Vec<Option<String>>> {
        let path = Path::new("p.json");
        page_records(shapes, PageLayout::DayWindow, body.as_bytes(), path).map(|v| {
            v.into_iter()
                .map(|r| match r {
                    PageRecord::Record(raw) => Some(raw.get().to_owned()),
                    PageRecord::SkippedBulkItem => None,
                    PageRecord::BadBulkItem(raw, _) => Some(format!("bad: {}", raw.get())),
                })
                .collect()
        })
    }

    #[test]
    fn page_shapes() {
        let list = r#"{"records":[{"id":1},{"id":2}],"syncInfo":{}}"#;
        assert_eq!(shapes(list, PageShapes::List).unwrap().len(), 2);
        assert_eq!(shapes(list, PageShapes::ListItemOrBulk).unwrap().len(), 2);
        // The rest of an envelope is not read.
        let odd = r#"{"records":[{"id":1}],"paging":"x","navigation":[1],"uri":5}"#;
        assert_eq!(shapes(odd, PageShapes::List).unwrap().len(), 1);
        let single = r#" {"id":1,"uri":"u"}"#;
        assert!(shapes(single, PageShapes::List).is_err());
        assert_eq!(
            shapes(single, PageShapes::ListItemOrBulk).unwrap(),
            [Some(r#"{"id":1,"uri":"u"}"#.to_owned())]
        );
        let bulk = r#"[{"resourceId":"1","status":200,"body":{"id":1}},
                       {"resourceId":"2","status":404,"body":{"errorCode":"CMN-102"}},
                       {"resourceId":"3","status":"200"},{"status":200},7]"#;
        assert!(shapes(bulk, PageShapes::List).is_err());
        assert_eq!(
            shapes(bulk, PageShapes::ListItemOrBulk).unwrap(),
            [
                Some(r#"{"id":1}"#.to_owned()),
                None,
                Some(r#"bad: {"resourceId":"3","status":"200"}"#.to_owned()),
                Some(r#"bad: {"status":200}"#.to_owned()),
                Some("bad: 7".to_owned()),
            ]
        );
        for bad in ["42", r#"{"records":5}"#, r#"{"id":"#, "", "[1,", "\"x\""] {
            assert!(shapes(bad, PageShapes::ListItemOrBulk).is_err(), "{bad}");
            assert!(shapes(bad, PageShapes::List).is_err(), "{bad}");
        }
    }

    #[test]
    fn partition_day_uses_the_zone() {
        // 2024-03-10T07:30Z is still March 9th in Los Angeles (PST, UTC-8).
        let ms = 1_710_055_800_000;
        assert_eq!(
            partition_day(ms, Tz::UTC, "startTime"),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 10).unwrap())
        );
        assert_eq!(
            partition_day(ms, chrono_tz::America::Los_Angeles, "startTime"),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 9).unwrap())
        );
        assert!(partition_day(i64::MAX, Tz::UTC, "startTime").is_err());
    }
}
