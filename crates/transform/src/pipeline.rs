//! What every stream's transform shares: options, output types, and the run itself —
//! pages decoded and turned into Arrow rows in parallel, unreadable records to dead
//! letters, duplicates dropped, rows split by partition day and filtered by
//! [`TransformOptions::days`], each day's batches taken out of its pages' rows and sorted.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, RecordBatch};
use arrow::compute::{SortColumn, interleave, lexsort_to_indices};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use ringlake_model::BulkItem;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tracing::{debug, info};

use crate::columns::{BatchBuilder, Col, HasBase, text_overflow};
use crate::error::{Error, Result};
use crate::layout::{PageLayout, corrupt_page_remedy, parse_day_dir};
use crate::pages::read_page_bytes;
use crate::schema::SORT_KEY_METADATA;

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
    type Key: Eq + Hash + Send;
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

/// One stream: how its pages are read and what tables its records become.
pub(crate) trait Stream: Sync {
    type Item: Keyed;
    /// Builds a page's rows.
    type Builder: PageBuilder<Self::Item>;
    /// Its name in the log (`call-log`).
    const NAME: &'static str;
    /// What a page's path says about its records (mailbox, snapshot…).
    type PageContext;
    /// The table dead letters are filed under.
    const TABLE: &'static str;
    const SHAPES: PageShapes;
    /// Where its pages sit in the raw zone (what to do about a corrupt one).
    const LAYOUT: PageLayout;
    /// Its tables, parent table first, each with its schema (whose sort key orders a day).
    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)>;
    /// A builder of one page's rows; `records`: about how many the page has.
    fn page_builder(&self, records: usize) -> Result<Self::Builder, ArrowError>;
    fn page_context(&self, path: &Path) -> Result<Self::PageContext>;
    fn read(&self, raw: &str, ctx: &Self::PageContext, tz: Tz) -> Read<Self::Item>;
    /// Reads every record of a list page `{"records": [...]}` in one pass over its text,
    /// handing each to `take` with its partition day as soon as it is read. Stops with
    /// [`Stop::Unreadable`] when one of them cannot be read (or the stream has no such
    /// pass): the page then goes record by record through [`Stream::read`], which finds the
    /// bad ones and keeps their text for the dead letters.
    fn read_list_page(
        &self,
        _text: &str,
        _ctx: &Self::PageContext,
        _tz: Tz,
        _take: &mut dyn FnMut(Self::Item, NaiveDate) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        Err(Stop::Unreadable)
    }
}

/// Builds the rows of one page in each of its stream's tables ([`PageRows`]), a few
/// records at a time.
pub(crate) trait PageBuilder<T> {
    /// Adds the rows of `items` after those added before.
    fn append(&mut self, items: &[&T]) -> Result<(), ArrowError>;
    fn finish(self) -> Result<PageRows, ArrowError>;
}

/// Why a one-pass read of a page ([`Stream::read_list_page`]) stopped early.
pub(crate) enum Stop {
    /// A record it cannot take: the page goes record by record instead.
    Unreadable,
    /// Building the page's rows failed.
    Build(ArrowError),
}

/// Reads each record of a list envelope `{"records": [...]}` as a `T` in one pass, handing
/// it to `each` as soon as it is read. Stops with [`Stop::Unreadable`] where serde would not
/// read the envelope as a struct with a `records: Vec<T>` field (other keys are skipped,
/// `records` must be there once), and with `each`'s error.
pub(crate) fn for_each_record<T: serde::de::DeserializeOwned>(
    text: &str,
    each: &mut dyn FnMut(T) -> Result<(), Stop>,
) -> Result<(), Stop> {
    use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::borrow::Cow;

    struct Envelope<'a, T> {
        each: &'a mut dyn FnMut(T) -> Result<(), Stop>,
        stopped: &'a mut Option<Stop>,
    }
    impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for Envelope<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object {\"records\": [...]}")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = false;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key != "records" {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                if seen {
                    return Err(de::Error::duplicate_field("records"));
                }
                seen = true;
                map.next_value_seed(Records {
                    each: &mut *self.each,
                    stopped: &mut *self.stopped,
                })?;
            }
            if seen {
                Ok(())
            } else {
                Err(de::Error::missing_field("records"))
            }
        }
    }
    struct Records<'a, T> {
        each: &'a mut dyn FnMut(T) -> Result<(), Stop>,
        stopped: &'a mut Option<Stop>,
    }
    impl<'de, T: serde::de::DeserializeOwned> de::DeserializeSeed<'de> for Records<'_, T> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for Records<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(item) = seq.next_element::<T>()? {
                if let Err(stop) = (self.each)(item) {
                    *self.stopped = Some(stop);
                    return Err(de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }

    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let read = de
        .deserialize_map(Envelope::<T> {
            each,
            stopped: &mut stopped,
        })
        .and_then(|()| de.end());
    match (read, stopped) {
        (_, Some(stop)) => Err(stop),
        (Ok(()), None) => Ok(()),
        (Err(_), None) => Err(Stop::Unreadable),
    }
}

