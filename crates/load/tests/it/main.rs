//! Integration tests of ringlake-load: write, read back with the parquet reader, compare;
//! atomic replace, unchanged detection, removal, and clean errors.

// Tests: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Decimal128Array, ListBuilder, RecordBatch, StringArray, StringBuilder,
    TimestampMillisecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::reader::{FileReader, SerializedFileReader};
use ringlake_load::{
    Error, LoadOptions, PARTITION_FILE_NAME, SORT_KEY_METADATA, TMP_DIR_NAME,
    parse_partition_dir_name, partition_dir, write_partition, write_table,
};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn schema() -> SchemaRef {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)));
    Arc::new(Schema::new_with_metadata(
        vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("tags", list, true),
            Field::new(
                "start_time",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                false,
            ),
            Field::new("cost", DataType::Decimal128(18, 6), true),
            Field::new("deleted", DataType::Boolean, false),
        ],
        HashMap::from([
            (SORT_KEY_METADATA.to_owned(), "start_time,id".to_owned()),
            ("ringlake.schema_version".to_owned(), "1".to_owned()),
        ]),
    ))
}

/// `n` rows sorted by (start_time, id); `salt` changes the values.
fn batch(n: usize, salt: i64) -> RecordBatch {
    let ids: StringArray = (0..n).map(|i| Some(format!("id-{i:04}-{salt}"))).collect();
    let mut tags = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "item",
        DataType::Utf8,
        false,
    )));
    for i in 0..n {
        if i % 3 == 0 {
            tags.append(false);
        } else {
            tags.values().append_value("Sales");
            tags.values().append_value(format!("t{i}"));
            tags.append(true);
        }
    }
    let start: TimestampMillisecondArray = (0..n)
        .map(|i| Some(1_704_067_200_000 + (i as i64) * 60_000 + salt))
        .collect();
    let cost = (0..n)
        .map(|i| {
            if i % 4 == 0 {
                None
            } else {
                Some(137_000 * i as i128 + salt as i128)
            }
        })
        .collect::<Decimal128Array>()
        .with_precision_and_scale(18, 6)
        .unwrap();
    let deleted: BooleanArray = (0..n).map(|i| Some(i % 5 == 0)).collect();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(ids),
        Arc::new(tags.finish()),
        Arc::new(start.with_timezone("UTC")),
        Arc::new(cost),
        Arc::new(deleted),
    ];
    RecordBatch::try_new(schema(), cols).unwrap()
}

fn read_back(path: &Path) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

#[test]
fn write_and_read_back_equal_with_declared_properties() {
    let lake = tempfile::tempdir().unwrap();
    let b = batch(10, 0);
    let opts = LoadOptions::new().with_max_row_group_rows(4);
    let w = write_partition(lake.path(), "calls", day("2024-01-01"), &b, &opts).unwrap();

    let expected_path =
        partition_dir(lake.path(), "calls", day("2024-01-01")).join(PARTITION_FILE_NAME);
    assert_eq!(w.path.as_deref(), Some(expected_path.as_path()));
    assert_eq!(
        (w.rows, w.changed, w.table.as_str(), w.date),
        (10, true, "calls", day("2024-01-01"))
    );
    assert_eq!(w.bytes, std::fs::metadata(&expected_path).unwrap().len());

    let back = read_back(&expected_path);
    assert_eq!(back.columns(), b.columns());
    assert_eq!(back.schema().fields(), b.schema().fields());
    // The Arrow schema, metadata included, travels in the file.
    let embedded = ParquetRecordBatchReaderBuilder::try_new(File::open(&expected_path).unwrap())
        .unwrap()
        .schema()
        .clone();
    assert_eq!(
        embedded
            .metadata()
            .get(SORT_KEY_METADATA)
            .map(String::as_str),
        Some("start_time,id")
    );

    let meta = SerializedFileReader::new(File::open(&expected_path).unwrap())
        .unwrap()
        .metadata()
        .clone();
    assert_eq!(meta.file_metadata().created_by(), Some("ringlake"));
    assert_eq!(meta.num_row_groups(), 3, "10 rows at 4 per group");
    let rg = meta.row_group(0);
    assert!(matches!(rg.column(0).compression(), Compression::ZSTD(_)));
    assert!(rg.column(2).statistics().is_some(), "statistics on");
    let sorting = rg.sorting_columns().unwrap();
    // Leaf indices: `tags` is one leaf, so start_time is leaf 2 and id leaf 0.
    assert_eq!(
        sorting.iter().map(|c| c.column_idx).collect::<Vec<_>>(),
        [2, 0]
    );
    assert!(
        rg.column(2).column_index_offset().is_some(),
        "page-level statistics (column index) written"
    );

    assert!(dir_entries(&lake.path().join(TMP_DIR_NAME)).is_empty());
}

#[test]
fn identical_rewrite_is_unchanged_and_byte_identical() {
    let lake = tempfile::tempdir().unwrap();
    let b = batch(25, 1);
    let opts = LoadOptions::new();
    let first = write_partition(lake.path(), "calls", day("2024-01-01"), &b, &opts).unwrap();
    let path = first.path.clone().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();

    // A fresh batch with the same rows (not the same Arc'd arrays).
    let again = write_partition(
        lake.path(),
        "calls",
        day("2024-01-01"),
        &batch(25, 1),
        &opts,
    )
    .unwrap();
    assert!(!again.changed);
    assert_eq!(again.bytes, first.bytes);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified,
        "file left untouched"
    );

    // Another lake, same rows: the same bytes (nothing run-specific in the file).
    let other = tempfile::tempdir().unwrap();
    let w = write_partition(other.path(), "calls", day("2024-01-01"), &b, &opts).unwrap();
    assert_eq!(std::fs::read(w.path.unwrap()).unwrap(), bytes);
}

