//! Active-calls snapshots → the `active_calls` table (docs/api.md §1.5).

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_model::{CallLogRecord, Text};

use ringlake_contracts::Stream as StreamId;

use super::call_log::read_call;
use super::call_rows::ACTIVE_CALLS_SCHEMA;
use super::call_rows::{ACTIVE_CALL_COLUMNS, CallRow};
use crate::columns::BatchBuilder;
use crate::error::Result;
use crate::layout::active_snapshot_of_page;
use crate::output::{TransformOptions, TransformOutput};
use crate::run::gather;
use crate::schema::tables;
use crate::stream::{Keyed, PageBuilder, PageRows, PageShapes, Read, Stream};

/// Reads active-calls pages (list envelopes of `CallLogRecord`s) into the `active_calls`
/// table: one row per call per snapshot, with the columns of `calls` after
/// `snapshot_time`.
///
/// The snapshot comes from the raw layout
/// `<raw>/active-calls/<YYYY-MM-DD>/<%Y%m%dT%H%M%S%.3fZ>/page-…`: the date directory is the
/// partition day, the instant directory the `snapshot_time`; a page outside that layout
/// fails the run with [`crate::Error::Layout`]. Within a snapshot a call id seen twice
/// (the list shifts while it is paged) keeps one copy, by the call-log rule. Rows are
/// sorted by (`snapshot_time`, `id`).
pub fn transform_active_calls(
    pages: &[PathBuf],
    opts: &TransformOptions,
) -> Result<TransformOutput> {
    gather(&ActiveCalls, pages, opts)
}

/// A call seen in one snapshot.
pub(crate) struct SnapshotCall {
    snapshot_time: i64,
    rec: CallLogRecord,
}

impl Keyed for SnapshotCall {
    type Key = (i64, Text);
    fn key(&self) -> (i64, Text) {
        (self.snapshot_time, self.rec.id.clone())
    }
    fn last_modified(&self) -> Option<i64> {
        self.rec.last_modified_time
    }
}

pub(crate) struct ActiveCalls;

impl Stream for ActiveCalls {
    type Item = SnapshotCall;
    type Builder = ActiveCallRows;
    /// The snapshot's date and instant (ms).
    type PageContext = (NaiveDate, i64);
    const STREAM: StreamId = StreamId::ActiveCalls;
    const SHAPES: PageShapes = PageShapes::List;

    fn tables(&self) -> Vec<(&'static str, &'static SchemaRef)> {
        vec![(tables::ACTIVE_CALLS, &ACTIVE_CALLS_SCHEMA)]
    }

    fn page_builder(&self, records: usize) -> Result<ActiveCallRows, ArrowError> {
        BatchBuilder::new(&ACTIVE_CALLS_SCHEMA, &ACTIVE_CALL_COLUMNS, records).map(ActiveCallRows)
    }

    fn page_context(&self, path: &Path) -> Result<(NaiveDate, i64)> {
        active_snapshot_of_page(path)
    }

    fn read(&self, raw: &str, ctx: &(NaiveDate, i64), tz: Tz) -> Read<SnapshotCall> {
        // The record's own start day does not matter here, but it must be readable.
        match read_call(raw, tz) {
            Ok((rec, _)) => Read::Row(
                SnapshotCall {
                    snapshot_time: ctx.1,
                    rec,
                },
                ctx.0,
            ),
            Err(reason) => Read::Dead(reason),
        }
    }
}

/// The `active_calls` rows of a page.
pub(crate) struct ActiveCallRows(BatchBuilder);

impl PageBuilder<SnapshotCall> for ActiveCallRows {
    fn append(&mut self, calls: &[&SnapshotCall]) -> Result<(), ArrowError> {
        let rows: Vec<CallRow<'_>> = calls
            .iter()
            .map(|c| CallRow::new(&c.rec, Some(c.snapshot_time)))
            .collect();
        self.0.append(&ACTIVE_CALL_COLUMNS, &rows)
    }

    fn finish(self) -> Result<PageRows, ArrowError> {
        PageRows::new(self.0, Vec::new())
    }
}
