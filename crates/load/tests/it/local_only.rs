//! What only a local lake has: directories, renames, debris, file-system errors.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use ringlake_load::{
    Error, Lake, LoadOptions, PARTITION_FILE_NAME, TMP_DIR_NAME, parse_partition_dir_name,
    partition_dir, verify, write_table,
};

use crate::support::{LocalLake, TestLake, batch, day, read_back};

fn dir_entries(dir: &std::path::Path) -> Vec<String> {
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
fn partition_paths_are_hive_directories_under_the_lake() {
    let t = LocalLake::new();
    let d = day("2024-01-02");
    let writes = write_table(
        t.lake(),
        "calls",
        &BTreeMap::from([(d, batch(4, 0))]),
        &LoadOptions::new(),
    )
    .unwrap();
    let dir = partition_dir(t.dir.path(), "calls", d);
    assert_eq!(
        writes[0].path.as_deref(),
        Some(dir.display().to_string().as_str())
    );
    assert_eq!(dir_entries(&dir), [PARTITION_FILE_NAME]);
    let back = read_back(std::fs::read(dir.join(PARTITION_FILE_NAME)).unwrap().into());
    assert_eq!(back.num_rows(), 4);
    assert_eq!(
        parse_partition_dir_name(dir.file_name().unwrap().to_str().unwrap()),
        Some(d)
    );
}

#[test]
fn debris_in_a_partition_is_removed_and_tmp_left_empty() {
    let t = LocalLake::new();
    let d = day("2024-01-02");
    let dir = partition_dir(t.dir.path(), "calls", d);
    let one = |n, salt| BTreeMap::from([(d, batch(n, salt))]);
    write_table(t.lake(), "calls", &one(5, 0), &LoadOptions::new()).unwrap();
    // Debris a crashed foreign writer could leave behind.
    std::fs::write(dir.join("part-00001.parquet"), b"old").unwrap();
    std::fs::create_dir(dir.join("nested")).unwrap();
    std::fs::write(dir.join("nested").join("x"), b"x").unwrap();

    // Same rows: the file stays, the debris goes, and that counts as a change.
    let w = write_table(t.lake(), "calls", &one(5, 0), &LoadOptions::new()).unwrap();
    assert!(w[0].changed);
    assert_eq!(dir_entries(&dir), [PARTITION_FILE_NAME]);

    let w = write_table(t.lake(), "calls", &one(7, 2), &LoadOptions::new()).unwrap();
    assert!(w[0].changed);
    assert_eq!(dir_entries(&dir), [PARTITION_FILE_NAME]);
    assert!(dir_entries(&t.path(TMP_DIR_NAME)).is_empty());
    assert_eq!(
        dir_entries(&t.path("calls")),
        ["_manifest.json", "date=2024-01-02"]
    );
}

#[test]
fn an_empty_day_leaves_the_partition_directory() {
    let t = LocalLake::new();
    let d = day("2024-01-03");
    write_table(
        t.lake(),
        "calls",
        &BTreeMap::from([(d, batch(3, 0))]),
        &LoadOptions::new(),
    )
    .unwrap();
    write_table(
        t.lake(),
        "calls",
        &BTreeMap::from([(d, batch(0, 0))]),
        &LoadOptions::new(),
    )
    .unwrap();
    assert_eq!(
        dir_entries(&partition_dir(t.dir.path(), "calls", d)),
        [PARTITION_FILE_NAME]
    );
    assert!(dir_entries(&t.path(TMP_DIR_NAME)).is_empty());
}

/// Nanoseconds since the epoch `secs` seconds ago: the stamp `_tmp/` names carry.
fn nanos_ago(secs: u64) -> u128 {
    (SystemTime::now() - Duration::from_secs(secs))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// What killed runs leave in `_tmp/` is swept when a run starts (`check_writable`), and
/// only names our own code makes there: no foreign file, no link, nothing a link points
/// to, nothing younger than the grace period (issue 17).
#[test]
fn tmp_debris_of_killed_runs_is_swept_at_start_and_nothing_else() {
    let t = LocalLake::new();
    let tmp = t.path(TMP_DIR_NAME);
    std::fs::create_dir_all(&tmp).unwrap();
    let (old, fresh) = (nanos_ago(2 * 86_400), nanos_ago(0));
    // A staged file and a partition moved away for removal, of a run killed two days ago.
    std::fs::write(
        tmp.join(format!(
            "calls.date=2024-01-01.part-00000.parquet.4242.{old}.0"
        )),
        b"half a file",
    )
    .unwrap();
    let removed = tmp.join(format!("date=2024-01-01.removed.4242.{old}.1"));
    std::fs::create_dir_all(removed.join("nested")).unwrap();
    std::fs::write(removed.join(PARTITION_FILE_NAME), b"x").unwrap();
    // An older build's write check, named by its pid only: judged by its mtime.
    let check = tmp.join("write-check-4242");
    std::fs::write(&check, b"ringlake write check\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&check)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(2 * 86_400))
        .unwrap();
    // Perhaps a run at work right now: younger than the grace period.
    let young = format!("calls.date=2024-01-02.part-00000.parquet.4343.{fresh}.0");
    std::fs::write(tmp.join(&young), b"being written").unwrap();
    // Not ours: other names, and links (ours are never links) to what must stay.
    std::fs::write(tmp.join("notes.txt"), b"mine").unwrap();
    let two_numbers = format!("x.4242.{old}");
    std::fs::write(tmp.join(&two_numbers), b"mine").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keep.txt"), b"keep").unwrap();
    let dir_link = format!("date=2024-01-03.removed.4242.{old}.2");
    std::os::unix::fs::symlink(outside.path(), tmp.join(&dir_link)).unwrap();
    let file_link = format!("calls.x.4242.{old}.3");
    std::os::unix::fs::symlink(outside.path().join("keep.txt"), tmp.join(&file_link)).unwrap();

    t.lake().check_writable().unwrap();
    let mut left = vec![
        young,
        "notes.txt".to_owned(),
        two_numbers,
        dir_link,
        file_link,
    ];
    left.sort();
    assert_eq!(dir_entries(&tmp), left);
    assert_eq!(dir_entries(outside.path()), ["keep.txt"]);
    assert_eq!(
        std::fs::read(outside.path().join("keep.txt")).unwrap(),
        b"keep"
    );
}

#[test]
fn unwritable_lake_is_a_clean_error() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = BTreeMap::from([(day("2024-01-01"), batch(2, 0))]);
    // A file where the lake directory should be.
    let path = tmp.path().join("lake");
    std::fs::write(&path, b"i am a file").unwrap();
    let err = write_table(&Lake::local(&path), "calls", &parts, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("lake"), "{err}");

    // A file where the table directory should be.
    let lake2 = tmp.path().join("lake2");
    std::fs::create_dir_all(&lake2).unwrap();
    std::fs::write(lake2.join("calls"), b"").unwrap();
    let err = write_table(&Lake::local(&lake2), "calls", &parts, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("calls"), "{err}");
    assert!(
        dir_entries(&lake2.join(TMP_DIR_NAME)).is_empty(),
        "temp file cleaned up after the failure"
    );

    let lake = Lake::local(tmp.path());
    let err = write_table(&lake, "../escape", &parts, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, Error::InvalidTable { .. }), "{err}");
    assert!(err.is_config());
    let err = write_table(
        &lake,
        "calls",
        &parts,
        &LoadOptions::new().with_zstd_level(1000),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidOptions { .. }), "{err}");
}

