//! Scenarios run against both a local and an S3 lake (see `main.rs`).

use std::collections::{BTreeMap, BTreeSet};

use arrow::array::RecordBatch;
use bytes::Bytes;
use chrono::NaiveDate;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::metadata::PageIndexPolicy;
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::reader::{FileReader, SerializedFileReader};
use ringlake_load::{
    Error, FindingKind, LoadOptions, MANIFEST_FILE_NAME, Manifest, SORT_KEY_METADATA, TableWriter,
    verify, write_table,
};
use sha2::{Digest, Sha256};

use crate::support::{START_TIME_DESCRIPTION, TestLake, batch, day, read_back};

fn get(t: &dyn TestLake, rel: &str) -> Bytes {
    t.lake()
        .get(rel)
        .unwrap()
        .unwrap_or_else(|| panic!("{}: {rel} missing", t.name()))
}

fn manifest(t: &dyn TestLake, table: &str) -> Manifest {
    Manifest::from_bytes(&get(t, &format!("{table}/{MANIFEST_FILE_NAME}"))).unwrap()
}

fn parts(days: &[(&str, usize, i64)]) -> BTreeMap<NaiveDate, RecordBatch> {
    days.iter()
        .map(|(d, n, salt)| (day(d), batch(*n, *salt)))
        .collect()
}

fn opts(run: &str) -> LoadOptions {
    LoadOptions::new().with_run_id(run)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn write_read_back_and_layout(t: &dyn TestLake) {
    let lake = t.lake();
    let input = parts(&[("2024-01-01", 10, 0), ("2024-01-02", 3, 1)]);
    let writes = write_table(
        lake,
        "calls",
        &input,
        &opts("run-1").with_max_row_group_rows(4),
    )
    .unwrap();

    assert_eq!(
        writes
            .iter()
            .map(|w| (w.date, w.rows, w.changed))
            .collect::<Vec<_>>(),
        [(day("2024-01-01"), 10, true), (day("2024-01-02"), 3, true)]
    );
    let w = &writes[0];
    assert_eq!(w.table, "calls");
    assert_eq!(w.files, ["calls/date=2024-01-01/part-00000.parquet"]);
    assert_eq!(
        w.path.as_deref(),
        Some(lake.location("calls/date=2024-01-01").as_str())
    );
    assert_eq!(
        t.objects("calls"),
        [
            "calls/_manifest.json",
            "calls/date=2024-01-01/part-00000.parquet",
            "calls/date=2024-01-02/part-00000.parquet",
        ],
        "{}",
        t.name()
    );
    assert!(t.objects("_tmp").is_empty(), "nothing left in _tmp");

    for w in &writes {
        let bytes = get(t, &w.files[0]);
        assert_eq!(w.bytes, bytes.len() as u64);
        let back = read_back(bytes);
        assert_eq!(back.columns(), input[&w.date].columns());
        assert_eq!(back.schema().fields(), input[&w.date].schema().fields());
    }

    let bytes = get(t, "calls/date=2024-01-01/part-00000.parquet");
    // The Arrow schema travels in the file: schema metadata and field descriptions.
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).unwrap();
    let embedded = builder.schema().clone();
    assert_eq!(
        embedded
            .metadata()
            .get(SORT_KEY_METADATA)
            .map(String::as_str),
        Some("start_time,id")
    );
    assert_eq!(
        embedded
            .field_with_name("start_time")
            .unwrap()
            .metadata()
            .get("description")
            .map(String::as_str),
        Some(START_TIME_DESCRIPTION)
    );
    assert!(
        builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .is_some_and(|kv| kv.iter().any(|e| e.key == "ARROW:schema")),
        "ARROW:schema in the footer"
    );

    let meta = SerializedFileReader::new(bytes.clone())
        .unwrap()
        .metadata()
        .clone();
    assert_eq!(meta.file_metadata().created_by(), Some("ringlake"));
    assert_eq!(meta.num_row_groups(), 3, "10 rows at 4 per group");
    let rg = meta.row_group(0);
    // Leaf indices: `tags` is one leaf, so start_time is leaf 2 and id leaf 0.
    assert_eq!(
        rg.sorting_columns()
            .unwrap()
            .iter()
            .map(|c| c.column_idx)
            .collect::<Vec<_>>(),
        [2, 0]
    );
    for c in rg.columns() {
        assert!(matches!(c.compression(), Compression::ZSTD(_)), "zstd");
        assert!(c.statistics().is_some(), "statistics on");
        assert!(c.column_index_offset().is_some(), "column index written");
        assert!(c.offset_index_offset().is_some(), "offset index written");
    }

    // The page index as readers load it: column index (page min/max) + offset index.
    let with_index = ParquetRecordBatchReaderBuilder::try_new_with_options(
        bytes,
        ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required),
    )
    .unwrap();
    let page_index = with_index
        .metadata()
        .page_index()
        .expect("page index loaded");
    assert!(page_index.is_complete(), "column and offset indexes");
    match page_index.column_index(0, 2) {
        Some(ColumnIndexMetaData::INT64(idx)) => {
            assert_eq!(idx.min_value(0), Some(&1_704_067_200_000));
            assert_eq!(idx.max_value(0), Some(&1_704_067_203_000));
        }
        other => panic!("start_time column index: {other:?}"),
    }
    assert!(page_index.offset_index(0, 2).is_some());
}

