//! A partition day's batches, taken out of its pages' rows and sorted by each table's key.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, RecordBatch};
use arrow::compute::{SortColumn, interleave, lexsort_to_indices};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use ringlake_contracts::metadata::SORT_KEY_METADATA;

use crate::columns::text_overflow;
use crate::decode::Pick;
use crate::error::{Error, Result};
use crate::stream::PageRows;

/// The kept records of a partition day: the pages their rows are in, and each record as
/// (position in `pages`, its row in that page).
#[derive(Default)]
pub(crate) struct DayRows {
    pub(crate) pages: Vec<Arc<PageRows>>,
    pub(crate) records: Vec<(usize, usize)>,
}

impl DayRows {
    pub(crate) fn of(picks: impl Iterator<Item = Pick>) -> Self {
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
pub(crate) type Built = (NaiveDate, Vec<RecordBatch>);

/// Builds each day's batches (days in parallel).
pub(crate) fn build_days(
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

/// Builds an Arrow-error mapper for one table and day.
pub(crate) fn arrow_error(
    table: &'static str,
    date: NaiveDate,
) -> impl Fn(arrow::error::ArrowError) -> Error {
    move |error| Error::Arrow { table, date, error }
}