/// A page's rows in each of its stream's tables, built as its records are read, while they
/// are still in cache. A day then waits as Arrow arrays (a fraction of the records' size in
/// memory), and records are freed by the core that read them, a few at a time.
pub(crate) struct PageRows {
    /// In [`Stream::tables`] order. The parent table has a row per record, in record order;
    /// a child table has each record's rows next to each other, records in the same order.
    pub batches: Vec<RecordBatch>,
    /// For each child table: where each record's rows start in its batch, then the end.
    pub child_starts: Vec<Vec<usize>>,
}

impl PageRows {
    /// The page's rows of a parent table and its child tables, in [`Stream::tables`] order.
    pub fn new(parent: BatchBuilder, children: Vec<ChildRows>) -> Result<Self, ArrowError> {
        let mut batches = vec![parent.finish()?];
        let mut child_starts = Vec::with_capacity(children.len());
        for child in children {
            batches.push(child.batch.finish()?);
            child_starts.push(child.starts);
        }
        Ok(PageRows {
            batches,
            child_starts,
        })
    }
}

/// A page's rows of a child table, built a few records at a time, and where each record's
/// rows start ([`PageRows::child_starts`]).
pub(crate) struct ChildRows {
    batch: BatchBuilder,
    starts: Vec<usize>,
}

