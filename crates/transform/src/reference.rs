//! `docs/lake.md`: the analysts' reference of the lake, rendered from the schemas.
//!
//! Everything per table and per column comes from the schema declarations in
//! [`crate::schema`] (field and schema metadata), so the document cannot say something the
//! code does not do; the integration test `it::docs` keeps the checked-in file current.

use std::fmt::Write as _;

use arrow::datatypes::{DataType, Field, TimeUnit};

use crate::schema::{
    DESCRIPTION_METADATA, PARTITION_DATE_METADATA, SCHEMA_VERSION, SORT_KEY_METADATA,
    SOURCE_METADATA, tables,
};
use crate::streams::schema_for;

/// The Markdown reference of the lake (`docs/lake.md`): its layout, then per table what a
/// row is, its partition date, its sort key, and every column with its type, nullability,
/// the API field it is read from and its description.
pub fn lake_reference() -> String {
    let mut out = String::new();
    intro(&mut out);
    for table in tables::ALL {
        // Every name in `tables::ALL` has a schema (a unit test of `schema` checks it).
        if let Some(schema) = schema_for(table) {
            let meta = |key: &str| schema.metadata().get(key).map_or("", String::as_str);
            let sort_key: Vec<String> = meta(SORT_KEY_METADATA)
                .split(',')
                .map(|c| format!("`{c}`"))
                .collect();
            let _ = write!(
                out,
                "\n## `{table}`\n\n{}\n\n- Partition `date`: {}\n- Sort key: {}\n\n\
                 | column | type | nullable | from API field | description |\n\
                 |---|---|---|---|---|\n",
                meta(DESCRIPTION_METADATA),
                meta(PARTITION_DATE_METADATA),
                sort_key.join(", "),
            );
            for field in schema.fields() {
                column_row(&mut out, field);
            }
        }
    }
    out
}

fn intro(out: &mut String) {
    let _ = write!(
        out,
        "# The lake: tables and columns

<!-- Generated from crates/transform/src/schema.rs by `ringlake_transform::lake_reference()`.
     Do not edit by hand: change the schema, then run
     `UPDATE_DOCS=1 cargo test -p ringlake-transform --test it docs`. -->

Schema version **{SCHEMA_VERSION}**. This is the contract analysts rely on: the tables ringlake
writes, what one row of each is, and every column with its type and the RingCentral API field it
comes from.

## Layout

```text
<lake>/
  <table>/
    _manifest.json
    date=YYYY-MM-DD/
      part-00000.parquet
      part-00001.parquet      (large partitions are split into several files)
  _dead_letter/<table>/<run>.jsonl
```

- **Partitions.** Each table is a directory of Hive partitions `date=YYYY-MM-DD`, files
  `<lake>/<table>/date=YYYY-MM-DD/part-NNNNN.parquet`. The partition column `date` is not stored
  inside the files: every reader derives it from the path (DuckDB `hive_partitioning`, Spark,
  pyarrow `partitioning=\"hive\"`, Polars `hive_partitioning`). It is a day in the run's time zone
  (the pipeline's `time_zone`, default UTC), so with another time zone a call near midnight
  lands on another day; which instant it is the day of is given per table below.
- **Files.** A run replaces a partition whole, so a reader never sees part old, part new rows,
  and a re-run never duplicates rows. Within a partition rows are sorted by the table's sort key
  (declared in the Parquet files as their sorting columns). Every file embeds the Arrow schema:
  each column carries the metadata `description` and `ringlake.source` (the last two columns
  below), the schema carries `ringlake.schema_version`, `ringlake.sort_key`, `description` (what
  a row is) and `ringlake.partition_date`.
- **Manifest.** `<lake>/<table>/_manifest.json` lists each partition's files with their row
  counts, byte sizes and checksums, the schema version, and the run that wrote them;
  `ringlake lake verify` checks the lake against it.
- **Dead letters.** Records that could not be read go to `<lake>/_dead_letter/<table>/<run>.jsonl`,
  one JSON object per line with the raw record, the reason and the page it came from. Names
  starting with `_` (`_dead_letter`, `_raw`, `_state`, `_tmp`, manifests) are skipped by Spark,
  pyarrow and `<table>/*/*.parquet` globs.
- **Types.** Timestamps are instants in UTC, millisecond precision (`timestamp (ms, UTC)`);
  money is `decimal(18,6)`, read exactly from the JSON text; ids keep the API's type (call-log
  ids are text, message and extension ids `int64`). `nullable: no` means never null.
- **From API field.** A path in the API's JSON record: `from.phoneNumber` is the `phoneNumber`
  of `from`; `legs[].result` is the `result` of each element of `legs`; `*` is every field that
  has no column of its own (kept in `extra_json`); `a, b` means either. A note in parentheses
  is a value ringlake derives, such as `(run)` for a snapshot's time.

## Tables

| table | one row is |
|---|---|
"
    );
    for table in tables::ALL {
        if let Some(schema) = schema_for(table) {
            let row = schema
                .metadata()
                .get(DESCRIPTION_METADATA)
                .map_or("", String::as_str);
            let first = row.split_inclusive(". ").next().unwrap_or(row).trim_end();
            let _ = writeln!(out, "| [`{table}`](#{table}) | {} |", cell(first));
        }
    }
}