pub fn rewrite_is_unchanged_and_untouched(t: &dyn TestLake) {
    let lake = t.lake();
    let input = parts(&[("2024-01-01", 25, 1), ("2024-01-02", 5, 2)]);
    let first = write_table(lake, "calls", &input, &opts("run-1")).unwrap();
    let files: Vec<String> = first.iter().flat_map(|w| w.files.clone()).collect();
    let versions: Vec<String> = files.iter().map(|f| t.version(f)).collect();
    let bytes: Vec<Bytes> = files.iter().map(|f| get(t, f)).collect();
    let manifest_version = t.version("calls/_manifest.json");

    // Fresh batches with the same rows (not the same Arc'd arrays), another run.
    let fresh = parts(&[("2024-01-01", 25, 1), ("2024-01-02", 5, 2)]);
    let again = write_table(lake, "calls", &fresh, &opts("run-2")).unwrap();
    assert!(again.iter().all(|w| !w.changed), "{again:?}");
    assert_eq!(
        again.iter().map(|w| w.bytes).collect::<Vec<_>>(),
        first.iter().map(|w| w.bytes).collect::<Vec<_>>()
    );
    assert_eq!(
        files.iter().map(|f| t.version(f)).collect::<Vec<_>>(),
        versions,
        "{}: files untouched (same ETag / inode and mtime)",
        t.name()
    );
    assert_eq!(files.iter().map(|f| get(t, f)).collect::<Vec<_>>(), bytes);
    assert_eq!(
        t.version("calls/_manifest.json"),
        manifest_version,
        "unchanged manifest not rewritten"
    );
    assert!(
        manifest(t, "calls")
            .partitions
            .values()
            .flat_map(|p| &p.files)
            .all(|f| f.run_id == "run-1"),
        "unchanged files keep the run that wrote them"
    );

    // One day changes: only it is rewritten, and only its entry names the new run.
    let mut changed_input = input.clone();
    changed_input.insert(day("2024-01-02"), batch(6, 2));
    let third = write_table(lake, "calls", &changed_input, &opts("run-3")).unwrap();
    assert_eq!(
        third.iter().map(|w| w.changed).collect::<Vec<_>>(),
        [false, true]
    );
    assert_eq!(t.version(&files[0]), versions[0]);
    let m = manifest(t, "calls");
    assert_eq!(m.partitions[&day("2024-01-01")].files[0].run_id, "run-1");
    assert_eq!(m.partitions[&day("2024-01-02")].files[0].run_id, "run-3");
    assert_eq!(m.partitions[&day("2024-01-02")].files[0].rows, 6);
}