impl ChildRows {
    /// For about `records` records of a page; `rows`: about how many rows they have.
    pub fn new<R>(
        schema: &SchemaRef,
        columns: &[(&'static str, Col<R>)],
        records: usize,
        rows: usize,
    ) -> Result<Self, ArrowError> {
        let mut starts = Vec::with_capacity(records + 1);
        starts.push(0);
        Ok(ChildRows {
            batch: BatchBuilder::new(schema, columns, rows)?,
            starts,
        })
    }

    /// Adds the rows of a few records, in record order; `lengths`: how many each has.
    pub fn append<R: HasBase>(
        &mut self,
        columns: &[(&'static str, Col<R>)],
        rows: &[R],
        lengths: impl IntoIterator<Item = usize>,
    ) -> Result<(), ArrowError> {
        self.batch.append(columns, rows)?;
        let mut at = self.starts.last().copied().unwrap_or(0);
        for n in lengths {
            at += n;
            self.starts.push(at);
        }
        Ok(())
    }
}

/// A readable record of a page: what deduplication compares, and where its rows are.
struct Found<K> {
    key: K,
    day: NaiveDate,
    pick: Pick,
}

/// Where a record's rows are, and what decides between two copies of it. A page's rows
/// are freed when the last of its records' picks is (taken out with its day, or replaced
/// by a newer copy).
struct Pick {
    last_modified: Option<i64>,
    page: usize,
    /// Its position in the page's `records` (or bulk array).
    index: usize,
    rows: Arc<PageRows>,
    /// Its row in `rows`.
    row: usize,
}

/// What [`decode_page`] makes of a page of stream `S`.
type Decoded<S> = DecodedPage<<<S as Stream>::Item as Keyed>::Key>;

struct DecodedPage<K> {
    found: Vec<Found<K>>,
    dead_letters: Vec<DeadLetter>,
    records: usize,
    deleted_stubs: usize,
    bulk_skipped: usize,
}

/// One partition day of a stream's tables: a batch per table, in the stream's table order
/// (parent table first), each sorted by its table's key.
#[derive(Debug)]
pub struct DayTables {
    pub day: NaiveDate,
    pub batches: Vec<(&'static str, RecordBatch)>,
}

/// What a transform leaves besides its tables.
#[derive(Debug)]
pub struct TransformSummary {
    /// Records that could not be read, in the order their pages were decoded.
    pub dead_letters: Vec<DeadLetter>,
    pub stats: TransformStats,
}

/// Where a transform hands each finished partition day (see [`run`]).
pub(crate) type Emit<'e> = dyn FnMut(DayTables) -> Result<()> + 'e;

/// A day window's records belong to its day or, when the partition zone is not the zone
/// the window was cut in, to a day at most this far from it (zones span UTC−12…UTC+14).
const WINDOW_REACH_DAYS: u64 = 2;

/// The run of one stream: pages decoded and turned into rows in parallel, duplicates
/// dropped, records split by partition day and filtered by [`TransformOptions::days`], each
/// day's batches taken out of its pages' rows and sorted by their tables' keys (days in
/// parallel, and while the next window decodes) and handed to `emit` in day order.
///
/// Memory is bounded by a few days of rows, not by the input: pages of day windows
/// (`call-log/<YYYY-MM-DD>/…`) are decoded window by window, oldest first, and a day is
/// built and emitted as soon as no later window can add to it; pages outside day windows
/// (sync sessions, other tools' layouts) are decoded first, and their rows wait for
/// their day. A record id seen more than once keeps the copy with the newest
/// `last_modified` (ties: the later page file by path, then the later position in the page),
/// independent of the order the pages were given or decoded in, and the kept copy's day is
/// the record's day. Copies are compared while their days wait; a copy more than
/// [`WINDOW_REACH_DAYS`] windows after the day of an emitted copy would not be (a call's
/// `startTime` never changes, so its copies share a day).
///
/// A page that cannot be read as a page fails the run (a corrupt raw file) with an error
/// that names the directory to delete so that the extract stage fetches it again; days
/// emitted before it are complete and correct, its own and later days are not emitted. A
/// record that cannot be read becomes a [`DeadLetter`] and the rest of its page is kept.
pub(crate) fn run<S: Stream>(
    stream: &S,
    pages: &[PathBuf],
    opts: &TransformOptions,
    emit: &mut Emit<'_>,
) -> Result<TransformSummary> {
    let tables = stream.tables();
    let mut run = Run {
        pages,
        opts,
        tables: &tables,
        pending: BTreeMap::new(),
        winners: HashMap::new(),
        done_below: None,
        summary: TransformSummary {
            dead_letters: Vec::new(),
            stats: TransformStats {
                pages: pages.len(),
                ..TransformStats::default()
            },
        },
        days: 0,
        rows: 0,
    };
    // Days complete after a window are built while the next window decodes.
    let mut ready = BTreeMap::new();
    for (window, group) in window_groups(pages, S::LAYOUT) {
        let (decoded, built) = rayon::join(
            || {
                group
                    .par_iter()
                    .map(|&i| decode_page(stream, i, &pages[i], opts.time_zone))
                    .collect::<Vec<Result<Decoded<S>>>>()
            },
            || build_days(&tables, std::mem::take(&mut ready)),
        );
        run.emit(built, emit)?;
        for page in decoded {
            let page = page?;
            let stats = &mut run.summary.stats;
            stats.records_read += page.records;
            stats.deleted_stubs_dropped += page.deleted_stubs;
            stats.bulk_items_skipped += page.bulk_skipped;
            stats.dead_letters += page.dead_letters.len();
            run.summary.dead_letters.extend(page.dead_letters);
            for f in page.found {
                // Its day was handed over without it: a page in the wrong window.
                if run.done_below.is_some_and(|done| f.day < done) {
                    return Err(Error::OutsideWindow {
                        path: pages[f.pick.page].clone(),
                        day: f.day,
                    });
                }
                run.add(f);
            }
        }
        if let Some(window) = window {
            // Later windows hold no records of days up to `window - WINDOW_REACH_DAYS`.
            ready = run.take_ready(Some(window - chrono::Days::new(WINDOW_REACH_DAYS - 1)));
        }
    }
    // The last window's complete days, then every day left.
    ready.append(&mut run.take_ready(None));
    run.emit(build_days(&tables, ready), emit)?;
    info!(
        stream = S::NAME,
        pages = run.summary.stats.pages,
        records = run.summary.stats.records_read,
        duplicates = run.summary.stats.duplicates_dropped,
        outside_days = run.summary.stats.outside_days_dropped,
        deleted_stubs = run.summary.stats.deleted_stubs_dropped,
        bulk_skipped = run.summary.stats.bulk_items_skipped,
        dead_letters = run.summary.stats.dead_letters,
        partitions = run.days,
        rows = run.rows,
        "Stream transformed."
    );
    Ok(run.summary)
}

/// The state of [`run`] between windows.
struct Run<'a, K> {
    pages: &'a [PathBuf],
    opts: &'a TransformOptions,
    tables: &'a [(&'static str, &'static SchemaRef)],
    /// Records of the days not emitted yet; `None` where a newer copy replaced one.
    pending: BTreeMap<NaiveDate, Vec<Option<Pick>>>,
    /// Where the kept copy of each pending key is (day, position).
    winners: HashMap<K, (NaiveDate, usize)>,
    /// Days before this one have been emitted.
    done_below: Option<NaiveDate>,
    summary: TransformSummary,
    /// Days emitted, and rows of their first table.
    days: usize,
    rows: usize,
}

impl<K: Eq + Hash> Run<'_, K> {
    /// Keeps `f` unless a pending copy of its key is newer; see [`run`] for which one.
    fn add(&mut self, f: Found<K>) {
        let pages = self.pages;
        let newer = |a: &Pick, b: &Pick| {
            (a.last_modified, &pages[a.page], a.index) > (b.last_modified, &pages[b.page], b.index)
        };
        let Found { key, day, pick } = f;
        let slot = match self.winners.get(&key) {
            None => None,
            Some(&(d, i)) => {
                self.summary.stats.duplicates_dropped += 1;
                let current = self.pending.get_mut(&d).and_then(|v| v.get_mut(i));
                match current {
                    Some(current) if current.as_ref().is_some_and(|c| !newer(&pick, c)) => return,
                    Some(current) => Some(current),
                    None => None,
                }
            }
        };
        if let Some(old) = slot {
            *old = None;
        }
        let slots = self.pending.entry(day).or_default();
        self.winners.insert(key, (day, slots.len()));
        slots.push(Some(pick));
    }

    /// Takes out every day before `bound` (every day left when `None`), with the asked-for
    /// days that have no records as empty days: no later window can add to them.
    fn take_ready(&mut self, bound: Option<NaiveDate>) -> BTreeMap<NaiveDate, DayRows> {
        let later = match bound {
            Some(b) => self.pending.split_off(&b),
            None => BTreeMap::new(),
        };
        let ready = std::mem::replace(&mut self.pending, later);
        match bound {
            Some(b) => self.winners.retain(|_, &mut (day, _)| day >= b),
            None => self.winners.clear(),
        }
        let mut by_day: BTreeMap<NaiveDate, DayRows> = BTreeMap::new();
        for (day, picks) in ready {
            let kept = picks.into_iter().flatten();
            if self
                .opts
                .days
                .as_ref()
                .is_some_and(|days| !days.contains(&day))
            {
                self.summary.stats.outside_days_dropped += kept.count();
                continue;
            }
            by_day.insert(day, DayRows::of(kept));
        }
        if let Some(days) = &self.opts.days {
            let from = self.done_below.map_or(Bound::Unbounded, Bound::Included);
            let to = bound.map_or(Bound::Unbounded, Bound::Excluded);
            if from_before_to(from, to) {
                for day in days.range((from, to)) {
                    by_day.entry(*day).or_default();
                }
            }
        }
        if bound.is_some() {
            self.done_below = bound.max(self.done_below);
        }
        by_day
    }

    /// Hands built days to `emit`, in day order.
    fn emit(&mut self, built: Vec<Result<Built>>, emit: &mut Emit<'_>) -> Result<()> {
        for day in built {
            let (day, batches) = day?;
            self.days += 1;
            self.rows += batches.first().map_or(0, RecordBatch::num_rows);
            emit(DayTables {
                day,
                batches: self.tables.iter().map(|t| t.0).zip(batches).collect(),
            })?;
        }
        Ok(())
    }
}

/// The kept records of a partition day: the pages their rows are in, and each record as
/// (position in `pages`, its row in that page).
#[derive(Default)]
struct DayRows {
    pages: Vec<Arc<PageRows>>,
    records: Vec<(usize, usize)>,
}

impl DayRows {
    fn of(picks: impl Iterator<Item = Pick>) -> Self {
        let mut day = DayRows::default();
        let mut position: HashMap<usize, usize> = HashMap::new();
        for pick in picks {
            let p = *position.entry(pick.page).or_insert_with(|| {
                day.pages.push(pick.rows);
                day.pages.len() - 1
            });
            day.records.push((p, pick.row));
        }
        day
    }
}

/// A partition day's batches, in the stream's table order.
type Built = (NaiveDate, Vec<RecordBatch>);

/// Builds each day's batches (days in parallel).
fn build_days(
    tables: &[(&'static str, &'static SchemaRef)],
    days: BTreeMap<NaiveDate, DayRows>,
) -> Vec<Result<Built>> {
    days.into_par_iter()
        .map(|(day, rows)| {
            let batches = tables
                .par_iter()
                .enumerate()
                .map(|(t, &(table, schema))| {
                    day_batch(schema, &rows, t).map_err(arrow_error(table, day))
                })
                .collect::<Result<Vec<_>>>();
            batches.map(|b| (day, b))
        })
        .collect()
}

/// Table `t`'s batch of a day: the rows of its records, sorted by the table's key.
fn day_batch(schema: &SchemaRef, day: &DayRows, t: usize) -> Result<RecordBatch, ArrowError> {
    let mut picks: Vec<(usize, usize)> = match t.checked_sub(1) {
        None => day.records.clone(),
        Some(child) => day
            .records
            .iter()
            .flat_map(|&(p, r)| {
                let starts = &day.pages[p].child_starts[child];
                (starts[r]..starts[r + 1]).map(move |row| (p, row))
            })
            .collect(),
    };
    if picks.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::clone(schema)));
    }
    let column = |i: usize| -> Vec<&dyn Array> {
        day.pages
            .iter()
            .map(|p| p.batches[t].column(i).as_ref())
            .collect()
    };
    let take = |i: usize, picks: &[(usize, usize)]| {
        interleave(&column(i), picks).map_err(|e| match e {
            ArrowError::OffsetOverflowError(bytes) => text_overflow(schema.field(i).name(), bytes),
            e => e,
        })
    };
    // Keys are unique (a record's key, and a child's index within it), so any sort is
    // deterministic.
    let keys = sort_key(schema)?
        .into_iter()
        .map(|i| {
            Ok(SortColumn {
                values: take(i, &picks)?,
                options: None,
            })
        })
        .collect::<Result<Vec<_>, ArrowError>>()?;
    let order = lexsort_to_indices(&keys, None)?;
    picks = order.values().iter().map(|&i| picks[i as usize]).collect();
    let columns = (0..schema.fields().len())
        .into_par_iter()
        .map(|i| take(i, &picks))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns)
}

