//! Nothing lost, nothing doubled: runs killed with SIGKILL at random moments against a
//! faulty simulator (503s, dropped connections, truncated bodies, tokens that expire every
//! few seconds), each followed by the same command again, end with a lake equal to the truth
//! and no temporary file where readers look.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use ringlake_sim::{Faults, RateLimits, SimConfig, SimCredentials, SimHandle};

use crate::messages::assert_messages_equal_truth;
use crate::support::*;

const FROM: &str = "2026-06-02";
const TO: &str = "2026-06-07";
const KILLS: usize = 20;

fn command(sim: &SimHandle, lake: &Path) -> tokio::process::Command {
    let c = SimCredentials::default();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_ringlake"));
    cmd.args(["run", "--from", FROM, "--to", TO, "--lake"])
        .arg(lake)
        .args(["--streams", "call-log,message-store,extensions"])
        .env("RUST_LOG", "warn")
        .env("RC_SERVER_URL", sim.base_url())
        .env("RC_CLIENT_ID", &c.client_id)
        .env("RC_CLIENT_SECRET", &c.client_secret)
        .env("RC_JWT", &c.jwt)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// xorshift: reproducible kill moments without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Only whole Parquet files under `date=` directories where readers look.
fn assert_no_partial_files(lake: &Path) {
    for table in std::fs::read_dir(lake).unwrap() {
        let table = table.unwrap();
        let name = table.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        for part in partition_files(lake, &name).into_values().flatten() {
            let file = part.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                file.starts_with("part-") && file.ends_with(".parquet"),
                "{} is visible to readers",
                part.display()
            );
            // A whole file: readable to the end.
            read_parquet(&part);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_against_a_faulty_server_converge_to_the_truth() {
    let cfg = SimConfig::new()
        .with_seed(61)
        .with_extensions(60)
        .with_calls_per_day(1500)
        .with_messages_per_extension_per_day(3)
        .with_data_range(utc("2026-06-01"), utc("2026-06-09"))
        .with_access_token_ttl_secs(3)
        .with_limits(RateLimits::scaled(1))
        .with_faults(
            Faults::new()
                .with_503_rate(0.05)
                .with_drop_rate(0.02)
                .with_truncate_rate(0.01)
                .with_seed(61),
        );
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");

    // How long an undisturbed run takes sets the range of kill moments.
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut horizon = Duration::from_secs(4);
    let (mut killed, mut completed) = (0, 0);
    while killed < KILLS {
        let started = Instant::now();
        let mut child = command(&sim, &lake).spawn().unwrap();
        let at = Duration::from_millis(next(&mut rng) % horizon.as_millis() as u64);
        tokio::select! {
            status = child.wait() => {
                // Finished before its kill moment: kill the next one sooner.
                let status = status.unwrap();
                assert!(matches!(status.code(), Some(0 | 3)), "run failed: {status:?}");
                horizon = started.elapsed().max(Duration::from_millis(200));
                completed += 1;
            }
            () = tokio::time::sleep(at) => {
                child.start_kill().unwrap(); // SIGKILL
                child.wait().await.unwrap();
                killed += 1;
            }
        }
        assert_no_partial_files(&lake);
    }

    // The same command until it reports nothing left to do (a window may have spent its
    // retry budget on injected faults: exit 3 says "run again").
    let mut finished = false;
    for _ in 0..6 {
        let status = command(&sim, &lake).status().await.unwrap();
        assert!(
            matches!(status.code(), Some(0 | 3)),
            "run failed: {status:?}"
        );
        if status.code() == Some(0) {
            finished = true;
            break;
        }
    }
    assert!(finished, "no clean run after {KILLS} kills");
    assert_no_partial_files(&lake);
    let stats = sim.stats();
    assert!(
        stats.faults_503 + stats.faults_dropped + stats.faults_truncated > 0,
        "faults were injected: {stats:?}"
    );

    eprintln!(
        "chaos: {killed} runs killed, {completed} finished before their kill moment; faults: {} 503, {} dropped, {} truncated; {} token grants, {} refreshes, {} 401s",
        stats.faults_503,
        stats.faults_dropped,
        stats.faults_truncated,
        stats.token_grants,
        stats.token_refreshes,
        stats.responses_401
    );

    let truth = sim.truth();
    assert_lake_equals_truth(&lake, &truth, day(FROM), day(TO), Tz::UTC);
    assert_messages_equal_truth(&lake, &truth, day(FROM), day(TO), Tz::UTC);
    // The manifests, rewritten by killed runs too, still describe every file.
    let verify = ringlake_env(&["lake", "verify", "--lake", lake.to_str().unwrap()], &[]).await;
    assert_success(&verify);
    sim.shutdown().await;
}
