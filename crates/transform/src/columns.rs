//! Rows → Arrow arrays, column by column.
//!
//! Each table is a list of `(column name, getter)` pairs next to each other, so a getter
//! cannot drift away from the column it fills; the names are checked against
//! [`crate::schema`] when a batch is built, the types by `RecordBatch::try_new`.

use std::sync::Arc;

use arrow::array::builder::NullBufferBuilder;
use arrow::array::{
    ArrayRef, BooleanBuilder, Decimal128Builder, Int32Builder, Int64Builder, ListBuilder,
    RecordBatch, StringArray, StringBuilder, TimestampMillisecondBuilder,
};
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use ringlake_model::{
    BaseCallLogRecord, CallLogRecord, CallLogRecordLegInfo, CallLogRecordingInfo, Money,
};
use serde_json::{Map, Value};

use crate::schema::{MONEY_PRECISION, MONEY_SCALE, UTC, list_item};

/// How to read one column's value out of a row of type `R`.
pub(crate) enum Getter<R> {
    Str(fn(&R) -> Option<&str>),
    I64(fn(&R) -> Option<i64>),
    I32(fn(&R) -> Option<i32>),
    Bool(fn(&R) -> Option<bool>),
    /// Milliseconds since the epoch, UTC.
    Ts(fn(&R) -> Option<i64>),
    Money(fn(&R) -> Option<Money>),
    List(fn(&R) -> Option<&[String]>),
}

/// A column read either from the row itself or from the `BaseCallLogRecord` it carries.
pub(crate) enum Col<R> {
    Row(Getter<R>),
    Base(Getter<BaseCallLogRecord>),
}

/// A row type that may carry the shared base fields.
pub(crate) trait HasBase {
    fn base(&self) -> Option<&BaseCallLogRecord>;
}

/// One `calls` row, or one `active_calls` row (with its snapshot time).
pub(crate) struct CallRow<'a> {
    pub rec: &'a CallLogRecord,
    pub snapshot_time: Option<i64>,
    pub ringout_caller_result: Option<&'a str>,
    pub ringout_callee_result: Option<&'a str>,
    pub extra_json: Option<String>,
}

impl<'a> CallRow<'a> {
    pub fn new(rec: &'a CallLogRecord, snapshot_time: Option<i64>) -> Self {
        let (caller, callee) = crate::call_log::ringout_results(rec);
        CallRow {
            rec,
            snapshot_time,
            ringout_caller_result: caller,
            ringout_callee_result: callee,
            extra_json: extra_json(rec.unknown_fields()),
        }
    }
}

impl HasBase for CallRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        Some(&self.rec.base)
    }
}

/// One `call_legs` row.
pub(crate) struct LegRow<'a> {
    pub call_id: &'a str,
    pub leg_index: i32,
    pub leg: &'a CallLogRecordLegInfo,
    pub extra_json: Option<String>,
}

impl HasBase for LegRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        Some(&self.leg.base)
    }
}

/// One `call_recordings` row.
pub(crate) struct RecordingRow<'a> {
    pub recording_id: &'a str,
    pub call_id: &'a str,
    /// The parent call's start.
    pub start_time: i64,
    pub rec: &'a CallLogRecordingInfo,
}

impl HasBase for RecordingRow<'_> {
    fn base(&self) -> Option<&BaseCallLogRecord> {
        None
    }
}

