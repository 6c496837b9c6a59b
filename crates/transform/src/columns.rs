//! Columns: declared once, read out of rows into Arrow arrays, and the schema a list makes.
//!
//! Each table is one list of [`Column`]s in its stream's file: a column's name,
//! nullability, getter, API source and description are declared together, and the table's
//! schema is derived from that list ([`table_schema`]; the getter's variant fixes the
//! Arrow type), so a getter cannot drift away from the column it fills. Each list is built
//! once, as a static, and serves every batch of its table.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::builder::NullBufferBuilder;
use arrow::array::{
    ArrayRef, BooleanBuilder, Decimal128Builder, Int32Builder, Int64Builder, ListBuilder,
    RecordBatch, StringArray, StringBuilder, TimestampMillisecondBuilder,
};
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use ringlake_model::{BaseCallLogRecord, Money};
use serde_json::{Map, Value};

use crate::schema::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION, SCHEMA_VERSION_METADATA,
    SORT_KEY_METADATA, SOURCE_METADATA,
};

/// A row type, named apart from the lifetime of the records it borrows: rows live no longer
/// than one append, while the column lists that read them are statics. It is implemented
/// for the row type at `'static` only to name it (`CallRow<'static>` stands for every
/// `CallRow<'a>`).
pub(crate) trait RowKind: 'static {
    /// The row, borrowing records for `'a`.
    type Row<'a>;

    /// The `BaseCallLogRecord` a row carries, read by its [`Col::Base`] columns.
    fn base<'r>(_row: &'r Self::Row<'_>) -> Option<&'r BaseCallLogRecord> {
        None
    }
}

/// The rows [`Col::Base`] getters read.
impl RowKind for BaseCallLogRecord {
    type Row<'a> = BaseCallLogRecord;
}