/// The positions of the columns of `schema`'s sort key ([`SORT_KEY_METADATA`]).
fn sort_key(schema: &SchemaRef) -> Result<Vec<usize>, ArrowError> {
    let key = schema
        .metadata()
        .get(SORT_KEY_METADATA)
        .ok_or_else(|| ArrowError::SchemaError("the table has no sort key".into()))?;
    key.split(',').map(|name| schema.index_of(name)).collect()
}

/// `BTreeSet::range` panics on an empty or inverted range; this says whether it is not.
fn from_before_to(from: Bound<NaiveDate>, to: Bound<NaiveDate>) -> bool {
    match (from, to) {
        (Bound::Included(a), Bound::Excluded(b)) => a < b,
        _ => true,
    }
}

/// Page indexes in decoding order: the pages of no day window first (their records may
/// belong to any day), then each day window's, oldest window first.
fn window_groups(pages: &[PathBuf], layout: PageLayout) -> Vec<(Option<NaiveDate>, Vec<usize>)> {
    let mut groups: BTreeMap<Option<NaiveDate>, Vec<usize>> = BTreeMap::new();
    for (i, path) in pages.iter().enumerate() {
        let window = (layout == PageLayout::DayWindow)
            .then(|| {
                path.parent()
                    .and_then(Path::file_name)
                    .and_then(|n| n.to_str())
                    .and_then(parse_day_dir)
            })
            .flatten();
        groups.entry(window).or_default().push(i);
    }
    // `None` sorts first.
    groups.into_iter().collect()
}

