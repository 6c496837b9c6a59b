//! Failures stay where they happen: a stream whose endpoint always fails fails alone — the
//! others are fetched and loaded, the run exits 3 and names what failed. (A 503 every time
//! fails the same way after the retry budget, about 100 s of backoff: not run here.)

use chrono::{Days, Utc};
use chrono_tz::Tz;
use ringlake_sim::{BrokenRoute, Faults, RateLimits, SimConfig};

use crate::messages::assert_messages_equal_truth;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_endpoint_always_fails_leaves_the_others_loaded() {
    let today = Utc::now().date_naive();
    let (from, to) = (today - Days::new(4), today - Days::new(3));
    let midnight = |d: chrono::NaiveDate| d.and_time(Default::default()).and_utc();
    for (route, status, says) in [
        ("/active-calls", 404, "CMN-102"),
        (
            "/extension/{extension_id}/message-store",
            403,
            "ReadMessages",
        ),
    ] {
        let sim = start_sim(
            SimConfig::new()
                .with_seed(17)
                .with_extensions(6)
                .with_calls_per_day(150)
                .with_messages_per_extension_per_day(2)
                .with_data_range(midnight(from), midnight(to + Days::new(1)))
                .with_limits(RateLimits::scaled(1))
                .with_faults(Faults::new().with_broken_route(BrokenRoute::new(route, status))),
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let lake = dir.path().join("lake");
        let out = run_days(
            &sim,
            &from.to_string(),
            &to.to_string(),
            &lake,
            &[
                "--streams",
                "call-log,message-store,extensions,active-calls",
            ],
        )
        .await;
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{route} {status}: {stdout}\n{}",
            text(&out.stderr)
        );
        let failed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAILED")).collect();
        assert_eq!(failed.len(), 1, "{stdout}");
        assert!(failed[0].contains(says), "{}", failed[0]);
        let truth = sim.truth();
        assert_lake_equals_truth(&lake, &truth, from, to, Tz::UTC);
        assert_eq!(partition_files(&lake, "extensions").len(), 1);
        if route == "/active-calls" {
            assert!(failed[0].contains("active-calls"), "{}", failed[0]);
            assert_messages_equal_truth(&lake, &truth, from, to, Tz::UTC);
            assert!(!lake.join("active_calls").exists());
        } else {
            assert!(failed[0].contains("message-store"), "{}", failed[0]);
            assert!(!lake.join("messages").exists());
            assert!(partition_files(&lake, "active_calls").len() <= 1);
        }
        sim.shutdown().await;
    }
}