pub fn big_partition_splits_then_shrinks(t: &dyn TestLake) {
    let lake = t.lake();
    let d = day("2024-03-01");
    let rows = 20_000;
    let input = BTreeMap::from([(d, batch(rows, 3))]);
    let one = write_table(lake, "calls", &input, &opts("run-1")).unwrap();
    let whole = one[0].bytes;
    let whole_bytes = get(t, "calls/date=2024-03-01/part-00000.parquet");

    // A target a third of the partition's Parquet: three files of about that size.
    let split = write_table(
        lake,
        "calls",
        &input,
        &opts("run-2").with_target_file_bytes(whole.div_ceil(3)),
    )
    .unwrap();
    let w = &split[0];
    assert!(w.changed);
    assert_eq!(
        w.files,
        [
            "calls/date=2024-03-01/part-00000.parquet",
            "calls/date=2024-03-01/part-00001.parquet",
            "calls/date=2024-03-01/part-00002.parquet",
        ]
    );
    assert_eq!(t.objects("calls/date=2024-03-01"), w.files);
    let pieces: Vec<RecordBatch> = w.files.iter().map(|f| read_back(get(t, f))).collect();
    assert_eq!(
        pieces.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(),
        [6_667, 6_667, 6_666],
        "equal row counts, in order"
    );
    let joined = arrow::compute::concat_batches(&pieces[0].schema(), &pieces).unwrap();
    assert_eq!(
        joined.columns(),
        input[&d].columns(),
        "the sorted rows, cut"
    );
    for f in &w.files {
        let size = get(t, f).len() as u64;
        assert!(size < whole / 2, "{f}: {size} bytes of {whole}");
    }
    let m = manifest(t, "calls");
    assert_eq!(
        m.partitions[&d]
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.rows))
            .collect::<Vec<_>>(),
        [
            ("date=2024-03-01/part-00000.parquet", 6_667),
            ("date=2024-03-01/part-00001.parquet", 6_667),
            ("date=2024-03-01/part-00002.parquet", 6_666),
        ]
    );
    assert!(verify(lake).unwrap().is_clean());

    // Back to the default target: one file again, the stale parts gone.
    let back = write_table(lake, "calls", &input, &opts("run-3")).unwrap();
    assert!(back[0].changed);
    assert_eq!(back[0].files, ["calls/date=2024-03-01/part-00000.parquet"]);
    assert_eq!(
        t.objects("calls/date=2024-03-01"),
        ["calls/date=2024-03-01/part-00000.parquet"]
    );
    assert_eq!(
        get(t, "calls/date=2024-03-01/part-00000.parquet"),
        whole_bytes
    );
    assert_eq!(manifest(t, "calls").partitions[&d].files.len(), 1);
    let report = verify(lake).unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
}

/// An empty day never deletes what the lake holds (issue 17): the API forgets (retention)
/// and a raw zone can come out empty, but the archive is the only copy left.
pub fn an_empty_day_keeps_its_partition(t: &dyn TestLake) {
    let lake = t.lake();
    write_table(
        lake,
        "calls",
        &parts(&[("2024-01-03", 3, 0), ("2024-01-04", 4, 0)]),
        &opts("run-1"),
    )
    .unwrap();
    let files = t.objects("calls");
    let file = "calls/date=2024-01-03/part-00000.parquet";
    let version = t.version(file);
    let listed = get(t, "calls/_manifest.json");

    let empty = parts(&[("2024-01-03", 0, 0)]);
    let w = write_table(lake, "calls", &empty, &opts("run-2")).unwrap();
    assert_eq!(
        t.objects("calls"),
        files,
        "{}: the partition is gone",
        t.name()
    );
    assert_eq!(t.version(file), version, "the file was rewritten");
    assert_eq!(
        get(t, "calls/_manifest.json"),
        listed,
        "the manifest entry changed"
    );
    assert_eq!(
        (w[0].path.clone(), w[0].rows, w[0].changed, w[0].kept),
        (Some(lake.location("calls/date=2024-01-03")), 3, false, true)
    );
    assert_eq!(w[0].files, [file]);
    // As a run writes: one writer, day by day.
    let o = opts("run-3");
    let mut writer = TableWriter::open(lake, "calls", &o).unwrap();
    writer.write(&empty).unwrap();
    writer.write(&parts(&[("2024-01-04", 0, 0)])).unwrap();
    writer.finish().unwrap();
    assert_eq!(t.objects("calls"), files);
    assert_eq!(get(t, "calls/_manifest.json"), listed);
    assert_eq!(read_back(get(t, file)).num_rows(), 3);

    // A table that never had rows gets no directory and no manifest.
    let w = write_table(
        lake,
        "legs",
        &parts(&[("2024-01-03", 0, 0)]),
        &opts("run-4"),
    )
    .unwrap();
    assert_eq!(
        (w[0].path.is_none(), w[0].rows, w[0].changed, w[0].kept),
        (true, 0, false, false)
    );
    assert!(t.objects("legs").is_empty());
    assert!(t.objects("_tmp").is_empty());
    assert!(verify(lake).unwrap().is_clean());
}

