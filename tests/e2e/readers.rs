//! The lake read by every tool analysts use: DuckDB, pyarrow, pandas and Polars on every
//! `make test` (locally and through an S3 server on 127.0.0.1), Spark under `make test-spark`.
//! The Python side (`tests/interop/readers.py`) checks row counts, column types and
//! aggregates against the simulator's truth, which this side writes as JSON.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig, SimHandle, Truth};
use serde_json::json;

use crate::moto::Moto;
use crate::queries::assert_queries_checked;
use crate::support::*;

/// The days of the reader lakes, in a time zone whose days are not UTC days and across a
/// month end, so that partition dates, UTC instants and months are all tested.
pub const FROM: &str = "2026-07-30";
pub const TO: &str = "2026-08-02";
pub const TIME_ZONE: &str = "America/New_York";

pub fn python() -> String {
    std::env::var("RINGLAKE_PYTHON").unwrap_or_else(|_| {
        panic!(
            "RINGLAKE_PYTHON is not set: run the tests with `make test`, which installs the readers into .venv"
        )
    })
}

pub fn interop_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/interop")
        .join(name)
}

/// A small account whose data covers [`FROM`]..=[`TO`] and a few days around them.
pub async fn reader_sim(seed: u64) -> SimHandle {
    let cfg = SimConfig::new()
        .with_seed(seed)
        .with_extensions(15)
        .with_calls_per_day(250)
        .with_messages_per_extension_per_day(2)
        .with_data_range(utc("2026-07-28"), utc("2026-08-05"))
        .with_limits(RateLimits::scaled(1));
    start_sim(cfg).await
}

/// The truth JSON of [`FROM`]..=[`TO`] in [`TIME_ZONE`] that the interop scripts compare a
/// lake with, written into `dir`.
pub fn write_truth(sim: &SimHandle, dir: &Path) -> PathBuf {
    let path = dir.join("truth.json");
    let truth = truth_json(&sim.truth(), day(FROM), day(TO), TIME_ZONE.parse().unwrap());
    std::fs::write(&path, serde_json::to_vec_pretty(&truth).unwrap()).unwrap();
    path
}

/// A lake of every stream of [`reader_sim`] over [`FROM`]..=[`TO`] in [`TIME_ZONE`], and the
/// truth JSON. Returns (lake, truth.json).
pub async fn reader_lake(dir: &Path, seed: u64) -> (PathBuf, PathBuf) {
    let sim = reader_sim(seed).await;
    let lake = dir.join("lake");
    let out = run_days(&sim, FROM, TO, &lake, &["--time-zone", TIME_ZONE]).await;
    assert_success(&out);
    let truth = write_truth(&sim, dir);
    sim.shutdown().await;
    (lake, truth)
}

/// What the simulator held for the days `from..=to` in `tz`, in the form the interop
/// scripts read: row counts per table, every call with the fields the aggregates use
/// (money as the exact JSON text the API sent), and the extension directory.
pub fn truth_json(truth: &Truth, from: NaiveDate, to: NaiveDate, tz: Tz) -> serde_json::Value {
    let (start, end) = days_window(from, to, tz);
    let local_day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive().to_string();
    let calls: Vec<_> = truth.calls_in(start, end).collect();
    let messages: Vec<_> = truth
        .messages
        .iter()
        .filter(|m| (start..end).contains(&m.creation_time))
        .collect();
    assert!(!calls.is_empty() && !messages.is_empty());
    json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "time_zone": tz.name(),
        "tables": {
            "calls": calls.len(),
            "call_legs": calls.iter().map(|c| c.leg_count).sum::<usize>(),
            // Legs repeat their call's recording; the table holds each once per call.
            "call_recordings": calls.iter().filter(|c| c.recording_id.is_some()).count(),
            "messages": messages.len(),
            "message_recipients": messages.iter().map(|m| m.recipient_count).sum::<usize>(),
            "message_attachments": messages.iter().map(|m| m.attachment_ids.len()).sum::<usize>(),
            // One run: one snapshot of the directory and of the calls in progress.
            "extensions": truth.extensions.len(),
            "active_calls": truth.active_calls.len(),
        },
        "calls": calls.iter().map(|c| json!({
            "id": c.id,
            "date": local_day(c.start_time),
            "start_time_ms": c.start_time.timestamp_millis(),
            "type": c.r#type,
            "direction": c.direction,
            "result": c.result,
            "extension_id": c.extension_id,
            "billing_cost_included": c.billing_cost_included,
            "billing_cost_purchased": c.billing_cost_purchased,
            "recording_id": c.recording_id,
            "deleted": c.deleted,
            "leg_count": c.leg_count,
        })).collect::<Vec<_>>(),
        "messages_per_day": messages.iter().fold(
            std::collections::BTreeMap::<String, usize>::new(),
            |mut m, msg| {
                *m.entry(local_day(msg.creation_time)).or_default() += 1;
                m
            },
        ),
        "extensions": truth.extensions.iter().map(|e| json!({
            "id": e.id,
            "extension_number": e.extension_number,
            "name": e.name,
            "type": e.r#type,
            "status": e.status,
        })).collect::<Vec<_>>(),
    })
}

