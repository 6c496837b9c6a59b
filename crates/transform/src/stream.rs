//! What a stream tells the transform: how its records are keyed and read, which tables they
//! become, and how a page's rows are built.

use std::hash::Hash;
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_contracts::Layout;

use crate::columns::{BatchBuilder, Column, RowKind};
use crate::error::Result;

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
    /// `[{resourceId, status, body}]` (docs/api.md §1.9).
    ListItemOrBulk,
    /// One JSON object: the answer of a GET of a single resource (the account).
    Object,
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
    /// What a page's path says about its records (mailbox, snapshot…).
    type PageContext;
    /// Which stream of the list it is: its name, raw layout and tables.
    const STREAM: ringlake_contracts::Stream;
    const SHAPES: PageShapes;
    /// Where its pages sit in the raw zone (what to do about a corrupt one).
    const LAYOUT: Layout = Self::STREAM.layout();
    /// Its tables, parent table first, each with its schema (whose sort key orders a day).
    /// (Their names are [`ringlake_contracts::Stream::tables`]; a test checks it.)
    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)>;
    /// The table dead letters are filed under: the parent table.
    fn dead_letter_table(&self) -> &'static str {
        Self::STREAM.tables()[0]
    }
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
    pub fn new<K: RowKind>(
        schema: &SchemaRef,
        columns: &[Column<K>],
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
    pub fn append<K: RowKind>(
        &mut self,
        columns: &[Column<K>],
        rows: &[K::Row<'_>],
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

/// The partition day of a record (or of its child rows) that starts `ms` after the epoch,
/// by the day rule; an instant the rule cannot place is a reason for a dead letter.
pub(crate) fn partition_day(ms: i64, tz: Tz, field: &str) -> Result<NaiveDate, String> {
    ringlake_contracts::day::day_of_millis(ms, tz)
        .ok_or_else(|| format!("{field} {ms} ms is out of the supported range"))
}