/// The `BaseCallLogRecord` columns, in schema order.
fn base_columns<R>() -> Vec<(&'static str, Col<R>)> {
    use Getter::*;
    let b = |g: Getter<BaseCallLogRecord>| Col::Base(g);
    vec![
        (
            "telephony_session_id",
            b(Str(|r| r.telephony_session_id.as_deref())),
        ),
        ("sip_uuid_info", b(Str(|r| r.sip_uuid_info.as_deref()))),
        ("party_id", b(Str(|r| r.party_id.as_deref()))),
        (
            "transfer_target_telephony_session_id",
            b(Str(|r| {
                r.transfer_target.as_ref()?.telephony_session_id.as_deref()
            })),
        ),
        (
            "transferee_telephony_session_id",
            b(Str(|r| {
                r.transferee.as_ref()?.telephony_session_id.as_deref()
            })),
        ),
        ("extension_id", b(I64(|r| r.extension.as_ref()?.id))),
        (
            "extension_uri",
            b(Str(|r| r.extension.as_ref()?.uri.as_deref())),
        ),
        ("start_time", b(Ts(|r| Some(r.start_time)))),
        ("duration", b(I64(|r| r.duration))),
        ("duration_ms", b(I64(|r| r.duration_ms))),
        ("type", b(Str(|r| r.r#type.as_deref()))),
        ("direction", b(Str(|r| r.direction.as_deref()))),
        ("action", b(Str(|r| r.action.as_deref()))),
        ("result", b(Str(|r| r.result.as_deref()))),
        ("reason", b(Str(|r| r.reason.as_deref()))),
        (
            "reason_description",
            b(Str(|r| r.reason_description.as_deref())),
        ),
        ("internal_type", b(Str(|r| r.internal_type.as_deref()))),
        ("transport", b(Str(|r| r.transport.as_deref()))),
        (
            "from_phone_number",
            b(Str(|r| r.from.as_ref()?.phone_number.as_deref())),
        ),
        (
            "from_extension_number",
            b(Str(|r| r.from.as_ref()?.extension_number.as_deref())),
        ),
        (
            "from_extension_id",
            b(Str(|r| r.from.as_ref()?.extension_id.as_deref())),
        ),
        ("from_name", b(Str(|r| r.from.as_ref()?.name.as_deref()))),
        (
            "from_location",
            b(Str(|r| r.from.as_ref()?.location.as_deref())),
        ),
        (
            "from_device_id",
            b(Str(|r| r.from.as_ref()?.device.as_ref()?.id.as_deref())),
        ),
        (
            "from_device_uri",
            b(Str(|r| r.from.as_ref()?.device.as_ref()?.uri.as_deref())),
        ),
        (
            "from_dialer_phone_number",
            b(Str(|r| r.from.as_ref()?.dialer_phone_number.as_deref())),
        ),
        (
            "to_phone_number",
            b(Str(|r| r.to.as_ref()?.phone_number.as_deref())),
        ),
        (
            "to_extension_number",
            b(Str(|r| r.to.as_ref()?.extension_number.as_deref())),
        ),
        (
            "to_extension_id",
            b(Str(|r| r.to.as_ref()?.extension_id.as_deref())),
        ),
        ("to_name", b(Str(|r| r.to.as_ref()?.name.as_deref()))),
        (
            "to_location",
            b(Str(|r| r.to.as_ref()?.location.as_deref())),
        ),
        (
            "to_device_id",
            b(Str(|r| r.to.as_ref()?.device.as_ref()?.id.as_deref())),
        ),
        (
            "to_device_uri",
            b(Str(|r| r.to.as_ref()?.device.as_ref()?.uri.as_deref())),
        ),
        (
            "to_dialed_phone_number",
            b(Str(|r| r.to.as_ref()?.dialed_phone_number.as_deref())),
        ),
        ("message_id", b(Str(|r| r.message.as_ref()?.id.as_deref()))),
        (
            "message_type",
            b(Str(|r| r.message.as_ref()?.r#type.as_deref())),
        ),
        (
            "message_uri",
            b(Str(|r| r.message.as_ref()?.uri.as_deref())),
        ),
        (
            "delegate_id",
            b(Str(|r| r.delegate.as_ref()?.id.as_deref())),
        ),
        (
            "delegate_name",
            b(Str(|r| r.delegate.as_ref()?.name.as_deref())),
        ),
        ("delegation_type", b(Str(|r| r.delegation_type.as_deref()))),
        (
            "billing_cost_included",
            b(Money(|r| r.billing.as_ref()?.cost_included)),
        ),
        (
            "billing_cost_purchased",
            b(Money(|r| r.billing.as_ref()?.cost_purchased)),
        ),
        (
            "recording_id",
            b(Str(|r| r.recording.as_ref()?.id.as_deref())),
        ),
        (
            "recording_uri",
            b(Str(|r| r.recording.as_ref()?.uri.as_deref())),
        ),
        (
            "recording_type",
            b(Str(|r| r.recording.as_ref()?.r#type.as_deref())),
        ),
        (
            "recording_content_uri",
            b(Str(|r| r.recording.as_ref()?.content_uri.as_deref())),
        ),
        ("short_recording", b(Bool(|r| r.short_recording))),
        (
            "metadata_categories",
            b(List(|r| r.metadata_categories.as_deref())),
        ),
        ("finished", b(Bool(|r| r.finished))),
    ]
}

pub(crate) fn call_columns<'a>() -> Vec<(&'static str, Col<CallRow<'a>>)> {
    use Getter::*;
    let mut cols: Vec<(&'static str, Col<CallRow<'a>>)> = vec![
        ("id", Col::Row(Str(|r| Some(r.rec.id.as_str())))),
        ("uri", Col::Row(Str(|r| r.rec.uri.as_deref()))),
        ("session_id", Col::Row(Str(|r| r.rec.session_id.as_deref()))),
    ];
    cols.extend(base_columns());
    let tail: Vec<(&'static str, Col<CallRow<'a>>)> = vec![
        (
            "last_modified_time",
            Col::Row(Ts(|r| r.rec.last_modified_time)),
        ),
        // Sent only for deleted records (API-NOTES §3.1), so absent means not deleted.
        (
            "deleted",
            Col::Row(Bool(|r| Some(r.rec.deleted.unwrap_or(false)))),
        ),
        (
            "leg_count",
            Col::Row(I32(|r| {
                Some(i32::try_from(r.rec.legs.len()).unwrap_or(i32::MAX))
            })),
        ),
        (
            "ringout_caller_result",
            Col::Row(Str(|r| r.ringout_caller_result)),
        ),
        (
            "ringout_callee_result",
            Col::Row(Str(|r| r.ringout_callee_result)),
        ),
        ("extra_json", Col::Row(Str(|r| r.extra_json.as_deref()))),
    ];
    cols.extend(tail);
    cols
}

/// `active_calls`: the snapshot time, then every `calls` column.
pub(crate) fn active_call_columns<'a>() -> Vec<(&'static str, Col<CallRow<'a>>)> {
    let mut cols: Vec<(&'static str, Col<CallRow<'a>>)> =
        vec![("snapshot_time", Col::Row(Getter::Ts(|r| r.snapshot_time)))];
    cols.extend(call_columns());
    cols
}

pub(crate) fn leg_columns<'a>() -> Vec<(&'static str, Col<LegRow<'a>>)> {
    use Getter::*;
    let mut cols: Vec<(&'static str, Col<LegRow<'a>>)> = vec![
        ("call_id", Col::Row(Str(|r| Some(r.call_id)))),
        ("leg_index", Col::Row(I32(|r| Some(r.leg_index)))),
        ("leg_type", Col::Row(Str(|r| r.leg.leg_type.as_deref()))),
        // `master` may appear only on the master leg (API-NOTES §3.2).
        (
            "master",
            Col::Row(Bool(|r| Some(r.leg.master.unwrap_or(false)))),
        ),
    ];
    cols.extend(base_columns());
    cols.push(("extra_json", Col::Row(Str(|r| r.extra_json.as_deref()))));
    cols
}

pub(crate) fn recording_columns<'a>() -> Vec<(&'static str, Col<RecordingRow<'a>>)> {
    use Getter::*;
    vec![
        ("recording_id", Col::Row(Str(|r| Some(r.recording_id)))),
        ("call_id", Col::Row(Str(|r| Some(r.call_id)))),
        ("start_time", Col::Row(Ts(|r| Some(r.start_time)))),
        ("uri", Col::Row(Str(|r| r.rec.uri.as_deref()))),
        ("type", Col::Row(Str(|r| r.rec.r#type.as_deref()))),
        (
            "content_uri",
            Col::Row(Str(|r| r.rec.content_uri.as_deref())),
        ),
    ]
}

/// One batch built a few rows at a time, from rows that need not all exist at once (a
/// page's records are read and built a few at a time, then freed). The columns are given
/// again with each append: their getters read rows that live no longer than the append.
pub(crate) struct BatchBuilder {
    schema: SchemaRef,
    builders: Vec<Builder>,
}

impl BatchBuilder {
    /// A batch of `schema` whose values `columns` read; `rows` is how many are expected
    /// (text buffers are sized from it).
    pub fn new<R>(
        schema: &SchemaRef,
        columns: &[(&'static str, Col<R>)],
        rows: usize,
    ) -> Result<Self, ArrowError> {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let expected: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        if names != expected {
            return Err(ArrowError::SchemaError(format!(
                "column getters {names:?} do not match the schema {expected:?}"
            )));
        }
        let builders = columns
            .iter()
            .map(|(_, col)| match col {
                Col::Row(g) => Builder::new(g, rows),
                Col::Base(g) => Builder::new(g, rows),
            })
            .collect::<Result<_, _>>()?;
        Ok(BatchBuilder {
            schema: schema.clone(),
            builders,
        })
    }

    /// Appends `rows`, read by `columns` (the list given to [`BatchBuilder::new`]), a block
    /// at a time: a block's records stay in cache while every column takes its values from
    /// them.
    pub fn append<R: HasBase>(
        &mut self,
        columns: &[(&'static str, Col<R>)],
        rows: &[R],
    ) -> Result<(), ArrowError> {
        if columns.len() != self.builders.len() {
            return Err(ArrowError::SchemaError(format!(
                "{} column getters for {} columns",
                columns.len(),
                self.builders.len()
            )));
        }
        let uses_base = columns.iter().any(|(_, c)| matches!(c, Col::Base(_)));
        for block in rows.chunks(BLOCK_ROWS) {
            let block: Vec<&R> = block.iter().collect();
            let bases: Vec<&BaseCallLogRecord> = block.iter().filter_map(|r| r.base()).collect();
            if uses_base && bases.len() != block.len() {
                return Err(ArrowError::SchemaError(
                    "base columns asked of rows without a base".into(),
                ));
            }
            for ((name, col), builder) in columns.iter().zip(&mut self.builders) {
                match col {
                    Col::Row(g) => builder.append(name, g, &block)?,
                    Col::Base(g) => builder.append(name, g, &bases)?,
                }
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<RecordBatch, ArrowError> {
        let arrays = self
            .builders
            .into_iter()
            .map(Builder::finish)
            .collect::<Result<Vec<_>, _>>()?;
        RecordBatch::try_new(self.schema, arrays)
    }
}

/// Rows whose records stay in cache while each column reads them.
const BLOCK_ROWS: usize = 128;

/// The most text a `Utf8` column can hold: its offsets are `i32`.
const MAX_TEXT_BYTES: usize = i32::MAX as usize;

/// Arrow's string builders panic past [`MAX_TEXT_BYTES`]; huge values are data from outside,
/// so they are checked first and become an error.
pub(crate) fn text_overflow(name: &str, bytes: usize) -> ArrowError {
    ArrowError::InvalidArgumentError(format!(
        "column {name} would hold {bytes} bytes of text, more than one batch can (2 GiB)"
    ))
}

/// One column's Arrow builder, of the type its getter reads.
enum Builder {
    Str(TextBuilder),
    I64(Int64Builder),
    I32(Int32Builder),
    Bool(BooleanBuilder),
    Ts(TimestampMillisecondBuilder),
    Money(Decimal128Builder),
    List(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new<T>(getter: &Getter<T>, rows: usize) -> Result<Self, ArrowError> {
        Ok(match getter {
            Getter::Str(_) => Builder::Str(TextBuilder::new(rows)),
            Getter::I64(_) => Builder::I64(Int64Builder::with_capacity(rows)),
            Getter::I32(_) => Builder::I32(Int32Builder::with_capacity(rows)),
            Getter::Bool(_) => Builder::Bool(BooleanBuilder::with_capacity(rows)),
            Getter::Ts(_) => {
                Builder::Ts(TimestampMillisecondBuilder::with_capacity(rows).with_timezone(UTC))
            }
            Getter::Money(_) => Builder::Money(
                Decimal128Builder::with_capacity(rows)
                    .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?,
            ),
            Getter::List(_) => Builder::List(
                ListBuilder::with_capacity(StringBuilder::new(), rows)
                    .with_field(Arc::new(list_item())),
            ),
        })
    }

    /// Appends the column's value of each of `rows`.
    fn append<T>(&mut self, name: &str, getter: &Getter<T>, rows: &[&T]) -> Result<(), ArrowError> {
        let fits = |held: usize, more: usize| {
            let bytes = held.saturating_add(more);
            if bytes > MAX_TEXT_BYTES {
                Err(text_overflow(name, bytes))
            } else {
                Ok(())
            }
        };
        match (self, getter) {
            (Builder::Str(b), Getter::Str(f)) => {
                for r in rows {
                    let v = f(r);
                    fits(b.values.len(), v.map_or(0, str::len))?;
                    b.append(v);
                }
                b.reserve_for_the_rest();
            }
            (Builder::I64(b), Getter::I64(f)) => rows.iter().for_each(|r| b.append_option(f(r))),
            (Builder::I32(b), Getter::I32(f)) => rows.iter().for_each(|r| b.append_option(f(r))),
            (Builder::Bool(b), Getter::Bool(f)) => rows.iter().for_each(|r| b.append_option(f(r))),
            (Builder::Ts(b), Getter::Ts(f)) => rows.iter().for_each(|r| b.append_option(f(r))),
            (Builder::Money(b), Getter::Money(f)) => {
                rows.iter()
                    .for_each(|r| b.append_option(f(r).map(Money::micros)));
            }
            (Builder::List(b), Getter::List(f)) => {
                for r in rows {
                    match f(r) {
                        Some(values) => {
                            for v in values {
                                fits(b.values().values_slice().len(), v.len())?;
                                b.values().append_value(v);
                            }
                            b.append(true);
                        }
                        None => b.append(false),
                    }
                }
            }
            _ => {
                return Err(ArrowError::SchemaError(format!(
                    "column {name}: its builder is not of its getter's type"
                )));
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Builder::Str(b) => Arc::new(b.finish()?),
            Builder::I64(mut b) => Arc::new(b.finish()),
            Builder::I32(mut b) => Arc::new(b.finish()),
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::Ts(mut b) => Arc::new(b.finish()),
            Builder::Money(mut b) => Arc::new(b.finish()),
            Builder::List(mut b) => Arc::new(b.finish()),
        })
    }
}

/// A `Utf8` column's builder whose text buffer is sized from the rows seen so far. (Arrow's
/// `StringBuilder` can only grow by doubling from a guess: every column's text was copied
/// once or twice on the way, and a third of the last buffer was never used.)
struct TextBuilder {
    /// Rows the column will have.
    rows: usize,
    values: Vec<u8>,
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
}

impl TextBuilder {
    fn new(rows: usize) -> Self {
        // Enough for the first block of most columns; the rest is reserved once it is known
        // how long this column's values are.
        const FIRST_GUESS: usize = 32;
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        TextBuilder {
            rows,
            values: Vec::with_capacity(rows.min(BLOCK_ROWS) * FIRST_GUESS),
            offsets,
            nulls: NullBufferBuilder::new(rows),
        }
    }

    /// Appends a value; the caller has checked that the text stays within `MAX_TEXT_BYTES`.
    fn append(&mut self, value: Option<&str>) {
        match value {
            Some(v) => {
                self.values.extend_from_slice(v.as_bytes());
                self.nulls.append_non_null();
            }
            None => self.nulls.append_null(),
        }
        self.offsets
            .push(i32::try_from(self.values.len()).unwrap_or(i32::MAX));
    }

    /// Reserves what the rows still to come need at the average length so far, plus an
    /// eighth: the text is then copied at most once, while it is still short.
    fn reserve_for_the_rest(&mut self) {
        let done = self.offsets.len() - 1;
        if done == 0 || done >= self.rows {
            return;
        }
        let expected = self.values.len() / done * self.rows;
        let wanted = expected.saturating_add(expected / 8);
        let capacity = self.values.capacity();
        if wanted > capacity {
            // At least half again: values that lengthen as the day goes on must not
            // reallocate at every block.
            let target = wanted.max(capacity.saturating_add(capacity / 2));
            self.values.reserve_exact(target - self.values.len());
        }
    }

    fn finish(mut self) -> Result<StringArray, ArrowError> {
        // Rows fewer than expected (a page smaller than the largest) give the rest back:
        // the array waits for its day.
        self.values.shrink_to_fit();
        self.offsets.shrink_to_fit();
        let offsets = OffsetBuffer::new(self.offsets.into());
        StringArray::try_new(offsets, Buffer::from_vec(self.values), self.nulls.finish())
    }
}

/// The unknown fields as one compact JSON object with keys sorted at every level, so the
/// same record always gives the same text; `None` when there are none.
pub(crate) fn extra_json(fields: Map<String, Value>) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    Some(sorted(Value::Object(fields)).to_string())
}

/// A value kept whole as JSON text (lists that do not flatten into columns), keys sorted
/// like [`extra_json`]; `None` when absent.
pub(crate) fn json_text<T: serde::Serialize>(value: Option<&T>) -> Option<String> {
    // Serializing these plain structs (string keys, no non-finite floats) cannot fail;
    // were it to, the column is null rather than the run stopped.
    value
        .and_then(|v| serde_json::to_value(v).ok())
        .map(|v| sorted(v).to_string())
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            // Inserting in sorted order keeps the order even if serde_json's
            // `preserve_order` feature gets enabled by some other crate.
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;
    use crate::schema::{
        ACTIVE_CALLS_SCHEMA, CALL_LEGS_SCHEMA, CALL_RECORDINGS_SCHEMA, CALLS_SCHEMA,
    };

    /// Builds one batch of `schema` from `rows`, in the order given.
    fn build_batch<R: HasBase>(
        schema: &SchemaRef,
        columns: &[(&'static str, Col<R>)],
        rows: &[R],
    ) -> Result<RecordBatch, ArrowError> {
        let mut batch = BatchBuilder::new(schema, columns, rows.len())?;
        batch.append(columns, rows)?;
        batch.finish()
    }
    use arrow::array::Array;

    fn names<R>(cols: &[(&'static str, Col<R>)]) -> Vec<&'static str> {
        cols.iter().map(|(n, _)| *n).collect()
    }

    fn schema_names(s: &SchemaRef) -> Vec<String> {
        s.fields().iter().map(|f| f.name().clone()).collect()
    }

    #[test]
    fn getters_match_schemas_by_name() {
        assert_eq!(names(&call_columns()), schema_names(&CALLS_SCHEMA));
        assert_eq!(names(&leg_columns()), schema_names(&CALL_LEGS_SCHEMA));
        assert_eq!(
            names(&active_call_columns()),
            schema_names(&ACTIVE_CALLS_SCHEMA)
        );
        assert_eq!(
            names(&recording_columns()),
            schema_names(&CALL_RECORDINGS_SCHEMA)
        );
    }

    #[test]
    fn empty_batches_build_for_every_table() {
        let calls: Vec<CallRow<'_>> = Vec::new();
        assert_eq!(
            build_batch(&CALLS_SCHEMA, &call_columns(), &calls)
                .unwrap()
                .num_rows(),
            0
        );
        let legs: Vec<LegRow<'_>> = Vec::new();
        assert_eq!(
            build_batch(&CALL_LEGS_SCHEMA, &leg_columns(), &legs)
                .unwrap()
                .num_rows(),
            0
        );
        let recs: Vec<RecordingRow<'_>> = Vec::new();
        assert_eq!(
            build_batch(&CALL_RECORDINGS_SCHEMA, &recording_columns(), &recs)
                .unwrap()
                .num_rows(),
            0
        );
    }

    #[test]
    fn mismatched_getters_are_an_error_not_a_wrong_column() {
        let rows: Vec<RecordingRow<'_>> = Vec::new();
        let mut cols = recording_columns();
        cols.swap(3, 4);
        assert!(build_batch(&CALL_RECORDINGS_SCHEMA, &cols, &rows).is_err());
    }

    #[test]
    fn text_columns_hold_every_value_whatever_the_first_block_suggested() {
        // Short values first, then long ones (the first block's average undershoots),
        // nulls throughout, and a block that ends the column.
        let values: Vec<Option<String>> = (0..1000)
            .map(|i| match i {
                _ if i % 7 == 0 => None,
                _ if i < BLOCK_ROWS => Some(format!("{i}")),
                _ => Some("x".repeat(i % 97 + 40)),
            })
            .collect();
        let mut b = TextBuilder::new(values.len());
        for block in values.chunks(BLOCK_ROWS) {
            for v in block {
                b.append(v.as_deref());
            }
            b.reserve_for_the_rest();
        }
        let built = b.finish().unwrap();
        assert_eq!(built, StringArray::from(values));
        assert_eq!(built.null_count(), 143);
        assert_eq!(TextBuilder::new(0).finish().unwrap().len(), 0);
    }

    #[test]
    fn extra_json_is_sorted_and_compact() {
        let m: Map<String, Value> =
            serde_json::from_str(r#"{"z":1,"a":{"y":[{"d":1,"c":2}],"b":null}}"#).unwrap();
        assert_eq!(
            extra_json(m).as_deref(),
            Some(r#"{"a":{"b":null,"y":[{"c":2,"d":1}]},"z":1}"#)
        );
        assert_eq!(extra_json(Map::new()), None);
    }
}