/// [`run`] with the days gathered into whole tables (for callers that want them all at once).
pub(crate) fn gather<S: Stream>(
    stream: &S,
    pages: &[PathBuf],
    opts: &TransformOptions,
) -> Result<TransformOutput> {
    let mut out: Vec<TableData> = stream
        .tables()
        .into_iter()
        .map(|(name, schema)| TableData {
            name,
            schema: (*schema).clone(),
            partitions: BTreeMap::new(),
        })
        .collect();
    let summary = run(stream, pages, opts, &mut |day: DayTables| {
        for (t, (_, batch)) in out.iter_mut().zip(day.batches) {
            t.partitions.insert(day.day, batch);
        }
        Ok(())
    })?;
    Ok(TransformOutput {
        tables: out,
        dead_letters: summary.dead_letters,
        stats: summary.stats,
    })
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

/// Records read from a page before their rows are built: few enough that they are still
/// in cache when their rows are made, and that their memory is reused for the next ones.
const CHUNK_RECORDS: usize = 64;

/// Records a page is expected to hold when it is read in one pass (the API's largest page):
/// text buffers are sized from it; a smaller page gives the rest back when it is built.
const PAGE_RECORDS: usize = 1000;

/// Reads page `page` at `path` and builds its rows as its records are read.
fn decode_page<S: Stream>(stream: &S, page: usize, path: &Path, tz: Tz) -> Result<Decoded<S>> {
    let ctx = stream.page_context(path)?;
    let bytes = read_page_bytes(path, S::LAYOUT)?;
    let built = |error| Error::PageRows {
        path: path.to_path_buf(),
        error,
    };
    let mut out = DecodedPage {
        found: Vec::new(),
        dead_letters: Vec::new(),
        records: 0,
        deleted_stubs: 0,
        bulk_skipped: 0,
    };
    // serde reads a struct from an array too: only an object may take the one-pass path.
    let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    // Checked as UTF-8 once, so that its strings are not checked one by one.
    if let Some(text) = object.then(|| std::str::from_utf8(&bytes).ok()).flatten() {
        let mut rows = PageBuild::new(stream, PAGE_RECORDS).map_err(built)?;
        let mut index = 0;
        let read = stream.read_list_page(text, &ctx, tz, &mut |item, day| {
            rows.push(item, day, index).map_err(Stop::Build)?;
            index += 1;
            Ok(())
        });
        match read {
            Ok(()) => {
                out.records = index;
                out.found = rows.finish(page).map_err(built)?;
                return Ok(out);
            }
            Err(Stop::Build(error)) => return Err(built(error)),
            Err(Stop::Unreadable) => {}
        }
    }
    let records = page_records(S::SHAPES, S::LAYOUT, &bytes, path)?;
    out.records = records.len();
    let mut rows = PageBuild::new(stream, records.len()).map_err(built)?;
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
            Read::Row(item, day) => rows.push(item, day, index).map_err(built)?,
            Read::DeletedStub => out.deleted_stubs += 1,
            Read::Dead(reason) => out.dead_letters.push(dead_letter(index, reason, raw)),
        }
    }
    out.found = rows.finish(page).map_err(built)?;
    debug!(
        path = %path.display(),
        records = out.records,
        dead_letters = out.dead_letters.len(),
        "Page decoded record by record."
    );
    Ok(out)
}

