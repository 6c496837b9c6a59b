//! What only an object-store lake has: multipart uploads, being driven from inside
//! another tokio runtime, settings from the environment's names.

use std::collections::BTreeMap;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringlake_load::{
    Lake, LoadOptions, MANIFEST_FILE_NAME, Manifest, TableWriter, verify, write_table,
};

use crate::support::{Moto, S3Lake, TestLake, batch, day};

#[test]
fn big_objects_go_up_in_parts_and_come_back_whole() {
    let t = S3Lake::new();
    // Above the 64 MiB single-PUT limit: a multipart upload of 16 MiB parts.
    let big: Vec<u8> = (0..70 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    t.lake().put("_raw/big.bin", big.clone()).unwrap();
    let back = t.lake().get("_raw/big.bin").unwrap().unwrap();
    assert_eq!(back.len(), big.len());
    assert!(back == big, "same bytes");
    assert_eq!(t.objects("_raw"), ["_raw/big.bin"]);
}

#[test]
fn works_from_spawn_blocking_and_from_async_code_of_another_runtime() {
    let t = S3Lake::new();
    let lake = t.lake().clone();
    // A single-threaded runtime, like a small CLI's: the load's own I/O runtime must not
    // need this one's thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let parts = BTreeMap::from([(day("2024-05-01"), batch(50, 0))]);
    let from_blocking = {
        let lake = lake.clone();
        let parts = parts.clone();
        rt.block_on(async move {
            tokio::task::spawn_blocking(move || {
                write_table(&lake, "calls", &parts, &LoadOptions::new())
            })
            .await
        })
        .unwrap()
        .unwrap()
    };
    assert!(from_blocking[0].changed);
    // Called straight from async code (blocking the runtime's only thread): slow manners,
    // but it must finish, not panic or hang.
    let from_async = rt
        .block_on(async { write_table(&lake, "calls", &parts, &LoadOptions::new()) })
        .unwrap();
    assert!(!from_async[0].changed);
    assert!(verify(&lake).unwrap().is_clean());
}

#[test]
fn url_prefix_and_settings_reach_the_store() {
    let moto = Moto::start();
    // The lake at the bucket's root, and one under a prefix: separate tables.
    let root = Lake::open_with(&format!("s3://{}", moto.bucket), moto.settings()).unwrap();
    let nested = Lake::open_with(&format!("s3://{}/a/b/", moto.bucket), moto.settings()).unwrap();
    assert_eq!(nested.display(), format!("s3://{}/a/b/", moto.bucket));
    nested.put("t/x.txt", b"nested".to_vec()).unwrap();
    assert_eq!(&root.get("a/b/t/x.txt").unwrap().unwrap()[..], b"nested");
    assert_eq!(
        nested.location("t/x.txt"),
        format!("s3://{}/a/b/t/x.txt", moto.bucket)
    );
    // verify at the root sees `a` as a table without manifest; under the prefix, `t`.
    let findings: Vec<String> = verify(&nested)
        .unwrap()
        .findings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(findings, ["t: no _manifest.json, 1 file not verified"]);
}

/// A killed run's write check (or any name of our own pattern) under `_tmp/` is swept
/// when a run starts; foreign objects and young ones stay (issue 17).
#[test]
fn tmp_debris_on_the_store_is_swept_at_start() {
    let t = S3Lake::new();
    let nanos_ago = |secs| {
        (SystemTime::now() - Duration::from_secs(secs))
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    };
    let (old, fresh) = (nanos_ago(2 * 86_400), nanos_ago(0));
    let lake = t.lake();
    for rel in [
        format!("_tmp/write-check.4242.{old}.0"),
        format!("_tmp/calls.date=2024-01-01.part-00000.parquet.4242.{old}.1"),
        format!("_tmp/write-check.4343.{fresh}.0"),
        "_tmp/notes.txt".to_owned(),
        format!("_tmp/notes/deeper.4242.{old}.2"),
    ] {
        lake.put(&rel, b"x".to_vec()).unwrap();
    }
    lake.check_writable().unwrap();
    assert_eq!(
        t.objects("_tmp"),
        [
            "_tmp/notes.txt".to_owned(),
            format!("_tmp/notes/deeper.4242.{old}.2"),
            format!("_tmp/write-check.4343.{fresh}.0"),
        ]
    );
}

/// Two writers of one table at once, each with days of its own: the manifest is replaced
/// with a conditional put, re-read and merged on a conflict, so neither writer's days are
/// lost; a day the later one did not write keeps the other's entry (issue 17).
#[test]
fn two_writers_of_one_table_both_keep_their_days() {
    let t = S3Lake::new();
    let lake = t.lake();
    let (oa, ob) = (
        LoadOptions::new().with_run_id("run-a"),
        LoadOptions::new().with_run_id("run-b"),
    );
    let one = |d: &str, n, salt| BTreeMap::from([(day(d), batch(n, salt))]);
    let manifest = || {
        Manifest::from_bytes(
            &lake
                .get(&format!("calls/{MANIFEST_FILE_NAME}"))
                .unwrap()
                .unwrap(),
        )
        .unwrap()
    };
    let days = |m: &Manifest| {
        m.partitions
            .keys()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };

    // No manifest yet: both create one.
    let mut a = TableWriter::open(lake, "calls", &oa).unwrap();
    let mut b = TableWriter::open(lake, "calls", &ob).unwrap();
    a.write(&one("2024-06-01", 5, 0)).unwrap();
    b.write(&one("2024-06-02", 6, 1)).unwrap();
    a.finish().unwrap();
    b.finish().unwrap();
    assert_eq!(days(&manifest()), ["2024-06-01", "2024-06-02"]);
    assert!(verify(lake).unwrap().is_clean());

    // Both open the manifest; b also rewrites a's day, and finishes first.
    let mut a = TableWriter::open(lake, "calls", &oa).unwrap();
    let mut b = TableWriter::open(lake, "calls", &ob).unwrap();
    a.write(&one("2024-06-03", 7, 2)).unwrap();
    b.write(&one("2024-06-01", 9, 3)).unwrap();
    b.write(&one("2024-06-04", 2, 4)).unwrap();
    b.finish().unwrap();
    a.finish().unwrap();
    let m = manifest();
    assert_eq!(
        days(&m),
        ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04"]
    );
    let first = &m.partitions[&day("2024-06-01")].files[0];
    assert_eq!((first.rows, first.run_id.as_str()), (9, "run-b"));
    assert_eq!(m.partitions[&day("2024-06-03")].files[0].run_id, "run-a");
    let report = verify(lake).unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
}