/// Runs an interop script with the venv's Python; asserts it exits 0 and returns stdout.
pub async fn run_script(script: &str, args: &[&OsStr]) -> String {
    run_script_env(script, args, &[]).await
}

/// [`run_script`] with more environment variables.
pub async fn run_script_env(script: &str, args: &[&OsStr], env: &[(&str, &str)]) -> String {
    let started = Instant::now();
    let out = tokio::process::Command::new(python())
        .arg(interop_script(script))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed ({:?})\nstdout:\n{stdout}\nstderr:\n{}",
        out.status.code(),
        text(&out.stderr)
    );
    eprintln!(
        "{script}: {:.1} s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    stdout
}

#[track_caller]
fn assert_names_readers(stdout: &str, readers: &[&str]) {
    for r in readers {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("{r} ")) && l.contains(" ok")),
            "no ok line for {r} in:\n{stdout}"
        );
    }
}

const READERS: &[&str] = &["duckdb", "pyarrow", "pandas", "polars"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_read_the_lake_as_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, truth) = reader_lake(dir.path(), 41).await;
    let stdout = run_script("readers.py", &[lake.as_os_str(), truth.as_os_str()]).await;
    assert_names_readers(&stdout, READERS);
}

/// `ringlake run` writes the lake to an S3 server on 127.0.0.1 (moto, from the project's
/// virtualenv) and every reader reads it there as `s3://…`, as from a cloud bucket; a second
/// run rewrites nothing, and `ringlake lake verify` finds the bucket as its manifests say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ringlake_writes_the_lake_to_s3_and_the_readers_read_it_there() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start();
    let settings = moto.settings();
    let env: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = format!("s3://{}/archive/lake", moto.bucket);
    let sim = reader_sim(42).await;
    let (raw, state) = (dir.path().join("raw"), dir.path().join("state"));
    let args = [
        "run",
        "--from",
        FROM,
        "--to",
        TO,
        "--lake",
        &url,
        "--raw",
        raw.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        "--time-zone",
        TIME_ZONE,
    ];
    let first = ringlake_with(&sim, &args, &env).await;
    assert_success(&first);
    assert!(text(&first.stdout).contains(&format!("lake at  {url}")));
    // The same run again (but for the active calls, a new snapshot each run) rewrites
    // nothing.
    let streams = ["--streams", "call-log,message-store,extensions"];
    let again = ringlake_with(&sim, &[&args[..], &streams[..]].concat(), &env).await;
    assert_success(&again);
    let summary = text(&again.stdout);
    assert!(
        summary.contains("partitions: 0 written, 25 unchanged"),
        "a rerun rewrote partitions:\n{summary}"
    );
    let truth = write_truth(&sim, dir.path());
    sim.shutdown().await;

    let verify = ringlake_env(&["lake", "verify", "--lake", &url], &env).await;
    assert_success(&verify);
    assert!(
        text(&verify.stdout).starts_with("ok "),
        "{}",
        text(&verify.stdout)
    );

    let stdout = run_script_env("readers.py", &[OsStr::new(&url), truth.as_os_str()], &env).await;
    assert_names_readers(&stdout, READERS);
    assert!(stdout.contains("s3://"), "{stdout}");
    let stdout = run_script_env(
        "check_queries.py",
        &[OsStr::new(&url), truth.as_os_str()],
        &env,
    )
    .await;
    assert_queries_checked(&stdout, "duckdb-sql");
}

/// Spark (pyspark, local[2]) reads the lake and runs the Spark SQL of docs/queries.md.
/// Slow (a JVM start): only under `make test-spark`, which installs pyspark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pyspark and Java: run with `make test-spark`"]
async fn spark_reads_the_lake_and_runs_the_queries() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, truth) = reader_lake(dir.path(), 43).await;
    let stdout = run_script("spark_readers.py", &[lake.as_os_str(), truth.as_os_str()]).await;
    assert_names_readers(&stdout, &["spark"]);
    assert_queries_checked(&stdout, "spark-sql");
}