/// A manifest deleted or broken is rebuilt from the table's files: every partition, not
/// only the days of the run that finds it so (issue 17).
pub fn lost_or_corrupt_manifest_is_rebuilt_from_every_partition(t: &dyn TestLake) {
    let lake = t.lake();
    write_table(
        lake,
        "calls",
        &parts(&[("2024-03-01", 6, 0), ("2024-03-02", 7, 1)]),
        &opts("run-1"),
    )
    .unwrap();
    let first = manifest(t, "calls");
    let check = |m: &Manifest, days: &[&str]| {
        assert_eq!(
            m.partitions.keys().copied().collect::<Vec<_>>(),
            days.iter().map(|d| day(d)).collect::<Vec<_>>(),
            "{}",
            t.name()
        );
        for (date, p) in &first.partitions {
            let (was, now) = (&p.files[0], &m.partitions[date].files[0]);
            assert_eq!(
                (&now.path, now.rows, now.bytes, &now.sha256),
                (&was.path, was.rows, was.bytes, &was.sha256)
            );
            let bytes = get(t, &format!("calls/{}", now.path));
            assert_eq!(now.sha256, sha256_hex(&bytes));
            assert_eq!(m.partitions[date].schema_version.as_deref(), Some("7"));
        }
        assert!(verify(lake).unwrap().is_clean(), "{}", t.name());
    };

    t.delete("calls/_manifest.json");
    write_table(
        lake,
        "calls",
        &parts(&[("2024-03-03", 8, 2)]),
        &opts("run-2"),
    )
    .unwrap();
    check(
        &manifest(t, "calls"),
        &["2024-03-01", "2024-03-02", "2024-03-03"],
    );

    lake.put("calls/_manifest.json", b"{ not json".to_vec())
        .unwrap();
    // An empty day of a partition the broken manifest no longer vouches for is kept too,
    // its rows read back.
    let w = write_table(
        lake,
        "calls",
        &parts(&[("2024-03-01", 0, 0), ("2024-03-04", 2, 3)]),
        &opts("run-3"),
    )
    .unwrap();
    assert_eq!((w[0].rows, w[0].changed, w[0].kept), (6, false, true));
    check(
        &manifest(t, "calls"),
        &["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"],
    );
}

pub fn manifest_lists_every_file(t: &dyn TestLake) {
    let lake = t.lake();
    let before = chrono::Utc::now() - chrono::Duration::seconds(2);
    let writes = write_table(
        lake,
        "calls",
        &parts(&[("2024-01-05", 7, 0), ("2024-01-06", 2, 1)]),
        &opts("20261122T101500Z-0000abcd"),
    )
    .unwrap();
    let raw = get(t, "calls/_manifest.json");
    let text = std::str::from_utf8(&raw).unwrap();
    assert!(text.ends_with("}\n"), "{text}");
    let m = Manifest::from_bytes(&raw).unwrap();
    assert_eq!(m.table, "calls");
    assert_eq!(m.format, ringlake_load::MANIFEST_FORMAT);
    assert_eq!(m.schema_version.as_deref(), Some("7"));
    assert_eq!(
        m.partitions.keys().copied().collect::<Vec<_>>(),
        [day("2024-01-05"), day("2024-01-06")]
    );
    for w in &writes {
        let p = &m.partitions[&w.date];
        assert_eq!(p.schema_version.as_deref(), Some("7"));
        assert_eq!(p.files.len(), 1);
        let f = &p.files[0];
        assert_eq!(format!("calls/{}", f.path), w.files[0]);
        let bytes = get(t, &w.files[0]);
        assert_eq!((f.rows, f.bytes), (w.rows as u64, bytes.len() as u64));
        assert_eq!(f.sha256, sha256_hex(&bytes));
        assert_eq!(f.run_id, "20261122T101500Z-0000abcd");
        let at = chrono::DateTime::parse_from_rfc3339(&f.written_at).unwrap();
        assert!(at >= before && at <= chrono::Utc::now(), "{}", f.written_at);
    }
    // The manifest of the same lake state is the same bytes (sorted, no run stamp).
    let json: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["format", "partitions", "schema_version", "table"]);
}