fn column_row(out: &mut String, field: &Field) {
    let meta = |key: &str| field.metadata().get(key).map_or("", String::as_str);
    let source = meta(SOURCE_METADATA);
    let source = if source.starts_with('(') {
        source.to_owned()
    } else {
        source
            .split(", ")
            .map(|path| format!("`{path}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "| `{}` | {} | {} | {} | {} |",
        field.name(),
        type_name(field.data_type()),
        if field.is_nullable() { "yes" } else { "no" },
        cell(&source),
        cell(meta(DESCRIPTION_METADATA)),
    );
}

/// A Markdown table cell: a `|` would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// An Arrow type the way analysts read it (`timestamp (ms, UTC)`, `decimal(18,6)`,
/// `list<string>`).
fn type_name(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::Date32 => "date".into(),
        DataType::Decimal128(p, s) => format!("decimal({p},{s})"),
        DataType::Timestamp(unit, tz) => {
            let unit = match unit {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "µs",
                TimeUnit::Nanosecond => "ns",
            };
            match tz {
                Some(tz) => format!("timestamp ({unit}, {tz})"),
                None => format!("timestamp ({unit}, no time zone)"),
            }
        }
        DataType::List(item) | DataType::LargeList(item) => {
            format!("list<{}>", type_name(item.data_type()))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_read_like_analysts_write_them() {
        let ts = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        assert_eq!(type_name(&ts), "timestamp (ms, UTC)");
        assert_eq!(type_name(&DataType::Decimal128(18, 6)), "decimal(18,6)");
        let list = DataType::List(std::sync::Arc::new(Field::new(
            "item",
            DataType::Utf8,
            false,
        )));
        assert_eq!(type_name(&list), "list<string>");
        assert_eq!(type_name(&DataType::Boolean), "bool");
    }

    #[test]
    fn every_column_of_every_table_is_listed_once() {
        let doc = lake_reference();
        for table in tables::ALL {
            let section = doc
                .split(&format!("\n## `{table}`\n"))
                .nth(1)
                .and_then(|rest| rest.split("\n## ").next())
                .unwrap_or_default();
            let schema = schema_for(table).unwrap_or_else(|| panic!("{table}"));
            let rows = section.lines().filter(|l| l.starts_with("| `")).count();
            assert_eq!(rows, schema.fields().len(), "{table}");
            for f in schema.fields() {
                assert!(
                    section.contains(&format!("| `{}` |", f.name())),
                    "{table}.{}",
                    f.name()
                );
            }
        }
    }

    #[test]
    fn pipes_cannot_break_a_row() {
        assert_eq!(cell("a | b"), "a \\| b");
    }
}