#[test]
fn mixed_schemas_are_refused_before_writing() {
    let t = LocalLake::new();
    let other_schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, false)]));
    let odd =
        RecordBatch::try_new(other_schema, vec![Arc::new(StringArray::from(vec!["x"]))]).unwrap();
    let parts = BTreeMap::from([(day("2024-01-01"), batch(2, 0)), (day("2024-01-02"), odd)]);
    let err = write_table(t.lake(), "calls", &parts, &LoadOptions::new()).unwrap_err();
    assert!(matches!(err, Error::SchemaMismatch { .. }), "{err}");
    assert!(err.to_string().contains("2024-01-02"));
    assert!(!t.path("calls").exists(), "nothing written");
}

#[test]
fn many_partitions_in_date_order_and_verified() {
    let t = LocalLake::new();
    let parts: BTreeMap<_, _> = (1..=12)
        .map(|d| {
            (
                day(&format!("2024-01-{d:02}")),
                batch(if d == 4 { 0 } else { d * 3 }, d as i64),
            )
        })
        .collect();
    let writes = write_table(t.lake(), "call_legs", &parts, &LoadOptions::new()).unwrap();
    assert_eq!(
        writes.iter().map(|w| w.date).collect::<Vec<_>>(),
        parts.keys().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        dir_entries(&t.path("call_legs")).len(),
        12,
        "11 days + manifest"
    );
    let report = verify(t.lake()).unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
    assert_eq!(report.files_checked, 11);
}

#[test]
fn locations_open_as_written() {
    let t = LocalLake::new();
    let as_url = format!("file://{}", t.dir.path().display());
    let lake = Lake::open(&as_url).unwrap();
    assert_eq!(lake.display(), as_url);
    assert_eq!(lake.local_path(), Some(t.dir.path()));
    lake.put("x/y.txt", b"hi".to_vec()).unwrap();
    assert_eq!(std::fs::read(t.path("x/y.txt")).unwrap(), b"hi");
}

#[test]
fn bad_lake_urls_are_one_clear_line() {
    for (url, expect) in [
        ("ftp://host/lake", "unsupported scheme"),
        ("s3://", "s3://: no bucket"),
        ("gs:///no-bucket", "gs:///no-bucket: no bucket"),
        ("https://example.com/lake", "unsupported scheme"),
        ("not a url://x", "not a URL"),
    ] {
        let err = Lake::open(url).unwrap_err();
        let line = err.to_string();
        assert!(matches!(err, Error::Open { .. }), "{url}: {line}");
        assert!(err.is_config());
        assert!(line.starts_with("cannot open lake "), "{line}");
        assert!(line.contains(expect), "{url}: {line}");
        assert!(!line.contains('\n'), "{line}");
    }
    let err = Lake::open("s3://AKIAEXAMPLE:wJalrSECRET@/lake").unwrap_err();
    assert!(!err.to_string().contains("wJalrSECRET"), "{err}");
}