#[test]
fn replacing_leaves_one_file_and_nothing_in_tmp() {
    let lake = tempfile::tempdir().unwrap();
    let d = day("2024-01-02");
    let dir = partition_dir(lake.path(), "calls", d);
    write_partition(lake.path(), "calls", d, &batch(5, 0), &LoadOptions::new()).unwrap();
    // Debris a crashed foreign writer could leave behind.
    std::fs::write(dir.join("part-00001.parquet"), b"old").unwrap();
    std::fs::create_dir(dir.join("nested")).unwrap();

    let w = write_partition(lake.path(), "calls", d, &batch(7, 2), &LoadOptions::new()).unwrap();
    assert!(w.changed);
    assert_eq!(w.rows, 7);
    assert_eq!(dir_entries(&dir), [PARTITION_FILE_NAME]);
    assert_eq!(read_back(&dir.join(PARTITION_FILE_NAME)).num_rows(), 7);
    assert!(dir_entries(&lake.path().join(TMP_DIR_NAME)).is_empty());
    assert_eq!(dir_entries(&lake.path().join("calls")), ["date=2024-01-02"]);
}

#[test]
fn zero_rows_remove_the_partition() {
    let lake = tempfile::tempdir().unwrap();
    let d = day("2024-01-03");
    write_partition(lake.path(), "calls", d, &batch(3, 0), &LoadOptions::new()).unwrap();
    let w = write_partition(lake.path(), "calls", d, &batch(0, 0), &LoadOptions::new()).unwrap();
    assert_eq!(
        (w.path.is_none(), w.rows, w.bytes, w.changed),
        (true, 0, 0, true)
    );
    assert!(!partition_dir(lake.path(), "calls", d).exists());
    assert!(dir_entries(&lake.path().join(TMP_DIR_NAME)).is_empty());

    let again =
        write_partition(lake.path(), "calls", d, &batch(0, 0), &LoadOptions::new()).unwrap();
    assert!(!again.changed, "nothing to remove the second time");
}

#[test]
fn unwritable_lake_is_a_clean_error() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the lake directory should be.
    let lake = tmp.path().join("lake");
    std::fs::write(&lake, b"i am a file").unwrap();
    let err = write_partition(
        &lake,
        "calls",
        day("2024-01-01"),
        &batch(2, 0),
        &LoadOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("calls/date=2024-01-01") && text.contains("lake"),
        "{text}"
    );

    // A file where the table directory should be.
    let lake2 = tmp.path().join("lake2");
    std::fs::create_dir_all(&lake2).unwrap();
    std::fs::write(lake2.join("calls"), b"").unwrap();
    let err = write_partition(
        &lake2,
        "calls",
        day("2024-01-01"),
        &batch(2, 0),
        &LoadOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(
        dir_entries(&lake2.join(TMP_DIR_NAME)).is_empty(),
        "temp file cleaned up after the failure"
    );

    let err = write_partition(
        tmp.path(),
        "../escape",
        day("2024-01-01"),
        &batch(1, 0),
        &LoadOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidTable { .. }), "{err}");
    let err = write_partition(
        tmp.path(),
        "calls",
        day("2024-01-01"),
        &batch(1, 0),
        &LoadOptions::new().with_zstd_level(1000),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidOptions { .. }), "{err}");
}

#[test]
fn write_table_writes_every_partition_in_date_order() {
    let lake = tempfile::tempdir().unwrap();
    let parts: BTreeMap<NaiveDate, RecordBatch> = (1..=6)
        .map(|d| {
            (
                day(&format!("2024-01-{d:02}")),
                batch(if d == 4 { 0 } else { d * 3 }, d as i64),
            )
        })
        .collect();
    let writes = write_table(lake.path(), "call_legs", &parts, &LoadOptions::new()).unwrap();
    assert_eq!(
        writes.iter().map(|w| w.date).collect::<Vec<_>>(),
        parts.keys().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        writes.iter().map(|w| w.rows).collect::<Vec<_>>(),
        [3, 6, 9, 0, 15, 18]
    );
    let dirs = dir_entries(&lake.path().join("call_legs"));
    assert_eq!(dirs.len(), 5, "the empty day has no directory: {dirs:?}");
    for name in &dirs {
        let date = parse_partition_dir_name(name).unwrap();
        let back = read_back(
            &lake
                .path()
                .join("call_legs")
                .join(name)
                .join(PARTITION_FILE_NAME),
        );
        assert_eq!(back.columns(), parts[&date].columns());
    }
    let again = write_table(lake.path(), "call_legs", &parts, &LoadOptions::new()).unwrap();
    assert!(again.iter().all(|w| !w.changed));
}

#[test]
fn write_table_refuses_mixed_schemas_before_writing() {
    let lake = tempfile::tempdir().unwrap();
    let other_schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, false)]));
    let odd =
        RecordBatch::try_new(other_schema, vec![Arc::new(StringArray::from(vec!["x"]))]).unwrap();
    let parts = BTreeMap::from([(day("2024-01-01"), batch(2, 0)), (day("2024-01-02"), odd)]);
    let err = write_table(lake.path(), "calls", &parts, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, Error::SchemaMismatch { .. }), "{err}");
    assert!(err.to_string().contains("2024-01-02"));
    assert!(!lake.path().join("calls").exists(), "nothing written");
}