/// A run hands a table its days one at a time to one writer: the manifest is written
/// once, at the end, listing every day, and equals what one `write_table` of all the days
/// gives; a batch of another schema on a later day is refused and leaves the earlier ones.
pub fn one_writer_takes_a_run_of_days(t: &dyn TestLake) {
    let lake = t.lake();
    let o = opts("run-1");
    let days = parts(&[
        ("2024-02-01", 5, 0),
        ("2024-02-02", 0, 0),
        ("2024-02-03", 3, 2),
    ]);
    let mut writer = TableWriter::open(lake, "calls", &o).unwrap();
    for (date, batch) in &days {
        let one = BTreeMap::from([(*date, batch.clone())]);
        let writes = writer.write(&one).unwrap();
        assert_eq!(writes.len(), 1);
        assert!(
            lake.get("calls/_manifest.json").unwrap().is_none(),
            "{}: no manifest before the writer finishes",
            t.name()
        );
    }
    let odd = RecordBatch::new_empty(std::sync::Arc::new(arrow::datatypes::Schema::empty()));
    let refused = writer.write(&BTreeMap::from([(day("2024-02-04"), odd)]));
    assert!(
        matches!(refused, Err(Error::SchemaMismatch { .. })),
        "{refused:?}"
    );
    let writes = writer.finish().unwrap();
    assert_eq!(
        writes.iter().map(|w| (w.date, w.rows)).collect::<Vec<_>>(),
        [
            (day("2024-02-01"), 5),
            (day("2024-02-02"), 0),
            (day("2024-02-03"), 3)
        ]
    );
    let streamed = get(t, "calls/_manifest.json");
    assert!(verify(lake).unwrap().is_clean());
    assert_eq!(
        manifest(t, "calls")
            .partitions
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [day("2024-02-01"), day("2024-02-03")],
        "a day without rows or partition gets none"
    );
    // The same days in one call: nothing changes, not even the manifest's bytes.
    let again = write_table(lake, "calls", &days, &o).unwrap();
    assert!(again.iter().all(|w| !w.changed));
    assert_eq!(get(t, "calls/_manifest.json"), streamed);
}

pub fn run_killed_before_its_manifest_is_repaired(t: &dyn TestLake) {
    let lake = t.lake();
    let input = parts(&[("2024-01-07", 9, 0), ("2024-01-08", 4, 1)]);
    let first = write_table(lake, "calls", &input, &opts("run-1")).unwrap();
    let versions: Vec<String> = first.iter().map(|w| t.version(&w.files[0])).collect();
    // As if run-1 had been killed between its files and its manifest.
    t.delete("calls/_manifest.json");
    let report = verify(lake).unwrap();
    assert_eq!(
        report
            .findings
            .iter()
            .map(|f| (f.kind, f.to_string()))
            .collect::<Vec<_>>(),
        [(
            FindingKind::NoManifest,
            "calls: no _manifest.json, 2 files not verified".to_owned()
        )]
    );

    let again = write_table(lake, "calls", &input, &opts("run-2")).unwrap();
    assert!(
        again.iter().all(|w| !w.changed),
        "files compared byte by byte"
    );
    assert_eq!(
        first
            .iter()
            .map(|w| t.version(&w.files[0]))
            .collect::<Vec<_>>(),
        versions
    );
    let m = manifest(t, "calls");
    assert_eq!(
        m.partitions.len(),
        2,
        "entries added for the unlisted files"
    );
    assert!(
        m.partitions
            .values()
            .flat_map(|p| &p.files)
            .all(|f| f.run_id == "run-2")
    );
    assert!(verify(lake).unwrap().is_clean());
}