/// How to read one column's value out of a row of kind `K`; the variant is the column's
/// Arrow type ([`data_type`]).
pub(crate) enum Getter<K: RowKind> {
    Str(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<&'r str>),
    I64(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<i64>),
    I32(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<i32>),
    Bool(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<bool>),
    /// Milliseconds since the epoch, UTC.
    Ts(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<i64>),
    Money(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<Money>),
    List(for<'r, 'a> fn(&'r K::Row<'a>) -> Option<&'r [String]>),
}

/// A column read either from the row itself or from the `BaseCallLogRecord` it carries.
pub(crate) enum Col<K: RowKind> {
    Row(Getter<K>),
    Base(Getter<BaseCallLogRecord>),
}

/// One column of a table: its schema field and the getter that fills it, declared once.
/// `source` and `description` become the field's metadata (module doc of `schema.rs`).
pub(crate) struct Column<K: RowKind> {
    pub name: String,
    pub nullable: bool,
    pub get: Col<K>,
    pub source: String,
    pub description: String,
}

impl<K: RowKind> Column<K> {
    /// A column read from the row itself; [`Undocumented::doc`] completes it.
    pub fn row(name: impl Into<String>, nullable: bool, get: Getter<K>) -> Undocumented<K> {
        Undocumented {
            name: name.into(),
            nullable,
            get: Col::Row(get),
        }
    }

    /// A column read from the row's `BaseCallLogRecord` ([`RowKind::base`]).
    pub fn base(
        name: impl Into<String>,
        nullable: bool,
        get: Getter<BaseCallLogRecord>,
    ) -> Undocumented<K> {
        Undocumented {
            name: name.into(),
            nullable,
            get: Col::Base(get),
        }
    }
}

/// A column still without its documentation. Only [`Undocumented::doc`] makes it a
/// [`Column`], so no column reaches a schema undocumented.
pub(crate) struct Undocumented<K: RowKind> {
    name: String,
    nullable: bool,
    get: Col<K>,
}

impl<K: RowKind> Undocumented<K> {
    /// `source`: the API field the getter reads; `description`: one or two sentences.
    pub fn doc(self, source: impl Into<String>, description: impl Into<String>) -> Column<K> {
        Column {
            name: self.name,
            nullable: self.nullable,
            get: self.get,
            source: source.into(),
            description: description.into(),
        }
    }
}

/// One batch built a few rows at a time, from rows that need not all exist at once (a
/// page's records are read and built a few at a time, then freed). The columns are given
/// again with each append: their getters read rows that live no longer than the append.
pub(crate) struct BatchBuilder {
    schema: SchemaRef,
    builders: Vec<Builder>,
}

impl BatchBuilder {
    /// A batch of `schema` whose values `columns` read: the table's schema static and the
    /// column list it is derived from. `rows` is how many are expected (text buffers are
    /// sized from it).
    pub fn new<K: RowKind>(
        schema: &SchemaRef,
        columns: &[Column<K>],
        rows: usize,
    ) -> Result<Self, ArrowError> {
        let builders = columns
            .iter()
            .map(|c| match &c.get {
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
    pub fn append<K: RowKind>(
        &mut self,
        columns: &[Column<K>],
        rows: &[K::Row<'_>],
    ) -> Result<(), ArrowError> {
        // Another table's list is a bug; better an error than values in shifted columns.
        if columns.len() != self.builders.len() {
            return Err(ArrowError::SchemaError(format!(
                "{} column getters for {} columns",
                columns.len(),
                self.builders.len()
            )));
        }
        let uses_base = columns.iter().any(|c| matches!(c.get, Col::Base(_)));
        for block in rows.chunks(BLOCK_ROWS) {
            let block: Vec<&K::Row<'_>> = block.iter().collect();
            let bases: Vec<&BaseCallLogRecord> = block.iter().filter_map(|r| K::base(r)).collect();
            if uses_base && bases.len() != block.len() {
                return Err(ArrowError::SchemaError(
                    "base columns asked of rows without a base".into(),
                ));
            }
            for (column, builder) in columns.iter().zip(&mut self.builders) {
                match &column.get {
                    Col::Row(g) => builder.append(&column.name, g, &block)?,
                    Col::Base(g) => builder.append(&column.name, g, &bases)?,
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
    fn new<K: RowKind>(getter: &Getter<K>, rows: usize) -> Result<Self, ArrowError> {
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
    fn append<K: RowKind>(
        &mut self,
        name: &str,
        getter: &Getter<K>,
        rows: &[&K::Row<'_>],
    ) -> Result<(), ArrowError> {
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

/// The `extra_json` column of a row read from the object at `source_prefix` (`""`,
/// `legs[].`, …); `get` reads the row's unknown fields, made by
/// [`crate::columns::extra_json`].
pub(crate) fn extra_json_column<K: RowKind>(source_prefix: &str, get: Getter<K>) -> Column<K> {
    Column::row("extra_json", true, get).doc(
        format!("{source_prefix}*"),
        "Every field the API sent that has no column of its own (those of nested objects \
         under their parent's name), as one JSON object with sorted keys; null when there \
         is none.",
    )
}

/// The item field of `List<Utf8>` columns: items are never null.
pub(crate) fn list_item() -> Field {
    Field::new("item", DataType::Utf8, false)
}

/// Precision and scale of money columns: `decimal(18, 6)`, exact micro-units.
pub(crate) const MONEY_PRECISION: u8 = 18;
pub(crate) const MONEY_SCALE: i8 = 6;

/// Time zone of every timestamp column.
pub(crate) const UTC: &str = "UTC";

/// The Arrow type of a column read by `getter`; the batch builders of `columns.rs` build
/// the same types (and `RecordBatch::try_new` checks that they do).
pub(crate) fn data_type<K: RowKind>(getter: &Getter<K>) -> DataType {
    match getter {
        Getter::Str(_) => DataType::Utf8,
        Getter::I64(_) => DataType::Int64,
        Getter::I32(_) => DataType::Int32,
        Getter::Bool(_) => DataType::Boolean,
        Getter::Ts(_) => DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
        Getter::Money(_) => DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
        Getter::List(_) => DataType::List(Arc::new(list_item())),
    }
}

/// A table's schema: its columns' fields, sort key, what one row is and what its partition
/// date means (both shown in `docs/lake.md`).
pub(crate) fn table_schema<K: RowKind>(
    columns: &[Column<K>],
    sort_key: &str,
    row: &str,
    partition_date: &str,
) -> SchemaRef {
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| {
            let data_type = match &c.get {
                Col::Row(g) => data_type(g),
                Col::Base(g) => data_type(g),
            };
            Field::new(c.name.as_str(), data_type, c.nullable).with_metadata(HashMap::from([
                (SOURCE_METADATA.to_owned(), c.source.clone()),
                (DESCRIPTION_METADATA.to_owned(), c.description.clone()),
            ]))
        })
        .collect();
    let metadata = HashMap::from([
        (SORT_KEY_METADATA.to_owned(), sort_key.to_owned()),
        (
            SCHEMA_VERSION_METADATA.to_owned(),
            SCHEMA_VERSION.to_string(),
        ),
        (DESCRIPTION_METADATA.to_owned(), row.to_owned()),
        (
            PARTITION_DATE_METADATA.to_owned(),
            partition_date.to_owned(),
        ),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
mod tests {
    use super::*;

    use arrow::array::Array;

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
