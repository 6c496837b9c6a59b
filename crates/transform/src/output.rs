//! What a transform is told and what it gives back: options, the tables of partition days,
//! dead letters and counts.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::AddAssign;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

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

    /// Partition days in `time_zone` (the day rule, `ringlake_contracts::day`).
    pub fn with_time_zone(mut self, time_zone: Tz) -> Self {
        self.time_zone = time_zone;
        self
    }

    /// Only these partition days; records of other days are counted and dropped.
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
    /// Counts of the run.
    pub stats: TransformStats,
}

/// One table's rows split by partition day; each batch sorted by the table's key.
#[derive(Debug)]
pub struct TableData {
    /// Table name ([`crate::tables`]).
    pub name: &'static str,
    /// Its schema, with the column documentation and the sort key.
    pub schema: SchemaRef,
    /// One sorted batch per partition day.
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
    /// `availability` (docs/api.md §1.9): without `creationTime` they have no partition day.
    pub deleted_stubs_dropped: usize,
    /// Items of a bulk (207) response whose status is not 200 (docs/api.md §6.2). An item
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
    /// Why it could not be read.
    pub reason: String,
    /// The record's JSON text, as received.
    pub raw: String,
}

/// One partition day of a stream's tables: a batch per table, in the stream's table order
/// (parent table first), each sorted by its table's key.
#[derive(Debug)]
pub struct DayTables {
    /// The partition day.
    pub day: NaiveDate,
    /// A batch per table (table name, rows).
    pub batches: Vec<(&'static str, RecordBatch)>,
}

/// What a transform leaves besides its tables.
#[derive(Debug)]
pub struct TransformSummary {
    /// Records that could not be read, in the order their pages were decoded.
    pub dead_letters: Vec<DeadLetter>,
    /// Counts of the run.
    pub stats: TransformStats,
}

impl AddAssign<&TransformStats> for TransformStats {
    /// Sums the counts of two runs (every field: a new counter is summed by adding it here).
    fn add_assign(&mut self, o: &TransformStats) {
        let TransformStats {
            pages,
            records_read,
            duplicates_dropped,
            outside_days_dropped,
            deleted_stubs_dropped,
            bulk_items_skipped,
            dead_letters,
        } = o;
        self.pages += pages;
        self.records_read += records_read;
        self.duplicates_dropped += duplicates_dropped;
        self.outside_days_dropped += outside_days_dropped;
        self.deleted_stubs_dropped += deleted_stubs_dropped;
        self.bulk_items_skipped += bulk_items_skipped;
        self.dead_letters += dead_letters;
    }
}
