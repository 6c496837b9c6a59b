//! Usage and configuration errors: one line that names the problem, exit code 2, no secret.

use crate::support::*;

#[tokio::test]
async fn missing_credential_is_named_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let out = ringlake_env(
        &[
            "run",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
            "--lake",
            lake.to_str().unwrap(),
        ],
        &[
            ("RC_SERVER_URL", "http://127.0.0.1:9"),
            ("RC_CLIENT_ID", "id"),
            ("RC_CLIENT_SECRET", "very-secret-value"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("RC_JWT"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("very-secret-value"));
    assert!(
        !lake.exists(),
        "nothing is written before the configuration is valid"
    );
}

#[tokio::test]
async fn bad_dates_and_time_zones_exit_2() {
    for args in [
        &[
            "run",
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-01",
            "--lake",
            "x",
        ][..],
        &[
            "run",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-01",
            "--lake",
            "x",
        ][..],
        &[
            "run",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-01",
            "--lake",
            "x",
            "--time-zone",
            "Mars/Base",
        ][..],
        &["run", "--from", "2026-03-01"][..],
    ] {
        let out = ringlake_env(args, &[]).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[tokio::test]
async fn unreadable_pipeline_file_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "[lake]\npath = 42\n").unwrap();
    let out = ringlake_env(
        &[
            "run",
            p.to_str().unwrap(),
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-01",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.trim().lines().count() == 1,
        "{err}"
    );
}
