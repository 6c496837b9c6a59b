//! `find_pages`: which files are pages, which are skipped, and the day filter.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use ringlake_transform::Stream;
use ringlake_transform::{TransformOptions, find_pages, tables, transform_call_log};
use serde_json::json;

use crate::{all_rows, record, strings, table};

fn put(root: &Path, rel: &str, id: &str, start: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let plain = serde_json::to_vec(&json!({"records": [record(id, start)]})).unwrap();
    let bytes = if rel.ends_with(".zst") {
        zstd::encode_all(plain.as_slice(), 3).unwrap()
    } else if rel.ends_with(".gz") {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&plain).unwrap();
        e.finish().unwrap()
    } else {
        plain
    };
    std::fs::write(path, bytes).unwrap();
}

fn rel(raw: &Path, pages: &[PathBuf]) -> Vec<String> {
    pages
        .iter()
        .map(|p| {
            p.strip_prefix(raw)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn finds_pages_skips_hidden_and_underscore_and_filters_day_dirs() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path();
    put(
        raw,
        "call-log/2024-01-02/page-00002.json",
        "b2",
        "2024-01-02T12:00:00Z",
    );
    put(
        raw,
        "call-log/2024-01-02/page-00001.json.gz",
        "b1",
        "2024-01-02T10:00:00Z",
    );
    put(
        raw,
        "call-log/2024-01-01/page-00001.json.zst",
        "a1",
        "2024-01-01T10:00:00Z",
    );
    put(
        raw,
        "call-log/manual/extra.json",
        "m1",
        "2024-01-03T10:00:00Z",
    );
    // Skipped: staging dirs, side files, other suffixes, other streams.
    put(
        raw,
        "call-log/.2024-01-03.partial-x1y2/page-00001.json.zst",
        "skip1",
        "2024-01-03T10:00:00Z",
    );
    put(
        raw,
        "call-log/_scratch/page-00001.json",
        "skip2",
        "2024-01-03T10:00:00Z",
    );
    put(
        raw,
        "call-log/2024-01-01/_SUCCESS.json",
        "skip3",
        "2024-01-01T10:00:00Z",
    );
    put(
        raw,
        "call-log/2024-01-01/.page-00002.json.zst",
        "skip4",
        "2024-01-01T10:00:00Z",
    );
    put(
        raw,
        "call-log/2024-01-01/page-00003.json.tmp",
        "skip5",
        "2024-01-01T10:00:00Z",
    );
    put(
        raw,
        "call-log/2024-01-01/page-00004.jsonl",
        "skip6",
        "2024-01-01T10:00:00Z",
    );
    put(
        raw,
        "message-store/2024-01-01/page-00001.json",
        "skip7",
        "2024-01-01T10:00:00Z",
    );

    let all = find_pages(raw, Stream::CallLog, None).unwrap();
    assert_eq!(
        rel(raw, &all),
        [
            "call-log/2024-01-01/page-00001.json.zst",
            "call-log/2024-01-02/page-00001.json.gz",
            "call-log/2024-01-02/page-00002.json",
            "call-log/manual/extra.json",
        ]
    );
    let out = transform_call_log(&all, &TransformOptions::new()).unwrap();
    let ids = strings(&all_rows(table(&out, tables::CALLS)), "id");
    assert_eq!(ids, ["a1", "b1", "b2", "m1"].map(|s| Some(s.to_owned())));

    let days = BTreeSet::from(["2024-01-02".parse().unwrap(), "2024-01-09".parse().unwrap()]);
    let some = find_pages(raw, Stream::CallLog, Some(&days)).unwrap();
    assert_eq!(
        rel(raw, &some),
        [
            "call-log/2024-01-02/page-00001.json.gz",
            "call-log/2024-01-02/page-00002.json",
            "call-log/manual/extra.json",
        ]
    );
}

#[test]
fn empty_stream_dir_gives_no_pages() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("call-log")).unwrap();
    assert!(
        find_pages(tmp.path(), Stream::CallLog, None)
            .unwrap()
            .is_empty()
    );
    let out = transform_call_log(&[], &TransformOptions::new()).unwrap();
    assert!(out.tables.iter().all(|t| t.partitions.is_empty()));
    assert_eq!(out.tables.len(), 3);
}
