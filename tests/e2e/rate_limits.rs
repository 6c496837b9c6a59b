//! Pacing: with the limits of the default plan but a window of a few seconds, a run that
//! needs several windows' worth of Heavy requests finishes with zero 429 responses.

use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_limits_draw_no_429() {
    // Heavy allows 10 requests per 3 s window; 12 days of 1,500 calls need 24+ requests.
    let cfg = SimConfig::new()
        .with_seed(21)
        .with_extensions(30)
        .with_calls_per_day(1500)
        .with_data_range(utc("2026-05-01"), utc("2026-05-14"))
        .with_limits(RateLimits::scaled(3));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let out = run_days(&sim, "2026-05-01", "2026-05-12", &lake, &[]).await;
    assert_success(&out);
    let stats = sim.stats();
    let heavy = stats.requests_by_group.get("Heavy").copied().unwrap_or(0);
    assert!(
        heavy > 20,
        "the run should need more than two windows of Heavy requests, made {heavy}"
    );
    assert_eq!(stats.responses_429, 0, "429 responses: {stats:?}");
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-05-01"),
        day("2026-05-12"),
        Tz::UTC,
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_mid_run_is_waited_out_reported_and_loses_nothing() {
    let cfg = SimConfig::new()
        .with_seed(22)
        .with_extensions(20)
        .with_calls_per_day(1500)
        .with_data_range(utc("2026-05-01"), utc("2026-05-10"))
        .with_limits(RateLimits::scaled(3));
    let sim = start_sim(cfg).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    // Once the run is under way the account's limits drop (Heavy 10 → 2 per window): the
    // client's pacer still believes in 10, so the server refuses with 429 until the
    // client learns the new limit from the headers and waits out the penalty.
    let storm = async {
        loop {
            let heavy = sim.stats().requests_by_group.get("Heavy").copied();
            if heavy.unwrap_or(0) >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        sim.set_limits(RateLimits::scaled(3).with_counts(50, 40, 2, 5));
    };
    let (out, ()) = tokio::join!(
        run_days(
            &sim,
            "2026-05-01",
            "2026-05-08",
            &lake,
            &["--streams", "call-log"]
        ),
        storm
    );
    assert_success(&out);
    let stats = sim.stats();
    assert!(stats.responses_429 > 0, "no 429 was drawn: {stats:?}");
    // The summary reports the 429s the client met.
    let stdout = text(&out.stdout);
    let reported = stdout
        .lines()
        .find_map(|l| l.split("429 responses: ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no 429 count in the summary:\n{stdout}"));
    assert_eq!(reported, stats.responses_429, "{stdout}");
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-05-01"),
        day("2026-05-08"),
        Tz::UTC,
    );
    sim.shutdown().await;
}
