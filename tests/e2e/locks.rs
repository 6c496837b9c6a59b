//! One run at a time: a second run on the same lake stops within seconds naming the first
//! (which goes on unharmed), and the lock of a killed run is taken over by the next one.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig, SimCredentials, SimHandle};

use crate::support::*;

const FROM: &str = "2026-06-02";
const TO: &str = "2026-06-05";

fn spawn_run(sim: &SimHandle, lake: &Path) -> tokio::process::Child {
    let c = SimCredentials::default();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_ringlake"))
        .args(["run", "--from", FROM, "--to", TO, "--lake"])
        .arg(lake)
        .args(["--streams", "call-log"])
        .env("RC_SERVER_URL", sim.base_url())
        .env("RC_CLIENT_ID", &c.client_id)
        .env("RC_CLIENT_SECRET", &c.client_secret)
        .env("RC_JWT", &c.jwt)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Waits until the run holding the lake's lock has written its line into the lock file.
async fn wait_for_holder(lake: &Path) {
    let lock = lake.join("_ringlake.lock");
    let until = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&lock).map_or(true, |t| t.is_empty()) {
        assert!(Instant::now() < until, "the first run never took the lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Slow enough that a run lasts several seconds: Heavy allows 1 request per 2 s, and a run
/// makes one a day.
async fn slow_sim() -> SimHandle {
    start_sim(
        SimConfig::new()
            .with_seed(17)
            .with_extensions(10)
            .with_calls_per_day(400)
            .with_data_range(utc("2026-06-01"), utc("2026-06-07"))
            .with_limits(RateLimits::scaled(2).with_counts(50, 40, 1, 5)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_the_same_lake_stops_at_once_naming_the_first() {
    let sim = slow_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let first = spawn_run(&sim, &lake);
    let first_pid = first.id().unwrap();
    wait_for_holder(&lake).await;

    let started = Instant::now();
    let second = run_days(&sim, FROM, TO, &lake, &["--streams", "call-log"]).await;
    let took = started.elapsed();
    let err = text(&second.stderr);
    assert_ne!(second.status.code(), Some(0), "{err}");
    assert!(
        took < Duration::from_secs(5),
        "the second run took {took:?}"
    );
    assert!(
        err.contains("_ringlake.lock is locked by another ringlake run")
            && err.contains(&format!("pid {first_pid} on host"))
            && err.contains("`run "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let first = first.wait_with_output().await.unwrap();
    assert_success(&first);
    assert_lake_equals_truth(&lake, &sim.truth(), day(FROM), day(TO), Tz::UTC);
    // A clean end leaves the lock free and empty: the next run starts without a word.
    assert_eq!(
        std::fs::read_to_string(lake.join("_ringlake.lock")).unwrap(),
        ""
    );
    let third = run_days(&sim, FROM, TO, &lake, &["--streams", "call-log"]).await;
    assert_success(&third);
    assert!(!text(&third.stderr).contains("Taking over"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_of_a_killed_run_is_taken_over() {
    let sim = slow_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let mut killed = spawn_run(&sim, &lake);
    let killed_pid = killed.id().unwrap();
    wait_for_holder(&lake).await;
    killed.start_kill().unwrap();
    killed.wait().await.unwrap();

    let next = run_days(&sim, FROM, TO, &lake, &["--streams", "call-log"]).await;
    assert_success(&next);
    let err = text(&next.stderr);
    assert!(
        err.contains("Taking over the lock of a run that ended without releasing it")
            && err.contains(&format!("pid {killed_pid} on host")),
        "{err}"
    );
    assert_lake_equals_truth(&lake, &sim.truth(), day(FROM), day(TO), Tz::UTC);
}