pub fn verify_reports_each_difference(t: &dyn TestLake) {
    let lake = t.lake();
    write_table(
        lake,
        "calls",
        &parts(&[
            ("2024-01-01", 10, 0),
            ("2024-01-02", 20, 1),
            ("2024-01-03", 30, 2),
        ]),
        &opts("run-v"),
    )
    .unwrap();
    write_table(
        lake,
        "legs",
        &parts(&[("2024-01-01", 5, 0)]),
        &opts("run-v"),
    )
    .unwrap();
    // Zones that are not tables, and hidden names inside a table.
    lake.put("_dead_letter/calls/run-v.jsonl", b"{}\n".to_vec())
        .unwrap();
    lake.put("_state/call-log.json", b"{}".to_vec()).unwrap();
    lake.put("calls/_SUCCESS", Vec::new()).unwrap();
    lake.put(
        "calls/date=2024-01-03/.part-00000.parquet.crc",
        b"crc".to_vec(),
    )
    .unwrap();

    let clean = verify(lake).unwrap();
    assert!(clean.is_clean(), "{:?}", clean.findings);
    assert_eq!(clean.tables, ["calls", "legs"]);
    assert_eq!(clean.files_checked, 4);

    let m = manifest(t, "calls");
    let listed = |d: &str| m.partitions[&day(d)].files[0].clone();
    let (deleted, truncated, altered) = (
        listed("2024-01-01"),
        listed("2024-01-02"),
        listed("2024-01-03"),
    );

    // A deleted file.
    t.delete("calls/date=2024-01-01/part-00000.parquet");
    // A truncated file.
    let full = get(t, "calls/date=2024-01-02/part-00000.parquet");
    lake.put(
        "calls/date=2024-01-02/part-00000.parquet",
        full.slice(..full.len() / 2),
    )
    .unwrap();
    // Same size, other bytes.
    let mut bytes = get(t, "calls/date=2024-01-03/part-00000.parquet").to_vec();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    lake.put("calls/date=2024-01-03/part-00000.parquet", bytes)
        .unwrap();
    // A stray file, a partition the manifest does not know, something else.
    lake.put(
        "calls/date=2024-01-03/part-00001.parquet",
        b"stray".to_vec(),
    )
    .unwrap();
    lake.put("calls/date=2024-02-01/part-00000.parquet", b"x".to_vec())
        .unwrap();
    lake.put("calls/notes/readme.txt", b"hi".to_vec()).unwrap();
    // A table without a manifest, and one whose manifest is broken.
    lake.put("orphans/date=2024-01-01/part-00000.parquet", b"x".to_vec())
        .unwrap();
    lake.put("broken/_manifest.json", b"{".to_vec()).unwrap();

    let report = verify(lake).unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.tables, ["broken", "calls", "legs", "orphans"]);
    let got: Vec<(FindingKind, &str)> = report
        .findings
        .iter()
        .map(|f| (f.kind, f.path.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (FindingKind::BadManifest, "broken/_manifest.json"),
            (
                FindingKind::Missing,
                "calls/date=2024-01-01/part-00000.parquet"
            ),
            (
                FindingKind::Truncated,
                "calls/date=2024-01-02/part-00000.parquet"
            ),
            (
                FindingKind::ChecksumChanged,
                "calls/date=2024-01-03/part-00000.parquet"
            ),
            (
                FindingKind::Stray,
                "calls/date=2024-01-03/part-00001.parquet"
            ),
            (FindingKind::UnlistedPartition, "calls/date=2024-02-01"),
            (FindingKind::NotAPartition, "calls/notes"),
            (FindingKind::NoManifest, "orphans"),
        ],
        "{}",
        t.name()
    );
    let lines: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines[1],
        format!(
            "calls/date=2024-01-01/part-00000.parquet: missing (the manifest of run run-v lists 10 rows, {} bytes)",
            deleted.bytes
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "calls/date=2024-01-02/part-00000.parquet: truncated to {} bytes (the manifest of run run-v lists 20 rows, {} bytes)",
            truncated.bytes / 2,
            truncated.bytes
        )
    );
    assert!(
        lines[3].starts_with("calls/date=2024-01-03/part-00000.parquet: content changed: sha256 ")
            && lines[3].contains(&format!(
                "the manifest of run run-v lists 30 rows, {} bytes, sha256 {}",
                altered.bytes,
                &altered.sha256[..12]
            )),
        "{}",
        lines[3]
    );
    assert_eq!(
        lines[4],
        "calls/date=2024-01-03/part-00001.parquet: stray file, not in the manifest (5 bytes)"
    );
    assert_eq!(
        lines[5],
        "calls/date=2024-02-01: partition not in the manifest (1 file, 1 bytes)"
    );
    assert_eq!(lines[7], "orphans: no _manifest.json, 1 file not verified");
    assert!(lines.iter().all(|l| !l.contains('\n')));
    let unique: BTreeSet<&str> = report.findings.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(unique.len(), report.findings.len(), "one finding per path");
}

pub fn put_and_get_for_dead_letters(t: &dyn TestLake) {
    let lake = t.lake();
    let body = b"{\"reason\":\"bad\"}\n".to_vec();
    let location = lake
        .put("_dead_letter/calls/run-1.jsonl", body.clone())
        .unwrap();
    assert_eq!(location, lake.location("_dead_letter/calls/run-1.jsonl"));
    assert!(location.starts_with(lake.display().trim_end_matches('/')));
    assert_eq!(get(t, "_dead_letter/calls/run-1.jsonl"), body);
    // Replaced whole.
    lake.put("_dead_letter/calls/run-1.jsonl", b"x".to_vec())
        .unwrap();
    assert_eq!(get(t, "_dead_letter/calls/run-1.jsonl"), &b"x"[..]);
    assert!(lake.get("_dead_letter/calls/none.jsonl").unwrap().is_none());
    for bad in ["../escape", "/abs", "a//b", ""] {
        let err = lake.put(bad, Vec::new()).unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{bad}: {err}");
    }
    assert!(t.objects("_tmp").is_empty());
}
