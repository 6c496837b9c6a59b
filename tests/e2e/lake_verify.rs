//! `ringlake lake verify`: a lake as its manifests say passes; a deleted, a truncated and a
//! stray file are each named on one line and fail the command.

use std::fs::OpenOptions;

use crate::readers::reader_lake;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_names_a_deleted_a_truncated_and_a_stray_file() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, _) = reader_lake(dir.path(), 45).await;
    let verify =
        || async { ringlake_env(&["lake", "verify", "--lake", lake.to_str().unwrap()], &[]).await };

    let clean = verify().await;
    assert_success(&clean);
    let stdout = text(&clean.stdout);
    assert!(
        stdout.starts_with("ok ") && stdout.contains("9 tables"),
        "{stdout}"
    );

    let calls = partition_files(&lake, "calls");
    let legs = partition_files(&lake, "call_legs");
    let (deleted, truncated) = (
        &calls.values().next().unwrap()[0],
        &legs.values().last().unwrap()[0],
    );
    std::fs::remove_file(deleted).unwrap();
    let len = std::fs::metadata(truncated).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(truncated)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let stray_dir = deleted.parent().unwrap();
    std::fs::write(stray_dir.join("part-00001.parquet"), b"PAR1 not really").unwrap();

    let out = verify().await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let rel = |p: &std::path::Path| p.strip_prefix(&lake).unwrap().to_str().unwrap().to_owned();
    let line_of = |path: String, needle: &str| {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("{path}: ")) && l.contains(needle)),
            "no line for {path} saying {needle:?} in:\n{stdout}"
        );
    };
    line_of(rel(deleted), "missing");
    line_of(rel(truncated), &format!("truncated to {} bytes", len / 2));
    line_of(rel(&stray_dir.join("part-00001.parquet")), "stray file");
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with("DIFFERS ") && last.ends_with("3 differences"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_of_a_bad_location_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().to_str().unwrap();
    for (lake, code, needle) in [
        ("ftp://host/lake", 2, "unsupported scheme"),
        ("s3:///no-bucket", 2, "no bucket"),
        (empty, 1, "holds no table"),
    ] {
        let out = ringlake_env(&["lake", "verify", "--lake", lake], &[]).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{lake}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{lake}: {stderr}");
    }
}
