//! `ringlake run` against the simulator: the lake equals the ground truth, whatever the
//! server's reading of `dateTo` and whatever the partition time zone; a re-run changes nothing.

use arrow::array::{Array, AsArray};
use chrono_tz::Tz;
use ringlake_sim::{RateLimits, SimConfig};

use crate::support::*;

fn account(seed: u64) -> SimConfig {
    SimConfig::new()
        .with_seed(seed)
        .with_extensions(25)
        .with_calls_per_day(400)
        .with_data_range(utc("2026-03-01"), utc("2026-03-12"))
        .with_limits(RateLimits::scaled(1))
}

/// The lake's `account` table: one snapshot, dated today in the run's zone, holding the
/// account's id, time zone and currency as the server has them.
fn assert_account(lake: &std::path::Path, truth: &ringlake_sim::Truth, tz: Tz) {
    let snapshots = partition_files(lake, "account");
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    assert_eq!(snapshots.keys().copied().collect::<Vec<_>>(), [today]);
    let rows: Vec<_> = snapshots
        .values()
        .flatten()
        .flat_map(|f| read_parquet(f))
        .collect();
    assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    let text = |name: &str| {
        let a = rows[0].column_by_name(name).unwrap().as_string::<i32>();
        a.value(0).to_string()
    };
    let id = rows[0].column_by_name("id").unwrap();
    let id = id.as_primitive::<arrow::datatypes::Int64Type>().value(0);
    assert_eq!(id, truth.account.id);
    assert_eq!(text("time_zone_name"), truth.account.time_zone);
    assert_eq!(text("currency_code"), truth.account.currency);
    assert_eq!(text("main_number"), truth.account.main_number);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_lake_equals_truth_utc_exclusive_date_to() {
    let sim = start_sim(account(11)).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let out = run_days(&sim, "2026-03-02", "2026-03-06", &lake, &[]).await;
    assert_success(&out);
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-03-02"),
        day("2026-03-06"),
        Tz::UTC,
    );
    let summary = text(&out.stdout);
    assert!(summary.contains("429 responses: 0"), "{summary}");
    // Every call-log request was needed: a page per day window, one more per further 1000
    // records (deleted ones included), and the summary says so.
    let min: u64 = (2..=6)
        .map(|d| {
            let from = utc(&format!("2026-03-0{d}"));
            let calls = sim
                .truth()
                .calls_in(from, from + chrono::Days::new(1))
                .count();
            (calls as u64).div_ceil(1000).max(1)
        })
        .sum();
    let line = summary
        .lines()
        .find(|l| l.starts_with("extract  call-log:"))
        .unwrap_or_default();
    assert!(
        line.contains(&format!("Heavy {min} (paging minimum {min})")),
        "{line}"
    );

    // One active-calls snapshot, dated today, holding the calls in progress.
    let snapshots = partition_files(&lake, "active_calls");
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    let mut ids: Vec<String> = snapshots
        .values()
        .flatten()
        .flat_map(|f| read_parquet(f))
        .flat_map(|b| {
            let a = b.column_by_name("id").unwrap().as_string::<i32>().clone();
            (0..a.len()).map(move |i| a.value(i).to_string())
        })
        .collect();
    ids.sort();
    let mut want = sim.truth().active_calls.clone();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(ids, want, "active calls");
    assert_account(&lake, &sim.truth(), Tz::UTC);

    // The billing report (polars over the lake) adds up to the simulator's billing.
    let out = ringlake(
        &sim,
        &[
            "report",
            "billing",
            "--lake",
            lake.to_str().unwrap(),
            "--month",
            "2026-03",
        ],
    )
    .await;
    assert_success(&out);
    let report = text(&out.stdout);
    let (mut calls, mut included) = (0u64, 0i128);
    for line in report.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        calls += f[3].parse::<u64>().unwrap();
        included += micros(f[5]);
    }
    let truth = sim.truth();
    let want: Vec<_> = truth
        .calls_in(utc("2026-03-02"), utc("2026-03-07"))
        .collect();
    assert_eq!(calls, want.len() as u64, "{report}");
    assert_eq!(
        included,
        want.iter()
            .filter_map(|c| c.billing_cost_included.as_deref())
            .map(micros)
            .sum::<i128>()
    );
    sim.shutdown().await;
}

/// A server whose `dateTo` is inclusive returns a call at exactly midnight in two windows;
/// it must still land once, in the right day. Los Angeles also crosses the DST change of
/// 2026-03-08 (a 23-hour day).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_lake_equals_truth_inclusive_date_to_los_angeles() {
    let sim = start_sim(
        account(12)
            .with_date_to_inclusive(true)
            .with_time_zone("Europe/Paris")
            .with_currency("EUR"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let out = run_days(
        &sim,
        "2026-03-06",
        "2026-03-09",
        &lake,
        &["--time-zone", "America/Los_Angeles"],
    )
    .await;
    assert_success(&out);
    let tz: Tz = "America/Los_Angeles".parse().unwrap();
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-03-06"),
        day("2026-03-09"),
        tz,
    );
    let summary = text(&out.stdout);
    assert!(summary.contains("duplicate records merged"), "{summary}");
    assert!(
        summary.contains("extract  account: time zone Europe/Paris, currency EUR"),
        "{summary}"
    );
    assert_account(&lake, &sim.truth(), tz);
    sim.shutdown().await;
}

/// The same command twice: the same rows, the same bytes, nothing rewritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_leaves_identical_partitions() {
    let sim = start_sim(account(13)).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    // Active calls are left out: each run adds a snapshot, by design.
    let run = || {
        run_days(
            &sim,
            "2026-03-03",
            "2026-03-05",
            &lake,
            &["--streams", "call-log,message-store,extensions"],
        )
    };
    assert_success(&run().await);
    let first = lake_files(&lake, CALL_TABLES);
    assert!(first.len() >= 9, "3 days × 3 tables, got {}", first.len());

    let out = run().await;
    assert_success(&out);
    let second = lake_files(&lake, CALL_TABLES);
    assert_eq!(first.len(), second.len());
    for ((p1, b1), (p2, b2)) in first.iter().zip(&second) {
        assert_eq!(p1, p2);
        assert!(b1 == b2, "{} changed on a re-run", p1.display());
    }
    assert!(
        text(&out.stdout).contains("0 written"),
        "{}",
        text(&out.stdout)
    );
    assert_lake_equals_truth(
        &lake,
        &sim.truth(),
        day("2026-03-03"),
        day("2026-03-05"),
        Tz::UTC,
    );
    // The second run re-fetched nothing: these days ended long before they were fetched.
    // Both streams ran at the same time and each kept its checkpoint.
    let summary = text(&out.stdout);
    assert!(
        summary.contains("3 days (0 fetched, 3 already final)"),
        "{summary}"
    );
    assert!(summary.contains("mailboxes (0 fetched, "), "{summary}");
    sim.shutdown().await;
}
