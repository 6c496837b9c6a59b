//! The incremental mode: `--streams call-log-sync` reads every record modified since the
//! last session (`call-log-extract-sync`), and the lake equals a day-window run's.

use chrono::{Days, Utc};
use chrono_tz::Tz;
use ringlake_sim::{Mutation, RateLimits, SimConfig};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_runs_archive_the_range_and_then_only_what_changed() {
    let today = Utc::now().date_naive();
    // Days whose every change (billing, deletion) is in the past: the simulator serves a
    // modification only once its time has come.
    let (from, to) = (today - Days::new(9), today - Days::new(7));
    let sim = start_sim(
        SimConfig::new()
            .with_seed(81)
            .with_extensions(12)
            .with_calls_per_day(700)
            .with_data_range(
                (today - Days::new(12))
                    .and_time(Default::default())
                    .and_utc(),
                (today - Days::new(5))
                    .and_time(Default::default())
                    .and_utc(),
            )
            .with_limits(RateLimits::scaled(1)),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let (f, t) = (from.to_string(), to.to_string());
    let streams = ["--streams", "call-log-sync"];

    let out = run_days(&sim, &f, &t, &lake, &streams).await;
    assert_success(&out);
    let summary = text(&out.stdout);
    assert!(
        summary.contains("(1 full syncs, 0 tokens refused)"),
        "{summary}"
    );
    assert_lake_equals_truth(&lake, &sim.truth(), from, to, Tz::UTC);
    let heavy_first = sim.stats().requests_by_group["Heavy"];
    // 2,100 calls of the range (and those modified since --from) at 1,000 per page.
    assert!(heavy_first >= 3, "{heavy_first} Heavy requests");

    // Late updates; the next session is an ISync that brings only them.
    let report = sim.mutate(
        &Mutation::new()
            .with_calls(25)
            .with_seed(3)
            .with_not_before(from.and_time(Default::default()).and_utc()),
    );
    assert_eq!(report.calls.len(), 25);
    let out = run_days(&sim, &f, &t, &lake, &streams).await;
    assert_success(&out);
    let summary = text(&out.stdout);
    assert!(
        summary.contains("(0 full syncs, 0 tokens refused)"),
        "{summary}"
    );
    let heavy_second = sim.stats().requests_by_group["Heavy"] - heavy_first;
    assert_eq!(
        heavy_second, 1,
        "an ISync of 25 changes is one request:\n{summary}"
    );
    let truth = sim.truth();
    assert_lake_equals_truth(&lake, &truth, from, to, Tz::UTC);
    let lake_calls = read_lake(&lake);
    let in_range = |c: &&ringlake_sim::TruthCall| c.start_time.date_naive() <= to;
    let mut checked = 0;
    for id in &report.calls {
        let Some(c) = truth.calls.iter().find(|c| &c.id == id).filter(in_range) else {
            continue;
        };
        checked += 1;
        assert_eq!(
            lake_calls.calls[id].billing_included,
            c.billing_cost_included.as_deref().map(micros),
            "call {id}"
        );
    }
    assert!(checked > 0, "no mutated call in the range");

    // Mixing the modes: the day-window stream reads the same raw zone and changes nothing.
    let before = lake_files(&lake, &["calls", "call_legs", "call_recordings"]);
    let out = run_days(&sim, &f, &t, &lake, &["--streams", "call-log"]).await;
    assert_success(&out);
    assert_eq!(
        lake_files(&lake, &["calls", "call_legs", "call_recordings"]),
        before,
        "{}",
        text(&out.stdout)
    );
    sim.shutdown().await;
}