/// A page's rows as its records are read, and what deduplication needs of each record.
struct PageBuild<S: Stream> {
    builder: S::Builder,
    /// Records read and not built yet, with their day and position in the page.
    chunk: Vec<(S::Item, NaiveDate, usize)>,
    /// What deduplication needs of each built record.
    built: Vec<BuiltRecord<<S::Item as Keyed>::Key>>,
}

/// A built record's key, last modification, day and position in its page.
struct BuiltRecord<K> {
    key: K,
    last_modified: Option<i64>,
    day: NaiveDate,
    index: usize,
}

impl<S: Stream> PageBuild<S> {
    fn new(stream: &S, records: usize) -> Result<Self, ArrowError> {
        Ok(PageBuild {
            builder: stream.page_builder(records)?,
            chunk: Vec::with_capacity(CHUNK_RECORDS),
            built: Vec::with_capacity(records),
        })
    }

    /// Adds a readable record, its partition day, and its position in the page.
    fn push(&mut self, item: S::Item, day: NaiveDate, index: usize) -> Result<(), ArrowError> {
        self.chunk.push((item, day, index));
        if self.chunk.len() == CHUNK_RECORDS {
            self.build_chunk()?;
        }
        Ok(())
    }

    /// Builds the rows of the records read so far, and frees them.
    fn build_chunk(&mut self) -> Result<(), ArrowError> {
        let items: Vec<&S::Item> = self.chunk.iter().map(|(item, ..)| item).collect();
        self.builder.append(&items)?;
        self.built
            .extend(self.chunk.drain(..).map(|(item, day, index)| BuiltRecord {
                key: item.key(),
                last_modified: item.last_modified(),
                day,
                index,
            }));
        Ok(())
    }

    /// The page's records, each with its rows, as page `page` of the run.
    fn finish(mut self, page: usize) -> Result<Vec<Found<<S::Item as Keyed>::Key>>, ArrowError> {
        self.build_chunk()?;
        let rows = Arc::new(self.builder.finish()?);
        Ok(self
            .built
            .into_iter()
            .enumerate()
            .map(|(row, b)| Found {
                key: b.key,
                day: b.day,
                pick: Pick {
                    last_modified: b.last_modified,
                    page,
                    index: b.index,
                    rows: Arc::clone(&rows),
                    row,
                },
            })
            .collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use serde_json::Value;

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

    /// The ids `for_each_record` hands over, or `None` where it stops as unreadable.
    fn one_pass(text: &str) -> Option<Vec<u64>> {
        #[derive(Deserialize)]
        struct Rec {
            id: u64,
        }
        let mut ids = Vec::new();
        match for_each_record(text, &mut |r: Rec| {
            ids.push(r.id);
            Ok(())
        }) {
            Ok(()) => Some(ids),
            Err(Stop::Unreadable) => None,
            Err(Stop::Build(e)) => panic!("{e}"),
        }
    }

    /// The one-pass reader takes exactly the pages serde takes as a struct with a
    /// `records` field, so that it never keeps a page the record-by-record path would not.
    #[test]
    fn one_pass_reads_what_serde_reads() {
        let ok = [
            (r#"{"records":[{"id":1},{"id":2}]}"#, vec![1, 2]),
            (
                r#" {"uri":"u","records":[{"id":3}],"paging":{"page":1}} "#,
                vec![3],
            ),
            (r#"{"rec\u006frds":[{"id":4}]}"#, vec![4]),
            (r#"{"records":[]}"#, vec![]),
        ];
        for (text, ids) in ok {
            assert_eq!(one_pass(text), Some(ids), "{text}");
        }
        for bad in [
            r#"{"records":[{"id":1}],"records":[{"id":2}]}"#,
            r#"{"paging":{}}"#,
            r#"{"records":null}"#,
            r#"{"records":[{"id":1},{"id":"x"}]}"#,
            r#"{"records":[{"id":1}]} x"#,
            r#"[[{"id":1}]]"#,
            r#"{"records":[{"id":1}"#,
        ] {
            assert_eq!(one_pass(bad), None, "{bad}");
        }
        // The caller's error stops the pass and is returned as it is.
        let stopped = for_each_record(r#"{"records":[{"id":1},{"id":2}]}"#, &mut |_: Value| {
            Err(Stop::Build(ArrowError::ComputeError("full".into())))
        });
        assert!(matches!(stopped, Err(Stop::Build(ArrowError::ComputeError(m))) if m == "full"));
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
